#!/usr/bin/env bash
# Renders the status icon's menu as a real host shows it — LXQt's panel, whose Status
# Notifier plugin is a watcher and host — under Xvfb, on a private session bus that
# activates the build's service, with two downloads running from nginx on 127.0.0.1:
#
#   tests/tray-screenshot.sh [BUILD_DIR]     writes data/screenshots/status-menu.png
#
# Not part of the suite: it needs lxqt-panel and python3-xlib (apt-get install
# --no-install-recommends lxqt-panel python3-xlib), which the tests do not.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=$(cd "${1:-$top/_build}" && pwd)

for tool in lxqt-panel xvfb-run xdotool nginx curl dbus-run-session; do
  command -v "$tool" >/dev/null || { echo "tray-screenshot: $tool is missing" >&2; exit 1; }
done

if [ -z "${HAUL_TRAY_INNER:-}" ]; then
  dir=$(mktemp -d /tmp/haul-tray-XXXXXX)
  trap 'rm -rf "$dir"' EXIT
  export HAUL_TRAY_INNER=1 TRAY_DIR=$dir
  export HOME=$dir/home XDG_STATE_HOME=$dir/state XDG_CONFIG_HOME=$dir/config
  export XDG_DATA_HOME=$dir/data XDG_CACHE_HOME=$dir/cache XDG_RUNTIME_DIR=$dir/runtime
  export GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=$build/data
  export HAUL_TEST_CONDITIONS=$dir/conditions LANG=C.UTF-8
  mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME/lxqt" "$dir/downloads"
  chmod 700 "$XDG_RUNTIME_DIR"
  xvfb-run -n 180 -s "-screen 0 800x600x24" \
    dbus-run-session --config-file="$build/tests/haul-test-bus.conf" -- "$0" "$build"
  exit $?
fi

dir=$TRAY_DIR
haulctl=$build/src/cli/haulctl
pids=()
cleanup() {
  "$haulctl" quit >/dev/null 2>&1 || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

printf '[conditions]\nonline=true\nmetered=false\npower-saver=false\n' > "$HAUL_TEST_CONDITIONS"
dbus-update-activation-environment HOME XDG_STATE_HOME XDG_CONFIG_HOME XDG_DATA_HOME \
  XDG_CACHE_HOME XDG_RUNTIME_DIR GSETTINGS_BACKEND GSETTINGS_SCHEMA_DIR HAUL_TEST_CONDITIONS \
  LANG DISPLAY 2>/dev/null

# The icons where the panel looks for them, as an installed Haul has them.
for kind in scalable symbolic; do
  mkdir -p "$XDG_DATA_HOME/icons/hicolor/$kind/apps"
  cp "$top"/data/icons/hicolor/$kind/apps/*.svg "$XDG_DATA_HOME/icons/hicolor/$kind/apps/"
done
printf '[General]\nicon_theme=Adwaita\ntheme=KDE-Plasma\n' > "$XDG_CONFIG_HOME/lxqt/lxqt.conf"
cat > "$XDG_CONFIG_HOME/lxqt/panel.conf" <<'CONF'
panels=panel1

[panel1]
plugins=statusnotifier,worldclock
position=Bottom
desktop=0
panelSize=32
iconSize=24

[statusnotifier]
alignment=Right
type=statusnotifier

[worldclock]
type=worldclock
CONF
lxqt-panel >"$dir/panel.log" 2>&1 &
pids+=($!)
sleep 3

. "$here/bench/nginx.sh"
start_nginx "$dir"
pids+=("$nginx_pid")
for name in ubuntu-24.04-desktop-amd64.iso debian-12.8.0-amd64-netinst.iso; do
  "$haulctl" add -d "$dir/downloads" -o "$name" "http://127.0.0.1:$port/file.bin?$name" >/dev/null
done

# The icon sits left of the clock; a right click opens its menu.
sleep 6
xdotool mousemove 755 583 click 3
sleep 2
/usr/bin/python3 "$here/x11-grab.py" "$top/data/screenshots/status-menu.png" 466 400 334 200
echo "tray-screenshot: wrote data/screenshots/status-menu.png" >&2
