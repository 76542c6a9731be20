/*
 * dpiw.h - --workers N: the nDPI detection of one interface's packet
 * flows spread over the owner thread and N-1 helper threads
 * (merge/dpiw.c; docs/threads.md, "Workers").  Private to merge/.
 *
 * The owner keeps every table; a flow of a helper's shard keeps its nDPI
 * state in a struct dpiw_state that only the helper touches while a
 * packet of that flow is queued to it (inflight > 0).  The owner copies
 * each packet's L3 bytes into the helper's single-producer /
 * single-consumer ring; the helper runs dpi_packet() with its own nDPI
 * module and writes the result into the same slot; the owner applies the
 * results in ring order (tables_dpi_apply()).  Before a packet of a flow
 * with a packet in flight is accounted, that flow's results are applied
 * (dpiw_wait_flow), so every packet is counted under the protocol the
 * single-threaded node would count it under.
 */
#ifndef MERGE_DPIW_H
#define MERGE_DPIW_H

#include <stddef.h>
#include <stdint.h>

#include "dpi/dpi.h"

struct iface;
struct flow;
struct pkt;

struct dpiw_state {
	struct dpi_flow d; /* the flow's detection state (helper's while
			    * inflight > 0, else the owner's) */
	uint32_t inflight; /* packets queued, results not applied (owner) */
};

/* Starts n helper threads for ifc (main, in iface_start), on the cores
 * but owner_core, the one its owner thread keeps (-1: anywhere).  0, or
 * -1. */
int dpiw_start(struct iface *ifc, int n, int owner_core);
/* Applies every result, stops and frees the helpers (main, after the
 * owner thread has ended).  The flows' states stay with the flows. */
void dpiw_stop(struct iface *ifc);
/* The shard of flow f: 0 the owner's, k > 0 helper k - 1's. */
int dpiw_shard(const struct iface *ifc, const struct flow *f);
/* Queues packet p of flow f (shard k > 0) to its helper (owner). */
void dpiw_submit(struct iface *ifc, struct flow *f, int k, const struct pkt *p);
/* Applies the results the helpers have ready (owner). */
void dpiw_poll(struct iface *ifc);
/* Applies results until flow f has none in flight (owner). */
void dpiw_wait_flow(struct iface *ifc, struct flow *f);
/* Hands the helpers what is filled and applies what they have answered,
 * without waiting; 1 when some packet is still in their hands (owner). */
int dpiw_settle(struct iface *ifc);
/* Applies results until no helper has work (owner). */
void dpiw_drain(struct iface *ifc);
/* Bytes of memory a flow's state holds (tables_flow_mem). */
size_t dpiw_state_mem(const struct dpiw_state *st);
/* Frees a flow's state (inflight must be 0). */
void dpiw_state_free(struct dpiw_state *st);
/* The same, counted off the states alive (owner). */
void dpiw_state_release(struct iface *ifc, struct dpiw_state *st);
/* What the flows' states alive may hold at most (tables_mem()). */
uint64_t dpiw_mem(const struct iface *ifc);

#endif
