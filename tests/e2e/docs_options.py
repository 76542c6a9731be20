#!/usr/bin/python3
"""docs_options.py - the option docs cannot drift from the option table.

opt_table[] in common/prefs.c is the one source of truth:
  - docs/cli.md holds, between its BEGIN/END options markers, exactly what
    `ntopng --dump-options md` prints (regenerate with
    `build/ntopng --dump-options md`, pasted over the old block);
  - man/ntopng.8 has, under OPTIONS, one .TP entry per option of the table
    (`ntopng --dump-options tsv`), in the .SS section of its topic, with
    its short letter, and "(not implemented yet)" exactly when the table
    says so; no entry for an option the table does not have.
Fails, naming each difference, when either file disagrees.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402

SRC = os.environ.get("NTOPNG_SRC", node.REPO)
BEGIN = "<!-- BEGIN options"
END = "<!-- END options -->"


def dump(kind):
    r = subprocess.run([node.BIN, "--dump-options", kind], capture_output=True,
                       text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError("--dump-options %s: rc %d %s" % (kind, r.returncode, r.stderr))
    return r.stdout


def check_md():
    gen = dump("md")
    with open(os.path.join(SRC, "docs", "cli.md")) as f:
        text = f.read()
    b = text.find(BEGIN)
    e = text.find(END)
    expect(b >= 0 and e > b, "docs/cli.md has the BEGIN/END options markers")
    if b < 0 or e < b:
        return
    committed = text[b:e + len(END)] + "\n"
    if committed != gen:
        cl = committed.splitlines()
        gl = gen.splitlines()
        for i in range(max(len(cl), len(gl))):
            c = cl[i] if i < len(cl) else "<none>"
            g = gl[i] if i < len(gl) else "<none>"
            if c != g:
                print("  first difference at line %d of the block:\n"
                      "  docs/cli.md: %s\n  generated:   %s" % (i + 1, c, g))
                break
    expect(committed == gen, "docs/cli.md's option table is `ntopng --dump-options md`")


def man_entries(path):
    """{long name: (short or None, section, body)} of the OPTIONS section."""
    with open(path) as f:
        lines = f.read().splitlines()
    out = {}
    section = None
    in_opts = False
    cur = None
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.startswith(".SH"):
            in_opts = ln.strip() == ".SH OPTIONS"
            cur = None
        elif in_opts and ln.startswith(".SS"):
            section = ln[3:].strip().strip('"')
            cur = None
        elif in_opts and ln.startswith(".TP") and i + 1 < len(lines):
            head = lines[i + 1].replace("\\-", "-")
            longs = re.findall(r"--([a-z0-9][a-z0-9-]*)", head)
            shorts = re.findall(r"(?<![-\w])-([A-Za-z0-9])(?![\w-])", head)
            if longs:
                cur = longs[0]
                out[cur] = [shorts[0] if shorts else None, section, ""]
            i += 1
        elif in_opts and cur is not None:
            out[cur][2] += ln + "\n"
        i += 1
    return out


def check_man():
    rows = [l.split("\t") for l in dump("tsv").splitlines() if l]
    man = man_entries(os.path.join(SRC, "man", "ntopng.8"))
    names = set()
    for shrt, lng, _arg, topic, impl, alias in rows:
        names.add(lng)
        if alias != "-":
            # a hidden alias: named in its main entry
            e = man.get(alias)
            expect(e is not None and lng in e[2].replace("\\-", "-"),
                   "man: --%s is mentioned in --%s's entry" % (lng, alias))
            continue
        e = man.get(lng)
        if not expect(e is not None, "man: --%s has an entry" % lng):
            continue
        want_short = None if shrt == "-" else shrt
        expect(e[0] == want_short, "man: --%s has short form %s (%s)" % (lng, want_short, e[0]))
        expect(e[1] == topic, "man: --%s is under .SS %s (%s)" % (lng, topic, e[1]))
        marked = "(not implemented yet)" in e[2]
        expect(marked == (impl == "0"), "man: --%s %s" % (
            lng, "is marked (not implemented yet)" if impl == "0"
            else "is not marked (not implemented yet)"))
    extra = sorted(set(man) - names)
    expect(not extra, "man: no entry for an option the table lacks: %s" % extra)


def main():
    check_md()
    check_man()
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
