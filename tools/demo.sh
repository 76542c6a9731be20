#!/bin/bash
# tools/demo.sh - one command from a fresh checkout to a running ntopng.
#
# Installs missing Debian packages (tools/install-deps.sh), builds out of
# tree in build/ (or $BUILD_DIR), generates demo/demo.pcap with
# ntopng-gen-pcap (DEMO_PACKETS, default 300,000 packets), starts redis if
# none answers, then runs ntopng in the foreground on that capture with
# the web UI and REST API on http://127.0.0.1:$DEMO_PORT (default 3000),
# user admin, password admin.  Ctrl-C stops it.  DEMO_DIR moves demo/.

set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$SRC/build}
PORT=${DEMO_PORT:-3000}
PKTS=${DEMO_PACKETS:-300000}
DEMO=${DEMO_DIR:-$SRC/demo}

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

mkdir -p "$DEMO/data"
if [ ! -f "$DEMO/demo.pcap" ] ||
	[ "$(cat "$DEMO/demo.params" 2>/dev/null)" != "$PKTS" ]; then
	"$BUILD/tools/ntopng-gen-pcap" -o "$DEMO/demo.pcap" -n "$PKTS" \
		-f 3000 -s 1 -t "$(($(date +%s) - 600))"
	echo "$PKTS" >"$DEMO/demo.params"
fi

if command -v redis-server >/dev/null &&
	! redis-cli -p 6379 ping >/dev/null 2>&1; then
	redis-server --port 6379 --bind 127.0.0.1 --save '' \
		--appendonly no --daemonize yes >/dev/null
fi

cat <<MSG

ntopng demo: web UI and REST API on http://127.0.0.1:$PORT
  user admin, password admin; Ctrl-C stops ntopng.
  try:
    curl -u admin:admin 'http://127.0.0.1:$PORT/lua/rest/v2/get/interface/data.lua?ifid=0'

MSG
exec "$BUILD/ntopng" -i "demo=$DEMO/demo.pcap" -w "127.0.0.1:$PORT" \
	-m 192.168.1.0/24,fd00::/64 -d "$DEMO/data"
