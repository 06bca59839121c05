/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "daemon-records-test"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "haul-dbus-error.h"
#include "daemon-test-utils.h"

/* The daemon's records are input like any client's: a record that breaks a rule of Add
 * is set aside and the others load; nothing read from one leaves its directory; and every
 * property a client is shown survives a restart. */

/* A record the daemon would write for a paused transfer of @uri in @dir, as JSON text
 * with @key replaced by @value (raw JSON), or added when missing. */
static char *
record_text (guint       id,
             const char *uri,
             const char *dir,
             const char *key,
             const char *value)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = g_strdup_printf ("{\"version\": 1, \"id\": %u, \"uri\": \"%s\", "
                                           "\"effective-uri\": \"%s\", \"directory\": \"%s\", "
                                           "\"filename\": \"r%u.bin\", \"name-claimed\": true, "
                                           "\"state\": \"queued\", \"error\": \"\", \"sha256\": \"\", "
                                           "\"segments\": 4, \"discretionary\": false, "
                                           "\"overwrite\": false, \"speed-limit\": 0, "
                                           "\"headers\": [], \"bytes-received\": 0, "
                                           "\"bytes-total\": 0, \"created-at\": 1, \"finished-at\": 0}",
                                           id, uri, uri, dir, id);
  g_autoptr(JsonNode) replacement = NULL;
  JsonObject *object;

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  if (key != NULL)
    {
      g_autoptr(JsonParser) value_parser = json_parser_new ();
      g_autofree char *wrapped = g_strdup_printf ("[%s]", value);

      g_assert_true (json_parser_load_from_data (value_parser, wrapped, -1, NULL));
      replacement = json_array_dup_element (json_node_get_array (json_parser_get_root (value_parser)), 0);
      json_object_set_member (object, key, g_steal_pointer (&replacement));
    }
  return json_to_string (json_parser_get_root (parser), TRUE);
}

static void
write_record (guint       id,
              const char *text)
{
  g_autofree char *path = record_path (id);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
test_hostile_records (Fixture       *f,
                      gconstpointer  data)
{
  static const struct {
    const char *key;
    const char *value;
  } bad[] = {
    { "uri", "\"file:///etc/passwd\"" },
    { "uri", "\"http://[::1\"" },
    { "uri", "\"http://127.0.0.1:0/x\"" },
    { "uri", "\"http://exa mple.org/x\"" },
    { "uri", "5" },
    { "effective-uri", "\"gopher://x/\"" },
    { "filename", "\"../victim/out\"" },
    { "filename", "\"/tmp/haul-record-escape\"" },
    { "filename", "\".hidden\"" },
    { "requested-filename", "\"../victim/out\"" },
    { "directory", "\"relative/dir\"" },
    { "headers", "[\"X\\nY: v\"]" },
    { "headers", "[\"X: Y: v\", \"Range: bytes=0-\"]" },
    { "headers", "[\"Bad Name: v\"]" },
    { "headers", "\"X-A: b\"" },
    { "segments", "99" },
    { "segments", "0" },
    { "bytes-received", "100" },
    { "bytes-total", "-5" },
    { "state", "\"exploded\"" },
    { "error", "\"\\ud800x\"" },
    { "sha256", "\"xyz\"" },
    { "id", "4242" },
    { "resume", "{\"version\": 1}" },
    { "speed-limit", "\"fast\"" },
  };
  g_autofree char *parent = g_path_get_dirname (f->dir);
  g_autofree char *victim_dir = g_build_filename (parent, "victim", NULL);
  g_autofree char *victim = g_build_filename (victim_dir, "out", NULL);
  g_autofree char *good_uri = haul_test_server_uri (f->server, "/good.bin");
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *good = NULL;
  guint pid;

  g_assert_cmpint (g_mkdir_with_parents (victim_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (victim, "precious", -1, NULL));
  quit_daemon (f);

  /* One good paused record among hostile ones. Record 2 has bytes-total 10 for the
   * "bytes-received 100" case to mean something. */
  good = record_text (1, good_uri, f->dir, "state", "\"paused\"");
  write_record (1, good);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *uri = haul_test_server_uri (f->server, "/bad.bin");
      g_autofree char *text = record_text (i + 2, uri, f->dir, bad[i].key, bad[i].value);

      if (g_str_equal (bad[i].key, "bytes-received"))
        {
          g_autofree char *with_total = g_strdup (text);
          char *at = strstr (with_total, "\"bytes-total\" : 0");

          g_assert_nonnull (at);
          memcpy (at, "\"bytes-total\" : 9", strlen ("\"bytes-total\" : 9"));
          write_record (i + 2, with_total);
        }
      else
        write_record (i + 2, text);
    }

  /* The service starts, and again at the next start: not one record kills it. */
  for (guint round = 0; round < 2; round++)
    {
      reactivate (f);
      pid = daemon_pid (f);
      paths = transfer_paths (f);
      g_assert_cmpuint (paths->len, ==, 1);
      g_assert_cmpstr (g_ptr_array_index (paths, 0), ==, MANAGER_PATH "/transfer/1");
      g_clear_pointer (&paths, g_ptr_array_unref);

      for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
        {
          g_autofree char *path = record_path (i + 2);
          g_autofree char *aside = g_strconcat (path, ".corrupt", NULL);

          g_test_message ("record %u (%s = %s) set aside", i + 2, bad[i].key, bad[i].value);
          g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
          g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));
        }
      /* The good one resumes and finishes; nothing outside the directory was touched. */
      if (round == 0)
        {
          g_autoptr(HaulTransfer1) transfer = transfer_proxy (f, 1);

          haul_transfer1_call_resume_sync (transfer, NULL, &error);
          g_assert_no_error (error);
          WAIT_FOR ("the good transfer", state_is (transfer, "completed"));
        }
      g_assert_cmpuint (daemon_pid (f), ==, pid);
      quit_daemon (f);
    }
  g_assert_true (haul_test_file_exists (f->dir, "r1.bin"));
  {
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (victim, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "precious");
  }
  g_assert_false (g_file_test ("/tmp/haul-record-escape", G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test ("/tmp/haul-record-escape.part", G_FILE_TEST_EXISTS));
  reactivate (f);
  g_unlink (victim);
  g_rmdir (victim_dir);
}

/* All of one transfer's properties, as a client reads them. */
static GVariant *
all_properties (Fixture *f,
                guint    id)
{
  g_autofree char *path = g_strdup_printf ("%s/transfer/%u", MANAGER_PATH, id);
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  reply = g_dbus_connection_call_sync (f->connection, BUS_NAME, path,
                                       "org.freedesktop.DBus.Properties", "GetAll",
                                       g_variant_new ("(s)", "io.github.haul.Transfer1"),
                                       G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  return reply;
}

static void
test_properties_survive (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(HaulTransfer1) done = NULL;
  g_autoptr(HaulTransfer1) failed = NULL;
  g_autoptr(HaulTransfer1) paused = NULL;
  g_autoptr(HaulTransfer1) cancelled = NULL;
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *part = g_build_filename (f->dir, "paused.bin.part", NULL);

  done = add (f, "/done.bin", g_variant_new_parsed ("{'directory': <%s>, 'discretionary': <true>, 'segments': <uint32 2>}",
                                                    f->dir));
  failed = add (f, "/failed.bin?status=404", options_in_dir (f, NULL, NULL));
  paused = add (f, "/paused.bin?size=2097152&drip=200000", options_in_dir (f, NULL, NULL));
  cancelled = add (f, "/cancelled.bin?size=2097152&drip=200000",
                   g_variant_new_parsed ("{'directory': <%s>, 'sha256': <%s>}", f->dir,
                                         "0000000000000000000000000000000000000000000000000000000000000000"));
  WAIT_FOR ("the completed one", state_is (done, "completed"));
  WAIT_FOR ("the failed one", state_is (failed, "failed"));
  WAIT_FOR ("the partial data", g_file_test (part, G_FILE_TEST_EXISTS));
  haul_transfer1_call_pause_sync (paused, NULL, &error);
  g_assert_no_error (error);
  haul_transfer1_call_cancel_sync (cancelled, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the pause", state_is (paused, "paused"));
  WAIT_FOR ("the cancel", state_is (cancelled, "cancelled"));
  g_assert_cmpint (haul_transfer1_get_finished_at (done), >, 0);

  for (guint id = 1; id <= 4; id++)
    g_ptr_array_add (before, all_properties (f, id));
  quit_daemon (f);
  reactivate (f);

  /* Every property a client shows is what it was before the restart. */
  for (guint id = 1; id <= 4; id++)
    {
      g_autoptr(GVariant) after = all_properties (f, id);
      g_autofree char *was = g_variant_print (g_ptr_array_index (before, id - 1), FALSE);
      g_autofree char *is = g_variant_print (after, FALSE);

      g_test_message ("transfer %u before: %s", id, was);
      g_test_message ("transfer %u after:  %s", id, is);
      g_assert_cmpstr (is, ==, was);
    }
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add ("/daemon-records/hostile", Fixture, NULL, fixture_setup, test_hostile_records,
              fixture_teardown);
  g_test_add ("/daemon-records/properties-survive", Fixture, NULL, fixture_setup,
              test_properties_survive, fixture_teardown);

  return g_test_run ();
}
