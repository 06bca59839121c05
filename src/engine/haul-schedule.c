/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "haul-schedule.h"

/**
 * haul_segment_split_point:
 * @from: where the segment's remaining bytes begin (what is read or written of it)
 * @end: where the segment ends
 *
 * Where to split the rest of a segment for another connection: half way, rounded down to
 * %HAUL_SPLIT_ALIGN, so that the new segment starts aligned.
 *
 * Returns: the offset of the new segment, or -1 when fewer than twice %HAUL_SPLIT_MIN
 *   bytes remain (splitting would leave too little for either connection)
 */
gint64
haul_segment_split_point (gint64 from,
                          gint64 end)
{
  gint64 left = end - from;
  gint64 mid;

  if (from < 0 || left < 2 * (gint64) HAUL_SPLIT_MIN)
    return -1;
  mid = from + left / 2;
  return mid - mid % HAUL_SPLIT_ALIGN;
}

/**
 * haul_backoff_ms:
 * @base_ms: the wait after the first failed try
 * @fruitless: tries in a row that brought nothing lasting (1 for the first)
 * @retry_after_s: the server's Retry-After in seconds, or 0
 * @jitter: a factor near 1 (the caller draws it from 0.8 to 1.2), so that many clients
 *   do not come back at the same instant
 *
 * Returns: how long to wait before the next try: what the server asked for (at most an
 *   hour), else @base_ms doubled for each fruitless try after the first, at most
 *   %HAUL_BACKOFF_MAX_MS, times @jitter
 */
guint
haul_backoff_ms (guint  base_ms,
                 guint  fruitless,
                 guint  retry_after_s,
                 double jitter)
{
  guint64 backoff;

  if (retry_after_s > 0)
    return MIN (retry_after_s, HAUL_RETRY_AFTER_MAX_S) * 1000;
  backoff = (guint64) base_ms << MIN (MAX (fruitless, 1) - 1, 20u);
  backoff = MIN (backoff, (guint64) HAUL_BACKOFF_MAX_MS);
  return (guint) (backoff * jitter);
}

/**
 * haul_checkpoint_due:
 * @since_durable_us: time since the last durable checkpoint
 * @since_light_us: time since the last checkpoint of either kind
 * @written_since_durable: bytes written since the last durable checkpoint
 * @single_stream: whether the download has one segment (its file's size then says how
 *   much of it is there after a crash of the process, and no light checkpoint is needed)
 *
 * Returns: the checkpoint to take after a write landed, if any
 */
HaulCheckpoint
haul_checkpoint_due (gint64   since_durable_us,
                     gint64   since_light_us,
                     gint64   written_since_durable,
                     gboolean single_stream)
{
  if (since_durable_us >= HAUL_CHECKPOINT_DURABLE_MAX_US ||
      (since_durable_us >= HAUL_CHECKPOINT_DURABLE_US &&
       written_since_durable >= HAUL_CHECKPOINT_DURABLE_BYTES))
    return HAUL_CHECKPOINT_DURABLE;
  if (!single_stream && since_light_us >= HAUL_CHECKPOINT_LIGHT_US)
    return HAUL_CHECKPOINT_LIGHT;
  return HAUL_CHECKPOINT_NONE;
}

/**
 * haul_rate_update:
 * @rate: the rate so far, in bytes per second, or 0 at first
 * @bytes: bytes received since the last update
 * @elapsed_us: time since the last update
 *
 * Returns: the rate smoothed over the last few seconds (updated twice a second)
 */
guint64
haul_rate_update (guint64 rate,
                  guint64 bytes,
                  gint64  elapsed_us)
{
  double instant;

  if (elapsed_us <= 0)
    return rate;
  instant = (double) bytes * 1e6 / (double) elapsed_us;
  return rate == 0 ? (guint64) instant : (guint64) (0.7 * (double) rate + 0.3 * instant);
}
