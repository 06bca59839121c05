/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-client"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "haul-check.h"
#include "haul-client.h"
#include "haul-client-list.h"
#include "haul-client-private.h"
#include "haul-dbus-error.h"

/* A client's view of the service: the transfers as a GListModel of HaulClientTransfer, in
 * the service's order (by ID), kept current from the signals the service sends, and read
 * again in full when the service (re)appears, when asked (a window shown again), and for
 * a running transfer whose figures have been silent for 2 s — a client must never trust
 * the Progress stream alone.
 *
 * It talks to the bus directly: one Manager1.Snapshot for the whole list (an array per
 * property, far lighter to read than GetManagedObjects' a{sv} per transfer) and a handful
 * of signal subscriptions, rather than a proxy per transfer (there may be tens of
 * thousands).
 * Every call is asynchronous and cancelled with the client. */

#define TRANSFER1         "io.github.haul.Transfer1"
#define MANAGER1          "io.github.haul.Manager1"

struct _HaulClient
{
  GObject          parent_instance;

  GDBusConnection *connection;
  HaulClientFlags  flags;
  GCancellable    *cancellable;
  GTask           *init_task;     /* until the first reading is done */
  HaulClientList  *list;
  guint            watch_id;
  guint            subscriptions[5];
  guint            generation;    /* of the latest full reading asked for */
  gboolean         connected;
  gboolean         seen_name;     /* the name watch has answered once */
  GError          *service_error;
  guint64          download_rate;
  guint            active_count;
};

static void haul_client_async_initable_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HaulClient, haul_client, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      haul_client_async_initable_init))

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_FLAGS,
  PROP_CONNECTED,
  PROP_DOWNLOAD_RATE,
  PROP_ACTIVE_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  PROGRESS,
  TRANSFER_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void reload (HaulClient *self);

/* ---- reading everything ------------------------------------------------------------- */

typedef struct
{
  HaulClient *self;
  guint       generation;
} Reading;

static void
set_connected (HaulClient *self,
               gboolean    connected)
{
  if (self->connected == connected)
    return;
  self->connected = connected;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static void
finish_init (HaulClient *self,
             GError     *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->init_task);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
take_manager (HaulClient *self,
              GVariant   *props)
{
  guint64 rate;
  guint active;

  if (g_variant_lookup (props, "DownloadRate", "t", &rate) && rate != self->download_rate)
    {
      self->download_rate = rate;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOWNLOAD_RATE]);
    }
  if (g_variant_lookup (props, "ActiveCount", "u", &active) && active != self->active_count)
    {
      self->active_count = active;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_COUNT]);
    }
}

/* The whole list, read anew: the model becomes what the service has, with as few changes
 * as that takes. A first reading of many transfers goes in with one splice. */
static void
snapshot_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Reading *reading = user_data;
  HaulClient *self = reading->self;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) columns = NULL;
  g_autoptr(HaulClientColumns) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;
  if (reading->generation != self->generation)
    goto out;   /* a newer reading is on its way */
  if (reply != NULL)
    {
      g_variant_get (reply, "(@a{sv})", &columns);
      snapshot = _haul_client_columns_new (columns, &error);
    }
  if (snapshot == NULL)
    {
      g_debug ("Reading the transfers failed: %s", error->message);
      /* The service went away while we asked; its name watch says so too. */
      if (self->init_task != NULL && (self->flags & HAUL_CLIENT_FLAGS_ACTIVATE))
        finish_init (self, g_steal_pointer (&error));
      else
        finish_init (self, NULL);
      goto out;
    }

  _haul_client_list_merge (self->list, snapshot);
  set_connected (self, TRUE);
  finish_init (self, NULL);

out:
  g_object_unref (reading->self);
  g_free (reading);
}

static void
manager_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HaulClient) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) props = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, NULL);
  if (reply == NULL)
    return;
  g_variant_get (reply, "(@a{sv})", &props);
  take_manager (self, props);
}

static void
reload (HaulClient *self)
{
  const char * const all[] = { NULL };
  Reading *reading;

  if (self->flags & HAUL_CLIENT_FLAGS_CALLS_ONLY)
    {
      /* The service is there: that is all such a client needs to know. */
      set_connected (self, TRUE);
      finish_init (self, NULL);
      return;
    }

  reading = g_new0 (Reading, 1);
  reading->self = g_object_ref (self);
  reading->generation = ++self->generation;
  g_dbus_connection_call (self->connection, HAUL_DAEMON_BUS_NAME, HAUL_DAEMON_PATH,
                          MANAGER1, "Snapshot", g_variant_new ("(^as)", all),
                          G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          -1, self->cancellable, snapshot_cb, reading);
  g_dbus_connection_call (self->connection, HAUL_DAEMON_BUS_NAME, HAUL_DAEMON_PATH,
                          "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", MANAGER1), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, self->cancellable, manager_cb,
                          g_object_ref (self));
}

/* ---- one transfer read again -------------------------------------------------------- */

static void
transfer_read_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HaulClientTransfer *item = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) props = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_variant_get (reply, "(@a{sv})", &props);
  _haul_client_transfer_update (item, props);
  g_task_return_boolean (task, TRUE);
}

/**
 * haul_client_read_transfer_async:
 * @self: a client
 * @transfer: one of its transfers
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once @transfer holds what the service says now
 * @user_data: for @callback
 *
 * Reads all of @transfer's properties again: for its last figures, which the Progress
 * signal may still be bringing when its state says it is finished.
 */
void
haul_client_read_transfer_async (HaulClient          *self,
                                 HaulClientTransfer  *transfer,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (HAUL_IS_CLIENT (self));
  g_return_if_fail (HAUL_IS_CLIENT_TRANSFER (transfer));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haul_client_read_transfer_async);
  g_task_set_task_data (task, g_object_ref (transfer), g_object_unref);
  g_dbus_connection_call (self->connection, HAUL_DAEMON_BUS_NAME,
                          haul_client_transfer_get_object_path (transfer),
                          "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", TRANSFER1), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                          cancellable != NULL ? cancellable : self->cancellable,
                          transfer_read_cb, task);
}

gboolean
haul_client_read_transfer_finish (HaulClient    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
read_transfer (HaulClient         *self,
               HaulClientTransfer *item)
{
  haul_client_read_transfer_async (self, item, NULL, NULL, NULL);
}

static void
on_changed (HaulClientTransfer *item,
            GParamSpec         *pspec,
            gpointer            user_data)
{
  g_signal_emit (user_data, signals[TRANSFER_CHANGED], g_param_spec_get_name_quark (pspec),
                 item, pspec);
}

/* A running transfer that has not been heard of for 2 s is read again: its figures may
 * have been lost. While the service is away, there is nobody to ask. */
static void
on_silent (HaulClientTransfer *item,
           gpointer            user_data)
{
  HaulClient *self = user_data;

  if (!self->connected)
    return;
  g_debug ("Transfer %u was silent: reading it again", haul_client_transfer_get_id (item));
  read_transfer (self, item);
}

/* ---- signals of the service --------------------------------------------------------- */

static void
on_interfaces_added_cb (GDBusConnection *connection,
                        const char      *sender,
                        const char      *object_path,
                        const char      *interface_name,
                        const char      *signal_name,
                        GVariant        *parameters,
                        gpointer         user_data)
{
  HaulClient *self = user_data;
  g_autoptr(GVariant) interfaces = NULL;
  g_autoptr(GVariant) props = NULL;
  const char *path;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(oa{sa{sv}})")))
    return;
  g_variant_get (parameters, "(&o@a{sa{sv}})", &path, &interfaces);
  props = g_variant_lookup_value (interfaces, TRANSFER1, G_VARIANT_TYPE_VARDICT);
  if (props != NULL)
    _haul_client_list_take (self->list, path, props);
}

static void
on_interfaces_removed_cb (GDBusConnection *connection,
                          const char      *sender,
                          const char      *object_path,
                          const char      *interface_name,
                          const char      *signal_name,
                          GVariant        *parameters,
                          gpointer         user_data)
{
  HaulClient *self = user_data;
  g_autofree const char **names = NULL;
  const char *path;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(oas)")))
    return;
  g_variant_get (parameters, "(&o^a&s)", &path, &names);
  if (g_strv_contains (names, TRANSFER1))
    _haul_client_list_drop (self->list, haul_transfer_id_from_object_path (path));
}

static void
on_properties_changed_cb (GDBusConnection *connection,
                          const char      *sender,
                          const char      *object_path,
                          const char      *interface_name,
                          const char      *signal_name,
                          GVariant        *parameters,
                          gpointer         user_data)
{
  HaulClient *self = user_data;
  g_autoptr(GVariant) changed = NULL;
  g_autofree const char **invalidated = NULL;
  const char *iface;
  HaulClientTransfer *item;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  g_variant_get (parameters, "(&s@a{sv}^a&s)", &iface, &changed, &invalidated);
  if (g_str_equal (iface, MANAGER1) && g_str_equal (object_path, HAUL_DAEMON_PATH))
    {
      take_manager (self, changed);
      return;
    }
  item = _haul_client_list_lookup (self->list, haul_transfer_id_from_object_path (object_path));
  if (item == NULL || !g_str_equal (iface, TRANSFER1))
    return;
  _haul_client_transfer_update (item, changed);
  if (invalidated != NULL && invalidated[0] != NULL)
    read_transfer (self, item);
}

static void
on_progress_cb (GDBusConnection *connection,
                const char      *sender,
                const char      *object_path,
                const char      *interface_name,
                const char      *signal_name,
                GVariant        *parameters,
                gpointer         user_data)
{
  HaulClient *self = user_data;
  g_autoptr(GVariantIter) iter = NULL;
  guint id;
  guint64 received, total, rate;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(a(uttt))")))
    return;
  g_variant_get (parameters, "(a(uttt))", &iter);
  while (g_variant_iter_next (iter, "(uttt)", &id, &received, &total, &rate))
    {
      HaulClientTransfer *item = _haul_client_list_lookup (self->list, id);

      if (item == NULL)
        continue;
      _haul_client_transfer_set_figures (item, received, total, rate);
      g_signal_emit (self, signals[PROGRESS], 0, item);
    }
}

/* ---- the service's name ------------------------------------------------------------- */

static void
start_service_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(HaulClient) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply != NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* the name watch follows the new owner */
  g_dbus_error_strip_remote_error (error);
  g_debug ("The service could not be started: %s", error->message);
  g_clear_error (&self->service_error);
  self->service_error = g_error_copy (error);
  finish_init (self, g_steal_pointer (&error));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static void
start_service (HaulClient *self)
{
  g_dbus_connection_call (self->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "StartServiceByName",
                          g_variant_new ("(su)", HAUL_DAEMON_BUS_NAME, 0),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                          self->cancellable, start_service_cb, g_object_ref (self));
}

static void
on_name_appeared_cb (GDBusConnection *connection,
                     const char      *name,
                     const char      *owner,
                     gpointer         user_data)
{
  HaulClient *self = user_data;

  self->seen_name = TRUE;
  g_clear_error (&self->service_error);
  reload (self);
}

static void
on_name_vanished_cb (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  HaulClient *self = user_data;
  gboolean first = !self->seen_name;

  self->seen_name = TRUE;
  /* A reading on its way will not come. */
  self->generation++;
  set_connected (self, FALSE);
  if ((first && (self->flags & (HAUL_CLIENT_FLAGS_ACTIVATE | HAUL_CLIENT_FLAGS_REACTIVATE))) ||
      (!first && (self->flags & HAUL_CLIENT_FLAGS_REACTIVATE)))
    start_service (self);
  else
    finish_init (self, NULL);
}

/* ---- object ------------------------------------------------------------------------- */

static guint
subscribe (HaulClient          *self,
           const char          *interface_name,
           const char          *member,
           const char          *path,
           const char          *arg0,
           GDBusSignalCallback  callback)
{
  return g_dbus_connection_signal_subscribe (self->connection, HAUL_DAEMON_BUS_NAME,
                                             interface_name, member, path, arg0,
                                             G_DBUS_SIGNAL_FLAGS_NONE, callback, self, NULL);
}

static void
haul_client_init_async (GAsyncInitable      *initable,
                        int                  io_priority,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  HaulClient *self = HAUL_CLIENT (initable);

  /* Touched before any reply can carry one of the service's errors. */
  (void) HAUL_DBUS_ERROR;

  self->init_task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->init_task, haul_client_init_async);

  /* Subscribed before the first reading: nothing that happens meanwhile is missed. A
   * client that only calls follows nothing but the service's name. */
  if (!(self->flags & HAUL_CLIENT_FLAGS_CALLS_ONLY))
    {
      self->subscriptions[0] = subscribe (self, "org.freedesktop.DBus.ObjectManager",
                                          "InterfacesAdded", HAUL_DAEMON_PATH, NULL,
                                          on_interfaces_added_cb);
      self->subscriptions[1] = subscribe (self, "org.freedesktop.DBus.ObjectManager",
                                          "InterfacesRemoved", HAUL_DAEMON_PATH, NULL,
                                          on_interfaces_removed_cb);
      self->subscriptions[2] = subscribe (self, "org.freedesktop.DBus.Properties",
                                          "PropertiesChanged", NULL, TRANSFER1,
                                          on_properties_changed_cb);
      self->subscriptions[3] = subscribe (self, "org.freedesktop.DBus.Properties",
                                          "PropertiesChanged", HAUL_DAEMON_PATH, MANAGER1,
                                          on_properties_changed_cb);
      self->subscriptions[4] = subscribe (self, MANAGER1, "Progress", HAUL_DAEMON_PATH, NULL,
                                          on_progress_cb);
    }
  self->watch_id = g_bus_watch_name_on_connection (self->connection, HAUL_DAEMON_BUS_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   on_name_appeared_cb, on_name_vanished_cb,
                                                   self, NULL);
}

static gboolean
haul_client_init_finish (GAsyncInitable  *initable,
                         GAsyncResult    *result,
                         GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
haul_client_async_initable_init (GAsyncInitableIface *iface)
{
  iface->init_async = haul_client_init_async;
  iface->init_finish = haul_client_init_finish;
}

static void
haul_client_dispose (GObject *object)
{
  HaulClient *self = HAUL_CLIENT (object);

  g_cancellable_cancel (self->cancellable);
  if (self->watch_id != 0)
    g_bus_unwatch_name (self->watch_id);
  self->watch_id = 0;
  for (guint i = 0; i < G_N_ELEMENTS (self->subscriptions); i++)
    {
      if (self->subscriptions[i] != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->subscriptions[i]);
      self->subscriptions[i] = 0;
    }
  g_clear_pointer (&self->list, _haul_client_list_free);
  g_clear_object (&self->connection);
  g_clear_object (&self->init_task);

  G_OBJECT_CLASS (haul_client_parent_class)->dispose (object);
}

static void
haul_client_finalize (GObject *object)
{
  HaulClient *self = HAUL_CLIENT (object);

  g_clear_object (&self->cancellable);
  g_clear_error (&self->service_error);

  G_OBJECT_CLASS (haul_client_parent_class)->finalize (object);
}

static void
haul_client_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HaulClient *self = HAUL_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_FLAGS:
      g_value_set_uint (value, self->flags);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;
    case PROP_DOWNLOAD_RATE:
      g_value_set_uint64 (value, self->download_rate);
      break;
    case PROP_ACTIVE_COUNT:
      g_value_set_uint (value, self->active_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_client_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HaulClient *self = HAUL_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_FLAGS:
      self->flags = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_client_class_init (HaulClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haul_client_dispose;
  object_class->finalize = haul_client_finalize;
  object_class->get_property = haul_client_get_property;
  object_class->set_property = haul_client_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FLAGS] =
    g_param_spec_uint ("flags", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DOWNLOAD_RATE] =
    g_param_spec_uint64 ("download-rate", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ACTIVE_COUNT] =
    g_param_spec_uint ("active-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * HaulClient::progress:
   * @self: the client
   * @transfer: the #HaulClientTransfer whose figures came
   *
   * Emitted for each transfer in a Progress signal of the service, after its figures
   * were taken (they notify only if they changed).
   */
  signals[PROGRESS] = g_signal_new ("progress",
                                    G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, HAUL_TYPE_CLIENT_TRANSFER);

  /**
   * HaulClient::transfer-changed:
   * @self: the client
   * @transfer: the #HaulClientTransfer
   * @pspec: the property that changed
   *
   * A property of one of the transfers changed, detailed by the property's name as
   * ::notify is: one connection for every item, for a filter or a sorter that must look
   * again at an item when the property it uses changes.
   */
  signals[TRANSFER_CHANGED] = g_signal_new ("transfer-changed",
                                            G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                                            0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 2, HAUL_TYPE_CLIENT_TRANSFER,
                                            G_TYPE_PARAM);
}

static void
haul_client_init (HaulClient *self)
{
  self->cancellable = g_cancellable_new ();
  self->list = _haul_client_list_new (on_silent, on_changed, self);
}

/**
 * haul_client_new_async:
 * @connection: the session bus
 * @flags: whether to start the service
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the first reading is done, or the service is known absent
 * @user_data: for @callback
 *
 * Makes a client that follows the service on @connection.
 */
void
haul_client_new_async (GDBusConnection     *connection,
                       HaulClientFlags      flags,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (G_IS_DBUS_CONNECTION (connection));

  g_async_initable_new_async (HAUL_TYPE_CLIENT, G_PRIORITY_DEFAULT, cancellable, callback,
                              user_data, "connection", connection, "flags", (guint) flags, NULL);
}

/**
 * haul_client_new_finish:
 * @result: the result
 * @error: return location for a #GError: the service could not be started (when the
 *   flags asked for it)
 *
 * Returns: (transfer full) (nullable): the client, connected or (without
 *   %HAUL_CLIENT_FLAGS_ACTIVATE and no service running) not
 */
HaulClient *
haul_client_new_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_autoptr(GObject) source = g_async_result_get_source_object (result);
  GObject *object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error);

  return object != NULL ? HAUL_CLIENT (object) : NULL;
}

GDBusConnection *
haul_client_get_connection (HaulClient *self)
{
  g_return_val_if_fail (HAUL_IS_CLIENT (self), NULL);
  return self->connection;
}

/**
 * haul_client_get_connected:
 * @self: a client
 *
 * Returns: %TRUE while the service runs and its transfers have been read (with
 *   %HAUL_CLIENT_FLAGS_CALLS_ONLY: while the service runs)
 */
gboolean
haul_client_get_connected (HaulClient *self)
{
  g_return_val_if_fail (HAUL_IS_CLIENT (self), FALSE);
  return self->connected;
}

/**
 * haul_client_get_service_error:
 * @self: a client
 *
 * Returns: (nullable): why the service could not be started, the last time it was asked
 */
const GError *
haul_client_get_service_error (HaulClient *self)
{
  g_return_val_if_fail (HAUL_IS_CLIENT (self), NULL);
  return self->service_error;
}

/**
 * haul_client_get_transfers:
 * @self: a client
 *
 * Returns: (transfer none): a #GListModel of #HaulClientTransfer, by ID
 */
GListModel *
haul_client_get_transfers (HaulClient *self)
{
  g_return_val_if_fail (HAUL_IS_CLIENT (self), NULL);
  return _haul_client_list_get_model (self->list);
}

/**
 * haul_client_lookup:
 * @self: a client
 * @id: a transfer's ID
 *
 * Returns: (transfer none) (nullable): the transfer, if the service has it
 */
HaulClientTransfer *
haul_client_lookup (HaulClient *self,
                    guint       id)
{
  g_return_val_if_fail (HAUL_IS_CLIENT (self), NULL);
  return self->list != NULL ? _haul_client_list_lookup (self->list, id) : NULL;
}

guint64
haul_client_get_download_rate (HaulClient *self)
{
  g_return_val_if_fail (HAUL_IS_CLIENT (self), 0);
  return self->download_rate;
}

guint
haul_client_get_active_count (HaulClient *self)
{
  g_return_val_if_fail (HAUL_IS_CLIENT (self), 0);
  return self->active_count;
}

/**
 * haul_client_refresh:
 * @self: a client
 *
 * Reads everything again, now: for a window shown again, whose figures may be old.
 */
void
haul_client_refresh (HaulClient *self)
{
  g_return_if_fail (HAUL_IS_CLIENT (self));
  if (self->connected)
    reload (self);
}
