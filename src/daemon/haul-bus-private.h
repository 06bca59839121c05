/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haul-bus.h"
#include "haul-dbus-generated.h"

G_BEGIN_DECLS

/* Shared by haul-bus.c (Manager1, the object manager) and haul-bus-transfers.c (the
 * Transfer1 objects). */
struct _HaulBus
{
  GObject                 parent_instance;

  HaulManager            *manager;
  GApplication           *app;            /* held while a call waits for an answer */
  GDBusConnection        *connection;
  HaulManager1Skeleton   *manager1;
  GBinding               *bindings[4];
  guint                   object_manager_id;
  guint                   transfers_id;
  GHashTable             *changed;        /* HaulTransfer → guint32 mask of properties */
  GPtrArray              *changed_order;  /* the same transfers, by their first change */
  guint                   changed_source;
};

guint     _haul_bus_register_transfers (HaulBus          *self,
                                        GError          **error);
GVariant *_haul_bus_transfer_object    (HaulTransfer     *transfer);
void      _haul_bus_transfer_changed   (HaulBus          *self,
                                        HaulTransfer     *transfer,
                                        GParamSpec       *pspec);
void      _haul_bus_transfer_forget    (HaulBus          *self,
                                        HaulTransfer     *transfer);
void      _haul_bus_flush_changes      (HaulBus          *self);
GVariant *_haul_bus_snapshot           (HaulBus             *self,
                                        const char * const  *names,
                                        GError             **error);

G_END_DECLS
