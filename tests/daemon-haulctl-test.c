/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "daemon-haulctl-test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "haul-dbus-error.h"
#include "haul-dbus-generated.h"
#include "daemon-test-utils.h"

/* haulctl's commands that talk to the service. */

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
  g_assert_nonnull (strstr (run.err, "give transfer IDs or --all"));
  /* Each wrong use of the options says what is wrong, and nothing is removed. */
  haul_test_run_haulctl (&run, "remove", "--all", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "--all is not accepted here"));
  haul_test_run_haulctl (&run, "remove", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "give transfer IDs\n"));
  haul_test_run_haulctl (&run, "pause", "1", "--all", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "not both"));
  haul_test_run_haulctl (&run, "pause", "1", "--delete-file", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "only for remove"));
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (haul_transfer1_get_state (transfer), ==, "completed");
  {
    g_autoptr(JsonNode) still = NULL;

    haul_test_run_haulctl (&run, "list", "--json", NULL);
    g_assert_cmpint (run.status, ==, 0);
    still = parse_json (run.out);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (still)), ==, 1);
  }
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

  g_test_add ("/daemon/haulctl", Fixture, NULL, fixture_setup, test_haulctl, fixture_teardown);
  g_test_add ("/daemon/all", Fixture, NULL, fixture_setup, test_all, fixture_teardown);

  return g_test_run ();
}
