#!/usr/bin/python3
"""Client and server of flows whose first packet comes from the server
(captures that start mid-connection), on both paths, by the one rule of
docs/accounting.md ("Client and server"): the sender of a first packet
that is a TCP SYN-ACK, or that goes from a lower port to a higher one
(not UDP, not a SYN, not broadcast/multicast), is the server.

Packet path: for every TCP connection of teams.pcap and BGP_redist.pcap
(several start with the server's PSH-ACK from 443 or 179) the client and
server REST shows are those the rule gives on the connection's first
packet (tshark).  Collector path: a ZMQ record from port 22 to 50022 is
shown with the client on 50022, as upstream does, and its
TLS_SERVER_NAME as the flow's info (the flows page's Info column).
"""
import json
import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402


def first_packets(pcap):
    """{frozenset of the two (ip, port)}: (sender, receiver, flags) of each
    TCP connection's first packet."""
    out = subprocess.run(["tshark", "-r", pcap, "-Y", "tcp && ip", "-T", "fields",
                          "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst",
                          "-e", "tcp.dstport", "-e", "tcp.flags"],
                         capture_output=True, text=True, timeout=60).stdout
    first = {}
    for line in out.splitlines():
        p = line.split("\t")
        if len(p) != 5 or "," in p[0] or "," in p[2]:
            continue    # tunnels: outer and inner addresses
        a, b = (p[0], int(p[1])), (p[2], int(p[3]))
        first.setdefault(frozenset((a, b)), (a, b, int(p[4], 16)))
    return first


def expected_client(a, b, flags):
    """The rule: a SYN's sender is the client, a SYN-ACK's the server,
    else the lower port is the server's."""
    if flags & 0x02:
        return b if flags & 0x10 else a
    if a[1] == b[1]:
        return a
    return b if a[1] < b[1] else a


def test_packet_path():
    for name in ("teams.pcap", "BGP_redist.pcap"):
        pcap = os.path.join(node.PCAPS, name)
        first = first_packets(pcap)
        with node.Node(["-i", pcap], name="dir-" + name.split(".")[0]) as n:
            n.wait_ended()
            fl = n.rest("get/flow/active.lua", ifid=0, perPage=100000, l4proto=6)["data"]
        bad, mid = [], 0
        for f in fl:
            c = (f["client"]["ip"], f["client"]["port"])
            s = (f["server"]["ip"], f["server"]["port"])
            fp = first.get(frozenset((c, s)))
            if fp is None:
                continue
            want = expected_client(*fp)
            mid += fp[0] != want
            if c != want:
                bad.append((c, s, fp))
        expect(mid > 0, "%s: %d connections whose first packet is the server's" % (name, mid))
        expect(len(fl) >= len(first) * 0.9 and not bad,
               "%s: %d TCP flows, client/server by the rule on the first packet (wrong: %r)"
               % (name, len(fl), bad[:5]))


def test_collector_path():
    try:
        import zmq
    except ImportError:
        print("python3-zmq missing: collector path skipped")
        return
    ctx = zmq.Context()
    port = node.free_port()
    pub = ctx.socket(zmq.PUB)
    pub.bind("tcp://127.0.0.1:%d" % port)
    try:
        with node.Node(["-i", "tcp://127.0.0.1:%d" % port], name="dir-zmq") as n:
            mid = 0
            for _ in range(100):
                mid += 1
                pub.send_multipart([b"event".ljust(16, b"\0") + bytes([2, 0]) + b"\0\0" +
                                    struct.pack(">II", mid, 9),
                                    json.dumps({"time": int(time.time())}).encode()])
                time.sleep(0.05)
                if n.rest("get/interface/data.lua", ifid=0).get("zmqRecvStats", {}).get("events"):
                    break
            now = int(time.time())
            mid += 1
            pub.send_multipart([b"flow".ljust(16, b"\0") + bytes([2, 0]) + b"\0\0" +
                                struct.pack(">II", mid, 9),
                                json.dumps([{"IPV4_SRC_ADDR": "10.5.0.1", "IPV4_DST_ADDR": "10.5.0.2",
                                             "L4_SRC_PORT": 22, "L4_DST_PORT": 50022,
                                             "PROTOCOL": 6, "IN_BYTES": 700, "IN_PKTS": 2,
                                             "OUT_BYTES": 300, "OUT_PKTS": 1,
                                             "FIRST_SWITCHED": now - 1,
                                             "LAST_SWITCHED": now,
                                             "TLS_SERVER_NAME": "git.example.org"}]).encode()])
            fl = []
            deadline = time.monotonic() + 10
            while not fl and time.monotonic() < deadline:
                time.sleep(0.1)
                fl = n.rest("get/flow/active.lua", ifid=0)["data"]
            expect(len(fl) == 1 and fl[0]["client"]["port"] == 50022
                   and fl[0]["client"]["ip"] == "10.5.0.2" and fl[0]["server"]["port"] == 22,
                   "ZMQ record 10.5.0.1:22 -> 10.5.0.2:50022: client 10.5.0.2:50022 (%r)"
                   % [(f["client"], f["server"]) for f in fl])
            expect(len(fl) == 1 and fl[0].get("info") == "git.example.org",
                   "ZMQ record's TLS_SERVER_NAME is the flow's info (%r)"
                   % [f.get("info") for f in fl])
    finally:
        pub.close(0)
        ctx.term()


def main():
    if not os.path.isdir(node.PCAPS):
        print("NTOPNG_SHARED pcaps not found")
        return 77
    test_packet_path()
    test_collector_path()
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
