/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "haul-connections.h"
#include "haul-schedule.h"

#define MIN_BUFFER_SIZE (256 * 1024)

struct _HaulConnections
{
  const HaulConnectionContext *ctx;
  const HaulConnectionEvents  *events;
  gpointer                     user_data;
  char                        *uri;
  gsize                        buf_size;
  GPtrArray                   *conns;
};

static HaulSegment *
segment (HaulConnections *set,
         guint            index)
{
  return haul_resume_data_get_segment (set->ctx->rd, index);
}

/**
 * haul_connections_new:
 * @context: what the connections share; it outlives the set
 * @events: how they tell their download; they outlive the set
 * @user_data: data for @events
 * @uri: the download's URL
 * @slots: the most connections the download opens at once
 *
 * Returns: (transfer full): an empty set
 */
HaulConnections *
haul_connections_new (const HaulConnectionContext *context,
                      const HaulConnectionEvents  *events,
                      gpointer                     user_data,
                      const char                  *uri,
                      guint                        slots)
{
  HaulConnections *set = g_new0 (HaulConnections, 1);

  slots = MAX (slots, 1);
  set->ctx = context;
  set->events = events;
  set->user_data = user_data;
  set->uri = g_strdup (uri);
  /* Two buffers per connection; several connections share a budget of about 4 MiB. */
  set->buf_size = slots == 1 ? HAUL_BUFFER_SIZE
                             : MAX (MIN_BUFFER_SIZE, 2 * HAUL_BUFFER_SIZE / slots);
  set->conns = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_connection_free);
  return set;
}

void
haul_connections_free (HaulConnections *set)
{
  if (set == NULL)
    return;
  g_ptr_array_unref (set->conns);
  g_free (set->uri);
  g_free (set);
}

guint
haul_connections_count (HaulConnections *set)
{
  return set->conns->len;
}

/* Bytes read and not yet written, by every connection. */
gint64
haul_connections_buffered (HaulConnections *set)
{
  gint64 sum = 0;

  for (guint i = 0; i < set->conns->len; i++)
    sum += haul_connection_get_buffered (g_ptr_array_index (set->conns, i));
  return sum;
}

static gboolean
has_connection (HaulConnections *set,
                guint            index)
{
  for (guint i = 0; i < set->conns->len; i++)
    if (haul_connection_get_segment (g_ptr_array_index (set->conns, i)) == index)
      return TRUE;
  return FALSE;
}

/* Splits the active segment with the most left to read (haul_segment_split_point()), and
 * returns the index of its second half, or -1 when none is worth splitting. */
static int
split_largest (HaulConnections *set)
{
  HaulConnection *best = NULL;
  gint64 best_left = 0;
  HaulSegment *seg;
  HaulSegment tail;
  guint index;
  gint64 mid;

  for (guint i = 0; i < set->conns->len; i++)
    {
      HaulConnection *conn = g_ptr_array_index (set->conns, i);
      gint64 left;

      seg = segment (set, haul_connection_get_segment (conn));
      if (!haul_connection_is_reading (conn) || seg->end < 0)
        continue;
      left = seg->end - MAX (haul_connection_get_read_pos (conn), seg->written);
      if (left > best_left)
        {
          best = conn;
          best_left = left;
        }
    }

  if (best == NULL)
    return -1;
  index = haul_connection_get_segment (best);
  seg = segment (set, index);
  mid = haul_segment_split_point (MAX (haul_connection_get_read_pos (best), seg->written),
                                  seg->end);
  if (mid < 0)
    return -1;
  tail.start = tail.written = tail.synced = mid;
  tail.end = seg->end;
  seg->end = mid;
  g_array_insert_val (set->ctx->rd->segments, index + 1, tail);

  /* Connections of later segments move up one index. */
  for (guint i = 0; i < set->conns->len; i++)
    {
      HaulConnection *conn = g_ptr_array_index (set->conns, i);
      guint at = haul_connection_get_segment (conn);

      if (at > index)
        haul_connection_set_segment (conn, at + 1);
    }
  return (int) index + 1;
}

/* The first unfinished segment no connection fills, else (when @may_split) the second
 * half of the largest remainder; -1 when there is nothing for another connection. */
int
haul_connections_next_segment (HaulConnections *set,
                               gboolean         may_split)
{
  HaulResumeData *rd = set->ctx->rd;

  for (guint i = 0; i < rd->segments->len; i++)
    {
      HaulSegment *seg = segment (set, i);

      if ((seg->end < 0 || seg->written < seg->end) && !has_connection (set, i))
        return (int) i;
    }
  return may_split ? split_largest (set) : -1;
}

/* Opens a connection to fill @segment from its written offset. */
void
haul_connections_start (HaulConnections *set,
                        guint            index)
{
  HaulConnection *conn = haul_connection_new (set->ctx, set->events, set->user_data, set->uri,
                                              index, set->buf_size);

  g_ptr_array_add (set->conns, conn);
  haul_connection_start (conn);
}

/* Frees a released connection. */
void
haul_connections_remove (HaulConnections *set,
                         HaulConnection  *conn)
{
  g_ptr_array_remove (set->conns, conn);
}

/* Marks every connection to stop (haul_connection_cancel()). */
void
haul_connections_cancel_all (HaulConnections *set,
                             gboolean         keep_data)
{
  for (guint i = set->conns->len; i > 0; i--)
    haul_connection_cancel (g_ptr_array_index (set->conns, i - 1), keep_data);
}

/* Stops the connections that wait for nothing (the rate limiter, say): the others stop
 * from their operation's callback. Not from inside a connection's callback. */
void
haul_connections_stop_idle (HaulConnections *set)
{
  g_autoptr(GPtrArray) idle = g_ptr_array_new ();

  for (guint i = 0; i < set->conns->len; i++)
    {
      HaulConnection *conn = g_ptr_array_index (set->conns, i);

      if (haul_connection_is_idle (conn))
        g_ptr_array_add (idle, conn);
    }
  for (guint i = 0; i < idle->len; i++)
    haul_connection_stop (g_ptr_array_index (idle, i));
}
