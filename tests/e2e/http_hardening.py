#!/usr/bin/env python3
"""Web server hardening against an outsider (docs/webui.md "Hardening"),
one function per defect of issue 11:

- test_key_not_served: the HTTPS key under httpdocs/ssl/ (older set-ups)
  is reached by no spelling of its URL (//ssl/, ///ssl/, /%2Fssl/, ./,
  ../, a symlink), over HTTP and HTTPS; <data dir>/ssl/ is where the
  certificate is looked for first (outside the document root);
- test_tls_versions: HTTPS refuses TLS 1.1 and accepts 1.2 and 1.3
  (openssl s_client on loopback);
- test_cross_site: no wildcard CORS, no Origin reflected by OPTIONS; under
  -l a cross-site form POST to set/ntopng/user/add.lua is refused while a
  script (no Origin) still works, also with an API token; a foreign Host
  header (DNS rebinding) is refused; --http-allowed-origins and
  --http-allowed-hosts open exactly what they list;
- test_slowloris: 300 slow connections from 127.0.0.2 do not stop a client
  from 127.0.0.1 being served at once, and slow connections are closed at
  the header deadline (10 s) although they keep sending bytes;
- test_open_redirect: the login form follows only a local path as its
  referer (/%09/evil.example, //evil, /\\evil go to the home page);
- test_many_params: hundreds or thousands of query parameters get an
  answer (431) within a second;
- test_https_only: -w 0 -W <port> serves HTTPS alone;
- test_bad_httpdocs: --httpdocs-dir /nonexistent exits 1 with one line.
"""
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

from node import BIN, Node, PCAPS, REPO, free_port
from node import expect, summary

PCAP = os.path.join(PCAPS, "teams.pcap")
HEADER_DEADLINE = 10        # HTTPD_HEADER_DEADLINE in webui/httpd.c
PER_IP_MAX = 32             # HTTPD_PER_IP_MAX


def node(extra=(), login=False):
    return Node(["-i", PCAP] + list(extra), name="http_hardening", login=login)


def make_cert(pem):
    """A self-signed key + certificate in one PEM file."""
    d = tempfile.mkdtemp(prefix="ntopng-cert-")
    key, crt = os.path.join(d, "k.pem"), os.path.join(d, "c.pem")
    subprocess.run(["openssl", "req", "-new", "-x509", "-sha256", "-nodes", "-days", "2",
                    "-newkey", "rsa:2048", "-subj", "/CN=localhost", "-keyout", key,
                    "-out", crt], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    os.makedirs(os.path.dirname(pem), exist_ok=True)
    with open(pem, "w") as out:
        out.write(open(key).read() + open(crt).read())
    os.chmod(pem, 0o600)
    shutil.rmtree(d)


def tls_ctx():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def get(port, path, tls=False, headers=None, method="GET", body=None, timeout=10):
    """One request on a fresh connection: (status, {header: value}, body)."""
    if tls:
        c = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=tls_ctx())
    else:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def wait_tls(port, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return get(port, "/lua/login.lua", tls=True)
        except OSError:
            if time.monotonic() > deadline:
                return None
            time.sleep(0.2)


def copy_docs(tmp, with_cert):
    docs = os.path.join(tmp, "httpdocs")
    shutil.copytree(os.path.join(REPO, "httpdocs"), docs, symlinks=True)
    if with_cert:
        make_cert(os.path.join(docs, "ssl", "ntopng-cert.pem"))
        os.symlink("ssl/ntopng-cert.pem", os.path.join(docs, "cert-link.txt"))
    return docs


KEY_PATHS = ("/ssl/ntopng-cert.pem", "//ssl/ntopng-cert.pem", "///ssl/ntopng-cert.pem",
             "/%2Fssl/ntopng-cert.pem", "/%2fssl%2fntopng-cert.pem", "//%2Fssl//ntopng-cert.pem",
             "/./ssl/ntopng-cert.pem", "/js/../ssl/ntopng-cert.pem",
             "/js/%2e%2e/ssl/ntopng-cert.pem", "/ssl//ntopng-cert.pem", "/ssl/./ntopng-cert.pem",
             "/cert-link.txt", "/%2e/ssl/ntopng-cert.pem")


def test_key_not_served(tmp, docs):
    sport = free_port()
    with node(["-1", docs, "-W", "127.0.0.1:%d" % sport]) as n:
        r = wait_tls(sport)
        expect(r is not None and r[0] == 200, "legacy httpdocs/ssl/ certificate: HTTPS is up")
        for tls, port in ((False, n.port), (True, sport)):
            for p in KEY_PATHS:
                st, h, body = get(port, p, tls=tls)
                expect(st in (403, 404) and b"PRIVATE KEY" not in body,
                       "%s %s -> %d, key not served" % ("https" if tls else "http", p, st))
        st, _, _ = get(n.port, "/js/ntop.js")
        expect(st == 200, "an ordinary static file is still served: %d" % st)
        st, _, _ = get(n.port, "//js//ntop.js")
        expect(st == 200, "//js//ntop.js (folded) is served: %d" % st)
        expect("move it to" in n.read_log(), "the log asks to move the key out of httpdocs")
        test_tls_versions(sport)
    # the certificate in <data dir>/ssl/, outside the document root
    sport = free_port()
    n = node(["-W", "127.0.0.1:%d" % sport])
    make_cert(os.path.join(n.data_dir, "ssl", "ntopng-cert.pem"))
    with n:
        r = wait_tls(sport)
        expect(r is not None and r[0] == 200 and b"/authorize.html" in r[2],
               "<data dir>/ssl/ntopng-cert.pem: HTTPS login page")
        expect("move it to" not in n.read_log(), "no warning for the data-dir location")


def s_client(port, version):
    """True when openssl s_client completes a handshake with `version`."""
    r = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
                        "-" + version, "-cipher", "DEFAULT@SECLEVEL=0", "-brief"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
    out = r.stdout + r.stderr
    return "CONNECTION ESTABLISHED" in out and "Protocol version" in out, out


def test_tls_versions(sport):
    if not shutil.which("openssl"):
        print("skipped: no openssl")
        return
    ok, out = s_client(sport, "tls1_1")
    expect(not ok, "TLS 1.1 refused%s" % ("" if not ok else ": " + out[-200:]))
    ok, out = s_client(sport, "tls1")
    expect(not ok, "TLS 1.0 refused")
    ok, out = s_client(sport, "tls1_2")
    expect(ok and "TLSv1.2" in out, "TLS 1.2 accepted")
    ok, out = s_client(sport, "tls1_3")
    expect(ok and "TLSv1.3" in out, "TLS 1.3 accepted")


ADD = "/lua/rest/v2/set/ntopng/user/add.lua"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def add_user(port, name, headers):
    """What a form on another site can send: a POST whose action carries
    the parameters (the body of a form is not read by the REST layer)."""
    q = urllib.parse.urlencode({"username": name, "full_name": name, "password": "pw12345",
                                "group": "administrator"})
    hdrs = dict(FORM)
    hdrs.update(headers)
    return get(port, ADD + "?" + q, method="POST", body="x=1", headers=hdrs)


def users(port, headers=None):
    st, h, body = get(port, "/lua/rest/v2/get/ntopng/users.lua", headers=headers)
    return body.decode(errors="replace")


def test_cross_site():
    with node() as n:                       # -l: no login
        me = "http://127.0.0.1:%d" % n.port
        api = "/lua/rest/v2/get/interface/data.lua?ifid=0"
        st, h, _ = get(n.port, api, headers={"Origin": "http://evil.example"})
        expect(st == 200 and "access-control-allow-origin" not in h,
               "REST read from evil.example: no CORS header (%s)"
               % h.get("access-control-allow-origin"))
        st, h, _ = get(n.port, api)
        expect(h.get("access-control-allow-origin") is None, "no wildcard CORS on REST answers")
        st, h, _ = get(n.port, ADD, method="OPTIONS",
                       headers={"Origin": "http://evil.example",
                                "Access-Control-Request-Method": "POST",
                                "Access-Control-Request-Headers": "x-csrf-token"})
        expect("evil.example" not in h.get("access-control-allow-origin", "") and
               "access-control-allow-origin" not in h,
               "OPTIONS does not reflect a foreign Origin: %d %s"
               % (st, h.get("access-control-allow-origin")))
        # what a browser sends for a form on evil.example posting to us
        st, h, body = add_user(n.port, "mallory", {"Origin": "http://evil.example",
                                                   "Sec-Fetch-Site": "cross-site"})
        expect(st == 403, "-l: cross-site form POST user/add.lua -> %d %s" % (st, body[:80]))
        st, h, body = add_user(n.port, "mallory2", {"Origin": "http://evil.example"})
        expect(st == 403, "-l: POST with a foreign Origin only -> %d" % st)
        st, h, body = add_user(n.port, "mallory3", {"Origin": "null"})
        expect(st == 403, "-l: POST with Origin: null -> %d" % st)
        st, h, body = get(n.port, ADD + "?username=mallory4&password=pw&group=administrator",
                          headers={"Sec-Fetch-Site": "cross-site"})
        expect(st == 403, "-l: cross-site GET set/ (an <img>) -> %d" % st)
        st, h, body = add_user(n.port, "mallory5", {"Origin": "http://127.0.0.1:1",
                                                    "Sec-Fetch-Site": "same-site"})
        expect(st == 403, "-l: another port of the same host (same-site) -> %d" % st)
        st, h, body = add_user(n.port, "mallory6", {"Origin": "https://127.0.0.1:%d" % n.port})
        expect(st == 403, "-l: same host and port but https -> %d" % st)
        st, h, body = get(n.port, "/lua/rest/v2/set/interface/name.lua", method="POST",
                          body='{"ifid": 0, "name": "pwned"}',
                          headers={"Content-Type": "text/plain", "Origin": "http://evil.example"})
        expect(st == 403, "-l: cross-site text/plain JSON POST -> %d" % st)
        u = users(n.port)
        expect("mallory" not in u, "no mallory* user was created")
        # scripts send no Origin: allowed; the page itself: allowed
        st, h, body = add_user(n.port, "carol", {})
        expect(st == 200 and b'"rc":0' in body, "-l: script POST without Origin -> %d" % st)
        st, h, body = add_user(n.port, "dave", {"Origin": me, "Sec-Fetch-Site": "same-origin"})
        expect(st == 200 and b'"rc":0' in body, "-l: same-origin POST -> %d" % st)
        u = users(n.port)
        expect("carol" in u and "dave" in u, "carol and dave were created")
        # DNS rebinding: a name that is not ours
        for host, want in (("evil.example:%d" % n.port, 403), ("evil.example", 403),
                           ("127.0.0.1.evil.example", 403), ("localhost:%d" % n.port, 200),
                           ("127.0.0.1:%d" % n.port, 200), ("[::1]:%d" % n.port, 200),
                           ("%s:%d" % (socket.gethostname(), n.port), 200)):
            st, h, body = get(n.port, api, headers={"Host": host})
            expect(st == want and (want != 403 or b'"rc"' not in body),
                   "Host: %s -> %d (want %d)" % (host, st, want))
        st, h, body = get(n.port, "/js/ntop.js", headers={"Host": "evil.example"})
        expect(st == 403, "Host check also covers static files: %d" % st)

    # with login: an API token from a script works without Origin
    with node(login=True) as n:
        basic = {"Authorization": "Basic YWRtaW46YWRtaW4="}      # admin:admin
        st, h, body = get(n.port, "/lua/rest/v2/create/ntopng/api_token.lua", method="POST",
                          body="{}", headers=dict(basic, **{"Content-Type": "application/json"}))
        m = re.search(rb'"api_token":"([0-9a-f]{32})"', body)
        expect(st == 200 and m, "API token created: %d" % st)
        tok = {"Authorization": "Token " + (m.group(1).decode() if m else "")}
        st, h, body = add_user(n.port, "erin", tok)
        expect(st == 200 and b'"rc":0' in body, "token, no Origin: user/add -> %d" % st)
        st, h, body = add_user(n.port, "frank", dict(tok, Origin="http://evil.example"))
        expect(st == 403, "token with a foreign Origin -> %d" % st)
        st, h, body = add_user(n.port, "gina", dict(basic, **{"Sec-Fetch-Site": "cross-site"}))
        expect(st == 403, "Basic with Sec-Fetch-Site: cross-site -> %d" % st)
        st, h, body = add_user(n.port, "hank", {"Cookie": "user=admin; password=admin",
                                                "Origin": "http://evil.example"})
        expect(st == 403, "1.x cookies with a foreign Origin -> %d" % st)
        st, h, body = get(n.port, "/lua/rest/v2/get/ntopng/users.lua", headers=basic)
        expect(b"erin" in body and not any(x in body for x in (b"frank", b"gina", b"hank")),
               "only erin was created")

    # the lists: exactly what they name
    with node(["--http-allowed-origins", "http://dash.example:8080, https://ops.example/",
               "--http-allowed-hosts", "ntop.example"]) as n:
        st, h, _ = get(n.port, ADD, method="OPTIONS",
                       headers={"Origin": "http://dash.example:8080",
                                "Access-Control-Request-Method": "POST"})
        expect(st in (200, 204) and
               h.get("access-control-allow-origin") == "http://dash.example:8080",
               "OPTIONS from a listed origin: %d %s" % (st, h.get("access-control-allow-origin")))
        st, h, _ = get(n.port, "/lua/rest/v2/get/interface/data.lua?ifid=0",
                       headers={"Origin": "https://ops.example"})
        expect(h.get("access-control-allow-origin") == "https://ops.example",
               "REST answer to a listed origin carries it")
        st, h, body = add_user(n.port, "ivan", {"Origin": "http://dash.example:8080",
                                                "Sec-Fetch-Site": "cross-site"})
        expect(st == 200 and b'"rc":0' in body, "POST from a listed origin -> %d" % st)
        st, h, body = add_user(n.port, "judy", {"Origin": "http://dash.example:8081"})
        expect(st == 403, "an unlisted port of a listed host -> %d" % st)
        st, h, _ = get(n.port, "/lua/rest/v2/get/interface/data.lua?ifid=0",
                       headers={"Host": "ntop.example:%d" % n.port})
        expect(st == 200, "--http-allowed-hosts name -> %d" % st)
        st, h, _ = get(n.port, "/lua/rest/v2/get/interface/data.lua?ifid=0",
                       headers={"Host": "other.example"})
        expect(st == 403, "an unlisted host -> %d" % st)


def test_slowloris():
    with node() as n:
        attackers, t_start = [], time.monotonic()
        for _ in range(300):
            s = socket.socket()
            s.bind(("127.0.0.2", 0))
            s.settimeout(2)
            try:
                s.connect(("127.0.0.1", n.port))
                s.sendall(b"GET /lua/index.lua HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ")
            except OSError:
                pass
            attackers.append(s)
        time.sleep(0.5)
        t0 = time.monotonic()
        try:
            st, _, body = get(n.port, "/lua/rest/v2/get/interface/data.lua?ifid=0", timeout=5)
        except OSError as e:
            st, body = repr(e), b""
        took = time.monotonic() - t0
        expect(st == 200 and took < 3,
               "300 slow connections from 127.0.0.2: 127.0.0.1 served in %.2f s (%s)" % (took, st))

        def alive(socks):
            out = []
            for s in socks:
                try:
                    s.setblocking(False)
                    if s.recv(1) == b"":
                        s.close()
                        continue
                except BlockingIOError:
                    out.append(s)
                    continue
                except OSError:
                    s.close()
                    continue
                finally:
                    if s.fileno() >= 0:
                        s.setblocking(True)
                out.append(s)
            return out

        held = alive(attackers)
        expect(len(held) <= PER_IP_MAX, "connections held by one address: %d (at most %d)"
               % (len(held), PER_IP_MAX))
        # keep dripping one header byte a second: the idle timeout never
        # fires, the header deadline must
        end = t_start + HEADER_DEADLINE + 4
        while held and time.monotonic() < end:
            for s in held:
                try:
                    s.send(b"a")
                except OSError:
                    pass
            time.sleep(1)
            held = alive(held)
        expect(not held, "slow connections closed at the header deadline: %d left after %.1f s"
               % (len(held), time.monotonic() - t_start))
        for s in attackers:
            s.close()
        st, _, _ = get(n.port, "/lua/rest/v2/get/interface/data.lua?ifid=0", timeout=5)
        expect(st == 200, "served after the attack: %d" % st)
        # a kept-alive client that sends its requests in time is not cut
        c = http.client.HTTPConnection("127.0.0.1", n.port, timeout=10)
        ok = True
        for _ in range(3):
            c.request("GET", "/lua/rest/v2/get/interface/data.lua?ifid=0")
            r = c.getresponse()
            r.read()
            ok = ok and r.status == 200
            time.sleep(0.3)
        c.close()
        expect(ok, "keep-alive requests on one connection still work")


def login_page(n):
    st, h, page = get(n.port, "/lua/login.lua")
    m = re.search(rb'name="csrf" id="csrf" value="([0-9a-f]{32})"', page)
    return m.group(1).decode() if m else ""


def test_open_redirect():
    with node(login=True) as n:
        for ref, want in (("/%09/evil.example", "/lua/index.lua"),
                          ("//evil.example", "/lua/index.lua"),
                          ("/%5Cevil.example", "/lua/index.lua"),
                          ("/%5C%5Cevil.example", "/lua/index.lua"),
                          ("%2F%2Fevil.example", "/lua/index.lua"),
                          ("/%0A/evil.example", "/lua/index.lua"),
                          ("/%0D%0A/evil.example", "/lua/index.lua"),
                          ("/%20/evil.example", "/lua/index.lua"),
                          ("/%7F/evil.example", "/lua/index.lua"),
                          ("/%C2%A0/evil.example", "/lua/index.lua"),
                          ("/lua/a%09b", "/lua/index.lua"),
                          ("http://evil.example/", "/lua/index.lua"),
                          ("/lua/flows_stats.lua", "/lua/flows_stats.lua")):
            tok = login_page(n)
            body = "user=admin&password=admin&csrf=%s&referer=%s" % (tok, ref)
            st, h, _ = get(n.port, "/authorize.html", method="POST", body=body,
                           headers=dict(FORM, Cookie="login_csrf=" + tok))
            loc = h.get("location")
            expect(st == 302 and loc == want and h.get("set-cookie", "").startswith("session="),
                   "login with referer %s -> %d %r" % (ref, st, loc))


def test_many_params():
    with node() as n:
        for count, ok in ((100, (200,)), (450, (200, 431)), (1000, (200, 431)),
                          (5000, (200, 431))):
            q = "&".join("a%d=%d" % (i, i) for i in range(count))
            t0 = time.monotonic()
            try:
                st, _, _ = get(n.port, "/lua/rest/v2/get/interface/data.lua?ifid=0&" + q,
                               timeout=5)
            except OSError as e:
                st = repr(e)
            took = time.monotonic() - t0
            expect(st in ok and took < 1, "%d query parameters -> %s in %.2f s" % (count, st, took))
        st, _, _ = get(n.port, "/lua/rest/v2/get/interface/data.lua?ifid=0")
        expect(st == 200, "the server still answers: %d" % st)


def test_https_only(docs):
    sport = free_port()
    n = node(["-1", docs, "-w", "0", "-W", "127.0.0.1:%d" % sport])
    http_port, n.port = n.port, sport          # Node waits for this port
    try:
        with n:
            r = wait_tls(sport)
            expect(r is not None and r[0] == 200 and b"/authorize.html" in r[2],
                   "-w 0 -W %d: HTTPS login page" % sport)
            try:
                socket.create_connection(("127.0.0.1", http_port), timeout=1).close()
                listening = True
            except OSError:
                listening = False
            expect(not listening, "-w 0: no HTTP listener")
    except RuntimeError as e:
        n.stop()                # Node.__enter__ leaves a node that never listened
        expect(False, "-w 0 -W: %s" % str(e)[:200])


def test_bad_httpdocs():
    d = tempfile.mkdtemp(prefix="ntopng-hh-")
    p = subprocess.Popen([BIN, "-i", PCAP, "-w", "127.0.0.1:%d" % free_port(),
                          "-1", "/nonexistent", "-d", d, "-r", "127.0.0.1:1"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    shutil.rmtree(d, ignore_errors=True)
    errs = [l for l in out.splitlines() if "ERROR" in l]
    expect(p.returncode == 1, "--httpdocs-dir /nonexistent: exit status %s" % p.returncode)
    expect(len(errs) == 1 and "/nonexistent" in errs[0],
           "one error line naming the directory: %r" % errs)


def main():
    tmp = tempfile.mkdtemp(prefix="ntopng-http-hardening-")
    try:
        docs = copy_docs(tmp, with_cert=True)
        for name, fn in (("test_key_not_served", lambda: test_key_not_served(tmp, docs)),
                         ("test_cross_site", test_cross_site),
                         ("test_open_redirect", test_open_redirect),
                         ("test_many_params", test_many_params),
                         ("test_https_only", lambda: test_https_only(docs)),
                         ("test_bad_httpdocs", test_bad_httpdocs),
                         ("test_slowloris", test_slowloris)):
            print("== " + name)
            try:
                fn()
            except Exception as e:      # one broken part must not hide the others
                expect(False, "%s raised %r" % (name, e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
