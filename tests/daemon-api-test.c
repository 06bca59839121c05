/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "daemon-api-test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "haul-dbus-error.h"
#include "haul-dbus-generated.h"
#include "daemon-test-utils.h"

/* The service's D-Bus interface: adding, the checks of bad input, every method and
 * property of Transfer1, fresh links, Snapshot against GetManagedObjects, and two clients
 * watching one transfer. */

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

static GVariant *
snapshot (Fixture            *f,
          const char * const *names,
          GError            **error)
{
  g_autoptr(GVariant) reply = NULL;
  GVariant *columns;

  reply = g_dbus_connection_call_sync (f->connection, BUS_NAME, MANAGER_PATH,
                                       "io.github.haul.Manager1", "Snapshot",
                                       g_variant_new ("(^as)", names), G_VARIANT_TYPE ("(a{sv})"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(@a{sv})", &columns);
  return columns;
}

/* The row of transfer @id in @columns, by the "Id" column. */
static guint
row_of (GVariant *columns,
        guint     id)
{
  g_autoptr(GVariant) ids = g_variant_lookup_value (columns, "Id", G_VARIANT_TYPE ("au"));
  gsize n = 0;
  const guint32 *values = g_variant_get_fixed_array (ids, &n, sizeof (guint32));

  for (gsize i = 0; i < n; i++)
    if (values[i] == id)
      return (guint) i;
  g_assert_not_reached ();
}

static void
test_snapshot (Fixture       *f,
               gconstpointer  data)
{
  const char * const all[] = { NULL };
  const char * const some[] = { "State", "Uri", NULL };
  const char * const unknown[] = { "State", "Nonsense", NULL };
  g_autoptr(HaulTransfer1) done = NULL;
  g_autoptr(HaulTransfer1) paused = NULL;
  g_autoptr(HaulTransfer1) failed = NULL;
  g_autoptr(GVariant) columns = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GError) error = NULL;
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;
  guint compared = 0;

  /* No transfers: every column is there, empty. */
  columns = snapshot (f, all, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GVariant) ids = g_variant_lookup_value (columns, "Id", G_VARIANT_TYPE ("au"));

    g_assert_nonnull (ids);
    g_assert_cmpuint (g_variant_n_children (ids), ==, 0);
  }
  g_clear_pointer (&columns, g_variant_unref);

  done = add (f, "/snap-done.bin", options_in_dir (f, NULL, NULL));
  paused = add (f, "/snap-paused.bin", options_in_dir (f, "paused", g_variant_new_boolean (TRUE)));
  failed = add (f, "/snap-failed.bin?status=404&times=99", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the first to complete", state_is (done, "completed"));
  WAIT_FOR ("the third to fail", state_is (failed, "failed"));

  /* The same values as the ObjectManager's, for every property of every transfer. */
  columns = snapshot (f, all, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (f->connection, BUS_NAME, MANAGER_PATH,
                                       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                       NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  objects = g_variant_get_child_value (reply, 0);
  g_assert_cmpuint (g_variant_n_children (objects), ==, 3);
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) props = g_variant_lookup_value (interfaces, "io.github.haul.Transfer1",
                                                          G_VARIANT_TYPE_VARDICT);
      guint id = haul_transfer_id_from_object_path (path);
      guint row = row_of (columns, id);
      GVariantIter piter;
      const char *name;
      GVariant *value;

      g_assert_nonnull (props);
      g_assert_cmpuint (id, >, 0);
      g_variant_iter_init (&piter, props);
      while (g_variant_iter_next (&piter, "{&sv}", &name, &value))
        {
          g_autoptr(GVariant) column = g_variant_lookup_value (columns, name, NULL);
          g_autoptr(GVariant) cell = NULL;

          g_assert_nonnull (column);
          g_assert_cmpuint (g_variant_n_children (column), ==, 3);
          cell = g_variant_get_child_value (column, row);
          if (!g_variant_equal (cell, value))
            {
              g_autofree char *a = g_variant_print (cell, TRUE);
              g_autofree char *b = g_variant_print (value, TRUE);

              g_error ("Transfer %u, %s: Snapshot says %s, GetManagedObjects %s", id, name, a, b);
            }
          compared++;
          g_variant_unref (value);
        }
      /* And nothing the ObjectManager lacks. */
      g_assert_cmpuint (g_variant_n_children (columns), ==, g_variant_n_children (props));
      g_variant_unref (interfaces);
    }
  g_assert_cmpuint (compared, >=, 3 * 15);
  g_clear_pointer (&columns, g_variant_unref);

  /* Chosen properties: those, and always the ID. */
  columns = snapshot (f, some, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (columns), ==, 3);
  {
    g_autoptr(GVariant) states = g_variant_lookup_value (columns, "State", G_VARIANT_TYPE_STRING_ARRAY);
    g_autoptr(GVariant) uris = g_variant_lookup_value (columns, "Uri", G_VARIANT_TYPE_STRING_ARRAY);
    const char *state;

    g_assert_nonnull (uris);
    g_variant_get_child (states, row_of (columns, haul_transfer1_get_id (paused)), "&s", &state);
    g_assert_cmpstr (state, ==, "paused");
    g_variant_get_child (states, row_of (columns, haul_transfer1_get_id (failed)), "&s", &state);
    g_assert_cmpstr (state, ==, "failed");
  }

  /* An unknown name is refused, by name. */
  g_assert_null (snapshot (f, unknown, &error));
  g_assert_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "Nonsense"));
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add ("/daemon/add-completes", Fixture, NULL, fixture_setup, test_add_completes,
              fixture_teardown);
  g_test_add ("/daemon/bad-input", Fixture, NULL, fixture_setup, test_bad_input,
              fixture_teardown);
  g_test_add ("/daemon/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/daemon/set-uri", Fixture, NULL, fixture_setup, test_set_uri, fixture_teardown);
  g_test_add ("/daemon/set-uri-running", Fixture, NULL, fixture_setup, test_set_uri_running,
              fixture_teardown);
  g_test_add ("/daemon/api", Fixture, NULL, fixture_setup, test_api, fixture_teardown);
  g_test_add ("/daemon/snapshot", Fixture, NULL, fixture_setup, test_snapshot, fixture_teardown);
  g_test_add ("/daemon/two-clients", Fixture, NULL, fixture_setup, test_two_clients,
              fixture_teardown);

  return g_test_run ();
}
