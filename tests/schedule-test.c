/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "haul-restart.h"
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

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add_func ("/schedule/split-point", test_split_point);
  g_test_add_func ("/schedule/backoff", test_backoff);
  g_test_add_func ("/schedule/checkpoint", test_checkpoint);
  g_test_add_func ("/schedule/restart-reasons", test_restart_reasons);

  return g_test_run ();
}
