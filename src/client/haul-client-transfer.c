/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-client-transfer"

#include "config.h"

#include <string.h>

#include "haul-check.h"
#include "haul-client-private.h"
#include "haul-format.h"

/* One transfer of the service as a client sees it: its properties as GObject properties,
 * which notify only when their value really changes, so that a view bound to them does
 * no work for a Progress signal that changed nothing it shows. */
struct _HaulClientTransfer
{
  GObject            parent_instance;

  char              *object_path;
  guint              id;
  char              *uri;
  char              *effective_uri;
  char              *directory;
  char              *file_name;
  HaulTransferState  state;
  char              *state_reason;
  HaulWaitReason     wait_reason;
  gint64             retry_at;
  char              *error;
  HaulErrorKind      error_kind;
  guint64            bytes_received;
  guint64            bytes_total;
  guint64            rate;
  gboolean           resumable;
  gboolean           discretionary;
  guint              segments;
  char              *sha256;
  gint64             created_at;
  gint64             finished_at;

  gint64             last_news;       /* monotonic time of the last figures or state */
};

G_DEFINE_FINAL_TYPE (HaulClientTransfer, haul_client_transfer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_URI,
  PROP_EFFECTIVE_URI,
  PROP_DIRECTORY,
  PROP_FILE_NAME,
  PROP_STATE,
  PROP_STATE_REASON,
  PROP_WAIT_REASON,
  PROP_RETRY_AT,
  PROP_ERROR,
  PROP_ERROR_KIND,
  PROP_BYTES_RECEIVED,
  PROP_BYTES_TOTAL,
  PROP_RATE,
  PROP_RESUMABLE,
  PROP_DISCRETIONARY,
  PROP_SEGMENTS,
  PROP_SHA256,
  PROP_CREATED_AT,
  PROP_FINISHED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* How a D-Bus property lands in a field: the same table reads GetAll, GetManagedObjects
 * and PropertiesChanged. */
typedef enum
{
  FIELD_STRING,
  FIELD_UINT,
  FIELD_UINT64,
  FIELD_INT64,
  FIELD_BOOLEAN,
  FIELD_STATE,
  FIELD_WAIT_REASON,
  FIELD_ERROR_KIND,
} FieldKind;

static const struct
{
  const char *name;
  const char *type;
  FieldKind   kind;
  guint       prop;
  gsize       offset;
} fields[] = {
  { "Id", "u", FIELD_UINT, PROP_ID, G_STRUCT_OFFSET (HaulClientTransfer, id) },
  { "Uri", "s", FIELD_STRING, PROP_URI, G_STRUCT_OFFSET (HaulClientTransfer, uri) },
  { "EffectiveUri", "s", FIELD_STRING, PROP_EFFECTIVE_URI, G_STRUCT_OFFSET (HaulClientTransfer, effective_uri) },
  { "Directory", "s", FIELD_STRING, PROP_DIRECTORY, G_STRUCT_OFFSET (HaulClientTransfer, directory) },
  { "FileName", "s", FIELD_STRING, PROP_FILE_NAME, G_STRUCT_OFFSET (HaulClientTransfer, file_name) },
  { "State", "s", FIELD_STATE, PROP_STATE, G_STRUCT_OFFSET (HaulClientTransfer, state) },
  { "StateReason", "s", FIELD_STRING, PROP_STATE_REASON, G_STRUCT_OFFSET (HaulClientTransfer, state_reason) },
  { "WaitReason", "s", FIELD_WAIT_REASON, PROP_WAIT_REASON, G_STRUCT_OFFSET (HaulClientTransfer, wait_reason) },
  { "RetryAt", "x", FIELD_INT64, PROP_RETRY_AT, G_STRUCT_OFFSET (HaulClientTransfer, retry_at) },
  { "Error", "s", FIELD_STRING, PROP_ERROR, G_STRUCT_OFFSET (HaulClientTransfer, error) },
  { "ErrorKind", "s", FIELD_ERROR_KIND, PROP_ERROR_KIND, G_STRUCT_OFFSET (HaulClientTransfer, error_kind) },
  { "BytesReceived", "t", FIELD_UINT64, PROP_BYTES_RECEIVED, G_STRUCT_OFFSET (HaulClientTransfer, bytes_received) },
  { "BytesTotal", "t", FIELD_UINT64, PROP_BYTES_TOTAL, G_STRUCT_OFFSET (HaulClientTransfer, bytes_total) },
  { "Rate", "t", FIELD_UINT64, PROP_RATE, G_STRUCT_OFFSET (HaulClientTransfer, rate) },
  { "Resumable", "b", FIELD_BOOLEAN, PROP_RESUMABLE, G_STRUCT_OFFSET (HaulClientTransfer, resumable) },
  { "Discretionary", "b", FIELD_BOOLEAN, PROP_DISCRETIONARY, G_STRUCT_OFFSET (HaulClientTransfer, discretionary) },
  { "Segments", "u", FIELD_UINT, PROP_SEGMENTS, G_STRUCT_OFFSET (HaulClientTransfer, segments) },
  { "Sha256", "s", FIELD_STRING, PROP_SHA256, G_STRUCT_OFFSET (HaulClientTransfer, sha256) },
  { "CreatedAt", "x", FIELD_INT64, PROP_CREATED_AT, G_STRUCT_OFFSET (HaulClientTransfer, created_at) },
  { "FinishedAt", "x", FIELD_INT64, PROP_FINISHED_AT, G_STRUCT_OFFSET (HaulClientTransfer, finished_at) },
};

/* Stores a value in the field of @i: @text for those of a string on the bus, @number for
 * the others. TRUE if that changed it. */
static gboolean
store_raw (HaulClientTransfer *self,
           guint               i,
           const char         *text,
           guint64             number)
{
  gpointer field = G_STRUCT_MEMBER_P (self, fields[i].offset);

  switch (fields[i].kind)
    {
    case FIELD_STRING:
      if (g_strcmp0 (*(char **) field, text) == 0)
        return FALSE;
      g_free (*(char **) field);
      *(char **) field = g_strdup (text);
      return TRUE;
    case FIELD_UINT:
      if (*(guint *) field == (guint) number)
        return FALSE;
      *(guint *) field = (guint) number;
      return TRUE;
    case FIELD_UINT64:
      if (*(guint64 *) field == number)
        return FALSE;
      *(guint64 *) field = number;
      return TRUE;
    case FIELD_INT64:
      if (*(gint64 *) field == (gint64) number)
        return FALSE;
      *(gint64 *) field = (gint64) number;
      return TRUE;
    case FIELD_BOOLEAN:
      if (*(gboolean *) field == (number != 0))
        return FALSE;
      *(gboolean *) field = number != 0;
      return TRUE;
    case FIELD_STATE:
      {
        HaulTransferState v;

        /* A name this client does not know is taken as the nearest it does. */
        if (!haul_transfer_state_from_string (text, &v))
          v = HAUL_TRANSFER_STATE_QUEUED;
        if (*(HaulTransferState *) field == v)
          return FALSE;
        *(HaulTransferState *) field = v;
        return TRUE;
      }
    case FIELD_WAIT_REASON:
      {
        HaulWaitReason v;

        if (!haul_wait_reason_from_string (text, &v))
          v = HAUL_WAIT_REASON_NONE;
        if (*(HaulWaitReason *) field == v)
          return FALSE;
        *(HaulWaitReason *) field = v;
        return TRUE;
      }
    case FIELD_ERROR_KIND:
    default:
      {
        HaulErrorKind v;

        if (!haul_error_kind_from_string (text, &v))
          v = HAUL_ERROR_KIND_NONE;
        if (*(HaulErrorKind *) field == v)
          return FALSE;
        *(HaulErrorKind *) field = v;
        return TRUE;
      }
    }
}

/* Stores @value, of the field's type, in the field of @i; TRUE if that changed it. */
static gboolean
store (HaulClientTransfer *self,
       guint               i,
       GVariant           *value)
{
  switch (fields[i].type[0])
    {
    case 's':
      return store_raw (self, i, g_variant_get_string (value, NULL), 0);
    case 'u':
      return store_raw (self, i, NULL, g_variant_get_uint32 (value));
    case 't':
      return store_raw (self, i, NULL, g_variant_get_uint64 (value));
    case 'x':
      return store_raw (self, i, NULL, (guint64) g_variant_get_int64 (value));
    case 'b':
    default:
      return store_raw (self, i, NULL, g_variant_get_boolean (value));
    }
}

/* Applies one property; TRUE if it changed. @notify says whether to tell. */
static gboolean
apply (HaulClientTransfer *self,
       const char         *name,
       GVariant           *value,
       gboolean            notify)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      if (!g_str_equal (name, fields[i].name))
        continue;
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE (fields[i].type)) || !store (self, i, value))
        return FALSE;
      if (notify)
        g_object_notify_by_pspec (G_OBJECT (self), properties[fields[i].prop]);
      return TRUE;
    }
  return FALSE;
}

/**
 * _haul_client_transfer_new:
 * @object_path: the transfer's object on the bus
 * @props: its a{sv} of io.github.haul.Transfer1
 *
 * Returns: (transfer full): an item filled without a single notification
 */
HaulClientTransfer *
_haul_client_transfer_new (const char *object_path,
                           GVariant   *props)
{
  HaulClientTransfer *self = g_object_new (HAUL_TYPE_CLIENT_TRANSFER, NULL);
  GVariantIter iter;
  const char *name;
  GVariant *value;

  self->object_path = g_strdup (object_path);
  g_variant_iter_init (&iter, props);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      apply (self, name, value, FALSE);
      g_variant_unref (value);
    }
  self->last_news = g_get_monotonic_time ();
  return self;
}

/**
 * _haul_client_transfer_update:
 * @self: an item
 * @props: an a{sv} of some or all of io.github.haul.Transfer1's properties
 *
 * Takes the values and notifies those that changed, once each, together.
 *
 * Returns: %TRUE if anything changed
 */
gboolean
_haul_client_transfer_update (HaulClientTransfer *self,
                              GVariant           *props)
{
  GVariantIter iter;
  const char *name;
  GVariant *value;
  gboolean changed = FALSE;

  g_return_val_if_fail (HAUL_IS_CLIENT_TRANSFER (self), FALSE);

  self->last_news = g_get_monotonic_time ();
  g_object_freeze_notify (G_OBJECT (self));
  g_variant_iter_init (&iter, props);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      changed |= apply (self, name, value, TRUE);
      g_variant_unref (value);
    }
  g_object_thaw_notify (G_OBJECT (self));
  return changed;
}

/* ---- Manager1.Snapshot -------------------------------------------------------------- */

/* The reply of Manager1.Snapshot, read once: one array per field, strings and numbers
 * used in place. */
struct _HaulClientColumns
{
  GVariant      *columns;
  guint          n;
  const char   **strings[G_N_ELEMENTS (fields)];
  gconstpointer  numbers[G_N_ELEMENTS (fields)];
};

void
_haul_client_columns_free (HaulClientColumns *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_free (self->strings[i]);
  g_variant_unref (self->columns);
  g_free (self);
}

/**
 * _haul_client_columns_new:
 * @columns: the a{sv} Manager1.Snapshot answered for all properties
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the columns, or %NULL if one is missing, of
 *   another type or of another length than the others
 */
HaulClientColumns *
_haul_client_columns_new (GVariant  *columns,
                          GError   **error)
{
  g_autoptr(HaulClientColumns) self = g_new0 (HaulClientColumns, 1);

  self->columns = g_variant_ref_sink (columns);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *type = g_strconcat ("a", fields[i].type, NULL);
      g_autoptr(GVariant) column = g_variant_lookup_value (columns, fields[i].name,
                                                           G_VARIANT_TYPE (type));
      gsize n;

      if (column == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "The service's snapshot has no array “%s” of “%s”", fields[i].name, type);
          return NULL;
        }
      /* Each column is part of @columns, which the struct keeps. */
      if (fields[i].type[0] == 's')
        self->strings[i] = g_variant_get_strv (column, &n);
      else
        {
          gsize size = fields[i].type[0] == 'u' ? sizeof (guint32)
                     : fields[i].type[0] == 'b' ? sizeof (guchar) : sizeof (guint64);

          self->numbers[i] = g_variant_get_fixed_array (column, &n, size);
        }
      if (i == 0)
        self->n = (guint) n;
      else if (n != self->n)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "The service's snapshot has %" G_GSIZE_FORMAT " “%s” for %u transfers",
                       n, fields[i].name, self->n);
          return NULL;
        }
    }
  return g_steal_pointer (&self);
}

guint
_haul_client_columns_get_n (HaulClientColumns *self)
{
  return self->n;
}

guint
_haul_client_columns_get_id (HaulClientColumns *self,
                             guint              row)
{
  /* Id is the first field. */
  return ((const guint32 *) self->numbers[0])[row];
}

/* Stores field @i of @row; TRUE if that changed it. */
static gboolean
store_column (HaulClientTransfer *self,
              HaulClientColumns  *columns,
              guint               i,
              guint               row)
{
  switch (fields[i].type[0])
    {
    case 's':
      return store_raw (self, i, columns->strings[i][row], 0);
    case 'u':
      return store_raw (self, i, NULL, ((const guint32 *) columns->numbers[i])[row]);
    case 'b':
      return store_raw (self, i, NULL, ((const guchar *) columns->numbers[i])[row]);
    case 't':
    case 'x':
    default:
      {
        guint64 number;

        memcpy (&number, (const guint8 *) columns->numbers[i] + row * sizeof number, sizeof number);
        return store_raw (self, i, NULL, number);
      }
    }
}

/**
 * _haul_client_transfer_new_from_columns:
 * @columns: a snapshot
 * @row: the transfer's place in it
 *
 * Returns: (transfer full): an item filled without a single notification
 */
HaulClientTransfer *
_haul_client_transfer_new_from_columns (HaulClientColumns *columns,
                                        guint              row)
{
  HaulClientTransfer *self = g_object_new (HAUL_TYPE_CLIENT_TRANSFER, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    store_column (self, columns, i, row);
  self->object_path = haul_transfer_object_path (self->id);
  self->last_news = g_get_monotonic_time ();
  return self;
}

/**
 * _haul_client_transfer_update_from_columns:
 * @self: an item
 * @columns: a snapshot
 * @row: the item's place in it
 *
 * Takes the values and notifies those that changed, once each, together.
 *
 * Returns: %TRUE if anything changed
 */
gboolean
_haul_client_transfer_update_from_columns (HaulClientTransfer *self,
                                           HaulClientColumns  *columns,
                                           guint               row)
{
  gboolean changed = FALSE;

  self->last_news = g_get_monotonic_time ();
  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      if (store_column (self, columns, i, row))
        {
          g_object_notify_by_pspec (G_OBJECT (self), properties[fields[i].prop]);
          changed = TRUE;
        }
    }
  g_object_thaw_notify (G_OBJECT (self));
  return changed;
}

/**
 * _haul_client_transfer_set_figures:
 * @self: an item
 * @received: bytes received
 * @total: bytes in all
 * @rate: bytes per second
 *
 * Takes the figures of a Progress signal.
 *
 * Returns: %TRUE if any of them changed
 */
gboolean
_haul_client_transfer_set_figures (HaulClientTransfer *self,
                                   guint64             received,
                                   guint64             total,
                                   guint64             rate)
{
  g_autoptr(GVariant) props = NULL;
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  g_variant_builder_add (&builder, "{sv}", "BytesReceived", g_variant_new_uint64 (received));
  g_variant_builder_add (&builder, "{sv}", "BytesTotal", g_variant_new_uint64 (total));
  g_variant_builder_add (&builder, "{sv}", "Rate", g_variant_new_uint64 (rate));
  props = g_variant_ref_sink (g_variant_builder_end (&builder));
  return _haul_client_transfer_update (self, props);
}

gint64
_haul_client_transfer_get_last_news (HaulClientTransfer *self)
{
  return self->last_news;
}

const char *
haul_client_transfer_get_object_path (HaulClientTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_CLIENT_TRANSFER (self), NULL);
  return self->object_path;
}

#define GETTER(type, name, fallback)                                        \
  type                                                                      \
  haul_client_transfer_get_##name (HaulClientTransfer *self)                \
  {                                                                         \
    g_return_val_if_fail (HAUL_IS_CLIENT_TRANSFER (self), fallback);        \
    return self->name;                                                      \
  }

#define STRING_GETTER(name)                                                 \
  const char *                                                              \
  haul_client_transfer_get_##name (HaulClientTransfer *self)                \
  {                                                                         \
    g_return_val_if_fail (HAUL_IS_CLIENT_TRANSFER (self), NULL);            \
    return self->name != NULL ? self->name : "";                            \
  }

GETTER (guint, id, 0)
STRING_GETTER (uri)
STRING_GETTER (effective_uri)
STRING_GETTER (directory)
STRING_GETTER (file_name)
GETTER (HaulTransferState, state, HAUL_TRANSFER_STATE_QUEUED)
STRING_GETTER (state_reason)
GETTER (HaulWaitReason, wait_reason, HAUL_WAIT_REASON_NONE)
GETTER (gint64, retry_at, 0)
STRING_GETTER (error)
GETTER (HaulErrorKind, error_kind, HAUL_ERROR_KIND_NONE)
GETTER (guint64, bytes_received, 0)
GETTER (guint64, bytes_total, 0)
GETTER (guint64, rate, 0)
GETTER (gboolean, resumable, FALSE)
GETTER (gboolean, discretionary, FALSE)
GETTER (guint, segments, 0)
STRING_GETTER (sha256)
GETTER (gint64, created_at, 0)
GETTER (gint64, finished_at, 0)

/**
 * haul_client_transfer_dup_status_text:
 * @self: an item
 * @now: the time (UNIX seconds)
 *
 * Returns: (transfer full): its status line, as haul_format_status() words it
 */
char *
haul_client_transfer_dup_status_text (HaulClientTransfer *self,
                                      gint64              now)
{
  HaulStatus status = {
    .state = self->state,
    .wait_reason = self->wait_reason,
    .state_reason = self->state_reason,
    .error = self->error,
    .retry_at = self->retry_at,
    .received = self->bytes_received,
    .total = self->bytes_total,
    .rate = self->rate,
  };

  g_return_val_if_fail (HAUL_IS_CLIENT_TRANSFER (self), NULL);
  return haul_format_status (&status, now);
}

static void
haul_client_transfer_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  HaulClientTransfer *self = HAUL_CLIENT_TRANSFER (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_uint (value, self->id); break;
    case PROP_URI: g_value_set_string (value, self->uri); break;
    case PROP_EFFECTIVE_URI: g_value_set_string (value, self->effective_uri); break;
    case PROP_DIRECTORY: g_value_set_string (value, self->directory); break;
    case PROP_FILE_NAME: g_value_set_string (value, self->file_name); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_STATE_REASON: g_value_set_string (value, self->state_reason); break;
    case PROP_WAIT_REASON: g_value_set_enum (value, self->wait_reason); break;
    case PROP_RETRY_AT: g_value_set_int64 (value, self->retry_at); break;
    case PROP_ERROR: g_value_set_string (value, self->error); break;
    case PROP_ERROR_KIND: g_value_set_enum (value, self->error_kind); break;
    case PROP_BYTES_RECEIVED: g_value_set_uint64 (value, self->bytes_received); break;
    case PROP_BYTES_TOTAL: g_value_set_uint64 (value, self->bytes_total); break;
    case PROP_RATE: g_value_set_uint64 (value, self->rate); break;
    case PROP_RESUMABLE: g_value_set_boolean (value, self->resumable); break;
    case PROP_DISCRETIONARY: g_value_set_boolean (value, self->discretionary); break;
    case PROP_SEGMENTS: g_value_set_uint (value, self->segments); break;
    case PROP_SHA256: g_value_set_string (value, self->sha256); break;
    case PROP_CREATED_AT: g_value_set_int64 (value, self->created_at); break;
    case PROP_FINISHED_AT: g_value_set_int64 (value, self->finished_at); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_client_transfer_finalize (GObject *object)
{
  HaulClientTransfer *self = HAUL_CLIENT_TRANSFER (object);

  g_free (self->object_path);
  g_free (self->uri);
  g_free (self->effective_uri);
  g_free (self->directory);
  g_free (self->file_name);
  g_free (self->state_reason);
  g_free (self->error);
  g_free (self->sha256);

  G_OBJECT_CLASS (haul_client_transfer_parent_class)->finalize (object);
}

static void
haul_client_transfer_class_init (HaulClientTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = haul_client_transfer_get_property;
  object_class->finalize = haul_client_transfer_finalize;

  properties[PROP_ID] = g_param_spec_uint ("id", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_URI] = g_param_spec_string ("uri", NULL, NULL, NULL, flags);
  properties[PROP_EFFECTIVE_URI] = g_param_spec_string ("effective-uri", NULL, NULL, NULL, flags);
  properties[PROP_DIRECTORY] = g_param_spec_string ("directory", NULL, NULL, NULL, flags);
  properties[PROP_FILE_NAME] = g_param_spec_string ("file-name", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, HAUL_TYPE_TRANSFER_STATE,
                                              HAUL_TRANSFER_STATE_QUEUED, flags);
  properties[PROP_STATE_REASON] = g_param_spec_string ("state-reason", NULL, NULL, NULL, flags);
  properties[PROP_WAIT_REASON] = g_param_spec_enum ("wait-reason", NULL, NULL, HAUL_TYPE_WAIT_REASON,
                                                    HAUL_WAIT_REASON_NONE, flags);
  properties[PROP_RETRY_AT] = g_param_spec_int64 ("retry-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, flags);
  properties[PROP_ERROR_KIND] = g_param_spec_enum ("error-kind", NULL, NULL, HAUL_TYPE_ERROR_KIND,
                                                   HAUL_ERROR_KIND_NONE, flags);
  properties[PROP_BYTES_RECEIVED] = g_param_spec_uint64 ("bytes-received", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_BYTES_TOTAL] = g_param_spec_uint64 ("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_RATE] = g_param_spec_uint64 ("rate", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_RESUMABLE] = g_param_spec_boolean ("resumable", NULL, NULL, FALSE, flags);
  properties[PROP_DISCRETIONARY] = g_param_spec_boolean ("discretionary", NULL, NULL, FALSE, flags);
  properties[PROP_SEGMENTS] = g_param_spec_uint ("segments", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_SHA256] = g_param_spec_string ("sha256", NULL, NULL, NULL, flags);
  properties[PROP_CREATED_AT] = g_param_spec_int64 ("created-at", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_FINISHED_AT] = g_param_spec_int64 ("finished-at", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
haul_client_transfer_init (HaulClientTransfer *self)
{
}
