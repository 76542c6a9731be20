#!/bin/bash
# bench/flows_udp.sh - NetFlow v5 / v9 / IPFIX / sFlow ingest benchmark:
# records/s decoded, and decoded + accounted in the interface tables, on
# one core (bench/flows_udp.c), printed next to the anchor (ElastiFlow's
# published 5 k records/s per core) and our goal (500 k records/s).
# Usage: bench/flows_udp.sh [records per protocol, default 2000000]
# Builds out of tree in $BUILD_DIR (default /tmp/build-bench-flows-udp);
# the captures come from $NTOPNG_SHARED (default ../shared next to the repo).
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD_DIR:-/tmp/build-bench-flows-udp}
SHARED=${NTOPNG_SHARED:-$(cd "$SRC/.." && pwd)/shared}
[ -x "$SRC/configure" ] || (cd "$SRC" && autoreconf -fi >/dev/null)
mkdir -p "$B"
[ -f "$B/Makefile" ] || (cd "$B" && "$SRC/configure" -q)
make -C "$B" -j"$(nproc)" bench/flows_udp >/dev/null
"$B/bench/flows_udp" "${1:-2000000}" "$SHARED"
