/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-manager.h"

G_BEGIN_DECLS

/* What the status icon, the notifier and the launcher entry share: the figures of all
 * downloads at once, and the calls that show Haul's window. */

#define HAUL_APP_BUS_NAME "io.github.haul.Haul"
#define HAUL_APP_PATH     "/io/github/haul/Haul"

typedef struct
{
  guint   active;     /* queued, waiting or running */
  guint   running;
  guint64 received;   /* of those whose size is known */
  guint64 total;
  guint64 rate;
} HaulOverall;

void     haul_overall_read           (HaulManager     *manager,
                                      HaulOverall     *overall);
gboolean haul_overall_equal          (const HaulOverall *a,
                                      const HaulOverall *b);

void     haul_desktop_show_window    (GDBusConnection *connection,
                                      const char      *activation_token);
void     haul_desktop_activate_action (GDBusConnection *connection,
                                       const char      *action,
                                       guint            transfer_id,
                                       const char      *activation_token);
void     haul_desktop_open_file      (HaulTransfer    *transfer,
                                      const char      *activation_token);
void     haul_desktop_show_in_folder (GDBusConnection *connection,
                                      HaulTransfer    *transfer,
                                      const char      *activation_token);

G_END_DECLS
