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

/**
 * haul_transfer_new:
 * @id: the transfer's number
 * @uri: a checked http or https URL
 * @directory: a checked absolute directory
 * @options: the a{sv} options of Add, already checked
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
  HaulTransfer1 *iface = HAUL_TRANSFER1 (self);
  const char *filename = NULL;
  const char *sha256 = NULL;
  g_autoptr(GVariant) headers = NULL;
  gboolean paused = FALSE;
  gboolean discretionary = FALSE;
  guint segments = 4;

  g_variant_lookup (options, "filename", "&s", &filename);
  g_variant_lookup (options, "sha256", "&s", &sha256);
  g_variant_lookup (options, "paused", "b", &paused);
  g_variant_lookup (options, "discretionary", "b", &discretionary);
  g_variant_lookup (options, "segments", "u", &segments);
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
  self->requested_name = g_strdup (filename);

  haul_transfer1_set_uri (iface, uri);
  haul_transfer1_set_effective_uri (iface, uri);
  haul_transfer1_set_directory (iface, directory);
  haul_transfer1_set_file_name (iface, filename != NULL ? filename : "");
  haul_transfer1_set_state (iface, paused ? "paused" : "queued");
  haul_transfer1_set_state_reason (iface, "");
  haul_transfer1_set_error (iface, "");
  haul_transfer1_set_wait_reason (iface, "");
  haul_transfer1_set_error_kind (iface, "");
  haul_transfer1_set_discretionary (iface, discretionary);
  haul_transfer1_set_segments (iface, segments);
  haul_transfer1_set_sha256 (iface, sha256 != NULL ? sha256 : "");
  haul_transfer1_set_created_at (iface, g_get_real_time () / G_USEC_PER_SEC);
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
  HaulTransfer1 *t = HAUL_TRANSFER1 (self);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (HAUL_IS_TRANSFER (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, RECORD_VERSION);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, haul_transfer1_get_id (t));
  json_builder_set_member_name (b, "uri");
  json_builder_add_string_value (b, haul_transfer1_get_uri (t));
  json_builder_set_member_name (b, "effective-uri");
  json_builder_add_string_value (b, haul_transfer1_get_effective_uri (t));
  if (self->previous_uri != NULL)
    {
      json_builder_set_member_name (b, "previous-uri");
      json_builder_add_string_value (b, self->previous_uri);
    }
  json_builder_set_member_name (b, "directory");
  json_builder_add_string_value (b, haul_transfer1_get_directory (t));
  json_builder_set_member_name (b, "filename");
  json_builder_add_string_value (b, haul_transfer1_get_file_name (t));
  json_builder_set_member_name (b, "name-claimed");
  json_builder_add_boolean_value (b, self->name_claimed);
  if (self->requested_name != NULL)
    {
      json_builder_set_member_name (b, "requested-filename");
      json_builder_add_string_value (b, self->requested_name);
    }
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, haul_transfer1_get_state (t));
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, haul_transfer1_get_error (t));
  json_builder_set_member_name (b, "error-kind");
  json_builder_add_string_value (b, haul_transfer1_get_error_kind (t));
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, haul_transfer1_get_sha256 (t));
  json_builder_set_member_name (b, "segments");
  json_builder_add_int_value (b, haul_transfer1_get_segments (t));
  json_builder_set_member_name (b, "discretionary");
  json_builder_add_boolean_value (b, haul_transfer1_get_discretionary (t));
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
  json_builder_add_int_value (b, (gint64) haul_transfer1_get_bytes_received (t));
  json_builder_set_member_name (b, "bytes-total");
  json_builder_add_int_value (b, (gint64) haul_transfer1_get_bytes_total (t));
  json_builder_set_member_name (b, "resumable");
  json_builder_add_boolean_value (b, haul_transfer1_get_resumable (t));
  json_builder_set_member_name (b, "tries");
  json_builder_add_int_value (b, self->tries);
  json_builder_set_member_name (b, "created-at");
  json_builder_add_int_value (b, haul_transfer1_get_created_at (t));
  json_builder_set_member_name (b, "finished-at");
  json_builder_add_int_value (b, haul_transfer1_get_finished_at (t));
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
  static const char * const states[] = {
    "queued", "waiting", "running", "paused", "completed", "failed", "cancelled", NULL
  };
  const char *uri, *effective, *previous, *directory, *filename, *requested, *state;
  const char *error_text, *error_kind, *sha256;
  HaulErrorKind kind;
  gint64 version, record_id, segments, speed_limit, received, total, tries, created, finished;
  gboolean discretionary, overwrite, resumable, claimed;
  g_auto(GStrv) headers = NULL;
  g_autofree char *resume = NULL;
  g_autoptr(HaulTransfer) self = NULL;
  HaulTransfer1 *t;
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

  if (!read_string (record, "state", TRUE, &state, error) ||
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
  if (!g_strv_contains (states, state))
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
  t = HAUL_TRANSFER1 (self);
  haul_transfer1_set_uri (t, uri);
  haul_transfer1_set_effective_uri (t, effective != NULL && *effective != '\0' ? effective : uri);
  haul_transfer1_set_directory (t, directory);
  haul_transfer1_set_file_name (t, filename);
  haul_transfer1_set_state_reason (t, "");
  haul_transfer1_set_error (t, error_text != NULL ? error_text : "");
  haul_transfer1_set_wait_reason (t, "");
  haul_transfer1_set_error_kind (t, g_strcmp0 (state, "failed") == 0 && error_kind != NULL ?
                                    error_kind : "");
  haul_transfer1_set_sha256 (t, sha256 != NULL ? sha256 : "");
  haul_transfer1_set_segments (t, (guint) segments);
  haul_transfer1_set_discretionary (t, discretionary);
  haul_transfer1_set_resumable (t, resumable);
  haul_transfer1_set_bytes_received (t, (guint64) received);
  haul_transfer1_set_bytes_total (t, (guint64) total);
  haul_transfer1_set_created_at (t, created);
  haul_transfer1_set_finished_at (t, finished);
  self->previous_uri = g_strdup (previous);
  self->requested_name = g_strdup (requested);
  self->name_claimed = claimed;
  self->overwrite = overwrite;
  self->speed_limit = (guint64) speed_limit;
  self->tries = (guint) tries;
  self->headers = g_steal_pointer (&headers);
  self->resume_data = g_steal_pointer (&resume);

  if (g_str_equal (state, "running") || g_str_equal (state, "waiting"))
    state = "queued";
  haul_transfer1_set_state (t, state);
  return g_steal_pointer (&self);
}
