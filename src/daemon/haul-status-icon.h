/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-manager.h"

G_BEGIN_DECLS

#define HAUL_TYPE_STATUS_ICON (haul_status_icon_get_type ())

G_DECLARE_FINAL_TYPE (HaulStatusIcon, haul_status_icon, HAUL, STATUS_ICON, GObject)

#define HAUL_STATUS_ICON_PATH "/StatusNotifierItem"
#define HAUL_STATUS_MENU_PATH "/StatusNotifierItem/Menu"

HaulStatusIcon *haul_status_icon_new     (HaulManager     *manager,
                                          GDBusConnection *session);
void            haul_status_icon_changed (HaulStatusIcon  *self);

G_END_DECLS
