/*
 * sflow.c - sFlow version 5 datagram decoder (sflow.org sFlow v5 spec).
 *
 * Wire layout (XDR: big-endian, everything padded to 4 bytes):
 *   datagram: version(4)=5  agent_address_type(4) (1 = IPv4, 2 = IPv6)
 *             agent_address(4 or 16)  sub_agent_id(4)  sequence(4)
 *             uptime ms(4)  num_samples(4)  samples...
 *   sample:   format(4) (enterprise << 12 | format)  length(4)  data
 *     0:1 flow sample:     seq(4) source_id(4) (type << 24 | index)
 *                          sampling_rate(4) sample_pool(4) drops(4)
 *                          input(4) output(4) num_records(4) records
 *     0:3 expanded flow:   seq(4) source_type(4) source_index(4)
 *                          sampling_rate(4) sample_pool(4) drops(4)
 *                          input_format(4) input(4) output_format(4)
 *                          output(4) num_records(4) records
 *     0:2 counter sample:  seq(4) source_id(4) num_records(4) records
 *     0:4 expanded:        seq(4) source_type(4) source_index(4)
 *                          num_records(4) records
 *   record:   format(4)  length(4)  data
 *     flow 0:1 raw packet header: protocol(4) (1 Ethernet, 11 IPv4,
 *              12 IPv6) frame_length(4) stripped(4) header_length(4)
 *              header bytes (padded)
 *     flow 0:3 sampled IPv4: length(4) protocol(4) src(4) dst(4)
 *              src_port(4) dst_port(4) tcp_flags(4) tos(4)
 *     flow 0:4 sampled IPv6: length(4) protocol(4) src(16) dst(16)
 *              src_port(4) dst_port(4) tcp_flags(4) priority(4)
 *     counter 0:1 generic interface: ifIndex(4) ifType(4) ifSpeed(8)
 *              ifDirection(4) ifStatus(4) ifInOctets(8) ifInUcastPkts(4)
 *              ifInMulticastPkts(4) ifInBroadcastPkts(4) ifInDiscards(4)
 *              ifInErrors(4) ifInUnknownProtos(4) ifOutOctets(8)
 *              ifOutUcastPkts(4) ifOutMulticastPkts(4)
 *              ifOutBroadcastPkts(4) ifOutDiscards(4) ifOutErrors(4)
 *              ifPromiscuousMode(4)   (88 bytes)
 *
 * A flow sample's raw header goes to the sink as a sampled packet (the
 * source decodes it with the capture decoder and accounts it `rate`
 * times, nDPI included); without a raw header, a sampled IPv4/IPv6
 * record becomes a flow update of rate packets of `length` bytes.
 * Counter samples update per-ifIndex counters in the agent's ledger.
 * The datagram sequence (per agent and sub-agent) counts lost datagrams;
 * the samples' own `drops` (the agent's sampler losses) are kept apart.
 * Every length is checked against the datagram and against its enclosing
 * sample or record; a bad one ends that sample, never the process.
 */
#include "collector/flowdec.h"

#include <stdlib.h>
#include <string.h>

#include "common/rbuf.h"
#include "merge/record.h"

/* Takes n bytes (padded to 4) as a sub-reader. */
static inline int
sf_take(struct rbuf *c, uint32_t n, struct rbuf *sub)
{
	size_t padded = ((size_t)n + 3u) & ~(size_t)3u;

	if (rbuf_get_sub(c, n, sub) != 0)
		return -1;
	/* the padding of the last record may be missing */
	padded -= n;
	if (padded > rbuf_left(c))
		padded = rbuf_left(c);
	return rbuf_skip(c, padded);
}

static struct flowdec_ifcounters *
sf_ifc_get(struct flowdec_exporter *e, uint32_t ifindex)
{
	uint32_t i;

	for (i = 0; i < e->n_ifc; i++)
		if (e->ifc[i].ifindex == ifindex)
			return &e->ifc[i];
	if (e->n_ifc >= FLOWDEC_MAX_IFCOUNTERS)
		return NULL;
	if (e->ifc == NULL) {
		e->ifc = calloc(FLOWDEC_MAX_IFCOUNTERS, sizeof(*e->ifc));
		if (e->ifc == NULL)
			return NULL;
	}
	e->ifc[e->n_ifc].ifindex = ifindex;
	return &e->ifc[e->n_ifc++];
}

/* Generic interface counters (sFlow v5 counters format 1, 88 bytes). */
static void
sf_counters_generic(struct flowdec_exporter *e, struct rbuf *r, uint64_t now_ms)
{
	struct flowdec_ifcounters *c, v;
	uint32_t w[11] = { 0 };

	memset(&v, 0, sizeof(v));
	rbuf_get_u32(r, &v.ifindex);
	rbuf_get_u32(r, &v.iftype);
	rbuf_get_u64(r, &v.speed);
	rbuf_get_u32(r, &v.direction);
	rbuf_get_u32(r, &v.status);
	rbuf_get_u64(r, &v.in_octets);
	rbuf_get_u32(r, &w[0]);
	rbuf_get_u32(r, &w[1]);
	rbuf_get_u32(r, &w[2]);
	rbuf_get_u32(r, &w[3]);
	rbuf_get_u32(r, &w[4]);
	rbuf_get_u32(r, &w[5]);
	rbuf_get_u64(r, &v.out_octets);
	rbuf_get_u32(r, &w[6]);
	rbuf_get_u32(r, &w[7]);
	rbuf_get_u32(r, &w[8]);
	rbuf_get_u32(r, &w[9]);
	rbuf_get_u32(r, &w[10]);
	if (!rbuf_ok(r)) {
		e->err[FDE_BAD_SAMPLE]++;
		return;
	}
	c = sf_ifc_get(e, v.ifindex);
	if (c == NULL) {
		e->err[FDE_UNKNOWN_FORMAT]++;
		return;
	}
	c->iftype = v.iftype;
	c->speed = v.speed;
	c->direction = v.direction;
	c->status = v.status;
	c->in_octets = v.in_octets;
	c->in_ucast = w[0];
	c->in_mcast = w[1];
	c->in_bcast = w[2];
	c->in_discards = w[3];
	c->in_errors = w[4];
	c->in_unknown = w[5];
	c->out_octets = v.out_octets;
	c->out_ucast = w[6];
	c->out_mcast = w[7];
	c->out_bcast = w[8];
	c->out_discards = w[9];
	c->out_errors = w[10];
	c->last_ms = now_ms;
}

static void
sf_counter_sample(struct flowdec_exporter *e, struct rbuf *c, int expanded,
		  uint64_t now_ms)
{
	uint32_t seq, src, n, i;

	if (rbuf_get_u32(c, &seq) || rbuf_get_u32(c, &src) ||
	    (expanded && rbuf_get_u32(c, &src)) || rbuf_get_u32(c, &n)) {
		e->err[FDE_BAD_SAMPLE]++;
		return;
	}
	e->counter_samples++;
	for (i = 0; i < n; i++) {
		uint32_t fmt, rlen;
		struct rbuf r;

		if (rbuf_get_u32(c, &fmt) || rbuf_get_u32(c, &rlen) ||
		    sf_take(c, rlen, &r)) {
			e->err[FDE_BAD_SAMPLE]++;
			return;
		}
		if (fmt == 1)
			sf_counters_generic(e, &r, now_ms);
		/* other counter blocks (ethernet, processor...) are skipped */
	}
}

struct sf_flow {
	uint32_t rate, in_if, out_if;
	const uint8_t *hdr;
	uint32_t hdr_len, frame_len, stripped;
	int dlt;
	struct flow_update u; /* from a sampled IPv4/IPv6 record */
	uint32_t ip_len;
	int has_ip;
};

/* Sampled IPv4 (format 3) / IPv6 (format 4): length, protocol, src,
 * dst, src port, dst port, TCP flags, ToS/priority, each u32 but the
 * addresses.  A short record is ignored, as before. */
static void
sf_sampled_ip(struct sf_flow *f, struct rbuf *r, int v6)
{
	uint32_t ip_len = 0, proto = 0, sport = 0, dport = 0, flags = 0,
		 tos = 0;
	uint8_t src[16] = { 0 }, dst[16] = { 0 };
	size_t alen = v6 ? 16 : 4;

	rbuf_get_u32(r, &ip_len);
	rbuf_get_u32(r, &proto);
	rbuf_get_n(r, src, alen);
	rbuf_get_n(r, dst, alen);
	rbuf_get_u32(r, &sport);
	rbuf_get_u32(r, &dport);
	rbuf_get_u32(r, &flags);
	rbuf_get_u32(r, &tos);
	if (!rbuf_ok(r))
		return;
	memset(&f->u, 0, sizeof(f->u));
	f->ip_len = ip_len;
	f->u.l4_proto = (uint8_t)proto;
	if (v6) {
		f->u.ip_version = 6;
		ipaddr_set6(&f->u.src, src);
		ipaddr_set6(&f->u.dst, dst);
	} else {
		f->u.ip_version = 4;
		ipaddr_set4(&f->u.src, src);
		ipaddr_set4(&f->u.dst, dst);
	}
	if (f->u.l4_proto != 1 && f->u.l4_proto != 58) {
		f->u.sport = (uint16_t)sport;
		f->u.dport = (uint16_t)dport;
	}
	f->u.src_tcp_flags = (uint8_t)flags;
	f->u.tos = (uint8_t)tos;
	f->has_ip = 1;
}

static int
sf_flow_sample(struct flowdec *d, struct flowdec_exporter *e, struct rbuf *c,
	       int expanded, uint64_t now_ms, const struct flowdec_sink *sink)
{
	struct sf_flow f;
	uint32_t seq, src, pool, drops, n, i, tmp;

	memset(&f, 0, sizeof(f));
	if (rbuf_get_u32(c, &seq) || rbuf_get_u32(c, &src) ||
	    (expanded && rbuf_get_u32(c, &src)) || rbuf_get_u32(c, &f.rate) ||
	    rbuf_get_u32(c, &pool) || rbuf_get_u32(c, &drops) ||
	    (expanded && rbuf_get_u32(c, &tmp)) || rbuf_get_u32(c, &f.in_if) ||
	    (expanded && rbuf_get_u32(c, &tmp)) || rbuf_get_u32(c, &f.out_if) ||
	    rbuf_get_u32(c, &n)) {
		e->err[FDE_BAD_SAMPLE]++;
		return 0;
	}
	if (!expanded) {
		/* compact form: top 2 bits of interfaces are a format */
		f.in_if &= 0x3fffffff;
		f.out_if &= 0x3fffffff;
	}
	e->sampler_drops += drops;
	if (f.rate == 0)
		f.rate = 1;
	if (f.rate > 1)
		e->sampling = f.rate;
	for (i = 0; i < n; i++) {
		uint32_t fmt, rlen;
		struct rbuf r;

		if (rbuf_get_u32(c, &fmt) || rbuf_get_u32(c, &rlen) ||
		    sf_take(c, rlen, &r)) {
			e->err[FDE_BAD_SAMPLE]++;
			return 0;
		}
		if (fmt == 1) {
			uint32_t proto, hl;

			if (rbuf_get_u32(&r, &proto) ||
			    rbuf_get_u32(&r, &f.frame_len) ||
			    rbuf_get_u32(&r, &f.stripped) ||
			    rbuf_get_u32(&r, &hl) || hl > rbuf_left(&r)) {
				e->err[FDE_BAD_SAMPLE]++;
				continue;
			}
			f.dlt = proto == 1    ? 1
				: proto == 11 ? 228
				: proto == 12 ? 229
					      : -1;
			if (f.dlt < 0) {
				e->err[FDE_UNKNOWN_FORMAT]++;
				continue;
			}
			f.hdr = rbuf_ptr(&r);
			f.hdr_len = hl;
		} else if (fmt == 3 || fmt == 4) {
			sf_sampled_ip(&f, &r, fmt == 4);
		}
		/* other records (switch, router, gateway, user...) skipped */
	}
	if (f.hdr != NULL) {
		struct flowdec_packet pk;

		pk.dlt = f.dlt;
		pk.data = f.hdr;
		pk.caplen = f.hdr_len;
		pk.frame_len =
			f.frame_len > f.hdr_len ? f.frame_len : f.hdr_len;
		pk.scale = f.rate;
		pk.in_ifindex = f.in_if;
		pk.out_ifindex = f.out_if;
		pk.exporter = &e->addr;
		pk.ts_ms = now_ms;
		if (sink->packet != NULL)
			sink->packet(sink->arg, &pk);
		e->packets++;
		d->packets++;
		return 1;
	}
	if (f.has_ip) {
		if (f.rate > 1 && f.ip_len > FLOWDEC_MAX_COUNT / f.rate) {
			e->err[FDE_IMPLAUSIBLE]++;
			return 0;
		}
		f.u.in_pkts = f.rate;
		f.u.in_bytes = (uint64_t)f.ip_len * f.rate;
		f.u.sampling = f.rate > 1 ? f.rate : 0;
		f.u.exporter = e->addr;
		f.u.in_ifindex = f.in_if;
		f.u.out_ifindex = f.out_if;
		f.u.first_ms = f.u.last_ms = now_ms;
		if (sink->flow != NULL && sink->flow(sink->arg, &f.u) != 0) {
			e->err[FDE_REFUSED]++;
			return 0;
		}
		e->records++;
		d->records++;
		return 1;
	}
	e->err[FDE_BAD_RECORD]++;
	return 0;
}

int
flowdec_sflow(struct flowdec *d, const struct ipaddr *exporter,
	      const uint8_t *buf, size_t len, uint64_t now_ms,
	      const struct flowdec_sink *sink)
{
	struct rbuf c;
	struct flowdec_exporter *e;
	struct ipaddr agent;
	uint32_t version, atype, sub, seq, uptime, n, i;
	int emitted = 0;

	rbuf_init(&c, buf, len > 0xffffffu ? 0xffffffu : len);
	if (rbuf_get_u32(&c, &version) || rbuf_get_u32(&c, &atype)) {
		d->too_short++;
		return -1;
	}
	if (version != 5) {
		d->unknown_version++;
		return -1;
	}
	memset(&agent, 0, sizeof(agent));
	if (atype == 1 && rbuf_has(&c, 0, 4)) {
		ipaddr_set4(&agent, rbuf_ptr(&c));
		rbuf_skip(&c, 4);
	} else if (atype == 2 && rbuf_has(&c, 0, 16)) {
		ipaddr_set6(&agent, rbuf_ptr(&c));
		rbuf_skip(&c, 16);
	} else {
		d->too_short++;
		return -1;
	}
	if (rbuf_get_u32(&c, &sub) || rbuf_get_u32(&c, &seq) ||
	    rbuf_get_u32(&c, &uptime) || rbuf_get_u32(&c, &n)) {
		d->too_short++;
		return -1;
	}
	/* the ledger is keyed by the datagram's source, as for NetFlow;
	 * the agent address inside names the device behind a relay */
	(void)agent;
	e = flowdec_exporter_get(d, exporter, FDP_SFLOW5, sub, now_ms);
	if (e == NULL)
		return -1;
	e->datagrams++;
	flowdec_seq_check(e, seq, 1, 0);
	for (i = 0; i < n; i++) {
		uint32_t fmt, slen;
		struct rbuf s;

		if (rbuf_get_u32(&c, &fmt) || rbuf_get_u32(&c, &slen)) {
			e->err[FDE_TRUNCATED]++;
			break;
		}
		if (sf_take(&c, slen, &s)) {
			e->err[FDE_BAD_LENGTH]++;
			break;
		}
		switch (fmt) {
		case 1:
			emitted += sf_flow_sample(d, e, &s, 0, now_ms, sink);
			break;
		case 3:
			emitted += sf_flow_sample(d, e, &s, 1, now_ms, sink);
			break;
		case 2:
			sf_counter_sample(e, &s, 0, now_ms);
			break;
		case 4:
			sf_counter_sample(e, &s, 1, now_ms);
			break;
		default:
			e->err[FDE_UNKNOWN_FORMAT]++;
			break;
		}
	}
	return emitted;
}
