/*
 * test_lua_bind.c - the `interface` and `ntop` classes (lua/bind_*.c)
 * on a plain LuaJIT state (no engine): luaL_newstate + luaL_openlibs +
 * luabind_open + luabind_set_ctx, then Lua chunks whose answers are
 * compared with the query builders' own, run through query_run() on a
 * real interface whose owner thread has read a real capture
 * (KakaoTalk_chat.pcap).  The key-value cache runs on the embedded store
 * (no Redis at the given address), the RRDs in a temporary data dir.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "common/prefs.h"
#include "lua/bind.h"
#include "merge/iface.h"
#include "merge/query.h"
#include "sources/sources.h"
#include "state/kv.h"

/* the shared captures, as tests/e2e/node.py finds them */
#define PCAP_NAME "pcaps/KakaoTalk_chat.pcap"
static char pcap_path[512];

static struct prefs test_prefs;
static struct iface *test_ifc;
static struct iface *ifc_list[1];
static char data_dir[] = "/tmp/test_lua_bind.XXXXXX";
static char httpdocs[600];

static int
setup(void **state)
{
	const char *shared = getenv("NTOPNG_SHARED");

	(void)state;
	snprintf(pcap_path, sizeof(pcap_path), "%s/" PCAP_NAME,
		 shared ? shared : "/work/shared");
	if (access(pcap_path, R_OK) != 0) {
		fprintf(stderr, "missing %s\n", pcap_path);
		return -1;
	}
	if (!mkdtemp(data_dir))
		return -1;
	snprintf(httpdocs, sizeof(httpdocs), "%s/httpdocs", data_dir);
	if (mkdir(httpdocs, 0700) != 0)
		return -1;
	memset(&test_prefs, 0, sizeof(test_prefs));
	netlist_init(&test_prefs.local_nets);
	netlist_add(&test_prefs.local_nets, "10.0.0.0/8", NULL, 0);
	test_prefs.max_num_flows = 4096;
	test_prefs.max_num_hosts = 4096;
	test_prefs.data_dir = data_dir;
	test_prefs.httpdocs_dir = httpdocs;
	test_prefs.scripts_dir = data_dir;
	test_prefs.callbacks_dir = data_dir;
	test_prefs.http_port = 3000;
	/* nothing listens on port 1: the embedded store */
	test_prefs.redis = (char *)"127.0.0.1:1";
	if (kv_open(&test_prefs) != 0 || !kv_is_embedded())
		return -1;
	sources_register();
	test_ifc = iface_new(0, pcap_path, &test_prefs);
	if (!test_ifc || iface_start(test_ifc) != 0)
		return -1;
	for (int i = 0; i < 200 && !iface_inputs_ended(test_ifc); i++)
		usleep(50 * 1000);
	if (!iface_inputs_ended(test_ifc))
		return -1;
	ifc_list[0] = test_ifc;
	node_ifaces = ifc_list;
	node_n_ifaces = 1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[700];

	(void)state;
	node_n_ifaces = 0;
	iface_stop(test_ifc);
	iface_free(test_ifc);
	kv_close();
	netlist_fini(&test_prefs.local_nets);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", data_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct luabind_ctx run_ctx;

static lua_State *
new_state(int admin)
{
	lua_State *L = luaL_newstate();

	assert_non_null(L);
	luaL_openlibs(L);
	luabind_open(L);
	memset(&run_ctx, 0, sizeof(run_ctx));
	run_ctx.prefs = &test_prefs;
	run_ctx.admin = admin;
	run_ctx.ifid = query_iface_id(test_ifc);
	snprintf(run_ctx.user, sizeof(run_ctx.user), "%s",
		 admin ? "admin" : "bob");
	luabind_set_ctx(L, &run_ctx);
	return L;
}

/* Runs chunk, expecting nret results on the stack. */
static void
run(lua_State *L, const char *chunk, int nret)
{
	lua_settop(L, 0);
	if (luaL_loadstring(L, chunk) != 0 || lua_pcall(L, 0, nret, 0) != 0)
		fail_msg("chunk failed: %s\n%s", lua_tostring(L, -1), chunk);
}

static double
num(lua_State *L, int idx)
{
	assert_int_equal(lua_type(L, idx), LUA_TNUMBER);
	return lua_tonumber(L, idx);
}

static json_t *
ask(query_build_fn b, void *arg, size_t sz)
{
	json_t *o = NULL;

	assert_int_equal(query_run(test_ifc, b, arg, sz, &o), 0);
	assert_non_null(o);
	return o;
}

static double
jnum(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	assert_non_null(v);
	return json_number_value(v);
}

/* getStats() carries REST interface/data's numbers, and the 2.2 names. */
static void
test_getstats(void **state)
{
	lua_State *L = new_state(0);
	struct query_iface_arg a = { 0 };
	json_t *o;

	(void)state;
	o = ask(query_b_iface_data, &a, sizeof(a));
	run(L,
	    "local s = interface.getStats()\n"
	    "return s.bytes, s.packets, s.num_flows, s.num_hosts,\n"
	    "  s.stats_bytes, s.stats_packets, s.stats_flows, s.ifname,\n"
	    "  s.decode_errors.bad_packets, s.id, s.ndpi ~= nil",
	    11);
	assert_true(jnum(o, "bytes") > 0);
	assert_true(num(L, 1) == jnum(o, "bytes"));
	assert_true(num(L, 2) == jnum(o, "packets"));
	assert_true(num(L, 3) == jnum(o, "num_flows"));
	assert_true(num(L, 4) == jnum(o, "num_hosts"));
	assert_true(num(L, 5) == jnum(o, "bytes"));
	assert_true(num(L, 6) == jnum(o, "packets"));
	assert_true(num(L, 7) == jnum(o, "num_flows"));
	assert_string_equal(lua_tostring(L, 8),
			    json_string_value(json_object_get(o, "ifname")));
	assert_true(num(L, 9) ==
		    jnum(json_object_get(o, "decode_errors"), "bad_packets"));
	assert_true(num(L, 10) == query_iface_id(test_ifc));
	assert_true(lua_toboolean(L, 11));
	/* the capture's known totals (REFERENCE.tsv: 347 packets) */
	assert_true(num(L, 2) == 347);
	json_decref(o);
	lua_close(L);
}

/* Hosts: count and bytes of getHostsInfo / getHosts as the builder's;
 * getHostInfo of one host as query_b_host_data's. */
static void
test_hosts(void **state)
{
	lua_State *L = new_state(0);
	json_t *all, *h, *one;
	struct query_host_arg ha;
	double sent = 0, rcvd = 0;
	const char *ip;
	char chunk[512];
	size_t i;

	(void)state;
	all = ask(query_b_hosts_data, NULL, 0);
	json_array_foreach(all, i, h)
	{
		sent += jnum(h, "bytes.sent");
		rcvd += jnum(h, "bytes.rcvd");
	}
	assert_true(json_array_size(all) > 5);
	run(L,
	    "local n, s, r = 0, 0, 0\n"
	    "for k, h in pairs(interface.getHostsInfo()) do\n"
	    "  n = n + 1; s = s + h['bytes.sent']; r = r + h['bytes.rcvd']\n"
	    "  assert(k == h.ip or k == h.ip .. '@' .. h.vlan)\n"
	    "end\n"
	    "local m = 0\n"
	    "for k, h in pairs(interface.getHosts()) do m = m + 1 end\n"
	    "return n, s, r, m",
	    4);
	assert_true(num(L, 1) == (double)json_array_size(all));
	assert_true(num(L, 2) == sent);
	assert_true(num(L, 3) == rcvd);
	assert_true(num(L, 4) == (double)json_array_size(all));

	/* the info level: the same numbers as host/data, host by host */
	run(L, "T = interface.getHostsInfo()", 0);
	json_array_foreach(all, i, h)
	{
		json_int_t vlan =
			json_integer_value(json_object_get(h, "vlan"));
		char key[128];

		if (vlan)
			snprintf(key, sizeof(key), "%s@%lld",
				 json_string_value(json_object_get(h, "ip")),
				 (long long)vlan);
		else
			snprintf(key, sizeof(key), "%s",
				 json_string_value(json_object_get(h, "ip")));
		snprintf(chunk, sizeof(chunk),
			 "local h = T['%s'] return h['packets.sent'],"
			 " h['tcp.bytes.rcvd'], h['flows.as_client'],"
			 " h['udp.packets.sent'], h.mac, h['seen.first'],"
			 " h['active_flows.as_server'], h.localhost,"
			 " h.asn, h.country, h.os, h.city",
			 key);
		run(L, chunk, 12);
		assert_true(num(L, 9) == jnum(h, "asn"));
		assert_string_equal(
			lua_tostring(L, 10),
			json_string_value(json_object_get(h, "country")));
		assert_true(num(L, 11) == jnum(h, "os"));
		assert_string_equal(
			lua_tostring(L, 12),
			json_string_value(json_object_get(h, "city")));
		assert_true(num(L, 1) == jnum(h, "packets.sent"));
		assert_true(num(L, 2) == jnum(h, "tcp.bytes.rcvd"));
		assert_true(num(L, 3) == jnum(h, "flows.as_client"));
		assert_true(num(L, 4) == jnum(h, "udp.packets.sent"));
		assert_string_equal(
			lua_tostring(L, 5),
			json_string_value(json_object_get(h, "mac")));
		assert_true(num(L, 6) == jnum(h, "seen.first"));
		assert_true(num(L, 7) == jnum(h, "active_flows.as_server"));
		assert_int_equal(lua_toboolean(L, 8),
				 json_is_true(json_object_get(h, "localhost")));
	}
	run(L,
	    "local _, h = next(interface.getHosts())\n"
	    "return h['packets.sent'], h['bytes.sent'] ~= nil",
	    2);
	assert_true(lua_isnil(L, 1)); /* the summary level */
	assert_true(lua_toboolean(L, 2));

	ip = json_string_value(json_object_get(json_array_get(all, 0), "ip"));
	memset(&ha, 0, sizeof(ha));
	snprintf(ha.host, sizeof(ha.host), "%s", ip);
	one = ask(query_b_host_data, &ha, sizeof(ha));
	snprintf(chunk, sizeof(chunk),
		 "local h = interface.getHostInfo('%s')\n"
		 "return h['bytes.sent'], h['packets.rcvd'], h.ip,"
		 " h['active_flows.as_client'], type(h.ndpi)",
		 ip);
	run(L, chunk, 5);
	assert_true(num(L, 1) == jnum(one, "bytes.sent"));
	assert_true(num(L, 2) == jnum(one, "packets.rcvd"));
	assert_string_equal(lua_tostring(L, 3), ip);
	assert_true(num(L, 4) == jnum(one, "active_flows.as_client"));
	assert_string_equal(lua_tostring(L, 5), "table");
	/* an unknown host: nil and a reason */
	run(L, "return interface.getHostInfo('203.0.113.250')", 2);
	assert_true(lua_isnil(L, 1));
	assert_string_equal(lua_tostring(L, 2), "host not found");
	/* findHost finds it by a part of its address */
	snprintf(chunk, sizeof(chunk),
		 "local t = interface.findHost('%s') return t['%s']", ip, ip);
	run(L, chunk, 1);
	assert_string_equal(lua_tostring(L, 1), ip);
	/* the activity map: the builder's object as a JSON string */
	{
		json_t *m = ask(query_b_host_activitymap, &ha, sizeof(ha));
		char *want = json_dumps(m, JSON_COMPACT);

		snprintf(chunk, sizeof(chunk),
			 "return interface.getHostActivityMap('%s', false),"
			 " type(interface.correlateHostActivity('%s')),"
			 " interface.getHostActivityMap('203.0.113.250')",
			 ip, ip);
		run(L, chunk, 3);
		assert_non_null(want);
		assert_string_equal(lua_tostring(L, 1), want);
		assert_string_equal(lua_tostring(L, 2), "table");
		assert_true(lua_isnil(L, 3));
		free(want);
		json_decref(m);
	}
	json_decref(one);
	json_decref(all);
	lua_close(L);
}

/* Flows: getFlowsInfo's count and bytes as the flow list's, unique
 * keys, findFlowByKey of each, per-direction bytes adding up. */
static void
test_flows(void **state)
{
	lua_State *L = new_state(0);
	struct flow_query q;
	json_t *o, *r;
	double bytes = 0;
	size_t i;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.vlan = -1;
	q.l4proto = -1;
	q.per_page = -1;
	q.page = 1;
	o = ask(query_b_flows, &q, sizeof(q));
	json_array_foreach(json_object_get(o, "data"), i, r) bytes +=
		jnum(r, "bytes");
	assert_true(jnum(o, "totalRows") > 10);
	run(L,
	    "local n, b, bad = 0, 0, 0\n"
	    "for k, f in pairs(interface.getFlowsInfo()) do\n"
	    "  n = n + 1; b = b + f.bytes\n"
	    "  if f['cli2srv.bytes'] + f['srv2cli.bytes'] ~= f.bytes then\n"
	    "    bad = bad + 1 end\n"
	    "  if f.key ~= k then bad = bad + 1 end\n"
	    "  local d = interface.findFlowByKey(k)\n"
	    "  if not d or d.bytes ~= f.bytes or d['cli.ip'] ~= f['cli.ip']\n"
	    "  then bad = bad + 1 end\n"
	    "end\n"
	    "local p = 0\n"
	    "for k, e in pairs(interface.getFlowPeers()) do p = p + 1 end\n"
	    "return n, b, bad, p",
	    4);
	assert_true(num(L, 1) == jnum(o, "totalRows"));
	assert_true(num(L, 2) == bytes);
	assert_true(num(L, 3) == 0);
	assert_true(num(L, 4) >= 1 && num(L, 4) <= num(L, 1));
	/* a host's flows: the flow list's for that host */
	{
		const char *ip = json_string_value(json_object_get(
			json_object_get(
				json_array_get(json_object_get(o, "data"), 0),
				"client"),
			"ip"));
		char chunk[256];
		json_t *oh;

		snprintf(q.host, sizeof(q.host), "%s", ip);
		oh = ask(query_b_flows, &q, sizeof(q));
		snprintf(chunk, sizeof(chunk),
			 "local n = 0 for k in pairs(interface.getFlowsInfo("
			 "'%s')) do n = n + 1 end return n",
			 ip);
		run(L, chunk, 1);
		assert_true(num(L, 1) == jnum(oh, "totalRows"));
		json_decref(oh);
	}
	run(L,
	    "local n = 0 for k in pairs(interface.getFlowsInfo("
	    "'203.0.113.250')) do n = n + 1 end\n"
	    "return n, interface.findFlowByKey(4000000000)",
	    2);
	assert_true(num(L, 1) == 0);
	assert_true(lua_isnil(L, 2));
	json_decref(o);
	lua_close(L);
}

/* Pushdown: one page, sorted on the owner; totals as the builder's. */
static void
test_pushdown(void **state)
{
	lua_State *L = new_state(0);

	(void)state;
	run(L,
	    "local h = interface.queryHosts{sortColumn='traffic',"
	    " sortOrder='desc', perPage=3, page=1}\n"
	    "local f = interface.queryFlows{perPage=2}\n"
	    "local s = interface.getStats()\n"
	    "local ok = h.rows[1].bytes.total >= h.rows[2].bytes.total\n"
	    "return #h.rows, h.totalRows, s.num_hosts, #f.rows, f.totalRows,\n"
	    "  s.num_flows, ok, interface.queryHosts{sortColumn='nope'}",
	    8);
	assert_true(num(L, 1) == 3);
	assert_true(num(L, 2) == num(L, 3));
	assert_true(num(L, 4) == 2);
	assert_true(num(L, 5) == num(L, 6));
	assert_true(lua_toboolean(L, 7));
	assert_true(lua_isnil(L, 8));
	lua_close(L);
}

/* Names, ids and select: an unknown interface is nil, never 0. */
static void
test_select(void **state)
{
	lua_State *L = new_state(0);

	(void)state;
	run(L,
	    "local a, e = interface.select('nosuch')\n"
	    "local b = interface.select(0)\n"
	    "local names = interface.getIfNames()\n"
	    "return a, e, b, names['0'], interface.name2id('nosuch'),\n"
	    "  interface.name2id(interface.getDefaultIfName()),\n"
	    "  interface.isRunning(), interface.select(99)",
	    8);
	assert_true(lua_isnil(L, 1));
	assert_string_equal(lua_tostring(L, 2), "unknown interface");
	assert_string_equal(lua_tostring(L, 3), lua_tostring(L, 4));
	assert_true(num(L, 5) == -1);
	assert_true(num(L, 6) == 0);
	assert_true(lua_toboolean(L, 7));
	assert_true(lua_isnil(L, 8));
	assert_int_equal(run_ctx.ifid, 0);
	/* numbers no id can be: nil, never a cast of NaN or 1e300 */
	run(L,
	    "return interface.select(0/0), interface.select(1e300),"
	    " interface.name2id(-1e300), ntop.setCache('k', 'v', 1e300)",
	    4);
	assert_true(lua_isnil(L, 1));
	assert_true(lua_isnil(L, 2));
	assert_true(num(L, 3) == -1);
	assert_true(lua_isnil(L, 4));
	/* a run past its deadline: the methods raise, nothing leaks (the
	 * ASan run checks that) */
	run_ctx.deadline_ms = 1;
	run(L,
	    "local a, e = pcall(interface.getFlowsInfo)\n"
	    "local b, f = pcall(interface.getHostsInfo)\n"
	    "return a, e, b, f",
	    4);
	assert_false(lua_toboolean(L, 1));
	assert_non_null(strstr(lua_tostring(L, 2), "deadline exceeded"));
	assert_false(lua_toboolean(L, 3));
	assert_non_null(strstr(lua_tostring(L, 4), "deadline exceeded"));
	run_ctx.deadline_ms = 0;
	/* a selection that names no interface: every method says so */
	run_ctx.ifid = 42;
	run(L, "return interface.getStats()", 2);
	assert_true(lua_isnil(L, 1));
	assert_non_null(strstr(lua_tostring(L, 2), "does not exist"));
	lua_close(L);
}

/* L7, sources and origins come from their builders. */
static void
test_l7_sources(void **state)
{
	lua_State *L = new_state(0);
	struct l7_query lq = { QUERY_L7_PROTO };
	json_t *o = ask(query_b_l7_iface, &lq, sizeof(lq));
	json_t *fb = json_object_get(json_object_get(o, "ndpi"), "Facebook");

	(void)state;
	assert_non_null(fb);
	run(L,
	    "local n = interface.getNdpiStats().ndpi.Facebook\n"
	    "local s = interface.getSources()\n"
	    "return n['bytes.sent'], n['bytes.rcvd'], #s, s[1].kind,\n"
	    "  type(interface.getOrigins()), "
	    "interface.getFlowsStats().num_flows",
	    6);
	assert_true(num(L, 1) == jnum(fb, "bytes.sent"));
	assert_true(num(L, 2) == jnum(fb, "bytes.rcvd"));
	assert_true(num(L, 3) == 1);
	assert_non_null(lua_tostring(L, 4));
	assert_string_equal(lua_tostring(L, 5), "table");
	assert_true(num(L, 6) == jnum(o, "num_flows"));
	/* protocol names from the interface's nDPI: the id of the
	 * Facebook entry names it back */
	{
		char chunk[256];

		snprintf(chunk, sizeof(chunk),
			 "return interface.getNdpiProtoName(%d),"
			 " interface.getNdpiProtoBreed(%d),"
			 " interface.getNdpiProtoName(65535),"
			 " interface.getNdpiProtoName(70000)",
			 (int)jnum(fb, "id"), (int)jnum(fb, "id"));
		run(L, chunk, 4);
		assert_string_equal(lua_tostring(L, 1), "Facebook");
		assert_string_equal(
			lua_tostring(L, 2),
			json_string_value(json_object_get(fb, "breed")));
		assert_string_equal(lua_tostring(L, 3), "Host-to-Host Contact");
		assert_true(lua_isnil(L, 4));
	}
	json_decref(o);
	lua_close(L);
}

/* ntop: cache round trip, time, info, prefs, users refused to a
 * non-administrator and outside a POST. */
static void
test_ntop(void **state)
{
	lua_State *L = new_state(0);
	struct timespec ts;

	(void)state;
	run(L,
	    "assert(ntop.setCache('lua.test.k', 'v1'))\n"
	    "assert(ntop.setHashCache('lua.test.h', 'f', 'v2'))\n"
	    "local keys = ntop.getKeysCache('lua.test.*')\n"
	    "local a, b = ntop.getCache('lua.test.k'),"
	    " ntop.getHashCache('lua.test.h', 'f')\n"
	    "ntop.delCache('lua.test.k')\n"
	    "return a, b, ntop.getCache('lua.test.k'), keys['lua.test.k'],\n"
	    "  ntop.gettimemsec(), ntop.isWindows(), ntop.isPro(),\n"
	    "  ntop.getInfo().version, ntop.getPrefs().max_num_flows,\n"
	    "  ntop.getDirs().workingdir",
	    10);
	clock_gettime(CLOCK_REALTIME, &ts);
	assert_string_equal(lua_tostring(L, 1), "v1");
	assert_string_equal(lua_tostring(L, 2), "v2");
	assert_string_equal(lua_tostring(L, 3), "");
	assert_string_equal(lua_tostring(L, 4), "");
	assert_true(num(L, 5) > (double)ts.tv_sec - 5 &&
		    num(L, 5) < (double)ts.tv_sec + 1);
	assert_false(lua_toboolean(L, 6));
	assert_false(lua_toboolean(L, 7));
	assert_non_null(lua_tostring(L, 8));
	assert_true(num(L, 9) == 4096);
	assert_string_equal(lua_tostring(L, 10), data_dir);
	run(L,
	    "local u, e = ntop.getUsers()\n"
	    "local a, e2 = ntop.addUser('eve', 'Eve', 'pw', 'administrator')\n"
	    "return u, e, a, e2, ntop.isAdministrator()",
	    5);
	assert_true(lua_isnil(L, 1));
	assert_string_equal(lua_tostring(L, 2),
			    "getUsers: administrators only");
	assert_true(lua_isnil(L, 3));
	assert_string_equal(lua_tostring(L, 4), "addUser: administrators only");
	assert_false(lua_toboolean(L, 5));
	lua_close(L);
	/* an administrator, but a GET: still refused */
	L = new_state(1);
	run(L, "return ntop.addUser('eve', 'Eve', 'pw', 'administrator')", 2);
	assert_true(lua_isnil(L, 1));
	assert_string_equal(lua_tostring(L, 2),
			    "addUser: only in a POST request");
	run(L,
	    "return ntop.httpRedirect('/lua/x.lua'),"
	    " ntop.httpRedirect('/a\\r\\nSet-Cookie: x')",
	    2);
	assert_non_null(strstr(lua_tostring(L, 1), "Location: /lua/x.lua\r\n"));
	assert_true(lua_isnil(L, 2));
	lua_close(L);
}

/* The callbacks' own RRDs: inside the data dir only. */
static void
test_rrd(void **state)
{
	lua_State *L = new_state(1);
	char chunk[2048];
	time_t now = time(NULL);

	(void)state;
	run_ctx.callback = 1;
	snprintf(chunk, sizeof(chunk),
		 "local d = ntop.getDirs().workingdir\n"
		 "local p = d .. '/lua/x/test.rrd'\n"
		 "assert(ntop.rrd_create(p, 60, 'DS:v:GAUGE:120:0:U',"
		 " 'RRA:AVERAGE:0.5:1:100'))\n"
		 "assert(ntop.rrd_update(p, '%ld:5'))\n"
		 "assert(ntop.rrd_update(p, '%ld:7'))\n"
		 "local s, step, names, rows, e ="
		 " ntop.rrd_fetch(p, 'AVERAGE', %ld, %ld)\n"
		 "local out, err = ntop.rrd_create('/tmp/evil.rrd', 60,"
		 " 'DS:v:GAUGE:120:0:U', 'RRA:AVERAGE:0.5:1:10')\n"
		 "local dot = ntop.rrd_create(d .. '/../evil.rrd', 60,"
		 " 'DS:v:GAUGE:120:0:U', 'RRA:AVERAGE:0.5:1:10')\n"
		 "return step, names[1], #rows > 0, out, err, dot",
		 (long)(now - 120), (long)(now - 60), (long)(now - 300),
		 (long)now);
	run(L, chunk, 6);
	assert_true(num(L, 1) == 60);
	assert_string_equal(lua_tostring(L, 2), "v");
	assert_true(lua_toboolean(L, 3));
	assert_true(lua_isnil(L, 4));
	assert_non_null(strstr(lua_tostring(L, 5), "outside the data dir"));
	assert_true(lua_isnil(L, 6));
	assert_int_equal(access("/tmp/evil.rrd", F_OK), -1);
	lua_close(L);
}

/* dumpFile prints a file of httpdocs through the run's print, and
 * refuses anything else. */
static void
test_dumpfile(void **state)
{
	lua_State *L = new_state(0);
	char path[700], chunk[1024];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/inc.html", httpdocs);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("<a href=\"@HTTP_PREFIX@/x\">", f);
	fclose(f);
	snprintf(chunk, sizeof(chunk),
		 "local out = {}\n"
		 "print = function(s) out[#out + 1] = s end\n"
		 "assert(ntop.dumpFile('%s'))\n"
		 "return table.concat(out), ntop.dumpFile('/etc/passwd')",
		 path);
	run(L, chunk, 2);
	assert_string_equal(lua_tostring(L, 1), "<a href=\"/x\">");
	assert_true(lua_isnil(L, 2));
	lua_close(L);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_getstats),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_flows),
		cmocka_unit_test(test_pushdown),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_l7_sources),
		cmocka_unit_test(test_ntop),
		cmocka_unit_test(test_rrd),
		cmocka_unit_test(test_dumpfile),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
