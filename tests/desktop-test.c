/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "desktop-test"

#include "config.h"

#include <string.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "haul-fdo-generated.h"
#include "haul-sni-generated.h"
#include "daemon-test-utils.h"

/* What the service shows on the desktop, on the private bus: the status icon and its menu
 * (registered with a StatusNotifierWatcher of our own), the notifications (to
 * python3-dbusmock's notification_daemon template, which records Notify and sends what we
 * tell it), the launcher entry, and the window's actions, called on a stand-in for
 * io.github.haul.Haul that records them. The settings are a key file both processes
 * read, so that the test can turn the icon and the notifications off. */

#define WATCHER_NAME  "org.kde.StatusNotifierWatcher"
#define NOTIFY_NAME   "org.freedesktop.Notifications"
#define NOTIFY_PATH   "/org/freedesktop/Notifications"
#define APP_NAME      "io.github.haul.Haul"
#define ITEM_PATH     "/StatusNotifierItem"
#define MENU_PATH     "/StatusNotifierItem/Menu"

typedef struct
{
  Fixture                       base;
  GDBusConnection              *watcher_connection;
  HaulSniStatusNotifierWatcher *watcher;
  guint                         watcher_owner;
  gboolean                      watcher_owned;
  GPtrArray                    *registrations;   /* the item's unique name, as registered */
  GDBusConnection              *app_connection;
  HaulFdoApplication           *app;
  HaulFdoFileManager1          *file_manager;
  gboolean                      app_owned;
  gboolean                      file_manager_owned;
  GPtrArray                    *app_calls;       /* "activate", "show-transfer 3", "show-items URI" */
  GSubprocess                  *mock;
  GSettings                    *settings;
  GPtrArray                    *launcher_updates; /* of GVariant a{sv} */
  guint                         launcher_subscription;
} DesktopFixture;

static GDBusConnection *
new_connection (void)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection =
    g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                            G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);

  g_assert_no_error (error);
  return connection;
}

static gboolean
owned (GDBusConnection *connection,
       const char      *name)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean has = FALSE;

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner", g_variant_new ("(s)", name),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has);
  return has;
}

static void
on_acquired_cb (GDBusConnection *connection,
                const char      *name,
                gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* ---- the watcher -------------------------------------------------------------------- */

static gboolean
on_register_item_cb (HaulSniStatusNotifierWatcher *watcher,
                     GDBusMethodInvocation        *invocation,
                     const char                   *service,
                     DesktopFixture               *f)
{
  /* By object path, on the caller's connection. */
  g_assert_cmpstr (service, ==, ITEM_PATH);
  g_ptr_array_add (f->registrations, g_strdup (g_dbus_method_invocation_get_sender (invocation)));
  haul_sni_status_notifier_watcher_complete_register_status_notifier_item (watcher, invocation);
  return TRUE;
}

static void
watcher_start (DesktopFixture *f)
{
  g_autoptr(GError) error = NULL;

  f->watcher_connection = new_connection ();
  f->watcher = haul_sni_status_notifier_watcher_skeleton_new ();
  haul_sni_status_notifier_watcher_set_protocol_version (f->watcher, 0);
  haul_sni_status_notifier_watcher_set_is_status_notifier_host_registered (f->watcher, TRUE);
  g_signal_connect (f->watcher, "handle-register-status-notifier-item",
                    G_CALLBACK (on_register_item_cb), f);
  g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (f->watcher), f->watcher_connection,
                                    "/StatusNotifierWatcher", &error);
  g_assert_no_error (error);
  f->watcher_owned = FALSE;
  f->watcher_owner = g_bus_own_name_on_connection (f->watcher_connection, WATCHER_NAME,
                                                   G_BUS_NAME_OWNER_FLAGS_NONE, on_acquired_cb, NULL,
                                                   &f->watcher_owned, NULL);
  WAIT_FOR ("the watcher's name", f->watcher_owned);
}

/* A watcher that goes away, as when the shell reloads. */
static void
watcher_stop (DesktopFixture *f)
{
  if (f->watcher_connection == NULL)
    return;
  g_bus_unown_name (f->watcher_owner);
  g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (f->watcher));
  g_clear_object (&f->watcher);
  g_dbus_connection_close_sync (f->watcher_connection, NULL, NULL);
  g_clear_object (&f->watcher_connection);
}

static const char *
item_owner (DesktopFixture *f)
{
  g_assert_cmpuint (f->registrations->len, >, 0);
  return g_ptr_array_index (f->registrations, f->registrations->len - 1);
}

/* Read afresh, as a host does after a New… signal. */
static GVariant *
item_get (DesktopFixture *f,
          const char     *name)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *value;

  reply = g_dbus_connection_call_sync (f->base.connection, item_owner (f), ITEM_PATH,
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", "org.kde.StatusNotifierItem", name),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return value;
}

static gboolean
item_status_is (DesktopFixture *f,
                const char     *status)
{
  g_autoptr(GVariant) value = item_get (f, "Status");

  return g_str_equal (g_variant_get_string (value, NULL), status);
}

static char *
item_tooltip (DesktopFixture *f)
{
  g_autoptr(GVariant) value = item_get (f, "ToolTip");
  const char *text;

  g_variant_get (value, "(&sa(iiay)&s&s)", NULL, NULL, &text, NULL);
  return g_strdup (text);
}

static GVariant *
item_call (DesktopFixture *f,
           const char     *path,
           const char     *interface,
           const char     *method,
           GVariant       *parameters,
           GError        **error)
{
  return g_dbus_connection_call_sync (f->base.connection, item_owner (f), path, interface, method,
                                      parameters, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
}

/* The ID of the menu's item whose label starts with @label, or -1. */
static gint32
menu_find (DesktopFixture *f,
           const char     *label,
           gboolean       *enabled)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) children = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { NULL };
  GVariantIter iter;
  GVariant *child;

  reply = item_call (f, MENU_PATH, "com.canonical.dbusmenu", "GetLayout",
                     g_variant_new ("(ii^as)", 0, -1, names), &error);
  g_assert_no_error (error);
  children = g_variant_get_child_value (g_variant_get_child_value (reply, 1), 2);
  g_variant_iter_init (&iter, children);
  while (g_variant_iter_next (&iter, "v", &child))
    {
      g_autoptr(GVariant) item = child;
      g_autoptr(GVariant) properties = NULL;
      const char *text = NULL;
      gint32 id;

      g_variant_get (item, "(i@a{sv}av)", &id, &properties, NULL);
      if (g_variant_lookup (properties, "label", "&s", &text) && g_str_has_prefix (text, label))
        {
          if (enabled != NULL)
            g_assert_true (g_variant_lookup (properties, "enabled", "b", enabled));
          return id;
        }
    }
  return -1;
}

static void
menu_click (DesktopFixture *f,
            gint32          id)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (id, >=, 0);
  reply = item_call (f, MENU_PATH, "com.canonical.dbusmenu", "Event",
                     g_variant_new ("(isvu)", id, "clicked", g_variant_new_int32 (0), 0), &error);
  g_assert_no_error (error);
}

/* ---- the stand-in window ------------------------------------------------------------ */

static gboolean
on_activate_cb (HaulFdoApplication    *app,
                GDBusMethodInvocation *invocation,
                GVariant              *platform_data,
                DesktopFixture        *f)
{
  g_ptr_array_add (f->app_calls, g_strdup ("activate"));
  haul_fdo_application_complete_activate (app, invocation);
  return TRUE;
}

static gboolean
on_activate_action_cb (HaulFdoApplication    *app,
                       GDBusMethodInvocation *invocation,
                       const char            *action,
                       GVariant              *parameter,
                       GVariant              *platform_data,
                       DesktopFixture        *f)
{
  g_autoptr(GVariant) value = NULL;

  g_assert_cmpuint (g_variant_n_children (parameter), ==, 1);
  g_variant_get_child (parameter, 0, "v", &value);
  g_ptr_array_add (f->app_calls, g_strdup_printf ("%s %u", action, g_variant_get_uint32 (value)));
  haul_fdo_application_complete_activate_action (app, invocation);
  return TRUE;
}

static gboolean
on_show_items_cb (HaulFdoFileManager1   *file_manager,
                  GDBusMethodInvocation *invocation,
                  const char * const    *uris,
                  const char            *startup_id,
                  DesktopFixture        *f)
{
  g_assert_cmpuint (g_strv_length ((char **) uris), ==, 1);
  g_ptr_array_add (f->app_calls, g_strdup_printf ("show-items %s", uris[0]));
  haul_fdo_file_manager1_complete_show_items (file_manager, invocation);
  return TRUE;
}

static gboolean
app_called (DesktopFixture *f,
            const char     *call)
{
  for (guint i = 0; i < f->app_calls->len; i++)
    if (g_str_equal (g_ptr_array_index (f->app_calls, i), call))
      return TRUE;
  return FALSE;
}

/* ---- the notification server -------------------------------------------------------- */

static void
mock_start (DesktopFixture *f)
{
  g_autoptr(GError) error = NULL;
  const char *python = g_getenv ("HAUL_TEST_PYTHON");

  f->mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                              python != NULL ? python : "python3", "-m", "dbusmock", "--session",
                              "--template", "notification_daemon", NULL);
  g_assert_no_error (error);
  WAIT_FOR ("the notification server", owned (f->app_connection, NOTIFY_NAME));
}

/* The arguments of each Notify the server got, in order. */
static GPtrArray *
notifications (DesktopFixture *f)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) calls = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  const char *method;
  GVariant *args;

  reply = g_dbus_connection_call_sync (f->base.connection, NOTIFY_NAME, NOTIFY_PATH,
                                       "org.freedesktop.DBus.Mock", "GetCalls", NULL,
                                       G_VARIANT_TYPE ("(a(tsav))"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(a(tsav))", &calls);
  while (g_variant_iter_next (calls, "(t&s@av)", NULL, &method, &args))
    if (g_str_equal (method, "Notify"))
      g_ptr_array_add (found, args);
    else
      g_variant_unref (args);
  return found;
}

static guint
n_notifications (DesktopFixture *f)
{
  g_autoptr(GPtrArray) found = notifications (f);

  return found->len;
}

/* Argument @index of the @n-th notification, as a string. */
static char *
notification_string (DesktopFixture *f,
                     guint           n,
                     guint           index)
{
  g_autoptr(GPtrArray) found = notifications (f);
  g_autoptr(GVariant) arg = NULL;
  g_autoptr(GVariant) value = NULL;

  g_assert_cmpuint (n, <, found->len);
  arg = g_variant_get_child_value (g_ptr_array_index (found, n), index);
  value = g_variant_get_variant (arg);
  return g_variant_dup_string (value, NULL);
}

/* The notification that the @n-th takes the place of, 0 for none. */
static guint
notification_replaces (DesktopFixture *f,
                       guint           n)
{
  g_autoptr(GPtrArray) found = notifications (f);
  g_autoptr(GVariant) arg = g_variant_get_child_value (g_ptr_array_index (found, n), 1);
  g_autoptr(GVariant) value = g_variant_get_variant (arg);

  return g_variant_get_uint32 (value);
}

static gboolean
notification_has_action (DesktopFixture *f,
                         guint           n,
                         const char     *action)
{
  g_autoptr(GPtrArray) found = notifications (f);
  g_autoptr(GVariant) arg = g_variant_get_child_value (g_ptr_array_index (found, n), 5);
  g_autoptr(GVariant) actions = g_variant_get_variant (arg);
  g_autofree const char **keys = g_variant_get_strv (actions, NULL);

  /* Keys and labels alternate. */
  for (guint i = 0; keys[i] != NULL && keys[i + 1] != NULL; i += 2)
    if (g_str_equal (keys[i], action))
      return TRUE;
  return FALSE;
}

static char *
notification_hint (DesktopFixture *f,
                   guint           n,
                   const char     *hint)
{
  g_autoptr(GPtrArray) found = notifications (f);
  g_autoptr(GVariant) arg = g_variant_get_child_value (g_ptr_array_index (found, n), 6);
  g_autoptr(GVariant) hints = g_variant_get_variant (arg);
  const char *value = NULL;

  g_variant_lookup (hints, hint, "&s", &value);
  return g_strdup (value);
}

/* The server says the person clicked @action of notification @id (the template numbers
 * them from 1). */
static void
invoke_action (DesktopFixture *f,
               guint           id,
               const char      *action)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *args[] = { g_variant_new_variant (g_variant_new_uint32 (id)),
                       g_variant_new_variant (g_variant_new_string (action)) };

  reply = g_dbus_connection_call_sync (f->base.connection, NOTIFY_NAME, NOTIFY_PATH,
                                       "org.freedesktop.DBus.Mock", "EmitSignal",
                                       g_variant_new ("(sss@av)", "org.freedesktop.Notifications",
                                                      "ActionInvoked", "us",
                                                      g_variant_new_array (G_VARIANT_TYPE_VARIANT, args, 2)),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

/* ---- the launcher entry ------------------------------------------------------------- */

static void
on_launcher_update_cb (GDBusConnection *connection,
                       const char      *sender,
                       const char      *path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  DesktopFixture *f = user_data;
  const char *uri;
  GVariant *properties;

  g_variant_get (parameters, "(&s@a{sv})", &uri, &properties);
  g_assert_cmpstr (uri, ==, "application://io.github.haul.Haul.desktop");
  g_ptr_array_add (f->launcher_updates, properties);
}

static GVariant *
last_launcher_update (DesktopFixture *f)
{
  return f->launcher_updates->len > 0
           ? g_ptr_array_index (f->launcher_updates, f->launcher_updates->len - 1) : NULL;
}

static gboolean
launcher_shows (DesktopFixture *f,
                gint64          count)
{
  GVariant *last = last_launcher_update (f);
  gboolean visible = FALSE;
  gint64 n = -1;

  if (last == NULL)
    return FALSE;
  g_variant_lookup (last, "count-visible", "b", &visible);
  g_variant_lookup (last, "count", "x", &n);
  return count == 0 ? !visible : visible && n == count;
}

/* ---- fixture ------------------------------------------------------------------------ */

typedef enum
{
  WITH_WATCHER = 1 << 0,
  WITH_SERVER  = 1 << 1,
  SHORT_IDLE   = 1 << 2,   /* the service leaves 300 ms after its last reason to stay */
} Desktop;

static void
desktop_setup (DesktopFixture *f,
               gconstpointer   data)
{
  Desktop with = GPOINTER_TO_UINT (data);
  g_autoptr(GError) error = NULL;

  f->registrations = g_ptr_array_new_with_free_func (g_free);
  f->app_calls = g_ptr_array_new_with_free_func (g_free);
  f->launcher_updates = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  /* The key file of this test's directories, where the service looks (GIO's default
   * backend stays with the directories of the first test). */
  {
    g_autofree char *keyfile = g_build_filename (g_get_user_config_dir (), "glib-2.0", "settings",
                                                 "keyfile", NULL);
    g_autoptr(GSettingsBackend) backend = g_keyfile_settings_backend_new (keyfile, "/", NULL);

    f->settings = g_settings_new_with_backend (APP_ID, backend);
  }

  /* What a session has before the service starts. */
  f->app_connection = new_connection ();
  f->app = haul_fdo_application_skeleton_new ();
  g_signal_connect (f->app, "handle-activate", G_CALLBACK (on_activate_cb), f);
  g_signal_connect (f->app, "handle-activate-action", G_CALLBACK (on_activate_action_cb), f);
  g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (f->app), f->app_connection,
                                    "/io/github/haul/Haul", &error);
  g_assert_no_error (error);
  g_bus_own_name_on_connection (f->app_connection, APP_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
                                on_acquired_cb, NULL, &f->app_owned, NULL);
  WAIT_FOR ("the stand-in window", f->app_owned);
  f->file_manager = haul_fdo_file_manager1_skeleton_new ();
  g_signal_connect (f->file_manager, "handle-show-items", G_CALLBACK (on_show_items_cb), f);
  g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (f->file_manager), f->app_connection,
                                    "/org/freedesktop/FileManager1", &error);
  g_assert_no_error (error);
  g_bus_own_name_on_connection (f->app_connection, "org.freedesktop.FileManager1",
                                G_BUS_NAME_OWNER_FLAGS_NONE, on_acquired_cb, NULL,
                                &f->file_manager_owned, NULL);
  WAIT_FOR ("the stand-in file manager", f->file_manager_owned);
  if (with & WITH_WATCHER)
    watcher_start (f);
  if (with & WITH_SERVER)
    mock_start (f);

  fixture_setup (&f->base, (with & SHORT_IDLE) ? "300" : NULL);
  f->launcher_subscription =
    g_dbus_connection_signal_subscribe (f->base.connection, NULL, "com.canonical.Unity.LauncherEntry",
                                        "Update", NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_launcher_update_cb, f, NULL);
  haul_manager1_set_max_concurrent (f->base.manager, 20);
  WAIT_FOR ("MaxConcurrent", haul_manager1_get_max_concurrent (f->base.manager) == 20);
}

static void
desktop_teardown (DesktopFixture *f,
                  gconstpointer   data)
{
  g_dbus_connection_signal_unsubscribe (f->base.connection, f->launcher_subscription);
  fixture_teardown (&f->base, NULL);
  watcher_stop (f);
  if (f->mock != NULL)
    {
      g_subprocess_send_signal (f->mock, SIGTERM);
      g_subprocess_wait (f->mock, NULL, NULL);
      g_clear_object (&f->mock);
    }
  g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (f->app));
  g_clear_object (&f->app);
  g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (f->file_manager));
  g_clear_object (&f->file_manager);
  g_dbus_connection_close_sync (f->app_connection, NULL, NULL);
  g_clear_object (&f->app_connection);
  g_clear_object (&f->settings);
  g_ptr_array_unref (f->registrations);
  g_ptr_array_unref (f->app_calls);
  g_ptr_array_unref (f->launcher_updates);
}

/* ---- tests -------------------------------------------------------------------------- */

static void
test_status_icon (DesktopFixture *f,
                  gconstpointer   data)
{
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autoptr(GVariant) id = NULL;
  g_autoptr(GVariant) pixmaps = NULL;
  g_autoptr(GVariant) menu = NULL;
  g_autoptr(GVariant) is_menu = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *call = NULL;
  gboolean enabled;

  /* It registers by object path, from a connection of its own. */
  WAIT_FOR ("the registration", f->registrations->len == 1);
  g_assert_cmpstr (item_owner (f), !=, g_dbus_connection_get_unique_name (f->base.connection));
  id = item_get (f, "Id");
  g_assert_cmpstr (g_variant_get_string (id, NULL), ==, "io.github.haul.Haul");
  menu = item_get (f, "Menu");
  g_assert_cmpstr (g_variant_get_string (menu, NULL), ==, MENU_PATH);
  is_menu = item_get (f, "ItemIsMenu");
  g_assert_false (g_variant_get_boolean (is_menu));
  pixmaps = item_get (f, "IconPixmap");
  g_assert_cmpuint (g_variant_n_children (pixmaps), ==, 3);
  g_assert_true (item_status_is (f, "Passive"));

  /* Something runs: Active, the tooltip and the menu say how far it is. */
  transfer = add (&f->base, "/tray_file.bin?size=4194304&drip=262144", options_in_dir (&f->base, NULL, NULL));
  WAIT_FOR ("Active", item_status_is (f, "Active"));
  WAIT_FOR ("the running transfer in the menu", menu_find (f, "tray__file.bin — ", NULL) >= 0);
  tooltip = item_tooltip (f);
  g_assert_true (g_str_has_prefix (tooltip, "1 download — "));
  g_assert_nonnull (strstr (tooltip, "%"));

  /* Pause All pauses; Resume All resumes. */
  menu_click (f, menu_find (f, "Pause All", &enabled));
  g_assert_true (enabled);
  WAIT_FOR ("paused", state_is (transfer, "paused"));
  WAIT_FOR ("Passive again", item_status_is (f, "Passive"));
  WAIT_FOR ("Resume All enabled", (menu_find (f, "Resume All", &enabled), enabled));
  {
    /* As hosts do it: several events at once; an unknown item is reported, not fatal. */
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GVariant) errors = NULL;
    g_autoptr(GError) error = NULL;
    GVariantBuilder events;

    g_variant_builder_init (&events, G_VARIANT_TYPE ("a(isvu)"));
    g_variant_builder_add (&events, "(isvu)", menu_find (f, "Resume All", NULL), "clicked",
                           g_variant_new_int32 (0), 0);
    g_variant_builder_add (&events, "(isvu)", 424242, "clicked", g_variant_new_int32 (0), 0);
    reply = item_call (f, MENU_PATH, "com.canonical.dbusmenu", "EventGroup",
                       g_variant_new ("(a(isvu))", &events), &error);
    g_assert_no_error (error);
    g_variant_get (reply, "(@ai)", &errors);
    g_assert_cmpuint (g_variant_n_children (errors), ==, 1);
  }
  WAIT_FOR ("running again", state_is (transfer, "running"));

  /* The rest of what hosts ask of a menu. */
  {
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GError) error = NULL;
    const char *names[] = { "label", NULL };
    gint32 show = menu_find (f, "Show Haul", NULL);
    const char *label = NULL;
    gboolean update = TRUE;
    gint32 item = -1;

    reply = item_call (f, MENU_PATH, "com.canonical.dbusmenu", "GetGroupProperties",
                       g_variant_new ("(@ai^as)", g_variant_new_fixed_array (G_VARIANT_TYPE_INT32, &show, 1,
                                                                             sizeof (gint32)),
                                      names), &error);
    g_assert_no_error (error);
    {
      g_autoptr(GVariant) entries = g_variant_get_child_value (reply, 0);
      g_autoptr(GVariant) properties = NULL;

      g_assert_cmpuint (g_variant_n_children (entries), ==, 1);
      g_variant_get_child (entries, 0, "(i@a{sv})", &item, &properties);
      g_assert_cmpint (item, ==, show);
      g_assert_true (g_variant_lookup (properties, "label", "&s", &label));
      g_assert_cmpstr (label, ==, "Show Haul");
      g_assert_false (g_variant_lookup (properties, "enabled", "b", NULL));
    }
    g_clear_pointer (&reply, g_variant_unref);
    reply = item_call (f, MENU_PATH, "com.canonical.dbusmenu", "AboutToShow", g_variant_new ("(i)", 0), &error);
    g_assert_no_error (error);
    g_variant_get (reply, "(b)", &update);
    g_assert_false (update);
  }

  /* A transfer in the menu shows it in the window; Show Haul and a click show the window. */
  WAIT_FOR ("the transfer back in the menu", menu_find (f, "tray__file.bin — ", NULL) >= 0);
  menu_click (f, menu_find (f, "tray__file.bin — ", NULL));
  call = g_strdup_printf ("show-transfer %u", haul_transfer1_get_id (transfer));
  WAIT_FOR ("show-transfer", app_called (f, call));
  menu_click (f, menu_find (f, "Show Haul", NULL));
  WAIT_FOR ("the window", app_called (f, "activate"));
  g_ptr_array_set_size (f->app_calls, 0);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = item_call (f, ITEM_PATH, "org.kde.StatusNotifierItem", "Activate",
                                           g_variant_new ("(ii)", 0, 0), &error);

    g_assert_no_error (error);
  }
  WAIT_FOR ("the window on a click", app_called (f, "activate"));

  /* The menu refuses what it does not have. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = item_call (f, MENU_PATH, "com.canonical.dbusmenu", "Event",
                                           g_variant_new ("(isvu)", 424242, "clicked",
                                                          g_variant_new_int32 (0), 0), &error);

    g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  }
}

static void
test_quit (DesktopFixture *f,
           gconstpointer   data)
{
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autofree char *record = NULL;

  WAIT_FOR ("the registration", f->registrations->len == 1);
  transfer = add (&f->base, "/quit.bin?size=4194304&drip=262144", options_in_dir (&f->base, NULL, NULL));
  WAIT_FOR ("some data", received_of (&f->base, 1) > 64 * KiB);

  /* Quit pauses everything, saved, and the service leaves. */
  menu_click (f, menu_find (f, "Quit", NULL));
  WAIT_FOR ("the daemon to exit", !name_has_owner (&f->base));
  reactivate (&f->base);
  g_clear_object (&transfer);
  transfer = transfer_proxy (&f->base, 1);
  g_assert_true (state_is (transfer, "paused"));
  g_assert_cmpuint (haul_transfer1_get_bytes_received (transfer), >, 0);
}

static void
test_watcher_restart (DesktopFixture *f,
                      gconstpointer   data)
{
  WAIT_FOR ("the registration", f->registrations->len == 1);

  /* The shell reloads: its new watcher hears from the item again. */
  watcher_stop (f);
  haul_test_iterate_for (200);
  watcher_start (f);
  WAIT_FOR ("the second registration", f->registrations->len == 2);
  g_assert_cmpstr (g_ptr_array_index (f->registrations, 0), ==, g_ptr_array_index (f->registrations, 1));
}

static void
test_status_icon_setting (DesktopFixture *f,
                          gconstpointer   data)
{
  g_autofree char *first = NULL;

  WAIT_FOR ("the registration", f->registrations->len == 1);
  first = g_strdup (item_owner (f));

  /* Off: the item's connection leaves the bus, which is how every watcher drops it. */
  g_settings_set_boolean (f->settings, "show-status-icon", FALSE);
  g_settings_sync ();
  WAIT_FOR ("the item to go", !owned (f->base.connection, first));

  /* On: a new item registers. */
  g_settings_set_boolean (f->settings, "show-status-icon", TRUE);
  g_settings_sync ();
  WAIT_FOR ("the item again", f->registrations->len == 2);
  g_assert_cmpstr (item_owner (f), !=, first);
  g_assert_true (owned (f->base.connection, item_owner (f)));
}

static void
test_notify_completed (DesktopFixture *f,
                       gconstpointer   data)
{
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *body = NULL;
  g_autofree char *entry = NULL;
  g_autofree char *call = NULL;

  transfer = add (&f->base, "/news.bin", options_in_dir (&f->base, NULL, NULL));
  WAIT_FOR ("completed", state_is (transfer, "completed"));
  WAIT_FOR ("a notification", n_notifications (f) == 1);
  summary = notification_string (f, 0, 3);
  body = notification_string (f, 0, 4);
  entry = notification_hint (f, 0, "desktop-entry");
  g_assert_cmpstr (summary, ==, "Download complete");
  g_assert_cmpstr (body, ==, "news.bin");
  g_assert_cmpstr (entry, ==, "io.github.haul.Haul");
  g_assert_true (notification_has_action (f, 0, "default"));
  g_assert_true (notification_has_action (f, 0, "open"));
  g_assert_true (notification_has_action (f, 0, "show-in-folder"));
  g_assert_false (notification_has_action (f, 0, "retry"));

  /* Show in Folder asks the file manager to show the file. */
  invoke_action (f, 1, "show-in-folder");
  {
    g_autofree char *path = g_build_filename (f->base.dir, "news.bin", NULL);
    g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
    g_autofree char *shown = g_strdup_printf ("show-items %s", uri);

    WAIT_FOR ("ShowItems", app_called (f, shown));
  }

  /* Its default action shows the transfer in the window. */
  invoke_action (f, 1, "default");
  call = g_strdup_printf ("show-transfer %u", haul_transfer1_get_id (transfer));
  WAIT_FOR ("show-transfer", app_called (f, call));

  /* The service stays while it can be acted on, past its idle timeout of 300 ms... */
  haul_test_iterate_for (1500);
  g_assert_true (name_has_owner (&f->base));

  /* ...and leaves once the server says it was closed. */
  {
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GError) error = NULL;

    reply = g_dbus_connection_call_sync (f->base.connection, NOTIFY_NAME, NOTIFY_PATH, NOTIFY_NAME,
                                         "CloseNotification", g_variant_new ("(i)", 1), NULL,
                                         G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error (error);
  }
  WAIT_FOR ("the idle exit", !name_has_owner (&f->base));
}

static void
test_notify_failed (DesktopFixture *f,
                    gconstpointer   data)
{
  g_autoptr(HaulTransfer1) once = NULL;
  g_autoptr(HaulTransfer1) expired = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *call = NULL;

  /* A failure offers Retry, which retries it. */
  once = add (&f->base, "/flaky.bin?status=404&times=1", options_in_dir (&f->base, NULL, NULL));
  WAIT_FOR ("failed", state_is (once, "failed"));
  WAIT_FOR ("a notification", n_notifications (f) == 1);
  summary = notification_string (f, 0, 3);
  g_assert_cmpstr (summary, ==, "Download failed");
  g_assert_true (notification_has_action (f, 0, "retry"));
  g_assert_false (notification_has_action (f, 0, "change-link"));
  invoke_action (f, 1, "retry");
  WAIT_FOR ("the retry to complete", state_is (once, "completed"));

  /* An expired link also offers Change Link…, which asks the window for a new one. */
  expired = add (&f->base, "/expired.bin?status=403&times=100", options_in_dir (&f->base, NULL, NULL));
  WAIT_FOR ("failed", state_is (expired, "failed"));
  g_assert_cmpstr (haul_transfer1_get_error_kind (expired), ==, "link-expired");
  WAIT_FOR ("three notifications", n_notifications (f) == 3);
  /* It takes the place of the first failure's, still on screen, without the download
   * that was retried since: a notification of its own, with its own actions. */
  g_assert_cmpuint (notification_replaces (f, 2), ==, 1);
  g_clear_pointer (&summary, g_free);
  summary = notification_string (f, 2, 3);
  g_assert_cmpstr (summary, ==, "Download failed");
  g_assert_true (notification_has_action (f, 2, "change-link"));
  invoke_action (f, 1, "change-link");
  call = g_strdup_printf ("change-link %u", haul_transfer1_get_id (expired));
  WAIT_FOR ("change-link", app_called (f, call));
}

static void
test_notify_summary (DesktopFixture *f,
                     gconstpointer   data)
{
  g_autoptr(GPtrArray) transfers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  Census census = { 0 };
  g_autoptr(GDBusObjectManager) objects = follow_states (&f->base, &census);
  guint last;

  /* Twenty, paused, then all resumed at once: they finish together. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *path = g_strdup_printf ("/many%u.bin?size=4096", i);

      g_ptr_array_add (transfers, add (&f->base, path,
                                       options_in_dir (&f->base, "paused", g_variant_new_boolean (TRUE))));
    }
  haul_manager1_call_resume_all_sync (f->base.manager, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("all completed", census.completed == 20);
  WAIT_FOR ("a notification", n_notifications (f) >= 1);
  haul_test_iterate_for (1500);

  /* One on screen: the first, or one that took its place (on a loaded machine they may
   * not all finish within a second of each other), counting them all. */
  last = n_notifications (f) - 1;
  g_assert_cmpuint (notification_replaces (f, 0), ==, 0);
  for (guint i = 1; i <= last; i++)
    g_assert_cmpuint (notification_replaces (f, i), ==, 1);
  summary = notification_string (f, last, 3);
  g_assert_cmpstr (summary, ==, "20 downloads completed");

  /* One more, soon after, joins them. */
  g_ptr_array_add (transfers, add (&f->base, "/one-more.bin", options_in_dir (&f->base, NULL, NULL)));
  WAIT_FOR ("the 21st", census.completed == 21);
  WAIT_FOR ("its notification", n_notifications (f) == last + 2);
  g_assert_cmpuint (notification_replaces (f, last + 1), ==, 1);
  g_clear_pointer (&summary, g_free);
  summary = notification_string (f, last + 1, 3);
  g_assert_cmpstr (summary, ==, "21 downloads completed");

  invoke_action (f, 1, "default");
  WAIT_FOR ("the window", app_called (f, "activate"));
}

/* A download removed before its notification was due (within the second of gathering)
 * is not announced, and the next one is, as usual. The removal follows the completion
 * by a few D-Bus round trips; a machine too loaded to make them within the second
 * would show the notification and fail the case, never pass it wrongly. */
static void
test_notify_removed (DesktopFixture *f,
                     gconstpointer   data)
{
  g_autoptr(HaulTransfer1) gone = NULL;
  g_autoptr(HaulTransfer1) kept = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;

  gone = add (&f->base, "/gone.bin", options_in_dir (&f->base, NULL, NULL));
  WAIT_FOR ("completed", state_is (gone, "completed"));
  haul_transfer1_call_remove_sync (gone, FALSE, NULL, &error);
  g_assert_no_error (error);
  haul_test_iterate_for (1500);
  g_assert_cmpuint (n_notifications (f), ==, 0);

  kept = add (&f->base, "/kept.bin", options_in_dir (&f->base, NULL, NULL));
  WAIT_FOR ("completed", state_is (kept, "completed"));
  WAIT_FOR ("a notification", n_notifications (f) == 1);
  body = notification_string (f, 0, 4);
  g_assert_cmpstr (body, ==, "kept.bin");
}

static void
test_notify_setting (DesktopFixture *f,
                     gconstpointer   data)
{
  g_autoptr(HaulTransfer1) quiet = NULL;
  g_autoptr(HaulTransfer1) loud = NULL;

  g_settings_set_boolean (f->settings, "notify", FALSE);
  g_settings_sync ();
  haul_test_iterate_for (300);
  quiet = add (&f->base, "/quiet.bin", options_in_dir (&f->base, NULL, NULL));
  WAIT_FOR ("completed", state_is (quiet, "completed"));
  haul_test_iterate_for (1500);
  g_assert_cmpuint (n_notifications (f), ==, 0);

  g_settings_set_boolean (f->settings, "notify", TRUE);
  g_settings_sync ();
  haul_test_iterate_for (300);
  loud = add (&f->base, "/loud.bin", options_in_dir (&f->base, NULL, NULL));
  WAIT_FOR ("completed", state_is (loud, "completed"));
  WAIT_FOR ("a notification", n_notifications (f) == 1);
}

static void
test_launcher_entry (DesktopFixture *f,
                     gconstpointer   data)
{
  g_autoptr(HaulTransfer1) transfer = NULL;
  double progress = -1;
  gboolean visible = FALSE;

  transfer = add (&f->base, "/dock.bin?size=2097152&drip=524288", options_in_dir (&f->base, NULL, NULL));
  WAIT_FOR ("the count on the launcher", launcher_shows (f, 1));
  WAIT_FOR ("some progress", (g_variant_lookup (last_launcher_update (f), "progress", "d", &progress),
                              progress > 0));
  g_assert_cmpfloat (progress, <=, 1.0);
  g_assert_true (g_variant_lookup (last_launcher_update (f), "progress-visible", "b", &visible));
  g_assert_true (visible);
  WAIT_FOR ("completed", state_is (transfer, "completed"));
  WAIT_FOR ("the launcher cleared", launcher_shows (f, 0));
}

/* Without a watcher or a notification server (stock GNOME has no watcher), the service
 * works as ever and says so once. Started here rather than by activation, to read what it
 * logs. */
static void
test_nothing_there (void)
{
  Fixture fixture = { 0 };
  Fixture *f = &fixture;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(HaulTransfer1) first = NULL;
  g_autoptr(HaulTransfer1) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  EnvVar env[10];
  guint n, said = 0;

  f->server = haul_test_server_new (FALSE);
  f->dir = haul_test_make_tempdir ("nothing-there");
  f->received = g_hash_table_new (NULL, NULL);
  f->conditions = g_build_filename (g_get_user_runtime_dir (), "haul-test-conditions", NULL);
  f->connection = new_connection ();
  n = session_environment (f, "30000", env);
  for (guint i = 0; i < n; i++)
    g_subprocess_launcher_setenv (launcher, env[i].name, env[i].value, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  daemon = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("HAUL_DAEMON"), NULL);
  g_assert_no_error (error);
  WAIT_FOR ("the service", name_has_owner (f));
  connect_manager (f);

  /* Two downloads, finishing apart: two notifications that no server takes. */
  first = add (f, "/alone-1.bin", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the first", state_is (first, "completed"));
  haul_test_iterate_for (1500);
  second = add (f, "/alone-2.bin", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the second", state_is (second, "completed"));
  haul_test_iterate_for (1500);
  g_assert_true (name_has_owner (f));

  haul_manager1_call_quit_sync (f->manager, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (daemon, NULL, NULL, NULL, &log, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (daemon));
  g_assert_cmpint (g_subprocess_get_exit_status (daemon), ==, 0);
  for (const char *p = log; (p = strstr (p, "Notifications cannot be shown")) != NULL; p++)
    said++;
  g_assert_cmpuint (said, ==, 1);
  g_assert_null (strstr (log, "status icon"));

  g_clear_object (&f->manager);
  g_dbus_connection_close_sync (f->connection, NULL, NULL);
  g_clear_object (&f->connection);
  haul_test_server_free (f->server);
  g_free (f->dir);
  g_free (f->conditions);
  g_hash_table_unref (f->received);
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

#define ADD(path, with, test) \
  g_test_add (path, DesktopFixture, GUINT_TO_POINTER (with), desktop_setup, test, desktop_teardown)
  ADD ("/desktop/status-icon", WITH_WATCHER, test_status_icon);
  ADD ("/desktop/quit", WITH_WATCHER, test_quit);
  ADD ("/desktop/watcher-restart", WITH_WATCHER, test_watcher_restart);
  ADD ("/desktop/status-icon-setting", WITH_WATCHER, test_status_icon_setting);
  ADD ("/desktop/notify-completed", WITH_SERVER | SHORT_IDLE, test_notify_completed);
  ADD ("/desktop/notify-failed", WITH_SERVER, test_notify_failed);
  ADD ("/desktop/notify-summary", WITH_SERVER, test_notify_summary);
  ADD ("/desktop/notify-setting", WITH_SERVER, test_notify_setting);
  ADD ("/desktop/notify-removed", WITH_SERVER, test_notify_removed);
  ADD ("/desktop/launcher-entry", 0, test_launcher_entry);
#undef ADD
  g_test_add_func ("/desktop/nothing-there", test_nothing_there);

  return g_test_run ();
}
