// SPDX-License-Identifier: GPL-3.0-or-later
//
// The popup: capture on or off, whether Haul can be reached, the last problem, and the
// two exceptions (a minimum size, sites). Changes are saved as they are made, as in
// GNOME's preferences: there is no Save button.

import { api, MB, loadSettings, normalizeSite, _ } from './common.js';

const $ = (id) => document.getElementById(id);

function translate() {
  document.documentElement.lang = api.i18n.getUILanguage();
  for (const el of document.querySelectorAll('[data-i18n]'))
    el.textContent = _(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-placeholder]'))
    el.placeholder = _(el.dataset.i18nPlaceholder);
}

// ---- Haul's state

async function showStatus() {
  let status;
  try {
    status = await api.runtime.sendMessage({ type: 'status' });
  } catch (e) {
    status = { reachable: false, message: String(e?.message ?? e) };
  }
  const dot = $('status-dot');
  if (status?.reachable) {
    $('status').textContent = _('statusReady', status.version);
    dot.className = 'dot ready';
  } else {
    $('status').textContent = _('statusUnreachable', status?.message || _('badReply'));
    dot.className = 'dot unreachable';
  }
  document.body.dataset.status = status?.reachable ? 'ready' : 'unreachable';
}

// The name of the browser's download ID, once the browser has chosen it, or null.
async function downloadName(id) {
  if (!Number.isInteger(id))
    return null;
  try {
    const [item] = await api.downloads.search({ id });
    return item?.filename ? item.filename.split(/[\\/]/).pop() : null;
  } catch {
    return null;
  }
}

async function showProblem(problem) {
  const row = $('problem-row');
  if (!problem || typeof problem !== 'object') {
    row.hidden = true;
    $('problem').textContent = '';
    return;
  }
  // A download stays with the browser before the browser has named it: the name it
  // was saved under is looked up now.
  const name = (await downloadName(problem.download)) || problem.name;
  const detail = name ? _('problemDetail', name, problem.message) : problem.message;
  if (problem.kind === 'menu')
    $('problem').textContent = _('problemMenu', detail);
  else if (problem.kind === 'lost')
    $('problem').textContent = _('problemLost', detail);
  else
    $('problem').textContent = _('problemCapture', detail);
  row.hidden = false;
}

// ---- Settings

// "1.5" (or "1,5", as many languages write it) in MB → bytes; null when not a size.
function parseMegabytes(text) {
  const s = text.trim().replace(',', '.');
  if (s === '')
    return 0;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * MB) : null;
}

function formatMegabytes(bytes) {
  return bytes > 0 ? String(Math.round((bytes / MB) * 1000) / 1000) : '0';
}

function sitesOf(text) {
  return [...new Set(text.split(/[\s,]+/).map(normalizeSite).filter(Boolean))];
}

let sitesTimer = 0;

function saveSites() {
  clearTimeout(sitesTimer);
  sitesTimer = 0;
  return api.storage.local.set({ sites: sitesOf($('sites').value) });
}

async function init() {
  translate();
  const settings = await loadSettings();
  const { lastProblem } = await api.storage.local.get('lastProblem');

  const capture = $('capture');
  capture.checked = settings.captureEnabled;
  capture.addEventListener('change', () => api.storage.local.set({ captureEnabled: capture.checked }));

  const minSize = $('min-size');
  minSize.value = formatMegabytes(settings.minSize);
  minSize.addEventListener('input', () => {
    const bytes = parseMegabytes(minSize.value);
    const invalid = bytes === null || !minSize.validity.valid;
    minSize.setAttribute('aria-invalid', String(invalid));
    $('min-size-error').hidden = !invalid;
    if (!invalid)
      api.storage.local.set({ minSize: bytes });
  });

  const sites = $('sites');
  sites.value = settings.sites.join('\n');
  // Saved shortly after typing stops, as the popup may close at any moment; shown
  // cleaned up (one host per line) once the field is left.
  sites.addEventListener('input', () => {
    clearTimeout(sitesTimer);
    sitesTimer = setTimeout(saveSites, 300);
  });
  sites.addEventListener('change', async () => {
    await saveSites();
    sites.value = sitesOf(sites.value).join('\n');
  });
  window.addEventListener('pagehide', () => {
    if (sitesTimer)
      saveSites();
  });

  await showProblem(lastProblem);
  $('problem-dismiss').addEventListener('click', async () => {
    await api.storage.local.remove('lastProblem');
  });
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && 'lastProblem' in changes)
      showProblem(changes.lastProblem.newValue);
  });
  // Seen now: the badge that announced it goes.
  api.action.setBadgeText({ text: '' });

  await showStatus();
  document.body.dataset.ready = 'true';
}

init();
