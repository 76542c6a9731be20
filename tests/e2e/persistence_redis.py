#!/usr/bin/env python3
"""Host persistence in Redis (docs/storage.md), against a real redis-server
started here on a free port.

1. A node reads a capture and is stopped with SIGTERM: every host is
   saved under ntopng.serialized_hosts.<node id>.<interface dir>__<ip>@<vlan>
   (the interface's identity, not its ifid: docs/storage.md) with a TTL of
   about an hour, with the byte counters the REST API showed.
2. A second node on the same capture restores them: each host shows
   exactly twice its bytes (old + new), and saves 2x at exit.
3. -P: nothing restored, nothing saved.
4. Redis stopped during a run: the node keeps answering; Redis started
   again: the node reconnects and its exit flush writes every host.
5. Redis still down at exit: the node exits 0 and counts the lost writes.
6. No Redis at all: the node starts with the embedded store and one
   warning line; preferences-like keys survive in <data-dir>/kv.json.
"""
import json
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import Node, PCAPS, free_port, iface_dir  # noqa: E402
from redisd import Redis  # noqa: E402

PCAP = os.path.join(PCAPS, "6in4tunnel.pcap")
NODE_ID = "persist"
PREFIX = "ntopng.serialized_hosts.%s.%s__" % (NODE_ID, iface_dir(PCAP))


def hosts_bytes(node):
    rsp = node.rest("get/host/active.lua", ifid=0, perPage=1000)
    return {"%s@%d" % (h["ip"], h["vlan"]): (h["bytes"]["sent"], h["bytes"]["recvd"])
            for h in rsp["data"]}


def saved(r, db=0):
    out = {}
    for k in r.cli("KEYS", PREFIX + "*", db=db):
        js = json.loads(r.cli("GET", k, db=db)[0])
        ttl = int(r.cli("TTL", k, db=db)[0])
        out[k[len(PREFIX):]] = (js["bytes.sent"], js["bytes.rcvd"], ttl, js)
    return out


def run(args, stop_between=None):
    with Node(args, name="persist-redis") as n:
        n.wait_ended()
        before = hosts_bytes(n)
        if stop_between:
            stop_between(n)
        rc = n.stop()
        log = n.read_log()
    assert rc == 0, "exit code %r: %s" % (rc, log[-1500:])
    return before, log


def main():
    if not Redis.available():
        print("SKIP: redis-server/redis-cli not installed")
        return 77
    if not os.path.exists(PCAP):
        print("SKIP: %s missing" % PCAP)
        return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-persist-")
    try:
        with Redis() as r:
            rr = "127.0.0.1:%d" % r.port
            base = ["-i", PCAP, "-d", os.path.join(tmp, "d"), "-r", rr,
                    "--node-id", NODE_ID]

            # 1. saved at exit with TTL and the counters shown
            first, _ = run(base)
            assert len(first) == 6, first
            s1 = saved(r)
            assert set(s1) == set(first), (sorted(s1), sorted(first))
            for k, (sent, rcvd, ttl, js) in s1.items():
                assert (sent, rcvd) == first[k], (k, sent, rcvd, first[k])
                assert 3500 < ttl <= 3600, (k, ttl)
                assert js["ip"] + "@%d" % js["vlan"] == k
                assert sum(l[2] for l in js["ndpi"]) == sent, js
            print("1. %d host keys, TTL ~3600 s, counters as shown: OK" % len(s1))

            # 2. restored: exactly 2x while running, and 2x saved at exit
            def wait_doubled(n):
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    now = hosts_bytes(n)
                    if all(now[k] == (2 * first[k][0], 2 * first[k][1]) for k in first):
                        return
                    time.sleep(0.1)
                raise AssertionError("not restored: %r vs %r" % (now, first))
            run(base, stop_between=wait_doubled)
            s2 = saved(r)
            for k in first:
                assert s2[k][:2] == (2 * first[k][0], 2 * first[k][1]), (k, s2[k], first[k])
                assert s2[k][3]["flows.as_client"] == 2 * s1[k][3]["flows.as_client"]
            print("2. restart: every host shows and saves exactly 2x: OK")

            # 3. -P: neither restored nor saved (keys keep their 2x)
            third, _ = run(base + ["-P"])
            assert third == first, (third, first)
            assert {k: v[:2] for k, v in saved(r).items()} == {k: v[:2] for k, v in s2.items()}
            print("3. -P: no restore, no save: OK")

            # 4. Redis away during the run, back before the exit flush
            r.cli("FLUSHALL")

            def bounce(n):
                r.stop()
                for _ in range(5):   # the node keeps answering
                    assert n.rest("get/interface/data.lua", ifid=0)["num_hosts"] == 6
                    time.sleep(0.2)
                r.start()
                time.sleep(1.2)      # reconnects are tried once a second
            _, log = run(base, stop_between=bounce)
            s4 = saved(r)
            assert set(s4) == set(first), (sorted(s4), log[-1500:])
            # nothing restored (FLUSHALL), so 1x again
            for k in first:
                assert s4[k][:2] == first[k], (k, s4[k], first[k])
            print("4. Redis stopped and started during the run: node up, "
                  "%d hosts written after reconnecting: OK" % len(s4))

            # 5. Redis down at exit: clean exit, failures counted
            r.cli("FLUSHALL")
            _, log = run(base, stop_between=lambda n: r.stop())
            m = re.search(r"storage: kv redis, \d+ ops, (\d+) write failures", log)
            assert m and int(m.group(1)) >= 6, log[-2000:]
            print("5. Redis down at exit: exit 0, %s write failures counted: OK" % m.group(1))
            r.start()

        # 6. no Redis at all: embedded store, one warning
        dd = os.path.join(tmp, "d6")
        with Node(["-i", PCAP, "-d", dd, "-r", "127.0.0.1:%d" % free_port()],
                  name="persist-noredis") as n:
            n.wait_ended()
            st = n.rest("get/ntopng/redis.lua")
            assert st["kv"]["embedded"] is True and st["kv"]["redis_connected"] is False, st
            n.stop()
            log = n.read_log()
        warns = [l for l in log.split("\n") if "embedded store" in l]
        assert len(warns) == 1 and "WARN" in warns[0].upper(), warns
        print("6. no Redis: embedded store, one warning line: OK")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
