#!/usr/bin/env python3
"""Site and node filters of the flow history on a hub (exporter/flowdb.c,
docs/storage.md "Reading the flow history").

Two edges (teams.pcap as edge0, http_ipv6.pcap as edge1) export to a
hub (-I / -i tcp://) that stores its flows in ClickHouse (-F clickhouse;...,
--node-id hub).  Once the hub holds both edges' flows it stops (every flow
expires into ClickHouse).  A reading node on the same ClickHouse then
answers get/db/flows.lua with:
  - site=edge0 / site=edge1: exactly that edge's flows and bytes (its own
    live flows), and a direct SELECT ... WHERE SITE_PATH = 'edgeN';
  - node=hub: both edges' flows; node=edge0: none (the hub wrote them);
  - site=edge0 with protocol=DNS: the edge's DNS flows.
A second hub on the same edges stores in SQLite day files (-F): there
site=edgeN answers the same (the flows table's site_path column), and
node= is refused (a node's day files hold its own flows only).
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

CAPS = ["teams.pcap", "http_ipv6.pcap"]


def live(n):
    fl = n.rest("get/flow/active.lua", ifid=0, perPage=1000)["data"]
    return fl, (len(fl), sum(f["bytes"] for f in fl))


def rng_day(fl):
    """A range around an edge's flows (SQLite reads at most 10 days)."""
    return dict(epoch_begin=min(f["first_seen"] for f in fl) - 60,
                epoch_end=max(f["last_seen"] for f in fl) + 60)


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
            dd = os.path.join(tmp, "sq")
            with Node(["-i", "hub=" + src, "--node-id", "hub", "-F", spec], name="fdb-hub") as hub, \
                    Node(["-i", "hub=" + src, "--node-id", "hubsq", "-F", "-d", dd],
                         name="fdb-hubsq") as hubsq:
                for h in (hub, hubsq):
                    deadline = time.monotonic() + 30
                    got = None
                    while time.monotonic() < deadline:
                        got = live(h)[1]
                        if got == total:
                            time.sleep(2)   # nothing more arrives
                            got = live(h)[1]
                            break
                        time.sleep(0.2)
                    expect(got == total, "%s holds both edges' flows %s = %s" % (h.name, got, total))
                expect(hub.stop() == 0, "the hub exits 0 (its flows go to ClickHouse)")
                expect(hubsq.stop() == 0, "the SQLite hub exits 0 (its flows go to day files)")
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
            # the same filters over the SQLite hub's day files
            with Node(["-i", os.path.join(PCAPS, "dns.pcap"), "-F", "-d", dd],
                      name="fdb-reader-sq") as n:
                for i, (fl, tot) in enumerate(want):
                    site = "edge%d" % i
                    r = n.rest("get/db/flows.lua", ifname="hub", site=site, **rng_day(fl))
                    got = (r["totals"]["flows"], r["totals"]["bytes"])
                    expect(r["backend"] == "sqlite" and got == tot and
                           all(x["site_path"] == site for x in r["data"]),
                           "SQLite hub, site=%s: %s = the edge's %s" % (site, got, tot))
                st, js = n.get("/lua/rest/v2/get/db/flows.lua",
                               dict(rng_day(want[0][0]), ifname="hub", node="hub"))
                expect(st == 400 and "node" in js["rc_str_hr"],
                       "SQLite: node= refused (%s)" % js["rc_str_hr"])
                expect(n.stop() == 0, "the SQLite reader exits 0")
            for e in edges:
                expect(e.stop() == 0, "%s exits 0" % e.name)
    finally:
        for e in edges:
            e.__exit__(None, None, None)
        shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
