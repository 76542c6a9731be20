/*
 * bind_ntop.c - the `ntop` class (lua-api.md 3): information, time,
 * preferences, the key-value cache (state/kv.h: Redis with one
 * connection per thread, or the embedded store, which serialises access;
 * either way safe from the HTTP and callback threads Lua runs on),
 * users for administrators, syslog, the callbacks' own RRDs (librrd's
 * thread-safe _r calls, paths inside the data directory) and the page
 * helpers dumpFile / httpRedirect.  Failures return nil, err.  Methods
 * without a meaning here are left out (nil when called) and listed in
 * docs/lua.md.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <luajit.h>
#include <ndpi/ndpi_main.h>
#include <rrd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/prefs.h"
#include "common/timeutil.h"
#include "lua/bind.h"
#include "lua/bind_util.h"
#include "merge/alerts.h"
#include "merge/alerts_thr.h"
#include "merge/iface.h"
#include "state/auth.h"
#include "state/kv.h"

/* ---- information and time ---- */

static const struct prefs *
prefs_of(lua_State *L)
{
	struct luabind_ctx *c = luabind_ctx(L);

	return c ? c->prefs : NULL;
}

static double
uptime_s(void)
{
	uint64_t now = time_wall_ms();

	return now > node_start_ms ? (double)((now - node_start_ms) / 1000) : 0;
}

static int
l_getInfo(lua_State *L)
{
	struct utsname un;
	char plat[160];

	if (uname(&un) == 0)
		snprintf(plat, sizeof(plat), "%s/%s", un.machine, un.sysname);
	else
		snprintf(plat, sizeof(plat), "unknown");
	lua_createtable(L, 0, 14);
	luab_set_str(L, "product", "ntopng");
	luab_set_str(L, "copyright", "(C) ntopng-in-C authors");
	luab_set_str(L, "authors", "ntopng-in-C authors");
	luab_set_str(L, "license", "GNU GPLv3");
	luab_set_str(L, "version", NTOPNG_VERSION);
	luab_set_str(L, "platform", plat);
	luab_set_num(L, "uptime", uptime_s());
	luab_set_str(L, "version.rrd", rrd_strversion());
	luab_set_str(L, "version.luajit", LUAJIT_VERSION);
	luab_set_str(L, "version.ndpi", ndpi_revision());
	luab_set_str(L, "version.httpd", "libmicrohttpd");
	luab_set_bool(L, "version.embedded_edition", 0);
	luab_set_bool(L, "pro.release", 0);
	return 1;
}

static int
l_getDirs(lua_State *L)
{
	const struct prefs *p = prefs_of(L);
	char cwd[PATH_MAX];

	if (!p)
		return luab_fail(L, "no run context");
	lua_createtable(L, 0, 5);
	luab_set_str(L, "installdir", getcwd(cwd, sizeof(cwd)) ? cwd : ".");
	luab_set_str(L, "workingdir", p->data_dir);
	luab_set_str(L, "scriptdir", p->scripts_dir);
	luab_set_str(L, "httpdocsdir", p->httpdocs_dir);
	luab_set_str(L, "callbacksdir", p->callbacks_dir);
	return 1;
}

static int
l_getUptime(lua_State *L)
{
	lua_pushnumber(L, uptime_s());
	return 1;
}

/* Real seconds with the fraction (upstream added the milliseconds as
 * whole units: lua-api.md 3.1). */
static int
l_gettimemsec(lua_State *L)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	lua_pushnumber(L, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
	return 1;
}

static int
l_getTime(lua_State *L)
{
	lua_pushnumber(L, (double)time(NULL));
	return 1;
}

static int
l_verboseTrace(lua_State *L)
{
	lua_pushboolean(L, log_verbosity >= NLOG_TRACE);
	return 1;
}

static int
l_false(lua_State *L)
{
	lua_pushboolean(L, 0);
	return 1;
}

static int
l_getHttpPrefix(lua_State *L)
{
	lua_pushstring(L, "");
	return 1;
}

static int
l_getPrefs(lua_State *L)
{
	const struct prefs *p = prefs_of(L);

	if (!p)
		return luab_fail(L, "no run context");
	lua_createtable(L, 0, 16);
	luab_set_bool(L, "is_dns_resolution_enabled_for_all_hosts",
		      p->dns_mode == 1);
	luab_set_bool(L, "is_dns_resolution_enabled", p->dns_mode != 0);
	luab_set_bool(L, "is_categorization_enabled",
		      p->categorization_key != NULL);
	luab_set_bool(L, "is_httpbl_enabled", p->httpbl_key != NULL);
	luab_set_num(L, "http_port", p->http_port);
	luab_set_num(L, "local_host_max_idle", 300);
	luab_set_num(L, "non_local_host_max_idle", 60);
	luab_set_num(L, "flow_max_idle", 60);
	luab_set_num(L, "max_num_hosts", p->max_num_hosts);
	luab_set_num(L, "max_num_flows", p->max_num_flows);
	luab_set_bool(L, "is_dump_flows_enabled", p->dump_flows);
	luab_set_num(L, "dump_hosts", p->dump_hosts);
	luab_set_num(L, "dump_aggregation", p->dump_aggregations);
	luab_set_num(L, "host_max_new_flows_sec_threshold", 25);
	luab_set_num(L, "host_max_num_syn_sec_threshold", 8192);
	luab_set_num(L, "host_max_num_active_flows", 32768);
	return 1;
}

/* ---- the key-value cache ---- */

static int
l_getCache(lua_State *L)
{
	const char *k = luab_opt_str(L, 1);
	char *v;

	if (!k)
		return luab_fail(L, "getCache: expected string");
	luabind_check_deadline(L);
	v = kv_get(k);
	lua_pushstring(L, v ? v : "");
	free(v);
	return 1;
}

static int
l_setCache(lua_State *L)
{
	const char *k = luab_opt_str(L, 1), *v = luab_opt_str(L, 2);
	int ok;
	long ttl = luab_opt_int(L, 3, 0, &ok);

	if (!k || !v || !ok || ttl < 0 || ttl > INT_MAX)
		return luab_fail(L, "setCache: expected key, value[, ttl]");
	luabind_check_deadline(L);
	if (kv_set(k, v, (int)ttl) != 0)
		return luab_fail(L, "setCache: the store refused the write");
	lua_pushboolean(L, 1);
	return 1;
}

static int
l_delCache(lua_State *L)
{
	const char *k = luab_opt_str(L, 1);

	if (!k)
		return luab_fail(L, "delCache: expected string");
	luabind_check_deadline(L);
	if (kv_del(k) != 0)
		return luab_fail(L, "delCache: the store refused the delete");
	lua_pushboolean(L, 1);
	return 1;
}

static int
l_getHashCache(lua_State *L)
{
	const char *k = luab_opt_str(L, 1), *f = luab_opt_str(L, 2);
	char *v;

	if (!k || !f)
		return luab_fail(L, "getHashCache: expected key, field");
	luabind_check_deadline(L);
	v = kv_hget(k, f);
	lua_pushstring(L, v ? v : "");
	free(v);
	return 1;
}

static int
l_setHashCache(lua_State *L)
{
	const char *k = luab_opt_str(L, 1), *f = luab_opt_str(L, 2);
	const char *v = luab_opt_str(L, 3);

	if (!k || !f || !v)
		return luab_fail(L, "setHashCache: expected key, field, value");
	luabind_check_deadline(L);
	if (kv_hset(k, f, v) != 0)
		return luab_fail(L,
				 "setHashCache: the store refused the write");
	lua_pushboolean(L, 1);
	return 1;
}

static int
l_delHashCache(lua_State *L)
{
	const char *k = luab_opt_str(L, 1), *f = luab_opt_str(L, 2);

	if (!k || !f)
		return luab_fail(L, "delHashCache: expected key, field");
	luabind_check_deadline(L);
	if (kv_hdel(k, f) != 0)
		return luab_fail(L,
				 "delHashCache: the store refused the delete");
	lua_pushboolean(L, 1);
	return 1;
}

/* Keys are collected into a bounded list, then turned into a table:
 * the scan callback must not raise a Lua error through kv's frames. */
#define KEYS_MAX 10000
struct keys {
	char **v;
	size_t n;
	int cut;
};

static void
keys_add(const char *key, void *arg)
{
	struct keys *k = arg;
	char **nv;

	if (k->n >= KEYS_MAX) {
		k->cut = 1;
		return;
	}
	if ((k->n & 63) == 0) {
		nv = realloc(k->v, (k->n + 64) * sizeof(*nv));
		if (!nv) {
			k->cut = 1;
			return;
		}
		k->v = nv;
	}
	k->v[k->n] = strdup(key);
	if (k->v[k->n])
		k->n++;
}

/* getKeysCache(pattern): {[key] = ""} of the keys matching the glob, or
 * nil when none (at most 10000). */
static int
l_getKeysCache(lua_State *L)
{
	const char *pat = luab_opt_str(L, 1);
	struct keys k = { NULL, 0, 0 };
	int rc;

	if (!pat)
		return luab_fail(L, "getKeysCache: expected pattern");
	luabind_check_deadline(L);
	rc = kv_scan(pat, keys_add, &k);
	if (rc != 0 || k.n == 0) {
		for (size_t i = 0; i < k.n; i++)
			free(k.v[i]);
		free(k.v);
		if (rc != 0)
			return luab_fail(L, "getKeysCache: scan failed");
		lua_pushnil(L);
		return 1;
	}
	lua_createtable(L, 0, (int)k.n);
	for (size_t i = 0; i < k.n; i++) {
		luab_set_str(L, k.v[i], "");
		free(k.v[i]);
	}
	free(k.v);
	return 1;
}

/* ---- names and logging ---- */

/* resolveAddress(ip): no blocking DNS from a page: the address itself
 * (the names cache, when the node has one, is for a later change). */
static int
l_resolveAddress(lua_State *L)
{
	const char *s = luab_opt_str(L, 1);

	if (!s)
		return luab_fail(L, "resolveAddress: expected string");
	lua_pushstring(L, s);
	return 1;
}

static int
l_syslog(lua_State *L)
{
	int is_err = lua_toboolean(L, 1);
	const char *m = luab_opt_str(L, 2);
	struct luabind_ctx *c = luabind_ctx(L);

	if (!m)
		return luab_fail(L, "syslog: expected is_error, message");
	syslog(LOG_DAEMON | (is_err ? LOG_ERR : LOG_INFO), "ntopng lua %s: %s",
	       c ? c->script : "", m);
	/* the node's log: a warning, because an ERROR line there means a
	 * node fault and this is a script's own message */
	log_msg(is_err ? NLOG_WARN : NLOG_INFO, "lua %s: %s",
		c ? c->script : "", m);
	lua_pushboolean(L, 1);
	return 1;
}

/* ---- users ---- */

static int
is_admin(lua_State *L)
{
	struct luabind_ctx *c = luabind_ctx(L);

	return c && c->admin;
}

static int
l_isAdministrator(lua_State *L)
{
	lua_pushboolean(L, is_admin(L));
	return 1;
}

static int
l_getUserGroup(lua_State *L)
{
	lua_pushstring(L, is_admin(L) ? "administrator" : "unprivileged");
	return 1;
}

static int
l_getUsers(lua_State *L)
{
	json_t *o, *e;
	const char *k;

	if (!is_admin(L))
		return luab_fail(L, "getUsers: administrators only");
	luabind_check_deadline(L);
	o = auth_users_list();
	if (!o)
		return luab_fail(L, "getUsers: the store did not answer");
	json_object_foreach(o, k, e) json_object_del(
		e, "password"); /* never, whatever the list has */
	luab_push_json(L, o);
	json_decref(o);
	return 1;
}

/* The user-changing methods: an administrator's POST page run only. */
static int
may_change_users(lua_State *L, const char *fn)
{
	struct luabind_ctx *c = luabind_ctx(L);

	if (!c || !c->admin) {
		luab_fail(L, "%s: administrators only", fn);
		return 0;
	}
	if (c->callback || !c->post) {
		luab_fail(L, "%s: only in a POST request", fn);
		return 0;
	}
	return 1;
}

/* addUser(user, full_name, password, group[, allowed_nets]) */
static int
l_addUser(lua_State *L)
{
	const char *u = luab_opt_str(L, 1), *full = luab_opt_str(L, 2);
	const char *pw = luab_opt_str(L, 3), *g = luab_opt_str(L, 4);

	if (!may_change_users(L, "addUser"))
		return 2;
	if (!u || !full || !pw || !auth_name_valid(u) || !pw[0])
		return luab_fail(L, "addUser: expected user, full_name, "
				    "password, group");
	if (auth_user_exists(u))
		return luab_fail(L, "addUser: the user exists");
	luabind_check_deadline(L);
	if (auth_user_add(u, full, pw, g && !strcmp(g, "administrator")) != 0)
		return luab_fail(L, "addUser: failed");
	lua_pushboolean(L, 1);
	return 1;
}

static int
l_deleteUser(lua_State *L)
{
	const char *u = luab_opt_str(L, 1);
	struct luabind_ctx *c = luabind_ctx(L);

	if (!may_change_users(L, "deleteUser"))
		return 2;
	if (!u || !auth_user_exists(u))
		return luab_fail(L, "deleteUser: no such user");
	if (!strcmp(u, c->user))
		return luab_fail(L, "deleteUser: not yourself");
	luabind_check_deadline(L);
	if (auth_user_delete(u) != 0)
		return luab_fail(L, "deleteUser: failed");
	lua_pushboolean(L, 1);
	return 1;
}

/* resetUserPassword(who, user, old, new), or the 1.2 form (user, old,
 * new).  An administrator may pass old = "". */
static int
l_resetUserPassword(lua_State *L)
{
	int base = lua_gettop(L) >= 4 ? 2 : 1;
	const char *u = luab_opt_str(L, base);
	const char *old = luab_opt_str(L, base + 1);
	const char *nw = luab_opt_str(L, base + 2);

	if (!may_change_users(L, "resetUserPassword"))
		return 2;
	if (!u || !nw || !nw[0] || !auth_user_exists(u))
		return luab_fail(L, "resetUserPassword: expected [who,] user, "
				    "old, new");
	luabind_check_deadline(L);
	if (old && old[0] && !auth_password_check(u, old))
		return luab_fail(L, "resetUserPassword: wrong old password");
	if (auth_user_set_password(u, nw) != 0)
		return luab_fail(L, "resetUserPassword: failed");
	lua_pushboolean(L, 1);
	return 1;
}

/* ---- files: dumpFile, RRDs ---- */

/* 1 when path (which must exist, or whose parent must exist when
 * parent_ok) lies inside dir, after resolving links and "..". */
static int
path_inside(const char *path, const char *dir, int parent_ok)
{
	char rp[PATH_MAX], rd[PATH_MAX];
	size_t n;

	if (!path || !dir || !realpath(dir, rd))
		return 0;
	if (!realpath(path, rp)) {
		char tmp[PATH_MAX], *slash;

		if (!parent_ok || errno != ENOENT)
			return 0;
		if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
			return 0;
		slash = strrchr(tmp, '/');
		if (!slash || !strcmp(slash + 1, "..") || !slash[1])
			return 0;
		*slash = '\0';
		if (!realpath(tmp[0] ? tmp : "/", rp))
			return 0;
	}
	n = strlen(rd);
	return !strncmp(rp, rd, n) && (rp[n] == '/' || rp[n] == '\0');
}

#define DUMP_MAX (4u << 20)

/* dumpFile(path): a file of httpdocs into the response (through the
 * run's print), @HTTP_PREFIX@ replaced by the (empty) prefix. */
static int
l_dumpFile(lua_State *L)
{
	const struct prefs *p = prefs_of(L);
	const char *path = luab_opt_str(L, 1);
	struct stat st;
	FILE *f;
	char *buf;
	size_t n;
	luaL_Buffer b;

	if (!p || !path)
		return luab_fail(L, "dumpFile: expected path");
	if (!path_inside(path, p->httpdocs_dir, 0))
		return luab_fail(L, "dumpFile: only files of httpdocs");
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > DUMP_MAX)
		return luab_fail(L, "dumpFile: not a regular file under 4 MB");
	/* GC-owned, so a memory error below leaks nothing; made before the
	 * file is opened, so nothing that may raise runs while it is open
	 * (a file grown since the stat is cut at the size read) */
	buf = lua_newuserdata(L, (size_t)st.st_size + 1);
	f = fopen(path, "rb");
	if (!f)
		return luab_fail(L, "dumpFile: %s", strerror(errno));
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	buf[n] = '\0';
	luaL_buffinit(L, &b);
	for (size_t i = 0; i < n;) {
		static const char tag[] = "@HTTP_PREFIX@";

		if (buf[i] == '@' && n - i >= sizeof(tag) - 1 &&
		    !memcmp(buf + i, tag, sizeof(tag) - 1)) {
			i += sizeof(tag) - 1; /* no -Z prefix here: "" */
			continue;
		}
		luaL_addchar(&b, buf[i]);
		i++;
	}
	luaL_pushresult(&b);
	lua_getfield(L, LUA_GLOBALSINDEX, "print");
	lua_insert(L, -2);
	lua_call(L, 1, 0);
	lua_pushboolean(L, 1);
	return 1;
}

/* httpRedirect(url): the text of a 302 response, for the script to
 * print (lua-api.md 1.8). */
static int
l_httpRedirect(lua_State *L)
{
	const char *url = luab_opt_str(L, 1);

	if (!url || strpbrk(url, "\r\n<>\"") || !url[0])
		return luab_fail(L, "httpRedirect: expected a URL");
	lua_pushfstring(L,
			"HTTP/1.1 302 Found\r\nLocation: %s\r\n"
			"Content-Type: text/html\r\nContent-Length: %d\r\n\r\n"
			"<a href=\"%s\">%s</a>",
			url, (int)(strlen(url) * 2 + 15), url, url);
	return 1;
}

/* RRD paths: inside the data directory.  rrd_create makes the missing
 * directories, but only for a path under the data directory as written
 * (no ".."), checked again after the links are resolved. */
static const char *
rrd_path(lua_State *L, int create)
{
	const struct prefs *p = prefs_of(L);
	const char *path = luab_opt_str(L, 1);

	if (!p || !path || !p->data_dir)
		return NULL;
	if (create) {
		size_t n = strlen(p->data_dir);

		if (strstr(path, "..") || strncmp(path, p->data_dir, n) ||
		    path[n] != '/')
			return NULL;
		fs_mkdir_parent(path);
	}
	return path_inside(path, p->data_dir, create) ? path : NULL;
}

static const char *
rrd_err(void)
{
	return rrd_test_error() ? rrd_get_error() : "librrd gave no reason";
}

/* rrd_create(path, step, "DS:...", "RRA:...", ...): the 2.0 form; the
 * start is a year back (lua-api.md 3.1). */
#define RRD_ARGS_MAX 64
static int
l_rrd_create(lua_State *L)
{
	const char *path = rrd_path(L, 1);
	const char *argv[RRD_ARGS_MAX];
	int ok, argc = 0, top = lua_gettop(L);
	long step = luab_opt_int(L, 2, 300, &ok);

	if (!path)
		return luab_fail(L, "rrd_create: path outside the data dir");
	if (!ok || step < 1 || step > 86400 || top - 2 > RRD_ARGS_MAX ||
	    top < 3)
		return luab_fail(L, "rrd_create: expected path, step, "
				    "DS..., RRA...");
	for (int i = 3; i <= top; i++) {
		argv[argc] = luab_opt_str(L, i);
		if (!argv[argc])
			return luab_fail(L, "rrd_create: bad argument %d", i);
		argc++;
	}
	luabind_check_deadline(L);
	rrd_clear_error();
	if (rrd_create_r(path, (unsigned long)step, time(NULL) - 86400 * 365,
			 argc, argv) != 0)
		return luab_fail(L, "rrd_create: %s", rrd_err());
	lua_pushboolean(L, 1);
	return 1;
}

/* rrd_update(path, "N:v1[:v2...]") */
static int
l_rrd_update(lua_State *L)
{
	const char *path = rrd_path(L, 0);
	const char *v = luab_opt_str(L, 2);

	if (!path)
		return luab_fail(L, "rrd_update: no such file in the data dir");
	if (!v)
		return luab_fail(L, "rrd_update: expected path, value");
	luabind_check_deadline(L);
	rrd_clear_error();
	if (rrd_update_r(path, NULL, 1, &v) != 0)
		return luab_fail(L, "rrd_update: %s", rrd_err());
	lua_pushboolean(L, 1);
	return 1;
}

/* A time argument: epoch seconds, or "now", "now-N[s|m|h|d]". */
static int
rrd_time(lua_State *L, int idx, time_t def, time_t *out)
{
	const char *s;
	char *end;
	long v, mul = 1;

	if (lua_isnoneornil(L, idx)) {
		*out = def;
		return 0;
	}
	if (lua_type(L, idx) == LUA_TNUMBER) {
		*out = (time_t)lua_tonumber(L, idx);
		return 0;
	}
	s = luab_opt_str(L, idx);
	if (!s)
		return -1;
	if (strncmp(s, "now", 3) != 0) {
		v = strtol(s, &end, 10);
		if (end == s || *end)
			return -1;
		*out = (time_t)v;
		return 0;
	}
	if (!s[3]) {
		*out = time(NULL);
		return 0;
	}
	if (s[3] != '-')
		return -1;
	v = strtol(s + 4, &end, 10);
	if (end == s + 4 || v < 0)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mul = 60;
		break;
	case 'h':
		mul = 3600;
		break;
	case 'd':
		mul = 86400;
		break;
	default:
		return -1;
	}
	if (*end && end[1])
		return -1;
	*out = time(NULL) - (time_t)(v * mul);
	return 0;
}

/* rrd_fetch(path, cf, start, end) -> start, step, {names}, {{v...}...},
 * end; NaN values are left out (holes), as upstream. */
static int
l_rrd_fetch(lua_State *L)
{
	const char *path = rrd_path(L, 0);
	const char *cf = luab_opt_str(L, 2);
	time_t start, end, now = time(NULL);
	unsigned long step = 1, ds_cnt = 0;
	char **names = NULL;
	rrd_value_t *data = NULL;
	size_t rows;

	if (!path)
		return luab_fail(L, "rrd_fetch: no such file in the data dir");
	if (!cf || rrd_time(L, 3, now - 86400, &start) ||
	    rrd_time(L, 4, now, &end) || end < start)
		return luab_fail(L, "rrd_fetch: expected path, cf, start, end");
	luabind_check_deadline(L);
	rrd_clear_error();
	if (rrd_fetch_r(path, cf, &start, &end, &step, &ds_cnt, &names,
			&data) != 0)
		return luab_fail(L, "rrd_fetch: %s", rrd_err());
	rows = step ? (size_t)((end - start) / (time_t)step) : 0;
	lua_pushnumber(L, (double)start);
	lua_pushnumber(L, (double)step);
	lua_createtable(L, (int)ds_cnt, 0);
	for (unsigned long i = 0; i < ds_cnt; i++) {
		lua_pushstring(L, names[i]);
		lua_rawseti(L, -2, (int)i + 1);
		rrd_freemem(names[i]);
	}
	rrd_freemem(names);
	lua_createtable(L, (int)rows, 0);
	for (size_t r = 0; r < rows; r++) {
		lua_createtable(L, (int)ds_cnt, 0);
		for (unsigned long i = 0; i < ds_cnt; i++) {
			rrd_value_t v = data[r * ds_cnt + i];

			if (isnan(v))
				continue;
			lua_pushnumber(L, v);
			lua_rawseti(L, -2, (int)i + 1);
		}
		lua_rawseti(L, -2, (int)r + 1);
	}
	rrd_freemem(data);
	lua_pushnumber(L, (double)end);
	return 5;
}

/* ---- alerts (docs/alerts.md): raised on the selected interface's
 * owner through query_b_alert_raise, never by touching its tables ---- */

/* ntop.triggerAlert(entity, entity_val, metric, severity, msg [, value
 * [, threshold]]): engages (or updates) the user_script alert of that
 * key; ntop.releaseAlert(entity, entity_val, metric) releases it.
 * Administrators (and callbacks) only.  true, or nil, err. */
static int
alert_call(lua_State *L, int release)
{
	struct iface *ifc;
	const char *ent, *val, *metric, *sev, *msg;
	struct alert a;
	json_t *o = NULL;
	int e, s = -1, ok;

	if (!is_admin(L))
		return luab_fail(L, "administrators only");
	ifc = luab_iface(L);
	if (ifc == NULL)
		return 2;
	ent = luab_opt_str(L, 1);
	val = luab_opt_str(L, 2);
	metric = luab_opt_str(L, 3);
	e = alert_entity_parse(ent);
	if (e < 0 || val == NULL || strlen(val) >= ALERT_ENTITY_VAL_MAX ||
	    (metric != NULL && strlen(metric) >= ALERT_METRIC_MAX))
		return luab_fail(L, "bad entity, entity_val or metric");
	memset(&a, 0, sizeof(a));
	a.type = ALERT_USER;
	a.entity = (uint8_t)e;
	memcpy(a.entity_val, val, strlen(val) + 1);
	if (metric != NULL)
		memcpy(a.metric, metric, strlen(metric) + 1);
	if (release) {
		a.tstamp_end = 1; /* query_b_alert_raise: release */
	} else {
		sev = luab_opt_str(L, 4);
		s = alert_severity_parse(sev);
		if (s < 0) {
			long v = luab_opt_int(L, 4, -1, &ok);

			s = ok && v >= ALERT_SEV_MIN && v <= ALERT_SEV_MAX
				    ? (int)v
				    : -1;
		}
		if (s < 0)
			return luab_fail(L, "bad severity");
		a.severity = (uint8_t)s;
		msg = luab_opt_str(L, 5);
		if (msg != NULL)
			snprintf(a.msg, sizeof(a.msg), "%s", msg);
		a.value = lua_isnumber(L, 6) ? lua_tonumber(L, 6) : 0;
		a.threshold = lua_isnumber(L, 7) ? lua_tonumber(L, 7) : 0;
		a.peak = a.value;
	}
	if (luab_query(L, ifc, query_b_alert_raise, &a, sizeof(a), &o) != 0)
		return 2;
	lua_pushboolean(L, json_is_true(o));
	json_decref(o);
	return 1;
}

static int
l_triggerAlert(lua_State *L)
{
	return alert_call(L, 0);
}

static int
l_releaseAlert(lua_State *L)
{
	return alert_call(L, 1);
}

static const luaL_Reg ntop_fns[] = {
	{ "getInfo", l_getInfo },
	{ "getDirs", l_getDirs },
	{ "getUptime", l_getUptime },
	{ "gettimemsec", l_gettimemsec },
	{ "getTime", l_getTime },
	{ "verboseTrace", l_verboseTrace },
	{ "isWindows", l_false },
	{ "isPro", l_false },
	{ "hasGeoIP", l_false },
	{ "getHttpPrefix", l_getHttpPrefix },
	{ "getPrefs", l_getPrefs },
	{ "loadPrefsDefaults", l_getPrefs },
	{ "getCache", l_getCache },
	{ "setCache", l_setCache },
	{ "delCache", l_delCache },
	{ "getHashCache", l_getHashCache },
	{ "setHashCache", l_setHashCache },
	{ "delHashCache", l_delHashCache },
	{ "getKeysCache", l_getKeysCache },
	{ "resolveAddress", l_resolveAddress },
	{ "getResolvedAddress", l_resolveAddress },
	{ "syslog", l_syslog },
	{ "isAdministrator", l_isAdministrator },
	{ "getUserGroup", l_getUserGroup },
	{ "getUsers", l_getUsers },
	{ "addUser", l_addUser },
	{ "deleteUser", l_deleteUser },
	{ "resetUserPassword", l_resetUserPassword },
	{ "dumpFile", l_dumpFile },
	{ "httpRedirect", l_httpRedirect },
	{ "rrd_create", l_rrd_create },
	{ "rrd_update", l_rrd_update },
	{ "rrd_fetch", l_rrd_fetch },
	{ "triggerAlert", l_triggerAlert },
	{ "releaseAlert", l_releaseAlert },
	{ NULL, NULL },
};

void
luab_open_ntop(lua_State *L)
{
	for (const luaL_Reg *r = ntop_fns; r->name; r++) {
		lua_pushcfunction(L, r->func);
		lua_setfield(L, -2, r->name);
	}
}
