/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "daemon-netns-test"

#include "config.h"

#include <string.h>

#include "daemon-test-utils.h"

/* Runs in a network namespace with only loopback up (tests/run-in-netns.sh), the daemon
 * with the real GNetworkMonitor: there is no default route, so "network available" is
 * false, yet a download from 127.0.0.1 must run. Offline means that the transfer's own
 * host cannot be reached. */

static void
test_loopback_only (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) expected = haul_test_server_content (f->server, 256 * KiB, 1);
  g_autofree char *file = g_build_filename (f->dir, "local.bin", NULL);
  g_autoptr(HaulTransfer1) local = NULL;
  g_autoptr(HaulTransfer1) remote = NULL;
  g_autofree char *object_path = NULL;
  g_autoptr(GError) error = NULL;
  GNetworkMonitor *monitor = g_network_monitor_get_default ();

  /* The machine this test pretends to be: no default route. */
  g_assert_false (g_network_monitor_get_network_available (monitor));

  local = add (f, "/local.bin", options_in_dir (f, NULL, NULL));
  WAIT_FOR ("the download from 127.0.0.1", state_is (local, "completed") || state_is (local, "failed"));
  g_assert_cmpstr (haul_transfer1_get_error (local), ==, "");
  g_assert_cmpstr (haul_transfer1_get_state (local), ==, "completed");
  haul_test_assert_file_equals (file, expected);

  /* A host no route leads to waits for the network, and is not tried. */
  haul_manager1_call_add_sync (f->manager, "http://10.255.255.1/remote.bin",
                               options_in_dir (f, NULL, NULL), &object_path, NULL, &error);
  g_assert_no_error (error);
  remote = haul_transfer1_proxy_new_sync (f->connection, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME,
                                          object_path, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR ("the wait", state_is (remote, "waiting"));
  g_assert_true (reason_has (remote, "network connection"));
  haul_transfer1_call_remove_sync (remote, FALSE, NULL, &error);
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add ("/daemon-netns/loopback-only", Fixture, NULL, fixture_setup, test_loopback_only,
              fixture_teardown);

  return g_test_run ();
}
