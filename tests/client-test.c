/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "client-test"

#include "config.h"

#include <signal.h>
#include <string.h>

#include "haul-client.h"
#include "haul-client-calls.h"
#include "haul-client-private.h"
#include "daemon-test-utils.h"

/* The client library against the real service: its model follows the service, and its
 * re-reading rules make up for what the signals do not bring. */

static GDBusConnection *
new_connection (void)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  connection = g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

static void
client_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  HaulClient **client = user_data;
  g_autoptr(GError) error = NULL;

  *client = haul_client_new_finish (result, &error);
  g_assert_no_error (error);
}

static HaulClient *
new_client (GDBusConnection *connection,
            HaulClientFlags  flags)
{
  HaulClient *client = NULL;

  haul_client_new_async (connection, flags, NULL, client_ready_cb, &client);
  WAIT_FOR ("the client", client != NULL);
  return client;
}

static HaulClientTransfer *
item_at (HaulClient *client,
         guint       position)
{
  return g_list_model_get_item (haul_client_get_transfers (client), position);
}

static void
test_follows_the_service (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GDBusConnection) connection = new_connection ();
  g_autoptr(HaulClient) client = NULL;
  g_autoptr(HaulTransfer1) first = NULL;
  g_autoptr(HaulTransfer1) second = NULL;
  GListModel *model;
  HaulClientTransfer *item;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;

  first = add (f, "/one.bin", g_variant_new_parsed ("{'directory': <%s>, 'paused': <true>}", f->dir));
  client = new_client (connection, HAUL_CLIENT_FLAGS_ACTIVATE);
  g_assert_true (haul_client_get_connected (client));
  model = haul_client_get_transfers (client);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  item = haul_client_lookup (client, 1);
  g_assert_nonnull (item);
  g_assert_cmpint (haul_client_transfer_get_state (item), ==, HAUL_TRANSFER_STATE_PAUSED);
  status = haul_client_transfer_dup_status_text (item, 0);
  g_assert_cmpstr (status, ==, "Paused");

  /* A transfer added by someone else appears, in the service's order, and runs to the
   * end with its figures. */
  second = add (f, "/two.bin?size=524288&drip=400000", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the new item", g_list_model_get_n_items (model) == 2);
  item = haul_client_lookup (client, 2);
  g_assert_nonnull (item);
  {
    g_autoptr(HaulClientTransfer) last = item_at (client, 1);

    g_assert_true (last == item);
  }
  WAIT_FOR ("the completion", haul_client_transfer_get_state (item) == HAUL_TRANSFER_STATE_COMPLETED);
  WAIT_FOR ("the last figures", haul_client_transfer_get_bytes_received (item) == 524288);
  g_assert_cmpuint (haul_client_transfer_get_bytes_total (item), ==, 524288);
  g_assert_cmpstr (haul_client_transfer_get_file_name (item), ==, "two.bin");

  /* A removal leaves the model. */
  haul_transfer1_call_remove_sync (first, FALSE, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the removal", g_list_model_get_n_items (model) == 1);
  g_assert_null (haul_client_lookup (client, 1));
}

/* Drops every Progress signal on its way to this connection. */
static GDBusMessage *
drop_progress_cb (GDBusConnection *connection,
                  GDBusMessage    *message,
                  gboolean         incoming,
                  gpointer         user_data)
{
  if (incoming && g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_SIGNAL &&
      g_strcmp0 (g_dbus_message_get_member (message), "Progress") == 0)
    {
      g_atomic_int_inc ((int *) user_data);
      g_object_unref (message);
      return NULL;
    }
  return message;
}

static void
on_notify_cb (GObject    *object,
              GParamSpec *pspec,
              GPtrArray  *seen)
{
  if (g_str_equal (pspec->name, "bytes-received"))
    g_ptr_array_add (seen, GSIZE_TO_POINTER (haul_client_transfer_get_bytes_received (HAUL_CLIENT_TRANSFER (object))));
}

static void
test_progress_lost (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GDBusConnection) connection = new_connection ();
  g_autoptr(HaulClient) client = NULL;
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  HaulClientTransfer *item;
  int dropped = 0;
  guint filter;

  /* This client never sees a Progress signal: it must still see the figures grow, no
   * later than 2 s after they changed, by reading a silent running transfer again. */
  filter = g_dbus_connection_add_filter (connection, drop_progress_cb, &dropped, NULL);
  client = new_client (connection, HAUL_CLIENT_FLAGS_ACTIVATE);
  transfer = add (f, "/slow.bin?size=1048576&drip=131072", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the item", haul_client_lookup (client, 1) != NULL);
  item = haul_client_lookup (client, 1);
  g_signal_connect (item, "notify", G_CALLBACK (on_notify_cb), seen);
  WAIT_FOR ("figures despite the lost signals", seen->len >= 2);
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_ptr_array_index (seen, 0)), <,
                    GPOINTER_TO_SIZE (g_ptr_array_index (seen, seen->len - 1)));
  g_assert_cmpint (g_atomic_int_get (&dropped), >, 0);
  g_test_message ("%u updates seen, %d Progress signals dropped", seen->len, dropped);
  g_signal_handlers_disconnect_by_data (item, seen);
  haul_transfer1_call_remove_sync (transfer, FALSE, NULL, NULL);
  g_dbus_connection_remove_filter (connection, filter);
}

static void
test_service_killed (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GDBusConnection) connection = new_connection ();
  g_autoptr(HaulClient) client = NULL;
  g_autoptr(HaulTransfer1) transfer = NULL;
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 2 * MiB, 1);
  g_autofree char *file = g_build_filename (f->dir, "long.bin", NULL);
  HaulClientTransfer *item;
  guint pid;

  transfer = add (f, "/long.bin?size=2097152&drip=400000", options_in_dir (f, NULL, NULL));
  client = new_client (connection, HAUL_CLIENT_FLAGS_ACTIVATE | HAUL_CLIENT_FLAGS_REACTIVATE);
  item = haul_client_lookup (client, 1);
  g_assert_nonnull (item);
  g_object_ref (item);
  WAIT_FOR ("some progress", haul_client_transfer_get_bytes_received (item) > 0);

  /* Killed under the client: it notices, starts the service again, reads everything,
   * and the same item goes on to the end. */
  pid = daemon_pid (f);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  WAIT_FOR ("the client to notice", !haul_client_get_connected (client));
  WAIT_FOR ("the client to be back", haul_client_get_connected (client));
  g_assert_cmpuint (daemon_pid (f), !=, pid);
  g_assert_true (haul_client_lookup (client, 1) == item);
  WAIT_FOR ("the completion", haul_client_transfer_get_state (item) == HAUL_TRANSFER_STATE_COMPLETED);
  haul_test_assert_file_equals (file, expected);
  g_object_unref (item);
}

static void
test_two_clients_agree (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GDBusConnection) one = new_connection ();
  g_autoptr(GDBusConnection) other = new_connection ();
  g_autoptr(HaulClient) a = NULL;
  g_autoptr(HaulClient) b = NULL;

  a = new_client (one, HAUL_CLIENT_FLAGS_ACTIVATE);
  b = new_client (other, HAUL_CLIENT_FLAGS_NONE);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *path = g_strdup_printf ("/agree%u.bin?size=%u", i, 65536 * (i + 1));
      g_autoptr(HaulTransfer1) t = add (f, path, options_in_dir (f, NULL, NULL));
    }
  WAIT_FOR ("both to see five completed", ({
    gboolean all = g_list_model_get_n_items (haul_client_get_transfers (a)) == 5 &&
                   g_list_model_get_n_items (haul_client_get_transfers (b)) == 5;
    for (guint i = 1; all && i <= 5; i++)
      all = haul_client_transfer_get_state (haul_client_lookup (a, i)) == HAUL_TRANSFER_STATE_COMPLETED &&
            haul_client_transfer_get_state (haul_client_lookup (b, i)) == HAUL_TRANSFER_STATE_COMPLETED;
    all;
  }));
  for (guint i = 1; i <= 5; i++)
    {
      HaulClientTransfer *ta = haul_client_lookup (a, i);
      HaulClientTransfer *tb = haul_client_lookup (b, i);

      WAIT_FOR ("the same figures", haul_client_transfer_get_bytes_received (ta) ==
                                    haul_client_transfer_get_bytes_received (tb) &&
                                    haul_client_transfer_get_bytes_received (tb) == 65536 * i);
      g_assert_cmpstr (haul_client_transfer_get_file_name (ta), ==, haul_client_transfer_get_file_name (tb));
      g_assert_cmpint (haul_client_transfer_get_finished_at (ta), ==, haul_client_transfer_get_finished_at (tb));
    }
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_notifies_real_changes (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GVariant) props = g_variant_ref_sink (g_variant_new_parsed (
    "{'Id': <uint32 7>, 'State': <'running'>, 'BytesReceived': <uint64 10>, 'FileName': <'x.bin'>}"));
  g_autoptr(GVariant) same = g_variant_ref_sink (g_variant_new_parsed (
    "{'State': <'running'>, 'BytesReceived': <uint64 10>, 'FileName': <'x.bin'>}"));
  g_autoptr(GVariant) more = g_variant_ref_sink (g_variant_new_parsed (
    "{'State': <'running'>, 'BytesReceived': <uint64 20>, 'FileName': <'x.bin'>, 'Bogus': <1>}"));
  g_autoptr(HaulClientTransfer) item = _haul_client_transfer_new (HAUL_DAEMON_TRANSFER_PATH "/7", props);
  guint count = 0;

  g_assert_cmpuint (haul_client_transfer_get_id (item), ==, 7);
  g_signal_connect (item, "notify", G_CALLBACK (count_notify_cb), &count);
  g_assert_false (_haul_client_transfer_update (item, same));
  g_assert_cmpuint (count, ==, 0);
  g_assert_true (_haul_client_transfer_update (item, more));
  g_assert_cmpuint (count, ==, 1);
  g_assert_false (_haul_client_transfer_set_figures (item, 20, 0, 0));
  g_assert_cmpuint (count, ==, 1);
  g_assert_true (_haul_client_transfer_set_figures (item, 20, 100, 5));
  g_assert_cmpuint (count, ==, 3);
}

typedef struct
{
  int readings;   /* Snapshot and Properties.GetAll calls */
  int matches;    /* AddMatch calls: one per signal followed */
} Calls;

/* Counts the calls leaving this connection that read or follow the transfers. */
static GDBusMessage *
count_calls_cb (GDBusConnection *connection,
                GDBusMessage    *message,
                gboolean         incoming,
                gpointer         user_data)
{
  Calls *calls = user_data;
  const char *member = g_dbus_message_get_member (message);

  if (incoming || g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    return message;
  if (g_strcmp0 (member, "Snapshot") == 0 || g_strcmp0 (member, "GetAll") == 0)
    g_atomic_int_inc (&calls->readings);
  else if (g_strcmp0 (member, "AddMatch") == 0)
    g_atomic_int_inc (&calls->matches);
  return message;
}

static void
add_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  guint *id = user_data;
  g_autoptr(GError) error = NULL;

  *id = haul_client_add_finish (HAUL_CLIENT (object), result, &error);
  g_assert_no_error (error);
}

static void
version_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  char **version = user_data;
  g_autoptr(GError) error = NULL;

  *version = haul_client_get_version_finish (HAUL_CLIENT (object), result, &error);
  g_assert_no_error (error);
}

/* A client that only calls reads no transfer and follows none, however many there are;
 * its calls work as any client's. */
static void
test_calls_only (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GDBusConnection) connection = new_connection ();
  g_autoptr(HaulClient) client = NULL;
  g_autoptr(HaulTransfer1) first = NULL;
  g_autofree char *version = NULL;
  g_autofree char *uri = haul_test_server_uri (f->server, "/calls.bin?size=4096");
  Calls calls = { 0 };
  guint id = 0;

  first = add (f, "/one.bin", g_variant_new_parsed ("{'directory': <%s>, 'paused': <true>}", f->dir));
  g_dbus_connection_add_filter (connection, count_calls_cb, &calls, NULL);
  client = new_client (connection, HAUL_CLIENT_FLAGS_CALLS_ONLY);
  g_assert_true (haul_client_get_connected (client));

  haul_client_get_version_async (client, NULL, version_cb, &version);
  WAIT_FOR ("the version", version != NULL);
  g_assert_cmpstr (version, ==, PACKAGE_VERSION);
  haul_client_add_async (client, uri, options_in_dir (f, NULL, NULL), NULL, add_cb, &id);
  WAIT_FOR ("the new transfer's ID", id != 0);
  g_assert_cmpuint (id, ==, 2);

  g_assert_cmpuint (g_list_model_get_n_items (haul_client_get_transfers (client)), ==, 0);
  g_assert_null (haul_client_lookup (client, 1));
  g_assert_cmpint (g_atomic_int_get (&calls.readings), ==, 0);
  /* The service's name is all it follows (a client of the list adds one per signal). */
  g_assert_cmpint (g_atomic_int_get (&calls.matches), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add ("/client/follows-the-service", Fixture, NULL, fixture_setup,
              test_follows_the_service, fixture_teardown);
  g_test_add ("/client/progress-lost", Fixture, NULL, fixture_setup, test_progress_lost,
              fixture_teardown);
  g_test_add ("/client/service-killed", Fixture, NULL, fixture_setup, test_service_killed,
              fixture_teardown);
  g_test_add ("/client/two-clients-agree", Fixture, NULL, fixture_setup, test_two_clients_agree,
              fixture_teardown);
  g_test_add ("/client/notifies-real-changes", Fixture, NULL, fixture_setup,
              test_notifies_real_changes, fixture_teardown);
  g_test_add ("/client/calls-only", Fixture, NULL, fixture_setup, test_calls_only,
              fixture_teardown);

  return g_test_run ();
}
