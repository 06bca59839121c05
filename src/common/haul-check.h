/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The rules every part of Haul applies to what it is given: by a client over D-Bus, on
 * the command line, by a server (a redirect), or read back from a state file. Each is
 * written once, here; errors are in the HAUL_ERROR domain. */

/* The longest URL Haul takes. */
#define HAUL_URI_MAX_LENGTH 8192
/* The most connections one download uses. */
#define HAUL_MAX_SEGMENTS   16

/* The names Haul owns on the session bus. */
#define HAUL_DAEMON_BUS_NAME      "io.github.haul.Daemon"
#define HAUL_DAEMON_PATH          "/io/github/haul/Daemon"
#define HAUL_DAEMON_TRANSFER_PATH "/io/github/haul/Daemon/transfer"

char    *haul_transfer_object_path         (guint        id);
guint    haul_transfer_id_from_object_path (const char  *path);

gboolean haul_check_uri            (const char  *uri,
                                    GError     **error);
GStrv    haul_find_uris            (const char  *text);
char    *haul_download_directory   (const char  *setting);
gboolean haul_check_guri           (GUri        *uri,
                                    GError     **error);
gboolean haul_check_file_name      (const char  *name,
                                    gssize       length,
                                    GError     **error);
gboolean haul_check_directory      (const char  *path,
                                    GError     **error);
gboolean haul_check_sha256         (const char  *hex,
                                    GError     **error);
gboolean haul_check_segments       (gint64       segments,
                                    GError     **error);
gboolean haul_check_header         (const char  *name,
                                    const char  *value,
                                    GError     **error);
gboolean haul_check_header_line    (const char  *line,
                                    char       **name,
                                    char       **value,
                                    GError     **error);
gboolean haul_check_header_lines   (const char * const *lines,
                                    GError     **error);

G_END_DECLS
