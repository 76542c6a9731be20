#!/usr/bin/python3
"""Interfaces enabled and disabled at run time (seed §1.2,
set/interface/state.lua, docs/rest.md).

1. One node, two collector interfaces on loopback: ZMQ in collector mode
   (the node binds tcp://127.0.0.1:P1) and NetFlow v5 on UDP P2.  Flows
   sent to both are counted; disabling each closes its socket: the test
   then listens on P1 itself (SO_REUSEADDR does not let two sockets
   listen on one port) and binds P2 (without SO_REUSEADDR, which the node
   uses); the tables still answer with the same counts and what is sent
   meanwhile is not counted; enabled again, the sockets reopen and new
   flows are counted.  The switch is a POST with a JSON body, with form
   fields, or a session with its CSRF token; an unprivileged user gets
   NOT_GRANTED, a session without the token 403, a bad state 400.
2. The state survives a restart: the node is stopped with the ZMQ
   interface disabled and started again on the same data directory: the
   interface is disabled (its port free) until enabled.
3. A live capture on lo inside a network namespace of the test's own:
   disabling closes the packet socket (gone from /proc/<pid>/fd and
   /proc/net/packet), datagrams sent meanwhile are not counted, enabling
   opens a new one and the next datagrams are counted.  Run as -U nobody,
   the node cannot open the device again: enabling answers 500 with the
   cause and the interface stays disabled.
"""
import json
import os
import re
import shutil
import socket
import struct
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402

try:
    import zmq
except ImportError:
    zmq = None

STATE = "/lua/rest/v2/set/interface/state.lua"
NOW = int(time.time())


def call(n, method, path, body=None, auth=("admin", "admin"), headers=None, params=None):
    """(status, parsed JSON or None) of one request."""
    n.auth = auth
    st, _, data = n.http(method, path, params=params, body=body, headers=headers)
    n.auth = None
    try:
        return st, json.loads(data)
    except ValueError:
        return st, None


def set_state(n, ifid, state, **kw):
    return call(n, "POST", STATE, body={"ifid": ifid, "state": state}, **kw)


def ok(r):
    return r[0] == 200 and r[1] is not None and r[1].get("rc") == 0


def iface_state(n, ifid):
    for i in rest(n, "get/ntopng/interfaces.lua"):
        if i["ifid"] == ifid:
            return i.get("state")
    return None


def rest(n, ep, **params):
    n.auth = ("admin", "admin")
    try:
        return n.rest(ep, **params)
    finally:
        n.auth = None


def records(n, ifid):
    return rest(n, "get/interface/sources.lua", ifid=ifid)[0]["records"]


def wait(pred, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    return pred()


def tcp_port_free(port, timeout=10):
    """Listens on 127.0.0.1:port (retrying while libzmq's reaper closes
    the node's listener); True when it could."""
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            s.listen(1)
            return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        finally:
            s.close()


def udp_port_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def nf5(n_flows, net, seq):
    """One NetFlow v5 datagram of n_flows TCP flows 10.net.0.i -> 172.16.net.1."""
    hdr = struct.pack(">HHIIIIBBH", 5, n_flows, 100000, NOW, 0, seq, 0, 0, 0)
    recs = b""
    for i in range(n_flows):
        recs += struct.pack(">4s4s4sHHIIIIHHBBBBHHBBH",
                            bytes([10, net, 0, i + 1]), bytes([172, 16, net, 1]), b"\0" * 4,
                            1, 2, 10, 1000 + i, 90000, 99000, 40000 + i, 443, 0, 0x18, 6, 0,
                            0, 0, 24, 24, 0)
    return hdr + recs


def zmq_flows(n_flows, net):
    return json.dumps([{"IPV4_SRC_ADDR": "10.%d.1.%d" % (net, i + 1),
                        "IPV4_DST_ADDR": "172.17.%d.1" % net, "L4_SRC_PORT": 30000 + i,
                        "L4_DST_PORT": 443, "PROTOCOL": 6, "IN_BYTES": 500, "IN_PKTS": 2,
                        "OUT_BYTES": 700, "OUT_PKTS": 3, "FIRST_SWITCHED": NOW - 5,
                        "LAST_SWITCHED": NOW} for i in range(n_flows)]).encode()


class Pub:
    """A probe connecting to the node's bound ZMQ port (libzmq reconnects
    by itself when the node's socket comes back)."""

    def __init__(self, ctx, port):
        self.s = ctx.socket(zmq.PUB)
        # queue nothing while the node's socket is gone: what is sent
        # then is lost, as from a probe that binds
        self.s.setsockopt(zmq.IMMEDIATE, 1)
        self.s.connect("tcp://127.0.0.1:%d" % port)
        self.mid = 0

    def send(self, payload, topic="flow"):
        self.mid += 1
        hdr = topic.encode().ljust(16, b"\0") + bytes([2, 0]) + b"\0\0" + \
            struct.pack(">II", self.mid, 77)
        self.s.send_multipart([hdr, payload])

    def until_counted(self, n, ifid, base, net):
        """Sends batches of 5 flows until the node's ledger grows past
        base; returns the new record count (0 when it never did)."""
        for _ in range(100):
            self.send(zmq_flows(5, net))
            got = wait(lambda: records(n, ifid) > base and records(n, ifid), 0.3)
            if got:
                return got
        return 0


def login(n, user, pw):
    st, h, page = n.http("GET", "/lua/login.lua")
    m = re.search(rb'name="csrf" id="csrf" value="([0-9a-f]{32})"', page)
    if not m:
        return None
    tok = m.group(1).decode()
    st, h, _ = n.http("POST", "/authorize.html",
                      body=urllib.parse.urlencode({"user": user, "password": pw,
                                                   "referer": "/", "csrf": tok}),
                      headers={"Content-Type": "application/x-www-form-urlencoded",
                               "Cookie": "login_csrf=" + tok})
    m = re.match(r"session=([0-9a-f]{32});", h.get("set-cookie", ""))
    return m.group(1) if m else None


def part_collectors(tmp):
    if zmq is None:
        print("python3-zmq missing: collector part skipped")
        return
    ctx = zmq.Context()
    p1, p2 = node.free_port(), node.free_port()
    ddir = os.path.join(tmp, "data")
    os.mkdir(ddir)
    args = ["-i", "tcp://127.0.0.1:%dc" % p1, "-i", "netflow://127.0.0.1:%d" % p2, "-d", ddir]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with node.Node(args, name="iface-state", login=True) as n:
        expect(iface_state(n, 0) == "enabled" and iface_state(n, 1) == "enabled",
               "both interfaces start enabled")
        pub = Pub(ctx, p1)
        z0 = pub.until_counted(n, 0, 0, 1)
        expect(z0 > 0, "ZMQ flows counted before disabling (%d)" % z0)
        udp.sendto(nf5(4, 2, 1), ("127.0.0.1", p2))
        u0 = wait(lambda: records(n, 1) >= 4 and records(n, 1))
        expect(u0 == 4, "NetFlow: 4 flows counted before disabling (%s)" % u0)

        # --- who may switch
        r = call(n, "POST", "/lua/rest/v2/set/ntopng/user/add.lua",
                 body={"username": "bob", "password": "bobpw", "full_name": "Bob"})
        expect(ok(r), "admin adds the unprivileged user bob: %r" % (r,))
        r = set_state(n, 0, "disabled", auth=("bob", "bobpw"))
        expect(r[0] == 401 and r[1] and r[1]["rc_str"] == "NOT_GRANTED",
               "an unprivileged user is refused: %r" % (r,))
        r = call(n, "GET", STATE, params={"ifid": 0, "state": "disabled"}, auth=None)
        expect(r[0] in (302, 401) or (r[1] and r[1].get("rc") != 0),
               "no credentials: refused (%d)" % r[0])
        sid = login(n, "admin", "admin")
        expect(sid is not None, "admin logs in with the form")
        r = call(n, "POST", STATE, body={"ifid": 0, "state": "disabled"}, auth=None,
                 headers={"Cookie": "session=%s" % sid})
        expect(r[0] == 403 and r[1] and r[1]["rc_str"] == "NOT_GRANTED",
               "a session without its CSRF token is refused: %r" % (r,))
        r = call(n, "POST", STATE, body={"ifid": 0, "state": "off"})
        expect(r[0] == 400 and r[1]["rc_str"] == "INVALID_ARGUMENTS", "state=off: 400 (%r)" % (r,))
        r = call(n, "POST", STATE, body={"ifid": 9, "state": "disabled"})
        expect(r[0] == 400 and r[1]["rc_str"] == "INVALID_INTERFACE", "ifid 9: 400 (%r)" % (r,))
        expect(iface_state(n, 0) == "enabled", "refused calls changed nothing")

        # --- ZMQ: disabled by a session with its CSRF token
        st, js = call(n, "GET", "/lua/rest/v2/get/ntopng/session.lua", auth=None,
                      headers={"Cookie": "session=%s" % sid})
        r = call(n, "POST", STATE, body={"ifid": 0, "state": "disabled"}, auth=None,
                 headers={"Cookie": "session=%s" % sid, "X-CSRF-Token": js["rsp"]["csrf"]})
        expect(ok(r) and r[1]["rsp"] == {"ifid": 0, "state": "disabled"},
               "the session with its CSRF token disables ifid 0: %r" % (r,))
        expect(iface_state(n, 0) == "disabled", "interfaces.lua: ifid 0 disabled")
        d = rest(n, "get/interface/data.lua", ifid=0)
        expect(d["disabled"] is True, "interface/data.lua: disabled true")
        src = rest(n, "get/interface/sources.lua", ifid=0)[0]
        expect(src["suspended"] is True, "sources.lua: the ZMQ source is suspended")
        z1 = records(n, 0)
        expect(tcp_port_free(p1), "ZMQ port %d is free once disabled (the test listens on it)" % p1)
        flows_before = d["num_flows"]
        for _ in range(10):
            pub.send(zmq_flows(5, 3))
        time.sleep(1.5)
        d = rest(n, "get/interface/data.lua", ifid=0)
        expect(records(n, 0) == z1 and d["num_flows"] == flows_before and d["num_flows"] > 0,
               "disabled: the tables answer, frozen (%d flows, %d records)"
               % (d["num_flows"], records(n, 0)))
        r = set_state(n, 0, "enabled")
        expect(ok(r) and iface_state(n, 0) == "enabled", "ifid 0 enabled again: %r" % (r,))
        z2 = pub.until_counted(n, 0, z1, 4)
        expect(z2 > z1, "re-enabled: new ZMQ flows counted (%d > %d)" % (z2, z1))
        zs = rest(n, "get/interface/data.lua", ifid=0)["zmqRecvStats"]
        expect(zs["zmq_msg_drops"] == 0 and zs["zmq_msgs_missed_at_join"] >= 10,
               "the messages sent while disabled are missed, not drops (%d missed, %d drops)"
               % (zs["zmq_msgs_missed_at_join"], zs["zmq_msg_drops"]))

        # --- UDP: form fields this time
        r = call(n, "POST", STATE, body="ifid=1&state=disabled",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
        expect(ok(r) and iface_state(n, 1) == "disabled", "form fields disable ifid 1: %r" % (r,))
        expect(udp_port_free(p2), "NetFlow port %d is free once disabled" % p2)
        time.sleep(1.2)
        expect(records(n, 1) == u0, "disabled: the NetFlow ledger is frozen")
        r = set_state(n, 1, "enabled")
        expect(ok(r), "ifid 1 enabled again")
        expect(not udp_port_free(p2), "re-enabled: the node holds UDP %d again" % p2)
        udp.sendto(nf5(3, 5, 2), ("127.0.0.1", p2))
        u1 = wait(lambda: records(n, 1) >= u0 + 3 and records(n, 1))
        expect(u1 == u0 + 3, "re-enabled: 3 more NetFlow flows counted (%s)" % u1)
        r = set_state(n, 1, "enabled")
        expect(ok(r), "enabling an enabled interface is fine")

        # --- leave ifid 0 disabled for the restart
        expect(ok(set_state(n, 0, "disabled")), "ifid 0 disabled before the restart")
        expect(tcp_port_free(p1), "ZMQ port free before the restart")
        rc = n.stop()
        expect(rc == 0, "node stops with 0 (%r)" % rc)
    pub.s.close(linger=0)

    with node.Node(args, name="iface-state-restart", login=True) as n:
        expect(iface_state(n, 0) == "disabled" and iface_state(n, 1) == "enabled",
               "after the restart ifid 0 is still disabled, ifid 1 enabled")
        expect(tcp_port_free(p1), "after the restart the ZMQ port is free")
        expect(ok(set_state(n, 0, "enabled")), "enabled after the restart")
        pub = Pub(ctx, p1)
        z = pub.until_counted(n, 0, 0, 6)
        expect(z > 0, "enabled after the restart: flows counted (%d)" % z)
        pub.s.close(linger=0)
    with node.Node(args, name="iface-state-restart2", login=True) as n:
        expect(iface_state(n, 0) == "enabled", "enabled stays enabled after a restart")
    udp.close()
    ctx.term()


# ---- live capture, inside a namespace ----

def packet_sockets(pid):
    """Inodes of the packet sockets process pid holds."""
    held = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            t = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", t)
        if m:
            held.add(m.group(1))
    with open("/proc/%d/net/packet" % pid) as f:
        rows = [line.split() for line in f.readlines()[1:]]
    return {r[-1] for r in rows if r and r[-1] in held}


def send_udp(n_dgrams):
    """Sends n datagrams to a fresh port of a bound receiver; the port."""
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    dport = rx.getsockname()[1]
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(n_dgrams):
        tx.sendto(b"y" * 100, ("127.0.0.1", dport))
    tx.close()
    rx.close()
    return dport


def flow_packets(n, dport):
    """Packets of the UDP flow to dport (0: no such flow)."""
    st, js = n.get("/lua/rest/v2/get/flow/active.lua",
                   {"ifid": 0, "perPage": 1000, "l4proto": 17, "verbose": "true"})
    if st != 200:
        return 0
    return sum(f["packets"] for f in js["rsp"]["data"] if f["server"]["port"] == dport)


def live_inner():
    with node.Node(["-i", "lo"], name="iface-state-live") as n:
        pid = n.proc.pid
        before = packet_sockets(pid)
        expect(len(before) >= 1, "capturing: the node holds a packet socket (%r)" % before)
        time.sleep(0.5)
        a = send_udp(5)
        got = wait(lambda: flow_packets(n, a) >= 5 and flow_packets(n, a))
        expect(got == 5, "capturing: 5 datagrams counted (%s)" % got)
        r = set_state(n, 0, "disabled", auth=None)
        expect(ok(r), "live capture disabled: %r" % (r,))
        expect(packet_sockets(pid) == set(), "disabled: no packet socket left (%r)"
               % packet_sockets(pid))
        p1 = n.rest("get/interface/data.lua", ifid=0)["packets"]
        b = send_udp(20)
        time.sleep(1.2)
        d = n.rest("get/interface/data.lua", ifid=0)
        expect(d["packets"] == p1 and d["disabled"] is True and flow_packets(n, b) == 0,
               "disabled: 20 datagrams sent, none counted (%d == %d)" % (d["packets"], p1))
        expect(flow_packets(n, a) == 5, "disabled: the earlier flow is still listed")
        r = set_state(n, 0, "enabled", auth=None)
        expect(ok(r), "live capture enabled: %r" % (r,))
        after = packet_sockets(pid)
        expect(len(after) >= 1 and not (after & before),
               "enabled: a new packet socket (%r, was %r)" % (after, before))
        time.sleep(0.5)
        c = send_udp(7)
        got = wait(lambda: flow_packets(n, c) >= 7 and flow_packets(n, c))
        expect(got == 7, "enabled: the next 7 datagrams counted (%s)" % got)

    # as -U's user the capture privilege is gone once the inputs are
    # open: the device closes, but cannot reopen; the call says why and
    # the interface stays disabled (docs/rest.md)
    # (run.sh's TMPDIR is closed to nobody: the data directory goes
    # directly under /tmp, as in privileges.py)
    ddir = tempfile.mkdtemp(prefix="ntopng-iface-state-", dir="/tmp")
    try:
        live_as_nobody(ddir)
    finally:
        shutil.rmtree(ddir, ignore_errors=True)


def live_as_nobody(ddir):
    with node.Node(["-i", "lo", "-U", "nobody", "-d", ddir], name="iface-state-live-user",
                   keep_user=False) as n:
        expect(len(packet_sockets(n.proc.pid)) >= 1, "as nobody: capturing")
        expect(ok(set_state(n, 0, "disabled", auth=None)), "as nobody: disabled")
        r = set_state(n, 0, "enabled", auth=None)
        expect(r[0] == 500 and r[1]["rc_str"] == "INTERNAL_ERROR" and
               "Cannot enable the interface: -i lo: cannot capture: " in r[1]["rc_str_hr"],
               "as nobody: enabling fails with the cause: %r" % (r,))
        expect(n.rest("get/ntopng/interfaces.lua")[0]["state"] == "disabled" and
               packet_sockets(n.proc.pid) == set(),
               "as nobody: still disabled, no packet socket")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--inner":
        return node.netns_main(__file__, live_inner, failures)
    with tempfile.TemporaryDirectory(prefix="iface-state-") as tmp:
        part_collectors(tmp)
    rc = node.netns_main(__file__, live_inner, failures, timeout=120)
    if rc == 77:
        print("live part skipped (no network namespace)")
    elif rc != 0:
        failures.append("live capture part failed (%d)" % rc)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
