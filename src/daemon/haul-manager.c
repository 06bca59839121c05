/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-manager"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-check.h"
#include "haul-conditions.h"
#include "haul-error.h"
#include "haul-download.h"
#include "haul-manager.h"
#include "haul-store.h"

/* The transfers of the service, in the order they were added; their records; and the
 * scheduler, which starts queued transfers while slots are free and makes them wait for
 * unmet conditions. Whoever shows the transfers (the D-Bus export, and next the status
 * icon and the notifier) listens to the signals below; nothing here knows them. */

#define PROGRESS_INTERVAL 250

struct _HaulManager
{
  GObject          parent_instance;

  GSettings       *settings;
  HaulStore       *store;
  HaulConditions  *conditions;
  SoupSession     *session;
  HaulRateLimiter *limiter;
  GHashTable      *transfers;   /* id → HaulTransfer */
  GPtrArray       *order;       /* the same transfers, by id */
  guint            next_id;
  guint            active_count;
  guint64          download_rate;
  guint            progress_source;
  gboolean         scheduling;
  gboolean         schedule_again;
  guint            pending_adds;  /* Adds waiting to look at their directory */
  gboolean         quitting;
  GPtrArray       *shutdowns;     /* the GTasks of haul_manager_shutdown_async() */
};

G_DEFINE_FINAL_TYPE (HaulManager, haul_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MAX_CONCURRENT,
  PROP_SPEED_LIMIT,
  PROP_ACTIVE_COUNT,
  PROP_DOWNLOAD_RATE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  TRANSFER_ADDED,
  TRANSFER_REMOVED,
  TRANSFER_CHANGED,
  TRANSFER_FINISHED,
  PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule (HaulManager *self);

/* ---- the list ----------------------------------------------------------------------- */

static gint
compare_ids (gconstpointer a,
             gconstpointer b)
{
  guint ia = haul_transfer_get_id (*(HaulTransfer **) a);
  guint ib = haul_transfer_get_id (*(HaulTransfer **) b);

  return ia < ib ? -1 : ia > ib;
}

/* A copy of the list of transfers in the order they were added: callers may change the
 * list while they go through the copy. */
static GPtrArray *
sorted_transfers (HaulManager *self)
{
  GPtrArray *copy = g_ptr_array_copy (self->order, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);

  g_ptr_array_set_free_func (copy, g_object_unref);
  return copy;
}

/**
 * haul_manager_get_transfers:
 * @self: the manager
 *
 * Returns: (transfer none) (element-type HaulTransfer): every transfer, in the order
 *   they were added; valid until the list changes
 */
GPtrArray *
haul_manager_get_transfers (HaulManager *self)
{
  g_return_val_if_fail (HAUL_IS_MANAGER (self), NULL);
  return self->order;
}

/**
 * haul_manager_lookup:
 * @self: the manager
 * @id: a transfer's ID
 *
 * Returns: (transfer none) (nullable): the transfer, also while it is being removed
 */
HaulTransfer *
haul_manager_lookup (HaulManager *self,
                     guint        id)
{
  g_return_val_if_fail (HAUL_IS_MANAGER (self), NULL);
  return g_hash_table_lookup (self->transfers, GUINT_TO_POINTER (id));
}

static void
save_transfer (HaulManager  *self,
               HaulTransfer *transfer)
{
  g_autoptr(JsonNode) record = NULL;

  if (haul_transfer_is_removed (transfer))
    return;
  record = haul_transfer_to_record (transfer);
  haul_store_save (self->store, haul_transfer_get_id (transfer), record);
}

/* What the record holds changed: save it. The state and discretionary also change what
 * may run; a finished state is news. */
static void
on_transfer_notify_cb (HaulTransfer *transfer,
                       GParamSpec   *pspec,
                       HaulManager  *self)
{
  static const char * const saved[] = {
    "state", "state-reason", "error", "error-kind", "uri", "effective-uri", "file-name",
    "discretionary", "finished-at", "resumable", NULL
  };
  HaulTransferState state = haul_transfer_get_state (transfer);

  g_signal_emit (self, signals[TRANSFER_CHANGED], g_param_spec_get_name_quark (pspec),
                 transfer, pspec);
  if (!g_strv_contains (saved, pspec->name))
    return;
  save_transfer (self, transfer);
  if (!g_str_equal (pspec->name, "state") && !g_str_equal (pspec->name, "discretionary"))
    return;
  if (g_str_equal (pspec->name, "state") && !haul_transfer_is_removed (transfer) &&
      (state == HAUL_TRANSFER_STATE_COMPLETED || state == HAUL_TRANSFER_STATE_FAILED ||
       state == HAUL_TRANSFER_STATE_CANCELLED))
    g_signal_emit (self, signals[TRANSFER_FINISHED], 0, transfer);
  schedule (self);
}

/* Nothing of a removed transfer runs or is being deleted any more: it is forgotten. */
static void
forget (HaulManager  *self,
        HaulTransfer *transfer)
{
  g_autoptr(HaulTransfer) kept = g_object_ref (transfer);

  g_signal_handlers_disconnect_by_data (transfer, self);
  g_ptr_array_remove (self->order, transfer);
  g_hash_table_remove (self->transfers, GUINT_TO_POINTER (haul_transfer_get_id (transfer)));
  g_signal_emit (self, signals[TRANSFER_REMOVED], 0, transfer);
  schedule (self);
}

static void
on_transfer_event_cb (HaulTransfer *transfer,
                      int           event,
                      HaulManager  *self)
{
  switch ((HaulTransferEvent) event)
    {
    case HAUL_TRANSFER_EVENT_REMOVING:
      /* The record goes at once, so that nothing brings the transfer back, while what
       * runs of it stops. */
      haul_store_remove (self->store, haul_transfer_get_id (transfer));
      schedule (self);
      break;
    case HAUL_TRANSFER_EVENT_REMOVED:
      forget (self, transfer);
      break;
    case HAUL_TRANSFER_EVENT_CHECKPOINT:
      save_transfer (self, transfer);
      break;
    case HAUL_TRANSFER_EVENT_IDLE:
    default:
      schedule (self);
      break;
    }
}

/* Takes a new or reloaded transfer (and the reference) into the list. */
static void
register_transfer (HaulManager  *self,
                   HaulTransfer *transfer)
{
  guint id = haul_transfer_get_id (transfer);

  g_hash_table_insert (self->transfers, GUINT_TO_POINTER (id), transfer);
  g_ptr_array_add (self->order, transfer);
  self->next_id = MAX (self->next_id, id + 1);
  /* Plain connections (g_signal_connect_object costs a weak reference on the manager for
   * each, with tens of thousands of transfers on record); the manager disconnects them all
   * when it goes, before anything of a transfer could call back. */
  g_signal_connect (transfer, "notify", G_CALLBACK (on_transfer_notify_cb), self);
  g_signal_connect (transfer, "event", G_CALLBACK (on_transfer_event_cb), self);
}

/* A record that breaks a rule is refused with the reason; the store sets it aside. This
 * runs in the store's loading threads: it touches nothing of the manager. */
static gpointer
read_record (guint        id,
             JsonObject  *record,
             gpointer     user_data,
             GError     **error)
{
  return haul_transfer_new_from_record (id, record, error);
}

static void
take_record (guint    id,
             gpointer object,
             gpointer user_data)
{
  HaulManager *self = user_data;

  if (g_hash_table_contains (self->transfers, GUINT_TO_POINTER (id)))
    {
      g_object_unref (object);
      return;
    }
  register_transfer (self, object);
}

/**
 * haul_manager_load:
 * @self: the manager
 *
 * Brings back the transfers of earlier runs; unfinished ones continue. The service calls
 * it before it owns its name, so that the first client sees them all: it is the one place
 * the service waits on the disk.
 */
void
haul_manager_load (HaulManager *self)
{
  g_return_if_fail (HAUL_IS_MANAGER (self));

  self->next_id = MAX (self->next_id, haul_store_load_next_id (self->store));
  haul_store_load (self->store, read_record, take_record, self);
  g_ptr_array_sort (self->order, compare_ids);
  schedule (self);
}

/* ---- scheduling --------------------------------------------------------------------- */

/* Why @transfer cannot run now, or HAUL_WAIT_REASON_NONE if nothing stops it, with the
 * words for it in *@text. *@unknown is set while the reachability of its host is still
 * being asked: it neither starts nor waits yet. */
static HaulWaitReason
blocked_reason (HaulManager   *self,
                HaulTransfer  *transfer,
                const char   **text,
                gboolean      *unknown)
{
  HaulReachability reach = haul_conditions_can_reach (self->conditions,
                                                      haul_transfer_get_host_uri (transfer));

  *unknown = reach == HAUL_REACHABILITY_UNKNOWN;
  *text = NULL;
  if (reach == HAUL_REACHABILITY_NO)
    {
      *text = _("Waiting for a network connection");
      return HAUL_WAIT_REASON_OFFLINE;
    }
  if (!haul_transfer_get_discretionary (transfer))
    return HAUL_WAIT_REASON_NONE;
  if (haul_conditions_get_metered (self->conditions))
    {
      *text = _("Waiting for a network that is not metered");
      return HAUL_WAIT_REASON_METERED;
    }
  if (haul_conditions_get_power_saver (self->conditions))
    {
      *text = _("Waiting for power saver to be turned off");
      return HAUL_WAIT_REASON_POWER_SAVER;
    }
  return HAUL_WAIT_REASON_NONE;
}

static gboolean progress_cb (gpointer user_data);

/* The progress timer runs only while some transfer has figures that may change: a
 * service with nothing running does not wake up. */
static void
ensure_progress_timer (HaulManager *self)
{
  if (self->progress_source == 0)
    self->progress_source = g_timeout_add (PROGRESS_INTERVAL, progress_cb, self);
}

static void
finish_shutdown (HaulManager *self)
{
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->shutdowns);

  self->shutdowns = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < tasks->len; i++)
    g_task_return_boolean (g_ptr_array_index (tasks, i), TRUE);
}

static void
schedule_once (HaulManager *self)
{
  g_autoptr(GPtrArray) list = sorted_transfers (self);
  g_autoptr(GHashTable) undecided = g_hash_table_new (NULL, NULL);
  guint max = haul_manager_get_max_concurrent (self);
  guint running = 0;
  guint going = 0;
  guint active = 0;
  gboolean busy = FALSE;

  /* Conditions first: what cannot run now waits, saying why; what waited for a
   * condition that is met again is queued. */
  for (guint i = 0; i < list->len && !self->quitting; i++)
    {
      HaulTransfer *transfer = g_ptr_array_index (list, i);
      HaulWaitReason reason;
      const char *text;
      gboolean unknown;

      if (!haul_transfer_is_active (transfer))
        continue;
      reason = blocked_reason (self, transfer, &text, &unknown);
      if (reason != HAUL_WAIT_REASON_NONE)
        haul_transfer_wait_for (transfer, reason, text);
      else if (!unknown)
        haul_transfer_stop_waiting (transfer);
      else
        g_hash_table_add (undecided, transfer);
    }

  for (guint i = 0; i < list->len; i++)
    {
      running += haul_transfer_occupies_slot (g_ptr_array_index (list, i));
      going += haul_transfer_is_running (g_ptr_array_index (list, i));
    }

  /* A lower limit holds at once: the transfers started last go back to the queue, with
   * their resume data saved, and continue when their turn comes again. (Those already
   * stopping are not counted: they leave on their own.) */
  for (guint i = list->len; i > 0 && going > max && !self->quitting; i--)
    {
      HaulTransfer *transfer = g_ptr_array_index (list, i - 1);

      if (haul_transfer_is_running (transfer))
        {
          haul_transfer_requeue (transfer);
          going--;
        }
    }

  for (guint i = 0; i < list->len && !self->quitting && running < max; i++)
    {
      HaulTransfer *transfer = g_ptr_array_index (list, i);

      if (haul_transfer_is_queued (transfer) && !g_hash_table_contains (undecided, transfer))
        {
          haul_transfer_start (transfer, self->session, self->limiter);
          running++;
        }
    }

  for (guint i = 0; i < list->len; i++)
    {
      HaulTransfer *transfer = g_ptr_array_index (list, i);

      active += haul_transfer_is_active (transfer);
      busy = busy || haul_transfer_is_busy (transfer);
      if (haul_transfer_has_progress (transfer))
        ensure_progress_timer (self);
    }
  if (self->active_count != active)
    {
      self->active_count = active;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ACTIVE_COUNT]);
    }

  /* Done once every download stopped, every deletion is done and every record is on
   * disk. */
  if (self->quitting && self->shutdowns->len > 0 && !busy && self->pending_adds == 0 &&
      !haul_store_is_busy (self->store))
    finish_shutdown (self);
}

/* Starts queued transfers in the order they were added while slots are free, and makes
 * transfers wait for unmet conditions. State changes it causes come back here; they are
 * handled by another round rather than inside the one that caused them. */
static void
schedule (HaulManager *self)
{
  if (self->scheduling)
    {
      self->schedule_again = TRUE;
      return;
    }
  self->scheduling = TRUE;
  do
    {
      self->schedule_again = FALSE;
      schedule_once (self);
    }
  while (self->schedule_again);
  self->scheduling = FALSE;
}

static gboolean
progress_cb (gpointer user_data)
{
  HaulManager *self = user_data;
  g_autoptr(GPtrArray) list = sorted_transfers (self);
  g_autoptr(GPtrArray) changed = g_ptr_array_new ();
  guint64 total_rate = 0;
  gboolean pending = FALSE;

  for (guint i = 0; i < list->len; i++)
    {
      HaulTransfer *transfer = g_ptr_array_index (list, i);

      if (!haul_transfer_has_progress (transfer))
        continue;
      if (haul_transfer_take_progress (transfer))
        g_ptr_array_add (changed, transfer);
      pending = pending || haul_transfer_has_progress (transfer);
      total_rate += haul_transfer_get_rate (transfer);
    }

  if (changed->len > 0)
    g_signal_emit (self, signals[PROGRESS], 0, changed);
  if (self->download_rate != total_rate)
    {
      self->download_rate = total_rate;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DOWNLOAD_RATE]);
    }

  /* Nothing runs and the last figures are out: sleep until something starts. */
  if (!pending)
    {
      self->progress_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* ---- what a client asks ------------------------------------------------------------- */

typedef struct
{
  char     *uri;
  char     *directory;
  GVariant *options;
} AddData;

static void
add_data_free (AddData *data)
{
  g_free (data->uri);
  g_free (data->directory);
  g_variant_unref (data->options);
  g_free (data);
}

static char *
default_directory (HaulManager *self)
{
  g_autofree char *configured = g_settings_get_string (self->settings, "download-directory");

  return haul_download_directory (configured);
}

static GError *
stopping_error (void)
{
  return g_error_new_literal (HAUL_ERROR, HAUL_ERROR_FAILED,
                              _("The Haul service is stopping; add the download again"));
}

static void
add_directory_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HaulManager *self = g_task_get_source_object (task);
  AddData *data = g_task_get_task_data (task);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  HaulTransfer *transfer;

  self->pending_adds--;
  info = g_file_query_info_finish (G_FILE (object), result, &error);
  if (self->quitting)
    {
      /* The service is on its way out: nothing new, and say so. */
      g_task_return_error (task, stopping_error ());
      schedule (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
    {
      g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
                               info == NULL ? _("The directory “%s” does not exist")
                                            : _("“%s” is not a directory"),
                               data->directory);
      return;
    }

  /* IDs are never reused: the counter is saved along with the new transfer. */
  transfer = haul_transfer_new (self->next_id, data->uri, data->directory, data->options);
  haul_store_save_next_id (self->store, self->next_id + 1);
  register_transfer (self, transfer);
  save_transfer (self, transfer);
  g_signal_emit (self, signals[TRANSFER_ADDED], 0, transfer);
  g_task_return_pointer (task, g_object_ref (transfer), g_object_unref);
  schedule (self);
}

/**
 * haul_manager_add_async:
 * @self: the manager
 * @uri: an http or https URL
 * @options: the a{sv} options of Manager1.Add
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the new transfer, or why there is none
 * @user_data: for @callback
 *
 * Adds a transfer. Bad arguments are refused with HAUL_ERROR_INVALID_ARGUMENT (or
 * _INVALID_URI, _UNSUPPORTED_SCHEME) before anything is created; the directory is looked
 * at in a GIO worker, never on the main loop.
 */
void
haul_manager_add_async (HaulManager         *self,
                        const char          *uri,
                        GVariant            *options,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GFile) directory = NULL;
  GError *error = NULL;
  AddData *data;

  g_return_if_fail (HAUL_IS_MANAGER (self));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (options != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haul_manager_add_async);
  if (!haul_check_uri (uri, &error) || !haul_transfer_check_options (options, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->quitting)
    {
      g_task_return_error (task, stopping_error ());
      return;
    }

  data = g_new0 (AddData, 1);
  data->uri = g_strdup (uri);
  data->options = g_variant_ref_sink (options);
  if (!g_variant_lookup (options, "directory", "s", &data->directory))
    data->directory = default_directory (self);
  g_task_set_task_data (task, data, (GDestroyNotify) add_data_free);

  directory = g_file_new_for_path (data->directory);
  self->pending_adds++;
  g_file_query_info_async (directory, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, cancellable, add_directory_cb,
                           g_steal_pointer (&task));
}

/**
 * haul_manager_add_finish:
 * @self: the manager
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the new transfer
 */
HaulTransfer *
haul_manager_add_finish (HaulManager   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
haul_manager_pause_all (HaulManager *self)
{
  g_autoptr(GPtrArray) list = NULL;

  g_return_if_fail (HAUL_IS_MANAGER (self));

  list = sorted_transfers (self);
  for (guint i = 0; i < list->len; i++)
    {
      HaulTransfer *transfer = g_ptr_array_index (list, i);

      if (haul_transfer_is_active (transfer))
        haul_transfer_pause (transfer, NULL);
    }
}

void
haul_manager_resume_all (HaulManager *self)
{
  g_autoptr(GPtrArray) list = NULL;

  g_return_if_fail (HAUL_IS_MANAGER (self));

  list = sorted_transfers (self);
  for (guint i = 0; i < list->len; i++)
    {
      HaulTransfer *transfer = g_ptr_array_index (list, i);

      if (!haul_transfer_is_removed (transfer) &&
          haul_transfer_get_state (transfer) == HAUL_TRANSFER_STATE_PAUSED)
        haul_transfer_resume (transfer, NULL);
    }
}

/**
 * haul_manager_shutdown_async:
 * @self: the manager
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once everything stopped
 * @user_data: for @callback
 *
 * Stops every running transfer with its resume data saved, and finishes once every
 * record is on disk; nothing starts any more. Transfers that were running or waiting
 * stay unfinished on record, so they continue when the service starts again.
 */
void
haul_manager_shutdown_async (HaulManager         *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GPtrArray) list = NULL;
  GTask *task;

  g_return_if_fail (HAUL_IS_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haul_manager_shutdown_async);
  g_ptr_array_add (self->shutdowns, task);
  if (self->quitting)
    {
      schedule (self);
      return;
    }

  self->quitting = TRUE;
  list = sorted_transfers (self);
  for (guint i = 0; i < list->len; i++)
    haul_transfer_suspend (g_ptr_array_index (list, i));
  schedule (self);
}

gboolean
haul_manager_shutdown_finish (HaulManager   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- settings ----------------------------------------------------------------------- */

/* A value out of the key's range is refused with a named error (GSettings would only
 * complain on stderr). */
static gboolean
set_setting (HaulManager  *self,
             const char   *key,
             const char   *name,
             GVariant     *value,
             GError      **error)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (value);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) schema_key = NULL;

  g_object_get (self->settings, "settings-schema", &schema, NULL);
  schema_key = g_settings_schema_get_key (schema, key);
  if (!g_settings_schema_key_range_check (schema_key, owned))
    {
      g_autofree char *text = g_variant_print (owned, FALSE);

      g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT, _("%s cannot be %s"), name,
                   text);
      return FALSE;
    }
  g_settings_set_value (self->settings, key, owned);
  return TRUE;
}

guint
haul_manager_get_max_concurrent (HaulManager *self)
{
  g_return_val_if_fail (HAUL_IS_MANAGER (self), 0);
  return g_settings_get_uint (self->settings, "max-concurrent");
}

/**
 * haul_manager_set_max_concurrent:
 * @self: the manager
 * @value: how many transfers run at once
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the setting takes @value
 */
gboolean
haul_manager_set_max_concurrent (HaulManager  *self,
                                 guint         value,
                                 GError      **error)
{
  g_return_val_if_fail (HAUL_IS_MANAGER (self), FALSE);
  return set_setting (self, "max-concurrent", "MaxConcurrent", g_variant_new_uint32 (value),
                      error);
}

guint64
haul_manager_get_speed_limit (HaulManager *self)
{
  g_return_val_if_fail (HAUL_IS_MANAGER (self), 0);
  return g_settings_get_uint64 (self->settings, "speed-limit");
}

/**
 * haul_manager_set_speed_limit:
 * @self: the manager
 * @value: bytes per second for all transfers together, 0 for none
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the setting takes @value
 */
gboolean
haul_manager_set_speed_limit (HaulManager  *self,
                              guint64       value,
                              GError      **error)
{
  g_return_val_if_fail (HAUL_IS_MANAGER (self), FALSE);
  return set_setting (self, "speed-limit", "SpeedLimit", g_variant_new_uint64 (value), error);
}

guint
haul_manager_get_active_count (HaulManager *self)
{
  g_return_val_if_fail (HAUL_IS_MANAGER (self), 0);
  return self->active_count;
}

guint64
haul_manager_get_download_rate (HaulManager *self)
{
  g_return_val_if_fail (HAUL_IS_MANAGER (self), 0);
  return self->download_rate;
}

static void
on_settings_changed_cb (GSettings   *settings,
                        const char  *key,
                        HaulManager *self)
{
  if (g_str_equal (key, "max-concurrent"))
    {
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MAX_CONCURRENT]);
      schedule (self);
    }
  else if (g_str_equal (key, "speed-limit"))
    {
      haul_rate_limiter_set_rate (self->limiter, haul_manager_get_speed_limit (self));
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SPEED_LIMIT]);
    }
}

/* ---- object ------------------------------------------------------------------------- */

static void
haul_manager_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HaulManager *self = HAUL_MANAGER (object);

  switch (prop_id)
    {
    case PROP_MAX_CONCURRENT:
      g_value_set_uint (value, haul_manager_get_max_concurrent (self));
      break;
    case PROP_SPEED_LIMIT:
      g_value_set_uint64 (value, haul_manager_get_speed_limit (self));
      break;
    case PROP_ACTIVE_COUNT:
      g_value_set_uint (value, self->active_count);
      break;
    case PROP_DOWNLOAD_RATE:
      g_value_set_uint64 (value, self->download_rate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_manager_dispose (GObject *object)
{
  HaulManager *self = HAUL_MANAGER (object);

  g_clear_handle_id (&self->progress_source, g_source_remove);
  for (guint i = 0; self->order != NULL && i < self->order->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->order, i), self);
  g_clear_pointer (&self->order, g_ptr_array_unref);
  g_clear_pointer (&self->transfers, g_hash_table_unref);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  if (self->conditions != NULL)
    g_signal_handlers_disconnect_by_data (self->conditions, self);
  g_clear_object (&self->conditions);
  g_clear_object (&self->session);
  g_clear_pointer (&self->limiter, haul_rate_limiter_unref);
  g_clear_pointer (&self->shutdowns, g_ptr_array_unref);

  G_OBJECT_CLASS (haul_manager_parent_class)->dispose (object);
}

static void
haul_manager_class_init (HaulManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = haul_manager_get_property;
  object_class->dispose = haul_manager_dispose;

  /* The settings: set them with haul_manager_set_max_concurrent() and
   * haul_manager_set_speed_limit(), which check the range. */
  props[PROP_MAX_CONCURRENT] = g_param_spec_uint ("max-concurrent", NULL, NULL,
                                                  0, G_MAXUINT32, 3, flags);
  props[PROP_SPEED_LIMIT] = g_param_spec_uint64 ("speed-limit", NULL, NULL,
                                                 0, G_MAXUINT64, 0, flags);
  /* Transfers queued, waiting or running: the service does not exit while there are. */
  props[PROP_ACTIVE_COUNT] = g_param_spec_uint ("active-count", NULL, NULL,
                                                0, G_MAXUINT32, 0, flags);
  /* Bytes per second of all transfers together, updated with each progress signal. */
  props[PROP_DOWNLOAD_RATE] = g_param_spec_uint64 ("download-rate", NULL, NULL,
                                                   0, G_MAXUINT64, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * HaulManager::transfer-added:
   * @transfer: the new transfer
   *
   * A client added a transfer. (Those loaded from their records are there from
   * haul_manager_load() on.)
   */
  signals[TRANSFER_ADDED] = g_signal_new ("transfer-added", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, HAUL_TYPE_TRANSFER);
  /**
   * HaulManager::transfer-removed:
   * @transfer: the transfer
   *
   * A removed transfer has nothing running and nothing being deleted any more: it left
   * the list.
   */
  signals[TRANSFER_REMOVED] = g_signal_new ("transfer-removed", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, HAUL_TYPE_TRANSFER);
  /**
   * HaulManager::transfer-changed:
   * @transfer: the transfer
   * @pspec: the property that changed
   *
   * A property of a transfer changed (the figures excepted, see ::progress), detailed by
   * the property's name as ::notify is: one connection for every transfer.
   */
  signals[TRANSFER_CHANGED] = g_signal_new ("transfer-changed", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                                            0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 2, HAUL_TYPE_TRANSFER, G_TYPE_PARAM);
  /**
   * HaulManager::transfer-finished:
   * @transfer: the transfer
   *
   * A transfer completed, failed or was cancelled: news for the person.
   */
  signals[TRANSFER_FINISHED] = g_signal_new ("transfer-finished", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 1, HAUL_TYPE_TRANSFER);
  /**
   * HaulManager::progress:
   * @changed: (element-type HaulTransfer): the transfers whose figures changed
   *
   * At most four times a second while anything runs, with the transfers whose
   * bytes-received, bytes-total or rate changed.
   */
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
}

static void
haul_manager_init (HaulManager *self)
{
  self->next_id = 1;
  self->transfers = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->order = g_ptr_array_new ();
  self->shutdowns = g_ptr_array_new_with_free_func (g_object_unref);
  self->session = haul_session_new (NULL);
  self->settings = g_settings_new ("io.github.haul.Haul");
  self->limiter = haul_rate_limiter_new (haul_manager_get_speed_limit (self));
  g_signal_connect (self->settings, "changed", G_CALLBACK (on_settings_changed_cb), self);
  self->conditions = haul_conditions_new ();
  g_signal_connect_swapped (self->conditions, "changed", G_CALLBACK (schedule), self);
}

/**
 * haul_manager_new:
 * @state_directory: where the records live, created if missing
 *
 * Returns: (transfer full): a manager with no transfers yet; see haul_manager_load()
 */
HaulManager *
haul_manager_new (const char *state_directory)
{
  HaulManager *self;

  g_return_val_if_fail (state_directory != NULL, NULL);

  self = g_object_new (HAUL_TYPE_MANAGER, NULL);
  self->store = haul_store_new (state_directory);
  g_signal_connect_swapped (self->store, "idle", G_CALLBACK (schedule), self);
  return self;
}
