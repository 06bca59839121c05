/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haul-connection.h"

G_BEGIN_DECLS

/* The connections of one run: which segment each fills, the read buffers they share, the
 * largest remainder split for a connection that has nothing to do, and stopping them. */

typedef struct _HaulConnections HaulConnections;

HaulConnections *haul_connections_new          (const HaulConnectionContext *context,
                                                const HaulConnectionEvents  *events,
                                                gpointer                     user_data,
                                                const char                  *uri,
                                                guint                        slots);
void             haul_connections_free         (HaulConnections *set);
guint            haul_connections_count        (HaulConnections *set);
gint64           haul_connections_buffered     (HaulConnections *set);
int              haul_connections_next_segment (HaulConnections *set,
                                                gboolean         may_split);
void             haul_connections_start        (HaulConnections *set,
                                                guint            segment);
void             haul_connections_remove       (HaulConnections *set,
                                                HaulConnection  *conn);
void             haul_connections_cancel_all   (HaulConnections *set,
                                                gboolean         keep_data);
void             haul_connections_stop_idle    (HaulConnections *set);

G_END_DECLS
