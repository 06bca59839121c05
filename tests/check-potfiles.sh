#!/usr/bin/env bash
# Fails when a source or UI file with translatable strings is missing from po/POTFILES.in,
# or when POTFILES.in names a file that does not exist.
set -euo pipefail
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top"

status=0
listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d')

for f in $listed; do
  if [ ! -f "$f" ]; then
    echo "po/POTFILES.in names $f, which does not exist"
    status=1
  fi
done

while IFS= read -r f; do
  if grep -qE '(^|[^A-Za-z0-9_])(_|N_|C_|g_dngettext|ngettext)\s*\("|translatable="yes"' "$f"; then
    if ! grep -qxF "$f" <<< "$listed"; then
      echo "$f has translatable strings but is not in po/POTFILES.in"
      status=1
    fi
  fi
done < <(find src data -type f \( -name '*.c' -o -name '*.ui' -o -name '*.xml' -o -name '*.in' \) | sort)

exit $status
