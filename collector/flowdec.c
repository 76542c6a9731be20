/*
 * flowdec.c - the common part of the flow datagram decoders: telling the
 * protocols apart, the exporter table (the ledger), sequence checks and
 * the ledger's JSON form.
 *
 * Telling versions apart by the first bytes of the UDP payload:
 *   NetFlow v5 / v9 and IPFIX start with a big-endian u16 version: 5, 9, 10;
 *   sFlow starts with a big-endian u32 version: 5 is 00 00 00 05, so its
 *   first u16 is 0 and the u32 is 5.
 * Anything else is counted as an unknown version and dropped.
 *
 * Exporters are keyed by (address, protocol, domain) in a small chained
 * hash table of at most FLOWDEC_MAX_EXPORTERS entries, hashed by address
 * alone, so that one bucket holds every exporter of an address and the
 * per-address cap (FLOWDEC_MAX_EXPORTERS_PER_ADDR) is counted on the way.
 * Anyone can send a 16-byte IPFIX header with a new domain, so the table
 * must not fill up for good (issue 11 #3): exporters are also on an LRU
 * list; those silent for FLOWDEC_EXPORTER_IDLE_MS are forgotten (once a
 * second, from the oldest), and when the table is full a newcomer takes
 * the slot of the least recently seen exporter that never yielded
 * anything (a header alone: the flood's kind), or else of one silent for
 * FLOWDEC_EXPORTER_EVICT_MS.  Otherwise it is refused and counted (its
 * datagrams are not decoded, since templates and sequence state hang off
 * the exporter): exporters in use are never pushed out by a flood.
 *
 * Sequence numbers: each protocol numbers something different (v5: flows
 * before this datagram, v9: datagrams, IPFIX: data records before this
 * message, sFlow: datagrams).  The caller passes the number and how many
 * of the counted things this datagram carries; a forward jump is counted
 * as that many drops, a backward jump (restart, reordering) only
 * resynchronises.  Some exporters (softflowd's IPFIX) count the current
 * message's records too; when a number matches that reading, the exporter
 * is marked "inclusive" and checked that way from then on.
 */
#include "collector/flowdec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define FLOWDEC_EXP_BUCKETS 256

static const char *const flowdec_err_names[FDE__COUNT] = {
	[FDE_TRUNCATED] = "truncated",
	[FDE_BAD_LENGTH] = "bad_length",
	[FDE_BAD_TEMPLATE] = "bad_template",
	[FDE_BAD_SET] = "bad_set",
	[FDE_NO_TEMPLATE] = "no_template",
	[FDE_PENDING_FULL] = "pending_full",
	[FDE_BAD_RECORD] = "bad_record",
	[FDE_REFUSED] = "refused",
	[FDE_BAD_SAMPLE] = "bad_sample",
	[FDE_UNKNOWN_FORMAT] = "unknown_format",
	[FDE_IMPLAUSIBLE] = "implausible_counts",
};

const char *
flowdec_err_name(enum flowdec_err e)
{
	return (unsigned)e < FDE__COUNT ? flowdec_err_names[e] : "?";
}

const char *
flowdec_proto_name(uint8_t proto)
{
	switch (proto) {
	case FDP_NETFLOW5:
		return "NetFlow v5";
	case FDP_NETFLOW9:
		return "NetFlow v9";
	case FDP_IPFIX:
		return "IPFIX";
	case FDP_SFLOW5:
		return "sFlow v5";
	default:
		return "?";
	}
}

int
flowdec_init(struct flowdec *d)
{
	memset(d, 0, sizeof(*d));
	d->exp_buckets = calloc(FLOWDEC_EXP_BUCKETS, sizeof(*d->exp_buckets));
	return d->exp_buckets != NULL ? 0 : -1;
}

void
flowdec_fini(struct flowdec *d)
{
	uint32_t i;

	flowdec_pending_free(d);
	flowdec_templates_free(d);
	if (d->exp_buckets != NULL) {
		for (i = 0; i < FLOWDEC_EXP_BUCKETS; i++) {
			struct flowdec_exporter *e = d->exp_buckets[i], *n;

			for (; e != NULL; e = n) {
				n = e->hnext;
				free(e->ifc);
				free(e);
			}
		}
	}
	free(d->exp_buckets);
	memset(d, 0, sizeof(*d));
}

static uint32_t
flowdec_exp_hash(const struct ipaddr *a)
{
	uint32_t h = ipaddr_hash(a);

	h ^= h >> 15;
	return h & (FLOWDEC_EXP_BUCKETS - 1);
}

static void
exp_lru_unlink(struct flowdec *d, struct flowdec_exporter *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		d->exp_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		d->exp_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void
exp_lru_append(struct flowdec *d, struct flowdec_exporter *e)
{
	e->lru_prev = d->exp_tail;
	e->lru_next = NULL;
	if (d->exp_tail)
		d->exp_tail->lru_next = e;
	else
		d->exp_head = e;
	d->exp_tail = e;
}

/* Unlinks and frees an exporter with what hangs off it. */
static void
exp_remove(struct flowdec *d, struct flowdec_exporter *e)
{
	struct flowdec_exporter **pp =
		&d->exp_buckets[flowdec_exp_hash(&e->addr)];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
	exp_lru_unlink(d, e);
	flowdec_exporter_forget(d, e);
	d->n_exporters--;
	free(e->ifc);
	free(e);
}

/* Nothing learned from it: no template, record, sample or counters. */
static int
exp_empty(const struct flowdec_exporter *e)
{
	return e->templates == 0 && e->option_templates == 0 &&
	       e->records == 0 && e->packets == 0 && e->counter_samples == 0;
}

/* A slot for a newcomer when the table is full: the least recently seen
 * empty exporter, else the least recently seen if it is silent long
 * enough.  Bounded: looks at the 64 oldest. */
static int
exp_evict_one(struct flowdec *d, uint64_t now_ms)
{
	struct flowdec_exporter *e = d->exp_head;
	int i;

	for (i = 0; e != NULL && i < 64; i++, e = e->lru_next) {
		if (exp_empty(e)) {
			exp_remove(d, e);
			d->exporters_evicted++;
			return 0;
		}
	}
	e = d->exp_head;
	if (e != NULL && e->last_ms + FLOWDEC_EXPORTER_EVICT_MS <= now_ms) {
		exp_remove(d, e);
		d->exporters_evicted++;
		return 0;
	}
	return -1;
}

struct flowdec_exporter *
flowdec_exporter_get(struct flowdec *d, const struct ipaddr *addr,
		     uint8_t proto, uint32_t domain, uint64_t now_ms)
{
	uint32_t b = flowdec_exp_hash(addr), same_addr = 0;
	struct flowdec_exporter *e;

	for (e = d->exp_buckets[b]; e != NULL; e = e->hnext) {
		if (memcmp(&e->addr, addr, sizeof(*addr)) != 0)
			continue;
		if (e->proto == proto && e->domain == domain)
			break;
		same_addr++;
	}
	if (e == NULL) {
		if (same_addr >= FLOWDEC_MAX_EXPORTERS_PER_ADDR) {
			d->exporters_refused++;
			d->exporters_addr_capped++;
			return NULL;
		}
		if (d->n_exporters >= FLOWDEC_MAX_EXPORTERS &&
		    exp_evict_one(d, now_ms) != 0) {
			d->exporters_refused++;
			return NULL;
		}
		e = calloc(1, sizeof(*e));
		if (e == NULL) {
			d->exporters_refused++;
			return NULL;
		}
		e->addr = *addr;
		e->proto = proto;
		e->domain = domain;
		e->first_ms = now_ms;
		e->hnext = d->exp_buckets[b];
		d->exp_buckets[b] = e;
		d->n_exporters++;
	} else {
		exp_lru_unlink(d, e);
	}
	exp_lru_append(d, e);
	e->last_ms = now_ms;
	return e;
}

/* Forgets the exporters silent for FLOWDEC_EXPORTER_IDLE_MS (oldest first,
 * so this stops at the first one still alive). */
static void
exp_expire(struct flowdec *d, uint64_t now_ms)
{
	while (d->exp_head != NULL &&
	       d->exp_head->last_ms + FLOWDEC_EXPORTER_IDLE_MS <= now_ms) {
		exp_remove(d, d->exp_head);
		d->exporters_expired++;
	}
}

void
flowdec_seq_check(struct flowdec_exporter *e, uint32_t seq, uint32_t n,
		  int allow_inclusive)
{
	uint32_t expect, gap;

	if (!e->seq_valid) {
		e->seq_valid = 1;
		goto remember;
	}
	expect = e->seq_last + (e->seq_inclusive ? n : e->seq_last_n);
	if (seq == expect)
		goto remember;
	if (allow_inclusive) {
		/* the other reading: does it match? then switch to it */
		uint32_t other =
			e->seq_last + (e->seq_inclusive ? e->seq_last_n : n);

		if (seq == other) {
			e->seq_inclusive = !e->seq_inclusive;
			goto remember;
		}
	}
	gap = seq - expect;
	/* forward by less than 2^31: lost; otherwise a restart or reordering */
	if (gap < 0x80000000u)
		e->drops += gap;
remember:
	e->seq_last = seq;
	e->seq_last_n = n;
}

int
flowdec_datagram(struct flowdec *d, const struct ipaddr *exporter,
		 const uint8_t *buf, size_t len, uint64_t now_ms,
		 const struct flowdec_sink *sink)
{
	uint16_t v16;

	d->datagrams++;
	if (now_ms >= d->last_expire_ms + 1000) {
		flowdec_expire(d, now_ms);
		exp_expire(d, now_ms);
		d->last_expire_ms = now_ms;
	}
	if (len < 4) {
		d->too_short++;
		return -1;
	}
	v16 = (uint16_t)(buf[0] << 8 | buf[1]);
	if (v16 == 5 || v16 == 9 || v16 == 10)
		return flowdec_netflow(d, exporter, buf, len, now_ms, sink);
	if (v16 == 0 && buf[2] == 0 && buf[3] == 5)
		return flowdec_sflow(d, exporter, buf, len, now_ms, sink);
	d->unknown_version++;
	return -1;
}

static void
flowdec_describe_ifc(const struct flowdec_exporter *e, json_t *o)
{
	json_t *arr = json_array();
	uint32_t i;

	for (i = 0; i < e->n_ifc; i++) {
		const struct flowdec_ifcounters *c = &e->ifc[i];
		json_t *j = json_object();

		json_object_set_new(j, "ifindex", json_integer(c->ifindex));
		json_object_set_new(j, "type", json_integer(c->iftype));
		json_object_set_new(j, "speed",
				    json_integer((json_int_t)c->speed));
		json_object_set_new(j, "status", json_integer(c->status));
		json_object_set_new(j, "in_octets",
				    json_integer((json_int_t)c->in_octets));
		json_object_set_new(j, "out_octets",
				    json_integer((json_int_t)c->out_octets));
		json_object_set_new(j, "in_ucast_pkts",
				    json_integer((json_int_t)c->in_ucast));
		json_object_set_new(j, "in_mcast_pkts",
				    json_integer((json_int_t)c->in_mcast));
		json_object_set_new(j, "in_bcast_pkts",
				    json_integer((json_int_t)c->in_bcast));
		json_object_set_new(j, "in_discards",
				    json_integer((json_int_t)c->in_discards));
		json_object_set_new(j, "in_errors",
				    json_integer((json_int_t)c->in_errors));
		json_object_set_new(j, "out_ucast_pkts",
				    json_integer((json_int_t)c->out_ucast));
		json_object_set_new(j, "out_mcast_pkts",
				    json_integer((json_int_t)c->out_mcast));
		json_object_set_new(j, "out_bcast_pkts",
				    json_integer((json_int_t)c->out_bcast));
		json_object_set_new(j, "out_discards",
				    json_integer((json_int_t)c->out_discards));
		json_object_set_new(j, "out_errors",
				    json_integer((json_int_t)c->out_errors));
		json_object_set_new(
			j, "last_seen",
			json_integer((json_int_t)(c->last_ms / 1000)));
		json_array_append_new(arr, j);
	}
	json_object_set_new(o, "interfaces", arr);
}

void
flowdec_describe(const struct flowdec *d, struct json_t *obj)
{
	json_t *arr = json_array();
	uint32_t i;
	int k;

	json_object_set_new(obj, "datagrams",
			    json_integer((json_int_t)d->datagrams));
	json_object_set_new(obj, "records",
			    json_integer((json_int_t)d->records));
	json_object_set_new(obj, "sampled_packets",
			    json_integer((json_int_t)d->packets));
	json_object_set_new(obj, "unknown_version",
			    json_integer((json_int_t)d->unknown_version));
	json_object_set_new(obj, "too_short",
			    json_integer((json_int_t)d->too_short));
	json_object_set_new(obj, "exporters_refused",
			    json_integer((json_int_t)d->exporters_refused));
	json_object_set_new(obj, "exporters_refused_address_cap",
			    json_integer((json_int_t)d->exporters_addr_capped));
	json_object_set_new(obj, "exporters_expired",
			    json_integer((json_int_t)d->exporters_expired));
	json_object_set_new(obj, "exporters_evicted",
			    json_integer((json_int_t)d->exporters_evicted));
	json_object_set_new(obj, "templates_cached",
			    json_integer(d->n_templates));
	json_object_set_new(obj, "templates_evicted",
			    json_integer((json_int_t)d->templates_evicted));
	json_object_set_new(obj, "pending_sets", json_integer(d->n_pending));
	json_object_set_new(obj, "pending_decoded",
			    json_integer((json_int_t)d->pending_decoded));
	for (i = 0; i < FLOWDEC_EXP_BUCKETS; i++) {
		const struct flowdec_exporter *e;

		for (e = d->exp_buckets[i]; e != NULL; e = e->hnext) {
			json_t *o = json_object(), *err = json_object();
			char ip[IPADDR_STRLEN], txt[32];

			ipaddr_fmt(&e->addr, ip, sizeof(ip));
			json_object_set_new(o, "address", json_string(ip));
			json_object_set_new(
				o, "protocol",
				json_string(flowdec_proto_name(e->proto)));
			json_object_set_new(o, "domain",
					    json_integer(e->domain));
			json_object_set_new(
				o, "datagrams",
				json_integer((json_int_t)e->datagrams));
			json_object_set_new(
				o, "records",
				json_integer((json_int_t)e->records));
			json_object_set_new(
				o, "templates",
				json_integer((json_int_t)e->templates));
			json_object_set_new(
				o, "option_templates",
				json_integer((json_int_t)e->option_templates));
			json_object_set_new(o, "drops",
					    json_integer((json_int_t)e->drops));
			if (e->proto == FDP_SFLOW5) {
				json_object_set_new(
					o, "sampled_packets",
					json_integer((json_int_t)e->packets));
				json_object_set_new(
					o, "counter_samples",
					json_integer(
						(json_int_t)
							e->counter_samples));
				json_object_set_new(
					o, "sampler_drops",
					json_integer(
						(json_int_t)e->sampler_drops));
				flowdec_describe_ifc(e, o);
			}
			for (k = 0; k < FDE__COUNT; k++)
				json_object_set_new(
					err, flowdec_err_names[k],
					json_integer((json_int_t)e->err[k]));
			json_object_set_new(o, "errors", err);
			json_object_set_new(o, "sampling_rate",
					    json_integer(e->sampling > 1
								 ? e->sampling
								 : 1));
			if (e->sampling > 1)
				snprintf(txt, sizeof(txt), "sampled x%u",
					 e->sampling);
			else
				snprintf(txt, sizeof(txt), "not sampled");
			json_object_set_new(o, "sampling", json_string(txt));
			json_object_set_new(
				o, "first_seen",
				json_integer((json_int_t)(e->first_ms / 1000)));
			json_object_set_new(
				o, "last_seen",
				json_integer((json_int_t)(e->last_ms / 1000)));
			json_array_append_new(arr, o);
		}
	}
	json_object_set_new(obj, "exporters", arr);
}

/* ---- endpoint text of the UDP source (pure, so tested here) ---- */

static int
parse_port(const char *s, uint16_t *port)
{
	char *end;
	long v;

	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int
collector_udp_parse(const char *rest, uint16_t defport, struct ipaddr *addr,
		    uint16_t *port)
{
	char host[IPADDR_STRLEN + 2];
	const char *colon;
	size_t hl;

	memset(addr, 0, sizeof(*addr));
	*port = defport;
	if (rest[0] == '\0')
		return 0;
	if (rest[0] == '[') {
		const char *rb = strchr(rest, ']');

		if (rb == NULL)
			return -1;
		hl = (size_t)(rb - rest - 1);
		if (hl == 0 || hl >= sizeof(host))
			return -1;
		memcpy(host, rest + 1, hl);
		host[hl] = '\0';
		if (ipaddr_parse(addr, host) != 0)
			return -1;
		if (rb[1] == '\0')
			return 0;
		if (rb[1] != ':')
			return -1;
		return parse_port(rb + 2, port);
	}
	colon = strrchr(rest, ':');
	if (colon == NULL) {
		/* "2055" (a port) or "10.0.0.1" (an address) */
		if (strchr(rest, '.') == NULL)
			return parse_port(rest, port);
		return ipaddr_parse(addr, rest);
	}
	if (strchr(rest, ':') != colon)
		return -1; /* bare IPv6 needs brackets */
	hl = (size_t)(colon - rest);
	if (hl >= sizeof(host))
		return -1;
	if (hl > 0) {
		memcpy(host, rest, hl);
		host[hl] = '\0';
		if (ipaddr_parse(addr, host) != 0 || addr->v != 4)
			return -1;
	}
	return parse_port(colon + 1, port);
}
