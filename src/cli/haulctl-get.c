/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haulctl-get"

#include "config.h"

#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "haul-check.h"
#include "haul-download.h"
#include "haul-format.h"
#include "haul-error.h"
#include "haul-filename.h"
#include "haul-http.h"
#include "haul-rate-limiter.h"

#include "haulctl-private.h"

typedef struct
{
  GMainLoop    *loop;
  HaulDownload *download;
  GCancellable *cancellable;
  gboolean      quiet;
  gboolean      json;
  gboolean      show_bar;
  gboolean      bar_drawn;
  gboolean      interrupted;
  char         *sha256;
  GError       *error;
} GetState;

static void
clear_bar (GetState *state)
{
  if (state->bar_drawn)
    {
      g_printerr ("\r\033[K");
      state->bar_drawn = FALSE;
    }
}

static guint
terminal_width (void)
{
  struct winsize ws;

  if (ioctl (STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
    return ws.ws_col;
  return 80;
}

static gboolean
draw_bar_cb (gpointer user_data)
{
  GetState *state = user_data;
  guint64 received = haul_download_get_bytes_received (state->download);
  guint64 total = haul_download_get_bytes_total (state->download);
  guint64 rate = haul_download_get_rate (state->download);
  const char *name = haul_download_get_filename (state->download);
  g_autofree char *size_text = haul_format_size (received);
  g_autofree char *total_text = total > 0 ? haul_format_size (total) : NULL;
  g_autofree char *rate_text = haul_format_rate (rate);
  g_autofree char *eta = NULL;
  g_autofree char *figures = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  guint width = terminal_width ();
  guint bar_width;
  int percent = -1;

  if (total > 0)
    percent = (int) MIN (100, received * 100 / total);
  if (total > 0 && rate > 0 && received <= total)
    eta = haul_format_duration_compact ((total - received + rate - 1) / rate);

  if (total_text != NULL)
    /* Translators: received size of total size, rate, time left, as in a progress bar */
    figures = g_strdup_printf (_("%s of %s  %s  %s"), size_text, total_text, rate_text,
                               eta != NULL ? eta : "--");
  else
    figures = g_strdup_printf (_("%s  %s"), size_text, rate_text);

  g_string_append_printf (line, "%.24s ", name != NULL ? name : "…");
  bar_width = width > (guint) (strlen (figures) + 38) ? width - (guint) strlen (figures) - 38 : 0;
  bar_width = MIN (bar_width, 50);
  if (percent >= 0)
    {
      g_string_append_printf (line, "%3d%% ", percent);
      if (bar_width > 2)
        {
          guint filled = (guint) ((bar_width - 2) * (guint) percent / 100);

          g_string_append_c (line, '[');
          for (guint i = 0; i < bar_width - 2; i++)
            g_string_append_c (line, i < filled ? '=' : (i == filled ? '>' : ' '));
          g_string_append (line, "] ");
        }
    }
  g_string_append (line, figures);

  g_printerr ("\r\033[K%s", line->str);
  state->bar_drawn = TRUE;
  return G_SOURCE_CONTINUE;
}

static void
on_download_notice_cb (GetState   *state,
                       const char *message)
{
  if (state->quiet)
    return;
  clear_bar (state);
  g_printerr ("haulctl: %s\n", message);
}

static gboolean
on_signal_cb (gpointer user_data)
{
  GetState *state = user_data;

  /* A second signal while the resume data is being saved is ignored: it takes a moment. */
  state->interrupted = TRUE;
  g_cancellable_cancel (state->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  GetState *state = user_data;

  haul_download_run_finish (HAUL_DOWNLOAD (object), result, &state->error);
  g_main_loop_quit (state->loop);
}

static void
print_json_result (GetState *state)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = haul_download_get_path (state->download);
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, state->error == NULL ? "completed" :
                                          state->interrupted ? "interrupted" : "failed");
  json_builder_set_member_name (builder, "uri");
  json_builder_add_string_value (builder, haul_download_get_uri (state->download));
  json_builder_set_member_name (builder, "effective_uri");
  json_builder_add_string_value (builder, haul_download_get_effective_uri (state->download));
  json_builder_set_member_name (builder, "path");
  if (path != NULL)
    json_builder_add_string_value (builder, path);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "bytes_received");
  json_builder_add_int_value (builder, (gint64) haul_download_get_bytes_received (state->download));
  json_builder_set_member_name (builder, "bytes_total");
  json_builder_add_int_value (builder, (gint64) haul_download_get_bytes_total (state->download));
  json_builder_set_member_name (builder, "resumed_from");
  json_builder_add_int_value (builder, (gint64) haul_download_get_resumed_from (state->download));
  json_builder_set_member_name (builder, "already_complete");
  json_builder_add_boolean_value (builder, haul_download_get_already_complete (state->download));
  json_builder_set_member_name (builder, "restarted");
  json_builder_add_boolean_value (builder, haul_download_get_restarted (state->download));
  json_builder_set_member_name (builder, "resumable");
  json_builder_add_boolean_value (builder, haul_download_get_resumable (state->download));
  json_builder_set_member_name (builder, "sha256_verified");
  json_builder_add_boolean_value (builder, state->error == NULL && state->sha256 != NULL);
  json_builder_set_member_name (builder, "error");
  if (state->error != NULL)
    json_builder_add_string_value (builder, state->error->message);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static gboolean
usage_error (GOptionContext *context,
             const char     *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage_error (GOptionContext *context,
             const char     *format,
             ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("haulctl get: %s\n", message);
  return FALSE;
}

/* The engine says what happened; the command line says which of its options helps. */
static const char *
hint_for (const GError *error)
{
  if (g_error_matches (error, HAUL_ERROR, HAUL_ERROR_EXISTS))
    return _(" (add --overwrite to replace it)");
  if (g_error_matches (error, HAUL_ERROR, HAUL_ERROR_UNTRUSTED_PART))
    return _(" (move it away or delete it, then run again)");
  return "";
}

/* An -o FILE that exists must be a regular file: a directory, a device, a pipe, a socket
 * or a symlink is refused before anything is fetched, --overwrite or not. */
static gboolean
check_target (GOptionContext *context,
              const char     *output)
{
  GStatBuf st;

  if (g_lstat (output, &st) != 0 || S_ISREG (st.st_mode))
    return TRUE;
  if (S_ISDIR (st.st_mode))
    usage_error (context, _("“%s” is a directory: use -d to save into it, or give a file name"),
                 output);
  else
    usage_error (context, _("“%s” exists and is not a regular file; Haul saves only to regular files and leaves it untouched"),
                 output);
  return FALSE;
}

int
_haulctl_get (int    argc,
              char **argv)
{
  g_autofree char *output = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *limit_rate = NULL;
  g_auto(GStrv) headers = NULL;
  g_auto(GStrv) rest = NULL;
  int segments = 4;
  int retries = 10;
  int stall_timeout_ms = 30000;
  int retry_delay_ms = 1000;
  gboolean quiet = FALSE;
  gboolean json = FALSE;
  gboolean overwrite = FALSE;
  gboolean same_file = FALSE;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Save as FILE"), N_("FILE") },
    { "directory", 'd', 0, G_OPTION_ARG_FILENAME, &directory,
      N_("Save in DIR, under the name the server gives"), N_("DIR") },
    { "segments", 's', 0, G_OPTION_ARG_INT, &segments,
      N_("Use up to N connections (1–16, default 4)"), N_("N") },
    { "sha256", 0, 0, G_OPTION_ARG_STRING, &sha256,
      N_("Verify the file against this SHA-256 before it is saved"), N_("HEX") },
    { "header", 'H', 0, G_OPTION_ARG_STRING_ARRAY, &headers,
      N_("Send this header with every request"), N_("“Name: value”") },
    { "limit-rate", 0, 0, G_OPTION_ARG_STRING, &limit_rate,
      N_("Download at most RATE bytes per second (500k, 2M)"), N_("RATE") },
    { "retries", 0, 0, G_OPTION_ARG_INT, &retries,
      N_("Give up after N tries without progress (default 10)"), N_("N") },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite,
      N_("Replace an existing file (a regular file only)"), NULL },
    { "same-file", 0, 0, G_OPTION_ARG_NONE, &same_file,
      N_("URL is a fresh link to the file of an interrupted run: continue its data if the server proves it the same file"),
      NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print nothing but errors"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON on stdout"), NULL },
    /* For the tests: a stall after milliseconds instead of 30 s; a shorter back-off. */
    { "stall-timeout-ms", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &stall_timeout_ms,
      NULL, NULL },
    { "retry-delay-ms", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &retry_delay_ms, NULL, NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulRateLimiter) limiter = NULL;
  g_autoptr(HaulDownload) download = NULL;
  g_autoptr(GProxyResolver) resolver = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *dest_dir = NULL;
  g_autofree char *dest_name = NULL;
  GetState state = { 0 };
  guint64 rate = 0;
  guint bar_source = 0;
  guint sigint_source, sigterm_source;
  int status;

  context = g_option_context_new (_("URL — download a file, resuming where an earlier run stopped"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("haulctl get: %s\n", error->message);
      return HAULCTL_EXIT_USAGE;
    }

  if (rest == NULL || rest[0] == NULL || rest[1] != NULL)
    {
      usage_error (context, _("give exactly one URL"));
      return HAULCTL_EXIT_USAGE;
    }
  if (!haul_check_uri (rest[0], &error))
    {
      usage_error (context, "%s", error->message);
      return HAULCTL_EXIT_USAGE;
    }
  if (output != NULL && directory != NULL)
    {
      usage_error (context, _("-o and -d cannot be used together"));
      return HAULCTL_EXIT_USAGE;
    }
  if (segments < 1 || segments > HAUL_MAX_SEGMENTS)
    {
      usage_error (context, _("-s takes a number from 1 to %d"), HAUL_MAX_SEGMENTS);
      return HAULCTL_EXIT_USAGE;
    }
  if (retries < 0)
    {
      usage_error (context, _("--retries takes a number of 0 or more"));
      return HAULCTL_EXIT_USAGE;
    }
  if (stall_timeout_ms <= 0 || retry_delay_ms <= 0)
    {
      usage_error (context, _("timeouts must be positive"));
      return HAULCTL_EXIT_USAGE;
    }
  if (sha256 != NULL && !haul_check_sha256 (sha256, NULL))
    {
      usage_error (context, _("--sha256 takes 64 hexadecimal digits"));
      return HAULCTL_EXIT_USAGE;
    }
  if (limit_rate != NULL && !haul_http_parse_rate (limit_rate, &rate))
    {
      usage_error (context, _("“%s” is not a rate; write for example 500k or 2M"), limit_rate);
      return HAULCTL_EXIT_USAGE;
    }
  if (!haul_check_header_lines ((const char * const *) headers, &error))
    {
      usage_error (context, "%s", error->message);
      return HAULCTL_EXIT_USAGE;
    }

  if (output != NULL)
    {
      /* Check the name as written: canonicalizing would turn "dir/.." into "dir"'s parent. */
      g_autofree char *base = g_path_get_basename (output);
      g_autofree char *absolute = g_canonicalize_filename (output, cwd);

      if (g_str_has_suffix (output, "/"))
        {
          usage_error (context, _("“%s” names a directory: give a file name, or use -d"), output);
          return HAULCTL_EXIT_USAGE;
        }
      if (!haul_check_file_name (base, -1, &error))
        {
          usage_error (context, "%s", error->message);
          return HAULCTL_EXIT_USAGE;
        }
      dest_dir = g_path_get_dirname (absolute);
      dest_name = g_steal_pointer (&base);
    }
  else
    dest_dir = g_canonicalize_filename (directory != NULL ? directory : ".", cwd);

  if (!g_file_test (dest_dir, G_FILE_TEST_IS_DIR))
    {
      usage_error (context, _("“%s” is not a directory"), dest_dir);
      return HAULCTL_EXIT_USAGE;
    }
  if (output != NULL && !check_target (context, output))
    return HAULCTL_EXIT_USAGE;
  if (same_file && output == NULL)
    {
      usage_error (context, _("--same-file needs -o FILE: it names the file to continue"));
      return HAULCTL_EXIT_USAGE;
    }

  /* Like curl: proxies from the environment, never from desktop settings. GLib creates the
   * default resolver for every connection even when the session has its own, and on GNOME
   * that one opens dconf; pin it to the inert one before the first connection. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  resolver = haul_proxy_resolver_new_from_environment ();
  session = haul_session_new (resolver);

  download = haul_download_new (rest[0], dest_dir, dest_name);
  haul_download_set_session (download, session);
  haul_download_set_max_segments (download, (guint) segments);
  haul_download_set_retries (download, (guint) retries);
  haul_download_set_overwrite (download, overwrite);
  haul_download_set_same_file (download, same_file);
  /* As wget: the file gets the server's date, and a run of a command that already
   * succeeded finds the file done rather than failing on it. */
  haul_download_set_server_time (download, TRUE);
  haul_download_set_check_existing (download, TRUE);
  /* Without -o, running the same command again finds the earlier run's data by its URL. */
  haul_download_set_resume_by_uri (download, TRUE);
  haul_download_set_stall_timeout (download, (guint) stall_timeout_ms);
  haul_download_set_retry_base (download, (guint) retry_delay_ms);
  if (headers != NULL)
    haul_download_set_headers (download, (const char * const *) headers);
  if (sha256 != NULL)
    haul_download_set_sha256 (download, sha256);
  if (rate > 0)
    {
      limiter = haul_rate_limiter_new (rate);
      haul_download_set_rate_limiter (download, limiter);
    }

  state.loop = g_main_loop_new (NULL, FALSE);
  state.download = download;
  state.cancellable = g_cancellable_new ();
  state.quiet = quiet;
  state.json = json;
  state.sha256 = sha256;
  state.show_bar = !quiet && isatty (STDERR_FILENO);

  g_signal_connect_swapped (download, "notice", G_CALLBACK (on_download_notice_cb), &state);
  sigint_source = g_unix_signal_add (SIGINT, on_signal_cb, &state);
  sigterm_source = g_unix_signal_add (SIGTERM, on_signal_cb, &state);
  if (state.show_bar)
    bar_source = g_timeout_add (250, draw_bar_cb, &state);

  haul_download_run_async (download, state.cancellable, run_cb, &state);
  g_main_loop_run (state.loop);

  g_clear_handle_id (&bar_source, g_source_remove);
  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);
  clear_bar (&state);

  if (state.error == NULL)
    {
      g_autofree char *path = haul_download_get_path (download);
      g_autofree char *size = haul_format_size (haul_download_get_bytes_received (download));

      /* A file found done was told of by a notice. */
      if (!quiet && !json && !haul_download_get_already_complete (download))
        g_printerr (_("haulctl: saved “%s” (%s)\n"), path, size);
      status = HAULCTL_EXIT_OK;
    }
  else if (state.interrupted)
    {
      g_printerr (_("haulctl: interrupted; run the same command again to resume\n"));
      status = HAULCTL_EXIT_FAILED;
    }
  else
    {
      g_printerr ("haulctl: %s%s\n", state.error->message, hint_for (state.error));
      status = HAULCTL_EXIT_FAILED;
    }

  if (json)
    print_json_result (&state);

  g_clear_error (&state.error);
  g_clear_object (&state.cancellable);
  g_main_loop_unref (state.loop);
  return status;
}
