/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-bus"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haul-bus-private.h"
#include "haul-check.h"
#include "haul-dbus-error.h"

/* The transfers on the bus: /io/github/haul/Daemon/transfer/ID, each implementing
 * io.github.haul.Transfer1. One subtree answers for all of them, reading the manager's
 * transfers, rather than one exported object per transfer: with tens of thousands on
 * record, an object each (and a copy of every property in it) costs more than the
 * transfers themselves. A call on an ID that is not (or no longer) there gets the
 * interface's own error, io.github.haul.Error.NoSuchTransfer. Changes are sent as
 * PropertiesChanged once per main loop iteration, as a generated skeleton would. */

typedef const char *(*StringValue) (HaulTransfer *transfer);
typedef guint64     (*NumberValue) (HaulTransfer *transfer);

static const char *
string_state (HaulTransfer *t)
{
  return haul_transfer_state_to_string (haul_transfer_get_state (t));
}

static const char *
string_wait_reason (HaulTransfer *t)
{
  return haul_wait_reason_to_string (haul_transfer_get_wait_reason (t));
}

static const char *
string_error_kind (HaulTransfer *t)
{
  return haul_error_kind_to_string (haul_transfer_get_error_kind (t));
}

static guint64
number_id (HaulTransfer *t)
{
  return haul_transfer_get_id (t);
}

static guint64
number_retry_at (HaulTransfer *t)
{
  return (guint64) haul_transfer_get_retry_at (t);
}

static guint64
number_resumable (HaulTransfer *t)
{
  return haul_transfer_get_resumable (t);
}

static guint64
number_discretionary (HaulTransfer *t)
{
  return haul_transfer_get_discretionary (t);
}

static guint64
number_segments (HaulTransfer *t)
{
  return haul_transfer_get_segments (t);
}

static guint64
number_created_at (HaulTransfer *t)
{
  return (guint64) haul_transfer_get_created_at (t);
}

static guint64
number_finished_at (HaulTransfer *t)
{
  return (guint64) haul_transfer_get_finished_at (t);
}

/* Transfer1's properties in the order of the interface file, with their type and the
 * HaulTransfer property each comes from. The figures travel in Manager1.Progress, never
 * in PropertiesChanged (the interface says so). */
static const struct
{
  const char  *name;
  const char  *property;
  char         type;
  StringValue  string;
  NumberValue  number;
  gboolean     emits_changed;
} properties[] = {
  { "Id", "id", 'u', NULL, number_id, TRUE },
  { "Uri", "uri", 's', haul_transfer_get_uri, NULL, TRUE },
  { "EffectiveUri", "effective-uri", 's', haul_transfer_get_effective_uri, NULL, TRUE },
  { "Directory", "directory", 's', haul_transfer_get_directory, NULL, TRUE },
  { "FileName", "file-name", 's', haul_transfer_get_file_name, NULL, TRUE },
  { "State", "state", 's', string_state, NULL, TRUE },
  { "StateReason", "state-reason", 's', haul_transfer_get_state_reason, NULL, TRUE },
  { "Error", "error", 's', haul_transfer_get_error_message, NULL, TRUE },
  { "WaitReason", "wait-reason", 's', string_wait_reason, NULL, TRUE },
  { "RetryAt", "retry-at", 'x', NULL, number_retry_at, TRUE },
  { "ErrorKind", "error-kind", 's', string_error_kind, NULL, TRUE },
  { "BytesReceived", "bytes-received", 't', NULL, haul_transfer_get_bytes_received, FALSE },
  { "BytesTotal", "bytes-total", 't', NULL, haul_transfer_get_bytes_total, FALSE },
  { "Rate", "rate", 't', NULL, haul_transfer_get_rate, FALSE },
  { "Resumable", "resumable", 'b', NULL, number_resumable, TRUE },
  { "Discretionary", "discretionary", 'b', NULL, number_discretionary, TRUE },
  { "Segments", "segments", 'u', NULL, number_segments, TRUE },
  { "Sha256", "sha256", 's', haul_transfer_get_sha256, NULL, TRUE },
  { "CreatedAt", "created-at", 'x', NULL, number_created_at, TRUE },
  { "FinishedAt", "finished-at", 'x', NULL, number_finished_at, TRUE },
};

G_STATIC_ASSERT (G_N_ELEMENTS (properties) <= 32);

/* The value of property @p of @transfer. */
static GVariant *
value (guint         p,
       HaulTransfer *transfer)
{
  switch (properties[p].type)
    {
    case 's':
      return g_variant_new_string (properties[p].string (transfer));
    case 'u':
      return g_variant_new_uint32 ((guint32) properties[p].number (transfer));
    case 't':
      return g_variant_new_uint64 (properties[p].number (transfer));
    case 'x':
      return g_variant_new_int64 ((gint64) properties[p].number (transfer));
    case 'b':
    default:
      return g_variant_new_boolean (properties[p].number (transfer) != 0);
    }
}

/* Property @p of every transfer of @transfers, as one array: numbers in one block. */
static GVariant *
column (guint      p,
        GPtrArray *transfers)
{
  const GVariantType *types[] = {
    G_VARIANT_TYPE_UINT32, G_VARIANT_TYPE_UINT64, G_VARIANT_TYPE_INT64, G_VARIANT_TYPE_BOOLEAN
  };
  const char codes[] = "utxb";
  const gsize sizes[] = { sizeof (guint32), sizeof (guint64), sizeof (gint64), sizeof (guchar) };
  guint n = transfers->len;
  const char *code;
  GVariant *strv;
  guint k;

  if (properties[p].type == 's')
    {
      g_autofree const char **strings = g_new (const char *, n + 1);

      for (guint i = 0; i < n; i++)
        strings[i] = properties[p].string (g_ptr_array_index (transfers, i));
      strings[n] = NULL;
      /* Serialised at once: the tree of one small value per string goes before the next
       * column is built, not after the reply is sent. */
      strv = g_variant_new_strv (strings, n);
      g_variant_get_data (strv);
      return strv;
    }

  code = strchr (codes, properties[p].type);
  g_assert (code != NULL);
  k = (guint) (code - codes);
  {
    g_autofree guint8 *data = g_malloc0 (MAX (n, 1) * sizes[k]);

    for (guint i = 0; i < n; i++)
      {
        guint64 number = properties[p].number (g_ptr_array_index (transfers, i));
        guint32 u32 = (guint32) number;
        guchar b = number != 0;

        switch (properties[p].type)
          {
          case 'u':
            memcpy (data + i * sizes[k], &u32, sizeof u32);
            break;
          case 'b':
            memcpy (data + i * sizes[k], &b, sizeof b);
            break;
          default:
            memcpy (data + i * sizes[k], &number, sizeof number);
            break;
          }
      }
    return g_variant_new_fixed_array (types[k], data, n, sizes[k]);
  }
}

/**
 * _haul_bus_snapshot:
 * @self: the bus
 * @names: Transfer1 property names, none for all of them
 * @error: return location for a #GError
 *
 * Returns: (transfer floating) (nullable): the a{sv} of Manager1.Snapshot: for each
 *   property asked for, and for Id, an array of its values in the order of the IDs
 */
GVariant *
_haul_bus_snapshot (HaulBus             *self,
                    const char * const  *names,
                    GError             **error)
{
  GPtrArray *transfers = haul_manager_get_transfers (self->manager);
  guint32 wanted = 1;   /* Id */
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  for (guint i = 0; names[i] != NULL; i++)
    {
      guint p;

      for (p = 0; p < G_N_ELEMENTS (properties); p++)
        if (g_str_equal (names[i], properties[p].name))
          break;
      if (p == G_N_ELEMENTS (properties))
        {
          g_set_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_ARGUMENT,
                       _("Transfers have no property “%s”"), names[i]);
          return NULL;
        }
      wanted |= 1u << p;
    }
  if (names[0] == NULL)
    wanted = G_MAXUINT32;

  for (guint p = 0; p < G_N_ELEMENTS (properties); p++)
    {
      if (wanted & (1u << p))
        g_variant_builder_add (&builder, "{sv}", properties[p].name, column (p, transfers));
    }
  return g_variant_builder_end (&builder);
}

/**
 * _haul_bus_transfer_object:
 * @transfer: a transfer
 *
 * Returns: (transfer floating): the a{sa{sv}} of its object, as GetManagedObjects and
 *   InterfacesAdded give it. Serialised at once: built value by value, each transfer's
 *   is a tree of some seventy small values, and with thousands of transfers those trees
 *   took over 100 MiB until the reply was sent; serialised, each is one block.
 */
GVariant *
_haul_bus_transfer_object (HaulTransfer *transfer)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{sa{sv}}"));
  GVariant *object;

  g_variant_builder_open (&builder, G_VARIANT_TYPE ("{sa{sv}}"));
  g_variant_builder_add (&builder, "s", "io.github.haul.Transfer1");
  g_variant_builder_open (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    g_variant_builder_add (&builder, "{sv}", properties[i].name, value (i, transfer));
  g_variant_builder_close (&builder);
  g_variant_builder_close (&builder);
  object = g_variant_builder_end (&builder);
  g_variant_get_data (object);
  return object;
}

/* ---- PropertiesChanged -------------------------------------------------------------- */

static void
emit_changes (HaulBus      *self,
              HaulTransfer *transfer,
              guint32       mask)
{
  g_autofree char *path = haul_transfer_object_path (haul_transfer_get_id (transfer));
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  for (guint p = 0; p < G_N_ELEMENTS (properties); p++)
    {
      if (mask & (1u << p))
        g_variant_builder_add (&builder, "{sv}", properties[p].name, value (p, transfer));
    }
  g_dbus_connection_emit_signal (self->connection, NULL, path,
                                 "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                 g_variant_new ("(sa{sv}as)", "io.github.haul.Transfer1",
                                                &builder, NULL),
                                 NULL);
}

/**
 * _haul_bus_flush_changes:
 * @self: the bus
 *
 * Sends the PropertiesChanged of every transfer that changed since the last time, with
 * the values they have now: first those not running, then those running, each group in
 * the order of their first change — a transfer that finished is told before the one
 * that took its slot.
 */
void
_haul_bus_flush_changes (HaulBus *self)
{
  g_autoptr(GHashTable) changed = g_steal_pointer (&self->changed);
  g_autoptr(GPtrArray) transfers = g_steal_pointer (&self->changed_order);

  self->changed = g_hash_table_new (NULL, NULL);
  self->changed_order = g_ptr_array_new ();
  g_clear_handle_id (&self->changed_source, g_source_remove);
  if (self->connection == NULL)
    return;

  /* Those that left a slot (or never held one) first, then those running now: a client
   * counting running transfers as the signals come never sees more than MaxConcurrent,
   * even when the one that took a slot had changed earlier in the batch. */
  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < transfers->len; i++)
        {
          HaulTransfer *transfer = g_ptr_array_index (transfers, i);
          gboolean running = haul_transfer_get_state (transfer) == HAUL_TRANSFER_STATE_RUNNING;

          if (running == (pass == 1))
            emit_changes (self, transfer, GPOINTER_TO_UINT (g_hash_table_lookup (changed, transfer)));
        }
    }
}

static gboolean
flush_cb (gpointer user_data)
{
  HaulBus *self = user_data;

  self->changed_source = 0;
  _haul_bus_flush_changes (self);
  return G_SOURCE_REMOVE;
}

/**
 * _haul_bus_transfer_changed:
 * @self: the bus
 * @transfer: a transfer
 * @pspec: the property of @transfer that changed
 *
 * Notes the change, to be sent with the others of this iteration.
 */
void
_haul_bus_transfer_changed (HaulBus      *self,
                            HaulTransfer *transfer,
                            GParamSpec   *pspec)
{
  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    {
      guint32 mask;

      if (!properties[i].emits_changed || !g_str_equal (pspec->name, properties[i].property))
        continue;
      mask = GPOINTER_TO_UINT (g_hash_table_lookup (self->changed, transfer));
      if (mask == 0)
        g_ptr_array_add (self->changed_order, transfer);
      g_hash_table_insert (self->changed, transfer, GUINT_TO_POINTER (mask | (1u << i)));
      if (self->changed_source == 0)
        self->changed_source = g_idle_add (flush_cb, self);
      return;
    }
}

void
_haul_bus_transfer_forget (HaulBus      *self,
                           HaulTransfer *transfer)
{
  if (g_hash_table_remove (self->changed, transfer))
    g_ptr_array_remove (self->changed_order, transfer);
}

/* ---- the calls ---------------------------------------------------------------------- */

static void
return_error (GDBusMethodInvocation *invocation,
              const GError          *error)
{
  g_autoptr(GError) dbus_error = haul_dbus_error_new_from_error (error);

  g_dbus_method_invocation_return_gerror (invocation, dbus_error);
}

/* The transfer at @object_path, or %NULL with the error a client gets for it. */
static HaulTransfer *
lookup (HaulBus     *self,
        const char  *object_path,
        GError     **error)
{
  guint id = haul_transfer_id_from_object_path (object_path);
  HaulTransfer *transfer = id != 0 ? haul_manager_lookup (self->manager, id) : NULL;

  if (transfer == NULL)
    {
      const char *slash = strrchr (object_path, '/');

      g_set_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_NO_SUCH_TRANSFER,
                   _("There is no transfer %s"), slash != NULL ? slash + 1 : object_path);
    }
  return transfer;
}

typedef struct
{
  HaulBus               *self;
  GDBusMethodInvocation *invocation;
} RemoveCall;

static void
remove_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  RemoveCall *call = user_data;
  g_autoptr(GError) error = NULL;

  if (haul_transfer_remove_finish (HAUL_TRANSFER (object), result, &error))
    g_dbus_method_invocation_return_value (call->invocation, NULL);
  else
    return_error (call->invocation, error);
  g_application_release (call->self->app);
  g_object_unref (call->invocation);
  g_object_unref (call->self);
  g_free (call);
}

static void
transfer_method_call (GDBusConnection       *connection,
                      const char            *sender,
                      const char            *object_path,
                      const char            *interface_name,
                      const char            *method_name,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data)
{
  HaulBus *self = user_data;
  g_autoptr(GError) error = NULL;
  HaulTransfer *transfer;
  gboolean ok;

  g_debug ("Handling %s on %s", method_name, object_path);
  transfer = lookup (self, object_path, &error);
  if (transfer == NULL)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }

  if (g_str_equal (method_name, "Remove"))
    {
      RemoveCall *call = g_new0 (RemoveCall, 1);
      gboolean delete_file;

      g_variant_get (parameters, "(b)", &delete_file);
      call->self = g_object_ref (self);
      call->invocation = g_object_ref (invocation);
      /* The service stays until the answer is out. */
      g_application_hold (self->app);
      haul_transfer_remove_async (transfer, delete_file, NULL, remove_cb, call);
      return;
    }

  if (g_str_equal (method_name, "Pause"))
    ok = haul_transfer_pause (transfer, &error);
  else if (g_str_equal (method_name, "Resume"))
    ok = haul_transfer_resume (transfer, &error);
  else if (g_str_equal (method_name, "Cancel"))
    ok = haul_transfer_cancel (transfer, &error);
  else if (g_str_equal (method_name, "SetUri"))
    {
      const char *uri;

      g_variant_get (parameters, "(&s)", &uri);
      ok = haul_transfer_set_uri (transfer, uri, &error);
    }
  else if (g_str_equal (method_name, "SetDiscretionary"))
    {
      gboolean discretionary;

      g_variant_get (parameters, "(b)", &discretionary);
      ok = haul_transfer_set_discretionary (transfer, discretionary, &error);
    }
  else
    {
      /* GDBus checked the name against the interface: this is a new method. */
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                             G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "No such method “%s”", method_name);
      return;
    }

  if (ok)
    g_dbus_method_invocation_return_value (invocation, NULL);
  else
    return_error (invocation, error);
}

static GVariant *
transfer_get_property (GDBusConnection  *connection,
                       const char       *sender,
                       const char       *object_path,
                       const char       *interface_name,
                       const char       *property_name,
                       GError          **error,
                       gpointer          user_data)
{
  HaulBus *self = user_data;
  HaulTransfer *transfer = lookup (self, object_path, error);

  if (transfer == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    {
      if (g_str_equal (property_name, properties[i].name))
        return value (i, transfer);
    }
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No such property “%s”",
               property_name);
  return NULL;
}

static const GDBusInterfaceVTable transfer_vtable = {
  transfer_method_call,
  transfer_get_property,
  NULL,
  { NULL },
};

/* ---- the subtree -------------------------------------------------------------------- */

/* The nodes under /io/github/haul/Daemon/transfer, for introspection. */
static char **
transfers_enumerate (GDBusConnection *connection,
                     const char      *sender,
                     const char      *object_path,
                     gpointer         user_data)
{
  HaulBus *self = user_data;
  GPtrArray *transfers = haul_manager_get_transfers (self->manager);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < transfers->len; i++)
    {
      g_autofree char *node = g_strdup_printf ("%u", haul_transfer_get_id (g_ptr_array_index (transfers, i)));
      g_strv_builder_add (builder, node);
    }
  return g_strv_builder_end (builder);
}

/* Every node has Transfer1, also one that is not there: GDBus checks a call's arguments
 * against it, and the call then hears NoSuchTransfer. */
static GDBusInterfaceInfo **
transfers_introspect (GDBusConnection *connection,
                      const char      *sender,
                      const char      *object_path,
                      const char      *node,
                      gpointer         user_data)
{
  GDBusInterfaceInfo **infos;

  if (node == NULL)
    return NULL;
  infos = g_new0 (GDBusInterfaceInfo *, 2);
  infos[0] = g_dbus_interface_info_ref (haul_transfer1_interface_info ());
  return infos;
}

static const GDBusInterfaceVTable *
transfers_dispatch (GDBusConnection *connection,
                    const char      *sender,
                    const char      *object_path,
                    const char      *interface_name,
                    const char      *node,
                    gpointer        *out_user_data,
                    gpointer         user_data)
{
  if (g_strcmp0 (interface_name, "io.github.haul.Transfer1") != 0)
    return NULL;
  *out_user_data = user_data;
  return &transfer_vtable;
}

static const GDBusSubtreeVTable subtree_vtable = {
  transfers_enumerate,
  transfers_introspect,
  transfers_dispatch,
  { NULL },
};

/**
 * _haul_bus_register_transfers:
 * @self: the bus, with its connection
 * @error: return location for a #GError
 *
 * Returns: the registration ID, for g_dbus_connection_unregister_subtree(), or 0
 */
guint
_haul_bus_register_transfers (HaulBus  *self,
                              GError  **error)
{
  return g_dbus_connection_register_subtree (self->connection, HAUL_DAEMON_TRANSFER_PATH,
                                             &subtree_vtable,
                                             G_DBUS_SUBTREE_FLAGS_DISPATCH_TO_UNENUMERATED_NODES,
                                             self, NULL, error);
}
