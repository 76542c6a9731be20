#!/usr/bin/python3
"""webui_host.py - the host page (host_details.lua) in headless Chromium
with what issue 14 #4 and #6 add: the OS row and the activity heatmap
with the best-correlated hosts.

The capture is host_activity.py's (four local hosts active in known
seconds) plus one HTTP exchange in which 10.9.0.1 sends
"User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)" within its
active second 0.  The page of 10.9.0.1 must show "Windows 10", a canvas
heatmap, 10.9.0.2 first in the Pearson table; the page of the remote
sink says it has no map.  No console error on either page; screenshots
host_os_activity.png (top: OS), host_activity_map.png (the
heatmap), host_remote_activity.png and hosts_os.png (the hosts list's OS
column).
Exit 77 when Chromium, chromedriver or python3-selenium are missing.
"""
import os
import shutil
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, expect  # noqa: E402
from browser import SCREENS, browser, page  # noqa: E402
import host_activity as ha  # noqa: E402

UA = b"Mozilla/5.0 (Windows NT 10.0; Win64; x64)"


def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b"", ttl=128):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0x4000,
                     ttl, 6, 0, bytes(src), bytes(dst))
    s = sum(struct.unpack("!10H", ip))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    ip = ip[:10] + struct.pack("!H", ~s & 0xffff) + ip[12:]
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip + tcp + payload


def write_pcap(path):
    a, s = (10, 9, 0, 1), ha.SINK
    req = b"GET /update HTTP/1.1\r\nHost: example.test\r\nUser-Agent: " + UA + b"\r\n\r\n"
    rsp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    http = [tcp_frame(a, s, 51000, 80, 1000, 0, 0x02),
            tcp_frame(s, a, 80, 51000, 5000, 1001, 0x12, ttl=57),
            tcp_frame(a, s, 51000, 80, 1001, 5001, 0x10),
            tcp_frame(a, s, 51000, 80, 1001, 5001, 0x18, req),
            tcp_frame(s, a, 80, 51000, 5001, 1001 + len(req), 0x18, rsp, ttl=57)]
    ha.write_pcap(path)
    hdr, _, recs = ha.pcapfile.read(path)
    recs += [(ha.T0, 100000 + 1000 * i, len(f), f) for i, f in enumerate(http)]
    recs.sort(key=lambda r: (r[0], r[1]))
    ha.pcapfile.write(path, hdr, recs)


def main():
    tmp = tempfile.mkdtemp(prefix="ntopng-webui-host-")
    profile = os.path.join(tmp, "chromium")
    path = os.path.join(tmp, "host.pcap")
    write_pcap(path)
    d = None
    try:
        with Node(["-i", path, "-m", "10.9.0.0/24"], name="webui_host") as n:
            n.wait_ended()
            h = n.rest("get/host/data.lua", ifid=0, host="10.9.0.1")
            expect(h["os_detail"] == "Windows 10", "REST: 10.9.0.1 is Windows 10 (%r)"
                   % h["os_detail"])
            base = "http://127.0.0.1:%d" % n.port
            d = browser(profile)
            page(d, base, "/lua/host_details.lua?ifid=0&host=10.9.0.1", "host_os_activity",
                 "#host-corr-jaccard tbody tr")
            info = d.find_element("css selector", "#host-info").text
            expect("OS Windows 10" in info, "the page shows OS Windows 10 (%r)" % info)
            cv = d.find_elements("css selector", "canvas#host-activity-map")
            expect(len(cv) == 1, "the activity heatmap is drawn")
            total = d.find_element("css selector", "#host-activity-total").text
            expect(total.startswith("20 active seconds"), "20 active seconds shown (%r)" % total)
            first = d.find_elements("css selector", "#host-corr-pearson tbody tr td a")
            expect(first and first[0].text == "10.9.0.2",
                   "10.9.0.2 correlates best (%r)" % [e.text for e in first])
            # the darkest cells are the active minutes: read two pixels back
            px = d.execute_script(
                "const g=document.getElementById('host-activity-map').getContext('2d');"
                "return [Array.from(g.getImageData(48+59*12+3,16+22*12+3,1,1).data),"
                "Array.from(g.getImageData(48+30*12+3,16+10*12+3,1,1).data)];")
            expect(px[0][:3] != px[1][:3], "an active minute is coloured unlike an idle one (%r)"
                   % px)
            card = d.find_element("css selector", "#host-activity")
            d.execute_script("arguments[0].scrollIntoView({block: 'center'});", card)
            time.sleep(0.3)
            card.screenshot(os.path.join(SCREENS, "host_activity_map.png"))
            rows = page(d, base, "/lua/hosts_stats.lua?ifid=0", "hosts_os", "#hosts-table tbody tr",
                        lambda e: len(e) == 5)
            texts = [r.text for r in rows]
            expect(any(t.startswith("10.9.0.1") and "Windows 10" in t for t in texts),
                   "the hosts list shows 10.9.0.1's OS (%r)" % texts)
            page(d, base, "/lua/host_details.lua?ifid=0&host=192.0.2.50",
                 "host_remote_activity", "#host-activity-none")
    finally:
        if d is not None:
            d.quit()
        shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
