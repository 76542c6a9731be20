/*
 * query.c - read-only queries over an interface's tables (see query.h).
 *
 * How it works: query_run() copies the caller's argument block into a
 * heap context, posts a trampoline with iface_query() and waits.
 * iface_query() either runs the trampoline to its end before returning
 * 0, or withdraws it untaken and returns -1 (it never leaves a closure
 * behind), so the caller owns the context on both paths and frees it:
 * no reference count, nothing left for the owner to clean up, and the
 * caller's stack is never written late.
 *
 * The builders walk the tables on the owner thread.  Lists (hosts,
 * flows) collect matching pointers into an array, sort it with qsort_r
 * on a small key, and only turn the requested page into JSON: the cost
 * for 100k flows is one pass, one n log n sort on pointers and a page of
 * objects.  Times are kept in ms by the tables and shown in seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/log.h"
#include "common/timeutil.h"
#include "common/prefs.h"
#include "geo/geo.h"
#include "merge/alerts.h"
#include "merge/iface.h"
#include "merge/iface_priv.h"
#include "merge/names.h"
#include "merge/query.h"
#include "merge/source.h"
#include "merge/tables.h"
#include "dpi/risk.h"

/* ------------------------------------------------------------------ */
/* query_run                                                           */

struct query_ctx {
	query_build_fn build;
	json_t *out;
	size_t arg_size;
	unsigned char arg[]; /* copy of the caller's argument block */
};

static void
query_tramp(struct iface *ifc, void *arg)
{
	struct query_ctx *c = arg;

	c->out = c->build(ifc, c->arg_size ? c->arg : NULL);
}

int
query_run_timeout(struct iface *ifc, query_build_fn build, void *arg,
		  size_t arg_size, json_t **out, int timeout_ms)
{
	struct query_ctx *c;

	*out = NULL;
	c = calloc(1, sizeof(*c) + arg_size);
	if (!c)
		return -1;
	c->build = build;
	c->arg_size = arg_size;
	if (arg_size)
		memcpy(c->arg, arg, arg_size);
	if (iface_query(ifc, query_tramp, c, timeout_ms) < 0) {
		/* withdrawn untaken: the trampoline never runs, c is ours */
		log_warn("query: interface %d did not answer in %d ms", ifc->id,
			 timeout_ms);
		free(c);
		return -1;
	}
	if (arg_size)
		memcpy(arg, c->arg, arg_size);
	*out = c->out;
	free(c);
	return 0;
}

int
query_run(struct iface *ifc, query_build_fn build, void *arg, size_t arg_size,
	  json_t **out)
{
	return query_run_timeout(ifc, build, arg, arg_size, out,
				 QUERY_TIMEOUT_MS);
}

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static json_int_t
ms2s(uint64_t ms)
{
	return (json_int_t)(ms / 1000);
}

/* Seconds of activity, last - first + 1, as upstream counts them. */
static json_int_t
duration_s(uint64_t first_ms, uint64_t last_ms)
{
	if (last_ms < first_ms)
		return 1;
	return (json_int_t)(last_ms / 1000 - first_ms / 1000 + 1);
}

/* Counters are unsigned: one past INT64_MAX would read as negative in
 * JSON's signed integers, so they are written saturated (the tables
 * already stop there, merge/tables.c COUNTER_MAX). */
static json_int_t
json_u64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? (json_int_t)INT64_MAX : (json_int_t)v;
}

static void
set_int(json_t *o, const char *k, uint64_t v)
{
	json_object_set_new(o, k, json_integer(json_u64(v)));
}

static void
set_real(json_t *o, const char *k, double v)
{
	/* jansson refuses NaN/inf; upstream writes them as null. */
	json_t *j = json_real(v);

	json_object_set_new(o, k, j ? j : json_null());
}

static void
set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, json_string(v ? v : ""));
}

static void
set_bool(json_t *o, const char *k, int v)
{
	json_object_set_new(o, k, json_boolean(v));
}

char *
query_uptime_fmt(uint64_t secs, char *buf, size_t len)
{
	uint64_t years = secs / (365 * 86400ULL);
	uint64_t days = (secs % (365 * 86400ULL)) / 86400;
	uint64_t h = (secs % 86400) / 3600, m = (secs % 3600) / 60,
		 s = secs % 60;
	char pre[64] = "";
	int n = 0;

	if (secs < 60) {
		snprintf(buf, len, "00:%02llu sec", (unsigned long long)s);
		return buf;
	}
	if (years)
		n = snprintf(pre, sizeof(pre), "%llu year%s, ",
			     (unsigned long long)years, years > 1 ? "s" : "");
	if (days && n >= 0 && (size_t)n < sizeof(pre))
		snprintf(pre + n, sizeof(pre) - n, "%llu day%s, ",
			 (unsigned long long)days, days > 1 ? "s" : "");
	if (secs < 3600)
		snprintf(buf, len, "%02llu:%02llu", (unsigned long long)m,
			 (unsigned long long)s);
	else
		snprintf(buf, len, "%s%02llu:%02llu:%02llu", pre,
			 (unsigned long long)h, (unsigned long long)m,
			 (unsigned long long)s);
	return buf;
}

char *
query_host_key(const struct ipaddr *ip, uint16_t vlan, char *buf, size_t len)
{
	char a[IPADDR_STRLEN];
	size_t o = 0;

	ipaddr_fmt(ip, a, sizeof(a));
	for (const char *p = a; *p && o + 5 < len; p++) {
		const char *rep = *p == '.'   ? "__"
				  : *p == ':' ? "____"
				  : *p == '/' ? "___"
					      : NULL;
		if (rep) {
			memcpy(buf + o, rep, strlen(rep));
			o += strlen(rep);
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = '\0';
	if (vlan && o < len)
		snprintf(buf + o, len - o, "@%u", vlan);
	return buf;
}

const char *
query_l4_name(uint8_t proto)
{
	switch (proto) {
	case 1:
		return "ICMP";
	case 2:
		return "IGMP";
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 41:
		return "IPv6";
	case 47:
		return "GRE";
	case 50:
		return "ESP";
	case 51:
		return "AH";
	case 58:
		return "ICMPv6";
	case 89:
		return "OSPF";
	case 103:
		return "PIM";
	case 112:
		return "VRRP";
	case 132:
		return "SCTP";
	default:
		return "Other IP";
	}
}

/* Table fill as upstream, floor(1 + n * 100 / capacity), but at most
 * 100: upstream's formula reads 101 for a full table. */
static json_int_t
pctg(uint64_t n, uint64_t cap)
{
	uint64_t v;

	if (!cap)
		return 0;
	v = 1 + n * 100 / cap;
	return (json_int_t)(v > 100 ? 100 : v);
}

/* ------------------------------------------------------------------ */
/* interface                                                           */

/* Percentile of the interface's latency histogram, in ms (the upper
 * edge of its 10 ms slot). */
static uint64_t
latency_pct(const struct iface *ifc, double pct)
{
	uint64_t want = (uint64_t)(pct * (double)ifc->latency_samples / 100.0 +
				   0.999999);
	uint64_t acc = 0;
	int i;

	if (want == 0)
		want = 1;
	for (i = 0; i <= IFACE_LATENCY_SLOTS; i++) {
		acc += ifc->latency_hist[i];
		if (acc >= want)
			return i < IFACE_LATENCY_SLOTS ? (uint64_t)(i + 1) * 10
						       : ifc->latency_max_ms;
	}
	return ifc->latency_max_ms;
}

static json_t *
query_latency(const struct iface *ifc)
{
	json_t *t = json_object();

	set_int(t, "samples", ifc->latency_samples);
	set_int(t, "p50", ifc->latency_samples ? latency_pct(ifc, 50) : 0);
	set_int(t, "p99", ifc->latency_samples ? latency_pct(ifc, 99) : 0);
	set_int(t, "max", ifc->latency_max_ms);
	return t;
}

/* Each kind present among the interface's sources describes them
 * together (the kind's describe op), once per kind. */
static void
query_kinds_json(struct iface *ifc, json_t *o)
{
	const struct source_kind *seen[IFACE_MAX_SOURCES];
	int n_seen = 0;

	for (int i = 0; i < ifc->n_sources; i++) {
		const struct source_kind *k = ifc->sources[i]->kind;
		int j;

		if (k == NULL || k->describe == NULL)
			continue;
		for (j = 0; j < n_seen && seen[j] != k; j++)
			;
		if (j < n_seen)
			continue;
		seen[n_seen++] = k;
		k->describe(ifc->sources, ifc->n_sources, ifc->flow_idle_ms, o);
	}
}

/* ours: what merge/health.c has engaged now (docs/alerts.md) */
static void
query_health_json(struct iface *ifc, json_t *o)
{
	json_t *h = json_object(), *silent = json_array();

	if (h == NULL || silent == NULL) {
		json_decref(h);
		json_decref(silent);
		return;
	}
	for (int i = 0; i < ifc->n_sources && i < IFACE_MAX_SOURCES; i++)
		if (ifc->health_src[i].silent)
			json_array_append_new(
				silent, json_string(ifc->sources[i]->spec));
	json_object_set_new(h, "silent_sources", silent);
	set_bool(h, "hosts_table_full", ifc->health.hosts_full);
	set_bool(h, "flows_table_full", ifc->health.flows_full);
	set_bool(h, "msg_drops", ifc->health.drops_engaged);
	json_object_set_new(o, "health_alerts", h);
}

json_t *
query_iface_data(struct iface *ifc, int summary)
{
	const struct iface_stats *st = &ifc->stats;
	json_t *o = json_object(), *t;
	char buf[64], ifid[16];
	uint64_t rx_only = 0, local_rx_only = 0, wall = time_wall_ms();
	time_t now = (time_t)(wall / 1000);
	struct tm tm;
	/* an offline input still being read: the Historical interface's
	 * loader is never "loading" (it starts ended) */
	int offline = (iface_inputs(ifc) & IFACE_IN_OFFLINE) != 0;

	if (!o)
		return NULL;
	for (const struct host *h = ifc->host_head; h; h = h->next) {
		if (h->c.pkts_sent == 0) {
			rx_only++;
			local_rx_only += h->is_local;
		}
	}
	snprintf(ifid, sizeof(ifid), "%d", ifc->id);
	set_str(o, "ifid", ifid); /* a string here, as upstream */
	set_str(o, "ifname", ifc->ifname);
	set_str(o, "description",
		iface_spec(ifc)); /* the inputs, paths whole */
	set_int(o, "drops", st->drops);
	set_real(o, "throughput_bps", st->thpt_bps);
	set_int(o, "num_flows", ifc->num_flows);
	set_int(o, "num_hosts", ifc->num_hosts);
	set_int(o, "num_local_hosts", ifc->num_local_hosts);
	set_int(o, "num_devices", ifc->num_macs);
	names_iface_json(ifc, o); /* DNS names, resolver (merge/names.c) */
	set_int(o, "num_rcvd_only_hosts", rx_only);
	set_int(o, "num_local_rcvd_only_hosts", local_rx_only);
	set_int(o, "hosts_pctg", pctg(ifc->num_hosts, ifc->max_hosts));
	set_int(o, "flows_pctg", pctg(ifc->num_flows, ifc->max_flows));
	set_int(o, "macs_pctg", pctg(ifc->num_macs, ifc->max_macs));
	set_int(o, "score", st->score); /* every flow risk's (dpi/risk.h) */
	set_int(o, "risky_flows", st->risky_flows);
	query_health_json(ifc, o);
	/* the alert core's counters (merge/alerts.h) */
	{
		struct alert_stats as;

		alert_get_stats(ifc, &as);
		set_int(o, "engaged_alerts", as.engaged);
		set_int(o, "engaged_alerts_notice",
			as.engaged_by_sev[ALERT_SEV_NOTICE] +
				as.engaged_by_sev[ALERT_SEV_INFO]);
		set_int(o, "engaged_alerts_warning",
			as.engaged_by_sev[ALERT_SEV_WARNING]);
		set_int(o, "engaged_alerts_error",
			as.engaged_by_sev[ALERT_SEV_ERROR] +
				as.engaged_by_sev[ALERT_SEV_CRITICAL]);
		set_int(o, "alerted_flows", as.flow_alerts);
	}
	/* per-severity flow alerts are not counted (yet) */
	static const char *const zero_keys[] = {
		"alerted_flows_notice",
		"alerted_flows_warning",
		"alerted_flows_error",
		"num_live_captures",
	};
	for (size_t i = 0; i < sizeof(zero_keys) / sizeof(zero_keys[0]); i++)
		set_int(o, zero_keys[i], 0);
	localtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S %z", &tm);
	set_str(o, "localtime", buf);
	set_str(o, "uptime",
		query_uptime_fmt(wall > node_start_ms
					 ? (wall - node_start_ms) / 1000
					 : 0,
				 buf, sizeof(buf)));
	set_bool(o, "is_loading", offline && !ifc->inputs_ended);
	set_bool(o, "input_ended", ifc->inputs_ended);
	/* ours: disabled at run time (set/interface/state.lua) */
	set_bool(o, "disabled", !iface_enabled(ifc));
	set_bool(o, "active_discovery_active", 0);

	if (summary) {
		t = json_object();
		set_real(t, "download", st->thpt_bps);
		set_real(t, "upload", 0);
		json_object_set_new(o, "throughput", t);
		return o;
	}

	set_int(o, "speed", 1000);
	/* the CPU core of the owner thread (-g, or --workers' split), -1
	 * when not bound */
	json_object_set_new(o, "cpu_affinity", json_integer(ifc->bound_core));
	set_bool(o, "is_view", 0);
	set_int(o, "periodic_stats_update_frequency_secs", 5);
	set_int(o, "packets", st->packets);
	set_int(o, "bytes", st->bytes);
	/* A pcap has no direction: everything is ingress. */
	set_int(o, "bytes_download", st->bytes);
	set_int(o, "bytes_upload", 0);
	set_int(o, "packets_download", st->packets);
	set_int(o, "packets_upload", 0);
	set_int(o, "bytes_download_since_reset", st->bytes);
	set_int(o, "bytes_upload_since_reset", 0);
	set_int(o, "packets_download_since_reset", st->packets);
	set_int(o, "packets_upload_since_reset", 0);
	set_int(o, "local2remote", st->local2remote);
	set_int(o, "remote2local", st->remote2local);
	t = json_object();
	set_int(t, "retransmissions", st->tcp_retransmissions);
	set_int(t, "out_of_order", st->tcp_out_of_order);
	set_int(t, "lost", st->tcp_lost);
	json_object_set_new(o, "tcpPacketStats", t);
	set_int(o, "tot_nprobe_pkts", 0);
	set_int(o, "tot_pkt_drops", 0);
	set_real(o, "throughput_pps", st->thpt_pps);
	t = json_pack("{s:{s:f,s:f},s:{s:f,s:f}}", "download", "bps",
		      st->thpt_bps, "pps", st->thpt_pps, "upload", "bps", 0.0,
		      "pps", 0.0);
	if (t)
		json_object_set_new(o, "throughput", t);
	set_int(o, "remote_bps", 0);
	set_int(o, "remote_pps", 0);
	set_int(o, "num_local_hosts_anomalies", 0);
	set_int(o, "num_remote_hosts_anomalies", 0);
	static const char *const drop_keys[] = {
		"dropped_alerts",
		"host_dropped_alerts",
		"flow_dropped_alerts",
		"other_dropped_alerts",
	};
	for (size_t i = 0; i < sizeof(drop_keys) / sizeof(drop_keys[0]); i++)
		set_int(o, drop_keys[i], 0);
	set_int(o, "epoch", (uint64_t)now);
	t = json_object();
	set_int(t, "bad_packets", st->bad_packets);
	set_int(t, "non_ip_packets", st->non_ip_packets);
	set_int(t, "filtered", st->filtered);
	set_int(t, "flows_dropped", st->flows_dropped);
	set_int(t, "hosts_dropped", st->hosts_dropped);
	set_int(t, "macs_dropped", st->macs_dropped);
	json_object_set_new(o, "decode_errors", t);
	/* ours: the tables' memory and --max-memory (docs/memory.md) */
	t = json_object();
	set_int(t, "tables_bytes", tables_mem(ifc));
	set_int(t, "budget_bytes", ifc->max_mem);
	set_int(t, "flows_evicted", st->flows_evicted);
	set_int(t, "hosts_evicted", st->hosts_evicted);
	set_int(t, "flows_refused", st->flows_refused_mem);
	set_int(t, "flows_created", st->total_flows);
	set_int(t, "flows_purged", st->flows_purged);
	json_object_set_new(o, "memory", t);
	/* ours: the IP part of the traffic, which is what flows carry and
	 * what a hierarchy hub receives (docs/hierarchy.md) */
	set_int(o, "ip_packets", st->ip_packets);
	set_int(o, "ip_bytes", st->ip_bytes);
	t = json_object();
	set_int(t, "loops_refused", st->loops_refused);
	set_int(t, "duplicates_refused", st->duplicates_refused);
	set_int(t, "updates_refused", st->updates_refused);
	json_object_set_new(t, "latency_ms", query_latency(ifc));
	if (query_export_links != NULL)
		json_object_set_new(t, "export_links", query_export_links());
	json_object_set_new(o, "hierarchy", t);
	query_kinds_json(ifc, o); /* e.g. ZMQ: zmqRecvStats, zmq.* */
	return o;
}

json_t *(*query_export_links)(void);

json_t *
query_iface_sources(struct iface *ifc)
{
	static const char *const states[] = { "active", "ended", "failed" };
	json_t *a = json_array();

	for (int i = 0; a && i < ifc->n_sources; i++) {
		struct source *s = ifc->sources[i];
		json_t *o = json_object();

		set_int(o, "index", (uint64_t)i);
		set_str(o, "kind", s->kind != NULL ? s->kind->name : "other");
		set_str(o, "spec", s->spec);
		set_str(o, "state",
			s->state <= SOURCE_FAILED ? states[s->state]
						  : "unknown");
		set_int(o, "records", s->records);
		set_int(o, "bytes", s->bytes);
		set_int(o, "errors", s->errors);
		/* closed while its interface is disabled */
		set_bool(o, "suspended", s->suspended);
		if (s->describe != NULL)
			s->describe(s, o);
		json_array_append_new(a, o);
	}
	return a;
}

int
query_origin_index(struct iface *ifc, const char *id)
{
	int i;

	if (id == NULL || id[0] == '\0')
		return -2;
	for (i = 0; i < ifc->n_origins; i++)
		if (strcmp(ifc->origins[i].id, id) == 0)
			return i;
	return -1;
}

json_t *
query_iface_origins(struct iface *ifc)
{
	json_t *a = json_array();

	for (int i = 0; a && i < ifc->n_origins; i++) {
		const struct iface_origin *o = &ifc->origins[i];
		json_t *e = json_object();

		set_str(e, "origin", o->id);
		set_str(e, "site_path", i == 0 ? o->id : o->path);
		set_bool(e, "local", i == 0);
		set_int(e, "updates", o->updates);
		set_int(e, "bytes", o->bytes);
		set_int(e, "packets", o->pkts);
		set_int(e, "duplicates_refused", o->duplicates);
		set_int(e, "last_seen", o->last_ms / 1000);
		set_real(e, "throughput_bps", o->thpt_bps);
		/* convergence and restarts (docs/hierarchy.md) */
		set_int(e, "flows", o->flows);
		set_int(e, "snapshot_records", o->snap_records);
		set_int(e, "snapshot_stale", o->snap_stale);
		set_int(e, "covered_refused", o->covered);
		set_int(e, "restarts", o->restarts);
		set_int(e, "orphaned_flows", o->orphaned_flows);
		set_int(e, "start", o->start_ms / 1000);
		set_int(e, "uptime", o->uptime_s);
		set_str(e, "version", o->version);
		set_int(e, "export_interval", o->interval_s);
		set_int(e, "last_event", o->last_event_ms / 1000);
		json_object_set_new(e, "declared",
				    json_pack("{s:I,s:I,s:I}", "flows",
					      (json_int_t)o->decl[0], "bytes",
					      (json_int_t)o->decl[1], "packets",
					      (json_int_t)o->decl[2]));
		json_object_set_new(e, "missed_expired",
				    json_pack("{s:I,s:I,s:I}", "flows",
					      (json_int_t)o->missed[0], "bytes",
					      (json_int_t)o->missed[1],
					      "packets",
					      (json_int_t)o->missed[2]));
		json_array_append_new(a, e);
	}
	return a;
}

/* ------------------------------------------------------------------ */
/* hosts                                                               */

static int
host_match(const struct host *h, const struct host_query *q, int origin)
{
	if (origin == -1 ||
	    (origin >= 0 && !(host_origins(h) & (1ULL << origin))))
		return 0;
	if (q->mode == QUERY_HOSTS_LOCAL && !h->is_local)
		return 0;
	if (q->mode == QUERY_HOSTS_REMOTE && h->is_local)
		return 0;
	if (q->version && h->ip.v != q->version)
		return 0;
	if (q->vlan >= 0 && h->vlan != q->vlan)
		return 0;
	if (q->has_asn && (h->geo ? h->geo->asn : 0) != q->asn)
		return 0;
	if (q->has_country &&
	    strcmp(h->geo ? h->geo->country : "", q->country) != 0)
		return 0;
	return 1;
}

static int
cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/*
 * Sorting: every matching entry becomes one sort_item whose key is
 * computed once (a number, a string or an address), so the comparator
 * never chases table pointers or formats text: 100k flows sort in a few
 * ms.  Ties fall back to the entry's serial id, so pages are stable.
 */
enum sort_kind { SORT_NUM = 0, SORT_STR, SORT_IP };

struct sort_item {
	void *p;		 /* the host or flow */
	const struct ipaddr *ip; /* SORT_IP */
	const char *s;		 /* SORT_STR */
	uint64_t k;		 /* SORT_NUM; port/vlan after SORT_IP */
	uint64_t tie;
};

struct sort_ctx {
	int kind;
	int desc;
};

static int
sort_item_cmp(const void *pa, const void *pb, void *arg)
{
	const struct sort_item *a = pa, *b = pb;
	const struct sort_ctx *c = arg;
	int r;

	if (c->kind == SORT_STR)
		r = strcasecmp(a->s, b->s);
	else if (c->kind == SORT_IP)
		r = ipaddr_cmp(a->ip, b->ip);
	else
		r = 0;
	if (!r)
		r = cmp_u64(a->k, b->k);
	if (!r)
		r = cmp_u64(a->tie, b->tie);
	return c->desc ? -r : r;
}

/* Slot i of a text arena used for keys that must be formatted. */
#define SORT_STR_LEN 64

static uint64_t
dbl_key(double v)
{
	return v > 0 ? (uint64_t)(v * 1000.0) : 0;
}

static uint64_t
mac_key(const uint8_t m[6])
{
	uint64_t k = 0;

	for (int i = 0; i < 6; i++)
		k = (k << 8) | m[i];
	return k;
}

/* Fills the item's key for host h; returns the sort kind. */
static int
host_sort_key(const struct host *h, int col, struct sort_item *it, char *slot)
{
	it->tie = h->id;
	switch (col) {
	case QHS_NAME:
		it->s = h->name && h->name[0]
				? h->name
				: ipaddr_fmt(&h->ip, slot, SORT_STR_LEN);
		return SORT_STR;
	case QHS_SINCE:
		it->k = h->first_ms;
		break;
	case QHS_LAST:
		it->k = h->last_ms;
		break;
	case QHS_VLAN:
		it->k = h->vlan;
		break;
	case QHS_NUM_FLOWS:
		it->k = (uint64_t)h->active_flows_cli + h->active_flows_srv;
		break;
	case QHS_THPT:
		it->k = dbl_key(h->thpt_bps);
		break;
	case QHS_MAC:
		it->k = mac_key(h->mac);
		break;
	case QHS_LOCAL_NETWORK:
		it->k = (uint64_t)(h->local_net + 1);
		break;
	case QHS_TRAFFIC_SENT:
		it->k = h->c.bytes_sent;
		break;
	case QHS_TRAFFIC_RCVD:
		it->k = h->c.bytes_rcvd;
		break;
	case QHS_TRAFFIC_UNKNOWN:
		it->k = host_unknown_bytes(h);
		break;
	case QHS_FLOWS_CLI:
		it->k = h->active_flows_cli;
		break;
	case QHS_FLOWS_SRV:
		it->k = h->active_flows_srv;
		break;
	case QHS_TRAFFIC:
		it->k = h->c.bytes_sent + h->c.bytes_rcvd;
		break;
	default:
		it->ip = &h->ip;
		it->k = h->vlan;
		return SORT_IP;
	}
	return SORT_NUM;
}

void
query_host_geo(json_t *o, const struct host *h)
{
	const struct geo_info *g = h->geo;

	set_str(o, "country", g ? g->country : "");
	set_str(o, "continent", g ? g->continent : "");
	set_str(o, "city", g ? g->city : "");
	set_real(o, "latitude", g && g->has_location ? g->latitude : 0);
	set_real(o, "longitude", g && g->has_location ? g->longitude : 0);
	set_int(o, "asn", g ? g->asn : 0);
	set_str(o, "asname", g ? g->asname : "");
}

/* os (upstream's enum), os_name ("Windows") and os_detail ("Windows
 * 10") of the passive OS detection (dpi/os.h, docs/hosts.md). */
static void
host_os_fields(json_t *o, const struct host *h)
{
	char detail[64];

	static const char *const src[] = { "", "tcp_syn", "dhcp",
					   "user_agent" };

	set_int(o, "os", h->os.os);
	set_str(o, "os_name", os_name(h->os.os));
	set_str(o, "os_source", h->os.src < 4 ? src[h->os.src] : "");
	set_str(o, "os_detail", os_detail_fmt(&h->os, detail, sizeof(detail)));
}

/* The host's engaged alerts (entity host, entity_val its address or
 * IP@vlan, as the threshold rules name it: merge/alerts_thr.c). */
static uint32_t
host_num_alerts(struct iface *ifc, const struct host *h)
{
	char a[IPADDR_STRLEN], v[IPADDR_STRLEN + 8];

	ipaddr_fmt(&h->ip, a, sizeof(a));
	if (h->vlan)
		snprintf(v, sizeof(v), "%s@%u", a, (unsigned)h->vlan);
	else
		snprintf(v, sizeof(v), "%s", a);
	return alert_count_entity(ifc, ALERT_ENT_HOST, v);
}

static json_t *
host_row(struct iface *ifc, const struct host *h)
{
	char ip[IPADDR_STRLEN], key[128];
	json_t *o = json_object();

	ipaddr_fmt(&h->ip, ip, sizeof(ip));
	set_str(o, "ip", ip);
	set_int(o, "vlan", h->vlan);
	set_str(o, "key", query_host_key(&h->ip, h->vlan, key, sizeof(key)));
	set_str(o, "name", h->name && h->name[0] ? h->name : ip);
	set_int(o, "first_seen", ms2s(h->first_ms));
	set_int(o, "last_seen", ms2s(h->last_ms));
	json_object_set_new(
		o, "bytes",
		json_pack("{s:I,s:I,s:I}", "total",
			  json_u64(h->c.bytes_sent + h->c.bytes_rcvd), "sent",
			  json_u64(h->c.bytes_sent), "recvd",
			  json_u64(h->c.bytes_rcvd)));
	json_object_set_new(o, "thpt",
			    json_pack("{s:f,s:f}", "bps", h->thpt_bps * 8,
				      "pps", h->thpt_pps));
	json_object_set_new(
		o, "num_flows",
		json_pack(
			"{s:I,s:I,s:I}", "total",
			(json_int_t)(h->active_flows_cli + h->active_flows_srv),
			"as_client", (json_int_t)h->active_flows_cli,
			"as_server", (json_int_t)h->active_flows_srv));
	set_int(o, "num_alerts", host_num_alerts(ifc, h));
	json_object_set_new(
		o, "score",
		json_pack("{s:I,s:I,s:I}", "total",
			  json_u64(host_ext_ro(h)->score_cli +
				   host_ext_ro(h)->score_srv),
			  "as_client", json_u64(host_ext_ro(h)->score_cli),
			  "as_server", json_u64(host_ext_ro(h)->score_srv)));
	set_bool(o, "is_localhost", h->is_local);
	set_bool(o, "is_multicast", ipaddr_is_multicast(&h->ip));
	set_bool(o, "is_broadcast", ipaddr_is_broadcast(&h->ip));
	set_bool(o, "is_broadcast_domain", h->is_local);
	set_bool(o, "is_blacklisted", 0);
	query_host_geo(o, h);
	host_os_fields(o, h);
	return o;
}

/* Returns the [start, end) slice of n rows for a page; per_page < 0 = all. */
static void
page_bounds(size_t n, int per_page, int page, size_t *start, size_t *end)
{
	if (per_page < 0) {
		*start = 0;
		*end = n;
		return;
	}
	if (page < 1)
		page = 1;
	*start = (size_t)(page - 1) * (size_t)per_page;
	if (*start > n)
		*start = n;
	*end = *start + (size_t)per_page;
	if (*end > n)
		*end = n;
}

/* Collects, sorts and pages a list; row() turns one entry into JSON. */
static json_t *
list_build(struct sort_item *v, char *arena, size_t n, const struct sort_ctx *c,
	   int per_page, int page, json_t *(*row)(void *, void *), void *rarg)
{
	json_t *o = json_object(), *data = json_array();
	size_t start, end;

	if (!o || !data) {
		json_decref(o);
		json_decref(data);
		o = NULL;
		goto out;
	}
	qsort_r(v, n, sizeof(*v), sort_item_cmp, (void *)c);
	page_bounds(n, per_page, page, &start, &end);
	for (size_t i = start; i < end; i++)
		json_array_append_new(data, row(v[i].p, rarg));
	json_object_set_new(o, "data", data);
	set_int(o, "totalRows", n);
out:
	free(v);
	free(arena);
	return o;
}

static json_t *
host_row_cb(void *h, void *arg)
{
	return host_row(arg, h);
}

json_t *
query_hosts_list(struct iface *ifc, const struct host_query *q)
{
	size_t cap = (size_t)ifc->num_hosts + 1, n = 0;
	struct sort_item *v = calloc(cap, sizeof(*v));
	char *arena = q->sort == QHS_NAME ? malloc(cap * SORT_STR_LEN) : NULL;
	struct sort_ctx c = { SORT_NUM, q->desc };
	int origin = query_origin_index(ifc, q->origin);

	if (!v || (q->sort == QHS_NAME && !arena)) {
		free(v);
		free(arena);
		return NULL;
	}
	for (struct host *h = ifc->host_head; h && n < cap; h = h->next) {
		if (!host_match(h, q, origin))
			continue;
		v[n].p = h;
		c.kind = host_sort_key(h, q->sort, &v[n],
				       arena ? arena + n * SORT_STR_LEN : NULL);
		n++;
	}
	return list_build(v, arena, n, &c, q->per_page, q->page, host_row_cb,
			  ifc);
}

static void
set_counters(json_t *o, const char *prefix, const struct counters *c)
{
	char k[64];

	snprintf(k, sizeof(k), "%sbytes.sent", prefix);
	set_int(o, k, c->bytes_sent);
	snprintf(k, sizeof(k), "%sbytes.rcvd", prefix);
	set_int(o, k, c->bytes_rcvd);
	snprintf(k, sizeof(k), "%spackets.sent", prefix);
	set_int(o, k, c->pkts_sent);
	snprintf(k, sizeof(k), "%spackets.rcvd", prefix);
	set_int(o, k, c->pkts_rcvd);
}

static json_t *
dns_side(void)
{
	return json_pack(
		"{s:i,s:i,s:i,s:{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}}",
		"num_queries", 0, "num_replies_ok", 0, "num_replies_error", 0,
		"queries", "num_a", 0, "num_ns", 0, "num_cname", 0, "num_soa",
		0, "num_ptr", 0, "num_mx", 0, "num_txt", 0, "num_aaaa", 0,
		"num_any", 0, "num_other", 0);
}

json_t *
query_host_data(struct iface *ifc, struct host *h)
{
	char ip[IPADDR_STRLEN], mac[MAC_STRLEN];
	json_t *o = json_object(), *t;
	struct l7_query lq = { QUERY_L7_PROTO };
	static const char *const l4_pfx[] = { "tcp.", "udp.", "icmp.",
					      "other_ip." };
	const struct counters other = host_other(h);
	const struct counters *l4[] = { &h->tcp, &h->udp, &h->icmp, &other };

	if (!o)
		return NULL;
	ipaddr_fmt(&h->ip, ip, sizeof(ip));
	set_str(o, "ip", ip);
	set_int(o, "vlan", h->vlan);
	set_int(o, "ifid", (uint64_t)ifc->id);
	set_str(o, "name", h->name ? h->name : "");
	set_int(o, "ip_version", h->ip.v);
	set_str(o, "tskey", ip);
	set_bool(o, "localhost", h->is_local);
	set_bool(o, "privatehost", ipaddr_is_private(&h->ip));
	set_bool(o, "systemhost", 0);
	set_bool(o, "broadcast_domain_host", h->is_local);
	set_bool(o, "dhcpHost", 0);
	set_bool(o, "is_blacklisted", 0);
	set_bool(o, "is_broadcast", ipaddr_is_broadcast(&h->ip));
	set_bool(o, "is_multicast", ipaddr_is_multicast(&h->ip));
	set_bool(o, "is_rx_only", h->c.pkts_sent == 0);
	set_str(o, "mac", mac_fmt(h->mac, mac, sizeof(mac)));
	set_int(o, "devtype", 0);
	query_host_geo(o, h);
	host_os_fields(o, h);
	set_int(o, "host_pool_id", 0);
	set_int(o, "seen.first", ms2s(h->first_ms));
	set_int(o, "seen.last", ms2s(h->last_ms));
	set_int(o, "duration", duration_s(h->first_ms, h->last_ms));
	set_int(o, "total_activity_time", duration_s(h->first_ms, h->last_ms));
	set_counters(o, "", &h->c);
	for (size_t i = 0; i < sizeof(l4) / sizeof(l4[0]); i++)
		set_counters(o, l4_pfx[i], l4[i]);
	set_bool(o, "tcp.packets.seq_problems", 0);
	set_int(o, "bytes.ndpi.unknown", host_unknown_bytes(h));
	set_real(o, "throughput_bps", h->thpt_bps);
	set_real(o, "throughput_pps", h->thpt_pps);
	set_int(o, "throughput_trend_bps", 0);
	set_int(o, "throughput_trend_pps", 0);
	set_int(o, "active_flows.as_client", h->active_flows_cli);
	set_int(o, "active_flows.as_server", h->active_flows_srv);
	set_int(o, "total_flows.as_client", h->total_flows_cli);
	set_int(o, "total_flows.as_server", h->total_flows_srv);
	set_int(o, "flows.as_client", h->total_flows_cli);
	set_int(o, "flows.as_server", h->total_flows_srv);
	/* the scores of its flows' risks (dpi/risk.h) */
	set_int(o, "score",
		host_ext_ro(h)->score_cli + host_ext_ro(h)->score_srv);
	set_int(o, "score.as_client", host_ext_ro(h)->score_cli);
	set_int(o, "score.as_server", host_ext_ro(h)->score_srv);
	static const char *const zero_keys[] = {
		"alerted_flows.as_client",
		"alerted_flows.as_server",
		"unreachable_flows.as_client",
		"unreachable_flows.as_server",
		"host_unreachable_flows.as_client",
		"host_unreachable_flows.as_server",
		"total_alerts",
		"active_alerted_flows",
		"num_flow_alerts",
	};
	for (size_t i = 0; i < sizeof(zero_keys) / sizeof(zero_keys[0]); i++)
		set_int(o, zero_keys[i], 0);
	set_int(o, "num_alerts", host_num_alerts(ifc, h));
	json_object_set_new(
		o, "dns",
		json_pack("{s:o,s:o}", "sent", dns_side(), "rcvd", dns_side()));
	t = query_l7_host(ifc, h, &lq);
	if (t) {
		/* host/data's ndpi entries carry no id/category. */
		const char *k;
		json_t *e;

		json_object_foreach(t, k, e)
		{
			json_object_del(e, "id");
			json_object_del(e, "category");
			json_object_del(e, "total_flows");
			json_object_del(e, "packets");
		}
		json_object_set_new(o, "ndpi", t);
	}
	lq.group = QUERY_L7_CATEGORY;
	t = query_l7_host(ifc, h, &lq);
	if (t) {
		json_t *cats = json_object(), *e;
		const char *k;

		json_object_foreach(t, k, e)
		{
			json_int_t s = json_integer_value(
				json_object_get(e, "bytes.sent"));
			json_int_t r = json_integer_value(
				json_object_get(e, "bytes.rcvd"));

			json_object_set_new(
				cats, k,
				json_pack("{s:O,s:I,s:I,s:I,s:O}", "category",
					  json_object_get(e, "id"), "bytes",
					  s + r, "bytes.sent", s, "bytes.rcvd",
					  r, "duration",
					  json_object_get(e, "duration")));
		}
		json_decref(t);
		json_object_set_new(o, "ndpi_categories", cats);
	}
	names_host_json(h, o); /* name_source, httpbl (merge/names.c) */
	if (h->is_local && h->local_net >= 0 &&
	    (size_t)h->local_net < ifc->local_nets->n) {
		set_int(o, "local_network_id", (uint64_t)h->local_net);
		set_str(o, "local_network_name",
			ifc->local_nets->v[h->local_net].name);
	}
	return o;
}

struct host *
query_host_lookup(struct iface *ifc, const char *key, int vlan)
{
	char ipbuf[QUERY_STR_MAX];
	const char *at = strchr(key, '@');
	struct ipaddr ip;
	size_t n;

	if (at) {
		char *end;
		long v;

		n = (size_t)(at - key);
		if (n >= sizeof(ipbuf))
			return NULL;
		v = strtol(at + 1, &end, 10);
		if (at[1] == '\0' || *end != '\0' || v < 0 || v > 4095)
			return NULL;
		memcpy(ipbuf, key, n);
		ipbuf[n] = '\0';
		key = ipbuf;
		vlan = (int)v;
	}
	if (vlan < 0)
		vlan = 0;
	if (ipaddr_parse(&ip, key) == 0)
		return iface_host_find(ifc, &ip, (uint16_t)vlan);
	/* Not an address: the first host of that VLAN with this name. */
	for (struct host *h = ifc->host_head; h; h = h->next)
		if (h->vlan == vlan && h->name && strcmp(h->name, key) == 0)
			return h;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* flows                                                               */

/* Owner-side state of one flow listing: the query plus what was
 * resolved from it once (the host filter, the application ids). */
struct flow_sel {
	struct iface *ifc;
	const struct flow_query *q;
	struct host *host;
	int origin;		  /* query_origin_index() of q->origin */
	int app_ids;		  /* "7.126" or "7": ids instead of a name */
	long app_master, app_app; /* -1 = not given */
};

static int
parse_app_ids(const char *s, long *m, long *a)
{
	char *end;

	*m = strtol(s, &end, 10);
	if (end == s || *m < 0 || *m > 65535)
		return 0;
	if (*end == '\0') {
		*a = -1;
		return 1;
	}
	if (*end != '.')
		return 0;
	s = end + 1;
	*a = strtol(s, &end, 10);
	return end != s && *end == '\0' && *a >= 0 && *a <= 65535;
}

static int
flow_app_match(const struct flow_sel *s, const struct flow *f)
{
	const char *want = s->q->application;
	char full[128];

	if (s->app_ids) {
		if (s->app_app < 0)
			return f->l7_master == s->app_master ||
			       f->l7_app == s->app_master;
		return f->l7_master == s->app_master && f->l7_app == s->app_app;
	}
	iface_flow_l7_name(s->ifc, f, full, sizeof(full));
	if (strcasecmp(full, want) == 0)
		return 1;
	return strcasecmp(iface_l7_name(s->ifc, f->l7_master), want) == 0 ||
	       strcasecmp(iface_l7_name(s->ifc, f->l7_app), want) == 0;
}

static int
flow_match(const struct flow_sel *s, const struct flow *f)
{
	const struct flow_query *q = s->q;

	if (s->host && f->cli_host != s->host && f->srv_host != s->host)
		return 0;
	if (s->origin == -1 || (s->origin >= 0 && f->origin != s->origin))
		return 0;
	if (q->vlan >= 0 && f->vlan != q->vlan)
		return 0;
	if (q->l4proto >= 0 && f->l4_proto != q->l4proto)
		return 0;
	if (q->application[0] && !flow_app_match(s, f))
		return 0;
	return 1;
}

static int
flow_sort_key(struct iface *ifc, const struct flow *f, int col,
	      struct sort_item *it, char *slot)
{
	it->tie = f->id;
	switch (col) {
	case QFS_CLIENT:
		it->ip = &f->cli;
		it->k = f->cli_port;
		return SORT_IP;
	case QFS_SERVER:
		it->ip = &f->srv;
		it->k = f->srv_port;
		return SORT_IP;
	case QFS_VLAN:
		it->k = f->vlan;
		break;
	case QFS_PROTO_L4:
		it->s = query_l4_name(f->l4_proto);
		return SORT_STR;
	case QFS_L7:
		it->s = iface_flow_l7_name(ifc, f, slot, SORT_STR_LEN);
		return SORT_STR;
	case QFS_INFO:
		it->s = f->info ? f->info : "";
		return SORT_STR;
	case QFS_DURATION:
		it->k = f->last_ms > f->first_ms ? f->last_ms - f->first_ms : 0;
		break;
	case QFS_THPT:
		it->k = dbl_key(f->thpt_bps);
		break;
	case QFS_FIRST_SEEN:
		it->k = f->first_ms;
		break;
	case QFS_LAST_SEEN:
		it->k = f->last_ms;
		break;
	case QFS_KEY:
		it->k = f->hash;
		break;
	default:
		it->k = f->c2s_bytes + f->s2c_bytes;
		break;
	}
	return SORT_NUM;
}

/* The server's name as upstream shows it: the flow's SNI / HTTP host /
 * DNS query without any ":port", else the host's name, else the IP. */
static void
flow_srv_name(const struct flow *f, const char *ip, char *buf, size_t len)
{
	const char *src = ip;
	size_t n;

	if (f->info && f->info[0])
		src = f->info;
	else if (f->srv_host && f->srv_host->name && f->srv_host->name[0])
		src = f->srv_host->name;
	n = strcspn(src, ":");
	if (src == ip || n == 0) /* an IPv6 address keeps its colons */
		n = strlen(src);
	if (n >= len)
		n = len - 1;
	memcpy(buf, src, n);
	buf[n] = '\0';
}

static json_t *
flow_peer(const struct host *h, const struct ipaddr *ip, uint16_t port,
	  const char *name, int is_server)
{
	char a[IPADDR_STRLEN];
	json_t *o = json_object();

	ipaddr_fmt(ip, a, sizeof(a));
	set_str(o, "ip", a);
	set_int(o, "port", port);
	set_str(o, "name",
		name			     ? name
		: h && h->name && h->name[0] ? h->name
					     : a);
	set_bool(o, "is_broadcast_domain", h && h->is_local);
	if (is_server)
		set_bool(o, "is_broadcast", ipaddr_is_broadcast(ip));
	set_bool(o, "is_dhcp", 0);
	set_bool(o, "is_blacklisted", 0);
	return o;
}

/* nDPI's risks of the flow (dpi/risk.h): the bitmap, {"<id>": name}
 * and the score they add up to (split client/server). */
static void
flow_risk_fields(json_t *o, const struct flow *f)
{
	json_t *info = json_object();
	uint32_t cli, srv, tot = risk_score(f->risk, &cli, &srv);

	set_int(o, "flow_risk", f->risk);
	for (unsigned i = 0; i < RISK_MAX && info; i++) {
		const struct risk_def *d = risk_def(i);
		char k[8];

		if (!(f->risk & ((uint64_t)1 << i)) || d == NULL)
			continue;
		snprintf(k, sizeof(k), "%u", i);
		json_object_set_new(info, k, json_string(d->name));
	}
	if (info)
		json_object_set_new(o, "flow_risk_info", info);
	set_int(o, "score", tot);
	set_int(o, "score.as_client", cli);
	set_int(o, "score.as_server", srv);
}

static json_t *
flow_row(struct iface *ifc, const struct flow *f, int verbose)
{
	json_t *o = json_object();
	char buf[128], ip[IPADDR_STRLEN];
	uint64_t tot = f->c2s_bytes + f->s2c_bytes;
	json_int_t c2s =
		tot ? (json_int_t)((f->c2s_bytes * 100 + tot / 2) / tot) : 0;

	snprintf(buf, sizeof(buf), "%u", f->hash);
	set_str(o, "key", buf);
	snprintf(buf, sizeof(buf), "%u", f->id);
	set_str(o, "hash_id", buf);
	set_int(o, "first_seen", ms2s(f->first_ms));
	set_int(o, "last_seen", ms2s(f->last_ms));
	set_int(o, "duration", duration_s(f->first_ms, f->last_ms));
	json_object_set_new(
		o, "client",
		flow_peer(f->cli_host, &f->cli, f->cli_port, NULL, 0));
	ipaddr_fmt(&f->srv, ip, sizeof(ip));
	flow_srv_name(f, ip, buf, sizeof(buf));
	json_object_set_new(
		o, "server",
		flow_peer(f->srv_host, &f->srv, f->srv_port, buf, 1));
	set_int(o, "vlan", f->vlan);
	json_object_set_new(
		o, "protocol",
		json_pack("{s:s,s:s}", "l4", query_l4_name(f->l4_proto), "l7",
			  f->detection_done
				  ? iface_flow_l7_name(ifc, f, buf, sizeof(buf))
				  : "TooEarly"));
	set_int(o, "bytes", tot);
	json_object_set_new(o, "thpt",
			    json_pack("{s:f,s:f}", "bps", f->thpt_bps * 8,
				      "pps", f->thpt_pps));
	json_object_set_new(o, "breakdown",
			    json_pack("{s:I,s:I}", "cli2srv", c2s, "srv2cli",
				      tot ? 100 - c2s : 0));
	/* the flows page's Info column: SNI / HTTP host / DNS query, from
	 * nDPI (packets) or the exporter's fields (collected) */
	set_str(o, "info", f->info ? f->info : "");
	/* -c's replacement: nDPI's category of the flow's protocol */
	set_str(o, "category", iface_l7_category_name(ifc, f->l7_counted));
	flow_risk_fields(o, f);
	/* ours: where a collected flow comes from (docs/rest.md) */
	if (flow_ext_ro(f)->exporter.v != 0) {
		set_str(o, "device_ip",
			ipaddr_fmt(&flow_ext_ro(f)->exporter, ip, sizeof(ip)));
		set_int(o, "in_index", flow_ext_ro(f)->in_ifindex);
		set_int(o, "out_index", flow_ext_ro(f)->out_ifindex);
	}
	if (flow_ext_ro(f)->sampling > 1)
		set_int(o, "sampling", flow_ext_ro(f)->sampling);
	if (f->origin != 0)
		set_str(o, "origin", ifc->origins[f->origin].id);
	if (verbose) {
		set_int(o, "packets", f->c2s_pkts + f->s2c_pkts);
		/* Per-flow TCP sequence analysis is not kept yet: zeros. */
		if (f->l4_proto == 6)
			json_object_set_new(
				o, "tcp",
				json_pack("{s:f,s:{s:f,s:f},s:{s:i,s:i},s:{s:i,"
					  "s:i},s:{s:i,s:i}}",
					  "appl_latency", 0.0, "nw_latency",
					  "cli", 0.0, "srv", 0.0,
					  "retransmissions", "cli2srv", 0,
					  "srv2cli", 0, "out_of_order",
					  "cli2srv", 0, "srv2cli", 0, "lost",
					  "cli2srv", 0, "srv2cli", 0));
	}
	return o;
}

json_t *
query_flow_details(struct iface *ifc, uint32_t id)
{
	const struct flow *f;
	json_t *o;

	for (f = ifc->flow_head; f; f = f->next)
		if (f->id == id)
			break;
	if (!f)
		return NULL;
	o = flow_row(ifc, f, 1);
	set_int(o, "cli2srv.bytes", f->c2s_bytes);
	set_int(o, "srv2cli.bytes", f->s2c_bytes);
	set_int(o, "cli2srv.packets", f->c2s_pkts);
	set_int(o, "srv2cli.packets", f->s2c_pkts);
	set_int(o, "cli2srv.tcp_flags", f->c2s_tcp_flags);
	set_int(o, "srv2cli.tcp_flags", f->s2c_tcp_flags);
	set_int(o, "ip_version", f->ip_version);
	set_bool(o, "detection_completed", f->detection_done);
	set_bool(o, "guessed", f->guessed);
	set_str(o, "info", f->info ? f->info : "");
	if (flow_ext_ro(f)->extra != NULL) {
		/* the exporter's fields we do not keep ("additional fields") */
		json_t *x = json_loads(flow_ext_ro(f)->extra, 0, NULL);

		json_object_set_new(o, "additional_fields",
				    x ? x : json_object());
	}
	set_int(o, "l7.master", f->l7_master);
	set_int(o, "l7.app", f->l7_app);
	return o;
}

struct flow_row_arg {
	struct iface *ifc;
	int verbose;
};

static json_t *
flow_row_cb(void *f, void *arg)
{
	struct flow_row_arg *a = arg;

	return flow_row(a->ifc, f, a->verbose);
}

json_t *
query_flows_list(struct iface *ifc, struct flow_query *q)
{
	struct flow_sel s = { .ifc = ifc,
			      .q = q,
			      .host = NULL,
			      .origin = -2,
			      .app_ids = 0,
			      .app_master = -1,
			      .app_app = -1 };
	struct flow_row_arg ra = { ifc, q->verbose };
	struct sort_ctx c = { SORT_NUM, q->desc };
	size_t cap = (size_t)ifc->num_flows + 1, n = 0;
	struct sort_item *v;
	char *arena = NULL;

	q->host_not_found = 0;
	if (q->host[0]) {
		s.host = query_host_lookup(ifc, q->host, q->host_vlan);
		if (!s.host) {
			q->host_not_found = 1;
			return NULL;
		}
	}
	if (q->application[0])
		s.app_ids = parse_app_ids(q->application, &s.app_master,
					  &s.app_app);
	s.origin = query_origin_index(ifc, q->origin);
	v = calloc(cap, sizeof(*v));
	if (q->sort == QFS_L7)
		arena = malloc(cap * SORT_STR_LEN);
	if (!v || (q->sort == QFS_L7 && !arena)) {
		free(v);
		free(arena);
		return NULL;
	}
	for (struct flow *f = ifc->flow_head; f && n < cap; f = f->next) {
		if (!flow_match(&s, f))
			continue;
		v[n].p = f;
		c.kind = flow_sort_key(ifc, f, q->sort, &v[n],
				       arena ? arena + n * SORT_STR_LEN : NULL);
		n++;
	}
	return list_build(v, arena, n, &c, q->per_page, q->page, flow_row_cb,
			  &ra);
}

/* ------------------------------------------------------------------ */
/* L7                                                                  */

/* One row of an L7 table before grouping. */
struct l7_row {
	uint16_t proto;
	struct counters c;
	uint64_t pkts; /* both directions */
	uint64_t num_flows, total_flows;
	uint64_t first_ms, last_ms;
};

/* Adds row r to the object keyed by its group label. */
static void
l7_acc(struct iface *ifc, json_t *o, const struct l7_row *r, int group)
{
	const char *label;
	json_t *e;
	json_int_t id = r->proto;

	switch (group) {
	case QUERY_L7_BREED:
		label = iface_l7_breed(ifc, r->proto);
		id = 0;
		break;
	case QUERY_L7_CATEGORY:
		label = iface_l7_category_name(ifc, r->proto);
		id = -1; /* the category id of the first protocol, below */
		break;
	default:
		label = iface_l7_name(ifc, r->proto);
		break;
	}
	if (!label)
		label = "Unknown";
	e = json_object_get(o, label);
	if (!e) {
		e = json_object();
		json_object_set_new(o, label, e);
		if (id < 0)
			id = iface_l7_category(ifc, r->proto);
		set_int(e, "id", (uint64_t)id);
		set_str(e, "breed", iface_l7_breed(ifc, r->proto));
		set_str(e, "category", iface_l7_category_name(ifc, r->proto));
		set_int(e, "first_ms", r->first_ms);
		set_int(e, "last_ms", r->last_ms);
	}
	static const struct {
		const char *k;
		size_t off;
	} f[] = {
		{ "bytes.sent", offsetof(struct l7_row, c.bytes_sent) },
		{ "bytes.rcvd", offsetof(struct l7_row, c.bytes_rcvd) },
		{ "packets.sent", offsetof(struct l7_row, c.pkts_sent) },
		{ "packets.rcvd", offsetof(struct l7_row, c.pkts_rcvd) },
		{ "packets", offsetof(struct l7_row, pkts) },
		{ "num_flows", offsetof(struct l7_row, num_flows) },
		{ "total_flows", offsetof(struct l7_row, total_flows) },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		uint64_t v = *(const uint64_t *)((const char *)r + f[i].off);
		json_int_t old = json_integer_value(json_object_get(e, f[i].k));

		set_int(e, f[i].k, (uint64_t)old + v);
	}
	/* The activity span of a group is the union of its members'. */
	if ((uint64_t)json_integer_value(json_object_get(e, "first_ms")) >
	    r->first_ms)
		set_int(e, "first_ms", r->first_ms);
	if ((uint64_t)json_integer_value(json_object_get(e, "last_ms")) <
	    r->last_ms)
		set_int(e, "last_ms", r->last_ms);
}

/* Turns the first/last ms kept while accumulating into "duration". */
static json_t *
l7_finish(json_t *o)
{
	const char *k;
	json_t *e;

	json_object_foreach(o, k, e)
	{
		uint64_t f = (uint64_t)json_integer_value(
			json_object_get(e, "first_ms"));
		uint64_t l = (uint64_t)json_integer_value(
			json_object_get(e, "last_ms"));

		set_int(e, "duration", (uint64_t)duration_s(f, l));
		json_object_del(e, "first_ms");
		json_object_del(e, "last_ms");
	}
	return o;
}

json_t *
query_l7_iface(struct iface *ifc, const struct l7_query *q)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	for (uint32_t i = 0; i < ifc->n_l7; i++) {
		const struct iface_l7 *l = &ifc->l7[i];
		struct l7_row r;

		if (!l->bytes && !l->pkts && !l->active_flows)
			continue;
		memset(&r, 0, sizeof(r));
		r.proto = (uint16_t)i;
		r.c.bytes_sent = l->bytes_sent;
		r.c.bytes_rcvd = l->bytes_rcvd;
		r.c.pkts_sent = l->pkts_sent;
		r.c.pkts_rcvd = l->pkts_rcvd;
		r.pkts = l->pkts;
		r.num_flows = l->active_flows;
		r.total_flows = l->total_flows;
		r.first_ms = l->first_ms;
		r.last_ms = l->last_ms;
		l7_acc(ifc, o, &r, q->group);
	}
	return l7_finish(o);
}

json_t *
query_l7_host(struct iface *ifc, struct host *h, const struct l7_query *q)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	for (uint16_t i = 0; i < h->n_l7; i++) {
		const struct host_l7 *l = &h->l7[i];
		struct l7_row r;

		/* Only protocols with traffic: an entry whose bytes moved to
		 * the final protocol of its flows stays behind empty. */
		memset(&r, 0, sizeof(r));
		r.c = host_l7_counters(l);
		if (!r.c.bytes_sent && !r.c.bytes_rcvd && !r.c.pkts_sent &&
		    !r.c.pkts_rcvd)
			continue;
		r.proto = l->proto;
		r.pkts = r.c.pkts_sent + r.c.pkts_rcvd;
		r.num_flows = l->num_flows;
		r.total_flows = l->num_flows;
		r.first_ms = u48_get(&l->first_ms);
		r.last_ms = u48_get(&l->last_ms);
		l7_acc(ifc, o, &r, q->group);
	}
	return l7_finish(o);
}

/* ------------------------------------------------------------------ */
/* VLANs                                                               */

json_t *
query_vlans(struct iface *ifc)
{
	uint32_t *hosts = calloc(4096, sizeof(*hosts));
	json_t *rows = json_array();

	if (!hosts || !rows) {
		free(hosts);
		json_decref(rows);
		return NULL;
	}
	for (const struct host *h = ifc->host_head; h; h = h->next)
		hosts[h->vlan & 4095]++;
	for (uint32_t i = 0; i < ifc->n_vlans; i++) {
		const struct iface_vlan *v = &ifc->vlans[i];
		json_t *r = json_object();

		set_int(r, "vlan", v->vlan);
		set_int(r, "num_hosts", hosts[v->vlan]);
		set_int(r, "packets", v->packets);
		set_int(r, "traffic", v->bytes);
		set_int(r, "bytes_sent", v->bytes_sent);
		set_int(r, "bytes_rcvd", v->bytes_rcvd);
		set_int(r, "packets_sent", v->pkts_sent);
		set_int(r, "packets_rcvd", v->pkts_rcvd);
		set_int(r, "non_ip_bytes",
			v->bytes - v->bytes_sent - v->bytes_rcvd);
		set_real(r, "throughput", v->thpt_bps);
		set_int(r, "seen_since", v->first_ms / 1000);
		set_int(r, "last_seen", v->last_ms / 1000);
		json_array_append_new(rows, r);
	}
	free(hosts);
	return rows;
}

/* ------------------------------------------------------------------ */
/* flow counters, traffic, peer graph, contacts (rest-api.md 4.9-4.11) */

json_t *
query_flow_l4_counters(struct iface *ifc)
{
	uint32_t n[256];
	json_t *a = json_array();

	memset(n, 0, sizeof(n));
	for (const struct flow *f = ifc->flow_head; f; f = f->next)
		n[f->l4_proto]++;
	for (int i = 0; i < 256 && a; i++)
		if (n[i])
			json_array_append_new(a, json_pack("{s:i,s:I}", "id", i,
							   "count",
							   (json_int_t)n[i]));
	return a;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *
query_flow_l7_counters(struct iface *ifc)
{
	json_t *o = json_object(), *a = json_array();
	const char **keys = NULL;
	const char *k;
	json_t *v;
	size_t n = 0, i = 0;

	if (!o || !a)
		goto fail;
	for (const struct flow *f = ifc->flow_head; f; f = f->next) {
		const char *name = iface_l7_name(ifc, f->l7_counted);

		if (!name)
			name = "Unknown";
		v = json_object_get(o, name);
		json_object_set_new(
			o, name,
			json_integer(v ? json_integer_value(v) + 1 : 1));
	}
	n = json_object_size(o);
	keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		goto fail;
	json_object_foreach(o, k, v) keys[i++] = k;
	qsort(keys, n, sizeof(*keys), name_cmp);
	for (i = 0; i < n; i++)
		json_array_append_new(
			a, json_pack("{s:s,s:O}", "name", keys[i], "count",
				     json_object_get(o, keys[i])));
	free(keys);
	json_decref(o);
	return a;
fail:
	json_decref(o);
	json_decref(a);
	return NULL;
}

/* The selection of q (host, vlan, l4proto, application, origin); 0, or
 * -1 with q->host_not_found set. */
static int
flow_sel_init(struct iface *ifc, struct flow_query *q, struct flow_sel *s)
{
	memset(s, 0, sizeof(*s));
	s->ifc = ifc;
	s->q = q;
	s->origin = -2;
	s->app_master = s->app_app = -1;
	q->host_not_found = 0;
	if (q->host[0]) {
		s->host = query_host_lookup(ifc, q->host, q->host_vlan);
		if (!s->host) {
			q->host_not_found = 1;
			return -1;
		}
	}
	if (q->application[0])
		s->app_ids = parse_app_ids(q->application, &s->app_master,
					   &s->app_app);
	s->origin = query_origin_index(ifc, q->origin);
	return 0;
}

json_t *
query_flow_traffic(struct iface *ifc, struct flow_query *q)
{
	struct flow_sel s;
	uint64_t sent = 0, rcvd = 0;

	if (flow_sel_init(ifc, q, &s) < 0)
		return NULL;
	for (const struct flow *f = ifc->flow_head; f; f = f->next) {
		if (!flow_match(&s, f))
			continue;
		sent += f->c2s_bytes;
		rcvd += f->s2c_bytes;
	}
	return json_pack("{s:I,s:I}", "totBytesSent", (json_int_t)sent,
			 "totBytesRcvd", (json_int_t)rcvd);
}

/* One pair of hosts of the peer graph: client-side and server-side. */
/* Appends a string to a flat answer's arena (*arena, *len bytes used of
 * *cap); its offset, or -1. */
static int
flat_str(char **arena, size_t *len, size_t *cap, const char *str, uint32_t *off)
{
	size_t n = strlen(str) + 1;

	if (*len + n > *cap) {
		size_t nc = *cap ? *cap * 2 : 4096;
		char *na;

		while (nc < *len + n)
			nc *= 2;
		if (nc > UINT32_MAX || !(na = realloc(*arena, nc)))
			return -1;
		*arena = na;
		*cap = nc;
	}
	memcpy(*arena + *len, str, n);
	*off = (uint32_t)*len;
	*len += n;
	return 0;
}

int
query_flows_flat(struct iface *ifc, struct flow_query *q,
		 struct query_flow_flat *o)
{
	struct flow_sel s;
	size_t cap = (size_t)ifc->num_flows + 1, acap = 0;
	char buf[128], ip[IPADDR_STRLEN];

	memset(o, 0, sizeof(*o));
	if (flow_sel_init(ifc, q, &s) != 0)
		return -1;
	o->rec = calloc(cap, sizeof(*o->rec));
	if (!o->rec)
		return -1;
	for (struct flow *f = ifc->flow_head; f && o->n < cap; f = f->next) {
		struct query_flow_rec *r = &o->rec[o->n];

		if (!flow_match(&s, f))
			continue;
		r->id = f->id;
		r->cli_port = f->cli_port;
		r->srv_port = f->srv_port;
		r->vlan = f->vlan;
		r->l4_proto = f->l4_proto;
		r->cli_local = f->cli_host && f->cli_host->is_local;
		r->srv_local = f->srv_host && f->srv_host->is_local;
		r->c2s_bytes = f->c2s_bytes;
		r->s2c_bytes = f->s2c_bytes;
		r->c2s_pkts = f->c2s_pkts;
		r->s2c_pkts = f->s2c_pkts;
		r->first_s = ms2s(f->first_ms);
		r->last_s = ms2s(f->last_ms);
		r->duration = duration_s(f->first_ms, f->last_ms);
		r->thpt_bps = f->thpt_bps;
		r->thpt_pps = f->thpt_pps;
		if (flat_str(&o->arena, &o->arena_len, &acap,
			     ipaddr_fmt(&f->cli, ip, sizeof(ip)), &r->cli_ip) ||
		    flat_str(&o->arena, &o->arena_len, &acap,
			     ipaddr_fmt(&f->srv, ip, sizeof(ip)), &r->srv_ip) ||
		    flat_str(&o->arena, &o->arena_len, &acap,
			     f->detection_done ? iface_flow_l7_name(ifc, f, buf,
								    sizeof(buf))
					       : "TooEarly",
			     &r->l7) ||
		    flat_str(&o->arena, &o->arena_len, &acap,
			     f->info ? f->info : "", &r->info)) {
			query_flow_flat_free(o);
			return -1;
		}
		o->n++;
	}
	return 0;
}

void
query_flow_flat_free(struct query_flow_flat *o)
{
	free(o->rec);
	free(o->arena);
	memset(o, 0, sizeof(*o));
}

static void
flat_counters(uint64_t v[4], const struct counters *c)
{
	v[0] = c->bytes_sent;
	v[1] = c->bytes_rcvd;
	v[2] = c->pkts_sent;
	v[3] = c->pkts_rcvd;
}

int
query_hosts_flat(struct iface *ifc, struct query_host_flat *o)
{
	size_t cap = (size_t)ifc->num_hosts + 1, acap = 0;
	uint32_t empty;

	memset(o, 0, sizeof(*o));
	o->rec = malloc(cap * sizeof(*o->rec));
	/* offset 0 is "": hosts without a name, AS name or city share it */
	if (!o->rec || flat_str(&o->arena, &o->arena_len, &acap, "", &empty)) {
		query_host_flat_free(o);
		return -1;
	}
	for (const struct host *h = ifc->host_head; h && o->n < cap;
	     h = h->next) {
		struct query_host_rec *r = &o->rec[o->n];
		int net = h->is_local && h->local_net >= 0 &&
			  (size_t)h->local_net < ifc->local_nets->n;

		flat_counters(r->cnt[0], &h->c);
		flat_counters(r->cnt[1], &h->tcp);
		flat_counters(r->cnt[2], &h->udp);
		flat_counters(r->cnt[3], &h->icmp);
		{
			struct counters other = host_other(h);

			flat_counters(r->cnt[4], &other);
		}
		r->first_s = ms2s(h->first_ms);
		r->last_s = ms2s(h->last_ms);
		r->duration = duration_s(h->first_ms, h->last_ms);
		r->unknown_bytes = host_unknown_bytes(h);
		r->total_flows_cli = h->total_flows_cli;
		r->total_flows_srv = h->total_flows_srv;
		r->active_flows_cli = h->active_flows_cli;
		r->active_flows_srv = h->active_flows_srv;
		r->thpt_bps = h->thpt_bps;
		r->thpt_pps = h->thpt_pps;
		r->ip = h->ip;
		r->local_net = net ? h->local_net : -1;
		r->vlan = h->vlan;
		memcpy(r->mac, h->mac, sizeof(r->mac));
		r->is_local = h->is_local;
		r->os = h->os.os;
		r->asn = 0;
		r->country[0] = '\0';
		r->latitude = r->longitude = 0;
		r->name = r->asname = r->city = 0;
		r->net_name = UINT32_MAX;
		if (h->geo) {
			r->asn = h->geo->asn;
			memcpy(r->country, h->geo->country, sizeof(r->country));
			r->country[sizeof(r->country) - 1] = '\0';
			if (h->geo->has_location) {
				r->latitude = h->geo->latitude;
				r->longitude = h->geo->longitude;
			}
			if ((h->geo->asname[0] &&
			     flat_str(&o->arena, &o->arena_len, &acap,
				      h->geo->asname, &r->asname)) ||
			    (h->geo->city[0] &&
			     flat_str(&o->arena, &o->arena_len, &acap,
				      h->geo->city, &r->city))) {
				query_host_flat_free(o);
				return -1;
			}
		}
		if ((h->name && h->name[0] &&
		     flat_str(&o->arena, &o->arena_len, &acap, h->name,
			      &r->name)) ||
		    (net && flat_str(&o->arena, &o->arena_len, &acap,
				     ifc->local_nets->v[h->local_net].name,
				     &r->net_name))) {
			query_host_flat_free(o);
			return -1;
		}
		o->n++;
	}
	return 0;
}

void
query_host_flat_free(struct query_host_flat *o)
{
	free(o->rec);
	free(o->arena);
	memset(o, 0, sizeof(*o));
}

struct peer_pair {
	const struct host *c, *s;
	uint64_t sent, rcvd; /* c -> s, s -> c */
	int taken;
};

static int
pair_key_cmp(const void *a, const void *b)
{
	const struct peer_pair *x = a, *y = b;

	if (x->c != y->c)
		return (uintptr_t)x->c < (uintptr_t)y->c ? -1 : 1;
	if (x->s != y->s)
		return (uintptr_t)x->s < (uintptr_t)y->s ? -1 : 1;
	return 0;
}

static int
pair_value_cmp(const void *a, const void *b)
{
	const struct peer_pair *x = a, *y = b;
	uint64_t vx = x->sent + x->rcvd, vy = y->sent + y->rcvd;

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return pair_key_cmp(a, b);
}

static json_t *
graph_node(const struct host *h)
{
	char ip[IPADDR_STRLEN], id[16], link[IPADDR_STRLEN + 96];
	const char *name;

	ipaddr_fmt(&h->ip, ip, sizeof(ip));
	name = h->name && h->name[0] ? h->name : ip;
	snprintf(id, sizeof(id), "%u", h->id);
	snprintf(link, sizeof(link), "/lua/host_details.lua?host=%s&vlan=%u",
		 ip, (unsigned)h->vlan);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:i}", "node_id", id, "label",
			 name, "link", link, "name", name, "host", ip, "vlan",
			 (int)h->vlan);
}

/* Adds host h to nodes unless there already (ids in seen, n of them). */
static void
graph_add_node(json_t *nodes, const struct host *h, uint32_t *seen, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		if (seen[i] == h->id)
			return;
	seen[(*n)++] = h->id;
	json_array_append_new(nodes, graph_node(h));
}

json_t *
query_flow_graph(struct iface *ifc, const char *host, int vlan, int *not_found)
{
	const struct host *only = NULL;
	struct peer_pair *v;
	size_t n = 0, m = 0, nn = 0;
	uint64_t total = 0;
	uint32_t *seen;
	json_t *nodes, *links;
	int truncated = 0;

	*not_found = 0;
	if (host && host[0]) {
		only = query_host_lookup(ifc, host, vlan);
		if (!only) {
			*not_found = 1;
			return NULL;
		}
	}
	v = calloc((size_t)ifc->num_flows + 1, sizeof(*v));
	seen = calloc(QUERY_GRAPH_MAX_NODES + 2, sizeof(*seen));
	nodes = json_array();
	links = json_array();
	if (!v || !seen || !nodes || !links)
		goto fail;
	for (const struct flow *f = ifc->flow_head; f && n <= ifc->num_flows;
	     f = f->next) {
		if (!f->cli_host || !f->srv_host || f->cli_host == f->srv_host)
			continue;
		if (only && f->cli_host != only && f->srv_host != only)
			continue;
		v[n].c = f->cli_host;
		v[n].s = f->srv_host;
		v[n].sent = f->c2s_bytes;
		v[n].rcvd = f->s2c_bytes;
		n++;
	}
	/* one entry per (client, server) pair */
	qsort(v, n, sizeof(*v), pair_key_cmp);
	for (size_t i = 0; i < n; i++) {
		if (m > 0 && v[m - 1].c == v[i].c && v[m - 1].s == v[i].s) {
			v[m - 1].sent += v[i].sent;
			v[m - 1].rcvd += v[i].rcvd;
		} else {
			v[m++] = v[i];
		}
		total += v[i].sent + v[i].rcvd;
	}
	qsort(v, m, sizeof(*v), pair_value_cmp);
	if (only) {
		for (size_t i = 0; i < m; i++)
			v[i].taken = 1;
	} else if (m > 0) {
		/* pairs above 3 % of the traffic, the bar halved until some
		 * pass; failing that, the busiest pair's client and its peers
		 */
		double pct = 3.0;
		size_t k = 0;

		for (; pct > 1e-6 && k == 0; pct /= 2)
			for (size_t i = 0; i < m; i++)
				if ((double)(v[i].sent + v[i].rcvd) * 100.0 >
				    (double)total * pct) {
					v[i].taken = 1;
					k++;
				}
		if (k == 0)
			for (size_t i = 0; i < m; i++)
				v[i].taken =
					v[i].c == v[0].c || v[i].s == v[0].c;
	}
	for (size_t i = 0; i < m; i++) {
		char ci[IPADDR_STRLEN], si[IPADDR_STRLEN],
			label[2 * IPADDR_STRLEN + 8];
		char lnk[IPADDR_STRLEN + 64], cid[16], sid[16];
		int dup = 0;

		if (!v[i].taken)
			continue;
		/* the reverse pair of one already linked is dropped */
		for (size_t j = 0; j < i && !dup; j++)
			dup = v[j].taken && v[j].c == v[i].s &&
			      v[j].s == v[i].c;
		if (dup)
			continue;
		if (nn + 2 > QUERY_GRAPH_MAX_NODES) {
			truncated = 1;
			break;
		}
		graph_add_node(nodes, v[i].c, seen, &nn);
		graph_add_node(nodes, v[i].s, seen, &nn);
		ipaddr_fmt(&v[i].c->ip, ci, sizeof(ci));
		ipaddr_fmt(&v[i].s->ip, si, sizeof(si));
		snprintf(label, sizeof(label), "%s - %s", ci, si);
		snprintf(lnk, sizeof(lnk), "/lua/flows_stats.lua?host=%s", ci);
		snprintf(cid, sizeof(cid), "%u", v[i].c->id);
		snprintf(sid, sizeof(sid), "%u", v[i].s->id);
		json_array_append_new(
			links,
			json_pack(
				"{s:s,s:s,s:s,s:{s:s,s:s},s:I,s:I,s:I,s:I,s:I}",
				"source_node_id", cid, "target_node_id", sid,
				"label", label, "optional_info", "link_color",
				"#0d6efd", "link", lnk, "value",
				(json_int_t)(v[i].sent + v[i].rcvd), "source",
				(json_int_t)v[i].c->id, "target",
				(json_int_t)v[i].s->id, "sent",
				(json_int_t)v[i].sent, "rcvd",
				(json_int_t)v[i].rcvd));
	}
	free(v);
	free(seen);
	return json_pack("{s:o,s:o,s:b}", "nodes", nodes, "links", links,
			 "max_entries_reached", truncated);
fail:
	free(v);
	free(seen);
	json_decref(nodes);
	json_decref(links);
	return NULL;
}

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (const void *const *)a;
	uintptr_t y = (uintptr_t) * (const void *const *)b;

	return x < y ? -1 : x > y;
}

/* Distinct entries of v[0..n-1] (sorted in place). */
static size_t
distinct(const void **v, size_t n)
{
	size_t d = 0;

	qsort(v, n, sizeof(*v), ptr_cmp);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || v[i] != v[i - 1])
			d++;
	return d;
}

json_t *
query_host_contacts(struct iface *ifc, struct host *h)
{
	const void **cli = calloc((size_t)ifc->num_flows + 1, sizeof(*cli));
	const void **srv = calloc((size_t)ifc->num_flows + 1, sizeof(*srv));
	size_t nc = 0, ns = 0;
	json_t *o = NULL;

	if (cli && srv) {
		for (const struct flow *f = ifc->flow_head; f; f = f->next) {
			if (f->cli_host == h && f->srv_host &&
			    nc <= ifc->num_flows)
				cli[nc++] = f->srv_host;
			if (f->srv_host == h && f->cli_host &&
			    ns <= ifc->num_flows)
				srv[ns++] = f->cli_host;
		}
		o = json_pack("{s:[s,s],s:[I,I],s:[s,s]}", "labels",
			      "Contacted Hosts as Client",
			      "Contacted Hosts as Server", "series",
			      (json_int_t)distinct(cli, nc),
			      (json_int_t)distinct(srv, ns), "colors",
			      "#ff7500", "#0d6efd");
	}
	free(cli);
	free(srv);
	return o;
}

json_t *
query_asn_info(struct iface *ifc, uint32_t asn)
{
	const struct iface_geo *e = NULL;

	tables_geo_sync_all(ifc);
	for (uint32_t i = 0; i < ifc->n_asns; i++)
		if (ifc->asns[i].asn == asn)
			e = &ifc->asns[i];
	if (e == NULL)
		return NULL;
	return json_pack("{s:I,s:s,s:I,s:I,s:I,s:i,s:i,s:f,s:I,s:I,s:I,s:I}",
			 "id", (json_int_t)e->asn, "name", e->name,
			 "first_seen", (json_int_t)(e->first_ms / 1000),
			 "last_seen", (json_int_t)(e->last_ms / 1000),
			 "num_hosts", (json_int_t)e->num_hosts, "alerted_flows",
			 0, "score", 0, "rtt", 0.0, "bytes_sent",
			 (json_int_t)e->bytes_sent, "bytes_rcvd",
			 (json_int_t)e->bytes_rcvd, "packets_sent",
			 (json_int_t)e->pkts_sent, "packets_rcvd",
			 (json_int_t)e->pkts_rcvd);
}

/* ------------------------------------------------------------------ */
/* more tables: every host's data, the traffic matrix, ASes, countries */

json_t *
query_hosts_data_all(struct iface *ifc)
{
	json_t *a = json_array();

	for (struct host *h = ifc->host_head; h && a; h = h->next)
		json_array_append_new(a, query_host_data(ifc, h));
	return a;
}

/* Top hosts by traffic, and the bytes each sent to each other. */
json_t *
query_host_matrix(struct iface *ifc, int n_max)
{
	const struct host *top[QUERY_MATRIX_MAX];
	uint64_t m[QUERY_MATRIX_MAX][QUERY_MATRIX_MAX];
	int n = 0;
	json_t *hosts, *rows;

	if (n_max < 1 || n_max > QUERY_MATRIX_MAX)
		n_max = QUERY_MATRIX_MAX;
	memset(m, 0, sizeof(m));
	/* Insertion into a small sorted array: O(hosts * n). */
	for (const struct host *h = ifc->host_head; h; h = h->next) {
		uint64_t t = h->c.bytes_sent + h->c.bytes_rcvd;
		int i;

		if (n == n_max &&
		    t <= top[n - 1]->c.bytes_sent + top[n - 1]->c.bytes_rcvd)
			continue;
		i = n < n_max ? n++ : n - 1;
		while (i > 0 &&
		       top[i - 1]->c.bytes_sent + top[i - 1]->c.bytes_rcvd <
			       t) {
			top[i] = top[i - 1];
			i--;
		}
		top[i] = h;
	}
	for (const struct flow *f = ifc->flow_head; f; f = f->next) {
		int ci = -1, si = -1;

		for (int i = 0; i < n; i++) {
			if (top[i] == f->cli_host)
				ci = i;
			if (top[i] == f->srv_host)
				si = i;
		}
		if (ci < 0 || si < 0)
			continue;
		m[ci][si] += f->c2s_bytes;
		m[si][ci] += f->s2c_bytes;
	}
	hosts = json_array();
	rows = json_array();
	for (int i = 0; i < n; i++) {
		char ip[IPADDR_STRLEN], key[128];
		json_t *r = json_array();

		ipaddr_fmt(&top[i]->ip, ip, sizeof(ip));
		query_host_key(&top[i]->ip, top[i]->vlan, key, sizeof(key));
		json_array_append_new(
			hosts,
			json_pack("{s:s,s:s,s:i,s:s,s:I}", "ip", ip, "key", key,
				  "vlan", top[i]->vlan, "name",
				  top[i]->name ? top[i]->name : "", "bytes",
				  (json_int_t)(top[i]->c.bytes_sent +
					       top[i]->c.bytes_rcvd)));
		for (int j = 0; j < n; j++)
			json_array_append_new(
				r, json_integer((json_int_t)m[i][j]));
		json_array_append_new(rows, r);
	}
	return json_pack("{s:o,s:o}", "hosts", hosts, "matrix", rows);
}

/*
 * The AS and country tables (merge/geo_tables.c): one row per AS or
 * country that has had a host, with the traffic of its hosts; AS 0
 * "Unknown" and country "" hold the hosts the databases do not place.
 * Rows whose hosts all left stay (their bytes are history) with
 * num_hosts 0.
 */
static json_t *
geo_rows(const struct iface_geo *arr, uint32_t n, int is_asn)
{
	json_t *rows = json_array();

	for (uint32_t i = 0; i < n && rows; i++) {
		const struct iface_geo *e = &arr[i];
		json_t *r =
			json_pack("{s:I,s:I,s:I,s:I,s:f,s:I}", "num_hosts",
				  (json_int_t)e->num_hosts, "bytes_sent",
				  (json_int_t)e->bytes_sent, "bytes_rcvd",
				  (json_int_t)e->bytes_rcvd, "traffic",
				  (json_int_t)(e->bytes_sent + e->bytes_rcvd),
				  "throughput", e->thpt_bps, "seen_since",
				  (json_int_t)(e->first_ms / 1000));

		if (r == NULL)
			continue;
		if (is_asn) {
			set_int(r, "asn", e->asn);
			set_str(r, "asname", e->name);
		} else {
			set_str(r, "country", e->code);
			set_str(r, "name", e->code[0] ? e->code : "Unknown");
		}
		json_array_append_new(rows, r);
	}
	return rows;
}

json_t *
query_asns(struct iface *ifc)
{
	tables_geo_sync_all(ifc);
	return geo_rows(ifc->asns, ifc->n_asns, 1);
}

/* The map's markers: every host with a location, grouped by origin. */
json_t *
query_geo_hosts(struct iface *ifc)
{
	json_t *hosts = json_array(), *origins = json_array();
	uint32_t per_origin[IFACE_MAX_ORIGINS] = { 0 };
	size_t n = 0;
	int truncated = 0;

	if (hosts == NULL || origins == NULL) {
		json_decref(hosts);
		json_decref(origins);
		return NULL;
	}
	for (const struct host *h = ifc->host_head; h; h = h->next) {
		const struct geo_info *g = h->geo;
		char ip[IPADDR_STRLEN], key[128];
		int origin = 0;
		json_t *m;

		if (g == NULL || !g->has_location)
			continue;
		if (n >= QUERY_GEO_MAX_HOSTS) {
			truncated = 1;
			break;
		}
		/* the lowest origin that has flows of it (0: this node) */
		for (int i = 0; i < ifc->n_origins && i < 64; i++)
			if (host_origins(h) & (1ULL << i)) {
				origin = i;
				break;
			}
		per_origin[origin]++;
		ipaddr_fmt(&h->ip, ip, sizeof(ip));
		query_host_key(&h->ip, h->vlan, key, sizeof(key));
		m = json_pack(
			"{s:s,s:s,s:i,s:s,s:f,s:f,s:s,s:s,s:I,s:s,s:I,s:b,"
			"s:s}",
			"ip", ip, "key", key, "vlan", h->vlan, "name",
			h->name ? h->name : "", "lat", g->latitude, "lon",
			g->longitude, "country", g->country, "city", g->city,
			"asn", (json_int_t)g->asn, "asname", g->asname, "bytes",
			(json_int_t)(h->c.bytes_sent + h->c.bytes_rcvd),
			"localhost", h->is_local, "origin",
			ifc->origins[origin].id);
		if (m != NULL)
			json_array_append_new(hosts, m);
		n++;
	}
	for (int i = 0; i < ifc->n_origins; i++)
		json_array_append_new(
			origins,
			json_pack("{s:s,s:I}", "id", ifc->origins[i].id,
				  "located_hosts", (json_int_t)per_origin[i]));
	return json_pack("{s:o,s:o,s:b}", "hosts", hosts, "origins", origins,
			 "truncated", truncated);
}

json_t *
query_countries(struct iface *ifc)
{
	tables_geo_sync_all(ifc);
	return geo_rows(ifc->countries, ifc->n_countries, 0);
}

/* ------------------------------------------------------------------ */
/* the pager of small lists                                            */

/* An order-preserving key of a double: its IEEE bits, negatives
 * reversed (every value, not only those dbl_key() keeps apart). */
static uint64_t
num_key(double d)
{
	uint64_t k;

	memcpy(&k, &d, sizeof(k));
	return k >> 63 ? ~k : k | (UINT64_C(1) << 63);
}

static json_t *
json_row_cb(void *row, void *arg)
{
	(void)arg;
	return json_incref(row);
}

/* The rows become sort_items (numbers by num_key, strings when every
 * row has a string there) and go through the pager of the host and flow
 * lists: ties keep the rows' order. */
json_t *
query_rows_page(json_t *rows, const char *key, int desc, int per_page, int page,
		size_t *total)
{
	size_t n = json_array_size(rows);
	struct sort_item *v = calloc(n ? n : 1, sizeof(*v));
	struct sort_ctx c = { SORT_STR, desc };
	json_t *o, *data = NULL;

	*total = n;
	if (!v) {
		json_decref(rows);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_object_get(json_array_get(rows, i), key);

		v[i].p = json_array_get(rows, i);
		/* desc reverses ties too: counter it, so that equal rows
		 * keep their order both ways */
		v[i].tie = desc ? n - 1 - i : i;
		if (json_is_string(x))
			v[i].s = json_string_value(x);
		else
			c.kind = SORT_NUM;
		v[i].k = num_key(json_number_value(x));
	}
	o = list_build(v, NULL, n, &c, per_page, page, json_row_cb, NULL);
	if (o)
		data = json_incref(json_object_get(o, "data"));
	json_decref(o);
	json_decref(rows);
	return data;
}
