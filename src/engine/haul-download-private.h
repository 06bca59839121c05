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
  gint64    mtime;          /* seconds to give the file, or -1 to leave it */
  char     *final_name;
} HaulFinishJob;

/* What the preparation of a run finds on disk. In: the first group; out: the rest. */
typedef struct
{
  char            *directory;
  char            *name;
  char            *uri;
  char            *previous_uri;
  char            *owner;
  gboolean         any_uri;
  gboolean         overwrite;
  gboolean         check_existing;
  gboolean         find_by_uri;
  char            *sha256;
  char            *saved_resume_data;

  int              dirfd;
  int              part_fd;
  int              direct_fd;
  HaulResumeData  *rd;
  gboolean         already_complete;
  gboolean         finish_only;
  gboolean         relinked;        /* the resume data came from another URL, allowed */
  char            *restart_reason;  /* the resume data was of no use: the data starts over */
  gint64           existing_size;   /* an existing file to compare with the server's, or -1 */
  gint64           existing_mtime;
} HaulPrepare;

void            _haul_download_clear_fd            (int            *fd);
int             _haul_download_open_direct_at      (int             dirfd,
                                                    const char     *name);
char           *_haul_download_part_name           (const char     *name);
char           *_haul_download_json_name           (const char     *name);
gboolean        _haul_download_verify_sha256       (int             fd,
                                                    const char     *expected,
                                                    GError        **error);
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
