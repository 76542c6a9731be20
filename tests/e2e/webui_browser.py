#!/usr/bin/env python3
"""Web UI in headless Chromium: log in through the form, open every page
on a node loaded with teams.pcap, check that each shows its data (the
numbers are compared with the REST API), that no page logs a console
error, that missing hosts/flows/interfaces give a page saying so, and
save a screenshot of each page under $NTOPNG_TEST_LOGS/screens (or
build/test-logs/screens).  Exit 77 when Chromium, chromedriver or
python3-selenium are not installed (tools/install-deps.sh installs them).
"""
import os
import shutil
import sys
import tempfile
import time

from node import Node, PCAPS, redis_flushdb
from node import expect as check, failures

from browser import By, browser, page, severe, shot, wait_for  # noqa: E402
from browser import SCREENS  # noqa: E402

REDIS_DB = "12"


def chart_points(d, cid):
    """Non-null, non-zero points of the Chart.js chart on canvas cid."""
    return d.execute_script(
        "const c = Chart.getChart(arguments[0]); if (!c) return -1;"
        "return c.data.datasets.reduce((a, s) => a + s.data.filter(v => v).length, 0);", cid)


def ts_chart(d, name, cid, timeout=15):
    """Waits for the time-series chart cid to show data, scrolls it into
    view, takes a screenshot; returns the number of non-zero points."""
    end = time.monotonic() + timeout
    pts = -1
    while time.monotonic() < end:
        pts = chart_points(d, cid)
        if pts > 0:
            break
        time.sleep(0.2)
    d.execute_script("document.getElementById(arguments[0]).scrollIntoView({block: 'center'})", cid)
    time.sleep(0.3)
    shot(d, name)
    return pts


def rows_with_data(els):
    return len(els) > 1 or (els and "No data" not in els[0].text)


def main():
    redis_flushdb(REDIS_DB)
    pcap = os.path.join(PCAPS, "teams.pcap")
    profile = tempfile.mkdtemp(prefix="ntopng-chromium-")
    with Node(["-i", pcap, "-m", "192.168.1.0/24", "-r", "127.0.0.1:6379@" + REDIS_DB],
              name="webui_browser", login=True) as n:
        n.auth = ("admin", "admin")
        summ = n.wait_ended()
        # host and protocol series are written once a minute: wait for the
        # first snapshot after the capture was read (up to 65 s)
        deadline = time.monotonic() + 70
        while time.monotonic() < deadline:
            st, js = n.get("/lua/rest/v2/get/timeseries/ts.lua",
                           {"ifid": 0, "schema": "iface:ndpi", "protocol": "Teams",
                            "epoch_begin": int(time.time()) - 600})
            if st == 200 and js["rc"] == 0 and any(
                    v for s in js["rsp"]["series"] for v in s["data"]):
                break
            time.sleep(1)
        hosts = n.rest("get/host/active.lua", ifid=0, sortColumn="traffic",
                       sortOrder="desc", perPage=5)
        flows = n.rest("get/flow/active.lua", ifid=0, perPage=1)
        top_ip = hosts["data"][0]["ip"]
        flow_id = flows["data"][0]["hash_id"]
        base = "http://127.0.0.1:%d" % n.port
        d = browser(profile)
        try:
            # not logged in: the page sends us to the login form
            d.get(base + "/lua/hosts_stats.lua")
            check("/lua/login.lua" in d.current_url, "redirected to the login page")
            shot(d, "login")
            check(not severe(d), "login page: no console error")
            # a wrong password says so
            d.find_element(By.ID, "user").send_keys("admin")
            d.find_element(By.ID, "password").send_keys("nope")
            d.find_element(By.ID, "login").click()
            check(bool(wait_for(d, "#login-error")), "wrong password is reported")
            severe(d)
            d.find_element(By.ID, "user").send_keys("admin")
            d.find_element(By.ID, "password").send_keys("admin")
            d.find_element(By.ID, "login").click()
            # the referer survives the failed try: we land on the hosts page
            wait_for(d, "#hosts-table tbody tr")
            check("/lua/hosts_stats.lua" in d.current_url,
                  "logged in, back on the page asked first: %s" % d.current_url)
            cookie = d.get_cookie("session")
            check(cookie and cookie.get("httpOnly") and cookie.get("sameSite") == "Strict",
                  "session cookie is HttpOnly, SameSite=Strict: %r" % cookie)

            els = page(d, base, "/lua/index.lua", "dashboard", "#c-hosts",
                       lambda e: e[0].text == str(summ["num_hosts"]))
            check(bool(wait_for(d, "#c-flows", lambda e: e[0].text == str(summ["num_flows"]))),
                  "dashboard: flows = %d" % summ["num_flows"])
            check(bool(wait_for(d, "#nt-default-pw")), "dashboard: default password banner")
            check(bool(wait_for(d, "#top-hosts-table tbody tr", lambda e: len(e) == 10)),
                  "dashboard: 10 top hosts")
            check(bool(wait_for(d, "#top-flows-table tbody tr", lambda e: len(e) == 10)),
                  "dashboard: 10 top flows")
            check(bool(wait_for(d, "#nt-summary", lambda e: "hosts" in e[0].text)),
                  "footer shows the summary")
            time.sleep(2.2)
            pts = d.execute_script("return Chart.getChart('thpt').data.labels.length")
            check(pts >= 3, "dashboard: throughput chart updates every second (%d points)" % pts)

            els = page(d, base, "/lua/hosts_stats.lua", "hosts", "#hosts-table tbody tr",
                       lambda e: len(e) == 25)
            first = wait_for(d, "#hosts-table tbody tr td a")
            check(first and first[0].text == top_ip, "hosts: busiest host first (%s)" %
                  (first[0].text if first else None))
            info = d.find_element(By.CSS_SELECTOR, ".nt-info").text
            check("of %d rows" % summ["num_hosts"] in info, "hosts: %r" % info)
            # sort by IP (server side), then filter local hosts
            d.find_element(By.XPATH, "//th[contains(., 'IP address')]").click()
            time.sleep(0.5)
            d.find_element(By.CSS_SELECTOR, "select[name=mode]").send_keys("Local only")
            time.sleep(0.8)
            info = d.find_element(By.CSS_SELECTOR, ".nt-info").text
            check("of %d rows" % summ["num_local_hosts"] in info,
                  "hosts: local filter -> %r (want %d)" % (info, summ["num_local_hosts"]))
            shot(d, "hosts_local")
            d.find_element(By.CSS_SELECTOR, ".pagination")

            page(d, base, "/lua/host_details.lua?ifid=0&host=" + top_ip, "host_details",
                 "#host-flows-table tbody tr", rows_with_data)
            check(bool(wait_for(d, "#peers-table tbody tr", rows_with_data)), "host: peers listed")
            check(top_ip in d.find_element(By.ID, "host-info").text, "host: info table")
            local = n.rest("get/host/data.lua", ifid=0, host=top_ip).get("localhost")
            if local:
                pts = ts_chart(d, "host_details_ts", "host-ts")
                check(pts > 0, "host: traffic chart has data (%d points)" % pts)
            else:
                check(bool(wait_for(d, "#host-ts-none")), "host: remote, says no series")
            remote = n.rest("get/host/active.lua", ifid=0, mode="remote", perPage=1)["data"][0]["ip"]
            page(d, base, "/lua/host_details.lua?ifid=0&host=" + remote, "host_remote",
                 "#host-ts-none", lambda e: "remote" in e[0].text)

            page(d, base, "/lua/flows_stats.lua", "flows", "#flows-table tbody tr",
                 lambda e: len(e) == 25)
            page(d, base, "/lua/flow_details.lua?ifid=0&flow_key=" + flow_id, "flow_details",
                 "#flow-table tr", lambda e: len(e) > 8)
            page(d, base, "/lua/if_stats.lua", "if_stats", "#ifaces-table tbody tr")
            check(str(summ["num_hosts"]) in d.find_element(By.ID, "ifaces-table").text,
                  "interfaces: hosts count shown")
            pts = ts_chart(d, "if_stats_ts", "if-ts")
            check(pts > 0, "interfaces: traffic chart has data (%d points)" % pts)
            page(d, base, "/lua/protocols_stats.lua", "protocols", "#l7-table-t tbody tr",
                 lambda e: len(e) > 3)
            check("Teams" in d.find_element(By.ID, "l7-table-t").text, "protocols: Teams listed")
            # the share chart and the table agree, the % column adds up to 100
            pcts = d.execute_script(
                "return [...document.querySelectorAll('#l7-table-t tbody tr')]"
                ".map(r => parseFloat(r.cells[7].textContent));")
            check(abs(sum(pcts) - 100) < 0.05, "protocols: %% column adds up to 100 (%.1f)"
                  % sum(pcts))
            l7rows = n.rest("get/interface/l7/data.lua", ifid=0)
            slices = d.execute_script(
                "const c = Chart.getChart('l7-chart');"
                "return c.data.datasets[0].data.reduce((a, v) => a + v, 0);")
            check(slices == sum(r["bytes"]["total"] for r in l7rows),
                  "protocols: share chart slices add up to the table's bytes (%r)" % slices)
            pts = ts_chart(d, "protocols_ts", "l7-ts")
            proto = d.find_element(By.ID, "l7-ts-proto").get_attribute("value")
            check(pts > 0, "protocols: chart of %s has data (%d points)" % (proto, pts))
            page(d, base, "/lua/protocols_stats.lua?ifid=0&protocol=Teams", "protocols_teams",
                 "#l7-ts-proto", lambda e: e[0].get_attribute("value") == "Teams")
            pts = ts_chart(d, "protocols_teams_ts", "l7-ts")
            check(pts > 0, "protocols: ?protocol=Teams chart has data (%d points)" % pts)
            page(d, base, "/lua/historical.lua", "historical", "#ts-form")
            pts = ts_chart(d, "historical_ts", "ts-chart")
            check(pts > 0, "historical page: interface chart has data (%d points)" % pts)
            check(bool(d.find_elements(By.XPATH, "//nav//a[contains(@href, '/lua/historical.lua')]")),
                  "nav bar links the historical page")
            page(d, base, "/lua/hosts_matrix.lua", "matrix", "#matrix-table tbody tr",
                 lambda e: len(e) >= 5)
            page(d, base, "/lua/as_stats.lua", "as", "#list-table tbody tr",
                 lambda e: "Unknown" in e[0].text)
            page(d, base, "/lua/country_stats.lua", "countries", "#list-table tbody tr",
                 lambda e: "Unknown" in e[0].text)
            page(d, base, "/lua/vlan_stats.lua", "vlans", "#list-table tbody tr",
                 lambda e: str(summ["num_hosts"]) in e[0].text)

            # preferences: rename the interface; the REST list follows
            page(d, base, "/lua/admin/prefs.lua", "prefs", "#ifnames-table input")
            inp = d.find_element(By.CSS_SELECTOR, "#ifnames-table input")
            inp.clear()
            inp.send_keys("office-lan")
            d.find_element(By.CSS_SELECTOR, "#ifnames-table button").click()
            check(bool(wait_for(d, "#msg .alert-success")), "prefs: rename accepted")
            names = n.rest("get/ntopng/interfaces.lua")
            check(names[0]["name"] == "office-lan", "prefs: interfaces.lua name = %r" % names[0]["name"])
            page(d, base, "/lua/vlan_stats.lua", "footer_renamed", "#nt-ifname",
                 lambda e: e[0].text == "office-lan")

            # users: add an unprivileged user through the form
            page(d, base, "/lua/admin/users.lua", "users", "#users-table tbody tr")
            f = d.find_element(By.ID, "add")
            f.find_element(By.NAME, "username").send_keys("viewer")
            f.find_element(By.NAME, "password").send_keys("s3cret-pw")
            f.find_element(By.TAG_NAME, "button").click()
            check(bool(wait_for(d, "#users-table tbody tr", lambda e: len(e) == 2)),
                  "users: viewer added")
            shot(d, "users_added")
            check(not severe(d), "users: no console error")

            # missing host, flow, interface: a page that says so
            for path, name, text in (
                    ("/lua/host_details.lua?ifid=0&host=10.99.99.99", "no_host", "Host not found"),
                    ("/lua/flow_details.lua?ifid=0&flow_key=999999", "no_flow", "Flow not found"),
                    ("/lua/hosts_stats.lua?ifid=7", "no_iface", "Interface not found")):
                els = page(d, base, path, name, "#nt-error", errors_ok=True)
                check(els and text in els[0].text, "%s: says %r" % (name, text))
            d.get(base + "/lua/nothing.lua")
            check("404" in d.page_source, "unknown page: 404 page")

            # log out: the pages ask for the login again
            d.get(base + "/lua/logout.lua")
            d.get(base + "/lua/index.lua")
            check("/lua/login.lua" in d.current_url, "after logout, login again")
        finally:
            d.quit()
            shutil.rmtree(profile, ignore_errors=True)
    redis_flushdb(REDIS_DB)
    print("screenshots in", SCREENS)
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
