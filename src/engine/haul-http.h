/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean haul_http_parse_content_range (const char *value,
                                        gint64     *start,
                                        gint64     *end,
                                        gint64     *total);
gboolean haul_http_parse_retry_after   (const char *value,
                                        GDateTime  *now,
                                        guint      *delay_seconds);
gboolean haul_http_parse_rate          (const char *text,
                                        guint64    *bytes_per_second);
gboolean haul_http_etag_is_strong      (const char *etag);
gboolean haul_http_status_is_transient (guint       status);

G_END_DECLS
