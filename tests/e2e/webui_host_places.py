#!/usr/bin/env python3
"""webui_host_places.py - one host page in headless Chromium with every
field issue 14 adds at once: the name learnt from a DNS answer, country
and city and AS from the GeoIP test databases, the OS from a TCP SYN,
and the activity heatmap (the host is local); the page, menu included,
fits the window.

The capture is written here: a DNS answer "branch.example.net A
89.160.20.112" (MaxMind's test City database: SE, Linkoping), then SYNs
with TTL 128 (the Windows class) from 89.160.20.112 in seconds 0-9.  The
values the page shows are compared with REST host/data; screenshot
host_places.  Exit 77 without Chromium (browser.py).
"""
import os
import shutil
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import node  # noqa: E402
import pcapfile  # noqa: E402
from node import Node, expect  # noqa: E402
from browser import browser, page  # noqa: E402

GEO = os.path.join(os.path.dirname(node.PCAPS), "geoip")
HOST = "89.160.20.112"
NAME = "branch.example.net"
T0 = 1700000000


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def ipv4(src, dst, proto, ttl, l4):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, ttl, proto, 0,
                     ip4(src), ip4(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip + l4


def dns_answer():
    qname = b"".join(bytes([len(l)]) + l.encode() for l in NAME.split(".")) + b"\0"
    msg = struct.pack("!HHHHHH", 0x1234, 0x8180, 1, 1, 0, 0) + qname + \
        struct.pack("!HH", 1, 1) + struct.pack("!HHHIH", 0xc00c, 1, 1, 300, 4) + ip4(HOST)
    udp = struct.pack("!HHHH", 53, 33333, 8 + len(msg), 0) + msg
    return ipv4("192.168.1.1", "192.168.1.10", 17, 64, udp)


def syn(sport):
    tcp = struct.pack("!HHIIBBHHH", sport, 80, 1, 0, 5 << 4, 0x02, 64240, 0, 0)
    return ipv4(HOST, "192.168.1.10", 6, 128, tcp)


def write_pcap(path):
    recs = [(T0, 0, len(dns_answer()), dns_answer())]
    for s in range(10):
        f = syn(40000 + s)
        recs.append((T0 + 1 + s, 0, len(f), f))
    pcapfile.write(path, struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1), recs)


def main():
    tmp = tempfile.mkdtemp(prefix="ntopng-webui-places-")
    path = os.path.join(tmp, "places.pcap")
    write_pcap(path)
    gdir = os.path.join(tmp, "geo")
    os.mkdir(gdir)
    shutil.copy(os.path.join(GEO, "GeoLite2-City-Test.mmdb"), os.path.join(gdir, "GeoLite2-City.mmdb"))
    shutil.copy(os.path.join(GEO, "GeoLite2-ASN-Test.mmdb"), os.path.join(gdir, "GeoLite2-ASN.mmdb"))
    d = None
    try:
        with Node(["-i", path, "--geoip-dir", gdir, "-m", "89.160.20.0/24,192.168.1.0/24"],
                  name="webui_host_places") as n:
            n.wait_ended()
            h = n.rest("get/host/data.lua", ifid=0, host=HOST)
            expect(h.get("name") == NAME, "REST: the DNS answer names %s (%r)" % (HOST, h.get("name")))
            expect(h.get("country") == "SE" and "Link" in (h.get("city") or ""),
                   "REST: SE, Linkoping (%r %r)" % (h.get("country"), h.get("city")))
            expect(h.get("os_name") == "Windows", "REST: the SYN says Windows (%r)" % h.get("os_name"))
            secs = n.rest("get/host/activitymap.lua", ifid=0, host=HOST, seconds=1)
            expect(secs == [T0 + 1 + s for s in range(10)], "REST: 10 active seconds (%r)" % secs)
            base = "http://127.0.0.1:%d" % n.port
            d = browser(os.path.join(tmp, "chromium"))
            page(d, base, "/lua/host_details.lua?ifid=0&host=" + HOST, "host_places",
                 "canvas#host-activity-map")
            time.sleep(0.5)
            info = d.find_element("css selector", "#host-info").text
            for what, text in (("name", NAME), ("country", "SE"), ("city", h.get("city") or "?"),
                               ("OS", "Windows")):
                expect(text in info, "the host page shows the %s %r" % (what, text))
            if h.get("asn"):
                expect(str(h["asn"]) in info, "the host page shows AS %s" % h["asn"])
            sw, iw = d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
            expect(sw <= iw, "the page and its menu fit the 1400 px window (%d <= %d)" % (sw, iw))
            total = d.find_element("css selector", "#host-activity-total").text
            expect(total.startswith("10 active seconds"), "10 active seconds shown (%r)" % total)
    finally:
        if d is not None:
            d.quit()
        shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
