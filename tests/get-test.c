/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "get-test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "get-test-utils.h"
#include "haul-resume-data.h"


/* ---- plain downloads ---------------------------------------------------------------- */

static void
test_basic (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);

  g_assert_cmpint (get (f, "/files/basic.bin", NULL), ==, 0);
  assert_saved (f, "basic.bin", expected);
  g_assert_cmpuint (n_requests (f), ==, 1);
  g_assert_cmpstr (request (f, 0)->accept_encoding, ==, "identity");
  g_assert_null (request (f, 0)->range);
  g_assert_cmpstr (json_object_get_string_member (f->result, "status"), ==, "completed");
  g_assert_cmpint (json_object_get_int_member (f->result, "bytes_received"), ==, 256 * KiB);
}

static void
test_drop_resume (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 2 * MiB, 1);
  gint64 start;

  g_assert_cmpint (get (f, "/d.bin?size=2097152&drop=500000", "-s", "1", NULL), ==, 0);
  assert_saved (f, "d.bin", expected);
  g_assert_cmpuint (n_requests (f), ==, 2);
  /* The second request continued where the first stopped, guarded by the ETag. */
  g_assert_nonnull (request (f, 1)->range);
  start = g_ascii_strtoll (request (f, 1)->range + strlen ("bytes="), NULL, 10);
  g_assert_cmpint (start, >, 0);
  g_assert_cmpint (start, <=, 500000);
  g_assert_cmpstr (request (f, 1)->if_range, ==, "\"v1-2097152\"");
  g_assert_false (result_bool (f, "restarted"));
}

static void
test_no_range (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, MiB, 1);

  g_assert_cmpint (get (f, "/n.bin?size=1048576&drop=300000&norange=1", "-s", "1", NULL), ==, 0);
  assert_saved (f, "n.bin", expected);
  g_assert_true (result_bool (f, "restarted"));
  g_assert_nonnull (strstr (f->run.err, "ignored the range request; starting over"));
}

static void
test_etag_changed (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, MiB, 2);

  /* The server honours If-Range: the new version comes as a 200. */
  g_assert_cmpint (get (f, "/e.bin?size=1048576&drop=300000&change=1", "-s", "1", NULL), ==, 0);
  assert_saved (f, "e.bin", expected);
  g_assert_true (result_bool (f, "restarted"));
  g_assert_nonnull (strstr (f->run.err, "changed on the server; starting over"));
}

static void
test_etag_changed_ignored_if_range (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, MiB, 2);

  /* The server ignores If-Range and sends a 206 of the new version: never glue it on. */
  g_assert_cmpint (get (f, "/e.bin?size=1048576&drop=300000&change=1&ignore-if-range=1",
                        "-s", "1", NULL), ==, 0);
  assert_saved (f, "e.bin", expected);
  g_assert_true (result_bool (f, "restarted"));
  g_assert_nonnull (strstr (f->run.err, "changed"));
}

static void
test_wrong_content_range (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, MiB, 1);

  g_assert_cmpint (get (f, "/w.bin?size=1048576&drop=300000&badrange=1", "-s", "1", NULL), ==, 0);
  assert_saved (f, "w.bin", expected);
  g_assert_true (result_bool (f, "restarted"));
}

static void
test_416_complete (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 300 * KiB, 1);
  g_autofree char *uri = haul_test_server_uri (f->server, "/c.bin?size=307200");

  make_partial (f, "c.bin", uri, expected, 300 * KiB);
  g_assert_cmpint (get (f, "/c.bin?size=307200", "-o", owned_path (f, "c.bin"), NULL), ==, 0);
  assert_saved (f, "c.bin", expected);
  g_assert_cmpuint (n_requests (f), ==, 1);
  g_assert_cmpstr (request (f, 0)->range, ==, "bytes=307200-");
  g_assert_cmpuint (haul_test_server_bytes_sent (f->server), ==, 0);
  g_assert_false (result_bool (f, "restarted"));
}

static void
test_416_incomplete (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 300 * KiB, 1);
  g_autofree char *uri = haul_test_server_uri (f->server, "/i.bin?size=307200&force416=1");

  make_partial (f, "i.bin", uri, expected, 100 * KiB);
  g_assert_cmpint (get (f, "/i.bin?size=307200&force416=1", "-o", owned_path (f, "i.bin"), NULL), ==, 0);
  assert_saved (f, "i.bin", expected);
  g_assert_true (result_bool (f, "restarted"));
}

static void
test_503_retry_after (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);

  g_assert_cmpint (get (f, "/r.bin?status=503&times=2&retry-after=1", NULL), ==, 0);
  assert_saved (f, "r.bin", expected);
  g_assert_cmpuint (n_requests (f), ==, 3);
  /* Retry-After (1 s) wins over the 50 ms back-off given on the command line. */
  g_assert_nonnull (strstr (f->run.err, "retrying in 1.0 s"));
}

static void
test_500_gives_up (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_cmpint (get (f, "/x.bin?status=500&times=100", "--retries", "2", NULL), ==, 1);
  g_assert_cmpuint (n_requests (f), ==, 3);
  g_assert_nonnull (strstr (f->run.err, "Gave up after 3 tries"));
  g_assert_nonnull (strstr (f->run.err, "500"));
  assert_absent (f, "x.bin");
  assert_absent (f, "x.bin.part");
  assert_absent (f, "x.bin.part.json");
}

static void
test_404_fails_at_once (Fixture       *f,
                        gconstpointer  data)
{
  g_assert_cmpint (get (f, "/missing.bin?status=404", NULL), ==, 1);
  g_assert_cmpuint (n_requests (f), ==, 1);
  g_assert_nonnull (strstr (f->run.err, "404"));
  g_assert_cmpstr (json_object_get_string_member (f->result, "status"), ==, "failed");
  assert_absent (f, "missing.bin");
}

static void
test_stall (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, MiB, 1);

  g_assert_cmpint (get (f, "/s.bin?size=1048576&stall=200000", "-s", "1",
                        "--stall-timeout-ms=500", NULL), ==, 0);
  assert_saved (f, "s.bin", expected);
  g_assert_nonnull (strstr (f->run.err, "No data received"));
  g_assert_nonnull (request (f, 1)->range);
}

static void
test_short_body (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, MiB, 1);

  g_assert_cmpint (get (f, "/short.bin?size=1048576&short=1", "-s", "1", NULL), ==, 0);
  assert_saved (f, "short.bin", expected);
  g_assert_cmpuint (n_requests (f), ==, 2);
  g_assert_nonnull (request (f, 1)->range);
}

static void
test_short_body_no_retries (Fixture       *f,
                            gconstpointer  data)
{
  /* A truncated body is never success: with no retries left it fails and keeps the data. */
  g_assert_cmpint (get (f, "/short.bin?size=1048576&short=1", "-s", "1", "--retries", "0", NULL), ==, 1);
  assert_absent (f, "short.bin");
  g_assert_true (haul_test_file_exists (f->dir, "short.bin.part"));
  g_assert_true (haul_test_file_exists (f->dir, "short.bin.part.json"));

  /* Running again resumes and completes. */
  g_assert_cmpint (get (f, "/short.bin?size=1048576&short=1", "-s", "1", NULL), ==, 0);
  {
    g_autoptr(GBytes) expected = haul_test_server_content (f->server, MiB, 1);
    assert_saved (f, "short.bin", expected);
  }
  g_assert_nonnull (request (f, 1)->range);
  g_assert_cmpint (json_object_get_int_member (f->result, "resumed_from"), >, 0);
}

static void
test_chunked_dropped (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, MiB, 1);

  g_assert_cmpint (get (f, "/ch.bin?size=1048576&chunked=1&drop=400000", NULL), ==, 0);
  assert_saved (f, "ch.bin", expected);
  g_assert_cmpuint (n_requests (f), ==, 2);
  g_assert_nonnull (request (f, 1)->range);
}

static void
test_gzip_anyway (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) plain = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GInputStream) mem = g_memory_input_stream_new_from_bytes (plain);
  g_autoptr(GInputStream) conv = g_converter_input_stream_new (mem, G_CONVERTER (compressor));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) served = NULL;

  g_output_stream_splice (out, conv, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, NULL);
  served = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));

  /* Asked for identity, the server compressed anyway: the bytes it served are kept as they
   * are, like curl without --compressed, so that byte offsets stay offsets into the file. */
  g_assert_cmpint (get (f, "/g.bin?gzip=1", NULL), ==, 0);
  g_assert_cmpstr (request (f, 0)->accept_encoding, ==, "identity");
  assert_saved (f, "g.bin", served);
}

static void
test_redirect_chain (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);

  g_assert_cmpint (get (f, "/redirect/5", NULL), ==, 0);
  assert_saved (f, "data", expected);
  g_assert_cmpuint (n_requests (f), ==, 6);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (f->result, "effective_uri"),
                                   "/data"));
}

static void
test_redirect_loop (Fixture       *f,
                    gconstpointer  data)
{
  g_assert_cmpint (get (f, "/loop", NULL), ==, 1);
  g_assert_nonnull (strstr (f->run.err, "Too many redirects"));
  g_assert_cmpuint (n_requests (f), ==, 21);
  assert_absent (f, "loop");
}

static void
test_redirect_to_ftp (Fixture       *f,
                      gconstpointer  data)
{
  g_assert_cmpint (get (f, "/to-ftp", NULL), ==, 1);
  g_assert_nonnull (strstr (f->run.err, "unsupported"));
  assert_absent (f, "file");
}

static void
test_hostile_content_disposition (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autofree char *parent = g_path_get_dirname (f->dir);
  g_autofree char *escaped = g_build_filename (parent, "evil.sh", NULL);

  g_assert_cmpint (get (f, "/h?cd=attachment%3B%20filename%3D%22..%2F..%2Fevil.sh%22", NULL), ==, 0);
  assert_saved (f, "evil.sh", expected);
  g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));

  g_assert_cmpint (get (f, "/h2?cd=attachment%3B%20filename%2A%3DUTF-8%27%27%25E2%2582%25AC%2520rates.txt",
                        NULL), ==, 0);
  assert_saved (f, "\xe2\x82\xac rates.txt", expected);

  /* Control characters and a leading dot are removed. */
  g_assert_cmpint (get (f, "/h3?cd=attachment%3B%20filename%3D%22.hid%01den%22", NULL), ==, 0);
  assert_saved (f, "hidden", expected);
}

static void
test_https_self_signed (Fixture       *f,
                        gconstpointer  data)
{
  /* A slow handshake (sanitizers) must not pass for a stall: give it the real 30 s. */
  g_assert_cmpint (get (f, "/secret.bin", "--stall-timeout-ms=30000", NULL), ==, 1);
  g_assert_cmpuint (n_requests (f), ==, 0);
  g_assert_nonnull (f->run.err);
  g_test_message ("%s", f->run.err);
  assert_absent (f, "secret.bin");
  assert_absent (f, "secret.bin.part");
  g_assert_false (strstr (f->run.err, "retrying") != NULL);
  g_assert_nonnull (strstr (f->run.err, "TLS"));
}

static void
test_slow_drip_limit (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 160 * KiB, 1);
  gint64 start = g_get_monotonic_time ();
  double seconds;

  /* The server drips at 200 kB/s; the client is limited to 64 KiB/s. */
  g_assert_cmpint (get (f, "/slow.bin?size=163840&drip=200000", "--limit-rate", "64k", NULL), ==, 0);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  assert_saved (f, "slow.bin", expected);
  g_test_message ("160 KiB at 64 KiB/s took %.2f s", seconds);
  /* A lower bound only: the limit must hold back the transfer (2.5 s at the limit, less
   * the first burst of the bucket). */
  g_assert_cmpfloat (seconds, >=, 2.0);
}

/* ---- files already there ------------------------------------------------------------ */

static void
test_existing_file (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autofree char *path = in_dir (f, "exists.bin");
  g_autofree char *contents = NULL;

  g_assert_true (g_file_set_contents (path, "mine", -1, NULL));

  /* -o never overwrites without --overwrite. One request tells that the file in place is
   * not the server's (its size and date differ); no body is taken. */
  g_assert_cmpint (get (f, "/exists.bin", "-o", path, NULL), ==, 1);
  g_assert_nonnull (strstr (f->run.err, "--overwrite"));
  g_assert_nonnull (strstr (f->run.err, "is not the file on the server"));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "mine");
  g_assert_cmpuint (n_requests (f), ==, 1);
  assert_absent (f, "exists.bin.part");
  assert_absent (f, "exists.bin.part.json");

  /* A name from the server gets a number instead. */
  g_assert_cmpint (get (f, "/exists.bin", NULL), ==, 0);
  assert_saved (f, "exists (1).bin", expected);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "mine");

  g_assert_cmpint (get (f, "/exists.bin", "-o", path, "--overwrite", NULL), ==, 0);
  assert_saved (f, "exists.bin", expected);
}

static void
test_symlink_destination (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *victim = in_dir (f, "victim");
  g_autofree char *link = in_dir (f, "link.bin.part");
  g_autofree char *contents = NULL;

  /* A symlink where the .part would go is not followed. */
  g_assert_true (g_file_set_contents (victim, "keep", -1, NULL));
  g_assert_cmpint (symlink (victim, link), ==, 0);
  g_assert_cmpint (get (f, "/link.bin", "-o", owned_path (f, "link.bin"), NULL), ==, 1);
  g_assert_true (g_file_get_contents (victim, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep");
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
}

static void
test_untrusted_part (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autofree char *part = in_dir (f, "u.bin.part");
  g_autofree char *json = in_dir (f, "u.bin.part.json");
  g_autofree char *contents = NULL;

  /* A .part without resume data is not ours to append to, to truncate or to delete, not
   * even with --overwrite (which is about FILE); the person is told what to do. */
  g_assert_true (g_file_set_contents (part, "someone else's", -1, NULL));
  g_assert_cmpint (get (f, "/u.bin", "-o", owned_path (f, "u.bin"), NULL), ==, 1);
  g_assert_nonnull (strstr (f->run.err, "move it away or delete it"));
  g_assert_true (g_file_get_contents (part, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "someone else's");
  g_assert_cmpint (get (f, "/u.bin", "-o", owned_path (f, "u.bin"), "--overwrite", NULL), ==, 1);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (part, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "someone else's");

  /* Nor with damaged resume data. */
  g_assert_true (g_file_set_contents (json, "{\"version\": 1, \"uri\": tru", -1, NULL));
  g_assert_cmpint (get (f, "/u.bin", "-o", owned_path (f, "u.bin"), NULL), ==, 1);
  g_assert_nonnull (strstr (f->run.err, "damaged"));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (part, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "someone else's");
  g_assert_true (haul_test_file_exists (f->dir, "u.bin.part.json"));
  g_assert_cmpuint (n_requests (f), ==, 0);

  /* Once the person moved them away, the download goes. */
  g_assert_cmpint (g_unlink (part), ==, 0);
  g_assert_cmpint (g_unlink (json), ==, 0);
  g_assert_cmpint (get (f, "/u.bin", "-o", owned_path (f, "u.bin"), NULL), ==, 0);
  assert_saved (f, "u.bin", expected);
}

static void
test_sha256 (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autofree char *good = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, expected);
  g_autofree char *upper = g_ascii_strup (good, -1);
  const char *bad = "0000000000000000000000000000000000000000000000000000000000000000";

  g_assert_cmpint (get (f, "/bad.bin", "--sha256", bad, NULL), ==, 1);
  g_assert_nonnull (strstr (f->run.err, "SHA-256 mismatch"));
  g_assert_nonnull (strstr (f->run.err, "delete it to download again"));
  assert_absent (f, "bad.bin");

  /* Once the bad data is deleted, the right checksum gets the file. */
  {
    g_autofree char *part = in_dir (f, "bad.bin.part");
    g_autofree char *json = in_dir (f, "bad.bin.part.json");

    g_assert_cmpint (g_unlink (part), ==, 0);
    g_assert_cmpint (get (f, "/bad.bin", "--sha256", good, NULL), ==, 0);
    assert_saved (f, "bad.bin", expected);
    g_assert_false (g_file_test (json, G_FILE_TEST_EXISTS));
  }

  g_assert_cmpint (get (f, "/good.bin", "--sha256", upper, NULL), ==, 0);
  assert_saved (f, "good.bin", expected);
  g_assert_true (result_bool (f, "sha256_verified"));
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *uri = haul_test_server_uri (f->server, "/ok.bin");
  const char *cases[][6] = {
    { "get", NULL },
    { "get", "not a url", NULL },
    { "get", "ftp://127.0.0.1/file", NULL },
    { "get", "file:///etc/passwd", NULL },
    { "get", "http://", NULL },
    { "get", uri, "-s", "0", NULL },
    { "get", uri, "-s", "17", NULL },
    { "get", uri, "--sha256", "abc", NULL },
    { "get", uri, "--limit-rate", "fast", NULL },
    { "get", uri, "-H", "Range: bytes=5-", NULL },
    { "get", uri, "-H", "no colon", NULL },
    { "get", uri, "-o", "..", NULL },
    { "get", uri, "-d", "/nonexistent/dir", NULL },
    { "get", uri, "--retries", "-1", NULL },
    { "get", uri, "--bogus-option", NULL },
    { "frobnicate", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(HaulTestRun) run = { 0 };

      haul_test_run_haulctl_argv (&run, cases[i]);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpuint (strlen (run.err), >, 0);
    }

  {
    /* A very long URL is refused, not sent. */
    g_autoptr(GString) long_uri = g_string_new (uri);
    g_auto(HaulTestRun) run = { 0 };

    g_string_append (long_uri, "?q=");
    for (guint i = 0; i < 9000; i++)
      g_string_append_c (long_uri, 'a');
    haul_test_run_haulctl (&run, "get", long_uri->str, NULL);
    g_assert_cmpint (run.status, ==, 2);
  }
  g_assert_cmpuint (n_requests (f), ==, 0);
}

static void
test_headers (Fixture       *f,
              gconstpointer  data)
{
  g_assert_cmpint (get (f, "/hdr.bin", "-H", "X-Test-Token: s3cret", NULL), ==, 0);
  g_assert_cmpstr (request (f, 0)->user_header, ==, "s3cret");
}

/* A header given for a download goes with every request, libsoup's own User-Agent not
 * put over it; credentials only to the download's own site. */
static void
test_headers_follow (Fixture       *f,
                     gconstpointer  data)
{
  g_assert_cmpint (get (f, "/redirect/1", "-H", "Cookie: session=s3cret", "-H",
                        "User-Agent: Browser/1", "-H", "X-Test-Token: t", NULL), ==, 0);
  g_assert_cmpuint (n_requests (f), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpstr (request (f, i)->cookie, ==, "session=s3cret");
      g_assert_cmpstr (request (f, i)->user_agent, ==, "Browser/1");
      g_assert_cmpstr (request (f, i)->user_header, ==, "t");
    }
  g_assert_cmpint (get (f, "/to-other-host", "-H", "Cookie: session=s3cret", "-H",
                        "Authorization: Bearer x", "-H", "X-Test-Token: t", "-o",
                        owned_path (f, "other.bin"), NULL), ==, 0);
  g_assert_cmpuint (n_requests (f), ==, 4);
  g_assert_cmpstr (request (f, 2)->path, ==, "/to-other-host");
  g_assert_cmpstr (request (f, 2)->cookie, ==, "session=s3cret");
  g_assert_cmpstr (request (f, 3)->path, ==, "/data");
  g_assert_null (request (f, 3)->cookie);
  g_assert_cmpstr (request (f, 3)->user_header, ==, "t");
  /* Without a User-Agent of its own, a request says it is Haul. */
  g_assert_true (g_str_has_prefix (request (f, 3)->user_agent, "Haul/"));
}

/* ---- segments ----------------------------------------------------------------------- */

static void
test_segmented (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 20 * MiB, 1);
  guint ranged = 0;

  g_assert_cmpint (get (f, "/seg.bin?size=20971520", "-s", "4", NULL), ==, 0);
  assert_saved (f, "seg.bin", expected);
  for (guint i = 0; i < n_requests (f); i++)
    ranged += request (f, i)->range != NULL;
  g_assert_cmpuint (ranged, >=, 3);
}

static void
test_segmented_single (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 20 * MiB, 1);

  g_assert_cmpint (get (f, "/seg1.bin?size=20971520", "-s", "1", NULL), ==, 0);
  assert_saved (f, "seg1.bin", expected);
  g_assert_cmpuint (n_requests (f), ==, 1);
}

static void
test_segmented_drops (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 24 * MiB, 1);

  /* The first five connections break after 1 MB each. */
  g_assert_cmpint (get (f, "/segd.bin?size=25165824&drop=1000000&faults=5", "-s", "8", NULL), ==, 0);
  assert_saved (f, "segd.bin", expected);
  g_assert_false (result_bool (f, "restarted"));
}

static void
test_small_file_not_segmented (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 8 * MiB, 1);

  g_assert_cmpint (get (f, "/small.bin?size=8388608", "-s", "8", NULL), ==, 0);
  assert_saved (f, "small.bin", expected);
  g_assert_cmpuint (n_requests (f), ==, 1);
}

static void
test_buffered_io (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 20 * MiB, 1);

  /* The ordinary write path, used where a file system refuses O_DIRECT. */
  g_setenv ("HAUL_NO_DIRECT_IO", "1", TRUE);
  g_assert_cmpint (get (f, "/buf.bin?size=20971520&drop=3000000&faults=3", "-s", "4", NULL), ==, 0);
  g_unsetenv ("HAUL_NO_DIRECT_IO");
  assert_saved (f, "buf.bin", expected);
}

static void
test_proxy_from_environment (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autofree char *proxy = haul_test_server_uri (f->server, "/");
  g_auto(HaulTestRun) run = { 0 };
  g_autofree char *out = in_dir (f, "proxied.bin");

  /* The host does not exist: only the proxy (the test server) can answer. */
  g_setenv ("http_proxy", proxy, TRUE);
  haul_test_run_haulctl (&run, "get", "http://haul-proxy-test.invalid/proxied.bin", "-o", out, NULL);
  g_assert_cmpint (run.status, ==, 0);
  haul_test_assert_file_equals (out, expected);
  g_assert_cmpstr (request (f, 0)->path, ==, "/proxied.bin");

  /* A proxy that refuses connections, and no_proxy for the test server: direct. */
  g_setenv ("http_proxy", "http://127.0.0.1:1/", TRUE);
  g_setenv ("no_proxy", "localhost, 127.0.0.1", TRUE);
  g_assert_cmpint (get (f, "/direct.bin", "--retries", "0", NULL), ==, 0);
  g_unsetenv ("no_proxy");
  g_unsetenv ("http_proxy");
  assert_saved (f, "direct.bin", expected);
  g_assert_cmpstr (request (f, 1)->path, ==, "/direct.bin");
}

static void
test_no_desktop (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_auto(HaulTestRun) run = { 0 };
  g_autofree char *uri = haul_test_server_uri (f->server, "/plain.bin");
  g_autofree char *home = g_strdup (g_getenv ("HOME"));
  const char *vars[] = { "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "XDG_CACHE_HOME",
                         "XDG_CONFIG_HOME", "GSETTINGS_BACKEND", "GSETTINGS_SCHEMA_DIR",
                         "GIO_USE_PROXY_RESOLVER", "G_DEBUG" };
  g_autoptr(GPtrArray) saved = g_ptr_array_new_with_free_func (g_free);

  /* Like curl: no session bus, no settings, a home it cannot write; and not a word on
   * stderr about any of it. */
  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      g_ptr_array_add (saved, g_strdup (g_getenv (vars[i])));
      g_unsetenv (vars[i]);
    }
  g_setenv ("HOME", "/nonexistent", TRUE);
  haul_test_run_haulctl (&run, "get", uri, "-d", f->dir, "--quiet", NULL);
  g_setenv ("HOME", home, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      if (g_ptr_array_index (saved, i) != NULL)
        g_setenv (vars[i], g_ptr_array_index (saved, i), TRUE);
    }

  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  assert_saved (f, "plain.bin", expected);
}

/* ---- resuming across runs ----------------------------------------------------------- */

static void
test_refreshed_url (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, MiB, 1);
  g_autoptr(GBytes) other = haul_test_server_content (f->server, MiB, 2);
  g_autofree char *out = in_dir (f, "same.bin");

  /* The first link breaks and the run gives up, keeping the partial data. */
  g_assert_cmpint (get (f, "/old-link?size=1048576&short=1", "-o", out, "--retries", "0",
                        "-s", "1", NULL), ==, 1);
  g_assert_true (haul_test_file_exists (f->dir, "same.bin.part"));

  /* A fresh link to the same file (same size and ETag) continues the partial data, when
   * the person says it is one (--same-file). */
  g_assert_cmpint (get (f, "/new-link?size=1048576", "-o", out, "-s", "1", "--same-file", NULL), ==, 0);
  assert_saved (f, "same.bin", expected);
  g_assert_false (result_bool (f, "restarted"));
  g_assert_cmpint (json_object_get_int_member (f->result, "resumed_from"), >, 0);

  /* A link to a different file starts over, and says so. */
  g_assert_cmpint (get (f, "/old-link-2?size=1048576&short=1", "-o", owned_path (f, "diff.bin"),
                        "--retries", "0", "-s", "1", NULL), ==, 1);
  g_assert_cmpint (get (f, "/other-file?size=1048576&variant=2", "-o", owned_path (f, "diff.bin"),
                        "-s", "1", NULL), ==, 0);
  assert_saved (f, "diff.bin", other);
  g_assert_true (result_bool (f, "restarted"));
  g_assert_nonnull (strstr (f->run.err, "starting over"));
}

static void
test_rerun_without_name (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, MiB, 1);

  /* Without -o the next run finds the resume data by its URL. */
  g_assert_cmpint (get (f, "/again.bin?size=1048576&short=1", "--retries", "0", "-s", "1", NULL), ==, 1);
  g_assert_cmpint (get (f, "/again.bin?size=1048576&short=1", "-s", "1", NULL), ==, 0);
  assert_saved (f, "again.bin", expected);
  assert_absent (f, "again (1).bin");
  g_assert_cmpint (json_object_get_int_member (f->result, "resumed_from"), >, 0);
}

static void
test_interrupt_saves (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 2 * MiB, 1);
  g_autofree char *uri = haul_test_server_uri (f->server, "/int.bin?size=2097152&drip=400000");
  g_autofree char *part = in_dir (f, "int.bin.part");
  const char *argv[] = { "get", uri, "-d", f->dir, "-s", "1", NULL };
  g_autoptr(GSubprocess) proc = haul_test_signal_when_part_grows (argv, part, 100000, SIGINT);

  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  g_assert_true (haul_test_file_exists (f->dir, "int.bin.part.json"));

  g_assert_cmpint (get (f, "/int.bin?size=2097152&drip=400000", "-s", "1", NULL), ==, 0);
  assert_saved (f, "int.bin", expected);
  g_assert_cmpint (json_object_get_int_member (f->result, "resumed_from"), >, 100000);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, GINT_TO_POINTER (FALSE), fixture_setup, func, fixture_teardown)

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  ADD ("/get/basic", test_basic);
  ADD ("/get/drop-resume", test_drop_resume);
  ADD ("/get/no-range", test_no_range);
  ADD ("/get/etag-changed", test_etag_changed);
  ADD ("/get/etag-changed-if-range-ignored", test_etag_changed_ignored_if_range);
  ADD ("/get/wrong-content-range", test_wrong_content_range);
  ADD ("/get/416-complete", test_416_complete);
  ADD ("/get/416-incomplete", test_416_incomplete);
  ADD ("/get/503-retry-after", test_503_retry_after);
  ADD ("/get/500-gives-up", test_500_gives_up);
  ADD ("/get/404", test_404_fails_at_once);
  ADD ("/get/stall", test_stall);
  ADD ("/get/short-body", test_short_body);
  ADD ("/get/short-body-no-retries", test_short_body_no_retries);
  ADD ("/get/chunked-dropped", test_chunked_dropped);
  ADD ("/get/gzip-anyway", test_gzip_anyway);
  ADD ("/get/redirect-chain", test_redirect_chain);
  ADD ("/get/redirect-loop", test_redirect_loop);
  ADD ("/get/redirect-to-ftp", test_redirect_to_ftp);
  ADD ("/get/headers-follow", test_headers_follow);
  ADD ("/get/hostile-content-disposition", test_hostile_content_disposition);
  g_test_add ("/get/https-self-signed", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_https_self_signed, fixture_teardown);
  ADD ("/get/slow-drip-limit", test_slow_drip_limit);
  ADD ("/get/existing-file", test_existing_file);
  ADD ("/get/symlink-destination", test_symlink_destination);
  ADD ("/get/untrusted-part", test_untrusted_part);
  ADD ("/get/sha256", test_sha256);
  ADD ("/get/bad-input", test_bad_input);
  ADD ("/get/headers", test_headers);
  ADD ("/get/segmented", test_segmented);
  ADD ("/get/segmented-single", test_segmented_single);
  ADD ("/get/segmented-drops", test_segmented_drops);
  ADD ("/get/small-file-not-segmented", test_small_file_not_segmented);
  ADD ("/get/buffered-io", test_buffered_io);
  ADD ("/get/proxy-from-environment", test_proxy_from_environment);
  ADD ("/get/no-desktop", test_no_desktop);
  ADD ("/get/refreshed-url", test_refreshed_url);
  ADD ("/get/rerun-without-name", test_rerun_without_name);
  ADD ("/get/interrupt-saves", test_interrupt_saves);

  return g_test_run ();
}
