#!/usr/bin/python3
"""verbose_levels.py - what -v and -vv add to the log.

Three ZMQ collector nodes get the same generated flows (tools/
ntopng-gen-flows): one without -v, one with -v, one with -vv.
  - without -v: no DEBUG or TRACE line;
  - -v: once the wall-clock minute turns, one DEBUG summary line for the
    interface (packets, bytes, flows of the period) and one per source
    (records, bytes, errors), whose record count is the flows sent; no
    TRACE line;
  - -vv: TRACE lines, one per received message ("N flow(s) taken"), and
    rate-limited: far fewer lines than messages when the messages come in
    a burst (at most 10 a second, plus the limiter's own summary).
Takes up to ~75 s (it waits for the minute to turn).
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, expect  # noqa: E402

FLOWS = 3000
RATE = 30000


def feed(gen, port):
    p = subprocess.run([gen, "-e", "tcp://127.0.0.1:%dc" % port, "-f", "tlv",
                        "-n", str(FLOWS), "-r", str(RATE), "-k", "50", "-s", "3",
                        "--wait-subscriber", "--wait-timeout", "10", "--linger", "5"],
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"SENT flows=(\d+) bytes=\d+ packets=\d+ msgs=(\d+)", p.stdout)
    if not expect(p.returncode == 0 and m is not None,
                  "generator to port %d: exit 0 and a SENT line (%s)" % (port, p.stderr.strip())):
        return 0, 0
    return int(m.group(1)), int(m.group(2))


def levels(text, lvl):
    return [l for l in text.splitlines() if "] %s: " % lvl in l]


def main():
    gen = node.tool_path("ntopng-gen-flows", "NTOPNG_GEN_FLOWS")
    if gen is None:
        print("skipped: ntopng-gen-flows not built")
        return 77
    nodes = []
    try:
        for v in ([], ["-v"], ["-vv"]):
            port = node.free_port()
            n = Node(["-i", "tcp://127.0.0.1:%dc" % port] + v,
                     name="verbose-" + (v[0].lstrip("-") if v else "none"))
            n.__enter__()
            nodes.append((n, port, v))
        sent = [feed(gen, port) for (_n, port, _v) in nodes]
        plain, v1, v2 = (t[0] for t in nodes)
        # the -v summary comes once the wall-clock minute has turned
        deadline = time.monotonic() + 75
        while time.monotonic() < deadline:
            if any("source tcp://" in l for l in levels(v1.read_log(), "DEBUG")):
                break
            time.sleep(1)
        time.sleep(1.5)
        logs = [t[0].read_log() for t in nodes]

        expect(not levels(logs[0], "DEBUG") and not levels(logs[0], "TRACE"),
               "no -v: no DEBUG or TRACE line")

        d1 = levels(logs[1], "DEBUG")
        ifl = [l for l in d1 if "since start" in l and "flows" in l and "source" not in l]
        srcl = [l for l in d1 if "source tcp://" in l]
        expect(len(ifl) >= 1, "-v: a per-interface summary line: %s" % ifl[:1])
        expect(len(srcl) >= 1, "-v: a per-source summary line: %s" % srcl[:1])
        if srcl:
            m = re.search(r"\+(\d+) records", srcl[0])
            expect(m is not None and int(m.group(1)) == sent[1][0],
                   "-v: the source line counts the %d flows sent (%s)"
                   % (sent[1][0], m.group(1) if m else None))
        expect(not levels(logs[1], "TRACE"), "-v: no TRACE line")

        t2 = [l for l in levels(logs[2], "TRACE") if "flow(s) taken" in l]
        msgs = sent[2][1]
        expect(len(t2) >= 1, "-vv: TRACE lines for received messages (%d)" % len(t2))
        expect(t2 and re.search(r"message of \d+ bytes in 2 frame\(s\): \d+ flow\(s\) taken$",
                                t2[0]) is not None,
               "-vv: a TRACE line says what became of the message: %s" % t2[:1])
        # the burst lasted about FLOWS/RATE s: a few seconds of 10 lines
        expect(msgs > 60 and len(t2) <= 40,
               "-vv: rate-limited: %d TRACE lines for %d messages" % (len(t2), msgs))
    finally:
        for (n, _p, _v) in nodes:
            rc = n.stop()
            expect(rc == 0, "%s exits 0 (rc %s)" % (n.name, rc))
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
