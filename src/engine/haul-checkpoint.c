/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-download"

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "haul-checkpoint.h"
#include "haul-download-private.h"
#include "haul-io.h"
#include "haul-schedule.h"

struct _HaulCheckpointer
{
  GObject             parent_instance;

  HaulResumeData     *rd;        /* the download's, which outlives its saves */
  int                 dirfd;     /* the download's, open while it runs */
  HaulPartFile       *part;
  HaulCheckpointDone  done;
  gpointer            user_data;

  gboolean            in_flight;
  gboolean            queued;
  gboolean            queued_durable;
  gint64              last_light_us;
  gint64              last_durable_us;
  gint64              durable_written;
};

G_DEFINE_FINAL_TYPE (HaulCheckpointer, haul_checkpointer, G_TYPE_OBJECT)

/* One save: copies of what its worker needs. */
typedef struct
{
  HaulPartFile *part;      /* keeps @part_fd open */
  int       part_fd;       /* to flush first, or -1 */
  int       dirfd;
  char     *name;
  char     *contents;
  gsize     length;
  gboolean  durable;
  GArray   *synced;   /* pairs of (segment start, synced offset) to apply when done */
} SaveJob;

static void start_save (HaulCheckpointer *self,
                        gboolean          durable);

static void
save_job_free (SaveJob *job)
{
  g_clear_object (&job->part);
  g_free (job->name);
  g_free (job->contents);
  g_clear_pointer (&job->synced, g_array_unref);
  g_free (job);
}

static void
haul_checkpointer_finalize (GObject *object)
{
  HaulCheckpointer *self = HAUL_CHECKPOINTER (object);

  g_clear_object (&self->part);

  G_OBJECT_CLASS (haul_checkpointer_parent_class)->finalize (object);
}

static void
haul_checkpointer_class_init (HaulCheckpointerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = haul_checkpointer_finalize;
}

static void
haul_checkpointer_init (HaulCheckpointer *self)
{
}

static void
save_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveJob *job = task_data;
  g_autoptr(GError) error = NULL;

  /* The data must be on disk before the resume data that vouches for it: one worker does
   * both, so that a checkpoint costs no extra trip through the main loop. */
  if (job->part_fd >= 0 && fdatasync (job->part_fd) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s",
                               g_strerror (saved_errno));
      return;
    }
  if (!haul_write_file_atomically_at (job->dirfd, job->name, job->contents, job->length,
                                      job->durable, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
apply_synced (HaulCheckpointer *self,
              GArray           *synced)
{
  for (guint i = 0; i < synced->len; i += 2)
    {
      gint64 start = g_array_index (synced, gint64, i);
      gint64 offset = g_array_index (synced, gint64, i + 1);

      for (guint j = 0; j < self->rd->segments->len; j++)
        {
          HaulSegment *seg = haul_resume_data_get_segment (self->rd, j);

          if (seg->start == start)
            seg->synced = MAX (seg->synced, MIN (offset, seg->written));
        }
    }
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  HaulCheckpointer *self = HAUL_CHECKPOINTER (object);
  SaveJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  const char *json = NULL;

  self->in_flight = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      GError *local = g_error_new (error->domain, error->code,
                                   _("Could not save the resume data: %s"), error->message);

      g_clear_error (&error);
      error = local;
    }
  else if (job->synced != NULL && self->done != NULL)
    {
      /* A checkpoint: the resume data is on disk, with its data flushed. */
      apply_synced (self, job->synced);
      json = job->contents;
    }

  if (self->queued && self->done != NULL)
    {
      self->queued = FALSE;
      start_save (self, self->queued_durable);
    }
  if (self->done != NULL)
    self->done (json, g_steal_pointer (&error), self->user_data);
}

static void
start_save (HaulCheckpointer *self,
            gboolean          durable)
{
  g_autoptr(GTask) task = NULL;
  SaveJob *job = g_new0 (SaveJob, 1);
  HaulResumeData *rd = self->rd;
  GArray *saved_synced = NULL;

  self->last_light_us = g_get_monotonic_time ();
  if (durable)
    {
      self->last_durable_us = self->last_light_us;
      self->durable_written = haul_resume_data_get_written (rd);
      job->synced = g_array_new (FALSE, FALSE, sizeof (gint64));
      saved_synced = g_array_new (FALSE, FALSE, sizeof (gint64));
      for (guint i = 0; i < rd->segments->len; i++)
        {
          HaulSegment *seg = haul_resume_data_get_segment (rd, i);

          g_array_append_val (saved_synced, seg->synced);
          g_array_append_val (job->synced, seg->start);
          g_array_append_val (job->synced, seg->written);
          seg->synced = seg->written;
        }
    }

  job->part = durable ? g_object_ref (self->part) : NULL;
  job->part_fd = durable ? haul_part_file_get_fd (self->part) : -1;
  job->dirfd = self->dirfd;
  job->name = _haul_download_json_name (rd->filename);
  job->contents = haul_resume_data_to_json (rd, &job->length);
  job->durable = durable;

  if (durable)
    {
      /* Only the file on disk says synced until the fdatasync has happened. */
      for (guint i = 0; i < rd->segments->len; i++)
        haul_resume_data_get_segment (rd, i)->synced = g_array_index (saved_synced, gint64, i);
      g_array_unref (saved_synced);
    }

  self->in_flight = TRUE;
  task = g_task_new (self, NULL, save_done_cb, NULL);
  g_task_set_source_tag (task, start_save);
  g_task_set_task_data (task, job, (GDestroyNotify) save_job_free);
  haul_io_run_in_thread (task, HAUL_IO_FILES, save_worker);
}

/**
 * haul_checkpointer_new:
 * @rd: the download's resume data; it outlives the checkpointer's saves
 * @dirfd: the download's folder, open while it runs
 * @part: the `.part` file the resume data vouches for
 * @done: called after each save
 * @user_data: data for @done
 *
 * Returns: (transfer full): a checkpointer for a download whose files exist
 */
HaulCheckpointer *
haul_checkpointer_new (HaulResumeData     *rd,
                       int                 dirfd,
                       HaulPartFile       *part,
                       HaulCheckpointDone  done,
                       gpointer            user_data)
{
  HaulCheckpointer *self = g_object_new (HAUL_TYPE_CHECKPOINTER, NULL);

  self->rd = rd;
  self->dirfd = dirfd;
  self->part = g_object_ref (part);
  self->done = done;
  self->user_data = user_data;
  return self;
}

/* Its download is going: a save still in flight tells nobody. */
void
haul_checkpointer_detach (HaulCheckpointer *self)
{
  self->done = NULL;
  self->user_data = NULL;
}

/* The files were just made, with their resume data: the clock of durable saves starts. */
void
haul_checkpointer_restart_clock (HaulCheckpointer *self)
{
  self->last_durable_us = g_get_monotonic_time ();
  self->durable_written = haul_resume_data_get_written (self->rd);
}

/* A write landed: save if the policy says so. */
void
haul_checkpointer_wrote (HaulCheckpointer *self)
{
  gint64 now = g_get_monotonic_time ();

  switch (haul_checkpoint_due (now - self->last_durable_us, now - self->last_light_us,
                               haul_resume_data_get_written (self->rd) - self->durable_written,
                               self->rd->segments->len == 1))
    {
    case HAUL_CHECKPOINT_DURABLE:
      haul_checkpointer_save (self, TRUE);
      break;
    case HAUL_CHECKPOINT_LIGHT:
      haul_checkpointer_save (self, FALSE);
      break;
    case HAUL_CHECKPOINT_NONE:
    default:
      break;
    }
}

/* Saves the resume data in a worker thread. A durable save first flushes the `.part`, and
 * so may record every byte written so far as synced. One save runs at a time. */
void
haul_checkpointer_save (HaulCheckpointer *self,
                        gboolean          durable)
{
  if (self->in_flight)
    {
      self->queued_durable = self->queued ? (self->queued_durable || durable) : durable;
      self->queued = TRUE;
      return;
    }
  start_save (self, durable);
}

/* A save is in flight, or waits for one. */
gboolean
haul_checkpointer_is_busy (HaulCheckpointer *self)
{
  return self->in_flight;
}
