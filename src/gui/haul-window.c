/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-gui"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haul-check.h"
#include "haul-client-calls.h"
#include "haul-format.h"
#include "haul-resources.h"
#include "haul-transfer-row.h"
#include "haul-window-private.h"

/* The main window: the client's transfers through a filter (All, Active, Completed,
 * Failed, and the search) and a sorter, in a GtkListView of HaulTransferRow. The models
 * are GTK's own; what they cannot see by themselves — an item's property that the filter
 * or the sorter uses has changed — the client's "transfer-changed" signal tells, and only
 * then are they asked to look again (in an idle, once for a burst of changes). A progress
 * tick touches the rows' bars and status lines and nothing else. */

G_DEFINE_FINAL_TYPE (HaulWindow, haul_window, ADW_TYPE_APPLICATION_WINDOW)

/**
 * haul_gui_register_resources:
 *
 * Registers the window's GResource (templates, style, shortcuts), once: before the first
 * template is read, and before the application looks for its style sheet.
 */
void
haul_gui_register_resources (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      haul_register_resource ();
      g_once_init_leave (&done, 1);
    }
}

/* ---- filter and sort ---------------------------------------------------------------- */

static gboolean
in_category (HaulClientTransfer *t,
             const char         *category)
{
  HaulTransferState state = haul_client_transfer_get_state (t);

  if (g_str_equal (category, "active"))
    return state == HAUL_TRANSFER_STATE_QUEUED || state == HAUL_TRANSFER_STATE_WAITING ||
           state == HAUL_TRANSFER_STATE_RUNNING || state == HAUL_TRANSFER_STATE_PAUSED;
  if (g_str_equal (category, "completed"))
    return state == HAUL_TRANSFER_STATE_COMPLETED;
  if (g_str_equal (category, "failed"))
    return state == HAUL_TRANSFER_STATE_FAILED || state == HAUL_TRANSFER_STATE_CANCELLED;
  return TRUE;
}

static gboolean
contains_folded (const char *text,
                 const char *needle)
{
  g_autofree char *folded = g_utf8_casefold (text, -1);

  return strstr (folded, needle) != NULL;
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  HaulWindow *self = user_data;
  HaulClientTransfer *t = item;

  if (!in_category (t, self->filter_name))
    return FALSE;
  if (self->search == NULL)
    return TRUE;
  return contains_folded (haul_client_transfer_get_file_name (t), self->search) ||
         contains_folded (haul_client_transfer_get_uri (t), self->search);
}

static char *
sort_name_of (HaulClientTransfer *t)
{
  return haul_format_display_name (haul_client_transfer_get_file_name (t),
                                   haul_client_transfer_get_uri (t));
}

static int
sort_func (gconstpointer a,
           gconstpointer b,
           gpointer      user_data)
{
  HaulWindow *self = user_data;
  HaulClientTransfer *ta = (HaulClientTransfer *) a;
  HaulClientTransfer *tb = (HaulClientTransfer *) b;
  guint ia = haul_client_transfer_get_id (ta);
  guint ib = haul_client_transfer_get_id (tb);
  int by_id = ia < ib ? -1 : ia > ib;
  int order = 0;

  if (g_str_equal (self->sort_name, "name"))
    {
      g_autofree char *na = sort_name_of (ta);
      g_autofree char *nb = sort_name_of (tb);
      g_autofree char *ka = g_utf8_collate_key_for_filename (na, -1);
      g_autofree char *kb = g_utf8_collate_key_for_filename (nb, -1);

      order = strcmp (ka, kb);
    }
  else if (g_str_equal (self->sort_name, "size"))
    {
      guint64 sa = haul_client_transfer_get_bytes_total (ta);
      guint64 sb = haul_client_transfer_get_bytes_total (tb);

      order = sa > sb ? -1 : sa < sb;   /* largest first */
    }
  else if (g_str_equal (self->sort_name, "oldest"))
    return by_id;
  else
    return -by_id;
  /* Equal keys keep a stable order: the newest first. */
  return order != 0 ? order : -by_id;
}

static gboolean
refilter_cb (gpointer user_data)
{
  HaulWindow *self = user_data;

  self->refilter_source = 0;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  return G_SOURCE_REMOVE;
}

static void
schedule_refilter (HaulWindow *self)
{
  if (self->refilter_source == 0)
    self->refilter_source = g_idle_add (refilter_cb, self);
}

static gboolean
resort_cb (gpointer user_data)
{
  HaulWindow *self = user_data;

  self->resort_source = 0;
  gtk_sorter_changed (GTK_SORTER (self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
  return G_SOURCE_REMOVE;
}

static void
schedule_resort (HaulWindow *self)
{
  if (self->resort_source == 0)
    self->resort_source = g_idle_add (resort_cb, self);
}

/* ---- what the window shows ---------------------------------------------------------- */

static void
update_page (HaulWindow *self)
{
  GListModel *all = self->client != NULL ? haul_client_get_transfers (self->client) : NULL;
  gboolean connected = self->client != NULL && haul_client_get_connected (self->client);
  guint n_all = all != NULL ? g_list_model_get_n_items (all) : 0;
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  const char *page;

  if (self->client == NULL)
    page = self->service_failed ? "unavailable" : "connecting";
  else if (n_all == 0)
    page = connected ? "empty" : self->service_failed ? "unavailable" : "connecting";
  else if (n_shown == 0)
    page = "no-results";
  else
    page = "list";
  gtk_stack_set_visible_child_name (self->stack, page);
  gtk_spinner_set_spinning (self->connecting_spinner, g_str_equal (page, "connecting"));

  /* The list stays while the service comes back; a line says it is on its way. */
  gtk_revealer_set_reveal_child (self->reconnecting_revealer,
                                 self->client != NULL && !connected && n_all > 0);
  gtk_spinner_set_spinning (self->reconnecting_spinner,
                            gtk_revealer_get_reveal_child (self->reconnecting_revealer));
}

static void
set_filter_label (GtkToggleButton *button,
                  const char      *label,
                  guint            count)
{
  g_autofree char *text = g_strdup_printf ("%s  %u", label, count);
  g_autofree char *description = g_strdup_printf (ngettext ("%s, %u download", "%s, %u downloads",
                                                            count), label, count);

  gtk_button_set_label (GTK_BUTTON (button), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  description, -1);
}

static gboolean
counts_cb (gpointer user_data)
{
  HaulWindow *self = user_data;
  GListModel *all = self->client != NULL ? haul_client_get_transfers (self->client) : NULL;
  guint n = all != NULL ? g_list_model_get_n_items (all) : 0;
  guint active = 0, completed = 0, failed = 0, paused = 0;

  self->counts_source = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HaulClientTransfer) t = g_list_model_get_item (all, i);

      if (in_category (t, "active"))
        active++;
      if (haul_client_transfer_get_state (t) == HAUL_TRANSFER_STATE_PAUSED)
        paused++;
      else if (in_category (t, "completed"))
        completed++;
      else if (in_category (t, "failed"))
        failed++;
    }
  /* Translators: the filters of the list, followed by their counts */
  set_filter_label (self->filter_all, C_("filter", "All"), n);
  set_filter_label (self->filter_active, C_("filter", "Active"), active);
  set_filter_label (self->filter_completed, C_("filter", "Completed"), completed);
  set_filter_label (self->filter_failed, C_("filter", "Failed"), failed);

  /* One button for all: pause while anything is active and not paused, else resume. */
  if (active > paused || paused == 0)
    {
      gtk_button_set_icon_name (self->pause_all_button, "media-playback-pause-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_all_button), _("Pause All"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->pause_all_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pause All"), -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->pause_all_button), "win.pause-all");
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.pause-all", active > paused);
    }
  else
    {
      gtk_button_set_icon_name (self->pause_all_button, "media-playback-start-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_all_button), _("Resume All"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->pause_all_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Resume All"), -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->pause_all_button), "win.resume-all");
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.resume-all", paused > 0);
  update_page (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_counts (HaulWindow *self)
{
  if (self->counts_source == 0)
    self->counts_source = g_idle_add (counts_cb, self);
}

static void
update_rate (HaulWindow *self)
{
  guint64 rate = self->client != NULL ? haul_client_get_download_rate (self->client) : 0;
  g_autofree char *text = rate > 0 ? haul_format_rate (rate) : g_strdup ("");

  gtk_label_set_text (self->rate_label, text);
}

/* ---- following the client ----------------------------------------------------------- */

static void
on_transfer_changed_cb (HaulClient         *client,
                        HaulClientTransfer *transfer,
                        GParamSpec         *pspec,
                        HaulWindow         *self)
{
  const char *name = pspec->name;

  if (g_str_equal (name, "state"))
    {
      schedule_counts (self);
      if (!g_str_equal (self->filter_name, "all"))
        schedule_refilter (self);
    }
  else if ((g_str_equal (name, "file-name") || g_str_equal (name, "uri")) && self->search != NULL)
    schedule_refilter (self);
  if ((g_str_equal (name, "file-name") && g_str_equal (self->sort_name, "name")) ||
      (g_str_equal (name, "bytes-total") && g_str_equal (self->sort_name, "size")))
    schedule_resort (self);
}

static void
on_transfers_changed_cb (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         HaulWindow *self)
{
  schedule_counts (self);
  if (self->pending_show != 0 && haul_client_lookup (self->client, self->pending_show) != NULL)
    {
      if (self->pending_change_link)
        haul_window_change_link (self, self->pending_show);
      else
        haul_window_show_transfer (self, self->pending_show);
    }
}

static void
on_shown_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     HaulWindow *self)
{
  update_page (self);
}

/**
 * haul_window_set_client:
 * @self: the window
 * @client: (nullable): the client, or %NULL while there is none (the service is being
 *   started, or could not be)
 */
void
haul_window_set_client (HaulWindow *self,
                        HaulClient *client)
{
  g_return_if_fail (HAUL_IS_WINDOW (self));

  if (self->client == client)
    return;
  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      g_signal_handlers_disconnect_by_data (haul_client_get_transfers (self->client), self);
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }
  g_set_object (&self->client, client);
  gtk_filter_list_model_set_model (self->filtered,
                                   client != NULL ? haul_client_get_transfers (client) : NULL);
  if (client != NULL)
    {
      self->service_failed = FALSE;
      self->cancellable = g_cancellable_new ();
      g_signal_connect (client, "transfer-changed", G_CALLBACK (on_transfer_changed_cb), self);
      g_signal_connect_swapped (client, "notify::download-rate", G_CALLBACK (update_rate), self);
      g_signal_connect_swapped (client, "notify::connected", G_CALLBACK (update_page), self);
      g_signal_connect (haul_client_get_transfers (client), "items-changed",
                        G_CALLBACK (on_transfers_changed_cb), self);
    }
  update_rate (self);
  schedule_counts (self);
  update_page (self);
  if (client != NULL && self->pending_uris->len > 0)
    {
      g_autoptr(GPtrArray) uris = g_steal_pointer (&self->pending_uris);

      self->pending_uris = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (uris, NULL);
      haul_window_add_uris (self, (const char * const *) uris->pdata);
    }
}

/**
 * haul_window_set_service_error:
 * @self: the window
 * @error: (nullable): why the service could not be started, or %NULL once it runs
 */
void
haul_window_set_service_error (HaulWindow   *self,
                               const GError *error)
{
  g_return_if_fail (HAUL_IS_WINDOW (self));

  self->service_failed = error != NULL;
  if (error != NULL)
    {
      g_autofree char *text =
        g_strdup_printf (_("%s\n\nHaul keeps trying in the background. If this goes on, check "
                           "that Haul is installed completely, or run “haulctl list” in a "
                           "terminal to see what the service says."), error->message);

      adw_status_page_set_description (self->unavailable_page, text);
    }
  update_page (self);
}

/* ---- list ---------------------------------------------------------------------------- */

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  gtk_list_item_set_child (item, haul_transfer_row_new ());
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  user_data)
{
  haul_transfer_row_set_transfer (HAUL_TRANSFER_ROW (gtk_list_item_get_child (item)),
                                  gtk_list_item_get_item (item));
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  haul_transfer_row_set_transfer (HAUL_TRANSFER_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
on_activate_cb (GtkListView *list_view,
                guint        position,
                HaulWindow  *self)
{
  g_autoptr(HaulClientTransfer) t = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));
  guint id = haul_client_transfer_get_id (t);

  /* Enter on a row: open what is done, pause or resume what is not. */
  g_array_append_val (ids, id);
  if (haul_client_transfer_get_state (t) == HAUL_TRANSFER_STATE_COMPLETED)
    haul_window_act (self, "open", ids);
  else
    haul_window_act (self, "toggle", ids);
}

static void
show_transfer (HaulWindow *self,
               guint       id,
               gboolean    change_link)
{
  HaulClientTransfer *transfer;
  g_autoptr(GArray) ids = NULL;
  guint n;

  transfer = self->client != NULL ? haul_client_lookup (self->client, id) : NULL;
  if (transfer == NULL)
    {
      self->pending_show = id;
      self->pending_change_link = change_link;
      return;
    }
  self->pending_show = 0;
  self->pending_change_link = FALSE;
  if (!filter_func (transfer, self))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      g_clear_pointer (&self->search, g_free);
      g_free (self->filter_name);
      self->filter_name = g_strdup ("all");
      gtk_toggle_button_set_active (self->filter_all, TRUE);
      gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_LESS_STRICT);
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HaulClientTransfer) item = g_list_model_get_item (G_LIST_MODEL (self->selection), i);

      if (item != transfer)
        continue;
      gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, TRUE);
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", i);
      gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
      break;
    }
  if (!change_link)
    return;
  /* The same dialog as the row's "Change Link…", over the row it is for. */
  ids = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (ids, id);
  haul_window_act (self, "change-link", ids);
}

/**
 * haul_window_show_transfer:
 * @self: the window
 * @id: a transfer's ID
 *
 * Selects the transfer and scrolls it into view, once the client has it; a filter or a
 * search that hides it is cleared.
 */
void
haul_window_show_transfer (HaulWindow *self,
                           guint       id)
{
  g_return_if_fail (HAUL_IS_WINDOW (self));

  show_transfer (self, id, FALSE);
}

/**
 * haul_window_change_link:
 * @self: the window
 * @id: a transfer's ID
 *
 * Shows the transfer as haul_window_show_transfer() does, then asks for a new link for
 * it in the dialog of its row's "Change Link…", once the client has it.
 */
void
haul_window_change_link (HaulWindow *self,
                         guint       id)
{
  g_return_if_fail (HAUL_IS_WINDOW (self));

  show_transfer (self, id, TRUE);
}

/* ---- search, filters, sort ---------------------------------------------------------- */

static void
on_search_changed_cb (GtkSearchEntry *entry,
                      HaulWindow     *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  g_clear_pointer (&self->search, g_free);
  if (*stripped != '\0')
    self->search = g_utf8_casefold (stripped, -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
filter_changed_state (GSimpleAction *action,
                      GVariant      *value,
                      gpointer       user_data)
{
  HaulWindow *self = user_data;

  g_simple_action_set_state (action, value);
  g_free (self->filter_name);
  self->filter_name = g_variant_dup_string (value, NULL);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
sort_changed_state (GSimpleAction *action,
                    GVariant      *value,
                    gpointer       user_data)
{
  HaulWindow *self = user_data;

  g_simple_action_set_state (action, value);
  g_free (self->sort_name);
  self->sort_name = g_variant_dup_string (value, NULL);
  gtk_sorter_changed (GTK_SORTER (self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

static const GActionEntry state_entries[] = {
  { "filter", NULL, "s", "'all'", filter_changed_state, { 0 } },
  { "sort", NULL, "s", "'newest'", sort_changed_state, { 0 } },
};

/* ---- size, closing ------------------------------------------------------------------ */

static gboolean
close_later_cb (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
on_background_response_cb (AdwMessageDialog *dialog,
                           const char       *response,
                           HaulWindow       *self)
{
  g_settings_set_boolean (self->settings, "background-explained", TRUE);
  /* After the dialog is done with its response: it goes with the window. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_later_cb, g_object_ref (self), g_object_unref);
}

static gboolean
haul_window_close_request (GtkWindow *window)
{
  HaulWindow *self = HAUL_WINDOW (window);
  int width, height;

  /* The first time the window closes while something downloads, it says that the
   * downloads go on without it. */
  if (self->client != NULL && haul_client_get_active_count (self->client) > 0 &&
      !g_settings_get_boolean (self->settings, "background-explained"))
    {
      GtkWidget *dialog = adw_message_dialog_new (window, _("Downloads Continue"),
        _("Haul keeps downloading while its window is closed, and after you log out and back "
          "in. Open Haul again to see how they are doing."));

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close Window"));
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
      g_signal_connect (dialog, "response", G_CALLBACK (on_background_response_cb), self);
      gtk_window_present (GTK_WINDOW (dialog));
      return TRUE;
    }

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (haul_window_parent_class)->close_request (window);
}

/* ---- object ------------------------------------------------------------------------- */

static void
haul_window_dispose (GObject *object)
{
  HaulWindow *self = HAUL_WINDOW (object);

  haul_window_set_client (self, NULL);
  g_clear_handle_id (&self->refilter_source, g_source_remove);
  g_clear_handle_id (&self->resort_source, g_source_remove);
  g_clear_handle_id (&self->counts_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_WINDOW);

  G_OBJECT_CLASS (haul_window_parent_class)->dispose (object);
}

static void
haul_window_finalize (GObject *object)
{
  HaulWindow *self = HAUL_WINDOW (object);

  g_clear_object (&self->selection);
  g_clear_object (&self->settings);
  g_ptr_array_unref (self->pending_uris);
  g_free (self->filter_name);
  g_free (self->search);
  g_free (self->sort_name);

  G_OBJECT_CLASS (haul_window_parent_class)->finalize (object);
}

static void
haul_window_class_init (HaulWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = haul_window_dispose;
  object_class->finalize = haul_window_finalize;
  window_class->close_request = haul_window_close_request;

  haul_gui_register_resources ();
  g_type_ensure (HAUL_TYPE_TRANSFER_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/haul/Haul/haul-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, add_button);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, pause_all_button);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, filter_all);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, filter_active);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, filter_completed);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, filter_failed);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, rate_label);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, reconnecting_revealer);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, reconnecting_spinner);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, connecting_spinner);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, HaulWindow, unavailable_page);

  haul_window_install_actions (widget_class);
}

static void
haul_window_init (HaulWindow *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new ("io.github.haul.Haul");
  self->filter_name = g_strdup ("all");
  self->sort_name = g_strdup ("newest");
  self->pending_uris = g_ptr_array_new_with_free_func (g_free);
  g_action_map_add_action_entries (G_ACTION_MAP (self), state_entries,
                                   G_N_ELEMENTS (state_entries), self);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  /* client model → filter → sort → selection → list view */
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  self->sorter = gtk_custom_sorter_new (sort_func, self, NULL);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered), GTK_SORTER (self->sorter));
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (self->sorted));
  g_signal_connect (self->selection, "items-changed", G_CALLBACK (on_shown_changed_cb), self);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  gtk_list_view_set_single_click_activate (self->list_view, FALSE);
  g_signal_connect (self->list_view, "activate", G_CALLBACK (on_activate_cb), self);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (on_search_changed_cb), self);

  haul_window_setup_input (self);
  counts_cb (self);   /* the filters' labels from the first frame on */
}

HaulWindow *
haul_window_new (GtkApplication *application)
{
  return g_object_new (HAUL_TYPE_WINDOW, "application", application, NULL);
}

/**
 * haul_window_toast:
 * @self: the window
 * @text: what to say
 *
 * Says @text in a toast: how errors of calls reach the person, never lost.
 */
void
haul_window_toast (HaulWindow *self,
                   const char *text)
{
  AdwToast *toast;

  g_return_if_fail (HAUL_IS_WINDOW (self));
  toast = adw_toast_new (text);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toasts, toast);
}
