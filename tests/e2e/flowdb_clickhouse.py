#!/usr/bin/env python3
"""The flow history route over ClickHouse answers what it answers over
SQLite (exporter/flowdb.c, docs/storage.md "Reading the flow history").

1. One node reads teams.pcap and http_ipv6.pcap (two interfaces) with
   -F clickhouse;... (a server of tests/e2e/chserver.py), another the same
   captures with -F (SQLite day files); both stop: every flow stored.
2. Two nodes serve the stores (the same captures; queried before they
   stop and store again): for each interface and each query (no filter,
   an IPv4 or IPv6 host, an application, port + L4, another sort column,
   page 2 of 7 rows ascending), get/db/flows.lua on ClickHouse
   (ifname=<input>, instance=<writer>) has the totals, the page's rows
   and the top hosts and applications of the SQLite answer; an IPv6
   host's totals equal a direct SELECT over IPv6NumToString.
3. The Historical interface loads each interface from ClickHouse and
   from SQLite with the same flows, hosts, bytes and packets; the
   ClickHouse node reads by windows of 3 rows (NTOPNG_FLOWDB_CHUNK=3), so
   windows are halved, widened and a busy second is paged.
"""
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, PCAPS, expect  # noqa: E402
from chserver import ClickHouse, have_clickhouse  # noqa: E402

CAPS = ["teams.pcap", "http_ipv6.pcap"]
KEYS = ("first_seen", "last_seen", "vlan", "cli_ip", "cli_port", "srv_ip", "srv_port",
        "proto", "l7_name", "bytes", "cli2srv_bytes", "srv2cli_bytes", "packets", "info")


def strip(r, rows=True):
    out = dict(totals=r["totals"], totalRows=r["totalRows"], top_hosts=r["top_hosts"],
               top_protocols=r["top_protocols"])
    if rows:
        out["data"] = [tuple(x[k] for k in KEYS) for x in r["data"]]
    return out


def historical(n, body):
    st, _, data = n.http("POST", "/lua/rest/v2/set/interface/historical.lua", body=body)
    return st, json.loads(data)["rsp"]


def main():
    if not have_clickhouse():
        print("SKIP: clickhouse-server not installed")
        return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-flowdb-ch-")
    dd = os.path.join(tmp, "d")
    ins = []
    for c in CAPS:
        ins += ["-i", os.path.join(PCAPS, c)]
    try:
        with ClickHouse(base=tmp) as ch:
            chspec = ["-F", "clickhouse;127.0.0.1@%d;ntopng;default;" % ch.http_port,
                      "--instance-name", "w1"]
            sqspec = ["-F", "-d", dd]
            for name, fs in (("fdbch-write", chspec), ("fdbsq-write", sqspec)):
                with Node(ins + fs, name=name) as n:
                    for i in range(len(CAPS)):
                        n.wait_ended(i)
                    expect(n.stop() == 0, "%s exits 0" % name)
            # the Historical loader's windows of 3 rows (NTOPNG_FLOWDB_CHUNK):
            # windows halved, widened, and seconds holding more paged
            os.environ["NTOPNG_FLOWDB_CHUNK"] = "3"
            with Node(ins + chspec, name="fdbch-read") as nc, \
                    Node(ins + sqspec, name="fdbsq-read") as ns:
                del os.environ["NTOPNG_FLOWDB_CHUNK"]
                day_rng = {}
                for ifid, cap in enumerate(CAPS):
                    inp = os.path.join(PCAPS, cap)
                    # the capture's own range (a day file: SQLite's bound)
                    probe = nc.rest("get/db/flows.lua", ifname=inp, epoch_begin=0,
                                    epoch_end=int(time.time()) + 60, perPage=1,
                                    sortColumn="first_seen", sortOrder="asc", top=0)
                    t0 = probe["data"][0]["first_seen"]
                    rng = dict(epoch_begin=t0 - 600, epoch_end=t0 + 3 * 3600)
                    day_rng[cap] = (rng["epoch_begin"], rng["epoch_end"])
                    full = ns.rest("get/db/flows.lua", ifid=ifid, perPage=1000, top=0, **rng)
                    expect(full["totals"]["flows"] > 0 and
                           full["totals"]["flows"] == probe["totals"]["flows"],
                           "%s: %d flows in SQLite, %d in ClickHouse" %
                           (cap, full["totals"]["flows"], probe["totals"]["flows"]))
                    hosts = [x["srv_ip"] for x in full["data"]]
                    cases = [dict(), dict(perPage=7, currentPage=2, sortColumn="first_seen",
                                          sortOrder="asc"),
                             dict(protocol="TLS"), dict(port=443, l4proto=6),
                             dict(sortColumn="packets", perPage=25), dict(host=hosts[0])]
                    for f in cases:
                        p = dict(rng, **f)
                        a = ns.rest("get/db/flows.lua", ifid=ifid, top=5, **p)
                        b = nc.rest("get/db/flows.lua", ifname=inp, instance="w1", top=5, **p)
                        # rows equal in the sort column come in each
                        # store's own order: then the page must hold the
                        # same sort values (and everything else be equal)
                        col = f.get("sortColumn", "bytes")
                        same = strip(a) == strip(b)
                        if not same:
                            vals = [x[col] for x in full["data"]]
                            same = (len(set(vals)) < len(vals) and
                                    strip(a, False) == strip(b, False) and
                                    [x[col] for x in a["data"]] == [x[col] for x in b["data"]])
                        expect(b["backend"] == "clickhouse" and same and a["totals"]["flows"] > 0,
                               "%s %s: ClickHouse = SQLite (%d flows, %d bytes, %d rows)"
                               % (cap, f, b["totals"]["flows"], b["totals"]["bytes"],
                                  len(b["data"])))
                    # every page of 10, by packets (many ties): each row
                    # once, the same rows as SQLite's
                    pages, page = [], 1
                    while True:
                        b = nc.rest("get/db/flows.lua", ifname=inp, instance="w1", top=0,
                                    perPage=10, currentPage=page, sortColumn="packets", **rng)
                        pages += [tuple(x[k] for k in KEYS) for x in b["data"]]
                        if page * 10 >= b["totalRows"]:
                            break
                        page += 1
                    allsq = sorted(tuple(x[k] for k in KEYS) for x in full["data"])
                    expect(sorted(pages) == allsq,
                           "%s: %d pages of 10 by packets hold every row once (%d rows)"
                           % (cap, page, len(pages)))
                    if ":" in hosts[0]:
                        sel = ch.query("SELECT count(), sum(TOTAL_BYTES) FROM ntopng.flows "
                                       "WHERE IPv6NumToString(IPV6_SRC_ADDR) = '%s' OR "
                                       "IPv6NumToString(IPV6_DST_ADDR) = '%s'"
                                       % (hosts[0], hosts[0])).split()
                        b = nc.rest("get/db/flows.lua", host=hosts[0], epoch_begin=0,
                                    epoch_end=int(time.time()) + 60)
                        expect([str(b["totals"]["flows"]), str(b["totals"]["bytes"])] == sel,
                               "IPv6 host %s: REST %s = SELECT %s"
                               % (hosts[0], b["totals"], sel))
                # 3. Historical from either store (ClickHouse by windows
                # of 3 rows, see above)
                hc = nc.rest("get/ntopng/interfaces.lua")[-1]["ifid"]
                hs = ns.rest("get/ntopng/interfaces.lua")[-1]["ifid"]
                for ifid, cap in enumerate(CAPS):
                    stc, rc = historical(nc, dict(ifid=ifid, epoch_begin=0,
                                                  epoch_end=int(time.time()) + 60))
                    dc = nc.rest("get/interface/data.lua", ifid=hc)
                    sts, rs = historical(ns, dict(ifid=ifid, epoch_begin=day_rng[cap][0],
                                                  epoch_end=day_rng[cap][1]))
                    ds = ns.rest("get/interface/data.lua", ifid=hs)
                    got = [(d["num_flows"], d["num_hosts"], d["bytes"], d["packets"])
                           for d in (dc, ds)]
                    expect(stc == sts == 200 and rc["backend"] == "clickhouse" and
                           rc["loaded_flows"] == rs["loaded_flows"] > 0 and got[0] == got[1]
                           and not rc["error"],
                           "Historical of %s: ClickHouse (flows, hosts, bytes, packets) %s "
                           "= SQLite %s" % (cap, got[0], got[1]))
                expect(nc.stop() == 0 and ns.stop() == 0, "the readers exit 0")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
