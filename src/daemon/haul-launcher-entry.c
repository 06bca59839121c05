/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-launcher-entry"

#include "config.h"

#include "haul-canonical-generated.h"
#include "haul-check.h"
#include "haul-desktop.h"
#include "haul-launcher-entry.h"

/* Progress on the application's icon in docks and task bars (Ubuntu's dock, Dash to Dock,
 * KDE's task manager, Plank): com.canonical.Unity.LauncherEntry's Update signal for
 * application://io.github.haul.Haul.desktop, with the overall progress and the number of
 * active transfers, cleared once when nothing is active. As the status icon, it looks at
 * most once a second, only after a change, and sends only what differs. */

#define FLUSH_MS 1000

struct _HaulLauncherEntry
{
  GObject          parent_instance;

  HaulManager     *manager;
  GDBusConnection *session;
  guint            flush_source;
  gboolean         shown;        /* what was sent last */
  gint64           count;
  double           progress;
};

G_DEFINE_FINAL_TYPE (HaulLauncherEntry, haul_launcher_entry, G_TYPE_OBJECT)

static gboolean
flush_cb (gpointer user_data)
{
  HaulLauncherEntry *self = user_data;
  HaulOverall overall;
  g_auto(GVariantBuilder) properties = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  gboolean shown;
  double progress;

  self->flush_source = 0;
  haul_overall_read (self->manager, &overall);
  shown = overall.active > 0;
  progress = overall.total > 0 ? (double) overall.received / (double) overall.total : 0.0;
  /* A docks' bar is some 100 pixels: a change of less than 0.5% is not worth a message. */
  if (shown == self->shown && (!shown || (self->count == overall.active &&
                                          ABS (progress - self->progress) < 0.005)))
    return G_SOURCE_REMOVE;
  self->shown = shown;
  self->count = overall.active;
  self->progress = progress;

  g_variant_builder_add (&properties, "{sv}", "progress", g_variant_new_double (progress));
  g_variant_builder_add (&properties, "{sv}", "progress-visible",
                         g_variant_new_boolean (shown && overall.total > 0));
  g_variant_builder_add (&properties, "{sv}", "count", g_variant_new_int64 (overall.active));
  g_variant_builder_add (&properties, "{sv}", "count-visible", g_variant_new_boolean (shown));
  g_dbus_connection_emit_signal (self->session, NULL, HAUL_DAEMON_PATH,
                                 haul_canonical_unity_launcher_entry_interface_info ()->name, "Update",
                                 g_variant_new ("(sa{sv})", HAUL_LAUNCHER_ENTRY_APP_URI, &properties),
                                 NULL);
  return G_SOURCE_REMOVE;
}

static void
changed (HaulLauncherEntry *self)
{
  if (self->flush_source == 0)
    self->flush_source = g_timeout_add (FLUSH_MS, flush_cb, self);
}

static void
on_transfer_changed_cb (HaulLauncherEntry *self,
                        HaulTransfer      *transfer,
                        GParamSpec        *pspec)
{
  if (g_str_equal (pspec->name, "state"))
    changed (self);
}

static void
haul_launcher_entry_dispose (GObject *object)
{
  HaulLauncherEntry *self = HAUL_LAUNCHER_ENTRY (object);

  g_clear_handle_id (&self->flush_source, g_source_remove);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (haul_launcher_entry_parent_class)->dispose (object);
}

static void
haul_launcher_entry_class_init (HaulLauncherEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = haul_launcher_entry_dispose;
}

static void
haul_launcher_entry_init (HaulLauncherEntry *self)
{
}

/**
 * haul_launcher_entry_new:
 * @manager: the manager whose transfers it counts
 * @session: the service's connection to the session bus
 *
 * Returns: (transfer full): the launcher entry; it says something the first time
 *   something is active
 */
HaulLauncherEntry *
haul_launcher_entry_new (HaulManager     *manager,
                         GDBusConnection *session)
{
  HaulLauncherEntry *self = g_object_new (HAUL_TYPE_LAUNCHER_ENTRY, NULL);

  self->manager = g_object_ref (manager);
  self->session = g_object_ref (session);
  g_signal_connect_swapped (manager, "progress", G_CALLBACK (changed), self);
  g_signal_connect_swapped (manager, "transfer-added", G_CALLBACK (changed), self);
  g_signal_connect_swapped (manager, "transfer-removed", G_CALLBACK (changed), self);
  g_signal_connect_swapped (manager, "transfer-changed", G_CALLBACK (on_transfer_changed_cb), self);
  changed (self);
  return self;
}
