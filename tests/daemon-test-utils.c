/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "daemon-test-utils"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "daemon-test-utils.h"
#include "haul-dbus-error.h"


gboolean
name_has_owner (Fixture *f)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (f->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", BUS_NAME), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}


static void
on_progress_cb (HaulManager1 *manager,
                GVariant     *progress,
                Fixture      *f)
{
  GVariantIter iter;
  guint id;
  guint64 received, total, rate;

  f->progress_signals++;
  f->progress_last_us = g_get_monotonic_time ();
  if (f->progress_first_us == 0)
    f->progress_first_us = f->progress_last_us;
  g_variant_iter_init (&iter, progress);
  while (g_variant_iter_next (&iter, "(uttt)", &id, &received, &total, &rate))
    {
      /* In a test that asks, transfer 1's figures never go back. */
      if (id == 1 && f->monotonic)
        {
          g_assert_cmpuint (received, >=, f->progress_last);
          f->progress_last = received;
        }
      g_hash_table_insert (f->received, GUINT_TO_POINTER (id), GSIZE_TO_POINTER (received));
    }
}


/* Bytes received by transfer @id as the Progress signals told. */
guint64
received_of (Fixture *f,
             guint    id)
{
  return GPOINTER_TO_SIZE (g_hash_table_lookup (f->received, GUINT_TO_POINTER (id)));
}


/* (Re)activates the daemon by loading the manager's properties, and follows Progress. */
void
connect_manager (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->manager);
  f->manager = haul_manager1_proxy_new_sync (f->connection, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME,
                                             MANAGER_PATH, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (haul_manager1_get_version (f->manager), ==, PACKAGE_VERSION);
  g_signal_connect (f->manager, "progress", G_CALLBACK (on_progress_cb), f);
}


/* Tells the daemon what the network and power are like (it reads the file named by
 * HAUL_TEST_CONDITIONS instead of GNetworkMonitor and GPowerProfileMonitor). */
void
set_conditions (Fixture  *f,
                gboolean  online,
                gboolean  metered,
                gboolean  power_saver)
{
  g_autofree char *text = g_strdup_printf ("[conditions]\nonline=%s\nmetered=%s\npower-saver=%s\n",
                                           online ? "true" : "false", metered ? "true" : "false",
                                           power_saver ? "true" : "false");
  g_autoptr(GError) error = NULL;

  g_file_set_contents (f->conditions, text, -1, &error);
  g_assert_no_error (error);
}


guint
session_environment (Fixture    *f,
                     const char *idle_ms,
                     EnvVar      env[10])
{
  guint n = 0;

  env[n++] = (EnvVar) { "HOME", g_get_home_dir () };
  env[n++] = (EnvVar) { "XDG_STATE_HOME", g_get_user_state_dir () };
  env[n++] = (EnvVar) { "XDG_CONFIG_HOME", g_get_user_config_dir () };
  env[n++] = (EnvVar) { "XDG_DATA_HOME", g_get_user_data_dir () };
  env[n++] = (EnvVar) { "XDG_CACHE_HOME", g_get_user_cache_dir () };
  env[n++] = (EnvVar) { "XDG_RUNTIME_DIR", g_get_user_runtime_dir () };
  /* The netns test lets the daemon ask the real GNetworkMonitor. */
  if (g_getenv ("HAUL_TEST_REAL_NETWORK") == NULL)
    env[n++] = (EnvVar) { "HAUL_TEST_CONDITIONS", f->conditions };
  if (idle_ms != NULL)
    env[n++] = (EnvVar) { "HAUL_IDLE_TIMEOUT_MS", idle_ms };
  /* A test that wants quick, few tries sets this in its own environment. */
  if (g_getenv ("HAUL_TEST_RETRIES") != NULL)
    env[n++] = (EnvVar) { "HAUL_TEST_RETRIES", g_getenv ("HAUL_TEST_RETRIES") };
  return n;
}


/* Hands the session environment to services activated on @connection's bus, as a login
 * session does with UpdateActivationEnvironment. */
void
update_activation_environment (Fixture         *f,
                               GDBusConnection *connection,
                               const char      *idle_ms)
{
  EnvVar env[10];
  guint n = session_environment (f, idle_ms != NULL ? idle_ms : "30000", env);
  GVariantBuilder builder;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; i < n; i++)
    g_variant_builder_add (&builder, "{ss}", env[i].name, env[i].value);
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "UpdateActivationEnvironment",
                                       g_variant_new ("(a{ss})", &builder), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}


void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static guint counter;
  g_autofree char *name = g_strdup_printf ("daemon-%u", counter++);
  g_autoptr(GError) error = NULL;

  /* The error names are known before the first reply can carry one. */
  (void) HAUL_DBUS_ERROR;
  f->server = haul_test_server_new (FALSE);
  f->dir = haul_test_make_tempdir (name);
  f->received = g_hash_table_new (NULL, NULL);
  /* The network and power conditions the daemon sees: see set_conditions(). */
  f->conditions = g_build_filename (g_get_user_runtime_dir (), "haul-test-conditions", NULL);

  f->connection = g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                                          G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                          G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                          NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (name_has_owner (f));

  update_activation_environment (f, f->connection, data);

  /* Loading the properties activates the daemon. */
  connect_manager (f);
}


void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* Quit lets the daemon save and exit on its own, so that nothing is killed. */
  if (name_has_owner (f))
    {
      haul_manager1_call_quit_sync (f->manager, NULL, NULL);
      WAIT_FOR ("the daemon to exit", !name_has_owner (f));
    }
  g_clear_object (&f->manager);
  g_dbus_connection_close_sync (f->connection, NULL, NULL);
  g_clear_object (&f->connection);
  haul_test_server_free (f->server);
  g_free (f->dir);
  g_unlink (f->conditions);
  g_free (f->conditions);
  g_hash_table_unref (f->received);
}


GVariant *
options_in_dir (Fixture    *f,
                const char *extra_key,
                GVariant   *extra_value)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "directory", g_variant_new_string (f->dir));
  if (extra_key != NULL)
    g_variant_builder_add (&builder, "{sv}", extra_key, extra_value);
  return g_variant_builder_end (&builder);
}


HaulTransfer1 *
add (Fixture    *f,
     const char *path,
     GVariant   *options)
{
  g_autofree char *uri = haul_test_server_uri (f->server, path);
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


HaulTransfer1 *
transfer_proxy (Fixture *f,
                guint    id)
{
  g_autofree char *path = g_strdup_printf ("%s/transfer/%u", MANAGER_PATH, id);
  g_autoptr(GError) error = NULL;
  HaulTransfer1 *transfer;

  transfer = haul_transfer1_proxy_new_sync (f->connection, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME,
                                            path, NULL, &error);
  g_assert_no_error (error);
  return transfer;
}


gboolean
state_is (HaulTransfer1 *transfer,
          const char    *state)
{
  return g_strcmp0 (haul_transfer1_get_state (transfer), state) == 0;
}


JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}


guint
daemon_pid (Fixture *f)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint pid = 0;

  reply = g_dbus_connection_call_sync (f->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", BUS_NAME), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &pid);
  return pid;
}


void
reactivate (Fixture *f)
{
  connect_manager (f);
  g_assert_true (name_has_owner (f));
}


gboolean
reason_has (HaulTransfer1 *transfer,
            const char    *words)
{
  return strstr (haul_transfer1_get_state_reason (transfer), words) != NULL;
}


guint
ranged_requests (Fixture    *f,
                 const char *path)
{
  GPtrArray *requests = haul_test_server_requests (f->server);
  guint ranged = 0;

  for (guint i = 0; i < requests->len; i++)
    {
      HaulTestRequest *req = g_ptr_array_index (requests, i);

      ranged += g_str_equal (req->path, path) && req->range != NULL &&
                !g_str_equal (req->range, "bytes=0-");
    }
  return ranged;
}


gboolean
process_gone (guint pid)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%u/stat", pid);
  g_autofree char *stat = NULL;
  const char *paren;

  /* Gone, or a zombie no one reaped yet. */
  if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
    return TRUE;
  paren = strrchr (stat, ')');
  return paren != NULL && paren[1] == ' ' && paren[2] == 'Z';
}


JsonNode *
read_json_file (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}


/* The resume data kept in transfer @id's record, once a checkpoint put some there. */
JsonNode *
record_of (guint id)
{
  g_autofree char *name = g_strdup_printf ("%u.json", id);
  g_autofree char *path = g_build_filename (g_get_user_state_dir (), "haul", "transfers", name, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_file (parser, path, NULL))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}


void
write_json_file (const char *path,
                 JsonNode   *root)
{
  g_autofree char *text = json_to_string (root, TRUE);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}


/* Where the daemon keeps transfer @id's record. */
char *
record_path (guint id)
{
  g_autofree char *name = g_strdup_printf ("%u.json", id);

  return g_build_filename (g_get_user_state_dir (), "haul", "transfers", name, NULL);
}

/* Lets the daemon save and exit, as at a logout. */
void
quit_daemon (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  haul_manager1_call_quit_sync (f->manager, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the daemon to exit", !name_has_owner (f));
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The object paths of the transfers the daemon exports now, sorted. */
GPtrArray *
transfer_paths (Fixture *f)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *path;

  reply = g_dbus_connection_call_sync (f->connection, BUS_NAME, MANAGER_PATH,
                                       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                       NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(a{oa{sa{sv}}})", &iter);
  while (g_variant_iter_next (iter, "{&o@a{sa{sv}}}", &path, NULL))
    g_ptr_array_add (paths, g_strdup (path));
  g_ptr_array_sort (paths, compare_strings);
  return paths;
}

void
count_states (GDBusObjectManager *objects,
              Census             *census)
{
  g_autolist(GDBusObject) list = g_dbus_object_manager_get_objects (objects);

  census->running = 0;
  census->completed = 0;
  for (GList *l = list; l != NULL; l = l->next)
    {
      HaulTransfer1 *t = haul_object_peek_transfer1 (HAUL_OBJECT (l->data));

      census->running += state_is (t, "running");
      census->completed += state_is (t, "completed");
    }
  census->max_running = MAX (census->max_running, census->running);
}

static void
on_properties_changed_cb (GDBusObjectManagerClient *objects,
                          GDBusObjectProxy         *object,
                          GDBusProxy               *proxy,
                          GVariant                 *changed,
                          const char * const       *invalidated,
                          Census                   *census)
{
  count_states (G_DBUS_OBJECT_MANAGER (objects), census);
}

/* A client of the object manager that keeps @census up to date as states change. */
GDBusObjectManager *
follow_states (Fixture *f,
               Census  *census)
{
  g_autoptr(GError) error = NULL;
  GDBusObjectManager *objects;

  objects = haul_object_manager_client_new_sync (f->connection,
                                                 G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                                 BUS_NAME, MANAGER_PATH, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (objects, "interface-proxy-properties-changed",
                    G_CALLBACK (on_properties_changed_cb), census);
  return objects;
}
