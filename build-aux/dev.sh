#!/usr/bin/env bash
# One entry point for developers and CI.
#   build-aux/dev.sh run [URL...]   install what is missing, build, start Haul: on a desktop, the
#                                   window, installed for this user under ~/.local against the
#                                   real session bus; with no display, the service on a session
#                                   bus of its own, the URLs added and followed by haulctl watch
#   build-aux/dev.sh uninstall      remove what `run` installed under ~/.local
#   build-aux/dev.sh test           install what is missing, build, run every test
#   build-aux/dev.sh test-asan      the same suite built with AddressSanitizer and UBSan
#   build-aux/dev.sh bench          the benchmarks under tests/bench (not part of test)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# Debian 12 packages the build, the tests and the benchmarks need.
packages=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libglib2.0-bin glib-networking
  libsoup-3.0-dev libjson-glib-dev
  desktop-file-utils dbus nginx-light openssl curl wget aria2 time
  # The test of a machine without a default route runs in a network namespace.
  iproute2 util-linux
  # The tests of formatting build de_DE and fr_FR into the build directory with localedef.
  locales
  # What a GNOME desktop has, so that the tests meet the same GIO modules (dconf, the
  # GNOME proxy resolver) as haulctl does there.
  dconf-gsettings-backend gsettings-desktop-schemas
  # The window: GTK 4 and libadwaita, the icons and the SVG loader they need, a font, the
  # validators of its desktop files, and an X server for its tests.
  libgtk-4-dev libadwaita-1-dev adwaita-icon-theme librsvg2-common fonts-cantarell
  libgdk-pixbuf-2.0-dev
  appstream xvfb xauth
  # Chinese glyphs for the zh_CN screenshot (tests/screenshots.sh); the pointer, moved by
  # the window's benchmark.
  fonts-wqy-microhei xdotool
  # The status icon and notifications: a recording notification server for the tests
  # (Debian's python3-dbusmock, run with /usr/bin/python3), and a real one, dunst.
  python3-dbusmock dunst
  # The browser extension's test: Debian's Chromium and Firefox ESR, driven by Puppeteer
  # (from the npm registry, with the machine's Node.js; Debian's when it has none).
  chromium firefox-esr
)
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

install_deps() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "dev.sh: installing ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

configure() {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" -Dwerror=true -Dwarning_level=2 "$@"
  fi
  ninja -C "$dir"
}

cmd=${1:-}
[ $# -gt 0 ] && shift

case "$cmd" in
  run)
    install_deps
    configure _build
    if [ -n "${WAYLAND_DISPLAY:-}${DISPLAY:-}" ] && [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
      # A desktop session: the build is installed for this user, in the places the session
      # bus (D-Bus services), systemd (user units), GSettings (schemas) and the desktop
      # (applications, icons) look in the home directory; nothing is written outside it.
      home_prefix=$HOME/.local
      # The browsers find the extension's host through manifests in their per-user places.
      user_options=(-Dsystemduserunitdir="${XDG_DATA_HOME:-$HOME/.local/share}/systemd/user"
                    -Dchromium_native_messaging_dir="${XDG_CONFIG_HOME:-$HOME/.config}/chromium/NativeMessagingHosts"
                    -Dfirefox_native_messaging_dir="$HOME/.mozilla/native-messaging-hosts")
      if [ ! -f _build-user/build.ninja ]; then
        meson setup _build-user -Dwerror=true -Dwarning_level=2 --prefix="$home_prefix" \
          "${user_options[@]}" >/dev/null
      else
        meson configure _build-user "${user_options[@]}" >/dev/null
      fi
      meson install -C _build-user --quiet
      gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.ReloadConfig >/dev/null 2>&1 || true
      systemctl --user daemon-reload >/dev/null 2>&1 || true
      echo "dev.sh: Haul is installed for you under $home_prefix; ./build-aux/dev.sh uninstall removes it" >&2
      echo "dev.sh: the browser extension, to load unpacked: $home_prefix/share/haul/browser/chromium" \
           "(chrome://extensions, Developer mode, Load unpacked) or .../browser/firefox/manifest.json" \
           "(about:debugging, This Firefox, Load Temporary Add-on)" >&2
      exec "$home_prefix/bin/haul" "$@"
    fi
    echo "dev.sh: no display: the service on a session bus of its own, followed by haulctl watch" >&2
    # A session bus of its own that activates the service of this build, with the build's
    # GSettings schema; URLs go to the service and `haulctl watch` follows them. Ctrl+C
    # ends the session: the service saves what is unfinished and continues it at the
    # next run.
    mkdir -p _build/dev-session
    sed "s|@servicedir@|$top/_build/dev-session|" build-aux/dev-session.conf.in > _build/dev-session/session.conf
    sed "s|@libexecdir@|$top/_build/src/daemon|" data/io.github.haul.Daemon.service.in \
      | grep -v '^SystemdService=' > _build/dev-session/io.github.haul.Daemon.service
    export GSETTINGS_SCHEMA_DIR=$top/_build/data
    exec dbus-run-session --config-file=_build/dev-session/session.conf -- bash -c '
      haulctl=$1; shift
      if [ $# -gt 0 ]; then "$haulctl" add "$@" >/dev/null || exit $?; fi
      "$haulctl" list
      exec "$haulctl" watch' dev.sh "$top/_build/src/cli/haulctl" "$@"
    ;;
  uninstall)
    if [ ! -f _build-user/build.ninja ]; then
      echo "dev.sh: nothing to uninstall (run installs into ~/.local from _build-user)" >&2
      exit 0
    fi
    "$HOME/.local/bin/haulctl" quit >/dev/null 2>&1 || true
    ninja -C _build-user uninstall >/dev/null
    systemctl --user daemon-reload >/dev/null 2>&1 || true
    echo "dev.sh: removed what run installed under $HOME/.local" >&2
    ;;
  test)
    install_deps
    configure _build
    timeout 1800 meson test -C _build --print-errorlogs --no-rebuild
    ;;
  test-asan)
    install_deps
    configure _build-asan -Db_sanitize=address,undefined -Db_lundef=false
    # Reports also go to files, so that those of processes no test waits for (the daemon,
    # started by D-Bus activation) are seen: any report fails the run.
    reports=$top/_build-asan/sanitizer-reports
    rm -rf "$reports"; mkdir -p "$reports"
    status=0
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0:log_path=$reports/asan \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan \
    LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0" \
      timeout 2400 meson test -C _build-asan --print-errorlogs --no-rebuild --timeout-multiplier 3 || status=$?
    found=$(grep -lE 'ERROR: |runtime error' "$reports"/* 2>/dev/null || true)
    if [ -n "$found" ]; then
      echo "dev.sh: sanitizer reports:" >&2
      for f in $found; do echo "== $f" >&2; cat "$f" >&2; done
      status=1
    fi
    exit $status
    ;;
  bench)
    install_deps
    configure _build
    exec tests/bench/get-bench.sh "$@"
    ;;
  *)
    echo "usage: build-aux/dev.sh run [URL...] | uninstall | test | test-asan | bench" >&2
    exit 2
    ;;
esac
