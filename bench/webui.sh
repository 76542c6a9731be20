#!/bin/bash
# bench/webui.sh - how fast the web UI's big tables answer: the flows list
# (get/flow/active.lua, perPage=50, the call behind /lua/flows_stats.lua)
# and the hosts list on an interface holding ~100k flows.
#
# Generates (once) a 400k-packet pcap with 100k concurrent flows with
# tools/ntopng-gen-pcap, starts ntopng on it with -X 200000 and
# --disable-login on a free port, waits until the file is read, then times
# N calls of each sorted page with curl and prints min / median / max in
# ms.  The goal (issue 5) is < 200 ms for the flows page.
#
# Usage: bench/webui.sh [build dir (default build/)] [calls (default 20)]
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
CALLS=${2:-20}
NTOPNG=$BUILD/ntopng
GEN=$BUILD/tools/ntopng-gen-pcap
WORK=${TMPDIR:-/tmp}/ntopng-bench-webui
PCAP=$WORK/100k-flows.pcap
mkdir -p "$WORK"
[ -x "$NTOPNG" ] && [ -x "$GEN" ] || { echo "build first: $NTOPNG, $GEN" >&2; exit 1; }
[ -s "$PCAP" ] || "$GEN" -o "$PCAP" -n 400000 -f 100000 -q

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$NTOPNG" -i "$PCAP" -w 127.0.0.1:"$PORT" -X 200000 -x 200000 --disable-login -s \
	--dns-server 127.0.0.1:1 \
	>"$WORK/ntopng.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
B=http://127.0.0.1:$PORT/lua/rest/v2
for _ in $(seq 600); do
	if curl -sf "$B/get/interface/data.lua?ifid=0" 2>/dev/null | grep -q '"input_ended":true'; then
		break
	fi
	sleep 0.2
done
FLOWS=$(curl -s "$B/get/interface/data.lua?ifid=0" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rsp"]["num_flows"])')
echo "interface holds $FLOWS flows"

# time_calls <label> <url>: prints min/median/max of CALLS calls in ms
time_calls() {
	local t
	for _ in $(seq "$CALLS"); do
		t=$(curl -s -o /dev/null -w '%{time_total}' "$2")
		echo "$t"
	done | sort -n | awk -v l="$1" '{ v[NR] = $1 * 1000 }
		END { printf "%-44s min %6.1f  median %6.1f  max %6.1f ms\n", l, v[1], v[int((NR + 1) / 2)], v[NR] }'
}

time_calls "flows perPage=50 sort bytes desc" "$B/get/flow/active.lua?ifid=0&perPage=50&currentPage=1&sortColumn=bytes&sortOrder=desc"
time_calls "flows perPage=50 page 1000 sort client" "$B/get/flow/active.lua?ifid=0&perPage=50&currentPage=1000&sortColumn=client&sortOrder=asc"
time_calls "flows perPage=50 sort info (strings)" "$B/get/flow/active.lua?ifid=0&perPage=50&sortColumn=info&sortOrder=asc"
time_calls "hosts perPage=50 sort traffic desc" "$B/get/host/active.lua?ifid=0&perPage=50&sortColumn=traffic&sortOrder=desc"
time_calls "matrix of the top 12 hosts" "$B/get/interface/matrix.lua?ifid=0&max_hosts=12"
