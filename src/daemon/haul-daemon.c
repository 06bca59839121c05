/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-daemon"

#include "config.h"


#include <glib/gi18n.h>

#include "haul-service.h"
#include "haul-i18n.h"

static gboolean
service_is_running (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  if (bus == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "io.github.haul.Daemon"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(HaulService) service = NULL;

  haul_i18n_init ();

  /* At login the service may already run (a client activated it first): it continues
   * the transfers itself, so the autostart has nothing to do. */
  if (argc > 1 && g_strv_contains ((const char * const *) argv + 1, "--autostart") &&
      service_is_running ())
    return 0;

  service = haul_service_new ();
  return g_application_run (G_APPLICATION (service), argc, argv);
}
