/*
 * callbacks.h - the periodic callbacks (lua-api.md 4.1): second.lua,
 * minute.lua, hourly.lua and daily.lua from -3/--callbacks-dir, run in
 * two threads of their own ("lua-second" runs second.lua only, so that
 * nothing delays it; "lua-periodic" runs the three others).
 */
#ifndef LUA_CALLBACKS_H
#define LUA_CALLBACKS_H

struct prefs;
struct luacb;

/* Starts both threads (a missing directory is logged once and the
 * threads idle).  Main thread.  NULL on failure (logged). */
struct luacb *luacb_start(const struct prefs *p);
/* Stops the threads after their current run and joins them; NULL is a
 * no-op.  Main thread. */
void luacb_stop(struct luacb *c);

#endif
