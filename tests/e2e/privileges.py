#!/usr/bin/python3
"""privileges.py - seed §4.3: a node started as root becomes -U's user.

Checks, on a node reading a pcap with -F (SQLite day files) and RRDs on:
  - without -s: /proc/<pid>/status shows nobody's uid and gid on every
    line, no capability (CapEff, CapPrm), NoNewPrivs 1; the data directory
    is nobody's and the node still writes there (the day file of the pcap
    and iface.rrd appear, owned by nobody, and the writer counts no error);
  - with -s: the node stays root;
  - -U <user that does not exist>: exit 1 and one ERROR line;
  - a data directory nobody cannot reach (under a 0700 directory of root):
    exit 1 with one line that names the directory, not a later failure;
  - a system or shared sticky data directory (/var/tmp, /tmp) is refused
    before anything is written there: its tree is never given away.
Skipped (77) when not run as root, since there is nothing to drop then.
"""
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, expect  # noqa: E402


def status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()
    return out


def files_under(d):
    out = []
    for root, dirs, files in os.walk(d):
        for name in dirs + files:
            out.append(os.path.join(root, name))
    return out


def dropped():
    nobody = pwd.getpwnam("nobody")
    pcap = os.path.join(node.PCAPS, "teams.pcap")
    # run.sh's TMPDIR is 0700 root, closed to nobody: this data directory
    # lives directly under /tmp (mode 1777), as a real one would under
    # /var/tmp; the node gives it to nobody
    d = tempfile.mkdtemp(prefix="ntopng-privs-", dir="/tmp")
    try:
        dropped_in(d, nobody, pcap)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def dropped_in(d, nobody, pcap):
    # <data dir>/ssl holds the HTTPS key (read before the switch): it must
    # stay root's, or every other process of nobody could read it
    ssl = os.path.join(d, "ssl")
    os.makedirs(ssl)
    key = os.path.join(ssl, "other-key.pem")
    with open(key, "w") as f:
        f.write("not for nobody\n")
    os.chmod(key, 0o600)
    with Node(["-i", pcap, "-F", "-d", d], name="privs", keep_user=False) as n:
        st = status(n.proc.pid)
        uid = str(nobody.pw_uid)
        gid = str(nobody.pw_gid)
        expect(st["Uid"] == [uid] * 4, "Uid is nobody's on all 4 ids: %s" % st["Uid"])
        expect(st["Gid"] == [gid] * 4, "Gid is nobody's on all 4 ids: %s" % st["Gid"])
        expect(st["CapEff"] == ["0000000000000000"], "CapEff is 0: %s" % st["CapEff"])
        expect(st["CapPrm"] == ["0000000000000000"], "CapPrm is 0: %s" % st["CapPrm"])
        expect(st.get("NoNewPrivs") == ["1"], "NoNewPrivs is 1: %s" % st.get("NoNewPrivs"))
        # every thread, not only the main one (glibc applies setuid to all)
        bad = []
        for tid in os.listdir("/proc/%d/task" % n.proc.pid):
            with open("/proc/%d/task/%s/status" % (n.proc.pid, tid)) as f:
                t = f.read()
            if "CapEff:\t0000000000000000" not in t or ("Uid:\t%s" % uid) not in t:
                bad.append(tid)
        expect(not bad, "every thread runs as nobody without capabilities (bad: %s)" % bad)
        n.wait_ended()
        expect(os.stat(d).st_uid == nobody.pw_uid, "the data directory belongs to nobody")
        expect(os.stat(ssl).st_uid == 0 and os.stat(key).st_uid == 0,
               "<data dir>/ssl and the key in it stay root's")
        # RRDs are written by the writer thread, which runs as nobody now
        deadline = time.monotonic() + 10
        rrd = os.path.join(d, "interfaces", node.iface_dir(pcap), "rrd", "iface.rrd")
        while time.monotonic() < deadline and not os.path.exists(rrd):
            time.sleep(0.2)
        expect(os.path.exists(rrd) and os.stat(rrd).st_uid == nobody.pw_uid,
               "iface.rrd written, owned by nobody")
        rc = n.stop()
        expect(rc == 0, "the node exits 0 (rc %s)" % rc)
        log = n.read_log()
        expect("running as user nobody" in log, "the log says which user it runs as")
        days = [f for f in files_under(d) if f.endswith(".sqlite") and "/flows/" in f]
        expect(len(days) == 1, "one SQLite day file written: %s" % days)
        # the capture's flow risks go to the interface's alerts.sqlite
        al = [f for f in files_under(d) if f.endswith("/alerts.sqlite")]
        expect(len(al) == 1 and os.stat(al[0]).st_uid == nobody.pw_uid,
               "alerts.sqlite written, owned by nobody: %s" % al)
        rows = 0
        if days:
            expect(os.stat(days[0]).st_uid == nobody.pw_uid, "the day file belongs to nobody")
            con = sqlite3.connect(days[0])
            rows = con.execute("SELECT COUNT(*) FROM flows").fetchone()[0]
            con.close()
        expect(rows == 83, "the day file holds the pcap's 83 flows (%d)" % rows)
        expect("db errors" in log and " 0 db errors, 0 rrd errors" in log,
               "the writer reports no db or rrd error")
        roots = [f for f in files_under(d) if os.lstat(f).st_uid != nobody.pw_uid
                 and f != ssl and not f.startswith(ssl + os.sep)]
        expect(not roots, "nothing in the data directory but ssl/ belongs to root: %s"
               % roots[:5])


def kept():
    pcap = os.path.join(node.PCAPS, "teams.pcap")
    with Node(["-i", pcap, "-s"], name="privs-s", keep_user=False) as n:
        st = status(n.proc.pid)
        expect(st["Uid"] == ["0"] * 4, "-s: the node stays root: %s" % st["Uid"])


def run_fail(args):
    p = subprocess.run([node.BIN, "-w", "0", "-r", "127.0.0.1:1", "-i",
                        os.path.join(node.PCAPS, "teams.pcap")] + args,
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stderr


def refused():
    with tempfile.TemporaryDirectory(prefix="ntopng-privs-") as t:
        rc, err = run_fail(["-d", t + "/d", "-U", "no-such-user-ntopng"])
        errs = [l for l in err.splitlines() if "ERROR" in l]
        expect(rc == 1, "-U no-such-user: exit 1 (rc %d)" % rc)
        expect(len(errs) == 1 and "no-such-user-ntopng" in errs[0],
               "-U no-such-user: one ERROR line naming it: %s" % errs)
        # a shared or system directory is not given away (nothing written)
        for shared in ("/var/tmp", "/tmp"):
            before = set(os.listdir(shared))
            rc, err = run_fail(["-d", shared, "--node-id", "privs-test"])
            errs = [l for l in err.splitlines() if "ERROR" in l]
            expect(rc == 1 and len(errs) == 1 and "-d %s:" % shared in errs[0],
                   "-d %s: exit 1 with one ERROR line (rc %d): %s" % (shared, rc, errs))
            new = set(os.listdir(shared)) - before
            expect(os.stat(shared).st_uid == 0 and not [f for f in new if "kv.json" in f
                                                        or "node-id" in f],
                   "-d %s: still root's, nothing written there (%s)" % (shared, sorted(new)[:5]))
        # t is 0700 root: nobody cannot reach t/d
        os.chmod(t, 0o700)
        rc, err = run_fail(["-d", t + "/d"])
        errs = [l for l in err.splitlines() if "ERROR" in l]
        expect(rc == 1, "unreachable data dir: exit 1 (rc %d)" % rc)
        expect(len(errs) == 1 and (t + "/d") in errs[0] and "nobody" in errs[0],
               "unreachable data dir: one ERROR line naming it and the user: %s" % errs)


def main():
    if os.geteuid() != 0:
        print("skipped: not root, there are no privileges to drop")
        return 77
    dropped()
    kept()
    refused()
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
