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
- a capture this test writes: a DHCP DISCOVER from 0.0.0.0, MAC
  02:00:00:00:00:aa, option 60 "MSFT 5.0", then UDP from 10.1.1.50 with
  that MAC (-m 10.1.1.0/24): Windows by DHCP; another DISCOVER with
  "dhcpcd-6.10.1:Linux-4.9.57-v7+" from 02:00:00:00:00:bb, then 10.1.1.51:
  Linux by DHCP; 10.1.1.52 (no DHCP) has none.
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


def udp_frame(src, dst, sport, dport, payload, smac, dmac=b"\xff" * 6):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dmac + smac + b"\x08\x00" + ip + udp


def dhcp_discover(mac, vendor_class, prl):
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 0x1234abcd, 0, 0x8000,
                        b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4, mac + b"\0" * 10,
                        b"\0" * 64, b"\0" * 128)
    opts = b"\x63\x82\x53\x63" + b"\x35\x01\x01"
    opts += bytes([60, len(vendor_class)]) + vendor_class
    opts += bytes([55, len(prl)]) + bytes(prl) + b"\xff"
    return udp_frame((0, 0, 0, 0), (255, 255, 255, 255), 68, 67, bootp + opts, mac)


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
        h = host(n, "10.0.2.15")
        check(h, "10.0.2.15", 2, "Windows", "Windows 10", "windowsupdate UA")
        expect(h["os_source"] == "user_agent", "10.0.2.15: os_source user_agent (%r)"
               % h["os_source"])
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


def test_dhcp(tmp):
    path = os.path.join(tmp, "dhcp.pcap")
    ma, mb, mc = b"\x02\0\0\0\0\xaa", b"\x02\0\0\0\0\xbb", b"\x02\0\0\0\0\xcc"
    gw = b"\x02\0\0\0\0\x01"
    frames = [dhcp_discover(ma, b"MSFT 5.0", [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121,
                                              249, 252]),
              dhcp_discover(mb, b"dhcpcd-6.10.1:Linux-4.9.57-v7+:armv7l:BCM2835",
                            [1, 121, 33, 3, 6, 12, 15, 26, 28, 42, 51, 54, 58, 59, 119]),
              udp_frame((10, 1, 1, 50), (10, 1, 1, 9), 40000, 9999, b"x" * 20, ma, gw),
              udp_frame((10, 1, 1, 51), (10, 1, 1, 9), 40001, 9999, b"x" * 20, mb, gw),
              udp_frame((10, 1, 1, 52), (10, 1, 1, 9), 40002, 9999, b"x" * 20, mc, gw)]
    pcapfile.write(path, PCAP_HDR, [(1700000000 + i, 0, len(f), f)
                                    for i, f in enumerate(frames)])
    with node.Node(["-i", path, "-m", "10.1.1.0/24"], name="os-dhcp") as n:
        n.wait_ended()
        h = host(n, "10.1.1.50")
        check(h, "10.1.1.50", 2, "Windows", "Windows", "DHCP MSFT 5.0")
        expect(h["os_source"] == "dhcp", "10.1.1.50: os_source dhcp (%r)" % h["os_source"])
        check(host(n, "10.1.1.51"), "10.1.1.51", 1, "Linux", "Linux", "DHCP dhcpcd:Linux")
        check(host(n, "10.1.1.52"), "10.1.1.52", 0, "", "", "no DHCP")


def main():
    if not os.path.isdir(node.PCAPS):
        print("NTOPNG_SHARED pcaps not found")
        return 77
    test_windowsupdate()
    test_android()
    with tempfile.TemporaryDirectory() as tmp:
        test_syn(tmp)
        test_dhcp(tmp)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
