/*
 * activity.h - a host's activity map (seed §1.1): one bit per second
 * over the last 24 hours, set when the host sends or receives traffic in
 * that second, and the correlation of two such maps (Pearson, Jaccard).
 *
 * Memory (docs/hosts.md): 288 bytes of header, plus one 456-byte block
 * (3600 bits) per hour the host was active in, at most 24 blocks
 * (11232 bytes for a host active in every hour of the day).  Blocks are
 * allocated the first time their hour slot is used and then reused as the
 * day turns, so a host costs no allocation once it has been active a day.
 *
 * Owner thread of the interface that keeps the host.
 */
#ifndef MERGE_ACTIVITY_H
#define MERGE_ACTIVITY_H

#include <stddef.h>
#include <stdint.h>

#define ACTIVITY_HOURS 24
#define ACTIVITY_SECONDS (ACTIVITY_HOURS * 3600)
#define ACTIVITY_WORDS 57 /* 64-bit words of one hour's 3600 bits */

struct activity {
	uint64_t *blk[ACTIVITY_HOURS]; /* heap; NULL: slot never used */
	uint32_t hour[ACTIVITY_HOURS]; /* epoch hour held by blk[i] */
};

struct activity *activity_new(void);
void activity_free(struct activity *a);

/* Sets the bit of epoch second s.  Returns -1 when a block could not be
 * allocated (the second is then not recorded), else 0. */
int activity_mark(struct activity *a, uint64_t s);
/* Sets the seconds first..last (a collected flow's lifetime), of which
 * only the last 24 hours' worth are kept. */
void activity_mark_range(struct activity *a, uint64_t first, uint64_t last);
/* 1 when second s is set and still within its block's hour. */
int activity_test(const struct activity *a, uint64_t s);
/* Bytes the map takes (header and blocks). */
size_t activity_mem(const struct activity *a);
/* The newest epoch hour with a block, or 0 with none (*has = 0). */
uint32_t activity_newest_hour(const struct activity *a, int *has);

/* Active seconds per minute of the 24 hours ending with epoch hour
 * end_hour (1440 minutes, oldest first; the first starts at epoch
 * second (end_hour - 23) * 3600).  Returns the number of active
 * seconds in all. */
uint32_t activity_minutes(const struct activity *a, uint32_t end_hour,
			  uint8_t counts[ACTIVITY_HOURS * 60]);

/* Counts over the same 24-hour window: na, nb = active seconds of a and
 * b, both = seconds active in both. */
void activity_counts(const struct activity *a, const struct activity *b,
		     uint32_t end_hour, uint32_t *na, uint32_t *nb,
		     uint32_t *both);
/* Pearson's r of the two 86400-second 0/1 vectors (0 when either is
 * constant) and Jaccard's |a∩b| / |a∪b| (0 when both are empty). */
double activity_pearson(uint32_t na, uint32_t nb, uint32_t both);
double activity_jaccard(uint32_t na, uint32_t nb, uint32_t both);

#endif
