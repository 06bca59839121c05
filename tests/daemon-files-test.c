/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "daemon-files-test"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "haul-dbus-error.h"
#include "daemon-test-utils.h"

/* What the daemon does to files: a removal deletes what an unfinished transfer left, is
 * final and is done before the service exits; a finished download is completed whatever
 * call races it; two transfers never share a name; and files Haul did not make stay. */

static gboolean
exists (Fixture    *f,
        const char *name)
{
  return haul_test_file_exists (f->dir, name);
}

static gboolean
partial_gone (Fixture    *f,
              const char *name)
{
  g_autofree char *part = g_strconcat (name, ".part", NULL);
  g_autofree char *json = g_strconcat (name, ".part.json", NULL);

  return !exists (f, part) && !exists (f, json);
}

static void
remove_transfer (HaulTransfer1 *transfer,
                 gboolean       delete_file)
{
  g_autoptr(GError) error = NULL;

  haul_transfer1_call_remove_sync (transfer, delete_file, NULL, &error);
  g_assert_no_error (error);
}

/* Waits until transfer @id is neither exported nor on record. */
static void
wait_forgotten (Fixture *f,
                guint    id)
{
  g_autofree char *path = g_strdup_printf ("%s/transfer/%u", MANAGER_PATH, id);
  g_autofree char *record = record_path (id);

  WAIT_FOR ("the record to go", !g_file_test (record, G_FILE_TEST_EXISTS));
  for (;;)
    {
      g_autoptr(GPtrArray) paths = transfer_paths (f);
      gboolean listed = FALSE;

      for (guint i = 0; i < paths->len; i++)
        listed = listed || g_str_equal (g_ptr_array_index (paths, i), path);
      if (!listed)
        break;
      haul_test_iterate_for (20);
    }
}

static void
set_max_concurrent (Fixture *f,
                    guint    max)
{
  haul_manager1_set_max_concurrent (f->manager, max);
  WAIT_FOR ("MaxConcurrent", haul_manager1_get_max_concurrent (f->manager) == max);
}

static void
test_remove_unfinished (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(HaulTransfer1) paused = NULL;
  g_autoptr(HaulTransfer1) failed = NULL;
  g_autoptr(HaulTransfer1) waiting = NULL;
  g_autoptr(HaulTransfer1) queued = NULL;
  g_autoptr(HaulTransfer1) runner = NULL;
  g_autoptr(GError) error = NULL;

  /* Paused by PauseAll with partial data. */
  paused = add (f, "/paused.bin?size=2097152&drip=400000", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the partial data", exists (f, "paused.bin.part"));
  haul_manager1_call_pause_all_sync (f->manager, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the pause", state_is (paused, "paused"));
  remove_transfer (paused, FALSE);
  WAIT_FOR ("the paused one's partial data to go", partial_gone (f, "paused.bin"));
  wait_forgotten (f, 1);

  /* Failed: the link broke half way, then expired. */
  failed = add (f, "/failed.bin?size=1048576&short=1&expire=2", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the failure", state_is (failed, "failed"));
  g_assert_true (exists (f, "failed.bin.part"));
  remove_transfer (failed, FALSE);
  WAIT_FOR ("the failed one's partial data to go", partial_gone (f, "failed.bin"));
  wait_forgotten (f, 2);

  /* Waiting for the network. */
  waiting = add (f, "/waiting.bin?size=2097152&drip=400000", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the partial data", exists (f, "waiting.bin.part"));
  set_conditions (f, FALSE, FALSE, FALSE);
  WAIT_FOR ("the wait", state_is (waiting, "waiting"));
  remove_transfer (waiting, FALSE);
  WAIT_FOR ("the waiting one's partial data to go", partial_gone (f, "waiting.bin"));
  wait_forgotten (f, 3);
  set_conditions (f, TRUE, FALSE, FALSE);

  /* Queued again, when a lower limit sent it back. */
  runner = add (f, "/runner.bin?size=2097152&drip=400000", options_in_dir (f, NULL, NULL));
  queued = add (f, "/queued.bin?size=2097152&drip=400000", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("both partial data", exists (f, "runner.bin.part") && exists (f, "queued.bin.part"));
  set_max_concurrent (f, 1);
  WAIT_FOR ("the newest back in the queue", state_is (queued, "queued"));
  g_assert_true (state_is (runner, "running"));
  remove_transfer (queued, FALSE);
  WAIT_FOR ("the queued one's partial data to go", partial_gone (f, "queued.bin"));
  wait_forgotten (f, 5);
}

typedef struct
{
  GError   *error;
  gboolean  done;
} Reply;

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Reply *reply = user_data;
  g_autoptr(GVariant) value = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result,
                                                             &reply->error);

  reply->done = TRUE;
}

/* Sends @method to transfer @id without waiting for the answer. */
static void
call_async (Fixture    *f,
            guint       id,
            const char *method,
            GVariant   *parameters,
            Reply      *reply)
{
  g_autofree char *path = g_strdup_printf ("%s/transfer/%u", MANAGER_PATH, id);

  g_dbus_connection_call (f->connection, BUS_NAME, path, "io.github.haul.Transfer1", method,
                          parameters, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL,
                          call_done_cb, reply);
}

static void
assert_no_such_transfer (Fixture    *f,
                         guint       id,
                         const char *method,
                         GVariant   *parameters)
{
  Reply reply = { 0 };

  call_async (f, id, method, parameters, &reply);
  WAIT_FOR ("the answer", reply.done);
  g_test_message ("%s on %u: %s", method, id, reply.error != NULL ? reply.error->message : "ok");
  g_assert_error (reply.error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_NO_SUCH_TRANSFER);
  g_clear_error (&reply.error);
}

static void
test_remove_is_final (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autofree char *path = g_strdup_printf ("%s/transfer/1", MANAGER_PATH);
  g_autoptr(GVariant) property = NULL;
  g_autoptr(GError) error = NULL;
  Reply removed = { 0 }, paused = { 0 }, cancelled = { 0 };

  transfer = add (f, "/final.bin?size=2097152&drip=400000", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the partial data", exists (f, "final.bin.part"));

  /* Pause and Cancel right behind the Remove, before its answer is back: they find no
   * transfer, and nothing brings it back. */
  call_async (f, 1, "Remove", g_variant_new ("(b)", FALSE), &removed);
  call_async (f, 1, "Pause", NULL, &paused);
  call_async (f, 1, "Cancel", NULL, &cancelled);
  WAIT_FOR ("the answers", removed.done && paused.done && cancelled.done);
  g_assert_no_error (removed.error);
  g_assert_error (paused.error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_NO_SUCH_TRANSFER);
  g_assert_error (cancelled.error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_NO_SUCH_TRANSFER);
  g_clear_error (&paused.error);
  g_clear_error (&cancelled.error);
  wait_forgotten (f, 1);
  WAIT_FOR ("the partial data to go", partial_gone (f, "final.bin"));
  haul_test_iterate_for (300);
  {
    g_autoptr(GPtrArray) paths = transfer_paths (f);

    g_assert_cmpuint (paths->len, ==, 0);
  }

  /* Whatever is asked of it, or of a transfer that never was. */
  assert_no_such_transfer (f, 1, "Pause", NULL);
  assert_no_such_transfer (f, 1, "Resume", NULL);
  assert_no_such_transfer (f, 1, "Cancel", NULL);
  assert_no_such_transfer (f, 1, "Remove", g_variant_new ("(b)", TRUE));
  assert_no_such_transfer (f, 1, "SetDiscretionary", g_variant_new ("(b)", TRUE));
  assert_no_such_transfer (f, 1, "SetUri", g_variant_new ("(s)", "http://127.0.0.1/x"));
  assert_no_such_transfer (f, 999, "Pause", NULL);
  property = g_dbus_connection_call_sync (f->connection, BUS_NAME, path,
                                          "org.freedesktop.DBus.Properties", "Get",
                                          g_variant_new ("(ss)", "io.github.haul.Transfer1", "State"),
                                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_null (property);
  g_assert_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_NO_SUCH_TRANSFER);
}

static void
test_remove_then_quit (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(HaulTransfer1) running = NULL;
  g_autoptr(GError) error = NULL;
  Reply removed[21] = { { 0 } };
  gboolean all_done = FALSE;

  /* Twenty paused transfers and a running one, each removed, then Quit right behind the
   * removals: the service exits only once they are done, and none comes back. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *path = g_strdup_printf ("/paused%u.bin", i);
      g_autoptr(HaulTransfer1) transfer = add (f, path, g_variant_new_parsed ("{'directory': <%s>, 'paused': <true>}",
                                                                              f->dir));
    }
  running = add (f, "/gone.bin?size=2097152&drip=400000", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the partial data", exists (f, "gone.bin.part"));
  for (guint id = 1; id <= 21; id++)
    {
      g_autofree char *record = record_path (id);

      WAIT_FOR ("the records", g_file_test (record, G_FILE_TEST_EXISTS));
    }

  for (guint id = 1; id <= 21; id++)
    call_async (f, id, "Remove", g_variant_new ("(b)", FALSE), &removed[id - 1]);
  haul_manager1_call_quit (f->manager, NULL, NULL, NULL);
  while (!all_done || name_has_owner (f))
    {
      all_done = TRUE;
      for (guint i = 0; i < G_N_ELEMENTS (removed); i++)
        all_done = all_done && removed[i].done;
      haul_test_iterate_for (10);
    }
  for (guint id = 1; id <= 21; id++)
    {
      g_autofree char *record = record_path (id);

      g_assert_no_error (removed[id - 1].error);
      g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));
    }
  g_assert_true (partial_gone (f, "gone.bin"));

  reactivate (f);
  {
    g_autoptr(GPtrArray) paths = transfer_paths (f);

    g_assert_cmpuint (paths->len, ==, 0);
  }
  g_assert_true (partial_gone (f, "gone.bin"));

  /* Removed while its first record is still being written, then Quit: the deletion that
   * waits for that write counts too. */
  for (guint round = 0; round < 10; round++)
    {
      g_autoptr(HaulTransfer1) fresh = add (f, "/fresh.bin", g_variant_new_parsed ("{'directory': <%s>, 'paused': <true>}",
                                                                                  f->dir));
      guint id = haul_transfer1_get_id (fresh);
      g_autofree char *record = record_path (id);
      Reply reply = { 0 };

      call_async (f, id, "Remove", g_variant_new ("(b)", FALSE), &reply);
      haul_manager1_call_quit (f->manager, NULL, NULL, NULL);
      WAIT_FOR ("the daemon to exit", reply.done && !name_has_owner (f));
      g_assert_no_error (reply.error);
      g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));
      reactivate (f);
    }
  {
    g_autoptr(GPtrArray) paths = transfer_paths (f);

    g_assert_cmpuint (paths->len, ==, 0);
  }
}

static void
test_pause_racing_completion (Fixture       *f,
                              gconstpointer  data)
{
  guint paused = 0, completed = 0;

  /* Pause sent a little later each time after Add, while the server keeps sending (it
   * runs in this process): some are paused first, some finish first, some are paused in
   * the middle of finishing; each ends in the state its file says. */
  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *path = g_strdup_printf ("/race%u.bin?size=%u", i, 65536 * (1 + i % 4));
      g_autofree char *name = g_strdup_printf ("race%u.bin", i);
      g_autoptr(HaulTransfer1) transfer = add (f, path, options_in_dir (f, NULL, NULL));
      g_autoptr(GError) error = NULL;
      Reply reply = { 0 };

      haul_test_iterate_for (i % 15);
      call_async (f, i + 1, "Pause", NULL, &reply);
      WAIT_FOR ("the answer", reply.done);
      if (reply.error != NULL)
        {
          /* Too late: it finished first. */
          g_assert_error (reply.error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_INVALID_STATE);
          g_clear_error (&reply.error);
        }
      WAIT_FOR ("the transfer to settle", state_is (transfer, "paused") || state_is (transfer, "completed"));
      haul_test_iterate_for (20);
      if (state_is (transfer, "completed"))
        {
          completed++;
          g_assert_true (exists (f, name));
          g_assert_true (partial_gone (f, name));
          continue;
        }
      paused++;
      g_assert_cmpstr (haul_transfer1_get_state (transfer), ==, "paused");
      g_assert_false (exists (f, name));
      /* And it resumes to the end, not into "already exists". */
      haul_transfer1_call_resume_sync (transfer, NULL, &error);
      g_assert_no_error (error);
      WAIT_FOR ("the resumed transfer", state_is (transfer, "completed") || state_is (transfer, "failed"));
      g_assert_cmpstr (haul_transfer1_get_error (transfer), ==, "");
      g_assert_cmpstr (haul_transfer1_get_state (transfer), ==, "completed");
      g_assert_true (exists (f, name));
    }
  g_test_message ("%u paused first, %u completed first", paused, completed);
}

#define RACERS 60

static void
test_name_race (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) transfers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 100000, 1);

  /* Sixty URLs that all yield the name "100000", all running at once. */
  set_max_concurrent (f, 100);
  for (guint i = 0; i < RACERS; i++)
    {
      g_autofree char *path = g_strdup_printf ("/100000?size=100000&n=%u", i);

      g_ptr_array_add (transfers, add (f, path, options_in_dir (f, NULL, NULL)));
    }
  for (guint i = 0; i < RACERS; i++)
    {
      HaulTransfer1 *transfer = g_ptr_array_index (transfers, i);
      g_autofree char *file = NULL;

      WAIT_FOR ("every transfer", state_is (transfer, "completed") || state_is (transfer, "failed"));
      g_assert_cmpstr (haul_transfer1_get_error (transfer), ==, "");
      g_assert_false (g_hash_table_contains (names, haul_transfer1_get_file_name (transfer)));
      g_hash_table_add (names, g_strdup (haul_transfer1_get_file_name (transfer)));
      g_test_message ("racer %u: %s", i, haul_transfer1_get_file_name (transfer));
      file = g_build_filename (f->dir, haul_transfer1_get_file_name (transfer), NULL);
      haul_test_assert_file_equals (file, expected);
    }
  g_assert_true (g_hash_table_contains (names, "100000"));
  g_assert_true (g_hash_table_contains (names, "100000 (59)"));
}

static void
assert_contents (Fixture    *f,
                 const char *name,
                 const char *expected)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);
}

static void
test_foreign_files (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(HaulTransfer1) beside = NULL;
  g_autoptr(HaulTransfer1) pipe_transfer = NULL;
  g_autoptr(HaulTransfer1) swapped = NULL;
  g_autoptr(HaulTransfer1) linked = NULL;
  g_autofree char *user_part = g_build_filename (f->dir, "foo.part", NULL);
  g_autofree char *fifo = g_build_filename (f->dir, "pipe", NULL);
  g_autofree char *victim = g_build_filename (f->dir, "victim", NULL);
  g_autofree char *swapped_json = g_build_filename (f->dir, "swapped.bin.part.json", NULL);
  g_autoptr(GError) error = NULL;
  struct stat st;

  /* A .part of the user's where the name asked for would put one: another name is taken,
   * and removing that transfer with its file deletes only what it made. */
  g_assert_true (g_file_set_contents (user_part, "mine", -1, NULL));
  beside = add (f, "/foo", g_variant_new_parsed ("{'directory': <%s>, 'filename': <'foo'>}", f->dir));
  WAIT_FOR ("the download beside it", state_is (beside, "completed"));
  g_assert_cmpstr (haul_transfer1_get_file_name (beside), ==, "foo (1)");
  remove_transfer (beside, TRUE);
  WAIT_FOR ("its file to go", !exists (f, "foo (1)"));
  assert_contents (f, "foo.part", "mine");

  /* Asked to overwrite a FIFO: only regular files are ever replaced. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  pipe_transfer = add (f, "/pipe", g_variant_new_parsed ("{'directory': <%s>, 'filename': <'pipe'>, 'overwrite': <true>}",
                                                         f->dir));
  WAIT_FOR ("the refusal", state_is (pipe_transfer, "failed"));
  g_test_message ("%s", haul_transfer1_get_error (pipe_transfer));
  g_assert_nonnull (strstr (haul_transfer1_get_error (pipe_transfer), "not a regular file"));
  g_assert_null (strstr (haul_transfer1_get_error (pipe_transfer), "--"));
  remove_transfer (pipe_transfer, TRUE);
  wait_forgotten (f, 2);
  g_assert_cmpint (lstat (fifo, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));

  /* Paused, and its resume data then replaced by a file of the user's: Cancel leaves both
   * that file and the .part, which Haul can no longer prove its own. */
  swapped = add (f, "/swapped.bin?size=2097152&drip=400000", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the partial data", exists (f, "swapped.bin.part"));
  haul_transfer1_call_pause_sync (swapped, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the pause", state_is (swapped, "paused"));
  g_assert_true (g_file_set_contents (swapped_json, "my own notes", -1, NULL));
  haul_transfer1_call_cancel_sync (swapped, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the cancel", state_is (swapped, "cancelled"));
  haul_test_iterate_for (300);
  assert_contents (f, "swapped.bin.part.json", "my own notes");
  g_assert_true (exists (f, "swapped.bin.part"));

  /* A finished file since replaced by a symlink: Remove with its file deletes neither the
   * link nor what it points at, and says so. */
  linked = add (f, "/linked.bin", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the download", state_is (linked, "completed"));
  {
    g_autofree char *file = g_build_filename (f->dir, "linked.bin", NULL);

    g_assert_true (g_file_set_contents (victim, "precious", -1, NULL));
    g_assert_cmpint (g_unlink (file), ==, 0);
    g_assert_cmpint (symlink (victim, file), ==, 0);
    haul_transfer1_call_remove_sync (linked, TRUE, NULL, &error);
    g_assert_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_FAILED);
    g_test_message ("%s", error->message);
    g_assert_true (g_file_test (file, G_FILE_TEST_IS_SYMLINK));
    assert_contents (f, "victim", "precious");
    g_assert_true (state_is (linked, "completed"));
  }
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add ("/daemon-files/remove-unfinished", Fixture, NULL, fixture_setup,
              test_remove_unfinished, fixture_teardown);
  g_test_add ("/daemon-files/remove-is-final", Fixture, NULL, fixture_setup,
              test_remove_is_final, fixture_teardown);
  g_test_add ("/daemon-files/remove-then-quit", Fixture, NULL, fixture_setup,
              test_remove_then_quit, fixture_teardown);
  g_test_add ("/daemon-files/pause-racing-completion", Fixture, NULL, fixture_setup,
              test_pause_racing_completion, fixture_teardown);
  g_test_add ("/daemon-files/name-race", Fixture, NULL, fixture_setup, test_name_race,
              fixture_teardown);
  g_test_add ("/daemon-files/foreign-files", Fixture, NULL, fixture_setup, test_foreign_files,
              fixture_teardown);

  return g_test_run ();
}
