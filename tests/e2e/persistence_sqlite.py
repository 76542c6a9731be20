#!/usr/bin/env python3
"""Flow history in SQLite (-F, -D) and the Historical interface
(docs/storage.md).

1. -F -D all on two IP-only captures (two interfaces), stopped with
   SIGTERM: the day files <d>/interfaces/<dir>/flows/YYYY/MM/DD.sqlite
   (<dir> from the interface's name, node.iface_dir) are in WAL
   mode, hold one row per flow, and their bytes and packets equal the
   interface's (every flow expired at shutdown); contacts hold two rows
   per flow.
2. A new node loads those files into "Historical": the report counts the
   rows, and the interface shows the same bytes, packets, hosts and L7
   byte totals as the live run.
3. A file of ntopng 1.x's schema (common columns + json) loads too, named
   by an interface of no current -i (ifname=); a corrupt file is reported
   with SQLite's message and the load goes on; a missing day is reported
   as missing.
4. Bad data directories: -d naming a regular file exits 1 with one clear
   line; a corrupt day file and an unwritable flows directory cost their
   records (counted, logged), not the node.
"""
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import BIN, Node, PCAPS, free_port, iface_dir, ndpi_protocols, reference  # noqa: E402

CAPS = ["6in4tunnel.pcap", "http_ipv6.pcap"]


def ifdir(d, ifid):
    """<d>/interfaces/<dir> of interface ifid (CAPS order), or of the
    interface named ifid when it is a string."""
    name = ifid if isinstance(ifid, str) else os.path.join(PCAPS, CAPS[ifid])
    return os.path.join(d, "interfaces", iface_dir(name))


def day_path(d, ifid, what, epoch):
    t = time.localtime(epoch)
    return os.path.join(ifdir(d, ifid), what, "%04d" % t.tm_year,
                        "%02d" % t.tm_mon, "%02d.sqlite" % t.tm_mday)


def rows(d, ifid, what="flows"):
    out = []
    for f in sorted(glob.glob(os.path.join(ifdir(d, ifid), what, "*", "*", "*.sqlite"))):
        c = sqlite3.connect(f)
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal", f
        c.row_factory = sqlite3.Row
        out += [dict(r) for r in c.execute("SELECT * FROM %s" % what)]
        c.close()
    return out


def l7_bytes(n, ifid):
    rsp = n.rest("get/interface/l7/stats.lua", ifid=ifid, ndpistats_mode="count")
    return rsp


def post_historical(n, **body):
    st, _, data = n.http("POST", "/lua/rest/v2/set/interface/historical.lua", body=body)
    import json
    js = json.loads(data)
    assert st == 200 and js["rc"] == 0, (st, js)
    return js["rsp"]


def main():
    ref = reference()
    for c in CAPS:
        if not os.path.exists(os.path.join(PCAPS, c)):
            print("SKIP: %s missing" % c)
            return 77
        p = ndpi_protocols(ref[c])
        assert sum(v[2] for v in p.values()) == int(ref[c]["bytes"]), c   # IP only
    tmp = tempfile.mkdtemp(prefix="ntopng-sqlite-")
    dd = os.path.join(tmp, "d")
    # -s: stay root, the data dirs are under run.sh's 0700 TMPDIR
    noredis = ["-r", "127.0.0.1:%d" % free_port(), "-s"]
    try:
        # 1. live run, flushed at SIGTERM
        args = []
        for c in CAPS:
            args += ["-i", os.path.join(PCAPS, c)]
        live = {}
        with Node(args + ["-F", "-D", "all", "-d", dd] + noredis, name="sqlite-live") as n:
            ifs = n.rest("get/ntopng/interfaces.lua")
            assert [i["name"] for i in ifs][-1] == "Historical", ifs
            hist_id = ifs[-1]["ifid"]
            for ifid in range(len(CAPS)):
                d = n.wait_ended(ifid)
                hosts = n.rest("get/host/active.lua", ifid=ifid, perPage=1000)
                live[ifid] = dict(bytes=d["bytes"], packets=d["packets"],
                                  flows=d["num_flows"], hosts=d["num_hosts"],
                                  host_bytes=sorted((h["ip"], h["bytes"]["sent"], h["bytes"]["recvd"])
                                                    for h in hosts["data"]))
            assert n.stop() == 0, n.read_log()[-1500:]
        epochs = []
        for ifid, c in enumerate(CAPS):
            r = rows(dd, ifid)
            assert len(r) == live[ifid]["flows"], (c, len(r), live[ifid])
            assert sum(x["bytes"] for x in r) == live[ifid]["bytes"] == int(ref[c]["bytes"]), c
            assert sum(x["cli2srv_bytes"] + x["srv2cli_bytes"] for x in r) == live[ifid]["bytes"]
            assert sum(x["cli2srv_packets"] + x["srv2cli_packets"] for x in r) == live[ifid]["packets"]
            assert all(x["duration"] == x["last_seen"] - x["first_seen"] for x in r)
            assert all(x["ifname"] == os.path.join(PCAPS, c) for x in r)
            ct = rows(dd, ifid, "contacts")
            assert len(ct) == 2 * len(r), (len(ct), len(r))
            epochs += [x["first_seen"] for x in r] + [x["last_seen"] for x in r]
            print("1. %s: %d rows = flows, %d bytes = interface bytes, %d contacts: OK"
                  % (c, len(r), live[ifid]["bytes"], len(ct)))
        begin, end = min(epochs) - 60, max(epochs) + 60

        # 2. Historical interface
        with Node(["-i", os.path.join(PCAPS, CAPS[0]), "-F", "-d", dd] + noredis,
                  name="sqlite-hist") as n:
            hist_id = n.rest("get/ntopng/interfaces.lua")[-1]["ifid"]
            for ifid in range(len(CAPS)):
                # files follow the interface: CAPS[1] is no -i of this
                # run (its ifid 1 is Historical), so it is named
                src = dict(ifid=0) if ifid == 0 else dict(ifname=os.path.join(PCAPS, CAPS[ifid]))
                rep = post_historical(n, epoch_begin=begin, epoch_end=end, **src)
                nrows = len(rows(dd, ifid))
                assert rep["loaded_flows"] == nrows and rep["rejected_rows"] == 0, rep
                assert rep["corrupt_files"] == [] and len(rep["files_read"]) >= 1, rep
                d = n.rest("get/interface/data.lua", ifid=hist_id)
                assert d["bytes"] == live[ifid]["bytes"], (d["bytes"], live[ifid])
                assert d["packets"] == live[ifid]["packets"]
                assert d["num_hosts"] == live[ifid]["hosts"]
                assert d["num_flows"] == live[ifid]["flows"]
                hosts = n.rest("get/host/active.lua", ifid=hist_id, perPage=1000)
                hb = sorted((h["ip"], h["bytes"]["sent"], h["bytes"]["recvd"]) for h in hosts["data"])
                assert hb == live[ifid]["host_bytes"], (hb, live[ifid]["host_bytes"])
                fl = n.rest("get/flow/active.lua", ifid=hist_id, perPage=1000)
                assert fl["totalRows"] == live[ifid]["flows"], fl["totalRows"]
                print("2. Historical from interface %d: %d flows, %d bytes, %d hosts "
                      "with the live per-host bytes: OK" % (ifid, rep["loaded_flows"],
                                                            d["bytes"], d["num_hosts"]))

            # 3. a 1.x file, a corrupt file, a missing day
            old_day = begin - 3 * 86400
            p_old = day_path(dd, "old 1.x", "flows", old_day)
            os.makedirs(os.path.dirname(p_old), exist_ok=True)
            c = sqlite3.connect(p_old)
            c.execute("CREATE TABLE flows (ID INTEGER PRIMARY KEY AUTOINCREMENT, vlan_id number, "
                      "cli_ip string KEY, cli_port number, srv_ip string KEY, srv_port number, "
                      "proto number, bytes number, first_seen number, last_seen number, "
                      "duration number, json string)")
            c.execute("INSERT INTO flows (vlan_id, cli_ip, cli_port, srv_ip, srv_port, proto, bytes,"
                      " first_seen, last_seen, duration, json) VALUES (0,'192.168.1.2',40000,"
                      "'10.1.1.1',80,6,1500,?,?,5,?)",
                      (old_day, old_day + 5,
                       '{"cli2srv.bytes":500,"srv2cli.bytes":1000,"cli2srv.packets":5,'
                       '"srv2cli.packets":6,"proto.ndpi":"HTTP"}'))
            c.execute("INSERT INTO flows (vlan_id, cli_ip, cli_port, srv_ip, srv_port, proto, bytes,"
                      " first_seen, last_seen, duration, json) VALUES (0,'192.168.1.3',53000,"
                      "'8.8.8.8',53,17,300,?,?,0,NULL)", (old_day, old_day))
            c.commit()
            c.close()
            p_bad = day_path(dd, "old 1.x", "flows", old_day + 86400)
            os.makedirs(os.path.dirname(p_bad), exist_ok=True)
            with open(p_bad, "wb") as f:
                f.write(b"this is not an SQLite file" * 100)
            rep = post_historical(n, ifname="old 1.x", epoch_begin=old_day - 10,
                                  epoch_end=old_day + 2 * 86400 + 10)
            assert rep["loaded_flows"] == 2, rep
            # file lists are relative to the data directory (no absolute paths)
            assert [x["file"] for x in rep["corrupt_files"]] == [os.path.relpath(p_bad, dd)], rep
            assert "not a database" in rep["corrupt_files"][0]["error"], rep
            assert os.path.relpath(day_path(dd, "old 1.x", "flows", old_day + 2 * 86400), dd) \
                in rep["missing_files"], rep
            assert not any(f.startswith("/") for f in rep["missing_files"] + rep["files_read"]), rep
            d = n.rest("get/interface/data.lua", ifid=hist_id)
            assert d["bytes"] == 1800 and d["num_flows"] == 2, d
            fl = n.rest("get/flow/active.lua", ifid=hist_id, perPage=10)
            l7 = sorted((f["server"]["port"], f["protocol"]["l7"]) for f in fl["data"])
            assert l7[0][0] == 53 and l7[1] == (80, "HTTP"), l7
            web = [f for f in fl["data"] if f["server"]["port"] == 80][0]
            assert web["bytes"] == 1500, web
            print("3. ntopng 1.x file loaded (2 rows, 1800 bytes, HTTP), corrupt file "
                  "reported (%s), missing day reported: OK" % rep["corrupt_files"][0]["error"])
            assert n.stop() == 0

        # 4a. -d is a regular file
        f = os.path.join(tmp, "plainfile")
        open(f, "w").close()
        p = subprocess.run([BIN, "-i", os.path.join(PCAPS, CAPS[0]), "-d", f, "-w", "0",
                            "--shutdown-when-done"] + noredis,
                           capture_output=True, text=True, timeout=60)
        node.check_output("ntopng -d <file>", p.stdout + p.stderr, [re.escape(f)])
        errs = [l for l in (p.stdout + p.stderr).split("\n") if "-d " in l]
        assert p.returncode == 1 and len(errs) == 1 and f in errs[0], (p.returncode, p.stdout, p.stderr)
        print("4a. -d on a regular file: exit 1, '%s': OK" % errs[0].strip())

        # 4b. corrupt day file + unwritable flows directory
        dd2 = os.path.join(tmp, "d2")
        r0 = rows(dd, 0)
        bad = day_path(dd2, 0, "flows", r0[0]["last_seen"])
        os.makedirs(os.path.dirname(bad))
        with open(bad, "wb") as fh:
            fh.write(b"garbage" * 1000)
        os.makedirs(ifdir(dd2, 1))
        open(os.path.join(ifdir(dd2, 1), "flows"), "w").close()   # a file where a dir must be
        p = subprocess.run([BIN, "-i", os.path.join(PCAPS, CAPS[0]),
                            "-i", os.path.join(PCAPS, CAPS[1]), "-F", "-d", dd2, "-w", "0",
                            "--shutdown-when-done"] + noredis,
                           capture_output=True, text=True, timeout=60)
        out = p.stdout + p.stderr
        # the errors provoked name files under the damaged data dir
        node.check_output("ntopng -d <damaged dir>", out, [re.escape(dd2)])
        assert p.returncode == 0, out[-2000:]
        assert "STATS ifid=0" in out and "STATS ifid=1" in out, out[-2000:]
        assert any(bad in l and "not a database" in l for l in out.split("\n")), out[-2000:]
        assert any(os.path.join(ifdir(dd2, 1), "flows") in l for l in out.split("\n")), out[-2000:]
        assert open(bad, "rb").read() == b"garbage" * 1000     # left as it was
        m = [l for l in out.split("\n") if "storage: kv" in l][0]
        dberr = int(m.split(" db errors")[0].split()[-1])
        assert dberr == live[0]["flows"] + live[1]["flows"], (m, live)
        lost = int(m.split(" flows lost")[0].split()[-1])
        assert lost == dberr, (m, live)
        print("4b. corrupt day file and unwritable directory: logged once each, "
              "%d records counted as db errors, exit 0: OK" % dberr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
