#!/usr/bin/env python3
"""webui_search.py - host names and host search in headless Chromium, on
teams.pcap with -n 2 (names from its DNS answers, no resolver):
  - the navigation bar has a search box on every page;
  - typing "config.teams" offers 52.113.194.132's name, and Enter opens
    its host page, which shows the name config.teams.microsoft.com and
    where it came from (dns);
  - a MAC typed in the box opens that host's page (192.168.1.6);
  - a text that matches nothing marks the box invalid and stays;
  - the flows page shows names and an nDPI Category column.
Screenshots: search_suggest, search_host, search_none, flows_names.
Exit 77 when Chromium, chromedriver or python3-selenium are missing.
"""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import Node, PCAPS, expect, summary  # noqa: E402

from browser import By, browser, severe, shot, wait_for  # noqa: E402

TEAMS = "52.113.194.132"


def wait_url(d, part, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end and part not in d.current_url:
        time.sleep(0.1)
    return part in d.current_url


def main():
    profile = tempfile.mkdtemp(prefix="ntopng-chromium-")
    d = None
    try:
        with Node(["-i", os.path.join(PCAPS, "teams.pcap"), "-n", "2"], name="webui_search") as n:
            n.wait_ended()
            base = "http://127.0.0.1:%d" % n.port
            mac = n.rest("get/host/data.lua", ifid=0, host="192.168.1.6")["mac"]
            d = browser(profile)
            d.get(base + "/lua/hosts_stats.lua?ifid=0")
            box = wait_for(d, "#nt-search-q")
            expect(bool(box), "the nav bar has the search box")
            box[0].send_keys("config.teams")
            opts = wait_for(d, "#nt-search-list option", lambda e: len(e) > 0)
            values = [o.get_attribute("value") for o in opts]
            shot(d, "search_suggest")
            expect("config.teams.microsoft.com" in values, "suggestions: %r" % values)
            box[0].send_keys("\n")
            expect(wait_url(d, "host_details.lua"), "Enter opens a host page: %s" % d.current_url)
            expect("host=" + TEAMS in d.current_url, "... of %s" % TEAMS)
            name = wait_for(d, "#host-name", lambda e: e[0].text != "")
            expect(name and name[0].text == "config.teams.microsoft.com",
                   "host page shows the name %r" % (name[0].text if name else None))
            expect("(from dns)" in d.find_element(By.ID, "host-info").text,
                   "host page says the name came from a DNS answer")
            shot(d, "search_host")
            # by MAC
            box = wait_for(d, "#nt-search-q")
            box[0].send_keys(mac + "\n")
            expect(wait_url(d, "host=192.168.1.6"), "a MAC opens its host: %s" % d.current_url)
            # nothing found
            box = wait_for(d, "#nt-search-q")
            box[0].send_keys("no-such-host.example\n")
            inv = wait_for(d, "#nt-search-q.is-invalid")
            expect(bool(inv) and "host=192.168.1.6" in d.current_url,
                   "no hit: the box is marked invalid, the page stays")
            shot(d, "search_none")
            # the flows page: names and the category column
            d.get(base + "/lua/flows_stats.lua?ifid=0")
            rows = wait_for(d, "table tbody tr", lambda e: len(e) > 3)
            time.sleep(0.5)
            text = d.find_element(By.TAG_NAME, "table").text
            shot(d, "flows_names")
            expect("Category" in text and "teams.microsoft.com" in text,
                   "flows page: Category column and host names")
            logs = severe(d)
            expect(not logs, "no console error %r" % [l["message"] for l in logs][:3])
            expect(bool(rows), "flows listed")
    finally:
        if d is not None:
            d.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
