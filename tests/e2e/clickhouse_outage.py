#!/usr/bin/python3
"""ClickHouse down for 30 s during ingest: nothing lost (docs/storage.md,
"Spool").

A node in collector mode (-i tcp://...c) with -F clickhouse and
--flow-idle-timeout 2 is fed by tools/ntopng-gen-flows for about 50 s,
every record a new flow key, so flows expire (and are stored) all along.
clickhouse-server is killed (SIGKILL, by PID) 8 s into the feed and
started again 30 s later on the same ports and data directory.  Checks:
  - during the outage the ledger (get/ntopng/redis.lua) shows batches
    going to the spool (spool_batches > 0, files in
    <data-dir>/clickhouse-spool/) and /metrics says so too;
  - once it is back the spool drains (spool_batches 0) and, after the
    last flows expired, `SELECT count(), sum(TOTAL_BYTES), sum(PACKETS)`
    equals the generator's SENT line exactly; the ledger's rows_inserted
    equals it too, spooled_batches > 0, nothing dropped (queue or
    spool), no batch set aside.
Exit 77 when clickhouse-server is not installed.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, expect, free_port  # noqa: E402
from chserver import ClickHouse, have_clickhouse  # noqa: E402

RATE, SECS = 600, 50
FLOWS = RATE * SECS
DOWN_AT, DOWN_FOR = 8, 30


def gen_path():
    b = os.environ.get("NTOPNG_BIN", os.path.join(node.REPO, "build", "ntopng"))
    return os.path.join(os.path.dirname(b), "tools", "ntopng-gen-flows")


def ledger(n):
    return n.rest("get/ntopng/redis.lua").get("clickhouse", {})


def main_with(name, run):
    """run(ch, gen, tmp) with a ClickHouse server named name and the
    flow generator; 77 when either is missing; the checks' exit status."""
    if not have_clickhouse():
        print("SKIP: clickhouse-server is not installed")
        return 77
    gen = gen_path()
    if not os.access(gen, os.X_OK):
        print("SKIP: %s not built" % gen)
        return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-%s-" % name)
    try:
        with ClickHouse(name, base=tmp) as ch:
            run(ch, gen, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


def main():
    return main_with("chout", run)


def run(ch, gen, tmp):
    zport = free_port()
    dd = os.path.join(tmp, "data")
    spec = "clickhouse;127.0.0.1@%d;outage;default;" % ch.http_port
    with Node(["-i", "tcp://127.0.0.1:%dc" % zport, "-F", spec, "-d", dd,
               "--flow-idle-timeout", "2"], name="chout") as n:
        t0 = time.monotonic()
        p = subprocess.Popen([gen, "-e", "tcp://127.0.0.1:%dc" % zport, "-f", "tlv",
                              "-n", str(FLOWS), "-r", str(RATE), "-k", str(FLOWS),
                              "-s", "3", "--wait-subscriber", "--wait-timeout", "10",
                              "--linger", "10"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # the first batches are in (flows expire 2 s after their record, a
        # batch waits up to 5 s), then the outage
        deadline = time.monotonic() + DOWN_AT + 10
        while time.monotonic() < deadline:
            before = ledger(n)
            if time.monotonic() - t0 >= DOWN_AT and before.get("rows_inserted", 0) > 0:
                break
            time.sleep(0.2)
        expect(before.get("rows_inserted", 0) > 0 and before.get("connected") is True,
               "before the outage: %d flows inserted, connected"
               % before.get("rows_inserted", 0))
        ch.kill()
        down_at = time.monotonic()
        print("clickhouse-server killed at %.1f s" % (down_at - t0))
        spooled, files, metr = 0, [], ""
        while time.monotonic() < down_at + DOWN_FOR:
            time.sleep(1)
        for _ in range(20):
            # a batch may be spooled between the two looks: look again
            files = [f for f in os.listdir(os.path.join(dd, "clickhouse-spool"))
                     if f.endswith(".batch")]
            led = ledger(n)
            spooled = led.get("spool_batches", 0)
            if len(files) == spooled:
                break
            time.sleep(0.1)
        st, metr = n.get("/metrics", raw=True)
        metr = metr.decode()
        expect(spooled > 0 and led.get("connected") is False,
               "during the outage: %d batches (%d bytes) in the spool, not connected"
               % (spooled, led.get("spool_bytes", 0)))
        expect(len(files) == spooled,
               "the spool directory holds those %d batches: %s" % (spooled, sorted(files)[:3]))
        m = re.search(r'^ntopng_sink_spool_batches\{sink="clickhouse"\} (\d+)$', metr, re.M)
        expect(m is not None and int(m.group(1)) > 0,
               "/metrics: ntopng_sink_spool_batches{sink=\"clickhouse\"} %s"
               % (m.group(1) if m else None))
        ch.start()
        print("clickhouse-server back at %.1f s" % (time.monotonic() - t0))
        out, err = p.communicate(timeout=SECS + 40)
        ms = re.search(r"SENT flows=(\d+) bytes=(\d+) packets=(\d+)", out)
        if not expect(p.returncode == 0 and ms is not None,
                      "generator: exit %d, %s" % (p.returncode, out.strip() or err.strip())):
            return
        flows, nbytes, pkts = (int(ms.group(i)) for i in (1, 2, 3))
        print("generator: %d flows, %d bytes, %d packets in %.1f s"
              % (flows, nbytes, pkts, time.monotonic() - t0))
        # the last flows expire 2 s after their record, the batch within
        # 5 s, the spool as soon as the retry finds the server
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            led = ledger(n)
            if led.get("rows_inserted", 0) >= flows and led.get("spool_batches", 1) == 0:
                break
            time.sleep(0.5)
        print("ledger:", {k: led.get(k) for k in sorted(led)})
        cnt, byt, pk = (int(x) for x in ch.query(
            "SELECT count(), sum(TOTAL_BYTES), sum(PACKETS) FROM outage.flows").split())
        expect(cnt == flows and byt == nbytes and pk == pkts,
               "after the outage: ClickHouse has %d flows / %d bytes / %d packets, "
               "the generator sent %d / %d / %d" % (cnt, byt, pk, flows, nbytes, pkts))
        expect(led.get("rows_inserted") == flows and led.get("spool_batches") == 0
               and led.get("spooled_batches", 0) >= spooled > 0,
               "ledger: rows_inserted %s, spool now %s, %s batches went through the spool"
               % (led.get("rows_inserted"), led.get("spool_batches"),
                  led.get("spooled_batches")))
        expect(led.get("queue_dropped") == 0 and led.get("spool_dropped_batches") == 0
               and led.get("spool_rejected_batches") == 0 and led.get("spool_errors") == 0,
               "nothing dropped: queue %s, spool %s, set aside %s, spool errors %s"
               % (led.get("queue_dropped"), led.get("spool_dropped_batches"),
                  led.get("spool_rejected_batches"), led.get("spool_errors")))
        dup = int(ch.query("SELECT count() - uniqExact(FLOW_ID) FROM outage.flows").strip())
        expect(dup == 0, "no batch inserted twice (FLOW_IDs unique): %d duplicates" % dup)
        n.stop()
        log = n.read_log()
    expect("failed: Couldn't connect to server" in log and "answering again" in log,
           "the log tells the outage and the return")


if __name__ == "__main__":
    sys.exit(main())
