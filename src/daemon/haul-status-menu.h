/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-manager.h"

G_BEGIN_DECLS

#define HAUL_TYPE_STATUS_MENU (haul_status_menu_get_type ())

G_DECLARE_FINAL_TYPE (HaulStatusMenu, haul_status_menu, HAUL, STATUS_MENU, GObject)

HaulStatusMenu *haul_status_menu_new      (HaulManager      *manager);
gboolean        haul_status_menu_export   (HaulStatusMenu   *self,
                                           GDBusConnection  *connection,
                                           const char       *object_path,
                                           GError          **error);
void            haul_status_menu_unexport (HaulStatusMenu   *self);
void            haul_status_menu_update   (HaulStatusMenu   *self);

G_END_DECLS
