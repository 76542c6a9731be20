/*
 * strtab.c - interned strings (strtab.h).
 */
#include "merge/strtab.h"

#include <stdlib.h>
#include <string.h>

#include "common/objpool.h"

struct strtab_ent {
	struct strtab_ent *next;
	uint32_t hash;
	uint32_t refs;
	char s[];
};

static uint32_t
str_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static struct strtab_ent *
ent_of(const char *s)
{
	return (struct strtab_ent *)(void *)(s -
					     offsetof(struct strtab_ent, s));
}

/* Doubles the buckets once there are as many strings as buckets. */
static void
grow(struct strtab *t)
{
	uint32_t n = t->mask ? (t->mask + 1) * 2 : 256, i;
	struct strtab_ent **b, *e, *next;

	if (t->mask != 0 && t->n <= t->mask + 1)
		return;
	b = calloc(n, sizeof(*b));
	if (b == NULL)
		return; /* longer chains */
	for (i = 0; t->mask != 0 && i <= t->mask; i++)
		for (e = t->b[i]; e != NULL; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	t->bytes -= heap_bytes(t->b);
	free(t->b);
	t->b = b;
	t->mask = n - 1;
	t->bytes += heap_bytes(b);
}

const char *
strtab_intern(struct strtab *t, const char *s)
{
	struct strtab_ent *e;
	uint32_t h;
	size_t n;

	if (s == NULL || s[0] == '\0')
		return NULL;
	grow(t);
	if (t->b == NULL)
		return NULL;
	h = str_hash(s);
	for (e = t->b[h & t->mask]; e != NULL; e = e->next)
		if (e->hash == h && strcmp(e->s, s) == 0) {
			e->refs++;
			return e->s;
		}
	n = strlen(s);
	e = malloc(sizeof(*e) + n + 1);
	if (e == NULL)
		return NULL;
	e->hash = h;
	e->refs = 1;
	memcpy(e->s, s, n + 1);
	e->next = t->b[h & t->mask];
	t->b[h & t->mask] = e;
	t->n++;
	t->bytes += heap_bytes(e);
	return e->s;
}

void
strtab_release(struct strtab *t, const char *s)
{
	struct strtab_ent *e, **pp;

	if (s == NULL)
		return;
	e = ent_of(s);
	if (--e->refs > 0)
		return;
	for (pp = &t->b[e->hash & t->mask]; *pp != NULL; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	t->n--;
	t->bytes -= heap_bytes(e);
	free(e);
}

void
strtab_fini(struct strtab *t)
{
	struct strtab_ent *e, *next;
	uint32_t i;

	for (i = 0; t->b != NULL && i <= t->mask; i++)
		for (e = t->b[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	free(t->b);
	memset(t, 0, sizeof(*t));
}
