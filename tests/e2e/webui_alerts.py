#!/usr/bin/env python3
"""webui_alerts.py - the engaged alerts' badge of the nav bar and the
Alerts page in headless Chromium: a user callback (second.lua) engages two
user_script alerts through ntop.triggerAlert; every page's nav bar shows
"2 alerts" (the footer's poll of get/interface/data.lua engaged_alerts),
a link to /lua/show_alerts.lua, whose Engaged tab lists both, and whose
severity filter keeps the error one; after the callback releases them the
badge hides and the Past tab lists both (from alerts.sqlite).
Screenshots: alerts_badge, alerts_engaged, alerts_past.
Exit 77 when Chromium, chromedriver or python3-selenium are missing.
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node import Node, PCAPS, expect, summary  # noqa: E402

from browser import By, browser, severe, shot, wait_for  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

TRIGGER = ('ntop.triggerAlert("host", "10.0.0.9", "custom", "error", "one", 1)\n'
           'ntop.triggerAlert("host", "10.0.0.10", "custom", "warning", "two", 2)\n')
RELEASE = ('ntop.releaseAlert("host", "10.0.0.9", "custom")\n'
           'ntop.releaseAlert("host", "10.0.0.10", "custom")\n')


def write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def main():
    profile = tempfile.mkdtemp(prefix="ntopng-chromium-")
    tmp = tempfile.mkdtemp(prefix="webui-alerts-")
    cbd = os.path.join(tmp, "cb")
    os.makedirs(cbd)
    write(os.path.join(cbd, "second.lua"), TRIGGER)
    d = None
    try:
        with Node(["-i", os.path.join(PCAPS, "dns.pcap"), "-3", cbd], name="webui_alerts") as n:
            base = "http://127.0.0.1:%d" % n.port
            d = browser(profile)
            d.get(base + "/lua/hosts_stats.lua?ifid=0")
            b = wait_for(d, "#nt-alerts", lambda e: e[0].text == "2 alerts")
            expect(bool(b) and "d-none" not in b[0].get_attribute("class"),
                   "the nav bar shows the badge: %r" % (b[0].text if b else None))
            shot(d, "alerts_badge")
            b[0].click()
            rows = wait_for(d, "#alerts-table tbody tr", lambda e: len(e) == 2)
            expect(bool(rows) and "show_alerts.lua" in d.current_url,
                   "the badge opens the Alerts page with 2 engaged rows")
            text = d.find_element(By.ID, "alerts-table").text if rows else ""
            expect("10.0.0.9" in text and "10.0.0.10" in text and "user_script" in text and
                   "engaged" in text, "engaged rows: %r" % text[:300])
            shot(d, "alerts_engaged")
            Select(d.find_element(By.ID, "al-severity")).select_by_value("error")
            rows = wait_for(d, "#alerts-table tbody tr", lambda e: len(e) == 1)
            expect(bool(rows) and "10.0.0.9" in rows[0].text, "severity filter: error only")
            Select(d.find_element(By.ID, "al-severity")).select_by_value("")
            write(os.path.join(cbd, "second.lua"), RELEASE)
            b = wait_for(d, "#nt-alerts", lambda e: "d-none" in e[0].get_attribute("class"),
                         timeout=20)
            expect(bool(b), "released: the badge hides")
            d.find_element(By.ID, "al-tab-past").click()
            rows = wait_for(d, "#alerts-table tbody tr", lambda e: len(e) == 2 and
                            "10.0.0" in e[0].text)
            expect(bool(rows), "the Past tab lists the 2 released alerts")
            shot(d, "alerts_past")
            logs = severe(d)
            expect(not logs, "no console error %r" % [x["message"] for x in logs][:3])
    finally:
        if d is not None:
            d.quit()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
