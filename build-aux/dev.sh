#!/usr/bin/env bash
# One entry point for developers and CI.
#   build-aux/dev.sh run [URL...]   install what is missing, build, start Haul
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
  # What a GNOME desktop has, so that the tests meet the same GIO modules (dconf, the
  # GNOME proxy resolver) as haulctl does there.
  dconf-gsettings-backend gsettings-desktop-schemas
)

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
    if [ $# -eq 0 ]; then
      echo "dev.sh: the window and the service are not built yet; haulctl get is:" >&2
      exec _build/src/cli/haulctl --help
    fi
    for url in "$@"; do
      _build/src/cli/haulctl get "$url"
    done
    ;;
  test)
    install_deps
    configure _build
    timeout 1800 meson test -C _build --print-errorlogs --no-rebuild
    ;;
  test-asan)
    install_deps
    configure _build-asan -Db_sanitize=address,undefined -Db_lundef=false
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS="suppressions=$top/tests/lsan.supp" \
      timeout 2400 meson test -C _build-asan --print-errorlogs --no-rebuild --timeout-multiplier 3
    ;;
  bench)
    install_deps
    configure _build
    exec tests/bench/get-bench.sh "$@"
    ;;
  *)
    echo "usage: build-aux/dev.sh run [URL...] | test | test-asan | bench" >&2
    exit 2
    ;;
esac
