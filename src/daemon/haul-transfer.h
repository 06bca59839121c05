/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "haul-rate-limiter.h"
#include "haul-state.h"

G_BEGIN_DECLS

/* The lowest layer of the service: one transfer, its record and its run with the engine.
 * It knows nothing of the manager above it, nor of D-Bus. */

#define HAUL_TYPE_TRANSFER (haul_transfer_get_type ())

/* What HaulTransfer::event tells the manager. */
typedef enum
{
  HAUL_TRANSFER_EVENT_REMOVING,
  HAUL_TRANSFER_EVENT_REMOVED,
  HAUL_TRANSFER_EVENT_CHECKPOINT,
  HAUL_TRANSFER_EVENT_IDLE,
} HaulTransferEvent;

G_DECLARE_FINAL_TYPE (HaulTransfer, haul_transfer, HAUL, TRANSFER, GObject)

/* Where a transfer comes from (haul-transfer-record.c). */
gboolean          haul_transfer_check_options     (GVariant         *options,
                                                   GError          **error);
HaulTransfer     *haul_transfer_new               (guint             id,
                                                   const char       *uri,
                                                   const char       *directory,
                                                   GVariant         *options);
HaulTransfer     *haul_transfer_new_from_record   (guint             id,
                                                   JsonObject       *record,
                                                   GError          **error);
JsonNode         *haul_transfer_to_record         (HaulTransfer     *self);

/* What it is (haul-transfer.c). */
guint             haul_transfer_get_id            (HaulTransfer     *self);
const char       *haul_transfer_get_uri           (HaulTransfer     *self);
const char       *haul_transfer_get_effective_uri (HaulTransfer     *self);
const char       *haul_transfer_get_directory     (HaulTransfer     *self);
const char       *haul_transfer_get_file_name     (HaulTransfer     *self);
HaulTransferState haul_transfer_get_state         (HaulTransfer     *self);
const char       *haul_transfer_get_state_reason  (HaulTransfer     *self);
HaulWaitReason    haul_transfer_get_wait_reason   (HaulTransfer     *self);
gint64            haul_transfer_get_retry_at      (HaulTransfer     *self);
const char       *haul_transfer_get_error_message (HaulTransfer     *self);
HaulErrorKind     haul_transfer_get_error_kind    (HaulTransfer     *self);
guint64           haul_transfer_get_bytes_received (HaulTransfer    *self);
guint64           haul_transfer_get_bytes_total   (HaulTransfer     *self);
guint64           haul_transfer_get_rate          (HaulTransfer     *self);
gboolean          haul_transfer_get_resumable     (HaulTransfer     *self);
gboolean          haul_transfer_get_discretionary (HaulTransfer     *self);
guint             haul_transfer_get_segments      (HaulTransfer     *self);
const char       *haul_transfer_get_sha256        (HaulTransfer     *self);
gint64            haul_transfer_get_created_at    (HaulTransfer     *self);
gint64            haul_transfer_get_finished_at   (HaulTransfer     *self);
gboolean          haul_transfer_is_active         (HaulTransfer     *self);
gboolean          haul_transfer_is_queued         (HaulTransfer     *self);
gboolean          haul_transfer_is_removed        (HaulTransfer     *self);

/* What a client asks of it; refusals are HAUL_ERROR_INVALID_STATE, or
 * HAUL_ERROR_NO_SUCH_TRANSFER once it was removed (haul-transfer.c). */
gboolean          haul_transfer_pause             (HaulTransfer     *self,
                                                   GError          **error);
gboolean          haul_transfer_resume            (HaulTransfer     *self,
                                                   GError          **error);
gboolean          haul_transfer_cancel            (HaulTransfer     *self,
                                                   GError          **error);
void              haul_transfer_remove_async      (HaulTransfer     *self,
                                                   gboolean          delete_file,
                                                   GCancellable     *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer          user_data);
gboolean          haul_transfer_remove_finish     (HaulTransfer     *self,
                                                   GAsyncResult     *result,
                                                   GError          **error);
gboolean          haul_transfer_set_uri           (HaulTransfer     *self,
                                                   const char       *uri,
                                                   GError          **error);
gboolean          haul_transfer_set_discretionary (HaulTransfer     *self,
                                                   gboolean          discretionary,
                                                   GError          **error);

/* What the scheduler does with it (haul-transfer-run.c). */
const char       *haul_transfer_get_host_uri      (HaulTransfer     *self);
gboolean          haul_transfer_is_running        (HaulTransfer     *self);
gboolean          haul_transfer_is_busy           (HaulTransfer     *self);
gboolean          haul_transfer_occupies_slot     (HaulTransfer     *self);
void              haul_transfer_start             (HaulTransfer     *self,
                                                   SoupSession      *session,
                                                   HaulRateLimiter  *limiter);
void              haul_transfer_requeue           (HaulTransfer     *self);
void              haul_transfer_wait_for          (HaulTransfer     *self,
                                                   HaulWaitReason    reason,
                                                   const char       *text);
void              haul_transfer_stop_waiting      (HaulTransfer     *self);
void              haul_transfer_suspend           (HaulTransfer     *self);
gboolean          haul_transfer_has_progress      (HaulTransfer     *self);
gboolean          haul_transfer_take_progress     (HaulTransfer     *self);

G_END_DECLS
