#!/usr/bin/python3
"""ops_reload.py - --log-file and SIGHUP (issue 18).

A node started from a configuration file (-m 10.0.0.0/8, a users file
with user op / password "one", --log-file) reading dns.pcap, whose hosts
are 192.168.170.8, 192.168.170.20 and two 82.178.x addresses:
  - before: no local host; op:one answers REST, op:two is refused;
  - the log file is renamed (as logrotate does), the configuration file
    gets -m 192.168.170.0/24, -v and -X 1000, the users file op's new
    password "two", and the node a SIGHUP: a new log file is made and
    gets the new lines (the renamed one does not), the two 192.168.170.x
    hosts become local (num_local_hosts 2, host/data names the network),
    op:two answers and op:one is refused, and the log says that -m and
    -v were applied and that -X needs a restart;
  - a configuration file with an unknown option: the SIGHUP changes
    nothing (one ERROR line naming it, declared) and the node runs on;
  - 50 SIGHUPs in a burst: the node still answers and stops cleanly;
  - started as root without -s (it becomes nobody): the log file is given
    to nobody; after a rename and a SIGHUP in a directory nobody may not
    write to, the node warns and goes on writing to the file it has
    (skipped when not root).
"""
import base64
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def rest(port, endpoint, auth=None, **params):
    """(status, rsp or None) of a GET, redirects not followed."""
    path = "/lua/rest/v2/" + endpoint
    if params:
        path += "?" + "&".join("%s=%s" % kv for kv in params.items())
    hdrs = {"Accept": "application/json"}
    if auth:
        hdrs["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", path, headers=hdrs)
        r = c.getresponse()
        body = r.read()
    finally:
        c.close()
    if r.status != 200:
        return r.status, None
    js = json.loads(body)
    return r.status, js.get("rsp") if js.get("rc") == 0 else None


def wait_for(what, fn, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.1)


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def dropped_user(pcap):
    import pwd
    if os.geteuid() != 0:
        print("note  the -U case is skipped: not root")
        return
    nobody = pwd.getpwnam("nobody")
    # under /tmp: run.sh's TMPDIR is closed to nobody (privileges.py)
    data = tempfile.mkdtemp(prefix="ntopng-reload-data-", dir="/tmp")
    logs = tempfile.mkdtemp(prefix="ntopng-reload-logs-", dir="/tmp")
    os.chmod(logs, 0o755)            # root's: nobody cannot create files here
    log = os.path.join(logs, "n.log")
    port = node.free_port()
    proc = subprocess.Popen([node.BIN, "-i", pcap, "-w", "127.0.0.1:%d" % port,
                             "--disable-login", "-d", data, "-r", "127.0.0.1:1",
                             "--dns-server", "127.0.0.1:1", "--log-file", log],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        up = wait_for("up", lambda: "started" in read(log), 30)
        expect(up, "-U nobody with --log-file starts")
        st = os.stat(log)
        expect(st.st_uid == nobody.pw_uid, "the log file is given to nobody (uid %d)" % st.st_uid)
        os.rename(log, log + ".1")
        proc.send_signal(signal.SIGHUP)
        warned = wait_for("warn", lambda: "cannot reopen the log file" in read(log + ".1"))
        expect(warned, "the reopen fails for nobody: a warning in the file in use")
        expect(not os.path.exists(log), "no new file was made")
        expect("no configuration file to reread" in read(log + ".1"),
               "the lines after it still go to the file in use")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(node.STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        expect(proc.returncode == 0, "it exits 0 (%s)" % proc.returncode)
        node.check_output("-U node", read(log + ".1") + read(log))
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(logs, ignore_errors=True)


def main():
    pcap = os.path.join(node.PCAPS, "dns.pcap")
    if not os.path.exists(pcap):
        print("skipped: %s missing" % pcap)
        return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-reload-")
    port = node.free_port()
    conf = os.path.join(tmp, "ntopng.conf")
    users = os.path.join(tmp, "users.conf")
    log = os.path.join(tmp, "ntopng.log")
    out = os.path.join(tmp, "stdout")
    data = os.path.join(tmp, "data")
    os.mkdir(data)
    base = ["-i=%s" % pcap, "-w=127.0.0.1:%d" % port, "-s", "-d=%s" % data,
            "-r=127.0.0.1:1", "--dns-server=127.0.0.1:1", "-u=%s" % users,
            "--log-file=%s" % log]

    def write_conf(extra):
        with open(conf, "w") as f:
            f.write("# ops_reload.py\n" + "\n".join(base + extra) + "\n")

    def write_users(password):
        with open(users, "w") as f:
            f.write("user.op.password=%s\nuser.op.group=unprivileged\n"
                    "user.op.full_name=Operator\n" % md5(password))

    write_conf(["-m=10.0.0.0/8"])
    write_users("one")
    outf = open(out, "wb")
    proc = subprocess.Popen([node.BIN, conf], stdout=outf, stderr=subprocess.STDOUT)
    try:
        up = wait_for("port", lambda: proc.poll() is None and
                      socket.socket().connect_ex(("127.0.0.1", port)) == 0, 30)
        if not expect(up, "the node starts from %s" % conf):
            print(read(log)[-2000:])
            return node.summary()
        one, two = ("op", "one"), ("op", "two")
        d = wait_for("read", lambda: (rest(port, "get/interface/data.lua", one, ifid=0)[1] or
                                      {}).get("input_ended") and
                     rest(port, "get/interface/data.lua", one, ifid=0)[1], 60)
        expect(bool(d), "op:one answers REST before the reload")
        expect(d and d["num_hosts"] == 4 and d["num_local_hosts"] == 0,
               "-m 10.0.0.0/8: 4 hosts, none local (%s)"
               % ((d["num_hosts"], d["num_local_hosts"]) if d else None,))
        expect(rest(port, "get/interface/data.lua", two, ifid=0)[1] is None,
               "op:two is refused before the reload")
        h = rest(port, "get/host/data.lua", one, ifid=0, host="192.168.170.8")[1]
        expect(h is not None and h.get("localhost") is False,
               "host 192.168.170.8 is remote before (%s)" % (h and h.get("localhost")))

        # logrotate moves the file; then the new settings and the signal
        os.rename(log, log + ".1")
        write_conf(["-m=192.168.170.0/24", "-v", "-X=1000"])
        write_users("two")
        proc.send_signal(signal.SIGHUP)

        def locals_now():
            r = rest(port, "get/interface/data.lua", two, ifid=0)[1]
            return r if r and r["num_local_hosts"] == 2 else None
        d = wait_for("local", locals_now)
        expect(d is not None, "after SIGHUP: op:two answers and the two 192.168.170.x "
               "hosts are local")
        h = rest(port, "get/host/data.lua", two, ifid=0, host="192.168.170.8")[1]
        expect(h is not None and h.get("localhost") is True and
               h.get("local_network_name") == "192.168.170.0/24",
               "host 192.168.170.8 is local, in 192.168.170.0/24 (%s, %s)"
               % (h and h.get("localhost"), h and h.get("local_network_name")))
        h = rest(port, "get/host/data.lua", two, ifid=0, host="82.178.158.181@421")[1]
        expect(h is not None and h.get("localhost") is False, "82.178.158.181 stays remote")
        expect(rest(port, "get/interface/data.lua", one, ifid=0)[1] is None,
               "op:one is refused after the reload")
        new = wait_for("log", lambda: "SIGHUP: applied" in read(log) and read(log))
        expect(bool(new), "a new %s was made and gets the new lines" % log)
        expect("log file reopened" in (new or ""), "the new file says the log was reopened")
        expect("applied: --local-networks, --verbose" in (new or ""),
               "the log names what was applied (-m, -v)")
        expect("next restart: --max-num-flows" in (new or ""),
               "the log names what needs a restart (-X)")
        expect("users file %s reread" % users in (new or ""), "the users file was reread")
        old = read(log + ".1")
        expect("started" in old and "SIGHUP" not in old,
               "the renamed file has the start and none of the reload's lines")

        # a broken file changes nothing
        write_conf(["-m=10.0.0.0/8", "--no-such-option"])
        proc.send_signal(signal.SIGHUP)
        bad = wait_for("bad", lambda: "has errors: nothing changed" in read(log))
        expect(bad, "a configuration file with an error: 'nothing changed' is logged")
        expect("unknown option '--no-such-option'" in read(log),
               "the error names the option and the file")
        d = rest(port, "get/interface/data.lua", two, ifid=0)[1]
        expect(d is not None and d["num_local_hosts"] == 2,
               "the local networks stay as they were (%s)" % (d and d["num_local_hosts"]))

        # a burst of signals: the handler only sets a flag
        write_conf(["-m=192.168.170.0/24", "-v", "-X=1000"])
        for _ in range(50):
            proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        d = rest(port, "get/interface/data.lua", two, ifid=0)[1]
        expect(proc.poll() is None and d is not None and d["num_local_hosts"] == 2,
               "50 SIGHUPs in a burst: the node still answers")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(node.STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        outf.close()
    expect(proc.returncode == 0, "the node exits 0 after SIGTERM (%s)" % proc.returncode)
    text = read(log + ".1") + read(log) + read(out)
    node.check_output("reload node", text, [r"unknown option '--no-such-option'"])
    expect("STATS ifid=0" in read(out), "stdout is not the log file without -e (STATS line)")
    shutil.rmtree(tmp, ignore_errors=True)
    dropped_user(pcap)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
