/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "haul-restart.h"

/**
 * haul_restart_describe:
 * @why: why the download starts over
 * @detail: (nullable): what the reason names (see #HaulRestart)
 * @detail2: (nullable): the second thing it names
 *
 * Returns: (transfer full): the reason in words, as notices and errors show it
 */
char *
haul_restart_describe (HaulRestart  why,
                       const char  *detail,
                       const char  *detail2)
{
  switch (why)
    {
    case HAUL_RESTART_FILE_CHANGED:
      return g_strdup (_("The file changed on the server"));
    case HAUL_RESTART_RANGE_IGNORED:
      return g_strdup (_("The server ignored the range request"));
    case HAUL_RESTART_RANGE_MISMATCH:
      return g_strdup_printf (_("The server sent a different range (%s) than asked for"),
                              detail != NULL ? detail : "none");
    case HAUL_RESTART_RANGE_REFUSED:
      return g_strdup (_("The server refused the range request"));
    case HAUL_RESTART_NO_RANGES:
      return g_strdup (_("The server does not support resuming"));
    case HAUL_RESTART_NO_VALIDATOR:
      return g_strdup (_("The server gives no ETag or Last-Modified date to prove the file is unchanged"));
    case HAUL_RESTART_OTHER_URL:
      return g_strdup_printf (_("The partial data in “%s” came from another URL (%s)"),
                              detail != NULL ? detail : "", detail2 != NULL ? detail2 : "");
    default:
      g_return_val_if_reached (g_strdup (_("The file changed on the server")));
    }
}

/**
 * haul_restart_ends_ranges:
 * @why: why a download starts over
 *
 * A server that ignores, refuses or misanswers a range is not asked for ranges again in
 * the same run: it gets one plain request.
 *
 * Returns: whether @why is such an answer
 */
gboolean
haul_restart_ends_ranges (HaulRestart why)
{
  return why == HAUL_RESTART_RANGE_IGNORED || why == HAUL_RESTART_RANGE_MISMATCH ||
         why == HAUL_RESTART_RANGE_REFUSED;
}
