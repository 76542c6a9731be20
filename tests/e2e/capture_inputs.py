#!/usr/bin/python3
"""The capture inputs of issue 2 read by a real node, with counts checked
against REFERENCE.tsv, tcpdump and a small pcap reader:

(a) -i both=a.pcap,b.pcap merges into one interface named "both" whose
    packets/bytes are the sums; two -i give two interfaces (ifid 0 and 1);
(b) a list file (one pcap per line, # comments, blank lines) = the sum;
(c) -B "udp" counts what tcpdump's same filter keeps;
(d) the configuration-file form (`ntopng file.conf`, -i= / --interface=
    lines, -w=, comments, --disable-login), options after it ignored with a
    warning line;
(f) --shutdown-when-done exits 0 and prints STATS; without it the node
    keeps serving after the input ended and says input_ended;
(g) -X / -x limits: num_flows / num_hosts stop at the limit, the rest is
    counted as dropped, and every packet is still counted;
(h) -m local networks: num_local_hosts = the endpoints inside them.
Live capture (e) is tests/e2e/capture_live.py (it needs ip netns).
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402
sys.path.insert(0, os.path.join(node.REPO, "tools"))
import pcapfile  # noqa: E402



def pcap_totals(path):
    """(packets, sum of original lengths) of a pcap."""
    recs = pcapfile.read(path)[2]
    return len(recs), sum(r[2] for r in recs)


def ref(fname):
    r = node.reference()[fname]
    return int(r["packets"]), int(r["bytes"])


def pc(fname):
    return os.path.join(node.PCAPS, fname)


def test_merge():
    a, b = "dns.pcap", "teams.pcap"
    with node.Node(["-i", "both=%s,%s" % (pc(a), pc(b))], name="in-merge") as n:
        d = n.wait_ended()
        ifs = n.rest("get/ntopng/interfaces.lua")
        # "both" is the display name; ifname stays the inputs (as upstream
        # keeps the device in ifname and the alias in name)
        expect(len(ifs) == 1 and ifs[0]["ifid"] == 0 and ifs[0]["name"] == "both"
               and a in ifs[0]["ifname"] and b in ifs[0]["ifname"],
               "-i both=a,b: one interface named both (%r)" % ifs)
        pa, ba = ref(a)
        pb, bb = ref(b)
        expect(d["packets"] == pa + pb and d["bytes"] == ba + bb,
               "merged packets/bytes %d/%d = %d/%d (sum of REFERENCE)"
               % (d["packets"], d["bytes"], pa + pb, ba + bb))
        r = node.reference()
        hosts = int(r[a]["ipv4_endpoints"]) + int(r[b]["ipv4_endpoints"])
        expect(d["num_hosts"] <= hosts and d["num_hosts"] >= int(r[b]["ipv4_endpoints"]),
               "merged hosts %d within [%s, %d]" % (d["num_hosts"], r[b]["ipv4_endpoints"], hosts))
    with node.Node(["-i", pc(a), "-i", pc(b)], name="in-two") as n:
        d0 = n.wait_ended(0)
        d1 = n.wait_ended(1)
        ifs = sorted(n.rest("get/ntopng/interfaces.lua"), key=lambda i: i["ifid"])
        expect([i["ifid"] for i in ifs] == [0, 1] and ifs[0]["ifname"].endswith(a)
               and ifs[1]["ifname"].endswith(b), "two -i: interfaces 0 and 1 (%r)" % ifs)
        expect((d0["packets"], d0["bytes"]) == ref(a) and (d1["packets"], d1["bytes"]) == ref(b),
               "two -i: each interface counts its own file")
        h1 = n.rest("get/host/active.lua", ifid=1, all="true")["data"]
        expect(len(h1) == d1["num_hosts"] == int(node.reference()[b]["ipv4_endpoints"]),
               "ifid=1 hosts are teams.pcap's %d" % len(h1))


def test_list(tmp):
    files = ["dns.pcap", "quic-29.pcap", "google_ssl.pcap"]
    lst = os.path.join(tmp, "inputs.txt")
    with open(lst, "w") as f:
        f.write("# captures for the list test\n\n")
        for x in files:
            f.write("%s   # trailing comment\n" % pc(x))
        f.write("   \n# the end\n")
    with node.Node(["-i", lst], name="in-list") as n:
        d = n.wait_ended()
        p = sum(ref(x)[0] for x in files)
        b = sum(ref(x)[1] for x in files)
        expect(d["packets"] == p and d["bytes"] == b,
               "list file of %d pcaps: %d/%d = %d/%d" % (len(files), d["packets"], d["bytes"], p, b))


def test_bpf(tmp):
    out = os.path.join(tmp, "udp.pcap")
    r = subprocess.run(["tcpdump", "-r", pc("teams.pcap"), "-w", out, "udp"],
                       capture_output=True, timeout=60)
    if not expect(r.returncode == 0, "tcpdump -r teams.pcap udp (rc %d)" % r.returncode):
        return
    want_p, want_b = pcap_totals(out)
    with node.Node(["-i", pc("teams.pcap"), "-B", "udp"], name="in-bpf") as n:
        d = n.wait_ended()
        expect(0 < want_p < ref("teams.pcap")[0], "tcpdump keeps %d of %d packets"
               % (want_p, ref("teams.pcap")[0]))
        expect(d["packets"] == want_p and d["bytes"] == want_b,
               "-B udp: %d/%d packets/bytes = tcpdump's %d/%d"
               % (d["packets"], d["bytes"], want_p, want_b))
        fl = n.rest("get/flow/active.lua", ifid=0, perPage=1000)["data"]
        expect(fl and all(f["protocol"]["l4"] == "UDP" for f in fl), "-B udp: only UDP flows")


def test_conf(tmp):
    port = node.free_port()
    conf = os.path.join(tmp, "ntopng.conf")
    with open(conf, "w") as f:
        f.write("# ntopng configuration for the e2e test\n"
                "-i=%s\n"
                "   # an indented comment\n"
                "--interface=%s\n"
                "-w=127.0.0.1:%d\n"
                "\n"
                "--disable-login\n"
                "# isolated like node.Node: own data dir, no shared Redis\n"
                "-d=%s\n"
                "-r=127.0.0.1:1\n"
                "-s   # stay root: the data dir is under a 0700 TMPDIR\n" % (pc("dns.pcap"), pc("google_ssl.pcap"), port,
                                       os.path.join(tmp, "conf-data")))
    log = open(os.path.join(node.LOGS, "in-conf-%d.log" % port), "w+")
    p = subprocess.Popen([node.BIN, conf, "-i", pc("teams.pcap")], stdout=log,
                         stderr=subprocess.STDOUT)
    try:
        n = node.Node([], name="in-conf")
        n.port = port
        deadline = time.monotonic() + 20
        up = False
        while time.monotonic() < deadline and p.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                up = True
                break
            except OSError:
                time.sleep(0.05)
        if not expect(up, "ntopng <conf> serves on the -w= port %d" % port):
            return
        d0 = n.wait_ended(0)
        d1 = n.wait_ended(1)
        ifs = n.rest("get/ntopng/interfaces.lua")
        expect(len(ifs) == 2, "conf: -i= and --interface= give 2 interfaces, the -i after the "
               "file is ignored (%r)" % [i["ifname"] for i in ifs])
        expect((d0["packets"], d0["bytes"]) == ref("dns.pcap")
               and (d1["packets"], d1["bytes"]) == ref("google_ssl.pcap"),
               "conf: the listed pcaps are served with their counts")
        log.seek(0)
        text = log.read()
        warn = [ln for ln in text.splitlines() if "ignored" in ln]
        expect(len(warn) == 1 and "teams.pcap" in warn[0],
               "conf: one warning line names the ignored options (%r)" % warn)
    finally:
        if p.poll() is None:
            p.terminate()
            p.wait(20)
        log.close()
    expect(p.returncode == 0, "conf node exits 0 on SIGTERM (%r)" % p.returncode)
    with open(log.name, errors="replace") as f:
        node.check_output("ntopng <conf>", f.read())


def test_shutdown(tmp):
    r = subprocess.run([node.BIN, "-w", "0", "--shutdown-when-done", "-i", pc("teams.pcap"),
                        "-d", tmp, "-r", "127.0.0.1:1", "-s"],
                       capture_output=True, text=True, timeout=60)
    node.check_output("ntopng --shutdown-when-done", r.stdout + r.stderr)
    stats = [ln for ln in r.stdout.splitlines() if ln.startswith("STATS ")]
    kv = dict(x.split("=") for x in stats[0].split()[1:]) if stats else {}
    p, b = ref("teams.pcap")
    expect(r.returncode == 0, "--shutdown-when-done exits 0 (%d)" % r.returncode)
    expect(kv.get("packets") == str(p) and kv.get("bytes") == str(b) and kv.get("ifid") == "0",
           "STATS line packets=%s bytes=%s (want %d %d)" % (kv.get("packets"), kv.get("bytes"),
                                                            p, b))
    with node.Node(["-i", pc("dns.pcap")], name="in-keep") as n:
        d = n.wait_ended()
        expect(d["input_ended"] is True and d["is_loading"] is False,
               "without it: input_ended true, is_loading false")
        time.sleep(1.5)
        expect(n.proc.poll() is None, "without it: the node keeps running after the input ended")
        d = n.rest("get/interface/data.lua", ifid=0)
        expect((d["packets"], d["bytes"]) == ref("dns.pcap"), "and keeps serving its final counts")
        st = n.stop()
        expect(st == 0, "SIGTERM: exit 0 (%r)" % st)


def test_limits():
    ip_packets = ref("teams.pcap")[0] - 42   # 42 ARP/non-IP frames (tshark)
    with node.Node(["-i", pc("teams.pcap"), "-X", "10"], name="in-maxflows") as n:
        d = n.wait_ended()
        fl = n.rest("get/flow/active.lua", ifid=0, perPage=1000, verbose="true")["data"]
        de = d["decode_errors"]
        expect(d["num_flows"] == 10 and len(fl) == 10, "-X 10: num_flows %d, %d listed"
               % (d["num_flows"], len(fl)))
        expect(d["packets"] == ref("teams.pcap")[0], "-X 10: every packet is still counted")
        expect(de["flows_dropped"] > 0 and de["non_ip_packets"] == 42,
               "-X 10: flows_dropped %d > 0" % de["flows_dropped"])
        inflows = sum(f["packets"] for f in fl)
        expect(inflows + de["flows_dropped"] == ip_packets,
               "-X 10: packets in the 10 flows %d + flows_dropped %d = IP packets %d"
               % (inflows, de["flows_dropped"], ip_packets))
        expect(d["flows_pctg"] == 100, "flows_pctg of a full table is 100, not upstream's "
               "floor(1 + 10*100/10) = 101 (%d)" % d["flows_pctg"])
        expect(n.proc.poll() is None, "node alive")
    with node.Node(["-i", pc("teams.pcap"), "-x", "5"], name="in-maxhosts") as n:
        d = n.wait_ended()
        h = n.rest("get/host/active.lua", ifid=0, all="true")["data"]
        expect(d["num_hosts"] == 5 == len(h) and d["decode_errors"]["hosts_dropped"] > 0,
               "-x 5: 5 hosts, hosts_dropped %d" % d["decode_errors"]["hosts_dropped"])
        expect(d["packets"] == ref("teams.pcap")[0], "-x 5: every packet is still counted")
        expect(d["hosts_pctg"] == 100, "hosts_pctg of a full table is 100 (%d)"
               % d["hosts_pctg"])


def tshark_ipv4_hosts(path):
    out = subprocess.run(["tshark", "-r", path, "-Y", "ip", "-T", "fields", "-e", "ip.src",
                          "-e", "ip.dst"], capture_output=True, text=True, timeout=60).stdout
    hosts = set()
    for line in out.splitlines():
        for x in line.split("\t"):
            hosts.update(a for a in x.split(",") if a)
    return hosts


def test_local_nets():
    path = pc("anyconnect-vpn.pcap")
    hosts = tshark_ipv4_hosts(path)
    ten = {h for h in hosts if h.startswith("10.")}
    c75 = {h for h in hosts if h.startswith("75.75.")}
    expect(len(ten) > 0 and len(c75) > 0, "anyconnect-vpn.pcap has %d endpoints in 10/8, %d in "
           "75.75/16 (tshark)" % (len(ten), len(c75)))
    for spec, want, what in (("10.0.0.0/8", ten, "CIDR"),
                             ("10.0.0.0/255.0.0.0", ten, "netmask"),
                             ("10.0.0.0/8,75.75.0.0/16", ten | c75, "two networks")):
        with node.Node(["-i", path, "-m", spec], name="in-local") as n:
            d = n.wait_ended()
            loc = n.rest("get/host/active.lua", ifid=0, all="true", mode="local")["data"]
            expect(d["num_local_hosts"] == len(want) and {h["ip"] for h in loc} == want,
                   "-m %s (%s): num_local_hosts %d = %d tshark endpoints"
                   % (spec, what, d["num_local_hosts"], len(want)))


def main():
    if not os.path.isdir(node.PCAPS):
        print("NTOPNG_SHARED pcaps not found")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        test_merge()
        test_list(tmp)
        test_bpf(tmp)
        test_conf(tmp)
        test_shutdown(tmp)
        test_limits()
        test_local_nets()
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
