#!/usr/bin/env python3
"""Site and node filters of the flow history on a hub (exporter/flowdb.c,
docs/storage.md "Reading the flow history").

Two edges (teams.pcap as edge0, dns_fragmented.pcap as edge1) export to a
hub (-I / -i tcp://) that stores its flows in ClickHouse (-F clickhouse;...,
--node-id hub).  Once the hub holds both edges' flows it stops (every flow
expires into ClickHouse).  A reading node on the same ClickHouse then
answers get/db/flows.lua with:
  - site=edge0 / site=edge1: exactly that edge's flows and bytes (its own
    live flows), and a direct SELECT ... WHERE SITE_PATH = 'edgeN';
  - node=hub: both edges' flows; node=edge0: none (the hub wrote them);
  - site=edge0 with protocol=DNS: the edge's DNS flows.
"""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, PCAPS, expect  # noqa: E402
from chserver import ClickHouse, have_clickhouse  # noqa: E402

CAPS = ["teams.pcap", "dns_fragmented.pcap"]


def live(n):
    fl = n.rest("get/flow/active.lua", ifid=0, perPage=1000)["data"]
    return fl, (len(fl), sum(f["bytes"] for f in fl))


def main():
    if not have_clickhouse():
        print("SKIP: clickhouse-server not installed")
        return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-flowdb-sites-")
    ports = [node.free_port() for _ in CAPS]
    edges = [Node(["-i", os.path.join(PCAPS, c), "-I", "tcp://127.0.0.1:%d" % ports[i],
                   "--node-id", "edge%d" % i], name="fdb-edge%d" % i)
             for i, c in enumerate(CAPS)]
    try:
        with ClickHouse(base=tmp) as ch:
            spec = "clickhouse;127.0.0.1@%d;ntopng;default;" % ch.http_port
            for e in edges:
                e.__enter__()
            want = []
            for e in edges:
                e.wait_ended()
                want.append(live(e))
            total = (sum(w[1][0] for w in want), sum(w[1][1] for w in want))
            src = ",".join("tcp://127.0.0.1:%d" % p for p in ports)
            with Node(["-i", "hub=" + src, "--node-id", "hub", "-F", spec], name="fdb-hub") as hub:
                deadline = time.monotonic() + 30
                got = None
                while time.monotonic() < deadline:
                    got = live(hub)[1]
                    if got == total:
                        time.sleep(2)   # nothing more arrives
                        got = live(hub)[1]
                        break
                    time.sleep(0.2)
                expect(got == total, "the hub holds both edges' flows %s = %s" % (got, total))
                expect(hub.stop() == 0, "the hub exits 0 (its flows go to ClickHouse)")
            rng = dict(epoch_begin=0, epoch_end=int(time.time()) + 60)
            with Node(["-i", os.path.join(PCAPS, "dns.pcap"), "-F", spec], name="fdb-reader") as n:
                r = n.rest("get/db/flows.lua", **rng)
                expect((r["totals"]["flows"], r["totals"]["bytes"]) == total,
                       "all rows: %s = both edges %s" % ((r["totals"]["flows"], r["totals"]["bytes"]),
                                                        total))
                for i, (fl, tot) in enumerate(want):
                    site = "edge%d" % i
                    r = n.rest("get/db/flows.lua", site=site, top=3, **rng)
                    got = (r["totals"]["flows"], r["totals"]["bytes"])
                    sel = ch.query("SELECT count(), sum(TOTAL_BYTES) FROM ntopng.flows "
                                   "WHERE SITE_PATH = '%s'" % site).split()
                    expect(got == tot and [str(x) for x in got] == sel,
                           "site=%s: %s = the edge's live flows %s = SELECT %s"
                           % (site, got, tot, sel))
                    expect(all(x["site_path"] == site and x["node_id"] == "hub"
                               for x in r["data"]) and r["data"],
                           "site=%s: rows say site %s, written by node hub" % (site, site))
                    dns = [f for f in fl if "DNS" in f["protocol"]["l7"].split(".")]
                    r = n.rest("get/db/flows.lua", site=site, protocol="DNS", **rng)
                    expect(r["totals"]["flows"] == len(dns) and
                           r["totals"]["bytes"] == sum(f["bytes"] for f in dns),
                           "site=%s protocol=DNS: %d flows = the edge's %d"
                           % (site, r["totals"]["flows"], len(dns)))
                r = n.rest("get/db/flows.lua", node="hub", **rng)
                expect((r["totals"]["flows"], r["totals"]["bytes"]) == total,
                       "node=hub: every row")
                r = n.rest("get/db/flows.lua", node="edge0", **rng)
                expect(r["totals"]["flows"] == 0, "node=edge0: none (the hub wrote them)")
                expect(n.stop() == 0, "the reader exits 0")
            for e in edges:
                expect(e.stop() == 0, "%s exits 0" % e.name)
    finally:
        for e in edges:
            e.__exit__(None, None, None)
        shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
