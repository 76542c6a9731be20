#!/usr/bin/python3
"""Alerts across a hierarchy (issue 15, docs/hierarchy.md "alert topic"):
an edge (-I, --node-id edge1) engages two user_script alerts from its
callback.  The hub (collecting the edge) lists both as engaged with the
edge's site path and node id (filtered by site=edge1, not by site=other)
and counts them in engaged_alerts.  The edge releases one (the test drops
a file its callback looks for): at the hub its engaged copy goes and the
edge's past row comes, with the edge's times and fields, and stays after
the edge has stopped.  A hub restarted while the other alert is engaged
learns it again from the edge's re-announcement (every 10 s).  The hub's
collector counts the topic.
"""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402

SECOND = (
    'local n = tonumber(ntop.getCache("alerts.test.n") or "0") or 0\n'
    'ntop.setCache("alerts.test.n", tostring(n + 1))\n'
    'if n == 0 then\n'
    '  ntop.triggerAlert("host", "10.0.0.9", "custom", "error", "edge alert", 42, 7)\n'
    '  ntop.triggerAlert("host", "10.0.0.8", "custom", "warning", "stays", 1, 0)\n'
    'end\n'
    'local f = io.open("%s", "r")\n'
    'if f then f:close(); ntop.releaseAlert("host", "10.0.0.9", "custom") end\n')


def wait_for(fn, timeout):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.3)


def alerts(n, status, **kw):
    return n.rest("get/alert/list.lua", ifid=0, status=status, **kw)


def main():
    if not os.path.isdir(node.PCAPS):
        print("NTOPNG_SHARED pcaps not found")
        return 77
    tmp = tempfile.mkdtemp(prefix="alerts-hier-")
    cbd = os.path.join(tmp, "cb")
    os.makedirs(cbd)
    port = node.free_port()
    pcap = os.path.join(node.PCAPS, "dns.pcap")
    hub_dd = os.path.join(tmp, "hub")
    os.makedirs(hub_dd)
    hub_args = ["-i", "hub=tcp://127.0.0.1:%d" % port, "--node-id", "hub", "-d", hub_dd]
    hub = node.Node(hub_args, name="alerts-hub")
    edge = node.Node(["-i", pcap, "-I", "tcp://127.0.0.1:%d" % port, "--node-id", "edge1",
                      "-3", cbd], name="alerts-edge")
    release = os.path.join(edge.data_dir, "release")
    with open(os.path.join(cbd, "second.lua"), "w") as f:
        f.write(SECOND % release)
    with hub:
        with edge:
            e = wait_for(lambda: len(alerts(edge, "engaged")["data"]) == 2 and
                         alerts(edge, "engaged")["data"], 10)
            expect(e and len(e) == 2, "the edge engaged two alerts: %s" % e)
            h = wait_for(lambda: len(alerts(hub, "engaged")["data"]) == 2 and
                         alerts(hub, "engaged")["data"], 10)
            expect(h and len(h) == 2, "the hub lists the edge's engaged alerts: %s" % h)
            if h and e:
                a = [x for x in h if x["entity_val"] == "10.0.0.9"]
                b = [x for x in e if x["entity_val"] == "10.0.0.9"]
                expect(a and b and a[0]["site_path"] == "edge1" and
                       a[0]["node_id"] == "edge1" and a[0]["tstamp_end"] == 0 and
                       a[0]["tstamp"] == b[0]["tstamp"] and a[0]["severity_name"] == "error" and
                       a[0]["msg"] == "edge alert",
                       "engaged at the hub with the edge's path, id and times: %s" % a)
            expect(alerts(hub, "engaged", site="edge1")["totalRows"] == 2 and
                   alerts(hub, "engaged", site="other")["totalRows"] == 0,
                   "engaged alerts filtered by site")
            d = hub.rest("get/interface/data.lua", ifid=0)
            expect(d["engaged_alerts"] == 2, "hub engaged_alerts %d" % d["engaged_alerts"])
            open(release, "w").close()
            p = wait_for(lambda: alerts(edge, "past")["data"], 10)
            expect(len(p) == 1, "the edge released its alert: %s" % p)
            h = wait_for(lambda: alerts(hub, "past")["data"], 10)
            expect(len(h) == 1, "the hub has the edge's past alert: %s" % h)
            if h and p:
                a, e = h[0], p[0]
                expect(a["site_path"] == "edge1" and a["node_id"] == "edge1" and
                       a["entity_val"] == "10.0.0.9" and a["type_key"] == "user_script" and
                       a["severity_name"] == "error" and a["value"] == 42 and
                       a["threshold"] == 7 and a["msg"] == "edge alert" and
                       a["tstamp"] == e["tstamp"] and a["tstamp_end"] == e["tstamp_end"],
                       "with the edge's site path, node id, times and fields: %s" % a)
            en = alerts(hub, "engaged")["data"]
            expect([x["entity_val"] for x in en] == ["10.0.0.8"],
                   "its engaged copy left the hub's engaged list: %s" % en)
            f = alerts(hub, "past", site="edge1")
            expect(f["totalRows"] == 1, "site=edge1 keeps it")
            f = alerts(hub, "past", site="other")
            expect(f["totalRows"] == 0, "site=other filters it out")
            src = hub.rest("get/interface/sources.lua", ifid=0)
            topics = src[0].get("topics", {}) if src else {}
            expect(topics.get("alert", 0) >= 3, "the hub's collector counted the alert "
                   "messages: %s" % topics)
            # a hub restarted (same data dir) while 10.0.0.8 is engaged
            # learns it again from the edge's re-announcement
            hub.stop()
            hub = node.Node(hub_args, name="alerts-hub2")
            hub.__enter__()
            h = wait_for(lambda: alerts(hub, "engaged")["data"], 30)
            expect(h and [x["entity_val"] for x in h] == ["10.0.0.8"] and
                   h[0]["node_id"] == "edge1" and h[0]["site_path"] == "edge1",
                   "the restarted hub has the engaged alert again: %s" % h)
            expect(alerts(hub, "past")["totalRows"] == 1,
                   "and its past alerts (alerts.sqlite in its data dir)")
        time.sleep(1)
        expect(alerts(hub, "past")["totalRows"] == 1, "kept at the hub after the edge went away")
        expect(alerts(hub, "engaged")["totalRows"] == 1,
               "the engaged one too, until %d s without word of it" % 120)
        hub.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
