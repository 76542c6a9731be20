#!/usr/bin/env python3
"""webui_geo.py - the GeoIP pages in headless Chromium (docs/geo.md), on
the capture of geoip.py with MaxMind's test databases (shared/geoip/):
  - the AS page lists AS15169 "Google Inc." and the other ASes of the
    capture, the Countries page GB, SE, JP and Unknown;
  - the hosts map (/lua/hosts_geomap.lua) draws Leaflet (libjs-leaflet,
    served by the node) with the node's own world outline and one circle
    per located host (3), and its table lists them;
  - the host page of 89.160.20.112 shows SE (Linköping) and AS29518;
  - no console error, and no request of any page leaves the node
    (performance resource entries all on 127.0.0.1:<port>);
  - with --map-tiles-url pointing to a tile server the test runs on
    loopback, the map's tiles come from there (and only from there).
  - at a hub fed by an edge, the map lists the sites (origins) with
    their located hosts.
Screenshots: geo_as_stats, geo_hosts_of_as, geo_country_stats, geo_map,
geo_host, geo_map_hub, geo_map_tiles.  Exit 77 when Chromium, chromedriver or python3-selenium
are missing.
"""
import http.server
import os
import shutil
import struct
import sys
import tempfile
import threading
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import Node, expect  # noqa: E402

from browser import By, browser, page, wait_for  # noqa: E402
import geoip  # noqa: E402


def png_1x1():
    def chunk(t, b):
        return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\x00\xc8\xd8\xe8")) + chunk(b"IEND", b""))


class Tiles(http.server.BaseHTTPRequestHandler):
    hits = []
    body = png_1x1()

    def do_GET(self):
        Tiles.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *a):
        pass


def outside(d, base):
    """The resources the page loaded that are not on the node."""
    names = d.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".concat([location.href])")
    return [u for u in names if not u.startswith(base + "/")]


def main():
    tmp = tempfile.mkdtemp(prefix="webui-geo-")
    pcap = os.path.join(tmp, "geo.pcap")
    geoip.make_pcap(pcap)
    gdir = os.path.join(tmp, "geo")
    os.mkdir(gdir)
    shutil.copy(os.path.join(geoip.GEO, "GeoLite2-City-Test.mmdb"),
                os.path.join(gdir, "GeoLite2-City.mmdb"))
    shutil.copy(os.path.join(geoip.GEO, "GeoLite2-ASN-Test.mmdb"),
                os.path.join(gdir, "GeoLite2-ASN.mmdb"))
    args = ["-i", pcap, "--geoip-dir", gdir, "-m", "192.168.1.0/24,fd00::/8"]
    profile = tempfile.mkdtemp(prefix="ntopng-chromium-")
    d = None
    srv = None
    try:
        with Node(args, name="webui_geo") as n:
            n.wait_ended()
            base = "http://127.0.0.1:%d" % n.port
            d = browser(profile)
            rows = page(d, base, "/lua/as_stats.lua?ifid=0", "geo_as_stats",
                        "#list-table tbody tr", lambda e: len(e) >= 6)
            text = " | ".join(r.text for r in rows)
            expect("AS15169 Google Inc." in text and "AS7018 AT&T Services" in text and
                   "Unknown" in text, "AS page rows: %s" % text[:300])
            expect(outside(d, base) == [], "AS page: no request leaves the node %s" % outside(d, base))
            link = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "#list-table a")
                    if "AS15169" in a.text]
            expect(link and link[0].endswith("/lua/hosts_stats.lua?ifid=0&asn=15169"),
                   "the AS row links to its hosts (%r)" % link)
            rows = page(d, base, "/lua/hosts_stats.lua?ifid=0&asn=15169", "geo_hosts_of_as",
                        "#hosts-table tbody tr")
            expect(len(rows) == 1 and "1.0.0.1" in rows[0].text,
                   "the hosts page of AS15169: 1.0.0.1 only (%r)" % [r.text for r in rows])
            rows = page(d, base, "/lua/country_stats.lua?ifid=0", "geo_country_stats",
                        "#list-table tbody tr", lambda e: len(e) >= 4)
            cells = [r.text.split()[0] for r in rows if r.text]
            expect({"GB", "SE", "JP", "Unknown"} <= set(cells), "Countries page rows: %s" % cells)
            expect(outside(d, base) == [], "Countries page: no request leaves the node")

            page(d, base, "/lua/hosts_geomap.lua?ifid=0", "geo_map",
                 "#geomap path.leaflet-interactive", lambda e: len(e) == 3)
            marks = d.execute_script(
                "return document.querySelectorAll('#geomap path.leaflet-interactive').length")
            land = d.execute_script(
                "return document.querySelectorAll('#geomap .leaflet-overlay-pane path').length")
            expect(marks == 3, "the map: one circle per located host (%d)" % marks)
            expect(land > 10, "the map: the world outline drawn (%d shapes)" % (land - marks))
            trs = wait_for(d, "#map-hosts-table tbody tr", lambda e: len(e) == 3)
            t = " | ".join(r.text for r in trs)
            expect("81.2.69.142" in t and "London" in t and "Linköping" in t,
                   "the map's table: the located hosts (%s)" % t)
            tiles = d.execute_script("return document.querySelectorAll('.leaflet-tile').length")
            expect(tiles == 0, "no tile layer without --map-tiles-url")
            expect(outside(d, base) == [], "the map: no request leaves the node %s" % outside(d, base))

            trs = page(d, base, "/lua/host_details.lua?ifid=0&host=89.160.20.112", "geo_host",
                       "#host-info tr", lambda e: any("AS29518" in r.text for r in e))
            t = " | ".join(r.text for r in trs)
            expect("SE (Linköping)" in t and "AS29518 Bredband2 AB" in t,
                   "host page: country, city and AS (%s)" % t[:400])
            expect(outside(d, base) == [], "host page: no request leaves the node")

        # at a hub: the sites (origins) of the located hosts
        port = node.free_port()
        with Node(["-i", "hub=tcp://127.0.0.1:%d" % port, "--node-id", "hub",
                   "--geoip-dir", gdir], name="webui_geo_hub") as hub:
            with Node(["-i", pcap, "-I", "tcp://127.0.0.1:%d" % port, "--node-id", "edge1",
                       "--geoip-dir", gdir], name="webui_geo_edge") as edge:
                edge.wait_ended()
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline and \
                        len(hub.rest("get/geo/hosts.lua", ifid=0)["hosts"]) < 3:
                    time.sleep(0.2)
                base = "http://127.0.0.1:%d" % hub.port
                sites = page(d, base, "/lua/hosts_geomap.lua?ifid=0", "geo_map_hub",
                             "#map-sites li", lambda e: len(e) == 2)
                t = " | ".join(x.text for x in sites)
                expect("edge1: 3 located hosts" in t, "hub map: the sites list (%s)" % t)
                marks = d.execute_script(
                    "return document.querySelectorAll('#geomap path.leaflet-interactive').length")
                expect(marks == 3, "hub map: the edge's 3 located hosts (%d)" % marks)
                expect(outside(d, base) == [], "hub map: no request leaves the node")

        # tiles on request: a tile server on loopback
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        turl = "http://127.0.0.1:%d/tiles/{z}/{x}/{y}.png" % srv.server_address[1]
        with Node(args + ["--map-tiles-url", turl], name="webui_geo_tiles") as n:
            n.wait_ended()
            base = "http://127.0.0.1:%d" % n.port
            page(d, base, "/lua/hosts_geomap.lua?ifid=0", "geo_map_tiles",
                 "#geomap img.leaflet-tile-loaded")
            ext = outside(d, base)
            tile_base = "http://127.0.0.1:%d/tiles/" % srv.server_address[1]
            expect(ext and all(u.startswith(tile_base) for u in ext),
                   "with --map-tiles-url only tiles come from elsewhere (%d: %s)" % (len(ext), ext[:2]))
            expect(len(Tiles.hits) > 0 and all(h.startswith("/tiles/") for h in Tiles.hits),
                   "the tile server got the map's requests (%d)" % len(Tiles.hits))
    finally:
        if d is not None:
            d.quit()
        if srv is not None:
            srv.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
