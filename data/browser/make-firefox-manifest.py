#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the Firefox manifest of the extension from the Chromium one (manifest.json).

    make-firefox-manifest.py CHROMIUM_MANIFEST FIREFOX_MANIFEST

The Chromium manifest is the source; Firefox (128 and newer, Manifest V3) differs in:
- the ID: `key` fixes Chromium's; Firefox takes its ID from browser_specific_settings;
- the background: Firefox runs background scripts (an event page), not a service worker;
- keys Firefox does not know (`key`, `minimum_chrome_version`), which it warns about.
"""

import argparse
import json

GECKO_ID = 'browser@haul.github.io'
GECKO_MIN_VERSION = '128.0'
CHROMIUM_ONLY_KEYS = ('key', 'minimum_chrome_version', 'update_url')


def firefox_manifest(chromium):
    manifest = {k: v for k, v in chromium.items() if k not in CHROMIUM_ONLY_KEYS}

    background = dict(chromium.get('background', {}))
    worker = background.pop('service_worker', None)
    if worker is not None:
        background['scripts'] = [worker]
    manifest['background'] = background

    manifest['browser_specific_settings'] = {
        'gecko': {
            'id': GECKO_ID,
            'strict_min_version': GECKO_MIN_VERSION,
            # Nothing leaves the machine: the host talks only to the local service
            # (docs/browser-protocol.md, "What leaves the browser"). Firefox 128–139
            # do not know this key and ignore it with a warning.
            'data_collection_permissions': {'required': ['none']},
        },
    }
    return manifest


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('chromium_manifest')
    parser.add_argument('firefox_manifest')
    args = parser.parse_args()

    with open(args.chromium_manifest, encoding='utf-8') as f:
        chromium = json.load(f)

    with open(args.firefox_manifest, 'w', encoding='utf-8') as f:
        json.dump(firefox_manifest(chromium), f, indent=2, ensure_ascii=False)
        f.write('\n')


if __name__ == '__main__':
    main()
