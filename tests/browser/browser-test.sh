#!/usr/bin/env bash
# The browser extension in real browsers (Chromium, Firefox ESR), driven by Puppeteer:
# the extension of the build directory, the build's haul-browser-host as its
# native-messaging host, and the build's service, started by D-Bus activation on a
# private session bus, as a desktop starts it. tests/browser/test.mjs has the cases.
#
#   tests/browser/browser-test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

if [ -z "${HAUL_BROWSER_INNER:-}" ]; then
  dir=$(mktemp -d /tmp/haul-browser-XXXXXX)
  trap 'rm -rf "$dir"' EXIT
  export HAUL_BROWSER_INNER=1 TEST_DIR=$dir
  export HOME=$dir/home XDG_STATE_HOME=$dir/state XDG_CONFIG_HOME=$dir/config
  export XDG_DATA_HOME=$dir/data XDG_CACHE_HOME=$dir/cache XDG_RUNTIME_DIR=$dir/runtime
  export GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=$build/data
  export HAUL_TEST_CONDITIONS=$dir/conditions
  # The browsers' messages (the extension's i18n, the host's) in English.
  export LANG=C.UTF-8 LANGUAGE=en
  unset LC_ALL LC_MESSAGES
  mkdir -p "$HOME/Downloads" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR" "$dir/tmp"
  chmod 700 "$XDG_RUNTIME_DIR"
  # The service saves in the XDG download folder: its download-directory setting is empty.
  printf 'XDG_DOWNLOAD_DIR="$HOME/Downloads"\n' > "$XDG_CONFIG_HOME/user-dirs.dirs"
  dbus-run-session --config-file="$build/tests/haul-test-bus.conf" -- "$0" "$build"
  exit $?
fi

dir=$TEST_DIR
haulctl=$build/src/cli/haulctl
cleanup() {
  "$haulctl" quit >/dev/null 2>&1 || true
}
trap cleanup EXIT
fail() { echo "browser-test: $*" >&2; exit 1; }

printf '[conditions]\nonline=true\nmetered=false\npower-saver=false\n' > "$HAUL_TEST_CONDITIONS"
dbus-update-activation-environment HOME XDG_STATE_HOME XDG_CONFIG_HOME XDG_DATA_HOME \
  XDG_CACHE_HOME XDG_RUNTIME_DIR GSETTINGS_BACKEND GSETTINGS_SCHEMA_DIR HAUL_TEST_CONDITIONS \
  LANG LANGUAGE 2>/dev/null

# Puppeteer, from the lock file; only the npm registry is needed, and only once.
if [ ! -d "$here/node_modules/puppeteer-core" ]; then
  npm ci --prefix "$here" --no-audit --no-fund --loglevel=error >&2 ||
    fail "npm ci failed in $here"
fi

# The settings the service reads are in memory (GSETTINGS_BACKEND), so the download folder
# is the XDG one; the test checks that the service's files land there.
export HAUL_BUILD_DIR=$build
export HAUL_BROWSER_HOST=$build/src/browser/haul-browser-host
export HAUL_EXTENSION_DIR_CHROMIUM=${HAUL_EXTENSION_DIR_CHROMIUM:-$build/data/browser/chromium}
export HAUL_EXTENSION_DIR_FIREFOX=${HAUL_EXTENSION_DIR_FIREFOX:-$build/data/browser/firefox}
export HAUL_DOWNLOAD_DIR=$HOME/Downloads
export HAULCTL=$haulctl
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export FIREFOX=${FIREFOX:-/usr/bin/firefox-esr}
export TMPDIR=$dir/tmp
for f in "$HAUL_BROWSER_HOST" "$haulctl" "$HAUL_EXTENSION_DIR_CHROMIUM/manifest.json" \
         "$HAUL_EXTENSION_DIR_FIREFOX/manifest.json" "$CHROMIUM" "$FIREFOX"; do
  [ -e "$f" ] || fail "$f is missing (build the project; install chromium and firefox-esr)"
done
node "$here/test.mjs"
