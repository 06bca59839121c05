/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "filename-test"

#include "config.h"

#include <string.h>

#include "haul-filename.h"
#include "haul-test-utils.h"

static void
assert_safe (const char *name)
{
  g_assert_nonnull (name);
  g_assert_null (strchr (name, '/'));
  g_assert_cmpint (name[0], !=, '.');
  g_assert_cmpuint (strlen (name), <=, HAUL_FILENAME_MAX);
  g_assert_true (g_utf8_validate (name, -1, NULL));
  for (const char *p = name; *p != '\0'; p++)
    g_assert_cmpint ((guchar) *p, >=, 0x20);
}

static void
test_sanitize_hostile (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "../../x", "x" },
    { "/etc/passwd", "passwd" },
    { "..", NULL },
    { ".", NULL },
    { "", NULL },
    { "...hidden", "hidden" },
    { ".bashrc", "bashrc" },
    { "a\nb\rc\td\x01" "e\x7f" "f", "abcdef" },
    { "C:\\Windows\\evil.exe", "evil.exe" },
    { "name. . ", "name" },
    { "report\xe2\x80\xaegpj.exe", "reportgpj.exe" },
    { "ok name.txt", "ok name.txt" },
    { "caf\xc3\xa9.txt", "caf\xc3\xa9.txt" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = haul_filename_sanitize (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
      if (out != NULL)
        assert_safe (out);
    }
}

static void
test_sanitize_invalid_utf8 (void)
{
  g_autofree char *out = haul_filename_sanitize ("bad\xff\xfe.bin");

  assert_safe (out);
  g_assert_cmpstr (out, ==, "bad.bin");
}

static void
test_sanitize_long (void)
{
  g_autoptr(GString) long_name = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *utf8_out = NULL;
  g_autoptr(GString) utf8_name = g_string_new (NULL);

  for (guint i = 0; i < 1000; i++)
    g_string_append_c (long_name, 'a' + i % 26);
  g_string_append (long_name, ".tar.gz");
  out = haul_filename_sanitize (long_name->str);
  assert_safe (out);
  g_assert_cmpuint (strlen (out), ==, HAUL_FILENAME_MAX);
  g_assert_true (g_str_has_suffix (out, ".gz"));

  /* Cutting must not split a multi-byte character. */
  for (guint i = 0; i < 500; i++)
    g_string_append (utf8_name, "\xe2\x82\xac");
  utf8_out = haul_filename_sanitize (utf8_name->str);
  assert_safe (utf8_out);
  g_assert_cmpuint (strlen (utf8_out), <=, HAUL_FILENAME_MAX);
  g_assert_cmpuint (strlen (utf8_out) % 3, ==, 0);
}

static void
test_content_disposition (void)
{
  static const struct { const char *header; const char *name; } cases[] = {
    { "attachment; filename=\"report.pdf\"", "report.pdf" },
    { "attachment; filename=plain.txt", "plain.txt" },
    { "inline; filename=\"a \\\"quoted\\\" name.txt\"", "a \"quoted\" name.txt" },
    { "attachment; filename*=UTF-8''%E2%82%AC%20rates.txt", "\xe2\x82\xac rates.txt" },
    { "attachment; filename=\"fallback.txt\"; filename*=UTF-8''%C3%A9t%C3%A9.txt", "\xc3\xa9t\xc3\xa9.txt" },
    { "attachment; filename*=iso-8859-1'en'%A3%20rates.txt", "\xc2\xa3 rates.txt" },
    { "attachment; filename=\"../../etc/passwd\"", "passwd" },
    { "attachment; filename=\"/etc/shadow\"", "shadow" },
    { "attachment; filename*=UTF-8''..%2F..%2Fevil.sh", "evil.sh" },
    { "attachment; filename=\"..\"", NULL },
    { "attachment; filename=\"a\\nb.txt\"", "anb.txt" },
    { "attachment", NULL },
    { "attachment; filename=", NULL },
    { "attachment; filename*=UTF-8''%FF%FE", NULL },
    { "attachment; filename*=KOI8-R''%C1", NULL },
    { "ATTACHMENT; FILENAME=\"upper.TXT\"", "upper.TXT" },
    { "weird-type; foo=bar; filename=ok.bin; x=\"y\"", "ok.bin" },
    { ";;;; filename", NULL },
    { "attachment; filename=\"unterminated.txt", "unterminated.txt" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = haul_filename_from_content_disposition (cases[i].header);

      g_test_message ("%s", cases[i].header);
      g_assert_cmpstr (name, ==, cases[i].name);
    }
  g_assert_null (haul_filename_from_content_disposition (NULL));
}

static void
test_content_disposition_control_chars (void)
{
  g_autofree char *name = haul_filename_from_content_disposition (
    "attachment; filename*=UTF-8''a%0Ab%1B%5B31m%7F.txt");
  g_autofree char *nul = haul_filename_from_content_disposition (
    "attachment; filename*=UTF-8''a%00b.txt; filename=\"fallback.txt\"");

  assert_safe (name);
  g_assert_cmpstr (name, ==, "ab[31m.txt");
  /* An escaped NUL makes filename* unusable; the plain filename is the fallback. */
  g_assert_cmpstr (nul, ==, "fallback.txt");
}

static void
test_from_uri (void)
{
  static const struct { const char *uri; const char *name; } cases[] = {
    { "http://example.com/dir/file.iso", "file.iso" },
    { "http://example.com/dir/file%20name.iso?x=1#frag", "file name.iso" },
    { "http://example.com/", NULL },
    { "http://example.com", NULL },
    { "http://example.com/a/%2E%2E", NULL },
    { "http://example.com/a/..%2F..%2Fpasswd", "passwd" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GUri) uri = g_uri_parse (cases[i].uri, G_URI_FLAGS_ENCODED, NULL);
      g_autofree char *name = haul_filename_from_uri (uri);

      g_assert_cmpstr (name, ==, cases[i].name);
    }
}

static void
test_choose (void)
{
  g_autoptr(GUri) uri = g_uri_parse ("http://example.com/path/x.bin", G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GUri) bare = g_uri_parse ("http://example.com/", G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *a = haul_filename_choose ("attachment; filename=cd.bin", uri);
  g_autofree char *b = haul_filename_choose (NULL, uri);
  g_autofree char *c = haul_filename_choose ("attachment; filename=\"..\"", bare);

  g_assert_cmpstr (a, ==, "cd.bin");
  g_assert_cmpstr (b, ==, "x.bin");
  g_assert_cmpstr (c, ==, "download");
}

static void
test_candidate (void)
{
  g_autofree char *a = haul_filename_candidate ("file.txt", 0);
  g_autofree char *b = haul_filename_candidate ("file.txt", 1);
  g_autofree char *c = haul_filename_candidate ("archive.tar.gz", 12);
  g_autofree char *d = haul_filename_candidate ("README", 2);
  g_autoptr(GString) long_name = g_string_new (NULL);
  g_autofree char *e = NULL;

  g_assert_cmpstr (a, ==, "file.txt");
  g_assert_cmpstr (b, ==, "file (1).txt");
  g_assert_cmpstr (c, ==, "archive.tar (12).gz");
  g_assert_cmpstr (d, ==, "README (2)");

  for (guint i = 0; i < HAUL_FILENAME_MAX - 4; i++)
    g_string_append_c (long_name, 'x');
  g_string_append (long_name, ".iso");
  e = haul_filename_candidate (long_name->str, 3);
  g_assert_cmpuint (strlen (e), <=, HAUL_FILENAME_MAX);
  g_assert_true (g_str_has_suffix (e, " (3).iso"));
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add_func ("/filename/sanitize/hostile", test_sanitize_hostile);
  g_test_add_func ("/filename/sanitize/invalid-utf8", test_sanitize_invalid_utf8);
  g_test_add_func ("/filename/sanitize/long", test_sanitize_long);
  g_test_add_func ("/filename/content-disposition/rfc6266", test_content_disposition);
  g_test_add_func ("/filename/content-disposition/control-chars", test_content_disposition_control_chars);
  g_test_add_func ("/filename/from-uri", test_from_uri);
  g_test_add_func ("/filename/choose", test_choose);
  g_test_add_func ("/filename/candidate", test_candidate);

  return g_test_run ();
}
