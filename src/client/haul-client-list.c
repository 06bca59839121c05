/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-client"

#include "config.h"

#include "haul-check.h"
#include "haul-client-list.h"

/* The model a client shows. Items are kept in ID order, which is the service's order, so
 * a position is found by bisection; a first reading of many transfers goes in with one
 * splice, later readings change only what differs. Running items are watched: one that
 * has been silent for 2 s is handed to the client to be read again (the lesson of
 * background transfer services — never trust a stream of progress alone). The check runs
 * only while something runs. */

#define SILENCE_US        (2 * G_USEC_PER_SEC)
#define SILENCE_CHECK_MS  500

struct _HaulClientList
{
  GListStore           *store;
  GHashTable           *by_id;          /* id → HaulClientTransfer (owned by the store) */
  GHashTable           *running;        /* running items, for the silence check */
  guint                 silence_source;
  HaulClientSilentFunc  silent;
  HaulClientChangedFunc changed;
  gpointer              user_data;
};

HaulClientList *
_haul_client_list_new (HaulClientSilentFunc  silent,
                       HaulClientChangedFunc changed,
                       gpointer              user_data)
{
  HaulClientList *self = g_new0 (HaulClientList, 1);

  self->store = g_list_store_new (HAUL_TYPE_CLIENT_TRANSFER);
  self->by_id = g_hash_table_new (NULL, NULL);
  self->running = g_hash_table_new (NULL, NULL);
  self->silent = silent;
  self->changed = changed;
  self->user_data = user_data;
  return self;
}

void
_haul_client_list_free (HaulClientList *self)
{
  GHashTableIter iter;
  gpointer item;

  if (self == NULL)
    return;
  g_clear_handle_id (&self->silence_source, g_source_remove);
  g_hash_table_iter_init (&iter, self->by_id);
  while (g_hash_table_iter_next (&iter, NULL, &item))
    g_signal_handlers_disconnect_by_data (item, self);
  g_hash_table_unref (self->running);
  g_hash_table_unref (self->by_id);
  g_object_unref (self->store);
  g_free (self);
}

GListModel *
_haul_client_list_get_model (HaulClientList *self)
{
  return G_LIST_MODEL (self->store);
}

HaulClientTransfer *
_haul_client_list_lookup (HaulClientList *self,
                          guint           id)
{
  return g_hash_table_lookup (self->by_id, GUINT_TO_POINTER (id));
}

/* Where an item of @id goes in the store: the position of the first larger ID. */
static guint
position_for (HaulClientList *self,
              guint           id)
{
  guint lo = 0, hi = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      g_autoptr(HaulClientTransfer) item = g_list_model_get_item (G_LIST_MODEL (self->store), mid);

      if (haul_client_transfer_get_id (item) < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* ---- silence ------------------------------------------------------------------------ */

static gboolean
on_silence_cb (gpointer user_data)
{
  HaulClientList *self = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GPtrArray) silent = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->running);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (now - _haul_client_transfer_get_last_news (key) >= SILENCE_US)
      g_ptr_array_add (silent, g_object_ref (key));
  /* Outside the iteration: the callback may change the list. */
  for (guint i = 0; i < silent->len; i++)
    self->silent (g_ptr_array_index (silent, i), self->user_data);
  return G_SOURCE_CONTINUE;
}

static void
update_silence_check (HaulClientList *self)
{
  if (g_hash_table_size (self->running) > 0 && self->silence_source == 0)
    self->silence_source = g_timeout_add (SILENCE_CHECK_MS, on_silence_cb, self);
  else if (g_hash_table_size (self->running) == 0)
    g_clear_handle_id (&self->silence_source, g_source_remove);
}

static void
track_running (HaulClientList     *self,
               HaulClientTransfer *item)
{
  if (haul_client_transfer_get_state (item) == HAUL_TRANSFER_STATE_RUNNING)
    g_hash_table_add (self->running, item);
  else
    g_hash_table_remove (self->running, item);
  update_silence_check (self);
}

static void
on_item_notify_cb (HaulClientTransfer *item,
                   GParamSpec         *pspec,
                   HaulClientList     *self)
{
  if (g_str_equal (pspec->name, "state"))
    track_running (self, item);
  self->changed (item, pspec, self->user_data);
}

/* ---- changes ------------------------------------------------------------------------ */

static void
adopt (HaulClientList     *self,
       HaulClientTransfer *item)
{
  g_hash_table_insert (self->by_id, GUINT_TO_POINTER (haul_client_transfer_get_id (item)), item);
  g_signal_connect (item, "notify", G_CALLBACK (on_item_notify_cb), self);
  track_running (self, item);
}

/* A new item, inserted in its place; indexed first, so that a handler of the model's
 * items-changed finds it by its ID. */
static void
insert (HaulClientList     *self,
        HaulClientTransfer *item)
{
  guint position = position_for (self, haul_client_transfer_get_id (item));

  adopt (self, item);
  g_list_store_insert (self->store, position, item);
}

void
_haul_client_list_drop (HaulClientList *self,
                        guint           id)
{
  HaulClientTransfer *item = g_hash_table_lookup (self->by_id, GUINT_TO_POINTER (id));

  if (item == NULL)
    return;
  g_hash_table_remove (self->running, item);
  g_signal_handlers_disconnect_by_data (item, self);
  g_hash_table_remove (self->by_id, GUINT_TO_POINTER (id));
  g_list_store_remove (self->store, position_for (self, id));
  update_silence_check (self);
}

/* A transfer the service announces: a new item goes in its place, a known one takes
 * the new values. */
void
_haul_client_list_take (HaulClientList *self,
                        const char     *object_path,
                        GVariant       *props)
{
  guint id = haul_transfer_id_from_object_path (object_path);
  g_autoptr(HaulClientTransfer) item = NULL;

  if (id == 0)
    return;
  if (g_hash_table_contains (self->by_id, GUINT_TO_POINTER (id)))
    {
      _haul_client_transfer_update (g_hash_table_lookup (self->by_id, GUINT_TO_POINTER (id)), props);
      return;
    }
  item = _haul_client_transfer_new (object_path, props);
  if (haul_client_transfer_get_id (item) == id)
    insert (self, item);
}

static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  guint ia = haul_client_transfer_get_id (*(HaulClientTransfer * const *) a);
  guint ib = haul_client_transfer_get_id (*(HaulClientTransfer * const *) b);

  return ia < ib ? -1 : ia > ib;
}

/* The whole list, read anew: the model becomes what the service has, with as few
 * changes as that takes. */
void
_haul_client_list_merge (HaulClientList    *self,
                         HaulClientColumns *snapshot)
{
  guint n = _haul_client_columns_get_n (snapshot);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  GHashTableIter known;
  gpointer key;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0)
    {
      g_autoptr(GPtrArray) fresh = g_ptr_array_new_full (n, g_object_unref);

      for (guint row = 0; row < n; row++)
        {
          guint id = _haul_client_columns_get_id (snapshot, row);

          if (id == 0 || g_hash_table_contains (seen, GUINT_TO_POINTER (id)))
            continue;
          g_ptr_array_add (fresh, _haul_client_transfer_new_from_columns (snapshot, row));
          g_hash_table_add (seen, GUINT_TO_POINTER (id));
        }
      /* In the service's order, which is that of the IDs. */
      g_ptr_array_sort (fresh, compare_items);
      for (guint i = 0; i < fresh->len; i++)
        adopt (self, g_ptr_array_index (fresh, i));
      g_list_store_splice (self->store, 0, 0, fresh->pdata, fresh->len);
      return;
    }

  for (guint row = 0; row < n; row++)
    {
      guint id = _haul_client_columns_get_id (snapshot, row);
      HaulClientTransfer *item = g_hash_table_lookup (self->by_id, GUINT_TO_POINTER (id));

      if (id == 0 || g_hash_table_contains (seen, GUINT_TO_POINTER (id)))
        continue;
      g_hash_table_add (seen, GUINT_TO_POINTER (id));
      if (item != NULL)
        _haul_client_transfer_update_from_columns (item, snapshot, row);
      else
        {
          g_autoptr(HaulClientTransfer) fresh = _haul_client_transfer_new_from_columns (snapshot, row);

          insert (self, fresh);
        }
    }
  g_hash_table_iter_init (&known, self->by_id);
  while (g_hash_table_iter_next (&known, &key, NULL))
    if (!g_hash_table_contains (seen, key))
      g_ptr_array_add (gone, key);
  for (guint i = 0; i < gone->len; i++)
    _haul_client_list_drop (self, GPOINTER_TO_UINT (g_ptr_array_index (gone, i)));
}
