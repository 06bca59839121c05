// SPDX-License-Identifier: GPL-3.0-or-later
//
// The extension's messages (data/browser/_locales): every language has every message
// of English and no other, with the same placeholders; every message the extension
// names (manifest, popup.html, the scripts) exists, and every message is used.
//
//   node tests/browser/check-locales.mjs data/browser

import fs from 'node:fs/promises';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: check-locales.mjs EXTENSION_SOURCE_DIR');
  process.exit(2);
}
const problems = [];
const readJson = async (file) => JSON.parse(await fs.readFile(path.join(dir, file), 'utf8'));

const languages = (await fs.readdir(path.join(dir, '_locales'))).sort();
const catalogues = Object.fromEntries(await Promise.all(
  languages.map(async (l) => [l, await readJson(`_locales/${l}/messages.json`)])));
const en = catalogues.en;
if (!en)
  problems.push('there is no _locales/en');

// The placeholders a message defines, and the ones its text uses ($NAME$, any case).
const defined = (m) => Object.keys(m.placeholders ?? {}).map((p) => p.toLowerCase()).sort();
const used = (m) => [...new Set([...m.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((x) => x[1].toLowerCase()))].sort();

for (const [lang, messages] of Object.entries(catalogues)) {
  for (const [key, m] of Object.entries(messages)) {
    if (typeof m.message !== 'string' || m.message === '')
      problems.push(`${lang}: “${key}” has no message`);
    else if (JSON.stringify(used(m)) !== JSON.stringify(defined(m)))
      problems.push(`${lang}: “${key}” uses the placeholders ${used(m)} but defines ${defined(m)}`);
    if (lang !== 'en' && en && !(key in en))
      problems.push(`${lang}: “${key}” is not an English message`);
    if (lang !== 'en' && en?.[key] && JSON.stringify(defined(m)) !== JSON.stringify(defined(en[key])))
      problems.push(`${lang}: “${key}” has other placeholders than English`);
  }
  for (const key of Object.keys(en ?? {}))
    if (!(key in messages))
      problems.push(`${lang}: “${key}” is missing`);
}

// The names of the messages the extension uses.
const names = new Set();
const manifest = await fs.readFile(path.join(dir, 'manifest.json'), 'utf8');
for (const m of manifest.matchAll(/__MSG_(\w+)__/g))
  names.add(m[1]);
const html = await fs.readFile(path.join(dir, 'popup.html'), 'utf8');
for (const m of html.matchAll(/data-i18n(?:-[a-z]+)?="(\w+)"/g))
  names.add(m[1]);
for (const file of (await fs.readdir(dir)).filter((f) => f.endsWith('.js'))) {
  const js = await fs.readFile(path.join(dir, file), 'utf8');
  for (const m of js.matchAll(/(?:\b_|getMessage)\(\s*'(\w+)'/g))
    names.add(m[1]);
  // A name chosen at run time: `_(cond ? 'a' : 'b', …)`.
  for (const m of js.matchAll(/\b_\([^)]*?\?\s*'(\w+)'\s*:\s*'(\w+)'/g)) {
    names.add(m[1]);
    names.add(m[2]);
  }
}
for (const name of names)
  if (en && !(name in en))
    problems.push(`“${name}” is used but is not in _locales/en`);
for (const key of Object.keys(en ?? {}))
  if (!names.has(key))
    problems.push(`“${key}” is in _locales/en but nothing uses it`);

if (problems.length > 0) {
  for (const p of problems)
    console.error(`check-locales: ${p}`);
  process.exit(1);
}
console.log(`check-locales: ${languages.join(', ')}: ${Object.keys(en).length} messages each, all used`);
