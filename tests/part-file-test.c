/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "haul-download-private.h"
#include "haul-part-file.h"
#include "haul-test-utils.h"

/* How a connection's bytes go into the .part file (haul_part_file_write). */

#define LEN (3 * HAUL_DIRECT_ALIGN + 1000)

static guint8 *
aligned_pattern (gsize len)
{
  void *buf = NULL;

  g_assert_cmpint (posix_memalign (&buf, HAUL_DIRECT_ALIGN, len), ==, 0);
  for (gsize i = 0; i < len; i++)
    ((guint8 *) buf)[i] = (guint8) (i * 7 + 3);
  return buf;
}

static void
assert_file_holds (const char   *path,
                   gint64        offset,
                   const guint8 *buf,
                   gsize         len)
{
  g_autofree char *contents = NULL;
  gsize size = 0;

  g_assert_true (g_file_get_contents (path, &contents, &size, NULL));
  g_assert_cmpuint (size, ==, (gsize) offset + len);
  g_assert_cmpmem (contents + offset, len, buf, len);
}

static char *
new_file (int *fd)
{
  g_autofree char *dir = haul_test_make_tempdir ("part-file");
  char *path = g_build_filename (dir, "f.part", NULL);

  *fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (*fd, >=, 0);
  return path;
}

/* Without an O_DIRECT descriptor: everything through the ordinary one, at any offset. */
static void
test_plain (void)
{
  g_autofree guint8 *buf = aligned_pattern (LEN);
  int fd, failed = FALSE;
  g_autofree char *path = new_file (&fd);
  g_autoptr(GError) error = NULL;
  gsize written = 0;

  g_assert_true (haul_part_file_write (fd, -1, &failed, buf + 1, LEN - 1, 100, &written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, LEN - 1);
  close (fd);
  assert_file_holds (path, 100, buf + 1, LEN - 1);
}

/* With one (where the build's file system has O_DIRECT): whole aligned blocks through it,
 * the tail through the other, the file the same; a failure of the tail reports what
 * landed before it. */
static void
test_direct (void)
{
  g_autofree guint8 *buf = aligned_pattern (LEN);
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "part-file-direct", NULL);
  g_autofree char *path = g_build_filename (dir, "f.part", NULL);
  g_autoptr(GError) error = NULL;
  int fd, direct, failed = FALSE;
  gsize written = 0;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  direct = open (path, O_WRONLY | O_DIRECT | O_CLOEXEC);
  if (direct < 0)
    {
      /* The file system refuses O_DIRECT at open: the download has no such descriptor,
       * which test_plain covers. Say so rather than pass silently. */
      g_test_message ("O_DIRECT refused here (%s): only the ordinary path is tested", g_strerror (errno));
      g_test_incomplete ("no O_DIRECT on the build directory's file system");
      close (fd);
      return;
    }

  g_assert_true (haul_part_file_write (fd, direct, &failed, buf, LEN, 0, &written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, LEN);
  g_assert_false (failed);
  assert_file_holds (path, 0, buf, LEN);

  /* The aligned blocks land through O_DIRECT; the tail's descriptor is broken. */
  g_assert_false (haul_part_file_write (-1, direct, &failed, buf, LEN, 0, &written, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpuint (written, ==, 3 * HAUL_DIRECT_ALIGN);
  close (direct);
  close (fd);
  g_unlink (path);
  g_rmdir (dir);
}

/* A descriptor that cannot be written: nothing landed, and the error says why. */
static void
test_error (void)
{
  g_autofree guint8 *buf = aligned_pattern (LEN);
  g_autoptr(GError) error = NULL;
  int failed = FALSE;
  gsize written = 99;

  g_assert_false (haul_part_file_write (-1, -1, &failed, buf, LEN, 0, &written, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (written, ==, 0);
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* The asynchronous operations, as a download uses them: a write lands in a worker thread
 * (unaligned here, so through the ordinary descriptor), a failed one says how much
 * landed, and truncating empties the file. */
static void
test_async (void)
{
  g_autofree guint8 *buf = aligned_pattern (LEN);
  int fd;
  g_autofree char *path = new_file (&fd);
  g_autoptr(HaulPartFile) part = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) truncated = NULL;
  g_autoptr(GError) error = NULL;
  gsize written = 0;
  int ro;

  close (fd);
  fd = open (path, O_RDWR | O_CLOEXEC);
  part = haul_part_file_new (fd, -1);
  g_assert_cmpint (haul_part_file_get_fd (part), ==, fd);

  haul_part_file_write_async (part, buf, LEN, 10, NULL, result_cb, &result);
  g_assert_true (haul_part_file_write_finish (part, wait_for_result (&result), &written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, LEN);
  assert_file_holds (path, 10, buf, LEN);

  haul_part_file_truncate_async (part, NULL, result_cb, &truncated);
  g_assert_true (haul_part_file_truncate_finish (part, wait_for_result (&truncated), &error));
  g_assert_no_error (error);
  assert_file_holds (path, 0, buf, 0);

  /* A descriptor open only for reading: the write fails, and nothing landed. */
  g_clear_object (&part);
  g_clear_object (&result);
  ro = open (path, O_RDONLY | O_CLOEXEC);
  part = haul_part_file_new (ro, -1);
  haul_part_file_write_async (part, buf, LEN, 0, NULL, result_cb, &result);
  g_assert_false (haul_part_file_write_finish (part, wait_for_result (&result), &written, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpuint (written, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add_func ("/part-file/plain", test_plain);
  g_test_add_func ("/part-file/direct", test_direct);
  g_test_add_func ("/part-file/error", test_error);
  g_test_add_func ("/part-file/async", test_async);

  return g_test_run ();
}
