/*
 * zmq_reliable.h - the receiving end of reliable links: per sender, the
 * batches taken in order, duplicates and gaps refused, acknowledgements
 * sent back upstream (zmq_reliable.c, docs/hierarchy.md).  Owner thread.
 */
#ifndef COLLECTOR_ZMQ_RELIABLE_H
#define COLLECTOR_ZMQ_RELIABLE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define ZREL_TRAILER_FIXED 101 /* "NRL1" + 12 u64 + id length */
#define ZREL_ACK_FIXED 37      /* "NRA1" + 4 u64 + id length */
#define ZREL_ID_MAX 64
#define ZREL_MAX_ORIGINS 64 /* senders per endpoint */

struct zrel_origin {
	int used, known, ack_due;
	char id[ZREL_ID_MAX + 1];
	uint64_t epoch, last, last_ms;
	uint64_t skip_from, skip_to; /* the latest range the sender dropped */
	uint64_t taken, duplicates, gaps, skipped, acks, epochs, bad;
	/* the sender's own counters, from its latest trailer */
	uint64_t resends, spool_batches, spool_bytes, spool_oldest_age_ms;
	uint64_t loss_batches, loss_records, loss_bytes, loss_pkts;
};

struct zrel {
	struct zrel_origin o[ZREL_MAX_ORIGINS];
};

enum { ZREL_TAKE = 0, ZREL_DROP = 1 };

/* 1 when the frame is a well-formed trailer. */
int zrel_is_trailer(const uint8_t *b, size_t len);
/* Judges a message by its trailer: ZREL_TAKE (decode it) or ZREL_DROP
 * (a duplicate, a gap or a bad trailer); *o: its sender's entry. */
int zrel_check(struct zrel *z, const uint8_t *b, size_t len, uint64_t now,
	       struct zrel_origin **o);
/* Sends the acknowledgements due, upstream on sock (an XSUB). */
void zrel_flush_acks(struct zrel *z, void *sock);
/* Fills a probe's `link` object (docs/hierarchy.md "What each node
 * reports") with its node's reliable counters: resends, spool_batches,
 * spool_bytes, spool_oldest_age (s), declared_loss (records),
 * declared_loss_bytes, declared_loss_packets.  A no-op for other nodes. */
void zrel_fill_link(const struct zrel *z, json_t *link);
/* get/interface/sources.lua: the endpoint's reliable senders. */
json_t *zrel_json(const struct zrel *z);

#endif
