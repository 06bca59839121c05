/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "format-test"

#include "config.h"

#include <locale.h>
#include <string.h>

#include "haul-format.h"
#include "haul-test-utils.h"

/* The shared wording of figures and status lines, in several locales: the locales are
 * built into the build directory (LOCPATH, see tests/meson.build), so the machine needs
 * none of its own. */

#define MB 1000000
/* GLib puts a no-break space between a number and its unit. */
#define NB "\xc2\xa0"

static void
use_locale (const char *name)
{
  g_assert_nonnull (setlocale (LC_ALL, name));
}

static void
assert_status (const HaulStatus *status,
               gint64            now,
               const char       *expected)
{
  g_autofree char *text = haul_format_status (status, now);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_figures (void)
{
  use_locale ("C.UTF-8");

  {
    g_autofree char *size = haul_format_size (12300000);
    g_autofree char *rate = haul_format_rate (5200000);
    g_autofree char *bytes = haul_format_size (512);

    g_assert_cmpstr (size, ==, "12.3" NB "MB");
    g_assert_cmpstr (rate, ==, "5.2" NB "MB/s");
    g_assert_cmpstr (bytes, ==, "512 bytes");
  }

  {
    static const struct { guint64 seconds; const char *text; } cases[] = {
      { 0, "0 seconds left" },
      { 1, "1 second left" },
      { 59, "59 seconds left" },
      { 60, "1 minute left" },
      { 89, "1 minute left" },
      { 90, "2 minutes left" },
      { 3569, "59 minutes left" },
      { 3570, "1 hour left" },
      { 5400, "2 hours left" },
      { 47 * 3600, "47 hours left" },
      { 48 * 3600, "2 days left" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *text = haul_format_time_left (cases[i].seconds);

        g_assert_cmpstr (text, ==, cases[i].text);
      }
  }

  {
    g_autofree char *hours = haul_format_duration_compact (3900);
    g_autofree char *minutes = haul_format_duration_compact (187);
    g_autofree char *seconds = haul_format_duration_compact (12);
    g_autofree char *now = haul_format_retry_in (0);
    g_autofree char *soon = haul_format_retry_in (1);
    g_autofree char *later = haul_format_retry_in (120);
    g_autofree char *much_later = haul_format_retry_in (7200);

    g_assert_cmpstr (hours, ==, "1h05m");
    g_assert_cmpstr (minutes, ==, "3m07s");
    g_assert_cmpstr (seconds, ==, "12s");
    g_assert_cmpstr (now, ==, "Retrying now");
    g_assert_cmpstr (soon, ==, "Retrying in 1 second");
    g_assert_cmpstr (later, ==, "Retrying in 2 minutes");
    g_assert_cmpstr (much_later, ==, "Retrying in 2 hours");
  }
}

static void
test_status (void)
{
  HaulStatus status = { 0 };

  use_locale ("C.UTF-8");

  /* The status line of the specification, and what it says when a figure is unknown. */
  status.state = HAUL_TRANSFER_STATE_RUNNING;
  status.received = 12300000;
  status.total = 700 * MB;
  status.rate = 5200000;
  assert_status (&status, 0, "12.3" NB "MB of 700.0" NB "MB — 5.2" NB "MB/s — 2 minutes left");
  status.total = 0;
  assert_status (&status, 0, "12.3" NB "MB — 5.2" NB "MB/s");
  status.rate = 0;
  assert_status (&status, 0, "12.3" NB "MB");

  status.state = HAUL_TRANSFER_STATE_PAUSED;
  assert_status (&status, 0, "Paused");
  status.state = HAUL_TRANSFER_STATE_QUEUED;
  assert_status (&status, 0, "Queued");
  status.state = HAUL_TRANSFER_STATE_CANCELLED;
  assert_status (&status, 0, "Cancelled");
  status.state = HAUL_TRANSFER_STATE_COMPLETED;
  status.total = 700 * MB;
  assert_status (&status, 0, "Completed — 700.0" NB "MB");
  status.state = HAUL_TRANSFER_STATE_FAILED;
  status.error = "The server answered 404 Not Found";
  assert_status (&status, 0, "Failed: The server answered 404 Not Found");
  status.error = "";
  assert_status (&status, 0, "Failed: unknown error");

  status.state = HAUL_TRANSFER_STATE_WAITING;
  status.wait_reason = HAUL_WAIT_REASON_METERED;
  assert_status (&status, 0, "Waiting for an unmetered network");
  status.wait_reason = HAUL_WAIT_REASON_OFFLINE;
  assert_status (&status, 0, "Waiting for a network connection");
  status.wait_reason = HAUL_WAIT_REASON_POWER_SAVER;
  assert_status (&status, 0, "Waiting for power saver to be turned off");
  status.wait_reason = HAUL_WAIT_REASON_RETRY;
  status.retry_at = 1000 + 120;
  assert_status (&status, 1000, "Retrying in 2 minutes");
  assert_status (&status, 2000, "Retrying now");
  status.wait_reason = HAUL_WAIT_REASON_NONE;
  status.state_reason = "Waiting for something new";
  assert_status (&status, 0, "Waiting for something new");
}

static void
test_locales (void)
{
  HaulStatus status = { 0 };

  status.state = HAUL_TRANSFER_STATE_RUNNING;
  status.received = 12300000;
  status.total = 700 * MB;
  status.rate = 5200000;

  /* The decimal separator follows the locale (the unit may be translated by GLib's own
   * catalogue, when the machine has it: "Mo" in French). */
  use_locale ("de_DE.UTF-8");
  {
    g_autofree char *size = haul_format_size (12300000);
    g_autofree char *line = haul_format_status (&status, 0);

    g_assert_true (g_str_has_prefix (size, "12,3" NB));
    g_assert_true (g_str_has_prefix (line, "12,3" NB));
    g_assert_nonnull (strstr (line, " of 700,0" NB));
    g_assert_nonnull (strstr (line, " — 5,2" NB));
    g_assert_true (g_str_has_suffix (line, "/s — 2 minutes left"));
  }
  use_locale ("fr_FR.UTF-8");
  {
    g_autofree char *rate = haul_format_rate (5200000);

    g_assert_true (g_str_has_prefix (rate, "5,2" NB));
    g_assert_true (g_str_has_suffix (rate, "/s"));
  }
  use_locale ("C.UTF-8");
}

static void
test_names (void)
{
  HaulTransferState state;
  HaulWaitReason reason;
  HaulErrorKind kind;

  for (guint i = HAUL_TRANSFER_STATE_QUEUED; i <= HAUL_TRANSFER_STATE_CANCELLED; i++)
    {
      g_assert_true (haul_transfer_state_from_string (haul_transfer_state_to_string (i), &state));
      g_assert_cmpuint (state, ==, i);
    }
  for (guint i = HAUL_WAIT_REASON_NONE; i <= HAUL_WAIT_REASON_RETRY; i++)
    {
      g_assert_true (haul_wait_reason_from_string (haul_wait_reason_to_string (i), &reason));
      g_assert_cmpuint (reason, ==, i);
    }
  for (guint i = HAUL_ERROR_KIND_NONE; i <= HAUL_ERROR_KIND_LOCAL_IO; i++)
    {
      g_assert_true (haul_error_kind_from_string (haul_error_kind_to_string (i), &kind));
      g_assert_cmpuint (kind, ==, i);
    }
  g_assert_false (haul_transfer_state_from_string ("exploded", &state));
  g_assert_false (haul_transfer_state_from_string (NULL, &state));
  g_assert_cmpstr (haul_error_kind_to_string (haul_error_kind_for_http_status (403)), ==, "link-expired");
  g_assert_cmpstr (haul_error_kind_to_string (haul_error_kind_for_http_status (410)), ==, "link-expired");
  g_assert_cmpstr (haul_error_kind_to_string (haul_error_kind_for_http_status (404)), ==, "not-found");
  g_assert_cmpstr (haul_error_kind_to_string (haul_error_kind_for_http_status (400)), ==, "http-client");
  g_assert_cmpstr (haul_error_kind_to_string (haul_error_kind_for_http_status (503)), ==, "server");
}

static void
test_display_name (void)
{
  struct { const char *file_name; const char *uri; const char *shown; } cases[] = {
    { "report.pdf", "https://example.org/dl?id=3", "report.pdf" },
    /* Until the server names it: the last segment of the path, unescaped… */
    { "", "https://example.org/files/My%20Report.pdf?sig=abc", "My Report.pdf" },
    { NULL, "https://example.org/a/b/c.iso", "c.iso" },
    /* …else the host, else the URL itself. */
    { "", "https://example.org/", "example.org" },
    { "", "https://example.org", "example.org" },
    { "", "https://example.org/%ff", "example.org" },
    { "", "not a url", "not a url" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shown = haul_format_display_name (cases[i].file_name, cases[i].uri);

      g_assert_cmpstr (shown, ==, cases[i].shown);
    }
}

/* What the notification area says of everything at once. */
static void
test_overall (void)
{
  g_autofree char *none = NULL;
  g_autofree char *queued = NULL;
  g_autofree char *one = NULL;
  g_autofree char *all = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *almost = NULL;

  use_locale ("C.UTF-8");
  none = haul_format_overall (0, 0, 0, 0);
  queued = haul_format_overall (2, 0, 0, 0);
  one = haul_format_overall (1, 450, 1000, 0);
  all = haul_format_overall (3, 45000000, 100000000, 2100000);
  unknown = haul_format_overall (1, 0, 0, 2100000);
  almost = haul_format_percent (999, 1000);

  g_assert_cmpstr (none, ==, "No active downloads");
  g_assert_cmpstr (queued, ==, "2 downloads");
  g_assert_cmpstr (one, ==, "1 download — 45%");
  g_assert_cmpstr (all, ==, "3 downloads — 45% — 2.1" NB "MB/s — 27 seconds left");
  g_assert_cmpstr (unknown, ==, "1 download — 2.1" NB "MB/s");
  /* 100% only once everything came. */
  g_assert_cmpstr (almost, ==, "99%");
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add_func ("/format/figures", test_figures);
  g_test_add_func ("/format/status", test_status);
  g_test_add_func ("/format/locales", test_locales);
  g_test_add_func ("/format/names", test_names);
  g_test_add_func ("/format/display-name", test_display_name);
  g_test_add_func ("/format/overall", test_overall);

  return g_test_run ();
}
