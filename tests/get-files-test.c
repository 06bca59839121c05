/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "get-files-test"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "get-test-utils.h"

/* `haulctl get` and the files it finds in place: what Haul did not make is never deleted,
 * truncated or replaced; only regular files are ever replaced; a finished download run
 * again is found done. */

static void
assert_contents (const char *path,
                 const char *expected)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);
}

static void
test_foreign_resume_data (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autofree char *json = in_dir (f, "foo.part.json");
  g_autofree char *victim = in_dir (f, "victim.txt");
  g_autofree char *other = NULL;

  /* A file of the user's that Haul cannot parse, with no .part beside it. */
  g_assert_true (g_file_set_contents (json, "my notes, not JSON", -1, NULL));
  g_assert_cmpint (get (f, "/foo", "-o", owned_path (f, "foo"), NULL), ==, 1);
  g_assert_nonnull (strstr (f->run.err, "left untouched"));
  g_assert_nonnull (strstr (f->run.err, "move it away or delete it"));
  assert_contents (json, "my notes, not JSON");
  g_assert_cmpint (get (f, "/foo", "-o", owned_path (f, "foo"), "--overwrite", NULL), ==, 1);
  assert_contents (json, "my notes, not JSON");
  assert_absent (f, "foo");
  assert_absent (f, "foo.part");

  /* Resume data, but of another file: not this download's either. */
  {
    g_autofree char *uri = haul_test_server_uri (f->server, "/foo");

    make_partial (f, "elsewhere", uri, expected, 1000);
    g_assert_cmpint (g_rename (owned_path (f, "elsewhere.part.json"), json), ==, 0);
    g_assert_true (g_file_get_contents (json, &other, NULL, NULL));
    g_assert_cmpint (get (f, "/foo", "-o", owned_path (f, "foo"), NULL), ==, 1);
    g_assert_nonnull (strstr (f->run.err, "another file"));
    assert_contents (json, other);
    g_assert_cmpint (g_unlink (json), ==, 0);
  }

  /* A symlink of that name: neither followed nor removed. */
  g_assert_true (g_file_set_contents (victim, "keep", -1, NULL));
  g_assert_cmpint (symlink (victim, json), ==, 0);
  g_assert_cmpint (get (f, "/foo", "-o", owned_path (f, "foo"), NULL), ==, 1);
  g_assert_true (g_file_test (json, G_FILE_TEST_IS_SYMLINK));
  assert_contents (victim, "keep");
  g_assert_cmpuint (n_requests (f), ==, 0);

  /* Gone, the download goes. */
  g_assert_cmpint (g_unlink (json), ==, 0);
  g_assert_cmpint (get (f, "/foo", "-o", owned_path (f, "foo"), NULL), ==, 0);
  assert_saved (f, "foo", expected);
  assert_contents (victim, "keep");
}

/* Runs get -o @target, with --overwrite when asked; it must be refused as a usage error
 * without a request, and say nothing of --overwrite. */
static void
assert_target_refused (Fixture    *f,
                       const char *target,
                       gboolean    overwrite)
{
  guint before = n_requests (f);

  g_assert_cmpint (get (f, "/t.bin", "-o", target, overwrite ? "--overwrite" : NULL, NULL), ==, 2);
  g_test_message ("%s: %s", target, f->run.err);
  g_assert_null (strstr (f->run.err, "--overwrite"));
  g_assert_cmpuint (n_requests (f), ==, before);
}

static void
test_non_regular_target (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *fifo = in_dir (f, "pipe");
  g_autofree char *link = in_dir (f, "link");
  g_autofree char *victim = in_dir (f, "victim");
  g_autofree char *subdir = in_dir (f, "subdir");
  g_autofree char *parent = g_path_get_dirname (f->dir);
  g_autofree char *dev_part = NULL;
  struct stat st;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  assert_target_refused (f, fifo, FALSE);
  assert_target_refused (f, fifo, TRUE);
  g_assert_cmpint (lstat (fifo, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));

  /* The system's /dev/null, which root could otherwise replace. */
  assert_target_refused (f, "/dev/null", FALSE);
  assert_target_refused (f, "/dev/null", TRUE);
  g_assert_cmpint (lstat ("/dev/null", &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
  g_assert_false (g_file_test ("/dev/null.part", G_FILE_TEST_EXISTS));

  g_assert_true (g_file_set_contents (victim, "keep", -1, NULL));
  g_assert_cmpint (symlink (victim, link), ==, 0);
  assert_target_refused (f, link, TRUE);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  assert_contents (victim, "keep");

  /* A directory: refused before anything is fetched, so nothing is left behind. */
  g_assert_cmpint (g_mkdir (subdir, 0700), ==, 0);
  assert_target_refused (f, subdir, TRUE);
  g_assert_nonnull (strstr (f->run.err, "-d"));
  assert_absent (f, "subdir.part");
  assert_absent (f, "subdir.part.json");
  g_assert_cmpint (g_rmdir (subdir), ==, 0);
  g_assert_cmpint (g_unlink (link), ==, 0);
  g_assert_cmpint (g_unlink (fifo), ==, 0);
}

static void
test_limit_rate_zero (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);

  /* 0 is "no limit", as the service's speed limit. */
  g_assert_cmpint (get (f, "/free.bin", "--limit-rate", "0", NULL), ==, 0);
  assert_saved (f, "free.bin", expected);
  g_assert_cmpint (get (f, "/free.bin", "--limit-rate", "0.5", NULL), ==, 2);
}

static void
test_rerun_completed (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autofree char *good = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, expected);
  const char *bad = "0000000000000000000000000000000000000000000000000000000000000000";
  const char *out = owned_path (f, "done.bin");
  GStatBuf before, after;
  guint requests;

  g_assert_cmpint (get (f, "/done.bin", "-o", out, NULL), ==, 0);
  assert_saved (f, "done.bin", expected);
  g_assert_cmpint (g_stat (out, &before), ==, 0);
  /* The server's date, as wget gives it: Wed, 01 Oct 2025 07:28:00 GMT. */
  g_assert_cmpint (before.st_mtime, ==, 1759303680);

  /* Run again, as a script that runs until it succeeds does: done, with one look at the
   * server and nothing fetched. */
  requests = n_requests (f);
  g_assert_cmpint (get (f, "/done.bin", "-o", out, NULL), ==, 0);
  g_assert_true (result_bool (f, "already_complete"));
  g_assert_nonnull (strstr (f->run.err, "already downloaded"));
  g_assert_cmpuint (n_requests (f), ==, requests + 1);
  assert_saved (f, "done.bin", expected);
  g_assert_cmpint (g_stat (out, &after), ==, 0);
  g_assert_cmpint (after.st_ino, ==, before.st_ino);

  /* With a checksum the file itself is the proof: no request at all. */
  g_assert_cmpint (get (f, "/done.bin", "-o", out, "--sha256", good, NULL), ==, 0);
  g_assert_true (result_bool (f, "already_complete"));
  g_assert_cmpuint (n_requests (f), ==, requests + 1);
  g_assert_cmpint (get (f, "/done.bin", "-o", out, "--sha256", bad, NULL), ==, 1);
  g_assert_nonnull (strstr (f->run.err, "checksum"));
  g_assert_nonnull (strstr (f->run.err, "--overwrite"));
  assert_saved (f, "done.bin", expected);

  /* The server now has another file under that name (same size, another date). */
  g_assert_cmpint (get (f, "/done.bin?variant=2", "-o", out, NULL), ==, 1);
  g_assert_nonnull (strstr (f->run.err, "is not the file on the server"));
  g_assert_nonnull (strstr (f->run.err, "--overwrite"));
  assert_saved (f, "done.bin", expected);
}

static void
test_help_usage (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(HaulTestRun) run = { 0 };

  haul_test_run_haulctl (&run, "get", "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_test_message ("%s", run.out);
  g_assert_nonnull (strstr (run.out, "URL"));
  g_assert_null (strstr (run.out, "URL URL"));
  g_assert_nonnull (strstr (run.out, "--same-file"));
}

#define ADD(path, func) \
  g_test_add (path, Fixture, GINT_TO_POINTER (FALSE), fixture_setup, func, fixture_teardown)

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  ADD ("/get-files/foreign-resume-data", test_foreign_resume_data);
  ADD ("/get-files/non-regular-target", test_non_regular_target);
  ADD ("/get-files/limit-rate-zero", test_limit_rate_zero);
  ADD ("/get-files/rerun-completed", test_rerun_completed);
  ADD ("/get-files/help-usage", test_help_usage);

  return g_test_run ();
}
