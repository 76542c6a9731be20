#!/usr/bin/python3
"""ntop.triggerAlert / ntop.releaseAlert from a user callback (issue 15,
docs/alerts.md, docs/lua.md): second.lua engages a user_script alert on
the selected interface (through the owner, never the tables), REST lists
it engaged with the severity, value and message given; an edited
second.lua releases it, and it becomes one past row; a bad severity is
refused with nil, err (written to a file by the script).
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import expect  # noqa: E402

TRIGGER = ('local ok, err = ntop.triggerAlert("host", "10.0.0.9", "custom", "error", '
           '"raised by lua", 42, 7)\n'
           'local ok2, err2 = ntop.triggerAlert("host", "10.0.0.9", "x", "loud", "bad")\n'
           'local f = assert(io.open("lua_alert.txt", "w"))\n'
           'f:write(tostring(ok) .. " " .. tostring(ok2) .. " " .. tostring(err2) .. "\\n")\n'
           'f:close()\n')
RELEASE = 'ntop.releaseAlert("host", "10.0.0.9", "custom")\n'


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def wait_for(fn, timeout):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.3)


def main():
    if not os.path.isdir(node.PCAPS):
        print("NTOPNG_SHARED pcaps not found")
        return 77
    tmp = tempfile.mkdtemp(prefix="alerts-lua-")
    cbd = os.path.join(tmp, "callbacks")
    dd = os.path.join(tmp, "data")
    os.makedirs(cbd)
    os.makedirs(dd)
    second = os.path.join(cbd, "second.lua")
    write(second, TRIGGER)
    pcap = os.path.join(node.PCAPS, "dns.pcap")
    with node.Node(["-i", pcap, "-3", cbd, "-d", dd], name="alerts-lua") as n:
        e = wait_for(lambda: n.rest("get/alert/list.lua", ifid=0, status="engaged")["data"], 10)
        expect(len(e) == 1, "the callback's alert is engaged: %s" % e)
        if e:
            a = e[0]
            expect(a["type_key"] == "user_script" and a["entity"] == "host" and
                   a["entity_val"] == "10.0.0.9" and a["metric"] == "custom" and
                   a["severity_name"] == "error" and a["value"] == 42 and
                   a["threshold"] == 7 and a["msg"] == "raised by lua",
                   "its fields as given: %s" % a)
        out = wait_for(lambda: open(os.path.join(dd, "lua_alert.txt")).read()
                       if os.path.exists(os.path.join(dd, "lua_alert.txt")) else "", 5)
        expect(out.startswith("true nil bad severity"),
               "triggerAlert returns true; a bad severity nil, err: %r" % out)
        time.sleep(2)
        e = n.rest("get/alert/list.lua", ifid=0, status="engaged")["data"]
        expect(len(e) == 1, "one engagement however many runs: %d" % len(e))
        write(second, RELEASE)
        gone = wait_for(lambda: not n.rest("get/alert/list.lua", ifid=0,
                                           status="engaged")["data"], 10)
        expect(gone, "released by the edited callback")
        p = wait_for(lambda: n.rest("get/alert/list.lua", ifid=0, status="past")["data"], 5)
        expect(len(p) == 1 and p[0]["entity_val"] == "10.0.0.9" and
               p[0]["tstamp_end"] >= p[0]["tstamp"] and p[0]["peak"] == 42,
               "one past row: %s" % p)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
