/*
 * alerts_thr.h - threshold rules (issue 15): "alert when the bytes of
 * host 10.0.0.1 over a minute are greater than 1 MB".
 *
 * A rule is {id, ifid, entity, entity_val, metric, granularity, operator,
 * threshold}.  Its text form (alert_thr_to_json / alert_thr_from_json) is
 * what REST takes and what the kv store keeps (webui/rest_alerts.c).  The
 * rules of an interface live with it and are checked by its owner thread
 * at every granularity boundary of the wall clock (alert_thr_tick, from
 * the housekeeping tick): the metric's growth since the previous boundary
 * (throughput: that growth in bits/s) is compared with the threshold; the
 * alert (ALERT_THRESHOLD) is engaged when the comparison starts to hold
 * and released when it stops (merge/alerts.h).
 */
#ifndef MERGE_ALERTS_THR_H
#define MERGE_ALERTS_THR_H

#include <stddef.h>
#include <stdint.h>

#include "merge/alerts.h"

struct iface;
struct json_t;

enum alert_thr_metric {
	THR_BYTES = 0,
	THR_PACKETS,
	THR_FLOWS,
	THR_THROUGHPUT, /* bits/s over the granularity */
	THR_DROPS,	/* interface: capture drops; source: its errors */
	THR_ICMP,	/* host, network: ICMP packets sent + received */
	THR_SCORE,	/* host, network: flow risk score (dpi/risk.h) */
	THR_METRIC_MAX
};

enum alert_thr_gran { THR_MIN = 0, THR_5MINS, THR_HOUR, THR_DAY, THR_GRAN_MAX };

enum alert_thr_op { THR_GT = 0, THR_LT, THR_OP_MAX };

#define ALERT_THR_MAX 1024 /* rules per interface */

struct alert_thr {
	uint32_t id; /* from 1, unique over the node */
	int ifid;
	uint8_t entity; /* enum alert_entity, not ALERT_ENT_FLOW */
	uint8_t metric, gran, op;
	char entity_val[ALERT_ENTITY_VAL_MAX];
	double threshold;
};

const char *alert_thr_metric_name(unsigned m);
const char *alert_thr_gran_name(unsigned g);
const char *alert_thr_op_name(unsigned o);
/* seconds of granularity g (0 when g is not one) */
unsigned alert_thr_gran_secs(unsigned g);

/*
 * Parses a rule from JSON {ifid, entity, entity_val, metric, granularity,
 * operator, threshold[, id]}.  0, or -1 with a reason for the client in
 * why (why_len bytes).  Any thread.
 */
int alert_thr_from_json(const struct json_t *o, struct alert_thr *r, char *why,
			size_t why_len);
/* The rule as JSON (the same keys; new reference, NULL on OOM). */
struct json_t *alert_thr_to_json(const struct alert_thr *r);

/* Pure: does value <op> threshold hold? */
int alert_thr_holds(const struct alert_thr *r, double value);

/* ---- owner thread (or main before iface_start) ---- */

/* Adds rule r (a copy) with its baseline taken now.  0; -1 when the
 * interface has ALERT_THR_MAX rules; -2 when a rule of the same (entity,
 * entity_val, metric) exists (one engaged alert per key). */
int alert_thr_add(struct iface *ifc, const struct alert_thr *r);
/* Removes rule id, releasing its alert.  1 removed, 0 not found. */
int alert_thr_del(struct iface *ifc, uint32_t id);
/* Calls fn for each rule of the interface. */
void alert_thr_walk(struct iface *ifc,
		    void (*fn)(void *arg, const struct alert_thr *r),
		    void *arg);
/* Checks every rule whose granularity boundary passed (housekeeping). */
void alert_thr_tick(struct iface *ifc, uint64_t wall_ms);
/* Frees the rules (iface_free). */
void alert_thr_fini(struct iface *ifc);

/* Query builders (merge/query.h style) for REST and Lua:
 * arg struct alert_thr: add -> {id} or {error}; arg uint32_t id: del ->
 * true / false; no arg: list -> [rules]; arg struct alert_list_query:
 * engaged alerts -> {data, totalRows}. */
struct json_t *query_b_alert_thr_add(struct iface *ifc, void *arg);
struct json_t *query_b_alert_thr_del(struct iface *ifc, void *arg);
struct json_t *query_b_alert_thr_list(struct iface *ifc, void *arg);

struct alert_list_query {
	int entity;			       /* -1: any */
	char entity_val[ALERT_ENTITY_VAL_MAX]; /* "": any */
	char site[ALERT_SITE_MAX];	       /* "": any; a site_path prefix */
	int severity;			       /* -1: any */
	uint64_t epoch_begin, epoch_end;       /* 0: open */
	uint32_t start, length;		       /* paging */
};
/* Does a match q?  Any thread. */
int alert_list_match(const struct alert_list_query *q, const struct alert *a);
/* The alert as REST shows it (new reference). */
struct json_t *alert_to_json(const struct alert *a);
struct json_t *query_b_alerts_engaged(struct iface *ifc, void *arg);
/* arg: struct alert (by value): alert_engage (Lua triggerAlert) or, with
 * tstamp_end == 1, alert_release of its key -> true / false. */
struct json_t *query_b_alert_raise(struct iface *ifc, void *arg);
/* no arg: {engaged, engaged_by_sev..., raised, released, dropped,
 * flow_alerts} */
struct json_t *query_b_alert_stats(struct iface *ifc, void *arg);

/* The `alert` topic (docs/hierarchy.md): a past alert as the JSON an edge
 * exports, and back.  from_json: 0, or -1 when a field is missing, of
 * the wrong type or out of range (any thread; hostile input). */
char *alert_wire_json(const struct alert *a, const char *site_path);
int alert_from_wire(const char *js, size_t len, struct alert *a);

#endif
