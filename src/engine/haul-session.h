/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The HTTP session downloads share, and the proxies of a program without a desktop. */

/* What Haul says it is, unless a download was given a User-Agent of its own. */
#define HAUL_USER_AGENT "Haul/" PACKAGE_VERSION

SoupSession    *haul_session_new                         (GProxyResolver *proxy_resolver);
GProxyResolver *haul_proxy_resolver_new_from_environment (void);

G_END_DECLS
