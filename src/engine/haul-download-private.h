/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-resume-data.h"

G_BEGIN_DECLS

/* What the blocking file work of a download needs, done in worker threads:
 * haul-download-files.c. The HTTP side lives in haul-download.c. */

#define HAUL_DIRECT_ALIGN 4096

/* The last steps of a completed download: flush, verify, mark complete, rename. */
typedef struct
{
  int       dirfd;
  int       part_fd;
  char     *name;
  gboolean  name_fixed;
  gboolean  overwrite;
  char     *sha256;
  char     *json;
  gsize     json_length;
  gboolean  part_present;
  char     *final_name;
} HaulFinishJob;

typedef struct
{
  char            *directory;
  char            *name;
  char            *uri;
  gboolean         overwrite;
  char            *saved_resume_data;
  int              dirfd;
  int              part_fd;
  int              direct_fd;
  HaulResumeData  *rd;
  gboolean         already_complete;
  gboolean         finish_only;
} HaulPrepare;

void            _haul_download_clear_fd            (int            *fd);
int             _haul_download_open_direct_at      (int             dirfd,
                                                    const char     *name);
char           *_haul_download_part_name           (const char     *name);
char           *_haul_download_json_name           (const char     *name);
gboolean        _haul_download_name_is_free        (int             dirfd,
                                                    const char     *name);
HaulResumeData *_haul_download_load_resume_data_at (int             dirfd,
                                                    const char     *name,
                                                    gboolean       *present,
                                                    GError        **error);
void            _haul_download_finish_job_free     (HaulFinishJob  *job);
void            _haul_download_finish_worker       (GTask          *task,
                                                    gpointer        source_object,
                                                    gpointer        task_data,
                                                    GCancellable   *cancellable);
void            _haul_download_prepare_free        (HaulPrepare    *prep);
void            _haul_download_prepare_worker      (GTask          *task,
                                                    gpointer        source_object,
                                                    gpointer        task_data,
                                                    GCancellable   *cancellable);

G_END_DECLS
