/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <adwaita.h>

#include "haul-client.h"
#include "haul-client-calls.h"
#include "haul-transfer-row.h"
#include "haul-window-private.h"

/* The window against a running service with many transfers on record, in-process under
 * Xvfb (tests/bench/window-bench.sh prepares the records, the bus and nginx):
 *
 *   window-bench startup             from the client's creation to the first rows on
 *                                    screen and the main loop free again (it would take
 *                                    the next key press)
 *   window-bench running URL N       N transfers of URL running: the window's CPU (share
 *                                    of one core) and RSS over 10 s
 *   window-bench idle                nothing running: voluntary context switches of the
 *                                    main thread over 10 s
 *
 * Each prints "name value". */

typedef struct
{
  HaulClient *client;
  gboolean    idle;
} State;

static void
client_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  State *state = user_data;
  g_autoptr(GError) error = NULL;

  state->client = haul_client_new_finish (result, &error);
  if (state->client == NULL)
    g_error ("No service: %s", error->message);
}

static gboolean
idle_cb (gpointer user_data)
{
  ((State *) user_data)->idle = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
has_rows (HaulWindow *window)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (window->list_view)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);

      if (row != NULL && HAUL_IS_TRANSFER_ROW (row) && gtk_widget_get_mapped (row) &&
          haul_transfer_row_get_transfer (HAUL_TRANSFER_ROW (row)) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop as the application would, blocking between events. */
static void
iterate_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static long
status_value (const char *path,
              const char *key)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, key)) == NULL)
    return -1;
  return strtol (line + strlen (key), NULL, 10);
}

static void
add_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  guint *outstanding = user_data;

  haul_client_add_finish (HAUL_CLIENT (object), result, NULL);
  (*outstanding)--;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GDBusConnection) bus = NULL;
  State state = { 0 };
  HaulWindow *window;
  gint64 start;
  double client_s, set_s;

  if (argc < 2)
    {
      fprintf (stderr, "usage: window-bench startup | running URL N | idle\n");
      return 2;
    }
  gtk_init ();
  adw_init ();
  haul_gui_register_resources ();
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

  start = g_get_monotonic_time ();
  haul_client_new_async (bus, HAUL_CLIENT_FLAGS_ACTIVATE, NULL, client_cb, &state);
  window = haul_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (state.client == NULL)
    g_main_context_iteration (NULL, TRUE);
  client_s = (g_get_monotonic_time () - start) / 1e6;
  haul_window_set_client (window, state.client);
  set_s = (g_get_monotonic_time () - start) / 1e6;
  if (g_list_model_get_n_items (haul_client_get_transfers (state.client)) > 0)
    while (!has_rows (window))
      g_main_context_iteration (NULL, TRUE);
  g_idle_add_full (G_PRIORITY_DEFAULT, idle_cb, &state, NULL);
  while (!state.idle)
    g_main_context_iteration (NULL, TRUE);

  if (g_str_equal (argv[1], "startup"))
    printf ("startup_s %.3f\nclient_s %.3f\nmodel_set_s %.3f\nitems %u\n",
            (g_get_monotonic_time () - start) / 1e6, client_s, set_s,
            g_list_model_get_n_items (haul_client_get_transfers (state.client)));
  else if (g_str_equal (argv[1], "running") && argc == 4)
    {
      guint n = (guint) g_ascii_strtoull (argv[3], NULL, 10);
      guint outstanding = n;
      double cpu0;
      gint64 t0;

      for (guint i = 0; i < n; i++)
        {
          g_autofree char *uri = g_strdup_printf ("%s?n=%u", argv[2], i);
          g_autofree char *name = g_strdup_printf ("f%u.bin", i);
          GVariantDict options;

          g_variant_dict_init (&options, NULL);
          g_variant_dict_insert (&options, "directory", "s", g_getenv ("BENCH_DOWNLOADS"));
          g_variant_dict_insert (&options, "filename", "s", name);
          haul_client_add_async (state.client, uri, g_variant_dict_end (&options), NULL, add_cb, &outstanding);
        }
      while (outstanding > 0)
        g_main_context_iteration (NULL, TRUE);
      iterate_for (3000);
      cpu0 = cpu_seconds ();
      t0 = g_get_monotonic_time ();
      iterate_for (10000);
      printf ("running_cpu_percent %.2f\nactive %u\nrss_kib %ld\n",
              (cpu_seconds () - cpu0) / ((g_get_monotonic_time () - t0) / 1e6) * 100,
              haul_client_get_active_count (state.client),
              status_value ("/proc/self/status", "VmRSS:"));
    }
  else if (g_str_equal (argv[1], "idle"))
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/status", (int) getpid ());
      long before;
      gint64 until;

      iterate_for (1000);
      before = status_value (path, "voluntary_ctxt_switches:");
      /* Blocking iterations, as the main loop of the application: a wake-up shows. */
      until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      g_timeout_add_seconds (10, idle_cb, &state);
      state.idle = FALSE;
      while (!state.idle && g_get_monotonic_time () < until + G_USEC_PER_SEC)
        g_main_context_iteration (NULL, TRUE);
      printf ("idle_wakeups %ld\nrss_kib %ld\n",
              status_value (path, "voluntary_ctxt_switches:") - before - 1,
              status_value ("/proc/self/status", "VmRSS:"));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&state.client);
  return 0;
}
