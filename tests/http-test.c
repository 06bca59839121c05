/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "http-test"

#include "config.h"

#include "haul-download.h"
#include "haul-http.h"
#include "haul-rate-limiter.h"
#include "haul-test-utils.h"

static void
test_content_range (void)
{
  static const struct {
    const char *value;
    gboolean ok;
    gint64 start, end, total;
  } cases[] = {
    { "bytes 0-99/200", TRUE, 0, 99, 200 },
    { "bytes 100-199/200", TRUE, 100, 199, 200 },
    { "bytes 0-0/1", TRUE, 0, 0, 1 },
    { "bytes 5-9/*", TRUE, 5, 9, -1 },
    { "bytes */1234", TRUE, -1, -1, 1234 },
    { "BYTES 1-2/3", TRUE, 1, 2, 3 },
    { "bytes  7-8/9 ", TRUE, 7, 8, 9 },
    { "bytes 9-8/10", FALSE, 0, 0, 0 },
    { "bytes 0-200/200", FALSE, 0, 0, 0 },
    { "bytes */*", FALSE, 0, 0, 0 },
    { "bytes 0-99", FALSE, 0, 0, 0 },
    { "bytes -5-10/20", FALSE, 0, 0, 0 },
    { "items 0-1/2", FALSE, 0, 0, 0 },
    { "bytes0-1/2", FALSE, 0, 0, 0 },
    { "bytes 0-1/2x", FALSE, 0, 0, 0 },
    { "bytes 0-99999999999999999999/1", FALSE, 0, 0, 0 },
    { "", FALSE, 0, 0, 0 },
    { NULL, FALSE, 0, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 s = 42, e = 42, t = 42;
      gboolean ok = haul_http_parse_content_range (cases[i].value, &s, &e, &t);

      g_test_message ("%s", cases[i].value ? cases[i].value : "(null)");
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        {
          g_assert_cmpint (s, ==, cases[i].start);
          g_assert_cmpint (e, ==, cases[i].end);
          g_assert_cmpint (t, ==, cases[i].total);
        }
    }
}

static void
test_retry_after (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2025, 10, 21, 7, 28, 0);
  guint delay = 0;

  g_assert_true (haul_http_parse_retry_after ("120", now, &delay));
  g_assert_cmpuint (delay, ==, 120);
  g_assert_true (haul_http_parse_retry_after ("Tue, 21 Oct 2025 07:29:30 GMT", now, &delay));
  g_assert_cmpuint (delay, ==, 90);
  g_assert_true (haul_http_parse_retry_after ("Mon, 20 Oct 2025 07:29:30 GMT", now, &delay));
  g_assert_cmpuint (delay, ==, 0);
  g_assert_false (haul_http_parse_retry_after ("soon", now, &delay));
  g_assert_false (haul_http_parse_retry_after ("12s", now, &delay));
  g_assert_false (haul_http_parse_retry_after (NULL, now, &delay));
}

static void
test_rate (void)
{
  guint64 rate = 0;

  g_assert_true (haul_http_parse_rate ("500k", &rate));
  g_assert_cmpuint (rate, ==, 500 * 1024);
  g_assert_true (haul_http_parse_rate ("2M", &rate));
  g_assert_cmpuint (rate, ==, 2 * 1024 * 1024);
  g_assert_true (haul_http_parse_rate ("1.5m", &rate));
  g_assert_cmpuint (rate, ==, 1536 * 1024);
  g_assert_true (haul_http_parse_rate ("1000", &rate));
  g_assert_cmpuint (rate, ==, 1000);
  /* 0 is no limit, as for the service's speed-limit. */
  g_assert_true (haul_http_parse_rate ("0", &rate));
  g_assert_cmpuint (rate, ==, 0);
  g_assert_false (haul_http_parse_rate ("0.5", &rate));
  g_assert_false (haul_http_parse_rate ("-5k", &rate));
  g_assert_false (haul_http_parse_rate ("fast", &rate));
  g_assert_false (haul_http_parse_rate ("5x", &rate));
  g_assert_false (haul_http_parse_rate ("", &rate));
}

static void
test_etag_and_status (void)
{
  g_assert_true (haul_http_etag_is_strong ("\"abc\""));
  g_assert_false (haul_http_etag_is_strong ("W/\"abc\""));
  g_assert_false (haul_http_etag_is_strong ("abc"));
  g_assert_false (haul_http_etag_is_strong (NULL));

  g_assert_true (haul_http_status_is_transient (408));
  g_assert_true (haul_http_status_is_transient (429));
  g_assert_true (haul_http_status_is_transient (503));
  g_assert_false (haul_http_status_is_transient (404));
  g_assert_false (haul_http_status_is_transient (403));
}

/* The file in place is the server's only when its size and date are both the server's. */
static void
test_same_file (void)
{
  const char *date = "Tue, 21 Oct 2025 07:28:00 GMT";
  gint64 mtime = haul_http_date_to_unix (date);

  g_assert_cmpint (mtime, ==, 1761031680);
  g_assert_cmpint (haul_http_date_to_unix (NULL), ==, -1);
  g_assert_cmpint (haul_http_date_to_unix ("yesterday"), ==, -1);
  g_assert_true (haul_http_is_same_file (1000, date, 1000, mtime));
  g_assert_false (haul_http_is_same_file (1001, date, 1000, mtime));
  g_assert_false (haul_http_is_same_file (1000, date, 1000, mtime + 1));
  g_assert_false (haul_http_is_same_file (1000, NULL, 1000, -1));
  g_assert_false (haul_http_is_same_file (-1, date, -1, mtime));
}

static void
test_rate_limiter (void)
{
  g_autoptr(HaulRateLimiter) limiter = haul_rate_limiter_new (100 * 1024);
  gint64 wait_us = 0;
  gsize granted;
  gsize total = 0;

  /* The bucket starts empty: the first caller waits, then gets at most a burst. */
  granted = haul_rate_limiter_take (limiter, 1024 * 1024, &wait_us);
  g_assert_cmpuint (granted, ==, 0);
  g_assert_cmpint (wait_us, >, 0);

  for (guint i = 0; i < 50 && total == 0; i++)
    {
      g_usleep (wait_us);
      total = haul_rate_limiter_take (limiter, 1024 * 1024, &wait_us);
    }
  g_assert_cmpuint (total, >, 0);
  g_assert_cmpuint (total, <=, 16384 + 1024);

  haul_rate_limiter_refund (limiter, total);
  g_assert_cmpuint (haul_rate_limiter_take (limiter, total, &wait_us), ==, total);

  haul_rate_limiter_set_rate (limiter, 0);
  g_assert_cmpuint (haul_rate_limiter_take (limiter, 12345, &wait_us), ==, 12345);
  g_assert_cmpint (wait_us, ==, 0);
}

static gboolean
may_follow (const char *name,
            const char *origin,
            const char *target)
{
  g_autoptr(GUri) a = g_uri_parse (origin, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GUri) b = g_uri_parse (target, G_URI_FLAGS_ENCODED, NULL);

  g_assert_nonnull (a);
  g_assert_nonnull (b);
  return haul_http_header_may_follow (name, a, b);
}

static void
test_header_may_follow (void)
{
  /* The same site, default port written or not, another path: everything follows. */
  g_assert_true (may_follow ("Cookie", "https://example.org/a", "https://example.org/b?x"));
  g_assert_true (may_follow ("cookie", "https://example.org/a", "https://EXAMPLE.org:443/b"));
  g_assert_true (may_follow ("Authorization", "http://example.org/a", "http://example.org:80/b"));
  /* Another host, port or scheme: credentials stay behind, the rest follows. */
  g_assert_false (may_follow ("Cookie", "https://example.org/a", "https://cdn.example.net/a"));
  g_assert_false (may_follow ("Cookie", "https://example.org/a", "https://sub.example.org/a"));
  g_assert_false (may_follow ("AUTHORIZATION", "https://example.org/a", "https://example.org:8443/a"));
  g_assert_false (may_follow ("Cookie", "https://example.org/a", "http://example.org/a"));
  g_assert_true (may_follow ("Referer", "https://example.org/a", "https://cdn.example.net/a"));
  g_assert_true (may_follow ("User-Agent", "https://example.org/a", "http://other/a"));
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add_func ("/http/content-range", test_content_range);
  g_test_add_func ("/http/retry-after", test_retry_after);
  g_test_add_func ("/http/rate", test_rate);
  g_test_add_func ("/http/etag-and-status", test_etag_and_status);
  g_test_add_func ("/http/rate-limiter", test_rate_limiter);
  g_test_add_func ("/http/same-file", test_same_file);
  g_test_add_func ("/http/header-may-follow", test_header_may_follow);

  return g_test_run ();
}
