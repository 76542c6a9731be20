#!/usr/bin/python3
"""Live capture on a device, inside a network namespace this test creates
(ip netns add ntopng-test-<pid>, lo up) so that nothing leaves the
namespace: ntopng runs there with -i lo, a python socket sends N UDP
datagrams of known sizes to 127.0.0.1, and the REST API (asked from inside
the namespace too) must show the flow with exactly those N packets and
their frame bytes (14 Ethernet + 20 IPv4 + 8 UDP + payload).  Then the same
with -i <index>, the index of lo in the "Available interfaces" list of
ntopng -h run in the same namespace.

Exit 77 (skipped) when network namespaces cannot be created here.
"""
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402

SIZES = [1, 10, 100, 333, 500, 1000, 1400, 64, 8, 1200]


def send_and_find(n, tag):
    """Sends the datagrams from a fresh port, returns the matching flow."""
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tx.bind(("127.0.0.1", 0))
    sport, dport = tx.getsockname()[1], rx.getsockname()[1]
    # the capture is open once the node answers, but give libpcap's
    # activation a moment before the first datagram
    time.sleep(0.5)
    for sz in SIZES:
        tx.sendto(b"x" * sz, ("127.0.0.1", dport))
        time.sleep(0.01)
    tx.close()
    rx.close()
    want_bytes = sum(14 + 20 + 8 + s for s in SIZES)
    flow = None
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        fl = n.rest("get/flow/active.lua", ifid=0, host="127.0.0.1", perPage=1000,
                    verbose="true", l4proto=17)["data"] if host_known(n) else []
        match = [f for f in fl if f["client"]["port"] == sport and f["server"]["port"] == dport]
        if match and match[0]["packets"] >= len(SIZES):
            flow = match[0]
            break
        time.sleep(0.2)
    if not expect(flow is not None, "%s: the UDP flow %d -> %d is listed" % (tag, sport, dport)):
        return
    expect(flow["packets"] == len(SIZES) and flow["bytes"] == want_bytes,
           "%s: flow has %d packets / %d bytes (want %d / %d)"
           % (tag, flow["packets"], flow["bytes"], len(SIZES), want_bytes))
    expect(flow["client"]["ip"] == "127.0.0.1" and flow["protocol"]["l4"] == "UDP"
           and flow["breakdown"]["cli2srv"] == 100, "%s: client 127.0.0.1, UDP, all client->server"
           % tag)
    d = n.rest("get/interface/data.lua", ifid=0)
    expect(d["packets"] >= len(SIZES) and d["bytes"] >= want_bytes and d["input_ended"] is False,
           "%s: interface counts %d packets >= %d, input not ended" % (tag, d["packets"],
                                                                      len(SIZES)))


def host_known(n):
    st, js = n.get("/lua/rest/v2/get/host/data.lua", {"ifid": 0, "host": "127.0.0.1"})
    return st == 200


def inner():
    """Runs inside the namespace."""
    with node.Node(["-i", "lo"], name="live-lo") as n:
        ifs = n.rest("get/ntopng/interfaces.lua")
        expect(len(ifs) == 1 and ifs[0]["ifname"] == "lo", "-i lo: interface lo (%r)" % ifs)
        send_and_find(n, "-i lo")
        rc = n.stop()
        expect(rc == 0, "-i lo: SIGTERM stops the live node with 0 (%r)" % rc)
    h = subprocess.run([node.BIN, "-h"], capture_output=True, text=True, timeout=30)
    text = h.stdout + h.stderr
    part = text.split("Available interfaces", 1)[-1]
    m = re.search(r"^\s*(\d+)\.\s+lo\b", part, re.M)
    if not expect(m is not None, "ntopng -h lists lo with an index"):
        return
    idx = m.group(1)
    with node.Node(["-i", idx], name="live-idx") as n:
        ifs = n.rest("get/ntopng/interfaces.lua")
        expect(len(ifs) == 1 and ifs[0]["ifname"] == "lo", "-i %s: the device lo (%r)"
               % (idx, ifs))
        send_and_find(n, "-i %s" % idx)
    r = subprocess.run([node.BIN, "-w", "0", "-i", "999", "-r", "127.0.0.1:1"],
                       capture_output=True, text=True, timeout=30)
    node.check_output("ntopng -i 999", r.stdout + r.stderr, [r"-i 999"])
    expect(r.returncode == 1 and len(r.stderr.strip().splitlines()) >= 1,
           "-i 999 (no such index): exit 1 with a message (%d %r)"
           % (r.returncode, r.stderr.strip()[:120]))


def main():
    return node.netns_main(__file__, inner, failures, timeout=120)


if __name__ == "__main__":
    sys.exit(main())
