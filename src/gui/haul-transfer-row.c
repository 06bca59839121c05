/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-gui"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haul-format.h"
#include "haul-transfer-row.h"

/* One row of the list: the file's icon, its name, a progress bar, the status line of the
 * shared formatter, and the buttons that make sense in its state. The row is bound to a
 * HaulClientTransfer and follows its notifications: a progress tick sets the bar and the
 * status line, nothing else; a row is reused for another item by the list view, never
 * rebuilt. What the buttons and the context menu ask goes to the window's "win.act"
 * action with the transfer's ID, where the selection's actions go too. */

struct _HaulTransferRow
{
  GtkWidget           parent_instance;

  GtkImage           *icon;
  GtkLabel           *name_label;
  GtkProgressBar     *progress;
  GtkLabel           *status_label;
  GtkButton          *change_link_button;
  GtkButton          *start_now_button;
  GtkButton          *primary_button;
  GtkButton          *open_button;
  GtkButton          *folder_button;
  GtkButton          *secondary_button;
  GtkPopoverMenu     *menu;

  const char         *primary_tip;    /* static strings: what the two round buttons do */
  const char         *secondary_tip;

  HaulClientTransfer *transfer;
  gulong              notify_id;
  guint               clock_source;   /* while the status line counts down to a retry */
};

G_DEFINE_FINAL_TYPE (HaulTransferRow, haul_transfer_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TRANSFER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- what the row shows ------------------------------------------------------------- */

static char *
display_name (HaulClientTransfer *transfer)
{
  return haul_format_display_name (haul_client_transfer_get_file_name (transfer),
                                   haul_client_transfer_get_uri (transfer));
}

static void
update_name (HaulTransferRow *self)
{
  g_autofree char *name = display_name (self->transfer);

  gtk_label_set_text (self->name_label, name);
}

/* The icon of the file's type, guessed from its name, or from its link's until the
 * server names it. */
static void
update_icon (HaulTransferRow *self)
{
  g_autofree char *name = display_name (self->transfer);
  g_autofree char *type = NULL;
  g_autoptr(GIcon) icon = NULL;

  type = g_content_type_guess (name, NULL, 0, NULL);
  icon = g_content_type_get_icon (type);
  gtk_image_set_from_gicon (self->icon, icon);
}

static gboolean
is_active (HaulTransferState state)
{
  return state == HAUL_TRANSFER_STATE_QUEUED || state == HAUL_TRANSFER_STATE_WAITING ||
         state == HAUL_TRANSFER_STATE_RUNNING;
}

static gboolean on_clock_cb (gpointer user_data);

static void
update_status (HaulTransferRow *self)
{
  HaulClientTransfer *t = self->transfer;
  HaulTransferState state = haul_client_transfer_get_state (t);
  guint64 received = haul_client_transfer_get_bytes_received (t);
  guint64 total = haul_client_transfer_get_bytes_total (t);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *status = haul_client_transfer_dup_status_text (t, now);
  gboolean counting;

  gtk_label_set_text (self->status_label, status);
  gtk_widget_set_visible (GTK_WIDGET (self->progress),
                          state != HAUL_TRANSFER_STATE_COMPLETED &&
                          state != HAUL_TRANSFER_STATE_CANCELLED);
  if (state == HAUL_TRANSFER_STATE_COMPLETED)
    gtk_progress_bar_set_fraction (self->progress, 1.0);
  else if (total > 0)
    gtk_progress_bar_set_fraction (self->progress, MIN (1.0, (double) received / (double) total));
  else if (state == HAUL_TRANSFER_STATE_RUNNING && received > 0)
    gtk_progress_bar_pulse (self->progress);   /* moved by the figures, not by a timer */
  else
    gtk_progress_bar_set_fraction (self->progress, 0.0);

  /* "Retrying in 2 minutes" counts down by itself: a clock runs only while it shows. */
  counting = state == HAUL_TRANSFER_STATE_WAITING &&
             haul_client_transfer_get_wait_reason (t) == HAUL_WAIT_REASON_RETRY &&
             haul_client_transfer_get_retry_at (t) > 0;
  if (counting && self->clock_source == 0)
    self->clock_source = g_timeout_add_seconds (1, on_clock_cb, self);
  else if (!counting)
    g_clear_handle_id (&self->clock_source, g_source_remove);
}

static gboolean
on_clock_cb (gpointer user_data)
{
  HaulTransferRow *self = user_data;

  if (self->transfer != NULL)
    {
      g_autofree char *status = haul_client_transfer_dup_status_text (self->transfer,
                                                                      g_get_real_time () / G_USEC_PER_SEC);

      gtk_label_set_text (self->status_label, status);
    }
  return G_SOURCE_CONTINUE;
}

static void
set_button (GtkButton   *button,
            const char **tip,
            const char  *icon,
            const char  *tooltip,
            const char  *action)
{
  gtk_widget_set_visible (GTK_WIDGET (button), action != NULL);
  *tip = tooltip;
  if (action == NULL)
    return;
  gtk_button_set_icon_name (button, icon);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
}

/* Tooltips are given when asked for, not set: in GTK 4.8 each
 * gtk_widget_set_tooltip_text() asks the display where the pointer is, a round trip
 * to the X server, and 200 rows of seven tooltips kept the window's start waiting on
 * 1,400 of them. */
static gboolean
on_query_tooltip_cb (GtkWidget       *widget,
                     int              x,
                     int              y,
                     gboolean         keyboard,
                     GtkTooltip      *tooltip,
                     HaulTransferRow *self)
{
  const char *text = NULL;

  if (self->transfer == NULL)
    return FALSE;
  if (widget == GTK_WIDGET (self->name_label))
    text = haul_client_transfer_get_uri (self->transfer);
  else if (widget == GTK_WIDGET (self->primary_button))
    text = self->primary_tip;
  else if (widget == GTK_WIDGET (self->secondary_button))
    text = self->secondary_tip;
  else if (widget == GTK_WIDGET (self->change_link_button))
    text = _("Give this download a fresh link to the same file");
  else if (widget == GTK_WIDGET (self->start_now_button))
    text = _("Download now instead of waiting for a good moment");
  else if (widget == GTK_WIDGET (self->open_button))
    text = _("Open with the default application");
  else if (widget == GTK_WIDGET (self->folder_button))
    text = _("Show in Folder");
  if (text == NULL || *text == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
update_actions (HaulTransferRow *self)
{
  HaulClientTransfer *t = self->transfer;
  HaulTransferState state = haul_client_transfer_get_state (t);
  HaulWaitReason wait = haul_client_transfer_get_wait_reason (t);
  gboolean expired = state == HAUL_TRANSFER_STATE_FAILED &&
                     haul_client_transfer_get_error_kind (t) == HAUL_ERROR_KIND_LINK_EXPIRED;
  gboolean discretionary_wait = state == HAUL_TRANSFER_STATE_WAITING &&
                                haul_client_transfer_get_discretionary (t) &&
                                (wait == HAUL_WAIT_REASON_METERED ||
                                 wait == HAUL_WAIT_REASON_POWER_SAVER);
  gboolean done = state == HAUL_TRANSFER_STATE_COMPLETED;
  gboolean has_file = *haul_client_transfer_get_file_name (t) != '\0';

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.pause", is_active (state));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.resume", state == HAUL_TRANSFER_STATE_PAUSED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.retry", state == HAUL_TRANSFER_STATE_FAILED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.start-now", discretionary_wait);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.change-link",
                                 state != HAUL_TRANSFER_STATE_COMPLETED &&
                                 state != HAUL_TRANSFER_STATE_CANCELLED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.cancel", is_active (state) ||
                                 state == HAUL_TRANSFER_STATE_PAUSED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.open", done);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.show-in-folder", done || has_file);

  if (is_active (state))
    set_button (self->primary_button, &self->primary_tip, "media-playback-pause-symbolic", _("Pause"), "row.pause");
  else if (state == HAUL_TRANSFER_STATE_PAUSED)
    set_button (self->primary_button, &self->primary_tip, "media-playback-start-symbolic", _("Resume"), "row.resume");
  else if (state == HAUL_TRANSFER_STATE_FAILED)
    set_button (self->primary_button, &self->primary_tip, "view-refresh-symbolic", _("Retry"), "row.retry");
  else
    set_button (self->primary_button, &self->primary_tip, NULL, NULL, NULL);

  if (is_active (state) || state == HAUL_TRANSFER_STATE_PAUSED)
    set_button (self->secondary_button, &self->secondary_tip, "process-stop-symbolic", _("Cancel"), "row.cancel");
  else
    set_button (self->secondary_button, &self->secondary_tip, "window-close-symbolic", _("Remove"), "row.remove");

  gtk_widget_set_visible (GTK_WIDGET (self->open_button), done);
  gtk_widget_set_visible (GTK_WIDGET (self->folder_button), done);
  gtk_widget_set_visible (GTK_WIDGET (self->change_link_button), expired);
  gtk_widget_set_visible (GTK_WIDGET (self->start_now_button), discretionary_wait);
}

/* GTK 4.8 gives a list row no accessible name of its own, so a screen reader would
 * announce "list item": the row's widget in the list view gets the file's name and its
 * status. */
static void
update_accessible (HaulTransferRow *self)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));
  const char *name = gtk_label_get_text (self->name_label);
  const char *status = gtk_label_get_text (self->status_label);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, status, -1);
  if (parent != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (parent),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, status, -1);
}

static void
on_notify_cb (HaulClientTransfer *transfer,
              GParamSpec         *pspec,
              HaulTransferRow    *self)
{
  const char *name = pspec->name;

  if (g_str_equal (name, "file-name") || g_str_equal (name, "uri"))
    {
      update_name (self);
      update_icon (self);
    }
  if (g_str_equal (name, "state") || g_str_equal (name, "wait-reason") ||
      g_str_equal (name, "error-kind") || g_str_equal (name, "discretionary") ||
      g_str_equal (name, "file-name"))
    update_actions (self);
  if (!g_str_equal (name, "uri") && !g_str_equal (name, "effective-uri") &&
      !g_str_equal (name, "directory") && !g_str_equal (name, "segments") &&
      !g_str_equal (name, "sha256") && !g_str_equal (name, "created-at"))
    {
      update_status (self);
      update_accessible (self);
    }
}

/* ---- actions ------------------------------------------------------------------------ */

static void
row_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  HaulTransferRow *self = HAUL_TRANSFER_ROW (widget);
  const char *what = action_name + strlen ("row.");

  if (self->transfer == NULL)
    return;
  gtk_widget_activate_action (widget, "win.act", "(su)", what,
                              haul_client_transfer_get_id (self->transfer));
}

static GMenuModel *context_menu (void);

/* The context menu is made the first time it is asked for: of the 200 rows a list view
 * keeps, few ever show theirs, and a popover menu each made the window's start take a
 * second longer with 10,000 transfers. */
static void
popup_menu (HaulTransferRow *self,
            double           x,
            double           y)
{
  if (self->menu == NULL)
    {
      self->menu = GTK_POPOVER_MENU (gtk_popover_menu_new_from_model (context_menu ()));
      gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
      gtk_widget_set_halign (GTK_WIDGET (self->menu), GTK_ALIGN_START);
      gtk_widget_set_parent (GTK_WIDGET (self->menu), GTK_WIDGET (self));
    }
  if (x >= 0)
    gtk_popover_set_pointing_to (GTK_POPOVER (self->menu),
                                 &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  else
    gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), NULL);
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

static void
on_secondary_click_cb (GtkGestureClick *gesture,
                       int              n_press,
                       double           x,
                       double           y,
                       HaulTransferRow *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_menu (self, x, y);
}

/**
 * haul_transfer_row_popup_menu:
 * @self: a row
 *
 * Shows the row's context menu, for the keyboard (Menu, Shift+F10).
 */
void
haul_transfer_row_popup_menu (HaulTransferRow *self)
{
  g_return_if_fail (HAUL_IS_TRANSFER_ROW (self));
  popup_menu (self, -1, -1);
}

static GMenu *
build_context_menu (void)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) run = g_menu_new ();
  g_autoptr(GMenu) file = g_menu_new ();
  g_autoptr(GMenu) end = g_menu_new ();
  struct { GMenu *section; const char *label; const char *action; } items[] = {
    { run, N_("_Pause"), "row.pause" },
    { run, N_("_Resume"), "row.resume" },
    { run, N_("_Retry"), "row.retry" },
    { run, N_("_Start Now"), "row.start-now" },
    { run, N_("Change _Link…"), "row.change-link" },
    { file, N_("_Open"), "row.open" },
    { file, N_("Show in _Folder"), "row.show-in-folder" },
    { file, N_("_Copy Link"), "row.copy-link" },
    { end, N_("_Cancel"), "row.cancel" },
    { end, N_("Re_move…"), "row.remove" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(items[i].label), items[i].action);

      g_menu_item_set_attribute (item, "hidden-when", "s", "action-disabled");
      g_menu_append_item (items[i].section, item);
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (run));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (file));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (end));
  return menu;
}

/* (transfer none): one menu model for every row; its row.* actions resolve in the row
 * that shows it. */
static GMenuModel *
context_menu (void)
{
  static GMenu *menu;

  if (g_once_init_enter (&menu))
    g_once_init_leave (&menu, build_context_menu ());
  return G_MENU_MODEL (menu);
}

/* ---- object ------------------------------------------------------------------------- */

static void
haul_transfer_row_dispose (GObject *object)
{
  HaulTransferRow *self = HAUL_TRANSFER_ROW (object);
  GtkWidget *child;

  haul_transfer_row_set_transfer (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_TRANSFER_ROW);
  /* The menu and the boxes of the template, which have no ID. */
  self->menu = NULL;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (haul_transfer_row_parent_class)->dispose (object);
}

static void
haul_transfer_row_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  HaulTransferRow *self = HAUL_TRANSFER_ROW (object);

  switch (prop_id)
    {
    case PROP_TRANSFER:
      g_value_set_object (value, self->transfer);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_transfer_row_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  HaulTransferRow *self = HAUL_TRANSFER_ROW (object);

  switch (prop_id)
    {
    case PROP_TRANSFER:
      haul_transfer_row_set_transfer (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_transfer_row_class_init (HaulTransferRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const char * const actions[] = {
    "row.pause", "row.resume", "row.retry", "row.start-now", "row.change-link", "row.open",
    "row.show-in-folder", "row.copy-link", "row.cancel", "row.remove",
  };

  object_class->dispose = haul_transfer_row_dispose;
  object_class->get_property = haul_transfer_row_get_property;
  object_class->set_property = haul_transfer_row_set_property;

  properties[PROP_TRANSFER] =
    g_param_spec_object ("transfer", NULL, NULL, HAUL_TYPE_CLIENT_TRANSFER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/haul/Haul/haul-transfer-row.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulTransferRow, icon);
  gtk_widget_class_bind_template_child (widget_class, HaulTransferRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, HaulTransferRow, progress);
  gtk_widget_class_bind_template_child (widget_class, HaulTransferRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, HaulTransferRow, change_link_button);
  gtk_widget_class_bind_template_child (widget_class, HaulTransferRow, start_now_button);
  gtk_widget_class_bind_template_child (widget_class, HaulTransferRow, primary_button);
  gtk_widget_class_bind_template_child (widget_class, HaulTransferRow, open_button);
  gtk_widget_class_bind_template_child (widget_class, HaulTransferRow, folder_button);
  gtk_widget_class_bind_template_child (widget_class, HaulTransferRow, secondary_button);
  gtk_widget_class_bind_template_callback (widget_class, on_query_tooltip_cb);

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_class_install_action (widget_class, actions[i], NULL, row_action);
  gtk_widget_class_set_css_name (widget_class, "transferrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
haul_transfer_row_init (HaulTransferRow *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_secondary_click_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

GtkWidget *
haul_transfer_row_new (void)
{
  return g_object_new (HAUL_TYPE_TRANSFER_ROW, NULL);
}

HaulClientTransfer *
haul_transfer_row_get_transfer (HaulTransferRow *self)
{
  g_return_val_if_fail (HAUL_IS_TRANSFER_ROW (self), NULL);
  return self->transfer;
}

/**
 * haul_transfer_row_set_transfer:
 * @self: a row
 * @transfer: (nullable): the transfer to show, or %NULL when the list view takes the
 *   row back
 */
void
haul_transfer_row_set_transfer (HaulTransferRow    *self,
                                HaulClientTransfer *transfer)
{
  g_return_if_fail (HAUL_IS_TRANSFER_ROW (self));
  g_return_if_fail (transfer == NULL || HAUL_IS_CLIENT_TRANSFER (transfer));

  if (self->transfer == transfer)
    return;
  if (self->transfer != NULL)
    g_clear_signal_handler (&self->notify_id, self->transfer);
  g_clear_handle_id (&self->clock_source, g_source_remove);
  g_set_object (&self->transfer, transfer);
  if (transfer != NULL)
    {
      self->notify_id = g_signal_connect (transfer, "notify", G_CALLBACK (on_notify_cb), self);
      update_name (self);
      update_icon (self);
      update_actions (self);
      update_status (self);
      update_accessible (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSFER]);
}
