#!/usr/bin/python3
"""An interface that merges sources on different clocks: a pcap file
(packet time, years ago) with a ZMQ collector (wall clock).  Each source's
clock governs the idle purge of its own flows and hosts, so the merged
interface keeps the file's flows and hosts as long as a pcap-only
interface does (they stay once the file has ended), while the collected
flows live by the wall clock (docs/accounting.md, "Clocks").
"""
import json
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402

try:
    import zmq
except ImportError:
    print("python3-zmq missing: skipped")
    sys.exit(77)

PCAP = os.path.join(node.PCAPS, "quic.pcap")


def hdr(topic, msg_id, src=7):
    return topic.encode().ljust(16, b"\0") + bytes([2, 0]) + b"\0\0" + struct.pack(">II", msg_id, src)


def data(nd):
    return nd.rest("get/interface/data.lua", ifid=0)


def flow_keys(nd):
    fl = nd.rest("get/flow/active.lua", ifid=0, perPage=1000)["data"]
    return sorted((f["client"]["ip"], f["client"]["port"], f["server"]["ip"], f["server"]["port"])
                  for f in fl)


def test_pcap_merged_with_zmq():
    with node.Node(["-i", PCAP], name="clk-pcap") as n:
        alone = n.wait_ended()
        alone_flows = flow_keys(n)
    ref = node.reference()["quic.pcap"]
    expect(alone["bytes"] == int(ref["bytes"]) and alone["num_flows"] >= 1,
           "quic.pcap alone: %d bytes, %d flows, %d hosts"
           % (alone["bytes"], alone["num_flows"], alone["num_hosts"]))

    ctx = zmq.Context()
    port = node.free_port()
    pub = ctx.socket(zmq.PUB)
    pub.bind("tcp://127.0.0.1:%d" % port)
    msg = [0]

    def send(topic, payload):
        msg[0] += 1
        pub.send_multipart([hdr(topic, msg[0]), json.dumps(payload).encode()])

    try:
        with node.Node(["-i", "%s,tcp://127.0.0.1:%d" % (PCAP, port)], name="clk-merged") as n:
            deadline = time.monotonic() + 30
            d = data(n)
            while d["bytes"] < alone["bytes"] and time.monotonic() < deadline:
                time.sleep(0.1)
                d = data(n)
            expect(d["bytes"] == alone["bytes"], "merged: the file is read (%d bytes)" % d["bytes"])
            # the subscription is up once an event is counted
            for _ in range(100):
                send("event", {"time": int(time.time())})
                time.sleep(0.05)
                if data(n).get("zmqRecvStats", {}).get("events", 0) > 0:
                    break
            now = int(time.time())
            send("flow", [{"IPV4_SRC_ADDR": "10.99.0.1", "IPV4_DST_ADDR": "10.99.0.2",
                           "L4_SRC_PORT": 40000, "L4_DST_PORT": 80, "PROTOCOL": 6,
                           "IN_BYTES": 1000, "IN_PKTS": 2, "OUT_BYTES": 3000, "OUT_PKTS": 3,
                           "FIRST_SWITCHED": now - 1, "LAST_SWITCHED": now}])
            deadline = time.monotonic() + 10
            while data(n)["num_flows"] < alone["num_flows"] + 1 and time.monotonic() < deadline:
                time.sleep(0.1)
            # several idle purges (one a second) by the wall clock
            time.sleep(4.5)
            d = data(n)
            expect(d["num_flows"] == alone["num_flows"] + 1,
                   "merged, 4.5 s later: flows %d = the file's %d + 1 collected"
                   % (d["num_flows"], alone["num_flows"]))
            expect(d["num_hosts"] == alone["num_hosts"] + 2,
                   "merged, 4.5 s later: hosts %d = the file's %d + 2 collected"
                   % (d["num_hosts"], alone["num_hosts"]))
            expect(d["bytes"] == alone["bytes"] + 4000, "merged bytes %d" % d["bytes"])
            keys = flow_keys(n)
            expect(all(k in keys for k in alone_flows),
                   "merged: every flow of the file is still listed (%r)" % keys)
    finally:
        pub.close(0)
        ctx.term()


def main():
    test_pcap_merged_with_zmq()
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
