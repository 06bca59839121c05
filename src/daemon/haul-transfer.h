/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "haul-dbus-generated.h"
#include "haul-rate-limiter.h"
#include "haul-state.h"

G_BEGIN_DECLS

#define HAUL_TYPE_TRANSFER (haul_transfer_get_type ())

/* What HaulTransfer::event tells the service. */
typedef enum
{
  HAUL_TRANSFER_EVENT_REMOVING,
  HAUL_TRANSFER_EVENT_REMOVED,
  HAUL_TRANSFER_EVENT_CHECKPOINT,
  HAUL_TRANSFER_EVENT_IDLE,
} HaulTransferEvent;

G_DECLARE_FINAL_TYPE (HaulTransfer, haul_transfer, HAUL, TRANSFER, HaulTransfer1Skeleton)

HaulTransfer *haul_transfer_new           (guint            id,
                                           const char      *uri,
                                           const char      *directory,
                                           GVariant        *options);
HaulTransfer *haul_transfer_new_from_record (guint          id,
                                             JsonObject    *record,
                                             GError       **error);
JsonNode     *haul_transfer_to_record     (HaulTransfer    *self);
const char   *haul_transfer_get_path      (HaulTransfer    *self);
const char   *haul_transfer_get_host_uri  (HaulTransfer    *self);
gboolean      haul_transfer_is_active     (HaulTransfer    *self);
gboolean      haul_transfer_is_queued     (HaulTransfer    *self);
gboolean      haul_transfer_is_running    (HaulTransfer    *self);
gboolean      haul_transfer_is_busy       (HaulTransfer    *self);
gboolean      haul_transfer_is_removed    (HaulTransfer    *self);
void          haul_transfer_start         (HaulTransfer    *self,
                                           SoupSession     *session,
                                           HaulRateLimiter *limiter);
void          haul_transfer_pause         (HaulTransfer    *self);
void          haul_transfer_resume        (HaulTransfer    *self);
void          haul_transfer_requeue       (HaulTransfer    *self);
gboolean      haul_transfer_take_progress (HaulTransfer    *self,
                                           guint64         *received,
                                           guint64         *total,
                                           guint64         *rate);
gboolean      haul_transfer_has_progress  (HaulTransfer    *self);
gboolean      haul_transfer_occupies_slot (HaulTransfer    *self);
void          haul_transfer_wait_for      (HaulTransfer    *self,
                                           HaulWaitReason   reason,
                                           const char      *text);
void          haul_transfer_stop_waiting  (HaulTransfer    *self);
void          haul_transfer_suspend       (HaulTransfer    *self);

G_END_DECLS
