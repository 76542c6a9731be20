/*
 * activity.c - per-host activity maps: 1-second resolution over 24 hours.
 *
 * How it works: the day is 24 hour slots; slot (epoch hour % 24) holds
 * the 3600 bits of that hour in 57 words, and remembers which epoch hour
 * it holds.  Marking a second of a newer hour than the slot holds clears
 * the slot first (the day turned); a second older than what its slot
 * holds is dropped (it fell out of the 24 hours).  Marking is O(1); only
 * the first use of a slot allocates (at most 24 times per host in its
 * life).  Readers give the window as its newest epoch hour, and a slot
 * counts only if its hour lies within the window, so stale slots read as
 * silence without being cleared.
 *
 * Correlation treats each map as a 0/1 vector of 86400 seconds: with
 * n = 86400, a = |A|, b = |B| and c = |A∩B|,
 *   Pearson r = (n c - a b) / sqrt(a (n - a) b (n - b))
 *   Jaccard J = c / (a + b - c)
 * (the phi coefficient is Pearson's r of binary vectors).
 *
 * Owner thread of the interface that keeps the host.
 */
#include "merge/activity.h"

#include <stdlib.h>
#include <string.h>

struct activity *
activity_new(void)
{
	return calloc(1, sizeof(struct activity));
}

void
activity_free(struct activity *a)
{
	if (a == NULL)
		return;
	for (int i = 0; i < ACTIVITY_HOURS; i++)
		free(a->blk[i]);
	free(a);
}

/* The block of epoch hour h, made current (cleared or allocated) when
 * create is set; NULL when the slot holds a newer hour, or holds another
 * hour and create is 0, or allocation failed. */
static uint64_t *
activity_block(struct activity *a, uint32_t h, int create)
{
	unsigned i = h % ACTIVITY_HOURS;

	if (a->blk[i] != NULL && a->hour[i] == h)
		return a->blk[i];
	if (!create || (a->blk[i] != NULL && a->hour[i] > h))
		return NULL;
	if (a->blk[i] == NULL) {
		a->blk[i] = calloc(ACTIVITY_WORDS, sizeof(uint64_t));
		if (a->blk[i] == NULL)
			return NULL;
	} else {
		memset(a->blk[i], 0, ACTIVITY_WORDS * sizeof(uint64_t));
	}
	a->hour[i] = h;
	return a->blk[i];
}

int
activity_mark(struct activity *a, uint64_t s)
{
	uint32_t h = (uint32_t)(s / 3600), bit = (uint32_t)(s % 3600);
	uint64_t *b = activity_block(a, h, 1);

	if (b == NULL) {
		unsigned i = h % ACTIVITY_HOURS;

		/* too old for its slot is not a failure */
		return a->blk[i] != NULL && a->hour[i] > h ? 0 : -1;
	}
	b[bit / 64] |= (uint64_t)1 << (bit % 64);
	return 0;
}

void
activity_mark_range(struct activity *a, uint64_t first, uint64_t last)
{
	if (last < first)
		return;
	if (last - first >= ACTIVITY_SECONDS)
		first = last - ACTIVITY_SECONDS + 1;
	/* one hour block at a time, whole words in the middle */
	while (first <= last) {
		/* the hour's end in 64 bits: an exporter's far-future clock
		 * must not wrap it below first (the loop would not end) */
		uint64_t hend = first / 3600 * 3600 + 3599;
		uint32_t h = (uint32_t)(first / 3600);
		uint64_t stop = last < hend ? last : hend;
		uint32_t lo = (uint32_t)(first % 3600);
		uint32_t hi = (uint32_t)(stop % 3600);
		uint64_t *b = activity_block(a, h, 1);

		if (b != NULL) {
			while (lo <= hi && lo % 64 != 0)
				b[lo / 64] |= (uint64_t)1 << (lo % 64), lo++;
			while (lo + 63 <= hi)
				b[lo / 64] = ~(uint64_t)0, lo += 64;
			while (lo <= hi)
				b[lo / 64] |= (uint64_t)1 << (lo % 64), lo++;
		}
		first = stop + 1;
	}
}

int
activity_test(const struct activity *a, uint64_t s)
{
	uint32_t h = (uint32_t)(s / 3600), bit = (uint32_t)(s % 3600);
	unsigned i = h % ACTIVITY_HOURS;

	if (a->blk[i] == NULL || a->hour[i] != h)
		return 0;
	return (int)((a->blk[i][bit / 64] >> (bit % 64)) & 1);
}

size_t
activity_mem(const struct activity *a)
{
	size_t n = sizeof(*a);

	for (int i = 0; i < ACTIVITY_HOURS; i++)
		if (a->blk[i] != NULL)
			n += ACTIVITY_WORDS * sizeof(uint64_t);
	return n;
}

uint32_t
activity_newest_hour(const struct activity *a, int *has)
{
	uint32_t best = 0;

	*has = 0;
	for (int i = 0; i < ACTIVITY_HOURS; i++)
		if (a->blk[i] != NULL && (!*has || a->hour[i] > best)) {
			best = a->hour[i];
			*has = 1;
		}
	return best;
}

/* The block of a for epoch hour h if it holds that hour, else NULL. */
static const uint64_t *
activity_hour(const struct activity *a, uint32_t h)
{
	unsigned i = h % ACTIVITY_HOURS;

	return a->blk[i] != NULL && a->hour[i] == h ? a->blk[i] : NULL;
}

uint32_t
activity_minutes(const struct activity *a, uint32_t end_hour,
		 uint8_t counts[ACTIVITY_HOURS * 60])
{
	uint32_t total = 0;

	memset(counts, 0, ACTIVITY_HOURS * 60);
	for (uint32_t k = 0; k < ACTIVITY_HOURS; k++) {
		const uint64_t *b;

		if (end_hour + 1 < ACTIVITY_HOURS - k)
			continue; /* before the epoch */
		b = activity_hour(a, end_hour + 1 - ACTIVITY_HOURS + k);
		if (b == NULL)
			continue;
		for (uint32_t s = 0; s < 3600; s++)
			if ((b[s / 64] >> (s % 64)) & 1) {
				counts[k * 60 + s / 60]++;
				total++;
			}
	}
	return total;
}

void
activity_counts(const struct activity *a, const struct activity *b,
		uint32_t end_hour, uint32_t *na, uint32_t *nb, uint32_t *both)
{
	*na = *nb = *both = 0;
	for (uint32_t k = 0; k < ACTIVITY_HOURS; k++) {
		const uint64_t *x, *y;
		uint32_t h;

		if (end_hour + 1 < ACTIVITY_HOURS - k)
			continue;
		h = end_hour + 1 - ACTIVITY_HOURS + k;
		x = activity_hour(a, h);
		y = activity_hour(b, h);
		for (int w = 0; w < ACTIVITY_WORDS; w++) {
			uint64_t u = x ? x[w] : 0, v = y ? y[w] : 0;

			*na += (uint32_t)__builtin_popcountll(u);
			*nb += (uint32_t)__builtin_popcountll(v);
			*both += (uint32_t)__builtin_popcountll(u & v);
		}
	}
}

/* Square root by Newton's method (x > 0): the node does not link libm
 * for one call. */
static double
activity_sqrt(double x)
{
	double r = x > 1 ? x / 2 : 1;

	if (x <= 0)
		return 0;
	for (int i = 0; i < 200; i++) {
		double next = 0.5 * (r + x / r);

		if (next == r)
			break;
		r = next;
	}
	return r;
}

double
activity_pearson(uint32_t na, uint32_t nb, uint32_t both)
{
	const double n = ACTIVITY_SECONDS;
	double den = (double)na * (n - na) * (double)nb * (n - nb);

	if (den <= 0)
		return 0;
	return (n * both - (double)na * nb) / activity_sqrt(den);
}

double
activity_jaccard(uint32_t na, uint32_t nb, uint32_t both)
{
	uint32_t uni = na + nb - both;

	return uni == 0 ? 0 : (double)both / uni;
}
