/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A writer of compact JSON into a GString, value by value: haulctl list --json prints
 * tens of thousands of objects, which a JsonBuilder tree of JsonNodes makes slow. */
typedef struct
{
  GString  *out;
  guint     depth;
  guint64   has_items;   /* bit n: the container at depth n already holds a value */
} HaulctlJson;

void _haulctl_json_init         (HaulctlJson *json,
                                 GString     *out);
void _haulctl_json_begin_object (HaulctlJson *json);
void _haulctl_json_end_object   (HaulctlJson *json);
void _haulctl_json_begin_array  (HaulctlJson *json);
void _haulctl_json_end_array    (HaulctlJson *json);
void _haulctl_json_member       (HaulctlJson *json,
                                 const char  *name);
void _haulctl_json_string       (HaulctlJson *json,
                                 const char  *value);
void _haulctl_json_int          (HaulctlJson *json,
                                 gint64       value);
void _haulctl_json_boolean      (HaulctlJson *json,
                                 gboolean     value);

G_END_DECLS
