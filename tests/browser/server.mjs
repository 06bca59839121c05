// SPDX-License-Identifier: GPL-3.0-or-later
//
// The web site of the browser test, on 127.0.0.1: a login that sets an HttpOnly session
// cookie and a SameSite=Strict one, a page of links (and the same page for another
// site), and files under /private/ that only a request with the session cookie gets (403
// otherwise). Every request is recorded with the headers that matter: Cookie, Referer,
// User-Agent, and Sec-Fetch-Mode, which the browsers send and Haul does not, so that the
// test can tell whose request it was.
//
// The files arrive in chunks with a pause between them, as from a real network, over
// about a second: a download is not over before the browser has announced it to the
// extension.

import { randomBytes } from 'node:crypto';
import http from 'node:http';

// name → its bytes, and how they arrive: CHUNK bytes every DELAY ms.
const FILES = {
  'report.bin': { size: 384 * 1024, chunk: 16 * 1024, delay: 40 },
  'notes.bin': { size: 96 * 1024, chunk: 16 * 1024, delay: 20 },
  'tiny.bin': { size: 2 * 1024, chunk: 256, delay: 150 },
};

const FILES_PAGE = (names, origin = '') => `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Files</title></head>
<body>
  <h1>Files</h1>
  <ul>
${names.map((n) => `    <li><a id="${n.replace(/\..*/, '')}" href="${origin}/private/${n}">${n}</a></li>`).join('\n')}
  </ul>
</body></html>
`;

function cookieValue(header, name) {
  for (const part of String(header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name)
      return part.slice(i + 1).trim();
  }
  return null;
}

// The one range of a "bytes=A-B" header within SIZE, or null for the whole file.
function parseRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(String(header ?? '').trim());
  if (!m || (m[1] === '' && m[2] === ''))
    return null;
  let start, end;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start <= end && start < size ? { start, end } : 'unsatisfiable';
}

export async function startServer() {
  const session = randomBytes(16).toString('hex');
  const strict = randomBytes(8).toString('hex');
  const files = new Map(Object.entries(FILES).map(([name, f]) => [name, { ...f, data: randomBytes(f.size) }]));
  const requests = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const record = {
      time: Date.now(),
      method: req.method,
      path: url.pathname,
      cookie: req.headers.cookie ?? null,
      referer: req.headers.referer ?? null,
      userAgent: req.headers['user-agent'] ?? null,
      secFetchMode: req.headers['sec-fetch-mode'] ?? null,
      range: req.headers.range ?? null,
      status: 0,
    };
    requests.push(record);
    const answer = (status, headers, body) => {
      record.status = status;
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    };

    if (url.pathname === '/login') {
      record.status = 200;
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        // The session lets files in; the second cookie, SameSite=Strict, only says which
        // cookies a request carried: a browser sends it on a same-site click only.
        'Set-Cookie': [`session=${session}; Path=/; HttpOnly; SameSite=Lax`,
                       `strict=${strict}; Path=/; HttpOnly; SameSite=Strict`],
      });
      res.end('<!DOCTYPE html><title>Signed in</title><p>Signed in. <a href="/files">Files</a></p>\n');
      return;
    }
    if (url.pathname === '/files') {
      answer(200, { 'Content-Type': 'text/html; charset=utf-8' }, FILES_PAGE([...files.keys()]));
      return;
    }
    // The same links on another site: opened as http://localhost:PORT/cross, they lead
    // to 127.0.0.1.
    if (url.pathname === '/cross') {
      answer(200, { 'Content-Type': 'text/html; charset=utf-8' },
             FILES_PAGE([...files.keys()], `http://127.0.0.1:${server.address().port}`));
      return;
    }
    const m = /^\/private\/([^/]+)$/.exec(url.pathname);
    const file = m ? files.get(m[1]) : undefined;
    if (!file) {
      answer(404, { 'Content-Type': 'text/plain' }, 'Not found\n');
      return;
    }
    if (cookieValue(req.headers.cookie, 'session') !== session) {
      answer(403, { 'Content-Type': 'text/plain' }, 'Sign in first\n');
      return;
    }

    const range = parseRange(req.headers.range, file.data.length);
    if (range === 'unsatisfiable') {
      answer(416, { 'Content-Range': `bytes */${file.data.length}` }, '');
      return;
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? file.data.length - 1;
    record.status = range ? 206 : 200;
    res.writeHead(record.status, {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': `attachment; filename="${m[1]}"`,
      'Content-Length': String(end - start + 1),
      'Accept-Ranges': 'bytes',
      // Private: each click is a request, never an answer from the browser's cache.
      'Cache-Control': 'private, no-store',
      'Last-Modified': 'Mon, 01 Jun 2026 12:00:00 GMT',
      'ETag': `"${m[1]}-${file.data.length}"`,
      ...(range ? { 'Content-Range': `bytes ${start}-${end}/${file.data.length}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    // The body in chunks, until it is all sent or the client goes away (a browser that
    // cancels its paused download just closes the connection).
    let offset = start;
    let timer = null;
    const stop = () => clearTimeout(timer);
    res.on('close', stop);
    res.on('error', stop);
    const send = () => {
      const next = Math.min(offset + file.chunk, end + 1);
      const last = next > end;
      res.write(file.data.subarray(offset, next));
      offset = next;
      if (last)
        res.end();
      else
        timer = setTimeout(send, file.delay);
    };
    send();
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const base = `http://127.0.0.1:${server.address().port}`;

  return {
    base,
    // The same server under another site's name (localhost is not 127.0.0.1's site).
    crossBase: base.replace('127.0.0.1', 'localhost'),
    session,
    strict,
    requests,
    fileData: (name) => files.get(name).data,
    fileUrl: (name) => `${base}/private/${name}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
