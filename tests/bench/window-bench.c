/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <adwaita.h>

#include "haul-application.h"
#include "haul-client.h"
#include "haul-client-calls.h"
#include "haul-transfer-row.h"
#include "haul-window-private.h"

/* The window against a running service with many transfers on record, in-process under
 * Xvfb (tests/bench/window-bench.sh prepares the records, the bus and nginx):
 *
 *   window-bench startup             Haul's application, as `haul` runs it: from the
 *                                    process's start to the first rows on screen and the
 *                                    main loop free again (it would take the next key
 *                                    press)
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

/* When the kernel started this process, on the monotonic clock (to 1/HZ). */
static gint64
process_start_us (void)
{
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;
  struct timespec boot;
  gint64 ticks;

  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL) ||
      (after = strrchr (stat, ')')) == NULL)
    g_error ("Cannot read /proc/self/stat");
  /* After the name: state is field 3, starttime field 22. */
  fields = g_strsplit (after + 2, " ", 0);
  g_assert (g_strv_length (fields) > 19);
  ticks = g_ascii_strtoll (fields[19], NULL, 10);
  clock_gettime (CLOCK_BOOTTIME, &boot);
  return g_get_monotonic_time () -
         ((gint64) boot.tv_sec * G_USEC_PER_SEC + boot.tv_nsec / 1000 -
          ticks * G_USEC_PER_SEC / sysconf (_SC_CLK_TCK));
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

typedef struct
{
  HaulApplication *app;
  gint64           start_us;
  gint64           main_us;
} Startup;

static gboolean
ready_cb (gpointer user_data)
{
  Startup *s = user_data;
  HaulClient *client = haul_application_get_client (s->app);

  printf ("startup_s %.3f\nmain_s %.3f\ncpu_s %.3f\nitems %u\n",
          (g_get_monotonic_time () - s->start_us) / 1e6, (s->main_us - s->start_us) / 1e6,
          cpu_seconds (), g_list_model_get_n_items (haul_client_get_transfers (client)));
  g_application_quit (G_APPLICATION (s->app));
  return G_SOURCE_REMOVE;
}

/* Each frame until the rows are on screen; then, once the main loop is free, done. */
static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Startup *s = user_data;
  HaulClient *client = haul_application_get_client (s->app);

  if (client == NULL || g_list_model_get_n_items (haul_client_get_transfers (client)) == 0 ||
      !has_rows (HAUL_WINDOW (widget)))
    return G_SOURCE_CONTINUE;
  g_idle_add_full (G_PRIORITY_DEFAULT, ready_cb, s, NULL);
  return G_SOURCE_REMOVE;
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 Startup        *s)
{
  if (HAUL_IS_WINDOW (window))
    gtk_widget_add_tick_callback (GTK_WIDGET (window), tick_cb, s, NULL);
}

static int
startup (char *argv0)
{
  Startup s = { 0 };
  char *args[] = { argv0, NULL };
  int status;

  s.start_us = process_start_us ();
  s.main_us = g_get_monotonic_time ();
  s.app = haul_application_new ();
  g_signal_connect (s.app, "window-added", G_CALLBACK (window_added_cb), &s);
  status = g_application_run (G_APPLICATION (s.app), 1, args);
  g_object_unref (s.app);
  return status;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GDBusConnection) bus = NULL;
  State state = { 0 };
  HaulWindow *window;

  if (argc < 2)
    {
      fprintf (stderr, "usage: window-bench startup | running URL N | idle\n");
      return 2;
    }
  if (g_str_equal (argv[1], "startup"))
    return startup (argv[0]);

  gtk_init ();
  adw_init ();
  haul_gui_register_resources ();
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  haul_client_new_async (bus, HAUL_CLIENT_FLAGS_ACTIVATE, NULL, client_cb, &state);
  window = haul_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (state.client == NULL)
    g_main_context_iteration (NULL, TRUE);
  haul_window_set_client (window, state.client);
  if (g_list_model_get_n_items (haul_client_get_transfers (state.client)) > 0)
    while (!has_rows (window))
      g_main_context_iteration (NULL, TRUE);
  g_idle_add_full (G_PRIORITY_DEFAULT, idle_cb, &state, NULL);
  while (!state.idle)
    g_main_context_iteration (NULL, TRUE);

  if (g_str_equal (argv[1], "running") && argc == 4)
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
