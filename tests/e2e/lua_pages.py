#!/usr/bin/python3
"""Lua page scripts (issue 13, docs/lua.md "Pages"): a node with -2 on a
temporary scripts directory answers /lua/<path>.lua from <dir>/lua/.

1. parameters: _GET, _POST (form and JSON), _SESSION, _SERVER, ifname reach
   the script with known values; a script's own header block sets the
   status and headers (Content-Length of the script dropped);
2. authentication as for the built-in pages: no credentials -> 302 to the
   login page; a POST from another Origin -> 403; a POST of a cookie
   session needs its CSRF token (form field or X-CSRF-Token); lua/admin/
   needs an administrator;
3. budget: `while true do end` (and inside pcall or a coroutine) ends with 500
   within 2 s while a concurrent REST call answers before they end and a
   live ZMQ feed (ntopng-gen-flows) keeps being counted; a memory bomb
   ends with 500; the node still answers afterwards, and stops cleanly
   while a runaway page runs;
4. sandbox: os.execute, io.popen, io.open("/etc/passwd"), require "ffi",
   load of string.dump() output, debug, package.loadlib fail with a clear
   message; io.open works in the data directory; require finds modules/;
5. isolation: globals, library fields and the string metatable set by one
   request are not seen by the next;
6. path traversal (.., %2e%2e, a symlink out of the directory, a hidden
   file, a non-.lua file) -> 404;
7. errors: a syntax error -> 500 naming script:line for an administrator,
   a generic 500 page without the message for an unprivileged user.
"""
import base64
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402

PAGES = {
    "echo.lua": r'''
sendHTTPHeader("text/plain")
print("a=" .. tostring(_GET.a) .. "\n")
print("b=" .. tostring(_POST.b) .. "\n")
print("j=" .. tostring(_POST.j) .. "\n")
print("user=" .. tostring(_SESSION.user) .. "\n")
print("method=" .. tostring(_SERVER.REQUEST_METHOD) .. "\n")
print("uri=" .. tostring(_SERVER.URI) .. "\n")
print("ifname=" .. tostring(ifname) .. "\n")
print("cookie=" .. tostring(_COOKIE.c1) .. "\n")
print("pw=" .. tostring(_COOKIE.password) .. "\n")
print(42) print("\n")
''',
    "own_header.lua": 'print("HTTP/1.1 201 Created\\r\\nX-Test: yes\\r\\n'
                      'Content-Type: application/json\\r\\nContent-Length: 999\\r\\n\\r\\n{\\"x\\":1}")',
    "loop.lua": "while true do end\n",
    "pcall_loop.lua": "while true do pcall(function() while true do end end) end\n",
    "co_loop.lua": "while true do coroutine.resume(coroutine.create(function() while true do end end)) end\n",
    "membomb.lua": 'local t = {}\nfor i = 1, 1e9 do t[i] = string.rep("x", 4096) .. i end\n',
    "syntax.lua": "local x = 1\nx = = 2\n",
    "runtime.lua": 'sendHTTPHeader("text/html")\nprint("partial")\nlocal t = nil\nprint(t.field)\n',
    "setg.lua": 'leaked = "A"\nstring.leaked = "S"\nprint("set " .. tostring(getmetatable("")))\n',
    "getg.lua": 'print(tostring(leaked) .. " " .. tostring(string.leaked) .. " " .. ("x"):upper())\n',
    "sandbox.lua": r'''
sendHTTPHeader("text/plain")
local cases = {
  execute = function() return os.execute("true") end,
  popen = function() return io.popen("id") end,
  passwd = function() return assert(io.open("/etc/passwd")) end,
  ffi = function() return require "ffi" end,
  bytecode = function() return assert(loadstring(string.dump(function() return 1 end))) end,
  bytecode_load = function() return assert(load(string.dump(function() return 1 end))) end,
  debug = function() return debug.getinfo(1) end,
  loadlib = function() return package.loadlib("libc.so.6", "system") end,
  dofile = function() return dofile("/etc/passwd") end,
  traversal_require = function() return require "../../etc/passwd" end,
}
local c = cases[_GET.case]
local ok, err = pcall(c)
print(tostring(ok) .. "|" .. tostring(err))
''',
    "datafile.lua": r'''
local f = assert(io.open("page.txt", "w"))
f:write("hello") f:close()
f = assert(io.open("page.txt", "r"))
local s = f:read("*a") f:close()
local m = require "mymod"
print(s .. " " .. m.answer())
''',
    "admin/secret.lua": 'print("secret")\n',
    "sub/.hidden.lua": 'print("HIDDEN_RAN")\n',
    "notlua.txt": 'print("x")\n',
}

MODULES = {"mymod.lua": 'local M = {}\nfunction M.answer() return 42 end\nreturn M\n'}


def basic(user, pw):
    return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()}


ADMIN = basic("admin", "admin")
BOB = basic("bob", "bobpw")


def raw_get(port, path):
    """A request line sent as is (no client-side normalisation)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: %s\r\n"
               "Connection: close\r\n\r\n" % (path, port, ADMIN["Authorization"])).encode())
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    line = data.split(b"\r\n", 1)[0].decode(errors="replace")
    return int(line.split()[1]) if len(line.split()) > 1 else 0, data


def session_login(n):
    """The login form (its CSRF token is in the page and in a cookie);
    returns the session id."""
    st, h, page = n.http("GET", "/lua/login.lua")
    m = re.search(rb'name="csrf" id="csrf" value="([0-9a-f]{32})"', page)
    c = re.match(r"login_csrf=([0-9a-f]{32});", h.get("set-cookie", ""))
    if not m or not c:
        return None
    body = urllib.parse.urlencode({"user": "admin", "password": "admin", "referer": "/lua/index.lua",
                                   "csrf": m.group(1).decode()}).encode()
    st, h, _ = n.http("POST", "/authorize.html", body=body,
                      headers={"Content-Type": "application/x-www-form-urlencoded",
                               "Cookie": "login_csrf=" + c.group(1)})
    ck = h.get("set-cookie", "")
    return ck.split(";")[0].split("=", 1)[1] if ck.startswith("session=") else None


def body_of(n, path, headers=ADMIN, **kw):
    st, hd, b = n.http("GET", path, headers=headers, **kw)
    return st, hd, b.decode(errors="replace")


def main():
    if not os.path.isdir(node.PCAPS):
        print("NTOPNG_SHARED pcaps not found")
        return 77
    tmp = tempfile.mkdtemp(prefix="lua-pages-")
    sd = os.path.join(tmp, "scripts")
    for name, text in PAGES.items():
        p = os.path.join(sd, "lua", name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    os.makedirs(os.path.join(sd, "lua", "modules"))
    for name, text in MODULES.items():
        with open(os.path.join(sd, "lua", "modules", name), "w") as f:
            f.write(text)
    outside = os.path.join(tmp, "outside.lua")
    with open(outside, "w") as f:
        f.write('print("ESCAPED_RAN")\n')
    os.symlink(outside, os.path.join(sd, "lua", "evil.lua"))
    users = os.path.join(tmp, "users.txt")
    with open(users, "w") as f:
        f.write("user.bob.password=%s\nuser.bob.group=unprivileged\n"
                % hashlib.md5(b"bobpw").hexdigest())
    pcap = os.path.join(node.PCAPS, "dns.pcap")  # 5 packets
    zport = node.free_port()
    with node.Node(["-i", pcap, "-i", "tcp://127.0.0.1:%dc" % zport, "-2", sd, "-u", users,
                    "--lua-workers", "3", "--lua-max-memory", "64"],
                   name="lua-pages", login=True) as n:
        # --- 1. parameters
        st, hd, b = n.http("POST", "/lua/echo.lua?a=1%202", body=b"b=x+y%21&c",
                           headers=dict(ADMIN, **{"Content-Type": "application/x-www-form-urlencoded",
                                                  "Cookie": "c1=v1; password=secret"}))
        b = b.decode()
        expect(st == 200 and hd.get("content-type") == "text/plain", "echo: 200 text/plain (%d)" % st)
        for want in ("a=1 2\n", "b=x y!\n", "user=admin\n", "method=POST\n", "uri=/lua/echo.lua\n",
                     "ifname=dns.pcap\n", "cookie=v1\n", "pw=nil\n", "42\n"):
            expect(want in b, "echo: %r in %r" % (want, b))
        st, hd, b = n.http("POST", "/lua/echo.lua", body={"j": "json value", "b": 7}, headers=ADMIN)
        b = b.decode()
        expect(st == 200 and "j=json value\n" in b and "b=7\n" in b and "a=nil\n" in b,
               "echo: JSON body in _POST (%r)" % b)
        st, hd, b = body_of(n, "/lua/own_header.lua")
        expect(st == 201 and hd.get("x-test") == "yes" and hd.get("content-type") == "application/json"
               and b == '{"x":1}' and hd.get("content-length") == "7",
               "own header block: 201, X-Test, JSON, length of the body (%d %r %r)" % (st, hd, b))

        # --- 2. authentication
        st, hd, _ = n.http("GET", "/lua/echo.lua")
        expect(st == 302 and hd.get("location", "").startswith("/lua/login.lua?referer="),
               "no credentials: 302 to the login page (%d)" % st)
        st, hd, _ = n.http("POST", "/lua/echo.lua", body=b"b=1",
                           headers=dict(ADMIN, Origin="http://evil.example",
                                        **{"Content-Type": "application/x-www-form-urlencoded"}))
        expect(st == 403, "POST from another Origin: 403 (%d)" % st)
        st, _, b = body_of(n, "/lua/admin/secret.lua", headers=BOB)
        expect(st == 403 and "secret" not in b, "lua/admin/ page, unprivileged: 403 (%d)" % st)
        st, _, b = body_of(n, "/lua/admin/secret.lua")
        expect(st == 200 and b == "secret", "lua/admin/ page, admin: 200 (%d %r)" % (st, b))
        st, _, b = body_of(n, "/lua/echo.lua", headers=BOB)
        expect(st == 200 and "user=bob\n" in b, "unprivileged user: 200 on a page (%d)" % st)
        # a cookie session: a POST needs the session's CSRF token
        sid = session_login(n)
        expect(sid is not None, "login form gives a session")
        st, _, js = n.http("GET", "/lua/rest/v2/get/ntopng/session.lua",
                           headers={"Cookie": "session=%s" % sid})
        csrf = json.loads(js)["rsp"]["csrf"]
        form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "session=%s" % sid}
        st, _, b = n.http("POST", "/lua/echo.lua", body=b"b=1", headers=form)
        expect(st == 403, "session POST without the CSRF token: 403 (%d)" % st)
        st, _, b = n.http("POST", "/lua/echo.lua", body=("b=2&csrf=" + csrf).encode(), headers=form)
        expect(st == 200 and b"b=2\n" in b and b"user=admin\n" in b,
               "session POST with the token in the form: 200 (%d)" % st)
        st, _, b = n.http("POST", "/lua/echo.lua", body=b"b=3", headers=dict(form, **{"X-CSRF-Token": csrf}))
        expect(st == 200 and b"b=3\n" in b, "session POST with X-CSRF-Token: 200 (%d)" % st)
        st, _, b = n.http("GET", "/lua/echo.lua?a=s", headers={"Cookie": "session=%s" % sid})
        expect(st == 200 and b"a=s\n" in b, "session GET needs no token (%d)" % st)

        # --- 3. budget, concurrently with REST
        res = {}

        def runaway(key, page):
            t0 = time.monotonic()
            st, _, _ = n.http("GET", "/lua/" + page, headers=ADMIN)
            res[key] = (st, time.monotonic() - t0)

        # a live feed into interface 1 while the runaway pages run: its
        # owner thread keeps taking flows (no Lua runs there)
        gen = subprocess.Popen([node.tool_path("ntopng-gen-flows", "NTOPNG_GEN_FLOWS"), "-e", "tcp://127.0.0.1:%dc" % zport,
                                "-n", "100000", "-r", "20000", "-k", "1000"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        n.auth = ("admin", "admin")
        time.sleep(0.5)
        before = n.rest("get/interface/sources.lua", ifid=1)[0]["records"]
        n.auth = None
        th = [threading.Thread(target=runaway, args=("loop", "loop.lua")),
              threading.Thread(target=runaway, args=("pcall", "pcall_loop.lua")),
              threading.Thread(target=runaway, args=("co", "co_loop.lua"))]
        for t in th:
            t.start()
        time.sleep(0.2)
        t0 = time.monotonic()
        st, _, b = n.http("GET", "/lua/rest/v2/get/ntopng/interfaces.lua", headers=ADMIN)
        rest_t = time.monotonic() - t0
        alive = sum(t.is_alive() for t in th)
        expect(st == 200 and alive > 0,
               "REST answers while the runaway pages still run (%d in %.3f s, %d still running)"
               % (st, rest_t, alive))
        for t in th:
            t.join()
        n.auth = ("admin", "admin")
        after = n.rest("get/interface/sources.lua", ifid=1)[0]["records"]
        n.auth = None
        gen.kill()
        gen.wait()
        expect(after > before, "the live ZMQ feed kept being counted during the runaway pages "
               "(%d -> %d records)" % (before, after))
        for k in ("loop", "pcall", "co"):
            st, dt = res[k]
            expect(st == 500 and dt < 2.0, "%s page: 500 within 2 s (%d in %.2f s)" % (k, st, dt))
        t0 = time.monotonic()
        st, _, b = body_of(n, "/lua/membomb.lua")
        expect(st == 500 and "not enough memory" in b,
               "memory bomb: 500, not enough memory (%d in %.2f s)" % (st, time.monotonic() - t0))
        n.auth = ("admin", "admin")
        d = n.rest("get/interface/data.lua", ifid=0)
        n.auth = None
        expect(d["packets"] == 5, "node healthy after the runaway pages (%d packets)" % d["packets"])

        # --- 4. sandbox
        wants = {
            "execute": "os.execute is not available",
            "popen": "io.popen is not available",
            "passwd": "/etc/passwd: access denied",
            "ffi": "module 'ffi' not found",
            "bytecode": "bytecode chunks are refused",
            "bytecode_load": "bytecode chunks are refused",
            "debug": "attempt to index global 'debug'",
            "loadlib": "package.loadlib is not available",
            "dofile": "/etc/passwd: access denied",
            "traversal_require": "not allowed",
        }
        for case, want in wants.items():
            st, _, b = body_of(n, "/lua/sandbox.lua?case=" + case)
            expect(st == 200 and b.startswith("false|") and want in b,
                   "sandbox %s refused: %r" % (case, b))
        st, _, b = body_of(n, "/lua/datafile.lua")
        expect(st == 200 and b == "hello 42", "io.open in the data dir, require of modules/ (%r)" % b)

        # --- 5. isolation
        st, _, b = body_of(n, "/lua/setg.lua")
        expect(st == 200 and b == "set false", "setg.lua ran, string metatable hidden (%d %r)" % (st, b))
        for _ in range(4):  # whichever worker answers
            st, _, b = body_of(n, "/lua/getg.lua")
            expect(st == 200 and b == "nil nil X", "next request sees none of it (%r)" % b)

        # --- 6. traversal
        for path in ("/lua/../../etc/passwd.lua", "/lua/%2e%2e/%2e%2e/etc/passwd.lua",
                     "/lua/..%2f..%2fetc/passwd.lua", "/lua/evil.lua", "/lua/sub/.hidden.lua",
                     "/lua/notlua.txt", "/lua/modules/../echo.lua", "/lua//echo.lua"):
            st, data = raw_get(n.port, path)
            expect(st in (400, 404) and b"ESCAPED_RAN" not in data and b"HIDDEN_RAN" not in data
                   and b"a=nil" not in data, "%s refused (%d)" % (path, st))

        # --- 7. errors
        st, _, b = body_of(n, "/lua/syntax.lua")
        expect(st == 500 and "lua/syntax.lua:2:" in b, "syntax error, admin: 500 with script:line (%d)" % st)
        st, _, b = body_of(n, "/lua/syntax.lua", headers=BOB)
        expect(st == 500 and "lua/syntax.lua" in b and "lua/syntax.lua:2" not in b
               and "unexpected symbol" not in b,
               "syntax error, unprivileged: generic 500 (%d %r)" % (st, b[:300]))
        st, _, b = body_of(n, "/lua/runtime.lua")
        expect(st == 500 and "lua/runtime.lua:4:" in b and "partial" not in b,
               "runtime error: 500 with script:line, no partial page (%d)" % st)
        log = n.read_log()
        expect("script failure [lua/syntax.lua][lua/syntax.lua:2:" in log,
               "the error is logged with its message")
        # the page workers are free again
        st, _, b = body_of(n, "/lua/getg.lua")
        expect(st == 200, "a page still answers at the end (%d)" % st)
        # --- 8. a stop while a runaway page runs is clean (node.py checks
        # the exit status and the log)
        th = threading.Thread(target=runaway, args=("stop", "loop.lua"))
        th.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        rc = n.stop()
        expect(rc == 0 and time.monotonic() - t0 < 5,
               "SIGTERM during a runaway page: exit 0 in %.2f s" % (time.monotonic() - t0))
        th.join()
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
