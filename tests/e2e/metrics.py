#!/usr/bin/python3
"""/metrics, the Prometheus exposition (issue 17 §3, docs/metrics.md).

A node with login on two captures (teams.pcap, dns.pcap):
- /metrics without credentials -> 401 with WWW-Authenticate; with HTTP
  Basic and with an API token (Authorization: Token) -> 200 in the text
  format (version=0.0.4);
- `promtool check metrics` (Debian's prometheus package) accepts it;
- the values equal REST's for the same question: packets, bytes, flows,
  hosts of each interface (get/interface/data.lua), records of each
  source (get/interface/sources.lua), the L7 bytes of Teams on teams.pcap
  (get/interface/l7/stats.lua sinceStartup);
- each family is written once (all its samples together), no per-host label;
- a real prometheus started here on loopback scrapes it (Basic auth) and
  its HTTP API answers ntopng_interface_bytes_total with our number;
- a second node with --metrics-open answers a loopback client without
  credentials (the REST API still wants them).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402

ADMIN = ("admin", "admin")


def parse(text):
    """{(name, frozenset(labels)): value} and the family order."""
    vals, fams = {}, []
    for ln in text.splitlines():
        if ln.startswith("# TYPE "):
            fams.append(ln.split()[2])
            continue
        if not ln or ln.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', ln)
        if not m:
            vals[("!bad", ln)] = None
            continue
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        vals[(m.group(1), labels)] = float(m.group(4))
    return vals, fams


def get(vals, name, **labels):
    want = set(labels.items())
    for (n, ls), v in vals.items():
        if n == name and want <= set(ls):
            return v
    return None


def main():
    promtool = shutil.which("promtool")
    prometheus = shutil.which("prometheus")
    if not promtool or not prometheus:
        print("SKIP: Debian's prometheus package is not installed (tools/install-deps.sh)")
        return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-metrics-")
    teams = os.path.join(node.PCAPS, "teams.pcap")
    dns = os.path.join(node.PCAPS, "dns.pcap")
    prom = None
    try:
        with node.Node(["-i", teams, "-i", dns], name="metrics", login=True) as n:
            n.auth = ADMIN
            n.wait_ended(0)
            n.wait_ended(1)
            n.auth = None
            st, hd, body = n.http("GET", "/metrics")
            expect(st == 401 and "basic" in hd.get("www-authenticate", "").lower(),
                   "no credentials: 401 with WWW-Authenticate (%d)" % st)
            n.auth = ADMIN
            st, hd, body = n.http("GET", "/metrics")
            text = body.decode()
            expect(st == 200 and hd.get("content-type", "").startswith("text/plain") and
                   "version=0.0.4" in hd.get("content-type", ""),
                   "Basic: 200 text/plain version=0.0.4 (%d %s)" % (st, hd.get("content-type")))
            r = subprocess.run([promtool, "check", "metrics"], input=body,
                               capture_output=True, timeout=60)
            expect(r.returncode == 0, "promtool check metrics: rc %d %s"
                   % (r.returncode, (r.stdout + r.stderr).decode()[:500]))
            vals, fams = parse(text)
            expect(not [k for k in vals if k[0] == "!bad"],
                   "every sample line parses: %s" % [k for k in vals if k[0] == "!bad"][:3])
            expect(len(fams) == len(set(fams)) and len(fams) >= 30,
                   "%d families, each declared once" % len(fams))
            # samples of a family are contiguous
            seen, last, split = set(), None, []
            for ln in text.splitlines():
                if ln.startswith("#") or not ln:
                    continue
                name = re.split(r"[{ ]", ln, 1)[0]
                if name != last:
                    if name in seen:
                        split.append(name)
                    seen.add(name)
                    last = name
            expect(not split, "families not split: %s" % split[:3])
            expect(not any(dict(ls).keys() & {"host", "ip", "mac"} for (_, ls) in vals
                           if ls is not None),
                   "no per-host label")
            for ifid in (0, 1):
                d = n.rest("get/interface/data.lua", ifid=ifid)
                lab = {"ifid": str(ifid)}
                for metric, key in (("ntopng_interface_packets_total", "packets"),
                                    ("ntopng_interface_bytes_total", "bytes"),
                                    ("ntopng_interface_flows", "num_flows"),
                                    ("ntopng_interface_hosts", "num_hosts")):
                    got = get(vals, metric, **lab)
                    expect(got == d[key], "ifid %d %s %s == REST %s %s"
                           % (ifid, metric, got, key, d[key]))
                src = n.rest("get/interface/sources.lua", ifid=ifid)
                got = get(vals, "ntopng_source_records_total", ifid=str(ifid), source="0")
                expect(got == src[0]["records"] and got > 0,
                       "ifid %d source records %s == %s" % (ifid, got, src[0]["records"]))
            l7 = n.rest("get/interface/l7/stats.lua", ifid=0, ndpistats_mode="sinceStartup")
            teams_bytes = None
            for row in l7 if isinstance(l7, list) else l7.get("data", []):
                if row.get("label") == "Teams" or row.get("name") == "Teams":
                    teams_bytes = row.get("value") or row.get("bytes")
            got = get(vals, "ntopng_l7_bytes_total", ifid="0", proto="Teams")
            expect(got is not None and got > 0 and (teams_bytes is None or got == teams_bytes),
                   "Teams bytes %s (REST %s)" % (got, teams_bytes))
            expect((get(vals, "process_resident_memory_bytes") or 0) > 1e6 and
                   (get(vals, "ntopng_threads") or 0) >= 3 and
                   get(vals, "ntopng_build_info") == 1,
                   "process metrics")
            # an API token works too
            st, _, raw = n.http("POST", "/lua/rest/v2/create/ntopng/api_token.lua", body={})
            tok = json.loads(raw or b"{}").get("rsp", {}).get("api_token")
            expect(st == 200 and tok, "API token created (%d)" % st)
            n.auth = None
            st, _, _ = n.http("GET", "/metrics", headers={"Authorization": "Token %s" % tok})
            expect(st == 200, "Authorization: Token -> %d" % st)
            st, _, _ = n.http("GET", "/metrics", headers={"Authorization": "Token bogus"})
            expect(st == 401, "a wrong token -> %d" % st)
            n.auth = ADMIN

            # a real prometheus scrapes us
            pport = node.free_port()
            cfg = os.path.join(tmp, "prometheus.yml")
            with open(cfg, "w") as f:
                f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                        "scrape_configs:\n  - job_name: ntopng\n    metrics_path: /metrics\n"
                        "    basic_auth:\n      username: admin\n      password: admin\n"
                        "    static_configs:\n      - targets: ['127.0.0.1:%d']\n" % n.port)
            plog = open(os.path.join(node.LOGS, "metrics-prometheus.log"), "wb")
            prom = subprocess.Popen([prometheus, "--config.file=" + cfg,
                                     "--storage.tsdb.path=" + os.path.join(tmp, "tsdb"),
                                     "--web.listen-address=127.0.0.1:%d" % pport],
                                    stdout=plog, stderr=subprocess.STDOUT)
            want = n.rest("get/interface/data.lua", ifid=0)["bytes"]
            q = urllib.parse.urlencode({"query": 'ntopng_interface_bytes_total{ifid="0"}'})
            got, deadline = None, time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/api/v1/query?%s"
                                                % (pport, q), timeout=5) as r:
                        res = json.loads(r.read())["data"]["result"]
                    if res:
                        got = float(res[0]["value"][1])
                        break
                except OSError:
                    pass
                time.sleep(0.5)
            expect(got == want, "prometheus scraped ntopng_interface_bytes_total = %s (ours %s)"
                   % (got, want))
            prom.send_signal(signal.SIGTERM)
            prom.wait(30)
            prom = None

        with node.Node(["-i", dns, "--metrics-open"], name="metrics-open", login=True) as n:
            st, _, body = n.http("GET", "/metrics")
            expect(st == 200 and b"ntopng_interface_packets_total" in body,
                   "--metrics-open: a loopback client without credentials -> %d" % st)
            st, _, _ = n.http("GET", "/lua/rest/v2/get/interface/data.lua?ifid=0",
                              headers={"Accept": "application/json"})
            expect(st in (302, 401), "the REST API still wants credentials (%d)" % st)
    finally:
        if prom is not None:
            prom.kill()
            prom.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
