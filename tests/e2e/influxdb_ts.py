#!/usr/bin/env python3
"""Time series to InfluxDB 1.x (docs/storage.md, "Time series in InfluxDB").

Starts its own influxd (Debian's 1.6, config and data under the test's
TMPDIR, loopback ports) and a node reading teams.pcap with
--timeseries-driver influxdb, then checks with InfluxDB's own /query:

- the database exists, and its default retention policy is ours;
- the latest iface:traffic bytes and iface:packets packets equal the
  interface's REST counters (±1 %), iface:flows / iface:hosts are its
  gauges;
- host:traffic of each local host: bytes_sent / bytes_rcvd = its REST
  counters (±1 %);
- iface:ndpi: bytes of each protocol = get/interface/l7/data.lua (±1 %);
- get/timeseries/ts.lua reads back from InfluxDB: source influxdb, the
  interface's total bytes, a host's totals;
- influxd stopped for ~8 s while the node runs and started again: the
  ledger counts failed posts and spooled batches, the spool empties,
  nothing is dropped, iface:traffic has a point for every second of the
  outage (spooled ones included) and still ends at the exact counter;
- a database where iface:traffic bytes are floats (another writer):
  InfluxDB refuses our integer points of it, counted and logged, the
  other points written; then the database is dropped under the node:
  made again.  This run has authentication on in influxd: the node's
  --influxdb-user/--influxdb-password are what lets it in.  It is stopped
  while influxd is down: its last batches stay in the spool, and the next
  start on that data directory sends them;
- a --influxdb-url with a bad value: one error line, exit 1.
"""
import json
import re
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import Node, PCAPS, expect, free_port, summary  # noqa: E402

CAP = "teams.pcap"
LOCAL = "192.168.0.0/16,10.0.0.0/8,172.16.0.0/12"
DB = "ntopng_test"


class Influx:
    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "influx")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.rpc = free_port()
        self.conf = os.path.join(self.dir, "influxdb.conf")
        self.auth = None  # (user, password) once auth is on
        self.write_conf(False)
        self.proc = None
        self.url = "http://127.0.0.1:%d" % self.port

    def write_conf(self, auth):
        with open(self.conf, "w") as f:
            f.write("""reporting-disabled = true
bind-address = "127.0.0.1:%d"
[meta]
  dir = "%s/meta"
  logging-enabled = false
[data]
  dir = "%s/data"
  wal-dir = "%s/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:%d"
  log-enabled = false
  auth-enabled = %s
[continuous_queries]
  enabled = false
""" % (self.rpc, self.dir, self.dir, self.dir, self.port,
       "true" if auth else "false"))

    def start(self):
        log = open(os.path.join(self.dir, "influxd.log"), "ab")
        self.proc = subprocess.Popen(["influxd", "-config", self.conf],
                                     stdout=log, stderr=log)
        log.close()
        for _ in range(200):
            try:
                urllib.request.urlopen(self.url + "/ping", timeout=1)
                return
            except Exception:
                if self.proc.poll() is not None:
                    raise RuntimeError("influxd exited: see %s" % self.dir)
                time.sleep(0.1)
        raise RuntimeError("influxd does not answer")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def query(self, q, db=DB):
        args = {"db": db, "epoch": "s", "q": q}
        if self.auth:
            args.update(u=self.auth[0], p=self.auth[1])
        form = urllib.parse.urlencode(args)
        if q.split()[0] in ("CREATE", "DROP", "ALTER"):  # POST only
            req = urllib.request.Request(self.url + "/query?" + form, data=b"",
                                         method="POST")
        else:
            req = urllib.request.Request(self.url + "/query?" + form)
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())["results"]

    def values(self, q):
        res = self.query(q)[0]
        if "series" not in res:
            return []
        return res["series"][0]["values"]


def close(a, b):
    return abs(a - b) <= max(0.01 * b, 1.0)


def ledger(n):
    return n.rest("get/ntopng/redis.lua").get("influxdb", {})


def main():
    if shutil.which("influxd") is None:
        print("SKIP: influxd not installed (tools/install-deps.sh: influxdb)")
        return 77
    pcap = os.path.join(PCAPS, CAP)
    tmp = tempfile.mkdtemp(prefix="ntopng-influx-")
    ix = Influx(tmp)
    try:
        # a bad value: one line, exit 1
        r = subprocess.run([os.environ.get("NTOPNG_BIN", "build/ntopng"),
                            "--timeseries-driver", "influxdb",
                            "--influxdb-url", "ftp://x"],
                           capture_output=True, text=True, timeout=20)
        expect(r.returncode == 1 and
               len(r.stderr.strip().split("\n")) == 1 and
               "--influxdb-url" in r.stderr,
               "--influxdb-url ftp://x: exit %d, %r" % (r.returncode, r.stderr))

        ix.start()
        dd = os.path.join(tmp, "d")
        args = ["-i", pcap, "-d", dd, "-m", LOCAL, "-P",
                "--timeseries-driver", "influxdb", "--influxdb-url", ix.url,
                "--influxdb-db", DB, "--influxdb-retention", "30"]
        t0 = int(time.time())
        with Node(args, name="influxdb_ts") as n:
            d = n.wait_ended()
            hosts = n.rest("get/host/active.lua", ifid=0, perPage=1000)["data"]
            l7 = n.rest("get/interface/l7/data.lua", ifid=0)
            # InfluxDB down for a while, then back (while the minute
            # turns), once a batch was written
            for _ in range(30):
                before = ledger(n)
                if before.get("batches", 0) >= 1:
                    break
                time.sleep(0.5)
            expect(before.get("batches", 0) >= 1 and before.get("connected"),
                   "a first batch written: %r" % before)
            down = int(time.time())
            ix.stop()
            time.sleep(8)
            mid = ledger(n)
            expect(mid.get("failures", 0) > before.get("failures", 0) and
                   mid.get("spool_files", 0) >= 1 and
                   mid.get("spooled", 0) > before.get("spooled", 0),
                   "influxd down: failures %d -> %d, spool %d files, %d spooled"
                   % (before.get("failures", 0), mid.get("failures", 0),
                      mid.get("spool_files", 0), mid.get("spooled", 0)))
            up = int(time.time())
            ix.start()
            for _ in range(40):
                after = ledger(n)
                if after.get("spool_files", 1) == 0 and after.get("connected"):
                    break
                time.sleep(0.5)
            expect(after.get("spool_files") == 0 and after.get("dropped", 1) == 0
                   and after.get("rejected", 1) == 0,
                   "influxd back: spool emptied, none dropped or refused: %r" % after)
            # past a minute turn: the hosts' and protocols' snapshots
            turn = (int(time.time()) // 60 + 1) * 60
            while time.time() < turn + 7:  # + a 5 s flush
                time.sleep(0.5)

            dbs = [v[0] for v in ix.values("SHOW DATABASES")]
            expect(DB in dbs, "database %s created: %r" % (DB, dbs))
            rps = ix.query("SHOW RETENTION POLICIES ON %s" % DB)[0]["series"][0]
            rp = [dict(zip(rps["columns"], v)) for v in rps["values"]]
            expect(any(p["name"] == "ntopng_retention" and p["default"] and
                       p["duration"] == "720h0m0s" for p in rp),
                   "retention policy ntopng_retention 30 d default: %r" % rp)

            last = ix.values('SELECT last("bytes") FROM "iface:traffic" '
                             "WHERE ifid='0'")
            lb = last[0][1] if last else -1
            expect(close(lb, d["bytes"]) and isinstance(lb, int),
                   "iface:traffic last bytes %r = interface %d" % (lb, d["bytes"]))
            last = ix.values('SELECT last("packets") FROM "iface:packets" '
                             "WHERE ifid='0'")
            lp = last[0][1] if last else -1
            expect(close(lp, d["packets"]),
                   "iface:packets last packets %r = interface %d" % (lp, d["packets"]))
            lf = ix.values('SELECT last("num_flows") FROM "iface:flows"')
            lh = ix.values('SELECT last("num_hosts") FROM "iface:hosts"')
            expect(lf and lf[0][1] == d["num_flows"] and lh and
                   lh[0][1] == d["num_hosts"],
                   "iface:flows %r, iface:hosts %r = %d flows, %d hosts"
                   % (lf, lh, d["num_flows"], d["num_hosts"]))

            # hosts: every local host with a series
            res = ix.query('SELECT last("bytes_sent"), last("bytes_rcvd") '
                           'FROM "host:traffic" WHERE ifid=\'0\' GROUP BY "host"')
            series = {s["tags"]["host"]: s["values"][0]
                      for s in res[0].get("series", [])}
            local = [h for h in hosts if h["ip"] in series]
            bad = [(h["ip"], series[h["ip"]], h["bytes"]) for h in local
                   if not (close(series[h["ip"]][1], h["bytes"]["sent"]) and
                           close(series[h["ip"]][2], h["bytes"]["recvd"]))]
            expect(len(local) >= 2 and not bad,
                   "host:traffic of %d local hosts = their REST bytes sent/rcvd: %r"
                   % (len(local), bad[:3]))

            res = ix.query('SELECT last("bytes") FROM "iface:ndpi" '
                           'WHERE ifid=\'0\' GROUP BY "protocol"')
            prot = {s["tags"]["protocol"]: s["values"][0][1]
                    for s in res[0].get("series", [])}
            bad = [(r["application"]["name"], prot.get(r["application"]["name"]),
                    r["bytes"]["total"]) for r in l7
                   if not close(prot.get(r["application"]["name"], -1),
                                r["bytes"]["total"])]
            expect(len(prot) >= 5 and not bad,
                   "iface:ndpi bytes of %d protocols = REST L7 bytes: %r"
                   % (len(prot), bad[:3]))

            # /metrics: the sink family has the driver
            lg0 = ledger(n)
            st, body = n.get("/metrics", raw=True)
            lg = ledger(n)
            m = re.search(rb'ntopng_sink_written_total\{sink="influxdb"\} (\d+)', body)
            w = int(m.group(1)) if m else -1
            expect(st == 200 and lg0.get("points_written", 0) > 0 and
                   lg0["points_written"] <= w <= lg["points_written"],
                   "/metrics: ntopng_sink_written_total{sink=\"influxdb\"} %d, "
                   "ledger %r..%r" % (w, lg0.get("points_written"),
                                      lg.get("points_written")))

            # host:ndpi: each local host's protocols = get/host/l7/stats.lua
            res = ix.query('SELECT last("bytes_sent"), last("bytes_rcvd") '
                           'FROM "host:ndpi" WHERE ifid=\'0\' '
                           'GROUP BY "host", "protocol"')
            hl7 = {}
            for se in res[0].get("series", []):
                v = se["values"][0]
                hl7.setdefault(se["tags"]["host"], {})[se["tags"]["protocol"]] = v[1] + v[2]
            bad, pairs = [], 0
            for h in local:
                st = n.rest("get/host/l7/stats.lua", ifid=0, host=h["ip"],
                            collapse_stats="false")
                want = {e["label"]: e["value"] for e in st if e["value"] > 0}
                got = hl7.get(h["ip"], {})
                pairs += len(want)
                if set(want) != set(got) or any(
                        not close(got[k], want[k]) for k in want):
                    bad.append((h["ip"], got, want))
            expect(pairs >= 5 and not bad,
                   "host:ndpi of %d local hosts (%d host-protocol pairs) = "
                   "get/host/l7/stats.lua: %r" % (len(local), pairs, bad[:2]))

            # read back through the node
            t1 = int(time.time())
            ts = n.rest("get/timeseries/ts.lua", ifid=0, schema="iface:traffic",
                        epoch_begin=t1 - 600, epoch_end=t1)
            lab = {s["label"]: s for s in ts["series"]}
            pts = sum(1 for v in lab["bytes"]["data"] if v is not None)
            expect(ts.get("source") == "influxdb" and ts["step"] == 1 and
                   close(lab["bytes"]["total"], d["bytes"]) and
                   pts >= (t1 - t0) - 10,
                   "ts.lua iface:traffic from InfluxDB: total %.0f = %d, %d "
                   "points in the %d s the node ran"
                   % (lab["bytes"]["total"], d["bytes"], pts, t1 - t0))
            if local:
                h = max(local, key=lambda x: min(x["bytes"]["sent"],
                                                 x["bytes"]["recvd"]))
                th = n.rest("get/timeseries/ts.lua", ifid=0, schema="host:traffic",
                            host=h["ip"], epoch_begin=t1 - 600, epoch_end=t1)
                hl = {s["label"]: s for s in th["series"]}
                expect(close(hl["bytes_sent"]["total"], h["bytes"]["sent"]) and
                       close(hl["bytes_rcvd"]["total"], h["bytes"]["recvd"]),
                       "ts.lua host:traffic %s: %.0f/%.0f = %d/%d"
                       % (h["ip"], hl["bytes_sent"]["total"],
                          hl["bytes_rcvd"]["total"], h["bytes"]["sent"],
                          h["bytes"]["recvd"]))
            st, js = n.get("/lua/rest/v2/get/timeseries/ts.lua",
                           {"ifid": 0, "schema": "host:traffic",
                            "host": "1.2.3.4' OR 1=1 --"})
            expect(st >= 400 or (js or {}).get("rc", 0) != 0,
                   "ts.lua refuses a host that is no address: %d %r" % (st, js))

            assert n.stop() == 0
        # after the node's last flush
        rows = ix.values('SELECT "bytes" FROM "iface:traffic" WHERE ifid=\'0\' '
                         "AND time >= %ds AND time <= %ds" % (down - 2, up + 2))
        secs = [r[0] for r in rows]
        # one point a second (a loaded machine may skip a second or two)
        gaps = [b - a for a, b in zip(secs, secs[1:]) if b - a > 3]
        expect(len(secs) >= (up - down) - 3 and not gaps,
               "iface:traffic across the outage (%d s): %d points, gaps %r"
               % (up - down, len(secs), gaps))
        last = ix.values('SELECT last("bytes") FROM "iface:traffic" WHERE ifid=\'0\'')
        expect(last and close(last[0][1], d["bytes"]),
               "iface:traffic still ends at the interface's bytes: %r = %d"
               % (last, d["bytes"]))

        # a database whose iface:traffic bytes are floats (written by
        # something else): InfluxDB refuses our integer points of it
        # (partial write), the other points are written; counted, logged.
        # Then the database is dropped behind the node's back: made again,
        # nothing lost.
        # ... and with authentication on: the node's credentials work
        # (without them InfluxDB refuses every query and write)
        cdb = "ntopng_conflict"
        ix.stop()
        ix.write_conf(True)
        ix.start()
        ix.query("CREATE USER admin WITH PASSWORD 'se cret' WITH ALL PRIVILEGES",
                 db="")
        ix.auth = ("admin", "se cret")
        try:
            urllib.request.urlopen(ix.url + "/query?q=SHOW+DATABASES", timeout=10)
            code = 200
        except urllib.error.HTTPError as e:
            code = e.code
        expect(code == 401, "auth on: a query without credentials gets %d" % code)
        ix.query("CREATE DATABASE %s" % cdb, db="")
        ix.query("CREATE RETENTION POLICY ntopng_retention ON %s DURATION INF "
                 "REPLICATION 1 DEFAULT" % cdb, db="")
        req = urllib.request.Request(
            "%s/write?db=%s&precision=s&u=admin&p=se%%20cret" % (ix.url, cdb),
            data=b"iface:traffic,ifid=0 bytes=1.5 %d\n" % int(time.time()),
            method="POST")
        urllib.request.urlopen(req, timeout=10).close()
        args2 = ["-i", pcap, "-d", os.path.join(tmp, "d2"), "-m", LOCAL, "-P",
                 "--timeseries-driver", "influxdb", "--influxdb-url", ix.url,
                 "--influxdb-db", cdb, "--influxdb-user", "admin",
                 "--influxdb-password", "se cret"]
        with Node(args2, name="influxdb_ts_conflict") as n:
            d = n.wait_ended()
            for _ in range(40):
                lg = ledger(n)
                if lg.get("rejected", 0) >= 1:
                    break
                time.sleep(0.5)
            expect(lg.get("rejected", 0) >= 1 and
                   0 < lg.get("rejected_points", 0) < lg.get("points", 0) and
                   lg.get("points_written", 0) > 0,
                   "type conflict: batches refused %d, points refused %d of %d, "
                   "%d written" % (lg.get("rejected", 0), lg.get("rejected_points", 0),
                                   lg.get("points", 0), lg.get("points_written", 0)))
            expect("points refused (HTTP 400)" in n.read_log() and
                   "field type conflict" in n.read_log(),
                   "the refusal is logged with InfluxDB's reason")
            pk = ix.query('SELECT last("packets") FROM "iface:packets"', db=cdb)
            expect(pk[0].get("series") and
                   pk[0]["series"][0]["values"][0][1] == d["packets"],
                   "the batch's other points written: iface:packets %r = %d"
                   % (pk[0].get("series"), d["packets"]))
            ix.query("DROP DATABASE %s" % cdb, db="")
            dropped_at = int(time.time())
            for _ in range(40):
                time.sleep(0.5)
                pk = ix.query('SELECT last("packets") FROM "iface:packets"',
                              db=cdb)[0]
                if pk.get("series"):
                    break
            expect(pk.get("series") and
                   pk["series"][0]["values"][0][1] == d["packets"] and
                   "creating it again" in n.read_log(),
                   "database dropped at %d: made again, iface:packets %r"
                   % (dropped_at, pk.get("series")))
            # stopped while InfluxDB is down: its last batches stay in the
            # spool, and the next start sends them
            ix.stop()
            down2 = int(time.time())
            time.sleep(6)
            assert n.stop() == 0
            exit2 = int(time.time())
            left = re.search(r"influxdb: .* (\d+) batches left in the spool",
                             n.read_log())
        expect(left and int(left.group(1)) >= 1,
               "stopped with InfluxDB down: %s batches left in the spool"
               % (left.group(1) if left else None))
        ix.start()
        with Node(args2, name="influxdb_ts_resume") as n:
            for _ in range(30):
                lg = ledger(n)
                if lg.get("batches", 0) >= 1 and lg.get("spool_files", 1) == 0:
                    break
                time.sleep(0.5)
            res = ix.query('SELECT "packets" FROM "iface:packets" WHERE '
                           "ifid='0' AND time >= %ds AND time <= %ds"
                           % (down2, exit2), db=cdb)[0]
            rows = res["series"][0]["values"] if "series" in res else []
            expect("of a previous run wait in" in n.read_log() and
                   lg.get("spool_files") == 0 and
                   len(rows) >= (exit2 - down2) - 3,
                   "the next start sent the previous run's spool: %d points "
                   "in its last %d s, spool %r"
                   % (len(rows), exit2 - down2, lg.get("spool_files")))
            assert n.stop() == 0
    finally:
        ix.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
