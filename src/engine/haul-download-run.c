/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-download"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "haul-connections.h"
#include "haul-download.h"
#include "haul-download-private.h"
#include "haul-download-run.h"
#include "haul-error.h"
#include "haul-http.h"
#include "haul-rate-limiter.h"
#include "haul-restart.h"
#include "haul-resume-data.h"
#include "haul-retry.h"
#include "haul-run-files.h"
#include "haul-schedule.h"
#include "haul-session.h"

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

/* One run of a download: preparing its files, its connections, settling. The download
 * (haul-download.c) holds the options and makes one run; a map of the parts is in
 * docs/DESIGN.md. */
struct _HaulDownloadRun
{
  GObject                      parent_instance;

  const HaulDownloadOptions   *opts;
  const HaulDownloadRunEvents *events;
  gpointer                     user_data;
  char                        *filename;
  gboolean                     filename_fixed;

  /* What its connections share: the session, limiter, headers, resume data, `.part`. */
  HaulConnectionContext        ctx;
  GTask                       *task;
  gulong                       cancelled_id;
  HaulRunFiles                *files;
  HaulConnection              *claimant;        /* whose answer waits for the files */
  HaulConnections             *conns;
  SettleAction                 settling;
  GError                      *failure;
  char                        *restart_reason;  /* why it starts over, in words */
  HaulRetry                    retry;
  guint                        reap_source;
  guint                        rate_source;
  guint64                      rate;
  guint64                      rate_last_bytes;
  gint64                       rate_last_us;
  guint64                      resumed_from;
  gboolean                     restarted;
  gboolean                     preparing;
  gboolean                     final_saved;
  gboolean                     already_complete;
  char                        *final_name;
  gint64                       existing_size;
  gint64                       existing_mtime;
  HaulErrorKind                error_kind;       /* of the failure that ended the run */
};

G_DEFINE_FINAL_TYPE (HaulDownloadRun, haul_download_run, G_TYPE_OBJECT)

static void fill_connections   (HaulDownloadRun *self);
static void restart            (HaulDownloadRun *self,
                                HaulRestart      why,
                                const char      *detail);
static void settle             (HaulDownloadRun *self,
                                SettleAction     action,
                                GError          *error);
static void maybe_settled      (HaulDownloadRun *self);
static void announce_wait      (HaulDownloadRun *self);
static void fill_after_restart (HaulDownloadRun *self);

static void
notice (HaulDownloadRun *self,
        const char      *message)
{
  g_debug ("%s: %s", self->opts->uri, message);
  self->events->notice (message, self->user_data);
}

/* Bytes written, and read but not yet written. */
static guint64
bytes_received (HaulDownloadRun *self)
{
  if (self->ctx.rd == NULL)
    return 0;
  return (guint64) (haul_resume_data_get_written (self->ctx.rd) +
                    haul_connections_buffered (self->conns));
}

static HaulSegment *
segment (HaulDownloadRun *self,
         guint            index)
{
  return haul_resume_data_get_segment (self->ctx.rd, index);
}

/* ---- tries and waits ---------------------------------------------------------------- */

/* The whole download waits for its next try, with no connection left: say so, once. A
 * connection that waits while others still transfer is not news. */
static void
announce_wait (HaulDownloadRun *self)
{
  if (haul_connections_count (self->conns) > 0 || self->settling != SETTLE_NONE || !haul_retry_announce (&self->retry))
    return;
  self->events->retry_wait (self->retry.until, self->retry.why, self->user_data);
}

/* The wait is over (or abandoned): whoever heard of it hears of its end. */
static void
end_wait (HaulDownloadRun *self)
{
  if (haul_retry_end (&self->retry))
    self->events->retry_wait (0, NULL, self->user_data);
}

static gboolean
retry_fired_cb (gpointer user_data)
{
  HaulDownloadRun *self = user_data;

  self->retry.source = 0;
  end_wait (self);
  fill_connections (self);
  return G_SOURCE_REMOVE;
}

/* Counts a try that brought nothing lasting; %FALSE when that was one too many, and the
 * download fails with @why. */
static gboolean
count_fruitless (HaulDownloadRun *self,
                 const char      *why)
{
  GError *error = haul_retry_count (&self->retry, why);

  if (error == NULL)
    return TRUE;
  self->error_kind = self->retry.transient_kind;
  settle (self, SETTLE_FAIL, g_steal_pointer (&error));
  return FALSE;
}

/* Starts connections again after the back-off (or @retry_after_s), telling why. */
static void
wait_then_fill (HaulDownloadRun *self,
                guint            retry_after_s,
                const char      *why)
{
  g_autofree char *message = haul_retry_wait (&self->retry, retry_after_s, why, retry_fired_cb,
                                              self);

  notice (self, message);
  announce_wait (self);
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
  HaulDownloadRun *self = user_data;
  HaulErrorKind kind;

  if (self->settling != SETTLE_NONE)
    g_error_free (error);
  else if (haul_failure_classify (error, status, &kind) == HAUL_FAILURE_FINAL)
    {
      self->error_kind = kind;
      settle (self, SETTLE_FAIL, g_steal_pointer (&error));
    }
  else
    {
      g_autofree char *why = g_strdup (error->message);

      /* Another connection's failure may have the download wait already. */
      self->retry.transient_kind = kind;
      g_error_free (error);
      if (self->retry.source == 0 && count_fruitless (self, why))
        wait_then_fill (self, retry_after, why);
    }
}

static void
on_conn_restart (HaulConnection *conn,
                 HaulRestart     why,
                 const char     *detail,
                 gpointer        user_data)
{
  HaulDownloadRun *self = user_data;

  if (haul_restart_ends_ranges (why))
    self->ctx.ranges_broken = TRUE;
  restart (self, why, detail);
}

static void
on_conn_received (HaulConnection *conn,
                  gpointer        user_data)
{
  HaulDownloadRun *self = user_data;

  haul_retry_progress (&self->retry, (gint64) bytes_received (self));
}

static void
on_conn_flushed (HaulConnection *conn,
                 const GError   *error,
                 gpointer        user_data)
{
  HaulDownloadRun *self = user_data;

  if (error != NULL)
    settle (self, SETTLE_FAIL,
            g_error_new (error->domain, error->code, _("Could not write “%s”: %s"),
                         self->filename, error->message));
  else if (self->settling == SETTLE_NONE)
    haul_run_files_wrote (self->files);
}

/* Removes a connection once nothing of it is in flight. */
static void
on_conn_released (HaulConnection *conn,
                  gpointer        user_data)
{
  HaulDownloadRun *self = user_data;

  haul_connections_remove (self->conns, conn);
  if (self->settling != SETTLE_NONE)
    maybe_settled (self);
  else
    {
      fill_connections (self);
      announce_wait (self);
    }
}

/* The file is in place already: it is the server's file if its size and its date (which
 * Haul gave it from Last-Modified) are the server's, as wget decides. */
static void
compare_existing (HaulDownloadRun    *self,
                  SoupMessageHeaders *headers)
{
  gint64 length = -1;

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    length = soup_message_headers_get_content_length (headers);
  if (haul_http_is_same_file (length, soup_message_headers_get_one (headers, "Last-Modified"),
                              self->existing_size, self->existing_mtime))
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
  HaulDownloadRun *self = user_data;

  if (error != NULL)
    settle (self, SETTLE_FAIL, g_steal_pointer (&error));
  else if (json != NULL)
    self->events->saved (json, self->user_data);
  maybe_settled (self);
}

/* The files exist, with @fd and @direct_fd: the connections write, and the resume data is
 * saved, from now on. */
static void
files_made (HaulDownloadRun *self,
            int              fd,
            int              direct_fd)
{
  haul_run_files_open (self->files, self->ctx.rd, fd, direct_fd);
  self->ctx.part = g_object_ref (haul_run_files_get_part (self->files));
}

static void
claim_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  HaulDownloadRun *self = user_data;
  HaulConnection *conn = g_steal_pointer (&self->claimant);
  GError *error = NULL;

  if (!haul_run_files_claim_finish (self->files, result, &error))
    {
      settle (self, SETTLE_FAIL, g_steal_pointer (&error));
      haul_connection_stop (conn);
      return;
    }

  self->ctx.part = g_object_ref (haul_run_files_get_part (self->files));
  g_free (self->filename);
  self->filename = g_strdup (self->ctx.rd->filename);
  haul_connection_read_body (conn);
  fill_connections (self);
}

/* An answer was accepted: its body is read once the files exist. */
static void
on_conn_body (HaulConnection     *conn,
              SoupMessageHeaders *first,
              gpointer            user_data)
{
  HaulDownloadRun *self = user_data;

  if (first != NULL && self->existing_size >= 0)
    {
      compare_existing (self, first);
      haul_connection_stop (conn);
      return;
    }
  if (first != NULL)
    haul_run_files_save (self->files, TRUE);

  if (haul_run_files_is_open (self->files))
    {
      haul_connection_read_body (conn);
      fill_connections (self);
      return;
    }

  self->claimant = conn;
  haul_run_files_claim_async (self->files, self->ctx.rd, self->filename_fixed,
                              self->opts->suggested_name,
                              haul_connection_get_response_headers (conn),
                              haul_connection_get_uri (conn), claim_cb, self);
}

static const HaulConnectionEvents conn_events = {
  .body = on_conn_body,
  .received = on_conn_received,
  .flushed = on_conn_flushed,
  .failed = on_conn_failed,
  .restart = on_conn_restart,
  .released = on_conn_released,
};

/* ---- scheduling --------------------------------------------------------------------- */

/* The cancel handler only queues an idle (see on_task_cancelled_cb), and an answer from
 * a worker thread can be dispatched before it: the scheduler asks here before it starts
 * a connection, so that nothing is sent once the caller has cancelled. */
static gboolean
cancel_if_cancelled (HaulDownloadRun *self)
{
  if (self->task == NULL || !g_cancellable_is_cancelled (g_task_get_cancellable (self->task)))
    return FALSE;
  settle (self, SETTLE_CANCEL, NULL);
  return TRUE;
}

static void
fill_connections (HaulDownloadRun *self)
{
  guint target = 1;

  if (self->settling != SETTLE_NONE || haul_run_files_is_claiming (self->files))
    return;

  /* A download whose every byte is written is completed, whatever cancel raced its end
   * (DESIGN.md); only new work waits on the cancel. */
  if (haul_resume_data_all_written (self->ctx.rd) && haul_connections_count (self->conns) == 0)
    {
      settle (self, SETTLE_COMPLETE, NULL);
      return;
    }
  if (cancel_if_cancelled (self))
    return;

  /* Segment only when the size is known, the server accepts ranges, and a resume can be
   * proven safe; until the first response, one connection finds all that out. */
  if (haul_run_files_is_open (self->files) && !self->ctx.ranges_broken && self->ctx.rd->accept_ranges &&
      self->ctx.rd->total >= HAUL_SEGMENT_THRESHOLD && haul_resume_data_is_resumable (self->ctx.rd))
    target = self->opts->max_segments;

  while (haul_connections_count (self->conns) < target && self->retry.source == 0)
    {
      int index = haul_connections_next_segment (self->conns, target > 1);

      if (index < 0)
        break;

      /* A resume without a validator cannot be proven safe: start over instead. */
      if (segment (self, index)->written > 0 &&
          (!haul_resume_data_is_resumable (self->ctx.rd) || self->ctx.ranges_broken))
        {
          restart (self, self->ctx.ranges_broken ? HAUL_RESTART_NO_RANGES : HAUL_RESTART_NO_VALIDATOR, NULL);
          return;
        }
      haul_connections_start (self->conns, (guint) index);
    }
}

/* ---- settling: complete, restart, fail, cancel -------------------------------------- */

static void
complete_task (HaulDownloadRun *self,
               GError          *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->error_kind = HAUL_ERROR_KIND_NONE;
  else if (self->error_kind == HAUL_ERROR_KIND_NONE)
    self->error_kind = haul_failure_kind_of (error);

  g_clear_handle_id (&self->rate_source, g_source_remove);
  end_wait (self);
  g_cancellable_disconnect (g_task_get_cancellable (task), self->cancelled_id);
  self->cancelled_id = 0;
  /* Nothing is in flight: the files close before the caller hears. */
  haul_run_files_close (self->files);
  g_clear_object (&self->ctx.part);
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
  HaulDownloadRun *self = user_data;
  GError *error = NULL;
  char *final_name = haul_run_files_put_in_place_finish (self->files, result, &error);

  if (final_name == NULL)
    {
      complete_task (self, g_steal_pointer (&error));
      return;
    }
  g_free (self->final_name);
  self->final_name = final_name;
  complete_task (self, NULL);
}

static void
start_finish (HaulDownloadRun *self,
              gboolean         part_present)
{
  haul_run_files_put_in_place_async (self->files, self->ctx.rd, self->opts, self->filename_fixed,
                                     part_present, finish_cb, self);
}

/* The first restart of a run goes at once (the file changed; the server turned out not to
 * take ranges); one that follows a fruitless try waits as a retry does. */
static void
fill_after_restart (HaulDownloadRun *self)
{
  if (self->retry.fruitless > 1)
    wait_then_fill (self, 0, self->restart_reason);
  else
    fill_connections (self);
}

static void
truncate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  HaulDownloadRun *self = user_data;
  g_autoptr(GError) error = NULL;

  self->settling = SETTLE_NONE;
  if (!haul_part_file_truncate_finish (HAUL_PART_FILE (object), result, &error))
    {
      settle (self, SETTLE_FAIL,
              g_error_new (error->domain, error->code, _("Could not truncate “%s”: %s"),
                           self->filename, error->message));
      return;
    }
  haul_run_files_save (self->files, TRUE);
  fill_after_restart (self);
}

/* Every connection has stopped and every write has landed: act. */
static void
maybe_settled (HaulDownloadRun *self)
{
  GError *error;

  if (self->settling == SETTLE_NONE || self->settling == SETTLE_DONE || self->preparing ||
      haul_connections_count (self->conns) > 0 || haul_run_files_is_busy (self->files) ||
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
        self->retry.transient_kind = HAUL_ERROR_KIND_SERVER;
        if (!count_fruitless (self, self->restart_reason))
          break;
        self->settling = SETTLE_RESTART;
        notice (self, message);
        self->restarted = TRUE;
        haul_resume_data_reset (self->ctx.rd);
        if (!haul_run_files_is_open (self->files))
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
      if (haul_run_files_is_open (self->files) && !self->final_saved)
        {
          /* Save the resume data once more, durably; the save comes back here. */
          self->final_saved = TRUE;
          haul_run_files_save (self->files, TRUE);
          return;
        }
      error = g_steal_pointer (&self->failure);
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
      self->settling = SETTLE_DONE;
      complete_task (self, g_steal_pointer (&error));
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
  HaulDownloadRun *self = user_data;
  self->reap_source = 0;
  haul_connections_stop_idle (self->conns);
  return G_SOURCE_REMOVE;
}

/* Starts over from the beginning, for @why (unless the download already settles). */
static void
restart (HaulDownloadRun *self,
         HaulRestart      why,
         const char      *detail)
{
  if (self->settling == SETTLE_NONE)
    {
      g_free (self->restart_reason);
      self->restart_reason = haul_restart_describe (why, detail, NULL);
    }
  settle (self, SETTLE_RESTART, NULL);
}

static void
settle (HaulDownloadRun *self,
        SettleAction     action,
        GError          *error)
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
          haul_connections_cancel_all (self->conns, TRUE);
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
  haul_connections_cancel_all (self->conns, action != SETTLE_RESTART);
  if (self->reap_source == 0)
    self->reap_source = g_idle_add (reap_idle_cb, self);

  maybe_settled (self);
}

/* ---- preparation -------------------------------------------------------------------- */

static gboolean
update_rate_cb (gpointer user_data)
{
  HaulDownloadRun *self = user_data;
  gint64 now = g_get_monotonic_time ();
  guint64 bytes = bytes_received (self);

  if (self->rate_last_us > 0 && bytes >= self->rate_last_bytes)
    self->rate = haul_rate_update (self->rate, bytes - self->rate_last_bytes,
                                   now - self->rate_last_us);
  self->rate_last_us = now;
  self->rate_last_bytes = bytes;
  return G_SOURCE_CONTINUE;
}

static void
prepare_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  HaulDownloadRun *self = HAUL_DOWNLOAD_RUN (object);
  GError *error = NULL;
  HaulPrepare *prep = _haul_download_prepare_finish (result, &error);

  self->preparing = FALSE;
  if (prep == NULL)
    {
      self->settling = SETTLE_DONE;
      complete_task (self, g_steal_pointer (&error));
      return;
    }

  haul_run_files_take_dirfd (self->files, g_steal_fd (&prep->dirfd));

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

      haul_resume_data_take_request (rd, self->ctx.rd);
      haul_resume_data_free (self->ctx.rd);
      self->ctx.rd = rd;
      files_made (self, g_steal_fd (&prep->part_fd), g_steal_fd (&prep->direct_fd));
      self->filename_fixed = TRUE;
      self->resumed_from = haul_resume_data_get_written (rd);
      self->retry.high_water = (gint64) self->resumed_from;
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
  g_autoptr(HaulDownloadRun) self = user_data;

  if (self->task != NULL && self->settling != SETTLE_DONE)
    settle (self, SETTLE_CANCEL, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_task_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  HaulDownloadRun *self = user_data;

  /* This may run in another thread, or inside g_cancellable_connect(), where the task
   * cannot be completed (disconnecting from there would deadlock): defer to an idle. */
  g_idle_add (cancel_idle_cb, g_object_ref (self));
}

/* Runs the download to the end, as haul_download_run_async() says, with its options
 * checked. */
void
haul_download_run_start_async (HaulDownloadRun     *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  const HaulDownloadOptions *opts = self->opts;
  g_autoptr(GTask) task = NULL;
  HaulPrepare *prep;

  g_return_if_fail (HAUL_IS_DOWNLOAD_RUN (self));
  g_return_if_fail (self->task == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haul_download_run_start_async);
  g_task_set_check_cancellable (task, FALSE);
  self->task = g_object_ref (task);

  self->ctx.session = opts->session != NULL ? g_object_ref (opts->session) : haul_session_new (NULL);
  self->ctx.limiter = opts->limiter != NULL ? haul_rate_limiter_ref (opts->limiter) : NULL;
  self->ctx.headers = g_strdupv (opts->headers);
  self->ctx.stall_timeout_ms = opts->stall_timeout_ms;

  self->ctx.rd = _haul_download_resume_data_new (opts, self->filename);

  if (cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_task_cancelled_cb),
                                                self, NULL);

  self->preparing = TRUE;
  prep = _haul_download_prepare_new (opts, self->filename_fixed ? self->filename : NULL);
  _haul_download_prepare_async (G_OBJECT (self), prep, prepare_cb, NULL);
}

gboolean
haul_download_run_start_finish (HaulDownloadRun  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- object ------------------------------------------------------------------------- */

static void
haul_download_run_dispose (GObject *object)
{
  HaulDownloadRun *self = HAUL_DOWNLOAD_RUN (object);

  g_clear_handle_id (&self->rate_source, g_source_remove);
  haul_retry_clear (&self->retry);
  g_clear_handle_id (&self->reap_source, g_source_remove);
  if (self->files != NULL)
    haul_run_files_close (self->files);
  g_clear_object (&self->files);
  g_clear_object (&self->ctx.part);
  g_clear_object (&self->ctx.session);
  g_clear_pointer (&self->ctx.limiter, haul_rate_limiter_unref);

  G_OBJECT_CLASS (haul_download_run_parent_class)->dispose (object);
}

static void
haul_download_run_finalize (GObject *object)
{
  HaulDownloadRun *self = HAUL_DOWNLOAD_RUN (object);

  g_free (self->filename);
  g_strfreev (self->ctx.headers);
  g_free (self->restart_reason);
  g_free (self->final_name);
  g_clear_error (&self->failure);
  g_clear_pointer (&self->ctx.rd, haul_resume_data_free);
  g_clear_pointer (&self->conns, haul_connections_free);

  G_OBJECT_CLASS (haul_download_run_parent_class)->finalize (object);
}

static void
haul_download_run_class_init (HaulDownloadRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haul_download_run_dispose;
  object_class->finalize = haul_download_run_finalize;
}

static void
haul_download_run_init (HaulDownloadRun *self)
{
}

/**
 * haul_download_run_new:
 * @opts: the download's options; they outlive the run
 * @events: how the run tells its download; they outlive the run
 * @user_data: data for @events
 *
 * Returns: (transfer full): a run, not started
 */
HaulDownloadRun *
haul_download_run_new (const HaulDownloadOptions   *opts,
                       const HaulDownloadRunEvents *events,
                       gpointer                     user_data)
{
  HaulDownloadRun *self = g_object_new (HAUL_TYPE_DOWNLOAD_RUN, NULL);

  self->opts = opts;
  self->events = events;
  self->user_data = user_data;
  self->conns = haul_connections_new (&self->ctx, &conn_events, self, opts->uri,
                                      opts->max_segments);
  self->files = haul_run_files_new (on_checkpoint_done, self);
  self->filename = g_strdup (opts->filename);
  self->filename_fixed = opts->filename != NULL;
  haul_retry_init (&self->retry, opts->retries, opts->retry_base_ms, opts->fruitless);
  return self;
}

/* ---- what the download asks of its run -------------------------------------------------- */

/* The run's figures now; the strings stay valid while the run does. */
void
haul_download_run_get_figures (HaulDownloadRun     *self,
                               HaulDownloadFigures *figures)
{
  HaulResumeData *rd = self->ctx.rd;

  figures->effective_uri = rd != NULL ? rd->effective_uri : NULL;
  figures->filename = self->final_name != NULL ? self->final_name : self->filename;
  figures->received = bytes_received (self);
  figures->total = rd != NULL && rd->total > 0 ? (guint64) rd->total : 0;
  figures->resumed_from = self->resumed_from;
  figures->rate = self->rate;
  figures->resumable = rd != NULL && haul_resume_data_is_resumable (rd);
  figures->restarted = self->restarted;
  figures->already_complete = self->already_complete;
  figures->error_kind = self->error_kind;
  figures->fruitless = self->retry.fruitless;
}
