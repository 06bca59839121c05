/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "haul-window.h"

G_BEGIN_DECLS

/* What the window's two files share: haul-window.c builds the list and follows the
 * client, haul-window-actions.c does what the person asks of transfers. */
struct _HaulWindow
{
  AdwApplicationWindow  parent_instance;

  GtkButton            *add_button;
  GtkButton            *pause_all_button;
  GtkToggleButton      *filter_all;
  GtkToggleButton      *filter_active;
  GtkToggleButton      *filter_completed;
  GtkToggleButton      *filter_failed;
  GtkToggleButton      *search_button;
  GtkLabel             *rate_label;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkRevealer          *reconnecting_revealer;
  GtkSpinner           *reconnecting_spinner;
  GtkSpinner           *connecting_spinner;
  AdwToastOverlay      *toasts;
  GtkStack             *stack;
  GtkListView          *list_view;
  AdwStatusPage        *unavailable_page;

  GSettings            *settings;
  HaulClient           *client;
  GCancellable         *cancellable;    /* of the calls for the current client */
  GtkFilterListModel   *filtered;
  GtkCustomFilter      *filter;
  GtkSortListModel     *sorted;
  GtkCustomSorter      *sorter;
  GtkMultiSelection    *selection;
  char                 *filter_name;    /* all, active, completed, failed */
  char                 *search;         /* casefolded, or NULL */
  char                 *sort_name;      /* newest, oldest, name, size */
  gboolean              service_failed;
  guint                 refilter_source;
  guint                 resort_source;
  guint                 counts_source;
  guint                 pending_show;   /* a transfer to show once the client has it */
  gboolean              pending_change_link;  /* and then to ask a new link for */
  GPtrArray            *pending_uris;   /* links given before there was a client */
};

/* haul-window-actions.c */
void haul_window_install_actions (GtkWidgetClass *widget_class);
void haul_window_setup_input     (HaulWindow     *self);
void haul_window_act             (HaulWindow     *self,
                                  const char     *what,
                                  GArray         *ids);
GArray *haul_window_selected_ids (HaulWindow     *self);

G_END_DECLS
