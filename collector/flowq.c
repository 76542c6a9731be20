/*
 * flowq.c - the batches of flow updates a reader thread hands to the
 * owner (flowq.h).
 */
#include "collector/flowq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

int
flowq_init(struct flowq *q, int limit)
{
	memset(q, 0, sizeof(*q));
	q->limit = limit > 0 ? limit : 1;
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->efd < 0)
		return -1;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->room, NULL);
	return 0;
}

static void
batch_list_free(struct flowq_batch *b)
{
	while (b != NULL) {
		struct flowq_batch *next = b->next;

		free(b->alert);
		free(b);
		b = next;
	}
}

void
flowq_fini(struct flowq *q)
{
	if (q->efd < 0)
		return;
	batch_list_free(q->head);
	batch_list_free(q->free);
	batch_list_free(q->fill);
	close(q->efd);
	q->efd = -1;
	q->head = q->tail = q->free = q->fill = NULL;
	pthread_cond_destroy(&q->room);
	pthread_mutex_destroy(&q->lock);
}

/* A batch for the reader to fill: a free one, or a new one. */
static struct flowq_batch *
batch_get(struct flowq *q, enum flowq_kind kind)
{
	struct flowq_batch *b;

	pthread_mutex_lock(&q->lock);
	b = q->free;
	if (b != NULL)
		q->free = b->next;
	q->out++;
	pthread_mutex_unlock(&q->lock);
	if (b == NULL && (b = malloc(sizeof(*b))) == NULL) {
		pthread_mutex_lock(&q->lock);
		q->out--;
		pthread_mutex_unlock(&q->lock);
		return NULL;
	}
	b->next = NULL;
	b->kind = kind;
	b->n = 0;
	b->used = 0;
	b->alert = NULL;
	b->alert_len = 0;
	return b;
}

static void
batch_put(struct flowq *q, struct flowq_batch *b)
{
	pthread_mutex_lock(&q->lock);
	if (q->tail != NULL)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	q->published++;
	pthread_mutex_unlock(&q->lock);
	flowq_notify(q);
}

void
flowq_notify(struct flowq *q)
{
	uint64_t one = 1;

	if (write(q->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return; /* the counter is full: readable anyway */
}

void
flowq_publish(struct flowq *q)
{
	struct flowq_batch *b = q->fill;

	if (b == NULL || b->n == 0)
		return;
	q->fill = NULL;
	batch_put(q, b);
}

/* Copies s (len bytes and its NUL) into b's arena, which has room. */
static const char *
arena_copy(struct flowq_batch *b, const char *s, size_t len)
{
	char *d = b->arena + b->used;

	memcpy(d, s, len + 1);
	b->used += len + 1;
	return d;
}

int
flowq_add_flow(struct flowq *q, const struct flow_update *u, uint64_t tag)
{
	struct flowq_batch *b = q->fill;
	struct flow_update *d;
	size_t li = u->info != NULL ? strlen(u->info) : 0,
	       le = u->extra != NULL ? strlen(u->extra) : 0,
	       lp = u->site_path != NULL ? strlen(u->site_path) : 0;
	size_t need = (u->info != NULL ? li + 1 : 0) +
		      (u->extra != NULL ? le + 1 : 0) +
		      (u->site_path != NULL ? lp + 1 : 0);

	/* strings longer than a whole arena cannot come from the decoders
	 * (their buffers are smaller); such a record is refused */
	if (need > FLOWQ_ARENA)
		return -1;
	if (b != NULL &&
	    (b->n == FLOWQ_BATCH || b->used + need > FLOWQ_ARENA)) {
		flowq_publish(q);
		b = NULL;
	}
	if (b == NULL) {
		b = batch_get(q, FLOWQ_FLOWS);
		if (b == NULL)
			return -1;
		q->fill = b;
	}
	d = &b->u[b->n];
	*d = *u;
	if (u->info != NULL)
		d->info = arena_copy(b, u->info, li);
	if (u->extra != NULL)
		d->extra = arena_copy(b, u->extra, le);
	if (u->site_path != NULL)
		d->site_path = arena_copy(b, u->site_path, lp);
	b->tag[b->n] = tag;
	b->n++;
	return 0;
}

int
flowq_add_alert(struct flowq *q, const char *json, size_t len, uint64_t tag)
{
	struct flowq_batch *b;

	flowq_publish(q); /* in order: the records before it go first */
	b = batch_get(q, FLOWQ_ALERT);
	if (b == NULL)
		return -1;
	b->alert = malloc(len > 0 ? len : 1);
	if (b->alert == NULL) {
		flowq_recycle(q, b);
		return -1;
	}
	memcpy(b->alert, json, len);
	b->alert_len = len;
	b->tag[0] = tag;
	b->n = 1;
	batch_put(q, b);
	return 0;
}

int
flowq_add_event(struct flowq *q, const struct node_event *ev)
{
	struct flowq_batch *b;

	flowq_publish(q);
	b = batch_get(q, FLOWQ_EVENT);
	if (b == NULL)
		return -1;
	b->ev = *ev;
	b->n = 1;
	batch_put(q, b);
	return 0;
}

int
flowq_wait_room(struct flowq *q)
{
	int rc;

	pthread_mutex_lock(&q->lock);
	while (q->out >= q->limit && !q->stopping)
		pthread_cond_wait(&q->room, &q->lock);
	rc = q->stopping ? -1 : 0;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void
flowq_stop(struct flowq *q)
{
	pthread_mutex_lock(&q->lock);
	q->stopping = 1;
	pthread_cond_broadcast(&q->room);
	pthread_mutex_unlock(&q->lock);
}

struct flowq_batch *
flowq_pop(struct flowq *q)
{
	struct flowq_batch *b;

	pthread_mutex_lock(&q->lock);
	b = q->head;
	if (b != NULL) {
		q->head = b->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->published--;
	}
	pthread_mutex_unlock(&q->lock);
	return b;
}

void
flowq_recycle(struct flowq *q, struct flowq_batch *b)
{
	free(b->alert);
	b->alert = NULL;
	pthread_mutex_lock(&q->lock);
	b->next = q->free;
	q->free = b;
	q->out--;
	pthread_cond_signal(&q->room);
	pthread_mutex_unlock(&q->lock);
}

int
flowq_published(struct flowq *q)
{
	int n;

	pthread_mutex_lock(&q->lock);
	n = q->published;
	pthread_mutex_unlock(&q->lock);
	return n;
}

void
flowq_clear_event(struct flowq *q)
{
	uint64_t v;

	if (read(q->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return; /* nothing to clear */
}
