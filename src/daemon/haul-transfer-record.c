/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-transfer-record"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-check.h"
#include "haul-error.h"
#include "haul-resume-data.h"
#include "haul-transfer-private.h"

/* Where a transfer comes from: the options of Add, or its record, what the service keeps
 * of it across restarts, one JSON object in $XDG_STATE_HOME/haul/transfers/ID.json.
 * Everything read back is input like any client's: it passes the checks Add applies, or
 * the record is refused (and set aside). */

#define RECORD_VERSION 1
#define MAX_TRIES      1000

/* ---- the options of Add ------------------------------------------------------------ */

typedef gboolean (*OptionCheck) (GVariant  *value,
                                 GError   **error);

static gboolean
check_directory (GVariant  *value,
                 GError   **error)
{
  /* Whether it exists is asked off the main loop, by the manager. */
  return haul_check_directory (g_variant_get_string (value, NULL), error);
}

static gboolean
check_filename (GVariant  *value,
                GError   **error)
{
  gsize length;
  const char *name = g_variant_get_string (value, &length);

  return haul_check_file_name (name, (gssize) length, error);
}

static gboolean
check_sha256 (GVariant  *value,
              GError   **error)
{
  return haul_check_sha256 (g_variant_get_string (value, NULL), error);
}

static gboolean
check_headers (GVariant  *value,
               GError   **error)
{
  GVariantIter iter;
  const char *name, *header_value;

  /* Name and value are checked apart: a “:” in a name is refused, not joined into a
   * header with a second value. */
  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "{&s&s}", &name, &header_value))
    {
      if (!haul_check_header (name, header_value, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_segments (GVariant  *value,
                GError   **error)
{
  return haul_check_segments (g_variant_get_uint32 (value), error);
}

static const struct
{
  const char  *key;
  const char  *type;
  OptionCheck  check;
} add_options[] = {
  { "directory", "s", check_directory },
  { "filename", "s", check_filename },
  { "sha256", "s", check_sha256 },
  { "headers", "a{ss}", check_headers },
  { "discretionary", "b", NULL },
  { "paused", "b", NULL },
  { "segments", "u", check_segments },
  { "speed-limit", "t", NULL },
  { "overwrite", "b", NULL },
};

/**
 * haul_transfer_check_options:
 * @options: the a{sv} options of Manager1.Add
 * @error: return location for a #GError in the HAUL_ERROR domain
 *
 * Refuses an unknown key, a wrong type or a bad value, before anything is created.
 *
 * Returns: %TRUE if haul_transfer_new() takes @options
 */
gboolean
haul_transfer_check_options (GVariant  *options,
                             GError   **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_return_val_if_fail (g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT), FALSE);

  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_autoptr(GVariant) owned = value;
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (add_options); i++)
        {
          if (!g_str_equal (key, add_options[i].key))
            continue;
          known = TRUE;
          if (!g_variant_is_of_type (value, G_VARIANT_TYPE (add_options[i].type)))
            {
              g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
                           _("The option “%s” takes a value of type “%s”, not “%s”"),
                           key, add_options[i].type, g_variant_get_type_string (value));
              return FALSE;
            }
          if (add_options[i].check != NULL && !add_options[i].check (value, error))
            return FALSE;
        }
      if (!known)
        {
          g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
                       _("Unknown option “%s”"), key);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * haul_transfer_new:
 * @id: the transfer's number
 * @uri: a checked http or https URL
 * @directory: a checked absolute directory
 * @options: the a{sv} options of Add, checked by haul_transfer_check_options()
 *
 * Returns: (transfer full): a queued (or paused) transfer
 */
HaulTransfer *
haul_transfer_new (guint       id,
                   const char *uri,
                   const char *directory,
                   GVariant   *options)
{
  HaulTransfer *self = _haul_transfer_new_empty (id);
  const char *filename = NULL;
  const char *sha256 = NULL;
  g_autoptr(GVariant) headers = NULL;
  gboolean paused = FALSE;

  g_variant_lookup (options, "filename", "&s", &filename);
  g_variant_lookup (options, "sha256", "&s", &sha256);
  g_variant_lookup (options, "paused", "b", &paused);
  g_variant_lookup (options, "discretionary", "b", &self->discretionary);
  g_variant_lookup (options, "segments", "u", &self->segments);
  g_variant_lookup (options, "overwrite", "b", &self->overwrite);
  g_variant_lookup (options, "speed-limit", "t", &self->speed_limit);
  headers = g_variant_lookup_value (options, "headers", G_VARIANT_TYPE ("a{ss}"));
  if (headers != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      GVariantIter iter;
      const char *name, *value;

      g_variant_iter_init (&iter, headers);
      while (g_variant_iter_next (&iter, "{&s&s}", &name, &value))
        {
          g_autofree char *header = g_strdup_printf ("%s: %s", name, value);
          g_strv_builder_add (builder, header);
        }
      self->headers = g_strv_builder_end (builder);
    }

  self->uri = g_strdup (uri);
  self->directory = g_strdup (directory);
  self->requested_name = g_strdup (filename);
  self->file_name = filename != NULL && *filename != '\0' ? g_strdup (filename) : NULL;
  self->sha256 = sha256 != NULL && *sha256 != '\0' ? g_strdup (sha256) : NULL;
  self->state = paused ? HAUL_TRANSFER_STATE_PAUSED : HAUL_TRANSFER_STATE_QUEUED;
  self->created_at = g_get_real_time () / G_USEC_PER_SEC;
  return self;
}

/**
 * haul_transfer_to_record:
 * @self: a transfer
 *
 * Returns: (transfer full): what the daemon keeps of the transfer across restarts
 */
JsonNode *
haul_transfer_to_record (HaulTransfer *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (HAUL_IS_TRANSFER (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, RECORD_VERSION);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, self->id);
  json_builder_set_member_name (b, "uri");
  json_builder_add_string_value (b, haul_transfer_get_uri (self));
  json_builder_set_member_name (b, "effective-uri");
  json_builder_add_string_value (b, haul_transfer_get_effective_uri (self));
  if (self->previous_uri != NULL)
    {
      json_builder_set_member_name (b, "previous-uri");
      json_builder_add_string_value (b, self->previous_uri);
    }
  json_builder_set_member_name (b, "directory");
  json_builder_add_string_value (b, haul_transfer_get_directory (self));
  json_builder_set_member_name (b, "filename");
  json_builder_add_string_value (b, haul_transfer_get_file_name (self));
  json_builder_set_member_name (b, "name-claimed");
  json_builder_add_boolean_value (b, self->name_claimed);
  if (self->requested_name != NULL)
    {
      json_builder_set_member_name (b, "requested-filename");
      json_builder_add_string_value (b, self->requested_name);
    }
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, haul_transfer_state_to_string (self->state));
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, haul_transfer_get_error_message (self));
  json_builder_set_member_name (b, "error-kind");
  json_builder_add_string_value (b, haul_error_kind_to_string (self->error_kind));
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, haul_transfer_get_sha256 (self));
  json_builder_set_member_name (b, "segments");
  json_builder_add_int_value (b, self->segments);
  json_builder_set_member_name (b, "discretionary");
  json_builder_add_boolean_value (b, self->discretionary);
  json_builder_set_member_name (b, "overwrite");
  json_builder_add_boolean_value (b, self->overwrite);
  json_builder_set_member_name (b, "speed-limit");
  json_builder_add_int_value (b, (gint64) MIN (self->speed_limit, (guint64) G_MAXINT64));
  json_builder_set_member_name (b, "headers");
  json_builder_begin_array (b);
  for (guint i = 0; self->headers != NULL && self->headers[i] != NULL; i++)
    json_builder_add_string_value (b, self->headers[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "bytes-received");
  json_builder_add_int_value (b, (gint64) MIN (self->bytes_received, (guint64) G_MAXINT64));
  json_builder_set_member_name (b, "bytes-total");
  json_builder_add_int_value (b, (gint64) MIN (self->bytes_total, (guint64) G_MAXINT64));
  json_builder_set_member_name (b, "resumable");
  json_builder_add_boolean_value (b, self->resumable);
  json_builder_set_member_name (b, "tries");
  json_builder_add_int_value (b, self->tries);
  json_builder_set_member_name (b, "created-at");
  json_builder_add_int_value (b, self->created_at);
  json_builder_set_member_name (b, "finished-at");
  json_builder_add_int_value (b, self->finished_at);
  if (self->resume_data != NULL)
    {
      JsonNode *resume = json_from_string (self->resume_data, NULL);

      if (resume != NULL)
        {
          json_builder_set_member_name (b, "resume");
          json_builder_add_value (b, resume);
        }
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- reading ------------------------------------------------------------------------ */

static gboolean
refuse (GError     **error,
        const char  *member)
{
  g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
               _("the record has no usable “%s”"), member);
  return FALSE;
}

/* Reads string member @name: %NULL in *@out when absent and not @required. json-glib
 * hands out what "\ud800" decodes to, which is not UTF-8: that is refused too. */
static gboolean
read_string (JsonObject  *record,
             const char  *name,
             gboolean     required,
             const char **out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (record, name);

  *out = NULL;
  if (node == NULL)
    return !required || refuse (error, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      !g_utf8_validate (json_node_get_string (node), -1, NULL))
    return refuse (error, name);
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
read_int (JsonObject  *record,
          const char  *name,
          gboolean     required,
          gint64       min,
          gint64       max,
          gint64      *out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (record, name);

  *out = 0;
  if (node == NULL)
    return !required || refuse (error, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return refuse (error, name);
  *out = json_node_get_int (node);
  return (*out >= min && *out <= max) || refuse (error, name);
}

static gboolean
read_bool (JsonObject  *record,
           const char  *name,
           gboolean    *out,
           GError     **error)
{
  JsonNode *node = json_object_get_member (record, name);

  *out = FALSE;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return refuse (error, name);
  *out = json_node_get_boolean (node);
  return TRUE;
}

/* The result @ok of a check of @member, which left its reason in @local: a refusal
 * names the member. */
static gboolean
checked (gboolean     ok,
         const char  *member,
         GError     **error,
         GError     **local)
{
  if (ok)
    return TRUE;
  g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
               _("the record's “%s” is refused: %s"), member,
               *local != NULL ? (*local)->message : "");
  g_clear_error (local);
  return FALSE;
}

static gboolean
read_headers (JsonObject  *record,
              GStrv       *out,
              GError     **error)
{
  JsonNode *node = json_object_get_member (record, "headers");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return refuse (error, "headers");
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      GError *local = NULL;
      const char *line;

      if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
        return refuse (error, "headers");
      line = json_node_get_string (item);
      if (!checked (g_utf8_validate (line, -1, NULL) &&
                    haul_check_header_line (line, NULL, NULL, &local), "headers", error, &local))
        return FALSE;
      g_strv_builder_add (builder, line);
    }
  *out = g_strv_builder_end (builder);
  return TRUE;
}

/* The copy of the engine's resume data must be resume data, and for this file. */
static gboolean
read_resume (JsonObject  *record,
             const char  *filename,
             char       **out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (record, "resume");
  g_autoptr(HaulResumeData) rd = NULL;
  g_autofree char *json = NULL;
  GError *local = NULL;

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return refuse (error, "resume");
  json = json_to_string (node, FALSE);
  rd = haul_resume_data_new_from_json (json, -1, &local);
  if (!checked (rd != NULL, "resume", error, &local))
    return FALSE;
  if (g_strcmp0 (rd->filename, filename) != 0)
    return refuse (error, "resume");
  *out = g_steal_pointer (&json);
  return TRUE;
}

/**
 * haul_transfer_new_from_record:
 * @id: the ID the record's file is named after
 * @record: a record written by haul_transfer_to_record()
 * @error: return location for a #GError
 *
 * Brings a transfer back after the daemon started again. One that was queued, waiting or
 * running is queued again, and the engine continues from its resume data. A record that
 * breaks any rule a client's Add must keep is refused whole.
 *
 * Returns: (transfer full) (nullable): the transfer
 */
HaulTransfer *
haul_transfer_new_from_record (guint        id,
                               JsonObject  *record,
                               GError     **error)
{
  const char *uri, *effective, *previous, *directory, *filename, *requested, *state_name;
  HaulTransferState state;
  const char *error_text, *error_kind, *sha256;
  HaulErrorKind kind = HAUL_ERROR_KIND_NONE;
  gint64 version, record_id, segments, speed_limit, received, total, tries, created, finished;
  gboolean discretionary, overwrite, resumable, claimed;
  g_auto(GStrv) headers = NULL;
  g_autofree char *resume = NULL;
  g_autoptr(HaulTransfer) self = NULL;
  GError *local = NULL;

  if (!read_int (record, "version", TRUE, RECORD_VERSION, RECORD_VERSION, &version, error) ||
      !read_int (record, "id", TRUE, 1, G_MAXUINT32, &record_id, error))
    return NULL;
  if (record_id != id)
    {
      refuse (error, "id");
      return NULL;
    }

  if (!read_string (record, "uri", TRUE, &uri, error) ||
      !checked (haul_check_uri (uri, &local), "uri", error, &local) ||
      !read_string (record, "effective-uri", FALSE, &effective, error) ||
      (effective != NULL && *effective != '\0' &&
       !checked (haul_check_uri (effective, &local), "effective-uri", error, &local)) ||
      !read_string (record, "previous-uri", FALSE, &previous, error) ||
      (previous != NULL && !checked (haul_check_uri (previous, &local), "previous-uri", error, &local)) ||
      !read_string (record, "directory", TRUE, &directory, error) ||
      !checked (haul_check_directory (directory, &local), "directory", error, &local))
    return NULL;

  /* The names decide which files are written and deleted: nothing that leaves the
   * directory is taken. */
  if (!read_string (record, "filename", FALSE, &filename, error) ||
      (filename != NULL && *filename != '\0' &&
       !checked (haul_check_file_name (filename, -1, &local), "filename", error, &local)) ||
      !read_string (record, "requested-filename", FALSE, &requested, error) ||
      (requested != NULL &&
       !checked (haul_check_file_name (requested, -1, &local), "requested-filename", error, &local)))
    return NULL;
  if (filename == NULL)
    filename = "";

  if (!read_string (record, "state", TRUE, &state_name, error) ||
      !read_string (record, "error", FALSE, &error_text, error) ||
      !read_string (record, "error-kind", FALSE, &error_kind, error) ||
      (error_kind != NULL && !haul_error_kind_from_string (error_kind, &kind) &&
       !refuse (error, "error-kind")) ||
      !read_string (record, "sha256", FALSE, &sha256, error) ||
      (sha256 != NULL && *sha256 != '\0' &&
       !checked (haul_check_sha256 (sha256, &local), "sha256", error, &local)) ||
      !read_int (record, "segments", TRUE, 1, HAUL_MAX_SEGMENTS, &segments, error) ||
      !read_int (record, "speed-limit", FALSE, 0, G_MAXINT64, &speed_limit, error) ||
      !read_int (record, "bytes-received", FALSE, 0, G_MAXINT64, &received, error) ||
      !read_int (record, "bytes-total", FALSE, 0, G_MAXINT64, &total, error) ||
      !read_int (record, "tries", FALSE, 0, MAX_TRIES, &tries, error) ||
      !read_int (record, "created-at", FALSE, 0, G_MAXINT64, &created, error) ||
      !read_int (record, "finished-at", FALSE, 0, G_MAXINT64, &finished, error) ||
      !read_bool (record, "discretionary", &discretionary, error) ||
      !read_bool (record, "overwrite", &overwrite, error) ||
      !read_bool (record, "resumable", &resumable, error) ||
      !read_bool (record, "name-claimed", &claimed, error) ||
      !read_headers (record, &headers, error) ||
      !read_resume (record, filename, &resume, error))
    return NULL;
  if (!haul_transfer_state_from_string (state_name, &state))
    {
      refuse (error, "state");
      return NULL;
    }
  if (total > 0 && received > total)
    {
      refuse (error, "bytes-received");
      return NULL;
    }
  /* Records written before names were claimed: a name is the transfer's once known. */
  if (json_object_get_member (record, "name-claimed") == NULL)
    claimed = *filename != '\0';

  self = _haul_transfer_new_empty (id);
  self->uri = g_strdup (uri);
  if (effective != NULL && *effective != '\0' && !g_str_equal (effective, uri))
    self->effective_uri = g_strdup (effective);
  self->directory = g_strdup (directory);
  self->file_name = *filename != '\0' ? g_strdup (filename) : NULL;
  if (error_text != NULL && *error_text != '\0')
    self->error = g_strdup (error_text);
  if (state == HAUL_TRANSFER_STATE_FAILED && error_kind != NULL)
    self->error_kind = kind;
  self->sha256 = sha256 != NULL && *sha256 != '\0' ? g_strdup (sha256) : NULL;
  self->segments = (guint) segments;
  self->discretionary = discretionary;
  self->resumable = resumable;
  self->bytes_received = (guint64) received;
  self->bytes_total = (guint64) total;
  self->created_at = created;
  self->finished_at = finished;
  self->previous_uri = g_strdup (previous);
  self->requested_name = g_strdup (requested);
  self->name_claimed = claimed;
  self->overwrite = overwrite;
  self->speed_limit = (guint64) speed_limit;
  self->tries = (guint) tries;
  self->headers = g_steal_pointer (&headers);
  self->resume_data = g_steal_pointer (&resume);

  /* What was on its way continues. */
  if (state == HAUL_TRANSFER_STATE_RUNNING || state == HAUL_TRANSFER_STATE_WAITING)
    state = HAUL_TRANSFER_STATE_QUEUED;
  self->state = state;
  return g_steal_pointer (&self);
}
