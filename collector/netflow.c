/*
 * netflow.c - NetFlow v5, NetFlow v9 and IPFIX (v10) datagram decoder.
 *
 * Wire layouts (all big-endian):
 *
 * NetFlow v5: header of 24 bytes, then `count` (1..30) records of 48.
 *   0 version(2)=5  2 count(2)  4 sysUptime ms(4)  8 unix_secs(4)
 *   12 unix_nsecs(4)  16 flow_sequence(4) (flows sent before this one)
 *   20 engine_type(1)  21 engine_id(1)
 *   22 sampling(2): mode in the top 2 bits, interval in the low 14
 *   record: 0 srcaddr(4) 4 dstaddr(4) 8 nexthop(4) 12 input(2) 14 output(2)
 *   16 dPkts(4) 20 dOctets(4) 24 first(4) 28 last(4) (sysUptime ms)
 *   32 srcport(2) 34 dstport(2) 36 pad(1) 37 tcp_flags(1) 38 proto(1)
 *   39 tos(1) 40 src_as(2) 42 dst_as(2) 44 src_mask(1) 45 dst_mask(1)
 *   46 pad(2)
 *
 * NetFlow v9: header of 20 bytes, then flowsets.
 *   0 version(2)=9  2 count(2) (records of all kinds; not trusted)
 *   4 sysUptime ms(4)  8 unix_secs(4)  12 sequence(4) (datagrams)
 *   16 source_id(4)
 *   flowset: id(2) length(2) (header included, >= 4), body, padding
 *     id 0: templates: { tid(2) >= 256, field_count(2), {type(2) len(2)}* }
 *     id 1: options templates: { tid(2), scope_len(2), option_len(2),
 *           {scope type(2) len(2)}*, {type(2) len(2)}* } (lengths in bytes)
 *     id >= 256: data records laid out by template `id`; the remainder
 *           shorter than one record is padding.
 *
 * IPFIX (RFC 7011): header of 16 bytes, then sets.
 *   0 version(2)=10  2 length(2) (whole message)  4 export_time secs(4)
 *   8 sequence(4) (data records sent before this message)
 *   12 observation_domain(4)
 *   set: id(2) length(2), body:
 *     id 2: templates: { tid(2), field_count(2), fields }; field_count 0
 *           withdraws tid
 *     id 3: options templates: { tid(2), field_count(2), scope_count(2),
 *           fields }
 *     id >= 256: data records.
 *   field specifier: ie(2) (top bit: enterprise) len(2) [enterprise(4)];
 *   len 65535: variable length, each value prefixed by 1 byte (< 255) or
 *   by 255 and 2 bytes.
 *
 * Templates are kept per exporter (address, protocol, domain) in a hash
 * table bounded to FLOWDEC_MAX_TEMPLATES, evicting the least recently used
 * one (counted).  A data set whose template is not known yet waits in a
 * bounded list (FLOWDEC_MAX_PENDING sets, FLOWDEC_PENDING_MS) and is
 * decoded as soon as a datagram brings its template, else dropped and
 * counted.  Options data records set the exporter's sampling rate
 * (IE 34, 50, 305/306, 309/310) and IPFIX systemInitTimeMilliseconds (160).
 *
 * Times: an exporter's clock may be anything (replays, no NTP), while the
 * interface tables age flows by our clock.  So each flow's end is placed
 * as far before our arrival time as it was before the datagram's export
 * time, and its start keeps the exporter's duration.
 */
#include "collector/flowdec.h"

#include <stdlib.h>
#include <string.h>

#include "common/flow_fields.h"
#include "common/rbuf.h"
#include "merge/record.h"

#define TPL_BUCKETS 2048
#define NTP_UNIX_OFFSET 2208988800ull
#define PEN_REVERSE 29305u /* RFC 5103 reverse information elements */

struct flowdec_field {
	uint16_t id;
	uint16_t len;  /* 65535: variable */
	uint32_t pen;  /* 0: IANA */
	uint8_t scope; /* NetFlow v9 scope field: not an IE */
};

struct flowdec_template {
	struct flowdec_template *hnext;
	struct flowdec_template *prev, *next; /* LRU */
	struct flowdec_exporter *exp;
	uint16_t tid;
	uint8_t options;
	uint8_t varlen;
	uint16_t n_fields;
	uint32_t min_len; /* fixed lengths + 1 per variable field */
	struct flowdec_field f[];
};

/* What a data set needs from its datagram's header to be decoded later. */
struct nf_hdr {
	uint8_t version;
	uint32_t sysuptime; /* v5/v9: ms since the exporter booted */
	uint64_t export_ms; /* header time, exporter clock */
	uint64_t now_ms;    /* arrival, our clock */
};

struct flowdec_pending {
	struct flowdec_pending *next;
	struct flowdec_exporter *exp;
	struct nf_hdr h;
	uint16_t set_id;
	uint32_t len;
	uint8_t data[];
};

/* One data record's fields of interest. */
struct nf_rec {
	struct ipaddr src4, dst4, src6, dst6, exp_addr;
	uint8_t has_src4, has_dst4, has_src6, has_dst6;
	uint8_t proto, tcp_flags, tos, ipv;
	uint16_t sport, dport, vlan;
	uint32_t in_if, out_if;
	uint64_t bytes, pkts, out_bytes, out_pkts, tot_bytes, tot_pkts;
	uint64_t rev_bytes, rev_pkts;
	uint8_t has_bytes, has_pkts, has_out, has_tot, has_rev;
	uint32_t first_up, last_up;
	uint8_t has_first_up, has_last_up;
	uint64_t start_ms, end_ms;
	uint8_t has_start, has_end;
	uint8_t has_smac, has_dmac;
	uint8_t smac[6], dmac[6];
	/* sampling and options */
	uint64_t samp_interval, samp_space, samp_size, samp_pop;
	uint8_t has_samp, has_space, has_size_pop;
	uint64_t sys_init_ms;
	uint8_t has_sys_init;
};

/* Unsigned big-endian of 1..8 bytes (reduced-size encoding) of a field
 * value.  (p, len) is always a value slice that nf_data_set's reader
 * handed out (rbuf_ptr, then rbuf_skip(len) succeeded), and only its
 * first min(len, 8) bytes are read: a longer value reads as those. */
static inline uint64_t
rdn(const uint8_t *p, uint32_t len)
{
	return rbuf_be_(p, len > 8 ? 8 : len);
}

/* NTP 64-bit timestamp (seconds since 1900, 2^-32 fractions) -> Unix ms. */
static uint64_t
ntp_to_ms(uint64_t v)
{
	uint64_t secs = v >> 32, frac = v & 0xffffffffull;

	if (secs < NTP_UNIX_OFFSET)
		return 0;
	return (secs - NTP_UNIX_OFFSET) * 1000 + ((frac * 1000) >> 32);
}

/* ---- template cache ---- */

static uint32_t
tpl_hash(const struct flowdec_exporter *e, uint16_t tid)
{
	uintptr_t x = (uintptr_t)e;
	uint32_t h = (uint32_t)(x ^ (x >> 32)) * 0x9e3779b1u;

	h ^= (uint32_t)tid * 0x85ebca6bu;
	h ^= h >> 16;
	return h & (TPL_BUCKETS - 1);
}

static void
tpl_lru_unlink(struct flowdec *d, struct flowdec_template *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		d->tpl_head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		d->tpl_tail = t->prev;
	t->prev = t->next = NULL;
}

static void
tpl_lru_append(struct flowdec *d, struct flowdec_template *t)
{
	t->prev = d->tpl_tail;
	t->next = NULL;
	if (d->tpl_tail)
		d->tpl_tail->next = t;
	else
		d->tpl_head = t;
	d->tpl_tail = t;
}

static struct flowdec_template *
tpl_find(struct flowdec *d, const struct flowdec_exporter *e, uint16_t tid)
{
	struct flowdec_template *t;

	if (d->tpl_buckets == NULL)
		return NULL;
	for (t = d->tpl_buckets[tpl_hash(e, tid)]; t != NULL; t = t->hnext)
		if (t->exp == e && t->tid == tid)
			return t;
	return NULL;
}

static void
tpl_remove(struct flowdec *d, struct flowdec_template *t)
{
	struct flowdec_template **pp =
		&d->tpl_buckets[tpl_hash(t->exp, t->tid)];

	while (*pp != NULL && *pp != t)
		pp = &(*pp)->hnext;
	if (*pp == t)
		*pp = t->hnext;
	tpl_lru_unlink(d, t);
	d->n_templates--;
	free(t);
}

/* Withdraws every template of kind `options` of an exporter (IPFIX). */
static void
tpl_withdraw_all(struct flowdec *d, const struct flowdec_exporter *e,
		 int options)
{
	struct flowdec_template *t = d->tpl_head, *n;

	for (; t != NULL; t = n) {
		n = t->next;
		if (t->exp == e && t->options == options)
			tpl_remove(d, t);
	}
}

static int
tpl_store(struct flowdec *d, struct flowdec_exporter *e, uint16_t tid,
	  int options, const struct flowdec_field *f, uint16_t n)
{
	struct flowdec_template *t, *old;
	uint32_t i, b;

	if (d->tpl_buckets == NULL) {
		d->tpl_buckets = calloc(TPL_BUCKETS, sizeof(*d->tpl_buckets));
		if (d->tpl_buckets == NULL)
			return -1;
	}
	t = malloc(sizeof(*t) + (size_t)n * sizeof(*f));
	if (t == NULL)
		return -1;
	memset(t, 0, sizeof(*t));
	t->exp = e;
	t->tid = tid;
	t->options = (uint8_t)options;
	t->n_fields = n;
	memcpy(t->f, f, (size_t)n * sizeof(*f));
	for (i = 0; i < n; i++) {
		if (f[i].len == 0xffff) {
			t->varlen = 1;
			t->min_len += 1;
		} else {
			t->min_len += f[i].len;
		}
	}
	old = tpl_find(d, e, tid);
	if (old != NULL)
		tpl_remove(d, old);
	while (d->n_templates >= FLOWDEC_MAX_TEMPLATES && d->tpl_head != NULL) {
		tpl_remove(d, d->tpl_head);
		d->templates_evicted++;
	}
	b = tpl_hash(e, tid);
	t->hnext = d->tpl_buckets[b];
	d->tpl_buckets[b] = t;
	tpl_lru_append(d, t);
	d->n_templates++;
	return 0;
}

void
flowdec_templates_free(struct flowdec *d)
{
	struct flowdec_template *t = d->tpl_head, *n;

	for (; t != NULL; t = n) {
		n = t->next;
		free(t);
	}
	free(d->tpl_buckets);
	d->tpl_buckets = NULL;
	d->tpl_head = d->tpl_tail = NULL;
	d->n_templates = 0;
}

/* ---- records -> flow updates ---- */

/* Maps exporter times to our clock (see the top comment). */
static void
nf_times(const struct nf_hdr *h, uint64_t start, uint64_t end, int has_end,
	 struct flow_update *u)
{
	uint64_t ago = 0, dur = 0;

	if (has_end && end <= h->export_ms)
		ago = h->export_ms - end;
	if (ago > h->now_ms)
		ago = 0;
	if (has_end && start != 0 && start <= end)
		dur = end - start;
	u->last_ms = h->now_ms - ago;
	u->first_ms = dur < u->last_ms ? u->last_ms - dur : u->last_ms;
}

/* The rate that applies to a record: its own fields, else the exporter's. */
static uint32_t
nf_rec_sampling(const struct nf_rec *r, uint32_t exporter_rate)
{
	uint64_t rate = 0;

	if (r->has_samp && r->has_space && r->samp_interval > 0)
		rate = (r->samp_interval + r->samp_space) / r->samp_interval;
	else if (r->has_samp)
		rate = r->samp_interval;
	else if (r->has_size_pop && r->samp_size > 0)
		rate = r->samp_pop / r->samp_size;
	if (rate > 1 && rate <= 0xffffffffu)
		return (uint32_t)rate;
	return exporter_rate;
}

static int
nf_rec_emit(struct flowdec *d, struct flowdec_exporter *e,
	    const struct nf_hdr *h, struct nf_rec *r,
	    const struct flowdec_sink *sink)
{
	struct flow_update u;
	uint64_t start = 0, end = 0;
	int has_end = 0;
	uint32_t rate;

	memset(&u, 0, sizeof(u));
	if (r->has_src4 && r->has_dst4 && r->ipv != 6) {
		u.ip_version = 4;
		u.src = r->src4;
		u.dst = r->dst4;
	} else if (r->has_src6 && r->has_dst6) {
		u.ip_version = 6;
		u.src = r->src6;
		u.dst = r->dst6;
	} else {
		e->err[FDE_BAD_RECORD]++;
		return 0;
	}
	u.l4_proto = r->proto;
	/* ICMP flows have no ports in our tables (v5/v9 put type/code in
	 * the destination port): keep both directions in one flow */
	if (r->proto != 1 && r->proto != 58) {
		u.sport = r->sport;
		u.dport = r->dport;
	}
	u.vlan = r->vlan & 0xfff;
	u.tos = r->tos;
	u.src_tcp_flags = r->tcp_flags;
	if (r->has_bytes || r->has_pkts) {
		u.in_bytes = r->bytes;
		u.in_pkts = r->pkts;
		if (r->has_out) {
			/* nProbe convention: OUT_* is the reverse direction */
			u.out_bytes = r->out_bytes;
			u.out_pkts = r->out_pkts;
		}
	} else if (r->has_out) {
		u.in_bytes = r->out_bytes;
		u.in_pkts = r->out_pkts;
	} else if (r->has_tot) {
		u.in_bytes = r->tot_bytes;
		u.in_pkts = r->tot_pkts;
		u.absolute = 1;
	}
	if (r->has_rev) {
		u.out_bytes = r->rev_bytes;
		u.out_pkts = r->rev_pkts;
	}
	rate = nf_rec_sampling(r, e->sampling);
	if (rate > 1 && (u.in_bytes > FLOWDEC_MAX_COUNT / rate ||
			 u.in_pkts > FLOWDEC_MAX_COUNT / rate ||
			 u.out_bytes > FLOWDEC_MAX_COUNT / rate ||
			 u.out_pkts > FLOWDEC_MAX_COUNT / rate)) {
		e->err[FDE_IMPLAUSIBLE]++; /* and the product would wrap */
		return 0;
	}
	if (rate > 1) {
		u.in_bytes *= rate;
		u.in_pkts *= rate;
		u.out_bytes *= rate;
		u.out_pkts *= rate;
		u.sampling = rate;
	}
	if (r->has_smac || r->has_dmac) {
		u.has_mac = 1;
		memcpy(u.src_mac, r->smac, 6);
		memcpy(u.dst_mac, r->dmac, 6);
	}
	u.exporter = r->exp_addr.v ? r->exp_addr : e->addr;
	u.in_ifindex = r->in_if;
	u.out_ifindex = r->out_if;

	/* times in the exporter's clock */
	if (r->has_end || r->has_start) {
		end = r->has_end ? r->end_ms : r->start_ms;
		start = r->has_start ? r->start_ms : end;
		has_end = 1;
	} else if (r->has_last_up || r->has_first_up) {
		uint32_t last = r->has_last_up ? r->last_up : r->first_up;
		uint32_t first = r->has_first_up ? r->first_up : last;

		if (h->version == 10) {
			if (e->sys_init_ms != 0) {
				end = e->sys_init_ms + last;
				start = e->sys_init_ms + first;
				has_end = 1;
			} else {
				/* no boot time: keep the duration only */
				end = h->export_ms;
				start = end -
					((uint32_t)(last - first) < end
						 ? (uint32_t)(last - first)
						 : 0);
				has_end = 1;
			}
		} else {
			uint32_t ago = h->sysuptime - last;
			uint32_t dur = last - first;

			if ((uint64_t)ago <= h->export_ms) {
				end = h->export_ms - ago;
				start = dur <= end ? end - dur : end;
				has_end = 1;
			}
		}
	}
	nf_times(h, start, end, has_end, &u);
	if (!flowdec_counts_plausible(u.in_bytes, u.in_pkts, u.out_bytes,
				      u.out_pkts, u.first_ms, u.last_ms)) {
		e->err[FDE_IMPLAUSIBLE]++;
		return 0;
	}
	if (sink->flow != NULL && sink->flow(sink->arg, &u) != 0) {
		e->err[FDE_REFUSED]++;
		return 0;
	}
	e->records++;
	d->records++;
	return 1;
}

/* An options data record: sampling and boot time of the exporter. */
static void
nf_rec_options(struct flowdec_exporter *e, const struct nf_rec *r)
{
	uint32_t rate = nf_rec_sampling(r, 0);

	if (rate > 1)
		e->sampling = rate;
	else if (r->has_samp && r->samp_interval <= 1)
		e->sampling = 1;
	if (r->has_sys_init)
		e->sys_init_ms = r->sys_init_ms;
}

/*
 * Takes one field's value (IANA or reverse IE) into r.  The elements of
 * the field dictionary are named by their FF_ ids (common/flow_fields.def:
 * the same ids as the ZMQ keys); the IPFIX-only ones (totals, seconds and
 * NTP timestamps, sampling parameters, boot time) by number.  Values go
 * into struct nf_rec rather than the flow update: an element's width
 * varies by template and several elements compete for one member.
 */
static inline void
nf_field(struct nf_rec *r, const struct flowdec_field *f, const uint8_t *p,
	 uint32_t len)
{
	if (f->scope)
		return;
	if (f->pen != 0) {
		if (f->pen == PEN_REVERSE && len <= 8) {
			if (f->id == 1 || f->id == 85) {
				r->rev_bytes = rdn(p, len);
				r->has_rev = 1;
			} else if (f->id == 2 || f->id == 86) {
				r->rev_pkts = rdn(p, len);
				r->has_rev = 1;
			}
		}
		return;
	}
	switch (f->id) {
	case FF_IN_BYTES: /* octetDeltaCount */
		if (len <= 8) {
			r->bytes = rdn(p, len);
			r->has_bytes = 1;
		}
		break;
	case FF_IN_PKTS: /* packetDeltaCount */
		if (len <= 8) {
			r->pkts = rdn(p, len);
			r->has_pkts = 1;
		}
		break;
	case FF_OUT_BYTES: /* postOctetDeltaCount */
		if (len <= 8) {
			r->out_bytes = rdn(p, len);
			r->has_out = 1;
		}
		break;
	case FF_OUT_PKTS: /* postPacketDeltaCount */
		if (len <= 8) {
			r->out_pkts = rdn(p, len);
			r->has_out = 1;
		}
		break;
	case 85: /* octetTotalCount */
		if (len <= 8) {
			r->tot_bytes = rdn(p, len);
			r->has_tot = 1;
		}
		break;
	case 86: /* packetTotalCount */
		if (len <= 8) {
			r->tot_pkts = rdn(p, len);
			r->has_tot = 1;
		}
		break;
	case FF_INIT_OCTETS: /* initiatorOctets */
		if (len <= 8) {
			r->bytes = rdn(p, len);
			r->has_bytes = 1;
		}
		break;
	case FF_RESP_OCTETS: /* responderOctets */
		if (len <= 8) {
			r->rev_bytes = rdn(p, len);
			r->has_rev = 1;
		}
		break;
	case FF_INIT_PKTS: /* initiatorPackets */
		if (len <= 8) {
			r->pkts = rdn(p, len);
			r->has_pkts = 1;
		}
		break;
	case FF_RESP_PKTS: /* responderPackets */
		if (len <= 8) {
			r->rev_pkts = rdn(p, len);
			r->has_rev = 1;
		}
		break;
	case FF_PROTOCOL:
		if (len >= 1)
			r->proto = p[len - 1];
		break;
	case FF_SRC_TOS:
		if (len >= 1)
			r->tos = p[len - 1];
		break;
	case FF_TCP_FLAGS:
		if (len >= 1)
			r->tcp_flags = p[len - 1];
		break;
	case FF_L4_SRC_PORT:
		if (len <= 8)
			r->sport = (uint16_t)rdn(p, len);
		break;
	case FF_L4_DST_PORT:
		if (len <= 8)
			r->dport = (uint16_t)rdn(p, len);
		break;
	case FF_IPV4_SRC:
		if (len == 4) {
			ipaddr_set4(&r->src4, p);
			r->has_src4 = 1;
		}
		break;
	case FF_IPV4_DST:
		if (len == 4) {
			ipaddr_set4(&r->dst4, p);
			r->has_dst4 = 1;
		}
		break;
	case FF_IPV6_SRC:
		if (len == 16) {
			ipaddr_set6(&r->src6, p);
			r->has_src6 = 1;
		}
		break;
	case FF_IPV6_DST:
		if (len == 16) {
			ipaddr_set6(&r->dst6, p);
			r->has_dst6 = 1;
		}
		break;
	case FF_INPUT_SNMP:
		if (len <= 8)
			r->in_if = (uint32_t)rdn(p, len);
		break;
	case FF_OUTPUT_SNMP:
		if (len <= 8)
			r->out_if = (uint32_t)rdn(p, len);
		break;
	case FF_LAST_SWITCHED: /* sysUptime ms */
		if (len == 4) {
			r->last_up = (uint32_t)rdn(p, 4);
			r->has_last_up = 1;
		}
		break;
	case FF_FIRST_SWITCHED: /* sysUptime ms */
		if (len == 4) {
			r->first_up = (uint32_t)rdn(p, 4);
			r->has_first_up = 1;
		}
		break;
	case 150: /* flowStartSeconds */
		if (len == 4) {
			r->start_ms = rdn(p, 4) * 1000;
			r->has_start = 1;
		}
		break;
	case 151: /* flowEndSeconds */
		if (len == 4) {
			r->end_ms = rdn(p, 4) * 1000;
			r->has_end = 1;
		}
		break;
	case FF_START_MS: /* flowStartMilliseconds */
		if (len == 8) {
			r->start_ms = rdn(p, 8);
			r->has_start = 1;
		}
		break;
	case FF_END_MS: /* flowEndMilliseconds */
		if (len == 8) {
			r->end_ms = rdn(p, 8);
			r->has_end = 1;
		}
		break;
	case 154: /* flowStartMicroseconds (NTP) */
	case 156: /* flowStartNanoseconds (NTP) */
		if (len == 8) {
			r->start_ms = ntp_to_ms(rdn(p, 8));
			r->has_start = 1;
		}
		break;
	case 155:
	case 157:
		if (len == 8) {
			r->end_ms = ntp_to_ms(rdn(p, 8));
			r->has_end = 1;
		}
		break;
	case FF_SRC_VLAN: /* vlanId */
		if (len <= 2 && len >= 1)
			r->vlan = (uint16_t)rdn(p, len);
		break;
	case FF_DOT1Q_SRC_VLAN: /* dot1qVlanId */
		if (len <= 2 && len >= 1 && r->vlan == 0)
			r->vlan = (uint16_t)rdn(p, len);
		break;
	case FF_IN_SRC_MAC: /* sourceMacAddress */
		if (len == 6) {
			memcpy(r->smac, p, 6);
			r->has_smac = 1;
		}
		break;
	case FF_OUT_SRC_MAC: /* postSourceMacAddress */
		if (len == 6 && !r->has_smac) {
			memcpy(r->smac, p, 6);
			r->has_smac = 1;
		}
		break;
	case FF_IN_DST_MAC: /* destinationMacAddress */
		if (len == 6) {
			memcpy(r->dmac, p, 6);
			r->has_dmac = 1;
		}
		break;
	case FF_OUT_DST_MAC: /* postDestinationMacAddress */
		if (len == 6 && !r->has_dmac) {
			memcpy(r->dmac, p, 6);
			r->has_dmac = 1;
		}
		break;
	case FF_IP_VERSION: /* ipVersion */
		if (len >= 1)
			r->ipv = p[len - 1];
		break;
	case FF_EXPORTER_V4: /* exporterIPv4Address */
		if (len == 4)
			ipaddr_set4(&r->exp_addr, p);
		break;
	case FF_EXPORTER_V6: /* exporterIPv6Address */
		if (len == 16)
			ipaddr_set6(&r->exp_addr, p);
		break;
	case FF_SAMPLING: /* samplingInterval */
	case 50:	  /* v9 FLOW_SAMPLER_RANDOM_INTERVAL */
	case 305:	  /* samplingPacketInterval */
		if (len <= 8) {
			r->samp_interval = rdn(p, len);
			r->has_samp = 1;
		}
		break;
	case 306: /* samplingPacketSpace */
		if (len <= 8) {
			r->samp_space = rdn(p, len);
			r->has_space = 1;
		}
		break;
	case 309: /* samplingSize */
		if (len <= 8) {
			r->samp_size = rdn(p, len);
			r->has_size_pop = 1;
		}
		break;
	case 310: /* samplingPopulation */
		if (len <= 8)
			r->samp_pop = rdn(p, len);
		break;
	case 160: /* systemInitTimeMilliseconds */
		if (len == 8) {
			r->sys_init_ms = rdn(p, 8);
			r->has_sys_init = 1;
		}
		break;
	default:
		break;
	}
}

/*
 * Decodes the records of one data set with template t.  Returns the
 * number of records decoded (flows and options), or counts a truncated
 * variable-length record.
 */
static int
nf_data_set(struct flowdec *d, struct flowdec_exporter *e,
	    const struct nf_hdr *h, const struct flowdec_template *t,
	    const uint8_t *p, uint32_t len, const struct flowdec_sink *sink,
	    int *emitted)
{
	struct rbuf rb;
	int n = 0;

	/* min_len >= 1 (templates with nothing in them are refused), so
	 * every turn consumes at least one byte */
	rbuf_init(&rb, p, len);
	while (rbuf_left(&rb) >= t->min_len && rbuf_left(&rb) > 0) {
		struct nf_rec r;
		size_t start = rb.off;
		uint32_t i;

		memset(&r, 0, sizeof(r));
		for (i = 0; i < t->n_fields; i++) {
			const struct flowdec_field *f = &t->f[i];
			const uint8_t *v;
			uint32_t fl = f->len;

			if (fl == 0xffff) {
				uint8_t l8;
				uint16_t l16;

				if (rbuf_get_u8(&rb, &l8) != 0)
					goto truncated;
				fl = l8;
				if (fl == 255) {
					if (rbuf_get_u16(&rb, &l16) != 0)
						goto truncated;
					fl = l16;
				}
			}
			v = rbuf_ptr(&rb);
			if (rbuf_skip(&rb, fl) != 0)
				goto truncated;
			nf_field(&r, f, v, fl);
		}
		n++;
		if (t->options)
			nf_rec_options(e, &r);
		else
			*emitted += nf_rec_emit(d, e, h, &r, sink);
		if (rb.off == start)
			break;
	}
	return n;
truncated:
	/* a variable-length value running past the set: padding cannot
	 * look like that, so it is an error */
	e->err[FDE_TRUNCATED]++;
	return n;
}

/*
 * Parses the template records of one template / options template set.
 * kind: 0 = v9 templates (flowset 0), 1 = v9 options (flowset 1),
 * 2 = IPFIX templates (set 2), 3 = IPFIX options (set 3).
 * Returns how many templates were learned.
 */
static int
nf_template_set(struct flowdec *d, struct flowdec_exporter *e, int kind,
		const uint8_t *p, uint32_t len)
{
	struct flowdec_field f[FLOWDEC_MAX_FIELDS];
	int learned = 0;
	int ipfix = kind >= 2, options = kind == 1 || kind == 3;

	struct rbuf rb;

	/* rb: the rest of the set; rec: the template record being read,
	 * committed to rb once it has been walked to its end */
	rbuf_init(&rb, p, len);
	while (rbuf_left(&rb) >= 4) {
		struct rbuf rec = rb;
		uint16_t tid = 0, w1 = 0, w2 = 0, count, scope = 0, i, nf = 0;
		uint32_t fixed = 0;
		int bad = 0;

		rbuf_get_u16(&rec, &tid);
		rbuf_get_u16(&rec, &w1);
		if (kind == 1) {
			if (rbuf_get_u16(&rec, &w2) != 0)
				break;
			/* v9 options: scope and option lengths in bytes */
			if ((w1 & 3) || (w2 & 3)) {
				e->err[FDE_BAD_TEMPLATE]++;
				return learned;
			}
			scope = w1 / 4;
			count = (uint16_t)(scope + w2 / 4);
		} else {
			count = w1;
			if (kind == 3 && count != 0) {
				if (rbuf_get_u16(&rec, &scope) != 0)
					break;
				if (scope == 0 || scope > count)
					bad = 1;
			}
		}
		if (tid == 0 && count == 0)
			break; /* zero padding at the end */
		if (ipfix && count == 0) {
			/* withdrawal */
			struct flowdec_template *t;

			if (tid == 2 || tid == 3)
				tpl_withdraw_all(d, e, tid == 3);
			else if ((t = tpl_find(d, e, tid)) != NULL)
				tpl_remove(d, t);
			rbuf_skip(&rb, 4);
			continue;
		}
		if (tid < 256 || count == 0)
			bad = 1;
		if (count > FLOWDEC_MAX_FIELDS)
			bad = 1;
		/* walk every field specifier, bounded by the set, even for a
		 * template we refuse, to find the next template record */
		for (i = 0; i < count; i++) {
			uint16_t id, fl;
			uint32_t pen = 0;

			if (rbuf_get_u16(&rec, &id) != 0 ||
			    rbuf_get_u16(&rec, &fl) != 0) {
				e->err[FDE_TRUNCATED]++;
				return learned;
			}
			if (ipfix && (id & 0x8000)) {
				if (rbuf_get_u32(&rec, &pen) != 0) {
					e->err[FDE_TRUNCATED]++;
					return learned;
				}
				id &= 0x7fff;
			}
			if (fl == 0xffff) {
				if (!ipfix)
					bad = 1;
				fixed += 1;
			} else {
				fixed += fl;
			}
			if (nf < FLOWDEC_MAX_FIELDS) {
				f[nf].id = id;
				f[nf].len = fl;
				f[nf].pen = pen;
				f[nf].scope = (uint8_t)(kind == 1 && i < scope);
				nf++;
			}
		}
		/* a record must take at least one byte and fit a datagram */
		if (fixed == 0 || fixed > 65535)
			bad = 1;
		if (bad) {
			e->err[FDE_BAD_TEMPLATE]++;
		} else if (tpl_store(d, e, tid, options, f, nf) == 0) {
			learned++;
			if (options)
				e->option_templates++;
			else
				e->templates++;
		}
		rb = rec;
	}
	return learned;
}

/* ---- data waiting for its template ---- */

static void
pending_add(struct flowdec *d, struct flowdec_exporter *e,
	    const struct nf_hdr *h, uint16_t set_id, const uint8_t *p,
	    uint32_t len)
{
	struct flowdec_pending *q, **pp;

	if (d->n_pending >= FLOWDEC_MAX_PENDING) {
		e->err[FDE_PENDING_FULL]++;
		return;
	}
	q = malloc(sizeof(*q) + len);
	if (q == NULL) {
		e->err[FDE_PENDING_FULL]++;
		return;
	}
	q->next = NULL;
	q->exp = e;
	q->h = *h;
	q->set_id = set_id;
	q->len = len;
	memcpy(q->data, p, len);
	for (pp = &d->pending; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = q;
	d->n_pending++;
}

/* Decodes the waiting sets of e whose template is now known. */
static int
pending_run(struct flowdec *d, struct flowdec_exporter *e,
	    const struct flowdec_sink *sink)
{
	struct flowdec_pending **pp = &d->pending, *q;
	int emitted = 0;

	while ((q = *pp) != NULL) {
		const struct flowdec_template *t;

		if (q->exp != e || (t = tpl_find(d, e, q->set_id)) == NULL) {
			pp = &q->next;
			continue;
		}
		*pp = q->next;
		d->n_pending--;
		d->pending_decoded++;
		nf_data_set(d, e, &q->h, t, q->data, q->len, sink, &emitted);
		free(q);
	}
	return emitted;
}

void
flowdec_expire(struct flowdec *d, uint64_t now_ms)
{
	struct flowdec_pending **pp = &d->pending, *q;

	while ((q = *pp) != NULL) {
		if (q->h.now_ms + FLOWDEC_PENDING_MS > now_ms) {
			pp = &q->next;
			continue;
		}
		*pp = q->next;
		d->n_pending--;
		q->exp->err[FDE_NO_TEMPLATE]++;
		free(q);
	}
}

void
flowdec_exporter_forget(struct flowdec *d, const struct flowdec_exporter *e)
{
	struct flowdec_pending **pp = &d->pending, *q;
	struct flowdec_template *t = d->tpl_head, *n;

	for (; t != NULL; t = n) {
		n = t->next;
		if (t->exp == e)
			tpl_remove(d, t);
	}
	while ((q = *pp) != NULL) {
		if (q->exp != e) {
			pp = &q->next;
			continue;
		}
		*pp = q->next;
		d->n_pending--;
		free(q);
	}
}

void
flowdec_pending_free(struct flowdec *d)
{
	struct flowdec_pending *q = d->pending, *n;

	for (; q != NULL; q = n) {
		n = q->next;
		free(q);
	}
	d->pending = NULL;
	d->n_pending = 0;
}

/* ---- datagrams ---- */

/*
 * NetFlow v5: a 24-byte header (version, count, sysuptime, unix_secs,
 * unix_nsecs, flow_sequence, engine_type, engine_id, sampling) and count
 * records of 48 bytes, all read through bounded readers.
 */
static int
nf_v5(struct flowdec *d, const struct ipaddr *from, const uint8_t *buf,
      size_t len, uint64_t now_ms, const struct flowdec_sink *sink)
{
	struct flowdec_exporter *e;
	struct nf_hdr h;
	struct rbuf rb;
	uint32_t have, i, uptime = 0, secs = 0, nsecs = 0, seq = 0;
	uint16_t version, count = 0, samp = 0, engine = 0;
	int emitted = 0;

	rbuf_init(&rb, buf, len);
	rbuf_get_u16(&rb, &version);
	rbuf_get_u16(&rb, &count);
	rbuf_get_u32(&rb, &uptime);
	rbuf_get_u32(&rb, &secs);
	rbuf_get_u32(&rb, &nsecs);
	rbuf_get_u32(&rb, &seq);
	rbuf_get_u16(&rb, &engine); /* engine type and id */
	rbuf_get_u16(&rb, &samp);
	if (!rbuf_ok(&rb)) {
		d->too_short++;
		return -1;
	}
	e = flowdec_exporter_get(d, from, FDP_NETFLOW5, engine, now_ms);
	if (e == NULL)
		return -1;
	e->datagrams++;
	have = (uint32_t)(rbuf_left(&rb) / 48);
	if (count == 0 || count > 30) {
		e->err[FDE_BAD_LENGTH]++;
		return -1;
	}
	flowdec_seq_check(e, seq, count, 0);
	if (have < count) {
		e->err[FDE_TRUNCATED]++;
		count = (uint16_t)have;
	}
	samp &= 0x3fff;
	e->sampling = samp > 1 ? samp : 0;
	h.version = 5;
	h.sysuptime = uptime;
	h.export_ms = (uint64_t)secs * 1000 + nsecs / 1000000;
	h.now_ms = now_ms;
	for (i = 0; i < count; i++) {
		uint8_t src[4] = { 0 }, dst[4] = { 0 }, pad = 0;
		uint16_t in_if = 0, out_if = 0, sport = 0, dport = 0;
		uint32_t pkts = 0, bytes = 0, first = 0, last = 0;
		struct nf_rec r;
		struct rbuf rr;

		if (rbuf_get_sub(&rb, 48, &rr) != 0)
			break;
		memset(&r, 0, sizeof(r));
		rbuf_get_n(&rr, src, 4);
		rbuf_get_n(&rr, dst, 4);
		rbuf_skip(&rr, 4); /* next hop */
		rbuf_get_u16(&rr, &in_if);
		rbuf_get_u16(&rr, &out_if);
		rbuf_get_u32(&rr, &pkts);
		rbuf_get_u32(&rr, &bytes);
		rbuf_get_u32(&rr, &first);
		rbuf_get_u32(&rr, &last);
		rbuf_get_u16(&rr, &sport);
		rbuf_get_u16(&rr, &dport);
		rbuf_get_u8(&rr, &pad);
		rbuf_get_u8(&rr, &r.tcp_flags);
		rbuf_get_u8(&rr, &r.proto);
		rbuf_get_u8(&rr, &r.tos);
		ipaddr_set4(&r.src4, src);
		ipaddr_set4(&r.dst4, dst);
		r.has_src4 = r.has_dst4 = 1;
		r.in_if = in_if;
		r.out_if = out_if;
		r.pkts = pkts;
		r.bytes = bytes;
		r.has_bytes = r.has_pkts = 1;
		r.first_up = first;
		r.last_up = last;
		r.has_first_up = r.has_last_up = 1;
		r.sport = sport;
		r.dport = dport;
		emitted += nf_rec_emit(d, e, &h, &r, sink);
	}
	return emitted;
}

static int
nf_v9_ipfix(struct flowdec *d, const struct ipaddr *from, const uint8_t *buf,
	    size_t len, uint64_t now_ms, const struct flowdec_sink *sink)
{
	/*
	 * v9 header (20 bytes): version, count, sysuptime, unix_secs,
	 * sequence, source id.  IPFIX (16 bytes): version, length,
	 * export time, sequence, observation domain.
	 */
	struct rbuf rb, hb;
	uint16_t version = 0, w2 = 0;
	uint32_t uptime = 0, secs = 0, seq = 0, domain = 0, data_records = 0;
	int ipfix;
	uint32_t hlen;
	struct flowdec_exporter *e;
	struct nf_hdr h;
	int emitted = 0, learned = 0, held = 0;

	rbuf_init(&hb, buf, len);
	rbuf_get_u16(&hb, &version);
	ipfix = version == 10;
	hlen = ipfix ? 16 : 20;
	rbuf_get_u16(&hb, &w2); /* v9 count, IPFIX length */
	if (!ipfix)
		rbuf_get_u32(&hb, &uptime);
	rbuf_get_u32(&hb, &secs);
	rbuf_get_u32(&hb, &seq);
	rbuf_get_u32(&hb, &domain);
	if (!rbuf_ok(&hb)) {
		d->too_short++;
		return -1;
	}
	e = flowdec_exporter_get(d, from, ipfix ? FDP_IPFIX : FDP_NETFLOW9,
				 domain, now_ms);
	if (e == NULL)
		return -1;
	e->datagrams++;
	if (len > 65535)
		len = 65535;
	if (ipfix) {
		uint16_t mlen = w2;

		if (mlen < hlen) {
			e->err[FDE_BAD_LENGTH]++;
			return -1;
		}
		if (mlen > len)
			e->err[FDE_TRUNCATED]++;
		else
			len = mlen;
	}
	h.version = ipfix ? 10 : 9;
	h.sysuptime = uptime;
	h.export_ms = (uint64_t)secs * 1000;
	h.now_ms = now_ms;

	/* the sets, bounded by the (IPFIX: declared) message length */
	rbuf_init(&rb, buf, len);
	rbuf_skip(&rb, hlen);
	while (rbuf_left(&rb) >= 4) {
		uint16_t id = 0, slen = 0;
		const uint8_t *body;
		uint32_t blen;

		rbuf_get_u16(&rb, &id);
		rbuf_get_u16(&rb, &slen);
		if (slen < 4) {
			e->err[FDE_BAD_SET]++;
			break;
		}
		blen = slen - 4u;
		body = rbuf_ptr(&rb);
		if (rbuf_skip(&rb, blen) != 0) {
			e->err[FDE_TRUNCATED]++;
			break;
		}
		if (!ipfix && id == 0)
			learned += nf_template_set(d, e, 0, body, blen);
		else if (!ipfix && id == 1)
			learned += nf_template_set(d, e, 1, body, blen);
		else if (ipfix && id == 2)
			learned += nf_template_set(d, e, 2, body, blen);
		else if (ipfix && id == 3)
			learned += nf_template_set(d, e, 3, body, blen);
		else if (id < 256) {
			e->err[FDE_BAD_SET]++;
		} else {
			const struct flowdec_template *t = tpl_find(d, e, id);

			if (t != NULL) {
				tpl_lru_unlink(d, (struct flowdec_template *)t);
				tpl_lru_append(d, (struct flowdec_template *)t);
				data_records += (uint32_t)nf_data_set(
					d, e, &h, t, body, blen, sink,
					&emitted);
			} else if (blen > 0) {
				pending_add(d, e, &h, id, body, blen);
				held = 1;
			}
		}
	}
	if (!ipfix)
		flowdec_seq_check(e, seq, 1, 0);
	else if (!held)
		flowdec_seq_check(e, seq, data_records, 1);
	else
		e->seq_valid = 0; /* unknown count: resynchronise */
	if (learned > 0 && d->n_pending > 0)
		emitted += pending_run(d, e, sink);
	return emitted;
}

int
flowdec_netflow(struct flowdec *d, const struct ipaddr *exporter,
		const uint8_t *buf, size_t len, uint64_t now_ms,
		const struct flowdec_sink *sink)
{
	struct rbuf rb;
	uint16_t version;

	rbuf_init(&rb, buf, len);
	if (rbuf_get_u16(&rb, &version) != 0) {
		d->too_short++;
		return -1;
	}
	switch (version) {
	case 5:
		return nf_v5(d, exporter, buf, len, now_ms, sink);
	case 9:
	case 10:
		return nf_v9_ipfix(d, exporter, buf, len, now_ms, sink);
	default:
		d->unknown_version++;
		return -1;
	}
}
