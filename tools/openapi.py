#!/usr/bin/python3
"""openapi.py - writes httpdocs/rest/openapi.json, the OpenAPI 3.1
description of every route of webui/routes.c (served by the node at
/lua/rest/v2/openapi.json, browsed at /lua/rest_api.lua; docs/rest.md).

This file is the source: edit the ROUTES table below when a route is
added or changes, then run `tools/openapi.py` (or `make openapi`) and
commit both.  tests/e2e/openapi_routes.py fails when the JSON file is not
what this script writes, when a row of webui/routes.c has no path here
(or the reverse), when the administrator rule disagrees, and when a live
node's answers do not validate against the response schemas.

Schemas describe what clients may rely on: the keys listed under
"required" are always there, with those types; answers may carry more
keys (extensions, per-kind ledgers), as docs/rest.md says.

Usage: tools/openapi.py [--check] [OUT]  (default OUT: httpdocs/rest/openapi.json;
--check: exit 1 when OUT differs from what would be written)
"""
import json
import os
import sys

# ---- schema helpers ----


def I(desc=None):
    return _d({"type": "integer"}, desc)


def N(desc=None):
    return _d({"type": "number"}, desc)


def S(desc=None, enum=None):
    s = {"type": "string"}
    if enum:
        s["enum"] = list(enum)
    return _d(s, desc)


def B(desc=None):
    return _d({"type": "boolean"}, desc)


def _d(s, desc):
    if desc:
        s["description"] = desc
    return s


def obj(req=None, opt=None, desc=None, values=None):
    """An object whose keys `req` (name: schema) are always present and
    `opt` may be; `values`: schema of every other key (a map)."""
    s = {"type": "object"}
    props = dict(req or {})
    props.update(opt or {})
    if props:
        s["properties"] = props
    if req:
        s["required"] = list(req)
    if values is not None:
        s["additionalProperties"] = values
    return _d(s, desc)


def arr(items, desc=None):
    return _d({"type": "array", "items": items}, desc)


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


SCHEMAS = {}


def named(name, schema):
    """schema kept once under components/schemas; a $ref to it."""
    SCHEMAS[name] = schema
    return ref(name)


def nullable(s):
    return {"oneOf": [s, {"type": "null"}]}


# ---- parameters ----

def P(name, schema, desc, required=False):
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": desc}


IFID = P("ifid", I(), "interface id (get/ntopng/interfaces.lua)", True)
HOST = P("host", S(), "host: IP, IP@vlan or name", True)
VLAN = P("vlan", I(), "VLAN id of the host")
PAGING = [P("perPage", I(), "rows per page (10)"), P("currentPage", I(), "page, from 1"),
          P("sortColumn", S(), "column to sort by"),
          P("sortOrder", S(enum=["asc", "desc"]), "sort order")]


# ---- shared answer shapes ----

def paged(row):
    return obj({"data": arr(row), "currentPage": I(), "perPage": I(), "totalRows": I(),
                "sort": arr(arr(S()))})


GEO_ROW = {"num_hosts": I(), "bytes_sent": I(), "bytes_rcvd": I(), "traffic": I(),
           "throughput": N("bytes/s"), "seen_since": I("epoch s")}

IFACE_SUMMARY = named("IfaceSummary", obj({
    "ifid": S("interface id, as a string (upstream)"), "ifname": S(), "description": S(),
    "drops": I(), "throughput_bps": N("bytes/s"), "num_flows": I(), "num_hosts": I(),
    "num_local_hosts": I(), "num_devices": I(), "uptime": S(), "localtime": S(),
    "is_loading": B(), "input_ended": B("every input is exhausted"),
    "disabled": B("ours: disabled at run time (set/interface/state.lua)"),
    "engaged_alerts": I(), "alerted_flows": I(), "score": I(), "throughput": obj()}))

IFACE_DATA = named("IfaceData", {"allOf": [IFACE_SUMMARY, obj({
    "packets": I(), "bytes": I(), "throughput_pps": N(), "speed": I(), "epoch": I(),
    "decode_errors": obj({"bad_packets": I()}), "ip_packets": I(), "ip_bytes": I(),
    "hierarchy": obj({"loops_refused": I(), "duplicates_refused": I(), "updates_refused": I()}),
    "tcpPacketStats": obj()},
    {"zmqRecvStats": obj({"flows": I(), "events": I(), "zmq_msg_rcvd": I(),
                          "zmq_msg_drops": I()})})]})

HOST_ROW = named("HostRow", obj({
    "ip": S(), "vlan": I(), "key": S(), "name": S(), "first_seen": I(), "last_seen": I(),
    "bytes": obj({"sent": I(), "recvd": I(), "total": I()}), "thpt": obj(),
    "num_flows": obj(), "num_alerts": I(), "score": obj({"total": I()}),
    "is_localhost": B(), "is_multicast": B(), "is_broadcast": B(), "is_broadcast_domain": B(),
    "is_blacklisted": B(), "country": S(), "city": S(), "asn": I(), "asname": S(),
    "os": I(), "os_name": S()}))

HOST_DATA = named("HostData", obj({
    "ip": S(), "vlan": I(), "ifid": I(), "name": S(), "ip_version": I(), "localhost": B(),
    "mac": S(), "country": S(), "asn": I(), "asname": S(), "os": I(),
    "seen.first": I(), "seen.last": I(), "duration": I(),
    "bytes.sent": I(), "bytes.rcvd": I(), "packets.sent": I(), "packets.rcvd": I(),
    "throughput_bps": N(), "active_flows.as_client": I(), "active_flows.as_server": I(),
    "total_flows.as_client": I(), "total_flows.as_server": I(), "score": I(),
    "ndpi": obj(values=obj()), "name_source": S()}))

PEER = named("Peer", obj({"ip": S(), "port": I(), "name": S(), "is_broadcast_domain": B(),
            "is_blacklisted": B()}))

FLOW_ROW = named("FlowRow", obj({
    "key": S("flow hash"), "hash_id": S("serial id (flow_key of flow/details.lua)"),
    "first_seen": I(), "last_seen": I(), "duration": I(), "client": PEER, "server": PEER,
    "vlan": I(), "protocol": obj({"l4": S(), "l7": S()}), "bytes": I(), "thpt": obj(),
    "breakdown": obj({"cli2srv": N(), "srv2cli": N()}), "info": S(), "flow_risk": I(),
    "flow_risk_info": obj(values=S()), "score": I()},
    {"packets": I("with verbose"), "device_ip": S(), "origin": S()}))

L7_SLICE = named("L7Slice", obj({"label": S(), "value": I()}, {"url": S(), "duration": I()}))

ALERT = named("Alert", obj({"id": I(), "ifid": I(), "type": I(), "type_key": S(), "severity": I(),
             "severity_name": S(), "entity": S(), "entity_val": S(), "metric": S(),
             "value": N(), "threshold": N(), "tstamp": I(), "msg": S()},
            {"tstamp_end": I(), "peak": N(), "site_path": S(), "node_id": S()}))

THRESHOLD = named("Threshold", obj({"id": I(), "ifid": I(), "entity": S(), "entity_val": S(), "metric": S(),
                 "granularity": S(), "operator": S(), "threshold": N()}))

SOURCE = named("Source", obj({"index": I(), "kind": S(enum=["pcap_live", "pcap_file", "zmq", "flow_udp",
                                             "historical"]),
              "spec": S("the -i text"), "state": S(enum=["active", "ended", "failed"]),
              "records": I(), "bytes": I(), "errors": I(),
              "suspended": B("closed while its interface is disabled")}))

TS = named("Ts", obj({"schema": S(), "start": I(), "end": I(), "step": I(),
          "series": arr(obj({"label": S(), "data": arr(nullable(N())), "total": N()}))}))

HISTORICAL = named("Historical", obj({"ifid": I(), "src_ifid": I(), "src_dir": S(), "epoch_begin": I(),
                  "epoch_end": I(), "loaded_flows": I(), "rejected_rows": I(),
                  "files_read": arr(S()), "missing_files": arr(S()),
                  "corrupt_files": arr(obj({"file": S(), "error": S()})), "flows": I(),
                  "hosts": I(), "bytes": I(), "packets": I()}))

EMPTY = obj(desc="{} on success")

# ---- the routes: path after /lua/rest/v2/ -> (summary, params, rsp schema) ----
# Method: get/ and connect/ paths are GET, the others POST (the node takes
# any method for any route; parameters may be in the query string, a JSON
# object body or form fields).  Administrator rule: webui/routes.c.

ROUTES = {
    "connect/test.lua": ("Connection test", [], arr({})),
    "get/ntopng/interfaces.lua": (
        "The interfaces", [],
        arr(obj({"ifid": I(), "ifname": S(), "name": S(), "description": S("the -i text"),
                 "state": S("ours", ["enabled", "disabled"])}))),
    "get/interface/data.lua": (
        "Interface counters", [
            P("ifid", I(), "interface id (or iffilter)"),
            P("iffilter", S(enum=["all"]), "all: an object of every interface by ifid"),
            P("type", S(enum=["summary"]), "fewer keys")],
        {"anyOf": [IFACE_DATA, IFACE_SUMMARY, obj(values=IFACE_DATA)],
         "description": "IfaceData; with type=summary IfaceSummary; with iffilter=all an "
                        "object of IfaceData by ifid"}),
    "get/interface/address.lua": ("The device's own addresses", [IFID],
                                  obj({"addresses": arr(S())})),
    "get/interface/sources.lua": ("Ours: the inputs of an interface and their ledgers",
                                  [IFID], arr(SOURCE)),
    "get/interface/origins.lua": (
        "Ours: the nodes whose flows a merged interface holds, their snapshots, restarts "
        "and missed traffic (docs/hierarchy.md)", [IFID],
        arr(obj({"origin": S(), "site_path": S(), "local": B(), "updates": I(), "bytes": I(),
                 "packets": I(), "duplicates_refused": I(), "last_seen": I(),
                 "throughput_bps": N(), "flows": I(), "snapshot_records": I(),
                 "snapshot_stale": I(), "covered_refused": I(), "restarts": I(),
                 "orphaned_flows": I(), "start": I(), "uptime": I(), "version": S(),
                 "export_interval": I(), "last_event": I(),
                 "declared": obj({"flows": I(), "bytes": I(), "packets": I()}),
                 "missed_expired": obj({"flows": I(), "bytes": I(), "packets": I()})}))),
    "get/interface/l7/stats.lua": (
        "L7 protocol slices", [IFID, P("ndpistats_mode", S(enum=["count", "sinceStartup"]),
                                       "what to count", True),
                               P("breed", B(), "by breed"), P("ndpi_category", B(), "by category"),
                               P("max_values", I(), "slices (5)"),
                               P("all_values", B(), "every slice"),
                               P("collapse_stats", B(), "fold small slices (true)")],
        arr(L7_SLICE)),
    "get/interface/l7/data.lua": (
        "L7 protocol table", [IFID],
        arr(obj({"application": obj({"name": S(), "id": I()}),
                 "bytes": obj({"rcvd": I(), "sent": I(), "total": I(), "percentage": N()}),
                 "packets": obj({"rcvd": I(), "sent": I(), "total": I()}), "breed": S(),
                 "tot_num_flows": I()}))),
    "get/host/active.lua": (
        "Active hosts", [IFID] + PAGING + [
            P("all", S(), "every row"), P("mode", S(enum=["all", "local", "remote",
                                                         "broadcast_domain"]), "which hosts"),
            P("version", I(), "4 or 6"), VLAN, P("asn", I(), "hosts of this AS"),
            P("country", S(), "hosts of this country (ISO code)"),
            P("origin", S(), "node id (hierarchies)")],
        paged(HOST_ROW)),
    "get/host/data.lua": ("One host (flat dotted keys)",
                          [IFID, HOST, VLAN, P("host_stats", B(), "more keys")], HOST_DATA),
    "get/host/find.lua": (
        "Ours: hosts matching a search", [IFID, P("query", S(), "substring", True),
                                          P("limit", I(), "10, at most 100")],
        obj({"query": S(), "results": arr(obj({"key": S(), "label": S(), "ip": S(), "vlan": I(),
                                               "name": S(), "mac": S(), "match": S()}))})),
    "get/host/custom_data.lua": (
        "Host fields by alias", [IFID, P("host", S(), "one host (else every host)"), VLAN,
                                 P("field_alias", S(), "a,b=alias or all")],
        {"oneOf": [obj(), arr(obj())]}),
    "get/host/interfaces.lua": ("Interfaces that see a host", [HOST, VLAN],
                                obj(values=arr(obj({"ifid": I()})))),
    "get/host/l7/stats.lua": (
        "A host's L7 slices", [IFID, HOST, VLAN, P("breed", B(), "by breed"),
                               P("ndpi_category", B(), "by category"),
                               P("collapse_stats", B(), "fold small slices")],
        arr(L7_SLICE)),
    "get/flow/active.lua": (
        "Active flows", [IFID] + PAGING + [
            P("host", S(), "flows of this host"), VLAN, P("l4proto", I(), "IP protocol"),
            P("application", S(), "L7 name or id"), P("verbose", B(), "more keys"),
            P("origin", S(), "node id (hierarchies)")],
        paged(FLOW_ROW)),
    "get/flow/l4/counters.lua": ("Active flows per IP protocol", [IFID],
                                 arr(obj({"id": I(), "count": I()}))),
    "get/flow/l7/counters.lua": ("Active flows per application", [IFID],
                                 arr(obj({"name": S(), "count": I()}))),
    "get/flow/traffic_stats.lua": (
        "Bytes of the matching flows", [IFID, P("host", S(), "filter"), VLAN,
                                        P("l4proto", I(), "filter"),
                                        P("application", S(), "filter"),
                                        P("origin", S(), "node id (hierarchies)")],
        obj({"totBytesSent": I(), "totBytesRcvd": I()})),
    "get/flow/graph.lua": (
        "Host pairs of the active flows", [IFID, P("host", S(), "pairs of this host"), VLAN],
        obj({"nodes": arr(obj({"node_id": S(), "label": S(), "link": S(), "name": S(),
                               "host": S(), "vlan": I()})),
             "links": arr(obj({"source_node_id": S(), "target_node_id": S(), "label": S(),
                               "value": I(), "source": I(), "target": I(), "sent": I(),
                               "rcvd": I()})),
             "max_entries_reached": B()})),
    "get/host/l4/contacted_hosts_data.lua": (
        "Distinct peers of a host", [IFID, HOST, VLAN],
        obj({"labels": arr(S()), "series": arr(I()), "colors": arr(S())})),
    "get/host/activitymap.lua": (
        "Ours: a local host's activity map", [IFID, HOST, VLAN,
                                              P("seconds", B(), "the active seconds")],
        {"oneOf": [obj(values=I()), arr(I())]}),
    "get/host/correlation.lua": (
        "Ours: hosts whose activity correlates", [IFID, HOST, VLAN,
                                                 P("method", S(enum=["pearson", "jaccard"]),
                                                   "measure"),
                                                 P("max", I(), "10, 1-100")],
        arr(obj({"ip": S(), "key": S(), "vlan": I(), "name": S(), "value": N()}))),
    "get/asn/asn_info.lua": (
        "An AS of the interface", [IFID, P("asn", I(), "AS number (0)")],
        arr(obj({"id": I(), "name": S(), "first_seen": I(), "last_seen": I(), "num_hosts": I(),
                 "bytes_sent": I(), "bytes_rcvd": I(), "packets_sent": I(),
                 "packets_rcvd": I()}))),
    "get/asn/asn_name.lua": ("AS name of an address", [P("ip", S(), "address", True)], S()),
    "get/country/country_name.lua": (
        "Country name", [P("country_id", I(), "ISO letters, first in the high byte", True)], S()),
    "get/ntopng/redis.lua": (
        "Ours: key-value store and writer counters", [],
        obj({"kv": obj({"redis_connected": B(), "embedded": B(), "reconnects": I(),
                        "write_failures": I(), "ops": I()}),
             "writer": obj({"posted": I(), "written": I(), "dropped": I(), "queued": I()})},
            {"clickhouse": obj(
                {"connected": B(), "server": S("version, e.g. 18.16"),
                 "posted": I(), "queued": I(), "queue_dropped": I(), "rows_inserted": I(),
                 "batches_inserted": I(), "insert_failures": I(), "spooled_batches": I(),
                 "spool_batches": I(), "spool_bytes": I(), "spool_rows": I(),
                 "spool_dropped_batches": I(), "spool_dropped_rows": I(),
                 "spool_rejected_batches": I(), "spool_rejected_rows": I(),
                 "spool_errors": I(), "partitions_dropped": I()},
                desc="-F clickhouse only (docs/storage.md)")})),
    "set/interface/historical.lua": (
        "Load flow history into the Historical interface (-F)",
        [P("ifid", I(), "interface whose files to read"),
         P("ifname", S(), "or: name of any interface"),
         P("epoch_begin", I(), "start, epoch s", True), P("epoch_end", I(), "end", True),
         P("all", B(), "ClickHouse: every row, whichever writer and interface"),
         P("instance", S(), "ClickHouse: the writer's --instance-name"),
         P("host", S(), "ClickHouse: flows of this IP"),
         P("port", I(), "ClickHouse: client or server port"),
         P("l4proto", I(), "ClickHouse: IP protocol"), VLAN,
         P("protocol", S(), "ClickHouse: nDPI application"),
         P("site", S(), "ClickHouse: site path prefix"),
         P("node", S(), "ClickHouse: node id")],
        HISTORICAL),
    "get/db/flows.lua": (
        "Ours: flow history (-F) of a time range: filters, totals, top-N, one page",
        [P("ifid", I(), "interface whose SQLite day files to read (0)"),
         P("ifname", S(), "or: name of any interface (SQLite)"),
         P("epoch_begin", I(), "start, epoch s (end - 3600)"),
         P("epoch_end", I(), "end, epoch s (now)"),
         P("host", S(), "client or server IP"), P("port", I(), "client or server port"),
         P("l4proto", I(), "IP protocol"), VLAN,
         P("protocol", S(), "nDPI application (name or id)"),
         P("site", S(), "site path prefix (ClickHouse)"), P("node", S(), "node id (ClickHouse)"),
         P("instance", S(), "writer's --instance-name (ClickHouse)"),
         P("top", I(), "entries of the top lists (10, at most 100)"),
         P("perPage", I(), "rows per page (10, at most 1000)"),
         P("currentPage", I(), "page, from 1"),
         P("sortColumn", S(enum=["bytes", "packets", "first_seen", "last_seen", "duration"]),
           "column to sort by (bytes)"),
         P("sortOrder", S(enum=["asc", "desc"]), "sort order (desc)")],
        obj({"backend": S(enum=["sqlite", "clickhouse"]), "epoch_begin": I(), "epoch_end": I(),
             "totals": obj({"flows": I(), "bytes": I(), "packets": I()}),
             "data": arr(obj({"first_seen": I(), "last_seen": I(), "duration": I(), "vlan": I(),
                              "cli_ip": S(), "cli_port": I(), "srv_ip": S(), "srv_port": I(),
                              "proto": I(), "l7_name": S(), "bytes": I(),
                              "cli2srv_bytes": I(), "srv2cli_bytes": I(), "packets": I(),
                              "info": S()})),
             "currentPage": I(), "perPage": I(), "totalRows": I(), "sort": arr(arr(S())),
             "top_hosts": arr(obj({"ip": S(), "bytes": I(), "flows": I()})),
             "top_protocols": arr(obj({"name": S(), "bytes": I(), "flows": I()}))},
            {"files_read": arr(S()), "missing_files": arr(S()),
             "corrupt_files": arr(obj({"file": S(), "error": S()}))})),
    "get/timeseries/ts.lua": (
        "Ours: a time series", [IFID, P("schema", S(enum=["iface:traffic", "host:traffic",
                                                           "iface:ndpi"]), "series", True),
                                P("host", S(), "host:traffic"), VLAN,
                                P("protocol", S(), "iface:ndpi"),
                                P("epoch_begin", I(), "start, epoch s"),
                                P("epoch_end", I(), "end, epoch s")],
        TS),
    "get/ntopng/session.lua": (
        "Who am I", [],
        obj({"user": S(), "group": S(enum=["administrator", "unprivileged"]),
             "csrf": S("token for state-changing calls of a cookie session"),
             "default_password": B(), "session": B(), "session_ttl": I(),
             "features": obj(opt={"sources": B("get/interface/sources.lua is served"),
                                  "flows_store": S("-F's store", ["none", "sqlite",
                                                                  "clickhouse"])})})),
    "get/ntopng/users.lua": (
        "The users", [],
        obj(values=obj({"username": S(), "full_name": S(), "group": S(), "allowed_nets": S(),
                        "allowed_ifname": S()}))),
    "set/ntopng/user/add.lua": (
        "Add a user", [P("username", S(), "name", True), P("password", S(), "password", True),
                       P("full_name", S(), "full name"),
                       P("group", S(enum=["administrator", "unprivileged"]), "group")], EMPTY),
    "set/ntopng/user/delete.lua": ("Delete a user", [P("username", S(), "name", True)], EMPTY),
    "set/ntopng/user/password.lua": (
        "Change a password (yours, or anyone's for an administrator)",
        [P("username", S(), "whose", True), P("new_password", S(), "new", True),
         P("old_password", S(), "required for your own")], EMPTY),
    "create/ntopng/api_token.lua": (
        "A new API token (shown once)", [P("username", S(), "yourself, or anyone (admin)")],
        obj({"api_token": S()})),
    "create/ntopng/session.lua": (
        "A new session", [P("username", S(), "yourself, or anyone (admin)"),
                          P("auth_session_duration", I(), "accepted")],
        obj({"session": S()})),
    "get/ntopng/prefs.lua": (
        "Preferences", [],
        obj({"auth_session_duration": I(), "flows_retention_days": I(),
             "interfaces": arr(obj({"ifid": I(), "ifname": S(), "name": S(),
                                    "custom_name": S()}))})),
    "set/ntopng/prefs.lua": (
        "Set preferences", [P("auth_session_duration", I(), "seconds"),
                            P("flows_retention_days", I(), "0-36500")], EMPTY),
    "set/interface/name.lua": (
        "Name an interface", [IFID, P("name", S(), "up to 63 characters, empty: default", True)],
        EMPTY),
    "set/interface/state.lua": (
        "Ours: enable or disable an interface at run time (seed 1.2): disabled, its "
        "sources are closed and its tables kept; kept across restarts",
        [IFID, P("state", S(enum=["enabled", "disabled"]), "the new state", True)],
        obj({"ifid": I(), "state": S(enum=["enabled", "disabled"])})),
    "get/vlan/list.lua": (
        "VLANs", [IFID] + PAGING,
        paged(obj(dict(GEO_ROW, vlan=I(), packets=I(), packets_sent=I(), packets_rcvd=I(),
                       non_ip_bytes=I(), last_seen=I())))),
    "get/asn/list.lua": ("ASes", [IFID] + PAGING,
                         paged(obj(dict(GEO_ROW, asn=I(), asname=S())))),
    "get/country/list.lua": ("Countries", [IFID] + PAGING,
                             paged(obj(dict(GEO_ROW, country=S(), name=S())))),
    "get/aggregation/list.lua": (
        "Ours: -A aggregations of one family", [IFID, P("family", S(), "dns, http or os"),
                                               P("host", S(), "names this IP contacted")] + PAGING,
        paged(obj({"name": S(), "family": S(), "family_id": I(), "seen_first": I(),
                   "seen_last": I(), "queries": I(), "flows": I(), "bytes": I(),
                   "num_contacts": I(), "contacts_dropped": I()}))),
    "get/aggregation/contacts.lua": (
        "Ours: one aggregation's contacts", [IFID, P("name", S(), "aggregated name", True),
                                            P("family", S(), "dns, http or os")],
        obj({"name": S(), "family": S(), "contacts": arr(obj({"ip": S(), "vlan": I(),
                                                               "local": B(), "count": I(),
                                                               "seen_last": I()}))})),
    "get/aggregation/families.lua": (
        "Ours: aggregation families and counts", [IFID],
        obj({"enabled": B(), "families": obj(values=I()), "counts": obj(values=I()),
             "num_aggregations": I(), "max_aggregations": I(), "refused": I(), "purged": I(),
             "total": I()})),
    "get/geo/hosts.lua": (
        "Ours: the hosts map's markers", [IFID],
        obj({"hosts": arr(obj({"ip": S(), "key": S(), "vlan": I(), "lat": N(), "lon": N(),
                               "bytes": I()})),
             "origins": arr(obj({"id": S(), "located_hosts": I()})), "truncated": B(),
             "tiles_url": S()})),
    "get/interface/matrix.lua": (
        "Ours: traffic between the top hosts", [IFID, P("max_hosts", I(), "at most 20")],
        obj({"hosts": arr(obj({"ip": S(), "key": S(), "vlan": I(), "name": S(), "bytes": I()})),
             "matrix": arr(arr(I()))})),
    "get/flow/details.lua": (
        "Ours: one flow", [IFID, P("flow_key", I(), "the flow's hash_id", True)],
        obj({"hash_id": S(), "client": PEER, "server": PEER, "protocol": obj(), "bytes": I()})),
    "add/alert/threshold.lua": (
        "Add a threshold rule",
        [IFID, P("entity", S(enum=["interface", "host", "network", "source", "site"]), "entity",
                 True),
         P("entity_val", S(), "which one", True),
         P("metric", S(enum=["bytes", "packets", "flows", "throughput", "drops", "icmp"]),
           "metric", True),
         P("granularity", S(enum=["min", "5mins", "hour", "day"]), "period", True),
         P("operator", S(enum=["gt", "lt"]), "comparison", True),
         P("threshold", N(), "value", True)],
        obj({"id": I()})),
    "delete/alert/threshold.lua": ("Delete a threshold rule", [P("id", I(), "rule id", True)],
                                   obj({"id": I()})),
    "get/alert/thresholds.lua": ("Threshold rules", [IFID], arr(THRESHOLD)),
    "get/alert/list.lua": (
        "Engaged or past alerts", [IFID, P("status", S(enum=["engaged", "past"]), "engaged"),
                                   P("entity", S(), "filter"), P("entity_val", S(), "filter"),
                                   P("site", S(), "site-path prefix"),
                                   P("severity", S(), "name or id"),
                                   P("epoch_begin", I(), "from"), P("epoch_end", I(), "to"),
                                   P("perPage", I(), "10, at most 1000"),
                                   P("currentPage", I(), "page")],
        obj({"data": arr(ALERT), "totalRows": I()})),
    "get/alert/type/consts.lua": (
        "Alert types, severities and rule vocabulary", [],
        obj({"types": arr(obj({"id": I(), "key": S(), "label": S(), "severity": I(),
                               "severity_name": S()})),
             "severities": arr(obj({"id": I(), "name": S()})),
             "entities": arr(obj({"id": I(), "name": S()})),
             "metrics": arr(S()), "granularities": arr(obj({"name": S(), "seconds": I()})),
             "operators": arr(S())})),
}

# administrator-only routes (webui/routes.c: REST_ADMIN, or a verb that
# writes, unless REST_SELF); the test checks this list against the table
SELF = {"set/ntopng/user/password.lua"}
WRITE_VERBS = ("set/", "add/", "edit/", "delete/", "enable/", "disable/", "reset/")
ADMIN_ROWS = {"get/ntopng/users.lua"}


def admin_only(path):
    if path in SELF:
        return False
    return path in ADMIN_ROWS or path.startswith(WRITE_VERBS)


def method(path):
    return "get" if path.startswith(("get/", "connect/")) else "post"


def envelope(rsp):
    return {"allOf": [ref("Envelope"), obj({"rsp": rsp})]}


ERRORS = {
    "400": "INVALID_ARGUMENTS or INVALID_INTERFACE",
    "401": "NOT_GRANTED (not an administrator)",
    "403": "NOT_GRANTED (cross-site request, missing CSRF token)",
    "404": "NOT_FOUND",
    "500": "INTERNAL_ERROR (also: the interface did not answer in 5 s)",
}


def operation(path, summary, params, rsp):
    op = {
        "operationId": path[:-4].replace("/", "_"),
        "summary": summary,
        "tags": [path.split("/")[0]],
        "parameters": params,
        "responses": {
            "200": {"description": "OK (rc 0)",
                    "content": {"application/json": {"schema": envelope(rsp)}}},
        },
        "x-administrator": admin_only(path),
    }
    for code in ERRORS:
        op["responses"][code] = {"$ref": "#/components/responses/" + code}
    if method(path) == "post":
        props = {p["name"]: p["schema"] for p in params}
        body = obj(values=None)
        if props:
            body["properties"] = props
        op["requestBody"] = {
            "required": False,
            "description": "the parameters may also come as a JSON object body or form "
                           "fields (they override the query string)",
            "content": {"application/json": {"schema": body},
                        "application/x-www-form-urlencoded": {"schema": body}}}
    return op


def document():
    paths = {}
    for path in sorted(ROUTES):
        summary, params, rsp = ROUTES[path]
        paths["/lua/rest/v2/" + path] = {method(path): operation(path, summary, params, rsp)}
    paths["/lua/rest/version.lua"] = {"get": {
        "operationId": "version", "summary": "Supported API versions (no envelope)",
        "tags": ["meta"], "security": [],
        "responses": {"200": {"description": "OK", "content": {"application/json": {
            "schema": obj({"supported_versions": arr(obj({"version": S(), "root": S()})),
                           "current_version": S()})}}}}}}
    paths["/metrics"] = {"get": {
        "operationId": "metrics", "summary": "Prometheus text exposition (docs/metrics.md)",
        "tags": ["meta"],
        "responses": {"200": {"description": "OpenMetrics / Prometheus text format",
                              "content": {"text/plain": {"schema": S()}}}}}}
    paths["/lua/rest/v2/openapi.json"] = {"get": {
        "operationId": "openapi", "summary": "This document", "tags": ["meta"],
        "responses": {"200": {"description": "OpenAPI 3.1",
                              "content": {"application/json": {"schema": obj()}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ntopng-in-C REST API",
            "version": "2",
            "description": "ntopng's REST v2 API as this node serves it (docs/rest.md). Every "
                           "answer but version.lua is the envelope {rc, rc_str, rc_str_hr, rsp}. "
                           "/lua/rest/v1/ is an alias of every /lua/rest/v2/ path. Routes with "
                           "x-administrator true are for administrators; state-changing calls "
                           "of a cookie session need its CSRF token (X-CSRF-Token header or "
                           "csrf parameter). Written by tools/openapi.py.",
        },
        "servers": [{"url": "/"}],
        "security": [{"basic": []}, {"token": []}, {"session": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "basic": {"type": "http", "scheme": "basic"},
                "token": {"type": "apiKey", "in": "header", "name": "Authorization",
                          "description": "Token <32 hex> (create/ntopng/api_token.lua)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "responses": {code: {"description": desc, "content": {"application/json": {
                "schema": ref("ErrorEnvelope")}}} for code, desc in ERRORS.items()},
            "schemas": dict(SCHEMAS, **{
                "Envelope": obj({"rc": I("0 on success"), "rc_str": S(), "rc_str_hr": S(),
                                 "rsp": {}}),
                "ErrorEnvelope": obj({"rc": I("negative"),
                                      "rc_str": S(enum=["NOT_FOUND", "INVALID_INTERFACE",
                                                        "NOT_GRANTED", "INVALID_HOST",
                                                        "INVALID_ARGUMENTS",
                                                        "INTERNAL_ERROR"]),
                                      "rc_str_hr": S(), "rsp": arr({})}),
            }),
        },
    }


def render():
    return json.dumps(document(), indent=1, sort_keys=False) + "\n"


def main(argv):
    check = "--check" in argv
    rest = [a for a in argv if a != "--check"]
    here = os.path.dirname(os.path.abspath(__file__))
    out = rest[0] if rest else os.path.join(here, "..", "httpdocs", "rest", "openapi.json")
    text = render()
    if check:
        try:
            with open(out) as f:
                same = f.read() == text
        except OSError:
            same = False
        if not same:
            print("%s is not what tools/openapi.py writes: run tools/openapi.py" % out)
            return 1
        return 0
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
