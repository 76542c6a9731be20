/*
 * zmq_decode.c - one ZMQ message, from frames to flow updates, and the
 * ledger of the publishers behind an endpoint.
 *
 * A message is the multipart the socket delivered: frame 1 is the header
 * (zmq_header.c), frame 2 the payload; the caller drained any further
 * frames and tells how many there were.  Whatever arrives, every frame
 * has been consumed, so a bad message never shifts the next one (the
 * desync ntopng suffers, zmq-wire.md §2.1):
 *   - one frame: a header without payload (counted "no_payload") or a
 *     payload alone (counted "bad_header");
 *   - three or more: header and payload are used, the rest is counted
 *     ("extra_frames").
 * Payload (§3.2, §3.5): a v3 header with the 0x04 flag means zlib; a
 * version 0/1/2 payload starting with 0x00 is the legacy zlib marker.
 * Inflation streams into one buffer owned by the decoder that grows up to
 * ZMQC_INFLATE_MAX: anything bigger is a zlib bomb, counted and dropped.
 * Then the bytes are sniffed: 01 01 is TLV, '{' or '[' is JSON, whatever
 * the header claims (senders get the version byte wrong).
 *
 * Ledger: one entry per header source_id (ZMQC_MAX_PEERS; the least
 * recently seen is recycled when full).  msg_id rules (§2.4): the first
 * message of a source, or the first after ZMQC_PEER_EXPIRE_MS of silence,
 * starts the sequence; id == last+1 is fine; a jump adds (id-last-1)
 * drops; an id below the last is a restart ("rollback", not a drop),
 * except a wrap (last >= 0xffff0000, new < 0x10000), which counts the
 * drops across zero; a repeated id is a duplicate.  v0 headers carry no
 * ids: no drop accounting.  Two bounds keep a bogus id from inventing
 * losses: a forward jump of 2^31 or more is counted as a jump (restart or
 * garbage), not as drops, and does not replace the last id unless the
 * next id follows it; and a source whose first id is N > 1 counts N-1
 * messages "missed at join" (sent before we subscribed), apart from the
 * drops.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "collector/flowdec.h"
#include "collector/zmqc.h"

const char *const zmqc_err_names[ZMQC_ERR__COUNT] = {
	[ZMQC_OK] = "ok",
	[ZMQC_ERR_BAD_HEADER] = "bad_header",
	[ZMQC_ERR_BAD_VERSION] = "bad_version",
	[ZMQC_ERR_NO_PAYLOAD] = "no_payload",
	[ZMQC_ERR_EXTRA_FRAMES] = "extra_frames",
	[ZMQC_ERR_OVERSIZE] = "oversize",
	[ZMQC_ERR_EMPTY] = "empty_payload",
	[ZMQC_ERR_ZLIB] = "zlib",
	[ZMQC_ERR_ZLIB_BOMB] = "zlib_bomb",
	[ZMQC_ERR_ENCODING] = "unknown_encoding",
	[ZMQC_ERR_JSON] = "json",
	[ZMQC_ERR_VALUE_TYPE] = "value_type",
	[ZMQC_ERR_TLV] = "tlv",
	[ZMQC_ERR_BAD_FLOW] = "bad_flow",
	[ZMQC_ERR_REFUSED] = "refused",
	[ZMQC_ERR_BAD_COUNTER] = "bad_counter",
	[ZMQC_ERR_IMPLAUSIBLE] = "implausible_counts",
};

const char *const zmqc_topic_names[ZT__COUNT] = {
	"flow",	  "event",    "counter",	 "template",
	"option", "hello",    "listening-ports", "snmp-ifaces",
	"alert",  "snapshot", "other",
};

int
zmqc_decoder_init(struct zmqc_decoder *d, const char *name, zmqc_emit_fn emit,
		  void *ctx)
{
	z_stream *zs;

	memset(d, 0, sizeof(*d));
	d->name = name;
	d->emit = emit;
	d->emit_ctx = ctx;
	d->inflate_max = ZMQC_INFLATE_MAX;
	d->rl = (struct ratelimit)RATELIMIT_INIT(5);
	d->peers = calloc(ZMQC_MAX_PEERS, sizeof(*d->peers));
	d->tmpl = calloc(ZMQC_MAX_TEMPLATES, sizeof(*d->tmpl));
	d->batch = calloc(ZMQC_BATCH, sizeof(*d->batch));
	zs = calloc(1, sizeof(*zs));
	d->zstream = zs;
	if (!d->peers || !d->tmpl || !d->batch || !zs ||
	    zmqc_json_init(d) != 0 || inflateInit(zs) != Z_OK) {
		if (zs)
			zs->state = NULL;
		zmqc_decoder_fini(d);
		return -1;
	}
	d->zstream_ready = 1;
	return 0;
}

void
zmqc_decoder_rejoin(struct zmqc_decoder *d)
{
	for (int i = 0; d->peers != NULL && i < ZMQC_MAX_PEERS; i++)
		if (d->peers[i].used)
			d->peers[i].rejoin = 1;
}

void
zmqc_decoder_fini(struct zmqc_decoder *d)
{
	ratelimit_flush(&d->rl);
	if (d->zstream_ready)
		inflateEnd(d->zstream);
	free(d->zstream);
	zmqc_json_fini(d);
	for (int i = 0; d->peers != NULL && i < ZMQC_MAX_PEERS; i++) {
		free(d->peers[i].ifc);
		free(d->peers[i].ifnames);
	}
	free(d->peers);
	free(d->tmpl);
	free(d->batch);
	free(d->zbuf);
	memset(d, 0, sizeof(*d));
}

void
zmqc_error_n(struct zmqc_decoder *d, struct zmqc_peer *p, enum zmqc_err e,
	     uint64_t n, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	d->st.errors[e] += n;
	if (p != NULL)
		p->errors[e] += n;
	if (!ratelimit_ok(&d->rl))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (p != NULL && p != &d->orphan)
		log_warn("zmq %s: source %u: %s [%s]", d->name ? d->name : "",
			 p->source_id, line, zmqc_err_names[e]);
	else
		log_warn("zmq %s: %s [%s]", d->name ? d->name : "", line,
			 zmqc_err_names[e]);
}

struct zmqc_rec *
zmqc_rec_begin(struct zmqc_decoder *d)
{
	struct zmqc_rec *r = &d->batch[d->n_batch];

	zmqc_rec_init(r);
	return r;
}

int
zmqc_rec_end(struct zmqc_decoder *d, struct zmqc_peer *p, uint64_t now_ms)
{
	const struct flow_update *u = &d->batch[d->n_batch].u;

	if (zmqc_rec_finish(&d->batch[d->n_batch], now_ms) != ZMQC_OK) {
		zmqc_error(d, p, ZMQC_ERR_BAD_FLOW,
			   "flow record without a usable address pair");
		return 0;
	}
	/* the bound the NetFlow/IPFIX collector applies (flowdec.h) */
	if (!flowdec_counts_plausible(u->in_bytes, u->in_pkts, u->out_bytes,
				      u->out_pkts, u->first_ms, u->last_ms)) {
		zmqc_error(d, p, ZMQC_ERR_IMPLAUSIBLE,
			   "flow record with "
			   "implausible counters (%llu+%llu bytes, %llu+%llu "
			   "packets in %llu ms)",
			   (unsigned long long)u->in_bytes,
			   (unsigned long long)u->out_bytes,
			   (unsigned long long)u->in_pkts,
			   (unsigned long long)u->out_pkts,
			   (unsigned long long)(u->last_ms - u->first_ms));
		return 0;
	}
	if (!d->snapshot && u->last_ms != 0 && u->last_ms <= now_ms + 1000 &&
	    now_ms < u->last_ms + 60 * 1000) {
		uint64_t lat = now_ms > u->last_ms ? now_ms - u->last_ms : 0;
		uint64_t slot = lat / ZMQC_LAT_STEP_MS;

		p->lat_hist[slot < ZMQC_LAT_SLOTS ? slot : ZMQC_LAT_SLOTS]++;
		p->lat_samples++;
	}
	if (++d->n_batch < ZMQC_BATCH)
		return 0;
	return zmqc_rec_flush(d, p);
}

int
zmqc_rec_flush(struct zmqc_decoder *d, struct zmqc_peer *p)
{
	const struct flow_update *u[ZMQC_BATCH] = { NULL };
	int i, n = 0, nb = d->n_batch;

	d->n_batch = 0;
	if (nb == 0)
		return 0;
	if (d->prefetch != NULL) {
		for (i = 0; i < nb; i++)
			u[i] = &d->batch[i].u;
		d->prefetch(d->emit_ctx, u, nb);
	}
	d->emit_peer = p;
	for (i = 0; i < nb; i++) {
		struct zmqc_rec *r = &d->batch[i];

		r->u.snapshot = d->snapshot;
		if (d->emit != NULL && d->emit(d->emit_ctx, &r->u) != 0) {
			zmqc_error(
				d, p, ZMQC_ERR_REFUSED,
				"flow refused by the interface (table full?)");
			continue;
		}
		d->st.flows++;
		p->flows++;
		n++;
		if (r->path[0] != '\0' && strcmp(p->site_path, r->path) != 0)
			snprintf(p->site_path, sizeof(p->site_path), "%s",
				 r->path);
	}
	return n;
}

uint32_t
zmqc_peer_max_idle(const struct zmqc_peer *p)
{
	const struct zmqc_probe *pr = &p->probe;
	uint64_t r, f;

	if (p->events == 0)
		return 0;
	r = 2 * (uint64_t)pr->timeout_idle;
	r = r < 60 ? 60 : r > 600 ? 600 : r;
	f = pr->timeout_lifetime < 600 ? pr->timeout_lifetime : 600;
	if (pr->timeout_collected_lifetime < f)
		f = pr->timeout_collected_lifetime;
	f += 10;
	return (uint32_t)(r > f ? r : f);
}

/* The ledger entry of source_id, created (or recycled) when new. */
static struct zmqc_peer *
peer_get(struct zmqc_decoder *d, uint32_t source_id, uint64_t now_ms)
{
	struct zmqc_peer *free_slot = NULL, *oldest = NULL;
	int i;

	for (i = 0; i < ZMQC_MAX_PEERS; i++) {
		struct zmqc_peer *p = &d->peers[i];

		if (!p->used) {
			if (free_slot == NULL)
				free_slot = p;
			continue;
		}
		if (p->source_id == source_id)
			return p;
		if (oldest == NULL || p->last_seen_ms < oldest->last_seen_ms)
			oldest = p;
	}
	if (free_slot == NULL) {
		free_slot = oldest;
		d->st.peers_evicted++;
	}
	free(free_slot->ifc);
	free(free_slot->ifnames);
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = 1;
	free_slot->source_id = source_id;
	free_slot->first_seen_ms = now_ms;
	return free_slot;
}

/* A forward jump of this much or more is no run of lost messages (it
 * would take days at any real rate): a restart or garbage, as the NetFlow
 * sequence check reads it (collector/flowdec.c). */
#define MSG_ID_PLAUSIBLE 0x80000000u

static void
peer_msg_id(struct zmqc_decoder *d, struct zmqc_peer *p,
	    const struct zmqc_header *h, uint64_t now_ms)
{
	uint32_t last = p->last_msg_id, id = h->msg_id, gap = 0;

	if (!h->has_msg_id)
		return;
	if (p->rejoin && p->have_msg_id) {
		p->rejoin = 0;
		if (id > last && id - last - 1 < MSG_ID_PLAUSIBLE) {
			p->missed_at_join += id - last - 1;
			d->st.missed_at_join += id - last - 1;
			p->have_jump = 0;
			p->last_msg_id = id;
			return;
		}
	}
	p->rejoin = 0;
	if (!p->have_msg_id || now_ms > p->last_seen_ms + ZMQC_PEER_EXPIRE_MS) {
		if (p->have_msg_id) {
			p->restarts++;
		} else if (id > 1 && id - 1 < MSG_ID_PLAUSIBLE) {
			/* the publisher ran before we subscribed: ids
			 * 1..id-1 never reached us (not drops: we could
			 * not have had them) */
			p->missed_at_join += id - 1;
			d->st.missed_at_join += id - 1;
		} else if (id > 1) {
			p->msg_id_jumps++;
			d->st.msg_id_jumps++;
		}
		p->have_msg_id = 1;
		p->have_jump = 0;
		p->last_msg_id = id;
		return;
	}
	if (id == last) {
		p->duplicates++;
	} else if (p->have_jump && id == p->jump_id + 1) {
		p->restarts++;
	} else if (id > last && id - last - 1 >= MSG_ID_PLAUSIBLE) {
		/* Garbage or a restart far ahead.  Keep the sequence we
		 * trust, so that the next real id is no gap and a later
		 * restart at 1 is no wrap; adopt the new numbering only
		 * when the id after it follows it. */
		p->msg_id_jumps++;
		d->st.msg_id_jumps++;
		p->have_jump = 1;
		p->jump_id = id;
		return;
	} else if (id > last) {
		gap = id - last - 1;
	} else if (last >= 0xffff0000u && id < 0x10000u) {
		gap = id - last - 1; /* modulo 2^32: across the wrap */
	} else {
		p->rollbacks++;
	}
	p->have_jump = 0;
	p->msg_drops += gap;
	d->st.msg_drops += gap;
	p->last_msg_id = id;
}

/*
 * Inflates src into d->zbuf; out and outlen point into it.  `hint` (the v3
 * uncompressed_size, untrusted) only sizes the first attempt.
 */
static int
inflate_payload(struct zmqc_decoder *d, struct zmqc_peer *p, const uint8_t *src,
		size_t n, size_t hint, const uint8_t **out, size_t *outlen)
{
	z_stream *zs = d->zstream;
	size_t want = hint ? hint : n * 4;
	int rc;

	if (want < 16384)
		want = 16384;
	if (want > d->inflate_max)
		want = d->inflate_max;
	if (d->zcap < want) {
		uint8_t *nb = realloc(d->zbuf, want);

		if (nb == NULL) {
			zmqc_error(d, p, ZMQC_ERR_ZLIB,
				   "out of memory inflating");
			return -1;
		}
		d->zbuf = nb;
		d->zcap = want;
	}
	if (inflateReset(zs) != Z_OK)
		return -1;
	zs->next_in = (Bytef *)(uintptr_t)src;
	zs->avail_in = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
	zs->next_out = d->zbuf;
	zs->avail_out = (uInt)d->zcap;
	for (;;) {
		rc = inflate(zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if ((rc == Z_OK || rc == Z_BUF_ERROR) && zs->avail_out == 0) {
			size_t have = d->zcap, ncap;
			uint8_t *nb;

			if (d->zcap >= d->inflate_max) {
				zmqc_error(d, p, ZMQC_ERR_ZLIB_BOMB,
					   "payload inflates beyond %zu bytes "
					   "(%zu compressed)",
					   d->inflate_max, n);
				return -1;
			}
			ncap = d->zcap * 2 > d->inflate_max ? d->inflate_max
							    : d->zcap * 2;
			nb = realloc(d->zbuf, ncap);
			if (nb == NULL) {
				zmqc_error(d, p, ZMQC_ERR_ZLIB,
					   "out of memory inflating");
				return -1;
			}
			d->zbuf = nb;
			d->zcap = ncap;
			zs->next_out = d->zbuf + have;
			zs->avail_out = (uInt)(ncap - have);
			continue;
		}
		zmqc_error(d, p, ZMQC_ERR_ZLIB, "corrupt zlib payload (%s)",
			   rc == Z_OK || rc == Z_BUF_ERROR ? "truncated"
			   : zs->msg			   ? zs->msg
							   : "error");
		return -1;
	}
	*out = d->zbuf;
	*outlen = d->zcap - zs->avail_out;
	return 0;
}

/* 1 TLV, 0 JSON, -1 neither. */
static int
sniff(const uint8_t *b, size_t n)
{
	size_t i = 0;

	if (n >= 2 && b[0] == 1 && b[1] == 1)
		return 1;
	while (i < n &&
	       (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
		i++;
	if (i < n && (b[i] == '{' || b[i] == '['))
		return 0;
	return -1;
}

void
zmqc_decode_msg(struct zmqc_decoder *d, const uint8_t *hdr, size_t hlen,
		const uint8_t *pay, size_t plen, int n, uint64_t now_ms)
{
	struct zmqc_header h;
	struct zmqc_peer *p;
	enum zmqc_topic t;
	const uint8_t *data = pay;
	size_t dlen = plen;
	int rc, tlv;

	d->st.msgs++;
	d->st.frames += (uint64_t)n;
	d->st.bytes += hlen + (pay ? plen : 0);
	d->st.last_msg_ms = now_ms;
	rc = zmqc_header_parse(hdr, hlen, &h);
	if (rc != ZMQC_OK) {
		if (rc == ZMQC_ERR_BAD_HEADER)
			zmqc_error(d, &d->orphan, rc,
				   "%s of %zu bytes "
				   "(headers are 24, 28, 36 or 40)",
				   n == 1 ? "lone frame" : "header", hlen);
		else
			zmqc_error(d, &d->orphan, rc,
				   "unsupported version %u "
				   "in a %zu-byte header",
				   h.version, hlen);
		return;
	}
	p = peer_get(d, h.source_id, now_ms);
	peer_msg_id(d, p, &h, now_ms);
	p->last_seen_ms = now_ms;
	p->last_version = h.version;
	p->last_layout = h.layout;
	p->msgs++;
	p->bytes += hlen + (pay ? plen : 0);
	t = zmqc_topic_of(h.topic);
	d->st.topics[t]++;
	if (n < 2 || pay == NULL) {
		zmqc_error(d, p, ZMQC_ERR_NO_PAYLOAD,
			   "'%s' header without "
			   "payload",
			   h.topic);
		return;
	}
	if (n > 2)
		zmqc_error_n(d, p, ZMQC_ERR_EXTRA_FRAMES, (uint64_t)(n - 2),
			     "%d extra frame(s) after the payload", n - 2);
	if (t == ZT_OTHER || t == ZT_HELLO)
		return; /* counted, nothing to read */
	if (plen > ZMQC_MAX_PAYLOAD) {
		zmqc_error(d, p, ZMQC_ERR_OVERSIZE, "payload of %zu bytes",
			   plen);
		return;
	}
	if (plen == 0) {
		zmqc_error(d, p, ZMQC_ERR_EMPTY, "empty '%s' payload", h.topic);
		return;
	}
	if (h.layout == 36 && (h.flags & ZMQC_FLAG_ZLIB)) {
		if (inflate_payload(d, p, pay, plen, h.uncompressed_size, &data,
				    &dlen) != 0)
			return;
	} else if (h.version != 3 && h.version != 4 && pay[0] == 0x00) {
		if (inflate_payload(d, p, pay + 1, plen - 1, 0, &data, &dlen) !=
		    0)
			return;
	}
	tlv = sniff(data, dlen);
	if (tlv < 0) {
		zmqc_error(d, p, ZMQC_ERR_ENCODING,
			   "'%s' payload is neither "
			   "JSON nor TLV (first byte 0x%02x)",
			   h.topic, dlen ? data[0] : 0);
		return;
	}
	switch (t) {
	case ZT_FLOW:
	case ZT_SNAP:
		/* a snapshot: totals that set the flows (docs/hierarchy.md) */
		d->snapshot = t == ZT_SNAP;
		rc = tlv ? zmqc_tlv_flows(d, p, data, dlen, now_ms)
			 : zmqc_json_flows(d, p, (const char *)data, dlen,
					   now_ms);
		d->snapshot = 0;
		if (rc >= 0 && t == ZT_FLOW)
			d->st.flow_msgs++;
		break;
	case ZT_EVENT:
		p->events++;
		if (tlv) {
			if (zmqc_tlv_validate(data, dlen) != 0)
				zmqc_error(d, p, ZMQC_ERR_TLV,
					   "malformed TLV event");
		} else if (zmqc_json_event(d, p, (const char *)data, dlen) ==
				   0 &&
			   p->probe.has_export && p->probe.node_id[0] &&
			   d->emit_node_event != NULL) {
			struct node_event ev;

			memset(&ev, 0, sizeof(ev));
			memcpy(ev.node_id, p->probe.node_id,
			       sizeof(ev.node_id));
			ev.start_ms = p->probe.start_ms;
			ev.flows = p->probe.exp_flows;
			ev.bytes = p->probe.exp_bytes;
			ev.pkts = p->probe.exp_pkts;
			ev.interval_s = (uint32_t)p->probe.export_interval;
			ev.uptime_s = p->probe.uptime;
			memcpy(ev.version, p->probe.version,
			       sizeof(ev.version));
			d->emit_node_event(d->emit_ctx, &ev);
		}
		break;
	case ZT_TEMPLATE:
		if (!tlv)
			zmqc_json_template(d, p, (const char *)data, dlen);
		break;
	case ZT_COUNTER:
		p->counters++;
		if (tlv)
			zmqc_tlv_counter(d, p, data, dlen, now_ms);
		else
			zmqc_json_counter(d, p, (const char *)data, dlen,
					  now_ms);
		break;
	case ZT_ALERT:
		/* a peer node's alert: JSON only; the interface parses it */
		if (tlv)
			zmqc_error(d, p, ZMQC_ERR_ENCODING,
				   "alert is JSON, not TLV");
		else if (d->emit_alert != NULL) {
			d->emit_peer = p;
			if (d->emit_alert(d->emit_ctx, (const char *)data,
					  dlen) != 0)
				zmqc_error(d, p, ZMQC_ERR_JSON,
					   "alert refused");
		}
		break;
	case ZT_SNMP_IFACES:
		if (tlv)
			zmqc_error(d, p, ZMQC_ERR_ENCODING,
				   "snmp-ifaces is JSON, not TLV");
		else
			zmqc_snmp_ifaces(d, p, (const char *)data, dlen);
		break;
	default:
		if (tlv) {
			if (zmqc_tlv_validate(data, dlen) != 0)
				zmqc_error(d, p, ZMQC_ERR_TLV,
					   "malformed TLV "
					   "'%s' message",
					   h.topic);
		} else {
			zmqc_json_check(d, p, (const char *)data, dlen);
		}
		break;
	}
}

void
zmqc_decode_blob(struct zmqc_decoder *d, const uint8_t *b, size_t len,
		 uint64_t now_ms)
{
	size_t h;

	if (len == 0)
		return;
	if (b[0] == 0xff) {
		zmqc_decode_msg(d, b + 1, len - 1, NULL, 0, 1, now_ms);
		return;
	}
	h = b[0] < len - 1 ? b[0] : len - 1;
	zmqc_decode_msg(d, b + 1, h, b + 1 + h, len - 1 - h, 2, now_ms);
}
