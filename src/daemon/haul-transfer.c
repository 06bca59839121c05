/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-transfer"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-check.h"
#include "haul-cleanup.h"
#include "haul-enum-types.h"
#include "haul-error.h"
#include "haul-transfer-private.h"

/* One transfer of the service: what clients see of it as GObject properties, which notify
 * only when their value changes, and what a client may ask of it. Its run with the engine
 * is in haul-transfer-run.c, where it comes from and what is kept of it in
 * haul-transfer-record.c. The progress figures do not notify: the manager reads them for
 * its batched progress signal. */

G_DEFINE_FINAL_TYPE (HaulTransfer, haul_transfer, G_TYPE_OBJECT)

enum {
  EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];
GParamSpec *_haul_transfer_props[HAUL_TRANSFER_N_PROPS];

/* ---- properties --------------------------------------------------------------------- */

static void
notify (HaulTransfer *self,
        guint         prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), _haul_transfer_props[prop]);
}

void
_haul_transfer_set_string (HaulTransfer  *self,
                           char         **field,
                           guint          prop,
                           const char    *value)
{
  if (value == NULL)
    value = "";
  if (g_str_equal (_haul_str (*field), value))
    return;
  g_free (*field);
  *field = *value != '\0' ? g_strdup (value) : NULL;
  notify (self, prop);
}

void
_haul_transfer_set_boolean (HaulTransfer *self,
                            gboolean     *field,
                            guint         prop,
                            gboolean      value)
{
  if (*field == !!value)
    return;
  *field = !!value;
  notify (self, prop);
}

static void
set_int64 (HaulTransfer *self,
           gint64       *field,
           guint         prop,
           gint64        value)
{
  if (*field == value)
    return;
  *field = value;
  notify (self, prop);
}

/* The state and what goes with it change together: listeners (the manager saves the
 * record) hear of them once all are set. */
void
_haul_transfer_set_state (HaulTransfer      *self,
                          HaulTransferState  state)
{
  if (self->state == state)
    return;
  g_debug ("Transfer %u: %s", self->id, haul_transfer_state_to_string (state));

  g_object_freeze_notify (G_OBJECT (self));
  if (state != HAUL_TRANSFER_STATE_WAITING)
    {
      _haul_transfer_end_wait (self);
      _haul_transfer_set_string (self, &self->state_reason, HAUL_TRANSFER_PROP_STATE_REASON, "");
      if (self->wait_reason != HAUL_WAIT_REASON_NONE)
        {
          self->wait_reason = HAUL_WAIT_REASON_NONE;
          notify (self, HAUL_TRANSFER_PROP_WAIT_REASON);
        }
      set_int64 (self, &self->retry_at, HAUL_TRANSFER_PROP_RETRY_AT, 0);
    }
  if (state != HAUL_TRANSFER_STATE_FAILED && self->error_kind != HAUL_ERROR_KIND_NONE)
    {
      self->error_kind = HAUL_ERROR_KIND_NONE;
      notify (self, HAUL_TRANSFER_PROP_ERROR_KIND);
    }
  if (state == HAUL_TRANSFER_STATE_COMPLETED || state == HAUL_TRANSFER_STATE_CANCELLED)
    g_clear_pointer (&self->resume_data, g_free);
  if (state == HAUL_TRANSFER_STATE_COMPLETED || state == HAUL_TRANSFER_STATE_FAILED ||
      state == HAUL_TRANSFER_STATE_CANCELLED)
    set_int64 (self, &self->finished_at, HAUL_TRANSFER_PROP_FINISHED_AT,
               g_get_real_time () / G_USEC_PER_SEC);
  self->state = state;
  notify (self, HAUL_TRANSFER_PROP_STATE);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Sets the reason of a failure; the state is set apart. */
void
_haul_transfer_set_error (HaulTransfer  *self,
                          const char    *message,
                          HaulErrorKind  kind)
{
  _haul_transfer_set_string (self, &self->error, HAUL_TRANSFER_PROP_ERROR, message);
  if (self->error_kind != kind)
    {
      self->error_kind = kind;
      notify (self, HAUL_TRANSFER_PROP_ERROR_KIND);
    }
}

/* Sets why the transfer waits, for a person and for a client; the state is set apart. */
void
_haul_transfer_set_wait (HaulTransfer   *self,
                         const char     *text,
                         HaulWaitReason  reason,
                         gint64          retry_at)
{
  _haul_transfer_set_string (self, &self->state_reason, HAUL_TRANSFER_PROP_STATE_REASON, text);
  if (self->wait_reason != reason)
    {
      self->wait_reason = reason;
      notify (self, HAUL_TRANSFER_PROP_WAIT_REASON);
    }
  set_int64 (self, &self->retry_at, HAUL_TRANSFER_PROP_RETRY_AT, retry_at);
}

void
_haul_transfer_emit_event (HaulTransfer      *self,
                           HaulTransferEvent  event)
{
  g_signal_emit (self, signals[EVENT], 0, event);
}

guint
haul_transfer_get_id (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), 0);
  return self->id;
}

const char *
haul_transfer_get_uri (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), NULL);
  return _haul_str (self->uri);
}

const char *
haul_transfer_get_effective_uri (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), NULL);
  return self->effective_uri != NULL ? self->effective_uri : _haul_str (self->uri);
}

const char *
haul_transfer_get_directory (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), NULL);
  return _haul_str (self->directory);
}

const char *
haul_transfer_get_file_name (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), NULL);
  return _haul_str (self->file_name);
}

HaulTransferState
haul_transfer_get_state (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), HAUL_TRANSFER_STATE_QUEUED);
  return self->state;
}

const char *
haul_transfer_get_state_reason (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), NULL);
  return _haul_str (self->state_reason);
}

HaulWaitReason
haul_transfer_get_wait_reason (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), HAUL_WAIT_REASON_NONE);
  return self->wait_reason;
}

gint64
haul_transfer_get_retry_at (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), 0);
  return self->retry_at;
}

const char *
haul_transfer_get_error_message (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), NULL);
  return _haul_str (self->error);
}

HaulErrorKind
haul_transfer_get_error_kind (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), HAUL_ERROR_KIND_NONE);
  return self->error_kind;
}

guint64
haul_transfer_get_bytes_received (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), 0);
  return self->bytes_received;
}

guint64
haul_transfer_get_bytes_total (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), 0);
  return self->bytes_total;
}

guint64
haul_transfer_get_rate (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), 0);
  return self->rate;
}

gboolean
haul_transfer_get_resumable (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return self->resumable;
}

gboolean
haul_transfer_get_discretionary (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return self->discretionary;
}

guint
haul_transfer_get_segments (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), 0);
  return self->segments;
}

const char *
haul_transfer_get_sha256 (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), NULL);
  return _haul_str (self->sha256);
}

gint64
haul_transfer_get_created_at (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), 0);
  return self->created_at;
}

gint64
haul_transfer_get_finished_at (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), 0);
  return self->finished_at;
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
  return !self->removed && haul_transfer_state_is_active (self->state);
}

gboolean
haul_transfer_is_queued (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return !self->removed && self->state == HAUL_TRANSFER_STATE_QUEUED;
}

gboolean
haul_transfer_is_removed (HaulTransfer *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);
  return self->removed;
}

/* ---- what a client asks ------------------------------------------------------------- */

/* A removed transfer answers as one that never was. */
static gboolean
refuse_if_removed (HaulTransfer  *self,
                   GError       **error)
{
  if (!self->removed)
    return FALSE;
  g_set_error (error, HAUL_ERROR, HAUL_ERROR_NO_SUCH_TRANSFER, _("There is no transfer %u"),
               self->id);
  return TRUE;
}

static gboolean
is_finished (HaulTransfer *self)
{
  return self->state == HAUL_TRANSFER_STATE_COMPLETED ||
         self->state == HAUL_TRANSFER_STATE_CANCELLED;
}

/**
 * haul_transfer_pause:
 * @self: a queued, waiting or running transfer
 * @error: return location for a #GError
 *
 * Stops the transfer, its resume data saved.
 *
 * Returns: %TRUE if it pauses
 */
gboolean
haul_transfer_pause (HaulTransfer  *self,
                     GError       **error)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);

  if (refuse_if_removed (self, error))
    return FALSE;
  if (!haul_transfer_is_active (self))
    {
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_STATE,
                   _("Only a queued, waiting or running transfer can be paused; this one is %s"),
                   haul_transfer_state_to_string (self->state));
      return FALSE;
    }
  _haul_transfer_stop_for (self, HAUL_STOP_PAUSE);
  return TRUE;
}

/**
 * haul_transfer_resume:
 * @self: a paused or failed transfer
 * @error: return location for a #GError
 *
 * Queues the transfer again, with a fresh set of tries.
 *
 * Returns: %TRUE if it is queued
 */
gboolean
haul_transfer_resume (HaulTransfer  *self,
                      GError       **error)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);

  if (refuse_if_removed (self, error))
    return FALSE;
  if (_haul_transfer_get_stop (self) != HAUL_STOP_NONE ||
      (self->state != HAUL_TRANSFER_STATE_PAUSED && self->state != HAUL_TRANSFER_STATE_FAILED))
    {
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_STATE,
                   _("Only a paused or failed transfer can be resumed; this one is %s"),
                   haul_transfer_state_to_string (self->state));
      return FALSE;
    }
  self->tries = 0;
  _haul_transfer_set_state (self, HAUL_TRANSFER_STATE_QUEUED);
  return TRUE;
}

/**
 * haul_transfer_cancel:
 * @self: a transfer that is neither completed nor cancelled
 * @error: return location for a #GError
 *
 * Stops the transfer and deletes its partial data; it stays on record as cancelled.
 *
 * Returns: %TRUE if it is cancelled
 */
gboolean
haul_transfer_cancel (HaulTransfer  *self,
                      GError       **error)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);

  if (refuse_if_removed (self, error))
    return FALSE;
  if (is_finished (self) || _haul_transfer_get_stop (self) == HAUL_STOP_CANCEL)
    {
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_STATE,
                   _("A %s transfer cannot be cancelled"),
                   haul_transfer_state_to_string (self->state));
      return FALSE;
    }
  _haul_transfer_stop_for (self, HAUL_STOP_CANCEL);
  return TRUE;
}

static void
remove_file_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HaulTransfer *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  self->pending_io--;
  if (self->removed)
    {
      /* Removed meanwhile by another call. */
      g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_NO_SUCH_TRANSFER,
                               _("There is no transfer %u"), self->id);
      _haul_transfer_io_done (self);
    }
  else if (!haul_cleanup_file_finish (result, &error))
    {
      /* The transfer stays: the person can fix the permission and try again. */
      g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_FAILED,
                               _("Could not delete the file: %s"), error->message);
      _haul_transfer_io_done (self);
    }
  else
    {
      g_task_return_boolean (task, TRUE);
      _haul_transfer_begin_remove (self, FALSE);
    }
}

/**
 * haul_transfer_remove_async:
 * @self: a transfer
 * @delete_file: also delete the file of a completed transfer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the transfer is removed, or could not be
 * @user_data: for @callback
 *
 * Removes the transfer for good: from here on it refuses every call, its record goes, and
 * what runs of it stops; #HaulTransfer::event tells the manager when it may be forgotten.
 * When @delete_file is set for a completed transfer, the file is deleted first, off the
 * main loop, so that a failure is told and the transfer kept.
 */
void
haul_transfer_remove_async (HaulTransfer        *self,
                            gboolean             delete_file,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (HAUL_IS_TRANSFER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haul_transfer_remove_async);
  if (refuse_if_removed (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (delete_file && self->state == HAUL_TRANSFER_STATE_COMPLETED && self->file_name != NULL)
    {
      _haul_transfer_io_started (self);
      haul_cleanup_file_async (self->directory, self->file_name, cancellable, remove_file_cb,
                               g_steal_pointer (&task));
      return;
    }
  g_task_return_boolean (task, TRUE);
  _haul_transfer_begin_remove (self, delete_file);
}

gboolean
haul_transfer_remove_finish (HaulTransfer  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * haul_transfer_set_uri:
 * @self: a transfer that is neither completed nor cancelled
 * @uri: a fresh link for the same file
 * @error: return location for a #GError
 *
 * The partial data came from the old address: the engine continues it from the new one
 * only if the server proves it the same file (every validator and the size agree);
 * otherwise the transfer starts over.
 *
 * Returns: %TRUE if the transfer takes @uri
 */
gboolean
haul_transfer_set_uri (HaulTransfer  *self,
                       const char    *uri,
                       GError       **error)
{
  HaulStopIntent stop;

  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);

  if (refuse_if_removed (self, error) || !haul_check_uri (uri, error))
    return FALSE;
  stop = _haul_transfer_get_stop (self);
  if (is_finished (self) || stop == HAUL_STOP_CANCEL)
    {
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_STATE,
                   _("The address of a %s transfer cannot be changed"),
                   haul_transfer_state_to_string (self->state));
      return FALSE;
    }

  if (self->previous_uri == NULL)
    self->previous_uri = g_strdup (self->uri);
  self->tries = 0;
  g_object_freeze_notify (G_OBJECT (self));
  _haul_transfer_set_string (self, &self->uri, HAUL_TRANSFER_PROP_URI, uri);
  if (self->effective_uri != NULL)
    {
      g_clear_pointer (&self->effective_uri, g_free);
      notify (self, HAUL_TRANSFER_PROP_EFFECTIVE_URI);
    }
  g_object_thaw_notify (G_OBJECT (self));

  if (haul_transfer_occupies_slot (self))
    {
      if (stop == HAUL_STOP_NONE)
        _haul_transfer_stop_for (self, HAUL_STOP_REQUEUE);
    }
  else if (self->state == HAUL_TRANSFER_STATE_FAILED ||
           (self->state == HAUL_TRANSFER_STATE_WAITING &&
            _haul_transfer_get_wait_kind (self) == HAUL_WAIT_RETRY))
    _haul_transfer_set_state (self, HAUL_TRANSFER_STATE_QUEUED);
  return TRUE;
}

/**
 * haul_transfer_set_discretionary:
 * @self: a transfer
 * @discretionary: whether it waits for an unmetered network and power saver off
 * @error: return location for a #GError
 *
 * Returns: %TRUE unless the transfer was removed
 */
gboolean
haul_transfer_set_discretionary (HaulTransfer  *self,
                                 gboolean       discretionary,
                                 GError       **error)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER (self), FALSE);

  if (refuse_if_removed (self, error))
    return FALSE;
  /* The manager follows notify::discretionary and schedules again. */
  _haul_transfer_set_boolean (self, &self->discretionary, HAUL_TRANSFER_PROP_DISCRETIONARY,
                              discretionary);
  return TRUE;
}

/* ---- object ------------------------------------------------------------------------- */

static void
haul_transfer_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HaulTransfer *self = HAUL_TRANSFER (object);

  switch (prop_id)
    {
    case HAUL_TRANSFER_PROP_ID:
      g_value_set_uint (value, self->id);
      break;
    case HAUL_TRANSFER_PROP_URI:
      g_value_set_string (value, _haul_str (self->uri));
      break;
    case HAUL_TRANSFER_PROP_EFFECTIVE_URI:
      g_value_set_string (value, haul_transfer_get_effective_uri (self));
      break;
    case HAUL_TRANSFER_PROP_DIRECTORY:
      g_value_set_string (value, _haul_str (self->directory));
      break;
    case HAUL_TRANSFER_PROP_FILE_NAME:
      g_value_set_string (value, _haul_str (self->file_name));
      break;
    case HAUL_TRANSFER_PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case HAUL_TRANSFER_PROP_STATE_REASON:
      g_value_set_string (value, _haul_str (self->state_reason));
      break;
    case HAUL_TRANSFER_PROP_WAIT_REASON:
      g_value_set_enum (value, self->wait_reason);
      break;
    case HAUL_TRANSFER_PROP_RETRY_AT:
      g_value_set_int64 (value, self->retry_at);
      break;
    case HAUL_TRANSFER_PROP_ERROR:
      g_value_set_string (value, _haul_str (self->error));
      break;
    case HAUL_TRANSFER_PROP_ERROR_KIND:
      g_value_set_enum (value, self->error_kind);
      break;
    case HAUL_TRANSFER_PROP_BYTES_RECEIVED:
      g_value_set_uint64 (value, self->bytes_received);
      break;
    case HAUL_TRANSFER_PROP_BYTES_TOTAL:
      g_value_set_uint64 (value, self->bytes_total);
      break;
    case HAUL_TRANSFER_PROP_RATE:
      g_value_set_uint64 (value, self->rate);
      break;
    case HAUL_TRANSFER_PROP_RESUMABLE:
      g_value_set_boolean (value, self->resumable);
      break;
    case HAUL_TRANSFER_PROP_DISCRETIONARY:
      g_value_set_boolean (value, self->discretionary);
      break;
    case HAUL_TRANSFER_PROP_SEGMENTS:
      g_value_set_uint (value, self->segments);
      break;
    case HAUL_TRANSFER_PROP_SHA256:
      g_value_set_string (value, _haul_str (self->sha256));
      break;
    case HAUL_TRANSFER_PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;
    case HAUL_TRANSFER_PROP_FINISHED_AT:
      g_value_set_int64 (value, self->finished_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_transfer_dispose (GObject *object)
{
  HaulTransfer *self = HAUL_TRANSFER (object);

  g_clear_pointer (&self->run, _haul_transfer_run_free);

  G_OBJECT_CLASS (haul_transfer_parent_class)->dispose (object);
}

static void
haul_transfer_finalize (GObject *object)
{
  HaulTransfer *self = HAUL_TRANSFER (object);

  g_free (self->uri);
  g_free (self->effective_uri);
  g_free (self->directory);
  g_free (self->file_name);
  g_free (self->state_reason);
  g_free (self->error);
  g_free (self->sha256);
  g_strfreev (self->headers);
  g_free (self->requested_name);
  g_free (self->previous_uri);
  g_free (self->resume_data);

  G_OBJECT_CLASS (haul_transfer_parent_class)->finalize (object);
}

static GParamSpec *
string_property (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, "",
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
int64_property (const char *name)
{
  return g_param_spec_int64 (name, NULL, NULL, 0, G_MAXINT64, 0,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
figure_property (const char *name)
{
  return g_param_spec_uint64 (name, NULL, NULL, 0, G_MAXUINT64, 0,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
boolean_property (const char *name)
{
  return g_param_spec_boolean (name, NULL, NULL, FALSE,
                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
haul_transfer_class_init (HaulTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamSpec **props = _haul_transfer_props;

  object_class->get_property = haul_transfer_get_property;
  object_class->dispose = haul_transfer_dispose;
  object_class->finalize = haul_transfer_finalize;

  /* The names are those of Transfer1's properties; bytes-received, bytes-total and rate
   * never notify (see haul_transfer_take_progress()). */
  props[HAUL_TRANSFER_PROP_ID] = g_param_spec_uint ("id", NULL, NULL, 0, G_MAXUINT32, 0, flags);
  props[HAUL_TRANSFER_PROP_URI] = string_property ("uri");
  props[HAUL_TRANSFER_PROP_EFFECTIVE_URI] = string_property ("effective-uri");
  props[HAUL_TRANSFER_PROP_DIRECTORY] = string_property ("directory");
  props[HAUL_TRANSFER_PROP_FILE_NAME] = string_property ("file-name");
  props[HAUL_TRANSFER_PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, HAUL_TYPE_TRANSFER_STATE,
                       HAUL_TRANSFER_STATE_QUEUED, flags);
  props[HAUL_TRANSFER_PROP_STATE_REASON] = string_property ("state-reason");
  props[HAUL_TRANSFER_PROP_WAIT_REASON] =
    g_param_spec_enum ("wait-reason", NULL, NULL, HAUL_TYPE_WAIT_REASON,
                       HAUL_WAIT_REASON_NONE, flags);
  props[HAUL_TRANSFER_PROP_RETRY_AT] = int64_property ("retry-at");
  props[HAUL_TRANSFER_PROP_ERROR] = string_property ("error");
  props[HAUL_TRANSFER_PROP_ERROR_KIND] =
    g_param_spec_enum ("error-kind", NULL, NULL, HAUL_TYPE_ERROR_KIND,
                       HAUL_ERROR_KIND_NONE, flags);
  props[HAUL_TRANSFER_PROP_BYTES_RECEIVED] = figure_property ("bytes-received");
  props[HAUL_TRANSFER_PROP_BYTES_TOTAL] = figure_property ("bytes-total");
  props[HAUL_TRANSFER_PROP_RATE] = figure_property ("rate");
  props[HAUL_TRANSFER_PROP_RESUMABLE] = boolean_property ("resumable");
  props[HAUL_TRANSFER_PROP_DISCRETIONARY] = boolean_property ("discretionary");
  props[HAUL_TRANSFER_PROP_SEGMENTS] =
    g_param_spec_uint ("segments", NULL, NULL, 1, HAUL_MAX_SEGMENTS, 4, flags);
  props[HAUL_TRANSFER_PROP_SHA256] = string_property ("sha256");
  props[HAUL_TRANSFER_PROP_CREATED_AT] = int64_property ("created-at");
  props[HAUL_TRANSFER_PROP_FINISHED_AT] = int64_property ("finished-at");
  g_object_class_install_properties (object_class, HAUL_TRANSFER_N_PROPS, props);

  /**
   * HaulTransfer::event:
   * @self: the transfer
   * @event: a #HaulTransferEvent
   *
   * Emitted when the manager has something to do for the transfer: when it was removed
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
  self->segments = 4;
}

/* A transfer with only its ID set, for the record reader. */
HaulTransfer *
_haul_transfer_new_empty (guint id)
{
  HaulTransfer *self = g_object_new (HAUL_TYPE_TRANSFER, NULL);

  self->id = id;
  return self;
}
