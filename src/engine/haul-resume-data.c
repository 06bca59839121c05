/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-resume-data"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "haul-check.h"
#include "haul-error.h"
#include "haul-http.h"
#include "haul-resume-data.h"

HaulResumeData *
haul_resume_data_new (void)
{
  HaulResumeData *self = g_new0 (HaulResumeData, 1);

  self->total = -1;
  self->max_segments = 1;
  self->segments = g_array_new (FALSE, TRUE, sizeof (HaulSegment));
  haul_resume_data_reset (self);
  return self;
}

/**
 * haul_resume_data_reset:
 * @self: resume data
 *
 * Forgets everything learnt from the server, for a download that starts over from zero.
 * The URL, the file name and the options stay.
 */
void
haul_resume_data_reset (HaulResumeData *self)
{
  HaulSegment whole = { 0, -1, 0, 0 };

  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->etag, g_free);
  g_clear_pointer (&self->last_modified, g_free);
  self->accept_ranges = FALSE;
  self->total = -1;
  self->complete = FALSE;
  g_array_set_size (self->segments, 0);
  g_array_append_val (self->segments, whole);
}

/**
 * haul_resume_data_take_request:
 * @self: resume data an earlier run saved
 * @request: that of the run that continues it
 *
 * What is asked now wins over what an earlier run asked for: the URL, the headers, the
 * number of segments, and the checksum and the owner when given.
 */
void
haul_resume_data_take_request (HaulResumeData       *self,
                               const HaulResumeData *request)
{
  g_return_if_fail (self != NULL && request != NULL);

  g_free (self->uri);
  self->uri = g_strdup (request->uri);
  if (request->sha256 != NULL)
    {
      g_free (self->sha256);
      self->sha256 = g_strdup (request->sha256);
    }
  self->max_segments = request->max_segments;
  g_strfreev (self->headers);
  self->headers = g_strdupv (request->headers);
  if (request->owner != NULL)
    {
      g_free (self->owner);
      self->owner = g_strdup (request->owner);
    }
}

void
haul_resume_data_free (HaulResumeData *self)
{
  if (self == NULL)
    return;

  g_free (self->uri);
  g_free (self->effective_uri);
  g_free (self->etag);
  g_free (self->last_modified);
  g_free (self->filename);
  g_free (self->owner);
  g_free (self->boot_id);
  g_free (self->sha256);
  g_strfreev (self->headers);
  g_array_unref (self->segments);
  g_free (self);
}

/**
 * haul_resume_data_copy:
 * @self: resume data
 *
 * Returns: (transfer full): a copy, for a worker thread
 */
HaulResumeData *
haul_resume_data_copy (const HaulResumeData *self)
{
  HaulResumeData *copy = g_new0 (HaulResumeData, 1);

  g_return_val_if_fail (self != NULL, NULL);

  *copy = *self;
  copy->uri = g_strdup (self->uri);
  copy->effective_uri = g_strdup (self->effective_uri);
  copy->etag = g_strdup (self->etag);
  copy->last_modified = g_strdup (self->last_modified);
  copy->filename = g_strdup (self->filename);
  copy->owner = g_strdup (self->owner);
  copy->boot_id = g_strdup (self->boot_id);
  copy->sha256 = g_strdup (self->sha256);
  copy->headers = g_strdupv (self->headers);
  copy->segments = g_array_copy (self->segments);
  return copy;
}

HaulSegment *
haul_resume_data_get_segment (HaulResumeData *self,
                              guint           index)
{
  g_return_val_if_fail (self != NULL && index < self->segments->len, NULL);
  return &g_array_index (self->segments, HaulSegment, index);
}

/**
 * haul_resume_data_get_written:
 * @self: resume data
 *
 * Returns: the number of bytes of the file already in the `.part`
 */
gint64
haul_resume_data_get_written (HaulResumeData *self)
{
  gint64 sum = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < self->segments->len; i++)
    {
      HaulSegment *seg = haul_resume_data_get_segment (self, i);
      sum += seg->written - seg->start;
    }
  return sum;
}

/**
 * haul_resume_data_all_written:
 * @self: resume data
 *
 * Returns: whether every segment has an end and is written up to it
 */
gboolean
haul_resume_data_all_written (HaulResumeData *self)
{
  for (guint i = 0; i < self->segments->len; i++)
    {
      HaulSegment *seg = haul_resume_data_get_segment (self, i);

      if (seg->end < 0 || seg->written < seg->end)
        return FALSE;
    }
  return TRUE;
}

/**
 * haul_resume_data_is_resumable:
 * @self: resume data
 *
 * A resume is provably safe only with a validator for `If-Range`: a strong ETag or a
 * Last-Modified date. (A server that ignores ranges answers 200 and the download starts
 * over, so `Accept-Ranges` is not needed here; it only decides segmenting.)
 *
 * Returns: %TRUE if a Range request can continue the download
 */
gboolean
haul_resume_data_is_resumable (HaulResumeData *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return haul_http_etag_is_strong (self->etag) || self->last_modified != NULL;
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_bool (JsonBuilder *builder,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

/**
 * haul_resume_data_to_json:
 * @self: resume data
 * @length: (out) (optional): the length of the result
 *
 * Returns: (transfer full): the resume data as a JSON document
 */
char *
haul_resume_data_to_json (HaulResumeData *self,
                          gsize          *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  add_int (builder, "version", HAUL_RESUME_DATA_VERSION);
  add_string (builder, "uri", self->uri);
  add_string (builder, "effective-uri", self->effective_uri);
  add_string (builder, "etag", self->etag);
  add_string (builder, "last-modified", self->last_modified);
  add_bool (builder, "accept-ranges", self->accept_ranges);
  add_int (builder, "total", self->total);
  add_string (builder, "filename", self->filename);
  if (self->owner != NULL)
    add_string (builder, "owner", self->owner);
  add_string (builder, "boot-id", self->boot_id);
  add_int (builder, "created-at", self->created_at);
  add_bool (builder, "complete", self->complete);

  json_builder_set_member_name (builder, "options");
  json_builder_begin_object (builder);
  add_string (builder, "sha256", self->sha256);
  add_int (builder, "segments", self->max_segments);
  json_builder_set_member_name (builder, "headers");
  json_builder_begin_array (builder);
  for (guint i = 0; self->headers != NULL && self->headers[i] != NULL; i++)
    json_builder_add_string_value (builder, self->headers[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "segments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->segments->len; i++)
    {
      HaulSegment *seg = haul_resume_data_get_segment (self, i);

      json_builder_begin_object (builder);
      add_int (builder, "start", seg->start);
      add_int (builder, "end", seg->end);
      add_int (builder, "written", seg->written);
      add_int (builder, "synced", seg->synced);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, length);
}

static gboolean
get_member (JsonObject   *object,
            const char   *name,
            JsonNodeType  type,
            GType         value_type,
            gboolean      nullable,
            JsonNode    **out,
            GError      **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || (JSON_NODE_HOLDS_NULL (node) && !nullable))
    {
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_FAILED,
                   _("Resume data lacks “%s”"), name);
      return FALSE;
    }
  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  if (json_node_get_node_type (node) != type ||
      (type == JSON_NODE_VALUE && json_node_get_value_type (node) != value_type))
    {
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_FAILED,
                   _("Resume data has a bad “%s”"), name);
      return FALSE;
    }
  *out = node;
  return TRUE;
}

static gboolean
get_string (JsonObject  *object,
            const char  *name,
            gboolean     nullable,
            char       **out,
            GError     **error)
{
  JsonNode *node;

  if (!get_member (object, name, JSON_NODE_VALUE, G_TYPE_STRING, nullable, &node, error))
    return FALSE;
  /* json-glib decodes a lone "\ud800" to bytes that are not UTF-8; and nothing read here
   * may carry a control character into a header or a file name. */
  if (node != NULL)
    {
      const char *value = json_node_get_string (node);
      gboolean ok = g_utf8_validate (value, -1, NULL);

      for (const char *p = value; ok && *p != '\0'; p++)
        ok = (guchar) *p >= 0x20 && *p != 0x7F;
      if (!ok)
        {
          g_set_error (error, HAUL_ERROR, HAUL_ERROR_FAILED,
                       _("Resume data has a bad “%s”"), name);
          return FALSE;
        }
    }
  g_free (*out);
  *out = node != NULL ? g_strdup (json_node_get_string (node)) : NULL;
  return TRUE;
}

static gboolean
get_int (JsonObject  *object,
         const char  *name,
         gint64      *out,
         GError     **error)
{
  JsonNode *node;

  if (!get_member (object, name, JSON_NODE_VALUE, G_TYPE_INT64, FALSE, &node, error))
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
get_bool (JsonObject  *object,
          const char  *name,
          gboolean    *out,
          GError     **error)
{
  JsonNode *node;

  if (!get_member (object, name, JSON_NODE_VALUE, G_TYPE_BOOLEAN, FALSE, &node, error))
    return FALSE;
  *out = json_node_get_boolean (node);
  return TRUE;
}

/* The segments must tile [0, total) in order, each with start <= synced <= written <= end. */
static gboolean
segments_are_consistent (HaulResumeData *self)
{
  gint64 expected_start = 0;

  if (self->segments->len == 0 || self->total < -1)
    return FALSE;

  for (guint i = 0; i < self->segments->len; i++)
    {
      HaulSegment *seg = haul_resume_data_get_segment (self, i);
      gboolean last = i + 1 == self->segments->len;

      if (seg->start != expected_start || seg->synced < seg->start ||
          seg->written < seg->synced)
        return FALSE;
      if (seg->end == -1)
        {
          /* An unknown end is only possible for a single stream of unknown size. */
          if (!last || self->total != -1 || self->segments->len != 1)
            return FALSE;
        }
      else if (seg->end < seg->start || seg->written > seg->end)
        return FALSE;
      if (last && seg->end != self->total)
        return FALSE;
      expected_start = seg->end;
    }
  return TRUE;
}

/**
 * haul_resume_data_new_from_json:
 * @data: a JSON document written by haul_resume_data_to_json()
 * @length: its length, or -1 if nul-terminated
 * @error: return location for a #GError
 *
 * Parses and checks resume data. Anything malformed, inconsistent, or from another
 * version is refused: resume data is trusted to say which bytes of a file are good.
 *
 * Returns: (transfer full) (nullable): the resume data
 */
HaulResumeData *
haul_resume_data_new_from_json (const char  *data,
                                gssize       length,
                                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(HaulResumeData) self = haul_resume_data_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonObject *options;
  JsonArray *array;
  JsonNode *node;
  gint64 version;
  gint64 segments;

  g_return_val_if_fail (data != NULL, NULL);

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_FAILED,
                   _("Resume data is not valid JSON: %s"), local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, HAUL_ERROR, HAUL_ERROR_FAILED,
                           _("Resume data is not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (root);

  if (!get_int (object, "version", &version, error))
    return NULL;
  if (version != HAUL_RESUME_DATA_VERSION)
    {
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_FAILED,
                   _("Resume data has unknown version %d"),
                   (int) CLAMP (version, G_MININT, G_MAXINT));
      return NULL;
    }

  if (!get_string (object, "uri", FALSE, &self->uri, error) ||
      !get_string (object, "effective-uri", TRUE, &self->effective_uri, error) ||
      !get_string (object, "etag", TRUE, &self->etag, error) ||
      !get_string (object, "last-modified", TRUE, &self->last_modified, error) ||
      !get_bool (object, "accept-ranges", &self->accept_ranges, error) ||
      !get_int (object, "total", &self->total, error) ||
      !get_string (object, "filename", TRUE, &self->filename, error) ||
      (json_object_has_member (object, "owner") &&
       !get_string (object, "owner", TRUE, &self->owner, error)) ||
      !get_string (object, "boot-id", TRUE, &self->boot_id, error) ||
      !get_int (object, "created-at", &self->created_at, error) ||
      !get_bool (object, "complete", &self->complete, error))
    return NULL;

  if (!get_member (object, "options", JSON_NODE_OBJECT, G_TYPE_INVALID, FALSE, &node, error))
    return NULL;
  options = json_node_get_object (node);
  if (!get_string (options, "sha256", TRUE, &self->sha256, error) ||
      !get_int (options, "segments", &segments, error))
    return NULL;
  if (segments < 1 || segments > 16)
    {
      g_set_error_literal (error, HAUL_ERROR, HAUL_ERROR_FAILED,
                           _("Resume data has a bad segment count"));
      return NULL;
    }
  self->max_segments = (guint) segments;

  if (!get_member (options, "headers", JSON_NODE_ARRAY, G_TYPE_INVALID, FALSE, &node, error))
    return NULL;
  array = json_node_get_array (node);
  {
    g_autoptr(GStrvBuilder) headers = g_strv_builder_new ();

    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonNode *item = json_array_get_element (array, i);

        if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING ||
            !g_utf8_validate (json_node_get_string (item), -1, NULL) ||
            !haul_check_header_line (json_node_get_string (item), NULL, NULL, NULL))
          {
            g_set_error_literal (error, HAUL_ERROR, HAUL_ERROR_FAILED,
                                 _("Resume data has a bad header"));
            return NULL;
          }
        g_strv_builder_add (headers, json_node_get_string (item));
      }
    self->headers = g_strv_builder_end (headers);
  }

  if (!get_member (object, "segments", JSON_NODE_ARRAY, G_TYPE_INVALID, FALSE, &node, error))
    return NULL;
  array = json_node_get_array (node);
  g_array_set_size (self->segments, 0);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      HaulSegment seg;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          g_set_error_literal (error, HAUL_ERROR, HAUL_ERROR_FAILED,
                               _("Resume data has a bad segment"));
          return NULL;
        }
      if (!get_int (json_node_get_object (item), "start", &seg.start, error) ||
          !get_int (json_node_get_object (item), "end", &seg.end, error) ||
          !get_int (json_node_get_object (item), "written", &seg.written, error) ||
          !get_int (json_node_get_object (item), "synced", &seg.synced, error))
        return NULL;
      g_array_append_val (self->segments, seg);
    }

  if ((self->filename != NULL && !haul_check_file_name (self->filename, -1, NULL)) ||
      (self->sha256 != NULL && !haul_check_sha256 (self->sha256, NULL)))
    {
      g_set_error_literal (error, HAUL_ERROR, HAUL_ERROR_FAILED,
                           _("Resume data has a bad file name or checksum"));
      return NULL;
    }

  if (!segments_are_consistent (self))
    {
      g_set_error_literal (error, HAUL_ERROR, HAUL_ERROR_FAILED,
                           _("Resume data has inconsistent segments"));
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * haul_resume_data_apply_boot_rule:
 * @self: resume data loaded from disk
 * @current_boot_id: the boot id of the running system
 * @part_size: the size of the `.part` file now
 *
 * Decides which bytes of the `.part` file can be trusted. After a crash of the process
 * the page cache still holds what was written, so written bytes are good (for a single
 * stream, the file's size says how many). After a reboot only what was flushed with
 * `fdatasync` before the resume data was saved is good; so it is where the boot is not
 * known (no `/proc/sys/kernel/random/boot_id`). Nothing beyond the file's size is ever
 * trusted.
 *
 * Returns: the size the `.part` file must be cut to
 */
gint64
haul_resume_data_apply_boot_rule (HaulResumeData *self,
                                  const char     *current_boot_id,
                                  gint64          part_size)
{
  gboolean same_boot;
  gboolean single;
  gint64 keep = 0;

  g_return_val_if_fail (self != NULL, 0);

  /* Where the kernel gives no boot id (""), a reboot cannot be ruled out. */
  same_boot = self->boot_id != NULL && *self->boot_id != '\0' &&
              g_strcmp0 (self->boot_id, current_boot_id) == 0;
  single = self->segments->len == 1;

  for (guint i = 0; i < self->segments->len; i++)
    {
      HaulSegment *seg = haul_resume_data_get_segment (self, i);
      gint64 trusted;

      if (!same_boot)
        trusted = seg->synced;
      else if (single)
        trusted = seg->end >= 0 ? MIN (part_size, seg->end) : part_size;
      else
        trusted = seg->written;

      trusted = MAX (MIN (trusted, part_size), seg->start);
      seg->written = trusted;
      seg->synced = MIN (seg->synced, trusted);
      keep = MAX (keep, trusted);
    }

  self->complete = self->complete && same_boot;
  return keep;
}

/**
 * haul_get_boot_id:
 *
 * Returns: the kernel's random id of this boot, or "" where it is unknown
 */
const char *
haul_get_boot_id (void)
{
  static char *boot_id;

  if (g_once_init_enter (&boot_id))
    {
      char *contents = NULL;

      if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, NULL))
        contents = g_strdup ("");
      g_once_init_leave (&boot_id, g_strstrip (contents));
    }
  return boot_id;
}

/* Writes @contents to a temporary file, then moves it to @name: over an older @name, or,
 * unless @replace, only where no @name exists (G_IO_ERROR_EXISTS otherwise). */
static gboolean
write_file_at (int          dirfd,
               const char  *name,
               const char  *contents,
               gsize        length,
               gboolean     durable,
               gboolean     replace,
               GError     **error)
{
  g_auto(HaulFd) fd = -1;
  char tmp[32];
  gsize done = 0;
  int saved_errno;

  for (guint attempt = 0; fd < 0; attempt++)
    {
      g_snprintf (tmp, sizeof tmp, ".haul-%08x.tmp", g_random_int ());
      fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0 && (errno != EEXIST || attempt > 100))
        goto fail;
    }

  while (done < length)
    {
      ssize_t n = write (fd, contents + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail_unlink;
      done += (gsize) n;
    }

  if (durable && fsync (fd) != 0)
    goto fail_unlink;
  if (close (g_steal_fd (&fd)) != 0)
    goto fail_unlink;
  if (replace)
    {
      if (renameat (dirfd, tmp, dirfd, name) != 0)
        goto fail_unlink;
    }
  else if (renameat2 (dirfd, tmp, dirfd, name, RENAME_NOREPLACE) != 0)
    {
      /* File systems without RENAME_NOREPLACE: a hard link refuses to replace too. */
      if ((errno != EINVAL && errno != ENOSYS) || linkat (dirfd, tmp, dirfd, name, 0) != 0)
        goto fail_unlink;
      unlinkat (dirfd, tmp, 0);
    }
  if (durable && fsync (dirfd) != 0 && errno != EINVAL)
    goto fail;
  return TRUE;

fail_unlink:
  saved_errno = errno;
  unlinkat (dirfd, tmp, 0);
  errno = saved_errno;
fail:
  saved_errno = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Could not save “%s”: %s"), name, g_strerror (saved_errno));
  return FALSE;
}

/**
 * haul_write_file_atomically_at:
 * @dirfd: the directory
 * @name: a basename in it
 * @contents: the data
 * @length: its length
 * @durable: also survive a power loss (fsync the file and the directory)
 * @error: return location for a #GError
 *
 * Replaces @name with @contents so that a reader sees either the old or the new file,
 * never a mix. A symlink at @name is replaced, not followed: use it only for a file that
 * is Haul's own. This blocks: call it from a worker thread.
 *
 * Returns: %TRUE on success
 */
gboolean
haul_write_file_atomically_at (int          dirfd,
                               const char  *name,
                               const char  *contents,
                               gsize        length,
                               gboolean     durable,
                               GError     **error)
{
  return write_file_at (dirfd, name, contents, length, durable, TRUE, error);
}

/**
 * haul_write_file_exclusively_at:
 * @dirfd: the directory
 * @name: a basename in it
 * @contents: the data
 * @length: its length
 * @error: return location for a #GError
 *
 * Creates @name with @contents, durably and whole, only if nothing of that name exists:
 * two writers racing for a name cannot both win. This blocks: call it from a worker
 * thread.
 *
 * Returns: %TRUE if @name was created; %FALSE with %G_IO_ERROR_EXISTS if it was taken
 */
gboolean
haul_write_file_exclusively_at (int          dirfd,
                                const char  *name,
                                const char  *contents,
                                gsize        length,
                                GError     **error)
{
  return write_file_at (dirfd, name, contents, length, TRUE, FALSE, error);
}
