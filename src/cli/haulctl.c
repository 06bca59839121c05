/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haulctl"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "haulctl-private.h"
#include "haul-i18n.h"

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: haulctl COMMAND [OPTION…]"));
  fprintf (out, "  %s\n", _("get URL             Download URL into a file, here and now, without the Haul service"));
  fprintf (out, "  %s\n", _("add URL…            Add downloads to the Haul service; prints their IDs"));
  fprintf (out, "  %s\n", _("list                List the transfers of the Haul service"));
  fprintf (out, "  %s\n", _("info ID             Show one transfer"));
  fprintf (out, "  %s\n", _("pause ID…|--all     Pause transfers"));
  fprintf (out, "  %s\n", _("resume ID…|--all    Resume paused or failed transfers"));
  fprintf (out, "  %s\n", _("cancel ID…|--all    Cancel transfers and delete their partial data"));
  fprintf (out, "  %s\n", _("remove ID…          Forget transfers (--delete-file: and their files)"));
  fprintf (out, "  %s\n", _("set-uri ID URL      Give a transfer a fresh link to the same file"));
  fprintf (out, "  %s\n", _("watch [ID…]         Print the changes of transfers as they happen"));
  fprintf (out, "  %s\n\n", _("quit                Stop the Haul service; unfinished transfers continue at its next start"));
  fprintf (out, "%s\n", _("Run “haulctl COMMAND --help” for the options of a command."));
}

int
main (int    argc,
      char **argv)
{
  haul_i18n_init ();

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
  if (g_str_equal (argv[1], "add"))
    return _haulctl_add (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "list"))
    return _haulctl_list (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "info"))
    return _haulctl_info (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "pause") || g_str_equal (argv[1], "resume") ||
      g_str_equal (argv[1], "cancel") || g_str_equal (argv[1], "remove"))
    return _haulctl_control (argv[1], argc - 1, argv + 1);
  if (g_str_equal (argv[1], "set-uri"))
    return _haulctl_set_uri (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "watch"))
    return _haulctl_watch (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "quit"))
    return _haulctl_quit (argc - 1, argv + 1);

  g_printerr (_("haulctl: unknown command “%s”\n"), argv[1]);
  print_usage (stderr);
  return HAULCTL_EXIT_USAGE;
}
