#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make one browser's extension directory: the files, and that browser's manifest.

    assemble-extension.py [--version VERSION] SRCDIR MANIFEST OUTDIR FILE...

Each FILE keeps its path below SRCDIR; MANIFEST becomes OUTDIR/manifest.json. OUTDIR is
made afresh, so that a file dropped from the list does not linger in it. With --version,
the manifest's version must be VERSION (the project's), or this fails.
"""

import argparse
import json
import os
import shutil
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--version', help='the version the manifest must have')
    parser.add_argument('srcdir')
    parser.add_argument('manifest')
    parser.add_argument('outdir')
    parser.add_argument('files', nargs='+')
    args = parser.parse_args()

    with open(args.manifest, encoding='utf-8') as f:
        manifest = json.load(f)
    if args.version is not None and manifest.get('version') != args.version:
        sys.exit(f'{args.manifest}: the version is {manifest.get("version")!r}, '
                 f'the project\'s is {args.version!r}')

    srcdir = os.path.realpath(args.srcdir)
    shutil.rmtree(args.outdir, ignore_errors=True)
    os.makedirs(args.outdir)
    for name in args.files:
        rel = os.path.relpath(os.path.realpath(name), srcdir)
        if rel.startswith(os.pardir):
            sys.exit(f'{name} is not below {args.srcdir}')
        dest = os.path.join(args.outdir, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(name, dest)
    shutil.copyfile(args.manifest, os.path.join(args.outdir, 'manifest.json'))


if __name__ == '__main__':
    main()
