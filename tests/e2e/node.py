"""Helpers for end-to-end tests: start a real ntopng process on a free
loopback port, call its REST API, stop it by PID.

The binary comes from $NTOPNG_BIN (tests/run.sh sets it), the shared test
data from $NTOPNG_SHARED.  Logs go to $NTOPNG_TEST_LOGS (or /tmp).

Every node is also checked when it stops (the nginx-tests rule): the test
fails when the node
  - exits with a status other than 0 (after SIGTERM/SIGINT from stop(), or
    by itself), or is killed because it did not stop within 20 s
    ($NTOPNG_STOP_TIMEOUT);
  - logs a sanitizer report (AddressSanitizer, LeakSanitizer,
    UndefinedBehaviorSanitizer, ThreadSanitizer) or a `runtime error:`
    line: never allowed;
  - logs an `ERROR:` line that the test did not declare.
A test that provokes errors on purpose declares them as regular
expressions, searched (re.search) in each ERROR line:

    with Node(args, expect_errors=[r"bad user name", r"cannot bind"]) as n:
    n.expect_error(r"connection refused")        # or later, before stop()

A node expected to exit by itself with another status says so with
Node(..., expect_exit=1); stop(signal.SIGKILL) (or any signal other than
SIGTERM/SIGINT) accepts whatever status that signal gives.  A problem is
printed as "FAIL  node <name>: ..." and appended to `failures`, and the
script's exit status is forced to 1 at exit even when the script keeps
its own list of failures.  The output of a node that a test runs itself
(subprocess) is checked the same way by check_output(what, text,
expect_errors).
"""
import atexit
import base64
import http.client
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("NTOPNG_BIN", os.path.join(REPO, "build", "ntopng"))
SHARED = os.environ.get("NTOPNG_SHARED", os.path.join(os.path.dirname(REPO), "shared"))
PCAPS = os.path.join(SHARED, "pcaps")
LOGS = os.environ.get("NTOPNG_TEST_LOGS", "/tmp")

# The checks of a test script: expect() prints each one and keeps the
# failed ones here, for the script's exit status.
failures = []


def expect(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)
    return cond


def summary():
    """Prints the outcome of the checks; the script's exit status."""
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


# How long a node may take to stop after SIGTERM (a ThreadSanitizer
# build is several times slower: tests/run.sh raises it there).
STOP_TIMEOUT = float(os.environ.get("NTOPNG_STOP_TIMEOUT", "20"))

# Lines that fail a test whatever it expects: a sanitizer's report.
SANITIZER_RE = re.compile(r"(Address|Leak|Thread|UndefinedBehavior|Memory)Sanitizer"
                          r"|runtime error:")
# Lines of the node's own log (or a sanitizer's) at level ERROR.
ERROR_RE = re.compile(r"\bERROR:")

# The problems found in nodes' exits and logs, also in `failures`; at exit
# they force the script's status to 1 (see the head of this file).
node_problems = []


def log_problems(text, expect_errors=()):
    """The lines of `text` that fail a test: every sanitizer line and every
    ERROR: line that matches none of the regular expressions in
    `expect_errors`.  For the output of a process the test ran itself."""
    pats = [re.compile(p) for p in expect_errors]
    bad = []
    for line in text.splitlines():
        if SANITIZER_RE.search(line):
            bad.append(line)
        elif ERROR_RE.search(line) and not any(p.search(line) for p in pats):
            bad.append(line)
    return bad


def check_output(what, text, expect_errors=()):
    """Fails the test (note_node_problem) for each line of `text`, the
    output of a process the test ran itself, that log_problems() finds;
    returns True when there was none."""
    bad = log_problems(text, expect_errors)
    for line in bad[:10]:
        note_node_problem("%s: %s" % (what, line.strip()[:300]))
    return not bad


def note_node_problem(what):
    """Records a problem of a node (or another process under test)."""
    print("FAIL  " + what)
    failures.append(what)
    node_problems.append(what)


def _force_failure_status():
    if node_problems:
        print("%d node problem(s): exit status forced to 1" % len(node_problems))
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)


atexit.register(_force_failure_status)


def redis_flushdb(db):
    """Empties Redis database `db` of the local server, if redis-cli is
    there (tests keep their users and preferences in their own db)."""
    if shutil.which("redis-cli"):
        subprocess.run(["redis-cli", "-n", str(db), "flushdb"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def tool_path(name, env):
    """The executable tools/<name> of the build under test: $<env>, else
    $NTOPNG_BUILD/tools, else next to the ntopng binary; None if none."""
    cands = [os.environ.get(env, "")]
    if os.environ.get("NTOPNG_BUILD"):
        cands.append(os.path.join(os.environ["NTOPNG_BUILD"], "tools", name))
    cands.append(os.path.join(os.path.dirname(BIN), "tools", name))
    for c in cands:
        if c and os.access(c, os.X_OK):
            return c
    return None


def iface_dir(name):
    """The directory of interface `name` (its -i text, or the name of
    "-i name=spec") under <data-dir>/interfaces/, as exporter/writer.c
    writer_iface_dirname() makes it: [A-Za-z0-9._-] kept, at most the last
    40 characters, no leading '.', '+' and an FNV-1a hash when anything
    changed."""
    raw = name.encode()
    keep = raw[-40:] if len(raw) > 40 else raw
    out = "".join(chr(c) if chr(c).isascii() and (chr(c).isalnum() or chr(c) in "._-")
                  else "_" for c in keep)
    if out.startswith("."):      # never a hidden directory
        out = "_" + out[1:]
    if len(raw) > 40 or out != keep.decode("latin-1") or not raw or raw[:1] == b".":
        h = 2166136261
        for c in raw:
            h = ((h ^ c) * 16777619) & 0xffffffff
        out += "+%08x" % h
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Node:
    """One ntopng process.  Use as a context manager."""

    # where its web server answers (a node in a namespace: that address);
    # a class default so that a Node made without __init__ (ops_daemon.py
    # uses only the REST helpers) has it too
    host = "127.0.0.1"

    def __init__(self, args, name="node", login=False, keep_user=True, expect_errors=(),
                 expect_exit=0, netns=None, host="127.0.0.1"):
        # netns: run it in that network namespace (ip netns exec), its web
        # server on host (an address of that namespace the test reaches)
        self.port = free_port()
        self.host = host
        self.expect_errors = list(expect_errors)
        self.expect_exit = expect_exit
        self.checked = False
        self.name = name
        self.log_path = os.path.join(LOGS, "%s-%d.log" % (name, self.port))
        self.args = [BIN, "-w", "%s:%d" % (host, self.port)] + list(args)
        # NTOPNG_EXTRA_ARGS: options every node of a test gets, e.g.
        # "--workers 2" to run a test's exact checks with helper threads
        self.args += shlex.split(os.environ.get("NTOPNG_EXTRA_ARGS", ""))
        if not login:
            self.args.append("--disable-login")
        # Started as root, a node becomes -U's user (nobody) once its inputs
        # are open; tests that are not about privileges keep root (-s), so
        # that their files under 0700 temporary directories stay reachable.
        if keep_user and not any(a in args for a in ("-s", "--dont-change-user",
                                                     "-U", "--user")):
            self.args.append("-s")
        # Isolation: unless the test says otherwise, each node gets its own
        # data directory and no Redis (the embedded store in that
        # directory), so hosts, users and preferences never leak from one
        # test into the next through a shared redis-server.
        # The data directory made here is removed when the node stops (its
        # RRD files alone can take hundreds of MB).
        self.data_dir = None
        if "-d" not in args and "--data-dir" not in args:
            self.data_dir = tempfile.mkdtemp(prefix="ntopng-%s-" % name)
            self.args += ["-d", self.data_dir]
        if "-r" not in args and "--redis" not in args:
            self.args += ["-r", "127.0.0.1:1"]
        # and no DNS query leaves the machine: the resolver (-n 0, the
        # default, names local hosts) asks a closed loopback port, unless
        # the test runs its own DNS server (docs/names.md)
        if "--dns-server" not in args:
            self.args += ["--dns-server", "127.0.0.1:1"]
        if netns is not None:
            self.args = ["ip", "netns", "exec", netns] + self.args
        self.proc = None
        self.auth = None

    def __enter__(self):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("ntopng exited with %d at start-up: %s"
                                   % (self.proc.returncode, self.read_log()[-2000:]))
            try:
                socket.create_connection((self.host, self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("ntopng did not open port %d" % self.port)

    def __exit__(self, *exc):
        self.stop()

    def expect_error(self, regex):
        """Declares an ERROR: line this test provokes on purpose."""
        self.expect_errors.append(regex)

    def stop(self, sig=signal.SIGTERM):
        """Stops the node with `sig` (if it still runs), waits for it and
        checks its exit status and log (see the head of this file);
        returns its exit status."""
        problems = []
        want = self.expect_exit        # it exited by itself
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                problems.append("did not stop within %g s of signal %d" % (STOP_TIMEOUT, sig))
            # SIGTERM/SIGINT ask for a clean stop; another signal is the
            # test killing it on purpose, whatever status that gives
            want = 0 if sig in (signal.SIGTERM, signal.SIGINT) else None
        if getattr(self, "log", None):
            self.log.close()
        if self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir = None
        if self.proc is not None and not self.checked:
            self.checked = True
            rc = self.proc.returncode
            if not problems and want is not None and rc != want:
                problems.append("exit status %d, expected %d" % (rc, want))
            bad = log_problems(self.read_log(), self.expect_errors)
            problems += ["log: " + line.strip()[:300] for line in bad[:10]]
            if len(bad) > 10:
                problems.append("log: ... %d more such lines" % (len(bad) - 10))
            for p in problems:
                note_node_problem("node %s (%s): %s" % (self.name, self.log_path, p))
        return self.proc.returncode if self.proc else None

    def read_log(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def get(self, path, params=None, headers=None, raw=False):
        url = "http://%s:%d%s" % (self.host, self.port, path)
        if params:
            url += "?" + urllib.parse.urlencode(params)
        req = urllib.request.Request(url, headers=headers or {})
        if self.auth:
            tok = base64.b64encode(("%s:%s" % self.auth).encode()).decode()
            req.add_header("Authorization", "Basic " + tok)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                body = r.read()
                status = r.status
        except urllib.error.HTTPError as e:
            body = e.read()
            status = e.code
        if raw:
            return status, body
        return status, json.loads(body) if body else None

    def http(self, method, path, params=None, body=None, headers=None):
        """One raw request that does not follow redirects; returns
        (status, {lower-case header: value}, body bytes).  A dict or list
        body is sent as JSON."""
        if params:
            path += "?" + urllib.parse.urlencode(params)
        hdrs = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        if self.auth and "Authorization" not in hdrs:
            tok = base64.b64encode(("%s:%s" % self.auth).encode()).decode()
            hdrs["Authorization"] = "Basic " + tok
        c = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            c.request(method, path, body=body, headers=hdrs)
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            c.close()

    def rest(self, endpoint, **params):
        """GET /lua/rest/v2/<endpoint>; returns rsp, asserting rc == 0."""
        status, js = self.get("/lua/rest/v2/" + endpoint, params)
        if status != 200 or js.get("rc") != 0:
            raise AssertionError("%s %r -> HTTP %d %r" % (endpoint, params, status, js))
        return js["rsp"]

    def wait_ended(self, ifid=0, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            d = self.rest("get/interface/data.lua", ifid=ifid)
            if d.get("input_ended"):
                return d
            time.sleep(0.1)
        raise AssertionError("interface %d did not finish reading in %ds" % (ifid, timeout))


def reference():
    """REFERENCE.tsv as {file: row dict}."""
    rows = {}
    with open(os.path.join(PCAPS, "REFERENCE.tsv")) as f:
        header = None
        for line in f:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if header is None:
                header = cols
                continue
            rows[cols[0]] = dict(zip(header, cols))
    return rows


def ndpi_protocols(row):
    """'DNS:1/2/217,HTTP:...' -> {name: (flows, packets, bytes)}"""
    out = {}
    for item in row["ndpi_protocols"].split(","):
        name, nums = item.rsplit(":", 1)
        fl, pk, by = (int(x) for x in nums.split("/"))
        out[name] = (fl, pk, by)
    return out


def netns_main(script, inner, failures, timeout=180):
    """The main() of a test that runs inside a network namespace of its
    own (ip netns add ntopng-test-<pid>, lo up), so that its traffic never
    leaves it: re-runs `script --inner` there, where inner() runs; returns
    the exit code (77, skipped, when namespaces cannot be made here)."""
    import sys
    if len(sys.argv) > 1 and sys.argv[1] == "--inner":
        inner()
        if failures:
            print("%d check(s) failed" % len(failures))
        return 1 if failures else 0
    ns = "ntopng-test-%d" % os.getpid()
    r = subprocess.run(["ip", "netns", "add", ns], capture_output=True, text=True)
    if r.returncode != 0:
        print("skipped: cannot create a network namespace: %s" % r.stderr.strip())
        return 77
    try:
        r = subprocess.run(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print("skipped: cannot configure the namespace: %s" % r.stderr.strip())
            return 77
        # a namespace the test adds besides (NTOPNG_TEST_NETNS + "-peer")
        # goes too, even when the inner run is killed
        r = subprocess.run(["ip", "netns", "exec", ns, "env", "NTOPNG_TEST_NETNS=" + ns,
                            sys.executable, os.path.abspath(script), "--inner"],
                           timeout=timeout)
        return r.returncode
    finally:
        subprocess.run(["ip", "netns", "del", ns + "-peer"], capture_output=True)
        subprocess.run(["ip", "netns", "del", ns])
