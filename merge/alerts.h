/*
 * alerts.h - the alert core: what an alert is, and how the code that
 * watches the tables raises one (issue 15, docs/alerts.md).
 *
 * An alert is raised on an interface's owner thread, by whatever watches
 * its tables (threshold checks, nDPI flow risks, silent sources, table
 * limits): no lock, no allocation per packet.  Two kinds:
 *
 *  - engaged/released: alert_engage() keeps the alert in the interface's
 *    engaged set, keyed by (type, entity, entity_val, metric); engaging a
 *    key that is engaged already only updates its value and peak.
 *    alert_release() ends it: its tstamp_end is set and it becomes a past
 *    alert.  One engagement is one row, whatever the number of checks.
 *  - one-shot (flow alerts, storage failures): alert_record() makes a
 *    past alert at once (tstamp_end = tstamp).
 *
 * A past alert is handed by value to the sinks that take alerts (the
 * `alert` op of struct iface_sink_ops, merge/sink.h): the SQLite store,
 * syslog and the remote RFC 5424 collector (exporter/alerts_store.c) copy
 * it into their own queue; nothing here blocks or writes.  The engaged
 * set is bounded (ALERT_MAX_ENGAGED per interface): an engagement that
 * finds it full is dropped and counted (alert_stats()).
 *
 * With -H (prefs.disable_alerts) every raising function does nothing and
 * returns 0.
 *
 * The table of types and severities (alert_type_info(),
 * alert_severity_name()) is constant data, any thread; REST's
 * get/alert/type/consts.lua prints it.
 */
#ifndef MERGE_ALERTS_H
#define MERGE_ALERTS_H

#include <stdint.h>

struct iface;

/* Alert types.  0..5 keep upstream 1.x/2.0's engine ids (lua-api.md
 * 4.4); the rest are ours.  Never renumber: ids are stored in SQLite and
 * sent to syslog and to peers. */
enum alert_type {
	ALERT_SYN_FLOOD = 0,	    /* (upstream) TCP SYN flood */
	ALERT_FLOWS_FLOOD = 1,	    /* (upstream) flows flood / scan */
	ALERT_THRESHOLD = 2,	    /* a threshold rule held (alerts_thr) */
	ALERT_BLACKLISTED = 3,	    /* a host listed by http:bl */
	ALERT_PERIODIC = 4,	    /* (upstream: defined, unused) */
	ALERT_QUOTA = 5,	    /* a host's quota exceeded */
	ALERT_FLOW_RISK = 6,	    /* an nDPI flow risk (one-shot) */
	ALERT_SOURCE_SILENT = 7,    /* a ZMQ/NetFlow source went silent */
	ALERT_MSG_DROPS = 8,	    /* msg-id drops above a threshold */
	ALERT_TABLE_FULL = 9,	    /* -x/-X table limit reached */
	ALERT_STORAGE_FAILURE = 10, /* a storage write failed */
	ALERT_USER = 11,	    /* raised by a Lua script (triggerAlert) */
	ALERT_SCORE = 12,	    /* a host's score above its threshold */
	ALERT_TYPE_MAX		    /* count; not a type */
};

/* Severities: upstream ntopng's ids (alert_consts), and their syslog(3)
 * levels in exporter/alerts_store.c. */
enum alert_severity {
	ALERT_SEV_INFO = 2,
	ALERT_SEV_NOTICE = 3,
	ALERT_SEV_WARNING = 4,
	ALERT_SEV_ERROR = 5,
	ALERT_SEV_CRITICAL = 6,
};
#define ALERT_SEV_MIN ALERT_SEV_INFO
#define ALERT_SEV_MAX ALERT_SEV_CRITICAL

/* What an alert is about; entity_val names it ("192.168.1.1@0" for a
 * host, the ifid for an interface, the CIDR of a network, the source's
 * name, the site path, the flow's 5-tuple). */
enum alert_entity {
	ALERT_ENT_INTERFACE = 0,
	ALERT_ENT_HOST = 1,
	ALERT_ENT_NETWORK = 2,
	ALERT_ENT_SOURCE = 3,
	ALERT_ENT_SITE = 4,
	ALERT_ENT_FLOW = 5,
	ALERT_ENT_MAX
};

#define ALERT_ENTITY_VAL_MAX 96
#define ALERT_METRIC_MAX 32
#define ALERT_MSG_MAX 256
#define ALERT_SITE_MAX 256 /* as struct iface_origin.path */
#define ALERT_NODE_MAX 65  /* as struct iface_origin.id */

/* engaged alerts kept per interface */
#define ALERT_MAX_ENGAGED 4096
/* Engaged alerts are re-announced to the alert_engaged sinks (the -I
 * export) every ALERT_REFRESH_S, ALERT_REFRESH_BURST a second at most; a
 * peer's engaged alert not heard of for ALERT_REMOTE_TTL_S is ended. */
#define ALERT_REFRESH_S 10
#define ALERT_REFRESH_BURST 128
#define ALERT_REMOTE_TTL_S 120

/* One alert, by value (fixed size: it travels through queues). */
struct alert {
	uint64_t id;	  /* per interface, from 1; set by the core */
	int ifid;	  /* set by the core */
	uint16_t type;	  /* enum alert_type */
	uint8_t severity; /* enum alert_severity */
	uint8_t entity;	  /* enum alert_entity */
	char entity_val[ALERT_ENTITY_VAL_MAX];
	char metric[ALERT_METRIC_MAX]; /* "bytes", "ndpi_risk", ... or "" */
	double value;		       /* the last value measured */
	double threshold;	       /* 0 when none */
	double peak;		       /* the largest value while engaged */
	uint64_t tstamp;	       /* epoch s: engaged (or the event) */
	uint64_t tstamp_end;	       /* epoch s: released; 0 engaged */
	char msg[ALERT_MSG_MAX];       /* plain text, no HTML */
	/* where it was raised: "" / this node's id for our own alerts; an
	 * edge's path and id for those that came up the hierarchy */
	char site_path[ALERT_SITE_MAX];
	char node_id[ALERT_NODE_MAX];
};

/* Counters of an interface's alert core (owner thread, or by value
 * through a query). */
struct alert_stats {
	uint32_t engaged; /* in the engaged set now */
	uint32_t engaged_by_sev[ALERT_SEV_MAX + 1];
	uint64_t raised;      /* engagements + one-shot alerts */
	uint64_t released;    /* engagements ended */
	uint64_t dropped;     /* engaged set full */
	uint64_t flow_alerts; /* one-shot alerts on flows */
};

/* ---- constant tables (any thread) ---- */

struct alert_type_info {
	uint16_t id;
	const char *key;   /* "threshold_cross": REST, syslog, SQLite */
	const char *label; /* "Threshold Cross" */
	uint8_t severity;  /* default severity */
};

/* The info of type t, or NULL when t is not a type. */
const struct alert_type_info *alert_type_info(unsigned t);
/* "warning", ... or NULL when s is not a severity. */
const char *alert_severity_name(unsigned s);
/* The severity of name ("warning") or -1. */
int alert_severity_parse(const char *name);
/* "host", ... or NULL. */
const char *alert_entity_name(unsigned e);
/* The entity of name ("host") or -1. */
int alert_entity_parse(const char *name);

/* ---- raising (the interface's owner thread) ---- */

/*
 * Engages a (copy of) a, or updates the engaged alert of the same key
 * (type, entity, entity_val, metric): value, peak, msg, severity.  The
 * core sets id, ifid, tstamp (a->tstamp when non-zero, else now) and
 * tstamp_end 0.  1: newly engaged; 0: updated (or -H); -1: the engaged
 * set is full (counted in dropped).
 */
int alert_engage(struct iface *ifc, const struct alert *a);
/* alert_engage for a caller that knows a's key is not engaged (it keeps
 * track, as the host-scope rules do): no lookup, so a full set costs
 * nothing.  1, 0 with -H, -1 when full (counted). */
int alert_engage_fresh(struct iface *ifc, const struct alert *a);

/*
 * Releases the engaged alert of that key at now_s (epoch s; 0: now): it
 * leaves the engaged set and goes to the alert sinks as a past alert.
 * 1: released; 0: none was engaged.  metric may be NULL for "".
 */
int alert_release(struct iface *ifc, uint16_t type, uint8_t entity,
		  const char *entity_val, const char *metric, uint64_t now_s);

/*
 * A one-shot alert (engaged and released at once): handed to the alert
 * sinks as a past alert.  The core sets id, ifid, tstamp (when 0) and
 * tstamp_end = tstamp, unless a->tstamp_end is later (a past alert a
 * peer node relayed keeps its end).  0 (also with -H).
 */
int alert_record(struct iface *ifc, const struct alert *a);

/*
 * An alert of a peer node (the `alert` topic; a->node_id and site_path
 * set): tstamp_end 0 engages it (or refreshes it: value, peak, last
 * heard of) under its node id; otherwise it is past: the engaged copy, if
 * any, leaves the set and a is recorded as alert_record does.  0, or -1
 * when the engaged set is full.
 */
int alert_from_peer(struct iface *ifc, const struct alert *a);

/*
 * Once a second (housekeeping): ends the peers' engaged alerts not heard
 * of for ALERT_REMOTE_TTL_S (past, their end the last word, the message
 * saying so), and re-announces the engaged set to the alert_engaged
 * sinks every ALERT_REFRESH_S.
 */
void alert_tick(struct iface *ifc, uint64_t wall_ms);

/* Is the key engaged?  Owner thread. */
int alert_is_engaged(struct iface *ifc, uint16_t type, uint8_t entity,
		     const char *entity_val, const char *metric);

/* How many engaged alerts have this entity and entity_val (a host's
 * num_alerts).  Owner thread. */
uint32_t alert_count_entity(struct iface *ifc, uint8_t entity,
			    const char *entity_val);

/* Calls fn for every engaged alert (the pointer is valid during the call
 * only), in engagement order.  Owner thread (query builders). */
typedef void (*alert_walk_fn)(void *arg, const struct alert *a);
void alert_walk_engaged(struct iface *ifc, alert_walk_fn fn, void *arg);

/* The counters by value.  Owner thread. */
void alert_get_stats(struct iface *ifc, struct alert_stats *st);

/* ---- lifetime (merge/iface.c) ---- */

/* Called by iface_new / iface_free; alerts_fini releases nothing (at
 * shutdown the engaged alerts stay engaged: they are not past). */
int alerts_init(struct iface *ifc);
void alerts_fini(struct iface *ifc);

#endif
