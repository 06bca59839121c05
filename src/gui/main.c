/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "haul-application.h"
#include "haul-i18n.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(HaulApplication) app = NULL;

  haul_i18n_init ();

  app = haul_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
