/*
 * query.h - the query layer: read-only questions over an interface's
 * tables, answered as jansson objects.  This is THE API by which
 * anything outside merge/ reads live tables: the REST handlers of
 * webui/ (through the one route table of webui/routes.c) and, later,
 * the Lua `interface` class, which will bind one method per builder
 * below.  It speaks in neutral terms (filters, sort key, page) and knows
 * nothing of HTTP.
 *
 * How to use it: pick a builder (query_b_*, the signature of
 * query_build_fn), fill its argument block (the struct named in its
 * comment; plain data, since query_run copies it) and call query_run();
 * the builder runs on the interface's owner thread, and out-fields such
 * as not_found come back in the caller's block.  Every walk of a live
 * table (hosts, flows, VLANs, ASes, countries, L7) lives in query.c; the
 * builders, thin wrappers of those walks, in query_build.c.
 *
 * Threads: every query_*() function that takes a struct iface and reads
 * its tables (all but query_run*, query_rows_page, query_iface_* and
 * the helpers at the end) must run on the interface's owner thread,
 * i.e. inside a builder given to query_run() (or a closure given to
 * iface_query()).  The json_t they return is owned by the caller;
 * jansson's reference counts are atomic, so the object may be handed
 * to another thread once built.
 */
#ifndef MERGE_QUERY_H
#define MERGE_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/addr.h"

struct iface;
struct host;
struct flow;

/* Timeout of query_run(): long, because a short one would fail queries
 * on a busy owner (a query the owner has started is always waited for). */
#define QUERY_TIMEOUT_MS 5000

/* A builder: runs on ifc's owner thread with the copy of its argument
 * block (NULL when the caller passed none); returns a new object, or
 * NULL (not found, with the block's not_found set, or out of memory). */
typedef json_t *(*query_build_fn)(struct iface *ifc, void *arg);

/*
 * Runs build(ifc, copy_of_arg) on the owner thread and stores its result
 * in *out (NULL if build returned NULL).  `arg` (arg_size bytes, may be 0)
 * is copied in before and copied back after the call, so build can leave
 * results in it; it must therefore not hold pointers to memory that may
 * go away (strings are kept in fixed arrays).  Returns 0, or -1 when the
 * owner did not take the query within QUERY_TIMEOUT_MS: it was then
 * withdrawn, build never runs, *out is NULL and nothing is left behind
 * (see iface_query()).  Any thread but the owner.
 */
int query_run(struct iface *ifc, query_build_fn build, void *arg,
	      size_t arg_size, json_t **out);
/* The same with another timeout (tests). */
int query_run_timeout(struct iface *ifc, query_build_fn build, void *arg,
		      size_t arg_size, json_t **out, int timeout_ms);

/* ---- the node's interfaces (any thread: these fields are set before
 * the HTTP server starts and never change) ---- */

int query_iface_count(void);
/* The i-th interface (0-based), or NULL. */
struct iface *query_iface_at(int i);
/* The interface whose id is `id`, or NULL. */
struct iface *query_iface_by_id(long id);
int query_iface_id(const struct iface *ifc);
/* The inputs as REST shows them (rest-api.md 4.1: pcap file names
 * without directories, the device of a live capture, else as given);
 * may be NULL. */
const char *query_iface_ifname(const struct iface *ifc);
/* The display name ("branch1", else ifname); may be NULL. */
const char *query_iface_name(const struct iface *ifc);
/* The -i text without "name=" (iface_spec()). */
const char *query_iface_spec(const struct iface *ifc);

/* ---- interface ---- */

/* The interface/data object (full, or the footer "summary" variant). */
json_t *query_iface_data(struct iface *ifc, int summary);
/* get/interface/sources.lua: one object per source of the interface
 * {index, kind, spec, state, records, bytes, errors} plus whatever the
 * source's describe() callback adds (docs/rest.md). */
json_t *query_iface_sources(struct iface *ifc);
/* The origin nodes of the interface's flows (hierarchies): id, last site
 * path, updates, bytes, packets, duplicates refused, last seen, rate. */
json_t *query_iface_origins(struct iface *ifc);
/* Set by the exporter (exporter/export.c) while -I runs: its endpoints
 * and reliable links, shown as hierarchy.export_links in interface data
 * (a hook, so that merge/ does not depend on exporter/).  Any thread. */
extern json_t *(*query_export_links)(void);
/* Index of origin `id` in ifc->origins, -1 when unknown ("" = any: -2). */
int query_origin_index(struct iface *ifc, const char *id);

/* ---- hosts ---- */

enum query_host_mode {
	QUERY_HOSTS_ALL = 0,
	QUERY_HOSTS_LOCAL,
	QUERY_HOSTS_REMOTE
};

enum query_host_sort {
	QHS_IP = 0,
	QHS_NAME,
	QHS_SINCE,
	QHS_LAST,
	QHS_VLAN,
	QHS_NUM_FLOWS,
	QHS_TRAFFIC,
	QHS_THPT,
	QHS_MAC,
	QHS_LOCAL_NETWORK,
	QHS_TRAFFIC_SENT,
	QHS_TRAFFIC_RCVD,
	QHS_TRAFFIC_UNKNOWN,
	QHS_FLOWS_CLI,
	QHS_FLOWS_SRV,
};

struct host_query {
	int mode;    /* enum query_host_mode */
	int version; /* 0 = any, 4, 6 */
	int vlan;    /* -1 = any */
	int sort;    /* enum query_host_sort */
	int desc;
	int per_page;	 /* < 0: every row */
	int page;	 /* 1-based */
	char origin[65]; /* "" = any; else a node id (hierarchies) */
	/* GeoIP filters (docs/geo.md): with has_asn, hosts of AS asn only (0:
	 * in no AS); with has_country, of country only ("": not located) */
	uint8_t has_asn, has_country;
	uint32_t asn;
	char country[4];
};

/* {"data":[rows], "totalRows":N}: rows as in REST host/active. */
json_t *query_hosts_list(struct iface *ifc, const struct host_query *q);
/* The host/data object (flat dotted keys, as upstream). */
json_t *query_host_data(struct iface *ifc, struct host *h);
/* Finds a host by "ip", "ip@vlan" or name (first in `vlan`).  NULL when
 * unknown.  Owner thread. */
struct host *query_host_lookup(struct iface *ifc, const char *key, int vlan);

/*
 * Every active host as a flat record and a string arena (no JSON object
 * per host): what the Lua class turns into the host tables of
 * lua-api.md 2.3 (summary and info levels).  0, or -1 when out of
 * memory (nothing left to free).  The caller frees with
 * query_host_flat_free() on any thread.  Owner thread.
 */
struct query_host_rec {
	/* all, tcp, udp, icmp, other: bytes sent, rcvd, packets sent, rcvd */
	uint64_t cnt[5][4];
	uint64_t first_s, last_s, duration, unknown_bytes;
	uint64_t total_flows_cli, total_flows_srv;
	uint32_t active_flows_cli, active_flows_srv;
	double thpt_bps, thpt_pps; /* bytes/s, packets/s */
	/* the address as stored: the reader formats it and derives its
	 * version and class (private, multicast, broadcast), so that the
	 * owner's walk copies and never formats */
	struct ipaddr ip;
	uint32_t name, net_name; /* arena offsets (0 = ""; net_name:
				  * UINT32_MAX when not in a local network) */
	int16_t local_net;	 /* -1: none */
	uint16_t vlan;
	uint8_t mac[6];
	uint8_t is_local;
	/* GeoIP (zeros and "" without databases) and passive OS */
	uint32_t asn, asname, city; /* asname, city: arena offsets */
	char country[4];
	double latitude, longitude;
	int os; /* upstream's enum (dpi/os.h) */
};
struct query_host_flat {
	struct query_host_rec *rec;
	size_t n;
	char *arena;
	size_t arena_len;
};
int query_hosts_flat(struct iface *ifc, struct query_host_flat *o);
void query_host_flat_free(struct query_host_flat *o);

/* ---- flows ---- */

enum query_flow_sort {
	QFS_BYTES = 0,
	QFS_CLIENT,
	QFS_SERVER,
	QFS_VLAN,
	QFS_PROTO_L4,
	QFS_L7,
	QFS_DURATION,
	QFS_THPT,
	QFS_FIRST_SEEN,
	QFS_LAST_SEEN,
	QFS_INFO,
	QFS_KEY,
};

#define QUERY_STR_MAX 256

struct flow_query {
	char host[QUERY_STR_MAX]; /* "" = any; "ip" / "ip@vlan" / name */
	int host_vlan;		  /* vlan of `host` when it has no @ */
	int vlan;		  /* -1 = any */
	int l4proto;		  /* -1 = any */
	char application[64];	  /* "" = any; name, id or "master.app" */
	int verbose;
	int sort; /* enum query_flow_sort */
	int desc;
	int per_page; /* < 0: every row */
	int page;
	int host_not_found; /* out: `host` names no active host */
	char origin[65];    /* "" = any; else a node id (hierarchies) */
};

/* {"data":[rows], "totalRows":N}, or NULL when q->host is unknown. */
json_t *query_flows_list(struct iface *ifc, struct flow_query *q);

/* One flow by its serial id (hash_id in REST) as a verbose flow/active
 * row plus packet and byte counters per direction, TCP flags, info and
 * category; NULL when no active flow has that id.  Owner thread. */
json_t *query_flow_details(struct iface *ifc, uint32_t id);

/*
 * The same selection as query_flows_list (q's filters; no sort, no
 * paging) as flat records and a string arena instead of jansson rows:
 * what the Lua class turns into tables without a JSON object per flow
 * (lua-api.md 8.4).  0, or -1 (q->host_not_found, or out of memory:
 * nothing left to free).  The caller frees with query_flow_flat_free()
 * on any thread.  Owner thread.
 */
struct query_flow_rec {
	uint32_t id; /* the serial (REST hash_id) */
	uint16_t cli_port, srv_port, vlan;
	uint8_t l4_proto, cli_local, srv_local;
	uint64_t c2s_bytes, s2c_bytes, c2s_pkts, s2c_pkts;
	uint64_t first_s, last_s, duration;
	double thpt_bps, thpt_pps;	   /* bytes/s, packets/s */
	uint32_t cli_ip, srv_ip, l7, info; /* offsets into the arena */
};
struct query_flow_flat {
	struct query_flow_rec *rec;
	size_t n;
	char *arena;
	size_t arena_len;
};
int query_flows_flat(struct iface *ifc, struct flow_query *q,
		     struct query_flow_flat *o);
void query_flow_flat_free(struct query_flow_flat *o);

/* ---- L7 ---- */

enum query_l7_group { QUERY_L7_PROTO = 0, QUERY_L7_BREED, QUERY_L7_CATEGORY };

struct l7_query {
	int group; /* enum query_l7_group */
};

/*
 * Per protocol (or breed, or category) counters of the interface, as an
 * object keyed by label: {"id", "breed", "category", "bytes.sent",
 * "bytes.rcvd", "packets.sent", "packets.rcvd", "packets" (both
 * directions; the interface table keeps no per-direction packet counts,
 * so there packets.sent/.rcvd are 0), "num_flows" (active),
 * "total_flows", "duration"}.  Only entries with traffic appear.
 */
json_t *query_l7_iface(struct iface *ifc, const struct l7_query *q);
/* Same for one host ("num_flows" = flows of that protocol). */
json_t *query_l7_host(struct iface *ifc, struct host *h,
		      const struct l7_query *q);

/* ---- VLANs ---- */

/* One row per VLAN seen (0: untagged frames), from the interface's VLAN
 * table: {vlan, num_hosts (active hosts of the VLAN), packets, traffic
 * (bytes of every frame of the VLAN), bytes_sent / bytes_rcvd and
 * packets_sent / packets_rcvd (IP, client->server / server->client),
 * non_ip_bytes (traffic - sent - rcvd: non-IP and undecodable frames),
 * throughput (bytes/s), seen_since, last_seen (epoch s)}. */
json_t *query_vlans(struct iface *ifc);

/* ---- flow counters, traffic, peer graph, contacts, ASes ---- */

/* get/flow/l4/counters.lua: [{id (IP protocol), count (active flows)}]
 * by id. */
json_t *query_flow_l4_counters(struct iface *ifc);
/* get/flow/l7/counters.lua: [{name, count}] sorted by name; a flow counts
 * under the protocol its bytes count to (as in l7/stats). */
json_t *query_flow_l7_counters(struct iface *ifc);
/* get/flow/traffic_stats.lua: {totBytesSent, totBytesRcvd} (client to
 * server, server to client) over the flows q selects (its paging and
 * sort are ignored); NULL with q->host_not_found when q->host is unknown. */
json_t *query_flow_traffic(struct iface *ifc, struct flow_query *q);
/* get/flow/graph.lua (rest-api.md 4.11): host pairs of the active flows
 * as {nodes, links, max_entries_reached}; with host, every pair that
 * involves it, else the pairs above 3 % of the traffic (the bar halved
 * until some pass); reverse pairs dropped; at most QUERY_GRAPH_MAX_NODES
 * nodes (then max_entries_reached is true).  NULL with *not_found when
 * host names no active host. */
#define QUERY_GRAPH_MAX_NODES 100
json_t *query_flow_graph(struct iface *ifc, const char *host, int vlan,
			 int *not_found);
/* get/host/l4/contacted_hosts_data.lua: {labels, series: [distinct peers
 * h contacted as client, as server], colors} from the active flows. */
json_t *query_host_contacts(struct iface *ifc, struct host *h);
/* get/asn/asn_info.lua: the AS table's entry of asn (0: the hosts in no
 * AS): {id, name, first_seen, last_seen, num_hosts, alerted_flows, score,
 * rtt, bytes_sent, bytes_rcvd, packets_sent, packets_rcvd}; NULL when the
 * interface has had no host in it. */
struct query_asn_arg {
	uint32_t asn;
};
json_t *query_asn_info(struct iface *ifc, uint32_t asn);
/* get/geo/hosts.lua, the map's markers: {hosts: [{ip, key, vlan, name,
 * lat, lon, country, city, asn, asname, bytes, localhost, origin}] of the
 * hosts with a location (at most QUERY_GEO_MAX_HOSTS), origins: [{id,
 * located_hosts}], truncated}. */
#define QUERY_GEO_MAX_HOSTS 5000
json_t *query_geo_hosts(struct iface *ifc);
json_t *query_b_geo_hosts(struct iface *ifc, void *arg);
/* Sets country, continent, city, latitude, longitude, asn, asname of h
 * in o (upstream's field names; "" / 0 when not located). */
void query_host_geo(json_t *o, const struct host *h);

/* ---- more tables ---- */

/* host/data of every active host, as an array (get/host/custom_data). */
json_t *query_hosts_data_all(struct iface *ifc);
/* The n_max (1..QUERY_MATRIX_MAX) top hosts by traffic and the bytes
 * each sent to each other: {hosts: [{ip, key, vlan, name, bytes}],
 * matrix: [[bytes from row host to column host]]}. */
#define QUERY_MATRIX_MAX 20
json_t *query_host_matrix(struct iface *ifc, int n_max);
/* The AS and country tables: one row per AS {asn, asname, num_hosts,
 * bytes_sent, bytes_rcvd, traffic, throughput, seen_since} (countries:
 * {country, name, ...}).  Without GeoIP every host is in the one
 * "Unknown" row (no row without hosts). */
json_t *query_asns(struct iface *ifc);
json_t *query_countries(struct iface *ifc);

/* ---- activity maps (query_activity.c, merge/activity.h) ---- */

/* getHostActivityMap: {"<epoch of minute>": active seconds in it} for
 * the minutes h was active in, over the 24 hours ending at the newest
 * hour any host was active in; {} for a host without a map (remote). */
json_t *query_host_activitymap(struct iface *ifc, struct host *h);
/* The same window by second: the active epoch seconds, ascending. */
json_t *query_host_activity_seconds(struct iface *ifc, struct host *h);
/* h's activity against every other host with a map: Pearson's r
 * (QUERY_CORR_PEARSON) or Jaccard's similarity, best first, at most max
 * (0: all).  rows: [{ip, key, vlan, name, value}]; else upstream's
 * object, {ip: r} for Pearson, {hostkey: J} for Jaccard. */
enum { QUERY_CORR_PEARSON = 0, QUERY_CORR_JACCARD = 1 };
json_t *query_host_correlation(struct iface *ifc, struct host *h, int method,
			       int max, int rows);

/* ---- builders for query_run(): arguments and functions ---- */

struct query_iface_arg {
	int summary; /* the footer's short variant */
};

/* A host by "ip", "ip@vlan" or name (first in vlan). */
struct query_host_arg {
	char host[QUERY_STR_MAX]; /* "" = none (graph: every host) */
	int vlan;
	struct l7_query lq; /* query_b_host_l7 */
	int not_found;	    /* out: host names no active host */
};

struct query_flow_arg {
	uint32_t id;   /* the flow's serial (hash_id) */
	int not_found; /* out */
};

/* get/host/correlation.lua */
struct query_corr_arg {
	struct query_host_arg h; /* the host (h.not_found out) */
	int method;		 /* QUERY_CORR_* */
	int max;		 /* rows at most, 1..100 */
};

struct query_matrix_arg {
	int max_hosts; /* 1..QUERY_MATRIX_MAX */
};

/* arg: struct query_iface_arg (or NULL): query_iface_data. */
json_t *query_b_iface_data(struct iface *ifc, void *arg);
/* no arg: query_iface_sources, query_iface_origins. */
json_t *query_b_iface_sources(struct iface *ifc, void *arg);
json_t *query_b_iface_origins(struct iface *ifc, void *arg);
/* arg: struct l7_query (or NULL): {ndpi: query_l7_iface(), arp_bytes,
 * num_flows}. */
json_t *query_b_l7_iface(struct iface *ifc, void *arg);
/* arg: struct host_query: query_hosts_list. */
json_t *query_b_hosts(struct iface *ifc, void *arg);
/* no arg: query_hosts_data_all. */
json_t *query_b_hosts_data(struct iface *ifc, void *arg);
/* arg: struct query_host_arg: query_host_data, `true`, query_l7_host
 * (with arg->lq), query_host_contacts of that host. */
json_t *query_b_host_data(struct iface *ifc, void *arg);
json_t *query_b_host_exists(struct iface *ifc, void *arg);
json_t *query_b_host_l7(struct iface *ifc, void *arg);
json_t *query_b_host_contacts(struct iface *ifc, void *arg);
/* arg: struct flow_query: query_flows_list, query_flow_traffic. */
json_t *query_b_flows(struct iface *ifc, void *arg);
json_t *query_b_flow_traffic(struct iface *ifc, void *arg);
/* arg: struct query_host_arg (host optional): query_flow_graph. */
json_t *query_b_flow_graph(struct iface *ifc, void *arg);
/* arg: struct query_flat_arg: query_flows_flat into out; returns true,
 * or NULL (q.host_not_found, or out of memory). */
struct query_flat_arg {
	struct flow_query q;
	struct query_flow_flat out; /* the caller's to free */
};
json_t *query_b_flows_flat(struct iface *ifc, void *arg);
/* arg: struct query_host_flat (out; the caller's to free):
 * query_hosts_flat; returns true, or NULL when out of memory. */
json_t *query_b_hosts_flat(struct iface *ifc, void *arg);
/* arg: struct query_l7_name_arg: the nDPI name and breed of one
 * protocol id (Lua getNdpiProtoName / getNdpiProtoBreed); returns true. */
struct query_l7_name_arg {
	uint16_t id;
	char name[64];	/* out */
	char breed[64]; /* out */
};
json_t *query_b_l7_name(struct iface *ifc, void *arg);
/* arg: struct query_flow_arg: query_flow_details. */
json_t *query_b_flow_details(struct iface *ifc, void *arg);
/* no arg: the flow counters, AS info, VLAN, AS and country tables. */
json_t *query_b_flow_l4_counters(struct iface *ifc, void *arg);
json_t *query_b_flow_l7_counters(struct iface *ifc, void *arg);
json_t *query_b_asn_info(struct iface *ifc, void *arg);
json_t *query_b_vlans(struct iface *ifc, void *arg);
json_t *query_b_asns(struct iface *ifc, void *arg);
json_t *query_b_countries(struct iface *ifc, void *arg);
/* arg: struct query_host_arg: query_host_activitymap (Lua
 * getHostActivityMap), query_host_activity_seconds, and upstream's
 * objects of query_host_correlation (Lua correlateHostActivity,
 * similarHostActivity: every host). */
json_t *query_b_host_activitymap(struct iface *ifc, void *arg);
json_t *query_b_host_activity_seconds(struct iface *ifc, void *arg);
json_t *query_b_host_correlate(struct iface *ifc, void *arg);
json_t *query_b_host_similar(struct iface *ifc, void *arg);
/* arg: struct query_corr_arg: query_host_correlation's rows. */
json_t *query_b_host_correlation(struct iface *ifc, void *arg);
/* arg: struct query_matrix_arg (or NULL: 10 hosts). */
json_t *query_b_host_matrix(struct iface *ifc, void *arg);
/* Host search (merge/query_find.c): up to max hosts whose IP, MAC, name,
 * AS name or country holds text (case-insensitive), as [{key, label, ip,
 * vlan, name, mac, match}].  Builder arg: struct query_host_arg with the
 * text in host and max in vlan (0: 10). */
json_t *query_host_find(struct iface *ifc, const char *text, int max);
json_t *query_b_host_find(struct iface *ifc, void *arg);

/* ---- helpers usable from any thread ---- */

/* ---- -A aggregations (merge/aggr.c, docs/aggregations.md) ----
 * family: 0 dns, 1 http, 2 os, -1 every family.  query_aggr_list: rows
 * {name, family, family_id, seen_first, seen_last, queries, flows,
 * bytes, num_contacts, contacts_dropped}, only the names host (an IP
 * text) contacted when given; an empty array when -A is 0.
 * query_aggr_one: the row of one name with its contacts [{ip, vlan,
 * local, count, seen_last}], or NULL.  query_aggr_families: {enabled,
 * families {dns:5,http:7,os:254}, counts {...}, num_aggregations,
 * max_aggregations, refused, purged, total}. */
json_t *query_aggr_list(struct iface *ifc, int family, const char *host);
json_t *query_aggr_one(struct iface *ifc, int family, const char *name);
json_t *query_aggr_families(struct iface *ifc);
/* The argument block of the aggregation builders. */
struct query_aggr_arg {
	int family;	/* -1: all */
	char name[256]; /* query_b_aggr_host: the name */
	char host[64];	/* query_b_aggr_hosts: only names this IP asked for */
	int not_found;	/* out */
};
/* getAggregatedHostsInfo([family[, host]]) */
json_t *query_b_aggr_hosts(struct iface *ifc, void *arg);
/* getAggregatedHostInfo(name) (not_found when unknown) */
json_t *query_b_aggr_host(struct iface *ifc, void *arg);
/* getAggregationFamilies() */
json_t *query_b_aggr_families(struct iface *ifc, void *arg);

/*
 * The pager of small lists (VLANs, ASes, countries), the same qsort_r
 * pager as the host and flow lists' (no sort key shared between
 * threads): sorts the rows (objects; stolen) by the member `key`
 * (numbers by value; strings, case-insensitively, when every row has
 * one there; desc reverses; equal rows keep their order) and returns a
 * new array of the rows of page `page` (1-based) of per_page (< 0: every
 * row); *total = number of rows.  NULL when out of memory.
 */
json_t *query_rows_page(json_t *rows, const char *key, int desc, int per_page,
			int page, size_t *total);

/* Seconds since the node started, as upstream's human string. */
char *query_uptime_fmt(uint64_t secs, char *buf, size_t len);
/* The UI key of a host: dots to "__", colons to "____", "@vlan". */
char *query_host_key(const struct ipaddr *ip, uint16_t vlan, char *buf,
		     size_t len);
/* "TCP", "UDP", "ICMP", ...; NULL-free. */
const char *query_l4_name(uint8_t proto);

#endif
