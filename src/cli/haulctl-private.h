/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses of haulctl, as the specification lists them. */
enum
{
  HAULCTL_EXIT_OK          = 0,
  HAULCTL_EXIT_FAILED      = 1,
  HAULCTL_EXIT_USAGE       = 2,
  HAULCTL_EXIT_NO_DAEMON   = 3,
};

int _haulctl_get     (int          argc,
                      char       **argv);
int _haulctl_add     (int          argc,
                      char       **argv);
int _haulctl_list    (int          argc,
                      char       **argv);
int _haulctl_info    (int          argc,
                      char       **argv);
int _haulctl_control (const char  *command,
                      int          argc,
                      char       **argv);
int _haulctl_quit    (int          argc,
                      char       **argv);
int _haulctl_set_uri (int          argc,
                      char       **argv);
int _haulctl_watch   (int          argc,
                      char       **argv);

G_END_DECLS
