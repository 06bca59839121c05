/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "daemon-kinds-test"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "daemon-test-utils.h"

/* The machine-readable reasons of Transfer1: each ErrorKind is set by the case that
 * causes it, each WaitReason (and RetryAt) by its condition. Runs in a mount namespace of
 * its own (tests/run-isolated.sh --mounts): HAUL_TEST_TINY is a full-to-be 1 MiB file
 * system, HAUL_TEST_READONLY a read-only one; HAUL_TEST_RETRIES makes tries quick and
 * few (two). */

/* A URL on a port where nothing listens. */
static char *
dead_uri (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_listener_close (listener);
  return g_strdup_printf ("http://127.0.0.1:%u/dead.bin", port);
}

static HaulTransfer1 *
add_uri (Fixture    *f,
         const char *uri,
         GVariant   *options)
{
  g_autofree char *object_path = NULL;
  g_autoptr(GError) error = NULL;
  HaulTransfer1 *transfer;

  haul_manager1_call_add_sync (f->manager, uri, options, &object_path, NULL, &error);
  g_assert_no_error (error);
  transfer = haul_transfer1_proxy_new_sync (f->connection, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME,
                                            object_path, NULL, &error);
  g_assert_no_error (error);
  return transfer;
}

static void
assert_fails_as (HaulTransfer1 *transfer,
                 const char    *kind)
{
  WAIT_FOR ("the failure", state_is (transfer, "failed"));
  g_test_message ("%s: %s", haul_transfer1_get_error_kind (transfer),
                  haul_transfer1_get_error (transfer));
  g_assert_cmpstr (haul_transfer1_get_error_kind (transfer), ==, kind);
  g_assert_cmpstr (haul_transfer1_get_wait_reason (transfer), ==, "");
  g_assert_cmpint (haul_transfer1_get_retry_at (transfer), ==, 0);
}

/* How many requests the server had for @path. */
static guint
requests_for (Fixture    *f,
              const char *path)
{
  GPtrArray *requests = haul_test_server_requests (f->server);
  guint n = 0;

  for (guint i = 0; i < requests->len; i++)
    n += g_str_has_prefix (((HaulTestRequest *) g_ptr_array_index (requests, i))->path, path);
  return n;
}

/* Whether string property @name of transfer @id is @value, read from the service now. */
static gboolean
property_is (Fixture    *f,
             guint       id,
             const char *name,
             const char *value)
{
  g_autofree char *path = haul_transfer_object_path (id);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) current = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_sync (f->connection, BUS_NAME, path,
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", "io.github.haul.Transfer1", name),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &current);
  return g_strcmp0 (g_variant_get_string (current, NULL), value) == 0;
}

static GVariant *
in_directory (const char *directory,
              const char *key,
              GVariant   *value)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "directory", g_variant_new_string (directory));
  if (key != NULL)
    g_variant_builder_add (&builder, "{sv}", key, value);
  return g_variant_builder_end (&builder);
}

static void
test_error_kinds (Fixture       *f,
                  gconstpointer  data)
{
  const char *tiny = g_getenv ("HAUL_TEST_TINY");
  const char *readonly = g_getenv ("HAUL_TEST_READONLY");
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *dead = dead_uri ();
  g_autofree char *fifo = g_build_filename (f->dir, "fifo", NULL);
  HaulTestServer *tls = haul_test_server_new (TRUE);
  g_autofree char *tls_uri = haul_test_server_uri (tls, "/secure.bin");
  g_autofree char *big_uri = haul_test_server_uri (f->server, "/big.bin?size=3145728");
  g_autoptr(GError) error = NULL;
  HaulTransfer1 *t;
  static const struct {
    const char *path;
    const char *kind;
  } statuses[] = {
    { "/e400.bin?status=400&times=100", "http-client" },
    { "/e401.bin?status=401&times=100", "link-expired" },
    { "/e403.bin?status=403&times=100", "link-expired" },
    { "/e410.bin?status=410&times=100", "link-expired" },
    { "/e404.bin?status=404&times=100", "not-found" },
    { "/e500.bin?status=500&times=100", "server" },
    { "/e503.bin?status=503&times=100", "server" },
  };

  g_assert_nonnull (tiny);
  g_assert_nonnull (readonly);

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      t = add (f, statuses[i].path, options_in_dir (f, NULL, NULL));
      assert_fails_as (t, statuses[i].kind);
      g_ptr_array_add (kept, t);
    }

  /* The connection refused, on every try. */
  t = add_uri (f, dead, options_in_dir (f, NULL, NULL));
  assert_fails_as (t, "network");
  g_ptr_array_add (kept, t);

  /* A certificate nobody vouches for. */
  t = add_uri (f, tls_uri, options_in_dir (f, NULL, NULL));
  assert_fails_as (t, "tls");
  g_ptr_array_add (kept, t);

  t = add (f, "/sum.bin", options_in_dir (f, "sha256", g_variant_new_string (
             "0000000000000000000000000000000000000000000000000000000000000000")));
  assert_fails_as (t, "checksum");
  g_ptr_array_add (kept, t);

  /* 3 MiB into a 1 MiB file system; a directory that cannot be written to. */
  t = add_uri (f, big_uri, in_directory (tiny, NULL, NULL));
  assert_fails_as (t, "disk-full");
  g_ptr_array_add (kept, t);
  t = add (f, "/ro.bin", in_directory (readonly, NULL, NULL));
  assert_fails_as (t, "permission");
  g_ptr_array_add (kept, t);

  /* Anything else of the files here: a FIFO asked to be overwritten. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  t = add (f, "/fifo", g_variant_new_parsed ("{'directory': <%s>, 'filename': <'fifo'>, 'overwrite': <true>}",
                                             f->dir));
  assert_fails_as (t, "local-io");
  g_ptr_array_add (kept, t);

  /* The kind is shown after a restart too; a resume clears it. */
  {
    g_autoptr(HaulTransfer1) again = NULL;
    guint asked;

    quit_daemon (f);
    reactivate (f);
    again = transfer_proxy (f, 3);
    g_assert_cmpstr (haul_transfer1_get_state (again), ==, "failed");
    g_assert_cmpstr (haul_transfer1_get_error_kind (again), ==, "link-expired");
    asked = requests_for (f, "/e403.bin");
    haul_transfer1_call_resume_sync (again, NULL, &error);
    g_assert_no_error (error);
    /* Asked of the service itself rather than of the proxy's cache: a proxy made just
     * after a restart may be told of the old owner's exit after it loaded, and the quick
     * queued-running-failed of a refusal comes in one PropertiesChanged. */
    WAIT_FOR ("the retry's request", requests_for (f, "/e403.bin") > asked);
    WAIT_FOR ("the failure again", property_is (f, 3, "State", "failed"));
    g_assert_true (property_is (f, 3, "ErrorKind", "link-expired"));
  }
  haul_test_server_free (tls);
}

static void
test_wait_reasons (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(HaulTransfer1) plain = NULL;
  g_autoptr(HaulTransfer1) careful = NULL;
  g_autoptr(HaulTransfer1) busy = NULL;
  gint64 now;

  plain = add (f, "/plain.bin?size=2097152&drip=400000", options_in_dir (f, NULL, NULL));
  careful = add (f, "/careful.bin?size=2097152&drip=400000",
                 options_in_dir (f, "discretionary", g_variant_new_boolean (TRUE)));
  WAIT_FOR ("both running", state_is (plain, "running") && state_is (careful, "running"));
  g_assert_cmpstr (haul_transfer1_get_wait_reason (plain), ==, "");

  set_conditions (f, FALSE, FALSE, FALSE);
  WAIT_FOR ("offline", state_is (plain, "waiting") && state_is (careful, "waiting"));
  g_assert_cmpstr (haul_transfer1_get_wait_reason (plain), ==, "offline");
  g_assert_cmpstr (haul_transfer1_get_wait_reason (careful), ==, "offline");
  g_assert_cmpint (haul_transfer1_get_retry_at (plain), ==, 0);

  set_conditions (f, TRUE, TRUE, FALSE);
  WAIT_FOR ("metered", state_is (plain, "running") &&
                       g_strcmp0 (haul_transfer1_get_wait_reason (careful), "metered") == 0);
  g_assert_cmpstr (haul_transfer1_get_wait_reason (plain), ==, "");

  set_conditions (f, TRUE, FALSE, TRUE);
  WAIT_FOR ("power saver", g_strcmp0 (haul_transfer1_get_wait_reason (careful), "power-saver") == 0);

  set_conditions (f, TRUE, FALSE, FALSE);
  WAIT_FOR ("running again", state_is (careful, "running"));
  g_assert_cmpstr (haul_transfer1_get_wait_reason (careful), ==, "");

  /* A back-off says until when. */
  now = g_get_real_time () / G_USEC_PER_SEC;
  busy = add (f, "/busy.bin?status=503&times=1&retry-after=3", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the back-off", state_is (busy, "waiting"));
  g_assert_cmpstr (haul_transfer1_get_wait_reason (busy), ==, "retry");
  g_assert_cmpint (haul_transfer1_get_retry_at (busy), >=, now + 2);
  g_assert_cmpint (haul_transfer1_get_retry_at (busy), <=, now + 5);
  WAIT_FOR ("the next try", state_is (busy, "completed"));
  g_assert_cmpstr (haul_transfer1_get_wait_reason (busy), ==, "");
  g_assert_cmpint (haul_transfer1_get_retry_at (busy), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add ("/daemon-kinds/error-kinds", Fixture, NULL, fixture_setup, test_error_kinds,
              fixture_teardown);
  g_test_add ("/daemon-kinds/wait-reasons", Fixture, NULL, fixture_setup, test_wait_reasons,
              fixture_teardown);

  return g_test_run ();
}
