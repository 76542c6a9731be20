#!/usr/bin/python3
"""Lua periodic callbacks (issue 13, docs/lua.md "Callbacks"): a node with
-3 on a temporary callbacks directory.

1. second.lua, which appends a line to a file of the data directory
   (io.open is allowed there), runs about once a second;
2. an edit of second.lua changes what it writes at its next run, without
   a restart;
3. a second.lua that raises an error is logged once (WARN, not per run)
   and keeps its schedule: fixed again, it writes again, and the recovery
   is logged;
4. a runaway second.lua is stopped by its budget (0.9 s) and the
   schedule goes on;
5. minute.lua runs 1 s after the minute boundary (local clock), once;
6. a node whose callbacks directory does not exist logs it once (INFO)
   and runs normally.
"""
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402

V1 = 'local f = assert(io.open("cb.txt", "a"))\nf:write("v1 " .. os.time() .. "\\n")\nf:close()\n'
V2 = V1.replace("v1", "v2")
BAD = 'error("boom number " .. 7)\n'
LOOP = 'while true do end\n'
MINUTE = 'local f = assert(io.open("minute.txt", "a"))\nf:write(os.time() .. "\\n")\nf:close()\n'


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except OSError:
        return []


def main():
    if not os.path.isdir(node.PCAPS):
        print("NTOPNG_SHARED pcaps not found")
        return 77
    tmp = tempfile.mkdtemp(prefix="lua-cb-")
    cbd = os.path.join(tmp, "callbacks")
    dd = os.path.join(tmp, "data")
    os.makedirs(cbd)
    os.makedirs(dd)
    second = os.path.join(cbd, "second.lua")
    write(second, V1)
    write(os.path.join(cbd, "minute.lua"), MINUTE)
    out = os.path.join(dd, "cb.txt")
    pcap = os.path.join(node.PCAPS, "dns.pcap")
    with node.Node(["-i", pcap, "-3", cbd, "-d", dd], name="lua-callbacks") as n:
        # --- 1. once a second
        time.sleep(4.5)
        got = lines(out)
        expect(3 <= len(got) <= 6 and all(x.startswith("v1 ") for x in got),
               "second.lua ran about once a second: %d lines in 4.5 s" % len(got))
        ts = [int(x.split()[1]) for x in got]
        expect(all(b - a <= 2 for a, b in zip(ts, ts[1:])), "no gap in the second runs: %r" % ts)
        # --- 2. an edit is picked up
        write(second, V2)
        time.sleep(2.5)
        got = lines(out)
        expect(any(x.startswith("v2 ") for x in got[-2:]), "the edit is used at the next run: %r" % got[-3:])
        # --- 3. an error is logged once, the schedule goes on
        write(second, BAD)
        time.sleep(3.5)
        log = n.read_log()
        fails = [x for x in log.splitlines() if "callback second.lua failed" in x]
        expect(len(fails) == 1 and "boom number 7" in fails[0] and "second.lua:1:" in fails[0],
               "a failing second.lua is logged once with script:line: %r" % fails)
        before = len(lines(out))
        write(second, V2)
        time.sleep(2.5)
        expect(len(lines(out)) >= before + 1, "fixed again, it writes again (%d -> %d)"
               % (before, len(lines(out))))
        expect("callback second.lua runs again without error" in n.read_log(), "the recovery is logged")
        # --- 4. a runaway callback ends at its budget
        write(second, LOOP)
        time.sleep(3.5)
        log = n.read_log()
        loops = [x for x in log.splitlines() if "callback second.lua failed" in x and "deadline" in x]
        expect(len(loops) == 1, "a runaway second.lua is stopped, logged once: %r" % loops)
        write(second, V2)
        before = len(lines(out))
        time.sleep(2.5)
        expect(len(lines(out)) >= before + 1, "and the schedule goes on (%d -> %d)"
               % (before, len(lines(out))))
        # --- 5. minute.lua, 1 s after the boundary
        now = time.time()
        wait = 60 - (now % 60) + 3
        time.sleep(wait)
        m = lines(os.path.join(dd, "minute.txt"))
        expect(len(m) >= 1 and all(int(x) % 60 in (1, 2) for x in m),
               "minute.lua ran 1 s after the minute boundary: %r" % m)
        expect(len(m) == len(set(int(x) // 60 for x in m)), "once per minute: %r" % m)
        n.auth = None
        d = n.rest("get/interface/data.lua", ifid=0)
        expect(d["packets"] == 5, "node healthy (%d packets)" % d["packets"])
    log = open(n.log_path).read()
    expect(re.search(r"callback second.lua: \d+ runs, \d+ failed", log) is not None,
           "the run counts are logged at stop")
    # --- 6. no directory
    with node.Node(["-i", pcap, "-3", os.path.join(tmp, "nowhere")], name="lua-callbacks-none") as n:
        time.sleep(1.5)
        d = n.rest("get/interface/data.lua", ifid=0)
        expect(d["packets"] == 5, "node without callbacks runs")
        log = n.read_log()
        expect(log.count("callbacks directory") == 1 and "not found: no callbacks" in log,
               "a missing callbacks directory is logged once")
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
