/*
 * aggr.h - the -A aggregations of an interface (merge/aggr.c): per-name
 * aggregates (DNS names queried, HTTP hosts, operating systems) with the
 * client hosts that contacted each name (docs/aggregations.md).  Owner
 * thread only, like the other tables; read from outside merge/ through
 * the query_aggr_*() walks of merge/query.h.
 */
#ifndef MERGE_AGGR_H
#define MERGE_AGGR_H

#include <stdint.h>

struct iface;
struct flow;
struct host;

enum aggr_family { AGGR_DNS = 0, AGGR_HTTP, AGGR_OS, AGGR_N_FAMILIES };

#define AGGR_NAME_MAX 256	  /* bytes kept of a name, NUL included */
#define AGGR_MAX_CONTACTS 32	  /* client hosts kept per aggregate */
#define AGGR_IDLE_MS (300 * 1000) /* as hosts (TABLES_HOST_IDLE_MS) */

/* Values of struct flow's `aggr`: not looked at yet, counted under a
 * family (AGGR_FLOW_COUNTED + family), its bytes added too, or none. */
#define AGGR_FLOW_COUNTED 1
#define AGGR_FLOW_BYTES 0x80
#define AGGR_FLOW_NONE 0xff
#define AGGR_FLOW_DNS_PKT 0x7f /* its names come from its packets */

/* Allocates the table when -A is 1 or 2 (nothing otherwise).  0 or -1. */
int aggr_init(struct iface *ifc);
void aggr_fini(struct iface *ifc);
/* Flow f has a name (f->info) and maybe its final L7: counts one query
 * of its aggregate with the client as a contact, once per flow. */
void aggr_flow_named(struct iface *ifc, struct flow *f);
/* A packet of a UDP flow to or from port 53 (only with -A on): a query
 * counts one query of its question name, with its sender as contact;
 * a query or a response adds its bytes to that name. */
struct pkt;
void aggr_dns_packet(struct iface *ifc, struct flow *f, const struct pkt *p);
/* Flow f ends (expiry, end of input): adds its bytes to its aggregate,
 * once. */
void aggr_flow_bytes(struct iface *ifc, struct flow *f);
/* The hook for OS detection: host h was found to run `os` (call once
 * per host, when its OS becomes known or changes). */
void aggr_host_os(struct iface *ifc, const struct host *h, const char *os,
		  uint64_t now_ms);
/* Purges aggregates idle for AGGR_IDLE_MS at now_ms (only while the
 * table is 90% full with pressure_only).  The timeline (-A 2, -C) reads
 * the table through iface_aggr_walk() (merge/sink.h). */
void aggr_purge(struct iface *ifc, uint64_t now_ms, int pressure_only);
/* Family name ("dns", "http", "os") and nDPI-like id (5, 7, 254). */
const char *aggr_family_name(int family);
int aggr_family_id(int family);
/* The family of a name or id text, or -1. */
int aggr_family_parse(const char *s);

#endif
