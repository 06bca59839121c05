/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Deleting what a download left behind, only where Haul can prove it made it, and only
 * inside the download's directory (every unlink is relative to its descriptor). */

void     haul_cleanup_partial_async  (const char          *directory,
                                      const char          *name,
                                      const char * const  *uris,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean haul_cleanup_partial_finish (GAsyncResult        *result,
                                      GError             **error);
void     haul_cleanup_file_async     (const char          *directory,
                                      const char          *name,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean haul_cleanup_file_finish    (GAsyncResult        *result,
                                      GError             **error);

G_END_DECLS
