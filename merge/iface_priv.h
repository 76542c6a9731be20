/*
 * iface_priv.h - the layout of struct iface, private to merge/: every
 * other module holds a struct iface only by pointer and reads it through
 * the accessors of merge/iface.h (iface_id(), iface_stats(), ...), so that
 * the tables can change without touching a sink, the REST layer or main.
 *
 * Included by the files of merge/; outside merge/ only by sources/historical.c
 * (the Historical loader fills its interface's tables directly: tables_init,
 * tables_fini, ifc->stats, ifc->ndpi) and by the white-box unit tests of
 * tests/unit/.  tests/e2e/layering.sh (R4) keeps it so.
 */
#ifndef MERGE_IFACE_PRIV_H
#define MERGE_IFACE_PRIV_H

#include <pthread.h>
#include <stdint.h>

#include "merge/health.h"
#include "merge/iface.h"
#include "merge/strtab.h"
struct iface {
	int id;	      /* ifid: 0, 1, ... */
	char *name;   /* display name ("branch1", else ifname) */
	char *ifname; /* the inputs as REST shows them: pcap
		       * file names without directories, the
		       * device of a live capture, else as
		       * given (rest-api.md 4.1) */
	char *spec;   /* -i text without "name=", whole
		       * (iface_spec()) */
	int named;    /* name came from "name=" */
	const struct prefs *prefs;
	/* the local networks hosts are classified by: prefs' at first, a
	 * SIGHUP reload's later (iface_set_local_nets); owner thread */
	const struct netlist *local_nets;
	int core;	/* -g: the CPU core the owner thread is bound to, or -1;
			 * set before start (iface_set_core) */
	int bound_core; /* the core it is bound to: -g's, or the one it keeps
			 * with --workers (common/cpus.h), or -1; set by
			 * iface_start before the thread starts */

	/* sources, polled by the owner; they hand their records to sink
	 * (iface_packet, iface_flow_update, iface_flow_prefetch on this) */
	struct source *sources[IFACE_MAX_SOURCES];
	struct rec_sink sink;
	int n_sources;
	int inputs_ended; /* every (offline) source is exhausted */
	/* disabled at run time (iface_set_enabled()): the sources are
	 * suspended (or not read), the tables kept and frozen.  Written by
	 * the owner (main before iface_start), read by anyone: __atomic_* */
	int disabled;
	uint64_t started_ms; /* wall clock at start */
	uint64_t clock_ms;   /* current time of the interface: packet time for
				pcap files */
	/* Each source's own clock (its latest packet or update time) and the
	 * source whose records are being accounted now (the owner sets it
	 * before each read): a merged interface purges an entry by the clock
	 * of the source that fed it (tables_purge_sources()). */
	uint64_t source_clock_ms[IFACE_MAX_SOURCES];
	uint8_t cur_source;
	uint8_t held;	  /* iface_hold(): the sources' readers are paused */
	uint64_t wall_ms; /* wall clock, refreshed once per loop */
	uint64_t next_export_ms; /* -I: when this node's flows go out next */

	/* tables */
	struct flow **flow_buckets;
	uint32_t flow_mask;
	struct flow *flow_head, *flow_tail; /* LRU by last seen */
	uint32_t num_flows, max_flows;
	struct objpool flow_pool, host_pool; /* their entries (owner only) */
	/* a flow without traffic or update for flow_idle_ms is purged: 60 s,
	 * or longer when the probes' events say so (probe_idle_ms, the
	 * largest of their zmqc_peer_max_idle(), found each second) */
	uint64_t flow_idle_ms, probe_idle_ms;
	struct host **host_buckets;
	uint32_t host_mask;
	struct host *host_head, *host_tail;
	uint32_t num_hosts, num_local_hosts, max_hosts;
	uint32_t num_act_hosts; /* hosts with an activity map */
	/* what iface_flow_prefetch() (iface_packet_prefetch()) found for
	 * the updates (packets) that follow it, in order; dropped at the
	 * first one that is not the next, and whenever a flow is freed */
	struct iface_flow_hint {
		const void *u;	/* the update or the packet */
		struct flow *f; /* NULL: not there yet */
		uint32_t hv;	/* its key's hash (packets) */
		uint8_t c2s;
		uint8_t keyed; /* hv is set (packets) */
	} pf[IFACE_PREFETCH_MAX];
	int pf_n, pf_next;
	struct mac **mac_buckets;
	uint32_t mac_mask;
	struct mac *mac_head, *mac_tail;
	uint32_t num_macs, max_macs;
	uint32_t next_flow_id, next_host_id;
	/* out-of-line memory of the tables (docs/memory.md): the flows'
	 * interned info strings, and the bytes of every other block the
	 * entries own (flow_ext, additional fields, nDPI flow state, host L7
	 * arrays, names, GeoIP data, activity maps), kept as they are
	 * allocated and freed; tables_mem() adds the pools and buckets */
	struct strtab info_strs;
	uint64_t heap_mem;
	/* the hosts' blocks (L7 arrays, names, GeoIP data, activity maps):
	 * added as a host is made, taken away as it is freed, and counted
	 * again by tables_mem_sync() (an L7 entry, a name or an activity
	 * hour added since is only counted then) */
	uint64_t host_heap;
	uint64_t max_mem; /* --max-memory's share of this interface, bytes
			   * (0: no budget) */

	struct iface_origin origins[IFACE_MAX_ORIGINS];
	int n_origins; /* origins[0] is always this node */
	/* Hierarchies: how long after a flow's last packet (its last_ms at
	 * the origin) its update got here, in 10 ms steps up to 10 s
	 * (docs/hierarchy.md); updates older than a minute (replayed
	 * captures) are not counted. */
	uint32_t latency_hist[IFACE_LATENCY_SLOTS + 1];
	uint64_t latency_samples, latency_max_ms;

	/* VLANs seen: vlans[vlan_idx[id] - 1] (vlan_idx 0: not seen yet) */
	uint16_t *vlan_idx; /* [4096], allocated at the first frame */
	struct iface_vlan *vlans;
	uint32_t n_vlans, cap_vlans;

	/* ASes and countries of the hosts (merge/geo_tables.c): arrays,
	 * the AS one found through an open-addressing index by ASN (slot =
	 * 1 + array index), the country one by cc_idx[letter pair] */
	struct iface_geo *asns, *countries;
	uint32_t n_asns, cap_asns, n_countries, cap_countries;
	uint32_t *asn_index, asn_index_mask;
	uint16_t *cc_index; /* [26 * 26 + 1], 1 + index, 0 none */
	/* the entries of the hosts not located (AS 0, country ""): 1 +
	 * index, 0 before the first such host */
	uint32_t as0_idx, cc0_idx;

	struct iface_l7 *l7; /* dense array [n_l7] indexed by nDPI id */
	uint32_t n_l7;
	struct iface_stats stats;
	struct aggr_table *aggr; /* -A aggregations (merge/aggr.c), or NULL */
	/* engaged alerts (merge/alerts.c), NULL until the first alert */
	struct alert_table *alerts;
	/* source, msg-drop and table-limit alerts (merge/health.c) */
	struct health health;
	struct health_src health_src[IFACE_MAX_SOURCES];
	struct alert_thr_set *thr; /* threshold rules (merge/alerts_thr.c) */

	/* nDPI module, owned by this interface's thread */
	struct ndpi_detection_module_struct *ndpi;
	/* --workers N > 1: the detection helpers (merge/dpiw.h), or NULL */
	struct dpiw *dpiw;

	/* sinks (merge/sink.h): set on main before the owner starts, read
	 * by the owner only; the want_* flags say whether any sink takes a
	 * kind of record, so that nobody builds one for nobody */
	struct iface_sink {
		const struct iface_sink_ops *ops;
		void *ctx;
	} sinks[IFACE_MAX_SINKS];
	int n_sinks;
	uint8_t want_expired, want_exported, want_host_new, want_host_purged;
	struct names_cache *names; /* names from DNS answers (merge/names.c) */
	/* host restores waiting for the owner (iface_host_restore), under
	 * mbox_lock; restores_pending: __atomic_*, 1 when the list is not
	 * empty (one load per loop turn) */
	struct iface_restore *restores;
	int restores_pending;

	/* mailbox */
	pthread_mutex_t mbox_lock;
	pthread_cond_t mbox_cond; /* signalled when a query is done or posted */
	struct iface_query *mbox_head;
	int wake_fd; /* eventfd: readable when the mailbox has work */

	pthread_t thread;
	/* the thread that owns the tables now (IFACE_ASSERT_OWNER): the ifN
	 * thread while it runs, the creator of a detached interface; no
	 * check while owner_set is 0 (main setting up or tearing down) */
	pthread_t owner;
	int owner_set; /* __atomic_* */
	int running;   /* __atomic_* only: read by the owner,
			* written by iface_start/iface_stop */
};

/*
 * IFACE_ASSERT_OWNER(ifc): the caller is the interface's owner thread.
 * Every owner-only entry point (accounting, housekeeping, lookups, the
 * tables_* functions) starts with it.  IFACE_ASSERT_NOT_OWNER: iface_query
 * is not called by a running owner thread (it would wait for itself).  Built in
 * with -DIFACE_OWNER_CHECKS (configure --enable-owner-checks, on with
 * --enable-sanitizers, so CI runs the whole suite with it); otherwise it is
 * nothing.
 */
#ifdef IFACE_OWNER_CHECKS
#include <assert.h>
#define IFACE_ASSERT_OWNER(ifc)                                                \
	assert(!__atomic_load_n(&(ifc)->owner_set, __ATOMIC_ACQUIRE) ||        \
	       pthread_equal(pthread_self(), (ifc)->owner))
#define IFACE_ASSERT_NOT_OWNER(ifc)                                            \
	assert(!__atomic_load_n(&(ifc)->running, __ATOMIC_ACQUIRE) ||          \
	       !__atomic_load_n(&(ifc)->owner_set, __ATOMIC_ACQUIRE) ||        \
	       !pthread_equal(pthread_self(), (ifc)->owner))
#else
#define IFACE_ASSERT_OWNER(ifc) ((void)0)
#define IFACE_ASSERT_NOT_OWNER(ifc) ((void)0)
#endif

#endif
