#!/bin/bash
# layering.sh - the include rules that keep the data path's folders in
# their order (issue 12, README "Layout"):
#   sources (capture/, collector/) -> merge/ -> sinks (exporter/) -> webui/
#
#   R1  no file of merge/ includes a header of capture/, collector/,
#       sources/, exporter/ or webui/ (merge/ knows its sources only by
#       merge/source.h and merge/record.h);
#   R2  a file of capture/ or collector/ includes of merge/ only
#       merge/record.h and merge/source.h (never merge/iface.h, tables.h,
#       query.h), and nothing of exporter/, webui/ or sources/;
#   R3  a file of dpi/ includes of merge/ only merge/record.h, and nothing
#       of capture/, collector/, exporter/, webui/ or sources/;
#   R4  struct iface is opaque outside merge/: no file includes
#       merge/iface_priv.h but those of merge/, sources/historical.c (the
#       Historical loader fills its tables) and the white-box unit tests
#       of tests/unit/ (everyone else uses the accessors of merge/iface.h);
#   R5  a file of lua/ (the Lua engine and classes, issue 13) includes
#       nothing of capture/, collector/ or webui/ (the web server calls
#       the engine, not the reverse) and not merge/tables.h: scripts read
#       the interfaces through merge/query.h.
#   R6  a file of geo/ (GeoIP lookups, a leaf that merge/ and webui/ call)
#       includes nothing of the node but common/.
# sources/ (the table of kinds, the Historical loader) and main.c are the
# glue and may include anything but merge/iface_priv.h (R4).
#
# PENDING below may list violations that open work is about to remove
# ("file header" per line): they are reported but do not fail the test; a
# line whose include is gone is reported as stale.  Every other violation
# fails.
#
# The checker runs on the repository (must pass), and first on a small
# tree with planted violations (must find exactly them), so that a broken
# pattern cannot pass silently.

set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

# (empty since the sinks registered on the interface: merge/ includes no
# exporter/ header any more)
PENDING=''

# includes <root>: "file header" per quoted #include of every source
# file (build trees and .git left out)
includes() {
	(cd "$1" && find . \( -path './build*' -o -path './.git' \) -prune -o \
		-name '*.[ch]' -print | sed 's|^\./||' | sort | while read -r f; do
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
			while read -r h; do echo "$f $h"; done
	done)
}

# violates "file header": prints the rule broken, nothing when allowed
violates() {
	local f=$1 h=$2
	if [ "$h" = merge/iface_priv.h ]; then
		case $f in
		merge/* | sources/historical.c | tests/unit/*) ;;
		*) echo R4; return ;;
		esac
	fi
	case $f in
	merge/*)
		case $h in
		capture/* | collector/* | sources/* | exporter/* | webui/*)
			echo R1 ;;
		esac ;;
	capture/* | collector/*)
		case $h in
		merge/record.h | merge/source.h) ;;
		merge/* | exporter/* | webui/* | sources/*) echo R2 ;;
		esac ;;
	dpi/*)
		case $h in
		merge/record.h) ;;
		merge/* | capture/* | collector/* | exporter/* | webui/* | sources/*)
			echo R3 ;;
		esac ;;
	lua/*)
		case $h in
		capture/* | collector/* | webui/* | merge/tables.h) echo R5 ;;
		esac ;;
	geo/*)
		case $h in
		geo/* | common/*) ;;
		*/*) echo R6 ;;
		esac ;;
	esac
}

# check <root> <pending list>: prints each violation; returns their count
# (pending ones excepted, capped at 100)
check() {
	local n=0 f h r
	while read -r f h; do
		r=$(violates "$f" "$h")
		[ -n "$r" ] || continue
		if printf '%s\n' "$2" | grep -qxF "$f $h"; then
			echo "pending $r: $f includes $h"
		else
			echo "FAIL $r: $f includes $h"
			n=$((n + 1))
		fi
	done < <(includes "$1")
	while read -r f h; do
		[ -n "$f" ] || continue
		grep -qE "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"$h\"" \
			"$1/$f" 2>/dev/null ||
			echo "note: stale PENDING line (strike it): $f $h"
	done <<<"$2"
	[ $n -le 100 ] || n=100
	return $n
}

fails=0

# 1. the checker finds planted violations, and only them
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/merge" "$tmp/capture" "$tmp/collector" "$tmp/dpi" \
	"$tmp/sources" "$tmp/webui" "$tmp/tests/unit" "$tmp/lua" "$tmp/geo"
printf '#include "merge/iface.h"\n#include "capture/decode.h"\n' >"$tmp/merge/a.c"
printf '  #  include "collector/zmqc.h" /* x */\n' >"$tmp/merge/b.h"
printf '#include "exporter/export.h"\n' >"$tmp/merge/c.c"
printf '#include "merge/record.h"\n#include "merge/iface.h"\n' >"$tmp/capture/d.c"
printf '#include "merge/source.h"\n#include "merge/tables.h"\n' >"$tmp/collector/e.c"
printf '#include "merge/record.h"\n#include "capture/decode.h"\n' >"$tmp/dpi/f.c"
printf '#include "merge/iface.h"\n#include "merge/iface_priv.h"\n' >"$tmp/merge/g.c"
printf '#include "merge/iface_priv.h"\n' >"$tmp/sources/historical.c"
printf '#include "merge/iface_priv.h"\n' >"$tmp/tests/unit/test_h.c"
printf '#include "merge/iface_priv.h"\n' >"$tmp/sources/i.c"
printf '#include "merge/iface_priv.h"\n' >"$tmp/webui/j.c"
printf '#include "merge/iface.h"\n#  include "merge/iface_priv.h"\n' >"$tmp/main.c"
printf '#include "merge/iface_priv.h"\n' >"$tmp/capture/k.c"
printf '#include "merge/query.h"\n#include "webui/rest.h"\n' >"$tmp/lua/l.c"
printf '#include "common/log.h"\n#include "geo/geo.h"\n#include "merge/iface.h"\n' >"$tmp/geo/m.c"
out=$(check "$tmp" 'merge/c.c exporter/export.h')
got=$?
want='FAIL R1: merge/a.c includes capture/decode.h
FAIL R1: merge/b.h includes collector/zmqc.h
pending R1: merge/c.c includes exporter/export.h
FAIL R2: capture/d.c includes merge/iface.h
FAIL R2: collector/e.c includes merge/tables.h
FAIL R3: dpi/f.c includes capture/decode.h
FAIL R4: sources/i.c includes merge/iface_priv.h
FAIL R4: webui/j.c includes merge/iface_priv.h
FAIL R4: main.c includes merge/iface_priv.h
FAIL R4: capture/k.c includes merge/iface_priv.h
FAIL R5: lua/l.c includes webui/rest.h
FAIL R6: geo/m.c includes merge/iface.h'
if [ $got -eq 11 ] && [ "$(printf '%s\n' "$out" | sort)" = "$(printf '%s\n' "$want" | sort)" ]; then
	echo "ok   the checker finds the 11 planted violations and the pending one"
else
	echo "FAIL the checker on planted violations: rc $got, output:"
	printf '%s\n' "$out" | sed 's/^/  | /'
	fails=$((fails + 1))
fi

# 2. the repository keeps the rules
out=$(check "$root" "$PENDING")
got=$?
[ -z "$out" ] || printf '%s\n' "$out"
if [ $got -eq 0 ]; then
	echo "ok   the tree keeps the include rules" \
		"($(includes "$root" | wc -l) includes checked)"
else
	echo "FAIL $got include(s) break the layering rules"
	fails=$((fails + 1))
fi

echo "$((2 - fails)) passed, $fails failed"
[ $fails -eq 0 ]
