/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "get-test-utils"

#include "config.h"

#include <glib/gstdio.h>

#include "get-test-utils.h"
#include "haul-resume-data.h"

void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static guint counter;
  g_autofree char *name = g_strdup_printf ("get-%u", counter++);

  f->server = haul_test_server_new (GPOINTER_TO_INT (data));
  f->dir = haul_test_make_tempdir (name);
  f->paths = g_ptr_array_new_with_free_func (g_free);
}

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  haul_test_remove_tempdir (f->dir);
  g_free (f->dir);
  haul_test_run_clear (&f->run);
  g_clear_object (&f->parser);
  g_ptr_array_unref (f->paths);
  haul_test_server_free (f->server);
}

/* Runs `haulctl get URL -d DIR --json` with short timings, plus @extra arguments. */
int
get (Fixture    *f,
     const char *path,
     ...)
{
  g_autofree char *uri = haul_test_server_uri (f->server, path);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gboolean has_output = FALSE;
  va_list ap;

  g_ptr_array_add (args, (char *) "get");
  g_ptr_array_add (args, uri);
  g_ptr_array_add (args, (char *) "--json");
  g_ptr_array_add (args, (char *) "--retry-delay-ms=50");
  g_ptr_array_add (args, (char *) "--stall-timeout-ms=1000");
  va_start (ap, path);
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    {
      if (g_str_equal (a, "-o"))
        has_output = TRUE;
      g_ptr_array_add (args, (char *) a);
    }
  va_end (ap);
  if (!has_output)
    {
      g_ptr_array_add (args, (char *) "-d");
      g_ptr_array_add (args, f->dir);
    }
  g_ptr_array_add (args, NULL);

  haul_test_run_haulctl_argv (&f->run, (const char * const *) args->pdata);

  g_clear_object (&f->parser);
  f->result = NULL;
  if (f->run.status <= 1)
    {
      f->parser = json_parser_new ();
      json_parser_load_from_data (f->parser, f->run.out, -1, &error);
      g_assert_no_error (error);
      f->result = json_node_get_object (json_parser_get_root (f->parser));
    }
  return f->run.status;
}

char *
in_dir (Fixture    *f,
        const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

/* A path in the download directory that lives as long as the fixture. */
const char *
owned_path (Fixture    *f,
            const char *name)
{
  char *path = in_dir (f, name);

  g_ptr_array_add (f->paths, path);
  return path;
}

void
assert_saved (Fixture    *f,
              const char *name,
              GBytes     *expected)
{
  g_autofree char *path = in_dir (f, name);
  g_autofree char *part = g_strconcat (path, ".part", NULL);
  g_autofree char *json = g_strconcat (path, ".part.json", NULL);

  haul_test_assert_file_equals (path, expected);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (json, G_FILE_TEST_EXISTS));
}

void
assert_absent (Fixture    *f,
               const char *name)
{
  g_assert_false (haul_test_file_exists (f->dir, name));
}

HaulTestRequest *
request (Fixture *f,
         guint    i)
{
  GPtrArray *requests = haul_test_server_requests (f->server);

  g_assert_cmpuint (i, <, requests->len);
  return g_ptr_array_index (requests, i);
}

guint
n_requests (Fixture *f)
{
  return haul_test_server_requests (f->server)->len;
}

gboolean
result_bool (Fixture    *f,
             const char *member)
{
  return json_object_get_boolean_member (f->result, member);
}


/* Writes a `.part` holding the first @have bytes of @content and resume data for it, of
 * unknown total size, as a run interrupted before the end would leave them. */
void
make_partial (Fixture    *f,
              const char *name,
              const char *uri,
              GBytes     *content,
              gsize       have)
{
  g_autoptr(HaulResumeData) rd = haul_resume_data_new ();
  g_autofree char *part = g_strdup_printf ("%s/%s.part", f->dir, name);
  g_autofree char *json_path = g_strdup_printf ("%s/%s.part.json", f->dir, name);
  g_autofree char *json = NULL;

  rd->uri = g_strdup (uri);
  rd->filename = g_strdup (name);
  rd->etag = g_strdup_printf ("\"v1-%zu\"", g_bytes_get_size (content));
  rd->boot_id = g_strdup (haul_get_boot_id ());
  haul_resume_data_get_segment (rd, 0)->written = have;
  json = haul_resume_data_to_json (rd, NULL);
  g_assert_true (g_file_set_contents (json_path, json, -1, NULL));
  g_assert_true (g_file_set_contents (part, g_bytes_get_data (content, NULL), have, NULL));
}

