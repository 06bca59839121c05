#!/bin/sh
# Runs a command in namespaces of its own, as root directly, otherwise inside a user
# namespace; a machine that allows neither fails the test: it is never skipped.
#
#   run-isolated.sh --net -- COMMAND...     only loopback up: no default route, as on a
#                                           LAN-only machine
#   run-isolated.sh --mounts -- COMMAND...  HAUL_TEST_TINY names a 1 MiB tmpfs and
#                                           HAUL_TEST_READONLY a read-only one
set -eu
if [ "${1:-}" = "--inside" ]; then
  shift
  case "$1" in
    --net)
      ip link set lo up
      ;;
    --mounts)
      HAUL_TEST_TINY=$(mktemp -d /tmp/haul-tiny-XXXXXX)
      HAUL_TEST_READONLY=$(mktemp -d /tmp/haul-readonly-XXXXXX)
      mount -t tmpfs -o size=1m,mode=0700 tmpfs "$HAUL_TEST_TINY"
      mount -t tmpfs -o ro,size=1m,mode=0700 tmpfs "$HAUL_TEST_READONLY"
      export HAUL_TEST_TINY HAUL_TEST_READONLY
      ;;
  esac
  shift
  [ "$1" = "--" ] && shift
  exec "$@"
fi
case "${1:-}" in
  --net) flags=--net ;;
  --mounts) flags=--mount ;;
  *) echo "usage: run-isolated.sh --net|--mounts -- COMMAND..." >&2; exit 2 ;;
esac
if [ "$(id -u)" -eq 0 ]; then
  exec unshare $flags -- "$0" --inside "$@"
fi
exec unshare --user --map-root-user $flags -- "$0" --inside "$@"
