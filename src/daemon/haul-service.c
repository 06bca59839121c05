/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-service"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "haul-bus.h"
#include "haul-launcher-entry.h"
#include "haul-manager.h"
#include "haul-notifier.h"
#include "haul-service.h"
#include "haul-status-icon.h"

#define IDLE_TIMEOUT_MS (30 * 1000)

/* haul-daemon: a GApplication service that owns io.github.haul.Daemon and every transfer.
 * It holds the layers together, each knowing only the one below it:
 *
 *   service (this file: the GApplication, its lifetime, signals of the system)
 *     → bus (haul-bus*.c: the D-Bus API over the manager)
 *     → manager (haul-manager.c: the list of transfers, their records, the scheduler)
 *       → transfer (haul-transfer*.c: one transfer, its record, its run)
 *         → engine (src/engine)
 *
 * Whatever else shows the transfers plugs in here as the bus does: it is made with the
 * manager, listens to its signals (transfer-added, -removed, -changed, -finished,
 * progress) and properties, and calls it; nothing in the manager knows it. So do the
 * status icon (haul-status-icon.c, haul-status-menu.c), the notifier (haul-notifier.c)
 * and the launcher entry (haul-launcher-entry.c). */
struct _HaulService
{
  GApplication     parent_instance;

  HaulManager     *manager;
  HaulBus         *bus;
  HaulStatusIcon  *status_icon;
  HaulNotifier    *notifier;
  HaulLauncherEntry *launcher_entry;
  GDBusConnection *connection;
  guint            filter_id;
  int              activity_pending;  /* atomic: an idle to note a call is on its way */
  guint            signal_sources[3];
  gboolean         autostart;
  gboolean         held;              /* while transfers are active */
  gboolean         quitting;
};

G_DEFINE_FINAL_TYPE (HaulService, haul_service, G_TYPE_APPLICATION)

static void
shutdown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(HaulService) self = user_data;

  haul_manager_shutdown_finish (HAUL_MANAGER (object), result, NULL);
  g_application_quit (G_APPLICATION (self));
  g_application_release (G_APPLICATION (self));
}

/* Stops every transfer with its resume data saved, then exits once every record is on
 * disk; the service is held until then. */
static void
quit (HaulService *self)
{
  if (self->quitting)
    return;
  self->quitting = TRUE;
  if (self->manager == NULL)
    {
      g_application_quit (G_APPLICATION (self));
      return;
    }
  g_application_hold (G_APPLICATION (self));
  haul_manager_shutdown_async (self->manager, NULL, shutdown_cb, g_object_ref (self));
}

/* Quit in the status icon's menu: the person stops the downloads, they stay paused. */
static void
pause_and_quit (HaulService *self)
{
  haul_manager_pause_all (self->manager);
  quit (self);
}

static gboolean
on_signal_cb (gpointer user_data)
{
  /* Save resume data and exit cleanly, so that nothing is lost and ASan can report. */
  g_debug ("Quitting on a signal");
  quit (user_data);
  return G_SOURCE_CONTINUE;
}

/* The service stays while anything is queued, waiting or running, and while one of its
 * notifications can still be acted on. */
static void
on_active_count_cb (HaulService *self)
{
  gboolean active = haul_manager_get_active_count (self->manager) > 0 ||
                    (self->notifier != NULL && haul_notifier_get_busy (self->notifier));

  if (active && !self->held)
    g_application_hold (G_APPLICATION (self));
  else if (!active && self->held)
    g_application_release (G_APPLICATION (self));
  self->held = active;
}

/* A client called: the idle timeout starts again. On the main thread only: GApplication's
 * use count is not thread-safe, and its main loop ends the moment it sees the count at
 * zero with no timeout pending. */
static gboolean
note_activity_cb (gpointer user_data)
{
  HaulService *self = user_data;

  g_atomic_int_set (&self->activity_pending, 0);
  g_application_hold (G_APPLICATION (self));
  g_application_release (G_APPLICATION (self));
  return G_SOURCE_REMOVE;
}

/* Every call counts as activity, whatever object it is for: a window that only lists the
 * transfers (GetManagedObjects) and reads their properties uses the service as much as
 * one that adds. This runs in GDBus's worker thread, so it only hands the news on. */
static GDBusMessage *
on_message_cb (GDBusConnection *connection,
               GDBusMessage    *message,
               gboolean         incoming,
               gpointer         user_data)
{
  HaulService *self = user_data;

  if (incoming && g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
      g_atomic_int_compare_and_exchange (&self->activity_pending, 0, 1))
    g_idle_add_full (G_PRIORITY_HIGH, note_activity_cb, g_object_ref (self), g_object_unref);
  return message;
}

static gboolean
haul_service_dbus_register (GApplication     *app,
                            GDBusConnection  *connection,
                            const char       *object_path,
                            GError          **error)
{
  HaulService *self = HAUL_SERVICE (app);

  if (!G_APPLICATION_CLASS (haul_service_parent_class)->dbus_register (app, connection,
                                                                      object_path, error))
    return FALSE;

  self->connection = g_object_ref (connection);
  self->filter_id = g_dbus_connection_add_filter (connection, on_message_cb, self, NULL);

  /* The records are read before the name is owned (this runs before), so that the first
   * client sees every transfer. */
  {
    g_autofree char *records = g_build_filename (g_get_user_state_dir (), "haul", "transfers",
                                                 NULL);

    self->manager = haul_manager_new (records);
  }
  g_signal_connect_swapped (self->manager, "notify::active-count",
                            G_CALLBACK (on_active_count_cb), self);
  haul_manager_load (self->manager);
  on_active_count_cb (self);
  self->bus = haul_bus_new (self->manager, app);
  g_signal_connect_swapped (self->bus, "quit-requested", G_CALLBACK (quit), self);
  if (!haul_bus_export (self->bus, connection, error))
    return FALSE;

  self->notifier = haul_notifier_new (self->manager, connection);
  g_signal_connect_swapped (self->notifier, "notify::busy", G_CALLBACK (on_active_count_cb), self);
  self->status_icon = haul_status_icon_new (self->manager, connection);
  g_signal_connect_swapped (self->status_icon, "quit-requested", G_CALLBACK (pause_and_quit), self);
  self->launcher_entry = haul_launcher_entry_new (self->manager, connection);

  /* Started at login with nothing to continue: leave at once rather than idle. */
  if (self->autostart && haul_manager_get_active_count (self->manager) == 0)
    {
      g_debug ("Autostart: nothing unfinished");
      g_application_set_inactivity_timeout (app, 0);
    }
  return TRUE;
}

static int
haul_service_handle_local_options (GApplication *app,
                                   GVariantDict *options)
{
  HaulService *self = HAUL_SERVICE (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("haul-daemon %s\n", PACKAGE_VERSION);
      return 0;
    }
  self->autostart = g_variant_dict_contains (options, "autostart");
  return -1;
}

static void
haul_service_dbus_unregister (GApplication    *app,
                              GDBusConnection *connection,
                              const char      *object_path)
{
  HaulService *self = HAUL_SERVICE (app);

  if (self->bus != NULL)
    haul_bus_unexport (self->bus);
  if (self->filter_id != 0)
    g_dbus_connection_remove_filter (self->connection, self->filter_id);
  self->filter_id = 0;
  g_clear_object (&self->connection);

  G_APPLICATION_CLASS (haul_service_parent_class)->dbus_unregister (app, connection, object_path);
}

static void
haul_service_startup (GApplication *app)
{
  HaulService *self = HAUL_SERVICE (app);
  const int signals[] = { SIGTERM, SIGINT, SIGHUP };

  G_APPLICATION_CLASS (haul_service_parent_class)->startup (app);

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    self->signal_sources[i] = g_unix_signal_add (signals[i], on_signal_cb, self);
}

static void
haul_service_shutdown (GApplication *app)
{
  HaulService *self = HAUL_SERVICE (app);

  for (guint i = 0; i < G_N_ELEMENTS (self->signal_sources); i++)
    g_clear_handle_id (&self->signal_sources[i], g_source_remove);
  g_clear_object (&self->bus);
  g_clear_object (&self->status_icon);
  g_clear_object (&self->launcher_entry);
  if (self->notifier != NULL)
    g_signal_handlers_disconnect_by_data (self->notifier, self);
  g_clear_object (&self->notifier);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  if (self->held)
    g_application_release (app);
  self->held = FALSE;
  g_clear_object (&self->manager);

  G_APPLICATION_CLASS (haul_service_parent_class)->shutdown (app);
}

static void
haul_service_class_init (HaulServiceClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->handle_local_options = haul_service_handle_local_options;
  app_class->dbus_register = haul_service_dbus_register;
  app_class->dbus_unregister = haul_service_dbus_unregister;
  app_class->startup = haul_service_startup;
  app_class->shutdown = haul_service_shutdown;
}

static void
haul_service_init (HaulService *self)
{
  const GOptionEntry entries[] = {
    { "autostart", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Started at login: continue unfinished transfers, or exit at once if there are none"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

HaulService *
haul_service_new (void)
{
  HaulService *self = g_object_new (HAUL_TYPE_SERVICE,
                                    "application-id", "io.github.haul.Daemon",
                                    "flags", G_APPLICATION_IS_SERVICE,
                                    NULL);
  const char *timeout = g_getenv ("HAUL_IDLE_TIMEOUT_MS");

  /* The tests shorten the idle timeout to see the service exit. */
  g_application_set_inactivity_timeout (G_APPLICATION (self),
                                        timeout != NULL ? (guint) g_ascii_strtoull (timeout, NULL, 10)
                                                        : IDLE_TIMEOUT_MS);
  return self;
}
