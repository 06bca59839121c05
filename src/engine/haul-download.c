/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-download"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "haul-check.h"
#include "haul-download.h"
#include "haul-download-run.h"
#include "haul-error.h"
#include "haul-rate-limiter.h"

/* A download: what it was asked to do, and its one run (haul-download-run.c), whose
 * figures it gives and whose news it tells by signals. A map of the engine is in
 * docs/DESIGN.md. */
struct _HaulDownload
{
  GObject              parent_instance;

  HaulDownloadOptions  opts;
  gboolean             ran;
  HaulDownloadRun     *run;
};

G_DEFINE_FINAL_TYPE (HaulDownload, haul_download, G_TYPE_OBJECT)

enum {
  NOTICE,
  RETRY_WAIT,
  RESUME_DATA_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_notice (const char *message,
           gpointer    user_data)
{
  g_signal_emit (user_data, signals[NOTICE], 0, message);
}

static void
on_retry_wait (gint64      until,
               const char *why,
               gpointer    user_data)
{
  g_signal_emit (user_data, signals[RETRY_WAIT], 0, until, why);
}

static void
on_saved (const char *json,
          gpointer    user_data)
{
  g_signal_emit (user_data, signals[RESUME_DATA_SAVED], 0, json);
}

static const HaulDownloadRunEvents run_events = {
  .notice = on_notice,
  .retry_wait = on_retry_wait,
  .saved = on_saved,
};

/* The run's figures, or those of a download that has not run. */
static HaulDownloadFigures
run_figures (HaulDownload *self)
{
  HaulDownloadFigures figures = { NULL, };

  if (self->run != NULL)
    haul_download_run_get_figures (self->run, &figures);
  else
    {
      figures.filename = self->opts.filename;
      figures.fruitless = self->opts.fruitless;
    }
  return figures;
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!haul_download_run_start_finish (HAUL_DOWNLOAD_RUN (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
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
  if (!haul_check_uri (self->opts.uri, &error) ||
      !haul_check_header_lines ((const char * const *) self->opts.headers, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->run = haul_download_run_new (&self->opts, &run_events, self);
  haul_download_run_start_async (self->run, cancellable, run_done_cb, g_steal_pointer (&task));
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

static void
haul_download_dispose (GObject *object)
{
  HaulDownload *self = HAUL_DOWNLOAD (object);

  g_clear_object (&self->run);
  g_clear_object (&self->opts.session);
  g_clear_pointer (&self->opts.limiter, haul_rate_limiter_unref);

  G_OBJECT_CLASS (haul_download_parent_class)->dispose (object);
}

static void
haul_download_finalize (GObject *object)
{
  HaulDownload *self = HAUL_DOWNLOAD (object);

  g_free (self->opts.uri);
  g_free (self->opts.directory);
  g_free (self->opts.filename);
  g_strfreev (self->opts.headers);
  g_free (self->opts.sha256);
  g_free (self->opts.saved_resume_data);
  g_free (self->opts.previous_uri);
  g_free (self->opts.owner);
  g_free (self->opts.suggested_name);

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
  self->opts.max_segments = 4;
  self->opts.retries = 10;
  self->opts.stall_timeout_ms = 30 * 1000;
  self->opts.retry_base_ms = 1000;
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
  self->opts.uri = g_strdup (uri);
  self->opts.directory = g_strdup (directory);
  self->opts.filename = g_strdup (filename);
  return self;
}

void
haul_download_set_session (HaulDownload *self,
                           SoupSession  *session)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_set_object (&self->opts.session, session);
}

void
haul_download_set_headers (HaulDownload       *self,
                           const char * const *headers)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_strfreev (self->opts.headers);
  self->opts.headers = g_strdupv ((char **) headers);
}

void
haul_download_set_sha256 (HaulDownload *self,
                          const char   *sha256)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_free (self->opts.sha256);
  self->opts.sha256 = g_ascii_strdown (sha256, -1);
}

void
haul_download_set_max_segments (HaulDownload *self,
                                guint         segments)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_return_if_fail (segments >= 1 && segments <= HAUL_MAX_SEGMENTS);
  self->opts.max_segments = segments;
}

void
haul_download_set_retries (HaulDownload *self,
                           guint         retries)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  self->opts.retries = retries;
}

void
haul_download_set_overwrite (HaulDownload *self,
                             gboolean      overwrite)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  self->opts.overwrite = !!overwrite;
}

void
haul_download_set_rate_limiter (HaulDownload    *self,
                                HaulRateLimiter *limiter)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_clear_pointer (&self->opts.limiter, haul_rate_limiter_unref);
  if (limiter != NULL)
    self->opts.limiter = haul_rate_limiter_ref (limiter);
}

void
haul_download_set_stall_timeout (HaulDownload *self,
                                 guint         milliseconds)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_return_if_fail (milliseconds > 0);
  self->opts.stall_timeout_ms = milliseconds;
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
  g_free (self->opts.saved_resume_data);
  self->opts.saved_resume_data = g_strdup (json);
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
  g_free (self->opts.suggested_name);
  self->opts.suggested_name = g_strdup (name);
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
  g_free (self->opts.previous_uri);
  self->opts.previous_uri = g_strdup (uri);
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
  g_free (self->opts.owner);
  self->opts.owner = g_strdup (owner);
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
  self->opts.same_file = !!same_file;
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
  self->opts.check_existing = !!check_existing;
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
  self->opts.resume_by_uri = !!resume_by_uri;
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
  self->opts.server_time = !!server_time;
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
  self->opts.fruitless = tries;
}

guint
haul_download_get_fruitless_tries (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), 0);
  return run_figures (self).fruitless;
}

void
haul_download_set_retry_base (HaulDownload *self,
                              guint         milliseconds)
{
  g_return_if_fail (HAUL_IS_DOWNLOAD (self));
  g_return_if_fail (milliseconds > 0);
  self->opts.retry_base_ms = milliseconds;
}

const char *
haul_download_get_uri (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), NULL);
  return self->opts.uri;
}

const char *
haul_download_get_effective_uri (HaulDownload *self)
{
  const char *effective;

  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), NULL);
  effective = run_figures (self).effective_uri;
  return effective != NULL ? effective : self->opts.uri;
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
  return run_figures (self).filename;
}

char *
haul_download_get_path (HaulDownload *self)
{
  const char *name = haul_download_get_filename (self);

  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), NULL);
  return name != NULL ? g_build_filename (self->opts.directory, name, NULL) : NULL;
}

guint64
haul_download_get_bytes_received (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), 0);
  return run_figures (self).received;
}

guint64
haul_download_get_bytes_total (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), 0);
  return run_figures (self).total;
}

guint64
haul_download_get_resumed_from (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), 0);
  return run_figures (self).resumed_from;
}

guint64
haul_download_get_rate (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), 0);
  return run_figures (self).rate;
}

gboolean
haul_download_get_resumable (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), FALSE);
  return run_figures (self).resumable;
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
  return run_figures (self).error_kind;
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
  return run_figures (self).already_complete;
}

gboolean
haul_download_get_restarted (HaulDownload *self)
{
  g_return_val_if_fail (HAUL_IS_DOWNLOAD (self), FALSE);
  return run_figures (self).restarted;
}
