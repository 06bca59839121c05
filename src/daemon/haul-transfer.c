/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-transfer"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-cleanup.h"
#include "haul-dbus-error.h"
#include "haul-error.h"
#include "haul-manager.h"
#include "haul-transfer-private.h"

/* One transfer of the service: its D-Bus object, and the engine's download while it runs.
 * Its record (what survives a restart) is read and written in haul-transfer-record.c. */

static void haul_transfer_iface_init (HaulTransfer1Iface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HaulTransfer, haul_transfer, HAUL_TYPE_TRANSFER1_SKELETON,
                               G_IMPLEMENT_INTERFACE (HAUL_TYPE_TRANSFER1, haul_transfer_iface_init))

enum {
  EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void finish_remove (HaulTransfer *self);

static gboolean
state_is (HaulTransfer *self,
          const char   *state)
{
  return g_strcmp0 (haul_transfer1_get_state (HAUL_TRANSFER1 (self)), state) == 0;
}

static gboolean
is_finished (HaulTransfer *self)
{
  return state_is (self, "completed") || state_is (self, "cancelled");
}

static void
set_state (HaulTransfer *self,
           const char   *state)
{
  HaulTransfer1 *iface = HAUL_TRANSFER1 (self);

  if (state_is (self, state))
    return;
  g_debug ("Transfer %u: %s", haul_transfer1_get_id (iface), state);
  if (!g_str_equal (state, "waiting"))
    {
      self->wait = WAIT_NONE;
      g_clear_handle_id (&self->retry_source, g_source_remove);
      if (*haul_transfer1_get_state_reason (iface) != '\0')
        haul_transfer1_set_state_reason (iface, "");
      if (*haul_transfer1_get_wait_reason (iface) != '\0')
        haul_transfer1_set_wait_reason (iface, "");
      if (haul_transfer1_get_retry_at (iface) != 0)
        haul_transfer1_set_retry_at (iface, 0);
    }
  if (!g_str_equal (state, "failed") && *haul_transfer1_get_error_kind (iface) != '\0')
    haul_transfer1_set_error_kind (iface, "");
  if (g_str_equal (state, "completed") || g_str_equal (state, "cancelled"))
    g_clear_pointer (&self->resume_data, g_free);
  /* Before the state: the record is saved when the state changes, and must hold it. */
  if (g_str_equal (state, "completed") || g_str_equal (state, "failed") ||
      g_str_equal (state, "cancelled"))
    haul_transfer1_set_finished_at (iface, g_get_real_time () / G_USEC_PER_SEC);
  haul_transfer1_set_state (iface, state);
}

/* Answers a call on a transfer that was removed, as one on a transfer that never was. */
static gboolean
return_if_removed (HaulTransfer          *self,
                   GDBusMethodInvocation *invocation)
{
  if (!self->removed)
    return FALSE;
  g_dbus_method_invocation_return_error (invocation, HAUL_DBUS_ERROR,
                                         HAUL_DBUS_ERROR_NO_SUCH_TRANSFER,
                                         _("There is no transfer %u"),
                                         haul_transfer1_get_id (HAUL_TRANSFER1 (self)));
  return TRUE;
}

gboolean
haul_transfer_is_queued (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return !self->removed && state_is (self, "queued");
}

gboolean
haul_transfer_is_running (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return !self->removed && state_is (self, "running") && self->stop == STOP_NONE;
}

/**
 * haul_transfer_is_active:
 * @self: a transfer
 *
 * Returns: %TRUE while queued, waiting or running: the service must not exit
 */
gboolean
haul_transfer_is_active (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return !self->removed &&
         (state_is (self, "queued") || state_is (self, "waiting") || state_is (self, "running"));
}

/**
 * haul_transfer_is_busy:
 * @self: a transfer
 *
 * Returns: %TRUE while its download runs or one of its files is being deleted: the
 *   service must not exit before #HaulTransfer::idle
 */
gboolean
haul_transfer_is_busy (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return self->download != NULL || self->pending_io > 0;
}

gboolean
haul_transfer_is_removed (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return self->removed;
}

const char *
haul_transfer_get_path (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), NULL);
  return self->path;
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
  return haul_transfer1_get_uri (HAUL_TRANSFER1 (self));
}

/* A deletion ended: once nothing is on its way, a removed transfer is gone for good,
 * and the service hears that it may be able to exit. */
static void
io_done (HaulTransfer *self)
{
  if (self->pending_io > 0 || self->download != NULL)
    return;
  if (self->removed)
    g_signal_emit (self, signals[EVENT], 0, HAUL_TRANSFER_EVENT_REMOVED);
  else
    g_signal_emit (self, signals[EVENT], 0, HAUL_TRANSFER_EVENT_IDLE);
}

static void
cleanup_partial_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(HaulTransfer) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!haul_cleanup_partial_finish (result, &error))
    g_message ("Transfer %u: the partial data stays: %s",
               haul_transfer1_get_id (HAUL_TRANSFER1 (self)), error->message);
  self->pending_io--;
  io_done (self);
}

/* Deletes NAME.part and its resume data, off the main loop, and only if the engine can
 * prove them this transfer's: a name it never claimed, or resume data of another URL or
 * another file, stays where it is. */
static void
delete_partial (HaulTransfer *self)
{
  HaulTransfer1 *iface = HAUL_TRANSFER1 (self);
  const char *name = haul_transfer1_get_file_name (iface);
  const char *uris[] = { haul_transfer1_get_uri (iface), self->previous_uri, NULL };

  if (!self->name_claimed || *name == '\0')
    return;
  self->pending_io++;
  haul_cleanup_partial_async (haul_transfer1_get_directory (iface), name, uris, NULL,
                              cleanup_partial_cb, g_object_ref (self));
}

static gboolean
retry_due_cb (gpointer user_data)
{
  HaulTransfer *self = user_data;

  self->retry_source = 0;
  if (self->wait == WAIT_RETRY && state_is (self, "waiting"))
    set_state (self, "queued");
  return G_SOURCE_REMOVE;
}

/* Waits, saying why in words a person understands. A back-off ends at retry_at, when the
 * transfer is queued and takes its turn for a slot. */
static void
set_waiting (HaulTransfer *self,
             WaitKind      kind,
             const char   *reason)
{
  HaulTransfer1 *iface = HAUL_TRANSFER1 (self);
  const char *why = haul_wait_reason_to_string (kind == WAIT_RETRY ? HAUL_WAIT_REASON_RETRY
                                                                   : self->wait_why);
  gint64 retry_at = kind == WAIT_RETRY ? self->retry_at / G_USEC_PER_SEC : 0;

  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->wait = kind;
  if (g_strcmp0 (reason, haul_transfer1_get_state_reason (iface)) != 0)
    haul_transfer1_set_state_reason (iface, reason);
  if (g_strcmp0 (why, haul_transfer1_get_wait_reason (iface)) != 0)
    haul_transfer1_set_wait_reason (iface, why);
  if (retry_at != haul_transfer1_get_retry_at (iface))
    haul_transfer1_set_retry_at (iface, retry_at);
  set_state (self, "waiting");
  if (kind == WAIT_RETRY)
    {
      gint64 left_ms = (self->retry_at - g_get_real_time ()) / 1000;

      self->retry_source = g_timeout_add ((guint) CLAMP (left_ms, 0, G_MAXUINT), retry_due_cb,
                                          self);
    }
}

static void
finish_stop (HaulTransfer *self)
{
  StopIntent stop = self->stop;

  self->stop = STOP_NONE;
  switch (stop)
    {
    case STOP_PAUSE:
      set_state (self, "paused");
      break;
    case STOP_REQUEUE:
      set_state (self, "queued");
      break;
    case STOP_WAIT:
      set_waiting (self, WAIT_CONDITION, self->wait_reason);
      break;
    case STOP_RETRY:
      set_waiting (self, WAIT_RETRY, self->wait_reason);
      break;
    case STOP_CANCEL:
      delete_partial (self);
      set_state (self, "cancelled");
      break;
    case STOP_REMOVE:
      finish_remove (self);
      break;
    case STOP_NONE:
    default:
      break;
    }
}

/* Copies what the engine knows into the properties. The progress figures do not go out
 * as PropertiesChanged (the interface says so); haul_transfer_take_progress() hands them
 * to the batched Progress signal. */
static void
refresh (HaulTransfer *self)
{
  HaulTransfer1 *iface = HAUL_TRANSFER1 (self);
  const char *name;
  const char *effective;

  if (self->download == NULL)
    return;

  /* The name and the final URL count even when no byte moved: Cancel needs the name to
   * find the partial data. The generated setters notify even when nothing changed, and
   * the manager saves the record on those notifications: set only what changed. */
  name = haul_download_get_filename (self->download);
  if (name != NULL && !self->name_claimed)
    self->name_claimed = TRUE;
  if (name != NULL && g_strcmp0 (name, haul_transfer1_get_file_name (iface)) != 0)
    haul_transfer1_set_file_name (iface, name);
  effective = haul_download_get_effective_uri (self->download);
  if (g_strcmp0 (effective, haul_transfer1_get_effective_uri (iface)) != 0)
    haul_transfer1_set_effective_uri (iface, effective);
  if (haul_download_get_resumable (self->download) != haul_transfer1_get_resumable (iface))
    haul_transfer1_set_resumable (iface, haul_download_get_resumable (self->download));
  haul_transfer1_set_bytes_received (iface, haul_download_get_bytes_received (self->download));
  haul_transfer1_set_bytes_total (iface, haul_download_get_bytes_total (self->download));
  haul_transfer1_set_rate (iface, haul_download_get_rate (self->download));
}

/**
 * haul_transfer_has_progress:
 * @self: a transfer
 *
 * Returns: %TRUE while figures may change or the last ones are still to be sent
 */
gboolean
haul_transfer_has_progress (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return self->download != NULL || self->figures_dirty;
}

/**
 * haul_transfer_take_progress:
 * @self: a transfer
 * @received: (out): bytes received
 * @total: (out): bytes in all, 0 if unknown
 * @rate: (out): bytes per second
 *
 * Reads the figures, and tells whether they changed since the last call returned %TRUE:
 * the caller then sends them in the Progress signal.
 *
 * Returns: %TRUE if the figures are new
 */
gboolean
haul_transfer_take_progress (HaulTransfer *self,
                             guint64      *received,
                             guint64      *total,
                             guint64      *rate)
{
  HaulTransfer1 *iface = HAUL_TRANSFER1 (self);

  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);

  /* Most transfers on record are not running: nothing to do for them. */
  if (self->download == NULL && !self->figures_dirty)
    {
      *received = *total = *rate = 0;
      return FALSE;
    }
  self->figures_dirty = FALSE;

  refresh (self);
  *received = haul_transfer1_get_bytes_received (iface);
  *total = haul_transfer1_get_bytes_total (iface);
  *rate = haul_transfer1_get_rate (iface);
  if (self->sent_once && *received == self->sent_received && *total == self->sent_total &&
      *rate == self->sent_rate)
    return FALSE;

  self->sent_once = TRUE;
  self->sent_received = *received;
  self->sent_total = *total;
  self->sent_rate = *rate;
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
  g_signal_emit (self, signals[EVENT], 0, HAUL_TRANSFER_EVENT_CHECKPOINT);
}

/* Stops for @intent: a running download stops through its cancellable (saving its resume
 * data) and finishes in run_cb; anything else finishes now. A removal is final. */
static void
stop_for (HaulTransfer *self,
          StopIntent    intent)
{
  if (self->stop == STOP_REMOVE)
    return;
  self->stop = intent;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  else
    finish_stop (self);
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

  if (until <= 0 || self->stop != STOP_NONE)
    return;
  at = g_date_time_new_from_unix_local (until / G_USEC_PER_SEC);
  when = g_date_time_format (at, "%X");
  g_free (self->wait_reason);
  /* Translators: the first %s is a time of day, the second an error message. */
  self->wait_reason = g_strdup_printf (_("Trying again at %s (%s)"), when, why);
  self->retry_at = until;
  stop_for (self, STOP_RETRY);
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(HaulTransfer) self = user_data;
  HaulTransfer1 *iface = HAUL_TRANSFER1 (self);
  g_autoptr(GError) error = NULL;
  HaulErrorKind kind;
  gboolean ok;

  ok = haul_download_run_finish (HAUL_DOWNLOAD (object), result, &error);
  kind = haul_download_get_error_kind (HAUL_DOWNLOAD (object));
  refresh (self);
  haul_transfer1_set_rate (iface, 0);
  self->figures_dirty = TRUE;
  self->tries = haul_download_get_fruitless_tries (HAUL_DOWNLOAD (object));
  g_signal_handlers_disconnect_by_func (object, on_retry_wait_cb, self);
  g_signal_handlers_disconnect_by_func (object, on_resume_data_saved_cb, self);
  g_clear_object (&self->download);
  g_clear_object (&self->cancellable);

  /* A finished download is completed, whatever call came while it finished. */
  if (ok)
    {
      self->tries = 0;
      if (*haul_transfer1_get_error (iface) != '\0')
        haul_transfer1_set_error (iface, "");
      set_state (self, "completed");
      if (self->stop == STOP_REMOVE)
        finish_remove (self);
      self->stop = STOP_NONE;
    }
  else if (self->stop != STOP_NONE)
    finish_stop (self);
  else
    {
      haul_transfer1_set_error (iface, error->message);
      haul_transfer1_set_error_kind (iface, haul_error_kind_to_string (kind));
      set_state (self, "failed");
    }
  io_done (self);
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
  HaulTransfer1 *iface = HAUL_TRANSFER1 (self);
  const char *name;

  g_return_if_fail (HAUL_IS_TRANSFER (self));
  g_return_if_fail (self->download == NULL);

  /* Once the engine claimed a name it is the transfer's for good. Before that, the name
   * asked for is only a wish: "NAME (1).EXT" when taken, unless told to overwrite. */
  name = haul_transfer1_get_file_name (iface);
  if (self->name_claimed && *name != '\0')
    self->download = haul_download_new (haul_transfer1_get_uri (iface),
                                        haul_transfer1_get_directory (iface), name);
  else if (self->requested_name != NULL && self->overwrite)
    self->download = haul_download_new (haul_transfer1_get_uri (iface),
                                        haul_transfer1_get_directory (iface),
                                        self->requested_name);
  else
    {
      self->download = haul_download_new (haul_transfer1_get_uri (iface),
                                          haul_transfer1_get_directory (iface), NULL);
      haul_download_set_suggested_name (self->download, self->requested_name);
    }
  {
    /* The transfer's files are found again by this, should the service die before it
     * noted the name the engine claimed. */
    g_autofree char *owner = g_strdup_printf ("haul-daemon:%u:%" G_GINT64_FORMAT,
                                              haul_transfer1_get_id (iface),
                                              haul_transfer1_get_created_at (iface));

    haul_download_set_owner (self->download, owner);
  }
  haul_download_set_session (self->download, session);
  haul_download_set_max_segments (self->download, haul_transfer1_get_segments (iface));
  haul_download_set_overwrite (self->download, self->overwrite);
  haul_download_set_fruitless_tries (self->download, self->tries);
  apply_test_retries (self->download);
  if (*haul_transfer1_get_sha256 (iface) != '\0')
    haul_download_set_sha256 (self->download, haul_transfer1_get_sha256 (iface));
  if (self->headers != NULL)
    haul_download_set_headers (self->download, (const char * const *) self->headers);
  /* A transfer's own limit takes the place of the global one for it. */
  if (self->speed_limit > 0)
    {
      if (self->own_limiter == NULL)
        self->own_limiter = haul_rate_limiter_new (self->speed_limit);
      haul_download_set_rate_limiter (self->download, self->own_limiter);
    }
  else if (limiter != NULL)
    haul_download_set_rate_limiter (self->download, limiter);

  if (*haul_transfer1_get_error (iface) != '\0')
    haul_transfer1_set_error (iface, "");
  g_signal_connect (self->download, "retry-wait", G_CALLBACK (on_retry_wait_cb), self);
  g_signal_connect (self->download, "resume-data-saved", G_CALLBACK (on_resume_data_saved_cb), self);
  haul_download_set_saved_resume_data (self->download, self->resume_data);
  haul_download_set_previous_uri (self->download, self->previous_uri);
  self->cancellable = g_cancellable_new ();
  set_state (self, "running");
  haul_download_run_async (self->download, self->cancellable, run_cb, g_object_ref (self));
}

void
haul_transfer_pause (HaulTransfer *self)
{
  g_return_if_fail (HAUL_IS_TRANSFER (self));
  if (haul_transfer_is_active (self))
    stop_for (self, STOP_PAUSE);
}

void
haul_transfer_resume (HaulTransfer *self)
{
  g_return_if_fail (HAUL_IS_TRANSFER (self));
  if (!self->removed && (state_is (self, "paused") || state_is (self, "failed")))
    {
      /* A person's retry gets a fresh set of tries. */
      self->tries = 0;
      set_state (self, "queued");
    }
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
  if (self->download != NULL && self->stop == STOP_NONE)
    stop_for (self, STOP_REQUEUE);
}

static gboolean
handle_pause (HaulTransfer1         *iface,
              GDBusMethodInvocation *invocation)
{
  HaulTransfer *self = HAUL_TRANSFER (iface);

  g_debug ("Handling Pause");
  if (return_if_removed (self, invocation))
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  if (!haul_transfer_is_active (self))
    {
      g_dbus_method_invocation_return_error (invocation, HAUL_DBUS_ERROR,
                                             HAUL_DBUS_ERROR_INVALID_STATE,
                                             _("Only a queued, waiting or running transfer can be paused; this one is %s"),
                                             haul_transfer1_get_state (iface));
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  haul_transfer_pause (self);
  haul_transfer1_complete_pause (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_resume (HaulTransfer1         *iface,
               GDBusMethodInvocation *invocation)
{
  HaulTransfer *self = HAUL_TRANSFER (iface);
  const char *state = haul_transfer1_get_state (iface);

  g_debug ("Handling Resume");
  if (return_if_removed (self, invocation))
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  if (self->stop != STOP_NONE || (!state_is (self, "paused") && !state_is (self, "failed")))
    {
      g_dbus_method_invocation_return_error (invocation, HAUL_DBUS_ERROR,
                                             HAUL_DBUS_ERROR_INVALID_STATE,
                                             _("Only a paused or failed transfer can be resumed; this one is %s"),
                                             state);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  haul_transfer_resume (self);
  haul_transfer1_complete_resume (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_cancel (HaulTransfer1         *iface,
               GDBusMethodInvocation *invocation)
{
  HaulTransfer *self = HAUL_TRANSFER (iface);

  g_debug ("Handling Cancel");
  if (return_if_removed (self, invocation))
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  if (is_finished (self) || self->stop == STOP_CANCEL)
    {
      g_dbus_method_invocation_return_error (invocation, HAUL_DBUS_ERROR,
                                             HAUL_DBUS_ERROR_INVALID_STATE,
                                             _("A %s transfer cannot be cancelled"),
                                             haul_transfer1_get_state (iface));
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  stop_for (self, STOP_CANCEL);
  haul_transfer1_complete_cancel (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
cleanup_file_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HaulTransfer) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!haul_cleanup_file_finish (result, &error))
    g_message ("Transfer %u: the file stays: %s", haul_transfer1_get_id (HAUL_TRANSFER1 (self)),
               error->message);
  self->pending_io--;
  io_done (self);
}

/* Nothing of the removed transfer runs any more: its partial data goes (as Cancel deletes
 * it), and its file if it finished and the person asked; then it is forgotten. */
static void
finish_remove (HaulTransfer *self)
{
  HaulTransfer1 *iface = HAUL_TRANSFER1 (self);

  if (!is_finished (self))
    delete_partial (self);
  else if (state_is (self, "completed") && self->delete_file &&
           *haul_transfer1_get_file_name (iface) != '\0')
    {
      self->pending_io++;
      haul_cleanup_file_async (haul_transfer1_get_directory (iface),
                               haul_transfer1_get_file_name (iface), NULL, cleanup_file_cb,
                               g_object_ref (self));
    }
  io_done (self);
}

/* Removal is final from here on: every call answers NoSuchTransfer, the object leaves the
 * bus and its record is deleted, and what still runs stops. */
static void
begin_remove (HaulTransfer *self,
              gboolean      delete_file)
{
  self->removed = TRUE;
  self->delete_file = delete_file;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_signal_emit (self, signals[EVENT], 0, HAUL_TRANSFER_EVENT_REMOVING);
  if (self->cancellable != NULL)
    {
      self->stop = STOP_REMOVE;
      g_cancellable_cancel (self->cancellable);
    }
  else
    finish_remove (self);
}

typedef struct
{
  HaulTransfer          *self;
  GDBusMethodInvocation *invocation;
} RemoveCall;

static void
remove_file_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  RemoveCall *call = user_data;
  g_autoptr(GError) error = NULL;

  call->self->pending_io--;
  if (call->self->removed)
    {
      /* Removed meanwhile by another call. */
      g_dbus_method_invocation_return_error (call->invocation, HAUL_DBUS_ERROR,
                                             HAUL_DBUS_ERROR_NO_SUCH_TRANSFER,
                                             _("There is no transfer %u"),
                                             haul_transfer1_get_id (HAUL_TRANSFER1 (call->self)));
      io_done (call->self);
    }
  else if (!haul_cleanup_file_finish (result, &error))
    {
      /* Keep the transfer: the person can fix the permission and try again. */
      g_dbus_method_invocation_return_error (call->invocation, HAUL_DBUS_ERROR,
                                             HAUL_DBUS_ERROR_FAILED,
                                             _("Could not delete the file: %s"), error->message);
      io_done (call->self);
    }
  else
    {
      haul_transfer1_complete_remove (HAUL_TRANSFER1 (call->self), call->invocation);
      begin_remove (call->self, FALSE);
    }
  g_object_unref (call->invocation);
  g_object_unref (call->self);
  g_free (call);
}

static gboolean
handle_remove (HaulTransfer1         *iface,
               GDBusMethodInvocation *invocation,
               gboolean               delete_file)
{
  HaulTransfer *self = HAUL_TRANSFER (iface);

  g_debug ("Handling Remove");
  if (return_if_removed (self, invocation))
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  if (delete_file && state_is (self, "completed") &&
      *haul_transfer1_get_file_name (iface) != '\0')
    {
      RemoveCall *call = g_new0 (RemoveCall, 1);

      /* Answer once the file is gone, off the main loop, so that a failure is told. */
      call->self = g_object_ref (self);
      call->invocation = g_object_ref (invocation);
      self->pending_io++;
      haul_cleanup_file_async (haul_transfer1_get_directory (iface),
                               haul_transfer1_get_file_name (iface), NULL, remove_file_cb, call);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  haul_transfer1_complete_remove (iface, invocation);
  begin_remove (self, delete_file);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_set_uri (HaulTransfer1         *iface,
                GDBusMethodInvocation *invocation,
                const char            *uri)
{
  HaulTransfer *self = HAUL_TRANSFER (iface);
  g_autoptr(GError) error = NULL;

  g_debug ("Handling SetUri");
  if (return_if_removed (self, invocation))
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  if (!haul_manager_check_uri (uri, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (is_finished (self) || self->stop == STOP_CANCEL)
    {
      g_dbus_method_invocation_return_error (invocation, HAUL_DBUS_ERROR,
                                             HAUL_DBUS_ERROR_INVALID_STATE,
                                             _("The address of a %s transfer cannot be changed"),
                                             haul_transfer1_get_state (iface));
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  /* The partial data came from the old address: the engine continues it from the new one
   * only if the server proves it the same file (every validator and the size agree);
   * otherwise the transfer starts over. */
  if (self->previous_uri == NULL)
    self->previous_uri = g_strdup (haul_transfer1_get_uri (iface));
  self->tries = 0;
  haul_transfer1_set_uri (iface, uri);
  haul_transfer1_set_effective_uri (iface, uri);
  if (self->download != NULL)
    {
      if (self->stop == STOP_NONE)
        stop_for (self, STOP_REQUEUE);
    }
  else if (state_is (self, "failed") || (state_is (self, "waiting") && self->wait == WAIT_RETRY))
    set_state (self, "queued");
  haul_transfer1_complete_set_uri (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_set_discretionary (HaulTransfer1         *iface,
                          GDBusMethodInvocation *invocation,
                          gboolean               discretionary)
{
  HaulTransfer *self = HAUL_TRANSFER (iface);

  g_debug ("Handling SetDiscretionary");
  if (return_if_removed (self, invocation))
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  /* The manager follows notify::discretionary and schedules again. */
  if (haul_transfer1_get_discretionary (iface) != discretionary)
    haul_transfer1_set_discretionary (iface, discretionary);
  haul_transfer1_complete_set_discretionary (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
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
  return self->download != NULL;
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
  g_return_if_fail (HAUL_IS_TRANSFER (self));

  if (!haul_transfer_is_active (self) || self->stop != STOP_NONE)
    return;
  self->wait_why = reason;
  if (self->download != NULL)
    {
      g_free (self->wait_reason);
      self->wait_reason = g_strdup (text);
      stop_for (self, STOP_WAIT);
    }
  else
    set_waiting (self, WAIT_CONDITION, text);
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

  if (self->wait == WAIT_CONDITION && self->stop == STOP_NONE && state_is (self, "waiting"))
    set_state (self, "queued");
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

  g_clear_handle_id (&self->retry_source, g_source_remove);
  if (self->download != NULL && self->stop == STOP_NONE)
    stop_for (self, STOP_REQUEUE);
}

static void
haul_transfer_iface_init (HaulTransfer1Iface *iface)
{
  iface->handle_pause = handle_pause;
  iface->handle_resume = handle_resume;
  iface->handle_cancel = handle_cancel;
  iface->handle_remove = handle_remove;
  iface->handle_set_uri = handle_set_uri;
  iface->handle_set_discretionary = handle_set_discretionary;
}

static void
haul_transfer_dispose (GObject *object)
{
  HaulTransfer *self = HAUL_TRANSFER (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->download);

  G_OBJECT_CLASS (haul_transfer_parent_class)->dispose (object);
}

static void
haul_transfer_finalize (GObject *object)
{
  HaulTransfer *self = HAUL_TRANSFER (object);

  g_free (self->path);
  g_free (self->wait_reason);
  g_free (self->resume_data);
  g_free (self->previous_uri);
  g_free (self->requested_name);
  g_strfreev (self->headers);
  g_clear_pointer (&self->own_limiter, haul_rate_limiter_unref);

  G_OBJECT_CLASS (haul_transfer_parent_class)->finalize (object);
}

static GVariant *(*parent_get_properties) (GDBusInterfaceSkeleton *skeleton);

/* GetManagedObjects gathers the properties of every transfer into one reply. Built by the
 * generated code, each transfer's a{sv} is a tree of some seventy small values; with
 * thousands of transfers that tree took over 100 MiB until the reply was sent. Serialised
 * at once, each is one block. */
static GVariant *
haul_transfer_get_properties (GDBusInterfaceSkeleton *skeleton)
{
  GVariant *properties = parent_get_properties (skeleton);

  g_variant_get_data (properties);
  return properties;
}

static void
haul_transfer_class_init (HaulTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GDBusInterfaceSkeletonClass *skeleton_class = G_DBUS_INTERFACE_SKELETON_CLASS (klass);

  object_class->dispose = haul_transfer_dispose;
  object_class->finalize = haul_transfer_finalize;
  parent_get_properties = skeleton_class->get_properties;
  skeleton_class->get_properties = haul_transfer_get_properties;

  /**
   * HaulTransfer::event:
   * @self: the transfer
   * @event: a #HaulTransferEvent
   *
   * Emitted when the service has something to do for the transfer: when it was removed
   * (%HAUL_TRANSFER_EVENT_REMOVING: its record is to be deleted now, while what runs of it
   * stops), when a removed transfer has nothing running and nothing being deleted any more
   * (%HAUL_TRANSFER_EVENT_REMOVED: it is to be forgotten), when the engine saved resume
   * data durably (%HAUL_TRANSFER_EVENT_CHECKPOINT: the record, which keeps a copy, is to be
   * saved), and when its download stopped and no deletion of its files is on its way any
   * more (%HAUL_TRANSFER_EVENT_IDLE: a service waiting to exit may go). One signal rather
   * than four: with tens of thousands of transfers on record, each connection counts.
   */
  signals[EVENT] = g_signal_new ("event",
                                 G_TYPE_FROM_CLASS (klass),
                                 G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
haul_transfer_init (HaulTransfer *self)
{
}

/* A transfer with only its ID set, for haul_transfer_new() and the record reader. */
HaulTransfer *
_haul_transfer_new_empty (guint id)
{
  HaulTransfer *self = g_object_new (HAUL_TYPE_TRANSFER, NULL);

  self->path = g_strdup_printf ("%s/%u", HAUL_DAEMON_TRANSFER_PATH, id);
  haul_transfer1_set_id (HAUL_TRANSFER1 (self), id);
  return self;
}
