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
#include "merge/aggr.h"
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

	if (lua_type(L, idx) == LUA_TNUMBER) {
		id = luab_opt_int(L, idx, -1, &ok);
		return ok ? query_iface_by_id(id) : NULL;
	}
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

/* getNdpiProtoName(id) / getNdpiProtoBreed(id): from the interface's
 * nDPI module, on its owner; 65535 is upstream's host-to-host contact. */
static int
l7_name(lua_State *L, int breed)
{
	struct iface *ifc = luab_iface(L);
	struct query_l7_name_arg a;
	int ok;
	long id;
	json_t *o;

	if (!ifc)
		return 2;
	id = luab_opt_int(L, 1, -1, &ok);
	if (!ok || id < 0 || id > 65535)
		return luab_fail(L, "expected a protocol id");
	if (id == 65535) {
		lua_pushstring(L, breed ? "Unrated-to-Host Contact"
					: "Host-to-Host Contact");
		return 1;
	}
	memset(&a, 0, sizeof(a));
	a.id = (uint16_t)id;
	if (luab_query(L, ifc, query_b_l7_name, &a, sizeof(a), &o) != 0)
		return 2;
	json_decref(o);
	lua_pushstring(L, breed ? a.breed : a.name);
	return 1;
}

static int
l_getNdpiProtoName(lua_State *L)
{
	return l7_name(L, 0);
}

static int
l_getNdpiProtoBreed(lua_State *L)
{
	return l7_name(L, 1);
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

static void fnum(lua_State *L, int base, int k, double v);
static void fstr(lua_State *L, int base, int k, const char *v);
static void fbool(lua_State *L, int base, int k, int v);

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

/* Host names of the 2.3 tables, pushed once per call and reused from the
 * stack (no string hashing per host); the summary level is the first
 * HK_SUMMARY of them. */
enum {
	HK_IP,
	HK_MAC,
	HK_VLAN,
	HK_LOCAL,
	HK_BYTES_SENT,
	HK_BYTES_RCVD,
	HK_PRIVATE,
	HK_NAME,
	HK_NET_ID,
	HK_NET_NAME,
	HK_SYSTEM,
	HK_ACT_CLI,
	HK_ACT_SRV,
	HK_FIRST,
	HK_LAST,
	HK_DURATION,
	HK_BPS,
	HK_PPS,
	HK_ALERTS,
	HK_ASN,
	HK_ASNAME,
	HK_COUNTRY,
	HK_OS,
	HK_SUMMARY,
	HK_PKTS_SENT = HK_SUMMARY,
	HK_PKTS_RCVD,
	HK_FLOWS_CLI,
	HK_FLOWS_SRV,
	HK_IPV,
	HK_MULTICAST,
	HK_BROADCAST,
	HK_UNKNOWN,
	HK_SEQ,
	HK_LAT,
	HK_LON,
	HK_CITY,
	HK_L4, /* 4 groups x 4 counters follow */
	HK_N = HK_L4 + 16
};
static const char *const host_keys[HK_N] = {
	"ip",
	"mac",
	"vlan",
	"localhost",
	"bytes.sent",
	"bytes.rcvd",
	"privatehost",
	"name",
	"local_network_id",
	"local_network_name",
	"systemhost",
	"active_flows.as_client",
	"active_flows.as_server",
	"seen.first",
	"seen.last",
	"duration",
	"throughput_bps",
	"throughput_pps",
	"num_alerts",
	"asn",
	"asname",
	"country",
	"os",
	"packets.sent",
	"packets.rcvd",
	"flows.as_client",
	"flows.as_server",
	"ip_version",
	"is_multicast",
	"is_broadcast",
	"bytes.ndpi.unknown",
	"tcp.packets.seq_problems",
	"latitude",
	"longitude",
	"city",
	"tcp.bytes.sent",
	"tcp.bytes.rcvd",
	"tcp.packets.sent",
	"tcp.packets.rcvd",
	"udp.bytes.sent",
	"udp.bytes.rcvd",
	"udp.packets.sent",
	"udp.packets.rcvd",
	"icmp.bytes.sent",
	"icmp.bytes.rcvd",
	"icmp.packets.sent",
	"icmp.packets.rcvd",
	"other_ip.bytes.sent",
	"other_ip.bytes.rcvd",
	"other_ip.packets.sent",
	"other_ip.packets.rcvd",
};

#define HOST_GUARD "ntopng.host_flat"

static int
host_flat_gc(lua_State *L)
{
	struct query_host_flat *f = lua_touserdata(L, 1);

	if (f)
		query_host_flat_free(f);
	return 0;
}

/* Pushes one host record as a 2.3 table; base = the first name. */
static void
push_host_rec(lua_State *L, int base, const struct query_host_flat *o,
	      const struct query_host_rec *r, int info)
{
	char mac[MAC_STRLEN], ip[IPADDR_STRLEN];

	mac_fmt(r->mac, mac, sizeof(mac));
	lua_createtable(L, 0, info ? HK_N : HK_SUMMARY);
	fstr(L, base, HK_IP, ipaddr_fmt(&r->ip, ip, sizeof(ip)));
	fstr(L, base, HK_MAC, mac);
	fnum(L, base, HK_VLAN, r->vlan);
	fbool(L, base, HK_LOCAL, r->is_local);
	fnum(L, base, HK_BYTES_SENT, (double)r->cnt[0][0]);
	fnum(L, base, HK_BYTES_RCVD, (double)r->cnt[0][1]);
	fbool(L, base, HK_PRIVATE, ipaddr_is_private(&r->ip));
	if (o->arena[r->name])
		fstr(L, base, HK_NAME, o->arena + r->name);
	fnum(L, base, HK_NET_ID, r->local_net);
	if (r->net_name != UINT32_MAX)
		fstr(L, base, HK_NET_NAME, o->arena + r->net_name);
	fbool(L, base, HK_SYSTEM, 0);
	fnum(L, base, HK_ACT_CLI, r->active_flows_cli);
	fnum(L, base, HK_ACT_SRV, r->active_flows_srv);
	fnum(L, base, HK_FIRST, (double)r->first_s);
	fnum(L, base, HK_LAST, (double)r->last_s);
	fnum(L, base, HK_DURATION, (double)r->duration);
	fnum(L, base, HK_BPS, r->thpt_bps);
	fnum(L, base, HK_PPS, r->thpt_pps);
	fnum(L, base, HK_ALERTS, 0);
	fnum(L, base, HK_ASN, r->asn);
	fstr(L, base, HK_ASNAME, o->arena + r->asname);
	fstr(L, base, HK_COUNTRY, r->country);
	fnum(L, base, HK_OS, r->os);
	if (!info)
		return;
	fnum(L, base, HK_LAT, r->latitude);
	fnum(L, base, HK_LON, r->longitude);
	fstr(L, base, HK_CITY, o->arena + r->city);
	fnum(L, base, HK_PKTS_SENT, (double)r->cnt[0][2]);
	fnum(L, base, HK_PKTS_RCVD, (double)r->cnt[0][3]);
	fnum(L, base, HK_FLOWS_CLI, (double)r->total_flows_cli);
	fnum(L, base, HK_FLOWS_SRV, (double)r->total_flows_srv);
	fnum(L, base, HK_IPV, r->ip.v);
	fbool(L, base, HK_MULTICAST, ipaddr_is_multicast(&r->ip));
	fbool(L, base, HK_BROADCAST, ipaddr_is_broadcast(&r->ip));
	fnum(L, base, HK_UNKNOWN, (double)r->unknown_bytes);
	fbool(L, base, HK_SEQ, 0);
	for (int g = 0; g < 4; g++)
		for (int c = 0; c < 4; c++)
			fnum(L, base, HK_L4 + g * 4 + c,
			     (double)r->cnt[g + 1][c]);
}

/* {[hostkey] = host table 2.3} of every active host, from flat records
 * (the owner copies plain structs; no JSON object per host).  info: the
 * info level (getHostsInfo()), else the summary (getHosts(),
 * getHostsInfo(false)). */
static int
hosts_table(lua_State *L, int info)
{
	struct iface *ifc = luab_iface(L);
	struct query_host_flat tmp, *g;
	json_t *o;
	int base;

	if (!ifc)
		return 2;
	/* the guard first: from the query on, an error frees the records */
	g = lua_newuserdata(L, sizeof(*g));
	memset(g, 0, sizeof(*g));
	if (luaL_newmetatable(L, HOST_GUARD)) {
		lua_pushcfunction(L, host_flat_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	memset(&tmp, 0, sizeof(tmp));
	if (luab_query(L, ifc, query_b_hosts_flat, &tmp, sizeof(tmp), &o) != 0)
		return 2;
	*g = tmp;
	if (!o)
		return luab_fail(L, "out of memory");
	json_decref(o);
	if (!lua_checkstack(L, HK_N + 8))
		return luab_fail(L, "out of stack");
	base = lua_gettop(L) + 1;
	for (int k = 0; k < HK_N; k++)
		lua_pushstring(L, host_keys[k]);
	lua_createtable(L, 0, (int)g->n);
	for (size_t i = 0; i < g->n; i++) {
		const struct query_host_rec *r = &g->rec[i];
		char ip[IPADDR_STRLEN];

		if ((i & 1023) == 1023)
			luabind_check_deadline(L);
		ipaddr_fmt(&r->ip, ip, sizeof(ip));
		if (r->vlan)
			lua_pushfstring(L, "%s@%d", ip, (int)r->vlan);
		else
			lua_pushstring(L, ip);
		push_host_rec(L, base, g, r, info);
		lua_rawset(L, -3);
	}
	query_host_flat_free(g);
	return 1;
}

static int
l_getHosts(lua_State *L)
{
	return hosts_table(L, 0);
}

/* getHostsInfo([details = true]) */
static int
l_getHostsInfo(lua_State *L)
{
	return hosts_table(L, lua_isnoneornil(L, 1) || lua_toboolean(L, 1));
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

/* One host builder with (host[, vlan]) at idx: the object, or NULL with
 * nil, err pushed. */
static json_t *
host_ask(lua_State *L, int idx, query_build_fn b)
{
	struct iface *ifc = luab_iface(L);
	struct query_host_arg a;
	json_t *o;

	if (!ifc)
		return NULL;
	if (host_arg(L, idx, &a) != 0) {
		luab_fail(L, "expected host[, vlan]");
		return NULL;
	}
	if (luab_query(L, ifc, b, &a, sizeof(a), &o) != 0)
		return NULL;
	if (!o)
		luab_fail(L, "host not found");
	return o;
}

/* getHostActivityMap(host, aggregated[, vlan]): a JSON string, {"<epoch
 * of minute>": active seconds} (REST get/host/activitymap.lua's map);
 * nil for an unknown host or one without a map (remote hosts). */
static int
l_getHostActivityMap(lua_State *L)
{
	json_t *o;
	char *s;

	lua_settop(L, 3);
	lua_remove(L, 2); /* `aggregated` has no meaning here */
	o = host_ask(L, 1, query_b_host_activitymap);
	if (!o)
		return 2;
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s)
		return luab_fail(L, "out of memory");
	lua_pushstring(L, s);
	free(s);
	return 1;
}

static int
host_table(lua_State *L, query_build_fn b)
{
	json_t *o = host_ask(L, 1, b);

	if (!o)
		return 2;
	luab_push_json(L, o);
	json_decref(o);
	return 1;
}

/* correlateHostActivity(host[, vlan]): {[ip] = Pearson's r} */
static int
l_correlateHostActivity(lua_State *L)
{
	return host_table(L, query_b_host_correlate);
}

/* similarHostActivity(host[, vlan]): {[hostkey] = Jaccard} */
static int
l_similarHostActivity(lua_State *L)
{
	return host_table(L, query_b_host_similar);
}

/* findHost(text): {[hostkey] = label}: hosts whose IP, MAC, name, AS
 * name or country holds text (case-insensitive), at most 10, as REST
 * get/host/find.lua finds them (lua-api.md 2.8). */
#define FIND_HOST_MAX 10
static int
l_findHost(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	const char *s = luab_opt_str(L, 1);
	struct query_host_arg a;
	json_t *o, *h;
	size_t i;

	if (!ifc)
		return 2;
	if (!s || strlen(s) >= sizeof(a.host))
		return luab_fail(L, "findHost: expected string");
	memset(&a, 0, sizeof(a));
	snprintf(a.host, sizeof(a.host), "%s", s);
	a.vlan = FIND_HOST_MAX;
	if (luab_query(L, ifc, query_b_host_find, &a, sizeof(a), &o) != 0)
		return 2;
	if (!o)
		return luab_fail(L, "out of memory");
	lua_createtable(L, 0, (int)json_array_size(o));
	json_array_foreach(o, i, h)
	{
		const char *label =
			json_string_value(json_object_get(h, "label"));
		char key[128];

		host_key(h, key, sizeof(key));
		luab_set_str(L, key, label ? label : key);
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

/* The flat answer lives in a userdata whose __gc frees it, so a Lua
 * error on the way (the deadline, the state's memory cap) leaks nothing. */
#define FLAT_GUARD "ntopng.flow_flat"

static int
flat_gc(lua_State *L)
{
	struct query_flow_flat *f = lua_touserdata(L, 1);

	if (f)
		query_flow_flat_free(f);
	return 0;
}

/*
 * Runs the flat flow query (no JSON object per flow: the owner copies
 * plain records, this thread builds the tables) with the (host[, vlan])
 * at idx.  Returns the records, held by a guard pushed on the stack
 * (possibly none: an unknown host gives no flows, where upstream gave
 * every flow, lua-api.md 2.1), or NULL with nil, err pushed.
 */
static struct query_flow_flat *
flows_flat(lua_State *L, int idx)
{
	struct iface *ifc = luab_iface(L);
	struct query_flat_arg a;
	struct query_flow_flat *g;
	json_t *o;

	if (!ifc)
		return NULL;
	memset(&a, 0, sizeof(a));
	flow_query_init(&a.q);
	if (flow_host_arg(L, idx, &a.q) != 0) {
		luab_fail(L, "expected host[, vlan]");
		return NULL;
	}
	g = lua_newuserdata(L, sizeof(*g));
	memset(g, 0, sizeof(*g));
	if (luaL_newmetatable(L, FLAT_GUARD)) {
		lua_pushcfunction(L, flat_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	if (luab_query(L, ifc, query_b_flows_flat, &a, sizeof(a), &o) != 0)
		return NULL;
	*g = a.out; /* from here the guard owns the buffers */
	if (!o && !a.q.host_not_found) {
		luab_fail(L, "out of memory");
		return NULL;
	}
	json_decref(o);
	return g;
}

/* The field names of a 2.4 flow table, pushed once per call and reused
 * from the stack (no string hashing per row). */
enum {
	FK_KEY,
	FK_CLI_IP,
	FK_CLI_PORT,
	FK_CLI_ALLOWED,
	FK_CLI_SYSTEM,
	FK_SRV_IP,
	FK_SRV_PORT,
	FK_SRV_ALLOWED,
	FK_SRV_SYSTEM,
	FK_VLAN,
	FK_L4,
	FK_NDPI,
	FK_BYTES,
	FK_PACKETS,
	FK_C2S_BYTES,
	FK_S2C_BYTES,
	FK_C2S_PKTS,
	FK_S2C_PKTS,
	FK_FIRST,
	FK_LAST,
	FK_DURATION,
	FK_PASS,
	FK_BPS,
	FK_PPS,
	FK_INFO,
	FK_SEQ,
	FK_N
};
static const char *const flow_keys[FK_N] = {
	"key",
	"cli.ip",
	"cli.port",
	"cli.allowed_host",
	"cli.systemhost",
	"srv.ip",
	"srv.port",
	"srv.allowed_host",
	"srv.systemhost",
	"vlan",
	"proto.l4",
	"proto.ndpi",
	"bytes",
	"packets",
	"cli2srv.bytes",
	"srv2cli.bytes",
	"cli2srv.packets",
	"srv2cli.packets",
	"seen.first",
	"seen.last",
	"duration",
	"verdict.pass",
	"throughput_bps",
	"throughput_pps",
	"info",
	"tcp.seq_problems",
};

static void
fnum(lua_State *L, int base, int k, double v)
{
	lua_pushvalue(L, base + k);
	lua_pushnumber(L, v);
	lua_rawset(L, -3);
}

static void
fstr(lua_State *L, int base, int k, const char *v)
{
	lua_pushvalue(L, base + k);
	lua_pushstring(L, v);
	lua_rawset(L, -3);
}

static void
fbool(lua_State *L, int base, int k, int v)
{
	lua_pushvalue(L, base + k);
	lua_pushboolean(L, v);
	lua_rawset(L, -3);
}

/* Pushes one flat record as a 2.4 flow table; base = the first name. */
static void
push_flow_rec(lua_State *L, int base, const struct query_flow_flat *o,
	      const struct query_flow_rec *r)
{
	lua_createtable(L, 0, FK_N);
	fnum(L, base, FK_KEY, r->id);
	fstr(L, base, FK_CLI_IP, o->arena + r->cli_ip);
	fnum(L, base, FK_CLI_PORT, r->cli_port);
	fbool(L, base, FK_CLI_ALLOWED, r->cli_local);
	fbool(L, base, FK_CLI_SYSTEM, 0);
	fstr(L, base, FK_SRV_IP, o->arena + r->srv_ip);
	fnum(L, base, FK_SRV_PORT, r->srv_port);
	fbool(L, base, FK_SRV_ALLOWED, r->srv_local);
	fbool(L, base, FK_SRV_SYSTEM, 0);
	fnum(L, base, FK_VLAN, r->vlan);
	fstr(L, base, FK_L4, query_l4_name(r->l4_proto));
	fstr(L, base, FK_NDPI, o->arena + r->l7);
	fnum(L, base, FK_BYTES, (double)(r->c2s_bytes + r->s2c_bytes));
	fnum(L, base, FK_PACKETS, (double)(r->c2s_pkts + r->s2c_pkts));
	fnum(L, base, FK_C2S_BYTES, (double)r->c2s_bytes);
	fnum(L, base, FK_S2C_BYTES, (double)r->s2c_bytes);
	fnum(L, base, FK_C2S_PKTS, (double)r->c2s_pkts);
	fnum(L, base, FK_S2C_PKTS, (double)r->s2c_pkts);
	fnum(L, base, FK_FIRST, (double)r->first_s);
	fnum(L, base, FK_LAST, (double)r->last_s);
	fnum(L, base, FK_DURATION, (double)r->duration);
	fbool(L, base, FK_PASS, 1);
	fnum(L, base, FK_BPS, r->thpt_bps);
	fnum(L, base, FK_PPS, r->thpt_pps);
	fstr(L, base, FK_INFO, o->arena + r->info);
	if (r->l4_proto == 6)
		fbool(L, base, FK_SEQ, 0);
}

/* getFlowsInfo([host[, vlan]]): {[key] = flow 2.4}, key = the flow's
 * serial (REST hash_id), unique and exact in Lua. */
static int
l_getFlowsInfo(lua_State *L)
{
	struct query_flow_flat *f = flows_flat(L, 1);
	int base;

	if (!f)
		return 2;
	if (!lua_checkstack(L, FK_N + 8))
		return luab_fail(L, "out of stack");
	base = lua_gettop(L) + 1;
	for (int k = 0; k < FK_N; k++)
		lua_pushstring(L, flow_keys[k]);
	lua_createtable(L, 0, (int)f->n);
	for (size_t i = 0; i < f->n; i++) {
		if ((i & 1023) == 1023)
			luabind_check_deadline(L);
		lua_pushnumber(L, f->rec[i].id);
		push_flow_rec(L, base, f, &f->rec[i]);
		lua_rawset(L, -3);
	}
	query_flow_flat_free(f); /* now rather than at the next GC */
	return 1;
}

/* getFlowPeers([host[, vlan]]): {["cli srv"] = peer 2.5}, one entry per
 * flow (a pair's flows collapse onto one key, as upstream). */
static int
l_getFlowPeers(lua_State *L)
{
	struct query_flow_flat *f = flows_flat(L, 1);

	if (!f)
		return 2;
	lua_createtable(L, 0, (int)f->n);
	for (size_t i = 0; i < f->n; i++) {
		const struct query_flow_rec *r = &f->rec[i];
		const char *c = f->arena + r->cli_ip;
		const char *s = f->arena + r->srv_ip;
		char key[2 * 64];

		if (r->vlan)
			snprintf(key, sizeof(key), "%s@%u %s@%u", c, r->vlan, s,
				 r->vlan);
		else
			snprintf(key, sizeof(key), "%s %s", c, s);
		lua_createtable(L, 0, 12);
		luab_set_str(L, "client", c);
		luab_set_num(L, "client.vlan", r->vlan);
		luab_set_str(L, "server", s);
		luab_set_num(L, "server.vlan", r->vlan);
		luab_set_num(L, "sent", (double)r->c2s_bytes);
		luab_set_num(L, "rcvd", (double)r->s2c_bytes);
		luab_set_num(L, "duration", (double)r->duration);
		luab_set_str(L, "proto.ndpi", f->arena + r->l7);
		luab_set_num(L, "client.latitude", 0);
		luab_set_num(L, "client.longitude", 0);
		luab_set_num(L, "server.latitude", 0);
		luab_set_num(L, "server.longitude", 0);
		if ((i & 1023) == 1023)
			luabind_check_deadline(L);
		lua_setfield(L, -2, key);
	}
	query_flow_flat_free(f);
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

/* An aggregate's row (REST get/aggregation/ lists) with the upstream names of
 * lua-api.md 2.7 beside ours: family is the nDPI-like id (5, 7, 254),
 * queries.rcvd, seen.first, seen.last. */
static void
push_aggr(lua_State *L, json_t *row)
{
	luab_push_json(L, row);
	lua_getfield(L, -1, "family");
	lua_setfield(L, -2, "family_name");
	lua_getfield(L, -1, "family_id");
	lua_setfield(L, -2, "family");
	lua_getfield(L, -1, "queries");
	lua_setfield(L, -2, "queries.rcvd");
	lua_getfield(L, -1, "seen_first");
	lua_setfield(L, -2, "seen.first");
	lua_getfield(L, -1, "seen_last");
	lua_setfield(L, -2, "seen.last");
}

/* The family argument at idx: a name ("dns") or id (5, "5"); -1 = all
 * when absent; -2 when it names no family. */
static int
aggr_family_at(lua_State *L, int idx)
{
	int f;

	if (lua_isnoneornil(L, idx))
		return -1;
	if (!lua_isstring(L, idx))
		return -2;
	f = aggr_family_parse(lua_tostring(L, idx));
	return f < 0 ? -2 : f;
}

/* getAggregatedHostsInfo([family[, host]]): {[name] = aggregate}; only
 * the names `host` (an IP) asked for when given; {} with -A 0. */
static int
l_getAggregatedHostsInfo(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	struct query_aggr_arg a;
	size_t i, len = 0;
	json_t *o, *row;

	if (!ifc)
		return 2;
	memset(&a, 0, sizeof(a));
	a.family = aggr_family_at(L, 1);
	if (a.family == -2)
		return luab_fail(L, "family is dns, http or os (5, 7, 254)");
	if (!lua_isnoneornil(L, 2)) {
		const char *h = lua_tolstring(L, 2, &len);

		if (!h || len >= sizeof(a.host))
			return luab_fail(L, "host is an IP address");
		memcpy(a.host, h, len + 1);
	}
	if (luab_query(L, ifc, query_b_aggr_hosts, &a, sizeof(a), &o) != 0)
		return 2;
	if (!o)
		return luab_fail(L, "out of memory");
	lua_createtable(L, 0, (int)json_array_size(o));
	json_array_foreach(o, i, row)
	{
		const char *nm =
			json_string_value(json_object_get(row, "name"));

		if (!nm)
			continue;
		push_aggr(L, row);
		lua_setfield(L, -2, nm);
	}
	json_decref(o);
	return 1;
}

/* getAggregatedHostInfo(name[, family]): the aggregate with its
 * contacts, or nil. */
static int
l_getAggregatedHostInfo(lua_State *L)
{
	struct iface *ifc = luab_iface(L);
	struct query_aggr_arg a;
	size_t len = 0;
	const char *nm = lua_isstring(L, 1) ? lua_tolstring(L, 1, &len) : NULL;
	json_t *o;

	if (!ifc)
		return 2;
	memset(&a, 0, sizeof(a));
	if (!nm || len == 0 || len >= sizeof(a.name))
		return luab_fail(L, "expected a name (up to 255 characters)");
	memcpy(a.name, nm, len + 1);
	a.family = aggr_family_at(L, 2);
	if (a.family == -2)
		return luab_fail(L, "family is dns, http or os (5, 7, 254)");
	if (luab_query(L, ifc, query_b_aggr_host, &a, sizeof(a), &o) != 0)
		return 2;
	if (!o)
		return luab_fail(L, "not found");
	push_aggr(L, o);
	json_decref(o);
	return 1;
}

/* getAggregationFamilies(): {families = {dns = 5, ...}, counts = {...},
 * enabled, num_aggregations, ...} (REST get/aggregation/families.lua). */
static int
l_getAggregationFamilies(lua_State *L)
{
	return simple(L, query_b_aggr_families);
}

/* getNumAggregatedHosts(): the number of aggregates. */
static int
l_getNumAggregatedHosts(lua_State *L)
{
	if (simple(L, query_b_aggr_families) != 1)
		return 2;
	lua_getfield(L, -1, "num_aggregations");
	return 1;
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
	{ "getNdpiProtoName", l_getNdpiProtoName },
	{ "getNdpiProtoBreed", l_getNdpiProtoBreed },
	{ "getHosts", l_getHosts },
	{ "getHostsInfo", l_getHostsInfo },
	{ "getHostInfo", l_getHostInfo },
	{ "getHostNdpiStats", l_getHostNdpiStats },
	{ "findHost", l_findHost },
	{ "getHostActivityMap", l_getHostActivityMap },
	{ "correlateHostActivity", l_correlateHostActivity },
	{ "similarHostActivity", l_similarHostActivity },
	{ "getFlowsInfo", l_getFlowsInfo },
	{ "getFlowPeers", l_getFlowPeers },
	{ "findFlowByKey", l_findFlowByKey },
	{ "getFlowsStats", l_getFlowsStats },
	{ "getSources", l_getSources },
	{ "getOrigins", l_getOrigins },
	{ "queryHosts", l_queryHosts },
	{ "queryFlows", l_queryFlows },
	{ "getAggregatedHostsInfo", l_getAggregatedHostsInfo },
	{ "getAggregatedHostInfo", l_getAggregatedHostInfo },
	{ "getAggregationFamilies", l_getAggregationFamilies },
	{ "getNumAggregatedHosts", l_getNumAggregatedHosts },
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
