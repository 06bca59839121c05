// SPDX-License-Identifier: GPL-3.0-or-later
//
// The browser extension (data/browser) in real browsers, Chromium and Firefox ESR, with
// the build's haul-browser-host and service: captured downloads, the exceptions (capture
// off, the minimum size, the site list, Alt-click), "Download with Haul", and a host that
// cannot be started. Run by tests/browser/browser-test.sh, which sets up the session
// bus, the home directory and the environment below. HAUL_TEST_BROWSERS
// ("chromium,firefox" unless set) names the browsers, for working on one of them.
//
// Whose request the web server saw is told by Sec-Fetch-Mode: the browsers send it,
// Haul does not. Every wait polls until its condition holds or a generous deadline
// fails the case; nothing sleeps for a fixed time and calls that an answer.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import puppeteer from 'puppeteer-core';
import { startServer } from './server.mjs';

const execFileP = promisify(execFile);

function env(name) {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run tests/browser/browser-test.sh BUILD_DIR`);
  return value;
}

const TEST_DIR = env('TEST_DIR');
const HOST = env('HAUL_BROWSER_HOST');
const HAULCTL = env('HAULCTL');
const HAUL_DIR = env('HAUL_DOWNLOAD_DIR');
const CHROMIUM = env('CHROMIUM');
const CHROMIUM_EXTENSION = env('HAUL_EXTENSION_DIR_CHROMIUM');

const HOST_NAME = 'io.github.haul.browser';
const CHROMIUM_ID = 'eakjheplncippikanndjojccdcpnfgem';
const GECKO_ID = 'browser@haul.github.io';
const MENU_ID = 'haul-download';
const VERSION = JSON.parse(await fs.readFile(path.join(CHROMIUM_EXTENSION, 'manifest.json'), 'utf8')).version;

const CASE_TIMEOUT = 150 * 1000;
const WAIT = 60 * 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls FN until it returns something truthy, which it returns; fails after TIMEOUT
// with WHAT and the last error FN threw.
async function waitFor(what, fn, { timeout = WAIT, interval = 150 } = {}) {
  const deadline = Date.now() + timeout;
  let lastError = null;
  for (;;) {
    try {
      const value = await fn();
      if (value)
        return value;
      lastError = null;
    } catch (e) {
      if (e instanceof assert.AssertionError)
        throw e;
      lastError = e;
    }
    if (Date.now() > deadline)
      throw new Error(`waited ${timeout / 1000} s for ${what}${lastError ? `: ${lastError.message}` : ''}`);
    await sleep(interval);
  }
}

// ---- Haul's side

async function haulTransfers() {
  const { stdout } = await execFileP(HAULCTL, ['list', '--json']);
  return JSON.parse(stdout);
}

// Waits until Haul has finished downloading URL, and returns the transfer.
async function waitForHaul(url) {
  return waitFor(`Haul to download ${url}`, async () => {
    const transfer = (await haulTransfers()).find((t) => t.uri === url);
    if (transfer?.state === 'failed')
      assert.fail(`Haul's transfer of ${url} failed: ${transfer.error}`);
    return transfer?.state === 'completed' ? transfer : null;
  });
}

async function listDir(dir) {
  try {
    return (await fs.readdir(dir)).sort();
  } catch (e) {
    if (e.code === 'ENOENT')
      return [];
    throw e;
  }
}

async function assertSameFile(file, data) {
  const got = await fs.readFile(file);
  assert.ok(got.equals(data), `${file} has ${got.length} bytes, not the ${data.length} the server sent`);
}

// ---- The browsers

async function writeJson(file, value) {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify(value, null, 2) + '\n');
}

// The common part: an extension page (popup.html in a tab) that runs the extension's
// API for the test, a tab for the web site, and the host manifest.
class Harness {
  apiPage = null;
  webPage = null;

  // Runs FN in the extension (an extension page), with `api` its browser object.
  // (As a string: the extension's CSP forbids eval, not the debugger's evaluation.)
  async evalExt(fn, ...args) {
    return this.apiPage.evaluate(
      `(${fn.toString()})(globalThis.browser ?? globalThis.chrome, ...${JSON.stringify(args)})`);
  }

  async downloads(query = {}) {
    return this.evalExt((api, q) => api.downloads.search(q), query);
  }

  async storage() {
    return this.evalExt((api) => api.storage.local.get(null));
  }

  // The popup, opened as a page, once it has asked for Haul's state.
  async openPopup() {
    const page = await this.browser.newPage();
    await this.gotoPopup(page);
    return page;
  }

  async gotoPopup(page) {
    await page.goto(this.origin + 'popup.html');
    await page.waitForSelector('body[data-ready="true"]', { timeout: WAIT });
  }

  async start() {
    await this.launch();
    this.apiPage = await this.browser.newPage();
    await this.gotoPopup(this.apiPage);
    this.webPage = await this.browser.newPage();
  }

  async stop() {
    await this.browser?.close();
    this.browser = null;
  }
}

class ChromiumHarness extends Harness {
  name = 'chromium';
  origin = `chrome-extension://${CHROMIUM_ID}/`;
  profile = path.join(TEST_DIR, 'chromium-profile');
  downloadDir = path.join(TEST_DIR, 'chromium-downloads');

  // Chromium reads the per-user host manifests from the profile, at each start of a host.
  async setHost(program) {
    await writeJson(path.join(this.profile, 'NativeMessagingHosts', `${HOST_NAME}.json`), {
      name: HOST_NAME,
      description: 'Haul',
      path: program,
      type: 'stdio',
      allowed_origins: [this.origin],
    });
  }

  async launch() {
    await fs.mkdir(this.downloadDir, { recursive: true });
    await this.setHost(HOST);
    // The profile's own download folder, with no question asked: the browser's copies
    // go there, apart from Haul's.
    await writeJson(path.join(this.profile, 'Default', 'Preferences'), {
      download: { default_directory: this.downloadDir, prompt_for_download: false, directory_upgrade: true },
      savefile: { default_directory: this.downloadDir },
    });
    this.browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: this.profile,
      enableExtensions: true,
      pipe: true,
      args: [
        `--load-extension=${CHROMIUM_EXTENSION}`,
        `--disable-extensions-except=${CHROMIUM_EXTENSION}`,
        '--lang=en-US',
        // A root user (a container, CI) has no sandbox.
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ],
      env: process.env,
      protocolTimeout: WAIT,
    });
    await this.worker();
  }

  // The extension's service worker, woken by a message when Chromium has stopped it.
  async worker() {
    const isOurs = (t) => t.type() === 'service_worker' && t.url().startsWith(this.origin);
    let target = this.browser.targets().find(isOurs);
    if (!target) {
      if (this.apiPage)
        await this.evalExt((api) => api.runtime.sendMessage({ type: 'status' }));
      target = await this.browser.waitForTarget(isOurs, { timeout: WAIT });
    }
    return target.worker();
  }

  // What a click on "Download with Haul" does: the worker calls the menu's listener.
  async menuClick(info) {
    const worker = await this.worker();
    return worker.evaluate((i) => globalThis.haulOnMenuClicked(i), info);
  }
}

// Firefox, over WebDriver BiDi. The extension is installed as a temporary add-on, and
// its moz-extension:// origin is fixed by a preference, so that the test can open its
// pages. Firefox reads the per-user host manifests from ~/.mozilla.
class FirefoxHarness extends Harness {
  name = 'firefox';
  uuid = '6b2f2a3e-0c39-4d3c-9d2e-48c0a8f1b7a5';
  origin = `moz-extension://${this.uuid}/`;
  profile = path.join(TEST_DIR, 'firefox-profile');
  downloadDir = path.join(TEST_DIR, 'firefox-downloads');

  async setHost(program) {
    await writeJson(path.join(process.env.HOME, '.mozilla', 'native-messaging-hosts', `${HOST_NAME}.json`), {
      name: HOST_NAME,
      description: 'Haul',
      path: program,
      type: 'stdio',
      allowed_extensions: [GECKO_ID],
    });
  }

  async launch() {
    await fs.mkdir(this.downloadDir, { recursive: true });
    await fs.mkdir(this.profile, { recursive: true });
    await this.setHost(HOST);
    this.browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: env('FIREFOX'),
      headless: true,
      userDataDir: this.profile,
      // WebDriver BiDi navigates only to web pages unless allowed more; the test opens
      // the extension's pages.
      args: ['--remote-allow-system-access'],
      env: process.env,
      protocolTimeout: WAIT,
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: this.uuid }),
        'browser.download.dir': this.downloadDir,
        'browser.download.folderList': 2,
        'browser.download.useDownloadDir': true,
        'browser.download.always_ask_before_handling_new_types': false,
        'browser.download.start_downloads_in_tmp_dir': false,
        'browser.download.alwaysOpenPanel': false,
        'browser.download.panel.shown': true,
      },
    });
    const id = await this.browser.installExtension(env('HAUL_EXTENSION_DIR_FIREFOX'));
    assert.equal(id, GECKO_ID);
  }

  // The extension's page loads in the extension process, where Puppeteer does not see
  // its load event (the page can be evaluated, though): the test waits for the page
  // itself.
  async gotoPopup(page) {
    await page.goto(this.origin + 'popup.html', { waitUntil: 'none' });
    await waitFor('the popup to load', async () =>
      page.evaluate('location.href.startsWith(' + JSON.stringify(this.origin) + ') && document.body?.dataset.ready === "true"'));
  }

  // Firefox's background is a page: an extension page reaches it.
  async menuClick(info) {
    return this.evalExt(async (api, i) => (await api.runtime.getBackgroundPage()).haulOnMenuClicked(i), info);
  }
}

// ---- The cases, for one browser

function browserCases(h) {
  let server;
  let browserUserAgent;
  const browserRequest = (r) => r.secFetchMode !== null;

  // The requests for NAME since SINCE, the browser's and Haul's.
  const requestsFor = (name, since) => {
    const all = server.requests.filter((r) => r.path === `/private/${name}` && r.time >= since);
    return { browser: all.filter(browserRequest), haul: all.filter((r) => !browserRequest(r)) };
  };

  // Clicks the link ID on the page of files, in a tab of its own (the tab of the click
  // before may still be busy with its download).
  async function click(id, { alt = false, page = undefined } = {}) {
    await h.webPage?.close();
    h.webPage = await h.browser.newPage();
    await h.webPage.goto(page ?? `${server.base}/files`, { waitUntil: 'load' });
    if (alt)
      await h.webPage.keyboard.down('Alt');
    try {
      await h.webPage.click(`#${id}`);
    } finally {
      if (alt)
        await h.webPage.keyboard.up('Alt');
    }
  }

  // Waits until the browser has downloaded URL itself (a download that was not there
  // among BEFORE), checks the file, and returns its download item.
  async function waitForBrowserDownload(url, before, data) {
    const item = await waitFor(`the browser to download ${url}`, async () => {
      const items = (await h.downloads({ url })).filter((d) => !before.has(d.id));
      const found = items.find((d) => d.state === 'complete') ?? null;
      if (!found && items.some((d) => d.state === 'interrupted'))
        assert.fail(`the browser's download of ${url} was interrupted: ${items.map((d) => d.error).join(', ')}`);
      return found;
    });
    assert.equal(path.dirname(item.filename), h.downloadDir, 'the browser saved it in its own folder');
    await assertSameFile(item.filename, data);
    return item;
  }

  const downloadIds = async () => new Set((await h.downloads()).map((d) => d.id));
  const haulCount = async (url) => (await haulTransfers()).filter((t) => t.uri === url).length;

  // Clicks the link to NAME (on PAGE, the page of files unless given, with Alt if ALT)
  // and waits for the browser's own download of it, which must be its one download and
  // one new file (Firefox's first try, when the extension took it before asking Haul,
  // is gone with its partial file), with no request and no new transfer in Haul; every
  // request of it carries REFERER, when given. Returns the item and the browser's
  // requests.
  async function clickKept(name, { alt = false, page = undefined, referer = undefined } = {}) {
    const url = server.fileUrl(name);
    const since = Date.now();
    const before = await downloadIds();
    const browserBefore = await listDir(h.downloadDir);
    const count = await haulCount(url);
    await click(name.replace(/\..*/, ''), { alt, page });
    const item = await waitForBrowserDownload(url, before, server.fileData(name));
    const { browser, haul } = requestsFor(name, since);
    assert.ok(browser.length > 0, 'the browser fetched it');
    assert.equal(await haulCount(url), count, 'Haul got no new transfer');
    assert.equal(haul.length, 0, 'Haul did not request it');
    assert.deepEqual((await h.downloads({ url })).filter((d) => !before.has(d.id)).map((d) => d.id), [item.id],
                     'the browser has one download of it');
    assert.deepEqual(await listDir(h.downloadDir), [...browserBefore, path.basename(item.filename)].sort(),
                     'the browser\'s folder has one new file');
    if (referer !== undefined)
      for (const r of browser)
        assert.equal(r.referer, referer, 'the browser\'s requests carried the Referer it sends');
    return { item, browser };
  }

  // Removes Haul's transfers of URL, with their files.
  async function forgetInHaul(url) {
    const transfers = (await haulTransfers()).filter((t) => t.uri === url);
    if (transfers.length > 0)
      await execFileP(HAULCTL, ['remove', '--delete-file', ...transfers.map((t) => String(t.id))]);
    await waitFor(`Haul to forget ${url}`, async () => {
      const names = await listDir(HAUL_DIR);
      return transfers.every((t) => !names.includes(t.filename)) && (await haulCount(url)) === 0;
    });
  }

  // The cookies of a Cookie header, in an order of their own (a browser's order is by
  // path and creation time).
  const cookieSet = (header) => String(header ?? '').split(/;\s*/).filter(Boolean).sort();

  // Haul got the request of the extension: with the browser's cookies (by default those
  // of a same-site click: the session and the SameSite=Strict one), user agent and the
  // page as referrer, and it was let in.
  function assertHaulRequests(name, since, referer, cookies = null) {
    const { haul } = requestsFor(name, since);
    const expected = cookies ?? [`session=${server.session}`, `strict=${server.strict}`].sort();
    assert.ok(haul.length > 0, `the server saw no request from Haul for ${name}`);
    for (const r of haul) {
      assert.deepEqual(cookieSet(r.cookie), expected, `Haul's request for ${name} carried the browser's cookies`);
      assert.equal(r.userAgent, browserUserAgent, `Haul's request for ${name} carried the browser's User-Agent`);
      assert.equal(r.referer, referer, `Haul's request for ${name} carried the page as Referer`);
      assert.ok(r.status === 200 || r.status === 206, `Haul's request for ${name} was answered ${r.status}`);
    }
  }

  async function setSetting(what, doIt, check) {
    const popup = await h.openPopup();
    try {
      await doIt(popup);
      await waitFor(what, async () => check(await h.storage()));
    } finally {
      await popup.close();
    }
  }

  const setCapture = (on) => setSetting(`capture to be ${on ? 'on' : 'off'}`, async (popup) => {
    const checked = await popup.$eval('#capture', (el) => el.checked);
    if (checked !== on)
      await popup.click('#capture');
  }, (s) => (s.captureEnabled ?? true) === on);

  // Empties the field SELECTOR of POPUP as a person does: select all, delete.
  async function clearField(popup, selector) {
    await popup.click(selector);
    await popup.keyboard.down('Control');
    await popup.keyboard.press('KeyA');
    await popup.keyboard.up('Control');
    await popup.keyboard.press('Backspace');
  }

  const setMinSize = (mb, bytes) => setSetting(`the minimum size to be ${bytes} bytes`, async (popup) => {
    await clearField(popup, '#min-size');
    await popup.type('#min-size', mb);
  }, (s) => s.minSize === bytes);

  before(async () => {
    // Haul's folder and list empty, as the browser before may have left them.
    // (`haulctl remove` takes IDs only: it refuses --all.)
    const ids = (await haulTransfers()).map((t) => String(t.id));
    if (ids.length > 0)
      await execFileP(HAULCTL, ['remove', '--delete-file', ...ids]);
    await waitFor('Haul\'s folder to be empty', async () =>
      (await listDir(HAUL_DIR)).length === 0 && (await haulTransfers()).length === 0);
    server = await startServer();
    await h.start();
    // Signed in: the browser holds the HttpOnly session cookie.
    await h.webPage.goto(`${server.base}/login`, { waitUntil: 'load' });
    await h.webPage.goto(`${server.base}/files`, { waitUntil: 'load' });
    browserUserAgent = server.requests.findLast((r) => r.path === '/files').userAgent;
    assert.ok(browserUserAgent, 'the browser sent a User-Agent');
  });

  after(async () => {
    await h.stop();
    await server?.close();
  });

  test('the popup shows that Haul is ready', { timeout: CASE_TIMEOUT }, async () => {
    const popup = await h.openPopup();
    try {
      assert.equal(await popup.$eval('#status', (el) => el.textContent), `Haul ${VERSION} is ready`);
      assert.equal(await popup.$eval('#capture', (el) => el.checked), true, 'capture is on by default');
      assert.equal(await popup.$eval('#problem-row', (el) => el.hidden), true, 'there is no problem to show');
      assert.equal(await popup.$eval('[data-i18n="captureTitle"]', (el) => el.textContent), 'Capture downloads');
    } finally {
      await popup.close();
    }
  });

  test('capture on: a clicked download goes to Haul, with the cookie, and only there', { timeout: CASE_TIMEOUT }, async () => {
    const url = server.fileUrl('report.bin');
    const since = Date.now();
    const browserBefore = await listDir(h.downloadDir);
    await click('report');

    const transfer = await waitForHaul(url);
    assert.equal(transfer.directory, HAUL_DIR, 'Haul saved it in the XDG download folder');
    assert.equal(transfer.filename, 'report.bin');
    await assertSameFile(path.join(HAUL_DIR, 'report.bin'), server.fileData('report.bin'));
    assertHaulRequests('report.bin', since, `${server.base}/files`);
    // The browser did start it (the extension took it over; nothing else sends it).
    assert.ok(requestsFor('report.bin', since).browser.length > 0, 'the browser requested the file first');

    // The browser's own download is cancelled and erased, and left no file behind.
    await waitFor('the browser to forget its download', async () => (await h.downloads({ url })).length === 0);
    assert.deepEqual(await listDir(h.downloadDir), browserBefore, 'the browser\'s folder is unchanged');
    assert.deepEqual(await listDir(HAUL_DIR), ['report.bin'], 'Haul\'s folder has the one file');
    assert.equal(await haulCount(url), 1, 'Haul has one transfer of it');
    assert.equal((await h.storage()).lastProblem, undefined, 'no problem was recorded');
  });

  // A link on another site (localhost) to the file on 127.0.0.1: the browser sends the
  // session cookie (SameSite=Lax goes with a top-level navigation), not the Strict one,
  // and only its origin as Referer. Haul's request carries what the browser's carried.
  test('a cross-site click: Haul gets the cookies and referrer the browser sent, no more', { timeout: CASE_TIMEOUT }, async () => {
    const url = server.fileUrl('report.bin');
    await forgetInHaul(url);
    const since = Date.now();
    await click('report', { page: `${server.crossBase}/cross` });

    const transfer = await waitForHaul(url);
    await assertSameFile(path.join(HAUL_DIR, transfer.filename), server.fileData('report.bin'));
    const [sent] = requestsFor('report.bin', since).browser;
    assert.ok(sent, 'the browser requested the file first');
    assert.deepEqual(cookieSet(sent.cookie), [`session=${server.session}`],
                     'the browser sent the session cookie only (the premise of this case)');
    assertHaulRequests('report.bin', since, sent.referer, cookieSet(sent.cookie));
    await waitFor('the browser to forget its download', async () => (await h.downloads({ url })).length === 0);
  });

  test('Download with Haul: the menu\'s command hands a link to Haul, with the cookie', { timeout: CASE_TIMEOUT }, async () => {
    const url = server.fileUrl('notes.bin');
    const since = Date.now();
    const before = await downloadIds();
    const reply = await h.menuClick({ menuItemId: MENU_ID, linkUrl: url, pageUrl: `${server.base}/files` });
    assert.equal(reply?.type, 'added', `the host answered ${JSON.stringify(reply)}`);
    assert.ok(Number.isInteger(reply.id), 'with the transfer\'s ID');

    const transfer = await waitForHaul(url);
    assert.equal(transfer.id, reply.id);
    await assertSameFile(path.join(HAUL_DIR, 'notes.bin'), server.fileData('notes.bin'));
    assertHaulRequests('notes.bin', since, `${server.base}/files`);
    assert.equal(requestsFor('notes.bin', since).browser.length, 0, 'the browser did not request it');
    assert.deepEqual([...await downloadIds()].filter((id) => !before.has(id)), [], 'the browser has no download of it');
  });

  test('capture off (set in the popup): the download stays with the browser', { timeout: CASE_TIMEOUT }, async () => {
    await setCapture(false);
    await clickKept('report.bin', { referer: `${server.base}/files` });
    await setCapture(true);
  });

  test('Alt-click: the download stays with the browser', { timeout: CASE_TIMEOUT }, async () => {
    assert.equal((await h.storage()).captureEnabled ?? true, true, 'capture is on');
    await clickKept('report.bin', { alt: true });
  });

  test('minimum size: a smaller download stays with the browser, a larger one goes to Haul', { timeout: CASE_TIMEOUT }, async () => {
    const url = server.fileUrl('tiny.bin');
    // With no minimum, the small file goes to Haul: it is the minimum that keeps it.
    const before = await downloadIds();
    await click('tiny');
    await waitForHaul(url);
    await assertSameFile(path.join(HAUL_DIR, 'tiny.bin'), server.fileData('tiny.bin'));
    await waitFor('the browser to forget its download', async () =>
      (await h.downloads({ url })).every((d) => before.has(d.id)));

    // 0.01 MB = 10,000 bytes, above the file's 2 KiB.
    await setMinSize('0.01', 10000);
    await clickKept('tiny.bin', { referer: `${server.base}/files` });
    assert.equal(await haulCount(url), 1, 'Haul got no second transfer');
    await setMinSize('0', 0);
  });

  test('site list (set in the popup): a listed site\'s download stays with the browser', { timeout: CASE_TIMEOUT }, async () => {
    // Typed as an address, kept as its host name.
    const setSites = (text, sites) => setSetting(`the site list to be ${JSON.stringify(sites)}`, async (popup) => {
      await clearField(popup, '#sites');
      if (text)
        await popup.type('#sites', text);
    }, (st) => JSON.stringify(st.sites) === JSON.stringify(sites));
    await setSites(`${server.base}/files`, ['127.0.0.1']);
    await clickKept('report.bin', { referer: `${server.base}/files` });
    await setSites('', []);
  });

  // Haul answers after the browser would have finished the download itself (the file
  // takes about a second; the host starts three seconds late): still one copy, Haul's.
  // In Firefox, whose download cannot wait paused, this is what taking the download
  // from the browser before asking is for. The browser's folder has report.bin from the
  // cases before, so the browser calls this one "report (N).bin"; Haul's folder does
  // not, and there it is report.bin.
  test('a host that answers late: the download goes to Haul, and only there', { timeout: CASE_TIMEOUT }, async () => {
    const url = server.fileUrl('report.bin');
    const slowHost = path.join(TEST_DIR, 'slow-host.sh');
    await fs.writeFile(slowHost, `#!/bin/sh\nsleep 3\nexec ${JSON.stringify(HOST)} "$@"\n`, { mode: 0o755 });
    await h.setHost(slowHost);
    try {
      await forgetInHaul(url);
      const since = Date.now();
      const before = await downloadIds();
      const browserBefore = await listDir(h.downloadDir);
      await click('report');

      await waitForHaul(url);
      await assertSameFile(path.join(HAUL_DIR, 'report.bin'), server.fileData('report.bin'));
      assertHaulRequests('report.bin', since, `${server.base}/files`);
      assert.ok(requestsFor('report.bin', since).browser.length > 0, 'the browser requested the file first');
      await waitFor('the browser to forget its download', async () =>
        (await h.downloads({ url })).every((d) => before.has(d.id)));
      assert.deepEqual(await listDir(h.downloadDir), browserBefore, 'the browser\'s folder is unchanged');
      assert.equal(await haulCount(url), 1, 'Haul has one transfer of it');
    } finally {
      await h.setHost(HOST);
    }
  });

  test('host unreachable: the download stays with the browser and the popup says why', { timeout: CASE_TIMEOUT }, async () => {
    await h.setHost(path.join(TEST_DIR, 'no-such-dir', 'haul-browser-host'));
    try {
      // From another site: only the page's origin as Referer, in Firefox's second
      // request too, which the extension makes.
      await clickKept('report.bin', { page: `${server.crossBase}/cross`, referer: `${server.crossBase}/` });

      // Soon after, from the same site. Firefox, whose download would be taken and
      // started again, does not try the host again for a while: its first request is
      // the only one.
      const { item, browser } = await clickKept('report.bin', { referer: `${server.base}/files` });
      if (h.name === 'firefox')
        assert.equal(browser.length, 1, 'Firefox requested it once');
      // The browser took its download back after the extension had paused it.
      const problem = (await h.storage()).lastProblem;
      assert.equal(problem?.kind, 'capture', `the problem was recorded: ${JSON.stringify(problem)}`);

      const popup = await h.openPopup();
      try {
        const status = await popup.$eval('#status', (el) => el.textContent);
        assert.match(status, /^Haul cannot be reached: the browser could not start haul-browser-host \(.+\)$/);
        assert.equal(await popup.$eval('#problem-row', (el) => el.hidden), false, 'the problem is shown');
        const shown = await popup.$eval('#problem', (el) => el.textContent);
        // Named as the browser saved it (report (N).bin after the cases before).
        const name = path.basename(item.filename).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        assert.match(shown, new RegExp(`^The last download stayed with the browser: ${name}: ` +
                                       'the browser could not start haul-browser-host \\(.+\\)$'));
        await popup.click('#problem-dismiss');
        await waitFor('the problem to be dismissed', async () => (await h.storage()).lastProblem === undefined);
        await popup.waitForSelector('#problem-row[hidden]', { timeout: WAIT });
      } finally {
        await popup.close();
      }
    } finally {
      await h.setHost(HOST);
    }
  });
}

// ---- The run

after(async () => {
  await execFileP(HAULCTL, ['quit']).catch(() => {});
});

const harnesses = { chromium: ChromiumHarness, firefox: FirefoxHarness };
for (const name of (process.env.HAUL_TEST_BROWSERS ?? 'chromium,firefox').split(','))
  describe(name, () => browserCases(new harnesses[name]()));
