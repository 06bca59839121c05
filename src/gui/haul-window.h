/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haul-client.h"

G_BEGIN_DECLS

#define HAUL_TYPE_WINDOW (haul_window_get_type ())

G_DECLARE_FINAL_TYPE (HaulWindow, haul_window, HAUL, WINDOW, AdwApplicationWindow)

void        haul_gui_register_resources   (void);
HaulWindow *haul_window_new               (GtkApplication     *application);
void        haul_window_set_client        (HaulWindow         *self,
                                           HaulClient         *client);
void        haul_window_set_service_error (HaulWindow         *self,
                                           const GError       *error);
void        haul_window_show_transfer     (HaulWindow         *self,
                                           guint               id);
void        haul_window_change_link       (HaulWindow         *self,
                                           guint               id);
void        haul_window_add_uris          (HaulWindow         *self,
                                           const char * const *uris);
void        haul_window_toast             (HaulWindow         *self,
                                           const char         *text);

G_END_DECLS
