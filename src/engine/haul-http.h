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
gint64   haul_http_date_to_unix        (const char *value);
gboolean haul_http_is_same_file        (gint64      content_length,
                                        const char *last_modified,
                                        gint64      size,
                                        gint64      mtime);
gboolean haul_http_header_may_follow   (const char *name,
                                        GUri       *origin,
                                        GUri       *target);

G_END_DECLS
