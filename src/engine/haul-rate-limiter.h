/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "haul-types.h"

G_BEGIN_DECLS

HaulRateLimiter *haul_rate_limiter_new      (guint64          bytes_per_second);
HaulRateLimiter *haul_rate_limiter_ref      (HaulRateLimiter *self);
void             haul_rate_limiter_unref    (HaulRateLimiter *self);
void             haul_rate_limiter_set_rate (HaulRateLimiter *self,
                                             guint64          bytes_per_second);
guint64          haul_rate_limiter_get_rate (HaulRateLimiter *self);
gsize            haul_rate_limiter_take     (HaulRateLimiter *self,
                                             gsize            wanted,
                                             gint64          *wait_us);
void             haul_rate_limiter_refund   (HaulRateLimiter *self,
                                             gsize            unused);
guint            haul_rate_limiter_wait     (HaulRateLimiter *self,
                                             gint64           wait_us,
                                             GSourceFunc      func,
                                             gpointer         user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulRateLimiter, haul_rate_limiter_unref)

G_END_DECLS
