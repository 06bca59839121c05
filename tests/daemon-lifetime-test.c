/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "daemon-lifetime-test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "haul-dbus-error.h"
#include "haul-dbus-generated.h"
#include "daemon-test-utils.h"

/* The service's lifetime: the idle exit, a kill, damaged records, the session bus
 * going away (a logout), and a reboot. */

typedef struct
{
  GSubprocess     *bus;
  GDBusConnection *connection;
} OtherBus;

#define OTHER_BOOT "00000000-0000-4000-8000-000000000000"

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

static gint64
file_size (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 ? (gint64) st.st_size : -1;
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
  /* Each has partial data on disk, and the resume data beside it: what a crash leaves
   * behind. (Progress counts what was read; the write lands a moment later.) */
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *part = g_strdup_printf ("%s/k%u.bin.part", f->dir, i);
      g_autofree char *json = g_strdup_printf ("%s/k%u.bin.part.json", f->dir, i);

      WAIT_FOR ("progress", received_of (f, i + 1) > 100 * KiB);
      WAIT_FOR ("partial data on disk", file_size (part) > 64 * KiB &&
                g_file_test (json, G_FILE_TEST_EXISTS));
    }

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

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add ("/daemon/idle-exit", Fixture, "300", fixture_setup, test_idle_exit,
              fixture_teardown);
  g_test_add ("/daemon/kill-restart", Fixture, NULL, fixture_setup, test_kill_restart,
              fixture_teardown);
  g_test_add ("/daemon/corrupt-record", Fixture, NULL, fixture_setup, test_corrupt_record,
              fixture_teardown);
  g_test_add ("/daemon/bus-gone", Fixture, NULL, fixture_setup, test_bus_gone, fixture_teardown);
  g_test_add ("/daemon/reboot", Fixture, NULL, fixture_setup, test_reboot, fixture_teardown);

  return g_test_run ();
}
