#!/usr/bin/python3
"""deb_package.py - the Debian package and its service (docs/packaging.md).

Builds the package once with make deb: dpkg-buildpackage -us -uc -b in
the tree make distdir makes (what the tarball carries).  Then:
  - lintian reports no error (its warnings are printed, and listed in
    docs/packaging.md);
  - the .deb holds the binary, the web pages, the Lua scripts, the man
    page, the unit, the logrotate file and the conffile
    /etc/ntopng/ntopng.conf; its Depends come from the shared libraries;
  - dpkg -i installs it: the system user ntopng, /var/lib/ntopng and
    /var/log/ntopng its own; /etc/logrotate.d/ntopng rotates a log there
    (logrotate -f); systemd-analyze verify finds nothing to say about the
    unit;
  - the service starts: with systemctl where systemd runs, otherwise as
    the unit starts it (its ExecStart, as its User= with its
    capabilities and no new privileges, through setpriv) with
    $NOTIFY_SOCKET on an abstract socket of the test: it sends READY=1,
    WATCHDOG=1, RELOADING=1 and READY=1 on SIGHUP (ExecReload), STOPPING=1, runs as ntopng with only CAP_NET_RAW,
    CAP_NET_ADMIN and CAP_NET_BIND_SERVICE, captures on lo, serves the
    installed pages and REST, keeps its files in /var/lib/ntopng;
  - dpkg -P removes it all again (user, data, configuration).
Needs root (dpkg -i); an ntopng package installed before the test is left
alone (skip).  The build's wall time is printed.
"""
import fcntl
import os
import pwd
import re
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

SRC = os.environ.get("NTOPNG_SRC", node.REPO)
BUILD = os.environ.get("NTOPNG_BUILD", os.path.dirname(node.BIN))
JOBS = os.environ.get("JOBS", "1")
UNIT = "/lib/systemd/system/ntopng.service"
# <linux/capability.h>: the unit's capabilities
CAP_BITS = {"CAP_NET_BIND_SERVICE": 10, "CAP_NET_ADMIN": 12, "CAP_NET_RAW": 13}
CONF = "/etc/ntopng/ntopng.conf"


def run(cmd, timeout=900, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def installed():
    r = run(["dpkg-query", "-W", "-f=${Status}", "ntopng"])
    return r.returncode == 0 and "installed" in r.stdout and "not-installed" not in r.stdout


def dpkg(args):
    """dpkg, waiting for the lock of another dpkg/apt (up to 2 minutes)."""
    deadline = time.monotonic() + 120
    while True:
        r = run(["dpkg"] + args)
        if r.returncode == 0 or "lock" not in r.stderr or time.monotonic() > deadline:
            return r
        time.sleep(2)


def build_package(tmp):
    """make deb DEB_DIR=<tmp>: dpkg-buildpackage -us -uc -b on the tree
    make distdir makes."""
    env = dict(os.environ, DEB_BUILD_OPTIONS="noddebs parallel=%s" % JOBS)
    t0 = time.monotonic()
    r = run(["nice", "make", "-s", "-C", BUILD, "deb", "DEB_DIR=" + tmp], env=env)
    wall = time.monotonic() - t0
    print("make deb (dpkg-buildpackage -us -uc -b): %.0f s wall" % wall)
    debs = [f for f in os.listdir(tmp) if re.match(r"ntopng_.*\.deb$", f)]
    if not expect(r.returncode == 0 and len(debs) == 1,
                  "dpkg-buildpackage -us -uc -b builds one ntopng .deb (rc %d): %s"
                  % (r.returncode, debs)):
        print((r.stdout + r.stderr)[-3000:])
        return None
    return os.path.join(tmp, debs[0])


def check_deb(deb):
    r = run(["lintian", "--tag-display-limit", "0", deb], timeout=600)
    errors = [l for l in r.stdout.splitlines() if l.startswith("E:")]
    for l in r.stdout.splitlines():
        print("  lintian: " + l)
    expect(not errors, "lintian: no error (%d)" % len(errors))
    r = run(["dpkg-deb", "-c", deb])
    files = set(re.sub(r"^\./", "/", l.split()[-1]) for l in r.stdout.splitlines())
    for f in ("/usr/bin/ntopng", "/usr/share/ntopng/httpdocs/pages/login.html",
              "/usr/share/ntopng/httpdocs/pages/index.html",
              "/usr/share/ntopng/scripts/lua/modules/lua_utils.lua",
              "/usr/share/man/man8/ntopng.8.gz", UNIT, "/etc/logrotate.d/ntopng", CONF):
        expect(f in files, "the package holds %s" % f)
    r = run(["dpkg-deb", "-f", deb, "Depends"])
    deps = r.stdout
    expect(all(x in deps for x in ("libpcap0.8", "libndpi", "libzmq5", "libmicrohttpd",
                                   "libluajit", "libc6")),
           "Depends from the shared libraries: %s" % deps.strip()[:300])
    tmp = tempfile.mkdtemp(prefix="ctrl-")
    run(["dpkg-deb", "-e", deb, tmp])
    with open(os.path.join(tmp, "conffiles")) as f:
        conffiles = f.read().split()
    expect(CONF in conffiles, "%s is a conffile: %s" % (CONF, conffiles))


def check_logrotate(pw):
    """The installed /etc/logrotate.d/ntopng rotates a log of
    --log-file in /var/log/ntopng (forced, with a state file of the test):
    the old one renamed, a new empty one made for the user ntopng."""
    log = "/var/log/ntopng/ntopng.log"
    st = os.stat("/var/log/ntopng")
    expect(pw is not None and st.st_uid == pw.pw_uid, "/var/log/ntopng is ntopng's")
    with open(log, "w") as f:
        f.write("a line of the node's log\n")
    if pw is not None:
        os.chown(log, pw.pw_uid, pw.pw_gid)
    state = tempfile.mktemp(prefix="logrotate-state-")
    r = run(["logrotate", "-f", "-s", state, "/etc/logrotate.d/ntopng"], timeout=60)
    rotated = os.path.exists(log + ".1")
    new = os.path.exists(log) and os.path.getsize(log) == 0
    expect(r.returncode == 0 and rotated and new and pw is not None
           and os.stat(log).st_uid == pw.pw_uid,
           "logrotate.d/ntopng rotates /var/log/ntopng/*.log (rc %d, .1 %s, new empty %s) %s"
           % (r.returncode, rotated, new, r.stderr.strip()[:300]))
    if os.path.exists(state):
        os.unlink(state)


def unit_fields():
    """The [Service] settings of the installed unit: {key: [values]}."""
    out = {}
    with open(UNIT) as f:
        for line in f:
            line = line.strip()
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                out.setdefault(k, []).append(v)
    return out


def test_conf(port):
    """A copy of the installed configuration that listens on a free port,
    captures on lo and keeps its store in the data directory (no Redis:
    nothing leaks into the machine's shared Redis)."""
    with open(CONF) as f:
        lines = [l for l in f.read().splitlines() if not l.startswith("-w=")]
    lines += ["-w=127.0.0.1:%d" % port, "-i=lo", "-r=127.0.0.1:1",
              "--dns-server=127.0.0.1:1"]
    path = "/run/ntopng-test-%d.conf" % os.getpid()
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o644)
    return path


def caps_of(pid):
    with open("/proc/%d/status" % pid) as f:
        st = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
    return st


def service_by_hand(conf, port):
    """Starts ExecStart as the unit would (User=, the capabilities,
    NoNewPrivileges) with a notify socket; checks it and stops it."""
    u = unit_fields()
    expect(u.get("Type") == ["notify"], "Type=notify")
    for k, v in (("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"),
                 ("PrivateTmp", "yes"), ("ReadWritePaths", None), ("ExecReload", None)):
        expect(k in u and (v is None or u[k] == [v]), "%s=%s" % (k, u.get(k)))
    expect("/var/lib/ntopng" in " ".join(u.get("ReadWritePaths", [])),
           "ReadWritePaths holds the data directory")
    capset = u.get("CapabilityBoundingSet", [""])[0].split()
    expect(sorted(capset) == ["CAP_NET_ADMIN", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
           "CapabilityBoundingSet=%s" % capset)
    user = u["User"][0]
    exec_start = u["ExecStart"][0].split()
    expect(exec_start[1:] == [CONF], "ExecStart reads %s: %s" % (CONF, exec_start))
    # a capability this process may not hold itself (a container started
    # without it) cannot be handed on: the service then runs without it
    ours = int(caps_of(os.getpid())["CapBnd"], 16)
    ambient = [c for c in u["AmbientCapabilities"][0].split()]
    given = [c for c in ambient if ours & (1 << CAP_BITS[c])]
    if given != ambient:
        print("note: this machine's bounding set lacks %s: started without"
              % sorted(set(ambient) - set(given)))
    caps = ",".join("+" + c[4:].lower() for c in given)
    argv = ["setpriv", "--reuid=" + user, "--regid=" + u.get("Group", [user])[0],
            "--init-groups", "--inh-caps=" + caps, "--ambient-caps=" + caps,
            "--bounding-set=-all," + caps, "--no-new-privs",
            exec_start[0], conf]
    name = "ntopng-test-notify-%d" % os.getpid()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(1.0)
    env = dict(os.environ, NOTIFY_SOCKET="@" + name, WATCHDOG_USEC="1000000")
    env.pop("WATCHDOG_PID", None)
    log_path = os.path.join(node.LOGS, "deb-service-%d.log" % port)
    logf = open(log_path, "wb")
    p = subprocess.Popen(argv, env=env, stdout=logf, stderr=subprocess.STDOUT, cwd="/")
    msgs = []

    def wait_msg(what, secs):
        deadline = time.monotonic() + secs
        while time.monotonic() < deadline:
            try:
                msgs.append(sock.recv(4096).decode())
            except socket.timeout:
                if p.poll() is not None:
                    break
                continue
            if msgs[-1] == what:
                return True
        return False

    try:
        expect(wait_msg("READY=1", 60), "the service sends READY=1: %s" % msgs[-5:])
        expect(wait_msg("WATCHDOG=1", 5), "the service sends WATCHDOG=1")
        st = caps_of(p.pid)
        uid = pwd.getpwnam(user).pw_uid
        expect(st["Uid"].split()[0] == str(uid), "it runs as user %s (Uid %s)" % (user, st["Uid"].strip()))
        want = sum(1 << CAP_BITS[c] for c in given)
        expect(int(st["CapEff"], 16) == want and int(st["CapBnd"], 16) == want,
               "with only %s (eff %s, bnd %s)"
               % (" ".join(given), st["CapEff"].strip(), st["CapBnd"].strip()))
        expect(st["NoNewPrivs"].strip() == "1", "and no new privileges")
        n = node.Node([], name="deb-service")     # a REST client on that port
        n.port = port
        n.auth = ("admin", "admin")
        ifs = n.rest("get/ntopng/interfaces.lua")
        expect([i["ifname"] for i in ifs] == ["lo"], "REST answers: it captures on lo: %s"
               % [i["ifname"] for i in ifs])
        st_, body = n.get("/lua/index.lua", raw=True)
        expect(st_ == 200 and b"<html" in body.lower(), "the dashboard page answers (HTTP %d)" % st_)
        log = open(log_path, errors="replace").read()
        expect("pages from /usr/share/ntopng/httpdocs" in log, "from /usr/share/ntopng/httpdocs")
        owned = [f for f in os.listdir("/var/lib/ntopng")
                 if os.stat(os.path.join("/var/lib/ntopng", f)).st_uid == uid]
        expect("node-id" in owned, "its files are in /var/lib/ntopng, its own: %s" % owned)
        # ExecReload=/bin/kill -HUP $MAINPID: the node re-reads its
        # configuration and tells systemd (RELOADING=1, then READY=1)
        p.send_signal(signal.SIGHUP)
        expect(wait_msg("RELOADING=1", 30) and wait_msg("READY=1", 30),
               "SIGHUP (ExecReload): RELOADING=1 then READY=1: %s" % msgs[-4:])
        expect(p.poll() is None and n.rest("get/ntopng/interfaces.lua") is not None,
               "and it still runs and answers")
        p.send_signal(signal.SIGTERM)
        expect(wait_msg("STOPPING=1", 30), "SIGTERM: it sends STOPPING=1")
        rc = p.wait(60)
        expect(rc == 0, "and exits 0 (%d)" % rc)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        logf.close()
        sock.close()
    node.check_output("the service", open(log_path, errors="replace").read())


def service_systemd(conf, port):
    """systemd runs: start the unit with a drop-in pointing at the test's
    configuration, check REST, stop it."""
    dropdir = "/run/systemd/system/ntopng.service.d"
    os.makedirs(dropdir, exist_ok=True)
    drop = os.path.join(dropdir, "ntopng-test.conf")
    with open(drop, "w") as f:
        f.write("[Service]\nExecStart=\nExecStart=/usr/bin/ntopng %s\n" % conf)
    try:
        run(["systemctl", "daemon-reload"])
        r = run(["systemctl", "restart", "ntopng.service"], timeout=120)
        expect(r.returncode == 0, "systemctl restart ntopng: rc %d %s" % (r.returncode, r.stderr))
        r = run(["systemctl", "is-active", "ntopng.service"])
        expect(r.stdout.strip() == "active", "the service is active: %s" % r.stdout.strip())
        n = node.Node([], name="deb-systemd")
        n.port = port
        n.auth = ("admin", "admin")
        ifs = n.rest("get/ntopng/interfaces.lua")
        expect([i["ifname"] for i in ifs] == ["lo"], "REST answers through systemd")
        r = run(["systemctl", "stop", "ntopng.service"], timeout=120)
        expect(r.returncode == 0, "systemctl stop ntopng")
    finally:
        os.unlink(drop)
        run(["systemctl", "daemon-reload"])


def main():
    if os.geteuid() != 0:
        print("not root: dpkg -i needs root")
        return 77
    for tool in ("dpkg-buildpackage", "dh", "lintian", "setpriv", "systemd-analyze",
                 "logrotate"):
        if not shutil.which(tool):
            print("FAIL %s is missing (tools/install-deps.sh installs it)" % tool)
            return 1
    # one run at a time on a machine (dpkg, the user ntopng)
    os.makedirs("/run/lock", exist_ok=True)
    lock = open("/run/lock/ntopng-deb-test.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    if installed():
        print("an ntopng package is installed already: not touching it")
        return 77
    tmp = tempfile.mkdtemp(prefix="deb-")
    deb = build_package(tmp)
    if deb is None:
        return node.summary()
    check_deb(deb)
    conf = None
    try:
        r = dpkg(["-i", deb])
        if not expect(r.returncode == 0, "dpkg -i: rc %d %s" % (r.returncode, r.stderr[-800:])):
            return node.summary()
        try:
            pw = pwd.getpwnam("ntopng")
        except KeyError:
            pw = None
        expect(pw is not None and pw.pw_uid < 1000, "postinst made the system user ntopng")
        st = os.stat("/var/lib/ntopng")
        expect(pw is not None and st.st_uid == pw.pw_uid, "/var/lib/ntopng is ntopng's")
        check_logrotate(pw)
        args = ["systemd-analyze", "verify", UNIT]
        if not shutil.which("man"):
            args.insert(2, "--man=no")
        r = run(args, timeout=120)
        expect(r.returncode == 0 and "ntopng" not in r.stdout + r.stderr,
               "systemd-analyze verify: clean (rc %d) %s" % (r.returncode,
                                                             (r.stdout + r.stderr)[:500]))
        port = node.free_port()
        conf = test_conf(port)
        if os.path.isdir("/run/systemd/system"):
            service_systemd(conf, port)
        else:
            print("systemd does not run here: the unit's command, started as the unit would")
            service_by_hand(conf, port)
    finally:
        if conf:
            os.unlink(conf)
        r = dpkg(["-P", "ntopng"])
        expect(r.returncode == 0, "dpkg -P ntopng: rc %d %s" % (r.returncode, r.stderr[-300:]))
        gone = not installed() and not any(os.path.exists(p) for p in (
            "/var/lib/ntopng", "/var/log/ntopng", "/etc/ntopng", UNIT,
            "/etc/logrotate.d/ntopng"))
        try:
            pwd.getpwnam("ntopng")
            user_left = True
        except KeyError:
            user_left = False
        expect(gone and not user_left,
               "purged: no package, /etc/ntopng, /var/lib/ntopng, /var/log/ntopng, "
               "unit, logrotate file or user left")
        shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
