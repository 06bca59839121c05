/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "screenshot"

#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "haul-client.h"
#include "haul-i18n.h"
#include "haul-window-private.h"
#include "daemon-test-utils.h"

/* Renders Haul's main window, with transfers in every state, to PNG through GTK itself
 * (gtk_widget_paintable_new → snapshot → gsk_renderer_render_texture →
 * gdk_texture_save_to_png), for the metainfo and the README. Run by
 * tests/screenshots.sh under Xvfb, on the private test bus:
 *
 *   screenshot OUTPUT_DIR NAME [dark]
 *
 * writes OUTPUT_DIR/NAME.png. The language is the environment's (LANGUAGE=zh_CN). */

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

static gboolean
in_state (HaulClient        *client,
          guint              id,
          HaulTransferState  state)
{
  HaulClientTransfer *t = haul_client_lookup (client, id);

  return t != NULL && haul_client_transfer_get_state (t) == state;
}

static void
save_png (GtkWidget  *widget,
          const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_print ("%s: %d×%d\n", path, width, height);
}

int
main (int    argc,
      char **argv)
{
  Fixture f = { 0 };
  g_autoptr(HaulClient) client = NULL;
  g_autofree char *path = NULL;
  HaulWindow *window;
  guint running, queued, paused, waiting, completed, failed;

  haul_i18n_init ();
  haul_test_init_desktop (&argc, &argv);
  if (argc < 3)
    {
      g_printerr ("usage: screenshot OUTPUT_DIR NAME [dark]\n");
      return 2;
    }
  gtk_init ();
  adw_init ();
  if (argc > 3 && g_str_equal (argv[3], "dark"))
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);

  fixture_setup (&f, NULL);
  /* Two at a time: the third waits its turn. */
  haul_manager1_set_max_concurrent (f.manager, 2);
  WAIT_FOR ("the limit", haul_manager1_get_max_concurrent (f.manager) == 2);
  /* A metered network: discretionary ones wait (one that started before the daemon saw
   * the file is stopped to wait when it does). */
  set_conditions (&f, TRUE, TRUE, FALSE);

  /* One of each state a person meets, the newest at the top. */
  completed = haul_transfer1_get_id (add (&f, "/debian-12.8.0-amd64-netinst.iso?size=2097152",
                                          options_in_dir (&f, NULL, NULL)));
  failed = haul_transfer1_get_id (add (&f, "/nightly-build.tar.xz?status=404&times=100",
                                       options_in_dir (&f, NULL, NULL)));
  paused = haul_transfer1_get_id (add (&f, "/holiday-photos.zip?size=8388608",
                                       options_in_dir (&f, "paused", g_variant_new_boolean (TRUE))));
  waiting = haul_transfer1_get_id (add (&f, "/podcast-episode-42.mp3?size=8388608&drip=200000",
                                        options_in_dir (&f, "discretionary", g_variant_new_boolean (TRUE))));
  running = haul_transfer1_get_id (add (&f, "/fedora-workstation-live.iso?size=41943040&drip=450000",
                                        options_in_dir (&f, NULL, NULL)));
  add (&f, "/linux-6.12.tar.xz?size=41943040&drip=300000", options_in_dir (&f, NULL, NULL));
  queued = haul_transfer1_get_id (add (&f, "/libreoffice-24.8.deb?size=41943040",
                                       options_in_dir (&f, NULL, NULL)));

  haul_client_new_async (f.connection, HAUL_CLIENT_FLAGS_NONE, NULL, client_cb, &client);
  WAIT_FOR ("the client", client != NULL);
  WAIT_FOR ("every state", in_state (client, completed, HAUL_TRANSFER_STATE_COMPLETED) &&
            in_state (client, failed, HAUL_TRANSFER_STATE_FAILED) &&
            in_state (client, paused, HAUL_TRANSFER_STATE_PAUSED) &&
            in_state (client, waiting, HAUL_TRANSFER_STATE_WAITING) &&
            in_state (client, running, HAUL_TRANSFER_STATE_RUNNING) &&
            in_state (client, queued, HAUL_TRANSFER_STATE_QUEUED));

  window = haul_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 820, 600);
  haul_window_set_client (window, client);
  gtk_window_present (GTK_WINDOW (window));
  /* Some figures and a rate: a few Progress signals. */
  haul_test_iterate_for (3000);
  path = g_strdup_printf ("%s/%s.png", argv[1], argv[2]);
  save_png (GTK_WIDGET (window), path);

  gtk_window_destroy (GTK_WINDOW (window));
  fixture_teardown (&f, NULL);
  return 0;
}
