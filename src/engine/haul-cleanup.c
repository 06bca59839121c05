/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-cleanup"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "haul-check.h"
#include "haul-cleanup.h"
#include "haul-download-private.h"
#include "haul-error.h"
#include "haul-io.h"
#include "haul-types.h"

typedef struct
{
  char  *directory;
  char  *name;
  GStrv  uris;
} Cleanup;

static void
cleanup_free (Cleanup *job)
{
  g_free (job->directory);
  g_free (job->name);
  g_strfreev (job->uris);
  g_free (job);
}

static int
open_directory (const char  *directory,
                GError     **error)
{
  int fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot use the directory “%s”: %s"), directory, g_strerror (saved_errno));
    }
  return fd;
}

/* Unlinks @name in @dirfd if it is a regular file; a missing file is no error. */
static gboolean
unlink_regular_at (int          dirfd,
                   const char  *name,
                   GError     **error)
{
  struct stat st;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        return TRUE;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not delete “%s”: %s"), name, g_strerror (saved_errno));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_NOT_REGULAR,
                   _("“%s” is not a regular file; it was left untouched"), name);
      return FALSE;
    }
  if (unlinkat (dirfd, name, 0) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not delete “%s”: %s"), name, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* Runs @worker in a thread on a copy of the arguments, once they are proven a download's
 * file name in an absolute directory. */
static void
start_cleanup (const char          *directory,
               const char          *name,
               const char * const  *uris,
               GTaskThreadFunc      worker,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Cleanup *job;

  g_task_set_source_tag (task, source_tag);
  if (!haul_check_file_name (name, -1, NULL) || !g_path_is_absolute (directory))
    {
      g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a file name of a download"), name);
      return;
    }
  job = g_new0 (Cleanup, 1);
  job->directory = g_strdup (directory);
  job->name = g_strdup (name);
  job->uris = g_strdupv ((char **) uris);
  g_task_set_task_data (task, job, (GDestroyNotify) cleanup_free);
  haul_io_run_in_thread (task, HAUL_IO_FILES, worker);
}

static void
partial_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Cleanup *job = task_data;
  g_autofree char *pname = _haul_download_part_name (job->name);
  g_autofree char *jname = _haul_download_json_name (job->name);
  g_autoptr(HaulResumeData) rd = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(HaulFd) dirfd = -1;
  gboolean present;

  dirfd = open_directory (job->directory, &error);
  if (dirfd < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The proof that the `.part` is this download's: resume data of this name, for one of
   * its URLs. Without it, nothing is deleted. */
  rd = _haul_download_load_resume_data_at (dirfd, jname, &present, &error);
  if (!present)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (rd == NULL || g_strcmp0 (rd->filename, job->name) != 0 ||
      !g_strv_contains ((const char * const *) job->uris, rd->uri != NULL ? rd->uri : ""))
    {
      g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_UNTRUSTED_PART,
                               _("“%s” is not this transfer's resume data; it and “%s” were left untouched"),
                               jname, pname);
      return;
    }
  /* Complete resume data means the `.part` already became the file: that stays. */
  if (!rd->complete && !unlink_regular_at (dirfd, pname, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!unlink_regular_at (dirfd, jname, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * haul_cleanup_partial_async:
 * @directory: the download's directory
 * @name: the download's file name (a basename)
 * @uris: the URLs the download had (its resume data must name one of them)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Deletes `NAME.part` and `NAME.part.json`, in a worker thread, if the resume data proves
 * them this download's; otherwise leaves both and fails with %HAUL_ERROR_UNTRUSTED_PART.
 * Nothing there is no error.
 */
void
haul_cleanup_partial_async (const char          *directory,
                            const char          *name,
                            const char * const  *uris,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  start_cleanup (directory, name, uris, partial_worker, haul_cleanup_partial_async, cancellable,
                 callback, user_data);
}

gboolean
haul_cleanup_partial_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
file_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Cleanup *job = task_data;
  g_autoptr(GError) error = NULL;
  g_auto(HaulFd) dirfd = open_directory (job->directory, &error);

  if (dirfd < 0 || !unlink_regular_at (dirfd, job->name, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * haul_cleanup_file_async:
 * @directory: the download's directory
 * @name: the finished file's name (a basename)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Deletes a finished download's file, in a worker thread, if it is a regular file; a
 * symlink, a directory or a device of that name is left with %HAUL_ERROR_NOT_REGULAR.
 */
void
haul_cleanup_file_async (const char          *directory,
                         const char          *name,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  start_cleanup (directory, name, NULL, file_worker, haul_cleanup_file_async, cancellable,
                 callback, user_data);
}

gboolean
haul_cleanup_file_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
