#!/usr/bin/python3
"""bench/flowdb.py - how long get/db/flows.lua takes on a large flow
history, SQLite day file and ClickHouse side by side.

N synthetic flows (default 500 000, FLOWDB_BENCH_FLOWS) of one day: 2 000
clients, 500 servers, ports 443/53/80 with TLS/DNS/HTTP, are written
(a) as one SQLite day file in the writer's schema, under a data directory
a node with -F serves for ifname=bench, and (b) into a ClickHouse server
of its own (tests/e2e/chserver.py) with INSERT ... SELECT FROM numbers(N),
after a node with -F clickhouse created the table.  Each query (whole
answer: totals, one page, top 10 hosts and applications) is timed
ROUNDS times (FLOWDB_BENCH_ROUNDS, 3) through REST, the median reported
for each store with the ratio SQLite / ClickHouse; with N <= 200 000 also
one Historical load of all of them from each store.  Nothing is enforced.

Usage: bench/flowdb.py [build dir, default build/]
"""
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(SRC, "build")
os.environ.setdefault("NTOPNG_BIN", os.path.join(build, "ntopng"))
os.environ.setdefault("NTOPNG_TEST_LOGS", tempfile.gettempdir())
sys.path.insert(0, os.path.join(SRC, "tests", "e2e"))
from node import Node, PCAPS  # noqa: E402
from chserver import ClickHouse, have_clickhouse  # noqa: E402

N = int(os.environ.get("FLOWDB_BENCH_FLOWS", "500000"))
ROUNDS = int(os.environ.get("FLOWDB_BENCH_ROUNDS", "3"))
DAY = 1767268800  # 2026-01-01 12:00 UTC
APPS = [(91, 0, "TLS", 443, 6), (5, 0, "DNS", 53, 17), (7, 0, "HTTP", 80, 6)]


def ip(n, base):
    return "%d.%d.%d.%d" % (base, (n >> 16) & 255, (n >> 8) & 255, n & 255)


def sqlite_file(dd):
    t = time.localtime(DAY)
    d = os.path.join(dd, "interfaces", "bench", "flows", "%04d" % t.tm_year,
                     "%02d" % t.tm_mon)
    os.makedirs(d, exist_ok=True)
    c = sqlite3.connect(os.path.join(d, "%02d.sqlite" % t.tm_mday))
    c.execute("CREATE TABLE flows (id INTEGER PRIMARY KEY AUTOINCREMENT, vlan_id INTEGER, "
              "cli_ip TEXT, cli_port INTEGER, srv_ip TEXT, srv_port INTEGER, proto INTEGER, "
              "bytes INTEGER, first_seen INTEGER, last_seen INTEGER, duration INTEGER, "
              "json TEXT, cli2srv_bytes INTEGER, srv2cli_bytes INTEGER, "
              "cli2srv_packets INTEGER, srv2cli_packets INTEGER, l7_master INTEGER, "
              "l7_app INTEGER, l7_name TEXT, info TEXT, ifname TEXT)")
    c.execute("CREATE INDEX flows_last_seen ON flows(last_seen)")

    def rows():
        for i in range(N):
            a = APPS[i % 3]
            b1, b2 = 100 + i % 997, 1000 + i % 4999
            yield (0, ip(i % 2000, 10), 20000 + i % 40000, ip(i % 500, 172), a[3], a[4],
                   b1 + b2, DAY + i % 3600, DAY + i % 3600 + i % 7, i % 7, "", b1, b2,
                   1 + i % 5, 1 + i % 9, a[0], a[1], a[2], "", "bench")
    c.executemany("INSERT INTO flows (vlan_id, cli_ip, cli_port, srv_ip, srv_port, proto, "
                  "bytes, first_seen, last_seen, duration, json, cli2srv_bytes, "
                  "srv2cli_bytes, cli2srv_packets, srv2cli_packets, l7_master, l7_app, "
                  "l7_name, info, ifname) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  rows())
    c.commit()
    c.close()


CH_INSERT = """INSERT INTO ntopng.flows (FIRST_SEEN, LAST_SEEN, IP_PROTOCOL_VERSION,
 IPV4_SRC_ADDR, IPV4_DST_ADDR, IP_SRC_PORT, IP_DST_PORT, PROTOCOL, TOTAL_BYTES,
 SRC2DST_BYTES, DST2SRC_BYTES, PACKETS, SRC2DST_PACKETS, DST2SRC_PACKETS, L7_PROTO,
 L7_PROTO_MASTER, L7_PROTO_NAME, NTOPNG_INSTANCE_NAME, INTERFACE_NAME)
SELECT toDateTime({day} + number % 3600), toDateTime({day} + number % 3600 + number % 7), 4,
 167772160 + number % 2000, 2885681152 + number % 500, 20000 + number % 40000,
 [443, 53, 80][number % 3 + 1], [6, 17, 6][number % 3 + 1],
 100 + number % 997 + 1000 + number % 4999, 100 + number % 997, 1000 + number % 4999,
 2 + number % 5 + number % 9, 1 + number % 5, 1 + number % 9,
 [91, 5, 7][number % 3 + 1], 0, ['TLS', 'DNS', 'HTTP'][number % 3 + 1], 'bench', 'bench'
FROM system.numbers LIMIT {n}"""


def timed(n, params):
    out = []
    for _ in range(ROUNDS):
        t = time.monotonic()
        r = n.rest("get/db/flows.lua", **params)
        out.append(time.monotonic() - t)
    return statistics.median(out) * 1000, r["totals"]["flows"]


HIST_MAX = 200000  # Historical loads timed only up to this many flows


def hist(n, body):
    t = time.monotonic()
    st, _, data = n.http("POST", "/lua/rest/v2/set/interface/historical.lua", body=body)
    dt = time.monotonic() - t
    import json
    rep = json.loads(data)["rsp"]
    return dt, rep.get("loaded_flows") if isinstance(rep, dict) else None


def main():
    if not have_clickhouse():
        print("no clickhouse-server")
        return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-bench-flowdb-")
    pcap = os.path.join(PCAPS, "dns.pcap")
    rng = dict(epoch_begin=DAY - 60, epoch_end=DAY + 3700)
    queries = [("no filter", {}), ("host", dict(host=ip(7, 10))),
               ("application", dict(protocol="DNS")),
               ("port + L4, by first_seen", dict(port=80, l4proto=6, sortColumn="first_seen")),
               ("page 100 of 100 rows", dict(perPage=100, currentPage=100))]
    try:
        dd = os.path.join(tmp, "d")
        t = time.monotonic()
        sqlite_file(dd)
        print("flowdb bench: %d flows; SQLite day file written in %.1f s" % (N, time.monotonic() - t))
        res = {}
        xs = ["-X", str(2 * N)] if N <= HIST_MAX else []
        with Node(["-i", pcap, "-F", "-d", dd] + xs, name="bench-fdb-sq") as n:
            for label, q in queries:
                res[(label, "sq")] = timed(n, dict(rng, ifname="bench", **q))
            if N <= HIST_MAX:
                res["hist sq"] = hist(n, dict(rng, ifname="bench"))
            n.stop()
        with ClickHouse(base=tmp) as ch:
            spec = "clickhouse;127.0.0.1@%d;ntopng;default;" % ch.http_port
            with Node(["-i", pcap, "-F", spec] + xs, name="bench-fdb-ch") as n:
                end = time.monotonic() + 30   # the sink creates the table
                while time.monotonic() < end and \
                        ch.query("EXISTS TABLE ntopng.flows").strip() != "1":
                    time.sleep(0.2)
                t = time.monotonic()
                ch.query(CH_INSERT.format(day=DAY, n=N), timeout=600)
                print("ClickHouse %s: %d rows inserted in %.1f s"
                      % (ch.version(), N, time.monotonic() - t))
                for label, q in queries:
                    res[(label, "ch")] = timed(n, dict(rng, **q))
                if N <= HIST_MAX:
                    res["hist ch"] = hist(n, dict(rng, ifname="bench"))
                n.stop()
        print("%-28s %12s %12s %8s %10s" % ("query", "SQLite ms", "ClickHouse ms", "ratio",
                                              "flows"))
        for label, _ in queries:
            sq, ch_ = res[(label, "sq")], res[(label, "ch")]
            print("%-28s %12.0f %12.0f %8.2f %10d%s" % (label, sq[0], ch_[0], sq[0] / ch_[0],
                                                       sq[1], "" if sq[1] == ch_[1] else
                                                       " (ClickHouse: %d)" % ch_[1]))
        if N <= HIST_MAX:
            (a, fa), (b, fb) = res["hist sq"], res["hist ch"]
            print("%-28s %12.0f %12.0f %8.2f %10s%s" % ("Historical load", a * 1000, b * 1000,
                                                       a / b, fa, "" if fa == fb else
                                                       " (ClickHouse: %s)" % fb))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
