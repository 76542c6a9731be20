#!/bin/bash
# bench/zmq_ingest.sh - ZMQ ingest over a real transport: a live ntopng in
# collector mode (-i tcp://127.0.0.1:PORTc, it binds) fed over TCP by
# tools/ntopng-gen-flows (it connects, waits for the node's subscription,
# then sends), with full accounting in the node's interface tables.
#
#  (a) JSON and TLV, as fast as the node takes them (the generator's XPUB
#      blocks instead of dropping), N flows each.  The generator first
#      dumps the N flows' messages to a file; bench/zmq_bench --replay
#      decodes that file bare and with in-process accounting; then the
#      generator sends that same file to the node (--replay: the encoding
#      is done before it starts, so the sender only calls zmq_send on the
#      machine's other core).  Ingested flows/s run from the sender's
#      first message (its START line) to the poll of
#      get/interface/data.lua that sees zmqRecvStats.flows = N (polled
#      every 20 ms, so the error is under 20 ms); ratio = ingested / bare.
#      This machine's speed drifts by tens of percent over seconds
#      (shared host), so each round's bare and in-proc rates are the mean
#      of a pass right before its ingest and one right after it, and the
#      goal is judged on the median of the rounds' ratios.
#      Three cases: JSON and TLV over ZMQ_INGEST_KEYS (100 000) flow keys,
#      the node's table warm after the first pass, and TLV with every
#      record a new key (-k N: churn, each record creates a flow).
#  (c) the TLV file of (a) into a node with --workers 1 and one with
#      --workers W, in turn, each round: the ratio of ingested rates.
#  (b) TLV paced at RATE flows/s for SECS s (a full queue drops, as a PUB
#      does, and the node sees the gap as zmq_msg_drops): drops must be 0,
#      flows and bytes received must equal the generator's SENT line.
#
# Usage: bench/zmq_ingest.sh [build dir, default build/]
# Environment: ZMQ_INGEST_FLOWS (2000000), ZMQ_INGEST_RATE (200000),
# ZMQ_INGEST_SECONDS (15), ZMQ_INGEST_ROUNDS (5), ZMQ_INGEST_KEYS (100000),
# ZMQ_INGEST_WORKERS (nproc: (c) compares --workers 1 with it).  Builds nothing.  Every wait is bounded; only
# the processes it started are stopped.  Exit 1 if a check (exact totals,
# no drops) fails; the 50 % goal of (a) is reported, not enforced, since
# it depends on what else the machine runs.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$SRC/build}
N=${ZMQ_INGEST_FLOWS:-2000000}
RATE=${ZMQ_INGEST_RATE:-200000}
SECS=${ZMQ_INGEST_SECONDS:-15}
ROUNDS=${ZMQ_INGEST_ROUNDS:-5}
KEYS=${ZMQ_INGEST_KEYS:-100000}
W=${ZMQ_INGEST_WORKERS:-$(nproc)}
WROWS=
WRATIOS=
for f in ntopng tools/ntopng-gen-flows bench/zmq_bench; do
	if [ ! -x "$B/$f" ]; then
		echo "zmq_ingest: $B/$f missing (make -C $B all)" >&2
		exit 2
	fi
done
B=$(cd "$B" && pwd)
GEN=$B/tools/ntopng-gen-flows
TMP=$(mktemp -d /tmp/zmq-ingest.XXXXXX)
NODE=
GENPID=
FAIL=0
GOAL=met
GOALS=

cleanup() {
	for p in $GENPID $NODE; do
		kill "$p" 2>/dev/null
	done
	for p in $GENPID $NODE; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Polls the node: waits until zmqRecvStats.flows >= target (or, with
# target 0, until the counters stop moving), at most TIMEOUT s; prints
# "reached_ms flows bytes packets drops num_flows events exports".
cat >"$TMP/poll.py" <<'EOF'
import json, sys, time, urllib.request
port, target, timeout = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
url = "http://127.0.0.1:%d/lua/rest/v2/get/interface/data.lua?ifid=0" % port
deadline = time.time() + timeout
last, still = None, 0
while True:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            d = json.load(r)["rsp"]
    except Exception:
        d = {}
    now = time.time()
    z = d.get("zmqRecvStats", {})
    row = (z.get("flows", 0), d.get("bytes", 0), d.get("packets", 0),
           z.get("zmq_msg_drops", 0), d.get("num_flows", 0),
           z.get("events", 0), d.get("zmq.num_flow_exports", 0))
    still = still + 1 if row == last else 0
    last = row
    if (target and row[0] >= target) or (not target and still >= 10) \
            or now >= deadline:
        print(int(now * 1000), *row)
        break
    time.sleep(0.02)
EOF

start_node() {
	local port wport i
	port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
	wport=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
	mkdir -p "$TMP/data-$1"
	"$B/ntopng" -i "tcp://127.0.0.1:${port}c" -w "127.0.0.1:$wport" \
		--disable-login -d "$TMP/data-$1" -r 127.0.0.1:1 \
		--dns-server 127.0.0.1:1 \
		-X 2000000 -x 2000000 -s ${NODE_EXTRA:-} >"$TMP/node-$1.log" 2>&1 &
	NODE=$!
	ZPORT=$port
	WPORT=$wport
	for i in $(seq 300); do
		if ! kill -0 "$NODE" 2>/dev/null; then
			echo "zmq_ingest: ntopng exited at start-up:" >&2
			tail -5 "$TMP/node-$1.log" >&2
			exit 1
		fi
		(exec 3<>"/dev/tcp/127.0.0.1/$wport") 2>/dev/null && return 0
		sleep 0.1
	done
	echo "zmq_ingest: ntopng did not open its port" >&2
	exit 1
}

# Stops a PID we started: TERM, then KILL after 10 s.
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

# Waits at most $2 s for the generator to exit.
wait_gen() {
	local i
	for i in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	stop_pid "$1"
	GENPID=
}

# replay_rates FILE: "bare accounted" flows/s of bench/zmq_bench --replay
replay_rates() {
	"$B/bench/zmq_bench" --replay "$1" |
		sed -n 's/.*bare=\([0-9]*\) accounted=\([0-9]*\).*/\1 \2/p'
}

field() {   # field NAME FILE: the value of NAME=... on the SENT/START line
	sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" "$2" | head -1
}

check() {   # check VAR GOT WANT: VAR = ok, or FAIL(...) and FAIL=1
	if [ "$2" = "$3" ]; then
		printf -v "$1" "ok"
	else
		FAIL=1
		printf -v "$1" "FAIL(%s!=%s)" "$2" "$3"
	fi
}

echo "ZMQ ingest benchmark: $(nproc) cores, $(date -u +%Y-%m-%d), $N flows per format, $ROUNDS rounds"
ROWS=
for case in "json:$KEYS" "tlv:$KEYS" "tlv:$N"; do
	fmt=${case%%:*}
	keys=${case#*:}
	label=$fmt
	[ "$keys" = "$N" ] && label=$fmt-churn
	# the messages, encoded once; each round decodes them bare (while
	# nothing else runs), then sends them to a fresh node as they are
	"$GEN" --dump "$TMP/$fmt.bin" -f "$fmt" -n "$N" -k "$keys" \
		>"$TMP/dump-$fmt.out" || exit 1
	sbytes=$(field bytes "$TMP/dump-$fmt.out")
	RATIOS=
	for round in $(seq "$ROUNDS"); do
		read -r bare1 inproc1 < <(replay_rates "$TMP/$fmt.bin")
		start_node "$fmt"
		"$GEN" -e "tcp://127.0.0.1:${ZPORT}c" --replay "$TMP/$fmt.bin" \
			--wait-subscriber --wait-timeout 20 >"$TMP/gen-$fmt.out" &
		GENPID=$!
		read -r t_end flows bytes pkts drops nflows _ _ < <(python3 \
			"$TMP/poll.py" "$WPORT" "$N" 120)
		wait_gen "$GENPID" 30
		t0=$(field wall_ms "$TMP/gen-$fmt.out")
		stop_pid "$NODE"
		NODE=
		read -r bare2 inproc2 < <(replay_rates "$TMP/$fmt.bin")
		bare=$(( (${bare1:-0} + ${bare2:-0}) / 2 ))
		inproc=$(( (${inproc1:-0} + ${inproc2:-0}) / 2 ))
		if [ -z "$t0" ] || [ -z "$sbytes" ] || [ -z "$bare1" ] ||
			[ -z "$bare2" ]; then
			echo "zmq_ingest: the generator failed ($fmt)" >&2
			exit 1
		fi
		ms=$((t_end - t0))
		rate=$(awk -v n="$flows" -v ms="$ms" \
			'BEGIN { printf "%.0f", (ms > 0 ? n * 1000 / ms : 0) }')
		ratio=$(awk -v a="$rate" -v b="$bare" \
			'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }')
		check c_flows "$flows" "$N"
		check c_bytes "$bytes" "$sbytes"
		ROWS="$ROWS$(printf "%-9s %5s %10s %10s %10s %6s%%  %5s %6s  flows %s bytes %s" \
			"$label" "$round" "$bare" "$inproc" "$rate" "$ratio" \
			"$(awk -v ms="$ms" 'BEGIN { printf "%.2f", ms / 1000 }')" \
			"$drops" "$c_flows" "$c_bytes")
"
		RATIOS="$RATIOS $ratio"
	done
	if [ "$label" = tlv ]; then
		# (c) the same file into a node with --workers 1 and one with
		# --workers W, in turn, each round: the ratio of their rates
		for round in $(seq "$ROUNDS"); do
			for w in 1 "$W"; do
				NODE_EXTRA="--workers $w" start_node "w$w"
				"$GEN" -e "tcp://127.0.0.1:${ZPORT}c" \
					--replay "$TMP/$fmt.bin" --wait-subscriber \
					--wait-timeout 20 >"$TMP/gen-w$w.out" &
				GENPID=$!
				read -r t_end flows _ < <(python3 "$TMP/poll.py" \
					"$WPORT" "$N" 120)
				wait_gen "$GENPID" 30
				t0=$(field wall_ms "$TMP/gen-w$w.out")
				stop_pid "$NODE"
				NODE=
				eval "wrate_$w=$(awk -v n="$flows" -v ms="$((t_end - ${t0:-t_end}))" \
					'BEGIN { printf "%.0f", (ms > 0 ? n * 1000 / ms : 0) }')"
			done
			eval "wn=\$wrate_$W"
			WRATIOS="$WRATIOS $(awk -v a="$wn" -v b="$wrate_1" \
				'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
			WROWS="$WROWS$(printf "tlv       %5s %10s %10s" "$round" \
				"$wrate_1" "$wn")
"
		done
	fi
	rm -f "$TMP/$fmt.bin"
	med=$(echo $RATIOS | tr ' ' '\n' | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	# the goal is the warm table's; churn is reported beside it
	if [ "$keys" != "$N" ] && [ "$med" -lt 50 ]; then
		GOAL="not met"
	fi
	GOALS="$GOALS $label $med % (rounds:$RATIOS)"
done

echo
echo "(a) as fast as possible, flows/s (bare = decode only; in-proc = decode +"
echo "    accounting, no transport: each the mean of a pass before and one after"
echo "    the round's ingest; ingested = over ZMQ/TCP into a live node)"
printf "%-9s %5s %10s %10s %10s %7s  %5s %6s  %s\n" case round bare in-proc \
	ingested ratio s drops checks
printf "%s" "$ROWS"

echo
echo "(c) --workers: TLV ingested flows/s with --workers 1 and --workers $W"
echo "    (with more than one, each ZMQ source is received and decoded by a
    zmq-reader thread, its tables kept by the interface's: docs/threads.md)"
printf "%-9s %5s %10s %10s\n" case round workers-1 "workers-$W"
printf "%s" "$WROWS"
echo "    ratio --workers $W / --workers 1 (median):" \
	"$(echo $WRATIOS | tr ' ' '\n' | sort -n |
	awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }') (rounds:$WRATIOS)"

# (b) sustained
total=$((RATE * SECS))
start_node sustained
"$GEN" -e "tcp://127.0.0.1:${ZPORT}c" -f tlv -n "$total" -r "$RATE" --event \
	--wait-subscriber --wait-timeout 20 >"$TMP/gen-sustained.out" &
GENPID=$!
wait_gen "$GENPID" $((SECS + 60))
read -r _ flows bytes pkts drops nflows events exports < <(python3 \
	"$TMP/poll.py" "$WPORT" 0 30)
stop_pid "$NODE"
NODE=
sflows=$(field flows "$TMP/gen-sustained.out")
sbytes=$(field bytes "$TMP/gen-sustained.out")
spkts=$(field packets "$TMP/gen-sustained.out")
ssecs=$(field seconds "$TMP/gen-sustained.out")
if [ -z "$sflows" ]; then
	echo "zmq_ingest: the generator failed (sustained)" >&2
	exit 1
fi
echo
echo "(b) TLV paced at $RATE flows/s for $SECS s"
printf "    sent %s flows in %s s (%s flows/s), %s bytes, %s packets\n" \
	"$sflows" "$ssecs" "$(awk -v n="$sflows" -v s="$ssecs" \
	'BEGIN { printf "%.0f", n / s }')" "$sbytes" "$spkts"
printf "    received %s flows, %s bytes, %s packets; zmq_msg_drops %s;" \
	"$flows" "$bytes" "$pkts" "$drops"
printf " probe's num_flow_exports %s\n" "$exports"
check c_drops "$drops" 0
check c_flows "$flows" "$sflows"
check c_bytes "$bytes" "$sbytes"
check c_pkts "$pkts" "$spkts"
printf "    drops %s  flows %s  bytes %s  packets %s\n" "$c_drops" \
	"$c_flows" "$c_bytes" "$c_pkts"
echo
echo "goal, median ingested >= 50 % of bare:$GOALS: $GOAL"
[ "$FAIL" = 0 ] && echo "checks PASS" || echo "checks FAIL"
exit "$FAIL"
