/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-add-dialog.h"
#include "haul-check.h"
#include "haul-folder-chooser.h"
#include "haul-client-calls.h"

/* The add dialog: links (one per line, pre-filled from the clipboard when it holds http
 * or https links), the folder, and the options of Manager1.Add. Every field is checked
 * with the shared rules as it is typed, and what is wrong is said under it; Add stays
 * insensitive until all is well. What the service refuses stays in the dialog, said in
 * its words, with the links it refused left in the field. */

struct _HaulAddDialog
{
  AdwWindow             parent_instance;

  GtkButton            *add_button;
  AdwToastOverlay      *toasts;
  GtkTextView          *urls_view;
  GtkLabel             *urls_problem;
  AdwActionRow         *folder_row;
  GtkButton            *folder_button;
  AdwEntryRow          *name_row;
  AdwEntryRow          *sha256_row;
  GtkSpinButton        *limit_spin;
  GtkSwitch            *discretionary_switch;
  GtkLabel             *options_problem;

  HaulWindow           *window;    /* weak */
  HaulClient           *client;
  GCancellable         *cancellable;
  GSettings            *settings;
  char                 *folder;
  GtkFileChooserNative *chooser;
  guint                 outstanding;   /* Add calls on their way */
  GPtrArray            *refused;       /* links the service refused, to leave in the field */
  guint                 added;
};

G_DEFINE_FINAL_TYPE (HaulAddDialog, haul_add_dialog, ADW_TYPE_WINDOW)

static GStrv
lines_of (HaulAddDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->urls_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (*lines[i] != '\0')
        g_strv_builder_add (builder, lines[i]);
    }
  return g_strv_builder_end (builder);
}

static void
say (GtkLabel   *label,
     const char *problem)
{
  gtk_label_set_text (label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (label), problem != NULL);
}

/* Everything checked as it is typed, before anything is sent. */
static gboolean
validate (HaulAddDialog *self)
{
  g_auto(GStrv) urls = lines_of (self);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *sha256 = gtk_editable_get_text (GTK_EDITABLE (self->sha256_row));
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  gboolean urls_ok = urls[0] != NULL;
  gboolean options_ok = TRUE;

  for (guint i = 0; urls[i] != NULL && urls_ok; i++)
    if (!haul_check_uri (urls[i], &error))
      {
        urls_ok = FALSE;
        /* Translators: a line number of the links field, then what is wrong with it */
        problem = g_strv_length (urls) > 1 ? g_strdup_printf (_("Line %u: %s"), i + 1, error->message)
                                           : g_strdup (error->message);
      }
  say (self->urls_problem, problem);
  g_clear_pointer (&problem, g_free);
  g_clear_error (&error);

  if (*name != '\0' && !haul_check_file_name (name, -1, &error))
    problem = g_strdup (error->message);
  else if (*name != '\0' && g_strv_length (urls) > 1)
    problem = g_strdup (_("A file name can be given for one link only"));
  else if (*sha256 != '\0' && !haul_check_sha256 (sha256, &error))
    problem = g_strdup (error->message);
  else if (*sha256 != '\0' && g_strv_length (urls) > 1)
    problem = g_strdup (_("A checksum can be given for one link only"));
  if (problem == NULL && self->client == NULL)
    problem = g_strdup (_("The download service is not running yet; Haul is starting it"));
  options_ok = problem == NULL;
  say (self->options_problem, problem);
  if (options_ok)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->sha256_row), "error");
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button),
                            urls_ok && options_ok && self->outstanding == 0);
  return urls_ok && options_ok;
}

static void
update_folder (HaulAddDialog *self)
{
  adw_action_row_set_subtitle (self->folder_row, self->folder);
}

static void
on_folder_chosen (const char *path,
                  gpointer    user_data)
{
  HaulAddDialog *self = user_data;

  if (path != NULL)
    {
      g_free (self->folder);
      self->folder = g_strdup (path);
      update_folder (self);
    }
  g_clear_object (&self->chooser);
}

static void
on_folder_clicked_cb (GtkButton     *button,
                      HaulAddDialog *self)
{
  if (self->chooser == NULL)
    self->chooser = haul_choose_folder (GTK_WINDOW (self), self->folder, on_folder_chosen, self);
}

/* ---- adding ------------------------------------------------------------------------- */

typedef struct
{
  HaulAddDialog *self;
  char          *uri;
} Adding;

static void
adds_done (HaulAddDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->urls_view);

  if (self->refused->len == 0)
    {
      if (self->window != NULL)
        {
          g_autofree char *text = g_strdup_printf (ngettext ("Added %u download", "Added %u downloads",
                                                             self->added), self->added);

          haul_window_toast (self->window, text);
        }
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  /* What was refused stays, to be mended and added again. */
  g_ptr_array_add (self->refused, NULL);
  {
    g_autofree char *text = g_strjoinv ("\n", (char **) self->refused->pdata);

    gtk_text_buffer_set_text (buffer, text, -1);
  }
  g_ptr_array_set_size (self->refused, 0);
  validate (self);
}

static void
add_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Adding *adding = user_data;
  HaulAddDialog *self = adding->self;
  g_autoptr(GError) error = NULL;

  if (haul_client_add_finish (HAUL_CLIENT (object), result, &error) != 0)
    self->added++;
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot add %s: %s"), adding->uri, error->message);

      say (self->options_problem, text);
      g_ptr_array_add (self->refused, g_steal_pointer (&adding->uri));
    }
  if (--self->outstanding == 0 && !g_cancellable_is_cancelled (self->cancellable))
    adds_done (self);
  g_free (adding->uri);
  g_free (adding);
  g_object_unref (self);
}

static void
on_add_clicked_cb (GtkButton     *button,
                   HaulAddDialog *self)
{
  g_auto(GStrv) urls = NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *sha256 = gtk_editable_get_text (GTK_EDITABLE (self->sha256_row));
  guint64 limit = (guint64) gtk_spin_button_get_value (self->limit_spin) * 1000;
  gboolean discretionary = gtk_switch_get_active (self->discretionary_switch);

  if (!validate (self) || self->client == NULL)
    return;
  urls = lines_of (self);
  self->added = 0;
  for (guint i = 0; urls[i] != NULL; i++)
    {
      GVariantDict options;
      Adding *adding = g_new0 (Adding, 1);

      g_variant_dict_init (&options, NULL);
      g_variant_dict_insert (&options, "directory", "s", self->folder);
      if (*name != '\0')
        g_variant_dict_insert (&options, "filename", "s", name);
      if (*sha256 != '\0')
        g_variant_dict_insert (&options, "sha256", "s", sha256);
      if (limit > 0)
        g_variant_dict_insert (&options, "speed-limit", "t", limit);
      g_variant_dict_insert (&options, "discretionary", "b", discretionary);
      adding->self = g_object_ref (self);
      adding->uri = g_strdup (urls[i]);
      self->outstanding++;
      haul_client_add_async (self->client, urls[i], g_variant_dict_end (&options),
                             self->cancellable, add_cb, adding);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), FALSE);
}

static void
clipboard_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HaulAddDialog) self = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);
  g_auto(GStrv) uris = haul_find_uris (text);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->urls_view);

  if (uris[0] == NULL || gtk_text_buffer_get_char_count (buffer) > 0 ||
      g_cancellable_is_cancelled (self->cancellable))
    return;
  {
    g_autofree char *joined = g_strjoinv ("\n", uris);

    gtk_text_buffer_set_text (buffer, joined, -1);
  }
}

/* ---- object ------------------------------------------------------------------------- */

static void
haul_add_dialog_dispose (GObject *object)
{
  HaulAddDialog *self = HAUL_ADD_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_weak_pointer (&self->window);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_ADD_DIALOG);

  G_OBJECT_CLASS (haul_add_dialog_parent_class)->dispose (object);
}

static void
haul_add_dialog_finalize (GObject *object)
{
  HaulAddDialog *self = HAUL_ADD_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_ptr_array_unref (self->refused);
  g_free (self->folder);

  G_OBJECT_CLASS (haul_add_dialog_parent_class)->finalize (object);
}

static void
haul_add_dialog_class_init (HaulAddDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haul_add_dialog_dispose;
  object_class->finalize = haul_add_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/haul/Haul/haul-add-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, toasts);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, urls_view);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, urls_problem);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, folder_row);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, folder_button);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, sha256_row);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, limit_spin);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, discretionary_switch);
  gtk_widget_class_bind_template_child (widget_class, HaulAddDialog, options_problem);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
haul_add_dialog_init (HaulAddDialog *self)
{
  g_autofree char *setting = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->refused = g_ptr_array_new_with_free_func (g_free);
  self->settings = g_settings_new ("io.github.haul.Haul");
  setting = g_settings_get_string (self->settings, "download-directory");
  self->folder = haul_download_directory (setting);
  update_folder (self);
  gtk_switch_set_active (self->discretionary_switch,
                         g_settings_get_boolean (self->settings, "discretionary"));

  g_signal_connect_swapped (gtk_text_view_get_buffer (self->urls_view), "changed",
                            G_CALLBACK (validate), self);
  g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (validate), self);
  g_signal_connect_swapped (self->sha256_row, "changed", G_CALLBACK (validate), self);
  g_signal_connect (self->folder_button, "clicked", G_CALLBACK (on_folder_clicked_cb), self);
  g_signal_connect (self->add_button, "clicked", G_CALLBACK (on_add_clicked_cb), self);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->add_button));
}

/**
 * haul_add_dialog_present:
 * @window: the main window
 * @client: (nullable): the client, or %NULL while the service is not there yet
 *
 * Shows the add dialog, its links filled from the clipboard when it holds any.
 */
void
haul_add_dialog_present (HaulWindow *window,
                         HaulClient *client)
{
  HaulAddDialog *self = g_object_new (HAUL_TYPE_ADD_DIALOG, "transient-for", window, NULL);

  g_set_weak_pointer (&self->window, window);
  if (client != NULL)
    self->client = g_object_ref (client);
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->cancellable,
                                 clipboard_cb, g_object_ref (self));
  validate (self);
  gtk_window_present (GTK_WINDOW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->urls_view));
}
