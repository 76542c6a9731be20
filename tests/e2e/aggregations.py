#!/usr/bin/env python3
"""-A aggregations (docs/aggregations.md): per-name aggregates of DNS
names queried and HTTP hosts, with their contacts, -E and -C.

Known answers, from tshark (Wireshark 3.x) on the shared captures:
  tshark -r dns.pcap -Y 'dns.flags.response==0' -T fields -e ip.src -e dns.qry.name
    192.168.170.8   www.example.com      (its flow also carries a response
                                          to an earlier query for
                                          www.l.google.com: not a query)
    82.178.113.245  e7.whatsapp.net
  bytes (frame.len of the query and response carrying the name):
    www.example.com 75 + 75 = 150, e7.whatsapp.net 91 + 219 = 310
  tshark -r anyconnect-vpn.pcap -Y 'dns.flags.response==0 && udp.port==53' ...
    21 queries of 17 names by 10.0.0.227; vco.pandion.viasat.com 3 times,
    vcacrashplan01.hq.corp.viasat.com and lp-rkerur-osx.hsd1.ca.comcast.net
    twice (names are kept in lower case)
  tshark -r windowsupdate_over_http.pcap -Y http.request -T fields -e ip.src -e http.host
    10.0.2.15  151.99.72.125     (its User-Agent names Windows: the os family)
When tshark is installed the DNS answers are recomputed from the capture
and compared with the hard-coded ones.
"""
import collections
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import Node, PCAPS, expect, summary  # noqa: E402

DNS = os.path.join(PCAPS, "dns.pcap")
ANY = os.path.join(PCAPS, "anyconnect-vpn.pcap")
WIN = os.path.join(PCAPS, "windowsupdate_over_http.pcap")

ANY_QUERIES = {
    "1-courier.push.apple.com": 1, "1-courier.sandbox.push.apple.com": 1,
    "24-courier.push.apple.com": 1, "apple.com": 1,
    "detectportal.firefox.com": 1,
    "lb._dns-sd._udp.0.0.0.10.in-addr.arpa": 1,
    "lb._dns-sd._udp.0.128.28.172.in-addr.arpa": 1, "local": 1,
    "lp-rkerur-osx.hsd1.ca.comcast.net": 2, "mail.viasat.com": 1,
    "mozilla.org": 1, "print.viasat.com": 1, "slack.com": 1,
    "vcacrashplan01.hq.corp.viasat.com": 2, "vco.pandion.viasat.com": 3,
    "www.apple.com": 1, "www.outlook.com": 1,
}


def tshark_queries(path):
    """{name: count} of the DNS queries on port 53, or None without tshark."""
    if not shutil.which("tshark"):
        return None
    out = subprocess.run(["tshark", "-r", path, "-Y",
                          "dns.flags.response==0 && udp.port==53",
                          "-T", "fields", "-e", "dns.qry.name"],
                         capture_output=True, text=True).stdout
    return dict(collections.Counter(l.strip().lower() for l in out.split("\n") if l.strip()))


def rows(n, ifid, family=None, **kw):
    params = {"ifid": ifid, "perPage": 1000}
    if family:
        params["family"] = family
    params.update(kw)
    return n.rest("get/aggregation/list.lua", **params)["data"]


def by_name(rs):
    return {r["name"]: r for r in rs}


# A page of the -2 scripts dir: the Lua accessors of the same table.
LUA_PAGE = r'''
sendHTTPHeader("text/plain")
interface.select(tonumber(_GET.ifid))
local t = interface.getAggregatedHostsInfo(_GET.family)
local names = {}
for k, a in pairs(t) do
  names[#names + 1] = string.format("%s %d %d %d", k, a["queries.rcvd"], a.bytes, a.family)
end
table.sort(names)
print(table.concat(names, "\n") .. "\n")
local one = interface.getAggregatedHostInfo(_GET.name)
if one then print("contact " .. one.contacts[1].ip .. " " .. one.contacts[1].count .. "\n") end
print("num " .. interface.getNumAggregatedHosts() .. "\n")
print("bad " .. tostring(select(2, interface.getAggregatedHostsInfo("nope"))) .. "\n")
'''


def test_enabled():
    sd = tempfile.mkdtemp(prefix="aggr-lua-")
    os.makedirs(os.path.join(sd, "lua"))
    with open(os.path.join(sd, "lua", "aggr.lua"), "w") as f:
        f.write(LUA_PAGE)
    with Node(["-A", "1", "-m", "192.168.0.0/16", "-i", DNS, "-i", ANY, "-i", WIN,
               "-2", sd], name="aggr-on") as n:
        for i in range(3):
            n.wait_ended(i)
        d = by_name(rows(n, 0, "dns"))
        expect(sorted(d) == ["e7.whatsapp.net", "www.example.com"],
               "dns.pcap: exactly the two queried names (got %s)" % sorted(d))
        w = d.get("www.example.com", {})
        e = d.get("e7.whatsapp.net", {})
        expect(w.get("queries") == 1 and w.get("flows") == 1 and w.get("bytes") == 150,
               "www.example.com: 1 query, 1 flow, 150 bytes (got %s)" % w)
        expect(e.get("queries") == 1 and e.get("bytes") == 310,
               "e7.whatsapp.net: 1 query, 310 bytes (got %s)" % e)
        c = n.rest("get/aggregation/contacts.lua", ifid=0, family="dns",
                   name="WWW.Example.COM")
        expect([(k["ip"], k["count"], k["local"]) for k in c["contacts"]]
               == [("192.168.170.8", 1, True)],
               "www.example.com asked by 192.168.170.8 once, a local host (%s)"
               % c["contacts"])
        c = n.rest("get/aggregation/contacts.lua", ifid=0, name="e7.whatsapp.net")
        expect([(k["ip"], k["count"], k["local"]) for k in c["contacts"]]
               == [("82.178.113.245", 1, False)],
               "e7.whatsapp.net asked by 82.178.113.245, remote (%s)" % c["contacts"])

        # the Lua accessors answer from the same table
        st, _, b = n.http("GET", "/lua/aggr.lua",
                          params={"ifid": 0, "family": "dns", "name": "www.example.com"})
        b = b.decode(errors="replace")
        fam = n.rest("get/aggregation/families.lua", ifid=0)
        expect(st == 200 and b == "e7.whatsapp.net 1 310 5\nwww.example.com 1 150 5\n"
               "contact 192.168.170.8 1\nnum %d\nbad family is dns, http or os (5, 7, 254)\n"
               % fam["num_aggregations"],
               "Lua getAggregatedHostsInfo/getAggregatedHostInfo/getNumAggregatedHosts "
               "agree with REST (%d %r)" % (st, b))

        a = {k: v["queries"] for k, v in by_name(rows(n, 1, "dns")).items()}
        expect(a == ANY_QUERIES, "anyconnect-vpn.pcap: names and query counts "
               "as tshark's (diff %s)" % (set(a.items()) ^ set(ANY_QUERIES.items())))
        ts = tshark_queries(ANY)
        if ts is not None:
            expect(ts == ANY_QUERIES, "tshark recomputes the same anyconnect answers")
        vco = n.rest("get/aggregation/contacts.lua", ifid=1,
                     name="vco.pandion.viasat.com")
        expect([(k["ip"], k["count"]) for k in vco["contacts"]] == [("10.0.0.227", 3)],
               "vco.pandion.viasat.com: 10.0.0.227 asked 3 times (%s)" % vco["contacts"])
        # paging and sorting
        p = n.rest("get/aggregation/list.lua", ifid=1, family="dns", perPage=2,
                   currentPage=1, sortColumn="queries", sortOrder="desc")
        expect(p["totalRows"] == 17 and len(p["data"]) == 2
               and p["data"][0]["name"] == "vco.pandion.viasat.com",
               "paged list: 17 rows, the most queried first (%s)" % p["data"][:1])
        # ?host=: only the names that host asked for
        expect(sorted(r["name"] for r in rows(n, 0, host="82.178.113.245"))
               == ["e7.whatsapp.net"], "host=82.178.113.245 asked e7.whatsapp.net only")

        h = by_name(rows(n, 2, "http"))
        expect(list(h) == ["151.99.72.125"] and h["151.99.72.125"]["queries"] == 1,
               "windowsupdate: one HTTP host 151.99.72.125 (%s)" % list(h))
        c = n.rest("get/aggregation/contacts.lua", ifid=2, family="http",
                   name="151.99.72.125")
        expect([k["ip"] for k in c["contacts"]] == ["10.0.2.15"]
               and c["bytes"] > 0, "HTTP host asked by 10.0.2.15, bytes %s" % c.get("bytes"))
        # OS (dpi/os.c: this capture's User-Agent says Windows, docs/hosts.md)
        o = by_name(rows(n, 2, "os"))
        expect(list(o) == ["Windows"] and o["Windows"]["queries"] == 1,
               "os family: Windows, one host (%s)" % list(o))
        c = n.rest("get/aggregation/contacts.lua", ifid=2, family="os", name="Windows")
        expect([k["ip"] for k in c["contacts"]] == ["10.0.2.15"],
               "Windows runs on 10.0.2.15 (%s)" % c["contacts"])
        expect(rows(n, 2, "dns") == [] or all(r["family"] == "dns" for r in rows(n, 2, "dns")),
               "family filter")
        f = n.rest("get/aggregation/families.lua", ifid=1)
        expect(f["enabled"] and f["families"] == {"dns": 5, "http": 7, "os": 254}
               and f["counts"]["dns"] == 17, "families: %s" % f)
        # errors: unknown name, bad family
        st, js = n.get("/lua/rest/v2/get/aggregation/contacts.lua",
                       {"ifid": 0, "name": "nope.example"})
        expect(js and js.get("rc") != 0, "unknown name: not found (%s)" % js)
        st, js = n.get("/lua/rest/v2/get/aggregation/list.lua", {"ifid": 0, "family": "x"})
        expect(js and js.get("rc") != 0, "bad family refused (%s)" % js)


def test_disabled():
    with Node(["-i", DNS], name="aggr-off") as n:
        n.wait_ended(0)
        expect(rows(n, 0) == [], "-A 0 (default): no aggregate kept")
        f = n.rest("get/aggregation/families.lua", ifid=0)
        expect(f["enabled"] is False and f["num_aggregations"] == 0,
               "-A 0: families says disabled (%s)" % f)


def test_policy():
    for mode, want in (("local", {"www.example.com": ["192.168.170.8"],
                                  "e7.whatsapp.net": []}),
                       ("remote", {"www.example.com": [],
                                   "e7.whatsapp.net": ["82.178.113.245"]})):
        with Node(["-A", "1", "-E", mode, "-m", "192.168.0.0/16", "-i", DNS],
                  name="aggr-" + mode) as n:
            n.wait_ended(0)
            got = {}
            for name in want:
                c = n.rest("get/aggregation/contacts.lua", ifid=0, name=name)
                got[name] = [k["ip"] for k in c["contacts"]]
                expect(c["queries"] == 1, "-E %s: %s still counts its query" % (mode, name))
            expect(got == want, "-E %s keeps only %s contacts (%s)" % (mode, mode, got))


def timeline_rows(data_dir):
    """Rows of every aggregations day file under data_dir: {(file day, name): row}."""
    import sqlite3
    out = {}
    for f in sorted(glob.glob(os.path.join(data_dir, "interfaces", "*", "aggregations",
                                           "*", "*", "*.sqlite"))):
        day = "/".join(f.split(os.sep)[-3:])
        db = sqlite3.connect(f)
        for r in db.execute("SELECT family, name, first_seen, last_seen, queries, flows, "
                            "bytes, contacts, final FROM aggregations"):
            out[(day, r[1])] = r
        db.close()
    return out


def test_timeline():
    import tempfile
    # dns.pcap's two queries are on 2005-03-30 and 2017-01-17 (local time of
    # the capture stamps 1112172695 and 1484673025): one day file each,
    # named like the -F ones (aggregations/ next to flows/)
    days = {n: time.strftime("%Y/%m/%d.sqlite", time.localtime(t))
            for n, t in (("www.example.com", 1112172695), ("e7.whatsapp.net", 1484673025))}
    for args, want_files, with_contacts in ((["-A", "2", "-E", "all"], True, True),
                                            (["-A", "1", "-C"], True, False),
                                            (["-A", "1"], False, False)):
        d = tempfile.mkdtemp(prefix="ntopng-aggr-tl-")
        try:
            with Node(args + ["-F", "-m", "192.168.0.0/16", "-d", d, "-i", DNS],
                      name="aggr-tl") as n:
                n.wait_ended(0)
            rows_ = timeline_rows(d)
            what = " ".join(args)
            if not want_files:
                expect(rows_ == {}, "%s: no timeline day file (%s)" % (what, rows_))
                continue
            expect(sorted(rows_) == sorted((days[k], k) for k in days),
                   "%s: one row per name in its day file (%s)" % (what, sorted(rows_)))
            w = rows_.get((days["www.example.com"], "www.example.com"))
            e = rows_.get((days["e7.whatsapp.net"], "e7.whatsapp.net"))
            expect(w is not None and w[0] == "dns" and w[4:7] == (1, 1, 150) and w[8] == 1,
                   "%s: www.example.com dns 1 query 1 flow 150 bytes, final (%s)" % (what, w))
            expect(e is not None and e[4] == 1 and e[6] == 310,
                   "%s: e7.whatsapp.net 1 query 310 bytes (%s)" % (what, e))
            flows = glob.glob(os.path.join(d, "interfaces", "*", "flows", "*", "*", "*.sqlite"))
            expect(len(flows) == 2 and all(os.path.exists(f.replace("/flows/", "/aggregations/"))
                                          for f in flows),
                   "%s: the day files sit next to the -F ones (%s)" % (what, flows))
            if with_contacts:
                c = json.loads(w[7]) if w and w[7] else None
                expect(c == [{"ip": "192.168.170.8", "vlan": 0, "local": True, "count": 1}],
                       "-E all: contacts in the row (%s)" % c)
            else:
                expect(w is not None and w[7] is None, "-E none: no contacts column (%s)"
                       % (w and w[7]))
        finally:
            shutil.rmtree(d, ignore_errors=True)


def test_collected():
    """Collected flows (ZMQ, JSON labels): DNS_QUERY and HTTP_HOST name
    their flow; one query per flow, the flow's client as contact."""
    try:
        import zmq  # noqa: F401
    except ImportError:
        print("python3-zmq missing: collected flows not tested")
        return
    import node
    import zmq_collector as zc
    now = int(time.time())
    flows = [
        {"IPV4_SRC_ADDR": "10.1.0.1", "IPV4_DST_ADDR": "192.0.2.53", "L4_SRC_PORT": 40001,
         "L4_DST_PORT": 53, "PROTOCOL": 17, "IN_BYTES": 70, "IN_PKTS": 1, "OUT_BYTES": 120,
         "OUT_PKTS": 1, "FIRST_SWITCHED": now - 2, "LAST_SWITCHED": now, "L7_PROTO": "5",
         "DNS_QUERY": "Example.ORG"},
        {"IPV4_SRC_ADDR": "10.1.0.2", "IPV4_DST_ADDR": "192.0.2.53", "L4_SRC_PORT": 40002,
         "L4_DST_PORT": 53, "PROTOCOL": 17, "IN_BYTES": 70, "IN_PKTS": 1, "OUT_BYTES": 120,
         "OUT_PKTS": 1, "FIRST_SWITCHED": now - 2, "LAST_SWITCHED": now, "L7_PROTO": "5",
         "DNS_QUERY": "example.org"},
        {"IPV4_SRC_ADDR": "10.1.0.1", "IPV4_DST_ADDR": "192.0.2.80", "L4_SRC_PORT": 40003,
         "L4_DST_PORT": 80, "PROTOCOL": 6, "IN_BYTES": 500, "IN_PKTS": 5, "OUT_BYTES": 900,
         "OUT_PKTS": 5, "FIRST_SWITCHED": now - 2, "LAST_SWITCHED": now, "L7_PROTO": "7",
         "HTTP_HOST": "www.ntop.org"},
    ]
    ctx = zmq.Context()
    port = node.free_port()
    pub = zc.Publisher(ctx, "tcp://127.0.0.1:%d" % port, True)
    try:
        with Node(["-A", "1", "-m", "10.0.0.0/8", "-i", "tcp://127.0.0.1:%d" % port],
                  name="aggr-zmq") as n:
            zc.sync(n, pub, 7)
            pub.send(lambda t, m: zc.hdr_v2(t, m, 7), "flow", json.dumps(flows).encode())
            deadline = time.monotonic() + 10
            d = {}
            while time.monotonic() < deadline:
                d = by_name(rows(n, 0))
                if len(d) >= 2:
                    break
                time.sleep(0.1)
            e = d.get("example.org", {})
            expect(e.get("family") == "dns" and e.get("queries") == 2,
                   "collected: example.org (any case) 2 queries (%s)" % e)
            c = n.rest("get/aggregation/contacts.lua", ifid=0, name="example.org")
            expect(sorted(k["ip"] for k in c["contacts"]) == ["10.1.0.1", "10.1.0.2"],
                   "collected: both clients are contacts (%s)" % c["contacts"])
            h = d.get("www.ntop.org", {})
            expect(h.get("family") == "http" and h.get("queries") == 1,
                   "collected: HTTP_HOST www.ntop.org, 1 flow (%s)" % h)
    finally:
        pub.s.close(0)
        ctx.term()


def main():
    test_disabled()
    test_enabled()
    test_policy()
    test_timeline()
    test_collected()
    sys.exit(summary())


if __name__ == "__main__":
    main()
