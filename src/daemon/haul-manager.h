/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-transfer.h"

G_BEGIN_DECLS

/* The middle layer of the service: the list of transfers, their records and the
 * scheduler. It knows nothing of D-Bus nor of the GApplication above it; those listen to
 * its signals and properties, as the status icon and the notifier will. */

#define HAUL_TYPE_MANAGER (haul_manager_get_type ())

G_DECLARE_FINAL_TYPE (HaulManager, haul_manager, HAUL, MANAGER, GObject)

HaulManager  *haul_manager_new                (const char           *state_directory);
void          haul_manager_load               (HaulManager          *self);
GPtrArray    *haul_manager_get_transfers      (HaulManager          *self);
HaulTransfer *haul_manager_lookup             (HaulManager          *self,
                                               guint                 id);
void          haul_manager_add_async          (HaulManager          *self,
                                               const char           *uri,
                                               GVariant             *options,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
HaulTransfer *haul_manager_add_finish         (HaulManager          *self,
                                               GAsyncResult         *result,
                                               GError              **error);
void          haul_manager_pause_all          (HaulManager          *self);
void          haul_manager_resume_all         (HaulManager          *self);
void          haul_manager_shutdown_async     (HaulManager          *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean      haul_manager_shutdown_finish    (HaulManager          *self,
                                               GAsyncResult         *result,
                                               GError              **error);
guint         haul_manager_get_max_concurrent (HaulManager          *self);
gboolean      haul_manager_set_max_concurrent (HaulManager          *self,
                                               guint                 value,
                                               GError              **error);
guint64       haul_manager_get_speed_limit    (HaulManager          *self);
gboolean      haul_manager_set_speed_limit    (HaulManager          *self,
                                               guint64               value,
                                               GError              **error);
guint         haul_manager_get_active_count   (HaulManager          *self);
guint64       haul_manager_get_download_rate  (HaulManager          *self);

G_END_DECLS
