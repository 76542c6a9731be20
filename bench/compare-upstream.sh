#!/bin/bash
# bench/compare-upstream.sh - this node and an upstream ntopng binary, side
# by side, on the same inputs, one after the other:
#
#  (1) bench/run.sh's capture (bench/out/bench.pcap: BENCH_PACKETS,
#      default 5,000,000 packets over 20,000 concurrent sessions; made
#      with tools/ntopng-gen-pcap when missing, as run.sh does), read with
#      -i FILE as fast as each reads it;
#  (2) the same ZMQ TLV stream for both, as bench/zmq_ingest.sh sends it:
#      tools/ntopng-gen-flows dumps COMPARE_FLOWS records (default
#      10,000,000, a 900 MB file in /tmp: with 2,000,000 this node took
#      them between two samples) over COMPARE_KEYS keys (default 100,000)
#      to a file once, then replays that file to each node in collector
#      mode.
#
# Each rate comes from the node's own counters over time, not from the
# process's wall time (upstream takes tens of seconds to shut down):
# GET /lua/rest/v2/get/interface/data.lua?ifid=N once a second (N: the
# row of the -i text in get/ntopng/interfaces.lua; upstream keeps
# interface ids in Redis across runs, so it is not always 0), packets
# for (1), zmqRecvStats.flows for (2); the rate is the count between the
# first sample that moved and the last one before the final count, over
# the time between them (both inside the busy time).  A run too short for
# that (fewer than three moving samples) prints its rate as ">=N", a lower
# bound: raise the count.  Peak RSS: VmHWM of /proc/<pid>/status just
# before the node is stopped.
#
# usage: bench/compare-upstream.sh UPSTREAM_BIN [UPSTREAM_SRC_DIR] [REDIS...]
#   UPSTREAM_BIN      the upstream ntopng executable (none: skipped, exit 0)
#   UPSTREAM_SRC_DIR  its source folder, for its httpdocs/ and scripts/
#                     (passed as -1, -2, -3 and --install-dir); default
#                     or "": none (the binary's installed ones)
#   REDIS             host:port of a running Redis for upstream (default
#                     127.0.0.1:6379); more than one: the first that
#                     answers is used
# Environment: BUILD (this node's build dir, default build/), BENCH_OUT
# (default bench/out), BENCH_PACKETS, COMPARE_FLOWS, COMPARE_KEYS,
# COMPARE_TIMEOUT (s per run, default 600), COMPARE_INPUTS (default
# "capture zmq": one of them runs that one only), UPSTREAM_ARGS (more options
# for upstream, e.g. "--original-speed" is NOT wanted: it would replay at
# capture speed).
#
# Builds nothing and fetches nothing; only the processes it started are
# stopped (by PID).  Exit 0 (also when skipped), 2 on bad arguments or a
# missing tool, 1 when a run failed.
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
usage() {
	echo "usage: $0 UPSTREAM_BIN [UPSTREAM_SRC_DIR] [REDIS_HOST:PORT...]" >&2
	exit 2
}

if [ $# -eq 0 ] || [ -z "${1:-}" ]; then
	echo "compare-upstream: skipped: no upstream ntopng binary given" \
		"(usage: $0 UPSTREAM_BIN [UPSTREAM_SRC_DIR] [REDIS...])"
	exit 0
fi
case "$1" in -h | --help) usage ;; esac
UP_BIN=$1
shift
if [ ! -f "$UP_BIN" ] || [ ! -x "$UP_BIN" ]; then
	echo "compare-upstream: $UP_BIN is not an executable file" >&2
	exit 2
fi
UP_SRC=
if [ $# -ge 1 ]; then
	UP_SRC=$1 # "": none (to give REDIS without a source folder)
	shift
fi
if [ -n "$UP_SRC" ]; then
	if [ ! -d "$UP_SRC" ]; then
		echo "compare-upstream: $UP_SRC is not a directory" >&2
		exit 2
	fi
	UP_SRC=$(cd "$UP_SRC" && pwd)
	for d in httpdocs scripts; do
		if [ ! -d "$UP_SRC/$d" ]; then
			echo "compare-upstream: $UP_SRC has no $d/ (not an ntopng source folder?)" >&2
			exit 2
		fi
	done
fi
REDIS=
for r in "${@:-127.0.0.1:6379}"; do
	case "$r" in
	*:*) ;;
	*)
		echo "compare-upstream: REDIS must be host:port, not '$r'" >&2
		exit 2
		;;
	esac
	if (exec 3<>"/dev/tcp/${r%:*}/${r##*:}") 2>/dev/null; then
		REDIS=$r
		break
	fi
done
if [ -z "$REDIS" ]; then
	echo "compare-upstream: no Redis answers at ${*:-127.0.0.1:6379} (upstream needs one)" >&2
	exit 2
fi

B=${BUILD:-$SRC/build}
for f in ntopng tools/ntopng-gen-pcap tools/ntopng-gen-flows; do
	if [ ! -x "$B/$f" ]; then
		echo "compare-upstream: $B/$f missing (build first; this script builds nothing)" >&2
		exit 2
	fi
done
B=$(cd "$B" && pwd)
command -v python3 >/dev/null || {
	echo "compare-upstream: python3 needed (REST polling)" >&2
	exit 2
}

OUT=${BENCH_OUT:-$SRC/bench/out}
N=${BENCH_PACKETS:-5000000}
FLOWS=${COMPARE_FLOWS:-10000000}
KEYS=${COMPARE_KEYS:-100000}
TIMEOUT=${COMPARE_TIMEOUT:-600}
INPUTS=${COMPARE_INPUTS:-capture zmq}
for input in $INPUTS; do
	case "$input" in
	capture | zmq) ;;
	*)
		echo "compare-upstream: COMPARE_INPUTS: '$input' is not capture or zmq" >&2
		exit 2
		;;
	esac
done
PCAP=$OUT/bench.pcap
TMP=$(mktemp -d /tmp/compare-upstream.XXXXXX)
PID=
FAIL=0

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$OUT" || exit 1
[ -f "$OUT/.gitignore" ] || echo '*' >"$OUT/.gitignore"
has_input() { case " $INPUTS " in *" $1 "*) return 0 ;; esac; return 1; }
# the capture of bench/run.sh, same parameters and reuse rule
params="n=$N f=20000 s=1 t=1700000000 gen=$(sha256sum \
	"$SRC/tools/gen_pcap.c" | cut -c1-16)"
if ! has_input capture; then
	:
elif [ -s "$PCAP" ] && [ "$(cat "$OUT/bench.params" 2>/dev/null)" = "$params" ]; then
	echo "reusing $PCAP ($params)"
else
	echo "generating $PCAP ($params)"
	rm -f "$PCAP" "$OUT/bench.params"
	"$B/tools/ntopng-gen-pcap" -o "$PCAP" -n "$N" -f 20000 -s 1 \
		-t 1700000000 -q || exit 1
	echo "$params" >"$OUT/bench.params"
fi
if has_input zmq; then
	echo "dumping $FLOWS TLV records over $KEYS keys"
	"$B/tools/ntopng-gen-flows" --dump "$TMP/flows.bin" -f tlv -n "$FLOWS" \
		-k "$KEYS" >"$TMP/dump.out" || exit 1
fi

free_port() {
	python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

# The poller: samples the counter each second until it reaches `want`
# (or stops moving for 15 s, or the process ends, or the timeout);
# prints "rate final peak_rss_kb bound".  The rate is the count between
# the first sample that moved and the last one before the final count,
# over the time between them (both inside the busy time): bound "=".
# With fewer samples in between it is a lower bound, bound ">=": from the
# first moved sample to the final one, or, when everything arrived
# between two samples, the whole count over that one interval.
cat >"$TMP/poll.py" <<'EOF'
import json, os, sys, time, urllib.request
port, pid, key, want, timeout, src = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
base = "http://127.0.0.1:%s/lua/rest/v2/get/" % port
last = ""
def get(path):
    global last
    try:
        with urllib.request.urlopen(base + path, timeout=5) as r:
            body = r.read()
        last = body[:300].decode("utf-8", "replace")
        d = json.loads(body)
    except Exception as e:
        last = last or str(e)
        return None
    return d.get("rsp") if isinstance(d, dict) else None
ifid = None
def find_ifid():
    # the row of the -i text: upstream keeps interface ids in Redis across
    # runs, so it is not always 0
    rows = get("ntopng/interfaces.lua")
    if not isinstance(rows, list):
        return None
    rows = [r for r in rows if isinstance(r, dict) and isinstance(r.get("ifid"), int)]
    for r in rows:
        if src in (r.get("ifname"), r.get("description")) or r.get("ifname") == os.path.basename(src):
            return r["ifid"]
    return rows[0]["ifid"] if len(rows) == 1 else None
def count():
    global ifid
    if ifid is None:
        ifid = find_ifid()
        if ifid is None:
            return None
    v = get("interface/data.lua?ifid=%d" % ifid)
    for k in key.split("."):
        v = v.get(k, {}) if isinstance(v, dict) else {}
    return v if isinstance(v, int) else None
def hwm():
    try:
        for ln in open("/proc/%d/status" % pid):
            if ln.startswith("VmHWM:"):
                return int(ln.split()[1])
    except OSError:
        pass
    return 0
t_start = time.monotonic()
samples, last_move = [], time.monotonic()
peak = 0
while time.monotonic() - t_start < timeout:
    peak = max(peak, hwm())
    c = count()
    now = time.monotonic()
    if c is None and not samples and now - t_start > 120:
        print("poll: no %s from the REST API in 120 s; last reply: %s" % (key, last), file=sys.stderr)
        break
    if c is not None:
        if samples and c != samples[-1][1]:
            last_move = now
        samples.append((now, c))
        if c >= want > 0:
            break
        if c > 0 and now - last_move > 15:
            break
    try:
        open("/proc/%d/status" % pid).close()
    except OSError:
        break
    time.sleep(1)
moved = [i for i, s in enumerate(samples) if s[1] > 0]
if not moved:
    print("0 0 %d =" % peak)
    sys.exit(0)
final = samples[moved[-1]][1]
first = moved[0]
done = next(i for i in moved if samples[i][1] == final)
if done > first + 1:
    # both samples inside the busy time: after the first move, before the end
    (t0, c0), (t1, c1) = samples[first], samples[done - 1]
    print("%.0f %d %d =" % ((c1 - c0) / (t1 - t0), final, peak))
elif done > first:
    # what came after the first move took at most the time to the end
    (t0, c0), (t1, _) = samples[first], samples[done]
    print("%.0f %d %d >=" % ((final - c0) / (t1 - t0), final, peak))
elif first > 0:
    # all of it between two samples: at least this fast
    (t0, c0), (t1, _) = samples[first - 1], samples[first]
    print("%.0f %d %d >=" % ((final - c0) / (t1 - t0), final, peak))
else:
    print("0 %d %d =" % (final, peak))
EOF

# run_node <label> <key> <want> <cmd...>: starts cmd, polls; sets RES
run_node() {
	local label=$1 key=$2 want=$3 wport=$4
	shift 4
	"$@" >"$TMP/$label.log" 2>&1 &
	PID=$!
	if [ -n "${FEED:-}" ]; then
		sleep 2
		"$B/tools/ntopng-gen-flows" -e "tcp://127.0.0.1:${ZPORT}c" \
			--replay "$TMP/flows.bin" --wait-subscriber \
			--wait-timeout 60 >"$TMP/gen-$label.out" 2>&1 &
	fi
	RES=$(python3 "$TMP/poll.py" "$wport" "$PID" "$key" "$want" "$TIMEOUT" \
		"$in")
	if ! kill -0 "$PID" 2>/dev/null; then
		echo "$label: the process ended early; last lines:" >&2
		tail -n 5 "$TMP/$label.log" >&2
		FAIL=1
	fi
	kill -TERM "$PID" 2>/dev/null
	for _ in $(seq 120); do
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.5
	done
	kill -KILL "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	PID=
	wait 2>/dev/null # the generator
}

UP_DIRS=()
if [ -n "$UP_SRC" ]; then
	UP_DIRS=(-1 "$UP_SRC/httpdocs" -2 "$UP_SRC/scripts"
		-3 "$UP_SRC/scripts/callbacks" --install-dir "$UP_SRC")
fi
# shellcheck disable=SC2206
UP_EXTRA=(${UPSTREAM_ARGS:-})

declare -A RATE FINAL RSS BOUND
for side in this upstream; do
	for input in $INPUTS; do
		wport=$(free_port)
		mkdir -p "$TMP/data-$side-$input"
		FEED=
		if [ "$input" = capture ]; then
			in=$PCAP
			key=packets
			want=$N
		else
			ZPORT=$(free_port)
			in="tcp://127.0.0.1:${ZPORT}c"
			key=zmqRecvStats.flows
			want=$FLOWS
			FEED=1
		fi
		if [ "$side" = this ]; then
			cmd=("$B/ntopng" -i "$in" -w "127.0.0.1:$wport"
				--disable-login 1 -s -d "$TMP/data-$side-$input"
				-r 127.0.0.1:1 --dns-server 127.0.0.1:1
				-X 2000000 -x 1000000 -P)
		else
			cmd=("$UP_BIN" -i "$in" -w "127.0.0.1:$wport"
				--disable-login 1 -s -d "$TMP/data-$side-$input"
				-r "$REDIS" -X 2000000 -x 1000000
				-G "$TMP/upstream-$input.pid"
				"${UP_DIRS[@]}" "${UP_EXTRA[@]}")
		fi
		echo "running $side on $input: ${cmd[*]}"
		run_node "$side-$input" "$key" "$want" "$wport" "${cmd[@]}"
		read -r r f p b <<<"$RES"
		RATE[$side-$input]=${r:-0}
		BOUND[$side-$input]=${b:-=}
		FINAL[$side-$input]=${f:-0}
		RSS[$side-$input]=${p:-0}
		if [ "${f:-0}" != "$want" ]; then
			echo "warning: $side counted ${f:-0} of $want on $input"
		fi
	done
done

echo
echo "== this node vs upstream ($(nproc) cores, $(date -u +%Y-%m-%d))"
printf '%-9s %-8s %14s %12s %12s\n' input side "rate (/s)" counted "peak RSS"
for input in $INPUTS; do
	unit=pkts
	[ "$input" = zmq ] && unit=flows
	for side in this upstream; do
		r=${RATE[$side-$input]}
		[ "${BOUND[$side-$input]}" = ">=" ] && r=">=$r"
		printf '%-9s %-8s %9s %-4s %12s %9s MB\n' "$input" "$side" \
			"$r" "$unit" "${FINAL[$side-$input]}" \
			"$((${RSS[$side-$input]} / 1024))"
	done
	awk -v a="${RATE[this-$input]}" -v b="${RATE[upstream-$input]}" \
		-v i="$input" -v lb="${BOUND[this-$input]}${BOUND[upstream-$input]}" \
		'BEGIN { if (b > 0) printf "%s: this / upstream = %.2f%s\n", i, a / b,
			lb == "==" ? "" : " (a rate is a lower bound: raise the count)" }'
done
exit $FAIL
