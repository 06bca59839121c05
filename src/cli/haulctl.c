/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haulctl"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "haulctl-private.h"

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n  %s\n\n%s\n",
           _("Usage: haulctl COMMAND [OPTION…]"),
           _("get URL     Download URL into a file, here and now, without the Haul service"),
           _("Run “haulctl COMMAND --help” for the options of a command."));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (stderr);
      return HAULCTL_EXIT_USAGE;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return HAULCTL_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("haulctl %s\n", PACKAGE_VERSION);
      return HAULCTL_EXIT_OK;
    }
  if (g_str_equal (argv[1], "get"))
    return _haulctl_get (argc - 1, argv + 1);

  g_printerr (_("haulctl: unknown command “%s”\n"), argv[1]);
  print_usage (stderr);
  return HAULCTL_EXIT_USAGE;
}
