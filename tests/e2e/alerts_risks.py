#!/usr/bin/python3
"""Flow risks, scores and the source/table alerts (issue 15; docs/alerts.md,
"Flow risks and scores", "Source and table alerts").  Known answers:

- windowsupdate_over_http.pcap: ndpiReader 4.2 (-v 2) reports one flow
  10.0.2.15:49815 -> 151.99.72.125:80 with "Binary Application Transfer"
  (risk 4) and "HTTP Numeric IP Address" (risk 12).  Our table
  (dpi/risk.c): binary_application_transfer high = 100, 90 % client;
  http_numeric_ip_host low = 10, 90 % client.  So flow_risk = 1<<4 | 1<<12
  = 4112, flow score 110 (client 90 + 9 = 99, server 10 + 1 = 11); host
  10.0.2.15 score 99 (as_client 99), 151.99.72.125 score 11 (as_server
  11); interface score 110, 1 risky flow.
- bot.pcap: ndpiReader: "HTTP Suspicious User-Agent" (11) and "Possible
  Exploit Detected" (40): high 100 + severe 250, both 90 % client: flow
  score 350, client 40.77.167.36 315, server 89.31.72.220 35.
- get/alert/list.lua?status=past: the flow
  alerts of those risks are past alerts with the table's severity
  (high -> error, low -> notice, severe -> critical).
- A ZMQ publisher that sends a flow every 0.3 s for 5 s, then stops: the
  source (checked once a second, so its learned interval is ~1 s) is
  engaged silent within 3x that (+ the check's second), shown in
  interface/data health_alerts.silent_sources; released when it sends
  again.
- a ZMQ publisher whose msg_id jumps by 50: 49 drops in a minute (> 10),
  msg_drops engaged with value 49.
- -F on a 256 KB tmpfs (root only): storage_failure engaged.
- -H: the same scores, no flow_risk alert.
- -x 5 on dns_fragmented.pcap (more than 5 hosts): hosts table full,
  engaged.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402

PCAPS = node.PCAPS

# dpi/risk.c, as documented in docs/alerts.md: id -> (name, score, client %)
TABLE = {4: ("binary_application_transfer", 100, 90),
         11: ("http_suspicious_user_agent", 100, 90),
         12: ("http_numeric_ip_host", 10, 90),
         40: ("possible_exploit", 250, 90)}
SEV = {4: "error", 11: "error", 12: "notice", 40: "critical"}


def split(ids):
    cli = sum(TABLE[i][1] * TABLE[i][2] // 100 for i in ids)
    tot = sum(TABLE[i][1] for i in ids)
    return tot, cli, tot - cli


def risky_rows(n):
    rows = n.rest("get/flow/active.lua", ifid=0, perPage=1000)["data"]
    return [r for r in rows if r.get("flow_risk")]


def alert_list(n, **kw):
    """get/alert/list.lua rows, or None when the endpoint is not there."""
    st, raw = n.get("/lua/rest/v2/get/alert/list.lua", dict(ifid=0, **kw), raw=True)
    if st == 404:
        expect(False, "get/alert/list.lua answers (the alert core)")
        return []
    js = json.loads(raw) if raw else {}
    if st != 200 or js.get("rc") != 0:
        expect(False, "alert/list %r: HTTP %d %r" % (kw, st, js))
        return []
    rsp = js["rsp"]
    return rsp.get("data", []) if isinstance(rsp, dict) else rsp


def check_capture(pcap, ids, cli_ip, srv_ip, vlan=0):
    at = "@%d" % vlan if vlan else ""
    tot, cli, srv = split(ids)
    with node.Node(["-i", os.path.join(PCAPS, pcap)], name="risks") as n:
        n.wait_ended()
        rows = risky_rows(n)
        expect(len(rows) == 1, "%s: one flow with risks (%d)" % (pcap, len(rows)))
        if rows:
            r = rows[0]
            want = sum(1 << i for i in ids)
            expect(r["flow_risk"] == want, "%s: flow_risk %d == %d" % (pcap, r["flow_risk"], want))
            names = {int(k): v for k, v in r.get("flow_risk_info", {}).items()}
            expect(names == {i: TABLE[i][0] for i in ids},
                   "%s: flow_risk_info %r" % (pcap, names))
            expect((r["score"], r["score.as_client"], r["score.as_server"]) == (tot, cli, srv),
                   "%s: flow score %d/%d/%d == %d/%d/%d" % (pcap, r["score"], r["score.as_client"],
                                                             r["score.as_server"], tot, cli, srv))
            expect((r["client"]["ip"], r["server"]["ip"]) == (cli_ip, srv_ip),
                   "%s: flow %s -> %s" % (pcap, r["client"]["ip"], r["server"]["ip"]))
            d = n.rest("get/flow/details.lua", ifid=0, flow_key=r["hash_id"])
            expect(d["flow_risk"] == want and d["score"] == tot,
                   "%s: flow details flow_risk %d score %d" % (pcap, d["flow_risk"], d["score"]))
        h = n.rest("get/host/data.lua", ifid=0, host=cli_ip + at)
        expect((h["score"], h["score.as_client"], h["score.as_server"]) == (cli, cli, 0),
               "%s: client %s score %d/%d/%d == %d/%d/0" % (pcap, cli_ip, h["score"],
                                                          h["score.as_client"],
                                                          h["score.as_server"], cli, cli))
        h = n.rest("get/host/data.lua", ifid=0, host=srv_ip + at)
        expect((h["score"], h["score.as_server"]) == (srv, srv),
               "%s: server %s score %d/%d == %d" % (pcap, srv_ip, h["score"],
                                                   h["score.as_server"], srv))
        lst = n.rest("get/host/active.lua", ifid=0, perPage=1000)["data"]
        sc = {x["ip"]: x["score"] for x in lst}
        expect(sc.get(cli_ip, {}).get("total") == cli and sc.get(srv_ip, {}).get("total") == srv,
               "%s: host list scores %r" % (pcap, {k: sc.get(k) for k in (cli_ip, srv_ip)}))
        d = n.rest("get/interface/data.lua", ifid=0)
        expect(d["score"] == tot and d["risky_flows"] == 1,
               "%s: interface score %d == %d, risky_flows %d" % (pcap, d["score"], tot,
                                                               d["risky_flows"]))
        al = alert_list(n, status="past")
        got = {a.get("metric"): a.get("severity") for a in al
               if a.get("type") in ("flow_risk", 6)}
        for i in ids:
            sev = got.get(TABLE[i][0])
            expect(sev in (SEV[i], {"notice": 3, "warning": 4, "error": 5,
                                    "critical": 6}[SEV[i]]),
                   "%s: past flow_risk alert %s severity %r == %s" % (pcap, TABLE[i][0],
                                                                      sev, SEV[i]))


def health(n):
    return n.rest("get/interface/data.lua", ifid=0).get("health_alerts", {})


def test_silent_source():
    try:
        import zmq
    except ImportError:
        print("note  python3-zmq missing: silent source not checked")
        return
    port = node.free_port()
    spec = "tcp://127.0.0.1:%dc" % port
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    with node.Node(["-i", spec], name="risks-silent") as n:
        pub.connect("tcp://127.0.0.1:%d" % port)
        time.sleep(0.5)
        msg_id = 0

        def send(i):
            nonlocal msg_id
            msg_id += 1
            now = int(time.time())
            hdr = b"flow".ljust(16, b"\0") + bytes([2, 0]) + b"\0\0" + struct.pack(">II", msg_id, 1)
            body = json.dumps([{"IPV4_SRC_ADDR": "10.9.0.%d" % (i % 200 + 1),
                                "IPV4_DST_ADDR": "10.9.1.1", "L4_SRC_PORT": 40000 + i,
                                "L4_DST_PORT": 80, "PROTOCOL": 6, "IN_BYTES": 100,
                                "IN_PKTS": 1, "OUT_BYTES": 200, "OUT_PKTS": 1,
                                "FIRST_SWITCHED": now, "LAST_SWITCHED": now}]).encode()
            pub.send_multipart([hdr, body])

        t_end = time.monotonic() + 5
        i = 0
        while time.monotonic() < t_end:
            send(i)
            i += 1
            time.sleep(0.3)
        d = n.rest("get/interface/data.lua", ifid=0)
        expect(d["num_flows"] > 0, "zmq: flows arrived (%d)" % d["num_flows"])
        expect(not health(n).get("silent_sources"), "zmq: not silent while sending")
        stopped = time.monotonic()
        engaged_after = None
        while time.monotonic() - stopped < 10:
            if health(n).get("silent_sources"):
                engaged_after = time.monotonic() - stopped
                break
            time.sleep(0.2)
        expect(engaged_after is not None and engaged_after <= 3 * 1 + 2.5,
               "zmq: silent engaged %s s after the last message (3 x ~1 s interval)"
               % (None if engaged_after is None else round(engaged_after, 1)))
        expect(health(n).get("silent_sources") == [spec],
               "zmq: silent_sources %r" % health(n).get("silent_sources"))
        al = alert_list(n, status="engaged")
        expect(any(a.get("type") in ("source_silent", 7) and a.get("entity_val") == spec
                   for a in al),
               "zmq: engaged source_silent alert on %s in alert/list" % spec)
        send(i + 1)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5 and health(n).get("silent_sources"):
            time.sleep(0.2)
        expect(not health(n).get("silent_sources"), "zmq: released when it sends again")
        al = alert_list(n, status="past")
        expect(any(a.get("type") in ("source_silent", 7) for a in al),
               "zmq: past source_silent alert once released")
    pub.close(0)
    ctx.term()


def test_msg_drops():
    """msg-id 1, 2, ... until the node counts a flow, then a jump of 50:
    49 drops > 10 in a minute -> msg_drops engaged."""
    try:
        import zmq
    except ImportError:
        print("note  python3-zmq missing: msg drops not checked")
        return
    port = node.free_port()
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    with node.Node(["-i", "tcp://127.0.0.1:%dc" % port], name="risks-drops") as n:
        pub.connect("tcp://127.0.0.1:%d" % port)

        def send(msg_id):
            now = int(time.time())
            hdr = b"flow".ljust(16, b"\0") + bytes([2, 0]) + b"\0\0" + struct.pack(">II", msg_id, 1)
            pub.send_multipart([hdr, json.dumps([{
                "IPV4_SRC_ADDR": "10.8.0.1", "IPV4_DST_ADDR": "10.8.1.1",
                "L4_SRC_PORT": 40000 + msg_id, "L4_DST_PORT": 80, "PROTOCOL": 6,
                "IN_BYTES": 100, "IN_PKTS": 1, "OUT_BYTES": 0, "OUT_PKTS": 0,
                "FIRST_SWITCHED": now, "LAST_SWITCHED": now}]).encode()])

        mid = 0
        for _ in range(100):
            mid += 1
            send(mid)
            time.sleep(0.1)
            if n.rest("get/interface/data.lua", ifid=0)["num_flows"] > 0:
                break
        expect(not health(n).get("msg_drops"), "drops: none engaged before the jump")
        send(mid + 50)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5 and not health(n).get("msg_drops"):
            time.sleep(0.2)
        expect(health(n).get("msg_drops") is True, "drops: msg_drops engaged after 49 lost")
        al = alert_list(n, status="engaged")
        got = [a for a in al if a.get("type") in ("msg_drops", 8)]
        expect(len(got) == 1 and got[0].get("value") == 49,
               "drops: one engaged msg_drops alert, value 49 (%r)" % got)
    pub.close(0)
    ctx.term()


def test_storage_failure(tmp):
    """-F with the data directory on a 256 KB tmpfs (root only): the
    writers fail (RRD files and the day file do not fit) -> one engaged
    storage_failure alert on the interface."""
    small = os.path.join(tmp, "tiny")
    os.makedirs(small)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", small],
                       capture_output=True)
    if r.returncode != 0:
        print("note  cannot mount a tmpfs (needs root): storage failure not checked")
        return
    try:
        with node.Node(["-i", os.path.join(PCAPS, "gnutella.pcap"), "-F",
                        "-d", os.path.join(small, "d")], name="risks-diskfull",
                       expect_errors=[r"No space left on device|disk is full|disk I/O error|more failures"]) as n:
            n.wait_ended()
            got = []
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not got:
                got = [a for a in alert_list(n, status="engaged")
                       if a.get("type") in ("storage_failure", 10)]
                time.sleep(0.3)
            expect(len(got) == 1 and got[0].get("entity") == "interface" and got[0]["value"] > 0,
                   "disk full: one engaged storage_failure alert (%r)" % got)
    finally:
        subprocess.run(["umount", small], capture_output=True)


def test_table_full():
    with node.Node(["-i", os.path.join(PCAPS, "dns_fragmented.pcap"), "-x", "5"],
                   name="risks-xfull") as n:
        n.wait_ended()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not health(n).get("hosts_table_full"):
            time.sleep(0.2)
        d = n.rest("get/interface/data.lua", ifid=0)
        expect(d["decode_errors"]["hosts_dropped"] > 0 and d["health_alerts"]["hosts_table_full"],
               "-x 5: hosts_dropped %d, hosts_table_full %r" % (
                   d["decode_errors"]["hosts_dropped"], d["health_alerts"]["hosts_table_full"]))
        expect(not d["health_alerts"]["flows_table_full"], "-x 5: flows table not full")
        al = alert_list(n, status="engaged")
        expect(any(a.get("type") in ("table_full", 9) for a in al),
               "-x 5: engaged table_full alert in alert/list")


def test_disabled():
    """-H: the scores are still kept, no flow alert is raised."""
    with node.Node(["-i", os.path.join(PCAPS, "windowsupdate_over_http.pcap"), "-H"],
                   name="risks-H") as n:
        n.wait_ended()
        d = n.rest("get/interface/data.lua", ifid=0)
        expect(d["score"] == 110, "-H: interface score still 110 (%d)" % d["score"])
        al = alert_list(n, status="past")
        expect(not any(a.get("type") in ("flow_risk", 6) for a in al),
               "-H: no flow_risk alert (%d past alerts)" % len(al))


def main():
    check_capture("windowsupdate_over_http.pcap", [4, 12], "10.0.2.15", "151.99.72.125")
    check_capture("bot.pcap", [11, 40], "40.77.167.36", "89.31.72.220", vlan=77)
    test_disabled()
    test_silent_source()
    test_msg_drops()
    test_table_full()
    tmp = tempfile.mkdtemp(prefix="ntopng-risks-")
    try:
        test_storage_failure(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
