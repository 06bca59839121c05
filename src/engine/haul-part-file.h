/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writing a connection's bytes into the .part file, in a worker thread. */

gboolean haul_part_file_write (int           fd,
                               int           direct_fd,
                               int          *direct_failed,
                               const guint8 *buf,
                               gsize         len,
                               gint64        offset,
                               gsize        *written,
                               GError      **error);

G_END_DECLS
