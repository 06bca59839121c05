/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The engine's own threads for disk work, so that its writes and fsyncs never queue in
 * front of GIO's asynchronous file operations (GTask's shared pool), nor writes behind
 * its own fsyncs, checksums and renames. */
typedef enum
{
  HAUL_IO_WRITE,   /* a connection's buffer to the .part file */
  HAUL_IO_FILES,   /* everything else: checkpoints (fsync), preparing, finishing, truncating */
} HaulIoKind;

void haul_io_run_in_thread (GTask           *task,
                            HaulIoKind       kind,
                            GTaskThreadFunc  func);

G_END_DECLS
