#!/usr/bin/python3
"""Passive OS detection (issue 14 #4, docs/hosts.md): known answers from
real captures.

- windowsupdate_over_http.pcap: the client 10.0.2.15 sends
  "User-Agent: Microsoft-Delivery-Optimization/10.0" (checked with
  tshark): os 2 (Windows), os_name "Windows", os_detail "Windows 10" in
  get/host/data.lua and in the get/host/active.lua rows; the server
  151.99.72.125 sent no User-Agent and no SYN of its own: os 0, "".
- alexa-app.pcapng: 172.16.42.216 sends "Mozilla/5.0 (Linux; Android
  5.1.1; LGLS751 ...)": Android, "Android 5.1".
- a capture this test writes: one TCP SYN with TTL 128 from 10.1.1.1
  (Windows class, no version) and one with TTL 64 and window 29200 from
  10.1.1.2 (Linux class): the SYN signature source.
"""
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402
sys.path.insert(0, os.path.join(node.REPO, "tools"))
import pcapfile  # noqa: E402

PCAP_HDR = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def syn_frame(src, dst, ttl, win, sport):
    tcp = struct.pack("!HHIIBBHHH", sport, 80, 1, 0, 5 << 4, 0x02, win, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, ttl, 6, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + tcp


def host(n, ip):
    return n.rest("get/host/data.lua", ifid=0, host=ip)


def check(h, ip, os_id, name, detail, what):
    expect((h["os"], h["os_name"], h["os_detail"]) == (os_id, name, detail),
           "%s: %s os %r/%r/%r (want %r/%r/%r)" % (what, ip, h["os"], h["os_name"],
                                                   h["os_detail"], os_id, name, detail))


def test_windowsupdate():
    pc = os.path.join(node.PCAPS, "windowsupdate_over_http.pcap")
    with node.Node(["-i", pc], name="os-wu") as n:
        n.wait_ended()
        check(host(n, "10.0.2.15"), "10.0.2.15", 2, "Windows", "Windows 10",
              "windowsupdate UA")
        check(host(n, "151.99.72.125"), "151.99.72.125", 0, "", "",
              "windowsupdate server (no UA)")
        rows = n.rest("get/host/active.lua", ifid=0, perPage=100)["data"]
        r = [x for x in rows if x["ip"] == "10.0.2.15"]
        expect(len(r) == 1 and r[0]["os"] == 2 and r[0]["os_detail"] == "Windows 10"
               and r[0]["os_name"] == "Windows",
               "host list row of 10.0.2.15 carries os 2 / Windows 10 (%r)" % r)


def test_android():
    pc = os.path.join(node.PCAPS, "alexa-app.pcapng")
    with node.Node(["-i", pc], name="os-alexa") as n:
        n.wait_ended()
        check(host(n, "172.16.42.216"), "172.16.42.216", 5, "Android", "Android 5.1",
              "alexa-app UA")


def test_syn(tmp):
    path = os.path.join(tmp, "syn.pcap")
    recs = []
    for i, (src, ttl, win) in enumerate([((10, 1, 1, 1), 128, 64240),
                                         ((10, 1, 1, 2), 64, 29200)]):
        f = syn_frame(src, (10, 1, 1, 9), ttl, win, 40000 + i)
        recs.append((1700000000 + i, 0, len(f), f))
    pcapfile.write(path, PCAP_HDR, recs)
    with node.Node(["-i", path], name="os-syn") as n:
        n.wait_ended()
        check(host(n, "10.1.1.1"), "10.1.1.1", 2, "Windows", "Windows", "SYN TTL 128")
        check(host(n, "10.1.1.2"), "10.1.1.2", 1, "Linux", "Linux", "SYN TTL 64")
        check(host(n, "10.1.1.9"), "10.1.1.9", 0, "", "", "SYN receiver")


def main():
    if not os.path.isdir(node.PCAPS):
        print("NTOPNG_SHARED pcaps not found")
        return 77
    test_windowsupdate()
    test_android()
    with tempfile.TemporaryDirectory() as tmp:
        test_syn(tmp)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
