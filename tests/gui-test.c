/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "gui-test"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "haul-add-dialog.h"
#include "haul-client.h"
#include "haul-client-calls.h"
#include "haul-i18n.h"
#include "haul-transfer-row.h"
#include "haul-window-private.h"
#include "daemon-test-utils.h"

/* The window in-process, under a real X server (Xvfb, see tests/meson.build), over the
 * real service on the test bus and the fault-injection server: what the person sees and
 * what their clicks and keys do. GTK criticals are fatal here as everywhere. */

typedef struct
{
  Fixture     base;
  HaulClient *client;
  HaulWindow *window;
} GuiFixture;

static void
client_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  HaulClient **client = user_data;
  g_autoptr(GError) error = NULL;

  *client = haul_client_new_finish (result, &error);
  g_assert_no_error (error);
}

static void
gui_setup (GuiFixture    *f,
           gconstpointer  data)
{
  g_autofree char *records = g_build_filename (g_get_user_state_dir (), "haul", NULL);
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", records);

  /* Each test starts with no transfers on record. */
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  fixture_setup (&f->base, data);
  haul_client_new_async (f->base.connection, HAUL_CLIENT_FLAGS_ACTIVATE | HAUL_CLIENT_FLAGS_REACTIVATE,
                         NULL, client_cb, &f->client);
  WAIT_FOR ("the client", f->client != NULL);
  f->window = haul_window_new (NULL);
  haul_window_set_client (f->window, f->client);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
gui_teardown (GuiFixture    *f,
              gconstpointer  data)
{
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (toplevels);
  f->window = NULL;
  haul_test_iterate_for (50);
  g_clear_object (&f->client);
  fixture_teardown (&f->base, data);
}

/* ---- looking at the window ---------------------------------------------------------- */

static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *found)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        g_ptr_array_add (found, child);
      collect (child, type, found);
    }
}

static GtkWidget *
find_one (GtkWidget *widget,
          GType      type)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect (widget, type, found);
  return found->len > 0 ? g_ptr_array_index (found, 0) : NULL;
}

/* The row that shows transfer @id, if the list view made one. */
static HaulTransferRow *
row_of (GuiFixture *f,
        guint       id)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect (GTK_WIDGET (f->window->list_view), HAUL_TYPE_TRANSFER_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      HaulClientTransfer *t = haul_transfer_row_get_transfer (g_ptr_array_index (rows, i));

      if (t != NULL && haul_client_transfer_get_id (t) == id && gtk_widget_get_mapped (g_ptr_array_index (rows, i)))
        return g_ptr_array_index (rows, i);
    }
  return NULL;
}

/* The text of the row's labels: its name, then its status line. */
static const char *
row_label (HaulTransferRow *row,
           guint            index)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  collect (GTK_WIDGET (row), GTK_TYPE_LABEL, labels);
  g_assert_cmpuint (labels->len, >, index);
  return gtk_label_get_text (g_ptr_array_index (labels, index));
}

static double
row_fraction (HaulTransferRow *row)
{
  return gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (find_one (GTK_WIDGET (row), GTK_TYPE_PROGRESS_BAR)));
}

static HaulClientTransfer *
item (GuiFixture *f,
      guint       id)
{
  return haul_client_lookup (f->client, id);
}

static gboolean
item_in_state (GuiFixture        *f,
               guint              id,
               HaulTransferState  state)
{
  HaulClientTransfer *t = item (f, id);

  return t != NULL && haul_client_transfer_get_state (t) == state;
}

static guint
shown (GuiFixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (f->window->selection));
}

static const char *
shown_name (GuiFixture *f,
            guint       position)
{
  g_autoptr(HaulClientTransfer) t = g_list_model_get_item (G_LIST_MODEL (f->window->selection), position);

  return haul_client_transfer_get_file_name (t);
}

static GtkWindow *
find_toplevel (GType type)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

/* ---- adding over D-Bus -------------------------------------------------------------- */

static guint
add_path (GuiFixture *f,
          const char *path,
          GVariant   *options)
{
  g_autoptr(HaulTransfer1) transfer = add (&f->base, path, options);

  return haul_transfer1_get_id (transfer);
}

/* ---- tests -------------------------------------------------------------------------- */

static void
test_live_progress (GuiFixture    *f,
                    gconstpointer  data)
{
  guint id = add_path (f, "/live.bin?size=2097152&drip=400000", options_in_dir (&f->base, NULL, NULL));
  HaulTransferRow *row;
  double before;

  WAIT_FOR ("a row of the transfer", (row = row_of (f, id)) != NULL &&
            item_in_state (f, id, HAUL_TRANSFER_STATE_RUNNING) && row_fraction (row) > 0.0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->stack), ==, "list");
  /* Named from its link until the server names it: the same here. */
  g_assert_cmpstr (row_label (row, 0), ==, "live.bin");
  /* "12.3 MB of 700 MB — 5.2 MB/s — 2 minutes left" */
  WAIT_FOR ("the status line", strstr (row_label (row, 1), " of ") != NULL);
  before = row_fraction (row);
  WAIT_FOR ("the bar to move", row_fraction (row) > before + 0.05);
  /* The same row all along: a tick sets its figures, it is not made again. */
  g_assert_true (row_of (f, id) == row);

  WAIT_FOR ("the transfer to complete", item_in_state (f, id, HAUL_TRANSFER_STATE_COMPLETED));
  WAIT_FOR ("the row to say so", g_str_has_prefix (row_label (row_of (f, id), 1), "Completed"));
}

static void
test_row_actions (GuiFixture    *f,
                  gconstpointer  data)
{
  guint id = add_path (f, "/acts.bin?size=4194304&drip=200000", options_in_dir (&f->base, NULL, NULL));
  HaulTransferRow *row;
  AdwMessageDialog *dialog;

  WAIT_FOR ("the row", (row = row_of (f, id)) != NULL && item_in_state (f, id, HAUL_TRANSFER_STATE_RUNNING));

  gtk_widget_activate_action (GTK_WIDGET (row), "row.pause", NULL);
  WAIT_FOR ("paused", item_in_state (f, id, HAUL_TRANSFER_STATE_PAUSED));
  WAIT_FOR ("the row to say paused", g_str_equal (row_label (row_of (f, id), 1), "Paused"));

  gtk_widget_activate_action (GTK_WIDGET (row_of (f, id)), "row.resume", NULL);
  WAIT_FOR ("running again", item_in_state (f, id, HAUL_TRANSFER_STATE_RUNNING));

  gtk_widget_activate_action (GTK_WIDGET (row_of (f, id)), "row.cancel", NULL);
  WAIT_FOR ("cancelled", item_in_state (f, id, HAUL_TRANSFER_STATE_CANCELLED));
  /* Its data is gone: nothing to resume or retry, only to remove. */
  haul_test_iterate_for (100);
  gtk_widget_activate_action (GTK_WIDGET (row_of (f, id)), "row.retry", NULL);
  gtk_widget_activate_action (GTK_WIDGET (row_of (f, id)), "row.resume", NULL);
  haul_test_iterate_for (300);
  g_assert_true (item_in_state (f, id, HAUL_TRANSFER_STATE_CANCELLED));

  /* Remove asks first; Cancel keeps it. */
  gtk_widget_activate_action (GTK_WIDGET (row_of (f, id)), "row.remove", NULL);
  WAIT_FOR ("the question", (dialog = (AdwMessageDialog *) find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  adw_message_dialog_response (dialog, "cancel");
  haul_test_iterate_for (300);
  g_assert_nonnull (item (f, id));

  gtk_widget_activate_action (GTK_WIDGET (row_of (f, id)), "row.remove", NULL);
  WAIT_FOR ("the question", (dialog = (AdwMessageDialog *) find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  adw_message_dialog_response (dialog, "remove");
  WAIT_FOR ("the transfer to go", item (f, id) == NULL && shown (f) == 0);
  WAIT_FOR ("the empty page", g_str_equal (gtk_stack_get_visible_child_name (f->window->stack), "empty"));
}

static void
test_retry (GuiFixture    *f,
            gconstpointer  data)
{
  /* 404 once, then the file. */
  guint id = add_path (f, "/flaky.bin?status=404&times=1", options_in_dir (&f->base, NULL, NULL));
  HaulTransferRow *row;

  WAIT_FOR ("the failure", item_in_state (f, id, HAUL_TRANSFER_STATE_FAILED) &&
            (row = row_of (f, id)) != NULL && g_str_has_prefix (row_label (row, 1), "Failed: "));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "row.retry", NULL));
  WAIT_FOR ("the retry to complete", item_in_state (f, id, HAUL_TRANSFER_STATE_COMPLETED));
  WAIT_FOR ("its name", g_str_equal (row_label (row_of (f, id), 0), "flaky.bin"));
}

static void
test_selection_keys (GuiFixture    *f,
                     gconstpointer  data)
{
  guint a = add_path (f, "/key-a.bin?size=4194304&drip=100000", options_in_dir (&f->base, NULL, NULL));
  guint b = add_path (f, "/key-b.bin?size=4194304&drip=100000", options_in_dir (&f->base, NULL, NULL));

  WAIT_FOR ("both running", item_in_state (f, a, HAUL_TRANSFER_STATE_RUNNING) &&
            item_in_state (f, b, HAUL_TRANSFER_STATE_RUNNING) && shown (f) == 2);
  /* Both selected: Space pauses both, again resumes both. */
  gtk_selection_model_select_all (GTK_SELECTION_MODEL (f->window->selection));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.toggle-selected", NULL);
  WAIT_FOR ("both paused", item_in_state (f, a, HAUL_TRANSFER_STATE_PAUSED) &&
            item_in_state (f, b, HAUL_TRANSFER_STATE_PAUSED));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.toggle-selected", NULL);
  WAIT_FOR ("both running", item_in_state (f, a, HAUL_TRANSFER_STATE_RUNNING) &&
            item_in_state (f, b, HAUL_TRANSFER_STATE_RUNNING));
  /* The header's Pause All, once the header shows it can. */
  WAIT_FOR ("Pause All", gtk_widget_get_sensitive (GTK_WIDGET (f->window->pause_all_button)) &&
            g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (f->window->pause_all_button)),
                       "win.pause-all") == 0);
  gtk_widget_activate (GTK_WIDGET (f->window->pause_all_button));
  WAIT_FOR ("all paused", item_in_state (f, a, HAUL_TRANSFER_STATE_PAUSED) &&
            item_in_state (f, b, HAUL_TRANSFER_STATE_PAUSED));
}

static void
test_add_dialog (GuiFixture    *f,
                 gconstpointer  data)
{
  g_autofree char *uri = haul_test_server_uri (f->base.server, "/dialog.bin");
  g_autofree char *bad = g_strdup_printf ("%s\nftp://example.org/x", uri);
  GtkWindow *dialog;
  GtkTextView *view;
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GtkWidget *add_button = NULL;
  GtkLabel *problem = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.haul.Haul");

  g_settings_set_string (settings, "download-directory", f->base.dir);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.add", NULL);
  WAIT_FOR ("the add dialog", (dialog = find_toplevel (HAUL_TYPE_ADD_DIALOG)) != NULL);
  view = GTK_TEXT_VIEW (find_one (GTK_WIDGET (dialog), GTK_TYPE_TEXT_VIEW));
  collect (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_button_get_label (g_ptr_array_index (buttons, i)), "_Add") == 0)
      add_button = g_ptr_array_index (buttons, i);
  collect (GTK_WIDGET (dialog), GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len && problem == NULL; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (labels, i), "error"))
      problem = g_ptr_array_index (labels, i);
  g_assert_nonnull (add_button);
  g_assert_nonnull (problem);

  /* A bad link is explained inline, and nothing can be sent. */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), bad, -1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (problem)));
  g_assert_nonnull (strstr (gtk_label_get_text (problem), "Line 2"));
  g_assert_false (gtk_widget_get_sensitive (add_button));
  haul_test_iterate_for (200);
  g_assert_cmpuint (g_list_model_get_n_items (haul_client_get_transfers (f->client)), ==, 0);

  /* Mended, it is added to the folder shown, and the dialog goes. */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), uri, -1);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (problem)));
  g_assert_true (gtk_widget_get_sensitive (add_button));
  gtk_widget_activate (add_button);
  WAIT_FOR ("the transfer", g_list_model_get_n_items (haul_client_get_transfers (f->client)) == 1);
  WAIT_FOR ("the dialog to close", find_toplevel (HAUL_TYPE_ADD_DIALOG) == NULL);
  {
    g_autoptr(HaulClientTransfer) t = g_list_model_get_item (haul_client_get_transfers (f->client), 0);

    g_assert_cmpstr (haul_client_transfer_get_uri (t), ==, uri);
    g_assert_cmpstr (haul_client_transfer_get_directory (t), ==, f->base.dir);
    WAIT_FOR ("it to complete", haul_client_transfer_get_state (t) == HAUL_TRANSFER_STATE_COMPLETED);
  }
  g_settings_reset (settings, "download-directory");
}

static void
test_paste (GuiFixture    *f,
            gconstpointer  data)
{
  g_autofree char *uri = haul_test_server_uri (f->base.server, "/pasted.bin");
  g_autofree char *text = g_strdup_printf ("Here it is: <%s>, thanks.", uri);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.haul.Haul");

  g_settings_set_string (settings, "download-directory", f->base.dir);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (f->window)), text);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.paste", NULL);
  WAIT_FOR ("the pasted transfer", g_list_model_get_n_items (haul_client_get_transfers (f->client)) == 1);
  {
    g_autoptr(HaulClientTransfer) t = g_list_model_get_item (haul_client_get_transfers (f->client), 0);

    g_assert_cmpstr (haul_client_transfer_get_uri (t), ==, uri);
  }
  /* Text with no link adds nothing. */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (f->window)), "no link here");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.paste", NULL);
  haul_test_iterate_for (300);
  g_assert_cmpuint (g_list_model_get_n_items (haul_client_get_transfers (f->client)), ==, 1);
  g_settings_reset (settings, "download-directory");
}

static void
test_filters (GuiFixture    *f,
              gconstpointer  data)
{
  guint done = add_path (f, "/alpha-done.bin", options_in_dir (&f->base, NULL, NULL));
  guint failed = add_path (f, "/beta-missing.bin?status=404&times=100", options_in_dir (&f->base, NULL, NULL));
  guint paused = add_path (f, "/gamma-paused.bin", options_in_dir (&f->base, "paused", g_variant_new_boolean (TRUE)));

  WAIT_FOR ("the states", item_in_state (f, done, HAUL_TRANSFER_STATE_COMPLETED) &&
            item_in_state (f, failed, HAUL_TRANSFER_STATE_FAILED) &&
            item_in_state (f, paused, HAUL_TRANSFER_STATE_PAUSED) && shown (f) == 3);

  g_action_group_activate_action (G_ACTION_GROUP (f->window), "filter", g_variant_new_string ("completed"));
  WAIT_FOR ("completed only", shown (f) == 1);
  g_assert_cmpstr (shown_name (f, 0), ==, "alpha-done.bin");
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "filter", g_variant_new_string ("failed"));
  WAIT_FOR ("failed only", shown (f) == 1);
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "filter", g_variant_new_string ("active"));
  WAIT_FOR ("active only", shown (f) == 1);
  g_assert_cmpuint (haul_client_transfer_get_id (g_list_model_get_item (G_LIST_MODEL (f->window->selection), 0)), ==, paused);
  g_object_unref (g_list_model_get_item (G_LIST_MODEL (f->window->selection), 0));

  /* A state change moves a transfer between filters. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.act", "(su)", "resume", paused);
  WAIT_FOR ("resumed and done", item_in_state (f, paused, HAUL_TRANSFER_STATE_COMPLETED));
  WAIT_FOR ("nothing active", shown (f) == 0);
  WAIT_FOR ("the no-results page", g_str_equal (gtk_stack_get_visible_child_name (f->window->stack), "no-results"));

  /* Search by name, and by link, within All. */
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "filter", g_variant_new_string ("all"));
  gtk_editable_set_text (GTK_EDITABLE (f->window->search_entry), "BETA");
  WAIT_FOR ("the search", shown (f) == 1);
  g_assert_cmpstr (shown_name (f, 0), ==, "");   /* a failed 404 never had a name */
  gtk_editable_set_text (GTK_EDITABLE (f->window->search_entry), "done.bin");
  WAIT_FOR ("the search", shown (f) == 1 && g_str_equal (shown_name (f, 0), "alpha-done.bin"));
  gtk_editable_set_text (GTK_EDITABLE (f->window->search_entry), "");
  WAIT_FOR ("everything", shown (f) == 3);
}

static void
test_sort_while_running (GuiFixture    *f,
                         gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.haul.Haul");
  gint64 until;

  g_settings_set_uint (settings, "max-concurrent", 20);
  for (guint i = 0; i < 20; i++)
    {
      /* Names in an order of their own, not that of the IDs. */
      g_autofree char *path = g_strdup_printf ("/s%02u.bin?size=%u&drip=150000", (i * 7) % 20,
                                               524288 + i * 65536);

      add_path (f, path, options_in_dir (&f->base, NULL, NULL));
    }
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "sort", g_variant_new_string ("name"));
  WAIT_FOR ("20 rows", shown (f) == 20);

  /* While the 20 update their figures, the order stays that of the names. */
  until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    {
      g_autofree char *last = NULL;

      haul_test_iterate_for (100);
      g_assert_cmpuint (shown (f), ==, 20);
      for (guint i = 0; i < 20; i++)
        {
          const char *name = shown_name (f, i);

          if (*name == '\0')
            continue;   /* not named yet: sorted by its link */
          if (last != NULL)
            g_assert_cmpstr (last, <, name);
          g_free (last);
          last = g_strdup (name);
        }
    }
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "sort", g_variant_new_string ("size"));
  haul_test_iterate_for (100);
  for (guint i = 1; i < 20; i++)
    {
      g_autoptr(HaulClientTransfer) a = g_list_model_get_item (G_LIST_MODEL (f->window->selection), i - 1);
      g_autoptr(HaulClientTransfer) b = g_list_model_get_item (G_LIST_MODEL (f->window->selection), i);

      g_assert_cmpuint (haul_client_transfer_get_bytes_total (a), >=, haul_client_transfer_get_bytes_total (b));
    }
  g_settings_reset (settings, "max-concurrent");
}

static void
test_show_transfer (GuiFixture    *f,
                    gconstpointer  data)
{
  guint ids[12];
  guint target;

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *path = g_strdup_printf ("/show-%02u.bin", i);

      ids[i] = add_path (f, path, options_in_dir (&f->base, "paused", g_variant_new_boolean (TRUE)));
    }
  target = ids[0];   /* the oldest: at the bottom of the newest-first list */
  WAIT_FOR ("all rows", shown (f) == G_N_ELEMENTS (ids));
  /* Hidden by a filter first: showing it clears the filter. */
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "filter", g_variant_new_string ("completed"));
  WAIT_FOR ("nothing shown", shown (f) == 0);

  haul_window_show_transfer (f->window, target);
  WAIT_FOR ("all rows", shown (f) == G_N_ELEMENTS (ids));
  {
    g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (f->window->selection));
    g_autoptr(HaulClientTransfer) t = NULL;

    g_assert_cmpuint (gtk_bitset_get_size (selected), ==, 1);
    t = g_list_model_get_item (G_LIST_MODEL (f->window->selection), gtk_bitset_get_nth (selected, 0));
    g_assert_cmpuint (haul_client_transfer_get_id (t), ==, target);
  }
  WAIT_FOR ("its row in view", row_of (f, target) != NULL);

  /* One the client does not have yet is shown once it comes. */
  haul_window_show_transfer (f->window, ids[G_N_ELEMENTS (ids) - 1] + 1);
  target = add_path (f, "/late.bin", options_in_dir (&f->base, "paused", g_variant_new_boolean (TRUE)));
  WAIT_FOR ("the late one selected",
            gtk_selection_model_is_selected (GTK_SELECTION_MODEL (f->window->selection), 0));
  {
    g_autoptr(HaulClientTransfer) t = g_list_model_get_item (G_LIST_MODEL (f->window->selection), 0);

    g_assert_cmpuint (haul_client_transfer_get_id (t), ==, target);
  }
}

/* What app.change-link does in the window: the transfer selected, and the dialog of its
 * row's Change Link…, which gives it the new link. */
static void
test_change_link (GuiFixture    *f,
                  gconstpointer  data)
{
  guint target = add_path (f, "/relink.bin", options_in_dir (&f->base, "paused", g_variant_new_boolean (TRUE)));
  guint other = add_path (f, "/other.bin", options_in_dir (&f->base, "paused", g_variant_new_boolean (TRUE)));
  g_autofree char *fresh = haul_test_server_uri (f->base.server, "/relink.bin?fresh=1");
  AdwMessageDialog *dialog = NULL;
  GtkEntry *entry;

  WAIT_FOR ("both rows", shown (f) == 2);
  haul_window_change_link (f->window, target);
  WAIT_FOR ("the dialog", (dialog = (AdwMessageDialog *) find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "New Link for “relink.bin”");
  {
    g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (f->window->selection));
    g_autoptr(HaulClientTransfer) t = NULL;

    g_assert_cmpuint (gtk_bitset_get_size (selected), ==, 1);
    t = g_list_model_get_item (G_LIST_MODEL (f->window->selection), gtk_bitset_get_nth (selected, 0));
    g_assert_cmpuint (haul_client_transfer_get_id (t), ==, target);
  }

  entry = GTK_ENTRY (find_one (GTK_WIDGET (dialog), GTK_TYPE_ENTRY));
  gtk_editable_set_text (GTK_EDITABLE (entry), fresh);
  adw_message_dialog_response (dialog, "change");
  WAIT_FOR ("the new link", g_strcmp0 (haul_client_transfer_get_uri (item (f, target)), fresh) == 0);
  g_assert_cmpstr (haul_client_transfer_get_uri (item (f, other)), !=, fresh);
}

static void
test_service_killed (GuiFixture    *f,
                     gconstpointer  data)
{
  guint id = add_path (f, "/kill.bin?size=4194304&drip=300000", options_in_dir (&f->base, NULL, NULL));
  guint pid;

  WAIT_FOR ("running", item_in_state (f, id, HAUL_TRANSFER_STATE_RUNNING) && row_of (f, id) != NULL);
  pid = daemon_pid (&f->base);
  g_assert_cmpint (kill ((pid_t) pid, SIGKILL), ==, 0);
  /* The list stays, with a line that says the service is on its way back… */
  WAIT_FOR ("the reconnecting line", gtk_revealer_get_reveal_child (f->window->reconnecting_revealer));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->stack), ==, "list");
  /* …and then the same transfer continues, in the same window. */
  WAIT_FOR ("the service back", haul_client_get_connected (f->client) &&
            !gtk_revealer_get_reveal_child (f->window->reconnecting_revealer));
  WAIT_FOR ("it running again", item_in_state (f, id, HAUL_TRANSFER_STATE_RUNNING));
  g_assert_cmpuint (daemon_pid (&f->base), !=, pid);
  WAIT_FOR ("it to complete", item_in_state (f, id, HAUL_TRANSFER_STATE_COMPLETED));
}

static void
on_destroy_cb (GtkWidget *widget,
               gboolean  *gone)
{
  *gone = TRUE;
}

static void
test_close_explains (GuiFixture    *f,
                     gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.haul.Haul");
  guint id = add_path (f, "/bg.bin?size=4194304&drip=200000", options_in_dir (&f->base, NULL, NULL));
  AdwMessageDialog *dialog;
  gboolean gone = FALSE;

  g_settings_reset (settings, "background-explained");
  WAIT_FOR ("active", item_in_state (f, id, HAUL_TRANSFER_STATE_RUNNING) &&
            haul_client_get_active_count (f->client) > 0);
  g_signal_connect (f->window, "destroy", G_CALLBACK (on_destroy_cb), &gone);

  /* The first close while something downloads says the downloads go on… */
  gtk_window_close (GTK_WINDOW (f->window));
  WAIT_FOR ("the explanation", (dialog = (AdwMessageDialog *) find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  g_assert_false (gone);
  adw_message_dialog_response (dialog, "close");
  WAIT_FOR ("the window to close", gone);
  g_assert_true (g_settings_get_boolean (settings, "background-explained"));
  f->window = NULL;
  /* …and they do. */
  haul_test_iterate_for (500);
  g_assert_true (item_in_state (f, id, HAUL_TRANSFER_STATE_RUNNING));

  /* The next window closes at once. */
  gone = FALSE;
  f->window = haul_window_new (NULL);
  haul_window_set_client (f->window, f->client);
  gtk_window_present (GTK_WINDOW (f->window));
  g_signal_connect (f->window, "destroy", G_CALLBACK (on_destroy_cb), &gone);
  gtk_window_close (GTK_WINDOW (f->window));
  WAIT_FOR ("the window to close", gone);
  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  f->window = NULL;
  g_settings_reset (settings, "background-explained");
}

/* Whether a button says what it does to a screen reader: its own label, or an
 * accessible label on it or on the menu button it belongs to. An icon-only button
 * without one is announced as "GtkImage". */
static gboolean
button_named (GtkWidget *button)
{
  GtkWidget *menu_button = gtk_widget_get_ancestor (button, GTK_TYPE_MENU_BUTTON);

  if (gtk_button_get_label (GTK_BUTTON (button)) != NULL)
    return TRUE;
  if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL))
    return TRUE;
  return menu_button != NULL &&
         gtk_test_accessible_has_property (GTK_ACCESSIBLE (menu_button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

static void
assert_buttons_named (GtkWidget *root)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  collect (root, GTK_TYPE_BUTTON, buttons);
  g_assert_cmpuint (buttons->len, >, 0);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      /* GTK 4.8's own +/- of a spin button are its business (the spin button is the
       * control a screen reader reports). */
      if (!gtk_widget_get_visible (button) || gtk_widget_get_ancestor (button, GTK_TYPE_SPIN_BUTTON) != NULL)
        continue;
      if (!button_named (button))
        g_error ("A %s with the icon %s in %s has no accessible name", G_OBJECT_TYPE_NAME (button),
                 gtk_button_get_icon_name (GTK_BUTTON (button)),
                 G_OBJECT_TYPE_NAME (gtk_widget_get_parent (button)));
    }
}

/* Each visible button of the row, and its name, answers when a tooltip is asked for. */
static void
assert_row_tooltips (HaulTransferRow *row)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  guint asked = 0;

  collect (GTK_WIDGET (row), GTK_TYPE_BUTTON, widgets);
  g_ptr_array_add (widgets, find_one (GTK_WIDGET (row), GTK_TYPE_LABEL));
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);
      g_autoptr(GtkTooltip) tooltip = NULL;
      gboolean answered = FALSE;

      if (!gtk_widget_get_visible (widget))
        continue;
      g_assert_true (gtk_widget_get_has_tooltip (widget));
      tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
      g_signal_emit_by_name (widget, "query-tooltip", 1, 1, FALSE, tooltip, &answered);
      if (!answered)
        g_error ("A %s of the row has no tooltip", G_OBJECT_TYPE_NAME (widget));
      asked++;
    }
  g_assert_cmpuint (asked, >=, 2);
}

static void
test_accessible (GuiFixture    *f,
                 gconstpointer  data)
{
  guint running = add_path (f, "/speak.bin?size=4194304&drip=200000", options_in_dir (&f->base, NULL, NULL));
  guint done = add_path (f, "/done.bin", options_in_dir (&f->base, NULL, NULL));
  guint failed = add_path (f, "/expired.bin?status=403&times=100", options_in_dir (&f->base, NULL, NULL));
  HaulTransferRow *row;
  GtkWindow *dialog;

  WAIT_FOR ("the states", item_in_state (f, running, HAUL_TRANSFER_STATE_RUNNING) &&
            item_in_state (f, done, HAUL_TRANSFER_STATE_COMPLETED) &&
            item_in_state (f, failed, HAUL_TRANSFER_STATE_FAILED) &&
            row_of (f, running) != NULL && row_of (f, done) != NULL && row_of (f, failed) != NULL);
  haul_test_iterate_for (300);

  /* Every button of the window, of each row's state, and of the add dialog. */
  assert_buttons_named (GTK_WIDGET (f->window));
  assert_row_tooltips (row_of (f, running));
  assert_row_tooltips (row_of (f, done));
  assert_row_tooltips (row_of (f, failed));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.add", NULL);
  WAIT_FOR ("the add dialog", (dialog = find_toplevel (HAUL_TYPE_ADD_DIALOG)) != NULL);
  assert_buttons_named (GTK_WIDGET (dialog));
  gtk_window_destroy (dialog);

  /* Each row is announced with its file's name and its status line. */
  row = row_of (f, done);
  gtk_test_accessible_assert_property (gtk_widget_get_parent (GTK_WIDGET (row)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "done.bin");
  gtk_test_accessible_assert_property (gtk_widget_get_parent (GTK_WIDGET (row)),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, row_label (row, 1));
  g_assert_true (g_str_has_prefix (row_label (row, 1), "Completed"));
  row = row_of (f, failed);
  gtk_test_accessible_assert_property (gtk_widget_get_parent (GTK_WIDGET (row)),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, row_label (row, 1));
  g_assert_true (g_str_has_prefix (row_label (row, 1), "Failed: "));
}

/* Links given before the service answered are kept, and added once it has. */
static void
test_links_wait_for_service (GuiFixture    *f,
                             gconstpointer  data)
{
  g_autofree char *uri = haul_test_server_uri (f->base.server, "/early.bin");
  const char * const uris[] = { uri, NULL };

  haul_window_set_client (f->window, NULL);
  haul_window_add_uris (f->window, uris);
  haul_test_iterate_for (300);
  g_assert_cmpuint (g_list_model_get_n_items (haul_client_get_transfers (f->client)), ==, 0);
  haul_window_set_client (f->window, f->client);
  WAIT_FOR ("the early link", g_list_model_get_n_items (haul_client_get_transfers (f->client)) == 1);
  {
    g_autoptr(HaulClientTransfer) t = g_list_model_get_item (haul_client_get_transfers (f->client), 0);

    g_assert_cmpstr (haul_client_transfer_get_uri (t), ==, uri);
  }
}

/* Under LANGUAGE=zh_CN (the test "gui-zh_CN"): the window speaks Chinese. */
static void
test_translated (GuiFixture    *f,
                 gconstpointer  data)
{
  guint id = add_path (f, "/zh.bin", options_in_dir (&f->base, "paused", g_variant_new_boolean (TRUE)));
  guint gone = add_path (f, "/zh-gone.bin?status=404&times=100", options_in_dir (&f->base, NULL, NULL));
  HaulTransferRow *row;

  WAIT_FOR ("the row and the counts", (row = row_of (f, id)) != NULL &&
            gtk_button_get_label (GTK_BUTTON (f->window->filter_all)) != NULL);
  g_assert_true (g_str_has_prefix (gtk_button_get_label (GTK_BUTTON (f->window->filter_all)), "全部"));
  g_assert_cmpstr (row_label (row, 1), ==, "已暂停");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (f->window->add_button)), ==, "添加下载");

  /* The service's own words come translated too. */
  WAIT_FOR ("the failure", item_in_state (f, gone, HAUL_TRANSFER_STATE_FAILED) &&
            (row = row_of (f, gone)) != NULL);
  g_assert_cmpstr (row_label (row, 1), ==, "失败：服务器返回 404 Not Found");
}

int
main (int    argc,
      char **argv)
{
  /* The system's MIME database and icons stay visible: see haul_test_init_desktop(). */
  haul_test_init_desktop (&argc, &argv);
  gtk_init ();
  adw_init ();
  /* The translations of the build directory. */
  haul_i18n_init ();
  if (g_strcmp0 (g_getenv ("LANGUAGE"), "zh_CN") == 0)
    {
      g_test_add ("/gui/translated", GuiFixture, NULL, gui_setup, test_translated, gui_teardown);
      return g_test_run ();
    }

#define ADD(path, func) \
  g_test_add (path, GuiFixture, NULL, gui_setup, func, gui_teardown)
  ADD ("/gui/live-progress", test_live_progress);
  ADD ("/gui/row-actions", test_row_actions);
  ADD ("/gui/retry", test_retry);
  ADD ("/gui/selection-keys", test_selection_keys);
  ADD ("/gui/add-dialog", test_add_dialog);
  ADD ("/gui/paste", test_paste);
  ADD ("/gui/links-wait-for-service", test_links_wait_for_service);
  ADD ("/gui/filters", test_filters);
  ADD ("/gui/sort-while-running", test_sort_while_running);
  ADD ("/gui/show-transfer", test_show_transfer);
  ADD ("/gui/service-killed", test_service_killed);
  ADD ("/gui/close-explains", test_close_explains);
  ADD ("/gui/accessible", test_accessible);
  ADD ("/gui/change-link", test_change_link);
#undef ADD

  return g_test_run ();
}
