/*
 * dpiw.c - the detection helpers of --workers N (merge/dpiw.h,
 * docs/threads.md "Workers").
 *
 * One ring per helper, DPIW_RING slots, single producer (the owner) and
 * single consumer (the helper), three counters:
 *   head  slots the owner has filled (owner writes, helper reads);
 *   done  slots the helper has answered (helper writes, owner reads);
 *   tail  slots the owner has applied and may fill again (owner only).
 * A slot carries the packet's L3 bytes (inline up to DPIW_INLINE, else a
 * heap copy), its time and the interface clock at submit, and comes back
 * with the flow's detection fields after the call.  Nothing is locked:
 * each counter has one writer, published with release and read with
 * acquire.  A helper with nothing to do sleeps in read() on its eventfd
 * after announcing it (sleeping = 1, then head checked once more); the
 * owner writes the eventfd when it sees the flag after publishing work.
 */
#include "merge/dpiw.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <ndpi/ndpi_main.h>

#include "common/cpus.h"
#include "common/log.h"
#include "common/prefs.h"
#include "merge/iface_priv.h"
#include "merge/record.h"
#include "merge/tables.h"

#define DPIW_RING 1024
#define DPIW_INLINE 1536
#define DPIW_SPINS 64
#define DPIW_PUBLISH 16 /* slots handed over at once */
#define DPIW_POLL 32	/* packets between two looks at the answers */

struct dpiw_slot {
	struct flow *f;
	struct dpiw_state *st;
	uint64_t ts_us, clock_ms;
	uint8_t *heap; /* the L3 copy when longer than buf */
	uint32_t l3_len;
	/* the answer */
	int changed;
	int news;   /* anything but the packet count changed */
	char *info; /* the flow's first info string (heap), or NULL */
	struct dpi_flow res;
	uint8_t buf[DPIW_INLINE];
};

struct dpiw_helper {
	struct iface *ifc;
	int idx;
	struct ndpi_detection_module_struct *ndpi;
	struct dpiw_slot *slots;
	pthread_t thread;
	int started;
	int efd;
	int sleeping; /* __atomic_*: the helper waits on efd */
	int stop;     /* __atomic_* */
	uint64_t head __attribute__((aligned(64)));
	uint64_t done __attribute__((aligned(64)));
	/* owner only: applied; filled (published as head in steps of
	 * DPIW_PUBLISH, and whenever the owner waits) */
	uint64_t tail __attribute__((aligned(64)));
	uint64_t fill;
};

struct dpiw {
	uint64_t submitted, waits_flow, waits_full, pauses, wakes;
	uint64_t states; /* flows' states alive (--max-memory's account) */
	unsigned poll_skip;
	int n; /* helpers */
	struct dpiw_helper *h;
};

static void
dpiw_wake(struct dpiw_helper *h)
{
	uint64_t one = 1;

	if (__atomic_load_n(&h->sleeping, __ATOMIC_SEQ_CST) &&
	    __atomic_exchange_n(&h->sleeping, 0, __ATOMIC_SEQ_CST)) {
		if (write(h->efd, &one, sizeof(one)) < 0) {
			/* saturated: it is awake anyway */
		}
	}
}

/* Hands helper h the slots filled since the last time (owner). */
static void
dpiw_publish(struct dpiw_helper *h)
{
	if (h->fill == h->head)
		return;
	__atomic_store_n(&h->head, h->fill, __ATOMIC_SEQ_CST);
	dpiw_wake(h);
}

/* The helper's answer to one slot. */
static void
dpiw_run_slot(struct dpiw_helper *h, struct dpiw_slot *s)
{
	struct dpiw_state *st = s->st;
	struct pkt pk;
	const char *had = st->d.info;
	struct dpi_flow was = st->d;

	memset(&pk, 0, sizeof(pk));
	pk.ts_us = s->ts_us;
	pk.l3 = s->heap != NULL ? s->heap : s->buf;
	pk.l3_len = (uint16_t)s->l3_len;
	st->d.os.os = OS_UNKNOWN;
	s->changed = dpi_packet(h->ndpi, &st->d, &pk);
	s->res = st->d;
	s->res.ndpi = NULL;
	s->res.info = NULL;
	s->info = had == NULL && st->d.info != NULL ? strdup(st->d.info) : NULL;
	/* most answers change nothing but ndpi_pkts: the owner skips them
	 * (the count is brought over with the next answer that matters,
	 * or at the give-up) and does not touch the flow again */
	s->news = s->changed || s->info != NULL ||
		  was.detection_done != st->d.detection_done ||
		  was.category != st->d.category ||
		  was.guessed != st->d.guessed || was.risk != st->d.risk ||
		  st->d.os.os != OS_UNKNOWN;
}

static void *
dpiw_thread(void *arg)
{
	struct dpiw_helper *h = arg;
	char role[32];
	int spins = 0;

	snprintf(role, sizeof(role), "if%d-w%d", h->ifc->id, h->idx + 1);
	log_set_role(role);
	role[15] = '\0'; /* the kernel's limit for a thread name */
	pthread_setname_np(pthread_self(), role);
	for (;;) {
		uint64_t head = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE);
		uint64_t done = h->done;

		if (done < head) {
			for (; done < head; done++)
				dpiw_run_slot(h, &h->slots[done % DPIW_RING]);
			__atomic_store_n(&h->done, done, __ATOMIC_RELEASE);
			spins = 0;
			continue;
		}
		if (__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE))
			break;
		if (++spins < DPIW_SPINS) {
			sched_yield();
			continue;
		}
		spins = 0;
		__atomic_store_n(&h->sleeping, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&h->head, __ATOMIC_SEQ_CST) == done &&
		    !__atomic_load_n(&h->stop, __ATOMIC_SEQ_CST)) {
			uint64_t v;

			if (read(h->efd, &v, sizeof(v)) < 0 && errno != EINTR)
				log_warn("eventfd: %s", strerror(errno));
		}
		__atomic_store_n(&h->sleeping, 0, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void
dpiw_free_helpers(struct dpiw *w)
{
	for (int i = 0; i < w->n; i++) {
		struct dpiw_helper *h = &w->h[i];

		if (h->efd >= 0)
			close(h->efd);
		dpi_module_free(h->ndpi);
		free(h->slots);
	}
	free(w->h);
	free(w);
}

int
dpiw_start(struct iface *ifc, int n, int owner_core)
{
	struct dpiw *w = calloc(1, sizeof(*w));
	int i, rc;

	if (w == NULL)
		return -1;
	w->n = n;
	w->h = calloc((size_t)n, sizeof(*w->h));
	if (w->h == NULL) {
		free(w);
		return -1;
	}
	for (i = 0; i < n; i++)
		w->h[i].efd = -1;
	for (i = 0; i < n; i++) {
		struct dpiw_helper *h = &w->h[i];

		h->ifc = ifc;
		h->idx = i;
		h->slots = calloc(DPIW_RING, sizeof(*h->slots));
		h->ndpi = dpi_module_new(ifc->prefs->ndpi_protos_file);
		h->efd = eventfd(0, EFD_CLOEXEC);
		if (h->slots == NULL || h->ndpi == NULL || h->efd < 0) {
			log_err("%s: cannot set up worker %d", ifc->name,
				i + 1);
			goto fail;
		}
	}
	for (i = 0; i < n; i++) {
		rc = cpus_worker_create(&w->h[i].thread, owner_core,
					dpiw_thread, &w->h[i]);
		if (rc != 0) {
			log_err("%s: cannot start worker %d: %s", ifc->name,
				i + 1, strerror(rc));
			goto fail;
		}
		w->h[i].started = 1;
	}
	ifc->dpiw = w;
	log_info("%s: %d workers: if%d keeps the tables, %d nDPI helper%s",
		 ifc->name, n + 1, ifc->id, n, n > 1 ? "s" : "");
	return 0;
fail:
	for (i = 0; i < n; i++) {
		if (!w->h[i].started)
			continue;
		__atomic_store_n(&w->h[i].stop, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&w->h[i].sleeping, 1, __ATOMIC_SEQ_CST);
		dpiw_wake(&w->h[i]);
		pthread_join(w->h[i].thread, NULL);
	}
	dpiw_free_helpers(w);
	return -1;
}

void
dpiw_stop(struct iface *ifc)
{
	struct dpiw *w = ifc->dpiw;

	if (w == NULL)
		return;
	dpiw_drain(ifc);
	log_debug("%s: workers: %llu packets to the helpers, %llu waits for "
		  "a flow, %llu for room, %llu pauses",
		  ifc->name, (unsigned long long)w->submitted,
		  (unsigned long long)w->waits_flow,
		  (unsigned long long)w->waits_full,
		  (unsigned long long)w->pauses);
	for (int i = 0; i < w->n; i++) {
		struct dpiw_helper *h = &w->h[i];

		__atomic_store_n(&h->stop, 1, __ATOMIC_SEQ_CST);
		/* whether it sleeps or is about to: the eventfd counter
		 * stays set until it reads it */
		if (write(h->efd, &(uint64_t){ 1 }, sizeof(uint64_t)) < 0) {
			/* saturated: it wakes anyway */
		}
		pthread_join(h->thread, NULL);
	}
	ifc->dpiw = NULL;
	dpiw_free_helpers(w);
}

int
dpiw_shard(const struct iface *ifc, const struct flow *f)
{
	const struct dpiw *w = ifc->dpiw;
	uint32_t slice;

	if (w == NULL || w->n == 0)
		return 0;
	/* the flow hash is symmetric: both directions, one shard; its high
	 * bits, as the low ones pick the bucket.  The owner keeps no shard:
	 * its table work is the larger part of a packet's cost (measured:
	 * docs/threads.md), so every flow's detection goes to a helper. */
	slice = (f->hash >> 16) % (uint32_t)w->n;
	return (int)slice + 1;
}

/* Applies helper h's answered slots, in order. */
static int
dpiw_apply(struct iface *ifc, struct dpiw_helper *h)
{
	uint64_t done = __atomic_load_n(&h->done, __ATOMIC_ACQUIRE);
	int n = 0;

	for (; h->tail < done; h->tail++, n++) {
		struct dpiw_slot *s = &h->slots[h->tail % DPIW_RING];

		s->st->inflight--;
		if (s->news)
			tables_dpi_apply(ifc, s->f, &s->res, s->changed,
					 s->info, s->clock_ms);
		if (s->st->inflight == 0 && s->st->d.detection_done) {
			/* its verdict is in the flow: the state goes (the
			 * helper freed nDPI's part when detection ended) */
			s->f->has_dw = 0;
			s->f->ndpi = NULL;
			dpiw_state_release(ifc, s->st);
		}
		if (s->heap != NULL) {
			free(s->heap);
			s->heap = NULL;
		}
	}
	return n;
}

void
dpiw_poll(struct iface *ifc)
{
	struct dpiw *w = ifc->dpiw;

	if (++w->poll_skip < DPIW_POLL)
		return;
	w->poll_skip = 0;
	for (int i = 0; i < w->n; i++)
		if (w->h[i].tail !=
		    __atomic_load_n(&w->h[i].done, __ATOMIC_ACQUIRE))
			dpiw_apply(ifc, &w->h[i]);
}

/* The owner waits for helper h: it is woken, and the owner yields. */
static void
dpiw_pause(struct dpiw_helper *h)
{
	h->ifc->dpiw->pauses++;
	dpiw_publish(h);
	dpiw_wake(h);
	sched_yield();
}

void
dpiw_submit(struct iface *ifc, struct flow *f, int k, const struct pkt *p)
{
	struct dpiw_helper *h = &ifc->dpiw->h[k - 1];
	struct dpiw_state *st;
	struct dpiw_slot *s;

	if (p->l3 == NULL || p->l3_len == 0)
		return; /* dpi_packet would not look at it */
	/* room first: the answers applied meanwhile may end the flow's
	 * detection and free its state */
	if (h->fill - h->tail >= DPIW_RING)
		ifc->dpiw->waits_full++;
	while (h->fill - h->tail >= DPIW_RING) {
		if (dpiw_apply(ifc, h) == 0)
			dpiw_pause(h);
	}
	if (f->detection_done)
		return;
	st = f->has_dw ? f->dw : NULL;
	ifc->dpiw->submitted++;
	if (st == NULL) {
		st = calloc(1, sizeof(*st));
		if (st == NULL)
			return;
		ifc->dpiw->states++;
		st->d.info = f->info != NULL ? strdup(f->info) : NULL;
		st->d.l7_master = f->l7_master;
		st->d.l7_app = f->l7_app;
		st->d.category = f->category;
		st->d.ndpi_pkts = f->ndpi_pkts;
		st->d.detection_done = f->detection_done;
		st->d.guessed = f->guessed;
		st->d.l4_proto = f->l4_proto;
		st->d.risk = f->risk;
		st->d.ndpi = f->ndpi; /* NULL: a helper's flow never had one */
		f->dw = st;
		f->has_dw = 1;
	}
	s = &h->slots[h->fill % DPIW_RING];
	s->f = f;
	s->st = st;
	s->ts_us = p->ts_us;
	s->clock_ms = ifc->clock_ms;
	s->l3_len = p->l3_len;
	s->heap = NULL;
	if (p->l3_len > DPIW_INLINE) {
		s->heap = malloc(p->l3_len);
		if (s->heap == NULL)
			return;
		memcpy(s->heap, p->l3, p->l3_len);
	} else {
		memcpy(s->buf, p->l3, p->l3_len);
	}
	st->inflight++;
	if (++h->fill - h->head >= DPIW_PUBLISH)
		dpiw_publish(h);
}

void
dpiw_wait_flow(struct iface *ifc, struct flow *f)
{
	struct dpiw *w = ifc->dpiw;

	w->waits_flow++;
	/* an answer may end detection and free the state (has_dw 0) */
	while (f->has_dw && f->dw->inflight > 0) {
		int n = 0;

		for (int i = 0; i < w->n; i++)
			n += dpiw_apply(ifc, &w->h[i]);
		if (n == 0 && f->has_dw && f->dw->inflight > 0)
			for (int i = 0; i < w->n; i++)
				if (w->h[i].tail != w->h[i].fill)
					dpiw_pause(&w->h[i]);
	}
}

int
dpiw_settle(struct iface *ifc)
{
	struct dpiw *w = ifc->dpiw;
	int busy = 0;

	if (w == NULL)
		return 0;
	for (int i = 0; i < w->n; i++) {
		struct dpiw_helper *h = &w->h[i];

		dpiw_publish(h);
		dpiw_apply(ifc, h);
		busy |= h->tail != h->fill;
	}
	return busy;
}

void
dpiw_drain(struct iface *ifc)
{
	struct dpiw *w = ifc->dpiw;

	if (w == NULL)
		return;
	for (int i = 0; i < w->n; i++) {
		struct dpiw_helper *h = &w->h[i];

		while (h->tail != h->fill)
			if (dpiw_apply(ifc, h) == 0)
				dpiw_pause(h);
	}
}

size_t
dpiw_state_mem(const struct dpiw_state *st)
{
	return sizeof(*st) + (st->d.ndpi != NULL ? SIZEOF_FLOW_STRUCT : 0) +
	       (st->d.info != NULL ? strlen(st->d.info) + 1 : 0);
}

uint64_t
dpiw_mem(const struct iface *ifc)
{
	/* each at most: the state, nDPI's block for the flow, headers */
	return ifc->dpiw != NULL
		       ? ifc->dpiw->states * (sizeof(struct dpiw_state) +
					      SIZEOF_FLOW_STRUCT + 32)
		       : 0;
}

void
dpiw_state_release(struct iface *ifc, struct dpiw_state *st)
{
	if (st != NULL && ifc->dpiw != NULL && ifc->dpiw->states > 0)
		ifc->dpiw->states--;
	dpiw_state_free(st);
}

void
dpiw_state_free(struct dpiw_state *st)
{
	if (st == NULL)
		return;
	if (st->d.ndpi != NULL)
		ndpi_free_flow(st->d.ndpi);
	free(st->d.info);
	free(st);
}
