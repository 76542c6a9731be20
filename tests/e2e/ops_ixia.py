#!/usr/bin/python3
"""ops_ixia.py - --hw-timestamp-mode ixia (seed §1.2, issue 18).

The test writes a pcap whose frames carry IXIA timestamp trailers
(capture/hwts.h: source, 8, seconds, nanoseconds, 10, AF 12, Internet
checksum; once followed by a 4-byte FCS) whose times are years away from
the pcap record times:
  - flow A (UDP 10.0.0.1:1111 -> 10.0.0.2:2222), 3 frames with valid
    trailers (the last with an FCS after it): its first and last seen are
    the trailer times, its bytes the frames without the trailer (and FCS);
  - flow B, 1 frame whose trailer checksum is wrong: kept with its pcap
    time and whole length, counted "invalid";
  - flow C, 1 frame whose end the capture cut (caplen < len): kept with
    its pcap time and wire length, counted "short";
  - interface packets and bytes add up the same way;
  - get/interface/sources.lua reports hw_timestamps {mode ixia,
    stamped 3, short 1, invalid 1};
  - the same file read without the option: every flow has its pcap times
    and whole frame lengths (the option is what makes the difference);
  - when tshark is there, Wireshark's own IXIA trailer dissector reads
    the test's trailers the same way (their layout is not only ours): the
    three valid ones with the times above, none in the other two frames.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, expect  # noqa: E402

T_HW = 1700000000      # trailer times
T_PCAP = 1500000000    # pcap record times


def cksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def udp_frame(src, dst, sport, dport, payload):
    ip_len = 20 + 8 + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, 1, 0, 64, 17, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", cksum(ip)) + ip[12:]
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    eth = b"\x00\x11\x22\x33\x44\x55" + b"\x00\x66\x77\x88\x99\xaa" + b"\x08\x00"
    return eth + ip + udp + payload


def trailer(sec, nsec, bad_cksum=False):
    head = struct.pack("!BBIIB", 4, 8, sec, nsec, 10) + b"\xaf\x12"
    c = cksum(head)
    if bad_cksum:
        c ^= 0x0101
    return head + struct.pack("!H", c)


def write_pcap(path):
    """Returns {flow: (first_seen, last_seen, bytes)} as the node must show
    them with the option and without it, and the interface totals."""
    recs = []   # (pcap ts sec, usec, frame bytes, orig_len)
    a = [udp_frame([10, 0, 0, 1], [10, 0, 0, 2], 1111, 2222, b"A" * n) for n in (30, 100, 64)]
    b = udp_frame([10, 0, 0, 3], [10, 0, 0, 4], 3333, 4444, b"B" * 40)
    c = udp_frame([10, 0, 0, 5], [10, 0, 0, 6], 5555, 6666, b"C" * 50)
    fb = b + trailer(T_HW + 50, 0, bad_cksum=True)
    fc = c + trailer(T_HW + 60, 0)
    recs.append((T_PCAP + 100, 0, fb, len(fb)))
    # the capture kept only the first 60 bytes of C
    recs.append((T_PCAP + 200, 0, fc[:60], len(fc)))
    fa = [a[0] + trailer(T_HW, 250000000),
          a[1] + trailer(T_HW + 3, 5),
          a[2] + trailer(T_HW + 7, 999999999) + b"\x12\x34\x56\x78"]  # + FCS
    for i, f in enumerate(fa):
        recs.append((T_PCAP + 300 + i, 0, f, len(f)))
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for sec, usec, data, orig in recs:
            f.write(struct.pack("<IIII", sec, usec, len(data), orig))
            f.write(data)
    with_opt = {
        1111: (T_HW, T_HW + 7, sum(len(x) for x in a)),
        3333: (T_PCAP + 100, T_PCAP + 100, len(fb)),
        5555: (T_PCAP + 200, T_PCAP + 200, len(fc)),
    }
    without = {
        1111: (T_PCAP + 300, T_PCAP + 302, sum(len(x) for x in fa)),
        3333: with_opt[3333],
        5555: with_opt[5555],
    }
    tot_with = sum(v[2] for v in with_opt.values())
    tot_without = sum(v[2] for v in without.values())
    return with_opt, without, tot_with, tot_without


def tshark_check(pcap):
    if not shutil.which("tshark"):
        print("note  tshark missing: the trailers are not cross-checked")
        return
    r = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "frame.number", "-e",
                        "ixiatrailer.timestamp"],
                       capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, TZ="UTC", LC_ALL="C"))
    got = {}
    for line in r.stdout.splitlines():
        num, _, ts = line.partition("\t")
        got[int(num)] = ts.strip()
    want = {1: "", 2: "", 3: "Nov 14, 2023 22:13:20.250000000 UTC",
            4: "Nov 14, 2023 22:13:23.000000005 UTC",
            5: "Nov 14, 2023 22:13:27.999999999 UTC"}
    expect(got == want, "tshark's ixiatrailer dissector reads the same trailers: %s" % got)


def flows(n):
    rows = n.rest("get/flow/active.lua", ifid=0, perPage=100)["data"]
    out = {}
    for r in rows:
        port = min(r["client"]["port"], r["server"]["port"])
        out[port] = (r["first_seen"], r["last_seen"], r["bytes"])
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="ntopng-ixia-")
    try:
        pcap = os.path.join(tmp, "ixia.pcap")
        with_opt, without, tot_with, tot_without = write_pcap(pcap)
        tshark_check(pcap)

        with Node(["-i", pcap, "--hw-timestamp-mode", "ixia"], name="ixia") as n:
            d = n.wait_ended()
            got = flows(n)
            for port, want in sorted(with_opt.items()):
                expect(got.get(port) == want, "ixia: flow of port %d (first, last, bytes) "
                       "= %s (%s)" % (port, want, got.get(port)))
            expect(d["packets"] == 5 and d["bytes"] == tot_with,
                   "ixia: interface 5 packets, %d bytes without the trailers (%d, %d)"
                   % (tot_with, d["packets"], d["bytes"]))
            src = n.rest("get/interface/sources.lua", ifid=0)[0]
            hw = src.get("hw_timestamps")
            expect(hw == {"mode": "ixia", "stamped": 3, "short": 1, "invalid": 1},
                   "sources.lua hw_timestamps: 3 stamped, 1 short, 1 invalid (%s)" % hw)
            expect(src.get("bytes") == tot_with, "the source's bytes exclude the trailers "
                   "(%s)" % src.get("bytes"))
            log = n.read_log()
            expect("without a valid IXIA timestamp trailer" in log
                   and "without a whole IXIA timestamp trailer" in log,
                   "the two frames without a usable trailer are logged")

        with Node(["-i", pcap], name="ixia-off") as n:
            d = n.wait_ended()
            got = flows(n)
            for port, want in sorted(without.items()):
                expect(got.get(port) == want, "without the option: flow of port %d = %s (%s)"
                       % (port, want, got.get(port)))
            expect(d["bytes"] == tot_without, "without the option the interface counts "
                   "whole frames (%d, %d)" % (tot_without, d["bytes"]))
            src = n.rest("get/interface/sources.lua", ifid=0)[0]
            expect("hw_timestamps" not in src, "no hw_timestamps without the option")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
