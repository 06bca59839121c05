/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "daemon-test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "haul-dbus-error.h"
#include "haul-dbus-generated.h"
#include "daemon-test-utils.h"






static void
test_add_completes (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 512 * KiB, 1);
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autofree char *file = g_build_filename (f->dir, "slow.bin", NULL);
  double seconds;

  f->monotonic = TRUE;
  /* About two seconds at 256 kB/s: long enough to see progress. */
  transfer = add (f, "/slow.bin?size=524288&drip=256000", options_in_dir (f, NULL, NULL));
  g_assert_cmpuint (haul_transfer1_get_id (transfer), ==, 1);
  WAIT_FOR ("the transfer to complete", state_is (transfer, "completed"));

  haul_test_assert_file_equals (file, expected);
  g_assert_cmpstr (haul_transfer1_get_file_name (transfer), ==, "slow.bin");
  g_assert_cmpstr (haul_transfer1_get_error (transfer), ==, "");
  g_assert_cmpint (haul_transfer1_get_finished_at (transfer), >=,
                   haul_transfer1_get_created_at (transfer));
  /* The last figures come in a Progress signal, and a fresh read agrees. The figures are
   * not sent as PropertiesChanged, so the proxy's cache never saw them change. */
  WAIT_FOR ("the last figures", received_of (f, 1) == 512 * KiB);
  g_assert_cmpuint (haul_transfer1_get_bytes_received (transfer), ==, 0);
  {
    g_autoptr(HaulTransfer1) fresh = NULL;
    g_autoptr(GError) error = NULL;

    fresh = haul_transfer1_proxy_new_sync (f->connection, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME,
                                           MANAGER_PATH "/transfer/1", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (haul_transfer1_get_bytes_received (fresh), ==, 512 * KiB);
    g_assert_cmpuint (haul_transfer1_get_bytes_total (fresh), ==, 512 * KiB);
    g_assert_cmpuint (haul_transfer1_get_rate (fresh), ==, 0);
  }

  /* Progress arrived, batched: at most 4 signals a second, counted over the time from the
   * first to the last (the last figures come after the state changed). A quarter of a
   * second of slack covers the delivery of the first and the last. */
  seconds = (f->progress_last_us - f->progress_first_us) / 1e6;
  g_test_message ("%u Progress signals in %.2f s", f->progress_signals, seconds);
  g_assert_cmpuint (f->progress_signals, >, 1);
  g_assert_cmpfloat (f->progress_signals - 1, <=, 4 * (seconds + 0.25));
}

static void
assert_add_fails (Fixture    *f,
                  const char *uri,
                  GVariant   *options,
                  int         code)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *remote = NULL;

  haul_manager1_call_add_sync (f->manager, uri, options, &path, NULL, &error);
  g_assert_error (error, HAUL_DBUS_ERROR, code);
  remote = g_dbus_error_get_remote_error (error);
  g_test_message ("%s: %s", remote, error->message);
  g_assert_true (g_str_has_prefix (remote, "io.github.haul.Error."));
  g_assert_null (path);
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *uri = haul_test_server_uri (f->server, "/x.bin");
  g_autoptr(GString) long_uri = g_string_new (uri);
  g_autoptr(GDBusObjectManager) objects = NULL;
  g_autoptr(GError) error = NULL;
  g_autolist(GDBusObject) list = NULL;
  const char *nul_name = "a\0b";
  int bad = HAUL_DBUS_ERROR_INVALID_ARGUMENT;

  g_string_append (long_uri, "?q=");
  for (guint i = 0; i < 9000; i++)
    g_string_append_c (long_uri, 'a');

  assert_add_fails (f, "not a url", options_in_dir (f, NULL, NULL), HAUL_DBUS_ERROR_INVALID_URI);
  assert_add_fails (f, long_uri->str, options_in_dir (f, NULL, NULL), HAUL_DBUS_ERROR_INVALID_URI);
  assert_add_fails (f, "ftp://127.0.0.1/x", options_in_dir (f, NULL, NULL),
                    HAUL_DBUS_ERROR_UNSUPPORTED_SCHEME);
  assert_add_fails (f, "file:///etc/passwd", options_in_dir (f, NULL, NULL),
                    HAUL_DBUS_ERROR_UNSUPPORTED_SCHEME);
  assert_add_fails (f, uri, options_in_dir (f, "bogus", g_variant_new_boolean (TRUE)), bad);
  assert_add_fails (f, uri, options_in_dir (f, "segments", g_variant_new_string ("4")), bad);
  assert_add_fails (f, uri, options_in_dir (f, "segments", g_variant_new_uint32 (0)), bad);
  assert_add_fails (f, uri, options_in_dir (f, "segments", g_variant_new_uint32 (17)), bad);
  assert_add_fails (f, uri, options_in_dir (f, "filename", g_variant_new_string ("a/b")), bad);
  assert_add_fails (f, uri, options_in_dir (f, "filename", g_variant_new_string ("..")), bad);
  /* D-Bus strings cannot hold a NUL; a name that does comes as bytes, the wrong type. */
  assert_add_fails (f, uri,
                    options_in_dir (f, "filename", g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE,
                                                                              nul_name, 3, 1)),
                    bad);
  assert_add_fails (f, uri, options_in_dir (f, "sha256", g_variant_new_string ("abc")), bad);
  assert_add_fails (f, uri, options_in_dir (f, "paused", g_variant_new_uint32 (1)), bad);
  assert_add_fails (f, uri, g_variant_new_parsed ("{'directory': <'relative/dir'>}"), bad);
  assert_add_fails (f, uri, g_variant_new_parsed ("{'directory': <'/nonexistent/dir'>}"), bad);
  {
    g_autofree char *plain = g_build_filename (f->dir, "plain-file", NULL);

    g_assert_true (g_file_set_contents (plain, "x", 1, NULL));
    assert_add_fails (f, uri, g_variant_new_parsed ("{'directory': <%s>}", plain), bad);
  }
  assert_add_fails (f, uri, g_variant_new_parsed ("{'headers': <{'Range': 'bytes=1-'}>}"), bad);
  assert_add_fails (f, uri, g_variant_new_parsed ("{'headers': <{'X-A': 'b\\r\\nC: d'}>}"), bad);
  /* A name with a colon would go out as "X: Y: v". */
  assert_add_fails (f, uri, g_variant_new_parsed ("{'headers': <{'X: Y': 'v'}>}"), bad);
  assert_add_fails (f, uri, g_variant_new_parsed ("{'headers': <{'X-A': 'b\\x01'}>}"), bad);
  /* URLs no request can honestly use. */
  assert_add_fails (f, "http://127.0.0.1:0/x.bin", options_in_dir (f, NULL, NULL),
                    HAUL_DBUS_ERROR_INVALID_URI);
  assert_add_fails (f, "http://exa mple.org/x.bin", options_in_dir (f, NULL, NULL),
                    HAUL_DBUS_ERROR_INVALID_URI);
  assert_add_fails (f, "http://exa\tmple.org/x.bin", options_in_dir (f, NULL, NULL),
                    HAUL_DBUS_ERROR_INVALID_URI);
  assert_add_fails (f, "http://127.0.0.1/x.bin?a=\x01", options_in_dir (f, NULL, NULL),
                    HAUL_DBUS_ERROR_INVALID_URI);
  assert_add_fails (f, "http://[::1", options_in_dir (f, NULL, NULL), HAUL_DBUS_ERROR_INVALID_URI);

  /* Properties out of their range are refused too, and change nothing. */
  {
    const char *bad_values[] = { "uint32 0", "uint32 1000", "'three'", NULL };

    for (guint i = 0; bad_values[i] != NULL; i++)
      {
        g_autoptr(GVariant) reply = NULL;

        reply = g_dbus_connection_call_sync (f->connection, BUS_NAME, MANAGER_PATH,
                                             "org.freedesktop.DBus.Properties", "Set",
                                             g_variant_new ("(ssv)", "io.github.haul.Manager1",
                                                            "MaxConcurrent",
                                                            g_variant_new_parsed (bad_values[i])),
                                             NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        g_assert_null (reply);
        g_test_message ("MaxConcurrent = %s: %s", bad_values[i], error->message);
        /* A wrong type is refused by GDBus itself, before the daemon sees it. */
        if (i < 2)
          g_assert_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_ARGUMENT);
        else
          g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
        g_clear_error (&error);
      }
    haul_test_iterate_for (100);
    g_assert_cmpuint (haul_manager1_get_max_concurrent (f->manager), ==, 3);
  }

  /* Nothing was created, and the daemon still answers. */
  objects = haul_object_manager_client_new_sync (f->connection, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                                 BUS_NAME, MANAGER_PATH, NULL, &error);
  g_assert_no_error (error);
  list = g_dbus_object_manager_get_objects (objects);
  g_assert_null (list);
  g_assert_true (name_has_owner (f));
  g_assert_cmpuint (haul_test_server_requests (f->server)->len, ==, 0);
}

static void
test_haulctl (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autofree char *uri = haul_test_server_uri (f->server, "/cli.bin");
  g_autofree char *file = g_build_filename (f->dir, "cli.bin", NULL);
  g_autofree char *path = NULL;
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autoptr(JsonNode) listing = NULL;
  g_autoptr(JsonNode) info = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(HaulTestRun) run = { 0 };
  g_autofree char *saved_address = NULL;
  JsonObject *item;

  /* haulctl finds the test bus through DBUS_SESSION_BUS_ADDRESS, set by dbus-run-session. */
  haul_test_run_haulctl (&run, "add", uri, "-d", f->dir, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "1\n");

  transfer = haul_transfer1_proxy_new_sync (f->connection, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME,
                                            MANAGER_PATH "/transfer/1", NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the transfer to complete", state_is (transfer, "completed"));
  haul_test_assert_file_equals (file, expected);

  haul_test_run_haulctl (&run, "list", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  listing = parse_json (run.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (listing)), ==, 1);
  item = json_array_get_object_element (json_node_get_array (listing), 0);
  g_assert_cmpint (json_object_get_int_member (item, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (item, "state"), ==, "completed");
  g_assert_cmpstr (json_object_get_string_member (item, "filename"), ==, "cli.bin");
  g_assert_cmpint (json_object_get_int_member (item, "bytes_received"), ==, 256 * KiB);

  haul_test_run_haulctl (&run, "info", "1", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  info = parse_json (run.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (info), "uri"), ==, uri);

  /* Wrong requests: a finished transfer cannot be paused; no such transfer; bad input. */
  haul_test_run_haulctl (&run, "pause", "1", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "completed"));
  haul_test_run_haulctl (&run, "info", "7", NULL);
  g_assert_cmpint (run.status, ==, 2);
  haul_test_run_haulctl (&run, "resume", "7", NULL);
  g_assert_cmpint (run.status, ==, 2);
  haul_test_run_haulctl (&run, "add", "ftp://127.0.0.1/x", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "ftp"));
  haul_test_run_haulctl (&run, "pause", NULL);
  g_assert_cmpint (run.status, ==, 2);
  /* Bad headers are refused before anything is sent, and nothing leaks on that path (a
   * leak would change the exit status under the sanitizers). */
  haul_test_run_haulctl (&run, "add", uri, "-H", "X-Good: 1", "-H", "no colon", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "Name: value"));
  haul_test_run_haulctl (&run, "add", uri, "-H", "Bad Name: x", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "header name"));

  /* A relative -d is resolved here, not in the service's working directory. */
  haul_test_run_haulctl (&run, "add", uri, "-d", "relative/dir", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "/relative/dir"));

  haul_test_run_haulctl (&run, "remove", "1", "--delete-file", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  haul_test_run_haulctl (&run, "list", "--json", NULL);
  g_assert_cmpstr (run.out, ==, "[]\n");

  haul_test_run_haulctl (&run, "quit", NULL);
  g_assert_cmpint (run.status, ==, 0);
  WAIT_FOR ("the daemon to exit", !name_has_owner (f));
  haul_test_run_haulctl (&run, "quit", NULL);
  g_assert_cmpint (run.status, ==, 0);

  /* No bus at all: exit status 3 and a sentence. */
  saved_address = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/haul-test-bus", TRUE);
  haul_test_run_haulctl (&run, "list", NULL);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", saved_address, TRUE);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "could not be reached"));
  g_assert_cmpuint (haul_test_server_requests (f->server)->len, ==, 1);
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
test_idle_exit (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(HaulTransfer1) transfer = NULL;

  /* With a 300 ms idle timeout, the service stays while a 2 s transfer runs... */
  transfer = add (f, "/idle.bin?size=262144&drip=131072", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the transfer to run", state_is (transfer, "running"));
  while (!state_is (transfer, "completed"))
    {
      g_assert_true (name_has_owner (f));
      haul_test_iterate_for (100);
    }

  /* ...and leaves soon after it completed. */
  WAIT_FOR ("the idle exit", !name_has_owner (f));
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
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *part = g_build_filename (f->dir, "c.bin.part", NULL);
  g_autofree char *json = g_build_filename (f->dir, "c.bin.part.json", NULL);
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autoptr(GError) error = NULL;

  /* Cancel as soon as the partial data exists, maybe before any progress was reported. */
  transfer = add (f, "/c.bin?size=1048576&drip=65536", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the .part", g_file_test (part, G_FILE_TEST_EXISTS));
  haul_transfer1_call_cancel_sync (transfer, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the cancel", state_is (transfer, "cancelled"));
  WAIT_FOR ("the partial data to go",
            !g_file_test (part, G_FILE_TEST_EXISTS) && !g_file_test (json, G_FILE_TEST_EXISTS));
  g_assert_cmpint (haul_transfer1_get_finished_at (transfer), >, 0);

  /* A cancelled transfer cannot be cancelled again, nor paused. */
  haul_transfer1_call_cancel_sync (transfer, NULL, &error);
  g_assert_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_STATE);
  g_clear_error (&error);
  haul_transfer1_call_pause_sync (transfer, NULL, &error);
  g_assert_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_STATE);
}

static void
test_kill_restart (Fixture       *f,
                   gconstpointer  data)
{
  HaulTransfer1 *transfers[5];
  g_autofree char *records = g_build_filename (g_get_user_state_dir (), "haul", "transfers", NULL);
  g_autoptr(GError) error = NULL;
  guint ranged = 0;

  haul_manager1_set_max_concurrent (f->manager, 5);
  WAIT_FOR ("MaxConcurrent", haul_manager1_get_max_concurrent (f->manager) == 5);

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *path = g_strdup_printf ("/k%u.bin?size=1048576&drip=262144", i);
      transfers[i] = add (f, path, options_in_dir (f, NULL, NULL));
    }
  for (guint i = 0; i < 5; i++)
    WAIT_FOR ("progress", received_of (f, i + 1) > 100 * KiB);

  /* A crash: no chance to save anything. */
  kill ((pid_t) daemon_pid (f), SIGKILL);
  WAIT_FOR ("the daemon to die", !name_has_owner (f));

  /* Any call activates it again, and it continues every transfer. */
  reactivate (f);
  for (guint i = 0; i < 5; i++)
    {
      g_clear_object (&transfers[i]);
      transfers[i] = transfer_proxy (f, i + 1);
    }
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("k%u.bin", i);
      g_autofree char *file = g_build_filename (f->dir, name, NULL);
      g_autoptr(GBytes) expected = haul_test_server_content (f->server, 1048576, 1);

      WAIT_FOR ("a transfer to complete", state_is (transfers[i], "completed"));
      haul_test_assert_file_equals (file, expected);
      g_clear_object (&transfers[i]);
    }

  /* They continued from their partial data rather than starting over. */
  for (guint i = 0; i < haul_test_server_requests (f->server)->len; i++)
    ranged += ((HaulTestRequest *) g_ptr_array_index (haul_test_server_requests (f->server), i))->range != NULL;
  g_assert_cmpuint (ranged, >=, 5);
  g_assert_true (g_file_test (records, G_FILE_TEST_IS_DIR));
}

static void
test_corrupt_record (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *records = g_build_filename (g_get_user_state_dir (), "haul", "transfers", NULL);
  g_autofree char *corrupt = g_build_filename (records, "9.json", NULL);
  g_autofree char *aside = g_build_filename (records, "9.json.corrupt", NULL);
  g_autofree char *good = g_build_filename (records, "1.json", NULL);
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autoptr(GError) error = NULL;

  /* One paused transfer on record, then the service stops. */
  transfer = add (f, "/p.bin", g_variant_new_parsed ("{'directory': <%s>, 'paused': <true>}", f->dir));
  WAIT_FOR ("the record", g_file_test (good, G_FILE_TEST_EXISTS));
  haul_manager1_call_quit_sync (f->manager, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the daemon to exit", !name_has_owner (f));

  g_assert_true (g_file_set_contents (corrupt, "{\"version\": 1, \"id\": 9, trunc", -1, NULL));
  reactivate (f);

  /* The damaged record is moved aside; the good one is back, still paused. */
  g_assert_false (g_file_test (corrupt, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));
  g_clear_object (&transfer);
  transfer = haul_transfer1_proxy_new_sync (f->connection, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME,
                                            MANAGER_PATH "/transfer/1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (haul_transfer1_get_state (transfer), ==, "paused");
  g_assert_cmpstr (haul_manager1_get_version (f->manager), ==, PACKAGE_VERSION);
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
test_set_uri (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) same = haul_test_server_content (f->server, 1048576, 1);
  g_autoptr(GBytes) other = haul_test_server_content (f->server, 1048576, 2);
  g_autofree char *file1 = g_build_filename (f->dir, "s.bin", NULL);
  g_autofree char *file2 = g_build_filename (f->dir, "t.bin", NULL);
  g_autofree char *mirror = haul_test_server_uri (f->server, "/mirror/s.bin?size=1048576");
  g_autofree char *changed = haul_test_server_uri (f->server, "/mirror/t.bin?size=1048576&variant=2");
  g_autoptr(HaulTransfer1) t1 = NULL;
  g_autoptr(HaulTransfer1) t2 = NULL;
  g_autoptr(GError) error = NULL;
  guint64 sent_before;

  /* The link expires: the connection drops after 300 kB and the next request is refused. */
  t1 = add (f, "/s.bin?size=1048576&drop=307200&expire=2", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the transfer to fail", state_is (t1, "failed"));
  g_test_message ("Error: %s", haul_transfer1_get_error (t1));
  g_assert_true (strstr (haul_transfer1_get_error (t1), "403") != NULL);

  /* Bad addresses are refused; a finished transfer keeps its own. */
  haul_transfer1_call_set_uri_sync (t1, "ftp://127.0.0.1/s.bin", NULL, &error);
  g_assert_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_UNSUPPORTED_SCHEME);
  g_clear_error (&error);
  haul_transfer1_call_set_uri_sync (t1, "not a url", NULL, &error);
  g_assert_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_URI);
  g_clear_error (&error);

  /* A new link to the same file (same size and ETag): it continues from its partial data. */
  sent_before = haul_test_server_bytes_sent (f->server);
  haul_transfer1_call_set_uri_sync (t1, mirror, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the transfer to complete", state_is (t1, "completed"));
  haul_test_assert_file_equals (file1, same);
  g_assert_cmpstr (haul_transfer1_get_uri (t1), ==, mirror);
  g_assert_cmpuint (ranged_requests (f, "/mirror/s.bin"), ==, 1);
  g_assert_cmpuint (haul_test_server_bytes_sent (f->server) - sent_before, <=, 1048576 - 300 * KiB);

  haul_transfer1_call_set_uri_sync (t1, mirror, NULL, &error);
  g_assert_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_STATE);
  g_clear_error (&error);

  /* A new link to a different file: it starts over, and the file is the new one whole. */
  t2 = add (f, "/t.bin?size=1048576&drop=307200&expire=2", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the transfer to fail", state_is (t2, "failed"));
  haul_transfer1_call_set_uri_sync (t2, changed, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the transfer to complete", state_is (t2, "completed"));
  haul_test_assert_file_equals (file2, other);
}

static void
test_set_uri_running (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) same = haul_test_server_content (f->server, 1048576, 1);
  g_autofree char *file = g_build_filename (f->dir, "r.bin", NULL);
  g_autofree char *mirror = haul_test_server_uri (f->server, "/mirror/r.bin?size=1048576");
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autoptr(GError) error = NULL;

  /* A running transfer moves to the new link without losing what it has. */
  transfer = add (f, "/r.bin?size=1048576&drip=262144", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("some progress", received_of (f, 1) > 100 * KiB);
  haul_transfer1_call_set_uri_sync (transfer, mirror, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the transfer to complete", state_is (transfer, "completed"));
  haul_test_assert_file_equals (file, same);
  g_assert_cmpuint (ranged_requests (f, "/mirror/r.bin"), ==, 1);
}


static void
on_state_changed_cb (GDBusProxy          *proxy,
                     GVariant            *changed,
                     const char * const  *invalidated,
                     GPtrArray           *states)
{
  const char *state;

  /* The figures come only in Progress, never as PropertiesChanged. */
  g_assert_false (g_variant_lookup (changed, "BytesReceived", "t", NULL));
  g_assert_false (g_variant_lookup (changed, "BytesTotal", "t", NULL));
  g_assert_false (g_variant_lookup (changed, "Rate", "t", NULL));
  if (g_variant_lookup (changed, "State", "&s", &state))
    g_ptr_array_add (states, g_strdup (state));
}

static gboolean
has_object (GDBusObjectManager *objects,
            const char         *path)
{
  g_autoptr(GDBusObject) object = g_dbus_object_manager_get_object (objects, path);

  return object != NULL;
}

static void
test_api (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 1048576, 1);
  g_autofree char *file = g_build_filename (f->dir, "api.bin", NULL);
  g_autofree char *part = g_build_filename (f->dir, "api.bin.part", NULL);
  g_autofree char *json = g_build_filename (f->dir, "api.bin.part.json", NULL);
  g_autofree char *uri = haul_test_server_uri (f->server, "/api.bin?size=1048576&drip=524288");
  g_autoptr(GPtrArray) states = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autoptr(HaulTransfer1) second = NULL;
  g_autoptr(GDBusObjectManager) objects = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  /* Resume queues the transfer and a free slot starts it at once: clients see it run. */
  const char * const seen[] = { "running", "paused", "running", "completed", NULL };
  guint64 paused_at;

  /* Added paused: every property says what was asked. */
  transfer = add (f, "/api.bin?size=1048576&drip=524288",
                  g_variant_new_parsed ("{'directory': <%s>, 'paused': <true>, 'segments': <uint32 2>}",
                                        f->dir));
  g_signal_connect (transfer, "g-properties-changed", G_CALLBACK (on_state_changed_cb), states);
  g_assert_cmpuint (haul_transfer1_get_id (transfer), ==, 1);
  g_assert_cmpstr (haul_transfer1_get_state (transfer), ==, "paused");
  g_assert_cmpstr (haul_transfer1_get_state_reason (transfer), ==, "");
  g_assert_cmpstr (haul_transfer1_get_uri (transfer), ==, uri);
  g_assert_cmpstr (haul_transfer1_get_effective_uri (transfer), ==, uri);
  g_assert_cmpstr (haul_transfer1_get_directory (transfer), ==, f->dir);
  g_assert_cmpstr (haul_transfer1_get_file_name (transfer), ==, "");
  g_assert_cmpstr (haul_transfer1_get_error (transfer), ==, "");
  g_assert_cmpstr (haul_transfer1_get_sha256 (transfer), ==, "");
  g_assert_cmpuint (haul_transfer1_get_segments (transfer), ==, 2);
  g_assert_false (haul_transfer1_get_discretionary (transfer));
  g_assert_cmpint (haul_transfer1_get_created_at (transfer), >=, now - 5);
  g_assert_cmpint (haul_transfer1_get_created_at (transfer), <=, now + 5);
  g_assert_cmpint (haul_transfer1_get_finished_at (transfer), ==, 0);
  g_assert_cmpuint (haul_manager1_get_active_count (f->manager), ==, 0);
  haul_test_iterate_for (300);
  g_assert_cmpuint (haul_test_server_requests (f->server)->len, ==, 0);

  /* Resume, pause half-way: the partial data and its resume data stay. */
  haul_transfer1_call_resume_sync (transfer, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("some progress", received_of (f, 1) > 200 * KiB);
  WAIT_FOR ("ActiveCount", haul_manager1_get_active_count (f->manager) == 1);
  haul_transfer1_call_pause_sync (transfer, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the pause", state_is (transfer, "paused"));
  g_assert_cmpstr (haul_transfer1_get_file_name (transfer), ==, "api.bin");
  g_assert_true (haul_transfer1_get_resumable (transfer));
  g_assert_true (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (json, G_FILE_TEST_EXISTS));
  haul_transfer1_call_pause_sync (transfer, NULL, &error);
  g_assert_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_STATE);
  g_clear_error (&error);
  paused_at = received_of (f, 1);

  /* Resume: it continues from there, with a range, and completes. */
  haul_transfer1_call_resume_sync (transfer, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the transfer to complete", state_is (transfer, "completed"));
  haul_test_assert_file_equals (file, expected);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (json, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (ranged_requests (f, "/api.bin"), ==, 1);
  g_assert_cmpuint (paused_at, >, 0);
  g_assert_cmpint (haul_transfer1_get_finished_at (transfer), >=, now);
  WAIT_FOR ("the last figures", received_of (f, 1) == 1048576);
  {
    g_autofree char *joined = NULL;

    g_ptr_array_add (states, NULL);
    joined = g_strjoinv (" ", (char **) states->pdata);
    g_test_message ("States seen: %s", joined);
    g_assert_cmpstrv ((const char * const *) states->pdata, seen);
    g_ptr_array_remove_index (states, states->len - 1);
  }

  /* What a completed transfer refuses, and what it takes. */
  haul_transfer1_call_resume_sync (transfer, NULL, &error);
  g_assert_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_STATE);
  g_clear_error (&error);
  haul_transfer1_call_cancel_sync (transfer, NULL, &error);
  g_assert_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_STATE);
  g_clear_error (&error);
  haul_transfer1_call_set_discretionary_sync (transfer, TRUE, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("Discretionary", haul_transfer1_get_discretionary (transfer));

  /* Remove without the file: the object goes, the file stays. */
  objects = haul_object_manager_client_new_sync (f->connection, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                                 BUS_NAME, MANAGER_PATH, NULL, &error);
  g_assert_no_error (error);
  haul_transfer1_call_remove_sync (transfer, FALSE, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the object to go", !has_object (objects, MANAGER_PATH "/transfer/1"));
  haul_test_assert_file_equals (file, expected);

  /* IDs are never reused, even once the newest is gone and the service started again. */
  haul_manager1_call_quit_sync (f->manager, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the daemon to exit", !name_has_owner (f));
  connect_manager (f);
  second = add (f, "/api2.bin", options_in_dir (f, NULL, NULL));
  g_assert_cmpuint (haul_transfer1_get_id (second), ==, 2);
  WAIT_FOR ("the transfer to complete", state_is (second, "completed"));
}

static GPtrArray *
states_printed (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GPtrArray *states = g_ptr_array_new_with_free_func (g_free);
  static const char * const names[] = {
    "queued", "waiting", "running", "paused", "completed", "failed", "cancelled", NULL
  };

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit_set (lines[i], " :", 3);

      if (words[0] != NULL && words[1] != NULL && g_strv_contains (names, words[1]))
        g_ptr_array_add (states, g_strdup (words[1]));
    }
  return states;
}

static void
test_two_clients (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 512 * KiB, 1);
  g_autofree char *file = g_build_filename (f->dir, "two.bin", NULL);
  g_autoptr(GPtrArray) mine = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) theirs = NULL;
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autoptr(GSubprocess) watcher = NULL;
  g_auto(HaulTestRun) run = { 0 };
  const char * const watch_argv[] = { "watch", "1", NULL };
  g_autofree char *good = haul_test_server_uri (f->server, "/gone.bin?size=262144");
  g_autofree char *bad = haul_test_server_uri (f->server, "/gone.bin?status=404&times=99");
  g_autofree char *ok_uri = haul_test_server_uri (f->server, "/waited.bin?size=262144");

  /* This test and `haulctl watch` follow the same transfer from its start. */
  transfer = add (f, "/two.bin?size=524288&drip=262144",
                  g_variant_new_parsed ("{'directory': <%s>, 'paused': <true>}", f->dir));
  g_signal_connect (transfer, "g-properties-changed", G_CALLBACK (on_state_changed_cb), mine);
  watcher = haul_test_spawn_haulctl_argv (watch_argv);
  /* Give the watcher the time to connect before anything happens. */
  haul_test_iterate_for (500);
  haul_transfer1_call_resume_sync (transfer, NULL, NULL);
  WAIT_FOR ("the transfer to complete", state_is (transfer, "completed"));
  haul_test_finish_haulctl (&run, watcher);
  g_assert_cmpint (run.status, ==, 0);
  g_test_message ("haulctl watch printed:\n%s", run.out);
  haul_test_assert_file_equals (file, expected);

  /* Both saw it run and complete, in the same order, and the watcher saw it all arrive. */
  theirs = states_printed (run.out);
  g_assert_cmpuint (theirs->len, >=, 2);
  g_assert_cmpstr (g_ptr_array_index (theirs, theirs->len - 1), ==, "completed");
  g_assert_cmpstr (g_ptr_array_index (mine, mine->len - 1), ==, "completed");
  g_assert_true (g_ptr_array_find_with_equal_func (theirs, "running", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (mine, "running", g_str_equal, NULL));
  g_assert_nonnull (strstr (run.out, "(100%)"));

  /* add --wait: the ID at once, then the result as the exit status. */
  haul_test_run_haulctl (&run, "add", "--wait", ok_uri, "-d", f->dir, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "2\n");
  g_assert_true (haul_test_file_exists (f->dir, "waited.bin"));
  haul_test_run_haulctl (&run, "add", "--wait", bad, "-d", f->dir, NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "3\n");
  g_assert_nonnull (strstr (run.err, "404"));

  /* set-uri gives the failed one a working link; watch waits for it. */
  haul_test_run_haulctl (&run, "set-uri", "3", good, NULL);
  g_assert_cmpint (run.status, ==, 0);
  haul_test_run_haulctl (&run, "watch", "3", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (haul_test_file_exists (f->dir, "gone.bin"));
  haul_test_run_haulctl (&run, "set-uri", "3", "ftp://127.0.0.1/x", NULL);
  g_assert_cmpint (run.status, ==, 2);
  haul_test_run_haulctl (&run, "set-uri", "9", good, NULL);
  g_assert_cmpint (run.status, ==, 2);
  haul_test_run_haulctl (&run, "watch", "9", NULL);
  g_assert_cmpint (run.status, ==, 2);
}


/* A second session bus of our own, to take away as a logout does. */
typedef struct
{
  GSubprocess     *bus;
  GDBusConnection *connection;
} OtherBus;

static void
other_bus_start (Fixture  *f,
                 OtherBus *other)
{
  const char *config = g_getenv ("HAUL_TEST_BUS_CONFIG");
  g_autofree char *config_arg = g_strconcat ("--config-file=", config, NULL);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (config);
  other->bus = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "dbus-daemon",
                                 config_arg, "--nofork", "--print-address=1", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (other->bus));
  address = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);
  other->connection = g_dbus_connection_new_for_address_sync (address,
                                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                              G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                              NULL, NULL, &error);
  g_assert_no_error (error);
  update_activation_environment (f, other->connection, NULL);
}

static GSubprocess *
spawn_daemon_autostart (Fixture *f)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  EnvVar env[10];
  guint n = session_environment (f, NULL, env);
  GSubprocess *proc;

  /* Started the way a login session starts it, with the same environment. */
  for (guint i = 0; i < n; i++)
    g_subprocess_launcher_setenv (launcher, env[i].name, env[i].value, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("HAUL_DAEMON"), "--autostart", NULL);
  g_assert_no_error (error);
  return proc;
}

static void
on_exited_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static void
test_bus_gone (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 1048576, 1);
  g_autofree char *file = g_build_filename (f->dir, "logout.bin", NULL);
  g_autofree char *part = g_build_filename (f->dir, "logout.bin.part", NULL);
  g_autofree char *json = g_build_filename (f->dir, "logout.bin.part.json", NULL);
  g_autofree char *record_path = g_build_filename (g_get_user_state_dir (), "haul", "transfers",
                                                   "1.json", NULL);
  g_autofree char *uri = haul_test_server_uri (f->server, "/logout.bin?size=1048576&drip=262144");
  g_autoptr(HaulManager1) manager = NULL;
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autoptr(GSubprocess) autostart = NULL;
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(GVariant) pid_reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  OtherBus other = { 0 };
  struct stat st;
  guint pid;

  /* The fixture's daemon on the main bus must not hold the same records meanwhile. */
  haul_manager1_call_quit_sync (f->manager, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the daemon to exit", !name_has_owner (f));

  /* A session of its own, with a transfer running in it. */
  other_bus_start (f, &other);
  manager = haul_manager1_proxy_new_sync (other.connection, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME,
                                          MANAGER_PATH, NULL, &error);
  g_assert_no_error (error);
  haul_manager1_call_add_sync (manager, uri, options_in_dir (f, NULL, NULL), &path, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("some data", g_stat (part, &st) == 0 && st.st_size > 200 * KiB);
  pid_reply = g_dbus_connection_call_sync (other.connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                           g_variant_new ("(s)", BUS_NAME), G_VARIANT_TYPE ("(u)"),
                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (pid_reply, "(u)", &pid);

  /* Logout: the bus goes away. The daemon saves and exits on its own. */
  g_subprocess_send_signal (other.bus, SIGTERM);
  g_subprocess_wait (other.bus, NULL, NULL);
  WAIT_FOR ("the daemon to exit", process_gone (pid));
  g_clear_object (&manager);
  g_clear_object (&other.connection);
  g_clear_object (&other.bus);

  /* Its record says it is unfinished, and the resume data is beside the partial file. */
  g_assert_true (g_file_test (json, G_FILE_TEST_EXISTS));
  record = read_json_file (record_path);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (record), "state"), ==, "queued");

  /* The next login's autostart continues it, from its partial data. */
  autostart = spawn_daemon_autostart (f);
  WAIT_FOR ("the service", name_has_owner (f));
  transfer = transfer_proxy (f, 1);

  /* A second autostart while the service runs leaves it alone, successfully. */
  {
    g_autoptr(GSubprocess) again = spawn_daemon_autostart (f);
    gboolean exited = FALSE;

    g_subprocess_wait_async (again, NULL, on_exited_cb, &exited);
    WAIT_FOR ("the second autostart to exit", exited);
    g_assert_true (g_subprocess_get_successful (again));
    g_assert_true (name_has_owner (f));
  }
  WAIT_FOR ("the transfer to complete", state_is (transfer, "completed"));
  haul_test_assert_file_equals (file, expected);
  g_assert_cmpuint (ranged_requests (f, "/logout.bin"), ==, 1);

  /* Done, and nothing else unfinished: a second autostart leaves at once. */
  connect_manager (f);
  haul_manager1_call_quit_sync (f->manager, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait (autostart, NULL, NULL);
  g_assert_true (g_subprocess_get_successful (autostart));
  g_clear_object (&autostart);
  autostart = spawn_daemon_autostart (f);
  {
    gboolean exited = FALSE;

    g_subprocess_wait_async (autostart, NULL, on_exited_cb, &exited);
    WAIT_FOR ("autostart to exit", exited);
  }
  g_assert_true (g_subprocess_get_successful (autostart));
}


/* The committed offset of a single-stream download's resume data (in @object). */
static gint64
synced_of (JsonObject *resume)
{
  JsonArray *segments = json_object_get_array_member (resume, "segments");

  g_assert_cmpuint (json_array_get_length (segments), ==, 1);
  return json_object_get_int_member (json_array_get_object_element (segments, 0), "synced");
}

static gint64
record_synced (guint id)
{
  g_autoptr(JsonNode) record = record_of (id);
  JsonObject *object = record != NULL ? json_node_get_object (record) : NULL;

  if (object == NULL || !json_object_has_member (object, "resume"))
    return 0;
  return synced_of (json_object_get_object_member (object, "resume"));
}

static const char *
first_range_since (Fixture    *f,
                   const char *path,
                   guint       since)
{
  GPtrArray *requests = haul_test_server_requests (f->server);

  for (guint i = since; i < requests->len; i++)
    {
      HaulTestRequest *req = g_ptr_array_index (requests, i);

      if (g_str_equal (req->path, path))
        return req->range;
    }
  return NULL;
}

#define OTHER_BOOT "00000000-0000-4000-8000-000000000000"

static void
test_reboot (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 2097152, 1);
  g_autofree char *file1 = g_build_filename (f->dir, "boot1.bin", NULL);
  g_autofree char *file2 = g_build_filename (f->dir, "boot2.bin", NULL);
  g_autofree char *part1 = g_build_filename (f->dir, "boot1.bin.part", NULL);
  g_autofree char *part2 = g_build_filename (f->dir, "boot2.bin.part", NULL);
  g_autofree char *json1 = g_build_filename (f->dir, "boot1.bin.part.json", NULL);
  g_autofree char *json2 = g_build_filename (f->dir, "boot2.bin.part.json", NULL);
  g_autofree char *record2_path = g_build_filename (g_get_user_state_dir (), "haul", "transfers",
                                                    "2.json", NULL);
  g_autofree char *range1 = NULL;
  g_autofree char *range2 = NULL;
  g_autoptr(HaulTransfer1) t1 = NULL;
  g_autoptr(HaulTransfer1) t2 = NULL;
  g_autoptr(JsonNode) resume1 = NULL;
  g_autoptr(JsonNode) record2 = NULL;
  JsonObject *resume2;
  gint64 synced1, synced2;
  struct stat st;
  guint since;

  /* Two 2 MiB transfers at 256 kB/s: checkpoints every 2 s, data in between. */
  t1 = add (f, "/boot1.bin?size=2097152&drip=262144", options_in_dir (f, NULL, NULL));
  t2 = add (f, "/boot2.bin?size=2097152&drip=262144", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("checkpoints in both records", record_synced (1) > 0 && record_synced (2) > 0);
  WAIT_FOR ("data past the checkpoints",
            g_stat (part1, &st) == 0 && st.st_size > record_synced (1) + 100 * KiB &&
            g_stat (part2, &st) == 0 && st.st_size > record_synced (2) + 100 * KiB);

  /* The machine goes down. */
  kill ((pid_t) daemon_pid (f), SIGKILL);
  WAIT_FOR ("the daemon to die", !name_has_owner (f));

  /* It comes back as another boot. Transfer 1 has its resume data beside the file;
   * transfer 2 lost it, and only the copy in its record is left. */
  resume1 = read_json_file (json1);
  json_object_set_string_member (json_node_get_object (resume1), "boot-id", OTHER_BOOT);
  write_json_file (json1, resume1);
  synced1 = synced_of (json_node_get_object (resume1));

  g_assert_cmpint (g_unlink (json2), ==, 0);
  record2 = read_json_file (record2_path);
  resume2 = json_object_get_object_member (json_node_get_object (record2), "resume");
  json_object_set_string_member (resume2, "boot-id", OTHER_BOOT);
  write_json_file (record2_path, record2);
  synced2 = synced_of (resume2);

  g_assert_cmpint (synced1, >, 0);
  g_assert_cmpint (synced2, >, 0);
  g_assert_cmpint (g_stat (part1, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, synced1);
  g_assert_cmpint (g_stat (part2, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, synced2);

  /* Both continue from the committed offsets only: not from what the files hold. */
  since = haul_test_server_requests (f->server)->len;
  reactivate (f);
  g_clear_object (&t1);
  g_clear_object (&t2);
  t1 = transfer_proxy (f, 1);
  t2 = transfer_proxy (f, 2);
  WAIT_FOR ("both to complete", state_is (t1, "completed") && state_is (t2, "completed"));
  haul_test_assert_file_equals (file1, expected);
  haul_test_assert_file_equals (file2, expected);

  range1 = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", synced1);
  range2 = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", synced2);
  g_test_message ("resumed with %s and %s", first_range_since (f, "/boot1.bin", since),
                  first_range_since (f, "/boot2.bin", since));
  g_assert_true (g_str_has_prefix (first_range_since (f, "/boot1.bin", since), range1));
  g_assert_true (g_str_has_prefix (first_range_since (f, "/boot2.bin", since), range2));
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


static void
test_all (Fixture       *f,
          gconstpointer  data)
{
  HaulTransfer1 *t[3];
  g_auto(HaulTestRun) run = { 0 };
  g_autoptr(GError) error = NULL;

  /* Three transfers added paused; ResumeAll starts them, PauseAll stops them. */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("/all%u.bin?size=1048576&drip=131072", i);

      t[i] = add (f, path, g_variant_new_parsed ("{'directory': <%s>, 'paused': <true>}", f->dir));
      g_assert_true (state_is (t[i], "paused"));
    }
  haul_manager1_call_resume_all_sync (f->manager, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("all to run", state_is (t[0], "running") && state_is (t[1], "running") &&
                          state_is (t[2], "running"));
  haul_manager1_call_pause_all_sync (f->manager, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("all to pause", state_is (t[0], "paused") && state_is (t[1], "paused") &&
                            state_is (t[2], "paused"));

  /* The same from haulctl, then cancel --all: partial data gone, still listed. */
  haul_test_run_haulctl (&run, "resume", "--all", NULL);
  g_assert_cmpint (run.status, ==, 0);
  WAIT_FOR ("all to run", state_is (t[0], "running") && state_is (t[1], "running") &&
                          state_is (t[2], "running"));
  haul_test_run_haulctl (&run, "cancel", "--all", NULL);
  g_assert_cmpint (run.status, ==, 0);
  WAIT_FOR ("all to be cancelled", state_is (t[0], "cancelled") && state_is (t[1], "cancelled") &&
                                   state_is (t[2], "cancelled"));
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("all%u.bin.part", i);

      WAIT_FOR ("the partial data to go", !haul_test_file_exists (f->dir, name));
      g_clear_object (&t[i]);
    }
  haul_test_run_haulctl (&run, "list", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "cancelled"));
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);
  /* Never touch a real session: only the bus of dbus-run-session that meson gives us. */
  if (g_getenv ("HAUL_TEST_BUS") == NULL)
    g_error ("Run this test with meson test: it needs its private bus");
  /* Register the error domain before any call, so that replies map onto it. */
  g_type_ensure (G_TYPE_DBUS_CONNECTION);
  (void) HAUL_DBUS_ERROR;

  g_test_add ("/daemon/add-completes", Fixture, NULL, fixture_setup, test_add_completes,
              fixture_teardown);
  g_test_add ("/daemon/bad-input", Fixture, NULL, fixture_setup, test_bad_input,
              fixture_teardown);
  g_test_add ("/daemon/haulctl", Fixture, NULL, fixture_setup, test_haulctl, fixture_teardown);
  g_test_add ("/daemon/max-concurrent", Fixture, NULL, fixture_setup, test_max_concurrent,
              fixture_teardown);
  g_test_add ("/daemon/idle-exit", Fixture, "300", fixture_setup, test_idle_exit,
              fixture_teardown);
  g_test_add ("/daemon/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/daemon/speed-limit", Fixture, NULL, fixture_setup, test_transfer_speed_limit,
              fixture_teardown);
  g_test_add ("/daemon/kill-restart", Fixture, NULL, fixture_setup, test_kill_restart,
              fixture_teardown);
  g_test_add ("/daemon/corrupt-record", Fixture, NULL, fixture_setup, test_corrupt_record,
              fixture_teardown);

  g_test_add ("/daemon/offline", Fixture, NULL, fixture_setup, test_offline, fixture_teardown);
  g_test_add ("/daemon/discretionary", Fixture, NULL, fixture_setup, test_discretionary,
              fixture_teardown);
  g_test_add ("/daemon/retry-wait", Fixture, NULL, fixture_setup, test_retry_wait,
              fixture_teardown);
  g_test_add ("/daemon/set-uri", Fixture, NULL, fixture_setup, test_set_uri, fixture_teardown);
  g_test_add ("/daemon/set-uri-running", Fixture, NULL, fixture_setup, test_set_uri_running,
              fixture_teardown);

  g_test_add ("/daemon/api", Fixture, NULL, fixture_setup, test_api, fixture_teardown);
  g_test_add ("/daemon/two-clients", Fixture, NULL, fixture_setup, test_two_clients,
              fixture_teardown);

  g_test_add ("/daemon/bus-gone", Fixture, NULL, fixture_setup, test_bus_gone, fixture_teardown);

  g_test_add ("/daemon/reboot", Fixture, NULL, fixture_setup, test_reboot, fixture_teardown);

  g_test_add ("/daemon/global-speed-limit", Fixture, NULL, fixture_setup, test_global_speed_limit,
              fixture_teardown);

  g_test_add ("/daemon/all", Fixture, NULL, fixture_setup, test_all, fixture_teardown);

  return g_test_run ();
}
