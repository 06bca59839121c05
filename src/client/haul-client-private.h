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

typedef struct _HaulClientColumns HaulClientColumns;

HaulClientColumns  *_haul_client_columns_new              (GVariant           *columns,
                                                           GError            **error);
void                _haul_client_columns_free             (HaulClientColumns  *self);
guint               _haul_client_columns_get_n            (HaulClientColumns  *self);
guint               _haul_client_columns_get_id           (HaulClientColumns  *self,
                                                           guint               row);
HaulClientTransfer *_haul_client_transfer_new_from_columns (HaulClientColumns *columns,
                                                            guint              row);
gboolean            _haul_client_transfer_update_from_columns (HaulClientTransfer *self,
                                                               HaulClientColumns  *columns,
                                                               guint               row);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulClientColumns, _haul_client_columns_free)

G_END_DECLS
