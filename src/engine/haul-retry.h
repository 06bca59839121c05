/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-state.h"

G_BEGIN_DECLS

/* Whether a failed try ends a download or is tried again, and the tries and waits of one
 * run: tries in a row without progress, the back-off between them (haul_backoff_ms()),
 * the wait a caller is told of once (tests/schedule-test.c, tests/engine-test.c). */

typedef enum
{
  HAUL_FAILURE_FINAL,       /* a refusal, a bad address, TLS: trying again changes nothing */
  HAUL_FAILURE_TRANSIENT,   /* the network, a stall, a cut body, a 5xx, a 429: try again */
} HaulFailure;

HaulFailure   haul_failure_classify (const GError  *error,
                                     guint          status,
                                     HaulErrorKind *kind);
HaulErrorKind haul_failure_kind_of  (const GError  *error);

/**
 * HaulRetry:
 *
 * The tries of one run. Plain data, kept in the run; the timer calls the run back.
 */
typedef struct
{
  guint          retries;          /* tries without progress allowed after the first */
  guint          base_ms;          /* the first back-off */
  guint          fruitless;        /* tries in a row that brought nothing lasting */
  gint64         high_water;       /* the most bytes this run ever had */
  HaulErrorKind  transient_kind;   /* of the last failure worth another try */
  guint          source;
  gint64         until;            /* wall-clock µs of the next try */
  char          *why;
  gboolean       announced;
} HaulRetry;

void      haul_retry_init     (HaulRetry   *retry,
                               guint        retries,
                               guint        base_ms,
                               guint        fruitless);
void      haul_retry_clear    (HaulRetry   *retry);
void      haul_retry_progress (HaulRetry   *retry,
                               gint64       received);
GError   *haul_retry_count    (HaulRetry   *retry,
                               const char  *why);
char     *haul_retry_wait     (HaulRetry   *retry,
                               guint        retry_after_s,
                               const char  *why,
                               GSourceFunc  fired,
                               gpointer     user_data);
gboolean  haul_retry_announce (HaulRetry   *retry);
gboolean  haul_retry_end      (HaulRetry   *retry);

G_END_DECLS
