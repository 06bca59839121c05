/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define HAUL_TYPE_STORE (haul_store_get_type ())

G_DECLARE_FINAL_TYPE (HaulStore, haul_store, HAUL, STORE, GObject)

HaulStore *haul_store_new    (const char  *directory);
typedef gpointer (*HaulStoreReadFunc) (guint        id,
                                       JsonObject  *record,
                                       gpointer     user_data,
                                       GError     **error);
typedef void     (*HaulStoreTakeFunc) (guint        id,
                                       gpointer     object,
                                       gpointer     user_data);

void       haul_store_load   (HaulStore         *self,
                              HaulStoreReadFunc  read,
                              HaulStoreTakeFunc  take,
                              gpointer           user_data);
void       haul_store_save   (HaulStore   *self,
                              guint        id,
                              JsonNode    *record);
void       haul_store_remove (HaulStore   *self,
                              guint        id);
void       haul_store_save_next_id (HaulStore *self,
                                    guint      next_id);
guint      haul_store_load_next_id (HaulStore *self);
gboolean   haul_store_is_busy (HaulStore  *self);

G_END_DECLS
