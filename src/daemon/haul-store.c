/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-store"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "haul-store.h"

/* The daemon's records: one JSON file per transfer, replaced atomically at every state
 * change. Writes go through GIO's async replace (a temporary file renamed over the old
 * one); a record has at most one write in flight, and the newest content waits behind
 * it, so that an older write can never land last. */
struct _HaulStore
{
  GObject       parent_instance;

  char         *directory;
  GCancellable *cancellable;
  GHashTable   *pending;   /* id → GBytes of the next write, or NULL while one runs */
  GHashTable   *doomed;    /* ids to delete once the write in flight landed */
  GHashTable   *deleting;  /* ids whose record is being deleted */
  GHashTable   *gone;      /* ids removed for good: never written again */
};

G_DEFINE_FINAL_TYPE (HaulStore, haul_store, G_TYPE_OBJECT)

enum {
  IDLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The counter of IDs lives beside the records under the key 0, which no transfer has. */
#define NEXT_ID_KEY 0

static void
bytes_unref0 (gpointer bytes)
{
  if (bytes != NULL)
    g_bytes_unref (bytes);
}

static char *
record_path (HaulStore *self,
             guint      id)
{
  g_autofree char *name = id == NEXT_ID_KEY ? g_strdup ("next-id") : g_strdup_printf ("%u.json", id);

  return g_build_filename (self->directory, name, NULL);
}

static int
compare_loaded (gconstpointer a,
                gconstpointer b);

static void write_record  (HaulStore *self,
                           guint      id,
                           GBytes    *bytes);
static void delete_record (HaulStore *self,
                           guint      id);

static void
emit_idle_if_done (HaulStore *self)
{
  if (!haul_store_is_busy (self))
    g_signal_emit (self, signals[IDLE], 0);
}

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(HaulStore) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *basename = g_file_get_basename (G_FILE (object));
  guint id = (guint) g_ascii_strtoull (basename, NULL, 10);
  gpointer next = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Could not save the record of transfer %u: %s", id, error->message);
    }

  if (g_hash_table_remove (self->doomed, GUINT_TO_POINTER (id)))
    {
      g_hash_table_remove (self->pending, GUINT_TO_POINTER (id));
      delete_record (self, id);
      return;
    }

  if (g_hash_table_steal_extended (self->pending, GUINT_TO_POINTER (id), NULL, &next) &&
      next != NULL)
    {
      g_autoptr(GBytes) bytes = next;
      write_record (self, id, bytes);
    }
  else
    emit_idle_if_done (self);
}

static void
write_record (HaulStore *self,
              guint      id,
              GBytes    *bytes)
{
  g_autofree char *path = record_path (self, id);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_hash_table_insert (self->pending, GUINT_TO_POINTER (id), NULL);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_PRIVATE,
                                       self->cancellable, write_cb, g_object_ref (self));
}

/**
 * haul_store_save:
 * @self: the store
 * @id: the transfer's id
 * @record: its record
 *
 * Saves @record in the background, replacing the older one atomically.
 */
static void
save_bytes (HaulStore *self,
            guint      id,
            GBytes    *bytes_in)
{
  g_autoptr(GBytes) bytes = g_bytes_ref (bytes_in);

  if (g_hash_table_contains (self->doomed, GUINT_TO_POINTER (id)) ||
      g_hash_table_contains (self->gone, GUINT_TO_POINTER (id)))
    return;
  if (g_hash_table_contains (self->pending, GUINT_TO_POINTER (id)))
    g_hash_table_replace (self->pending, GUINT_TO_POINTER (id), g_steal_pointer (&bytes));
  else
    write_record (self, id, bytes);
}

void
haul_store_save (HaulStore *self,
                 guint      id,
                 JsonNode  *record)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  char *text;

  g_return_if_fail (HAUL_IS_STORE (self));
  g_return_if_fail (id != NEXT_ID_KEY);

  json_generator_set_root (generator, record);
  text = json_generator_to_data (generator, &length);
  bytes = g_bytes_new_take (text, length);
  save_bytes (self, id, bytes);
}

/**
 * haul_store_save_next_id:
 * @self: the store
 * @next_id: the ID the next transfer gets
 *
 * Saves the counter in the background, so that IDs are never reused, even once the
 * records of the newest transfers are gone.
 */
void
haul_store_save_next_id (HaulStore *self,
                         guint      next_id)
{
  g_autofree char *text = g_strdup_printf ("%u\n", next_id);
  g_autoptr(GBytes) bytes = NULL;
  gsize length = strlen (text);

  g_return_if_fail (HAUL_IS_STORE (self));

  bytes = g_bytes_new_take (g_steal_pointer (&text), length);
  save_bytes (self, NEXT_ID_KEY, bytes);
}

/**
 * haul_store_load_next_id:
 * @self: the store
 *
 * Returns: the counter saved by haul_store_save_next_id(), or 1
 */
guint
haul_store_load_next_id (HaulStore *self)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  guint64 value = 0;

  g_return_val_if_fail (HAUL_IS_STORE (self), 1);

  path = record_path (self, NEXT_ID_KEY);
  if (g_file_get_contents (path, &text, NULL, NULL) &&
      g_ascii_string_to_unsigned (g_strstrip (text), 10, 1, G_MAXUINT32, &value, NULL))
    return (guint) value;
  return 1;
}

/**
 * haul_store_is_busy:
 * @self: the store
 *
 * Returns: %TRUE while a write is on its way; #HaulStore::idle tells when none is
 */
gboolean
haul_store_is_busy (HaulStore *self)
{
  g_return_val_if_fail (HAUL_IS_STORE (self), FALSE);
  return g_hash_table_size (self->pending) > 0 || g_hash_table_size (self->deleting) > 0;
}

static void
delete_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HaulStore) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *basename = g_file_get_basename (G_FILE (object));

  if (!g_file_delete_finish (G_FILE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_autofree char *path = g_file_get_path (G_FILE (object));
      g_warning ("Could not delete %s: %s", path, error->message);
    }
  g_hash_table_remove (self->deleting,
                       GUINT_TO_POINTER ((guint) g_ascii_strtoull (basename, NULL, 10)));
  emit_idle_if_done (self);
}

/* Deletes a record in a GIO worker, so that the main loop never waits on the disk; the
 * store is busy until it is gone. */
static void
delete_record (HaulStore *self,
               guint      id)
{
  g_autofree char *path = record_path (self, id);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_hash_table_add (self->deleting, GUINT_TO_POINTER (id));
  g_file_delete_async (file, G_PRIORITY_DEFAULT, NULL, delete_cb, g_object_ref (self));
}

/**
 * haul_store_remove:
 * @self: the store
 * @id: a transfer's id
 *
 * Deletes the transfer's record for good: later saves of @id are ignored, and the store
 * is busy (see haul_store_is_busy()) until the file is gone, so that a service that exits
 * right after a removal does not bring the transfer back at its next start.
 */
void
haul_store_remove (HaulStore *self,
                   guint      id)
{
  g_return_if_fail (HAUL_IS_STORE (self));

  g_hash_table_add (self->gone, GUINT_TO_POINTER (id));
  /* A write still in flight would bring the file back: drop what waits behind it, and
   * delete once it landed. */
  if (g_hash_table_contains (self->pending, GUINT_TO_POINTER (id)))
    {
      g_hash_table_replace (self->pending, GUINT_TO_POINTER (id), NULL);
      g_hash_table_add (self->doomed, GUINT_TO_POINTER (id));
      return;
    }
  delete_record (self, id);
}

/* One record file, as a loading thread leaves it for the main thread. */
typedef struct
{
  guint     id;
  char     *path;
  gpointer  object;   /* what the read function made of it */
  GError   *error;    /* or why it cannot be used */
} Loaded;

typedef struct
{
  GPtrArray         *files;    /* of Loaded, in the order of the directory */
  int                next;     /* atomic: the next file to take */
  HaulStoreReadFunc  read;
  gpointer           user_data;
} Loading;

static void
loaded_free (Loaded *loaded)
{
  g_free (loaded->path);
  g_clear_error (&loaded->error);
  g_free (loaded);
}

/* Reads and parses files until none is left; each thread has its own parser. Read rather
 * than mapped: unmapping ten thousand small files costs more than reading them. */
static gpointer
load_thread (gpointer user_data)
{
  Loading *loading = user_data;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  int i;

  while ((i = g_atomic_int_add (&loading->next, 1)) < (int) loading->files->len)
    {
      Loaded *loaded = g_ptr_array_index (loading->files, i);
      g_autofree char *contents = NULL;
      gsize length;
      JsonNode *root;

      if (!g_file_get_contents (loaded->path, &contents, &length, &loaded->error) ||
          !json_parser_load_from_data (parser, contents, (gssize) length, &loaded->error))
        continue;
      root = json_parser_get_root (parser);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          g_set_error_literal (&loaded->error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "not an object");
          continue;
        }
      loaded->object = loading->read (loaded->id, json_node_get_object (root), loading->user_data,
                                      &loaded->error);
    }
  return NULL;
}

/**
 * haul_store_load:
 * @self: the store
 * @read: makes an object of a record, or refuses it; called in worker threads
 * @take: takes each object made, in the main thread, in the order of the IDs
 * @user_data: for @read and @take
 *
 * Reads every record `ID.json`, on as many threads as there are processors. One that
 * cannot be parsed, or that @read refuses, is moved aside as `ID.json.corrupt` with a
 * warning; the others load. This waits for the disk: the service calls it once, before
 * it owns its name.
 */
void
haul_store_load (HaulStore         *self,
                 HaulStoreReadFunc  read,
                 HaulStoreTakeFunc  take,
                 gpointer           user_data)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  Loading loading = { NULL, 0, read, user_data };
  guint n_threads;
  const char *name;

  g_return_if_fail (HAUL_IS_STORE (self));

  loading.files = g_ptr_array_new_with_free_func ((GDestroyNotify) loaded_free);
  dir = g_dir_open (self->directory, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *digits = NULL;
      guint64 id;
      Loaded *loaded;

      /* Records are named ID.json; anything else here is not one. */
      if (!g_str_has_suffix (name, ".json"))
        continue;
      digits = g_strndup (name, strlen (name) - strlen (".json"));
      if (!g_ascii_string_to_unsigned (digits, 10, 1, G_MAXUINT32, &id, NULL))
        continue;
      loaded = g_new0 (Loaded, 1);
      loaded->id = (guint) id;
      loaded->path = g_build_filename (self->directory, name, NULL);
      g_ptr_array_add (loading.files, loaded);
    }

  /* A few records are read on this thread alone. */
  n_threads = loading.files->len < 256 ? 0 : MIN (g_get_num_processors (), 8);
  for (guint i = 0; i < n_threads; i++)
    g_ptr_array_add (threads, g_thread_new ("haul-store-load", load_thread, &loading));
  load_thread (&loading);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));

  g_ptr_array_sort (loading.files, compare_loaded);
  for (guint i = 0; i < loading.files->len; i++)
    {
      Loaded *loaded = g_ptr_array_index (loading.files, i);
      g_autofree char *aside = NULL;

      if (loaded->object != NULL)
        {
          take (loaded->id, g_steal_pointer (&loaded->object), user_data);
          continue;
        }

      /* Set aside rather than deleted: a person may want to look at it. */
      aside = g_strconcat (loaded->path, ".corrupt", NULL);
      g_warning ("The record %s cannot be used (%s); it was moved to %s", loaded->path,
                 loaded->error != NULL ? loaded->error->message : "not an object", aside);
      if (g_rename (loaded->path, aside) != 0)
        g_warning ("Could not move %s: %s", loaded->path, g_strerror (errno));
    }
  g_ptr_array_unref (loading.files);
}

static int
compare_loaded (gconstpointer a,
                gconstpointer b)
{
  guint ia = (*(const Loaded * const *) a)->id;
  guint ib = (*(const Loaded * const *) b)->id;

  return ia < ib ? -1 : ia > ib;
}

static void
haul_store_dispose (GObject *object)
{
  HaulStore *self = HAUL_STORE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (haul_store_parent_class)->dispose (object);
}

static void
haul_store_finalize (GObject *object)
{
  HaulStore *self = HAUL_STORE (object);

  g_free (self->directory);
  g_hash_table_unref (self->pending);
  g_hash_table_unref (self->doomed);
  g_hash_table_unref (self->deleting);
  g_hash_table_unref (self->gone);

  G_OBJECT_CLASS (haul_store_parent_class)->finalize (object);
}

static void
haul_store_class_init (HaulStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haul_store_dispose;
  object_class->finalize = haul_store_finalize;

  /**
   * HaulStore::idle:
   *
   * Emitted when the last write or deletion on its way landed.
   */
  signals[IDLE] = g_signal_new ("idle",
                                G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL,
                                G_TYPE_NONE, 0);
}

static void
haul_store_init (HaulStore *self)
{
  self->cancellable = g_cancellable_new ();
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, bytes_unref0);
  self->doomed = g_hash_table_new (NULL, NULL);
  self->deleting = g_hash_table_new (NULL, NULL);
  self->gone = g_hash_table_new (NULL, NULL);
}

/**
 * haul_store_new:
 * @directory: where the records live; created if missing
 *
 * Returns: (transfer full): the store
 */
HaulStore *
haul_store_new (const char *directory)
{
  HaulStore *self = g_object_new (HAUL_TYPE_STORE, NULL);

  self->directory = g_strdup (directory);
  if (g_mkdir_with_parents (directory, 0700) != 0)
    g_warning ("Could not create %s: %s", directory, g_strerror (errno));
  return self;
}
