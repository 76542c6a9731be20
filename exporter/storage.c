/*
 * storage.c - the interfaces' side of persistence (storage.h).
 *
 * Owner-thread hooks copy what leaves memory into writer records
 * (exporter/writer.h) and return at once:
 *  - an expired flow -> WREC_FLOW (-F) and one WREC_CONTACT per endpoint
 *    host chosen by -D;
 *  - a purged host -> its counters as JSON, WREC_HOST_SAVE under
 *    ntopng.serialized_hosts.ifid_<id>__<ip>@<vlan> with a 1-hour TTL;
 *  - a new host -> WREC_HOST_RESTORE.  The writer thread does the GET and
 *    hands the answer to restore_done(), which links it into a per-
 *    interface list; the owner merges it in storage_owner_poll() (one
 *    atomic load per loop turn when nothing came back).  So the owner
 *    never waits for Redis; the cost is one queued GET per new host (a
 *    burst of new hosts larger than the queue drops restores, counted as
 *    writer drops) and a short window in which a returning host shows
 *    only its new traffic.  A host purged again before its answer came
 *    back is saved without its old counters (rare: hosts live >= 5 min).
 *  - counter snapshots for RRD: the interface once a second (wall clock,
 *    for live and offline inputs alike: an offline capture shows in the
 *    seconds during which it was read), local hosts and L7 protocols once
 *    a minute.
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
#include "capture/source.h"
#include "common/prefs.h"
#include "exporter/kv.h"
#include "exporter/writer.h"
#include "merge/iface.h"
#include "merge/tables.h"

#define STORAGE_MAX_IFACES 64

struct restore_answer {
	struct ipaddr ip;
	uint16_t vlan;
	char *json;
	struct restore_answer *next;
};

static const struct prefs *st_prefs;
static int st_on;
static uint8_t st_historical[STORAGE_MAX_IFACES];
static pthread_mutex_t st_lock = PTHREAD_MUTEX_INITIALIZER;
static struct restore_answer *st_answers[STORAGE_MAX_IFACES];
static int st_pending[STORAGE_MAX_IFACES];       /* atomic */
static time_t st_last_ts[STORAGE_MAX_IFACES];    /* last iface snapshot */
static time_t st_last_min[STORAGE_MAX_IFACES];   /* last minute snapshot */
static uint64_t st_restores_merged, st_restores_late;

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

int
storage_open(const struct prefs *p)
{
	int i;

	st_prefs = p;
	if (writer_start(p->data_dir) != 0)
		return -1;
	for (i = 0; i < node_n_ifaces && i < STORAGE_MAX_IFACES; i++)
		st_historical[i] = node_ifaces[i]->name != NULL &&
			strcmp(node_ifaces[i]->name, "Historical") == 0 &&
			node_ifaces[i]->n_sources == 1 &&
			node_ifaces[i]->sources[0]->kind == SOURCE_HISTORICAL;
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
	kv_get_stats(&k);
	writer_get_stats(&w);
	/* one line for the operator (and the tests) */
	log_info("storage: kv %s, %llu ops, %llu write failures, %llu "
		 "reconnects; writer %llu records, %llu dropped, %llu flows, "
		 "%llu hosts saved, %llu restored, %llu db errors, %llu rrd errors",
		 k.embedded ? "embedded" : "redis", (unsigned long long)k.ops,
		 (unsigned long long)k.write_failures,
		 (unsigned long long)k.reconnects, (unsigned long long)w.written,
		 (unsigned long long)w.dropped,
		 (unsigned long long)w.flows_written,
		 (unsigned long long)w.hosts_saved,
		 (unsigned long long)w.hosts_restored,
		 (unsigned long long)w.db_errors,
		 (unsigned long long)w.rrd_errors);
	pthread_mutex_lock(&st_lock);
	for (i = 0; i < STORAGE_MAX_IFACES; i++) {
		while (st_answers[i] != NULL) {
			struct restore_answer *a = st_answers[i];

			st_answers[i] = a->next;
			free(a->json);
			free(a);
		}
	}
	pthread_mutex_unlock(&st_lock);
}

static int
active(const struct iface *ifc)
{
	return __atomic_load_n(&st_on, __ATOMIC_ACQUIRE) &&
	       ifc->id >= 0 && ifc->id < STORAGE_MAX_IFACES &&
	       !st_historical[ifc->id];
}

static int
mode_match(enum prefs_mode m, const struct host *h)
{
	switch (m) {
	case PREFS_MODE_ALL: return 1;
	case PREFS_MODE_LOCAL: return h->is_local;
	case PREFS_MODE_REMOTE: return !h->is_local;
	default: return 0;
	}
}

/* ---- flows ---- */

static void
copy_str(char *dst, size_t len, const char *src)
{
	size_t n = src ? strnlen(src, len - 1) : 0;

	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
flow_record(struct iface *ifc, const struct flow *f, struct writer_rec *r)
{
	struct writer_flow *w = &r->u.flow;

	memset(r, 0, sizeof(*r));
	r->kind = WREC_FLOW;
	r->ifid = ifc->id;
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
	iface_flow_l7_name(ifc, f, w->l7_name, sizeof(w->l7_name));
	copy_str(w->info, sizeof(w->info), f->info);
	w->ifname = ifc->name;
}

static void
contact_post(struct iface *ifc, const struct flow *f, const struct host *h,
	     int as_client, int wait)
{
	struct writer_rec r;
	struct writer_contact *c = &r.u.contact;

	memset(&r, 0, sizeof(r));
	r.kind = WREC_CONTACT;
	r.ifid = ifc->id;
	c->vlan = f->vlan;
	c->l4_proto = f->l4_proto;
	c->as_client = (uint8_t)as_client;
	ipaddr_fmt(&h->ip, c->host, sizeof(c->host));
	ipaddr_fmt(as_client ? &f->srv : &f->cli, c->peer, sizeof(c->peer));
	c->peer_port = as_client ? f->srv_port : f->cli_port;
	c->bytes_sent = as_client ? f->c2s_bytes : f->s2c_bytes;
	c->bytes_rcvd = as_client ? f->s2c_bytes : f->c2s_bytes;
	c->pkts_sent = as_client ? f->c2s_pkts : f->s2c_pkts;
	c->pkts_rcvd = as_client ? f->s2c_pkts : f->c2s_pkts;
	c->first_ms = f->first_ms;
	c->last_ms = f->last_ms;
	iface_flow_l7_name(ifc, f, c->l7_name, sizeof(c->l7_name));
	if (wait)
		writer_post_wait(&r);
	else
		writer_post(&r);
}

static void
flow_out(struct iface *ifc, const struct flow *f, int wait)
{
	struct writer_rec r;
	enum prefs_mode dm = st_prefs->dump_hosts;

	if (st_prefs->dump_flows) {
		flow_record(ifc, f, &r);
		if (wait)
			writer_post_wait(&r);
		else
			writer_post(&r);
	}
	if (dm != PREFS_MODE_NONE) {
		if (f->cli_host && mode_match(dm, f->cli_host))
			contact_post(ifc, f, f->cli_host, 1, wait);
		if (f->srv_host && mode_match(dm, f->srv_host))
			contact_post(ifc, f, f->srv_host, 0, wait);
	}
}

void
storage_flow_expired(struct iface *ifc, const struct flow *f)
{
	if (active(ifc))
		flow_out(ifc, f, 0);
}

/* ---- hosts ---- */

static int
host_key(const struct iface *ifc, const struct ipaddr *ip, uint16_t vlan,
	 char *buf, size_t len)
{
	char a[WRITER_IP_MAX];

	ipaddr_fmt(ip, a, sizeof(a));
	return snprintf(buf, len, STORAGE_HOST_KEY, ifc->id, a, vlan) <
	       (int)len ? 0 : -1;
}

static json_t *
l4_json(const struct counters *c)
{
	return json_pack("[I,I,I,I]", (json_int_t)c->bytes_sent,
			 (json_int_t)c->bytes_rcvd, (json_int_t)c->pkts_sent,
			 (json_int_t)c->pkts_rcvd);
}

char *
storage_host_to_json(struct iface *ifc, const struct host *h)
{
	char a[WRITER_IP_MAX];
	json_t *o, *l7;
	char *s;
	uint16_t i;

	(void)ifc;
	ipaddr_fmt(&h->ip, a, sizeof(a));
	l7 = json_array();
	for (i = 0; l7 && i < h->n_l7; i++) {
		const struct host_l7 *l = &h->l7[i];

		json_array_append_new(l7, json_pack("[i,I,I,I,I,I,I,I]",
			l->proto, (json_int_t)l->num_flows,
			(json_int_t)l->c.bytes_sent, (json_int_t)l->c.bytes_rcvd,
			(json_int_t)l->c.pkts_sent, (json_int_t)l->c.pkts_rcvd,
			(json_int_t)l->first_ms, (json_int_t)l->last_ms));
	}
	o = json_pack("{s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,"
		      "s:I,s:I,s:I,s:o}",
		"ip", a, "vlan", h->vlan,
		"first_seen", (json_int_t)(h->first_ms / 1000),
		"last_seen", (json_int_t)(h->last_ms / 1000),
		"bytes.sent", (json_int_t)h->c.bytes_sent,
		"bytes.rcvd", (json_int_t)h->c.bytes_rcvd,
		"packets.sent", (json_int_t)h->c.pkts_sent,
		"packets.rcvd", (json_int_t)h->c.pkts_rcvd,
		"tcp", l4_json(&h->tcp), "udp", l4_json(&h->udp),
		"icmp", l4_json(&h->icmp), "other", l4_json(&h->other),
		"unknown_bytes", (json_int_t)h->unknown_bytes,
		"flows.as_client", (json_int_t)h->total_flows_cli,
		"flows.as_server", (json_int_t)h->total_flows_srv,
		"ndpi", l7 ? l7 : json_array());
	if (o == NULL)
		return NULL;
	if (h->name != NULL)
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

	return json_is_integer(v) && json_integer_value(v) > 0 ?
	       (uint64_t)json_integer_value(v) : 0;
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

	return json_is_integer(v) && json_integer_value(v) > 0 ?
	       (uint64_t)json_integer_value(v) : 0;
}

static void
l4_merge(struct counters *c, json_t *a)
{
	c->bytes_sent += jidx(a, 0);
	c->bytes_rcvd += jidx(a, 1);
	c->pkts_sent += jidx(a, 2);
	c->pkts_rcvd += jidx(a, 3);
}

int
storage_host_merge_json(struct iface *ifc, struct host *h, const char *js)
{
	json_t *o = json_loads(js, 0, NULL), *l7, *e;
	uint64_t first, last;
	size_t i;

	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return -1;
	}
	h->c.bytes_sent += jnum(o, "bytes.sent");
	h->c.bytes_rcvd += jnum(o, "bytes.rcvd");
	h->c.pkts_sent += jnum(o, "packets.sent");
	h->c.pkts_rcvd += jnum(o, "packets.rcvd");
	l4_merge(&h->tcp, json_object_get(o, "tcp"));
	l4_merge(&h->udp, json_object_get(o, "udp"));
	l4_merge(&h->icmp, json_object_get(o, "icmp"));
	l4_merge(&h->other, json_object_get(o, "other"));
	h->unknown_bytes += jnum(o, "unknown_bytes");
	h->total_flows_cli += jnum(o, "flows.as_client");
	h->total_flows_srv += jnum(o, "flows.as_server");
	first = jtime_ms(o, "first_seen");
	last = jtime_ms(o, "last_seen");
	if (first && first < h->first_ms)
		h->first_ms = first;
	if (last > h->last_ms)
		h->last_ms = last;
	l7 = json_object_get(o, "ndpi");
	json_array_foreach(l7, i, e) {
		uint64_t proto = jidx(e, 0), f7, l7l;
		struct host_l7 *l;

		if (!json_is_array(e) || proto >= ifc->n_l7 || proto > 0xffff)
			continue;
		l = tables_host_l7_get(h, (uint16_t)proto, 0);
		if (l == NULL)
			break;
		l->num_flows += (uint32_t)jidx(e, 1);
		l->c.bytes_sent += jidx(e, 2);
		l->c.bytes_rcvd += jidx(e, 3);
		l->c.pkts_sent += jidx(e, 4);
		l->c.pkts_rcvd += jidx(e, 5);
		f7 = jidx(e, 6);
		l7l = jidx(e, 7);
		if (f7 && (l->first_ms == 0 || f7 < l->first_ms))
			l->first_ms = f7;
		if (l7l > l->last_ms)
			l->last_ms = l7l;
	}
	if (h->name == NULL && json_is_string(json_object_get(o, "name")))
		h->name = strdup(json_string_value(json_object_get(o, "name")));
	json_decref(o);
	return 0;
}

static void
host_save(struct iface *ifc, const struct host *h, int wait)
{
	struct writer_rec r;

	if (st_prefs->disable_host_persistence)
		return;
	memset(&r, 0, sizeof(r));
	r.kind = WREC_HOST_SAVE;
	r.ifid = ifc->id;
	if (host_key(ifc, &h->ip, h->vlan, r.u.save.key, sizeof(r.u.save.key)))
		return;
	r.u.save.ttl_s = STORAGE_HOST_TTL_S;
	r.u.save.json = storage_host_to_json(ifc, h);
	if (r.u.save.json == NULL)
		return;
	if (wait)
		writer_post_wait(&r);
	else
		writer_post(&r);    /* frees the JSON when dropped */
}

void
storage_host_purged(struct iface *ifc, const struct host *h)
{
	if (active(ifc))
		host_save(ifc, h, 0);
}

int
storage_host_sticky(const struct iface *ifc, const struct host *h)
{
	return ifc->prefs != NULL && mode_match(ifc->prefs->sticky_hosts, h);
}

/* Writer thread: the GET's answer, for the owner to merge. */
static void
restore_done(const struct writer_rec *r, char *value)
{
	struct restore_answer *a;

	if (value == NULL)
		return;
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		free(value);
		return;
	}
	a->ip = r->u.restore.ip;
	a->vlan = r->u.restore.vlan;
	a->json = value;
	pthread_mutex_lock(&st_lock);
	a->next = st_answers[r->ifid];
	st_answers[r->ifid] = a;
	__atomic_add_fetch(&st_pending[r->ifid], 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&st_lock);
}

void
storage_host_new(struct iface *ifc, const struct host *h)
{
	struct writer_rec r;

	if (!active(ifc) || st_prefs->disable_host_persistence)
		return;
	memset(&r, 0, sizeof(r));
	r.kind = WREC_HOST_RESTORE;
	r.ifid = ifc->id;
	if (host_key(ifc, &h->ip, h->vlan, r.u.restore.key,
		     sizeof(r.u.restore.key)))
		return;
	r.u.restore.ip = h->ip;
	r.u.restore.vlan = h->vlan;
	r.u.restore.done = restore_done;
	writer_post(&r);
}

void
storage_owner_poll(struct iface *ifc)
{
	struct restore_answer *a;

	if (ifc->id < 0 || ifc->id >= STORAGE_MAX_IFACES ||
	    __atomic_load_n(&st_pending[ifc->id], __ATOMIC_ACQUIRE) == 0)
		return;
	pthread_mutex_lock(&st_lock);
	a = st_answers[ifc->id];
	st_answers[ifc->id] = NULL;
	__atomic_store_n(&st_pending[ifc->id], 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&st_lock);
	while (a != NULL) {
		struct restore_answer *next = a->next;
		struct host *h = iface_host_find(ifc, &a->ip, a->vlan);

		if (h != NULL && storage_host_merge_json(ifc, h, a->json) == 0)
			__atomic_add_fetch(&st_restores_merged, 1, __ATOMIC_RELAXED);
		else
			__atomic_add_fetch(&st_restores_late, 1, __ATOMIC_RELAXED);
		free(a->json);
		free(a);
		a = next;
	}
}

/* ---- time series ---- */

static void
ts_iface(struct iface *ifc, time_t t, int wait)
{
	struct writer_rec r;

	memset(&r, 0, sizeof(r));
	r.kind = WREC_TS_IFACE;
	r.ifid = ifc->id;
	r.u.ts.t = t;
	r.u.ts.v[0] = ifc->stats.bytes;
	r.u.ts.v[1] = ifc->stats.packets;
	r.u.ts.v[2] = ifc->num_flows;
	r.u.ts.v[3] = ifc->num_hosts;
	r.u.ts.v[4] = ifc->stats.drops;
	st_last_ts[ifc->id] = t;
	if (wait)
		writer_post_wait(&r);
	else
		writer_post(&r);
}

void
storage_safe_name(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++) {
		char c = src[i];

		dst[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == ':' ||
			  c == '_' || c == '-') ? c : '_';
	}
	dst[i] = '\0';
	if (i == 0 || (dst[0] == '.' && (dst[1] == '\0' || dst[1] == '.')))
		snprintf(dst, len, "_");
}

static void
ts_minute(struct iface *ifc, time_t t, int wait)
{
	struct writer_rec r;
	struct host *h;
	uint32_t i;

	for (h = ifc->host_head; h != NULL; h = h->next) {
		char a[WRITER_IP_MAX], n[WRITER_IP_MAX + 8];

		if (!h->is_local)
			continue;
		memset(&r, 0, sizeof(r));
		r.kind = WREC_TS_HOST;
		r.ifid = ifc->id;
		r.u.ts.t = t;
		ipaddr_fmt(&h->ip, a, sizeof(a));
		if (h->vlan)
			snprintf(n, sizeof(n), "%s@%u", a, h->vlan);
		else
			snprintf(n, sizeof(n), "%s", a);
		storage_safe_name(r.u.ts.name, sizeof(r.u.ts.name), n);
		r.u.ts.v[0] = h->c.bytes_sent;
		r.u.ts.v[1] = h->c.bytes_rcvd;
		if (wait)
			writer_post_wait(&r);
		else
			writer_post(&r);
	}
	for (i = 0; ifc->l7 != NULL && i < ifc->n_l7; i++) {
		const struct iface_l7 *l = &ifc->l7[i];

		if (l->bytes == 0)
			continue;
		memset(&r, 0, sizeof(r));
		r.kind = WREC_TS_L7;
		r.ifid = ifc->id;
		r.u.ts.t = t;
		storage_safe_name(r.u.ts.name, sizeof(r.u.ts.name),
			  iface_l7_name(ifc, (uint16_t)i));
		r.u.ts.v[0] = l->bytes_sent;
		r.u.ts.v[1] = l->bytes_rcvd;
		if (wait)
			writer_post_wait(&r);
		else
			writer_post(&r);
	}
	st_last_min[ifc->id] = t;
}

void
storage_iface_begin(struct iface *ifc)
{
	if (active(ifc))
		ts_iface(ifc, (time_t)(time_wall_ms() / 1000), 0);
}

void
storage_iface_tick(struct iface *ifc, uint64_t wall_ms)
{
	time_t t = (time_t)(wall_ms / 1000);

	if (!active(ifc))
		return;
	if (t > st_last_ts[ifc->id])
		ts_iface(ifc, t, 0);
	if (t / 60 > st_last_min[ifc->id] / 60)
		ts_minute(ifc, t, 0);
}

void
storage_iface_flush(struct iface *ifc)
{
	struct flow *f;
	struct host *h;
	time_t t = (time_t)(time_wall_ms() / 1000);
	int nflows = 0, nhosts = 0;

	if (!active(ifc))
		return;
	/* restores still in flight must be merged before hosts are saved */
	writer_drain(3000);
	storage_owner_poll(ifc);
	tables_giveup_all(ifc);
	if (st_prefs->dump_flows || st_prefs->dump_hosts != PREFS_MODE_NONE)
		for (f = ifc->flow_head; f != NULL; f = f->next, nflows++)
			flow_out(ifc, f, 1);
	if (!st_prefs->disable_host_persistence)
		for (h = ifc->host_head; h != NULL; h = h->next, nhosts++)
			host_save(ifc, h, 1);
	if (t <= st_last_ts[ifc->id])
		t = st_last_ts[ifc->id] + 1;
	ts_iface(ifc, t, 1);
	ts_minute(ifc, t, 1);        /* final values, even within a minute */
	log_info("%s: flushed %d flows, %d hosts to storage", ifc->name,
		 nflows, nhosts);
}

/* ---- stats ---- */

json_t *
storage_stats_json(void)
{
	struct kv_stats k;
	struct writer_stats w;

	kv_get_stats(&k);
	writer_get_stats(&w);
	return json_pack("{s:{s:b,s:b,s:I,s:I,s:I},"
			 "s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
			 "s:I,s:I,s:I}}",
		"kv", "redis_connected", k.redis_connected,
		"embedded", k.embedded,
		"reconnects", (json_int_t)k.reconnects,
		"write_failures", (json_int_t)k.write_failures,
		"ops", (json_int_t)k.ops,
		"writer", "posted", (json_int_t)w.posted,
		"written", (json_int_t)w.written,
		"dropped", (json_int_t)w.dropped,
		"queued", (json_int_t)w.queued,
		"flows_written", (json_int_t)w.flows_written,
		"contacts_written", (json_int_t)w.contacts_written,
		"db_errors", (json_int_t)w.db_errors,
		"rrd_updates", (json_int_t)w.rrd_updates,
		"rrd_errors", (json_int_t)w.rrd_errors,
		"hosts_saved", (json_int_t)w.hosts_saved,
		"hosts_restored", (json_int_t)w.hosts_restored,
		"kv_errors", (json_int_t)w.kv_errors,
		"days_removed", (json_int_t)w.days_removed,
		"restores_merged", (json_int_t)__atomic_load_n(&st_restores_merged, __ATOMIC_RELAXED),
		"restores_late", (json_int_t)__atomic_load_n(&st_restores_late, __ATOMIC_RELAXED));
}
