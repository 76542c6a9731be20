/*
 * bind_iface.c - the `interface` class (lua-api.md 2): the 2.0 methods
 * that mean something here, plus what this node adds (getSources,
 * getOrigins) and the pushdown extensions of 8.4 (queryHosts,
 * queryFlows).  Every reader asks the selected interface's owner
 * thread through luab_query() with the builder REST uses for the same
 * question (merge/query_build.c), then turns the jansson answer into
 * Lua tables on this thread; no table is ever read from here.  The
 * selection lives in the run's context (luabind_ctx()->ifid), which no
 * script can reach.  Methods without a meaning here are left out (nil
 * when called) and listed in docs/lua.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>

#include "lua/bind.h"
#include "lua/bind_util.h"
#include "merge/query.h"

/* ---- names and ids ---- */

/* The interface named by a name (display name, ifname or -i text) or
 * an id (number or numeric string); NULL when none. */
static struct iface *
iface_by_name_or_id(lua_State *L, int idx)
{
	const char *s;
	int ok;
	long id;

	if (lua_type(L, idx) == LUA_TNUMBER)
		return query_iface_by_id((long)lua_tonumber(L, idx));
	s = luab_opt_str(L, idx);
	if (!s)
		return NULL;
	for (int i = 0; i < query_iface_count(); i++) {
		struct iface *ifc = query_iface_at(i);
		const char *n = query_iface_name(ifc);
		const char *f = query_iface_ifname(ifc);
		const char *sp = query_iface_spec(ifc);

		if ((n && !strcmp(n, s)) || (f && !strcmp(f, s)) ||
		    (sp && !strcmp(sp, s)))
			return ifc;
	}
	id = luab_opt_int(L, idx, -1, &ok);
	return ok ? query_iface_by_id(id) : NULL;
}

static const char *
iface_display(struct iface *ifc)
{
	const char *n = query_iface_name(ifc);

	return n ? n : "";
}

static int
l_getDefaultIfName(lua_State *L)
{
	struct iface *ifc = query_iface_at(0);

	if (!ifc)
		return luab_fail(L, "no interface");
	lua_pushstring(L, iface_display(ifc));
	return 1;
}

static int
l_getIfNames(lua_State *L)
{
	int n = query_iface_count();

	lua_createtable(L, 0, n);
	for (int i = 0; i < n; i++) {
		char k[16];

		snprintf(k, sizeof(k), "%d", i);
		lua_pushstring(L, iface_display(query_iface_at(i)));
		lua_setfield(L, -2, k);
	}
	return 1;
}

/* select(name or id): the selection of this run; an unknown interface
 * gives nil, err and leaves the selection as it was (lua-api.md 8.8). */
static int
l_select(lua_State *L)
{
	struct luabind_ctx *c = luabind_ctx(L);
	struct iface *ifc = iface_by_name_or_id(L, 1);

	if (!c)
		return luab_fail(L, "no run context");
	if (!ifc)
		return luab_fail(L, "unknown interface");
	c->ifid = query_iface_id(ifc);
	lua_pushstring(L, iface_display(ifc));
	return 1;
}

static int
l_name2id(lua_State *L)
{
	struct iface *ifc = iface_by_name_or_id(L, 1);

	lua_pushnumber(L, ifc ? query_iface_id(ifc) : -1);
	return 1;
}

/* setActiveInterfaceId(id): checks the id, returns its name. */
static int
l_setActiveInterfaceId(lua_State *L)
{
	struct iface *ifc = iface_by_name_or_id(L, 1);

	if (!ifc)
		return luab_fail(L, "unknown interface");
	lua_pushstring(L, iface_display(ifc));
	return 1;
}

static int
l_isRunning(lua_State *L)
{
	lua_pushboolean(L, luab_iface(L) != NULL);
	return 1;
}

static int
l_isIdle(lua_State *L)
{
	lua_pushboolean(L, 0);
	return 1;
}

/* ---- interface statistics ---- */

static const char *
iface_type(struct iface *ifc)
{
	const char *sp = query_iface_spec(ifc);

	if (!sp)
		return "unknown";
	if (!strncmp(sp, "tcp://", 6) || !strncmp(sp, "ipc://", 6))
		return "zmq";
	if (!strncmp(sp, "udp://", 6))
		return "flow collector";
	if (strstr(sp, ".pcap"))
		return "pcap dump";
	return "pcap";
}

static void
alias(lua_State *L, json_t *o, const char *from, const char *to)
{
	luab_set_json(L, to, json_object_get(o, from));
}

/* getStats(): REST get/interface/data.lua as it is, plus the 2.2 names
 * of upstream's interface table (copies of the same numbers) and the
 * ndpi table of getNdpiStats. */
static int
l_getStats(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	struct query_iface_arg a = { 0 };
	json_t *o, *l7 = NULL;

	if (!ifc)
		return 2;
	if (luab_query(L, ifc, query_b_iface_data, &a, sizeof(a), &o) != 0)
		return 2;
	if (!o)
		return luab_fail(L, "out of memory");
	if (luab_query(L, ifc, query_b_l7_iface, NULL, 0, &l7) != 0) {
		json_decref(o);
		return 2;
	}
	luab_push_json(L, o);
	luab_set_str(L, "name", iface_display(ifc));
	luab_set_num(L, "id", query_iface_id(ifc));
	luab_set_str(L, "type", iface_type(ifc));
	luab_set_bool(L, "iface_sprobe", 0);
	luab_set_bool(L, "iface_inline", 0);
	luab_set_bool(L, "iface_view", 0);
	luab_set_bool(L, "aggregations_enabled", 0);
	alias(L, o, "packets", "stats_packets");
	alias(L, o, "bytes", "stats_bytes");
	alias(L, o, "drops", "stats_drops");
	alias(L, o, "num_flows", "stats_flows");
	alias(L, o, "num_hosts", "stats_hosts");
	luab_set_num(L, "stats_http_hosts", 0);
	luab_set_num(L, "stats_aggregations", 0);
	alias(L, o, "packets", "stats.packets");
	alias(L, o, "bytes", "stats.bytes");
	if (l7)
		luab_set_json(L, "ndpi", json_object_get(l7, "ndpi"));
	json_decref(l7);
	json_decref(o);
	return 1;
}

static int
l_getNdpiStats(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	struct l7_query q = { QUERY_L7_PROTO };
	json_t *o;

	if (!ifc)
		return 2;
	if (luab_query(L, ifc, query_b_l7_iface, &q, sizeof(q), &o) != 0)
		return 2;
	if (!o)
		return luab_fail(L, "out of memory");
	lua_createtable(L, 0, 1);
	luab_set_json(L, "ndpi", json_object_get(o, "ndpi"));
	json_decref(o);
	return 1;
}

/* getNdpiFlowsCount(): {[proto] = active flows}, protocols with > 0. */
static int
l_getNdpiFlowsCount(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	struct l7_query q = { QUERY_L7_PROTO };
	json_t *o, *nd, *e;
	const char *k;

	if (!ifc)
		return 2;
	if (luab_query(L, ifc, query_b_l7_iface, &q, sizeof(q), &o) != 0)
		return 2;
	if (!o)
		return luab_fail(L, "out of memory");
	nd = json_object_get(o, "ndpi");
	lua_createtable(L, 0, (int)json_object_size(nd));
	json_object_foreach(nd, k, e)
	{
		json_int_t n =
			json_integer_value(json_object_get(e, "num_flows"));

		if (n > 0)
			luab_set_num(L, k, (double)n);
	}
	json_decref(o);
	return 1;
}

static int
simple(lua_State *L, query_build_fn b)
{
	struct iface *ifc = luab_iface(L);
	json_t *o;

	if (!ifc)
		return 2;
	if (luab_query(L, ifc, b, NULL, 0, &o) != 0)
		return 2;
	if (!o)
		return luab_fail(L, "out of memory");
	luab_push_json(L, o);
	json_decref(o);
	return 1;
}

static int
l_getSources(lua_State *L)
{
	return simple(L, query_b_iface_sources);
}

static int
l_getOrigins(lua_State *L)
{
	return simple(L, query_b_iface_origins);
}

/* ---- hosts ---- */

/* The 2.0 host key of lua-api.md 0: "ip", or "ip@vlan" when vlan != 0. */
static void
host_key(json_t *h, char *buf, size_t len)
{
	const char *ip = json_string_value(json_object_get(h, "ip"));
	json_int_t vlan = json_integer_value(json_object_get(h, "vlan"));

	if (vlan)
		snprintf(buf, len, "%s@%lld", ip ? ip : "", (long long)vlan);
	else
		snprintf(buf, len, "%s", ip ? ip : "");
}

/* {[hostkey] = host table 2.3}: host/data of every active host, whose
 * flat dotted names are upstream's; the summary level is the same table
 * (a superset of it). */
static int
hosts_table(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	json_t *a, *h;
	size_t i;

	if (!ifc)
		return 2;
	if (luab_query(L, ifc, query_b_hosts_data, NULL, 0, &a) != 0)
		return 2;
	if (!a)
		return luab_fail(L, "out of memory");
	lua_createtable(L, 0, (int)json_array_size(a));
	json_array_foreach(a, i, h)
	{
		char key[128];

		if ((i & 1023) == 1023)
			luabind_check_deadline(L);
		host_key(h, key, sizeof(key));
		luab_push_json(L, h);
		lua_setfield(L, -2, key);
	}
	json_decref(a);
	return 1;
}

static int
l_getHosts(lua_State *L)
{
	return hosts_table(L);
}

static int
l_getHostsInfo(lua_State *L)
{
	return hosts_table(L);
}

/* Fills a host argument block from (host[, vlan]) at idx, idx+1. */
static int
host_arg(lua_State *L, int idx, struct query_host_arg *a)
{
	const char *h = luab_opt_str(L, idx);
	int ok;

	memset(a, 0, sizeof(*a));
	if (!h)
		return -1;
	snprintf(a->host, sizeof(a->host), "%s", h);
	a->vlan = (int)luab_opt_int(L, idx + 1, 0, &ok);
	if (!ok)
		return -1;
	if (!lua_isnoneornil(L, idx + 1) && !strchr(h, '@')) {
		/* the vlan argument overrides the @vlan part (lua-api.md 0);
		 * query_host_lookup reads "ip@vlan" */
		if (snprintf(a->host, sizeof(a->host), "%s@%d", h, a->vlan) >=
		    (int)sizeof(a->host))
			return -1;
	} else if (!lua_isnoneornil(L, idx + 1)) {
		char ip[QUERY_STR_MAX];

		snprintf(ip, sizeof(ip), "%s", h);
		*strchr(ip, '@') = '\0';
		if (snprintf(a->host, sizeof(a->host), "%s@%d", ip, a->vlan) >=
		    (int)sizeof(a->host))
			return -1;
	}
	return 0;
}

static int
l_getHostInfo(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	struct query_host_arg a;
	json_t *o;

	if (!ifc)
		return 2;
	if (host_arg(L, 1, &a) != 0)
		return luab_fail(L, "getHostInfo: expected host[, vlan]");
	if (luab_query(L, ifc, query_b_host_data, &a, sizeof(a), &o) != 0)
		return 2;
	if (!o)
		return luab_fail(L, "host not found");
	luab_push_json(L, o);
	json_decref(o);
	return 1;
}

/* getHostNdpiStats(host[, vlan]) (ours, named like getNdpiStats): the
 * host's L7 table as REST host/l7 gives it, under `ndpi`. */
static int
l_getHostNdpiStats(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	struct query_host_arg a;
	json_t *o;

	if (!ifc)
		return 2;
	if (host_arg(L, 1, &a) != 0)
		return luab_fail(L, "expected host[, vlan]");
	a.lq.group = QUERY_L7_PROTO;
	if (luab_query(L, ifc, query_b_host_l7, &a, sizeof(a), &o) != 0)
		return 2;
	if (!o)
		return luab_fail(L, "host not found");
	lua_createtable(L, 0, 1);
	luab_set_json(L, "ndpi", o);
	json_decref(o);
	return 1;
}

/* findHost(text): {[hostkey] = label}, a case-insensitive substring of
 * the IP or the name, at most 10 hits (lua-api.md 2.8). */
#define FIND_HOST_MAX 10
static int
l_findHost(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	const char *s = luab_opt_str(L, 1);
	struct host_query q;
	json_t *o, *h;
	size_t i;
	int hits = 0;

	if (!ifc)
		return 2;
	if (!s)
		return luab_fail(L, "findHost: expected string");
	memset(&q, 0, sizeof(q));
	q.vlan = -1;
	q.per_page = -1;
	q.page = 1;
	if (luab_query(L, ifc, query_b_hosts, &q, sizeof(q), &o) != 0)
		return 2;
	if (!o)
		return luab_fail(L, "out of memory");
	lua_createtable(L, 0, 4);
	json_array_foreach(json_object_get(o, "data"), i, h)
	{
		const char *ip = json_string_value(json_object_get(h, "ip"));
		const char *nm = json_string_value(json_object_get(h, "name"));
		const char *label = NULL;
		char key[128];

		if (ip && strcasestr(ip, s))
			label = ip;
		else if (nm && strcasestr(nm, s))
			label = nm;
		if (!label)
			continue;
		host_key(h, key, sizeof(key));
		luab_set_str(L, key, label);
		if (++hits >= FIND_HOST_MAX)
			break;
	}
	json_decref(o);
	return 1;
}

/* ---- flows ---- */

static void
set_path(lua_State *L, json_t *o, const char *a, const char *b, const char *to)
{
	luab_set_json(L, to, json_object_get(json_object_get(o, a), b));
}

/* One flow row (REST flow/active, verbose 2) as the 2.4 flow table. */
static void
push_flow(lua_State *L, json_t *r)
{
	json_t *th = json_object_get(r, "thpt");
	const char *hid = json_string_value(json_object_get(r, "hash_id"));

	lua_createtable(L, 0, 32);
	lua_pushnumber(L, hid ? strtod(hid, NULL) : 0);
	lua_setfield(L, -2, "key");
	set_path(L, r, "client", "ip", "cli.ip");
	set_path(L, r, "client", "port", "cli.port");
	set_path(L, r, "client", "name", "cli.host");
	set_path(L, r, "client", "is_broadcast_domain", "cli.allowed_host");
	set_path(L, r, "server", "ip", "srv.ip");
	set_path(L, r, "server", "port", "srv.port");
	set_path(L, r, "server", "name", "srv.host");
	set_path(L, r, "server", "is_broadcast_domain", "srv.allowed_host");
	luab_set_bool(L, "cli.systemhost", 0);
	luab_set_bool(L, "srv.systemhost", 0);
	alias(L, r, "vlan", "vlan");
	set_path(L, r, "protocol", "l4", "proto.l4");
	set_path(L, r, "protocol", "l7", "proto.ndpi");
	alias(L, r, "bytes", "bytes");
	alias(L, r, "packets", "packets");
	alias(L, r, "cli2srv.bytes", "cli2srv.bytes");
	alias(L, r, "srv2cli.bytes", "srv2cli.bytes");
	alias(L, r, "cli2srv.packets", "cli2srv.packets");
	alias(L, r, "srv2cli.packets", "srv2cli.packets");
	alias(L, r, "first_seen", "seen.first");
	alias(L, r, "last_seen", "seen.last");
	alias(L, r, "duration", "duration");
	luab_set_bool(L, "verdict.pass", 1);
	/* REST's thpt.bps is bits; upstream's throughput_bps is bytes/s */
	luab_set_num(L, "throughput_bps",
		     json_number_value(json_object_get(th, "bps")) / 8);
	alias(L, th, "pps", "throughput_pps");
	alias(L, r, "info", "info");
	alias(L, r, "origin", "origin");
	alias(L, r, "device_ip", "device_ip");
	if (json_object_get(r, "tcp"))
		luab_set_bool(L, "tcp.seq_problems", 0);
}

/* Runs a flow query (verbose 2); nil, err on timeout; an unknown host
 * gives an empty answer (upstream gave every flow: lua-api.md 2.1). */
static int
flows_run(lua_State *L, struct iface *ifc, struct flow_query *q, json_t **o)
{
	q->verbose = 2;
	if (luab_query(L, ifc, query_b_flows, q, sizeof(*q), o) != 0)
		return -1;
	if (!*o && !q->host_not_found) {
		luab_fail(L, "out of memory");
		return -1;
	}
	return 0;
}

static void
flow_query_init(struct flow_query *q)
{
	memset(q, 0, sizeof(*q));
	q->vlan = -1;
	q->l4proto = -1;
	q->per_page = -1;
	q->page = 1;
}

/* Fills q's host from (host[, vlan]) at idx; -1 on a bad argument. */
static int
flow_host_arg(lua_State *L, int idx, struct flow_query *q)
{
	struct query_host_arg a;

	if (lua_isnoneornil(L, idx))
		return 0;
	if (host_arg(L, idx, &a) != 0)
		return -1;
	snprintf(q->host, sizeof(q->host), "%s", a.host);
	return 0;
}

/* getFlowsInfo([host[, vlan]]): {[key] = flow 2.4}, key = the flow's
 * serial (REST hash_id), unique and exact in Lua. */
static int
l_getFlowsInfo(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	struct flow_query q;
	json_t *o, *r;
	size_t i;

	if (!ifc)
		return 2;
	flow_query_init(&q);
	if (flow_host_arg(L, 1, &q) != 0)
		return luab_fail(L, "getFlowsInfo: expected host[, vlan]");
	if (flows_run(L, ifc, &q, &o) != 0)
		return 2;
	if (!o) {
		lua_newtable(L);
		return 1;
	}
	lua_createtable(L, 0, (int)json_array_size(json_object_get(o, "data")));
	json_array_foreach(json_object_get(o, "data"), i, r)
	{
		if ((i & 1023) == 1023)
			luabind_check_deadline(L);
		push_flow(L, r);
		lua_getfield(L, -1, "key");
		lua_insert(L, -2);
		lua_settable(L, -3);
	}
	json_decref(o);
	return 1;
}

/* getFlowPeers([host[, vlan]]): {["cli srv"] = peer 2.5}, one entry per
 * flow (a pair's flows collapse onto one key, as upstream). */
static int
l_getFlowPeers(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	struct flow_query q;
	json_t *o, *r;
	size_t i;

	if (!ifc)
		return 2;
	flow_query_init(&q);
	if (flow_host_arg(L, 1, &q) != 0)
		return luab_fail(L, "getFlowPeers: expected host[, vlan]");
	if (flows_run(L, ifc, &q, &o) != 0)
		return 2;
	if (!o) {
		lua_newtable(L);
		return 1;
	}
	lua_createtable(L, 0, (int)json_array_size(json_object_get(o, "data")));
	json_array_foreach(json_object_get(o, "data"), i, r)
	{
		const char *c = json_string_value(
			json_object_get(json_object_get(r, "client"), "ip"));
		const char *s = json_string_value(
			json_object_get(json_object_get(r, "server"), "ip"));
		json_int_t vlan =
			json_integer_value(json_object_get(r, "vlan"));
		char key[2 * QUERY_STR_MAX];

		if ((i & 1023) == 1023)
			luabind_check_deadline(L);
		if (vlan)
			snprintf(key, sizeof(key), "%s@%lld %s@%lld",
				 c ? c : "", (long long)vlan, s ? s : "",
				 (long long)vlan);
		else
			snprintf(key, sizeof(key), "%s %s", c ? c : "",
				 s ? s : "");
		lua_createtable(L, 0, 12);
		luab_set_str(L, "client", c);
		luab_set_num(L, "client.vlan", (double)vlan);
		luab_set_str(L, "server", s);
		luab_set_num(L, "server.vlan", (double)vlan);
		alias(L, r, "cli2srv.bytes", "sent");
		alias(L, r, "srv2cli.bytes", "rcvd");
		alias(L, r, "duration", "duration");
		set_path(L, r, "protocol", "l7", "proto.ndpi");
		luab_set_num(L, "client.latitude", 0);
		luab_set_num(L, "client.longitude", 0);
		luab_set_num(L, "server.latitude", 0);
		luab_set_num(L, "server.longitude", 0);
		lua_setfield(L, -2, key);
	}
	json_decref(o);
	return 1;
}

/* findFlowByKey(key): the detail level of 2.4 (REST flow details plus
 * the 2.4 names), or nil when no active flow has that key. */
static int
l_findFlowByKey(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	struct query_flow_arg a;
	long id;
	int ok;
	json_t *o;

	if (!ifc)
		return 2;
	id = luab_opt_int(L, 1, -1, &ok);
	if (!ok || id < 0 || id > (long)UINT32_MAX)
		return luab_fail(L, "findFlowByKey: expected a flow key");
	memset(&a, 0, sizeof(a));
	a.id = (uint32_t)id;
	if (luab_query(L, ifc, query_b_flow_details, &a, sizeof(a), &o) != 0)
		return 2;
	if (!o)
		return luab_fail(L, "flow not found");
	push_flow(L, o);
	/* the REST detail fields too (tcp flags, l7 ids, additional
	 * fields), under their own names */
	{
		const char *k;
		json_t *e;

		json_object_foreach(o, k, e)
		{
			int absent;

			lua_getfield(L, -1, k);
			absent = lua_isnil(L, -1);
			lua_pop(L, 1);
			if (absent)
				luab_set_json(L, k, e);
		}
	}
	json_decref(o);
	return 1;
}

/* getFlowsStats(): {num_flows, protos = {[l7] = bytes}}. */
static int
l_getFlowsStats(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	struct l7_query q = { QUERY_L7_PROTO };
	json_t *o, *nd, *e;
	const char *k;

	if (!ifc)
		return 2;
	if (luab_query(L, ifc, query_b_l7_iface, &q, sizeof(q), &o) != 0)
		return 2;
	if (!o)
		return luab_fail(L, "out of memory");
	nd = json_object_get(o, "ndpi");
	lua_createtable(L, 0, 3);
	alias(L, o, "num_flows", "num_flows");
	lua_createtable(L, 0, (int)json_object_size(nd));
	json_object_foreach(nd, k, e)
	{
		double b = json_number_value(json_object_get(e, "bytes.sent")) +
			   json_number_value(json_object_get(e, "bytes.rcvd"));

		luab_set_num(L, k, b);
	}
	lua_setfield(L, -2, "protos");
	json_decref(o);
	return 1;
}

/* ---- pushdown (lua-api.md 8.4) ---- */

struct col {
	const char *name;
	int sort;
};

static const struct col host_cols[] = {
	{ "ip", QHS_IP },
	{ "name", QHS_NAME },
	{ "since", QHS_SINCE },
	{ "last", QHS_LAST },
	{ "vlan", QHS_VLAN },
	{ "num_flows", QHS_NUM_FLOWS },
	{ "traffic", QHS_TRAFFIC },
	{ "thpt", QHS_THPT },
	{ "mac", QHS_MAC },
	{ "local_network", QHS_LOCAL_NETWORK },
	{ "traffic_sent", QHS_TRAFFIC_SENT },
	{ "traffic_rcvd", QHS_TRAFFIC_RCVD },
	{ "traffic_unknown", QHS_TRAFFIC_UNKNOWN },
	{ "num_flows_as_client", QHS_FLOWS_CLI },
	{ "num_flows_as_server", QHS_FLOWS_SRV },
	{ NULL, 0 },
};

static const struct col flow_cols[] = {
	{ "client", QFS_CLIENT },
	{ "server", QFS_SERVER },
	{ "vlan", QFS_VLAN },
	{ "proto_l4", QFS_PROTO_L4 },
	{ "ndpi", QFS_L7 },
	{ "protocol", QFS_L7 },
	{ "duration", QFS_DURATION },
	{ "thpt", QFS_THPT },
	{ "bytes", QFS_BYTES },
	{ "first_seen", QFS_FIRST_SEEN },
	{ "last_seen", QFS_LAST_SEEN },
	{ "info", QFS_INFO },
	{ "key", QFS_KEY },
	{ NULL, 0 },
};

/* The string field k of the table at idx, or NULL. */
static const char *
field_str(lua_State *L, int idx, const char *k, char *buf, size_t len)
{
	const char *s = NULL;

	lua_getfield(L, idx, k);
	if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
		snprintf(buf, len, "%s", lua_tostring(L, -1));
		s = buf;
	}
	lua_pop(L, 1);
	return s;
}

/* The integer field k of the table at idx; def when absent; -1 in *bad
 * when present but not a number. */
static long
field_int(lua_State *L, int idx, const char *k, long def, int *bad)
{
	long v = def;
	int ok;

	lua_getfield(L, idx, k);
	if (!lua_isnil(L, -1)) {
		v = luab_opt_int(L, -1, def, &ok);
		if (!ok)
			*bad = 1;
	}
	lua_pop(L, 1);
	return v;
}

/* sortColumn / sortOrder / page / perPage of a pushdown query. */
static int
paging(lua_State *L, const struct col *cols, int *sort, int *desc,
       int *per_page, int *page)
{
	char buf[64];
	const char *s;
	int bad = 0;

	s = field_str(L, 1, "sortColumn", buf, sizeof(buf));
	if (s) {
		int found = 0;

		for (const struct col *c = cols; c->name; c++)
			if (!strcmp(c->name, s)) {
				*sort = c->sort;
				found = 1;
			}
		if (!found)
			return -1;
	}
	s = field_str(L, 1, "sortOrder", buf, sizeof(buf));
	if (s)
		*desc = !strcasecmp(s, "desc");
	*per_page = (int)field_int(L, 1, "perPage", 10, &bad);
	*page = (int)field_int(L, 1, "page", 1, &bad);
	if (*page < 1 || *per_page > 1000000)
		bad = 1;
	return bad ? -1 : 0;
}

/* {rows = {...}, totalRows = N}: rows as REST gives them. */
static int
push_rows(lua_State *L, json_t *o)
{
	lua_createtable(L, 0, 2);
	luab_set_json(L, "rows", json_object_get(o, "data"));
	alias(L, o, "totalRows", "totalRows");
	json_decref(o);
	return 1;
}

/* queryHosts{mode="all"|"local"|"remote", version=, vlan=, origin=,
 * sortColumn=, sortOrder=, page=, perPage=}: one page of REST
 * host/active rows, sorted and cut on the owner. */
static int
l_queryHosts(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	struct host_query q;
	char buf[80];
	const char *s;
	int bad = 0;
	json_t *o;

	if (!ifc)
		return 2;
	if (!lua_istable(L, 1))
		return luab_fail(L, "queryHosts: expected a table");
	memset(&q, 0, sizeof(q));
	q.sort = QHS_IP;
	if (paging(L, host_cols, &q.sort, &q.desc, &q.per_page, &q.page))
		return luab_fail(L, "queryHosts: bad sort or page");
	s = field_str(L, 1, "mode", buf, sizeof(buf));
	if (!s || !strcmp(s, "all"))
		q.mode = QUERY_HOSTS_ALL;
	else if (!strcmp(s, "local"))
		q.mode = QUERY_HOSTS_LOCAL;
	else if (!strcmp(s, "remote"))
		q.mode = QUERY_HOSTS_REMOTE;
	else
		return luab_fail(L, "queryHosts: bad mode");
	q.version = (int)field_int(L, 1, "version", 0, &bad);
	q.vlan = (int)field_int(L, 1, "vlan", -1, &bad);
	if (bad || (q.version != 0 && q.version != 4 && q.version != 6))
		return luab_fail(L, "queryHosts: bad filter");
	field_str(L, 1, "origin", q.origin, sizeof(q.origin));
	if (luab_query(L, ifc, query_b_hosts, &q, sizeof(q), &o) != 0)
		return 2;
	if (!o)
		return luab_fail(L, "out of memory");
	return push_rows(L, o);
}

/* queryFlows{host=, vlan=, l4proto=, application=, origin=,
 * sortColumn=, sortOrder=, page=, perPage=, verbose=}: one page of REST
 * flow/active rows; nil, "host not found" for an unknown host. */
static int
l_queryFlows(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	struct flow_query q;
	int bad = 0;
	json_t *o;

	if (!ifc)
		return 2;
	if (!lua_istable(L, 1))
		return luab_fail(L, "queryFlows: expected a table");
	flow_query_init(&q);
	q.sort = QFS_BYTES;
	q.desc = 1;
	if (paging(L, flow_cols, &q.sort, &q.desc, &q.per_page, &q.page))
		return luab_fail(L, "queryFlows: bad sort or page");
	field_str(L, 1, "host", q.host, sizeof(q.host));
	field_str(L, 1, "application", q.application, sizeof(q.application));
	field_str(L, 1, "origin", q.origin, sizeof(q.origin));
	q.vlan = (int)field_int(L, 1, "vlan", -1, &bad);
	q.l4proto = (int)field_int(L, 1, "l4proto", -1, &bad);
	lua_getfield(L, 1, "verbose");
	q.verbose = lua_toboolean(L, -1);
	lua_pop(L, 1);
	if (bad)
		return luab_fail(L, "queryFlows: bad filter");
	if (luab_query(L, ifc, query_b_flows, &q, sizeof(q), &o) != 0)
		return 2;
	if (!o)
		return luab_fail(L, q.host_not_found ? "host not found"
						     : "out of memory");
	return push_rows(L, o);
}

static const luaL_Reg iface_fns[] = {
	{ "getDefaultIfName", l_getDefaultIfName },
	{ "getIfNames", l_getIfNames },
	{ "select", l_select },
	{ "name2id", l_name2id },
	{ "setActiveInterfaceId", l_setActiveInterfaceId },
	{ "isRunning", l_isRunning },
	{ "isIdle", l_isIdle },
	{ "getStats", l_getStats },
	{ "getNdpiStats", l_getNdpiStats },
	{ "getNdpiFlowsCount", l_getNdpiFlowsCount },
	{ "getHosts", l_getHosts },
	{ "getHostsInfo", l_getHostsInfo },
	{ "getHostInfo", l_getHostInfo },
	{ "getHostNdpiStats", l_getHostNdpiStats },
	{ "findHost", l_findHost },
	{ "getFlowsInfo", l_getFlowsInfo },
	{ "getFlowPeers", l_getFlowPeers },
	{ "findFlowByKey", l_findFlowByKey },
	{ "getFlowsStats", l_getFlowsStats },
	{ "getSources", l_getSources },
	{ "getOrigins", l_getOrigins },
	{ "queryHosts", l_queryHosts },
	{ "queryFlows", l_queryFlows },
	{ NULL, NULL },
};

void
luab_open_iface(lua_State *L)
{
	for (const luaL_Reg *r = iface_fns; r->name; r++) {
		lua_pushcfunction(L, r->func);
		lua_setfield(L, -2, r->name);
	}
}
