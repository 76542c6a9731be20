#!/usr/bin/env python3
"""Storage follows the interface, not its ifid (docs/storage.md,
"Interface identity").

Two captures A and B, one data directory, one redis-server:

1. Run 1: -i A -i B (A is ifid 0), -F, --node-id n1.  Interface 0 (A) is
   renamed "alpha" with set/interface/name.lua.
2. Run 2: -i B -i A (A is now ifid 1), same directory and Redis:
   - interfaces.lua: ifid 1 (A) is "alpha", ifid 0 (B) keeps its name;
   - ts.lua ifid=1 (A) over both runs totals 2 x A's bytes, ifid=0 2 x B's
     (each run added its own capture to its own file);
   - the Historical load of ifid=1 reads A's day files: 2 x A's flows and
     bytes; of ifid=0, B's;
   - the host cache: A's hosts were restored into A (each host 2 x).
3. Run 3: another node (--node-id n2) on the same Redis with -i A: its
   interface is not "alpha" (the name is node 1's).
"""
import glob
import json
import os
import sqlite3
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import Node, PCAPS, expect, summary  # noqa: E402
from redisd import Redis  # noqa: E402

A = os.path.join(PCAPS, "6in4tunnel.pcap")
B = os.path.join(PCAPS, "http_ipv6.pcap")


def post(n, endpoint, body):
    st, _, data = n.http("POST", "/lua/rest/v2/" + endpoint, body=body)
    js = json.loads(data)
    return st, js


def names(n):
    return {i["ifid"]: i["name"] for i in n.rest("get/ntopng/interfaces.lua")}


def live(n, ifid):
    d = n.wait_ended(ifid)
    hosts = n.rest("get/host/active.lua", ifid=ifid, perPage=1000)["data"]
    return dict(bytes=d["bytes"], flows=d["num_flows"],
                hosts={h["ip"]: h["bytes"]["sent"] for h in hosts})


def day_range(dd):
    """The first and last epoch of the flows in every day file."""
    lo, hi = None, None
    for f in glob.glob(os.path.join(dd, "interfaces", "*", "flows", "*", "*", "*.sqlite")):
        c = sqlite3.connect(f)
        a, b = c.execute("SELECT min(first_seen), max(last_seen) FROM flows").fetchone()
        c.close()
        if a is not None:
            lo = a if lo is None else min(lo, a)
            hi = b if hi is None else max(hi, b)
    return lo, hi


def main():
    for p in (A, B):
        if not os.path.exists(p):
            print("SKIP: %s missing" % p)
            return 77
    if not Redis.available():
        print("SKIP: redis-server not installed")
        return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-identity-")
    dd = os.path.join(tmp, "d")
    try:
        with Redis() as r:
            rr = "127.0.0.1:%d" % r.port
            t0 = int(time.time())
            # 1. A is ifid 0
            with Node(["-i", A, "-i", B, "-F", "-d", dd, "-r", rr, "--node-id", "n1"],
                      name="identity-1") as n:
                run1 = {A: live(n, 0), B: live(n, 1)}
                st, js = post(n, "set/interface/name.lua", {"ifid": 0, "name": "alpha"})
                expect(st == 200 and js.get("rc") == 0, "run 1: interface 0 (A) named alpha")
                expect(names(n)[0] == "alpha", "run 1: interfaces.lua shows alpha for A")
                time.sleep(1.5)
                expect(n.stop() == 0, "run 1: exit 0")

            # 2. A is ifid 1
            with Node(["-i", B, "-i", A, "-F", "-d", dd, "-r", rr, "--node-id", "n1"],
                      name="identity-2") as n:
                run2 = {B: live(n, 0), A: live(n, 1)}
                nm = names(n)
                expect(nm[1] == "alpha" and nm[0] != "alpha",
                       "run 2: the name follows A to ifid 1: %r" % nm)
                # host cache: restored into the same interface
                restored = all(run2[A]["hosts"].get(ip) == 2 * b
                               for ip, b in run1[A]["hosts"].items())
                expect(restored and run2[A]["bytes"] == run1[A]["bytes"],
                       "run 2: A's hosts restored into A (2 x their bytes)")
                time.sleep(1.5)
                t1 = int(time.time()) + 1
                for ifid, cap in ((1, A), (0, B)):
                    ts = n.rest("get/timeseries/ts.lua", ifid=ifid, schema="iface:traffic",
                                epoch_begin=t0 - 5, epoch_end=t1)
                    tot = {s["label"]: s["total"] for s in ts["series"]}["bytes"]
                    want = run1[cap]["bytes"] + run2[cap]["bytes"]
                    expect(abs(tot - want) < 1,
                           "run 2: ts.lua ifid=%d (%s) totals both runs of it: %.0f = %d"
                           % (ifid, os.path.basename(cap), tot, want))
                lo, hi = day_range(dd)
                expect(lo is not None, "run 1 wrote day files under interfaces/")
                hist = names(n)
                hid = [k for k, v in hist.items() if v == "Historical"][0]
                for ifid, cap in ((1, A), (0, B)):
                    st, js = post(n, "set/interface/historical.lua",
                                  {"ifid": ifid, "epoch_begin": (lo or 0) - 60,
                                   "epoch_end": (hi or 0) + 60})
                    rep = js.get("rsp") or {}
                    expect(st == 200 and rep.get("loaded_flows") == run1[cap]["flows"],
                           "run 2: Historical of ifid %d reads %s's day files: %r rows = %d"
                           % (ifid, os.path.basename(cap), rep.get("loaded_flows"),
                              run1[cap]["flows"]))
                    d = n.rest("get/interface/data.lua", ifid=hid)
                    expect(d["bytes"] == run1[cap]["bytes"],
                           "run 2: ... and shows its bytes: %d = %d"
                           % (d["bytes"], run1[cap]["bytes"]))
                expect(n.stop() == 0, "run 2: exit 0")

            # 3. another node on the same Redis
            with Node(["-i", A, "-r", rr, "--node-id", "n2"], name="identity-3") as n:
                nm = names(n)
                expect(nm[0] != "alpha", "node n2: its A is not named alpha: %r" % nm)
                expect(n.stop() == 0, "node n2: exit 0")
            keys = r.cli("KEYS", "ntopng.prefs.*name*")
            expect(len(keys) == 1 and ".n1." in keys[0],
                   "the name key holds the node id: %r" % keys)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
