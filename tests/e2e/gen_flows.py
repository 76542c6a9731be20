#!/usr/bin/python3
"""tools/ntopng-gen-flows feeds a live node in collector mode (the node
binds, the generator connects and waits for its subscription) with 20k
flows at 50k flows/s over 5000 reused keys, in JSON and in TLV: the
interface's packets and bytes and zmqRecvStats.flows equal the
generator's SENT line exactly, no msg_id drops, every message (flows and
events) received, the probe's num_flow_exports equals the flows sent, the
tables hold exactly the 5000 keys and the hosts they name.  Also: with
nobody to subscribe, --wait-subscriber gives up within its timeout.
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402

FLOWS, RATE, KEYS = 20000, 50000, 5000


def expected_hosts(keys):
    """The distinct addresses of keys 0..keys-1 (tools/gen_flows.c)."""
    hosts = set()
    for k in range(keys):
        c, s = k % 4096, (k * 31) % 1024
        if k % 10 == 9:
            hosts.add("2001:db8::%x" % c)
            hosts.add("2001:db8:1::%x" % s)
        else:
            hosts.add("10.0.%d.%d" % (c >> 8, c & 0xff))
            hosts.add("172.16.%d.%d" % (s >> 8, s & 0xff))
    return len(hosts)


def run_case(gen, fmt):
    zport = node.free_port()
    with node.Node(["-i", "tcp://127.0.0.1:%dc" % zport], name="genflows-" + fmt) as nd:
        t0 = time.monotonic()
        p = subprocess.run([gen, "-e", "tcp://127.0.0.1:%dc" % zport, "-f", fmt,
                            "-n", str(FLOWS), "-r", str(RATE), "-k", str(KEYS),
                            "-s", "7", "--event", "--wait-subscriber",
                            "--wait-timeout", "10", "--linger", "5"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=40)
        took = time.monotonic() - t0
        if not expect(p.returncode == 0, "%s: generator exit 0 (%s)" % (fmt, p.stderr.strip())):
            return
        m = re.search(r"SENT flows=(\d+) bytes=(\d+) packets=(\d+) msgs=(\d+) seconds=([\d.]+)",
                      p.stdout)
        if not expect(m is not None, "%s: SENT line printed" % fmt):
            return
        flows, nbytes, pkts, msgs = (int(m.group(i)) for i in range(1, 5))
        secs = float(m.group(5))
        # the totals follow from the record formulas of gen_flows.c
        expect(flows == FLOWS, "%s: SENT flows=%d" % (fmt, flows))
        expect(nbytes == sum(64 + f % 1000 + 128 + f % 2000 for f in range(FLOWS)),
               "%s: SENT bytes=%d is the sum of the records" % (fmt, nbytes))
        expect(pkts == sum(1 + f % 3 + 1 + f % 4 for f in range(FLOWS)),
               "%s: SENT packets=%d is the sum of the records" % (fmt, pkts))
        expect(msgs == FLOWS // 20, "%s: %d messages of 20 flows" % (fmt, msgs))
        expect(0.9 * FLOWS / RATE <= secs <= 3 * FLOWS / RATE and took < 20,
               "%s: paced at %d flows/s (%.3f s)" % (fmt, RATE, secs))
        d = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            d = nd.rest("get/interface/data.lua", ifid=0)
            z = d.get("zmqRecvStats", {})
            if z.get("flows", 0) >= flows and d.get("zmq.num_flow_exports", 0) >= flows:
                break
            time.sleep(0.1)
        z = d.get("zmqRecvStats", {})
        events = z.get("events", 0)
        expect(z.get("flows") == flows, "%s: zmqRecvStats.flows %s == %d"
               % (fmt, z.get("flows"), flows))
        expect(d.get("bytes") == nbytes, "%s: interface bytes %s == %d"
               % (fmt, d.get("bytes"), nbytes))
        expect(d.get("packets") == pkts, "%s: interface packets %s == %d"
               % (fmt, d.get("packets"), pkts))
        expect(z.get("zmq_msg_drops") == 0, "%s: zmq_msg_drops %s == 0"
               % (fmt, z.get("zmq_msg_drops")))
        expect(z.get("dropped_flows") == 0, "%s: dropped_flows %s == 0"
               % (fmt, z.get("dropped_flows")))
        expect(events >= 1 and z.get("zmq_msg_rcvd") == msgs + events,
               "%s: every message received (%s == %d flow + %d event)"
               % (fmt, z.get("zmq_msg_rcvd"), msgs, events))
        expect(d.get("zmq.num_flow_exports") == flows,
               "%s: probe's num_flow_exports %s == %d"
               % (fmt, d.get("zmq.num_flow_exports"), flows))
        expect(d.get("num_flows") == KEYS, "%s: num_flows %s == %d keys"
               % (fmt, d.get("num_flows"), KEYS))
        nh = expected_hosts(KEYS)
        expect(d.get("num_hosts") == nh, "%s: num_hosts %s == %d"
               % (fmt, d.get("num_hosts"), nh))


def main():
    gen = node.tool_path("ntopng-gen-flows", "NTOPNG_GEN_FLOWS")
    if not expect(gen is not None, "ntopng-gen-flows found"):
        return 1
    for fmt in ("json", "tlv"):
        run_case(gen, fmt)
    # nobody subscribes: bounded give-up, exit 1, nothing sent
    t0 = time.monotonic()
    p = subprocess.run([gen, "-e", "tcp://127.0.0.1:%dc" % node.free_port(), "-n", "10",
                        "--wait-subscriber", "--wait-timeout", "1", "--linger", "0"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=20)
    expect(p.returncode == 1 and "SENT" not in p.stdout and time.monotonic() - t0 < 5,
           "no subscriber: exit %d after %.1f s" % (p.returncode, time.monotonic() - t0))
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
