/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haul-client.h"
#include "haul-window.h"

G_BEGIN_DECLS

#define HAUL_TYPE_ADD_DIALOG (haul_add_dialog_get_type ())

G_DECLARE_FINAL_TYPE (HaulAddDialog, haul_add_dialog, HAUL, ADD_DIALOG, AdwWindow)

void haul_add_dialog_present (HaulWindow *window,
                              HaulClient *client);

G_END_DECLS
