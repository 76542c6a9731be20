/*
 * export.h - the -I publisher: republishes the node's flows to peer nodes
 * (and to upstream ntopng) over ZMQ, so that nodes form star, tree and
 * mesh topologies (docs/hierarchy.md).
 *
 * Interface owner threads post flow updates with export_flow(); one
 * exporter thread owns the PUB sockets, batches the updates into TLV (or
 * JSON with --json-labels) messages with msg_id sequence numbers, and
 * sends an `event` message with its own statistics every second.
 */
#ifndef EXPORTER_EXPORT_H
#define EXPORTER_EXPORT_H

#include <stddef.h>
#include <stdint.h>

struct prefs;
struct flow_update;

/* Opens every -I endpoint and starts the exporter thread (main thread).
 * Returns 0 (also when there is no -I), or -1 with the cause logged. */
int export_start(const struct prefs *p);
/* Sends what is queued, then stops (main thread, after the interfaces). */
void export_stop(void);
/* Registers the exporter on ifc as a sink of its flow deltas and of the
 * updates it relays (merge/sink.h).  Main thread, after export_start()
 * and before iface_start(); a no-op without -I.  0 or -1. */
struct iface;
int export_sink_add(struct iface *ifc);
/* 1 when -I is on. */
int export_active(void);

/*
 * Queues one update for export (any interface owner thread; copied).
 * An update with no site path starts here: this node is its origin and
 * gives it the next origin sequence number.  An update that came from a
 * peer keeps its origin sequence number and gets this node's id appended
 * to its path.  Returns 0, or -1 when the queue is full (counted).
 */
int export_flow(const struct flow_update *u);

/*
 * Encodes one update the way the exporter thread does, into buf (size
 * bytes): a TLV buffer (version bytes, one record) or, with json_labels,
 * a JSON array of one object; counters above 2^32-1 are cut to it (the
 * thread splits them over several records).  path is the site path to
 * write.  Returns the length, or -1 when buf is too small.  For tests
 * (both dialects from the same field list); any thread.
 */
int export_encode_one(const struct flow_update *u, const char *path,
		      int json_labels, uint8_t *buf, size_t size);

struct export_stats {
	uint64_t queued, sent_records, sent_msgs, sent_bytes;
	uint64_t queue_drops; /* updates refused: queue full */
	uint64_t events;      /* event messages sent */
	uint32_t source_id;
};
void export_get_stats(struct export_stats *out);

#endif
