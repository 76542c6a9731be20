/*
 * bind.h - the contract between the Lua engine (lua/engine.c: states,
 * sandbox, pages, callbacks) and the classes scripts see (`interface`
 * and `ntop`, lua/bind_*.c).  The engine builds a sandboxed state, calls
 * luabind_open() once on it, and before each run (a page request or a
 * callback) stores the run's context with luabind_set_ctx(); the class
 * methods read it back with luabind_ctx().  A method never touches the
 * interface tables itself: it asks the owner thread through query_run()
 * (merge/query.h), like the REST handlers, so REST and Lua give the same
 * numbers for the same question.
 */
#ifndef LUA_BIND_H
#define LUA_BIND_H

#include <stdint.h>

#include <lua.h>

struct prefs;

/* What one run (one page request, one callback) may see and do. */
struct luabind_ctx {
	const struct prefs *prefs; /* the node's options (never NULL) */
	char user[64];		   /* "" in callbacks and before login */
	int admin;	      /* the user is an administrator (callbacks: 1) */
	int callback;	      /* 1 in a periodic callback */
	int ifid;	      /* the selected interface (interface.select) */
	uint64_t deadline_ms; /* monotonic ms; 0 = none */
	char script[256];     /* the running script, for messages */

	/* 1 in a page run for a POST request (CSRF checked): the ntop
	 * methods that change users refuse every other run */
	int post;
};

/* Registers the globals `interface` and `ntop` (tables of C functions)
 * in L's globals.  Called once per state by the engine, before the
 * sandbox freezes the base environment. */
void luabind_open(lua_State *L);

/* The context of the run under way in L (stored in L's registry; the
 * pointed-to block must live until the run ends); NULL outside a run. */
void luabind_set_ctx(lua_State *L, struct luabind_ctx *ctx);
struct luabind_ctx *luabind_ctx(lua_State *L);

/* Raises a Lua error "deadline exceeded" when the run's deadline has
 * passed.  Every C entry point that may take time calls it, because
 * LuaJIT runs no count hook inside compiled traces. */
void luabind_check_deadline(lua_State *L);

#endif
