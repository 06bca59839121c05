// SPDX-License-Identifier: GPL-3.0-or-later
//
// What the background and the popup share: the browser's API object, the settings and
// their defaults, and the rules for host names.

// Firefox has `browser`, Chromium `chrome`; in Manifest V3 both return promises.
export const api = globalThis.browser ?? globalThis.chrome;

// The name of the native-messaging host (docs/browser-protocol.md).
export const HOST_NAME = 'io.github.haul.browser';

// The settings in storage.local, with their defaults. minSize is in bytes: a download
// whose announced size is below it stays with the browser (0: no minimum).
export const DEFAULTS = Object.freeze({
  captureEnabled: true,
  minSize: 0,
  sites: [],
});

// One MB as GNOME counts it (g_format_size): 10^6 bytes.
export const MB = 1000 * 1000;

// A host name from what a person types in the site list: "https://www.Example.org/x",
// "*.example.org" and "example.org." all give "www.example.org" or "example.org".
// Returns null when nothing usable is left.
export function normalizeSite(text) {
  let s = String(text ?? '').trim().toLowerCase();
  if (s === '')
    return null;
  if (!/^[a-z][a-z0-9+.-]*:\/\//.test(s))
    s = 'http://' + s;
  let host;
  try {
    host = new URL(s).hostname;
  } catch {
    return null;
  }
  host = host.replace(/^(\*\.|\.)+/, '').replace(/\.+$/, '');
  // URL keeps a literal "*" in a host; it matches nothing, so it is not a site.
  if (host === '' || host.includes('*'))
    return null;
  return host;
}

// Whether HOST is SITE or one of its subdomains.
export function hostMatches(host, site) {
  host = String(host).toLowerCase().replace(/\.+$/, '');
  return host === site || host.endsWith('.' + site);
}

// The settings as they are stored, with every value checked, so that a damaged or
// hand-edited storage never turns capture into something surprising.
export function normalizeSettings(stored) {
  const s = { ...DEFAULTS, ...stored };
  const minSize = Number(s.minSize);
  const sites = Array.isArray(s.sites) ? s.sites.map(normalizeSite).filter(Boolean) : [];
  return {
    captureEnabled: s.captureEnabled !== false,
    minSize: Number.isFinite(minSize) && minSize > 0 ? Math.floor(minSize) : 0,
    sites: [...new Set(sites)],
  };
}

export async function loadSettings() {
  return normalizeSettings(await api.storage.local.get(Object.keys(DEFAULTS)));
}

// A message of the extension's catalogue, with its substitutions.
export function _(name, ...substitutions) {
  return api.i18n.getMessage(name, substitutions.map(String)) || name;
}
