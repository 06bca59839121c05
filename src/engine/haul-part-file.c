/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <gio/gio.h>

#include "haul-download-private.h"
#include "haul-io.h"
#include "haul-part-file.h"

struct _HaulPartFile
{
  GObject parent_instance;

  int     fd;
  int     direct_fd;
  int     direct_failed;   /* atomic: set by the worker that saw EINVAL */
};

G_DEFINE_FINAL_TYPE (HaulPartFile, haul_part_file, G_TYPE_OBJECT)

/* What one write needs in its worker: copies, and the buffer its caller keeps. */
typedef struct
{
  int          *direct_failed;   /* the file's; the task keeps the file alive */
  int           fd;
  int           direct_fd;
  const guint8 *buf;
  gsize         len;
  gint64        offset;
  gsize         written;
} WriteJob;

static void
haul_part_file_finalize (GObject *object)
{
  HaulPartFile *self = HAUL_PART_FILE (object);

  _haul_download_clear_fd (&self->fd);
  _haul_download_clear_fd (&self->direct_fd);

  G_OBJECT_CLASS (haul_part_file_parent_class)->finalize (object);
}

static void
haul_part_file_class_init (HaulPartFileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = haul_part_file_finalize;
}

static void
haul_part_file_init (HaulPartFile *self)
{
  self->fd = -1;
  self->direct_fd = -1;
}

/**
 * haul_part_file_new:
 * @fd: the `.part` file, open for reading and writing; taken
 * @direct_fd: the same file opened with O_DIRECT, or -1; taken
 *
 * Returns: (transfer full): the file, which closes both descriptors when it goes
 */
HaulPartFile *
haul_part_file_new (int fd,
                    int direct_fd)
{
  HaulPartFile *self = g_object_new (HAUL_TYPE_PART_FILE, NULL);

  self->fd = fd;
  self->direct_fd = direct_fd;
  return self;
}

/**
 * haul_part_file_get_fd:
 * @self: a part file
 *
 * Returns: the ordinary descriptor, for the last steps of a download (which block, and
 *   run in a worker of their own)
 */
int
haul_part_file_get_fd (HaulPartFile *self)
{
  g_return_val_if_fail (HAUL_IS_PART_FILE (self), -1);
  return self->fd;
}

static void
write_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteJob *job = task_data;
  GError *error = NULL;

  if (!haul_part_file_write (job->fd, job->direct_fd, job->direct_failed, job->buf, job->len,
                             job->offset, &job->written, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * haul_part_file_write_async:
 * @self: a part file
 * @buf: the bytes, which must stay valid until @callback
 * @len: how many
 * @offset: where they go in the file
 * @cancellable: (nullable): a cancellable
 * @callback: called when the bytes landed, or some did not
 * @user_data: data for @callback
 *
 * Writes all of @buf at @offset by the rule of haul_part_file_write(), in one of the
 * engine's write threads.
 */
void
haul_part_file_write_async (HaulPartFile        *self,
                            const guint8        *buf,
                            gsize                len,
                            gint64               offset,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WriteJob *job;

  g_return_if_fail (HAUL_IS_PART_FILE (self));

  job = g_new0 (WriteJob, 1);
  job->direct_failed = &self->direct_failed;
  job->fd = self->fd;
  job->direct_fd = self->direct_fd;
  job->buf = buf;
  job->len = len;
  job->offset = offset;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haul_part_file_write_async);
  g_task_set_task_data (task, job, g_free);
  haul_io_run_in_thread (task, HAUL_IO_WRITE, write_worker);
}

/**
 * haul_part_file_write_finish:
 * @self: a part file
 * @result: the result
 * @written: (out): how many bytes landed: all of them, or those before an error
 * @error: where to put the error
 *
 * Returns: whether all of them landed
 */
gboolean
haul_part_file_write_finish (HaulPartFile  *self,
                             GAsyncResult  *result,
                             gsize         *written,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == haul_part_file_write_async,
                        FALSE);

  *written = ((WriteJob *) g_task_get_task_data (G_TASK (result)))->written;
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
return_errno (GTask *task)
{
  int saved_errno = errno;

  g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s",
                           g_strerror (saved_errno));
}

static void
truncate_worker (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  if (ftruncate (GPOINTER_TO_INT (task_data), 0) != 0)
    return_errno (task);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * haul_part_file_truncate_async:
 * @self: a part file
 * @cancellable: (nullable): a cancellable
 * @callback: called when the file is empty
 * @user_data: data for @callback
 *
 * Empties the file, for a download that starts over, in one of the engine's file threads.
 */
void
haul_part_file_truncate_async (HaulPartFile        *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HAUL_IS_PART_FILE (self));

  /* The worker gets a copy of the descriptor; the task keeps the file, and so the
   * descriptor, alive. */
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haul_part_file_truncate_async);
  g_task_set_task_data (task, GINT_TO_POINTER (self->fd), NULL);
  haul_io_run_in_thread (task, HAUL_IO_FILES, truncate_worker);
}

gboolean
haul_part_file_truncate_finish (HaulPartFile  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

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
