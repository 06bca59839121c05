/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-manager"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haul-check.h"
#include "haul-conditions.h"
#include "haul-dbus-error.h"
#include "haul-download.h"
#include "haul-filename.h"
#include "haul-http.h"
#include "haul-manager.h"
#include "haul-missing.h"
#include "haul-rate-limiter.h"
#include "haul-store.h"
#include "haul-transfer.h"

#define PROGRESS_INTERVAL  250

struct _HaulManager
{
  HaulManager1Skeleton      parent_instance;

  GApplication             *app;
  GDBusObjectManagerServer *object_manager;
  GSettings                *settings;
  HaulStore                *store;
  HaulConditions           *conditions;
  SoupSession              *session;
  HaulRateLimiter          *limiter;
  GHashTable               *transfers;   /* id → HaulTransfer */
  GPtrArray                *order;       /* the same transfers, by id */
  guint                     next_id;
  guint                     progress_source;
  gboolean                  held;
  gboolean                  quitting;
  gboolean                  scheduling;
  gboolean                  schedule_again;
  guint                     pending_adds;  /* Add calls waiting to look at their directory */
  GDBusConnection          *connection;
  guint                     missing_id;    /* the subtree answering for missing transfers */
};

static void haul_manager_iface_init (HaulManager1Iface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HaulManager, haul_manager, HAUL_TYPE_MANAGER1_SKELETON,
                               G_IMPLEMENT_INTERFACE (HAUL_TYPE_MANAGER1, haul_manager_iface_init))

/* ---- options of Add ----------------------------------------------------------------- */

typedef gboolean (*OptionCheck) (GVariant  *value,
                                 GError   **error);

static gboolean
check_directory (GVariant  *value,
                 GError   **error)
{
  /* Whether it exists is asked off the main loop, in handle_add(). */
  return haul_check_directory (g_variant_get_string (value, NULL), error);
}

static gboolean
check_filename (GVariant  *value,
                GError   **error)
{
  gsize length;
  const char *name = g_variant_get_string (value, &length);

  return haul_check_file_name (name, (gssize) length, error);
}

static gboolean
check_sha256 (GVariant  *value,
              GError   **error)
{
  return haul_check_sha256 (g_variant_get_string (value, NULL), error);
}

static gboolean
check_headers (GVariant  *value,
               GError   **error)
{
  GVariantIter iter;
  const char *name, *header_value;

  /* Name and value are checked apart: a “:” in a name is refused, not joined into a
   * header with a second value. */
  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "{&s&s}", &name, &header_value))
    {
      if (!haul_check_header (name, header_value, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_segments (GVariant  *value,
                GError   **error)
{
  return haul_check_segments (g_variant_get_uint32 (value), error);
}

static const struct
{
  const char  *key;
  const char  *type;
  OptionCheck  check;
} add_options[] = {
  { "directory", "s", check_directory },
  { "filename", "s", check_filename },
  { "sha256", "s", check_sha256 },
  { "headers", "a{ss}", check_headers },
  { "discretionary", "b", NULL },
  { "paused", "b", NULL },
  { "segments", "u", check_segments },
  { "speed-limit", "t", NULL },
  { "overwrite", "b", NULL },
};

/* Refuses an unknown key, a wrong type or a bad value, before anything is created. */
static gboolean
check_options (GVariant  *options,
               GError   **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_autoptr(GVariant) owned = value;
      g_autoptr(GError) local = NULL;
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (add_options); i++)
        {
          if (!g_str_equal (key, add_options[i].key))
            continue;
          known = TRUE;
          if (!g_variant_is_of_type (value, G_VARIANT_TYPE (add_options[i].type)))
            {
              g_set_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_ARGUMENT,
                           _("The option “%s” takes a value of type “%s”, not “%s”"),
                           key, add_options[i].type, g_variant_get_type_string (value));
              return FALSE;
            }
          if (add_options[i].check != NULL && !add_options[i].check (value, &local))
            {
              g_propagate_error (error, haul_dbus_error_new_from_error (local));
              return FALSE;
            }
        }
      if (!known)
        {
          g_set_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_ARGUMENT,
                       _("Unknown option “%s”"), key);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * haul_manager_check_uri:
 * @uri: a URL from a client
 * @error: return location for a #GError in the HAUL_DBUS_ERROR domain
 *
 * Returns: %TRUE if @uri is an http or https URL Haul can download
 */
gboolean
haul_manager_check_uri (const char  *uri,
                        GError     **error)
{
  g_autoptr(GError) local = NULL;

  if (haul_check_uri (uri, &local))
    return TRUE;
  g_propagate_error (error, haul_dbus_error_new_from_error (local));
  return FALSE;
}

static char *
default_directory (HaulManager *self)
{
  g_autofree char *configured = g_settings_get_string (self->settings, "download-directory");
  const char *xdg = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);

  if (configured != NULL && g_path_is_absolute (configured))
    return g_steal_pointer (&configured);
  return g_strdup (xdg != NULL ? xdg : g_get_home_dir ());
}

/* ---- scheduling --------------------------------------------------------------------- */

static gint
compare_ids (gconstpointer a,
             gconstpointer b)
{
  guint ia = haul_transfer1_get_id (HAUL_TRANSFER1 (*(HaulTransfer **) a));
  guint ib = haul_transfer1_get_id (HAUL_TRANSFER1 (*(HaulTransfer **) b));

  return ia < ib ? -1 : ia > ib;
}

/* A copy of the list of transfers in the order they were added: callers may change the
 * list while they go through the copy. */
static GPtrArray *
sorted_transfers (HaulManager *self)
{
  return g_ptr_array_copy (self->order, NULL, NULL);
}

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
  if (!haul_transfer1_get_discretionary (HAUL_TRANSFER1 (transfer)))
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

/* The Progress signal's timer runs only while some transfer has figures that may change:
 * a service with nothing running does not wake up. */
static void
ensure_progress_timer (HaulManager *self)
{
  if (self->progress_source == 0)
    self->progress_source = g_timeout_add (PROGRESS_INTERVAL, progress_cb, self);
}

static void
schedule_once (HaulManager *self)
{
  g_autoptr(GPtrArray) list = sorted_transfers (self);
  guint max = haul_manager1_get_max_concurrent (HAUL_MANAGER1 (self));
  g_autoptr(GHashTable) undecided = g_hash_table_new (NULL, NULL);
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
  if (haul_manager1_get_active_count (HAUL_MANAGER1 (self)) != active)
    haul_manager1_set_active_count (HAUL_MANAGER1 (self), active);

  if (active > 0 && !self->held && !self->quitting)
    {
      g_application_hold (self->app);
      self->held = TRUE;
    }
  else if ((active == 0 || self->quitting) && self->held)
    {
      g_application_release (self->app);
      self->held = FALSE;
    }

  /* Exit once every download stopped, every deletion is done and every record is on
   * disk. */
  if (self->quitting && !busy && self->pending_adds == 0 && !haul_store_is_busy (self->store))
    g_application_quit (self->app);
}

/* Starts queued transfers in the order they were added while slots are free, makes
 * transfers wait for unmet conditions, and holds the service while anything is active.
 * State changes it causes come back here; they are handled by another round rather than
 * inside the one that caused them. */
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
  GVariantBuilder builder;
  guint64 total_rate = 0;
  guint changed = 0;
  gboolean pending = FALSE;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(uttt)"));
  for (guint i = 0; i < list->len; i++)
    {
      HaulTransfer *transfer = g_ptr_array_index (list, i);
      guint64 received, total, rate;
      gboolean news;

      if (!haul_transfer_has_progress (transfer))
        continue;
      news = haul_transfer_take_progress (transfer, &received, &total, &rate);
      pending = pending || haul_transfer_has_progress (transfer);
      total_rate += rate;
      if (!news)
        continue;
      g_variant_builder_add (&builder, "(uttt)", haul_transfer1_get_id (HAUL_TRANSFER1 (transfer)),
                             received, total, rate);
      changed++;
    }

  if (changed > 0)
    haul_manager1_emit_progress (HAUL_MANAGER1 (self), g_variant_builder_end (&builder));
  else
    g_variant_builder_clear (&builder);
  if (haul_manager1_get_download_rate (HAUL_MANAGER1 (self)) != total_rate)
    haul_manager1_set_download_rate (HAUL_MANAGER1 (self), total_rate);

  /* Nothing runs and the last figures are out: sleep until something starts. */
  if (!pending)
    {
      self->progress_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* A client removed @transfer: its record goes at once, so that nothing brings it back,
 * while what runs of it stops. Until it is forgotten it stays on the bus, answering every
 * call with NoSuchTransfer. */
static void
on_transfer_removing_cb (HaulManager  *self,
                         HaulTransfer *transfer)
{
  haul_store_remove (self->store, haul_transfer1_get_id (HAUL_TRANSFER1 (transfer)));
  schedule (self);
}

typedef struct
{
  HaulManager  *self;
  HaulTransfer *transfer;
} Forget;

static void
forget_free (Forget *forget)
{
  g_object_unref (forget->transfer);
  g_object_unref (forget->self);
  g_free (forget);
}

static gboolean
forget_cb (gpointer user_data)
{
  Forget *forget = user_data;
  HaulManager *self = forget->self;
  guint id = haul_transfer1_get_id (HAUL_TRANSFER1 (forget->transfer));

  g_dbus_object_manager_server_unexport (self->object_manager,
                                         haul_transfer_get_path (forget->transfer));
  g_signal_handlers_disconnect_by_data (forget->transfer, self);
  g_ptr_array_remove (self->order, forget->transfer);
  g_hash_table_remove (self->transfers, GUINT_TO_POINTER (id));
  schedule (self);
  return G_SOURCE_REMOVE;
}

/* Nothing of @transfer runs or is being deleted any more: it leaves the bus. GDBus hands a
 * call to the main loop in an idle; leaving in a later, lower-priority one lets calls
 * already on their way reach the transfer (and hear NoSuchTransfer) rather than GDBus's
 * UnknownMethod. Calls that come after reach the fallback for missing transfers. */
static void
on_transfer_removed_cb (HaulManager  *self,
                        HaulTransfer *transfer)
{
  Forget *forget = g_new0 (Forget, 1);

  forget->self = g_object_ref (self);
  forget->transfer = g_object_ref (transfer);
  g_idle_add_full (G_PRIORITY_LOW, forget_cb, forget, (GDestroyNotify) forget_free);
}

static void
save_transfer (HaulManager  *self,
               HaulTransfer *transfer)
{
  g_autoptr(JsonNode) record = NULL;

  if (haul_transfer_is_removed (transfer))
    return;
  record = haul_transfer_to_record (transfer);
  haul_store_save (self->store, haul_transfer1_get_id (HAUL_TRANSFER1 (transfer)), record);
}

/* What the record holds changed: save it. The state and discretionary also change what
 * may run. */
static void
on_transfer_notify_cb (HaulTransfer *transfer,
                       GParamSpec   *pspec,
                       HaulManager  *self)
{
  static const char * const saved[] = {
    "state", "state-reason", "error", "error-kind", "uri", "effective-uri", "file-name",
    "discretionary", "finished-at", "resumable", NULL
  };

  if (!g_strv_contains (saved, pspec->name))
    return;
  save_transfer (self, transfer);
  if (g_str_equal (pspec->name, "state") || g_str_equal (pspec->name, "discretionary"))
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
      on_transfer_removing_cb (self, transfer);
      break;
    case HAUL_TRANSFER_EVENT_REMOVED:
      on_transfer_removed_cb (self, transfer);
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

/* Takes a new or reloaded transfer into the list and onto the bus. */
static void
register_transfer (HaulManager  *self,
                   HaulTransfer *transfer)
{
  g_autoptr(HaulObjectSkeleton) object = NULL;
  guint id = haul_transfer1_get_id (HAUL_TRANSFER1 (transfer));

  g_hash_table_insert (self->transfers, GUINT_TO_POINTER (id), transfer);
  g_ptr_array_add (self->order, transfer);
  self->next_id = MAX (self->next_id, id + 1);
  /* Plain connections (g_signal_connect_object costs a weak reference on the manager for
   * each, with tens of thousands of transfers on record); the manager disconnects them all
   * when it goes, before anything of a transfer could call back. */
  g_signal_connect (transfer, "notify", G_CALLBACK (on_transfer_notify_cb), self);
  g_signal_connect (transfer, "event", G_CALLBACK (on_transfer_event_cb), self);

  object = haul_object_skeleton_new (haul_transfer_get_path (transfer));
  haul_object_skeleton_set_transfer1 (object, HAUL_TRANSFER1 (transfer));
  g_dbus_object_manager_server_export (self->object_manager, G_DBUS_OBJECT_SKELETON (object));
}

/* A record that breaks a rule is refused with the reason; the store sets it aside. */
static gboolean
load_one (guint        id,
          JsonObject  *record,
          gpointer     user_data,
          GError     **error)
{
  HaulManager *self = user_data;
  HaulTransfer *transfer;

  if (g_hash_table_contains (self->transfers, GUINT_TO_POINTER (id)))
    return TRUE;
  transfer = haul_transfer_new_from_record (id, record, error);
  if (transfer == NULL)
    return FALSE;
  register_transfer (self, transfer);
  return TRUE;
}

/* Brings back the transfers of earlier runs; unfinished ones continue. This reads the
 * records before the service owns its name (it runs in dbus_register), so that the first
 * client sees them all; it is the one place the daemon waits on the disk. */
static void
load_transfers (HaulManager *self)
{
  self->next_id = MAX (self->next_id, haul_store_load_next_id (self->store));
  haul_store_load (self->store, load_one, self);
  g_ptr_array_sort (self->order, compare_ids);
}

/* ---- methods ------------------------------------------------------------------------ */

/* An Add whose arguments passed the checks, waiting for the directory to be looked at. */
typedef struct
{
  HaulManager           *self;
  GDBusMethodInvocation *invocation;
  char                  *uri;
  char                  *directory;
  GVariant              *options;
} AddCall;

static void
add_call_free (AddCall *call)
{
  g_object_unref (call->self);
  g_object_unref (call->invocation);
  g_free (call->uri);
  g_free (call->directory);
  g_variant_unref (call->options);
  g_free (call);
}

static void
add_directory_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AddCall *call = user_data;
  HaulManager *self = call->self;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  HaulTransfer *transfer;

  self->pending_adds--;
  info = g_file_query_info_finish (G_FILE (object), result, &error);
  if (self->quitting)
    {
      /* The service is on its way out: nothing new, and say so. */
      g_dbus_method_invocation_return_error_literal (call->invocation, HAUL_DBUS_ERROR,
                                                     HAUL_DBUS_ERROR_FAILED,
                                                     _("The Haul service is stopping; add the download again"));
      schedule (self);
      add_call_free (call);
      return;
    }
  if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
    {
      g_dbus_method_invocation_return_error (call->invocation, HAUL_DBUS_ERROR,
                                             HAUL_DBUS_ERROR_INVALID_ARGUMENT,
                                             info == NULL ? _("The directory “%s” does not exist")
                                                          : _("“%s” is not a directory"),
                                             call->directory);
      add_call_free (call);
      return;
    }

  /* IDs are never reused: the counter is saved along with the new transfer. */
  transfer = haul_transfer_new (self->next_id, call->uri, call->directory, call->options);
  haul_store_save_next_id (self->store, self->next_id + 1);
  register_transfer (self, transfer);
  save_transfer (self, transfer);

  /* Answering uses up the reference the handler was given; the call keeps its own. */
  haul_manager1_complete_add (HAUL_MANAGER1 (self), call->invocation,
                              haul_transfer_get_path (transfer));
  schedule (self);
  add_call_free (call);
}

static gboolean
handle_add (HaulManager1          *iface,
            GDBusMethodInvocation *invocation,
            const char            *uri,
            GVariant              *options)
{
  HaulManager *self = HAUL_MANAGER (iface);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) directory = NULL;
  AddCall *call;

  g_debug ("Handling Add");

  if (!haul_manager_check_uri (uri, &error) || !check_options (options, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  call = g_new0 (AddCall, 1);
  call->self = g_object_ref (self);
  call->invocation = g_object_ref (invocation);
  call->uri = g_strdup (uri);
  call->options = g_variant_ref (options);
  if (!g_variant_lookup (options, "directory", "s", &call->directory))
    call->directory = default_directory (self);

  /* Nothing is created before the directory proved to be one; the disk is asked in a
   * GIO worker, never on the main loop. */
  directory = g_file_new_for_path (call->directory);
  self->pending_adds++;
  g_file_query_info_async (directory, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, NULL, add_directory_cb, call);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_pause_all (HaulManager1          *iface,
                  GDBusMethodInvocation *invocation)
{
  HaulManager *self = HAUL_MANAGER (iface);
  g_autoptr(GPtrArray) list = sorted_transfers (self);

  g_debug ("Handling PauseAll");
  for (guint i = 0; i < list->len; i++)
    haul_transfer_pause (g_ptr_array_index (list, i));
  haul_manager1_complete_pause_all (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_resume_all (HaulManager1          *iface,
                   GDBusMethodInvocation *invocation)
{
  HaulManager *self = HAUL_MANAGER (iface);
  g_autoptr(GPtrArray) list = sorted_transfers (self);

  g_debug ("Handling ResumeAll");
  for (guint i = 0; i < list->len; i++)
    {
      HaulTransfer *transfer = g_ptr_array_index (list, i);

      if (g_strcmp0 (haul_transfer1_get_state (HAUL_TRANSFER1 (transfer)), "paused") == 0)
        haul_transfer_resume (transfer);
    }
  haul_manager1_complete_resume_all (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/**
 * haul_manager_quit:
 * @self: the manager
 *
 * Stops every running transfer with its resume data saved, then quits the service once
 * every record is on disk. Transfers that were running or waiting stay unfinished on
 * record, so they continue when the service starts again.
 */
void
haul_manager_quit (HaulManager *self)
{
  g_autoptr(GPtrArray) list = sorted_transfers (self);

  g_return_if_fail (HAUL_IS_MANAGER (self));

  self->quitting = TRUE;
  for (guint i = 0; i < list->len; i++)
    haul_transfer_suspend (g_ptr_array_index (list, i));
  schedule (self);
}

static gboolean
handle_quit (HaulManager1          *iface,
             GDBusMethodInvocation *invocation)
{
  g_debug ("Handling Quit");
  haul_manager1_complete_quit (iface, invocation);
  haul_manager_quit (HAUL_MANAGER (iface));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
haul_manager_iface_init (HaulManager1Iface *iface)
{
  iface->handle_add = handle_add;
  iface->handle_pause_all = handle_pause_all;
  iface->handle_resume_all = handle_resume_all;
  iface->handle_quit = handle_quit;
}

/* ---- object ------------------------------------------------------------------------- */

static void
on_speed_limit_changed_cb (HaulManager *self)
{
  haul_rate_limiter_set_rate (self->limiter, haul_manager1_get_speed_limit (HAUL_MANAGER1 (self)));
}

gboolean
haul_manager_export (HaulManager      *self,
                     GDBusConnection  *connection,
                     GError          **error)
{
  g_return_val_if_fail (HAUL_IS_MANAGER (self), FALSE);

  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self), connection,
                                         HAUL_MANAGER_PATH, error))
    return FALSE;
  self->missing_id = haul_missing_register (connection, error);
  if (self->missing_id == 0)
    return FALSE;
  self->connection = g_object_ref (connection);
  /* Loaded before the object manager goes on the bus: it then exports them all at once,
   * rather than announcing each with InterfacesAdded. */
  load_transfers (self);
  g_dbus_object_manager_server_set_connection (self->object_manager, connection);
  schedule (self);
  return TRUE;
}

void
haul_manager_unexport (HaulManager *self)
{
  g_return_if_fail (HAUL_IS_MANAGER (self));

  g_dbus_object_manager_server_set_connection (self->object_manager, NULL);
  g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self));
  if (self->missing_id != 0)
    g_dbus_connection_unregister_subtree (self->connection, self->missing_id);
  self->missing_id = 0;
  g_clear_object (&self->connection);
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
  g_clear_object (&self->object_manager);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->conditions);
  g_clear_object (&self->session);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->limiter, haul_rate_limiter_unref);

  G_OBJECT_CLASS (haul_manager_parent_class)->dispose (object);
}

/* Properties a client may set are bound to GSettings keys: a value out of the key's range
 * is refused with a named error (GSettings would only complain on stderr). */
static GDBusInterfaceVTable manager_vtable;
static GDBusInterfaceSetPropertyFunc parent_set_property;

static gboolean
handle_set_property (GDBusConnection  *connection,
                     const char       *sender,
                     const char       *object_path,
                     const char       *interface_name,
                     const char       *property_name,
                     GVariant         *value,
                     GError          **error,
                     gpointer          user_data)
{
  HaulManager *self = HAUL_MANAGER (user_data);
  static const struct { const char *property; const char *key; } bound[] = {
    { "MaxConcurrent", "max-concurrent" },
    { "SpeedLimit", "speed-limit" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bound); i++)
    {
      g_autoptr(GSettingsSchema) schema = NULL;
      g_autoptr(GSettingsSchemaKey) key = NULL;

      if (!g_str_equal (property_name, bound[i].property))
        continue;
      g_object_get (self->settings, "settings-schema", &schema, NULL);
      key = g_settings_schema_get_key (schema, bound[i].key);
      if (!g_variant_is_of_type (value, g_settings_schema_key_get_value_type (key)) ||
          !g_settings_schema_key_range_check (key, value))
        {
          g_autofree char *text = g_variant_print (value, FALSE);

          g_set_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_ARGUMENT,
                       _("%s cannot be %s"), property_name, text);
          return FALSE;
        }
    }
  return parent_set_property (connection, sender, object_path, interface_name, property_name,
                              value, error, user_data);
}

static GDBusInterfaceVTable *
haul_manager_get_vtable (GDBusInterfaceSkeleton *skeleton)
{
  return &manager_vtable;
}

static void
haul_manager_class_init (HaulManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GDBusInterfaceSkeletonClass *skeleton_class = G_DBUS_INTERFACE_SKELETON_CLASS (klass);

  object_class->dispose = haul_manager_dispose;

  manager_vtable = *skeleton_class->get_vtable (NULL);
  parent_set_property = manager_vtable.set_property;
  manager_vtable.set_property = handle_set_property;
  skeleton_class->get_vtable = haul_manager_get_vtable;
}

static void
haul_manager_init (HaulManager *self)
{
  self->next_id = 1;
  self->transfers = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->order = g_ptr_array_new ();
  self->object_manager = g_dbus_object_manager_server_new (HAUL_MANAGER_PATH);
  self->session = haul_session_new (NULL);
  self->limiter = haul_rate_limiter_new (0);
  self->settings = g_settings_new ("io.github.haul.Haul");
  {
    g_autofree char *dir = g_build_filename (g_get_user_state_dir (), "haul", "transfers", NULL);
    self->store = haul_store_new (dir);
  }
  g_signal_connect_swapped (self->store, "idle", G_CALLBACK (schedule), self);
  self->conditions = haul_conditions_new ();
  g_signal_connect_swapped (self->conditions, "changed", G_CALLBACK (schedule), self);

  haul_manager1_set_version (HAUL_MANAGER1 (self), PACKAGE_VERSION);
  g_settings_bind (self->settings, "max-concurrent", self, "max-concurrent", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "speed-limit", self, "speed-limit", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_swapped (self, "notify::max-concurrent", G_CALLBACK (schedule), self);
  g_signal_connect_swapped (self, "notify::speed-limit", G_CALLBACK (on_speed_limit_changed_cb), self);
  on_speed_limit_changed_cb (self);
}

HaulManager *
haul_manager_new (GApplication *app)
{
  HaulManager *self = g_object_new (HAUL_TYPE_MANAGER, NULL);

  self->app = app;
  return self;
}
