/*
 * zmq_reliable.c - the receiving end of reliable links
 * (--export-reliable on the sender, docs/hierarchy.md "Reliable links").
 *
 * A reliable `flow` message has a third frame, the trailer:
 *   "NRL1" | u64 epoch, seq, base, resends, spool_batches, spool_bytes,
 *   spool_oldest_age_ms, loss_batches, loss_records, loss_bytes,
 *   loss_packets, made_ms (big-endian) | u8 n | n bytes: the sender's id
 * Per sender (its node id) this side keeps the epoch and the last batch
 * taken, `last`, and takes a batch only in order:
 *   new sender or new epoch: last = base - 1 (nothing older will come)
 *   base > last + 1: the sender dropped last+1 .. base-1 (its spool was
 *                    full): skipped, remembered, last = base - 1
 *   seq <= last:     a duplicate (a resend of what arrived): dropped
 *   seq == last + 1: taken, last = seq
 *   seq > last + 1:  a gap (lost in a dead connection): refused until
 *                    the sender resends in order
 * and answers, after each read, with one acknowledgement per sender sent
 * upstream on the same socket (an XSUB: to every connected publisher,
 * each keeps its own):
 *   "NRA1" | u64 epoch, last, skip_from, skip_to | u8 n | sender id
 * Owner thread only (the socket's).
 */
#include <string.h>

#include <jansson.h>
#include <zmq.h>

#include "collector/zmq_reliable.h"

static uint64_t
get_be(const uint8_t *b, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

static void
put_be(uint8_t *b, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

int
zrel_is_trailer(const uint8_t *b, size_t len)
{
	return len >= ZREL_TRAILER_FIXED && memcmp(b, "NRL1", 4) == 0 &&
	       len == ZREL_TRAILER_FIXED + (size_t)b[100] && b[100] > 0 &&
	       b[100] <= ZREL_ID_MAX;
}

static struct zrel_origin *
zrel_find(struct zrel *z, const uint8_t *id, size_t n, uint64_t now)
{
	struct zrel_origin *free_o = NULL, *oldest = NULL;

	for (int i = 0; i < ZREL_MAX_ORIGINS; i++) {
		struct zrel_origin *o = &z->o[i];

		if (!o->used) {
			if (free_o == NULL)
				free_o = o;
			continue;
		}
		if (strlen(o->id) == n && memcmp(o->id, id, n) == 0)
			return o;
		if (oldest == NULL || o->last_ms < oldest->last_ms)
			oldest = o;
	}
	if (free_o == NULL)
		free_o = oldest; /* recycled: its sender starts afresh */
	memset(free_o, 0, sizeof(*free_o));
	free_o->used = 1;
	memcpy(free_o->id, id, n);
	free_o->id[n] = '\0';
	free_o->last_ms = now;
	return free_o;
}

int
zrel_check(struct zrel *z, const uint8_t *b, size_t len, uint64_t now,
	   struct zrel_origin **out)
{
	uint64_t v[12];
	struct zrel_origin *o;

	*out = NULL;
	if (!zrel_is_trailer(b, len))
		return ZREL_TAKE; /* not ours to judge */
	for (int i = 0; i < 12; i++)
		v[i] = get_be(b + 4 + 8 * i, 8);
	o = zrel_find(z, b + ZREL_TRAILER_FIXED, b[100], now);
	*out = o;
	o->last_ms = now;
	o->resends = v[3];
	o->spool_batches = v[4];
	o->spool_bytes = v[5];
	o->spool_oldest_age_ms = v[6];
	o->loss_batches = v[7];
	o->loss_records = v[8];
	o->loss_bytes = v[9];
	o->loss_pkts = v[10];
	o->ack_due = 1;
	if (v[1] == 0 || v[2] == 0 || v[2] > v[1]) {
		o->bad++;
		return ZREL_DROP;
	}
	if (!o->known || o->epoch != v[0]) {
		if (o->known)
			o->epochs++;
		o->known = 1;
		o->epoch = v[0];
		o->last = v[2] - 1;
		o->skip_from = o->skip_to = 0;
	}
	if (v[2] > o->last + 1) {
		o->skip_from = o->last + 1;
		o->skip_to = v[2] - 1;
		o->skipped += v[2] - 1 - o->last;
		o->last = v[2] - 1;
	}
	if (v[1] <= o->last) {
		o->duplicates++;
		return ZREL_DROP;
	}
	if (v[1] > o->last + 1) {
		o->gaps++;
		return ZREL_DROP;
	}
	o->last = v[1];
	o->taken++;
	return ZREL_TAKE;
}

void
zrel_flush_acks(struct zrel *z, void *sock)
{
	for (int i = 0; i < ZREL_MAX_ORIGINS; i++) {
		struct zrel_origin *o = &z->o[i];
		uint8_t b[ZREL_ACK_FIXED + ZREL_ID_MAX];
		size_t n;

		if (!o->used || !o->ack_due || !o->known)
			continue;
		n = strlen(o->id);
		memcpy(b, "NRA1", 4);
		put_be(b + 4, o->epoch, 8);
		put_be(b + 12, o->last, 8);
		put_be(b + 20, o->skip_from, 8);
		put_be(b + 28, o->skip_to, 8);
		b[36] = (uint8_t)n;
		memcpy(b + ZREL_ACK_FIXED, o->id, n);
		/* an XSUB sends upstream to every publisher; never blocks */
		if (zmq_send(sock, b, ZREL_ACK_FIXED + n, ZMQ_DONTWAIT) >= 0) {
			o->acks++;
			o->ack_due = 0;
		}
	}
}

json_t *
zrel_json(const struct zrel *z)
{
	json_t *a = json_array();

	for (int i = 0; a != NULL && i < ZREL_MAX_ORIGINS; i++) {
		const struct zrel_origin *o = &z->o[i];

		if (!o->used)
			continue;
		json_array_append_new(
			a,
			json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
				  "s:I,s:I,s:f,s:{s:I,s:I,s:I,s:I},s:I}",
				  "origin", o->id, "epoch",
				  (json_int_t)o->epoch, "last_seq",
				  (json_int_t)o->last, "batches",
				  (json_int_t)o->taken, "duplicates",
				  (json_int_t)o->duplicates, "gaps",
				  (json_int_t)o->gaps, "skipped_batches",
				  (json_int_t)o->skipped, "acks",
				  (json_int_t)o->acks, "resends",
				  (json_int_t)o->resends, "spool_batches",
				  (json_int_t)o->spool_batches, "spool_bytes",
				  (json_int_t)o->spool_bytes, "epochs",
				  (json_int_t)o->epochs, "spool_oldest_age",
				  (double)o->spool_oldest_age_ms / 1000.0,
				  "declared_loss", "batches",
				  (json_int_t)o->loss_batches, "records",
				  (json_int_t)o->loss_records, "bytes",
				  (json_int_t)o->loss_bytes, "packets",
				  (json_int_t)o->loss_pkts, "bad_trailers",
				  (json_int_t)o->bad));
	}
	return a;
}

void
zrel_fill_link(const struct zrel *z, json_t *link)
{
	const char *node = json_string_value(json_object_get(link, "node"));

	if (node == NULL)
		return;
	for (int i = 0; i < ZREL_MAX_ORIGINS; i++) {
		const struct zrel_origin *o = &z->o[i];

		if (!o->used || strcmp(o->id, node) != 0)
			continue;
		json_object_set_new(link, "resends",
				    json_integer((json_int_t)o->resends));
		json_object_set_new(link, "spool_batches",
				    json_integer((json_int_t)o->spool_batches));
		json_object_set_new(link, "spool_bytes",
				    json_integer((json_int_t)o->spool_bytes));
		json_object_set_new(
			link, "spool_oldest_age",
			json_integer(
				(json_int_t)(o->spool_oldest_age_ms / 1000)));
		json_object_set_new(link, "declared_loss",
				    json_integer((json_int_t)o->loss_records));
		json_object_set_new(link, "declared_loss_bytes",
				    json_integer((json_int_t)o->loss_bytes));
		json_object_set_new(link, "declared_loss_packets",
				    json_integer((json_int_t)o->loss_pkts));
		return;
	}
}
