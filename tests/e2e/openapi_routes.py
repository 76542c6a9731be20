#!/usr/bin/python3
"""The OpenAPI document of the REST API (httpdocs/rest/openapi.json,
written by tools/openapi.py; docs/rest.md):

1. the committed file is what tools/openapi.py writes (--check);
2. every row of the route table (webui/routes.c, parsed) is a path of
   the document and every /lua/rest/v2/ path of the document is a row
   (besides openapi.json itself), and the document's x-administrator
   says what the table's rule says (REST_ADMIN, or a verb that writes
   unless REST_SELF);
3. every parameter a route's handler reads (rest_params_get, p_str, ...
   in it or in the webui/ functions it calls, scanned) is documented for
   that route;
4. a live node on a real capture (teams.pcap, -F -A 2) serves the same
   document at /lua/rest/v2/openapi.json and the page that lists it at
   /lua/rest_api.lua; every route is called once with real parameters
   (hosts, flows, rules taken from earlier answers) and every answer
   validates against the document's schema for its status (a small
   validator of the JSON Schema subset the document uses: $ref, allOf,
   anyOf, oneOf, type, properties, required, additionalProperties, items,
   enum); every route must have answered 200 at least once;
5. the validator itself rejects answers that break a schema (a wrong
   type, a missing key, a value outside an enum), so that 4 can fail.
"""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node  # noqa: E402
from node import PCAPS, expect  # noqa: E402

SRC = os.environ.get("NTOPNG_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))
DOC_PATH = os.path.join(SRC, "httpdocs", "rest", "openapi.json")
V2 = "/lua/rest/v2/"
META = {"/lua/rest/version.lua", V2 + "openapi.json", "/metrics"}


# ---- a validator for the subset of JSON Schema the document uses ----

def validate(doc, schema, value, where="$"):
    """List of problems (empty: valid)."""
    if "$ref" in schema:
        target = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return validate(doc, target, value, where)
    errs = []
    for sub in schema.get("allOf", []):
        errs += validate(doc, sub, value, where)
    if "oneOf" in schema:
        passing = [s for s in schema["oneOf"] if not validate(doc, s, value, where)]
        if len(passing) != 1:
            errs.append("%s: matches %d of the oneOf schemas" % (where, len(passing)))
    if "anyOf" in schema and not any(not validate(doc, s, value, where)
                                     for s in schema["anyOf"]):
        errs.append("%s: matches none of the anyOf schemas" % where)
    t = schema.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]
        if not any(type_ok(x, value) for x in types):
            return errs + ["%s: %s is not %s" % (where, json.dumps(value)[:60], t)]
    if "enum" in schema and value not in schema["enum"]:
        errs.append("%s: %r not in %r" % (where, value, schema["enum"]))
    if isinstance(value, dict):
        for k in schema.get("required", []):
            if k not in value:
                errs.append("%s: key %s missing" % (where, k))
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for k, v in value.items():
            if k in props:
                errs += validate(doc, props[k], v, "%s.%s" % (where, k))
            elif extra is False:
                errs.append("%s: key %s not allowed" % (where, k))
            elif isinstance(extra, dict):
                errs += validate(doc, extra, v, "%s.%s" % (where, k))
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            errs += validate(doc, schema["items"], v, "%s[%d]" % (where, i))
    return errs


def type_ok(t, v):
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, {"string": str, "boolean": bool, "object": dict, "array": list,
                          "null": type(None)}[t])


def validator_self_test(doc):
    op = doc["paths"][V2 + "get/ntopng/interfaces.lua"]["get"]
    sch = op["responses"]["200"]["content"]["application/json"]["schema"]
    good = {"rc": 0, "rc_str": "OK", "rc_str_hr": "Success",
            "rsp": [{"ifid": 0, "ifname": "x", "name": "x", "description": "x",
                     "state": "enabled"}]}
    expect(validate(doc, sch, good) == [], "validator: a good answer passes")
    bad_type = json.loads(json.dumps(good))
    bad_type["rsp"][0]["ifid"] = "0"
    expect(validate(doc, sch, bad_type) != [], "validator: ifid as a string fails")
    missing = json.loads(json.dumps(good))
    del missing["rsp"][0]["name"]
    expect(validate(doc, sch, missing) != [], "validator: a missing key fails")
    bad_enum = json.loads(json.dumps(good))
    bad_enum["rsp"][0]["state"] = "sleeping"
    expect(validate(doc, sch, bad_enum) != [], "validator: a value outside the enum fails")
    no_env = {"rsp": good["rsp"]}
    expect(validate(doc, sch, no_env) != [], "validator: an answer without the envelope fails")


# ---- the route table ----

def table_routes():
    """{path: access} from webui/routes.c's rest_routes[]."""
    with open(os.path.join(SRC, "webui", "routes.c")) as f:
        text = f.read()
    body = text[text.index("rest_routes[] = {"):]
    body = body[:body.index("\n};")]
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    return {m.group(1): m.group(2) for m in
            re.finditer(r'\{\s*"([^"]+)"\s*,\s*\w+\s*,\s*(REST_\w+)\s*,', body)}


def table_admin(path, access):
    if access == "REST_ADMIN":
        return True
    if access == "REST_SELF":
        return False
    return path.startswith(("set/", "add/", "edit/", "delete/", "enable/", "disable/",
                            "reset/"))


def check_table(doc):
    rows = table_routes()
    expect(len(rows) >= 50, "routes.c parsed: %d rows" % len(rows))
    documented = {p[len(V2):] for p in doc["paths"] if p.startswith(V2) and p not in META}
    missing = sorted(set(rows) - documented)
    extra = sorted(documented - set(rows))
    expect(not missing, "every route of routes.c is documented (missing: %s)" % missing)
    expect(not extra, "every documented route is in routes.c (extra: %s)" % extra)
    wrong = [p for p in rows if p in documented and
             list(doc["paths"][V2 + p].values())[0].get("x-administrator") !=
             table_admin(p, rows[p])]
    expect(not wrong, "x-administrator agrees with the table's rule (differ: %s)" % wrong)
    return rows


# ---- the parameters the handlers read ----

READERS = re.compile(r"\b(?:rest_params_get|p_str|param_str|ra_param_str|rest_param_long|"
                     r"rest_param_int|rest_param_iface|param_bool)\(\s*[\w>.-]+\s*,\s*\"(\w+)\"")
# read by a helper some routes share, but not taken by this one
NOT_TAKEN = {"get/flow/active.lua": {"all"},   # paging: `all` is host/active's
             # a load takes get/db/flows.lua's filters, not its order
             "set/interface/historical.lua": {"sortColumn", "sortOrder"}}


def handler_reads():
    """{function: (parameters it reads, functions it calls)} of webui/*.c."""
    funcs = {}
    for name in sorted(os.listdir(os.path.join(SRC, "webui"))):
        if not name.endswith(".c"):
            continue
        with open(os.path.join(SRC, "webui", name)) as f:
            text = f.read()
        for m in re.finditer(r"^(\w+)\([^)]*\)\n\{(.*?)^\}", text, re.S | re.M):
            funcs[m.group(1)] = (set(READERS.findall(m.group(2))),
                                 set(re.findall(r"\b(\w+)\(", m.group(2))))
    return funcs


def params_read(funcs, fn, seen):
    if fn in seen or fn not in funcs:
        return set()
    seen.add(fn)
    own, calls = funcs[fn]
    out = set(own)
    for callee in calls:
        out |= params_read(funcs, callee, seen)
    return out


def check_params(doc):
    """Every parameter a route's handler (or a webui/ function it calls)
    reads is a documented parameter of that route."""
    with open(os.path.join(SRC, "webui", "routes.c")) as f:
        rows = re.findall(r'\{\s*"([^"]+)"\s*,\s*(\w+)\s*,\s*REST_\w+', f.read())
    funcs = handler_reads()
    expect(len(funcs) > 50, "webui/*.c parsed: %d functions" % len(funcs))
    gaps = []
    for path, handler in rows:
        ops = doc["paths"].get(V2 + path)
        if ops is None:
            continue
        documented = {p["name"] for op in ops.values() for p in op.get("parameters", [])}
        missing = params_read(funcs, handler, set()) - documented - NOT_TAKEN.get(path, set())
        if missing:
            gaps.append("%s: %s" % (path, ", ".join(sorted(missing))))
    expect(not gaps, "every parameter a handler reads is documented (not: %s)" % gaps)
    # the scan itself sees through helpers: host/active's filters
    ha = params_read(funcs, dict(rows).get("get/host/active.lua"), set())
    expect({"ifid", "perPage", "sortColumn", "mode", "asn", "country"} <= ha,
           "the scan finds host/active's parameters through its helpers (%s)" % sorted(ha))


# ---- live answers ----

class Caller:
    def __init__(self, n, doc):
        self.n, self.doc = n, doc
        self.ok = set()
        self.checked = 0

    def call(self, path, params=None, want_ok=True, auth=("admin", "admin")):
        ops = self.doc["paths"].get(V2 + path)
        if not expect(ops is not None, "%s is documented" % path):
            return None
        method, op = list(ops.items())[0]
        self.n.auth = auth
        st, _, body = self.n.http(method.upper(), V2 + path,
                                  params=params if method == "get" else None,
                                  body=params if method == "post" else None)
        self.n.auth = None
        try:
            js = json.loads(body)
        except ValueError:
            expect(False, "%s: JSON answer (%d %r)" % (path, st, body[:100]))
            return None
        resp = op["responses"].get(str(st))
        if not expect(resp is not None, "%s: status %d is documented" % (path, st)):
            return js
        if "$ref" in resp:
            resp = self.doc["components"]["responses"][resp["$ref"].split("/")[-1]]
        errs = validate(self.doc, resp["content"]["application/json"]["schema"], js)
        self.checked += 1
        expect(not errs, "%s (%d) validates against its schema%s" %
               (path, st, (": " + "; ".join(errs[:5])) if errs else ""))
        if st == 200:
            self.ok.add(path)
        elif want_ok:
            expect(False, "%s answered %d: %r" % (path, st, js))
        return js.get("rsp") if isinstance(js, dict) else js


def live(doc, rows):
    pcap = os.path.join(PCAPS, "teams.pcap")
    with node.Node(["-i", pcap, "-F", "-A", "2"], name="openapi", login=True) as n:
        n.auth = ("admin", "admin")
        n.wait_ended()
        st, _, body = n.http("GET", V2 + "openapi.json")
        n.auth = None
        expect(st == 200 and json.loads(body) == doc,
               "/lua/rest/v2/openapi.json serves the document (%d)" % st)
        n.auth = ("admin", "admin")
        st, hdr, page = n.http("GET", "/lua/rest_api.lua")
        n.auth = None
        expect(st == 200 and b"rest_api.js" in page, "the REST API page is served (%d)" % st)
        n.auth = None
        st, _, _ = n.http("GET", V2 + "openapi.json")
        expect(st in (302, 401), "the document needs a login like the API (%d)" % st)

        c = Caller(n, doc)
        c.call("connect/test.lua")
        c.call("get/ntopng/interfaces.lua")
        for p in ("get/interface/data.lua", "get/interface/address.lua",
                  "get/interface/sources.lua", "get/interface/origins.lua",
                  "get/interface/l7/data.lua", "get/flow/l4/counters.lua",
                  "get/flow/l7/counters.lua", "get/flow/traffic_stats.lua",
                  "get/flow/graph.lua", "get/vlan/list.lua", "get/asn/list.lua",
                  "get/country/list.lua", "get/aggregation/families.lua", "get/geo/hosts.lua",
                  "get/interface/matrix.lua", "get/alert/thresholds.lua", "get/alert/list.lua",
                  "get/asn/asn_info.lua"):
            c.call(p, {"ifid": 0})
        c.call("get/interface/data.lua", {"iffilter": "all"})
        c.call("get/interface/data.lua", {"ifid": 0, "type": "summary"})
        c.call("get/interface/l7/stats.lua", {"ifid": 0, "ndpistats_mode": "count"})
        c.call("get/interface/l7/stats.lua", {"ifid": 0, "ndpistats_mode": "sinceStartup",
                                              "breed": "true"})
        hosts = c.call("get/host/active.lua", {"ifid": 0, "perPage": 5,
                                               "sortColumn": "traffic", "sortOrder": "desc"})
        local = c.call("get/host/active.lua", {"ifid": 0, "mode": "local"})
        h = hosts["data"][0]["ip"] if hosts and hosts["data"] else "192.168.1.6"
        lh = local["data"][0]["ip"] if local and local["data"] else h
        c.call("get/host/data.lua", {"ifid": 0, "host": h})
        c.call("get/host/find.lua", {"ifid": 0, "query": h.split(".")[0]})
        c.call("get/host/custom_data.lua", {"ifid": 0, "host": h})
        c.call("get/host/custom_data.lua", {"ifid": 0})
        c.call("get/host/interfaces.lua", {"host": h})
        c.call("get/host/l7/stats.lua", {"ifid": 0, "host": h})
        c.call("get/host/l4/contacted_hosts_data.lua", {"ifid": 0, "host": h})
        c.call("get/host/activitymap.lua", {"ifid": 0, "host": lh})
        c.call("get/host/activitymap.lua", {"ifid": 0, "host": lh, "seconds": "1"})
        c.call("get/host/correlation.lua", {"ifid": 0, "host": lh})
        flows = c.call("get/flow/active.lua", {"ifid": 0, "perPage": 5, "verbose": "true"})
        if flows and flows["data"]:
            c.call("get/flow/details.lua", {"ifid": 0, "flow_key": flows["data"][0]["hash_id"]})
        c.call("get/flow/details.lua", {"ifid": 0, "flow_key": 999999999}, want_ok=False)
        c.call("get/flow/active.lua", {"ifid": 7}, want_ok=False)
        c.call("get/asn/asn_name.lua", {"ip": h})
        c.call("get/country/country_name.lua", {"country_id": 18772})
        c.call("get/ntopng/redis.lua")
        now = int(time.time())
        c.call("get/timeseries/ts.lua", {"ifid": 0, "schema": "iface:traffic",
                                         "epoch_begin": now - 600, "epoch_end": now})
        c.call("get/db/flows.lua", {"ifid": 0, "epoch_begin": now - 86400, "epoch_end": now,
                                    "perPage": 5, "top": 3})
        c.call("get/db/flows.lua", {"ifid": 0, "host": "1.2.3.4'--"}, want_ok=False)
        c.call("get/ntopng/session.lua")
        c.call("get/ntopng/users.lua")
        c.call("get/ntopng/prefs.lua")
        aggr = c.call("get/aggregation/list.lua", {"ifid": 0, "perPage": 5})
        if aggr and aggr["data"]:
            c.call("get/aggregation/contacts.lua", {"ifid": 0, "name": aggr["data"][0]["name"],
                                                    "family": aggr["data"][0]["family"]})
        c.call("get/alert/type/consts.lua")
        # the writes, each undone or harmless
        c.call("set/ntopng/user/add.lua", {"username": "carol", "password": "c1pw",
                                           "full_name": "Carol", "group": "unprivileged"})
        c.call("set/ntopng/user/password.lua", {"username": "carol", "new_password": "c2pw"})
        c.call("create/ntopng/api_token.lua", {"username": "carol"})
        c.call("create/ntopng/session.lua", {"username": "carol"})
        c.call("get/ntopng/users.lua", auth=("carol", "c2pw"), want_ok=False)
        c.call("set/ntopng/user/delete.lua", {"username": "carol"})
        c.call("set/ntopng/prefs.lua", {"flows_retention_days": 30})
        c.call("set/interface/name.lua", {"ifid": 0, "name": "teams"})
        c.call("set/interface/name.lua", {"ifid": 0, "name": ""})
        c.call("set/interface/state.lua", {"ifid": 0, "state": "disabled"})
        c.call("set/interface/state.lua", {"ifid": 0, "state": "enabled"})
        c.call("set/interface/state.lua", {"ifid": 0, "state": "paused"}, want_ok=False)
        rule = c.call("add/alert/threshold.lua", {
            "ifid": 0, "entity": "interface", "entity_val": "0", "metric": "bytes",
            "granularity": "min", "operator": "gt", "threshold": 1e15})
        c.call("get/alert/thresholds.lua", {"ifid": 0})
        if rule:
            c.call("delete/alert/threshold.lua", {"id": rule["id"]})
        c.call("set/interface/historical.lua", {"ifid": 0, "epoch_begin": now - 86400,
                                                "epoch_end": now})
        never = sorted(set(rows) - c.ok)
        expect(not never, "every route answered 200 at least once (not: %s)" % never)
        print("%d answers validated, %d routes answered 200" % (c.checked, len(c.ok)))


def main():
    r = subprocess.run([sys.executable, os.path.join(SRC, "tools", "openapi.py"), "--check",
                        DOC_PATH], capture_output=True, text=True)
    expect(r.returncode == 0, "the committed document is what tools/openapi.py writes %s"
           % r.stdout.strip())
    with open(DOC_PATH) as f:
        doc = json.load(f)
    expect(doc.get("openapi", "").startswith("3."), "an OpenAPI 3 document")
    validator_self_test(doc)
    rows = check_table(doc)
    check_params(doc)
    live(doc, rows)
    return node.summary()


if __name__ == "__main__":
    sys.exit(main())
