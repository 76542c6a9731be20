/*
 * names.h - host names: learnt from DNS answers seen in captured traffic,
 * hinted by the flows' SNI / HTTP Host, and asked of the resolver thread
 * (merge/resolver.c) for numeric addresses, per -n (docs/names.md).
 *
 * Ranking (a name replaces the host's name only when its rank is at
 * least the current one's): a DNS answer seen on the wire (NAME_DNS)
 * outranks a reverse (PTR) lookup of the resolver or its Redis cache
 * (NAME_PTR), which outranks a TLS SNI / HTTP Host seen on a flow to the
 * host (NAME_HINT); a name restored from the host cache has rank 0.
 *
 * Threads: everything here runs on the interface's owner thread, except
 * resolver_*() (main starts and stops the resolver; any owner posts).
 */
#ifndef MERGE_NAMES_H
#define MERGE_NAMES_H

#include <stdint.h>

#include "common/addr.h"

struct iface;
struct host;
struct flow;
struct pkt;
struct prefs;

enum name_rank {
	NAME_NONE = 0,
	NAME_HINT = 1, /* TLS SNI / HTTP Host of a flow served by the host */
	NAME_PTR = 2,  /* the resolver's reverse lookup (or its cache) */
	NAME_DNS = 3,  /* an A/AAAA/CNAME/PTR answer seen in the traffic */
};

/* struct host.httpbl: 0 not asked (or not a candidate); NAMES_HTTPBL_ASKED
 * while the lookup runs; NAMES_HTTPBL_CLEAN when not listed; a listed
 * address holds NAMES_HTTPBL_LISTED | days << 16 | threat << 8 | type
 * (the answer 127.days.threat.type). */
#define NAMES_HTTPBL_ASKED 0x01000000u
#define NAMES_HTTPBL_CLEAN 0x02000000u
#define NAMES_HTTPBL_LISTED 0x04000000u

/* A UDP packet from port 53 (iface_packet checks the port): its DNS
 * answers name their addresses (not under -n 3). */
void names_dns_packet(struct iface *ifc, const struct pkt *p);
/* A flow's info (SNI / HTTP Host / DNS query) was set: a hint for its
 * server, unless the flow is DNS itself (a query names another host). */
void names_flow_info(struct iface *ifc, struct flow *f);
/* A new host: takes a name learnt before it existed, else asks the
 * resolver (-n 0: local hosts, 1: all), and -k's http:bl lookup. */
void names_host_new(struct iface *ifc, struct host *h);
/* Sets h's name to name at rank, unless it has a better one. */
void names_set(struct host *h, const char *name, int rank);
/* Frees the interface's learnt-name table (tables_fini). */
void names_fini(struct iface *ifc);
/* Counters for REST / logs (owner). */
struct names_stats {
	uint64_t dns_packets, dns_bad, dns_names, asked, ask_dropped;
};
void names_get_stats(struct iface *ifc, struct names_stats *out);
/* Adds name_source ("dns", "ptr", "hint", "") and, once asked, the
 * httpbl object {status, days, threat, type} to host data o (owner). */
struct json_t;
void names_host_json(const struct host *h, struct json_t *o);
/* Adds the "names" object of interface data (owner): this interface's
 * DNS answers read / refused / names learnt, resolver asks / drops, and
 * the node's resolver counters. */
void names_iface_json(struct iface *ifc, struct json_t *o);
/* http:bl verdict text ("listed" / "clean" / "pending" / "") (any). */
const char *names_httpbl_status(uint32_t v);

/* ---- the resolver thread (merge/resolver.c) ---- */

/* Starts it when -n 0/1 or -k need it (main, before the interfaces
 * start); 0 or -1. */
int resolver_start(const struct prefs *p);
/* Makes the worker drop what is queued (main, before the owners stop:
 * it stops handing results to them). */
void resolver_halt(void);
/* Joins and frees it (main, after every owner has stopped). */
void resolver_stop(void);
enum resolver_kind {
	RESOLVE_PTR = 0, /* the name of ip: cache, else reverse lookup */
	RESOLVE_STORE,	 /* keep name as ip's name in the cache */
	RESOLVE_HTTPBL,	 /* the http:bl verdict of ip */
};
/* Owner threads: queues a job without waiting; -1 when the queue is full
 * (counted) or there is no resolver. */
int resolver_post(struct iface *ifc, int kind, const struct ipaddr *ip,
		  uint16_t vlan, const char *name);
struct resolver_stats {
	uint64_t posted, dropped, cache_hits, neg_hits, lookups, resolved,
		failed, httpbl;
};
void resolver_get_stats(struct resolver_stats *out);

#endif
