#!/usr/bin/env python3
"""A full disk under -F (docs/storage.md, "Flow history"): what is lost is
said, what is said to be written is there.

The data directory lives on a small tmpfs mounted for the test (root
only: exit 77 when mount is not permitted).

1. 256 KB of space, gnutella.pcap (760 flows) with -F: the day file
   fills up.  The exit line's "N flows" equals the rows the day file
   really holds, N + "M flows lost" = 760 and M > 0; the day file's
   failure is logged once with SQLite's cause plus one line counting the
   rest; the interface RRD that did not fit is reported as "No space left
   on device" (librrd says "No such file or directory").
2. No inode left when the node runs (nr_inodes): the directories of the
   day file cannot be made; the log says "No space left on device", not
   "No such file or directory", once for the file, and all 760 flows are
   counted lost.
"""
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import BIN, PCAPS, expect, summary  # noqa: E402

CAP = "gnutella.pcap"
FLOWS = 760      # flows of CAP (its STATS line)

EXIT_RE = re.compile(r"storage: .* (\d+) flows, (\d+) contacts, (\d+) flows lost, "
                     r"(\d+) contacts lost")


def mount(dirname, opts):
    os.makedirs(dirname)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", dirname],
                       capture_output=True, text=True)
    return r.returncode == 0


def umount(dirname):
    subprocess.run(["umount", dirname], capture_output=True)


def run(dd):
    p = subprocess.run([BIN, "-i", os.path.join(PCAPS, CAP), "-F", "-d", dd,
                        "-r", "127.0.0.1:1", "-w", "0", "--shutdown-when-done",
                        # -H: the capture's flow risk alerts would fill the
                        # tiny disk's alerts.sqlite first (docs/alerts.md)
                        "-H",
                        "-s"],  # stays root: the tmpfs is under run.sh's 0700 TMPDIR
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def clean(log, what):
    """No sanitizer report in a run's output."""
    bad = [l for l in log.split("\n") if "runtime error:" in l or "Sanitizer" in l]
    expect(not bad, "%s: no sanitizer report %r" % (what, bad[:2]))


def day_rows(dd):
    n = 0
    for f in glob.glob(os.path.join(dd, "interfaces", "*", "flows", "*", "*", "*.sqlite")):
        c = sqlite3.connect(f)
        n += c.execute("SELECT count(*) FROM flows").fetchone()[0]
        c.close()
    return n


def exit_counts(log):
    m = EXIT_RE.search(log)
    return tuple(int(x) for x in m.groups()) if m else None


def main():
    pcap = os.path.join(PCAPS, CAP)
    if not os.path.exists(pcap):
        print("SKIP: %s missing" % pcap)
        return 77
    tmp = tempfile.mkdtemp(prefix="ntopng-diskfull-")
    mounted = []
    try:
        small = os.path.join(tmp, "small")
        if not mount(small, "size=256k"):
            print("SKIP: cannot mount a tmpfs (needs root)")
            return 77
        mounted.append(small)

        # 1. the day file fills the disk
        dd = os.path.join(small, "d")
        rc, log = run(dd)
        expect(rc == 0, "full disk: exit status 0 (%d)" % rc)
        clean(log, "full disk")
        c = exit_counts(log)
        expect(c is not None, "full disk: the exit line counts flows written and lost")
        if c:
            written, _, lost, _ = c
            rows = day_rows(dd)
            expect(written == rows, "full disk: %d flows said written = %d rows in the "
                   "day files" % (written, rows))
            expect(lost > 0 and written + lost == FLOWS,
                   "full disk: %d written + %d lost = %d flows" % (written, lost, FLOWS))
        day = [l for l in log.split("\n") if "ERROR" in l and "/flows/" in l]
        first = [l for l in day if "more failures" not in l]
        expect(len(first) == 1 and "database or disk is full" in first[0],
               "full disk: the day file's failure logged once, with its cause: %r" % first)
        expect(len(day) <= 2 and all("more failures" in l for l in day if l not in first),
               "full disk: at most one more line for the day file, counting the rest: %r"
               % day)
        rrd = [l for l in log.split("\n") if "iface.rrd" in l and "more failures" not in l]
        expect(len(rrd) == 1 and "No space left on device" in rrd[0],
               "full disk: iface.rrd reported once as 'No space left on device': %r" % rrd)

        # 2. no inode for the directories
        tiny = os.path.join(tmp, "tiny")
        if not mount(tiny, "size=4m,nr_inodes=16"):
            expect(False, "mount a tmpfs with nr_inodes")
            return summary()
        mounted.append(tiny)
        dd = os.path.join(tiny, "d")
        os.makedirs(dd)
        with open(os.path.join(dd, "node-id"), "w") as f:
            f.write("node-diskfull\n")
        fill = os.path.join(tiny, "fill")
        os.makedirs(fill)
        i = 0
        try:
            while True:
                open(os.path.join(fill, str(i)), "w").close()
                i += 1
        except OSError:
            pass
        os.unlink(os.path.join(fill, "0"))     # one inode: the start-up probe
        rc, log = run(dd)
        expect(rc == 0, "no inode: exit status 0 (%d)" % rc)
        clean(log, "no inode")
        day = [l for l in log.split("\n") if "ERROR" in l and "/flows/" in l
               and "more failures" not in l]
        expect(len(day) == 1 and "No space left on device" in day[0],
               "no inode: the day file's directory failure says 'No space left on "
               "device', once: %r" % day)
        expect("No such file or directory" not in log,
               "no inode: no 'No such file or directory' in the log")
        c = exit_counts(log)
        expect(c is not None and c[0] == 0 and c[2] == FLOWS,
               "no inode: 0 flows written, %d lost: %r" % (FLOWS, c))
    finally:
        for m in reversed(mounted):
            umount(m)
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
