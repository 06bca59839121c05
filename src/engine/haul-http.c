/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-http"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <libsoup/soup.h>

#include "haul-http.h"

/* Reads a non-negative decimal at *p without overflow; moves *p past it. */
static gboolean
parse_offset (const char **p,
              gint64      *out)
{
  guint64 v = 0;
  const char *s = *p;

  if (!g_ascii_isdigit (*s))
    return FALSE;
  while (g_ascii_isdigit (*s))
    {
      if (v > (guint64) (G_MAXINT64 - 9) / 10)
        return FALSE;
      v = v * 10 + (guint64) (*s - '0');
      s++;
    }
  *p = s;
  *out = (gint64) v;
  return TRUE;
}

/**
 * haul_http_parse_content_range:
 * @value: a `Content-Range` header value
 * @start: (out): first byte, or -1 for the unsatisfied form `bytes *\/TOTAL`
 * @end: (out): last byte (inclusive), or -1
 * @total: (out): complete length, or -1 when the server wrote `*`
 *
 * Parses the `bytes` unit of RFC 9110 strictly: an inverted range, a range reaching past
 * the total, or trailing junk is rejected.
 *
 * Returns: %TRUE if @value is well formed
 */
gboolean
haul_http_parse_content_range (const char *value,
                               gint64     *start,
                               gint64     *end,
                               gint64     *total)
{
  const char *p = value;
  gint64 s = -1, e = -1, t = -1;

  g_return_val_if_fail (start != NULL && end != NULL && total != NULL, FALSE);

  if (value == NULL || g_ascii_strncasecmp (p, "bytes", 5) != 0)
    return FALSE;
  p += 5;
  if (*p != ' ' && *p != '\t')
    return FALSE;
  while (*p == ' ' || *p == '\t')
    p++;

  if (*p == '*')
    p++;
  else
    {
      if (!parse_offset (&p, &s) || *p++ != '-' || !parse_offset (&p, &e) || e < s)
        return FALSE;
    }

  if (*p++ != '/')
    return FALSE;
  if (*p == '*')
    p++;
  else if (!parse_offset (&p, &t))
    return FALSE;

  while (*p == ' ' || *p == '\t')
    p++;
  if (*p != '\0')
    return FALSE;

  /* "bytes * / *" says nothing; a range needs to fit in its total. */
  if (s < 0 && t < 0)
    return FALSE;
  if (s >= 0 && t >= 0 && e >= t)
    return FALSE;

  *start = s;
  *end = e;
  *total = t;
  return TRUE;
}

/**
 * haul_http_parse_retry_after:
 * @value: a `Retry-After` header value
 * @now: the current time, to turn an HTTP-date into a delay
 * @delay_seconds: (out): how long to wait
 *
 * Returns: %TRUE if @value is delta-seconds or an HTTP-date
 */
gboolean
haul_http_parse_retry_after (const char *value,
                             GDateTime  *now,
                             guint      *delay_seconds)
{
  const char *p;
  gint64 seconds;

  g_return_val_if_fail (now != NULL && delay_seconds != NULL, FALSE);

  if (value == NULL)
    return FALSE;

  p = value;
  while (*p == ' ')
    p++;
  if (g_ascii_isdigit (*p))
    {
      if (!parse_offset (&p, &seconds))
        return FALSE;
      while (*p == ' ')
        p++;
      if (*p != '\0')
        return FALSE;
    }
  else
    {
      g_autoptr(GDateTime) date = soup_date_time_new_from_http_string (value);

      if (date == NULL)
        return FALSE;
      seconds = g_date_time_difference (date, now) / G_TIME_SPAN_SECOND;
      if (seconds < 0)
        seconds = 0;
    }

  *delay_seconds = (guint) MIN (seconds, (gint64) G_MAXUINT);
  return TRUE;
}

/**
 * haul_http_parse_rate:
 * @text: "500k", "2M", "1.5M", "100000" (bytes per second, binary multiples)
 * @bytes_per_second: (out): the rate
 *
 * Returns: %TRUE if @text is a rate: 0 (no limit), or at least one byte per second
 */
gboolean
haul_http_parse_rate (const char *text,
                      guint64    *bytes_per_second)
{
  char *end = NULL;
  double v;
  double mult = 1;

  g_return_val_if_fail (bytes_per_second != NULL, FALSE);

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;

  errno = 0;
  v = g_ascii_strtod (text, &end);
  if (errno != 0 || end == text)
    return FALSE;

  switch (g_ascii_tolower (*end))
    {
    case '\0': break;
    case 'k': mult = 1024.0; end++; break;
    case 'm': mult = 1024.0 * 1024.0; end++; break;
    case 'g': mult = 1024.0 * 1024.0 * 1024.0; end++; break;
    default: return FALSE;
    }
  if (*end == 'B' || *end == 'b')
    end++;
  if (*end != '\0')
    return FALSE;

  /* 0 means no limit, as everywhere else; a fraction of a byte per second is no rate. */
  v *= mult;
  if (!(v == 0.0 || v >= 1.0) || v > (double) G_MAXINT64)
    return FALSE;

  *bytes_per_second = (guint64) v;
  return TRUE;
}

/**
 * haul_http_etag_is_strong:
 * @etag: (nullable): an `ETag` value
 *
 * Returns: %TRUE for a quoted, strong entity tag, the only kind `If-Range` may carry
 */
gboolean
haul_http_etag_is_strong (const char *etag)
{
  gsize len;

  if (etag == NULL)
    return FALSE;
  len = strlen (etag);
  return len >= 2 && etag[0] == '"' && etag[len - 1] == '"';
}

/**
 * haul_http_status_is_transient:
 * @status: an HTTP status code
 *
 * Returns: %TRUE for 408, 429 and 5xx, which are worth retrying
 */
gboolean
haul_http_status_is_transient (guint status)
{
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

/**
 * haul_http_date_to_unix:
 * @value: (nullable): an HTTP date, as in Last-Modified
 *
 * Returns: its Unix time, or -1 when there is none
 */
gint64
haul_http_date_to_unix (const char *value)
{
  g_autoptr(GDateTime) date = value != NULL ? soup_date_time_new_from_http_string (value) : NULL;

  return date != NULL ? g_date_time_to_unix (date) : -1;
}

/**
 * haul_http_is_same_file:
 * @content_length: the length of the server's answer, or -1 when it did not say
 * @last_modified: (nullable): its Last-Modified
 * @size: the size of the file in place
 * @mtime: its modification time (which Haul gave it from Last-Modified)
 *
 * The file in place is the server's file if its size and its date are the server's, as
 * wget decides.
 *
 * Returns: whether it is
 */
gboolean
haul_http_is_same_file (gint64      content_length,
                        const char *last_modified,
                        gint64      size,
                        gint64      mtime)
{
  gint64 date = haul_http_date_to_unix (last_modified);

  return content_length >= 0 && content_length == size && date >= 0 && date == mtime;
}

static gint
port_of (GUri *uri)
{
  gint port = g_uri_get_port (uri);

  if (port > 0)
    return port;
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
}

/**
 * haul_http_header_may_follow:
 * @name: a request header the user (or the browser) gave
 * @origin: the download's URL
 * @target: where a request goes now, after redirects
 *
 * Credentials go only where they were given for: `Cookie` and `Authorization` are sent
 * to @target only when it has the scheme, host and port of @origin, as curl does on a
 * redirect to another host. Every other header follows redirects.
 *
 * Returns: whether the header is sent to @target
 */
gboolean
haul_http_header_may_follow (const char *name,
                             GUri       *origin,
                             GUri       *target)
{
  if (g_ascii_strcasecmp (name, "Cookie") != 0 && g_ascii_strcasecmp (name, "Authorization") != 0)
    return TRUE;
  return g_ascii_strcasecmp (g_uri_get_scheme (origin), g_uri_get_scheme (target)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (origin), g_uri_get_host (target)) == 0 &&
         port_of (origin) == port_of (target);
}
