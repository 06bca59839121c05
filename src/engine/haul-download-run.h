/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "haul-rate-limiter.h"
#include "haul-download-private.h"
#include "haul-state.h"

G_BEGIN_DECLS

/* One run of a download (haul-download-run.c): the download (haul-download.c) holds the
 * options and the public face, and makes one run of them. */

/**
 * HaulDownloadOptions:
 *
 * What a download was asked to do, as the setters of haul-download.h set it.
 */
struct _HaulDownloadOptions
{
  char            *uri;
  char            *directory;
  char            *filename;          /* nullable: the server's name then */
  GStrv            headers;
  char            *sha256;
  guint            max_segments;
  guint            retries;
  gboolean         overwrite;
  guint            stall_timeout_ms;
  guint            retry_base_ms;
  SoupSession     *session;           /* nullable: one of the run's own then */
  HaulRateLimiter *limiter;           /* nullable */
  char            *previous_uri;
  char            *owner;
  gboolean         same_file;
  gboolean         check_existing;
  gboolean         resume_by_uri;
  gboolean         server_time;
  char            *suggested_name;
  char            *saved_resume_data;
  guint            fruitless;         /* tries without progress before this run */
};

/* What a run tells its download, which emits the signals of the same names. */
typedef struct
{
  void (*notice)     (const char *message,
                      gpointer    user_data);
  void (*retry_wait) (gint64      until,
                      const char *why,
                      gpointer    user_data);
  void (*saved)      (const char *json,
                      gpointer    user_data);
} HaulDownloadRunEvents;

/* What a download tells of its run (haul-download.h's getters). */
typedef struct
{
  const char    *effective_uri;     /* nullable: no answer yet */
  const char    *filename;          /* nullable: not chosen yet */
  guint64        received;
  guint64        total;             /* 0 while unknown */
  guint64        resumed_from;
  guint64        rate;
  gboolean       resumable;
  gboolean       restarted;
  gboolean       already_complete;
  HaulErrorKind  error_kind;
  guint          fruitless;
} HaulDownloadFigures;

#define HAUL_TYPE_DOWNLOAD_RUN (haul_download_run_get_type ())

G_DECLARE_FINAL_TYPE (HaulDownloadRun, haul_download_run, HAUL, DOWNLOAD_RUN, GObject)

HaulDownloadRun *haul_download_run_new                  (const HaulDownloadOptions   *opts,
                                                         const HaulDownloadRunEvents *events,
                                                         gpointer                     user_data);
void             haul_download_run_start_async          (HaulDownloadRun             *self,
                                                         GCancellable                *cancellable,
                                                         GAsyncReadyCallback          callback,
                                                         gpointer                     user_data);
gboolean         haul_download_run_start_finish         (HaulDownloadRun             *self,
                                                         GAsyncResult                *result,
                                                         GError                     **error);
void             haul_download_run_get_figures          (HaulDownloadRun             *self,
                                                         HaulDownloadFigures         *figures);

G_END_DECLS
