#!/usr/bin/env python3
"""Time series conserve the counters (docs/storage.md, "Time series").

A node reads teams.pcap at once, idles until the wall-clock minute has
turned (so every minute that holds traffic is a finished row of the
minute archives), and is stopped.  Then, with `rrdtool fetch`:

- iface.rrd, 60 s archive: Σ bytes·60 = the interface's bytes (±1 %),
  Σ packets·60 = its packets; the 1 s archive too.  (Before: a partial
  first minute was averaged over its known seconds and scaled to 60,
  +46 % on this capture.)
- each local host's file (1 min archive): Σ sent·60 and Σ rcvd·60 = the
  host's bytes sent and received (±1 %).
- each protocol's file: Σ (sent + rcvd)·60 = the protocol's bytes in
  get/interface/l7/data.lua (±1 %).
- get/timeseries/ts.lua over the same range answers the same totals.
"""
import glob
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import Node, PCAPS, expect, summary  # noqa: E402

CAP = "teams.pcap"
LOCAL = "192.168.0.0/16,10.0.0.0/8,172.16.0.0/12"


def fetch(path, start, end, res):
    out = subprocess.run(["rrdtool", "fetch", path, "AVERAGE", "-r", str(res),
                          "-s", str(start), "-e", str(end)],
                         capture_output=True, text=True, check=True).stdout
    lines = [l for l in out.split("\n") if l.strip()]
    names = lines[0].split()
    rows = []
    for l in lines[1:]:
        t, vals = l.split(":", 1)
        rows.append((int(t), [float(v) for v in vals.split()]))
    step = rows[1][0] - rows[0][0] if len(rows) > 1 else res
    tot = [sum(r[1][i] for r in rows if not math.isnan(r[1][i])) * step
           for i in range(len(names))]
    return dict(zip(names, tot)), step


def close(a, b):
    return abs(a - b) <= max(0.01 * b, 1.0)


def main():
    if shutil.which("rrdtool") is None:
        print("SKIP: rrdtool not installed (tools/install-deps.sh)")
        return 77
    pcap = os.path.join(PCAPS, CAP)
    if not os.path.exists(pcap):
        print("SKIP: %s missing" % pcap)
        return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-tstot-")
    dd = os.path.join(tmp, "d")
    try:
        t0 = int(time.time())
        with Node(["-i", pcap, "-d", dd, "-m", LOCAL], name="timeseries_totals") as n:
            d = n.wait_ended()
            hosts = n.rest("get/host/active.lua", ifid=0, perPage=1000)["data"]
            l7 = n.rest("get/interface/l7/data.lua", ifid=0)
            # wait for the minute to turn (and the owner's minute snapshot)
            turn = (int(time.time()) // 60 + 1) * 60
            while time.time() < turn + 3:
                time.sleep(0.5)
            t1 = int(time.time())
            ts = n.rest("get/timeseries/ts.lua", ifid=0, schema="iface:traffic",
                        epoch_begin=t0 - 120, epoch_end=t1)
            assert n.stop() == 0
        # the interface's directory, whatever the layout
        rrd = os.path.dirname(glob.glob(os.path.join(dd, "**", "iface.rrd"),
                                        recursive=True)[0])

        tot, step = fetch(os.path.join(rrd, "iface.rrd"), t0 - 120, t1, 60)
        expect(step == 60 and close(tot["bytes"], d["bytes"]),
               "iface.rrd %d s archive: bytes %.0f = interface %d"
               % (step, tot["bytes"], d["bytes"]))
        expect(close(tot["packets"], d["packets"]),
               "iface.rrd 60 s archive: packets %.0f = interface %d"
               % (tot["packets"], d["packets"]))
        tot1, step1 = fetch(os.path.join(rrd, "iface.rrd"), t0 - 10, t1, 1)
        expect(step1 == 1 and close(tot1["bytes"], d["bytes"]),
               "iface.rrd 1 s archive: bytes %.0f = interface %d" % (tot1["bytes"], d["bytes"]))
        lab = {s["label"]: s for s in ts["series"]}
        expect(close(lab["bytes"]["total"], d["bytes"]),
               "ts.lua iface:traffic total %.0f = interface %d (step %d)"
               % (lab["bytes"]["total"], d["bytes"], ts["step"]))

        local = [h for h in hosts
                 if os.path.exists(os.path.join(rrd, "hosts", h["ip"] + ".rrd"))]
        expect(len(local) >= 2, "%d local hosts have a file" % len(local))
        bad = []
        for h in local:
            t, _ = fetch(os.path.join(rrd, "hosts", h["ip"] + ".rrd"), t0 - 120, t1, 60)
            if not (close(t["bytes_sent"], h["bytes"]["sent"]) and
                    close(t["bytes_rcvd"], h["bytes"]["recvd"])):
                bad.append((h["ip"], t, h["bytes"]))
        expect(not bad, "host files (1 min): Σ sent, Σ rcvd = the host's bytes: %r" % bad[:3])

        bad = []
        files = 0
        for r in l7:
            p = os.path.join(rrd, "l7", r["application"]["name"] + ".rrd")
            if not os.path.exists(p):
                continue
            files += 1
            t, _ = fetch(p, t0 - 120, t1, 60)
            if not close(t["bytes_sent"] + t["bytes_rcvd"], r["bytes"]["total"]):
                bad.append((r["application"]["name"], t, r["bytes"]["total"]))
        expect(files >= 5, "%d protocols have a file" % files)
        expect(not bad, "protocol files (1 min): Σ bytes = the protocol's bytes: %r" % bad[:3])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
