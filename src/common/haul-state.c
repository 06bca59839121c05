/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-state"

#include "config.h"

#include "haul-state.h"

/* The names on the bus and in the records: one table per enum, read both ways. */

static const char * const state_names[] = {
  [HAUL_TRANSFER_STATE_QUEUED] = "queued",
  [HAUL_TRANSFER_STATE_WAITING] = "waiting",
  [HAUL_TRANSFER_STATE_RUNNING] = "running",
  [HAUL_TRANSFER_STATE_PAUSED] = "paused",
  [HAUL_TRANSFER_STATE_COMPLETED] = "completed",
  [HAUL_TRANSFER_STATE_FAILED] = "failed",
  [HAUL_TRANSFER_STATE_CANCELLED] = "cancelled",
};

static const char * const wait_names[] = {
  [HAUL_WAIT_REASON_NONE] = "",
  [HAUL_WAIT_REASON_OFFLINE] = "offline",
  [HAUL_WAIT_REASON_METERED] = "metered",
  [HAUL_WAIT_REASON_POWER_SAVER] = "power-saver",
  [HAUL_WAIT_REASON_RETRY] = "retry",
};

static const char * const kind_names[] = {
  [HAUL_ERROR_KIND_NONE] = "",
  [HAUL_ERROR_KIND_NETWORK] = "network",
  [HAUL_ERROR_KIND_HTTP_CLIENT] = "http-client",
  [HAUL_ERROR_KIND_LINK_EXPIRED] = "link-expired",
  [HAUL_ERROR_KIND_NOT_FOUND] = "not-found",
  [HAUL_ERROR_KIND_SERVER] = "server",
  [HAUL_ERROR_KIND_TLS] = "tls",
  [HAUL_ERROR_KIND_CHECKSUM] = "checksum",
  [HAUL_ERROR_KIND_DISK_FULL] = "disk-full",
  [HAUL_ERROR_KIND_PERMISSION] = "permission",
  [HAUL_ERROR_KIND_LOCAL_IO] = "local-io",
};

static gboolean
lookup (const char * const *names,
        guint               n,
        const char         *text,
        guint              *value)
{
  for (guint i = 0; text != NULL && i < n; i++)
    {
      if (g_str_equal (names[i], text))
        {
          *value = i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
haul_transfer_state_to_string (HaulTransferState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (state_names), "queued");
  return state_names[state];
}

/**
 * haul_transfer_state_from_string:
 * @text: (nullable): a state's name
 * @state: (out): the state
 *
 * Returns: %TRUE if @text names a state
 */
gboolean
haul_transfer_state_from_string (const char        *text,
                                 HaulTransferState *state)
{
  guint value;

  if (!lookup (state_names, G_N_ELEMENTS (state_names), text, &value))
    return FALSE;
  *state = (HaulTransferState) value;
  return TRUE;
}

/**
 * haul_transfer_state_is_active:
 * @state: a state
 *
 * Returns: %TRUE for queued, waiting and running: the transfer is not done
 */
gboolean
haul_transfer_state_is_active (HaulTransferState state)
{
  return state == HAUL_TRANSFER_STATE_QUEUED || state == HAUL_TRANSFER_STATE_WAITING ||
         state == HAUL_TRANSFER_STATE_RUNNING;
}

/**
 * haul_transfer_state_is_finished:
 * @state: a state
 *
 * Returns: %TRUE for completed and cancelled, which nothing can change any more
 */
gboolean
haul_transfer_state_is_finished (HaulTransferState state)
{
  return state == HAUL_TRANSFER_STATE_COMPLETED || state == HAUL_TRANSFER_STATE_CANCELLED;
}

const char *
haul_wait_reason_to_string (HaulWaitReason reason)
{
  g_return_val_if_fail (reason < G_N_ELEMENTS (wait_names), "");
  return wait_names[reason];
}

gboolean
haul_wait_reason_from_string (const char     *text,
                              HaulWaitReason *reason)
{
  guint value;

  if (!lookup (wait_names, G_N_ELEMENTS (wait_names), text, &value))
    return FALSE;
  *reason = (HaulWaitReason) value;
  return TRUE;
}

const char *
haul_error_kind_to_string (HaulErrorKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (kind_names), "");
  return kind_names[kind];
}

gboolean
haul_error_kind_from_string (const char    *text,
                             HaulErrorKind *kind)
{
  guint value;

  if (!lookup (kind_names, G_N_ELEMENTS (kind_names), text, &value))
    return FALSE;
  *kind = (HaulErrorKind) value;
  return TRUE;
}

/**
 * haul_error_kind_for_http_status:
 * @status: an HTTP status that ended a transfer
 *
 * Returns: link-expired for 401, 403 and 410 (a fresh link is the remedy), not-found for
 *   404, http-client for the other 4xx, server for 5xx (and anything else)
 */
HaulErrorKind
haul_error_kind_for_http_status (guint status)
{
  if (status == 401 || status == 403 || status == 410)
    return HAUL_ERROR_KIND_LINK_EXPIRED;
  if (status == 404)
    return HAUL_ERROR_KIND_NOT_FOUND;
  if (status >= 400 && status < 500)
    return HAUL_ERROR_KIND_HTTP_CLIENT;
  return HAUL_ERROR_KIND_SERVER;
}
