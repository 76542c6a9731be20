/*
 * bind_util.c - the helpers the class modules share (lua/bind_util.h)
 * and luabind_open(), the single entry the engine calls per state.
 */
#include "lua/bind_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "common/timeutil.h"
#include "lua/bind.h"

/* Deep enough for every builder's answer (host/data nests 3 levels),
 * shallow enough that a hostile document cannot exhaust the C stack. */
#define JSON_DEPTH_MAX 32

static void push_json(lua_State *L, json_t *v, int depth);

static void
push_object(lua_State *L, json_t *v, int depth)
{
	const char *k;
	json_t *e;

	lua_createtable(L, 0, (int)json_object_size(v));
	if (depth >= JSON_DEPTH_MAX)
		return;
	json_object_foreach(v, k, e)
	{
		if (json_is_null(e))
			continue; /* null -> nil: the field is absent */
		push_json(L, e, depth + 1);
		lua_setfield(L, -2, k);
	}
}

static void
push_array(lua_State *L, json_t *v, int depth)
{
	size_t n = json_array_size(v);

	lua_createtable(L, (int)n, 0);
	if (depth >= JSON_DEPTH_MAX)
		return;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);

		if (json_is_null(e))
			continue; /* a hole, as nil in a Lua sequence */
		push_json(L, e, depth + 1);
		lua_rawseti(L, -2, (int)i + 1);
	}
}

static void
push_json(lua_State *L, json_t *v, int depth)
{
	/* every level holds a table and a value; room for both */
	if (!lua_checkstack(L, 3)) {
		lua_pushnil(L);
		return;
	}
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_OBJECT:
		push_object(L, v, depth);
		break;
	case JSON_ARRAY:
		push_array(L, v, depth);
		break;
	case JSON_STRING:
		lua_pushlstring(L, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		/* doubles are exact to 2^53, as upstream's counters */
		lua_pushnumber(L, (lua_Number)json_integer_value(v));
		break;
	case JSON_REAL:
		lua_pushnumber(L, json_real_value(v));
		break;
	case JSON_TRUE:
		lua_pushboolean(L, 1);
		break;
	case JSON_FALSE:
		lua_pushboolean(L, 0);
		break;
	default:
		lua_pushnil(L);
		break;
	}
}

void
luab_push_json(lua_State *L, json_t *v)
{
	push_json(L, v, 0);
}

void
luab_set_json(lua_State *L, const char *k, json_t *v)
{
	if (!v || json_is_null(v))
		return;
	push_json(L, v, 1);
	lua_setfield(L, -2, k);
}

void
luab_set_num(lua_State *L, const char *k, double v)
{
	lua_pushnumber(L, v);
	lua_setfield(L, -2, k);
}

void
luab_set_str(lua_State *L, const char *k, const char *v)
{
	if (!v)
		return;
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

void
luab_set_bool(lua_State *L, const char *k, int v)
{
	lua_pushboolean(L, v);
	lua_setfield(L, -2, k);
}

int
luab_fail(lua_State *L, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lua_pushnil(L);
	lua_pushstring(L, msg);
	return 2;
}

struct luabind_ctx *
luab_ctx(lua_State *L)
{
	return luabind_ctx(L);
}

struct iface *
luab_iface(lua_State *L)
{
	struct luabind_ctx *c = luabind_ctx(L);
	struct iface *ifc;

	if (!c) {
		luab_fail(L, "no run context");
		return NULL;
	}
	luabind_check_deadline(L); /* every interface method starts here */
	ifc = query_iface_by_id(c->ifid);
	if (!ifc)
		luab_fail(L, "interface %d does not exist", c->ifid);
	return ifc;
}

/* A reference to a query's answer held by a userdata, so that a Lua
 * error between the query and the caller's json_decref (the state's
 * memory cap while converting, the deadline) frees it at the next GC. */
#define JSON_GUARD "ntopng.json_guard"

static int
json_guard_gc(lua_State *L)
{
	json_t **g = lua_touserdata(L, 1);

	if (g && *g) {
		json_decref(*g);
		*g = NULL;
	}
	return 0;
}

int
luab_query(lua_State *L, struct iface *ifc, query_build_fn build, void *arg,
	   size_t arg_size, json_t **out)
{
	struct luabind_ctx *c = luabind_ctx(L);
	int timeout = QUERY_TIMEOUT_MS;
	json_t **g;

	*out = NULL;
	if (c && c->deadline_ms) {
		uint64_t now = time_mono_ms();

		if (now >= c->deadline_ms) {
			luab_fail(L, "deadline exceeded");
			return -1;
		}
		if (c->deadline_ms - now < (uint64_t)timeout)
			timeout = (int)(c->deadline_ms - now);
	}
	/* the guard before the query: making it may raise, the query's
	 * answer must not be in hand then */
	g = lua_newuserdata(L, sizeof(*g));
	*g = NULL;
	if (luaL_newmetatable(L, JSON_GUARD)) {
		lua_pushcfunction(L, json_guard_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	if (query_run_timeout(ifc, build, arg, arg_size, out, timeout) != 0) {
		luab_fail(L, "timeout");
		return -1;
	}
	*g = *out ? json_incref(*out) : NULL;
	return 0;
}

const char *
luab_opt_str(lua_State *L, int idx)
{
	int t = lua_type(L, idx);

	if (t != LUA_TSTRING && t != LUA_TNUMBER)
		return NULL;
	return lua_tostring(L, idx);
}

long
luab_opt_int(lua_State *L, int idx, long def, int *ok)
{
	*ok = 1;
	if (lua_isnoneornil(L, idx))
		return def;
	if (lua_type(L, idx) == LUA_TNUMBER) {
		double d = lua_tonumber(L, idx);

		/* a cast of NaN or of a double out of range is undefined */
		if (d >= -2147483648.0 && d <= 2147483647.0)
			return (long)d;
		*ok = 0;
		return def;
	}
	if (lua_type(L, idx) == LUA_TSTRING) {
		const char *s = lua_tostring(L, idx);
		char *end;
		long v;

		errno = 0;
		v = strtol(s, &end, 10);
		if (errno == 0 && end != s && *end == '\0')
			return v;
	}
	*ok = 0;
	return def;
}

void
luabind_open(lua_State *L)
{
	lua_newtable(L);
	luab_open_iface(L);
	lua_setfield(L, LUA_GLOBALSINDEX, "interface");
	lua_newtable(L);
	luab_open_ntop(L);
	lua_setfield(L, LUA_GLOBALSINDEX, "ntop");
}
