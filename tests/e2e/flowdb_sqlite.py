#!/usr/bin/env python3
"""The flow history route get/db/flows.lua over SQLite day files
(exporter/flowdb.c, docs/storage.md "Reading the flow history").

1. A node reads teams.pcap with -F and stops: its flows are in the day
   file.  A second node on the same data directory reads the same capture
   (its live interface then holds the same flows) and answers the route.
2. Totals with no filter, with a host, with host + application, with
   port + L4 protocol equal (a) an independent SQL query over the day
   file with Python's sqlite3 and (b) the live interface's flows
   (get/flow/active.lua) filtered alike.
3. Every page of a sorted listing, put together, is the SQL listing in
   the same order; the top hosts and applications by bytes equal SQL's
   GROUP BY.
   The data directory's name holds '?', '#' and '%'; the day file has
   no site_path column (as files written before it came), which the
   writer of the second node adds when it appends.
4. Hostile or bad values are refused with 400 and a message naming the
   parameter (a quote in host, protocol, sortColumn, site; perPage >
   1000; node on SQLite; a range of more than 10 days); a range without
   files answers zeros and lists the missing day file; site= answers the
   flows of that site path (none here: this node's own flows have none).
5. Without credentials the route redirects to the login page; with them
   it answers.
"""
import glob
import os
import sqlite3
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, PCAPS, expect  # noqa: E402

CAP = "teams.pcap"


def sql_rows(path):
    c = sqlite3.connect("file:%s?mode=ro" % urllib.parse.quote(path), uri=True)
    c.row_factory = sqlite3.Row
    out = [dict(r) for r in c.execute("SELECT * FROM flows")]
    c.close()
    return out


def l7_match(name, proto):
    return proto in (name or "").split(".")


def live_flows(n):
    fl = n.rest("get/flow/active.lua", ifid=0, perPage=1000)
    return fl["data"]


def main():
    pcap = os.path.join(PCAPS, CAP)
    if not os.path.exists(pcap):
        print("SKIP: %s missing" % CAP)
        return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-flowdb-")
    # '?', '#' and '%' in the data directory must not change the file
    # SQLite opens (the module attaches a percent-encoded URI)
    dd = os.path.join(tmp, "d?mode=rw#x%41")
    with Node(["-i", pcap, "-F", "-d", dd], name="flowdb-write") as n:
        n.wait_ended(0)
        expect(n.stop() == 0, "the writing node exits 0")
    files = glob.glob(os.path.join(dd, "interfaces", "*", "flows", "*", "*", "*.sqlite"))
    expect(len(files) == 1, "one day file: %s" % files)
    rows = sql_rows(files[0])
    first, last = min(r["first_seen"] for r in rows), max(r["last_seen"] for r in rows)
    # the file as written before the site_path column came: read all
    # the same, migrated when the writer next appends to it
    c = sqlite3.connect(files[0])
    c.execute("ALTER TABLE flows DROP COLUMN site_path")
    c.commit()
    c.close()
    rng = dict(ifid=0, epoch_begin=first - 60, epoch_end=last + 60)

    with Node(["-i", pcap, "-F", "-d", dd], name="flowdb-read") as n:
        n.wait_ended(0)
        live = live_flows(n)
        expect(len(live) == len(rows), "the live interface has the stored flows (%d = %d)"
               % (len(live), len(rows)))

        def q(**kw):
            p = dict(rng)
            p.update(kw)
            return n.rest("get/db/flows.lua", **p)

        # 2. totals
        r = q(top=5)
        expect(r["backend"] == "sqlite" and len(r["files_read"]) == 1, "one file read, sqlite")
        tot = (len(rows), sum(x["bytes"] for x in rows),
               sum(x["cli2srv_packets"] + x["srv2cli_packets"] for x in rows))
        got = (r["totals"]["flows"], r["totals"]["bytes"], r["totals"]["packets"])
        expect(got == tot, "no filter: REST %s = SQL %s" % (got, tot))
        lt = (len(live), sum(f["bytes"] for f in live))
        expect(got[:2] == lt, "no filter: REST %s = live flows %s" % (got[:2], lt))
        host = r["top_hosts"][0]["ip"]
        proto = "Teams"

        cases = [
            ("host=%s" % host, dict(host=host),
             lambda x: host in (x["cli_ip"], x["srv_ip"]),
             lambda f: host in (f["client"]["ip"], f["server"]["ip"])),
            ("host=%s protocol=%s" % (host, proto), dict(host=host, protocol=proto),
             lambda x: host in (x["cli_ip"], x["srv_ip"]) and l7_match(x["l7_name"], proto),
             lambda f: host in (f["client"]["ip"], f["server"]["ip"]) and
             l7_match(f["protocol"]["l7"], proto)),
            ("port=443 l4proto=6", dict(port=443, l4proto=6),
             lambda x: 443 in (x["cli_port"], x["srv_port"]) and x["proto"] == 6,
             lambda f: 443 in (f["client"]["port"], f["server"]["port"]) and
             f["protocol"]["l4"] == "TCP"),
            ("protocol=DNS", dict(protocol="dns"),
             lambda x: l7_match(x["l7_name"], "DNS"),
             lambda f: l7_match(f["protocol"]["l7"], "DNS")),
        ]
        for label, params, sqlf, livef in cases:
            r = q(**params)
            s = [x for x in rows if sqlf(x)]
            lv = [f for f in live if livef(f)]
            got = (r["totals"]["flows"], r["totals"]["bytes"])
            want = (len(s), sum(x["bytes"] for x in s))
            lwant = (len(lv), sum(f["bytes"] for f in lv))
            expect(got == want == lwant and want[0] > 0,
                   "%s: REST %s = SQL %s = live %s" % (label, got, want, lwant))

        # 3. pages in order, top lists
        per = 10
        pages = []
        page = 1
        while True:
            r = q(perPage=per, currentPage=page, sortColumn="bytes", sortOrder="desc", top=0)
            pages += r["data"]
            if page * per >= r["totalRows"]:
                break
            page += 1
        key = lambda x: (x["cli_ip"], x["cli_port"], x["srv_ip"], x["srv_port"], x["bytes"])  # noqa: E731
        want = sorted(rows, key=lambda x: (-x["bytes"], x["id"]))
        expect([key(x) for x in pages] == [key(x) for x in want],
               "%d pages of %d, bytes descending: the SQL listing in the same order (%d rows)"
               % (page, per, len(pages)))
        r = q(perPage=5, sortColumn="first_seen", sortOrder="asc")
        expect([x["first_seen"] for x in r["data"]] ==
               sorted(x["first_seen"] for x in rows)[:5], "first_seen ascending")
        c = sqlite3.connect("file:%s?mode=ro" % urllib.parse.quote(files[0]), uri=True)
        th = c.execute("SELECT ip, sum(b), count(*) FROM (SELECT cli_ip ip, bytes b FROM flows "
                       "UNION ALL SELECT srv_ip, bytes FROM flows) GROUP BY ip "
                       "ORDER BY 2 DESC, 1 LIMIT 5").fetchall()
        tp = c.execute("SELECT l7_name, sum(bytes), count(*) FROM flows GROUP BY 1 "
                       "ORDER BY 2 DESC, 1 LIMIT 5").fetchall()
        c.close()
        r = q(top=5)
        expect([(h["ip"], h["bytes"], h["flows"]) for h in r["top_hosts"]] == [tuple(x) for x in th],
               "top 5 hosts by bytes = SQL: %s" % th[:2])
        expect([(h["name"], h["bytes"], h["flows"]) for h in r["top_protocols"]] ==
               [tuple(x) for x in tp], "top 5 applications by bytes = SQL: %s" % tp[:2])

        # 4. refused values, empty ranges
        for bad, word in [(dict(host="192.168.1.6' OR '1'='1"), "host"),
                          (dict(protocol="TLS' OR 1=1 --"), "protocol"),
                          (dict(protocol="NoSuchProto"), "protocol"),
                          (dict(sortColumn="bytes; DROP TABLE flows"), "sortColumn"),
                          (dict(perPage=1001), "perPage"),
                          (dict(port="443 OR 1=1"), "port"),
                          (dict(node="edge1"), "node"),
                          (dict(site="eu'/it"), "site"),
                          (dict(epoch_begin=first - 20 * 86400), "days")]:
            p = dict(rng)
            p.update(bad)
            st, js = n.get("/lua/rest/v2/get/db/flows.lua", p)
            expect(st == 400 and js["rc"] == -5 and word in js["rc_str_hr"],
                   "%s -> 400 %s" % (bad, js["rc_str_hr"]))
        r = q(site="edge1")
        expect(r["totals"]["flows"] == 0 and all(x["site_path"] == "" for x in q()["data"]),
               "site=edge1: no flow (this node's own flows have no site path)")
        r = n.rest("get/db/flows.lua", ifid=0, epoch_begin=first - 5 * 86400,
                   epoch_end=first - 4 * 86400)
        expect(r["totals"]["flows"] == 0 and r["data"] == [] and len(r["missing_files"]) >= 1
               and not any(f.startswith("/") for f in r["missing_files"]),
               "a range without files: zeros, missing %s" % r["missing_files"])
        # files of another interface name (ifname, like historical.lua)
        r = n.rest("get/db/flows.lua", ifname=pcap, epoch_begin=rng["epoch_begin"],
                   epoch_end=rng["epoch_end"], ifid=0)
        expect(r["totals"]["flows"] == len(rows), "ifname= reads the same files")
        expect(n.stop() == 0, "the reading node exits 0")

    # 5. authentication as every route: none -> the login page, Basic -> 200
    with Node(["-i", pcap, "-F", "-d", dd], name="flowdb-auth", login=True) as n:
        st, hdrs, _ = n.http("GET", "/lua/rest/v2/get/db/flows.lua", params=rng)
        expect(st == 302 and "/lua/login.lua" in hdrs.get("location", ""),
               "without credentials: %d to %s" % (st, hdrs.get("location")))
        n.auth = ("admin", "admin")
        st, js = n.get("/lua/rest/v2/get/db/flows.lua", rng)
        # the reading node stored its flows too when it stopped
        now = sql_rows(files[0])
        now_rows = len(now)
        expect(all("site_path" in x for x in now),
               "the reading node's writer added site_path back to the older file")
        expect(st == 200 and js["rsp"]["totals"]["flows"] == now_rows == 2 * len(rows),
               "with Basic admin:admin: 200, %d flows" % js["rsp"]["totals"]["flows"])
        expect(n.stop() == 0, "the third node exits 0")
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
