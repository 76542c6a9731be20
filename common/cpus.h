/*
 * cpus.h - where the threads of --workers run (docs/threads.md,
 * "Workers"): the owner thread of a capture interface with helpers
 * keeps one core, and the helpers and source readers run on the other
 * cores the process may use.  On a small box three busy threads (owner,
 * nDPI helper, pcap reader) on two cores otherwise take turns on the
 * owner's core, and the owner (the tables) is the stage that bounds the
 * rate.
 *
 * Threads: cpus_owner_core() on main before the interfaces' threads
 * start; the others on any thread (a reader is started by its
 * interface's owner).
 */
#ifndef COMMON_CPUS_H
#define COMMON_CPUS_H

#include <pthread.h>

/* The core for the owner thread of a capture interface with helpers:
 * `want` (its -g core) when >= 0, else one of the cores the process may
 * use, picked by the process id (two nodes on one box take different
 * ones) and skipping those given already.  The core is kept out of the
 * workers' set.  -1 when the process may use fewer than two cores (no
 * split: every thread anywhere). */
int cpus_owner_core(int want);

/* pthread_create() for a thread that works for one bound to core
 * `owner` (its helper or reader): on every other core the process may
 * use, so they never take turns on it; anywhere when owner is -1 or no
 * other core is left.  pthread_create's result. */
int cpus_worker_create(pthread_t *t, int owner, void *(*fn)(void *), void *arg);

/* The core the calling thread is bound to, or -1 when it may run on
 * more than one (an owner starting a reader of its source). */
int cpus_bound_core(void);

#endif
