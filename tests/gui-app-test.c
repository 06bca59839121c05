/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "gui-app-test"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "haul-client.h"
#include "daemon-test-utils.h"

/* The `haul` program itself under Xvfb, on the private bus: one instance (a second
 * `haul URL…` hands its links to the first and exits), and D-Bus activation by
 * org.freedesktop.Application.ActivateAction, as a notification's action will do. */

#define APP_NAME "io.github.haul.Haul"
#define APP_PATH "/io/github/haul/Haul"

static gboolean
owned (Fixture    *f,
       const char *name)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean has = FALSE;

  reply = g_dbus_connection_call_sync (f->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has);
  return has;
}

static GSubprocess *
spawn_haul (const char * const *uris)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  g_ptr_array_add (argv, (char *) g_getenv ("HAUL_GUI"));
  for (guint i = 0; uris != NULL && uris[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) uris[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  return proc;
}

static void
activate_action (Fixture    *f,
                 const char *action,
                 GVariant   *parameter)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder params;

  g_variant_builder_init (&params, G_VARIANT_TYPE ("av"));
  if (parameter != NULL)
    g_variant_builder_add (&params, "v", parameter);
  reply = g_dbus_connection_call_sync (f->connection, APP_NAME, APP_PATH,
                                       "org.freedesktop.Application", "ActivateAction",
                                       g_variant_new ("(sav@a{sv})", action, &params,
                                                      g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
  g_assert_no_error (error);
}

/* Whether the X server shows a window named "Haul". */
static gboolean
window_shown (void)
{
  g_autofree char *out = NULL;
  int status = 0;

  if (!g_spawn_command_line_sync ("xwininfo -root -tree", &out, NULL, &status, NULL))
    return FALSE;
  return strstr (out, "\"Haul\"") != NULL;
}

/* Whether the X server shows a window whose title is @title exactly. */
static gboolean
toplevel_titled (const char *title)
{
  g_autofree char *pattern = g_regex_escape_string (title, -1);
  g_autofree char *anchored = g_strdup_printf ("^%s$", pattern);
  const char *argv[] = { "xdotool", "search", "--name", anchored, NULL };
  g_autofree char *out = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                     &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return FALSE;
  return strtoul (out, NULL, 10) != 0;
}

static guint
transfers (Fixture *f)
{
  g_autoptr(GPtrArray) paths = transfer_paths (f);

  return paths->len;
}

static void
test_second_hands_over (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *a = haul_test_server_uri (f->server, "/first.bin");
  g_autofree char *b = haul_test_server_uri (f->server, "/second.bin");
  const char * const uris[] = { a, b, NULL };
  g_autoptr(GSubprocess) first = spawn_haul (NULL);
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GError) error = NULL;

  WAIT_FOR ("the first instance", owned (f, APP_NAME) && window_shown ());

  /* The second gives its links to the first and is gone. */
  second = spawn_haul (uris);
  g_subprocess_wait_check (second, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the two transfers", transfers (f) == 2);
  g_assert_true (owned (f, APP_NAME));

  /* app.quit: the window goes, the downloads stay with the service. */
  activate_action (f, "quit", NULL);
  g_subprocess_wait_check (first, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (name_has_owner (f));
  g_assert_cmpuint (transfers (f), ==, 2);
}

static void
test_activation (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(HaulTransfer1) t = add (f, "/shown.bin", options_in_dir (f, NULL, NULL));

  /* No window runs: the action starts it by D-Bus activation. */
  g_assert_false (owned (f, APP_NAME));
  activate_action (f, "show-transfer", g_variant_new_uint32 (haul_transfer1_get_id (t)));
  WAIT_FOR ("the activated window", owned (f, APP_NAME) && window_shown ());
  activate_action (f, "quit", NULL);
  WAIT_FOR ("the application to exit", !owned (f, APP_NAME));
}

/* app.change-link(u), from the notification of a link that needs replacing: the window
 * starts with that transfer selected and asks for its new link, in the dialog of the row's
 * "Change Link…". */
static void
test_change_link (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(HaulTransfer1) target = add (f, "/relink.bin",
                                         options_in_dir (f, "paused", g_variant_new_boolean (TRUE)));
  g_autoptr(HaulTransfer1) other = add (f, "/other.bin",
                                        options_in_dir (f, "paused", g_variant_new_boolean (TRUE)));

  /* No window runs: the action starts it by D-Bus activation, before its client is. */
  g_assert_false (owned (f, APP_NAME));
  activate_action (f, "change-link", g_variant_new_uint32 (haul_transfer1_get_id (target)));
  WAIT_FOR ("the activated window", owned (f, APP_NAME) && window_shown ());
  WAIT_FOR ("the change-link dialog", toplevel_titled ("New Link for “relink.bin”"));
  g_assert_false (toplevel_titled ("New Link for “other.bin”"));

  /* That the transfer is selected and the dialog changes its link is seen in-process,
   * in gui-test's /gui/change-link. */
  g_assert_cmpuint (transfers (f), ==, 2);

  activate_action (f, "quit", NULL);
  WAIT_FOR ("the application to exit", !owned (f, APP_NAME));
}

/* Each test starts with no transfers on record; new downloads go to the home folder
 * (there is no XDG download folder here). */
static void
app_setup (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *records = g_build_filename (g_get_user_state_dir (), "haul", NULL);
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", records);

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  fixture_setup (f, data);
}

int
main (int    argc,
      char **argv)
{
  /* The system's MIME database and icons stay visible: see haul_test_init_desktop(). */
  haul_test_init_desktop (&argc, &argv);
  g_assert_nonnull (g_getenv ("HAUL_GUI"));

  g_test_add ("/gui-app/second-hands-over", Fixture, NULL, app_setup,
              test_second_hands_over, fixture_teardown);
  g_test_add ("/gui-app/activation", Fixture, NULL, app_setup, test_activation,
              fixture_teardown);
  g_test_add ("/gui-app/change-link", Fixture, NULL, app_setup, test_change_link,
              fixture_teardown);

  return g_test_run ();
}
