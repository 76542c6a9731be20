#!/usr/bin/python3
"""Every capture of ../shared/pcaps (but the export-* streams) read by a
real node: the interface's packets and bytes equal tshark's; on captures
without tunnels the active hosts equal tshark's IPv4+IPv6 endpoints; the L7
protocol carrying most bytes and the share of Unknown bytes agree with
ndpiReader 4.2 (REFERENCE.tsv), except where EXPLAINED says why not.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402

# Captures whose inner (tunnelled) traffic we decode, so hosts and flows
# differ from tshark's outer endpoints by design.
TUNNELS = {"4in4tunnel.pcap", "6in4tunnel.pcap", "teredo.pcap", "ipv6_in_gtp.pcap",
           "reasm_segv_anon.pcapng", "gre.pcapng", "vxlan.pcap", "capwap.pcap"}

# file -> why our top L7 protocol or Unknown share differs from ndpiReader's.
EXPLAINED = {
    "anyconnect-vpn.pcap": "the seed's budget gives nDPI 2 packets of a UDP flow; nDPI 4.2 "
                           "names the DTLS tunnel CiscoVPN only after more than 4 (ndpiReader "
                           "gives UDP 24), so the 2.4k-packet tunnel stays Unknown",
    "gre.pcapng": "we decode the GRE tunnel (issue: tunnels with inner flows accounted); "
                  "ndpiReader 4.2 does not, so it sees one GRE flow where we see SIP inside",
    "teredo.pcap": "we decode Teredo into its inner IPv6 flows (ICMPv6, and a few nDPI cannot "
                   "name); ndpiReader 4.2 counts the outer UDP flows as Teredo",
    "vxlan.pcap": "we decode VXLAN into its inner Ethernet/IP flows (DNS, TLS to Facebook); "
                  "ndpiReader 4.2 does not decapsulate VXLAN, so its 9 flows stay Unknown",
}

UNKNOWN_TOLERANCE = 1.0  # percentage points


def l7_bytes(n):
    rows = n.rest("get/interface/l7/stats.lua", ifid=0, ndpistats_mode="sinceStartup",
                  collapse_stats="false")
    return {r["label"]: r["value"] for r in rows if r["label"] not in ("ARP", "Other")}


def check(fname, ref):
    errors = []
    with node.Node(["-i", os.path.join(node.PCAPS, fname)], name="ref-" + fname) as n:
        d = n.wait_ended()
        if d["packets"] != int(ref["packets"]):
            errors.append("packets %d, tshark %s" % (d["packets"], ref["packets"]))
        if d["bytes"] != int(ref["bytes"]):
            errors.append("bytes %d, tshark %s" % (d["bytes"], ref["bytes"]))
        endpoints = int(ref["ipv4_endpoints"]) + int(ref["ipv6_endpoints"])
        if fname not in TUNNELS and d["num_hosts"] != endpoints:
            errors.append("hosts %d, tshark endpoints %d" % (d["num_hosts"], endpoints))
        ours = l7_bytes(n)
        theirs = {k: v[2] for k, v in node.ndpi_protocols(ref).items()}
        our_top = max(ours, key=ours.get) if ours else None
        their_top = max(theirs, key=theirs.get)
        our_unk = 100.0 * ours.get("Unknown", 0) / max(1, sum(ours.values()))
        their_unk = 100.0 * theirs.get("Unknown", 0) / max(1, sum(theirs.values()))
        l7_errors = []
        if our_top != their_top:
            l7_errors.append("top L7 %s, ndpiReader %s" % (our_top, their_top))
        if abs(our_unk - their_unk) > UNKNOWN_TOLERANCE:
            l7_errors.append("Unknown %.1f%%, ndpiReader %.1f%%" % (our_unk, their_unk))
        if l7_errors and fname in EXPLAINED:
            print("  %s: known difference (%s): %s" % (fname, "; ".join(l7_errors), EXPLAINED[fname]))
        else:
            errors += l7_errors
        if n.proc.poll() is not None:
            errors.append("node died")
    return errors


def main():
    ref = node.reference()
    failed = 0
    for fname in sorted(ref):
        if fname.startswith("export-"):
            continue
        try:
            errs = check(fname, ref[fname])
        except Exception as e:  # a crash or a timeout is a failure of this file
            errs = ["%s: %s" % (type(e).__name__, e)]
        print("%-32s %s" % (fname, "ok" if not errs else "FAIL: " + "; ".join(errs)))
        failed += bool(errs)
    print("%d captures checked, %d failed" % (len([f for f in ref if not f.startswith("export-")]), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
