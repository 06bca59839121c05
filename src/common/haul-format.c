/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-format"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "haul-format.h"

/**
 * haul_format_size:
 * @bytes: a size
 *
 * Returns: (transfer full): "12.3 MB", in the units and the decimal separator of the
 *   desktop (GLib's g_format_size(): SI units, as GNOME shows sizes)
 */
char *
haul_format_size (guint64 bytes)
{
  return g_format_size (bytes);
}

/**
 * haul_format_rate:
 * @bytes_per_second: a rate
 *
 * Returns: (transfer full): "5.2 MB/s"
 */
char *
haul_format_rate (guint64 bytes_per_second)
{
  g_autofree char *size = g_format_size (bytes_per_second);

  /* Translators: a transfer rate; %s is a size such as "5.2 MB" */
  return g_strdup_printf (_("%s/s"), size);
}

/* @seconds rounded to the nearest whole @unit. */
static guint
rounded (guint64 seconds,
         guint64 unit)
{
  return (guint) MIN ((seconds + unit / 2) / unit, G_MAXUINT);
}

/**
 * haul_format_time_left:
 * @seconds: how long a transfer still needs
 *
 * Returns: (transfer full): "2 minutes left", rounded to the unit that reads best
 */
char *
haul_format_time_left (guint64 seconds)
{
  guint n;

  if (seconds < 60)
    {
      n = (guint) seconds;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second left", "%u seconds left", n), n);
    }
  if (seconds < 60 * 60 - 30)
    {
      n = rounded (seconds, 60);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute left", "%u minutes left", n), n);
    }
  if (seconds < 48 * 60 * 60)
    {
      n = rounded (seconds, 60 * 60);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hour left", "%u hours left", n), n);
    }
  n = rounded (seconds, 24 * 60 * 60);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u day left", "%u days left", n), n);
}

/**
 * haul_format_duration_compact:
 * @seconds: a duration
 *
 * Returns: (transfer full): "1h05m", "3m07s" or "12s", for a progress bar on a terminal
 */
char *
haul_format_duration_compact (guint64 seconds)
{
  if (seconds >= 3600)
    return g_strdup_printf ("%uh%02um", (guint) MIN (seconds / 3600, G_MAXUINT),
                            (guint) (seconds / 60 % 60));
  if (seconds >= 60)
    return g_strdup_printf ("%um%02us", (guint) (seconds / 60), (guint) (seconds % 60));
  return g_strdup_printf ("%us", (guint) seconds);
}

/**
 * haul_format_retry_in:
 * @seconds: how long until the next try (0 or less: it is due)
 *
 * Returns: (transfer full): "Retrying in 2 minutes", or "Retrying now"
 */
char *
haul_format_retry_in (gint64 seconds)
{
  guint n;

  if (seconds <= 0)
    return g_strdup (_("Retrying now"));
  if (seconds < 60)
    {
      n = (guint) seconds;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Retrying in %u second",
                                           "Retrying in %u seconds", n), n);
    }
  if (seconds < 60 * 60 - 30)
    {
      n = rounded ((guint64) seconds, 60);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Retrying in %u minute",
                                           "Retrying in %u minutes", n), n);
    }
  n = rounded ((guint64) seconds, 60 * 60);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Retrying in %u hour",
                                       "Retrying in %u hours", n), n);
}

/**
 * haul_format_progress:
 * @received: bytes received
 * @total: bytes in all, 0 if unknown
 * @rate: bytes per second now
 *
 * Returns: (transfer full): "12.3 MB of 700 MB — 5.2 MB/s — 2 minutes left", without
 *   the parts that are unknown
 */
char *
haul_format_progress (guint64 received,
                      guint64 total,
                      guint64 rate)
{
  g_autofree char *got = haul_format_size (received);
  g_autofree char *all = NULL;
  g_autofree char *speed = NULL;
  g_autofree char *left = NULL;
  g_autofree char *amount = NULL;

  if (total > 0)
    {
      all = haul_format_size (total);
      /* Translators: "12.3 MB of 700 MB" */
      amount = g_strdup_printf (_("%s of %s"), got, all);
    }
  else
    amount = g_strdup (got);
  if (rate == 0)
    return g_steal_pointer (&amount);

  speed = haul_format_rate (rate);
  if (total == 0 || received >= total)
    /* Translators: an amount and a rate, "12.3 MB — 5.2 MB/s" */
    return g_strdup_printf (_("%s — %s"), amount, speed);
  left = haul_format_time_left ((total - received + rate - 1) / rate);
  /* Translators: an amount, a rate and the time left,
   * "12.3 MB of 700 MB — 5.2 MB/s — 2 minutes left" */
  return g_strdup_printf (_("%s — %s — %s"), amount, speed, left);
}

/* Takes both; "3 downloads — 45%". */
static char *
join (char *before,
      char *part)
{
  /* Translators: what comes before, and one more part of it, "3 downloads — 45%" */
  char *text = g_strdup_printf (_("%s — %s"), before, part);

  g_free (before);
  g_free (part);
  return text;
}

/**
 * haul_format_percent:
 * @received: bytes received
 * @total: bytes in all, not 0
 *
 * Returns: (transfer full): "45%", rounded down: 100% only when all came
 */
char *
haul_format_percent (guint64 received,
                     guint64 total)
{
  guint percent = total > 0 ? (guint) MIN (100, (received * 100.0) / total) : 0;

  /* Translators: a percentage, "45%" */
  return g_strdup_printf (_("%u%%"), percent);
}

/**
 * haul_format_overall:
 * @active: the transfers queued, waiting or running
 * @received: bytes received of those whose size is known
 * @total: their bytes in all, 0 if no size is known
 * @rate: bytes per second of them all
 *
 * What the notification area says of all the downloads at once.
 *
 * Returns: (transfer full): "3 downloads — 45% — 2.1 MB/s — 3 minutes left", without the
 *   parts that are unknown; "No active downloads"
 */
char *
haul_format_overall (guint   active,
                     guint64 received,
                     guint64 total,
                     guint64 rate)
{
  char *text;

  if (active == 0)
    return g_strdup (_("No active downloads"));
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u download", "%u downloads", active), active);
  if (total > 0)
    text = join (text, haul_format_percent (received, total));
  if (rate > 0)
    text = join (text, haul_format_rate (rate));
  if (rate > 0 && total > received)
    text = join (text, haul_format_time_left ((total - received + rate - 1) / rate));
  return text;
}

/**
 * haul_format_status:
 * @status: what a client knows of a transfer
 * @now: the time (UNIX seconds), to say how long a retry is away
 *
 * Returns: (transfer full): the transfer's status line: its progress while it runs,
 *   "Paused", "Waiting for an unmetered network", "Retrying in 2 minutes", "Failed: …"
 */
char *
haul_format_status (const HaulStatus *status,
                    gint64            now)
{
  g_autofree char *size = NULL;

  g_return_val_if_fail (status != NULL, NULL);

  switch (status->state)
    {
    case HAUL_TRANSFER_STATE_RUNNING:
      return haul_format_progress (status->received, status->total, status->rate);
    case HAUL_TRANSFER_STATE_QUEUED:
      return g_strdup (_("Queued"));
    case HAUL_TRANSFER_STATE_PAUSED:
      return g_strdup (_("Paused"));
    case HAUL_TRANSFER_STATE_CANCELLED:
      return g_strdup (_("Cancelled"));
    case HAUL_TRANSFER_STATE_COMPLETED:
      size = haul_format_size (status->total > 0 ? status->total : status->received);
      /* Translators: a finished download and its size, "Completed — 700 MB" */
      return g_strdup_printf (_("Completed — %s"), size);
    case HAUL_TRANSFER_STATE_FAILED:
      /* Translators: the reason a download failed follows the colon */
      return g_strdup_printf (_("Failed: %s"), status->error != NULL && *status->error != '\0' ?
                                               status->error : _("unknown error"));
    case HAUL_TRANSFER_STATE_WAITING:
    default:
      break;
    }

  switch (status->wait_reason)
    {
    case HAUL_WAIT_REASON_OFFLINE:
      return g_strdup (_("Waiting for a network connection"));
    case HAUL_WAIT_REASON_METERED:
      return g_strdup (_("Waiting for an unmetered network"));
    case HAUL_WAIT_REASON_POWER_SAVER:
      return g_strdup (_("Waiting for power saver to be turned off"));
    case HAUL_WAIT_REASON_RETRY:
      return haul_format_retry_in (status->retry_at > 0 ? status->retry_at - now : 0);
    case HAUL_WAIT_REASON_NONE:
    default:
      break;
    }
  if (status->state_reason != NULL && *status->state_reason != '\0')
    return g_strdup (status->state_reason);
  return g_strdup (_("Waiting"));
}

/**
 * haul_format_display_name:
 * @file_name: (nullable): the transfer's file name, empty until the server named it
 * @uri: its URL
 *
 * Returns: (transfer full): what to call a transfer: its file name, else the last
 *   segment of its URL's path, unescaped, else the URL's host, else the URL
 */
char *
haul_format_display_name (const char *file_name,
                          const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  const char *path;
  const char *slash;

  if (file_name != NULL && *file_name != '\0')
    return g_strdup (file_name);
  parsed = uri != NULL ? g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL) : NULL;
  if (parsed == NULL)
    return g_strdup (uri != NULL ? uri : "");
  path = g_uri_get_path (parsed);
  slash = strrchr (path, '/');
  if (slash != NULL && slash[1] != '\0')
    {
      g_autofree char *segment = g_uri_unescape_string (slash + 1, NULL);

      if (segment != NULL && g_utf8_validate (segment, -1, NULL))
        return g_steal_pointer (&segment);
    }
  return g_strdup (g_uri_get_host (parsed) != NULL ? g_uri_get_host (parsed) : uri);
}
