/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest name Haul gives a file, leaving room for ".part.json" within NAME_MAX. */
#define HAUL_FILENAME_MAX 245

char *haul_filename_sanitize                (const char *name);
char *haul_filename_from_content_disposition (const char *header);
char *haul_filename_from_uri                 (GUri       *uri);
char *haul_filename_choose                   (const char *content_disposition,
                                              GUri       *final_uri);
char *haul_filename_candidate                (const char *name,
                                              guint       n);

G_END_DECLS
