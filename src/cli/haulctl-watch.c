/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haulctl-watch"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-format.h"

#include "haulctl-private.h"

/* haulctl watch, and add --wait: follows transfers through the client library, which
 * keeps them current (the Progress signal, and the rules of re-reading), until the ones
 * asked for are finished. */
typedef struct
{
  GMainLoop  *loop;
  HaulClient *client;
  GArray     *ids;        /* the transfers to wait for; empty: all, forever */
  GHashTable *states;     /* id → the state last printed */
  guint       reading;    /* final figures on their way */
  gboolean    lines;      /* print a line per change on stdout (watch) */
  gboolean    bar;        /* show a progress line on stderr (add --wait on a tty) */
  gboolean    any_failed;
  gboolean    daemon_gone;
  gboolean    done;
} Watch;

static gboolean
is_final (HaulTransferState state)
{
  return state == HAUL_TRANSFER_STATE_COMPLETED || state == HAUL_TRANSFER_STATE_FAILED ||
         state == HAUL_TRANSFER_STATE_CANCELLED;
}

static gboolean
watched (Watch *w,
         guint  id)
{
  if (w->ids->len == 0)
    return TRUE;
  for (guint i = 0; i < w->ids->len; i++)
    if (g_array_index (w->ids, guint, i) == id)
      return TRUE;
  return FALSE;
}

static char *
figures_text (guint64 received,
              guint64 total,
              guint64 rate)
{
  g_autofree char *got = haul_format_size (received);
  g_autofree char *all = total > 0 ? haul_format_size (total) : NULL;
  g_autofree char *speed = haul_format_rate (rate);

  if (all != NULL)
    /* Translators: "12.5 MB of 100 MB (12%), 1.2 MB/s" */
    return g_strdup_printf (_("%s of %s (%u%%), %s"), got, all,
                            (guint) (received * 100 / total), speed);
  return g_strdup_printf (_("%s, %s"), got, speed);
}

static void check_transfers (Watch *w);

/* The line of a state, after its figures when it is the last. */
static void
print_state (Watch              *w,
             HaulClientTransfer *t,
             gboolean            with_figures)
{
  HaulTransferState state = haul_client_transfer_get_state (t);
  const char *name = haul_transfer_state_to_string (state);
  guint id = haul_client_transfer_get_id (t);

  if (w->lines && with_figures)
    {
      g_autofree char *text = figures_text (haul_client_transfer_get_bytes_received (t),
                                            haul_client_transfer_get_bytes_total (t), 0);
      g_print ("%u %s\n", id, text);
    }
  if (w->lines)
    {
      const char *why = state == HAUL_TRANSFER_STATE_FAILED ? haul_client_transfer_get_error (t)
                                                            : haul_client_transfer_get_state_reason (t);

      g_print ("%u %s%s%s\n", id, name, *why != '\0' ? ": " : "", why);
    }
  if (w->bar && is_final (state))
    g_printerr ("\r\033[K");
  if (state == HAUL_TRANSFER_STATE_FAILED || state == HAUL_TRANSFER_STATE_CANCELLED)
    {
      w->any_failed = TRUE;
      if (!w->lines)
        g_printerr (_("haulctl: transfer %u %s: %s\n"), id, name,
                    state == HAUL_TRANSFER_STATE_FAILED ? haul_client_transfer_get_error (t) : name);
    }
}

typedef struct
{
  Watch              *w;
  HaulClientTransfer *t;
} FinalRead;

static void
final_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  FinalRead *read = user_data;

  haul_client_read_transfer_finish (HAUL_CLIENT (object), result, NULL);
  read->w->reading--;
  print_state (read->w, read->t, TRUE);
  check_transfers (read->w);
  g_object_unref (read->t);
  g_free (read);
}

/* Prints each state change once. The last figures of a finished transfer may still be on
 * their way in the next Progress signal, which its end would beat: they are read first. */
static void
print_changes (Watch *w)
{
  GListModel *transfers = haul_client_get_transfers (w->client);

  for (guint i = 0; i < g_list_model_get_n_items (transfers); i++)
    {
      g_autoptr(HaulClientTransfer) t = g_list_model_get_item (transfers, i);
      HaulTransferState state = haul_client_transfer_get_state (t);
      guint id = haul_client_transfer_get_id (t);
      gpointer printed;

      if (!watched (w, id))
        continue;
      if (g_hash_table_lookup_extended (w->states, GUINT_TO_POINTER (id), NULL, &printed) &&
          GPOINTER_TO_UINT (printed) == state)
        continue;
      g_hash_table_insert (w->states, GUINT_TO_POINTER (id), GUINT_TO_POINTER (state));

      if (w->lines && is_final (state))
        {
          FinalRead *read = g_new0 (FinalRead, 1);

          read->w = w;
          read->t = g_object_ref (t);
          w->reading++;
          haul_client_read_transfer_async (w->client, t, NULL, final_read_cb, read);
          continue;
        }
      print_state (w, t, FALSE);
    }
}

/* Prints what changed, and ends the wait when every transfer asked for is done. */
static void
check_transfers (Watch *w)
{
  print_changes (w);

  if (w->ids->len > 0)
    {
      gboolean all_done = w->reading == 0;

      for (guint i = 0; i < w->ids->len; i++)
        {
          HaulClientTransfer *t = haul_client_lookup (w->client, g_array_index (w->ids, guint, i));

          /* A transfer removed meanwhile counts as done, and not as a success. */
          if (t == NULL)
            w->any_failed = TRUE;
          else if (!is_final (haul_client_transfer_get_state (t)))
            all_done = FALSE;
        }
      w->done = all_done;
      if (all_done && g_main_loop_is_running (w->loop))
        g_main_loop_quit (w->loop);
    }
}

static void
on_progress_cb (HaulClient         *client,
                HaulClientTransfer *t,
                Watch              *w)
{
  guint id = haul_client_transfer_get_id (t);
  g_autofree char *text = NULL;
  gpointer printed;

  if (!watched (w, id))
    return;
  /* The last figures of a finished transfer were printed with its state. */
  if (g_hash_table_lookup_extended (w->states, GUINT_TO_POINTER (id), NULL, &printed) &&
      is_final (GPOINTER_TO_UINT (printed)))
    return;
  text = figures_text (haul_client_transfer_get_bytes_received (t),
                       haul_client_transfer_get_bytes_total (t),
                       haul_client_transfer_get_rate (t));
  if (w->lines)
    g_print ("%u %s\n", id, text);
  if (w->bar)
    g_printerr ("\r\033[K%u: %s", id, text);
}

static void
on_state_cb (Watch *w)
{
  check_transfers (w);
}

static void
on_items_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     Watch      *w)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(HaulClientTransfer) t = g_list_model_get_item (model, i);

      g_signal_connect_swapped (t, "notify::state", G_CALLBACK (on_state_cb), w);
    }
  check_transfers (w);
}

/* The client reads everything again when the service comes back; a client that waits for
 * transfers makes it come back (the service continues them), and gives up only when it
 * cannot. */
static void
on_connected_cb (HaulClient *client,
                 GParamSpec *pspec,
                 Watch      *w)
{
  const GError *error = haul_client_get_service_error (client);

  if (haul_client_get_connected (client))
    return;
  if (w->ids->len > 0 && error != NULL)
    {
      w->daemon_gone = TRUE;
      g_printerr (_("haulctl: the Haul service went away: %s\n"), error->message);
      g_main_loop_quit (w->loop);
    }
  else if (w->ids->len == 0)
    {
      w->daemon_gone = TRUE;
      g_main_loop_quit (w->loop);
    }
}

int
_haulctl_watch_transfers (GDBusConnection *connection,
                          const char      *command,
                          GArray          *ids,
                          gboolean         lines,
                          gboolean         bar)
{
  Watch w = { 0 };
  GListModel *transfers;
  int status = HAULCTL_EXIT_OK;

  w.ids = ids;
  w.lines = lines;
  w.bar = bar;
  w.client = _haulctl_client_new (command, connection,
                                  HAUL_CLIENT_FLAGS_ACTIVATE |
                                  (ids->len > 0 ? HAUL_CLIENT_FLAGS_REACTIVATE : 0),
                                  &status);
  if (w.client == NULL)
    return status;
  for (guint i = 0; i < ids->len; i++)
    if (haul_client_lookup (w.client, g_array_index (ids, guint, i)) == NULL)
      {
        g_printerr (_("haulctl %s: there is no transfer %u\n"), command, g_array_index (ids, guint, i));
        g_object_unref (w.client);
        return HAULCTL_EXIT_USAGE;
      }

  w.loop = g_main_loop_new (NULL, FALSE);
  w.states = g_hash_table_new (NULL, NULL);
  transfers = haul_client_get_transfers (w.client);
  for (guint i = 0; i < g_list_model_get_n_items (transfers); i++)
    {
      g_autoptr(HaulClientTransfer) t = g_list_model_get_item (transfers, i);

      g_signal_connect_swapped (t, "notify::state", G_CALLBACK (on_state_cb), &w);
    }
  g_signal_connect (transfers, "items-changed", G_CALLBACK (on_items_changed_cb), &w);
  g_signal_connect (w.client, "progress", G_CALLBACK (on_progress_cb), &w);
  g_signal_connect (w.client, "notify::connected", G_CALLBACK (on_connected_cb), &w);

  /* Everything may be done already. */
  check_transfers (&w);
  while (!w.done && !w.daemon_gone)
    g_main_loop_run (w.loop);

  for (guint i = 0; i < g_list_model_get_n_items (transfers); i++)
    {
      g_autoptr(HaulClientTransfer) t = g_list_model_get_item (transfers, i);

      g_signal_handlers_disconnect_by_data (t, &w);
    }
  g_signal_handlers_disconnect_by_data (transfers, &w);
  g_signal_handlers_disconnect_by_data (w.client, &w);
  g_hash_table_unref (w.states);
  g_main_loop_unref (w.loop);
  g_object_unref (w.client);

  if (w.daemon_gone && ids->len > 0)
    return HAULCTL_EXIT_NO_DAEMON;
  return w.any_failed ? HAULCTL_EXIT_FAILED : HAULCTL_EXIT_OK;
}

int
_haulctl_watch (int    argc,
                char **argv)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));
  int status = HAULCTL_EXIT_OK;

  if (argc > 1 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("%s\n\n%s\n", _("Usage: haulctl watch [ID…]"),
               _("Print each change of the transfers, a line each. With IDs, exit once they are all finished: 0 if all completed, 1 if one failed or was cancelled."));
      return HAULCTL_EXIT_OK;
    }
  for (int i = 1; i < argc; i++)
    {
      guint id;

      if (!_haulctl_parse_id (argv[i], &id))
        {
          g_printerr (_("haulctl %s: “%s” is not a transfer ID\n"), "watch", argv[i]);
          return HAULCTL_EXIT_USAGE;
        }
      g_array_append_val (ids, id);
    }
  connection = _haulctl_connect_bus ("watch", &status);
  if (connection == NULL)
    return status;
  return _haulctl_watch_transfers (connection, "watch", ids, TRUE, FALSE);
}
