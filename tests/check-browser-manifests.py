#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when the native-messaging manifests and the extension disagree (the extension's
strings are checked by tests/browser/check-locales.mjs).

The host's manifests (made by data/meson.build) must name the built host by an absolute
path and allow exactly the extension as the browsers will know it: for Chromium, the ID
that the public key in data/browser/manifest.json gives (the first 128 bits of its
SHA-256, written with the letters a-p); for Firefox, the gecko ID of the manifest that
the build makes for it.

    check-browser-manifests.py SOURCE_DIR BUILD_DIR BINDIR
"""

import base64
import hashlib
import json
import os
import sys

source, build, bindir = sys.argv[1:4]
failures = []


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


chromium_ext = load(os.path.join(source, "data", "browser", "manifest.json"))
firefox_ext = load(os.path.join(build, "data", "browser", "firefox", "manifest.json"))
key = base64.b64decode(chromium_ext["key"])
digest = hashlib.sha256(key).hexdigest()[:32]
chromium_id = "".join(chr(ord("a") + int(c, 16)) for c in digest)
firefox_id = firefox_ext["browser_specific_settings"]["gecko"]["id"]

expected = {
    "chromium": ("allowed_origins", [f"chrome-extension://{chromium_id}/"]),
    "firefox": ("allowed_extensions", [firefox_id]),
}
for browser, (field, allowed) in expected.items():
    path = os.path.join(build, "data", f"io.github.haul.browser.{browser}.json")
    manifest = load(path)
    if manifest.get("name") != "io.github.haul.browser":
        failures.append(f"{path}: name is {manifest.get('name')!r}")
    if manifest.get("type") != "stdio":
        failures.append(f"{path}: type is {manifest.get('type')!r}")
    if manifest.get("path") != os.path.join(bindir, "haul-browser-host"):
        failures.append(f"{path}: path is {manifest.get('path')!r}, not in {bindir}")
    if not os.path.isabs(manifest.get("path", "")):
        failures.append(f"{path}: the host's path is not absolute")
    if manifest.get(field) != allowed:
        failures.append(f"{path}: {field} is {manifest.get(field)!r}, not {allowed!r}")
    other = "allowed_extensions" if field == "allowed_origins" else "allowed_origins"
    if other in manifest:
        failures.append(f"{path}: has {other}, which {browser} does not read")

if "key" in firefox_ext:
    failures.append("the Firefox manifest still has Chromium's key")
with open(os.path.join(source, "docs", "browser-protocol.md"), encoding="utf-8") as f:
    protocol = f.read()
for ext_id in (chromium_id, firefox_id):
    if ext_id not in protocol:
        failures.append(f"docs/browser-protocol.md does not name the extension ID {ext_id}")

for failure in failures:
    print(failure)
print(f"chromium {chromium_id}, firefox {firefox_id}: "
      + ("mismatch" if failures else "manifests agree"))
sys.exit(1 if failures else 0)
