/*
 * test_jobq.c - common/jobq.c: the queue contract the writer relies on
 * (copy by value, drop and count when full, the drop callback frees what a
 * dropped job owns, a waiting post gets room, drain, the worker's batches
 * and idle calls, everything queued is handled at stop).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/jobq.h"
#include "common/log.h"

struct job {
	int v;
	char pad[60];
};

static int gate;                 /* __atomic: the worker waits while 0 */
static int sum, handled, dropped_v, idles, finis;

static void
batch(void *arg, void *jobs, uint32_t n)
{
	struct job *j = jobs;
	uint32_t i;

	assert_ptr_equal(arg, &sum);
	while (!__atomic_load_n(&gate, __ATOMIC_ACQUIRE))
		usleep(1000);
	for (i = 0; i < n; i++) {
		__atomic_add_fetch(&sum, j[i].v, __ATOMIC_RELAXED);
		__atomic_add_fetch(&handled, 1, __ATOMIC_RELAXED);
	}
}

static void
idle(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&idles, 1, __ATOMIC_RELAXED);
}

static void
fini(void *arg)
{
	(void)arg;
	finis++;
}

static void
drop(const void *job)
{
	dropped_v += ((const struct job *)job)->v;
}

static struct jobq *
start(uint32_t cap)
{
	struct jobq_ops o;
	struct jobq *q;

	memset(&o, 0, sizeof(o));
	o.role = "test-q";
	o.job_size = sizeof(struct job);
	o.capacity = cap;
	o.batch = 2;
	o.batch_fn = batch;
	o.idle_fn = idle;
	o.fini_fn = fini;
	o.drop_fn = drop;
	o.arg = &sum;
	q = jobq_start(&o);
	assert_non_null(q);
	return q;
}

static void
test_drop_and_count_when_full(void **state)
{
	struct jobq *q;
	struct jobq_stats st;
	struct job j;
	int i;

	(void)state;
	sum = handled = dropped_v = idles = finis = 0;
	__atomic_store_n(&gate, 0, __ATOMIC_RELEASE);
	q = start(4);
	memset(&j, 0, sizeof(j));
	/* the worker takes the first job and blocks in its batch */
	j.v = 1;
	assert_int_equal(jobq_post(q, &j, 0), 0);
	for (i = 0; i < 200; i++) {
		jobq_get_stats(q, &st);
		if (st.queued == 0)
			break;
		usleep(5000);
	}
	assert_int_equal(st.queued, 0);
	/* four fit, the fifth is dropped, counted and given to drop() */
	for (i = 0; i < 4; i++) {
		j.v = 10;
		assert_int_equal(jobq_post(q, &j, 0), 0);
	}
	j.v = 1000;
	assert_int_equal(jobq_post(q, &j, 0), -1);
	assert_int_equal(dropped_v, 1000);
	jobq_get_stats(q, &st);
	assert_int_equal(st.posted, 5);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.queued, 4);
	/* a drain with the worker stuck times out */
	assert_int_equal(jobq_drain(q, 50), -1);
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	assert_int_equal(jobq_drain(q, 5000), 0);
	assert_int_equal(sum, 41);
	jobq_get_stats(q, &st);
	assert_int_equal(st.done, 5);
	assert_int_equal(st.queued, 0);
	assert_true(idles >= 1);
	jobq_stop(q);
	assert_int_equal(finis, 1);
}

static void
test_waiting_post_and_stop_handles_all(void **state)
{
	struct jobq *q;
	struct job j;
	int i;

	(void)state;
	sum = handled = dropped_v = finis = 0;
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	q = start(3);
	memset(&j, 0, sizeof(j));
	/* far more than the ring holds: a waiting post never drops */
	for (i = 1; i <= 1000; i++) {
		j.v = i;
		assert_int_equal(jobq_post(q, &j, 1), 0);
	}
	jobq_stop(q);                /* handles what is queued first */
	assert_int_equal(handled, 1000);
	assert_int_equal(sum, 500500);
	assert_int_equal(dropped_v, 0);
	assert_int_equal(finis, 1);
	assert_int_equal(jobq_post(NULL, &j, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_and_count_when_full),
		cmocka_unit_test(test_waiting_post_and_stop_handles_all),
	};

	log_verbosity = NLOG_WARN;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
