/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-manager.h"

G_BEGIN_DECLS

#define HAUL_TYPE_LAUNCHER_ENTRY (haul_launcher_entry_get_type ())

G_DECLARE_FINAL_TYPE (HaulLauncherEntry, haul_launcher_entry, HAUL, LAUNCHER_ENTRY, GObject)

#define HAUL_LAUNCHER_ENTRY_APP_URI "application://" APP_ID ".desktop"

HaulLauncherEntry *haul_launcher_entry_new (HaulManager     *manager,
                                            GDBusConnection *session);

G_END_DECLS
