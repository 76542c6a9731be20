/*
 * cpus.c - the owners' cores and their workers' (common/cpus.h).
 */
#include "common/cpus.h"

#include <sched.h>
#include <unistd.h>

static pthread_mutex_t cpus_lock = PTHREAD_MUTEX_INITIALIZER;
static cpu_set_t cpus_allowed, cpus_owners;
static int cpus_read; /* cpus_allowed is set */

/* Reads the process's mask once (under cpus_lock). */
static void
cpus_init(void)
{
	if (cpus_read)
		return;
	CPU_ZERO(&cpus_allowed);
	if (sched_getaffinity(0, sizeof(cpus_allowed), &cpus_allowed) != 0)
		CPU_ZERO(&cpus_allowed);
	CPU_ZERO(&cpus_owners);
	cpus_read = 1;
}

/* The n-th core of set (n < CPU_COUNT(set)). */
static int
cpus_nth(const cpu_set_t *set, int n)
{
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, set) && n-- == 0)
			return c;
	return -1;
}

int
cpus_owner_core(int want)
{
	cpu_set_t free_set;
	int core = -1;

	pthread_mutex_lock(&cpus_lock);
	cpus_init();
	if (CPU_COUNT(&cpus_allowed) < 2)
		goto out;
	if (want >= 0) {
		if (want < CPU_SETSIZE && CPU_ISSET(want, &cpus_allowed))
			core = want;
	} else {
		/* allowed but no owner's: (allowed ^ owners) & allowed */
		CPU_XOR(&free_set, &cpus_allowed, &cpus_owners);
		CPU_AND(&free_set, &free_set, &cpus_allowed);
		if (CPU_COUNT(&free_set) == 0)
			free_set = cpus_allowed; /* more owners than cores */
		core = cpus_nth(&free_set,
				(int)((unsigned)getpid() %
				      (unsigned)CPU_COUNT(&free_set)));
	}
	if (core >= 0)
		CPU_SET(core, &cpus_owners);
out:
	pthread_mutex_unlock(&cpus_lock);
	return core;
}

int
cpus_worker_create(pthread_t *t, int owner, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int rc;

	pthread_attr_init(&attr);
	if (owner >= 0 && owner < CPU_SETSIZE) {
		pthread_mutex_lock(&cpus_lock);
		cpus_init();
		set = cpus_allowed;
		pthread_mutex_unlock(&cpus_lock);
		CPU_CLR(owner, &set);
		/* a failure leaves attr as it was: the thread runs anywhere */
		if (CPU_COUNT(&set) > 0)
			(void)pthread_attr_setaffinity_np(&attr, sizeof(set),
							  &set);
	}
	rc = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return rc;
}

int
cpus_bound_core(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (pthread_getaffinity_np(pthread_self(), sizeof(set), &set) != 0 ||
	    CPU_COUNT(&set) != 1)
		return -1;
	return cpus_nth(&set, 0);
}
