#!/usr/bin/python3
"""GeoIP and ASN (docs/geo.md) with MaxMind's test databases
(shared/geoip/, known answers in its SOURCES.md).

A capture made here has a local host (192.168.1.10, fd00::10) exchanging
UDP packets with addresses the databases know: 81.2.69.142 (GB, London),
89.160.20.112 (SE, Linköping), 2001:218::1 (JP, country only), 1.0.0.1
(AS15169 "Google Inc."), 1.128.0.1 (AS1221), 12.81.92.1 (AS7018),
2600:6000::1 (AS237), and 8.8.8.8 (in neither).

With --geoip-dir pointing to copies named as upstream
(GeoLite2-City.mmdb, GeoLite2-ASN.mmdb): REST host data and the host
list carry country, city, continent, latitude/longitude, asn and asname;
get/asn/list.lua and get/country/list.lua have one row per AS and per
country with its hosts and bytes (the sums of its hosts' bytes, which
the capture fixes); get/asn/asn_info.lua, get/asn/asn_name.lua and
get/geo/hosts.lua (the map's markers) agree; the -F flow rows' json
column has srv.asn / srv.country of the remote end.  Without databases: every
host is in AS 0 "Unknown" and country "", one INFO line says so.
"""
import glob
import json
import os
import shutil
import sqlite3
import time
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tools"))
import node  # noqa: E402
import pcapfile  # noqa: E402
from node import expect, failures  # noqa: E402

GEO = os.path.join(node.SHARED, "geoip")
LOCAL4, LOCAL6 = "192.168.1.10", "fd00::10"
# remote: (packets from the local host, payload bytes, packets back)
REMOTES = {
    "81.2.69.142": (3, 100, 2),
    "89.160.20.112": (2, 200, 1),
    "1.0.0.1": (4, 50, 4),
    "1.128.0.1": (1, 300, 1),
    "12.81.92.1": (5, 10, 0),
    "8.8.8.8": (1, 20, 1),
    "2600:6000::1": (2, 60, 2),
    "2001:218::1": (3, 80, 1),
}


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(src, dst, sport, dport, payload):
    """An Ethernet frame with a UDP datagram from src to dst."""
    udp_len = 8 + len(payload)
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0) + payload
    if ":" in src:
        import socket
        s6, d6 = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
        ip = struct.pack("!IHBB", 6 << 28, udp_len, 17, 64) + s6 + d6
        eth_type = 0x86dd
    else:
        s4 = bytes(int(x) for x in src.split("."))
        d4 = bytes(int(x) for x in dst.split("."))
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 1, 0, 64, 17, 0, s4, d4)
        ip = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        eth_type = 0x0800
    eth = b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02" + struct.pack("!H", eth_type)
    return eth + ip + udp


def make_pcap(path):
    """Writes the capture; returns {ip: bytes of its frames} (each
    remote's sent + received, the local hosts' totals)."""
    recs, totals, t = [], {}, 1700000000
    for i, (r, (n_out, size, n_back)) in enumerate(sorted(REMOTES.items())):
        local = LOCAL6 if ":" in r else LOCAL4
        sport, dport = 40000 + i, 5000 + i
        for k in range(n_out + n_back):
            back = k >= n_out
            f = frame(r, local, dport, sport, b"b" * size) if back else \
                frame(local, r, sport, dport, b"a" * size)
            t += 1
            recs.append((t, 0, len(f), f))
            for h in (local, r):
                totals[h] = totals.get(h, 0) + len(f)
    hdr = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    pcapfile.write(path, hdr, recs)
    return totals


def by(rows, key):
    return {r[key]: r for r in rows}


def main():
    tmp = tempfile.mkdtemp(prefix="geoip-")
    pcap = os.path.join(tmp, "geo.pcap")
    totals = make_pcap(pcap)
    gdir = os.path.join(tmp, "geo")
    os.mkdir(gdir)
    shutil.copy(os.path.join(GEO, "GeoLite2-City-Test.mmdb"),
                os.path.join(gdir, "GeoLite2-City.mmdb"))
    shutil.copy(os.path.join(GEO, "GeoLite2-ASN-Test.mmdb"),
                os.path.join(gdir, "GeoLite2-ASN.mmdb"))
    nets = ["-m", "192.168.1.0/24,fd00::/8"]

    dd = os.path.join(tmp, "data")
    os.mkdir(dd)
    with node.Node(["-i", pcap, "--geoip-dir", gdir, "-F", "-d", dd] + nets,
                   name="geoip") as n:
        n.wait_ended()
        log = n.read_log()
        expect("geoip: location database %s/GeoLite2-City.mmdb" % gdir in log,
               "the log names the City database opened")
        expect("geoip: ASN database %s/GeoLite2-ASN.mmdb" % gdir in log,
               "the log names the ASN database opened")

        def host(ip):
            return n.rest("get/host/data.lua", ifid=0, host=ip)

        h = host("81.2.69.142")
        expect((h["country"], h["city"], h["continent"]) == ("GB", "London", "EU"),
               "81.2.69.142: GB London EU (%r %r %r)" % (h["country"], h["city"], h["continent"]))
        expect(abs(h["latitude"] - 51.5142) < 0.01 and abs(h["longitude"] + 0.0931) < 0.01,
               "81.2.69.142 at 51.5142/-0.0931 (%r/%r)" % (h["latitude"], h["longitude"]))
        h = host("89.160.20.112")
        expect((h["country"], h["city"]) == ("SE", "Linköping"),
               "89.160.20.112: SE Linköping (%r %r)" % (h["country"], h["city"]))
        h = host("2001:218::1")
        expect(h["country"] == "JP" and h["city"] == "", "2001:218::1: JP, no city (%r %r)"
               % (h["country"], h["city"]))
        for ip, asn, name in (("1.0.0.1", 15169, "Google Inc."),
                              ("1.128.0.1", 1221, "Telstra Pty Ltd"),
                              ("12.81.92.1", 7018, "AT&T Services"),
                              ("2600:6000::1", 237, "Merit Network Inc.")):
            h = host(ip)
            expect((h["asn"], h["asname"]) == (asn, name),
                   "%s: AS%d %r (%r %r)" % (ip, asn, name, h["asn"], h["asname"]))
        h = host("8.8.8.8")
        expect((h["asn"], h["asname"], h["country"]) == (0, "", ""),
               "8.8.8.8: in no AS, no country (%r)" % ((h["asn"], h["asname"], h["country"]),))
        h = host(LOCAL4)
        expect((h["asn"], h["country"]) == (0, ""), "the local host: no AS, no country")

        rows = n.rest("get/host/active.lua", ifid=0, perPage=100)["data"]
        r = by(rows, "ip").get("81.2.69.142", {})
        expect(r.get("country") == "GB" and r.get("city") == "London",
               "host list row of 81.2.69.142: country GB, city London (%r)" % r.get("country"))
        r = by(rows, "ip").get("1.0.0.1", {})
        expect(r.get("asn") == 15169 and r.get("asname") == "Google Inc.",
               "host list row of 1.0.0.1: AS15169 (%r)" % r.get("asn"))

        # host list filters of the AS and Countries pages' links
        rows = n.rest("get/host/active.lua", ifid=0, asn=15169, perPage=100)["data"]
        expect([r["ip"] for r in rows] == ["1.0.0.1"], "host/active?asn=15169: 1.0.0.1 (%r)"
               % [r["ip"] for r in rows])
        rows = n.rest("get/host/active.lua", ifid=0, country="GB", perPage=100)["data"]
        expect([r["ip"] for r in rows] == ["81.2.69.142"], "host/active?country=GB: 81.2.69.142")
        rows = n.rest("get/host/active.lua", ifid=0, country="", perPage=100)["data"]
        expect(len(rows) == 7, "host/active?country=: the 7 hosts not located (%d)" % len(rows))
        rows = n.rest("get/host/active.lua", ifid=0, country="GBR", perPage=100)["data"]
        expect(rows == [], "host/active?country=GBR: none")

        # the AS table: the hosts of each AS and the sum of their bytes
        want_as = {}
        for ip, asn in (("1.0.0.1", 15169), ("1.128.0.1", 1221),
                        ("12.81.92.1", 7018), ("2600:6000::1", 237)):
            want_as[asn] = (1, totals[ip])
        unknown = [ip for ip in totals if ip not in ("1.0.0.1", "1.128.0.1",
                                                      "12.81.92.1", "2600:6000::1")]
        # 89.160.20.112 and 81.2.69.142 may have an AS in the ASN test DB:
        # whatever REST says of the host is what the table must count
        asn_of = {ip: host(ip)["asn"] for ip in totals}
        want_as = {}
        for ip, asn in asn_of.items():
            c, b = want_as.get(asn, (0, 0))
            want_as[asn] = (c + 1, b + totals[ip])
        expect(asn_of["1.0.0.1"] == 15169 and asn_of[LOCAL4] == 0 and len(unknown) >= 3,
               "hosts without an AS are in AS 0")
        lst = n.rest("get/asn/list.lua", ifid=0, perPage=100)
        got = {r["asn"]: (r["num_hosts"], r["traffic"]) for r in lst["data"]}
        expect(got.get(15169) == (1, totals["1.0.0.1"]) and got.get(237) == (1, totals["2600:6000::1"]),
               "asn/list: AS15169 and AS237 each have their one host's bytes")
        expect(got == want_as, "asn/list: hosts and bytes per AS %r == %r" % (got, want_as))
        names = {r["asn"]: r["asname"] for r in lst["data"]}
        expect(names.get(0) == "Unknown" and names.get(7018) == "AT&T Services",
               "asn/list names: AS0 Unknown, AS7018 AT&T Services (%r)" % names)
        want_cc = {}
        for ip in totals:
            cc = host(ip)["country"]
            c, b = want_cc.get(cc, (0, 0))
            want_cc[cc] = (c + 1, b + totals[ip])
        lst = n.rest("get/country/list.lua", ifid=0, perPage=100)
        got = {r["country"]: (r["num_hosts"], r["traffic"]) for r in lst["data"]}
        expect(got == want_cc and got.get("GB") == (1, totals["81.2.69.142"]),
               "country/list: hosts and bytes per country %r == %r" % (got, want_cc))
        info = n.rest("get/asn/asn_info.lua", ifid=0, asn=15169)
        expect(len(info) == 1 and info[0]["name"] == "Google Inc." and
               info[0]["bytes_sent"] + info[0]["bytes_rcvd"] == totals["1.0.0.1"],
               "asn_info of AS15169: its one host's bytes (%r)" % info)
        info = n.rest("get/asn/asn_info.lua", ifid=0, asn=64512)
        expect(info == [], "asn_info of an AS never seen: empty")
        name = n.rest("get/asn/asn_name.lua", ip="1.128.0.1")
        expect(name == "Telstra Pty Ltd", "asn_name of 1.128.0.1 (%r)" % name)

        geo = n.rest("get/geo/hosts.lua", ifid=0)
        marks = by(geo["hosts"], "ip")
        expect(set(marks) == {"81.2.69.142", "89.160.20.112", "2001:218::1"} or
               set(marks) >= {"81.2.69.142", "89.160.20.112"},
               "geo/hosts: the located hosts (%r)" % sorted(marks))
        m = marks.get("81.2.69.142", {})
        expect(abs(m.get("lat", 0) - 51.5142) < 0.01 and m.get("country") == "GB" and
               m.get("bytes") == totals["81.2.69.142"],
               "geo/hosts marker of 81.2.69.142 (%r)" % m)
        expect("8.8.8.8" not in marks and LOCAL4 not in marks,
               "hosts without a location have no marker")
        expect(geo.get("tiles_url") == "", "no tile URL by default (%r)" % geo.get("tiles_url"))

    # -F: the flow rows' json column carries the endpoints' AS and country
    flows = {}
    for f in glob.glob(os.path.join(dd, "interfaces", "*", "flows", "*", "*", "*.sqlite")):
        c = sqlite3.connect(f)
        for srv, js in c.execute("SELECT srv_ip, json FROM flows"):
            flows[srv] = json.loads(js)
        c.close()
    expect(flows.get("1.0.0.1", {}).get("srv.asn") == 15169 and
           "cli.asn" not in flows.get("1.0.0.1", {}),
           "-F row of the flow to 1.0.0.1: srv.asn 15169 (%r)" % flows.get("1.0.0.1"))
    expect(flows.get("81.2.69.142", {}).get("srv.country") == "GB",
           "-F row of the flow to 81.2.69.142: srv.country GB (%r)" % flows.get("81.2.69.142"))
    expect(flows.get("2600:6000::1", {}).get("srv.asn") == 237,
           "-F row of the IPv6 flow to 2600:6000::1: srv.asn 237")

    # a hub: its own lookups, its markers grouped by origin (the edge), and
    # the edge's SRC_AS / DST_AS on the wire (kept as additional fields)
    port = node.free_port()
    with node.Node(["-i", "hub=tcp://127.0.0.1:%d" % port, "--node-id", "hub",
                    "--geoip-dir", gdir] + nets, name="geoip-hub") as hub:
        with node.Node(["-i", pcap, "-I", "tcp://127.0.0.1:%d" % port, "--node-id", "edge1",
                        "--geoip-dir", gdir] + nets, name="geoip-edge") as edge:
            edge.wait_ended()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if hub.rest("get/interface/data.lua", ifid=0).get("num_hosts") == len(totals):
                    break
                time.sleep(0.2)
            time.sleep(1.5)     # the last deltas
            geo = hub.rest("get/geo/hosts.lua", ifid=0)
            org = {o["id"]: o["located_hosts"] for o in geo["origins"]}
            expect(org.get("edge1") == 3 and org.get("hub") == 0,
                   "hub: the 3 located hosts came from origin edge1 (%r)" % org)
            expect({m["origin"] for m in geo["hosts"]} == {"edge1"},
                   "hub: markers carry their origin")
            got = {r["asn"]: r["num_hosts"] for r in
                   hub.rest("get/asn/list.lua", ifid=0, perPage=100)["data"]}
            expect(got.get(15169) == 1 and got.get(0) == 5,
                   "hub: its own AS table (AS15169 1 host, AS 0 5 hosts: %r)" % got)
            fl = hub.rest("get/flow/active.lua", ifid=0, perPage=100)["data"]
            fid = [f["hash_id"] for f in fl if f["server"]["ip"] == "1.0.0.1"]
            det = hub.rest("get/flow/details.lua", ifid=0, flow_key=fid[0]) if fid else {}
            extra = det.get("additional_fields", {})
            expect(str(extra.get("DST_AS")) == "15169" and "SRC_AS" not in extra,
                   "the edge exported DST_AS 15169 for the flow to 1.0.0.1 (%r)" % extra)

    # without databases: AS 0 and country "" for everyone, one INFO line
    empty = os.path.join(tmp, "none")
    os.mkdir(empty)
    with node.Node(["-i", pcap, "--geoip-dir", empty] + nets, name="geoip-none") as n:
        n.wait_ended()
        log = n.read_log()
        lines = [l for l in log.splitlines() if ": geoip: " in l]
        expect(len(lines) == 1 and "INFO" in lines[0] and empty in lines[0],
               "one INFO line about the missing databases (%r)" % lines)
        h = n.rest("get/host/data.lua", ifid=0, host="81.2.69.142")
        expect((h["country"], h["asn"], h["city"]) == ("", 0, ""),
               "without databases 81.2.69.142 is not located")
        lst = n.rest("get/asn/list.lua", ifid=0, perPage=100)["data"]
        expect(len(lst) == 1 and lst[0]["asn"] == 0 and lst[0]["asname"] == "Unknown" and
               lst[0]["num_hosts"] == len(totals) and
               lst[0]["traffic"] == sum(totals.values()),
               "asn/list: one Unknown row with every host and byte (%r)" % lst)
        lst = n.rest("get/country/list.lua", ifid=0, perPage=100)["data"]
        expect(len(lst) == 1 and lst[0]["country"] == "" and
               lst[0]["num_hosts"] == len(totals),
               "country/list: one unknown row (%r)" % lst)
    shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
