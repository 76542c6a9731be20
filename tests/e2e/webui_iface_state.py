#!/usr/bin/python3
"""webui_iface_state.py - in headless Chromium, logged in with the form
(a cookie session, so the page's POST needs the CSRF token):

  - the Interfaces page shows an administrator a switch per interface;
    turning it off disables a NetFlow collector interface (REST says
    disabled, the UDP port is free: the test binds it), turning it on
    enables it again (the node holds the port);
  - an unprivileged user sees the state as words, no switch;
  - the REST API page (footer link "REST API") lists every route of the
    OpenAPI document, filters them, and opens a route's parameters.
Exit 77 when Chromium, chromedriver or python3-selenium are missing.
"""
import json
import os
import shutil
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402

from browser import By, browser, login, page, shot, wait_for  # noqa: E402


def udp_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def state(n):
    n.auth = ("admin", "admin")
    try:
        return n.rest("get/ntopng/interfaces.lua")[0]["state"]
    finally:
        n.auth = None


def until(pred, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def main():
    port = node.free_port()
    profile = tempfile.mkdtemp(prefix="ntopng-chromium-")
    d = None
    with node.Node(["-i", "netflow://127.0.0.1:%d" % port], name="webui_iface_state",
                   login=True) as n:
        base = "http://127.0.0.1:%d" % n.port
        n.auth = ("admin", "admin")
        st, _, _ = n.http("POST", "/lua/rest/v2/set/ntopng/user/add.lua",
                          body={"username": "viewer", "password": "viewerpw",
                                "group": "unprivileged"})
        n.auth = None
        expect(st == 200, "an unprivileged user is added")
        try:
            d = browser(profile)
            expect(login(d, base), "admin logs in with the form")
            page(d, base, "/lua/if_stats.lua?ifid=0", "iface_state_on", "#if-enabled-0")
            sw = d.find_element(By.ID, "if-enabled-0")
            expect(sw.is_selected() and state(n) == "enabled", "the switch shows enabled")
            expect(not udp_free(port), "enabled: the node holds UDP %d" % port)
            sw.click()
            expect(until(lambda: state(n) == "disabled"), "switched off: REST says disabled")
            lab = wait_for(d, "#if-state-0", lambda e: e[0].text == "disabled")
            expect(bool(lab) and not sw.is_selected(), "the page shows disabled")
            expect(udp_free(port), "disabled from the page: UDP %d is free" % port)
            shot(d, "iface_state_off")
            d.refresh()
            sw = wait_for(d, "#if-enabled-0")
            expect(bool(sw) and not sw[0].is_selected(), "after a reload the switch is off")
            opt = d.find_element(By.CSS_SELECTOR, "#nt-iface option").text
            expect(opt.endswith("(disabled)"), "the interface selector says so: %r" % opt)
            if sw:
                sw[0].click()
            expect(until(lambda: state(n) == "enabled"), "switched on: REST says enabled")
            expect(until(lambda: not udp_free(port)), "enabled again: the node holds UDP %d"
                   % port)

            # the REST API page, from the footer link
            link = wait_for(d, "#nt-api-link")
            expect(bool(link), "the footer links the REST API page")
            if link:
                link[0].click()
            cards = wait_for(d, ".nt-api-route", lambda e: len(e) > 50)
            with open(os.path.join(node.REPO, "httpdocs", "rest", "openapi.json")) as f:
                doc = json.load(f)
            n_ops = sum(len(v) for v in doc["paths"].values())
            expect(len(cards) == n_ops, "one card per route of the document (%d == %d)"
                   % (len(cards), n_ops))
            shot(d, "rest_api")
            box = d.find_element(By.ID, "api-filter")
            box.send_keys("interface/state")
            time.sleep(0.3)
            shown = [c for c in d.find_elements(By.CSS_SELECTOR, ".nt-api-route")
                     if c.is_displayed()]
            expect(len(shown) == 1 and "set/interface/state.lua" in shown[0].text
                   and "administrator" in shown[0].text,
                   "the filter leaves set/interface/state.lua, marked administrator")
            if len(shown) == 1:
                shown[0].find_element(By.CSS_SELECTOR, ".nt-api-more").click()
                body = wait_for(d, ".nt-api-route .collapse.show table")
                expect(bool(body) and "state" in body[0].text and "ifid" in body[0].text,
                       "its details list the parameters ifid and state")
            d.delete_all_cookies()
            expect(login(d, base, "viewer", "viewerpw"), "the unprivileged user logs in")
            page(d, base, "/lua/if_stats.lua?ifid=0", "iface_state_viewer", "#if-state-0")
            expect(not d.find_elements(By.ID, "if-enabled-0"),
                   "an unprivileged user gets no switch")
        finally:
            if d is not None:
                d.quit()
            shutil.rmtree(profile, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
