/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "haul-check.h"
#include "haul-session.h"
#include "haul-state.h"
#include "haul-types.h"

G_BEGIN_DECLS

#define HAUL_TYPE_DOWNLOAD (haul_download_get_type ())

G_DECLARE_FINAL_TYPE (HaulDownload, haul_download, HAUL, DOWNLOAD, GObject)

/* Files at least this large are split into segments when the server accepts ranges. */
#define HAUL_SEGMENT_THRESHOLD (16 * 1024 * 1024)

HaulDownload *haul_download_new                  (const char       *uri,
                                                  const char       *directory,
                                                  const char       *filename);
void          haul_download_set_session          (HaulDownload     *self,
                                                  SoupSession      *session);
void          haul_download_set_headers          (HaulDownload     *self,
                                                  const char * const *headers);
void          haul_download_set_sha256           (HaulDownload     *self,
                                                  const char       *sha256);
void          haul_download_set_max_segments     (HaulDownload     *self,
                                                  guint             segments);
void          haul_download_set_retries          (HaulDownload     *self,
                                                  guint             retries);
void          haul_download_set_overwrite        (HaulDownload     *self,
                                                  gboolean          overwrite);
void          haul_download_set_rate_limiter     (HaulDownload     *self,
                                                  HaulRateLimiter  *limiter);
void          haul_download_set_stall_timeout    (HaulDownload     *self,
                                                  guint             milliseconds);
void          haul_download_set_saved_resume_data (HaulDownload    *self,
                                                  const char       *json);
void          haul_download_set_retry_base       (HaulDownload     *self,
                                                  guint             milliseconds);
void          haul_download_set_suggested_name   (HaulDownload     *self,
                                                  const char       *name);
void          haul_download_set_previous_uri     (HaulDownload     *self,
                                                  const char       *uri);
void          haul_download_set_owner            (HaulDownload     *self,
                                                  const char       *owner);
void          haul_download_set_same_file        (HaulDownload     *self,
                                                  gboolean          same_file);
void          haul_download_set_check_existing   (HaulDownload     *self,
                                                  gboolean          check_existing);
void          haul_download_set_resume_by_uri    (HaulDownload     *self,
                                                  gboolean          resume_by_uri);
void          haul_download_set_server_time      (HaulDownload     *self,
                                                  gboolean          server_time);
void          haul_download_set_fruitless_tries  (HaulDownload     *self,
                                                  guint             tries);
guint         haul_download_get_fruitless_tries  (HaulDownload     *self);
void          haul_download_run_async            (HaulDownload     *self,
                                                  GCancellable     *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer          user_data);
gboolean      haul_download_run_finish           (HaulDownload     *self,
                                                  GAsyncResult     *result,
                                                  GError          **error);
const char   *haul_download_get_uri              (HaulDownload     *self);
const char   *haul_download_get_effective_uri    (HaulDownload     *self);
const char   *haul_download_get_filename         (HaulDownload     *self);
char         *haul_download_get_path             (HaulDownload     *self);
guint64       haul_download_get_bytes_received   (HaulDownload     *self);
guint64       haul_download_get_bytes_total      (HaulDownload     *self);
guint64       haul_download_get_resumed_from     (HaulDownload     *self);
guint64       haul_download_get_rate             (HaulDownload     *self);
gboolean      haul_download_get_resumable        (HaulDownload     *self);
gboolean      haul_download_get_restarted        (HaulDownload     *self);
gboolean      haul_download_get_already_complete (HaulDownload     *self);
HaulErrorKind haul_download_get_error_kind       (HaulDownload     *self);

G_END_DECLS
