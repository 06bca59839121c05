#!/usr/bin/env bash
# Fails when a language in po/LINGUAS has an untranslated or fuzzy message, or a translation
# that msgfmt --check refuses, against a template made fresh from the sources in
# po/POTFILES.in (with the keywords of meson's 'glib' gettext preset).
set -euo pipefail
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top"

# The tools' own messages are parsed below.
export LC_ALL=C

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A listed file that is missing makes xgettext fail, and so this script.
if ! xgettext --from-code=UTF-8 --add-comments \
       --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
       --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
       --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
       --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
       --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
       --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
       --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
       --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
       --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format \
       --package-name=haul --force-po \
       --files-from=po/POTFILES.in --directory="$top" \
       --output="$tmp/haul.pot"; then
  echo "xgettext could not make the template from po/POTFILES.in"
  exit 1
fi

# The entries of a PO file on stdin, without its header.
entries() {
  awk 'BEGIN { RS = ""; ORS = "\n\n" } NR > 1'
}

# A count from msgfmt --statistics, such as "12 translated messages, 1 fuzzy translation".
count() {
  sed -nE "s/.*(^|[ ,])([0-9]+) $1.*/\\2/p" <<< "$2" | head -n 1 | grep . || echo 0
}

status=0
languages=$(sed -e 's/#.*//' po/LINGUAS | tr -s ' \t' '\n\n' | sed '/^$/d')

for lang in $languages; do
  po="po/$lang.po"
  if [ ! -f "$po" ]; then
    echo "po/LINGUAS names $lang, but $po does not exist"
    status=1
    continue
  fi

  merged="$tmp/$lang.po"
  msgmerge --quiet --no-fuzzy-matching "$po" "$tmp/haul.pot" -o "$merged"

  if ! stats=$(msgfmt --check --statistics -o /dev/null "$merged" 2>&1); then
    echo "$lang: msgfmt --check fails on $po merged with the template:"
    echo "$stats"
    status=1
    continue
  fi

  translated=$(count translated "$stats")
  fuzzy=$(count fuzzy "$stats")
  untranslated=$(count untranslated "$stats")

  if [ "$untranslated" -gt 0 ]; then
    echo "$lang: $untranslated untranslated message(s):"
    msgattrib --untranslated --no-obsolete --no-wrap "$merged" | entries
    status=1
  fi
  if [ "$fuzzy" -gt 0 ]; then
    echo "$lang: $fuzzy fuzzy message(s):"
    msgattrib --only-fuzzy --no-obsolete --no-wrap "$merged" | entries
    status=1
  fi

  summary="$lang: $translated translated"
  [ "$fuzzy" -gt 0 ] && summary="$summary, $fuzzy fuzzy"
  [ "$untranslated" -gt 0 ] && summary="$summary, $untranslated untranslated"
  echo "$summary"
done

exit $status
