#!/usr/bin/python3
"""Convergence of a hierarchy after late joins and restarts (issue 16,
docs/hierarchy.md "Convergence"), on real nodes on loopback, in the
default PUB/SUB mode with no option:

- star: 3 edges read captures in real time (a FIFO each); an
  upstream-compatible subscriber (python, subscribed like upstream ntopng
  to the upstream topics, summing the flow deltas) listens from the start;
  the hub starts 10 s after the edges, is killed with -9 mid-stream and
  restarted: once the feeds end it holds exactly the edges' bytes, packets
  and flows, and the python subscriber too (it never saw a snapshot);
  a second hub started after the feeds ended (everything was sent before
  it came: the edges' backlog went to the python subscriber) converges on
  the snapshots alone; missed_expired is 0 (no flow ended before a join);
- connecting edges (-I tcp://hub:portc): the hub killed with -9 and
  restarted on its port: the edges reconnect by themselves, exact again;
- edge restart: edge0 killed with -9 and started again: the hub counts the
  restart, the flows of the old run it will never hear the end of, and
  adds the new run to the old one (nothing double counted);
- mesh of 3 started one after the other (1.5 s apart, feeds of 6 s) in
  5 different orders, alternately with binding -I endpoints (a later node
  misses the others' streams: snapshots) and connecting ones: every
  node's merged interface holds exactly the two others' traffic, each run.
"""
import itertools
import os
import signal
import socket
import struct
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
import zmqwire  # noqa: E402
from node import expect, failures  # noqa: E402

try:
    import zmq
except ImportError:
    zmq = None

N_FLOWS = 12
RATE = 60  # frames per second, per feed


def _feed_write(fifo, net, secs):
    """A pcap into fifo in real time: N_FLOWS UDP flows 10.<net>.0.1:5000+k
    -> 10.<net>.0.2:6000, frames of varying sizes, RATE per second."""
    with open(fifo, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        t0 = time.time()
        for i in range(int(secs * RATE)):
            t = t0 + i / RATE
            while time.time() < t:
                time.sleep(min(0.05, max(0, t - time.time())))
            k = i % N_FLOWS
            payload = b"x" * (20 + (i * 7) % 300)
            udp = struct.pack("!HHHH", 5000 + k, 6000, 8 + len(payload), 0) + payload
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                             socket.inet_aton("10.%d.0.1" % net),
                             socket.inet_aton("10.%d.0.2" % net))
            frame = b"\x00\x11\x22\x33\x44\x55\x00\x66\x77\x88\x99\xaa\x08\x00" + ip + udp
            f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(frame),
                                len(frame)) + frame)
            f.flush()


def start_feed(net, secs):
    fifo = os.path.join(tempfile.mkdtemp(prefix="ntopng-conv-"), "feed")
    os.mkfifo(fifo)

    def run():
        try:
            _feed_write(fifo, net, secs)
        except OSError:  # the node stopped reading
            pass
    th = threading.Thread(target=run, daemon=True)
    th.start()
    return fifo, th


def totals(n, ifid=0):
    d = n.rest("get/interface/data.lua", ifid=ifid)
    return (d["ip_bytes"], d["ip_packets"], d["num_flows"])


def wait_for(n, ifid, want, timeout=40):
    """Polls until n's totals == want and stay so for 2 s; the last seen
    and the seconds it took."""
    t0 = time.monotonic()
    got = None
    while time.monotonic() - t0 < timeout:
        got = totals(n, ifid)
        if got == want:
            took = time.monotonic() - t0
            time.sleep(2)
            got = totals(n, ifid)
            if got == want:
                return got, took
        time.sleep(0.2)
    return got, None


def origins(n):
    return {o["origin"]: o for o in n.rest("get/interface/origins.lua", ifid=0)}


class UpstreamSub(threading.Thread):
    """Subscribes like upstream ntopng (its topic list, zmq-wire.md 1.5)
    and sums the flow records' deltas."""
    TOPICS = ["flow", "event", "counter", "template", "option", "hello",
              "listening-ports", "snmp-ifaces", "message"]

    def __init__(self, endpoints):
        super().__init__(daemon=True)
        self.ctx = zmq.Context()
        self.s = self.ctx.socket(zmq.SUB)
        for t in self.TOPICS:
            self.s.setsockopt(zmq.SUBSCRIBE, t.encode())
        for e in endpoints:
            self.s.connect(e)
        self.bytes = self.pkts = 0
        self.topics = set()
        self.stop_evt = threading.Event()

    def run(self):
        while not self.stop_evt.is_set():
            if not self.s.poll(200):
                continue
            frames = self.s.recv_multipart()
            h, recs = zmqwire.decode_message(frames)
            self.topics.add(h["topic"])
            if h["topic"] != "flow":
                continue
            for r in recs:
                self.bytes += r.get(1, 0) + r.get(23, 0)
                self.pkts += r.get(2, 0) + r.get(24, 0)

    def close(self):
        self.stop_evt.set()
        self.join(5)
        self.s.close(0)
        self.ctx.term()


def star():
    ports = [node.free_port() for _ in range(3)]
    eps = ["tcp://127.0.0.1:%d" % p for p in ports]
    secs = 24
    feeds = [start_feed(i + 1, secs) for i in range(3)]
    up = UpstreamSub(eps)
    up.start()
    edges = [node.Node(["-i", "feed=" + feeds[i][0], "-I", eps[i], "--node-id", "edge%d" % i],
                       name="conv-edge%d" % i) for i in range(3)]
    hub = hub2 = None
    t0 = time.monotonic()
    try:
        for e in edges:
            e.__enter__()
        time.sleep(max(0, t0 + 10 - time.monotonic()))
        hub_args = ["-i", "hub=" + ",".join(eps), "--node-id", "hub"]
        hub = node.Node(hub_args, name="conv-hub").__enter__()
        # mid-stream: every edge sent it a snapshot, then it dies
        deadline = time.monotonic() + 20
        snapped = []
        while time.monotonic() < deadline and len(snapped) < 3:
            snapped = [o for o in origins(hub).values()
                       if not o["local"] and o["snapshot_records"] > 0]
            time.sleep(0.2)
        expect(len(snapped) == 3, "star: the late hub got a snapshot from every edge %r"
               % sorted((o["origin"], o["snapshot_records"]) for o in snapped))
        before = totals(hub)
        hub.stop(signal.SIGKILL)
        time.sleep(1)
        hub = node.Node(hub_args, name="conv-hub-2").__enter__()
        for f, th in feeds:
            th.join()
        want = [0, 0, 0]
        for e in edges:
            e.wait_ended()
            t = totals(e)
            want = [want[k] + t[k] for k in range(3)]
        want = tuple(want)
        expect(before[0] > 0 and before[0] < want[0],
               "star: the first hub was killed mid-stream (%d of %d bytes)" % (before[0], want[0]))
        got, took = wait_for(hub, 0, want)
        expect(got == want, "star: hub joined 10 s late, killed -9 and restarted: exact "
               "(bytes, packets, flows) %r == %r (%s s after the feeds ended)"
               % (got, want, "%.1f" % took if took is not None else "-"))
        o = origins(hub)
        for i in range(3):
            oi = o.get("edge%d" % i, {})
            expect(oi.get("snapshot_records", 0) > 0 and oi.get("missed_expired") ==
                   {"flows": 0, "bytes": 0, "packets": 0} and oi.get("restarts") == 0,
                   "star: edge%d reached the restarted hub by snapshot (%s records), "
                   "nothing missed (%r), no restart" % (i, oi.get("snapshot_records"),
                                                         oi.get("missed_expired")))
        deadline = time.monotonic() + 10
        while (up.bytes, up.pkts) != want[:2] and time.monotonic() < deadline:
            time.sleep(0.2)
        expect((up.bytes, up.pkts) == want[:2] and not any(t.startswith("snap") for t in up.topics),
               "star: an upstream-compatible subscriber summing deltas is exact too "
               "(%d, %d) == %r, and never got a snapshot (topics %s)"
               % (up.bytes, up.pkts, want[:2], sorted(up.topics)))

        # everything was sent before it came: snapshots alone
        hub2 = node.Node(["-i", "hub2=" + ",".join(eps), "--node-id", "hub2"],
                         name="conv-hub2").__enter__()
        got, took = wait_for(hub2, 0, want)
        expect(got == want, "star: a hub started after the feeds ended converges on the "
               "snapshots alone %r == %r (in %s s)"
               % (got, want, "%.1f" % took if took is not None else "-"))
        hub2.stop()
        hub2 = None

        # the edge's own restart
        o0 = origins(hub)["edge0"]
        flows0 = totals(edges[0])[2]
        edges[0].stop(signal.SIGKILL)
        feed, th = start_feed(1, 4)
        edges[0] = node.Node(["-i", "feed=" + feed, "-I", eps[0], "--node-id", "edge0"],
                             name="conv-edge0-2").__enter__()
        th.join()
        edges[0].wait_ended()
        new = totals(edges[0])
        want0 = o0["bytes"] + new[0]
        deadline = time.monotonic() + 20
        while origins(hub)["edge0"]["bytes"] != want0 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)
        o1 = origins(hub)["edge0"]
        expect(o1["bytes"] == want0 and o1["packets"] == o0["packets"] + new[1],
               "edge restart: the hub adds the new run to the old one "
               "(%d == %d + %d bytes)" % (o1["bytes"], o0["bytes"], new[0]))
        expect(o1["restarts"] == 1 and o1["orphaned_flows"] == flows0,
               "edge restart: the hub shows it (restarts %d) and the %d flows of the old "
               "run it will never hear the end of (%d)"
               % (o1["restarts"], flows0, o1["orphaned_flows"]))
        expect(o1["missed_expired"] == {"flows": 0, "bytes": 0, "packets": 0},
               "edge restart: every delta the new run declared arrived (%r)"
               % o1["missed_expired"])
    finally:
        for n in [hub, hub2] + edges:
            if n is not None:
                n.__exit__(None, None, None)
        up.close()


def star_connecting():
    """Edges connect their -I to the hub's collector socket (behind NAT):
    the hub killed -9 mid-stream and restarted on the same port; the
    edges' XPUBs reconnect by themselves and answer the new subscription
    with snapshots."""
    port = node.free_port()
    feeds = [start_feed(11 + i, 14) for i in range(2)]
    edges = [node.Node(["-i", "feed=" + feeds[i][0], "-I", "tcp://127.0.0.1:%dc" % port,
                        "--node-id", "cedge%d" % i], name="conv-cedge%d" % i) for i in range(2)]
    hub_args = ["-i", "hub=tcp://127.0.0.1:%dc" % port, "--node-id", "chub"]
    hub = None
    try:
        hub = node.Node(hub_args, name="conv-chub").__enter__()
        for e in edges:
            e.__enter__()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(
                [o for o in origins(hub).values() if not o["local"] and o["bytes"] > 0]) < 2:
            time.sleep(0.2)
        time.sleep(2)
        hub.stop(signal.SIGKILL)
        time.sleep(1)
        hub = node.Node(hub_args, name="conv-chub-2").__enter__()
        for _, th in feeds:
            th.join()
        want = [0, 0, 0]
        for e in edges:
            e.wait_ended()
            t = totals(e)
            want = [want[k] + t[k] for k in range(3)]
        want = tuple(want)
        got, took = wait_for(hub, 0, want)
        o = origins(hub)
        expect(got == want and all(o.get("cedge%d" % i, {}).get("snapshot_records", 0) > 0
                                   for i in range(2)),
               "connecting edges: hub killed -9 and restarted on its port: the edges "
               "reconnected by themselves, sent snapshots, exact %r == %r" % (got, want))
    finally:
        for n in [hub] + edges:
            if n is not None:
                n.__exit__(None, None, None)


def mesh_run(order, run, binding):
    """binding: every node binds its one -I and subscribes to the two
    others' (a node that comes later misses their streams: the snapshots
    fill it); else every node binds a collector socket and connects one -I
    to each other's (topologies/mesh/)."""
    ports = [node.free_port() for _ in range(3)]
    names = ["m%dA" % run, "m%dB" % run, "m%dC" % run]
    feeds = [start_feed(20 + i, 6) for i in range(3)]
    nodes = []
    for i in range(3):
        others = [j for j in range(3) if j != i]
        if binding:
            io = ["-i", "merged=" + ",".join("tcp://127.0.0.1:%d" % ports[j] for j in others),
                  "-I", "tcp://127.0.0.1:%d" % ports[i]]
        else:
            io = ["-i", "merged=tcp://127.0.0.1:%dc" % ports[i]]
            for j in others:
                io += ["-I", "tcp://127.0.0.1:%dc" % ports[j]]
        nodes.append(node.Node(["-i", "capture=" + feeds[i][0]] + io +
                               ["--node-id", names[i]], name=names[i]))
    started = []
    try:
        for i in order:
            nodes[i].__enter__()
            started.append(nodes[i])
            time.sleep(1.5)
        for _, th in feeds:
            th.join()
        own = []
        for n in nodes:
            n.wait_ended(ifid=0)
            own.append(totals(n, 0))
        ok = True
        for i, n in enumerate(nodes):
            want = tuple(sum(own[j][k] for j in range(3) if j != i) for k in range(3))
            got, _ = wait_for(n, 1, want, timeout=30)
            ok = ok and got == want
            expect(got == want, "mesh run %d (%s, started %s): %s holds the two others "
                   "exactly %r == %r" % (run, "binding -I" if binding else "connecting -I",
                                         "".join("ABC"[k] for k in order), names[i],
                                         got, want))
        return ok
    finally:
        for n in started:
            n.__exit__(None, None, None)


def main():
    if zmq is None:
        print("skip: python3-zmq is missing")
        return 77
    star()
    star_connecting()
    orders = list(itertools.permutations(range(3)))[1:]  # A first is the easy one
    for run, order in enumerate(orders[:5]):
        mesh_run(order, run, binding=run % 2 == 0)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
