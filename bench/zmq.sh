#!/bin/bash
# bench/zmq.sh - ZMQ ingest benchmark: flows/s decoded and fully accounted
# (interface tables) next to the bare decode rate of the same JSON and TLV
# messages, in one run, and the ratio (bench/zmq_bench.c).
# Usage: bench/zmq.sh [flows per format, default 2000000]
# Builds out of tree in $BUILD_DIR (default /tmp/build-bench-zmq).
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD_DIR:-/tmp/build-bench-zmq}
[ -x "$SRC/configure" ] || (cd "$SRC" && autoreconf -fi >/dev/null)
mkdir -p "$B"
[ -f "$B/Makefile" ] || (cd "$B" && "$SRC/configure" -q)
make -C "$B" -j"$(nproc)" bench/zmq_bench >/dev/null
"$B/bench/zmq_bench" "${1:-2000000}"
