/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-daemon"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "haul-service.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(HaulService) service = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  service = haul_service_new ();
  return g_application_run (G_APPLICATION (service), argc, argv);
}
