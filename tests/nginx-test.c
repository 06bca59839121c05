/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "nginx-test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <utime.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "haul-test-utils.h"

#define MiB (1024 * 1024)

/* One nginx for the whole file, on loopback, with ranges, ETags and sendfile as it ships. */
static GSubprocess *nginx;
static char        *prefix;
static char        *root;
static char        *base_uri;
static char        *access_log;

static GBytes *
random_bytes (gsize   size,
              guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint32 *data = g_malloc (size);

  for (gsize i = 0; i < size / 4; i++)
    data[i] = g_rand_int (rand);
  return g_bytes_new_take (data, size);
}

static void
put_file (const char *name,
          GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (root, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
start_nginx (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *tmp = NULL;
  guint16 port = free_port ();

  prefix = haul_test_make_tempdir ("nginx");
  root = g_build_filename (prefix, "www", NULL);
  tmp = g_build_filename (prefix, "tmp", NULL);
  g_assert_cmpint (g_mkdir_with_parents (root, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (tmp, 0700), ==, 0);
  access_log = g_build_filename (prefix, "access.log", NULL);
  conf_path = g_build_filename (prefix, "nginx.conf", NULL);

  /* One process as this user (no master, no workers as "nobody"), in the foreground. */
  conf = g_strdup_printf (
    "daemon off;\n"
    "master_process off;\n"
    "pid %s/nginx.pid;\n"
    "error_log %s/error.log;\n"
    "events { worker_connections 64; }\n"
    "http {\n"
    "  log_format ranges '$uri $status \"$http_range\" \"$http_if_range\" $body_bytes_sent';\n"
    "  access_log %s ranges;\n"
    "  client_body_temp_path %s; proxy_temp_path %s; fastcgi_temp_path %s;\n"
    "  uwsgi_temp_path %s; scgi_temp_path %s;\n"
    "  sendfile on;\n"
    "  server {\n"
    "    listen 127.0.0.1:%u;\n"
    "    root %s;\n"
    "    location /slow/ { alias %s/; limit_rate 4m; }\n"
    "  }\n"
    "}\n",
    prefix, prefix, access_log, tmp, tmp, tmp, tmp, tmp, port, root, root);
  g_file_set_contents (conf_path, conf, -1, &error);
  g_assert_no_error (error);

  nginx = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                            "nginx", "-p", prefix, "-c", conf_path, "-e", "stderr", NULL);
  g_assert_no_error (error);

  base_uri = g_strdup_printf ("http://127.0.0.1:%u/", port);

  /* Wait until it accepts connections. */
  for (guint i = 0; ; i++)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) connection = NULL;
      g_autoptr(GError) connect_error = NULL;

      connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &connect_error);
      if (connection != NULL)
        break;
      g_assert_cmpuint (i, <, 200);
      g_usleep (25 * 1000);
    }
}

static void
stop_nginx (void)
{
  g_subprocess_send_signal (nginx, SIGQUIT);
  g_subprocess_wait (nginx, NULL, NULL);
  g_clear_object (&nginx);
}

static char *
read_log (void)
{
  char *contents = NULL;

  g_file_get_contents (access_log, &contents, NULL, NULL);
  return contents != NULL ? contents : g_strdup ("");
}

static guint
count_lines (const char *log,
             const char *prefix_text,
             const char *contains)
{
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix_text) && strstr (lines[i], contains) != NULL)
        n++;
    }
  return n;
}

static int
get (const char  *path,
     const char  *out,
     const char  *segments,
     HaulTestRun *run)
{
  g_autofree char *uri = g_strconcat (base_uri, path, NULL);
  const char *argv[] = { "get", uri, "-o", out, "-s", segments, "--json", NULL };

  haul_test_run_haulctl_argv (run, argv);
  return run->status;
}

static gint64
json_int (const char *text,
          const char *member)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), member);
}

static void
test_single (void)
{
  g_autoptr(GBytes) content = random_bytes (3 * MiB, 1);
  g_autofree char *out = g_build_filename (prefix, "single.bin", NULL);
  g_auto(HaulTestRun) run = { 0 };

  put_file ("single.bin", content);
  g_assert_cmpint (get ("single.bin", out, "1", &run), ==, 0);
  haul_test_assert_file_equals (out, content);
}

static void
test_segmented (void)
{
  g_autoptr(GBytes) content = random_bytes (40 * MiB, 2);
  g_autofree char *out = g_build_filename (prefix, "big.bin", NULL);
  g_autofree char *log = NULL;
  g_auto(HaulTestRun) run = { 0 };

  put_file ("big.bin", content);
  g_assert_cmpint (get ("big.bin", out, "8", &run), ==, 0);
  haul_test_assert_file_equals (out, content);

  /* The first request takes segment 0; the others asked nginx for ranges. */
  log = read_log ();
  g_test_message ("%s", log);
  g_assert_cmpuint (count_lines (log, "/big.bin 206", "bytes="), >=, 7);
}

static void
test_etag_resume (void)
{
  g_autoptr(GBytes) content = random_bytes (24 * MiB, 3);
  g_autofree char *uri = g_strconcat (base_uri, "slow/resume.bin", NULL);
  g_autofree char *out = g_build_filename (prefix, "resume.bin", NULL);
  g_autofree char *part = g_strconcat (out, ".part", NULL);
  g_autofree char *log = NULL;
  const char *argv[] = { "get", uri, "-o", out, "-s", "1", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_auto(HaulTestRun) run = { 0 };

  put_file ("resume.bin", content);
  proc = haul_test_signal_when_part_grows (argv, part, 2 * MiB, SIGKILL);

  g_assert_cmpint (get ("slow/resume.bin", out, "1", &run), ==, 0);
  haul_test_assert_file_equals (out, content);
  g_assert_cmpint (json_int (run.out, "resumed_from"), >, 2 * MiB);

  /* nginx saw a range guarded by its own strong ETag. */
  log = read_log ();
  g_assert_cmpuint (count_lines (log, "/slow/resume.bin 206", "\"\\x22"), ==, 1);
}

static void
test_etag_changed (void)
{
  g_autoptr(GBytes) first = random_bytes (24 * MiB, 4);
  g_autoptr(GBytes) second = random_bytes (24 * MiB, 5);
  g_autofree char *uri = g_strconcat (base_uri, "slow/changing.bin", NULL);
  g_autofree char *out = g_build_filename (prefix, "changing.bin", NULL);
  g_autofree char *part = g_strconcat (out, ".part", NULL);
  g_autofree char *path = g_build_filename (root, "changing.bin", NULL);
  const char *argv[] = { "get", uri, "-o", out, "-s", "1", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_auto(HaulTestRun) run = { 0 };
  struct utimbuf times = { 1700000000, 1700000000 };

  put_file ("changing.bin", first);
  proc = haul_test_signal_when_part_grows (argv, part, 2 * MiB, SIGKILL);

  /* The file changes on the server (same size, new mtime, so a new ETag). */
  put_file ("changing.bin", second);
  g_assert_cmpint (g_utime (path, &times), ==, 0);

  g_assert_cmpint (get ("slow/changing.bin", out, "1", &run), ==, 0);
  haul_test_assert_file_equals (out, second);
  g_assert_nonnull (strstr (run.err, "The file changed on the server; starting over"));
}

int
main (int    argc,
      char **argv)
{
  int status;

  haul_test_init (&argc, &argv);
  start_nginx ();

  g_test_add_func ("/nginx/single", test_single);
  g_test_add_func ("/nginx/segmented", test_segmented);
  g_test_add_func ("/nginx/etag-resume", test_etag_resume);
  g_test_add_func ("/nginx/etag-changed", test_etag_changed);

  status = g_test_run ();
  stop_nginx ();
  return status;
}
