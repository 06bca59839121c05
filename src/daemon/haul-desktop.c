/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-desktop"

#include "config.h"

#include "haul-desktop.h"
#include "haul-fdo-generated.h"

/**
 * haul_overall_read:
 * @manager: the manager
 * @overall: (out caller-allocates): the figures of the active transfers together
 */
void
haul_overall_read (HaulManager *manager,
                   HaulOverall *overall)
{
  GPtrArray *transfers = haul_manager_get_transfers (manager);

  *overall = (HaulOverall) { 0 };
  for (guint i = 0; i < transfers->len; i++)
    {
      HaulTransfer *transfer = g_ptr_array_index (transfers, i);
      guint64 total;

      if (!haul_transfer_is_active (transfer))
        continue;
      overall->active++;
      if (haul_transfer_get_state (transfer) == HAUL_TRANSFER_STATE_RUNNING)
        overall->running++;
      overall->rate += haul_transfer_get_rate (transfer);
      total = haul_transfer_get_bytes_total (transfer);
      if (total > 0)
        {
          overall->total += total;
          overall->received += MIN (haul_transfer_get_bytes_received (transfer), total);
        }
    }
}

gboolean
haul_overall_equal (const HaulOverall *a,
                    const HaulOverall *b)
{
  return a->active == b->active && a->running == b->running && a->received == b->received &&
         a->total == b->total && a->rate == b->rate;
}

/* Where the window comes to the front, the token of the click that asked for it lets it. */
static GVariant *
platform_data (const char *activation_token)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  if (activation_token != NULL && *activation_token != '\0')
    {
      g_variant_builder_add (&builder, "{sv}", "activation-token", g_variant_new_string (activation_token));
      g_variant_builder_add (&builder, "{sv}", "desktop-startup-id", g_variant_new_string (activation_token));
    }
  return g_variant_builder_end (&builder);
}

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_message ("%s: %s", (const char *) user_data, error->message);
    }
}

/* The application's methods, by D-Bus activation: the window starts if it is not
 * running (the desktop file says DBusActivatable). */
static void
call_app (GDBusConnection *connection,
          const char      *method,
          GVariant        *parameters)
{
  GDBusInterfaceInfo *info = haul_fdo_application_interface_info ();

  g_dbus_connection_call (connection, HAUL_APP_BUS_NAME, HAUL_APP_PATH, info->name, method,
                          parameters, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, call_cb,
                          (gpointer) "Could not show Haul's window");
}

/**
 * haul_desktop_show_window:
 * @connection: the session bus
 * @activation_token: (nullable): the token of the user's click, if the host gave one
 */
void
haul_desktop_show_window (GDBusConnection *connection,
                          const char      *activation_token)
{
  call_app (connection, "Activate", g_variant_new ("(@a{sv})", platform_data (activation_token)));
}

/**
 * haul_desktop_activate_action:
 * @connection: the session bus
 * @action: an action of the application taking a transfer's ID: "show-transfer",
 *   "change-link"
 * @transfer_id: the transfer
 * @activation_token: (nullable): the token of the user's click
 */
void
haul_desktop_activate_action (GDBusConnection *connection,
                              const char      *action,
                              guint            transfer_id,
                              const char      *activation_token)
{
  GVariant *parameter = g_variant_new_variant (g_variant_new_uint32 (transfer_id));

  call_app (connection, "ActivateAction",
            g_variant_new ("(s@av@a{sv})", action,
                           g_variant_new_array (G_VARIANT_TYPE_VARIANT, &parameter, 1),
                           platform_data (activation_token)));
}

/* The URI of a transfer's file, or %NULL while it has no name. */
static char *
file_uri (HaulTransfer *transfer)
{
  g_autofree char *path = NULL;

  if (*haul_transfer_get_file_name (transfer) == '\0')
    return NULL;
  path = g_build_filename (haul_transfer_get_directory (transfer),
                           haul_transfer_get_file_name (transfer), NULL);
  return g_filename_to_uri (path, NULL, NULL);
}

static void
launch_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_message ("Could not open the file: %s", error->message);
}

/**
 * haul_desktop_open_file:
 * @transfer: a completed transfer
 * @activation_token: (nullable): the token of the user's click
 *
 * Opens the file with the default application for its type.
 */
void
haul_desktop_open_file (HaulTransfer *transfer,
                        const char   *activation_token)
{
  g_autofree char *uri = file_uri (transfer);
  g_autoptr(GAppLaunchContext) context = g_app_launch_context_new ();

  if (uri == NULL)
    return;
  if (activation_token != NULL && *activation_token != '\0')
    g_app_launch_context_setenv (context, "XDG_ACTIVATION_TOKEN", activation_token);
  g_app_info_launch_default_for_uri_async (uri, context, NULL, launch_cb, NULL);
}

/**
 * haul_desktop_show_in_folder:
 * @connection: the session bus
 * @transfer: a transfer with a file
 * @activation_token: (nullable): the token of the user's click
 *
 * Asks the file manager to show the folder with the file selected.
 */
void
haul_desktop_show_in_folder (GDBusConnection *connection,
                             HaulTransfer    *transfer,
                             const char      *activation_token)
{
  g_autofree char *uri = file_uri (transfer);
  const char *uris[] = { uri, NULL };

  if (uri == NULL)
    return;
  g_dbus_connection_call (connection, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                          haul_fdo_file_manager1_interface_info ()->name, "ShowItems",
                          g_variant_new ("(^ass)", uris,
                                         activation_token != NULL ? activation_token : ""),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, call_cb,
                          (gpointer) "Could not show the file in its folder");
}
