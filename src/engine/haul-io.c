/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "haul-io.h"

/* Enough threads for the writes of many connections at once (each connection has at most
 * one write in flight), and for the checkpoints of many downloads, whose fsyncs block. */
#define WRITE_THREADS 8
#define FILES_THREADS 8

typedef struct
{
  GTask           *task;
  GTaskThreadFunc  func;
} Job;

static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;

  job->func (job->task, g_task_get_source_object (job->task), g_task_get_task_data (job->task),
             g_task_get_cancellable (job->task));
  g_object_unref (job->task);
  g_free (job);
}

static GThreadPool *
pool_of (HaulIoKind kind)
{
  static GThreadPool *pools[2];
  static gsize ready;

  if (g_once_init_enter (&ready))
    {
      pools[HAUL_IO_WRITE] = g_thread_pool_new (run_job, NULL, WRITE_THREADS, FALSE, NULL);
      pools[HAUL_IO_FILES] = g_thread_pool_new (run_job, NULL, FILES_THREADS, FALSE, NULL);
      g_once_init_leave (&ready, 1);
    }
  return pools[kind];
}

/**
 * haul_io_run_in_thread:
 * @task: a task, which @func returns
 * @kind: which of the engine's pools runs it
 * @func: what runs in a worker thread: it gets copies of what it needs in the task's
 *   data, and must return the task
 *
 * As g_task_run_in_thread(), on the engine's own threads. The callback runs in the
 * task's main context, as ever.
 */
void
haul_io_run_in_thread (GTask           *task,
                       HaulIoKind       kind,
                       GTaskThreadFunc  func)
{
  Job *job = g_new (Job, 1);

  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (kind == HAUL_IO_WRITE || kind == HAUL_IO_FILES);

  job->task = g_object_ref (task);
  job->func = func;
  g_thread_pool_push (pool_of (kind), job, NULL);
}
