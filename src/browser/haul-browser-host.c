/* SPDX-License-Identifier: GPL-3.0-or-later */
/* haul-browser-host: the native-messaging host of the Haul extension. The browser starts
 * it and speaks the protocol of docs/browser-protocol.md on its stdin and stdout; it asks
 * the service through the client library, starting it when needed. One request at a
 * time, answered in order. */
#define G_LOG_DOMAIN "haul-browser"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>

#include "haul-browser-message.h"
#include "haul-client.h"
#include "haul-client-calls.h"
#include "haul-i18n.h"

typedef struct
{
  GMainLoop     *loop;
  int            status;
  GInputStream  *in;
  GOutputStream *out;
  GCancellable  *cancellable;
  guint32        length;
  char          *body;
  GBytes        *reply;
  gboolean       quit_after_reply;
  JsonNode      *tag;              /* of the request being answered */
  HaulClient    *client;
  GError        *bus_error;        /* why there is no client */
  HaulBrowserRequest *pending;     /* waits for the client */
} Host;

static void read_next (Host *host);
static void handle    (Host *host,
                       HaulBrowserRequest *request);

static void
quit (Host *host,
      int   status)
{
  host->status = status;
  g_cancellable_cancel (host->cancellable);
  g_main_loop_quit (host->loop);
}

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Host *host = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&host->reply, g_bytes_unref);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      /* The browser went away: nobody is left to answer. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not answer the browser: %s", error->message);
      quit (host, 1);
      return;
    }
  if (host->quit_after_reply)
    {
      quit (host, 1);
      return;
    }
  read_next (host);
}

/* Sends @reply (taken), then reads the next request. */
static void
answer (Host   *host,
        GBytes *reply)
{
  gsize size;
  gconstpointer data;

  g_clear_pointer (&host->tag, json_node_unref);
  host->reply = reply;
  data = g_bytes_get_data (reply, &size);
  g_output_stream_write_all_async (host->out, data, size, G_PRIORITY_DEFAULT,
                                   host->cancellable, written_cb, host);
}

static void
answer_error (Host   *host,
              GError *error)
{
  g_autoptr(GError) owned = error;

  answer (host, haul_browser_reply_error (host->tag, owned));
}

/* ---- the service ---------------------------------------------------------------------- */

static void
added_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Host *host = user_data;
  g_autoptr(GError) error = NULL;
  guint id = haul_client_add_finish (HAUL_CLIENT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (id == 0)
    {
      answer_error (host, haul_browser_error_from_service (error));
      return;
    }
  answer (host, haul_browser_reply_added (host->tag, id));
}

static void
version_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Host *host = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) reason = NULL;
  g_autofree char *version = haul_client_get_version_finish (HAUL_CLIENT (object), result,
                                                             &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (version == NULL)
    reason = haul_browser_error_from_service (error);
  answer (host, haul_browser_reply_status (host->tag, version, reason));
}

/* Answers @request (taken) from the service, or with why it cannot be reached. */
static void
ask_service (Host               *host,
             HaulBrowserRequest *request)
{
  g_autoptr(HaulBrowserRequest) owned = request;

  if (host->client == NULL)
    {
      g_autoptr(GError) reason = haul_browser_error_from_service (host->bus_error);

      if (request->type == HAUL_BROWSER_REQUEST_STATUS)
        answer (host, haul_browser_reply_status (host->tag, NULL, reason));
      else
        answer_error (host, g_steal_pointer (&reason));
      return;
    }

  if (request->type == HAUL_BROWSER_REQUEST_STATUS)
    haul_client_get_version_async (host->client, host->cancellable, version_cb, host);
  else
    {
      if (request->size >= 0)
        g_debug ("Adding %s (%" G_GINT64_FORMAT " bytes, says the browser)", request->url,
                 request->size);
      haul_client_add_async (host->client, request->url,
                             haul_browser_request_to_options (request), host->cancellable,
                             added_cb, host);
    }
}

static void
client_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Host *host = user_data;
  g_autoptr(GError) error = NULL;

  host->client = haul_client_new_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (host->client == NULL)
    host->bus_error = g_steal_pointer (&error);
  ask_service (host, g_steal_pointer (&host->pending));
}

static void
bus_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Host *host = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (bus == NULL)
    {
      host->bus_error = g_steal_pointer (&error);
      ask_service (host, g_steal_pointer (&host->pending));
      return;
    }
  /* The client starts nothing when made; each call starts the service if need be. */
  haul_client_new_async (bus, HAUL_CLIENT_FLAGS_CALLS_ONLY, host->cancellable, client_cb, host);
}

/* The first request that needs the service connects to the bus. */
static void
handle (Host               *host,
        HaulBrowserRequest *request)
{
  if (host->client != NULL || host->bus_error != NULL)
    {
      ask_service (host, request);
      return;
    }
  host->pending = request;
  g_bus_get (G_BUS_TYPE_SESSION, host->cancellable, bus_cb, host);
}

/* ---- the framing ---------------------------------------------------------------------- */

static void
body_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Host *host = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = g_steal_pointer (&host->body);
  HaulBrowserRequest *request;
  gsize got = 0;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (object), result, &got, &error) ||
      got < host->length)
    {
      /* The message ended before its length: the stream is broken. */
      g_printerr ("haul-browser-host: %s\n",
                  error != NULL ? error->message : _("the message ended before its length"));
      quit (host, 1);
      return;
    }

  request = haul_browser_request_parse (body, host->length, &host->tag, &error);
  if (request == NULL)
    {
      answer_error (host, g_steal_pointer (&error));
      return;
    }
  handle (host, request);
}

static void
length_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Host *host = user_data;
  g_autoptr(GError) error = NULL;
  gsize got = 0;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (object), result, &got, &error))
    {
      g_printerr ("haul-browser-host: %s\n", error->message);
      quit (host, 1);
      return;
    }
  if (got == 0)
    {
      quit (host, 0);   /* the browser closed the port: the normal end */
      return;
    }
  if (got < sizeof host->length)
    {
      g_printerr ("haul-browser-host: %s\n", _("the input ended inside a message's length"));
      quit (host, 1);
      return;
    }
  if (host->length > HAUL_BROWSER_MESSAGE_MAX)
    {
      /* The next message cannot be found: answer, then stop. */
      host->quit_after_reply = TRUE;
      answer_error (host, g_error_new (HAUL_BROWSER_ERROR, HAUL_BROWSER_ERROR_TOO_LARGE,
                                       _("The message is longer than %d bytes"),
                                       HAUL_BROWSER_MESSAGE_MAX));
      return;
    }
  host->body = g_malloc (host->length + 1);
  host->body[host->length] = '\0';
  g_input_stream_read_all_async (host->in, host->body, host->length, G_PRIORITY_DEFAULT,
                                 host->cancellable, body_cb, host);
}

static void
read_next (Host *host)
{
  g_input_stream_read_all_async (host->in, &host->length, sizeof host->length,
                                 G_PRIORITY_DEFAULT, host->cancellable, length_cb, host);
}

int
main (int    argc,
      char **argv)
{
  Host host = { 0 };

  haul_i18n_init ();
  /* A browser that closed the pipe makes writes fail, not the process die. */
  signal (SIGPIPE, SIG_IGN);

  if (argc > 1 && g_str_equal (argv[1], "--help"))
    {
      g_print ("%s\n", _("Usage: haul-browser-host [ORIGIN]\n\n"
                         "The native-messaging host of Haul's browser extension: the browser "
                         "starts it and speaks to it on its standard input and output."));
      return 0;
    }

  host.loop = g_main_loop_new (NULL, FALSE);
  host.cancellable = g_cancellable_new ();
  host.in = g_unix_input_stream_new (0, FALSE);
  host.out = g_unix_output_stream_new (1, FALSE);

  read_next (&host);
  g_main_loop_run (host.loop);

  /* Whatever is still asked of the service ends with the browser's port. */
  g_clear_pointer (&host.pending, haul_browser_request_free);
  g_clear_pointer (&host.tag, json_node_unref);
  g_clear_pointer (&host.reply, g_bytes_unref);
  g_clear_pointer (&host.body, g_free);
  g_clear_error (&host.bus_error);
  g_clear_object (&host.client);
  g_clear_object (&host.in);
  g_clear_object (&host.out);
  g_clear_object (&host.cancellable);
  g_main_loop_unref (host.loop);
  return host.status;
}
