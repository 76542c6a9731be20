#!/usr/bin/python3
"""Activity maps and their correlation (issue 14 #6, docs/hosts.md), on a
capture this test writes with known active seconds.

Local hosts (-m 10.9.0.0/24) send UDP datagrams to a remote sink
192.0.2.50, one per active second, from T0 = an hour boundary - 10 s (so
the seconds span two hour blocks of the map):
  A 10.9.0.1 and B 10.9.0.2: seconds 0-9 and 20-29
  C 10.9.0.3: seconds 40-49
  D 10.9.0.4: seconds 0-4
Known answers, over the 86400 seconds of the window:
- get/host/activitymap.lua?seconds=1 lists exactly T0 + those seconds;
  without it, the {minute epoch: seconds} object of upstream;
- Pearson(A, B) = 1, Pearson(A, C) = (0 - 20*10) / sqrt(20*86380*10*86390)
  (negative), Pearson(A, D) = (86400*5 - 20*5) / sqrt(20*86380*5*86395);
- Jaccard(A, B) = 1, Jaccard(A, D) = 5/20, Jaccard(A, C) = 0;
- the remote sink has no map ({} and []), and an unknown host is 404.
"""
import math
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
T0 = 1700002800 - 10  # 1700002800 is an hour boundary (472223 * 3600)
N = 86400
SINK = (192, 0, 2, 50)
HOSTS = {
    "10.9.0.1": list(range(0, 10)) + list(range(20, 30)),
    "10.9.0.2": list(range(0, 10)) + list(range(20, 30)),
    "10.9.0.3": list(range(40, 50)),
    "10.9.0.4": list(range(0, 5)),
}


def udp_frame(src, dst, sport):
    payload = b"activity"
    udp = struct.pack("!HHHH", sport, 9000, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     bytes(src), bytes(dst))
    s = sum(struct.unpack("!10H", ip))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    ip = ip[:10] + struct.pack("!H", ~s & 0xffff) + ip[12:]
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip + udp


def write_pcap(path):
    recs = []
    for ip, secs in HOSTS.items():
        src = tuple(int(x) for x in ip.split("."))
        for s in secs:
            f = udp_frame(src, SINK, 5000 + src[3])
            recs.append((T0 + s, 500000, len(f), f))
    recs.sort(key=lambda r: r[0])
    pcapfile.write(path, PCAP_HDR, recs)


def pearson(a, b, c):
    return (N * c - a * b) / math.sqrt(a * (N - a) * b * (N - b))


def corr(n, host, method):
    rows = n.rest("get/host/correlation.lua", ifid=0, host=host, method=method, max=10)
    return {r["ip"]: r["value"] for r in rows}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "activity.pcap")
        write_pcap(path)
        with node.Node(["-i", path, "-m", "10.9.0.0/24"], name="activity") as n:
            n.wait_ended()
            for ip, secs in HOSTS.items():
                got = n.rest("get/host/activitymap.lua", ifid=0, host=ip, seconds=1)
                want = [T0 + s for s in secs]
                expect(got == want, "%s: active seconds %r (want %r)" % (ip, got, want))
                m = n.rest("get/host/activitymap.lua", ifid=0, host=ip)
                wm = {}
                for s in want:
                    k = str(s // 60 * 60)
                    wm[k] = wm.get(k, 0) + 1
                expect(m == wm, "%s: minute map %r (want %r)" % (ip, m, wm))
            expect(n.rest("get/host/activitymap.lua", ifid=0, host="192.0.2.50") == {}
                   and n.rest("get/host/activitymap.lua", ifid=0, host="192.0.2.50",
                              seconds=1) == [],
                   "the remote sink has no activity map")
            st, js = n.get("/lua/rest/v2/get/host/activitymap.lua",
                           {"ifid": 0, "host": "10.9.9.9"})
            expect(st == 404 or js.get("rc") != 0, "unknown host: not found (%r %r)" % (st, js))

            p = corr(n, "10.9.0.1", "pearson")
            want = {"10.9.0.2": 1.0, "10.9.0.3": pearson(20, 10, 0),
                    "10.9.0.4": pearson(20, 5, 5)}
            expect(set(p) == set(want) and all(abs(p[k] - want[k]) < 1e-9 for k in want),
                   "Pearson of A: %r (want %r)" % (p, want))
            expect(p["10.9.0.3"] < 0, "Pearson(A, C) is negative (%r)" % p.get("10.9.0.3"))
            rows = n.rest("get/host/correlation.lua", ifid=0, host="10.9.0.1", method="pearson")
            expect([r["ip"] for r in rows] == ["10.9.0.2", "10.9.0.4", "10.9.0.3"],
                   "Pearson rows best first (%r)" % [r["ip"] for r in rows])
            j = corr(n, "10.9.0.1", "jaccard")
            want = {"10.9.0.2": 1.0, "10.9.0.3": 0.0, "10.9.0.4": 0.25}
            expect(j == want, "Jaccard of A: %r (want %r)" % (j, want))
            st, js = n.get("/lua/rest/v2/get/host/correlation.lua",
                           {"ifid": 0, "host": "10.9.0.1", "method": "cosine"})
            expect(st != 200 or js.get("rc") != 0, "an unknown method is refused (%r)" % js)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
