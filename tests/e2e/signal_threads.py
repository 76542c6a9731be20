#!/usr/bin/python3
"""SIGTERM stops the node cleanly whichever of its threads the kernel
hands it to: here it is sent (tgkill) to each kind of thread in turn, the
web server's, an interface owner's and the main one.  The node must exit
0 within seconds, with a clean log; in the ThreadSanitizer build
(tests/run.sh TSAN=1) this also proves that the flag the handler sets is
no data race with the main loop that reads it.
"""
import ctypes
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402

SYS_TGKILL = 234   # x86_64


def threads(pid):
    """{tid: comm} of the process's threads that do not block SIGTERM (a
    thread that blocks it, such as ThreadSanitizer's own background
    thread, is never handed a process-directed signal)."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                comm = f.read().strip()
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                blk = [int(line.split()[1], 16) for line in f if line.startswith("SigBlk:")]
        except OSError:
            continue
        if blk and blk[0] & (1 << (signal.SIGTERM - 1)):
            continue
        out[int(tid)] = comm
    return out


def tgkill(pid, tid, sig):
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.syscall(SYS_TGKILL, pid, tid, sig)


def main():
    if os.uname().machine != "x86_64":
        print("skipped: tgkill's syscall number is x86_64's here")
        return 77
    pcap = os.path.join(node.PCAPS, "teams.pcap")
    # which thread: a predicate on (tid, comm) with the node's pid
    kinds = [
        ("a web server thread", lambda pid, tid, comm: comm.startswith("MHD")),
        ("an interface owner thread", lambda pid, tid, comm: tid != pid and
         not comm.startswith("MHD") and not comm.startswith("ZMQ")),
        ("the main thread", lambda pid, tid, comm: tid == pid),
    ]
    for what, pick in kinds:
        with node.Node(["-i", pcap], name="sigthr") as n:
            n.wait_ended()
            pid = n.proc.pid
            cands = [t for t, c in sorted(threads(pid).items()) if pick(pid, t, c)]
            if not expect(cands, "%s exists (%r)" % (what, threads(pid))):
                continue
            t0 = time.monotonic()
            expect(tgkill(pid, cands[0], signal.SIGTERM) == 0, "tgkill %s" % what)
            try:
                rc = n.proc.wait(15)
            except Exception:
                rc = None
            expect(rc == 0, "SIGTERM to %s: the node exits 0 (%r) in %.1f s"
                   % (what, rc, time.monotonic() - t0))
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
