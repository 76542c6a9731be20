#!/bin/bash
# cli_basic.sh - the command line contract of the ntopng binary:
#   ntopng -V              exits 0 and prints a version number;
#   ntopng --no-such-option exits 1 with exactly one line on stderr;
#   ntopng -h              documents --interface;
#   ntopng -d /proc/nope   exits 1 with one line, about the data directory
#                          (not a warning about the node id first).
# Uses $NTOPNG_BIN (set by tests/run.sh), else build/ntopng in the repo.

set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${NTOPNG_BIN:-$here/../../build/ntopng}
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

if [ ! -x "$bin" ]; then
	echo "FAIL ntopng binary not found at $bin"
	exit 1
fi

# -V
timeout 10 "$bin" -V >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && r=ok || r=bad
check $r "-V exits 0 (rc $rc)"
grep -Eq '[0-9]+\.[0-9]+' "$tmp/out" "$tmp/err" && r=ok || r=bad
check $r "-V prints a version: $(head -n 1 "$tmp/out")"

# unknown option
timeout 10 "$bin" --no-such-option >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && r=ok || r=bad
check $r "--no-such-option exits 1 (rc $rc)"
n=$(wc -l <"$tmp/err")
[ "$n" -eq 1 ] && r=ok || r=bad
check $r "--no-such-option writes exactly one line on stderr ($n)"
sed 's/^/     stderr: /' "$tmp/err" | head -n 5

# help
timeout 10 "$bin" -h >"$tmp/out" 2>"$tmp/err"
rc=$?
grep -q -- '--interface' "$tmp/out" "$tmp/err" && r=ok || r=bad
check $r "-h mentions --interface (rc $rc)"

# a data directory that cannot be made: its error is the only line
timeout 20 "$bin" -d /proc/nope -w 0 -r 127.0.0.1:1 -s \
	-i "${NTOPNG_SHARED:-$here/../../../shared}/pcaps/teams.pcap" \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && r=ok || r=bad
check $r "-d /proc/nope exits 1 (rc $rc)"
n=$(cat "$tmp/out" "$tmp/err" | wc -l)
grep -q 'ERROR: -d /proc/nope' "$tmp/err" && [ "$n" -eq 1 ] && r=ok || r=bad
check $r "-d /proc/nope writes one line, the data directory's error ($n)"
cat "$tmp/out" "$tmp/err" | sed 's/^/     output: /' | head -n 5

if [ $fails -gt 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all checks passed"
