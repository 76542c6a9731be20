/*
 * sink.h - what an interface hands to the places its data goes (the -I
 * ZMQ exporter, the SQLite flow history, the Redis host cache, the RRD
 * time series, and whatever comes next), and how they register.
 *
 * A sink registers on each interface it wants with iface_add_sink()
 * (main thread, before iface_start()); the interface's owner thread then
 * calls its ops, in registration order, with value records: a struct
 * flow_rec or struct host_snapshot is filled on the owner's stack and
 * valid for the call only.  A sink copies what it keeps and never holds a
 * pointer into the tables; nothing in merge/ knows which sinks exist.
 *
 * Every op runs on the interface's owner thread (flush: on main, after
 * the owner was joined) and must not block: slow work goes to the sink's
 * own queue and thread (docs/threads.md).  An op left NULL is skipped,
 * and the interface skips building a record nobody takes.
 *
 * Data that comes back from a sink (a host's counters found in the host
 * cache) goes through iface_host_restore(), which any thread may call.
 */
#ifndef MERGE_SINK_H
#define MERGE_SINK_H

#include <stdint.h>

#include "common/addr.h"

struct iface;
struct flow_update;
struct alert;

#define SINK_L7_NAME_MAX 48
#define SINK_INFO_MAX 128
#define SINK_HOST_NAME_MAX 128
#define SINK_SITE_PATH_MAX 256

/* An expired flow (or, with `final`, one still active at shutdown). */
struct flow_rec {
	uint16_t vlan;
	uint8_t ip_version, l4_proto;
	struct ipaddr cli, srv;
	uint16_t cli_port, srv_port;
	uint64_t c2s_bytes, s2c_bytes, c2s_pkts, s2c_pkts;
	uint64_t first_ms, last_ms;
	uint16_t l7_master, l7_app;
	uint8_t c2s_tcp_flags, s2c_tcp_flags, tos;
	uint8_t collected; /* fed by flow updates, not packets */
	/* its endpoints' hosts: present in the table? in a -m network? */
	uint8_t cli_host, cli_local, srv_host, srv_local;
	uint8_t final;			/* shutdown flush: the sink may wait */
	char l7_name[SINK_L7_NAME_MAX]; /* "Master.App" or one name */
	char info[SINK_INFO_MAX];	/* SNI / HTTP host / DNS query */
	/* GeoIP of its endpoints' hosts (0 / "": not located) */
	uint32_t cli_asn, srv_asn;
	char cli_country[4], srv_country[4];
	/* its endpoints' host names (docs/names.md; "" when none) */
	char cli_name[SINK_HOST_NAME_MAX], srv_name[SINK_HOST_NAME_MAX];
	/* the site path it came by (hierarchies, docs/hierarchy.md): ""
	 * for this node's own flows */
	char site_path[SINK_SITE_PATH_MAX];
};

/* One protocol's counters inside a host snapshot. */
struct host_snapshot_l7 {
	uint16_t proto;
	uint32_t num_flows;
	uint64_t bytes_sent, bytes_rcvd, pkts_sent, pkts_rcvd;
	uint64_t first_ms, last_ms;
};

struct host_snapshot_counters {
	uint64_t bytes_sent, bytes_rcvd, pkts_sent, pkts_rcvd;
};

/*
 * A host's counters by value.  l7 points to n_l7 entries owned by whoever
 * filled the snapshot (the interface: valid during the call only).  For
 * host_new only the key (ip, vlan, is_local) and first_ms/last_ms are
 * filled.
 */
struct host_snapshot {
	struct ipaddr ip;
	uint16_t vlan;
	uint8_t is_local;
	uint8_t final; /* shutdown flush: the sink may wait */
	uint64_t first_ms, last_ms;
	struct host_snapshot_counters c, tcp, udp, icmp, other;
	uint64_t unknown_bytes;
	uint64_t flows_as_client, flows_as_server;
	const struct host_snapshot_l7 *l7;
	uint32_t n_l7;
	char name[SINK_HOST_NAME_MAX]; /* "" when none */
};

/* Flush phases, in this order, at shutdown (main thread, owner joined):
 * BEGIN: finish the work in flight that may come back to the interface
 * (host-cache answers); then the interface hands every flow and host over
 * with `final` set; END: write last snapshots and wait for them. */
enum sink_flush_phase { SINK_FLUSH_BEGIN, SINK_FLUSH_END };

struct iface_sink_ops {
	const char *name;
	/* A flow leaves the table (idle, or the shutdown flush). */
	void (*flow_expired)(void *ctx, const struct flow_rec *r);
	/* Flow counters to publish: a delta of one of this node's flows or
	 * an update that came from a peer, passed on as it came.  Return 0
	 * when taken; -1 (queue full) keeps the delta for the next time. */
	int (*flow_exported)(void *ctx, const struct flow_update *u);
	/* A host enters the table (key only). */
	void (*host_new)(void *ctx, const struct host_snapshot *h);
	/* A host leaves the table (idle, or the shutdown flush). */
	void (*host_purged)(void *ctx, const struct host_snapshot *h);
	/* Housekeeping, about once a second (wall clock, ms).  The sink
	 * reads the interface by value through iface_get_totals(),
	 * iface_l7_walk() and iface_local_host_deltas() below. */
	void (*tick)(void *ctx, struct iface *ifc, uint64_t wall_ms);
	void (*flush)(void *ctx, struct iface *ifc, enum sink_flush_phase ph);
	/* A past alert (released, or one-shot), by value: copy what is
	 * kept, never block (merge/alerts.h). */
	void (*alert)(void *ctx, const struct alert *a);
	/* An engaged alert, when engaged and at each re-announcement
	 * (alert_tick), by value; tstamp_end is 0.  Never block. */
	void (*alert_engaged)(void *ctx, const struct alert *a);
};

/* Registers ops on ifc with ctx handed back to every call (owned by the
 * caller, which keeps it alive until after the shutdown flush).  Main
 * thread, before iface_start().  0, or -1 when IFACE_MAX_SINKS (merge/iface.h)
 * are registered already. */
int iface_add_sink(struct iface *ifc, const struct iface_sink_ops *ops,
		   void *ctx);

/* Adds the old counters of a returning host (what the host cache kept of
 * it) to the host of that key, when it is in the table: queued by value
 * and applied by the owner on its next loop turn.  Any thread.  0, or -1
 * (out of memory). */
int iface_host_restore(struct iface *ifc, const struct host_snapshot *s);

/* Main thread, after the owner thread was joined: gives every flow its
 * final verdict and hands every flow and host to the sinks (see
 * enum sink_flush_phase). */
void iface_flush(struct iface *ifc);

/* An interface's totals by value, for a sink's tick (owner thread). */
struct iface_totals {
	uint64_t bytes, packets, drops;
	uint32_t num_flows, num_hosts;
};
void iface_get_totals(const struct iface *ifc, struct iface_totals *t);

/* Calls fn for every L7 protocol with traffic: its nDPI id, name and
 * bytes client->server / server->client so far.  Owner thread. */
typedef void (*iface_l7_fn)(void *arg, uint16_t proto, const char *name,
			    uint64_t bytes_sent, uint64_t bytes_rcvd);
void iface_l7_walk(struct iface *ifc, iface_l7_fn fn, void *arg);

/* The RRD-style walk: calls fn for every local host with what its bytes
 * sent / received grew since the last call that fn took (returned 0
 * for), so that a sink never keeps per-host state nor a pointer into the
 * table.  Owner thread (a sink's tick or flush). */
typedef int (*iface_host_delta_fn)(void *arg, const struct ipaddr *ip,
				   uint16_t vlan, uint64_t dsent,
				   uint64_t drcvd);
void iface_local_host_deltas(struct iface *ifc, iface_host_delta_fn fn,
			     void *arg);

/* Calls fn for every L7 protocol of every local host: its counters so far
 * (not deltas: what the host has, restored counters included), for
 * InfluxDB's host:ndpi.  Owner thread. */
typedef void (*iface_host_l7_fn)(void *arg, const struct ipaddr *ip,
				 uint16_t vlan, uint16_t proto,
				 const char *name, uint64_t bytes_sent,
				 uint64_t bytes_rcvd);
void iface_local_host_l7_walk(struct iface *ifc, iface_host_l7_fn fn,
			      void *arg);

/* -A aggregations (merge/aggr.c) by value, for a timeline sink: name
 * and contacts are the aggregate's, valid during the call only. */
struct aggr_snapshot_contact {
	struct ipaddr ip;
	uint16_t vlan;
	uint8_t is_local;
	uint64_t count;
};
struct aggr_snapshot {
	const char *family; /* "dns", "http", "os" */
	const char *name;
	uint64_t first_ms, last_ms, queries, flows, bytes;
	const struct aggr_snapshot_contact *contacts;
	uint32_t n_contacts;
};
/* Calls fn for every aggregate that changed since the previous walk
 * (none when -A is 0).  Owner thread (a sink's tick or flush). */
typedef void (*iface_aggr_fn)(void *arg, const struct aggr_snapshot *a);
void iface_aggr_walk(struct iface *ifc, iface_aggr_fn fn, void *arg);

/* Restores applied to a host / come too late (host gone): all
 * interfaces, for get/ntopng/redis.lua.  Any thread. */
void iface_restore_stats(uint64_t *merged, uint64_t *late);

#endif
