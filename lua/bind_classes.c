/*
 * bind_classes.c - registers the `interface` and `ntop` classes.  For
 * now both are empty tables: the methods come with the class modules.
 */
#include "lua/bind.h"

void
luabind_open(lua_State *L)
{
	lua_newtable(L);
	lua_setfield(L, LUA_GLOBALSINDEX, "interface");
	lua_newtable(L);
	lua_setfield(L, LUA_GLOBALSINDEX, "ntop");
}
