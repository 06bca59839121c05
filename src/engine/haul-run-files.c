/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-download"

#include "config.h"

#include "haul-download-run.h"
#include "haul-http.h"
#include "haul-run-files.h"

struct _HaulRunFiles
{
  GObject             parent_instance;

  HaulFd              dirfd;        /* the download's folder, open while it runs */
  HaulPartFile       *part;         /* NULL until the files exist */
  HaulCheckpointer   *checkpoints;  /* likewise */
  HaulResumeData     *rd;           /* the run's, borrowed once the files exist */
  gboolean            claiming;
  HaulCheckpointDone  saved;
  gpointer            user_data;
};

G_DEFINE_FINAL_TYPE (HaulRunFiles, haul_run_files, G_TYPE_OBJECT)

/* The folder, as preparing opened it: @dirfd is taken. */
void
haul_run_files_take_dirfd (HaulRunFiles *self,
                           int           dirfd)
{
  _haul_download_clear_fd (&self->dirfd);
  self->dirfd = dirfd;
}

/* The files exist, as @fd and @direct_fd (taken): the connections write, and @rd (which
 * outlives the files) is saved beside them, from now on. */
void
haul_run_files_open (HaulRunFiles   *self,
                     HaulResumeData *rd,
                     int             fd,
                     int             direct_fd)
{
  g_return_if_fail (self->part == NULL);

  self->rd = rd;
  self->part = haul_part_file_new (fd, direct_fd);
  self->checkpoints = haul_checkpointer_new (rd, self->dirfd, self->part, self->saved,
                                             self->user_data);
}

gboolean
haul_run_files_is_open (HaulRunFiles *self)
{
  return self->part != NULL;
}

/* Between the first answer and the files existing. */
gboolean
haul_run_files_is_claiming (HaulRunFiles *self)
{
  return self->claiming;
}

/* Returns: (transfer none) (nullable): the `.part`, once the files exist */
HaulPartFile *
haul_run_files_get_part (HaulRunFiles *self)
{
  return self->part;
}

/* Claims a name for @rd at the first answer (@headers, from @final_uri) and creates the
 * files: @rd's own name when @name_fixed, else @suggested_name or the server's. */
void
haul_run_files_claim_async (HaulRunFiles        *self,
                            HaulResumeData      *rd,
                            gboolean             name_fixed,
                            const char          *suggested_name,
                            SoupMessageHeaders  *headers,
                            GUri                *final_uri,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  HaulClaim *claim = g_new0 (HaulClaim, 1);

  g_return_if_fail (self->part == NULL && !self->claiming);

  claim->dirfd = self->dirfd;
  claim->rd = haul_resume_data_copy (rd);
  claim->name_fixed = name_fixed;
  claim->suggested_name = g_strdup (suggested_name);
  claim->content_disposition = g_strdup (soup_message_headers_get_one (headers,
                                                                       "Content-Disposition"));
  claim->final_uri = g_uri_ref (final_uri);
  claim->fd = -1;
  claim->direct_fd = -1;
  self->rd = rd;
  self->claiming = TRUE;
  _haul_download_claim_async (G_OBJECT (self), claim, callback, user_data);
}

/* Returns: %TRUE when the files exist, the resume data of the claim having the name
 *   taken, else %FALSE with @error set */
gboolean
haul_run_files_claim_finish (HaulRunFiles  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  HaulClaim *claim = _haul_download_claim_finish (result, error);

  self->claiming = FALSE;
  if (claim == NULL)
    return FALSE;

  g_free (self->rd->filename);
  self->rd->filename = g_strdup (claim->chosen_name);
  haul_run_files_open (self, self->rd, g_steal_fd (&claim->fd), g_steal_fd (&claim->direct_fd));
  haul_checkpointer_restart_clock (self->checkpoints);
  return TRUE;
}

/* A write landed: a checkpoint may be due. */
void
haul_run_files_wrote (HaulRunFiles *self)
{
  if (self->checkpoints != NULL)
    haul_checkpointer_wrote (self->checkpoints);
}

/* Saves the resume data now (after a flush of the `.part` when @durable); nothing before
 * the files exist. */
void
haul_run_files_save (HaulRunFiles *self,
                     gboolean      durable)
{
  if (self->checkpoints != NULL)
    haul_checkpointer_save (self->checkpoints, durable);
}

/* A save is in flight. */
gboolean
haul_run_files_is_busy (HaulRunFiles *self)
{
  return self->checkpoints != NULL && haul_checkpointer_is_busy (self->checkpoints);
}

/* The last steps of a complete @rd: flush, verify, mark complete, rename NAME.part to
 * NAME (with what @opts say of overwriting, checksums and dates). @part_present is %FALSE
 * when only the rename is left of an earlier run. */
void
haul_run_files_put_in_place_async (HaulRunFiles              *self,
                                   HaulResumeData            *rd,
                                   const HaulDownloadOptions *opts,
                                   gboolean                   name_fixed,
                                   gboolean                   part_present,
                                   GAsyncReadyCallback        callback,
                                   gpointer                   user_data)
{
  HaulFinishJob *job = g_new0 (HaulFinishJob, 1);

  rd->complete = TRUE;
  for (guint i = 0; i < rd->segments->len; i++)
    {
      HaulSegment *seg = haul_resume_data_get_segment (rd, i);

      seg->synced = seg->written;
    }

  job->dirfd = self->dirfd;
  job->part_fd = self->part != NULL ? haul_part_file_get_fd (self->part) : -1;
  job->name = g_strdup (rd->filename);
  job->name_fixed = name_fixed;
  job->overwrite = opts->overwrite;
  job->sha256 = g_strdup (opts->sha256);
  job->json = haul_resume_data_to_json (rd, &job->json_length);
  job->part_present = part_present;
  job->mtime = opts->server_time ? haul_http_date_to_unix (rd->last_modified) : -1;
  _haul_download_put_in_place_async (G_OBJECT (self), job, callback, user_data);
}

/* Returns: (transfer full): the name the file has now, or %NULL with @error set */
char *
haul_run_files_put_in_place_finish (HaulRunFiles  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return _haul_download_put_in_place_finish (result, error);
}

/* Nothing is in flight any more: closes the files, quietly. */
void
haul_run_files_close (HaulRunFiles *self)
{
  if (self->checkpoints != NULL)
    haul_checkpointer_detach (self->checkpoints);
  g_clear_object (&self->checkpoints);
  g_clear_object (&self->part);
  _haul_download_clear_fd (&self->dirfd);
  self->rd = NULL;
}

static void
haul_run_files_dispose (GObject *object)
{
  haul_run_files_close (HAUL_RUN_FILES (object));

  G_OBJECT_CLASS (haul_run_files_parent_class)->dispose (object);
}

static void
haul_run_files_class_init (HaulRunFilesClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = haul_run_files_dispose;
}

static void
haul_run_files_init (HaulRunFiles *self)
{
  self->dirfd = -1;
}

/**
 * haul_run_files_new:
 * @saved: called after each checkpoint, as #HaulCheckpointDone says
 * @user_data: data for @saved
 *
 * Returns: (transfer full): the files of a run, none open yet
 */
HaulRunFiles *
haul_run_files_new (HaulCheckpointDone saved,
                    gpointer           user_data)
{
  HaulRunFiles *self = g_object_new (HAUL_TYPE_RUN_FILES, NULL);

  self->saved = saved;
  self->user_data = user_data;
  return self;
}
