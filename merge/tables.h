/*
 * tables.h - the flow, host and MAC tables of an interface (merge/tables.c).
 * Owner thread only.
 */
#ifndef MERGE_TABLES_H
#define MERGE_TABLES_H

#include <stdint.h>

#include "merge/record.h"

struct iface;

/* --workers: applies a helper's answer for one packet of flow f
 * (merge/dpiw.c): the detection fields `res`, whether the L7 changed,
 * the flow's first info string (taken, heap) and the interface clock at
 * that packet, as iface_packet() does after its own dpi_packet(). */
struct dpi_flow;
struct flow;
void tables_dpi_apply(struct iface *ifc, struct flow *f,
		      const struct dpi_flow *res, int changed, char *info,
		      uint64_t clock_ms);

/* Idle times after which an entry may be purged (ms). */
#define TABLES_FLOW_IDLE_MS (60 * 1000)
#define TABLES_HOST_IDLE_MS (300 * 1000)
#define TABLES_MAC_IDLE_MS (300 * 1000)

/* Allocates the hash tables sized for prefs' -X/-x limits. */
int tables_init(struct iface *ifc);
void tables_fini(struct iface *ifc);
/* Purges entries idle for longer than the limits above at time now_ms
 * (the interface clock).  With `pressure_only`, purges only while a table
 * is more than 90% full (offline inputs: final counts stay visible). */
void tables_purge(struct iface *ifc, uint64_t now_ms, int pressure_only);
/* The purge of an interface whose sources run on different clocks (a
 * pcap file merged with a live or collector source): each flow, host
 * and MAC is judged by the clock of the source that fed it last, by the
 * rules tables_purge() applies to an interface of that source alone
 * (live and collected: wall_ms; a pcap file being read: its packet time,
 * under pressure only; a pcap file that has ended: never).  Walks whole
 * lists, as their order mixes clocks. */
void tables_purge_sources(struct iface *ifc, uint64_t wall_ms);
/* Classifies every host again by ifc->local_nets (is_local, local_net,
 * num_local_hosts): after a SIGHUP changed -m (iface_set_local_nets). */
void tables_hosts_reclassify(struct iface *ifc);
/* Gives every undecided flow nDPI's final verdict (input ended). */
void tables_giveup_all(struct iface *ifc);
/* Recomputes throughputs from counter deltas over elapsed_ms. */
void tables_update_thpt(struct iface *ifc, uint64_t elapsed_ms);
/* -I: posts the deltas of this node's own flows (every export interval)
 * or of one flow (at its expiry) to the exporter. */
void tables_export(struct iface *ifc);
struct flow;
void tables_export_flow(struct iface *ifc, struct flow *f);
/*
 * Hands cb a snapshot of the interface's flows (owner thread,
 * docs/hierarchy.md "Convergence"): for each flow, its totals as the -I
 * stream has carried them so far (own flows: what their deltas added up
 * to; relayed flows: their totals, with the origin's site path and the
 * highest origin sequence applied), marked snapshot; own flows are
 * numbered seq.  Stops when cb returns non-zero (-1); else the number of
 * records.
 */
int tables_snapshot(struct iface *ifc, uint64_t seq,
		    int (*cb)(void *ctx, const struct flow_update *u),
		    void *ctx);
/* A peer node's declaration (its event): start, totals; updates its
 * origin's restarts and missed_expired counters (owner thread). */
void tables_node_event(struct iface *ifc, const struct node_event *ev);
/* Host h's L7 entry of proto, added (first seen at `now`) when missing;
 * NULL when out of memory. */
struct host;
struct host_l7;
struct host_l7 *tables_host_l7_get(struct host *h, uint16_t proto,
				   uint64_t now);
/* merge/sink.c: the calls of the registered sinks, each building its
 * value record once for all of them (owner thread; at the shutdown flush,
 * main).  `final`: the shutdown flush, the sinks may wait for room. */
struct flow_update;
void sink_flow_expired(struct iface *ifc, const struct flow *f, int final);
/* 0 when every sink that exports took u. */
int sink_flow_exported(struct iface *ifc, const struct flow_update *u);
void sink_host_new(struct iface *ifc, const struct host *h);
void sink_host_purged(struct iface *ifc, const struct host *h, int final);
void sink_tick(struct iface *ifc, uint64_t wall_ms);
/* Applies the restores iface_host_restore() queued (owner thread). */
void iface_restore_apply(struct iface *ifc);
/* Frees restores never applied (iface_free). */
void sink_restores_free(struct iface *ifc);

/* merge/geo_tables.c: the GeoIP data of a new host (looked up once,
 * here) and its AS and country entries; sync adds the bytes a host
 * counted since its last sync to them (tables_update_thpt, queries, host
 * free); thpt recomputes their throughputs. */
void tables_geo_host_new(struct iface *ifc, struct host *h, uint64_t now);
void tables_geo_sync(struct iface *ifc, struct host *h);
void tables_geo_sync_all(struct iface *ifc);
void tables_geo_host_free(struct iface *ifc, struct host *h);
void tables_geo_thpt(struct iface *ifc, uint64_t elapsed_ms);
void tables_geo_fini(struct iface *ifc);

/* Bytes of memory per flow / host in the tables (the STATS line): the
 * pools' objects (in use and free), bucket arrays, and every block the
 * entries own as malloc really takes it (header and rounding included;
 * docs/memory.md), divided by the entries now. */
uint64_t tables_flow_mem(const struct iface *ifc);
uint64_t tables_host_mem(const struct iface *ifc);
/* What the tables hold in all (--max-memory's account): flows, hosts,
 * MACs, their pools and buckets, interned strings and out-of-line
 * blocks.  Kept as entries come and go; tables_mem_sync() counts the
 * hosts' blocks again (names and activity hours added later). */
uint64_t tables_mem(const struct iface *ifc);
void tables_mem_sync(struct iface *ifc);

/* merge/risk_alerts.c: one flow alert per risk in added (bits of
 * ndpi_risk_enum) that flow f just got; owner thread, once per flow. */
void tables_flow_risk_alerts(struct iface *ifc, const struct flow *f,
			     uint64_t added);

#endif
