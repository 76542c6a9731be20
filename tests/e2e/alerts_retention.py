#!/usr/bin/python3
"""The -F retention applies to past alerts (docs/alerts.md): with
ntopng.prefs.flows_retention_days = 3, the alert worker's daily sweep (at
start) deletes the rows of <data dir>/interfaces/<dir>/alerts.sqlite whose
tstamp_end is older than 3 days and keeps the others; the REST past list
shows what is left.  Without a retention nothing is deleted.
"""
import json
import os
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, expect  # noqa: E402

SCHEMA = ("CREATE TABLE alerts (id INTEGER PRIMARY KEY, alert_id INTEGER, ifid INTEGER, "
          "type INTEGER, severity INTEGER, entity INTEGER, entity_val TEXT, metric TEXT, "
          "value REAL, threshold REAL, peak REAL, tstamp INTEGER, tstamp_end INTEGER, "
          "msg TEXT, site_path TEXT, node_id TEXT)")


def layout(d, pcap, retention):
    idir = os.path.join(d, "interfaces", node.iface_dir(pcap))
    os.makedirs(idir)
    db = sqlite3.connect(os.path.join(idir, "alerts.sqlite"))
    db.execute(SCHEMA)
    now = int(time.time())
    for val, age in (("10.0.0.1", 10), ("10.0.0.2", 5), ("10.0.0.3", 1)):
        db.execute("INSERT INTO alerts (alert_id, ifid, type, severity, entity, entity_val, "
                   "metric, value, threshold, peak, tstamp, tstamp_end, msg, site_path, "
                   "node_id) VALUES (1, 0, 2, 4, 1, ?, 'bytes', 5, 1, 5, ?, ?, 'old', '', 'n')",
                   (val, now - age * 86400 - 60, now - age * 86400))
    db.commit()
    db.close()
    if retention is not None:
        with open(os.path.join(d, "kv.json"), "w") as f:
            json.dump({"keys": {"ntopng.prefs.flows_retention_days": str(retention)},
                       "hashes": {}}, f)


def run(retention):
    d = tempfile.mkdtemp(prefix="ntopng-alerts-ret-")
    pcap = os.path.join(node.PCAPS, "dns.pcap")
    layout(d, pcap, retention)
    with Node(["-i", pcap, "-d", d], name="alerts_retention") as n:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and retention and "alerts: daily" not in n.read_log():
            time.sleep(0.1)
        p = n.rest("get/alert/list.lua", ifid=0, status="past")
        return sorted(a["entity_val"] for a in p["data"]), n.read_log()


def main():
    if not os.path.isdir(node.PCAPS):
        print("NTOPNG_SHARED pcaps not found")
        return 77
    vals, log = run(3)
    expect(vals == ["10.0.0.3"], "retention 3 days: the 1-day-old row is kept, the 5- and "
           "10-day-old ones removed: %s" % vals)
    expect("alerts: daily: 2 past alerts older than 3 days removed" in log,
           "the sweep says so in the log")
    vals, _ = run(None)
    expect(vals == ["10.0.0.1", "10.0.0.2", "10.0.0.3"], "no retention: all kept: %s" % vals)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
