/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Why a download throws its partial data away and starts over: each is a proof that the
 * bytes on disk may not be the start of the file the server now sends. */
typedef enum
{
  HAUL_RESTART_FILE_CHANGED,     /* its validators changed, or a 200 answered If-Range */
  HAUL_RESTART_RANGE_IGNORED,    /* a 200 to a range request, the validators the same */
  HAUL_RESTART_RANGE_MISMATCH,   /* a 206 for other bytes than asked; @detail: its range */
  HAUL_RESTART_RANGE_REFUSED,    /* a 416 for a file not sent in full */
  HAUL_RESTART_NO_RANGES,        /* the server was seen not to support ranges */
  HAUL_RESTART_NO_VALIDATOR,     /* no ETag or Last-Modified to prove the file unchanged */
  HAUL_RESTART_OTHER_URL,        /* the partial data is of another URL; @detail: the file,
                                  * @detail2: that URL */
} HaulRestart;

gboolean haul_restart_ends_ranges (HaulRestart why);
char    *haul_restart_describe    (HaulRestart  why,
                                   const char  *detail,
                                   const char  *detail2);

G_END_DECLS
