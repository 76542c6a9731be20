#!/usr/bin/python3
"""OS and activity of hosts known from collected flows (docs/hosts.md):
a python3-zmq publisher sends two flows in JSON with labels, the first
with HTTP_USER_AGENT "Mozilla/5.0 (Windows NT 6.1; WOW64)" (nProbe field
57655), both from local hosts (-m 10.7.0.0/16) with FIRST_SWITCHED =
NOW-30 and LAST_SWITCHED = NOW-20.  Known answers: the first client is
Windows / "Windows 7", the second has no OS; each client's activity map
holds exactly the seconds NOW-30 .. NOW-20 (a collected flow marks its
whole lifetime), the remote server none; a second update of the first
flow with LAST_SWITCHED = NOW-10 extends its client's map to NOW-10.
Exit 77 when python3-zmq is missing.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402
import zmq_collector as zc  # noqa: E402  (exits 77 without python3-zmq)

UA = "Mozilla/5.0 (Windows NT 6.1; WOW64)"


def main():
    now = int(time.time())
    first, last = now - 30, now - 20
    ctx = zc.zmq.Context()
    port = node.free_port()
    pub = zc.Publisher(ctx, "tcp://127.0.0.1:%d" % port, True)
    with node.Node(["-i", "tcp://127.0.0.1:%d" % port, "-m", "10.7.0.0/16"],
                   name="host-collected") as n:
        expect(zc.sync(n, pub, 7) > 0, "the collector is connected")
        flows = []
        for i, ua in enumerate([UA, None]):
            f = {"IPV4_SRC_ADDR": "10.7.0.%d" % (i + 1), "IPV4_DST_ADDR": "172.16.0.9",
                 "L4_SRC_PORT": 40000 + i, "L4_DST_PORT": 80, "PROTOCOL": 6,
                 "IN_BYTES": 500, "IN_PKTS": 5, "OUT_BYTES": 900, "OUT_PKTS": 4,
                 "FIRST_SWITCHED": first, "LAST_SWITCHED": last}
            if ua:
                f["HTTP_USER_AGENT"] = ua
            flows.append(f)
        pub.send(lambda t, m: zc.hdr_v2(t, m, 7), "flow", json.dumps(flows).encode())
        zc.wait_for(n, lambda d: d["num_flows"] >= 2)
        h = n.rest("get/host/data.lua", ifid=0, host="10.7.0.1")
        expect((h["os"], h["os_name"], h["os_detail"]) == (2, "Windows", "Windows 7"),
               "HTTP_USER_AGENT gives 10.7.0.1 Windows 7 (%r %r %r)"
               % (h["os"], h["os_name"], h["os_detail"]))
        h = n.rest("get/host/data.lua", ifid=0, host="10.7.0.2")
        expect((h["os"], h["os_detail"]) == (0, ""), "10.7.0.2 sent no UA: no OS (%r %r)"
               % (h["os"], h["os_detail"]))
        want = list(range(first, last + 1))
        for ip in ("10.7.0.1", "10.7.0.2"):
            got = n.rest("get/host/activitymap.lua", ifid=0, host=ip, seconds=1)
            expect(got == want, "%s: active seconds are the flow's lifetime %d..%d (%r)"
                   % (ip, first, last, got))
        got = n.rest("get/host/activitymap.lua", ifid=0, host="172.16.0.9", seconds=1)
        expect(got == [], "the remote server has no map (%r)" % got)
        # a later update of the first flow extends its span to NOW-10:
        # the map gains exactly the new seconds
        f = dict(flows[0], IN_BYTES=100, IN_PKTS=1, OUT_BYTES=0, OUT_PKTS=0,
                 LAST_SWITCHED=last + 10)
        pub.send(lambda t, m: zc.hdr_v2(t, m, 7), "flow", json.dumps([f]).encode())
        zc.wait_for(n, lambda d: d["packets"] >= 19)
        got = n.rest("get/host/activitymap.lua", ifid=0, host="10.7.0.1", seconds=1)
        expect(got == list(range(first, last + 11)),
               "10.7.0.1: the second update extends the map to %d (%r)" % (last + 10, got))
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
