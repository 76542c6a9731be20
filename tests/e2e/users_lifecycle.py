#!/usr/bin/env python3
"""Users, their credentials and their life cycle (docs/webui.md, Users):

1. Credential files are mode 0600 and stay so across rewrites: the -u
   users file (even one made 0644 by hand), <data dir>/kv.json and
   <data dir>/users.conf; API tokens are stored as SHA-256 only: the token
   shown at creation appears in clear in no file of the data directory,
   nor in the users file (issue 11 #6).
2. get/ntopng/users.lua answers upstream's shape, an object keyed by user
   name, without any password hash (#29).
3. Deleting a user removes all its keys: re-creating the name does not
   revive its old token or session; a password change (by an
   administrator, or one's own) ends the user's sessions and revokes its
   token (#5).
4. An unprivileged user may not call set/interface/historical.lua; an
   administrator's answer lists files relative to the data directory
   (#15).
5. The users file the node writes (with api_token lines) is loaded back by
   a new node on an empty store without any warning, and the token still
   works (#13).
6. With a real redis-server: after FLUSHALL, and after a restart of
   redis-server without persistence, the users (and the changed admin
   password) are back at the next lookup, and a node restarted on an
   emptied Redis keeps the changed password instead of admin/admin (#14).
"""
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import Node, PCAPS, summary  # noqa: E402
from node import expect as check  # noqa: E402
from redisd import Redis  # noqa: E402

PCAP = os.path.join(PCAPS, "teams.pcap")
API = "/lua/rest/v2/get/interface/data.lua?ifid=0"


def login(n, user, pw):
    """The login form (GET for its CSRF token, POST): the session id, or
    None."""
    n.auth = None
    st, h, page = n.http("GET", "/lua/login.lua")
    m = re.search(rb'name="csrf" id="csrf" value="([0-9a-f]{32})"', page)
    if not m:
        return None
    tok = m.group(1).decode()
    st, h, _ = n.http("POST", "/authorize.html",
                      body=urllib.parse.urlencode({"user": user, "password": pw,
                                                   "referer": "/", "csrf": tok}),
                      headers={"Content-Type": "application/x-www-form-urlencoded",
                               "Cookie": "login_csrf=" + tok})
    m = re.match(r"session=([0-9a-f]{32});", h.get("set-cookie", ""))
    return m.group(1) if m else None


def call(n, method, path, body=None, auth=None, headers=None):
    """(status, parsed JSON or None) of one REST call."""
    n.auth = auth
    st, _, data = n.http(method, path, body=body, headers=headers)
    try:
        return st, json.loads(data)
    except ValueError:
        return st, None


def ok(r):
    return r[0] == 200 and r[1] is not None and r[1].get("rc") == 0


def with_token(n, tok):
    return ok(call(n, "GET", API, headers={"Authorization": "Token " + tok}))


def with_session(n, sid):
    return ok(call(n, "GET", API, headers={"Cookie": "session=" + sid}))


def make_token(n, user, pw):
    st, js = call(n, "POST", "/lua/rest/v2/create/ntopng/api_token.lua", body={},
                  auth=(user, pw))
    return js["rsp"]["api_token"] if st == 200 and js and js["rc"] == 0 else None


def admin_post(n, path, body, pw="admin"):
    return call(n, "POST", "/lua/rest/v2/" + path, body=body, auth=("admin", pw))


def mode(path):
    """Permission bits of path, None when it does not exist."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None


def files_holding(root, needle):
    """Files under root whose bytes contain needle."""
    hits = []
    for dirpath, _, names in os.walk(root):
        for f in names:
            p = os.path.join(dirpath, f)
            try:
                with open(p, "rb") as fh:
                    if needle.encode() in fh.read():
                        hits.append(p)
            except OSError:
                pass
    return hits


def part_files_and_lifecycle(tmp):
    users = os.path.join(tmp, "users.txt")
    with open(users, "w") as f:
        f.write("user.bob.password=%s\nuser.bob.full_name=Bob\nuser.bob.group=unprivileged\n"
                % hashlib.md5(b"bobpw").hexdigest())
    os.chmod(users, 0o644)
    dd = os.path.join(tmp, "d1")
    with Node(["-i", PCAP, "-F", "-d", dd, "-u", users], name="users_lifecycle",
              login=True) as n:
        # --- 1. file modes and hashed tokens
        check(mode(users) == 0o600, "-u file found 0644 is made 0600: %s" % oct(mode(users)))
        check(ok(admin_post(n, "set/ntopng/user/add.lua",
                            {"username": "carol", "password": "c1", "full_name": "Carol"})),
              "admin adds carol")
        check(mode(users) == 0o600, "-u file after a rewrite: %s" % oct(mode(users)))
        for f in ("kv.json", "users.conf"):
            p = os.path.join(dd, f)
            check(mode(p) == 0o600, "%s is 0600: %s" % (f, mode(p) and oct(mode(p))))
        btok = make_token(n, "bob", "bobpw")
        check(btok is not None and with_token(n, btok), "bob's token works")
        check(mode(os.path.join(dd, "kv.json")) == 0o600, "kv.json 0600 after a rewrite")
        held = files_holding(dd, btok) + files_holding(users, btok)
        check(held == [], "the token is in clear in no file: %s" % held)
        with open(users) as f:
            text = f.read()
        check("user.bob.api_token=" in text, "users file holds bob's token hash")
        with open(os.path.join(dd, "kv.json")) as f:
            kv = json.load(f)
        check(btok not in json.dumps(kv) and
              len(kv["keys"].get("user.bob.api_token", "")) == 64,
              "kv.json: user.bob.api_token is a 64-hex hash")

        # --- 2. users.lua: upstream's shape, no hashes
        st, js = call(n, "GET", "/lua/rest/v2/get/ntopng/users.lua", auth=("admin", "admin"))
        rsp = js["rsp"] if js else None
        check(isinstance(rsp, dict) and sorted(rsp) == ["admin", "bob", "carol"],
              "users.lua: object keyed by name: %r" % (sorted(rsp) if isinstance(rsp, dict) else rsp))
        if isinstance(rsp, dict):
            check(rsp["bob"]["group"] == "unprivileged" and rsp["carol"]["full_name"] == "Carol"
                  and rsp["admin"]["group"] == "administrator" and
                  rsp["carol"]["username"] == "carol",
                  "users.lua entries: %r" % rsp.get("carol"))
        body = json.dumps(js)
        check("password" not in body and "argon2" not in body and "api_token" not in body,
              "users.lua shows no password or token hash")
        check(call(n, "GET", "/lua/rest/v2/get/ntopng/users.lua", auth=("bob", "bobpw"))[0] == 401,
              "users.lua refused to an unprivileged user")

        # --- 3. delete + re-create: old token and session are dead
        ctok = make_token(n, "carol", "c1")
        csid = login(n, "carol", "c1")
        check(ctok and with_token(n, ctok) and csid and with_session(n, csid),
              "carol's token and session work")
        check(ok(admin_post(n, "set/ntopng/user/delete.lua", {"username": "carol"})),
              "admin deletes carol")
        check(ok(admin_post(n, "set/ntopng/user/add.lua",
                            {"username": "carol", "password": "c2",
                             "group": "administrator"})),
              "admin re-creates carol (administrator)")
        check(not with_token(n, ctok), "old token of the deleted carol is refused")
        check(not with_session(n, csid), "old session of the deleted carol is refused")
        # admin resets carol's password: sessions and token end
        ctok2 = make_token(n, "carol", "c2")
        csid2 = login(n, "carol", "c2")
        check(ctok2 and with_token(n, ctok2) and with_session(n, csid2),
              "new carol's token and session work")
        check(ok(admin_post(n, "set/ntopng/user/password.lua",
                            {"username": "carol", "new_password": "c3"})),
              "admin resets carol's password")
        check(not with_token(n, ctok2), "token revoked by the password reset")
        check(not with_session(n, csid2), "session ended by the password reset")
        check(ok(call(n, "GET", API, auth=("carol", "c3"))), "carol's new password works")
        # one's own password, through a session with its CSRF token
        bsid = login(n, "bob", "bobpw")
        st, js = call(n, "GET", "/lua/rest/v2/get/ntopng/session.lua",
                      headers={"Cookie": "session=" + bsid})
        bcsrf = js["rsp"]["csrf"]
        check(ok(call(n, "POST", "/lua/rest/v2/set/ntopng/user/password.lua",
                      body={"old_password": "bobpw", "new_password": "bobpw2"},
                      headers={"Cookie": "session=" + bsid, "X-CSRF-Token": bcsrf})),
              "bob changes his own password in his session")
        check(not with_session(n, bsid), "bob's session ended by his password change")
        check(not with_token(n, btok), "bob's token revoked by his password change")
        btok = make_token(n, "bob", "bobpw2")
        check(btok and with_token(n, btok), "bob makes a new token")

        # --- 4. Historical: administrators only; relative paths
        now = int(time.time())
        hist = "/lua/rest/v2/set/interface/historical.lua"
        body = {"ifid": 0, "epoch_begin": now - 2 * 86400, "epoch_end": now}
        st, js = call(n, "POST", hist, body=body, auth=("bob", "bobpw2"))
        check(st == 401 and js and js["rc_str"] == "NOT_GRANTED",
              "unprivileged set/interface/historical.lua -> %d %s"
              % (st, js and js.get("rc_str")))
        st, js = call(n, "POST", hist, body=body, headers={"Authorization": "Token " + btok})
        check(st == 401, "unprivileged token, historical -> %d" % st)
        st, js = call(n, "POST", hist, body=body, auth=("admin", "admin"))
        check(st == 200 and js["rc"] == 0, "administrator loads the Historical interface")
        if st == 200:
            files = js["rsp"]["missing_files"] + js["rsp"]["files_read"] + \
                [c["file"] for c in js["rsp"]["corrupt_files"]]
            check(files and not any(f.startswith("/") or dd in f for f in files),
                  "historical file lists relative to the data dir: %s" % files[:3])
    # --- 5. the users file round trip, on an empty store (new data dir)
    dd2 = os.path.join(tmp, "d2")
    with Node(["-i", PCAP, "-d", dd2, "-u", users], name="users_lifecycle_reload",
              login=True) as n:
        check(with_token(n, btok), "bob's token works after a restart from the users file")
        check(ok(call(n, "GET", API, auth=("carol", "c3"))), "carol's password after restart")
        check(not ok(call(n, "GET", API, auth=("carol", "c1"))), "carol's first password is gone")
        log = n.read_log()
        check("bad user name or field" not in log and "bad api_token value" not in log
              and "not a user." not in log,
              "the users file the node wrote loads without warnings")
    check(mode(users) == 0o600, "-u file still 0600")

    # --- a users file of an earlier version, with a token in clear: the
    # token keeps working, the file is rewritten with its hash only
    legacy = os.path.join(tmp, "legacy.txt")
    ltok = "0123456789abcdef0123456789abcdef"
    with open(legacy, "w") as f:
        f.write("user.erin.password=%s\nuser.erin.group=unprivileged\n"
                "user.erin.api_token=%s\n" % (hashlib.md5(b"e1").hexdigest(), ltok))
    with Node(["-i", PCAP, "-u", legacy], name="users_lifecycle_legacy", login=True) as n:
        check(with_token(n, ltok), "a token in clear in an old users file still works")
        with open(legacy) as f:
            text = f.read()
        check(ltok not in text and "user.erin.api_token=" in text,
              "the old users file is rewritten without the token in clear")
        check(files_holding(n.data_dir, ltok) == [], "no clear token in the data dir")


def part_redis_flush(tmp):
    if not Redis.available():
        print("skip: no redis-server")
        return
    dd = os.path.join(tmp, "d3")
    with Redis() as r:
        args = ["-i", PCAP, "-d", dd, "-r", "127.0.0.1:%d@3" % r.port]
        # a token an earlier version stored in clear in Redis
        etok = "fedcba9876543210fedcba9876543210"
        r.cli("SET", "user.erin.password", hashlib.md5(b"e1").hexdigest(), db=3)
        r.cli("SET", "user.erin.api_token", etok, db=3)
        r.cli("HSET", "ntopng.api_tokens", etok, "erin", db=3)
        with Node(args, name="users_flush", login=True) as n:
            check(with_token(n, etok), "a token stored in clear by an earlier version works")
            raw = "\n".join(r.cli("KEYS", "*", db=3) + r.cli("HGETALL", "ntopng.api_tokens", db=3)
                            + r.cli("GET", "user.erin.api_token", db=3))
            check(etok not in raw, "... and is now stored hashed only")
            check(ok(admin_post(n, "set/ntopng/user/password.lua",
                                {"old_password": "admin", "new_password": "n3w-pw"})),
                  "admin changes the default password")
            check(ok(admin_post(n, "set/ntopng/user/add.lua",
                                {"username": "dave", "password": "d1"}, pw="n3w-pw")),
                  "admin adds dave")
            dtok = make_token(n, "dave", "d1")
            check(mode(os.path.join(dd, "users.conf")) == 0o600, "users.conf 0600")
            raw = "\n".join(r.cli("KEYS", "*", db=3) + r.cli("HGETALL", "ntopng.api_tokens", db=3))
            check(dtok and dtok not in raw, "Redis holds no token in clear")
            r.cli("FLUSHALL")
            check(r.cli("KEYS", "user.*", db=3) == [], "FLUSHALL emptied Redis")
            check(ok(call(n, "GET", API, auth=("admin", "n3w-pw"))),
                  "after FLUSHALL admin logs in with the changed password")
            check(ok(call(n, "GET", API, auth=("dave", "d1"))), "after FLUSHALL dave logs in")
            check(with_token(n, dtok), "after FLUSHALL dave's token works")
            check(not ok(call(n, "GET", API, auth=("admin", "admin"))),
                  "admin/admin still refused")
            check("user.dave.password" in r.cli("KEYS", "user.*", db=3),
                  "users written back into Redis")
            log = n.read_log()
            check("restored from" in log, "the restore is logged")
            # Redis restarted empty (no persistence): the node reconnects
            # and puts the users back at the next lookup
            r.stop()
            r.start()
            deadline = time.monotonic() + 5
            while not ok(call(n, "GET", API, auth=("admin", "n3w-pw"))) and \
                    time.monotonic() < deadline:
                time.sleep(0.3)
            check(ok(call(n, "GET", API, auth=("admin", "n3w-pw"))) and
                  ok(call(n, "GET", API, auth=("dave", "d1"))),
                  "after a Redis restart without persistence the users log in")
            check("user.admin.password" in r.cli("KEYS", "user.*", db=3),
                  "users written into the restarted Redis")
        r.cli("FLUSHALL")
        with Node(args, name="users_flush_restart", login=True) as n:
            check(ok(call(n, "GET", API, auth=("admin", "n3w-pw"))),
                  "restart on an emptied Redis: the changed admin password holds")
            check(not ok(call(n, "GET", API, auth=("admin", "admin"))),
                  "restart on an emptied Redis: no admin/admin")
            st, js = call(n, "GET", "/lua/rest/v2/get/ntopng/session.lua",
                          auth=("admin", "n3w-pw"))
            check(js and js["rsp"]["default_password"] is False, "no default-password banner")
            check(ok(call(n, "GET", API, auth=("dave", "d1"))), "dave after the restart")


def main():
    tmp = tempfile.mkdtemp(prefix="ntopng-users-")
    try:
        part_files_and_lifecycle(tmp)
        part_redis_flush(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
