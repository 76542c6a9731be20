#!/usr/bin/python3
"""Authentication of the REST API (rest-api.md §2): with login on, no or
wrong credentials get a 302 to /lua/login.lua?referer=<the URI> with a body
that is not JSON (the Python client's self-test depends on it); admin/admin
by HTTP Basic and the legacy cookies user=admin; password=admin get 200;
--disable-login lets everyone in; the CORS preflight is answered without
credentials, to the origins of --http-allowed-origins only.
"""
import base64
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect, failures  # noqa: E402

PATH = "/lua/rest/v2/get/interface/data.lua"
QUERY = {"ifid": "0", "x": "a b"}


def basic(user, pw):
    return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()}


def is_json(body):
    try:
        json.loads(body)
        return True
    except ValueError:
        return False


def refused(n, what, headers=None, path=PATH, query=QUERY):
    st, hd, body = n.http("GET", path, params=query, headers=headers)
    uri = path + ("?" + urllib.parse.urlencode(query) if query else "")
    loc = hd.get("location", "")
    # the referer is the URI with its query; compare path and parsed
    # arguments, since "a+b" and "a%20b" say the same
    ref = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query).get("referer", [""])[0]
    sp = urllib.parse.urlsplit(ref)
    ok_loc = sp.path == path and urllib.parse.parse_qs(sp.query) == \
        urllib.parse.parse_qs(urllib.parse.urlsplit(uri).query)
    expect(st == 302 and loc.startswith("/lua/login.lua?referer=") and ok_loc,
           "%s: 302 to the login page with the referer (%d %r)" % (what, st, loc))
    expect(not hd.get("content-type", "").startswith("application/json") and not
           (body and is_json(body)), "%s: the answer is not JSON (%r)"
           % (what, hd.get("content-type")))


def allowed(n, what, headers=None):
    st, hd, body = n.http("GET", PATH, params={"ifid": "0"}, headers=headers)
    good = st == 200 and is_json(body) and json.loads(body).get("rc") == 0
    expect(good and json.loads(body)["rsp"]["packets"] == 5,
           "%s: 200 with the interface data (%d)" % (what, st))


def main():
    if not os.path.isdir(node.PCAPS):
        print("NTOPNG_SHARED pcaps not found")
        return 77
    pcap = os.path.join(node.PCAPS, "dns.pcap")   # 5 packets
    with node.Node(["-i", pcap, "--http-allowed-origins", "http://a.example"],
                   name="auth-login", login=True) as n:
        refused(n, "no credentials")
        refused(n, "no credentials, connect/test.lua", path="/lua/rest/v2/connect/test.lua",
                query=None)
        refused(n, "wrong Basic password", basic("admin", "nimda"))
        refused(n, "unknown Basic user", basic("root", "admin"))
        refused(n, "Basic without a colon", {"Authorization": "Basic "
                                             + base64.b64encode(b"adminadmin").decode()})
        refused(n, "garbage Authorization", {"Authorization": "Basic %%%"})
        refused(n, "wrong legacy cookie", {"Cookie": "user=admin; password=wrong"})
        allowed(n, "admin/admin by Basic", basic("admin", "admin"))
        allowed(n, "legacy cookie user=admin; password=admin",
                {"Cookie": "user=admin; password=admin"})
        st, hd, body = n.http("POST", PATH, body={"ifid": 0}, headers=basic("admin", "admin"))
        expect(st == 200 and json.loads(body)["rsp"]["ifid"] == "0", "POST JSON with Basic: 200")
        st, hd, body = n.http("POST", PATH, body={"ifid": 0})
        expect(st == 302, "POST JSON without credentials: 302 (%d)" % st)
        # the CORS preflight carries no credentials by design; it is
        # granted to the origins of --http-allowed-origins only
        st, hd, _ = n.http("OPTIONS", PATH, headers={"Origin": "http://a.example",
                                                     "Access-Control-Request-Method": "GET"})
        expect(st in (200, 204) and hd.get("access-control-allow-origin") == "http://a.example",
               "OPTIONS preflight of a listed origin needs no credentials (%d)" % st)
        st, hd, _ = n.http("OPTIONS", PATH, headers={"Origin": "http://b.example",
                                                     "Access-Control-Request-Method": "GET"})
        expect(st == 403 and "access-control-allow-origin" not in hd,
               "OPTIONS preflight of another origin: 403 without CORS headers (%d)" % st)
        expect(n.proc.poll() is None, "node still running")
    with node.Node(["-i", pcap], name="auth-nologin") as n:   # --disable-login
        expect("--disable-login" in n.args, "node started with --disable-login")
        allowed(n, "--disable-login, no credentials")
        allowed(n, "--disable-login, wrong credentials", basic("admin", "bad"))
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
