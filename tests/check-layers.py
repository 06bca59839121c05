#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when an #include goes against the direction of the layers (docs/DESIGN.md).

Between folders of src/: each library sees only those below it. The include paths of
meson already refuse most wrong arrows; this also catches those within one folder, where
the daemon's layers share a directory:

    service (haul-service, haul-daemon)  ->  desktop (haul-status-*, haul-notifier,
    haul-launcher-entry, haul-desktop)  ->  bus (haul-bus*)  ->  manager (haul-manager,
    haul-store, haul-conditions)  ->  transfer (haul-transfer*)  ->  engine

and the lifetime of the GApplication is touched only by the service.
"""

import os
import re
import sys

top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
src = os.path.join(top, "src")

# What each folder may include, besides itself and system headers.
below = {
    "common": set(),
    "engine": {"common"},
    "dbus": {"common"},
    "client": {"common", "dbus"},
    "daemon": {"common", "engine", "dbus"},
    "cli": {"common", "engine", "dbus", "client"},
    "gui": {"common", "dbus", "client"},
    "browser": {"common", "dbus", "client"},
}
# Headers made at build time, by the folder that makes them.
generated = {
    "haul-enum-types.h": "common",
    "haul-dbus-generated.h": "dbus",
    "haul-object-manager-info.h": "dbus",
    "haul-sni-generated.h": "dbus",
    "haul-canonical-generated.h": "dbus",
    "haul-fdo-generated.h": "dbus",
    "haul-resources.h": "gui",
    "haul-desktop-resources.h": "daemon",
}

# The daemon's layers, lowest first, by file name.
daemon_layers = [
    ("transfer", re.compile(r"^haul-transfer")),
    ("manager", re.compile(r"^haul-(manager|store|conditions)")),
    ("bus", re.compile(r"^haul-bus")),
    ("desktop", re.compile(r"^haul-(desktop|status-|notifier|launcher-entry)")),
    ("service", re.compile(r"^haul-(service|daemon)")),
]
# What a daemon layer may take from the folders below the daemon.
daemon_outside = {
    "transfer": {"common", "engine"},
    "manager": {"common", "engine"},
    "bus": {"common", "engine", "dbus"},
    "desktop": {"common", "engine", "dbus"},
    "service": {"common", "engine", "dbus"},
}


def layer_of(name):
    for rank, (layer, pattern) in enumerate(daemon_layers):
        if pattern.match(name):
            return rank, layer
    return None, None


owner = dict(generated)
for folder in below:
    path = os.path.join(src, folder)
    if not os.path.isdir(path):
        continue
    for name in os.listdir(path):
        if name.endswith(".h"):
            owner[name] = folder

include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
problems = []
checked = 0

for folder in below:
    path = os.path.join(src, folder)
    if not os.path.isdir(path):
        continue
    for name in sorted(os.listdir(path)):
        if not name.endswith((".c", ".h")):
            continue
        checked += 1
        file = os.path.join("src", folder, name)
        with open(os.path.join(path, name), encoding="utf-8") as f:
            text = f.read()
        rank, layer = layer_of(name) if folder == "daemon" else (None, None)
        if folder == "daemon" and layer is None:
            problems.append(f"{file}: in no layer of the daemon; name it after its layer")
            continue
        for header in include.findall(text):
            if header == "config.h":
                continue
            there = owner.get(header)
            if there is None:
                problems.append(f"{file}: includes {header}, which no folder of src/ owns")
                continue
            if there == folder:
                if rank is not None:
                    their_rank, their_layer = layer_of(header)
                    if their_rank is None or their_rank > rank:
                        problems.append(f"{file} ({layer}) includes {header} of a higher layer "
                                        f"({their_layer})")
                continue
            allowed = daemon_outside[layer] if layer is not None else below[folder]
            if there not in allowed:
                problems.append(f"{file}: includes {header} of src/{there}, which is not below it")
        if "gtk/gtk.h" in text and folder not in ("gui",):
            problems.append(f"{file}: includes GTK outside src/gui")
        if "g_application_get_default" in text and folder != "gui" and layer != "service":
            problems.append(f"{file}: reaches the GApplication from below; the service holds "
                            "and releases it")

if checked == 0:
    problems.append(f"no sources found under {src}")
for p in problems:
    print(p)
print(f"{checked} files checked, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
