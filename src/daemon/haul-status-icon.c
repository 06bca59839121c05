/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-status-icon"

#include "config.h"

#include <glib/gi18n.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "haul-desktop-resources.h"
#include "haul-desktop.h"
#include "haul-format.h"
#include "haul-sni-generated.h"
#include "haul-status-icon.h"
#include "haul-status-menu.h"

/* The status icon: an org.kde.StatusNotifierItem, served from the interface description
 * generated from data/org.kde.StatusNotifierItem.xml, with the menu of haul-status-menu.c.
 *
 * It lives on a connection of its own to the session bus, registered with the watcher by
 * object path: closing that connection is what makes every watcher drop the item at once
 * when show-status-icon is turned off (they follow the name of the item's connection, not
 * its objects). The watcher is followed by name, and the item registers again whenever the
 * name gets a new owner (the shell reloads, a panel restarts); without a watcher nothing
 * is registered and nothing is sent.
 *
 * What changes (the tooltip, the status, the menu) is looked at once a second at most, and
 * only after a change: with nothing running, the icon sends nothing and no timer runs. */

#define FLUSH_MS 1000
#define WATCHER_NAME "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH "/StatusNotifierWatcher"

struct _HaulStatusIcon
{
  GObject          parent_instance;

  HaulManager     *manager;
  GDBusConnection *session;      /* the service's connection: the window is called on it */
  GSettings       *settings;
  GCancellable    *cancellable;
  GDBusConnection *connection;   /* the item's own, while shown */
  guint            registration;
  guint            watch;
  gboolean         registered;
  HaulStatusMenu  *menu;
  GVariant        *pixmaps;      /* a(iiay), made when first asked for */
  char            *status;
  char            *tooltip;
  guint            flush_source;
  gboolean         enabled;
};

G_DEFINE_FINAL_TYPE (HaulStatusIcon, haul_status_icon, G_TYPE_OBJECT)

enum {
  QUIT_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void show (HaulStatusIcon *self);
static void hide (HaulStatusIcon *self);

/* ---- what it shows ------------------------------------------------------------------ */

static char *
current_status (HaulOverall *overall)
{
  return g_strdup (overall->active > 0 ? "Active" : "Passive");
}

static char *
current_tooltip (HaulOverall *overall)
{
  return haul_format_overall (overall->active, overall->received, overall->total, overall->rate);
}

/* The application's icon as pixels, for hosts without it in their icon theme: ARGB32 in
 * network byte order, at the sizes panels use. */
static GVariant *
make_pixmaps (void)
{
  const int sizes[] = { 22, 32, 48 };
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(iiay)"));

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GInputStream) svg = g_resource_open_stream (haul_desktop_get_resource (),
                                                            "/io/github/haul/Daemon/icon.svg",
                                                            G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      g_autoptr(GdkPixbuf) pixbuf =
        gdk_pixbuf_new_from_stream_at_scale (svg, sizes[i], sizes[i], TRUE, NULL, &error);
      g_autoptr(GdkPixbuf) rgba = NULL;
      guint8 *argb;
      const guint8 *pixels;
      int width, height, stride;

      if (pixbuf == NULL)
        {
          g_debug ("No pixmap of the icon: %s", error->message);
          break;
        }
      rgba = gdk_pixbuf_get_has_alpha (pixbuf) ? g_object_ref (pixbuf)
                                                : gdk_pixbuf_add_alpha (pixbuf, FALSE, 0, 0, 0);
      width = gdk_pixbuf_get_width (rgba);
      height = gdk_pixbuf_get_height (rgba);
      stride = gdk_pixbuf_get_rowstride (rgba);
      pixels = gdk_pixbuf_read_pixels (rgba);
      argb = g_malloc ((gsize) width * height * 4);
      for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
          {
            const guint8 *p = pixels + y * stride + x * 4;
            guint8 *q = argb + ((gsize) y * width + x) * 4;

            q[0] = p[3];
            q[1] = p[0];
            q[2] = p[1];
            q[3] = p[2];
          }
      g_variant_builder_add (&builder, "(ii@ay)", width, height,
                             g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, argb,
                                                      (gsize) width * height * 4, TRUE, g_free, argb));
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* ---- org.kde.StatusNotifierItem ----------------------------------------------------- */

static void
emit (HaulStatusIcon *self,
      const char     *name,
      GVariant       *parameters)
{
  if (self->registration == 0 || !self->registered)
    {
      if (parameters != NULL)
        g_variant_unref (g_variant_ref_sink (parameters));
      return;
    }
  g_dbus_connection_emit_signal (self->connection, NULL, HAUL_STATUS_ICON_PATH,
                                 haul_sni_status_notifier_item_interface_info ()->name, name,
                                 parameters, NULL);
}

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  HaulStatusIcon *self = user_data;

  /* A click shows the window; a middle click pauses everything, or resumes it; a host
   * that cannot show our menu asks for it with ContextMenu, and gets the window. */
  if (g_str_equal (method_name, "Activate") || g_str_equal (method_name, "ContextMenu"))
    haul_desktop_show_window (self->session, NULL);
  else if (g_str_equal (method_name, "SecondaryActivate"))
    {
      HaulOverall overall;

      haul_overall_read (self->manager, &overall);
      if (overall.active > 0)
        haul_manager_pause_all (self->manager);
      else
        haul_manager_resume_all (self->manager);
    }
  else if (!g_str_equal (method_name, "Scroll"))
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "No method %s", method_name);
      return;
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
get_property (GDBusConnection  *connection,
              const char       *sender,
              const char       *object_path,
              const char       *interface_name,
              const char       *name,
              GError          **error,
              gpointer          user_data)
{
  HaulStatusIcon *self = user_data;

  if (g_str_equal (name, "Category"))
    return g_variant_new_string ("ApplicationStatus");
  if (g_str_equal (name, "Id"))
    return g_variant_new_string (APP_ID);
  if (g_str_equal (name, "Title"))
    return g_variant_new_string (_("Haul"));
  if (g_str_equal (name, "Status"))
    return g_variant_new_string (self->status);
  if (g_str_equal (name, "WindowId"))
    return g_variant_new_int32 (0);
  if (g_str_equal (name, "IconName"))
    return g_variant_new_string (APP_ID "-symbolic");
  if (g_str_equal (name, "IconPixmap"))
    {
      if (self->pixmaps == NULL)
        self->pixmaps = make_pixmaps ();
      return g_variant_ref (self->pixmaps);
    }
  if (g_str_equal (name, "IconThemePath") || g_str_equal (name, "OverlayIconName") ||
      g_str_equal (name, "AttentionIconName") || g_str_equal (name, "AttentionMovieName"))
    return g_variant_new_string ("");
  if (g_str_equal (name, "OverlayIconPixmap") || g_str_equal (name, "AttentionIconPixmap"))
    return g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0);
  /* The figure is the tooltip's title: LXQt and waybar show only that; KDE shows it as
   * the heading. */
  if (g_str_equal (name, "ToolTip"))
    return g_variant_new ("(s@a(iiay)ss)", APP_ID "-symbolic",
                          g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0),
                          self->tooltip, "");
  if (g_str_equal (name, "ItemIsMenu"))
    return g_variant_new_boolean (FALSE);
  if (g_str_equal (name, "Menu"))
    return g_variant_new_object_path (HAUL_STATUS_MENU_PATH);
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s", name);
  return NULL;
}

static const GDBusInterfaceVTable vtable = { method_call, get_property, NULL, { 0 } };

/* ---- the watcher -------------------------------------------------------------------- */

static void
register_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  HaulStatusIcon *self;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_message ("The status icon could not be registered: %s", error->message);
      return;
    }
  g_debug ("The status icon is registered");
  self->registered = TRUE;
}

static void
on_watcher_appeared_cb (GDBusConnection *connection,
                        const char      *name,
                        const char      *owner,
                        gpointer         user_data)
{
  HaulStatusIcon *self = user_data;

  /* A new watcher knows nothing of us: tell it where the item is, by object path. */
  self->registered = FALSE;
  g_dbus_connection_call (connection, owner, WATCHER_PATH,
                          haul_sni_status_notifier_watcher_interface_info ()->name,
                          "RegisterStatusNotifierItem", g_variant_new ("(s)", HAUL_STATUS_ICON_PATH),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, self->cancellable,
                          register_cb, self);
}

static void
on_watcher_vanished_cb (GDBusConnection *connection,
                        const char      *name,
                        gpointer         user_data)
{
  HaulStatusIcon *self = user_data;

  self->registered = FALSE;
}

/* ---- shown, hidden ------------------------------------------------------------------ */

static void
connection_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection = g_dbus_connection_new_for_address_finish (result, &error);
  HaulStatusIcon *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (connection == NULL)
    {
      g_message ("No connection for the status icon: %s", error->message);
      return;
    }
  self->connection = connection;
  self->registration = g_dbus_connection_register_object (connection, HAUL_STATUS_ICON_PATH,
                                                          haul_sni_status_notifier_item_interface_info (),
                                                          &vtable, self, NULL, &error);
  if (self->registration == 0 ||
      !haul_status_menu_export (self->menu, connection, HAUL_STATUS_MENU_PATH, &error))
    {
      g_message ("The status icon could not be exported: %s", error->message);
      hide (self);
      return;
    }
  self->watch = g_bus_watch_name_on_connection (connection, WATCHER_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                on_watcher_appeared_cb, on_watcher_vanished_cb,
                                                self, NULL);
}

/* The session bus is the one the service was started on: its address is in the
 * environment (the bus sets it for what it activates), so this does not block. */
static void
show (HaulStatusIcon *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  if (self->cancellable != NULL)
    return;
  self->cancellable = g_cancellable_new ();
  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (address == NULL)
    {
      g_message ("No session bus for the status icon: %s", error->message);
      return;
    }
  g_dbus_connection_new_for_address (address,
                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                     NULL, self->cancellable, connection_cb, self);
}

/* Closing the item's connection is what tells every watcher it is gone. */
static void
hide (HaulStatusIcon *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->watch != 0)
    g_bus_unwatch_name (self->watch);
  self->watch = 0;
  self->registered = FALSE;
  haul_status_menu_unexport (self->menu);
  if (self->registration != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration);
  self->registration = 0;
  if (self->connection != NULL)
    g_dbus_connection_close (self->connection, NULL, NULL, NULL);
  g_clear_object (&self->connection);
}

static void
on_setting_cb (HaulStatusIcon *self)
{
  gboolean enabled = g_settings_get_boolean (self->settings, "show-status-icon");

  if (enabled == self->enabled)
    return;
  self->enabled = enabled;
  if (enabled)
    show (self);
  else
    hide (self);
}

/* ---- changes ------------------------------------------------------------------------ */

static gboolean
flush_cb (gpointer user_data)
{
  HaulStatusIcon *self = user_data;
  HaulOverall overall;
  g_autofree char *status = NULL;
  g_autofree char *tooltip = NULL;

  self->flush_source = 0;
  haul_overall_read (self->manager, &overall);
  status = current_status (&overall);
  tooltip = current_tooltip (&overall);
  if (g_strcmp0 (status, self->status) != 0)
    {
      g_free (self->status);
      self->status = g_steal_pointer (&status);
      emit (self, "NewStatus", g_variant_new ("(s)", self->status));
    }
  if (g_strcmp0 (tooltip, self->tooltip) != 0)
    {
      g_free (self->tooltip);
      self->tooltip = g_steal_pointer (&tooltip);
      emit (self, "NewToolTip", NULL);
    }
  haul_status_menu_update (self->menu);
  return G_SOURCE_REMOVE;
}

/**
 * haul_status_icon_changed:
 * @self: the icon
 *
 * Something it shows may have changed: it looks again within a second.
 */
void
haul_status_icon_changed (HaulStatusIcon *self)
{
  g_return_if_fail (HAUL_IS_STATUS_ICON (self));

  if (self->flush_source == 0)
    self->flush_source = g_timeout_add (FLUSH_MS, flush_cb, self);
}

static void
on_transfer_changed_cb (HaulStatusIcon *self,
                        HaulTransfer   *transfer,
                        GParamSpec     *pspec)
{
  if (g_str_equal (pspec->name, "state") || g_str_equal (pspec->name, "file-name"))
    haul_status_icon_changed (self);
}

static void
on_show_window_cb (HaulStatusIcon *self)
{
  haul_desktop_show_window (self->session, NULL);
}

static void
on_show_transfer_cb (HaulStatusIcon *self,
                     guint           id)
{
  haul_desktop_activate_action (self->session, "show-transfer", id, NULL);
}

static void
on_quit_cb (HaulStatusIcon *self)
{
  g_signal_emit (self, signals[QUIT_REQUESTED], 0);
}

/* ---- object ------------------------------------------------------------------------- */

static void
haul_status_icon_dispose (GObject *object)
{
  HaulStatusIcon *self = HAUL_STATUS_ICON (object);

  g_clear_handle_id (&self->flush_source, g_source_remove);
  if (self->menu != NULL)
    hide (self);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->menu);
  g_clear_object (&self->manager);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (haul_status_icon_parent_class)->dispose (object);
}

static void
haul_status_icon_finalize (GObject *object)
{
  HaulStatusIcon *self = HAUL_STATUS_ICON (object);

  g_clear_pointer (&self->pixmaps, g_variant_unref);
  g_free (self->status);
  g_free (self->tooltip);

  G_OBJECT_CLASS (haul_status_icon_parent_class)->finalize (object);
}

static void
haul_status_icon_class_init (HaulStatusIconClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haul_status_icon_dispose;
  object_class->finalize = haul_status_icon_finalize;

  /**
   * HaulStatusIcon::quit-requested:
   *
   * Quit was chosen in the menu: every transfer is paused, and the service exits.
   */
  signals[QUIT_REQUESTED] = g_signal_new ("quit-requested", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
haul_status_icon_init (HaulStatusIcon *self)
{
}

/**
 * haul_status_icon_new:
 * @manager: the manager whose transfers it shows
 * @session: the service's connection to the session bus
 *
 * Returns: (transfer full): the status icon, shown while show-status-icon is on
 */
HaulStatusIcon *
haul_status_icon_new (HaulManager     *manager,
                      GDBusConnection *session)
{
  HaulStatusIcon *self = g_object_new (HAUL_TYPE_STATUS_ICON, NULL);
  HaulOverall overall;

  self->manager = g_object_ref (manager);
  self->session = g_object_ref (session);
  self->menu = haul_status_menu_new (manager);
  haul_overall_read (manager, &overall);
  self->status = current_status (&overall);
  self->tooltip = current_tooltip (&overall);
  g_signal_connect_swapped (manager, "progress", G_CALLBACK (haul_status_icon_changed), self);
  g_signal_connect_swapped (manager, "transfer-added", G_CALLBACK (haul_status_icon_changed), self);
  g_signal_connect_swapped (manager, "transfer-removed", G_CALLBACK (haul_status_icon_changed), self);
  g_signal_connect_swapped (manager, "transfer-changed", G_CALLBACK (on_transfer_changed_cb), self);
  g_signal_connect_swapped (self->menu, "show-window", G_CALLBACK (on_show_window_cb), self);
  g_signal_connect_swapped (self->menu, "show-transfer", G_CALLBACK (on_show_transfer_cb), self);
  g_signal_connect_swapped (self->menu, "quit", G_CALLBACK (on_quit_cb), self);
  self->settings = g_settings_new (APP_ID);
  g_signal_connect_swapped (self->settings, "changed::show-status-icon", G_CALLBACK (on_setting_cb), self);
  on_setting_cb (self);
  return self;
}
