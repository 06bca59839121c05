/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-conditions"

#include "config.h"

#include "haul-conditions.h"

/* What the system says about the moment: is there a network, is it metered, is power
 * saver on. The daemon's scheduler reads it and listens to ::changed.
 *
 * The figures come from GNetworkMonitor and GPowerProfileMonitor. The tests cannot switch
 * the machine's network off, so when HAUL_TEST_CONDITIONS names a key file, the figures
 * come from its [conditions] group instead (keys online, metered, power-saver), read again
 * whenever the file changes. */
struct _HaulConditions
{
  GObject               parent_instance;

  GNetworkMonitor      *network;
  GPowerProfileMonitor *power;

  GFile                *test_file;
  GFileMonitor         *test_monitor;
  GCancellable         *cancellable;

  gboolean              online;
  gboolean              metered;
  gboolean              power_saver;
};

G_DEFINE_FINAL_TYPE (HaulConditions, haul_conditions, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_figures (HaulConditions *self,
             gboolean        online,
             gboolean        metered,
             gboolean        power_saver)
{
  if (self->online == online && self->metered == metered && self->power_saver == power_saver)
    return;
  g_debug ("Conditions: %s, %s, power saver %s", online ? "online" : "offline",
           metered ? "metered" : "unmetered", power_saver ? "on" : "off");
  self->online = online;
  self->metered = metered;
  self->power_saver = power_saver;
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
read_monitors (HaulConditions *self)
{
  set_figures (self,
               g_network_monitor_get_network_available (self->network),
               g_network_monitor_get_network_metered (self->network),
               self->power != NULL && g_power_profile_monitor_get_power_saver_enabled (self->power));
}

static gboolean
key_or (GKeyFile   *keys,
        const char *name,
        gboolean    fallback)
{
  g_autoptr(GError) error = NULL;
  gboolean value = g_key_file_get_boolean (keys, "conditions", name, &error);

  return error != NULL ? fallback : value;
}

static void
test_file_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  HaulConditions *self;
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, &length, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No test conditions: %s", error->message);
      return;
    }
  self = user_data;
  if (!g_key_file_load_from_data (keys, contents, length, G_KEY_FILE_NONE, &error))
    {
      g_warning ("Bad test conditions: %s", error->message);
      return;
    }
  set_figures (self, key_or (keys, "online", TRUE), key_or (keys, "metered", FALSE),
               key_or (keys, "power-saver", FALSE));
}

static void
read_test_file (HaulConditions *self)
{
  g_file_load_contents_async (self->test_file, self->cancellable, test_file_loaded_cb, self);
}

static void
on_test_file_changed_cb (GFileMonitor      *monitor,
                         GFile             *file,
                         GFile             *other,
                         GFileMonitorEvent  event,
                         HaulConditions    *self)
{
  if (event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT || event == G_FILE_MONITOR_EVENT_CREATED ||
      event == G_FILE_MONITOR_EVENT_MOVED_IN || event == G_FILE_MONITOR_EVENT_RENAMED)
    read_test_file (self);
}

gboolean
haul_conditions_get_online (HaulConditions *self)
{
  g_return_val_if_fail (HAUL_IS_CONDITIONS (self), TRUE);
  return self->online;
}

gboolean
haul_conditions_get_metered (HaulConditions *self)
{
  g_return_val_if_fail (HAUL_IS_CONDITIONS (self), FALSE);
  return self->metered;
}

gboolean
haul_conditions_get_power_saver (HaulConditions *self)
{
  g_return_val_if_fail (HAUL_IS_CONDITIONS (self), FALSE);
  return self->power_saver;
}

static void
haul_conditions_dispose (GObject *object)
{
  HaulConditions *self = HAUL_CONDITIONS (object);

  g_cancellable_cancel (self->cancellable);
  if (self->network != NULL)
    g_signal_handlers_disconnect_by_data (self->network, self);
  if (self->power != NULL)
    g_signal_handlers_disconnect_by_data (self->power, self);
  g_clear_object (&self->network);
  g_clear_object (&self->power);
  g_clear_object (&self->test_monitor);
  g_clear_object (&self->test_file);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (haul_conditions_parent_class)->dispose (object);
}

static void
haul_conditions_class_init (HaulConditionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haul_conditions_dispose;

  /**
   * HaulConditions::changed:
   *
   * Emitted when the network came or went, became metered or not, or power saver was
   * switched.
   */
  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
haul_conditions_init (HaulConditions *self)
{
  self->online = TRUE;
  self->cancellable = g_cancellable_new ();
}

HaulConditions *
haul_conditions_new (void)
{
  HaulConditions *self = g_object_new (HAUL_TYPE_CONDITIONS, NULL);
  const char *test_path = g_getenv ("HAUL_TEST_CONDITIONS");

  if (test_path != NULL && *test_path != '\0')
    {
      g_autoptr(GError) error = NULL;

      self->test_file = g_file_new_for_path (test_path);
      self->test_monitor = g_file_monitor_file (self->test_file, G_FILE_MONITOR_WATCH_MOVES,
                                                self->cancellable, &error);
      if (self->test_monitor == NULL)
        g_warning ("Cannot watch %s: %s", test_path, error->message);
      else
        g_signal_connect (self->test_monitor, "changed", G_CALLBACK (on_test_file_changed_cb), self);
      read_test_file (self);
      return self;
    }

  self->network = g_object_ref (g_network_monitor_get_default ());
  self->power = g_power_profile_monitor_dup_default ();
  g_signal_connect_swapped (self->network, "notify::network-available",
                            G_CALLBACK (read_monitors), self);
  g_signal_connect_swapped (self->network, "notify::network-metered",
                            G_CALLBACK (read_monitors), self);
  if (self->power != NULL)
    g_signal_connect_swapped (self->power, "notify::power-saver-enabled",
                              G_CALLBACK (read_monitors), self);
  self->online = g_network_monitor_get_network_available (self->network);
  self->metered = g_network_monitor_get_network_metered (self->network);
  self->power_saver = self->power != NULL &&
                      g_power_profile_monitor_get_power_saver_enabled (self->power);
  return self;
}
