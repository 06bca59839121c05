/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "get-loops-test"

#include "config.h"

#include <string.h>

#include "get-test-utils.h"

/* Two files never get joined, and a broken server never makes Haul loop. */

static void
test_no_splice (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_server_content (f->server, MiB, 1);
  g_autoptr(GBytes) b = haul_test_server_content (f->server, MiB, 2);
  const char *out = owned_path (f, "os.iso");
  HaulTestRequest *last;

  /* Two different files with one ETag and date, as nginx gives files of one size and
   * modification time. The first is interrupted half way. */
  g_assert_cmpint (get (f, "/a.bin?size=1048576&same-validators=1&short=1", "-o", out,
                        "--retries", "0", "-s", "1", NULL), ==, 1);
  g_assert_true (haul_test_file_exists (f->dir, "os.iso.part"));

  /* The other URL does not continue the first one's data: it starts over, saying so,
   * without even asking for a range. */
  g_assert_cmpint (get (f, "/b.bin?size=1048576&same-validators=1&variant=2", "-o", out,
                        "-s", "1", NULL), ==, 0);
  assert_saved (f, "os.iso", b);
  g_assert_true (result_bool (f, "restarted"));
  g_assert_nonnull (strstr (f->run.err, "came from another URL"));
  g_assert_nonnull (strstr (f->run.err, "starting over"));
  last = request (f, n_requests (f) - 1);
  g_assert_cmpstr (last->path, ==, "/b.bin");
  g_assert_null (last->range);
}

static void
test_same_file_needs_agreement (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GBytes) big = haul_test_server_content (f->server, 2 * MiB, 1);
  const char *out = owned_path (f, "relink.bin");

  g_assert_cmpint (get (f, "/old?size=1048576&short=1", "-o", out, "--retries", "0", "-s", "1",
                        NULL), ==, 1);
  /* Asked to continue from a "fresh link", but the server's file has another size: the
   * data is not continued. */
  g_assert_cmpint (get (f, "/new?size=2097152", "-o", out, "-s", "1", "--same-file", NULL), ==, 0);
  assert_saved (f, "relink.bin", big);
  g_assert_true (result_bool (f, "restarted"));
}

static void
test_416_always_segmented (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 20 * MiB, 1);

  /* The server refuses every range with 416 although it never sent the whole file: one
   * plain request then gets it, and nothing loops. */
  g_assert_cmpint (get (f, "/big.bin?size=20971520&force416=1", "-s", "4", NULL), ==, 0);
  assert_saved (f, "big.bin", expected);
  g_test_message ("%u requests", n_requests (f));
  g_assert_cmpuint (n_requests (f), <=, 8);
  g_assert_cmpuint (haul_test_server_bytes_sent (f->server), <=, 3 * 20 * MiB);
}

static void
test_416_always_dropping (Fixture       *f,
                          gconstpointer  data)
{
  /* Every body drops at 300000 bytes, and every range is refused: each try starts over
   * and gets no further. The tries run out instead of going on for ever. */
  g_assert_cmpint (get (f, "/d.bin?size=1048576&force416=1&drop=300000&faults=100000",
                        "--retries", "3", "-s", "1", NULL), ==, 1);
  g_test_message ("%u requests: %s", n_requests (f), f->run.err);
  g_assert_nonnull (strstr (f->run.err, "Gave up after"));
  g_assert_cmpuint (n_requests (f), <=, 2 * (3 + 1) + 1);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, GINT_TO_POINTER (FALSE), fixture_setup, func, fixture_teardown)

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  ADD ("/get-loops/no-splice", test_no_splice);
  ADD ("/get-loops/same-file-needs-agreement", test_same_file_needs_agreement);
  ADD ("/get-loops/416-always-segmented", test_416_always_segmented);
  ADD ("/get-loops/416-always-dropping", test_416_always_dropping);

  return g_test_run ();
}
