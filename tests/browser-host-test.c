/* SPDX-License-Identifier: GPL-3.0-or-later */
/* haul-browser-host, fed framed messages as a browser sends them: every malformed case of
 * docs/browser-protocol.md gets its named error (or, where the framing itself breaks, a
 * clean exit); an add arrives at the service on the private bus as a transfer with its
 * Cookie, Referer and User-Agent, in the user's download folder; a service not running is
 * started; one that cannot be gets `service-unavailable`. */
#include "config.h"

#include <string.h>

#include "daemon-test-utils.h"

typedef struct
{
  gboolean  done;
  GBytes   *out;
  int       status;
} Run;

static void
communicated_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_finish (G_SUBPROCESS (object), result, &run->out, NULL, &error);
  g_assert_no_error (error);
  run->done = TRUE;
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *exited = TRUE;
}

/* Runs the host with @input on its stdin (then end of input) and, when @bus is not
 * %NULL, that bus address as the session bus; returns what it wrote. */
static GBytes *
run_host (GBytes     *input,
          const char *bus,
          int        *status)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  gboolean exited = FALSE;
  Run run = { 0 };

  if (bus != NULL)
    g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", bus, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("HAUL_BROWSER_HOST"),
                                      "chrome-extension://eakjheplncippikanndjojccdcpnfgem/", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_async (proc, input, NULL, communicated_cb, &run);
  WAIT_FOR ("the host to answer", run.done);
  g_subprocess_wait_async (proc, NULL, wait_cb, &exited);
  WAIT_FOR ("the host to exit", exited);
  g_assert_true (g_subprocess_get_if_exited (proc));
  *status = g_subprocess_get_exit_status (proc);
  return run.out;
}

static void
append_frame (GByteArray *input,
              const char *body,
              gssize      length)
{
  guint32 prefix;

  if (length < 0)
    length = (gssize) strlen (body);
  prefix = (guint32) length;
  g_byte_array_append (input, (const guint8 *) &prefix, sizeof prefix);
  g_byte_array_append (input, (const guint8 *) body, (guint) length);
}

/* The replies in @out, each parsed; fails on a broken frame. */
static GPtrArray *
replies_of (GBytes *out)
{
  GPtrArray *replies = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  gsize size;
  const guint8 *data = g_bytes_get_data (out, &size);

  while (size > 0)
    {
      g_autofree char *text = NULL;
      guint32 length;

      g_assert_cmpuint (size, >=, sizeof length);
      memcpy (&length, data, sizeof length);
      g_assert_cmpuint (size - sizeof length, >=, length);
      text = g_strndup ((const char *) data + sizeof length, length);
      g_test_message ("reply: %s", text);
      g_ptr_array_add (replies, parse_json (text));
      data += sizeof length + length;
      size -= sizeof length + length;
    }
  return replies;
}

static const char *
member (JsonNode   *reply,
        const char *name)
{
  JsonObject *object = json_node_get_object (reply);

  if (!json_object_has_member (object, name))
    return NULL;
  return json_object_get_string_member (object, name);
}

/* ---- framing and checks: no bus needed ------------------------------------------------- */

typedef struct
{
  const char *body;
  const char *error;
} Case;

static const Case malformed[] = {
  { "", "not-json" },
  { "not json", "not-json" },
  { "{\"type\": \"status\"", "not-json" },
  { "[1, 2]", "not-object" },
  { "\"status\"", "not-object" },
  { "42", "not-object" },
  { "{}", "unknown-type" },
  { "{\"type\": 1}", "unknown-type" },
  { "{\"type\": \"remove\"}", "unknown-type" },
  { "{\"type\": \"status\", \"verbose\": true}", "bad-field" },
  { "{\"type\": \"status\", \"tag\": [1]}", "bad-field" },
  { "{\"type\": \"add\"}", "bad-field" },
  { "{\"type\": \"add\", \"url\": 7}", "bad-field" },
  { "{\"type\": \"add\", \"url\": \"\"}", "bad-field" },
  { "{\"type\": \"add\", \"url\": \"http://127.0.0.1/a\", \"referrer\": 1}", "bad-field" },
  { "{\"type\": \"add\", \"url\": \"http://127.0.0.1/a\", \"cookies\": {\"a\": \"b\"}}", "bad-field" },
  { "{\"type\": \"add\", \"url\": \"http://127.0.0.1/a\", \"userAgent\": false}", "bad-field" },
  { "{\"type\": \"add\", \"url\": \"http://127.0.0.1/a\", \"filename\": [\"x\"]}", "bad-field" },
  { "{\"type\": \"add\", \"url\": \"http://127.0.0.1/a\", \"size\": \"12\"}", "bad-field" },
  { "{\"type\": \"add\", \"url\": \"http://127.0.0.1/a\", \"size\": 1.5}", "bad-field" },
  { "{\"type\": \"add\", \"url\": \"http://127.0.0.1/a\", \"size\": -1}", "bad-field" },
  { "{\"type\": \"add\", \"url\": \"http://127.0.0.1/a\", \"directory\": \"/etc\"}", "bad-field" },
  { "{\"type\": \"add\", \"url\": \"http://127.0.0.1/a\", \"headers\": {\"Authorization\": \"x\"}}", "bad-field" },
  { "{\"type\": \"add\", \"url\": \"file:///etc/passwd\"}", "bad-url" },
  { "{\"type\": \"add\", \"url\": \"javascript:alert(1)\"}", "bad-url" },
  { "{\"type\": \"add\", \"url\": \"ftp://127.0.0.1/a\"}", "bad-url" },
  { "{\"type\": \"add\", \"url\": \"http://\"}", "bad-url" },
  { "{\"type\": \"add\", \"url\": \"http://127.0.0.1/a\", \"referrer\": \"chrome://settings\"}", "bad-url" },
  { "{\"type\": \"add\", \"url\": \"http://127.0.0.1/a\", \"cookies\": \"a=b\\r\\nX-Evil: 1\"}", "bad-header" },
  { "{\"type\": \"add\", \"url\": \"http://127.0.0.1/a\", \"userAgent\": \"UA\\nHost: evil\"}", "bad-header" },
  { "{\"type\": \"add\", \"url\": \"http://127.0.0.1/a\", \"cookies\": \"a=\\u0001\"}", "bad-header" },
};

/* Every case in one run, in order, one answer each with its tag; then the end of input
 * ends the host with status 0. */
static void
test_malformed (void)
{
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GBytes) in = NULL;
  g_autofree char *deep = NULL;
  int status = -1;

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    append_frame (input, malformed[i].body, -1);
  /* Not UTF-8; a NUL inside; nesting a parser would recurse into; a tag of each kind. */
  append_frame (input, "{\"type\": \"st\xff\xfe\"}", -1);
  append_frame (input, "{\"type\": \"status\"}\0garbage", 26);
  deep = g_strnfill (200000, '[');
  append_frame (input, deep, -1);
  append_frame (input, "{\"type\": \"remove\", \"tag\": 7}", -1);
  append_frame (input, "{\"type\": \"add\", \"tag\": \"req-1\", \"url\": \"gopher://x\"}", -1);

  in = g_byte_array_free_to_bytes (g_steal_pointer (&input));
  out = run_host (in, "unix:path=/nonexistent/haul-test-bus", &status);
  g_assert_cmpint (status, ==, 0);
  replies = replies_of (out);
  g_assert_cmpuint (replies->len, ==, G_N_ELEMENTS (malformed) + 5);

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      JsonNode *reply = g_ptr_array_index (replies, i);

      g_test_message ("case %u: %s", i, malformed[i].body);
      g_assert_cmpstr (member (reply, "type"), ==, "error");
      g_assert_cmpstr (member (reply, "error"), ==, malformed[i].error);
      g_assert_nonnull (member (reply, "message"));
      g_assert_cmpuint (strlen (member (reply, "message")), >, 10);
    }
  g_assert_cmpstr (member (g_ptr_array_index (replies, G_N_ELEMENTS (malformed)), "error"), ==, "not-utf8");
  g_assert_cmpstr (member (g_ptr_array_index (replies, G_N_ELEMENTS (malformed) + 1), "error"), ==, "not-utf8");
  g_assert_cmpstr (member (g_ptr_array_index (replies, G_N_ELEMENTS (malformed) + 2), "error"), ==, "not-json");
  {
    JsonObject *numbered = json_node_get_object (g_ptr_array_index (replies, G_N_ELEMENTS (malformed) + 3));
    JsonNode *named = g_ptr_array_index (replies, G_N_ELEMENTS (malformed) + 4);

    g_assert_cmpstr (json_object_get_string_member (numbered, "error"), ==, "unknown-type");
    g_assert_cmpint (json_object_get_int_member (numbered, "tag"), ==, 7);
    g_assert_cmpstr (member (named, "error"), ==, "bad-url");
    g_assert_cmpstr (member (named, "tag"), ==, "req-1");
  }
}

/* The framing broken: nobody can be answered, the host ends with status 1. */
static void
test_broken_framing (void)
{
  static const struct
  {
    const char *what;
    const char *data;
    gsize       length;
  } cases[] = {
    { "half a length", "\x10\x00", 2 },
    { "a body shorter than its length", "\x40\x00\x00\x00{\"type\"", 11 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) in = g_bytes_new_static (cases[i].data, cases[i].length);
      g_autoptr(GBytes) out = NULL;
      int status = -1;

      g_test_message ("%s", cases[i].what);
      out = run_host (in, "unix:path=/nonexistent/haul-test-bus", &status);
      g_assert_cmpint (status, ==, 1);
      g_assert_cmpuint (g_bytes_get_size (out), ==, 0);
    }
}

/* No input at all is the normal end; over the limit is answered, then the end. */
static void
test_limits (void)
{
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(GBytes) in = NULL;
  g_autofree char *big = NULL;
  guint32 huge = 0x7fffffff;
  int status = -1;

  out = run_host (empty, "unix:path=/nonexistent/haul-test-bus", &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (g_bytes_get_size (out), ==, 0);
  g_clear_pointer (&out, g_bytes_unref);

  /* 1 MiB exactly is read (and refused for what it says); one byte more is too large. */
  big = g_strnfill (1024 * 1024, ' ');
  big[0] = '"';
  big[1024 * 1024 - 1] = '"';
  append_frame (input, big, 1024 * 1024);
  g_byte_array_append (input, (const guint8 *) &huge, sizeof huge);
  g_byte_array_append (input, (const guint8 *) "{}", 2);
  in = g_byte_array_free_to_bytes (g_steal_pointer (&input));
  out = run_host (in, "unix:path=/nonexistent/haul-test-bus", &status);
  g_assert_cmpint (status, ==, 1);
  replies = replies_of (out);
  g_assert_cmpuint (replies->len, ==, 2);
  g_assert_cmpstr (member (g_ptr_array_index (replies, 0), "error"), ==, "not-object");
  g_assert_cmpstr (member (g_ptr_array_index (replies, 1), "error"), ==, "too-large");
}

/* No session bus: both requests say so by name, nothing crashes. */
static void
test_no_bus (void)
{
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(GBytes) in = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  JsonObject *status_reply;
  int status = -1;

  append_frame (input, "{\"type\": \"status\"}", -1);
  append_frame (input, "{\"type\": \"add\", \"url\": \"http://127.0.0.1:9/a\"}", -1);
  in = g_byte_array_free_to_bytes (g_steal_pointer (&input));
  out = run_host (in, "unix:path=/nonexistent/haul-test-bus", &status);
  g_assert_cmpint (status, ==, 0);
  replies = replies_of (out);
  g_assert_cmpuint (replies->len, ==, 2);
  status_reply = json_node_get_object (g_ptr_array_index (replies, 0));
  g_assert_cmpstr (json_object_get_string_member (status_reply, "type"), ==, "status");
  g_assert_false (json_object_get_boolean_member (status_reply, "reachable"));
  g_assert_cmpstr (json_object_get_string_member (status_reply, "error"), ==, "service-unavailable");
  g_assert_cmpstr (member (g_ptr_array_index (replies, 1), "error"), ==, "service-unavailable");
}

/* ---- with the service ------------------------------------------------------------------ */

/* Where the service saves when the user did not choose: the XDG download folder. */
static char *
make_download_folder (void)
{
  g_autofree char *dirs = g_build_filename (g_get_user_config_dir (), "user-dirs.dirs", NULL);
  g_autofree char *text = NULL;
  char *folder = g_build_filename (g_get_home_dir (), "Downloads", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_no_errno (g_mkdir_with_parents (g_get_user_config_dir (), 0700));
  g_assert_no_errno (g_mkdir_with_parents (folder, 0700));
  text = g_strdup_printf ("XDG_DOWNLOAD_DIR=\"%s\"\n", folder);
  g_file_set_contents (dirs, text, -1, &error);
  g_assert_no_error (error);
  return folder;
}

static void
fixture_down_setup (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *folder = make_download_folder ();

  fixture_setup (f, data);
  /* Each test starts with the service not running: the host must start it. */
  haul_manager1_call_quit_sync (f->manager, NULL, NULL);
  WAIT_FOR ("the daemon to exit", !name_has_owner (f));
}

static void
test_add (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (g_get_home_dir (), "Downloads", NULL);
  g_autofree char *uri = haul_test_server_uri (f->server, "/file?size=300000");
  g_autofree char *request = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *outside = NULL;
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(GBytes) in = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(HaulTransfer1) transfer = NULL;
  GPtrArray *requests;
  JsonObject *added;
  guint id;
  int status = -1;

  request = g_strdup_printf ("{\"type\": \"add\", \"tag\": 3, \"url\": \"%s\", "
                             "\"referrer\": \"http://127.0.0.1/files\", "
                             "\"cookies\": \"session=s3cret; theme=dark\", "
                             "\"userAgent\": \"Mozilla/5.0 (X11; Linux x86_64) HaulTest/1\", "
                             "\"filename\": \"../../escape/report 2026.pdf\", \"size\": 300000}",
                             uri);
  append_frame (input, request, -1);
  in = g_byte_array_free_to_bytes (g_steal_pointer (&input));
  g_assert_false (name_has_owner (f));
  out = run_host (in, NULL, &status);
  g_assert_cmpint (status, ==, 0);
  replies = replies_of (out);
  g_assert_cmpuint (replies->len, ==, 1);
  added = json_node_get_object (g_ptr_array_index (replies, 0));
  g_assert_cmpstr (json_object_get_string_member (added, "type"), ==, "added");
  g_assert_cmpint (json_object_get_int_member (added, "tag"), ==, 3);
  id = (guint) json_object_get_int_member (added, "id");
  g_assert_cmpuint (id, >, 0);

  /* The host started the service; the transfer is there and completes. */
  g_assert_true (name_has_owner (f));
  transfer = transfer_proxy (f, id);
  WAIT_FOR ("the transfer to complete", state_is (transfer, "completed"));
  g_assert_cmpstr (haul_transfer1_get_directory (transfer), ==, folder);
  g_assert_cmpstr (haul_transfer1_get_file_name (transfer), ==, "report 2026.pdf");
  saved = g_build_filename (folder, "report 2026.pdf", NULL);
  expected = haul_test_server_content (f->server, 300000, 1);
  haul_test_assert_file_equals (saved, expected);
  outside = g_build_filename (g_get_home_dir (), "escape", NULL);
  g_assert_false (g_file_test (outside, G_FILE_TEST_EXISTS));

  /* Every request carried the browser's three headers, and nothing else of it. */
  requests = haul_test_server_requests (f->server);
  g_assert_cmpuint (requests->len, >=, 1);
  for (guint i = 0; i < requests->len; i++)
    {
      HaulTestRequest *req = g_ptr_array_index (requests, i);

      g_assert_cmpstr (req->cookie, ==, "session=s3cret; theme=dark");
      g_assert_cmpstr (req->referer, ==, "http://127.0.0.1/files");
      g_assert_cmpstr (req->user_agent, ==, "Mozilla/5.0 (X11; Linux x86_64) HaulTest/1");
    }
}

/* A status request starts the service and reads its version. */
static void
test_status_activates (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(GBytes) in = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  JsonObject *reply;
  int status = -1;

  g_assert_false (name_has_owner (f));
  append_frame (input, "{\"type\": \"status\", \"tag\": \"popup\"}", -1);
  in = g_byte_array_free_to_bytes (g_steal_pointer (&input));
  out = run_host (in, NULL, &status);
  g_assert_cmpint (status, ==, 0);
  replies = replies_of (out);
  g_assert_cmpuint (replies->len, ==, 1);
  reply = json_node_get_object (g_ptr_array_index (replies, 0));
  g_assert_cmpstr (json_object_get_string_member (reply, "type"), ==, "status");
  g_assert_cmpstr (json_object_get_string_member (reply, "tag"), ==, "popup");
  g_assert_true (json_object_get_boolean_member (reply, "reachable"));
  g_assert_cmpstr (json_object_get_string_member (reply, "version"), ==, PACKAGE_VERSION);
  g_assert_true (name_has_owner (f));
}

/* A bus without Haul's service: `service-unavailable` for both requests. */
static void
test_not_installable (void)
{
  g_autofree char *dir = haul_test_make_tempdir ("bare-bus");
  g_autofree char *config = g_build_filename (dir, "bus.conf", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GSubprocess) bus = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(GBytes) in = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *reply;
  int status = -1;

  text = g_strdup_printf ("<busconfig><type>session</type><listen>unix:dir=%s</listen>"
                          "<auth>EXTERNAL</auth><policy context=\"default\">"
                          "<allow send_destination=\"*\" eavesdrop=\"true\"/>"
                          "<allow eavesdrop=\"true\"/><allow own=\"*\"/>"
                          "<allow receive_sender=\"*\"/><allow user=\"*\"/></policy>"
                          "</busconfig>", dir);
  g_file_set_contents (config, text, -1, &error);
  g_assert_no_error (error);
  /* Its stderr is not ours: a failed assertion must not leave it holding the test's. */
  bus = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                          &error, "dbus-daemon", "--nofork",
                          "--print-address=1", "--config-file", config, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bus));
  address = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);

  append_frame (input, "{\"type\": \"status\"}", -1);
  append_frame (input, "{\"type\": \"add\", \"url\": \"http://127.0.0.1:9/a\"}", -1);
  in = g_byte_array_free_to_bytes (g_steal_pointer (&input));
  out = run_host (in, address, &status);
  g_assert_cmpint (status, ==, 0);
  replies = replies_of (out);
  g_assert_cmpuint (replies->len, ==, 2);
  reply = json_node_get_object (g_ptr_array_index (replies, 0));
  g_assert_false (json_object_get_boolean_member (reply, "reachable"));
  g_assert_cmpstr (json_object_get_string_member (reply, "error"), ==, "service-unavailable");
  g_assert_nonnull (strstr (json_object_get_string_member (reply, "message"), "io.github.haul.Daemon"));
  g_assert_cmpstr (member (g_ptr_array_index (replies, 1), "error"), ==, "service-unavailable");

  g_subprocess_force_exit (bus);
  g_subprocess_wait (bus, NULL, NULL);
  haul_test_remove_tempdir (dir);
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add_func ("/browser-host/malformed", test_malformed);
  g_test_add_func ("/browser-host/broken-framing", test_broken_framing);
  g_test_add_func ("/browser-host/limits", test_limits);
  g_test_add_func ("/browser-host/no-bus", test_no_bus);
  g_test_add_func ("/browser-host/not-installable", test_not_installable);
  g_test_add ("/browser-host/add", Fixture, NULL, fixture_down_setup, test_add, fixture_teardown);
  g_test_add ("/browser-host/status-activates", Fixture, NULL, fixture_down_setup,
              test_status_activates, fixture_teardown);

  return g_test_run ();
}
