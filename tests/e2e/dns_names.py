#!/usr/bin/env python3
"""Host names (docs/names.md): DNS answers seen in the traffic, the
resolver thread per -n mode against a DNS server started here on
loopback (tests/e2e/dnsd.py, --dns-server), the Redis cache
ntopng.dns.cache.<ip> (24 h) reused by a restarted node, http:bl (-k,
--httpbl-zone), host search (get/host/find.lua) and -c's INFO line.

Known answers from teams.pcap: its DNS answer
config.teams.microsoft.com -> 52.113.194.132; 192.168.1.6 is the local
client (-m 192.168.1.0/24), 93.62.150.157 a remote host no DNS answer
names.  The loopback server names 192.168.1.6 laptop.test and
93.62.150.157 remote.test, and lists 93.62.150.157 at http:bl as
127.3.25.1 (3 days, threat 25, type 1 suspicious).
"""
import glob
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import Node, PCAPS, expect, summary  # noqa: E402
from dnsd import DnsServer  # noqa: E402
from redisd import Redis  # noqa: E402

PCAP = os.path.join(PCAPS, "teams.pcap")
LOCAL, REMOTE, TEAMS = "192.168.1.6", "93.62.150.157", "52.113.194.132"
PTR = {LOCAL: "laptop.test", REMOTE: "remote.test"}
REV_LOCAL = "6.1.168.192.in-addr.arpa"
REV_REMOTE = "157.150.62.93.in-addr.arpa"
HTTPBL_Q = "testkey.157.150.62.93.dnsbl.test"


def host(n, ip):
    return n.rest("get/host/data.lua", ifid=0, host=ip)


def wait_name(n, ip, want, timeout=10):
    deadline = time.monotonic() + timeout
    h = host(n, ip)
    while time.monotonic() < deadline and h["name"] != want:
        time.sleep(0.1)
        h = host(n, ip)
    return h


def node(dns, mode, extra=(), name="dns"):
    return Node(["-i", PCAP, "-m", "192.168.1.0/24", "-n", str(mode),
                 "--dns-server", "127.0.0.1:%d" % dns.port] + list(extra), name=name)


stats = {}


def run_mode(mode):
    with DnsServer(ptr=PTR) as d, node(d, mode, name="dns-n%d" % mode) as n:
        n.wait_ended()
        loc = wait_name(n, LOCAL, PTR[LOCAL], timeout=5 if mode in (0, 1) else 1)
        rem = wait_name(n, REMOTE, PTR[REMOTE], timeout=5 if mode == 1 else 1)
        teams = host(n, TEAMS)
        stats[mode] = n.rest("get/interface/data.lua", ifid=0)["names"]
        return loc, rem, teams, d.count(REV_LOCAL), d.count(REV_REMOTE), n.read_log()


# 1. the DNS answer of teams.pcap names 52.113.194.132 (-n 0..2), not -n 3
for mode in (0, 1, 2, 3):
    loc, rem, teams, q_loc, q_rem, log = run_mode(mode)
    learns = mode != 3
    expect((teams["name"] == "config.teams.microsoft.com") == learns,
           "-n %d: 52.113.194.132 name %r (%s learnt from the DNS answer)"
           % (mode, teams["name"], "is" if learns else "not"))
    if learns:
        expect(teams["name_source"] == "dns", "-n %d: its name_source is dns" % mode)
    want_loc = mode in (0, 1)
    want_rem = mode == 1
    expect((loc["name"] == "laptop.test") == want_loc,
           "-n %d: local %s name %r (%s resolved)" % (mode, LOCAL, loc["name"],
                                                       "is" if want_loc else "not"))
    expect((rem["name"] == "remote.test") == want_rem,
           "-n %d: remote %s name %r (%s resolved)" % (mode, REMOTE, rem["name"],
                                                        "is" if want_rem else "not"))
    expect((q_loc >= 1) == want_loc and (q_rem >= 1) == want_rem,
           "-n %d: the DNS server saw %d PTR query(ies) for the local host and %d for "
           "the remote" % (mode, q_loc, q_rem))
    if want_loc:
        expect(loc["name_source"] == "ptr", "-n %d: local name_source is ptr" % mode)
    st = stats[mode]
    expect((st["dns_packets"] > 0 and st["dns_names"] > 0) == learns and st["dns_bad"] == 0,
           "-n %d: interface names counters %r" % (mode, st))

# 2. the Redis cache: set with a 24 h TTL; a restarted node reuses it
if Redis.available():
    with Redis() as r:
        with DnsServer(ptr=PTR) as d:
            with node(d, 0, ["-r", "127.0.0.1:%d" % r.port], name="dns-redis1") as n:
                n.wait_ended()
                h = wait_name(n, LOCAL, "laptop.test")
                expect(h["name"] == "laptop.test", "redis run 1: local host resolved")
            first = d.count(REV_LOCAL)
        key = "ntopng.dns.cache." + LOCAL
        val = r.cli("GET", key)
        ttl = int((r.cli("TTL", key) or ["-2"])[0])
        expect(val == ["laptop.test"], "%s = %r" % (key, val))
        expect(86000 <= ttl <= 86400, "%s TTL %d s (about 24 h)" % (key, ttl))
        tval = r.cli("GET", "ntopng.dns.cache." + TEAMS)
        expect(tval == ["config.teams.microsoft.com"],
               "the learnt DNS answer is cached too: %r" % tval)
        with DnsServer(ptr=PTR) as d2:
            with node(d2, 0, ["-r", "127.0.0.1:%d" % r.port], name="dns-redis2") as n:
                n.wait_ended()
                h = wait_name(n, LOCAL, "laptop.test")
                expect(h["name"] == "laptop.test",
                       "redis run 2: the restarted node names %s from the cache" % LOCAL)
            expect(first == 1 and d2.count(REV_LOCAL) == 0,
                   "PTR queries for %s: %d in run 1, %d in run 2 (cache reused)"
                   % (LOCAL, first, d2.count(REV_LOCAL)))
else:
    expect(False, "redis-server is needed for the cache checks")

# 3. http:bl, -c, host search
with DnsServer(ptr=PTR, a={HTTPBL_Q: "127.3.25.1"}) as d:
    with node(d, 2, ["-k", "testkey", "--httpbl-zone", "dnsbl.test", "-c", "oldkey"],
              name="dns-httpbl") as n:
        n.wait_ended()
        deadline = time.monotonic() + 10
        h = host(n, REMOTE)
        while time.monotonic() < deadline and h.get("httpbl", {}).get("status") != "listed":
            time.sleep(0.1)
            h = host(n, REMOTE)
        bl = h.get("httpbl", {})
        expect(bl.get("status") == "listed" and bl.get("days") == 3 and
               bl.get("threat") == 25 and bl.get("type") == 1,
               "http:bl verdict of %s: %r" % (REMOTE, bl))
        expect(d.count(HTTPBL_Q) == 1, "one http:bl query for %s" % REMOTE)
        t = host(n, TEAMS)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and t.get("httpbl", {}).get("status") == "pending":
            time.sleep(0.1)
            t = host(n, TEAMS)
        expect(t.get("httpbl", {}).get("status") == "clean",
               "http:bl verdict of %s (NXDOMAIN): %r" % (TEAMS, t.get("httpbl")))
        lh = host(n, LOCAL)
        expect("httpbl" not in lh, "no http:bl lookup for a local host")
        # the listed host raised one blacklisted_host alert (past: one-shot)
        deadline = time.monotonic() + 10  # past alerts: written by the alert writer
        while True:
            al = n.rest("get/alert/list.lua", ifid=0, status="past", entity="host",
                        entity_val=REMOTE, perPage=1000)["data"]
            bla = [a for a in al if a.get("type_key") == "blacklisted_host"]
            if bla or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        expect(len(bla) == 1 and bla[0]["entity"] == "host" and
               bla[0]["entity_val"] == REMOTE and bla[0]["value"] == 25 and
               "threat 25" in bla[0]["msg"] and "suspicious" in bla[0]["msg"],
               "one blacklisted_host alert for %s: %s" % (REMOTE, bla))
        log = n.read_log()
        expect("block.si" in log and "nDPI" in log,
               "-c logs that block.si is gone and nDPI categories are shown")
        # nDPI categories per flow, host and interface
        fl = n.rest("get/flow/active.lua", ifid=0, perPage=5)["data"]
        expect(fl and all(f.get("category") for f in fl),
               "flow rows carry an nDPI category: %r" % [f.get("category") for f in fl])
        expect(h.get("ndpi_categories"), "host data carries ndpi_categories")
        cats = n.rest("get/interface/l7/stats.lua", ifid=0, ndpistats_mode="sinceStartup",
                      ndpi_category="true")
        labels = [c.get("label") for c in cats]
        expect("Web" in labels or "Collaborative" in labels,
               "interface category totals: %r" % labels)

        def find(q):
            return n.rest("get/host/find.lua", ifid=0, query=q)["results"]

        r = find("teams.MICROSOFT")
        expect(any(x["ip"] == TEAMS and x["match"] == "name" for x in r),
               "find by name 'teams.MICROSOFT': %r" % [x["ip"] for x in r])
        r = find("52.113.194")
        expect([x["ip"] for x in r] == [TEAMS], "find by IP prefix 52.113.194: %r"
               % [x["ip"] for x in r])
        mac = host(n, LOCAL)["mac"]
        r = find(mac.lower())
        expect(any(x["ip"] == LOCAL and x["match"] == "mac" for x in r),
               "find by MAC %s: %r" % (mac, [x["ip"] for x in r]))
        r = find("no-such-host.example")
        expect(r == [], "find of an unknown text: no result")
        st, js = n.get("/lua/rest/v2/get/host/find.lua", {"ifid": 0})
        expect(js.get("rc") != 0, "find without query is refused")

# 4. collected flows: a TLS_SERVER_NAME names the server (a hint); a DNS
#    flow's DNS_QUERY does not name its server (the resolver)
try:
    import json
    import zmq
    import zmq_collector as zc
except ImportError:
    zmq = None
if zmq is not None:
    ctx = zmq.Context()
    zport = zc.node.free_port()
    pub = zc.Publisher(ctx, "tcp://127.0.0.1:%d" % zport, True)
    with Node(["-i", "tcp://127.0.0.1:%d" % zport, "-n", "2"], name="dns-zmq") as n:
        zc.sync(n, pub, 7)
        base = {"IPV4_SRC_ADDR": "10.9.0.1", "L4_SRC_PORT": 40000, "PROTOCOL": 6,
                "IN_BYTES": 100, "IN_PKTS": 1, "OUT_BYTES": 200, "OUT_PKTS": 1,
                "FIRST_SWITCHED": zc.NOW - 2, "LAST_SWITCHED": zc.NOW}
        tls = dict(base, IPV4_DST_ADDR="198.51.100.7", L4_DST_PORT=443, L7_PROTO="91",
                   TLS_SERVER_NAME="www.example.org")
        dns = dict(base, IPV4_DST_ADDR="198.51.100.53", L4_DST_PORT=53, PROTOCOL=17,
                   L7_PROTO="5", DNS_QUERY="asked.example.net")
        pub.send(lambda t, m: zc.hdr_v2(t, m, 7), "flow", json.dumps([tls, dns]).encode())
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and \
                n.rest("get/interface/data.lua", ifid=0)["num_flows"] < 2:
            time.sleep(0.1)
        t = host(n, "198.51.100.7")
        expect(t["name"] == "www.example.org" and t["name_source"] == "hint",
               "collected TLS_SERVER_NAME names its server: %r (%s)"
               % (t["name"], t["name_source"]))
        r = host(n, "198.51.100.53")
        expect(r["name"] == "", "a DNS_QUERY does not name the DNS server: %r" % r["name"])
    ctx.destroy(linger=0)

# 5. host search by AS name and country (GeoIP test databases and the
#    capture of geoip.py: 1.128.0.1 is AS1221 "Telstra Pty Ltd",
#    89.160.20.112 is in SE)
import shutil  # noqa: E402
import tempfile  # noqa: E402
import geoip  # noqa: E402

gtmp = tempfile.mkdtemp(prefix="dns-geo-")
try:
    gpcap = os.path.join(gtmp, "geo.pcap")
    geoip.make_pcap(gpcap)
    gdir = os.path.join(gtmp, "geo")
    os.mkdir(gdir)
    shutil.copy(os.path.join(geoip.GEO, "GeoLite2-City-Test.mmdb"),
                os.path.join(gdir, "GeoLite2-City.mmdb"))
    shutil.copy(os.path.join(geoip.GEO, "GeoLite2-ASN-Test.mmdb"),
                os.path.join(gdir, "GeoLite2-ASN.mmdb"))
    with Node(["-i", gpcap, "--geoip-dir", gdir, "-m", "192.168.1.0/24,fd00::/8"],
              name="dns-geo") as n:
        n.wait_ended()
        r = n.rest("get/host/find.lua", ifid=0, query="telstra")["results"]
        expect([(x["ip"], x["match"], x["label"]) for x in r] ==
               [("1.128.0.1", "asname", "Telstra Pty Ltd")],
               "find by AS name 'telstra': %r" % r)
        r = n.rest("get/host/find.lua", ifid=0, query="se")["results"]
        expect(any(x["ip"] == "89.160.20.112" and x["match"] == "country" for x in r),
               "find by country 'se': %r" % [(x["ip"], x["match"]) for x in r])
finally:
    shutil.rmtree(gtmp, ignore_errors=True)

# -F: the flow rows' json column carries the endpoints' names
ftmp = tempfile.mkdtemp(prefix="dns-flows-")
try:
    with Node(["-i", PCAP, "-n", "2", "-F", "-d", ftmp], name="dns-F") as n:
        n.wait_ended()
    named = {}
    for f in glob.glob(os.path.join(ftmp, "interfaces", "*", "flows", "*", "*", "*.sqlite")):
        c = sqlite3.connect(f)
        for srv, js in c.execute("SELECT srv_ip, json FROM flows"):
            named.setdefault(srv, set()).add(json.loads(js).get("srv.name"))
        c.close()
    expect(named.get(TEAMS) == {"config.teams.microsoft.com"},
           "-F rows of the flows to %s: srv.name config.teams.microsoft.com (%r)"
           % (TEAMS, named.get(TEAMS)))
finally:
    shutil.rmtree(ftmp, ignore_errors=True)

sys.exit(summary())
