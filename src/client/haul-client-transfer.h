/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-enum-types.h"
#include "haul-state.h"

G_BEGIN_DECLS

#define HAUL_TYPE_CLIENT_TRANSFER (haul_client_transfer_get_type ())

G_DECLARE_FINAL_TYPE (HaulClientTransfer, haul_client_transfer, HAUL, CLIENT_TRANSFER, GObject)

guint              haul_client_transfer_get_id             (HaulClientTransfer *self);
const char        *haul_client_transfer_get_object_path    (HaulClientTransfer *self);
const char        *haul_client_transfer_get_uri            (HaulClientTransfer *self);
const char        *haul_client_transfer_get_effective_uri  (HaulClientTransfer *self);
const char        *haul_client_transfer_get_directory      (HaulClientTransfer *self);
const char        *haul_client_transfer_get_file_name      (HaulClientTransfer *self);
HaulTransferState  haul_client_transfer_get_state          (HaulClientTransfer *self);
const char        *haul_client_transfer_get_state_reason   (HaulClientTransfer *self);
HaulWaitReason     haul_client_transfer_get_wait_reason    (HaulClientTransfer *self);
gint64             haul_client_transfer_get_retry_at       (HaulClientTransfer *self);
const char        *haul_client_transfer_get_error          (HaulClientTransfer *self);
HaulErrorKind      haul_client_transfer_get_error_kind     (HaulClientTransfer *self);
guint64            haul_client_transfer_get_bytes_received (HaulClientTransfer *self);
guint64            haul_client_transfer_get_bytes_total    (HaulClientTransfer *self);
guint64            haul_client_transfer_get_rate           (HaulClientTransfer *self);
gboolean           haul_client_transfer_get_resumable      (HaulClientTransfer *self);
gboolean           haul_client_transfer_get_discretionary  (HaulClientTransfer *self);
guint              haul_client_transfer_get_segments       (HaulClientTransfer *self);
const char        *haul_client_transfer_get_sha256         (HaulClientTransfer *self);
gint64             haul_client_transfer_get_created_at     (HaulClientTransfer *self);
gint64             haul_client_transfer_get_finished_at    (HaulClientTransfer *self);
char              *haul_client_transfer_dup_status_text    (HaulClientTransfer *self,
                                                            gint64              now);

G_END_DECLS
