/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "haul-checkpoint.h"
#include "haul-download-private.h"
#include "haul-test-utils.h"

/* How HaulCheckpointer saves a download's resume data: one save at a time, a request made
 * meanwhile waits (the stronger of two kept), and the synced offsets rise only once the
 * flush that vouches for them has happened. */

typedef struct
{
  GPtrArray *saves;    /* the JSON of each durable save, or "" for a light one */
  guint      done;
} Saves;

static void
on_done (const char *json,
         GError     *error,
         gpointer    user_data)
{
  Saves *saves = user_data;

  g_assert_no_error (error);
  g_ptr_array_add (saves->saves, g_strdup (json != NULL ? json : ""));
  saves->done++;
}

static void
wait_for (Saves *saves,
          guint  done)
{
  while (saves->done < done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_one_in_flight (void)
{
  g_autofree char *dir = haul_test_make_tempdir ("checkpoint");
  int dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int fd = openat (dirfd, "f.part", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  g_autoptr(HaulPartFile) part = haul_part_file_new (fd, -1);
  HaulResumeData *rd = haul_resume_data_new ();
  g_autoptr(HaulCheckpointer) checkpoints = NULL;
  g_autoptr(HaulResumeData) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json_path = g_build_filename (dir, "f.part.json", NULL);
  g_autofree char *on_disk = NULL;
  Saves saves = { g_ptr_array_new_with_free_func (g_free), 0 };
  HaulSegment *seg;

  rd->uri = g_strdup ("http://127.0.0.1/f");
  rd->filename = g_strdup ("f");
  rd->etag = g_strdup ("\"e\"");
  rd->accept_ranges = TRUE;
  rd->total = 1000;
  seg = haul_resume_data_get_segment (rd, 0);
  seg->end = 1000;
  seg->written = 400;
  g_assert_cmpint (pwrite (fd, "x", 1, 399), ==, 1);

  checkpoints = haul_checkpointer_new (rd, dirfd, part, on_done, &saves);

  /* A light save, then, while it is in flight, a durable and a light request: they make
   * one durable save after it. */
  haul_checkpointer_save (checkpoints, FALSE);
  g_assert_true (haul_checkpointer_is_busy (checkpoints));
  haul_checkpointer_save (checkpoints, TRUE);
  haul_checkpointer_save (checkpoints, FALSE);
  wait_for (&saves, 1);
  g_assert_cmpstr (g_ptr_array_index (saves.saves, 0), ==, "");
  g_assert_true (haul_checkpointer_is_busy (checkpoints));
  /* Nothing vouched for yet: the durable save's flush has not been reported. */
  g_assert_cmpint (haul_resume_data_get_segment (rd, 0)->synced, ==, 0);
  seg = haul_resume_data_get_segment (rd, 0);
  seg->written = 700;   /* written after the durable request: not vouched for by it */
  wait_for (&saves, 2);
  g_assert_false (haul_checkpointer_is_busy (checkpoints));
  g_assert_cmpuint (saves.saves->len, ==, 2);

  saved = haul_resume_data_new_from_json (g_ptr_array_index (saves.saves, 1), -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (haul_resume_data_get_segment (saved, 0)->written, ==, 400);
  g_assert_cmpint (haul_resume_data_get_segment (saved, 0)->synced, ==, 400);
  g_assert_cmpint (haul_resume_data_get_segment (rd, 0)->synced, ==, 400);

  /* What the signal carries is what is on disk. */
  g_assert_true (g_file_get_contents (json_path, &on_disk, NULL, NULL));
  g_assert_cmpstr (on_disk, ==, g_ptr_array_index (saves.saves, 1));

  /* Detached (its download is going), it tells nobody. */
  haul_checkpointer_save (checkpoints, TRUE);
  haul_checkpointer_detach (checkpoints);
  while (haul_checkpointer_is_busy (checkpoints))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (saves.done, ==, 2);

  g_clear_object (&checkpoints);
  haul_resume_data_free (rd);
  g_ptr_array_unref (saves.saves);
  g_unlink (json_path);
  unlinkat (dirfd, "f.part", 0);
  close (dirfd);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  haul_test_init (&argc, &argv);

  g_test_add_func ("/checkpoint/one-in-flight", test_one_in_flight);

  return g_test_run ();
}
