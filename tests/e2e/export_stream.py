#!/usr/bin/python3
"""The -I export stream of a node reading a capture, decoded with the
independent decoder of tests/e2e/zmqwire.py (written from zmq-wire.md): a
28-byte v2 header with consecutive msg_ids and a stable source_id, TLV with
numeric keys, batched records, event messages; the records' counters add
up exactly to the IP bytes and packets the node counted, each flow's key
appears, every record carries the site path (this node) and an increasing
origin sequence number.  Also with --json-labels, and over
`ipc://flows.ipc` written the same for -I and -i.
"""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402
import zmqwire  # noqa: E402

try:
    import zmq
except ImportError:
    print("python3-zmq missing")
    sys.exit(77)



def collect(args, node_name, seconds_quiet=2.0, timeout=30):
    port = node.free_port()
    ctx = zmq.Context.instance()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    msgs = []
    with node.Node(args + ["-I", "tcp://127.0.0.1:%d" % port, "--node-id", node_name],
                   name="export-" + node_name) as n:
        sub.connect("tcp://127.0.0.1:%d" % port)
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - last < seconds_quiet:
            if sub.poll(200):
                msgs.append(sub.recv_multipart())
                if msgs[-1][0][:4] == b"flow":
                    last = time.monotonic()
        d = n.rest("get/interface/data.lua", ifid=0)
        flows = n.rest("get/flow/active.lua", ifid=0, perPage=100000, verbose="true")["data"]
    sub.close()
    return msgs, d, flows


def check(label, msgs, d, flows, node_name, tlv):
    recs, ids, events, sids = [], [], 0, set()
    for m in msgs:
        expect(len(m) == 2, "%s: every message has exactly 2 frames" % label) if len(m) != 2 else None
        h, body = zmqwire.decode_message(m)
        ids.append(h["msg_id"])
        sids.add(h["source_id"])
        if h["topic"] == "event":
            events += 1
            continue
        if h["topic"] == "alert":  # engaged/past alerts (docs/hierarchy.md)
            continue
        expect(len(m[0]) == 28 and h["tlv"] == tlv,
               "%s: 28-byte v2 header, %s payload" % (label, "TLV" if tlv else "JSON")) \
            if not (len(m[0]) == 28 and h["tlv"] == tlv) else None
        recs += body
    expect(len(ids) > 0 and ids == list(range(ids[0], ids[0] + len(ids))),
           "%s: msg_ids consecutive over %d messages" % (label, len(ids)))
    expect(len(sids) == 1 and 0 not in sids, "%s: one stable non-zero source_id %s" % (label, sids))
    expect(events >= 1, "%s: event messages (%d)" % (label, events))
    k = (lambda num, lab: num) if tlv else (lambda num, lab: lab)
    ib = sum(r.get(k(1, "IN_BYTES"), 0) + r.get(k(23, "OUT_BYTES"), 0) for r in recs)
    ip = sum(r.get(k(2, "IN_PKTS"), 0) + r.get(k(24, "OUT_PKTS"), 0) for r in recs)
    flow_bytes = sum(f["bytes"] for f in flows)
    expect(ib == flow_bytes, "%s: exported bytes %d == the node's flow bytes %d" % (label, ib, flow_bytes))
    pk = sum(f.get("packets", 0) for f in flows)
    expect(ip > 0 and (pk == 0 or ip == pk), "%s: exported packets %d (flows say %d)" % (label, ip, pk))
    expect(len(recs) >= len(flows), "%s: %d records for %d flows" % (label, len(recs), len(flows)))
    keys = set()
    for r in recs:
        src = r.get(k(8, "IPV4_SRC_ADDR")) or r.get(k(27, "IPV6_SRC_ADDR"))
        dst = r.get(k(12, "IPV4_DST_ADDR")) or r.get(k(28, "IPV6_DST_ADDR"))
        keys.add((src, r.get(k(7, "L4_SRC_PORT")), dst, r.get(k(11, "L4_DST_PORT")), r.get(k(4, "PROTOCOL"))))
    expect(len(keys) == len(flows), "%s: distinct flow keys %d == active flows %d" % (label, len(keys), len(flows)))
    paths = set(r.get("SITE_PATH") for r in recs)
    expect(paths == {node_name}, "%s: site path is the node id (%s)" % (label, paths))
    seqs = [r.get("ORIGIN_SEQ") for r in recs]
    expect(seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and seqs[0] >= 1,
           "%s: origin sequence numbers increase" % label)


def test_ipc_between_nodes():
    """issue 11 #22: the seed's `ipc://flows.ipc`, as written, on both
    sides: the exporter binds flows.ipc (not flows.ip), the collector
    connects to it, and gets every byte."""
    pcap = os.path.join(node.PCAPS, "teams.pcap")
    sdir = tempfile.mkdtemp(prefix="export-ipc-")
    cwd = os.getcwd()
    os.chdir(sdir)                      # relative ipc paths, as the seed
    try:
        with node.Node(["-i", "ipc://flows.ipc"], name="export-ipc-coll") as coll:
            with node.Node(["-i", pcap, "-I", "ipc://flows.ipc", "--node-id", "ipc-edge"],
                           name="export-ipc-edge") as edge:
                expect(os.path.exists(os.path.join(sdir, "flows.ipc")),
                       "-I ipc://flows.ipc binds flows.ipc (%s)" % sorted(os.listdir(sdir)))
                flows = []
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    flows = edge.rest("get/flow/active.lua", ifid=0, perPage=100000)["data"]
                    want = sum(f["bytes"] for f in flows)
                    got = coll.rest("get/interface/data.lua", ifid=0).get("bytes", 0)
                    if want and got == want:
                        break
                    time.sleep(0.3)
                expect(want > 0 and got == want,
                       "-i ipc://flows.ipc got the exporter's bytes: %d == %d" % (got, want))
    finally:
        os.chdir(cwd)
        shutil.rmtree(sdir, ignore_errors=True)


def main():
    pcap = os.path.join(node.PCAPS, "teams.pcap")
    msgs, d, flows = collect(["-i", pcap], "edge-tlv")
    check("TLV", msgs, d, flows, "edge-tlv", True)
    msgs, d, flows = collect(["-i", pcap, "--json-labels"], "edge-json")
    check("JSON labels", msgs, d, flows, "edge-json", False)
    test_ipc_between_nodes()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
