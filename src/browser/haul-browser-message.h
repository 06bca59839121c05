/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The messages of the browser protocol (docs/browser-protocol.md): what a request may
 * say, checked before anything of it goes further, and the answers. Pure: no I/O. */

/* The longest message the host reads; the framing's own limit is 4 GiB. */
#define HAUL_BROWSER_MESSAGE_MAX (1024 * 1024)
/* How deep the JSON of a request may nest (a request is one flat object). */
#define HAUL_BROWSER_MAX_DEPTH   8
/* The longest Cookie header a request may carry. */
#define HAUL_BROWSER_COOKIES_MAX (64 * 1024)
/* The longest tag a request may carry. */
#define HAUL_BROWSER_TAG_MAX     64

/**
 * HaulBrowserError:
 * @HAUL_BROWSER_ERROR_TOO_LARGE: `too-large`
 * @HAUL_BROWSER_ERROR_NOT_UTF8: `not-utf8`
 * @HAUL_BROWSER_ERROR_NOT_JSON: `not-json`
 * @HAUL_BROWSER_ERROR_NOT_OBJECT: `not-object`
 * @HAUL_BROWSER_ERROR_UNKNOWN_TYPE: `unknown-type`
 * @HAUL_BROWSER_ERROR_BAD_FIELD: `bad-field`
 * @HAUL_BROWSER_ERROR_BAD_URL: `bad-url`
 * @HAUL_BROWSER_ERROR_BAD_HEADER: `bad-header`
 * @HAUL_BROWSER_ERROR_SERVICE_UNAVAILABLE: `service-unavailable`
 * @HAUL_BROWSER_ERROR_REFUSED: `refused`
 *
 * The named errors of the protocol.
 */
typedef enum
{
  HAUL_BROWSER_ERROR_TOO_LARGE,
  HAUL_BROWSER_ERROR_NOT_UTF8,
  HAUL_BROWSER_ERROR_NOT_JSON,
  HAUL_BROWSER_ERROR_NOT_OBJECT,
  HAUL_BROWSER_ERROR_UNKNOWN_TYPE,
  HAUL_BROWSER_ERROR_BAD_FIELD,
  HAUL_BROWSER_ERROR_BAD_URL,
  HAUL_BROWSER_ERROR_BAD_HEADER,
  HAUL_BROWSER_ERROR_SERVICE_UNAVAILABLE,
  HAUL_BROWSER_ERROR_REFUSED,
} HaulBrowserError;

#define HAUL_BROWSER_ERROR (haul_browser_error_quark ())
GQuark      haul_browser_error_quark (void);
const char *haul_browser_error_name  (HaulBrowserError code);

typedef enum
{
  HAUL_BROWSER_REQUEST_STATUS,
  HAUL_BROWSER_REQUEST_ADD,
} HaulBrowserRequestType;

/* A request, checked. The strings of an add are %NULL when not given. */
typedef struct
{
  HaulBrowserRequestType  type;
  char                   *url;
  char                   *referrer;
  char                   *cookies;
  char                   *user_agent;
  char                   *filename;    /* a safe basename already */
  gint64                  size;        /* -1 when not given */
} HaulBrowserRequest;

HaulBrowserRequest *haul_browser_request_parse      (const char          *data,
                                                     gsize                length,
                                                     JsonNode           **tag,
                                                     GError             **error);
void                haul_browser_request_free       (HaulBrowserRequest  *request);
GVariant           *haul_browser_request_to_options (HaulBrowserRequest  *request);

GError             *haul_browser_error_from_service (const GError        *error);

GBytes             *haul_browser_reply_added        (JsonNode            *tag,
                                                     guint                id);
GBytes             *haul_browser_reply_status       (JsonNode            *tag,
                                                     const char          *version,
                                                     const GError        *error);
GBytes             *haul_browser_reply_error        (JsonNode            *tag,
                                                     const GError        *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulBrowserRequest, haul_browser_request_free)

G_END_DECLS
