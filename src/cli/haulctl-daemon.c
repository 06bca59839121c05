/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haulctl-daemon"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "haul-check.h"
#include "haul-dbus-error.h"
#include "haul-dbus-generated.h"
#include "haul-format.h"

#include "haulctl-private.h"

/* The commands that talk to haul-daemon. A command-line tool may block on D-Bus calls:
 * it has no main loop to keep responsive. */


/* Maps a failed call to haulctl's exit status, printing a line a person can act on. */
int
_haulctl_report (const char *command,
                 GError     *error)
{
  g_autofree char *remote = g_dbus_error_get_remote_error (error);

  g_dbus_error_strip_remote_error (error);
  if (error->domain == HAUL_DBUS_ERROR)
    {
      g_printerr ("haulctl %s: %s\n", command, error->message);
      return error->code == HAUL_DBUS_ERROR_FAILED ? HAULCTL_EXIT_FAILED : HAULCTL_EXIT_USAGE;
    }
  g_printerr (_("haulctl %s: the Haul service could not be reached: %s\n"), command,
              error->message);
  return HAULCTL_EXIT_NO_DAEMON;
}

/* report() for a call on transfer @id, which may not exist: its object then answers
 * UnknownMethod or UnknownObject. */
int
_haulctl_report_transfer (const char *command,
                          guint       id,
                          GError     *error)
{
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT))
    {
      g_printerr (_("haulctl %s: there is no transfer %u\n"), command, id);
      return HAULCTL_EXIT_USAGE;
    }
  return _haulctl_report (command, error);
}

GDBusConnection *
_haulctl_connect_bus (const char  *command,
                      int         *status)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  /* Register the error names before any reply can carry one. */
  (void) HAUL_DBUS_ERROR;
  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (connection == NULL)
    *status = _haulctl_report (command, error);
  return connection;
}

gboolean
_haulctl_parse_id (const char *text,
                   guint      *id)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &value, NULL))
    return FALSE;
  *id = (guint) value;
  return TRUE;
}


typedef struct
{
  GMainLoop  *loop;
  HaulClient *client;
  GError     *error;
} ClientWait;

static void
client_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ClientWait *wait = user_data;

  wait->client = haul_client_new_finish (result, &wait->error);
  g_main_loop_quit (wait->loop);
}

/* A client of the service with its transfers read, or %NULL with the exit status set:
 * a command-line tool waits for it in a main loop of its own. */
HaulClient *
_haulctl_client_new (const char       *command,
                     GDBusConnection  *connection,
                     HaulClientFlags   flags,
                     int              *status)
{
  ClientWait wait = { g_main_loop_new (NULL, FALSE), NULL, NULL };

  haul_client_new_async (connection, flags, NULL, client_ready_cb, &wait);
  g_main_loop_run (wait.loop);
  g_main_loop_unref (wait.loop);
  if (wait.client == NULL)
    {
      *status = _haulctl_report (command, wait.error);
      g_clear_error (&wait.error);
      return NULL;
    }
  if (!haul_client_get_connected (wait.client))
    {
      g_printerr (_("haulctl %s: the Haul service could not be reached\n"), command);
      *status = HAULCTL_EXIT_NO_DAEMON;
      g_clear_object (&wait.client);
    }
  return wait.client;
}

/* ---- add ---------------------------------------------------------------------------- */

int
_haulctl_add (int    argc,
              char **argv)
{
  g_autofree char *directory = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sha256 = NULL;
  g_auto(GStrv) headers = NULL;
  g_auto(GStrv) uris = NULL;
  int segments = 0;
  gboolean discretionary = FALSE;
  gboolean paused = FALSE;
  gboolean wait = FALSE;
  const GOptionEntry entries[] = {
    { "directory", 'd', 0, G_OPTION_ARG_FILENAME, &directory, N_("Save in DIR"), N_("DIR") },
    { "output", 'o', 0, G_OPTION_ARG_STRING, &name, N_("Save as NAME (a file name)"), N_("NAME") },
    { "segments", 's', 0, G_OPTION_ARG_INT, &segments, N_("Use up to N connections (1–16)"), N_("N") },
    { "sha256", 0, 0, G_OPTION_ARG_STRING, &sha256, N_("Verify against this SHA-256"), N_("HEX") },
    { "header", 'H', 0, G_OPTION_ARG_STRING_ARRAY, &headers, N_("Send this header"), N_("“Name: value”") },
    { "discretionary", 0, 0, G_OPTION_ARG_NONE, &discretionary,
      N_("Wait for an unmetered network and power saver off"), NULL },
    { "paused", 0, 0, G_OPTION_ARG_NONE, &paused, N_("Add without starting"), NULL },
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait,
      N_("Show progress and wait until the downloads are finished; exit 1 if one failed"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &uris, NULL, N_("URL…") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("URL… — add downloads to the Haul service"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(HaulManager1) manager = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));
  g_auto(GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  int status = HAULCTL_EXIT_OK;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("haulctl add: %s\n", error->message);
      return HAULCTL_EXIT_USAGE;
    }
  if (uris == NULL || uris[0] == NULL)
    {
      g_printerr ("haulctl add: %s\n", _("give at least one URL"));
      return HAULCTL_EXIT_USAGE;
    }

  /* What the service would refuse is refused here too, before anything is sent. */
  for (guint i = 0; uris[i] != NULL; i++)
    {
      if (!haul_check_uri (uris[i], &error))
        {
          g_printerr ("haulctl add: %s\n", error->message);
          return HAULCTL_EXIT_USAGE;
        }
    }
  if ((name != NULL && !haul_check_file_name (name, -1, &error)) ||
      (sha256 != NULL && !haul_check_sha256 (sha256, &error)) ||
      (segments != 0 && !haul_check_segments (segments, &error)) ||
      !haul_check_header_lines ((const char * const *) headers, &error))
    {
      g_printerr ("haulctl add: %s\n", error->message);
      return HAULCTL_EXIT_USAGE;
    }

  if (directory != NULL)
    {
      /* The service does not share our working directory: send an absolute path. */
      g_autofree char *cwd = g_get_current_dir ();
      g_autofree char *absolute = g_canonicalize_filename (directory, cwd);

      g_variant_builder_add (&options, "{sv}", "directory", g_variant_new_string (absolute));
    }
  if (name != NULL)
    g_variant_builder_add (&options, "{sv}", "filename", g_variant_new_string (name));
  if (segments != 0)
    g_variant_builder_add (&options, "{sv}", "segments", g_variant_new_uint32 ((guint32) segments));
  if (sha256 != NULL)
    g_variant_builder_add (&options, "{sv}", "sha256", g_variant_new_string (sha256));
  if (discretionary)
    g_variant_builder_add (&options, "{sv}", "discretionary", g_variant_new_boolean (TRUE));
  if (paused)
    g_variant_builder_add (&options, "{sv}", "paused", g_variant_new_boolean (TRUE));
  if (headers != NULL)
    {
      g_auto(GVariantBuilder) dict = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));

      for (guint i = 0; headers[i] != NULL; i++)
        {
          g_autofree char *key = NULL;
          g_autofree char *value = NULL;

          /* Checked above. */
          if (haul_check_header_line (headers[i], &key, &value, NULL))
            g_variant_builder_add (&dict, "{ss}", key, value);
        }
      g_variant_builder_add (&options, "{sv}", "headers", g_variant_builder_end (&dict));
    }

  connection = _haulctl_connect_bus ("add", &status);
  if (connection == NULL)
    {
      g_variant_builder_clear (&options);
      return status;
    }
  manager = haul_manager1_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                          HAUL_DAEMON_BUS_NAME, HAUL_DAEMON_PATH, NULL, &error);
  if (manager == NULL)
    {
      g_variant_builder_clear (&options);
      return _haulctl_report ("add", error);
    }

  {
    g_autoptr(GVariant) opts = g_variant_ref_sink (g_variant_builder_end (&options));

    for (guint i = 0; uris[i] != NULL; i++)
      {
        g_autofree char *path = NULL;
        g_autoptr(GError) add_error = NULL;

        if (!haul_manager1_call_add_sync (manager, uris[i], opts, &path, NULL, &add_error))
          {
            status = _haulctl_report ("add", add_error);
            if (status == HAULCTL_EXIT_NO_DAEMON)
              return status;
            continue;
          }
        g_print ("%s\n", strrchr (path, '/') + 1);
        {
          guint id;

          if (_haulctl_parse_id (strrchr (path, '/') + 1, &id))
            g_array_append_val (ids, id);
        }
      }
  }

  if (wait && ids->len > 0)
    {
      int result;

      /* The IDs are out before the wait starts, for a script that reads them. */
      fflush (stdout);
      result = _haulctl_watch_transfers (connection, "add", ids, FALSE, isatty (STDERR_FILENO));
      status = MAX (status, result);
    }
  return status;
}

/* ---- pause, resume, cancel, remove, quit -------------------------------------------- */

int
_haulctl_control (const char *command,
                  int         argc,
                  char      **argv)
{
  gboolean all = FALSE;
  gboolean delete_file = FALSE;
  const GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Every transfer"), NULL },
    { "delete-file", 0, 0, G_OPTION_ARG_NONE, &delete_file,
      N_("Also delete the downloaded file (remove)"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID… | --all"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));
  int status = HAULCTL_EXIT_OK;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("haulctl %s: %s\n", command, error->message);
      return HAULCTL_EXIT_USAGE;
    }
  for (int i = 1; i < argc; i++)
    {
      guint id;

      if (!_haulctl_parse_id (argv[i], &id))
        {
          g_printerr (_("haulctl %s: “%s” is not a transfer ID\n"), command, argv[i]);
          return HAULCTL_EXIT_USAGE;
        }
      g_array_append_val (ids, id);
    }
  /* remove takes IDs only (SPEC: a whole list is not deleted by one slip); each mistake
   * is named as it is. */
  if (all && g_str_equal (command, "remove"))
    {
      g_printerr (_("haulctl %s: --all is not accepted here; give transfer IDs\n"), command);
      return HAULCTL_EXIT_USAGE;
    }
  if (delete_file && !g_str_equal (command, "remove"))
    {
      g_printerr (_("haulctl %s: --delete-file is only for remove\n"), command);
      return HAULCTL_EXIT_USAGE;
    }
  if (all && ids->len > 0)
    {
      g_printerr (_("haulctl %s: give transfer IDs or --all, not both\n"), command);
      return HAULCTL_EXIT_USAGE;
    }
  if (!all && ids->len == 0)
    {
      g_printerr (g_str_equal (command, "remove") ? _("haulctl %s: give transfer IDs\n")
                                                 : _("haulctl %s: give transfer IDs or --all\n"),
                  command);
      return HAULCTL_EXIT_USAGE;
    }

  connection = _haulctl_connect_bus (command, &status);
  if (connection == NULL)
    return status;

  if (all && !g_str_equal (command, "cancel"))
    {
      g_autoptr(HaulManager1) manager =
        haul_manager1_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                      HAUL_DAEMON_BUS_NAME, HAUL_DAEMON_PATH, NULL, &error);

      if (manager == NULL ||
          !(g_str_equal (command, "pause") ? haul_manager1_call_pause_all_sync (manager, NULL, &error)
                                           : haul_manager1_call_resume_all_sync (manager, NULL, &error)))
        return _haulctl_report (command, error);
      return HAULCTL_EXIT_OK;
    }

  if (all)
    {
      /* Cancel every transfer that is not finished. */
      g_autoptr(GDBusObjectManager) objects =
        haul_object_manager_client_new_sync (connection, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                             HAUL_DAEMON_BUS_NAME, HAUL_DAEMON_PATH, NULL, &error);
      g_autolist(GDBusObject) list = NULL;

      if (objects == NULL)
        return _haulctl_report (command, error);
      list = g_dbus_object_manager_get_objects (objects);
      for (GList *l = list; l != NULL; l = l->next)
        {
          HaulTransfer1 *t = haul_object_peek_transfer1 (HAUL_OBJECT (l->data));
          const char *state = t != NULL ? haul_transfer1_get_state (t) : "";
          guint id;

          if (t == NULL || g_str_equal (state, "completed") || g_str_equal (state, "cancelled"))
            continue;
          id = haul_transfer1_get_id (t);
          g_array_append_val (ids, id);
        }
    }

  for (guint i = 0; i < ids->len; i++)
    {
      guint id = g_array_index (ids, guint, i);
      g_autofree char *path = haul_transfer_object_path (id);
      g_autoptr(HaulTransfer1) t = NULL;
      g_autoptr(GError) call_error = NULL;
      gboolean ok;

      t = haul_transfer1_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                         HAUL_DAEMON_BUS_NAME, path, NULL, &call_error);
      if (t == NULL)
        return _haulctl_report (command, call_error);

      if (g_str_equal (command, "pause"))
        ok = haul_transfer1_call_pause_sync (t, NULL, &call_error);
      else if (g_str_equal (command, "resume"))
        ok = haul_transfer1_call_resume_sync (t, NULL, &call_error);
      else if (g_str_equal (command, "cancel"))
        ok = haul_transfer1_call_cancel_sync (t, NULL, &call_error);
      else
        ok = haul_transfer1_call_remove_sync (t, delete_file, NULL, &call_error);

      if (!ok)
        {
          status = _haulctl_report_transfer (command, id, call_error);
          if (status == HAULCTL_EXIT_NO_DAEMON)
            return status;
        }
    }
  return status;
}

int
_haulctl_quit (int    argc,
               char **argv)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(HaulManager1) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;
  int status = HAULCTL_EXIT_OK;

  if (argc > 1)
    {
      g_printerr ("haulctl quit: %s\n", _("unexpected argument"));
      return HAULCTL_EXIT_USAGE;
    }
  connection = _haulctl_connect_bus ("quit", &status);
  if (connection == NULL)
    return status;
  /* Quitting a service that is not running must not start it. */
  manager = haul_manager1_proxy_new_sync (connection,
                                          G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                          G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                                          HAUL_DAEMON_BUS_NAME, HAUL_DAEMON_PATH, NULL, &error);
  if (manager == NULL)
    return _haulctl_report ("quit", error);
  /* Not running: nothing to stop. */
  owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (manager));
  if (owner == NULL)
    return HAULCTL_EXIT_OK;
  if (!haul_manager1_call_quit_sync (manager, NULL, &error))
    return _haulctl_report ("quit", error);
  return HAULCTL_EXIT_OK;
}

/* ---- set-uri ------------------------------------------------------------------------ */

int
_haulctl_set_uri (int    argc,
                  char **argv)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(HaulTransfer1) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int status = HAULCTL_EXIT_OK;
  guint id;

  if (argc != 3 || !_haulctl_parse_id (argv[1], &id))
    {
      g_printerr ("haulctl set-uri: %s\n", _("give one transfer ID and one URL"));
      return HAULCTL_EXIT_USAGE;
    }
  connection = _haulctl_connect_bus ("set-uri", &status);
  if (connection == NULL)
    return status;
  path = haul_transfer_object_path (id);
  t = haul_transfer1_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                     HAUL_DAEMON_BUS_NAME, path, NULL, &error);
  if (t == NULL || !haul_transfer1_call_set_uri_sync (t, argv[2], NULL, &error))
    return _haulctl_report_transfer ("set-uri", id, error);
  return HAULCTL_EXIT_OK;
}
