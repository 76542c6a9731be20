#!/usr/bin/python3
"""tools/ntopng-gen-pcap makes a 20k-packet capture; a node reads it:
packets and bytes equal tshark's; DNS, HTTP, TLS, QUIC, ICMP and ICMPV6
appear in the L7 stats with bytes; the ARP slice equals tshark's ARP bytes
and, since ARP is the only non-IP traffic the generator makes, all slices
add up to the interface bytes; hosts on VLAN 10/20 and IPv6 hosts exist,
as tshark sees them in the file.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402

PACKETS = 20000


def tshark(path, dfilter, fields):
    args = ["tshark", "-r", path, "-T", "fields"]
    if dfilter:
        args += ["-Y", dfilter]
    for f in fields:
        args += ["-e", f]
    out = subprocess.run(args, capture_output=True, text=True, timeout=120).stdout
    return [ln.split("\t") for ln in out.splitlines() if ln]


def main():
    gen = node.tool_path("ntopng-gen-pcap", "NTOPNG_GEN_PCAP")
    if not expect(gen is not None, "ntopng-gen-pcap found"):
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "gen.pcap")
        r = subprocess.run([gen, "-o", pcap, "-n", str(PACKETS), "-f", "300", "-s", "7", "-q"],
                           capture_output=True, text=True, timeout=60)
        if not expect(r.returncode == 0 and os.path.getsize(pcap) > 24,
                      "generator exits 0 (%d %s)" % (r.returncode, r.stderr.strip()[:200])):
            return 1
        frames = [int(x[0]) for x in tshark(pcap, None, ["frame.len"])]
        arp = sum(int(x[0]) for x in tshark(pcap, "arp", ["frame.len"]))
        nonip = sum(int(x[0]) for x in tshark(pcap, "!ip && !ipv6", ["frame.len"]))
        vlans = {x[0] for x in tshark(pcap, "vlan", ["vlan.id"])}
        expect(len(frames) == PACKETS, "tshark reads %d packets (want %d)" % (len(frames), PACKETS))
        expect(arp > 0 and arp == nonip, "tshark: ARP %d bytes, the only non-IP traffic (%d)"
               % (arp, nonip))
        with node.Node(["-i", pcap], name="gen") as n:
            d = n.wait_ended(timeout=50)
            expect(d["packets"] == len(frames) and d["bytes"] == sum(frames),
                   "interface packets/bytes %d/%d = tshark %d/%d"
                   % (d["packets"], d["bytes"], len(frames), sum(frames)))
            de = d["decode_errors"]
            expect(de["bad_packets"] == 0, "no bad packets (%d)" % de["bad_packets"])
            l7 = n.rest("get/interface/l7/stats.lua", ifid=0, ndpistats_mode="sinceStartup",
                        collapse_stats="false")
            m = {s["label"]: s["value"] for s in l7}
            for proto in ("DNS", "HTTP", "TLS", "ICMP", "ICMPV6"):
                expect(m.get(proto, 0) > 0, "L7 %s: %d bytes" % (proto, m.get(proto, 0)))
            # The generator's gQUIC sessions use Google names only, so nDPI
            # (and ndpiReader alike) names each QUIC.<app>, and the L7
            # table counts the app: QUIC shows as the flows' master.
            fl = n.rest("get/flow/active.lua", ifid=0, perPage=100000, l4proto=17)["data"]
            quic = [f for f in fl if f["protocol"]["l7"].split(".")[0] == "QUIC"]
            qb = sum(f["bytes"] for f in quic)
            apps = {f["protocol"]["l7"].split(".")[-1] for f in quic}
            expect(qb > 0 and all(m.get(a, 0) > 0 for a in apps),
                   "QUIC: %d flows, %d bytes, their apps %s in the L7 stats"
                   % (len(quic), qb, sorted(apps)))
            qa = n.rest("get/flow/active.lua", ifid=0, perPage=100000, application="QUIC")
            expect(qa["totalRows"] == len(quic), "application=QUIC finds the %d QUIC flows (%d)"
                   % (len(quic), qa["totalRows"]))
            expect(m.get("ARP") == arp, "L7 ARP %r = tshark ARP bytes %d" % (m.get("ARP"), arp))
            expect(sum(m.values()) == d["bytes"], "Σ L7 slices %d = interface bytes %d"
                   % (sum(m.values()), d["bytes"]))
            unk = m.get("Unknown", 0)
            expect(unk * 100 < d["bytes"], "Unknown under 1%% (%d bytes)" % unk)
            hosts = n.rest("get/host/active.lua", ifid=0, all="true")["data"]
            hv = {str(h["vlan"]) for h in hosts if h["vlan"] != 0}
            expect(hv and hv == vlans, "hosts on VLANs %s = tshark's VLAN ids %s"
                   % (sorted(hv), sorted(vlans)))
            v6 = n.rest("get/host/active.lua", ifid=0, all="true", version=6)["data"]
            expect(len(v6) > 0 and all(":" in h["ip"] for h in v6), "%d IPv6 hosts" % len(v6))
            v4 = n.rest("get/host/active.lua", ifid=0, all="true", version=4)["data"]
            expect(len(v4) + len(v6) == len(hosts) == d["num_hosts"],
                   "IPv4 %d + IPv6 %d hosts = num_hosts %d" % (len(v4), len(v6), d["num_hosts"]))
            s = sum(h["bytes"]["sent"] for h in hosts)
            expect(s == sum(h["bytes"]["recvd"] for h in hosts) == d["bytes"] - arp,
                   "Σ hosts sent = Σ recvd = interface IP bytes %d" % (d["bytes"] - arp))
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
