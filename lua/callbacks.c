/*
 * callbacks.c - the scheduler of the periodic callbacks (lua-api.md 4.1
 * with the 2.4 fixes of 8.2):
 *   - second.lua runs every second on the monotonic clock in its own
 *     thread: run, then sleep for what is left of the second; a run that
 *     overruns skips the slots it covered (counted), never bursts;
 *   - minute.lua, hourly.lua and daily.lua run in a second thread, 1 s
 *     after the wall-clock boundary (so the per-minute counters are
 *     settled), daily at local midnight recomputed each day (DST).  After
 *     a run the next slot is computed from "now": missed slots are
 *     skipped and counted, never caught up.
 * One thread per group means a script never overlaps itself.  Each run
 * gets a fresh sandboxed state (luaeng_run) with callback = 1 and
 * admin = 1, so an edited script is read again at its next run.  A
 * failing script is logged once per change of its error message (and
 * again after it recovered); a missing directory or script is logged
 * once (INFO) per change and simply not run.
 */
#include "lua/callbacks.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/prefs.h"
#include "common/timeutil.h"
#include "lua/engine.h"

enum { CB_SECOND, CB_MINUTE, CB_HOURLY, CB_DAILY, CB_N };

static const struct {
	const char *file;
	unsigned budget_ms;
} cb_def[CB_N] = {
	{ "second.lua", 900 },
	{ "minute.lua", 50 * 1000 },
	{ "hourly.lua", 10 * 60 * 1000 },
	{ "daily.lua", 30 * 60 * 1000 },
};

struct cb_script {
	char last_error[512]; /* logged already */
	int missing_logged;
	unsigned long runs, failures, skipped;
	time_t next; /* wall clock (minute, hourly, daily) */
};

struct luacb {
	const struct prefs *prefs;
	char dir[PATH_MAX];	/* realpath of -3, "" if missing */
	char scripts[PATH_MAX]; /* realpath of -2 (for dofile/require) */
	char data[PATH_MAX];
	struct cb_script s[CB_N];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stopping;
	int abort; /* __atomic: ends the running scripts at stop */
	pthread_t th_second, th_periodic;
	int second_on, periodic_on;
};

static void
cb_run(struct luacb *c, int i)
{
	struct cb_script *s = &c->s[i];
	struct luaeng_run r;
	char path[PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", c->dir, cb_def[i].file);
	if (!c->dir[0] || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (!s->missing_logged)
			log_info("lua: callback %s not found in %s: not run",
				 cb_def[i].file,
				 c->dir[0] ? c->dir : c->prefs->callbacks_dir);
		s->missing_logged = 1;
		return;
	}
	if (s->missing_logged)
		log_info("lua: callback %s found: running it", path);
	s->missing_logged = 0;
	memset(&r, 0, sizeof(r));
	r.prefs = c->prefs;
	r.data_dir = c->data;
	r.scripts_dir = c->scripts[0] ? c->scripts : c->dir;
	r.file = path;
	r.name = cb_def[i].file;
	r.callback = 1;
	r.budget_ms = cb_def[i].budget_ms;
	r.mem_max = (size_t)c->prefs->lua_max_memory << 20;
	r.abort = &c->abort;
	s->runs++;
	if (luaeng_run(&r) != 0) {
		s->failures++;
		if (strcmp(r.error, s->last_error)) {
			log_warn("lua: callback %s failed: %s (logged once "
				 "until the error changes)",
				 cb_def[i].file, r.error);
			snprintf(s->last_error, sizeof(s->last_error), "%s",
				 r.error);
		}
	} else if (s->last_error[0]) {
		log_info("lua: callback %s runs again without error",
			 cb_def[i].file);
		s->last_error[0] = '\0';
	}
}

/* Waits until the monotonic ms `until` or the stop; 1 when stopping. */
static int
cb_wait(struct luacb *c, uint64_t until)
{
	int stop;

	pthread_mutex_lock(&c->lock);
	while (!c->stopping) {
		uint64_t now = time_mono_ms();
		struct timespec ts;

		if (now >= until)
			break;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)((until - now) / 1000);
		ts.tv_nsec += (long)((until - now) % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&c->cond, &c->lock, &ts);
	}
	stop = c->stopping;
	pthread_mutex_unlock(&c->lock);
	return stop;
}

static void *
cb_second(void *arg)
{
	struct luacb *c = arg;
	struct cb_script *s = &c->s[CB_SECOND];
	uint64_t next = time_mono_ms() + 1000;

	log_set_role("lua-second");
	while (!cb_wait(c, next)) {
		uint64_t now;

		cb_run(c, CB_SECOND);
		now = time_mono_ms();
		next += 1000;
		if (now >= next) {
			/* overran: skip the slots it covered */
			uint64_t miss = (now - next) / 1000 + 1;

			s->skipped += miss;
			next += miss * 1000;
		}
	}
	return NULL;
}

/* The next slot strictly after now, + 1 s. */
static time_t
cb_next(int i, time_t now)
{
	struct tm tm;
	time_t t;

	switch (i) {
	case CB_MINUTE:
		return (now - 1) / 60 * 60 + 60 + 1;
	case CB_HOURLY:
		return (now - 1) / 3600 * 3600 + 3600 + 1;
	default:
		/* the next local midnight (mktime normalises day + 1 and
		 * picks the DST offset of that day) */
		localtime_r(&now, &tm);
		tm.tm_mday++;
		tm.tm_hour = 0;
		tm.tm_min = 0;
		tm.tm_sec = 1;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		return t > now ? t : now + 86400;
	}
}

static void *
cb_periodic(void *arg)
{
	struct luacb *c = arg;
	time_t now = time(NULL);

	log_set_role("lua-periodic");
	for (int i = CB_MINUTE; i < CB_N; i++)
		c->s[i].next = cb_next(i, now);
	/* polls the wall clock every 200 ms: a clock step is seen at once */
	while (!cb_wait(c, time_mono_ms() + 200)) {
		now = time(NULL);
		for (int i = CB_MINUTE; i < CB_N; i++) {
			struct cb_script *s = &c->s[i];
			time_t after;

			if (now < s->next)
				continue;
			cb_run(c, i);
			after = time(NULL);
			s->next = cb_next(i, after);
			/* slots that passed during the run (or a clock
			 * jump) are skipped, not caught up */
			if (i == CB_MINUTE && after - now >= 60)
				s->skipped +=
					(unsigned long)((after - now) / 60);
			else if (i == CB_HOURLY && after - now >= 3600)
				s->skipped +=
					(unsigned long)((after - now) / 3600);
		}
	}
	return NULL;
}

struct luacb *
luacb_start(const struct prefs *p)
{
	struct luacb *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->prefs = p;
	if (luaeng_dir_find(p->callbacks_dir, c->dir) < 0)
		log_info("lua: callbacks directory %s not found: no callbacks",
			 p->callbacks_dir ? p->callbacks_dir : "?");
	else
		log_info("lua: callbacks from %s", c->dir);
	if (luaeng_dir_find(p->scripts_dir, c->scripts) < 0)
		c->scripts[0] = '\0';
	if (!p->data_dir || !realpath(p->data_dir, c->data))
		c->data[0] = '\0';
	pthread_mutex_init(&c->lock, NULL);
	if (cond_init_mono(&c->cond) != 0) {
		pthread_mutex_destroy(&c->lock);
		free(c);
		return NULL;
	}
	if (!c->dir[0])
		return c; /* nothing to schedule: no threads */
	if (pthread_create(&c->th_second, NULL, cb_second, c) != 0)
		goto fail;
	c->second_on = 1;
	if (pthread_create(&c->th_periodic, NULL, cb_periodic, c) != 0)
		goto fail;
	c->periodic_on = 1;
	return c;
fail:
	log_err("lua: cannot start the callback threads");
	luacb_stop(c);
	return NULL;
}

void
luacb_stop(struct luacb *c)
{
	if (!c)
		return;
	/* a running hourly or daily script must not hold the stop for
	 * minutes: its next hook ends it */
	__atomic_store_n(&c->abort, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&c->lock);
	c->stopping = 1;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	if (c->second_on)
		pthread_join(c->th_second, NULL);
	if (c->periodic_on)
		pthread_join(c->th_periodic, NULL);
	for (int i = 0; i < CB_N; i++)
		if (c->s[i].runs || c->s[i].skipped)
			log_info("lua: callback %s: %lu runs, %lu failed, "
				 "%lu slots skipped",
				 cb_def[i].file, c->s[i].runs, c->s[i].failures,
				 c->s[i].skipped);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
