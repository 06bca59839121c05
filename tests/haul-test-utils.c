/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-test-utils"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "haul-test-utils.h"

#define MASTER_SIZE (40 * 1024 * 1024)
#define WRITE_CHUNK (64 * 1024)

struct _HaulTestServer
{
  SoupServer *soup;
  GUri       *base;
  GBytes     *masters[3];
  GHashTable *counters;
  GPtrArray  *requests;
  GPtrArray  *writers;
  guint64     bytes_sent;
  guint       shared_variant;
  char       *tls_dir;
  guint       threads_before;
};

typedef struct
{
  HaulTestServer *server;
  GIOStream      *stream;
  GCancellable   *cancellable;
  GString        *head;
  GBytes         *body;
  gsize           pos;
  gsize           end;
  gsize           stop_at;
  gboolean        stall;
  gboolean        chunked;
  guint64         drip;
  guint           timer;
  gboolean        pace;
  gboolean        terminated;
  char           *frame;
  gsize           frame_len;
} Writer;

gboolean
haul_test_on_timeout_cb (gpointer user_data)
{
  g_error ("Timed out waiting for %s", (const char *) user_data);
}

gboolean
haul_test_tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
test_environment (void)
{
  /* No proxy, no GVfs: the tests talk to 127.0.0.1 only, in every child too. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("GIO_USE_VFS", "local", TRUE);
  g_unsetenv ("http_proxy");
  g_unsetenv ("https_proxy");
  g_unsetenv ("all_proxy");
  g_unsetenv ("no_proxy");
}

void
haul_test_init (int    *argc,
                char ***argv)
{
  test_environment ();
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
}

/**
 * haul_test_init_desktop:
 *
 * As haul_test_init(), for tests of the window: the person's directories (home, config,
 * data, state, cache, runtime) are a temporary tree of their own, but the system's data
 * (XDG_DATA_DIRS: the MIME database, the icon theme) stays visible, which GLib's
 * isolation of directories would hide. The tree is removed at exit; a test that needs a
 * fresh state removes what it left there itself.
 */
void
haul_test_init_desktop (int    *argc,
                        char ***argv)
{
  static char *root;
  g_autoptr(GError) error = NULL;
  const struct { const char *variable; const char *name; } dirs[] = {
    { "HOME", "home" }, { "XDG_CONFIG_HOME", "config" }, { "XDG_DATA_HOME", "data" },
    { "XDG_STATE_HOME", "state" }, { "XDG_CACHE_HOME", "cache" }, { "XDG_RUNTIME_DIR", "runtime" },
  };

  test_environment ();
  root = g_dir_make_tmp ("haul-desktop-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (root, dirs[i].name, NULL);

      g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
      g_setenv (dirs[i].variable, path, TRUE);
    }
  g_test_init (argc, argv, NULL);
}

/* ---- the fault-injection server ----------------------------------------------------- */

static void
request_free (HaulTestRequest *req)
{
  g_free (req->path);
  g_free (req->range);
  g_free (req->if_range);
  g_free (req->accept_encoding);
  g_free (req->user_header);
  g_free (req->cookie);
  g_free (req->referer);
  g_free (req->user_agent);
  g_free (req);
}

static void
writer_free (Writer *w)
{
  g_clear_handle_id (&w->timer, g_source_remove);
  /* A write on its way calls back with CANCELLED, and then touches nothing of @w. */
  g_cancellable_cancel (w->cancellable);
  if (w->stream != NULL)
    g_io_stream_close (w->stream, NULL, NULL);
  g_clear_object (&w->stream);
  g_clear_object (&w->cancellable);
  g_string_free (w->head, TRUE);
  g_clear_pointer (&w->body, g_bytes_unref);
  g_free (w->frame);
  g_free (w);
}

static void     writer_next     (Writer  *w);
static gboolean writer_timer_cb (gpointer user_data);

static void
writer_done (Writer *w)
{
  g_ptr_array_remove (w->server->writers, w);
}

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Writer *w = user_data;
  gsize written = 0;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, &written, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        writer_done (w);
      return;
    }
  if (w->pace)
    {
      /* A slow drip: the next piece goes out in the next slot of 50 ms. */
      w->pace = FALSE;
      w->timer = g_timeout_add (50, writer_timer_cb, w);
      return;
    }
  writer_next (w);
}

static gboolean
writer_timer_cb (gpointer user_data)
{
  Writer *w = user_data;

  w->timer = 0;
  writer_next (w);
  return G_SOURCE_REMOVE;
}

static void
writer_next (Writer *w)
{
  GOutputStream *out = g_io_stream_get_output_stream (w->stream);
  gsize limit = MIN (w->end, w->stop_at);
  gsize n;

  if (w->head != NULL && w->head->len > 0)
    {
      w->frame = g_strdup (w->head->str);
      g_string_truncate (w->head, 0);
      g_output_stream_write_all_async (out, w->frame, strlen (w->frame), G_PRIORITY_DEFAULT,
                                       w->cancellable, write_cb, w);
      return;
    }

  if (w->pos >= limit)
    {
      if (w->pos < w->end && w->stall)
        return; /* hold the connection open and send nothing more */
      if (w->pos >= w->end && w->chunked && !w->terminated)
        {
          w->terminated = TRUE;
          g_free (w->frame);
          w->frame = g_strdup ("0\r\n\r\n");
          g_output_stream_write_all_async (out, w->frame, 5, G_PRIORITY_DEFAULT, w->cancellable,
                                           write_cb, w);
          return;
        }
      writer_done (w);
      return;
    }

  n = MIN (limit - w->pos, WRITE_CHUNK);
  if (w->drip > 0)
    {
      n = MIN (n, MAX (w->drip / 20, 1));
      w->pace = TRUE;
    }

  {
    const guint8 *data = g_bytes_get_data (w->body, NULL);
    GString *piece = g_string_sized_new (n + 16);

    if (w->chunked)
      g_string_append_printf (piece, "%zx\r\n", n);
    g_string_append_len (piece, (const char *) data + w->pos, n);
    if (w->chunked)
      g_string_append (piece, "\r\n");

    w->pos += n;
    w->server->bytes_sent += n;
    g_free (w->frame);
    w->frame_len = piece->len;
    w->frame = g_string_free (piece, FALSE);
    g_output_stream_write_all_async (out, w->frame, w->frame_len, G_PRIORITY_DEFAULT,
                                     w->cancellable, write_cb, w);
  }
}

static const char *
opt (GHashTable *query,
     const char *name)
{
  return query != NULL ? g_hash_table_lookup (query, name) : NULL;
}

static guint64
opt_int (GHashTable *query,
         const char *name,
         guint64     fallback)
{
  const char *v = opt (query, name);
  return v != NULL ? g_ascii_strtoull (v, NULL, 10) : fallback;
}

static GBytes *
gzip_bytes (GBytes *in)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GInputStream) mem = g_memory_input_stream_new_from_bytes (in);
  g_autoptr(GInputStream) conv = g_converter_input_stream_new (mem, G_CONVERTER (compressor));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_output_stream_splice (out, conv, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                          G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, NULL);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static void
start_writer (HaulTestServer    *server,
              SoupServerMessage *msg,
              GString           *head,
              GBytes            *body,
              gsize              pos,
              gsize              end)
{
  Writer *w = g_new0 (Writer, 1);

  w->server = server;
  w->head = head;
  w->body = body != NULL ? g_bytes_ref (body) : g_bytes_new_static ("", 0);
  w->pos = pos;
  w->end = end;
  w->stop_at = G_MAXSIZE;
  w->cancellable = g_cancellable_new ();
  w->stream = soup_server_message_steal_connection (msg);
  g_ptr_array_add (server->writers, w);
  writer_next (w);
}

static void
simple_response (HaulTestServer    *server,
                 SoupServerMessage *msg,
                 guint              status,
                 const char        *extra_headers)
{
  GString *head = g_string_new (NULL);

  g_string_append_printf (head, "HTTP/1.1 %u %s\r\nContent-Length: 5\r\nConnection: close\r\n%s\r\n",
                          status, soup_status_get_phrase (status), extra_headers);
  g_string_append (head, "error");
  start_writer (server, msg, head, NULL, 0, 0);
}

static void
server_handler (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  HaulTestServer *server = user_data;
  SoupMessageHeaders *req_headers = soup_server_message_get_request_headers (msg);
  HaulTestRequest *req = g_new0 (HaulTestRequest, 1);
  g_autofree char *key = g_uri_to_string (soup_server_message_get_uri (msg));
  g_autoptr(GBytes) body = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *last_modified = NULL;
  const char *range = soup_message_headers_get_one (req_headers, "Range");
  const char *if_range = soup_message_headers_get_one (req_headers, "If-Range");
  GString *head;
  guint count;
  gsize size;
  gsize start = 0, end;
  guint variant;
  guint status = 200;
  gboolean faulty;
  Writer *w;

  req->path = g_strdup (path);
  req->range = g_strdup (range);
  req->if_range = g_strdup (if_range);
  req->accept_encoding = g_strdup (soup_message_headers_get_one (req_headers, "Accept-Encoding"));
  req->user_header = g_strdup (soup_message_headers_get_one (req_headers, "X-Test-Token"));
  req->cookie = g_strdup (soup_message_headers_get_one (req_headers, "Cookie"));
  req->referer = g_strdup (soup_message_headers_get_one (req_headers, "Referer"));
  req->user_agent = g_strdup (soup_message_headers_get_one (req_headers, "User-Agent"));
  g_ptr_array_add (server->requests, req);

  count = GPOINTER_TO_UINT (g_hash_table_lookup (server->counters, key)) + 1;
  g_hash_table_insert (server->counters, g_strdup (key), GUINT_TO_POINTER (count));
  faulty = count <= opt_int (query, "faults", 1);

  if (g_str_has_prefix (path, "/redirect/"))
    {
      guint n = (guint) g_ascii_strtoull (path + strlen ("/redirect/"), NULL, 10);
      g_autofree char *location = n > 1 ? g_strdup_printf ("Location: /redirect/%u\r\n", n - 1)
                                        : g_strdup ("Location: /data\r\n");
      simple_response (server, msg, 302, location);
      return;
    }
  /* The same server under another name: another site, as far as a client can tell. */
  if (g_str_equal (path, "/to-other-host"))
    {
      GUri *here = soup_server_message_get_uri (msg);
      g_autofree char *location = g_strdup_printf ("Location: http://localhost:%d/data\r\n",
                                                   g_uri_get_port (here));
      simple_response (server, msg, 302, location);
      return;
    }
  if (g_str_equal (path, "/loop"))
    {
      simple_response (server, msg, 301, "Location: /loop\r\n");
      return;
    }
  if (g_str_equal (path, "/to-ftp"))
    {
      simple_response (server, msg, 302, "Location: ftp://127.0.0.1/file\r\n");
      return;
    }

  /* An expiring link: refused from the Nth request on. */
  if (opt (query, "expire") != NULL && count >= opt_int (query, "expire", 1))
    {
      simple_response (server, msg, 403, "");
      return;
    }

  if (opt (query, "status") != NULL && count <= opt_int (query, "times", 1))
    {
      g_autofree char *extra = opt (query, "retry-after") != NULL ?
        g_strdup_printf ("Retry-After: %s\r\n", opt (query, "retry-after")) : g_strdup ("");
      simple_response (server, msg, (guint) opt_int (query, "status", 500), extra);
      return;
    }

  size = (gsize) opt_int (query, "size", 256 * 1024);
  variant = (guint) opt_int (query, "variant", server->shared_variant);
  if (opt (query, "change") != NULL && count > 1)
    variant = variant == 1 ? 2 : 1;
  body = haul_test_server_content (server, size, variant);
  if (opt (query, "gzip") != NULL)
    {
      GBytes *zipped = gzip_bytes (body);
      g_bytes_unref (body);
      body = zipped;
      size = g_bytes_get_size (body);
    }
  end = size;

  if (g_strcmp0 (opt (query, "etag"), "none") != 0)
    etag = g_strdup_printf (g_strcmp0 (opt (query, "etag"), "weak") == 0 ? "W/\"v%u-%zu\"" : "\"v%u-%zu\"",
                            variant, size);
  if (g_strcmp0 (opt (query, "lm"), "none") != 0)
    last_modified = g_strdup_printf ("Wed, 0%u Oct 2025 07:28:00 GMT", variant);
  /* As nginx's ETag (mtime-size): two different files of one size and date share them. */
  if (opt (query, "same-validators") != NULL)
    {
      g_free (etag);
      etag = g_strdup_printf ("\"5f0a-%zx\"", size);
      g_free (last_modified);
      last_modified = g_strdup ("Wed, 01 Oct 2025 07:28:00 GMT");
    }

  if (range != NULL && opt (query, "norange") == NULL)
    {
      gboolean valid = TRUE;

      /* RFC 9110: a validator that does not match means "send the whole thing". */
      if (if_range != NULL && opt (query, "ignore-if-range") == NULL &&
          g_strcmp0 (if_range, etag) != 0 && g_strcmp0 (if_range, last_modified) != 0)
        valid = FALSE;
      if (valid && g_str_has_prefix (range, "bytes="))
        {
          char *dash;
          start = (gsize) g_ascii_strtoull (range + 6, &dash, 10);
          if (*dash == '-' && g_ascii_isdigit (dash[1]))
            end = MIN ((gsize) g_ascii_strtoull (dash + 1, NULL, 10) + 1, size);
          status = 206;
        }
      if (status == 206 && (start >= size || opt (query, "force416") != NULL))
        {
          g_autofree char *cr = g_strdup_printf ("Content-Range: bytes */%zu\r\n", size);
          simple_response (server, msg, 416, cr);
          return;
        }
    }

  head = g_string_new (NULL);
  g_string_append_printf (head, "HTTP/1.1 %u %s\r\n", status, soup_status_get_phrase (status));
  if (opt (query, "chunked") != NULL)
    g_string_append (head, "Transfer-Encoding: chunked\r\n");
  else
    g_string_append_printf (head, "Content-Length: %zu\r\n", end - start);
  if (status == 206)
    g_string_append_printf (head, "Content-Range: bytes %zu-%zu/%zu\r\n",
                            start + (opt (query, "badrange") != NULL ? 1000 : 0), end - 1, size);
  if (opt (query, "norange") == NULL)
    g_string_append (head, "Accept-Ranges: bytes\r\n");
  if (etag != NULL)
    g_string_append_printf (head, "ETag: %s\r\n", etag);
  if (last_modified != NULL)
    g_string_append_printf (head, "Last-Modified: %s\r\n", last_modified);
  if (opt (query, "cd") != NULL)
    g_string_append_printf (head, "Content-Disposition: %s\r\n", opt (query, "cd"));
  if (opt (query, "gzip") != NULL)
    g_string_append (head, "Content-Encoding: gzip\r\n");
  g_string_append (head, "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n");

  w = g_new0 (Writer, 1);
  w->server = server;
  w->head = head;
  w->body = g_bytes_ref (body);
  w->pos = start;
  w->end = end;
  w->stop_at = G_MAXSIZE;
  w->chunked = opt (query, "chunked") != NULL;
  w->drip = opt_int (query, "drip", 0);
  if (faulty && opt (query, "drop") != NULL)
    w->stop_at = start + (gsize) opt_int (query, "drop", 0);
  if (faulty && opt (query, "stall") != NULL)
    {
      w->stop_at = start + (gsize) opt_int (query, "stall", 0);
      w->stall = TRUE;
    }
  if (faulty && opt (query, "short") != NULL)
    w->stop_at = start + (end - start) / 2;
  w->cancellable = g_cancellable_new ();
  w->stream = soup_server_message_steal_connection (msg);
  g_ptr_array_add (server->writers, w);
  writer_next (w);
}

static void
make_certificate (HaulTestServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *cert = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  int status = 0;
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
    "-subj", "/CN=127.0.0.1", "-keyout", NULL, "-out", NULL, NULL
  };

  server->tls_dir = g_dir_make_tmp ("haul-tls-XXXXXX", &error);
  g_assert_no_error (error);
  key = g_build_filename (server->tls_dir, "key.pem", NULL);
  cert = g_build_filename (server->tls_dir, "cert.pem", NULL);
  argv[11] = key;
  argv[13] = cert;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);

  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  g_object_set (server->soup, "tls-certificate", certificate, NULL);
}

static guint
count_threads (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* The TLS handshakes of the server ran on GTask threads, which keep gnutls's dynamic TLS
 * while they wait for more work; the LeakSanitizer of GCC 12 misreads the dynamic TLS of a
 * live thread and crashes when the process exits. So no idle thread is kept: those started
 * since the server was made end before it is gone. */
static void
end_handshake_threads (HaulTestServer *server)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  int kept = g_thread_pool_get_max_unused_threads ();

  g_thread_pool_set_max_unused_threads (0);
  while (count_threads () > server->threads_before)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_pool_stop_unused_threads ();
      g_usleep (10 * 1000);
    }
  g_thread_pool_set_max_unused_threads (kept);
}

HaulTestServer *
haul_test_server_new (gboolean tls)
{
  HaulTestServer *server = g_new0 (HaulTestServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  server->soup = soup_server_new ("server-header", "haul-test ", NULL);
  server->counters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  server->writers = g_ptr_array_new_with_free_func ((GDestroyNotify) writer_free);
  server->shared_variant = 1;

  if (tls)
    {
      server->threads_before = count_threads ();
      make_certificate (server);
    }

  soup_server_add_handler (server->soup, NULL, server_handler, server, NULL);
  soup_server_listen_local (server->soup, 0, SOUP_SERVER_LISTEN_IPV4_ONLY |
                            (tls ? SOUP_SERVER_LISTEN_HTTPS : 0), &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (server->soup);
  g_assert_nonnull (uris);
  server->base = uris->data;
  for (GSList *l = uris->next; l != NULL; l = l->next)
    g_uri_unref (l->data);
  return server;
}

void
haul_test_server_free (HaulTestServer *server)
{
  soup_server_disconnect (server->soup);
  g_ptr_array_unref (server->writers);
  g_assert_finalize_object (server->soup);
  g_uri_unref (server->base);
  for (guint i = 0; i < G_N_ELEMENTS (server->masters); i++)
    g_clear_pointer (&server->masters[i], g_bytes_unref);
  g_hash_table_unref (server->counters);
  g_ptr_array_unref (server->requests);
  if (server->tls_dir != NULL)
    {
      g_autofree char *key = g_build_filename (server->tls_dir, "key.pem", NULL);
      g_autofree char *cert = g_build_filename (server->tls_dir, "cert.pem", NULL);
      g_unlink (key);
      g_unlink (cert);
      g_rmdir (server->tls_dir);
      g_free (server->tls_dir);
      /* TLS handshakes ran on GTask threads, which now hold gnutls's dynamic TLS; the
       * LeakSanitizer of GCC 12 misreads that of a live thread and crashes at exit. The
       * idle threads are ended here. */
      end_handshake_threads (server);
    }
  g_free (server);
}

char *
haul_test_server_uri (HaulTestServer *server,
                      const char     *path_and_query)
{
  g_autoptr(GUri) uri = g_uri_parse_relative (server->base, path_and_query, G_URI_FLAGS_ENCODED, NULL);

  g_assert_nonnull (uri);
  return g_uri_to_string (uri);
}

/**
 * haul_test_server_content:
 * @variant: 1 or 2: two different files of the same size
 *
 * Returns: the first @size bytes of a pseudo-random file, the same in every run
 */
GBytes *
haul_test_server_content (HaulTestServer *server,
                          gsize           size,
                          guint           variant)
{
  g_assert_cmpuint (size, <=, MASTER_SIZE);
  g_assert (variant == 1 || variant == 2);

  if (server->masters[variant] == NULL)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (variant * 7919);
      guint32 *data = g_malloc (MASTER_SIZE);

      for (gsize i = 0; i < MASTER_SIZE / 4; i++)
        data[i] = g_rand_int (rand);
      server->masters[variant] = g_bytes_new_take (data, MASTER_SIZE);
    }
  return g_bytes_new_from_bytes (server->masters[variant], 0, size);
}

guint64
haul_test_server_bytes_sent (HaulTestServer *server)
{
  return server->bytes_sent;
}

GPtrArray *
haul_test_server_requests (HaulTestServer *server)
{
  return server->requests;
}

void
haul_test_server_set_shared (HaulTestServer *server,
                             guint           variant)
{
  server->shared_variant = variant;
}

/* ---- running haulctl ---------------------------------------------------------------- */

static gboolean
on_test_timeout_cb (gpointer user_data)
{
  g_error ("Timed out waiting for %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

void
haul_test_run_clear (HaulTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

GSubprocess *
haul_test_spawn_haulctl_argv (const char * const *argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *haulctl = g_getenv ("HAULCTL");
  GSubprocess *proc;

  g_assert_nonnull (haulctl);
  g_ptr_array_add (args, (char *) haulctl);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  g_ptr_array_add (args, NULL);

  proc = g_subprocess_newv ((const char * const *) args->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  return proc;
}

typedef struct
{
  gboolean  done;
  char     *out;
  char     *err;
} Communicate;

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Communicate *c = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &c->out, &c->err, &error);
  g_assert_no_error (error);
  c->done = TRUE;
}

/* Iterates the main context (where the test server lives) until @proc exits. */
static void
wait_communicate (GSubprocess *proc,
                  Communicate *c)
{
  guint guard = g_timeout_add_seconds (120, on_test_timeout_cb, (gpointer) "haulctl");

  g_subprocess_communicate_utf8_async (proc, NULL, NULL, communicate_cb, c);
  while (!c->done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
  g_subprocess_wait (proc, NULL, NULL);
}

void
haul_test_wait_subprocess (GSubprocess *proc)
{
  Communicate c = { 0 };

  wait_communicate (proc, &c);
  if (c.err != NULL && *c.err != '\0')
    g_test_message ("stderr: %s", c.err);
  g_free (c.out);
  g_free (c.err);
}

void
haul_test_run_haulctl_argv (HaulTestRun        *run,
                            const char * const *argv)
{
  g_autoptr(GSubprocess) proc = haul_test_spawn_haulctl_argv (argv);

  haul_test_finish_haulctl (run, proc);
}

/* Waits for a haulctl started with haul_test_spawn_haulctl_argv(), and keeps its output. */
void
haul_test_finish_haulctl (HaulTestRun *run,
                          GSubprocess *proc)
{
  Communicate c = { 0 };

  wait_communicate (proc, &c);
  haul_test_run_clear (run);
  run->out = c.out;
  run->err = c.err;
  g_assert_true (g_subprocess_get_if_exited (proc));
  run->status = g_subprocess_get_exit_status (proc);
  g_test_message ("haulctl exit %d; stderr: %s", run->status, run->err);
}

void
haul_test_run_haulctl (HaulTestRun *run,
                       const char  *first_arg,
                       ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const char *a = first_arg; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  haul_test_run_haulctl_argv (run, (const char * const *) args->pdata);
}

/**
 * haul_test_signal_when_part_grows:
 * @argv: haulctl's arguments
 * @part: the `.part` file it writes
 * @min_size: how large @part must get first
 * @signum: the signal to send then
 *
 * Runs haulctl until @part holds more than @min_size bytes, then sends @signum and waits
 * for the process to end.
 *
 * Returns: (transfer full): the ended process
 */
GSubprocess *
haul_test_signal_when_part_grows (const char * const *argv,
                                  const char         *part,
                                  goffset             min_size,
                                  int                 signum)
{
  GSubprocess *proc = haul_test_spawn_haulctl_argv (argv);
  GStatBuf st;

  for (guint i = 0; i < 400; i++)
    {
      haul_test_iterate_for (25);
      if (g_stat (part, &st) == 0 && st.st_size > min_size)
        break;
    }
  g_subprocess_send_signal (proc, signum);
  haul_test_wait_subprocess (proc);
  return proc;
}

static gboolean
iterate_done_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
haul_test_iterate_for (guint milliseconds)
{
  gboolean done = FALSE;

  g_timeout_add (milliseconds, iterate_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* ---- files -------------------------------------------------------------------------- */

/* A fresh directory for @name, unique to this process: nothing of an earlier run leaks in. */
char *
haul_test_make_tempdir (const char *name)
{
  static char *root;
  g_autofree char *path = NULL;

  if (root == NULL)
    {
      g_autoptr(GError) error = NULL;

      root = g_dir_make_tmp ("haul-test-XXXXXX", &error);
      g_assert_no_error (error);
    }
  path = g_build_filename (root, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  return g_steal_pointer (&path);
}

/* Empties and removes a directory of haul_test_make_tempdir(). */
void
haul_test_remove_tempdir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  for (const char *n; dir != NULL && (n = g_dir_read_name (dir)) != NULL;)
    {
      g_autofree char *file = g_build_filename (path, n, NULL);
      g_unlink (file);
    }
  g_rmdir (path);
}

void
haul_test_assert_file_equals (const char *path,
                              GBytes     *expected)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, g_bytes_get_size (expected));
  g_assert_true (memcmp (contents, g_bytes_get_data (expected, NULL), length) == 0);
}

gboolean
haul_test_file_exists (const char *dir,
                       const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}
