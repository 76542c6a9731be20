/*
 * zmqc.h - the ZMQ collector's message decoder, independent of sockets.
 *
 * A multipart message (header frame, payload frame, possibly garbage
 * around them) goes into zmqc_decode_msg(); the decoder classifies the
 * header (zmq_header.c), inflates the payload if needed (zmq_decode.c),
 * parses JSON (zmq_json.c, jsmn with a fixed token array) or TLV
 * (zmq_tlv.c, the nDPI serializer format), turns every flow record into
 * a struct flow_update (zmq_fields.c) and hands it to an emit callback.
 * The socket side (zmq_source.c) emits into its interface's sink; the unit
 * tests, the fuzzer and the benchmark emit into their own counters.
 *
 * The decoder also keeps the ledger of the publishers behind one
 * endpoint, one entry per header source_id: messages, flows, bytes,
 * msg_id gaps, errors by cause, last seen, and the probe's own `event`
 * statistics.  Wire format: shared/docs/zmq-wire.md.
 *
 * Threads: a decoder belongs to one thread (the interface's owner).
 * Nothing in the hot path allocates: the token array, the inflate
 * buffer and the peer table are allocated once (the inflate buffer grows
 * up to its cap and stays).
 */
#ifndef COLLECTOR_ZMQC_H
#define COLLECTOR_ZMQC_H

#include <stddef.h>
#include <stdint.h>

#include "common/log.h"
#include "merge/record.h"

#define ZMQC_MAX_PAYLOAD (16u << 20) /* payload frames above: refused */
#define ZMQC_INFLATE_MAX (8u << 20)  /* inflated payloads above: a bomb */
#define ZMQC_LAT_SLOTS 200 /* link lag histogram: 50 ms steps to 10 s */
#define ZMQC_LAT_STEP_MS 50
#define ZMQC_MAX_PEERS 64	  /* ledger entries per endpoint */
#define ZMQC_PEER_EXPIRE_MS 10000 /* silence that restarts msg_id checks */
#define ZMQC_JSON_TOKENS 2048	  /* tokens of one JSON object */
#define ZMQC_MAX_TEMPLATES 256	  /* labels learned from `template` */
#define ZMQC_INFO_MAX 256
#define ZMQC_EXTRA_MAX 512 /* additional fields of one record */

/* Errors, counted per cause (names in zmqc_err_names, for the API). */
enum zmqc_err {
	ZMQC_OK = 0,
	ZMQC_ERR_BAD_HEADER,   /* header frame of an unknown size */
	ZMQC_ERR_BAD_VERSION,  /* known size, unsupported version byte */
	ZMQC_ERR_NO_PAYLOAD,   /* a header frame alone */
	ZMQC_ERR_EXTRA_FRAMES, /* frames after the payload (drained) */
	ZMQC_ERR_OVERSIZE,     /* payload above ZMQC_MAX_PAYLOAD */
	ZMQC_ERR_EMPTY,	       /* empty payload frame */
	ZMQC_ERR_ZLIB,	       /* corrupt compressed payload */
	ZMQC_ERR_ZLIB_BOMB,    /* inflates beyond the cap */
	ZMQC_ERR_ENCODING,     /* neither JSON nor TLV */
	ZMQC_ERR_JSON,	       /* invalid JSON (one object or message) */
	ZMQC_ERR_VALUE_TYPE,  /* a known field with a value of the wrong type */
	ZMQC_ERR_TLV,	      /* malformed TLV: the message is dropped */
	ZMQC_ERR_BAD_FLOW,    /* record without usable addresses */
	ZMQC_ERR_REFUSED,     /* valid record the tables refused (full) */
	ZMQC_ERR_BAD_COUNTER, /* counter sample without deviceIP/ifIndex */
	ZMQC_ERR_IMPLAUSIBLE, /* record refused: counts absurd for its duration
			       */
	ZMQC_ERR__COUNT
};
extern const char *const zmqc_err_names[ZMQC_ERR__COUNT];

enum zmqc_topic {
	ZT_FLOW = 0,
	ZT_EVENT,
	ZT_COUNTER,
	ZT_TEMPLATE,
	ZT_OPTION,
	ZT_HELLO,
	ZT_LISTENING_PORTS,
	ZT_SNMP_IFACES,
	ZT_ALERT, /* ours: a peer node's past alert (JSON) */
	ZT_SNAP,  /* ours: snapshot records, "snap.<nonce>" and "resync" */
	ZT_OTHER,
	ZT__COUNT
};
extern const char *const zmqc_topic_names[ZT__COUNT];

/* A parsed header frame. */
struct zmqc_header {
	char topic[33]; /* NUL-terminated */
	uint8_t layout; /* frame size: 24, 28, 36 or 40 */
	uint8_t version;
	uint8_t flags;	    /* v3 only: ZMQC_FLAG_* */
	uint8_t has_msg_id; /* 0 for v0 (no ids on the wire) */
	uint32_t msg_id;
	uint32_t source_id;
	uint32_t uncompressed_size; /* v3 only (not trusted) */
	uint32_t compressed_size;
};
#define ZMQC_FLAG_TLV 0x02
#define ZMQC_FLAG_ZLIB 0x04

/* Parses one header frame: ZMQC_OK, ZMQC_ERR_BAD_HEADER (size) or
 * ZMQC_ERR_BAD_VERSION. */
int zmqc_header_parse(const uint8_t *b, size_t len, struct zmqc_header *h);
/* Topic by its first character, as ntopng dispatches. */
enum zmqc_topic zmqc_topic_of(const char *topic);

/* The probe's own statistics, from its `event` messages (§6.1). */
struct zmqc_probe {
	uint64_t time;	     /* probe clock, epoch s */
	uint64_t first_time; /* `time` of the first event */
	uint64_t uptime;     /* "uptime" if sent, else time - first_time */
	uint64_t bytes, packets, packet_drops;
	uint64_t num_flow_exports;
	uint64_t num_exporters;
	uint64_t export_queue_full, too_many_flows, flow_collection_drops,
		flow_collection_udp_socket_drops;
	uint32_t timeout_lifetime, timeout_idle, timeout_collected_lifetime;
	char ip[48];
	char version[32];
	char iface[32];
	/* a peer node's own keys (docs/hierarchy.md) */
	char node_id[65];
	uint64_t start_ms, export_interval;
	uint64_t exp_flows, exp_bytes, exp_pkts;
	uint8_t has_export; /* its event had the "export" object */
};

/* `counter` samples (zmq-wire.md §6.2): field ids 0..15, as on the wire. */
enum zmqc_counter_id {
	ZMQC_CTR_DEVICE_IP = 0,
	ZMQC_CTR_SAMPLES,
	ZMQC_CTR_IF_INDEX,
	ZMQC_CTR_IF_NAME,
	ZMQC_CTR_IF_TYPE,
	ZMQC_CTR_IF_SPEED,
	ZMQC_CTR_IF_DIRECTION,
	ZMQC_CTR_IF_ADMIN_STATUS,
	ZMQC_CTR_IF_OPER_STATUS,
	ZMQC_CTR_IN_OCTETS,
	ZMQC_CTR_IN_PACKETS,
	ZMQC_CTR_IN_ERRORS,
	ZMQC_CTR_OUT_OCTETS,
	ZMQC_CTR_OUT_PACKETS,
	ZMQC_CTR_OUT_ERRORS,
	ZMQC_CTR_PROMISC,
	ZMQC_CTR__COUNT
};
#define ZMQC_MAX_IFCOUNTERS 64 /* interfaces kept per peer */

/* The latest counters of one (device, ifIndex), or a sample being read. */
struct zmqc_ifcounters {
	struct ipaddr device;
	uint32_t ifindex, iftype;
	char name[32];
	uint64_t speed; /* bits/s */
	uint8_t full_duplex, admin_up, oper_up, promisc;
	uint64_t samples; /* the agent's samplesGenerated */
	uint64_t in_bytes, in_pkts, in_errors;
	uint64_t out_bytes, out_pkts, out_errors;
	uint32_t have; /* bit per enum zmqc_counter_id seen */
	uint64_t updates, first_ms, last_ms;
};

/* Interface names from `snmp-ifaces` (exporter key, ifIndex -> name). */
#define ZMQC_MAX_IFNAMES 1024 /* names kept per peer */
struct zmqc_ifname {
	char exporter[48]; /* the message's key, usually an address */
	uint32_t ifindex;
	char name[48];
};

/* A probe's events stop counting for the idle time after this long. */
#define ZMQC_PROBE_STALE_MS (30 * 60 * 1000)

/* One publisher behind the endpoint (one header source_id). */
struct zmqc_peer {
	uint32_t source_id;
	uint8_t used;
	uint8_t have_msg_id; /* last_msg_id valid (ids seen, not expired) */
	uint8_t rejoin;	     /* the socket was closed and opened again
			      * (zmqc_decoder_rejoin): the ids sent meanwhile
			      * are missed, not dropped */
	uint32_t last_msg_id;
	uint8_t have_jump; /* jump_id: an implausible id seen last */
	uint32_t jump_id;
	uint64_t msgs, flows, bytes;
	uint64_t msg_drops, rollbacks, duplicates, restarts;
	uint64_t missed_at_join; /* ids below the first one seen */
	uint64_t msg_id_jumps;	 /* forward jumps of 2^31 or more */
	uint64_t events, counters;
	struct zmqc_ifcounters *ifc; /* [ZMQC_MAX_IFCOUNTERS], from `counter` */
	uint32_t n_ifc;
	uint64_t counters_dropped; /* samples of interfaces beyond those */
	struct zmqc_ifname
		*ifnames; /* [ZMQC_MAX_IFNAMES], from `snmp-ifaces` */
	uint32_t n_ifnames;
	uint64_t ifnames_dropped;
	uint64_t first_seen_ms, last_seen_ms;
	uint64_t errors[ZMQC_ERR__COUNT];
	uint8_t last_version, last_layout;
	struct zmqc_probe probe;
	/* hierarchies: the site path of its last record; the peer node is
	 * its last id (each node appends itself) */
	char site_path[256];
	/* rate: bytes per second over the last housekeeping second */
	uint64_t rate_last_bytes;
	double bytes_per_sec;
	/* hierarchies (docs/hierarchy.md "Liveness"): the link's lag (now
	 * minus each delta's last packet at its origin), in
	 * ZMQC_LAT_STEP_MS steps, and its state: a node's event comes every
	 * second; silent for 3 x max(1 s, its export interval): down */
	uint32_t lat_hist[ZMQC_LAT_SLOTS + 1];
	uint64_t lat_samples;
	uint8_t link_down;
	uint64_t link_downs;	 /* times it went down */
	uint64_t link_change_ms; /* when its state last changed */
};

struct zmqc_stats {
	uint64_t msgs;		    /* multipart messages received */
	uint64_t frames, bytes;	    /* every frame; bytes of every frame */
	uint64_t topics[ZT__COUNT]; /* messages by topic (decoded headers) */
	uint64_t flows;		    /* flow records accounted */
	uint64_t flow_msgs;	    /* `flow` messages with a decoded payload */
	uint64_t msg_drops;	    /* msg_id gaps */
	uint64_t missed_at_join;    /* msg_ids a source sent before we joined */
	uint64_t msg_id_jumps;	    /* implausible forward jumps (not drops) */
	uint64_t errors[ZMQC_ERR__COUNT];
	uint64_t peers_evicted; /* ledger entries recycled (table full) */
	uint64_t last_msg_ms;
};

/* Receives each decoded flow; returns 0, or -1 when it was refused. */
typedef int (*zmqc_emit_fn)(void *ctx, const struct flow_update *u);
/* Optional: told of a batch of flows (up to ZMQC_BATCH, all of one
 * message) just before they are emitted one by one, in that order. */
typedef void (*zmqc_prefetch_fn)(void *ctx, const struct flow_update *const *u,
				 int n);
#define ZMQC_BATCH 32

struct zmqc_json; /* zmq_json.c: token array */

struct zmqc_template {
	char name[64];
	uint32_t pen, id;
};

struct zmqc_decoder {
	const char *name; /* endpoint, for log lines */
	zmqc_emit_fn emit;
	zmqc_prefetch_fn prefetch; /* NULL, or set after zmqc_decoder_init */
	void *emit_ctx;
	/* the `alert` topic's JSON, to emit_ctx (NULL: counted only) */
	int (*emit_alert)(void *ctx, const char *json, size_t len);
	/* a peer node's event declaration (NULL: not wanted) */
	void (*emit_node_event)(void *ctx, const struct node_event *ev);
	/* the peer whose records (or alert) emit is being called for */
	struct zmqc_peer *emit_peer;
	uint8_t snapshot;	/* the message being read is a snapshot */
	struct zmqc_rec *batch; /* [ZMQC_BATCH]: records not yet emitted */
	int n_batch;
	struct zmqc_stats st;
	struct zmqc_peer *peers; /* [ZMQC_MAX_PEERS] */
	struct zmqc_peer orphan; /* errors before a header was read */
	uint8_t *zbuf;		 /* inflate output, grows up to inflate_max */
	size_t zcap, inflate_max;
	void *zstream; /* z_stream, reset per message */
	int zstream_ready;
	struct zmqc_json *json;
	struct zmqc_template *tmpl; /* [ZMQC_MAX_TEMPLATES] */
	int n_tmpl;
	struct ratelimit rl;
};

/*
 * How long a flow of this peer may stay without an update before it is
 * idle, in seconds, from its last `event` (zmq-wire.md §5): the larger of
 * clamp(2 x timeout.idle, 60, 600) and min(timeout.lifetime (at most
 * 600), timeout.collected_lifetime) + 10; 0 before any event.
 */
uint32_t zmqc_peer_max_idle(const struct zmqc_peer *p);

int zmqc_decoder_init(struct zmqc_decoder *d, const char *name,
		      zmqc_emit_fn emit, void *ctx);
void zmqc_decoder_fini(struct zmqc_decoder *d);
/* The socket was closed and is open again (a disabled interface enabled,
 * set/interface/state.lua): each known publisher's next msg_id after a
 * gap counts the ids in between as missed_at_join (we could not have had
 * them), not as drops. */
void zmqc_decoder_rejoin(struct zmqc_decoder *d);
/*
 * Decodes one multipart message: `n` frames in all, of which the first
 * (hdr) and second (pay, NULL when n < 2) are given; the others were
 * already drained by the caller.  Never fails: problems are counted.
 */
void zmqc_decode_msg(struct zmqc_decoder *d, const uint8_t *hdr, size_t hlen,
		     const uint8_t *pay, size_t plen, int n, uint64_t now_ms);
/*
 * Test/fuzz entry: one message packed in one buffer as
 *   byte 0 = header frame length N (0xff: the rest is one lone frame),
 *   then N header bytes (fewer if the buffer ends), then the payload
 *   frame (possibly empty).  tests/corpus/zmq/ files use this format.
 */
void zmqc_decode_blob(struct zmqc_decoder *d, const uint8_t *b, size_t len,
		      uint64_t now_ms);
/* Counts n errors of one cause (decoder and peer, if any) and logs one
 * line, rate-limited. */
void zmqc_error_n(struct zmqc_decoder *d, struct zmqc_peer *p, enum zmqc_err e,
		  uint64_t n, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
#define zmqc_error(d, p, e, ...) zmqc_error_n((d), (p), (e), 1, __VA_ARGS__)

/* ---- records (zmq_fields.c): one flow being built from fields ---- */

/* ZV_OTHER: true/false/null, arrays, objects: wrong for any known field */
enum zmqc_vtype { ZV_UINT = 0, ZV_INT, ZV_DOUBLE, ZV_STR, ZV_OTHER };

struct zmqc_val {
	enum zmqc_vtype type;
	uint64_t u; /* ZV_UINT; also ZV_INT >= 0 */
	int64_t i;
	double d;
	const char *s; /* ZV_STR, and ZV_OTHER from JSON: the
			* text (not NUL-terminated) */
	size_t len;
	uint8_t escaped; /* JSON string holding a backslash */
};

struct zmqc_rec {
	struct flow_update u;
	uint64_t first_s, last_s; /* as sent (s or ms) */
	uint8_t have_client_flags;
	uint8_t vlan_set;
	uint8_t info_prio; /* 0 none, 1 L7_INFO, 2 SNI/DNS/HTTP */
	uint16_t dot1q_vlan;
	struct ipaddr nprobe_ip;
	uint64_t abs_bytes[2], abs_pkts[2];
	uint8_t abs_seen;
	uint16_t extra_len;	  /* bytes used in extra */
	uint8_t extra_full;	  /* fields that did not fit were dropped */
	char info[ZMQC_INFO_MAX]; /* last: zmqc_rec_init clears up to here */
	char path[256];		  /* SITE_PATH (hierarchies) */
	/* "additional fields" (zmq-wire.md §3.1, §4.1): the fields we do not
	 * keep in the flow, as the members of a JSON object, "{...}" */
	char extra[ZMQC_EXTRA_MAX];
};

void zmqc_rec_init(struct zmqc_rec *r);
/* Applies one field (pen, id as on the wire; key/key_len: the key's
 * text when it was a label, else NULL).  Returns ZMQC_OK, or
 * ZMQC_ERR_VALUE_TYPE when a known field has a value of the wrong type
 * (the field is then ignored).  A field the flow does not keep becomes an
 * additional field, named by its label (sent, or from the built-in
 * table) or "PEN.ID"/"ID". */
int zmqc_rec_field(struct zmqc_rec *r, uint32_t pen, uint32_t id,
		   const char *key, size_t key_len, const struct zmqc_val *v);
/* A field whose key resolves to nothing: an additional field as named. */
void zmqc_rec_extra(struct zmqc_rec *r, const char *key, size_t key_len,
		    const struct zmqc_val *v);
/* Normalises a finished record into r->u (direction heuristic, ICMP
 * ports, timestamps).  Returns ZMQC_OK or ZMQC_ERR_BAD_FLOW. */
int zmqc_rec_finish(struct zmqc_rec *r, uint64_t now_ms);
/*
 * Records of one message are batched: zmqc_rec_begin() gives the next
 * free (cleared) record of the batch; zmqc_rec_end() finishes it (a bad
 * record is counted and dropped) and, when the batch is full, flushes
 * it; zmqc_rec_flush() hands the batch to the prefetch hook, then each
 * record to the emit callback, counting flows and refusals in the
 * decoder and in peer p.  Both return the number of flows accounted by
 * the flush they made (0 if none).  Parsers flush at the end of every
 * message, so a batch never mixes peers or messages.
 */
struct zmqc_rec *zmqc_rec_begin(struct zmqc_decoder *d);
int zmqc_rec_end(struct zmqc_decoder *d, struct zmqc_peer *p, uint64_t now_ms);
int zmqc_rec_flush(struct zmqc_decoder *d, struct zmqc_peer *p);
/* Resolves a textual key: all digits → (0, n); "PEN.ID"; else a label
 * (built-in table, then learned templates).  0 or -1 (unknown). */
int zmqc_key_resolve(const struct zmqc_decoder *d, const char *k, size_t len,
		     uint32_t *pen, uint32_t *id);

/* ---- payload parsers ---- */

/* JSON (zmq_json.c).  Each returns the number of flows accounted or -1
 * when the message was refused; errors are counted inside. */
int zmqc_json_init(struct zmqc_decoder *d);
void zmqc_json_fini(struct zmqc_decoder *d);
int zmqc_json_flows(struct zmqc_decoder *d, struct zmqc_peer *p,
		    const char *buf, size_t len, uint64_t now_ms);
int zmqc_json_event(struct zmqc_decoder *d, struct zmqc_peer *p,
		    const char *buf, size_t len);
int zmqc_json_template(struct zmqc_decoder *d, struct zmqc_peer *p,
		       const char *buf, size_t len);
/* Validates a JSON document of another topic (counter, option...). */
int zmqc_json_check(struct zmqc_decoder *d, struct zmqc_peer *p,
		    const char *buf, size_t len);

/* `counter` samples (zmq_counter.c): a field name or "0".."15" to its
 * id (-1: not a counter field); one field into a sample (ZMQC_OK or
 * ZMQC_ERR_VALUE_TYPE; unknown ids are ignored); a finished sample into
 * the peer's table (0, or -1 when refused: counted). */
int zmqc_counter_key(const char *k, size_t len);
int zmqc_counter_field(struct zmqc_ifcounters *c, int id,
		       const struct zmqc_val *v);
int zmqc_counter_store(struct zmqc_decoder *d, struct zmqc_peer *p,
		       const struct zmqc_ifcounters *s, uint64_t now_ms);
int zmqc_json_counter(struct zmqc_decoder *d, struct zmqc_peer *p,
		      const char *buf, size_t len, uint64_t now_ms);
int zmqc_tlv_counter(struct zmqc_decoder *d, struct zmqc_peer *p,
		     const uint8_t *buf, size_t len, uint64_t now_ms);
/* `snmp-ifaces`: {"<exporter>": {"<ifIndex>": "<name>", ...}, ...} into
 * the peer's names (later names replace earlier ones); 0, or -1 when
 * the message is not of that shape (counted). */
int zmqc_snmp_ifaces(struct zmqc_decoder *d, struct zmqc_peer *p,
		     const char *buf, size_t len);
/* The name of (exporter, ifIndex) from the peer's `snmp-ifaces`, or NULL. */
const char *zmqc_ifname(const struct zmqc_peer *p, const char *exporter,
			uint32_t ifindex);

/* TLV (zmq_tlv.c). */
struct zmqc_tlv_item {
	uint8_t key_type, value_type; /* 4-bit codes */
	uint32_t key_id;	      /* numeric keys */
	const char *key_str;	      /* string keys (not NUL-terminated) */
	size_t key_len;
	struct zmqc_val v;
};
enum zmqc_tlv_next { TLV_ITEM = 0, TLV_EOR, TLV_END, TLV_ERROR };
/* Validates the whole buffer (version bytes, every item in bounds, only
 * scalar types).  0 or -1. */
int zmqc_tlv_validate(const uint8_t *b, size_t len);
/* Reads the item at *off (after the 2 version bytes); advances *off. */
enum zmqc_tlv_next zmqc_tlv_next(const uint8_t *b, size_t len, size_t *off,
				 struct zmqc_tlv_item *it);
int zmqc_tlv_flows(struct zmqc_decoder *d, struct zmqc_peer *p,
		   const uint8_t *buf, size_t len, uint64_t now_ms);

#endif
