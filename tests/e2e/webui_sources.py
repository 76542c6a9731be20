#!/usr/bin/env python3
"""webui_sources.py - the Interfaces page's "Sources" table in headless
Chromium, on one interface merging a pcap file, a ZMQ collector (fed by
ntopng-gen-flows) and a NetFlow collector:
  - named columns (#, Kind, Input, State, Records, Bytes, Errors), one row
    per source, with the values of get/interface/sources.lua;
  - it fits: neither the page nor the table is wider than the window
    (1400 px, as webui_browser.py), however long the input is;
  - the kind's own counters are shown on demand: a Details button opens a
    row under the source with its counters by name (decode_errors.json
    ...), and closes it again; no raw "[object Object]" anywhere.
Exit 77 when Chromium, chromedriver or python3-selenium are missing.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, PCAPS, expect  # noqa: E402

from browser import By, browser, wait_for  # noqa: E402


def main():
    gen = node.tool_path("ntopng-gen-flows", "NTOPNG_GEN_FLOWS")
    if gen is None:
        print("skipped: ntopng-gen-flows not built")
        return 77
    zport = node.free_port()
    uport = node.free_port()
    # a long path makes the Input column's case: it must not widen the table
    deep = tempfile.mkdtemp(prefix="ntopng-sources-")
    long_dir = os.path.join(deep, "a-rather-long-directory-name-for-captures-" * 3)
    os.makedirs(long_dir)
    pcap = os.path.join(long_dir, "teams.pcap")
    shutil.copy(os.path.join(PCAPS, "teams.pcap"), pcap)
    spec = "%s,tcp://127.0.0.1:%dc,netflow://127.0.0.1:%d" % (pcap, zport, uport)
    profile = tempfile.mkdtemp(prefix="ntopng-chromium-")
    d = None
    try:
        with Node(["-i", spec], name="webui_sources") as n:
            p = subprocess.run([gen, "-e", "tcp://127.0.0.1:%dc" % zport, "-n", "100",
                                "--wait-subscriber", "--wait-timeout", "10", "--linger", "5"],
                               capture_output=True, text=True, timeout=60)
            expect(p.returncode == 0, "generator sent its flows (%s)" % p.stderr.strip())
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                rest = n.rest("get/interface/sources.lua", ifid=0)
                if rest[1]["records"] == 100 and rest[0]["state"] == "ended":
                    break
                time.sleep(0.2)
            d = browser(profile)
            d.get("http://127.0.0.1:%d/lua/if_stats.lua?ifid=0" % n.port)
            rows = wait_for(d, "#sources-table tbody tr.nt-src-row", lambda e: len(e) == 3)
            time.sleep(0.5)
            expect(len(rows) == 3, "one row per source (%d)" % len(rows))
            heads = [h.text.strip() for h in d.find_elements(By.CSS_SELECTOR, "#sources-table thead th")]
            expect(heads[:7] == ["#", "Kind", "Input", "State", "Records", "Bytes", "Errors"],
                   "named columns: %s" % heads)
            if len(rows) == 3:
                cells = [[c.text.strip() for c in r.find_elements(By.TAG_NAME, "td")] for r in rows]
                expect([c[1] for c in cells] == ["pcap file", "ZMQ", "NetFlow/IPFIX"],
                       "kinds named: %s" % [c[1] for c in cells])
                expect(cells[0][4] == "{:,}".format(rest[0]["records"]) == "2,817"
                       and cells[1][4] == "100", "records as in REST: %s, %s" % (cells[0][4], cells[1][4]))
                expect(cells[0][3] == "ended" and cells[1][3] == "active", "states shown")
                full = rows[0].find_elements(By.TAG_NAME, "td")[2].get_attribute("title")
                expect(full == pcap, "the whole input is in the cell's title")
            page_w = d.execute_script("return document.documentElement.scrollWidth")
            win_w = d.execute_script("return document.documentElement.clientWidth")
            expect(page_w <= win_w, "the page is not wider than the window (%d <= %d)" % (page_w, win_w))
            tw = d.execute_script("const t = document.getElementById('sources-table');"
                                  "return [t.scrollWidth, t.parentElement.clientWidth];")
            expect(tw[0] <= tw[1], "the sources table fits its container (%d <= %d)" % tuple(tw))
            text = d.find_element(By.ID, "sources").text
            expect("[object Object]" not in text and "decode_errors" not in text,
                   "no raw field dump before details are asked for")
            detail = d.find_element(By.ID, "src-detail-1")
            expect(not detail.is_displayed(), "details hidden at first")
            btns = d.find_elements(By.CSS_SELECTOR, "button.nt-src-toggle")
            expect(len(btns) == 3, "a Details button per source")
            if len(btns) == 3:
                # out from under the fixed footer
                d.execute_script("arguments[0].scrollIntoView({block: 'center'})", btns[1])
                time.sleep(0.2)
                btns[1].click()
                time.sleep(0.3)
                dt = detail.text
                expect(detail.is_displayed() and "decode_errors.json" in dt and
                       re.search(r"messages\s+5\b", dt) is not None,
                       "Details opens the ZMQ source's counters by name: %r" % dt[:200])
                tw = d.execute_script("const t = document.getElementById('sources-table');"
                                      "return [t.scrollWidth, t.parentElement.clientWidth];")
                expect(tw[0] <= tw[1], "open details still fit (%d <= %d)" % tuple(tw))
                d.save_screenshot(os.path.join(node.LOGS, "webui_sources.png"))
                btns[1].click()
                time.sleep(0.3)
                expect(not detail.is_displayed(), "a second click closes them")
            logs = [e for e in d.get_log("browser") if e.get("level") == "SEVERE"]
            expect(not logs, "no console error %s" % [l["message"] for l in logs][:3])
    finally:
        if d is not None:
            d.quit()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(deep, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
