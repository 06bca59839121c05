/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-download"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "haul-check.h"
#include "haul-connection.h"
#include "haul-download-private.h"
#include "haul-error.h"
#include "haul-http.h"
#include "haul-session.h"

#define MAX_REDIRECTS        20
#define FLUSH_INTERVAL_US    (200 * 1000)

/* Reads go into one buffer while the other is written by a worker thread, so that the
 * network and the disk work at the same time. */
struct _HaulConnection
{
  const HaulConnectionContext *ctx;
  const HaulConnectionEvents  *events;
  gpointer                     user_data;

  guint          seg;
  SoupMessage   *msg;
  GInputStream  *stream;
  GCancellable  *cancellable;
  GUri          *uri;
  guint          redirects;
  gboolean       fresh;             /* a plain GET: no range asked for */
  gint64         read_pos;
  gint64         body_end;          /* where this answer's body ends, or -1 */
  guint8        *bufs[2];
  gsize          buf_size;
  guint          cur;
  gsize          filled;
  gint64         buf_start;         /* the file offset of bufs[cur][0] */
  gint64         buf_first_us;
  gint64         write_offset;      /* of the write in flight */
  gint64         pending;           /* read, and not yet written */
  gsize          granted;
  gboolean       busy;              /* a send or a read is in flight */
  gboolean       held;              /* waits for its download to let the body be read */
  gboolean       writing;
  gboolean       read_done;
  gboolean       stalled;
  gboolean       probed;
  gboolean       stopping;
  gboolean       keep_data;         /* a stop writes what was read (not when starting over) */
  gboolean       waiting_for_write;
  guint          stall_source;
  guint          limiter_source;
};

static void conn_read  (HaulConnection *conn);
static void conn_send  (HaulConnection *conn);
static void conn_flush (HaulConnection *conn,
                        gboolean        all);

static HaulSegment *
segment (HaulConnection *conn)
{
  return haul_resume_data_get_segment (conn->ctx->rd, conn->seg);
}

static gboolean
is_single_stream (HaulConnection *conn)
{
  return conn->ctx->rd->segments->len == 1;
}

/* Nothing of the connection is in flight: its download frees it. */
static void
conn_release (HaulConnection *conn)
{
  g_assert (!conn->busy && !conn->held && !conn->writing);
  conn->events->released (conn, conn->user_data);
}

/* Keeps the bytes already read (unless starting over), then releases the connection when
 * its last write has landed. */
static void
conn_stop (HaulConnection *conn)
{
  g_clear_handle_id (&conn->stall_source, g_source_remove);
  g_clear_handle_id (&conn->limiter_source, g_source_remove);
  conn->stopping = TRUE;

  if (conn->busy || conn->held)
    return;

  if (conn->filled > 0 && !conn->writing && conn->keep_data)
    conn_flush (conn, TRUE);
  else if (conn->filled > 0 && !conn->writing)
    {
      conn->pending -= conn->filled;
      conn->filled = 0;
    }

  if (!conn->writing)
    conn_release (conn);
}

/* The try failed: the download decides what follows; this connection stops. @status is
 * the HTTP status that made it fail, or 0 when no answer did. */
static void
conn_fail (HaulConnection *conn,
           GError         *error,
           guint           status,
           guint           retry_after)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && conn->stalled)
    {
      guint seconds = (conn->ctx->stall_timeout_ms + 999) / 1000;

      g_clear_error (&error);
      error = g_error_new (HAUL_ERROR, HAUL_ERROR_TRANSIENT,
                           g_dngettext (GETTEXT_PACKAGE, "No data received for %u second",
                                        "No data received for %u seconds", seconds),
                           seconds);
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_error_free (error);
  else
    conn->events->failed (conn, g_steal_pointer (&error), status, retry_after, conn->user_data);
  conn_stop (conn);
}

static void
conn_restart (HaulConnection *conn,
              HaulRestart     why,
              const char     *detail)
{
  conn->events->restart (conn, why, detail, conn->user_data);
  conn_stop (conn);
}

static gboolean
on_stall_cb (gpointer user_data)
{
  HaulConnection *conn = user_data;

  conn->stall_source = 0;
  conn->stalled = TRUE;
  g_cancellable_cancel (conn->cancellable);
  return G_SOURCE_REMOVE;
}

static void
conn_arm_stall_timer (HaulConnection *conn)
{
  g_clear_handle_id (&conn->stall_source, g_source_remove);
  conn->stall_source = g_timeout_add (conn->ctx->stall_timeout_ms, on_stall_cb, conn);
}

/* ---- writing ------------------------------------------------------------------------ */

static void
write_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  HaulConnection *conn = user_data;
  g_autoptr(GError) error = NULL;
  HaulSegment *seg = segment (conn);
  gsize written = 0;

  haul_part_file_write_finish (HAUL_PART_FILE (object), result, &written, &error);
  conn->writing = FALSE;

  g_assert (seg->written == conn->write_offset);
  seg->written += (gint64) written;
  conn->pending -= (gint64) written;

  if (error != NULL)
    {
      /* What did not land, and what was read after it, can no longer be written in order. */
      conn->pending -= conn->buf_start - seg->written + (gint64) conn->filled;
      conn->filled = 0;
      conn->buf_start = seg->written;
      conn->stopping = TRUE;
    }
  conn->events->flushed (conn, error, conn->user_data);

  if (conn->stopping)
    {
      conn_stop (conn);
      return;
    }

  if (conn->filled > 0 && conn->read_done)
    conn_flush (conn, TRUE);
  else if (conn->filled == conn->buf_size)
    conn_flush (conn, FALSE);

  if (conn->read_done && conn->filled == 0 && !conn->writing)
    {
      conn_release (conn);
      return;
    }

  if (conn->waiting_for_write)
    {
      conn->waiting_for_write = FALSE;
      conn_read (conn);
    }
}

/* Hands the filled buffer to a worker thread and switches to the other one. Unless
 * @all, only whole blocks up to an aligned offset go, so that the next write starts
 * aligned; the few bytes after move to the other buffer. */
static void
conn_flush (HaulConnection *conn,
            gboolean        all)
{
  gsize len = conn->filled;
  gsize rest;
  guint8 *buf;

  if (conn->filled == 0 || conn->writing)
    return;

  if (!all)
    {
      gsize cut = (gsize) ((conn->buf_start + (gint64) conn->filled) % HAUL_DIRECT_ALIGN);

      if (cut >= conn->filled)
        return;
      len = conn->filled - cut;
    }
  rest = conn->filled - len;
  buf = conn->bufs[conn->cur];

  if (rest > 0)
    memcpy (conn->bufs[conn->cur ^ 1], buf + len, rest);
  conn->write_offset = conn->buf_start;
  conn->cur ^= 1;
  conn->buf_start += (gint64) len;
  conn->filled = rest;
  conn->buf_first_us = g_get_monotonic_time ();
  conn->writing = TRUE;

  haul_part_file_write_async (conn->ctx->part, buf, len, conn->write_offset, NULL,
                              write_done_cb, conn);
}

/* ---- reading ------------------------------------------------------------------------ */

/* The connection has read all it will: release it once its last write has landed. */
static void
conn_finish_reading (HaulConnection *conn)
{
  conn->read_done = TRUE;
  g_clear_handle_id (&conn->stall_source, g_source_remove);
  g_clear_object (&conn->stream);
  conn_flush (conn, TRUE);
  if (!conn->writing)
    conn_release (conn);
}

static void
conn_body_done (HaulConnection *conn)
{
  HaulResumeData *rd = conn->ctx->rd;
  HaulSegment *seg = segment (conn);

  if (seg->end < 0 && !conn->probed && conn->read_pos > 0 && rd->accept_ranges &&
      !conn->ctx->ranges_broken && haul_resume_data_is_resumable (rd))
    {
      /* A body of unknown length ended. libsoup reports a chunked body cut between two
       * chunks as a clean end, so prove it: asking for what follows gets a 416 only if
       * nothing does. */
      conn->probed = TRUE;
      g_clear_object (&conn->stream);
      conn_flush (conn, FALSE);
      conn_send (conn);
      return;
    }

  if (seg->end < 0)
    {
      /* The size was unknown until the end of the body. */
      seg->end = conn->read_pos;
      rd->total = conn->read_pos;
    }

  if (conn->read_pos < seg->end && conn->body_end >= 0 && conn->read_pos >= conn->body_end)
    {
      /* The server sent less of the range than we asked for; ask for the rest. */
      g_clear_object (&conn->stream);
      conn_flush (conn, FALSE);
      conn_send (conn);
      return;
    }

  conn_finish_reading (conn);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  HaulConnection *conn = user_data;
  HaulRateLimiter *limiter = conn->ctx->limiter;
  GError *error = NULL;
  gssize n;
  gint64 now;

  conn->busy = FALSE;
  g_clear_handle_id (&conn->stall_source, g_source_remove);
  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (limiter != NULL && conn->granted > (gsize) MAX (n, 0))
    haul_rate_limiter_refund (limiter, conn->granted - MAX (n, 0));
  conn->granted = 0;

  if (conn->stopping)
    {
      g_clear_error (&error);
      conn_stop (conn);
      return;
    }

  if (n > 0)
    {
      now = g_get_monotonic_time ();
      if (conn->filled == 0)
        conn->buf_first_us = now;
      conn->filled += n;
      conn->read_pos += n;
      conn->pending += n;
      conn->events->received (conn, conn->user_data);

      if (conn->filled == conn->buf_size ||
          now - conn->buf_first_us >= FLUSH_INTERVAL_US ||
          conn->read_pos == segment (conn)->end)
        conn_flush (conn, FALSE);

      if (conn->read_pos == segment (conn)->end)
        {
          conn_body_done (conn);
          return;
        }
      conn_read (conn);
      return;
    }

  if (error != NULL)
    {
      /* Keep what arrived before the failure. */
      conn_fail (conn, g_steal_pointer (&error), 0, 0);
      return;
    }

  /* End of the body. */
  if (conn->body_end >= 0 && conn->read_pos < conn->body_end)
    {
      conn_fail (conn, g_error_new (HAUL_ERROR, HAUL_ERROR_TRANSIENT,
                                    _("The server closed the connection early")), 0, 0);
      return;
    }
  conn_body_done (conn);
}

static gboolean
on_limiter_ready_cb (gpointer user_data)
{
  HaulConnection *conn = user_data;

  conn->limiter_source = 0;
  conn_read (conn);
  return G_SOURCE_REMOVE;
}

static void
conn_read (HaulConnection *conn)
{
  HaulRateLimiter *limiter = conn->ctx->limiter;
  HaulSegment *seg = segment (conn);
  gsize want;

  if (conn->stopping)
    {
      conn_stop (conn);
      return;
    }

  /* The segment may have been split since the last read. */
  if (seg->end >= 0 && conn->read_pos >= seg->end)
    {
      conn_body_done (conn);
      return;
    }

  if (conn->filled == conn->buf_size)
    {
      conn_flush (conn, FALSE);
      if (conn->filled == conn->buf_size)
        {
          conn->waiting_for_write = TRUE;
          return;
        }
    }

  want = conn->buf_size - conn->filled;
  if (seg->end >= 0)
    want = (gsize) MIN ((gint64) want, seg->end - conn->read_pos);

  if (limiter != NULL)
    {
      gint64 wait_us;
      gsize granted = haul_rate_limiter_take (limiter, want, &wait_us);

      if (granted == 0)
        {
          /* Put what we have on disk while we wait, so that progress is visible. */
          conn_flush (conn, FALSE);
          conn->limiter_source = haul_rate_limiter_wait (limiter, wait_us,
                                                         on_limiter_ready_cb, conn);
          return;
        }
      want = granted;
      conn->granted = granted;
    }

  conn->busy = TRUE;
  conn_arm_stall_timer (conn);
  g_input_stream_read_async (conn->stream, conn->bufs[conn->cur] + conn->filled, want,
                             G_PRIORITY_DEFAULT, conn->cancellable, read_cb, conn);
}

/* ---- responses ---------------------------------------------------------------------- */

static gboolean
validators_match (HaulConnection     *conn,
                  SoupMessageHeaders *headers)
{
  HaulResumeData *rd = conn->ctx->rd;
  const char *etag = soup_message_headers_get_one (headers, "ETag");
  const char *last_modified = soup_message_headers_get_one (headers, "Last-Modified");

  /* Data from another URL continues only on positive proof: every validator we have is
   * answered, and equal. */
  if (conn->ctx->relinked)
    {
      if (rd->etag == NULL && rd->last_modified == NULL)
        return FALSE;
      return (rd->etag == NULL || g_strcmp0 (rd->etag, etag) == 0) &&
             (rd->last_modified == NULL || g_strcmp0 (rd->last_modified, last_modified) == 0);
    }
  if (rd->etag != NULL && etag != NULL)
    return g_str_equal (rd->etag, etag);
  if (rd->last_modified != NULL && last_modified != NULL)
    return g_str_equal (rd->last_modified, last_modified);
  return TRUE;
}

/* A plain GET was answered with the whole file. Returns %FALSE if that answer contradicts
 * what the download already relies on, and it must start over. */
static gboolean
record_first_response (HaulConnection     *conn,
                       SoupMessageHeaders *headers)
{
  HaulResumeData *rd = conn->ctx->rd;
  const char *accept_ranges = soup_message_headers_get_one (headers, "Accept-Ranges");
  gint64 total = -1;

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    total = soup_message_headers_get_content_length (headers);

  g_free (rd->effective_uri);
  rd->effective_uri = g_uri_to_string (conn->uri);
  conn->body_end = total;

  if (!is_single_stream (conn))
    {
      /* The segments were laid out (from resume data) while this request was on its way:
       * the answer must be the same file, and this connection reads segment 0 only. */
      return total == rd->total && validators_match (conn, headers);
    }

  g_free (rd->etag);
  rd->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));
  if (!haul_http_etag_is_strong (rd->etag))
    g_clear_pointer (&rd->etag, g_free);
  g_free (rd->last_modified);
  rd->last_modified = g_strdup (soup_message_headers_get_one (headers, "Last-Modified"));
  rd->accept_ranges = accept_ranges != NULL && g_ascii_strcasecmp (accept_ranges, "bytes") == 0;
  rd->total = total;
  segment (conn)->end = total;
  return TRUE;
}

/* The body follows once the download lets it (its files may not exist yet). */
static void
start_body (HaulConnection     *conn,
            SoupMessageHeaders *first)
{
  /* Bytes of an earlier response may still wait in the buffer. */
  conn->buf_start = conn->read_pos - (gint64) conn->filled;
  if (conn->bufs[0] == NULL)
    {
      conn->bufs[0] = g_aligned_alloc (1, conn->buf_size, HAUL_DIRECT_ALIGN);
      conn->bufs[1] = g_aligned_alloc (1, conn->buf_size, HAUL_DIRECT_ALIGN);
    }
  conn->held = TRUE;
  conn->events->body (conn, first, conn->user_data);
}

static guint
get_retry_after (SoupMessage *msg)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                    "Retry-After");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  guint delay = 0;

  if (value != NULL && haul_http_parse_retry_after (value, now, &delay))
    return MAX (delay, 1);
  return 0;
}

/* What the answer to a range request says of the data on disk. */
static void
handle_ranged_response (HaulConnection     *conn,
                        guint               status,
                        SoupMessageHeaders *headers)
{
  HaulResumeData *rd = conn->ctx->rd;
  HaulSegment *seg = segment (conn);
  const char *value = soup_message_headers_get_one (headers, "Content-Range");
  gint64 start, end, total;

  if (status == SOUP_STATUS_OK)
    {
      /* With If-Range, a 200 means the file changed; with the same validators, that the
       * server ignores ranges, which this run then stops asking for. */
      conn_restart (conn, validators_match (conn, headers) ? HAUL_RESTART_RANGE_IGNORED
                                                           : HAUL_RESTART_FILE_CHANGED, NULL);
      return;
    }

  if (status == SOUP_STATUS_PARTIAL_CONTENT)
    {
      if (!haul_http_parse_content_range (value, &start, &end, &total) || start < 0 ||
          start != conn->read_pos || (rd->total >= 0 && total != rd->total) ||
          (conn->ctx->relinked && (rd->total < 0 || total != rd->total)))
        {
          conn_restart (conn, HAUL_RESTART_RANGE_MISMATCH, value);
          return;
        }
      if (!validators_match (conn, headers))
        {
          conn_restart (conn, HAUL_RESTART_FILE_CHANGED, NULL);
          return;
        }
      if (rd->total < 0 && total >= 0)
        {
          rd->total = total;
          seg->end = total;
        }
      conn->body_end = end + 1;
      start_body (conn, NULL);
      return;
    }

  /* A 416. We asked for bytes=N- with N the size of the file: it is complete. */
  if (haul_http_parse_content_range (value, &start, &end, &total) && start < 0 &&
      total == conn->read_pos && is_single_stream (conn) && validators_match (conn, headers))
    {
      seg->end = total;
      rd->total = total;
      conn_finish_reading (conn);
      return;
    }
  /* A server that refuses a range of a file it has not sent in full is not asked for
   * ranges again in this run: it gets one plain request. */
  conn_restart (conn, HAUL_RESTART_RANGE_REFUSED, NULL);
}

static void
handle_response (HaulConnection *conn)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (conn->msg);
  guint status = soup_message_get_status (conn->msg);

  if (!conn->fresh && (status == SOUP_STATUS_OK || status == SOUP_STATUS_PARTIAL_CONTENT ||
                       status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE))
    {
      handle_ranged_response (conn, status, headers);
      return;
    }

  if (status == SOUP_STATUS_OK)
    {
      if (!record_first_response (conn, headers))
        conn_restart (conn, HAUL_RESTART_FILE_CHANGED, NULL);
      else
        start_body (conn, headers);
      return;
    }

  if (haul_http_status_is_transient (status))
    {
      conn_fail (conn, g_error_new (HAUL_ERROR, HAUL_ERROR_TRANSIENT,
                                    _("The server answered %u %s"), status,
                                    soup_message_get_reason_phrase (conn->msg)),
                 status, get_retry_after (conn->msg));
      return;
    }

  if (status == SOUP_STATUS_PARTIAL_CONTENT)
    {
      conn_fail (conn, g_error_new (HAUL_ERROR, HAUL_ERROR_TRANSIENT,
                                    _("The server sent a partial response to a plain request")),
                 status, 0);
      return;
    }

  conn_fail (conn, g_error_new (HAUL_ERROR, HAUL_ERROR_HTTP, _("The server answered %u %s"),
                                status, soup_message_get_reason_phrase (conn->msg)), status, 0);
}

/* Follows a redirect: %FALSE when it failed the try. */
static gboolean
follow_redirect (HaulConnection *conn)
{
  const char *location = soup_message_headers_get_one (soup_message_get_response_headers (conn->msg),
                                                       "Location");
  g_autoptr(GUri) next = NULL;
  g_autoptr(GError) error = NULL;

  if (location != NULL)
    next = g_uri_parse_relative (conn->uri, location, G_URI_FLAGS_ENCODED, NULL);
  if (next == NULL)
    {
      conn_fail (conn, g_error_new (HAUL_ERROR, HAUL_ERROR_HTTP,
                                    _("The server redirected to an invalid address")), 0, 0);
      return FALSE;
    }
  if (!haul_check_guri (next, &error))
    {
      conn_fail (conn, g_error_new (HAUL_ERROR, error->code,
                                    _("The server redirected to an unsupported address: %s"),
                                    error->message), 0, 0);
      return FALSE;
    }
  if (++conn->redirects > MAX_REDIRECTS)
    {
      conn_fail (conn, g_error_new (HAUL_ERROR, HAUL_ERROR_TOO_MANY_REDIRECTS,
                                    _("Too many redirects (more than %d)"), MAX_REDIRECTS),
                 0, 0);
      return FALSE;
    }
  g_clear_object (&conn->stream);
  g_uri_unref (conn->uri);
  conn->uri = g_steal_pointer (&next);
  return TRUE;
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  HaulConnection *conn = user_data;
  GError *error = NULL;
  guint status;

  conn->busy = FALSE;
  g_clear_handle_id (&conn->stall_source, g_source_remove);
  conn->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);

  if (conn->stopping)
    {
      g_clear_error (&error);
      conn_stop (conn);
      return;
    }
  if (conn->stream == NULL)
    {
      conn_fail (conn, g_steal_pointer (&error), 0, 0);
      return;
    }

  status = soup_message_get_status (conn->msg);
  if (SOUP_STATUS_IS_REDIRECTION (status) && status != 304)
    {
      if (follow_redirect (conn))
        conn_send (conn);
      return;
    }

  handle_response (conn);
}

static void
conn_send (HaulConnection *conn)
{
  HaulResumeData *rd = conn->ctx->rd;
  HaulSegment *seg = segment (conn);
  SoupMessageHeaders *headers;
  GStrv lines = conn->ctx->headers;
  g_autoptr(GUri) origin = g_uri_parse (rd->uri, G_URI_FLAGS_ENCODED, NULL);

  g_clear_object (&conn->msg);
  conn->msg = soup_message_new_from_uri (SOUP_METHOD_GET, conn->uri);
  soup_message_add_flags (conn->msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (conn->msg);

  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      /* Checked when the run started; credentials stay with the download's own site. */
      if (haul_check_header_line (lines[i], &name, &value, NULL) &&
          (origin == NULL || haul_http_header_may_follow (name, origin, conn->uri)))
        soup_message_headers_append (headers, name, value);
    }
  if (soup_message_headers_get_one (headers, "User-Agent") == NULL)
    soup_message_headers_append (headers, "User-Agent", HAUL_USER_AGENT);
  soup_message_headers_replace (headers, "Accept-Encoding", "identity");

  conn->fresh = conn->read_pos == 0 && is_single_stream (conn);
  if (!conn->fresh)
    {
      g_autofree char *range = NULL;

      if (seg->end >= 0)
        range = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                                 conn->read_pos, seg->end - 1);
      else
        range = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", conn->read_pos);
      soup_message_headers_replace (headers, "Range", range);
      soup_message_headers_replace (headers, "If-Range",
                                    rd->etag != NULL ? rd->etag : rd->last_modified);
    }

  conn->body_end = -1;
  conn->busy = TRUE;
  conn_arm_stall_timer (conn);
  soup_session_send_async (conn->ctx->session, conn->msg, G_PRIORITY_DEFAULT, conn->cancellable,
                           send_cb, conn);
}

/* ---- the connection's life ------------------------------------------------------------ */

/**
 * haul_connection_new:
 * @context: what the download shares; it outlives the connection
 * @events: how the connection tells the download; it outlives the connection
 * @user_data: for @events
 * @uri: the download's URL
 * @segment: the index of the segment in the resume data to fill, from its written offset
 * @buf_size: the size of each of its two buffers
 *
 * Returns: (transfer full): a connection, not started
 */
HaulConnection *
haul_connection_new (const HaulConnectionContext *context,
                     const HaulConnectionEvents  *events,
                     gpointer                     user_data,
                     const char                  *uri,
                     guint                        segment,
                     gsize                        buf_size)
{
  HaulConnection *conn = g_new0 (HaulConnection, 1);

  conn->ctx = context;
  conn->events = events;
  conn->user_data = user_data;
  conn->seg = segment;
  conn->cancellable = g_cancellable_new ();
  conn->uri = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  conn->read_pos = haul_resume_data_get_segment (context->rd, segment)->written;
  conn->buf_size = buf_size;
  conn->keep_data = TRUE;
  return conn;
}

void
haul_connection_free (HaulConnection *conn)
{
  g_clear_handle_id (&conn->stall_source, g_source_remove);
  g_clear_handle_id (&conn->limiter_source, g_source_remove);
  g_clear_object (&conn->cancellable);
  g_clear_object (&conn->stream);
  g_clear_object (&conn->msg);
  g_clear_pointer (&conn->uri, g_uri_unref);
  g_aligned_free (conn->bufs[0]);
  g_aligned_free (conn->bufs[1]);
  g_free (conn);
}

/* Sends the first request. */
void
haul_connection_start (HaulConnection *conn)
{
  conn_send (conn);
}

/* The download lets the body be read, after #HaulConnectionEvents.body (its `.part` is in
 * @context from now on). */
void
haul_connection_read_body (HaulConnection *conn)
{
  g_return_if_fail (conn->held);

  conn->held = FALSE;
  conn_read (conn);
}

/* Marks the connection to stop and cancels what it waits for; it stops from that
 * operation's callback, or from haul_connection_stop() when it waits for nothing. Unless
 * @keep_data, bytes read and not yet handed to a write are dropped. */
void
haul_connection_cancel (HaulConnection *conn,
                        gboolean        keep_data)
{
  conn->stopping = TRUE;
  conn->keep_data = keep_data;
  g_cancellable_cancel (conn->cancellable);
}

/* Stops the connection: it is released (#HaulConnectionEvents.released) once its last
 * write has landed, which may be before this returns. */
void
haul_connection_stop (HaulConnection *conn)
{
  conn->held = FALSE;
  conn_stop (conn);
}

guint
haul_connection_get_segment (HaulConnection *conn)
{
  return conn->seg;
}

/* The segments were renumbered (one was split before this one's). */
void
haul_connection_set_segment (HaulConnection *conn,
                             guint           segment)
{
  conn->seg = segment;
}

gint64
haul_connection_get_read_pos (HaulConnection *conn)
{
  return conn->read_pos;
}

/* Bytes read and not yet written. */
gint64
haul_connection_get_buffered (HaulConnection *conn)
{
  return conn->pending;
}

/* Still reading into its segment (a split may take part of it). */
gboolean
haul_connection_is_reading (HaulConnection *conn)
{
  return !conn->stopping && !conn->read_done;
}

/* Waits for nothing of its own: not a send, a read, a write or its download. */
gboolean
haul_connection_is_idle (HaulConnection *conn)
{
  return !conn->busy && !conn->held && !conn->writing;
}

/* The URL after redirects. */
GUri *
haul_connection_get_uri (HaulConnection *conn)
{
  return conn->uri;
}

SoupMessageHeaders *
haul_connection_get_response_headers (HaulConnection *conn)
{
  return conn->msg != NULL ? soup_message_get_response_headers (conn->msg) : NULL;
}
