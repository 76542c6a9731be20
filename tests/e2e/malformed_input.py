#!/usr/bin/python3
"""Bad input never crashes the node: a file that is not a pcap, a text file
that lists no pcap, a missing file, a pcap cut in the middle of a record,
frames truncated at every length, and frames with random bytes flipped.
Each gives one clear message or counted errors, and the frames that are
there are still counted.
"""
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402
sys.path.insert(0, os.path.join(node.REPO, "tools"))
import pcapfile  # noqa: E402



def run(args, expect_errors=(), timeout=120):
    """Runs the node; its output must hold no sanitizer report and no
    ERROR line but the ones expected (node.check_output)."""
    p = subprocess.run([node.BIN, "-w", "0"] + args, capture_output=True, timeout=timeout)
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    node.check_output("ntopng %s" % " ".join(args), out + err, expect_errors)
    return p.returncode, out, err


def stats(out):
    for line in out.splitlines():
        if line.startswith("STATS "):
            return {k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    return None


def main():
    tmp = tempfile.mkdtemp(prefix="ntopng-bad-")
    teams = os.path.join(node.PCAPS, "teams.pcap")
    ref = node.reference()["teams.pcap"]

    junk = os.path.join(tmp, "junk.bin")
    with open(junk, "wb") as f:
        rnd = random.Random(1)
        f.write(bytes(rnd.randrange(256) for _ in range(4096)))
    rc, out, err = run(["-i", junk, "--shutdown-when-done"], [r"not a readable pcap"])
    # INFO lines of the start (e.g. "geoip: no database") may come first
    errs = [l for l in err.strip().splitlines() if "] INFO: " not in l]
    expect(rc == 1 and "not a readable pcap" in err and len(errs) == 1,
           "a binary file that is not a pcap: exit 1, one clear line (%r)" % err.strip())

    text = os.path.join(tmp, "notes.txt")
    with open(text, "w") as f:
        f.write("hello\nworld\n")
    rc, out, err = run(["-i", text, "--shutdown-when-done"], [r"hello"])
    expect(rc == 1 and "hello" in err, "a text file listing no pcap: exit 1 naming the bad line")

    rc, out, err = run(["-i", os.path.join(tmp, "missing.pcap"), "--shutdown-when-done"],
                       [r"missing\.pcap"])
    expect(rc == 1 and "missing.pcap" in err, "a missing file: exit 1 naming it")

    hdr, _, recs = pcapfile.read(teams)
    cut = os.path.join(tmp, "cut.pcap")
    with open(teams, "rb") as f:
        data = f.read()
    with open(cut, "wb") as f:
        f.write(data[:len(data) // 2])
    rc, out, err = run(["-i", cut, "--shutdown-when-done"], [r"damaged"])
    st = stats(out)
    expect(rc == 0 and st is not None and 0 < st["packets"] < int(ref["packets"])
           and "damaged" in err,
           "a pcap cut mid-record: the frames before the cut are counted, one error line")

    # every frame truncated to a length from 0 to 80 bytes (wire length kept)
    rnd = random.Random(2)
    short = [(ts, tus, orig, fr[:rnd.randrange(0, 81)]) for ts, tus, orig, fr in recs]
    trunc = os.path.join(tmp, "trunc.pcap")
    pcapfile.write(trunc, hdr, short)
    rc, out, err = run(["-i", trunc, "--shutdown-when-done"])
    st = stats(out)
    expect(rc == 0 and st is not None and st["packets"] == int(ref["packets"])
           and st["bytes"] == int(ref["bytes"]),
           "truncated frames: every frame and its wire bytes counted, no crash")

    # random bytes flipped in the first 100 bytes of every frame, several captures
    for name in ("teams.pcap", "dns_fragmented.pcap", "6in4tunnel.pcap", "capwap.pcap",
                 "ipv6_in_gtp.pcap", "KakaoTalk_chat.pcap", "BGP_redist.pcap"):
        hdr, _, recs = pcapfile.read(os.path.join(node.PCAPS, name))
        for seed in range(3):
            rnd = random.Random(seed)
            bad = []
            for ts, tus, orig, fr in recs:
                b = bytearray(fr)
                for _ in range(4):
                    if b:
                        b[rnd.randrange(min(len(b), 100))] = rnd.randrange(256)
                bad.append((ts, tus, orig, bytes(b)))
            path = os.path.join(tmp, "flip-%d-%s" % (seed, name))
            pcapfile.write(path, hdr, bad)
            rc, out, err = run(["-i", path, "--shutdown-when-done"])
            st = stats(out)
            expect(rc == 0 and st is not None and st["packets"] == len(recs),
                   "%s with random bytes flipped (seed %d): no crash, %d frames counted"
                   % (name, seed, len(recs)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
