/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _HaulTestServer HaulTestServer;

/* One request as the fault-injection server saw it. */
typedef struct
{
  char *path;
  char *range;
  char *if_range;
  char *accept_encoding;
  char *user_header;
  char *cookie;
  char *referer;
  char *user_agent;
} HaulTestRequest;

void            haul_test_init                (int              *argc,
                                               char           ***argv);

void            haul_test_init_desktop        (int              *argc,
                                               char           ***argv);
gboolean        haul_test_on_timeout_cb       (gpointer          user_data) G_GNUC_NORETURN;
gboolean        haul_test_tick_cb             (gpointer          user_data);

/* Iterates the main context until @cond holds, or fails the test after a minute. A tick
 * every 20 ms looks again at conditions no event announces (a file on disk). */
#define WAIT_FOR(what, cond)                                                  \
  G_STMT_START {                                                              \
    guint guard_ = g_timeout_add_seconds (60, haul_test_on_timeout_cb,       \
                                          (gpointer) what);                   \
    guint tick_ = g_timeout_add (20, haul_test_tick_cb, NULL);                \
    while (!(cond))                                                           \
      g_main_context_iteration (NULL, TRUE);                                  \
    g_source_remove (tick_);                                                  \
    g_source_remove (guard_);                                                 \
  } G_STMT_END

HaulTestServer *haul_test_server_new          (gboolean          tls);
void            haul_test_server_free         (HaulTestServer   *server);
char           *haul_test_server_uri          (HaulTestServer   *server,
                                               const char       *path_and_query);
GBytes         *haul_test_server_content      (HaulTestServer   *server,
                                               gsize             size,
                                               guint             variant);
guint64         haul_test_server_bytes_sent   (HaulTestServer   *server);
GPtrArray      *haul_test_server_requests     (HaulTestServer   *server);
void            haul_test_server_set_shared   (HaulTestServer   *server,
                                               guint             variant);

typedef struct
{
  int   status;
  char *out;
  char *err;
} HaulTestRun;

void            haul_test_run_clear           (HaulTestRun      *run);
void            haul_test_run_haulctl         (HaulTestRun      *run,
                                               const char       *first_arg,
                                               ...) G_GNUC_NULL_TERMINATED;
void            haul_test_run_haulctl_argv    (HaulTestRun      *run,
                                               const char * const *argv);
GSubprocess    *haul_test_spawn_haulctl_argv  (const char * const *argv);
void            haul_test_finish_haulctl      (HaulTestRun      *run,
                                               GSubprocess      *proc);
void            haul_test_wait_subprocess     (GSubprocess      *proc);
GSubprocess    *haul_test_signal_when_part_grows (const char * const *argv,
                                                  const char       *part,
                                                  goffset           min_size,
                                                  int               signum);
void            haul_test_iterate_for         (guint             milliseconds);

char           *haul_test_make_tempdir        (const char       *name);
void            haul_test_remove_tempdir      (const char       *path);
void            haul_test_assert_file_equals  (const char       *path,
                                               GBytes           *expected);
gboolean        haul_test_file_exists         (const char       *dir,
                                               const char       *name);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HaulTestRun, haul_test_run_clear)

G_END_DECLS
