#!/usr/bin/env python3
"""webui_alerts.py - the engaged alerts' badge of the nav bar and the
Alerts page in headless Chromium: a user callback (second.lua) engages two
user_script alerts through ntop.triggerAlert; every page's nav bar shows
"2 alerts" (the footer's poll of get/interface/data.lua engaged_alerts),
a link to /lua/show_alerts.lua, whose Engaged tab lists both, and whose
severity filter keeps the error one; after the callback releases them the
badge hides and the Past tab lists both (from alerts.sqlite).
The host page's Alerts card lists the host's engaged alert and links to
the page filtered on it.
Screenshots: alerts_badge, alerts_engaged, alerts_host, alerts_past.
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

TRIGGER = ('ntop.triggerAlert("host", "192.168.170.8", "custom", "error", "one", 1)\n'
           'ntop.triggerAlert("host", "10.0.0.10", "custom", "warning", "two", 2)\n')
RELEASE = ('ntop.releaseAlert("host", "192.168.170.8", "custom")\n'
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
            expect("192.168.170.8" in text and "10.0.0.10" in text and "user_script" in text and
                   "engaged" in text, "engaged rows: %r" % text[:300])
            shot(d, "alerts_engaged")
            Select(d.find_element(By.ID, "al-severity")).select_by_value("error")
            rows = wait_for(d, "#alerts-table tbody tr", lambda e: len(e) == 1)
            expect(bool(rows) and "192.168.170.8" in rows[0].text, "severity filter: error only")
            Select(d.find_element(By.ID, "al-severity")).select_by_value("")
            # the host page's Alerts card, and its link back, filtered
            d.get(base + "/lua/host_details.lua?ifid=0&host=192.168.170.8")
            c = wait_for(d, "#host-alerts-count", lambda e: "engaged" in e[0].text)
            expect(bool(c) and c[0].text.startswith("1 engaged"),
                   "host page: %r" % (c[0].text if c else None))
            rows = d.find_elements(By.CSS_SELECTOR, "#host-alerts-table tr")
            expect(len(rows) == 1 and "error" in rows[0].text and "one" in rows[0].text,
                   "host page lists its engaged alert")
            shot(d, "alerts_host")
            d.get(c[0].find_element(By.TAG_NAME, "a").get_attribute("href"))
            rows = wait_for(d, "#alerts-table tbody tr", lambda e: len(e) == 1)
            expect(bool(rows) and "192.168.170.8" in rows[0].text and
                   d.find_element(By.ID, "al-entity-val").get_attribute("value") == "192.168.170.8",
                   "its link opens the Alerts page filtered on the host")
            # the interface page's Alerts card: every engaged alert of it
            d.get(base + "/lua/if_stats.lua?ifid=0")
            c = wait_for(d, "#if-alerts-count", lambda e: "engaged" in e[0].text)
            expect(bool(c) and c[0].text.startswith("2 engaged"),
                   "interface page: %r" % (c[0].text if c else None))
            rows = d.find_elements(By.CSS_SELECTOR, "#if-alerts-table tr")
            text = " ".join(r.text for r in rows)
            expect(len(rows) == 2 and "192.168.170.8" in text and "10.0.0.10" in text,
                   "interface page lists both engaged alerts: %r" % text[:200])
            shot(d, "alerts_interface")
            d.get(base + "/lua/show_alerts.lua?ifid=0")
            wait_for(d, "#alerts-table tbody tr", lambda e: len(e) == 2)
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
