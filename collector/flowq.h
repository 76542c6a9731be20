/*
 * flowq.h - flow updates decoded on a source's reader thread, handed to
 * the interface's owner thread in batches (--workers > 1).
 *
 * The reader appends records to the batch it is filling (flowq_add_*:
 * the update is copied, and its strings into the batch's own arena) and
 * publishes it when it is full or when its input has nothing more
 * (flowq_publish).  The owner takes published batches in order
 * (flowq_pop), applies them and gives them back (flowq_recycle).  The
 * batch being filled is protected by the caller's own lock (the one the
 * reader holds while it decodes; docs/threads.md, "zmq-reader");
 * published and free batches by the queue's mutex.  At most `limit`
 * batches are out at once, as flowq_wait_room() enforces before each
 * input message; one message that needs more batches than that gets
 * them (a message is bounded by the decoder), so a reader holding its
 * lock never waits for the owner.
 */
#ifndef NTOPNG_FLOWQ_H
#define NTOPNG_FLOWQ_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "merge/record.h"

#define FLOWQ_BATCH 256
#define FLOWQ_ARENA (64 * 1024)

enum flowq_kind { FLOWQ_FLOWS, FLOWQ_ALERT, FLOWQ_EVENT };

struct flowq_batch {
	struct flowq_batch *next;
	enum flowq_kind kind;
	int n;	     /* FLOWS: records in u[] */
	size_t used; /* FLOWS: arena bytes taken by the records' strings */
	/* the caller's tag of each record (e.g. which peer sent it) */
	uint64_t tag[FLOWQ_BATCH];
	struct flow_update u[FLOWQ_BATCH];
	struct node_event ev; /* EVENT */
	char *alert;	      /* ALERT: the JSON text (heap), alert_len bytes */
	size_t alert_len;
	char arena[FLOWQ_ARENA];
};

struct flowq {
	pthread_mutex_t lock;
	pthread_cond_t room;
	struct flowq_batch *head, *tail; /* published, oldest first */
	struct flowq_batch *free;
	struct flowq_batch *fill; /* being filled: the caller's lock */
	int out;		  /* batches published or being filled */
	int published;		  /* published, not yet popped */
	int limit;
	int stopping;
	int efd; /* eventfd, readable when a batch was published */
};

/* 0, or -1 (no eventfd). */
int flowq_init(struct flowq *q, int limit);
/* Frees every batch (nobody uses the queue any more). */
void flowq_fini(struct flowq *q);

/* Reader side (under the caller's lock).  0, or -1 when no batch could
 * be allocated (the record is lost: the decoder counts it refused). */
int flowq_add_flow(struct flowq *q, const struct flow_update *u, uint64_t tag);
int flowq_add_alert(struct flowq *q, const char *json, size_t len,
		    uint64_t tag);
int flowq_add_event(struct flowq *q, const struct node_event *ev);
/* Hands the batch being filled (if any record is in it) to the owner. */
void flowq_publish(struct flowq *q);
/* Waits (without the caller's lock) until fewer than `limit` batches are
 * out.  0, or -1 once flowq_stop() was called. */
int flowq_wait_room(struct flowq *q);
void flowq_stop(struct flowq *q);

/* Owner side: the oldest published batch, or NULL; then back with
 * flowq_recycle() once applied. */
struct flowq_batch *flowq_pop(struct flowq *q);
void flowq_recycle(struct flowq *q, struct flowq_batch *b);
/* Makes the eventfd readable (a batch published, or another news for the
 * owner's poll). */
void flowq_notify(struct flowq *q);
/* Batches published and not yet taken by the owner (a hint). */
int flowq_published(struct flowq *q);
/* Clears the eventfd (before looking for batches, so a batch published
 * meanwhile makes it readable again). */
void flowq_clear_event(struct flowq *q);

#endif
