/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "haul-error.h"
#include "haul-restart.h"
#include "haul-retry.h"
#include "haul-schedule.h"
#include "haul-test-utils.h"

#define MiB (1024 * 1024)

/* Where a segment's rest splits for another connection. */
static void
test_split_point (void)
{
  /* Half way, aligned down, so that the new segment's writes are aligned. */
  g_assert_cmpint (haul_segment_split_point (0, 8 * MiB), ==, 4 * MiB);
  g_assert_cmpint (haul_segment_split_point (0, 8 * MiB + 1000), ==, 4 * MiB);
  g_assert_cmpint (haul_segment_split_point (1000, 8 * MiB + 1000) % HAUL_SPLIT_ALIGN, ==, 0);
  g_assert_cmpint (haul_segment_split_point (1000, 8 * MiB + 1000), >, 1000);

  /* Each half keeps at least the split minimum, and more than a read buffer. */
  g_assert_cmpint (haul_segment_split_point (0, 2 * HAUL_SPLIT_MIN), ==, HAUL_SPLIT_MIN);
  g_assert_cmpint (haul_segment_split_point (0, 2 * HAUL_SPLIT_MIN - 1), ==, -1);
  g_assert_cmpint (haul_segment_split_point (3 * MiB, 3 * MiB + 2 * HAUL_SPLIT_MIN - 1), ==, -1);
  for (gint64 from = 0; from < 3 * MiB; from += 333333)
    for (gint64 left = 2 * HAUL_SPLIT_MIN; left < 3 * HAUL_SPLIT_MIN; left += 123457)
      {
        gint64 mid = haul_segment_split_point (from, from + left);

        g_assert_cmpint (mid % HAUL_SPLIT_ALIGN, ==, 0);
        g_assert_cmpint (mid - from, >=, HAUL_SPLIT_MIN - HAUL_SPLIT_ALIGN);
        g_assert_cmpint (from + left - mid, >=, HAUL_SPLIT_MIN);
        g_assert_cmpint (mid - from, >=, HAUL_BUFFER_SIZE);
      }

  /* Nothing to split: done, or a size not known. */
  g_assert_cmpint (haul_segment_split_point (8 * MiB, 8 * MiB), ==, -1);
  g_assert_cmpint (haul_segment_split_point (-1, 8 * MiB), ==, -1);
}

/* How long a try waits after others failed. */
static void
test_backoff (void)
{
  /* Doubling from the base, for each fruitless try after the first. */
  g_assert_cmpuint (haul_backoff_ms (1000, 1, 0, 1.0), ==, 1000);
  g_assert_cmpuint (haul_backoff_ms (1000, 0, 0, 1.0), ==, 1000);
  g_assert_cmpuint (haul_backoff_ms (1000, 2, 0, 1.0), ==, 2000);
  g_assert_cmpuint (haul_backoff_ms (1000, 5, 0, 1.0), ==, 16000);

  /* At most five minutes, however many tries, without overflowing. */
  g_assert_cmpuint (haul_backoff_ms (1000, 12, 0, 1.0), ==, HAUL_BACKOFF_MAX_MS);
  g_assert_cmpuint (haul_backoff_ms (1000, G_MAXUINT, 0, 1.0), ==, HAUL_BACKOFF_MAX_MS);
  g_assert_cmpuint (haul_backoff_ms (G_MAXUINT, 30, 0, 1.0), ==, HAUL_BACKOFF_MAX_MS);

  /* The jitter scales it. */
  g_assert_cmpuint (haul_backoff_ms (1000, 3, 0, 0.8), ==, 3200);
  g_assert_cmpuint (haul_backoff_ms (1000, 3, 0, 1.2), ==, 4800);

  /* Retry-After wins, without jitter, at most an hour. */
  g_assert_cmpuint (haul_backoff_ms (1000, 5, 7, 1.2), ==, 7000);
  g_assert_cmpuint (haul_backoff_ms (1000, 5, 86400, 1.0), ==, HAUL_RETRY_AFTER_MAX_S * 1000);
}

/* When the resume data is saved, after a write landed. */
static void
test_checkpoint (void)
{
  const gint64 s = G_USEC_PER_SEC;

  /* Fast: durable every 2 s once a MiB came. */
  g_assert_cmpint (haul_checkpoint_due (2 * s, 0, MiB, TRUE), ==, HAUL_CHECKPOINT_DURABLE);
  g_assert_cmpint (haul_checkpoint_due (2 * s - 1, 0, 100 * MiB, TRUE), ==, HAUL_CHECKPOINT_NONE);
  /* Slow: not before a MiB, but every 30 s whatever came. */
  g_assert_cmpint (haul_checkpoint_due (10 * s, 0, MiB - 1, TRUE), ==, HAUL_CHECKPOINT_NONE);
  g_assert_cmpint (haul_checkpoint_due (30 * s, 0, 1, TRUE), ==, HAUL_CHECKPOINT_DURABLE);
  /* Several segments: a light one every 100 ms in between; one stream needs none. */
  g_assert_cmpint (haul_checkpoint_due (s, 100 * 1000, 10, FALSE), ==, HAUL_CHECKPOINT_LIGHT);
  g_assert_cmpint (haul_checkpoint_due (s, 100 * 1000 - 1, 10, FALSE), ==, HAUL_CHECKPOINT_NONE);
  g_assert_cmpint (haul_checkpoint_due (s, 10 * s, 10, TRUE), ==, HAUL_CHECKPOINT_NONE);
  /* Durable wins over light. */
  g_assert_cmpint (haul_checkpoint_due (3 * s, 10 * s, MiB, FALSE), ==, HAUL_CHECKPOINT_DURABLE);
}

/* Each reason to start over says which it is, with what it names. */
static void
test_restart_reasons (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *range = haul_restart_describe (HAUL_RESTART_RANGE_MISMATCH, "bytes 5-9/10", NULL);
  g_autofree char *none = haul_restart_describe (HAUL_RESTART_RANGE_MISMATCH, NULL, NULL);
  g_autofree char *url = haul_restart_describe (HAUL_RESTART_OTHER_URL, "a.iso.part", "http://old/a.iso");

  for (HaulRestart why = HAUL_RESTART_FILE_CHANGED; why <= HAUL_RESTART_OTHER_URL; why++)
    {
      char *text = haul_restart_describe (why, "x", "y");

      g_assert_cmpuint (strlen (text), >, 10);
      g_assert_false (g_hash_table_contains (seen, text));
      g_hash_table_add (seen, text);
    }
  g_assert_cmpstr (range, ==, "The server sent a different range (bytes 5-9/10) than asked for");
  g_assert_cmpstr (none, ==, "The server sent a different range (none) than asked for");
  g_assert_cmpstr (url, ==, "The partial data in “a.iso.part” came from another URL (http://old/a.iso)");
}

/* Which failures end a download, of what kind, and which are tried again. */
static void
test_failure_classify (void)
{
  struct {
    GQuark        domain;
    int           code;
    guint         status;
    HaulFailure   failure;
    HaulErrorKind kind;
  } cases[] = {
    { HAUL_ERROR, HAUL_ERROR_HTTP, 404, HAUL_FAILURE_FINAL, HAUL_ERROR_KIND_NOT_FOUND },
    { HAUL_ERROR, HAUL_ERROR_HTTP, 501, HAUL_FAILURE_FINAL, HAUL_ERROR_KIND_SERVER },
    { HAUL_ERROR, HAUL_ERROR_TOO_MANY_REDIRECTS, 0, HAUL_FAILURE_FINAL, HAUL_ERROR_KIND_SERVER },
    { HAUL_ERROR, HAUL_ERROR_UNSUPPORTED_SCHEME, 0, HAUL_FAILURE_FINAL, HAUL_ERROR_KIND_SERVER },
    { G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, 0, HAUL_FAILURE_FINAL, HAUL_ERROR_KIND_TLS },
    { HAUL_ERROR, HAUL_ERROR_TRANSIENT, 503, HAUL_FAILURE_TRANSIENT, HAUL_ERROR_KIND_SERVER },
    { HAUL_ERROR, HAUL_ERROR_TRANSIENT, 0, HAUL_FAILURE_TRANSIENT, HAUL_ERROR_KIND_NETWORK },
    { G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, 0, HAUL_FAILURE_TRANSIENT, HAUL_ERROR_KIND_NETWORK },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (cases[i].domain, cases[i].code, "x");
      HaulErrorKind kind = HAUL_ERROR_KIND_NONE;

      g_assert_cmpint (haul_failure_classify (error, cases[i].status, &kind), ==,
                       cases[i].failure);
      g_assert_cmpint (kind, ==, cases[i].kind);
    }
}

static void
test_failure_kind_of (void)
{
  struct {
    GQuark        domain;
    int           code;
    HaulErrorKind kind;
  } cases[] = {
    { G_IO_ERROR, G_IO_ERROR_NO_SPACE, HAUL_ERROR_KIND_DISK_FULL },
    { G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, HAUL_ERROR_KIND_PERMISSION },
    { G_IO_ERROR, G_IO_ERROR_READ_ONLY, HAUL_ERROR_KIND_PERMISSION },
    { HAUL_ERROR, HAUL_ERROR_CHECKSUM_MISMATCH, HAUL_ERROR_KIND_CHECKSUM },
    { G_TLS_ERROR, G_TLS_ERROR_NOT_TLS, HAUL_ERROR_KIND_TLS },
    { G_IO_ERROR, G_IO_ERROR_FAILED, HAUL_ERROR_KIND_LOCAL_IO },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (cases[i].domain, cases[i].code, "x");

      g_assert_cmpint (haul_failure_kind_of (error), ==, cases[i].kind);
    }
}

/* Tries without progress count up to the limit, progress beyond the high water resets
 * them, and a wait is announced once and its end once. */
static void
test_retry_counting (void)
{
  HaulRetry retry;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  haul_retry_init (&retry, 2, 1000, 0);
  g_assert_null (haul_retry_count (&retry, "cut"));
  g_assert_null (haul_retry_count (&retry, "cut"));
  haul_retry_progress (&retry, 100);
  g_assert_cmpuint (retry.fruitless, ==, 0);
  g_assert_null (haul_retry_count (&retry, "cut"));
  haul_retry_progress (&retry, 100);   /* no further than before: not progress */
  g_assert_cmpuint (retry.fruitless, ==, 1);
  g_assert_null (haul_retry_count (&retry, "cut"));
  error = haul_retry_count (&retry, "cut");
  g_assert_error (error, HAUL_ERROR, HAUL_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "3"));
  g_assert_nonnull (strstr (error->message, "cut"));

  g_assert_false (haul_retry_announce (&retry));   /* no wait yet */
  message = haul_retry_wait (&retry, 7, "503", (GSourceFunc) g_source_remove, NULL);
  g_assert_nonnull (strstr (message, "7.0"));
  g_assert_cmpint (retry.until, >, g_get_real_time () + 6 * G_USEC_PER_SEC);
  g_assert_true (haul_retry_announce (&retry));
  g_assert_false (haul_retry_announce (&retry));
  g_assert_true (haul_retry_end (&retry));
  g_assert_false (haul_retry_end (&retry));
  g_assert_cmpuint (retry.source, ==, 0);
  haul_retry_clear (&retry);
}

static void
test_rate (void)
{
  g_assert_cmpuint (haul_rate_update (0, 1000, G_USEC_PER_SEC / 2), ==, 2000);
  g_assert_cmpuint (haul_rate_update (2000, 0, G_USEC_PER_SEC), ==, 1400);
  g_assert_cmpuint (haul_rate_update (2000, 5000, G_USEC_PER_SEC), ==, 2900);
  g_assert_cmpuint (haul_rate_update (2000, 5000, 0), ==, 2000);
}

static void
test_restart_ends_ranges (void)
{
  g_assert_true (haul_restart_ends_ranges (HAUL_RESTART_RANGE_IGNORED));
  g_assert_true (haul_restart_ends_ranges (HAUL_RESTART_RANGE_MISMATCH));
  g_assert_true (haul_restart_ends_ranges (HAUL_RESTART_RANGE_REFUSED));
  g_assert_false (haul_restart_ends_ranges (HAUL_RESTART_FILE_CHANGED));
  g_assert_false (haul_restart_ends_ranges (HAUL_RESTART_NO_VALIDATOR));
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add_func ("/schedule/split-point", test_split_point);
  g_test_add_func ("/schedule/backoff", test_backoff);
  g_test_add_func ("/schedule/checkpoint", test_checkpoint);
  g_test_add_func ("/schedule/restart-reasons", test_restart_reasons);
  g_test_add_func ("/schedule/restart-ends-ranges", test_restart_ends_ranges);
  g_test_add_func ("/schedule/failure-classify", test_failure_classify);
  g_test_add_func ("/schedule/failure-kind-of", test_failure_kind_of);
  g_test_add_func ("/schedule/retry-counting", test_retry_counting);
  g_test_add_func ("/schedule/rate", test_rate);

  return g_test_run ();
}
