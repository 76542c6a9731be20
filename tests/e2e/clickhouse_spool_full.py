#!/usr/bin/python3
"""A full ClickHouse spool drops its oldest batches, counted
(docs/storage.md, "Spool").

clickhouse-server is killed before the feed; a node with
--clickhouse-spool-mb 1 and --flow-idle-timeout 1 gets ~25 s of ZMQ flows
(every record a new flow), far more than 1 MB of batches, so the spool
fills and drops its oldest batches (ledger spool_dropped_batches/rows,
a WARN line each).  The server comes back: the spool drains, and
  - ClickHouse's count() = rows_inserted = flows sent - spool_dropped_rows,
    its bytes the generator's minus what was dropped (not checked: the
    dropped rows' bytes are not counted), nothing else lost;
  - what was dropped is the oldest: the FLOW_IDs left are one run of
    consecutive numbers ending at the last flow (max - min + 1 = count),
    the first ones missing;
  - the spool never held more than 1 MB (spool_bytes sampled).
Exit 77 when clickhouse-server is not installed.
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import Node, expect, free_port  # noqa: E402
from clickhouse_outage import ledger, main_with  # noqa: E402

RATE, SECS = 3000, 25
FLOWS = RATE * SECS


def main():
    return main_with("chfull", run)


def run(ch, gen, tmp):
    zport = free_port()
    spec = "clickhouse;127.0.0.1@%d;full;default;" % ch.http_port
    with Node(["-i", "tcp://127.0.0.1:%dc" % zport, "-F", spec, "-d", os.path.join(tmp, "d"),
               "--flow-idle-timeout", "1", "--clickhouse-spool-mb", "1"],
              name="chfull") as n:
        # the table exists (created at start), then the server goes away
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not ledger(n).get("connected"):
            time.sleep(0.2)
        ch.kill()
        p = subprocess.Popen([gen, "-e", "tcp://127.0.0.1:%dc" % zport, "-f", "tlv",
                              "-n", str(FLOWS), "-r", str(RATE), "-k", str(FLOWS),
                              "-s", "5", "--wait-subscriber", "--wait-timeout", "10",
                              "--linger", "10"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        most = 0
        while p.poll() is None:
            most = max(most, ledger(n).get("spool_bytes", 0))
            time.sleep(0.5)
        out = p.stdout.read()
        ms = re.search(r"SENT flows=(\d+)", out)
        if not expect(p.returncode == 0 and ms is not None, "generator: %s" % out.strip()):
            return
        sent = int(ms.group(1))
        time.sleep(8)   # the last flows expire, their batch is spooled
        led = ledger(n)
        most = max(most, led.get("spool_bytes", 0))
        expect(led.get("spool_dropped_batches", 0) > 0 and led.get("spool_dropped_rows", 0) > 0,
               "spool full: %s batches / %s flows dropped, oldest first"
               % (led.get("spool_dropped_batches"), led.get("spool_dropped_rows")))
        expect(0 < most <= 1 << 20, "the spool never held more than 1 MB (at most %d bytes)"
               % most)
        ch.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            led = ledger(n)
            if led.get("spool_batches", 1) == 0 and led.get("queued", 1) == 0 \
                    and led.get("rows_inserted", 0) > 0:
                break
            time.sleep(0.5)
        print("ledger:", {k: led.get(k) for k in sorted(led)})
        dropped = led.get("spool_dropped_rows", 0)
        cnt, lo, hi = (int(x) for x in ch.query(
            "SELECT count(), min(bitAnd(FLOW_ID, 4294967295)), "
            "max(bitAnd(FLOW_ID, 4294967295)) FROM full.flows").split())
        expect(cnt == led.get("rows_inserted") == sent - dropped and cnt > 0,
               "ClickHouse has %d flows = rows_inserted %s = sent %d - dropped %d"
               % (cnt, led.get("rows_inserted"), sent, dropped))
        expect(hi - lo + 1 == cnt and lo == dropped + 1 and hi == sent,
               "the oldest were dropped: FLOW_IDs %d..%d, consecutive" % (lo, hi))
        expect(led.get("queue_dropped") == 0 and led.get("spool_errors") == 0,
               "no other loss: queue %s, spool errors %s"
               % (led.get("queue_dropped"), led.get("spool_errors")))
        n.stop()
        log = n.read_log()
    expect("spool full (1048576 bytes): oldest batch" in log, "the log says the spool was full")


if __name__ == "__main__":
    sys.exit(main())
