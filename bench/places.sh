#!/bin/bash
# bench/places.sh - what names and places cost on the packet path (issue
# 14): bench/run.sh's capture read by ntopng with `-n 0` (names from DNS
# answers, the resolver for local hosts) without GeoIP databases, then
# with MaxMind's test City and ASN databases (../shared/geoip), in turn,
# PLACES_ROUNDS times (default 3); prints each run and the medians, and
# the ratio with/without (the goal is >= 0.95).  No thresholds.
#
# usage: bench/places.sh [BUILD_DIR]   (run bench/run.sh once first: it
# makes BENCH_OUT/bench.pcap; BENCH_OUT defaults to bench/out)
#
# The resolver asks a closed loopback port (--dns-server 127.0.0.1:1), so
# no query leaves the machine.  The test databases know few of the
# capture's addresses: most lookups miss, which costs a tree walk but no
# record decoding (docs/geo.md has the cost of a found record).

set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd) || exit 1
OUT=${BENCH_OUT:-$SRC/bench/out}
PCAP=$OUT/bench.pcap
ROUNDS=${PLACES_ROUNDS:-3}
GEO=${PLACES_GEOIP:-$SRC/../shared/geoip}
[ -s "$PCAP" ] || { echo "no $PCAP: run bench/run.sh first" >&2; exit 1; }
[ -f "$GEO/GeoLite2-City-Test.mmdb" ] || { echo "no test databases in $GEO" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/none" "$TMP/geo"
cp "$GEO/GeoLite2-City-Test.mmdb" "$TMP/geo/GeoLite2-City.mmdb"
cp "$GEO/GeoLite2-ASN-Test.mmdb" "$TMP/geo/GeoLite2-ASN.mmdb"

# run <variant> <geoip dir>: prints "wall packets"
run() {
	local t0 t1 pk
	rm -rf "$TMP/data"
	mkdir -p "$TMP/data"
	t0=$(date +%s.%N)
	"$BUILD/ntopng" -i "$PCAP" --shutdown-when-done -w 0 -n 0 \
		--dns-server 127.0.0.1:1 --geoip-dir "$2" \
		-X 2000000 -x 1000000 -P -s -d "$TMP/data" >"$TMP/$1.log" 2>&1
	t1=$(date +%s.%N)
	pk=$(grep -h '^STATS ' "$TMP/$1.log" | tail -n 1 | tr ' ' '\n' |
		sed -n 's/^packets=\([0-9]*\)$/\1/p')
	awk -v a="$t0" -v b="$t1" -v p="${pk:-0}" 'BEGIN { printf "%.3f %d\n", b - a, p }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$TMP/plain.w"
: >"$TMP/geoip.w"
for r in $(seq "$ROUNDS"); do
	for v in plain geoip; do
		if [ $v = plain ]; then d=$TMP/none; else d=$TMP/geo; fi
		read -r w p < <(run $v "$d")
		echo "$w" >>"$TMP/$v.w"
		printf 'round %d %-6s %8.2f s  %10.0f pkts/s\n' "$r" "$v" "$w" \
			"$(awk -v p="$p" -v w="$w" 'BEGIN { print (w > 0 ? p / w : 0) }')"
		echo "$p" >"$TMP/packets"
	done
done
p=$(cat "$TMP/packets")
mp=$(median <"$TMP/plain.w")
mg=$(median <"$TMP/geoip.w")
echo "== $p packets, medians of $ROUNDS runs each, -n 0"
awk -v p="$p" -v a="$mp" -v b="$mg" 'BEGIN {
	printf "without GeoIP : %8.2f s  %10.0f pkts/s\n", a, p / a
	printf "with GeoIP    : %8.2f s  %10.0f pkts/s\n", b, p / b
	printf "ratio with/without (pkts/s): %.3f\n", a / b }'
