/*
 * bind.c - the run context of lua/bind.h, kept in the state's registry
 * under the address of a private variable (a key no script can name).
 */
#include "lua/bind.h"

#include <lauxlib.h>

#include "common/timeutil.h"

static const char ctx_key; /* its address is the registry key */

void
luabind_set_ctx(lua_State *L, struct luabind_ctx *ctx)
{
	lua_pushlightuserdata(L, (void *)&ctx_key);
	if (ctx)
		lua_pushlightuserdata(L, ctx);
	else
		lua_pushnil(L);
	lua_rawset(L, LUA_REGISTRYINDEX);
}

struct luabind_ctx *
luabind_ctx(lua_State *L)
{
	struct luabind_ctx *c;

	lua_pushlightuserdata(L, (void *)&ctx_key);
	lua_rawget(L, LUA_REGISTRYINDEX);
	c = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return c;
}

void
luabind_check_deadline(lua_State *L)
{
	struct luabind_ctx *c = luabind_ctx(L);

	if (c && c->deadline_ms && time_mono_ms() >= c->deadline_ms)
		luaL_error(L, "deadline exceeded");
}
