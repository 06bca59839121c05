/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "haul-part-file.h"
#include "haul-rate-limiter.h"
#include "haul-restart.h"
#include "haul-resume-data.h"

G_BEGIN_DECLS

/* One HTTP connection filling one segment of a download's file: the request (with its
 * range and If-Range), redirects, classifying the answer, the double-buffered reads and
 * their writes, the stall and rate-limit timers. It tells its download what happened
 * through #HaulConnectionEvents; the download decides what follows. */

typedef struct _HaulConnection HaulConnection;

/**
 * HaulConnectionContext:
 *
 * What a download shares with its connections, for the whole of its run. The
 * connections read it; they write only their own segment's offsets in @rd, and, from a
 * first plain answer, what it says of the file (its size, validators, ranges).
 */
typedef struct
{
  SoupSession     *session;
  HaulRateLimiter *limiter;           /* nullable */
  HaulPartFile    *part;              /* nullable until the files exist */
  HaulResumeData  *rd;
  GStrv            headers;           /* request header lines, checked already */
  guint            stall_timeout_ms;
  gboolean         relinked;          /* the data came from another URL */
  gboolean         ranges_broken;     /* this run asks for no more ranges */
} HaulConnectionContext;

/**
 * HaulConnectionEvents:
 * @body: an answer was accepted and its body follows; @first is the headers of a first
 *   plain answer for the whole file (already recorded in the resume data), else %NULL.
 *   The connection waits until haul_connection_read_body() or haul_connection_stop().
 * @received: bytes arrived (not yet written)
 * @flushed: a write landed in the `.part` file, or failed with @error (the connection
 *   stops then)
 * @failed: the try failed with @error (taken), for the HTTP @status (0 when no answer
 *   did) and the server's Retry-After in seconds (0 when none); the connection stops
 * @restart: the answer proves the data on disk may not be of this file; the connection
 *   stops
 * @released: nothing of the connection is in flight any more: the download frees it
 */
typedef struct
{
  void (*body)     (HaulConnection     *conn,
                    SoupMessageHeaders *first,
                    gpointer            user_data);
  void (*received) (HaulConnection     *conn,
                    gpointer            user_data);
  void (*flushed)  (HaulConnection     *conn,
                    const GError       *error,
                    gpointer            user_data);
  void (*failed)   (HaulConnection     *conn,
                    GError             *error,
                    guint               status,
                    guint               retry_after,
                    gpointer            user_data);
  void (*restart)  (HaulConnection     *conn,
                    HaulRestart         why,
                    const char         *detail,
                    gpointer            user_data);
  void (*released) (HaulConnection     *conn,
                    gpointer            user_data);
} HaulConnectionEvents;

HaulConnection     *haul_connection_new                  (const HaulConnectionContext *context,
                                                          const HaulConnectionEvents  *events,
                                                          gpointer                     user_data,
                                                          const char                  *uri,
                                                          guint                        segment,
                                                          gsize                        buf_size);
void                haul_connection_free                 (HaulConnection *conn);
void                haul_connection_start                (HaulConnection *conn);
void                haul_connection_read_body            (HaulConnection *conn);
void                haul_connection_cancel               (HaulConnection *conn,
                                                          gboolean        keep_data);
void                haul_connection_stop                 (HaulConnection *conn);

guint               haul_connection_get_segment          (HaulConnection *conn);
void                haul_connection_set_segment          (HaulConnection *conn,
                                                          guint           segment);
gint64              haul_connection_get_read_pos         (HaulConnection *conn);
gint64              haul_connection_get_buffered         (HaulConnection *conn);
gboolean            haul_connection_is_reading           (HaulConnection *conn);
gboolean            haul_connection_is_idle              (HaulConnection *conn);
GUri               *haul_connection_get_uri              (HaulConnection *conn);
SoupMessageHeaders *haul_connection_get_response_headers (HaulConnection *conn);

G_END_DECLS
