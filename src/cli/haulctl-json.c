/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haulctl-json"

#include "config.h"

#include "haulctl-json.h"

/* Values are separated by commas; a member's name is followed by its value, which is not
 * an item of its own. */

void
_haulctl_json_init (HaulctlJson *json,
                    GString     *out)
{
  json->out = out;
  json->depth = 0;
  json->has_items = 0;
}

static void
before_value (HaulctlJson *json)
{
  guint64 bit = G_GUINT64_CONSTANT (1) << json->depth;

  if (json->has_items & bit)
    g_string_append_c (json->out, ',');
  json->has_items |= bit;
}

static void
open_container (HaulctlJson *json,
      char         bracket)
{
  before_value (json);
  g_string_append_c (json->out, bracket);
  g_assert (json->depth < 63);
  json->depth++;
  json->has_items &= ~(G_GUINT64_CONSTANT (1) << json->depth);
}

static void
close_container (HaulctlJson *json,
       char         bracket)
{
  g_assert (json->depth > 0);
  json->depth--;
  g_string_append_c (json->out, bracket);
}

void
_haulctl_json_begin_object (HaulctlJson *json)
{
  open_container (json, '{');
}

void
_haulctl_json_end_object (HaulctlJson *json)
{
  close_container (json, '}');
}

void
_haulctl_json_begin_array (HaulctlJson *json)
{
  open_container (json, '[');
}

void
_haulctl_json_end_array (HaulctlJson *json)
{
  close_container (json, ']');
}

/* A JSON string of @text, which is UTF-8: quotes, backslashes and control characters
 * escaped, everything else as it is. */
static void
append_string (GString    *out,
               const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
          break;
        }
    }
  g_string_append_c (out, '"');
}

void
_haulctl_json_member (HaulctlJson *json,
                      const char  *name)
{
  before_value (json);
  append_string (json->out, name);
  g_string_append_c (json->out, ':');
  /* The value that follows is this member's, not a new item. */
  json->has_items &= ~(G_GUINT64_CONSTANT (1) << json->depth);
}

void
_haulctl_json_string (HaulctlJson *json,
                      const char  *value)
{
  before_value (json);
  append_string (json->out, value != NULL ? value : "");
}

void
_haulctl_json_int (HaulctlJson *json,
                   gint64       value)
{
  before_value (json);
  g_string_append_printf (json->out, "%" G_GINT64_FORMAT, value);
}

void
_haulctl_json_boolean (HaulctlJson *json,
                       gboolean     value)
{
  before_value (json);
  g_string_append (json->out, value ? "true" : "false");
}
