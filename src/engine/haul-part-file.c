/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <gio/gio.h>

#include "haul-download-private.h"
#include "haul-part-file.h"

/**
 * haul_part_file_write:
 * @fd: the .part file, opened for writing
 * @direct_fd: the same file opened with O_DIRECT, or -1
 * @direct_failed: (inout): set (atomically) once the file system refused O_DIRECT; from
 *   then on everything takes @fd
 * @buf: the bytes
 * @len: how many
 * @offset: where they go in the file
 * @written: (out): how many landed, all of them or those before an error
 * @error: where to put the error (a #GIOErrorEnum; a write of 0 bytes counts as ENOSPC)
 *
 * Writes all of @buf at @offset. Whole aligned blocks go through @direct_fd: a download
 * does not push the user's working set out of the page cache, and here it is faster too
 * (no fresh page-cache pages to fault in). Anything else, and file systems that refuse
 * O_DIRECT, take the ordinary path. The two never overlap: each byte range is written
 * once. Blocks the calling thread.
 *
 * Returns: whether all of it landed
 */
gboolean
haul_part_file_write (int           fd,
                      int           direct_fd,
                      int          *direct_failed,
                      const guint8 *buf,
                      gsize         len,
                      gint64        offset,
                      gsize        *written,
                      GError      **error)
{
  gsize done = 0;

  while (done < len)
    {
      gint64 at = offset + (gint64) done;
      gsize left = len - done;
      gboolean direct = direct_fd >= 0 && !g_atomic_int_get (direct_failed) &&
                        at % HAUL_DIRECT_ALIGN == 0 && left >= HAUL_DIRECT_ALIGN &&
                        GPOINTER_TO_SIZE (buf + done) % HAUL_DIRECT_ALIGN == 0;
      ssize_t n;

      if (direct)
        n = pwrite (direct_fd, buf + done, left - left % HAUL_DIRECT_ALIGN, at);
      else
        n = pwrite (fd, buf + done, left, at);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && direct && errno == EINVAL)
        {
          g_atomic_int_set (direct_failed, TRUE);
          continue;
        }
      if (n <= 0)
        {
          int saved_errno = n < 0 ? errno : ENOSPC;

          *written = done;
          g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               g_strerror (saved_errno));
          return FALSE;
        }
      done += (gsize) n;
    }
  *written = done;
  return TRUE;
}
