/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-conditions"

#include "config.h"

#include <string.h>

#include "haul-conditions.h"

/* What the system says about the moment: can a transfer's host be reached, is the
 * network metered, is power saver on. The daemon's scheduler reads it and listens to
 * ::changed.
 *
 * The figures come from GNetworkMonitor and GPowerProfileMonitor. "Offline" is asked per
 * host (g_network_monitor_can_reach_async(), again after each network-changed), never
 * read from the monitor's "network-available", which only says whether there is a
 * default route: false on a LAN-only machine, and for a download from localhost. The
 * answers are kept per host and port.
 *
 * The tests cannot switch the machine's network off, so when HAUL_TEST_CONDITIONS names
 * a key file, the figures come from its [conditions] group instead (keys online,
 * metered, power-saver; online false means no host can be reached), read again whenever
 * the file changes. */
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

  GHashTable           *hosts;    /* "host:port" → Reach */
  guint                 generation;
};

typedef struct
{
  HaulReachability  reach;
  gboolean          checking;
  guint             generation;  /* of the network when last asked */
} Reach;

typedef struct
{
  HaulConditions *self;
  char           *key;
  guint           generation;
} ReachCheck;

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
  set_figures (self, TRUE, g_network_monitor_get_network_metered (self->network),
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

static void check_host (HaulConditions *self,
                        const char     *key,
                        Reach          *reach);

static void
can_reach_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReachCheck *check = user_data;
  HaulConditions *self = check->self;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_network_monitor_can_reach_finish (G_NETWORK_MONITOR (object), result, &error);
  HaulReachability was;
  Reach *reach;

  /* Cancelled: the conditions are gone, and @self with them. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      (reach = g_hash_table_lookup (self->hosts, check->key)) == NULL)
    goto out;
  reach->checking = FALSE;
  was = reach->reach;
  /* Only "no route" is offline. A name that does not resolve is for the download to
   * report (and retry), not a reason to wait for a network. */
  if (ok || (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) &&
             !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE)))
    reach->reach = HAUL_REACHABILITY_YES;
  else
    reach->reach = HAUL_REACHABILITY_NO;
  g_debug ("%s: %s%s%s", check->key, reach->reach == HAUL_REACHABILITY_YES ? "reachable" : "unreachable",
           error != NULL ? " — " : "", error != NULL ? error->message : "");
  /* The network changed while we asked: ask again. */
  if (reach->generation != self->generation)
    check_host (self, check->key, reach);
  if (reach->reach != was)
    g_signal_emit (self, signals[CHANGED], 0);

out:
  g_free (check->key);
  g_free (check);
}

static void
check_host (HaulConditions *self,
            const char     *key,
            Reach          *reach)
{
  g_autoptr(GSocketConnectable) address = NULL;
  ReachCheck *check;

  if (reach->checking)
    return;
  address = g_network_address_parse (key, 80, NULL);
  if (address == NULL)
    {
      reach->reach = HAUL_REACHABILITY_YES;
      return;
    }
  reach->checking = TRUE;
  reach->generation = self->generation;
  check = g_new0 (ReachCheck, 1);
  check->self = self;
  check->key = g_strdup (key);
  g_network_monitor_can_reach_async (self->network, address, self->cancellable,
                                     can_reach_cb, check);
}

static void
on_network_changed_cb (GNetworkMonitor *monitor,
                       gboolean         available,
                       HaulConditions  *self)
{
  GHashTableIter iter;
  gpointer key, value;

  /* Every answer may be out of date: ask again, keeping the old one meanwhile so that
   * a running transfer does not stop for a moment of doubt. */
  self->generation++;
  g_hash_table_iter_init (&iter, self->hosts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    check_host (self, key, value);
}

/**
 * haul_conditions_can_reach:
 * @self: the conditions
 * @uri: an http or https URL
 *
 * Tells whether the host of @uri can be reached. The first question about a host starts
 * the check and answers %HAUL_REACHABILITY_UNKNOWN; ::changed follows the answer.
 *
 * Returns: whether the transfer of @uri can run as far as the network is concerned
 */
HaulReachability
haul_conditions_can_reach (HaulConditions *self,
                           const char     *uri)
{
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *key = NULL;
  const char *host;
  int port;
  Reach *reach;

  g_return_val_if_fail (HAUL_IS_CONDITIONS (self), HAUL_REACHABILITY_YES);

  if (self->network == NULL)
    return self->online ? HAUL_REACHABILITY_YES : HAUL_REACHABILITY_NO;

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  host = parsed != NULL ? g_uri_get_host (parsed) : NULL;
  if (host == NULL)
    return HAUL_REACHABILITY_YES;
  port = g_uri_get_port (parsed);
  if (port < 0)
    port = g_ascii_strcasecmp (g_uri_get_scheme (parsed), "https") == 0 ? 443 : 80;
  key = strchr (host, ':') != NULL ? g_strdup_printf ("[%s]:%d", host, port)
                                   : g_strdup_printf ("%s:%d", host, port);

  reach = g_hash_table_lookup (self->hosts, key);
  if (reach == NULL)
    {
      reach = g_new0 (Reach, 1);
      reach->reach = HAUL_REACHABILITY_UNKNOWN;
      g_hash_table_insert (self->hosts, g_strdup (key), reach);
      check_host (self, key, reach);
    }
  return reach->reach;
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
haul_conditions_finalize (GObject *object)
{
  HaulConditions *self = HAUL_CONDITIONS (object);

  g_hash_table_unref (self->hosts);

  G_OBJECT_CLASS (haul_conditions_parent_class)->finalize (object);
}

static void
haul_conditions_class_init (HaulConditionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haul_conditions_dispose;
  object_class->finalize = haul_conditions_finalize;

  /**
   * HaulConditions::changed:
   *
   * Emitted when a host became reachable or unreachable, the network became metered or
   * not, or power saver was switched.
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
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
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
  g_signal_connect (self->network, "network-changed", G_CALLBACK (on_network_changed_cb), self);
  g_signal_connect_swapped (self->network, "notify::network-metered",
                            G_CALLBACK (read_monitors), self);
  if (self->power != NULL)
    g_signal_connect_swapped (self->power, "notify::power-saver-enabled",
                              G_CALLBACK (read_monitors), self);
  self->metered = g_network_monitor_get_network_metered (self->network);
  self->power_saver = self->power != NULL &&
                      g_power_profile_monitor_get_power_saver_enabled (self->power);
  return self;
}
