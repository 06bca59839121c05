/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "kill-test"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "haul-test-utils.h"

#define MiB (1024 * 1024)
#define KILLS 20

typedef struct
{
  const char *name;
  gsize       size;
  const char *segments;
  guint       drip;
} KillCase;

/* SIGKILLs `haulctl get` at random instants (fixed seed) during one download, running it
 * again after each kill. After every kill the directory must hold a resumable pair or
 * nothing; at the end the file must be identical. The bytes the server sent beyond the
 * size of the file are what the kills cost; they are reported, not asserted. */
static void
test_kill (gconstpointer data)
{
  const KillCase *kc = data;
  HaulTestServer *server = haul_test_server_new (FALSE);
  g_autoptr(GBytes) expected = haul_test_server_content (server, kc->size, 1);
  g_autofree char *dir = haul_test_make_tempdir (kc->name);
  g_autofree char *query = g_strdup_printf ("/%s?size=%zu&drip=%u", kc->name, kc->size, kc->drip);
  g_autofree char *uri = haul_test_server_uri (server, query);
  g_autofree char *file = g_build_filename (dir, "out.bin", NULL);
  g_autofree char *part = g_strconcat (file, ".part", NULL);
  g_autofree char *json = g_strconcat (file, ".part.json", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261125);
  const char *argv[] = { "get", uri, "-o", file, "-s", kc->segments, "--quiet", NULL };
  g_auto(HaulTestRun) run = { 0 };
  guint64 over;

  for (guint kill = 0; kill < KILLS; kill++)
    {
      g_autoptr(GSubprocess) proc = haul_test_spawn_haulctl_argv (argv);
      guint delay = (guint) g_rand_int_range (rand, 30, 400);

      haul_test_iterate_for (delay);
      g_subprocess_send_signal (proc, SIGKILL);
      haul_test_wait_subprocess (proc);
      if (!g_subprocess_get_if_signaled (proc))
        g_test_message ("run %u exited with %d", kill, g_subprocess_get_exit_status (proc));

      /* The download must still be under way: otherwise the test proves nothing. */
      g_assert_true (g_subprocess_get_if_signaled (proc));
      g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
      /* A .part never exists without the resume data that vouches for it. */
      if (g_file_test (part, G_FILE_TEST_EXISTS))
        g_assert_true (g_file_test (json, G_FILE_TEST_EXISTS));
    }

  haul_test_run_haulctl_argv (&run, argv);
  g_assert_cmpint (run.status, ==, 0);
  haul_test_assert_file_equals (file, expected);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (json, G_FILE_TEST_EXISTS));

  over = haul_test_server_bytes_sent (server) - kc->size;
  g_test_message ("over-read with -s %s: %" G_GUINT64_FORMAT " bytes in %d kills, "
                  "%.0f KiB per kill", kc->segments, over, KILLS, over / 1024.0 / KILLS);
  g_print ("# over-read with -s %s: %" G_GUINT64_FORMAT " bytes in %d kills (%.0f KiB per kill)\n",
           kc->segments, over, KILLS, over / 1024.0 / KILLS);

  g_unlink (file);
  g_rmdir (dir);
  haul_test_server_free (server);
}

int
main (int    argc,
      char **argv)
{
  /* 20 kills of at most 0.4 s each take under 6 MB at 3 MB/s (single stream) and under
   * 12 MB at 4 × 1.5 MB/s (segments): well short of the file. */
  static const KillCase single = { "single", 24 * MiB, "1", 3000000 };
  static const KillCase segmented = { "segmented", 32 * MiB, "4", 1500000 };

  haul_test_init (&argc, &argv);

  g_test_add_data_func ("/kill/single-stream", &single, test_kill);
  g_test_add_data_func ("/kill/segmented", &segmented, test_kill);

  return g_test_run ();
}
