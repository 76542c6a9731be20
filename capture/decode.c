/*
 * decode.c - L2..L4 decoder: one captured frame in, one struct pkt out.
 *
 * How it works.  capture_decode() picks the link-layer parser for the
 * pcap link type; every parser takes (pointer, remaining captured bytes),
 * checks the length of each header before reading it, and hands the rest
 * to the next parser.  Multi-byte fields are read through common/rbuf
 * (dget16/dget32/dget_ports below), which refuse a field that does not
 * fit in the bytes left, so a wrong header check makes a truncated
 * packet, never a read past data + caplen.  Each
 * DECODE_BAD return bumps exactly one cause counter (truncated, bad_ip,
 * bad_l4, unknown_dlt).
 *
 * Link layers (all multi-byte fields big endian unless noted):
 *   Ethernet (DLT 1):  dst[6] src[6] type[2]; type < 1536 is an 802.3
 *     length (LLC/SNAP follows: reported as non-IP, ethertype 0).
 *     802.1Q/802.1ad/QinQ (0x8100, 0x88a8, 0x9100, 0x9200): TCI[2] type[2]
 *     per tag, the first tag's low 12 bits are the VLAN.
 *   Linux SLL (113):   pkttype[2] hatype[2] halen[2] addr[8] proto[2].
 *   Linux SLL2 (276):  proto[2] rsvd[2] ifindex[4] hatype[2] pkttype[1]
 *                      halen[1] addr[8].
 *   Raw IP (12, 14, 101; 228 = IPv4, 229 = IPv6): the IP header directly,
 *     the version nibble says which.
 *   BSD NULL/LOOP (0, 108): family[4] in either byte order (AF_INET = 2,
 *     AF_INET6 = 10, 24, 28 or 30 depending on the OS that wrote it).
 *   PPP (9) / PPP serial (50): optional FF 03 address/control, protocol
 *     [1 or 2] (0x21 IPv4, 0x57 IPv6, 0x281 MPLS).
 *   Cisco HDLC (104):  address[1] control[1] ethertype[2].
 *   MPLS (0x8847/0x8848): label[20 bits] tc[3] S[1] ttl[8] until S = 1,
 *     then the first nibble tells IPv4 (4) from IPv6 (6).
 *   PPPoE session (0x8864): ver/type[1] code[1] session[2] len[2] ppp[2].
 *
 * IP:  IPv4 (RFC 791) ver/ihl[1] tos[1] totlen[2] id[2] flags/off[2]
 *      ttl[1] proto[1] csum[2] src[4] dst[4] options.  The total length
 *      bounds the datagram (Ethernet padding is not payload); if the
 *      capture is shorter we keep what we have.
 *      IPv6 (RFC 8200) ver/tc/flow[4] plen[2] nh[1] hlim[1] src[16]
 *      dst[16], then at most DECODE_MAX_EXT extension headers: hop-by-hop
 *      (0), routing (43), destination options (60), mobility (135):
 *      nh[1] len[1] in 8-byte units not counting the first 8; AH (51):
 *      len in 4-byte units not counting the first 8; fragment (44):
 *      nh[1] rsvd[1] off/M[2] id[4].
 * L4:  TCP sport[2] dport[2] seq[4] ack[4] off[1] flags[1]...;
 *      UDP sport[2] dport[2] len[2] csum[2]; SCTP sport[2] dport[2]
 *      vtag[4] csum[4]; ICMP/ICMPv6 type[1] code[1] csum[2].
 *
 * Fragments.  A first fragment carries the L4 header: its ports are
 * stored in a direct-mapped table keyed by (src, dst, id, proto); a
 * collision simply overwrites the slot.  Later fragments look their slot
 * up to inherit the ports, so the whole datagram counts to one flow.
 * Entries older than DECODE_FRAG_TTL_US are ignored.
 *
 * Tunnels.  After the outer L4 header, if d->decode_tunnels is set, a
 * UDP port (GTP-U 2152, VXLAN 4789, Teredo 3544, CAPWAP data 5247) or IP
 * protocol (GRE 47, IP-in-IP 4/41) selects a tunnel parser that decodes
 * the inner packet into the same struct pkt.  The outer L3/L4 fields and
 * the counters are saved first: if the inner packet is not a good IP
 * packet they are restored, so the frame still counts to the outer flow
 * and an inner problem is not counted as a bad frame.  Nesting is
 * limited to DECODE_MAX_DEPTH tunnels (stats.too_deep).  MACs, VLAN and
 * ethertype always describe the outermost frame.
 *
 * Ownership: the decoder belongs to one interface thread; pkt pointers
 * point into the caller's frame buffer.
 */
#include "capture/decode.h"

#include <stddef.h>
#include <string.h>

#include "common/rbuf.h"

#define DECODE_MAX_DEPTH 4 /* tunnels followed inside one frame */
#define DECODE_MAX_VLAN_TAGS 8
#define DECODE_MAX_MPLS_LABELS 16
#define DECODE_MAX_EXT 16 /* IPv6 extension headers walked */
#define DECODE_MAX_GTP_EXT 8
#define DECODE_FRAG_TTL_US (60ULL * 1000000ULL)

#define ETH_P_IP_ 0x0800
#define ETH_P_ARP_ 0x0806
#define ETH_P_IPV6_ 0x86dd
#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88a8
#define ETH_P_QINQ1_ 0x9100
#define ETH_P_QINQ2_ 0x9200
#define ETH_P_MPLS_UC_ 0x8847
#define ETH_P_MPLS_MC_ 0x8848
#define ETH_P_PPPOE_SESS_ 0x8864
#define ETH_P_PPP_ 0x880b
#define ETH_P_TEB_ 0x6558 /* transparent Ethernet bridging (GRE) */

#define IPP_ICMP 1
#define IPP_IPIP 4
#define IPP_TCP 6
#define IPP_UDP 17
#define IPP_IPV6 41
#define IPP_GRE 47
#define IPP_ICMPV6 58
#define IPP_SCTP 132

#define PORT_GTPU 2152
#define PORT_VXLAN 4789
#define PORT_TEREDO 3544
#define PORT_CAPWAP_DATA 5247

/* Per-call state: the decoder, the output and the tunnel depth. */
struct dctx {
	struct decoder *d;
	struct pkt *p;
	uint64_t ts_us;
	int depth; /* tunnels entered so far */
};

#define DBAD(c, cause) ((c)->d->stats.cause++, DECODE_BAD)

/* The big-endian field at b + at, of the len bytes at b: -1 (nothing
 * read) when it does not fit. */
static inline int
dget16(const uint8_t *b, uint32_t len, uint32_t at, uint16_t *v)
{
	struct rbuf r;

	rbuf_init(&r, b, len);
	return rbuf_peek_u16(&r, at, v);
}

static inline int
dget32(const uint8_t *b, uint32_t len, uint32_t at, uint32_t *v)
{
	struct rbuf r;

	rbuf_init(&r, b, len);
	return rbuf_peek_u32(&r, at, v);
}

/* Source and destination port, the first 4 bytes of TCP, UDP, SCTP. */
static inline int
dget_ports(const uint8_t *b, uint32_t len, struct pkt *p)
{
	struct rbuf r;
	uint16_t sp, dp;

	rbuf_init(&r, b, len);
	if (rbuf_get_u16(&r, &sp) != 0 || rbuf_get_u16(&r, &dp) != 0)
		return -1;
	p->sport = sp;
	p->dport = dp;
	return 0;
}

static inline uint16_t
clamp16(uint32_t v)
{
	return v > 0xffff ? 0xffff : (uint16_t)v;
}

static enum decode_result decode_ethertype(struct dctx *c, uint16_t type,
					   const uint8_t *b, uint32_t len);
static enum decode_result decode_ether(struct dctx *c, const uint8_t *b,
				       uint32_t len);
static enum decode_result decode_ip4(struct dctx *c, const uint8_t *b,
				     uint32_t len);
static enum decode_result decode_ip6(struct dctx *c, const uint8_t *b,
				     uint32_t len);

/* Zeroes the L3/L4 part of pkt (everything from ip_version on) but keeps
 * the tunnel type, before an inner packet is decoded over it. */
static inline void
pkt_l3_clear(struct pkt *p)
{
	uint8_t t = p->tunnel;

	memset(&p->ip_version, 0,
	       sizeof(*p) - offsetof(struct pkt, ip_version));
	p->tunnel = t;
}

/* ---- fragment table ---------------------------------------------------- */

static inline uint32_t
frag_slot(const struct ipaddr *src, const struct ipaddr *dst, uint32_t id,
	  uint8_t proto)
{
	uint32_t h = ipaddr_hash(src) ^ (ipaddr_hash(dst) * 0x9e3779b1U);

	h ^= id * 0x85ebca6bU + proto;
	h ^= h >> 15;
	h *= 0x2c1b3c6dU;
	h ^= h >> 12;
	return h & (DECODE_FRAG_SLOTS - 1);
}

static void
frag_store(struct dctx *c, uint32_t id)
{
	struct pkt *p = c->p;
	struct decode_frag *f;

	f = &c->d->frags[frag_slot(&p->src, &p->dst, id, p->l4_proto)];
	f->ts_us = c->ts_us ? c->ts_us : 1; /* 0 would mean "free" */
	f->src = p->src;
	f->dst = p->dst;
	f->id = id;
	f->proto = p->l4_proto;
	f->sport = p->sport;
	f->dport = p->dport;
}

/* A non-first fragment: inherit the ports of the first one if seen. */
static void
frag_lookup(struct dctx *c, uint32_t id)
{
	struct pkt *p = c->p;
	const struct decode_frag *f;

	f = &c->d->frags[frag_slot(&p->src, &p->dst, id, p->l4_proto)];
	if (f->ts_us != 0 && f->id == id && f->proto == p->l4_proto &&
	    c->ts_us <= f->ts_us + DECODE_FRAG_TTL_US &&
	    memcmp(&f->src, &p->src, sizeof(f->src)) == 0 &&
	    memcmp(&f->dst, &p->dst, sizeof(f->dst)) == 0) {
		p->sport = f->sport;
		p->dport = f->dport;
		p->ports_known = 1;
		return;
	}
	p->sport = p->dport = 0;
	p->ports_known = 0;
	c->d->stats.frag_orphans++;
}

/* ---- tunnels ------------------------------------------------------------ */

typedef enum decode_result (*inner_fn)(struct dctx *c, const uint8_t *b,
				       uint32_t len);

/*
 * Decodes an inner packet over the current one.  Returns DECODE_IP in
 * every case: either the inner packet replaced the outer one in pkt, or
 * the outer one (and the counters) were restored.
 */
static enum decode_result
tunnel_enter(struct dctx *c, enum tunnel_type type, inner_fn fn,
	     const uint8_t *b, uint32_t len)
{
	struct pkt saved_pkt;
	struct decode_stats saved_stats;
	enum decode_result r;

	if (c->depth >= DECODE_MAX_DEPTH) {
		c->d->stats.too_deep++;
		return DECODE_IP;
	}
	saved_pkt = *c->p;
	saved_stats = c->d->stats;
	pkt_l3_clear(c->p);
	c->depth++;
	r = fn(c, b, len);
	c->depth--;
	if (r != DECODE_IP || c->p->ip_version == 0) {
		*c->p = saved_pkt;
		c->d->stats = saved_stats;
		return DECODE_IP;
	}
	c->p->tunnel = (uint8_t)type; /* the outermost one is set last */
	if (c->depth == 0)
		c->d->stats.tunnels++;
	return DECODE_IP;
}

/* Inner packet is IPv4 or IPv6 by its version nibble. */
static enum decode_result
inner_ip(struct dctx *c, const uint8_t *b, uint32_t len)
{
	if (len < 1)
		return DBAD(c, truncated);
	if ((b[0] >> 4) == 4)
		return decode_ip4(c, b, len);
	if ((b[0] >> 4) == 6)
		return decode_ip6(c, b, len);
	return DBAD(c, bad_ip);
}

/*
 * GTPv1-U (3GPP TS 29.281): flags[1] (version 3 bits = 1, PT = 1, E, S,
 * PN) type[1] length[2] teid[4]; if any of E/S/PN: seq[2] npdu[1]
 * next_ext[1]; each extension header is len[1] (4-byte units, whole
 * header) ... next_ext[1].  Type 0xff (T-PDU) carries an IP packet.
 */
static enum decode_result
tunnel_gtpu(struct dctx *c, const uint8_t *b, uint32_t len)
{
	uint32_t off = 8, elen;
	uint8_t next;
	int n;

	if (len < 8 || (b[0] >> 5) != 1 || !(b[0] & 0x10) || b[1] != 0xff)
		return DECODE_IP; /* not a T-PDU: stay with outer */
	if (b[0] & 0x07) {
		if (len < 12)
			return DECODE_IP;
		next = b[11];
		off = 12;
		for (n = 0; next != 0; n++) {
			if (n >= DECODE_MAX_GTP_EXT || off >= len)
				return DECODE_IP;
			elen = (uint32_t)b[off] * 4;
			if (elen == 0 || elen > len - off)
				return DECODE_IP;
			next = b[off + elen - 1];
			off += elen;
		}
	}
	return tunnel_enter(c, TUN_GTPU, inner_ip, b + off, len - off);
}

/* VXLAN (RFC 7348): flags[1] (I = 0x08) rsvd[3] vni[3] rsvd[1], then an
 * Ethernet frame. */
static enum decode_result
tunnel_vxlan(struct dctx *c, const uint8_t *b, uint32_t len)
{
	if (len < 8 || !(b[0] & 0x08))
		return DECODE_IP;
	return tunnel_enter(c, TUN_VXLAN, decode_ether, b + 8, len - 8);
}

/*
 * Teredo (RFC 4380): an IPv6 packet, optionally preceded by an
 * authentication header 00 01 idlen[1] aulen[1] id[idlen] auth[aulen]
 * nonce[8] conf[1] and/or an origin indication 00 00 port[2] addr[4].
 */
static enum decode_result
tunnel_teredo(struct dctx *c, const uint8_t *b, uint32_t len)
{
	uint32_t off = 0, alen;

	if (len >= 4 && b[0] == 0x00 && b[1] == 0x01) {
		alen = 4u + b[2] + b[3] + 9u;
		if (alen > len)
			return DECODE_IP;
		off = alen;
	}
	if (len - off >= 8 && b[off] == 0x00 && b[off + 1] == 0x00)
		off += 8;
	if (len - off < 40 || (b[off] >> 4) != 6)
		return DECODE_IP;
	return tunnel_enter(c, TUN_TEREDO, decode_ip6, b + off, len - off);
}

/*
 * The payload of a CAPWAP data packet when it is an 802.11 frame:
 * fc[2] dur[2] a1[6] a2[6] a3[6] seq[2] (a4[6] if ToDS and FromDS)
 * (qos[2] for QoS data) (htc[4] if QoS and Order), then LLC/SNAP
 * AA AA 03 oui[3] ethertype[2].
 */
static enum decode_result
inner_wlan(struct dctx *c, const uint8_t *b, uint32_t len)
{
	uint32_t hl = 24;
	uint16_t et;
	uint8_t fc0, fc1;

	if (len < 24)
		return DBAD(c, truncated);
	fc0 = b[0];
	fc1 = b[1];
	/* Cisco controllers send the frame control field byte-swapped:
	 * if only the swapped reading is a data frame, use that one */
	if ((fc0 & 0x0f) != 0x08 && (fc1 & 0x0f) == 0x08) {
		fc0 = b[1];
		fc1 = b[0];
	}
	if (((fc0 >> 2) & 3) != 2 || (fc0 & 3) != 0)
		return DECODE_NON_IP; /* management/control frame */
	if (fc1 & 0x40)
		return DECODE_NON_IP; /* protected: cannot look inside */
	if ((fc0 >> 4) & 0x04)
		return DECODE_NON_IP; /* null data, no payload */
	if ((fc1 & 0x03) == 0x03)
		hl += 6;
	if ((fc0 >> 4) & 0x08) {
		hl += 2;
		if (fc1 & 0x80)
			hl += 4;
	}
	if (len < hl + 8)
		return DBAD(c, truncated);
	b += hl;
	len -= hl;
	if (b[0] != 0xaa || b[1] != 0xaa || b[2] != 0x03)
		return DECODE_NON_IP;
	if (dget16(b, len, 6, &et) != 0)
		return DBAD(c, truncated);
	return decode_ethertype(c, et, b + 8, len - 8);
}

/*
 * CAPWAP data channel (RFC 5415): preamble[1] (version 0, type 0; type 1
 * is DTLS), then HLEN[5 bits] RID[5] WBID[5] T F L W M K flags[3],
 * fragment id[2] offset/rsvd[2]; the header is HLEN * 4 bytes.  T = 1 and
 * WBID = 1: an 802.11 frame follows; T = 0: an 802.3 (Ethernet) frame.
 */
static enum decode_result
tunnel_capwap(struct dctx *c, const uint8_t *b, uint32_t len)
{
	uint32_t w, hlen, wbid, t;

	if (len < 8 || b[0] != 0 || dget32(b, len, 0, &w) != 0)
		return DECODE_IP;
	hlen = ((w >> 19) & 0x1f) * 4;
	wbid = (w >> 9) & 0x1f;
	t = (w >> 8) & 1;
	if ((w >> 7) & 1)
		return DECODE_IP; /* fragmented: no reassembly */
	if (hlen < 8 || hlen > len)
		return DECODE_IP;
	if (t && wbid == 1)
		return tunnel_enter(c, TUN_CAPWAP, inner_wlan, b + hlen,
				    len - hlen);
	if (!t)
		return tunnel_enter(c, TUN_CAPWAP, decode_ether, b + hlen,
				    len - hlen);
	return DECODE_IP;
}

/* An MPLS label stack inside GRE. */
static enum decode_result
inner_mpls(struct dctx *c, const uint8_t *b, uint32_t len)
{
	return decode_ethertype(c, ETH_P_MPLS_UC_, b, len);
}

/* PPP inside a tunnel or on a PPP link: optional FF 03, protocol. */
static enum decode_result
decode_ppp(struct dctx *c, const uint8_t *b, uint32_t len)
{
	uint16_t proto;

	if (len >= 2 && b[0] == 0xff && b[1] == 0x03) {
		b += 2;
		len -= 2;
	}
	if (len < 1)
		return DBAD(c, truncated);
	if (b[0] & 1) { /* protocol field compression */
		proto = b[0];
		b += 1;
		len -= 1;
	} else {
		if (dget16(b, len, 0, &proto) != 0)
			return DBAD(c, truncated);
		b += 2;
		len -= 2;
	}
	switch (proto) {
	case 0x0021:
		return decode_ethertype(c, ETH_P_IP_, b, len);
	case 0x0057:
		return decode_ethertype(c, ETH_P_IPV6_, b, len);
	case 0x0281:
		return decode_ethertype(c, ETH_P_MPLS_UC_, b, len);
	default:
		return DECODE_NON_IP;
	}
}

/*
 * GRE (RFC 2784/2890): flags/ver[2] proto[2], then checksum+reserved[4]
 * if C, key[4] if K, seq[4] if S.  Routing (R) is not followed.
 * Enhanced GRE (version 1, RFC 2637 PPTP): flags/ver[2] proto[2] = 0x880b
 * paylen[2] callid[2], seq[4] if S, ack[4] if A (0x0080).
 */
static enum decode_result
tunnel_gre(struct dctx *c, const uint8_t *b, uint32_t len)
{
	uint16_t fl, proto, paylen;
	uint32_t off = 4;

	if (dget16(b, len, 0, &fl) != 0 || dget16(b, len, 2, &proto) != 0)
		return DECODE_IP;
	if ((fl & 0x0007) == 0) {
		if (fl & 0x4000)
			return DECODE_IP;
		if (fl & 0x8000)
			off += 4;
		if (fl & 0x2000)
			off += 4;
		if (fl & 0x1000)
			off += 4;
	} else if ((fl & 0x0007) == 1) {
		if (proto != ETH_P_PPP_)
			return DECODE_IP;
		off = 8;
		if (fl & 0x1000)
			off += 4;
		if (fl & 0x0080)
			off += 4;
		if (dget16(b, len, 4, &paylen) == 0 && paylen == 0)
			return DECODE_IP; /* acknowledgement only */
	} else {
		return DECODE_IP;
	}
	if (off >= len)
		return DECODE_IP;
	b += off;
	len -= off;
	switch (proto) {
	case ETH_P_IP_:
		return tunnel_enter(c, TUN_GRE, decode_ip4, b, len);
	case ETH_P_IPV6_:
		return tunnel_enter(c, TUN_GRE, decode_ip6, b, len);
	case ETH_P_TEB_:
		return tunnel_enter(c, TUN_GRE, decode_ether, b, len);
	case ETH_P_PPP_:
		return tunnel_enter(c, TUN_GRE, decode_ppp, b, len);
	case ETH_P_MPLS_UC_:
		return tunnel_enter(c, TUN_GRE, inner_mpls, b, len);
	default:
		return DECODE_IP;
	}
}

/* ---- L4 ----------------------------------------------------------------- */

enum frag_kind { FRAG_NONE = 0, FRAG_FIRST, FRAG_LATER };

/* Follows a tunnel carried by the L4 header just decoded, if any. */
static enum decode_result
decode_tunnel(struct dctx *c, const uint8_t *l4, uint32_t l4len)
{
	struct pkt *p = c->p;
	const uint8_t *pl = p->l4_payload;
	uint32_t plen = p->l4_payload_len;

	switch (p->l4_proto) {
	case IPP_UDP:
		if (p->sport == PORT_GTPU || p->dport == PORT_GTPU)
			return tunnel_gtpu(c, pl, plen);
		if (p->sport == PORT_VXLAN || p->dport == PORT_VXLAN)
			return tunnel_vxlan(c, pl, plen);
		if (p->sport == PORT_TEREDO || p->dport == PORT_TEREDO)
			return tunnel_teredo(c, pl, plen);
		if (p->sport == PORT_CAPWAP_DATA ||
		    p->dport == PORT_CAPWAP_DATA)
			return tunnel_capwap(c, pl, plen);
		return DECODE_IP;
	case IPP_GRE:
		return tunnel_gre(c, l4, l4len);
	case IPP_IPIP:
		return tunnel_enter(c, TUN_IPIP, decode_ip4, l4, l4len);
	case IPP_IPV6:
		return tunnel_enter(c, TUN_IPIP, decode_ip6, l4, l4len);
	default:
		return DECODE_IP;
	}
}

/*
 * Decodes the transport header at b (len bytes of the datagram were
 * captured; `cut` says the capture ended before the datagram did, which
 * makes a short header "truncated" rather than "bad").  p->l4_proto,
 * addresses and fragment flags are already set.
 */
static enum decode_result
decode_l4(struct dctx *c, const uint8_t *b, uint32_t len, int cut,
	  enum frag_kind frag, uint32_t frag_id)
{
	struct pkt *p = c->p;
	uint32_t hl, ulen;
	uint16_t u16;

	if (frag == FRAG_LATER) {
		frag_lookup(c, frag_id);
		return DECODE_IP;
	}
	if (frag == FRAG_FIRST && len >= 4 &&
	    (p->l4_proto == IPP_TCP || p->l4_proto == IPP_UDP ||
	     p->l4_proto == IPP_SCTP) &&
	    len < (p->l4_proto == IPP_TCP   ? 20u
		   : p->l4_proto == IPP_UDP ? 8u
					    : 12u)) {
		/* a first fragment may split the transport header (RFC
		 * 1858 "tiny fragments"): the ports are what we need */
		dget_ports(b, len, p); /* len >= 4 */
		if (p->l4_proto == IPP_TCP && len >= 14)
			p->tcp_flags = b[13];
		p->ports_known = 1;
		frag_store(c, frag_id);
		return DECODE_IP;
	}
	switch (p->l4_proto) {
	case IPP_TCP:
		if (len < 20)
			return cut ? DBAD(c, truncated) : DBAD(c, bad_l4);
		hl = (uint32_t)(b[12] >> 4) * 4;
		if (hl < 20)
			return DBAD(c, bad_l4);
		if (hl > len || dget_ports(b, len, p) != 0)
			return cut ? DBAD(c, truncated) : DBAD(c, bad_l4);
		p->tcp_flags = b[13];
		break;
	case IPP_UDP:
		if (dget_ports(b, len, p) != 0 ||
		    dget16(b, len, 4, &u16) != 0 || len < 8)
			return cut ? DBAD(c, truncated) : DBAD(c, bad_l4);
		hl = 8;
		/* the UDP length bounds the payload when it is sane (it
		 * is 0 in IPv6 jumbograms and wrong in first fragments) */
		ulen = u16;
		if (frag == FRAG_NONE && ulen >= 8 && ulen < len)
			len = ulen;
		break;
	case IPP_SCTP:
		if (len < 12 || dget_ports(b, len, p) != 0)
			return cut ? DBAD(c, truncated) : DBAD(c, bad_l4);
		hl = 12;
		break;
	case IPP_ICMP:
	case IPP_ICMPV6:
		if (len < 4)
			return cut ? DBAD(c, truncated) : DBAD(c, bad_l4);
		p->icmp_type = b[0];
		p->icmp_code = b[1];
		hl = len >= 8 ? 8 : 4;
		break;
	default:
		hl = 0;
		break;
	}
	p->ports_known = 1;
	p->l4_payload = b + hl;
	p->l4_payload_len = clamp16(len - hl);
	if (frag == FRAG_FIRST) {
		frag_store(c, frag_id);
		return DECODE_IP;
	}
	if (!c->d->decode_tunnels)
		return DECODE_IP;
	return decode_tunnel(c, b, len);
}

/* ---- L3 ----------------------------------------------------------------- */

static enum decode_result
decode_ip4(struct dctx *c, const uint8_t *b, uint32_t len)
{
	struct pkt *p = c->p;
	uint32_t ihl, tot;
	uint16_t fo, id, u16;
	enum frag_kind frag = FRAG_NONE;
	int cut = 0;

	if (len < 20)
		return DBAD(c, truncated);
	if ((b[0] >> 4) != 4)
		return DBAD(c, bad_ip);
	ihl = (uint32_t)(b[0] & 0x0f) * 4;
	if (dget16(b, len, 2, &u16) != 0 || dget16(b, len, 4, &id) != 0 ||
	    dget16(b, len, 6, &fo) != 0)
		return DBAD(c, truncated);
	tot = u16;
	if (ihl < 20 || tot < ihl)
		return DBAD(c, bad_ip);
	if (ihl > len)
		return DBAD(c, truncated);
	if (tot > len) {
		tot = len;
		cut = 1;
	}
	/* pkt's L3 part is zero here (capture_decode/tunnel_enter) */
	p->ip_version = 4;
	p->src.v = 4;
	memcpy(p->src.a, b + 12, 4);
	p->dst.v = 4;
	memcpy(p->dst.a, b + 16, 4);
	p->l4_proto = b[9];
	p->l3 = b;
	p->l3_len = (uint16_t)tot;
	if (fo & 0x3fff) { /* MF set or offset != 0 */
		p->is_fragment = 1;
		c->d->stats.fragments++;
		if ((fo & 0x1fff) == 0) {
			p->first_fragment = 1;
			frag = FRAG_FIRST;
		} else {
			frag = FRAG_LATER;
		}
	}
	return decode_l4(c, b + ihl, tot - ihl, cut, frag, id);
}

static enum decode_result
decode_ip6(struct dctx *c, const uint8_t *b, uint32_t len)
{
	struct pkt *p = c->p;
	uint32_t tot, off = 40, hl, frag_id = 0;
	enum frag_kind frag = FRAG_NONE;
	uint16_t fo;
	uint8_t nh;
	int cut = 0, n, done = 0;

	if (len < 40)
		return DBAD(c, truncated);
	if ((b[0] >> 4) != 6)
		return DBAD(c, bad_ip);
	if (dget16(b, len, 4, &fo) != 0)
		return DBAD(c, truncated);
	tot = 40u + fo;
	if (tot == 40 && b[6] == 0 && len > 40) {
		/* payload length 0 with hop-by-hop options: a jumbogram
		 * (RFC 2675) or a big-TCP capture; use what we have */
		tot = len;
	} else if (tot > len) {
		tot = len;
		cut = 1;
	}
	p->ip_version = 6;
	p->src.v = 6;
	memcpy(p->src.a, b + 8, 16);
	p->dst.v = 6;
	memcpy(p->dst.a, b + 24, 16);
	p->l3 = b;
	p->l3_len = clamp16(tot);
	nh = b[6];
	for (n = 0; !done; n++) {
		switch (nh) {
		case 0:	  /* hop-by-hop options */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
		case 51:  /* authentication header */
			if (n >= DECODE_MAX_EXT)
				return DBAD(c, bad_ip);
			if (tot - off < 2)
				return cut ? DBAD(c, truncated)
					   : DBAD(c, bad_ip);
			if (nh == 51)
				hl = ((uint32_t)b[off + 1] + 2) * 4;
			else
				hl = ((uint32_t)b[off + 1] + 1) * 8;
			if (tot - off < hl)
				return cut ? DBAD(c, truncated)
					   : DBAD(c, bad_ip);
			nh = b[off];
			off += hl;
			break;
		case 44: /* fragment */
			if (n >= DECODE_MAX_EXT)
				return DBAD(c, bad_ip);
			if (tot - off < 8)
				return cut ? DBAD(c, truncated)
					   : DBAD(c, bad_ip);
			if (dget16(b, tot, off + 2, &fo) != 0 ||
			    dget32(b, tot, off + 4, &frag_id) != 0)
				return cut ? DBAD(c, truncated)
					   : DBAD(c, bad_ip);
			nh = b[off];
			off += 8;
			/* offset 0 without M is an atomic fragment
			 * (RFC 6946): a whole datagram */
			if ((fo & 0xfff9) == 0)
				break;
			p->is_fragment = 1;
			c->d->stats.fragments++;
			if ((fo & 0xfff8) == 0) {
				p->first_fragment = 1;
				frag = FRAG_FIRST;
			} else {
				/* the rest is payload, not headers */
				frag = FRAG_LATER;
				done = 1;
			}
			break;
		default:
			done = 1;
			break;
		}
	}
	p->l4_proto = nh;
	return decode_l4(c, b + off, tot - off, cut, frag, frag_id);
}

/* ---- L2 ----------------------------------------------------------------- */

static inline void
set_ethertype(struct dctx *c, uint16_t type)
{
	if (c->depth == 0)
		c->p->ethertype = type;
}

/* MPLS label stack, then IPv4 or IPv6 by the first nibble. */
static enum decode_result
decode_mpls(struct dctx *c, uint16_t type, const uint8_t *b, uint32_t len)
{
	int n;

	for (n = 0;; n++) {
		if (n >= DECODE_MAX_MPLS_LABELS) {
			set_ethertype(c, type);
			return DECODE_NON_IP;
		}
		if (len < 4)
			return DBAD(c, truncated);
		b += 4;
		len -= 4;
		if (b[-2] & 0x01) /* bottom of stack */
			break;
	}
	if (len >= 1 && (b[0] >> 4) == 4)
		return decode_ethertype(c, ETH_P_IP_, b, len);
	if (len >= 1 && (b[0] >> 4) == 6)
		return decode_ethertype(c, ETH_P_IPV6_, b, len);
	/* pseudowire or empty: nothing we count as IP */
	set_ethertype(c, type);
	return DECODE_NON_IP;
}

/* PPPoE session (RFC 2516): ver/type[1] code[1] session[2] len[2], PPP. */
static enum decode_result
decode_pppoe(struct dctx *c, const uint8_t *b, uint32_t len)
{
	uint16_t proto;

	if (len < 8 || dget16(b, len, 6, &proto) != 0)
		return DBAD(c, truncated);
	if (proto == 0x0021)
		return decode_ethertype(c, ETH_P_IP_, b + 8, len - 8);
	if (proto == 0x0057)
		return decode_ethertype(c, ETH_P_IPV6_, b + 8, len - 8);
	set_ethertype(c, ETH_P_PPPOE_SESS_);
	return DECODE_NON_IP;
}

static enum decode_result
decode_ethertype(struct dctx *c, uint16_t type, const uint8_t *b, uint32_t len)
{
	switch (type) {
	case ETH_P_IP_:
		set_ethertype(c, type);
		return decode_ip4(c, b, len);
	case ETH_P_IPV6_:
		set_ethertype(c, type);
		return decode_ip6(c, b, len);
	case ETH_P_MPLS_UC_:
	case ETH_P_MPLS_MC_:
		return decode_mpls(c, type, b, len);
	case ETH_P_PPPOE_SESS_:
		return decode_pppoe(c, b, len);
	case ETH_P_PPP_:
		set_ethertype(c, type);
		return decode_ppp(c, b, len);
	case ETH_P_TEB_:
		set_ethertype(c, type);
		return decode_ether(c, b, len);
	default:
		set_ethertype(c, type < 1536 ? 0 : type);
		return DECODE_NON_IP;
	}
}

static inline int
is_vlan_type(uint16_t t)
{
	return t == ETH_P_8021Q_ || t == ETH_P_8021AD_ || t == ETH_P_QINQ1_ ||
	       t == ETH_P_QINQ2_;
}

/* Ethernet II / 802.3 with any number (up to 8) of VLAN tags. */
static enum decode_result
decode_ether(struct dctx *c, const uint8_t *b, uint32_t len)
{
	struct pkt *p = c->p;
	uint32_t off = 14;
	uint16_t type, tci;
	int n;

	if (len < 14)
		return DBAD(c, truncated);
	if (c->depth == 0 && !p->has_mac) {
		p->has_mac = 1;
		memcpy(p->dst_mac, b, 6);
		memcpy(p->src_mac, b + 6, 6);
	}
	if (dget16(b, len, 12, &type) != 0)
		return DBAD(c, truncated);
	for (n = 0; is_vlan_type(type); n++) {
		if (n >= DECODE_MAX_VLAN_TAGS) {
			set_ethertype(c, type);
			return DECODE_NON_IP;
		}
		if (dget16(b, len, off, &tci) != 0 ||
		    dget16(b, len, off + 2, &type) != 0)
			return DBAD(c, truncated);
		if (n == 0 && c->depth == 0)
			p->vlan = tci & 0x0fff;
		off += 4;
	}
	return decode_ethertype(c, type, b + off, len - off);
}

/* Linux cooked capture v1 and v2: one link address, then a protocol. */
static enum decode_result
decode_sll(struct dctx *c, const uint8_t *b, uint32_t len, int v2)
{
	uint32_t hlen = v2 ? 20 : 16;
	uint16_t proto, hatype, halen;

	if (len < hlen)
		return DBAD(c, truncated);
	if (v2) {
		if (dget16(b, len, 0, &proto) != 0 ||
		    dget16(b, len, 8, &hatype) != 0)
			return DBAD(c, truncated);
		halen = b[11];
	} else if (dget16(b, len, 2, &hatype) != 0 ||
		   dget16(b, len, 4, &halen) != 0 ||
		   dget16(b, len, 14, &proto) != 0) {
		return DBAD(c, truncated);
	}
	/* the only address is the sender's; it is not a full Ethernet
	 * header, so has_mac stays 0 */
	if (halen == 6)
		memcpy(c->p->src_mac, b + (v2 ? 12 : 6), 6);
	if (hatype == 824) /* ARPHRD_NETLINK */
		return DECODE_NON_IP;
	return decode_ethertype(c, proto, b + hlen, len - hlen);
}

/* BSD loopback: a 4-byte address family in host (NULL) or network
 * (LOOP) byte order; we accept both since files travel between hosts. */
static enum decode_result
decode_null(struct dctx *c, const uint8_t *b, uint32_t len)
{
	uint32_t fam;

	if (len < 4)
		return DBAD(c, truncated);
	fam = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	      (uint32_t)b[3] << 24;
	if (fam > 0xffff && dget32(b, len, 0, &fam) != 0)
		return DBAD(c, truncated);
	switch (fam) {
	case 2:
		return decode_ethertype(c, ETH_P_IP_, b + 4, len - 4);
	case 10: /* Linux */
	case 24: /* NetBSD, OpenBSD */
	case 28: /* FreeBSD */
	case 30: /* Darwin */
		return decode_ethertype(c, ETH_P_IPV6_, b + 4, len - 4);
	default:
		return DECODE_NON_IP;
	}
}

static enum decode_result
decode_raw(struct dctx *c, const uint8_t *b, uint32_t len)
{
	if (len < 1)
		return DBAD(c, truncated);
	if ((b[0] >> 4) == 4)
		return decode_ethertype(c, ETH_P_IP_, b, len);
	if ((b[0] >> 4) == 6)
		return decode_ethertype(c, ETH_P_IPV6_, b, len);
	return DBAD(c, bad_ip);
}

/* Cisco HDLC: address[1] (0x0f unicast, 0x8f broadcast) control[1]
 * ethertype[2]. */
static enum decode_result
decode_chdlc(struct dctx *c, const uint8_t *b, uint32_t len)
{
	uint16_t type;

	if (len < 4 || dget16(b, len, 2, &type) != 0)
		return DBAD(c, truncated);
	return decode_ethertype(c, type, b + 4, len - 4);
}

/* ---- entry points ------------------------------------------------------- */

void
decoder_init(struct decoder *d)
{
	memset(d, 0, sizeof(*d));
	d->decode_tunnels = 1;
}

enum decode_result
capture_decode(struct decoder *d, int dlt, uint64_t ts_us, uint32_t wire_len,
	       const uint8_t *data, uint32_t caplen, struct pkt *out)
{
	struct dctx c;
	enum decode_result r;

	memset(out, 0, sizeof(*out));
	out->ts_us = ts_us;
	out->wire_len = wire_len;
	out->cap_len = caplen;
	if (data == NULL)
		caplen = 0;
	c.d = d;
	c.p = out;
	c.ts_us = ts_us;
	c.depth = 0;

	switch (dlt) {
	case DLT_EN10MB_:
		r = decode_ether(&c, data, caplen);
		break;
	case 113:
		r = decode_sll(&c, data, caplen, 0);
		break;
	case 276:
		r = decode_sll(&c, data, caplen, 1);
		break;
	case 12:
	case 14:
	case 101:
		r = decode_raw(&c, data, caplen);
		break;
	case 228:
		r = decode_ethertype(&c, ETH_P_IP_, data, caplen);
		break;
	case 229:
		r = decode_ethertype(&c, ETH_P_IPV6_, data, caplen);
		break;
	case 0:
	case 108:
		r = decode_null(&c, data, caplen);
		break;
	case 50:
		/* PPP in HDLC-like framing may also carry Cisco HDLC */
		if (caplen >= 1 && (data[0] == 0x0f || data[0] == 0x8f)) {
			r = decode_chdlc(&c, data, caplen);
			break;
		}
		/* fall through */
	case 9:
		r = decode_ppp(&c, data, caplen);
		break;
	case 104:
		r = decode_chdlc(&c, data, caplen);
		break;
	default:
		d->stats.unknown_dlt++;
		return DECODE_BAD;
	}
	if (r == DECODE_NON_IP)
		d->stats.non_ip++;
	else if (r == DECODE_BAD)
		pkt_l3_clear(out); /* no half-decoded L3/L4 fields */
	return r;
}
