/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A transfer's state, as the D-Bus interface names it (Transfer1.State). */
typedef enum
{
  HAUL_TRANSFER_STATE_QUEUED,
  HAUL_TRANSFER_STATE_WAITING,
  HAUL_TRANSFER_STATE_RUNNING,
  HAUL_TRANSFER_STATE_PAUSED,
  HAUL_TRANSFER_STATE_COMPLETED,
  HAUL_TRANSFER_STATE_FAILED,
  HAUL_TRANSFER_STATE_CANCELLED,
} HaulTransferState;

/* Why a waiting transfer waits (Transfer1.WaitReason). */
typedef enum
{
  HAUL_WAIT_REASON_NONE,
  HAUL_WAIT_REASON_OFFLINE,
  HAUL_WAIT_REASON_METERED,
  HAUL_WAIT_REASON_POWER_SAVER,
  HAUL_WAIT_REASON_RETRY,
} HaulWaitReason;

/* What kind of failure a failed transfer had (Transfer1.ErrorKind), so that a client can
 * word it and offer the remedy: Retry, or SetUri for an expired link. */
typedef enum
{
  HAUL_ERROR_KIND_NONE,
  HAUL_ERROR_KIND_NETWORK,
  HAUL_ERROR_KIND_HTTP_CLIENT,
  HAUL_ERROR_KIND_LINK_EXPIRED,
  HAUL_ERROR_KIND_NOT_FOUND,
  HAUL_ERROR_KIND_SERVER,
  HAUL_ERROR_KIND_TLS,
  HAUL_ERROR_KIND_CHECKSUM,
  HAUL_ERROR_KIND_DISK_FULL,
  HAUL_ERROR_KIND_PERMISSION,
  HAUL_ERROR_KIND_LOCAL_IO,
} HaulErrorKind;

const char        *haul_transfer_state_to_string   (HaulTransferState  state);
gboolean           haul_transfer_state_from_string (const char        *text,
                                                    HaulTransferState *state);
gboolean           haul_transfer_state_is_active   (HaulTransferState  state);
gboolean           haul_transfer_state_is_finished (HaulTransferState  state);
const char        *haul_wait_reason_to_string      (HaulWaitReason     reason);
gboolean           haul_wait_reason_from_string    (const char        *text,
                                                    HaulWaitReason    *reason);
const char        *haul_error_kind_to_string       (HaulErrorKind      kind);
gboolean           haul_error_kind_from_string     (const char        *text,
                                                    HaulErrorKind     *kind);
HaulErrorKind      haul_error_kind_for_http_status (guint              status);

G_END_DECLS
