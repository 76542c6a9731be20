/*
 * storage.c - the persistent stores as sinks of the interfaces
 * (storage.h, merge/sink.h).
 *
 * storage_sink_add() registers up to three sinks on an interface, with one
 * context (struct storage_ifc) for the three, so nothing here is indexed
 * by ifid; each op copies its value record into a writer job
 * (exporter/writer.h) for the worker of that backend and returns at once:
 *  - flows (-F, -D): an expired flow -> WREC_FLOW and one WREC_CONTACT per
 *    endpoint host chosen by -D, for the SQLite worker;
 *  - host cache (unless -P): a purged host -> its counters as JSON,
 *    WREC_HOST_SAVE under ntopng.serialized_hosts.<node-id>.<dir>__<ip>@<vlan>
 *    (the interface's identity, storage_iface_id()) with a 1-hour TTL;
 *    a new host -> WREC_HOST_RESTORE.  The Redis worker does the GET,
 *    restore_done() parses the answer into a host snapshot and hands it
 *    to iface_host_restore(), which the owner applies on its next loop
 *    turn.  So the owner never waits for Redis; the cost is one queued
 *    GET per new host (a burst larger than the queue drops restores,
 *    counted as writer drops) and a short window in which a returning
 *    host shows only its new traffic.  A host purged again before its
 *    answer came back is saved without its old counters (rare: hosts
 *    live >= 5 min).
 *  - time series (always): counter snapshots for the RRD worker, the
 *    interface once a second (wall clock, for live and offline inputs
 *    alike: an offline capture shows in the seconds during which it was
 *    read), local hosts and L7 protocols once a minute.  Byte, packet and
 *    drop values are what the counter grew since the series' last
 *    snapshot that was queued (so a dropped one carries over), for the
 *    writer's ABSOLUTE data sources.
 *  - aggregation timeline (-A 2, or -A 1 with -C): every minute, each
 *    aggregate that changed since the last one -> WREC_AGGR, a row of
 *    aggregations/YYYY/MM/DD.sqlite (docs/aggregations.md); the last
 *    ones at the shutdown flush.
 *
 * Host JSON (also what is restored):
 *   {"ip":"10.0.0.1","vlan":0,"first_seen":s,"last_seen":s,
 *    "bytes.sent":n,"bytes.rcvd":n,"packets.sent":n,"packets.rcvd":n,
 *    "tcp":[bs,br,ps,pr],"udp":[..],"icmp":[..],"other":[..],
 *    "unknown_bytes":n,"flows.as_client":n,"flows.as_server":n,
 *    "ndpi":[[id,flows,bs,br,ps,pr,first_ms,last_ms],...],"name":".."}
 */
#include "exporter/storage.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/prefs.h"
#include "state/kv.h"
#include "exporter/writer.h"
#include "exporter/chsink.h"
#include "exporter/influx.h"
#include "merge/alerts.h"
#include "merge/iface.h"
#include "merge/sink.h"

#define STORAGE_MAX_IFACES 64

/* RRD: the counters at the last snapshot posted, so records carry what
 * they grew (owner thread of the interface) */
struct ts_prev {
	uint64_t bytes, packets, drops;
	uint64_t *l7; /* [2 * n_l7]: sent, rcvd by nDPI id */
	uint32_t n_l7;
};

/* One interface's storage: the context of its sinks. */
struct storage_ifc {
	struct iface *ifc;
	int ifid;	  /* writer jobs name the interface by it */
	const char *spec; /* iface_spec(): the flows' origin */
	struct ts_prev prev;
	time_t last_ts;	  /* last interface snapshot */
	time_t last_min;  /* last minute snapshot */
	time_t last_aggr; /* last aggregation timeline snapshot */
	int flushed_flows, flushed_hosts;
	/* storage_failure alert (docs/alerts.md): the writer's failure
	 * counters at the last tick, the last time they grew, engaged */
	uint64_t fail_seen, fail_ms;
	int fail_engaged;
};

static const struct prefs *st_prefs;
static int st_on;
static struct storage_ifc *st_ifcs[STORAGE_MAX_IFACES]; /* main thread */

/* ---- data directory ---- */

int
storage_check_data_dir(const struct prefs *p)
{
	char probe[PATH_MAX];
	struct stat st;
	int fd;

	if (p->data_dir == NULL || p->data_dir[0] == '\0') {
		log_err("-d: empty data directory");
		return -1;
	}
	if (fs_mkdir_p(p->data_dir) != 0) {
		log_err("-d %s: cannot create the data directory: %s",
			p->data_dir, strerror(errno));
		return -1;
	}
	if (stat(p->data_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_err("-d %s: not a directory", p->data_dir);
		return -1;
	}
	/* access() ignores some cases (read-only mounts for root): try it */
	if (snprintf(probe, sizeof(probe), "%s/.write_test.%d", p->data_dir,
		     (int)getpid()) >= (int)sizeof(probe)) {
		log_err("-d %s: path too long", p->data_dir);
		return -1;
	}
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		log_err("-d %s: the data directory is not writable: %s",
			p->data_dir, strerror(errno));
		return -1;
	}
	close(fd);
	unlink(probe);
	return 0;
}

void
storage_iface_names(void)
{
	int i;

	for (i = 0; i < node_n_ifaces; i++)
		if (iface_identity(node_ifaces[i]) != NULL &&
		    writer_iface_set(iface_id(node_ifaces[i]),
				     iface_identity(node_ifaces[i])) != 0)
			log_warn("%s: no storage beyond interface %d",
				 iface_name(node_ifaces[i]),
				 WRITER_MAX_IFACES - 1);
}

int
storage_iface_id(int ifid, char *buf, size_t len)
{
	const char *d = writer_iface_dir(ifid);
	int n;

	if (d == NULL)
		return -1;
	n = snprintf(buf, len, "%s.%s", node_id, d);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

int
storage_open(const struct prefs *p)
{
	st_prefs = p;
	if (p->dump_timeline && p->aggregations == 0)
		log_warn("-C (timeline) has no effect without -A 1 or 2");
	storage_iface_names();
	if ((p->ts_driver == NULL || strcmp(p->ts_driver, "influxdb") != 0) &&
	    ((p->influxdb_url &&
	      strcmp(p->influxdb_url, "http://127.0.0.1:8086") != 0) ||
	     (p->influxdb_db && strcmp(p->influxdb_db, "ntopng") != 0) ||
	     p->influxdb_user != NULL || p->influxdb_retention != 0))
		log_warn("--influxdb-* options have no effect without "
			 "--timeseries-driver influxdb");
	if (p->ts_driver != NULL && !strcmp(p->ts_driver, "influxdb")) {
		struct influx_conf ic;

		memset(&ic, 0, sizeof(ic));
		ic.url = p->influxdb_url;
		ic.db = p->influxdb_db;
		ic.user = p->influxdb_user;
		ic.password = p->influxdb_password;
		ic.retention_days = p->influxdb_retention;
		ic.data_dir = p->data_dir;
		if (influx_start(&ic) != 0)
			return -1;
	}
	if (writer_start(p->data_dir) != 0)
		return -1;
	if (chsink_open(p) != 0) {
		writer_stop();
		influx_stop();
		return -1;
	}
	__atomic_store_n(&st_on, 1, __ATOMIC_RELEASE);
	return 0;
}

void
storage_close(void)
{
	int i;

	struct kv_stats k;
	struct writer_stats w;

	if (!__atomic_load_n(&st_on, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&st_on, 0, __ATOMIC_RELEASE);
	writer_stop();
	chsink_close();
	influx_stop(); /* after the writer handed it every record */
	kv_get_stats(&k);
	writer_get_stats(&w);
	/* one line for the operator (and the tests) */
	log_info("storage: kv %s, %llu ops, %llu write failures, %llu "
		 "reconnects; writer %llu records, %llu dropped, %llu flows, "
		 "%llu contacts, %llu flows lost, %llu contacts lost, "
		 "%llu hosts saved, %llu restored, %llu db errors, %llu rrd "
		 "errors",
		 k.embedded ? "embedded" : "redis", (unsigned long long)k.ops,
		 (unsigned long long)k.write_failures,
		 (unsigned long long)k.reconnects,
		 (unsigned long long)w.written, (unsigned long long)w.dropped,
		 (unsigned long long)w.flows_written,
		 (unsigned long long)w.contacts_written,
		 (unsigned long long)w.flows_lost,
		 (unsigned long long)w.contacts_lost,
		 (unsigned long long)w.hosts_saved,
		 (unsigned long long)w.hosts_restored,
		 (unsigned long long)w.db_errors,
		 (unsigned long long)w.rrd_errors);
	for (i = 0; i < STORAGE_MAX_IFACES; i++) {
		if (st_ifcs[i] == NULL)
			continue;
		free(st_ifcs[i]->prev.l7);
		free(st_ifcs[i]);
		st_ifcs[i] = NULL;
	}
}

static int
mode_match(enum prefs_mode m, int is_local)
{
	switch (m) {
	case PREFS_MODE_ALL:
		return 1;
	case PREFS_MODE_LOCAL:
		return is_local;
	case PREFS_MODE_REMOTE:
		return !is_local;
	default:
		return 0;
	}
}

static int
post(const struct writer_rec *r, int wait)
{
	return wait ? writer_post_wait(r) : writer_post(r);
}

/* ---- flows (SQLite) ---- */

static void
flow_record(const struct storage_ifc *si, const struct flow_rec *f,
	    struct writer_rec *r)
{
	struct writer_flow *w = &r->u.flow;

	memset(r, 0, sizeof(*r));
	r->kind = WREC_FLOW;
	r->ifid = si->ifid;
	w->vlan = f->vlan;
	w->l4_proto = f->l4_proto;
	ipaddr_fmt(&f->cli, w->cli, sizeof(w->cli));
	ipaddr_fmt(&f->srv, w->srv, sizeof(w->srv));
	w->cli_port = f->cli_port;
	w->srv_port = f->srv_port;
	w->c2s_bytes = f->c2s_bytes;
	w->s2c_bytes = f->s2c_bytes;
	w->c2s_pkts = f->c2s_pkts;
	w->s2c_pkts = f->s2c_pkts;
	w->first_ms = f->first_ms;
	w->last_ms = f->last_ms;
	w->l7_master = f->l7_master;
	w->l7_app = f->l7_app;
	snprintf(w->l7_name, sizeof(w->l7_name), "%s", f->l7_name);
	snprintf(w->info, sizeof(w->info), "%s", f->info);
	w->cli_asn = f->cli_asn;
	w->srv_asn = f->srv_asn;
	memcpy(w->cli_country, f->cli_country, sizeof(w->cli_country));
	memcpy(w->srv_country, f->srv_country, sizeof(w->srv_country));
	snprintf(w->cli_name, sizeof(w->cli_name), "%s", f->cli_name);
	{
		/* a longer site path is cut (WRITER_SITE_MAX) */
		size_t n = strnlen(f->site_path, sizeof(w->site_path) - 1);

		memcpy(w->site_path, f->site_path, n);
		w->site_path[n] = '\0';
	}
	snprintf(w->srv_name, sizeof(w->srv_name), "%s", f->srv_name);
	w->ifname = si->spec; /* the input whole, not its label */
}

static void
contact_post(const struct storage_ifc *si, const struct flow_rec *f,
	     int as_client)
{
	struct writer_rec r;
	struct writer_contact *c = &r.u.contact;

	memset(&r, 0, sizeof(r));
	r.kind = WREC_CONTACT;
	r.ifid = si->ifid;
	c->vlan = f->vlan;
	c->l4_proto = f->l4_proto;
	c->as_client = (uint8_t)as_client;
	ipaddr_fmt(as_client ? &f->cli : &f->srv, c->host, sizeof(c->host));
	ipaddr_fmt(as_client ? &f->srv : &f->cli, c->peer, sizeof(c->peer));
	c->peer_port = as_client ? f->srv_port : f->cli_port;
	c->bytes_sent = as_client ? f->c2s_bytes : f->s2c_bytes;
	c->bytes_rcvd = as_client ? f->s2c_bytes : f->c2s_bytes;
	c->pkts_sent = as_client ? f->c2s_pkts : f->s2c_pkts;
	c->pkts_rcvd = as_client ? f->s2c_pkts : f->c2s_pkts;
	c->first_ms = f->first_ms;
	c->last_ms = f->last_ms;
	snprintf(c->l7_name, sizeof(c->l7_name), "%s", f->l7_name);
	post(&r, f->final);
}

/* Sink op: an expired flow -> its row (-F) and contacts (-D). */
static void
flows_expired(void *ctx, const struct flow_rec *f)
{
	struct storage_ifc *si = ctx;
	struct writer_rec r;
	enum prefs_mode dm = st_prefs->dump_hosts;

	if (f->final)
		si->flushed_flows++;
	if (st_prefs->dump_flows &&
	    st_prefs->flows_store == PREFS_FLOWS_SQLITE) {
		flow_record(si, f, &r);
		post(&r, f->final);
	}
	if (dm != PREFS_MODE_NONE) {
		if (f->cli_host && mode_match(dm, f->cli_local))
			contact_post(si, f, 1);
		if (f->srv_host && mode_match(dm, f->srv_local))
			contact_post(si, f, 0);
	}
}

static const struct iface_sink_ops flows_ops = {
	.name = "sqlite",
	.flow_expired = flows_expired,
};

/* ---- hosts (host cache) ---- */

static int
host_key(const struct storage_ifc *si, const struct ipaddr *ip, uint16_t vlan,
	 char *buf, size_t len)
{
	char a[WRITER_IP_MAX], id[WRITER_KEY_MAX];

	if (storage_iface_id(si->ifid, id, sizeof(id)) != 0)
		return -1;
	ipaddr_fmt(ip, a, sizeof(a));
	return snprintf(buf, len, STORAGE_HOST_KEY, id, a, vlan) < (int)len
		       ? 0
		       : -1;
}

static json_t *
l4_json(const struct host_snapshot_counters *c)
{
	return json_pack("[I,I,I,I]", (json_int_t)c->bytes_sent,
			 (json_int_t)c->bytes_rcvd, (json_int_t)c->pkts_sent,
			 (json_int_t)c->pkts_rcvd);
}

char *
storage_host_to_json(const struct host_snapshot *h)
{
	char a[WRITER_IP_MAX];
	json_t *o, *l7;
	char *s;
	uint32_t i;

	ipaddr_fmt(&h->ip, a, sizeof(a));
	l7 = json_array();
	for (i = 0; l7 && h->l7 != NULL && i < h->n_l7; i++) {
		const struct host_snapshot_l7 *l = &h->l7[i];

		json_array_append_new(l7,
				      json_pack("[i,I,I,I,I,I,I,I]", l->proto,
						(json_int_t)l->num_flows,
						(json_int_t)l->bytes_sent,
						(json_int_t)l->bytes_rcvd,
						(json_int_t)l->pkts_sent,
						(json_int_t)l->pkts_rcvd,
						(json_int_t)l->first_ms,
						(json_int_t)l->last_ms));
	}
	o = json_pack("{s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,"
		      "s:I,s:I,s:I,s:o}",
		      "ip", a, "vlan", h->vlan, "first_seen",
		      (json_int_t)(h->first_ms / 1000), "last_seen",
		      (json_int_t)(h->last_ms / 1000), "bytes.sent",
		      (json_int_t)h->c.bytes_sent, "bytes.rcvd",
		      (json_int_t)h->c.bytes_rcvd, "packets.sent",
		      (json_int_t)h->c.pkts_sent, "packets.rcvd",
		      (json_int_t)h->c.pkts_rcvd, "tcp", l4_json(&h->tcp),
		      "udp", l4_json(&h->udp), "icmp", l4_json(&h->icmp),
		      "other", l4_json(&h->other), "unknown_bytes",
		      (json_int_t)h->unknown_bytes, "flows.as_client",
		      (json_int_t)h->flows_as_client, "flows.as_server",
		      (json_int_t)h->flows_as_server, "ndpi",
		      l7 ? l7 : json_array());
	if (o == NULL)
		return NULL;
	if (h->name[0] != '\0')
		json_object_set_new(o, "name", json_string(h->name));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* A non-negative integer member, or 0. */
static uint64_t
jnum(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) && json_integer_value(v) > 0
		       ? (uint64_t)json_integer_value(v)
		       : 0;
}

/* A time member in seconds as milliseconds, or 0: past the year 9999 it
 * is no clock's reading, and its milliseconds would wrap 64 bits. */
static uint64_t
jtime_ms(json_t *o, const char *k)
{
	uint64_t s = jnum(o, k);

	return s <= 253402300799ULL ? s * 1000 : 0;
}

static uint64_t
jidx(json_t *a, size_t i)
{
	json_t *v = json_array_get(a, i);

	return json_is_integer(v) && json_integer_value(v) > 0
		       ? (uint64_t)json_integer_value(v)
		       : 0;
}

static void
l4_parse(struct host_snapshot_counters *c, json_t *a)
{
	c->bytes_sent = jidx(a, 0);
	c->bytes_rcvd = jidx(a, 1);
	c->pkts_sent = jidx(a, 2);
	c->pkts_rcvd = jidx(a, 3);
}

int
storage_host_from_json(const char *js, struct host_snapshot *h,
		       struct host_snapshot_l7 **l7_out)
{
	json_t *o = json_loads(js, 0, NULL), *l7, *e;
	struct host_snapshot_l7 *l7v = NULL;
	size_t i, n = 0;

	*l7_out = NULL;
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return -1;
	}
	memset(h, 0, sizeof(*h));
	h->c.bytes_sent = jnum(o, "bytes.sent");
	h->c.bytes_rcvd = jnum(o, "bytes.rcvd");
	h->c.pkts_sent = jnum(o, "packets.sent");
	h->c.pkts_rcvd = jnum(o, "packets.rcvd");
	l4_parse(&h->tcp, json_object_get(o, "tcp"));
	l4_parse(&h->udp, json_object_get(o, "udp"));
	l4_parse(&h->icmp, json_object_get(o, "icmp"));
	l4_parse(&h->other, json_object_get(o, "other"));
	h->unknown_bytes = jnum(o, "unknown_bytes");
	h->flows_as_client = jnum(o, "flows.as_client");
	h->flows_as_server = jnum(o, "flows.as_server");
	h->first_ms = jtime_ms(o, "first_seen");
	h->last_ms = jtime_ms(o, "last_seen");
	l7 = json_object_get(o, "ndpi");
	if (json_array_size(l7) > 0)
		l7v = calloc(json_array_size(l7), sizeof(*l7v));
	json_array_foreach(l7, i, e)
	{
		uint64_t proto = jidx(e, 0);

		if (l7v == NULL || !json_is_array(e) || proto > 0xffff)
			continue;
		l7v[n].proto = (uint16_t)proto;
		l7v[n].num_flows = (uint32_t)jidx(e, 1);
		l7v[n].bytes_sent = jidx(e, 2);
		l7v[n].bytes_rcvd = jidx(e, 3);
		l7v[n].pkts_sent = jidx(e, 4);
		l7v[n].pkts_rcvd = jidx(e, 5);
		l7v[n].first_ms = jidx(e, 6);
		l7v[n].last_ms = jidx(e, 7);
		n++;
	}
	h->l7 = l7v;
	h->n_l7 = (uint32_t)n;
	if (json_is_string(json_object_get(o, "name")))
		snprintf(h->name, sizeof(h->name), "%s",
			 json_string_value(json_object_get(o, "name")));
	json_decref(o);
	*l7_out = l7v;
	return 0;
}

/* Sink op: a purged host -> SET key json EX ttl. */
static void
hosts_purged(void *ctx, const struct host_snapshot *h)
{
	struct storage_ifc *si = ctx;
	struct writer_rec r;

	if (h->final)
		si->flushed_hosts++;
	memset(&r, 0, sizeof(r));
	r.kind = WREC_HOST_SAVE;
	r.ifid = si->ifid;
	if (host_key(si, &h->ip, h->vlan, r.u.save.key, sizeof(r.u.save.key)))
		return;
	r.u.save.ttl_s = STORAGE_HOST_TTL_S;
	r.u.save.json = storage_host_to_json(h);
	if (r.u.save.json == NULL)
		return;
	post(&r, h->final); /* frees the JSON when dropped */
}

/* Redis worker: the GET's answer, back to the interface by value. */
static void
restore_done(const struct writer_rec *r, char *value)
{
	struct storage_ifc *si = r->u.restore.arg;
	struct host_snapshot s;
	struct host_snapshot_l7 *l7;

	if (value == NULL)
		return;
	if (storage_host_from_json(value, &s, &l7) == 0) {
		s.ip = r->u.restore.ip;
		s.vlan = r->u.restore.vlan;
		if (iface_host_restore(si->ifc, &s) != 0)
			log_warn("%s: out of memory: host not restored",
				 iface_name(si->ifc));
	}
	free(l7);
	free(value);
}

/* Sink op: a new host -> GET its key (answer in restore_done). */
static void
hosts_new(void *ctx, const struct host_snapshot *h)
{
	struct storage_ifc *si = ctx;
	struct writer_rec r;

	memset(&r, 0, sizeof(r));
	r.kind = WREC_HOST_RESTORE;
	r.ifid = si->ifid;
	if (host_key(si, &h->ip, h->vlan, r.u.restore.key,
		     sizeof(r.u.restore.key)))
		return;
	r.u.restore.ip = h->ip;
	r.u.restore.vlan = h->vlan;
	r.u.restore.done = restore_done;
	r.u.restore.arg = si;
	writer_post(&r);
}

/* Sink op: answers still in flight come back before hosts are saved. */
static void
hosts_flush(void *ctx, struct iface *ifc, enum sink_flush_phase ph)
{
	(void)ctx;
	(void)ifc;
	if (ph == SINK_FLUSH_BEGIN)
		writer_drain(3000);
}

static const struct iface_sink_ops hosts_ops = {
	.name = "hostcache",
	.host_new = hosts_new,
	.host_purged = hosts_purged,
	.flush = hosts_flush,
};

/* ---- time series (RRD) ---- */

/* What a counter grew since prev (a counter that went back, e.g. reset,
 * counts from zero). */
static uint64_t
grown(uint64_t cur, uint64_t prev)
{
	return cur >= prev ? cur - prev : cur;
}

static void
ts_iface(struct storage_ifc *si, time_t t, int wait)
{
	struct ts_prev *p = &si->prev;
	struct iface_totals tot;
	struct writer_rec r;

	iface_get_totals(si->ifc, &tot);
	memset(&r, 0, sizeof(r));
	r.kind = WREC_TS_IFACE;
	r.ifid = si->ifid;
	r.u.ts.t = t;
	r.u.ts.v[0] = grown(tot.bytes, p->bytes);
	r.u.ts.v[1] = grown(tot.packets, p->packets);
	r.u.ts.v[2] = tot.num_flows;
	r.u.ts.v[3] = tot.num_hosts;
	r.u.ts.v[4] = grown(tot.drops, p->drops);
	si->last_ts = t;
	if (post(&r, wait) == 0) {
		p->bytes = tot.bytes;
		p->packets = tot.packets;
		p->drops = tot.drops;
	}
}

void
storage_safe_name(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++) {
		char c = src[i];

		dst[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == ':' ||
			  c == '_' || c == '-')
				 ? c
				 : '_';
	}
	dst[i] = '\0';
	if (i == 0 || (dst[0] == '.' && (dst[1] == '\0' || dst[1] == '.')))
		snprintf(dst, len, "_");
}

struct ts_walk {
	struct storage_ifc *si;
	time_t t;
	int wait;
};

/* A host series record of kind for this walk, named "<ip>[@vlan]". */
static void
ts_host_rec(struct writer_rec *r, int kind, const struct ts_walk *w,
	    const struct ipaddr *ip, uint16_t vlan)
{
	char a[WRITER_IP_MAX], n[WRITER_IP_MAX + 8];

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->ifid = w->si->ifid;
	r->u.ts.t = w->t;
	ipaddr_fmt(ip, a, sizeof(a));
	if (vlan)
		snprintf(n, sizeof(n), "%s@%u", a, vlan);
	else
		snprintf(n, sizeof(n), "%s", a);
	storage_safe_name(r->u.ts.name, sizeof(r->u.ts.name), n);
}

/* One local host's growth since its last snapshot (iface_local_host_deltas):
 * 0 when queued, so that the interface moves the host's baseline. */
static int
ts_host(void *arg, const struct ipaddr *ip, uint16_t vlan, uint64_t dsent,
	uint64_t drcvd)
{
	struct ts_walk *w = arg;
	struct writer_rec r;

	ts_host_rec(&r, WREC_TS_HOST, w, ip, vlan);
	r.u.ts.v[0] = dsent;
	r.u.ts.v[1] = drcvd;
	return post(&r, w->wait);
}

/* One L7 protocol's growth since its last snapshot (iface_l7_walk). */
static void
ts_l7(void *arg, uint16_t proto, const char *name, uint64_t sent, uint64_t rcvd)
{
	struct ts_walk *w = arg;
	struct ts_prev *p = &w->si->prev;
	struct writer_rec r;

	if (proto >= p->n_l7) { /* baselines grow with the ids seen */
		uint32_t n = (uint32_t)proto + 64;
		uint64_t *l7 = realloc(p->l7, (size_t)n * 2 * sizeof(*l7));

		if (l7 == NULL)
			return;
		memset(l7 + 2 * (size_t)p->n_l7, 0,
		       (size_t)(n - p->n_l7) * 2 * sizeof(*l7));
		p->l7 = l7;
		p->n_l7 = n;
	}
	memset(&r, 0, sizeof(r));
	r.kind = WREC_TS_L7;
	r.ifid = w->si->ifid;
	r.u.ts.t = w->t;
	storage_safe_name(r.u.ts.name, sizeof(r.u.ts.name), name);
	r.u.ts.v[0] = grown(sent, p->l7[2 * proto]);
	r.u.ts.v[1] = grown(rcvd, p->l7[2 * proto + 1]);
	if (post(&r, w->wait) == 0) {
		p->l7[2 * proto] = sent;
		p->l7[2 * proto + 1] = rcvd;
	}
}

/* One protocol of a local host, its counters so far (InfluxDB's
 * host:ndpi; RRD has no such files). */
static void
ts_host_l7(void *arg, const struct ipaddr *ip, uint16_t vlan, uint16_t proto,
	   const char *name, uint64_t sent, uint64_t rcvd)
{
	struct ts_walk *w = arg;
	struct writer_rec r;

	(void)proto;
	ts_host_rec(&r, WREC_TS_HOST_L7, w, ip, vlan);
	storage_safe_name(r.u.ts.proto, sizeof(r.u.ts.proto), name);
	r.u.ts.v[0] = sent;
	r.u.ts.v[1] = rcvd;
	post(&r, w->wait); /* counters: a dropped one is not carried over */
}

static void
ts_minute(struct storage_ifc *si, time_t t, int wait)
{
	struct ts_walk w = { si, t, wait };

	iface_local_host_deltas(si->ifc, ts_host, &w);
	iface_l7_walk(si->ifc, ts_l7, &w);
	if (influx_running())
		iface_local_host_l7_walk(si->ifc, ts_host_l7, &w);
	si->last_min = t;
}

#define STORAGE_FAIL_QUIET_MS 60000

/* Records the writers lost: failed writes, full queues. */
static uint64_t
writer_failures(const struct writer_stats *w)
{
	struct influx_stats ix;

	/* InfluxDB: points lost (spool or buffer full, refused); a batch
	 * waiting in the spool is not lost */
	influx_get_stats(&ix);
	return w->dropped + w->flows_lost + w->contacts_lost +
	       w->aggregations_lost + w->db_errors + w->rrd_errors +
	       w->kv_errors + ix.dropped_points + ix.rejected_points;
}

/* Once a second: records the writers lost (failed writes, full queues)
 * engage a storage_failure alert on the interface; a minute without a
 * new loss releases it.  The counters are the writers' (all interfaces
 * share them), so every interface sees the same episode. */
static void
storage_fail_check(struct storage_ifc *si, struct iface *ifc, uint64_t wall_ms)
{
	struct writer_stats w;
	uint64_t lost;
	char ifid[16];
	struct alert a;

	writer_get_stats(&w);
	lost = writer_failures(&w);
	snprintf(ifid, sizeof(ifid), "%d", si->ifid);
	if (lost > si->fail_seen) {
		memset(&a, 0, sizeof(a));
		a.type = ALERT_STORAGE_FAILURE;
		a.entity = ALERT_ENT_INTERFACE;
		snprintf(a.entity_val, sizeof(a.entity_val), "%s", ifid);
		snprintf(a.metric, sizeof(a.metric), "storage");
		a.value = (double)lost;
		snprintf(a.msg, sizeof(a.msg),
			 "storage writes failing: %llu records lost or "
			 "failed (db errors %llu, rrd errors %llu, queue "
			 "full %llu)",
			 (unsigned long long)lost,
			 (unsigned long long)w.db_errors,
			 (unsigned long long)w.rrd_errors,
			 (unsigned long long)w.dropped);
		if (alert_engage(ifc, &a) >= 0)
			si->fail_engaged = 1;
		si->fail_seen = lost;
		si->fail_ms = wall_ms;
	} else if (si->fail_engaged &&
		   wall_ms - si->fail_ms >= STORAGE_FAIL_QUIET_MS) {
		alert_release(ifc, ALERT_STORAGE_FAILURE, ALERT_ENT_INTERFACE,
			      ifid, "storage", wall_ms / 1000);
		si->fail_engaged = 0;
	}
}

/* Sink op: the per-second and per-minute snapshots. */
static void
ts_tick(void *ctx, struct iface *ifc, uint64_t wall_ms)
{
	struct storage_ifc *si = ctx;
	time_t t = (time_t)(wall_ms / 1000);

	storage_fail_check(si, ifc, wall_ms);
	if (t > si->last_ts)
		ts_iface(si, t, 0);
	if (t / 60 > si->last_min / 60)
		ts_minute(si, t, 0);
}

/* Sink op: last snapshots at shutdown, once the flows and hosts went. */
static void
ts_flush(void *ctx, struct iface *ifc, enum sink_flush_phase ph)
{
	struct storage_ifc *si = ctx;
	time_t t = (time_t)(time_wall_ms() / 1000);

	if (ph != SINK_FLUSH_END)
		return;
	if (t <= si->last_ts)
		t = si->last_ts + 1;
	ts_iface(si, t, 1);
	ts_minute(si, t, 1); /* final values, even within a minute */
	log_info("%s: flushed %d flows, %d hosts to storage", iface_name(ifc),
		 si->flushed_flows, si->flushed_hosts);
}

static const struct iface_sink_ops ts_ops = {
	.name = "rrd",
	.tick = ts_tick,
	.flush = ts_flush,
};

/* ---- aggregation timeline (-A 2, -C: docs/aggregations.md) ---- */

#define AGGR_TIMELINE_S 60 /* seconds between snapshots */

struct aggr_walk {
	struct storage_ifc *si;
	time_t t;
	int final;
};

/* The contacts column: a JSON array of {ip, vlan, local, count}, or
 * NULL with -E none (counters only). */
static char *
aggr_contacts_json(const struct aggr_snapshot *a)
{
	json_t *arr;
	char *s;

	if (st_prefs->dump_aggregations == PREFS_MODE_NONE)
		return NULL;
	arr = json_array();
	for (uint32_t i = 0; arr != NULL && i < a->n_contacts; i++) {
		char ip[IPADDR_STRLEN];

		ipaddr_fmt(&a->contacts[i].ip, ip, sizeof(ip));
		json_array_append_new(
			arr, json_pack("{s:s,s:i,s:b,s:I}", "ip", ip, "vlan",
				       (int)a->contacts[i].vlan, "local",
				       a->contacts[i].is_local, "count",
				       (json_int_t)a->contacts[i].count));
	}
	s = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
	json_decref(arr);
	return s;
}

static void
aggr_post(void *arg, const struct aggr_snapshot *a)
{
	struct aggr_walk *w = arg;
	struct writer_rec r;

	memset(&r, 0, sizeof(r));
	r.kind = WREC_AGGR;
	r.ifid = w->si->ifid;
	r.u.aggr.epoch = (int64_t)w->t;
	snprintf(r.u.aggr.family, sizeof(r.u.aggr.family), "%s", a->family);
	r.u.aggr.final = (uint8_t)w->final;
	r.u.aggr.first_ms = a->first_ms;
	r.u.aggr.last_ms = a->last_ms;
	r.u.aggr.queries = a->queries;
	r.u.aggr.flows = a->flows;
	r.u.aggr.bytes = a->bytes;
	r.u.aggr.name = strdup(a->name);
	r.u.aggr.contacts = aggr_contacts_json(a);
	if (r.u.aggr.name == NULL) {
		free(r.u.aggr.contacts);
		return;
	}
	post(&r, w->final); /* a full queue drops it (counted, freed) */
}

/* Sink op: every AGGR_TIMELINE_S, the aggregates that changed. */
static void
aggr_tick(void *ctx, struct iface *ifc, uint64_t wall_ms)
{
	struct storage_ifc *si = ctx;
	struct aggr_walk w = { si, (time_t)(wall_ms / 1000), 0 };

	if (w.t < si->last_aggr + AGGR_TIMELINE_S)
		return;
	si->last_aggr = w.t;
	iface_aggr_walk(ifc, aggr_post, &w);
}

/* Sink op: the last snapshot at shutdown (flows ended: final bytes). */
static void
aggr_flush(void *ctx, struct iface *ifc, enum sink_flush_phase ph)
{
	struct aggr_walk w = { ctx, (time_t)(time_wall_ms() / 1000), 1 };

	if (ph == SINK_FLUSH_END)
		iface_aggr_walk(ifc, aggr_post, &w);
}

static const struct iface_sink_ops aggr_ops = {
	.name = "aggregations",
	.tick = aggr_tick,
	.flush = aggr_flush,
};

/* ---- registration ---- */

int
storage_sink_add(struct iface *ifc)
{
	struct storage_ifc *si;
	int ifid = iface_id(ifc);

	if (!__atomic_load_n(&st_on, __ATOMIC_ACQUIRE) || ifid < 0 ||
	    ifid >= STORAGE_MAX_IFACES || st_ifcs[ifid] != NULL)
		return 0;
	/* the Historical interface shows what is stored already */
	if (iface_name(ifc) != NULL &&
	    strcmp(iface_name(ifc), "Historical") == 0 &&
	    iface_inputs(ifc) == (IFACE_IN_OFFLINE | IFACE_IN_HISTORICAL))
		return 0;
	si = calloc(1, sizeof(*si));
	if (si == NULL)
		return -1;
	si->ifc = ifc;
	si->ifid = ifid;
	si->spec = iface_spec(ifc);
	{
		/* failures before this interface existed are not its own */
		struct writer_stats w;

		writer_get_stats(&w);
		si->fail_seen = writer_failures(&w);
	}
	st_ifcs[ifid] = si;
	if (!st_prefs->disable_host_persistence &&
	    iface_add_sink(ifc, &hosts_ops, si) != 0)
		return -1;
	if (((st_prefs->dump_flows &&
	      st_prefs->flows_store == PREFS_FLOWS_SQLITE) ||
	     st_prefs->dump_hosts != PREFS_MODE_NONE) &&
	    iface_add_sink(ifc, &flows_ops, si) != 0)
		return -1;
	if (chsink_add(ifc) != 0)
		return -1;
	if (iface_add_sink(ifc, &ts_ops, si) != 0)
		return -1;
	if ((st_prefs->aggregations == 2 ||
	     (st_prefs->aggregations == 1 && st_prefs->dump_timeline)) &&
	    iface_add_sink(ifc, &aggr_ops, si) != 0)
		return -1;
	si->last_aggr = (time_t)(time_wall_ms() / 1000);
	/* the first, all-zero snapshot */
	ts_iface(si, (time_t)(time_wall_ms() / 1000), 0);
	return 0;
}

/* ---- stats ---- */

json_t *
storage_stats_json(void)
{
	struct kv_stats k;
	struct writer_stats w;
	uint64_t merged, late;

	json_t *o, *ch;
	struct chsink_stats c;

	kv_get_stats(&k);
	writer_get_stats(&w);
	iface_restore_stats(&merged, &late);
	o = json_pack("{s:{s:b,s:b,s:I,s:I,s:I},"
		      "s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
		      "s:I,s:I,s:I,s:I,s:I}}",
		      "kv", "redis_connected", k.redis_connected, "embedded",
		      k.embedded, "reconnects", (json_int_t)k.reconnects,
		      "write_failures", (json_int_t)k.write_failures, "ops",
		      (json_int_t)k.ops, "writer", "posted",
		      (json_int_t)w.posted, "written", (json_int_t)w.written,
		      "dropped", (json_int_t)w.dropped, "queued",
		      (json_int_t)w.queued, "flows_written",
		      (json_int_t)w.flows_written, "contacts_written",
		      (json_int_t)w.contacts_written, "flows_lost",
		      (json_int_t)w.flows_lost, "contacts_lost",
		      (json_int_t)w.contacts_lost, "db_errors",
		      (json_int_t)w.db_errors, "rrd_updates",
		      (json_int_t)w.rrd_updates, "rrd_errors",
		      (json_int_t)w.rrd_errors, "hosts_saved",
		      (json_int_t)w.hosts_saved, "hosts_restored",
		      (json_int_t)w.hosts_restored, "kv_errors",
		      (json_int_t)w.kv_errors, "days_removed",
		      (json_int_t)w.days_removed, "restores_merged",
		      (json_int_t)merged, "restores_late", (json_int_t)late);
	/* --timeseries-driver influxdb: its figures (docs/storage.md) */
	if (o != NULL && influx_configured())
		json_object_set_new(o, "influxdb", influx_stats_json());
	if (o == NULL || !chsink_running())
		return o;
	/* -F clickhouse: the flow store's own figures */
	chsink_get_stats(&c);
	ch = json_pack("{s:b,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
		       "s:I,s:I,s:I,s:I,s:I}",
		       "connected", c.connected, "server",
		       c.server_major ? "known" : "unknown", "posted",
		       (json_int_t)c.posted, "queued", (json_int_t)c.queued,
		       "queue_dropped", (json_int_t)c.queue_dropped,
		       "rows_inserted", (json_int_t)c.rows_inserted,
		       "batches_inserted", (json_int_t)c.batches_inserted,
		       "insert_failures", (json_int_t)c.insert_failures,
		       "spooled_batches", (json_int_t)c.spooled_batches,
		       "spool_batches", (json_int_t)c.spool_batches,
		       "spool_bytes", (json_int_t)c.spool_bytes, "spool_rows",
		       (json_int_t)c.spool_rows, "spool_dropped_batches",
		       (json_int_t)c.spool_dropped_batches,
		       "spool_dropped_rows", (json_int_t)c.spool_dropped_rows,
		       "spool_rejected_batches",
		       (json_int_t)c.spool_rejected_batches,
		       "spool_rejected_rows", (json_int_t)c.spool_rejected_rows,
		       "spool_errors", (json_int_t)c.spool_errors,
		       "partitions_dropped", (json_int_t)c.partitions_dropped);
	if (ch != NULL) {
		char v[32];

		if (c.server_major > 0)
			snprintf(v, sizeof(v), "%d.%d", c.server_major,
				 c.server_minor);
		else
			snprintf(v, sizeof(v), "unknown");
		json_object_set_new(ch, "server", json_string(v));
		json_object_set_new(o, "clickhouse", ch);
	}
	return o;
}
