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

#define BUS_NAME     "io.github.haul.Daemon"
#define MANAGER_PATH "/io/github/haul/Daemon"

/* Maps a failed call to haulctl's exit status, printing a line a person can act on. */
static int
report (const char *command,
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
static int
report_transfer (const char *command,
                 guint       id,
                 GError     *error)
{
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT))
    {
      g_printerr (_("haulctl %s: there is no transfer %u\n"), command, id);
      return HAULCTL_EXIT_USAGE;
    }
  return report (command, error);
}

static GDBusConnection *
connect_bus (const char  *command,
             int         *status)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  /* Register the error names before any reply can carry one. */
  (void) HAUL_DBUS_ERROR;
  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (connection == NULL)
    *status = report (command, error);
  return connection;
}

static gboolean
parse_id (const char *text,
          guint      *id)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &value, NULL))
    return FALSE;
  *id = (guint) value;
  return TRUE;
}

static char *
transfer_path (guint id)
{
  return g_strdup_printf ("%s/transfer/%u", MANAGER_PATH, id);
}

static int watch_transfers (GDBusConnection *connection,
                            const char      *command,
                            GArray          *ids,
                            gboolean         lines,
                            gboolean         bar);

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
  GVariantBuilder options;
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

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
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
      GVariantBuilder dict;

      g_variant_builder_init (&dict, G_VARIANT_TYPE ("a{ss}"));
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

  connection = connect_bus ("add", &status);
  if (connection == NULL)
    {
      g_variant_builder_clear (&options);
      return status;
    }
  manager = haul_manager1_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                          BUS_NAME, MANAGER_PATH, NULL, &error);
  if (manager == NULL)
    {
      g_variant_builder_clear (&options);
      return report ("add", error);
    }

  {
    g_autoptr(GVariant) opts = g_variant_ref_sink (g_variant_builder_end (&options));

    for (guint i = 0; uris[i] != NULL; i++)
      {
        g_autofree char *path = NULL;
        g_autoptr(GError) add_error = NULL;

        if (!haul_manager1_call_add_sync (manager, uris[i], opts, &path, NULL, &add_error))
          {
            status = report ("add", add_error);
            if (status == HAULCTL_EXIT_NO_DAEMON)
              return status;
            continue;
          }
        g_print ("%s\n", strrchr (path, '/') + 1);
        {
          guint id;

          if (parse_id (strrchr (path, '/') + 1, &id))
            g_array_append_val (ids, id);
        }
      }
  }

  if (wait && ids->len > 0)
    {
      int result;

      /* The IDs are out before the wait starts, for a script that reads them. */
      fflush (stdout);
      result = watch_transfers (connection, "add", ids, FALSE, isatty (STDERR_FILENO));
      status = MAX (status, result);
    }
  return status;
}

/* ---- list and info ------------------------------------------------------------------ */

/* The properties of one transfer, read once from the GetManagedObjects reply: cheaper
 * than a proxy per transfer, or a lookup per property (there may be thousands). The
 * strings point into @dict. */
typedef struct
{
  GVariant   *dict;
  guint       id;
  guint       segments;
  const char *uri;
  const char *effective_uri;
  const char *directory;
  const char *filename;
  const char *state;
  const char *state_reason;
  const char *error;
  const char *error_kind;
  const char *wait_reason;
  const char *sha256;
  gint64      retry_at;
  guint64     bytes_received;
  guint64     bytes_total;
  guint64     rate;
  gboolean    resumable;
  gboolean    discretionary;
  gint64      created_at;
  gint64      finished_at;
} Row;

static void
row_free (Row *row)
{
  g_variant_unref (row->dict);
  g_free (row);
}

/* Where each property goes in a Row, and its D-Bus type. */
static const struct
{
  const char *name;
  const char *type;
  gsize       offset;
} row_fields[] = {
  { "Id", "u", G_STRUCT_OFFSET (Row, id) },
  { "Segments", "u", G_STRUCT_OFFSET (Row, segments) },
  { "Uri", "s", G_STRUCT_OFFSET (Row, uri) },
  { "EffectiveUri", "s", G_STRUCT_OFFSET (Row, effective_uri) },
  { "Directory", "s", G_STRUCT_OFFSET (Row, directory) },
  { "FileName", "s", G_STRUCT_OFFSET (Row, filename) },
  { "State", "s", G_STRUCT_OFFSET (Row, state) },
  { "StateReason", "s", G_STRUCT_OFFSET (Row, state_reason) },
  { "Error", "s", G_STRUCT_OFFSET (Row, error) },
  { "ErrorKind", "s", G_STRUCT_OFFSET (Row, error_kind) },
  { "WaitReason", "s", G_STRUCT_OFFSET (Row, wait_reason) },
  { "RetryAt", "x", G_STRUCT_OFFSET (Row, retry_at) },
  { "Sha256", "s", G_STRUCT_OFFSET (Row, sha256) },
  { "BytesReceived", "t", G_STRUCT_OFFSET (Row, bytes_received) },
  { "BytesTotal", "t", G_STRUCT_OFFSET (Row, bytes_total) },
  { "Rate", "t", G_STRUCT_OFFSET (Row, rate) },
  { "Resumable", "b", G_STRUCT_OFFSET (Row, resumable) },
  { "Discretionary", "b", G_STRUCT_OFFSET (Row, discretionary) },
  { "CreatedAt", "x", G_STRUCT_OFFSET (Row, created_at) },
  { "FinishedAt", "x", G_STRUCT_OFFSET (Row, finished_at) },
};

static Row *
row_new (GVariant *dict)
{
  Row *row = g_new0 (Row, 1);
  GVariantIter iter;
  const char *name;
  GVariant *value;

  row->dict = g_variant_ref (dict);
  for (guint i = 0; i < G_N_ELEMENTS (row_fields); i++)
    if (g_str_equal (row_fields[i].type, "s"))
      G_STRUCT_MEMBER (const char *, row, row_fields[i].offset) = "";

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      for (guint i = 0; i < G_N_ELEMENTS (row_fields); i++)
        {
          gpointer field = G_STRUCT_MEMBER_P (row, row_fields[i].offset);

          if (!g_str_equal (name, row_fields[i].name) ||
              !g_variant_is_of_type (value, G_VARIANT_TYPE (row_fields[i].type)))
            continue;
          switch (row_fields[i].type[0])
            {
            case 's':
              /* The string lives in @dict, which the row keeps. */
              *(const char **) field = g_variant_get_string (value, NULL);
              break;
            case 'u':
              *(guint *) field = g_variant_get_uint32 (value);
              break;
            case 't':
              *(guint64 *) field = g_variant_get_uint64 (value);
              break;
            case 'x':
              *(gint64 *) field = g_variant_get_int64 (value);
              break;
            case 'b':
            default:
              *(gboolean *) field = g_variant_get_boolean (value);
              break;
            }
          break;
        }
      g_variant_unref (value);
    }
  return row;
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

static void
add_int (JsonBuilder *builder,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

static void
add_bool (JsonBuilder *builder,
          const char  *member,
          gboolean     value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_boolean_value (builder, value);
}

static void
add_transfer_json (JsonBuilder *builder,
                   Row         *t)
{
  json_builder_begin_object (builder);
  add_int (builder, "id", t->id);
  add_string (builder, "uri", t->uri);
  add_string (builder, "effective_uri", t->effective_uri);
  add_string (builder, "directory", t->directory);
  add_string (builder, "filename", t->filename);
  add_string (builder, "state", t->state);
  add_string (builder, "state_reason", t->state_reason);
  add_string (builder, "error", t->error);
  add_string (builder, "error_kind", t->error_kind);
  add_string (builder, "wait_reason", t->wait_reason);
  add_int (builder, "retry_at", t->retry_at);
  add_int (builder, "bytes_received", (gint64) t->bytes_received);
  add_int (builder, "bytes_total", (gint64) t->bytes_total);
  add_int (builder, "rate", (gint64) t->rate);
  add_bool (builder, "resumable", t->resumable);
  add_bool (builder, "discretionary", t->discretionary);
  add_int (builder, "segments", t->segments);
  add_string (builder, "sha256", t->sha256);
  add_int (builder, "created_at", t->created_at);
  add_int (builder, "finished_at", t->finished_at);
  json_builder_end_object (builder);
}

static void
print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static char *
progress_text (Row *t)
{
  if (t->bytes_total == 0)
    return haul_format_size (t->bytes_received);
  return g_strdup_printf ("%3u%%", (guint) (t->bytes_received * 100 / t->bytes_total));
}

static gint
compare_transfers (gconstpointer a,
                   gconstpointer b)
{
  guint ia = (*(Row **) a)->id;
  guint ib = (*(Row **) b)->id;

  return ia < ib ? -1 : ia > ib;
}

static int
list_transfers (const char *command,
                guint       only_id,
                gboolean    json)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) transfers = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gboolean tty = isatty (STDOUT_FILENO);
  int status = HAULCTL_EXIT_OK;
  GVariantIter iter;
  GVariant *interfaces;

  connection = connect_bus (command, &status);
  if (connection == NULL)
    return status;
  reply = g_dbus_connection_call_sync (connection, BUS_NAME, MANAGER_PATH,
                                       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                       NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  if (reply == NULL)
    return report (command, error);

  objects = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", NULL, &interfaces))
    {
      g_autoptr(GVariant) props = g_variant_lookup_value (interfaces, "io.github.haul.Transfer1",
                                                          G_VARIANT_TYPE_VARDICT);

      if (props != NULL)
        {
          Row *t = row_new (props);

          if (only_id == 0 || t->id == only_id)
            g_ptr_array_add (transfers, t);
          else
            row_free (t);
        }
      g_variant_unref (interfaces);
    }
  g_ptr_array_sort (transfers, compare_transfers);

  if (only_id != 0 && transfers->len == 0)
    {
      g_printerr (_("haulctl %s: there is no transfer %u\n"), command, only_id);
      return HAULCTL_EXIT_USAGE;
    }

  if (json)
    {
      if (only_id == 0)
        json_builder_begin_array (builder);
      for (guint i = 0; i < transfers->len; i++)
        add_transfer_json (builder, g_ptr_array_index (transfers, i));
      if (only_id == 0)
        json_builder_end_array (builder);
      print_json (builder);
      return HAULCTL_EXIT_OK;
    }

  if (tty && only_id == 0)
    g_print ("%-5s %-10s %8s %10s  %s\n", _("ID"), _("STATE"), _("PROGRESS"), _("RATE"), _("NAME"));
  for (guint i = 0; i < transfers->len; i++)
    {
      Row *t = g_ptr_array_index (transfers, i);
      g_autofree char *progress = progress_text (t);
      g_autofree char *rate_text = haul_format_rate (t->rate);

      if (only_id != 0)
        {
          g_print ("%s: %u\n%s: %s\n%s: %s\n%s: %s\n%s: %s\n", _("Id"), t->id,
                   _("URL"), t->uri, _("File"), t->filename, _("Directory"), t->directory,
                   _("State"), t->state);
          if (*t->state_reason != '\0')
            g_print ("%s: %s\n", _("Why"), t->state_reason);
          if (*t->error != '\0')
            g_print ("%s: %s\n", _("Error"), t->error);
          g_print ("%s: %s\n", _("Progress"), progress);
          continue;
        }
      g_print ("%-5u %-10s %8s %10s  %s\n", t->id, t->state, progress, rate_text,
               *t->filename != '\0' ? t->filename : t->uri);
    }
  return HAULCTL_EXIT_OK;
}

int
_haulctl_list (int    argc,
               char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list the transfers of the Haul service"));
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc > 1)
    {
      g_printerr ("haulctl list: %s\n", error != NULL ? error->message : _("unexpected argument"));
      return HAULCTL_EXIT_USAGE;
    }
  return list_transfers ("list", 0, json);
}

int
_haulctl_info (int    argc,
               char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID — show one transfer"));
  g_autoptr(GError) error = NULL;
  guint id;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 || !parse_id (argv[1], &id))
    {
      g_printerr ("haulctl info: %s\n", error != NULL ? error->message : _("give one transfer ID"));
      return HAULCTL_EXIT_USAGE;
    }
  return list_transfers ("info", id, json);
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

      if (!parse_id (argv[i], &id))
        {
          g_printerr (_("haulctl %s: “%s” is not a transfer ID\n"), command, argv[i]);
          return HAULCTL_EXIT_USAGE;
        }
      g_array_append_val (ids, id);
    }
  if ((ids->len == 0) == !all || (all && g_str_equal (command, "remove")) ||
      (delete_file && !g_str_equal (command, "remove")))
    {
      g_printerr (_("haulctl %s: give transfer IDs or --all\n"), command);
      return HAULCTL_EXIT_USAGE;
    }

  connection = connect_bus (command, &status);
  if (connection == NULL)
    return status;

  if (all && !g_str_equal (command, "cancel"))
    {
      g_autoptr(HaulManager1) manager =
        haul_manager1_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                      BUS_NAME, MANAGER_PATH, NULL, &error);

      if (manager == NULL ||
          !(g_str_equal (command, "pause") ? haul_manager1_call_pause_all_sync (manager, NULL, &error)
                                           : haul_manager1_call_resume_all_sync (manager, NULL, &error)))
        return report (command, error);
      return HAULCTL_EXIT_OK;
    }

  if (all)
    {
      /* Cancel every transfer that is not finished. */
      g_autoptr(GDBusObjectManager) objects =
        haul_object_manager_client_new_sync (connection, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                             BUS_NAME, MANAGER_PATH, NULL, &error);
      g_autolist(GDBusObject) list = NULL;

      if (objects == NULL)
        return report (command, error);
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
      g_autofree char *path = transfer_path (id);
      g_autoptr(HaulTransfer1) t = NULL;
      g_autoptr(GError) call_error = NULL;
      gboolean ok;

      t = haul_transfer1_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                         BUS_NAME, path, NULL, &call_error);
      if (t == NULL)
        return report (command, call_error);

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
          status = report_transfer (command, id, call_error);
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
  connection = connect_bus ("quit", &status);
  if (connection == NULL)
    return status;
  /* Quitting a service that is not running must not start it. */
  manager = haul_manager1_proxy_new_sync (connection,
                                          G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                          G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                                          BUS_NAME, MANAGER_PATH, NULL, &error);
  if (manager == NULL)
    return report ("quit", error);
  /* Not running: nothing to stop. */
  owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (manager));
  if (owner == NULL)
    return HAULCTL_EXIT_OK;
  if (!haul_manager1_call_quit_sync (manager, NULL, &error))
    return report ("quit", error);
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

  if (argc != 3 || !parse_id (argv[1], &id))
    {
      g_printerr ("haulctl set-uri: %s\n", _("give one transfer ID and one URL"));
      return HAULCTL_EXIT_USAGE;
    }
  connection = connect_bus ("set-uri", &status);
  if (connection == NULL)
    return status;
  path = transfer_path (id);
  t = haul_transfer1_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                     BUS_NAME, path, NULL, &error);
  if (t == NULL || !haul_transfer1_call_set_uri_sync (t, argv[2], NULL, &error))
    return report_transfer ("set-uri", id, error);
  return HAULCTL_EXIT_OK;
}

/* ---- watch, and add --wait ---------------------------------------------------------- */

/* Follows transfers until the ones asked for are finished. State changes come as
 * PropertiesChanged, figures in the Progress signal; as the specification asks of every
 * client, the state is read again when the service (re)appears, and a running transfer
 * silent for 2 seconds is read again too. */
typedef struct
{
  GMainLoop          *loop;
  GDBusObjectManager *objects;
  HaulManager1       *manager;
  GArray             *ids;        /* the transfers to wait for; empty: all, forever */
  GHashTable         *last_seen;  /* id → monotonic time of its last news */
  GHashTable         *states;     /* id → the state last printed */
  gboolean            lines;      /* print a line per change on stdout (watch) */
  gboolean            bar;        /* show a progress line on stderr (add --wait on a tty) */
  gboolean            any_failed;
  gboolean            daemon_gone;
  gboolean            done;
} Watch;

static gboolean
is_final (const char *state)
{
  return g_strcmp0 (state, "completed") == 0 || g_strcmp0 (state, "failed") == 0 ||
         g_strcmp0 (state, "cancelled") == 0;
}

static gboolean
watched (Watch *w,
         guint  id)
{
  if (w->ids->len == 0)
    return TRUE;
  for (guint i = 0; i < w->ids->len; i++)
    if (g_array_index (w->ids, guint, i) == id)
      return TRUE;
  return FALSE;
}

static HaulTransfer1 *
find_transfer (Watch *w,
               guint  id)
{
  g_autofree char *path = transfer_path (id);
  g_autoptr(GDBusObject) object = g_dbus_object_manager_get_object (w->objects, path);

  /* The object manager keeps its objects alive; the peek is safe while it runs. */
  return object != NULL ? haul_object_peek_transfer1 (HAUL_OBJECT (object)) : NULL;
}

static char *
figures_text (guint64 received,
              guint64 total,
              guint64 rate)
{
  g_autofree char *got = haul_format_size (received);
  g_autofree char *all = total > 0 ? haul_format_size (total) : NULL;
  g_autofree char *speed = haul_format_rate (rate);

  if (all != NULL)
    /* Translators: "12.5 MB of 100 MB (12%), 1.2 MB/s" */
    return g_strdup_printf (_("%s of %s (%u%%), %s"), got, all,
                            (guint) (received * 100 / total), speed);
  return g_strdup_printf (_("%s, %s"), got, speed);
}

/* Puts the answer of a Properties.GetAll into @t's cache. */
static void
cache_properties (HaulTransfer1 *t,
                  GVariant      *reply)
{
  g_autoptr(GVariant) props = NULL;
  GVariantIter iter;
  const char *name;
  GVariant *value;

  g_variant_get (reply, "(@a{sv})", &props);
  g_variant_iter_init (&iter, props);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      g_dbus_proxy_set_cached_property (G_DBUS_PROXY (t), name, value);
      g_variant_unref (value);
    }
}

/* Reads every property of @t again, waiting for the answer. */
static void
reread_sync (HaulTransfer1 *t)
{
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (g_dbus_proxy_get_connection (G_DBUS_PROXY (t)), BUS_NAME,
                                       g_dbus_proxy_get_object_path (G_DBUS_PROXY (t)),
                                       "org.freedesktop.DBus.Properties", "GetAll",
                                       g_variant_new ("(s)", "io.github.haul.Transfer1"),
                                       G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, NULL);
  if (reply == NULL)
    return;
  cache_properties (t, reply);
}

/* Prints each state change once. */
static void
print_changes (Watch *w)
{
  g_autolist(GDBusObject) list = g_dbus_object_manager_get_objects (w->objects);

  for (GList *l = list; l != NULL; l = l->next)
    {
      HaulTransfer1 *t = haul_object_peek_transfer1 (HAUL_OBJECT (l->data));
      g_autofree char *state = NULL;
      const char *printed;
      guint id;

      if (t == NULL || !watched (w, (id = haul_transfer1_get_id (t))))
        continue;
      /* A copy: reread_sync() replaces the proxy's strings. */
      state = haul_transfer1_dup_state (t);
      printed = g_hash_table_lookup (w->states, GUINT_TO_POINTER (id));
      if (g_strcmp0 (printed, state) == 0)
        continue;
      g_hash_table_insert (w->states, GUINT_TO_POINTER (id), g_strdup (state));

      if (w->lines && is_final (state))
        {
          g_autofree char *text = NULL;

          /* The last figures may still be on their way in the next Progress signal,
           * which a finished transfer ends the wait before: read them now. */
          reread_sync (t);
          text = figures_text (haul_transfer1_get_bytes_received (t),
                               haul_transfer1_get_bytes_total (t), 0);
          g_print ("%u %s\n", id, text);
        }
      if (w->lines)
        {
          const char *why = g_str_equal (state, "failed") ? haul_transfer1_get_error (t)
                                                            : haul_transfer1_get_state_reason (t);

          g_print ("%u %s%s%s\n", id, state, *why != '\0' ? ": " : "", why);
        }
      if (w->bar && is_final (state))
        g_printerr ("\r\033[K");
      if (g_str_equal (state, "failed") || g_str_equal (state, "cancelled"))
        {
          w->any_failed = TRUE;
          if (!w->lines)
            g_printerr (_("haulctl: transfer %u %s: %s\n"), id, state,
                        g_str_equal (state, "failed") ? haul_transfer1_get_error (t) : state);
        }
    }
}

/* Prints what changed, and ends the wait when every transfer asked for is done. */
static void
check_transfers (Watch *w)
{
  print_changes (w);

  if (w->ids->len > 0)
    {
      gboolean all_done = TRUE;

      for (guint i = 0; i < w->ids->len; i++)
        {
          HaulTransfer1 *t = find_transfer (w, g_array_index (w->ids, guint, i));

          /* A transfer removed meanwhile counts as done, and not as a success. */
          if (t == NULL)
            w->any_failed = TRUE;
          else if (!is_final (haul_transfer1_get_state (t)))
            all_done = FALSE;
        }
      w->done = all_done;
      if (all_done && g_main_loop_is_running (w->loop))
        g_main_loop_quit (w->loop);
    }
}

static void
on_progress_cb (HaulManager1 *manager,
                GVariant     *progress,
                Watch        *w)
{
  GVariantIter iter;
  guint id;
  guint64 received, total, rate;

  g_variant_iter_init (&iter, progress);
  while (g_variant_iter_next (&iter, "(uttt)", &id, &received, &total, &rate))
    {
      HaulTransfer1 *t;
      g_autofree char *text = NULL;

      if (!watched (w, id))
        continue;
      g_hash_table_insert (w->last_seen, GUINT_TO_POINTER (id),
                           g_memdup2 (&(gint64) { g_get_monotonic_time () }, sizeof (gint64)));
      /* Keep the proxies' figures current: they are not sent as PropertiesChanged. */
      if ((t = find_transfer (w, id)) != NULL)
        {
          g_dbus_proxy_set_cached_property (G_DBUS_PROXY (t), "BytesReceived", g_variant_new_uint64 (received));
          g_dbus_proxy_set_cached_property (G_DBUS_PROXY (t), "BytesTotal", g_variant_new_uint64 (total));
          g_dbus_proxy_set_cached_property (G_DBUS_PROXY (t), "Rate", g_variant_new_uint64 (rate));
        }
      /* The last figures of a finished transfer were printed with its state. */
      if (is_final (g_hash_table_lookup (w->states, GUINT_TO_POINTER (id))))
        continue;
      text = figures_text (received, total, rate);
      if (w->lines)
        g_print ("%u %s\n", id, text);
      if (w->bar)
        g_printerr ("\r\033[K%u: %s", id, text);
    }
}

static void
on_changed_cb (Watch *w)
{
  check_transfers (w);
}

/* Reads every property of @t again, for a transfer whose news stopped. */
static void
reread_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(HaulTransfer1) t = user_data;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, NULL);
  if (reply == NULL)
    return;
  cache_properties (t, reply);
}

static gboolean
on_silence_cb (gpointer user_data)
{
  Watch *w = user_data;
  g_autolist(GDBusObject) list = g_dbus_object_manager_get_objects (w->objects);
  gint64 now = g_get_monotonic_time ();

  for (GList *l = list; l != NULL; l = l->next)
    {
      HaulTransfer1 *t = haul_object_peek_transfer1 (HAUL_OBJECT (l->data));
      gint64 *seen;
      guint id;

      if (t == NULL || !watched (w, (id = haul_transfer1_get_id (t))) ||
          g_strcmp0 (haul_transfer1_get_state (t), "running") != 0)
        continue;
      seen = g_hash_table_lookup (w->last_seen, GUINT_TO_POINTER (id));
      if (seen != NULL && now - *seen < 2 * G_USEC_PER_SEC)
        continue;
      g_hash_table_insert (w->last_seen, GUINT_TO_POINTER (id), g_memdup2 (&now, sizeof now));
      g_dbus_connection_call (g_dbus_proxy_get_connection (G_DBUS_PROXY (t)), BUS_NAME,
                              g_dbus_proxy_get_object_path (G_DBUS_PROXY (t)),
                              "org.freedesktop.DBus.Properties", "GetAll",
                              g_variant_new ("(s)", "io.github.haul.Transfer1"),
                              G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                              reread_done_cb, g_object_ref (t));
    }
  check_transfers (w);
  return G_SOURCE_CONTINUE;
}

static void
on_owner_cb (GObject    *objects,
             GParamSpec *pspec,
             Watch      *w)
{
  g_autofree char *owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (objects));

  /* The object manager reads everything again when the service comes back. A client
   * that waits for transfers makes it come back: the service continues them. */
  if (owner == NULL && w->ids->len > 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) reply = NULL;

      reply = g_dbus_connection_call_sync (g_dbus_proxy_get_connection (G_DBUS_PROXY (w->manager)),
                                           "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "StartServiceByName",
                                           g_variant_new ("(su)", BUS_NAME, 0),
                                           G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                           NULL, &error);
      if (reply == NULL)
        {
          w->daemon_gone = TRUE;
          g_printerr (_("haulctl: the Haul service went away: %s\n"), error->message);
          g_main_loop_quit (w->loop);
        }
    }
  else if (owner == NULL)
    {
      w->daemon_gone = TRUE;
      g_main_loop_quit (w->loop);
    }
}

static int
watch_transfers (GDBusConnection *connection,
                 const char      *command,
                 GArray          *ids,
                 gboolean         lines,
                 gboolean         bar)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;
  Watch w = { 0 };
  guint silence;

  w.ids = ids;
  w.lines = lines;
  w.bar = bar;
  w.manager = haul_manager1_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME,
                                            MANAGER_PATH, NULL, &error);
  if (w.manager == NULL)
    return report (command, error);
  w.objects = haul_object_manager_client_new_sync (connection, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                                   BUS_NAME, MANAGER_PATH, NULL, &error);
  if (w.objects == NULL)
    {
      g_object_unref (w.manager);
      return report (command, error);
    }
  owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (w.objects));
  if (owner == NULL)
    {
      g_object_unref (w.objects);
      g_object_unref (w.manager);
      g_printerr (_("haulctl %s: the Haul service could not be reached\n"), command);
      return HAULCTL_EXIT_NO_DAEMON;
    }
  for (guint i = 0; i < ids->len; i++)
    if (find_transfer (&w, g_array_index (ids, guint, i)) == NULL)
      {
        g_printerr (_("haulctl %s: there is no transfer %u\n"), command, g_array_index (ids, guint, i));
        g_object_unref (w.objects);
        g_object_unref (w.manager);
        return HAULCTL_EXIT_USAGE;
      }

  w.loop = g_main_loop_new (NULL, FALSE);
  w.last_seen = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  w.states = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_signal_connect (w.manager, "progress", G_CALLBACK (on_progress_cb), &w);
  g_signal_connect_swapped (w.objects, "interface-proxy-properties-changed",
                            G_CALLBACK (on_changed_cb), &w);
  g_signal_connect_swapped (w.objects, "object-added", G_CALLBACK (on_changed_cb), &w);
  g_signal_connect_swapped (w.objects, "object-removed", G_CALLBACK (on_changed_cb), &w);
  g_signal_connect (w.objects, "notify::name-owner", G_CALLBACK (on_owner_cb), &w);
  silence = g_timeout_add (500, on_silence_cb, &w);

  /* Everything may be done already. */
  check_transfers (&w);
  if (!w.done)
    g_main_loop_run (w.loop);

  g_source_remove (silence);
  g_signal_handlers_disconnect_by_data (w.manager, &w);
  g_signal_handlers_disconnect_by_data (w.objects, &w);
  g_hash_table_unref (w.last_seen);
  g_hash_table_unref (w.states);
  g_main_loop_unref (w.loop);
  g_object_unref (w.objects);
  g_object_unref (w.manager);

  if (w.daemon_gone && ids->len > 0)
    return HAULCTL_EXIT_NO_DAEMON;
  return w.any_failed ? HAULCTL_EXIT_FAILED : HAULCTL_EXIT_OK;
}

int
_haulctl_watch (int    argc,
                char **argv)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));
  int status = HAULCTL_EXIT_OK;

  if (argc > 1 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("%s\n\n%s\n", _("Usage: haulctl watch [ID…]"),
               _("Print each change of the transfers, a line each. With IDs, exit once they are all finished: 0 if all completed, 1 if one failed or was cancelled."));
      return HAULCTL_EXIT_OK;
    }
  for (int i = 1; i < argc; i++)
    {
      guint id;

      if (!parse_id (argv[i], &id))
        {
          g_printerr (_("haulctl %s: “%s” is not a transfer ID\n"), "watch", argv[i]);
          return HAULCTL_EXIT_USAGE;
        }
      g_array_append_val (ids, id);
    }
  connection = connect_bus ("watch", &status);
  if (connection == NULL)
    return status;
  return watch_transfers (connection, "watch", ids, TRUE, FALSE);
}
