/*
 * reliable.h - acknowledged -I links with an on-disk spool
 * (--export-reliable[=MB], docs/hierarchy.md "Reliable links").
 *
 * One struct rel_link per -I endpoint, owned by the exporter thread.
 * Every `flow` message of the endpoint becomes a numbered batch: it is
 * appended to the spool (<data-dir>/spool/<endpoint>/), sent with a
 * trailer frame carrying (epoch, sequence), and released when the peer's
 * acknowledgement comes back on the same socket (the XPUB receives what
 * the peer's XSUB sends).  After a reconnect (a new subscription), or
 * when acknowledgements stop advancing, the unacknowledged batches are
 * resent in order.  A full spool drops its oldest batches; what the peer
 * then never received is the declared loss.
 */
#ifndef EXPORTER_RELIABLE_H
#define EXPORTER_RELIABLE_H

#include <stddef.h>
#include <stdint.h>

#define REL_TRAILER_MAGIC "NRL1"
#define REL_ACK_MAGIC "NRA1"
#define REL_TRAILER_FIXED 101 /* magic + 12 u64 + id length */
#define REL_ACK_FIXED 37      /* magic + 4 u64 + id length */
#define REL_ID_MAX 64

/* Sends one message of the link: header + payload + trailer frames. */
typedef void (*rel_send_fn)(void *ctx, const char *topic, int version,
			    const void *payload, size_t len,
			    const void *trailer, size_t tlen);

struct rel_link;

struct rel_stats {
	uint64_t batches, resends, acked, reconnects;
	uint64_t spool_batches, spool_bytes, spool_oldest_age_ms;
	uint64_t spool_dropped; /* batches dropped, fate not yet known */
	uint64_t loss_batches, loss_records, loss_bytes, loss_pkts;
	uint64_t corrupt; /* spool entries refused on load or resend */
	uint64_t loaded;  /* batches found in the spool at start */
	uint64_t epoch, next_seq, acked_seq;
	int connected;
};

/* Opens (and loads) the spool of an endpoint in dir (created), of at most
 * cap bytes.  NULL with the cause logged.  Exporter set-up. */
struct rel_link *rel_open(const char *dir, uint64_t cap, const char *node,
			  rel_send_fn send, void *ctx);
void rel_close(struct rel_link *l);

/* A new `flow` message: spooled, and sent now if the peer is there and
 * the link is not resending (then it goes after the resend). */
void rel_submit(struct rel_link *l, const char *topic, int version,
		const void *payload, size_t len, uint64_t records,
		uint64_t bytes, uint64_t pkts);
/* The peer (re)subscribed (1) or left (0). */
void rel_connected(struct rel_link *l, int up);
/* A message the peer sent upstream (an acknowledgement, or ignored). */
void rel_on_message(struct rel_link *l, const uint8_t *msg, size_t len);
/* Every loop of the exporter thread: continues a resend, resends when
 * acknowledgements stall.  Returns 1 when the connection looks dead
 * (batches wait and the peer has been silent for seconds): the caller
 * reconnects, which drops what the dead connection still queues. */
int rel_tick(struct rel_link *l, uint64_t now_ms);
void rel_get_stats(struct rel_link *l, struct rel_stats *out);

/* Encodes a trailer / parses an acknowledgement (also for tests). */
size_t rel_trailer_encode(uint8_t *b, size_t size, const char *node,
			  const uint64_t v[12]);

#endif
