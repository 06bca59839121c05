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

static void
test_max_concurrent (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GDBusObjectManager) objects = NULL;
  Census census = { 0 };

  objects = follow_states (f, &census);

  haul_manager1_set_max_concurrent (f->manager, 3);
  WAIT_FOR ("MaxConcurrent", haul_manager1_get_max_concurrent (f->manager) == 3);

  /* Twenty transfers of about half a second each, added at once. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *path = g_strdup_printf ("/q%u.bin?size=32768&drip=65536", i);
      g_autoptr(HaulTransfer1) transfer = add (f, path, options_in_dir (f, NULL, NULL));
    }

  WAIT_FOR ("all twenty to complete", (count_states (objects, &census), census.completed == 20));
  g_test_message ("at most %u running at once", census.max_running);
  g_assert_cmpuint (census.max_running, <=, 3);
  g_assert_cmpuint (census.max_running, >=, 2);
}

static void
test_transfer_speed_limit (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 160 * KiB, 1);
  g_autofree char *file = g_build_filename (f->dir, "limited.bin", NULL);
  g_autoptr(HaulTransfer1) transfer = NULL;
  gint64 start = g_get_monotonic_time ();
  double seconds;

  transfer = add (f, "/limited.bin?size=163840",
                  options_in_dir (f, "speed-limit", g_variant_new_uint64 (64 * KiB)));
  WAIT_FOR ("the transfer to complete", state_is (transfer, "completed"));
  seconds = (g_get_monotonic_time () - start) / 1e6;
  haul_test_assert_file_equals (file, expected);
  /* A lower bound only: 160 KiB at 64 KiB/s, less the first burst of the bucket. */
  g_test_message ("160 KiB at 64 KiB/s took %.2f s", seconds);
  g_assert_cmpfloat (seconds, >=, 2.0);
}

static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 1048576, 1);
  g_autofree char *file1 = g_build_filename (f->dir, "off1.bin", NULL);
  g_autofree char *file2 = g_build_filename (f->dir, "off2.bin", NULL);
  g_autoptr(HaulTransfer1) t1 = NULL;
  g_autoptr(HaulTransfer1) t2 = NULL;

  /* Offline: a new transfer waits and says why. */
  set_conditions (f, FALSE, FALSE, FALSE);
  t1 = add (f, "/off1.bin?size=1048576&drip=524288", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the transfer to wait", state_is (t1, "waiting"));
  g_test_message ("StateReason: %s", haul_transfer1_get_state_reason (t1));
  g_assert_true (reason_has (t1, "network"));
  /* Waiting counts as active: it keeps the service. */
  WAIT_FOR ("ActiveCount", haul_manager1_get_active_count (f->manager) == 1);

  /* Back online: it runs. Then the network goes while it runs: it waits again, keeping its
   * partial data, and continues from it when the network is back. */
  set_conditions (f, TRUE, FALSE, FALSE);
  WAIT_FOR ("the transfer to run", state_is (t1, "running"));
  WAIT_FOR ("some progress", received_of (f, 1) > 200 * KiB);
  set_conditions (f, FALSE, FALSE, FALSE);
  WAIT_FOR ("the transfer to wait", state_is (t1, "waiting"));
  g_assert_true (reason_has (t1, "network"));

  /* A second transfer added while offline waits too. */
  t2 = add (f, "/off2.bin?size=1048576", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the second to wait", state_is (t2, "waiting"));
  haul_test_iterate_for (500);
  g_assert_true (state_is (t1, "waiting"));
  g_assert_true (state_is (t2, "waiting"));

  set_conditions (f, TRUE, FALSE, FALSE);
  WAIT_FOR ("both to complete", state_is (t1, "completed") && state_is (t2, "completed"));
  g_assert_cmpstr (haul_transfer1_get_state_reason (t1), ==, "");
  haul_test_assert_file_equals (file1, expected);
  haul_test_assert_file_equals (file2, expected);
  g_assert_cmpuint (ranged_requests (f, "/off1.bin"), >=, 1);
  g_assert_cmpstr (haul_transfer1_get_error (t1), ==, "");
}

static void
test_discretionary (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(HaulTransfer1) thrifty = NULL;
  g_autoptr(HaulTransfer1) plain = NULL;
  g_autoptr(HaulTransfer1) later = NULL;
  g_autoptr(GError) error = NULL;

  /* On a metered network only discretionary transfers wait. */
  set_conditions (f, TRUE, TRUE, FALSE);
  haul_test_iterate_for (300);
  thrifty = add (f, "/d1.bin", options_in_dir (f, "discretionary", g_variant_new_boolean (TRUE)));
  plain = add (f, "/d2.bin", options_in_dir (f, NULL, NULL));
  g_assert_true (haul_transfer1_get_discretionary (thrifty));
  g_assert_false (haul_transfer1_get_discretionary (plain));
  WAIT_FOR ("the plain one to complete", state_is (plain, "completed"));
  WAIT_FOR ("the discretionary one to wait", state_is (thrifty, "waiting"));
  g_test_message ("StateReason: %s", haul_transfer1_get_state_reason (thrifty));
  g_assert_true (reason_has (thrifty, "metered"));

  /* Made not discretionary, it runs at once. */
  haul_transfer1_call_set_discretionary_sync (thrifty, FALSE, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("it to complete", state_is (thrifty, "completed"));
  g_assert_false (haul_transfer1_get_discretionary (thrifty));

  /* Power saver holds discretionary transfers too, until it is off. */
  set_conditions (f, TRUE, FALSE, TRUE);
  haul_test_iterate_for (300);
  later = add (f, "/d3.bin", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("it to complete", state_is (later, "completed"));
  haul_transfer1_call_remove_sync (later, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&later);
  later = add (f, "/d3.bin", options_in_dir (f, "discretionary", g_variant_new_boolean (TRUE)));
  WAIT_FOR ("it to wait", state_is (later, "waiting"));
  g_test_message ("StateReason: %s", haul_transfer1_get_state_reason (later));
  g_assert_true (reason_has (later, "power saver"));
  set_conditions (f, TRUE, FALSE, FALSE);
  WAIT_FOR ("it to complete", state_is (later, "completed"));
}

static void
test_retry_wait (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autofree char *file = g_build_filename (f->dir, "busy.bin", NULL);

  /* The server is busy once and asks for 2 s: the transfer shows it waits, and until when. */
  transfer = add (f, "/busy.bin?status=503&times=1&retry-after=2", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the back-off", state_is (transfer, "waiting"));
  g_test_message ("StateReason: %s", haul_transfer1_get_state_reason (transfer));
  g_assert_true (reason_has (transfer, "Trying again at"));
  g_assert_true (reason_has (transfer, "503"));
  WAIT_FOR ("it to complete", state_is (transfer, "completed"));
  haul_test_assert_file_equals (file, expected);
}

static void
test_global_speed_limit (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 96 * KiB, 1);
  g_autoptr(HaulTransfer1) t1 = NULL;
  g_autoptr(HaulTransfer1) t2 = NULL;
  gint64 start;
  double seconds;

  /* One limit for all transfers together: two of 96 KiB at 64 KiB/s in all. */
  haul_manager1_set_speed_limit (f->manager, 64 * KiB);
  WAIT_FOR ("SpeedLimit", haul_manager1_get_speed_limit (f->manager) == 64 * KiB);
  start = g_get_monotonic_time ();
  t1 = add (f, "/g1.bin?size=98304", options_in_dir (f, NULL, NULL));
  t2 = add (f, "/g2.bin?size=98304", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("both to complete", state_is (t1, "completed") && state_is (t2, "completed"));
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("192 KiB at 64 KiB/s in all took %.2f s", seconds);
  /* A lower bound only: 192 KiB, less the first burst of the bucket, at 64 KiB/s. Each
   * alone would have been allowed 64 KiB/s and taken half as long. */
  g_assert_cmpfloat (seconds, >=, 2.0);
  {
    g_autofree char *f1 = g_build_filename (f->dir, "g1.bin", NULL);
    g_autofree char *f2 = g_build_filename (f->dir, "g2.bin", NULL);

    haul_test_assert_file_equals (f1, expected);
    haul_test_assert_file_equals (f2, expected);
  }
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
  g_test_add ("/daemon/max-concurrent", Fixture, NULL, fixture_setup, test_max_concurrent,
              fixture_teardown);
  g_test_add ("/daemon/speed-limit", Fixture, NULL, fixture_setup, test_transfer_speed_limit,
              fixture_teardown);
  g_test_add ("/daemon/offline", Fixture, NULL, fixture_setup, test_offline, fixture_teardown);
  g_test_add ("/daemon/discretionary", Fixture, NULL, fixture_setup, test_discretionary,
              fixture_teardown);
  g_test_add ("/daemon/retry-wait", Fixture, NULL, fixture_setup, test_retry_wait,
              fixture_teardown);
  g_test_add ("/daemon/global-speed-limit", Fixture, NULL, fixture_setup, test_global_speed_limit,
              fixture_teardown);

  return g_test_run ();
}
