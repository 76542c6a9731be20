#!/usr/bin/python3
"""ops_affinity.py - -g <core>[,<core>...] (seed §1.2, issue 18).

  - `-g 1`: the owner thread of the interface (the task named "if0" in
    /proc/<pid>/task/*/comm) has Cpus_allowed_list 1, while the main
    thread keeps the mask the node was started with; the log says so and
    get/interface/data.lua reports cpu_affinity 1;
  - `-g 0,1` with three interfaces: if0 on 0, if1 on 1, if2 on 0 (the list
    cycles), in /proc and in REST;
  - with --workers 2 (a capture interface with an nDPI helper): `-g 1`
    puts if0 on core 1 and its helper (if0-w1) on every other core; -g
    0,1 with three interfaces puts each interface's helper off its own
    owner's core;
  - without -g: with --workers 1 cpu_affinity is -1 and the owner keeps
    the whole mask; with --workers 2 the owner keeps one core of its own
    (REST and the log say which) and the helper runs on the others;
    with one core allowed (as taskset -c 0 sets) nothing is bound;
  - a core outside the process's affinity mask, or not a number: exit 1
    with one line naming it.
Skipped (77) when fewer than two cores (0 and 1) are allowed here.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, expect  # noqa: E402


def tasks(pid):
    """{comm: Cpus_allowed_list} of the process's threads.  The first
    (oldest) of a name wins: a thread ifN starts (its pcap-reader) bears
    the name ifN until it names itself."""
    out = {}
    for tid in sorted(os.listdir("/proc/%d/task" % pid), key=int):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                comm = f.read().strip()
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                allowed = [ln.split(":", 1)[1].strip() for ln in f
                           if ln.startswith("Cpus_allowed_list:")][0]
        except (OSError, IndexError):
            continue
        out.setdefault("main" if tid == str(pid) else comm, allowed)
    return out


def owner_tasks(pid, n_ifaces):
    """tasks() once the n owner threads are there (the web server opens
    its port before they start)."""
    deadline = time.monotonic() + 20
    while True:
        t = tasks(pid)
        if all("if%d" % i in t for i in range(n_ifaces)) or time.monotonic() > deadline:
            return t
        time.sleep(0.05)


def cpu_list(cores):
    """"0-1" style of a sorted list, as the kernel writes it."""
    cores = sorted(cores)
    out, i = [], 0
    while i < len(cores):
        j = i
        while j + 1 < len(cores) and cores[j + 1] == cores[j] + 1:
            j += 1
        out.append(str(cores[i]) if i == j else "%d-%d" % (cores[i], cores[j]))
        i = j + 1
    return ",".join(out)


def main():
    allowed = os.sched_getaffinity(0)
    if not {0, 1} <= allowed:
        print("skipped: cores 0 and 1 are not both allowed here (%s)" % sorted(allowed))
        return 77
    whole = cpu_list(allowed)
    pcap = os.path.join(node.PCAPS, "dns.pcap")

    with Node(["-i", pcap, "-g", "1", "--workers", "2"], name="affinity1") as n:
        t = owner_tasks(n.proc.pid, 1)
        expect(t.get("if0") == "1", "-g 1: thread if0 has Cpus_allowed_list 1 (%s)" % t.get("if0"))
        expect(t.get("if0-w1") == cpu_list(allowed - {1}),
               "-g 1 --workers 2: the helper if0-w1 runs on %s (%s)"
               % (cpu_list(allowed - {1}), t.get("if0-w1")))
        expect(t.get("main") == whole, "the main thread keeps the node's mask %s (%s)"
               % (whole, t.get("main")))
        d = n.rest("get/interface/data.lua", ifid=0)
        expect(d.get("cpu_affinity") == 1, "interface/data cpu_affinity is 1 (%r)"
               % d.get("cpu_affinity"))
        expect("bound to CPU core 1" in n.read_log(), "the log says which core if0 is on")

    with Node(["-i", pcap, "-i", pcap, "-i", pcap, "-g", "0,1", "--workers", "2"],
              name="affinity01") as n:
        t = owner_tasks(n.proc.pid, 3)
        got = [t.get("if%d" % i) for i in range(3)]
        expect(got == ["0", "1", "0"], "-g 0,1 with 3 interfaces: if0 on 0, if1 on 1, "
               "if2 on 0 (%s)" % got)
        want = [cpu_list(allowed - {c}) for c in (0, 1, 0)]
        got = [t.get("if%d-w1" % i) for i in range(3)]
        expect(got == want, "each interface's helper runs off its owner's core: %s (%s)"
               % (want, got))
        rest = [n.rest("get/interface/data.lua", ifid=i).get("cpu_affinity") for i in range(3)]
        expect(rest == [0, 1, 0], "REST cpu_affinity of the three: %s" % rest)

    with Node(["-i", pcap, "--workers", "1"], name="affinity-none") as n:
        t = owner_tasks(n.proc.pid, 1)
        expect(t.get("if0") == whole, "without -g, --workers 1: if0 keeps the whole "
               "mask %s (%s)" % (whole, t.get("if0")))
        d = n.rest("get/interface/data.lua", ifid=0)
        expect(d.get("cpu_affinity") == -1, "without -g, --workers 1: cpu_affinity is "
               "-1 (%r)" % d.get("cpu_affinity"))

    with Node(["-i", pcap, "--workers", "2"], name="affinity-split") as n:
        t = owner_tasks(n.proc.pid, 1)
        d = n.rest("get/interface/data.lua", ifid=0)
        core = d.get("cpu_affinity")
        expect(core in allowed and t.get("if0") == str(core),
               "--workers 2: if0 keeps one core, the one REST names (%s, %r)"
               % (t.get("if0"), core))
        rest = cpu_list(allowed - {core}) if core in allowed else None
        expect(t.get("if0-w1") == rest, "--workers 2: the helper runs on the other "
               "cores %s (%s)" % (rest, t.get("if0-w1")))
        expect("thread if0 bound to CPU core %s; its helpers and readers on the other "
               "cores (--workers)" % core in n.read_log(), "the log says so")

    # one core allowed (taskset -c 0): nothing to split, nothing bound
    os.sched_setaffinity(0, {0})
    try:
        with Node(["-i", pcap, "--workers", "2"], name="affinity-one") as n:
            t = owner_tasks(n.proc.pid, 1)
            d = n.rest("get/interface/data.lua", ifid=0)
            expect(t.get("if0") == "0" and t.get("if0-w1") == "0" and
                   d.get("cpu_affinity") == -1,
                   "--workers 2 on one allowed core: if0 and its helper keep it, "
                   "cpu_affinity -1 (%s, %s, %r)"
                   % (t.get("if0"), t.get("if0-w1"), d.get("cpu_affinity")))
    finally:
        os.sched_setaffinity(0, allowed)

    # a core this process may not use (the highest the option accepts is
    # 1023; no test machine allows it), and a word
    bad = max(c for c in range(1024) if c not in allowed)
    for arg, want in ((str(bad), "CPU core %d is not one this process may run on "
                       "(allowed: %s)" % (bad, ",".join(str(c) for c in sorted(allowed)))),
                      ("0,%d" % bad, "CPU core %d is not one" % bad),
                      ("one", "invalid value 'one' for --core-affinity (-g)")):
        r = subprocess.run([node.BIN, "-i", pcap, "-g", arg, "-s", "-w", "0",
                            "-r", "127.0.0.1:1", "-d", os.environ.get("TMPDIR", "/tmp")],
                           capture_output=True, text=True, timeout=60)
        lines = r.stderr.strip().splitlines()
        expect(r.returncode == 1 and len(lines) == 1 and want in lines[0],
               "-g %s: exit 1 with one line saying '%s' (rc %d, %r)"
               % (arg, want, r.returncode, r.stderr[-300:]))
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
