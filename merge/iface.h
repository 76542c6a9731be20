/*
 * iface.h - an interface: the tables (flows, hosts, MACs, L7 counters)
 * that merge the records of all its sources, and the thread that owns them.
 *
 * Threads: each interface has one owner thread (started by iface_start).
 * Only the owner reads or writes the tables.  Every other thread (REST,
 * Lua, exporter timers) asks through iface_query(): it posts a closure to
 * the owner's mailbox and waits; the owner runs it between two batches of
 * packets and so no lock protects any table.
 *
 * Accounting rules (docs/accounting.md):
 *  - interface packets/bytes: every frame, bytes = frame length on the wire
 *    (no +24 bytes per packet as upstream adds on packet interfaces);
 *  - a flow's bytes: the whole frame length of each of its packets
 *    (a tunnelled packet counts to its inner flow);
 *  - a host's bytes: the sum of its flows' bytes, sent and received;
 *  - L7: a flow's bytes count to its current protocol; when detection
 *    changes the protocol, the bytes already counted move with it, so the
 *    per-protocol totals always add up to the bytes of the IP flows.
 */
#ifndef MERGE_IFACE_H
#define MERGE_IFACE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "dpi/os.h"
#include "common/objpool.h"
#include "merge/record.h"

struct activity;

struct ndpi_flow_struct;
struct ndpi_detection_module_struct;
struct iface_sink_ops;
struct iface_restore;
struct pkt;
struct prefs;
struct source;
struct geo_info;

/* Per-direction or per-entity counters. */
struct counters {
	uint64_t bytes_sent, bytes_rcvd;
	uint64_t pkts_sent, pkts_rcvd;
};

/* A 48-bit unsigned number in 6 bytes (2-byte aligned): the packet
 * counters and times of a host's L7 entry (docs/memory.md).  u48_set()
 * and u48_add() saturate at U48_MAX rather than wrap. */
#define U48_MAX ((1ULL << 48) - 1)

struct u48 {
	uint16_t w[3];
};

static inline uint64_t
u48_get(const struct u48 *v)
{
	return (uint64_t)v->w[0] | (uint64_t)v->w[1] << 16 |
	       (uint64_t)v->w[2] << 32;
}

static inline void
u48_set(struct u48 *v, uint64_t x)
{
	if (x > U48_MAX)
		x = U48_MAX;
	v->w[0] = (uint16_t)x;
	v->w[1] = (uint16_t)(x >> 16);
	v->w[2] = (uint16_t)(x >> 32);
}

static inline void
u48_add(struct u48 *v, uint64_t x)
{
	uint64_t c = u48_get(v);

	u48_set(v, x > U48_MAX - c ? U48_MAX : c + x);
}

static inline void
u48_sub(struct u48 *v, uint64_t x)
{
	uint64_t c = u48_get(v);

	u48_set(v, c >= x ? c - x : 0);
}

/* L7 counters of one protocol inside a host (small sparse array), 48
 * bytes: the byte counters 64-bit, the packet counters and the times
 * (ms) 48-bit, saturating (2^48 packets: 219 days of one protocol of one
 * host at 10 Gbit/s of 64-byte frames; 2^48 ms: the year 10889). */
struct host_l7 {
	uint64_t bytes_sent, bytes_rcvd;
	uint32_t num_flows; /* flows of this protocol the host took part in */
	uint16_t proto;	    /* nDPI protocol id (app if known, else master) */
	struct u48 pkts_sent, pkts_rcvd;
	struct u48 first_ms, last_ms;
};

/* Its counters as 64-bit ones. */
static inline struct counters
host_l7_counters(const struct host_l7 *e)
{
	struct counters c;

	c.bytes_sent = e->bytes_sent;
	c.bytes_rcvd = e->bytes_rcvd;
	c.pkts_sent = u48_get(&e->pkts_sent);
	c.pkts_rcvd = u48_get(&e->pkts_rcvd);
	return c;
}

/* L7 counters of one protocol in an interface (dense, indexed by id). */
struct iface_l7 {
	uint64_t bytes, pkts;		 /* both directions */
	uint64_t bytes_sent, bytes_rcvd; /* client->server / server->client */
	uint64_t pkts_sent, pkts_rcvd;
	uint32_t active_flows; /* flows currently of this protocol */
	uint64_t total_flows;  /* flows ever counted to this protocol */
	uint64_t first_ms, last_ms;
};

/*
 * Hosts and flows are laid out by use in 64-byte "lines": what the
 * accounting of every packet or flow update touches sits in the first
 * lines (TABLES_HOT_LINES_*), so that a lookup plus an update reads few
 * cache lines, and iface_flow_prefetch() can ask for just those.  Keep
 * the hot fields where the comments say: a field added to a hot line must
 * fit (tables.c checks the offsets at compile time).  The pools hand them
 * out 8-byte aligned (232 and 304 bytes, not 256 and 448: docs/memory.md),
 * so a line may straddle two cache lines.  What only some entries need
 * lives out of line (struct flow_ext, the L7 array, names ...).
 */
struct host {
	/* line 0: what every packet or update of the host adds to */
	struct counters c; /* all traffic */
	uint64_t seen_ms;  /* interface clock at the last packet/update (idle
			      purge) */
	uint64_t last_ms;
	struct host_l7 *l7; /* heap, n_l7 used of cap_l7 */
	uint16_t n_l7, cap_l7;
	uint8_t is_local; /* in a -m network */
	uint8_t source;	  /* index of the source that fed it last
			   * (whose clock seen_ms is on) */
	uint8_t origin1;  /* 1 + the one origin it has flows of, 0: none or
			   * more than one (then x->origins): host_origins() */
	/* line 1: TCP and UDP traffic (ICMP on line 2; the rest is not kept
	 * apart: host_other()) */
	struct counters tcp; /* at 64 without an aligned(): no tail padding */
	struct counters udp, icmp;
	/* from line 2's second half on: the key, lists and what changes
	 * seldom */
	struct host *hnext; /* hash chain */
	struct ipaddr ip;
	uint16_t vlan;
	uint8_t mac[6];
	int16_t local_net;  /* index in prefs local_nets, -1 */
	uint8_t name_rank;  /* where name came from: NAME_* of merge/names.h */
	uint8_t name_asked; /* given to the resolver (merge/names.c) */
	uint32_t id;	    /* serial number within the interface */
	struct os_verdict os; /* passive OS detection (dpi/os.h) */
	struct host *prev,
		*next; /* list of all hosts, least recently seen first */
	uint64_t first_ms;
	uint32_t active_flows_cli, active_flows_srv;
	uint64_t total_flows_cli, total_flows_srv;
	uint64_t thpt_last_bytes, thpt_last_pkts;
	float thpt_bps, thpt_pps; /* bytes/s, packets/s */
	char *name;		  /* best name known (heap) or NULL */
	struct host_ext *x;	  /* what few hosts have (heap), or NULL */
	/* GeoIP (merge/geo_tables.c): what the databases said when the host
	 * was created (heap, NULL: not located), with its entries in the AS
	 * and country tables (not located: the interface's "unknown" ones) */
	struct geo_info *geo;
};

/* A host's traffic other than TCP, UDP and ICMP: every byte and packet
 * of a host counts to its totals and to one of these four, so the fourth
 * is what the totals have beyond the other three (0 where a restored
 * snapshot did not add up). */
static inline uint64_t
host_other_one(uint64_t all, uint64_t tcp, uint64_t udp, uint64_t icmp)
{
	uint64_t known = tcp + udp + icmp;

	return all >= known ? all - known : 0;
}

static inline struct counters
host_other(const struct host *h)
{
	struct counters o;

	o.bytes_sent = host_other_one(h->c.bytes_sent, h->tcp.bytes_sent,
				      h->udp.bytes_sent, h->icmp.bytes_sent);
	o.bytes_rcvd = host_other_one(h->c.bytes_rcvd, h->tcp.bytes_rcvd,
				      h->udp.bytes_rcvd, h->icmp.bytes_rcvd);
	o.pkts_sent = host_other_one(h->c.pkts_sent, h->tcp.pkts_sent,
				     h->udp.pkts_sent, h->icmp.pkts_sent);
	o.pkts_rcvd = host_other_one(h->c.pkts_rcvd, h->tcp.pkts_rcvd,
				     h->udp.pkts_rcvd, h->icmp.pkts_rcvd);
	return o;
}

/*
 * What only some hosts need, out of line (allocated at the first field
 * set, freed with the host; docs/memory.md): a local host's activity map
 * and time-series marks, risk scores, the -k verdict.  host_ext_ro()
 * reads it (zeros when absent); tables_host_ext() makes it.
 */
struct host_ext {
	struct activity *act; /* local hosts: 1-s activity map (heap), or
			       * NULL (merge/activity.h) */
	/* the byte counters at the last time series snapshot of the RRD
	 * sink (the snapshot carries what they grew since); a restore
	 * (iface_host_restore) moves them with the old traffic it adds,
	 * which is in the series already */
	uint64_t ts_sent, ts_rcvd;
	/* the scores of its flows' risks (dpi/risk.h), as client and as
	 * server: added once per risk a flow gets, never taken back */
	uint64_t score_cli, score_srv;
	uint32_t httpbl; /* -k verdict: NAMES_HTTPBL_* (merge/names.h) */
	/* bit i: has flows of origin i, once it has flows of two or more
	 * (0 before: host->origin1) */
	uint64_t origins;
};

static inline const struct host_ext *
host_ext_ro(const struct host *h)
{
	static const struct host_ext none;

	return h->x != NULL ? h->x : &none;
}

/* The bytes of its flows while their L7 was Unknown, sent and
 * received (REST's bytes.ndpi.unknown): its Unknown L7 entry's (nDPI's
 * id 0), stopping at INT64_MAX like every byte counter.  An entry the
 * host could not get (out of memory) counts nothing here either. */
static inline uint64_t
host_unknown_bytes(const struct host *h)
{
	uint16_t i;

	for (i = 0; i < h->n_l7; i++)
		if (h->l7[i].proto == 0) {
			uint64_t s = h->l7[i].bytes_sent,
				 r = h->l7[i].bytes_rcvd;

			return s >= (uint64_t)INT64_MAX ||
					       r >= (uint64_t)INT64_MAX - s
				       ? (uint64_t)INT64_MAX
				       : s + r;
		}
	return 0;
}

/* Bit i: host h has flows of origin i (IFACE_MAX_ORIGINS is 64). */
static inline uint64_t
host_origins(const struct host *h)
{
	if (h->origin1 != 0)
		return 1ULL << (h->origin1 - 1);
	return host_ext_ro(h)->origins;
}

struct flow {
	/* line 0: the key, read by every lookup */
	struct flow *hnext;
	uint32_t hash;
	uint16_t vlan;
	uint8_t l4_proto;
	uint8_t origin;		/* index in ifc->origins (part of the key) */
	struct ipaddr cli, srv; /* client: sender of the first packet,
				 * unless it was the server's (SYN-ACK,
				 * lower to higher port: accounting.md) */
	uint16_t cli_port, srv_port;
	uint8_t ip_version;
	uint8_t cli_l7_idx,
		srv_l7_idx; /* 1 + index of the hosts' L7 entry, 0 unknown */
	uint8_t collected;  /* fed by flow updates, not packets */
	/* line 1: what every packet or update adds to */
	struct host *cli_host, *srv_host;
	uint64_t first_ms, last_ms;
	uint64_t seen_ms; /* interface clock at the last packet/update (idle
			     purge) */
	uint64_t c2s_bytes, s2c_bytes;
	uint16_t l7_master, l7_app; /* nDPI ids (0 = Unknown) */
	uint16_t l7_counted;	    /* protocol its bytes are counted under */
	uint8_t c2s_tcp_flags, s2c_tcp_flags;
	/* line 2 */
	uint64_t c2s_pkts, s2c_pkts;
	uint8_t detection_done; /* 1 once L7 is final */
	uint8_t guessed;	/* L7 came from nDPI's guess */
	uint8_t tunnel;		/* enum tunnel_type seen on its packets */
	uint8_t tos;
	uint16_t category;  /* ndpi_protocol_category_t */
	uint16_t ndpi_pkts; /* packets given to nDPI so far */
	/* SNI / HTTP host / DNS query or NULL: interned, shared by the
	 * flows that name the same (merge/strtab.h) */
	const char *info;
	struct flow *prev,
		*next;	/* list of all flows, least recently seen first */
	uint32_t id;	/* serial number (hash_id in REST) */
	uint8_t source; /* index of the source that fed it last
			 * (whose clock seen_ms is on) */
	uint8_t aggr;	/* -A: AGGR_FLOW_* of merge/aggr.h (0: not yet) */
	uint8_t has_dw; /* --workers: the union below holds dw */
	union {
		/* owned; freed when detection is done */
		struct ndpi_flow_struct *ndpi;
		/* --workers: the detection state of a flow of a helper's
		 * shard (merge/dpiw.h), which holds its nDPI state */
		struct dpiw_state *dw;
	};
	/* line 3: seldom touched */
	struct flow_ext *ext; /* what few flows have (heap), or NULL */
	uint64_t risk; /* nDPI risk bitmap (dpi/risk.h), set when detection
			* ends */
	uint64_t thpt_last_bytes, thpt_last_pkts;
	float thpt_bps, thpt_pps; /* bytes/s, packets/s */
};

/*
 * What only some flows need, out of line (allocated at the first field
 * set, freed with the flow; docs/memory.md): collected flows' exporter
 * data and additional fields, the -I exporter's progress, hierarchies'
 * sequence numbers.  flow_ext_ro() reads it (zeros when absent).
 */
struct flow_ext {
	char *extra; /* the latest update's additional fields (JSON object
		      * text, heap) or NULL */
	struct ipaddr exporter; /* device that saw it (v = 0: none) */
	uint32_t sampling; /* counters were scaled by this (0: not sampled) */
	uint32_t in_ifindex, out_ifindex;
	/* what the -I exporter has already sent of this flow */
	uint64_t exp_c2s_bytes, exp_s2c_bytes, exp_c2s_pkts, exp_s2c_pkts;
	/* hierarchies (docs/hierarchy.md, "Convergence"): the highest
	 * origin sequence number applied to this collected flow, and the
	 * one the last snapshot applied covers (deltas numbered up to it are
	 * in the snapshot's totals already) */
	uint64_t seq, cover;
};

static inline const struct flow_ext *
flow_ext_ro(const struct flow *f)
{
	static const struct flow_ext none;

	return f->ext != NULL ? f->ext : &none;
}

/* One origin node seen by a merged interface (index 0: this node's own
 * traffic and probes that are not nodes). */
#define IFACE_MAX_ORIGINS 64
#define IFACE_DEDUP_WINDOW 4096 /* sequence numbers remembered per origin */
struct iface_origin {
	char id[65];
	char path[256]; /* the last site path it came by */
	uint64_t updates, bytes, pkts;
	uint64_t duplicates; /* same origin_seq seen again (mesh) */
	uint64_t last_ms;
	uint64_t max_seq;
	uint64_t seen[IFACE_DEDUP_WINDOW / 64]; /* bitmap of recent seqs */
	uint64_t thpt_last_bytes;
	double thpt_bps; /* bytes/s */
	/* convergence and liveness (docs/hierarchy.md) */
	uint64_t flows;	       /* flows of this origin created here */
	uint64_t snap_records; /* snapshot records that set a flow */
	uint64_t snap_stale;   /* ... that were older than what we had */
	uint64_t covered;      /* deltas refused: already in a snapshot */
	/* what the origin itself declares in its events (a direct peer) */
	uint64_t start_ms, last_event_ms, uptime_s;
	uint32_t interval_s;
	char version[32];
	uint64_t restarts;	 /* its start time changed */
	uint64_t orphaned_flows; /* its flows here when it restarted */
	uint64_t decl[3];	 /* flows, bytes, packets of this run */
	uint64_t base[3];	 /* ours when this run was first seen */
	uint64_t missed_prev[3]; /* missed of its earlier runs */
	uint64_t missed[3];	 /* missed_expired: declared, never got */
};

/* Traffic of one VLAN (0: untagged frames), kept since the start:
 * every frame counts to the VLAN of its outermost tag, so the VLANs'
 * bytes add up to the interface's bytes (docs/accounting.md). */
struct iface_vlan {
	uint16_t vlan;
	uint64_t packets, bytes; /* every frame (collected: every update) */
	uint64_t bytes_sent,
		bytes_rcvd; /* IP, client->server / server->client */
	uint64_t pkts_sent, pkts_rcvd;
	uint64_t first_ms, last_ms;
	uint64_t thpt_last_bytes;
	double thpt_bps; /* bytes/s */
};

/* One AS (asn, name) or one country (code) of an interface: its hosts
 * now, and the traffic of every host it had (merge/geo_tables.c). */
struct iface_geo {
	uint32_t asn;	    /* AS table: 0 = hosts without an AS */
	char code[4];	    /* country table: ISO code, "" = unknown */
	char name[96];	    /* AS name ("Unknown" for AS 0) */
	uint32_t num_hosts; /* active hosts in it */
	/* its hosts' traffic: gone_* of the hosts freed, plus the counters
	 * of its hosts in memory at the last recount (tables_geo_sync_all) */
	uint64_t bytes_sent, bytes_rcvd, pkts_sent, pkts_rcvd;
	uint64_t gone_sent, gone_rcvd, gone_psent, gone_prcvd;
	uint64_t first_ms, last_ms;
	uint64_t thpt_last_bytes;
	double thpt_bps; /* bytes/s */
};

struct mac {
	struct mac *hnext;
	struct mac *prev, *next;
	uint8_t addr[6];
	uint16_t vlan;
	uint64_t first_ms, last_ms;
	struct counters c;
	uint64_t arp_sent, arp_rcvd;
	uint32_t num_hosts;
	uint8_t source;	 /* source that fed it last */
	uint8_t dhcp_os; /* enum os_type its DHCP options named, 0 none */
};

struct iface_stats {
	uint64_t packets, bytes; /* every frame */
	uint64_t ip_packets, ip_bytes;
	uint64_t non_ip_packets, non_ip_bytes; /* ARP, STP, LLC ... */
	uint64_t arp_packets, arp_bytes;
	uint64_t bad_packets;	/* frames the decoder refused */
	uint64_t drops;		/* capture drops (pcap_stats) */
	uint64_t filtered;	/* not counted: refused by -B (informational) */
	uint64_t flows_dropped; /* new flows refused: table full (-X) */
	/* --max-memory (docs/memory.md): flows expired early to make room,
	 * idle hosts freed early, new flows refused for want of it */
	uint64_t flows_evicted, hosts_evicted, flows_refused_mem;
	uint64_t hosts_dropped; /* new hosts refused: table full (-x) */
	uint64_t macs_dropped;
	uint64_t flows_purged, hosts_purged, macs_purged;
	uint64_t total_flows, total_hosts;   /* ever created */
	uint64_t local2remote, remote2local; /* bytes */
	uint64_t tcp_retransmissions, tcp_out_of_order, tcp_lost;
	uint64_t updates_refused; /* flow updates refused (bad, table full) */
	uint64_t loops_refused;	  /* updates whose site path holds this node */
	uint64_t
		duplicates_refused; /* updates seen over another path already */
	uint64_t thpt_last_bytes, thpt_last_pkts, thpt_last_ms;
	double thpt_bps, thpt_pps; /* bytes/s, packets/s */
	uint64_t score;	      /* sum of every flow risk's score (dpi/risk.h) */
	uint64_t risky_flows; /* flows that got at least one risk */
};

/* A closure run by the owner thread on behalf of another thread. */
struct iface;
typedef void (*iface_query_fn)(struct iface *ifc, void *arg);

struct iface_query {
	iface_query_fn fn;
	void *arg;
	int done; /* set by the owner under mbox_lock */
	struct iface_query *next;
};

#define IFACE_MAX_SOURCES 32
#define IFACE_MAX_SINKS 8 /* iface_add_sink() (merge/sink.h) */
#define IFACE_LATENCY_SLOTS                                                    \
	1000 /* 10 ms each: 0..10 s, then one overflow slot */

#define IFACE_PREFETCH_MAX 64 /* updates per iface_flow_prefetch() */

/* struct iface itself is private to merge/ (merge/iface_priv.h); the
 * accessors below are what the rest of the node reads of it. */

/* ---- lifecycle (main thread) ---- */

/* Creates an interface from one -i argument ("spec" or "name=spec"),
 * opening its sources.  Returns NULL with the cause logged. */
struct iface *iface_new(int id, const char *arg, const struct prefs *p);
/* An interface without sources or owner thread, for benchmarks and tests:
 * tables, nDPI and L7 totals ready for iface_packet()/iface_flow_update()
 * on the caller's thread.  NULL on failure. */
struct iface *iface_new_detached(const char *name, const struct prefs *p);
void iface_free(struct iface *ifc);
/* The -i text of the interface without "name=", paths whole
 * ("/some/dir/test_01.pcap,tcp://..."): what identifies its inputs, where
 * ifname is only their short label.  Any thread (set before start). */
const char *iface_spec(const struct iface *ifc);
/* What storage keys the interface by (docs/storage.md): the name the user
 * gave with "name=", else the whole -i text (two pcaps of the same file
 * name in other directories stay apart).  Any thread (set before start). */
const char *iface_identity(const struct iface *ifc);
/* What the rest of the node reads of an interface (struct iface is
 * merge/'s).  Any thread: id, name and prefs are set before start and
 * never change; inputs_ended and flow_idle_ms are atomic. */
int iface_id(const struct iface *ifc);
const char *iface_name(const struct iface *ifc);
const struct prefs *iface_prefs(const struct iface *ifc);
/* 1 once every (offline) input is exhausted. */
int iface_inputs_ended(const struct iface *ifc);
/* How long a flow may stay idle before it is purged (ms). */
uint64_t iface_flow_idle_ms(const struct iface *ifc);
/* The owner thread (inside iface_query), a detached interface's caller,
 * or main once the owner has stopped: the counters and table sizes. */
const struct iface_stats *iface_stats(const struct iface *ifc);
uint32_t iface_num_flows(const struct iface *ifc);
uint32_t iface_num_hosts(const struct iface *ifc);
uint32_t iface_num_macs(const struct iface *ifc);
/* A detached interface (benchmarks, tests): sets the wall clock that the
 * owner thread otherwise refreshes once per loop. */
void iface_set_wall_ms(struct iface *ifc, uint64_t wall_ms);
/* A detached interface about to be given an owner by iface_start()
 * (tests, fuzzers): frees its nDPI module and L7 totals, which the owner
 * thread sets up afresh (its own nDPI). */
void iface_detached_drop_dpi(struct iface *ifc);
/* -g: binds the owner thread to CPU core `core` (-1: not bound).  Main
 * thread, before iface_start(). */
void iface_set_core(struct iface *ifc, int core);
/*
 * SIGHUP with new local networks (-m): the owner thread switches to nl
 * and classifies its hosts again (is_local, local_net; new hosts use nl
 * too).  nl must stay valid until the interface is freed or switched
 * again.  Main thread, interface running; returns 0, or -1 when the
 * owner did not take the request in time (it then keeps the old list).
 */
int iface_set_local_nets(struct iface *ifc, const struct netlist *nl);
int iface_start(struct iface *ifc); /* starts the owner thread */
void iface_stop(struct iface *ifc); /* asks it to stop and joins */

/* What an interface's inputs are, from their kinds (merge/source.h):
 * the one answer to "is this interface live, offline or historical".
 * IFACE_IN_LIVE: at least one live input (purged by wall clock);
 * IFACE_IN_OFFLINE: at least one offline input (file, history: its own
 * clock); both: a mixed interface, each entry purged by the clock of the
 * source that fed it; IFACE_IN_HISTORICAL: the Historical interface (its
 * one input is the history loader).  Any thread (the sources are set
 * before start and their kinds never change). */
#define IFACE_IN_LIVE 1u
#define IFACE_IN_OFFLINE 2u
#define IFACE_IN_HISTORICAL 4u
unsigned iface_inputs(const struct iface *ifc);

/* ---- cross-thread access ---- */

/* Runs fn(ifc, arg) on the owner thread and waits for it (any thread
 * but the owner).  Returns 0 once fn has returned, or -1 when the owner
 * had not taken the query within timeout_ms: it is then withdrawn from
 * the mailbox and fn never runs, so arg is the caller's again at once.
 * A query the owner has already started is waited for to its end,
 * whatever the timeout. */
int iface_query(struct iface *ifc, iface_query_fn fn, void *arg,
		int timeout_ms);

/* ---- owner-thread API (used by sources and by query functions) ---- */

/* Accounts one decoded packet (or a non-IP / bad frame).  A sampled
 * packet (p->scale > 1, sFlow) counts as that many packets and bytes. */
void iface_packet(struct iface *ifc, const struct pkt *p, int decode_result);
/* Accounts one collected flow update.  Returns 0, or -1 when it was
 * refused (bad record, or the flow table full: counted). */
int iface_flow_update(struct iface *ifc, const struct flow_update *u);
/* A hint before iface_flow_update() of u[0..n-1], in that order: starts
 * loading what accounting them will touch (buckets, flows, hosts, their
 * L7 entries) so that the cache misses of the batch overlap instead of
 * coming one after the other.  Changes nothing; at most
 * IFACE_PREFETCH_MAX updates are looked at. */
void iface_flow_prefetch(struct iface *ifc, const struct flow_update *const *u,
			 int n);
/* The same hint before iface_packet() of p[0..n-1] (a source's batch of
 * decoded frames): flow buckets, flows, hosts, MAC buckets.  Changes
 * nothing; at most IFACE_PREFETCH_MAX packets are looked at. */
void iface_packet_prefetch(struct iface *ifc, const struct pkt *const *p,
			   int n);
/* Periodic work: throughput, idle purge.  now_ms = interface clock. */
void iface_housekeeping(struct iface *ifc, uint64_t wall_ms);

/* Lookups for queries. */
struct host *iface_host_find(struct iface *ifc, const struct ipaddr *ip,
			     uint16_t vlan);
struct flow *iface_flow_find_id(struct iface *ifc, uint32_t id);
const char *iface_l7_name(struct iface *ifc, uint16_t proto); /* "TLS" */
/* Writes "Master.App" or the single name into buf; returns buf. */
char *iface_flow_l7_name(struct iface *ifc, const struct flow *f, char *buf,
			 size_t len);
const char *iface_l7_breed(struct iface *ifc, uint16_t proto); /* "Safe" ... */
const char *iface_l7_category_name(struct iface *ifc, uint16_t proto);
int iface_l7_category(struct iface *ifc, uint16_t proto); /* nDPI category id */

/*
 * Disables (on = 0) or enables (on = 1) an interface at run time (seed
 * §1.2, set/interface/state.lua).  Disabled, its sources are suspended
 * (a live capture's handle, the ZMQ and UDP collector sockets are
 * closed; files and FIFO feeds are only left unread), and its tables
 * stay for viewing, frozen: no reads, no idle purge, no source-health
 * checks.  Enabled again, the sources reopen with the same specs.
 * Runs on the owner thread, through iface_query() (a call made before
 * iface_start() waits for the owner's first loop turn, up to 5 s).
 * Returns 0, or -1 with the reason in err (a source that cannot reopen,
 * e.g. a device after -U dropped the capture privilege: the interface
 * then stays disabled; or no answer in time).  Any thread but the owner.
 */
int iface_set_enabled(struct iface *ifc, int on, char *err, size_t errlen);
/* The same done by the caller itself: main (or the creator of a
 * detached interface) before iface_start(), e.g. the state kept from the
 * last run. */
int iface_set_enabled_unstarted(struct iface *ifc, int on, char *err,
				size_t errlen);
/* 1 unless disabled.  Any thread. */
int iface_enabled(const struct iface *ifc);

/* All interfaces of the node, in -i order (set by main before any
 * reader thread starts; read-only afterwards). */
extern struct iface **node_ifaces;
extern int node_n_ifaces;
extern uint64_t node_start_ms;
/* This node's id in hierarchies (--node-id, else kept in the data dir). */
extern char node_id[65];

/* 1 when the '>'-separated site path holds id. */
int iface_path_has(const char *path, const char *id);

#endif
