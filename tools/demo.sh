#!/bin/bash
# tools/demo.sh - one command from a fresh checkout to a running demo hub.
#
# Installs missing Debian packages (tools/install-deps.sh), builds out of
# tree in build/ (or $BUILD_DIR), starts redis if none answers, then runs
# the star topology of topologies/ on live traffic that ntopng-gen-pcap
# generates in real time (DEMO_RATE packets/s per site, default 300): three
# edge nodes each capture one site and export with -I, and the hub merges
# them, in the
# foreground, with the web UI and REST API on http://127.0.0.1:3000 (user
# admin, password admin; the edges' UIs are on ports 3001-3003).  Ctrl-C
# stops the hub and the edges.

set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$SRC/build}
RATE=${DEMO_RATE:-300}

"$SRC/tools/install-deps.sh"

if [ ! -x "$SRC/configure" ]; then
	(cd "$SRC" && autoreconf -fi)
fi
mkdir -p "$BUILD"
if [ ! -f "$BUILD/Makefile" ]; then
	(cd "$BUILD" && "$SRC/configure" -q)
fi
make -C "$BUILD" -j"$(nproc)" all >/dev/null || {
	echo "demo: build failed; run make -C $BUILD to see why" >&2
	exit 1
}

if command -v redis-server >/dev/null &&
	! redis-cli -p 6379 ping >/dev/null 2>&1; then
	redis-server --port 6379 --bind 127.0.0.1 --save '' \
		--appendonly no --daemonize yes >/dev/null
fi

cat <<MSG

ntopng demo: a hub merging three edges (topologies/star), each capturing a
generated site.  Web UI and REST API of the hub: http://127.0.0.1:3000
(user admin, password admin); the edges: ports 3001-3003.  Ctrl-C stops all.
  try:
    curl -u admin:admin 'http://127.0.0.1:3000/lua/rest/v2/get/interface/data.lua?ifid=0'
    curl -u admin:admin 'http://127.0.0.1:3000/lua/rest/v2/get/interface/origins.lua?ifid=0'

MSG
BUILD_DIR=$BUILD TOPO_RATE=$RATE exec "$SRC/topologies/start.sh" star --live --foreground hub
