/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HAUL_TYPE_PREFERENCES (haul_preferences_get_type ())

G_DECLARE_FINAL_TYPE (HaulPreferences, haul_preferences, HAUL, PREFERENCES, AdwPreferencesWindow)

GtkWindow *haul_preferences_new (GtkWindow *parent);

G_END_DECLS
