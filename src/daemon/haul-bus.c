/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-bus"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-bus-private.h"
#include "haul-check.h"
#include "haul-dbus-error.h"
#include "haul-object-manager-info.h"

/* The manager on the bus: io.github.haul.Manager1 (a generated skeleton, its properties
 * bound to the manager's) and org.freedesktop.DBus.ObjectManager on
 * /io/github/haul/Daemon; the transfers' objects are in haul-bus-transfers.c. Calls are
 * handed to the manager and its transfers, their errors turned into the interface's; the
 * service is held while an answer is on its way. */

/* Manager1's skeleton, with its calls and the properties a client may set. */
#define HAUL_TYPE_BUS_MANAGER (haul_bus_manager_get_type ())
G_DECLARE_FINAL_TYPE (HaulBusManager, haul_bus_manager, HAUL, BUS_MANAGER, HaulManager1Skeleton)

struct _HaulBusManager
{
  HaulManager1Skeleton  parent_instance;

  HaulBus              *bus;   /* not a reference: the bus owns the skeleton */
};

static void haul_bus_manager_iface_init (HaulManager1Iface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HaulBusManager, haul_bus_manager, HAUL_TYPE_MANAGER1_SKELETON,
                               G_IMPLEMENT_INTERFACE (HAUL_TYPE_MANAGER1,
                                                      haul_bus_manager_iface_init))

G_DEFINE_FINAL_TYPE (HaulBus, haul_bus, G_TYPE_OBJECT)

enum {
  QUIT_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- Manager1 ----------------------------------------------------------------------- */

static void
return_error (GDBusMethodInvocation *invocation,
              const GError          *error)
{
  g_autoptr(GError) dbus_error = haul_dbus_error_new_from_error (error);

  g_dbus_method_invocation_return_gerror (invocation, dbus_error);
}

typedef struct
{
  HaulBus               *self;
  GDBusMethodInvocation *invocation;
} AddCall;

static void
add_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  AddCall *call = user_data;
  g_autoptr(HaulTransfer) transfer = NULL;
  g_autoptr(GError) error = NULL;

  transfer = haul_manager_add_finish (HAUL_MANAGER (object), result, &error);
  if (transfer != NULL)
    {
      g_autofree char *path = haul_transfer_object_path (haul_transfer_get_id (transfer));

      /* The answer comes after InterfacesAdded, which went out with the new transfer. */
      haul_manager1_complete_add (HAUL_MANAGER1 (call->self->manager1), call->invocation, path);
    }
  else
    return_error (call->invocation, error);
  g_application_release (call->self->app);
  g_object_unref (call->self);
  g_free (call);
}

static gboolean
handle_add (HaulManager1          *iface,
            GDBusMethodInvocation *invocation,
            const char            *uri,
            GVariant              *options)
{
  HaulBus *self = HAUL_BUS_MANAGER (iface)->bus;
  AddCall *call = g_new0 (AddCall, 1);

  g_debug ("Handling Add");
  call->self = g_object_ref (self);
  /* Answering uses up the reference the handler was given. */
  call->invocation = invocation;
  g_application_hold (self->app);
  haul_manager_add_async (self->manager, uri, options, NULL, add_cb, call);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_pause_all (HaulManager1          *iface,
                  GDBusMethodInvocation *invocation)
{
  g_debug ("Handling PauseAll");
  haul_manager_pause_all (HAUL_BUS_MANAGER (iface)->bus->manager);
  haul_manager1_complete_pause_all (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_resume_all (HaulManager1          *iface,
                   GDBusMethodInvocation *invocation)
{
  g_debug ("Handling ResumeAll");
  haul_manager_resume_all (HAUL_BUS_MANAGER (iface)->bus->manager);
  haul_manager1_complete_resume_all (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_snapshot (HaulManager1          *iface,
                 GDBusMethodInvocation *invocation,
                 const char * const    *names)
{
  g_autoptr(GError) error = NULL;
  GVariant *columns;

  g_debug ("Handling Snapshot");
  columns = _haul_bus_snapshot (HAUL_BUS_MANAGER (iface)->bus, names, &error);
  if (columns == NULL)
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    haul_manager1_complete_snapshot (iface, invocation, columns);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_quit (HaulManager1          *iface,
             GDBusMethodInvocation *invocation)
{
  g_debug ("Handling Quit");
  haul_manager1_complete_quit (iface, invocation);
  g_signal_emit (HAUL_BUS_MANAGER (iface)->bus, signals[QUIT_REQUESTED], 0);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
haul_bus_manager_iface_init (HaulManager1Iface *iface)
{
  iface->handle_add = handle_add;
  iface->handle_pause_all = handle_pause_all;
  iface->handle_resume_all = handle_resume_all;
  iface->handle_snapshot = handle_snapshot;
  iface->handle_quit = handle_quit;
}

/* The properties a client may set are the manager's settings: it checks the range, and
 * the new value comes back to the skeleton through its binding. */
static GDBusInterfaceVTable manager_vtable;

static gboolean
handle_set_property (GDBusConnection  *connection,
                     const char       *sender,
                     const char       *object_path,
                     const char       *interface_name,
                     const char       *property_name,
                     GVariant         *value,
                     GError          **error,
                     gpointer          user_data)
{
  HaulManager *manager = HAUL_BUS_MANAGER (user_data)->bus->manager;
  g_autoptr(GError) local = NULL;
  gboolean ok = FALSE;

  if (g_str_equal (property_name, "MaxConcurrent") &&
      g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    ok = haul_manager_set_max_concurrent (manager, g_variant_get_uint32 (value), &local);
  else if (g_str_equal (property_name, "SpeedLimit") &&
           g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    ok = haul_manager_set_speed_limit (manager, g_variant_get_uint64 (value), &local);
  else
    {
      g_autofree char *text = g_variant_print (value, FALSE);

      g_set_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_ARGUMENT,
                   _("%s cannot be %s"), property_name, text);
      return FALSE;
    }
  if (!ok)
    g_propagate_error (error, haul_dbus_error_new_from_error (local));
  return ok;
}

static GDBusInterfaceVTable *
haul_bus_manager_get_vtable (GDBusInterfaceSkeleton *skeleton)
{
  return &manager_vtable;
}

static void
haul_bus_manager_class_init (HaulBusManagerClass *klass)
{
  GDBusInterfaceSkeletonClass *skeleton_class = G_DBUS_INTERFACE_SKELETON_CLASS (klass);

  manager_vtable = *skeleton_class->get_vtable (NULL);
  manager_vtable.set_property = handle_set_property;
  skeleton_class->get_vtable = haul_bus_manager_get_vtable;
}

static void
haul_bus_manager_init (HaulBusManager *self)
{
}

/* ---- the object manager ------------------------------------------------------------- */

static void
object_manager_method_call (GDBusConnection       *connection,
                            const char            *sender,
                            const char            *object_path,
                            const char            *interface_name,
                            const char            *method_name,
                            GVariant              *parameters,
                            GDBusMethodInvocation *invocation,
                            gpointer               user_data)
{
  HaulBus *self = user_data;
  GPtrArray *transfers = haul_manager_get_transfers (self->manager);
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{oa{sa{sv}}}"));

  g_debug ("Handling %s", method_name);
  for (guint i = 0; i < transfers->len; i++)
    {
      HaulTransfer *transfer = g_ptr_array_index (transfers, i);
      g_autofree char *path = haul_transfer_object_path (haul_transfer_get_id (transfer));

      g_variant_builder_add (&builder, "{o@a{sa{sv}}}", path, _haul_bus_transfer_object (transfer));
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a{oa{sa{sv}}})", &builder));
}

static const GDBusInterfaceVTable object_manager_vtable = {
  object_manager_method_call,
  NULL,
  NULL,
  { NULL },
};

/* ---- what the manager tells ----------------------------------------------------------- */

static void
on_transfer_added_cb (HaulManager  *manager,
                      HaulTransfer *transfer,
                      HaulBus      *self)
{
  g_autofree char *path = haul_transfer_object_path (haul_transfer_get_id (transfer));

  g_dbus_connection_emit_signal (self->connection, NULL, HAUL_DAEMON_PATH,
                                 "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
                                 g_variant_new ("(o@a{sa{sv}})", path,
                                                _haul_bus_transfer_object (transfer)),
                                 NULL);
}

static void
on_transfer_removed_cb (HaulManager  *manager,
                        HaulTransfer *transfer,
                        HaulBus      *self)
{
  g_autofree char *path = haul_transfer_object_path (haul_transfer_get_id (transfer));
  const char *interfaces[] = { "io.github.haul.Transfer1", NULL };

  _haul_bus_transfer_forget (self, transfer);
  g_dbus_connection_emit_signal (self->connection, NULL, HAUL_DAEMON_PATH,
                                 "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved",
                                 g_variant_new ("(o^as)", path, interfaces), NULL);
}

static void
on_transfer_changed_cb (HaulManager  *manager,
                        HaulTransfer *transfer,
                        GParamSpec   *pspec,
                        HaulBus      *self)
{
  _haul_bus_transfer_changed (self, transfer, pspec);
}

/* One message for all transfers whose figures changed. */
static void
on_progress_cb (HaulManager *manager,
                GPtrArray   *changed,
                HaulBus     *self)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(uttt)"));

  for (guint i = 0; i < changed->len; i++)
    {
      HaulTransfer *transfer = g_ptr_array_index (changed, i);

      g_variant_builder_add (&builder, "(uttt)", haul_transfer_get_id (transfer),
                             haul_transfer_get_bytes_received (transfer),
                             haul_transfer_get_bytes_total (transfer),
                             haul_transfer_get_rate (transfer));
    }
  haul_manager1_emit_progress (HAUL_MANAGER1 (self->manager1), g_variant_builder_end (&builder));
}

/* ---- object ------------------------------------------------------------------------- */

/**
 * haul_bus_export:
 * @self: the bus
 * @connection: the session bus
 * @error: return location for a #GError
 *
 * Puts the manager and its transfers on the bus. Call it once the manager loaded its
 * transfers, before the name is owned: the first client then sees them all.
 *
 * Returns: %TRUE if everything is exported
 */
gboolean
haul_bus_export (HaulBus          *self,
                 GDBusConnection  *connection,
                 GError          **error)
{
  g_return_val_if_fail (HAUL_IS_BUS (self), FALSE);
  g_return_val_if_fail (self->connection == NULL, FALSE);

  self->connection = g_object_ref (connection);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->manager1), connection,
                                         HAUL_DAEMON_PATH, error))
    return FALSE;
  self->object_manager_id =
    g_dbus_connection_register_object (connection, HAUL_DAEMON_PATH,
                                       (GDBusInterfaceInfo *) &org_freedesktop_dbus_object_manager_interface,
                                       &object_manager_vtable, self, NULL, error);
  if (self->object_manager_id == 0)
    return FALSE;
  self->transfers_id = _haul_bus_register_transfers (self, error);
  if (self->transfers_id == 0)
    return FALSE;

  g_signal_connect (self->manager, "transfer-added", G_CALLBACK (on_transfer_added_cb), self);
  g_signal_connect (self->manager, "transfer-removed", G_CALLBACK (on_transfer_removed_cb), self);
  g_signal_connect (self->manager, "transfer-changed", G_CALLBACK (on_transfer_changed_cb), self);
  g_signal_connect (self->manager, "progress", G_CALLBACK (on_progress_cb), self);
  return TRUE;
}

/**
 * haul_bus_unexport:
 * @self: the bus
 *
 * Takes everything off the bus again; changes not sent yet are dropped.
 */
void
haul_bus_unexport (HaulBus *self)
{
  g_return_if_fail (HAUL_IS_BUS (self));

  g_signal_handlers_disconnect_by_data (self->manager, self);
  g_hash_table_remove_all (self->changed);
  g_ptr_array_set_size (self->changed_order, 0);
  g_clear_handle_id (&self->changed_source, g_source_remove);
  if (self->connection == NULL)
    return;
  if (self->transfers_id != 0)
    g_dbus_connection_unregister_subtree (self->connection, self->transfers_id);
  if (self->object_manager_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->object_manager_id);
  self->transfers_id = self->object_manager_id = 0;
  g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->manager1));
  g_clear_object (&self->connection);
}

static void
haul_bus_dispose (GObject *object)
{
  HaulBus *self = HAUL_BUS (object);

  if (self->manager != NULL)
    haul_bus_unexport (self);
  for (guint i = 0; i < G_N_ELEMENTS (self->bindings); i++)
    g_clear_pointer (&self->bindings[i], g_binding_unbind);
  g_clear_object (&self->manager1);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->changed, g_hash_table_unref);
  g_clear_pointer (&self->changed_order, g_ptr_array_unref);

  G_OBJECT_CLASS (haul_bus_parent_class)->dispose (object);
}

static void
haul_bus_class_init (HaulBusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haul_bus_dispose;

  /**
   * HaulBus::quit-requested:
   *
   * A client called Manager1.Quit: the service is to stop once everything is saved.
   */
  signals[QUIT_REQUESTED] = g_signal_new ("quit-requested", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
}

static void
haul_bus_init (HaulBus *self)
{
  self->changed = g_hash_table_new (NULL, NULL);
  self->changed_order = g_ptr_array_new ();
}

/**
 * haul_bus_new:
 * @manager: the manager to put on the bus
 * @app: the service, held while a call waits for its answer
 *
 * Returns: (transfer full): the bus, not exported yet
 */
HaulBus *
haul_bus_new (HaulManager  *manager,
              GApplication *app)
{
  static const char * const bound[] = {
    "max-concurrent", "speed-limit", "active-count", "download-rate"
  };
  HaulBus *self;
  HaulBusManager *manager1;

  g_return_val_if_fail (HAUL_IS_MANAGER (manager), NULL);
  g_return_val_if_fail (G_IS_APPLICATION (app), NULL);

  self = g_object_new (HAUL_TYPE_BUS, NULL);
  self->manager = g_object_ref (manager);
  self->app = app;
  manager1 = g_object_new (HAUL_TYPE_BUS_MANAGER, NULL);
  manager1->bus = self;
  self->manager1 = HAUL_MANAGER1_SKELETON (manager1);
  haul_manager1_set_version (HAUL_MANAGER1 (manager1), PACKAGE_VERSION);
  for (guint i = 0; i < G_N_ELEMENTS (self->bindings); i++)
    self->bindings[i] = g_object_bind_property (manager, bound[i], manager1, bound[i],
                                                G_BINDING_SYNC_CREATE);
  return self;
}
