#!/bin/bash
# bench/lua.sh - what Lua costs (issue 13), in one invocation:
#
#  (a) a Lua page that lists every flow (interface.getFlowsInfo() and a
#      loop summing their bytes) against REST get/flow/active.lua with
#      perPage = every row, on the same table: a collector node (-i
#      tcp://...c) fed N distinct flows by tools/ntopng-gen-flows, idle
#      once they are in, for each N of LUA_BENCH_FLOWS (default "100000
#      10000": the smaller table shows the ratio where the page fits in
#      its budget).  Each side is fetched
#      LUA_BENCH_ROUNDS times (default 5), alternating; reported: median
#      wall ms, the page's answer (count and bytes, checked against REST),
#      and the ratio Lua/REST.  A page that passes its budget (1 s) answers
#      500: that is reported as such, with its time.
#  (b) the packet rate of bench/run.sh's capture (bench/out/bench.pcap,
#      made by bench/run.sh or here with the same parameters) read with
#      `--shutdown-when-done -w 0`, without callbacks and with a second.lua
#      that walks every host each second (interface.getHostsInfo() and a
#      loop), and again with one that walks them through
#      interface.queryHosts{perPage = -1}; reported: the rates, the ratios
#      (goal >= 90 %, reported, not enforced), and how many second.lua runs
#      ended / failed.
#
# Usage: bench/lua.sh [build dir, default build/]
# Environment: LUA_BENCH_FLOWS ("100000 10000"), LUA_BENCH_ROUNDS (5),
# LUA_BENCH_TIMEOUT (1800 s per packet run), BENCH_PACKETS / BENCH_FLOWS /
# BENCH_SEED / BENCH_OUT as bench/run.sh.
# Builds nothing.  Every wait is bounded; only the processes it started are
# stopped (by PID).
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$SRC/build}
NF=${LUA_BENCH_FLOWS:-100000 10000}
ROUNDS=${LUA_BENCH_ROUNDS:-5}
OUT=${BENCH_OUT:-$SRC/bench/out}
N=${BENCH_PACKETS:-5000000}
F=${BENCH_FLOWS:-20000}
SEED=${BENCH_SEED:-1}
BT=${LUA_BENCH_TIMEOUT:-1800}
for f in ntopng tools/ntopng-gen-flows tools/ntopng-gen-pcap; do
	if [ ! -x "$B/$f" ]; then
		echo "lua.sh: $B/$f missing (make -C $B all)" >&2
		exit 2
	fi
done
B=$(cd "$B" && pwd)
TMP=$(mktemp -d /tmp/lua-bench.XXXXXX)
NODE=
GENPID=

stop_pid() {
	local i
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	stop_pid "$GENPID"
	stop_pid "$NODE"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

freeport() {
	python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

# ---- (a) a Lua page over every flow against REST ------------------------
mkdir -p "$TMP/scripts/lua"
cat >"$TMP/scripts/lua/sum_flows.lua" <<'EOF'
sendHTTPHeader("text/plain")
local n, b = 0, 0
for _, f in pairs(interface.getFlowsInfo()) do
  n = n + 1
  b = b + f.bytes
end
print(string.format("%.0f %.0f", n, b))
EOF
cat >"$TMP/a.py" <<'EOF'
import json, statistics, sys, time, urllib.request, urllib.error
port, nf, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
base = "http://127.0.0.1:%d" % port
def get(path):
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(base + path, timeout=120) as r:
            body, st = r.read(), r.status
    except urllib.error.HTTPError as e:
        body, st = e.read(), e.code
    return st, body, (time.monotonic() - t0) * 1000
deadline = time.monotonic() + 180
d = {}
while time.monotonic() < deadline:
    st, body, _ = get("/lua/rest/v2/get/interface/data.lua?ifid=0")
    d = json.loads(body)["rsp"]
    if d.get("num_flows", 0) >= nf:
        break
    time.sleep(0.2)
time.sleep(1)
print("flows in the table: %d (wanted %d)" % (d.get("num_flows", 0), nf))
lua, rest, st_lua, ans = [], [], None, None
for i in range(rounds):
    st_lua, body, ms = get("/lua/sum_flows.lua")
    lua.append(ms)
    ans = body.decode(errors="replace").strip()
    st, rb, ms = get("/lua/rest/v2/get/flow/active.lua?ifid=0&perPage=%d" % (nf * 2))
    rest.append(ms)
    rj = json.loads(rb)["rsp"]
rn, rbytes = rj["totalRows"], sum(f["bytes"] for f in rj["data"])
ml, mr = statistics.median(lua), statistics.median(rest)
print("REST get/flow/active.lua perPage=all: %8.1f ms median (%d rows, %d bytes, %.2f MB JSON)"
      % (mr, rn, rbytes, len(rb) / 1e6))
if st_lua == 200:
    print("Lua getFlowsInfo() + sum loop      : %8.1f ms median (answer: %s; %s REST)"
          % (ml, ans, "same as" if ans == "%d %d" % (rn, rbytes) else "DIFFERS from"))
    print("ratio Lua/REST (time): %.2f" % (ml / mr))
else:
    print("Lua getFlowsInfo() + sum loop      : HTTP %d after %.1f ms median (%s)"
          % (st_lua, ml, ans[:160].replace("\n", " ")))
    print("ratio Lua/REST (time): n/a (the page did not finish within its budget)")
EOF
# run_a <flows>: a fresh collector node fed <flows> distinct flows
run_a() {
	mkdir -p "$TMP/data-a-$1"
	ZPORT=$(freeport)
	WPORT=$(freeport)
	"$B/ntopng" -i "tcp://127.0.0.1:${ZPORT}c" -w "127.0.0.1:$WPORT" \
		--disable-login -d "$TMP/data-a-$1" -r 127.0.0.1:1 -2 "$TMP/scripts" \
		--dns-server 127.0.0.1:1 \
		-3 "$TMP/none" -X 2000000 -x 2000000 -s >"$TMP/node-a-$1.log" 2>&1 &
	NODE=$!
	up=0
	for i in $(seq 300); do
		kill -0 "$NODE" 2>/dev/null || break
		(exec 3<>"/dev/tcp/127.0.0.1/$WPORT") 2>/dev/null && { up=1; break; }
		sleep 0.1
	done
	if [ $up -ne 1 ]; then
		echo "lua.sh: ntopng did not start:" >&2
		tail -5 "$TMP/node-a-$1.log" >&2
		exit 1
	fi
	"$B/tools/ntopng-gen-flows" -e "tcp://127.0.0.1:${ZPORT}c" -n "$1" -k "$1" \
		--wait-subscriber --wait-timeout 20 --linger 20 >"$TMP/gen.log" 2>&1 &
	GENPID=$!

	echo "== (a) $1 flows: a Lua page vs REST, $ROUNDS rounds"
	python3 "$TMP/a.py" "$WPORT" "$1" "$ROUNDS"
	grep -h "deadline\|script failure" "$TMP/node-a-$1.log" | tail -n 2 | sed 's/^/  log| /'
	stop_pid "$GENPID"
	GENPID=
	stop_pid "$NODE"
	NODE=

}
for nf in $NF; do
	run_a "$nf"
done

# ---- (b) packet rate with and without a second.lua over every host -----
PCAP=$OUT/bench.pcap
mkdir -p "$OUT" || exit 1
[ -f "$OUT/.gitignore" ] || echo '*' >"$OUT/.gitignore"
params="n=$N f=$F s=$SEED t=1700000000 gen=$(sha256sum \
	"$SRC/tools/gen_pcap.c" | cut -c1-16)"
if [ -s "$PCAP" ] && [ "$(cat "$OUT/bench.params" 2>/dev/null)" = "$params" ]; then
	echo "reusing $PCAP ($params)"
else
	echo "generating $PCAP ($params)"
	rm -f "$PCAP" "$OUT/bench.params"
	"$B/tools/ntopng-gen-pcap" -o "$PCAP" -n "$N" -f "$F" -s "$SEED" \
		-t 1700000000 -q || { echo "lua.sh: generator failed" >&2; exit 1; }
	echo "$params" >"$OUT/bench.params"
fi

mkdir -p "$TMP/cb-on" "$TMP/cb-off" "$TMP/cb-q"
# the same walk through queryHosts (REST host/active rows, lighter than
# getHostsInfo's full host/data.lua objects)
cat >"$TMP/cb-q/second.lua" <<'EOF'
local n, b = 0, 0
local r = interface.queryHosts { perPage = -1 }
for _, h in ipairs((r and r.rows) or {}) do
  n = n + 1
  b = b + (h.bytes and h.bytes.total or 0)
end
ntop.setCache("bench.lua.hosts", string.format("%.0f %.0f", n, b))
print(string.format("hosts %.0f bytes %.0f", n, b))
EOF
cat >"$TMP/cb-on/second.lua" <<'EOF'
local n, b = 0, 0
for _, h in pairs(interface.getHostsInfo() or {}) do
  n = n + 1
  b = b + (h["bytes.sent"] or 0) + (h["bytes.rcvd"] or 0)
end
ntop.setCache("bench.lua.hosts", string.format("%.0f %.0f", n, b))
print(string.format("hosts %.0f bytes %.0f", n, b))
EOF

# run_b <label> <callbacks dir>: sets RATE, WALL, RUNS
run_b() {
	local t0 t1 stats pk
	rm -rf "$TMP/data-b"
	mkdir -p "$TMP/data-b"
	t0=$(date +%s.%N)
	timeout -k 10 "$BT" "$B/ntopng" -i "$PCAP" --shutdown-when-done -w 0 \
		-X 2000000 -x 1000000 -P -s -d "$TMP/data-b" -r 127.0.0.1:1 \
		--dns-server 127.0.0.1:1 \
		-3 "$2" >"$TMP/b-$1.log" 2>&1
	t1=$(date +%s.%N)
	WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	stats=$(grep -h '^STATS ' "$TMP/b-$1.log" | tail -n 1)
	pk=$(echo "$stats" | tr ' ' '\n' | sed -n 's/^packets=\([0-9]*\)$/\1/p')
	RATE=$(awk -v p="${pk:-$N}" -v w="$WALL" 'BEGIN { printf "%.0f", (w > 0 ? p / w : 0) }')
	RUNS=$(grep -c 'lua: second.lua: hosts' "$TMP/b-$1.log")
	FAILS=$(grep -c 'callback second.lua failed' "$TMP/b-$1.log")
}
echo "== (b) packet rate of $PCAP, without and with a second.lua over every host"
run_b off "$TMP/cb-off"
off_rate=$RATE
off_wall=$WALL
printf 'without callbacks            : %8.2f s  %10s pkts/s\n' "$off_wall" "$off_rate"
for v in on q; do
	run_b "$v" "$TMP/cb-$v"
	[ "$v" = on ] && what="second.lua getHostsInfo()  " || what="second.lua queryHosts{all}  "
	printf '%s: %8.2f s  %10s pkts/s  (%s runs ended, %s failures logged)\n' \
		"$what" "$WALL" "$RATE" "$RUNS" "$FAILS"
	grep -h 'callback second.lua failed' "$TMP/b-$v.log" | head -n 1 | sed 's/^/  log| /'
	awk -v a="$RATE" -v b="$off_rate" 'BEGIN {
		if (b > 0) printf "  ratio with/without (pkts/s): %.3f (goal >= 0.90)\n", a / b }'
done
exit 0
