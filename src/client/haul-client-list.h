/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-client-private.h"

G_BEGIN_DECLS

/* The client's list of transfers: the GListModel in the service's order (by ID), the
 * index by ID, and the running items that must not stay silent. No bus in here: the
 * client feeds it what the service says. */
typedef struct _HaulClientList HaulClientList;

/* Called for a running transfer not heard of for 2 s. */
typedef void (*HaulClientSilentFunc) (HaulClientTransfer *transfer,
                                      gpointer            user_data);

/* Called for every property change of an item. */
typedef void (*HaulClientChangedFunc) (HaulClientTransfer *transfer,
                                       GParamSpec         *pspec,
                                       gpointer            user_data);

HaulClientList     *_haul_client_list_new        (HaulClientSilentFunc  silent,
                                                  HaulClientChangedFunc changed,
                                                  gpointer              user_data);
void                _haul_client_list_free       (HaulClientList       *self);
GListModel         *_haul_client_list_get_model  (HaulClientList       *self);
HaulClientTransfer *_haul_client_list_lookup     (HaulClientList       *self,
                                                  guint                 id);
void                _haul_client_list_take       (HaulClientList       *self,
                                                  const char           *object_path,
                                                  GVariant             *props);
void                _haul_client_list_drop       (HaulClientList       *self,
                                                  guint                 id);
void                _haul_client_list_merge      (HaulClientList       *self,
                                                  HaulClientColumns    *snapshot);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulClientList, _haul_client_list_free)

G_END_DECLS
