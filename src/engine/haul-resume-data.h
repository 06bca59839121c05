/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haul-types.h"

G_BEGIN_DECLS

#define HAUL_RESUME_DATA_VERSION 1

/**
 * HaulSegment:
 * @start: first byte of the range
 * @end: one past the last byte, or -1 while the size is unknown
 * @written: every byte in [@start, @written) has been written to the `.part` file
 * @synced: every byte in [@start, @synced) was written before an `fdatasync`
 */
struct _HaulSegment
{
  gint64 start;
  gint64 end;
  gint64 written;
  gint64 synced;
};

/**
 * HaulResumeData:
 *
 * What Haul needs to continue a download later: where it came from, how to prove that
 * the server still has the same file, and which bytes of the `.part` file can be trusted.
 */
struct _HaulResumeData
{
  char     *uri;
  char     *effective_uri;
  char     *etag;
  char     *last_modified;
  gboolean  accept_ranges;
  gint64    total;
  char     *filename;
  char     *owner;      /* who made it, when the caller says (the daemon's transfer) */
  char     *boot_id;
  gint64    created_at;
  gboolean  complete;
  char     *sha256;
  guint     max_segments;
  GStrv     headers;
  GArray   *segments;
};

HaulResumeData *haul_resume_data_new            (void);
HaulResumeData *haul_resume_data_copy           (const HaulResumeData *self);
void            haul_resume_data_free           (HaulResumeData  *self);
void            haul_resume_data_reset          (HaulResumeData  *self);
void            haul_resume_data_take_request   (HaulResumeData  *self,
                                                 const HaulResumeData *request);
char           *haul_resume_data_to_json        (HaulResumeData  *self,
                                                 gsize           *length);
HaulResumeData *haul_resume_data_new_from_json  (const char      *data,
                                                 gssize           length,
                                                 GError         **error);
gint64          haul_resume_data_get_written    (HaulResumeData  *self);
gboolean        haul_resume_data_is_resumable   (HaulResumeData  *self);
gboolean        haul_resume_data_all_written    (HaulResumeData  *self);
gint64          haul_resume_data_apply_boot_rule (HaulResumeData *self,
                                                  const char     *current_boot_id,
                                                  gint64          part_size);
HaulSegment    *haul_resume_data_get_segment    (HaulResumeData  *self,
                                                 guint            index);

const char     *haul_get_boot_id                (void);
gboolean        haul_write_file_atomically_at   (int              dirfd,
                                                 const char      *name,
                                                 const char      *contents,
                                                 gsize            length,
                                                 gboolean         durable,
                                                 GError         **error);
gboolean        haul_write_file_exclusively_at  (int              dirfd,
                                                 const char      *name,
                                                 const char      *contents,
                                                 gsize            length,
                                                 GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulResumeData, haul_resume_data_free)

G_END_DECLS
