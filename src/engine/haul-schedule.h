/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The arithmetic of a download's schedule, as pure functions: where a segment splits,
 * how long a try waits after another failed, and when the resume data is saved
 * (tests/schedule-test.c). */

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

/* A durable checkpoint (resume data and the data it vouches for, both synced) costs two
 * fsyncs: every 2 s while data flows fast, else once a MiB came, or every 30 s. A light
 * one (the resume data written, not synced) keeps several segments' progress across a
 * crash of the process, every 100 ms. */
#define HAUL_CHECKPOINT_LIGHT_US       (100 * 1000)
#define HAUL_CHECKPOINT_DURABLE_US     (2 * 1000 * 1000)
#define HAUL_CHECKPOINT_DURABLE_MAX_US (30 * 1000 * 1000)
#define HAUL_CHECKPOINT_DURABLE_BYTES  (1024 * 1024)

typedef enum
{
  HAUL_CHECKPOINT_NONE,
  HAUL_CHECKPOINT_LIGHT,
  HAUL_CHECKPOINT_DURABLE,
} HaulCheckpoint;

gint64 haul_segment_split_point (gint64 from,
                                 gint64 end);
guint  haul_backoff_ms          (guint  base_ms,
                                 guint  fruitless,
                                 guint  retry_after_s,
                                 double jitter);
guint64 haul_rate_update      (guint64  rate,
                               guint64  bytes,
                               gint64   elapsed_us);
HaulCheckpoint haul_checkpoint_due (gint64   since_durable_us,
                                    gint64   since_light_us,
                                    gint64   written_since_durable,
                                    gboolean single_stream);

G_END_DECLS
