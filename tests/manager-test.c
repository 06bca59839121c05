/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "manager-test"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "haul-error.h"
#include "haul-manager.h"
#include "haul-test-utils.h"

/* The service's lower layers in-process, without a bus: HaulManager over its transfers
 * and records, with the fault-injection server. What the status icon and the notifier
 * will rely on: the manager's signals. */

#define KiB 1024

typedef struct
{
  HaulTestServer *server;
  char           *dir;          /* downloads */
  char           *state;        /* records */
  char           *conditions;   /* what the network and power are like */
  HaulManager    *manager;
  GPtrArray      *added;
  GPtrArray      *finished;
  GPtrArray      *removed;
  guint           progress;     /* signals */
  guint           running;      /* transfers running now */
  guint           most_running;
} Fixture;

static void
on_added_cb (HaulManager  *manager,
             HaulTransfer *transfer,
             Fixture      *f)
{
  g_ptr_array_add (f->added, g_object_ref (transfer));
}

static void
on_finished_cb (HaulManager  *manager,
                HaulTransfer *transfer,
                Fixture      *f)
{
  HaulTransferState state = haul_transfer_get_state (transfer);

  /* News is for what ended, and comes once. */
  g_assert_true (state == HAUL_TRANSFER_STATE_COMPLETED || state == HAUL_TRANSFER_STATE_FAILED ||
                 state == HAUL_TRANSFER_STATE_CANCELLED);
  g_assert_false (g_ptr_array_find (f->finished, transfer, NULL));
  g_ptr_array_add (f->finished, g_object_ref (transfer));
}

static void
on_removed_cb (HaulManager  *manager,
               HaulTransfer *transfer,
               Fixture      *f)
{
  g_ptr_array_add (f->removed, g_object_ref (transfer));
}

static void
on_progress_cb (HaulManager *manager,
                GPtrArray   *changed,
                Fixture     *f)
{
  g_assert_cmpuint (changed->len, >, 0);
  f->progress++;
}

/* Counted from the detailed signal, as a listener of one property would. */
static void
on_state_changed_cb (HaulManager  *manager,
                     HaulTransfer *transfer,
                     GParamSpec   *pspec,
                     Fixture      *f)
{
  g_assert_cmpstr (pspec->name, ==, "state");
  f->running = 0;
  for (guint i = 0; i < haul_manager_get_transfers (manager)->len; i++)
    if (haul_transfer_get_state (g_ptr_array_index (haul_manager_get_transfers (manager), i)) ==
        HAUL_TRANSFER_STATE_RUNNING)
      f->running++;
  f->most_running = MAX (f->most_running, f->running);
}

static void
start_manager (Fixture *f)
{
  f->manager = haul_manager_new (f->state);
  g_signal_connect (f->manager, "transfer-added", G_CALLBACK (on_added_cb), f);
  g_signal_connect (f->manager, "transfer-finished", G_CALLBACK (on_finished_cb), f);
  g_signal_connect (f->manager, "transfer-removed", G_CALLBACK (on_removed_cb), f);
  g_signal_connect (f->manager, "progress", G_CALLBACK (on_progress_cb), f);
  g_signal_connect (f->manager, "transfer-changed::state", G_CALLBACK (on_state_changed_cb), f);
  haul_manager_load (f->manager);
}

static void
shutdown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (haul_manager_shutdown_finish (HAUL_MANAGER (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
stop_manager (Fixture *f)
{
  gboolean done = FALSE;

  if (f->manager == NULL)
    return;
  haul_manager_shutdown_async (f->manager, NULL, shutdown_cb, &done);
  WAIT_FOR ("the manager to shut down", done);
  g_clear_object (&f->manager);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static guint counter;
  g_autofree char *name = g_strdup_printf ("manager-%u", counter++);
  g_autofree char *state_name = g_strdup_printf ("manager-state-%u", counter);
  g_autoptr(GError) error = NULL;

  f->server = haul_test_server_new (FALSE);
  f->dir = haul_test_make_tempdir (name);
  f->state = haul_test_make_tempdir (state_name);
  f->conditions = g_build_filename (f->state, "conditions", NULL);
  g_file_set_contents (f->conditions, "[conditions]\nonline=true\nmetered=false\npower-saver=false\n",
                       -1, &error);
  g_assert_no_error (error);
  g_setenv ("HAUL_TEST_CONDITIONS", f->conditions, TRUE);
  f->added = g_ptr_array_new_with_free_func (g_object_unref);
  f->finished = g_ptr_array_new_with_free_func (g_object_unref);
  f->removed = g_ptr_array_new_with_free_func (g_object_unref);
  start_manager (f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.haul.Haul");

  stop_manager (f);
  g_settings_reset (settings, "max-concurrent");
  g_ptr_array_unref (f->added);
  g_ptr_array_unref (f->finished);
  g_ptr_array_unref (f->removed);
  haul_test_remove_tempdir (f->dir);
  haul_test_remove_tempdir (f->state);
  g_free (f->dir);
  g_free (f->state);
  g_free (f->conditions);
  haul_test_server_free (f->server);
}

typedef struct
{
  HaulTransfer *transfer;
  GError       *error;
  gboolean      done;
} Added;

static void
add_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Added *added = user_data;

  added->transfer = haul_manager_add_finish (HAUL_MANAGER (object), result, &added->error);
  added->done = TRUE;
}

/* Adds @path of the test server into the fixture's folder; the new transfer, or NULL with
 * @error set. */
static HaulTransfer *
add (Fixture     *f,
     const char  *path,
     GError     **error)
{
  g_autofree char *uri = haul_test_server_uri (f->server, path);
  GVariantDict options;
  Added added = { 0 };

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "directory", "s", f->dir);
  haul_manager_add_async (f->manager, uri, g_variant_dict_end (&options), NULL, add_cb, &added);
  WAIT_FOR ("the transfer to be added", added.done);
  if (added.error != NULL)
    g_propagate_error (error, added.error);
  return added.transfer;
}

static char *
record_path (Fixture      *f,
             HaulTransfer *transfer)
{
  g_autofree char *name = g_strdup_printf ("%u.json", haul_transfer_get_id (transfer));

  return g_build_filename (f->state, name, NULL);
}

static gboolean
file_holds (const char *path,
            const char *words)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL) && strstr (text, words) != NULL;
}

static void
test_complete (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 512 * KiB, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulTransfer) transfer = add (f, "/complete.bin?size=524288&drip=524288", &error);
  g_autofree char *file = g_build_filename (f->dir, "complete.bin", NULL);
  g_autofree char *record = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (transfer);
  g_assert_cmpuint (f->added->len, ==, 1);
  g_assert_true (g_ptr_array_index (f->added, 0) == transfer);
  g_assert_true (haul_manager_lookup (f->manager, haul_transfer_get_id (transfer)) == transfer);
  /* Its record is written in a worker thread once it is added. */
  record = record_path (f, transfer);
  WAIT_FOR ("the record", g_file_test (record, G_FILE_TEST_IS_REGULAR));

  WAIT_FOR ("the transfer to finish", f->finished->len == 1);
  g_assert_true (g_ptr_array_index (f->finished, 0) == transfer);
  g_assert_cmpint (haul_transfer_get_state (transfer), ==, HAUL_TRANSFER_STATE_COMPLETED);
  g_assert_cmpuint (haul_transfer_get_bytes_received (transfer), ==, 512 * KiB);
  g_assert_cmpuint (haul_transfer_get_bytes_total (transfer), ==, 512 * KiB);
  g_assert_cmpint (haul_transfer_get_error_kind (transfer), ==, HAUL_ERROR_KIND_NONE);
  g_assert_cmpint (haul_transfer_get_finished_at (transfer), >, 0);
  haul_test_assert_file_equals (file, expected);
  /* About a second of dripping: figures came while it ran, through ::progress. */
  g_assert_cmpuint (f->progress, >, 0);
  WAIT_FOR ("nothing to be active", haul_manager_get_active_count (f->manager) == 0);

  /* The record says completed, also for a manager that starts from it. */
  WAIT_FOR ("the record to say completed", file_holds (record, "\"completed\""));
  stop_manager (f);
  start_manager (f);
  g_assert_cmpuint (haul_manager_get_transfers (f->manager)->len, ==, 1);
  g_assert_cmpint (haul_transfer_get_state (haul_manager_lookup (f->manager, 1)), ==,
                   HAUL_TRANSFER_STATE_COMPLETED);
  g_assert_cmpuint (f->finished->len, ==, 1);
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  const char *bad[] = { "ftp://127.0.0.1/x", "http://", "http://[::1/x", "not a url" };
  g_autoptr(GDir) dir = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GVariantDict options;
      Added added = { 0 };

      g_variant_dict_init (&options, NULL);
      g_variant_dict_insert (&options, "directory", "s", f->dir);
      haul_manager_add_async (f->manager, bad[i], g_variant_dict_end (&options), NULL, add_cb, &added);
      WAIT_FOR ("the refusal", added.done);
      g_assert_null (added.transfer);
      g_assert_nonnull (added.error);
      g_assert_true (added.error->domain == HAUL_ERROR);
      g_clear_error (&added.error);
    }

  /* An option of the wrong type, and a folder that does not exist. */
  {
    g_autofree char *uri = haul_test_server_uri (f->server, "/x.bin");
    g_autofree char *missing = g_build_filename (f->dir, "missing", NULL);
    GVariantDict options;
    Added added = { 0 };

    g_variant_dict_init (&options, NULL);
    g_variant_dict_insert (&options, "segments", "s", "four");
    haul_manager_add_async (f->manager, uri, g_variant_dict_end (&options), NULL, add_cb, &added);
    WAIT_FOR ("the refusal", added.done);
    g_assert_error (added.error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT);
    g_clear_error (&added.error);

    added.done = FALSE;
    g_variant_dict_init (&options, NULL);
    g_variant_dict_insert (&options, "directory", "s", missing);
    haul_manager_add_async (f->manager, uri, g_variant_dict_end (&options), NULL, add_cb, &added);
    WAIT_FOR ("the refusal", added.done);
    g_assert_nonnull (added.error);
    g_assert_null (added.transfer);
    g_clear_error (&added.error);
  }

  /* Nothing was added, announced or written. */
  g_assert_cmpuint (f->added->len, ==, 0);
  g_assert_cmpuint (haul_manager_get_transfers (f->manager)->len, ==, 0);
  dir = g_dir_open (f->state, 0, NULL);
  for (const char *name; (name = g_dir_read_name (dir)) != NULL; )
    g_assert_false (g_str_has_suffix (name, ".json"));
  g_assert_cmpuint (haul_test_server_requests (f->server)->len, ==, 0);
}

static void
test_settings (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.haul.Haul");
  guint before = haul_manager_get_max_concurrent (f->manager);

  /* Out of the schema's range: refused with a reason, nothing changes. */
  g_assert_false (haul_manager_set_max_concurrent (f->manager, 0, &error));
  g_assert_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (haul_manager_set_max_concurrent (f->manager, 100000, &error));
  g_assert_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (haul_manager_get_max_concurrent (f->manager), ==, before);

  /* In range: the setting and the property agree, whichever side changes. */
  g_assert_true (haul_manager_set_max_concurrent (f->manager, 2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_settings_get_uint (settings, "max-concurrent"), ==, 2);
  g_settings_set_uint (settings, "max-concurrent", 5);
  g_assert_cmpuint (haul_manager_get_max_concurrent (f->manager), ==, 5);
}

static void
test_limit (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) transfers = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_true (haul_manager_set_max_concurrent (f->manager, 1, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("/one-%u.bin?size=131072&drip=262144", i);
      HaulTransfer *transfer = add (f, path, &error);

      g_assert_no_error (error);
      g_ptr_array_add (transfers, transfer);
    }
  WAIT_FOR ("all three to finish", f->finished->len == 3);
  /* One at a time, in the order they were added. */
  g_assert_cmpuint (f->most_running, ==, 1);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (g_ptr_array_index (f->finished, i) == g_ptr_array_index (transfers, i));
      g_assert_cmpint (haul_transfer_get_state (g_ptr_array_index (transfers, i)), ==,
                       HAUL_TRANSFER_STATE_COMPLETED);
    }
}

static void
test_shutdown_resumes (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 1024 * KiB, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulTransfer) transfer = add (f, "/slow.bin?size=1048576&drip=262144", &error);
  g_autofree char *file = g_build_filename (f->dir, "slow.bin", NULL);
  HaulTransfer *again;
  guint64 had;

  g_assert_no_error (error);
  WAIT_FOR ("some data", haul_transfer_get_bytes_received (transfer) >= 128 * KiB);

  /* Shut down mid-way: the transfer stops with what it has, stays unfinished on record,
   * and is no news. */
  stop_manager (f);
  g_assert_cmpuint (f->finished->len, ==, 0);
  had = haul_transfer_get_bytes_received (transfer);
  g_assert_cmpuint (had, >, 0);
  g_assert_cmpuint (had, <, 1024 * KiB);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

  /* The next manager continues it from the record, with a range request. */
  start_manager (f);
  again = haul_manager_lookup (f->manager, haul_transfer_get_id (transfer));
  g_assert_nonnull (again);
  g_assert_true (again != transfer);
  WAIT_FOR ("the transfer to finish", f->finished->len == 1);
  g_assert_true (g_ptr_array_index (f->finished, 0) == again);
  g_assert_cmpint (haul_transfer_get_state (again), ==, HAUL_TRANSFER_STATE_COMPLETED);
  haul_test_assert_file_equals (file, expected);
  {
    GPtrArray *requests = haul_test_server_requests (f->server);
    HaulTestRequest *last = g_ptr_array_index (requests, requests->len - 1);

    g_assert_nonnull (last->range);
    g_assert_true (g_str_has_prefix (last->range, "bytes="));
    g_assert_cmpstr (last->range, !=, "bytes=0-");
  }
}

static void
remove_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (haul_transfer_remove_finish (HAUL_TRANSFER (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_remove (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulTransfer) transfer = add (f, "/gone.bin?size=1048576&drip=131072", &error);
  g_autofree char *record = NULL;
  gboolean done = FALSE;
  guint id;

  g_assert_no_error (error);
  id = haul_transfer_get_id (transfer);
  record = record_path (f, transfer);
  WAIT_FOR ("it to run", haul_transfer_get_state (transfer) == HAUL_TRANSFER_STATE_RUNNING);

  haul_transfer_remove_async (transfer, TRUE, NULL, remove_cb, &done);
  WAIT_FOR ("the removal", done && f->removed->len == 1);
  g_assert_true (g_ptr_array_index (f->removed, 0) == transfer);
  g_assert_null (haul_manager_lookup (f->manager, id));
  g_assert_cmpuint (haul_manager_get_transfers (f->manager)->len, ==, 0);
  /* The record is deleted in a worker thread, and nothing writes it again. */
  WAIT_FOR ("the record to go", !g_file_test (record, G_FILE_TEST_EXISTS));
  haul_test_iterate_for (500);
  g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));
  /* Removing is not finishing. */
  g_assert_cmpuint (f->finished->len, ==, 0);

  /* Every later call is refused as for a transfer that does not exist. */
  g_assert_false (haul_transfer_pause (transfer, &error));
  g_assert_error (error, HAUL_ERROR, HAUL_ERROR_NO_SUCH_TRANSFER);
  g_clear_error (&error);
  g_assert_false (haul_transfer_resume (transfer, &error));
  g_assert_error (error, HAUL_ERROR, HAUL_ERROR_NO_SUCH_TRANSFER);

  /* A manager that starts from the records does not bring it back. */
  stop_manager (f);
  start_manager (f);
  g_assert_null (haul_manager_lookup (f->manager, id));
  g_assert_cmpuint (haul_manager_get_transfers (f->manager)->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/manager/complete", test_complete);
  ADD ("/manager/refused", test_refused);
  ADD ("/manager/settings", test_settings);
  ADD ("/manager/limit", test_limit);
  ADD ("/manager/shutdown-resumes", test_shutdown_resumes);
  ADD ("/manager/remove", test_remove);
#undef ADD

  return g_test_run ();
}
