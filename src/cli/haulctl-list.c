/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haulctl-list"

#include "config.h"

#include <unistd.h>

#include <stdio.h>

#include <glib/gi18n.h>

#include "haul-format.h"

#include "haulctl-json.h"
#include "haulctl-private.h"

/* haulctl list and info: the transfers as the client library reads them. */

static void
add_string (HaulctlJson *json,
            const char  *member,
            const char  *value)
{
  _haulctl_json_member (json, member);
  _haulctl_json_string (json, value);
}

static void
add_int (HaulctlJson *json,
         const char  *member,
         gint64       value)
{
  _haulctl_json_member (json, member);
  _haulctl_json_int (json, value);
}

static void
add_bool (HaulctlJson *json,
          const char  *member,
          gboolean     value)
{
  _haulctl_json_member (json, member);
  _haulctl_json_boolean (json, value);
}

static void
add_transfer_json (HaulctlJson        *json,
                   HaulClientTransfer *t)
{
  _haulctl_json_begin_object (json);
  add_int (json, "id", haul_client_transfer_get_id (t));
  add_string (json, "uri", haul_client_transfer_get_uri (t));
  add_string (json, "effective_uri", haul_client_transfer_get_effective_uri (t));
  add_string (json, "directory", haul_client_transfer_get_directory (t));
  add_string (json, "filename", haul_client_transfer_get_file_name (t));
  add_string (json, "state", haul_transfer_state_to_string (haul_client_transfer_get_state (t)));
  add_string (json, "state_reason", haul_client_transfer_get_state_reason (t));
  add_string (json, "error", haul_client_transfer_get_error (t));
  add_string (json, "error_kind", haul_error_kind_to_string (haul_client_transfer_get_error_kind (t)));
  add_string (json, "wait_reason", haul_wait_reason_to_string (haul_client_transfer_get_wait_reason (t)));
  add_int (json, "retry_at", haul_client_transfer_get_retry_at (t));
  add_int (json, "bytes_received", (gint64) haul_client_transfer_get_bytes_received (t));
  add_int (json, "bytes_total", (gint64) haul_client_transfer_get_bytes_total (t));
  add_int (json, "rate", (gint64) haul_client_transfer_get_rate (t));
  add_bool (json, "resumable", haul_client_transfer_get_resumable (t));
  add_bool (json, "discretionary", haul_client_transfer_get_discretionary (t));
  add_int (json, "segments", haul_client_transfer_get_segments (t));
  add_string (json, "sha256", haul_client_transfer_get_sha256 (t));
  add_int (json, "created_at", haul_client_transfer_get_created_at (t));
  add_int (json, "finished_at", haul_client_transfer_get_finished_at (t));
  _haulctl_json_end_object (json);
}

static void
print_json (GString *out)
{
  g_string_append_c (out, '\n');
  fwrite (out->str, 1, out->len, stdout);
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
                gboolean    as_json)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(HaulClient) client = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  HaulctlJson json;
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
  _haulctl_json_init (&json, out);
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
      if (as_json)
        {
          add_transfer_json (&json, t);
          print_json (out);
        }
      else
        print_info (t);
      return HAULCTL_EXIT_OK;
    }

  if (as_json)
    {
      _haulctl_json_begin_array (&json);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(HaulClientTransfer) t = g_list_model_get_item (transfers, i);

          add_transfer_json (&json, t);
        }
      _haulctl_json_end_array (&json);
      print_json (out);
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
