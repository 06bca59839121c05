/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "haul-state.h"

G_BEGIN_DECLS

/* How Haul words its figures, in the user's locale, the same in the window, the
 * notification area and haulctl. */

/* What a status line is made of: a transfer's properties as a client reads them. */
typedef struct
{
  HaulTransferState  state;
  HaulWaitReason     wait_reason;
  const char        *state_reason;  /* the service's own sentence, for a wait it did not name */
  const char        *error;
  gint64             retry_at;      /* UNIX seconds of the next try, 0 = none */
  guint64            received;
  guint64            total;         /* 0 = unknown */
  guint64            rate;          /* bytes per second */
} HaulStatus;

char *haul_format_size             (guint64           bytes);
char *haul_format_rate             (guint64           bytes_per_second);
char *haul_format_time_left        (guint64           seconds);
char *haul_format_duration_compact (guint64           seconds);
char *haul_format_retry_in         (gint64            seconds);
char *haul_format_progress         (guint64           received,
                                    guint64           total,
                                    guint64           rate);
char *haul_format_percent          (guint64           received,
                                    guint64           total);
char *haul_format_overall          (guint             active,
                                    guint64           received,
                                    guint64           total,
                                    guint64           rate);
char *haul_format_display_name     (const char       *file_name,
                                    const char       *uri);
char *haul_format_status           (const HaulStatus *status,
                                    gint64            now);

G_END_DECLS
