/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-transfer"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-cleanup.h"
#include "haul-transfer-private.h"

/* A transfer's run with the engine, what stops it and what it waits for, and the
 * deletions of its files. The scheduler (the manager) decides when each starts. */

static void finish_remove (HaulTransfer *self);

HaulTransferRun *
_haul_transfer_ensure_run (HaulTransfer *self)
{
  if (self->run == NULL)
    self->run = g_new0 (HaulTransferRun, 1);
  return self->run;
}

void
_haul_transfer_run_free (HaulTransferRun *run)
{
  if (run->cancellable != NULL)
    g_cancellable_cancel (run->cancellable);
  g_clear_handle_id (&run->retry_source, g_source_remove);
  g_clear_object (&run->cancellable);
  g_clear_object (&run->download);
  g_clear_pointer (&run->own_limiter, haul_rate_limiter_unref);
  g_free (run->wait_text);
  g_free (run);
}

HaulStopIntent
_haul_transfer_get_stop (HaulTransfer *self)
{
  return self->run != NULL ? self->run->stop : HAUL_STOP_NONE;
}

HaulWaitKind
_haul_transfer_get_wait_kind (HaulTransfer *self)
{
  return self->run != NULL ? self->run->wait : HAUL_WAIT_NONE;
}

static HaulDownload *
get_download (HaulTransfer *self)
{
  return self->run != NULL ? self->run->download : NULL;
}

/* The transfer leaves the waiting state: no wait and no timer remain. */
void
_haul_transfer_end_wait (HaulTransfer *self)
{
  if (self->run == NULL)
    return;
  self->run->wait = HAUL_WAIT_NONE;
  g_clear_handle_id (&self->run->retry_source, g_source_remove);
}

/**
 * haul_transfer_get_host_uri:
 * @self: a transfer
 *
 * Returns: the URL whose host must be reachable for the transfer to run
 */
const char *
haul_transfer_get_host_uri (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), NULL);
  return haul_transfer_get_uri (self);
}

gboolean
haul_transfer_is_running (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return !self->removed && self->state == HAUL_TRANSFER_STATE_RUNNING &&
         _haul_transfer_get_stop (self) == HAUL_STOP_NONE;
}

/**
 * haul_transfer_is_busy:
 * @self: a transfer
 *
 * Returns: %TRUE while its download runs or one of its files is being deleted: the
 *   service must not exit before %HAUL_TRANSFER_EVENT_IDLE
 */
gboolean
haul_transfer_is_busy (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return get_download (self) != NULL || self->pending_io > 0;
}

/**
 * haul_transfer_occupies_slot:
 * @self: a transfer
 *
 * Returns: %TRUE while the engine works on it
 */
gboolean
haul_transfer_occupies_slot (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return get_download (self) != NULL;
}

/* ---- deletions ---------------------------------------------------------------------- */

void
_haul_transfer_io_started (HaulTransfer *self)
{
  self->pending_io++;
}

/* A download or a deletion ended: once nothing is on its way, a removed transfer is gone
 * for good, and the manager hears that the service may be able to exit. */
void
_haul_transfer_io_done (HaulTransfer *self)
{
  if (self->pending_io > 0 || get_download (self) != NULL)
    return;
  _haul_transfer_emit_event (self, self->removed ? HAUL_TRANSFER_EVENT_REMOVED
                                                 : HAUL_TRANSFER_EVENT_IDLE);
}

static void
cleanup_partial_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(HaulTransfer) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!haul_cleanup_partial_finish (result, &error))
    g_message ("Transfer %u: the partial data stays: %s", self->id, error->message);
  self->pending_io--;
  _haul_transfer_io_done (self);
}

/* Deletes NAME.part and its resume data, off the main loop, and only if the engine can
 * prove them this transfer's: a name it never claimed, or resume data of another URL or
 * another file, stays where it is. */
static void
delete_partial (HaulTransfer *self)
{
  const char *uris[] = { haul_transfer_get_uri (self), self->previous_uri, NULL };

  if (!self->name_claimed || self->file_name == NULL)
    return;
  _haul_transfer_io_started (self);
  haul_cleanup_partial_async (self->directory, self->file_name, uris, NULL, cleanup_partial_cb,
                              g_object_ref (self));
}

static void
cleanup_file_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HaulTransfer) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!haul_cleanup_file_finish (result, &error))
    g_message ("Transfer %u: the file stays: %s", self->id, error->message);
  self->pending_io--;
  _haul_transfer_io_done (self);
}

/* Nothing of the removed transfer runs any more: its partial data goes (as Cancel deletes
 * it), and its file if it finished and the person asked; then it is forgotten. */
static void
finish_remove (HaulTransfer *self)
{
  if (self->state != HAUL_TRANSFER_STATE_COMPLETED &&
      self->state != HAUL_TRANSFER_STATE_CANCELLED)
    delete_partial (self);
  else if (self->state == HAUL_TRANSFER_STATE_COMPLETED && self->delete_file &&
           self->file_name != NULL)
    {
      _haul_transfer_io_started (self);
      haul_cleanup_file_async (self->directory, self->file_name, NULL, cleanup_file_cb,
                               g_object_ref (self));
    }
  _haul_transfer_io_done (self);
}

/* Removal is final from here on: every call is refused, the record is deleted (the
 * manager does that on %HAUL_TRANSFER_EVENT_REMOVING), and what still runs stops. */
void
_haul_transfer_begin_remove (HaulTransfer *self,
                             gboolean      delete_file)
{
  self->removed = TRUE;
  self->delete_file = delete_file;
  _haul_transfer_end_wait (self);
  _haul_transfer_emit_event (self, HAUL_TRANSFER_EVENT_REMOVING);
  if (self->run != NULL && self->run->cancellable != NULL)
    {
      self->run->stop = HAUL_STOP_REMOVE;
      g_cancellable_cancel (self->run->cancellable);
    }
  else
    finish_remove (self);
}

/* ---- waits -------------------------------------------------------------------------- */

static gboolean
retry_due_cb (gpointer user_data)
{
  HaulTransfer *self = user_data;

  self->run->retry_source = 0;
  if (self->run->wait == HAUL_WAIT_RETRY && self->state == HAUL_TRANSFER_STATE_WAITING)
    _haul_transfer_set_state (self, HAUL_TRANSFER_STATE_QUEUED);
  return G_SOURCE_REMOVE;
}

/* Waits, saying why in words a person understands and in a reason a client words itself.
 * A back-off ends at retry_at, when the transfer is queued and takes its turn for a
 * slot. */
static void
set_waiting (HaulTransfer   *self,
             HaulWaitKind    kind,
             HaulWaitReason  reason,
             const char     *text)
{
  HaulTransferRun *run = _haul_transfer_ensure_run (self);

  g_clear_handle_id (&run->retry_source, g_source_remove);
  g_object_freeze_notify (G_OBJECT (self));
  _haul_transfer_set_wait (self, text, kind == HAUL_WAIT_RETRY ? HAUL_WAIT_REASON_RETRY : reason,
                           kind == HAUL_WAIT_RETRY ? run->retry_at_us / G_USEC_PER_SEC : 0);
  _haul_transfer_set_state (self, HAUL_TRANSFER_STATE_WAITING);
  run->wait = kind;
  g_object_thaw_notify (G_OBJECT (self));
  if (kind == HAUL_WAIT_RETRY)
    {
      gint64 left_ms = (run->retry_at_us - g_get_real_time ()) / 1000;

      run->retry_source = g_timeout_add ((guint) CLAMP (left_ms, 0, G_MAXUINT), retry_due_cb,
                                         self);
    }
}

/* ---- the run ------------------------------------------------------------------------ */

static void
finish_stop (HaulTransfer *self)
{
  HaulTransferRun *run = _haul_transfer_ensure_run (self);
  HaulStopIntent stop = run->stop;

  run->stop = HAUL_STOP_NONE;
  switch (stop)
    {
    case HAUL_STOP_PAUSE:
      _haul_transfer_set_state (self, HAUL_TRANSFER_STATE_PAUSED);
      break;
    case HAUL_STOP_REQUEUE:
      _haul_transfer_set_state (self, HAUL_TRANSFER_STATE_QUEUED);
      break;
    case HAUL_STOP_WAIT:
      set_waiting (self, HAUL_WAIT_CONDITION, run->wait_why, run->wait_text);
      break;
    case HAUL_STOP_RETRY:
      set_waiting (self, HAUL_WAIT_RETRY, HAUL_WAIT_REASON_RETRY, run->wait_text);
      break;
    case HAUL_STOP_CANCEL:
      delete_partial (self);
      _haul_transfer_set_state (self, HAUL_TRANSFER_STATE_CANCELLED);
      break;
    case HAUL_STOP_REMOVE:
      finish_remove (self);
      break;
    case HAUL_STOP_NONE:
    default:
      break;
    }
}

/* Stops for @intent: a running download stops through its cancellable (saving its resume
 * data) and finishes in run_cb; anything else finishes now. A removal is final. */
void
_haul_transfer_stop_for (HaulTransfer   *self,
                         HaulStopIntent  intent)
{
  HaulTransferRun *run = _haul_transfer_ensure_run (self);

  if (run->stop == HAUL_STOP_REMOVE)
    return;
  run->stop = intent;
  if (run->cancellable != NULL)
    g_cancellable_cancel (run->cancellable);
  else
    finish_stop (self);
}

/* Copies what the engine knows into the properties. The name and the final URL count
 * even when no byte moved: Cancel needs the name to find the partial data. */
static void
refresh (HaulTransfer *self)
{
  HaulDownload *download = get_download (self);
  const char *name;

  if (download == NULL)
    return;

  name = haul_download_get_filename (download);
  if (name != NULL)
    {
      self->name_claimed = TRUE;
      _haul_transfer_set_string (self, &self->file_name, HAUL_TRANSFER_PROP_FILE_NAME, name);
    }
  if (g_strcmp0 (haul_download_get_effective_uri (download),
                 haul_transfer_get_effective_uri (self)) != 0)
    {
      g_free (self->effective_uri);
      self->effective_uri = g_strdup (haul_download_get_effective_uri (download));
      g_object_notify_by_pspec (G_OBJECT (self),
                                _haul_transfer_props[HAUL_TRANSFER_PROP_EFFECTIVE_URI]);
    }
  _haul_transfer_set_boolean (self, &self->resumable, HAUL_TRANSFER_PROP_RESUMABLE,
                              haul_download_get_resumable (download));
  self->bytes_received = haul_download_get_bytes_received (download);
  self->bytes_total = haul_download_get_bytes_total (download);
  self->rate = haul_download_get_rate (download);
}

/**
 * haul_transfer_has_progress:
 * @self: a transfer
 *
 * Returns: %TRUE while figures may change or the last ones are still to be taken
 */
gboolean
haul_transfer_has_progress (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return get_download (self) != NULL || self->figures_dirty;
}

/**
 * haul_transfer_take_progress:
 * @self: a transfer
 *
 * Brings the figures (#HaulTransfer:bytes-received, #HaulTransfer:bytes-total,
 * #HaulTransfer:rate) up to date, and tells whether they changed since the last call
 * that returned %TRUE: the manager then hands them on in its progress signal. The
 * figures never notify.
 *
 * Returns: %TRUE if the figures are new
 */
gboolean
haul_transfer_take_progress (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);

  /* Most transfers on record are not running: nothing to do for them. */
  if (!haul_transfer_has_progress (self))
    return FALSE;
  self->figures_dirty = FALSE;

  refresh (self);
  if (self->sent_once && self->bytes_received == self->sent_received &&
      self->bytes_total == self->sent_total && self->rate == self->sent_rate)
    return FALSE;

  self->sent_once = TRUE;
  self->sent_received = self->bytes_received;
  self->sent_total = self->bytes_total;
  self->sent_rate = self->rate;
  return TRUE;
}

/* The engine made a durable checkpoint: the record keeps a copy of its resume data. */
static void
on_resume_data_saved_cb (HaulDownload *download,
                         const char   *json,
                         HaulTransfer *self)
{
  g_free (self->resume_data);
  self->resume_data = g_strdup (json);
  _haul_transfer_emit_event (self, HAUL_TRANSFER_EVENT_CHECKPOINT);
}

/* The engine waits out a transient error with no connection left: the transfer stops and
 * waits without holding a running slot, and takes its turn again when the wait is over. */
static void
on_retry_wait_cb (HaulDownload *download,
                  gint64        until,
                  const char   *why,
                  HaulTransfer *self)
{
  g_autoptr(GDateTime) at = NULL;
  g_autofree char *when = NULL;

  if (until <= 0 || self->run->stop != HAUL_STOP_NONE)
    return;
  at = g_date_time_new_from_unix_local (until / G_USEC_PER_SEC);
  when = g_date_time_format (at, "%X");
  g_free (self->run->wait_text);
  /* Translators: the first %s is a time of day, the second an error message. */
  self->run->wait_text = g_strdup_printf (_("Trying again at %s (%s)"), when, why);
  self->run->retry_at_us = until;
  _haul_transfer_stop_for (self, HAUL_STOP_RETRY);
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(HaulTransfer) self = user_data;
  HaulTransferRun *run = self->run;
  g_autoptr(GError) error = NULL;
  HaulErrorKind kind;
  gboolean ok;

  ok = haul_download_run_finish (HAUL_DOWNLOAD (object), result, &error);
  kind = haul_download_get_error_kind (HAUL_DOWNLOAD (object));
  refresh (self);
  self->rate = 0;
  self->figures_dirty = TRUE;
  self->tries = haul_download_get_fruitless_tries (HAUL_DOWNLOAD (object));
  g_signal_handlers_disconnect_by_data (object, self);
  g_clear_object (&run->download);
  g_clear_object (&run->cancellable);

  /* A finished download is completed, whatever call came while it finished. */
  if (ok)
    {
      self->tries = 0;
      g_object_freeze_notify (G_OBJECT (self));
      _haul_transfer_set_error (self, "", HAUL_ERROR_KIND_NONE);
      _haul_transfer_set_state (self, HAUL_TRANSFER_STATE_COMPLETED);
      g_object_thaw_notify (G_OBJECT (self));
      if (run->stop == HAUL_STOP_REMOVE)
        finish_remove (self);
      run->stop = HAUL_STOP_NONE;
    }
  else if (run->stop != HAUL_STOP_NONE)
    finish_stop (self);
  else
    {
      g_object_freeze_notify (G_OBJECT (self));
      _haul_transfer_set_error (self, error->message, kind);
      _haul_transfer_set_state (self, HAUL_TRANSFER_STATE_FAILED);
      g_object_thaw_notify (G_OBJECT (self));
    }
  _haul_transfer_io_done (self);
}

/* The tests make tries quick and few: HAUL_TEST_RETRIES="BASE_MS,COUNT" (as
 * HAUL_IDLE_TIMEOUT_MS shortens the idle exit). */
static void
apply_test_retries (HaulDownload *download)
{
  static gsize once;
  static guint base_ms, count;

  if (g_once_init_enter (&once))
    {
      const char *value = g_getenv ("HAUL_TEST_RETRIES");
      g_auto(GStrv) parts = value != NULL ? g_strsplit (value, ",", 2) : NULL;

      if (parts != NULL && parts[0] != NULL && parts[1] != NULL)
        {
          base_ms = (guint) g_ascii_strtoull (parts[0], NULL, 10);
          count = (guint) g_ascii_strtoull (parts[1], NULL, 10);
        }
      g_once_init_leave (&once, 1);
    }
  if (base_ms > 0)
    {
      haul_download_set_retry_base (download, base_ms);
      haul_download_set_retries (download, count);
    }
}

static HaulDownload *
new_download (HaulTransfer *self)
{
  HaulDownload *download;
  g_autofree char *owner = NULL;

  /* Once the engine claimed a name it is the transfer's for good. Before that, the name
   * asked for is only a wish: "NAME (1).EXT" when taken, unless told to overwrite. */
  if (self->name_claimed && self->file_name != NULL)
    download = haul_download_new (haul_transfer_get_uri (self), self->directory, self->file_name);
  else if (self->requested_name != NULL && self->overwrite)
    download = haul_download_new (haul_transfer_get_uri (self), self->directory,
                                  self->requested_name);
  else
    {
      download = haul_download_new (haul_transfer_get_uri (self), self->directory, NULL);
      haul_download_set_suggested_name (download, self->requested_name);
    }

  /* The transfer's files are found again by this, should the service die before it noted
   * the name the engine claimed. */
  owner = g_strdup_printf ("haul-daemon:%u:%" G_GINT64_FORMAT, self->id, self->created_at);
  haul_download_set_owner (download, owner);
  return download;
}

/**
 * haul_transfer_start:
 * @self: a queued transfer
 * @session: the session all transfers share
 * @limiter: the speed limit all transfers share
 *
 * Runs the download with the engine. The engine resumes from the resume data beside the
 * file when there is some.
 */
void
haul_transfer_start (HaulTransfer    *self,
                     SoupSession     *session,
                     HaulRateLimiter *limiter)
{
  HaulTransferRun *run;
  HaulDownload *download;

  g_return_if_fail (HAUL_IS_TRANSFER (self));
  g_return_if_fail (get_download (self) == NULL);

  run = _haul_transfer_ensure_run (self);
  run->download = download = new_download (self);
  haul_download_set_session (download, session);
  haul_download_set_max_segments (download, self->segments);
  haul_download_set_overwrite (download, self->overwrite);
  haul_download_set_fruitless_tries (download, self->tries);
  apply_test_retries (download);
  if (self->sha256 != NULL)
    haul_download_set_sha256 (download, self->sha256);
  if (self->headers != NULL)
    haul_download_set_headers (download, (const char * const *) self->headers);
  /* A transfer's own limit takes the place of the global one for it. */
  if (self->speed_limit > 0)
    {
      if (run->own_limiter == NULL)
        run->own_limiter = haul_rate_limiter_new (self->speed_limit);
      haul_download_set_rate_limiter (download, run->own_limiter);
    }
  else if (limiter != NULL)
    haul_download_set_rate_limiter (download, limiter);
  haul_download_set_saved_resume_data (download, self->resume_data);
  haul_download_set_previous_uri (download, self->previous_uri);
  g_signal_connect (download, "retry-wait", G_CALLBACK (on_retry_wait_cb), self);
  g_signal_connect (download, "resume-data-saved", G_CALLBACK (on_resume_data_saved_cb), self);

  run->cancellable = g_cancellable_new ();
  g_object_freeze_notify (G_OBJECT (self));
  _haul_transfer_set_string (self, &self->error, HAUL_TRANSFER_PROP_ERROR, "");
  _haul_transfer_set_state (self, HAUL_TRANSFER_STATE_RUNNING);
  g_object_thaw_notify (G_OBJECT (self));
  haul_download_run_async (download, run->cancellable, run_cb, g_object_ref (self));
}

/**
 * haul_transfer_requeue:
 * @self: a running transfer
 *
 * Stops the download with its resume data saved and queues the transfer again: fewer
 * may run at once now.
 */
void
haul_transfer_requeue (HaulTransfer *self)
{
  g_return_if_fail (HAUL_IS_TRANSFER (self));
  if (get_download (self) != NULL && self->run->stop == HAUL_STOP_NONE)
    _haul_transfer_stop_for (self, HAUL_STOP_REQUEUE);
}

/**
 * haul_transfer_wait_for:
 * @self: a queued, waiting or running transfer
 * @reason: why it must wait
 * @text: the same for a person
 *
 * A condition is unmet (no network, a metered one, power saver): the transfer stops,
 * keeping its resume data, and waits, without using up its tries.
 */
void
haul_transfer_wait_for (HaulTransfer   *self,
                        HaulWaitReason  reason,
                        const char     *text)
{
  HaulTransferRun *run;

  g_return_if_fail (HAUL_IS_TRANSFER (self));

  if (!haul_transfer_is_active (self) || _haul_transfer_get_stop (self) != HAUL_STOP_NONE)
    return;
  /* Already waiting for just this: nothing changes. */
  if (self->state == HAUL_TRANSFER_STATE_WAITING &&
      _haul_transfer_get_wait_kind (self) == HAUL_WAIT_CONDITION && self->wait_reason == reason &&
      g_strcmp0 (text, _haul_str (self->state_reason)) == 0)
    return;
  run = _haul_transfer_ensure_run (self);
  if (run->download != NULL)
    {
      /* The reason is set once the download stopped, with the state. */
      g_free (run->wait_text);
      run->wait_text = g_strdup (text);
      run->wait_why = reason;
      _haul_transfer_stop_for (self, HAUL_STOP_WAIT);
    }
  else
    set_waiting (self, HAUL_WAIT_CONDITION, reason, text);
}

/**
 * haul_transfer_stop_waiting:
 * @self: a transfer
 *
 * The condition it waited for is met: it is queued again.
 */
void
haul_transfer_stop_waiting (HaulTransfer *self)
{
  g_return_if_fail (HAUL_IS_TRANSFER (self));

  if (_haul_transfer_get_wait_kind (self) == HAUL_WAIT_CONDITION &&
      _haul_transfer_get_stop (self) == HAUL_STOP_NONE &&
      self->state == HAUL_TRANSFER_STATE_WAITING)
    _haul_transfer_set_state (self, HAUL_TRANSFER_STATE_QUEUED);
}

/**
 * haul_transfer_suspend:
 * @self: a transfer
 *
 * The service is about to exit: a running transfer stops with its resume data saved and
 * is queued, so that it continues when the service starts again.
 */
void
haul_transfer_suspend (HaulTransfer *self)
{
  g_return_if_fail (HAUL_IS_TRANSFER (self));

  if (self->run == NULL)
    return;
  g_clear_handle_id (&self->run->retry_source, g_source_remove);
  if (self->run->download != NULL && self->run->stop == HAUL_STOP_NONE)
    _haul_transfer_stop_for (self, HAUL_STOP_REQUEUE);
}
