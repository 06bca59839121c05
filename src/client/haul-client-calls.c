/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-client"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "haul-check.h"
#include "haul-client-calls.h"
#include "haul-dbus-error.h"

#define TRANSFER1 "io.github.haul.Transfer1"
#define MANAGER1  "io.github.haul.Manager1"

/* One method call of the service, its reply handed to @task; the service is started if
 * it is not running (a window's call must not fail because the service left when idle). */
static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, reply, (GDestroyNotify) g_variant_unref);
}

static void
call (HaulClient          *self,
      const char          *path,
      const char          *interface_name,
      const char          *method,
      GVariant            *parameters,
      const GVariantType  *reply_type,
      GCancellable        *cancellable,
      GAsyncReadyCallback  callback,
      gpointer             user_data,
      gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  /* Touched before any reply can carry one of the service's errors. */
  (void) HAUL_DBUS_ERROR;
  g_dbus_connection_call (haul_client_get_connection (self), HAUL_DAEMON_BUS_NAME, path,
                          interface_name, method, parameters, reply_type,
                          G_DBUS_CALL_FLAGS_NONE, -1, cancellable, call_cb, task);
}

static gboolean
finish_boolean (HaulClient    *self,
                GAsyncResult  *result,
                GError       **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  reply = g_task_propagate_pointer (G_TASK (result), error);
  return reply != NULL;
}

/**
 * haul_client_act_async:
 * @self: a client
 * @transfer: one of its transfers
 * @action: what to ask
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the service's answer
 * @user_data: for @callback
 *
 * Asks the service to do @action to @transfer. The item changes when the service says
 * it did, through the signals the client follows, not when the call returns.
 */
void
haul_client_act_async (HaulClient          *self,
                       HaulClientTransfer  *transfer,
                       HaulClientAction     action,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  const char *method = NULL;
  GVariant *parameters = NULL;

  g_return_if_fail (HAUL_IS_CLIENT (self));
  g_return_if_fail (HAUL_IS_CLIENT_TRANSFER (transfer));

  switch (action)
    {
    case HAUL_CLIENT_ACTION_PAUSE:
      method = "Pause";
      break;
    case HAUL_CLIENT_ACTION_RESUME:
      method = "Resume";
      break;
    case HAUL_CLIENT_ACTION_CANCEL:
      method = "Cancel";
      break;
    case HAUL_CLIENT_ACTION_REMOVE:
    case HAUL_CLIENT_ACTION_REMOVE_WITH_FILE:
      method = "Remove";
      parameters = g_variant_new ("(b)", action == HAUL_CLIENT_ACTION_REMOVE_WITH_FILE);
      break;
    case HAUL_CLIENT_ACTION_START_NOW:
      method = "SetDiscretionary";
      parameters = g_variant_new ("(b)", FALSE);
      break;
    default:
      g_return_if_reached ();
    }
  call (self, haul_client_transfer_get_object_path (transfer), TRANSFER1, method, parameters,
        G_VARIANT_TYPE_UNIT, cancellable, callback, user_data, haul_client_act_async);
}

gboolean
haul_client_act_finish (HaulClient    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return finish_boolean (self, result, error);
}

/**
 * haul_client_set_uri_async:
 * @self: a client
 * @transfer: one of its transfers
 * @uri: a fresh link to the same file
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the service's answer
 * @user_data: for @callback
 *
 * Gives @transfer a fresh link (SetUri). @uri should pass haul_check_uri() first, so
 * that a person hears what is wrong with it before anything is sent.
 */
void
haul_client_set_uri_async (HaulClient          *self,
                           HaulClientTransfer  *transfer,
                           const char          *uri,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (HAUL_IS_CLIENT (self));
  g_return_if_fail (HAUL_IS_CLIENT_TRANSFER (transfer));
  g_return_if_fail (uri != NULL);

  call (self, haul_client_transfer_get_object_path (transfer), TRANSFER1, "SetUri",
        g_variant_new ("(s)", uri), G_VARIANT_TYPE_UNIT, cancellable, callback, user_data,
        haul_client_set_uri_async);
}

gboolean
haul_client_set_uri_finish (HaulClient    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish_boolean (self, result, error);
}

/**
 * haul_client_add_async:
 * @self: a client
 * @uri: the URL
 * @options: (nullable): the options of Manager1.Add, an a{sv}
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the service's answer
 * @user_data: for @callback
 *
 * Adds a transfer. The service is started if it is not running.
 */
void
haul_client_add_async (HaulClient          *self,
                       const char          *uri,
                       GVariant            *options,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GVariant) owned = NULL;

  g_return_if_fail (HAUL_IS_CLIENT (self));
  g_return_if_fail (uri != NULL);

  owned = options != NULL ? g_variant_ref_sink (options)
                          : g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
  call (self, HAUL_DAEMON_PATH, MANAGER1, "Add", g_variant_new ("(s@a{sv})", uri, owned),
        G_VARIANT_TYPE ("(o)"), cancellable, callback, user_data, haul_client_add_async);
}

/**
 * haul_client_add_finish:
 * @self: a client
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: the new transfer's ID, 0 with @error set if the service refused it
 */
guint
haul_client_add_finish (HaulClient    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_autoptr(GVariant) reply = NULL;
  const char *path;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  reply = g_task_propagate_pointer (G_TASK (result), error);
  if (reply == NULL)
    return 0;
  g_variant_get (reply, "(&o)", &path);
  return haul_transfer_id_from_object_path (path);
}

/**
 * haul_client_pause_all_async:
 * @self: a client
 * @pause: %TRUE for PauseAll, %FALSE for ResumeAll
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the service's answer
 * @user_data: for @callback
 */
void
haul_client_pause_all_async (HaulClient          *self,
                             gboolean             pause,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (HAUL_IS_CLIENT (self));

  call (self, HAUL_DAEMON_PATH, MANAGER1, pause ? "PauseAll" : "ResumeAll", NULL,
        G_VARIANT_TYPE_UNIT, cancellable, callback, user_data, haul_client_pause_all_async);
}

gboolean
haul_client_pause_all_finish (HaulClient    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return finish_boolean (self, result, error);
}

/**
 * haul_client_get_version_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the service's answer
 * @user_data: for @callback
 *
 * Asks the service for its version. The service is started if it is not running, so
 * that the answer also says whether it can be.
 */
void
haul_client_get_version_async (HaulClient          *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (HAUL_IS_CLIENT (self));

  call (self, HAUL_DAEMON_PATH, "org.freedesktop.DBus.Properties", "Get",
        g_variant_new ("(ss)", MANAGER1, "Version"), G_VARIANT_TYPE ("(v)"), cancellable,
        callback, user_data, haul_client_get_version_async);
}

/**
 * haul_client_get_version_finish:
 * @self: a client
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the service's version, or %NULL with @error set
 */
char *
haul_client_get_version_finish (HaulClient    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  reply = g_task_propagate_pointer (G_TASK (result), error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(v)", &value);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The service answered with a version that is not text"));
      return NULL;
    }
  return g_variant_dup_string (value, NULL);
}
