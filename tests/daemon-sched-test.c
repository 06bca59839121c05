/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "daemon-sched-test"

#include "config.h"

#include <string.h>

#include "daemon-test-utils.h"

/* The scheduler: limits take effect at once, waits hold no running slot, and a broken
 * server neither loops nor leaves a stale reason. */

static void
set_max_concurrent (Fixture *f,
                    guint    max)
{
  haul_manager1_set_max_concurrent (f->manager, max);
  WAIT_FOR ("MaxConcurrent", haul_manager1_get_max_concurrent (f->manager) == max);
}

/* A URL on a port where nothing listens: every try is refused. */
static char *
dead_uri (const char *path)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_listener_close (listener);
  return g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
}

static void
test_backoff_frees_slots (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) dead = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDBusObjectManager) objects = NULL;
  g_autoptr(GError) error = NULL;
  Census census = { 0 };

  set_max_concurrent (f, 3);
  objects = follow_states (f, &census);

  /* Three dead links first, then seventeen good ones. */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("/dead%u.bin", i);
      g_autofree char *uri = dead_uri (path);
      g_autofree char *object_path = NULL;

      haul_manager1_call_add_sync (f->manager, uri, options_in_dir (f, NULL, NULL), &object_path,
                                   NULL, &error);
      g_assert_no_error (error);
      g_ptr_array_add (dead, haul_transfer1_proxy_new_sync (f->connection, G_DBUS_PROXY_FLAGS_NONE,
                                                            BUS_NAME, object_path, NULL, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < 3; i++)
    WAIT_FOR ("the back-off", reason_has (g_ptr_array_index (dead, i), "Trying again at"));

  /* While they wait out their back-off the good ones run, three at a time. */
  for (guint i = 0; i < 17; i++)
    {
      g_autofree char *path = g_strdup_printf ("/good%u.bin?size=32768&drip=65536", i);
      g_autoptr(HaulTransfer1) transfer = add (f, path, options_in_dir (f, NULL, NULL));
    }
  WAIT_FOR ("the seventeen good ones", (count_states (objects, &census), census.completed == 17));
  g_test_message ("at most %u running at once", census.max_running);
  g_assert_cmpuint (census.max_running, <=, 3);
  for (guint i = 0; i < 3; i++)
    {
      HaulTransfer1 *transfer = g_ptr_array_index (dead, i);

      g_assert_false (state_is (transfer, "completed"));
      haul_transfer1_call_remove_sync (transfer, FALSE, NULL, &error);
      g_assert_no_error (error);
    }
}

static gboolean
lift_limit_cb (gpointer user_data)
{
  Fixture *f = user_data;

  haul_manager1_set_speed_limit (f->manager, 0);
  return G_SOURCE_REMOVE;
}

static void
test_speed_limit_lifted (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autofree char *file = g_build_filename (f->dir, "lift.bin", NULL);
  g_autoptr(HaulTransfer1) transfer = NULL;

  /* At one byte a second the download waits more than an hour for its first chunk. */
  haul_manager1_set_speed_limit (f->manager, 1);
  WAIT_FOR ("SpeedLimit", haul_manager1_get_speed_limit (f->manager) == 1);
  transfer = add (f, "/lift.bin", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the transfer to run", state_is (transfer, "running"));
  haul_test_iterate_for (500);
  g_assert_false (state_is (transfer, "completed"));

  /* Lifted, it goes on at once. */
  g_timeout_add (0, lift_limit_cb, f);
  WAIT_FOR ("the transfer to complete", state_is (transfer, "completed"));
  haul_test_assert_file_equals (file, expected);
}

static void
test_max_concurrent_lowered (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GDBusObjectManager) objects = NULL;
  g_autoptr(GPtrArray) transfers = g_ptr_array_new_with_free_func (g_object_unref);
  Census census = { 0 };

  set_max_concurrent (f, 3);
  objects = follow_states (f, &census);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("/slow%u.bin?size=2097152&drip=400000", i);

      g_ptr_array_add (transfers, add (f, path, options_in_dir (f, NULL, NULL)));
    }
  WAIT_FOR ("three running", (count_states (objects, &census), census.running == 3));

  /* A lower limit holds for running transfers too: the two started last wait in the
   * queue, and continue once the first is done. */
  set_max_concurrent (f, 1);
  WAIT_FOR ("the two back in the queue",
            state_is (g_ptr_array_index (transfers, 1), "queued") &&
            state_is (g_ptr_array_index (transfers, 2), "queued"));
  WAIT_FOR ("one running", (count_states (objects, &census), census.running == 1));
  g_assert_true (state_is (g_ptr_array_index (transfers, 0), "running"));
  set_max_concurrent (f, 3);
  WAIT_FOR ("three running again", (count_states (objects, &census), census.running == 3));
}

static void
on_state_cb (GObject    *object,
             GParamSpec *pspec,
             GPtrArray  *states)
{
  g_ptr_array_add (states, g_strdup (haul_transfer1_get_state (HAUL_TRANSFER1 (object))));
}

static void
test_416_no_loop (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 20 * 1024 * KiB, 1);
  g_autofree char *file = g_build_filename (f->dir, "refused.bin", NULL);
  g_autoptr(GPtrArray) states = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(HaulTransfer1) transfer = NULL;

  /* Every range refused with 416 though the file was never sent in full: one plain
   * request gets it; the transfer never claims to wait while it downloads. */
  transfer = add (f, "/refused.bin?size=20971520&force416=1", options_in_dir (f, NULL, NULL));
  g_signal_connect (transfer, "notify::state", G_CALLBACK (on_state_cb), states);
  WAIT_FOR ("the transfer", state_is (transfer, "completed") || state_is (transfer, "failed"));
  haul_test_assert_file_equals (file, expected);
  g_test_message ("%u requests", haul_test_server_requests (f->server)->len);
  g_assert_cmpuint (haul_test_server_requests (f->server)->len, <=, 8);
  for (guint i = 0; i < states->len; i++)
    g_assert_cmpstr (g_ptr_array_index (states, i), !=, "waiting");
  g_assert_cmpstr (haul_transfer1_get_state_reason (transfer), ==, "");
}

static void
test_listing_keeps_alive (Fixture       *f,
                          gconstpointer  data)
{
  guint pid = daemon_pid (f);

  /* A client that only lists the transfers and reads properties (a window) is using the
   * service: it stays, past GApplication's first ten seconds, the same process. */
  for (guint i = 0; i < 12; i++)
    {
      g_autoptr(GPtrArray) paths = transfer_paths (f);

      g_assert_cmpuint (paths->len, ==, 0);
      haul_test_iterate_for (1000);
    }
  g_assert_true (name_has_owner (f));
  g_assert_cmpuint (daemon_pid (f), ==, pid);
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add ("/daemon-sched/backoff-frees-slots", Fixture, NULL, fixture_setup,
              test_backoff_frees_slots, fixture_teardown);
  g_test_add ("/daemon-sched/speed-limit-lifted", Fixture, NULL, fixture_setup,
              test_speed_limit_lifted, fixture_teardown);
  g_test_add ("/daemon-sched/max-concurrent-lowered", Fixture, NULL, fixture_setup,
              test_max_concurrent_lowered, fixture_teardown);
  g_test_add ("/daemon-sched/416-no-loop", Fixture, NULL, fixture_setup, test_416_no_loop,
              fixture_teardown);
  g_test_add ("/daemon-sched/listing-keeps-alive", Fixture, NULL, fixture_setup,
              test_listing_keeps_alive, fixture_teardown);

  return g_test_run ();
}
