/*
 * objpool.c - fixed-size, cache-line aligned objects (objpool.h).
 */
#include "common/objpool.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

void
objpool_init(struct objpool *p, size_t size)
{
	memset(p, 0, sizeof(*p));
	if (size < sizeof(void *))
		size = sizeof(void *);
	p->size = (size + 63) & ~(size_t)63;
}

void
objpool_init_align(struct objpool *p, size_t size, size_t align)
{
	memset(p, 0, sizeof(*p));
	if (align < sizeof(void *))
		align = sizeof(void *);
	if (size < sizeof(void *))
		size = sizeof(void *);
	p->size = (size + align - 1) & ~(align - 1);
}

/* Adds a chunk and puts its objects on the free list (first one first). */
static int
chunk_add(struct objpool *p)
{
	char *c;
	size_t i;

	if (p->n_chunks == p->cap_chunks) {
		size_t cap = p->cap_chunks ? p->cap_chunks * 2 : 16;
		char **v = realloc(p->chunks, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		p->chunks = v;
		p->cap_chunks = cap;
	}
	c = aligned_alloc(64, p->size * OBJPOOL_PER_CHUNK);
	if (c == NULL)
		return -1;
	p->chunks[p->n_chunks++] = c;
	for (i = OBJPOOL_PER_CHUNK; i-- > 0;) {
		char *o = c + i * p->size;

		memcpy(o, &p->free, sizeof(void *));
		p->free = o;
		POISON(o, p->size);
	}
	return 0;
}

void *
objpool_zalloc(struct objpool *p)
{
	void *o, *next;

	if (p->free == NULL && chunk_add(p) != 0)
		return NULL;
	o = p->free;
	UNPOISON(o, p->size);
	memcpy(&next, o, sizeof(void *));
	p->free = next;
	memset(o, 0, p->size);
	p->in_use++;
	return o;
}

void
objpool_free(struct objpool *p, void *obj)
{
	if (obj == NULL)
		return;
	memcpy(obj, &p->free, sizeof(void *));
	p->free = obj;
	POISON(obj, p->size);
	p->in_use--;
}

size_t
objpool_bytes(const struct objpool *p)
{
	return p->n_chunks * p->size * OBJPOOL_PER_CHUNK;
}

void
objpool_fini(struct objpool *p)
{
	size_t i;

	for (i = 0; i < p->n_chunks; i++) {
		UNPOISON(p->chunks[i], p->size * OBJPOOL_PER_CHUNK);
		free(p->chunks[i]);
	}
	free(p->chunks);
	memset(p, 0, sizeof(*p));
}
