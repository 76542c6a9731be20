#!/bin/bash
# bench/clickhouse.sh - how many flows/s the ClickHouse flow store
# (-F clickhouse, exporter/chsink.c) takes on this machine, beside the
# node's ingest rate.
#
# A clickhouse-server of its own on loopback (tests/e2e/chserver.py); the
# generator (tools/ntopng-gen-flows) dumps N TLV flow records, every one a
# new flow key, once; then, ROUNDS times each:
#  (a) a node in collector mode without -F gets that file (--replay, as
#      fast as it takes it): ingest flows/s from the generator's START to
#      the poll that sees zmqRecvStats.flows = N;
#  (b) the same with -F clickhouse and --flow-idle-timeout 1, so every
#      flow expires about 1-2 s after its record: ingest flows/s as in
#      (a); the store's sustained flows/s is the slope of
#      clickhouse.rows_inserted (get/ntopng/redis.lua, polled every
#      20 ms) between the first and the last full batch (50 000 rows) it
#      sees inserted (the store works flat out then: ingest is faster);
#      the last rows wait for the 5 s timer, so the end-to-end time
#      (START to rows_inserted = N) is shown too.  ClickHouse's count() must be N with nothing dropped, unless
#      the queue overflowed (then the drops are shown: the store was
#      slower than ingest for longer than its queue holds);
#  (c) -F clickhouse fed at RATE flows/s (paced) for N/RATE s: every flow
#      must be in ClickHouse, none dropped; the sustained store rate as
#      in (b).
# The ratio store / ingest(a) says whether storage limits ingest; the goal
# is that storage never limits ingest below 200 k flows/s, i.e. (c) at
# RATE = 200000 loses nothing (checked) and the store rate of (b) is at
# least that (reported, not enforced: the machine is shared).
#
# Usage: bench/clickhouse.sh [build dir, default build/]
# Environment: CH_BENCH_FLOWS (1000000), CH_BENCH_ROUNDS (3),
# CH_BENCH_RATE (200000).
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$SRC/build}
for f in ntopng tools/ntopng-gen-flows; do
	if [ ! -x "$B/$f" ]; then
		echo "clickhouse bench: $B/$f missing (make -C $B all)" >&2
		exit 2
	fi
done
exec /usr/bin/python3 - "$(cd "$B" && pwd)" "$SRC" \
	"${CH_BENCH_FLOWS:-1000000}" "${CH_BENCH_ROUNDS:-3}" \
	"${CH_BENCH_RATE:-200000}" <<'EOF'
import json, os, re, shutil, signal, socket, statistics, subprocess, sys
import tempfile, time, urllib.request

B, SRC, N, ROUNDS = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
RATE = int(sys.argv[5])
sys.path.insert(0, os.path.join(SRC, "tests", "e2e"))
from chserver import ClickHouse, have_clickhouse  # noqa: E402

if not have_clickhouse():
    print("clickhouse bench: clickhouse-server is not installed")
    sys.exit(2)
GEN = os.path.join(B, "tools", "ntopng-gen-flows")
TMP = tempfile.mkdtemp(prefix="ch-bench-")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rest(port, ep):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/lua/rest/v2/%s" % (port, ep),
                                    timeout=5) as r:
            return json.load(r)["rsp"]
    except Exception:
        return {}


def start_node(extra, tag):
    zp, wp = free_port(), free_port()
    dd = os.path.join(TMP, "data-" + tag)
    os.makedirs(dd, exist_ok=True)
    log = open(os.path.join(TMP, "node-%s.log" % tag), "wb")
    p = subprocess.Popen([os.path.join(B, "ntopng"), "-i", "tcp://127.0.0.1:%dc" % zp,
                          "-w", "127.0.0.1:%d" % wp, "--disable-login", "-d", dd,
                          "-r", "127.0.0.1:1", "--dns-server", "127.0.0.1:1",
                          "-X", "4000000", "-x", "2000000", "-s"] + extra,
                         stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", wp), timeout=0.2).close()
            return p, zp, wp
        except OSError:
            time.sleep(0.1)
    p.kill()
    raise SystemExit("node did not start")


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def run(extra, tag, ch=None, db=None, rate=0):
    p, zp, wp = start_node(extra, tag)
    if rate:
        src = ["-n", str(N), "-k", str(N), "-r", str(rate), "-f", "tlv"]
    else:
        src = ["--replay", dump]
    g = subprocess.Popen([GEN, "-e", "tcp://127.0.0.1:%dc" % zp] + src +
                         ["--wait-subscriber", "--wait-timeout", "20"],
                         stdout=subprocess.PIPE, text=True)
    t_in = t_st = None
    deadline = time.time() + 300
    led = {}
    steps = []   # (time, rows_inserted) at each change
    while time.time() < deadline:
        now = time.time()
        if t_in is None:
            d = rest(wp, "get/interface/data.lua?ifid=0")
            if d.get("zmqRecvStats", {}).get("flows", 0) >= N:
                t_in = now
        if ch is not None:
            led = rest(wp, "get/ntopng/redis.lua").get("clickhouse", {})
            ri = led.get("rows_inserted", 0)
            if ri and (not steps or steps[-1][1] != ri):
                steps.append((now, ri))
            if ri + led.get("queue_dropped", 0) >= N and led.get("queued", 1) == 0:
                t_st = now
        if t_in is not None and (ch is None or t_st is not None):
            break
        if ch is not None and led.get("queue_dropped", 0) > 0 and t_in is not None \
                and now - t_in > 20:
            break
        time.sleep(0.02)
    out, _ = g.communicate(timeout=60)
    t0 = int(re.search(r"wall_ms=(\d+)", out).group(1)) / 1000.0
    stop(p)
    r = dict(ingest=N / (t_in - t0) if t_in else 0)
    if ch is not None:
        r["e2e"] = N / (t_st - t0) if t_st else 0
        # the slope between the first and the last full batch seen (the
        # last rows wait for the 5 s timer: not the store's speed)
        full = [i for i in range(1, len(steps)) if steps[i][1] - steps[i - 1][1] >= 50000]
        if full and steps[full[-1]][0] > steps[0][0]:
            r["store"] = (steps[full[-1]][1] - steps[0][1]) / (steps[full[-1]][0] - steps[0][0])
        else:
            r["store"] = 0
        r["dropped"] = led.get("queue_dropped", 0)
        r["batches"] = led.get("batches_inserted", 0)
        r["rows"] = int(ch.query("SELECT count() FROM %s.flows" % db).strip())
    return r


try:
    dump = os.path.join(TMP, "flows.bin")
    subprocess.run([GEN, "--dump", dump, "-f", "tlv", "-n", str(N), "-k", str(N)],
                   check=True, stdout=subprocess.DEVNULL)
    with ClickHouse("chbench", base=TMP) as ch:
        print("ClickHouse flow store benchmark: %d cores, %s, clickhouse-server %s, "
              "%d flows (each a new key) per run, %d rounds"
              % (os.cpu_count(), time.strftime("%Y-%m-%d", time.gmtime()), ch.version(),
                 N, ROUNDS))
        ratios, ok = [], True
        for rnd in range(1, ROUNDS + 1):
            a = run([], "plain")
            db = "bench%d" % rnd
            spec = "clickhouse;127.0.0.1@%d;%s;default;" % (ch.http_port, db)
            b = run(["-F", spec, "--flow-idle-timeout", "1"], "ch", ch, db)
            ratio = b["store"] / a["ingest"] if a["ingest"] else 0
            ratios.append(ratio)
            good = b["rows"] + b["dropped"] == N
            ok = ok and good
            print("round %d: (a) ingest without -F %7.0f flows/s | (b) with -F clickhouse: "
                  "ingest %7.0f flows/s, store %7.0f flows/s sustained (%7.0f end to end), "
                  "%d batches, %d rows in ClickHouse, %d dropped | store/ingest %.2f %s"
                  % (rnd, a["ingest"], b["ingest"], b["store"], b["e2e"], b["batches"],
                     b["rows"], b["dropped"], ratio, "ok" if good else "FAIL"))
            db = "paced%d" % rnd
            spec = "clickhouse;127.0.0.1@%d;%s;default;" % (ch.http_port, db)
            c = run(["-F", spec, "--flow-idle-timeout", "1"], "paced", ch, db, RATE)
            good = c["rows"] == N and c["dropped"] == 0
            ok = ok and good
            print("         (c) paced at %d flows/s: ingest %7.0f flows/s, store %7.0f flows/s "
                  "sustained, %d rows in ClickHouse, %d dropped %s"
                  % (RATE, c["ingest"], c["store"], c["rows"], c["dropped"],
                     "ok" if good else "FAIL"))
        med = statistics.median(ratios)
        print("median store/ingest ratio %.2f (store sustained / ingest without -F); goal: "
              "storage never limits ingest below %d flows/s: (c) loses nothing at that rate"
              % (med, RATE))
        sys.exit(0 if ok else 1)
finally:
    shutil.rmtree(TMP, ignore_errors=True)
EOF
