#!/usr/bin/env python3
"""Two hubs, one ClickHouse cluster: the Distributed flows table and the
flow history route over it (docs/storage.md "ClickHouse cluster",
"Reading the flow history").

1. Two clickhouse-server processes (tests/e2e/chserver.py) are the two
   shards of the cluster ntop2, each listing both in remote_servers.
2. Hub 1 reads teams.pcap, hub 2 anyconnect-vpn.pcap, each with
   -F "clickhouse-cluster;127.0.0.1@<its shard>;ntopng;default;;ntop2" and
   its own --instance-name; their live flows (get/flow/active.lua) are
   noted, then they stop (every flow expires into ClickHouse).
3. On either server, SELECT count(), sum(TOTAL_BYTES) FROM ntopng.flows
   (the Distributed table) equals the sum of both hubs' flows; each
   shard's flows_local holds its own hub's.
4. Each hub started again: get/db/flows.lua (backend clickhouse) answers
   the same totals on both; instance= narrows to one hub; a host and
   application filter and the first page equal direct SELECTs written
   independently here; a hostile value is refused.
   The Historical interface of hub 1 loads from ClickHouse: its own
   interface, another hub's (ifname=, instance=), every row (all=true):
   the flows loaded and their bytes equal that hub's (both hubs').
5. The flows explorer on hub 2 (Chromium, when installed) shows the
   cluster's totals; its Historical page offers every writer's flows.
6. Shard 2 killed: hub 2's route answers 500 with ClickHouse's cause.
"""
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, PCAPS, expect  # noqa: E402
from chserver import CLUSTER, cluster_pair, have_clickhouse  # noqa: E402

CAPS = ["teams.pcap", "anyconnect-vpn.pcap"]


def spec(ch):
    return "clickhouse-cluster;127.0.0.1@%d;ntopng;default;;%s" % (ch.http_port, CLUSTER)


def tsv(ch, sql):
    return [line.split("\t") for line in ch.query(sql).strip().split("\n") if line]


def live_totals(n):
    fl = n.rest("get/flow/active.lua", ifid=0, perPage=1000)["data"]
    return len(fl), sum(f["bytes"] for f in fl)


def explorer(n, want):
    """The explorer page shows want flows; skipped without Chromium."""
    try:
        import importlib
        br = importlib.import_module("browser")
    except SystemExit:
        print("(no Chromium: explorer check skipped)")
        return
    profile = tempfile.mkdtemp(prefix="ntopng-chromium-")
    d = None
    try:
        d = br.browser(profile)
        d.get("http://127.0.0.1:%d/lua/db_search.lua?ifid=0&epoch_begin=0&epoch_end=%d"
              % (n.port, int(time.time())))
        el = br.wait_for(d, "#db-total-flows", lambda e: e[0].get_attribute("data-n") == str(want))
        br.shot(d, "db_search_clickhouse")
        expect(bool(el), "the explorer on hub 2 shows the cluster's %d flows" % want)
        rows = br.wait_for(d, "#db-table tbody tr", lambda e: len(e) == 10)
        expect(bool(rows) and "hub" in rows[0].text, "its rows name their writer: %r"
               % (rows[0].text[-40:] if rows else None))
        # its rows into the Historical interface: every writer's
        btn = d.find_elements(br.By.ID, "db-hist")
        if btn:
            btn[0].click()
        ok = br.wait_for(d, "#db-hist-ok")
        hist = n.rest("get/ntopng/interfaces.lua")[-1]["ifid"]
        fl = n.rest("get/flow/active.lua", ifid=hist, perPage=1000)["data"]
        expect(bool(btn) and bool(ok) and len(fl) == want,
               "explorer > Load into Historical: %d flows = the cluster's %d" % (len(fl), want))
        # the Historical page offers every writer's flows
        d.get("http://127.0.0.1:%d/lua/historical.lua" % n.port)
        opt = br.wait_for(d, "#hist-src option[value='all']")
        expect(bool(opt), "the Historical page offers 'All writers (ClickHouse)'")
        logs = br.severe(d)
        expect(not logs, "no console error %r" % [x["message"] for x in logs][:3])
    finally:
        if d is not None:
            d.quit()
        shutil.rmtree(profile, ignore_errors=True)


def main():
    if not have_clickhouse():
        print("SKIP: clickhouse-server not installed")
        return 77
    for c in CAPS:
        if not os.path.exists(os.path.join(PCAPS, c)):
            print("SKIP: %s missing" % c)
            return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-chcluster-")
    a, b = cluster_pair(base=tmp)
    shards = [a, b]
    try:
        with a, b:
            # 2. the hubs write
            hubs = []
            for i, c in enumerate(CAPS):
                args = ["-i", os.path.join(PCAPS, c), "-F", spec(shards[i]),
                        "--instance-name", "hub%d" % (i + 1)]
                with Node(args, name="chhub%d" % (i + 1)) as n:
                    n.wait_ended()
                    hubs.append(live_totals(n))
                    expect(n.stop() == 0, "hub %d exits 0" % (i + 1))
                print("hub %d: %d flows, %d bytes (live)" % (i + 1, hubs[-1][0], hubs[-1][1]))
            want = (hubs[0][0] + hubs[1][0], hubs[0][1] + hubs[1][1])

            # 3. one query through the Distributed table, on either server
            for i, ch in enumerate(shards):
                got = tuple(int(x) for x in tsv(ch, "SELECT count(), sum(TOTAL_BYTES) "
                                                    "FROM ntopng.flows")[0])
                expect(got == want, "server %d: Distributed flows %s = both hubs %s"
                       % (i + 1, got, want))
                loc = tuple(int(x) for x in tsv(ch, "SELECT count(), sum(TOTAL_BYTES) "
                                                    "FROM ntopng.flows_local")[0])
                expect(loc == hubs[i], "server %d: flows_local %s = hub %d's %s"
                       % (i + 1, loc, i + 1, hubs[i]))
            eng = tsv(a, "SELECT engine FROM system.tables WHERE database = 'ntopng' "
                         "AND name = 'flows'")
            expect(eng == [["Distributed"]], "ntopng.flows is a Distributed table: %s" % eng)

            # 4. the route on either hub, both running (each writes its
            # flows again only when it stops, after the checks)
            rng = dict(ifid=0, epoch_begin=0, epoch_end=int(time.time()) + 60)
            readers = [Node(["-i", os.path.join(PCAPS, c), "-F", spec(shards[i]),
                             "--instance-name", "hub%d" % (i + 1)], name="chread%d" % (i + 1))
                       for i, c in enumerate(CAPS)]
            with readers[0] as n1, readers[1] as n2:
                for i, n in enumerate((n1, n2)):
                    r = n.rest("get/db/flows.lua", **rng)
                    got = (r["totals"]["flows"], r["totals"]["bytes"])
                    expect(r["backend"] == "clickhouse" and got == want,
                           "hub %d: get/db/flows.lua over the cluster %s = %s"
                           % (i + 1, got, want))
                    for k in (1, 2):
                        r = n.rest("get/db/flows.lua", instance="hub%d" % k, **rng)
                        got = (r["totals"]["flows"], r["totals"]["bytes"])
                        expect(got == hubs[k - 1], "hub %d: instance=hub%d %s = hub %d's %s"
                               % (i + 1, k, got, k, hubs[k - 1]))
                n = n1
                # filters = direct SELECTs written here
                r = n.rest("get/db/flows.lua", top=3, **rng)
                host = r["top_hosts"][0]["ip"]
                top = tsv(a, "SELECT ip, sum(b), count() FROM (SELECT arrayJoin(["
                             "IPv4NumToString(IPV4_SRC_ADDR), IPv4NumToString("
                             "IPV4_DST_ADDR)]) AS ip, TOTAL_BYTES AS b FROM "
                             "ntopng.flows WHERE IP_PROTOCOL_VERSION = 4) GROUP BY ip "
                             "ORDER BY sum(b) DESC LIMIT 3")
                expect([[h["ip"], str(h["bytes"]), str(h["flows"])]
                        for h in r["top_hosts"]] == top,
                       "top 3 hosts = SELECT: %s" % top)
                for proto in ("Teams", "DNS"):
                    r = n.rest("get/db/flows.lua", host=host, protocol=proto, **rng)
                    sel = tsv(a, "SELECT count(), sum(TOTAL_BYTES) FROM ntopng.flows "
                                 "WHERE (IPv4NumToString(IPV4_SRC_ADDR) = '%s' OR "
                                 "IPv4NumToString(IPV4_DST_ADDR) = '%s') AND "
                                 "has(splitByChar('.', L7_PROTO_NAME), '%s')"
                                 % (host, host, proto))[0]
                    got = (r["totals"]["flows"], r["totals"]["bytes"])
                    expect(got == (int(sel[0]), int(sel[1])) and got[0] > 0,
                           "host=%s protocol=%s: REST %s = SELECT %s"
                           % (host, proto, got, sel))
                r = n.rest("get/db/flows.lua", perPage=10, sortColumn="bytes", **rng)
                sel = tsv(a, "SELECT TOTAL_BYTES FROM ntopng.flows ORDER BY "
                             "TOTAL_BYTES DESC LIMIT 10")
                expect([x["bytes"] for x in r["data"]] == [int(x[0]) for x in sel],
                       "first page's bytes = SELECT ... ORDER BY TOTAL_BYTES DESC")
                st, js = n.get("/lua/rest/v2/get/db/flows.lua",
                               dict(rng, site="x' OR '1'='1"))
                expect(st == 400 and "site" in js["rc_str_hr"],
                       "hostile site refused: %s" % js["rc_str_hr"])
                # the Historical interface from ClickHouse
                hist = n1.rest("get/ntopng/interfaces.lua")[-1]["ifid"]
                for label, body, want_h in [
                        ("its own interface (ifid=0, instance hub1)", {"ifid": 0}, hubs[0]),
                        ("another hub's (ifname=<its input>, instance=hub2)",
                         {"ifname": os.path.join(PCAPS, CAPS[1]), "instance": "hub2"}, hubs[1]),
                        ("every row (all=true)", {"all": True}, want)]:
                    body.update(epoch_begin=0, epoch_end=rng["epoch_end"])
                    st, _, data = n1.http("POST", "/lua/rest/v2/set/interface/historical.lua",
                                          body=body)
                    rep = json.loads(data)["rsp"]
                    d = n1.rest("get/interface/data.lua", ifid=hist)
                    fl = n1.rest("get/flow/active.lua", ifid=hist, perPage=1000)["data"]
                    got = (rep.get("loaded_flows"), sum(f["bytes"] for f in fl))
                    expect(st == 200 and rep.get("backend") == "clickhouse" and
                           got == want_h and d["num_flows"] == want_h[0] and
                           rep["rejected_rows"] == 0 and not rep["truncated"],
                           "Historical from ClickHouse, %s: %s loaded = %s"
                           % (label, got, want_h))
                # 5. the explorer on hub 2
                explorer(n2, want[0])
                # its server gone: a clear 500, no hang
                b.kill()
                st, js = n2.get("/lua/rest/v2/get/db/flows.lua", rng)
                expect(st == 500 and js["rc"] == -6 and js["rc_str_hr"],
                       "shard 2 killed: hub 2's route answers 500: %r" % js["rc_str_hr"][:120])
                for i, n in enumerate((n1, n2)):
                    expect(n.stop() == 0, "hub %d (reading) exits 0" % (i + 1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
