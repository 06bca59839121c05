/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-folder-chooser.h"

/* The folder chooser of the add dialog and the preferences: GtkFileChooserNative, so
 * that a sandbox or another desktop gets its own (the portal). */

typedef struct
{
  HaulFolderChosen chosen;
  gpointer         user_data;
} Choice;

static void
on_response_cb (GtkNativeDialog *chooser,
                int              response,
                Choice          *choice)
{
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (folder != NULL)
    path = g_file_get_path (folder);
  choice->chosen (path, choice->user_data);
}

/**
 * haul_choose_folder:
 * @parent: the window it belongs to
 * @current: the folder it opens in
 * @chosen: called with the answer
 * @user_data: for @chosen
 *
 * Shows a modal folder chooser. The caller keeps the chooser while it is open and
 * destroys it (gtk_native_dialog_destroy) if it goes first, so that @chosen is not
 * called on it.
 *
 * Returns: (transfer full): the chooser
 */
GtkFileChooserNative *
haul_choose_folder (GtkWindow        *parent,
                    const char       *current,
                    HaulFolderChosen  chosen,
                    gpointer          user_data)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GFile) folder = g_file_new_for_path (current);
  Choice *choice = g_new0 (Choice, 1);

  choice->chosen = chosen;
  choice->user_data = user_data;
  chooser = gtk_file_chooser_native_new (_("Download Folder"), parent,
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), folder, NULL);
  g_signal_connect_data (chooser, "response", G_CALLBACK (on_response_cb), choice,
                         (GClosureNotify) (void (*) (void)) g_free, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
  return chooser;
}
