/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haul-client-transfer.h"

G_BEGIN_DECLS

HaulClientTransfer *_haul_client_transfer_new           (const char         *object_path,
                                                         GVariant           *props);
gboolean            _haul_client_transfer_update        (HaulClientTransfer *self,
                                                         GVariant           *props);
gboolean            _haul_client_transfer_set_figures   (HaulClientTransfer *self,
                                                         guint64             received,
                                                         guint64             total,
                                                         guint64             rate);
gint64              _haul_client_transfer_get_last_news (HaulClientTransfer *self);

G_END_DECLS
