#!/usr/bin/python3
"""Hierarchies of real nodes on loopback (docs/hierarchy.md):

- star: 3 edges each read a capture and export with -I; the hub merges them
  in one interface, which holds exactly the sum of the edges' IP bytes,
  packets and flows, with one origin per edge;
- tree: leaves -> regional -> HQ; HQ holds exactly the sum of the leaves,
  and their site paths name the regional node;
- mesh of 3: every node captures a capture, exports to the two others
  (connecting to their collector-mode sockets), and merges them in a
  second interface, which holds exactly the sum of the two
  others' captures, each once; loop and duplicate counters show the echoes
  that were refused.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402

PCAPS = ["teams.pcap", "alexa-app.pcapng", "dns_fragmented.pcap"]


def totals(n, ifid):
    d = n.rest("get/interface/data.lua", ifid=ifid)
    return d["ip_bytes"], d["ip_packets"], d["num_flows"], d


def wait_for(n, ifid, want, timeout=30):
    """Polls until (ip_bytes, ip_packets, flows) == want; returns the last."""
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = totals(n, ifid)
        if got[:3] == want:
            # stay a moment: nothing more may arrive (no double counting)
            time.sleep(2)
            got = totals(n, ifid)
            if got[:3] == want:
                return got
        time.sleep(0.2)
    return got


def edge(pcap, name, port, extra=()):
    return node.Node(["-i", os.path.join(node.PCAPS, pcap), "-I", "tcp://127.0.0.1:%d" % port,
                      "--node-id", name] + list(extra), name=name)


def star():
    ports = [node.free_port() for _ in PCAPS]
    edges = [edge(p, "edge%d" % i, ports[i]) for i, p in enumerate(PCAPS)]
    for e in edges:
        e.__enter__()
    try:
        want = [0, 0, 0]
        for e in edges:
            e.wait_ended()
            b, p, f, _ = totals(e, 0)
            want = [want[0] + b, want[1] + p, want[2] + f]
        src = ",".join("tcp://127.0.0.1:%d" % p for p in ports)
        with node.Node(["-i", "hub=" + src, "--node-id", "hub"], name="hub") as hub:
            got = wait_for(hub, 0, tuple(want))
            expect(got[:3] == tuple(want), "star: hub holds the sum of the edges "
                   "(bytes, packets, flows) %r == %r" % (got[:3], tuple(want)))
            origins = {o["origin"]: o for o in hub.rest("get/interface/origins.lua", ifid=0)}
            for i, e in enumerate(edges):
                b = totals(e, 0)[0]
                o = origins.get("edge%d" % i)
                expect(o is not None and o["bytes"] == b and o["site_path"] == "edge%d" % i,
                       "star: origin edge%d with its %d bytes and site path" % (i, b))
            fl = hub.rest("get/flow/active.lua", ifid=0, origin="edge1", perPage=100000)
            expect(fl["totalRows"] == totals(edges[1], 0)[2],
                   "star: origin=edge1 lists edge1's %d flows" % fl["totalRows"])
            h = hub.rest("get/host/active.lua", ifid=0, origin="edge0", all="true")
            h0 = edges[0].rest("get/host/active.lua", ifid=0, all="true")
            expect(len(h["data"]) == len(h0["data"]),
                   "star: origin=edge0 lists edge0's %d hosts" % len(h0["data"]))
            hier = got[3]["hierarchy"]
            expect(hier["loops_refused"] == 0 and hier["duplicates_refused"] == 0,
                   "star: nothing refused (%r)" % hier)
            srcs = hub.rest("get/interface/sources.lua", ifid=0)
            seen = sorted((p.get("node_id"), p.get("site_path"), p.get("msg_drops"))
                          for s in srcs for p in s.get("probes", []))
            expect(seen == [("edge%d" % i, "edge%d" % i, 0) for i in range(3)],
                   "star: each source names its edge node and site path, no drops %r" % seen)
    finally:
        for e in edges:
            e.__exit__(None, None, None)


def tree():
    lp = [node.free_port(), node.free_port()]
    rp = node.free_port()
    leaves = [edge(PCAPS[i], "leaf%d" % i, lp[i]) for i in range(2)]
    for e in leaves:
        e.__enter__()
    try:
        want = [0, 0, 0]
        for e in leaves:
            e.wait_ended()
            b, p, f, _ = totals(e, 0)
            want = [want[0] + b, want[1] + p, want[2] + f]
        src = ",".join("tcp://127.0.0.1:%d" % p for p in lp)
        with node.Node(["-i", "region=" + src, "-I", "tcp://127.0.0.1:%d" % rp,
                        "--node-id", "regional"], name="regional") as reg, \
                node.Node(["-i", "hq=tcp://127.0.0.1:%d" % rp, "--node-id", "hq"],
                          name="hq") as hq:
            got = wait_for(hq, 0, tuple(want))
            expect(got[:3] == tuple(want), "tree: HQ holds the sum of the leaves %r == %r"
                   % (got[:3], tuple(want)))
            expect(totals(reg, 0)[:3] == tuple(want), "tree: so does the regional node")
            paths = sorted(o["site_path"] for o in hq.rest("get/interface/origins.lua", ifid=0)
                           if not o["local"])
            expect(paths == ["leaf0>regional", "leaf1>regional"],
                   "tree: HQ's origins came through the regional node %r" % paths)
            peers = [p for s in hq.rest("get/interface/sources.lua", ifid=0)
                     for p in s.get("probes", [])]
            expect([p.get("node_id") for p in peers] == ["regional"],
                   "tree: HQ's one source is the regional node %r"
                   % [p.get("node_id") for p in peers])
    finally:
        for e in leaves:
            e.__exit__(None, None, None)


def mesh():
    # Each node's merged interface is a collector-mode socket (it binds,
    # trailing c) and every node connects one -I to each of the two others:
    # a connecting PUB queues for its peer from the start, while a binding
    # one serves only the subscribers it has when it sends.
    ports = [node.free_port() for _ in range(3)]
    names = ["meshA", "meshB", "meshC"]
    nodes = []
    for i in range(3):
        exports = []
        for j in range(3):
            if j != i:
                exports += ["-I", "tcp://127.0.0.1:%dc" % ports[j]]
        nodes.append(node.Node(["-i", "capture=" + os.path.join(node.PCAPS, PCAPS[i]),
                                "-i", "merged=tcp://127.0.0.1:%dc" % ports[i]] + exports +
                               ["--node-id", names[i]], name=names[i]))
    for n in nodes:
        n.__enter__()
    try:
        own = []
        for n in nodes:
            n.wait_ended(ifid=0)
            own.append(totals(n, 0)[:3])
        for i, n in enumerate(nodes):
            want = tuple(sum(own[j][k] for j in range(3) if j != i) for k in range(3))
            got = wait_for(n, 1, want)
            expect(got[:3] == want, "mesh: %s merges the two others exactly once %r == %r"
                   % (names[i], got[:3], want))
        time.sleep(1)
        loops = dups = 0
        for i, n in enumerate(nodes):
            h = totals(n, 1)[3]["hierarchy"]
            loops += h["loops_refused"]
            dups += h["duplicates_refused"]
        expect(loops > 0, "mesh: echoes of a node's own flows refused (%d)" % loops)
        expect(dups > 0, "mesh: updates arriving over two paths counted once (%d refused)"
               % dups)
    finally:
        for n in nodes:
            n.__exit__(None, None, None)


def main():
    star()
    tree()
    mesh()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
