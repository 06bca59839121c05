/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "haul-check.h"
#include "haul-dbus-generated.h"
#include "haul-test-utils.h"

G_BEGIN_DECLS

/* What the D-Bus tests share: a fixture with a fresh daemon started by activation on the
 * private bus of dbus-run-session (see tests/meson.build), the wait helper, and the
 * names. */

#define KiB 1024
#define MiB (1024 * 1024)
#define BUS_NAME     HAUL_DAEMON_BUS_NAME
#define MANAGER_PATH HAUL_DAEMON_PATH

/* The tests run on a private session bus from dbus-run-session (see tests/meson.build)
 * whose services directory points at the built haul-daemon, so that the daemon starts by
 * D-Bus activation as in real use. Each test gets a fresh daemon and directories. */
typedef struct
{
  GDBusConnection *connection;
  HaulManager1    *manager;
  HaulTestServer  *server;
  char            *dir;
  char            *conditions;
  guint            progress_signals;
  gint64           progress_first_us;   /* when the first and the last Progress came */
  gint64           progress_last_us;
  guint64          progress_last;
  GHashTable      *received;   /* id → bytes received, from the Progress signals */
  gboolean         monotonic;
} Fixture;

/* How many transfers are running (the most seen at once) and completed. */
typedef struct
{
  guint running;
  guint max_running;
  guint completed;
} Census;

/* What a login session gives the service: our (isolated) directories, the conditions
 * file, and a short idle timeout when the test asks for one (@idle_ms). */
typedef struct
{
  const char *name;
  const char *value;
} EnvVar;


gboolean        name_has_owner                (Fixture          *f);
void            connect_manager               (Fixture          *f);
void            reactivate                    (Fixture          *f);
guint           daemon_pid                    (Fixture          *f);
guint64         received_of                   (Fixture          *f,
                                               guint             id);
void            set_conditions                (Fixture          *f,
                                               gboolean          online,
                                               gboolean          metered,
                                               gboolean          power_saver);
guint           session_environment           (Fixture          *f,
                                               const char       *idle_ms,
                                               EnvVar            env[10]);
void            update_activation_environment (Fixture          *f,
                                               GDBusConnection  *connection,
                                               const char       *idle_ms);
void            fixture_setup                 (Fixture          *f,
                                               gconstpointer     data);
void            fixture_teardown              (Fixture          *f,
                                               gconstpointer     data);
GVariant       *options_in_dir                (Fixture          *f,
                                               const char       *extra_key,
                                               GVariant         *extra_value);
HaulTransfer1  *add                           (Fixture          *f,
                                               const char       *path,
                                               GVariant         *options);
HaulTransfer1  *transfer_proxy                (Fixture          *f,
                                               guint             id);
gboolean        state_is                      (HaulTransfer1    *transfer,
                                               const char       *state);
gboolean        reason_has                    (HaulTransfer1    *transfer,
                                               const char       *words);
guint           ranged_requests               (Fixture          *f,
                                               const char       *path);
gboolean        process_gone                  (guint             pid);
JsonNode       *parse_json                    (const char       *text);
JsonNode       *read_json_file                (const char       *path);
void            write_json_file               (const char       *path,
                                               JsonNode         *root);
JsonNode       *record_of                     (guint             id);
char           *record_path                   (guint             id);
void            quit_daemon                   (Fixture          *f);
GPtrArray      *transfer_paths                (Fixture          *f);
void            count_states                  (GDBusObjectManager *objects,
                                               Census           *census);
GDBusObjectManager *follow_states             (Fixture          *f,
                                               Census           *census);

G_END_DECLS
