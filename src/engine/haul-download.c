/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-download"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "haul-check.h"
#include "haul-checkpoint.h"
#include "haul-connection.h"
#include "haul-download.h"
#include "haul-download-private.h"
#include "haul-error.h"
#include "haul-part-file.h"
#include "haul-rate-limiter.h"
#include "haul-restart.h"
#include "haul-resume-data.h"
#include "haul-schedule.h"
#include "haul-state.h"

#define BUFFER_SIZE          HAUL_BUFFER_SIZE
#define MIN_BUFFER_SIZE      (256 * 1024)

typedef enum
{
  SETTLE_NONE,
  SETTLE_COMPLETE,
  SETTLE_RESTART,
  SETTLE_FAIL,
  SETTLE_CANCEL,
  SETTLE_SKIP,      /* the file in place is already the one the server has */
  SETTLE_DONE,
} SettleAction;

/* A download: its options, its run (prepare, connections, settle) and the glue between
 * the parts that do the work. A map of the parts is in docs/DESIGN.md. */
struct _HaulDownload
{
  GObject                parent_instance;

  char                  *uri;
  char                  *directory;
  char                  *filename;
  gboolean               filename_fixed;
  char                  *sha256;
  guint                  max_segments;
  guint                  retries;
  gboolean               overwrite;
  guint                  retry_base_ms;
  char                  *previous_uri;
  char                  *owner;
  gboolean               same_file;
  gboolean               check_existing;
  gboolean               resume_by_uri;
  gboolean               server_time;
  char                  *suggested_name;
  char                  *saved_resume_data;

  /* The run. The context (session, limiter, headers, the resume data, the `.part`) is
   * what its connections share. */
  HaulConnectionContext  ctx;
  GTask                 *task;
  gulong                 cancelled_id;
  HaulFd                 dirfd;
  HaulCheckpointer      *checkpoints;
  gboolean               files_ready;
  gboolean               preparing_files;
  GPtrArray             *conns;
  SettleAction           settling;
  GError                *failure;
  char                  *restart_reason;  /* why it starts over, in words */
  guint                  fruitless;
  guint                  retry_source;
  guint                  reap_source;
  guint                  rate_source;
  guint64                rate;
  guint64                rate_last_bytes;
  gint64                 rate_last_us;
  guint64                resumed_from;
  gboolean               restarted;
  gboolean               preparing;
  gboolean               final_saved;
  gboolean               ran;
  gboolean               already_complete;
  char                  *final_name;
  gint64                 existing_size;
  gint64                 existing_mtime;
  gint64                 high_water;
  gint64                 retry_until;
  char                  *retry_why;
  gboolean               retry_announced;
  HaulErrorKind          error_kind;       /* of the failure that ended the run */
  HaulErrorKind          transient_kind;   /* of the last error worth retrying */
};

G_DEFINE_FINAL_TYPE (HaulDownload, haul_download, G_TYPE_OBJECT)

enum {
  NOTICE,
  RETRY_WAIT,
  RESUME_DATA_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void fill_connections   (HaulDownload *self);
static void restart            (HaulDownload *self,
                                HaulRestart   why,
                                const char   *detail);
static void settle             (HaulDownload *self,
                                SettleAction  action,
                                GError       *error);
static void maybe_settled      (HaulDownload *self);
static void request_save       (HaulDownload *self,
                                gboolean      durable);
static void announce_wait      (HaulDownload *self);
static void fill_after_restart (HaulDownload *self);

static void
notice (HaulDownload *self,
        const char   *message)
{
  g_debug ("%s: %s", self->uri, message);
  g_signal_emit (self, signals[NOTICE], 0, message);
}

static HaulSegment *
segment (HaulDownload *self,
         guint         index)
{
  return haul_resume_data_get_segment (self->ctx.rd, index);
}

static HaulConnection *
conn_find (HaulDownload *self,
           guint         seg)
{
  for (guint i = 0; i < self->conns->len; i++)
    {
      HaulConnection *conn = g_ptr_array_index (self->conns, i);

      if (haul_connection_get_segment (conn) == seg)
        return conn;
    }
  return NULL;
}

/* Bytes read and not yet written, by every connection. */
static gint64
buffered (HaulDownload *self)
{
  gint64 sum = 0;

  for (guint i = 0; self->conns != NULL && i < self->conns->len; i++)
    sum += haul_connection_get_buffered (g_ptr_array_index (self->conns, i));
  return sum;
}

/* ---- tries and waits ---------------------------------------------------------------- */

/* The whole download waits for its next try, with no connection left: say so, once. A
 * connection that waits while others still transfer is not news. */
static void
announce_wait (HaulDownload *self)
{
  if (self->retry_source == 0 || self->retry_announced || self->conns->len > 0 ||
      self->settling != SETTLE_NONE)
    return;
  self->retry_announced = TRUE;
  g_signal_emit (self, signals[RETRY_WAIT], 0, self->retry_until, self->retry_why);
}

/* The wait is over (or abandoned): whoever heard of it hears of its end. */
static void
end_wait (HaulDownload *self)
{
  g_clear_handle_id (&self->retry_source, g_source_remove);
  if (!self->retry_announced)
    return;
  self->retry_announced = FALSE;
  g_signal_emit (self, signals[RETRY_WAIT], 0, (gint64) 0, NULL);
}

static gboolean
retry_fired_cb (gpointer user_data)
{
  HaulDownload *self = user_data;

  self->retry_source = 0;
  end_wait (self);
  fill_connections (self);
  return G_SOURCE_REMOVE;
}

/* How long to wait before the next try, after @fruitless tries in a row without progress. */
static guint
backoff_ms (HaulDownload *self,
            guint         retry_after)
{
  return haul_backoff_ms (self->retry_base_ms, self->fruitless, retry_after,
                          g_random_double_range (0.8, 1.2));
}

/* Counts a try that brought nothing lasting; %FALSE when that was one too many, and the
 * download fails with @why. */
static gboolean
count_fruitless (HaulDownload *self,
                 const char   *why)
{
  self->fruitless++;
  if (self->fruitless <= self->retries)
    return TRUE;
  self->error_kind = self->transient_kind;
  settle (self, SETTLE_FAIL,
          g_error_new (HAUL_ERROR, HAUL_ERROR_TRANSIENT,
                       g_dngettext (GETTEXT_PACKAGE, "Gave up after %u try: %s",
                                    "Gave up after %u tries: %s", self->fruitless),
                       self->fruitless, why));
  return FALSE;
}

/* Starts connections again after @delay_ms, telling why the download waits. */
static void
wait_then_fill (HaulDownload *self,
                guint         delay_ms,
                const char   *why)
{
  g_autofree char *delay_text = g_strdup_printf ("%.1f", delay_ms / 1000.0);
  g_autofree char *message = g_strdup_printf (_("%s; retrying in %s s (try %u of %u)"),
                                              why, delay_text, self->fruitless + 1,
                                              self->retries + 1);

  notice (self, message);
  g_free (self->retry_why);
  self->retry_why = g_strdup (why);
  self->retry_until = g_get_real_time () + (gint64) delay_ms * 1000;
  self->retry_source = g_timeout_add (delay_ms, retry_fired_cb, self);
  announce_wait (self);
}

static void
schedule_retry (HaulDownload *self,
                GError       *error,
                guint         retry_after)
{
  g_autoptr(GError) owned = error;

  if (self->settling != SETTLE_NONE || self->retry_source != 0)
    return;
  if (!count_fruitless (self, owned->message))
    return;
  wait_then_fill (self, backoff_ms (self, retry_after), owned->message);
}

/* ---- what the connections tell -------------------------------------------------------- */

/* A connection's try failed: decide whether the whole download fails or waits. @status is
 * the HTTP status that made it fail, or 0 when no answer did. */
static void
on_conn_failed (HaulConnection *conn,
                GError         *error,
                guint           status,
                guint           retry_after,
                gpointer        user_data)
{
  HaulDownload *self = user_data;

  if (self->settling != SETTLE_NONE)
    g_error_free (error);
  else if (error->domain == G_TLS_ERROR)
    {
      self->error_kind = HAUL_ERROR_KIND_TLS;
      settle (self, SETTLE_FAIL, error);
    }
  else if (g_error_matches (error, HAUL_ERROR, HAUL_ERROR_HTTP) ||
           g_error_matches (error, HAUL_ERROR, HAUL_ERROR_TOO_MANY_REDIRECTS) ||
           g_error_matches (error, HAUL_ERROR, HAUL_ERROR_UNSUPPORTED_SCHEME) ||
           g_error_matches (error, HAUL_ERROR, HAUL_ERROR_INVALID_URI))
    {
      /* A refusal, or a server that sends us nowhere usable. */
      self->error_kind = status >= 400 && status < 500 ? haul_error_kind_for_http_status (status)
                                                       : HAUL_ERROR_KIND_SERVER;
      settle (self, SETTLE_FAIL, error);
    }
  else
    {
      /* Connection errors, truncation, stalls and 5xx: retry with back-off. */
      if (error->domain != HAUL_ERROR)
        {
          GError *wrapped = g_error_new (HAUL_ERROR, HAUL_ERROR_TRANSIENT, "%s", error->message);
          g_error_free (error);
          error = wrapped;
        }
      self->transient_kind = status != 0 ? HAUL_ERROR_KIND_SERVER : HAUL_ERROR_KIND_NETWORK;
      schedule_retry (self, error, retry_after);
    }
}

static void
on_conn_restart (HaulConnection *conn,
                 HaulRestart     why,
                 const char     *detail,
                 gpointer        user_data)
{
  HaulDownload *self = user_data;

  /* A server that ignores, refuses or misanswers a range is not asked for ranges again in
   * this run: it gets one plain request. */
  if (why == HAUL_RESTART_RANGE_IGNORED || why == HAUL_RESTART_RANGE_MISMATCH ||
      why == HAUL_RESTART_RANGE_REFUSED)
    self->ctx.ranges_broken = TRUE;
  restart (self, why, detail);
}

static void
on_conn_received (HaulConnection *conn,
                  gpointer        user_data)
{
  HaulDownload *self = user_data;
  gint64 received = (gint64) haul_download_get_bytes_received (self);

  /* Progress counts only where no earlier try of this run got: bytes a restart will
   * throw away again are not progress. */
  if (received > self->high_water)
    {
      self->high_water = received;
      self->fruitless = 0;
    }
}

static void
on_conn_flushed (HaulConnection *conn,
                 const GError   *error,
                 gpointer        user_data)
{
  HaulDownload *self = user_data;

  if (error != NULL)
    settle (self, SETTLE_FAIL,
            g_error_new (error->domain, error->code, _("Could not write “%s”: %s"),
                         self->filename, error->message));
  else if (self->settling == SETTLE_NONE)
    haul_checkpointer_wrote (self->checkpoints);
}

/* Removes a connection once nothing of it is in flight. */
static void
on_conn_released (HaulConnection *conn,
                  gpointer        user_data)
{
  HaulDownload *self = user_data;

  g_ptr_array_remove (self->conns, conn);
  if (self->settling != SETTLE_NONE)
    maybe_settled (self);
  else
    {
      fill_connections (self);
      announce_wait (self);
    }
}

static gint64
http_date_to_unix (const char *value)
{
  g_autoptr(GDateTime) date = value != NULL ? soup_date_time_new_from_http_string (value) : NULL;

  return date != NULL ? g_date_time_to_unix (date) : -1;
}

/* The file is in place already: it is the server's file if its size and its date (which
 * Haul gave it from Last-Modified) are the server's, as wget decides. */
static void
compare_existing (HaulDownload       *self,
                  SoupMessageHeaders *headers)
{
  gint64 length = -1;
  gint64 date = http_date_to_unix (soup_message_headers_get_one (headers, "Last-Modified"));

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    length = soup_message_headers_get_content_length (headers);
  if (length == self->existing_size && date >= 0 && date == self->existing_mtime)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” is already downloaded: it has the size and date of the file on the server"),
                                                  self->filename);
      notice (self, message);
      settle (self, SETTLE_SKIP, NULL);
      return;
    }
  settle (self, SETTLE_FAIL,
          g_error_new (HAUL_ERROR, HAUL_ERROR_EXISTS,
                       _("“%s” already exists, and is not the file on the server (its size or date differ)"),
                       self->filename));
}

static void
on_checkpoint_done (const char *json,
                    GError     *error,
                    gpointer    user_data)
{
  HaulDownload *self = user_data;

  if (error != NULL)
    settle (self, SETTLE_FAIL, error);
  else if (json != NULL)
    g_signal_emit (self, signals[RESUME_DATA_SAVED], 0, json);
  maybe_settled (self);
}

/* The files exist, with @fd and @direct_fd: the connections write, and the resume data is
 * saved, from now on. */
static void
files_made (HaulDownload *self,
            int           fd,
            int           direct_fd)
{
  self->ctx.part = haul_part_file_new (fd, direct_fd);
  self->checkpoints = haul_checkpointer_new (self->ctx.rd, self->dirfd, self->ctx.part,
                                             on_checkpoint_done, self);
  self->files_ready = TRUE;
}

static void
claim_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  HaulDownload *self = HAUL_DOWNLOAD (object);
  HaulConnection *conn = user_data;
  GError *error = NULL;
  HaulClaim *claim = _haul_download_claim_finish (result, &error);

  self->preparing_files = FALSE;
  if (claim == NULL)
    {
      settle (self, SETTLE_FAIL, error);
      haul_connection_stop (conn);
      return;
    }

  g_free (self->ctx.rd->filename);
  self->ctx.rd->filename = g_strdup (claim->chosen_name);
  files_made (self, g_steal_fd (&claim->fd), g_steal_fd (&claim->direct_fd));
  g_free (self->filename);
  self->filename = g_strdup (self->ctx.rd->filename);
  haul_checkpointer_restart_clock (self->checkpoints);

  haul_connection_read_body (conn);
  fill_connections (self);
}

/* An answer was accepted: its body is read once the files exist. */
static void
on_conn_body (HaulConnection     *conn,
              SoupMessageHeaders *first,
              gpointer            user_data)
{
  HaulDownload *self = user_data;
  SoupMessageHeaders *headers = haul_connection_get_response_headers (conn);
  HaulClaim *claim;

  if (first != NULL && self->existing_size >= 0)
    {
      compare_existing (self, first);
      haul_connection_stop (conn);
      return;
    }
  if (first != NULL && self->files_ready)
    request_save (self, TRUE);

  if (self->files_ready)
    {
      haul_connection_read_body (conn);
      fill_connections (self);
      return;
    }

  claim = g_new0 (HaulClaim, 1);
  claim->dirfd = self->dirfd;
  claim->rd = haul_resume_data_copy (self->ctx.rd);
  claim->name_fixed = self->filename_fixed;
  claim->suggested_name = g_strdup (self->suggested_name);
  claim->content_disposition = g_strdup (soup_message_headers_get_one (headers,
                                                                       "Content-Disposition"));
  claim->final_uri = g_uri_ref (haul_connection_get_uri (conn));
  claim->fd = -1;
  claim->direct_fd = -1;
  self->preparing_files = TRUE;
  _haul_download_claim_async (G_OBJECT (self), claim, claim_cb, conn);
}

static const HaulConnectionEvents conn_events = {
  .body = on_conn_body,
  .received = on_conn_received,
  .flushed = on_conn_flushed,
  .failed = on_conn_failed,
  .restart = on_conn_restart,
  .released = on_conn_released,
};

static void
start_conn (HaulDownload *self,
            guint         index)
{
  guint slots = MAX (self->max_segments, 1);
  /* Two buffers per connection; several connections share a budget of about 4 MiB. */
  gsize buf_size = slots == 1 ? BUFFER_SIZE : MAX (MIN_BUFFER_SIZE, 2 * BUFFER_SIZE / slots);
  HaulConnection *conn = haul_connection_new (&self->ctx, &conn_events, self, self->uri, index,
                                              buf_size);

  g_ptr_array_add (self->conns, conn);
  haul_connection_start (conn);
}

/* ---- scheduling --------------------------------------------------------------------- */

static gboolean
all_complete (HaulDownload *self)
{
  for (guint i = 0; i < self->ctx.rd->segments->len; i++)
    {
      HaulSegment *seg = segment (self, i);

      if (seg->end < 0 || seg->written < seg->end)
        return FALSE;
    }
  return TRUE;
}

/* Splits the active segment with the most left to read, for an idle connection. */
static int
split_largest (HaulDownload *self)
{
  HaulConnection *best = NULL;
  gint64 best_left = 0;
  HaulSegment *seg;
  HaulSegment tail;
  guint index;
  gint64 from;
  gint64 mid;

  for (guint i = 0; i < self->conns->len; i++)
    {
      HaulConnection *conn = g_ptr_array_index (self->conns, i);
      gint64 left;

      seg = segment (self, haul_connection_get_segment (conn));
      if (!haul_connection_is_reading (conn) || seg->end < 0)
        continue;
      left = seg->end - MAX (haul_connection_get_read_pos (conn), seg->written);
      if (left > best_left)
        {
          best = conn;
          best_left = left;
        }
    }

  if (best == NULL)
    return -1;
  index = haul_connection_get_segment (best);
  seg = segment (self, index);
  from = MAX (haul_connection_get_read_pos (best), seg->written);
  mid = haul_segment_split_point (from, seg->end);
  if (mid < 0)
    return -1;
  tail.start = tail.written = tail.synced = mid;
  tail.end = seg->end;
  seg->end = mid;
  g_array_insert_val (self->ctx.rd->segments, index + 1, tail);

  /* Connections of later segments move up one index. */
  for (guint i = 0; i < self->conns->len; i++)
    {
      HaulConnection *conn = g_ptr_array_index (self->conns, i);
      guint at = haul_connection_get_segment (conn);

      if (at > index)
        haul_connection_set_segment (conn, at + 1);
    }
  return (int) index + 1;
}

static void
fill_connections (HaulDownload *self)
{
  guint target = 1;

  if (self->settling != SETTLE_NONE || self->preparing_files)
    return;

  if (all_complete (self) && self->conns->len == 0)
    {
      settle (self, SETTLE_COMPLETE, NULL);
      return;
    }

  /* Segment only when the size is known, the server accepts ranges, and a resume can be
   * proven safe; until the first response, one connection finds all that out. */
  if (self->files_ready && !self->ctx.ranges_broken && self->ctx.rd->accept_ranges &&
      self->ctx.rd->total >= HAUL_SEGMENT_THRESHOLD && haul_resume_data_is_resumable (self->ctx.rd))
    target = self->max_segments;

  while (self->conns->len < target && self->retry_source == 0)
    {
      int index = -1;

      for (guint i = 0; i < self->ctx.rd->segments->len && index < 0; i++)
        {
          HaulSegment *seg = segment (self, i);

          if ((seg->end < 0 || seg->written < seg->end) && conn_find (self, i) == NULL)
            index = (int) i;
        }
      if (index < 0 && target > 1)
        index = split_largest (self);
      if (index < 0)
        break;

      /* A resume without a validator cannot be proven safe: start over instead. */
      if (segment (self, index)->written > 0 &&
          (!haul_resume_data_is_resumable (self->ctx.rd) || self->ctx.ranges_broken))
        {
          restart (self, self->ctx.ranges_broken ? HAUL_RESTART_NO_RANGES : HAUL_RESTART_NO_VALIDATOR, NULL);
          return;
        }
      start_conn (self, (guint) index);
    }
}

static void
request_save (HaulDownload *self,
              gboolean      durable)
{
  if (self->files_ready)
    haul_checkpointer_save (self->checkpoints, durable);
}

/* ---- settling: complete, restart, fail, cancel -------------------------------------- */

/* What kind of failure @error is, when nothing more precise was noted where it arose. */
static HaulErrorKind
kind_of (const GError *error)
{
  if (error->domain == G_TLS_ERROR)
    return HAUL_ERROR_KIND_TLS;
  if (g_error_matches (error, HAUL_ERROR, HAUL_ERROR_CHECKSUM_MISMATCH))
    return HAUL_ERROR_KIND_CHECKSUM;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    return HAUL_ERROR_KIND_DISK_FULL;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY))
    return HAUL_ERROR_KIND_PERMISSION;
  return HAUL_ERROR_KIND_LOCAL_IO;
}

static void
complete_task (HaulDownload *self,
               GError       *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->error_kind = HAUL_ERROR_KIND_NONE;
  else if (self->error_kind == HAUL_ERROR_KIND_NONE)
    self->error_kind = kind_of (error);

  g_clear_handle_id (&self->rate_source, g_source_remove);
  end_wait (self);
  g_cancellable_disconnect (g_task_get_cancellable (task), self->cancelled_id);
  self->cancelled_id = 0;
  /* Nothing is in flight: the files close before the caller hears. */
  if (self->checkpoints != NULL)
    haul_checkpointer_detach (self->checkpoints);
  g_clear_object (&self->checkpoints);
  g_clear_object (&self->ctx.part);
  _haul_download_clear_fd (&self->dirfd);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
finish_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  HaulDownload *self = HAUL_DOWNLOAD (object);
  GError *error = NULL;
  char *final_name = _haul_download_put_in_place_finish (result, &error);

  if (final_name == NULL)
    {
      complete_task (self, error);
      return;
    }
  g_free (self->final_name);
  self->final_name = final_name;
  complete_task (self, NULL);
}

static void
start_finish (HaulDownload *self,
              gboolean      part_present)
{
  HaulFinishJob *job = g_new0 (HaulFinishJob, 1);
  HaulResumeData *rd = self->ctx.rd;

  rd->complete = TRUE;
  for (guint i = 0; i < rd->segments->len; i++)
    segment (self, i)->synced = segment (self, i)->written;

  job->dirfd = self->dirfd;
  job->part_fd = self->ctx.part != NULL ? haul_part_file_get_fd (self->ctx.part) : -1;
  job->name = g_strdup (rd->filename);
  job->name_fixed = self->filename_fixed;
  job->overwrite = self->overwrite;
  job->sha256 = g_strdup (self->sha256);
  job->json = haul_resume_data_to_json (rd, &job->json_length);
  job->part_present = part_present;
  job->mtime = self->server_time ? http_date_to_unix (rd->last_modified) : -1;
  _haul_download_put_in_place_async (G_OBJECT (self), job, finish_cb, NULL);
}

/* The first restart of a run goes at once (the file changed; the server turned out not to
 * take ranges); one that follows a fruitless try waits as a retry does. */
static void
fill_after_restart (HaulDownload *self)
{
  if (self->fruitless > 1)
    wait_then_fill (self, backoff_ms (self, 0), self->restart_reason);
  else
    fill_connections (self);
}

static void
truncate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  HaulDownload *self = user_data;
  g_autoptr(GError) error = NULL;

  self->settling = SETTLE_NONE;
  if (!haul_part_file_truncate_finish (HAUL_PART_FILE (object), result, &error))
    {
      settle (self, SETTLE_FAIL,
              g_error_new (error->domain, error->code, _("Could not truncate “%s”: %s"),
                           self->filename, error->message));
      return;
    }
  request_save (self, TRUE);
  fill_after_restart (self);
}

/* Every connection has stopped and every write has landed: act. */
static void
maybe_settled (HaulDownload *self)
{
  GError *error;

  if (self->settling == SETTLE_NONE || self->settling == SETTLE_DONE || self->preparing ||
      self->conns->len > 0 || (self->checkpoints != NULL &&
                               haul_checkpointer_is_busy (self->checkpoints)) ||
      self->task == NULL)
    return;

  switch (self->settling)
    {
    case SETTLE_COMPLETE:
      self->settling = SETTLE_DONE; /* stays settled: nothing else may start */
      start_finish (self, TRUE);
      break;

    case SETTLE_RESTART:
      {
        g_autofree char *message = g_strdup_printf (_("%s; starting over from the beginning"),
                                                    self->restart_reason);

        /* Starting over is one more try: a server that breaks every attempt the same way
         * makes the download fail, not loop. */
        self->settling = SETTLE_NONE;
        self->transient_kind = HAUL_ERROR_KIND_SERVER;
        if (!count_fruitless (self, self->restart_reason))
          break;
        self->settling = SETTLE_RESTART;
        notice (self, message);
        self->restarted = TRUE;
        haul_resume_data_reset (self->ctx.rd);
        if (!self->files_ready)
          {
            self->settling = SETTLE_NONE;
            fill_after_restart (self);
            break;
          }
        haul_part_file_truncate_async (self->ctx.part, NULL, truncate_cb, self);
      }
      break;

    case SETTLE_FAIL:
    case SETTLE_CANCEL:
      if (self->files_ready && !self->final_saved)
        {
          /* Save the resume data once more, durably; the save comes back here. */
          self->final_saved = TRUE;
          request_save (self, TRUE);
          return;
        }
      error = g_steal_pointer (&self->failure);
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
      self->settling = SETTLE_DONE;
      complete_task (self, error);
      break;

    case SETTLE_SKIP:
      self->settling = SETTLE_DONE;
      self->already_complete = TRUE;
      g_free (self->final_name);
      self->final_name = g_strdup (self->filename);
      complete_task (self, NULL);
      break;

    case SETTLE_NONE:
    case SETTLE_DONE:
    default:
      break;
    }
}

static gboolean
reap_idle_cb (gpointer user_data)
{
  HaulDownload *self = user_data;
  g_autoptr(GPtrArray) idle = g_ptr_array_new ();

  self->reap_source = 0;
  for (guint i = 0; i < self->conns->len; i++)
    {
      HaulConnection *conn = g_ptr_array_index (self->conns, i);

      if (haul_connection_is_idle (conn))
        g_ptr_array_add (idle, conn);
    }
  for (guint i = 0; i < idle->len; i++)
    haul_connection_stop (g_ptr_array_index (idle, i));
  return G_SOURCE_REMOVE;
}

/* Starts over from the beginning, for @why (unless the download already settles). */
static void
restart (HaulDownload *self,
         HaulRestart   why,
         const char   *detail)
{
  if (self->settling == SETTLE_NONE)
    {
      g_free (self->restart_reason);
      self->restart_reason = haul_restart_describe (why, detail, NULL);
    }
  settle (self, SETTLE_RESTART, NULL);
}

static void
settle (HaulDownload *self,
        SettleAction  action,
        GError       *error)
{
  if (self->settling == SETTLE_DONE)
    {
      g_clear_error (&error);
      return;
    }
  if (self->settling != SETTLE_NONE)
    {
      /* A failure or a cancel outranks a restart or completion already under way; the
       * bytes read are kept then. */
      if ((action == SETTLE_FAIL || action == SETTLE_CANCEL) &&
          (self->settling == SETTLE_RESTART || self->settling == SETTLE_COMPLETE))
        {
          self->settling = action;
          g_clear_error (&self->failure);
          self->failure = error;
          for (guint i = 0; i < self->conns->len; i++)
            haul_connection_cancel (g_ptr_array_index (self->conns, i), TRUE);
        }
      else if (error != NULL)
        g_error_free (error);
      return;
    }

  self->settling = action;
  if (action == SETTLE_RESTART)
    g_assert (error == NULL);   /* restart() set the reason */
  else
    {
      g_clear_error (&self->failure);
      self->failure = error;
    }

  end_wait (self);

  /* Connections waiting on an operation stop from its callback; the others (waiting for
   * the rate limiter) from an idle, never from here: a caller may be inside one. A
   * download that starts over drops what was read and not yet written. */
  for (guint i = self->conns->len; i > 0; i--)
    haul_connection_cancel (g_ptr_array_index (self->conns, i - 1), action != SETTLE_RESTART);
  if (self->reap_source == 0)
    self->reap_source = g_idle_add (reap_idle_cb, self);

  maybe_settled (self);
}

/* ---- preparation -------------------------------------------------------------------- */

static gboolean
update_rate_cb (gpointer user_data)
{
  HaulDownload *self = user_data;
  gint64 now = g_get_monotonic_time ();
  guint64 bytes = haul_download_get_bytes_received (self);
  double instant;

  if (self->rate_last_us > 0 && now > self->rate_last_us && bytes >= self->rate_last_bytes)
    {
      instant = (double) (bytes - self->rate_last_bytes) * 1e6 / (double) (now - self->rate_last_us);
      self->rate = self->rate == 0 ? (guint64) instant
                                   : (guint64) (0.7 * (double) self->rate + 0.3 * instant);
    }
  self->rate_last_us = now;
  self->rate_last_bytes = bytes;
  return G_SOURCE_CONTINUE;
}

static void
prepare_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  HaulDownload *self = HAUL_DOWNLOAD (object);
  GError *error = NULL;
  HaulPrepare *prep = _haul_download_prepare_finish (result, &error);

  self->preparing = FALSE;
  if (prep == NULL)
    {
      self->settling = SETTLE_DONE;
      complete_task (self, error);
      return;
    }

  self->dirfd = g_steal_fd (&prep->dirfd);

  if (prep->already_complete)
    {
      g_free (self->final_name);
      self->final_name = g_strdup (prep->name);
      g_free (self->filename);
      self->filename = g_strdup (prep->name);
      notice (self, _("The file was already downloaded"));
      self->already_complete = TRUE;
      self->settling = SETTLE_DONE;
      complete_task (self, NULL);
      return;
    }
  self->existing_size = prep->existing_size;
  self->existing_mtime = prep->existing_mtime;
  self->ctx.relinked = prep->relinked;
  if (prep->restart_reason != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("%s; starting over from the beginning"),
                                                  prep->restart_reason);
      notice (self, message);
      self->restarted = TRUE;
    }

  if (prep->rd != NULL)
    {
      HaulResumeData *rd = g_steal_pointer (&prep->rd);

      /* The command line wins over what an earlier run asked for. */
      g_free (rd->uri);
      rd->uri = g_strdup (self->uri);
      if (self->sha256 != NULL)
        {
          g_free (rd->sha256);
          rd->sha256 = g_strdup (self->sha256);
        }
      rd->max_segments = self->max_segments;
      g_strfreev (rd->headers);
      rd->headers = g_strdupv (self->ctx.headers);
      if (self->owner != NULL)
        {
          g_free (rd->owner);
          rd->owner = g_strdup (self->owner);
        }

      haul_resume_data_free (self->ctx.rd);
      self->ctx.rd = rd;
      files_made (self, g_steal_fd (&prep->part_fd), g_steal_fd (&prep->direct_fd));
      self->filename_fixed = TRUE;
      self->resumed_from = haul_resume_data_get_written (rd);
      self->high_water = (gint64) self->resumed_from;
      g_free (self->filename);
      self->filename = g_strdup (rd->filename);
    }
  else if (prep->name != NULL)
    {
      g_free (self->ctx.rd->filename);
      self->ctx.rd->filename = g_strdup (prep->name);
    }

  self->rate_source = g_timeout_add (500, update_rate_cb, self);

  if (self->settling != SETTLE_NONE)
    {
      /* Cancelled while preparing. */
      maybe_settled (self);
      return;
    }

  if (prep->finish_only)
    {
      self->settling = SETTLE_DONE;
      start_finish (self, TRUE);
      return;
    }

  fill_connections (self);
}

static gboolean
cancel_idle_cb (gpointer user_data)
{
  g_autoptr(HaulDownload) self = user_data;

  if (self->task != NULL && self->settling != SETTLE_DONE)
    settle (self, SETTLE_CANCEL, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_task_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  HaulDownload *self = user_data;

  /* This may run in another thread, or inside g_cancellable_connect(), where the task
   * cannot be completed (disconnecting from there would deadlock): defer to an idle. */
  g_idle_add (cancel_idle_cb, g_object_ref (self));
}

/**
 * haul_download_run_async:
 * @self: a download
 * @cancellable: (nullable): cancel to pause: resume data is saved before the task returns
 * @callback: called when the download completed, failed, or was cancelled
 * @user_data: data for @callback
 *
 * Runs the download to the end. Transient failures are retried inside the operation; it
 * completes only when the file is in place, when a permanent error happened, when the
 * retries ran out, or when @cancellable was cancelled. Cancel it from the main context.
 */
void
haul_download_run_async (HaulDownload        *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  HaulPrepare *prep;

  g_return_if_fail (HAUL_IS_DOWNLOAD (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haul_download_run_async);
  g_task_set_check_cancellable (task, FALSE);

  /* A download's state (offsets, settling, files) belongs to its one run. */
  if (self->ran)
    {
      g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_INVALID_STATE,
                               _("This download has already run; start a new one"));
      return;
    }
  self->ran = TRUE;

  /* Whatever the caller read these from (a state file, say), no request is built from a
   * URL or a header that a client could not have given. */
  if (!haul_check_uri (self->uri, &error) ||
      !haul_check_header_lines ((const char * const *) self->ctx.headers, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->task = g_object_ref (task);

  if (self->ctx.session == NULL)
    self->ctx.session = haul_session_new (NULL);

  self->ctx.rd = haul_resume_data_new ();
  self->ctx.rd->uri = g_strdup (self->uri);
  self->ctx.rd->filename = g_strdup (self->filename);
  self->ctx.rd->boot_id = g_strdup (haul_get_boot_id ());
  self->ctx.rd->created_at = g_get_real_time () / G_USEC_PER_SEC;
  self->ctx.rd->sha256 = g_strdup (self->sha256);
  self->ctx.rd->max_segments = self->max_segments;
  self->ctx.rd->headers = g_strdupv (self->ctx.headers);
  self->ctx.rd->owner = g_strdup (self->owner);

  if (cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_task_cancelled_cb),
                                                self, NULL);

  prep = g_new0 (HaulPrepare, 1);
  prep->directory = g_strdup (self->directory);
  prep->name = g_strdup (self->filename_fixed ? self->filename : NULL);
  prep->uri = g_strdup (self->uri);
  prep->previous_uri = g_strdup (self->previous_uri);
  prep->owner = self->filename_fixed ? NULL : g_strdup (self->owner);
  prep->any_uri = self->same_file;
  prep->overwrite = self->overwrite;
  prep->check_existing = self->check_existing && self->filename_fixed;
  prep->find_by_uri = self->resume_by_uri && !self->filename_fixed;
  prep->sha256 = g_strdup (self->sha256);
  prep->saved_resume_data = g_strdup (self->saved_resume_data);
  prep->dirfd = -1;
  prep->part_fd = -1;
  prep->direct_fd = -1;
  self->preparing = TRUE;
  _haul_download_prepare_async (G_OBJECT (self), prep, prepare_cb, NULL);
}

gboolean
haul_download_run_finish (HaulDownload  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- object ------------------------------------------------------------------------- */

static void
haul_download_dispose (GObject *object)
{
  HaulDownload *self = HAUL_DOWNLOAD (object);

  g_clear_handle_id (&self->rate_source, g_source_remove);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->reap_source, g_source_remove);
  if (self->checkpoints != NULL)
    haul_checkpointer_detach (self->checkpoints);
  g_clear_object (&self->checkpoints);
  g_clear_object (&self->ctx.part);
  g_clear_object (&self->ctx.session);
  g_clear_pointer (&self->ctx.limiter, haul_rate_limiter_unref);

  G_OBJECT_CLASS (haul_download_parent_class)->dispose (object);
}

static void
haul_download_finalize (GObject *object)
{
  HaulDownload *self = HAUL_DOWNLOAD (object);

  g_free (self->uri);
  g_free (self->directory);
  g_free (self->filename);
  g_strfreev (self->ctx.headers);
  g_free (self->sha256);
  g_free (self->saved_resume_data);
  g_free (self->restart_reason);
  g_free (self->final_name);
  g_free (self->previous_uri);
  g_free (self->owner);
  g_free (self->suggested_name);
  g_free (self->retry_why);
  g_clear_error (&self->failure);
  g_clear_pointer (&self->ctx.rd, haul_resume_data_free);
  g_clear_pointer (&self->conns, g_ptr_array_unref);
  _haul_download_clear_fd (&self->dirfd);

  G_OBJECT_CLASS (haul_download_parent_class)->finalize (object);
}

static void
haul_download_class_init (HaulDownloadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haul_download_dispose;
  object_class->finalize = haul_download_finalize;

  /**
   * HaulDownload::notice:
   * @self: the download
   * @message: a sentence for a person
   *
   * Emitted when something worth telling happened that is not an error: a retry is
   * scheduled, the download starts over, or it was already complete.
   */
  signals[NOTICE] = g_signal_new ("notice",
                                  G_TYPE_FROM_CLASS (klass),
                                  G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * HaulDownload::retry-wait:
   * @self: the download
   * @until: wall-clock time (µs, as g_get_real_time()) of the next try, or 0 when the
   *   back-off is over and the download runs again
   * @why: (nullable): the transient error that is waited out
   *
   * Emitted when a transient error made the download wait before its next try, and when
   * that wait ends.
   */
  signals[RETRY_WAIT] = g_signal_new ("retry-wait",
                                      G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);

  /**
   * HaulDownload::resume-data-saved:
   * @self: the download
   * @json: the resume data, as saved beside the file
   *
   * Emitted after each durable checkpoint: the resume data and the data it vouches for
   * are on disk. A caller that keeps a copy can give it back with
   * haul_download_set_saved_resume_data() should the file beside the data be lost.
   */
  signals[RESUME_DATA_SAVED] = g_signal_new ("resume-data-saved",
                                             G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST,
                                             0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
haul_download_init (HaulDownload *self)
{
  self->max_segments = 4;
  self->retries = 10;
  self->ctx.stall_timeout_ms = 30 * 1000;
  self->retry_base_ms = 1000;
  self->dirfd = -1;
  self->conns = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_connection_free);
}

/**
 * haul_download_new:
 * @uri: an http or https URL
 * @directory: the absolute path of an existing directory
 * @filename: (nullable): the name to save as, or %NULL to take the server's
 *
 * Returns: (transfer full): a new download
 */
HaulDownload *
haul_download_new (const char *uri,
                   const char *directory,
                   const char *filename)
{
  HaulDownload *self;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (directory != NULL, NULL);

  self = g_object_new (HAUL_TYPE_DOWNLOAD, NULL);
  self->uri = g_strdup (uri);
  self->directory = g_strdup (directory);
  self->filename = g_strdup (filename);
  self->filename_fixed = filename != NULL;
  return self;
}

void
haul_download_set_session (HaulDownload *self,
                           SoupSession  *session)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_set_object (&self->ctx.session, session);
}

void
haul_download_set_headers (HaulDownload       *self,
                           const char * const *headers)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_strfreev (self->ctx.headers);
  self->ctx.headers = g_strdupv ((char **) headers);
}

void
haul_download_set_sha256 (HaulDownload *self,
                          const char   *sha256)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_free (self->sha256);
  self->sha256 = g_ascii_strdown (sha256, -1);
}

void
haul_download_set_max_segments (HaulDownload *self,
                                guint         segments)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_return_if_fail (segments >= 1 && segments <= HAUL_MAX_SEGMENTS);
  self->max_segments = segments;
}

void
haul_download_set_retries (HaulDownload *self,
                           guint         retries)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  self->retries = retries;
}

void
haul_download_set_overwrite (HaulDownload *self,
                             gboolean      overwrite)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  self->overwrite = !!overwrite;
}

void
haul_download_set_rate_limiter (HaulDownload    *self,
                                HaulRateLimiter *limiter)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_clear_pointer (&self->ctx.limiter, haul_rate_limiter_unref);
  if (limiter != NULL)
    self->ctx.limiter = haul_rate_limiter_ref (limiter);
}

void
haul_download_set_stall_timeout (HaulDownload *self,
                                 guint         milliseconds)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_return_if_fail (milliseconds > 0);
  self->ctx.stall_timeout_ms = milliseconds;
}

/**
 * haul_download_set_saved_resume_data:
 * @self: a download that has not started
 * @json: (nullable): resume data this download's name saved before (see
 *   #HaulDownload::resume-data-saved)
 *
 * Used only when the resume data beside the partial file is missing: it is put back and
 * the download continues from it, with the usual boot-id rule.
 */
void
haul_download_set_saved_resume_data (HaulDownload *self,
                                     const char   *json)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_free (self->saved_resume_data);
  self->saved_resume_data = g_strdup (json);
}

/**
 * haul_download_set_suggested_name:
 * @self: a download whose name is not fixed
 * @name: (nullable): a safe basename to use instead of the server's
 *
 * The download is saved under @name, or "NAME (1).EXT" and so on when that is taken.
 */
void
haul_download_set_suggested_name (HaulDownload *self,
                                  const char   *name)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_return_if_fail (name == NULL || haul_check_file_name (name, -1, NULL));
  g_free (self->suggested_name);
  self->suggested_name = g_strdup (name);
}

/**
 * haul_download_set_previous_uri:
 * @self: a download that has not started
 * @uri: (nullable): the URL this download had before it was given a fresh link
 *
 * Partial data fetched from @uri is continued from the new URL, if the server proves it
 * the same file (every validator and the size agree). Partial data from any other URL
 * makes the download start over.
 */
void
haul_download_set_previous_uri (HaulDownload *self,
                                const char   *uri)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_free (self->previous_uri);
  self->previous_uri = g_strdup (uri);
}

/**
 * haul_download_set_owner:
 * @self: a download that has not started
 * @owner: (nullable): a token that names the caller's transfer for good
 *
 * Written into the resume data. A download whose name is not fixed first looks for
 * resume data of the same owner, and continues it: a caller killed between the moment
 * the engine claimed a name and the moment it noted it finds its files again, and never
 * takes another transfer's (as a search by URL could).
 */
void
haul_download_set_owner (HaulDownload *self,
                         const char   *owner)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_free (self->owner);
  self->owner = g_strdup (owner);
}

/**
 * haul_download_set_same_file:
 * @self: a download that has not started
 * @same_file: the caller vouches that the partial data is of this file, whatever URL it
 *   came from
 *
 * As haul_download_set_previous_uri(), for partial data of any URL: the server must still
 * prove it the same file.
 */
void
haul_download_set_same_file (HaulDownload *self,
                             gboolean      same_file)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  self->same_file = !!same_file;
}

/**
 * haul_download_set_check_existing:
 * @self: a download with a fixed name
 * @check_existing: take a file already at the name as done when it is the server's file
 *
 * With a SHA-256 set, the file in place is verified against it; otherwise it counts as
 * the server's when its size and modification time are those of the first response (see
 * haul_download_set_server_time()). Anything else is refused, as without this option.
 */
void
haul_download_set_check_existing (HaulDownload *self,
                                  gboolean      check_existing)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  self->check_existing = !!check_existing;
}

/**
 * haul_download_set_resume_by_uri:
 * @self: a download whose name is not fixed
 * @resume_by_uri: look for the resume data of an earlier run of the same URL in the
 *   directory, and continue it
 *
 * That is how running the same command again resumes. A caller that keeps track of its
 * downloads' names (the daemon) leaves it off: two of its downloads may share a URL.
 */
void
haul_download_set_resume_by_uri (HaulDownload *self,
                                 gboolean      resume_by_uri)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  self->resume_by_uri = !!resume_by_uri;
}

/**
 * haul_download_set_server_time:
 * @self: a download
 * @server_time: give the file the server's Last-Modified date as its modification time
 */
void
haul_download_set_server_time (HaulDownload *self,
                               gboolean      server_time)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  self->server_time = !!server_time;
}

/**
 * haul_download_set_fruitless_tries:
 * @self: a download that has not started
 * @tries: tries in a row without progress that earlier runs of the same file made
 *
 * A caller that runs a file again after a failed try (the daemon, after a back-off of
 * its own) carries the count over, so that the limit of haul_download_set_retries()
 * holds across runs.
 */
void
haul_download_set_fruitless_tries (HaulDownload *self,
                                   guint         tries)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  self->fruitless = tries;
}

guint
haul_download_get_fruitless_tries (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), 0);
  return self->fruitless;
}

void
haul_download_set_retry_base (HaulDownload *self,
                              guint         milliseconds)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_return_if_fail (milliseconds > 0);
  self->retry_base_ms = milliseconds;
}

const char *
haul_download_get_uri (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), NULL);
  return self->uri;
}

const char *
haul_download_get_effective_uri (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), NULL);
  if (self->ctx.rd != NULL && self->ctx.rd->effective_uri != NULL)
    return self->ctx.rd->effective_uri;
  return self->uri;
}

/**
 * haul_download_get_filename:
 * @self: a download
 *
 * Returns: (nullable): the name of the file once known: the final one after completion
 */
const char *
haul_download_get_filename (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), NULL);
  return self->final_name != NULL ? self->final_name : self->filename;
}

char *
haul_download_get_path (HaulDownload *self)
{
  const char *name = haul_download_get_filename (self);

  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), NULL);
  return name != NULL ? g_build_filename (self->directory, name, NULL) : NULL;
}

guint64
haul_download_get_bytes_received (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), 0);
  if (self->ctx.rd == NULL)
    return 0;
  return (guint64) (haul_resume_data_get_written (self->ctx.rd) + buffered (self));
}

guint64
haul_download_get_bytes_total (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), 0);
  return self->ctx.rd != NULL && self->ctx.rd->total > 0 ? (guint64) self->ctx.rd->total : 0;
}

guint64
haul_download_get_resumed_from (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), 0);
  return self->resumed_from;
}

guint64
haul_download_get_rate (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), 0);
  return self->rate;
}

gboolean
haul_download_get_resumable (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), FALSE);
  return self->ctx.rd != NULL && haul_resume_data_is_resumable (self->ctx.rd);
}

/**
 * haul_download_get_error_kind:
 * @self: a download whose run failed
 *
 * Returns: what kind of failure ended the run (the last cause, once the tries ran out),
 *   %HAUL_ERROR_KIND_NONE when it did not fail
 */
HaulErrorKind
haul_download_get_error_kind (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), HAUL_ERROR_KIND_NONE);
  return self->error_kind;
}

/**
 * haul_download_get_already_complete:
 * @self: a download that completed
 *
 * Returns: %TRUE if the run found the file already downloaded and fetched nothing
 */
gboolean
haul_download_get_already_complete (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), FALSE);
  return self->already_complete;
}

gboolean
haul_download_get_restarted (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), FALSE);
  return self->restarted;
}
