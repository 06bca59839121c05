/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "haul-test-utils.h"

G_BEGIN_DECLS

/* What the tests of `haulctl get` share: a fixture with a fault-injection server and a
 * download directory, and a runner that parses the --json result. */

#define KiB 1024
#define MiB (1024 * 1024)

typedef struct
{
  HaulTestServer *server;
  char           *dir;
  HaulTestRun     run;
  JsonObject     *result;
  JsonParser     *parser;
  GPtrArray      *paths;
} Fixture;

void             fixture_setup    (Fixture       *f,
                                   gconstpointer  data);
void             fixture_teardown (Fixture       *f,
                                   gconstpointer  data);
int              get              (Fixture       *f,
                                   const char    *path,
                                   ...) G_GNUC_NULL_TERMINATED;
char            *in_dir           (Fixture       *f,
                                   const char    *name);
const char      *owned_path       (Fixture       *f,
                                   const char    *name);
void             assert_saved     (Fixture       *f,
                                   const char    *name,
                                   GBytes        *expected);
void             assert_absent    (Fixture       *f,
                                   const char    *name);
HaulTestRequest *request          (Fixture       *f,
                                   guint          i);
guint            n_requests       (Fixture       *f);
gboolean         result_bool      (Fixture       *f,
                                   const char    *member);
void             make_partial     (Fixture       *f,
                                   const char    *name,
                                   const char    *uri,
                                   GBytes        *content,
                                   gsize          have);

G_END_DECLS
