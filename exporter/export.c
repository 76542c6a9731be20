/*
 * export.c - the -I publisher (see export.h and docs/hierarchy.md).
 *
 * Late subscribers: a PUB sends only to peers whose subscription it has
 * already seen, and a pcap is read in milliseconds, faster than a peer
 * connects.  So every endpoint, binding or connecting, is an XPUB: the
 * exporter sees each subscription arrive, and until its endpoint has one
 * it keeps what it would have sent in a per-endpoint backlog (at most
 * EXPORT_BACKLOG messages; past that the oldest are dropped and counted),
 * then sends the backlog in order.  A binding endpoint serves the peers
 * subscribed when it sends: one that subscribes later misses what went
 * before (use connecting endpoints when several peers must each see
 * everything, docs/hierarchy.md).  Each endpoint numbers its own messages
 * (msg_id), so a message one peer never needed is no gap for another.
 *
 * Threads: interface owners call export_flow(), which copies the update
 * into a bounded ring under a mutex (a full ring drops and counts: the
 * owner never waits).  One exporter thread owns every PUB socket for its
 * whole life (ZMQ sockets are not thread-safe: upstream's shared socket
 * is what corrupts its frames, zmq-wire.md §2.1).  It drains the ring,
 * encodes a batch and sends each message as exactly two frames to every
 * endpoint, then an `event` message every second.
 *
 * Wire (zmq-wire.md §2.2, §3.3, §4.2), default dialect:
 *   frame 1: 28-byte v2 header
 *     0..15  topic "flow" / "event", NUL padded
 *     16     version: 3 = TLV payload, 2 = JSON payload
 *     17     0
 *     18..19 payload length & 0xffff, little-endian (informational)
 *     20..23 msg_id, big-endian, +1 per message, shared by all topics
 *     24..27 source_id, big-endian: FNV-1a of the node id (stable)
 *   frame 2: nDPI TLV v1 (0x01 0x01, then items, 0x01 ends a record),
 *            numeric keys of the NetFlow/IPFIX and ntop PEN tables;
 *            or, with --json-labels, a JSON array of objects with labels.
 *            One field list (export_fields, generated from the field
 *            dictionary common/flow_fields.def) drives both encoders.
 * Two string keys are ours: SITE_PATH (the node ids the update crossed,
 * origin first, '>'-separated) and ORIGIN_SEQ (the origin's sequence
 * number of the update).  Upstream keeps unknown keys as opaque extras.
 * Payloads stay under 120 KiB (upstream accepts 128 KiB, §3.6); counters
 * above 2^32-1 are split over several records (upstream parses u32).
 */
#include "exporter/export.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <zmq.h>

#include "collector/collector.h"
#include "common/flow_fields.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/prefs.h"
#include "merge/alerts.h"
#include "merge/alerts_thr.h"
#include "merge/iface.h"
#include "merge/sink.h"
#include "merge/tables.h"

#define EXPORT_RING 16384
#define EXPORT_MAX_PAYLOAD (120 * 1024)
#define EXPORT_MAX_RECORD 1024 /* bound of one encoded record */
#define EXPORT_MAX_SOCKETS 8
#define EXPORT_HDR_LEN 28
#define EXPORT_BACKLOG 512 /* messages kept per endpoint */
#define EXPORT_ALERTS 512  /* alerts waiting for the thread */

struct export_rec {
	struct flow_update u; /* its pointers are not used */
	char info[128];
	char path[256];
};

struct export_msg {
	char topic[16];
	int version;
	void *payload;
	size_t len;
};

struct export_sock {
	void *sock; /* an XPUB */
	char *endpoint;
	int connect_mode; /* connects (trailing c) rather than binds */
	int subscribed;	  /* a peer's subscription has arrived */
	uint32_t msg_id;  /* last msg_id sent on this endpoint */
	struct export_msg *backlog; /* waiting for a subscriber, oldest first */
	size_t n_backlog;
	uint64_t backlog_drops;
};

static struct {
	int active;
	int json_labels;
	void *ctx;
	struct export_sock socks[EXPORT_MAX_SOCKETS];
	int n_socks;
	pthread_t thread;
	int running;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct export_rec *ring; /* [EXPORT_RING] */
	uint64_t head, tail;	 /* head - tail records queued */
	uint64_t next_seq;	 /* origin sequence of our own updates */
	struct export_stats st;

	int export_interval;
} ex = { .lock = PTHREAD_MUTEX_INITIALIZER }; /* .cond: export_start() */

int
export_active(void)
{
	return ex.active;
}

void
export_get_stats(struct export_stats *out)
{
	pthread_mutex_lock(&ex.lock);
	*out = ex.st;
	pthread_mutex_unlock(&ex.lock);
}

/* Alerts for the `alert` topic (docs/hierarchy.md), past ones and engaged
 * ones (tstamp_end 0: new or re-announced): a ring under
 * ex.lock, filled by the owners' sink op, drained by the thread; full:
 * dropped and counted. */
static struct alert ex_alerts[EXPORT_ALERTS];
static uint64_t ex_alert_head, ex_alert_tail, ex_alert_drops;

static void
export_sink_alert(void *ctx, const struct alert *a)
{
	(void)ctx;
	pthread_mutex_lock(&ex.lock);
	if (ex_alert_head - ex_alert_tail >= EXPORT_ALERTS)
		ex_alert_drops++;
	else
		ex_alerts[ex_alert_head++ % EXPORT_ALERTS] = *a;
	pthread_cond_signal(&ex.cond);
	pthread_mutex_unlock(&ex.lock);
}

/* Sink op (merge/sink.h): one interface's delta or relayed update. */
static int
export_sink_flow(void *ctx, const struct flow_update *u)
{
	(void)ctx;
	return export_flow(u);
}

static const struct iface_sink_ops export_sink_ops = {
	.name = "zmq-export",
	.flow_exported = export_sink_flow,
	.alert = export_sink_alert,
	.alert_engaged = export_sink_alert, /* tstamp_end 0 says engaged */
};

int
export_sink_add(struct iface *ifc)
{
	if (!ex.active)
		return 0;
	return iface_add_sink(ifc, &export_sink_ops, NULL);
}

int
export_flow(const struct flow_update *u)
{
	struct export_rec *r;
	int rc = 0;

	if (!ex.active)
		return -1;
	pthread_mutex_lock(&ex.lock);
	if (ex.head - ex.tail >= EXPORT_RING) {
		ex.st.queue_drops++;
		rc = -1;
		goto out;
	}
	r = &ex.ring[ex.head % EXPORT_RING];
	r->u = *u;
	r->u.info = NULL;
	r->u.site_path = NULL;
	r->u.extra = NULL; /* additional fields are not relayed */
	snprintf(r->info, sizeof(r->info), "%s", u->info ? u->info : "");
	if (u->site_path != NULL && u->site_path[0] != '\0') {
		/* relayed: keep its origin and sequence, append ourselves */
		if ((size_t)snprintf(r->path, sizeof(r->path), "%s>%s",
				     u->site_path,
				     node_id) >= sizeof(r->path)) {
			ex.st.queue_drops++;
			rc = -1;
			goto out;
		}
	} else {
		snprintf(r->path, sizeof(r->path), "%s", node_id);
		r->u.origin_seq = ++ex.next_seq;
	}
	ex.head++;
	ex.st.queued++;
	if (ex.head - ex.tail >= 256)
		pthread_cond_signal(&ex.cond);
out:
	pthread_mutex_unlock(&ex.lock);
	return rc;
}

/* ---- TLV writer (nDPI serializer v1, zmq-wire.md §3.3) ---- */

struct tlv {
	uint8_t *b;
	size_t len, cap;
};

static void
tlv_put_be(struct tlv *t, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--)
		t->b[t->len++] = (uint8_t)(v >> (8 * i));
}

/* Key type and width: the smallest unsigned that holds it. */
static void
tlv_key(struct tlv *t, uint8_t vtype, uint32_t key)
{
	if (key <= 0xff) {
		t->b[t->len++] = (uint8_t)(2 << 4 | vtype);
		tlv_put_be(t, key, 1);
	} else if (key <= 0xffff) {
		t->b[t->len++] = (uint8_t)(3 << 4 | vtype);
		tlv_put_be(t, key, 2);
	} else {
		t->b[t->len++] = (uint8_t)(4 << 4 | vtype);
		tlv_put_be(t, key, 4);
	}
}

static void
tlv_uint(struct tlv *t, uint32_t key, uint64_t v)
{
	if (v <= 0xff) {
		tlv_key(t, 2, key);
		tlv_put_be(t, v, 1);
	} else if (v <= 0xffff) {
		tlv_key(t, 3, key);
		tlv_put_be(t, v, 2);
	} else if (v <= 0xffffffffULL) {
		tlv_key(t, 4, key);
		tlv_put_be(t, v, 4);
	} else {
		tlv_key(t, 5, key);
		tlv_put_be(t, v, 8);
	}
}

/* A string: u16 length, then its bytes (at most n). */
static void
tlv_put_str(struct tlv *t, const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	tlv_put_be(t, n, 2);
	memcpy(t->b + t->len, s, n);
	t->len += n;
}

static void
tlv_str(struct tlv *t, uint32_t key, const char *s)
{
	tlv_key(t, 11, key);
	tlv_put_str(t, s, 512);
}

/* A string key (our own fields), with a string or unsigned value. */
static void
tlv_skey(struct tlv *t, uint8_t vtype, const char *k)
{
	t->b[t->len++] = (uint8_t)(11 << 4 | vtype);
	tlv_put_str(t, k, SIZE_MAX);
}

static void
tlv_skey_str(struct tlv *t, const char *k, const char *s)
{
	tlv_skey(t, 11, k);
	tlv_put_str(t, s, 512);
}

static void
tlv_skey_u64(struct tlv *t, const char *k, uint64_t v)
{
	tlv_skey(t, 5, k);
	tlv_put_be(t, v, 8);
}

static void
l7_text(const struct flow_update *u, char *buf, size_t len)
{
	if (u->l7_master)
		snprintf(buf, len, "%u.%u", u->l7_master, u->l7_app);
	else
		snprintf(buf, len, "%u", u->l7_app);
}

/*
 * The fields of an exported record: the rows of the field dictionary
 * (common/flow_fields.def) whose EXP is not NO, in its order.  One list
 * drives both encoders, so the TLV (numeric keys) and the JSON (labels)
 * dialects cannot carry different fields, and the collector's decoder
 * reads back every field a node sends, in either dialect.  id 0 is a
 * string key of ours (TLV writes the label as the key).
 */
static const struct export_field {
	enum ff_id code;
	uint32_t id; /* 0: string key (the label) */
	const char *label;
} export_fields[] = {
#define FF_EXPROW_NO(name, pen, id, label)
#define FF_EXPROW_YES(name, pen, id, label)                                    \
	{ FF_##name, (pen) == FF_PEN_OURS ? 0 : (id), label },
#define FF_EXPROW_ALWAYS FF_EXPROW_YES
#define FF_EXPROW_NONZERO FF_EXPROW_YES
#define FF_EXPROW_SPECIAL FF_EXPROW_YES
#define FF(name, pen, id, label, dec, member, exp)                             \
	FF_EXPROW_##exp(name, pen, id, label)
#include "common/flow_fields.def"
#undef FF
};

/* One field's value: a string (s, in buf when formatted) or a number. */
struct export_val {
	const char *s; /* NULL: the number u */
	uint64_t u;
	char buf[IPADDR_STRLEN + 16];
};

/* Fills v with field f of record r (c: this record's share of the four
 * counters); 0 when the record does not carry the field. */
/* The generated cases of the rows whose EXP is ALWAYS or NONZERO. */
#define FF_EXPVAL_ALWAYS(name, m)                                              \
	case FF_##name:                                                        \
		v->u = u->m;                                                   \
		return 1;
#define FF_EXPVAL_NONZERO(name, m)                                             \
	case FF_##name:                                                        \
		v->u = u->m;                                                   \
		return u->m != 0;
#define FF_EXPVAL_NO(name, m)
#define FF_EXPVAL_SPECIAL(name, m)

static int
export_field_value(enum ff_id f, const struct export_rec *r,
		   const uint64_t c[4], struct export_val *v)
{
	const struct flow_update *u = &r->u;

	v->s = NULL;
	v->u = 0;
	switch (f) {
#define FF(name, pen, id, label, dec, member, exp) FF_EXPVAL_##exp(name, member)
#include "common/flow_fields.def"
#undef FF
	case FF_IPV4_SRC:
	case FF_IPV6_SRC:
		if (u->ip_version != (f == FF_IPV4_SRC ? 4 : 6))
			return 0;
		v->s = ipaddr_fmt(&u->src, v->buf, sizeof(v->buf));
		return 1;
	case FF_IPV4_DST:
	case FF_IPV6_DST:
		if (u->ip_version != (f == FF_IPV4_DST ? 4 : 6))
			return 0;
		v->s = ipaddr_fmt(&u->dst, v->buf, sizeof(v->buf));
		return 1;
	case FF_IN_BYTES:
		v->u = c[0];
		return 1;
	case FF_IN_PKTS:
		v->u = c[1];
		return 1;
	case FF_OUT_BYTES:
		v->u = c[2];
		return 1;
	case FF_OUT_PKTS:
		v->u = c[3];
		return 1;
	case FF_FIRST_SWITCHED:
		v->u = u->first_ms / 1000;
		return 1;
	case FF_LAST_SWITCHED:
		v->u = u->last_ms / 1000;
		return 1;
	case FF_CLIENT_TCP_FLAGS:
		v->u = u->src_tcp_flags;
		return u->l4_proto == 6;
	case FF_SERVER_TCP_FLAGS:
		v->u = u->dst_tcp_flags;
		return u->l4_proto == 6;
	case FF_L7_PROTO:
		l7_text(u, v->buf, sizeof(v->buf));
		v->s = v->buf;
		return 1;
	case FF_EXPORTER_V4:
	case FF_EXPORTER_V6:
		if (u->exporter.v != (f == FF_EXPORTER_V4 ? 4 : 6))
			return 0;
		v->s = ipaddr_fmt(&u->exporter, v->buf, sizeof(v->buf));
		return 1;
	case FF_INPUT_SNMP:
		v->u = u->in_ifindex;
		return u->in_ifindex || u->out_ifindex;
	case FF_OUTPUT_SNMP:
		v->u = u->out_ifindex;
		return u->in_ifindex || u->out_ifindex;
	case FF_SAMPLING:
		v->u = u->sampling;
		return u->sampling > 1;
	case FF_L7_INFO:
		v->s = r->info;
		return r->info[0] != '\0';
	case FF_SITE_PATH:
		v->s = r->path;
		return 1;
	default:
		break;
	}
	return 0;
}

/* Encodes one record (at most EXPORT_MAX_RECORD bytes). */
static void
tlv_record(struct tlv *t, const struct export_rec *r, const uint64_t c[4])
{
	struct export_val v;
	size_t i;

	for (i = 0; i < sizeof(export_fields) / sizeof(export_fields[0]); i++) {
		const struct export_field *f = &export_fields[i];

		if (!export_field_value(f->code, r, c, &v))
			continue;
		if (f->id == 0 && v.s != NULL)
			tlv_skey_str(t, f->label, v.s);
		else if (f->id == 0)
			tlv_skey_u64(t, f->label, v.u);
		else if (v.s != NULL)
			tlv_str(t, f->id, v.s);
		else
			tlv_uint(t, f->id, v.u);
	}
	t->b[t->len++] = 0x01; /* end of record */
}

/* The same record as a JSON object with labels (--json-labels). */
static json_t *
json_record(const struct export_rec *r, const uint64_t c[4])
{
	json_t *o = json_object();
	struct export_val v;
	size_t i;

	if (o == NULL)
		return NULL;
	for (i = 0; i < sizeof(export_fields) / sizeof(export_fields[0]); i++) {
		const struct export_field *f = &export_fields[i];

		if (!export_field_value(f->code, r, c, &v))
			continue;
		json_object_set_new(
			o, f->label,
			v.s != NULL
				? json_string(v.s)
				: json_integer((json_int_t)(v.u > INT64_MAX
								    ? INT64_MAX
								    : v.u)));
	}
	return o;
}

int
export_encode_one(const struct flow_update *u, const char *path,
		  int json_labels, uint8_t *buf, size_t size)
{
	struct export_rec *r = calloc(1, sizeof(*r));
	uint64_t c[4];
	int n = -1;
	int k;

	if (r == NULL)
		return -1;
	r->u = *u;
	snprintf(r->info, sizeof(r->info), "%s", u->info ? u->info : "");
	snprintf(r->path, sizeof(r->path), "%s", path);
	c[0] = u->in_bytes;
	c[1] = u->in_pkts;
	c[2] = u->out_bytes;
	c[3] = u->out_pkts;
	for (k = 0; k < 4; k++)
		if (c[k] > 0xffffffffULL)
			c[k] = 0xffffffffULL;
	if (json_labels) {
		json_t *arr = json_array(), *o = json_record(r, c);
		char *txt;

		if (arr != NULL && o != NULL &&
		    json_array_append_new(arr, o) == 0) {
			o = NULL;
			txt = json_dumps(arr, JSON_COMPACT);
			if (txt != NULL && strlen(txt) < size) {
				n = (int)strlen(txt);
				memcpy(buf, txt, (size_t)n);
			}
			free(txt);
		}
		json_decref(o);
		json_decref(arr);
	} else if (size >= 2 + EXPORT_MAX_RECORD) {
		struct tlv t = { buf, 2, size };

		buf[0] = 1;
		buf[1] = 1;
		tlv_record(&t, r, c);
		n = (int)t.len;
	}
	free(r);
	return n;
}

/* ---- sending (exporter thread) ---- */

/* Sends one message (two frames) on one endpoint, numbering it. */
static void
sock_send(struct export_sock *es, const char *topic, int version,
	  const void *payload, size_t len)
{
	uint8_t hdr[EXPORT_HDR_LEN];
	uint32_t id = ++es->msg_id;

	memset(hdr, 0, sizeof(hdr));
	snprintf((char *)hdr, 16, "%s", topic);
	hdr[16] = (uint8_t)version;
	hdr[18] = (uint8_t)(len & 0xff);
	hdr[19] = (uint8_t)((len >> 8) & 0xff);
	hdr[20] = (uint8_t)(id >> 24);
	hdr[21] = (uint8_t)(id >> 16);
	hdr[22] = (uint8_t)(id >> 8);
	hdr[23] = (uint8_t)id;
	hdr[24] = (uint8_t)(ex.st.source_id >> 24);
	hdr[25] = (uint8_t)(ex.st.source_id >> 16);
	hdr[26] = (uint8_t)(ex.st.source_id >> 8);
	hdr[27] = (uint8_t)ex.st.source_id;
	/* past the send HWM libzmq drops, which the peer sees as a gap */
	if (zmq_send(es->sock, hdr, sizeof(hdr), ZMQ_SNDMORE | ZMQ_DONTWAIT) >=
	    0)
		zmq_send(es->sock, payload, len, ZMQ_DONTWAIT);
	pthread_mutex_lock(&ex.lock);
	ex.st.sent_msgs++;
	ex.st.sent_bytes += len;
	pthread_mutex_unlock(&ex.lock);
}

static void
sock_flush(struct export_sock *es)
{
	size_t i;

	for (i = 0; i < es->n_backlog; i++) {
		struct export_msg *m = &es->backlog[i];

		sock_send(es, m->topic, m->version, m->payload, m->len);
		free(m->payload);
	}
	es->n_backlog = 0;
}

/* Keeps a copy of a message for an endpoint nobody listens to yet. */
static void
sock_keep(struct export_sock *es, const char *topic, int version,
	  const void *payload, size_t len)
{
	struct export_msg *m;

	if (es->backlog == NULL) {
		es->backlog = calloc(EXPORT_BACKLOG, sizeof(*es->backlog));
		if (es->backlog == NULL)
			goto drop;
	}
	if (es->n_backlog == EXPORT_BACKLOG) {
		/* the oldest goes: recent deltas matter more */
		free(es->backlog[0].payload);
		memmove(es->backlog, es->backlog + 1,
			(EXPORT_BACKLOG - 1) * sizeof(*es->backlog));
		es->n_backlog--;
		es->backlog_drops++;
	}
	m = &es->backlog[es->n_backlog];
	m->payload = malloc(len ? len : 1);
	if (m->payload == NULL)
		goto drop;
	memcpy(m->payload, payload, len);
	m->len = len;
	m->version = version;
	snprintf(m->topic, sizeof(m->topic), "%s", topic);
	es->n_backlog++;
	return;
drop:
	es->backlog_drops++;
}

/* Flow messages go to every endpoint, now or when a peer subscribes;
 * events only to endpoints with a peer (they are periodic anyway). */
static void
export_send(const char *topic, int version, const void *payload, size_t len)
{
	/* alerts are kept for late peers too: they do not come again */
	int i, is_flow = strcmp(topic, "flow") == 0 ||
			 strcmp(topic, "alert") == 0;

	for (i = 0; i < ex.n_socks; i++) {
		struct export_sock *es = &ex.socks[i];

		if (es->subscribed) {
			sock_flush(es);
			sock_send(es, topic, version, payload, len);
		} else if (is_flow) {
			sock_keep(es, topic, version, payload, len);
		}
	}
}

/* The longest flow idle time of our interfaces.  Sent as twice the
 * event's timeout.idle, so that a hub applying zmq-wire.md §5 to us
 * (max(clamp(2 x idle, 60, 600), lifetime + 10), lifetime = the export
 * interval) purges our flows when we do. */
static uint64_t
flow_idle_max_ms(void)
{
	uint64_t m = TABLES_FLOW_IDLE_MS;
	int i;

	for (i = 0; i < node_n_ifaces; i++) {
		uint64_t v = iface_flow_idle_ms(node_ifaces[i]);

		if (v > m)
			m = v;
	}
	return m;
}

static void
export_send_event(void)
{
	struct export_stats st;
	uint64_t backlog_drops = 0;
	int i;
	json_t *o;
	char *txt;

	export_get_stats(&st);
	for (i = 0; i < ex.n_socks; i++)
		backlog_drops += ex.socks[i].backlog_drops;
	o = json_pack("{s:I, s:s, s:I, s:I, s:{s:s, s:I}, s:{s:i, s:i, s:i},"
		      " s:{s:I, s:i, s:i}, s:{s:I, s:I}}",
		      "time", (json_int_t)time(NULL), "node_id", node_id,
		      "exported_records", (json_int_t)st.sent_records,
		      "exported_msgs", (json_int_t)st.sent_msgs, "probe",
		      "version", NTOPNG_VERSION, "uuid_num",
		      (json_int_t)st.source_id, "timeout", "lifetime",
		      ex.export_interval, "idle",
		      (int)(flow_idle_max_ms() / 2000), "collected_lifetime",
		      ex.export_interval, "zmq", "num_flow_exports",
		      (json_int_t)st.sent_records, "num_exporters", 1,
		      "num_zmq_exporters", 1, "drops", "export_queue_full",
		      (json_int_t)st.queue_drops, "backlog",
		      (json_int_t)backlog_drops);
	if (o == NULL)
		return;
	txt = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (txt == NULL)
		return;
	export_send("event", 2, txt, strlen(txt));
	free(txt);
	pthread_mutex_lock(&ex.lock);
	ex.st.events++;
	pthread_mutex_unlock(&ex.lock);
}

/* Encodes n records into messages and sends them. */
static void
export_batch(struct export_rec *recs, size_t n)
{
	static uint8_t buf[EXPORT_MAX_PAYLOAD + EXPORT_MAX_RECORD];
	struct tlv t = { buf, 2, sizeof(buf) };
	json_t *arr = NULL;
	size_t json_len = 2;
	uint64_t count = 0;
	size_t i;

	buf[0] = 1;
	buf[1] = 1;
	if (ex.json_labels)
		arr = json_array();
	for (i = 0; i < n; i++) {
		struct export_rec *r = &recs[i];
		uint64_t v[4] = { r->u.in_bytes, r->u.in_pkts, r->u.out_bytes,
				  r->u.out_pkts };

		/* upstream parses u32 counters: split bigger deltas */
		do {
			uint64_t c[4];
			int k;

			for (k = 0; k < 4; k++) {
				c[k] = v[k] > 0xffffffffULL ? 0xffffffffULL
							    : v[k];
				v[k] -= c[k];
			}
			if (arr != NULL) {
				json_t *o = json_record(r, c);
				char *s =
					o ? json_dumps(o, JSON_COMPACT) : NULL;

				if (s != NULL) {
					json_len += strlen(s) + 1;
					free(s);
					json_array_append_new(arr, o);
				} else {
					json_decref(o);
				}
				if (json_len >
				    EXPORT_MAX_PAYLOAD - EXPORT_MAX_RECORD) {
					char *txt =
						json_dumps(arr, JSON_COMPACT);

					if (txt != NULL) {
						export_send("flow", 2, txt,
							    strlen(txt));
						free(txt);
					}
					json_array_clear(arr);
					json_len = 2;
				}
			} else {
				tlv_record(&t, r, c);
				if (t.len >
				    EXPORT_MAX_PAYLOAD - EXPORT_MAX_RECORD) {
					export_send("flow", 3, t.b, t.len);
					t.len = 2;
				}
			}
			count++;
		} while (v[0] || v[1] || v[2] || v[3]);
	}
	if (arr != NULL) {
		if (json_array_size(arr) > 0) {
			char *txt = json_dumps(arr, JSON_COMPACT);

			if (txt != NULL) {
				export_send("flow", 2, txt, strlen(txt));
				free(txt);
			}
		}
		json_decref(arr);
	} else if (t.len > 2) {
		export_send("flow", 3, t.b, t.len);
	}
	pthread_mutex_lock(&ex.lock);
	ex.st.sent_records += count;
	pthread_mutex_unlock(&ex.lock);
}

/* Reads the subscriptions arriving on the endpoints (each is an XPUB,
 * which reports the first subscription and the last unsubscription) and
 * sends a backlog as soon as its endpoint has a peer. */
static void
export_poll_subscriptions(void)
{
	int i;

	for (i = 0; i < ex.n_socks; i++) {
		struct export_sock *es = &ex.socks[i];
		uint8_t msg[256];
		int n;

		while ((n = zmq_recv(es->sock, msg, sizeof(msg),
				     ZMQ_DONTWAIT)) > 0) {
			if (msg[0] == 1)
				es->subscribed = 1;
			else if (msg[0] == 0)
				es->subscribed = 0;
		}
		if (es->subscribed && es->n_backlog > 0)
			sock_flush(es);
	}
}

/* Sends the alerts queued (exporter thread): site_path gets this node's
 * id appended (an alert of our own: our id alone). */
static void
export_send_alerts(void)
{
	struct alert a;
	char path[ALERT_SITE_MAX], *txt;

	for (;;) {
		pthread_mutex_lock(&ex.lock);
		if (ex_alert_head == ex_alert_tail) {
			pthread_mutex_unlock(&ex.lock);
			return;
		}
		a = ex_alerts[ex_alert_tail++ % EXPORT_ALERTS];
		pthread_mutex_unlock(&ex.lock);
		if (a.site_path[0])
			snprintf(path, sizeof(path), "%.*s>%s",
				 (int)(sizeof(path) - sizeof(node_id) - 2),
				 a.site_path, node_id);
		else
			snprintf(path, sizeof(path), "%s", node_id);
		txt = alert_wire_json(&a, path);
		if (txt != NULL)
			export_send("alert", 2, txt, strlen(txt));
		free(txt);
	}
}

static void *
export_thread(void *arg)
{
	static struct export_rec batch[512];
	uint64_t next_event = time_mono_ms();

	(void)arg;
	log_set_role("export");
	for (;;) {
		size_t n = 0;
		int stop;
		struct timespec ts;

		export_poll_subscriptions();
		pthread_mutex_lock(&ex.lock);
		if (ex.head == ex.tail && ex_alert_head == ex_alert_tail &&
		    ex.running) {
			cond_deadline_ms(&ts, 100);
			pthread_cond_timedwait(&ex.cond, &ex.lock, &ts);
		}
		while (ex.head != ex.tail &&
		       n < sizeof(batch) / sizeof(batch[0]))
			batch[n++] = ex.ring[ex.tail++ % EXPORT_RING];
		stop = !ex.running && ex.head == ex.tail;
		pthread_mutex_unlock(&ex.lock);
		if (n > 0)
			export_batch(batch, n);
		export_send_alerts();
		if (time_mono_ms() >= next_event) {
			export_send_event();
			next_event = time_mono_ms() + 1000;
		}
		if (stop && n == 0)
			break;
	}
	return NULL;
}

/* ---- set-up ---- */

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h ? h : 1;
}

/* Accepts a CURVE key as 40 Z85 characters or as 80 hex digits of
 * them (the form upstream's UI shows, zmq-wire.md §8.1). */
static int
curve_key_text(const char *in, char out[41])
{
	size_t n = strlen(in), i;

	if (n == 40) {
		memcpy(out, in, 41);
		return 0;
	}
	if (n != 80)
		return -1;
	for (i = 0; i < 40; i++) {
		unsigned v;

		if (sscanf(in + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (char)v;
	}
	out[40] = '\0';
	return 0;
}

static int
export_open(const char *spec, const struct prefs *p)
{
	struct export_sock *es = &ex.socks[ex.n_socks];
	size_t n = strlen(spec) + 1;
	int connect_mode = 0;
	int hwm = 100000, linger = 2000;
	char *ep = malloc(n);

	/* the same syntax as -i (a 'c' after a port number), so that
	 * "ipc://flows.ipc" names the same socket on both sides */
	if (ep == NULL ||
	    collector_zmq_endpoint_split(spec, ep, n, &connect_mode) != 0) {
		free(ep);
		return -1;
	}
	es->connect_mode = connect_mode;
	es->subscribed = 0;
	es->sock = zmq_socket(ex.ctx, ZMQ_XPUB);
	if (es->sock == NULL)
		goto fail;
	zmq_setsockopt(es->sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(es->sock, ZMQ_LINGER, &linger, sizeof(linger));
	if (p->zmq_encryption_key != NULL) {
		char server[41], pub[41], sec[41];

		if (curve_key_text(p->zmq_encryption_key, server) != 0) {
			log_err("--zmq-encryption-key: expected 40 Z85 "
				"characters (or 80 hex digits)");
			goto fail;
		}
		if (zmq_curve_keypair(pub, sec) != 0 ||
		    zmq_setsockopt(es->sock, ZMQ_CURVE_SERVERKEY, server, 41) !=
			    0 ||
		    zmq_setsockopt(es->sock, ZMQ_CURVE_PUBLICKEY, pub, 41) !=
			    0 ||
		    zmq_setsockopt(es->sock, ZMQ_CURVE_SECRETKEY, sec, 41) !=
			    0) {
			log_err("-I %s: CURVE client set-up failed: %s", spec,
				zmq_strerror(errno));
			goto fail;
		}
	}
	if ((connect_mode ? zmq_connect(es->sock, ep)
			  : zmq_bind(es->sock, ep)) != 0) {
		log_err("-I %s: cannot %s: %s", spec,
			connect_mode ? "connect" : "bind", zmq_strerror(errno));
		goto fail;
	}
	es->endpoint = ep;
	ex.n_socks++;
	log_info("exporting flows on %s (%s, %s)", ep,
		 connect_mode ? "connect" : "bind",
		 p->json_labels ? "JSON with labels" : "TLV");
	return 0;
fail:
	if (es->sock != NULL)
		zmq_close(es->sock);
	es->sock = NULL;
	free(ep);
	return -1;
}

int
export_start(const struct prefs *p)
{
	int i;

	if (p->n_export_endpoints == 0)
		return 0;
	cond_init_mono(&ex.cond);
	ex.ctx = zmq_ctx_new();
	ex.ring = calloc(EXPORT_RING, sizeof(*ex.ring));
	if (ex.ctx == NULL || ex.ring == NULL) {
		log_err("-I: out of memory");
		return -1;
	}
	ex.json_labels = p->json_labels;
	ex.export_interval = p->export_interval > 0 ? p->export_interval : 1;
	ex.st.source_id = fnv1a(node_id);
	/* origin sequence numbers start from the clock (16 per microsecond),
	 * so that after a restart they continue above the old ones and the
	 * peers' de-duplication does not take them for echoes */
	ex.next_seq = time_wall_ms() * 1000 * 16;
	for (i = 0; i < p->n_export_endpoints && i < EXPORT_MAX_SOCKETS; i++)
		if (export_open(p->export_endpoints[i], p) != 0)
			return -1;
	ex.running = 1;
	if (pthread_create(&ex.thread, NULL, export_thread, NULL) != 0) {
		log_err("-I: cannot start the exporter thread");
		ex.running = 0;
		return -1;
	}
	ex.active = 1;
	log_info("node id %s, ZMQ source_id %u", node_id, ex.st.source_id);
	return 0;
}

void
export_stop(void)
{
	int i;

	if (ex.active) {
		pthread_mutex_lock(&ex.lock);
		ex.running = 0;
		pthread_cond_signal(&ex.cond);
		pthread_mutex_unlock(&ex.lock);
		pthread_join(ex.thread, NULL);
		ex.active = 0;
	}
	for (i = 0; i < ex.n_socks; i++) {
		struct export_sock *es = &ex.socks[i];

		if (es->n_backlog > 0)
			log_warn("-I %s: no peer subscribed: %zu messages not "
				 "sent",
				 es->endpoint, es->n_backlog);
		while (es->n_backlog > 0)
			free(es->backlog[--es->n_backlog].payload);
		free(es->backlog);
		zmq_close(es->sock);
		free(es->endpoint);
	}
	ex.n_socks = 0;
	if (ex.ctx != NULL)
		zmq_ctx_term(ex.ctx);
	ex.ctx = NULL;
	free(ex.ring);
	ex.ring = NULL;
}
