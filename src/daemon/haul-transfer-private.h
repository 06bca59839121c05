/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haul-download.h"
#include "haul-transfer.h"

G_BEGIN_DECLS

/* What a stop of the running download is for. */
typedef enum
{
  STOP_NONE,
  STOP_PAUSE,
  STOP_CANCEL,
  STOP_REMOVE,
  STOP_REQUEUE,     /* run again: a new URL, or the service stops and continues later */
  STOP_WAIT,        /* a condition is unmet: wait for it (wait_reason says which) */
  STOP_RETRY,       /* the engine waits out a back-off: wait without holding a slot */
} StopIntent;

/* What a waiting transfer waits for. */
typedef enum
{
  WAIT_NONE,
  WAIT_RETRY,       /* a back-off until retry_at; no download runs */
  WAIT_CONDITION,   /* offline, metered network, power saver: no download runs */
} WaitKind;

struct _HaulTransfer
{
  HaulTransfer1Skeleton  parent_instance;

  char                  *path;

  /* What the record keeps besides the D-Bus properties. */
  GStrv                  headers;
  gboolean               overwrite;
  guint64                speed_limit;
  char                  *requested_name;  /* the filename option, until the engine claims one */
  gboolean               name_claimed;    /* FileName is the name the files have on disk */
  char                  *previous_uri;    /* the address before SetUri gave a fresh link */
  guint                  tries;           /* tries in a row without progress, across runs */
  char                  *resume_data;     /* a copy of the engine's last checkpoint */

  /* The running state. */
  HaulRateLimiter       *own_limiter;
  HaulDownload          *download;
  GCancellable          *cancellable;
  StopIntent             stop;
  WaitKind               wait;
  HaulWaitReason         wait_why;        /* the machine-readable reason of a condition wait */
  char                  *wait_reason;
  gint64                 retry_at;        /* wall-clock µs of the next try */
  guint                  retry_source;
  gboolean               removed;         /* Remove was called: nothing may undo it */
  gboolean               delete_file;     /* ... and asked to delete a finished file too */
  guint                  pending_io;      /* deletions on their way */

  /* The figures last sent in a Progress signal. */
  guint64                sent_received;
  guint64                sent_total;
  guint64                sent_rate;
  gboolean               sent_once;
  gboolean               figures_dirty;   /* the last figures of a run are still to go */
};

HaulTransfer *_haul_transfer_new_empty (guint id);

G_END_DECLS
