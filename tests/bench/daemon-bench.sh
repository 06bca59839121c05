#!/usr/bin/env bash
# Benchmark of haul-daemon, against the targets of issues #3 and #8.
#
#   tests/bench/daemon-bench.sh [BUILD_DIR]
#
# Part 1: with 10,000 transfers on record, the time from activation to the bus name being
# owned (StartServiceByName returns then); the time of `haulctl list --json`, of the client
# library's model holding all transfers (tests/bench/client-bench model) and, for other
# applications, of one GetManagedObjects read and decoded (client-bench objects) — each
# run 3 times, the median reported; and the daemon's resident memory (VmRSS) at start and
# after all those listings, with its peak (VmHWM).
# Then, with nothing running, how often the daemon's main thread wakes up: its voluntary
# context switches over the window.
# Part 2: 100 transfers running at once against nginx on 127.0.0.1, limited to 32 kB/s per
# connection; over a 10 s window, the daemon's CPU use (share of one core), the D-Bus
# messages it sends per second, and Progress signals per second.
# In both parts a StatusNotifierWatcher (python3-dbusmock) is on the bus, so the status
# icon is registered as on a desktop that shows it: the signals of the icon and its menu,
# and of the launcher entry, are counted while nothing runs and while 100 run.
# Everything runs on a private session bus (dbus-run-session with the test bus of the
# build, which activates the daemon of the build) with isolated XDG directories.
#
# Environment: RECORDS (10000), RUNNING (100), WINDOW (10 seconds), BENCH_DIR.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-$top/_build}
records=${RECORDS:-10000}
running=${RUNNING:-100}
window=${WINDOW:-10}

for tool in nginx curl dbus-run-session dbus-monitor gdbus python3 awk; do
  command -v "$tool" >/dev/null || { echo "daemon-bench: $tool is missing" >&2; exit 1; }
done
[ -x "$build/src/daemon/haul-daemon" ] || { echo "daemon-bench: build first" >&2; exit 1; }

if [ -z "${HAUL_BENCH_INNER:-}" ]; then
  dir=${BENCH_DIR:-$(mktemp -d /tmp/haul-daemon-bench-XXXXXX)}
  export BENCH_DIR=$dir HAUL_BENCH_INNER=1
  export XDG_STATE_HOME=$dir/state XDG_CONFIG_HOME=$dir/config XDG_DATA_HOME=$dir/data
  export XDG_CACHE_HOME=$dir/cache GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=$build/data
  export HAUL_TEST_CONDITIONS=$dir/conditions
  # Longer than any window: the idle exit must not fall into a measurement.
  export HAUL_IDLE_TIMEOUT_MS=600000
  mkdir -p "$dir/downloads" "$XDG_STATE_HOME/haul/transfers"
  trap 'rm -rf "$dir"' EXIT
  dbus-run-session --config-file="$build/tests/haul-test-bus.conf" -- "$0" "$build"
  exit $?
fi

dir=$BENCH_DIR
haulctl=$build/src/cli/haulctl
client_bench=$build/tests/bench/client-bench
dbus-update-activation-environment XDG_STATE_HOME XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME \
  GSETTINGS_BACKEND GSETTINGS_SCHEMA_DIR HAUL_TEST_CONDITIONS HAUL_IDLE_TIMEOUT_MS 2>/dev/null

now() { date +%s.%N; }
# The signals the desktop gets: the status icon and its menu, the launcher entry.
desktop_monitor() {
  dbus-monitor --session "type='signal',interface='org.kde.StatusNotifierItem'" \
    "type='signal',interface='com.canonical.dbusmenu'" \
    "type='signal',interface='com.canonical.Unity.LauncherEntry'" > "$1" 2>/dev/null
}
count_signals() { grep -E '^signal' "$1" | grep -cE "interface=($2)" || true; }

# A watcher, as a desktop that shows status icons has.
/usr/bin/python3 -m dbusmock --session org.kde.StatusNotifierWatcher /StatusNotifierWatcher \
  org.kde.StatusNotifierWatcher >/dev/null 2>&1 &
watcher_pid=$!
for _ in $(seq 100); do
  gdbus call --session --dest org.kde.StatusNotifierWatcher --object-path /StatusNotifierWatcher \
    --method org.freedesktop.DBus.Mock.AddMethod org.kde.StatusNotifierWatcher \
    RegisterStatusNotifierItem s '' '' >/dev/null 2>&1 && break
  sleep 0.1
done
daemon_pid() {
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.GetConnectionUnixProcessID io.github.haul.Daemon |
    sed -E 's/^\(uint32 ([0-9]+),\)$/\1/'
}
kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }
quit_daemon() {
  local pid=$1
  "$haulctl" quit
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

# ---- part 1: 10,000 transfers on record -------------------------------------------------
echo "daemon-bench: writing $records records" >&2
python3 "$here/make-records.py" "$XDG_STATE_HOME/haul/transfers" "$dir/downloads" "$records"
sync

start=$(now)
gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
  --method org.freedesktop.DBus.StartServiceByName io.github.haul.Daemon 0 >/dev/null
owned=$(now)
pid=$(daemon_pid)
start_s=$(awk -v a="$start" -v b="$owned" 'BEGIN { printf "%.3f", b - a }')
rss0=$(kib "$pid" VmRSS)

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
lists=() models=() objects=()
for _ in 1 2 3; do
  list_start=$(now)
  "$haulctl" list --json > "$dir/list.json"
  list_end=$(now)
  lists+=("$(awk -v a="$list_start" -v b="$list_end" 'BEGIN { printf "%.3f", b - a }')")
  listed=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$dir/list.json")
  [ "$listed" -eq "$records" ] || { echo "daemon-bench: list gave $listed of $records" >&2; exit 1; }
  read -r secs count < <("$client_bench" model)
  [ "$count" -eq "$records" ] || { echo "daemon-bench: the model held $count of $records" >&2; exit 1; }
  models+=("$secs")
  read -r secs count < <("$client_bench" objects)
  [ "$count" -eq "$records" ] || { echo "daemon-bench: GetManagedObjects gave $count of $records" >&2; exit 1; }
  objects+=("$secs")
done
list_s=$(printf '%s\n' "${lists[@]}" | median)
model_s=$(printf '%s\n' "${models[@]}" | median)
objects_s=$(printf '%s\n' "${objects[@]}" | median)
echo "daemon-bench: list ${lists[*]} s; model ${models[*]} s; GetManagedObjects ${objects[*]} s" >&2
rss=$(kib "$pid" VmRSS)
hwm=$(kib "$pid" VmHWM)

# Nothing runs: the main thread should sleep through the window.
switches() { awk '$1 == "voluntary_ctxt_switches:" { print $2 }' "/proc/$1/task/$1/status"; }
gdbus call --session --dest org.kde.StatusNotifierWatcher --object-path /StatusNotifierWatcher \
  --method org.freedesktop.DBus.Mock.GetCalls | grep -q RegisterStatusNotifierItem ||
  { echo "daemon-bench: the status icon did not register" >&2; exit 1; }
desktop_monitor "$dir/desktop-idle.txt" &
desktop_pid=$!
sleep 1
idle0=$(switches "$pid")
sleep "$window"
idle1=$(switches "$pid")
kill "$desktop_pid"; wait "$desktop_pid" 2>/dev/null || true
idle_icon=$(count_signals "$dir/desktop-idle.txt" 'org.kde.StatusNotifierItem|com.canonical.dbusmenu|com.canonical.Unity.LauncherEntry')
quit_daemon "$pid"
rm -f "$XDG_STATE_HOME"/haul/transfers/*

# ---- part 2: 100 transfers running ------------------------------------------------------
. "$here/nginx.sh"
nginx_pid=
monitor_pid=
desktop_pid=
cleanup() {
  [ -n "$monitor_pid" ] && kill "$monitor_pid" 2>/dev/null
  [ -n "$desktop_pid" ] && kill "$desktop_pid" 2>/dev/null
  kill "$watcher_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  wait 2>/dev/null || true
}
trap cleanup EXIT
start_nginx "$dir"

gdbus call --session --dest io.github.haul.Daemon --object-path /io/github/haul/Daemon \
  --method org.freedesktop.DBus.Properties.Set io.github.haul.Manager1 MaxConcurrent "<uint32 $running>" >/dev/null
pid=$(daemon_pid)
urls=()
for i in $(seq "$running"); do urls+=("http://127.0.0.1:$port/file.bin?n=$i"); done
"$haulctl" add -d "$dir/downloads" -o placeholder.bin "${urls[0]}" >/dev/null
"$haulctl" remove 1 >/dev/null
for i in $(seq "$running"); do
  "$haulctl" add -d "$dir/downloads" -o "f$i.bin" "${urls[$((i - 1))]}" >/dev/null
done
sleep 2
active=$(gdbus call --session --dest io.github.haul.Daemon --object-path /io/github/haul/Daemon \
  --method org.freedesktop.DBus.Properties.Get io.github.haul.Manager1 ActiveCount | sed -E 's/.*uint32 ([0-9]+).*/\1/')

dbus-monitor --session "sender='io.github.haul.Daemon'" > "$dir/monitor.txt" 2>/dev/null &
monitor_pid=$!
desktop_monitor "$dir/desktop-running.txt" &
desktop_pid=$!
sleep 0.5
ticks=$(getconf CLK_TCK)
cpu0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
lines0=$(wc -l < "$dir/monitor.txt")
t0=$(now)
sleep "$window"
cpu1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
t1=$(now)
kill "$monitor_pid" "$desktop_pid"; wait "$monitor_pid" "$desktop_pid" 2>/dev/null || true
monitor_pid= desktop_pid=
icon=$(count_signals "$dir/desktop-running.txt" 'org.kde.StatusNotifierItem|com.canonical.dbusmenu')
launcher=$(count_signals "$dir/desktop-running.txt" 'com.canonical.Unity.LauncherEntry')
run_rss=$(kib "$pid" VmRSS)
messages=$(grep -cE '^(signal|method return|method call|error)' "$dir/monitor.txt" || true)
progress=$(grep -c 'member=Progress' "$dir/monitor.txt" || true)
quit_daemon "$pid"

awk -v rss0="$rss0" -v records="$records" -v start="$start_s" -v list="$list_s" -v rss="$rss" -v hwm="$hwm" \
    -v model="$model_s" -v objects="$objects_s" \
    -v running="$running" -v active="$active" -v cpu0="$cpu0" -v cpu1="$cpu1" -v ticks="$ticks" \
    -v t0="$t0" -v t1="$t1" -v messages="$messages" -v progress="$progress" -v run_rss="$run_rss" \
    -v idle="$((idle1 - idle0))" -v window="$window" -v idle_icon="$idle_icon" -v icon="$icon" \
    -v launcher="$launcher" '
BEGIN {
  secs = t1 - t0 + 0.5
  cpu = (cpu1 - cpu0) / ticks / (t1 - t0) * 100
  printf "| measure | value | target | ratio to target |\n|---|---|---|---|\n"
  printf "| start with %d records (activation to name owned) | %.3f s | <= 0.3 s | %.2fx |\n", records, start, start / 0.3
  printf "| haulctl list --json, %d transfers (median of 3) | %.3f s | <= 0.3 s | %.2fx |\n", records, list, list / 0.3
  printf "| client library: model complete, %d items (median of 3) | %.3f s | <= 0.3 s | %.2fx |\n", records, model, model / 0.3
  printf "| GetManagedObjects read and decoded (median of 3) | %.3f s | (kept for others) | |\n", objects
  printf "| daemon RSS with %d records, started | %.1f MiB | <= 48 MiB | %.2fx |\n", records, rss0 / 1024, rss0 / 1024 / 48
  printf "| daemon RSS after 3 listings, 3 models, 3 GetManagedObjects (peak) | %.1f MiB (%.1f) | <= 48 MiB | %.2fx |\n", rss / 1024, hwm / 1024, hwm / 1024 / 48
  printf "| daemon main thread with nothing running: wake-ups in %d s | %d | <= 2 | %.2fx |\n", window, idle, idle / 2
  printf "| daemon CPU, %d transfers running (%d active) | %.2f%% of a core | < 5%% | %.2fx |\n", running, active, cpu, cpu / 5
  printf "| D-Bus messages sent by the daemon | %.1f /s | | |\n", messages / secs
  printf "| Progress signals | %.2f /s | <= 4 /s | %.2fx |\n", progress / secs, progress / secs / 4
  printf "| daemon RSS, %d running | %.1f MiB | < 64 MiB | %.2fx |\n", running, run_rss / 1024, run_rss / 1024 / 64
  printf "| status icon and menu signals, %d running | %.2f /s | <= 2 /s | %.2fx |\n", running, icon / secs, icon / secs / 2
  printf "| launcher entry signals, %d running | %.2f /s | (1 /s at most) | |\n", running, launcher / secs
  printf "| desktop signals (icon, menu, launcher) with nothing running, %d s | %d | 0 | |\n", window, idle_icon
}'
