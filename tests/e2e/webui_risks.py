#!/usr/bin/python3
"""webui_risks.py - nDPI flow risks and host scores in headless Chromium
(docs/alerts.md, "Flow risks and scores").

windowsupdate_over_http.pcap's one flow has binary_application_transfer
and http_numeric_ip_host (score 110; client 10.0.2.15 99, server
151.99.72.125 11, see alerts_risks.py): the flows page's Risk column shows
a badge "110" naming both risks (title); the flow details page a "Flow risks" row
with both names and "Score 110 (client 99, server 11)"; the hosts page's
Score column 99 and 11.  No console error; screenshots flows_risk.png,
flow_details_risk.png, hosts_score.png.
Exit 77 when Chromium, chromedriver or python3-selenium are missing.
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, expect  # noqa: E402
from browser import browser, page  # noqa: E402

NAMES = ("binary_application_transfer", "http_numeric_ip_host")


def main():
    tmp = tempfile.mkdtemp(prefix="ntopng-webui-risks-")
    d = None
    try:
        with Node(["-i", os.path.join(node.PCAPS, "windowsupdate_over_http.pcap")],
                  name="webui_risks") as n:
            n.wait_ended()
            base = "http://127.0.0.1:%d" % n.port
            d = browser(os.path.join(tmp, "chromium"))
            badges = page(d, base, "/lua/flows_stats.lua?ifid=0", "flows_risk",
                          "#flows-table tbody .flow-risk")
            expect(len(badges) == 1 and badges[0].text == "110",
                   "flows page: one risk badge 110 (%r)" % [b.text for b in badges])
            title = badges[0].get_attribute("title") if badges else ""
            expect(title == ", ".join(NAMES), "flows page: the badge names both risks (%r)" % title)
            key = n.rest("get/flow/active.lua", ifid=0)["data"][0]["hash_id"]
            els = page(d, base, "/lua/flow_details.lua?ifid=0&flow_key=%s" % key,
                       "flow_details_risk", "#flow-table .flow-risk")
            txt = d.find_element("css selector", "#flow-table").text if els else ""
            expect(all(x in txt for x in NAMES) and "Score 110 (client 99, server 11)" in txt,
                   "flow details: risks and score rows (%r)" % txt[-300:])
            rows = page(d, base, "/lua/hosts_stats.lua?ifid=0", "hosts_score",
                        "#hosts-table tbody tr", lambda e: len(e) == 2)
            heads = [h.text for h in d.find_elements("css selector", "#hosts-table thead th")]
            col = heads.index("Score") if "Score" in heads else -1
            got = {}
            for r in rows:
                tds = r.find_elements("css selector", "td")
                if col >= 0 and len(tds) > col:
                    got[tds[0].text] = tds[col].text
            expect(got == {"10.0.2.15": "99", "151.99.72.125": "11"},
                   "hosts page: Score column %r (headers %r)" % (got, heads))
    finally:
        if d is not None:
            d.quit()
        shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
