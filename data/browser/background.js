// SPDX-License-Identifier: GPL-3.0-or-later
//
// The background of the extension: Chromium's service worker, Firefox's background
// script. It hands downloads to Haul through the native-messaging host
// (docs/browser-protocol.md): the ones the browser starts, when capture is on, and the
// links of "Download with Haul". Everything is registered synchronously at the top
// level, as both browsers require of a background that they stop when it is idle.

import { api, HOST_NAME, loadSettings, hostMatches, _ } from './common.js';

const MENU_ID = 'haul-download';

// How long an Alt-click lets the download of its link go to the browser.
const BYPASS_MS = 10 * 1000;

// Firefox knows firstPartyDomain and cookieStoreId; Chromium refuses unknown fields.
const IS_FIREFOX = typeof api.runtime.getBrowserInfo === 'function';

// Whether a captured download waits paused while Haul is asked (see onDownloadCreated).
const PAUSE_WHILE_ASKING = !IS_FIREFOX;

// ---- Settings

// The settings, read once per start of the background and then followed: a download's
// decision must not wait for a storage read each time.
let settings = loadSettings();

api.storage.onChanged.addListener((changes, area) => {
  if (area !== 'local' || !['captureEnabled', 'minSize', 'sites'].some((k) => k in changes))
    return;
  settings = loadSettings();
});

// ---- Talking to the host

function isHttpUrl(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

// How long a host that could not be started is not tried for a download that would
// have to be taken from the browser first (Firefox's), and why it could not.
const HOST_DOWN_MS = 60 * 1000;
let hostDown = null;   // { until, message }

// Sends MESSAGE to the host. Never rejects: a host that cannot be started, or an answer
// that is not one the protocol has, comes back as an error like the host's own. Any
// answer from the host (the popup asks for the status each time it opens) ends a
// remembered failure to start it.
async function ask(message) {
  let reply;
  try {
    reply = await api.runtime.sendNativeMessage(HOST_NAME, message);
  } catch (e) {
    const failed = { type: 'error', error: 'host-unreachable', message: _('hostFailed', e?.message ?? e) };
    hostDown = { until: Date.now() + HOST_DOWN_MS, message: failed.message };
    return failed;
  }
  hostDown = null;
  if (reply === null || typeof reply !== 'object' || typeof reply.type !== 'string')
    return { type: 'error', error: 'bad-reply', message: _('badReply') };
  if (reply.type === 'error')
    return { type: 'error', error: String(reply.error), message: String(reply.message ?? reply.error) };
  return reply;
}

async function queryStatus() {
  const reply = await ask({ type: 'status' });
  if (reply.type === 'status' && reply.reachable === true)
    return { reachable: true, version: String(reply.version ?? '') };
  if (reply.type === 'status')
    return { reachable: false, error: String(reply.error ?? ''), message: String(reply.message ?? '') };
  if (reply.type === 'error')
    return { reachable: false, error: reply.error, message: reply.message };
  return { reachable: false, error: 'bad-reply', message: _('badReply') };
}

// ---- What goes with a download

// The site (scheme and registrable domain) of a cookie partition, and whether URL
// belongs to it. The partition's site is already a registrable domain, so a suffix
// test at a dot is enough, with no public-suffix list.
function urlInSite(url, site) {
  try {
    const u = new URL(url);
    const s = new URL(site);
    return u.protocol === s.protocol && hostMatches(u.hostname, s.hostname);
  } catch {
    return false;
  }
}

function cookieQuery(url, storeId) {
  const query = { url };
  if (storeId)
    query.storeId = storeId;
  return query;
}

// The site of a host name, near enough without the Public Suffix List: an IP address
// is its own site, a name its last two labels. A name under a suffix of two labels or
// more (example.co.uk, user.github.io) then shares a site with its neighbours under that
// suffix, and a click from one of them carries the other's SameSite=Strict cookies (to
// that other's own address; docs/DESIGN.md).
function siteOf(hostname) {
  const host = hostname.toLowerCase().replace(/\.+$/, '');
  if (/^[\d.]+$/.test(host) || host.startsWith('['))
    return host;
  return host.split('.').slice(-2).join('.');
}

// Whether a request to URL started from the page at FROM is same-site (schemes too, as
// the browsers compare them). With no page known it is not: a download with no referrer
// may come from a typed address, or from a page of another site that sends none.
function isSameSite(from, url) {
  if (!isHttpUrl(from))
    return false;
  const f = new URL(from);
  const u = new URL(url);
  return f.protocol === u.protocol && siteOf(f.hostname) === siteOf(u.hostname);
}

// The Cookie header the browser sends for a top-level request to URL from the page at
// FROM: its own cookies for that URL, and the partitioned ones of URL's own site (CHIPS,
// Firefox's Total Cookie Protection), which a top-level request carries too; nothing of
// other sites; no SameSite=Strict cookie unless FROM is known to be of URL's site.
async function cookieHeader(url, storeId, from) {
  const crossSite = !isSameSite(from, url);
  const query = cookieQuery(url, storeId);
  let cookies;
  try {
    // An empty partition key asks for the cookies of every partition, each with its key.
    const all = await api.cookies.getAll({ ...query, partitionKey: {},
                                           ...(IS_FIREFOX ? { firstPartyDomain: null } : {}) });
    cookies = all.filter((c) => {
      const key = c.partitionKey;
      if (key?.topLevelSite && (key.hasCrossSiteAncestor === true || !urlInSite(url, key.topLevelSite)))
        return false;
      // Under Firefox's first-party isolation, only the jar of URL's own site.
      if (c.firstPartyDomain && !hostMatches(new URL(url).hostname, c.firstPartyDomain))
        return false;
      return true;
    });
  } catch {
    // A browser without partition keys: its cookies for URL are all there is.
    cookies = await api.cookies.getAll(query);
  }
  if (crossSite)
    cookies = cookies.filter((c) => c.sameSite !== 'strict');
  // The order of RFC 6265 §5.4: longer paths first (the sort is stable).
  cookies.sort((a, b) => (b.path?.length ?? 0) - (a.path?.length ?? 0));
  return cookies.map((c) => (c.name === '' ? c.value : `${c.name}=${c.value}`)).join('; ');
}

// The Referer a request from the page at FROM to URL carries under the browsers' default
// policy, strict-origin-when-cross-origin: the page's address on the same origin, only
// its origin elsewhere, nothing from https to http.
function defaultReferrer(from, url) {
  if (!isHttpUrl(from))
    return '';
  const f = new URL(from);
  const u = new URL(url);
  if (f.protocol === 'https:' && u.protocol === 'http:')
    return '';
  if (f.origin === u.origin) {
    f.hash = '';
    f.username = '';
    f.password = '';
    return f.href;
  }
  return f.origin + '/';
}

function basename(path) {
  return String(path ?? '').split(/[\\/]/).pop();
}

// The name the browser chose for ITEM, less the "(1)" it adds when its own folder has
// that name already: Haul saves in another folder, where it settles clashes itself.
// Only when the plain name is the address's last segment, so that a server's own name
// with "(1)" in it is kept.
function suggestedName(item) {
  const name = basename(item.filename);
  const plain = name.replace(/ ?\(\d+\)(?=\.[^()]*$|$)/, '');
  if (plain === name)
    return name;
  let last = '';
  try {
    last = decodeURIComponent(new URL(item.finalUrl || item.url).pathname.split('/').pop());
  } catch {
    // An address whose last segment is not valid percent-encoding: keep the name.
  }
  return last === plain ? plain : name;
}

// The add request, with the empty fields left out.
function addRequest({ url, referrer, cookies, filename, size }) {
  const request = { type: 'add', url };
  if (referrer && isHttpUrl(referrer))
    request.referrer = referrer;
  if (cookies)
    request.cookies = cookies;
  if (navigator.userAgent)
    request.userAgent = navigator.userAgent;
  if (filename)
    request.filename = filename;
  if (Number.isSafeInteger(size) && size > 0)
    request.size = size;
  return request;
}

// ---- The last problem, for the popup

// KIND is 'capture' or 'menu'; NAME the file's name or address; DOWNLOAD the ID of the
// browser's download, if any, whose name the popup shows once the browser knows it.
async function setProblem(kind, name, message, download) {
  const problem = { kind, name, message, time: Date.now() };
  if (download !== undefined)
    problem.download = download;
  await api.storage.local.set({ lastProblem: problem });
  await api.action.setBadgeBackgroundColor({ color: '#e01b24' });
  await api.action.setBadgeText({ text: '!' });
}

async function clearProblem() {
  await api.storage.local.remove('lastProblem');
  await api.action.setBadgeText({ text: '' });
}

// ---- Alt-click: the download of that link stays with the browser

// Link address (without its fragment) → when the bypass ends. The content script sends
// the address on pointerdown, before the click that starts the download.
const bypassed = new Map();

function withoutFragment(url) {
  try {
    const u = new URL(url);
    u.hash = '';
    return u.href;
  } catch {
    return null;
  }
}

function addBypass(url) {
  const key = withoutFragment(url);
  if (key !== null && isHttpUrl(key))
    bypassed.set(key, Date.now() + BYPASS_MS);
}

// Whether one of URLS was Alt-clicked in the last seconds; the bypass is used up.
function takeBypass(...urls) {
  const now = Date.now();
  for (const [key, until] of bypassed)
    if (until < now)
      bypassed.delete(key);
  for (const url of urls) {
    const key = url ? withoutFragment(url) : null;
    if (key !== null && bypassed.has(key)) {
      bypassed.delete(key);
      return true;
    }
  }
  return false;
}

// Firefox follows no link on an Alt-click: it downloads it, as Chromium does by itself.
// The download is the browser's (the Alt-click's bypass lets it through).
async function altClickDownload(url, tab) {
  if (!isHttpUrl(url))
    return;
  addBypass(url);
  const options = { url };
  if (tab?.cookieStoreId)
    options.cookieStoreId = tab.cookieStoreId;
  if (tab?.incognito)
    options.incognito = true;
  try {
    await api.downloads.download(options);
  } catch {
    // A URL the browser will not download: as without the extension, nothing happens.
  }
}

// ---- Capture

// The IDs of the downloads already looked at: each is decided once, whatever happens.
const seen = new Set();

function knownSize(item) {
  for (const n of [item.totalBytes, item.fileSize])
    if (Number.isSafeInteger(n) && n > 0)
      return n;
  return -1;
}

// Why the download stays with the browser, or null when it goes to Haul.
function keepReason(item, s, bypass) {
  const url = item.finalUrl || item.url;
  if (!s.captureEnabled)
    return 'off';
  if (item.state !== 'in_progress')
    return 'not-in-progress';
  if (!isHttpUrl(url) || !isHttpUrl(item.url))
    return 'scheme';
  if (item.byExtensionId && item.byExtensionId === api.runtime.id)
    return 'own';
  // A private window's downloads would outlive it in Haul's list.
  if (item.incognito)
    return 'private';
  const size = knownSize(item);
  if (s.minSize > 0 && size >= 0 && size < s.minSize)
    return 'small';
  const hosts = [url, item.referrer].filter(isHttpUrl).map((u) => new URL(u).hostname);
  if (s.sites.some((site) => hosts.some((h) => hostMatches(h, site))))
    return 'site';
  if (bypass)
    return 'alt';
  return null;
}

async function resume(id) {
  try {
    await api.downloads.resume(id);
  } catch {
    // Cancelled by the person meanwhile, or no longer resumable: the browser shows it.
  }
}

// The item of download ID once the browser knows its size (or after a few seconds, or
// once it has stopped): Firefox announces a download before it knows the size.
async function withKnownSize(id) {
  const deadline = Date.now() + 3000;
  for (;;) {
    const [item] = await api.downloads.search({ id });
    if (item === undefined || item.state !== 'in_progress' || knownSize(item) >= 0 || Date.now() > deadline)
      return item;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Cancels the browser's download ID (its partial file goes with it) and erases its
// entry: Firefox's before Haul is asked, Chromium's paused one once Haul has it. False if
// it could not be cancelled because the browser finished it first (or the person
// cancelled or erased it): then it stays as it is, its file not hidden from the person.
async function cancelAndErase(id) {
  try {
    await api.downloads.cancel(id);
    const [after] = await api.downloads.search({ id });
    if (after?.state !== 'interrupted')
      return false;
  } catch {
    return false;
  }
  // Cancelled: it is the browser's no more, whether or not its entry can be erased.
  try {
    await api.downloads.erase({ id });
  } catch {
    // Erased by the person meanwhile.
  }
  return true;
}

// Firefox: a download taken from the browser that Haul did not take goes back to the
// browser, as the same request (address, referrer, cookie store) under the name the
// browser had chosen, and is not captured again. Resolves to the new download's ID.
async function giveBack(item) {
  const options = { url: item.url, conflictAction: 'uniquify' };
  const referrer = defaultReferrer(item.referrer, item.url);
  if (referrer)
    options.headers = [{ name: 'Referer', value: referrer }];
  if (item.cookieStoreId)
    options.cookieStoreId = item.cookieStoreId;
  const name = basename(item.filename);
  addBypass(item.url);
  for (const attempt of name ? [{ ...options, filename: name }, options] : [options]) {
    try {
      return await api.downloads.download(attempt);
    } catch {
      // A name the browser refuses here: the next attempt lets it choose one.
    }
  }
  return undefined;
}

async function onDownloadCreated(item) {
  // Decided once per download, before the first await.
  if (seen.has(item.id))
    return;
  seen.add(item.id);

  // An Alt-click's bypass is used up by the first download of its link, whatever
  // happens to that download, so that none lingers for a later click.
  const bypass = takeBypass(item.url, item.finalUrl);
  const s = await settings;
  if (keepReason(item, s, bypass) !== null)
    return;

  // Chromium's download waits, paused, while Haul is asked, and goes on if Haul does not
  // take it. Firefox's cannot: its pause is a cancel that keeps the data received so
  // far, and a download with none yet cannot be resumed. There the download is taken
  // from the browser before Haul is asked, and given back to it if Haul does not take
  // it: a download that went on meanwhile could finish in both places.
  if (PAUSE_WHILE_ASKING) {
    try {
      await api.downloads.pause(item.id);
    } catch {
      // Finished (or failed) before it could be paused: it is the browser's already.
      return;
    }
  }
  const resumeIfPaused = () => (PAUSE_WHILE_ASKING ? resume(item.id) : undefined);

  // The item may know more now than when it was created: its name, its size (in
  // Firefox, only once the response has begun). And the browser may already hold the
  // whole file (a small one, a fast network, the browser's cache): Chromium completes
  // such a download even paused. Then it stays where it is.
  const current = PAUSE_WHILE_ASKING || s.minSize === 0 ? (await api.downloads.search({ id: item.id }))[0]
                                                        : await withKnownSize(item.id);
  if (current === undefined)
    return;
  const size = knownSize(current);
  const stopped = current.state === 'complete' || (current.state === 'interrupted' && !current.paused);
  if (stopped || (size > 0 && current.bytesReceived >= size) ||
      (s.minSize > 0 && size >= 0 && size < s.minSize)) {
    await resumeIfPaused();
    return;
  }
  const url = current.finalUrl || current.url;
  const shownName = basename(current.filename) || url;

  // All of the request is made before Firefox's download is taken: nothing that can fail
  // comes between taking it and handing it on. The browser knows the page's whole
  // address; what it sent is less on another origin.
  let request;
  try {
    request = addRequest({
      url,
      referrer: defaultReferrer(current.referrer, url),
      cookies: await cookieHeader(url, current.cookieStoreId, current.referrer),
      filename: suggestedName(current),
      size,
    });
  } catch (e) {
    await resumeIfPaused();
    await setProblem('capture', shownName, String(e?.message ?? e), item.id);
    return;
  }
  if (!PAUSE_WHILE_ASKING) {
    // A host that could not be started a moment ago is not tried at the cost of
    // starting the download again in the browser.
    if (hostDown !== null && Date.now() < hostDown.until) {
      await setProblem('capture', shownName, hostDown.message, item.id);
      return;
    }
    if (!(await cancelAndErase(item.id)))
      return;
  }

  const reply = await ask(request);
  if (reply.type === 'added') {
    if (PAUSE_WHILE_ASKING)
      await cancelAndErase(item.id);
    await clearProblem();
    return;
  }
  const message = reply.type === 'error' ? reply.message : _('badReply');
  if (PAUSE_WHILE_ASKING) {
    await resume(item.id);
    await setProblem('capture', shownName, message, item.id);
    return;
  }
  const given = await giveBack(current);
  await setProblem(given === undefined ? 'lost' : 'capture', shownName, message, given);
}

api.downloads.onCreated.addListener(onDownloadCreated);

// ---- Download with Haul

// The cookie store of TAB: a Firefox container's, or a private window's.
async function cookieStoreOf(tab) {
  if (tab?.cookieStoreId)
    return tab.cookieStoreId;
  if (!tab?.incognito)
    return undefined;
  const stores = await api.cookies.getAllCookieStores();
  return stores.find((store) => store.tabIds.includes(tab.id))?.id;
}

// The listener of the menu item, on globalThis so that a test can call it as a click
// would (a headless browser has no menu to click). Resolves to the host's answer.
async function haulOnMenuClicked(info, tab) {
  if (info?.menuItemId !== MENU_ID)
    return null;
  const url = info.linkUrl || info.srcUrl;
  if (!isHttpUrl(url))
    return null;
  const page = info.frameUrl || info.pageUrl;
  const request = addRequest({
    url,
    referrer: defaultReferrer(page, url),
    cookies: await cookieHeader(url, await cookieStoreOf(tab), page),
  });
  const reply = await ask(request);
  if (reply.type === 'added')
    await clearProblem();
  else
    await setProblem('menu', url, reply.type === 'error' ? reply.message : _('badReply'));
  return reply;
}
globalThis.haulOnMenuClicked = haulOnMenuClicked;

api.contextMenus.onClicked.addListener(haulOnMenuClicked);

// Menu items outlive the background in both browsers; they are made again at install
// and at each start of the browser so that a new title or language takes effect.
function createMenu() {
  api.contextMenus.removeAll().then(() => {
    api.contextMenus.create({
      id: MENU_ID,
      title: _('menuDownload'),
      contexts: ['link', 'image', 'video', 'audio'],
      targetUrlPatterns: ['http://*/*', 'https://*/*'],
    });
  });
}
api.runtime.onInstalled.addListener(createMenu);
api.runtime.onStartup.addListener(createMenu);

// ---- Messages of the popup and the content script

api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== api.runtime.id || message === null || typeof message !== 'object')
    return false;
  if (typeof message.bypass === 'string') {
    addBypass(message.bypass);
    return false;
  }
  if (typeof message.altClick === 'string') {
    if (IS_FIREFOX)
      altClickDownload(message.altClick, sender.tab);
    return false;
  }
  // The rest is for the extension's own pages only, never for a content script.
  if (sender.tab !== undefined && !String(sender.url ?? '').startsWith(api.runtime.getURL('')))
    return false;
  if (message.type === 'status') {
    queryStatus().then(sendResponse);
    return true;
  }
  return false;
});
