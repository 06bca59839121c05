/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "haul-checkpoint.h"
#include "haul-download-private.h"
#include "haul-part-file.h"
#include "haul-resume-data.h"

G_BEGIN_DECLS

/* The files of one run, from preparing to putting in place: the folder's descriptor, the
 * `.part` with its descriptors and its checkpoints. The blocking work is the jobs of
 * haul-download-files.c; this is what a run holds of it in between. */

#define HAUL_TYPE_RUN_FILES (haul_run_files_get_type ())
G_DECLARE_FINAL_TYPE (HaulRunFiles, haul_run_files, HAUL, RUN_FILES, GObject)

HaulRunFiles *haul_run_files_new                 (HaulCheckpointDone   saved,
                                                  gpointer             user_data);
void          haul_run_files_take_dirfd          (HaulRunFiles        *self,
                                                  int                  dirfd);
void          haul_run_files_open                (HaulRunFiles        *self,
                                                  HaulResumeData      *rd,
                                                  int                  fd,
                                                  int                  direct_fd);
gboolean      haul_run_files_is_open             (HaulRunFiles        *self);
gboolean      haul_run_files_is_claiming         (HaulRunFiles        *self);
HaulPartFile *haul_run_files_get_part            (HaulRunFiles        *self);
void          haul_run_files_claim_async         (HaulRunFiles        *self,
                                                  HaulResumeData      *rd,
                                                  gboolean             name_fixed,
                                                  const char          *suggested_name,
                                                  SoupMessageHeaders  *headers,
                                                  GUri                *final_uri,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean      haul_run_files_claim_finish        (HaulRunFiles        *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
void          haul_run_files_wrote               (HaulRunFiles        *self);
void          haul_run_files_save                (HaulRunFiles        *self,
                                                  gboolean             durable);
gboolean      haul_run_files_is_busy             (HaulRunFiles        *self);
void          haul_run_files_put_in_place_async  (HaulRunFiles              *self,
                                                  HaulResumeData            *rd,
                                                  const HaulDownloadOptions *opts,
                                                  gboolean                   name_fixed,
                                                  gboolean                   part_present,
                                                  GAsyncReadyCallback        callback,
                                                  gpointer                   user_data);
char         *haul_run_files_put_in_place_finish (HaulRunFiles        *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
void          haul_run_files_close               (HaulRunFiles        *self);

G_END_DECLS
