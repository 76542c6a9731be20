/*
 * objpool.h - fixed-size objects on their own cache lines, for the
 * interface tables (flows, hosts).
 *
 * Objects are carved from chunks of OBJPOOL_PER_CHUNK, each object rounded
 * up to whole 64-byte lines and starting on one (objpool_init), or only to
 * a smaller alignment (objpool_init_align).  A freed object goes on a
 * free list and is the next one handed out; chunks are given back only by
 * objpool_fini().  Compared with aligned_alloc() per object this has no
 * per-object header or alignment slack (glibc's memalign leaves gaps that
 * cost ~20 % more resident memory on the 5 M-packet benchmark).
 *
 * Under AddressSanitizer free objects are poisoned, so a use after free
 * is still reported.  One pool belongs to one thread (no locking).
 */
#ifndef COMMON_OBJPOOL_H
#define COMMON_OBJPOOL_H

#include <malloc.h>
#include <stddef.h>
#include <stdint.h>

#define OBJPOOL_PER_CHUNK 256

struct objpool {
	size_t size; /* object size rounded up to 64 (or the alignment) */
	void *free;  /* free objects, linked through their first word */
	char **chunks;
	size_t n_chunks, cap_chunks;
	uint64_t in_use;
};

void objpool_init(struct objpool *p, size_t size);
/* The same with objects rounded up to `align` bytes only (a power of two,
 * at least 8): denser, but an object no longer starts on a cache line
 * (the flow and host tables, whose size matters more than line
 * alignment: docs/memory.md). */
void objpool_init_align(struct objpool *p, size_t size, size_t align);
/* A zeroed object, or NULL when memory is exhausted. */
void *objpool_zalloc(struct objpool *p);
void objpool_free(struct objpool *p, void *obj);
/* Bytes held (chunks), whether in use or free. */
size_t objpool_bytes(const struct objpool *p);
/* Gives every chunk back; objects still in use are gone with them. */
void objpool_fini(struct objpool *p);

/* The memory a malloc()ed block p really takes: what malloc gave (its
 * usable size, at least what was asked) and its header; 0 for NULL.
 * What the tables' memory figures count (docs/memory.md). */
static inline size_t
heap_bytes(const void *p)
{
	return p != NULL ? malloc_usable_size((void *)p) + sizeof(size_t) : 0;
}

#endif
