#!/usr/bin/python3
"""Flows to ClickHouse (-F clickhouse;..., docs/storage.md) against a real
clickhouse-server (tests/e2e/chserver.py) on loopback.

1. Three IP-only captures (IPv4, IPv6, 6in4) replayed by a node with
   -F "clickhouse;127.0.0.1@PORT;flowsdb;writer;s3cret" --instance-name
   hub-a, stopped with SIGTERM (every flow expires at shutdown): the
   table flowsdb.flows holds one row per flow, and per interface
   `SELECT count(), sum(TOTAL_BYTES), sum(PACKETS)` equals the
   interface's REST counters and the SQLite rows of the same captures
   (a second node with plain -F); the flows themselves (client, server,
   ports, protocol, bytes each way, first/last seen) are the same set in
   both stores, IPv4 through IPV4_*_ADDR and IPv6 through IPV6_*_ADDR.
   The node's last line counts the flows it inserted; the ledger
   (get/ntopng/redis.lua) of a running node shows the store's figures.
2. The schema: 18.16 gets FixedString(16) for IPv6, the partition key is
   toYYYYMMDD(FIRST_SEEN); a table lacking columns (an older schema) is
   completed at start (migration, which 18.16 does without ADD COLUMN IF
   NOT EXISTS); a table whose columns have other types (upstream's PACKETS
   UInt32) is refused with the cause, its rows kept in the spool.
3. Retention: with ntopng.prefs.flows_retention_days = 30, a node drops
   the partitions older than 30 days (DROP PARTITION): counted in the
   ledger, rows gone.
4. A wrong -F value: one clear line, exit 1.
5. Cluster mode on two servers configured as the 2 shards of one cluster
   (no ZooKeeper): a hub on each shard with -F clickhouse-cluster;...;ntop2
   creates flows_local and the Distributed flows there and writes its own
   shard's flows_local; `flows` on either server sees both hubs' rows.
Exit 77 when clickhouse-server is not installed.
"""
import glob
import ipaddress
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import BIN, Node, PCAPS, expect, iface_dir  # noqa: E402
from chserver import ClickHouse, cluster_pair, have_clickhouse  # noqa: E402

CAPS = ["6in4tunnel.pcap", "http_ipv6.pcap", "KakaoTalk_chat.pcap"]
DB = "flowsdb"


def sqlite_rows(d, cap):
    out = []
    base = os.path.join(d, "interfaces", iface_dir(os.path.join(PCAPS, cap)), "flows")
    for f in sorted(glob.glob(os.path.join(base, "*", "*", "*.sqlite"))):
        c = sqlite3.connect(f)
        c.row_factory = sqlite3.Row
        out += [dict(r) for r in c.execute("SELECT * FROM flows")]
        c.close()
    return out


def tsv(ch, sql):
    return [line.split("\t") for line in ch.query(sql).splitlines()]


def ch_flows(ch, where):
    rows = tsv(ch, "SELECT IP_PROTOCOL_VERSION, IPv4NumToString(IPV4_SRC_ADDR), "
               "IPv6NumToString(IPV6_SRC_ADDR), IP_SRC_PORT, IPv4NumToString(IPV4_DST_ADDR), "
               "IPv6NumToString(IPV6_DST_ADDR), IP_DST_PORT, PROTOCOL, SRC2DST_BYTES, "
               "DST2SRC_BYTES, toUInt32(FIRST_SEEN), toUInt32(LAST_SEEN) FROM %s.flows WHERE %s"
               % (DB, where))
    out = []
    for r in rows:
        v = int(r[0])
        cli = r[1] if v == 4 else r[2]
        srv = r[4] if v == 4 else r[5]
        out.append((str(ipaddress.ip_address(cli)), int(r[3]), str(ipaddress.ip_address(srv)),
                    int(r[6]), int(r[7]), int(r[8]), int(r[9]), int(r[10]), int(r[11])))
    return sorted(out)


def sq_flows(rows):
    return sorted((str(ipaddress.ip_address(r["cli_ip"])), r["cli_port"],
                   str(ipaddress.ip_address(r["srv_ip"])), r["srv_port"], r["proto"],
                   r["cli2srv_bytes"], r["srv2cli_bytes"], r["first_seen"], r["last_seen"])
                  for r in rows)


def main():
    if not have_clickhouse():
        print("SKIP: clickhouse-server is not installed")
        return 77
    for c in CAPS + ["gnutella.pcap"]:
        if not os.path.exists(os.path.join(PCAPS, c)):
            print("SKIP: %s missing" % c)
            return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-chflows-")
    try:
        with ClickHouse("chflows", base=tmp) as ch:
            print("clickhouse-server %s on http port %d" % (ch.version(), ch.http_port))
            run(ch, tmp)
        a, b = cluster_pair(base=tmp)
        with a, b:
            cluster(a, b)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


def run(ch, tmp):
    spec = "clickhouse;127.0.0.1@%d;%s;writer;s3cret" % (ch.http_port, DB)
    args = []
    for c in CAPS:
        args += ["-i", os.path.join(PCAPS, c)]

    # 1. the same captures into ClickHouse and into SQLite
    live = {}
    with Node(args + ["-F", spec, "--instance-name", "hub-a"], name="chflows-a") as n:
        for ifid in range(len(CAPS)):
            d = n.wait_ended(ifid)
            live[ifid] = dict(bytes=d["bytes"], packets=d["packets"], flows=d["num_flows"])
        led = n.rest("get/ntopng/redis.lua")
        expect("clickhouse" in led.get("writer", {}) or "clickhouse" in led,
               "the ledger has the ClickHouse store's figures: %s" % sorted(led))
        n.stop()
        log = n.read_log()
    sqd = os.path.join(tmp, "sqlite")
    with Node(args + ["-F", "-d", sqd], name="chflows-sqlite") as n:
        for ifid in range(len(CAPS)):
            n.wait_ended(ifid)
        n.stop()
    total_rows = 0
    for ifid, cap in enumerate(CAPS):
        where = "NTOPNG_INSTANCE_NAME = 'hub-a' AND INTERFACE_ID = %d" % ifid
        cnt, byt, pk = (int(x) for x in tsv(ch, "SELECT count(), sum(TOTAL_BYTES), sum(PACKETS) "
                                            "FROM %s.flows WHERE %s" % (DB, where))[0])
        sq = sqlite_rows(sqd, cap)
        total_rows += cnt
        expect(cnt == live[ifid]["flows"] == len(sq) and cnt > 0,
               "%s: rows %d = interface flows %d = SQLite rows %d"
               % (cap, cnt, live[ifid]["flows"], len(sq)))
        expect(byt == live[ifid]["bytes"] == sum(r["bytes"] for r in sq),
               "%s: sum(TOTAL_BYTES) %d = interface bytes %d = SQLite sum(bytes) %d"
               % (cap, byt, live[ifid]["bytes"], sum(r["bytes"] for r in sq)))
        expect(pk == live[ifid]["packets"],
               "%s: sum(PACKETS) %d = interface packets %d" % (cap, pk, live[ifid]["packets"]))
        cf, sf = ch_flows(ch, where), sq_flows(sq)
        expect(cf == sf, "%s: the same %d flows (addresses, ports, protocol, bytes each way, "
               "first/last seen) in ClickHouse and SQLite" % (cap, len(cf)))
        if cf != sf:
            print("   only in ClickHouse:", sorted(set(cf) - set(sf))[:3])
            print("   only in SQLite:", sorted(set(sf) - set(cf))[:3])
        names = tsv(ch, "SELECT DISTINCT INTERFACE_NAME, NODE_ID, SITE_PATH FROM %s.flows WHERE %s"
                    % (DB, where))
        expect(len(names) == 1 and names[0][0] == os.path.join(PCAPS, cap)
               and names[0][1] != "" and names[0][2] == names[0][1],
               "%s: INTERFACE_NAME, NODE_ID and SITE_PATH (own flows: the node id): %s"
               % (cap, names))
    zero6 = "toFixedString('', 16)"
    v6 = int(tsv(ch, "SELECT count() FROM %s.flows WHERE IP_PROTOCOL_VERSION = 6 AND "
                 "IPV4_SRC_ADDR = 0 AND IPV4_DST_ADDR = 0 AND IPV6_SRC_ADDR != %s AND "
                 "IPV6_DST_ADDR != %s" % (DB, zero6, zero6))[0][0])
    v4 = int(tsv(ch, "SELECT count() FROM %s.flows WHERE IP_PROTOCOL_VERSION = 4 AND "
                 "IPV6_SRC_ADDR = %s AND IPV6_DST_ADDR = %s" % (DB, zero6, zero6))[0][0])
    expect(v6 > 0 and v4 > 0 and v4 + v6 == total_rows,
           "IPv4 rows (%d) in IPV4_*, IPv6 rows (%d) in IPV6_*, none in both (of %d)"
           % (v4, v6, total_rows))
    expect("clickhouse: %d flows inserted in" % total_rows in log,
           "the node's last line counts %d flows inserted" % total_rows)

    # 2. schema: types on 18.16, partition key, a migration
    types = dict((r[0], r[1]) for r in tsv(ch, "SELECT name, type FROM system.columns WHERE "
                                          "database = '%s' AND table = 'flows'" % DB))
    major = int(ch.version().split(".")[0])
    want6 = "FixedString(16)" if major < 19 else "IPv6"
    expect(types.get("IPV6_SRC_ADDR") == want6 and types.get("IPV4_SRC_ADDR") == "UInt32"
           and types.get("FIRST_SEEN") == "DateTime" and "SITE_PATH" in types
           and "NTOPNG_INSTANCE_NAME" in types,
           "column types: IPV6 %s, IPV4 %s, FIRST_SEEN %s"
           % (types.get("IPV6_SRC_ADDR"), types.get("IPV4_SRC_ADDR"), types.get("FIRST_SEEN")))
    key = tsv(ch, "SELECT partition_key FROM system.tables WHERE database = '%s' AND "
              "name = 'flows'" % DB)
    expect(key and key[0][0] == "toYYYYMMDD(FIRST_SEEN)", "partition key %s" % key)
    db2 = "olddb"
    ch.query("CREATE DATABASE %s" % db2)
    ch.query("CREATE TABLE %s.flows (FIRST_SEEN DateTime, IPV4_SRC_ADDR UInt32, "
             "IPV4_DST_ADDR UInt32, TOTAL_BYTES UInt64) ENGINE = MergeTree() "
             "PARTITION BY toYYYYMMDD(FIRST_SEEN) ORDER BY (IPV4_SRC_ADDR, IPV4_DST_ADDR, "
             "FIRST_SEEN)" % db2)
    spec2 = "clickhouse;127.0.0.1@%d;%s;default;" % (ch.http_port, db2)
    with Node(["-i", os.path.join(PCAPS, CAPS[0]), "-F", spec2], name="chflows-mig") as n:
        d = n.wait_ended(0)
        n.stop()
        log = n.read_log()
    cols = tsv(ch, "SELECT count() FROM system.columns WHERE database = '%s' AND "
               "table = 'flows'" % db2)[0][0]
    cnt, byt = (int(x) for x in tsv(ch, "SELECT count(), sum(TOTAL_BYTES) FROM %s.flows" % db2)[0])
    expect(int(cols) == len(types) and "column(s) added" in log,
           "an older table got the missing columns: %s of %d" % (cols, len(types)))
    expect(cnt == d["num_flows"] and byt == d["bytes"],
           "and takes the rows: %d flows, %d bytes" % (cnt, byt))

    # a table of another layout (upstream's PACKETS UInt32): refused with
    # the cause, the rows kept in the spool, none misread into it
    db3 = "otherdb"
    ch.query("CREATE DATABASE %s" % db3)
    ch.query("CREATE TABLE %s.flows (FIRST_SEEN DateTime, PACKETS UInt32) ENGINE = MergeTree() "
             "PARTITION BY toYYYYMMDD(FIRST_SEEN) ORDER BY FIRST_SEEN" % db3)
    dd3 = os.path.join(tmp, "other")
    spec3 = "clickhouse;127.0.0.1@%d;%s;default;" % (ch.http_port, db3)
    with Node(["-i", os.path.join(PCAPS, CAPS[0]), "-F", spec3, "-d", dd3],
              name="chflows-other") as n:
        n.wait_ended(0)
        n.stop()
        log = n.read_log()
    cnt = int(tsv(ch, "SELECT count() FROM %s.flows" % db3)[0][0])
    spool = [f for f in os.listdir(os.path.join(dd3, "clickhouse-spool")) if f.endswith(".batch")]
    expect("column PACKETS of otherdb.flows is UInt32, the node writes UInt64" in log
           and cnt == 0 and len(spool) == 1,
           "a table of another layout is refused with its cause; %d rows in it, %d batch "
           "kept in the spool" % (cnt, len(spool)))

    # 3. retention: gnutella.pcap is of 1970; a node with a 30-day retention
    # drops every partition older than that
    with Node(["-i", os.path.join(PCAPS, "gnutella.pcap"), "-F", spec,
               "--instance-name", "hub-old"], name="chflows-old") as n:
        n.wait_ended(0)
        n.stop()
    parts = tsv(ch, "SELECT DISTINCT partition FROM system.parts WHERE database = '%s' AND "
                "table = 'flows' AND active ORDER BY partition" % DB)
    old = [p[0] for p in parts if int(p[0]) < int(time.strftime("%Y%m%d", time.localtime(
        time.time() - 30 * 86400)))]
    expect("19700101" in old, "the 1970 capture's partition is there: %s" % old)
    dd = os.path.join(tmp, "retention")
    os.makedirs(dd)
    with open(os.path.join(dd, "kv.json"), "w") as f:
        json.dump({"keys": {"ntopng.prefs.flows_retention_days": "30"}, "hashes": {}}, f)
    with Node(["-i", os.path.join(PCAPS, CAPS[1]), "-F", spec, "-d", dd,
               "--instance-name", "hub-c"], name="chflows-ret") as n:
        deadline = time.monotonic() + 30
        dropped = 0
        while time.monotonic() < deadline:
            c = n.rest("get/ntopng/redis.lua").get("clickhouse", {})
            dropped = c.get("partitions_dropped", 0)
            if dropped >= len(old):
                break
            time.sleep(0.5)
        expect(dropped == len(old), "ledger: %d partitions dropped (%d older than 30 days)"
               % (dropped, len(old)))
        left = int(tsv(ch, "SELECT count() FROM %s.flows WHERE NTOPNG_INSTANCE_NAME IN "
                       "('hub-a', 'hub-old')" % DB)[0][0])
        expect(left == 0, "rows of those days gone: %d left" % left)
        n.stop()

    # 4. wrong values: one line, exit 1
    for bad, why in (("clickhouse;127.0.0.1@99999", "bad port"),
                     ("clickhouse-cluster;127.0.0.1;db;u;p", "needs a cluster name"),
                     ("mongodb", "unknown flow store")):
        r = subprocess.run([BIN, "-i", os.path.join(PCAPS, CAPS[0]), "-F", bad],
                           capture_output=True, text=True, timeout=30)
        lines = r.stderr.strip().splitlines()
        expect(r.returncode == 1 and len(lines) == 1 and why in lines[0],
               "-F '%s': exit %d, %s" % (bad, r.returncode, lines))


def cluster(a, b):
    want = {}
    for i, (srv, cap) in enumerate(((a, CAPS[1]), (b, CAPS[0]))):
        spec = "clickhouse-cluster;127.0.0.1@%d;cdb;default;;ntop2" % srv.http_port
        with Node(["-i", os.path.join(PCAPS, cap), "-F", spec, "--instance-name",
                   "hub%d" % i], name="chflows-shard%d" % i) as n:
            d = n.wait_ended(0)
            n.stop()
        want["hub%d" % i] = (d["num_flows"], d["bytes"])
        eng = tsv(srv, "SELECT name, engine FROM system.tables WHERE database = 'cdb' "
                  "ORDER BY name")
        expect(eng == [["flows", "Distributed"], ["flows_local", "MergeTree"]],
               "shard %d: tables %s" % (i + 1, eng))
        local = tsv(srv, "SELECT NTOPNG_INSTANCE_NAME, count() FROM cdb.flows_local "
                    "GROUP BY NTOPNG_INSTANCE_NAME")
        expect(local == [["hub%d" % i, str(d["num_flows"])]],
               "shard %d: its flows_local holds hub%d's %d flows: %s"
               % (i + 1, i, d["num_flows"], local))
    for i, srv in enumerate((a, b)):
        got = dict((r[0], (int(r[1]), int(r[2]))) for r in tsv(
            srv, "SELECT NTOPNG_INSTANCE_NAME, count(), sum(TOTAL_BYTES) FROM cdb.flows "
            "GROUP BY NTOPNG_INSTANCE_NAME"))
        expect(got == want, "the Distributed flows on shard %d sees both hubs: %s (want %s)"
               % (i + 1, got, want))


if __name__ == "__main__":
    sys.exit(main())
