/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-manager.h"

G_BEGIN_DECLS

#define HAUL_TYPE_NOTIFIER (haul_notifier_get_type ())

G_DECLARE_FINAL_TYPE (HaulNotifier, haul_notifier, HAUL, NOTIFIER, GObject)

HaulNotifier *haul_notifier_new      (HaulManager     *manager,
                                      GDBusConnection *session);
gboolean      haul_notifier_get_busy (HaulNotifier    *self);

G_END_DECLS
