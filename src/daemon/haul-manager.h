/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-dbus-generated.h"

G_BEGIN_DECLS

#define HAUL_TYPE_MANAGER (haul_manager_get_type ())

G_DECLARE_FINAL_TYPE (HaulManager, haul_manager, HAUL, MANAGER, HaulManager1Skeleton)

#define HAUL_MANAGER_PATH "/io/github/haul/Daemon"

HaulManager *haul_manager_new        (GApplication     *app);
gboolean     haul_manager_export     (HaulManager      *self,
                                      GDBusConnection  *connection,
                                      GError          **error);
void         haul_manager_unexport   (HaulManager      *self);
void         haul_manager_quit       (HaulManager      *self);
gboolean     haul_manager_check_uri  (const char       *uri,
                                      GError          **error);

G_END_DECLS
