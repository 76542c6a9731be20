#!/usr/bin/python3
"""The topology page (/lua/topology.lua, docs/hierarchy.md) on a 3-level
tree of real nodes on loopback: two leaves read captures in real time (a
FIFO each) and export to a regional node, which exports to HQ.

- HQ's page draws the 4 nodes (plain SVG) and the 3 links: regional -> HQ
  up (a direct link, with its lag), the leaves' links known from the site
  paths; the regional node's page shows its two direct links up; the
  tables list the nodes with their version; clicking a leaf opens its
  flows (flows_stats.lua?origin=) with rows; no request leaves the node;
- the regional node killed with -9: HQ's page turns its link red
  ("down", live, no reload) and HQ engages a source_silent alert for the
  link; regional restarted: HQ's subscriber reconnects by itself, the link
  is up again, the alert released, and once the feeds end HQ holds exactly
  the leaves' bytes, packets and flows (the regional node's snapshots went
  up as "resync" records).
Screenshots: topology_hq, topology_regional, topology_site_flows,
topology_hq_link_down, topology_hq_link_up.
"""
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, expect  # noqa: E402
from browser import By, browser, page, shot, wait_for  # noqa: E402
import hierarchy_converge as hc  # noqa: E402


def states(d):
    """{(from, to): state} of the links drawn (read in one go: the page
    redraws every 2 s)."""
    return {(f, t): st for f, t, st in d.execute_script(
        "return [...document.querySelectorAll('#topo g.topo-link')]"
        ".map(g => [g.dataset.from, g.dataset.to, g.dataset.state])")}


def rows_of(d, table):
    """[(data-node or data-from, data-state, [cell texts])] of a table."""
    return d.execute_script(
        "return [...document.querySelectorAll('#" + table + " tbody tr')].map(r => "
        "[r.dataset.node || r.dataset.from || '', r.dataset.state || '', "
        "[...r.querySelectorAll('td')].map(c => c.textContent)])")


def outside(d, base):
    names = d.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".concat([location.href])")
    return [u for u in names if not u.startswith(base + "/")]


def silent_alerts(n, status):
    return [a for a in n.rest("get/alert/list.lua", ifid=0, status=status)["data"]
            if "regional" in str(a.get("entity_val", "")) or "regional" in str(a.get("msg", ""))]


def main():
    lp = [node.free_port(), node.free_port()]
    rp = node.free_port()
    feeds = [hc.start_feed(31 + i, 30) for i in range(2)]
    leaves = [Node(["-i", "feed=" + feeds[i][0], "-I", "tcp://127.0.0.1:%d" % lp[i],
                    "--node-id", "leaf%d" % i], name="topo-leaf%d" % i) for i in range(2)]
    reg_args = ["-i", "region=" + ",".join("tcp://127.0.0.1:%d" % p for p in lp),
                "-I", "tcp://127.0.0.1:%d" % rp, "--node-id", "regional"]
    reg = hq = d = None
    profile = tempfile.mkdtemp(prefix="ntopng-chromium-")
    try:
        for n in leaves:
            n.__enter__()
        reg = Node(reg_args, name="topo-regional").__enter__()
        hq = Node(["-i", "hq=tcp://127.0.0.1:%d" % rp, "--node-id", "hq"], name="topo-hq").__enter__()
        base = "http://127.0.0.1:%d" % hq.port
        d = browser(profile)
        page(d, base, "/lua/topology.lua?ifid=0", "topology_hq", "#topo g.topo-node",
             lambda e: len(e) == 4 and states(d).get(("regional", "hq")) == "up"
             and len(states(d)) == 3)
        st = states(d)
        expect(st == {("leaf0", "regional"): "relayed", ("leaf1", "regional"): "relayed",
                      ("regional", "hq"): "up"},
               "HQ's page: 4 nodes, the regional link up, the leaves' links from the site "
               "paths %r" % st)
        text = " | ".join(" ".join(r[2]) for r in rows_of(d, "topo-nodes"))
        expect("leaf0>regional" in text and "leaf1>regional" in text and " regional " in text,
               "HQ's node table lists the nodes below with their site paths: %s" % text)
        expect(outside(d, base) == [], "topology: no request leaves the node %s" % outside(d, base))

        rbase = "http://127.0.0.1:%d" % reg.port
        def links_up(_):
            r = rows_of(d, "topo-links")
            return len(r) == 2 and all(x[1] == "up" and " ms" in x[2][4] for x in r)
        page(d, rbase, "/lua/topology.lua?ifid=0", "topology_regional", "#topo-links tbody tr",
             links_up)
        rows = rows_of(d, "topo-links")
        expect(links_up(None), "the regional page: its two direct links up with their lag: %s"
               % rows)
        vers = {r[0]: r[2][2] for r in rows_of(d, "topo-nodes")}
        expect(sorted(vers) == ["leaf0", "leaf1"] and all(vers.values()),
               "the regional page lists its leaves with their versions %r" % vers)

        # a site opens its flows
        d.get(base + "/lua/topology.lua?ifid=0")
        wait_for(d, '#topo g.topo-node[data-node="leaf0"] a')
        d.execute_script("document.querySelector('#topo g.topo-node[data-node=\"leaf0\"] a')"
                         ".dispatchEvent(new MouseEvent('click', {bubbles: true}))")
        wait_for(d, "#flows-table tbody tr",
                 lambda e: any("10.31.0" in " ".join(r[2]) for r in rows_of(d, "flows-table")))
        shot(d, "topology_site_flows")
        rows = [" ".join(r[2]) for r in rows_of(d, "flows-table")]
        expect("origin=leaf0" in d.current_url and rows and all("10.31.0" in r for r in rows),
               "clicking leaf0 opens its flows (%s, %d rows)" % (d.current_url, len(rows)))

        # the regional node dies: the link turns red, an alert engages
        d.get(base + "/lua/topology.lua?ifid=0")
        wait_for(d, "#topo g.topo-link", lambda e: states(d).get(("regional", "hq")) == "up")
        reg.stop(signal.SIGKILL)
        wait_for(d, "#topo g.topo-link", lambda e: states(d).get(("regional", "hq")) == "down",
                 timeout=30)
        shot(d, "topology_hq_link_down")
        expect(states(d).get(("regional", "hq")) == "down",
               "regional killed -9: HQ's page shows its link down, live (%r)" % states(d))
        eng = silent_alerts(hq, "engaged")
        expect(len(eng) == 1, "HQ engaged a source_silent alert for the link: %r"
               % [a.get("msg") for a in eng])
        src = hq.rest("get/interface/sources.lua", ifid=0)
        lk = [p["link"] for s in src for p in s.get("probes", []) if p.get("link")]
        expect(len(lk) == 1 and lk[0]["state"] == "down" and lk[0]["downs"] == 1,
               "sources.lua: the link is down, once %r" % lk)

        reg = Node(reg_args, name="topo-regional-2").__enter__()
        wait_for(d, "#topo g.topo-link", lambda e: states(d).get(("regional", "hq")) == "up",
                 timeout=30)
        shot(d, "topology_hq_link_up")
        expect(states(d).get(("regional", "hq")) == "up",
               "regional restarted: HQ reconnected by itself, the link is up again (%r)"
               % states(d))
        deadline = time.monotonic() + 15
        while silent_alerts(hq, "engaged") and time.monotonic() < deadline:
            time.sleep(0.5)
        expect(not silent_alerts(hq, "engaged") and len(silent_alerts(hq, "past")) >= 1,
               "the link alert is released")

        for _, th in feeds:
            th.join()
        want = [0, 0, 0]
        for n in leaves:
            n.wait_ended()
            t = hc.totals(n)
            want = [want[k] + t[k] for k in range(3)]
        got, took = hc.wait_for(hq, 0, tuple(want))
        expect(got == tuple(want), "3 levels, the middle node killed -9 and restarted: HQ "
               "exact %r == %r" % (got, tuple(want)))
    finally:
        if d is not None:
            d.quit()
        for n in [hq, reg] + leaves:
            if n is not None:
                n.__exit__(None, None, None)
    return 1 if node.failures else 0


if __name__ == "__main__":
    sys.exit(main())
