#!/usr/bin/python3
"""Alerts across a hierarchy (issue 15, docs/hierarchy.md "alert topic"):
an edge (-I, --node-id edge1) raises and releases a user_script alert
from its callback; its past alert goes up as an `alert` message and the
hub (collecting the edge) keeps it as a past alert of its own with the
edge's site path and node id: listed by get/alert/list.lua?status=past,
filtered by site=edge1 (and not by site=other), and still there after the
edge has stopped.  The hub's collector counts the topic.
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402

SECOND = ('local n = tonumber(ntop.getCache("alerts.test.n") or "0") or 0\n'
          'ntop.setCache("alerts.test.n", tostring(n + 1))\n'
          'if n == 0 then ntop.triggerAlert("host", "10.0.0.9", "custom", "error", '
          '"edge alert", 42, 7)\n'
          'elseif n == 2 then ntop.releaseAlert("host", "10.0.0.9", "custom") end\n')


def wait_for(fn, timeout):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.3)


def main():
    if not os.path.isdir(node.PCAPS):
        print("NTOPNG_SHARED pcaps not found")
        return 77
    tmp = tempfile.mkdtemp(prefix="alerts-hier-")
    cbd = os.path.join(tmp, "cb")
    os.makedirs(cbd)
    with open(os.path.join(cbd, "second.lua"), "w") as f:
        f.write(SECOND)
    port = node.free_port()
    pcap = os.path.join(node.PCAPS, "dns.pcap")
    with node.Node(["-i", "hub=tcp://127.0.0.1:%d" % port, "--node-id", "hub"],
                   name="alerts-hub") as hub:
        with node.Node(["-i", pcap, "-I", "tcp://127.0.0.1:%d" % port, "--node-id", "edge1",
                        "-3", cbd], name="alerts-edge") as edge:
            p = wait_for(lambda: edge.rest("get/alert/list.lua", ifid=0, status="past")["data"],
                         10)
            expect(len(p) == 1, "the edge released its alert: %s" % p)
            h = wait_for(lambda: hub.rest("get/alert/list.lua", ifid=0, status="past")["data"],
                         10)
            expect(len(h) == 1, "the hub has the edge's alert: %s" % h)
            if h and p:
                a, e = h[0], p[0]
                expect(a["site_path"] == "edge1" and a["node_id"] == "edge1" and
                       a["entity_val"] == "10.0.0.9" and a["type_key"] == "user_script" and
                       a["severity_name"] == "error" and a["value"] == 42 and
                       a["threshold"] == 7 and a["msg"] == "edge alert" and
                       a["tstamp"] == e["tstamp"] and a["tstamp_end"] == e["tstamp_end"],
                       "with the edge's site path, node id, times and fields: %s" % a)
            f = hub.rest("get/alert/list.lua", ifid=0, status="past", site="edge1")
            expect(f["totalRows"] == 1, "site=edge1 keeps it")
            f = hub.rest("get/alert/list.lua", ifid=0, status="past", site="other")
            expect(f["totalRows"] == 0, "site=other filters it out")
            src = hub.rest("get/interface/sources.lua", ifid=0)
            topics = src[0].get("topics", {}) if src else {}
            expect(topics.get("alert") == 1, "the hub's collector counted one alert "
                   "message: %s" % topics)
        time.sleep(1)
        h = hub.rest("get/alert/list.lua", ifid=0, status="past")
        expect(h["totalRows"] == 1, "kept at the hub after the edge went away")
        d = hub.rest("get/interface/data.lua", ifid=0)
        expect(d["engaged_alerts"] == 0, "nothing engaged at the hub")
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
