/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-download"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "haul-check.h"
#include "haul-download.h"
#include "haul-download-private.h"
#include "haul-error.h"
#include "haul-filename.h"
#include "haul-http.h"
#include "haul-io.h"
#include "haul-part-file.h"
#include "haul-rate-limiter.h"
#include "haul-restart.h"
#include "haul-resume-data.h"
#include "haul-schedule.h"
#include "haul-state.h"

#define MAX_REDIRECTS        20
#define BUFFER_SIZE          HAUL_BUFFER_SIZE
#define MIN_BUFFER_SIZE      (256 * 1024)
#define FLUSH_INTERVAL_US    (200 * 1000)

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

/* One HTTP connection filling one segment of the file. Reads go into one buffer while the
 * other is written by a worker thread, so the network and the disk work at the same time. */
typedef struct
{
  HaulDownload  *self;
  guint          seg;
  SoupMessage   *msg;
  GInputStream  *stream;
  GCancellable  *cancellable;
  GUri          *uri;
  guint          redirects;
  gboolean       fresh;
  gint64         read_pos;
  gint64         body_end;
  guint8        *bufs[2];
  gsize          buf_size;
  guint          cur;
  gsize          filled;
  gint64         buf_start;
  gint64         buf_first_us;
  gsize          granted;
  gboolean       busy;
  gboolean       writing;
  gboolean       read_done;
  gboolean       stalled;
  gboolean       probed;
  gboolean       stopping;
  gboolean       waiting_for_write;
  guint          stall_source;
  guint          limiter_source;
} Conn;

struct _HaulDownload
{
  GObject          parent_instance;

  char            *uri;
  char            *directory;
  char            *filename;
  gboolean         filename_fixed;
  GStrv            headers;
  char            *sha256;
  guint            max_segments;
  guint            retries;
  gboolean         overwrite;
  guint            stall_timeout_ms;
  guint            retry_base_ms;
  SoupSession     *session;
  HaulRateLimiter *limiter;

  GTask           *task;
  GCancellable    *cancellable;
  gulong           cancelled_id;
  HaulFd           dirfd;
  HaulFd           part_fd;
  HaulFd           direct_fd;
  int              direct_failed;
  HaulResumeData  *rd;
  gboolean         files_ready;
  gboolean         preparing_files;
  gboolean         ranges_broken;
  GPtrArray       *conns;
  guint            pending_writes;
  gint64           buffered;
  SettleAction     settling;
  GError          *failure;
  char            *restart_reason;  /* why it starts over, in words */
  guint            fruitless;
  guint            retry_source;
  guint            reap_source;
  guint            rate_source;
  guint64          rate;
  guint64          rate_last_bytes;
  gint64           rate_last_us;
  guint64          resumed_from;
  gboolean         restarted;
  gboolean         preparing;
  gboolean         final_saved;
  gboolean         ran;
  gboolean         already_complete;
  char            *final_name;

  char            *previous_uri;
  char            *owner;
  gboolean         same_file;
  gboolean         relinked;
  gboolean         check_existing;
  gboolean         resume_by_uri;
  gboolean         server_time;
  gint64           existing_size;
  gint64           existing_mtime;
  char            *suggested_name;
  gint64           high_water;
  gint64           retry_until;
  char            *retry_why;
  gboolean         retry_announced;
  HaulErrorKind    error_kind;       /* of the failure that ended the run */
  HaulErrorKind    transient_kind;   /* of the last error worth retrying */

  char            *saved_resume_data;
  gboolean         save_in_flight;
  gboolean         save_queued;
  gboolean         save_queued_durable;
  gint64           last_light_save_us;
  gint64           last_durable_save_us;
  gint64           durable_written;
};

G_DEFINE_FINAL_TYPE (HaulDownload, haul_download, G_TYPE_OBJECT)

enum {
  NOTICE,
  RETRY_WAIT,
  RESUME_DATA_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void fill_connections  (HaulDownload *self);
static void restart           (HaulDownload *self,
                               HaulRestart   why,
                               const char   *detail);
static void settle            (HaulDownload *self,
                               SettleAction  action,
                               GError       *error);
static void maybe_settled     (HaulDownload *self);
static void conn_read         (Conn         *conn);
static void conn_flush        (Conn         *conn);
static void conn_flush_all    (Conn         *conn);
static void conn_send         (Conn         *conn);
static void request_save      (HaulDownload *self,
                               gboolean      durable);
static void announce_wait     (HaulDownload *self);
static void fill_after_restart (HaulDownload *self);

static void
notice (HaulDownload *self,
        const char   *message)
{
  g_debug ("%s: %s", self->uri, message);
  g_signal_emit (self, signals[NOTICE], 0, message);
}

static gboolean
is_single_stream (HaulDownload *self)
{
  return self->rd->segments->len == 1;
}

static HaulSegment *
segment (HaulDownload *self,
         guint         index)
{
  return haul_resume_data_get_segment (self->rd, index);
}

/* ---- connections ------------------------------------------------------------------- */

static void
conn_free (Conn *conn)
{
  g_clear_handle_id (&conn->stall_source, g_source_remove);
  g_clear_handle_id (&conn->limiter_source, g_source_remove);
  g_clear_object (&conn->cancellable);
  g_clear_object (&conn->stream);
  g_clear_object (&conn->msg);
  g_clear_pointer (&conn->uri, g_uri_unref);
  g_aligned_free (conn->bufs[0]);
  g_aligned_free (conn->bufs[1]);
  g_free (conn);
}

static Conn *
conn_find (HaulDownload *self,
           guint         seg)
{
  for (guint i = 0; i < self->conns->len; i++)
    {
      Conn *conn = g_ptr_array_index (self->conns, i);

      if (conn->seg == seg)
        return conn;
    }
  return NULL;
}

/* Removes a connection once nothing of it is in flight. */
static void
conn_release (Conn *conn)
{
  HaulDownload *self = conn->self;

  g_assert (!conn->busy && !conn->writing);

  g_ptr_array_remove (self->conns, conn);
  if (self->settling != SETTLE_NONE)
    maybe_settled (self);
  else
    {
      fill_connections (self);
      announce_wait (self);
    }
}

/* Stops a connection: keeps the bytes already read (unless starting over), then releases
 * it when its last write has landed. */
static void
conn_stop (Conn *conn)
{
  HaulDownload *self = conn->self;

  g_clear_handle_id (&conn->stall_source, g_source_remove);
  g_clear_handle_id (&conn->limiter_source, g_source_remove);
  conn->stopping = TRUE;

  if (conn->busy)
    return;

  if (conn->filled > 0 && !conn->writing && self->settling != SETTLE_RESTART)
    conn_flush_all (conn);
  else if (conn->filled > 0 && !conn->writing)
    {
      self->buffered -= conn->filled;
      conn->filled = 0;
    }

  if (!conn->writing)
    conn_release (conn);
}

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

/* A connection failed: decide whether the whole download fails, waits, or starts over.
 * @status is the HTTP status that made it fail, or 0 when no answer did. */
static void
conn_error (Conn   *conn,
            GError *error,
            guint   status,
            guint   retry_after)
{
  HaulDownload *self = conn->self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && conn->stalled)
    {
      guint seconds = (self->stall_timeout_ms + 999) / 1000;

      g_clear_error (&error);
      error = g_error_new (HAUL_ERROR, HAUL_ERROR_TRANSIENT,
                           g_dngettext (GETTEXT_PACKAGE, "No data received for %u second",
                                        "No data received for %u seconds", seconds),
                           seconds);
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->settling != SETTLE_NONE)
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

  conn_stop (conn);
}

static gboolean
on_stall_cb (gpointer user_data)
{
  Conn *conn = user_data;

  conn->stall_source = 0;
  conn->stalled = TRUE;
  g_cancellable_cancel (conn->cancellable);
  return G_SOURCE_REMOVE;
}

static void
conn_arm_stall_timer (Conn *conn)
{
  g_clear_handle_id (&conn->stall_source, g_source_remove);
  conn->stall_source = g_timeout_add (conn->self->stall_timeout_ms, on_stall_cb, conn);
}

/* ---- writing ------------------------------------------------------------------------ */

typedef struct
{
  int          *direct_failed;   /* the download's, atomic; the task keeps it alive */
  int           fd;
  int           direct_fd;
  guint8       *buf;
  gsize         len;
  gint64        offset;
} WriteJob;

/* Writes in a worker thread, by the rules of haul_part_file_write(). */
static void
write_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteJob *job = task_data;
  GError *error = NULL;
  gsize written = 0;

  if (!haul_part_file_write (job->fd, job->direct_fd, job->direct_failed, job->buf, job->len,
                             job->offset, &written, &error))
    {
      /* Report the bytes that did land so that they are not fetched again. */
      job->len = written;
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
write_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  HaulDownload *self = HAUL_DOWNLOAD (object);
  Conn *conn = user_data;
  WriteJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  HaulSegment *seg;
  gint64 now = g_get_monotonic_time ();

  g_task_propagate_boolean (G_TASK (result), &error);

  self->pending_writes--;
  conn->writing = FALSE;

  seg = segment (self, conn->seg);
  g_assert (seg->written == job->offset);
  seg->written += job->len;
  self->buffered -= job->len;

  if (error != NULL)
    {
      /* What did not land, and what was read after it, can no longer be written in order. */
      self->buffered -= conn->buf_start - seg->written + conn->filled;
      conn->filled = 0;
      conn->buf_start = seg->written;
      conn->stopping = TRUE;
    }

  if (error != NULL)
    {
      GError *local = g_error_new (error->domain, error->code, _("Could not write “%s”: %s"),
                                   self->filename, error->message);

      settle (self, SETTLE_FAIL, local);
    }
  else if (self->settling == SETTLE_NONE)
    {
      /* The policy is haul_checkpoint_due()'s (haul-schedule.c). */
      switch (haul_checkpoint_due (now - self->last_durable_save_us, now - self->last_light_save_us,
                                   haul_resume_data_get_written (self->rd) - self->durable_written,
                                   is_single_stream (self)))
        {
        case HAUL_CHECKPOINT_DURABLE:
          request_save (self, TRUE);
          break;
        case HAUL_CHECKPOINT_LIGHT:
          request_save (self, FALSE);
          break;
        case HAUL_CHECKPOINT_NONE:
        default:
          break;
        }
    }

  if (conn->stopping)
    {
      conn_stop (conn);
      return;
    }

  if (conn->filled > 0 && conn->read_done)
    conn_flush_all (conn);
  else if (conn->filled == conn->buf_size)
    conn_flush (conn);

  if (conn->read_done && conn->filled == 0 && !conn->writing)
    {
      conn_release (conn);
      return;
    }

  if (conn->waiting_for_write)
    {
      conn->waiting_for_write = FALSE;
      conn_read (conn);
    }
}

/* Hands the filled buffer to a worker thread and switches to the other one. Unless
 * @all, only whole blocks up to an aligned offset go, so that the next write starts
 * aligned; the few bytes after move to the other buffer. */
static void
conn_flush_full (Conn     *conn,
                 gboolean  all)
{
  HaulDownload *self = conn->self;
  g_autoptr(GTask) task = NULL;
  WriteJob *job;
  gsize len = conn->filled;
  gsize rest;

  if (conn->filled == 0 || conn->writing)
    return;

  if (!all)
    {
      gsize cut = (gsize) ((conn->buf_start + (gint64) conn->filled) % HAUL_DIRECT_ALIGN);

      if (cut >= conn->filled)
        return;
      len = conn->filled - cut;
    }
  rest = conn->filled - len;

  job = g_new0 (WriteJob, 1);
  job->direct_failed = &self->direct_failed;
  job->fd = self->part_fd;
  job->direct_fd = self->direct_fd;
  job->buf = conn->bufs[conn->cur];
  job->len = len;
  job->offset = conn->buf_start;

  if (rest > 0)
    memcpy (conn->bufs[conn->cur ^ 1], conn->bufs[conn->cur] + len, rest);
  conn->cur ^= 1;
  conn->buf_start += len;
  conn->filled = rest;
  conn->buf_first_us = g_get_monotonic_time ();
  conn->writing = TRUE;
  self->pending_writes++;

  task = g_task_new (self, NULL, write_done_cb, conn);
  g_task_set_source_tag (task, conn_flush_full);
  g_task_set_task_data (task, job, g_free);
  haul_io_run_in_thread (task, HAUL_IO_WRITE, write_worker);
}

static void
conn_flush (Conn *conn)
{
  conn_flush_full (conn, FALSE);
}

static void
conn_flush_all (Conn *conn)
{
  conn_flush_full (conn, TRUE);
}

/* ---- reading ------------------------------------------------------------------------ */

/* The connection has read all it will: release it once its last write has landed. */
static void
conn_finish_reading (Conn *conn)
{
  conn->read_done = TRUE;
  g_clear_handle_id (&conn->stall_source, g_source_remove);
  g_clear_object (&conn->stream);
  conn_flush_all (conn);
  if (!conn->writing)
    conn_release (conn);
}

static void
conn_body_done (Conn *conn)
{
  HaulDownload *self = conn->self;
  HaulSegment *seg = segment (self, conn->seg);

  if (seg->end < 0 && !conn->probed && conn->read_pos > 0 && self->rd->accept_ranges &&
      !self->ranges_broken && haul_resume_data_is_resumable (self->rd))
    {
      /* A body of unknown length ended. libsoup reports a chunked body cut between two
       * chunks as a clean end, so prove it: asking for what follows gets a 416 only if
       * nothing does. */
      conn->probed = TRUE;
      g_clear_object (&conn->stream);
      conn_flush (conn);
      conn_send (conn);
      return;
    }

  if (seg->end < 0)
    {
      /* The size was unknown until the end of the body. */
      seg->end = conn->read_pos;
      self->rd->total = conn->read_pos;
    }

  if (conn->read_pos < seg->end && conn->body_end >= 0 && conn->read_pos >= conn->body_end)
    {
      /* The server sent less of the range than we asked for; ask for the rest. */
      g_clear_object (&conn->stream);
      conn_flush (conn);
      conn_send (conn);
      return;
    }

  conn_finish_reading (conn);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Conn *conn = user_data;
  HaulDownload *self = conn->self;
  GError *error = NULL;
  gssize n;
  gint64 now;

  conn->busy = FALSE;
  g_clear_handle_id (&conn->stall_source, g_source_remove);
  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (self->limiter != NULL && conn->granted > (gsize) MAX (n, 0))
    haul_rate_limiter_refund (self->limiter, conn->granted - MAX (n, 0));
  conn->granted = 0;

  if (conn->stopping)
    {
      g_clear_error (&error);
      conn_stop (conn);
      return;
    }

  if (n > 0)
    {
      now = g_get_monotonic_time ();
      if (conn->filled == 0)
        conn->buf_first_us = now;
      conn->filled += n;
      conn->read_pos += n;
      self->buffered += n;
      /* Progress counts only where no earlier try of this run got: bytes a restart will
       * throw away again are not progress. */
      if ((gint64) haul_download_get_bytes_received (self) > self->high_water)
        {
          self->high_water = (gint64) haul_download_get_bytes_received (self);
          self->fruitless = 0;
        }

      if (conn->filled == conn->buf_size ||
          now - conn->buf_first_us >= FLUSH_INTERVAL_US ||
          conn->read_pos == segment (self, conn->seg)->end)
        conn_flush (conn);

      if (conn->read_pos == segment (self, conn->seg)->end)
        {
          conn_body_done (conn);
          return;
        }
      conn_read (conn);
      return;
    }

  if (error != NULL)
    {
      /* Keep what arrived before the failure. */
      conn_error (conn, error, 0, 0);
      return;
    }

  /* End of the body. */
  if (conn->body_end >= 0 && conn->read_pos < conn->body_end)
    {
      conn_error (conn, g_error_new (HAUL_ERROR, HAUL_ERROR_TRANSIENT,
                                     _("The server closed the connection early")), 0, 0);
      return;
    }
  conn_body_done (conn);
}

static gboolean
on_limiter_ready_cb (gpointer user_data)
{
  Conn *conn = user_data;

  conn->limiter_source = 0;
  conn_read (conn);
  return G_SOURCE_REMOVE;
}

static void
conn_read (Conn *conn)
{
  HaulDownload *self = conn->self;
  HaulSegment *seg = segment (self, conn->seg);
  gsize want;

  if (conn->stopping)
    {
      conn_stop (conn);
      return;
    }

  /* The segment may have been split since the last read. */
  if (seg->end >= 0 && conn->read_pos >= seg->end)
    {
      conn_body_done (conn);
      return;
    }

  if (conn->filled == conn->buf_size)
    {
      conn_flush (conn);
      if (conn->filled == conn->buf_size)
        {
          conn->waiting_for_write = TRUE;
          return;
        }
    }

  want = conn->buf_size - conn->filled;
  if (seg->end >= 0)
    want = (gsize) MIN ((gint64) want, seg->end - conn->read_pos);

  if (self->limiter != NULL)
    {
      gint64 wait_us;
      gsize granted = haul_rate_limiter_take (self->limiter, want, &wait_us);

      if (granted == 0)
        {
          /* Put what we have on disk while we wait, so that progress is visible. */
          conn_flush (conn);
          conn->limiter_source = haul_rate_limiter_wait (self->limiter, wait_us,
                                                         on_limiter_ready_cb, conn);
          return;
        }
      want = granted;
      conn->granted = granted;
    }

  conn->busy = TRUE;
  conn_arm_stall_timer (conn);
  g_input_stream_read_async (conn->stream, conn->bufs[conn->cur] + conn->filled, want,
                             G_PRIORITY_DEFAULT, conn->cancellable, read_cb, conn);
}

/* ---- responses ---------------------------------------------------------------------- */

static gboolean
validators_match (HaulDownload       *self,
                  SoupMessageHeaders *headers)
{
  const char *etag = soup_message_headers_get_one (headers, "ETag");
  const char *last_modified = soup_message_headers_get_one (headers, "Last-Modified");

  /* Data from another URL continues only on positive proof: every validator we have is
   * answered, and equal. */
  if (self->relinked)
    {
      if (self->rd->etag == NULL && self->rd->last_modified == NULL)
        return FALSE;
      return (self->rd->etag == NULL || g_strcmp0 (self->rd->etag, etag) == 0) &&
             (self->rd->last_modified == NULL ||
              g_strcmp0 (self->rd->last_modified, last_modified) == 0);
    }
  if (self->rd->etag != NULL && etag != NULL)
    return g_str_equal (self->rd->etag, etag);
  if (self->rd->last_modified != NULL && last_modified != NULL)
    return g_str_equal (self->rd->last_modified, last_modified);
  return TRUE;
}

/* A plain GET was answered with the whole file. Returns %FALSE if that answer contradicts
 * what the download already relies on, and it must start over. */
static gboolean
record_first_response (HaulDownload       *self,
                       Conn               *conn,
                       SoupMessageHeaders *headers)
{
  HaulResumeData *rd = self->rd;
  const char *accept_ranges = soup_message_headers_get_one (headers, "Accept-Ranges");
  gint64 total = -1;
  g_autofree char *effective = g_uri_to_string (conn->uri);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    total = soup_message_headers_get_content_length (headers);

  g_free (rd->effective_uri);
  rd->effective_uri = g_steal_pointer (&effective);

  if (!is_single_stream (self))
    {
      /* The segments were laid out (from resume data) while this request was on its way:
       * the answer must be the same file, and this connection reads segment 0 only. */
      conn->body_end = total;
      return total == rd->total && validators_match (self, headers);
    }

  g_free (rd->etag);
  rd->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));
  if (!haul_http_etag_is_strong (rd->etag))
    g_clear_pointer (&rd->etag, g_free);
  g_free (rd->last_modified);
  rd->last_modified = g_strdup (soup_message_headers_get_one (headers, "Last-Modified"));
  rd->accept_ranges = accept_ranges != NULL && g_ascii_strcasecmp (accept_ranges, "bytes") == 0;
  rd->total = total;
  segment (self, 0)->end = total;
  conn->body_end = total;
  return TRUE;
}

typedef struct
{
  char *chosen_name;
  char *suggested_name;
  char *content_disposition;
  GUri *final_uri;
  int   direct_fd;
} PrepareFiles;

static void
prepare_files_free (PrepareFiles *pf)
{
  _haul_download_clear_fd (&pf->direct_fd);
  g_free (pf->chosen_name);
  g_free (pf->suggested_name);
  g_free (pf->content_disposition);
  g_clear_pointer (&pf->final_uri, g_uri_unref);
  g_free (pf);
}

/* Claims the name and creates the files, in that order, so that a `.part` never exists
 * without resume data: the resume data is created only where no file of its name exists
 * (two downloads racing for a name cannot both have it), then the `.part` beside it. A
 * name that is not fixed takes the first free candidate, "NAME", "NAME (1)", … */
static void
prepare_files_worker (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  HaulDownload *self = source_object;
  PrepareFiles *pf = task_data;
  g_autofree char *json = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  int fd = -1;

  if (!self->filename_fixed)
    base = pf->suggested_name != NULL ? g_strdup (pf->suggested_name)
                                      : haul_filename_choose (pf->content_disposition,
                                                              pf->final_uri);

  for (guint n = 0; fd < 0; n++)
    {
      g_autofree char *candidate = base != NULL ? haul_filename_candidate (base, n)
                                                : g_strdup (self->rd->filename);
      g_autofree char *jname = _haul_download_json_name (candidate);
      g_autofree char *pname = _haul_download_part_name (candidate);
      int saved_errno;

      if (n > 9999)
        {
          g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_FAILED,
                                   _("No free name for “%s”"), base);
          return;
        }
      if (base != NULL && !_haul_download_name_is_free (self->dirfd, candidate))
        continue;

      g_free (self->rd->filename);
      self->rd->filename = g_strdup (candidate);
      g_free (json);
      json = haul_resume_data_to_json (self->rd, &len);
      if (!haul_write_file_exclusively_at (self->dirfd, jname, json, len, &error))
        {
          /* Taken since we looked: by another download, most likely. */
          if (base != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
            {
              g_clear_error (&error);
              continue;
            }
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
            {
              g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_UNTRUSTED_PART,
                                       _("“%s” was created by another program meanwhile; it was left untouched"),
                                       jname);
              return;
            }
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      fd = openat (self->dirfd, pname, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd >= 0)
        {
          pf->direct_fd = _haul_download_open_direct_at (self->dirfd, pname);
          break;
        }
      saved_errno = errno;
      /* Our resume data names a `.part` we could not create: it goes again. */
      unlinkat (self->dirfd, jname, 0);
      if (base != NULL && saved_errno == EEXIST)
        continue;
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Could not create “%s”: %s"), pname, g_strerror (saved_errno));
      return;
    }
  pf->chosen_name = g_strdup (self->rd->filename);
  g_task_return_int (task, fd);
}

static void
prepare_files_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  HaulDownload *self = HAUL_DOWNLOAD (object);
  Conn *conn = user_data;
  GError *error = NULL;
  gssize fd;

  self->preparing_files = FALSE;
  conn->busy = FALSE;
  fd = g_task_propagate_int (G_TASK (result), &error);
  if (fd < 0)
    {
      settle (self, SETTLE_FAIL, error);
      conn_stop (conn);
      return;
    }

  self->part_fd = (int) fd;
  self->direct_fd = g_steal_fd (&((PrepareFiles *) g_task_get_task_data (G_TASK (result)))->direct_fd);
  self->files_ready = TRUE;
  g_free (self->filename);
  self->filename = g_strdup (self->rd->filename);
  self->last_durable_save_us = g_get_monotonic_time ();
  self->durable_written = haul_resume_data_get_written (self->rd);

  if (conn->stopping)
    {
      conn_stop (conn);
      return;
    }
  conn_read (conn);
  fill_connections (self);
}

static void
start_body (Conn *conn)
{
  HaulDownload *self = conn->self;
  PrepareFiles *pf;
  g_autoptr(GTask) task = NULL;

  /* Bytes of an earlier response may still wait in the buffer. */
  conn->buf_start = conn->read_pos - (gint64) conn->filled;
  if (conn->bufs[0] == NULL)
    {
      conn->bufs[0] = g_aligned_alloc (1, conn->buf_size, HAUL_DIRECT_ALIGN);
      conn->bufs[1] = g_aligned_alloc (1, conn->buf_size, HAUL_DIRECT_ALIGN);
    }

  if (self->files_ready)
    {
      conn_read (conn);
      fill_connections (self);
      return;
    }

  pf = g_new0 (PrepareFiles, 1);
  pf->direct_fd = -1;
  pf->content_disposition =
    g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (conn->msg),
                                            "Content-Disposition"));
  pf->final_uri = g_uri_ref (conn->uri);
  pf->suggested_name = g_strdup (self->suggested_name);

  self->preparing_files = TRUE;
  conn->busy = TRUE;
  task = g_task_new (self, NULL, prepare_files_cb, conn);
  g_task_set_source_tag (task, start_body);
  g_task_set_task_data (task, pf, (GDestroyNotify) prepare_files_free);
  haul_io_run_in_thread (task, HAUL_IO_FILES, prepare_files_worker);
}

static guint
get_retry_after (SoupMessage *msg)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                    "Retry-After");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  guint delay = 0;

  if (value != NULL && haul_http_parse_retry_after (value, now, &delay))
    return MAX (delay, 1);
  return 0;
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
conn_handle_response (Conn *conn)
{
  HaulDownload *self = conn->self;
  SoupMessageHeaders *headers = soup_message_get_response_headers (conn->msg);
  guint status = soup_message_get_status (conn->msg);
  HaulSegment *seg = segment (self, conn->seg);
  gint64 start, end, total;

  if (status == SOUP_STATUS_OK)
    {
      if (!conn->fresh)
        {
          /* With If-Range, a 200 means the file changed; with the same validators, that
           * the server ignores ranges, which this run then stops asking for. */
          gboolean changed = !validators_match (self, headers);

          self->ranges_broken = !changed;
          restart (self, changed ? HAUL_RESTART_FILE_CHANGED : HAUL_RESTART_RANGE_IGNORED, NULL);
          conn_stop (conn);
          return;
        }
      if (self->existing_size >= 0)
        {
          compare_existing (self, headers);
          conn_stop (conn);
          return;
        }
      if (!record_first_response (self, conn, headers))
        {
          restart (self, HAUL_RESTART_FILE_CHANGED, NULL);
          conn_stop (conn);
          return;
        }
      if (self->files_ready)
        request_save (self, TRUE);
      start_body (conn);
      return;
    }

  if (status == SOUP_STATUS_PARTIAL_CONTENT && !conn->fresh)
    {
      const char *value = soup_message_headers_get_one (headers, "Content-Range");

      if (!haul_http_parse_content_range (value, &start, &end, &total) || start < 0 ||
          start != conn->read_pos || (self->rd->total >= 0 && total != self->rd->total) ||
          (self->relinked && (self->rd->total < 0 || total != self->rd->total)))
        {
          self->ranges_broken = TRUE;
          restart (self, HAUL_RESTART_RANGE_MISMATCH, value);
          conn_stop (conn);
          return;
        }
      if (!validators_match (self, headers))
        {
          restart (self, HAUL_RESTART_FILE_CHANGED, NULL);
          conn_stop (conn);
          return;
        }
      if (self->rd->total < 0 && total >= 0)
        {
          self->rd->total = total;
          seg->end = total;
        }
      conn->body_end = end + 1;
      start_body (conn);
      return;
    }

  if (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && !conn->fresh)
    {
      const char *value = soup_message_headers_get_one (headers, "Content-Range");

      /* We asked for bytes=N- with N the size of the file: it is complete. */
      if (haul_http_parse_content_range (value, &start, &end, &total) && start < 0 &&
          total == conn->read_pos && is_single_stream (self) && validators_match (self, headers))
        {
          seg->end = total;
          self->rd->total = total;
          conn_finish_reading (conn);
          return;
        }
      /* A server that refuses a range of a file it has not sent in full is not asked for
       * ranges again in this run: it gets one plain request. */
      self->ranges_broken = TRUE;
      restart (self, HAUL_RESTART_RANGE_REFUSED, NULL);
      conn_stop (conn);
      return;
    }

  if (haul_http_status_is_transient (status))
    {
      conn_error (conn, g_error_new (HAUL_ERROR, HAUL_ERROR_TRANSIENT,
                                     _("The server answered %u %s"), status,
                                     soup_message_get_reason_phrase (conn->msg)),
                  status, get_retry_after (conn->msg));
      return;
    }

  if (status == SOUP_STATUS_PARTIAL_CONTENT)
    {
      conn_error (conn, g_error_new (HAUL_ERROR, HAUL_ERROR_TRANSIENT,
                                     _("The server sent a partial response to a plain request")),
                  status, 0);
      return;
    }

  conn_error (conn, g_error_new (HAUL_ERROR, HAUL_ERROR_HTTP, _("The server answered %u %s"),
                                 status, soup_message_get_reason_phrase (conn->msg)), status, 0);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Conn *conn = user_data;
  GError *error = NULL;
  guint status;

  conn->busy = FALSE;
  g_clear_handle_id (&conn->stall_source, g_source_remove);
  conn->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);

  if (conn->stopping)
    {
      g_clear_error (&error);
      conn_stop (conn);
      return;
    }
  if (conn->stream == NULL)
    {
      conn_error (conn, error, 0, 0);
      return;
    }

  status = soup_message_get_status (conn->msg);
  if (SOUP_STATUS_IS_REDIRECTION (status) && status != 304)
    {
      const char *location = soup_message_headers_get_one (soup_message_get_response_headers (conn->msg),
                                                           "Location");
      g_autoptr(GUri) next = NULL;

      if (location != NULL)
        next = g_uri_parse_relative (conn->uri, location, G_URI_FLAGS_ENCODED, NULL);
      if (next == NULL)
        {
          conn_error (conn, g_error_new (HAUL_ERROR, HAUL_ERROR_HTTP,
                                         _("The server redirected to an invalid address")), 0, 0);
          return;
        }
      if (!haul_check_guri (next, &error))
        {
          GError *refused = g_error_new (HAUL_ERROR, error->code,
                                         _("The server redirected to an unsupported address: %s"),
                                         error->message);

          g_clear_error (&error);
          conn_error (conn, refused, 0, 0);
          return;
        }
      if (++conn->redirects > MAX_REDIRECTS)
        {
          conn_error (conn, g_error_new (HAUL_ERROR, HAUL_ERROR_TOO_MANY_REDIRECTS,
                                         _("Too many redirects (more than %d)"), MAX_REDIRECTS),
                      0, 0);
          return;
        }
      g_clear_object (&conn->stream);
      g_uri_unref (conn->uri);
      conn->uri = g_steal_pointer (&next);
      conn_send (conn);
      return;
    }

  conn_handle_response (conn);
}

static void
conn_send (Conn *conn)
{
  HaulDownload *self = conn->self;
  HaulSegment *seg = segment (self, conn->seg);
  SoupMessageHeaders *headers;

  g_clear_object (&conn->msg);
  conn->msg = soup_message_new_from_uri (SOUP_METHOD_GET, conn->uri);
  soup_message_add_flags (conn->msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (conn->msg);

  for (guint i = 0; self->headers != NULL && self->headers[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      /* Checked when the run started. */
      if (haul_check_header_line (self->headers[i], &name, &value, NULL))
        soup_message_headers_append (headers, name, value);
    }
  soup_message_headers_replace (headers, "Accept-Encoding", "identity");

  conn->fresh = conn->read_pos == 0 && is_single_stream (self);
  if (!conn->fresh)
    {
      g_autofree char *range = NULL;

      if (seg->end >= 0)
        range = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                                 conn->read_pos, seg->end - 1);
      else
        range = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", conn->read_pos);
      soup_message_headers_replace (headers, "Range", range);
      soup_message_headers_replace (headers, "If-Range",
                                    self->rd->etag != NULL ? self->rd->etag
                                                           : self->rd->last_modified);
    }

  conn->body_end = -1;
  conn->busy = TRUE;
  conn_arm_stall_timer (conn);
  soup_session_send_async (self->session, conn->msg, G_PRIORITY_DEFAULT, conn->cancellable,
                           send_cb, conn);
}

static void
start_conn (HaulDownload *self,
            guint         index)
{
  HaulSegment *seg = segment (self, index);
  Conn *conn = g_new0 (Conn, 1);
  guint slots = MAX (self->max_segments, 1);

  conn->self = self;
  conn->seg = index;
  conn->cancellable = g_cancellable_new ();
  conn->uri = g_uri_parse (self->uri, G_URI_FLAGS_ENCODED, NULL);
  conn->read_pos = seg->written;
  /* Two buffers per connection; several connections share a budget of about 4 MiB. */
  conn->buf_size = slots == 1 ? BUFFER_SIZE : MAX (MIN_BUFFER_SIZE, 2 * BUFFER_SIZE / slots);
  g_ptr_array_add (self->conns, conn);
  conn_send (conn);
}

/* ---- scheduling --------------------------------------------------------------------- */

static gboolean
all_complete (HaulDownload *self)
{
  for (guint i = 0; i < self->rd->segments->len; i++)
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
  Conn *best = NULL;
  gint64 best_left = 0;
  HaulSegment *seg;
  HaulSegment tail;
  gint64 mid;

  for (guint i = 0; i < self->conns->len; i++)
    {
      Conn *conn = g_ptr_array_index (self->conns, i);
      gint64 left;

      seg = segment (self, conn->seg);
      if (conn->stopping || conn->read_done || seg->end < 0)
        continue;
      left = seg->end - MAX (conn->read_pos, seg->written);
      if (left > best_left)
        {
          best = conn;
          best_left = left;
        }
    }

  if (best == NULL)
    return -1;
  seg = segment (self, best->seg);
  mid = haul_segment_split_point (MAX (best->read_pos, seg->written), seg->end);
  if (mid < 0)
    return -1;
  tail.start = tail.written = tail.synced = mid;
  tail.end = seg->end;
  seg->end = mid;
  g_array_insert_val (self->rd->segments, best->seg + 1, tail);

  /* Connections of later segments move up one index. */
  for (guint i = 0; i < self->conns->len; i++)
    {
      Conn *conn = g_ptr_array_index (self->conns, i);

      if (conn->seg > best->seg)
        conn->seg++;
    }
  return (int) best->seg + 1;
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
  if (self->files_ready && !self->ranges_broken && self->rd->accept_ranges &&
      self->rd->total >= HAUL_SEGMENT_THRESHOLD && haul_resume_data_is_resumable (self->rd))
    target = self->max_segments;

  while (self->conns->len < target && self->retry_source == 0)
    {
      int index = -1;

      for (guint i = 0; i < self->rd->segments->len && index < 0; i++)
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
          (!haul_resume_data_is_resumable (self->rd) || self->ranges_broken))
        {
          restart (self, self->ranges_broken ? HAUL_RESTART_NO_RANGES : HAUL_RESTART_NO_VALIDATOR, NULL);
          return;
        }
      start_conn (self, (guint) index);
    }
}

/* ---- saving ------------------------------------------------------------------------- */

typedef struct
{
  int       dirfd;
  int       part_fd;
  char     *name;
  char     *contents;
  gsize     length;
  gboolean  durable;
  GArray   *synced;   /* pairs of (segment start, synced offset) to apply when done */
} SaveJob;

static void
save_job_free (SaveJob *job)
{
  g_free (job->name);
  g_free (job->contents);
  g_clear_pointer (&job->synced, g_array_unref);
  g_free (job);
}

static void
save_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveJob *job = task_data;
  g_autoptr(GError) error = NULL;

  /* The data must be on disk before the resume data that vouches for it. */
  if (job->durable && job->part_fd >= 0 && fdatasync (job->part_fd) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               "%s", g_strerror (saved_errno));
      return;
    }
  if (!haul_write_file_atomically_at (job->dirfd, job->name, job->contents, job->length,
                                      job->durable, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  HaulDownload *self = HAUL_DOWNLOAD (object);
  SaveJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->save_in_flight = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      GError *local = g_error_new (error->domain, error->code,
                                   _("Could not save the resume data: %s"), error->message);
      settle (self, SETTLE_FAIL, local);
    }
  else if (job->synced != NULL)
    {
      /* A checkpoint: the resume data is on disk, with its data flushed. */
      g_signal_emit (self, signals[RESUME_DATA_SAVED], 0, job->contents);

      for (guint i = 0; i < job->synced->len; i += 2)
        {
          gint64 start = g_array_index (job->synced, gint64, i);
          gint64 synced = g_array_index (job->synced, gint64, i + 1);

          for (guint j = 0; j < self->rd->segments->len; j++)
            {
              HaulSegment *seg = segment (self, j);

              if (seg->start == start)
                seg->synced = MAX (seg->synced, MIN (synced, seg->written));
            }
        }
    }

  if (self->save_queued)
    {
      self->save_queued = FALSE;
      request_save (self, self->save_queued_durable);
      return;
    }
  maybe_settled (self);
}

/* Saves the resume data in a worker thread. A durable save first flushes the `.part`, and
 * so may record every byte written so far as synced. One save runs at a time. */
static void
request_save (HaulDownload *self,
              gboolean      durable)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *jname = NULL;
  SaveJob *job;
  GArray *synced = NULL;
  GArray *saved_synced;

  if (!self->files_ready)
    return;

  if (self->save_in_flight)
    {
      self->save_queued_durable = self->save_queued ? (self->save_queued_durable || durable) : durable;
      self->save_queued = TRUE;
      return;
    }

  self->last_light_save_us = g_get_monotonic_time ();
  if (durable)
    {
      self->last_durable_save_us = self->last_light_save_us;
      self->durable_written = haul_resume_data_get_written (self->rd);
      synced = g_array_new (FALSE, FALSE, sizeof (gint64));
      saved_synced = g_array_new (FALSE, FALSE, sizeof (gint64));
      for (guint i = 0; i < self->rd->segments->len; i++)
        {
          HaulSegment *seg = segment (self, i);

          g_array_append_val (saved_synced, seg->synced);
          g_array_append_val (synced, seg->start);
          g_array_append_val (synced, seg->written);
          seg->synced = seg->written;
        }
    }

  jname = _haul_download_json_name (self->rd->filename);
  job = g_new0 (SaveJob, 1);
  job->dirfd = self->dirfd;
  job->part_fd = self->part_fd;
  job->name = g_steal_pointer (&jname);
  job->contents = haul_resume_data_to_json (self->rd, &job->length);
  job->durable = durable;
  job->synced = synced;

  if (durable)
    {
      /* Only the file on disk says synced until the fdatasync has happened. */
      for (guint i = 0; i < self->rd->segments->len; i++)
        segment (self, i)->synced = g_array_index (saved_synced, gint64, i);
      g_array_unref (saved_synced);
    }

  self->save_in_flight = TRUE;
  task = g_task_new (self, NULL, save_done_cb, NULL);
  g_task_set_source_tag (task, request_save);
  g_task_set_task_data (task, job, (GDestroyNotify) save_job_free);
  haul_io_run_in_thread (task, HAUL_IO_FILES, save_worker);
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
  _haul_download_clear_fd (&self->part_fd);
  _haul_download_clear_fd (&self->direct_fd);
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
  HaulFinishJob *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      complete_task (self, error);
      return;
    }
  g_free (self->final_name);
  self->final_name = g_strdup (job->final_name);
  complete_task (self, NULL);
}

static void
start_finish (HaulDownload *self,
              gboolean      part_present)
{
  g_autoptr(GTask) task = NULL;
  HaulFinishJob *job = g_new0 (HaulFinishJob, 1);

  self->rd->complete = TRUE;
  for (guint i = 0; i < self->rd->segments->len; i++)
    segment (self, i)->synced = segment (self, i)->written;

  job->dirfd = self->dirfd;
  job->part_fd = self->part_fd;
  job->name = g_strdup (self->rd->filename);
  job->name_fixed = self->filename_fixed;
  job->overwrite = self->overwrite;
  job->sha256 = g_strdup (self->sha256);
  job->json = haul_resume_data_to_json (self->rd, &job->json_length);
  job->part_present = part_present;
  job->mtime = self->server_time ? http_date_to_unix (self->rd->last_modified) : -1;

  task = g_task_new (self, NULL, finish_cb, NULL);
  g_task_set_source_tag (task, start_finish);
  g_task_set_task_data (task, job, (GDestroyNotify) _haul_download_finish_job_free);
  haul_io_run_in_thread (task, HAUL_IO_FILES, _haul_download_finish_worker);
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
truncate_worker (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  HaulDownload *self = source_object;

  if (ftruncate (self->part_fd, 0) != 0)
    {
      int saved_errno = errno;
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Could not truncate “%s”: %s"), self->filename,
                               g_strerror (saved_errno));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
truncate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  HaulDownload *self = HAUL_DOWNLOAD (object);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      self->settling = SETTLE_NONE;
      settle (self, SETTLE_FAIL, error);
      return;
    }

  self->settling = SETTLE_NONE;
  request_save (self, TRUE);
  fill_after_restart (self);
}

/* Every connection has stopped and every write has landed: act. */
static void
maybe_settled (HaulDownload *self)
{
  g_autoptr(GTask) task = NULL;
  GError *error;

  if (self->settling == SETTLE_NONE || self->settling == SETTLE_DONE || self->preparing ||
      self->conns->len > 0 || self->pending_writes > 0 || self->save_in_flight ||
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
        haul_resume_data_reset (self->rd);
        if (!self->files_ready)
          {
            self->settling = SETTLE_NONE;
            fill_after_restart (self);
            break;
          }
        task = g_task_new (self, NULL, truncate_cb, NULL);
        g_task_set_source_tag (task, maybe_settled);
        haul_io_run_in_thread (task, HAUL_IO_FILES, truncate_worker);
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
      Conn *conn = g_ptr_array_index (self->conns, i);

      if (!conn->busy && !conn->writing)
        g_ptr_array_add (idle, conn);
    }
  for (guint i = 0; i < idle->len; i++)
    conn_stop (g_ptr_array_index (idle, i));
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
      /* A failure or a cancel outranks a restart or completion already under way. */
      if ((action == SETTLE_FAIL || action == SETTLE_CANCEL) &&
          (self->settling == SETTLE_RESTART || self->settling == SETTLE_COMPLETE))
        {
          self->settling = action;
          g_clear_error (&self->failure);
          self->failure = error;
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

  for (guint i = self->conns->len; i > 0; i--)
    {
      Conn *conn = g_ptr_array_index (self->conns, i - 1);

      conn->stopping = TRUE;
      g_cancellable_cancel (conn->cancellable);
    }
  /* Connections waiting on an operation stop from its callback; the others (waiting for
   * the rate limiter) from an idle, never from here: a caller may be inside one. */
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
  HaulPrepare *prep = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  self->preparing = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
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
  self->relinked = prep->relinked;
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
      rd->headers = g_strdupv (self->headers);
      if (self->owner != NULL)
        {
          g_free (rd->owner);
          rd->owner = g_strdup (self->owner);
        }

      haul_resume_data_free (self->rd);
      self->rd = rd;
      self->part_fd = g_steal_fd (&prep->part_fd);
      self->direct_fd = g_steal_fd (&prep->direct_fd);
      self->files_ready = TRUE;
      self->filename_fixed = TRUE;
      self->resumed_from = haul_resume_data_get_written (rd);
      self->high_water = (gint64) self->resumed_from;
      g_free (self->filename);
      self->filename = g_strdup (rd->filename);
    }
  else if (prep->name != NULL)
    {
      g_free (self->rd->filename);
      self->rd->filename = g_strdup (prep->name);
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
      !haul_check_header_lines ((const char * const *) self->headers, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->task = g_object_ref (task);

  if (self->session == NULL)
    self->session = haul_session_new (NULL);

  self->rd = haul_resume_data_new ();
  self->rd->uri = g_strdup (self->uri);
  self->rd->filename = g_strdup (self->filename);
  self->rd->boot_id = g_strdup (haul_get_boot_id ());
  self->rd->created_at = g_get_real_time () / G_USEC_PER_SEC;
  self->rd->sha256 = g_strdup (self->sha256);
  self->rd->max_segments = self->max_segments;
  self->rd->headers = g_strdupv (self->headers);
  self->rd->owner = g_strdup (self->owner);

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

  {
    g_autoptr(GTask) prep_task = g_task_new (self, NULL, prepare_cb, NULL);

    g_task_set_source_tag (prep_task, haul_download_run_async);
    g_task_set_task_data (prep_task, prep, (GDestroyNotify) _haul_download_prepare_free);
    haul_io_run_in_thread (prep_task, HAUL_IO_FILES, _haul_download_prepare_worker);
  }
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
  g_clear_object (&self->session);
  g_clear_pointer (&self->limiter, haul_rate_limiter_unref);

  G_OBJECT_CLASS (haul_download_parent_class)->dispose (object);
}

static void
haul_download_finalize (GObject *object)
{
  HaulDownload *self = HAUL_DOWNLOAD (object);

  g_free (self->uri);
  g_free (self->directory);
  g_free (self->filename);
  g_strfreev (self->headers);
  g_free (self->sha256);
  g_free (self->saved_resume_data);
  g_free (self->restart_reason);
  g_free (self->final_name);
  g_free (self->previous_uri);
  g_free (self->owner);
  g_free (self->suggested_name);
  g_free (self->retry_why);
  g_clear_error (&self->failure);
  g_clear_pointer (&self->rd, haul_resume_data_free);
  g_clear_pointer (&self->conns, g_ptr_array_unref);
  _haul_download_clear_fd (&self->part_fd);
  _haul_download_clear_fd (&self->direct_fd);
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
  self->stall_timeout_ms = 30 * 1000;
  self->retry_base_ms = 1000;
  self->dirfd = -1;
  self->part_fd = -1;
  self->direct_fd = -1;
  self->conns = g_ptr_array_new_with_free_func ((GDestroyNotify) conn_free);
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
  g_set_object (&self->session, session);
}

void
haul_download_set_headers (HaulDownload       *self,
                           const char * const *headers)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_strfreev (self->headers);
  self->headers = g_strdupv ((char **) headers);
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
  g_clear_pointer (&self->limiter, haul_rate_limiter_unref);
  if (limiter != NULL)
    self->limiter = haul_rate_limiter_ref (limiter);
}

void
haul_download_set_stall_timeout (HaulDownload *self,
                                 guint         milliseconds)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_return_if_fail (milliseconds > 0);
  self->stall_timeout_ms = milliseconds;
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
  if (self->rd != NULL && self->rd->effective_uri != NULL)
    return self->rd->effective_uri;
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
  if (self->rd == NULL)
    return 0;
  return (guint64) (haul_resume_data_get_written (self->rd) + self->buffered);
}

guint64
haul_download_get_bytes_total (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), 0);
  return self->rd != NULL && self->rd->total > 0 ? (guint64) self->rd->total : 0;
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
  return self->rd != NULL && haul_resume_data_is_resumable (self->rd);
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
