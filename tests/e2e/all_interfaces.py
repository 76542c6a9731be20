#!/usr/bin/python3
"""all_interfaces.py - seed §1 (release 1.2): "starting ntopng without -i
now causes it to open all the network interfaces present on the system",
each as its own interface.

In a network namespace of its own (node.netns_main: lo up) the test adds
two veth pairs, va/vb up and vc/vd left down, starts a node without -i and
checks through get/ntopng/interfaces.lua that it opened exactly va and vb
(not lo, not the down ones), each as its own interface, and that the log
names what it opened and what it skipped.  Skipped (77) where network
namespaces cannot be made.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, expect  # noqa: E402


def ip(*args):
    r = subprocess.run(["ip"] + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("ip %s: %s" % (" ".join(args), r.stderr.strip()))


def inner():
    ip("link", "add", "va", "type", "veth", "peer", "name", "vb")
    ip("link", "add", "vc", "type", "veth", "peer", "name", "vd")
    ip("link", "set", "va", "up")
    ip("link", "set", "vb", "up")
    with Node([], name="allifs") as n:
        ifs = n.rest("get/ntopng/interfaces.lua")
        names = sorted(i["ifname"] for i in ifs)
        expect(names == ["va", "vb"], "without -i: exactly the up non-lo interfaces, "
               "each its own interface: %s" % names)
        ifids = sorted(i["ifid"] for i in ifs)
        expect(ifids == [0, 1], "two interfaces, ifids 0 and 1: %s" % ifids)
        log = n.read_log()
        lines = [l for l in log.splitlines() if "no -i given" in l]
        opened = lines[0].split("is up: ", 1)[-1].split(";")[0] if lines else ""
        expect(len(lines) == 1 and sorted(opened.split(", ")) == ["va", "vb"]
               and "lo (loopback)" in lines[0]
               and "vc (down)" in lines[0] and "vd (down)" in lines[0],
               "one log line names what was opened and skipped: %s" % lines)
    # nothing up besides lo: one error line, exit 1
    ip("link", "set", "va", "down")
    ip("link", "set", "vb", "down")
    r = subprocess.run([node.BIN, "-w", "0", "-r", "127.0.0.1:1", "-s",
                        "-d", os.environ.get("TMPDIR", "/tmp") + "/allifs-none"],
                       capture_output=True, text=True, timeout=60)
    errs = [l for l in r.stderr.splitlines() if "ERROR" in l]
    expect(r.returncode == 1 and len(errs) == 1 and "no -i given" in errs[0],
           "no interface up: exit 1 with one error line (rc %d): %s" % (r.returncode, errs))


if __name__ == "__main__":
    sys.exit(node.netns_main(__file__, inner, node.failures))
