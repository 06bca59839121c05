/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "haul-check.h"
#include "haul-session.h"

/**
 * haul_session_new:
 * @proxy_resolver: (nullable): the proxy resolver, or %NULL for the desktop's default
 *
 * Returns: (transfer full): a session set up as downloads need it: no automatic content
 *   decoding (byte offsets must be offsets into the file), enough connections per host
 *   for segments, and no I/O timeout (stalls are detected per connection). It sets no
 *   User-Agent: libsoup would put its own over one a download was given; each request
 *   says %HAUL_USER_AGENT unless it has one.
 */
SoupSession *
haul_session_new (GProxyResolver *proxy_resolver)
{
  SoupSession *session;

  if (proxy_resolver != NULL)
    session = soup_session_new_with_options ("max-conns", 256,
                                             "max-conns-per-host", 2 * HAUL_MAX_SEGMENTS,
                                             "timeout", 0,
                                             "idle-timeout", 60,
                                             "proxy-resolver", proxy_resolver,
                                             NULL);
  else
    session = soup_session_new_with_options ("max-conns", 256,
                                             "max-conns-per-host", 2 * HAUL_MAX_SEGMENTS,
                                             "timeout", 0,
                                             "idle-timeout", 60,
                                             NULL);
  soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);
  return session;
}

static const char *
getenv_either (const char *lower,
               const char *upper)
{
  const char *value = g_getenv (lower);

  if (value == NULL || *value == '\0')
    value = g_getenv (upper);
  return value != NULL && *value != '\0' ? value : NULL;
}

/**
 * haul_proxy_resolver_new_from_environment:
 *
 * A proxy resolver that follows the environment as curl does: `http_proxy`,
 * `https_proxy` (or their upper-case forms), `all_proxy` for both, and `no_proxy` for the
 * hosts to reach directly. It never reads desktop settings, so a program using it needs
 * no session and no GSettings.
 *
 * Returns: (transfer full): the resolver
 */
GProxyResolver *
haul_proxy_resolver_new_from_environment (void)
{
  const char *all = getenv_either ("all_proxy", "ALL_PROXY");
  const char *http = getenv_either ("http_proxy", "HTTP_PROXY");
  const char *https = getenv_either ("https_proxy", "HTTPS_PROXY");
  const char *no_proxy = getenv_either ("no_proxy", "NO_PROXY");
  g_auto(GStrv) ignore = no_proxy != NULL ? g_strsplit (no_proxy, ",", -1) : NULL;
  GProxyResolver *resolver;

  for (guint i = 0; ignore != NULL && ignore[i] != NULL; i++)
    g_strstrip (ignore[i]);

  resolver = g_simple_proxy_resolver_new (all, ignore);
  if (http != NULL)
    g_simple_proxy_resolver_set_uri_proxy (G_SIMPLE_PROXY_RESOLVER (resolver), "http", http);
  if (https != NULL)
    g_simple_proxy_resolver_set_uri_proxy (G_SIMPLE_PROXY_RESOLVER (resolver), "https", https);
  return resolver;
}
