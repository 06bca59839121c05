/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-download-files"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "haul-check.h"
#include "haul-download-private.h"
#include "haul-download-run.h"
#include "haul-error.h"
#include "haul-filename.h"
#include "haul-io.h"
#include "haul-restart.h"

#define BUFFER_SIZE          (1024 * 1024)
#define MAX_RESUME_DATA_SIZE (1024 * 1024)

/* GLib 2.76's g_clear_fd is not in Debian 12. */
void
_haul_download_clear_fd (int *fd)
{
  if (*fd >= 0)
    close (g_steal_fd (fd));
}

/* A second descriptor of the `.part` for O_DIRECT writes, or -1 where the file system
 * refuses them (or HAUL_NO_DIRECT_IO is set, to test the ordinary path). */
int
_haul_download_open_direct_at (int         dirfd,
                               const char *name)
{
  if (g_getenv ("HAUL_NO_DIRECT_IO") != NULL)
    return -1;
  return openat (dirfd, name, O_WRONLY | O_DIRECT | O_NOFOLLOW | O_CLOEXEC);
}

char *
_haul_download_part_name (const char *name)
{
  return g_strconcat (name, ".part", NULL);
}

char *
_haul_download_json_name (const char *name)
{
  return g_strconcat (name, ".part.json", NULL);
}

gboolean
_haul_download_name_is_free (int         dirfd,
                             const char *name)
{
  g_autofree char *part = _haul_download_part_name (name);
  g_autofree char *json = _haul_download_json_name (name);
  struct stat st;

  return fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT &&
         fstatat (dirfd, part, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT &&
         fstatat (dirfd, json, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT;
}

void
_haul_download_finish_job_free (HaulFinishJob *job)
{
  g_free (job->name);
  g_free (job->sha256);
  g_free (job->json);
  g_free (job->final_name);
  g_free (job);
}

gboolean
_haul_download_verify_sha256 (int          fd,
                              const char  *expected,
                              GError     **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (BUFFER_SIZE);
  gint64 offset = 0;

  for (;;)
    {
      ssize_t n = pread (fd, buf, BUFFER_SIZE, offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Could not read the file to verify it: %s"), g_strerror (saved_errno));
          return FALSE;
        }
      if (n == 0)
        break;
      g_checksum_update (checksum, buf, n);
      offset += n;
    }

  if (g_ascii_strcasecmp (g_checksum_get_string (checksum), expected) != 0)
    {
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_CHECKSUM_MISMATCH,
                   _("SHA-256 mismatch: expected %s, got %s"),
                   expected, g_checksum_get_string (checksum));
      return FALSE;
    }
  return TRUE;
}

static gboolean
_haul_download_rename_noreplace (int         dirfd,
                                 const char *from,
                                 const char *to)
{
  if (renameat2 (dirfd, from, dirfd, to, RENAME_NOREPLACE) == 0)
    return TRUE;
  if (errno != EINVAL && errno != ENOSYS)
    return FALSE;
  /* File systems without RENAME_NOREPLACE: a hard link also refuses to replace. */
  if (linkat (dirfd, from, dirfd, to, 0) != 0)
    return FALSE;
  return unlinkat (dirfd, from, 0) == 0;
}

/* Flushes, verifies, marks the resume data complete, then renames NAME.part to NAME. A
 * kill at any step leaves either a resumable pair or the finished file. */
static void
finish_worker (GTask        *task,
                              gpointer      source_object,
                              gpointer      task_data,
                              GCancellable *cancellable)
{
  HaulFinishJob *job = task_data;
  g_autofree char *pname = _haul_download_part_name (job->name);
  g_autofree char *jname = _haul_download_json_name (job->name);
  g_autoptr(GError) error = NULL;

  if (job->part_present)
    {
      if (fdatasync (job->part_fd) != 0)
        {
          int saved_errno = errno;
          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                   _("Could not flush “%s”: %s"), pname, g_strerror (saved_errno));
          return;
        }
      if (job->sha256 != NULL && !_haul_download_verify_sha256 (job->part_fd, job->sha256, &error))
        {
          /* The data stays for a look, but running again would check the same bytes. */
          g_task_return_new_error (task, error->domain, error->code,
                                   _("%s. The data is kept in “%s”; delete it to download again"),
                                   error->message, pname);
          return;
        }
      if (job->mtime >= 0)
        {
          struct timespec times[2] = { { 0, UTIME_OMIT }, { job->mtime, 0 } };

          /* The server's date, as wget gives it: a later run can tell the file is the one
           * the server still has. */
          if (futimens (job->part_fd, times) != 0)
            g_debug ("Could not set the time of “%s”: %s", pname, g_strerror (errno));
        }
      if (!haul_write_file_atomically_at (job->dirfd, jname, job->json, job->json_length,
                                          TRUE, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      if (job->name_fixed && job->overwrite)
        {
          struct stat st;

          /* Only a regular file is ever replaced: never a device, a pipe, a directory or
           * a symlink that happens to have the name. */
          if (fstatat (job->dirfd, job->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
              !S_ISREG (st.st_mode))
            {
              g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_NOT_REGULAR,
                                       _("“%s” exists and is not a regular file; it was left untouched, and the download is kept in “%s”"),
                                       job->name, pname);
              return;
            }
          if (renameat (job->dirfd, pname, job->dirfd, job->name) == 0)
            job->final_name = g_strdup (job->name);
        }
      else
        {
          for (guint n = 0; job->final_name == NULL && n < 10000; n++)
            {
              g_autofree char *candidate = haul_filename_candidate (job->name, n);

              if (n > 0 && !_haul_download_name_is_free (job->dirfd, candidate))
                continue;
              if (_haul_download_rename_noreplace (job->dirfd, pname, candidate))
                job->final_name = g_steal_pointer (&candidate);
              else if (errno != EEXIST || job->name_fixed)
                break;
            }
        }

      if (job->final_name == NULL)
        {
          int saved_errno = errno;

          if (saved_errno == EEXIST)
            g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_EXISTS,
                                     _("“%s” already exists; the download is kept in “%s”"),
                                     job->name, pname);
          else
            g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                     _("Could not rename “%s”: %s"), pname,
                                     g_strerror (saved_errno));
          return;
        }
      fsync (job->dirfd);
    }
  else
    job->final_name = g_strdup (job->name);

  unlinkat (job->dirfd, jname, 0);
  fsync (job->dirfd);
  g_task_return_boolean (task, TRUE);
}

void
_haul_download_prepare_free (HaulPrepare *prep)
{
  g_free (prep->directory);
  g_free (prep->name);
  g_free (prep->uri);
  g_free (prep->previous_uri);
  g_free (prep->owner);
  g_free (prep->sha256);
  g_free (prep->restart_reason);
  g_free (prep->saved_resume_data);
  if (prep->dirfd >= 0)
    close (prep->dirfd);
  if (prep->part_fd >= 0)
    close (prep->part_fd);
  _haul_download_clear_fd (&prep->direct_fd);
  g_clear_pointer (&prep->rd, haul_resume_data_free);
  g_free (prep);
}

HaulResumeData *
_haul_download_load_resume_data_at (int          dirfd,
                                    const char  *name,
                                    gboolean    *present,
                                    GError     **error)
{
  g_auto(HaulFd) fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  g_autofree char *buf = NULL;
  gsize len = 0;

  *present = FALSE;
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        return NULL;
      *present = TRUE;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s", g_strerror (saved_errno));
      return NULL;
    }
  *present = TRUE;

  buf = g_malloc (MAX_RESUME_DATA_SIZE + 1);
  for (;;)
    {
      ssize_t n = read (fd, buf + len, MAX_RESUME_DATA_SIZE + 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "%s", g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break;
      len += n;
      if (len > MAX_RESUME_DATA_SIZE)
        {
          g_set_error_literal (error, HAUL_ERROR, HAUL_ERROR_FAILED, _("Resume data is too large"));
          return NULL;
        }
    }

  return haul_resume_data_new_from_json (buf, len, error);
}

/* Finds the resume data of an earlier run, for a download whose name is not fixed: the
 * one of @owner when given (the daemon's transfer, which may have been killed before it
 * noted the name it had claimed), else the one for the same URL (running the same
 * command again resumes). */
static char *
_haul_download_find_name (int         dirfd,
                          const char *uri,
                          const char *owner)
{
  g_auto(HaulFd) fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  DIR *dir;
  struct dirent *entry;

  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    return NULL;
  g_steal_fd (&fd);

  while ((entry = readdir (dir)) != NULL)
    {
      if (g_str_has_suffix (entry->d_name, ".part.json") && entry->d_name[0] != '.')
        g_ptr_array_add (names, g_strdup (entry->d_name));
    }
  closedir (dir);

  for (guint i = 0; i < names->len; i++)
    {
      const char *jname = g_ptr_array_index (names, i);
      g_autoptr(HaulResumeData) rd = NULL;
      gboolean present;
      g_autofree char *expected = NULL;

      rd = _haul_download_load_resume_data_at (dirfd, jname, &present, NULL);
      if (rd == NULL || rd->filename == NULL ||
          (owner != NULL ? g_strcmp0 (rd->owner, owner) != 0 : g_strcmp0 (rd->uri, uri) != 0))
        continue;
      expected = _haul_download_json_name (rd->filename);
      if (g_str_equal (expected, jname))
        return g_strdup (rd->filename);
    }
  return NULL;
}

/* Resume data is this file's only when it names it: anything else is not Haul's to use
 * (or to delete) under this name. */
static gboolean
resume_data_is_for (HaulResumeData  *rd,
                    const char      *name,
                    GError         **error)
{
  if (rd->filename != NULL && g_str_equal (rd->filename, name) &&
      haul_check_file_name (rd->filename, -1, NULL))
    return TRUE;
  g_set_error_literal (error, HAUL_ERROR, HAUL_ERROR_FAILED,
                       _("it is the resume data of another file"));
  return FALSE;
}

/* Looks at what is on disk for the download's name before the first request: resume data
 * to continue from, a finished file, or files Haul did not make, which are never touched.
 * Blocks: runs in a worker thread. */
static void
prepare_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  HaulPrepare *prep = task_data;
  g_autofree char *pname = NULL;
  g_autofree char *jname = NULL;
  g_autoptr(GError) json_error = NULL;
  gboolean json_present;
  gboolean part_present;
  gboolean final_present;
  struct stat st;

  prep->existing_size = -1;
  prep->existing_mtime = -1;
  prep->dirfd = open (prep->directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (prep->dirfd < 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Cannot use the directory “%s”: %s"), prep->directory,
                               g_strerror (saved_errno));
      return;
    }

  if (prep->name == NULL && !prep->find_by_uri && prep->owner == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (prep->name == NULL)
    {
      prep->name = _haul_download_find_name (prep->dirfd, prep->uri, prep->owner);
      if (prep->name == NULL)
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
    }

  pname = _haul_download_part_name (prep->name);
  jname = _haul_download_json_name (prep->name);
  prep->rd = _haul_download_load_resume_data_at (prep->dirfd, jname, &json_present, &json_error);
  if (prep->rd != NULL && !resume_data_is_for (prep->rd, prep->name, &json_error))
    g_clear_pointer (&prep->rd, haul_resume_data_free);

  part_present = fstatat (prep->dirfd, pname, &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (part_present && !S_ISREG (st.st_mode))
    {
      g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_NOT_REGULAR,
                               _("“%s” exists and is not a regular file; it was left untouched"),
                               pname);
      return;
    }

  /* The resume data beside the file is gone, but the caller kept a copy of what this
   * download saved last (the daemon, in its record): put it back, for the same name. */
  if (!json_present && part_present && prep->saved_resume_data != NULL)
    {
      g_autoptr(HaulResumeData) copy = NULL;
      g_autoptr(GError) copy_error = NULL;

      copy = haul_resume_data_new_from_json (prep->saved_resume_data, -1, &copy_error);
      if (copy != NULL && resume_data_is_for (copy, prep->name, &copy_error) &&
          haul_write_file_exclusively_at (prep->dirfd, jname, prep->saved_resume_data,
                                          strlen (prep->saved_resume_data), &copy_error))
        {
          g_debug ("Restored the resume data of “%s” from the saved copy", prep->name);
          prep->rd = g_steal_pointer (&copy);
          json_present = TRUE;
        }
      else if (copy_error != NULL)
        g_debug ("The saved resume data is of no use: %s", copy_error->message);
    }

  /* Files Haul cannot vouch for stay as they are, whatever the options say. */
  if (json_present && prep->rd == NULL)
    {
      g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_UNTRUSTED_PART,
                               _("“%s” exists but is damaged or is not Haul's resume data for this file (%s); it was left untouched"),
                               jname, json_error != NULL ? json_error->message : "");
      return;
    }
  if (prep->rd == NULL && part_present)
    {
      g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_UNTRUSTED_PART,
                               _("“%s” exists but has no resume data; it was left untouched"),
                               pname);
      return;
    }

  final_present = fstatat (prep->dirfd, prep->name, &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (final_present && !S_ISREG (st.st_mode))
    {
      g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_NOT_REGULAR,
                               _("“%s” exists and is not a regular file; it was left untouched"),
                               prep->name);
      return;
    }

  if (prep->rd != NULL && prep->rd->complete && !part_present && final_present)
    {
      /* A kill between the final rename and the removal of the resume data. */
      unlinkat (prep->dirfd, jname, 0);
      prep->already_complete = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Haul's own resume data, whose data is gone: of no more use. */
  if (prep->rd != NULL && !part_present)
    {
      g_clear_pointer (&prep->rd, haul_resume_data_free);
      unlinkat (prep->dirfd, jname, 0);
    }

  if (final_present && !prep->overwrite && prep->rd == NULL)
    {
      if (prep->check_existing && prep->sha256 != NULL)
        {
          g_auto(HaulFd) fd = openat (prep->dirfd, prep->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
          g_autoptr(GError) hash_error = NULL;

          if (fd >= 0 && _haul_download_verify_sha256 (fd, prep->sha256, &hash_error))
            {
              prep->already_complete = TRUE;
              g_task_return_boolean (task, TRUE);
              return;
            }
          g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_EXISTS,
                                   _("“%s” already exists, and is not the file the checksum names"),
                                   prep->name);
          return;
        }
      if (prep->check_existing)
        {
          /* The first response tells whether the server has this very file. */
          prep->existing_size = st.st_size;
          prep->existing_mtime = st.st_mtim.tv_sec;
          g_task_return_boolean (task, TRUE);
          return;
        }
      g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_EXISTS,
                               _("“%s” already exists"), prep->name);
      return;
    }

  if (prep->rd != NULL)
    {
      gint64 keep;

      prep->part_fd = openat (prep->dirfd, pname, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
      if (prep->part_fd < 0 || fstat (prep->part_fd, &st) != 0 || !S_ISREG (st.st_mode))
        {
          int saved_errno = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                   _("Cannot open “%s”: %s"), pname, g_strerror (saved_errno));
          return;
        }

      keep = haul_resume_data_apply_boot_rule (prep->rd, haul_get_boot_id (), st.st_size);
      g_free (prep->rd->boot_id);
      prep->rd->boot_id = g_strdup (haul_get_boot_id ());

      /* Data fetched from another URL is never continued from this one, unless the
       * caller says this is a fresh link to the same file (the server must then agree). */
      if (!prep->rd->complete && g_strcmp0 (prep->rd->uri, prep->uri) != 0)
        {
          if (prep->any_uri || g_strcmp0 (prep->rd->uri, prep->previous_uri) == 0)
            prep->relinked = TRUE;
          else
            {
              g_autofree char *json = NULL;
              g_autoptr(GError) save_error = NULL;
              gsize len;

              prep->restart_reason = haul_restart_describe (HAUL_RESTART_OTHER_URL, pname,
                                                            prep->rd->uri);
              haul_resume_data_reset (prep->rd);
              g_free (prep->rd->uri);
              prep->rd->uri = g_strdup (prep->uri);
              keep = 0;
              json = haul_resume_data_to_json (prep->rd, &len);
              if (!haul_write_file_atomically_at (prep->dirfd, jname, json, len, TRUE, &save_error))
                {
                  g_task_return_error (task, g_steal_pointer (&save_error));
                  return;
                }
            }
        }

      if (st.st_size > keep && ftruncate (prep->part_fd, keep) != 0)
        {
          int saved_errno = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                   _("Could not truncate “%s”: %s"), pname,
                                   g_strerror (saved_errno));
          return;
        }
      prep->direct_fd = _haul_download_open_direct_at (prep->dirfd, pname);
      prep->finish_only = prep->rd->complete;
    }

  g_task_return_boolean (task, TRUE);
}

void
_haul_download_claim_free (HaulClaim *claim)
{
  _haul_download_clear_fd (&claim->fd);
  _haul_download_clear_fd (&claim->direct_fd);
  g_clear_pointer (&claim->rd, haul_resume_data_free);
  g_free (claim->chosen_name);
  g_free (claim->suggested_name);
  g_free (claim->content_disposition);
  g_clear_pointer (&claim->final_uri, g_uri_unref);
  g_free (claim);
}

/* Claims the name and creates the files, in that order, so that a `.part` never exists
 * without resume data: the resume data is created only where no file of its name exists
 * (two downloads racing for a name cannot both have it), then the `.part` beside it. A
 * name that is not fixed takes the first free candidate, "NAME", "NAME (1)", … */
static void
claim_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  HaulClaim *claim = task_data;
  g_autofree char *base = NULL;
  g_autoptr(GError) error = NULL;

  if (!claim->name_fixed)
    base = claim->suggested_name != NULL ? g_strdup (claim->suggested_name)
                                         : haul_filename_choose (claim->content_disposition,
                                                                 claim->final_uri);

  for (guint n = 0; claim->fd < 0; n++)
    {
      g_autofree char *candidate = base != NULL ? haul_filename_candidate (base, n)
                                                : g_strdup (claim->rd->filename);
      g_autofree char *jname = _haul_download_json_name (candidate);
      g_autofree char *pname = _haul_download_part_name (candidate);
      g_autofree char *json = NULL;
      gsize len;
      int saved_errno;

      if (n > 9999)
        {
          g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_FAILED,
                                   _("No free name for “%s”"), base);
          return;
        }
      if (base != NULL && !_haul_download_name_is_free (claim->dirfd, candidate))
        continue;

      g_free (claim->rd->filename);
      claim->rd->filename = g_strdup (candidate);
      json = haul_resume_data_to_json (claim->rd, &len);
      if (!haul_write_file_exclusively_at (claim->dirfd, jname, json, len, &error))
        {
          /* Taken since we looked: by another download, most likely. */
          if (base != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
            {
              g_clear_error (&error);
              continue;
            }
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
            {
              g_task_return_new_error (task, HAUL_ERROR, HAUL_ERROR_UNTRUSTED_PART,
                                       _("“%s” was created by another program meanwhile; it was left untouched"),
                                       jname);
              return;
            }
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      claim->fd = openat (claim->dirfd, pname,
                          O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (claim->fd >= 0)
        {
          struct stat st;

          /* Another download may have taken the name, finished and put its file in place
           * between our look and our claim: then these files are ours, but the name is not. */
          if (base != NULL && fstatat (claim->dirfd, candidate, &st, AT_SYMLINK_NOFOLLOW) == 0)
            {
              _haul_download_clear_fd (&claim->fd);
              unlinkat (claim->dirfd, pname, 0);
              unlinkat (claim->dirfd, jname, 0);
              continue;
            }
          claim->direct_fd = _haul_download_open_direct_at (claim->dirfd, pname);
          break;
        }
      saved_errno = errno;
      /* Our resume data names a `.part` we could not create: it goes again. */
      unlinkat (claim->dirfd, jname, 0);
      if (base != NULL && saved_errno == EEXIST)
        continue;
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Could not create “%s”: %s"), pname, g_strerror (saved_errno));
      return;
    }
  claim->chosen_name = g_strdup (claim->rd->filename);
  g_task_return_boolean (task, TRUE);
}

static void
run_job (GObject             *source,
         gpointer             tag,
         gpointer             job,
         GDestroyNotify       job_free,
         GTaskThreadFunc      func,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (source, NULL, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, job, job_free);
  haul_io_run_in_thread (task, HAUL_IO_FILES, func);
}

static gpointer
job_of (GAsyncResult  *result,
        GError       **error)
{
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return g_task_get_task_data (G_TASK (result));
}

/* The resume data a new run of @opts starts from, before anything is known of the
 * server's file; @name is the name it must have, or %NULL. */
HaulResumeData *
_haul_download_resume_data_new (const HaulDownloadOptions *opts,
                                const char                *name)
{
  HaulResumeData *rd = haul_resume_data_new ();

  rd->uri = g_strdup (opts->uri);
  rd->filename = g_strdup (name);
  rd->boot_id = g_strdup (haul_get_boot_id ());
  rd->created_at = g_get_real_time () / G_USEC_PER_SEC;
  rd->sha256 = g_strdup (opts->sha256);
  rd->max_segments = opts->max_segments;
  rd->headers = g_strdupv (opts->headers);
  rd->owner = g_strdup (opts->owner);
  return rd;
}

/* What preparing a run of @opts needs to know; @fixed_name is the name it must have,
 * %NULL when it takes the server's. */
HaulPrepare *
_haul_download_prepare_new (const HaulDownloadOptions *opts,
                            const char                *fixed_name)
{
  HaulPrepare *prep = g_new0 (HaulPrepare, 1);

  prep->directory = g_strdup (opts->directory);
  prep->name = g_strdup (fixed_name);
  prep->uri = g_strdup (opts->uri);
  prep->previous_uri = g_strdup (opts->previous_uri);
  prep->owner = fixed_name != NULL ? NULL : g_strdup (opts->owner);
  prep->any_uri = opts->same_file;
  prep->overwrite = opts->overwrite;
  prep->check_existing = opts->check_existing && fixed_name != NULL;
  prep->find_by_uri = opts->resume_by_uri && fixed_name == NULL;
  prep->sha256 = g_strdup (opts->sha256);
  prep->saved_resume_data = g_strdup (opts->saved_resume_data);
  prep->dirfd = -1;
  prep->part_fd = -1;
  prep->direct_fd = -1;
  return prep;
}

/* Looks at what is on disk for the download's name before the first request. */
void
_haul_download_prepare_async (GObject             *source,
                              HaulPrepare         *job,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  run_job (source, _haul_download_prepare_async, job, (GDestroyNotify) _haul_download_prepare_free,
           prepare_worker, callback, user_data);
}

/* Returns: (transfer none): what was found, or %NULL with @error set */
HaulPrepare *
_haul_download_prepare_finish (GAsyncResult  *result,
                               GError       **error)
{
  return job_of (result, error);
}

/* Claims the name and creates the files at the first answer. */
void
_haul_download_claim_async (GObject             *source,
                            HaulClaim           *job,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  run_job (source, _haul_download_claim_async, job, (GDestroyNotify) _haul_download_claim_free,
           claim_worker, callback, user_data);
}

/* Returns: (transfer none): the claim, its name and descriptors filled in, or %NULL with
 *   @error set */
HaulClaim *
_haul_download_claim_finish (GAsyncResult  *result,
                             GError       **error)
{
  return job_of (result, error);
}

/* Flushes, verifies, marks the resume data complete, then renames NAME.part to NAME. */
void
_haul_download_put_in_place_async (GObject             *source,
                                   HaulFinishJob       *job,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  run_job (source, _haul_download_put_in_place_async, job,
           (GDestroyNotify) _haul_download_finish_job_free, finish_worker, callback, user_data);
}

/* Returns: (transfer full): the name the file has now, or %NULL with @error set */
char *
_haul_download_put_in_place_finish (GAsyncResult  *result,
                                    GError       **error)
{
  HaulFinishJob *job = job_of (result, error);

  return job != NULL ? g_strdup (job->final_name) : NULL;
}
