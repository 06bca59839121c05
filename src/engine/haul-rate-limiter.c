/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-rate-limiter"

#include "config.h"

#include "haul-rate-limiter.h"

/* A token bucket shared by every connection it limits, so that N segments together stay
 * under the rate. It is used from the main thread only. */
struct _HaulRateLimiter
{
  guint64  rate;
  double   tokens;
  gint64   last_us;
  GList   *waiters;   /* WaitSources of readers that wait for tokens */
};

/* A reader waiting for tokens: a source that fires when they should be there, or at once
 * when the rate changes, so that lifting a limit never leaves a reader asleep for the
 * long wait the old one asked for. */
typedef struct
{
  GSource          source;
  HaulRateLimiter *limiter;
} WaitSource;

static gboolean
wait_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback != NULL ? callback (user_data) : G_SOURCE_REMOVE;
}

static void
wait_source_finalize (GSource *source)
{
  WaitSource *wait = (WaitSource *) source;

  wait->limiter->waiters = g_list_remove (wait->limiter->waiters, wait);
  haul_rate_limiter_unref (wait->limiter);
}

static GSourceFuncs wait_source_funcs = {
  .dispatch = wait_source_dispatch,
  .finalize = wait_source_finalize,
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
  if (self->rate == bytes_per_second)
    return;
  self->rate = bytes_per_second;
  self->tokens = MIN (self->tokens, bucket_capacity (self));
  /* Waits computed for the old rate are wrong now: everyone asks again. */
  for (GList *l = self->waiters; l != NULL; l = l->next)
    g_source_set_ready_time (l->data, 0);
}

/**
 * haul_rate_limiter_wait:
 * @self: a limiter
 * @wait_us: how long haul_rate_limiter_take() said to wait
 * @func: called once the wait is over, or at once when the rate changes
 * @user_data: for @func
 *
 * Returns: the ID of the source in the thread-default main context, for g_source_remove()
 */
guint
haul_rate_limiter_wait (HaulRateLimiter *self,
                        gint64           wait_us,
                        GSourceFunc      func,
                        gpointer         user_data)
{
  GSource *source;
  WaitSource *wait;
  guint id;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (func != NULL, 0);

  source = g_source_new (&wait_source_funcs, sizeof (WaitSource));
  wait = (WaitSource *) source;
  wait->limiter = haul_rate_limiter_ref (self);
  self->waiters = g_list_prepend (self->waiters, wait);
  g_source_set_name (source, "[haul] rate limiter wait");
  g_source_set_callback (source, func, user_data, NULL);
  g_source_set_ready_time (source, g_get_monotonic_time () + MAX (wait_us, 1000));
  id = g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
  return id;
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
