/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haul-download.h"
#include "haul-transfer.h"

G_BEGIN_DECLS

/* Shared by the files of HaulTransfer: haul-transfer.c (properties, what a client asks),
 * haul-transfer-run.c (the run with the engine, waits, deletions) and
 * haul-transfer-record.c (where a transfer comes from, what is kept of it). */

/* What a stop of the running download is for. */
typedef enum
{
  HAUL_STOP_NONE,
  HAUL_STOP_PAUSE,
  HAUL_STOP_CANCEL,
  HAUL_STOP_REMOVE,
  HAUL_STOP_REQUEUE,  /* run again: a new URL, fewer slots, or the service stops */
  HAUL_STOP_WAIT,     /* a condition is unmet: wait for it (wait_reason says which) */
  HAUL_STOP_RETRY,    /* the engine waits out a back-off: wait without holding a slot */
} HaulStopIntent;

/* What a waiting transfer waits for. */
typedef enum
{
  HAUL_WAIT_NONE,
  HAUL_WAIT_RETRY,      /* a back-off until retry_at; no download runs */
  HAUL_WAIT_CONDITION,  /* offline, metered network, power saver: no download runs */
} HaulWaitKind;

/* The running state: what a transfer has only once the engine worked on it in this run
 * of the service. Most transfers on record never get one. */
typedef struct
{
  HaulDownload    *download;
  GCancellable    *cancellable;
  HaulRateLimiter *own_limiter;
  HaulStopIntent   stop;
  HaulWaitKind     wait;
  HaulWaitReason   wait_why;      /* the reason of the condition wait a stop leads to */
  char            *wait_text;     /* the words for the wait a stop leads to */
  gint64           retry_at_us;   /* wall-clock µs of the next try */
  guint            retry_source;
} HaulTransferRun;

enum
{
  HAUL_TRANSFER_PROP_0,
  HAUL_TRANSFER_PROP_ID,
  HAUL_TRANSFER_PROP_URI,
  HAUL_TRANSFER_PROP_EFFECTIVE_URI,
  HAUL_TRANSFER_PROP_DIRECTORY,
  HAUL_TRANSFER_PROP_FILE_NAME,
  HAUL_TRANSFER_PROP_STATE,
  HAUL_TRANSFER_PROP_STATE_REASON,
  HAUL_TRANSFER_PROP_WAIT_REASON,
  HAUL_TRANSFER_PROP_RETRY_AT,
  HAUL_TRANSFER_PROP_ERROR,
  HAUL_TRANSFER_PROP_ERROR_KIND,
  HAUL_TRANSFER_PROP_BYTES_RECEIVED,
  HAUL_TRANSFER_PROP_BYTES_TOTAL,
  HAUL_TRANSFER_PROP_RATE,
  HAUL_TRANSFER_PROP_RESUMABLE,
  HAUL_TRANSFER_PROP_DISCRETIONARY,
  HAUL_TRANSFER_PROP_SEGMENTS,
  HAUL_TRANSFER_PROP_SHA256,
  HAUL_TRANSFER_PROP_CREATED_AT,
  HAUL_TRANSFER_PROP_FINISHED_AT,
  HAUL_TRANSFER_N_PROPS
};

struct _HaulTransfer
{
  GObject            parent_instance;

  /* What clients see. A NULL string reads as "" (see _haul_str()), effective_uri as uri:
   * with tens of thousands of transfers on record, empty strings add up. */
  guint              id;
  char              *uri;
  char              *effective_uri;
  char              *directory;
  char              *file_name;
  HaulTransferState  state;
  char              *state_reason;
  HaulWaitReason     wait_reason;
  gint64             retry_at;        /* UNIX seconds */
  char              *error;
  HaulErrorKind      error_kind;
  guint64            bytes_received;
  guint64            bytes_total;
  guint64            rate;
  gboolean           resumable;
  gboolean           discretionary;
  guint              segments;
  char              *sha256;
  gint64             created_at;
  gint64             finished_at;

  /* What the record keeps besides. */
  GStrv              headers;
  gboolean           overwrite;
  guint64            speed_limit;
  char              *requested_name;  /* the filename option, until the engine claims one */
  gboolean           name_claimed;    /* file_name is the name the files have on disk */
  char              *previous_uri;    /* the address before SetUri gave a fresh link */
  guint              tries;           /* tries in a row without progress, across runs */
  char              *resume_data;     /* a copy of the engine's last checkpoint */

  /* Removal, final once begun, and the deletions of files on their way. */
  gboolean           removed;
  gboolean           delete_file;
  guint              pending_io;

  HaulTransferRun   *run;

  /* The figures last handed to the manager's progress signal. */
  guint64            sent_received;
  guint64            sent_total;
  guint64            sent_rate;
  gboolean           sent_once;
  gboolean           figures_dirty;   /* the last figures of a run are still to go */
};

extern GParamSpec *_haul_transfer_props[HAUL_TRANSFER_N_PROPS];

static inline const char *
_haul_str (const char *text)
{
  return text != NULL ? text : "";
}

HaulTransfer    *_haul_transfer_new_empty     (guint              id);
void             _haul_transfer_emit_event    (HaulTransfer      *self,
                                               HaulTransferEvent  event);
void             _haul_transfer_set_string    (HaulTransfer      *self,
                                               char             **field,
                                               guint              prop,
                                               const char        *value);
void             _haul_transfer_set_boolean   (HaulTransfer      *self,
                                               gboolean          *field,
                                               guint              prop,
                                               gboolean           value);
void             _haul_transfer_set_state     (HaulTransfer      *self,
                                               HaulTransferState  state);
void             _haul_transfer_set_error     (HaulTransfer      *self,
                                               const char        *message,
                                               HaulErrorKind      kind);
void             _haul_transfer_set_wait      (HaulTransfer      *self,
                                               const char        *text,
                                               HaulWaitReason     reason,
                                               gint64             retry_at);

HaulTransferRun *_haul_transfer_ensure_run    (HaulTransfer      *self);
void             _haul_transfer_run_free      (HaulTransferRun   *run);
HaulStopIntent   _haul_transfer_get_stop      (HaulTransfer      *self);
HaulWaitKind     _haul_transfer_get_wait_kind (HaulTransfer      *self);
void             _haul_transfer_stop_for      (HaulTransfer      *self,
                                               HaulStopIntent     intent);
void             _haul_transfer_end_wait      (HaulTransfer      *self);
void             _haul_transfer_begin_remove  (HaulTransfer      *self,
                                               gboolean           delete_file);
void             _haul_transfer_io_started    (HaulTransfer      *self);
void             _haul_transfer_io_done       (HaulTransfer      *self);

G_END_DECLS
