/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haul-client.h"

G_BEGIN_DECLS

/* What a client asks of the service. Every call is asynchronous; a refusal comes back in
 * the HAUL_DBUS_ERROR domain with the service's sentence as its message (no D-Bus error
 * name in it), ready to be shown. */

/**
 * HaulClientAction:
 * @HAUL_CLIENT_ACTION_PAUSE: Pause
 * @HAUL_CLIENT_ACTION_RESUME: Resume (also the retry of a failed transfer)
 * @HAUL_CLIENT_ACTION_CANCEL: Cancel
 * @HAUL_CLIENT_ACTION_REMOVE: Remove, keeping a completed file
 * @HAUL_CLIENT_ACTION_REMOVE_WITH_FILE: Remove, deleting the file too
 * @HAUL_CLIENT_ACTION_START_NOW: stop waiting for a good moment (SetDiscretionary false)
 */
typedef enum
{
  HAUL_CLIENT_ACTION_PAUSE,
  HAUL_CLIENT_ACTION_RESUME,
  HAUL_CLIENT_ACTION_CANCEL,
  HAUL_CLIENT_ACTION_REMOVE,
  HAUL_CLIENT_ACTION_REMOVE_WITH_FILE,
  HAUL_CLIENT_ACTION_START_NOW,
} HaulClientAction;

void      haul_client_act_async        (HaulClient          *self,
                                        HaulClientTransfer  *transfer,
                                        HaulClientAction     action,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  haul_client_act_finish       (HaulClient          *self,
                                        GAsyncResult        *result,
                                        GError             **error);
void      haul_client_set_uri_async    (HaulClient          *self,
                                        HaulClientTransfer  *transfer,
                                        const char          *uri,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  haul_client_set_uri_finish   (HaulClient          *self,
                                        GAsyncResult        *result,
                                        GError             **error);
void      haul_client_add_async        (HaulClient          *self,
                                        const char          *uri,
                                        GVariant            *options,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
guint     haul_client_add_finish       (HaulClient          *self,
                                        GAsyncResult        *result,
                                        GError             **error);
void      haul_client_pause_all_async  (HaulClient          *self,
                                        gboolean             pause,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  haul_client_pause_all_finish (HaulClient          *self,
                                        GAsyncResult        *result,
                                        GError             **error);

void      haul_client_get_version_async  (HaulClient          *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
char     *haul_client_get_version_finish (HaulClient          *self,
                                          GAsyncResult        *result,
                                          GError             **error);

G_END_DECLS
