/*
 * engine.h - the Lua engine: sandboxed LuaJIT states that run page
 * scripts for the web server (a pool of worker threads fed by a bounded
 * queue) and the periodic callbacks (lua/callbacks.c).  docs/lua.md
 * describes the sandbox, the threads and the error handling.
 *
 * The web server never runs Lua on its own threads: it copies what a
 * script may see out of the request (a struct luaeng_job, owned by the
 * caller), submits it, and gets it back through the job's done()
 * callback, called once on a worker thread after the run.
 */
#ifndef LUA_ENGINE_H
#define LUA_ENGINE_H

#include <limits.h>
#include <stddef.h>

struct prefs;
struct luaeng;

#define LUAENG_MEM_MAX (256u * 1024 * 1024) /* default cap per run */
#define LUAENG_OUT_MAX (32u * 1024 * 1024)  /* bytes printed per page */
#define LUAENG_PAGE_BUDGET_MS 1000	    /* wall clock per page */
#define LUAENG_QUEUE_MAX 64		    /* waiting page jobs */

/* A growable list of name/value pairs (both heap strings, owned). */
struct luaeng_kv {
	char **k, **v;
	size_t n, cap;
};

int luaeng_kv_add(struct luaeng_kv *kv, const char *k, const char *v);
void luaeng_kv_fini(struct luaeng_kv *kv);

/* One page run.  The caller fills the "in" part, submits, and owns the
 * block until done() was called; the engine fills "out". */
struct luaeng_job {
	/* in */
	char path[PATH_MAX]; /* resolved script file (luaeng_resolve) */
	char name[256];	     /* "lua/x.lua": for messages and the log */
	struct luaeng_kv get, post, cookie, server;
	char user[64], session[80], ifname[128];
	int admin;
	int ifid;
	int is_post; /* a POST that passed the same-origin and CSRF checks */
	void (*done)(struct luaeng_job *j, void *arg);
	void *arg;
	/* out */
	int status;    /* HTTP status */
	int failed;    /* 1: a Lua error (body is an error page) */
	char *headers; /* "Name: value\n" lines (heap) or NULL */
	char *body;    /* heap, len bytes */
	size_t len;
	char error[512]; /* the Lua message when failed */
};

void luaeng_job_fini(struct luaeng_job *j);

/*
 * Starts `workers` page threads (1..16).  Finds the scripts directory
 * (-2; the default "scripts" is also looked for in the source tree and
 * next to the binary).  Main thread.  NULL on failure (logged).
 */
struct luaeng *luaeng_start(const struct prefs *p, int workers);
/* Fails the waiting jobs (503, done() called), lets the running ones end
 * (each is bounded by its budget), joins the workers.  Afterwards
 * luaeng_submit() refuses every job, and luaeng_resolve() still works, so
 * the web server may stop its own threads after this.  NULL: no-op. */
void luaeng_stop(struct luaeng *e);
/* luaeng_stop() if not done, then frees e.  NULL is a no-op. */
void luaeng_free(struct luaeng *e);

/*
 * Maps a URL "/lua/<path>.lua" to the script file under <scripts>/lua:
 * no hidden segment, no "..", only ".lua", and the realpath() must stay
 * under the directory (a symlink out of it is refused).  Fills j->path
 * and j->name.  Returns 0, or -1 when no such script may run.  Any
 * thread.
 */
int luaeng_resolve(struct luaeng *e, const char *url, struct luaeng_job *j);

/* Queues j; -1 when the queue is full or the engine stops (j untouched,
 * done() not called). Any thread. */
int luaeng_submit(struct luaeng *e, struct luaeng_job *j);

/* ---- shared with lua/callbacks.c ---- */

/* What a run is: a page, or a callback. */
struct luaeng_run {
	const struct prefs *prefs;
	const char *data_dir;	 /* realpath of -d (may be "") */
	const char *scripts_dir; /* realpath of the scripts root (may be "") */
	const char *file;	 /* the script to run */
	const char *name;	 /* its name in messages */
	int callback;
	unsigned budget_ms;
	size_t mem_max;
	struct luaeng_job *job; /* pages: the request; NULL for callbacks */
	const int *abort;	/* __atomic; when set to 1 the run ends at
				 * the next hook (node stopping); may be NULL */
	char error[512];	/* out: the message when the run failed */
};

/* Runs one script in a fresh sandboxed state.  0, or -1 with r->error
 * set (syntax, runtime, memory or deadline error).  The caller's thread,
 * never an interface owner. */
int luaeng_run(struct luaeng_run *r);

/* The realpath of the scripts root the engine found ("" if none). */
const char *luaeng_scripts_dir(const struct luaeng *e);

/* Finds the directory `opt` (relative: common/paths.h's search, the
 * source tree or the installed $(datadir)/ntopng); fills out (PATH_MAX)
 * with its realpath.  0 or -1. */
int luaeng_dir_find(const char *opt, char *out);

#endif
