#!/usr/bin/python3
"""A live edge and a hub, inside a network namespace this test creates:
the edge captures UDP on lo (-i lo -B udp) and exports every 2 s; a
python sender keeps UDP traffic going.  Checks:
- every flow the edge sees reaches the hub within 2 x the export interval:
  the hub's latency histogram (last packet at the edge -> update at the
  hub) has p99 <= 4000 ms, and the hub's bytes track the edge's;
- the edge killed (SIGKILL) mid-stream: the hub keeps running and
  answering; the edge restarted with the same node id: the hub's ledger
  shows the restart of its message numbering, and traffic flows again.
Exit 77 when network namespaces cannot be created here.
"""
import os
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402

INTERVAL = 2


class Sender(threading.Thread):
    """~200 UDP datagrams a second over 20 flows until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop_evt = threading.Event()
        self.sent = 0

    def run(self):
        rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rx.bind(("127.0.0.1", 0))
        dport = rx.getsockname()[1]
        txs = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(20)]
        i = 0
        while not self.stop_evt.is_set():
            txs[i % 20].sendto(b"y" * (100 + i % 500), ("127.0.0.1", dport))
            self.sent += 1
            i += 1
            time.sleep(0.005)
        for t in txs:
            t.close()
        rx.close()


def hub_view(hub):
    d = hub.rest("get/interface/data.lua", ifid=0)
    return d["ip_bytes"], d["hierarchy"]


def inner():
    port = node.free_port()
    ddir = node.tempfile.mkdtemp(prefix="ntopng-edge-live-")
    edge_args = ["-i", "lo", "-B", "udp", "-I", "tcp://127.0.0.1:%d" % port,
                 "--node-id", "edge-live", "--export-interval", str(INTERVAL), "-d", ddir]
    snd = Sender()
    with node.Node(["-i", "hub=tcp://127.0.0.1:%d" % port, "--node-id", "hub"],
                   name="hub-live") as hub:
        edge = node.Node(edge_args, name="edge-live")
        edge.__enter__()
        try:
            time.sleep(0.5)
            snd.start()
            time.sleep(4 * INTERVAL)
            b, h = hub_view(hub)
            lat = h["latency_ms"]
            expect(b > 0 and lat["samples"] > 0, "the hub receives the live edge's flows "
                   "(%d bytes, %d latency samples)" % (b, lat["samples"]))
            expect(lat["p99"] <= 2 * INTERVAL * 1000,
                   "edge -> hub latency p50 %d ms, p99 %d ms <= 2 x the %d s interval"
                   % (lat["p50"], lat["p99"], INTERVAL))
            eb = edge.rest("get/interface/data.lua", ifid=0)["ip_bytes"]
            expect(b <= eb and b >= eb // 2, "the hub tracks the edge (%d of %d bytes)" % (b, eb))
            # the edge's events tell its 60 s flow idle time: the hub
            # purges the edge's flows when the edge does
            mi = hub.rest("get/interface/data.lua", ifid=0).get("zmq.flow_max_idle")
            expect(mi == 60, "the hub takes the edge's flow idle time (%s s)" % mi)

            # kill the edge mid-stream
            edge.stop(signal.SIGKILL)
            before, _ = hub_view(hub)
            time.sleep(2 * INTERVAL)
            after, _ = hub_view(hub)
            expect(hub.proc.poll() is None and after == before,
                   "edge killed: the hub keeps running and answering (%d bytes)" % after)

            edge = node.Node(edge_args, name="edge-live-2")
            edge.__enter__()
            time.sleep(4 * INTERVAL)
            again, h = hub_view(hub)
            expect(again > after, "edge restarted: its traffic reaches the hub again "
                   "(%d -> %d bytes)" % (after, again))
            srcs = hub.rest("get/interface/sources.lua", ifid=0)
            probes = [p for s in srcs for p in s.get("probes", [])]
            restarts = sum(p.get("msg_rollbacks", 0) + p.get("msg_restarts", 0) for p in probes)
            expect(restarts >= 1, "the hub's ledger shows the edge's restart (%d)" % restarts)
            origins = [o for o in hub.rest("get/interface/origins.lua", ifid=0)
                       if o["origin"] == "edge-live"]
            expect(len(origins) == 1 and origins[0]["duplicates_refused"] == 0,
                   "one origin for both runs of the edge, none of its updates taken "
                   "for a duplicate (%r)" % origins)
        finally:
            snd.stop_evt.set()
            edge.__exit__(None, None, None)


def main():
    return node.netns_main(__file__, inner, failures, timeout=180)


if __name__ == "__main__":
    sys.exit(main())
