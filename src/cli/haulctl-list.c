/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haulctl-list"

#include "config.h"

#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "haul-format.h"

#include "haulctl-private.h"

/* haulctl list and info: the transfers as the client library reads them. */

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
add_transfer_json (JsonBuilder        *builder,
                   HaulClientTransfer *t)
{
  json_builder_begin_object (builder);
  add_int (builder, "id", haul_client_transfer_get_id (t));
  add_string (builder, "uri", haul_client_transfer_get_uri (t));
  add_string (builder, "effective_uri", haul_client_transfer_get_effective_uri (t));
  add_string (builder, "directory", haul_client_transfer_get_directory (t));
  add_string (builder, "filename", haul_client_transfer_get_file_name (t));
  add_string (builder, "state", haul_transfer_state_to_string (haul_client_transfer_get_state (t)));
  add_string (builder, "state_reason", haul_client_transfer_get_state_reason (t));
  add_string (builder, "error", haul_client_transfer_get_error (t));
  add_string (builder, "error_kind", haul_error_kind_to_string (haul_client_transfer_get_error_kind (t)));
  add_string (builder, "wait_reason", haul_wait_reason_to_string (haul_client_transfer_get_wait_reason (t)));
  add_int (builder, "retry_at", haul_client_transfer_get_retry_at (t));
  add_int (builder, "bytes_received", (gint64) haul_client_transfer_get_bytes_received (t));
  add_int (builder, "bytes_total", (gint64) haul_client_transfer_get_bytes_total (t));
  add_int (builder, "rate", (gint64) haul_client_transfer_get_rate (t));
  add_bool (builder, "resumable", haul_client_transfer_get_resumable (t));
  add_bool (builder, "discretionary", haul_client_transfer_get_discretionary (t));
  add_int (builder, "segments", haul_client_transfer_get_segments (t));
  add_string (builder, "sha256", haul_client_transfer_get_sha256 (t));
  add_int (builder, "created_at", haul_client_transfer_get_created_at (t));
  add_int (builder, "finished_at", haul_client_transfer_get_finished_at (t));
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
progress_text (HaulClientTransfer *t)
{
  guint64 received = haul_client_transfer_get_bytes_received (t);
  guint64 total = haul_client_transfer_get_bytes_total (t);

  if (total == 0)
    return haul_format_size (received);
  return g_strdup_printf ("%3u%%", (guint) (received * 100 / total));
}

static void
print_info (HaulClientTransfer *t)
{
  g_autofree char *progress = progress_text (t);
  const char *reason = haul_client_transfer_get_state_reason (t);
  const char *error = haul_client_transfer_get_error (t);

  g_print ("%s: %u\n%s: %s\n%s: %s\n%s: %s\n%s: %s\n", _("Id"), haul_client_transfer_get_id (t),
           _("URL"), haul_client_transfer_get_uri (t), _("File"),
           haul_client_transfer_get_file_name (t), _("Directory"),
           haul_client_transfer_get_directory (t), _("State"),
           haul_transfer_state_to_string (haul_client_transfer_get_state (t)));
  if (*reason != '\0')
    g_print ("%s: %s\n", _("Why"), reason);
  if (*error != '\0')
    g_print ("%s: %s\n", _("Error"), error);
  g_print ("%s: %s\n", _("Progress"), progress);
}

static int
list_transfers (const char *command,
                guint       only_id,
                gboolean    json)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(HaulClient) client = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gboolean tty = isatty (STDOUT_FILENO);
  int status = HAULCTL_EXIT_OK;
  GListModel *transfers;
  guint n;

  connection = _haulctl_connect_bus (command, &status);
  if (connection == NULL)
    return status;
  client = _haulctl_client_new (command, connection, HAUL_CLIENT_FLAGS_ACTIVATE, &status);
  if (client == NULL)
    return status;
  transfers = haul_client_get_transfers (client);
  n = g_list_model_get_n_items (transfers);

  if (only_id != 0)
    {
      HaulClientTransfer *t = haul_client_lookup (client, only_id);

      if (t == NULL)
        {
          g_printerr (_("haulctl %s: there is no transfer %u\n"), command, only_id);
          return HAULCTL_EXIT_USAGE;
        }
      if (json)
        {
          add_transfer_json (builder, t);
          print_json (builder);
        }
      else
        print_info (t);
      return HAULCTL_EXIT_OK;
    }

  if (json)
    {
      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(HaulClientTransfer) t = g_list_model_get_item (transfers, i);

          add_transfer_json (builder, t);
        }
      json_builder_end_array (builder);
      print_json (builder);
      return HAULCTL_EXIT_OK;
    }

  if (tty)
    g_print ("%-5s %-10s %8s %10s  %s\n", _("ID"), _("STATE"), _("PROGRESS"), _("RATE"), _("NAME"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HaulClientTransfer) t = g_list_model_get_item (transfers, i);
      g_autofree char *progress = progress_text (t);
      g_autofree char *rate = haul_format_rate (haul_client_transfer_get_rate (t));

      g_print ("%-5u %-10s %8s %10s  %s\n", haul_client_transfer_get_id (t),
               haul_transfer_state_to_string (haul_client_transfer_get_state (t)), progress, rate,
               haul_client_transfer_get_file_name (t));
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
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 ||
      !_haulctl_parse_id (argv[1], &id))
    {
      g_printerr ("haulctl info: %s\n", error != NULL ? error->message : _("give one transfer ID"));
      return HAULCTL_EXIT_USAGE;
    }
  return list_transfers ("info", id, json);
}
