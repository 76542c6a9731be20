#!/usr/bin/python3
"""--workers N (docs/threads.md "Workers"): the same inputs give the same
interface with 1, 2 and 4 workers.

1. Every capture of ../shared/pcaps but the export-* streams, read as one
   pcap list by one interface, with -F (flows to SQLite): the interface's
   packets, bytes, flows and hosts, the bytes of every L7 protocol, every
   flow's key, L7 protocol, bytes, direction split, info and category,
   every host's bytes, and
   the -F rows are identical with --workers 1, 2 and 4; with 1 the packets
   and bytes also equal tshark's (REFERENCE.tsv), so the comparison is
   against a known-good run.  With 2 and 4 the node logs its helpers.
2. A ZMQ TLV feed (tools/ntopng-gen-flows, fixed seed) into a collector
   node: same totals, flows and hosts with --workers 1 and 2, and the
   same source ledger (get/interface/sources.lua: messages, flows, errors
   by cause); with 2 the messages are decoded by a zmq-reader thread, with
   1 by the interface's.  Then the same feed into a flow table too small
   for it (-X): the flows the interface refused are taken out of the
   ledger's flows and counted as "refused" errors alike with 1 and 2
   workers (flows + refused = sent).
"""
import glob
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, PCAPS, expect, free_port, reference  # noqa: E402


def sqlite_rows(dd):
    out = []
    for f in sorted(glob.glob(os.path.join(dd, "interfaces", "*", "flows", "*", "*",
                                           "*.sqlite"))):
        c = sqlite3.connect(f)
        c.row_factory = sqlite3.Row
        for r in c.execute("SELECT * FROM flows"):
            r = dict(r)
            # the row's id and the time it was written are the run's own
            for k in ("id", "idx", "rowid", "written", "export_time"):
                r.pop(k, None)
            out.append(tuple(sorted(r.items())))
        c.close()
    return sorted(out)


def flow_key(f):
    return (f["client"]["ip"], f["client"]["port"], f["server"]["ip"], f["server"]["port"],
            f["vlan"], f["protocol"]["l4"])


def snapshot(n, ifid=0):
    d = n.wait_ended(ifid)
    l7 = n.rest("get/interface/l7/stats.lua", ifid=ifid, ndpistats_mode="sinceStartup",
                collapse_stats="false")
    flows = n.rest("get/flow/active.lua", ifid=ifid, perPage=100000)["data"]
    hosts = n.rest("get/host/active.lua", ifid=ifid, perPage=100000)["data"]
    return dict(
        totals=(d["packets"], d["bytes"], d["num_flows"], d["num_hosts"]),
        l7=sorted((r["label"], r["value"]) for r in l7),
        flows=sorted((flow_key(f), f["protocol"]["l7"], f["bytes"], f["breakdown"]["cli2srv"],
                      f["info"], f["category"]) for f in flows),
        hosts=sorted((h["ip"], h.get("vlan", 0), h["bytes"]["sent"], h["bytes"]["recvd"])
                     for h in hosts))


def pcaps_case(tmp):
    ref = reference()
    files = sorted(f for f in ref if not f.startswith("export-")
                   and os.path.exists(os.path.join(PCAPS, f)))
    if not files:
        print("SKIP: no captures in %s" % PCAPS)
        return None
    lst = os.path.join(tmp, "all.txt")
    with open(lst, "w") as f:
        for c in files:
            f.write(os.path.join(PCAPS, c) + "\n")
    runs = {}
    for w in (1, 2, 4):
        dd = os.path.join(tmp, "d%d" % w)
        with Node(["-i", lst, "-F", "-d", dd, "-r", "127.0.0.1:%d" % free_port(), "-v",
                   "--workers", str(w)], name="workers-%d" % w) as n:
            snap = snapshot(n)
            assert n.stop() == 0, n.read_log()[-1500:]
            log = n.read_log()
        snap["rows"] = sqlite_rows(dd)
        runs[w] = snap
        print("workers %d: packets %d bytes %d flows %d hosts %d, %d L7 protocols, "
              "%d flows listed, %d -F rows" % (w, *snap["totals"], len(snap["l7"]),
                                             len(snap["flows"]), len(snap["rows"])))
        m = re.search(r"workers: (\d+) packets to the helpers", log)
        expect((m is not None and int(m.group(1)) > 1000) if w > 1 else m is None,
               "workers %d: %s packets went to nDPI helpers" % (w, m.group(1) if m else "no"))
    base = runs[1]
    expect(base["totals"][0] == sum(int(ref[c]["packets"]) for c in files)
           and base["totals"][1] == sum(int(ref[c]["bytes"]) for c in files),
           "workers 1: packets and bytes equal tshark's over %d captures" % len(files))
    expect(len(base["rows"]) == base["totals"][2] and len(base["flows"]) == base["totals"][2]
           and base["totals"][2] > 1000, "workers 1: %d flows, as many listed and -F rows"
           % base["totals"][2])
    for w in (2, 4):
        for k in ("totals", "l7", "flows", "hosts", "rows"):
            a, b = base[k], runs[w][k]
            diff = [x for x in set(a) ^ set(b)][:4] if isinstance(a, list) else (a, b)
            expect(a == b, "workers %d: %s identical to workers 1 (%s)"
                   % (w, k, "ok" if a == b else diff))
    return True


def thread_names(pid):
    out = []
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                out.append(f.read().strip())
        except OSError:
            pass
    return out


def ledger(n):
    src = n.rest("get/interface/sources.lua", ifid=0)
    s = src[0] if src else {}
    return (s.get("messages"), s.get("flows"), s.get("flow_messages"),
            sorted((s.get("decode_errors") or {}).items()))


def zmq_case(extra=(), tag=""):
    gen = node.tool_path("ntopng-gen-flows", "NTOPNG_GEN_FLOWS")
    if not expect(gen is not None, "ntopng-gen-flows found"):
        return None
    flows, keys = 20000, 5000
    runs = {}
    for w in (1, 2):
        zport = free_port()
        with Node(["-i", "tcp://127.0.0.1:%dc" % zport, "--workers", str(w)] + list(extra),
                  name="workers-zmq%s-%d" % (tag, w)) as n:
            p = subprocess.run([gen, "-e", "tcp://127.0.0.1:%dc" % zport, "-f", "tlv",
                                "-n", str(flows), "-r", "50000", "-k", str(keys), "-s", "7",
                                "--wait-subscriber", "--wait-timeout", "10", "--linger", "5"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=60)
            if not expect(p.returncode == 0, "zmq workers %d: generator exit 0" % w):
                return
            m = re.search(r"SENT flows=(\d+) bytes=(\d+) packets=(\d+)", p.stdout)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                lg = ledger(n)
                if (lg[1] or 0) + dict(lg[3]).get("refused", 0) >= flows:
                    break
                time.sleep(0.1)
            d = n.rest("get/interface/data.lua", ifid=0)
            fl = n.rest("get/flow/active.lua", ifid=0, perPage=100000)["data"]
            hs = n.rest("get/host/active.lua", ifid=0, perPage=100000)["data"]
            readers = thread_names(n.proc.pid).count("zmq-reader")
            expect(readers == (1 if w > 1 else 0),
                   "zmq%s workers %d: %d zmq-reader thread(s)" % (tag, w, readers))
            runs[w] = dict(
                totals=(d["packets"], d["bytes"], d["num_flows"], d["num_hosts"],
                        d["zmqRecvStats"]["flows"]),
                flows=sorted((flow_key(f), f["protocol"]["l7"], f["bytes"]) for f in fl),
                hosts=sorted((h["ip"], h["bytes"]["sent"], h["bytes"]["recvd"]) for h in hs),
                ledger=lg)
            if not extra:
                expect(m is not None and d["bytes"] == int(m.group(2))
                       and d["packets"] == int(m.group(3)),
                       "zmq workers %d: bytes %d packets %d as sent"
                       % (w, d["bytes"], d["packets"]))
    for k in ("totals", "flows", "hosts", "ledger"):
        expect(runs[1][k] == runs[2][k], "zmq%s: %s identical with 1 and 2 workers (%s)"
               % (tag, k, runs[1][k] if k in ("totals", "ledger") else len(runs[1][k])))
    return runs[1]


def main():
    if not os.path.exists(os.path.join(PCAPS, "REFERENCE.tsv")):
        print("SKIP: no %s" % os.path.join(PCAPS, "REFERENCE.tsv"))
        return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-workers-")
    if pcaps_case(tmp) is None:
        return 77
    zmq_case()
    r = zmq_case(["-X", "2000"], "-full")
    if r is not None:
        refused = dict(r["ledger"][3]).get("refused", 0)
        expect(refused > 0 and r["ledger"][1] + refused == 20000,
               "zmq-full: %s flows taken + %d refused = 20000 sent" % (r["ledger"][1], refused))
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
