/*
 * engine.c - the LuaJIT runtime: sandboxed states, page runs on a pool of
 * worker threads, and luaeng_run() that lua/callbacks.c also uses.
 *
 * States.  Every run (a page request or a callback) gets a fresh state,
 * as upstream did (lua-api.md 1.1), built with lua_newstate() and our own
 * allocator, which counts the bytes of that state and refuses to go past
 * its cap (LUAENG_MEM_MAX): the script then gets a memory error and the
 * page a 500.  A fresh state is the strongest isolation there is (request
 * A's globals, upvalues, library tables and require cache cannot reach
 * request B) and costs a few hundred microseconds, measured in
 * docs/lua.md; it also means an edited script or module is read again at
 * its next run without any cache to invalidate.
 *
 * Budget.  The JIT is off (luaJIT_setmode ... LUAJIT_MODE_OFF) because
 * LuaJIT calls no hook from a compiled trace; the interpreter calls our
 * count hook every LUAENG_HOOK_COUNT instructions, and the hook raises
 * "deadline exceeded" once the run's deadline has passed.  pcall, xpcall
 * and coroutine.resume are wrapped so that a script cannot swallow that
 * error and go on looping.  C entry points of the classes call
 * luabind_check_deadline() themselves (lua/bind.h).
 *
 * Sandbox (lua-api.md 6.3, docs/lua.md "Sandbox"): no os.execute,
 * io.popen, debug, jit, ffi, package.loadlib/cpath; os keeps time, date,
 * clock, difftime; io keeps only open(), confined by realpath() to the
 * data directory (read/write) and the scripts root (read only); dofile,
 * loadfile and require read text chunks from the scripts root only
 * (require: <root>/modules/<name>.lua); load and loadstring take text
 * only (mode "t": LuaJIT refuses bytecode however the buffer starts).
 *
 * Threads.  luaeng_start() starts K workers that take jobs from a
 * bounded queue (LUAENG_QUEUE_MAX; full -> the web server answers 503).
 * The web server's threads never run Lua: they copy the request into a
 * job, suspend the connection and resume it from done().
 */
#include "lua/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <luajit.h>
#include <lualib.h>

#include "common/log.h"
#include "common/paths.h"
#include "common/prefs.h"
#include "common/timeutil.h"
#include "lua/bind.h"
#include "lua/parse.h"

#define LUAENG_HOOK_COUNT 1000		  /* instructions between checks */
#define LUAENG_FILE_MAX (4 * 1024 * 1024) /* a script or module file */
#define LUAENG_WORKERS_MAX 16
#define LUAENG_HDRS_MAX (16 * 1024)

struct luaeng {
	const struct prefs *prefs;
	char root[PATH_MAX];   /* realpath of the scripts dir, "" if none */
	char luadir[PATH_MAX]; /* realpath of <root>/lua */
	char data[PATH_MAX];   /* realpath of -d */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct luaeng_job *queue[LUAENG_QUEUE_MAX];
	size_t head, n;
	int stopping;
	pthread_t th[LUAENG_WORKERS_MAX];
	int nth;
};

/* The state of one run, reachable from C functions through the
 * registry (run_key). */
struct run_state {
	struct luaeng_run *r;
	size_t mem, mem_max;
	uint64_t deadline;
	int killed; /* the deadline passed: errors are not catchable */
	char *out;  /* print buffer (pages) */
	size_t olen, ocap;
	int out_over;
};

static const char run_key; /* its address is the registry key */

static struct run_state *
run_get(lua_State *L)
{
	struct run_state *s;

	lua_pushlightuserdata(L, (void *)&run_key);
	lua_rawget(L, LUA_REGISTRYINDEX);
	s = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return s;
}

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

int
luaeng_kv_add(struct luaeng_kv *kv, const char *k, const char *v)
{
	char *kc, *vc;

	if (kv->n == kv->cap) {
		size_t cap = kv->cap ? kv->cap * 2 : 16;
		char **nk = realloc(kv->k, cap * sizeof(*nk));

		if (!nk)
			return -1;
		kv->k = nk;
		nk = realloc(kv->v, cap * sizeof(*nk));
		if (!nk)
			return -1;
		kv->v = nk;
		kv->cap = cap;
	}
	kc = strdup(k);
	vc = strdup(v ? v : "");
	if (!kc || !vc) {
		free(kc);
		free(vc);
		return -1;
	}
	kv->k[kv->n] = kc;
	kv->v[kv->n++] = vc;
	return 0;
}

void
luaeng_kv_fini(struct luaeng_kv *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->k[i]);
		free(kv->v[i]);
	}
	free(kv->k);
	free(kv->v);
	memset(kv, 0, sizeof(*kv));
}

void
luaeng_job_fini(struct luaeng_job *j)
{
	luaeng_kv_fini(&j->get);
	luaeng_kv_fini(&j->post);
	luaeng_kv_fini(&j->cookie);
	luaeng_kv_fini(&j->server);
	free(j->headers);
	free(j->body);
	j->headers = NULL;
	j->body = NULL;
}

/* 1 when path (a realpath) is root or under it. */
static int
path_under(const char *path, const char *root)
{
	size_t n = strlen(root);

	return n && !strncmp(path, root, n) &&
	       (path[n] == '/' || path[n] == '\0');
}

/* Reads a whole file (at most LUAENG_FILE_MAX) into a heap buffer. */
static char *
file_read(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *b = NULL;
	size_t o = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > LUAENG_FILE_MAX)
		goto out;
	b = malloc((size_t)st.st_size + 1);
	if (!b)
		goto out;
	while (o < (size_t)st.st_size) {
		ssize_t r = read(fd, b + o, (size_t)st.st_size - o);

		if (r <= 0)
			break;
		o += (size_t)r;
	}
	b[o] = '\0';
	*len = o;
out:
	close(fd);
	return b;
}

/* ------------------------------------------------------------------ */
/* allocator, hook                                                     */

static void *
run_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct run_state *s = ud;
	void *p;

	if (nsize == 0) {
		free(ptr);
		s->mem -= ptr ? osize : 0;
		return NULL;
	}
	/* osize is meaningless when ptr is NULL (Lua 5.1 passes the type) */
	if (!ptr)
		osize = 0;
	if (nsize > osize && s->mem + (nsize - osize) > s->mem_max)
		return NULL;
	p = realloc(ptr, nsize);
	if (p)
		s->mem = s->mem - osize + nsize;
	return p;
}

static void
run_hook(lua_State *L, lua_Debug *ar)
{
	struct run_state *s = run_get(L);

	(void)ar;
	if (s && s->deadline && time_mono_ms() >= s->deadline) {
		s->killed = 1;
		luaL_error(L, "deadline exceeded (%u ms)", s->r->budget_ms);
	}
	if (s && s->r->abort &&
	    __atomic_load_n(s->r->abort, __ATOMIC_RELAXED)) {
		struct luabind_ctx *c = luabind_ctx(L);

		s->killed = 1;
		s->deadline = 1; /* the C methods stop too */
		if (c)
			c->deadline_ms = 1;
		luaL_error(L, "stopped: the node is shutting down");
	}
}

/* After a protected call: a run past its deadline must not go on. */
static void
rethrow_if_killed(lua_State *L)
{
	struct run_state *s = run_get(L);

	if (s && s->killed)
		luaL_error(L, "%s",
			   s->deadline == 1
				   ? "stopped: the node is shutting down"
				   : "deadline exceeded");
}

/* pcall/xpcall/coroutine.resume wrappers: upvalue 1 is the original. */
static int
wrap_catching(lua_State *L)
{
	int n = lua_gettop(L);

	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n, LUA_MULTRET);
	rethrow_if_killed(L);
	return lua_gettop(L);
}

static void
wrap_global(lua_State *L, const char *table, const char *name)
{
	if (table) {
		lua_getglobal(L, table);
		if (!lua_istable(L, -1)) {
			lua_pop(L, 1);
			return;
		}
	} else {
		lua_pushvalue(L, LUA_GLOBALSINDEX);
	}
	lua_getfield(L, -1, name);
	lua_pushcclosure(L, wrap_catching, 1);
	lua_setfield(L, -2, name);
	lua_pop(L, 1);
}

/* ------------------------------------------------------------------ */
/* file access                                                         */

/*
 * Resolves path for a script: relative paths are taken from base; the
 * result (realpath; for a file still to be created, the realpath of its
 * directory plus its name) must be under the data directory, or, when
 * !write, under the scripts root.  0 with out filled, or -1.
 */
static int
path_check(struct luaeng_run *r, const char *path, const char *base, int write,
	   char *out)
{
	char abs[PATH_MAX];
	int n;

	if (!path || !*path)
		return -1;
	if (path[0] == '/')
		n = snprintf(abs, sizeof(abs), "%s", path);
	else
		n = snprintf(abs, sizeof(abs), "%s/%s", base, path);
	if (n < 0 || (size_t)n >= sizeof(abs))
		return -1;
	if (!realpath(abs, out)) {
		char dir[PATH_MAX], *slash, *name;

		if (errno != ENOENT || !write)
			return -1;
		slash = strrchr(abs, '/');
		name = slash + 1;
		if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
			return -1;
		*slash = '\0';
		if (!realpath(abs[0] ? abs : "/", dir))
			return -1;
		n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
		if (n < 0 || n >= PATH_MAX)
			return -1;
	}
	if (path_under(out, r->data_dir))
		return 0;
	if (!write && path_under(out, r->scripts_dir))
		return 0;
	return -1;
}

/* io.open(path [, mode]): upvalue 1 is the library's io.open. */
static int
safe_io_open(lua_State *L)
{
	struct run_state *s = run_get(L);
	const char *path = luaL_checkstring(L, 1);
	const char *mode = luaL_optstring(L, 2, "r");
	char real[PATH_MAX];
	int write;

	if (!strchr("rwa", mode[0]) ||
	    strspn(mode + 1, "+b") != strlen(mode + 1))
		return luaL_error(L, "io.open: bad mode '%s'", mode);
	write = mode[0] != 'r' || strchr(mode, '+');
	if (path_check(s->r, path, s->r->data_dir, write, real) < 0) {
		lua_pushnil(L);
		lua_pushfstring(L,
				"%s: access denied (only the data directory%s "
				"may be opened)",
				path,
				write ? "" : " and the scripts directory");
		return 2;
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushstring(L, real);
	lua_pushstring(L, mode);
	lua_call(L, 2, LUA_MULTRET);
	return lua_gettop(L) - 2;
}

/* Loads a text chunk from a checked file; pushes the function.  Errors
 * are raised. */
static void
load_file_checked(lua_State *L, const char *path)
{
	struct run_state *s = run_get(L);
	char real[PATH_MAX], name[PATH_MAX + 2];
	const char *rel;
	size_t len = 0;
	char *buf;
	int rc;

	if (path_check(s->r, path, s->r->scripts_dir, 0, real) < 0 ||
	    !path_under(real, s->r->scripts_dir))
		luaL_error(L,
			   "%s: access denied (only files of the scripts "
			   "directory may be loaded)",
			   path);
	buf = file_read(real, &len);
	if (!buf)
		luaL_error(L, "%s: cannot read", path);
	rel = real + strlen(s->r->scripts_dir);
	while (*rel == '/')
		rel++;
	snprintf(name, sizeof(name), "@%s", rel);
	rc = luaL_loadbufferx(L, buf, len, name, "t");
	free(buf);
	if (rc != 0)
		lua_error(L);
}

static int
safe_dofile(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);

	lua_settop(L, 1);
	load_file_checked(L, path);
	lua_call(L, 0, LUA_MULTRET);
	return lua_gettop(L) - 1;
}

static int
safe_loadfile(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);

	load_file_checked(L, path);
	return 1;
}

/* loadstring(s [, name]) / load(s_or_fn [, name]): text only. */
static int
safe_load(lua_State *L)
{
	const char *name = luaL_optstring(L, 2, "=(load)");
	size_t len;
	const char *s;

	if (lua_type(L, 1) == LUA_TFUNCTION) {
		luaL_Buffer b;

		luaL_buffinit(L, &b);
		for (;;) {
			const char *piece;

			lua_pushvalue(L, 1);
			lua_call(L, 0, 1);
			piece = lua_tolstring(L, -1, &len);
			if (!piece || !len) {
				lua_pop(L, 1);
				break;
			}
			luaL_addvalue(&b);
		}
		luaL_pushresult(&b);
		s = lua_tolstring(L, -1, &len);
	} else {
		s = luaL_checklstring(L, 1, &len);
	}
	if (luaL_loadbufferx(L, s, len, name, "t") != 0) {
		const char *m = lua_tostring(L, -1);

		/* LuaJIT says "wrong mode": say why */
		lua_pushnil(L);
		if (m && strstr(m, "wrong mode"))
			lua_pushstring(L, "load: bytecode chunks are refused "
					  "(source text only)");
		else
			lua_pushvalue(L, -2);
		return 2;
	}
	return 1;
}

/* require(name): <root>/modules/<name>.lua, dots as '/', once per run. */
static int
safe_require(lua_State *L)
{
	struct run_state *s = run_get(L);
	const char *name = luaL_checkstring(L, 1);
	char rel[PATH_MAX], mod[256];
	size_t n = strlen(name);

	if (!n || n > 200 || strstr(name, "..") || name[0] == '.' ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_-.") != n)
		return luaL_error(L,
				  "module '%s' not allowed (a name of letters, "
				  "digits, '_', '-' and '.' in modules/)",
				  name);
	lua_getfield(L, LUA_REGISTRYINDEX, "ntopng.loaded");
	lua_getfield(L, -1, name);
	if (!lua_isnil(L, -1))
		return 1;
	lua_pop(L, 1);
	/* upstream's layout (lua/modules/) first, then modules/ */
	snprintf(mod, sizeof(mod), "%s", name);
	for (char *p = mod; *p; p++)
		if (*p == '.')
			*p = '/';
	snprintf(rel, sizeof(rel), "%s/lua/modules/%s.lua", s->r->scripts_dir,
		 mod);
	if (access(rel, R_OK) != 0)
		snprintf(rel, sizeof(rel), "%s/modules/%s.lua",
			 s->r->scripts_dir, mod);
	if (access(rel, R_OK) != 0)
		return luaL_error(L, "module '%s' not found in modules/", name);
	load_file_checked(L, rel);
	lua_pushstring(L, name);
	lua_call(L, 1, 1);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, name);
	return 1;
}

static int
refused(lua_State *L)
{
	return luaL_error(L, "%s is not available in ntopng scripts",
			  lua_tostring(L, lua_upvalueindex(1)));
}

static void
refuse(lua_State *L, const char *table, const char *name, const char *shown)
{
	lua_getglobal(L, table);
	if (lua_istable(L, -1)) {
		lua_pushstring(L, shown);
		lua_pushcclosure(L, refused, 1);
		lua_setfield(L, -2, name);
	}
	lua_pop(L, 1);
}

/* ------------------------------------------------------------------ */
/* output                                                              */

static int
out_add(struct run_state *s, const char *p, size_t n)
{
	if (s->olen + n > LUAENG_OUT_MAX) {
		s->out_over = 1;
		return -1;
	}
	if (s->olen + n + 1 > s->ocap) {
		size_t cap = s->ocap ? s->ocap : 4096;
		char *nb;

		while (cap < s->olen + n + 1)
			cap *= 2;
		if (cap > LUAENG_OUT_MAX + 1)
			cap = LUAENG_OUT_MAX + 1;
		nb = realloc(s->out, cap);
		if (!nb)
			return -1;
		s->out = nb;
		s->ocap = cap;
	}
	memcpy(s->out + s->olen, p, n);
	s->olen += n;
	s->out[s->olen] = '\0';
	return 0;
}

/* print(x): pages append the first argument to the response (numbers
 * with %.14g, not upstream's %f); callbacks log every argument. */
static int
page_print(lua_State *L)
{
	struct run_state *s = run_get(L);
	size_t n;
	const char *p;

	if (s->r->callback) {
		luaL_Buffer b;

		luaL_buffinit(L, &b);
		for (int i = 1; i <= lua_gettop(L); i++) {
			lua_getglobal(L, "tostring");
			lua_pushvalue(L, i);
			lua_call(L, 1, 1);
			if (i > 1)
				luaL_addchar(&b, '\t');
			luaL_addvalue(&b);
		}
		luaL_pushresult(&b);
		log_info("lua: %s: %s", s->r->name, lua_tostring(L, -1));
		return 0;
	}
	if (lua_gettop(L) < 1)
		return 0;
	if (lua_type(L, 1) == LUA_TTABLE || lua_type(L, 1) == LUA_TFUNCTION)
		return 0;
	lua_getglobal(L, "tostring");
	lua_pushvalue(L, 1);
	lua_call(L, 1, 1);
	p = lua_tolstring(L, -1, &n);
	if (p && out_add(s, p, n) < 0)
		return luaL_error(L, "output too large (cap %u bytes)",
				  (unsigned)LUAENG_OUT_MAX);
	return 0;
}

/* 1 when s may go into a header value. */
static int
header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int
header_block(lua_State *L, const char *mime, const char *cookie)
{
	struct run_state *s = run_get(L);
	char b[1024];
	int n;

	if (!header_safe(mime) || (cookie && !header_safe(cookie)))
		return luaL_error(L, "bad header value");
	n = snprintf(b, sizeof(b),
		     "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n%s%s%s\r\n", mime,
		     cookie ? "Set-Cookie: " : "", cookie ? cookie : "",
		     cookie ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(b))
		return luaL_error(L, "header too long");
	if (!s->r->callback)
		out_add(s, b, (size_t)n);
	return 0;
}

/* sendHTTPHeader(mime), sendHTTPContentTypeHeader(mime),
 * sendHTTPHeaderLogout(mime) */
static int
send_header(lua_State *L)
{
	return header_block(L, luaL_optstring(L, 1, "text/html"), NULL);
}

/* sendHTTPHeaderIfName(mime, ifname, maxage) */
static int
send_header_ifname(lua_State *L)
{
	const char *mime = luaL_optstring(L, 1, "text/html");
	const char *ifn = luaL_optstring(L, 2, "");
	long age = (long)luaL_optnumber(L, 3, 3600);
	char c[512];

	if (strpbrk(ifn, ";,\" \\"))
		return luaL_error(L, "sendHTTPHeaderIfName: bad ifname");
	snprintf(c, sizeof(c),
		 "ifname=%s; Path=/; Max-Age=%ld; SameSite=Strict", ifn,
		 age < 0 ? 0L : age);
	return header_block(L, mime, c);
}

/* ------------------------------------------------------------------ */
/* state set-up                                                        */

static void
set_table(lua_State *L, const char *name, const struct luaeng_kv *kv)
{
	lua_newtable(L);
	for (size_t i = 0; kv && i < kv->n; i++) {
		lua_pushstring(L, kv->v[i]);
		lua_setfield(L, -2, kv->k[i]);
	}
	lua_setglobal(L, name);
}

/* The sandbox; runs under lua_cpcall (a memory error is caught). */
static int
setup(lua_State *L)
{
	struct run_state *s = lua_touserdata(L, 1);
	struct luaeng_job *j = s->r->job;

	luaL_openlibs(L);
	luaJIT_setmode(L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);

	/* os: only the clock */
	lua_getglobal(L, "os");
	lua_newtable(L);
	static const char *const keep_os[] = { "time", "date", "clock",
					       "difftime" };
	for (size_t i = 0; i < 4; i++) {
		lua_getfield(L, -2, keep_os[i]);
		lua_setfield(L, -2, keep_os[i]);
	}
	lua_setglobal(L, "os");
	lua_pop(L, 1);
	refuse(L, "os", "execute", "os.execute");
	refuse(L, "os", "exit", "os.exit");
	refuse(L, "os", "remove", "os.remove");
	refuse(L, "os", "rename", "os.rename");
	refuse(L, "os", "getenv", "os.getenv");

	/* io: only a confined open() */
	lua_getglobal(L, "io");
	lua_newtable(L);
	lua_getfield(L, -2, "open");
	lua_pushcclosure(L, safe_io_open, 1);
	lua_setfield(L, -2, "open");
	lua_getfield(L, -2, "type");
	lua_setfield(L, -2, "type");
	lua_setglobal(L, "io");
	lua_pop(L, 1);
	refuse(L, "io", "popen", "io.popen");
	refuse(L, "io", "lines", "io.lines");
	refuse(L, "io", "input", "io.input");
	refuse(L, "io", "output", "io.output");
	refuse(L, "io", "tmpfile", "io.tmpfile");

	/* no debug, jit, ffi, C modules */
	lua_pushnil(L);
	lua_setglobal(L, "debug");
	lua_pushnil(L);
	lua_setglobal(L, "jit");
	lua_pushnil(L);
	lua_setglobal(L, "module");
	lua_pushnil(L);
	lua_setglobal(L, "newproxy");
	lua_newtable(L); /* package: path is accepted and ignored */
	lua_pushstring(L, "");
	lua_setfield(L, -2, "path");
	lua_pushstring(L, "");
	lua_setfield(L, -2, "cpath");
	lua_newtable(L);
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, "ntopng.loaded");
	lua_setfield(L, -2, "loaded");
	lua_setglobal(L, "package");
	refuse(L, "package", "loadlib", "package.loadlib");
	/* the old _LOADED table still holds io, os, debug, jit, ffi? */
	lua_pushnil(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "_LOADED");
	lua_pushnil(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "_PRELOAD");

	lua_register(L, "require", safe_require);
	lua_register(L, "dofile", safe_dofile);
	lua_register(L, "loadfile", safe_loadfile);
	lua_register(L, "loadstring", safe_load);
	lua_register(L, "load", safe_load);
	lua_register(L, "print", page_print);
	lua_register(L, "sendHTTPHeader", send_header);
	lua_register(L, "sendHTTPContentTypeHeader", send_header);
	lua_register(L, "sendHTTPHeaderLogout", send_header);
	lua_register(L, "sendHTTPHeaderIfName", send_header_ifname);
	wrap_global(L, NULL, "pcall");
	wrap_global(L, NULL, "xpcall");
	wrap_global(L, "coroutine", "resume");
	/* the string metatable's __index is the shared string table */
	lua_pushstring(L, "");
	if (lua_getmetatable(L, -1)) {
		lua_pushboolean(L, 0);
		lua_setfield(L, -2, "__metatable");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);

	luabind_open(L);

	if (j) {
		set_table(L, "_GET", &j->get);
		set_table(L, "_POST", &j->post);
		set_table(L, "_COOKIE", &j->cookie);
		set_table(L, "_SERVER", &j->server);
		lua_newtable(L);
		lua_pushstring(L, j->user);
		lua_setfield(L, -2, "user");
		lua_pushstring(L, j->session);
		lua_setfield(L, -2, "session");
		lua_pushstring(L, j->ifname);
		lua_setfield(L, -2, "ifname");
		lua_setglobal(L, "_SESSION");
		lua_pushstring(L, j->ifname);
		lua_setglobal(L, "ifname");
	}
	return 0;
}

int
luaeng_run(struct luaeng_run *r)
{
	struct run_state s;
	struct luabind_ctx ctx;
	lua_State *L;
	size_t len = 0;
	char *buf = NULL, cname[300];
	int rc = -1;

	memset(&s, 0, sizeof(s));
	s.r = r;
	s.mem_max = r->mem_max ? r->mem_max : LUAENG_MEM_MAX;
	r->error[0] = '\0';
	L = lua_newstate(run_alloc, &s);
	if (!L) {
		snprintf(r->error, sizeof(r->error),
			 "cannot create a Lua state");
		return -1;
	}
	lua_pushlightuserdata(L, (void *)&run_key);
	lua_pushlightuserdata(L, &s);
	lua_rawset(L, LUA_REGISTRYINDEX);

	memset(&ctx, 0, sizeof(ctx));
	ctx.prefs = r->prefs;
	ctx.callback = r->callback;
	ctx.admin = r->callback ? 1 : (r->job ? r->job->admin : 0);
	ctx.ifid = r->job ? r->job->ifid : 0;
	ctx.post = r->job ? r->job->is_post : 0;
	if (r->job)
		snprintf(ctx.user, sizeof(ctx.user), "%s", r->job->user);
	snprintf(ctx.script, sizeof(ctx.script), "%s", r->name);
	s.deadline = time_mono_ms() + (r->budget_ms ? r->budget_ms : 1000);
	ctx.deadline_ms = s.deadline;
	luabind_set_ctx(L, &ctx);

	if (lua_cpcall(L, setup, &s) != 0) {
		snprintf(r->error, sizeof(r->error), "%s: set-up failed: %s",
			 r->name,
			 lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
		goto out;
	}
	buf = file_read(r->file, &len);
	if (!buf) {
		snprintf(r->error, sizeof(r->error), "%s: cannot read: %s",
			 r->name, strerror(errno));
		goto out;
	}
	snprintf(cname, sizeof(cname), "@%s", r->name);
	lua_sethook(L, run_hook, LUA_MASKCOUNT, LUAENG_HOOK_COUNT);
	if (luaL_loadbufferx(L, buf, len, cname, "t") != 0 ||
	    lua_pcall(L, 0, 0, 0) != 0) {
		const char *m = lua_tostring(L, -1);

		snprintf(r->error, sizeof(r->error), "%s",
			 m ? m : "error object is not a string");
		/* the message may carry request data: one log line, no
		 * control characters */
		for (char *p = r->error; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		goto out;
	}
	rc = 0;
out:
	free(buf);
	luabind_set_ctx(L, NULL);
	lua_close(L);
	if (r->job) {
		r->job->body = s.out;
		r->job->len = s.olen;
		s.out = NULL;
	}
	free(s.out);
	return rc;
}

/* ------------------------------------------------------------------ */
/* pages                                                               */

static void
html_esc(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	for (; *s && o + 7 < cap; s++) {
		const char *e = NULL;

		switch (*s) {
		case '<':
			e = "&lt;";
			break;
		case '>':
			e = "&gt;";
			break;
		case '&':
			e = "&amp;";
			break;
		case '"':
			e = "&quot;";
			break;
		case '\'':
			e = "&#39;";
			break;
		}
		if (e) {
			size_t n = strlen(e);

			memcpy(out + o, e, n);
			o += n;
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

/* The line of `script` in a Lua error message ("...lua/x.lua:12: ..."),
 * or 0 when the message names no line of it. */
static long
err_line(const char *what, const char *script)
{
	size_t n = strlen(script);

	for (const char *p = what; (p = strstr(p, script)) != NULL; p += n) {
		char *end;
		long l;

		if (p[n] != ':')
			continue;
		errno = 0;
		l = strtol(p + n + 1, &end, 10);
		if (errno == 0 && end > p + n + 1 && *end == ':' && l > 0)
			return l;
	}
	return 0;
}

static void
page_error(struct luaeng_job *j, const char *what)
{
	char esc[1200], name[600];
	char *b = NULL;
	long line = err_line(what, j->name);

	html_esc(j->name, name, sizeof(name));
	if (j->admin)
		html_esc(what, esc, sizeof(esc));
	else if (line > 0) /* where, but not what: the message may hold data */
		snprintf(esc, sizeof(esc), "<p>At line %ld.</p>", line);
	else
		esc[0] = '\0';
	free(j->body);
	j->body = NULL;
	free(j->headers);
	j->headers = strdup("Content-Type: text/html; charset=utf-8\n");
	if (asprintf(&b,
		     "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		     "<title>500 Internal Server Error</title></head>"
		     "<body><h1>500 Internal Server Error</h1>"
		     "<p>The script %s failed.</p>%s%s%s%s</body></html>\n",
		     name, j->admin ? "<pre>" : "", esc,
		     j->admin ? ""
			      : "<p>The details are in the node's log.</p>",
		     j->admin ? "</pre>" : "") < 0)
		b = NULL;
	j->body = b;
	j->len = b ? strlen(b) : 0;
	j->status = 500;
	j->failed = 1;
}

static void
page_run(struct luaeng *e, struct luaeng_job *j)
{
	struct luaeng_run r;
	char hdrs[LUAENG_HDRS_MAX];
	size_t off = 0;
	int status = 200;
	enum luaparse_rc pr;

	memset(&r, 0, sizeof(r));
	r.prefs = e->prefs;
	r.data_dir = e->data;
	r.scripts_dir = e->root;
	r.file = j->path;
	r.name = j->name;
	r.budget_ms = LUAENG_PAGE_BUDGET_MS;
	r.mem_max = (size_t)e->prefs->lua_max_memory << 20;
	r.job = j;
	j->failed = 0;
	if (luaeng_run(&r) != 0) {
		snprintf(j->error, sizeof(j->error), "%s", r.error);
		log_warn("lua: script failure [%s][%s] (user %s)", j->name,
			 r.error, j->user[0] ? j->user : "-");
		page_error(j, r.error);
		return;
	}
	pr = luaparse_headers(j->body ? j->body : "", j->len, &status, hdrs,
			      sizeof(hdrs), &off);
	if (pr == LUAPARSE_BAD) {
		snprintf(j->error, sizeof(j->error),
			 "%s: the header block printed is malformed", j->name);
		log_warn("lua: script failure [%s][bad header block]", j->name);
		page_error(j, j->error);
		return;
	}
	if (pr == LUAPARSE_NONE) {
		snprintf(hdrs, sizeof(hdrs),
			 "Content-Type: text/html; charset=utf-8\n");
		off = 0;
	}
	j->headers = strdup(hdrs);
	if (off && j->body) {
		memmove(j->body, j->body + off, j->len - off);
		j->len -= off;
	}
	j->status = status;
}

static void *
worker(void *arg)
{
	struct luaeng *e = arg;

	log_set_role("lua");
	pthread_mutex_lock(&e->lock);
	for (;;) {
		struct luaeng_job *j;

		while (!e->n && !e->stopping)
			pthread_cond_wait(&e->cond, &e->lock);
		if (!e->n)
			break;
		j = e->queue[e->head];
		e->head = (e->head + 1) % LUAENG_QUEUE_MAX;
		e->n--;
		pthread_mutex_unlock(&e->lock);
		page_run(e, j);
		j->done(j, j->arg); /* j is the caller's again */
		pthread_mutex_lock(&e->lock);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

int
luaeng_submit(struct luaeng *e, struct luaeng_job *j)
{
	int rc = -1;

	pthread_mutex_lock(&e->lock);
	if (!e->stopping && e->n < LUAENG_QUEUE_MAX) {
		e->queue[(e->head + e->n) % LUAENG_QUEUE_MAX] = j;
		e->n++;
		pthread_cond_signal(&e->cond);
		rc = 0;
	}
	pthread_mutex_unlock(&e->lock);
	return rc;
}

int
luaeng_resolve(struct luaeng *e, const char *url, struct luaeng_job *j)
{
	const char *rel;
	char cand[PATH_MAX];
	size_t n;
	struct stat st;
	int w;

	if (!e || !e->luadir[0] || strncmp(url, "/lua/", 5))
		return -1;
	rel = url + 5;
	n = strlen(rel);
	if (n < 5 || n > 200 || strcmp(rel + n - 4, ".lua"))
		return -1;
	/* no hidden segment (".x", "..", "."), no empty one, no backslash */
	for (const char *p = rel; *p; p++) {
		if ((p == rel || p[-1] == '/') && (*p == '.' || *p == '/'))
			return -1;
		if (*p == '\\' || (unsigned char)*p < 0x20)
			return -1;
	}
	w = snprintf(cand, sizeof(cand), "%s/%s", e->luadir, rel);
	if (w < 0 || (size_t)w >= sizeof(cand))
		return -1;
	if (!realpath(cand, j->path) || !path_under(j->path, e->luadir) ||
	    stat(j->path, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	snprintf(j->name, sizeof(j->name), "lua/%s", rel);
	return 0;
}

const char *
luaeng_scripts_dir(const struct luaeng *e)
{
	return e ? e->root : "";
}

int
luaeng_dir_find(const char *opt, char *out)
{
	/* common/paths.h: the source tree for a binary in its build
	 * directory, the installed $(datadir)/ntopng for an installed one;
	 * a name other than the defaults was given by the user */
	int given = opt && strcmp(opt, "scripts") &&
		    strcmp(opt, "scripts/callbacks");

	return paths_find(opt, given, NULL, out);
}

struct luaeng *
luaeng_start(const struct prefs *p, int workers)
{
	struct luaeng *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->prefs = p;
	if (workers < 1)
		workers = 1;
	if (workers > LUAENG_WORKERS_MAX)
		workers = LUAENG_WORKERS_MAX;
	if (luaeng_dir_find(p->scripts_dir, e->root) == 0) {
		char tmp[PATH_MAX];

		snprintf(tmp, sizeof(tmp), "%.*s/lua", PATH_MAX - 8, e->root);
		if (!realpath(tmp, e->luadir))
			e->luadir[0] = '\0';
	}
	if (!p->data_dir || !realpath(p->data_dir, e->data))
		e->data[0] = '\0';
	if (e->luadir[0])
		log_info("lua: page scripts from %s (%d workers)", e->luadir,
			 workers);
	else
		log_info("lua: no scripts directory %s/lua: no Lua pages",
			 p->scripts_dir ? p->scripts_dir : "?");
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cond, NULL);
	for (int i = 0; i < workers; i++) {
		if (pthread_create(&e->th[i], NULL, worker, e) != 0) {
			log_err("lua: cannot start a page worker");
			luaeng_free(e);
			return NULL;
		}
		e->nth++;
	}
	return e;
}

void
luaeng_stop(struct luaeng *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	e->stopping = 1;
	while (e->n) {
		struct luaeng_job *j = e->queue[e->head];

		e->head = (e->head + 1) % LUAENG_QUEUE_MAX;
		e->n--;
		j->status = 503;
		j->failed = 1;
		pthread_mutex_unlock(&e->lock);
		j->done(j, j->arg);
		pthread_mutex_lock(&e->lock);
	}
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
	for (int i = 0; i < e->nth; i++)
		pthread_join(e->th[i], NULL);
	e->nth = 0;
}

void
luaeng_free(struct luaeng *e)
{
	if (!e)
		return;
	luaeng_stop(e);
	pthread_cond_destroy(&e->cond);
	pthread_mutex_destroy(&e->lock);
	free(e);
}
