/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-notifier"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-desktop.h"
#include "haul-fdo-generated.h"
#include "haul-format.h"
#include "haul-notifier.h"

/* Desktop notifications through org.freedesktop.Notifications (the interface description
 * generated from data/org.freedesktop.Notifications.xml), every call asynchronous: a
 * missing or stuck server costs a log line, once, and never stalls the service.
 *
 * A completed transfer offers Open and Show in Folder, a failed one Retry (and Change
 * Link… when its link expired); clicking either shows the transfer in the window, which
 * D-Bus activation starts if needed. Transfers that finish one soon after the other (less
 * than a second apart, for at most five seconds) make one notification ("5 downloads
 * completed"), not a flood; and those that finish within ten seconds of a notification of
 * their kind still on screen replace it with one that counts them all.
 *
 * The service stays while one of its notifications can still be acted on (the notifier
 * is busy): until the server says it was closed, and at most EXPIRE_S after it was shown.
 * Then it is closed, so that no button is left that nobody would answer. */

#define GATHER_MS     1000   /* quiet after the last finish before the notification */
#define GATHER_MAX_MS 5000   /* from the first, at most */
#define MERGE_S       10     /* a notification this recent takes in the next ones */
#define EXPIRE_S  (10 * 60)
#define NOTIFICATIONS_NAME "org.freedesktop.Notifications"
#define NOTIFICATIONS_PATH "/org/freedesktop/Notifications"
#define MAX_NAMED 3

typedef struct
{
  guint    server_id;
  guint    replaces_id;   /* the notification it takes the place of, or 0 */
  gboolean failed;
  GArray  *ids;        /* of guint, the transfers */
  char    *token;      /* the activation token of the click, when the server sent one */
  guint    expire_source;
  HaulNotifier *notifier;
} Shown;

struct _HaulNotifier
{
  GObject          parent_instance;

  HaulManager     *manager;
  GDBusConnection *session;
  GSettings       *settings;
  GCancellable    *cancellable;
  guint            subscription;
  GArray          *completed;     /* transfers finished since the last notification */
  GArray          *failed;
  guint            gather_source;
  gint64           gather_start;  /* monotonic µs of the first finish gathered */
  guint            in_flight;     /* Notify calls not answered yet */
  GHashTable      *shown;         /* server's ID → Shown */
  guint            recent_id[2];  /* the last of each kind (completed, failed), and when */
  gint64           recent_at[2];
  gboolean         warned;
  gboolean         busy;
};

G_DEFINE_FINAL_TYPE (HaulNotifier, haul_notifier, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_busy (HaulNotifier *self)
{
  gboolean busy = self->completed->len > 0 || self->failed->len > 0 || self->in_flight > 0 ||
                  g_hash_table_size (self->shown) > 0;

  if (busy == self->busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
shown_free (gpointer data)
{
  Shown *shown = data;

  g_clear_handle_id (&shown->expire_source, g_source_remove);
  g_array_unref (shown->ids);
  g_free (shown->token);
  g_free (shown);
}

static void
warn (HaulNotifier *self,
      GError       *error)
{
  if (self->warned)
    return;
  self->warned = TRUE;
  g_dbus_error_strip_remote_error (error);
  g_message ("Notifications cannot be shown: %s", error->message);
}

/* ---- showing ------------------------------------------------------------------------ */

static char *
transfer_name (HaulTransfer *transfer)
{
  return haul_format_display_name (haul_transfer_get_file_name (transfer), haul_transfer_get_uri (transfer));
}

/* "a.iso, b.zip, c.pdf and 2 more" */
static char *
list_names (HaulNotifier *self,
            GArray       *ids)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;
  guint more;

  for (guint i = 0; i < ids->len && names->len < MAX_NAMED; i++)
    {
      HaulTransfer *transfer = haul_manager_lookup (self->manager, g_array_index (ids, guint, i));

      if (transfer != NULL)
        g_ptr_array_add (names, transfer_name (transfer));
    }
  g_ptr_array_add (names, NULL);
  /* Translators: the separator of a list of file names */
  joined = g_strjoinv (_(", "), (char **) names->pdata);
  more = ids->len - (names->len - 1);
  if (more == 0)
    return g_steal_pointer (&joined);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s and %u more", "%s and %u more", more),
                          joined, more);
}

static void
notify_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Shown *shown = user_data;
  HaulNotifier *self = shown->notifier;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      shown_free (shown);
      return;
    }
  self->in_flight--;
  if (reply == NULL)
    {
      warn (self, error);
      shown_free (shown);
    }
  else
    {
      self->warned = FALSE;
      g_variant_get (reply, "(u)", &shown->server_id);
      if (shown->replaces_id != 0 && shown->replaces_id != shown->server_id)
        g_hash_table_remove (self->shown, GUINT_TO_POINTER (shown->replaces_id));
      g_hash_table_replace (self->shown, GUINT_TO_POINTER (shown->server_id), shown);
      self->recent_id[shown->failed] = shown->server_id;
      self->recent_at[shown->failed] = g_get_monotonic_time ();
    }
  update_busy (self);
}

static gboolean expire_cb (gpointer user_data);

/* One notification for the transfers of @ids, all completed or all failed: in the place
 * of the last one of that kind when it is recent and still shown, counting its too. */
static void
show (HaulNotifier *self,
      GArray       *new_ids,
      gboolean      failed)
{
  g_auto(GVariantBuilder) actions = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_STRING_ARRAY);
  g_auto(GVariantBuilder) hints = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autofree char *summary = NULL;
  g_autofree char *body = NULL;
  g_autofree char *escaped = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));
  Shown *recent = g_hash_table_lookup (self->shown, GUINT_TO_POINTER (self->recent_id[failed]));
  guint replaces_id = 0;
  Shown *shown;

  if (recent != NULL && self->recent_id[failed] != 0 &&
      g_get_monotonic_time () - self->recent_at[failed] < MERGE_S * G_USEC_PER_SEC)
    {
      /* Of the earlier ones, those still so: a failed one may have been retried since. */
      replaces_id = recent->server_id;
      for (guint i = 0; i < recent->ids->len; i++)
        {
          guint id = g_array_index (recent->ids, guint, i);
          HaulTransfer *transfer = haul_manager_lookup (self->manager, id);

          if (transfer != NULL &&
              haul_transfer_get_state (transfer) == (failed ? HAUL_TRANSFER_STATE_FAILED
                                                            : HAUL_TRANSFER_STATE_COMPLETED))
            g_array_append_val (ids, id);
        }
    }
  g_array_append_vals (ids, new_ids->data, new_ids->len);

  g_variant_builder_add (&actions, "s", "default");
  g_variant_builder_add (&actions, "s", _("Show"));
  if (ids->len == 1)
    {
      HaulTransfer *transfer = haul_manager_lookup (self->manager, g_array_index (ids, guint, 0));
      g_autofree char *name = NULL;

      if (transfer == NULL)
        return;
      name = transfer_name (transfer);
      if (!failed)
        {
          summary = g_strdup (_("Download complete"));
          body = g_steal_pointer (&name);
          g_variant_builder_add (&actions, "s", "open");
          g_variant_builder_add (&actions, "s", _("Open"));
          g_variant_builder_add (&actions, "s", "show-in-folder");
          g_variant_builder_add (&actions, "s", _("Show in Folder"));
        }
      else
        {
          summary = g_strdup (_("Download failed"));
          /* Translators: a file's name and why its download failed */
          body = g_strdup_printf (_("%s: %s"), name, haul_transfer_get_error_message (transfer));
          g_variant_builder_add (&actions, "s", "retry");
          g_variant_builder_add (&actions, "s", _("Retry"));
          if (haul_transfer_get_error_kind (transfer) == HAUL_ERROR_KIND_LINK_EXPIRED)
            {
              g_variant_builder_add (&actions, "s", "change-link");
              g_variant_builder_add (&actions, "s", _("Change Link…"));
            }
        }
    }
  else
    {
      summary = failed ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u download failed",
                                                       "%u downloads failed", ids->len), ids->len)
                       : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u download completed",
                                                       "%u downloads completed", ids->len), ids->len);
      body = list_names (self, ids);
      if (failed)
        {
          g_variant_builder_add (&actions, "s", "retry");
          g_variant_builder_add (&actions, "s", _("Retry All"));
        }
    }

  g_variant_builder_add (&hints, "{sv}", "desktop-entry", g_variant_new_string (APP_ID));
  g_variant_builder_add (&hints, "{sv}", "category",
                         g_variant_new_string (failed ? "transfer.error" : "transfer.complete"));
  g_variant_builder_add (&hints, "{sv}", "urgency", g_variant_new_byte (1));

  shown = g_new0 (Shown, 1);
  shown->notifier = self;
  shown->replaces_id = replaces_id;
  shown->failed = failed;
  shown->ids = g_array_ref (ids);
  shown->expire_source = g_timeout_add_seconds (EXPIRE_S, expire_cb, shown);
  self->in_flight++;
  /* A server may read the body as markup. */
  escaped = g_markup_escape_text (body, -1);
  g_dbus_connection_call (self->session, NOTIFICATIONS_NAME, NOTIFICATIONS_PATH,
                          haul_fdo_notifications_interface_info ()->name, "Notify",
                          g_variant_new ("(susssasa{sv}i)", _("Haul"), replaces_id, APP_ID, summary, escaped,
                                         &actions, &hints, -1),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
                          notify_cb, shown);
}

static gboolean
gather_cb (gpointer user_data)
{
  HaulNotifier *self = user_data;
  g_autoptr(GArray) completed = g_steal_pointer (&self->completed);
  g_autoptr(GArray) failed = g_steal_pointer (&self->failed);

  self->gather_source = 0;
  self->completed = g_array_new (FALSE, FALSE, sizeof (guint));
  self->failed = g_array_new (FALSE, FALSE, sizeof (guint));
  if (completed->len > 0)
    show (self, completed, FALSE);
  if (failed->len > 0)
    show (self, failed, TRUE);
  update_busy (self);
  return G_SOURCE_REMOVE;
}

static void
on_transfer_finished_cb (HaulNotifier *self,
                         HaulTransfer *transfer)
{
  HaulTransferState state = haul_transfer_get_state (transfer);
  guint id = haul_transfer_get_id (transfer);

  /* A cancelled transfer is what the person asked for: no news. */
  if (!g_settings_get_boolean (self->settings, "notify") ||
      (state != HAUL_TRANSFER_STATE_COMPLETED && state != HAUL_TRANSFER_STATE_FAILED))
    return;
  g_array_append_val (state == HAUL_TRANSFER_STATE_COMPLETED ? self->completed : self->failed, id);
  /* Another second of quiet, unless the first finished five seconds ago. */
  if (self->gather_source == 0)
    self->gather_start = g_get_monotonic_time ();
  g_clear_handle_id (&self->gather_source, g_source_remove);
  self->gather_source = g_timeout_add (MIN (GATHER_MS, MAX (0, GATHER_MAX_MS -
                                                           (g_get_monotonic_time () - self->gather_start) / 1000)),
                                       gather_cb, self);
  update_busy (self);
}

/* ---- answers of the server ---------------------------------------------------------- */

static void
forget (HaulNotifier *self,
        guint         server_id)
{
  g_hash_table_remove (self->shown, GUINT_TO_POINTER (server_id));
  update_busy (self);
}

static void
close_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, NULL);
}

static gboolean
expire_cb (gpointer user_data)
{
  Shown *shown = user_data;
  HaulNotifier *self = shown->notifier;
  guint server_id = shown->server_id;

  shown->expire_source = 0;
  if (server_id == 0)
    return G_SOURCE_REMOVE;   /* not answered yet: notify_cb keeps it */
  g_dbus_connection_call (self->session, NOTIFICATIONS_NAME, NOTIFICATIONS_PATH,
                          haul_fdo_notifications_interface_info ()->name, "CloseNotification",
                          g_variant_new ("(u)", server_id), NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          -1, NULL, close_cb, NULL);
  forget (self, server_id);
  return G_SOURCE_REMOVE;
}

static void
act (HaulNotifier *self,
     Shown        *shown,
     const char   *action)
{
  HaulTransfer *first = haul_manager_lookup (self->manager, g_array_index (shown->ids, guint, 0));

  if (g_str_equal (action, "default"))
    {
      if (shown->ids->len == 1 && first != NULL)
        haul_desktop_activate_action (self->session, "show-transfer", haul_transfer_get_id (first),
                                      shown->token);
      else
        haul_desktop_show_window (self->session, shown->token);
    }
  else if (g_str_equal (action, "open") && first != NULL)
    haul_desktop_open_file (first, shown->token);
  else if (g_str_equal (action, "show-in-folder") && first != NULL)
    haul_desktop_show_in_folder (self->session, first, shown->token);
  else if (g_str_equal (action, "change-link") && first != NULL)
    haul_desktop_activate_action (self->session, "change-link", haul_transfer_get_id (first), shown->token);
  else if (g_str_equal (action, "retry"))
    for (guint i = 0; i < shown->ids->len; i++)
      {
        HaulTransfer *transfer = haul_manager_lookup (self->manager, g_array_index (shown->ids, guint, i));
        g_autoptr(GError) error = NULL;

        /* One may have been retried or removed in the window meanwhile. */
        if (transfer != NULL && haul_transfer_get_state (transfer) == HAUL_TRANSFER_STATE_FAILED &&
            !haul_transfer_resume (transfer, &error))
          g_message ("Could not retry: %s", error->message);
      }
}

static void
on_signal_cb (GDBusConnection *connection,
              const char      *sender,
              const char      *object_path,
              const char      *interface_name,
              const char      *signal_name,
              GVariant        *parameters,
              gpointer         user_data)
{
  HaulNotifier *self = user_data;
  Shown *shown;
  guint server_id;
  const char *text;

  if (g_str_equal (signal_name, "ActionInvoked") &&
      g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(us)")))
    {
      g_variant_get (parameters, "(u&s)", &server_id, &text);
      shown = g_hash_table_lookup (self->shown, GUINT_TO_POINTER (server_id));
      if (shown != NULL)
        act (self, shown, text);
    }
  else if (g_str_equal (signal_name, "ActivationToken") &&
           g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(us)")))
    {
      g_variant_get (parameters, "(u&s)", &server_id, &text);
      shown = g_hash_table_lookup (self->shown, GUINT_TO_POINTER (server_id));
      if (shown != NULL)
        {
          g_free (shown->token);
          shown->token = g_strdup (text);
        }
    }
  else if (g_str_equal (signal_name, "NotificationClosed") &&
           g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(uu)")))
    {
      g_variant_get (parameters, "(uu)", &server_id, NULL);
      forget (self, server_id);
    }
}

/* ---- object ------------------------------------------------------------------------- */

/**
 * haul_notifier_get_busy:
 * @self: the notifier
 *
 * Returns: whether a notification is on its way or can still be acted on: the service
 *   stays meanwhile
 */
gboolean
haul_notifier_get_busy (HaulNotifier *self)
{
  g_return_val_if_fail (HAUL_IS_NOTIFIER (self), FALSE);
  return self->busy;
}

static void
haul_notifier_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HaulNotifier *self = HAUL_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_notifier_dispose (GObject *object)
{
  HaulNotifier *self = HAUL_NOTIFIER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->gather_source, g_source_remove);
  if (self->subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->session, self->subscription);
  self->subscription = 0;
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_hash_table_remove_all (self->shown);
  g_clear_object (&self->manager);
  g_clear_object (&self->settings);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (haul_notifier_parent_class)->dispose (object);
}

static void
haul_notifier_finalize (GObject *object)
{
  HaulNotifier *self = HAUL_NOTIFIER (object);

  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->shown);
  g_array_unref (self->completed);
  g_array_unref (self->failed);

  G_OBJECT_CLASS (haul_notifier_parent_class)->finalize (object);
}

static void
haul_notifier_class_init (HaulNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = haul_notifier_get_property;
  object_class->dispose = haul_notifier_dispose;
  object_class->finalize = haul_notifier_finalize;

  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                                G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
haul_notifier_init (HaulNotifier *self)
{
  self->cancellable = g_cancellable_new ();
  self->completed = g_array_new (FALSE, FALSE, sizeof (guint));
  self->failed = g_array_new (FALSE, FALSE, sizeof (guint));
  self->shown = g_hash_table_new_full (NULL, NULL, NULL, shown_free);
}

/**
 * haul_notifier_new:
 * @manager: the manager whose transfers finish
 * @session: the service's connection to the session bus
 *
 * Returns: (transfer full): the notifier; silent while the notify key is off
 */
HaulNotifier *
haul_notifier_new (HaulManager     *manager,
                   GDBusConnection *session)
{
  HaulNotifier *self = g_object_new (HAUL_TYPE_NOTIFIER, NULL);

  self->manager = g_object_ref (manager);
  self->session = g_object_ref (session);
  self->settings = g_settings_new (APP_ID);
  self->subscription = g_dbus_connection_signal_subscribe (session, NOTIFICATIONS_NAME,
                                                           haul_fdo_notifications_interface_info ()->name,
                                                           NULL, NOTIFICATIONS_PATH, NULL,
                                                           G_DBUS_SIGNAL_FLAGS_NONE, on_signal_cb,
                                                           self, NULL);
  g_signal_connect_swapped (manager, "transfer-finished", G_CALLBACK (on_transfer_finished_cb), self);
  return self;
}
