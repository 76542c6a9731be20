#!/usr/bin/python3
"""A live feed through a FIFO: ntopng-gen-pcap -R writes generated
traffic in real time into a FIFO that a node reads with -i; every packet
and byte the generator reports arrives, the node answers REST while the
feed runs (it never blocks on the writer), and the interface ends when the
writer closes the FIFO.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402

GEN = node.tool_path("ntopng-gen-pcap", "NTOPNG_GEN_PCAP")


def main():
    if GEN is None:
        print("no ntopng-gen-pcap found (NTOPNG_GEN_PCAP, NTOPNG_BUILD/tools)")
        return 1
    fifo = os.path.join(tempfile.mkdtemp(prefix="ntopng-fifo-"), "feed")
    os.mkfifo(fifo)
    # 3000 packets at 1000/s: about 3 s of live traffic
    gen = subprocess.Popen([GEN, "-o", fifo, "-n", "3000", "-R", "-r", "1000", "-f", "50",
                            "-s", "7"], stderr=subprocess.PIPE, text=True)
    with node.Node(["-i", "feed=" + fifo], name="live-feed") as n:
        t0 = time.monotonic()
        d = n.rest("get/interface/data.lua", ifid=0)
        expect(not d["input_ended"] and time.monotonic() - t0 < 5,
               "the node answers while the feed runs (%d packets so far)" % d["packets"])
        out = gen.communicate(timeout=60)[1]
        m = re.search(r"(\d+) packets, (\d+) bytes", out)
        d = n.wait_ended(timeout=30)
        expect(m is not None and d["packets"] == int(m.group(1)) and
               d["bytes"] == int(m.group(2)),
               "every packet and byte of the feed counted (%d/%d, generator said %s)"
               % (d["packets"], d["bytes"], m.group(0) if m else out.strip()))
        expect(d["num_flows"] > 0 and d["num_hosts"] > 0,
               "flows %d and hosts %d from the feed" % (d["num_flows"], d["num_hosts"]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
