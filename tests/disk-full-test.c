/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "disk-full-test"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "haul-test-utils.h"

#define MiB (1024 * 1024)

static gboolean
write_file (const char *path,
            const char *contents)
{
  int fd = open (path, O_WRONLY);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, contents, strlen (contents)) == (ssize_t) strlen (contents);
  close (fd);
  return ok;
}

/* Mounting needs a mount namespace of our own: as root directly, otherwise inside a user
 * namespace. The children (haulctl) inherit it, and it vanishes with this process. */
static void
enter_private_mount_namespace (void)
{
  if (geteuid () != 0)
    {
      uid_t uid = geteuid ();
      gid_t gid = getegid ();
      g_autofree char *uid_map = g_strdup_printf ("0 %u 1", uid);
      g_autofree char *gid_map = g_strdup_printf ("0 %u 1", gid);

      if (unshare (CLONE_NEWUSER | CLONE_NEWNS) != 0)
        g_error ("This test mounts a small tmpfs: it needs root or user namespaces (%s)",
                 g_strerror (errno));
      g_assert_true (write_file ("/proc/self/setgroups", "deny"));
      g_assert_true (write_file ("/proc/self/uid_map", uid_map));
      g_assert_true (write_file ("/proc/self/gid_map", gid_map));
    }
  else if (unshare (CLONE_NEWNS) != 0)
    g_error ("unshare (CLONE_NEWNS) failed: %s", g_strerror (errno));

  if (mount ("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    g_error ("Could not make mounts private: %s", g_strerror (errno));
}

static void
test_disk_full (void)
{
  HaulTestServer *server = haul_test_server_new (FALSE);
  g_autoptr(GBytes) expected = haul_test_server_content (server, 3 * MiB, 1);
  g_autofree char *dir = haul_test_make_tempdir ("tiny");
  g_autofree char *uri = haul_test_server_uri (server, "/big.bin?size=3145728");
  g_autofree char *file = g_build_filename (dir, "big.bin", NULL);
  g_autofree char *part = g_strconcat (file, ".part", NULL);
  g_autofree char *json = g_strconcat (file, ".part.json", NULL);
  const char *argv[] = { "get", uri, "-o", file, "-s", "1", "--json", NULL };
  g_auto(HaulTestRun) run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  if (mount ("tmpfs", dir, "tmpfs", 0, "size=1m,mode=0700") != 0)
    g_error ("Could not mount a tmpfs: %s", g_strerror (errno));

  /* 3 MiB into 1 MiB: a clear error, exit 1, and the partial data kept. */
  haul_test_run_haulctl_argv (&run, argv);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "No space left on device"));
  g_assert_nonnull (strstr (run.err, "big.bin"));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (json, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 0);

  /* Free space; running again continues from the partial data. */
  if (mount (NULL, dir, NULL, MS_REMOUNT, "size=8m,mode=0700") != 0)
    g_error ("Could not grow the tmpfs: %s", g_strerror (errno));
  haul_test_run_haulctl_argv (&run, argv);
  g_assert_cmpint (run.status, ==, 0);
  haul_test_assert_file_equals (file, expected);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (json, G_FILE_TEST_EXISTS));

  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)),
                                               "resumed_from"), >, 0);

  g_assert_cmpint (umount2 (dir, MNT_DETACH), ==, 0);
  g_rmdir (dir);
  haul_test_server_free (server);
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);
  enter_private_mount_namespace ();

  g_test_add_func ("/disk-full/tmpfs", test_disk_full);

  return g_test_run ();
}
