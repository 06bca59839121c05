/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Called once with the folder chosen, or with %NULL when the person cancelled. */
typedef void (*HaulFolderChosen) (const char *path,
                                  gpointer    user_data);

GtkFileChooserNative *haul_choose_folder (GtkWindow        *parent,
                                          const char       *current,
                                          HaulFolderChosen  chosen,
                                          gpointer          user_data);

G_END_DECLS
