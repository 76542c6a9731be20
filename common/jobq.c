/*
 * jobq.c - bounded job ring with one worker thread (see jobq.h).
 *
 * One mutex guards the ring and the counters; two condition variables on
 * the monotonic clock: `work` (posted, or stopping) wakes the worker,
 * `room` (jobs taken out, or handled) wakes posters that wait for room and
 * drainers.  `done` counts handled jobs, so jobq_drain() waits for
 * done + dropped-after-posting to reach posted.
 */
#include "common/jobq.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/timeutil.h"

struct jobq {
	struct jobq_ops ops;
	pthread_mutex_t lock;
	pthread_cond_t work, room;
	unsigned char *ring; /* capacity * job_size */
	uint32_t head, count;
	int stopping;
	pthread_t thread;
	struct jobq_stats st;
};

static void *
jobq_worker(void *arg)
{
	struct jobq *q = arg;
	size_t sz = q->ops.job_size;
	unsigned char *batch = calloc(q->ops.batch, sz);
	uint32_t n;

	log_set_role(q->ops.role);
	if (q->ops.role != NULL) { /* top -H, perf: the kernel keeps 15 */
		char name[16];

		snprintf(name, sizeof(name), "%s", q->ops.role);
		pthread_setname_np(pthread_self(), name);
	}
	for (;;) {
		struct timespec dl;

		pthread_mutex_lock(&q->lock);
		if (q->count == 0 && !q->stopping) {
			cond_deadline_ms(&dl, 1000);
			pthread_cond_timedwait(&q->work, &q->lock, &dl);
		}
		if (q->count == 0 && q->stopping) {
			pthread_mutex_unlock(&q->lock);
			break;
		}
		for (n = 0; batch != NULL && n < q->ops.batch && q->count > 0;
		     n++) {
			memcpy(batch + (size_t)n * sz,
			       q->ring + (size_t)q->head * sz, sz);
			q->head = (q->head + 1) % q->ops.capacity;
			q->count--;
		}
		q->st.queued = q->count;
		pthread_cond_broadcast(&q->room);
		pthread_mutex_unlock(&q->lock);
		if (batch == NULL) { /* out of memory: try again later */
			usleep(100000);
			batch = calloc(q->ops.batch, sz);
			continue;
		}
		if (n > 0)
			q->ops.batch_fn(q->ops.arg, batch, n);
		if (q->ops.idle_fn != NULL)
			q->ops.idle_fn(q->ops.arg);
		if (n > 0) {
			pthread_mutex_lock(&q->lock);
			q->st.done += n;
			pthread_cond_broadcast(&q->room);
			pthread_mutex_unlock(&q->lock);
		}
	}
	if (q->ops.fini_fn != NULL)
		q->ops.fini_fn(q->ops.arg);
	free(batch);
	return NULL;
}

struct jobq *
jobq_start(const struct jobq_ops *ops)
{
	struct jobq *q = calloc(1, sizeof(*q));
	int rc;

	if (q == NULL || ops->capacity == 0 || ops->batch == 0 ||
	    ops->job_size == 0)
		goto fail;
	q->ops = *ops;
	q->ring = calloc(ops->capacity, ops->job_size);
	if (q->ring == NULL)
		goto fail;
	pthread_mutex_init(&q->lock, NULL);
	cond_init_mono(&q->work);
	cond_init_mono(&q->room);
	rc = pthread_create(&q->thread, NULL, jobq_worker, q);
	if (rc != 0) {
		log_err("%s: cannot start its thread: %s", ops->role,
			strerror(rc));
		pthread_cond_destroy(&q->work);
		pthread_cond_destroy(&q->room);
		pthread_mutex_destroy(&q->lock);
		goto fail;
	}
	return q;
fail:
	if (q != NULL)
		free(q->ring);
	free(q);
	return NULL;
}

void
jobq_stop(struct jobq *q)
{
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = 1;
	pthread_cond_signal(&q->work);
	pthread_cond_broadcast(&q->room); /* posters waiting for room */
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->room);
	pthread_mutex_destroy(&q->lock);
	free(q->ring);
	free(q);
}

int
jobq_post(struct jobq *q, const void *job, int wait)
{
	size_t sz;

	if (q == NULL)
		return -1;
	sz = q->ops.job_size;
	pthread_mutex_lock(&q->lock);
	while (wait && q->count == q->ops.capacity && !q->stopping)
		pthread_cond_wait(&q->room, &q->lock);
	if (q->count == q->ops.capacity || q->stopping) {
		q->st.dropped++;
		pthread_mutex_unlock(&q->lock);
		if (q->ops.drop_fn != NULL)
			q->ops.drop_fn(job);
		return -1;
	}
	memcpy(q->ring + (size_t)((q->head + q->count) % q->ops.capacity) * sz,
	       job, sz);
	q->count++;
	q->st.posted++;
	q->st.queued = q->count;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

int
jobq_drain(struct jobq *q, int timeout_ms)
{
	struct timespec dl;
	int rc = 0;

	if (q == NULL)
		return 0;
	cond_deadline_ms(&dl, timeout_ms);
	pthread_mutex_lock(&q->lock);
	while (q->st.done < q->st.posted && rc == 0)
		if (pthread_cond_timedwait(&q->room, &q->lock, &dl) != 0)
			rc = -1;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void
jobq_get_stats(struct jobq *q, struct jobq_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	*out = q->st;
	pthread_mutex_unlock(&q->lock);
}
