/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-download"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "haul-error.h"
#include "haul-retry.h"
#include "haul-schedule.h"

/**
 * haul_failure_classify:
 * @error: why a try failed
 * @status: the HTTP status that made it fail, or 0 when no answer did
 * @kind: (out): the kind of failure, for the user
 *
 * Returns: whether another try may help
 */
HaulFailure
haul_failure_classify (const GError  *error,
                       guint          status,
                       HaulErrorKind *kind)
{
  if (error->domain == G_TLS_ERROR)
    {
      *kind = HAUL_ERROR_KIND_TLS;
      return HAUL_FAILURE_FINAL;
    }
  if (g_error_matches (error, HAUL_ERROR, HAUL_ERROR_HTTP) ||
      g_error_matches (error, HAUL_ERROR, HAUL_ERROR_TOO_MANY_REDIRECTS) ||
      g_error_matches (error, HAUL_ERROR, HAUL_ERROR_UNSUPPORTED_SCHEME) ||
      g_error_matches (error, HAUL_ERROR, HAUL_ERROR_INVALID_URI))
    {
      /* A refusal, or a server that sends us nowhere usable. */
      *kind = status >= 400 && status < 500 ? haul_error_kind_for_http_status (status)
                                            : HAUL_ERROR_KIND_SERVER;
      return HAUL_FAILURE_FINAL;
    }
  /* Connection errors, truncation, stalls and 5xx. */
  *kind = status != 0 ? HAUL_ERROR_KIND_SERVER : HAUL_ERROR_KIND_NETWORK;
  return HAUL_FAILURE_TRANSIENT;
}

/**
 * haul_failure_kind_of:
 * @error: why a download ended
 *
 * Returns: the kind of @error, when nothing more precise was noted where it arose
 */
HaulErrorKind
haul_failure_kind_of (const GError *error)
{
  if (error->domain == G_TLS_ERROR)
    return HAUL_ERROR_KIND_TLS;
  if (g_error_matches (error, HAUL_ERROR, HAUL_ERROR_CHECKSUM_MISMATCH))
    return HAUL_ERROR_KIND_CHECKSUM;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    return HAUL_ERROR_KIND_DISK_FULL;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY))
    return HAUL_ERROR_KIND_PERMISSION;
  return HAUL_ERROR_KIND_LOCAL_IO;
}

void
haul_retry_init (HaulRetry *retry,
                 guint      retries,
                 guint      base_ms,
                 guint      fruitless)
{
  memset (retry, 0, sizeof *retry);
  retry->retries = retries;
  retry->base_ms = base_ms;
  retry->fruitless = fruitless;
}

void
haul_retry_clear (HaulRetry *retry)
{
  g_clear_handle_id (&retry->source, g_source_remove);
  g_clear_pointer (&retry->why, g_free);
}

/* The run now has @received bytes: beyond anything an earlier try of it got, that is
 * progress (bytes a restart throws away again are not). */
void
haul_retry_progress (HaulRetry *retry,
                     gint64     received)
{
  if (received > retry->high_water)
    {
      retry->high_water = received;
      retry->fruitless = 0;
    }
}

/* Counts a try that brought nothing lasting, which failed for @why. Returns: (nullable)
 * (transfer full): %NULL while another try is allowed, else the error to end with. */
GError *
haul_retry_count (HaulRetry  *retry,
                  const char *why)
{
  retry->fruitless++;
  if (retry->fruitless <= retry->retries)
    return NULL;
  return g_error_new (HAUL_ERROR, HAUL_ERROR_TRANSIENT,
                      g_dngettext (GETTEXT_PACKAGE, "Gave up after %u try: %s",
                                   "Gave up after %u tries: %s", retry->fruitless),
                      retry->fruitless, why);
}

/* Waits before the next try (the back-off, or the server's @retry_after_s), then calls
 * @fired. Returns: (transfer full): the sentence that tells why and for how long. */
char *
haul_retry_wait (HaulRetry   *retry,
                 guint        retry_after_s,
                 const char  *why,
                 GSourceFunc  fired,
                 gpointer     user_data)
{
  guint delay_ms = haul_backoff_ms (retry->base_ms, retry->fruitless, retry_after_s,
                                    g_random_double_range (0.8, 1.2));
  g_autofree char *delay_text = g_strdup_printf ("%.1f", delay_ms / 1000.0);

  g_free (retry->why);
  retry->why = g_strdup (why);
  retry->until = g_get_real_time () + (gint64) delay_ms * 1000;
  g_clear_handle_id (&retry->source, g_source_remove);
  retry->source = g_timeout_add (delay_ms, fired, user_data);
  return g_strdup_printf (_("%s; retrying in %s s (try %u of %u)"), why, delay_text,
                          retry->fruitless + 1, retry->retries + 1);
}

/* %TRUE once for each wait: the caller tells of it (until, why) then. */
gboolean
haul_retry_announce (HaulRetry *retry)
{
  if (retry->source == 0 || retry->announced)
    return FALSE;
  retry->announced = TRUE;
  return TRUE;
}

/* The wait is over, or abandoned (call it from @fired too). Returns %TRUE when it had
 * been told of: its end is news then. */
gboolean
haul_retry_end (HaulRetry *retry)
{
  g_clear_handle_id (&retry->source, g_source_remove);
  if (!retry->announced)
    return FALSE;
  retry->announced = FALSE;
  return TRUE;
}
