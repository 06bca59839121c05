/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-rate-limiter"

#include "config.h"

#include "haul-rate-limiter.h"

/* A token bucket shared by every connection it limits, so that N segments together stay
 * under the rate. It is used from the main thread only. */
struct _HaulRateLimiter
{
  guint64 rate;
  double  tokens;
  gint64  last_us;
};

static double
bucket_capacity (HaulRateLimiter *self)
{
  /* A tenth of a second of data, but never so little that reads become tiny. */
  return MAX ((double) self->rate / 10.0, 16384.0);
}

HaulRateLimiter *
haul_rate_limiter_new (guint64 bytes_per_second)
{
  HaulRateLimiter *self = g_rc_box_new0 (HaulRateLimiter);

  self->rate = bytes_per_second;
  self->last_us = g_get_monotonic_time ();
  return self;
}

HaulRateLimiter *
haul_rate_limiter_ref (HaulRateLimiter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_rc_box_acquire (self);
}

void
haul_rate_limiter_unref (HaulRateLimiter *self)
{
  g_return_if_fail (self != NULL);
  g_rc_box_release (self);
}

void
haul_rate_limiter_set_rate (HaulRateLimiter *self,
                            guint64          bytes_per_second)
{
  g_return_if_fail (self != NULL);
  self->rate = bytes_per_second;
  self->tokens = MIN (self->tokens, bucket_capacity (self));
}

guint64
haul_rate_limiter_get_rate (HaulRateLimiter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->rate;
}

/**
 * haul_rate_limiter_take:
 * @self: a limiter
 * @wanted: bytes the caller would like to read
 * @wait_us: (out): when nothing is granted, how long to wait before asking again
 *
 * Returns: how many bytes may be read now (0 means wait)
 */
gsize
haul_rate_limiter_take (HaulRateLimiter *self,
                        gsize            wanted,
                        gint64          *wait_us)
{
  gint64 now = g_get_monotonic_time ();
  double capacity;
  double need;
  gsize granted;

  g_return_val_if_fail (self != NULL, wanted);

  *wait_us = 0;
  if (self->rate == 0)
    return wanted;

  capacity = bucket_capacity (self);
  self->tokens = MIN (capacity,
                      self->tokens + (double) (now - self->last_us) * (double) self->rate / 1e6);
  self->last_us = now;

  /* Wait until a reasonable chunk is available rather than granting a few bytes at a time. */
  need = MIN ((double) wanted, capacity / 4.0);
  if (self->tokens < need)
    {
      *wait_us = MAX ((gint64) ((need - self->tokens) * 1e6 / (double) self->rate), 1000);
      return 0;
    }

  granted = (gsize) MIN ((double) wanted, self->tokens);
  self->tokens -= (double) granted;
  return granted;
}

/**
 * haul_rate_limiter_refund:
 * @self: a limiter
 * @unused: bytes granted by haul_rate_limiter_take() that were not read
 */
void
haul_rate_limiter_refund (HaulRateLimiter *self,
                          gsize            unused)
{
  g_return_if_fail (self != NULL);
  self->tokens = MIN (bucket_capacity (self), self->tokens + (double) unused);
}
