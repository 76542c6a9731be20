/*
 * test_decode.c - unit tests of capture/decode.c.
 *
 * Frames are built by hand with a tiny builder (struct fb): each header
 * helper appends its bytes and the *_end() helpers patch length fields
 * once the payload is in place.  Every decode runs on a heap copy of
 * exactly caplen bytes so that an ASan build catches any read past the
 * end.  The last tests read two real captures from the shared corpus
 * (NTOPNG_SHARED, ../shared or /work/shared) and check the values tshark
 * shows for them.  The last one replays the fuzz corpus tests/corpus/decode
 * (byte 0 = index into dlts[], then one frame; tools/make-decode-corpus.py
 * seeds it, crashes found by fuzz/fuzz_decode are added to it), so a gcc
 * (and ASan) build re-checks every input the fuzzer ever tripped on.
 */
#include <dirent.h>
#include <libgen.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "tests/unit/test_shared.h"
#include "capture/decode.h"

/* ---- frame builder ------------------------------------------------------ */

struct fb {
	uint8_t b[2048];
	size_t n;
};

static void
put8(struct fb *f, unsigned v)
{
	assert_true(f->n < sizeof(f->b));
	f->b[f->n++] = (uint8_t)v;
}

static void
put16(struct fb *f, unsigned v)
{
	put8(f, v >> 8);
	put8(f, v & 0xff);
}

static void
put32(struct fb *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void
putn(struct fb *f, const void *p, size_t n)
{
	assert_true(f->n + n <= sizeof(f->b));
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void
putz(struct fb *f, size_t n)
{
	while (n--)
		put8(f, 0);
}

static void
set16(struct fb *f, size_t off, unsigned v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

static const uint8_t MAC_A[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t MAC_B[6] = { 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };

static void
eth(struct fb *f, unsigned type)
{
	putn(f, MAC_B, 6);              /* destination */
	putn(f, MAC_A, 6);              /* source */
	put16(f, type);
}

static void
vlan(struct fb *f, unsigned tci, unsigned type)
{
	put16(f, tci);
	put16(f, type);
}

/* IPv4 header; returns its offset for ip4_end(). */
static size_t
ip4(struct fb *f, unsigned proto, uint32_t src, uint32_t dst, unsigned id,
    unsigned flags_off)
{
	size_t at = f->n;

	put8(f, 0x45);
	put8(f, 0);
	put16(f, 0);                    /* total length, patched */
	put16(f, id);
	put16(f, flags_off);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, src);
	put32(f, dst);
	return at;
}

static void
ip4_end(struct fb *f, size_t at)
{
	set16(f, at + 2, (unsigned)(f->n - at));
}

static void
v6addr(uint8_t a[16], unsigned last)
{
	static const uint8_t pfx[] = { 0x20, 0x01, 0x0d, 0xb8 };

	memset(a, 0, 16);
	memcpy(a, pfx, 4);
	a[15] = (uint8_t)last;
}

static size_t
ip6(struct fb *f, unsigned nh, unsigned src_last, unsigned dst_last)
{
	size_t at = f->n;
	uint8_t a[16];

	put32(f, 0x60000000);
	put16(f, 0);                    /* payload length, patched */
	put8(f, nh);
	put8(f, 64);
	v6addr(a, src_last);
	putn(f, a, 16);
	v6addr(a, dst_last);
	putn(f, a, 16);
	return at;
}

static void
ip6_end(struct fb *f, size_t at)
{
	set16(f, at + 4, (unsigned)(f->n - at - 40));
}

static size_t
udp(struct fb *f, unsigned sport, unsigned dport)
{
	size_t at = f->n;

	put16(f, sport);
	put16(f, dport);
	put16(f, 0);                    /* length, patched */
	put16(f, 0);
	return at;
}

static void
udp_end(struct fb *f, size_t at)
{
	set16(f, at + 4, (unsigned)(f->n - at));
}

static void
tcp(struct fb *f, unsigned sport, unsigned dport, unsigned flags)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, 1000);
	put32(f, 0);
	put8(f, 5 << 4);
	put8(f, flags);
	put16(f, 8192);
	put16(f, 0);
	put16(f, 0);
}

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

/* A standard inner packet: IPv4 10.0.0.1:1234 -> 10.0.0.2:80 TCP SYN
 * with 5 payload bytes. */
static void
inner_tcp4(struct fb *f)
{
	size_t at = ip4(f, 6, IP(10, 0, 0, 1), IP(10, 0, 0, 2), 7, 0x4000);

	tcp(f, 1234, 80, 0x02);
	putn(f, "hello", 5);
	ip4_end(f, at);
}

/* ---- decoding helpers --------------------------------------------------- */

static struct decoder dec;

static int
setup(void **state)
{
	decoder_init(&dec);
	return 0;
}

/* Decodes the first `len` bytes of f from an exact-size heap copy.  The
 * copy stays alive (in *keep) so the test can check pointers into it. */
static enum decode_result
run_len(int dlt, const struct fb *f, size_t len, struct pkt *p,
	uint8_t **keep)
{
	uint8_t *buf = malloc(len ? len : 1);
	enum decode_result r;

	assert_non_null(buf);
	memcpy(buf, f->b, len);
	r = capture_decode(&dec, dlt, 1000000, (uint32_t)len, buf,
			   (uint32_t)len, p);
	if (r == DECODE_IP) {
		assert_true(p->ip_version == 4 || p->ip_version == 6);
		assert_true(p->l3 >= buf && p->l3 + p->l3_len <= buf + len);
		if (p->l4_payload != NULL)
			assert_true(p->l4_payload >= buf &&
				    p->l4_payload + p->l4_payload_len <=
				    buf + len);
	}
	if (keep != NULL)
		*keep = buf;
	else
		free(buf);
	return r;
}

static enum decode_result
run(int dlt, const struct fb *f, struct pkt *p)
{
	return run_len(dlt, f, f->n, p, NULL);
}

static void
assert_v4(const struct ipaddr *a, uint32_t v)
{
	assert_int_equal(a->v, 4);
	assert_int_equal(a->a[0], v >> 24);
	assert_int_equal(a->a[1], (v >> 16) & 0xff);
	assert_int_equal(a->a[2], (v >> 8) & 0xff);
	assert_int_equal(a->a[3], v & 0xff);
}

static void
assert_v6(const struct ipaddr *a, unsigned last)
{
	uint8_t x[16];

	v6addr(x, last);
	assert_int_equal(a->v, 6);
	assert_memory_equal(a->a, x, 16);
}

static void
assert_inner_tcp4(const struct pkt *p)
{
	assert_int_equal(p->ip_version, 4);
	assert_int_equal(p->l4_proto, 6);
	assert_v4(&p->src, IP(10, 0, 0, 1));
	assert_v4(&p->dst, IP(10, 0, 0, 2));
	assert_int_equal(p->sport, 1234);
	assert_int_equal(p->dport, 80);
	assert_int_equal(p->tcp_flags, 0x02);
	assert_int_equal(p->ports_known, 1);
	assert_int_equal(p->l3_len, 45);
	assert_int_equal(p->l4_payload_len, 5);
	assert_memory_equal(p->l4_payload, "hello", 5);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_eth_ipv4_tcp(void **state)
{
	struct fb f = { .n = 0 };
	struct pkt p;
	uint8_t *buf;

	eth(&f, 0x0800);
	inner_tcp4(&f);
	putz(&f, 60 - f.n);             /* Ethernet padding is not payload */
	assert_int_equal(run_len(1, &f, f.n, &p, &buf), DECODE_IP);
	assert_int_equal(p.has_mac, 1);
	assert_memory_equal(p.src_mac, MAC_A, 6);
	assert_memory_equal(p.dst_mac, MAC_B, 6);
	assert_int_equal(p.ethertype, 0x0800);
	assert_int_equal(p.vlan, 0);
	assert_int_equal(p.tunnel, TUN_NONE);
	assert_int_equal(p.is_fragment, 0);
	assert_int_equal(p.cap_len, 60);
	assert_int_equal(p.ts_us, 1000000);
	assert_ptr_equal(p.l3, buf + 14);
	assert_inner_tcp4(&p);
	free(buf);
}

static void
test_vlan_qinq(void **state)
{
	struct fb f = { .n = 0 };
	struct pkt p;

	eth(&f, 0x8100);
	vlan(&f, 0xa064, 0x0800);       /* PCP 5, VLAN 100 */
	inner_tcp4(&f);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.vlan, 100);
	assert_int_equal(p.ethertype, 0x0800);
	assert_inner_tcp4(&p);

	f.n = 0;
	eth(&f, 0x88a8);
	vlan(&f, 200, 0x8100);
	vlan(&f, 300, 0x86dd);
	{
		size_t at = ip6(&f, 17, 1, 2);
		size_t u = udp(&f, 5353, 5353);

		putn(&f, "abc", 3);
		udp_end(&f, u);
		ip6_end(&f, at);
	}
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.vlan, 200);
	assert_int_equal(p.ethertype, 0x86dd);
	assert_int_equal(p.ip_version, 6);
	assert_v6(&p.src, 1);
	assert_v6(&p.dst, 2);
	assert_int_equal(p.sport, 5353);
	assert_int_equal(p.l4_payload_len, 3);
}

static void
test_pppoe(void **state)
{
	struct fb f = { .n = 0 };
	struct pkt p;

	eth(&f, 0x8864);
	put8(&f, 0x11);
	put8(&f, 0x00);
	put16(&f, 0x1234);
	put16(&f, 47);                  /* PPP proto + IP */
	put16(&f, 0x0021);
	inner_tcp4(&f);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.ethertype, 0x0800);
	assert_inner_tcp4(&p);

	/* LCP inside PPPoE: not IP */
	f.b[14 + 6] = 0xc0;
	f.b[14 + 7] = 0x21;
	assert_int_equal(run(1, &f, &p), DECODE_NON_IP);
	assert_int_equal(p.ethertype, 0x8864);
	assert_int_equal(p.ip_version, 0);
}

static void
test_mpls(void **state)
{
	struct fb f = { .n = 0 };
	struct pkt p;

	eth(&f, 0x8847);
	put32(&f, 100u << 12 | 0x40);   /* label 100, S = 0 */
	put32(&f, 200u << 12 | 0x140);  /* label 200, S = 1 */
	inner_tcp4(&f);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.ethertype, 0x0800);
	assert_inner_tcp4(&p);

	/* bottom of stack never reached: truncated */
	f.n = 0;
	eth(&f, 0x8847);
	put32(&f, 100u << 12);
	assert_int_equal(run(1, &f, &p), DECODE_BAD);
	assert_int_equal(dec.stats.truncated, 1);
}

static void
test_ipv6_ext_and_fragments(void **state)
{
	struct fb f = { .n = 0 };
	struct pkt p;
	size_t at, u;

	/* hop-by-hop (8) -> destination options (16) -> TCP */
	eth(&f, 0x86dd);
	at = ip6(&f, 0, 1, 2);
	put8(&f, 60);
	put8(&f, 0);
	putz(&f, 6);
	put8(&f, 6);
	put8(&f, 1);
	putz(&f, 14);
	tcp(&f, 443, 50000, 0x12);
	ip6_end(&f, at);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.l4_proto, 6);
	assert_int_equal(p.sport, 443);
	assert_int_equal(p.dport, 50000);
	assert_int_equal(p.tcp_flags, 0x12);
	assert_int_equal(p.l3_len, 40 + 8 + 16 + 20);
	assert_int_equal(p.l4_payload_len, 0);

	/* first fragment: fragment header -> UDP */
	f.n = 0;
	eth(&f, 0x86dd);
	at = ip6(&f, 44, 1, 2);
	put8(&f, 17);
	put8(&f, 0);
	put16(&f, 0x0001);              /* offset 0, M = 1 */
	put32(&f, 0xdeadbeef);
	u = udp(&f, 53, 40000);
	putz(&f, 24);
	set16(&f, u + 4, 2000);         /* length of the whole datagram */
	ip6_end(&f, at);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.is_fragment, 1);
	assert_int_equal(p.first_fragment, 1);
	assert_int_equal(p.l4_proto, 17);
	assert_int_equal(p.sport, 53);
	assert_int_equal(p.dport, 40000);
	assert_int_equal(p.ports_known, 1);
	assert_int_equal(p.l4_payload_len, 24);

	/* a later fragment of the same datagram inherits the ports */
	f.n = 0;
	eth(&f, 0x86dd);
	at = ip6(&f, 44, 1, 2);
	put8(&f, 17);
	put8(&f, 0);
	put16(&f, 32 << 3);             /* offset 32 * 8, M = 0 */
	put32(&f, 0xdeadbeef);
	putz(&f, 100);
	ip6_end(&f, at);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.is_fragment, 1);
	assert_int_equal(p.first_fragment, 0);
	assert_int_equal(p.l4_proto, 17);
	assert_int_equal(p.sport, 53);
	assert_int_equal(p.dport, 40000);
	assert_int_equal(p.ports_known, 1);
	assert_null(p.l4_payload);
	assert_int_equal(dec.stats.fragments, 2);
	assert_int_equal(dec.stats.frag_orphans, 0);

	/* too many extension headers: bad IP */
	f.n = 0;
	eth(&f, 0x86dd);
	at = ip6(&f, 60, 1, 2);
	for (int i = 0; i < 40; i++) {
		put8(&f, 60);
		put8(&f, 0);
		putz(&f, 6);
	}
	ip6_end(&f, at);
	assert_int_equal(run(1, &f, &p), DECODE_BAD);
	assert_int_equal(dec.stats.bad_ip, 1);
}

static void
test_ipv4_fragments(void **state)
{
	struct fb f = { .n = 0 };
	struct pkt p;
	size_t at, u;

	eth(&f, 0x0800);
	at = ip4(&f, 17, IP(192, 0, 2, 1), IP(192, 0, 2, 2), 0x4242, 0x2000);
	u = udp(&f, 1000, 53);
	putz(&f, 32);
	set16(&f, u + 4, 3000);
	ip4_end(&f, at);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.is_fragment, 1);
	assert_int_equal(p.first_fragment, 1);
	assert_int_equal(p.sport, 1000);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.ports_known, 1);

	/* later fragment: offset 185 (1480 bytes), more fragments */
	f.n = 0;
	eth(&f, 0x0800);
	at = ip4(&f, 17, IP(192, 0, 2, 1), IP(192, 0, 2, 2), 0x4242,
		 0x2000 | 185);
	putz(&f, 64);
	ip4_end(&f, at);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.is_fragment, 1);
	assert_int_equal(p.first_fragment, 0);
	assert_int_equal(p.l4_proto, 17);
	assert_int_equal(p.sport, 1000);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.ports_known, 1);
	assert_null(p.l4_payload);
	assert_int_equal(p.l3_len, 84);

	/* last fragment of another datagram whose first we never saw */
	f.n = 0;
	eth(&f, 0x0800);
	at = ip4(&f, 17, IP(192, 0, 2, 1), IP(192, 0, 2, 2), 0x4343, 370);
	putz(&f, 64);
	ip4_end(&f, at);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.is_fragment, 1);
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.dport, 0);
	assert_int_equal(p.ports_known, 0);
	assert_null(p.l4_payload);
	assert_int_equal(dec.stats.fragments, 3);
	assert_int_equal(dec.stats.frag_orphans, 1);

	/* the same id between other hosts is not a match either */
	f.n = 0;
	eth(&f, 0x0800);
	at = ip4(&f, 17, IP(192, 0, 2, 9), IP(192, 0, 2, 2), 0x4242, 370);
	putz(&f, 64);
	ip4_end(&f, at);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.ports_known, 0);
	assert_int_equal(dec.stats.frag_orphans, 2);
}

static void
test_gre(void **state)
{
	struct fb f = { .n = 0 };
	struct pkt p;
	size_t at;

	/* GRE v0 with checksum and key bits, IPv4 inside */
	eth(&f, 0x0800);
	at = ip4(&f, 47, IP(198, 51, 100, 1), IP(198, 51, 100, 2), 1, 0);
	put16(&f, 0xa000);
	put16(&f, 0x0800);
	put32(&f, 0);                   /* checksum + reserved */
	put32(&f, 77);                  /* key */
	inner_tcp4(&f);
	ip4_end(&f, at);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.tunnel, TUN_GRE);
	assert_int_equal(p.ethertype, 0x0800);
	assert_memory_equal(p.src_mac, MAC_A, 6);
	assert_inner_tcp4(&p);
	assert_int_equal(dec.stats.tunnels, 1);

	/* GRE v1 (PPTP) with sequence and ack, PPP FF 03 0021 */
	f.n = 0;
	eth(&f, 0x0800);
	at = ip4(&f, 47, IP(198, 51, 100, 1), IP(198, 51, 100, 2), 1, 0);
	put16(&f, 0x3081);
	put16(&f, 0x880b);
	put16(&f, 49);
	put16(&f, 9);
	put32(&f, 1);
	put32(&f, 2);
	put16(&f, 0xff03);
	put16(&f, 0x0021);
	inner_tcp4(&f);
	ip4_end(&f, at);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.tunnel, TUN_GRE);
	assert_inner_tcp4(&p);

	/* transparent Ethernet bridging */
	f.n = 0;
	eth(&f, 0x0800);
	at = ip4(&f, 47, IP(198, 51, 100, 1), IP(198, 51, 100, 2), 1, 0);
	put16(&f, 0);
	put16(&f, 0x6558);
	putn(&f, MAC_B, 6);
	putn(&f, MAC_B, 6);             /* inner MACs are not reported */
	put16(&f, 0x0800);
	inner_tcp4(&f);
	ip4_end(&f, at);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.tunnel, TUN_GRE);
	assert_memory_equal(p.src_mac, MAC_A, 6);
	assert_inner_tcp4(&p);
}

static void
build_vxlan(struct fb *f)
{
	size_t at, u;

	f->n = 0;
	eth(f, 0x8100);
	vlan(f, 5, 0x0800);
	at = ip4(f, 17, IP(192, 168, 22, 4), IP(192, 168, 22, 5), 1, 0);
	u = udp(f, 40000, 4789);
	put32(f, 0x08000000);
	put32(f, 0x00100000);           /* VNI 4096 */
	putn(f, MAC_B, 6);
	putn(f, MAC_B, 6);
	put16(f, 0x8100);
	vlan(f, 7, 0x0800);
	inner_tcp4(f);
	udp_end(f, u);
	ip4_end(f, at);
}

static void
test_vxlan(void **state)
{
	struct fb f;
	struct pkt p;

	build_vxlan(&f);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.tunnel, TUN_VXLAN);
	assert_int_equal(p.vlan, 5);            /* outer tag, not inner 7 */
	assert_memory_equal(p.src_mac, MAC_A, 6);
	assert_memory_equal(p.dst_mac, MAC_B, 6);
	assert_inner_tcp4(&p);

	/* with tunnel decoding off the outer UDP packet is reported */
	dec.decode_tunnels = 0;
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.tunnel, TUN_NONE);
	assert_int_equal(p.l4_proto, 17);
	assert_int_equal(p.dport, 4789);
	assert_v4(&p.src, IP(192, 168, 22, 4));
	assert_int_equal(dec.stats.tunnels, 1);
}

static void
build_gtpu(struct fb *f)
{
	size_t at, u, g, i6, iu;

	f->n = 0;
	eth(f, 0x0800);
	at = ip4(f, 17, IP(172, 16, 0, 1), IP(172, 16, 0, 2), 1, 0);
	u = udp(f, 2152, 2152);
	g = f->n;
	put8(f, 0x36);                  /* v1, PT, E, S */
	put8(f, 0xff);
	put16(f, 0);
	put32(f, 0x11223344);
	put16(f, 9);                    /* sequence */
	put8(f, 0);
	put8(f, 0x85);                  /* next: PDU session container */
	put8(f, 1);                     /* 4 bytes */
	put8(f, 0x10);
	put8(f, 0x05);
	put8(f, 0);                     /* no more extensions */
	i6 = ip6(f, 17, 0x31, 0x32);
	iu = udp(f, 4000, 5000);
	putn(f, "rtp!", 4);
	udp_end(f, iu);
	ip6_end(f, i6);
	set16(f, g + 2, (unsigned)(f->n - g - 8));
	udp_end(f, u);
	ip4_end(f, at);
}

static void
test_gtpu(void **state)
{
	struct fb f;
	struct pkt p;

	build_gtpu(&f);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.tunnel, TUN_GTPU);
	assert_int_equal(p.ethertype, 0x0800);  /* the outer L3 */
	assert_int_equal(p.ip_version, 6);
	assert_v6(&p.src, 0x31);
	assert_v6(&p.dst, 0x32);
	assert_int_equal(p.l4_proto, 17);
	assert_int_equal(p.sport, 4000);
	assert_int_equal(p.dport, 5000);
	assert_int_equal(p.l4_payload_len, 4);

	/* a malformed inner packet: the outer GTP flow is reported and the
	 * frame is not counted as bad */
	f.b[14 + 20 + 8 + 16] = 0x70;   /* inner version 7 */
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.tunnel, TUN_NONE);
	assert_int_equal(p.ip_version, 4);
	assert_int_equal(p.sport, 2152);
	assert_v4(&p.src, IP(172, 16, 0, 1));
	assert_int_equal(dec.stats.bad_ip, 0);
	assert_int_equal(dec.stats.tunnels, 1);
}

static void
test_ipip_and_depth(void **state)
{
	struct fb f = { .n = 0 };
	struct pkt p;
	size_t at[8], i6;
	int i;

	/* 6in4 */
	eth(&f, 0x0800);
	at[0] = ip4(&f, 41, IP(203, 0, 113, 1), IP(203, 0, 113, 2), 1, 0);
	i6 = ip6(&f, 58, 1, 2);
	put8(&f, 128);                  /* echo request */
	put8(&f, 0);
	putz(&f, 10);
	ip6_end(&f, i6);
	ip4_end(&f, at[0]);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.tunnel, TUN_IPIP);
	assert_int_equal(p.ip_version, 6);
	assert_int_equal(p.l4_proto, 58);
	assert_int_equal(p.icmp_type, 128);
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.ports_known, 1);

	/* six IPv4 headers: 5 tunnels, one more than we follow */
	f.n = 0;
	eth(&f, 0x0800);
	for (i = 0; i < 6; i++)
		at[i] = ip4(&f, i < 5 ? 4 : 17, IP(10, 9, 0, i),
			    IP(10, 9, 1, i), 1, 0);
	udp(&f, 1, 2);
	set16(&f, f.n - 4, 8);
	for (i = 5; i >= 0; i--)
		ip4_end(&f, at[i]);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(dec.stats.too_deep, 1);
	assert_int_equal(p.tunnel, TUN_IPIP);
	/* the fifth header (depth 4) is reported, carrying proto 4 */
	assert_v4(&p.src, IP(10, 9, 0, 4));
	assert_int_equal(p.l4_proto, 4);
}

static void
test_teredo(void **state)
{
	struct fb f = { .n = 0 };
	struct pkt p;
	size_t at, u, i6;

	eth(&f, 0x0800);
	at = ip4(&f, 17, IP(65, 54, 227, 120), IP(192, 168, 1, 5), 1, 0);
	u = udp(&f, 3544, 51000);
	put16(&f, 0x0000);              /* origin indication */
	put16(&f, 0xffff);
	put32(&f, 0xffffffff);
	i6 = ip6(&f, 59, 0x41, 0x42);   /* bubble: no next header */
	ip6_end(&f, i6);
	udp_end(&f, u);
	ip4_end(&f, at);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.tunnel, TUN_TEREDO);
	assert_int_equal(p.ip_version, 6);
	assert_v6(&p.src, 0x41);
	assert_int_equal(p.l4_proto, 59);
}

static void
test_capwap(void **state)
{
	struct fb f = { .n = 0 };
	struct pkt p;
	size_t at, u;

	eth(&f, 0x0800);
	at = ip4(&f, 17, IP(192, 168, 10, 10), IP(192, 168, 10, 9), 1, 0);
	u = udp(&f, 12380, 5247);
	put32(&f, 0x00104300);          /* HLEN 2 (8 bytes), WBID 1, T */
	put32(&f, 0);
	put16(&f, 0x0801);              /* data frame, ToDS */
	put16(&f, 0);
	putn(&f, MAC_A, 6);
	putn(&f, MAC_B, 6);
	putn(&f, MAC_A, 6);
	put16(&f, 0);
	put32(&f, 0xaaaa0300);
	put32(&f, 0x00000800);
	inner_tcp4(&f);
	udp_end(&f, u);
	ip4_end(&f, at);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.tunnel, TUN_CAPWAP);
	assert_inner_tcp4(&p);
}

static void
test_link_types(void **state)
{
	struct fb f = { .n = 0 };
	struct pkt p;

	/* Linux SLL */
	put16(&f, 0);
	put16(&f, 1);
	put16(&f, 6);
	putn(&f, MAC_A, 6);
	put16(&f, 0);
	put16(&f, 0x0800);
	inner_tcp4(&f);
	assert_int_equal(run(113, &f, &p), DECODE_IP);
	assert_int_equal(p.ethertype, 0x0800);
	assert_memory_equal(p.src_mac, MAC_A, 6);
	assert_inner_tcp4(&p);

	/* Linux SLL2 */
	f.n = 0;
	put16(&f, 0x0800);
	put16(&f, 0);
	put32(&f, 3);
	put16(&f, 1);
	put8(&f, 4);
	put8(&f, 6);
	putn(&f, MAC_A, 6);
	put16(&f, 0);
	inner_tcp4(&f);
	assert_int_equal(run(276, &f, &p), DECODE_IP);
	assert_inner_tcp4(&p);

	/* raw IP under every raw link type */
	f.n = 0;
	inner_tcp4(&f);
	assert_int_equal(run(12, &f, &p), DECODE_IP);
	assert_inner_tcp4(&p);
	assert_int_equal(run(101, &f, &p), DECODE_IP);
	assert_inner_tcp4(&p);
	assert_int_equal(run(228, &f, &p), DECODE_IP);
	assert_inner_tcp4(&p);
	assert_int_equal(run(229, &f, &p), DECODE_BAD);  /* not IPv6 */
	assert_int_equal(dec.stats.bad_ip, 1);

	/* BSD loopback: family 2 in both byte orders */
	f.n = 0;
	put32(&f, 0x02000000);          /* little-endian 2 */
	inner_tcp4(&f);
	assert_int_equal(run(0, &f, &p), DECODE_IP);
	assert_inner_tcp4(&p);
	set16(&f, 0, 0);
	set16(&f, 2, 2);                /* network order 2 */
	assert_int_equal(run(108, &f, &p), DECODE_IP);
	assert_inner_tcp4(&p);

	/* PPP with and without address/control, Cisco HDLC */
	f.n = 0;
	put16(&f, 0x0021);
	inner_tcp4(&f);
	assert_int_equal(run(9, &f, &p), DECODE_IP);
	assert_inner_tcp4(&p);
	f.n = 0;
	put16(&f, 0xff03);
	put16(&f, 0x0021);
	inner_tcp4(&f);
	assert_int_equal(run(50, &f, &p), DECODE_IP);
	assert_inner_tcp4(&p);
	f.n = 0;
	put16(&f, 0x0f00);
	put16(&f, 0x0800);
	inner_tcp4(&f);
	assert_int_equal(run(104, &f, &p), DECODE_IP);
	assert_inner_tcp4(&p);

	assert_int_equal(run(147, &f, &p), DECODE_BAD);
	assert_int_equal(dec.stats.unknown_dlt, 1);
}

static void
test_non_ip(void **state)
{
	struct fb f = { .n = 0 };
	struct pkt p;

	eth(&f, 0x0806);
	put16(&f, 1);
	put16(&f, 0x0800);
	put8(&f, 6);
	put8(&f, 4);
	put16(&f, 1);
	putz(&f, 20);
	assert_int_equal(run(1, &f, &p), DECODE_NON_IP);
	assert_int_equal(p.ethertype, 0x0806);
	assert_int_equal(p.has_mac, 1);
	assert_memory_equal(p.src_mac, MAC_A, 6);
	assert_int_equal(p.ip_version, 0);
	assert_int_equal(dec.stats.non_ip, 1);

	/* 802.3 length + LLC (spanning tree) */
	f.n = 0;
	eth(&f, 38);
	put32(&f, 0x42420300);
	putz(&f, 34);
	assert_int_equal(run(1, &f, &p), DECODE_NON_IP);
	assert_int_equal(p.ethertype, 0);
	assert_int_equal(dec.stats.non_ip, 2);
}

static void
test_malformed(void **state)
{
	struct fb f = { .n = 0 };
	struct pkt p;
	size_t at;

	eth(&f, 0x0800);
	inner_tcp4(&f);
	f.b[14] = 0x55;                 /* version 5 */
	assert_int_equal(run(1, &f, &p), DECODE_BAD);
	f.b[14] = 0x44;                 /* IHL 4 */
	assert_int_equal(run(1, &f, &p), DECODE_BAD);
	f.b[14] = 0x45;
	set16(&f, 16, 19);              /* total length < header */
	assert_int_equal(run(1, &f, &p), DECODE_BAD);
	assert_int_equal(dec.stats.bad_ip, 3);

	/* total length larger than captured: still fine */
	set16(&f, 16, 1400);
	assert_int_equal(run(1, &f, &p), DECODE_IP);
	assert_int_equal(p.l3_len, 45);
	set16(&f, 16, 45);

	f.b[14 + 20 + 12] = 0x40;       /* TCP data offset 4 */
	assert_int_equal(run(1, &f, &p), DECODE_BAD);
	assert_int_equal(dec.stats.bad_l4, 1);

	/* UDP datagram of 4 bytes */
	f.n = 0;
	eth(&f, 0x0800);
	at = ip4(&f, 17, 1, 2, 3, 0);
	put32(&f, 0x00350035);
	ip4_end(&f, at);
	assert_int_equal(run(1, &f, &p), DECODE_BAD);
	assert_int_equal(dec.stats.bad_l4, 2);
	assert_int_equal(dec.stats.truncated, 0);
}

static uint64_t
bad_causes(void)
{
	return dec.stats.truncated + dec.stats.bad_ip + dec.stats.bad_l4 +
	       dec.stats.unknown_dlt;
}

/* Every prefix of a sample frame decodes without reading past the end
 * (ASan), and each DECODE_BAD bumps exactly one cause counter while any
 * other result bumps none.  `full` (if >= 0) is the whole frame's result. */
static void
check_prefixes(int dlt, const struct fb *f, int full)
{
	struct pkt p;
	enum decode_result r;
	uint64_t before;
	size_t len;

	for (len = 0; len <= f->n; len++) {
		before = bad_causes();
		r = run_len(dlt, f, len, &p, NULL);
		assert_true(r == DECODE_IP || r == DECODE_NON_IP ||
			    r == DECODE_BAD);
		assert_int_equal(bad_causes() - before, r == DECODE_BAD);
		if (r != DECODE_IP)
			assert_null(p.l3);
	}
	if (full >= 0)
		assert_int_equal(run(dlt, f, &p), full);
}

static void
test_truncated_everywhere(void **state)
{
	struct fb f = { .n = 0 };
	struct pkt p;
	uint64_t bad0;

	eth(&f, 0x0800);
	inner_tcp4(&f);
	bad0 = dec.stats.truncated;
	check_prefixes(1, &f, DECODE_IP);
	/* every cut inside the 54 header bytes is "truncated" */
	assert_int_equal(dec.stats.truncated - bad0, 54);
	assert_int_equal(run_len(1, &f, 13, &p, NULL), DECODE_BAD);

	build_vxlan(&f);
	check_prefixes(1, &f, DECODE_IP);
	/* cut inside the inner frame: the outer UDP flow is reported */
	assert_int_equal(run_len(1, &f, f.n - 10, &p, NULL), DECODE_IP);
	assert_int_equal(p.tunnel, TUN_NONE);
	assert_int_equal(p.dport, 4789);

	build_gtpu(&f);
	check_prefixes(1, &f, DECODE_IP);

	f.n = 0;
	eth(&f, 0x8100);
	vlan(&f, 1, 0x8864);
	put32(&f, 0x11000001);
	put16(&f, 47);
	put16(&f, 0x0021);
	inner_tcp4(&f);
	check_prefixes(1, &f, DECODE_IP);

	f.n = 0;
	put16(&f, 0);
	put16(&f, 1);
	put16(&f, 6);
	putz(&f, 8);
	put16(&f, 0x86dd);
	{
		size_t at = ip6(&f, 44, 1, 2);

		put8(&f, 6);
		put8(&f, 0);
		put16(&f, 1);
		put32(&f, 5);
		tcp(&f, 1, 2, 0x10);
		ip6_end(&f, at);
	}
	check_prefixes(113, &f, DECODE_IP);
	/* the same bytes read as SLL2 are nonsense but must be safe */
	check_prefixes(276, &f, -1);
}

/* ---- real captures ------------------------------------------------------ */


/* Decodes packet number `nth` (1-based) of a capture file. */
static enum decode_result
decode_file_pkt(const char *path, int nth, struct pkt *p, int *dlt)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	enum decode_result r = DECODE_BAD;
	pcap_t *pc;
	int i;

	pc = pcap_open_offline(path, err);
	assert_non_null(pc);
	*dlt = pcap_datalink(pc);
	for (i = 1; pcap_next_ex(pc, &h, &data) == 1; i++) {
		if (i == nth) {
			r = capture_decode(&dec, *dlt,
					   (uint64_t)h->ts.tv_sec * 1000000 +
					   (uint64_t)h->ts.tv_usec, h->len,
					   data, h->caplen, p);
			/* data is freed by pcap_close() */
			p->l3 = NULL;
			p->l4_payload = NULL;
			break;
		}
	}
	pcap_close(pc);
	return r;
}

static void
test_pcap_dlt_ppp(void **state)
{
	char path[512];
	struct pkt p;
	int dlt;

	if (shared_path(path, sizeof(path), "dlt_ppp.pcap") != 0)
		skip();
	assert_int_equal(decode_file_pkt(path, 1, &p, &dlt), DECODE_IP);
	assert_int_equal(dlt, 9);
	assert_int_equal(p.ip_version, 4);
	assert_v4(&p.src, IP(193, 167, 0, 252));
	assert_v4(&p.dst, IP(193, 167, 100, 100));
	assert_int_equal(p.l4_proto, 17);
	assert_int_equal(p.sport, 44083);
	assert_int_equal(p.dport, 443);
	assert_int_equal(p.l3_len, 1228);
	assert_int_equal(p.l4_payload_len, 1200);
	assert_int_equal(p.has_mac, 0);
}

static void
test_pcap_bgp_chdlc_mpls(void **state)
{
	char path[512];
	struct pkt p;
	int dlt;

	if (shared_path(path, sizeof(path), "BGP_redist.pcap") != 0)
		skip();
	/* frame 1: C-HDLC, MPLS label 18, IPv4, TCP PSH+ACK */
	assert_int_equal(decode_file_pkt(path, 1, &p, &dlt), DECODE_IP);
	assert_int_equal(dlt, 104);
	assert_int_equal(p.ethertype, 0x0800);
	assert_v4(&p.src, IP(2, 2, 2, 2));
	assert_v4(&p.dst, IP(4, 4, 4, 4));
	assert_int_equal(p.l4_proto, 6);
	assert_int_equal(p.sport, 179);
	assert_int_equal(p.dport, 63535);
	assert_int_equal(p.tcp_flags, 0x18);
	assert_int_equal(p.l3_len, 155);
	assert_int_equal(p.l4_payload_len, 115);
	/* frame 2: C-HDLC, IPv4 directly */
	assert_int_equal(decode_file_pkt(path, 2, &p, &dlt), DECODE_IP);
	assert_v4(&p.src, IP(2, 2, 2, 2));
	assert_v4(&p.dst, IP(5, 5, 5, 5));
	assert_int_equal(p.sport, 179);
	assert_int_equal(p.dport, 49433);
	assert_int_equal(p.l4_payload_len, 115);
}


/* ---- fuzz corpus replay ------------------------------------------------- */

/* Must be the table of fuzz/fuzz_decode.c: byte 0 of an input indexes it. */
static const int corpus_dlts[] = { 1, 0, 9, 12, 50, 101, 104, 108, 113, 228,
				   229, 276 };

/* tests/corpus/decode of the source tree: $NTOPNG_SRC (tests/run.sh sets
 * it), else found from this file's own path as the compiler saw it. */
static int
corpus_dir(char *buf, size_t len)
{
	const char *env = getenv("NTOPNG_SRC");
	char here[512];
	struct stat st;

	if (env != NULL && env[0] != '\0') {
		snprintf(buf, len, "%s/tests/corpus/decode", env);
		if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
	}
	snprintf(here, sizeof(here), "%s", __FILE__);
	/* .../tests/unit/test_decode.c -> .../tests */
	snprintf(buf, len, "%s/../corpus/decode", dirname(here));
	if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return -1;
}

static void
test_corpus_replay(void **state)
{
	char dir[600], path[900];
	struct dirent *e;
	int files = 0, ip = 0;
	DIR *d;

	(void)state;
	if (corpus_dir(dir, sizeof(dir)) != 0)
		skip();
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		uint8_t *buf, *frame;
		struct pkt p;
		FILE *f;
		long n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		buf = malloc(65537);
		assert_non_null(buf);
		n = (long)fread(buf, 1, 65537, f);
		fclose(f);
		if (n < 1 || n > 65536) {
			free(buf);
			continue;   /* the fuzz target ignores these too */
		}
		/* exactly the frame's size, so ASan sees any over-read */
		frame = malloc((size_t)(n - 1 ? n - 1 : 1));
		assert_non_null(frame);
		memcpy(frame, buf + 1, (size_t)(n - 1));
		if (capture_decode(&dec, corpus_dlts[buf[0] % (sizeof(corpus_dlts) /
					       sizeof(corpus_dlts[0]))],
				   1700000000000000ULL, (uint32_t)(n - 1), frame,
				   (uint32_t)(n - 1), &p) == DECODE_IP)
			ip++;
		free(frame);
		free(buf);
		files++;
	}
	closedir(d);
	print_message("replayed %d corpus inputs from %s, %d decoded as IP\n",
		      files, dir, ip);
	/* the seeds are real frames: most of them are IP */
	assert_true(files >= 40);
	assert_true(ip * 2 >= files);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_eth_ipv4_tcp, setup),
		cmocka_unit_test_setup(test_vlan_qinq, setup),
		cmocka_unit_test_setup(test_pppoe, setup),
		cmocka_unit_test_setup(test_mpls, setup),
		cmocka_unit_test_setup(test_ipv6_ext_and_fragments, setup),
		cmocka_unit_test_setup(test_ipv4_fragments, setup),
		cmocka_unit_test_setup(test_gre, setup),
		cmocka_unit_test_setup(test_vxlan, setup),
		cmocka_unit_test_setup(test_gtpu, setup),
		cmocka_unit_test_setup(test_ipip_and_depth, setup),
		cmocka_unit_test_setup(test_teredo, setup),
		cmocka_unit_test_setup(test_capwap, setup),
		cmocka_unit_test_setup(test_link_types, setup),
		cmocka_unit_test_setup(test_non_ip, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_truncated_everywhere, setup),
		cmocka_unit_test_setup(test_pcap_dlt_ppp, setup),
		cmocka_unit_test_setup(test_pcap_bgp_chdlc_mpls, setup),
		cmocka_unit_test_setup(test_corpus_replay, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
