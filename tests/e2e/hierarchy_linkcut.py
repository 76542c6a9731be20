#!/usr/bin/python3
"""A link cut in default mode (docs/hierarchy.md "Liveness"), inside a
network namespace this test creates: an edge reads a capture in real time
(a FIFO) and exports to a hub; loopback then goes down for 10 s
(`ip link set lo down` inside the namespace), and up again.
- the hub marked the edge's link down during the cut (its log, and a
  source_silent alert with metric "link", released since: in the past
  alerts) and up again after it;
- no message was lost: TCP bridged the cut (the ZMTP heartbeat gives up
  only after 30 s), and once the feed ends the hub holds exactly the
  edge's bytes, packets and flows.
Exit 77 when network namespaces cannot be made here.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402
import hierarchy_converge as hc  # noqa: E402


def inner():
    port = node.free_port()
    feed, th = hc.start_feed(41, 30)
    edge = node.Node(["-i", "feed=" + feed, "-I", "tcp://127.0.0.1:%d" % port,
                      "--node-id", "cut-edge"], name="cut-edge")
    hub = node.Node(["-i", "hub=tcp://127.0.0.1:%d" % port, "--node-id", "cut-hub"],
                    name="cut-hub")
    try:
        edge.__enter__()
        hub.__enter__()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and hc.totals(hub)[0] == 0:
            time.sleep(0.2)
        time.sleep(3)
        before = hc.totals(hub)
        subprocess.run(["ip", "link", "set", "lo", "down"], check=True)
        time.sleep(10)
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        th.join()
        edge.wait_ended()
        want = hc.totals(edge)
        got, took = hc.wait_for(hub, 0, want, timeout=60)
        expect(before[0] > 0 and got == want,
               "a 10 s cut bridged: the hub holds exactly the edge's totals %r == %r "
               "(it had %d bytes before the cut)" % (got, want, before[0]))
        log = hub.read_log()
        expect("link from cut-edge down" in log and "link from cut-edge up again" in log,
               "the hub's log: the link went down during the cut, up after it")
        past = [a for a in hub.rest("get/alert/list.lua", ifid=0, status="past")["data"]
                if "cut-edge" in str(a.get("entity_val", "")) + str(a.get("msg", ""))]
        eng = [a for a in hub.rest("get/alert/list.lua", ifid=0, status="engaged")["data"]
               if "cut-edge" in str(a.get("entity_val", "")) + str(a.get("msg", ""))]
        expect(len(past) >= 1 and not eng,
               "its source_silent link alert was raised and released (%r)"
               % [a.get("msg") for a in past])
        lk = [p["link"] for s in hub.rest("get/interface/sources.lua", ifid=0)
              for p in s.get("probes", []) if p.get("link")]
        expect(len(lk) == 1 and lk[0]["state"] == "up" and lk[0]["downs"] >= 1,
               "sources.lua: the link is up, after %s down(s), lag p50/p99 %s/%s ms"
               % (lk[0]["downs"] if lk else "?", lk[0]["lag_p50_ms"] if lk else "?",
                  lk[0]["lag_p99_ms"] if lk else "?"))
    finally:
        subprocess.run(["ip", "link", "set", "lo", "up"], capture_output=True)
        hub.__exit__(None, None, None)
        edge.__exit__(None, None, None)


def main():
    return node.netns_main(__file__, inner, failures, timeout=180)


if __name__ == "__main__":
    sys.exit(main())
