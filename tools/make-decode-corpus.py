#!/usr/bin/python3
"""make-decode-corpus.py - seeds tests/corpus/decode/ for fuzz/fuzz_decode
from the shared captures.

Each corpus file is one input of the fuzz target: byte 0 is the index of
the capture's link type in the dlts[] table of fuzz/fuzz_decode.c (the same
table is in tests/unit/test_decode.c), the rest is one captured frame as
stored (caplen bytes).  From every capture of ../shared/pcaps (pcap or
pcapng; not the export-* ones) we take its first frame and one from its middle, so that each
link type and encapsulation (VLAN, MPLS, PPPoE, GRE, VXLAN, GTP, Teredo,
CAPWAP, fragments, IPv6 extension headers) has seeds.  Files are named
seed-<capture>-<frame number>; existing crash-* files are left alone.

usage: tools/make-decode-corpus.py [shared/pcaps dir] [corpus dir]
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapfile  # noqa: E402

# fuzz/fuzz_decode.c: static const int dlts[]
DLTS = [1, 0, 9, 12, 50, 101, 104, 108, 113, 228, 229, 276]
PER_FILE = 1          # first frames of each capture
MIDDLE = 1            # plus this many from the middle
MAX_FRAME = 2048      # keep the corpus small


def read_pcap(data):
    """[(linktype, frame bytes)] of a classic pcap, or None."""
    r = pcapfile.parse(data)
    return None if r is None else [(r[1], rec[3]) for rec in r[2]]


def read_pcapng(data):
    """[(linktype, frame bytes)] of a pcapng: SHB, IDB and EPB/SPB blocks."""
    if data[:4] != b"\x0a\x0d\x0d\x0a" or len(data) < 12:
        return None
    bom = data[8:12]
    end = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
    out, links, off = [], [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack(end + "II", data[off:off + 8])
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 0x0a0d0d0a:
            links = []                      # a new section
        elif btype == 1 and len(body) >= 2:
            links.append(struct.unpack(end + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            ifc, _, _, cap = struct.unpack(end + "IIII", body[:16])
            if ifc < len(links):
                out.append((links[ifc], body[20:20 + cap]))
        elif btype == 3 and len(body) >= 4 and links:
            orig = struct.unpack(end + "I", body[:4])[0]
            out.append((links[0], body[4:4 + orig]))
        off += blen
    return out


def frames_of(path):
    with open(path, "rb") as f:
        data = f.read()
    r = read_pcap(data)
    if r is None:
        r = read_pcapng(data)
    return r or []


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    pcaps = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(repo),
                                                               "shared", "pcaps")
    corpus = sys.argv[2] if len(sys.argv) > 2 else os.path.join(repo, "tests", "corpus",
                                                                "decode")
    os.makedirs(corpus, exist_ok=True)
    for f in os.listdir(corpus):
        if f.startswith("seed-"):
            os.unlink(os.path.join(corpus, f))
    seen, written, skipped = set(), 0, set()
    for name in sorted(os.listdir(pcaps)):
        # the export-* captures are plain UDP to a collector: nothing new
        if not name.endswith((".pcap", ".pcapng")) or name.startswith("export-"):
            continue
        frames = frames_of(os.path.join(pcaps, name))
        picks = list(range(min(PER_FILE, len(frames))))
        if len(frames) > PER_FILE:
            step = max(1, len(frames) // (MIDDLE + 1))
            picks += [min(len(frames) - 1, step * (i + 1)) for i in range(MIDDLE)]
        for i in sorted(set(picks)):
            lt, frame = frames[i]
            if lt not in DLTS:
                skipped.add((name, lt))
                continue
            blob = bytes([DLTS.index(lt)]) + frame[:MAX_FRAME]
            if blob in seen:
                continue
            seen.add(blob)
            base = name.rsplit(".", 1)[0].replace(" ", "_")
            with open(os.path.join(corpus, "seed-%s-%d" % (base, i + 1)), "wb") as out:
                out.write(blob)
            written += 1
    for name, lt in sorted(skipped):
        print("skipped %s: link type %d is not in dlts[]" % (name, lt))
    print("%d seed files in %s" % (written, corpus))
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
