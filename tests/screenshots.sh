#!/usr/bin/env bash
# Renders the main window to data/screenshots/ (light, dark, zh_CN) through GTK itself,
# with transfers in every state, on a private bus under Xvfb:
#
#   tests/screenshots.sh [BUILD_DIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
out=$top/data/screenshots
mkdir -p "$out"
ninja -C "$build" tests/screenshot po/zh_CN/LC_MESSAGES/haul.mo >/dev/null

shoot() {
  local name=$1; shift
  env GSK_RENDERER=cairo GTK_A11Y=none GDK_DEBUG=gl-disable GDK_BACKEND=x11 \
      GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$build/data" HAUL_TEST_BUS=1 \
      HAUL_LOCALEDIR="$build/po" "$@" \
    xvfb-run -a -s "-screen 0 1280x1024x24" \
      dbus-run-session --config-file="$build/tests/haul-test-bus.conf" -- \
      "$build/tests/screenshot" "$out" "$name" ${DARK:-}
}

shoot main
DARK=dark shoot main-dark
shoot main-zh_CN LANG=C.UTF-8 LANGUAGE=zh_CN
ls -l "$out"
