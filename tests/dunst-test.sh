#!/usr/bin/env bash
# A completed download, shown by a real notification server: dunst under Xvfb, on a
# private session bus that activates the build's service; `dunstctl` reads back what it
# showed. (tests/desktop-test.c covers the protocol against a recording mock; this checks
# that a real server takes and shows what the service sends.)
#
#   tests/dunst-test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)

if [ -z "${HAUL_DUNST_INNER:-}" ]; then
  dir=$(mktemp -d /tmp/haul-dunst-XXXXXX)
  trap 'rm -rf "$dir"' EXIT
  export HAUL_DUNST_INNER=1 TEST_DIR=$dir
  export HOME=$dir/home XDG_STATE_HOME=$dir/state XDG_CONFIG_HOME=$dir/config
  export XDG_DATA_HOME=$dir/data XDG_CACHE_HOME=$dir/cache XDG_RUNTIME_DIR=$dir/runtime
  export GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=$build/data
  export HAUL_TEST_CONDITIONS=$dir/conditions
  mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$dir/downloads" "$dir/www" "$dir/tmp"
  chmod 700 "$XDG_RUNTIME_DIR"
  "$(dirname "$0")/with-xvfb.sh" \
    dbus-run-session --config-file="$build/tests/haul-test-bus.conf" -- "$0" "$build"
  exit $?
fi

dir=$TEST_DIR
haulctl=$build/src/cli/haulctl
pids=()
cleanup() {
  "$haulctl" quit >/dev/null 2>&1 || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
fail() { echo "dunst-test: $*" >&2; exit 1; }
owned() {
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner "$1" | grep -q true
}

printf '[conditions]\nonline=true\nmetered=false\npower-saver=false\n' > "$HAUL_TEST_CONDITIONS"
dbus-update-activation-environment HOME XDG_STATE_HOME XDG_CONFIG_HOME XDG_DATA_HOME \
  XDG_CACHE_HOME XDG_RUNTIME_DIR GSETTINGS_BACKEND GSETTINGS_SCHEMA_DIR HAUL_TEST_CONDITIONS \
  DISPLAY 2>/dev/null

# The notification server, as on a desktop that runs dunst.
dunst -config /etc/xdg/dunst/dunstrc >"$dir/dunst.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do owned org.freedesktop.Notifications && break; sleep 0.1; done
owned org.freedesktop.Notifications || fail "dunst did not start: $(cat "$dir/dunst.log")"

# The file, from nginx on 127.0.0.1.
. "$(dirname "$0")/bench/nginx.sh"
head -c 65536 /dev/urandom > "$dir/www/report_2026.pdf"
start_nginx "$dir" 0
pids+=("$nginx_pid")

"$haulctl" add --wait -d "$dir/downloads" "http://127.0.0.1:$port/report_2026.pdf" >/dev/null
cmp "$dir/www/report_2026.pdf" "$dir/downloads/report_2026.pdf" || fail "the file differs"

# dunst shows it...
for _ in $(seq 100); do
  [ "$(dunstctl count displayed)" -ge 1 ] && break
  sleep 0.1
done
[ "$(dunstctl count displayed)" -eq 1 ] || fail "dunst shows $(dunstctl count displayed) notifications, not 1"
# ...and, closed, keeps it in its history with what the service said.
dunstctl close-all
history=$(dunstctl history)
for expected in '"Download complete"' '"report_2026.pdf"' '"Haul"' '"transfer.complete"'; do
  grep -qF "$expected" <<< "$history" || fail "the history lacks $expected: $history"
done
echo "dunst-test: dunst showed the completed download"
