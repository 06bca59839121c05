/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "haul-part-file.h"
#include "haul-resume-data.h"

G_BEGIN_DECLS

/* When and how a download's resume data is saved beside its `.part`: the policy of
 * haul_checkpoint_due() (haul-schedule.h), one save in flight (a later request waits,
 * the stronger of two kept), and the segments' synced offsets, raised only once the
 * fdatasync that vouches for them has happened. */

#define HAUL_TYPE_CHECKPOINTER (haul_checkpointer_get_type ())

G_DECLARE_FINAL_TYPE (HaulCheckpointer, haul_checkpointer, HAUL, CHECKPOINTER, GObject)

/**
 * HaulCheckpointDone:
 * @json: (nullable): the resume data of a durable checkpoint, now on disk with the data
 *   it vouches for; %NULL after a light save or a failure
 * @error: (nullable) (transfer full): why the save failed
 * @user_data: data given to haul_checkpointer_new()
 *
 * Called after each save, in the main context. Another save may be in flight already.
 */
typedef void (*HaulCheckpointDone) (const char *json,
                                    GError     *error,
                                    gpointer    user_data);

HaulCheckpointer *haul_checkpointer_new     (HaulResumeData     *rd,
                                             int                 dirfd,
                                             HaulPartFile       *part,
                                             HaulCheckpointDone  done,
                                             gpointer            user_data);
void              haul_checkpointer_detach  (HaulCheckpointer   *self);
void              haul_checkpointer_restart_clock (HaulCheckpointer *self);
void              haul_checkpointer_wrote   (HaulCheckpointer   *self);
void              haul_checkpointer_save    (HaulCheckpointer   *self,
                                             gboolean            durable);
gboolean          haul_checkpointer_is_busy (HaulCheckpointer   *self);

G_END_DECLS
