/*
 * strtab.h - interned strings of an interface's tables (owner thread):
 * the flows that carry the same SNI, HTTP host or DNS query share one
 * copy of it, counted by reference (docs/memory.md).
 */
#ifndef MERGE_STRTAB_H
#define MERGE_STRTAB_H

#include <stddef.h>
#include <stdint.h>

struct strtab_ent;

struct strtab {
	struct strtab_ent **b;
	uint32_t mask;	/* buckets - 1 (0: none yet) */
	uint32_t n;	/* distinct strings held */
	uint64_t bytes; /* heap bytes: entries and buckets */
};

/* The shared copy of s (one more reference to it), or NULL when out of
 * memory.  s == NULL or "": NULL. */
const char *strtab_intern(struct strtab *t, const char *s);
/* Drops one reference to s (a strtab_intern() result, or NULL). */
void strtab_release(struct strtab *t, const char *s);
/* Frees every string, whatever its references. */
void strtab_fini(struct strtab *t);

#endif
