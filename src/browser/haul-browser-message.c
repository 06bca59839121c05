/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-browser"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "haul-browser-message.h"
#include "haul-check.h"
#include "haul-dbus-error.h"
#include "haul-filename.h"

G_DEFINE_QUARK (haul-browser-error-quark, haul_browser_error)

static const char * const error_names[] = {
  [HAUL_BROWSER_ERROR_TOO_LARGE] = "too-large",
  [HAUL_BROWSER_ERROR_NOT_UTF8] = "not-utf8",
  [HAUL_BROWSER_ERROR_NOT_JSON] = "not-json",
  [HAUL_BROWSER_ERROR_NOT_OBJECT] = "not-object",
  [HAUL_BROWSER_ERROR_UNKNOWN_TYPE] = "unknown-type",
  [HAUL_BROWSER_ERROR_BAD_FIELD] = "bad-field",
  [HAUL_BROWSER_ERROR_BAD_URL] = "bad-url",
  [HAUL_BROWSER_ERROR_BAD_HEADER] = "bad-header",
  [HAUL_BROWSER_ERROR_SERVICE_UNAVAILABLE] = "service-unavailable",
  [HAUL_BROWSER_ERROR_REFUSED] = "refused",
};

/* Returns: the protocol's name of @code */
const char *
haul_browser_error_name (HaulBrowserError code)
{
  g_return_val_if_fail ((guint) code < G_N_ELEMENTS (error_names), "refused");
  return error_names[code];
}

/* How deep the arrays and objects of @data nest, counted outside strings; stops counting
 * past @limit. json-glib's parser recurses once per level: a megabyte of "[" must not
 * reach it. */
static guint
nesting_depth (const char *data,
               gsize       length,
               guint       limit)
{
  guint depth = 0;
  guint deepest = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length && deepest <= limit; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        deepest = MAX (deepest, ++depth);
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return deepest;
}

static gboolean bad_field (GError     **error,
                           const char  *format,
                           ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad_field (GError     **error,
           const char  *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (HAUL_BROWSER_ERROR, HAUL_BROWSER_ERROR_BAD_FIELD,
                                                format, args));
  va_end (args);
  return FALSE;
}

/* An optional string member: %NULL when absent or empty. */
static gboolean
get_string (JsonObject  *object,
            const char  *field,
            gboolean     required,
            char       **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, field);
  const char *value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return bad_field (error, _("The request lacks “%s”"), field);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return bad_field (error, _("“%s” must be a string"), field);
  value = json_node_get_string (node);
  if (*value == '\0')
    {
      if (required)
        return bad_field (error, _("“%s” must not be empty"), field);
      return TRUE;
    }
  *out = g_strdup (value);
  return TRUE;
}

/* The tag, if it is one a reply may repeat. */
static JsonNode *
readable_tag (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "tag");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_copy (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING &&
      g_utf8_strlen (json_node_get_string (node), -1) <= HAUL_BROWSER_TAG_MAX)
    return json_node_copy (node);
  return NULL;
}

static gboolean
check_members (JsonObject         *object,
               const char * const *allowed,
               GError            **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_autofree char *shown = g_strescape (l->data, NULL);

          return bad_field (error, _("“%s” is not a field of this request"), shown);
        }
    }
  return TRUE;
}

static gboolean
check_url (const char  *url,
           const char  *field,
           GError     **error)
{
  g_autoptr(GError) local = NULL;

  if (haul_check_uri (url, &local))
    return TRUE;
  g_set_error (error, HAUL_BROWSER_ERROR, HAUL_BROWSER_ERROR_BAD_URL, _("“%s”: %s"), field,
               local->message);
  return FALSE;
}

static gboolean
check_header (const char  *name,
              const char  *value,
              gsize        max,
              GError     **error)
{
  g_autoptr(GError) local = NULL;

  if (strlen (value) > max)
    {
      g_set_error (error, HAUL_BROWSER_ERROR, HAUL_BROWSER_ERROR_BAD_HEADER,
                   _("The header “%s” is too long"), name);
      return FALSE;
    }
  if (haul_check_header (name, value, &local))
    return TRUE;
  g_set_error_literal (error, HAUL_BROWSER_ERROR, HAUL_BROWSER_ERROR_BAD_HEADER, local->message);
  return FALSE;
}

static gboolean
parse_add (JsonObject          *object,
           HaulBrowserRequest  *request,
           GError             **error)
{
  static const char * const allowed[] = {
    "type", "tag", "url", "referrer", "cookies", "userAgent", "filename", "size", NULL
  };
  g_autofree char *filename = NULL;
  JsonNode *size;

  if (!check_members (object, allowed, error) ||
      !get_string (object, "url", TRUE, &request->url, error) ||
      !get_string (object, "referrer", FALSE, &request->referrer, error) ||
      !get_string (object, "cookies", FALSE, &request->cookies, error) ||
      !get_string (object, "userAgent", FALSE, &request->user_agent, error) ||
      !get_string (object, "filename", FALSE, &filename, error))
    return FALSE;

  size = json_object_get_member (object, "size");
  if (size != NULL && !JSON_NODE_HOLDS_NULL (size))
    {
      if (!JSON_NODE_HOLDS_VALUE (size) || json_node_get_value_type (size) != G_TYPE_INT64 ||
          json_node_get_int (size) < 0)
        return bad_field (error, _("“%s” must be a whole number, not negative"), "size");
      request->size = json_node_get_int (size);
    }

  if (!check_url (request->url, "url", error) ||
      (request->referrer != NULL && !check_url (request->referrer, "referrer", error)) ||
      (request->cookies != NULL &&
       !check_header ("Cookie", request->cookies, HAUL_BROWSER_COOKIES_MAX, error)) ||
      (request->user_agent != NULL &&
       !check_header ("User-Agent", request->user_agent, 1024, error)))
    return FALSE;

  /* Only a basename, made safe as a server's would be; nothing left means none. */
  request->filename = haul_filename_sanitize (filename);
  return TRUE;
}

/**
 * haul_browser_request_parse:
 * @data: a message as it came, after its length
 * @length: its length
 * @tag: (out) (transfer full) (nullable): the request's tag, when it had a readable one,
 *   even when the request is refused
 * @error: return location for a #GError in the %HAUL_BROWSER_ERROR domain
 *
 * Checks a request: every field is known and of its type, URLs are http or https and
 * pass haul_check_uri(), header values pass haul_check_header().
 *
 * Returns: (transfer full) (nullable): the request, or %NULL with @error set
 */
HaulBrowserRequest *
haul_browser_request_parse (const char  *data,
                            gsize        length,
                            JsonNode   **tag,
                            GError     **error)
{
  static const char * const status_allowed[] = { "type", "tag", NULL };
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(HaulBrowserRequest) request = NULL;
  g_autoptr(GError) local = NULL;
  JsonObject *object;
  JsonNode *root;
  JsonNode *type;
  const char *name;

  *tag = NULL;
  if (length > HAUL_BROWSER_MESSAGE_MAX)
    {
      g_set_error (error, HAUL_BROWSER_ERROR, HAUL_BROWSER_ERROR_TOO_LARGE,
                   _("The message is longer than %d bytes"), HAUL_BROWSER_MESSAGE_MAX);
      return NULL;
    }
  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error_literal (error, HAUL_BROWSER_ERROR, HAUL_BROWSER_ERROR_NOT_UTF8,
                           _("The message is not UTF-8 text"));
      return NULL;
    }
  if (nesting_depth (data, length, HAUL_BROWSER_MAX_DEPTH) > HAUL_BROWSER_MAX_DEPTH)
    {
      g_set_error_literal (error, HAUL_BROWSER_ERROR, HAUL_BROWSER_ERROR_NOT_JSON,
                           _("The message nests too deeply to be a request"));
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (length == 0 || !json_parser_load_from_data (parser, data, (gssize) length, &local))
    {
      g_set_error (error, HAUL_BROWSER_ERROR, HAUL_BROWSER_ERROR_NOT_JSON,
                   _("The message is not JSON: %s"),
                   local != NULL ? local->message : _("it is empty"));
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, HAUL_BROWSER_ERROR, HAUL_BROWSER_ERROR_NOT_OBJECT,
                           _("The message is not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (root);
  *tag = readable_tag (object);

  type = json_object_get_member (object, "type");
  name = type != NULL && JSON_NODE_HOLDS_VALUE (type) &&
         json_node_get_value_type (type) == G_TYPE_STRING ? json_node_get_string (type) : NULL;
  if (name == NULL || (g_strcmp0 (name, "status") != 0 && g_strcmp0 (name, "add") != 0))
    {
      g_set_error_literal (error, HAUL_BROWSER_ERROR, HAUL_BROWSER_ERROR_UNKNOWN_TYPE,
                           _("The request has no known “type”: it must be “status” or “add”"));
      return NULL;
    }

  request = g_new0 (HaulBrowserRequest, 1);
  request->size = -1;
  if (json_object_has_member (object, "tag") && *tag == NULL)
    {
      bad_field (error, _("“%s” must be an integer or a short string"), "tag");
      return NULL;
    }
  if (g_str_equal (name, "status"))
    {
      request->type = HAUL_BROWSER_REQUEST_STATUS;
      if (!check_members (object, status_allowed, error))
        return NULL;
    }
  else
    {
      request->type = HAUL_BROWSER_REQUEST_ADD;
      if (!parse_add (object, request, error))
        return NULL;
    }
  return g_steal_pointer (&request);
}

void
haul_browser_request_free (HaulBrowserRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->url);
  g_free (request->referrer);
  g_free (request->cookies);
  g_free (request->user_agent);
  g_free (request->filename);
  g_free (request);
}

/**
 * haul_browser_request_to_options:
 * @request: an add request
 *
 * The options of Manager1.Add for @request: its file name, and the three headers the
 * protocol forwards. Never a folder: the service's setting decides.
 *
 * Returns: (transfer floating): an a{sv}
 */
GVariant *
haul_browser_request_to_options (HaulBrowserRequest *request)
{
  g_auto(GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_auto(GVariantBuilder) headers = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));

  if (request->cookies != NULL)
    g_variant_builder_add (&headers, "{ss}", "Cookie", request->cookies);
  if (request->referrer != NULL)
    g_variant_builder_add (&headers, "{ss}", "Referer", request->referrer);
  if (request->user_agent != NULL)
    g_variant_builder_add (&headers, "{ss}", "User-Agent", request->user_agent);
  g_variant_builder_add (&options, "{sv}", "headers", g_variant_builder_end (&headers));
  if (request->filename != NULL)
    g_variant_builder_add (&options, "{sv}", "filename", g_variant_new_string (request->filename));
  return g_variant_builder_end (&options);
}

/**
 * haul_browser_error_from_service:
 * @error: what a call of the service failed with
 *
 * Returns: (transfer full): `refused` when the service answered, with its sentence;
 *   `service-unavailable` when it could not be reached or started
 */
GError *
haul_browser_error_from_service (const GError *error)
{
  if (error->domain == HAUL_DBUS_ERROR)
    return g_error_new_literal (HAUL_BROWSER_ERROR, HAUL_BROWSER_ERROR_REFUSED, error->message);
  return g_error_new (HAUL_BROWSER_ERROR, HAUL_BROWSER_ERROR_SERVICE_UNAVAILABLE,
                      _("The Haul service cannot be reached: %s"), error->message);
}

/* A reply, framed: its length in the machine's byte order, then its JSON. */
static GBytes *
frame (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *json = NULL;
  gsize length;
  guint32 prefix;
  char *data;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, FALSE);
  json_generator_set_indent (generator, 0);
  json = json_generator_to_data (generator, &length);
  prefix = (guint32) length;
  data = g_malloc (sizeof prefix + length);
  memcpy (data, &prefix, sizeof prefix);
  memcpy (data + sizeof prefix, json, length);
  return g_bytes_new_take (data, sizeof prefix + length);
}

static JsonBuilder *
begin (const char *type,
       JsonNode   *tag)
{
  JsonBuilder *builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  if (tag != NULL)
    {
      json_builder_set_member_name (builder, "tag");
      json_builder_add_value (builder, json_node_copy (tag));
    }
  return builder;
}

static void
add_error (JsonBuilder  *builder,
           const GError *error)
{
  const char *name = error->domain == HAUL_BROWSER_ERROR ? haul_browser_error_name (error->code)
                                                         : "refused";

  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
}

/* Returns: (transfer full): the framed answer to an add that made transfer @id */
GBytes *
haul_browser_reply_added (JsonNode *tag,
                          guint     id)
{
  g_autoptr(JsonBuilder) builder = begin ("added", tag);

  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, id);
  json_builder_end_object (builder);
  return frame (builder);
}

/* Returns: (transfer full): the framed answer to a status request: the service's
 *   @version, or the @error that kept it out of reach */
GBytes *
haul_browser_reply_status (JsonNode     *tag,
                           const char   *version,
                           const GError *error)
{
  g_autoptr(JsonBuilder) builder = begin ("status", tag);

  json_builder_set_member_name (builder, "reachable");
  json_builder_add_boolean_value (builder, error == NULL);
  if (error == NULL)
    {
      json_builder_set_member_name (builder, "version");
      json_builder_add_string_value (builder, version != NULL ? version : "");
    }
  else
    add_error (builder, error);
  json_builder_end_object (builder);
  return frame (builder);
}

/* Returns: (transfer full): the framed error answer, @error's name and sentence */
GBytes *
haul_browser_reply_error (JsonNode     *tag,
                          const GError *error)
{
  g_autoptr(JsonBuilder) builder = begin ("error", tag);

  add_error (builder, error);
  json_builder_end_object (builder);
  return frame (builder);
}
