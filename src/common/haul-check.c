/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-check"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "haul-check.h"
#include "haul-error.h"
#include "haul-filename.h"

/* What is quoted back in a message must not carry control characters or broken UTF-8 to
 * a terminal, a notification or a D-Bus reply. */
static char *
printable (const char *text,
           gssize      length)
{
  g_autofree char *valid = g_utf8_make_valid (text, length);
  GString *out = g_string_new (NULL);
  guint count = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (++count > 200)
        {
          g_string_append (out, "…");
          break;
        }
      if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
        g_string_append_c (out, '?');
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static gboolean
has_control_character (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7F)
        return TRUE;
    }
  return FALSE;
}

/* A registered name or an IPv4 address, as it may appear in an HTTP request's Host. GLib
 * has checked IP literals already; it keeps spaces and percent-decoded bytes in a host. */
static gboolean
host_is_valid (const char *host)
{
  if (strchr (host, ':') != NULL)
    return TRUE;
  for (const char *p = host; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c <= 0x20 || c == 0x7F || strchr ("\"#%/<>?@[\\]^`{|}", c) != NULL)
        return FALSE;
    }
  return TRUE;
}

/**
 * haul_check_guri:
 * @uri: a parsed URL, from a client or a server's redirect
 * @error: return location for a #GError
 *
 * Returns: %TRUE if an HTTP request for @uri can be made honestly: http or https, a
 *   valid host, a port other than 0
 */
gboolean
haul_check_guri (GUri    *uri,
                 GError **error)
{
  const char *scheme;
  const char *host;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (uri != NULL, FALSE);

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    {
      shown = printable (scheme, -1);
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_UNSUPPORTED_SCHEME,
                   _("Only http and https URLs can be downloaded, not “%s”"), shown);
      return FALSE;
    }
  if (host == NULL || *host == '\0')
    {
      g_set_error_literal (error, HAUL_ERROR, HAUL_ERROR_INVALID_URI,
                           _("The URL has no host"));
      return FALSE;
    }
  if (!host_is_valid (host))
    {
      shown = printable (host, -1);
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_URI,
                   _("“%s” is not a valid host name"), shown);
      return FALSE;
    }
  if (g_uri_get_port (uri) == 0)
    {
      g_set_error_literal (error, HAUL_ERROR, HAUL_ERROR_INVALID_URI,
                           _("The URL names port 0, which no server listens on"));
      return FALSE;
    }
  return TRUE;
}

/**
 * haul_check_uri:
 * @uri: (nullable): a URL as a person or a program wrote it
 * @error: return location for a #GError
 *
 * Checks what every URL Haul downloads from must be: at most %HAUL_URI_MAX_LENGTH bytes of
 * UTF-8 without control characters, parseable, and what haul_check_guri() accepts.
 *
 * Returns: %TRUE if @uri can be downloaded
 */
gboolean
haul_check_uri (const char  *uri,
                GError     **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *shown = NULL;

  if (uri == NULL || *uri == '\0')
    {
      g_set_error_literal (error, HAUL_ERROR, HAUL_ERROR_INVALID_URI, _("No URL was given"));
      return FALSE;
    }
  if (strlen (uri) > HAUL_URI_MAX_LENGTH)
    {
      g_set_error_literal (error, HAUL_ERROR, HAUL_ERROR_INVALID_URI,
                           _("The URL is longer than 8 KiB"));
      return FALSE;
    }
  shown = printable (uri, -1);
  if (!g_utf8_validate (uri, -1, NULL))
    {
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_URI,
                   _("“%s” is not a valid URL: it is not valid UTF-8"), shown);
      return FALSE;
    }
  if (has_control_character (uri))
    {
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_URI,
                   _("“%s” is not a valid URL: it contains a control character"), shown);
      return FALSE;
    }
  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, &local);
  if (parsed == NULL)
    {
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_URI, _("“%s” is not a valid URL"),
                   shown);
      return FALSE;
    }
  return haul_check_guri (parsed, error);
}

/**
 * haul_check_file_name:
 * @name: a file name given by a client or read from a state file
 * @length: the length of @name in bytes (it may hold a NUL), or -1
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @name is a basename Haul may create in a download directory, exactly
 *   as haul_filename_sanitize() leaves it: nothing that could leave the directory
 */
gboolean
haul_check_file_name (const char  *name,
                      gssize       length,
                      GError     **error)
{
  g_autofree char *safe = NULL;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (name != NULL, FALSE);

  if (length < 0)
    length = (gssize) strlen (name);
  safe = haul_filename_sanitize (name);
  if (strlen (name) == (gsize) length && safe != NULL && g_str_equal (safe, name))
    return TRUE;

  shown = printable (name, length);
  g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
               _("“%s” is not a usable file name: give a name without “/”, control characters or a leading dot, of at most %d bytes"),
               shown, HAUL_FILENAME_MAX);
  return FALSE;
}

/**
 * haul_check_directory:
 * @path: a download directory
 * @error: return location for a #GError
 *
 * Only the form is checked: whether the directory exists is a question for the disk.
 *
 * Returns: %TRUE if @path is an absolute path in UTF-8
 */
gboolean
haul_check_directory (const char  *path,
                      GError     **error)
{
  g_autofree char *shown = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  if (g_path_is_absolute (path) && g_utf8_validate (path, -1, NULL) &&
      !has_control_character (path))
    return TRUE;
  shown = printable (path, -1);
  g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
               _("The directory “%s” is not an absolute path"), shown);
  return FALSE;
}

/**
 * haul_check_sha256:
 * @hex: a checksum as given
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @hex is 64 hexadecimal digits
 */
gboolean
haul_check_sha256 (const char  *hex,
                   GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (hex != NULL, FALSE);

  ok = strlen (hex) == 64;
  for (const char *p = hex; ok && *p != '\0'; p++)
    ok = g_ascii_isxdigit (*p);
  if (!ok)
    g_set_error_literal (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
                         _("A SHA-256 checksum is 64 hexadecimal digits"));
  return ok;
}

/**
 * haul_check_segments:
 * @segments: a number of connections
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @segments is from 1 to %HAUL_MAX_SEGMENTS
 */
gboolean
haul_check_segments (gint64   segments,
                     GError **error)
{
  if (segments >= 1 && segments <= HAUL_MAX_SEGMENTS)
    return TRUE;
  g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
               _("A download uses from 1 to %d connections"), HAUL_MAX_SEGMENTS);
  return FALSE;
}

/**
 * haul_check_header:
 * @name: a header name
 * @value: its value
 * @error: return location for a #GError
 *
 * Refuses a name that is not an HTTP token (so a “:” in it cannot smuggle a second
 * value), a value with a control character other than tab, and the headers Haul manages
 * itself (ranges, encoding, the host and the framing).
 *
 * Returns: %TRUE if the header may be sent with every request
 */
gboolean
haul_check_header (const char  *name,
                   const char  *value,
                   GError     **error)
{
  static const char * const reserved[] = {
    "range", "if-range", "accept-encoding", "host", "content-length", "transfer-encoding",
    "connection", "keep-alive", "proxy-connection", "te", "upgrade", "trailer", "expect",
    NULL
  };
  g_autofree char *lower = NULL;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (name != NULL && value != NULL, FALSE);

  shown = printable (name, -1);
  if (*name == '\0')
    {
      g_set_error_literal (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
                           _("A header needs a name"));
      return FALSE;
    }
  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+-.^_`|~", *p) == NULL)
        {
          g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a valid header name"), shown);
          return FALSE;
        }
    }
  for (const char *p = value; *p != '\0'; p++)
    {
      if (((guchar) *p < 0x20 && *p != '\t') || *p == 0x7F)
        {
          g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
                       _("The value of header “%s” contains a control character"), shown);
          return FALSE;
        }
    }
  lower = g_ascii_strdown (name, -1);
  if (g_strv_contains (reserved, lower))
    {
      g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
                   _("Haul sets the header “%s” itself"), shown);
      return FALSE;
    }
  return TRUE;
}

/**
 * haul_check_header_line:
 * @line: "Name: value"
 * @name: (out) (optional): the name
 * @value: (out) (optional): the value, without surrounding blanks
 * @error: return location for a #GError
 *
 * Splits @line at its first colon and checks it with haul_check_header().
 *
 * Returns: %TRUE if @line is a header that may be sent
 */
gboolean
haul_check_header_line (const char  *line,
                        char       **name,
                        char       **value,
                        GError     **error)
{
  const char *colon;
  g_autofree char *n = NULL;
  g_autofree char *v = NULL;

  g_return_val_if_fail (line != NULL, FALSE);

  colon = strchr (line, ':');
  if (colon == NULL)
    {
      g_autofree char *shown = printable (line, -1);

      g_set_error (error, HAUL_ERROR, HAUL_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a header of the form “Name: value”"), shown);
      return FALSE;
    }
  n = g_strndup (line, colon - line);
  v = g_strdup (colon + 1);
  g_strchug (v);
  while (*v != '\0' && (v[strlen (v) - 1] == ' ' || v[strlen (v) - 1] == '\t'))
    v[strlen (v) - 1] = '\0';
  if (!haul_check_header (n, v, error))
    return FALSE;
  if (name != NULL)
    *name = g_steal_pointer (&n);
  if (value != NULL)
    *value = g_steal_pointer (&v);
  return TRUE;
}

/**
 * haul_check_header_lines:
 * @lines: (nullable): "Name: value" strings
 * @error: return location for a #GError
 *
 * Returns: %TRUE if every line passes haul_check_header_line()
 */
gboolean
haul_check_header_lines (const char * const  *lines,
                         GError             **error)
{
  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      if (!haul_check_header_line (lines[i], NULL, NULL, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * haul_transfer_object_path:
 * @id: a transfer's ID
 *
 * Returns: (transfer full): the object path of transfer @id on the bus
 */
char *
haul_transfer_object_path (guint id)
{
  return g_strdup_printf (HAUL_DAEMON_TRANSFER_PATH "/%u", id);
}

/**
 * haul_transfer_id_from_object_path:
 * @path: an object path
 *
 * Returns: the ID of the transfer at @path, or 0 if @path is not a transfer's
 */
guint
haul_transfer_id_from_object_path (const char *path)
{
  const char *prefix = HAUL_DAEMON_TRANSFER_PATH "/";
  guint64 id;

  /* One spelling per ID: no leading zeros. */
  if (path == NULL || !g_str_has_prefix (path, prefix) || path[strlen (prefix)] == '0' ||
      !g_ascii_string_to_unsigned (path + strlen (prefix), 10, 1, G_MAXUINT32, &id, NULL))
    return 0;
  return (guint) id;
}

/* Whether the first @len bytes of @word open @open as often as they close @close. */
static gboolean
balanced (const char *word,
          gsize       len,
          char        open,
          char        close)
{
  int depth = 0;

  for (gsize i = 0; i < len; i++)
    depth += word[i] == open ? 1 : word[i] == close ? -1 : 0;
  return depth == 0;
}

/**
 * haul_find_uris:
 * @text: what a person pasted or dropped: links one per line, or text holding them
 *
 * Finds the http and https links in @text: every word that starts with one of the
 * schemes and passes haul_check_uri(), in order, each once. Angle brackets, quotes and
 * the punctuation that ends a sentence around a link are not part of it.
 *
 * Returns: (transfer full): the links, possibly none
 */
GStrv
haul_find_uris (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) words = NULL;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return g_strv_builder_end (builder);
  words = g_strsplit_set (text, " \t\r\n\f\v", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      char *word = words[i];
      gsize len;

      /* "<https://…>", "(https://…)", "'https://…'," */
      while (*word != '\0' && strchr ("<([{\"'", *word) != NULL)
        word++;
      len = strlen (word);
      while (len > 0 && strchr (">)]}\"'.,;:!?", word[len - 1]) != NULL)
        {
          const char *closer = strchr (")]}", word[len - 1]);

          /* "https://en.wikipedia.org/wiki/Tar_(computing)" keeps its bracket. */
          if (closer != NULL && balanced (word, len, "([{"[closer - ")]}"], *closer))
            break;
          word[--len] = '\0';
        }
      if (g_ascii_strncasecmp (word, "http://", 7) != 0 &&
          g_ascii_strncasecmp (word, "https://", 8) != 0)
        continue;
      if (!haul_check_uri (word, NULL) || g_hash_table_contains (seen, word))
        continue;
      g_hash_table_add (seen, g_strdup (word));
      g_strv_builder_add (builder, word);
    }
  return g_strv_builder_end (builder);
}

/**
 * haul_download_directory:
 * @setting: (nullable): the value of the download-directory key
 *
 * Returns: (transfer full): where new downloads go: the key's folder if it names one
 *   (an absolute path), else the XDG download folder, else the home folder
 */
char *
haul_download_directory (const char *setting)
{
  const char *xdg = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);

  if (setting != NULL && g_path_is_absolute (setting))
    return g_strdup (setting);
  return g_strdup (xdg != NULL ? xdg : g_get_home_dir ());
}
