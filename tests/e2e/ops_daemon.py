#!/usr/bin/python3
"""ops_daemon.py - -e (daemon) and -G (pid file), issue 18.

  - `ntopng -e -G <file> ...` returns 0 once the node runs, and leaves a
    daemon: the pid in the file is alive, is neither the command nor its
    child (double fork), is in a session of its own without being its
    leader, has no controlling terminal, and has stdin, stdout and stderr
    on /dev/null; it answers REST; SIGTERM to that pid stops it and the
    pid file is gone;
  - with --log-file, stdout and stderr of the daemon are the log file,
    which holds the start-up lines;
  - a daemon whose start fails (a missing pcap) makes the command exit 1,
    with the cause on its stderr, and leaves no pid file and no process;
  - without --log-file the daemon logs to syslog: in a mount namespace of
    its own whose /dev holds the test's datagram socket as /dev/log (and
    null, zero, random, urandom), the start-up, a SIGHUP and the stop
    arrive there as "<prio>... ntopng[pid]: [role] LEVEL: text" with
    facility daemon (skipped when namespaces cannot be made here).
Only processes this test started are signalled, by the pid they wrote.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402


def base_args(port, data_dir):
    return [node.BIN, "-w", "127.0.0.1:%d" % port, "-s", "--disable-login",
            "-d", data_dir, "-r", "127.0.0.1:1", "--dns-server", "127.0.0.1:1"]


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            # a zombie is not running any more
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def stat_fields(pid):
    """(ppid, pgrp, session, tty_nr) of /proc/<pid>/stat."""
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[1]), int(rest[2]), int(rest[3]), int(rest[4])


def wait_gone(pid, timeout=node.STOP_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


class Daemon:
    """One `ntopng -e` run; stop() signals the pid of its pid file."""

    def __init__(self, extra, name):
        self.dir = tempfile.mkdtemp(prefix="ntopng-daemon-")
        self.pid_file = os.path.join(self.dir, "ntopng.pid")
        self.port = node.free_port()
        self.args = base_args(self.port, os.path.join(self.dir, "data")) + \
            ["-e", "-G", self.pid_file] + extra
        os.mkdir(os.path.join(self.dir, "data"))
        self.name = name
        self.pid = None

    def start(self):
        self.cmd = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, text=True)
        self.out, self.err = self.cmd.communicate(timeout=60)
        self.pid = read_pid(self.pid_file)
        return self.cmd.returncode

    def stop(self):
        if self.pid is not None and alive(self.pid):
            os.kill(self.pid, signal.SIGTERM)
            if not wait_gone(self.pid):
                os.kill(self.pid, signal.SIGKILL)
                expect(False, "%s: the daemon stops within %g s of SIGTERM"
                       % (self.name, node.STOP_TIMEOUT))
                wait_gone(self.pid, 5)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def rest_answers(port):
    n = node.Node.__new__(node.Node)   # only its REST helpers
    n.port = port
    n.auth = None
    try:
        d = n.rest("get/interface/data.lua", ifid=0)
    except Exception as e:  # noqa: BLE001
        print("      REST: %s" % e)
        return None
    return d


def daemon_plain(pcap):
    d = Daemon(["-i", pcap], "plain")
    try:
        rc = d.start()
        if not expect(rc == 0, "ntopng -e returns 0 once the node runs (rc %d)" % rc):
            print(d.err[-1000:])
        expect(d.pid is not None, "the pid file %s holds a pid" % d.pid_file)
        if d.pid is None:
            return
        expect(alive(d.pid), "the pid in the file (%d) is a running process" % d.pid)
        expect(d.pid != d.cmd.pid, "the daemon is not the command's process")
        ppid, pgrp, sid, tty = stat_fields(d.pid)
        expect(ppid != d.cmd.pid, "the daemon is not the command's child (ppid %d)" % ppid)
        expect(sid != os.getsid(0), "the daemon is in a session of its own (sid %d)" % sid)
        expect(sid != d.pid, "the daemon is not its session's leader (double fork)")
        expect(tty == 0, "the daemon has no controlling terminal (tty_nr %d)" % tty)
        fds = [os.readlink("/proc/%d/fd/%d" % (d.pid, i)) for i in range(3)]
        expect(fds == ["/dev/null"] * 3, "stdin, stdout, stderr are /dev/null: %s" % fds)
        with open("/proc/%d/cmdline" % d.pid, "rb") as f:
            expect(f.read().split(b"\0")[0] == node.BIN.encode(),
                   "the pid is an ntopng process")
        data = rest_answers(d.port)
        expect(data is not None and data.get("ifname") == os.path.basename(pcap),
               "the daemon answers REST (interface/data: %s)"
               % (data.get("ifname") if data else None))
        # start-up lines went to the terminal until it was ready
        node.check_output("ntopng -e (stderr)", d.err)
        expect("started" in d.err, "the start-up lines are on the command's stderr")
        os.kill(d.pid, signal.SIGTERM)
        expect(wait_gone(d.pid), "SIGTERM to the pid of the file stops the daemon")
        expect(not os.path.exists(d.pid_file), "the pid file is removed at exit")
    finally:
        d.cleanup()


def daemon_log_file(pcap):
    d = Daemon(["-i", pcap], "log-file")
    log = os.path.join(d.dir, "ntopng.log")
    d.args += ["--log-file", log]
    try:
        rc = d.start()
        expect(rc == 0 and d.pid is not None, "ntopng -e --log-file runs (rc %d)" % rc)
        if d.pid is None:
            return
        fds = [os.readlink("/proc/%d/fd/%d" % (d.pid, i)) for i in range(3)]
        expect(fds == ["/dev/null", log, log],
               "stdin is /dev/null, stdout and stderr the log file: %s" % fds)
        expect(rest_answers(d.port) is not None, "the daemon answers REST")
        with open(log) as f:
            text = f.read()
        expect("running as a daemon" in text, "the log file has the start-up lines")
        expect(d.err == "", "nothing on the command's stderr with a log file: %r"
               % d.err[-300:])
        os.kill(d.pid, signal.SIGTERM)
        expect(wait_gone(d.pid), "SIGTERM stops it")
        with open(log) as f:
            text = f.read()
        node.check_output("daemon log %s" % log, text)
        expect("STATS ifid=0" in text, "its stdout (the final STATS line) went to the log file")
        expect(not os.path.exists(d.pid_file), "the pid file is removed at exit")
    finally:
        d.cleanup()


def daemon_fails():
    d = Daemon(["-i", "/nonexistent/ntopng-test.pcap"], "fails")
    try:
        rc = d.start()
        expect(rc == 1, "a daemon that cannot start: the command exits 1 (rc %d)" % rc)
        expect("ntopng-test.pcap" in d.err and "did not start" in d.err,
               "the cause and 'did not start' are on its stderr: %r" % d.err[-400:])
        node.check_output("failed daemon", d.err, [r"ntopng-test\.pcap"])
        expect(not os.path.exists(d.pid_file), "no pid file is left")
        expect(d.pid is None or wait_gone(d.pid, 5), "no process is left")
    finally:
        d.cleanup()


def daemon_syslog(pcap):
    if os.geteuid() != 0 or not shutil.which("unshare"):
        print("note  syslog case skipped: needs root and unshare(1)")
        return
    d = Daemon(["-i", pcap], "syslog")
    dev = os.path.join(d.dir, "dev")
    os.mkdir(dev)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    got = []
    done = threading.Event()
    reader = None
    try:
        for name, minor in (("null", 3), ("zero", 5), ("random", 8), ("urandom", 9)):
            os.mknod(os.path.join(dev, name), 0o666 | 0o020000, os.makedev(1, minor))
        sock.bind(os.path.join(dev, "log"))
        # read from the start, as a syslog daemon does: a datagram socket
        # holds only net.unix.max_dgram_qlen (10) messages, and a daemon
        # whose syslog() blocks on a full one never says it runs
        sock.settimeout(0.2)

        def drain():
            while not done.is_set():
                try:
                    got.append(sock.recv(65536).decode(errors="replace"))
                except socket.timeout:
                    continue
                except OSError:
                    return
        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        # /dev of the daemon is the test's directory; the rest is shared
        d.args = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                  'mount --bind "$0" /dev && exec "$@"', dev] + d.args
        rc = d.start()
        if rc != 0 and d.pid is None and re.search(r"^(unshare|mount|sh):", d.err + d.out,
                                                   re.M):
            print("note  syslog case skipped: %s" % (d.err + d.out).strip()[-200:])
            return
        expect(rc == 0 and d.pid is not None, "ntopng -e in a namespace runs (rc %d)" % rc)
        if d.pid is None:
            return
        os.kill(d.pid, signal.SIGHUP)

        def until(pred):
            end = time.monotonic() + 10
            while not any(pred(m) for m in list(got)):
                if time.monotonic() > end:
                    return False
                time.sleep(0.05)
            return True
        until(lambda m: "SIGHUP" in m)
        os.kill(d.pid, signal.SIGTERM)
        expect(wait_gone(d.pid), "SIGTERM stops it")
        until(lambda m: "storage:" in m)   # one of the last lines
        head = re.compile(r"^<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d ntopng\[%d\]: "
                          r"\[[\w-]+\] (ERROR|WARN|INFO|DEBUG): " % d.pid)
        expect(got and all(head.match(m) for m in got),
               "every syslog message is '<prio>date ntopng[%d]: [role] LEVEL: text' "
               "(%d messages; first %r)" % (d.pid, len(got), got[:1]))
        prio = {"ERROR": 3, "WARN": 4, "INFO": 6, "DEBUG": 7}
        ok = True
        for m in got:
            mm = head.match(m)
            if mm and int(mm.group(1)) != 3 * 8 + prio[mm.group(2)]:
                ok = False
        expect(ok, "facility daemon, priority by level (INFO <30>, WARN <28>)")
        text = "\n".join(got)
        expect("running as a daemon" in text, "the start-up lines reach syslog")
        expect("SIGHUP: no configuration file to reread" in text, "so does the SIGHUP's")
        expect("flushed" in text, "and the stop's")
        node.check_output("syslog", text)
    finally:
        done.set()
        if reader is not None:
            reader.join(5)
        sock.close()
        d.cleanup()


def main():
    pcap = os.path.join(node.PCAPS, "dns.pcap")
    if not os.path.exists(pcap):
        print("skipped: %s missing" % pcap)
        return 77
    daemon_plain(pcap)
    daemon_log_file(pcap)
    daemon_fails()
    daemon_syslog(pcap)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
