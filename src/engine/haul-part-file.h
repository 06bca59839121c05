/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A download's `.part` file: its descriptors (one of them O_DIRECT, where the file system
 * allows), and the blocking work on it as asynchronous operations on the engine's own
 * threads (haul-io.h). */

#define HAUL_TYPE_PART_FILE (haul_part_file_get_type ())

G_DECLARE_FINAL_TYPE (HaulPartFile, haul_part_file, HAUL, PART_FILE, GObject)

HaulPartFile *haul_part_file_new            (int                  fd,
                                             int                  direct_fd);
int           haul_part_file_get_fd         (HaulPartFile        *self);
void          haul_part_file_write_async    (HaulPartFile        *self,
                                             const guint8        *buf,
                                             gsize                len,
                                             gint64               offset,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      haul_part_file_write_finish   (HaulPartFile        *self,
                                             GAsyncResult        *result,
                                             gsize               *written,
                                             GError             **error);
void          haul_part_file_truncate_async (HaulPartFile        *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      haul_part_file_truncate_finish (HaulPartFile       *self,
                                              GAsyncResult       *result,
                                              GError            **error);

/* The rule a write follows, blocking the calling thread (tests/part-file-test.c). */
gboolean      haul_part_file_write          (int                  fd,
                                             int                  direct_fd,
                                             int                 *direct_failed,
                                             const guint8        *buf,
                                             gsize                len,
                                             gint64               offset,
                                             gsize               *written,
                                             GError             **error);

G_END_DECLS
