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

/* a minus b */
static void
cpus_minus(cpu_set_t *out, const cpu_set_t *a, const cpu_set_t *b)
{
	CPU_XOR(out, a, b);
	CPU_AND(out, out, a);
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
		cpus_minus(&free_set, &cpus_allowed, &cpus_owners);
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

void
cpus_worker_attr(pthread_attr_t *attr, int owner)
{
	cpu_set_t own, set;

	if (owner < 0 || owner >= CPU_SETSIZE)
		return;
	CPU_ZERO(&own);
	CPU_SET(owner, &own);
	pthread_mutex_lock(&cpus_lock);
	cpus_init();
	cpus_minus(&set, &cpus_allowed, &own);
	pthread_mutex_unlock(&cpus_lock);
	/* a failure leaves attr as it was: the thread runs anywhere */
	if (CPU_COUNT(&set) > 0 &&
	    pthread_attr_setaffinity_np(attr, sizeof(set), &set) != 0)
		CPU_ZERO(&set);
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
