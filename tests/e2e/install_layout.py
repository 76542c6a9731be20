#!/usr/bin/python3
"""install_layout.py - `make install DESTDIR=...` (docs/packaging.md).

From the build under test ($NTOPNG_BUILD):
  - make install DESTDIR=<tmp> installs the binary in $(bindir), every file
    of httpdocs/ and scripts/ (httpdocs/ssl/ excepted) byte for byte under
    $(datadir)/ntopng/, the man page, and $(sysconfdir)/ntopng/ntopng.conf,
    which the installed binary reads (ntopng <conf> --dump-config), its
    commented examples too;
  - the installed binary, started from the source tree (whose httpdocs/ and
    scripts/ it must not take) without -1/-2/-3, logs the installed
    directories, serves the dashboard from the installed pages (a marker
    written into the installed copies comes back), the login page, a Lua
    page of the installed scripts and a REST answer;
  - a second make install keeps an edited ntopng.conf; make uninstall
    removes every installed file but that edited configuration.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402

SRC = os.environ.get("NTOPNG_SRC", node.REPO)
BUILD = os.environ.get("NTOPNG_BUILD", os.path.dirname(node.BIN))
PCAP = os.path.join(node.PCAPS, "teams.pcap")


def configured():
    """NTOPNG_DATADIR, _BINDIR, _SYSCONFDIR of the build (paths_config.h)."""
    out = {}
    with open(os.path.join(BUILD, "paths_config.h")) as f:
        for m in re.finditer(r'#define NTOPNG_(\w+) "([^"]*)"', f.read()):
            out[m.group(1)] = m.group(2)
    return out


def make(dest, target):
    r = subprocess.run(["make", "-s", "-C", BUILD, target, "DESTDIR=" + dest],
                       capture_output=True, text=True, timeout=600)
    expect(r.returncode == 0, "make %s DESTDIR=...: rc %d %s"
           % (target, r.returncode, r.stderr[-500:]))
    return r


def source_files():
    """httpdocs/ and scripts/ of the source tree, as relative paths."""
    files = []
    for top in ("httpdocs", "scripts"):
        for d, _dirs, names in os.walk(os.path.join(SRC, top)):
            rel = os.path.relpath(d, SRC)
            if rel == "httpdocs/ssl" or rel.startswith("httpdocs/ssl/"):
                continue
            files += [os.path.join(rel, n) for n in names
                      if not n.startswith(".") and not n.endswith("~")]
    return sorted(files)


def main():
    if not os.path.exists(os.path.join(BUILD, "Makefile")):
        print("FAIL no configured build in %s" % BUILD)
        return 1
    dirs = configured()
    tmp = tempfile.mkdtemp(prefix="install-")
    dest = os.path.join(tmp, "dest")
    make(dest, "install")
    datadir = dest + dirs["DATADIR"]
    bindir = dest + dirs["BINDIR"]
    confdir = dest + dirs["SYSCONFDIR"]
    binary = os.path.join(bindir, "ntopng")
    expect(os.access(binary, os.X_OK), "the binary is in $(bindir): %s" % binary)

    missing, differ = [], []
    for rel in source_files():
        inst = os.path.join(datadir, rel)
        if not os.path.isfile(inst):
            missing.append(rel)
        else:
            with open(os.path.join(SRC, rel), "rb") as a, open(inst, "rb") as b:
                if a.read() != b.read():
                    differ.append(rel)
    expect(not missing, "every file of httpdocs/ and scripts/ is installed "
           "(add missing ones to nobase_dist_ntopngdata_DATA in Makefile.am): %s"
           % missing[:10])
    expect(not differ, "the installed copies are the source files: %s" % differ[:10])
    expect(len(source_files()) > 40, "%d web and script files" % len(source_files()))
    expect(not os.path.exists(os.path.join(datadir, "httpdocs", "ssl")),
           "httpdocs/ssl (a private key's old place) is not installed")
    mans = [os.path.join(d, n) for d, _s, ns in os.walk(dest) for n in ns if n == "ntopng.8"]
    expect(len(mans) == 1 and "/man8/" in mans[0], "the man page is installed: %s" % mans)
    conf = os.path.join(confdir, "ntopng.conf")
    expect(os.path.isfile(conf), "the example configuration is installed: %s" % conf)
    with open(conf) as f:
        text = f.read()
    opts = [l for l in text.splitlines() if l.strip() and not l.startswith("#")]
    expect(any(l.startswith("-d=") for l in opts) and len(opts) >= 2,
           "ntopng.conf sets options (seed form -x=value): %s" % opts)
    expect(sum(1 for l in text.splitlines() if l.startswith("#")) > 10,
           "ntopng.conf is commented")
    r = subprocess.run([binary, conf, "--dump-config"], capture_output=True, text=True,
                       timeout=30)
    expect(r.returncode == 0 and "--data-dir=" in r.stdout,
           "the installed binary reads the installed ntopng.conf (rc %d): %s %s"
           % (r.returncode, r.stdout.strip()[:200], r.stderr.strip()[:200]))

    # the commented examples are valid options too
    examples = [l[2:] for l in text.splitlines() if re.match(r"# --?[A-Za-z]", l)]
    full = os.path.join(tmp, "examples.conf")
    with open(full, "w") as f:
        f.write(text + "\n".join(examples) + "\n")
    r = subprocess.run([binary, full, "--dump-config"], capture_output=True, text=True,
                       timeout=30)
    expect(len(examples) >= 5 and r.returncode == 0,
           "the %d commented examples of ntopng.conf parse (rc %d) %s"
           % (len(examples), r.returncode, r.stderr.strip()[:300]))

    # the dashboard from the installed files: marked copies come back
    mark = "install-layout-mark-%d" % os.getpid()
    for page in ("index.html", "login.html"):
        with open(os.path.join(datadir, "httpdocs", "pages", page), "a") as f:
            f.write("\n<!-- %s -->\n" % mark)
    os.chdir(SRC)   # the source tree's httpdocs/ and scripts/ right here
    node.BIN = binary
    with node.Node(["-i", PCAP], name="installed", login=True) as n:
        # the callbacks start once the interfaces run: wait for that line
        deadline = time.monotonic() + 20
        while "started:" not in n.read_log() and time.monotonic() < deadline:
            time.sleep(0.1)
        log = n.read_log()
        expect("pages from %s/httpdocs" % os.path.realpath(datadir) in log,
               "the installed binary uses the installed httpdocs")
        expect("page scripts from %s/scripts/lua" % os.path.realpath(datadir) in log,
               "the installed binary uses the installed scripts")
        expect("callbacks from %s/scripts/callbacks" % os.path.realpath(datadir) in log,
               "the installed binary uses the installed callbacks directory")
        st, body = n.get("/lua/login.lua", raw=True)
        expect(st == 200 and mark.encode() in body,
               "the login page comes from the installed pages (HTTP %d)" % st)
        n.auth = ("admin", "admin")
        st, body = n.get("/lua/index.lua", raw=True)
        expect(st == 200 and mark.encode() in body,
               "the dashboard comes from the installed pages (HTTP %d)" % st)
        st, body = n.get("/lua/examples/hello_world.lua", raw=True)
        expect(st == 200 and b'id="ex-hello"' in body,
               "a Lua page of the installed scripts runs (HTTP %d)" % st)
        st, body = n.get("/lua/rest/v2/openapi.json", raw=True)
        expect(st == 200 and b'"openapi"' in body,
               "the API document comes from the installed httpdocs/rest (HTTP %d)" % st)
        ifs = n.rest("get/ntopng/interfaces.lua")
        expect([i["ifname"] for i in ifs] == ["teams.pcap"],
               "REST answers: interfaces %s" % [i["ifname"] for i in ifs])

    # an operator's edit survives make install and make uninstall
    with open(conf, "a") as f:
        f.write("# edited\n")
    make(dest, "install")
    with open(conf) as f:
        expect(f.read().endswith("# edited\n"), "make install keeps an edited ntopng.conf")
    make(dest, "uninstall")
    left = sorted(os.path.relpath(os.path.join(d, n), dest)
                  for d, _s, ns in os.walk(dest) for n in ns)
    expect(left == [os.path.relpath(conf, dest)],
           "make uninstall removes every installed file but the edited "
           "configuration: %s" % left[:10])
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
