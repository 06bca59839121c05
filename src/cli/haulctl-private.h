/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-client.h"

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

/* What the commands that talk to the service share (haulctl-daemon.c). */
int              _haulctl_report          (const char       *command,
                                           GError           *error);
int              _haulctl_report_transfer (const char       *command,
                                           guint             id,
                                           GError           *error);
GDBusConnection *_haulctl_connect_bus     (const char       *command,
                                           int              *status);
gboolean         _haulctl_parse_id        (const char       *text,
                                           guint            *id);
HaulClient      *_haulctl_client_new      (const char       *command,
                                           GDBusConnection  *connection,
                                           HaulClientFlags   flags,
                                           int              *status);
int              _haulctl_watch_transfers (GDBusConnection  *connection,
                                           const char       *command,
                                           GArray           *ids,
                                           gboolean          lines,
                                           gboolean          bar);

G_END_DECLS
