#!/usr/bin/env bash
# Benchmark of `haulctl get` against curl, wget and aria2c, with dd as the ceiling.
#
#   tests/bench/get-bench.sh [HAULCTL]
#
# A 1 GiB random file is served by nginx on 127.0.0.1 (sendfile on) from the page cache.
# Part 1, single stream: haulctl -s 1, curl, wget, aria2c -x1 -s1 and dd bs=1M (copying
# the same file: the ceiling). Part 2, segmented, on a location limited to 25 MiB/s per
# connection (ideal 200 MiB/s): haulctl -s 8 against aria2c -x8 -s8.
# Each part runs ROUNDS rounds (default 5); the clients take turns in a different order
# each round; medians are reported. Every output's SHA-256 is checked.
#
# Environment: ROUNDS (5), SIZE_MIB (1024), BENCH_DIR (a new directory under /tmp).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
haulctl=${1:-$top/_build/src/cli/haulctl}
rounds=${ROUNDS:-5}
size_mib=${SIZE_MIB:-1024}

for tool in nginx curl wget aria2c dd sha256sum /usr/bin/time awk; do
  command -v "$tool" >/dev/null || { echo "get-bench: $tool is missing" >&2; exit 1; }
done
[ -x "$haulctl" ] || { echo "get-bench: no haulctl at $haulctl (build first)" >&2; exit 1; }

dir=${BENCH_DIR:-$(mktemp -d /tmp/haul-bench-XXXXXX)}
mkdir -p "$dir/www" "$dir/out" "$dir/tmp"
nginx_pid=
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  rm -rf "$dir/out" "$dir/www" "$dir/tmp"
}
trap cleanup EXIT

port=$(( 20000 + RANDOM % 20000 ))
cat > "$dir/nginx.conf" <<EOF
daemon off;
master_process off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  sendfile on;
  server {
    listen 127.0.0.1:$port;
    root $dir/www;
    location /limited/ { alias $dir/www/; limit_rate 25m; }
  }
}
EOF

echo "get-bench: making a ${size_mib} MiB file" >&2
dd if=/dev/urandom of="$dir/www/file.bin" bs=1M count="$size_mib" status=none
want=$(sha256sum "$dir/www/file.bin" | cut -d' ' -f1)
cat "$dir/www/file.bin" > /dev/null

nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
nginx_pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break || sleep 0.05
done

url="http://127.0.0.1:$port/file.bin"
limited="http://127.0.0.1:$port/limited/file.bin"
results="$dir/results.tsv"
: > "$results"

# run NAME COMMAND... : times one download into $dir/out/NAME.bin and records
# name, wall seconds, cpu seconds, peak RSS (KiB).
run() {
  local name=$1; shift
  local out="$dir/out/$name.bin"
  rm -f "$out" "$out".*
  sync
  /usr/bin/time -f "%e %U %S %M" -o "$dir/time.txt" "$@" >/dev/null 2>"$dir/stderr.txt" || {
    echo "get-bench: $name failed:" >&2; cat "$dir/stderr.txt" >&2; exit 1; }
  local got
  got=$(sha256sum "$out" | cut -d' ' -f1)
  if [ "$got" != "$want" ]; then
    echo "get-bench: $name wrote a different file" >&2; exit 1
  fi
  read -r wall user sys rss < <(tail -n 1 "$dir/time.txt")
  printf '%s\t%s\t%s\t%s\n' "$name" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$rss" >> "$results"
  rm -f "$out"
}

single() {
  case $1 in
    haulctl) run "haulctl -s 1" "$haulctl" get "$url" -o "$dir/out/haulctl -s 1.bin" -s 1 --quiet ;;
    curl)    run "curl" curl -s -o "$dir/out/curl.bin" "$url" ;;
    wget)    run "wget" wget -q -O "$dir/out/wget.bin" "$url" ;;
    aria2c)  run "aria2c -x1 -s1" aria2c -q -x1 -s1 --allow-overwrite=true --file-allocation=none \
               -d "$dir/out" -o "aria2c -x1 -s1.bin" "$url" ;;
    dd)      run "dd bs=1M (ceiling)" dd if="$dir/www/file.bin" of="$dir/out/dd bs=1M (ceiling).bin" bs=1M status=none ;;
  esac
}

segmented() {
  case $1 in
    haulctl) run "haulctl -s 8" "$haulctl" get "$limited" -o "$dir/out/haulctl -s 8.bin" -s 8 --quiet ;;
    aria2c)  run "aria2c -x8 -s8" aria2c -q -x8 -s8 -k1M --allow-overwrite=true --file-allocation=none \
               -d "$dir/out" -o "aria2c -x8 -s8.bin" "$limited" ;;
  esac
}

clients=(haulctl curl wget aria2c dd)
for r in $(seq "$rounds"); do
  echo "get-bench: single stream, round $r of $rounds" >&2
  n=${#clients[@]}
  for i in $(seq 0 $((n - 1))); do
    single "${clients[$(( (i + r) % n ))]}"
  done
done
for r in $(seq "$rounds"); do
  echo "get-bench: segmented, round $r of $rounds" >&2
  if [ $((r % 2)) -eq 1 ]; then segmented haulctl; segmented aria2c
  else segmented aria2c; segmented haulctl; fi
done

# Medians per client, then the table with ratios (throughput ratio = other's time / ours).
awk -F'\t' -v size="$size_mib" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    if (!($1 in wall)) order[++n] = $1
    wall[$1] = wall[$1] " " $2; cpu[$1] = cpu[$1] " " $3; rss[$1] = rss[$1] " " $4
  }
  END {
    for (i = 1; i <= n; i++) { c = order[i]; w[c] = median(wall[c]); u[c] = median(cpu[c]); m[c] = median(rss[c]) }
    printf "| client | wall s | MiB/s | CPU s | peak RSS MiB |\n|---|---|---|---|---|\n"
    for (i = 1; i <= n; i++) { c = order[i]
      printf "| %s | %.2f | %.0f | %.2f | %.1f |\n", c, w[c], size / w[c], u[c], m[c] / 1024 }
    printf "\n| ratio (throughput) | value |\n|---|---|\n"
    s = "haulctl -s 1"
    for (i = 1; i <= n; i++) { c = order[i]
      if (c != s && c !~ /-s 8|-x8/) printf "| %s vs %s | %.2fx |\n", s, c, w[c] / w[s] }
    printf "| haulctl -s 8 vs aria2c -x8 -s8 | %.2fx |\n", w["aria2c -x8 -s8"] / w["haulctl -s 8"]
    printf "| haulctl -s 8 vs ideal (200 MiB/s) | %.2fx |\n", (size / w["haulctl -s 8"]) / 200
  }' "$results"
echo
echo "rounds: $rounds; file: $size_mib MiB; raw figures in $results" >&2
cp "$results" "${TMPDIR:-/tmp}/haul-bench-results.tsv"
