/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-transfer"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-dbus-error.h"
#include "haul-download.h"
#include "haul-manager.h"
#include "haul-service.h"
#include "haul-store.h"
#include "haul-transfer.h"

/* What a stop of the running download is for. */
typedef enum
{
  STOP_NONE,
  STOP_PAUSE,
  STOP_CANCEL,
  STOP_REMOVE,
  STOP_REQUEUE,     /* run again: a new URL, or the service stops and continues later */
  STOP_WAIT,        /* a condition is unmet: wait for it (wait_reason says which) */
} StopIntent;

/* What a waiting transfer waits for. */
typedef enum
{
  WAIT_NONE,
  WAIT_RETRY,       /* the engine's back-off; the download is still there */
  WAIT_CONDITION,   /* offline, metered network, power saver: no download runs */
} WaitKind;

struct _HaulTransfer
{
  HaulTransfer1Skeleton  parent_instance;

  char                  *path;
  GStrv                  headers;
  gboolean               overwrite;
  guint64                speed_limit;
  HaulRateLimiter       *own_limiter;

  HaulDownload          *download;
  GCancellable          *cancellable;
  StopIntent             stop;
  WaitKind               wait;
  char                  *wait_reason;
  char                  *resume_data;   /* a copy of the engine's last checkpoint */
  char                  *previous_uri;  /* the address before SetUri gave a fresh link */

  /* The figures last sent in a Progress signal. */
  guint64                sent_received;
  guint64                sent_total;
  guint64                sent_rate;
  gboolean               sent_once;
  gboolean               figures_dirty;  /* the last figures of a run are still to go */
};

static void haul_transfer_iface_init (HaulTransfer1Iface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HaulTransfer, haul_transfer, HAUL_TYPE_TRANSFER1_SKELETON,
                               G_IMPLEMENT_INTERFACE (HAUL_TYPE_TRANSFER1, haul_transfer_iface_init))

enum {
  REMOVED,
  CHECKPOINT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_state (HaulTransfer *self,
           const char   *state)
{
  HaulTransfer1 *iface = HAUL_TRANSFER1 (self);

  if (g_strcmp0 (haul_transfer1_get_state (iface), state) == 0)
    return;
  g_debug ("Transfer %u: %s", haul_transfer1_get_id (iface), state);
  if (!g_str_equal (state, "waiting"))
    {
      self->wait = WAIT_NONE;
      haul_transfer1_set_state_reason (iface, "");
    }
  haul_transfer1_set_state (iface, state);
  if (g_str_equal (state, "completed") || g_str_equal (state, "cancelled"))
    g_clear_pointer (&self->resume_data, g_free);
  if (g_str_equal (state, "completed") || g_str_equal (state, "failed") ||
      g_str_equal (state, "cancelled"))
    haul_transfer1_set_finished_at (iface, g_get_real_time () / G_USEC_PER_SEC);
}

gboolean
haul_transfer_is_queued (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return g_strcmp0 (haul_transfer1_get_state (HAUL_TRANSFER1 (self)), "queued") == 0;
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
  const char *state;

  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  state = haul_transfer1_get_state (HAUL_TRANSFER1 (self));
  return g_strcmp0 (state, "queued") == 0 || g_strcmp0 (state, "waiting") == 0 ||
         g_strcmp0 (state, "running") == 0;
}

const char *
haul_transfer_get_path (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), NULL);
  return self->path;
}

/* Deletes the partial data of a cancelled transfer: NAME.part and its resume data. */
static void
delete_partial (HaulTransfer *self)
{
  const char *name = haul_transfer1_get_file_name (HAUL_TRANSFER1 (self));
  const char *dir = haul_transfer1_get_directory (HAUL_TRANSFER1 (self));
  g_autofree char *part = NULL;
  g_autofree char *json = NULL;

  if (name == NULL || *name == '\0')
    return;
  part = g_strdup_printf ("%s/%s.part", dir, name);
  json = g_strdup_printf ("%s/%s.part.json", dir, name);
  haul_delete_file_async (part);
  haul_delete_file_async (json);
}

/* Waits for a condition, saying which in words a person understands. */
static void
set_waiting (HaulTransfer *self,
             WaitKind      kind,
             const char   *reason)
{
  self->wait = kind;
  haul_transfer1_set_state_reason (HAUL_TRANSFER1 (self), reason);
  set_state (self, "waiting");
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
    case STOP_CANCEL:
      delete_partial (self);
      set_state (self, "cancelled");
      break;
    case STOP_REMOVE:
      delete_partial (self);
      g_signal_emit (self, signals[REMOVED], 0);
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
  g_signal_emit (self, signals[CHECKPOINT], 0);
}

/* The engine waits out a transient error, or its wait is over. */
static void
on_retry_wait_cb (HaulDownload *download,
                  gint64        until,
                  const char   *why,
                  HaulTransfer *self)
{
  if (until > 0)
    {
      g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (until / G_USEC_PER_SEC);
      g_autofree char *when = g_date_time_format (at, "%X");
      /* Translators: the first %s is a time of day, the second an error message. */
      g_autofree char *reason = g_strdup_printf (_("Trying again at %s (%s)"), when, why);

      set_waiting (self, WAIT_RETRY, reason);
    }
  else if (self->wait == WAIT_RETRY)
    set_state (self, "running");
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(HaulTransfer) self = user_data;
  HaulTransfer1 *iface = HAUL_TRANSFER1 (self);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = haul_download_run_finish (HAUL_DOWNLOAD (object), result, &error);
  refresh (self);
  haul_transfer1_set_rate (iface, 0);
  self->figures_dirty = TRUE;
  g_signal_handlers_disconnect_by_func (object, on_retry_wait_cb, self);
  g_signal_handlers_disconnect_by_func (object, on_resume_data_saved_cb, self);
  g_clear_object (&self->download);
  g_clear_object (&self->cancellable);

  if (self->stop != STOP_NONE)
    finish_stop (self);
  else if (ok)
    set_state (self, "completed");
  else
    {
      haul_transfer1_set_error (iface, error->message);
      set_state (self, "failed");
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

  /* After the first run the name is the one the server gave; keep it. */
  name = haul_transfer1_get_file_name (iface);
  self->download = haul_download_new (haul_transfer1_get_uri (iface),
                                      haul_transfer1_get_directory (iface),
                                      name != NULL && *name != '\0' ? name : NULL);
  haul_download_set_session (self->download, session);
  haul_download_set_max_segments (self->download, haul_transfer1_get_segments (iface));
  haul_download_set_overwrite (self->download, self->overwrite);
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

  haul_transfer1_set_error (iface, "");
  g_signal_connect (self->download, "retry-wait", G_CALLBACK (on_retry_wait_cb), self);
  g_signal_connect (self->download, "resume-data-saved", G_CALLBACK (on_resume_data_saved_cb), self);
  haul_download_set_saved_resume_data (self->download, self->resume_data);
  haul_download_set_previous_uri (self->download, self->previous_uri);
  self->cancellable = g_cancellable_new ();
  set_state (self, "running");
  haul_download_run_async (self->download, self->cancellable, run_cb, g_object_ref (self));
}

/* Stops for @intent: a running download stops through its cancellable (saving its resume
 * data) and finishes in run_cb; anything else finishes now. */
static void
stop_for (HaulTransfer *self,
          StopIntent    intent)
{
  self->stop = intent;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  else
    finish_stop (self);
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
  const char *state;

  g_return_if_fail (HAUL_IS_TRANSFER (self));
  state = haul_transfer1_get_state (HAUL_TRANSFER1 (self));
  if (g_strcmp0 (state, "paused") == 0 || g_strcmp0 (state, "failed") == 0)
    set_state (self, "queued");
}

static gboolean
handle_pause (HaulTransfer1         *iface,
              GDBusMethodInvocation *invocation)
{
  HaulTransfer *self = HAUL_TRANSFER (iface);

  g_debug ("Handling Pause");
  haul_note_activity ();
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
  haul_note_activity ();
  if (self->stop != STOP_NONE ||
      (g_strcmp0 (state, "paused") != 0 && g_strcmp0 (state, "failed") != 0))
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
  const char *state = haul_transfer1_get_state (iface);

  g_debug ("Handling Cancel");
  haul_note_activity ();
  if (g_strcmp0 (state, "completed") == 0 || g_strcmp0 (state, "cancelled") == 0)
    {
      g_dbus_method_invocation_return_error (invocation, HAUL_DBUS_ERROR,
                                             HAUL_DBUS_ERROR_INVALID_STATE,
                                             _("A %s transfer cannot be cancelled"), state);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  stop_for (self, STOP_CANCEL);
  haul_transfer1_complete_cancel (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* Forgets the transfer once nothing of it runs any more. */
static void
finish_remove (HaulTransfer *self)
{
  if (self->cancellable != NULL)
    stop_for (self, STOP_REMOVE);
  else
    g_signal_emit (self, signals[REMOVED], 0);
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

  if (!g_file_delete_finish (G_FILE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      /* Keep the transfer: the person can fix the permission and try again. */
      g_dbus_method_invocation_return_error (call->invocation, HAUL_DBUS_ERROR,
                                             HAUL_DBUS_ERROR_FAILED,
                                             _("Could not delete the file: %s"), error->message);
    }
  else
    {
      haul_transfer1_complete_remove (HAUL_TRANSFER1 (call->self), call->invocation);
      finish_remove (call->self);
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
  haul_note_activity ();
  if (delete_file && g_strcmp0 (haul_transfer1_get_state (iface), "completed") == 0)
    {
      g_autofree char *path = g_build_filename (haul_transfer1_get_directory (iface),
                                                haul_transfer1_get_file_name (iface), NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      RemoveCall *call = g_new0 (RemoveCall, 1);

      /* Answer once the file is gone, off the main loop. */
      call->self = g_object_ref (self);
      call->invocation = g_object_ref (invocation);
      g_file_delete_async (file, G_PRIORITY_DEFAULT, NULL, remove_file_cb, call);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  haul_transfer1_complete_remove (iface, invocation);
  finish_remove (self);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_set_uri (HaulTransfer1         *iface,
                GDBusMethodInvocation *invocation,
                const char            *uri)
{
  HaulTransfer *self = HAUL_TRANSFER (iface);
  const char *state = haul_transfer1_get_state (iface);
  g_autoptr(GError) error = NULL;

  g_debug ("Handling SetUri");
  haul_note_activity ();
  if (!haul_manager_check_uri (uri, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (g_strcmp0 (state, "completed") == 0 || g_strcmp0 (state, "cancelled") == 0 ||
      self->stop == STOP_CANCEL || self->stop == STOP_REMOVE)
    {
      g_dbus_method_invocation_return_error (invocation, HAUL_DBUS_ERROR,
                                             HAUL_DBUS_ERROR_INVALID_STATE,
                                             _("The address of a %s transfer cannot be changed"),
                                             state);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  /* The engine resumes from the partial data with If-Range carrying the validator of the
   * old address: the same file answers 206 and the transfer continues; a different one
   * answers 200 and it starts over. */
  /* The partial data came from the old address: it may be continued from the new one. */
  if (self->previous_uri == NULL)
    self->previous_uri = g_strdup (haul_transfer1_get_uri (iface));
  haul_transfer1_set_uri (iface, uri);
  haul_transfer1_set_effective_uri (iface, uri);
  if (self->download != NULL)
    {
      if (self->stop == STOP_NONE)
        stop_for (self, STOP_REQUEUE);
    }
  else if (g_strcmp0 (state, "failed") == 0)
    set_state (self, "queued");
  haul_transfer1_complete_set_uri (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_set_discretionary (HaulTransfer1         *iface,
                          GDBusMethodInvocation *invocation,
                          gboolean               discretionary)
{
  g_debug ("Handling SetDiscretionary");
  haul_note_activity ();
  /* The manager follows notify::discretionary and schedules again. */
  haul_transfer1_set_discretionary (iface, discretionary);
  haul_transfer1_complete_set_discretionary (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/**
 * haul_transfer_occupies_slot:
 * @self: a transfer
 *
 * Returns: %TRUE while the engine works on it, including its back-off between tries
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
 * @reason: why it must wait, for a person
 *
 * A condition is unmet (no network, a metered one, power saver): the transfer stops,
 * keeping its resume data, and waits, without using up its tries.
 */
void
haul_transfer_wait_for (HaulTransfer *self,
                        const char   *reason)
{
  g_return_if_fail (HAUL_IS_TRANSFER (self));

  if (!haul_transfer_is_active (self) || self->stop != STOP_NONE)
    return;
  if (self->download != NULL)
    {
      g_free (self->wait_reason);
      self->wait_reason = g_strdup (reason);
      stop_for (self, STOP_WAIT);
    }
  else
    set_waiting (self, WAIT_CONDITION, reason);
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

  if (self->wait == WAIT_CONDITION && self->stop == STOP_NONE &&
      g_strcmp0 (haul_transfer1_get_state (HAUL_TRANSFER1 (self)), "waiting") == 0)
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
   * HaulTransfer::removed:
   *
   * Emitted when a client removed the transfer and nothing of it runs any more: the
   * manager then forgets it.
   */
  signals[REMOVED] = g_signal_new ("removed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);

  /**
   * HaulTransfer::checkpoint:
   *
   * Emitted when the engine saved resume data durably: the record, which keeps a copy,
   * is to be saved.
   */
  signals[CHECKPOINT] = g_signal_new ("checkpoint",
                                      G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 0);
}

static void
haul_transfer_init (HaulTransfer *self)
{
}

#define RECORD_VERSION 1

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
  json_builder_set_member_name (b, "directory");
  json_builder_add_string_value (b, haul_transfer1_get_directory (t));
  json_builder_set_member_name (b, "filename");
  json_builder_add_string_value (b, haul_transfer1_get_file_name (t));
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, haul_transfer1_get_state (t));
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, haul_transfer1_get_error (t));
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, haul_transfer1_get_sha256 (t));
  json_builder_set_member_name (b, "segments");
  json_builder_add_int_value (b, haul_transfer1_get_segments (t));
  json_builder_set_member_name (b, "discretionary");
  json_builder_add_boolean_value (b, haul_transfer1_get_discretionary (t));
  json_builder_set_member_name (b, "overwrite");
  json_builder_add_boolean_value (b, self->overwrite);
  json_builder_set_member_name (b, "speed-limit");
  json_builder_add_int_value (b, (gint64) self->speed_limit);
  json_builder_set_member_name (b, "headers");
  json_builder_begin_array (b);
  for (guint i = 0; self->headers != NULL && self->headers[i] != NULL; i++)
    json_builder_add_string_value (b, self->headers[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "bytes-received");
  json_builder_add_int_value (b, (gint64) haul_transfer1_get_bytes_received (t));
  json_builder_set_member_name (b, "bytes-total");
  json_builder_add_int_value (b, (gint64) haul_transfer1_get_bytes_total (t));
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

static const char *
record_string (JsonObject *record,
               const char *name)
{
  JsonNode *node = json_object_get_member (record, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
record_int (JsonObject *record,
            const char *name)
{
  JsonNode *node = json_object_get_member (record, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;
  return json_node_get_int (node);
}

static gboolean
record_bool (JsonObject *record,
             const char *name)
{
  JsonNode *node = json_object_get_member (record, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

/**
 * haul_transfer_new_from_record:
 * @record: a record written by haul_transfer_to_record()
 * @error: return location for a #GError
 *
 * Brings a transfer back after the daemon started again. One that was queued, waiting or
 * running is queued again, and the engine continues from its resume data.
 *
 * Returns: (transfer full) (nullable): the transfer
 */
HaulTransfer *
haul_transfer_new_from_record (JsonObject  *record,
                               GError     **error)
{
  static const char * const states[] = {
    "queued", "waiting", "running", "paused", "completed", "failed", "cancelled", NULL
  };
  const char *uri = record_string (record, "uri");
  const char *directory = record_string (record, "directory");
  const char *state = record_string (record, "state");
  gint64 id = record_int (record, "id");
  gint64 segments = record_int (record, "segments");
  g_autoptr(GVariant) no_options = g_variant_ref_sink (g_variant_new ("a{sv}", NULL));
  HaulTransfer *self;
  HaulTransfer1 *t;
  JsonNode *headers;

  if (record_int (record, "version") != RECORD_VERSION || id <= 0 || id > G_MAXUINT32 ||
      uri == NULL || directory == NULL || state == NULL || !g_strv_contains (states, state) ||
      segments < 1 || segments > 16)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The record lacks a field or has a bad value");
      return NULL;
    }

  self = haul_transfer_new ((guint) id, uri, directory, no_options);
  t = HAUL_TRANSFER1 (self);
  haul_transfer1_set_effective_uri (t, record_string (record, "effective-uri") ?: uri);
  haul_transfer1_set_file_name (t, record_string (record, "filename") ?: "");
  haul_transfer1_set_error (t, record_string (record, "error") ?: "");
  haul_transfer1_set_sha256 (t, record_string (record, "sha256") ?: "");
  haul_transfer1_set_segments (t, (guint) segments);
  haul_transfer1_set_discretionary (t, record_bool (record, "discretionary"));
  haul_transfer1_set_bytes_received (t, (guint64) MAX (record_int (record, "bytes-received"), 0));
  haul_transfer1_set_bytes_total (t, (guint64) MAX (record_int (record, "bytes-total"), 0));
  haul_transfer1_set_created_at (t, record_int (record, "created-at"));
  haul_transfer1_set_finished_at (t, record_int (record, "finished-at"));
  self->overwrite = record_bool (record, "overwrite");
  self->speed_limit = (guint64) MAX (record_int (record, "speed-limit"), 0);

  {
    JsonNode *resume = json_object_get_member (record, "resume");

    if (resume != NULL && JSON_NODE_HOLDS_OBJECT (resume))
      self->resume_data = json_to_string (resume, FALSE);
  }

  headers = json_object_get_member (record, "headers");
  if (headers != NULL && JSON_NODE_HOLDS_ARRAY (headers))
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      JsonArray *array = json_node_get_array (headers);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (item));
        }
      self->headers = g_strv_builder_end (builder);
    }

  if (g_str_equal (state, "running") || g_str_equal (state, "waiting"))
    state = "queued";
  haul_transfer1_set_state (t, state);
  return self;
}

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
  HaulTransfer *self = g_object_new (HAUL_TYPE_TRANSFER, NULL);
  HaulTransfer1 *iface = HAUL_TRANSFER1 (self);
  const char *filename = NULL;
  const char *sha256 = NULL;
  g_autoptr(GVariant) headers = NULL;
  gboolean paused = FALSE;
  gboolean discretionary = FALSE;
  guint segments = 4;

  self->path = g_strdup_printf ("/io/github/haul/Daemon/transfer/%u", id);

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

  haul_transfer1_set_id (iface, id);
  haul_transfer1_set_uri (iface, uri);
  haul_transfer1_set_effective_uri (iface, uri);
  haul_transfer1_set_directory (iface, directory);
  haul_transfer1_set_file_name (iface, filename != NULL ? filename : "");
  haul_transfer1_set_state (iface, paused ? "paused" : "queued");
  haul_transfer1_set_state_reason (iface, "");
  haul_transfer1_set_error (iface, "");
  haul_transfer1_set_discretionary (iface, discretionary);
  haul_transfer1_set_segments (iface, segments);
  haul_transfer1_set_sha256 (iface, sha256 != NULL ? sha256 : "");
  haul_transfer1_set_created_at (iface, g_get_real_time () / G_USEC_PER_SEC);
  return self;
}
