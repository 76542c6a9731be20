/*
 * metrics.c - /metrics: the node's numbers in the Prometheus text
 * exposition format (version 0.0.4; docs/metrics.md), for the monitoring
 * system an operator already runs.
 *
 * What: per interface (packets, bytes, drops, flows, hosts, table limits
 * and refusals, alerts, hierarchy latency), per source (records, bytes,
 * messages, errors by cause, msg-id drops, last message), per L7 protocol
 * (bytes, the top METRICS_L7_TOP of each interface and the rest summed as
 * "(other)"), per sink (the storage writer and the -I exporter: queued,
 * written, dropped, failed) and the process (CPU, memory, threads, descriptors,
 * uptime, build).  No per-host label: the cardinality stays bounded by the
 * number of interfaces, sources and protocols.
 *
 * How: the interfaces' numbers come from the same query builders as REST
 * (merge/query.h) through rest_run(), i.e. from each owner thread, so the
 * HTTP thread never reads the tables; the families are written one after
 * the other, each with its HELP and TYPE lines and then one sample per
 * interface (or source, or protocol), as the format wants them grouped.
 */
#include "webui/metrics.h"

#include <dirent.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/prefs.h"
#include "exporter/export.h"
#include "exporter/storage.h"
#include "merge/iface.h"
#include "merge/query.h"
#include "webui/rest.h"

#define METRICS_L7_TOP 50

struct mbuf {
	char *p;
	size_t n, cap;
	int oom;
};

static void
mb_add(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)n < b->cap - b->n) {
			b->n += (size_t)n;
			return;
		}
		size_t cap = (b->cap + (size_t)n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (p == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

void
metrics_label_escape(char *dst, size_t len, const char *v)
{
	size_t o = 0;

	for (; v != NULL && *v && o + 3 < len; v++) {
		if (*v == '\\' || *v == '"') {
			dst[o++] = '\\';
			dst[o++] = *v;
		} else if (*v == '\n') {
			dst[o++] = '\\';
			dst[o++] = 'n';
		} else {
			dst[o++] = *v;
		}
	}
	if (len > 0)
		dst[o < len ? o : len - 1] = '\0';
}

static void
family(struct mbuf *b, const char *name, const char *type, const char *help)
{
	mb_add(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{labels} v for a JSON number v (integers exactly); nothing when v
 * is not a number. */
static void
sample_json(struct mbuf *b, const char *name, const char *labels,
	    const json_t *v)
{
	const char *o = labels[0] ? "{" : "", *c = labels[0] ? "}" : "";

	if (json_is_integer(v))
		mb_add(b, "%s%s%s%s %lld\n", name, o, labels, c,
		       (long long)json_integer_value(v));
	else if (json_is_real(v))
		mb_add(b, "%s%s%s%s %.17g\n", name, o, labels, c,
		       json_real_value(v));
}

/* o's member at a dotted path ("a.b"), or NULL. */
static const json_t *
jpath(const json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while (o != NULL && (dot = strchr(path, '.')) != NULL) {
		size_t n = (size_t)(dot - path);

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		path = dot + 1;
	}
	return o ? json_object_get(o, path) : NULL;
}

/* ---- interfaces ---- */

struct ifx {
	char labels[256]; /* ifid="0",ifname="..." */
	json_t *data, *sources, *l7;
};

struct ifmetric {
	const char *name, *type, *help, *path;
};

static const struct ifmetric if_metrics[] = {
	{ "ntopng_interface_packets_total", "counter",
	  "Packets seen by the interface (every frame).", "packets" },
	{ "ntopng_interface_bytes_total", "counter",
	  "Bytes seen by the interface.", "bytes" },
	{ "ntopng_interface_ip_bytes_total", "counter",
	  "Bytes of IP traffic (what flows carry).", "ip_bytes" },
	{ "ntopng_interface_drops_total", "counter",
	  "Packets the capture dropped.", "drops" },
	{ "ntopng_interface_bad_packets_total", "counter",
	  "Frames the decoder refused.", "decode_errors.bad_packets" },
	{ "ntopng_interface_flows", "gauge", "Active flows.", "num_flows" },
	{ "ntopng_interface_hosts", "gauge", "Active hosts.", "num_hosts" },
	{ "ntopng_interface_local_hosts", "gauge", "Active local hosts.",
	  "num_local_hosts" },
	{ "ntopng_interface_flows_refused_total", "counter",
	  "New flows refused: the flow table was full (-X).",
	  "decode_errors.flows_dropped" },
	{ "ntopng_interface_tables_memory_bytes", "gauge",
	  "Memory the flow, host and MAC tables hold (docs/memory.md).",
	  "memory.tables_bytes" },
	{ "ntopng_interface_flows_evicted_total", "counter",
	  "Flows expired early to keep within --max-memory.",
	  "memory.flows_evicted" },
	{ "ntopng_interface_flows_refused_memory_total", "counter",
	  "New flows refused: no room under --max-memory.",
	  "memory.flows_refused" },
	{ "ntopng_interface_hosts_refused_total", "counter",
	  "New hosts refused: the host table was full (-x).",
	  "decode_errors.hosts_dropped" },
	{ "ntopng_interface_updates_refused_total", "counter",
	  "Collected flow updates refused (bad, or the table full).",
	  "hierarchy.updates_refused" },
	{ "ntopng_interface_loops_refused_total", "counter",
	  "Updates refused because their site path held this node.",
	  "hierarchy.loops_refused" },
	{ "ntopng_interface_engaged_alerts", "gauge", "Alerts engaged now.",
	  "engaged_alerts" },
	{ "ntopng_interface_flow_alerts_total", "counter",
	  "One-shot flow alerts raised.", "alerted_flows" },
	{ "ntopng_interface_risk_score_total", "counter",
	  "Sum of the scores of the flow risks seen.", "score" },
};

static void
interface_metrics(struct mbuf *b, const struct prefs *p, struct ifx *v, int n)
{
	int i;

	for (size_t m = 0; m < sizeof(if_metrics) / sizeof(if_metrics[0]);
	     m++) {
		family(b, if_metrics[m].name, if_metrics[m].type,
		       if_metrics[m].help);
		for (i = 0; i < n; i++)
			sample_json(b, if_metrics[m].name, v[i].labels,
				    jpath(v[i].data, if_metrics[m].path));
	}
	family(b, "ntopng_interface_max_flows", "gauge",
	       "Flow table limit (-X).");
	for (i = 0; i < n; i++)
		mb_add(b, "ntopng_interface_max_flows{%s} %u\n", v[i].labels,
		       p->max_num_flows);
	family(b, "ntopng_interface_max_hosts", "gauge",
	       "Host table limit (-x).");
	for (i = 0; i < n; i++)
		mb_add(b, "ntopng_interface_max_hosts{%s} %u\n", v[i].labels,
		       p->max_num_hosts);
	family(b, "ntopng_interface_update_latency_seconds", "gauge",
	       "Age of collected flow updates on arrival, by quantile "
	       "(a hub's latency from its edges).");
	for (i = 0; i < n; i++) {
		const json_t *l = jpath(v[i].data, "hierarchy.latency_ms");

		if (json_integer_value(json_object_get(l, "samples")) <= 0)
			continue;
		mb_add(b,
		       "ntopng_interface_update_latency_seconds{%s,quantile="
		       "\"0.5\"} %.3f\n",
		       v[i].labels,
		       json_number_value(json_object_get(l, "p50")) / 1000.0);
		mb_add(b,
		       "ntopng_interface_update_latency_seconds{%s,quantile="
		       "\"0.99\"} %.3f\n",
		       v[i].labels,
		       json_number_value(json_object_get(l, "p99")) / 1000.0);
	}
}

/* ---- sources ---- */

static void
source_labels(char *out, size_t len, const struct ifx *x, const json_t *s)
{
	char kind[64];

	metrics_label_escape(kind, sizeof(kind),
			     json_string_value(json_object_get(s, "kind")));
	snprintf(out, len, "%s,source=\"%lld\",kind=\"%s\"", x->labels,
		 (long long)json_integer_value(json_object_get(s, "index")),
		 kind);
}

static void
source_family(struct mbuf *b, struct ifx *v, int n, const char *name,
	      const char *help, const char *key)
{
	char lb[512];

	family(b, name, strstr(name, "_total") ? "counter" : "gauge", help);
	for (int i = 0; i < n; i++) {
		size_t k;
		json_t *s;

		json_array_foreach(v[i].sources, k, s)
		{
			if (json_object_get(s, key) == NULL)
				continue;
			source_labels(lb, sizeof(lb), &v[i], s);
			sample_json(b, name, lb, json_object_get(s, key));
		}
	}
}

static void
source_metrics(struct mbuf *b, struct ifx *v, int n)
{
	char lb[512], cause[64];

	source_family(b, v, n, "ntopng_source_records_total",
		      "Records a source delivered: packets of a capture, "
		      "flows of a collector.",
		      "records");
	source_family(b, v, n, "ntopng_source_bytes_total",
		      "Bytes a source delivered.", "bytes");
	source_family(b, v, n, "ntopng_source_errors_total",
		      "Input a source could not use (all causes).", "errors");
	source_family(b, v, n, "ntopng_source_messages_total",
		      "Messages a collector received.", "messages");
	source_family(b, v, n, "ntopng_source_msg_drops_total",
		      "Messages a collector missed (msg-id gaps).",
		      "msg_drops");
	source_family(b, v, n, "ntopng_source_last_seen_timestamp_seconds",
		      "When a collector last received a message (epoch s; 0 "
		      "never).",
		      "last_seen");
	family(b, "ntopng_source_decode_errors_total", "counter",
	       "Frames a capture could not decode, by cause.");
	for (int i = 0; i < n; i++) {
		size_t k;
		json_t *s;

		json_array_foreach(v[i].sources, k, s)
		{
			const char *c;
			json_t *e, *d = json_object_get(s, "decode_errors");

			json_object_foreach(d, c, e)
			{
				source_labels(lb, sizeof(lb), &v[i], s);
				metrics_label_escape(cause, sizeof(cause), c);
				mb_add(b,
				       "ntopng_source_decode_errors_total{%s,"
				       "cause=\"%s\"} ",
				       lb, cause);
				mb_add(b, "%lld\n",
				       (long long)json_integer_value(e));
			}
		}
	}
}

/* ---- L7 protocols ---- */

struct l7_row {
	const char *name;
	uint64_t bytes;
};

static int
l7_cmp(const void *a, const void *b)
{
	const struct l7_row *x = a, *y = b;

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

static void
l7_metrics(struct mbuf *b, struct ifx *v, int n)
{
	char name[96];

	family(b, "ntopng_l7_bytes_total", "counter",
	       "Bytes per application protocol (nDPI), the top 50 of each "
	       "interface and the rest as \"(other)\".");
	for (int i = 0; i < n; i++) {
		const json_t *nd = json_object_get(v[i].l7, "ndpi");
		size_t cnt = json_object_size(nd), k = 0;
		struct l7_row *rows = calloc(cnt ? cnt : 1, sizeof(*rows));
		uint64_t other = 0;
		const char *key;
		json_t *e;

		if (rows == NULL) {
			b->oom = 1;
			return;
		}
		json_object_foreach((json_t *)nd, key, e)
		{
			rows[k].name = key;
			rows[k].bytes =
				(uint64_t)json_integer_value(
					json_object_get(e, "bytes.sent")) +
				(uint64_t)json_integer_value(
					json_object_get(e, "bytes.rcvd"));
			k++;
		}
		qsort(rows, k, sizeof(*rows), l7_cmp);
		for (size_t j = 0; j < k; j++) {
			if (j >= METRICS_L7_TOP) {
				other += rows[j].bytes;
				continue;
			}
			metrics_label_escape(name, sizeof(name), rows[j].name);
			mb_add(b,
			       "ntopng_l7_bytes_total{%s,proto=\"%s\"} %llu\n",
			       v[i].labels, name,
			       (unsigned long long)rows[j].bytes);
		}
		if (k > METRICS_L7_TOP)
			mb_add(b,
			       "ntopng_l7_bytes_total{%s,proto=\"(other)\"} "
			       "%llu\n",
			       v[i].labels, (unsigned long long)other);
		free(rows);
	}
}

/* ---- sinks ---- */

/*
 * The sink families: each family's samples, one per store, read from the
 * storage ledger (get/ntopng/redis.lua's objects) and the exporter's
 * counters.  A family is printed when one of its objects is there (the
 * InfluxDB and ClickHouse objects only with their options); a row without
 * a sink label is the family's only sample.
 */
enum { SK_WRITER, SK_KV, SK_INFLUX, SK_CH, SK_EXPORT, SK_N };

struct sink_row {
	const char *sink; /* the sink="" label, or NULL for none */
	int obj;	  /* SK_* */
	const char *key;  /* the object's member */
};

static const struct sink_family {
	const char *name, *type, *help;
	int boolean; /* the member is true/false: 1 or 0 */
	struct sink_row rows[5];
} sink_families[] = {
	{ "ntopng_sink_queued",
	  "gauge",
	  "Records waiting in a sink's queue.",
	  0,
	  { { "storage", SK_WRITER, "queued" },
	    { "export", SK_EXPORT, "queued" },
	    { "clickhouse", SK_CH, "queued" } } },
	{ "ntopng_sink_written_total",
	  "counter",
	  "Records a sink wrote (storage) or sent (export: flow records).",
	  0,
	  { { "storage", SK_WRITER, "written" },
	    { "export", SK_EXPORT, "written" },
	    { "influxdb", SK_INFLUX, "points_written" },
	    { "clickhouse", SK_CH, "rows_inserted" } } },
	{ "ntopng_sink_dropped_total",
	  "counter",
	  "Records a sink dropped: its queue was full.",
	  0,
	  { { "storage", SK_WRITER, "dropped" },
	    { "export", SK_EXPORT, "dropped" },
	    { "influxdb", SK_INFLUX, "dropped_points" },
	    { "clickhouse", SK_CH, "queue_dropped" } } },
	{ "ntopng_sink_failed_total",
	  "counter",
	  "Writes that failed, by store.",
	  0,
	  { { "sqlite", SK_WRITER, "db_errors" },
	    { "rrd", SK_WRITER, "rrd_errors" },
	    { "kv", SK_KV, "write_failures" },
	    { "clickhouse", SK_CH, "insert_failures" },
	    { "influxdb", SK_INFLUX, "failures" } } },
	/* --timeseries-driver influxdb (docs/storage.md) */
	{ "ntopng_influxdb_points_written_total",
	  "counter",
	  "Time-series points InfluxDB accepted.",
	  0,
	  { { NULL, SK_INFLUX, "points_written" } } },
	{ "ntopng_influxdb_batches_total",
	  "counter",
	  "Batches InfluxDB accepted.",
	  0,
	  { { NULL, SK_INFLUX, "batches" } } },
	{ "ntopng_influxdb_rejected_points_total",
	  "counter",
	  "Points InfluxDB refused (4xx), not retried.",
	  0,
	  { { NULL, SK_INFLUX, "rejected_points" } } },
	{ "ntopng_influxdb_spooled_points_total",
	  "counter",
	  "Points that waited in the spool (InfluxDB down).",
	  0,
	  { { NULL, SK_INFLUX, "spooled_points" } } },
	{ "ntopng_influxdb_dropped_points_total",
	  "counter",
	  "Points lost: spool or memory buffer full.",
	  0,
	  { { NULL, SK_INFLUX, "dropped_points" } } },
	{ "ntopng_influxdb_spool_bytes",
	  "gauge",
	  "Bytes waiting in the InfluxDB spool.",
	  0,
	  { { NULL, SK_INFLUX, "spool_bytes" } } },
	/* -F clickhouse: its on-disk spool (docs/storage.md) */
	{ "ntopng_sink_spooled_batches_total",
	  "counter",
	  "Batches a sink put in its spool (its store did not take them).",
	  0,
	  { { "clickhouse", SK_CH, "spooled_batches" } } },
	{ "ntopng_sink_spool_batches",
	  "gauge",
	  "Batches waiting in a sink's spool.",
	  0,
	  { { "clickhouse", SK_CH, "spool_batches" } } },
	{ "ntopng_sink_spool_bytes",
	  "gauge",
	  "Bytes of a sink's spool on disk.",
	  0,
	  { { "clickhouse", SK_CH, "spool_bytes" } } },
	{ "ntopng_sink_spool_dropped_total",
	  "counter",
	  "Records dropped from a full spool (oldest first).",
	  0,
	  { { "clickhouse", SK_CH, "spool_dropped_rows" } } },
	{ "ntopng_sink_batches_total",
	  "counter",
	  "Batches a sink's store took.",
	  0,
	  { { "clickhouse", SK_CH, "batches_inserted" } } },
	{ "ntopng_sink_connected",
	  "gauge",
	  "1 when a sink's store answered its last call.",
	  1,
	  { { "clickhouse", SK_CH, "connected" } } },
	{ "ntopng_storage_flows_lost_total",
	  "counter",
	  "Expired flows that could not be written (-F).",
	  0,
	  { { NULL, SK_WRITER, "flows_lost" } } },
	{ "ntopng_kv_redis_connected",
	  "gauge",
	  "1 when the key-value store is a connected Redis.",
	  1,
	  { { NULL, SK_KV, "redis_connected" } } },
};

static void
sink_metrics(struct mbuf *b)
{
	json_t *st = storage_stats_json(), *ex;
	const json_t *obj[SK_N];
	struct export_stats es;
	size_t i, j;

	export_get_stats(&es);
	ex = json_pack("{s:I,s:I,s:I}", "queued", (json_int_t)es.queued,
		       "written", (json_int_t)es.sent_records, "dropped",
		       (json_int_t)es.queue_drops);
	obj[SK_WRITER] = json_object_get(st, "writer");
	obj[SK_KV] = json_object_get(st, "kv");
	obj[SK_INFLUX] = json_object_get(st, "influxdb"); /* or NULL */
	obj[SK_CH] = json_object_get(st, "clickhouse");	  /* or NULL */
	obj[SK_EXPORT] = ex;
	for (i = 0; i < sizeof(sink_families) / sizeof(sink_families[0]); i++) {
		const struct sink_family *f = &sink_families[i];
		const struct sink_row *r;
		int any = 0;

		for (j = 0; j < 5 && f->rows[j].key != NULL; j++)
			any |= obj[f->rows[j].obj] != NULL;
		if (!any)
			continue;
		family(b, f->name, f->type, f->help);
		for (j = 0; j < 5 && (r = &f->rows[j])->key != NULL; j++) {
			const json_t *v = obj[r->obj];
			char lb[64] = "";

			if (v == NULL)
				continue;
			if (r->sink != NULL)
				snprintf(lb, sizeof(lb), "sink=\"%s\"",
					 r->sink);
			v = json_object_get(v, r->key);
			if (f->boolean)
				mb_add(b, "%s%s%s%s %d\n", f->name,
				       lb[0] ? "{" : "", lb, lb[0] ? "}" : "",
				       json_is_true(v));
			else
				sample_json(b, f->name, lb, v);
		}
	}
	json_decref(ex);
	json_decref(st);
}

/* ---- the process ---- */

static void
process_metrics(struct mbuf *b)
{
	char buf[1024], *p;
	FILE *f = fopen("/proc/self/stat", "r");
	unsigned long long ut = 0, stt = 0, start = 0, vsize = 0;
	long long rss = 0, threads = 0, btime = 0;
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	int fds = 0;
	DIR *d;

	if (f)
		fclose(f);
	buf[n] = '\0';
	/* after the ")" of the command name: field 3 on */
	p = strrchr(buf, ')');
	if (p == NULL ||
	    sscanf(p + 2,
		   "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
		   "%*d %*d %*d %*d %lld %*d %llu %llu %lld",
		   &ut, &stt, &threads, &start, &vsize, &rss) != 6)
		return;
	f = fopen("/proc/stat", "r");
	while (f && fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "btime %lld", &btime) == 1)
			break;
	if (f)
		fclose(f);
	if ((d = opendir("/proc/self/fd")) != NULL) {
		struct dirent *e;

		while ((e = readdir(d)) != NULL)
			fds += e->d_name[0] != '.';
		closedir(d);
	}
	if (tck <= 0)
		tck = 100;
	family(b, "process_cpu_seconds_total", "counter",
	       "User and system CPU time spent, in seconds.");
	mb_add(b, "process_cpu_seconds_total %.2f\n",
	       (double)(ut + stt) / (double)tck);
	family(b, "process_resident_memory_bytes", "gauge",
	       "Resident memory size in bytes.");
	mb_add(b, "process_resident_memory_bytes %lld\n", rss * page);
	family(b, "process_virtual_memory_bytes", "gauge",
	       "Virtual memory size in bytes.");
	mb_add(b, "process_virtual_memory_bytes %llu\n", vsize);
	family(b, "process_open_fds", "gauge", "Open file descriptors.");
	mb_add(b, "process_open_fds %d\n", fds - 1); /* not opendir's */
	family(b, "process_start_time_seconds", "gauge",
	       "Start time of the process since the epoch, in seconds.");
	mb_add(b, "process_start_time_seconds %.2f\n",
	       (double)btime + (double)start / (double)tck);
	family(b, "ntopng_uptime_seconds", "gauge",
	       "Seconds since the process started.");
	mb_add(b, "ntopng_uptime_seconds %.0f\n",
	       (double)time(NULL) -
		       ((double)btime + (double)start / (double)tck));
	family(b, "ntopng_threads", "gauge", "Threads of the process.");
	mb_add(b, "ntopng_threads %lld\n", threads);
}

char *
metrics_render(const struct prefs *p)
{
	struct mbuf b = { 0 };
	struct ifx *v = calloc(node_n_ifaces ? node_n_ifaces : 1, sizeof(*v));
	struct query_iface_arg qa = { 0 };
	struct l7_query lq = { QUERY_L7_PROTO };
	char name[128];
	int i, n = 0;

	if (v == NULL)
		return NULL;
	for (i = 0; i < node_n_ifaces; i++) {
		struct iface *ifc = node_ifaces[i];
		struct ifx *x = &v[n];

		if (rest_run(ifc, query_b_iface_data, &qa, sizeof(qa), NULL,
			     &x->data) != REST_RC_OK)
			continue;
		rest_run(ifc, query_b_iface_sources, NULL, 0, NULL,
			 &x->sources);
		rest_run(ifc, query_b_l7_iface, &lq, sizeof(lq), NULL, &x->l7);
		metrics_label_escape(
			name, sizeof(name),
			json_string_value(json_object_get(x->data, "ifname")));
		snprintf(x->labels, sizeof(x->labels),
			 "ifid=\"%d\",ifname=\"%s\"", query_iface_id(ifc),
			 name);
		n++;
	}
	family(&b, "ntopng_build_info", "gauge",
	       "Always 1; the labels name the build.");
	mb_add(&b, "ntopng_build_info{version=\"%s\"} 1\n", NTOPNG_VERSION);
	interface_metrics(&b, p, v, n);
	source_metrics(&b, v, n);
	l7_metrics(&b, v, n);
	sink_metrics(&b);
	process_metrics(&b);
	for (i = 0; i < n; i++) {
		json_decref(v[i].data);
		json_decref(v[i].sources);
		json_decref(v[i].l7);
	}
	free(v);
	if (b.oom || b.p == NULL) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
