#!/usr/bin/python3
"""The `interface` and `ntop` classes in user pages (issue 13, docs/lua.md
"interface and ntop: the API as built"): a node reads teams.pcap with -2 on
a temporary scripts directory, and pages print what the classes answer;
each answer is compared with REST on the same (ended, so still) tables.

1. interface.getStats() numbers equal REST get/interface/data.lua;
2. getHostsInfo(): the same hosts (keys ip / ip@vlan) with the same
   bytes as REST get/host/active.lua; getHostInfo(ip) equals
   get/host/data.lua for that host;
3. getFlowsInfo(): as many flows and bytes as get/flow/active.lua, and
   the flows of one host as get/flow/active.lua?host=;
4. interface.select of an unknown name is nil (no silent fallback);
5. ntop: setCache / getCache across two requests; getUsers for an
   administrator has no password field; getUsers and addUser are refused
   to an unprivileged user, addUser to an administrator's GET.
"""
import base64
import json
import hashlib
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402


def basic(user, pw):
    return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()}


ADMIN = basic("admin", "admin")
BOB = basic("bob", "bobpw")

# Numbers are printed with %.0f: print() of a number would write %f.
PAGES = {
    "stats.lua": r'''
sendHTTPHeader("text/plain")
local s = interface.getStats()
for _, k in ipairs({"bytes", "packets", "num_flows", "num_hosts", "drops",
                    "stats_bytes", "stats_packets", "stats_flows", "stats_hosts"}) do
  print(k .. "=" .. string.format("%.0f", s[k]) .. "\n")
end
print("ifname=" .. s.ifname .. "\n")
''',
    "hosts.lua": r'''
sendHTTPHeader("text/plain")
for k, h in pairs(interface.getHostsInfo()) do
  print(string.format("%s %.0f %.0f\n", k, h["bytes.sent"], h["bytes.rcvd"]))
end
''',
    "host.lua": r'''
sendHTTPHeader("text/plain")
local h = interface.getHostInfo(_GET.host)
print(string.format("%.0f %.0f %.0f %.0f\n", h["bytes.sent"], h["bytes.rcvd"],
  h["packets.sent"], h["packets.rcvd"]))
''',
    "flows.lua": r'''
sendHTTPHeader("text/plain")
local n, b = 0, 0
for k, f in pairs(interface.getFlowsInfo(_GET.host)) do
  n = n + 1; b = b + f.bytes
end
print(string.format("%.0f %.0f\n", n, b))
''',
    "find.lua": r'''
sendHTTPHeader("text/plain")
local t = {}
for k, label in pairs(interface.findHost(_GET.q)) do t[#t + 1] = k .. "=" .. label end
table.sort(t)
print(table.concat(t, " "))
''',
    "select.lua": r'''
sendHTTPHeader("text/plain")
local a, e = interface.select("no-such-interface")
print(tostring(a) .. "|" .. tostring(e))
''',
    "setcache.lua": 'sendHTTPHeader("text/plain")\nprint(tostring(ntop.setCache("lua.e2e.key", _GET.v)))\n',
    "getcache.lua": 'sendHTTPHeader("text/plain")\nprint(ntop.getCache("lua.e2e.key"))\n',
    "users.lua": r'''
sendHTTPHeader("text/plain")
local u, e = ntop.getUsers()
if u then
  local pw = 0
  for name, t in pairs(u) do if t.password ~= nil then pw = pw + 1 end end
  print("users " .. tostring(u.admin ~= nil) .. " " .. tostring(u.admin and u.admin.group)
        .. " pw=" .. pw .. "\n")
else
  print("refused " .. tostring(e) .. "\n")
end
local a, e2 = ntop.addUser("eve", "Eve", "evepw", "administrator")
print("add " .. tostring(a) .. " " .. tostring(e2) .. "\n")
print("admin " .. tostring(ntop.isAdministrator()) .. "\n")
''',
}


def page(n, path, headers=ADMIN):
    st, _, b = n.http("GET", "/lua/" + path, headers=headers)
    b = b.decode(errors="replace")
    expect(st == 200, "%s: 200 (%d %r)" % (path, st, b[:300]))
    return b


def main():
    if not os.path.isdir(node.PCAPS):
        print("NTOPNG_SHARED pcaps not found")
        return 77
    tmp = tempfile.mkdtemp(prefix="lua-classes-")
    sd = os.path.join(tmp, "scripts")
    os.makedirs(os.path.join(sd, "lua"))
    for name, text in PAGES.items():
        with open(os.path.join(sd, "lua", name), "w") as f:
            f.write(text)
    users = os.path.join(tmp, "users.txt")
    with open(users, "w") as f:
        f.write("user.bob.password=%s\nuser.bob.group=unprivileged\n"
                % hashlib.md5(b"bobpw").hexdigest())
    pcap = os.path.join(node.PCAPS, "teams.pcap")
    with node.Node(["-i", pcap, "-2", sd, "-u", users], name="lua-classes", login=True) as n:
        n.auth = ("admin", "admin")
        d = n.wait_ended()
        n.auth = None
        ref = node.reference().get("teams.pcap")

        # --- 1. getStats
        kv = dict(line.split("=", 1) for line in page(n, "stats.lua").splitlines())
        for k in ("bytes", "packets", "num_flows", "num_hosts", "drops"):
            expect(int(kv[k]) == d[k], "getStats %s: %s == REST %s" % (k, kv[k], d[k]))
        for k, r in (("stats_bytes", "bytes"), ("stats_packets", "packets"),
                     ("stats_flows", "num_flows"), ("stats_hosts", "num_hosts")):
            expect(int(kv[k]) == d[r], "getStats %s == REST %s" % (k, r))
        expect(kv["ifname"] == d["ifname"], "getStats ifname %r" % kv["ifname"])
        if ref:
            expect(int(kv["packets"]) == int(ref["packets"]),
                   "getStats packets %s = REFERENCE.tsv %s" % (kv["packets"], ref["packets"]))
        expect(d["num_hosts"] > 10 and d["num_flows"] > 10, "teams.pcap: hosts and flows")

        # --- 2. hosts
        n.auth = ("admin", "admin")
        rest_hosts = n.rest("get/host/active.lua", perPage=100000, ifid=0)
        n.auth = None
        want = {}
        for h in rest_hosts["data"]:
            key = h["ip"] if not h["vlan"] else "%s@%d" % (h["ip"], h["vlan"])
            want[key] = (h["bytes"]["sent"], h["bytes"]["recvd"])
        got = {}
        for line in page(n, "hosts.lua").splitlines():
            k, s, r = line.split()
            got[k] = (int(s), int(r))
        expect(len(got) == rest_hosts["totalRows"] == d["num_hosts"],
               "getHostsInfo: %d hosts, REST %d" % (len(got), rest_hosts["totalRows"]))
        expect(got == want, "getHostsInfo: keys and bytes as REST host/active (%d differ)"
               % sum(1 for k in set(got) | set(want) if got.get(k) != want.get(k)))
        top = max(want, key=lambda k: sum(want[k]))
        ip = top.split("@")[0]
        n.auth = ("admin", "admin")
        hd = n.rest("get/host/data.lua", host=ip, ifid=0)
        n.auth = None
        vals = [int(x) for x in page(n, "host.lua?host=" + ip).split()]
        expect(vals == [hd["bytes.sent"], hd["bytes.rcvd"], hd["packets.sent"], hd["packets.rcvd"]],
               "getHostInfo(%s) %r == REST host/data" % (ip, vals))

        # --- 3. flows
        n.auth = ("admin", "admin")
        rf = n.rest("get/flow/active.lua", perPage=100000, ifid=0)
        rfh = n.rest("get/flow/active.lua", perPage=100000, host=ip, ifid=0)
        n.auth = None
        cnt, byt = [int(x) for x in page(n, "flows.lua").split()]
        expect(cnt == rf["totalRows"] == d["num_flows"] and byt == sum(f["bytes"] for f in rf["data"]),
               "getFlowsInfo: %d flows %d bytes == REST %d flows" % (cnt, byt, rf["totalRows"]))
        cnt, byt = [int(x) for x in page(n, "flows.lua?host=" + ip).split()]
        expect(cnt == rfh["totalRows"] and byt == sum(f["bytes"] for f in rfh["data"]),
               "getFlowsInfo(%s): %d flows == REST %d" % (ip, cnt, rfh["totalRows"]))

        # findHost: the hosts REST get/host/find.lua finds (by name here:
        # teams.pcap's DNS answer names 52.113.194.132)
        st, _, rf = n.http("GET", "/lua/rest/v2/get/host/find.lua",
                           params={"ifid": 0, "query": "teams.MICROSOFT"}, headers=ADMIN)
        want = " ".join(sorted("%s=%s" % (x["ip"], x["label"])
                               for x in json.loads(rf)["rsp"]["results"]))
        b = page(n, "find.lua?q=teams.MICROSOFT")
        expect(st == 200 and want and b == want,
               "findHost by name = REST host/find (%r, REST %r)" % (b, want))

        # --- 4. select of an unknown interface
        b = page(n, "select.lua")
        expect(b == "nil|unknown interface", "select unknown: %r" % b)

        # --- 5. ntop: cache, users
        expect(page(n, "setcache.lua?v=hello42") == "true", "setCache")
        expect(page(n, "getcache.lua") == "hello42", "getCache sees the other request's value")
        b = page(n, "users.lua")
        expect("users true administrator pw=0\n" in b, "getUsers, admin: no password field (%r)" % b)
        expect("add nil addUser: only in a POST request\n" in b, "addUser in a GET refused (%r)" % b)
        # an administrator's POST (same origin: no Origin header, Basic
        # auth, so no session CSRF token) may add a user
        st, _, b = n.http("POST", "/lua/users.lua", headers=ADMIN)
        b = b.decode(errors="replace")
        expect(st == 200 and "add true nil\n" in b, "addUser in an admin POST (%d %r)" % (st, b))
        st, _, us = n.http("GET", "/lua/rest/v2/get/ntopng/users.lua", headers=ADMIN)
        expect(st == 200 and '"eve"' in us.decode(errors="replace"),
               "the added user is listed by REST (%d %r)" % (st, us[:300]))
        b = page(n, "users.lua", headers=BOB)
        expect("refused getUsers: administrators only\n" in b and
               "add nil addUser: administrators only\n" in b and "admin false\n" in b,
               "unprivileged: getUsers and addUser refused (%r)" % b)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
