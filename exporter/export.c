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
 * Snapshots (docs/hierarchy.md "Convergence"): a subscriber of ours also
 * subscribes to "snap.<nonce>"; the XPUB reports it, every interface owner
 * encodes its flows' totals in its next tick (export_sink_tick) and the
 * thread sends them on that topic alone, at the ring position where the
 * deltas they sum end.  Relayed snapshot records go up on "resync".  Our
 * own flows' totals sent on each endpoint are declared in its events
 * ("export"), so a peer can count what it missed.
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
 *
 * --export-reliable (exporter/reliable.c): each endpoint's `flow`
 * messages are numbered batches kept in an on-disk spool until the peer
 * acknowledges them (upstream, on the same XPUB), resent after a
 * reconnect; this file only hands them over (export_send) and passes
 * acknowledgements and (un)subscriptions on (export_poll_subscriptions).
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
#include "merge/query.h"
#include "merge/tables.h"
#include "exporter/reliable.h"

#define EXPORT_RING 16384
#define EXPORT_MAX_PAYLOAD (120 * 1024)
#define EXPORT_MAX_RECORD 1024 /* bound of one encoded record */
#define EXPORT_MAX_SOCKETS 8
#define EXPORT_HDR_LEN 28
#define EXPORT_BACKLOG 512  /* messages kept per endpoint */
#define EXPORT_ALERTS 512   /* alerts waiting for the thread */
#define EXPORT_SNAP_REQS 32 /* snapshot requests remembered */
#define EXPORT_SNAP_IFACES 64
#define EXPORT_SNAP_PER_SEC 4 /* snapshot requests served per endpoint */
#define SNAP_PREFIX "snap."   /* + 10 hex digits: one subscriber's topic */
#define RESYNC_TOPIC "resync" /* relayed snapshot records, to all */

struct export_rec {
	struct flow_update u; /* its pointers are not used */
	char info[128];
	char path[256];
	uint8_t own; /* this node is its origin (counted in the event) */
};

/* own flows' totals a message carries: flows (first exports), bytes,
 * packets (the event's "export" object, docs/hierarchy.md) */
#define DECL_N 3

struct export_msg {
	char topic[16];
	int version;
	void *payload;
	size_t len;
	uint64_t decl[DECL_N];
};

/* A snapshot (docs/hierarchy.md, "Convergence"): the messages one
 * interface encoded for one subscriber's private topic, sent on socket
 * `sock` once the ring's tail reaches ring_pos (the deltas queued before
 * it are in its totals, those after it are not). */
struct export_snap {
	struct export_snap *next;
	int sock;
	char topic[16];
	uint64_t ring_pos;
	struct export_msg *msgs;
	size_t n, cap;
	uint64_t records;
};

struct snap_req {
	uint64_t id;
	int sock;
	char topic[16];
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
	struct rel_link *rel; /* --export-reliable: its spool (reliable.c) */
	struct rel_stats rs;  /* its statistics, under ex.lock, for REST */
	int rest_subscribed;  /* subscribed, under ex.lock, for REST */
	uint64_t pending[DECL_N]; /* own totals in the backlog */
	int n_topics;		  /* topics subscribed (snapshot ones aside) */
	uint64_t snapshots, snap_records; /* sent to its subscribers */
	uint64_t snap_sec, snap_in_sec, snap_refused; /* request rate */
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
	/* the records and traffic of the `flow` message being built, for
	 * the reliable links' accounting of what a dropped batch held */
	uint64_t msg_recs, msg_bytes, msg_pkts;

	/* own flows' totals encoded since the start (exporter thread) */
	uint64_t decl[DECL_N];
	/* snapshots: requests (exporter thread adds, owners serve, under
	 * lock), the id each interface served last, and the encoded
	 * snapshots waiting for their ring position, oldest first */
	struct snap_req reqs[EXPORT_SNAP_REQS];
	uint64_t next_req;
	uint64_t served[EXPORT_SNAP_IFACES];
	int n_sink_ifaces;
	struct export_snap *snaps, **snaps_tail;
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

static void export_sink_tick(void *ctx, struct iface *ifc, uint64_t wall_ms);

static const struct iface_sink_ops export_sink_ops = {
	.name = "zmq-export",
	.flow_exported = export_sink_flow,
	.alert = export_sink_alert,
	.alert_engaged = export_sink_alert, /* tstamp_end 0 says engaged */
	.tick = export_sink_tick,
};

static int slot_ids[EXPORT_SNAP_IFACES];

/* interface data's hierarchy.export_links (merge/query.h hook): each -I
 * endpoint, and its reliable link's counters (any thread). */
static json_t *
export_links_json(void)
{
	json_t *a = json_array();
	int i;

	pthread_mutex_lock(&ex.lock);
	for (i = 0; a != NULL && i < ex.n_socks; i++) {
		const struct export_sock *es = &ex.socks[i];
		const struct rel_stats *r = &es->rs;
		json_t *o = json_pack("{s:s,s:b,s:b}", "endpoint",
				      es->endpoint ? es->endpoint : "",
				      "subscribed", es->rest_subscribed,
				      "reliable", es->rel != NULL);

		if (o != NULL && es->rel != NULL) {
			json_t *l = json_pack(
				"{s:I,s:I,s:I,s:I}", "batches",
				(json_int_t)r->loss_batches, "records",
				(json_int_t)r->loss_records, "bytes",
				(json_int_t)r->loss_bytes, "packets",
				(json_int_t)r->loss_pkts);

			json_object_set_new(
				o, "batches",
				json_integer((json_int_t)r->batches));
			json_object_set_new(
				o, "resends",
				json_integer((json_int_t)r->resends));
			json_object_set_new(o, "acked",
					    json_integer((json_int_t)r->acked));
			json_object_set_new(
				o, "reconnects",
				json_integer((json_int_t)r->reconnects));
			json_object_set_new(
				o, "spool_batches",
				json_integer((json_int_t)r->spool_batches));
			json_object_set_new(
				o, "spool_bytes",
				json_integer((json_int_t)r->spool_bytes));
			json_object_set_new(
				o, "spool_oldest_age",
				json_real((double)r->spool_oldest_age_ms /
					  1000.0));
			json_object_set_new(
				o, "spool_dropped_unsettled",
				json_integer((json_int_t)r->spool_dropped));
			json_object_set_new(o, "declared_loss", l);
			json_object_set_new(
				o, "spool_corrupt",
				json_integer((json_int_t)r->corrupt));
			json_object_set_new(
				o, "spool_loaded",
				json_integer((json_int_t)r->loaded));
			json_object_set_new(o, "epoch",
					    json_integer((json_int_t)r->epoch));
			json_object_set_new(
				o, "acked_seq",
				json_integer((json_int_t)r->acked_seq));
			json_object_set_new(
				o, "next_seq",
				json_integer((json_int_t)r->next_seq));
		}
		json_array_append_new(a, o);
	}
	pthread_mutex_unlock(&ex.lock);
	return a;
}

int
export_sink_add(struct iface *ifc)
{
	int k;

	if (!ex.active)
		return 0;
	if (ex.n_sink_ifaces == EXPORT_SNAP_IFACES)
		return -1;
	k = ex.n_sink_ifaces++;
	slot_ids[k] = k;
	return iface_add_sink(ifc, &export_sink_ops, &slot_ids[k]);
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
		r->own = 0;
	} else {
		snprintf(r->path, sizeof(r->path), "%s", node_id);
		r->u.origin_seq = ++ex.next_seq;
		r->own = 1;
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

/* Sends one message (two frames, three with a reliable link's trailer)
 * on one endpoint, numbering it. */
static void
sock_send_tr(struct export_sock *es, const char *topic, int version,
	     const void *payload, size_t len, const void *tr, size_t tlen)
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
		zmq_send(es->sock, payload, len,
			 ZMQ_DONTWAIT | (tr != NULL ? ZMQ_SNDMORE : 0));
	if (tr != NULL)
		zmq_send(es->sock, tr, tlen, ZMQ_DONTWAIT);
	pthread_mutex_lock(&ex.lock);
	ex.st.sent_msgs++;
	ex.st.sent_bytes += len;
	pthread_mutex_unlock(&ex.lock);
}

static void
sock_send(struct export_sock *es, const char *topic, int version,
	  const void *payload, size_t len)
{
	sock_send_tr(es, topic, version, payload, len, NULL, 0);
}

/* reliable.c's way out (rel_send_fn) */
static void
rel_sock_send(void *ctx, const char *topic, int version, const void *payload,
	      size_t len, const void *tr, size_t tlen)
{
	sock_send_tr(ctx, topic, version, payload, len, tr, tlen);
}

static void
msg_forget(struct export_sock *es, struct export_msg *m)
{
	int k;

	for (k = 0; k < DECL_N; k++)
		es->pending[k] -= m->decl[k];
	free(m->payload);
}

static void
sock_flush(struct export_sock *es)
{
	size_t i;

	for (i = 0; i < es->n_backlog; i++) {
		struct export_msg *m = &es->backlog[i];

		sock_send(es, m->topic, m->version, m->payload, m->len);
		msg_forget(es, m);
	}
	es->n_backlog = 0;
}

/* Keeps a copy of a message for an endpoint nobody listens to yet. */
static void
sock_keep(struct export_sock *es, const char *topic, int version,
	  const void *payload, size_t len, const uint64_t *decl)
{
	struct export_msg *m;
	int k;

	if (es->backlog == NULL) {
		es->backlog = calloc(EXPORT_BACKLOG, sizeof(*es->backlog));
		if (es->backlog == NULL)
			goto drop;
	}
	if (es->n_backlog == EXPORT_BACKLOG) {
		/* the oldest goes: recent deltas matter more (a snapshot
		 * will set the totals when a peer comes) */
		msg_forget(es, &es->backlog[0]);
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
	for (k = 0; k < DECL_N; k++) {
		m->decl[k] = decl ? decl[k] : 0;
		es->pending[k] += m->decl[k];
	}
	es->n_backlog++;
	return;
drop:
	es->backlog_drops++;
}

/* Flow messages go to every endpoint, now or when a peer subscribes;
 * events only to endpoints with a peer (they are periodic anyway). */
static void
export_send(const char *topic, int version, const void *payload, size_t len,
	    const uint64_t *decl)
{
	/* alerts are kept for late peers too: they do not come again */
	int i, is_flow = strcmp(topic, "flow") == 0 ||
			 strcmp(topic, RESYNC_TOPIC) == 0 ||
			 strcmp(topic, "alert") == 0;

	for (i = 0; i < ex.n_socks; i++) {
		struct export_sock *es = &ex.socks[i];

		if (es->rel != NULL && (strcmp(topic, "flow") == 0 ||
					strcmp(topic, RESYNC_TOPIC) == 0)) {
			/* spooled, sent now or after the reconnect */
			rel_submit(es->rel, topic, version, payload, len,
				   ex.msg_recs, ex.msg_bytes, ex.msg_pkts);
			continue;
		}
		if (es->subscribed) {
			sock_flush(es);
			sock_send(es, topic, version, payload, len);
		} else if (is_flow) {
			sock_keep(es, topic, version, payload, len, decl);
		}
	}
	ex.msg_recs = ex.msg_bytes = ex.msg_pkts = 0;
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

/* The event of one endpoint: its "export" totals are those of the own
 * records sent on it before the event (what its backlog holds aside). */
static void
export_send_event_on(struct export_sock *es)
{
	struct export_stats st;
	uint64_t backlog_drops = 0, now_s = (uint64_t)time(NULL);
	int i;
	json_t *o;
	char *txt;

	export_get_stats(&st);
	for (i = 0; i < ex.n_socks; i++)
		backlog_drops += ex.socks[i].backlog_drops;
	o = json_pack(
		"{s:I, s:s, s:I, s:I, s:{s:s, s:I}, s:{s:i, s:i, s:i},"
		" s:{s:I, s:i, s:i}, s:{s:I, s:I}, s:I, s:I, s:I,"
		" s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}}",
		"time", (json_int_t)now_s, "node_id", node_id,
		"exported_records", (json_int_t)st.sent_records,
		"exported_msgs", (json_int_t)st.sent_msgs, "probe", "version",
		NTOPNG_VERSION, "uuid_num", (json_int_t)st.source_id, "timeout",
		"lifetime", ex.export_interval, "idle",
		(int)(flow_idle_max_ms() / 2000), "collected_lifetime",
		ex.export_interval, "zmq", "num_flow_exports",
		(json_int_t)st.sent_records, "num_exporters", 1,
		"num_zmq_exporters", 1, "drops", "export_queue_full",
		(json_int_t)st.queue_drops, "backlog",
		(json_int_t)backlog_drops, "start_ms",
		(json_int_t)node_start_ms, "uptime",
		(json_int_t)(time_wall_ms() - node_start_ms) / 1000,
		"export_interval", (json_int_t)ex.export_interval, "export",
		"flows", (json_int_t)(ex.decl[0] - es->pending[0]), "bytes",
		(json_int_t)(ex.decl[1] - es->pending[1]), "packets",
		(json_int_t)(ex.decl[2] - es->pending[2]), "snapshots", "sent",
		(json_int_t)es->snapshots, "records",
		(json_int_t)es->snap_records, "refused",
		(json_int_t)es->snap_refused);
	if (o == NULL)
		return;
	txt = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (txt == NULL)
		return;
	sock_send(es, "event", 2, txt, strlen(txt));
	free(txt);
	pthread_mutex_lock(&ex.lock);
	ex.st.events++;
	pthread_mutex_unlock(&ex.lock);
}

static void
export_send_event(void)
{
	int i;

	for (i = 0; i < ex.n_socks; i++)
		if (ex.socks[i].subscribed) {
			sock_flush(&ex.socks[i]);
			export_send_event_on(&ex.socks[i]);
		}
}

/*
 * The encoder of flow messages: records go into a TLV buffer (or a JSON
 * array), and a message leaves when it is full, when the kind of record
 * changes (a relayed snapshot record goes on RESYNC_TOPIC, in order with
 * the deltas around it) and at the end.  out() gets each message and
 * the own totals it carries.
 */
struct enc {
	uint8_t *buf;
	struct tlv t;
	json_t *arr;
	size_t json_len;
	int kind; /* of the records in the message: 1 snapshot */
	uint64_t count;
	uint64_t decl[DECL_N];
	/* every record of the message and its traffic (reliable links'
	 * accounting of a dropped batch) */
	uint64_t m_recs, m_bytes, m_pkts;
	const char *snap_topic;
	void (*out)(struct enc *e, const char *topic, int version,
		    const void *p, size_t len);
	void *ctx;
};

static void
enc_init(struct enc *e, uint8_t *buf, size_t size, const char *snap_topic)
{
	memset(e, 0, sizeof(*e));
	e->buf = buf;
	e->t.b = buf;
	e->t.cap = size;
	e->t.len = 2;
	buf[0] = 1;
	buf[1] = 1;
	e->json_len = 2;
	e->snap_topic = snap_topic;
	if (ex.json_labels)
		e->arr = json_array();
}

static void
enc_flush(struct enc *e)
{
	const char *topic = e->kind ? e->snap_topic : "flow";

	if (e->arr != NULL) {
		if (json_array_size(e->arr) > 0) {
			char *txt = json_dumps(e->arr, JSON_COMPACT);

			if (txt != NULL) {
				e->out(e, topic, 2, txt, strlen(txt));
				free(txt);
			}
			json_array_clear(e->arr);
		}
		e->json_len = 2;
	} else if (e->t.len > 2) {
		e->out(e, topic, 3, e->t.b, e->t.len);
		e->t.len = 2;
	}
	memset(e->decl, 0, sizeof(e->decl));
	e->m_recs = e->m_bytes = e->m_pkts = 0;
}

static void
enc_add(struct enc *e, const struct export_rec *r)
{
	uint64_t v[4] = { r->u.in_bytes, r->u.in_pkts, r->u.out_bytes,
			  r->u.out_pkts };
	int kind = r->u.snapshot != 0;

	if (kind != e->kind) {
		enc_flush(e);
		e->kind = kind;
	}
	if (r->own && !kind) {
		e->decl[0] += r->u.flow_first;
		e->decl[1] += r->u.in_bytes + r->u.out_bytes;
		e->decl[2] += r->u.in_pkts + r->u.out_pkts;
	}
	/* upstream parses u32 counters: split bigger deltas (a snapshot's
	 * totals are cut to u32: only our nodes read them, as u64 below) */
	do {
		uint64_t c[4];
		int k;

		for (k = 0; k < 4; k++) {
			c[k] = v[k] > 0xffffffffULL && !kind ? 0xffffffffULL
							     : v[k];
			v[k] -= c[k];
		}
		e->m_recs++;
		e->m_bytes += c[0] + c[2];
		e->m_pkts += c[1] + c[3];
		if (e->arr != NULL) {
			json_t *o = json_record(r, c);
			char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;

			if (txt != NULL) {
				e->json_len += strlen(txt) + 1;
				free(txt);
				json_array_append_new(e->arr, o);
			} else {
				json_decref(o);
			}
			if (e->json_len >
			    EXPORT_MAX_PAYLOAD - EXPORT_MAX_RECORD)
				enc_flush(e);
		} else {
			tlv_record(&e->t, r, c);
			if (e->t.len > EXPORT_MAX_PAYLOAD - EXPORT_MAX_RECORD)
				enc_flush(e);
		}
		e->count++;
	} while (v[0] || v[1] || v[2] || v[3]);
}

static void
enc_fini(struct enc *e)
{
	enc_flush(e);
	json_decref(e->arr);
	e->arr = NULL;
}

/* The exporter thread's messages go to every endpoint. */
static void
enc_out_all(struct enc *e, const char *topic, int version, const void *p,
	    size_t len)
{
	int k;

	for (k = 0; k < DECL_N; k++)
		ex.decl[k] += e->decl[k];
	ex.msg_recs = e->m_recs;
	ex.msg_bytes = e->m_bytes;
	ex.msg_pkts = e->m_pkts;
	export_send(topic, version, p, len, e->decl);
}

/* Encodes n records into messages and sends them. */
static void
export_batch(struct export_rec *recs, size_t n)
{
	static uint8_t buf[EXPORT_MAX_PAYLOAD + EXPORT_MAX_RECORD];
	struct enc e;
	size_t i;

	enc_init(&e, buf, sizeof(buf), RESYNC_TOPIC);
	e.out = enc_out_all;
	for (i = 0; i < n; i++)
		enc_add(&e, &recs[i]);
	enc_fini(&e);
	pthread_mutex_lock(&ex.lock);
	ex.st.sent_records += e.count;
	pthread_mutex_unlock(&ex.lock);
}

/* ---- snapshots (docs/hierarchy.md, "Convergence") ---- */

/* The owner's encoder keeps each message for the exporter thread. */
static void
enc_out_snap(struct enc *e, const char *topic, int version, const void *p,
	     size_t len)
{
	struct export_snap *sn = e->ctx;
	struct export_msg *m;

	if (sn->n == sn->cap) {
		size_t cap = sn->cap ? 2 * sn->cap : 16;
		struct export_msg *x = realloc(sn->msgs, cap * sizeof(*x));

		if (x == NULL)
			return;
		sn->msgs = x;
		sn->cap = cap;
	}
	m = &sn->msgs[sn->n];
	memset(m, 0, sizeof(*m));
	m->payload = malloc(len);
	if (m->payload == NULL)
		return;
	memcpy(m->payload, p, len);
	m->len = len;
	m->version = version;
	snprintf(m->topic, sizeof(m->topic), "%s", topic);
	sn->n++;
}

struct snap_build {
	struct enc e;
	struct export_rec r;
};

static int
snap_record(void *ctx, const struct flow_update *u)
{
	struct snap_build *b = ctx;
	struct export_rec *r = &b->r;

	r->u = *u;
	r->u.info = NULL;
	r->u.site_path = NULL;
	r->u.extra = NULL;
	snprintf(r->info, sizeof(r->info), "%s", u->info ? u->info : "");
	if (u->site_path != NULL && u->site_path[0] != '\0') {
		if ((size_t)snprintf(r->path, sizeof(r->path), "%s>%s",
				     u->site_path, node_id) >= sizeof(r->path))
			return 0;
		r->own = 0;
	} else {
		snprintf(r->path, sizeof(r->path), "%s", node_id);
		r->own = 1;
	}
	enc_add(&b->e, r);
	return 0;
}

static void
snap_free(struct export_snap *sn)
{
	size_t i;

	for (i = 0; i < sn->n; i++)
		free(sn->msgs[i].payload);
	free(sn->msgs);
	free(sn);
}

/* Owner thread, about once a second: serves the snapshot requests this
 * interface has not served yet.  Its own flows' totals are what their
 * deltas queued so far add up to, and none of its deltas can be queued
 * while it walks: so the snapshot goes out right after the ring's
 * current head, numbered above every delta before it. */
static void
export_sink_tick(void *ctx, struct iface *ifc, uint64_t wall_ms)
{
	int slot = *(int *)ctx;
	struct snap_req req;
	struct snap_build *b;
	struct export_snap *sn;
	uint8_t *buf;
	uint64_t seq, records;
	size_t nmsgs;

	(void)wall_ms;
	for (;;) {
		pthread_mutex_lock(&ex.lock);
		/* requests are numbered 1, 2, ...; served: how many this
		 * interface served (the oldest are skipped when it lags by
		 * more than the ring) */
		if (ex.next_req - ex.served[slot] > EXPORT_SNAP_REQS)
			ex.served[slot] = ex.next_req - EXPORT_SNAP_REQS;
		if (ex.served[slot] >= ex.next_req) {
			pthread_mutex_unlock(&ex.lock);
			return;
		}
		req = ex.reqs[(ex.served[slot] + 1) % EXPORT_SNAP_REQS];
		ex.served[slot]++;
		seq = ++ex.next_seq;
		pthread_mutex_unlock(&ex.lock);

		b = calloc(1, sizeof(*b));
		sn = calloc(1, sizeof(*sn));
		buf = malloc(EXPORT_MAX_PAYLOAD + EXPORT_MAX_RECORD);

		if (b == NULL || sn == NULL || buf == NULL) {
			free(b);
			free(sn);
			free(buf);
			log_warn("-I: no memory for a snapshot");
			return;
		}
		sn->sock = req.sock;
		memcpy(sn->topic, req.topic, sizeof(sn->topic));
		enc_init(&b->e, buf, EXPORT_MAX_PAYLOAD + EXPORT_MAX_RECORD,
			 req.topic);
		b->e.out = enc_out_snap;
		b->e.ctx = sn;
		tables_snapshot(ifc, seq, snap_record, b);
		enc_fini(&b->e);
		sn->records = b->e.count;
		free(buf);
		free(b);
		/* what the log line says, read before the exporter thread
		 * may send and free sn */
		records = sn->records;
		nmsgs = sn->n;
		pthread_mutex_lock(&ex.lock);
		sn->ring_pos = ex.head;
		*ex.snaps_tail = sn;
		ex.snaps_tail = &sn->next;
		pthread_cond_signal(&ex.cond);
		pthread_mutex_unlock(&ex.lock);
		log_info("-I %s: snapshot of %s for %s: %llu records in %zu "
			 "messages",
			 ex.socks[req.sock].endpoint, iface_name(ifc),
			 req.topic, (unsigned long long)records, nmsgs);
	}
}

/* Sends the snapshots whose ring position the tail has reached. */
static void
export_send_snaps(uint64_t tail)
{
	for (;;) {
		struct export_snap *sn;
		struct export_sock *es;
		size_t i;

		pthread_mutex_lock(&ex.lock);
		sn = ex.snaps;
		if (sn == NULL || sn->ring_pos > tail) {
			pthread_mutex_unlock(&ex.lock);
			return;
		}
		ex.snaps = sn->next;
		if (ex.snaps == NULL)
			ex.snaps_tail = &ex.snaps;
		pthread_mutex_unlock(&ex.lock);
		es = &ex.socks[sn->sock];
		if (!es->subscribed) {
			/* its subscriber left: the backlog waits for the next
			 * one, which asks for its own snapshot */
			snap_free(sn);
			continue;
		}
		sock_flush(es);
		for (i = 0; i < sn->n; i++)
			sock_send(es, sn->topic, sn->msgs[i].version,
				  sn->msgs[i].payload, sn->msgs[i].len);
		es->snapshots++;
		es->snap_records += sn->records;
		snap_free(sn);
	}
}

/* A subscriber's private topic: "snap." and 10 hex digits. */
static int
snap_topic_ok(const uint8_t *t, size_t n)
{
	size_t i, p = sizeof(SNAP_PREFIX) - 1;

	if (n != p + 10 || memcmp(t, SNAP_PREFIX, p) != 0)
		return 0;
	for (i = p; i < n; i++)
		if (!((t[i] >= '0' && t[i] <= '9') ||
		      (t[i] >= 'a' && t[i] <= 'f')))
			return 0;
	return 1;
}

/* Reads the subscriptions arriving on the endpoints (each is an XPUB
 * that reports every subscription and unsubscription of every peer,
 * ZMQ_XPUB_VERBOSER): an endpoint has a peer while one subscription
 * other than the snapshot ones is live; its backlog goes as soon as it has
 * one, after an event (so that a peer learns our start and totals
 * before any record of this run).  A new "snap.<nonce>" asks every
 * interface for a snapshot for that subscriber alone. */
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
			int was = es->n_topics > 0;
			size_t len = (size_t)n < sizeof(msg) ? (size_t)n
							     : sizeof(msg);

			/* not a subscription: a reliable link's
			 * acknowledgement (reliable.c), else ignored */
			if (msg[0] != 0 && msg[0] != 1) {
				if (es->rel != NULL)
					rel_on_message(es->rel, msg, len);
				continue;
			}

			if (snap_topic_ok(msg + 1, len - 1)) {
				uint64_t sec = time_mono_ms() / 1000;

				/* a peer flooding subscriptions gets a few
				 * snapshots a second, not one each */
				if (msg[0] == 1 && sec != es->snap_sec) {
					es->snap_sec = sec;
					es->snap_in_sec = 0;
				}
				if (msg[0] == 1 &&
				    es->snap_in_sec++ >= EXPORT_SNAP_PER_SEC) {
					es->snap_refused++;
					continue;
				}
				if (msg[0] == 1) {
					struct snap_req *r;

					pthread_mutex_lock(&ex.lock);
					r = &ex.reqs[(ex.next_req + 1) %
						     EXPORT_SNAP_REQS];
					r->id = ++ex.next_req;
					r->sock = i;
					memcpy(r->topic, msg + 1, len - 1);
					r->topic[len - 1] = '\0';
					pthread_mutex_unlock(&ex.lock);
					log_info("-I %s: %s subscribed: a "
						 "snapshot follows",
						 es->endpoint, r->topic);
				}
				continue;
			}
			if (msg[0] == 1)
				es->n_topics++;
			else if (msg[0] == 0 && es->n_topics > 0)
				es->n_topics--;
			if (msg[0] == 1 && !es->subscribed) {
				es->subscribed = 1;
				export_send_event_on(es);
			}
			es->subscribed = es->n_topics > 0;
			/* reliable: every new connection resends what is
			 * held; none left, nothing is sent */
			if (es->rel != NULL && msg[0] == 1)
				rel_connected(es->rel, 1);
			else if (es->rel != NULL && was && !es->subscribed)
				rel_connected(es->rel, 0);
		}
		if (es->rel != NULL) {
			struct rel_stats rs;

			if (rel_tick(es->rel, time_mono_ms()) &&
			    es->connect_mode) {
				/* a dead link: a new connection, then the
				 * peer's subscription triggers the resend */
				zmq_disconnect(es->sock, es->endpoint);
				zmq_connect(es->sock, es->endpoint);
				rel_connected(es->rel, 0);
			}
			rel_get_stats(es->rel, &rs);
			pthread_mutex_lock(&ex.lock);
			es->rs = rs;
			pthread_mutex_unlock(&ex.lock);
		}
		pthread_mutex_lock(&ex.lock);
		es->rest_subscribed = es->subscribed;
		pthread_mutex_unlock(&ex.lock);
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
			export_send("alert", 2, txt, strlen(txt), NULL);
		free(txt);
	}
}

/* 1 when a reliable link with a peer still holds batches. */
static int
export_rel_waiting(void)
{
	for (int i = 0; i < ex.n_socks; i++) {
		struct rel_stats rs;

		if (ex.socks[i].rel == NULL || !ex.socks[i].subscribed)
			continue;
		rel_get_stats(ex.socks[i].rel, &rs);
		if (rs.spool_batches > 0)
			return 1;
	}
	return 0;
}

static void *
export_thread(void *arg)
{
	static struct export_rec batch[512];
	uint64_t next_event = time_mono_ms(), drain_until = 0;

	(void)arg;
	log_set_role("export");
	for (;;) {
		size_t n = 0;
		int stop;
		struct timespec ts;
		uint64_t end, tail;

		export_poll_subscriptions();
		pthread_mutex_lock(&ex.lock);
		if (ex.head == ex.tail && ex_alert_head == ex_alert_tail &&
		    ex.snaps == NULL && ex.running) {
			cond_deadline_ms(&ts, 100);
			pthread_cond_timedwait(&ex.cond, &ex.lock, &ts);
		}
		/* a snapshot goes where its deltas end (export_sink_tick) */
		end = ex.snaps != NULL && ex.snaps->ring_pos < ex.head
			      ? ex.snaps->ring_pos
			      : ex.head;
		if (ex.snaps != NULL && ex.snaps->ring_pos < ex.tail)
			end = ex.tail;
		while (ex.tail != end && n < sizeof(batch) / sizeof(batch[0]))
			batch[n++] = ex.ring[ex.tail++ % EXPORT_RING];
		tail = ex.tail;
		stop = !ex.running && ex.head == ex.tail;
		pthread_mutex_unlock(&ex.lock);
		if (n > 0)
			export_batch(batch, n);
		export_send_snaps(tail);
		export_send_alerts();
		if (time_mono_ms() >= next_event) {
			export_send_event();
			next_event = time_mono_ms() + 1000;
		}
		if (stop && n == 0) {
			/* reliable links: a moment for the last
			 * acknowledgements, else the batches wait in the
			 * spool for the next start */
			if (drain_until == 0)
				drain_until = time_mono_ms() + 2000;
			if (export_rel_waiting() &&
			    time_mono_ms() < drain_until) {
				struct timespec d = { 0, 10 * 1000 * 1000 };

				nanosleep(&d, NULL);
				continue;
			}
			break;
		}
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

/* --export-reliable: the endpoint's spool, <data dir>/spool/<endpoint
 * with every character but [A-Za-z0-9.-] as '_'>, and ZMTP heartbeats so
 * that a dead link is noticed (then libzmq reconnects, the peer
 * subscribes again and the spool is resent). */
static int
export_reliable_open(struct export_sock *es, const char *ep,
		     const struct prefs *p)
{
	char dir[4096], name[300];
	const char *base = p->data_dir ? p->data_dir : "/var/tmp/ntopng";
	int v;
	size_t i;

	for (i = 0; ep[i] != '\0' && i < sizeof(name) - 1; i++)
		name[i] = (ep[i] >= 'a' && ep[i] <= 'z') ||
					  (ep[i] >= 'A' && ep[i] <= 'Z') ||
					  (ep[i] >= '0' && ep[i] <= '9') ||
					  ep[i] == '.' || ep[i] == '-'
				  ? ep[i]
				  : '_';
	name[i] = '\0';
	snprintf(dir, sizeof(dir), "%s/spool/%s", base, name);
	v = 1000;
	zmq_setsockopt(es->sock, ZMQ_HEARTBEAT_IVL, &v, sizeof(v));
	v = 3000;
	zmq_setsockopt(es->sock, ZMQ_HEARTBEAT_TIMEOUT, &v, sizeof(v));
	zmq_setsockopt(es->sock, ZMQ_HEARTBEAT_TTL, &v, sizeof(v));
	v = 2000; /* a connect attempt into a dead link gives up soon */
	zmq_setsockopt(es->sock, ZMQ_CONNECT_TIMEOUT, &v, sizeof(v));
	es->rel = rel_open(dir, (uint64_t)p->export_reliable_mb << 20, node_id,
			   rel_sock_send, es);
	return es->rel != NULL ? 0 : -1;
}

static int
export_open(const char *spec, const struct prefs *p)
{
	struct export_sock *es = &ex.socks[ex.n_socks];
	size_t n = strlen(spec) + 1;
	int connect_mode = 0;
	int hwm = 100000, linger = 2000, one = 1;
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
	collector_zmq_liveness_opts(es->sock, ep);
	/* every (un)subscription of every peer, not only a topic's first
	 * and last: a subscriber that reconnects while its old connection is
	 * not yet seen dead still gets its snapshot, and n_topics counts */
	zmq_setsockopt(es->sock, ZMQ_XPUB_VERBOSER, &one, sizeof(one));
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
	if (p->export_reliable_mb > 0 && export_reliable_open(es, ep, p) != 0)
		goto fail;
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
	rel_close(es->rel);
	es->rel = NULL;
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

	if (p->n_export_endpoints == 0) {
		if (p->export_reliable_mb > 0)
			log_warn("--export-reliable without -I: nothing to "
				 "acknowledge");
		return 0;
	}
	cond_init_mono(&ex.cond);
	ex.snaps_tail = &ex.snaps;
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
	query_export_links = export_links_json;
	log_info("node id %s, ZMQ source_id %u", node_id, ex.st.source_id);
	return 0;
}

void
export_stop(void)
{
	int i, n;

	if (ex.active) {
		pthread_mutex_lock(&ex.lock);
		ex.running = 0;
		pthread_cond_signal(&ex.cond);
		pthread_mutex_unlock(&ex.lock);
		pthread_join(ex.thread, NULL);
		ex.active = 0;
	}
	/* the REST hook reads the endpoints under the lock */
	pthread_mutex_lock(&ex.lock);
	n = ex.n_socks;
	ex.n_socks = 0;
	pthread_mutex_unlock(&ex.lock);
	for (i = 0; i < n; i++) {
		struct export_sock *es = &ex.socks[i];

		if (es->n_backlog > 0)
			log_warn("-I %s: no peer subscribed: %zu messages not "
				 "sent",
				 es->endpoint, es->n_backlog);
		while (es->n_backlog > 0)
			free(es->backlog[--es->n_backlog].payload);
		free(es->backlog);
		rel_close(es->rel);
		es->rel = NULL;
		zmq_close(es->sock);
		free(es->endpoint);
	}
	while (ex.snaps != NULL) {
		struct export_snap *sn = ex.snaps;

		ex.snaps = sn->next;
		snap_free(sn);
	}
	ex.snaps_tail = &ex.snaps;
	ex.n_socks = 0;
	if (ex.ctx != NULL)
		zmq_ctx_term(ex.ctx);
	ex.ctx = NULL;
	free(ex.ring);
	ex.ring = NULL;
}
