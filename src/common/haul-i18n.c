/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "haul-i18n.h"

/**
 * haul_i18n_init:
 *
 * Sets the locale from the environment and binds Haul's gettext domain: to the
 * installed catalogues, or to `$HAUL_LOCALEDIR` where it is set. That is a build tree's
 * `po/` folder, so that what runs in place (the tests, the screenshots, `dev.sh run`
 * without a desktop) speaks the language asked: the service too, whose words (a
 * failure, a reason to wait) the window and `haulctl` show as they come.
 */
void
haul_i18n_init (void)
{
  const char *dir = g_getenv ("HAUL_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, dir != NULL && *dir != '\0' ? dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
