/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-add-dialog.h"
#include "haul-check.h"
#include "haul-client-calls.h"
#include "haul-format.h"
#include "haul-transfer-row.h"
#include "haul-window-private.h"

/* What the person asks of transfers, from a row's buttons and menu (win.act with one ID)
 * or for the selection (Space, Delete, the menu key), and adding: the add dialog, Ctrl+V,
 * drag and drop, and the URLs given to `haul`. Every call is asynchronous; a refusal is
 * said in a toast, in the service's words. */

typedef struct
{
  HaulWindow *window;   /* a weak pointer: the window may close while a call is out */
  char       *name;
} Call;

static Call *
call_new (HaulWindow *self,
          const char *name)
{
  Call *call = g_new0 (Call, 1);

  g_set_weak_pointer (&call->window, self);
  call->name = g_strdup (name);
  return call;
}

static Call *
call_new_take (HaulWindow *self,
               char       *name)
{
  Call *call = call_new (self, NULL);

  call->name = name;
  return call;
}

static void
call_free (Call *call)
{
  g_clear_weak_pointer (&call->window);
  g_free (call->name);
  g_free (call);
}

static void
act_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!haul_client_act_finish (HAUL_CLIENT (object), result, &error) && call->window != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: a file name, then why the service refused what was asked */
      g_autofree char *text = g_strdup_printf (_("“%s”: %s"), call->name, error->message);

      haul_window_toast (call->window, text);
    }
  call_free (call);
}

/* (transfer full) */
static char *
name_of (HaulClientTransfer *t)
{
  return haul_format_display_name (haul_client_transfer_get_file_name (t),
                                   haul_client_transfer_get_uri (t));
}

static void
act_on (HaulWindow         *self,
        HaulClientTransfer *t,
        HaulClientAction    action)
{
  haul_client_act_async (self->client, t, action, self->cancellable, act_cb,
                         call_new_take (self, name_of (t)));
}

static gboolean
is_active (HaulTransferState state)
{
  return state == HAUL_TRANSFER_STATE_QUEUED || state == HAUL_TRANSFER_STATE_WAITING ||
         state == HAUL_TRANSFER_STATE_RUNNING;
}

/* ---- remove ------------------------------------------------------------------------- */

typedef struct
{
  HaulWindow     *window;
  GPtrArray      *transfers;
  GtkCheckButton *delete_file;
} Removal;

static void
removal_free (Removal *removal)
{
  g_clear_weak_pointer (&removal->window);
  g_ptr_array_unref (removal->transfers);
  g_free (removal);
}

static void
on_remove_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       Removal          *removal)
{
  gboolean with_file = removal->delete_file != NULL &&
                       gtk_check_button_get_active (removal->delete_file);

  if (g_str_equal (response, "remove") && removal->window != NULL &&
      removal->window->client != NULL)
    for (guint i = 0; i < removal->transfers->len; i++)
      act_on (removal->window, g_ptr_array_index (removal->transfers, i),
              with_file ? HAUL_CLIENT_ACTION_REMOVE_WITH_FILE : HAUL_CLIENT_ACTION_REMOVE);
  removal_free (removal);
}

/* Remove asks first: it cannot be undone, and may delete the file. */
static void
ask_remove (HaulWindow *self,
            GPtrArray  *transfers)
{
  Removal *removal = g_new0 (Removal, 1);
  g_autofree char *heading = NULL;
  const char *body;
  gboolean any_completed = FALSE;
  GtkWidget *dialog;

  for (guint i = 0; i < transfers->len; i++)
    any_completed |= haul_client_transfer_get_state (g_ptr_array_index (transfers, i)) ==
                     HAUL_TRANSFER_STATE_COMPLETED;
  if (transfers->len == 1)
    {
      g_autofree char *name = name_of (g_ptr_array_index (transfers, 0));

      heading = g_strdup_printf (_("Remove “%s”?"), name);
    }
  else
    heading = g_strdup_printf (ngettext ("Remove %u Download?", "Remove %u Downloads?",
                                         transfers->len), transfers->len);
  body = any_completed ? _("Downloads leave the list. Unfinished data is deleted; downloaded "
                           "files stay unless you choose otherwise.")
                       : _("Downloads leave the list and their unfinished data is deleted.");

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  if (any_completed)
    {
      removal->delete_file = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (
        transfers->len == 1 ? _("Also _delete the file") : _("Also _delete the files")));
      gtk_widget_set_halign (GTK_WIDGET (removal->delete_file), GTK_ALIGN_CENTER);
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog),
                                          GTK_WIDGET (removal->delete_file));
    }
  g_set_weak_pointer (&removal->window, self);
  removal->transfers = g_ptr_array_ref (transfers);
  g_signal_connect (dialog, "response", G_CALLBACK (on_remove_response_cb), removal);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- change link -------------------------------------------------------------------- */

typedef struct
{
  HaulWindow         *window;
  HaulClientTransfer *transfer;
  GtkEntry           *entry;
  GtkLabel           *problem;
} LinkChange;

static void
link_change_free (LinkChange *change)
{
  g_clear_weak_pointer (&change->window);
  g_object_unref (change->transfer);
  g_free (change);
}

static void
on_link_changed_cb (GtkEditable      *entry,
                    AdwMessageDialog *dialog)
{
  LinkChange *change = g_object_get_data (G_OBJECT (dialog), "change");
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (entry);
  gboolean ok = haul_check_uri (text, &error);

  /* Said before anything is sent. */
  gtk_label_set_text (change->problem, ok || *text == '\0' ? "" : error->message);
  gtk_widget_set_visible (GTK_WIDGET (change->problem), !ok && *text != '\0');
  adw_message_dialog_set_response_enabled (dialog, "change", ok);
}

static void
set_uri_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!haul_client_set_uri_finish (HAUL_CLIENT (object), result, &error) && call->window != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("“%s”: %s"), call->name, error->message);

      haul_window_toast (call->window, text);
    }
  call_free (call);
}

static void
on_link_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     LinkChange       *change)
{
  if (g_str_equal (response, "change") && change->window != NULL && change->window->client != NULL)
    haul_client_set_uri_async (change->window->client, change->transfer,
                               gtk_editable_get_text (GTK_EDITABLE (change->entry)),
                               change->window->cancellable, set_uri_cb,
                               call_new_take (change->window, name_of (change->transfer)));
}

static void
ask_link (HaulWindow         *self,
          HaulClientTransfer *t)
{
  LinkChange *change = g_new0 (LinkChange, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  g_autofree char *name = name_of (t);
  g_autofree char *heading = g_strdup_printf (_("New Link for “%s”"), name);
  GtkWidget *dialog = adw_message_dialog_new (
    GTK_WINDOW (self), heading,
    _("Paste a fresh link to the same file, for instance when the old one has expired. "
      "The download continues where it stopped if the server confirms it is the same file."));

  change->transfer = g_object_ref (t);
  g_set_weak_pointer (&change->window, self);
  change->entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_input_purpose (change->entry, GTK_INPUT_PURPOSE_URL);
  gtk_entry_set_activates_default (change->entry, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (change->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("New link"), -1);
  change->problem = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (change->problem, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (change->problem), "error");
  gtk_widget_set_visible (GTK_WIDGET (change->problem), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (change->entry));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (change->problem));

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "change", _("C_hange Link"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "change",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "change", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "change");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  /* It lives as long as the dialog, answered or not (the application may quit first). */
  g_object_set_data_full (G_OBJECT (dialog), "change", change, (GDestroyNotify) link_change_free);
  g_signal_connect (change->entry, "changed", G_CALLBACK (on_link_changed_cb), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (on_link_response_cb), change);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- files -------------------------------------------------------------------------- */

static GFile *
file_of (HaulClientTransfer *t)
{
  g_autoptr(GFile) directory = g_file_new_for_path (haul_client_transfer_get_directory (t));

  return g_file_get_child (directory, haul_client_transfer_get_file_name (t));
}

static void
launch_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error) && call->window != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot open “%s”: %s"), call->name, error->message);

      haul_window_toast (call->window, text);
    }
  call_free (call);
}

static void
open_file (HaulWindow         *self,
           HaulClientTransfer *t)
{
  g_autoptr(GFile) file = file_of (t);
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(GdkAppLaunchContext) context =
    gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));

  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL, launch_cb,
                                           call_new_take (self, name_of (t)));
}

typedef struct
{
  HaulWindow *window;
  char       *directory_uri;
} Reveal;

static void
reveal_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Reveal *reveal = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  /* No file manager with the interface: the folder itself, in whatever opens folders. */
  if (reply == NULL && reveal->window != NULL)
    {
      g_autoptr(GdkAppLaunchContext) context =
        gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (reveal->window)));

      g_debug ("ShowItems failed: %s", error->message);
      g_app_info_launch_default_for_uri_async (reveal->directory_uri, G_APP_LAUNCH_CONTEXT (context),
                                               NULL, launch_cb, call_new (reveal->window, reveal->directory_uri));
    }
  g_clear_weak_pointer (&reveal->window);
  g_free (reveal->directory_uri);
  g_free (reveal);
}

/* org.freedesktop.FileManager1.ShowItems: the folder opens with the files selected. */
static void
show_in_folder (HaulWindow *self,
                GPtrArray  *transfers)
{
  g_autoptr(GPtrArray) uris = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GFile) directory = NULL;
  GDBusConnection *bus = self->client != NULL ? haul_client_get_connection (self->client) : NULL;
  Reveal *reveal;

  if (bus == NULL || transfers->len == 0)
    return;
  for (guint i = 0; i < transfers->len; i++)
    {
      g_autoptr(GFile) file = file_of (g_ptr_array_index (transfers, i));

      g_ptr_array_add (uris, g_file_get_uri (file));
    }
  g_ptr_array_add (uris, NULL);
  directory = g_file_new_for_path (haul_client_transfer_get_directory (g_ptr_array_index (transfers, 0)));
  reveal = g_new0 (Reveal, 1);
  g_set_weak_pointer (&reveal->window, self);
  reveal->directory_uri = g_file_get_uri (directory);
  g_dbus_connection_call (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1", "ShowItems",
                          g_variant_new ("(^ass)", (char **) uris->pdata, ""), NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, reveal_cb, reveal);
}

static void
copy_links (HaulWindow *self,
            GPtrArray  *transfers)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < transfers->len; i++)
    {
      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, haul_client_transfer_get_uri (g_ptr_array_index (transfers, i)));
    }
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text->str);
  haul_window_toast (self, ngettext ("Link copied", "Links copied", transfers->len));
}

/* ---- acting on transfers ------------------------------------------------------------ */

/**
 * haul_window_act:
 * @self: the window
 * @what: pause, resume, retry, toggle, start-now, cancel, remove, open, show-in-folder,
 *   change-link or copy-link
 * @ids: (element-type guint): the transfers
 */
void
haul_window_act (HaulWindow *self,
                 const char *what,
                 GArray     *ids)
{
  g_autoptr(GPtrArray) transfers = g_ptr_array_new_with_free_func (g_object_unref);

  if (self->client == NULL)
    return;
  for (guint i = 0; i < ids->len; i++)
    {
      HaulClientTransfer *t = haul_client_lookup (self->client, g_array_index (ids, guint, i));

      if (t != NULL)
        g_ptr_array_add (transfers, g_object_ref (t));
    }
  if (transfers->len == 0)
    return;

  if (g_str_equal (what, "remove"))
    {
      ask_remove (self, transfers);
      return;
    }
  if (g_str_equal (what, "change-link"))
    {
      ask_link (self, g_ptr_array_index (transfers, 0));
      return;
    }
  if (g_str_equal (what, "show-in-folder"))
    {
      show_in_folder (self, transfers);
      return;
    }
  if (g_str_equal (what, "copy-link"))
    {
      copy_links (self, transfers);
      return;
    }
  for (guint i = 0; i < transfers->len; i++)
    {
      HaulClientTransfer *t = g_ptr_array_index (transfers, i);
      HaulTransferState state = haul_client_transfer_get_state (t);

      if (g_str_equal (what, "open"))
        {
          if (state == HAUL_TRANSFER_STATE_COMPLETED)
            open_file (self, t);
        }
      else if (g_str_equal (what, "pause") || (g_str_equal (what, "toggle") && is_active (state)))
        {
          if (is_active (state))
            act_on (self, t, HAUL_CLIENT_ACTION_PAUSE);
        }
      else if (g_str_equal (what, "resume") || g_str_equal (what, "retry") ||
               g_str_equal (what, "toggle"))
        {
          /* A cancelled transfer's data is gone: it is only removed. */
          if (state == HAUL_TRANSFER_STATE_PAUSED || state == HAUL_TRANSFER_STATE_FAILED)
            act_on (self, t, HAUL_CLIENT_ACTION_RESUME);
        }
      else if (g_str_equal (what, "cancel"))
        {
          if (is_active (state) || state == HAUL_TRANSFER_STATE_PAUSED)
            act_on (self, t, HAUL_CLIENT_ACTION_CANCEL);
        }
      else if (g_str_equal (what, "start-now"))
        act_on (self, t, HAUL_CLIENT_ACTION_START_NOW);
      else
        g_warning ("Unknown action %s", what);
    }
}

/**
 * haul_window_selected_ids:
 * @self: the window
 *
 * Returns: (transfer full) (element-type guint): the IDs of the selected rows, or of the
 *   focused one when none is selected
 */
GArray *
haul_window_selected_ids (HaulWindow *self)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GtkBitsetIter iter;
  guint position;

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position); ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(HaulClientTransfer) t = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
      guint id = haul_client_transfer_get_id (t);

      g_array_append_val (ids, id);
    }
  return ids;
}

static void
act_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));
  const char *what;
  guint id;

  g_variant_get (parameter, "(&su)", &what, &id);
  g_array_append_val (ids, id);
  haul_window_act (HAUL_WINDOW (widget), what, ids);
}

static void
selection_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);
  g_autoptr(GArray) ids = haul_window_selected_ids (self);

  haul_window_act (self, g_str_equal (action_name, "win.remove-selected") ? "remove" : "toggle", ids);
}

/* The menu key or Shift+F10: the context menu of the row that has the focus. */
static void
row_menu_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  for (; focus != NULL; focus = gtk_widget_get_parent (focus))
    {
      GtkWidget *child = gtk_widget_get_first_child (focus);

      if (HAUL_IS_TRANSFER_ROW (focus))
        {
          haul_transfer_row_popup_menu (HAUL_TRANSFER_ROW (focus));
          return;
        }
      if (child != NULL && HAUL_IS_TRANSFER_ROW (child))
        {
          haul_transfer_row_popup_menu (HAUL_TRANSFER_ROW (child));
          return;
        }
      if (focus == GTK_WIDGET (self->list_view))
        break;
    }
}

static void
all_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!haul_client_pause_all_finish (HAUL_CLIENT (object), result, &error) && call->window != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    haul_window_toast (call->window, error->message);
  call_free (call);
}

static void
all_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);

  if (self->client != NULL)
    haul_client_pause_all_async (self->client, g_str_equal (action_name, "win.pause-all"),
                                 self->cancellable, all_cb, call_new (self, ""));
}

/* ---- adding ------------------------------------------------------------------------- */

static void
add_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  if (haul_client_add_finish (HAUL_CLIENT (object), result, &error) == 0 && call->window != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: a link, then why the service refused it */
      g_autofree char *text = g_strdup_printf (_("Cannot add %s: %s"), call->name, error->message);

      haul_window_toast (call->window, text);
    }
  call_free (call);
}

/**
 * haul_window_add_uris:
 * @self: the window
 * @uris: links to add with the default options
 *
 * Adds each link that passes the check; one that does not is said in a toast. Links
 * given while the service is not there yet are kept and added once it is.
 */
void
haul_window_add_uris (HaulWindow         *self,
                      const char * const *uris)
{
  guint added = 0;

  g_return_if_fail (HAUL_IS_WINDOW (self));

  for (guint i = 0; uris[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!haul_check_uri (uris[i], &error))
        {
          haul_window_toast (self, error->message);
          continue;
        }
      if (self->client == NULL)
        {
          g_ptr_array_add (self->pending_uris, g_strdup (uris[i]));
          continue;
        }
      haul_client_add_async (self->client, uris[i], NULL, self->cancellable, add_cb,
                             call_new (self, uris[i]));
      added++;
    }
  if (added > 0)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("Added %u download", "Added %u downloads",
                                                         added), added);

      haul_window_toast (self, text);
    }
  else if (self->client == NULL && self->pending_uris->len > 0)
    haul_window_toast (self, _("The links are added as soon as the download service runs"));
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);

  haul_add_dialog_present (self, self->client);
}

static void
paste_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Call *call = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);
  g_auto(GStrv) uris = haul_find_uris (text);

  if (call->window != NULL)
    {
      if (uris[0] == NULL)
        haul_window_toast (call->window, _("The clipboard holds no http or https link"));
      else
        haul_window_add_uris (call->window, (const char * const *) uris);
    }
  call_free (call);
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  HaulWindow *self = HAUL_WINDOW (widget);

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, paste_cb,
                                 call_new (self, ""));
}

static gboolean
on_drop_cb (GtkDropTarget *target,
            const GValue  *value,
            double         x,
            double         y,
            HaulWindow    *self)
{
  g_auto(GStrv) uris = NULL;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      g_autoptr(GString) text = g_string_new (NULL);

      for (GSList *l = g_value_get_boxed (value); l != NULL; l = l->next)
        {
          g_autofree char *uri = g_file_get_uri (l->data);

          g_string_append_printf (text, "%s\n", uri);
        }
      uris = haul_find_uris (text->str);
    }
  else if (G_VALUE_HOLDS_STRING (value))
    uris = haul_find_uris (g_value_get_string (value));
  if (uris == NULL || uris[0] == NULL)
    {
      haul_window_toast (self, _("Only http and https links can be dropped here"));
      return FALSE;
    }
  haul_window_add_uris (self, (const char * const *) uris);
  return TRUE;
}

/* ---- set-up ------------------------------------------------------------------------- */

/**
 * haul_window_setup_input:
 * @self: the window
 *
 * Drops, Ctrl+V, and the keys of the list: Space, Delete, the menu key.
 */
void
haul_window_setup_input (HaulWindow *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_STRING };
  GtkEventController *keys = gtk_shortcut_controller_new ();
  GtkEventController *list_keys = gtk_shortcut_controller_new ();

  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  /* Ctrl+V bubbles up to the window: in the search entry it pastes text as usual. */
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
    gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>v"),
                      gtk_named_action_new ("win.paste")));
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  /* Keys of the list itself. */
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (list_keys),
    gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("space"),
                      gtk_named_action_new ("win.toggle-selected")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (list_keys),
    gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("Delete|KP_Delete"),
                      gtk_named_action_new ("win.remove-selected")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (list_keys),
    gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("Menu|<Shift>F10"),
                      gtk_named_action_new ("win.row-menu")));
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), list_keys);
}

void
haul_window_install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.act", "(su)", act_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-selected", NULL, selection_action);
  gtk_widget_class_install_action (widget_class, "win.remove-selected", NULL, selection_action);
  gtk_widget_class_install_action (widget_class, "win.row-menu", NULL, row_menu_action);
  gtk_widget_class_install_action (widget_class, "win.pause-all", NULL, all_action);
  gtk_widget_class_install_action (widget_class, "win.resume-all", NULL, all_action);
  gtk_widget_class_install_action (widget_class, "win.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_action);
}
