/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include "haul-check.h"
#include "haul-client.h"

/* Times, on the session bus, against a running service:
 *   client-bench model    haul_client_new_async () until the model holds every transfer
 *   client-bench objects  one GetManagedObjects, decoded, as other applications read it
 * Prints "SECONDS COUNT". Part of tests/bench/daemon-bench.sh. */

typedef struct
{
  GMainLoop  *loop;
  HaulClient *client;
  GError     *error;
} Wait;

static void
client_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;

  wait->client = haul_client_new_finish (result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static guint
count_transfers (GVariant *reply)
{
  g_autoptr(GVariant) objects = g_variant_get_child_value (reply, 0);
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;
  guint n = 0;

  /* Every value is looked at, as a client that keeps them would. */
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) props = g_variant_lookup_value (interfaces, "io.github.haul.Transfer1",
                                                          G_VARIANT_TYPE_VARDICT);
      GVariantIter piter;
      const char *name;
      GVariant *value;

      if (props != NULL && haul_transfer_id_from_object_path (path) != 0)
        n++;
      if (props != NULL)
        {
          g_variant_iter_init (&piter, props);
          while (g_variant_iter_next (&piter, "{&sv}", &name, &value))
            g_variant_unref (value);
        }
      g_variant_unref (interfaces);
    }
  return n;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  guint n;

  if (argc != 2 || (!g_str_equal (argv[1], "model") && !g_str_equal (argv[1], "objects")))
    {
      fprintf (stderr, "usage: client-bench model|objects\n");
      return 2;
    }
  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (connection == NULL)
    {
      fprintf (stderr, "client-bench: %s\n", error->message);
      return 1;
    }

  start = g_get_monotonic_time ();
  if (g_str_equal (argv[1], "model"))
    {
      Wait wait = { g_main_loop_new (NULL, FALSE), NULL, NULL };

      haul_client_new_async (connection, HAUL_CLIENT_FLAGS_ACTIVATE, NULL, client_cb, &wait);
      g_main_loop_run (wait.loop);
      g_main_loop_unref (wait.loop);
      if (wait.client == NULL)
        {
          fprintf (stderr, "client-bench: %s\n", wait.error->message);
          g_error_free (wait.error);
          return 1;
        }
      n = g_list_model_get_n_items (haul_client_get_transfers (wait.client));
      printf ("%.3f %u\n", (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC, n);
      g_object_unref (wait.client);
    }
  else
    {
      g_autoptr(GVariant) reply = NULL;

      reply = g_dbus_connection_call_sync (connection, HAUL_DAEMON_BUS_NAME, HAUL_DAEMON_PATH,
                                           "org.freedesktop.DBus.ObjectManager",
                                           "GetManagedObjects", NULL,
                                           G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      if (reply == NULL)
        {
          fprintf (stderr, "client-bench: %s\n", error->message);
          return 1;
        }
      n = count_transfers (reply);
      printf ("%.3f %u\n", (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC, n);
    }
  return 0;
}
