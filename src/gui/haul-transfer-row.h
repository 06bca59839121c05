/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "haul-client-transfer.h"

G_BEGIN_DECLS

#define HAUL_TYPE_TRANSFER_ROW (haul_transfer_row_get_type ())

G_DECLARE_FINAL_TYPE (HaulTransferRow, haul_transfer_row, HAUL, TRANSFER_ROW, GtkWidget)

GtkWidget          *haul_transfer_row_new          (void);
HaulClientTransfer *haul_transfer_row_get_transfer (HaulTransferRow    *self);
void                haul_transfer_row_set_transfer (HaulTransferRow    *self,
                                                    HaulClientTransfer *transfer);
void                haul_transfer_row_popup_menu   (HaulTransferRow    *self);

G_END_DECLS
