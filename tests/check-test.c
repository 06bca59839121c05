/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "check-test"

#include "config.h"

#include <string.h>

#include "haul-check.h"
#include "haul-error.h"
#include "haul-test-utils.h"

/* What no request may be built from, and what may. */
static void
test_uri (void)
{
  static const struct {
    const char *uri;
    int         code;   /* -1: accepted */
  } cases[] = {
    { "http://example.org/file.iso", -1 },
    { "HTTPS://Example.org:8443/a%20b?x=1#top", -1 },
    { "http://[::1]:8080/x", -1 },
    { "http://user:secret@example.org/", -1 },
    { "http://example.org/a b", -1 },
    { "http://example.org/\xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb", -1 },
    { "", HAUL_ERROR_INVALID_URI },
    { "file:///etc/passwd", HAUL_ERROR_UNSUPPORTED_SCHEME },
    { "ftp://example.org/file", HAUL_ERROR_UNSUPPORTED_SCHEME },
    { "javascript:alert(1)", HAUL_ERROR_UNSUPPORTED_SCHEME },
    { "http://[::1", HAUL_ERROR_INVALID_URI },
    { "http://example.org:0/", HAUL_ERROR_INVALID_URI },
    { "http://example.org:99999/", HAUL_ERROR_INVALID_URI },
    { "http://exa mple.org/", HAUL_ERROR_INVALID_URI },
    { "http://exa\tmple.org/", HAUL_ERROR_INVALID_URI },
    { "http://exa%20mple.org/", HAUL_ERROR_INVALID_URI },
    { "http://exa%0ample.org/", HAUL_ERROR_INVALID_URI },
    { "http://example.org/a?b=\x01", HAUL_ERROR_INVALID_URI },
    { "http://example.org/a\r\nX-Injected: 1", HAUL_ERROR_INVALID_URI },
    { "http://example.org/\x7f", HAUL_ERROR_INVALID_URI },
    { "http:///no-host", HAUL_ERROR_INVALID_URI },
    { "http://example.org/\xff\xfe", HAUL_ERROR_INVALID_URI },
    { "not a url", HAUL_ERROR_INVALID_URI },
  };
  g_autofree char *long_uri = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean ok = haul_check_uri (cases[i].uri, &error);
      g_autofree char *shown = g_strescape (cases[i].uri, NULL);

      g_test_message ("%s: %s", shown, error != NULL ? error->message : "ok");
      if (cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_error (error, HAUL_ERROR, cases[i].code);
          g_assert_false (ok);
          /* The message quotes nothing that would upset a terminal. */
          for (const char *p = error->message; *p != '\0'; p++)
            g_assert_cmpuint ((guchar) *p, >=, 0x20);
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
        }
      g_clear_error (&error);
    }

  long_uri = g_strdup_printf ("http://example.org/%0*d", HAUL_URI_MAX_LENGTH, 0);
  g_assert_false (haul_check_uri (long_uri, &error));
  g_assert_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_URI);
}

static void
test_guri (void)
{
  g_autoptr(GUri) zero = g_uri_parse ("https://example.org:0/", G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GUri) ok = g_uri_parse ("https://example.org/", G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GUri) space = g_uri_parse ("http://ho%20st/", G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (haul_check_guri (ok, &error));
  g_assert_no_error (error);
  g_assert_false (haul_check_guri (zero, &error));
  g_assert_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_URI);
  g_clear_error (&error);
  g_assert_false (haul_check_guri (space, &error));
  g_assert_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_URI);
}

static void
test_header (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;

  g_assert_true (haul_check_header ("Authorization", "Bearer x", &error));
  g_assert_true (haul_check_header ("X-Empty", "", &error));
  g_assert_true (haul_check_header ("X-Tab", "a\tb", &error));
  g_assert_no_error (error);

  /* A name with a colon would be sent as "X: Y: v". */
  g_assert_false (haul_check_header ("X: Y", "v", &error));
  g_assert_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (haul_check_header ("", "v", &error));
  g_clear_error (&error);
  g_assert_false (haul_check_header ("Bad Name", "v", &error));
  g_clear_error (&error);
  g_assert_false (haul_check_header ("X\nY", "v", &error));
  g_clear_error (&error);
  g_assert_false (haul_check_header ("X-A", "b\r\nInjected: 1", &error));
  g_clear_error (&error);
  g_assert_false (haul_check_header ("X-A", "b\x7f", &error));
  g_clear_error (&error);
  g_assert_false (haul_check_header ("Range", "bytes=0-", &error));
  g_clear_error (&error);
  g_assert_false (haul_check_header ("TRANSFER-ENCODING", "chunked", &error));
  g_clear_error (&error);

  g_assert_true (haul_check_header_line ("Authorization:  Bearer x \t", &name, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "Authorization");
  g_assert_cmpstr (value, ==, "Bearer x");
  g_assert_true (haul_check_header_line ("X-Time: 12:30", NULL, NULL, &error));
  g_assert_false (haul_check_header_line ("No colon", NULL, NULL, &error));
  g_clear_error (&error);
  g_assert_false (haul_check_header_line (": empty", NULL, NULL, &error));
  g_clear_error (&error);
  g_assert_false (haul_check_header_line ("Range: bytes=0-", NULL, NULL, &error));
  g_clear_error (&error);

  {
    const char * const good[] = { "A: 1", "B: 2", NULL };
    const char * const bad[] = { "A: 1", "B\x01: 2", NULL };

    g_assert_true (haul_check_header_lines (good, &error));
    g_assert_true (haul_check_header_lines (NULL, &error));
    g_assert_false (haul_check_header_lines (bad, &error));
    g_assert_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_file_name (void)
{
  static const char * const bad[] = {
    "", ".", "..", "../victim/out", "a/b", "/etc/passwd", ".hidden", "trailing.",
    "back\\slash", "ctl\x01", "bidi\xe2\x80\xae" "gpj.exe",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *too_long = g_strnfill (300, 'x');

  g_assert_true (haul_check_file_name ("report (1).pdf", -1, &error));
  g_assert_true (haul_check_file_name ("\xe6\x96\x87\xe4\xbb\xb6.txt", -1, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (haul_check_file_name (bad[i], -1, &error));
      g_assert_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  g_assert_false (haul_check_file_name (too_long, -1, &error));
  g_clear_error (&error);
  /* A NUL inside, as D-Bus may carry it in bytes. */
  g_assert_false (haul_check_file_name ("a\0b", 3, &error));
  g_clear_error (&error);
}

static void
test_other (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (haul_check_sha256 ("0F343B0931126A20F133D67C2B018A3B5E0A6B2D3C41E5E0A6C3F1A3F1D2C3B4", &error));
  g_assert_false (haul_check_sha256 ("0f34", &error));
  g_clear_error (&error);
  g_assert_false (haul_check_sha256 ("zz343b0931126a20f133d67c2b018a3b5e0a6b2d3c41e5e0a6c3f1a3f1d2c3b4", &error));
  g_clear_error (&error);

  g_assert_true (haul_check_segments (1, &error));
  g_assert_true (haul_check_segments (HAUL_MAX_SEGMENTS, &error));
  g_assert_false (haul_check_segments (0, &error));
  g_clear_error (&error);
  g_assert_false (haul_check_segments (HAUL_MAX_SEGMENTS + 1, &error));
  g_clear_error (&error);
  g_assert_false (haul_check_segments (-1, &error));
  g_clear_error (&error);

  g_assert_true (haul_check_directory ("/home/me/Downloads", &error));
  g_assert_false (haul_check_directory ("relative/dir", &error));
  g_clear_error (&error);
  g_assert_false (haul_check_directory ("/tmp/a\nb", &error));
  g_clear_error (&error);
  g_assert_false (haul_check_directory ("/tmp/\xff", &error));
  g_clear_error (&error);
}

static void
test_find_uris (void)
{
  struct { const char *text; const char *found[4]; } cases[] = {
    { "https://example.org/a.iso", { "https://example.org/a.iso" } },
    { "  http://example.org/a\nhttps://example.org/b\r\n\n", { "http://example.org/a", "https://example.org/b" } },
    { "Get it at <https://example.org/a.iso>, or (https://example.org/b.iso).",
      { "https://example.org/a.iso", "https://example.org/b.iso" } },
    { "https://en.wikipedia.org/wiki/Tar_(computing)", { "https://en.wikipedia.org/wiki/Tar_(computing)" } },
    { "HTTPS://EXAMPLE.ORG/x https://example.org/y https://example.org/y", { "HTTPS://EXAMPLE.ORG/x", "https://example.org/y" } },
    /* Not links Haul takes: other schemes, broken ones, none at all. */
    { "ftp://example.org/a file:///etc/passwd http:// https://[::1/x", { NULL } },
    { "just some words", { NULL } },
    { "", { NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) found = haul_find_uris (cases[i].text);

      g_assert_cmpstrv ((const char * const *) found, cases[i].found);
    }
  {
    g_auto(GStrv) found = haul_find_uris (NULL);
    g_assert_cmpuint (g_strv_length (found), ==, 0);
  }
  {
    g_auto(GStrv) found = haul_find_uris ("https://example.org/\xff");
    g_assert_cmpuint (g_strv_length (found), ==, 0);
  }
}

static void
test_download_directory (void)
{
  g_autofree char *set = haul_download_directory ("/srv/downloads");
  g_autofree char *empty = haul_download_directory ("");
  g_autofree char *relative = haul_download_directory ("downloads");
  g_autofree char *none = haul_download_directory (NULL);
  const char *xdg = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  const char *fallback = xdg != NULL ? xdg : g_get_home_dir ();

  g_assert_cmpstr (set, ==, "/srv/downloads");
  /* Empty or not a folder's path: the XDG download folder, else home. */
  g_assert_cmpstr (empty, ==, fallback);
  g_assert_cmpstr (relative, ==, fallback);
  g_assert_cmpstr (none, ==, fallback);
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add_func ("/check/uri", test_uri);
  g_test_add_func ("/check/guri", test_guri);
  g_test_add_func ("/check/header", test_header);
  g_test_add_func ("/check/file-name", test_file_name);
  g_test_add_func ("/check/other", test_other);
  g_test_add_func ("/check/find-uris", test_find_uris);
  g_test_add_func ("/check/download-directory", test_download_directory);

  return g_test_run ();
}
