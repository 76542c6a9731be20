#!/bin/bash
# dump_config.sh - `ntopng --dump-config` (bgpd -n): the effective
# configuration printed back as a configuration file.
#   1. ntopng tests/golden/prefs.conf --dump-config prints exactly
#      tests/golden/prefs.dump (every kind of option of opt_table[]:
#      lists, strings with blanks and quotes, numbers, modes, host:port,
#      networks, flags, counts, a hidden alias, -l's endpoint form);
#   2. that dump, read back as a configuration file, dumps the same;
#   3. on the command line, options after --dump-config count too, and
#      with only defaults the dump is the comment line alone.
# Uses $NTOPNG_BIN (set by tests/run.sh), else build/ntopng in the repo.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${NTOPNG_SRC:-$here/../..}
bin=${NTOPNG_BIN:-$src/build/ntopng}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

check() {
	if [ "$1" = ok ]; then
		echo "ok   $2"
	else
		echo "FAIL $2"
		fails=$((fails + 1))
	fi
}

"$bin" "$src/tests/golden/prefs.conf" --dump-config >"$tmp/d1" 2>"$tmp/e1"
rc=$?
[ $rc -eq 0 ] && r=ok || r=fail
check $r "--dump-config after a configuration file exits 0 (rc $rc)"
if diff -u "$src/tests/golden/prefs.dump" "$tmp/d1"; then
	check ok "the dump of tests/golden/prefs.conf is tests/golden/prefs.dump"
else
	check fail "the dump of tests/golden/prefs.conf is tests/golden/prefs.dump"
fi
grep -q 'ignored' "$tmp/e1" && r=fail || r=ok
check $r "--dump-config after the file is not reported as ignored"

"$bin" "$tmp/d1" --dump-config >"$tmp/d2" 2>/dev/null
if diff -u "$tmp/d1" "$tmp/d2"; then
	check ok "the dump read back as a configuration file dumps the same"
else
	check fail "the dump read back as a configuration file dumps the same"
fi

"$bin" --dump-config -i eth1 -X 7 -S all >"$tmp/d3" 2>/dev/null
printf '%s\n' "$(head -n 1 "$src/tests/golden/prefs.dump")" \
	--interface=eth1 --max-num-flows=7 --sticky-hosts=all >"$tmp/w3"
if diff -u "$tmp/w3" "$tmp/d3"; then
	check ok "options after --dump-config on the command line are dumped"
else
	check fail "options after --dump-config on the command line are dumped"
fi

"$bin" --dump-config >"$tmp/d4" 2>/dev/null
[ "$(wc -l <"$tmp/d4")" -eq 1 ] && grep -q '^# ntopng ' "$tmp/d4" &&
	r=ok || r=fail
check $r "with only defaults the dump is its comment line"

echo "$fails failed"
[ $fails -eq 0 ]
