#!/usr/bin/python3
"""The scripts the node ships (issue 13; scripts/, docs/lua.md "The
example scripts"): a node reads teams.pcap with -2 on the repository's
scripts/ and a real Redis, and every page answers 200 with the capture's
known values.

1. network_load.lua: packets, bytes, drops, num_flows, num_hosts,
   local2remote, remote2local equal REST get/interface/data.lua; ifname=
   by name, by id and missing give the same object; ifname=all an array;
   an unknown name 404; the seed's `curl --cookie "user=admin;
   password=admin"` authenticates (seed 6.4);
   a second interface by id (?ifname=1) equals REST ifid=1;
2. flow_stats.lua: the list has every flow (totalRows), the panel and
   its JSON of the biggest flow equal REST get/flow/active.lua's row;
   a gone flow 404;
3. examples/hello_world.lua (?ifid=, the nav bar's selector, picks the
   interface of a page that requires lua_utils), debug.lua (?trace=web lines name the
   caller's file and line; ?trace=console reaches the node's log),
   ntop.lua (cache round trip, users without any password or hash, the
   user demo refused without the CSRF token and run with it, leaving no
   user behind), interface.lua (getStats packets, the flows section's
   count and bytes, the host sections' host count equal REST);
4. callbacks: the shipped scripts/callbacks/examples/second.lua copied to
   a temporary -3 directory writes ntopng.lua.<ifname>.packets = the
   capture's packets into Redis within 3 s; an edit (another value) is
   seen without a restart.
"""
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402
from redisd import Redis  # noqa: E402

SCRIPTS = os.path.join(node.REPO, "scripts")


def get(n, path, headers=None, status=200):
    n.auth = None
    h = dict(headers or {"Cookie": "user=admin; password=admin"})
    st, hdr, b = n.http("GET", path, headers=h)
    b = b.decode(errors="replace")
    expect(st == status, "%s: %d (got %d %r)" % (path, status, st, b[:300]))
    return b


def by_id(html, el_id):
    m = re.search(r'id="%s">([^<]*)<' % re.escape(el_id), html)
    return m.group(1) if m else None


def login(n, user, pw):
    n.auth = None
    st, h, page = n.http("GET", "/lua/login.lua")
    m = re.search(rb'name="csrf" id="csrf" value="([0-9a-f]{32})"', page)
    tok = m.group(1).decode()
    st, h, _ = n.http("POST", "/authorize.html",
                      body=urllib.parse.urlencode({"user": user, "password": pw,
                                                   "referer": "/", "csrf": tok}),
                      headers={"Content-Type": "application/x-www-form-urlencoded",
                               "Cookie": "login_csrf=" + tok})
    m = re.match(r"session=([0-9a-f]{32});", h.get("set-cookie", ""))
    return m.group(1) if m else None


def wait_redis(r, key, want, timeout):
    end = time.monotonic() + timeout
    got = None
    while time.monotonic() < end:
        got = (r.cli("GET", key) or [None])[0]
        if got == want:
            return got
        time.sleep(0.1)
    return got


def main():
    if not os.path.isdir(node.PCAPS):
        print("SKIP: NTOPNG_SHARED pcaps not found")
        return 77
    if not Redis.available():
        print("SKIP: redis-server/redis-cli not installed")
        return 77
    tmp = tempfile.mkdtemp(prefix="lua-examples-")
    cbd = os.path.join(tmp, "callbacks")
    os.makedirs(cbd)
    pcap = os.path.join(node.PCAPS, "teams.pcap")
    pcap2 = os.path.join(node.PCAPS, "dns.pcap")
    with Redis() as r:
        args = ["-i", pcap, "-i", pcap2, "-2", SCRIPTS, "-3", cbd, "-r", "127.0.0.1:%d" % r.port]
        with node.Node(args, name="lua-examples", login=True) as n:
            # debug.lua ?trace=console writes its TRACE_ERROR line (as a
            # warning) with the 1.x text "LEVEL: msg"
            n.expect_error(r"\[lua/examples/debug\.lua:\d+\] ERROR: an error-level line")
            n.auth = ("admin", "admin")
            d = n.wait_ended()
            d1 = n.wait_ended(ifid=1)
            rf = n.rest("get/flow/active.lua", perPage=100000, ifid=0)
            rh = n.rest("get/host/active.lua", perPage=100000, ifid=0)
            n.auth = None
            ifn = d["ifname"]
            expect(d["packets"] == 2817 and d["num_flows"] == 83 and d["num_hosts"] == 38,
                   "teams.pcap: 2817 packets, 83 flows, 38 hosts (%d %d %d)"
                   % (d["packets"], d["num_flows"], d["num_hosts"]))

            # --- 1. network_load.lua
            loads = {}
            for q in ("?ifname=" + urllib.parse.quote(ifn), "?ifname=0", ""):
                loads[q] = json.loads(get(n, "/lua/network_load.lua" + q))
            nl = loads["?ifname=0"]
            for k in ("packets", "bytes", "drops", "num_flows", "num_hosts",
                      "local2remote", "remote2local"):
                expect(nl.get(k) == d[k], "network_load %s = REST %s (%r)" % (k, d[k], nl.get(k)))
            expect(nl["ifname"] == ifn and nl["ifid"] == 0, "network_load names the interface")
            for q, v in loads.items():
                same = {k: v[k] for k in v if k not in ("epoch", "uptime")} == \
                       {k: nl[k] for k in nl if k not in ("epoch", "uptime")}
                expect(same, "network_load%s = ?ifname=0" % q)
            expect(nl["uptime"].startswith(" ") and abs(nl["epoch"] - time.time()) < 5
                   and nl["hosts_pctg"] >= 1 and nl["flows_pctg"] >= 1,
                   "network_load uptime/epoch/pctg (%r)" % nl)
            expect(sum(nl["breed"].values()) > 0, "network_load breed has bytes (%r)" % nl["breed"])
            nl1 = json.loads(get(n, "/lua/network_load.lua?ifname=1"))
            expect(nl1["ifname"] == d1["ifname"] and nl1["packets"] == d1["packets"] and
                   nl1["bytes"] == d1["bytes"] and nl1["ifid"] == 1,
                   "network_load ifname=1: the second interface = REST ifid=1 (%r)" % nl1)
            arr = json.loads(get(n, "/lua/network_load.lua?ifname=all"))
            expect(isinstance(arr, list) and [x["ifname"] for x in arr] == sorted([ifn, d1["ifname"]])
                   and {x["ifname"]: x["packets"] for x in arr} == {ifn: d["packets"], d1["ifname"]: d1["packets"]},
                   "network_load ifname=all: both interfaces, sorted by name")
            b = get(n, "/lua/network_load.lua?ifname=no-such-if", status=404)
            expect("unknown interface" in b, "network_load of an unknown name: 404 (%r)" % b)
            st, _, _ = n.http("GET", "/lua/network_load.lua",
                              headers={"Cookie": "user=admin; password=wrong"})
            expect(st in (302, 401), "network_load with a wrong password refused (%d)" % st)

            # --- 2. flow_stats.lua
            b = get(n, "/lua/flow_stats.lua")
            expect(by_id(b, "ex-total-flows") == str(rf["totalRows"]) == "83",
                   "flow_stats list: %r flows" % by_id(b, "ex-total-flows"))
            top = max(rf["data"], key=lambda f: f["bytes"])
            key = top["hash_id"]
            expect(("flow_stats.lua?flow_key=%s\"" % key) in b, "the list links the biggest flow")
            js = json.loads(get(n, "/lua/flow_stats.lua?format=json&flow_key=" + key))
            expect(js["bytes"] == top["bytes"] and js["cli.ip"] == top["client"]["ip"]
                   and js["srv.port"] == top["server"]["port"]
                   and js["cli2srv.bytes"] + js["srv2cli.bytes"] == top["bytes"]
                   and js["seen.first"] == top["first_seen"],
                   "flow_stats JSON of flow %s = REST row (%r)" % (key, js))
            b = get(n, "/lua/flow_stats.lua?flow_key=" + key)
            expect(by_id(b, "ex-proto") == "%s / %s" % (top["protocol"]["l4"], top["protocol"]["l7"]),
                   "flow_stats panel protocol %r" % by_id(b, "ex-proto"))
            get(n, "/lua/flow_stats.lua?flow_key=4000000000", status=404)

            # --- 3. the examples
            b = get(n, "/lua/examples/hello_world.lua?x=1")
            expect("Hello admin" in b and ifn in b and "<th>x</th><td>1</td>" in b,
                   "hello_world greets, names the interface, lists _GET")
            expect('href="/css/ntopng.css"' in b and 'src="/js/ntop.js"' in b and "http" not in
                   b.replace("http-equiv", ""), "pages use the node's own CSS/JS, nothing outside")

            b = get(n, "/lua/examples/hello_world.lua?ifid=1")
            expect(" on %s." % d1["ifname"] in b, "lua_utils follows the nav bar's ?ifid=")

            b = get(n, "/lua/examples/debug.lua?trace=web&foo=bar")
            expect(re.search(r"\[debug\.lua\] \[lua/examples/debug\.lua:\d+\] ERROR: an error-level line", b)
                   and "DEBUG: a debug line" in b and "not shown" not in b
                   and "<th>foo</th><td>bar</td>" in b,
                   "debug.lua ?trace=web: traceError lines with caller and line")
            get(n, "/lua/examples/debug.lua?trace=console")
            time.sleep(0.3)
            log = n.read_log()
            expect(re.search(r"\[lua/examples/debug\.lua:\d+\] INFO: an info line", log),
                   "debug.lua ?trace=console: the line is in the node's log")

            b = get(n, "/lua/examples/ntop.lua")
            expect(by_id(b, "ex-cache") == "hello from ntop.lua" and by_id(b, "ex-hash") == "42",
                   "ntop.lua: cache round trip (%r %r)" % (by_id(b, "ex-cache"), by_id(b, "ex-hash")))
            expect(by_id(b, "ex-ifname") == ifn, "ntop.lua: global ifname")
            expect("<td>admin</td><td>ntopng Administrator</td><td>administrator</td>" in b,
                   "ntop.lua lists the users")
            expect("$argon2" not in b and hashlib.md5(b"admin").hexdigest() not in b
                   and "password</th>" not in b, "ntop.lua shows no password or hash")
            expect('id="ex-user-form"' in b and "ex-user-demo" not in b,
                   "ntop.lua GET: read-only, the demo is a form")
            sid = login(n, "admin", "admin")
            expect(sid is not None, "login")
            form = urllib.parse.urlencode({"action": "user_demo"})
            st, _, b = n.http("POST", "/lua/examples/ntop.lua", body=form,
                              headers={"Cookie": "session=" + sid,
                                       "Content-Type": "application/x-www-form-urlencoded"})
            expect(st == 403 and b"lua_example_user" not in b, "ntop.lua POST without CSRF: 403 (%d)" % st)
            st, js = n.get("/lua/rest/v2/get/ntopng/session.lua", headers={"Cookie": "session=" + sid})
            csrf = js["rsp"]["csrf"]
            st, _, b = n.http("POST", "/lua/examples/ntop.lua",
                              body=urllib.parse.urlencode({"action": "user_demo", "csrf": csrf}),
                              headers={"Cookie": "session=" + sid,
                                       "Content-Type": "application/x-www-form-urlencoded"})
            b = b.decode(errors="replace")
            demo = re.search(r'id="ex-user-demo">([^<]*)<', b)
            expect(st == 200 and demo and demo.group(1).split("\n") ==
                   ["addUser: true", "resetUserPassword: true", "deleteUser: true"],
                   "ntop.lua POST with CSRF runs the user demo (%d %r)"
                   % (st, demo.group(1) if demo else b[:300]))
            n.auth = ("admin", "admin")
            users = n.rest("get/ntopng/users.lua")
            n.auth = None
            expect("lua_example_user" not in json.dumps(users), "the demo user is gone")

            b = get(n, "/lua/examples/interface.lua")
            expect(by_id(b, "ex-select") == ifn and by_id(b, "ex-ifid") == "0",
                   "interface.lua: select and name2id")
            b = get(n, "/lua/examples/interface.lua?interfacetype=show")
            expect("<tr><th>packets</th><td>%d</td></tr>" % d["packets"] in b and
                   "<tr><th>bytes</th><td>%d</td></tr>" % d["bytes"] in b,
                   "interface.lua getStats: packets and bytes = REST")
            b = get(n, "/lua/examples/interface.lua?flowtype=description")
            expect(by_id(b, "ex-nflows") == str(rf["totalRows"]) and
                   by_id(b, "ex-fbytes") == str(sum(f["bytes"] for f in rf["data"])),
                   "interface.lua flows: %r flows %r bytes = REST" % (by_id(b, "ex-nflows"), by_id(b, "ex-fbytes")))
            for t in ("minimal_all_host", "more_all_host"):
                b = get(n, "/lua/examples/interface.lua?hostinfotype=" + t)
                expect("<p>%d hosts</p>" % rh["totalRows"] in b, "interface.lua %s: %d hosts" % (t, rh["totalRows"]))
            top_h = max(rh["data"], key=lambda h: h["bytes"]["total"] if "total" in h["bytes"]
                        else h["bytes"]["sent"] + h["bytes"]["recvd"])
            for t in ("minimal_one_host", "more_one_host"):
                b = get(n, "/lua/examples/interface.lua?hostinfotype=%s&host=%s" % (t, top_h["ip"]))
                expect("<tr><th>bytes.sent</th><td>%d</td></tr>" % top_h["bytes"]["sent"] in b,
                       "interface.lua %s: bytes.sent of %s = REST" % (t, top_h["ip"]))
            b = get(n, "/lua/examples/interface.lua?flowtype=peers")
            expect('id="ex-peers"' in b, "interface.lua peers")
            b = get(n, "/lua/examples/interface.lua?sources=1")
            expect(pcap in b, "interface.lua sources names the capture")

            # --- 4. the example callback
            key = "ntopng.lua.%s.packets" % ifn
            shutil.copy(os.path.join(SCRIPTS, "callbacks", "examples", "second.lua"),
                        os.path.join(cbd, "second.lua.tmp"))
            os.replace(os.path.join(cbd, "second.lua.tmp"), os.path.join(cbd, "second.lua"))
            t0 = time.monotonic()
            got = wait_redis(r, key, str(d["packets"]), 3.0)
            expect(got == str(d["packets"]), "second.lua: %s = %s in Redis within 3 s (got %r after %.1f s)"
                   % (key, d["packets"], got, time.monotonic() - t0))
            with open(os.path.join(cbd, "second.lua")) as f:
                text = f.read()
            edited = text.replace('string.format("%.0f", s.packets or 0)', '"edited-" .. 42')
            expect(edited != text, "the edit changes the script")
            with open(os.path.join(cbd, "second.lua.tmp"), "w") as f:
                f.write(edited)
            os.replace(os.path.join(cbd, "second.lua.tmp"), os.path.join(cbd, "second.lua"))
            got = wait_redis(r, key, "edited-42", 3.0)
            expect(got == "edited-42", "the edited second.lua is used without restart (%r)" % got)
    shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
