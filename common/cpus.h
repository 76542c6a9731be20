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

/* Sets attr's affinity to the cores the process may use but `owner`,
 * the core of the thread the new one works for (its helper or reader),
 * so they never take turns on it.  Leaves attr as it is when owner is
 * -1 or no other core is left. */
void cpus_worker_attr(pthread_attr_t *attr, int owner);

/* The core the calling thread is bound to, or -1 when it may run on
 * more than one (an owner starting a reader of its source). */
int cpus_bound_core(void);

#endif
