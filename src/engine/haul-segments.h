/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The arithmetic of a download's schedule, as pure functions: where a segment splits,
 * and how long a try waits after another failed (tests/segments-test.c). */

#define HAUL_SPLIT_MIN      (2 * 1024 * 1024)   /* neither half of a split is smaller */
#define HAUL_SPLIT_ALIGN    (64 * 1024)         /* a split falls on this, for aligned writes */
#define HAUL_BUFFER_SIZE    (1024 * 1024)       /* a connection's read buffer */
#define HAUL_BACKOFF_MAX_MS (5 * 60 * 1000)
#define HAUL_RETRY_AFTER_MAX_S 3600

/* A split leaves each connection at least a full buffer to read, and its offsets keep
 * the alignment of the buffers' writes. */
G_STATIC_ASSERT (HAUL_SPLIT_MIN >= 2 * HAUL_BUFFER_SIZE);
G_STATIC_ASSERT (HAUL_BUFFER_SIZE % HAUL_SPLIT_ALIGN == 0);
G_STATIC_ASSERT (HAUL_SPLIT_MIN % HAUL_SPLIT_ALIGN == 0);

gint64 haul_segment_split_point (gint64 from,
                                 gint64 end);
guint  haul_backoff_ms          (guint  base_ms,
                                 guint  fruitless,
                                 guint  retry_after_s,
                                 double jitter);

G_END_DECLS
