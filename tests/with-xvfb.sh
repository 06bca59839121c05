#!/usr/bin/env bash
# Runs a command under an X server of its own. Xvfb picks a free display itself
# (-displayfd), so tests running at once never race for one, as `xvfb-run -a` can (two
# runs may pick the same number, and a client then meets a server that is not yet, or no
# longer, there). The server is stopped when the command ends; its status is the script's.
#
#   tests/with-xvfb.sh COMMAND [ARG...]
set -uo pipefail

dir=$(mktemp -d /tmp/haul-xvfb-XXXXXX)
xvfb=
cleanup() {
  [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null && wait "$xvfb" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$dir/display" 2>"$dir/xvfb.log" &
xvfb=$!
for _ in $(seq 400); do
  [ -s "$dir/display" ] && break
  if ! kill -0 "$xvfb" 2>/dev/null; then
    echo "with-xvfb: Xvfb did not start:" >&2
    cat "$dir/xvfb.log" >&2
    exit 1
  fi
  sleep 0.05
done
[ -s "$dir/display" ] || { echo "with-xvfb: Xvfb gave no display" >&2; exit 1; }
export DISPLAY=":$(head -n 1 "$dir/display")"
unset XAUTHORITY

"$@"
