/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-filename"

#include "config.h"

#include <string.h>

#include "haul-filename.h"

/* Cuts @s to at most @max bytes without splitting a UTF-8 sequence. */
static void
truncate_utf8 (GString *s,
               gsize    max)
{
  const char *end;

  if (s->len <= max)
    return;

  end = s->str + max;
  while (end > s->str && (((guchar) *end) & 0xC0) == 0x80)
    end--;
  g_string_truncate (s, end - s->str);
}

/* Splits @name into stem and extension ("archive.tar.gz" keeps ".gz"); a name whose only
 * dot is the first character, or whose extension is long or odd, has no extension. */
static const char *
find_extension (const char *name)
{
  const char *dot = strrchr (name, '.');

  if (dot == NULL || dot == name || strlen (dot) > 16 || strchr (dot, ' ') != NULL)
    return NULL;
  return dot;
}

/**
 * haul_filename_sanitize:
 * @name: a name proposed by a server, a URL or a user
 *
 * Reduces @name to a basename that is safe to create in a download directory: what
 * follows the last `/` or `\`, valid UTF-8 without control characters, no leading dots
 * or spaces, no trailing spaces or dots, and at most %HAUL_FILENAME_MAX bytes with the
 * extension kept.
 *
 * Returns: (transfer full) (nullable): the safe name, or %NULL when nothing usable is left
 */
char *
haul_filename_sanitize (const char *name)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) out = NULL;
  const char *base;
  const char *ext;

  if (name == NULL)
    return NULL;

  valid = g_utf8_make_valid (name, -1);

  base = valid;
  for (const char *p = valid; *p != '\0'; p++)
    {
      if (*p == '/' || *p == '\\')
        base = p + 1;
    }

  out = g_string_new (NULL);
  for (const char *p = base; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* Control characters (C0, DEL, C1) and the bidi overrides that disguise extensions. */
      if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) ||
          c == 0x202E || c == 0x202D || c == 0x2066 || c == 0x2067 || c == 0x2068 ||
          c == 0xFFFD)
        continue;
      g_string_append_unichar (out, c);
    }

  while (out->len > 0 && (out->str[0] == '.' || out->str[0] == ' '))
    g_string_erase (out, 0, 1);
  while (out->len > 0 && (out->str[out->len - 1] == ' ' || out->str[out->len - 1] == '.'))
    g_string_truncate (out, out->len - 1);

  if (out->len == 0)
    return NULL;

  if (out->len > HAUL_FILENAME_MAX)
    {
      ext = find_extension (out->str);
      if (ext != NULL)
        {
          g_autofree char *ext_copy = g_strdup (ext);

          g_string_truncate (out, ext - out->str);
          truncate_utf8 (out, HAUL_FILENAME_MAX - strlen (ext_copy));
          g_string_append (out, ext_copy);
        }
      else
        truncate_utf8 (out, HAUL_FILENAME_MAX);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static const char *
skip_ws (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* Reads a token or a quoted-string at @p; returns the position after it. */
static const char *
parse_value (const char  *p,
             char       **value)
{
  GString *s = g_string_new (NULL);

  if (*p == '"')
    {
      p++;
      while (*p != '\0' && *p != '"')
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          g_string_append_c (s, *p++);
        }
      if (*p == '"')
        p++;
    }
  else
    {
      /* Unquoted values with spaces are common in the wild; take everything up to ';'. */
      while (*p != '\0' && *p != ';')
        g_string_append_c (s, *p++);
      while (s->len > 0 && (s->str[s->len - 1] == ' ' || s->str[s->len - 1] == '\t'))
        g_string_truncate (s, s->len - 1);
    }

  *value = g_string_free (s, FALSE);
  return p;
}

/* Decodes an RFC 5987 ext-value: charset'language'percent-encoded. */
static char *
decode_ext_value (const char *value)
{
  const char *q1 = strchr (value, '\'');
  const char *q2;
  g_autofree char *charset = NULL;
  g_autofree char *raw = NULL;

  if (q1 == NULL)
    return NULL;
  q2 = strchr (q1 + 1, '\'');
  if (q2 == NULL)
    return NULL;

  charset = g_ascii_strdown (value, q1 - value);
  raw = g_uri_unescape_string (q2 + 1, NULL);
  if (raw == NULL)
    return NULL;

  if (g_str_equal (charset, "utf-8"))
    return g_utf8_validate (raw, -1, NULL) ? g_steal_pointer (&raw) : NULL;
  if (g_str_equal (charset, "iso-8859-1"))
    return g_convert (raw, -1, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
  return NULL;
}

/**
 * haul_filename_from_content_disposition:
 * @header: (nullable): the value of a `Content-Disposition` header
 *
 * Parses @header as RFC 6266 does, preferring `filename*` (RFC 5987, UTF-8 or
 * ISO-8859-1) over `filename`, and sanitizes the result.
 *
 * Returns: (transfer full) (nullable): a safe basename, or %NULL
 */
char *
haul_filename_from_content_disposition (const char *header)
{
  g_autofree char *plain = NULL;
  g_autofree char *extended = NULL;
  const char *p;

  if (header == NULL)
    return NULL;

  /* The disposition type ("attachment", "inline", or unknown, which RFC 6266 says to
   * treat as attachment) is not needed to pick a name. */
  p = strchr (header, ';');
  while (p != NULL && *p == ';')
    {
      const char *name_start;
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      p = skip_ws (p + 1);
      name_start = p;
      while (*p != '\0' && *p != '=' && *p != ';')
        p++;
      name = g_ascii_strdown (name_start, p - name_start);
      g_strstrip (name);
      if (*p != '=')
        continue;
      p = parse_value (skip_ws (p + 1), &value);
      p = skip_ws (p);

      if (extended == NULL && g_str_equal (name, "filename*"))
        extended = decode_ext_value (value);
      else if (plain == NULL && g_str_equal (name, "filename"))
        plain = g_steal_pointer (&value);

      /* Skip junk up to the next parameter. */
      while (*p != '\0' && *p != ';')
        p++;
    }

  if (extended != NULL)
    {
      char *safe = haul_filename_sanitize (extended);

      if (safe != NULL)
        return safe;
    }
  return haul_filename_sanitize (plain);
}

/**
 * haul_filename_from_uri:
 * @uri: a URL
 *
 * Returns: (transfer full) (nullable): the sanitized, unescaped last path segment
 */
char *
haul_filename_from_uri (GUri *uri)
{
  const char *path;
  const char *slash;
  g_autofree char *unescaped = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  path = g_uri_get_path (uri);
  slash = strrchr (path, '/');
  if (slash != NULL)
    path = slash + 1;
  if (*path == '\0')
    return NULL;

  unescaped = g_uri_unescape_string (path, NULL);
  return haul_filename_sanitize (unescaped != NULL ? unescaped : path);
}

/**
 * haul_filename_choose:
 * @content_disposition: (nullable): the `Content-Disposition` header of the response
 * @final_uri: the URL after redirects
 *
 * Returns: (transfer full): the name from the header, else from the URL, else "download"
 */
char *
haul_filename_choose (const char *content_disposition,
                      GUri       *final_uri)
{
  char *name = haul_filename_from_content_disposition (content_disposition);

  if (name == NULL && final_uri != NULL)
    name = haul_filename_from_uri (final_uri);
  if (name == NULL)
    name = g_strdup ("download");
  return name;
}

/**
 * haul_filename_candidate:
 * @name: a safe basename
 * @n: 0 for @name itself, else the number to put before the extension
 *
 * Returns: (transfer full): "NAME (n).EXT", still within %HAUL_FILENAME_MAX bytes
 */
char *
haul_filename_candidate (const char *name,
                         guint       n)
{
  g_autoptr(GString) stem = NULL;
  g_autofree char *suffix = NULL;
  const char *ext;

  g_return_val_if_fail (name != NULL, NULL);

  if (n == 0)
    return g_strdup (name);

  ext = find_extension (name);
  stem = g_string_new_len (name, ext != NULL ? (gssize) (ext - name) : -1);
  suffix = g_strdup_printf (" (%u)%s", n, ext != NULL ? ext : "");
  truncate_utf8 (stem, HAUL_FILENAME_MAX - strlen (suffix));
  g_string_append (stem, suffix);
  return g_string_free (g_steal_pointer (&stem), FALSE);
}
