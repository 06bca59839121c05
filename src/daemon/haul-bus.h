/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-manager.h"

G_BEGIN_DECLS

/* The top layer, with the service: the manager and its transfers on the session bus
 * (io.github.haul.Manager1, org.freedesktop.DBus.ObjectManager and one
 * io.github.haul.Transfer1 object per transfer). */

#define HAUL_TYPE_BUS (haul_bus_get_type ())

G_DECLARE_FINAL_TYPE (HaulBus, haul_bus, HAUL, BUS, GObject)

HaulBus  *haul_bus_new      (HaulManager      *manager,
                             GApplication     *app);
gboolean  haul_bus_export   (HaulBus          *self,
                             GDBusConnection  *connection,
                             GError          **error);
void      haul_bus_unexport (HaulBus          *self);

G_END_DECLS
