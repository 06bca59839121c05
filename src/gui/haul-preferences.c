/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-check.h"
#include "haul-folder-chooser.h"
#include "haul-preferences.h"

/* The preferences: every row bound to its GSettings key, which the service reads too, so
 * a change takes effect at once, with no Apply. */

struct _HaulPreferences
{
  AdwPreferencesWindow  parent_instance;

  AdwActionRow         *folder_row;
  GtkButton            *folder_button;
  GtkSwitch            *discretionary_switch;
  GtkSpinButton        *concurrent_spin;
  GtkSpinButton        *segments_spin;
  GtkSpinButton        *limit_spin;
  GtkSwitch            *notify_switch;
  GtkSwitch            *status_icon_switch;

  GSettings            *settings;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (HaulPreferences, haul_preferences, ADW_TYPE_PREFERENCES_WINDOW)

static void
update_folder (HaulPreferences *self)
{
  g_autofree char *setting = g_settings_get_string (self->settings, "download-directory");
  g_autofree char *folder = haul_download_directory (setting);

  adw_action_row_set_subtitle (self->folder_row, folder);
}

static void
on_folder_chosen (const char *path,
                  gpointer    user_data)
{
  HaulPreferences *self = user_data;

  if (path != NULL)
    g_settings_set_string (self->settings, "download-directory", path);
  g_clear_object (&self->chooser);
}

static void
on_folder_clicked_cb (GtkButton       *button,
                      HaulPreferences *self)
{
  g_autofree char *setting = g_settings_get_string (self->settings, "download-directory");
  g_autofree char *current = haul_download_directory (setting);

  if (self->chooser == NULL)
    self->chooser = haul_choose_folder (GTK_WINDOW (self), current, on_folder_chosen, self);
}

/* speed-limit is in bytes per second; the row in kilobytes (1000 bytes, as the sizes
 * Haul shows). */
static gboolean
limit_get_mapping (GValue   *value,
                   GVariant *variant,
                   gpointer  user_data)
{
  g_value_set_double (value, (double) (g_variant_get_uint64 (variant) / 1000));
  return TRUE;
}

static GVariant *
limit_set_mapping (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  return g_variant_new_uint64 ((guint64) g_value_get_double (value) * 1000);
}

static void
haul_preferences_dispose (GObject *object)
{
  HaulPreferences *self = HAUL_PREFERENCES (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_PREFERENCES);

  G_OBJECT_CLASS (haul_preferences_parent_class)->dispose (object);
}

static void
haul_preferences_class_init (HaulPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haul_preferences_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/haul/Haul/haul-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulPreferences, folder_row);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferences, folder_button);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferences, discretionary_switch);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferences, concurrent_spin);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferences, segments_spin);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferences, limit_spin);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferences, notify_switch);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferences, status_icon_switch);
}

static void
haul_preferences_init (HaulPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new ("io.github.haul.Haul");

  g_settings_bind (self->settings, "discretionary", self->discretionary_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "max-concurrent", self->concurrent_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "segments", self->segments_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "speed-limit", self->limit_spin, "value",
                                G_SETTINGS_BIND_DEFAULT, limit_get_mapping, limit_set_mapping,
                                NULL, NULL);
  g_settings_bind (self->settings, "notify", self->notify_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "show-status-icon", self->status_icon_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_swapped (self->settings, "changed::download-directory",
                            G_CALLBACK (update_folder), self);
  g_signal_connect (self->folder_button, "clicked", G_CALLBACK (on_folder_clicked_cb), self);
  update_folder (self);
}

GtkWindow *
haul_preferences_new (GtkWindow *parent)
{
  return g_object_new (HAUL_TYPE_PREFERENCES, "transient-for", parent, NULL);
}
