#!/usr/bin/python3
"""Threshold alerts end to end (issue 15, docs/alerts.md).

A live feed (a pcap written here in real time into a FIFO: UDP from
10.0.0.1 to 10.0.0.2, 50 frames of 100 bytes a second) runs until 2 s
before the next minute boundary; a rule "host 10.0.0.1 bytes min gt 1000"
is added through REST.  Then:

- engaged: at the first minute boundary after the rule (the host sent
  ~100 packets/s since), get/alert/list.lua?status=engaged shows it, with
  value > threshold, and interface data counts engaged_alerts = 1;
- released: the feed ends; at the next boundary the growth is 0, the
  alert leaves the engaged list and appears in the past list (from
  alerts.sqlite) with tstamp_end >= tstamp and peak >= value;
- syslog: --alerts-syslog udp://127.0.0.1:<port> sent the released alert
  to a UDP listener started here, as an RFC 5424 line (version 1,
  facility daemon, the [alert@32473 ...] structured data with its fields);
- -H: a second node fed the same way with the same rule engages nothing
  and sends no line;
- REST: bad entity/metric/operator/granularity -> rc INVALID_ARGUMENTS
  (HTTP 400), a non-administrator is refused (403), a cross-site POST is
  refused (403);
- persistence: the rules survive a restart of the node on the same Redis.

Wall time: about 1.5 to 2.5 minutes (two minute boundaries).
"""
import hashlib
import json
import os
import re
import socket
import struct
import threading
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, expect  # noqa: E402
from redisd import Redis  # noqa: E402

FEED_IP = "10.0.0.1"
ADD = "/lua/rest/v2/add/alert/threshold.lua"
ADMIN = ("admin", "admin")
RATE = 50  # frames/s of 100 bytes: the host sends 5000 B/s


def post(n, path, body, auth=ADMIN, headers=None):
    n.auth = auth
    st, _, data = n.http("POST", path, body=body, headers=headers)
    n.auth = ADMIN
    try:
        return st, json.loads(data)
    except ValueError:
        return st, None


def _feed(fifo, secs, rate):
    """Writes a pcap into fifo in real time: UDP 10.0.0.1:5000 ->
    10.0.0.2:6000, 100-byte frames, `rate` per second for `secs`."""
    try:
        _feed_write(fifo, secs, rate)
    except OSError:  # the node stopped reading (end of the test)
        pass


def _feed_write(fifo, secs, rate):
    with open(fifo, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        payload = b"x" * 58
        udp = struct.pack("!HHHH", 5000, 6000, 8 + len(payload), 0) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                         socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2"))
        frame = b"\x00\x11\x22\x33\x44\x55\x00\x66\x77\x88\x99\xaa\x08\x00" + ip + udp
        t0 = time.time()
        for i in range(int(secs * rate)):
            t = t0 + i / rate
            while time.time() < t:
                time.sleep(min(0.05, t - time.time()))
            f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(frame),
                                len(frame)) + frame)
            f.flush()


def start_feed(secs):
    """A FIFO and the thread that feeds it (FEED_IP sends FRAME bytes at
    RATE/s)."""
    fifo = os.path.join(tempfile.mkdtemp(prefix="ntopng-alerts-"), "feed")
    os.mkfifo(fifo)
    th = threading.Thread(target=_feed, args=(fifo, secs, RATE), daemon=True)
    th.start()
    return fifo, th


def rule(ip, **kw):
    r = {"ifid": 0, "entity": "host", "entity_val": ip, "metric": "bytes",
         "granularity": "min", "operator": "gt", "threshold": 1000}
    r.update(kw)
    return r


def engaged(n):
    return n.rest("get/alert/list.lua", ifid=0, status="engaged")


def past(n):
    return n.rest("get/alert/list.lua", ifid=0, status="past")


def wait_for(fn, timeout, step=1.0):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)


def parse_5424(line):
    """(pri, version, sd dict, msgid, msg) of an RFC 5424 line, or None."""
    m = re.match(r'<(\d+)>(\d+) (\S+) (\S+) (\S+) (\S+) (\S+) \[alert@32473((?: [a-z_]+='
                 r'"(?:[^"\\\]]|\\.)*")*)\] (.*)$', line)
    if not m:
        return None
    sd = {k: re.sub(r'\\(.)', r'\1', v)
          for k, v in re.findall(r' ([a-z_]+)="((?:[^"\\\]]|\\.)*)"', m.group(8))}
    return int(m.group(1)), int(m.group(2)), sd, m.group(7), m.group(9)


def users_file(tmp):
    p = os.path.join(tmp, "users.txt")
    with open(p, "w") as f:
        f.write("user.bob.password=%s\nuser.bob.full_name=Bob\nuser.bob.group=unprivileged\n"
                % hashlib.md5(b"bobpw").hexdigest())
    return p


def main():
    if not Redis.available():
        print("SKIP: redis-server not installed")
        return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-alerts-")
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.5)
    uport = udp.getsockname()[1]
    udp_h = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp_h.bind(("127.0.0.1", 0))
    udp_h.settimeout(0.1)
    # the feed ends 2 s before the next minute boundary: the check at that
    # boundary sees its bytes (engaged), the one after sees none (released)
    sec = time.time() % 60
    if sec > 45:  # too close: wait for the next minute
        time.sleep(61 - sec)
        sec = time.time() % 60
    feed_secs = 60 - sec - 2
    with Redis() as r:
        rr = "127.0.0.1:%d" % r.port
        users = users_file(tmp)
        fifo, gen = start_feed(feed_secs)
        fifo_h, gen_h = start_feed(feed_secs)
        args = ["-r", rr, "-u", users, "--node-id", "alerts1"]
        with Node(["-i", "feed=" + fifo, "--alerts-syslog", "udp://127.0.0.1:%d" % uport]
                  + args, name="alerts-thr", login=True) as n, \
                Node(["-i", "feed=" + fifo_h, "-H", "--alerts-syslog",
                      "udp://127.0.0.1:%d" % udp_h.getsockname()[1], "-d",
                      os.path.join(tmp, "dh")], name="alerts-H", login=True) as nh:
            n.auth = ADMIN
            nh.auth = ADMIN
            ip = ip_h = FEED_IP
            expect(wait_for(lambda: n.rest("get/host/active.lua", ifid=0)["data"], 10, 0.2) and
                   wait_for(lambda: nh.rest("get/host/active.lua", ifid=0)["data"], 10, 0.2),
                   "the feeds' hosts appear")
            t_add = time.time()
            st, js = post(n, ADD, rule(ip))
            expect(st == 200 and js["rc"] == 0 and js["rsp"]["id"] >= 1,
                   "admin adds a host rule -> %d %s" % (st, js))
            rid = js["rsp"]["id"]
            st, js = post(nh, ADD, rule(ip_h))
            expect(st == 200 and js["rc"] == 0, "-H node takes the rule too: %s" % js)
            # the same rule is listed
            lst = n.rest("get/alert/thresholds.lua", ifid=0)
            expect(len(lst) == 1 and lst[0]["id"] == rid and lst[0]["entity_val"] == ip and
                   lst[0]["threshold"] == 1000, "thresholds.lua lists it: %s" % lst)
            # --- REST validation
            for bad, why in ((rule(ip, entity="hostx"), "entity"),
                             (rule(ip, metric="bogus"), "metric"),
                             (rule(ip, operator="ge"), "operator"),
                             (rule(ip, granularity="week"), "granularity"),
                             (rule(ip, threshold="ten"), "threshold"),
                             (rule(ip, metric="drops"), "drops of a host"),
                             (rule(ip, entity_val=""), "empty entity_val")):
                st, js = post(n, ADD, bad)
                expect(st == 400 and js and js["rc_str"] == "INVALID_ARGUMENTS",
                       "bad %s -> %d %s" % (why, st, js and js.get("rc_str_hr")))
            st, js = post(n, ADD, rule(ip, threshold=5))
            expect(st == 400, "a second rule of the same host+metric refused: %d" % st)
            st, js = post(n, ADD, rule("10.9.9.9"), auth=("bob", "bobpw"))
            expect(st == 401 and js["rc_str"] == "NOT_GRANTED",
                   "non-administrator refused: %d %s" % (st, js))
            st, js = post(n, ADD, rule("10.9.9.8"),
                          headers={"Origin": "http://evil.example",
                                   "Sec-Fetch-Site": "cross-site"})
            expect(st == 403, "cross-site POST refused: %d" % st)
            n.auth = ("bob", "bobpw")
            st, _, _ = n.http("GET", "/lua/rest/v2/delete/alert/threshold.lua?id=%d" % rid)
            n.auth = ADMIN
            expect(st == 401, "non-administrator cannot delete: %d" % st)
            expect(len(n.rest("get/alert/thresholds.lua", ifid=0)) == 1,
                   "refused calls added/removed nothing")

            # --- engaged within the minute after the rule
            e = wait_for(lambda: engaged(n)["data"], 60 - time.time() % 60 + 10)
            t_eng = time.time()
            expect(len(e) == 1, "engaged within the minute (%.0f s after the rule): %s"
                   % (t_eng - t_add, e))
            if e:
                a = e[0]
                expect(a["type"] == 2 and a["entity"] == "host" and a["entity_val"] == ip and
                       a["metric"] == "bytes" and a["threshold"] == 1000 and
                       a["value"] > 1000 and a["tstamp_end"] == 0 and
                       a["severity_name"] == "warning" and a["node_id"] == "alerts1",
                       "engaged alert fields: %s" % a)
            d = n.rest("get/interface/data.lua", ifid=0)
            expect(d["engaged_alerts"] == 1 and d["engaged_alerts_warning"] == 1,
                   "interface data: engaged_alerts %d" % d["engaged_alerts"])
            expect(past(n)["totalRows"] == 0, "nothing past yet")
            hd = n.rest("get/host/data.lua", ifid=0, host=ip)
            expect(hd.get("num_alerts") == 1, "host data: num_alerts %s" % hd.get("num_alerts"))
            rows = n.rest("get/host/active.lua", ifid=0, perPage=1000)["data"]
            na = {r.get("ip"): r.get("num_alerts") for r in rows}
            expect(na.get(ip) == 1 and sum(v or 0 for v in na.values()) == 1,
                   "hosts list: num_alerts on the host only: %s" % {k: v for k, v in na.items() if v})
            flt = n.rest("get/alert/list.lua", ifid=0, status="engaged", entity="host",
                         entity_val=ip, severity="warning")
            expect(flt["totalRows"] == 1, "filters keep it: %s" % flt["totalRows"])
            flt = n.rest("get/alert/list.lua", ifid=0, status="engaged", entity="interface")
            expect(flt["totalRows"] == 0, "entity=interface filters it out")
            # the -H node: same traffic, same rule, nothing
            dh = nh.rest("get/interface/data.lua", ifid=0)
            expect(dh["engaged_alerts"] == 0 and not engaged(nh)["data"],
                   "-H: nothing engaged (%d)" % dh["engaged_alerts"])

            # --- the feed ends; released at the next boundary
            gen.join(timeout=90)
            gen_h.join(timeout=90)
            e = wait_for(lambda: not engaged(n)["data"], 75, step=1.0)
            expect(e, "released after the traffic stopped (%.0f s after engaging)"
                   % (time.time() - t_eng))
            p = wait_for(lambda: past(n)["data"], 5, step=0.5)
            expect(len(p) == 1, "one past row per engagement: %s" % p)
            if p:
                a = p[0]
                expect(a["entity_val"] == ip and a["tstamp_end"] >= a["tstamp"] > 0 and
                       a["tstamp_end"] - a["tstamp"] >= 55 and
                       a["peak"] >= a["value"] > 1000 and a["value"] % 100 == 0,
                       "past row: start, end, peak kept: %s" % a)
            expect(os.path.exists(os.path.join(n.data_dir or "", "interfaces", "feed",
                                               "alerts.sqlite")),
                   "alerts.sqlite in the interface directory")
            # --- the RFC 5424 line
            lines = []
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not lines:
                try:
                    lines.append(udp.recv(65535).decode())
                except socket.timeout:
                    pass
            expect(len(lines) == 1, "one RFC 5424 datagram: %s" % lines)
            if lines:
                got = parse_5424(lines[0])
                expect(got is not None, "parses as RFC 5424: %r" % lines[0])
                if got:
                    pri, ver, sd, msgid, msg = got
                    expect(ver == 1 and pri >> 3 == 3 and pri & 7 == 4,
                           "version 1, facility daemon (3), level warning: <%d>" % pri)
                    expect(msgid == "threshold_cross" and sd.get("entity") == "host" and
                           sd.get("entity_val") == ip and sd.get("metric") == "bytes" and
                           float(sd.get("threshold", 0)) == 1000 and
                           float(sd.get("peak", 0)) > 1000 and
                           int(sd.get("tstamp_end", 0)) >= int(sd.get("tstamp", 1)) and
                           sd.get("node_id") == "alerts1",
                           "structured data carries the alert: %s" % sd)
                    expect("Threshold bytes/min crossed" in msg, "message: %r" % msg)
            try:
                hl = udp_h.recv(65535)
            except socket.timeout:
                hl = None
            expect(hl is None, "-H: no syslog line: %r" % hl)
            expect(past(nh)["totalRows"] == 0, "-H: no past alert")
        # --- the rule survives a restart (same Redis)
        with Node(["-i", "feed=" + start_feed(1)[0]] + args, name="alerts-restart",
                  login=True) as n2:
            n2.auth = ADMIN
            lst = n2.rest("get/alert/thresholds.lua", ifid=0)
            expect(len(lst) == 1 and lst[0]["id"] == rid and lst[0]["entity_val"] == ip,
                   "rule kept across the restart: %s" % lst)
            st, js = post(n2, ADD, rule("10.1.1.1"))
            # (a refused add may have used an id)
            expect(st == 200 and js["rsp"]["id"] > rid, "ids go on: %s" % js)
            n2.auth = ADMIN
            st, _, _ = n2.http("POST", "/lua/rest/v2/delete/alert/threshold.lua?id=%d" % rid)
            expect(st == 200, "admin deletes rule %d: %d" % (rid, st))
            lst = n2.rest("get/alert/thresholds.lua", ifid=0)
            expect([x["entity_val"] for x in lst] == ["10.1.1.1"], "deleted: %s" % lst)
            keys = r.cli("KEYS", "ntopng.alerts.threshold.*")
            expect(len(keys) == 1, "one rule key left in Redis: %s" % keys)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
