#!/usr/bin/python3
"""Reliable links (--export-reliable, docs/hierarchy.md "Reliable links"),
with real nodes and a real network fault.  The test runs in a network
namespace of its own (node.netns_main) and makes a second one joined to
it by a veth pair (10.201.0.1 here, 10.201.0.2 there); taking the veth
down for 20 s cuts every link that crosses it while traffic flows
(ntopng-gen-flows feeding the edge at a steady rate).  Checks:
1. edge (there) -> hub (here): after the link is back, the hub's bytes,
   packets and flows equal the edge's, and the edge counted resends
   (also shown at the hub, from the link's trailer).
2. edge (here) -> region (there) -> HQ (here): both links cross the
   veth; HQ ends with the edge's exact totals, both links resent.
3. a 1 MB spool on the edge, filled during the cut: the hub skipped as
   many batches as the edge declared lost and reports the same declared
   loss; the hub then misses exactly the declared bytes and packets, or
   nothing when the reconnect's snapshot restored the (still active)
   flows' totals.
4. an edge started on a damaged spool (garbage, a huge length field):
   reported and skipped, the node runs and its link is exact.
5. an edge stopped during the cut and started again on the same data
   directory: it loads its spool and resends it; the hub ends with the
   sum of both runs' totals, exactly.
Exit 77 when network namespaces cannot be made here.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402

GEN = os.path.join(os.path.dirname(node.BIN), "tools", "ntopng-gen-flows")
HERE_IP, THERE_IP = "10.201.0.1", "10.201.0.2"
CUT = 20


def sh(*cmd):
    r = subprocess.run(list(cmd), capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), r.stderr.strip()))


class Peer:
    """The second namespace and the veth pair to it."""

    def __init__(self):
        # node.netns_main removes "<its namespace>-peer" whatever happens
        self.ns = os.environ.get("NTOPNG_TEST_NETNS", "ntopng-rel-%d" % os.getpid()) + "-peer"

    def __enter__(self):
        sh("ip", "netns", "add", self.ns)
        try:
            sh("ip", "link", "add", "vrel0", "type", "veth", "peer", "name", "vrel1",
               "netns", self.ns)
            sh("ip", "addr", "add", HERE_IP + "/24", "dev", "vrel0")
            sh("ip", "link", "set", "vrel0", "up")
            sh("ip", "netns", "exec", self.ns, "ip", "addr", "add", THERE_IP + "/24",
               "dev", "vrel1")
            sh("ip", "netns", "exec", self.ns, "ip", "link", "set", "vrel1", "up")
            sh("ip", "netns", "exec", self.ns, "ip", "link", "set", "lo", "up")
        except Exception:
            self.__exit__()
            raise
        return self

    def link(self, up):
        sh("ip", "link", "set", "vrel0", "up" if up else "down")

    def __exit__(self, *exc):
        subprocess.run(["ip", "link", "del", "vrel0"], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)


def gen(port, n, rate, netns=None):
    cmd = [GEN, "-e", "tcp://127.0.0.1:%dc" % port, "-n", str(n), "-r", str(rate),
           "--wait-subscriber", "--wait-timeout", "20"]
    if netns:
        cmd = ["ip", "netns", "exec", netns] + cmd
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def totals(n):
    d = n.rest("get/interface/data.lua", ifid=0)
    return d["ip_bytes"], d["ip_packets"], d["num_flows"], d


def link_of(d):
    links = [x for x in d["hierarchy"].get("export_links", []) if x.get("reliable")]
    return links[0] if links else {}


def rel_of(n, origin):
    for s in n.rest("get/interface/sources.lua", ifid=0):
        for r in s.get("reliable") or []:
            if r["origin"] == origin:
                return r
    return {}


def settle(want, have, timeout=60):
    """Waits until have() equals want() (both polled); returns both."""
    deadline = time.monotonic() + timeout
    while True:
        w, h = want(), have()
        if w == h or time.monotonic() > deadline:
            return w, h
        time.sleep(1)


def cut_while_flowing(peer, g, before=6):
    time.sleep(before)
    peer.link(False)
    time.sleep(CUT)
    peer.link(True)
    out = g.communicate(timeout=120)[0]
    expect(g.returncode == 0, "generator: %s" % out[-500:])


def star(peer):
    hp, ep = node.free_port(), node.free_port()
    with node.Node(["-i", "hub=tcp://%s:%dc" % (HERE_IP, hp), "--node-id", "hub"],
                   name="rel-hub") as hub, \
            node.Node(["-i", "edge=tcp://127.0.0.1:%dc" % ep, "-I", "tcp://%s:%dc" % (HERE_IP, hp),
                       "--node-id", "edge", "--export-reliable"], name="rel-edge",
                      netns=peer.ns, host=THERE_IP) as edge:
        g = gen(ep, 30000, 1000, peer.ns)
        cut_while_flowing(peer, g, before=4)
        e, h = settle(lambda: totals(edge)[:3], lambda: totals(hub)[:3])
        print("star: edge bytes/packets/flows %r, hub %r" % (e, h))
        expect(e[0] > 0 and e == h, "hub totals %r != edge's %r after the cut" % (h, e))
        el = link_of(totals(edge)[3])
        hr = rel_of(hub, "edge")
        print("star: edge link %r" % el)
        print("star: hub's view %r" % hr)
        expect(el.get("resends", 0) > 0, "edge counted no resend: %r" % el)
        expect(el.get("declared_loss", {}).get("batches") == 0, "loss declared: %r" % el)
        expect(hr.get("resends", 0) > 0, "hub shows no resend: %r" % hr)
        links = [p.get("link") for src in hub.rest("get/interface/sources.lua", ifid=0)
                 for p in src.get("probes", []) if (p.get("link") or {}).get("node") == "edge"]
        expect(len(links) == 1 and links[0]["resends"] == hr["resends"]
               and links[0]["declared_loss"] == 0,
               "the hub's link to edge shows its resends: %r" % links)
        expect(hr.get("duplicates", 0) + hr.get("gaps", 0) >= 0, "%r" % hr)


def tree(peer):
    rp, hp, ep = node.free_port(), node.free_port(), node.free_port()
    with node.Node(["-i", "hq=tcp://%s:%dc" % (HERE_IP, hp), "--node-id", "hq"],
                   name="rel-hq") as hq, \
            node.Node(["-i", "region=tcp://%s:%dc" % (THERE_IP, rp),
                       "-I", "tcp://%s:%dc" % (HERE_IP, hp), "--node-id", "region",
                       "--export-reliable"], name="rel-region", netns=peer.ns,
                      host=THERE_IP) as region, \
            node.Node(["-i", "edge=tcp://127.0.0.1:%dc" % ep, "-I", "tcp://%s:%dc" % (THERE_IP, rp),
                       "--node-id", "edge3", "--export-reliable"], name="rel-edge3") as edge:
        g = gen(ep, 30000, 1000)
        cut_while_flowing(peer, g, before=4)
        e, h = settle(lambda: totals(edge)[:3], lambda: totals(hq)[:3])
        r = totals(region)[:3]
        print("tree: edge %r, region %r, hq %r" % (e, r, h))
        expect(e[0] > 0 and e == h, "HQ totals %r != edge's %r after the cut" % (h, e))
        expect(r == e, "region totals %r != edge's %r" % (r, e))
        el, rl = link_of(totals(edge)[3]), link_of(totals(region)[3])
        print("tree: edge link %r\ntree: region link %r" % (el, rl))
        expect(el.get("resends", 0) > 0 or rl.get("resends", 0) > 0, "no resend on either link")
        expect(rel_of(hq, "region").get("batches", 0) > 0, "HQ took no reliable batch")
        expect(rel_of(region, "edge3").get("batches", 0) > 0, "region took no reliable batch")


def spool_full(peer):
    hp, ep = node.free_port(), node.free_port()
    with node.Node(["-i", "hub=tcp://%s:%dc" % (HERE_IP, hp), "--node-id", "hub"],
                   name="rel-hub-full") as hub, \
            node.Node(["-i", "edge=tcp://127.0.0.1:%dc" % ep, "-I", "tcp://%s:%dc" % (HERE_IP, hp),
                       "--node-id", "edgef", "--export-reliable=1"], name="rel-edge-full",
                      netns=peer.ns, host=THERE_IP) as edge:
        g = gen(ep, 56000, 2000, peer.ns)
        cut_while_flowing(peer, g, before=4)

        def missing():
            eb, ep_, _, d = totals(edge)
            hb, hpk, _, _ = totals(hub)
            loss = link_of(d).get("declared_loss", {})
            return (eb - hb, ep_ - hpk), (loss.get("bytes"), loss.get("packets"))

        deadline = time.monotonic() + 60
        while True:
            m, loss = missing()
            if m == loss or time.monotonic() > deadline:
                break
            time.sleep(1)
        d = totals(edge)[3]
        el = link_of(d)
        hr = rel_of(hub, "edgef")
        print("spool full: edge saw %d bytes; hub misses %r (bytes, packets); edge declares %r"
              % (d["ip_bytes"], m, el.get("declared_loss")))
        print("spool full: hub's view %r" % hr)
        snap = [o for o in hub.rest("get/interface/origins.lua", ifid=0)
                if o.get("origin") == "edgef"]
        snap_records = snap[0].get("snapshot_records", 0) if snap else 0
        declared = el.get("declared_loss", {})
        expect(declared.get("bytes", 0) > 0, "nothing declared lost with a 1 MB spool: %r"
               % declared)
        expect(hr.get("skipped_batches", 0) == declared.get("batches"),
               "hub skipped %r batches, edge declared %r" % (hr.get("skipped_batches"), declared))
        expect(hr.get("declared_loss") == declared,
               "hub reports a declared loss of %r, the edge %r" % (hr.get("declared_loss"), declared))
        # the dropped batches' flows are still active at the edge: the
        # snapshot a reconnecting link gets (docs/hierarchy.md
        # "Convergence") restores their totals; without one the hub
        # misses exactly the declared loss
        if snap_records > 0:
            print("spool full: the hub took a snapshot of %d records: exact again" % snap_records)
            expect(m == (0, 0), "after the snapshot the hub still misses %r" % (m,))
        else:
            expect(m == loss, "declared loss %r != what the hub misses %r" % (loss, m))


def corrupt_spool(peer):
    import shutil
    import tempfile
    hp, ep = node.free_port(), node.free_port()
    ddir = tempfile.mkdtemp(prefix="ntopng-rel-corrupt-")
    sdir = os.path.join(ddir, "spool", "tcp___127.0.0.1_%d" % hp)
    os.makedirs(sdir)
    with open(os.path.join(sdir, "0000000000000001.seg"), "wb") as f:
        f.write(b"NSP1\xff\xff\xff\xf0" + os.urandom(5000))
    with open(os.path.join(sdir, "0000000000000009.seg"), "wb") as f:
        f.write(os.urandom(3000))
    try:
        with node.Node(["-i", "hub=tcp://127.0.0.1:%dc" % hp, "--node-id", "hub"],
                       name="rel-hub-corrupt") as hub, \
                node.Node(["-i", "edge=tcp://127.0.0.1:%dc" % ep, "-I", "tcp://127.0.0.1:%dc" % hp,
                           "--node-id", "edgec", "--export-reliable", "-d", ddir],
                          name="rel-edge-corrupt") as edge:
            g = gen(ep, 3000, 1000)
            out = g.communicate(timeout=60)[0]
            expect(g.returncode == 0, "generator: %s" % out[-300:])
            e, h = settle(lambda: totals(edge)[:3], lambda: totals(hub)[:3])
            el = link_of(totals(edge)[3])
            print("corrupt spool: edge %r, hub %r, link %r" % (e, h, el))
            expect(e[0] > 0 and e == h, "hub %r != edge %r" % (h, e))
            expect(el.get("spool_corrupt") == 2 and el.get("spool_loaded") == 0,
                   "two damaged segments reported, nothing loaded: %r" % el)
            expect("damaged entry" in edge.read_log(), "the damage is logged")
    finally:
        shutil.rmtree(ddir, ignore_errors=True)


def edge_restart(peer):
    import shutil
    import tempfile
    hp, ep = node.free_port(), node.free_port()
    ddir = tempfile.mkdtemp(prefix="ntopng-rel-restart-")
    args = ["-i", "edge=tcp://127.0.0.1:%dc" % ep, "-I", "tcp://%s:%dc" % (THERE_IP, hp),
            "--node-id", "edger", "--export-reliable", "-d", ddir]
    try:
        with node.Node(["-i", "hub=tcp://%s:%dc" % (THERE_IP, hp), "--node-id", "hub"],
                       name="rel-hub-restart", netns=peer.ns, host=THERE_IP) as hub:
            with node.Node(args, name="rel-edge-run1") as edge:
                g = gen(ep, 8000, 1000)
                time.sleep(3)
                peer.link(False)
                g.communicate(timeout=60)
                time.sleep(2)
                first = totals(edge)[:3]
                held = link_of(totals(edge)[3]).get("spool_batches", 0)
            expect(held > 0, "batches held in the spool at the stop: %d" % held)
            with node.Node(args, name="rel-edge-run2") as edge:
                loaded = link_of(totals(edge)[3]).get("spool_loaded", 0)
                # (the stop exports the last deltas too: more than held)
                expect(loaded >= held, "the restart loaded %d batches, %d held before the stop"
                       % (loaded, held))
                g = gen(ep, 3000, 1000)
                time.sleep(2)
                peer.link(True)
                g.communicate(timeout=60)
                second = totals(edge)[:2]
                want = (first[0] + second[0], first[1] + second[1])
                _, h = settle(lambda: want, lambda: totals(hub)[:2])
                hr = rel_of(hub, "edger")
                print("edge restart: run 1 %r, run 2 %r, hub %r; held %d, loaded %d; hub's view %r"
                      % (first, second, h, held, loaded, hr))
                expect(h == want, "hub bytes/packets %r != the two runs' %r" % (h, want))
                expect(hr.get("epochs") == 0, "the restart kept the epoch: %r" % hr)
    finally:
        shutil.rmtree(ddir, ignore_errors=True)


def inner():
    if not os.access(GEN, os.X_OK):
        expect(False, "%s is missing" % GEN)
        return
    try:
        peer = Peer().__enter__()
    except RuntimeError as e:
        print("cannot make the second namespace: %s" % e)
        sys.exit(77)
    try:
        only = os.environ.get("REL_ONLY",
                              "star tree spool_full corrupt_spool edge_restart").split()
        for name, fn in (("star", star), ("tree", tree), ("spool_full", spool_full),
                         ("corrupt_spool", corrupt_spool), ("edge_restart", edge_restart)):
            if name in only:
                print("== %s" % name)
                peer.link(True)
                fn(peer)
    finally:
        peer.__exit__()


if __name__ == "__main__":
    sys.exit(node.netns_main(__file__, inner, failures, timeout=600))
