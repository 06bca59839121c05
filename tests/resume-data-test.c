/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "resume-data-test"

#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "haul-resume-data.h"
#include "haul-test-utils.h"

static HaulResumeData *
make_segmented (void)
{
  HaulResumeData *rd = haul_resume_data_new ();
  HaulSegment segs[] = {
    { 0, 1000, 600, 400 },
    { 1000, 2000, 1500, 1200 },
    { 2000, 3000, 3000, 3000 },
  };

  rd->uri = g_strdup ("https://example.com/f.iso");
  rd->effective_uri = g_strdup ("https://cdn.example.com/f.iso");
  rd->etag = g_strdup ("\"abc\"");
  rd->last_modified = g_strdup ("Wed, 21 Oct 2015 07:28:00 GMT");
  rd->accept_ranges = TRUE;
  rd->total = 3000;
  rd->filename = g_strdup ("f.iso");
  rd->owner = g_strdup ("haul-daemon:7:1700000000");
  rd->boot_id = g_strdup ("boot-a");
  rd->created_at = 1700000000;
  rd->sha256 = g_strdup ("0000000000000000000000000000000000000000000000000000000000000000");
  rd->max_segments = 3;
  rd->headers = g_strsplit ("X-A: 1|X-B: 2", "|", -1);
  g_array_set_size (rd->segments, 0);
  g_array_append_vals (rd->segments, segs, G_N_ELEMENTS (segs));
  return rd;
}

static void
test_round_trip (void)
{
  g_autoptr(HaulResumeData) rd = make_segmented ();
  g_autoptr(HaulResumeData) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = haul_resume_data_to_json (rd, NULL);
  g_autofree char *again = NULL;

  back = haul_resume_data_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->uri, ==, rd->uri);
  g_assert_cmpstr (back->effective_uri, ==, rd->effective_uri);
  g_assert_cmpstr (back->etag, ==, rd->etag);
  g_assert_cmpstr (back->last_modified, ==, rd->last_modified);
  g_assert_true (back->accept_ranges);
  g_assert_cmpint (back->total, ==, 3000);
  g_assert_cmpstr (back->filename, ==, "f.iso");
  g_assert_cmpstr (back->owner, ==, "haul-daemon:7:1700000000");
  g_assert_cmpstr (back->boot_id, ==, "boot-a");
  g_assert_cmpint (back->created_at, ==, 1700000000);
  g_assert_cmpuint (back->max_segments, ==, 3);
  g_assert_cmpstrv (back->headers, rd->headers);
  g_assert_cmpuint (back->segments->len, ==, 3);
  g_assert_cmpint (haul_resume_data_get_segment (back, 1)->written, ==, 1500);
  g_assert_cmpint (haul_resume_data_get_segment (back, 1)->synced, ==, 1200);
  g_assert_cmpint (haul_resume_data_get_written (back), ==, 600 + 500 + 1000);

  again = haul_resume_data_to_json (back, NULL);
  g_assert_cmpstr (again, ==, json);
}

/* A copy for a worker is whole and apart; what a new run asks wins over the saved data. */
static void
test_copy_and_request (void)
{
  HaulResumeData *saved = haul_resume_data_new ();
  HaulResumeData *request = haul_resume_data_new ();
  HaulResumeData *copy;
  const char *old_headers[] = { "Cookie: a=1", NULL };
  const char *new_headers[] = { "Cookie: a=2", NULL };
  HaulSegment second = { 100, 200, 150, 120 };

  saved->uri = g_strdup ("http://old.example/f");
  saved->filename = g_strdup ("f");
  saved->etag = g_strdup ("\"e\"");
  saved->sha256 = g_strdup ("aa");
  saved->owner = g_strdup ("t1");
  saved->max_segments = 8;
  saved->headers = g_strdupv ((char **) old_headers);
  saved->total = 200;
  haul_resume_data_get_segment (saved, 0)->end = 100;
  g_array_append_val (saved->segments, second);

  copy = haul_resume_data_copy (saved);
  g_assert_cmpstr (copy->etag, ==, "\"e\"");
  g_assert_true (copy->etag != saved->etag);
  g_assert_cmpuint (copy->segments->len, ==, 2);
  g_assert_cmpint (haul_resume_data_get_segment (copy, 1)->written, ==, 150);
  haul_resume_data_get_segment (copy, 1)->written = 0;
  g_assert_cmpint (haul_resume_data_get_segment (saved, 1)->written, ==, 150);
  haul_resume_data_free (copy);

  request->uri = g_strdup ("http://new.example/f");
  request->max_segments = 2;
  request->headers = g_strdupv ((char **) new_headers);
  haul_resume_data_take_request (saved, request);
  g_assert_cmpstr (saved->uri, ==, "http://new.example/f");
  g_assert_cmpuint (saved->max_segments, ==, 2);
  g_assert_cmpstr (saved->headers[0], ==, "Cookie: a=2");
  g_assert_cmpstr (saved->sha256, ==, "aa");   /* not given: kept */
  g_assert_cmpstr (saved->owner, ==, "t1");
  g_assert_cmpstr (saved->etag, ==, "\"e\"");
  request->owner = g_strdup ("t2");
  haul_resume_data_take_request (saved, request);
  g_assert_cmpstr (saved->owner, ==, "t2");

  haul_resume_data_free (request);
  haul_resume_data_free (saved);
}

static void
test_unknown_size (void)
{
  g_autoptr(HaulResumeData) rd = haul_resume_data_new ();
  g_autoptr(HaulResumeData) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  rd->uri = g_strdup ("http://x/y");
  haul_resume_data_get_segment (rd, 0)->written = 77;
  json = haul_resume_data_to_json (rd, NULL);
  back = haul_resume_data_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->total, ==, -1);
  g_assert_cmpint (haul_resume_data_get_segment (back, 0)->end, ==, -1);
  g_assert_false (haul_resume_data_is_resumable (back));
}

static void
test_corrupt (void)
{
  g_autoptr(HaulResumeData) rd = make_segmented ();
  g_autofree char *json = haul_resume_data_to_json (rd, NULL);
  const char *bad[] = {
    "",
    "{",
    "[]",
    "null",
    "{\"version\": 1}",
    "{\"version\": 2, \"uri\": \"x\"}",
    "\xff\xfe garbage",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HaulResumeData) out = haul_resume_data_new_from_json (bad[i], -1, &error);

      g_assert_null (out);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
    }

  /* Every truncation of a valid document is refused, never half-read. */
  for (gsize len = 0; len < strlen (json) - 2; len += 7)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HaulResumeData) out = haul_resume_data_new_from_json (json, len, &error);

      g_assert_null (out);
      g_assert_nonnull (error);
    }
}

static void
test_inconsistent (void)
{
  static const char *replacements[][2] = {
    { "\"written\" : 600", "\"written\" : 1600" },   /* beyond the segment end */
    { "\"synced\" : 400", "\"synced\" : 700" },      /* synced past written */
    { "\"start\" : 1000", "\"start\" : 900" },       /* overlapping segments */
    { "\"total\" : 3000", "\"total\" : 4000" },      /* segments do not reach the total */
    { "\"uri\" : \"https://example.com/f.iso\"", "\"uri\" : 5" },
    { "\"segments\" : 3", "\"segments\" : 99" },
    { "\"complete\" : false", "\"complete\" : \"no\"" },
    /* What a hostile state file would carry into a request or a file name. */
    { "\"etag\" : \"\\\"abc\\\"\"", "\"etag\" : \"\\\"a\\r\\nX-Injected: 1\\\"\"" },
    { "\"etag\" : \"\\\"abc\\\"\"", "\"etag\" : \"\\ud800x\"" },
    { "\"filename\" : \"f.iso\"", "\"filename\" : \"../victim/f.iso\"" },
    { "\"filename\" : \"f.iso\"", "\"filename\" : \"/etc/passwd\"" },
    { "\"X-A: 1\"", "\"X\\nA: 1\"" },
    { "\"X-A: 1\"", "\"Range: bytes=0-\"" },
    { "\"sha256\" : \"0000", "\"sha256\" : \"zz00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (replacements); i++)
    {
      g_autoptr(HaulResumeData) rd = make_segmented ();
      g_autofree char *json = haul_resume_data_to_json (rd, NULL);
      g_auto(GStrv) parts = g_strsplit (json, replacements[i][0], 2);
      g_autofree char *edited = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(HaulResumeData) out = NULL;

      g_assert_cmpuint (g_strv_length (parts), ==, 2);
      edited = g_strjoin (replacements[i][1], parts[0], parts[1], NULL);
      out = haul_resume_data_new_from_json (edited, -1, &error);
      g_test_message ("%s -> %s", replacements[i][0], error ? error->message : "accepted");
      g_assert_null (out);
      g_assert_nonnull (error);
    }
}

static void
test_boot_rule_same_boot_single (void)
{
  g_autoptr(HaulResumeData) rd = haul_resume_data_new ();
  HaulSegment *seg = haul_resume_data_get_segment (rd, 0);
  gint64 keep;

  rd->boot_id = g_strdup ("boot-a");
  rd->total = 1000;
  seg->end = 1000;
  seg->written = 300;
  seg->synced = 100;

  /* After a crash of the process, a single stream trusts the size of the file. */
  keep = haul_resume_data_apply_boot_rule (rd, "boot-a", 700);
  g_assert_cmpint (keep, ==, 700);
  g_assert_cmpint (seg->written, ==, 700);
  g_assert_cmpint (seg->synced, ==, 100);
}

static void
test_boot_rule_new_boot_single (void)
{
  g_autoptr(HaulResumeData) rd = haul_resume_data_new ();
  HaulSegment *seg = haul_resume_data_get_segment (rd, 0);
  gint64 keep;

  rd->boot_id = g_strdup ("boot-a");
  rd->total = 1000;
  rd->complete = TRUE;
  seg->end = 1000;
  seg->written = 300;
  seg->synced = 100;

  /* After a reboot, only what was fdatasync'ed counts, and the file is cut to it. */
  keep = haul_resume_data_apply_boot_rule (rd, "boot-b", 700);
  g_assert_cmpint (keep, ==, 100);
  g_assert_cmpint (seg->written, ==, 100);
  g_assert_false (rd->complete);
}

static void
test_boot_rule_segments (void)
{
  g_autoptr(HaulResumeData) same = make_segmented ();
  g_autoptr(HaulResumeData) other = make_segmented ();
  g_autoptr(HaulResumeData) shorter = make_segmented ();

  haul_resume_data_apply_boot_rule (same, "boot-a", 3000);
  g_assert_cmpint (haul_resume_data_get_segment (same, 0)->written, ==, 600);
  g_assert_cmpint (haul_resume_data_get_segment (same, 1)->written, ==, 1500);
  g_assert_cmpint (haul_resume_data_get_segment (same, 2)->written, ==, 3000);

  haul_resume_data_apply_boot_rule (other, "boot-b", 3000);
  g_assert_cmpint (haul_resume_data_get_segment (other, 0)->written, ==, 400);
  g_assert_cmpint (haul_resume_data_get_segment (other, 1)->written, ==, 1200);
  g_assert_cmpint (haul_resume_data_get_segment (other, 2)->written, ==, 3000);

  /* Nothing past the end of the file is trusted, whatever the resume data says. */
  haul_resume_data_apply_boot_rule (shorter, "boot-a", 1300);
  g_assert_cmpint (haul_resume_data_get_segment (shorter, 0)->written, ==, 600);
  g_assert_cmpint (haul_resume_data_get_segment (shorter, 1)->written, ==, 1300);
  g_assert_cmpint (haul_resume_data_get_segment (shorter, 2)->written, ==, 2000);
  g_assert_cmpint (haul_resume_data_get_segment (shorter, 1)->synced, ==, 1200);
}

static void
test_boot_rule_no_boot_id (void)
{
  g_autoptr(HaulResumeData) rd = haul_resume_data_new ();
  HaulSegment *seg = haul_resume_data_get_segment (rd, 0);

  rd->total = 1000;
  seg->end = 1000;
  seg->written = 500;
  seg->synced = 0;
  /* Resume data without a boot id cannot prove it is from this boot. */
  g_assert_cmpint (haul_resume_data_apply_boot_rule (rd, "boot-a", 500), ==, 0);

  /* Nor where the kernel gave none: "" then and "" now may be two boots. */
  seg->written = 500;
  rd->boot_id = g_strdup ("");
  g_assert_cmpint (haul_resume_data_apply_boot_rule (rd, "", 500), ==, 0);
  g_assert_cmpint (seg->written, ==, 0);
}

static void
test_atomic_write (void)
{
  g_autofree char *dir = haul_test_make_tempdir ("atomic");
  g_autofree char *target = g_build_filename (dir, "victim", NULL);
  g_autofree char *link = g_build_filename (dir, "state.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  int dirfd;

  g_assert_true (g_file_set_contents (target, "precious", -1, NULL));
  g_assert_cmpint (symlink (target, link), ==, 0);

  dirfd = open (dir, O_RDONLY | O_DIRECTORY);
  g_assert_cmpint (dirfd, >=, 0);
  g_assert_true (haul_write_file_atomically_at (dirfd, "state.json", "{}", 2, TRUE, &error));
  g_assert_no_error (error);
  close (dirfd);

  /* The symlink was replaced, not followed. */
  g_assert_true (g_file_get_contents (target, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious");
  g_assert_false (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (link, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "{}");

  /* No temporary file is left behind. */
  listing = g_dir_open (dir, 0, NULL);
  for (const char *name; (name = g_dir_read_name (listing)) != NULL;)
    g_assert_false (g_str_has_suffix (name, ".tmp"));
}

static void
test_boot_id (void)
{
  const char *id = haul_get_boot_id ();

  g_assert_nonnull (id);
  g_assert_cmpuint (strlen (id), ==, 36);
  g_assert_true (id == haul_get_boot_id ());
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add_func ("/resume-data/round-trip", test_round_trip);
  g_test_add_func ("/resume-data/copy-and-request", test_copy_and_request);
  g_test_add_func ("/resume-data/unknown-size", test_unknown_size);
  g_test_add_func ("/resume-data/corrupt", test_corrupt);
  g_test_add_func ("/resume-data/inconsistent", test_inconsistent);
  g_test_add_func ("/resume-data/boot-rule/same-boot-single", test_boot_rule_same_boot_single);
  g_test_add_func ("/resume-data/boot-rule/new-boot-single", test_boot_rule_new_boot_single);
  g_test_add_func ("/resume-data/boot-rule/segments", test_boot_rule_segments);
  g_test_add_func ("/resume-data/boot-rule/no-boot-id", test_boot_rule_no_boot_id);
  g_test_add_func ("/resume-data/atomic-write", test_atomic_write);
  g_test_add_func ("/resume-data/boot-id", test_boot_id);

  return g_test_run ();
}
