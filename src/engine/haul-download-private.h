/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-resume-data.h"

G_BEGIN_DECLS

/* What the blocking file work of a download needs, done in worker threads:
 * haul-download-files.c. The HTTP side lives in haul-connection.c, the `.part` file's
 * own operations in haul-part-file.c. */

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

/* Claiming the name at the first answer, and creating the files. In: the first group;
 * out: the rest. */
typedef struct
{
  int              dirfd;           /* the download's, open while it runs */
  HaulResumeData  *rd;              /* a copy; its name is the one to take when fixed */
  gboolean         name_fixed;
  char            *suggested_name;
  char            *content_disposition;
  GUri            *final_uri;

  char            *chosen_name;
  int              fd;
  int              direct_fd;
} HaulClaim;

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
void            _haul_download_prepare_free        (HaulPrepare    *prep);
void            _haul_download_claim_free          (HaulClaim      *claim);

/* Each runs on the engine's file threads, with @job (taken) as all it knows; the result
 * is read from the job, which the task keeps until the callback returns. */
typedef struct _HaulDownloadOptions HaulDownloadOptions;

HaulResumeData *_haul_download_resume_data_new     (const HaulDownloadOptions *opts,
                                                    const char                *name);
HaulPrepare    *_haul_download_prepare_new         (const HaulDownloadOptions *opts,
                                                    const char                *fixed_name);
void            _haul_download_prepare_async       (GObject             *source,
                                                    HaulPrepare         *job,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
HaulPrepare    *_haul_download_prepare_finish      (GAsyncResult        *result,
                                                    GError             **error);
void            _haul_download_claim_async         (GObject             *source,
                                                    HaulClaim           *job,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
HaulClaim      *_haul_download_claim_finish        (GAsyncResult        *result,
                                                    GError             **error);
void            _haul_download_put_in_place_async  (GObject             *source,
                                                    HaulFinishJob       *job,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
char           *_haul_download_put_in_place_finish (GAsyncResult        *result,
                                                    GError             **error);

G_END_DECLS
