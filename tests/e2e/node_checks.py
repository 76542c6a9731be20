#!/usr/bin/python3
"""The test net itself: node.py fails a test whose node exits non-zero,
does not stop on SIGTERM, or logs a sanitizer report, a `runtime error:`
or an ERROR: line the test did not declare; declared errors pass.

Each case runs a small test script in a child process whose NTOPNG_BIN is
a stand-in node (this file with --fake-node): it opens the web port it is
given with -w and, on SIGTERM, prints the text and exits with the status
that the case asks for.  The child's exit status is what tests/run.sh
would see.  One more case runs the real node on a damaged capture, whose
ERROR line must be declared.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def fake_node():
    """The stand-in: -w 127.0.0.1:PORT; FAKE_LOG printed at start and at
    SIGTERM, FAKE_RC the exit status; FAKE_IGNORE_TERM=1 ignores SIGTERM."""
    args = sys.argv[2:]
    port = int(args[args.index("-w") + 1].rsplit(":", 1)[1])
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(8)
    text = os.environ.get("FAKE_LOG", "").replace("\\n", "\n")
    rc = int(os.environ.get("FAKE_RC", "0"))

    def on_term(sig, frm):
        sys.stdout.write(text)
        sys.stdout.flush()
        os._exit(rc)
    if os.environ.get("FAKE_IGNORE_TERM") == "1":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, on_term)
    print("06/Dec/2026 10:00:00 [main] INFO: fake node started", flush=True)
    while True:
        signal.pause()


CHILD = r'''
import os, sys
sys.path.insert(0, %(here)r)
import node
args = %(args)r
with node.Node(args, name="fake", **%(kw)r) as n:
    # the real node: stop it only once it has logged its ERROR line (a
    # slow build may not have reached the cut before SIGTERM)
    if %(real)r:
        import time
        deadline = time.monotonic() + 60
        while "ERROR:" not in n.read_log() and time.monotonic() < deadline:
            time.sleep(0.1)
sys.exit(node.summary())
'''


def run_case(env_extra, kw=None, args=None, real=False):
    env = dict(os.environ)
    if not real:
        fake = os.path.join(tempfile.mkdtemp(prefix="ntopng-fake-"), "ntopng")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\nexec %s %s --fake-node \"$@\"\n"
                    % (sys.executable, os.path.abspath(__file__)))
        os.chmod(fake, 0o755)
        env["NTOPNG_BIN"] = fake
    env.update(env_extra)
    code = CHILD % {"here": HERE, "args": args or [], "kw": kw or {}, "real": real}
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                       text=True, timeout=120)
    return r.returncode, r.stdout + r.stderr


def main():
    import node
    from node import expect

    asan = ("=================================================================\n"
            "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020\n"
            "SUMMARY: AddressSanitizer: heap-use-after-free webui/rest.c:99\n")
    cases = [
        ("a clean node", {}, None, 0),
        ("exit status 1 after SIGTERM", {"FAKE_RC": "1"}, None, 1),
        ("an AddressSanitizer report", {"FAKE_LOG": asan}, None, 1),
        ("a LeakSanitizer report", {"FAKE_LOG": "==1==ERROR: LeakSanitizer: detected "
                                    "memory leaks\n"}, None, 1),
        ("a UBSan runtime error", {"FAKE_LOG": "merge/tables.c:10:5: runtime error: "
                                   "signed integer overflow\n"}, None, 1),
        ("a ThreadSanitizer warning", {"FAKE_LOG": "WARNING: ThreadSanitizer: data race "
                                       "(pid=1)\n"}, None, 1),
        ("an undeclared ERROR line", {"FAKE_LOG": "06/Dec/2026 10:00:01 [if0] ERROR: "
                                      "cannot bind\n"}, None, 1),
        ("a declared ERROR line", {"FAKE_LOG": "06/Dec/2026 10:00:01 [if0] ERROR: "
                                   "cannot bind\n"}, {"expect_errors": [r"cannot bind"]}, 0),
        ("a declared ERROR line and an undeclared one",
         {"FAKE_LOG": "[if0] ERROR: cannot bind\n[if0] ERROR: out of memory\n"},
         {"expect_errors": [r"cannot bind"]}, 1),
        ("a sanitizer report even when every ERROR is declared",
         {"FAKE_LOG": asan}, {"expect_errors": [r"."]}, 1),
        ("a node that ignores SIGTERM", {"FAKE_IGNORE_TERM": "1"}, None, 1),
    ]
    for what, env, kw, want in cases:
        rc, out = run_case(env, kw)
        expect(rc == want and (want == 0 or "FAIL  node fake" in out),
               "%s: test exit %d (want %d)%s" % (what, rc, want,
                                                 "" if rc == want else ": " + out[-600:]))

    # the real node: a capture cut mid-record logs one ERROR line
    if os.path.exists(os.path.join(node.PCAPS, "teams.pcap")):
        tmp = tempfile.mkdtemp(prefix="ntopng-checks-")
        cut = os.path.join(tmp, "cut.pcap")
        with open(os.path.join(node.PCAPS, "teams.pcap"), "rb") as f:
            data = f.read()
        with open(cut, "wb") as f:
            f.write(data[:len(data) // 2])
        rc, out = run_case({}, None, ["-i", cut], real=True)
        expect(rc == 1 and "ERROR:" in out, "the real node's undeclared ERROR line "
               "fails the test (exit %d)" % rc)
        rc, out = run_case({}, {"expect_errors": [r"damaged|truncated|cut short"]},
                           ["-i", cut], real=True)
        expect(rc == 0, "declared, it passes (exit %d)%s" % (rc, "" if rc == 0 else out[-600:]))
    return node.summary()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--fake-node":
        fake_node()
    sys.exit(main())
