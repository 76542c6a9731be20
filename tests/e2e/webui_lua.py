#!/usr/bin/python3
"""webui_lua.py - the shipped Lua pages in headless Chromium (issue 13):
a node reads teams.pcap with -2 on the repository's scripts/, the browser
logs in through the form, then opens
  examples/ntop.lua, examples/interface.lua (?flowtype=description),
  examples/debug.lua?trace=web, examples/hello_world.lua,
  network_load.lua and flow_stats.lua?flow_key=<the biggest flow>
Each must render inside the node's layout (the nav bar ntop.js draws from
the session, so the page's own JavaScript ran), show its known value, and
leave no error in the console.  Screenshots: lua_ntop, lua_interface,
lua_debug, lua_hello, lua_network_load, lua_flow_stats.
Exit 77 when Chromium, chromedriver or python3-selenium are missing.
"""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, PCAPS, expect  # noqa: E402

from browser import By, browser, login, page  # noqa: E402


def text_has(s):
    return lambda els: any(s in e.text for e in els)


def main():
    pcap = os.path.join(PCAPS, "teams.pcap")
    if not os.path.exists(pcap):
        print("SKIP: teams.pcap missing")
        return 77
    profile = tempfile.mkdtemp(prefix="ntopng-chromium-")
    d = None
    try:
        with Node(["-i", pcap, "-2", os.path.join(node.REPO, "scripts")], name="webui_lua",
                  login=True) as n:
            n.auth = ("admin", "admin")
            rd = n.wait_ended()
            rf = n.rest("get/flow/active.lua", perPage=100000, ifid=0)
            n.auth = None
            top = max(rf["data"], key=lambda f: f["bytes"])
            base = "http://127.0.0.1:%d" % n.port
            d = browser(profile)
            expect(login(d, base), "logged in through the form")

            page(d, base, "/lua/examples/ntop.lua", "lua_ntop", "#nav nav #nt-user",
                 text_has("admin"))
            expect(d.find_element(By.ID, "ex-cache").text == "hello from ntop.lua",
                   "ntop.lua: cache round trip shown")
            expect(d.find_element(By.ID, "ex-csrf").get_attribute("value") != "",
                   "ntop.lua: the form got the session's CSRF token")

            page(d, base, "/lua/examples/interface.lua?flowtype=description", "lua_interface",
                 "#ex-nflows", text_has(str(rd["num_flows"])))
            expect(len(d.find_elements(By.CSS_SELECTOR, "#nav nav")) == 1, "interface.lua: nav bar")
            expect(len(d.find_elements(By.CSS_SELECTOR, "#ex-flows tbody tr")) == min(50, rd["num_flows"]),
                   "interface.lua: flows table rows")

            page(d, base, "/lua/examples/debug.lua?trace=web&foo=bar", "lua_debug", "#ex-trace",
                 text_has("INFO: an info line"))
            page(d, base, "/lua/examples/hello_world.lua?x=1", "lua_hello", "#ex-hello",
                 text_has("Hello admin"))
            expect(len(d.find_elements(By.CSS_SELECTOR, "#nav nav")) == 1 and
                   "teams.pcap" in d.find_element(By.ID, "footer").text,
                   "hello_world: nav bar and the footer's interface summary")

            els = page(d, base, "/lua/network_load.lua?ifname=teams.pcap", "lua_network_load",
                       "body", text_has('"packets"'))
            js = json.loads(els[0].text)
            expect(js["packets"] == rd["packets"] and js["bytes"] == rd["bytes"],
                   "network_load in the browser: packets/bytes = REST")

            page(d, base, "/lua/flow_stats.lua?flow_key=%s" % top["hash_id"], "lua_flow_stats",
                 "#nav nav #nt-user", text_has("admin"))
            expect(d.find_element(By.ID, "ex-proto").text ==
                   "%s / %s" % (top["protocol"]["l4"], top["protocol"]["l7"]),
                   "flow_stats: the biggest flow's protocol")
    finally:
        if d is not None:
            d.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
