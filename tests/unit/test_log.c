/*
 * test_log.c - common/log.h and common/timeutil.h: the log levels live
 * next to <syslog.h> (which owns LOG_ERR, LOG_INFO... with other values),
 * the rate limiter lets its burst through each second and counts the
 * rest, and the monotonic deadlines are normalised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/timeutil.h"

static void
test_levels_beside_syslog(void **state)
{
	(void)state;
	/* syslog's own values are untouched by log.h */
	assert_int_equal(LOG_ERR, 3);
	assert_int_equal(LOG_INFO, 6);
	assert_int_equal(NLOG_ERR, 0);
	assert_int_equal(NLOG_TRACE, 4);
	log_verbosity = NLOG_INFO;
	assert_true(log_enabled(NLOG_WARN));
	assert_false(log_enabled(NLOG_DEBUG));
}

static void
test_ratelimit(void **state)
{
	struct ratelimit rl = RATELIMIT_INIT(3);
	int ok = 0, i;

	(void)state;
	log_verbosity = -1;     /* keep the summary line out of the output */
	rl.sec = time_mono_ms() / 1000;
	for (i = 0; i < 10; i++)
		ok += ratelimit_ok(&rl);
	/* a second boundary in the loop would let 3 more through */
	assert_true(ok == 3 || ok == 6);
	assert_int_equal(ratelimit_flush(&rl), (uint32_t)(10 - ok));
	assert_int_equal(ratelimit_flush(&rl), 0);
	log_verbosity = NLOG_INFO;
}

static void
test_time(void **state)
{
	struct timespec now, ts;
	uint64_t a, b;
	pthread_cond_t cv;

	(void)state;
	a = time_mono_ms();
	b = time_mono_ms();
	assert_true(b >= a);
	assert_true(time_wall_ms() > 1600000000000ULL);
	clock_gettime(CLOCK_MONOTONIC, &now);
	cond_deadline_ms(&ts, 1999);
	assert_true(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L);
	assert_true(ts.tv_sec >= now.tv_sec + 1 && ts.tv_sec <= now.tv_sec + 3);
	assert_int_equal(cond_init_mono(&cv), 0);
	pthread_cond_destroy(&cv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels_beside_syslog),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
