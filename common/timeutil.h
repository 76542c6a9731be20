/*
 * timeutil.h - clocks and monotonic condition-variable deadlines.
 *
 * Header-only (static inline): these are one clock_gettime each, called
 * on the packet and ingest paths, and the decoders' fuzz targets link
 * common/log.c alone, which needs time_mono_ms() for its rate limiter.
 * Any thread may call every function here.
 */
#ifndef COMMON_TIMEUTIL_H
#define COMMON_TIMEUTIL_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Monotonic time in milliseconds (intervals, deadlines, rate limits). */
static inline uint64_t
time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Monotonic seconds with nanosecond resolution (benchmarks). */
static inline double
time_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall-clock time in milliseconds since the epoch (what is shown). */
static inline uint64_t
time_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Condition variables whose timed waits run on the monotonic clock, so
 * that a wall clock set forward (NTP, a VM resumed) does not end every
 * wait at once: cond_init_mono() at set-up, then pthread_cond_timedwait
 * with a deadline from cond_deadline_ms().  Returns pthread_cond_init's
 * result.
 */
static inline int
cond_init_mono(pthread_cond_t *c)
{
	pthread_condattr_t a;
	int rc;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	rc = pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
	return rc;
}

/* The monotonic deadline `ms` milliseconds from now. */
static inline void
cond_deadline_ms(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

#endif
