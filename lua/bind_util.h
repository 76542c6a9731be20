/*
 * bind_util.h - what the class modules (lua/bind_iface.c,
 * lua/bind_ntop.c) share: the json_t -> Lua converter, the "nil, err"
 * return, argument readers that never raise, and the one way a method
 * asks an interface's owner thread a question (luab_query).
 */
#ifndef LUA_BIND_UTIL_H
#define LUA_BIND_UTIL_H

#include <stddef.h>

#include <jansson.h>
#include <lua.h>

#include "merge/query.h"

struct iface;
struct luabind_ctx;

/* Pushes v as a Lua value: objects -> tables, arrays -> 1-based
 * sequences, integers and reals -> numbers (exact up to 2^53), bools,
 * null -> nil.  Tables are pre-sized; nesting deeper than 32 levels is
 * cut (an empty table) rather than risking the C stack. */
void luab_push_json(lua_State *L, json_t *v);

/* Sets t[k] = v (t at the top of the stack) for one json value; null
 * and NULL leave the field out. */
void luab_set_json(lua_State *L, const char *k, json_t *v);
void luab_set_num(lua_State *L, const char *k, double v);
void luab_set_str(lua_State *L, const char *k, const char *v);
void luab_set_bool(lua_State *L, const char *k, int v);

/* Pushes nil and the message; returns 2 (return luab_fail(...)). */
int luab_fail(lua_State *L, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The run's context; NULL outside a run. */
struct luabind_ctx *luab_ctx(lua_State *L);

/* The interface the run has selected, or NULL (then nil, err pushed:
 * the caller returns 2).  Raises "deadline exceeded" when the run's
 * deadline has passed: call it first, before holding anything. */
struct iface *luab_iface(lua_State *L);

/* Runs build on ifc's owner through query_run_timeout(), bounded by the
 * run's deadline.  0 and *out (may be NULL: not found), or -1 with nil,
 * err pushed (deadline passed, timeout).  Never raises once the answer
 * is in hand: it leaves a guard on the stack that holds a second
 * reference to *out, dropped at the next GC, so an error while the
 * caller converts leaks nothing (the caller still json_decref()s its
 * own reference). */
int luab_query(lua_State *L, struct iface *ifc, query_build_fn build, void *arg,
	       size_t arg_size, json_t **out);

/* Arguments: a string (or a number, as text) at idx, NULL otherwise. */
const char *luab_opt_str(lua_State *L, int idx);
/* An integer at idx (number or numeric string), def when absent. */
long luab_opt_int(lua_State *L, int idx, long def, int *ok);

/* The class tables, filled into the table at the top of the stack. */
void luab_open_iface(lua_State *L);
void luab_open_ntop(lua_State *L);

#endif
