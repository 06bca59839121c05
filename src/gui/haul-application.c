/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-application.h"
#include "haul-preferences.h"
#include "haul-window.h"

/* `haul`: one instance per session (a second `haul URL…` hands its links to the first,
 * through GApplication's own D-Bus), DBusActivatable as io.github.haul.Haul. The
 * application owns the one client of the service: it starts the service when the window
 * opens, and when it cannot, it says why in the window and tries again after 2, 4, 8…
 * up to 60 seconds — a timer only while it fails. While the client exists, the client
 * library itself follows the service: re-reads everything when it reappears and starts
 * it again when it goes away. */

#define RETRY_MIN_S 2
#define RETRY_MAX_S 60

struct _HaulApplication
{
  AdwApplication  parent_instance;

  GDBusConnection *bus;
  HaulClient      *client;
  GCancellable    *cancellable;
  gboolean         connecting;
  guint            retry_source;
  guint            retry_s;
  guint            pending_show;         /* a transfer to show once there is a client */
  gboolean         pending_change_link;  /* and to ask a new link for */
};

G_DEFINE_FINAL_TYPE (HaulApplication, haul_application, ADW_TYPE_APPLICATION)

static HaulWindow *
main_window (HaulApplication *self,
             gboolean         create)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  HaulWindow *main = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (HAUL_IS_WINDOW (l->data))
      {
        main = l->data;
        break;
      }
  if (window != NULL && HAUL_IS_WINDOW (window))
    main = HAUL_WINDOW (window);
  if (main == NULL && create)
    {
      main = haul_window_new (GTK_APPLICATION (self));
      haul_window_set_client (main, self->client);
    }
  return main;
}

/* ---- the client --------------------------------------------------------------------- */

static void connect_client (HaulApplication *self);

static gboolean
retry_cb (gpointer user_data)
{
  HaulApplication *self = user_data;

  self->retry_source = 0;
  connect_client (self);
  return G_SOURCE_REMOVE;
}

static void
flush_pending (HaulApplication *self)
{
  HaulWindow *window = main_window (self, FALSE);

  if (window == NULL || self->client == NULL)
    return;
  if (self->pending_show != 0)
    {
      if (self->pending_change_link)
        haul_window_change_link (window, self->pending_show);
      else
        haul_window_show_transfer (window, self->pending_show);
      self->pending_show = 0;
      self->pending_change_link = FALSE;
    }
}

static void
client_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HaulApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  HaulClient *client = haul_client_new_finish (result, &error);
  HaulWindow *window;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->connecting = FALSE;
  window = main_window (self, FALSE);
  if (client == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_message ("The download service could not be started: %s", error->message);
      if (window != NULL)
        haul_window_set_service_error (window, error);
      self->retry_s = self->retry_s == 0 ? RETRY_MIN_S : MIN (self->retry_s * 2, RETRY_MAX_S);
      self->retry_source = g_timeout_add_seconds (self->retry_s, retry_cb, self);
      return;
    }
  self->retry_s = 0;
  self->client = client;
  if (window != NULL)
    {
      haul_window_set_service_error (window, NULL);
      haul_window_set_client (window, client);
    }
  flush_pending (self);
}

static void
connect_client (HaulApplication *self)
{
  if (self->client != NULL || self->connecting || self->bus == NULL)
    return;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->connecting = TRUE;
  haul_client_new_async (self->bus, HAUL_CLIENT_FLAGS_ACTIVATE | HAUL_CLIENT_FLAGS_REACTIVATE,
                         self->cancellable, client_cb, g_object_ref (self));
}

/* ---- actions ------------------------------------------------------------------------ */

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  HaulApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Downloads go on in the service; the window only goes. */
  while (windows != NULL)
    {
      GtkWindow *window = windows->data;

      windows = windows->next;
      gtk_window_close (window);
    }
  g_application_quit (G_APPLICATION (self));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  HaulApplication *self = user_data;
  const char *developers[] = { "The Haul developers", NULL };

  adw_show_about_window (GTK_WINDOW (main_window (self, TRUE)),
                         "application-name", _("Haul"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _("The Haul developers"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "comments", _("Download files that finish, through network drops and restarts"),
                         "website", "https://github.com/haul-dm/haul",
                         "issue-url", "https://github.com/haul-dm/haul/issues",
                         /* Translators: your names, one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  HaulApplication *self = user_data;
  GtkWindow *preferences = haul_preferences_new (GTK_WINDOW (main_window (self, TRUE)));

  gtk_window_present (preferences);
}

static void
reconnect_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  HaulApplication *self = user_data;

  self->retry_s = 0;
  connect_client (self);
}

/* app.show-transfer(u) and app.change-link(u): what a notification's default action and
 * its "Change Link…" button ask, through D-Bus activation when the window is not running.
 * Until there is a client, the last one asked waits. */
static void
show_transfer (HaulApplication *self,
               guint            id,
               gboolean         change_link)
{
  HaulWindow *window = main_window (self, TRUE);

  gtk_window_present (GTK_WINDOW (window));
  if (self->client == NULL)
    {
      self->pending_show = id;
      self->pending_change_link = change_link;
      connect_client (self);
      return;
    }
  if (change_link)
    haul_window_change_link (window, id);
  else
    haul_window_show_transfer (window, id);
}

static void
show_transfer_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  show_transfer (user_data, g_variant_get_uint32 (parameter), FALSE);
}

static void
change_link_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  show_transfer (user_data, g_variant_get_uint32 (parameter), TRUE);
}

static const GActionEntry app_entries[] = {
  { "quit", quit_action, NULL, NULL, NULL, { 0 } },
  { "about", about_action, NULL, NULL, NULL, { 0 } },
  { "preferences", preferences_action, NULL, NULL, NULL, { 0 } },
  { "reconnect", reconnect_action, NULL, NULL, NULL, { 0 } },
  { "show-transfer", show_transfer_action, "u", NULL, NULL, { 0 } },
  { "change-link", change_link_action, "u", NULL, NULL, { 0 } },
};

/* ---- GApplication ------------------------------------------------------------------- */

static void
haul_application_startup (GApplication *application)
{
  HaulApplication *self = HAUL_APPLICATION (application);
  GDBusConnection *bus;
  struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "win.add", { "<Control>n", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
  };

  haul_gui_register_resources ();
  G_APPLICATION_CLASS (haul_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_entries, G_N_ELEMENTS (app_entries), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);

  /* The connection GApplication registered on: the session bus. */
  bus = g_application_get_dbus_connection (application);
  if (bus == NULL)
    g_warning ("No session bus: Haul cannot reach its download service");
  g_set_object (&self->bus, bus);
}

static void
haul_application_activate (GApplication *application)
{
  HaulApplication *self = HAUL_APPLICATION (application);
  HaulWindow *window = main_window (self, TRUE);

  gtk_window_present (GTK_WINDOW (window));
  connect_client (self);
  /* A window shown again reads everything anew: its figures may be old. */
  if (self->client != NULL)
    haul_client_refresh (self->client);
}

static void
haul_application_open (GApplication  *application,
                       GFile        **files,
                       int            n_files,
                       const char    *hint)
{
  g_autoptr(GPtrArray) uris = g_ptr_array_new_with_free_func (g_free);

  /* The window keeps them until the service answers. */
  for (int i = 0; i < n_files; i++)
    g_ptr_array_add (uris, g_file_get_uri (files[i]));
  g_ptr_array_add (uris, NULL);
  haul_application_activate (application);
  haul_window_add_uris (main_window (HAUL_APPLICATION (application), TRUE),
                        (const char * const *) uris->pdata);
}

static void
haul_application_shutdown (GApplication *application)
{
  HaulApplication *self = HAUL_APPLICATION (application);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  G_APPLICATION_CLASS (haul_application_parent_class)->shutdown (application);
  g_clear_object (&self->client);
  g_clear_object (&self->bus);
}

static void
haul_application_finalize (GObject *object)
{
  HaulApplication *self = HAUL_APPLICATION (object);

  g_clear_object (&self->client);
  g_clear_object (&self->bus);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (haul_application_parent_class)->finalize (object);
}

static void
haul_application_class_init (HaulApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = haul_application_finalize;
  app_class->startup = haul_application_startup;
  app_class->activate = haul_application_activate;
  app_class->open = haul_application_open;
  app_class->shutdown = haul_application_shutdown;
}

static void
haul_application_init (HaulApplication *self)
{
  self->cancellable = g_cancellable_new ();
}

HaulApplication *
haul_application_new (void)
{
  return g_object_new (HAUL_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/haul/Haul",
                       NULL);
}

/**
 * haul_application_get_client:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): the client, once the service answered
 */
HaulClient *
haul_application_get_client (HaulApplication *self)
{
  g_return_val_if_fail (HAUL_IS_APPLICATION (self), NULL);
  return self->client;
}
