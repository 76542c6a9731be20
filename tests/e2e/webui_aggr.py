#!/usr/bin/env python3
"""webui_aggr.py - the Aggregations page (/lua/aggregated_hosts_stats.lua)
in headless Chromium, on anyconnect-vpn.pcap and windowsupdate_over_http.pcap
read with -A 1 (known answers as in aggregations.py, from tshark):
  - the menu links to it; the DNS family lists the 17 names queried, the
    most queried first (vco.pandion.viasat.com, 3 queries);
  - a click on a name shows its contacts (10.0.0.227, 3);
  - the family selector switches to HTTP hosts: 151.99.72.125 on the
    second interface;
  - no console error; screenshots aggr_dns.png, aggr_contacts.png,
    aggr_http.png.
Exit 77 when Chromium, chromedriver or python3-selenium are missing.
"""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import Node, PCAPS, expect, summary  # noqa: E402

from browser import By, browser, page, severe, shot, wait_for  # noqa: E402


def main():
    profile = tempfile.mkdtemp(prefix="ntopng-chromium-")
    d = None
    try:
        with Node(["-A", "1", "-i", os.path.join(PCAPS, "anyconnect-vpn.pcap"),
                   "-i", os.path.join(PCAPS, "windowsupdate_over_http.pcap")],
                  name="webui_aggr") as n:
            n.wait_ended(0)
            n.wait_ended(1)
            base = "http://127.0.0.1:%d" % n.port
            d = browser(profile)
            rows = page(d, base, "/lua/aggregated_hosts_stats.lua?ifid=0", "aggr_dns",
                        "#aggr-table tbody tr", lambda e: len(e) == 10)
            expect(len(rows) == 10, "first page: 10 of the 17 names (%d rows)" % len(rows))
            first = rows[0].find_elements(By.CSS_SELECTOR, "td") if rows else []
            expect(bool(first) and first[0].text == "vco.pandion.viasat.com"
                   and first[1].text == "3",
                   "most queried first: %s" % [c.text for c in first[:2]])
            menu = d.find_elements(By.CSS_SELECTOR, "#nav a.nav-link.active")
            item = d.find_elements(By.CSS_SELECTOR, "#nav a.dropdown-item.active")
            expect([m.text for m in menu] == ["Hosts"] and
                   [m.get_attribute("textContent") for m in item] == ["Aggregations"],
                   "menu: Hosts > Aggregations is active (%s %s)"
                   % ([m.text for m in menu], [m.get_attribute("textContent") for m in item]))
            info = d.find_element(By.ID, "state").text
            total = n.rest("get/aggregation/families.lua", ifid=0)["num_aggregations"]
            expect(info.startswith("%d aggregates" % total),
                   "state line says the %d aggregates of families.lua: %s" % (total, info))
            if rows:
                rows[0].find_element(By.CSS_SELECTOR, "a.nt-aggr").click()
                c = wait_for(d, "#contacts-table tbody tr")
                time.sleep(0.3)
                shot(d, "aggr_contacts")
                cells = [x.text for x in c[0].find_elements(By.CSS_SELECTOR, "td")] if c else []
                expect(cells[:3] == ["10.0.0.227", "no", "3"], "contacts: %s" % cells)
            d.get(base + "/lua/aggregated_hosts_stats.lua?ifid=1&family=http")
            h = wait_for(d, "#aggr-table tbody tr td a.nt-aggr")
            time.sleep(0.3)
            shot(d, "aggr_http")
            expect([x.text for x in h] == ["151.99.72.125"], "HTTP family on ifid 1: %s"
                   % [x.text for x in h])
            logs = severe(d)
            expect(not logs, "no console error %s" % [l["message"] for l in logs][:3])
    finally:
        if d is not None:
            d.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
