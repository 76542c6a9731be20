#!/usr/bin/env python3
"""RRD time series (docs/storage.md).

The interface series is keyed by wall-clock seconds (also for offline
captures): a node reads a capture, idles a few seconds, and is stopped.
`rrdtool fetch` on <d>/interfaces/<dir>/rrd/iface.rrd at 1-second resolution must then
show the capture's traffic: the per-second byte and packet rates add up
to the capture's totals, and the flows/hosts gauges end at the
interface's counts.  The REST call get/timeseries/ts.lua returns the same
series.  Per-L7 and per-local-host files exist for the protocols and
local hosts of the capture.
"""
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import Node, PCAPS, free_port, iface_dir, ndpi_protocols, reference  # noqa: E402

CAP = "http_ipv6.pcap"


def fetch(path, start, end):
    out = subprocess.run(["rrdtool", "fetch", path, "AVERAGE", "-r", "1",
                          "-s", str(start), "-e", str(end)],
                         capture_output=True, text=True, check=True).stdout
    lines = [l for l in out.split("\n") if l.strip()]
    names = lines[0].split()
    rows = []
    for l in lines[1:]:
        t, vals = l.split(":", 1)
        rows.append((int(t), [float(v) for v in vals.split()]))
    return names, rows


def main():
    if shutil.which("rrdtool") is None:
        print("SKIP: rrdtool not installed (tools/install-deps.sh)")
        return 77
    pcap = os.path.join(PCAPS, CAP)
    if not os.path.exists(pcap):
        print("SKIP: %s missing" % pcap)
        return 77
    ref = reference()[CAP]
    tmp = tempfile.mkdtemp(prefix="ntopng-ts-")
    dd = os.path.join(tmp, "d")
    try:
        t0 = int(time.time())
        with Node(["-i", pcap, "-d", dd, "-r", "127.0.0.1:%d" % free_port(),
                   "-m", "2a00:d40:1:3::/64"], name="timeseries") as n:
            d = n.wait_ended()
            time.sleep(3.5)          # a few idle seconds in the series
            ts = n.rest("get/timeseries/ts.lua", ifid=0, schema="iface:traffic",
                        epoch_begin=t0 - 5, epoch_end=int(time.time()) + 1)
            assert n.stop() == 0
        t1 = int(time.time())
        rrd = os.path.join(dd, "interfaces", iface_dir(pcap), "rrd")
        assert d["bytes"] == int(ref["bytes"]) and d["packets"] == int(ref["packets"])

        names, rows = fetch(os.path.join(rrd, "iface.rrd"), t0 - 5, t1 + 2)
        assert names == ["bytes", "packets", "flows", "hosts", "drops"], names
        known = [(t, v) for t, v in rows if not math.isnan(v[0])]
        assert len(known) >= 3, rows
        tot_b = sum(v[0] for _, v in known)
        tot_p = sum(v[1] for _, v in known)
        assert abs(tot_b - d["bytes"]) < 0.5, (tot_b, d["bytes"])
        assert abs(tot_p - d["packets"]) < 0.01, (tot_p, d["packets"])
        assert any(v[0] == 0 for _, v in known), "no idle second: %r" % known
        last = known[-1][1]
        assert last[2] == d["num_flows"] and last[3] == d["num_hosts"], (last, d)
        print("iface.rrd: %d seconds with data, bytes %.0f = %d, packets %.0f = %d, "
              "flows %d, hosts %d: OK" % (len(known), tot_b, d["bytes"], tot_p,
                                         d["packets"], last[2], last[3]))

        # the REST series is the same data
        lab = {s["label"]: s for s in ts["series"]}
        assert ts["step"] == 1 and set(lab) == set(names), ts
        assert abs(lab["bytes"]["total"] - d["bytes"]) < 0.5, lab["bytes"]["total"]
        print("ts.lua iface:traffic: step 1, total bytes %.0f: OK" % lab["bytes"]["total"])

        l7 = sorted(os.listdir(os.path.join(rrd, "l7")))
        want = sorted(k + ".rrd" for k in ndpi_protocols(ref))
        assert l7 == want, (l7, want)
        hosts = os.listdir(os.path.join(rrd, "hosts"))
        assert hosts and all(h.startswith("2a00:d40:1:3:") for h in hosts), hosts
        names, rows = fetch(os.path.join(rrd, "l7", "ntop.rrd"),
                            t0 - 120, t1 + 120)
        assert names == ["bytes_sent", "bytes_rcvd"], names
        print("per-minute files: l7 %s, %d local hosts: OK" % (l7, len(hosts)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
