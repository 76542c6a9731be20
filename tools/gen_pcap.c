/*
 * gen_pcap.c - ntopng-gen-pcap, a deterministic traffic generator.
 *
 * Writes a classic pcap file (LINKTYPE_ETHERNET, microsecond timestamps)
 * full of plausible sessions for the demo and the benchmark.  It uses libc
 * only, so it builds everywhere the project builds.
 *
 * How it works.  A table of -f session slots is kept; each slot holds one
 * live session (DNS, HTTP, TLS, gQUIC, ICMP echo, ICMPv6 echo, IPv6
 * neighbour discovery, ARP) as a small state machine.  For every output
 * packet a slot is drawn at random from a seeded xorshift64* generator, the
 * session in it emits its next packet, and a finished session is replaced
 * by a fresh one.  So the file interleaves -f concurrent flows, and the
 * same seed always gives the same bytes.  The clock starts at -t and moves
 * by a random gap whose mean is 1/rate for each packet.
 *
 * Hosts.  Clients are 192.168.1.2-254 (dual stack with fd00::/64) plus
 * IPv6-only clients in fd00::/64; the gateway is 192.168.1.1 / fd00::1.
 * Servers come from 198.51.100.0/24, 203.0.113.0/24, then 198.18.0.0/15
 * (the benchmarking range) and 2001:db8::/32, one pair per server index,
 * with a skewed popularity.  The pools grow with -f so that a large file
 * has tens of thousands of hosts.  A fifth of the sessions is tagged with
 * 802.1Q VLAN 10 or 20; a quarter of DNS/HTTP/TLS/QUIC runs over IPv6.
 *
 * Wire formats written here, byte by byte:
 *  pcap file header (24): magic a1b2c3d4, version 2.4, zone 0, sigfigs 0,
 *    snaplen 65535, linktype 1; record header (16): ts_sec, ts_usec,
 *    incl_len, orig_len, all in host order (the magic tells the order).
 *  Ethernet (14): dst mac, src mac, ethertype; 802.1Q adds 4 bytes (TPID
 *    0x8100, TCI with the VLAN id) before the ethertype.  Frames are padded
 *    to 60 bytes.
 *  IPv4 (20, RFC 791) with header checksum; IPv6 (40, RFC 8200).
 *  TCP (20, or 32 on SYNs with MSS/NOP/WS/NOP/NOP/SACK-permitted), UDP (8),
 *    ICMP (8), ICMPv6 (4 + body); all with pseudo-header checksums.
 *  DNS (RFC 1035): 12-byte header, question, answer with a 0xc00c pointer.
 *  TLS 1.2 (RFC 5246): record 16 03 01 len, ClientHello 01 len24, version,
 *    random, session id, suites, compression, extensions (server_name,
 *    extended_master_secret, renegotiation_info, supported_groups,
 *    ec_point_formats, session_ticket, ALPN, signature_algorithms); the
 *    server answers an abbreviated handshake (ServerHello with the same
 *    session id, ChangeCipherSpec, encrypted Finished) so no certificate is
 *    needed; then application_data records (type 0x17).
 *  gQUIC Q046 client Initial: 0xc3, "Q046", 0x50 (DCID len 8, SCID len 0),
 *    DCID(8), packet number(4), FNV-1a-128 message hash (12), STREAM frame
 *    0xa0, stream id 1, data length(2, big endian), then the CHLO message:
 *    "CHLO", tag count (2, LE), 2 zero bytes, (tag, end offset LE32) pairs
 *    sorted by tag, values; a PAD tag brings the datagram to 1350 bytes.
 *  ARP (RFC 826) for IPv4 over Ethernet; ICMPv6 NS/NA (RFC 4861) with the
 *    source/target link-layer address option.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MAX 1600
#define SNAPLEN 65535
#define MSS4 1460
#define MSS6 1440
#define POOL_SIZE 65536		/* random and text payload pools */
#define QUIC_DGRAM 1350

enum sess_kind {
	K_DNS, K_HTTP, K_TLS, K_QUIC, K_ICMP, K_ICMP6, K_ND, K_ARP, K_MAX
};

static const char *const kind_names[K_MAX] = {
	"dns", "http", "tls", "quic", "icmp", "icmp6", "nd", "arp"
};

/* Out of 1000 new sessions. */
static const unsigned kind_weight[K_MAX] = {
	330, 190, 300, 100, 35, 20, 15, 10
};

/* TCP session phases (HTTP and TLS share the skeleton). */
enum tcp_phase {
	P_SYN, P_SYNACK, P_ACK, P_HELLO_C, P_HELLO_S, P_FIN_C, P_REQ, P_RESP,
	P_RESP_ACK, P_FIN1, P_FIN2, P_FIN3
};

struct session {
	uint8_t kind;
	uint8_t v6;
	uint8_t phase;
	uint8_t rounds;		/* requests / echo pairs still to do */
	uint16_t vlan;		/* 0 = untagged */
	uint16_t cport, sport;
	uint16_t id;		/* DNS id, ICMP id, ... */
	uint16_t seq;		/* ICMP sequence, QUIC packet number */
	uint32_t client;	/* client index (v4 or v6 pool) */
	uint32_t server;	/* server index or peer client index */
	uint32_t name;		/* index into the name table or synthetic */
	uint32_t cseq, sseq;	/* next TCP sequence number of each side */
	uint32_t remain;	/* response bytes still to send */
	uint32_t body;		/* HTTP body length of the current response */
	uint8_t sid[8];		/* TLS session id seed / QUIC connection id */
};

struct gen {
	FILE *out;
	uint64_t rng;
	uint64_t ts_us;
	uint64_t gap_mean_us2;	/* twice the mean gap, in 1/16 us */
	uint32_t nflows;
	uint32_t nclients6;
	uint32_t nservers;
	uint64_t packets, bytes;
	uint64_t started[K_MAX];
	uint8_t frame[FRAME_MAX];
	size_t l2len;		/* bytes of Ethernet (+VLAN) header */
	size_t l3hdr;		/* bytes of IP header */
	int v6;
	uint8_t proto;
	uint8_t rnd_pool[POOL_SIZE];
	char txt_pool[POOL_SIZE];
	struct session *slots;
	int realtime;                /* -R: write at the pace of the timestamps */
	uint64_t rt_mono0_us;        /* monotonic clock at the first packet */
	uint64_t rt_ts0_us;          /* its timestamp */
};

static const uint8_t router_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };

/* Names the sessions ask for: DNS questions, Host headers, TLS/QUIC SNIs. */
static const char *const names[] = {
	"www.example.com", "www.example.net", "www.example.org",
	"api.example.com", "cdn.example.net", "static.example.org",
	"mail.example.com", "images.example.net", "news.example.org",
	"shop.example.com", "login.example.net", "docs.example.org",
	"www.google.com", "www.youtube.com", "i.ytimg.com",
	"fonts.gstatic.com", "mail.google.com", "www.wikipedia.org",
	"github.com", "www.facebook.com", "www.amazon.com",
	"www.netflix.com", "www.apple.com", "www.debian.org",
	"deb.debian.org", "www.bbc.co.uk", "www.linkedin.com",
	"twitter.com", "www.microsoft.com", "www.dropbox.com",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))
/* QUIC sessions only use the Google names, as gQUIC was Google's. */
#define QUIC_NAME_FIRST 12
#define QUIC_NAME_COUNT 5

static const char *const http_paths[] = {
	"/", "/index.html", "/news/latest.html", "/about.html",
	"/static/app.js", "/api/v1/items", "/downloads/file.bin",
	"/search?q=ntop", "/images/banner.html", "/feed/rss.html",
};
#define NPATHS (sizeof(http_paths) / sizeof(http_paths[0]))

static const char *const user_agents[] = {
	"Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 "
	"Firefox/115.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	"(KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36",
	"curl/7.88.1",
	"Debian APT-HTTP/1.3 (2.6.1)",
};
#define NUAS (sizeof(user_agents) / sizeof(user_agents[0]))

/* ------------------------------------------------------------------ */
/* PRNG */

static uint64_t
rng_next(struct gen *g)
{
	uint64_t x = g->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	g->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, n); n > 0. */
static uint32_t
rng_below(struct gen *g, uint32_t n)
{
	return (uint32_t)(((rng_next(g) >> 32) * (uint64_t)n) >> 32);
}

static void
rng_fill(struct gen *g, uint8_t *p, size_t len)
{
	while (len >= 8) {
		uint64_t v = rng_next(g);

		memcpy(p, &v, 8);
		p += 8;
		len -= 8;
	}
	if (len > 0) {
		uint64_t v = rng_next(g);

		memcpy(p, &v, len);
	}
}

/* ------------------------------------------------------------------ */
/* byte helpers; all writers work inside g->frame whose size is checked
 * by the callers against FRAME_MAX before they write */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	while (len >= 2) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ------------------------------------------------------------------ */
/* hosts */

static void
client_mac(uint32_t i, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x42;
	mac[2] = (uint8_t)(i >> 24);
	mac[3] = (uint8_t)(i >> 16);
	mac[4] = (uint8_t)(i >> 8);
	mac[5] = (uint8_t)(i + 1);
}

/* v4 client i in [0, 253): 192.168.1.2 .. 192.168.1.254 */
static void
client_v4(uint32_t i, uint8_t ip[4])
{
	ip[0] = 192;
	ip[1] = 168;
	ip[2] = 1;
	ip[3] = (uint8_t)(2 + i);
}

/* v6 client: fd00::/64 with an EUI-64 style interface id from its MAC. */
static void
client_v6(uint32_t i, uint8_t ip[16])
{
	uint8_t mac[6];

	client_mac(i, mac);
	memset(ip, 0, 16);
	ip[0] = 0xfd;
	ip[8] = mac[0] ^ 0x02;
	ip[9] = mac[1];
	ip[10] = mac[2];
	ip[11] = 0xff;
	ip[12] = 0xfe;
	ip[13] = mac[3];
	ip[14] = mac[4];
	ip[15] = mac[5];
}

static void
gateway_v6(uint8_t ip[16])
{
	memset(ip, 0, 16);
	ip[0] = 0xfd;
	ip[15] = 1;
}

static void
server_v4(uint32_t j, uint8_t ip[4])
{
	if (j < 254) {
		ip[0] = 198; ip[1] = 51; ip[2] = 100; ip[3] = (uint8_t)(1 + j);
	} else if (j < 508) {
		ip[0] = 203; ip[1] = 0; ip[2] = 113; ip[3] = (uint8_t)(j - 253);
	} else {
		/* 198.18.0.0/15 minus .0 and .255 of each /24 */
		uint32_t k = (j - 508) % (512 * 254);

		ip[0] = 198;
		ip[1] = (uint8_t)(18 + k / (256 * 254));
		ip[2] = (uint8_t)((k / 254) % 256);
		ip[3] = (uint8_t)(1 + k % 254);
	}
}

static void
server_v6(uint32_t j, uint8_t ip[16])
{
	memset(ip, 0, 16);
	ip[0] = 0x20; ip[1] = 0x01; ip[2] = 0x0d; ip[3] = 0xb8;
	ip[4] = (uint8_t)(j >> 24);
	ip[5] = (uint8_t)(j >> 16);
	ip[6] = (uint8_t)(j >> 8);
	ip[7] = (uint8_t)j;
	ip[15] = (uint8_t)(1 + (j % 250));
}

/* ------------------------------------------------------------------ */
/* output */

static void
gen_die(const char *what)
{
	/* the reader of a live feed went away: that is the end of it */
	if (errno == EPIPE)
		exit(0);
	fprintf(stderr, "ntopng-gen-pcap: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
pcap_write_header(struct gen *g)
{
	/* magic, version 2.4, thiszone, sigfigs, snaplen, linktype */
	uint32_t magic = 0xa1b2c3d4, zero = 0, snap = SNAPLEN, link = 1;
	uint16_t major = 2, minor = 4;
	uint8_t h[24];

	memcpy(h, &magic, 4);
	memcpy(h + 4, &major, 2);
	memcpy(h + 6, &minor, 2);
	memcpy(h + 8, &zero, 4);
	memcpy(h + 12, &zero, 4);
	memcpy(h + 16, &snap, 4);
	memcpy(h + 20, &link, 4);
	if (fwrite(h, sizeof(h), 1, g->out) != 1)
		gen_die("write");
}

static void
gen_tick(struct gen *g)
{
	/* uniform gap in [0, 2*mean) (in 1/16 us), at least 1 us */
	uint64_t gap = rng_below(g, (uint32_t)g->gap_mean_us2) / 16 + 1;

	g->ts_us += gap;
}

static uint64_t
mono_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

/* -R: waits until the wall clock reaches the next packet's timestamp,
 * handing the reader what is buffered before sleeping (a live feed
 * through a pipe or FIFO). */
static void
rt_pace(struct gen *g)
{
	uint64_t now = mono_us(), due;

	if (g->rt_mono0_us == 0) {
		g->rt_mono0_us = now;
		g->rt_ts0_us = g->ts_us;
	}
	due = g->rt_mono0_us + (g->ts_us - g->rt_ts0_us);
	if (due > now + 2000) {
		if (fflush(g->out) != 0)
			gen_die("write");
		usleep((useconds_t)(due - now));
	}
}

static void
frame_write(struct gen *g, size_t len)
{
	uint32_t rec[4];

	if (len < 60) {
		memset(g->frame + len, 0, 60 - len);
		len = 60;
	}
	if (g->realtime)
		rt_pace(g);
	rec[0] = (uint32_t)(g->ts_us / 1000000);
	rec[1] = (uint32_t)(g->ts_us % 1000000);
	rec[2] = (uint32_t)len;
	rec[3] = (uint32_t)len;
	if (fwrite(rec, sizeof(rec), 1, g->out) != 1 ||
	    fwrite(g->frame, len, 1, g->out) != 1)
		gen_die("write");
	g->packets++;
	g->bytes += len;
}

static size_t
frame_l2(struct gen *g, const uint8_t *dst, const uint8_t *src,
	 uint16_t vlan, uint16_t ethertype)
{
	uint8_t *f = g->frame;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	if (vlan) {
		put16(f + 12, 0x8100);
		put16(f + 14, vlan);	/* PCP 0, DEI 0 */
		put16(f + 16, ethertype);
		g->l2len = 18;
	} else {
		put16(f + 12, ethertype);
		g->l2len = 14;
	}
	return g->l2len;
}

/*
 * Starts an IP packet of session s; dir 0 = client to server.  Returns the
 * L4 start; the caller writes at most l4_max() bytes there, then calls
 * frame_ip_finish().
 */
static uint8_t *
frame_ip_begin(struct gen *g, const struct session *s, int dir, uint8_t proto)
{
	uint8_t cmac[6], csrc[16], sdst[16];
	const uint8_t *smac, *dmac, *sip, *dip;
	uint8_t *ip;
	int v6 = s->v6;

	client_mac(s->client, cmac);
	if (v6) {
		client_v6(s->client, csrc);
		server_v6(s->server, sdst);
	} else {
		client_v4(s->client, csrc);
		server_v4(s->server, sdst);
	}
	if (dir == 0) {
		smac = cmac; dmac = router_mac; sip = csrc; dip = sdst;
	} else {
		smac = router_mac; dmac = cmac; sip = sdst; dip = csrc;
	}
	frame_l2(g, dmac, smac, s->vlan, v6 ? 0x86dd : 0x0800);
	ip = g->frame + g->l2len;
	g->v6 = v6;
	g->proto = proto;
	if (v6) {
		put32(ip, 0x60000000);
		ip[6] = proto;
		ip[7] = dir == 0 ? 64 : 54;
		memcpy(ip + 8, sip, 16);
		memcpy(ip + 24, dip, 16);
		g->l3hdr = 40;
	} else {
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 4, (uint16_t)rng_next(g));
		put16(ip + 6, proto == 6 ? 0x4000 : 0);	/* DF on TCP */
		ip[8] = dir == 0 ? 64 : 52;
		ip[9] = proto;
		memcpy(ip + 12, sip, 4);
		memcpy(ip + 16, dip, 4);
		g->l3hdr = 20;
	}
	return ip + g->l3hdr;
}

static size_t
l4_max(const struct gen *g)
{
	return FRAME_MAX - g->l2len - g->l3hdr;
}

/* Fills lengths and checksums of the packet begun above and writes it. */
static void
frame_ip_finish(struct gen *g, size_t l4len)
{
	uint8_t *ip = g->frame + g->l2len;
	uint8_t *l4 = ip + g->l3hdr;
	uint32_t sum;
	size_t ck;

	if (l4len > l4_max(g)) {
		fprintf(stderr, "ntopng-gen-pcap: internal: frame too big\n");
		exit(1);
	}
	if (g->v6) {
		put16(ip + 4, (uint16_t)l4len);
		sum = csum_add(0, ip + 8, 32);
	} else {
		put16(ip + 2, (uint16_t)(20 + l4len));
		ip[10] = ip[11] = 0;
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		sum = csum_add(0, ip + 12, 8);
	}
	switch (g->proto) {
	case 6: ck = 16; break;
	case 17: ck = 6; put16(l4 + 4, (uint16_t)l4len); break;
	default: ck = 2; break;	/* ICMP, ICMPv6 */
	}
	l4[ck] = l4[ck + 1] = 0;
	if (g->proto == 1) {
		sum = 0;	/* ICMPv4 has no pseudo header */
	} else {
		sum += (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff);
		sum += g->proto;
	}
	sum = csum_add(sum, l4, l4len);
	put16(l4 + ck, csum_fold(sum) ? csum_fold(sum) :
	      (g->proto == 17 ? 0xffff : 0));
	frame_write(g, g->l2len + g->l3hdr + l4len);
}

/* ------------------------------------------------------------------ */
/* sessions: helpers */

static const char *
sess_name(const struct session *s, char *buf, size_t len)
{
	if (s->name < NNAMES)
		return names[s->name];
	snprintf(buf, len, "s%u.cdn.example.net", s->name - (uint32_t)NNAMES);
	return buf;
}

/* Server index with a skewed popularity; 0..3 are the DNS resolvers. */
static uint32_t
pick_server(struct gen *g)
{
	uint32_t n = g->nservers - 4;
	uint32_t r = rng_below(g, n);

	if (rng_below(g, 2))
		r = rng_below(g, r + 1);
	return 4 + r;
}

static size_t
tcp_hdr(uint8_t *t, const struct session *s, int dir, uint8_t flags,
	int syn_opts)
{
	put16(t, dir == 0 ? s->cport : s->sport);
	put16(t + 2, dir == 0 ? s->sport : s->cport);
	put32(t + 4, dir == 0 ? s->cseq : s->sseq);
	put32(t + 8, (flags & 0x10) ? (dir == 0 ? s->sseq : s->cseq) : 0);
	t[12] = (uint8_t)((syn_opts ? 8 : 5) << 4);
	t[13] = flags;
	put16(t + 14, dir == 0 ? 64240 : 65160);
	t[16] = t[17] = t[18] = t[19] = 0;
	if (!syn_opts)
		return 20;
	/* MSS, NOP, window scale 7, NOP, NOP, SACK permitted */
	t[20] = 2; t[21] = 4;
	put16(t + 22, s->v6 ? MSS6 : MSS4);
	t[24] = 1; t[25] = 3; t[26] = 3; t[27] = 7;
	t[28] = 1; t[29] = 1; t[30] = 4; t[31] = 2;
	return 32;
}

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_PSH 0x08
#define TH_ACK 0x10

/* Emits a TCP segment with payload pl (may be NULL when plen is 0). */
static void
tcp_emit(struct gen *g, struct session *s, int dir, uint8_t flags,
	 const uint8_t *pl, size_t plen)
{
	uint8_t *t = frame_ip_begin(g, s, dir, 6);
	size_t hl = tcp_hdr(t, s, dir, flags, (flags & TH_SYN) != 0);
	/* SYN and FIN take one sequence number each */
	uint32_t adv = (uint32_t)plen + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0);

	if (hl + plen > l4_max(g)) {
		fprintf(stderr, "ntopng-gen-pcap: internal: segment too big\n");
		exit(1);
	}
	if (plen)
		memcpy(t + hl, pl, plen);
	frame_ip_finish(g, hl + plen);
	if (dir == 0)
		s->cseq += adv;
	else
		s->sseq += adv;
}

static size_t
seg_max(const struct session *s)
{
	return s->v6 ? MSS6 : MSS4;
}

/* ------------------------------------------------------------------ */
/* DNS */

/* Encodes a dotted name as DNS labels; returns bytes written or 0. */
static size_t
dns_name_put(uint8_t *p, size_t cap, const char *name)
{
	size_t n = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		if (l == 0 || l > 63 || n + 1 + l + 1 > cap)
			return 0;
		p[n++] = (uint8_t)l;
		memcpy(p + n, name, l);
		n += l;
		name += l;
		if (*name == '.')
			name++;
	}
	p[n++] = 0;
	return n;
}

static int
sess_dns_step(struct gen *g, struct session *s)
{
	char nb[64];
	const char *name = sess_name(s, nb, sizeof(nb));
	int dir = s->phase;
	uint8_t *u = frame_ip_begin(g, s, dir, 17);
	uint8_t *d = u + 8;
	uint16_t qtype = s->v6 || (s->id & 3) == 0 ? 28 : 1;
	size_t n, qn;

	put16(u, dir == 0 ? s->cport : 53);
	put16(u + 2, dir == 0 ? 53 : s->cport);
	put16(d, s->id);
	put16(d + 2, dir == 0 ? 0x0100 : 0x8180);
	put16(d + 4, 1);
	put16(d + 6, dir == 0 ? 0 : 1);
	put16(d + 8, 0);
	put16(d + 10, 0);
	qn = dns_name_put(d + 12, 256, name);
	if (qn == 0) {
		fprintf(stderr, "ntopng-gen-pcap: internal: bad name\n");
		exit(1);
	}
	n = 12 + qn;
	put16(d + n, qtype);
	put16(d + n + 2, 1);
	n += 4;
	if (dir == 1) {
		uint32_t srv = 4 + (s->name * 2654435761u) % (g->nservers - 4);

		put16(d + n, 0xc00c);
		put16(d + n + 2, qtype);
		put16(d + n + 4, 1);
		put32(d + n + 6, 300);
		if (qtype == 28) {
			put16(d + n + 10, 16);
			server_v6(srv, d + n + 12);
			n += 28;
		} else {
			put16(d + n + 10, 4);
			server_v4(srv, d + n + 12);
			n += 16;
		}
	}
	frame_ip_finish(g, 8 + n);
	s->phase++;
	return s->phase >= 2;
}

/* ------------------------------------------------------------------ */
/* HTTP and TLS share the TCP skeleton; they differ in P_HELLO_* and in
 * what a request and a response carry. */

static size_t
http_request(struct gen *g, struct session *s, uint8_t *buf, size_t cap)
{
	char nb[64];
	int n;

	n = snprintf((char *)buf, cap,
		     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
		     "Accept: */*\r\nAccept-Encoding: identity\r\n"
		     "Connection: keep-alive\r\n\r\n",
		     http_paths[s->id % NPATHS], sess_name(s, nb, sizeof(nb)),
		     user_agents[s->client % NUAS]);
	(void)g;
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}

static size_t
http_response_head(struct gen *g, struct session *s, uint8_t *buf,
		   size_t cap)
{
	char date[64];
	time_t t = (time_t)(g->ts_us / 1000000);
	struct tm tm;
	int n;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	n = snprintf((char *)buf, cap,
		     "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n"
		     "Date: %s\r\nContent-Type: text/html; charset=utf-8\r\n"
		     "Content-Length: %u\r\nConnection: keep-alive\r\n\r\n",
		     date, s->body);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}

static size_t
tls_client_hello(struct gen *g, struct session *s, uint8_t *b, size_t cap)
{
	static const uint16_t suites[] = {
		0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
		0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
	};
	static const uint8_t fixed_ext[] = {
		0x00, 0x17, 0x00, 0x00,			/* ext. master secret */
		0xff, 0x01, 0x00, 0x01, 0x00,		/* renegotiation_info */
		0x00, 0x0a, 0x00, 0x08, 0x00, 0x06,	/* supported_groups */
		0x00, 0x1d, 0x00, 0x17, 0x00, 0x18,
		0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,	/* ec_point_formats */
		0x00, 0x23, 0x00, 0x00,			/* session_ticket */
		0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c,	/* ALPN */
		0x02, 'h', '2',
		0x08, 'h', 't', 't', 'p', '/', '1', '.', '1',
		0x00, 0x0d, 0x00, 0x12, 0x00, 0x10,	/* signature_algs */
		0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03,
		0x08, 0x05, 0x05, 0x01, 0x08, 0x06, 0x06, 0x01,
	};
	char nb[64];
	const char *name = sess_name(s, nb, sizeof(nb));
	size_t nl = strlen(name), n = 0, ext_at, hs_at, i;

	if (nl > 200 || 5 + 4 + 2 + 32 + 33 + 2 + sizeof(suites) + 2 + 2 +
	    9 + nl + sizeof(fixed_ext) > cap)
		return 0;
	b[n++] = 0x16;
	put16(b + n, 0x0301);
	n += 4;			/* record length patched below */
	hs_at = n;
	b[n++] = 0x01;
	n += 3;			/* handshake length patched below */
	put16(b + n, 0x0303);
	n += 2;
	rng_fill(g, b + n, 32);
	n += 32;
	b[n++] = 32;
	/* the session id is derived from s->sid so the server can echo it */
	for (i = 0; i < 32; i++)
		b[n + i] = (uint8_t)(s->sid[i % 8] + i * 31);
	n += 32;
	put16(b + n, (uint16_t)sizeof(suites));
	n += 2;
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++, n += 2)
		put16(b + n, suites[i]);
	b[n++] = 1;
	b[n++] = 0;
	ext_at = n;
	n += 2;
	/* server_name: type 0, len, list len, name type 0, name len, name */
	put16(b + n, 0x0000);
	put16(b + n + 2, (uint16_t)(nl + 5));
	put16(b + n + 4, (uint16_t)(nl + 3));
	b[n + 6] = 0;
	put16(b + n + 7, (uint16_t)nl);
	memcpy(b + n + 9, name, nl);
	n += 9 + nl;
	memcpy(b + n, fixed_ext, sizeof(fixed_ext));
	n += sizeof(fixed_ext);
	put16(b + ext_at, (uint16_t)(n - ext_at - 2));
	put24(b + hs_at + 1, (uint32_t)(n - hs_at - 4));
	put16(b + 3, (uint16_t)(n - 5));
	return n;
}

/* ServerHello + ChangeCipherSpec + encrypted Finished (resumption). */
static size_t
tls_server_hello(struct gen *g, struct session *s, uint8_t *b, size_t cap)
{
	static const uint8_t ext[] = {
		0xff, 0x01, 0x00, 0x01, 0x00,
		0x00, 0x17, 0x00, 0x00,
		0x00, 0x10, 0x00, 0x0b, 0x00, 0x09,
		0x08, 'h', 't', 't', 'p', '/', '1', '.', '1',
	};
	size_t n = 0, i;

	if (cap < 200)
		return 0;
	b[n++] = 0x16;
	put16(b + n, 0x0303);
	put16(b + n + 2, (uint16_t)(4 + 2 + 32 + 33 + 3 + 2 + sizeof(ext)));
	n += 4;
	b[n++] = 0x02;
	put24(b + n, (uint32_t)(2 + 32 + 33 + 3 + 2 + sizeof(ext)));
	n += 3;
	put16(b + n, 0x0303);
	n += 2;
	rng_fill(g, b + n, 32);
	n += 32;
	b[n++] = 32;
	for (i = 0; i < 32; i++)
		b[n + i] = (uint8_t)(s->sid[i % 8] + i * 31);
	n += 32;
	put16(b + n, 0xc02f);
	b[n + 2] = 0;
	n += 3;
	put16(b + n, (uint16_t)sizeof(ext));
	n += 2;
	memcpy(b + n, ext, sizeof(ext));
	n += sizeof(ext);
	/* ChangeCipherSpec */
	b[n] = 0x14; put16(b + n + 1, 0x0303); put16(b + n + 3, 1); b[n + 5] = 1;
	n += 6;
	/* Finished, encrypted: 40 opaque bytes */
	b[n] = 0x16; put16(b + n + 1, 0x0303); put16(b + n + 3, 40);
	rng_fill(g, b + n + 5, 40);
	n += 45;
	return n;
}

static size_t
tls_client_finished(struct gen *g, uint8_t *b)
{
	b[0] = 0x14; put16(b + 1, 0x0303); put16(b + 3, 1); b[5] = 1;
	b[6] = 0x16; put16(b + 7, 0x0303); put16(b + 9, 40);
	rng_fill(g, b + 11, 40);
	return 51;
}

/* One application_data record of total size len (>= 6) from the pool. */
static void
tls_app_record(struct gen *g, uint8_t *b, size_t len)
{
	b[0] = 0x17;
	put16(b + 1, 0x0303);
	put16(b + 3, (uint16_t)(len - 5));
	memcpy(b + 5, g->rnd_pool + rng_below(g, POOL_SIZE - 1600), len - 5);
}

static int
sess_tcp_step(struct gen *g, struct session *s)
{
	uint8_t buf[FRAME_MAX];
	size_t n, seg;
	int tls = s->kind == K_TLS;

	switch (s->phase) {
	case P_SYN:
		tcp_emit(g, s, 0, TH_SYN, NULL, 0);
		s->phase = P_SYNACK;
		return 0;
	case P_SYNACK:
		tcp_emit(g, s, 1, TH_SYN | TH_ACK, NULL, 0);
		s->phase = P_ACK;
		return 0;
	case P_ACK:
		tcp_emit(g, s, 0, TH_ACK, NULL, 0);
		s->phase = tls ? P_HELLO_C : P_REQ;
		return 0;
	case P_HELLO_C:
		n = tls_client_hello(g, s, buf, sizeof(buf));
		tcp_emit(g, s, 0, TH_PSH | TH_ACK, buf, n);
		s->phase = P_HELLO_S;
		return 0;
	case P_HELLO_S:
		n = tls_server_hello(g, s, buf, sizeof(buf));
		tcp_emit(g, s, 1, TH_PSH | TH_ACK, buf, n);
		s->phase = P_FIN_C;
		return 0;
	case P_FIN_C:
		n = tls_client_finished(g, buf);
		tcp_emit(g, s, 0, TH_PSH | TH_ACK, buf, n);
		s->phase = P_REQ;
		return 0;
	case P_REQ:
		if (tls) {
			n = 80 + rng_below(g, 500);
			tls_app_record(g, buf, n);
			s->remain = 100 + rng_below(g, 2) *
				rng_below(g, 4000);
		} else {
			s->id = (uint16_t)rng_next(g);
			n = http_request(g, s, buf, sizeof(buf));
			s->body = 100 + rng_below(g, 3) / 2 *
				rng_below(g, 6000) + rng_below(g, 1000);
			s->remain = 0;
		}
		tcp_emit(g, s, 0, TH_PSH | TH_ACK, buf, n);
		s->phase = P_RESP;
		return 0;
	case P_RESP:
		seg = seg_max(s);
		if (tls) {
			n = s->remain + 5 < seg ? s->remain + 5 : seg;
			if (n < 6)
				n = 6;
			tls_app_record(g, buf, n);
			s->remain = s->remain > n - 5 ? s->remain - (uint32_t)(n - 5) : 0;
		} else {
			size_t hl = 0, take;

			if (s->remain == 0) {
				/* first segment: headers, then the body */
				hl = http_response_head(g, s, buf, sizeof(buf));
				s->remain = s->body;
			}
			take = seg - hl < s->remain ? seg - hl : s->remain;
			memcpy(buf + hl, g->txt_pool + (s->body - s->remain) %
			       (POOL_SIZE - 1600), take);
			s->remain -= (uint32_t)take;
			n = hl + take;
			if (s->remain == 0)
				s->body = 0;	/* marks "done" below */
		}
		tcp_emit(g, s, 1, TH_PSH | TH_ACK, buf, n);
		if (tls ? s->remain == 0 : s->body == 0)
			s->phase = P_RESP_ACK;
		return 0;
	case P_RESP_ACK:
		tcp_emit(g, s, 0, TH_ACK, NULL, 0);
		if (s->rounds > 1) {
			s->rounds--;
			s->phase = P_REQ;
		} else {
			s->phase = P_FIN1;
		}
		return 0;
	case P_FIN1:
		tcp_emit(g, s, 0, TH_FIN | TH_ACK, NULL, 0);
		s->phase = P_FIN2;
		return 0;
	case P_FIN2:
		tcp_emit(g, s, 1, TH_FIN | TH_ACK, NULL, 0);
		s->phase = P_FIN3;
		return 0;
	default:
		tcp_emit(g, s, 0, TH_ACK, NULL, 0);
		return 1;
	}
}

/* ------------------------------------------------------------------ */
/* gQUIC Q046 */

/* FNV-1a 128-bit, as gQUIC uses for the hash of unencrypted packets. */
static unsigned __int128
fnv1a128(unsigned __int128 h, const uint8_t *p, size_t len)
{
	const unsigned __int128 prime =
		((unsigned __int128)1 << 88) | 0x13b;

	while (len--) {
		h ^= *p++;
		h *= prime;
	}
	return h;
}

static size_t
quic_chlo(struct gen *g, struct session *s, uint8_t *b, size_t total)
{
	/* tags in ascending order of their little-endian value */
	static const char *const tags[] = {
		"PAD", "SNI", "VER", "CCS", "UAID", "PDMD", "ICSL", "MIDS",
		"CFCW",
	};
	enum { NTAGS = 9 };
	static const char ua[] = "Chrome/119.0.6045.105 Linux x86_64";
	char nb[64];
	const char *name = sess_name(s, nb, sizeof(nb));
	size_t nl = strlen(name), hdr = 8 + 8 * NTAGS, vals, pad, off, i;
	uint32_t end[NTAGS];
	size_t len[NTAGS];

	vals = nl + 4 + 16 + (sizeof(ua) - 1) + 4 + 4 + 4 + 4;
	if (hdr + vals + 1 > total)
		return 0;
	pad = total - hdr - vals;
	len[0] = pad; len[1] = nl; len[2] = 4; len[3] = 16;
	len[4] = sizeof(ua) - 1; len[5] = 4; len[6] = 4; len[7] = 4;
	len[8] = 4;
	memcpy(b, "CHLO", 4);
	b[4] = NTAGS; b[5] = 0; b[6] = 0; b[7] = 0;
	off = 0;
	for (i = 0; i < NTAGS; i++) {
		uint8_t *t = b + 8 + 8 * i;

		memset(t, 0, 4);
		memcpy(t, tags[i], strlen(tags[i]));
		off += len[i];
		end[i] = (uint32_t)off;
		put32le(t + 4, end[i]);
	}
	off = hdr;
	memset(b + off, '-', pad);	/* Chrome pads with '-' */
	off += pad;
	memcpy(b + off, name, nl);
	off += nl;
	memcpy(b + off, "Q046", 4);
	off += 4;
	/* CCS: FNV-1a 64 hashes of the common certificate sets */
	put32le(b + off, 0x9e2fa07c); put32le(b + off + 4, 0xe88fd70d);
	put32le(b + off + 8, 0x7b5a6f18); put32le(b + off + 12, 0xfb2a0d51);
	off += 16;
	memcpy(b + off, ua, sizeof(ua) - 1);
	off += sizeof(ua) - 1;
	memcpy(b + off, "X509", 4);
	off += 4;
	put32le(b + off, 30);
	put32le(b + off + 4, 100);
	put32le(b + off + 8, 15728640);
	off += 12;
	(void)g;
	return off;
}

static int
sess_quic_step(struct gen *g, struct session *s)
{
	uint8_t *u, *q;
	size_t n;
	int dir;

	if (s->phase == 0) {
		unsigned __int128 h = ((unsigned __int128)0x6c62272e07bb0142ULL
				       << 64) | 0x62b821756295c58dULL;
		uint64_t lo;
		uint32_t mid;

		u = frame_ip_begin(g, s, 0, 17);
		put16(u, s->cport);
		put16(u + 2, 443);
		q = u + 8;
		q[0] = 0xc3;
		memcpy(q + 1, "Q046", 4);
		q[5] = 0x50;
		memcpy(q + 6, s->sid, 8);
		put32(q + 14, 1);
		q[30] = 0xa0;
		q[31] = 0x01;
		n = quic_chlo(g, s, q + 34, QUIC_DGRAM - 34);
		if (n == 0) {
			fprintf(stderr, "ntopng-gen-pcap: internal: chlo\n");
			exit(1);
		}
		put16(q + 32, (uint16_t)n);
		/* hash over the public header then the plaintext frames */
		h = fnv1a128(h, q, 18);
		h = fnv1a128(h, q + 30, 4 + n);
		lo = (uint64_t)h;
		mid = (uint32_t)(h >> 64);
		for (int i = 0; i < 8; i++)
			q[18 + i] = (uint8_t)(lo >> (8 * i));
		put32le(q + 26, mid);
		frame_ip_finish(g, 8 + 34 + n);
		s->phase = 1;
		s->seq = 2;
		return 0;
	}
	/* then encrypted short-header packets, alternating mostly s->c */
	dir = s->phase == 1 ? 1 : (rng_below(g, 3) == 0 ? 0 : 1);
	u = frame_ip_begin(g, s, dir, 17);
	put16(u, dir == 0 ? s->cport : 443);
	put16(u + 2, dir == 0 ? 443 : s->cport);
	q = u + 8;
	n = dir == 1 ? 1350 - rng_below(g, 3) / 2 * rng_below(g, 1300) :
		40 + rng_below(g, 60);
	/* short header: flags 0x43 (4-byte packet number); the client
	 * also sends the 8-byte connection id */
	q[0] = 0x43;
	if (dir == 0) {
		memcpy(q + 1, s->sid, 8);
		put32(q + 9, s->seq);
		memcpy(q + 13, g->rnd_pool + rng_below(g, POOL_SIZE - 1600),
		       n - 13);
	} else {
		put32(q + 1, s->seq);
		memcpy(q + 5, g->rnd_pool + rng_below(g, POOL_SIZE - 1600),
		       n - 5);
	}
	frame_ip_finish(g, 8 + n);
	s->seq++;
	s->phase = 2;
	if (s->rounds-- <= 1)
		return 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* ICMP echo (v4 and v6) */

static int
sess_echo_step(struct gen *g, struct session *s)
{
	int dir = s->phase & 1;
	int v6 = s->kind == K_ICMP6;
	uint8_t *c = frame_ip_begin(g, s, dir, v6 ? 58 : 1);
	uint64_t sent = g->ts_us - (dir ? 15000 : 0);
	size_t i;

	c[0] = v6 ? (dir ? 129 : 128) : (dir ? 0 : 8);
	c[1] = 0;
	put16(c + 4, s->id);
	put16(c + 6, s->seq);
	/* Linux ping: 16-byte timeval then 0x10, 0x11, ... up to 56 bytes */
	put32le(c + 8, (uint32_t)(sent / 1000000));
	put32le(c + 12, 0);
	put32le(c + 16, (uint32_t)(sent % 1000000));
	put32le(c + 20, 0);
	for (i = 16; i < 56; i++)
		c[8 + i] = (uint8_t)i;
	frame_ip_finish(g, 64);
	s->phase++;
	if (dir == 1) {
		s->seq++;
		if (s->rounds-- <= 1)
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* IPv6 neighbour solicitation / advertisement between two local hosts */

static int
sess_nd_step(struct gen *g, struct session *s)
{
	uint8_t smac[6], tmac[6], sip[16], tip[16], dip[16], dmac[6];
	uint8_t *ip, *c;
	int dir = s->phase;

	client_mac(s->client, smac);
	client_v6(s->client, sip);
	if (s->server == UINT32_MAX) {
		memcpy(tmac, router_mac, 6);
		gateway_v6(tip);
	} else {
		client_mac(s->server, tmac);
		client_v6(s->server, tip);
	}
	if (dir == 0) {
		/* solicited-node multicast ff02::1:ffXX:XXXX */
		memset(dip, 0, 16);
		dip[0] = 0xff; dip[1] = 0x02; dip[11] = 0x01; dip[12] = 0xff;
		memcpy(dip + 13, tip + 13, 3);
		dmac[0] = 0x33; dmac[1] = 0x33;
		memcpy(dmac + 2, dip + 12, 4);
		frame_l2(g, dmac, smac, s->vlan, 0x86dd);
	} else {
		frame_l2(g, smac, tmac, s->vlan, 0x86dd);
	}
	ip = g->frame + g->l2len;
	put32(ip, 0x60000000);
	ip[6] = 58;
	ip[7] = 255;
	memcpy(ip + 8, dir == 0 ? sip : tip, 16);
	memcpy(ip + 24, dir == 0 ? dip : sip, 16);
	g->v6 = 1;
	g->proto = 58;
	g->l3hdr = 40;
	c = ip + 40;
	c[0] = dir == 0 ? 135 : 136;
	c[1] = 0;
	put32(c + 4, dir == 0 ? 0 : 0x60000000);	/* Solicited|Override */
	memcpy(c + 8, tip, 16);
	c[24] = dir == 0 ? 1 : 2;	/* source / target link-layer addr */
	c[25] = 1;
	memcpy(c + 26, dir == 0 ? smac : tmac, 6);
	frame_ip_finish(g, 32);
	s->phase++;
	return s->phase >= 2;
}

/* ------------------------------------------------------------------ */
/* ARP who-has / is-at */

static int
sess_arp_step(struct gen *g, struct session *s)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t smac[6], tmac[6], sip[4], tip[4];
	uint8_t *a;
	int dir = s->phase;

	client_mac(s->client, smac);
	client_v4(s->client, sip);
	if (s->server == UINT32_MAX) {
		memcpy(tmac, router_mac, 6);
		tip[0] = 192; tip[1] = 168; tip[2] = 1; tip[3] = 1;
	} else {
		client_mac(s->server, tmac);
		client_v4(s->server, tip);
	}
	frame_l2(g, dir == 0 ? bcast : smac, dir == 0 ? smac : tmac, s->vlan,
		 0x0806);
	a = g->frame + g->l2len;
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, dir == 0 ? 1 : 2);
	if (dir == 0) {
		memcpy(a + 8, smac, 6);
		memcpy(a + 14, sip, 4);
		memset(a + 18, 0, 6);
		memcpy(a + 24, tip, 4);
	} else {
		memcpy(a + 8, tmac, 6);
		memcpy(a + 14, tip, 4);
		memcpy(a + 18, smac, 6);
		memcpy(a + 24, sip, 4);
	}
	frame_write(g, g->l2len + 28);
	s->phase++;
	return s->phase >= 2;
}

/* ------------------------------------------------------------------ */
/* session table */

static void
sess_new(struct gen *g, struct session *s)
{
	uint32_t r = rng_below(g, 1000), acc = 0;
	unsigned k;

	memset(s, 0, sizeof(*s));
	for (k = 0; k < K_MAX - 1; k++) {
		acc += kind_weight[k];
		if (r < acc)
			break;
	}
	s->kind = (uint8_t)k;
	g->started[k]++;
	if (rng_below(g, 5) == 0)
		s->vlan = rng_below(g, 2) ? 10 : 20;
	switch (k) {
	case K_ICMP6:
	case K_ND:
		s->v6 = 1;
		break;
	case K_ICMP:
	case K_ARP:
		s->v6 = 0;
		break;
	default:
		s->v6 = rng_below(g, 4) == 0;
		break;
	}
	s->client = s->v6 ? rng_below(g, g->nclients6) : rng_below(g, 253);
	s->server = pick_server(g);
	s->cport = (uint16_t)(32768 + rng_below(g, 28232));
	s->id = (uint16_t)rng_next(g);
	s->cseq = (uint32_t)rng_next(g);
	s->sseq = (uint32_t)rng_next(g);
	rng_fill(g, s->sid, sizeof(s->sid));
	s->name = rng_below(g, 4) == 0 ?
		(uint32_t)NNAMES + rng_below(g, g->nservers) :
		rng_below(g, NNAMES);
	switch (k) {
	case K_DNS:
		s->server = rng_below(g, 4);
		s->sport = 53;
		break;
	case K_HTTP:
		s->sport = 80;
		s->rounds = (uint8_t)(1 + rng_below(g, 2) * rng_below(g, 4));
		break;
	case K_TLS:
		s->sport = 443;
		s->rounds = (uint8_t)(1 + rng_below(g, 12));
		break;
	case K_QUIC:
		s->sport = 443;
		s->name = QUIC_NAME_FIRST + rng_below(g, QUIC_NAME_COUNT);
		s->rounds = (uint8_t)(4 + rng_below(g, 30));
		break;
	case K_ICMP:
	case K_ICMP6:
		s->rounds = (uint8_t)(1 + rng_below(g, 4));
		s->seq = 1;
		break;
	default:		/* ND, ARP: ask for the gateway or a neighbour */
		if (rng_below(g, 2)) {
			s->server = UINT32_MAX;
		} else {
			uint32_t n = k == K_ND ? g->nclients6 : 253;

			s->server = rng_below(g, n);
			if (s->server == s->client)
				s->server = (s->server + 1) % n;
		}
		break;
	}
}

static int
sess_step(struct gen *g, struct session *s)
{
	switch (s->kind) {
	case K_DNS: return sess_dns_step(g, s);
	case K_HTTP:
	case K_TLS: return sess_tcp_step(g, s);
	case K_QUIC: return sess_quic_step(g, s);
	case K_ICMP:
	case K_ICMP6: return sess_echo_step(g, s);
	case K_ND: return sess_nd_step(g, s);
	default: return sess_arp_step(g, s);
	}
}

/* ------------------------------------------------------------------ */

static void
pools_init(struct gen *g)
{
	static const char *const words[] = {
		"network", "traffic", "flow", "host", "packet", "monitor",
		"interface", "protocol", "latency", "throughput", "the", "of",
		"and", "a", "to", "in", "is", "for", "on", "with",
	};
	static const char head[] = "<!DOCTYPE html>\n<html><head><title>"
		"Example</title></head><body>\n";
	size_t n = 0;

	rng_fill(g, g->rnd_pool, POOL_SIZE);
	memcpy(g->txt_pool, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	while (n < POOL_SIZE) {
		const char *w = words[rng_below(g, 20)];
		size_t l = strlen(w);
		int line_end = rng_below(g, 12) == 0;

		if (n + l + 1 > POOL_SIZE)
			break;
		memcpy(g->txt_pool + n, w, l);
		n += l;
		g->txt_pool[n++] = line_end ? '\n' : ' ';
	}
	memset(g->txt_pool + n, ' ', POOL_SIZE - n);
}

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s == '-' || *s == '\0')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: ntopng-gen-pcap -o out.pcap [-n packets] [-f flows]"
		" [-s seed] [-t start_epoch] [-r pps] [-R] [-q]\n"
		"  -n  total packets (default 100000)\n"
		"  -f  concurrent sessions in the mix (default 1000)\n"
		"  -s  PRNG seed (default 1)\n"
		"  -t  first timestamp, epoch seconds (default 1700000000)\n"
		"  -r  mean packet rate, packets/s (default 50000)\n"
		"  -R  real time: timestamps start now and packets are written\n"
		"      at their pace (a live feed into a FIFO); -n 0: endless\n"
		"  -q  no summary on stderr\n");
}

int
main(int argc, char **argv)
{
	const char *path = NULL;
	uint64_t npkts = 100000, nflows = 1000, seed = 1, start = 1700000000;
	uint64_t rate = 50000;
	int opt, quiet = 0, realtime = 0, start_given = 0;
	struct gen *g;
	uint64_t i;

	while ((opt = getopt(argc, argv, "o:n:f:s:t:r:Rqh")) != -1) {
		int bad = 0;

		switch (opt) {
		case 'o': path = optarg; break;
		case 'n': bad = parse_u64(optarg, 0, UINT64_MAX / 2, &npkts); break;
		case 'f': bad = parse_u64(optarg, 1, 10000000, &nflows); break;
		case 's': bad = parse_u64(optarg, 0, UINT64_MAX, &seed); break;
		case 't':
			bad = parse_u64(optarg, 0, 4000000000ULL, &start);
			start_given = 1;
			break;
		case 'R': realtime = 1; break;
		case 'r': bad = parse_u64(optarg, 1, 100000000, &rate); break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
		if (bad) {
			fprintf(stderr, "ntopng-gen-pcap: bad value for -%c: "
				"'%s'\n", opt, optarg);
			return 1;
		}
	}
	if (!path || optind != argc || (npkts == 0 && !realtime)) {
		usage(stderr);
		return 1;
	}
	if (realtime) {
		/* a reader that goes away ends the feed quietly */
		signal(SIGPIPE, SIG_IGN);
		if (!start_given)
			start = (uint64_t)time(NULL);
		if (npkts == 0)
			npkts = UINT64_MAX / 2;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		gen_die("calloc");
	g->slots = calloc(nflows, sizeof(*g->slots));
	if (!g->slots)
		gen_die("calloc");
	/* xorshift must not start at 0; mix the seed so nearby seeds differ */
	g->rng = (seed ^ 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL;
	if (g->rng == 0)
		g->rng = 1;
	g->ts_us = start * 1000000;
	g->realtime = realtime;
	if (realtime && !start_given) {
		/* to the microsecond: receivers measure delays against it */
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		g->ts_us = (uint64_t)now.tv_sec * 1000000 + (uint64_t)now.tv_nsec / 1000;
		start = g->ts_us / 1000000;
	}
	g->gap_mean_us2 = 2 * 16 * 1000000 / rate;
	if (g->gap_mean_us2 < 1)
		g->gap_mean_us2 = 1;
	g->nflows = (uint32_t)nflows;
	g->nclients6 = nflows / 4 > 253 ? (uint32_t)(nflows / 4) : 253;
	g->nservers = nflows > 64 ? (uint32_t)nflows : 64;
	pools_init(g);

	g->out = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
	if (!g->out)
		gen_die(path);
	setvbuf(g->out, NULL, _IOFBF, 1 << 22);
	pcap_write_header(g);
	for (i = 0; i < nflows; i++)
		sess_new(g, &g->slots[i]);
	for (i = 0; i < npkts; i++) {
		struct session *s = &g->slots[rng_below(g, g->nflows)];

		gen_tick(g);
		if (sess_step(g, s))
			sess_new(g, s);
	}
	if (g->out != stdout ? fclose(g->out) != 0 : fflush(g->out) != 0)
		gen_die(path);
	if (!quiet) {
		fprintf(stderr, "ntopng-gen-pcap: %" PRIu64 " packets, %" PRIu64
			" bytes, %.1f s of traffic; sessions started:",
			g->packets, g->bytes,
			(double)(g->ts_us - start * 1000000) / 1e6);
		for (i = 0; i < K_MAX; i++)
			fprintf(stderr, " %s=%" PRIu64, kind_names[i],
				g->started[i]);
		fprintf(stderr, "\n");
	}
	free(g->slots);
	free(g);
	return 0;
}
