#!/usr/bin/python3
"""The REST v2 contract of ../shared/docs/rest-api.md, end to end, against
real nodes: teams.pcap (IPv4), http_ipv6.pcap (IPv6), bot.pcap (VLAN) and a
pcap that holds only its global header (an empty interface).

Checked: every field marked E exists with the same JSON type; the envelope;
HTTP status and rc of the errors; headers (§1.3) and the CORS preflight;
pagination, server-side sort order and the filters; POST with a JSON body
answers like GET; and the values add up: Σ hosts' bytes sent = Σ hosts'
bytes received = Σ flow bytes = interface bytes − non-IP bytes (tshark) =
Σ L7 sinceStartup slices but ARP; Σ VLAN traffic = interface bytes, each
VLAN's = its frames' bytes (tshark); Σ AS / country bytes sent = recvd =
IP bytes; the ARP slice = tshark's ARP bytes; the
count pie follows §4.7 on the per-application flow counts of flow/active.
"""
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402

INT, NUM, STR, BOOL, OBJ, ARR = "int", "num", "str", "bool", "obj", "arr"


def typed(v, t):
    if t == INT:
        return isinstance(v, int) and not isinstance(v, bool)
    if t == NUM:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, {STR: str, BOOL: bool, OBJ: dict, ARR: list}[t])


def check_schema(obj, schema, where):
    """schema: {key: type or nested schema dict}.  Reports each bad key."""
    bad = []

    def walk(o, sch, path):
        for k, t in sch.items():
            if not isinstance(o, dict) or k not in o:
                bad.append("%s%s missing" % (path, k))
            elif isinstance(t, dict):
                walk(o[k], t, path + k + ".")
            elif not typed(o[k], t):
                bad.append("%s%s is %s, want %s" % (path, k, type(o[k]).__name__, t))
    walk(obj, schema, "")
    expect(not bad, "%s: E fields and types %s" % (where, "; ".join(bad[:8]) if bad else ""))


BPS = {"bps": NUM, "pps": NUM}
IFACE_LIST = {"ifid": INT, "ifname": STR}
IFACE_DATA = {
    "ifid": STR, "ifname": STR, "speed": INT, "packets": INT, "bytes": INT, "drops": INT,
    "bytes_download": INT, "bytes_upload": INT, "packets_download": INT,
    "packets_upload": INT,
    "tcpPacketStats": {"retransmissions": INT, "out_of_order": INT, "lost": INT},
    "throughput_bps": NUM, "throughput_pps": NUM,
    "throughput": {"download": BPS, "upload": BPS},
    "num_hosts": INT, "num_local_hosts": INT, "num_flows": INT, "num_devices": INT,
    "num_local_hosts_anomalies": INT, "alerted_flows": INT, "alerted_flows_notice": INT,
    "alerted_flows_warning": INT, "alerted_flows_error": INT,
}
LIST_ENVELOPE = {"data": ARR, "currentPage": INT, "perPage": INT}
HOST_ROW = {
    "ip": STR, "vlan": INT, "name": STR, "first_seen": INT, "last_seen": INT,
    "bytes": {"total": INT, "sent": INT, "recvd": INT}, "thpt": BPS,
    "num_flows": {"total": INT, "as_client": INT, "as_server": INT}, "is_localhost": BOOL,
}
DNS_SIDE = {"num_queries": INT, "num_replies_ok": INT, "num_replies_error": INT,
            "queries": {k: INT for k in ("num_a", "num_ns", "num_cname", "num_soa",
                                         "num_ptr", "num_mx", "num_txt", "num_aaaa",
                                         "num_any", "num_other")}}
HOST_DATA = {
    "ip": STR, "vlan": INT, "ifid": INT, "name": STR, "localhost": BOOL, "mac": STR,
    "seen.first": INT, "seen.last": INT, "bytes.sent": INT, "bytes.rcvd": INT,
    "packets.sent": INT, "packets.rcvd": INT, "active_flows.as_client": INT,
    "active_flows.as_server": INT, "total_flows.as_client": INT,
    "total_flows.as_server": INT, "num_alerts": INT, "total_alerts": INT, "ndpi": OBJ,
    "dns": {"sent": DNS_SIDE, "rcvd": DNS_SIDE},
}
NDPI_ENTRY = {"breed": STR, "bytes.sent": INT, "bytes.rcvd": INT, "packets.sent": INT,
              "packets.rcvd": INT, "duration": INT, "num_flows": INT}
FLOW_ROW = {
    "first_seen": INT, "last_seen": INT, "duration": INT,
    "client": {"ip": STR, "port": INT, "name": STR},
    "server": {"ip": STR, "port": INT, "name": STR},
    "vlan": INT, "protocol": {"l4": STR, "l7": STR}, "bytes": INT, "thpt": BPS, "info": STR,
}
SLICE = {"label": STR, "value": INT}
EXPORTER_FIELDS = ("ip,bytes.sent,bytes.rcvd,active_flows.as_client,active_flows.as_server,"
                   "dns,num_alerts,mac,total_flows.as_client,total_flows.as_server,vlan,"
                   "total_alerts,name,ifid,packets.rcvd,packets.sent")

HEADERS = {
    "content-type": lambda v: v.startswith("application/json"),
    "cache-control": lambda v: v == "max-age=0, no-cache, no-store",
    "pragma": lambda v: v == "no-cache",
    "x-frame-options": lambda v: v == "DENY",
    "x-content-type-options": lambda v: v == "nosniff",
    "server": lambda v: v.startswith("ntopng "),
    # no wildcard CORS (issue 11 item 2): Access-Control-* only for an
    # Origin listed with --http-allowed-origins, hence Vary
    "vary": lambda v: "Origin" in v,
}


def call(n, ep, method="GET", **params):
    """(status, headers, parsed envelope)."""
    if method == "GET":
        st, hd, body = n.http("GET", "/lua/rest/v2/" + ep, params=params)
    else:
        st, hd, body = n.http("POST", "/lua/rest/v2/" + ep, body=params)
    import json
    return st, hd, json.loads(body)


def ok(n, ep, **params):
    st, hd, js = call(n, ep, **params)
    if not expect(st == 200 and js.get("rc") == 0, "%s %r -> 200 rc 0 (got %d %s)"
                  % (ep, params, st, js.get("rc_str"))):
        raise AssertionError("cannot go on")
    return js["rsp"]


def envelope(js, rc, rc_str, where):
    expect(set(js) == {"rc", "rc_str", "rc_str_hr", "rsp"} and js["rc"] == rc
           and js["rc_str"] == rc_str and isinstance(js["rc_str_hr"], str)
           and js["rc_str_hr"] != "", "%s: envelope rc %d %s (got %r)"
           % (where, rc, rc_str, {k: js.get(k) for k in ("rc", "rc_str", "rc_str_hr")}))


def error(n, ep, status, rc, rc_str, **params):
    st, _, js = call(n, ep, **params)
    expect(st == status, "%s %r -> HTTP %d (got %d)" % (ep, params, status, st))
    envelope(js, rc, rc_str, "%s %r" % (ep, params))
    expect(js.get("rsp") == [], "%s %r: rsp is [] on error (got %r)" % (ep, params, js.get("rsp")))


def all_hosts(n, **f):
    r = ok(n, "get/host/active.lua", ifid=0, all="true", **f)
    return r["data"]


def all_flows(n, **f):
    """flow/active has no all=true (§4.6): one page as big as totalRows."""
    r = ok(n, "get/flow/active.lua", ifid=0, perPage=100000, **f)
    expect(len(r["data"]) == r["totalRows"], "flow/active %r: one page holds all %d rows"
           % (f, r["totalRows"])) if len(r["data"]) != r["totalRows"] else None
    return r["data"]


def tshark_bytes(pcap, dfilter):
    out = subprocess.run(["tshark", "-r", pcap, "-Y", dfilter, "-T", "fields",
                          "-e", "frame.len"], capture_output=True, text=True,
                         timeout=60).stdout
    return sum(int(x) for x in out.split())


def app_label(l7):
    """flow protocol.l7 "Master.App" -> the application the L7 table counts."""
    return l7.split(".")[-1]


def count_pie(counts, max_values):
    """§4.7 count mode on {label: flows}: list of (label, value)."""
    total = sum(counts.values())
    if total == 0:
        return [("No Flows", 0)]
    out, taken = [], 0
    for label, v in sorted(counts.items(), key=lambda kv: -kv[1]):
        if len(out) >= max_values or v * 100 <= total * 3:
            break
        out.append((label, v))
        taken += v
    if total > taken:
        out.append(("Other", total - taken))
    return out


def same_pie(got, want):
    """Equal up to the order of equal values (ties may come either way);
    with ties at the cut, a label of equal value may stand for another."""
    g = [(s["label"], s["value"]) for s in got]
    if [v for _, v in g] != [v for _, v in want]:
        return False
    for (gl, gv), (wl, wv) in zip(g, want):
        if gl == wl:
            continue
        if gl in ("Other", "No Flows") or wl in ("Other", "No Flows"):
            return False
    return True


def check_aggregates(n, pcap, d, hosts, ip_bytes):
    """VLANs, ASes and countries add up (docs/accounting.md): every frame
    counts to the VLAN of its outermost tag (0: untagged), so Σ VLAN
    traffic = interface bytes and each VLAN's traffic = tshark's bytes of
    its frames; Σ VLAN sent + recvd = IP bytes.  An AS or a country
    counts its hosts' traffic, so over all rows Σ sent = Σ recvd = IP bytes
    and Σ num_hosts = num_hosts."""
    vl = ok(n, "get/vlan/list.lua", ifid=0, perPage=5000)["data"]
    tot = sum(v["traffic"] for v in vl)
    expect(tot == d["bytes"], "Σ VLAN traffic %d = interface bytes %d (untagged frames: VLAN 0)"
           % (tot, d["bytes"]))
    expect(sum(v["packets"] for v in vl) == d["packets"], "Σ VLAN packets = interface packets")
    expect(sum(v["bytes_sent"] + v["bytes_rcvd"] for v in vl) == ip_bytes,
           "Σ VLAN bytes sent + rcvd %d = IP bytes %d"
           % (sum(v["bytes_sent"] + v["bytes_rcvd"] for v in vl), ip_bytes))
    for v in vl:
        flt = "vlan.id == %d" % v["vlan"] if v["vlan"] else "!vlan"
        want = tshark_bytes(pcap, flt)
        expect(v["traffic"] == want, "VLAN %d traffic %d = tshark bytes of its frames (%s) %d"
               % (v["vlan"], v["traffic"], flt, want))
        nh = sum(1 for h in hosts if h["vlan"] == v["vlan"])
        expect(v["num_hosts"] == nh, "VLAN %d num_hosts %d = %d hosts" % (v["vlan"], v["num_hosts"], nh))
    for ep, idk in (("get/asn/list.lua", "asn"), ("get/country/list.lua", "country")):
        rows = ok(n, ep, ifid=0, perPage=5000)["data"]
        sent = sum(r["bytes_sent"] for r in rows)
        rcvd = sum(r["bytes_rcvd"] for r in rows)
        expect(sent == rcvd == ip_bytes and all(idk in r for r in rows),
               "%s: Σ sent %d = Σ recvd %d = IP bytes %d" % (ep, sent, rcvd, ip_bytes))
        expect(sum(r["num_hosts"] for r in rows) == len(hosts),
               "%s: Σ num_hosts = %d hosts" % (ep, len(hosts)))


def test_more_endpoints(n, d, flows, hosts, top):
    """rest-api.md 4.9-4.11: flow counters, traffic_stats, the peer graph,
    contacted hosts, AS info and names, country names; values from the
    flow and host lists of the same node."""
    l4n = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMPv6": 58}
    l4 = ok(n, "get/flow/l4/counters.lua", ifid=0)
    want = {}
    for f in flows:
        k = l4n.get(f["protocol"]["l4"])
        want[k] = want.get(k, 0) + 1
    expect(isinstance(l4, list) and {e["id"]: e["count"] for e in l4} == want
           and [e["id"] for e in l4] == sorted(e["id"] for e in l4),
           "flow/l4/counters: {id, count} by id = the flows per L4 protocol %r (%r)" % (want, l4))
    l7 = ok(n, "get/flow/l7/counters.lua", ifid=0)
    want = {}
    for f in flows:
        want[app_label(f["protocol"]["l7"])] = want.get(app_label(f["protocol"]["l7"]), 0) + 1
    expect({e["name"]: e["count"] for e in l7} == want
           and [e["name"] for e in l7] == sorted(e["name"] for e in l7),
           "flow/l7/counters: {name, count} sorted by name = flows per application (%r)" % l7)
    ts = ok(n, "get/flow/traffic_stats.lua", ifid=0)
    expect(ts["totBytesSent"] + ts["totBytesRcvd"] == sum(f["bytes"] for f in flows)
           and ts["totBytesSent"] > 0 and ts["totBytesRcvd"] > 0,
           "flow/traffic_stats: sent + rcvd = Σ flow bytes (%r)" % ts)
    ts = ok(n, "get/flow/traffic_stats.lua", ifid=0, l4proto=17)
    expect(ts["totBytesSent"] + ts["totBytesRcvd"] ==
           sum(f["bytes"] for f in flows if f["protocol"]["l4"] == "UDP"),
           "flow/traffic_stats l4proto=17: the UDP flows' bytes")
    ts = ok(n, "get/flow/traffic_stats.lua", ifid=0, host=top["ip"])
    expect(ts["totBytesSent"] + ts["totBytesRcvd"] == top["bytes"]["total"],
           "flow/traffic_stats host=%s: its traffic %d" % (top["ip"], top["bytes"]["total"]))
    error(n, "get/flow/traffic_stats.lua", 404, -1, "NOT_FOUND", ifid=0, host="10.99.99.99")
    error(n, "get/flow/l4/counters.lua", 400, -2, "INVALID_INTERFACE", ifid=9)

    g = ok(n, "get/flow/graph.lua", ifid=0)
    ids = {x["node_id"] for x in g["nodes"]}
    tot = sum(f["bytes"] for f in flows)
    expect(g["links"] and all(lk["source_node_id"] in ids and lk["target_node_id"] in ids
                              and lk["source"] == int(lk["source_node_id"])
                              and lk["target"] == int(lk["target_node_id"])
                              and lk["value"] == lk["sent"] + lk["rcvd"]
                              and lk["value"] * 100 > tot * 3 / 2 ** 10
                              for lk in g["links"])
           and isinstance(g["max_entries_reached"], bool),
           "flow/graph: nodes and links as 4.11 says (%d nodes, %d links)"
           % (len(g["nodes"]), len(g["links"])))
    pairs = {(lk["source"], lk["target"]) for lk in g["links"]}
    expect(not any((b, a) in pairs for a, b in pairs), "flow/graph: no reverse duplicates")
    gh = ok(n, "get/flow/graph.lua", ifid=0, host=top["ip"])
    me = [x["node_id"] for x in gh["nodes"] if x["host"] == top["ip"]]
    expect(len(me) == 1 and gh["links"] and
           all(me[0] in (lk["source_node_id"], lk["target_node_id"]) for lk in gh["links"]),
           "flow/graph host=%s: every link involves it" % top["ip"])
    error(n, "get/flow/graph.lua", 404, -1, "NOT_FOUND", ifid=0, host="10.99.99.99")

    c = ok(n, "get/host/l4/contacted_hosts_data.lua", ifid=0, host=top["ip"])
    as_cli = {f["server"]["ip"] for f in flows if f["client"]["ip"] == top["ip"]}
    as_srv = {f["client"]["ip"] for f in flows if f["server"]["ip"] == top["ip"]}
    expect(c["series"] == [len(as_cli), len(as_srv)] and len(c["labels"]) == 2
           and len(c["colors"]) == 2,
           "contacted_hosts_data %s: series %r = distinct peers as client/server [%d, %d]"
           % (top["ip"], c["series"], len(as_cli), len(as_srv)))
    error(n, "get/host/l4/contacted_hosts_data.lua", 400, -5, "INVALID_ARGUMENTS", ifid=0)

    a = ok(n, "get/asn/asn_info.lua", ifid=0)
    check_schema(a[0] if a else {}, {k: INT for k in (
        "id", "first_seen", "last_seen", "num_hosts", "alerted_flows", "score",
        "bytes_sent", "bytes_rcvd", "packets_sent", "packets_rcvd")}, "asn_info.lua[0]")
    expect(len(a) == 1 and a[0]["num_hosts"] == len(hosts)
           and a[0]["bytes_sent"] == sum(h["bytes"]["sent"] for h in hosts)
           and a[0]["bytes_rcvd"] == sum(h["bytes"]["recvd"] for h in hosts),
           "asn_info: AS 0 holds every host and their bytes (%r)" % a)
    expect(ok(n, "get/asn/asn_info.lua", ifid=0, asn=15169) == [], "asn_info asn=15169: []")
    expect(isinstance(ok(n, "get/asn/asn_name.lua", ip="8.8.8.8"), str), "asn_name: a string")
    error(n, "get/asn/asn_name.lua", 400, -5, "INVALID_ARGUMENTS", ip="8.8.8")
    it = ord("I") << 8 | ord("T")
    expect(ok(n, "get/country/country_name.lua", country_id=it) == "Italy",
           "country_name country_id=%d (IT): Italy" % it)
    error(n, "get/country/country_name.lua", 400, -5, "INVALID_ARGUMENTS", country_id=7)


def test_session(pcap):
    """create/ntopng/session.lua (§2.2): an authenticated caller gets a
    session usable as the session cookie."""
    import base64
    import json
    basic = {"Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()}
    with node.Node(["-i", pcap], name="rest-session", login=True) as n:
        st, _, body = n.http("POST", "/lua/rest/v2/create/ntopng/session.lua",
                             body={"username": "admin"}, headers=basic)
        js = json.loads(body) if st == 200 else {}
        sid = js.get("rsp", {}).get("session", "") if isinstance(js.get("rsp"), dict) else ""
        expect(st == 200 and js.get("rc") == 0 and len(sid) == 32
               and all(ch in "0123456789abcdef" for ch in sid),
               "create/ntopng/session.lua: rc 0, a 32-hex session (%d %r)" % (st, body[:120]))
        st, _, body = n.http("GET", "/lua/rest/v2/get/interface/data.lua", params={"ifid": 0},
                             headers={"Cookie": "session=" + sid})
        expect(st == 200 and json.loads(body).get("rc") == 0,
               "the new session is accepted as the session cookie (%d)" % st)
        st, _, body = n.http("POST", "/lua/rest/v2/create/ntopng/session.lua",
                             body={"username": "nobody_here"}, headers=basic)
        expect(st == 400 and json.loads(body).get("rc_str") == "INVALID_ARGUMENTS",
               "session for an unknown user: 400 INVALID_ARGUMENTS (%d)" % st)
        st, _, _ = n.http("POST", "/lua/rest/v2/create/ntopng/session.lua",
                          body={"username": "admin"})
        expect(st != 200, "session without credentials: refused (%d)" % st)


def test_teams(n, pcap):
    d = n.wait_ended()
    # ---- envelope, headers, simple endpoints
    st, hd, js = call(n, "get/ntopng/interfaces.lua")
    expect(st == 200, "interfaces.lua 200")
    envelope(js, 0, "OK", "interfaces.lua")
    expect(js["rc_str_hr"] == "Success", "rc_str_hr Success")
    bad = [k for k, f in HEADERS.items() if k not in hd or not f(hd[k])]
    expect(not bad, "headers of §1.3 on a REST answer (bad: %s)"
           % ", ".join("%s=%r" % (k, hd.get(k)) for k in bad))
    expect("access-control-allow-origin" not in hd, "no wildcard CORS on a REST answer")
    st, hd, _ = call(n, "get/interface/data.lua", ifid=99)
    bad = [k for k, f in HEADERS.items() if k not in hd or not f(hd[k])]
    expect(not bad, "headers of §1.3 on an error answer (bad: %s)" % ", ".join(bad))
    ifs = js["rsp"]
    expect(len(ifs) == 1, "one interface listed (%d)" % len(ifs))
    check_schema(ifs[0], IFACE_LIST, "interfaces.lua[0]")
    expect(ifs[0]["ifid"] == 0 and ifs[0]["ifname"] == "teams.pcap"
           and ifs[0]["name"] == "teams.pcap",
           "interfaces.lua: ifid 0, ifname and name are the file name, as upstream (%r)"
           % ifs[0])
    expect(ifs[0].get("description") == pcap and os.path.isabs(pcap),
           "interfaces.lua: description keeps the whole path %r (%r)"
           % (pcap, ifs[0].get("description")))

    check_schema(d, IFACE_DATA, "interface/data.lua")
    expect(d["ifid"] == "0", "interface/data ifid is the string \"0\"")
    expect(d["ifname"] == "teams.pcap" and d.get("description") == pcap,
           "interface/data: ifname %r is the file name, description %r the path"
           % (d["ifname"], d.get("description")))
    ref = node.reference()["teams.pcap"]
    expect(d["packets"] == int(ref["packets"]) and d["bytes"] == int(ref["bytes"]),
           "interface packets/bytes %d/%d = tshark %s/%s"
           % (d["packets"], d["bytes"], ref["packets"], ref["bytes"]))
    expect(d["bytes_download"] + d["bytes_upload"] == d["bytes"]
           and d["packets_download"] + d["packets_upload"] == d["packets"],
           "download + upload = totals")
    allf = ok(n, "get/interface/data.lua", iffilter="all")
    expect(isinstance(allf, dict) and list(allf) == ["0"] and allf["0"]["bytes"] == d["bytes"],
           "iffilter=all: object keyed by the ifid string")

    st, hd, js = call(n, "connect/test.lua")
    expect(st == 200 and hd.get("content-type", "").startswith("application/json"),
           "connect/test.lua: 200 application/json")
    envelope(js, 0, "OK", "connect/test.lua")
    expect(js["rsp"] == [], "connect/test.lua: rsp []")
    addr = ok(n, "get/interface/address.lua", ifid=0)
    expect(addr == {"addresses": []}, "interface/address.lua on a pcap: {addresses: []} (%r)"
           % addr)

    # ---- hosts
    hosts = all_hosts(n)
    r = ok(n, "get/host/active.lua", ifid=0, all="true")
    check_schema(r, LIST_ENVELOPE, "host/active.lua")
    expect(r["perPage"] == -1 and r["currentPage"] == 0,
           "all=true -> perPage -1, currentPage 0 (%r, %r)" % (r["perPage"], r["currentPage"]))
    expect(len(hosts) == d["num_hosts"] == int(ref["ipv4_endpoints"]),
           "all hosts: %d rows = num_hosts %d = tshark endpoints %s"
           % (len(hosts), d["num_hosts"], ref["ipv4_endpoints"]))
    for h in hosts[:3] + hosts[-2:]:
        check_schema(h, HOST_ROW, "host/active row %s" % h.get("ip"))
    expect(all(h["bytes"]["total"] == h["bytes"]["sent"] + h["bytes"]["recvd"] for h in hosts),
           "host bytes.total = sent + recvd on every row")
    r = ok(n, "get/host/active.lua", ifid=0)
    expect(r["perPage"] == 10 and r["currentPage"] == 1 and len(r["data"]) == 10
           and r.get("totalRows") == len(hosts),
           "host/active defaults: perPage 10, page 1, 10 rows, totalRows %r" % r.get("totalRows"))

    # pagination: pages of 7 put together are the whole sorted list
    full = ok(n, "get/host/active.lua", ifid=0, all="true", sortColumn="traffic",
              sortOrder="desc")["data"]
    tr = [h["bytes"]["total"] for h in full]
    expect(tr == sorted(tr, reverse=True) and tr[0] > tr[-1],
           "hosts sortColumn=traffic desc: bytes.total non-increasing (%d..%d)" % (tr[0], tr[-1]))
    paged, page = [], 1
    while True:
        r = ok(n, "get/host/active.lua", ifid=0, perPage=7, currentPage=page,
               sortColumn="traffic", sortOrder="desc")
        expect(r["perPage"] == 7 and r["currentPage"] == page, "page %d echoes perPage/currentPage"
               % page) if page in (1, 3) else None
        if not r["data"]:
            break
        paged += r["data"]
        page += 1
        if page > 20:
            break
    expect([h["ip"] for h in paged] == [h["ip"] for h in full],
           "hosts: %d pages of 7 = the all=true list in the same order" % (page - 1))
    asc = ok(n, "get/host/active.lua", ifid=0, all="true", sortColumn="traffic",
             sortOrder="asc")["data"]
    ta = [h["bytes"]["total"] for h in asc]
    expect(ta == sorted(ta), "hosts sortColumn=traffic asc: non-decreasing")
    nf = [h["num_flows"]["total"] for h in ok(n, "get/host/active.lua", ifid=0, all="1",
                                               sortColumn="num_flows", sortOrder="desc")["data"]]
    expect(nf == sorted(nf, reverse=True), "hosts sortColumn=num_flows desc: non-increasing")
    sent = [h["bytes"]["sent"] for h in ok(n, "get/host/active.lua", ifid=0, all="1",
                                           sortColumn="traffic_sent",
                                           sortOrder="desc")["data"]]
    expect(sent == sorted(sent, reverse=True), "hosts sortColumn=traffic_sent desc")

    # filters
    local = all_hosts(n, mode="local")
    remote = all_hosts(n, mode="remote")
    expect(len(local) == d["num_local_hosts"] and all(h["is_localhost"] for h in local),
           "mode=local: %d rows = num_local_hosts %d, all is_localhost"
           % (len(local), d["num_local_hosts"]))
    expect(all(h["ip"].startswith("192.168.1.") for h in local),
           "mode=local: all in the default 192.168.1.0/24")
    expect(len(remote) + len(local) == len(hosts) and not any(h["is_localhost"] for h in remote),
           "mode=remote: the other %d hosts" % len(remote))
    expect(sum(1 for h in hosts if h["ip"].startswith("192.168.1.")) == len(local),
           "local hosts are exactly the 192.168.1.x rows")
    expect(all_hosts(n, version=6) == [] and len(all_hosts(n, version=4)) == len(hosts),
           "teams (IPv4 only): version=6 -> 0 rows, version=4 -> all")

    # ---- flows
    flows = all_flows(n)
    expect(len(flows) == d["num_flows"] > 0, "all flows: %d rows = num_flows %d"
           % (len(flows), d["num_flows"]))
    r = ok(n, "get/flow/active.lua", ifid=0)
    check_schema(r, dict(LIST_ENVELOPE, totalRows=INT), "flow/active.lua")
    expect(r["totalRows"] == len(flows) and len(r["data"]) == 10 and r["perPage"] == 10,
           "flow/active defaults: 10 rows, totalRows %d" % r["totalRows"])
    fb = [f["bytes"] for f in r["data"]]
    expect(fb == sorted(fb, reverse=True), "flows default order: bytes desc")
    for f in flows[:3] + flows[-2:]:
        check_schema(f, FLOW_ROW, "flow/active row")
    fb = [f["bytes"] for f in all_flows(n, sortColumn="bytes", sortOrder="asc")]
    expect(fb == sorted(fb) and fb[0] < fb[-1], "flows sortColumn=bytes asc: non-decreasing")
    p2 = ok(n, "get/flow/active.lua", ifid=0, perPage=5, currentPage=2, sortColumn="bytes",
            sortOrder="desc")["data"]
    expect([f["key"] for f in p2] == [f["key"] for f in all_flows(n, sortColumn="bytes",
                                                                   sortOrder="desc")[5:10]],
           "flows page 2 of 5 = rows 5..9 of the full list")
    fs = [f["first_seen"] for f in all_flows(n, sortColumn="first_seen", sortOrder="desc")]
    expect(fs == sorted(fs, reverse=True), "flows sortColumn=first_seen desc")
    # info: the TLS server name of each connection (tshark's ClientHello SNI)
    out = subprocess.run(["tshark", "-r", pcap, "-Y", "tls.handshake.extensions_server_name",
                          "-T", "fields", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst",
                          "-e", "tcp.dstport", "-e", "tls.handshake.extensions_server_name"],
                         capture_output=True, text=True, timeout=60).stdout
    sni = {}
    for line in out.splitlines():
        p_ = line.split("\t")
        if len(p_) == 5:
            sni.setdefault((p_[0], int(p_[1]), p_[2], int(p_[3])), p_[4])
    byk = {(f["client"]["ip"], f["client"]["port"], f["server"]["ip"], f["server"]["port"]): f
           for f in flows}
    got = {k: byk[k].get("info") for k in sni if k in byk}
    expect(len(got) >= 5 and all(got[k] == sni[k] for k in got),
           "flow/active info = the TLS SNI on %d of %d TLS connections (wrong: %r)"
           % (sum(got[k] == sni[k] for k in got), len(sni),
              [(k, got[k], sni[k]) for k in got if got[k] != sni[k]][:3]))
    info = [f.get("info", "") for f in all_flows(n, sortColumn="info", sortOrder="asc")]
    expect(info == sorted(info), "flows sortColumn=info asc")

    # values add up
    h_sent = sum(h["bytes"]["sent"] for h in hosts)
    h_recv = sum(h["bytes"]["recvd"] for h in hosts)
    f_bytes = sum(f["bytes"] for f in flows)
    expect(h_sent == h_recv == f_bytes > 0, "Σ hosts sent %d = Σ hosts recvd %d = Σ flow bytes %d"
           % (h_sent, h_recv, f_bytes))
    non_ip = tshark_bytes(pcap, "!ip && !ipv6")
    arp = tshark_bytes(pcap, "arp")
    expect(f_bytes == d["bytes"] - non_ip, "Σ flow bytes %d = interface bytes − non-IP %d"
           % (f_bytes, d["bytes"] - non_ip))
    check_aggregates(n, pcap, d, hosts, f_bytes)
    l7 = ok(n, "get/interface/l7/stats.lua", ifid=0, ndpistats_mode="sinceStartup",
            collapse_stats="false")
    for s in l7:
        check_schema(s, SLICE, "l7/stats slice %s" % s.get("label"))
    l7m = {s["label"]: s["value"] for s in l7}
    expect(l7m.get("ARP") == arp > 0, "L7 ARP slice %r = tshark ARP bytes %d"
           % (l7m.get("ARP"), arp))
    ip_l7 = sum(v for k, v in l7m.items() if k != "ARP")
    expect(ip_l7 == f_bytes, "Σ L7 sinceStartup slices but ARP %d = interface IP bytes %d"
           % (ip_l7, f_bytes))
    vals = [s["value"] for s in l7]
    expect(vals == sorted(vals, reverse=True), "sinceStartup slices sorted by bytes desc")
    col = ok(n, "get/interface/l7/stats.lua", ifid=0, ndpistats_mode="sinceStartup")
    tot = sum(vals)
    expect(col[-1]["label"] == "Other" and sum(s["value"] for s in col) == tot
           and all(s["value"] * 100 >= tot * 3 for s in col[1:-1])
           and col[0]["value"] == vals[0],
           "sinceStartup collapsed: first kept, the rest >= 3%%, Other last, same total")
    ref_l7 = node.ndpi_protocols(ref)
    expect(l7m.get("Teams") == ref_l7["Teams"][2],
           "L7 Teams bytes %r = ndpiReader's %d" % (l7m.get("Teams"), ref_l7["Teams"][2]))

    # count mode = §4.7 on the flows' applications
    counts = {}
    for f in flows:
        counts[app_label(f["protocol"]["l7"])] = counts.get(app_label(f["protocol"]["l7"]), 0) + 1
    for mv in (5, 2):
        got = ok(n, "get/interface/l7/stats.lua", ifid=0, ndpistats_mode="count", max_values=mv)
        want = count_pie(counts, mv)
        expect(same_pie(got, want), "count mode max_values=%d = §4.7 on flow/active: %r vs %r"
               % (mv, [(s["label"], s["value"]) for s in got], want))
    got = ok(n, "get/interface/l7/stats.lua", ifid=0, ndpistats_mode="count",
             all_values="true")
    expect(same_pie(got, count_pie(counts, 10 ** 9)), "count mode all_values=true")
    expect(sum(s["value"] for s in got) == len(flows), "count mode values sum to num_flows")

    # ---- one host: data, custom_data, interfaces, l7
    top = full[0]
    hd_ = ok(n, "get/host/data.lua", ifid=0, host=top["ip"])
    check_schema(hd_, HOST_DATA, "host/data.lua")
    expect(hd_["ifid"] == 0 and hd_["ip"] == top["ip"], "host/data: ifid is the int 0")
    for k, e in list(hd_["ndpi"].items())[:4]:
        check_schema(e, NDPI_ENTRY, "host/data ndpi[%s]" % k)
    expect(hd_["bytes.sent"] == top["bytes"]["sent"] and hd_["bytes.rcvd"] == top["bytes"]["recvd"],
           "host/data bytes = host/active bytes for %s" % top["ip"])
    hf = all_flows(n, host=top["ip"])
    expect(len(hf) == hd_["active_flows.as_client"] + hd_["active_flows.as_server"]
           == top["num_flows"]["total"] and
           all(top["ip"] in (f["client"]["ip"], f["server"]["ip"]) for f in hf),
           "flow/active host=%s: %d flows, all involve it, = active_flows (%d+%d)"
           % (top["ip"], len(hf), hd_["active_flows.as_client"], hd_["active_flows.as_server"]))
    sent = sum(f["bytes"] for f in hf)
    expect(sent == top["bytes"]["total"], "Σ bytes of the host's flows %d = its traffic %d"
           % (sent, top["bytes"]["total"]))
    nd = sum(e["bytes.sent"] + e["bytes.rcvd"] for e in hd_["ndpi"].values())
    expect(nd == top["bytes"]["total"], "Σ host ndpi bytes %d = host traffic" % nd)
    hl7 = ok(n, "get/host/l7/stats.lua", ifid=0, host=top["ip"], collapse_stats="false")
    for s in hl7:
        check_schema(s, SLICE, "host/l7/stats slice")
    expect(sum(s["value"] for s in hl7) == top["bytes"]["total"],
           "Σ host L7 slices = host traffic %d" % top["bytes"]["total"])
    hl7c = ok(n, "get/host/l7/stats.lua", ifid=0, host=top["ip"])
    expect(hl7c[-1]["label"] == "Other" and sum(s["value"] for s in hl7c) == top["bytes"]["total"],
           "host L7 collapsed ends with Other, same total")
    cd = ok(n, "get/host/custom_data.lua", method="POST", ifid=0, field_alias=EXPORTER_FIELDS)
    expect(isinstance(cd, list) and len(cd) == len(hosts), "custom_data (exporter POST): %d hosts"
           % len(cd))
    want = {k: INT for k in ("bytes.sent", "bytes.rcvd", "active_flows.as_client",
                             "active_flows.as_server", "num_alerts", "total_flows.as_client",
                             "total_flows.as_server", "vlan", "total_alerts", "ifid",
                             "packets.rcvd", "packets.sent")}
    want.update({"ip": STR, "mac": STR, "name": STR, "dns": OBJ})
    check_schema(cd[0], want, "custom_data row")
    expect(all(set(c) == set(want) for c in cd), "custom_data rows hold just the asked keys")
    one = ok(n, "get/host/custom_data.lua", ifid=0, host=top["ip"],
             field_alias="ip,bytes.rcvd=rdb")
    expect(one == {"ip": top["ip"], "rdb": top["bytes"]["recvd"]},
           "custom_data one host with an alias: %r" % one)
    hi = ok(n, "get/host/interfaces.lua", host=top["ip"])
    expect(hi == {top["ip"]: [{"ifid": 0}]}, "host/interfaces.lua: %r" % hi)
    test_more_endpoints(n, d, flows, hosts, top)

    # flow filters
    udp = all_flows(n, l4proto=17)
    expect(len(udp) == sum(1 for f in flows if f["protocol"]["l4"] == "UDP") > 0
           and all(f["protocol"]["l4"] == "UDP" for f in udp), "l4proto=17: the %d UDP flows"
           % len(udp))
    dns = all_flows(n, application="DNS")
    expect(len(dns) == sum(1 for f in flows if "DNS" in f["protocol"]["l7"].split(".")) > 0,
           "application=DNS: the %d flows with DNS in l7" % len(dns))
    tls = all_flows(n, application="TLS")
    expect(len(tls) == sum(1 for f in flows if "TLS" in f["protocol"]["l7"].split(".")) > 0,
           "application=TLS: the %d flows with TLS in l7" % len(tls))

    # ---- POST with a JSON body = GET
    g = ok(n, "get/host/active.lua", ifid=0, perPage=5, currentPage=2, sortColumn="traffic",
           sortOrder="desc")
    p = ok(n, "get/host/active.lua", method="POST", ifid=0, perPage=5, currentPage=2,
           sortColumn="traffic", sortOrder="desc")
    expect([h["ip"] for h in g["data"]] == [h["ip"] for h in p["data"]] == [h["ip"] for h in full[5:10]]
           and p["perPage"] == 5 and p["currentPage"] == 2,
           "POST JSON {ifid:0, perPage:5, currentPage:2, ...} = GET")
    p = ok(n, "get/interface/data.lua", method="POST", ifid=0)
    expect(p["ifid"] == "0" and p["bytes"] == d["bytes"], "POST JSON interface/data (int ifid)")
    p = ok(n, "get/flow/active.lua", method="POST", ifid=0, perPage=1000, l4proto=17)
    expect(len(p["data"]) == len(udp), "POST JSON flow/active perPage:1000 l4proto:17")
    p = ok(n, "get/host/active.lua", method="POST", ifid=0, all=True, mode="local")
    expect(p["perPage"] == -1 and len(p["data"]) == len(local),
           "POST JSON host/active all:true (a JSON boolean) mode:local")

    # ---- errors
    error(n, "get/interface/data.lua", 400, -2, "INVALID_INTERFACE", ifid=99)
    error(n, "get/interface/data.lua", 400, -2, "INVALID_INTERFACE")
    error(n, "get/interface/data.lua", 400, -2, "INVALID_INTERFACE", ifid="x")
    error(n, "get/host/active.lua", 400, -2, "INVALID_INTERFACE", ifid=3)
    error(n, "get/flow/active.lua", 400, -2, "INVALID_INTERFACE")
    error(n, "get/interface/l7/stats.lua", 400, -2, "INVALID_INTERFACE", ifid=5,
          ndpistats_mode="count")
    error(n, "get/interface/address.lua", 400, -2, "INVALID_INTERFACE", ifid=5)
    error(n, "get/host/data.lua", 400, -5, "INVALID_ARGUMENTS", ifid=0)
    error(n, "get/host/data.lua", 404, -1, "NOT_FOUND", ifid=0, host="10.99.99.99")
    error(n, "get/host/data.lua", 404, -1, "NOT_FOUND", ifid=0, host=top["ip"], vlan=7)
    error(n, "get/flow/active.lua", 404, -1, "NOT_FOUND", ifid=0, host="10.99.99.99")
    error(n, "get/interface/l7/stats.lua", 400, -5, "INVALID_ARGUMENTS", ifid=0)
    error(n, "get/interface/l7/stats.lua", 400, -5, "INVALID_ARGUMENTS", ifid=0,
          ndpistats_mode="bogus")
    error(n, "get/host/l7/stats.lua", 404, -1, "NOT_FOUND", ifid=0, host="10.99.99.99")
    error(n, "get/host/custom_data.lua", 404, -1, "NOT_FOUND", ifid=0, host="10.99.99.99")
    error(n, "get/host/custom_data.lua", 400, -5, "INVALID_ARGUMENTS", ifid=0, field_alias="")
    error(n, "get/host/interfaces.lua", 400, -5, "INVALID_ARGUMENTS")

    # ---- CORS preflight (granted to the origins of --http-allowed-origins
    # only: docs/rest.md; the other cases are in http_hardening.py)
    st, hd, body = n.http("OPTIONS", "/lua/rest/v2/get/host/active.lua",
                          headers={"Origin": "http://app.example",
                                   "Access-Control-Request-Method": "GET",
                                   "Access-Control-Request-Headers": "authorization"})
    expect(st == 200 and hd.get("access-control-allow-origin") == "http://app.example"
           and "GET" in hd.get("access-control-allow-methods", "")
           and "authorization" in hd.get("access-control-allow-headers", "").lower()
           and hd.get("access-control-max-age") == "3600",
           "CORS preflight: 200, echoes origin/method/headers, max-age 3600 (%d %r)"
           % (st, {k: v for k, v in hd.items() if k.startswith("access")}))


def test_ipv6(n, pcap):
    d = n.wait_ended()
    ref = node.reference()["http_ipv6.pcap"]
    hosts = all_hosts(n)
    v6 = all_hosts(n, version=6)
    expect(len(v6) == len(hosts) == int(ref["ipv6_endpoints"]) and all(":" in h["ip"] for h in v6),
           "http_ipv6: version=6 -> all %d hosts, IPv6 (tshark %s)"
           % (len(v6), ref["ipv6_endpoints"]))
    expect(all_hosts(n, version=4) == [], "http_ipv6: version=4 -> 0 rows")
    flows = all_flows(n)
    h = max(hosts, key=lambda x: x["bytes"]["total"])
    hd = ok(n, "get/host/data.lua", ifid=0, host=h["ip"])
    check_schema(hd, HOST_DATA, "host/data (IPv6)")
    expect(hd["ip"] == h["ip"] and hd["bytes.sent"] == h["bytes"]["sent"],
           "host/data host=%s" % h["ip"])
    hf = all_flows(n, host=h["ip"])
    expect(sum(f["bytes"] for f in hf) == h["bytes"]["total"] and hf,
           "IPv6 host filter: Σ flow bytes = host traffic")
    s = sum(x["bytes"]["sent"] for x in hosts)
    expect(s == sum(x["bytes"]["recvd"] for x in hosts) == sum(f["bytes"] for f in flows)
           == d["bytes"] - tshark_bytes(pcap, "!ip && !ipv6"),
           "IPv6: Σ sent = Σ recvd = Σ flow bytes = interface IP bytes (%d)" % s)
    hi = ok(n, "get/host/interfaces.lua", host=h["ip"])
    expect(hi == {h["ip"]: [{"ifid": 0}]}, "host/interfaces.lua IPv6 %r" % hi)


def test_vlan(n, pcap):
    d = n.wait_ended()
    out = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "vlan.id"],
                         capture_output=True, text=True, timeout=60).stdout.split()
    vlans = {int(v.split(",")[0]) for v in out if v}
    if not expect(len(vlans) >= 1, "bot.pcap has VLAN tags %r" % vlans):
        return
    vid = sorted(vlans)[0]
    hosts = all_hosts(n)
    tagged = all_hosts(n, vlan=vid)
    expect(tagged and len(tagged) == sum(1 for h in hosts if h["vlan"] == vid)
           and all(h["vlan"] == vid for h in tagged),
           "vlan=%d: %d hosts, all with that vlan" % (vid, len(tagged)))
    expect(all_hosts(n, vlan=vid + 1) == [], "vlan=%d: no hosts" % (vid + 1))
    h = tagged[0]
    key = h["key"]
    expect(key.endswith("@%d" % vid), "host key carries @vlan (%s)" % key)
    error(n, "get/host/data.lua", 404, -1, "NOT_FOUND", ifid=0, host=h["ip"])
    a = ok(n, "get/host/data.lua", ifid=0, host=h["ip"], vlan=vid)
    b = ok(n, "get/host/data.lua", ifid=0, host="%s@%d" % (h["ip"], vid))
    expect(a["vlan"] == b["vlan"] == vid and a["bytes.sent"] == b["bytes.sent"] == h["bytes"]["sent"],
           "host/data by vlan= and by ip@vlan agree")
    fl = all_flows(n, vlan=vid)
    expect(fl and all(f["vlan"] == vid for f in fl) and len(fl) == len(all_flows(n)),
           "flow/active vlan=%d: every flow of bot.pcap" % vid)
    expect(all_flows(n, vlan=vid + 1) == [], "flow/active vlan=%d: none" % (vid + 1))
    hi = ok(n, "get/host/interfaces.lua", host=h["ip"], vlan=vid)
    expect(hi == {"%s@%d" % (h["ip"], vid): [{"ifid": 0}]}, "host/interfaces with vlan: %r" % hi)
    check_aggregates(n, pcap, d, hosts, sum(f["bytes"] for f in fl))
    vl = ok(n, "get/vlan/list.lua", ifid=0)["data"]
    want = tshark_bytes(pcap, "vlan.id == %d" % vid)
    expect(any(v["vlan"] == vid and v["traffic"] == want for v in vl),
           "get/vlan/list.lua: VLAN %d traffic = its frames' bytes %d (%r)" % (vid, want, vl))


def test_empty(n):
    d = n.wait_ended(timeout=30)
    expect(d["packets"] == 0 and d["num_flows"] == 0 and d["num_hosts"] == 0,
           "empty pcap: 0 packets, flows, hosts")
    got = ok(n, "get/interface/l7/stats.lua", ifid=0, ndpistats_mode="count")
    expect(got == [{"label": "No Flows", "value": 0}], "count mode on an empty interface: %r" % got)
    got = ok(n, "get/interface/l7/stats.lua", ifid=0, ndpistats_mode="sinceStartup")
    expect(got == [], "sinceStartup on an empty interface: [] (%r)" % got)
    r = ok(n, "get/host/active.lua", ifid=0)
    expect(r["data"] == [] and r.get("totalRows") == 0, "no hosts")
    r = ok(n, "get/flow/active.lua", ifid=0)
    expect(r["data"] == [] and r["totalRows"] == 0, "no flows")


def main():
    if not os.path.isdir(node.PCAPS):
        print("NTOPNG_SHARED pcaps not found")
        return 77
    teams = os.path.join(node.PCAPS, "teams.pcap")
    with node.Node(["-i", teams, "--http-allowed-origins", "http://app.example"],
                   name="rest-teams") as n:
        test_teams(n, teams)
    v6 = os.path.join(node.PCAPS, "http_ipv6.pcap")
    with node.Node(["-i", v6], name="rest-ipv6") as n:
        test_ipv6(n, v6)
    bot = os.path.join(node.PCAPS, "bot.pcap")
    with node.Node(["-i", bot], name="rest-vlan") as n:
        test_vlan(n, bot)
    with tempfile.TemporaryDirectory() as tmp:
        empty = os.path.join(tmp, "empty.pcap")
        with open(empty, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        with node.Node(["-i", empty], name="rest-empty") as n:
            test_empty(n)
    test_session(os.path.join(node.PCAPS, "dns.pcap"))
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
