// SPDX-License-Identifier: GPL-3.0-or-later
//
// Alt-click on a link: its download stays with the browser. In every frame, before the
// page's own scripts, this tells the background which link is about to be clicked. It
// does so on pointerdown, which comes before the click that starts the download, so the
// background knows before the browser announces the download; a keyboard activation,
// which has no pointerdown, sends it with its click. (Once per click: each message is
// used up by one download.)
//
// Alt, because Shift and Ctrl on a link already mean a new window and a new tab, and
// Chromium itself saves a link on Alt-click: Alt already means "download this here".
// Firefox does nothing on an Alt-click (unless browser.altClickSave is set), so after the
// click, unless the page took it, the background has Firefox download the link.

(() => {
  const api = globalThis.browser ?? globalThis.chrome;

  // The address of the link (HTML or SVG) the event is on, or null.
  function linkOf(event) {
    for (const node of event.composedPath()) {
      if (!(node instanceof Element) || (node.localName !== 'a' && node.localName !== 'area'))
        continue;
      const href = node.getAttribute('href') ?? node.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
      if (href === null)
        continue;
      try {
        return new URL(href, node.baseURI).href;
      } catch {
        return null;
      }
    }
    return null;
  }

  function onPointer(event) {
    if (!event.altKey)
      return;
    const url = linkOf(event);
    if (url === null || !/^https?:/i.test(url))
      return;
    // Nothing to wait for: the background only takes note. A click of the mouse (detail
    // counts its clicks) had its pointerdown already.
    if (event.type === 'pointerdown' || event.detail === 0)
      api.runtime.sendMessage({ bypass: url }).catch(() => {});
    if (event.type === 'click' && event.button === 0) {
      // Once the page has seen the click too.
      setTimeout(() => {
        if (!event.defaultPrevented)
          api.runtime.sendMessage({ altClick: url }).catch(() => {});
      }, 0);
    }
  }

  for (const type of ['pointerdown', 'click', 'auxclick'])
    window.addEventListener(type, onPointer, { capture: true, passive: true });
})();
