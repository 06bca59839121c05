/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "engine-test"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "haul-download.h"
#include "haul-error.h"
#include "haul-rate-limiter.h"
#include "haul-resume-data.h"
#include "haul-test-utils.h"

/* The engine in-process, without haulctl: what one process running many downloads (the
 * daemon) relies on. */

#define KiB 1024

typedef struct
{
  HaulTestServer *server;
  char           *dir;
} Fixture;

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Run;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static guint counter;
  g_autofree char *name = g_strdup_printf ("engine-%u", counter++);

  f->server = haul_test_server_new (FALSE);
  f->dir = haul_test_make_tempdir (name);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  haul_test_remove_tempdir (f->dir);
  g_free (f->dir);
  haul_test_server_free (f->server);
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Run *run = user_data;

  run->ok = haul_download_run_finish (HAUL_DOWNLOAD (object), result, &run->error);
  run->done = TRUE;
}

static HaulDownload *
new_download (Fixture    *f,
              const char *path)
{
  g_autofree char *uri = haul_test_server_uri (f->server, path);
  HaulDownload *download = haul_download_new (uri, f->dir, NULL);

  haul_download_set_retry_base (download, 20);
  return download;
}

static void
test_second_run_refused (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autoptr(HaulDownload) download = new_download (f, "/once.bin");
  g_autofree char *path = g_build_filename (f->dir, "once.bin", NULL);
  Run first = { 0 }, second = { 0 };
  guint requests;

  haul_download_run_async (download, NULL, run_cb, &first);
  WAIT_FOR ("the first run", first.done);
  g_assert_no_error (first.error);
  g_assert_true (first.ok);
  requests = haul_test_server_requests (f->server)->len;

  /* The object's offsets and files belong to its one run: a second is refused at once,
   * and neither sends a request nor touches the file. */
  haul_download_run_async (download, NULL, run_cb, &second);
  WAIT_FOR ("the second run", second.done);
  g_assert_error (second.error, HAUL_ERROR, HAUL_ERROR_INVALID_STATE);
  g_assert_false (second.ok);
  g_assert_cmpuint (haul_test_server_requests (f->server)->len, ==, requests);
  haul_test_assert_file_equals (path, expected);
  g_assert_cmpstr (haul_download_get_filename (download), ==, "once.bin");
  g_clear_error (&second.error);
}

#define RACERS 24

static void
test_name_race (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 64 * KiB, 1);
  g_autoptr(GPtrArray) downloads = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  Run runs[RACERS] = { { 0 } };

  /* URLs that all yield the name "race", started at the same moment. */
  for (guint i = 0; i < RACERS; i++)
    {
      g_autofree char *path = g_strdup_printf ("/race?size=65536&n=%u", i);
      HaulDownload *download = new_download (f, path);

      g_ptr_array_add (downloads, download);
      haul_download_run_async (download, NULL, run_cb, &runs[i]);
    }
  for (guint i = 0; i < RACERS; i++)
    {
      HaulDownload *download = g_ptr_array_index (downloads, i);
      g_autofree char *file = NULL;

      WAIT_FOR ("every racer", runs[i].done);
      g_assert_no_error (runs[i].error);
      g_assert_true (runs[i].ok);
      /* Each took the next free name. */
      g_assert_false (g_hash_table_contains (names, haul_download_get_filename (download)));
      g_hash_table_add (names, (gpointer) haul_download_get_filename (download));
      file = haul_download_get_path (download);
      haul_test_assert_file_equals (file, expected);
    }
  g_assert_true (g_hash_table_contains (names, "race"));
  g_assert_true (g_hash_table_contains (names, "race (1)"));
}

static gboolean
lift_cb (gpointer user_data)
{
  haul_rate_limiter_set_rate (user_data, 0);
  return G_SOURCE_REMOVE;
}

static void
test_limit_lifted (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autoptr(HaulRateLimiter) limiter = haul_rate_limiter_new (1);
  g_autoptr(HaulDownload) download = new_download (f, "/limited.bin");
  g_autofree char *path = g_build_filename (f->dir, "limited.bin", NULL);
  Run run = { 0 };

  /* At 1 byte a second the reader waits more than an hour for its first chunk; lifting
   * the limit wakes it at once. */
  haul_download_set_rate_limiter (download, limiter);
  haul_download_run_async (download, NULL, run_cb, &run);
  g_timeout_add (300, lift_cb, limiter);
  WAIT_FOR ("the download once the limit is lifted", run.done);
  g_assert_no_error (run.error);
  haul_test_assert_file_equals (path, expected);
}

static void
on_retry_wait_cb (HaulDownload *download,
                  gint64        until,
                  const char   *why,
                  GArray       *seen)
{
  g_array_append_val (seen, until);
}

static void
test_retry_wait_announced (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autoptr(HaulDownload) download = new_download (f, "/busy.bin?status=503&times=2");
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (gint64));
  Run run = { 0 };

  g_signal_connect (download, "retry-wait", G_CALLBACK (on_retry_wait_cb), seen);
  haul_download_run_async (download, NULL, run_cb, &run);
  WAIT_FOR ("the download", run.done);
  g_assert_no_error (run.error);

  /* Two waits, each announced once and ended once: a listener never sees a wait that is
   * not real. */
  g_assert_cmpuint (seen->len, ==, 4);
  for (guint i = 0; i < seen->len; i++)
    {
      if (i % 2 == 0)
        g_assert_cmpint (g_array_index (seen, gint64, i), >, 0);
      else
        g_assert_cmpint (g_array_index (seen, gint64, i), ==, 0);
    }
  g_assert_cmpuint (haul_download_get_fruitless_tries (download), ==, 0);
}

static void
test_fruitless_carried (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(HaulDownload) download = new_download (f, "/down.bin?status=503&times=100");
  Run run = { 0 };

  /* Tries made by earlier runs count: with 2 behind it and 3 allowed, this run makes two
   * more requests and gives up. */
  haul_download_set_retries (download, 3);
  haul_download_set_fruitless_tries (download, 2);
  haul_download_run_async (download, NULL, run_cb, &run);
  WAIT_FOR ("the download", run.done);
  g_assert_error (run.error, HAUL_ERROR, HAUL_ERROR_TRANSIENT);
  g_assert_cmpuint (haul_test_server_requests (f->server)->len, ==, 2);
  g_clear_error (&run.error);
}

static void
on_saved_cb (HaulDownload *download,
             const char   *json,
             GPtrArray    *saves)
{
  g_autoptr(GError) error = NULL;
  HaulResumeData *rd = haul_resume_data_new_from_json (json, -1, &error);

  g_assert_no_error (error);
  g_ptr_array_add (saves, rd);
}

/* Each durable checkpoint is announced with resume data that parses, vouching for more
 * and more of the file: the copy the daemon keeps in its record. */
static void
test_resume_data_saved (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 6 * 1024 * KiB, 1);
  g_autoptr(HaulDownload) download = new_download (f, "/saved.bin?size=6291456&drip=1048576");
  g_autoptr(GPtrArray) saves = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_resume_data_free);
  g_autofree char *path = g_build_filename (f->dir, "saved.bin", NULL);
  gint64 last = -1;
  Run run = { 0 };

  g_signal_connect (download, "resume-data-saved", G_CALLBACK (on_saved_cb), saves);
  haul_download_run_async (download, NULL, run_cb, &run);
  WAIT_FOR ("the download", run.done);
  g_assert_no_error (run.error);
  haul_test_assert_file_equals (path, expected);

  /* Durable checkpoints come every 2 s while data flows (haul_checkpoint_due): a run of
   * 6 s has two well inside it, whatever the machine's load; one at the very end may or
   * may not come before the last write. */
  g_assert_cmpuint (saves->len, >=, 2);
  for (guint i = 0; i < saves->len; i++)
    {
      gint64 written = haul_resume_data_get_written (g_ptr_array_index (saves, i));

      g_assert_cmpint (written, >=, last);
      g_assert_cmpint (written, <=, 6 * 1024 * KiB);
      last = written;
    }
  g_assert_cmpint (last, >, 0);
}

/* Cancelled before its files are ready: it ends cancelled, sends nothing, and leaves
 * nothing in the way of the next download of the same file. Whether the cancel is seen
 * before the preparation's answer or after it (the worker thread done and its answer
 * queued before the main loop runs again), nothing goes out. */
static void
test_cancel_while_preparing (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 64 * KiB, 1);
  g_autofree char *path = g_build_filename (f->dir, "early.bin", NULL);

  for (guint answered = 0; answered < 2; answered++)
    {
      g_autoptr(HaulDownload) download = new_download (f, "/early.bin?size=65536");
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      Run run = { 0 };

      g_test_message ("cancelled %s the preparation answered", answered ? "after" : "before");
      haul_download_run_async (download, cancellable, run_cb, &run);
      /* Without running the main loop: at once, or once the worker's answer waits in
       * it (nothing else is due then: the server only listens). */
      if (answered)
        {
          gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

          while (!g_main_context_pending (NULL))
            {
              g_assert_cmpint (g_get_monotonic_time (), <, deadline);
              g_thread_yield ();
            }
        }
      g_cancellable_cancel (cancellable);
      WAIT_FOR ("the cancelled run", run.done);
      g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_false (run.ok);
      g_clear_error (&run.error);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_assert_cmpuint (haul_test_server_requests (f->server)->len, ==, 0);
    }

  {
    g_autoptr(HaulDownload) again = new_download (f, "/early.bin?size=65536");
    Run second = { 0 };

    haul_download_run_async (again, NULL, run_cb, &second);
    WAIT_FOR ("the next run", second.done);
    g_assert_no_error (second.error);
    g_assert_cmpstr (haul_download_get_filename (again), ==, "early.bin");
    haul_test_assert_file_equals (path, expected);
  }
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  ADD ("/engine/second-run-refused", test_second_run_refused);
  ADD ("/engine/name-race", test_name_race);
  ADD ("/engine/limit-lifted", test_limit_lifted);
  ADD ("/engine/retry-wait-announced", test_retry_wait_announced);
  ADD ("/engine/fruitless-carried", test_fruitless_carried);
  ADD ("/engine/resume-data-saved", test_resume_data_saved);
  ADD ("/engine/cancel-while-preparing", test_cancel_while_preparing);

  return g_test_run ();
}
