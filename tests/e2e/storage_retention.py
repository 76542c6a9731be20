#!/usr/bin/env python3
"""The writer's daily callback (docs/storage.md, "Periodic callbacks"):
with ntopng.prefs.flows_retention_days = 30, the flow and contact day
files older than 30 days (with their -wal/-shm) are removed at start,
emptied month and year directories too, while today's file and files
whose names are not day files stay; the count shows in get/ntopng/redis.lua
(writer.days_removed) and in the log.  Files of the current layout
(<d>/interfaces/<dir>/) and of the older <d>/<ifid>/ layout both go.
Without the preference nothing is removed.  The preference is set and read through get/set/ntopng/prefs.lua.
"""
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import Node, PCAPS  # noqa: E402

failures = []
passes = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    (passes if cond else failures).append(what)


IF0 = os.path.join("interfaces", "eth9")


def touch(d, *parts, size=100):
    p = os.path.join(d, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(b"x" * size)
    return p


def layout(d, retention):
    t = time.localtime()
    today = ("%04d" % t.tm_year, "%02d" % t.tm_mon, "%02d.sqlite" % t.tm_mday)
    files = {
        "old": touch(d, IF0, "flows", "2001", "01", "01.sqlite"),
        "old_wal": touch(d, IF0, "flows", "2001", "01", "01.sqlite-wal"),
        "old_contacts": touch(d, IF0, "contacts", "2001", "01", "02.sqlite"),
        "old_if1": touch(d, "1", "flows", "2002", "12", "31.sqlite"),   # older layout
        "junk": touch(d, IF0, "flows", "2001", "02", "notes.txt"),
        "today": touch(d, IF0, "flows", *today, size=5000),
    }
    if retention is not None:
        with open(os.path.join(d, "kv.json"), "w") as f:
            json.dump({"keys": {"ntopng.prefs.flows_retention_days": str(retention)},
                       "hashes": {}}, f)
    return files


def run(retention):
    d = tempfile.mkdtemp(prefix="ntopng-retention-")
    try:
        files = layout(d, retention)
        pcap = os.path.join(PCAPS, "teams.pcap")
        with Node(["-i", pcap, "-d", d], name="storage_retention") as n:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and "writer: daily" not in n.read_log():
                time.sleep(0.1)
            w = n.rest("get/ntopng/redis.lua")["writer"]
            log = n.read_log()
            prefs = n.rest("get/ntopng/prefs.lua")
        return d, files, w, log, prefs
    except Exception:
        shutil.rmtree(d, ignore_errors=True)
        raise


def main():
    d, files, w, log, prefs = run(30)
    try:
        gone = [k for k in ("old", "old_wal", "old_contacts", "old_if1")
                if not os.path.exists(files[k])]
        check(len(gone) == 4, "retention 30: old day files removed: %s" % gone)
        check(os.path.exists(files["today"]) and os.path.exists(files["junk"]),
              "retention 30: today's file and a non-day file kept")
        check(not os.path.exists(os.path.join(d, IF0, "flows", "2001", "01")) and
              not os.path.exists(os.path.join(d, "1", "flows", "2002")) and
              os.path.isdir(os.path.join(d, IF0, "flows", "2001", "02")),
              "retention 30: emptied month/year directories removed, others kept")
        check(w.get("days_removed") == 3, "writer.days_removed = %r (want 3)" % w.get("days_removed"))
        line = [l for l in log.splitlines() if "writer: daily" in l]
        check(line and "3 older than 30 days removed" in line[0] and "1 day files" in line[0],
              "daily log line: %s" % (line[:1]))
        check(prefs.get("flows_retention_days") == 30,
              "prefs.lua shows the retention: %r" % prefs.get("flows_retention_days"))
    finally:
        shutil.rmtree(d, ignore_errors=True)

    d, files, w, log, prefs = run(None)
    try:
        check(all(os.path.exists(p) for p in files.values()),
              "no retention: every file kept")
        check(w.get("days_removed") == 0 and "0 older than 0 days removed" in log,
              "no retention: nothing removed (%r)" % w.get("days_removed"))
    finally:
        shutil.rmtree(d, ignore_errors=True)

    # the preference through REST: set, read back, bad values refused
    with Node(["-i", os.path.join(PCAPS, "teams.pcap")], name="storage_retention") as n:
        st, h, body = n.http("POST", "/lua/rest/v2/set/ntopng/prefs.lua",
                             body={"flows_retention_days": 400})
        check(st == 200 and json.loads(body)["rc"] == 0, "set retention 400 -> %d" % st)
        check(n.rest("get/ntopng/prefs.lua")["flows_retention_days"] == 400, "read back 400")
        for bad in (-1, 36501, "x"):
            st, h, body = n.http("POST", "/lua/rest/v2/set/ntopng/prefs.lua",
                                 body={"flows_retention_days": bad})
            check(json.loads(body)["rc"] != 0, "retention %r refused (%d)" % (bad, st))
        check(n.rest("get/ntopng/prefs.lua")["flows_retention_days"] == 400, "still 400")

    print("%d passed, %d failed" % (len(passes), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
