#!/usr/bin/env python3
"""webui_db_search.py - the flows explorer /lua/db_search.lua in headless
Chromium, over the SQLite day file of teams.pcap (-F; a first node writes
it, a second serves it):
  - the page opens from the menu (Historical > Flows explorer) with the
    range given in the URL; totals, top lists and the table show what
    get/db/flows.lua answers;
  - filtering by a host and an application (typed in the form) shows the
    REST totals of that filter, the first page's rows (bytes in order)
    and the top hosts of REST;
  - page 2 shows REST's page 2; a top host's link filters by it;
  - "Load into Historical" fills the Historical interface with the
    explorer's flows and bytes;
  - a bad host shows the route's message, nothing else breaks.
Screenshots: db_search_all, db_search_filtered, db_search_page2,
db_search_bad.  No console error (but the one 400 of the bad host).
Exit 77 when Chromium, chromedriver or python3-selenium are missing.
"""
import glob
import os
import shutil
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import Node, PCAPS, expect, summary  # noqa: E402

from browser import By, browser, severe, shot, wait_for  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402

HOST = "192.168.1.6"
PROTO = "Teams"


def n_attr(d, css, attr="data-n"):
    """The element's number, or None while it is not there (or is being
    replaced: the page redraws the totals when an answer arrives)."""
    try:
        els = d.find_elements(By.CSS_SELECTOR, css)
        return int(els[0].get_attribute(attr)) if els else None
    except StaleElementReferenceException:
        return None


def wait_total(d, want, timeout=15):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if n_attr(d, "#db-total-flows") == want:
            return True
        time.sleep(0.1)
    return False


def table_bytes(d):
    # read in one script: the table is redrawn under a loop of lookups
    return d.execute_script("return Array.from(document.querySelectorAll("
                            "'#db-table tbody span[data-bytes]')).map(e => Number(e.dataset.bytes));")


def wait_bytes(d, want, timeout=15):
    end = time.monotonic() + timeout
    while time.monotonic() < end and table_bytes(d) != want:
        time.sleep(0.1)
    return table_bytes(d) == want


def main():
    pcap = os.path.join(PCAPS, "teams.pcap")
    profile = tempfile.mkdtemp(prefix="ntopng-chromium-")
    tmp = tempfile.mkdtemp(prefix="ntopng-dbsearch-")
    dd = os.path.join(tmp, "d")
    d = None
    try:
        with Node(["-i", pcap, "-F", "-d", dd], name="dbsearch-write") as n:
            n.wait_ended()
            expect(n.stop() == 0, "the writing node exits 0")
        f = glob.glob(os.path.join(dd, "interfaces", "*", "flows", "*", "*", "*.sqlite"))[0]
        c = sqlite3.connect("file:%s?mode=ro" % f, uri=True)
        first, last = c.execute("SELECT min(first_seen), max(last_seen) FROM flows").fetchone()
        c.close()
        rng = dict(ifid=0, epoch_begin=first - 60, epoch_end=last + 60)
        with Node(["-i", pcap, "-F", "-d", dd], name="dbsearch-read") as n:
            n.wait_ended()
            base = "http://127.0.0.1:%d" % n.port
            d = browser(profile)
            # from the menu
            d.get(base + "/lua/index.lua?ifid=0")
            link = wait_for(d, "#nav a[href^='/lua/db_search.lua']")
            expect(bool(link), "the menu links the flows explorer")
            d.get(base + "/lua/db_search.lua?ifid=0&epoch_begin=%d&epoch_end=%d"
                  % (rng["epoch_begin"], rng["epoch_end"]))
            all_ = n.rest("get/db/flows.lua", **rng)
            ok = wait_total(d, all_["totals"]["flows"])
            expect(ok, "unfiltered totals shown = REST (%d flows)" % all_["totals"]["flows"])
            expect(n_attr(d, "#db-total-bytes") == all_["totals"]["bytes"],
                   "bytes shown = REST (%d)" % all_["totals"]["bytes"])
            wait_bytes(d, [r["bytes"] for r in all_["data"]])
            expect(table_bytes(d) == [r["bytes"] for r in all_["data"]],
                   "first page's bytes = REST's %s" % [r["bytes"] for r in all_["data"]][:3])
            top = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#db-top-hosts-table tbody td:first-child")]
            expect(top == [h["ip"] for h in all_["top_hosts"]], "top hosts = REST %s" % top[:3])
            expect(d.find_element(By.ID, "db-site").is_enabled() and
                   not d.find_element(By.ID, "db-node").is_enabled(),
                   "site on, node off on SQLite (a ClickHouse column)")
            shot(d, "db_search_all")
            # the range into the Historical interface (administrator)
            btn = d.find_elements(By.ID, "db-hist")
            expect(bool(btn) and btn[0].is_displayed(), "a 'Load into Historical' button")
            if btn:
                btn[0].click()
            ok = wait_for(d, "#db-hist-ok")
            hist = n.rest("get/ntopng/interfaces.lua")[-1]["ifid"]
            hd = n.rest("get/interface/data.lua", ifid=hist)
            expect(bool(ok) and hd["num_flows"] == all_["totals"]["flows"] and
                   sum(f["bytes"] for f in n.rest("get/flow/active.lua", ifid=hist,
                                                  perPage=1000)["data"]) == all_["totals"]["bytes"],
                   "Historical holds the explorer's %d flows and %d bytes"
                   % (hd["num_flows"], all_["totals"]["bytes"]))

            # filter by host and application through the form
            want = n.rest("get/db/flows.lua", host=HOST, protocol=PROTO, **rng)
            d.find_element(By.ID, "db-host").send_keys(HOST)
            d.find_element(By.ID, "db-proto").send_keys(PROTO)
            d.find_element(By.ID, "db-search").click()
            ok = wait_total(d, want["totals"]["flows"])
            expect(ok and want["totals"]["flows"] < all_["totals"]["flows"],
                   "filtered totals shown = REST (%d of %d flows)"
                   % (want["totals"]["flows"], all_["totals"]["flows"]))
            expect(n_attr(d, "#db-total-bytes") == want["totals"]["bytes"],
                   "filtered bytes = REST (%d)" % want["totals"]["bytes"])
            wait_bytes(d, [r["bytes"] for r in want["data"]])
            expect(table_bytes(d) == [r["bytes"] for r in want["data"]],
                   "filtered page 1 = REST's rows")
            top = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#db-top-protos-table tbody td:first-child")]
            expect(top == [p["name"] for p in want["top_protocols"]] and
                   all(PROTO in t.split(".") for t in top),
                   "top applications = REST %s" % top)
            shot(d, "db_search_filtered")

            # page 2
            p2 = n.rest("get/db/flows.lua", host=HOST, protocol=PROTO, currentPage=2, **rng)
            links = d.find_elements(By.CSS_SELECTOR, "#db-list .pagination a[data-p='2']")
            expect(bool(links), "a link to page 2")
            if links:
                d.execute_script("arguments[0].scrollIntoView({block: 'center'});", links[0])
                time.sleep(0.2)
                links[0].click()
            wait_bytes(d, [r["bytes"] for r in p2["data"]])
            expect(table_bytes(d) == [r["bytes"] for r in p2["data"]] and p2["data"],
                   "page 2 = REST's page 2 (%d rows)" % len(p2["data"]))
            info = d.find_element(By.CSS_SELECTOR, "#db-list .nt-info").text
            expect(info.startswith("Showing 11 to"), "pager: %r" % info)
            shot(d, "db_search_page2")
            logs = severe(d)
            expect(not logs, "no console error %r" % [l["message"] for l in logs][:3])

            # a top host is a link that filters by it
            peer = [h for h in want["top_hosts"] if h["ip"] != HOST][0]
            link = d.find_elements(By.CSS_SELECTOR, "#db-top-hosts-table a[data-host='%s']" % peer["ip"])
            expect(bool(link), "top host %s is a link" % peer["ip"])
            if link:
                d.execute_script("arguments[0].scrollIntoView({block: 'center'});", link[0])
                link[0].click()
            pw = n.rest("get/db/flows.lua", host=peer["ip"], protocol=PROTO, **rng)
            ok = wait_total(d, pw["totals"]["flows"])
            expect(ok and d.find_element(By.ID, "db-host").get_attribute("value") == peer["ip"],
                   "clicking it filters by %s: %d flows = REST" % (peer["ip"], pw["totals"]["flows"]))
            d.execute_script("window.scrollTo(0, 0);")
            # a bad host: the route's message
            box = d.find_element(By.ID, "db-host")
            box.clear()
            box.send_keys("10.0.0.1' OR '1'='1\n")  # Enter submits the form
            msg = wait_for(d, "#db-msg .alert-danger")
            expect(bool(msg) and "host" in msg[0].text, "bad host: %r" %
                   (msg[0].text if msg else None))
            shot(d, "db_search_bad")
            logs = [l for l in severe(d) if "400" not in l["message"]]
            expect(not logs, "no other console error %r" % [l["message"] for l in logs][:3])
            expect(n.stop() == 0, "the node exits 0")
    finally:
        if d is not None:
            d.quit()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
