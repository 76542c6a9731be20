#!/usr/bin/env python3
"""Web server authentication and hardening (docs/webui.md): wrong password,
no credentials, unknown token, expired session, missing CSRF token, an
unprivileged user changing preferences and `../` or symlinks out of
httpdocs are all refused; Basic, the 1.x cookie form (seed §6.4), API
tokens, the login form and a users file (-u, md5, upgraded to argon2id)
work; the login form needs its CSRF token (form field = login_csrf
cookie); 5 failed logins lock the address out; HTTPS with a self-signed
certificate (in <data dir>/ssl/) serves the login page and marks the
session cookie Secure;
--http-401 answers JSON-only REST clients with 401 + WWW-Authenticate.
"""
import hashlib
import re
import http.client
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

from node import Node, PCAPS, REPO, free_port, redis_flushdb
from node import expect as check, failures

REDIS_DB = "13"


def node(extra=(), **kw):
    pcap = os.path.join(PCAPS, "teams.pcap")
    return Node(["-i", pcap, "-r", "127.0.0.1:6379@" + REDIS_DB] + list(extra),
                name="webui_auth", login=True, **kw)


def req(n, method, path, headers=None, body=None, auth=None):
    n.auth = auth
    return n.http(method, path, body=body, headers=headers)


def login_form(n):
    """GET the login page: (token in the form, token in the cookie)."""
    st, h, page = req(n, "GET", "/lua/login.lua")
    m = re.search(rb'name="csrf" id="csrf" value="([0-9a-f]{32})"', page)
    c = re.match(r"login_csrf=([0-9a-f]{32});", h.get("set-cookie", ""))
    return (m.group(1).decode() if m else None), (c.group(1) if c else None), h


def login(n, user, pw, csrf="form", cookie="form"):
    """POSTs the login form.  csrf/cookie: "form" = the login page's token,
    None = left out, anything else = sent as it is."""
    form_tok, cookie_tok = login_form(n)[:2]
    fields = {"user": user, "password": pw, "referer": "/lua/hosts_stats.lua"}
    if csrf is not None:
        fields["csrf"] = form_tok if csrf == "form" else csrf
    hdrs = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie is not None:
        hdrs["Cookie"] = "login_csrf=" + (cookie_tok if cookie == "form" else cookie)
    st, h, _ = req(n, "POST", "/authorize.html", body=urllib.parse.urlencode(fields),
                   headers=hdrs)
    cookie = h.get("set-cookie", "")
    sid = cookie.split(";")[0].split("=", 1)[1] if cookie.startswith("session=") else None
    return st, h.get("location"), sid, cookie


def is_json_ok(r):
    st, h, body = r
    return st == 200 and h.get("content-type", "").startswith("application/json") \
        and b'"rc":0' in body


def main():
    redis_flushdb(REDIS_DB)
    tmp = tempfile.mkdtemp(prefix="ntopng-webui-auth-")
    users = os.path.join(tmp, "users.txt")
    with open(users, "w") as f:
        f.write("user.bob.password=%s\nuser.bob.full_name=Bob\nuser.bob.group=unprivileged\n"
                % hashlib.md5(b"bobpw").hexdigest())
    try:
        with node(["-u", users]) as n:
            api = "/lua/rest/v2/get/interface/data.lua?ifid=0"
            # no credentials: 302 to the login page with the referer
            st, h, _ = req(n, "GET", api)
            check(st == 302 and h.get("location", "").startswith(
                "/lua/login.lua?referer=%2Flua%2Frest%2Fv2%2Fget%2Finterface%2Fdata.lua"),
                "no credentials -> 302 %s" % h.get("location"))
            st, h, _ = req(n, "GET", "/lua/index.lua")
            check(st == 302, "page without credentials -> 302")
            # wrong password
            st, h, _ = req(n, "GET", api, auth=("admin", "wrong"))
            check(st == 302, "wrong Basic password -> %d" % st)
            # Basic and the 1.x cookie form
            check(is_json_ok(req(n, "GET", api, auth=("admin", "admin"))), "Basic admin:admin")
            check(is_json_ok(req(n, "GET", api, headers={"Cookie": "user=admin; password=admin"})),
                  "curl --cookie 'user=admin; password=admin'")
            st, h, _ = req(n, "GET", api, headers={"Cookie": "user=admin; password=nope"})
            check(st == 302, "legacy cookie with a wrong password -> %d" % st)
            # the users file: md5 accepted, then upgraded to argon2id
            check(is_json_ok(req(n, "GET", api, auth=("bob", "bobpw"))), "users file: bob (md5)")
            with open(users) as f:
                text = f.read()
            check("user.bob.password=$argon2id$" in text, "users file rewritten with argon2id")
            check(is_json_ok(req(n, "GET", api, auth=("bob", "bobpw"))), "bob after the upgrade")
            # the login form carries a CSRF token, also set as a cookie
            ftok, ctok, h = login_form(n)
            check(ftok and ftok == ctok, "login page: token in the form = cookie (%s)" % ftok)
            ck = h.get("set-cookie", "")
            check("Path=/authorize.html" in ck and "HttpOnly" in ck and "SameSite=Strict" in ck,
                  "login_csrf cookie flags: %s" % ck)
            check(login_form(n)[0] != ftok, "a new token for every login page")
            for what, kw in (("no token", {"csrf": None}),
                             ("a wrong token", {"csrf": "0" * 32}),
                             ("no cookie", {"cookie": None}),
                             ("a wrong cookie", {"cookie": "f" * 32}),
                             ("a short token in both", {"csrf": "ab", "cookie": "ab"})):
                st, loc, sid, _ = login(n, "admin", "admin", **kw)
                check(st == 302 and "reason=csrf" in (loc or "") and not sid,
                      "login form with %s refused -> %d %s" % (what, st, loc))
            st, loc, sid, cookie = login(n, "admin", "admin")
            check(st == 302 and loc == "/lua/hosts_stats.lua" and sid, "login form -> %s" % loc)
            check("HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie,
                  "session cookie flags on HTTP: %s" % cookie)
            st, h, body = req(n, "GET", "/lua/rest/v2/get/ntopng/session.lua",
                              headers={"Cookie": "session=" + sid})
            csrf = __import__("json").loads(body)["rsp"]["csrf"]
            check(st == 200 and len(csrf) == 32, "session works, csrf token given")
            st, loc, sid2, _ = login(n, "admin", "bad")
            check(st == 302 and "reason=wrong-credentials" in loc and not sid2,
                  "login form with a wrong password -> %s" % loc)
            # CSRF: a session call that changes state needs the token
            setname = "/lua/rest/v2/set/interface/name.lua"
            st, h, body = req(n, "POST", setname, body={"ifid": 0, "name": "x1"},
                              headers={"Cookie": "session=" + sid})
            check(st == 403 and b"CSRF" in body, "POST without CSRF token -> %d" % st)
            st, h, body = req(n, "GET", setname + "?ifid=0&name=x2",
                              headers={"Cookie": "session=" + sid})
            check(st == 403, "GET set/ without CSRF token -> %d" % st)
            st, h, body = req(n, "POST", setname, body={"ifid": 0, "name": "x3"},
                              headers={"Cookie": "session=" + sid, "X-CSRF-Token": "0" * 32})
            check(st == 403, "POST with a wrong CSRF token -> %d" % st)
            r = req(n, "POST", setname, body={"ifid": 0, "name": "lan"},
                    headers={"Cookie": "session=" + sid, "X-CSRF-Token": csrf})
            check(is_json_ok(r), "POST with the CSRF token")
            st, h, body = req(n, "GET", "/lua/rest/v2/get/ntopng/interfaces.lua", auth=("admin", "admin"))
            check(b'"name":"lan"' in body, "interfaces.lua shows the new name")
            # unprivileged users cannot change preferences
            st, h, body = req(n, "POST", setname, body={"ifid": 0, "name": "bob"}, auth=("bob", "bobpw"))
            check(st == 401 and b"NOT_GRANTED" in body, "unprivileged set/interface/name -> %d" % st)
            st, h, body = req(n, "POST", "/lua/rest/v2/set/ntopng/user/add.lua",
                              body={"username": "eve", "password": "x"}, auth=("bob", "bobpw"))
            check(st == 401, "unprivileged user add -> %d" % st)
            st, h, _ = req(n, "GET", "/lua/admin/prefs.lua", auth=("bob", "bobpw"))
            check(st == 403, "unprivileged prefs page -> %d" % st)
            st, loc, bsid, _ = login(n, "bob", "bobpw")
            st, h, body = req(n, "GET", "/lua/rest/v2/get/ntopng/session.lua",
                              headers={"Cookie": "session=" + bsid})
            bcsrf = __import__("json").loads(body)["rsp"]["csrf"]
            st, h, body = req(n, "POST", setname, body={"ifid": 0, "name": "bob"},
                              headers={"Cookie": "session=" + bsid, "X-CSRF-Token": bcsrf})
            check(st == 401, "unprivileged session with CSRF token, set name -> %d" % st)
            # API tokens
            st, h, body = req(n, "POST", "/lua/rest/v2/create/ntopng/api_token.lua", body={},
                              auth=("admin", "admin"))
            tok = __import__("json").loads(body)["rsp"]["api_token"]
            check(is_json_ok(req(n, "GET", api, headers={"Authorization": "Token " + tok})),
                  "Authorization: Token works")
            st, h, _ = req(n, "GET", api, headers={"Authorization": "Token " + "a" * 32})
            check(st == 302, "unknown token -> %d" % st)
            # paths out of httpdocs
            for p in ("/js/../../../etc/passwd", "/js/%2e%2e/%2e%2e/etc/passwd",
                      "/%2e%2e/webui/httpd.c", "/ssl/ntopng-cert.pem", "/.gitignore",
                      "/javascript/bootstrap5/../../../etc/passwd"):
                st, h, body = req(n, "GET", p)
                check(st in (403, 404) and b"root:" not in body, "%s -> %d" % (p, st))
            st, h, _ = req(n, "GET", "/js/ntop.js")
            check(st == 200 and "javascript" in h.get("content-type", "") and
                  "max-age" in h.get("cache-control", ""), "static asset: %s, %s" %
                  (h.get("content-type"), h.get("cache-control")))
            st, h, _ = req(n, "GET", "/javascript/bootstrap5/css/bootstrap.min.css")
            check(st == 200 and h.get("content-type", "").startswith("text/css"),
                  "Debian bootstrap5 served: %d" % st)
            # expired session: idle timeout of 1 s
            r = req(n, "POST", "/lua/rest/v2/set/ntopng/prefs.lua",
                    body={"auth_session_duration": 1}, auth=("admin", "admin"))
            check(is_json_ok(r), "session duration set to 1 s")
            st, loc, sid, _ = login(n, "admin", "admin")
            check(is_json_ok(req(n, "GET", api, headers={"Cookie": "session=" + sid})),
                  "fresh short session works")
            time.sleep(2.5)
            st, h, _ = req(n, "GET", api, headers={"Cookie": "session=" + sid})
            check(st == 302, "expired session -> %d" % st)
            # brute force: 5 failures lock the address, even the right password
            for _ in range(5):
                req(n, "GET", api, auth=("admin", "guess"))
            st, h, _ = req(n, "GET", api, auth=("admin", "admin"))
            check(st == 302, "after 5 failures the right password is refused -> %d" % st)
            st, loc, sid, _ = login(n, "admin", "admin")
            check("reason=locked" in (loc or ""), "login form says locked: %s" % loc)

        # -q: no idle logout; --disable-login opens everything
        redis_flushdb(REDIS_DB)
        with node(["-q"]) as n:
            st, h, body = req(n, "GET", "/lua/rest/v2/get/ntopng/session.lua", auth=("admin", "admin"))
            check(b'"session_ttl":0' in body, "-q: no idle timeout")
        with node(["--disable-login"]) as n:
            check(is_json_ok(req(n, "GET", "/lua/rest/v2/get/interface/data.lua?ifid=0")),
                  "--disable-login: no credentials needed")

        # --http-401 (rest-api.md 2.3 b): only JSON-only REST clients get a 401
        redis_flushdb(REDIS_DB)
        api = "/lua/rest/v2/get/interface/data.lua?ifid=0"
        with node(["--http-401"]) as n:
            for accept in ("application/json", "application/json, */*;q=0.1"):
                st, h, body = req(n, "GET", api, headers={"Accept": accept})
                check(st == 401 and h.get("www-authenticate") == 'Basic realm="ntopng"' and
                      h.get("content-type", "").startswith("text/plain") and b"401" in body,
                      "--http-401, Accept %r -> %d %s %s" % (accept, st, h.get("www-authenticate"),
                                                           h.get("content-type")))
            st, h, _ = req(n, "GET", api, auth=("admin", "wrong"),
                           headers={"Accept": "application/json"})
            check(st == 401, "--http-401, wrong password -> %d" % st)
            for accept in (None, "text/html,application/json", "*/*"):
                st, h, _ = req(n, "GET", api, headers={"Accept": accept} if accept else None)
                check(st == 302 and h.get("location", "").startswith("/lua/login.lua"),
                      "--http-401, Accept %r -> %d (redirect)" % (accept, st))
            st, h, _ = req(n, "GET", "/lua/index.lua", headers={"Accept": "application/json"})
            check(st == 302, "--http-401, a page (not REST) -> %d" % st)
            check(is_json_ok(req(n, "GET", api, auth=("admin", "admin"),
                                 headers={"Accept": "application/json"})),
                  "--http-401, right credentials -> JSON")
        with node() as n:
            st, h, _ = req(n, "GET", api, headers={"Accept": "application/json"})
            check(st == 302, "without --http-401, Accept JSON -> %d (redirect)" % st)

        # HTTPS with a self-signed certificate in <data dir>/ssl/ (outside
        # the document root); a copy of httpdocs with a symlink out
        docs = os.path.join(tmp, "httpdocs")
        shutil.copytree(os.path.join(REPO, "httpdocs"), docs, symlinks=True)
        os.symlink("/etc", os.path.join(docs, "etc-link"))
        key, crt = os.path.join(tmp, "k.pem"), os.path.join(tmp, "c.pem")
        subprocess.run(["openssl", "req", "-new", "-x509", "-sha256", "-nodes", "-days", "2",
                        "-newkey", "rsa:2048", "-subj", "/CN=localhost", "-keyout", key,
                        "-out", crt], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        sport = free_port()
        redis_flushdb(REDIS_DB)
        n = node(["-1", docs, "-W", "127.0.0.1:%d" % sport])
        os.makedirs(os.path.join(n.data_dir, "ssl"))
        with open(os.path.join(n.data_dir, "ssl", "ntopng-cert.pem"), "w") as out:
            out.write(open(key).read() + open(crt).read())
        with n:
            st, h, body = req(n, "GET", "/etc-link/passwd")
            check(st in (403, 404) and b"root:" not in body, "symlink out of httpdocs -> %d" % st)
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            deadline = time.monotonic() + 10
            while True:
                try:
                    c = http.client.HTTPSConnection("127.0.0.1", sport, timeout=10, context=ctx)
                    c.request("GET", "/lua/login.lua")
                    r = c.getresponse()
                    page = r.read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            check(r.status == 200 and b"/authorize.html" in page, "HTTPS login page: %d" % r.status)
            tok = re.search(rb'name="csrf" id="csrf" value="([0-9a-f]{32})"', page).group(1).decode()
            check("; Secure" in (r.getheader("Set-Cookie") or ""), "HTTPS login_csrf cookie is Secure")
            c.request("POST", "/authorize.html",
                      body="user=admin&password=admin&referer=%2F&csrf=" + tok,
                      headers={"Content-Type": "application/x-www-form-urlencoded",
                               "Cookie": "login_csrf=" + tok})
            r = c.getresponse()
            r.read()
            cookie = r.getheader("Set-Cookie") or ""
            check(r.status == 302 and "; Secure" in cookie and "HttpOnly" in cookie,
                  "HTTPS session cookie is Secure: %s" % cookie)
            c.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        redis_flushdb(REDIS_DB)
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
