/*
 * jobq.h - a bounded queue of fixed-size jobs with one worker thread
 * (the Redis bio.c pattern: one worker per kind of job, so a slow backend
 * stalls only its own queue).
 *
 * Posters copy a job by value into the ring and return at once; when the
 * ring is full the job is dropped and counted (jobq_post), or, for a
 * shutdown flush, the poster waits for room (wait = 1).  The worker takes
 * up to `batch` jobs at a time out of the ring under the lock (so posters
 * can post again at once), then hands them to batch_fn without the lock.
 * idle_fn runs after every batch and at least once a second, for periodic
 * work; fini_fn once when the worker ends, after the last batch.
 *
 * Threads: jobq_start/jobq_stop on one controlling thread (main); post,
 * drain and stats from any thread; the callbacks on the worker only.
 */
#ifndef COMMON_JOBQ_H
#define COMMON_JOBQ_H

#include <stddef.h>
#include <stdint.h>

struct jobq;

struct jobq_ops {
	const char *role; /* the worker's log role ("writer-db") */
	size_t job_size;
	uint32_t capacity, batch;
	/* the worker: jobs[0..n-1], owned by the queue (copy what you keep) */
	void (*batch_fn)(void *arg, void *jobs, uint32_t n);
	void (*idle_fn)(void *arg); /* may be NULL */
	void (*fini_fn)(void *arg); /* may be NULL */
	/* the poster, when its job is dropped: frees what the job owns */
	void (*drop_fn)(const void *job); /* may be NULL */
	void *arg;
};

struct jobq_stats {
	uint64_t posted, done, dropped;
	uint32_t queued;
};

/* Allocates the ring and starts the worker; ops is copied.  NULL with the
 * cause logged. */
struct jobq *jobq_start(const struct jobq_ops *ops);
/* Lets the worker handle what is queued, joins it, frees q (NULL: no-op). */
void jobq_stop(struct jobq *q);
/* Copies job into the ring: 0, or -1 (dropped and counted) when the ring
 * is full (wait = 0) or the queue is stopping.  NULL q: -1, uncounted. */
int jobq_post(struct jobq *q, const void *job, int wait);
/* Waits until every job posted so far was handled, at most timeout_ms:
 * 0, or -1 on timeout. */
int jobq_drain(struct jobq *q, int timeout_ms);
void jobq_get_stats(struct jobq *q, struct jobq_stats *out);

#endif
