/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-client-transfer.h"

G_BEGIN_DECLS

#define HAUL_TYPE_CLIENT (haul_client_get_type ())

G_DECLARE_FINAL_TYPE (HaulClient, haul_client, HAUL, CLIENT, GObject)

/**
 * HaulClientFlags:
 * @HAUL_CLIENT_FLAGS_NONE: follow the service while it runs; never start it
 * @HAUL_CLIENT_FLAGS_ACTIVATE: start the service for the first reading if it is not running
 * @HAUL_CLIENT_FLAGS_REACTIVATE: start it again whenever it goes away (a window; a client
 *   waiting for transfers to finish)
 * @HAUL_CLIENT_FLAGS_CALLS_ONLY: only make calls (add, version): the transfers are never
 *   read nor followed, and the model stays empty (a browser's native-messaging host,
 *   started for one download, does not read a list of thousands)
 */
typedef enum
{
  HAUL_CLIENT_FLAGS_NONE       = 0,
  HAUL_CLIENT_FLAGS_ACTIVATE   = 1 << 0,
  HAUL_CLIENT_FLAGS_REACTIVATE = 1 << 1,
  HAUL_CLIENT_FLAGS_CALLS_ONLY = 1 << 2,
} HaulClientFlags;

void                haul_client_new_async          (GDBusConnection     *connection,
                                                    HaulClientFlags      flags,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
HaulClient         *haul_client_new_finish         (GAsyncResult        *result,
                                                    GError             **error);
GDBusConnection    *haul_client_get_connection     (HaulClient          *self);
gboolean            haul_client_get_connected      (HaulClient          *self);
const GError       *haul_client_get_service_error  (HaulClient          *self);
GListModel         *haul_client_get_transfers      (HaulClient          *self);
HaulClientTransfer *haul_client_lookup             (HaulClient          *self,
                                                    guint                id);
guint64             haul_client_get_download_rate  (HaulClient          *self);
guint               haul_client_get_active_count   (HaulClient          *self);
void                haul_client_refresh            (HaulClient          *self);
void                haul_client_read_transfer_async  (HaulClient          *self,
                                                      HaulClientTransfer  *transfer,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean            haul_client_read_transfer_finish (HaulClient          *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
