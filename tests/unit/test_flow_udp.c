/*
 * test_flow_udp.c - unit tests of the NetFlow v5/v9, IPFIX and sFlow v5
 * decoders (collector/netflow.c, sflow.c, flowdec.c) and of the endpoint
 * parser of the UDP source, without sockets.
 *
 * Real captures: the UDP payloads of the shared export captures
 * (NTOPNG_SHARED, ../shared or /work/shared) go through the decoders and
 * the totals must equal what nfcapd / tshark / sfcapd decoded from the
 * same files (shared/pcaps/EXPORTS-EXPECTED.txt).  Hand-built datagrams
 * check what the captures do not have: sampling, data before its
 * template, variable-length and enterprise fields, sequence gaps, the
 * template cache bound, and bad input of every kind.  Finally the fuzz
 * corpora (tests/corpus/netflow, tests/corpus/sflow) are replayed.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>
#include <pcap/pcap.h>

#include "tests/unit/test_shared.h"
#include "capture/decode.h"
#include "collector/flowdec.h"
#include "merge/iface.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

#define NOW 1700000000000ULL

/* ---- sink ---- */

struct tally {
	uint64_t flows, pkts, bytes, v6, tcp, udp, icmp, other;
	uint64_t headers, hdr_pkts, hdr_bytes, hdr_ip;
	uint32_t last_scale;
	struct flow_update first;
	struct flow_update last;
	struct flow_update watch;    /* 10.0.0.227:56885 -> 184.25.56.53:80 */
	uint64_t watched;
	struct decoder dec;
};

static int
tally_flow(void *arg, const struct flow_update *u)
{
	struct tally *t = arg;

	if (t->flows == 0)
		t->first = *u;
	t->last = *u;
	if (u->sport == 56885 && u->dport == 80) {
		t->watch = *u;
		t->watched++;
	}
	t->flows++;
	t->pkts += u->in_pkts + u->out_pkts;
	t->bytes += u->in_bytes + u->out_bytes;
	if (u->ip_version == 6)
		t->v6++;
	if (u->l4_proto == 6)
		t->tcp++;
	else if (u->l4_proto == 17)
		t->udp++;
	else if (u->l4_proto == 1 || u->l4_proto == 58)
		t->icmp++;
	else
		t->other++;
	return 0;
}

static void
tally_packet(void *arg, const struct flowdec_packet *p)
{
	struct tally *t = arg;
	struct pkt pk;

	t->headers++;
	t->hdr_pkts += p->scale;
	t->hdr_bytes += (uint64_t)p->frame_len * p->scale;
	t->last_scale = p->scale;
	if (capture_decode(&t->dec, p->dlt, p->ts_ms * 1000, p->frame_len,
			   p->data, p->caplen, &pk) == DECODE_IP)
		t->hdr_ip++;
}

static struct tally *
tally_new(struct flowdec_sink *sink)
{
	struct tally *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	decoder_init(&t->dec);
	sink->flow = tally_flow;
	sink->packet = tally_packet;
	sink->arg = t;
	return t;
}

/* ---- captures ---- */


struct payloads {
	uint8_t *data[600];
	size_t len[600];
	size_t n;
};

/* The UDP payloads of an Ethernet capture, in order. */
static int
payloads_load(const char *file, struct payloads *pl)
{
	char path[512], err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *pc;

	memset(pl, 0, sizeof(*pl));
	if (shared_path(path, sizeof(path), file) != 0)
		return -1;
	pc = pcap_open_offline(path, err);
	assert_non_null(pc);
	assert_int_equal(pcap_datalink(pc), 1);
	while (pcap_next_ex(pc, &h, &d) == 1 && pl->n < 600) {
		uint32_t off = 14, ulen;
		uint16_t et;

		if (h->caplen < 14)
			continue;
		et = (uint16_t)(d[12] << 8 | d[13]);
		while ((et == 0x8100 || et == 0x88a8) && off + 4 <= h->caplen) {
			et = (uint16_t)(d[off + 2] << 8 | d[off + 3]);
			off += 4;
		}
		if (et == 0x0800 && off + 20 <= h->caplen && d[off + 9] == 17)
			off += (d[off] & 15) * 4u;
		else if (et == 0x86dd && off + 40 <= h->caplen && d[off + 6] == 17)
			off += 40;
		else
			continue;
		if (off + 8 > h->caplen)
			continue;
		ulen = (uint32_t)(d[off + 4] << 8 | d[off + 5]);
		if (ulen < 8 || off + ulen > h->caplen)
			continue;
		pl->len[pl->n] = ulen - 8;
		pl->data[pl->n] = malloc(ulen - 8 ? ulen - 8 : 1);
		assert_non_null(pl->data[pl->n]);
		memcpy(pl->data[pl->n], d + off + 8, ulen - 8);
		pl->n++;
	}
	pcap_close(pc);
	return 0;
}

static void
payloads_free(struct payloads *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		free(pl->data[i]);
	pl->n = 0;
}

static struct ipaddr
addr4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct ipaddr x;
	uint8_t b4[4] = { a, b, c, d };

	ipaddr_set4(&x, b4);
	return x;
}

static struct flowdec_exporter *
only_exporter(struct flowdec *d)
{
	struct flowdec_exporter *e = NULL;
	uint32_t i, n = 0;

	for (i = 0; i < 256; i++) {
		struct flowdec_exporter *x;

		for (x = d->exp_buckets[i]; x != NULL; x = x->hnext) {
			e = x;
			n++;
		}
	}
	assert_int_equal(n, 1);
	return e;
}

/* Replays a capture into a fresh decoder; returns the tally. */
static struct tally *
replay(const char *file, struct flowdec *d)
{
	struct flowdec_sink sink;
	struct tally *t = tally_new(&sink);
	struct payloads pl;
	struct ipaddr lo = addr4(127, 0, 0, 1);
	size_t i;

	if (payloads_load(file, &pl) != 0) {
		free(t);
		return NULL;
	}
	assert_int_equal(flowdec_init(d), 0);
	for (i = 0; i < pl.n; i++)
		flowdec_datagram(d, &lo, pl.data[i], pl.len[i], NOW + i, &sink);
	payloads_free(&pl);
	return t;
}

#define REPLAY_OR_SKIP(file, d, t)                \
	do {                                      \
		(t) = replay((file), (d));        \
		if ((t) == NULL)                  \
			skip();                   \
	} while (0)

/* ---- real export captures vs the reference decoders ---- */

static void
test_netflow5_softflowd(void **state)
{
	struct flowdec d;
	struct tally *t;
	struct flowdec_exporter *e;
	char ip[IPADDR_STRLEN];

	(void)state;
	REPLAY_OR_SKIP("export-netflow5.pcap", &d, t);
	/* nfcapd: Flows 108 (tcp 42, udp 58, icmp 2, other 6),
	 * Packets 2970, Bytes 970829, Sequence Errors 0 */
	assert_int_equal(t->flows, 108);
	assert_int_equal(t->pkts, 2970);
	assert_int_equal(t->bytes, 970829);
	assert_int_equal(t->tcp, 42);
	assert_int_equal(t->udp, 58);
	assert_int_equal(t->icmp, 2);
	assert_int_equal(t->other, 6);
	assert_int_equal(t->v6, 0);
	e = only_exporter(&d);
	assert_int_equal(e->proto, FDP_NETFLOW5);
	assert_int_equal(e->datagrams, 4);
	assert_int_equal(e->records, 108);
	assert_int_equal(e->drops, 0);
	assert_int_equal(e->sampling, 0);
	/* nfdump: 10.0.0.227:56885 -> 184.25.56.53:80 TCP, 2 packets,
	 * 104 bytes, flags FIN+ACK, 16:14:00.993 - 16:14:01.010 */
	assert_int_equal(t->watched, 1);
	assert_string_equal(ipaddr_fmt(&t->watch.src, ip, sizeof(ip)), "10.0.0.227");
	assert_string_equal(ipaddr_fmt(&t->watch.dst, ip, sizeof(ip)), "184.25.56.53");
	assert_int_equal(t->watch.l4_proto, 6);
	assert_int_equal(t->watch.in_pkts, 2);
	assert_int_equal(t->watch.in_bytes, 104);
	assert_int_equal(t->watch.src_tcp_flags, 0x11);
	assert_int_equal(t->watch.last_ms - t->watch.first_ms, 17);
	assert_string_equal(ipaddr_fmt(&t->watch.exporter, ip, sizeof(ip)), "127.0.0.1");
	assert_true(t->watch.last_ms <= NOW);
	flowdec_fini(&d);
	free(t);
}

static void
test_netflow5_fprobe(void **state)
{
	struct flowdec d;
	struct tally *t;

	(void)state;
	REPLAY_OR_SKIP("export-netflow5-fprobe.pcap", &d, t);
	/* nfcapd: Flows 111, Packets 2970, Bytes 970813 */
	assert_int_equal(t->flows, 111);
	assert_int_equal(t->pkts, 2970);
	assert_int_equal(t->bytes, 970813);
	assert_int_equal(t->tcp, 45);
	assert_int_equal(only_exporter(&d)->drops, 0);
	flowdec_fini(&d);
	free(t);
}

static void
test_netflow9_softflowd(void **state)
{
	struct flowdec d;
	struct tally *t;
	struct flowdec_exporter *e;

	(void)state;
	REPLAY_OR_SKIP("export-netflow9.pcap", &d, t);
	/* nfcapd: Flows 111 (108 IPv4 + 3 IPv6), Packets 2997, Bytes 975043 */
	assert_int_equal(t->flows, 111);
	assert_int_equal(t->pkts, 2997);
	assert_int_equal(t->bytes, 975043);
	assert_int_equal(t->v6, 3);
	assert_int_equal(t->tcp, 42);
	assert_int_equal(t->udp, 59);
	assert_int_equal(t->icmp, 4);
	e = only_exporter(&d);
	assert_int_equal(e->proto, FDP_NETFLOW9);
	assert_int_equal(e->templates, 4);       /* 1024, 1025, 2048, 2049 */
	assert_int_equal(e->option_templates, 1);
	assert_int_equal(e->drops, 0);
	assert_int_equal(e->sampling, 1);        /* option: interval 1 */
	assert_int_equal(d.n_templates, 5);
	assert_int_equal(d.n_pending, 0);
	/* nfdump: 56885 -> 80, 104 bytes, 17 ms long */
	assert_int_equal(t->watched, 1);
	assert_int_equal(t->watch.in_bytes, 104);
	assert_int_equal(t->watch.last_ms - t->watch.first_ms, 17);
	flowdec_fini(&d);
	free(t);
}

static void
check_ipfix(const char *file, uint64_t bytes, uint64_t templates,
	    uint64_t opt_templates)
{
	struct flowdec d;
	struct tally *t;
	struct flowdec_exporter *e;

	t = replay(file, &d);
	if (t == NULL)
		skip();
	assert_int_equal(t->flows, 111);
	assert_int_equal(t->pkts, 2997);
	assert_int_equal(t->bytes, bytes);
	assert_int_equal(t->v6, 3);
	assert_int_equal(t->tcp, 42);
	assert_int_equal(t->udp, 59);
	assert_int_equal(t->icmp, 4);
	assert_int_equal(t->other, 6);
	e = only_exporter(&d);
	assert_int_equal(e->proto, FDP_IPFIX);
	assert_int_equal(e->records, 111);
	assert_int_equal(e->templates, templates);
	assert_int_equal(e->option_templates, opt_templates);
	/* softflowd counts the current message in its sequence numbers
	 * (nfcapd reports 3-4 "errors"); we accept both readings */
	assert_int_equal(e->drops, 0);
	{
		uint64_t k, errs = 0;

		for (k = 0; k < FDE__COUNT; k++)
			errs += e->err[k];
		assert_int_equal(errs, 0);
	}
	flowdec_fini(&d);
	free(t);
}

static void
test_ipfix_softflowd(void **state)
{
	(void)state;
	/* nfcapd: Flows 111, Packets 2997, Bytes 975043 */
	check_ipfix("export-ipfix.pcap", 975043, 4, 1);
}

static void
test_ipfix_softflowd_absms(void **state)
{
	struct flowdec d;
	struct tally *t;

	(void)state;
	check_ipfix("export-ipfix-absms.pcap", 975043, 4, 1);
	/* flowStart/EndMilliseconds: the first record (nfdump) lasts 17 ms */
	REPLAY_OR_SKIP("export-ipfix-absms.pcap", &d, t);
	assert_int_equal(t->watched, 1);
	assert_int_equal(t->watch.in_bytes, 104);
	assert_int_equal(t->watch.last_ms - t->watch.first_ms, 17);
	flowdec_fini(&d);
	free(t);
}

static void
test_ipfix_pmacct(void **state)
{
	(void)state;
	/* nfcapd: Flows 111, Packets 2997, Bytes 975027, 0 sequence errors */
	check_ipfix("export-ipfix-pmacct.pcap", 975027, 4, 0);
}

static void
test_sflow_pmacct(void **state)
{
	struct flowdec d;
	struct tally *t;
	struct flowdec_exporter *e;

	(void)state;
	REPLAY_OR_SKIP("export-sflow.pcap", &d, t);
	/* tshark: 489 datagrams, 2996 flow samples, sum frame_length
	 * 1028802; sfcapd: 2996 packets, 1028802 bytes */
	assert_int_equal(t->headers, 2996);
	assert_int_equal(t->hdr_pkts, 2996);
	assert_int_equal(t->hdr_bytes, 1028802);
	assert_int_equal(t->last_scale, 1);
	assert_int_equal(t->hdr_ip, 2996 - 4 + 4);  /* every sample is IP */
	assert_int_equal(t->flows, 0);
	e = only_exporter(&d);
	assert_int_equal(e->proto, FDP_SFLOW5);
	assert_int_equal(e->datagrams, 489);
	assert_int_equal(e->packets, 2996);
	assert_int_equal(e->counter_samples, 0);
	assert_int_equal(e->drops, 0);
	flowdec_fini(&d);
	free(t);
}

static void
test_sflow_switch(void **state)
{
	struct flowdec d;
	struct tally *t;
	struct flowdec_exporter *e;
	uint32_t i;
	int seen = 0;

	(void)state;
	REPLAY_OR_SKIP("sflow.pcap", &d, t);
	/* 9 datagrams (seq 415..423), 8 counter samples, one flow sample at
	 * 1/2048 whose raw header is an 82-byte VLAN-tagged ICMP frame */
	e = only_exporter(&d);
	assert_int_equal(e->datagrams, 9);
	assert_int_equal(e->drops, 0);
	assert_int_equal(e->counter_samples, 8);
	assert_int_equal(t->headers, 1);
	assert_int_equal(t->hdr_pkts, 2048);
	assert_int_equal(t->hdr_bytes, 82 * 2048);
	assert_int_equal(t->hdr_ip, 1);
	assert_int_equal(e->sampling, 2048);
	assert_int_equal(e->n_ifc, 2);
	/* last counters per ifIndex, as tshark shows them */
	for (i = 0; i < e->n_ifc; i++) {
		if (e->ifc[i].ifindex == 1036) {
			assert_int_equal(e->ifc[i].in_octets, 25980564);
			assert_int_equal(e->ifc[i].out_octets, 5472352);
			seen++;
		} else if (e->ifc[i].ifindex == 1043) {
			assert_int_equal(e->ifc[i].in_octets, 50963330);
			assert_int_equal(e->ifc[i].out_octets, 102605777);
			seen++;
		}
	}
	assert_int_equal(seen, 2);
	flowdec_fini(&d);
	free(t);
}

static void
test_netflow9_no_templates(void **state)
{
	struct flowdec d;
	struct tally *t;
	struct flowdec_exporter *e;
	uint32_t held;

	(void)state;
	/* nDPI's netflowv9.pcap: data flowsets only; nfcapd decodes 0 */
	REPLAY_OR_SKIP("netflowv9.pcap", &d, t);
	assert_int_equal(t->flows, 0);
	e = only_exporter(&d);
	assert_int_equal(e->datagrams, 10);
	held = d.n_pending;
	assert_true(held > 0);
	assert_int_equal(e->err[FDE_NO_TEMPLATE], 0);
	flowdec_expire(&d, NOW + 10000);
	assert_int_equal(d.n_pending, held);
	flowdec_expire(&d, NOW + FLOWDEC_PENDING_MS + 100);
	assert_int_equal(d.n_pending, 0);
	assert_int_equal(e->err[FDE_NO_TEMPLATE], held);
	assert_int_equal(t->flows, 0);
	flowdec_fini(&d);
	free(t);
}

static void
test_ipfix_fritz_templates_only(void **state)
{
	struct flowdec d;
	struct tally *t;
	struct flowdec_exporter *e;

	(void)state;
	/* one message: template 461 (22 fields), options 466/467 */
	REPLAY_OR_SKIP("netflow-fritz.pcap", &d, t);
	assert_int_equal(t->flows, 0);
	e = only_exporter(&d);
	assert_int_equal(e->proto, FDP_IPFIX);
	assert_int_equal(e->templates, 1);
	assert_int_equal(e->option_templates, 2);
	assert_int_equal(d.n_templates, 3);
	flowdec_fini(&d);
	free(t);
}

/* ---- hand-built datagrams ---- */

struct wr {
	uint8_t b[4096];
	size_t n;
};

static void
w8(struct wr *w, uint8_t v)
{
	w->b[w->n++] = v;
}

static void
w16(struct wr *w, uint16_t v)
{
	w8(w, (uint8_t)(v >> 8));
	w8(w, (uint8_t)v);
}

static void
w32(struct wr *w, uint32_t v)
{
	w16(w, (uint16_t)(v >> 16));
	w16(w, (uint16_t)v);
}

static void
w64(struct wr *w, uint64_t v)
{
	w32(w, (uint32_t)(v >> 32));
	w32(w, (uint32_t)v);
}

static void
wset_len(struct wr *w, size_t at)
{
	size_t len = w->n - at;

	w->b[at + 2] = (uint8_t)(len >> 8);
	w->b[at + 3] = (uint8_t)len;
}

/* NetFlow v5 with `n` records, sampling 1/rate, sequence seq. */
static void
build_v5(struct wr *w, int n, uint16_t sampling, uint32_t seq)
{
	int i;

	w->n = 0;
	w16(w, 5);
	w16(w, (uint16_t)n);
	w32(w, 100000);              /* sysUptime */
	w32(w, 1600000000);          /* unix secs */
	w32(w, 0);
	w32(w, seq);
	w8(w, 0);
	w8(w, 0);
	w16(w, sampling);
	for (i = 0; i < n; i++) {
		w32(w, 0x0a000001);  /* 10.0.0.1 */
		w32(w, 0x0a000002 + (uint32_t)i);
		w32(w, 0);
		w16(w, 3);           /* input */
		w16(w, 7);           /* output */
		w32(w, 10);          /* packets */
		w32(w, 1000);        /* bytes */
		w32(w, 90000);       /* first: 10 s before export */
		w32(w, 99000);       /* last: 1 s before export */
		w16(w, 1234);
		w16(w, 80);
		w8(w, 0);
		w8(w, 0x1b);
		w8(w, 6);
		w8(w, 0x10);
		w32(w, 0);
		w32(w, 0);
	}
}

static void
test_v5_sampling_times_sequence(void **state)
{
	struct flowdec d;
	struct flowdec_sink sink;
	struct tally *t = tally_new(&sink);
	struct ipaddr ex = addr4(192, 0, 2, 7);
	struct flowdec_exporter *e;
	struct wr w;

	(void)state;
	assert_int_equal(flowdec_init(&d), 0);
	build_v5(&w, 2, (1u << 14) | 100, 1000);   /* mode 1, 1/100 */
	assert_int_equal(flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink), 2);
	assert_int_equal(t->pkts, 2 * 10 * 100);
	assert_int_equal(t->bytes, 2 * 1000 * 100);
	assert_int_equal(t->first.sampling, 100);
	assert_int_equal(t->first.in_ifindex, 3);
	assert_int_equal(t->first.out_ifindex, 7);
	assert_int_equal(t->first.tos, 0x10);
	/* ended 1 s before the export time, lasted 9 s: mapped to our clock */
	assert_int_equal(t->first.last_ms, NOW - 1000);
	assert_int_equal(t->first.first_ms, NOW - 10000);
	e = only_exporter(&d);
	assert_int_equal(e->sampling, 100);
	/* next datagram in sequence: 1002; then one that skips 5 flows */
	build_v5(&w, 1, 0, 1002);
	flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink);
	assert_int_equal(e->drops, 0);
	assert_int_equal(e->sampling, 0);
	build_v5(&w, 1, 0, 1008);
	flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink);
	assert_int_equal(e->drops, 5);
	/* truncated: count says 2, one record present */
	build_v5(&w, 2, 0, 1009);
	assert_int_equal(flowdec_datagram(&d, &ex, w.b, w.n - 48, NOW, &sink), 1);
	assert_int_equal(e->err[FDE_TRUNCATED], 1);
	/* count 0 and count 31 are refused */
	build_v5(&w, 1, 0, 1011);
	w.b[3] = 0;
	assert_int_equal(flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink), -1);
	w.b[3] = 31;
	assert_int_equal(flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink), -1);
	assert_int_equal(e->err[FDE_BAD_LENGTH], 2);
	flowdec_fini(&d);
	free(t);
}

/* v9 header */
static void
build_v9_hdr(struct wr *w, uint32_t seq, uint32_t source_id)
{
	w->n = 0;
	w16(w, 9);
	w16(w, 1);
	w32(w, 50000);
	w32(w, 1600000000);
	w32(w, seq);
	w32(w, source_id);
}

/* template 300: src4 dst4 sport dport proto bytes(8) pkts(4) */
static void
v9_template(struct wr *w)
{
	size_t at = w->n;

	w16(w, 0);
	w16(w, 0);
	w16(w, 300);
	w16(w, 7);
	w16(w, 8); w16(w, 4);
	w16(w, 12); w16(w, 4);
	w16(w, 7); w16(w, 2);
	w16(w, 11); w16(w, 2);
	w16(w, 4); w16(w, 1);
	w16(w, 1); w16(w, 8);
	w16(w, 2); w16(w, 4);
	wset_len(w, at);
}

static void
v9_data(struct wr *w, int n)
{
	size_t at = w->n;
	int i;

	w16(w, 300);
	w16(w, 0);
	for (i = 0; i < n; i++) {
		w32(w, 0xc0a80001);
		w32(w, 0xc0a80002);
		w16(w, 5000);
		w16(w, 53);
		w8(w, 17);
		w64(w, 300);
		w32(w, 3);
	}
	w8(w, 0);                    /* padding */
	w8(w, 0);
	w8(w, 0);
	wset_len(w, at);
}

static void
test_v9_data_before_template(void **state)
{
	struct flowdec d;
	struct flowdec_sink sink;
	struct tally *t = tally_new(&sink);
	struct ipaddr ex = addr4(192, 0, 2, 9), other = addr4(192, 0, 2, 10);
	struct flowdec_exporter *e;
	struct wr w;

	(void)state;
	assert_int_equal(flowdec_init(&d), 0);
	build_v9_hdr(&w, 1, 42);
	v9_data(&w, 2);
	assert_int_equal(flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink), 0);
	assert_int_equal(d.n_pending, 1);
	/* another exporter's template does not release it */
	build_v9_hdr(&w, 1, 42);
	v9_template(&w);
	flowdec_datagram(&d, &other, w.b, w.n, NOW, &sink);
	assert_int_equal(d.n_pending, 1);
	assert_int_equal(t->flows, 0);
	/* the exporter's own template (with data behind it) releases it */
	build_v9_hdr(&w, 2, 42);
	v9_template(&w);
	v9_data(&w, 1);
	assert_int_equal(flowdec_datagram(&d, &ex, w.b, w.n, NOW + 5, &sink), 3);
	assert_int_equal(d.n_pending, 0);
	assert_int_equal(d.pending_decoded, 1);
	assert_int_equal(t->flows, 3);
	assert_int_equal(t->pkts, 9);
	assert_int_equal(t->bytes, 900);
	assert_int_equal(t->first.dport, 53);
	e = flowdec_exporter_get(&d, &ex, FDP_NETFLOW9, 42, NOW);
	assert_int_equal(e->records, 3);
	assert_int_equal(e->templates, 1);
	/* packet sequence 2 -> 5: two datagrams lost */
	build_v9_hdr(&w, 5, 42);
	v9_data(&w, 1);
	flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink);
	assert_int_equal(e->drops, 2);
	/* another source id is another exporter with its own templates */
	build_v9_hdr(&w, 1, 43);
	v9_data(&w, 1);
	flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink);
	assert_int_equal(d.n_pending, 1);
	assert_int_equal(t->flows, 4);
	flowdec_fini(&d);
	free(t);
}

static void
test_v9_options_sampling(void **state)
{
	struct flowdec d;
	struct flowdec_sink sink;
	struct tally *t = tally_new(&sink);
	struct ipaddr ex = addr4(192, 0, 2, 11);
	struct flowdec_exporter *e;
	struct wr w;
	size_t at;

	(void)state;
	assert_int_equal(flowdec_init(&d), 0);
	build_v9_hdr(&w, 1, 0);
	v9_template(&w);
	/* options template 256: scope System(1) len 4; option 34 len 4,
	 * 35 len 1.  Scope type 1 must not be read as IN_BYTES. */
	at = w.n;
	w16(&w, 1);
	w16(&w, 0);
	w16(&w, 256);
	w16(&w, 4);
	w16(&w, 8);
	w16(&w, 1); w16(&w, 4);
	w16(&w, 34); w16(&w, 4);
	w16(&w, 35); w16(&w, 1);
	w16(&w, 0);                  /* padding */
	wset_len(&w, at);
	at = w.n;
	w16(&w, 256);
	w16(&w, 0);
	w32(&w, 0);
	w32(&w, 64);
	w8(&w, 2);
	wset_len(&w, at);
	v9_data(&w, 1);
	assert_int_equal(flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink), 1);
	e = only_exporter(&d);
	assert_int_equal(e->option_templates, 1);
	assert_int_equal(e->sampling, 64);
	assert_int_equal(t->pkts, 3 * 64);
	assert_int_equal(t->bytes, 300 * 64);
	assert_int_equal(t->first.sampling, 64);
	flowdec_fini(&d);
	free(t);
}

static void
ipfix_hdr(struct wr *w, uint32_t seq)
{
	w->n = 0;
	w16(w, 10);
	w16(w, 0);
	w32(w, 1600000000);
	w32(w, seq);
	w32(w, 7);
}

static void
ipfix_fix_len(struct wr *w)
{
	w->b[2] = (uint8_t)(w->n >> 8);
	w->b[3] = (uint8_t)w->n;
}

static void
test_ipfix_varlen_enterprise(void **state)
{
	struct flowdec d;
	struct flowdec_sink sink;
	struct tally *t = tally_new(&sink);
	struct ipaddr ex = addr4(192, 0, 2, 12);
	struct flowdec_exporter *e;
	struct wr w;
	size_t at;
	int i;

	(void)state;
	assert_int_equal(flowdec_init(&d), 0);
	ipfix_hdr(&w, 0);
	at = w.n;
	w16(&w, 2);
	w16(&w, 0);
	w16(&w, 400);
	w16(&w, 8);
	w16(&w, 27); w16(&w, 16);          /* IPv6 src */
	w16(&w, 28); w16(&w, 16);          /* IPv6 dst */
	w16(&w, 0x8000 | 100); w16(&w, 0xffff); w32(&w, 35632);  /* ntop: varlen */
	w16(&w, 4); w16(&w, 1);
	w16(&w, 82); w16(&w, 0xffff);      /* interfaceName: varlen */
	w16(&w, 0x8000 | 1); w16(&w, 4); w32(&w, 29305);  /* reverse octets */
	w16(&w, 1); w16(&w, 2);            /* octets, reduced size */
	w16(&w, 152); w16(&w, 8);          /* flowStartMilliseconds */
	wset_len(&w, at);
	at = w.n;
	w16(&w, 400);
	w16(&w, 0);
	for (i = 0; i < 2; i++) {
		int k;

		w32(&w, 0x20010db8); w32(&w, 0); w32(&w, 0); w32(&w, 1);
		w32(&w, 0x20010db8); w32(&w, 0); w32(&w, 0); w32(&w, 2);
		w8(&w, 3); w8(&w, 'a'); w8(&w, 'b'); w8(&w, 'c');
		w8(&w, 58);
		w8(&w, 255); w16(&w, 300);     /* 3-byte length form */
		for (k = 0; k < 300; k++)
			w8(&w, 'x');
		w32(&w, 77);                   /* reverse bytes */
		w16(&w, 1500);
		w64(&w, 1600000000000ULL - 2000);
	}
	wset_len(&w, at);
	ipfix_fix_len(&w);
	assert_int_equal(flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink), 2);
	assert_int_equal(t->v6, 2);
	assert_int_equal(t->icmp, 2);
	assert_int_equal(t->first.in_bytes, 1500);
	assert_int_equal(t->first.out_bytes, 77);
	assert_int_equal(t->first.sport, 0);
	/* no end time: the start is as old as before the export time */
	assert_int_equal(t->first.first_ms, NOW - 2000);
	e = only_exporter(&d);
	assert_int_equal(e->records, 2);
	assert_int_equal(e->drops, 0);
	/* a varlen value running past the set: counted, no crash */
	ipfix_hdr(&w, 2);
	at = w.n;
	w16(&w, 400);
	w16(&w, 0);
	for (i = 0; i < 8; i++)
		w32(&w, 0x20010db8);
	w8(&w, 255); w16(&w, 3000);
	for (i = 0; i < 8; i++)     /* enough for min_len, not for 3000 */
		w32(&w, 0);
	wset_len(&w, at);
	ipfix_fix_len(&w);
	assert_int_equal(flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink), 0);
	assert_int_equal(e->err[FDE_TRUNCATED], 1);
	assert_int_equal(t->flows, 2);
	flowdec_fini(&d);
	free(t);
}

static void
test_ipfix_sequence_and_withdrawal(void **state)
{
	struct flowdec d;
	struct flowdec_sink sink;
	struct tally *t = tally_new(&sink);
	struct ipaddr ex = addr4(192, 0, 2, 13);
	struct flowdec_exporter *e;
	struct wr w;
	size_t at;
	uint32_t seq = 0;
	int round;

	(void)state;
	assert_int_equal(flowdec_init(&d), 0);
	for (round = 0; round < 3; round++) {
		ipfix_hdr(&w, seq);
		at = w.n;
		w16(&w, 2);
		w16(&w, 0);
		w16(&w, 500);
		w16(&w, 3);
		w16(&w, 8); w16(&w, 4);
		w16(&w, 12); w16(&w, 4);
		w16(&w, 2); w16(&w, 4);
		wset_len(&w, at);
		at = w.n;
		w16(&w, 500);
		w16(&w, 0);
		w32(&w, 1); w32(&w, 2); w32(&w, 5);
		w32(&w, 1); w32(&w, 3); w32(&w, 5);
		wset_len(&w, at);
		ipfix_fix_len(&w);
		flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink);
		seq += 2;
		if (round == 1)
			seq += 10;       /* 10 records lost */
	}
	e = only_exporter(&d);
	assert_int_equal(t->flows, 6);
	assert_int_equal(e->drops, 10);
	assert_int_equal(d.n_templates, 1);
	/* withdrawal of template 500, then its data waits */
	ipfix_hdr(&w, seq);
	at = w.n;
	w16(&w, 2);
	w16(&w, 0);
	w16(&w, 500);
	w16(&w, 0);
	wset_len(&w, at);
	at = w.n;
	w16(&w, 500);
	w16(&w, 0);
	w32(&w, 1); w32(&w, 2); w32(&w, 5);
	wset_len(&w, at);
	ipfix_fix_len(&w);
	flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink);
	assert_int_equal(d.n_templates, 0);
	assert_int_equal(d.n_pending, 1);
	assert_int_equal(t->flows, 6);
	flowdec_fini(&d);
	free(t);
}

static void
test_template_cache_bound(void **state)
{
	struct flowdec d;
	struct flowdec_sink sink;
	struct tally *t = tally_new(&sink);
	struct ipaddr ex = addr4(192, 0, 2, 14);
	struct wr w;
	int i;

	(void)state;
	assert_int_equal(flowdec_init(&d), 0);
	for (i = 0; i < FLOWDEC_MAX_TEMPLATES + 100; i++) {
		size_t at;

		ipfix_hdr(&w, 0);
		at = w.n;
		w16(&w, 2);
		w16(&w, 0);
		w16(&w, (uint16_t)(256 + i));
		w16(&w, 1);
		w16(&w, 8); w16(&w, 4);
		wset_len(&w, at);
		ipfix_fix_len(&w);
		flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink);
	}
	assert_int_equal(d.n_templates, FLOWDEC_MAX_TEMPLATES);
	assert_int_equal(d.templates_evicted, 100);
	flowdec_fini(&d);
	free(t);
}

/* One IPFIX message of `from`, domain 7: template 500 (src, dst, octets)
 * and two records with it.  Returns the records decoded. */
static int
ipfix_real(struct flowdec *d, const struct ipaddr *from, uint32_t seq,
	   uint64_t now, const struct flowdec_sink *sink)
{
	struct wr w;
	size_t at;

	ipfix_hdr(&w, seq);
	at = w.n;
	w16(&w, 2);
	w16(&w, 0);
	w16(&w, 500);
	w16(&w, 3);
	w16(&w, 8); w16(&w, 4);
	w16(&w, 12); w16(&w, 4);
	w16(&w, 1); w16(&w, 4);
	wset_len(&w, at);
	at = w.n;
	w16(&w, 500);
	w16(&w, 0);
	w32(&w, 0x0a000001); w32(&w, 0x0a000002); w32(&w, 100);
	w32(&w, 0x0a000001); w32(&w, 0x0a000003); w32(&w, 200);
	wset_len(&w, at);
	ipfix_fix_len(&w);
	return flowdec_datagram(d, from, w.b, w.n, now, sink);
}

/* A bare 16-byte IPFIX header: a new exporter for the price of nothing. */
static void
ipfix_bare(struct flowdec *d, const struct ipaddr *from, uint32_t domain,
	   uint64_t now, const struct flowdec_sink *sink)
{
	struct wr w;

	w.n = 0;
	w16(&w, 10);
	w16(&w, 16);
	w32(&w, 1600000000);
	w32(&w, 0);
	w32(&w, domain);
	flowdec_datagram(d, from, w.b, w.n, now, sink);
}

/* issue 11 #3: one host sending 1024 IPFIX headers (domains 1..1024) no
 * longer locks every real exporter out; a spoofed flood from many
 * addresses takes only empty slots; silent exporters age out. */
static void
test_exporter_table_flood(void **state)
{
	struct flowdec d;
	struct flowdec_sink sink;
	struct tally *t = tally_new(&sink);
	struct ipaddr flooder = addr4(10, 0, 0, 66);
	struct ipaddr real = addr4(192, 0, 2, 20), late = addr4(192, 0, 2, 21);
	uint32_t i;

	(void)state;
	assert_int_equal(flowdec_init(&d), 0);
	for (i = 1; i <= 1024; i++)
		ipfix_bare(&d, &flooder, i, NOW, &sink);
	assert_int_equal(d.n_exporters, FLOWDEC_MAX_EXPORTERS_PER_ADDR);
	assert_int_equal(d.exporters_addr_capped, 1024 - FLOWDEC_MAX_EXPORTERS_PER_ADDR);
	/* the real exporter after the flood is decoded */
	assert_int_equal(ipfix_real(&d, &real, 0, NOW, &sink), 2);
	assert_int_equal(t->flows, 2);
	assert_int_equal(t->bytes, 300);
	/* spoofed: one header from each of 2048 addresses fills the table,
	 * then pushes out only exporters that never gave anything */
	for (i = 0; i < 2048; i++) {
		struct ipaddr a = addr4(10, 1, (uint8_t)(i >> 8), (uint8_t)i);

		ipfix_bare(&d, &a, 1, NOW + 1, &sink);
	}
	assert_int_equal(d.n_exporters, FLOWDEC_MAX_EXPORTERS);
	assert_true(d.exporters_evicted >= 1024);
	/* the real one kept its template: data alone is decoded */
	assert_int_equal(ipfix_real(&d, &real, 2, NOW + 2, &sink), 2);
	assert_int_equal(t->flows, 4);
	/* and a new real exporter still gets in */
	assert_int_equal(ipfix_real(&d, &late, 0, NOW + 3, &sink), 2);
	assert_int_equal(t->flows, 6);
	/* silence: every exporter not heard for the idle time is forgotten */
	ipfix_real(&d, &late, 2, NOW + FLOWDEC_EXPORTER_IDLE_MS + 2, &sink);
	assert_int_equal(d.n_exporters, 1);
	assert_int_equal(d.exporters_expired, FLOWDEC_MAX_EXPORTERS - 1);
	assert_int_equal(d.n_templates, 1);
	assert_int_equal(t->flows, 8);
	flowdec_fini(&d);
	free(t);
}

/* One IPFIX message, template 600 (src, dst, octets(8), packets(8),
 * flowStart/EndMilliseconds) and one record with these values. */
static int
ipfix_counts(struct flowdec *d, const struct ipaddr *from, uint32_t seq,
	     uint64_t octets, uint64_t pkts, uint64_t start_ms, uint64_t end_ms,
	     const struct flowdec_sink *sink)
{
	struct wr w;
	size_t at;

	ipfix_hdr(&w, seq);
	at = w.n;
	w16(&w, 2);
	w16(&w, 0);
	w16(&w, 600);
	w16(&w, 6);
	w16(&w, 8); w16(&w, 4);
	w16(&w, 12); w16(&w, 4);
	w16(&w, 1); w16(&w, 8);
	w16(&w, 2); w16(&w, 8);
	w16(&w, 152); w16(&w, 8);
	w16(&w, 153); w16(&w, 8);
	wset_len(&w, at);
	at = w.n;
	w16(&w, 600);
	w16(&w, 0);
	w32(&w, 0x0a000001); w32(&w, 0x0a000002);
	w64(&w, octets);
	w64(&w, pkts);
	w64(&w, start_ms);
	w64(&w, end_ms);
	wset_len(&w, at);
	ipfix_fix_len(&w);
	return flowdec_datagram(d, from, w.b, w.n, NOW, sink);
}

/* issue 11 #9: records whose counts are absurd (2^63-1 octets; or 2^40
 * octets in 2 s) are refused and counted; plausible ones pass. */
static void
test_implausible_counts(void **state)
{
	struct flowdec d;
	struct flowdec_sink sink;
	struct tally *t = tally_new(&sink);
	struct ipaddr ex = addr4(192, 0, 2, 30);
	struct flowdec_exporter *e;
	const uint64_t t0 = 1600000000000ULL - 10000;

	(void)state;
	assert_int_equal(flowdec_init(&d), 0);
	assert_int_equal(ipfix_counts(&d, &ex, 0, INT64_MAX, INT64_MAX, t0, t0 + 5000,
				      &sink), 0);
	assert_int_equal(ipfix_counts(&d, &ex, 0, INT64_MAX, INT64_MAX, t0, t0 + 5000,
				      &sink), 0);
	assert_int_equal(t->flows, 0);
	e = only_exporter(&d);
	assert_int_equal(e->err[FDE_IMPLAUSIBLE], 2);
	/* absurd for its duration: 1 TiB in 2 s */
	assert_int_equal(ipfix_counts(&d, &ex, 0, 1ull << 40, 1000, t0, t0 + 2000,
				      &sink), 0);
	assert_int_equal(e->err[FDE_IMPLAUSIBLE], 3);
	/* the same over an hour, and ordinary counts: accepted */
	assert_int_equal(ipfix_counts(&d, &ex, 0, 1ull << 40, 1000, t0 - 3600000,
				      t0, &sink), 1);
	assert_int_equal(ipfix_counts(&d, &ex, 1, 123456, 99, t0, t0 + 2000,
				      &sink), 1);
	assert_int_equal(t->flows, 2);
	assert_int_equal(t->bytes, (1ull << 40) + 123456);
	assert_int_equal(e->err[FDE_IMPLAUSIBLE], 3);
	assert_int_equal(e->records, 2);
	flowdec_fini(&d);
	free(t);
}

static void
test_bad_templates_and_sets(void **state)
{
	struct flowdec d;
	struct flowdec_sink sink;
	struct tally *t = tally_new(&sink);
	struct ipaddr ex = addr4(192, 0, 2, 15);
	struct flowdec_exporter *e;
	struct wr w;
	size_t at;
	uint8_t junk[8] = { 0x12, 0x34, 0, 0, 0, 5, 0, 0 };

	(void)state;
	assert_int_equal(flowdec_init(&d), 0);
	/* zero-length set: stops the message */
	ipfix_hdr(&w, 0);
	w16(&w, 2);
	w16(&w, 0);
	w32(&w, 0);
	ipfix_fix_len(&w);
	flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink);
	e = only_exporter(&d);
	assert_int_equal(e->err[FDE_BAD_SET], 1);
	/* template with tid < 256, a 64 KB field, one over the field limit */
	ipfix_hdr(&w, 0);
	at = w.n;
	w16(&w, 2);
	w16(&w, 0);
	w16(&w, 10);
	w16(&w, 1);
	w16(&w, 8); w16(&w, 4);
	w16(&w, 600);
	w16(&w, 2);
	w16(&w, 8); w16(&w, 65000);
	w16(&w, 1); w16(&w, 65000);
	w16(&w, 601);
	w16(&w, 1);
	w16(&w, 8); w16(&w, 0);     /* a record of 0 bytes */
	wset_len(&w, at);
	ipfix_fix_len(&w);
	flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink);
	assert_int_equal(e->err[FDE_BAD_TEMPLATE], 3);
	assert_int_equal(d.n_templates, 0);
	/* field count larger than the set */
	ipfix_hdr(&w, 0);
	at = w.n;
	w16(&w, 2);
	w16(&w, 0);
	w16(&w, 700);
	w16(&w, 5000);
	w16(&w, 8); w16(&w, 4);
	wset_len(&w, at);
	ipfix_fix_len(&w);
	flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink);
	assert_int_equal(e->err[FDE_TRUNCATED], 1);
	/* set longer than the message */
	ipfix_hdr(&w, 0);
	w16(&w, 256);
	w16(&w, 400);
	w32(&w, 0);
	ipfix_fix_len(&w);
	flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink);
	assert_int_equal(e->err[FDE_TRUNCATED], 2);
	/* message length below the header */
	ipfix_hdr(&w, 0);
	w.b[3] = 8;
	assert_int_equal(flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink), -1);
	assert_int_equal(e->err[FDE_BAD_LENGTH], 1);
	/* unknown versions and short datagrams: global counters */
	assert_int_equal(flowdec_datagram(&d, &ex, junk, sizeof(junk), NOW, &sink), -1);
	assert_int_equal(flowdec_datagram(&d, &ex, junk, 3, NOW, &sink), -1);
	junk[0] = 0;
	junk[1] = 0;
	junk[3] = 4;                  /* sFlow v4 */
	assert_int_equal(flowdec_datagram(&d, &ex, junk, sizeof(junk), NOW, &sink), -1);
	assert_int_equal(d.unknown_version, 2);
	assert_int_equal(d.too_short, 1);
	assert_int_equal(t->flows, 0);
	flowdec_fini(&d);
	free(t);
}

static void
test_sflow_hand_built(void **state)
{
	struct flowdec d;
	struct flowdec_sink sink;
	struct tally *t = tally_new(&sink);
	struct ipaddr ex = addr4(192, 0, 2, 16);
	struct flowdec_exporter *e;
	struct wr w;
	size_t s_at, r_at;

	(void)state;
	assert_int_equal(flowdec_init(&d), 0);
	w.n = 0;
	w32(&w, 5);
	w32(&w, 2);                      /* agent IPv6 */
	w32(&w, 0x20010db8); w32(&w, 0); w32(&w, 0); w32(&w, 9);
	w32(&w, 3);                      /* sub-agent */
	w32(&w, 77);                     /* sequence */
	w32(&w, 123456);
	w32(&w, 2);
	/* expanded flow sample with a sampled IPv4 record, rate 512 */
	w32(&w, 3);
	s_at = w.n;
	w32(&w, 0);
	w32(&w, 1); w32(&w, 0); w32(&w, 5);
	w32(&w, 512); w32(&w, 0); w32(&w, 4);
	w32(&w, 0); w32(&w, 11); w32(&w, 0); w32(&w, 12);
	w32(&w, 1);
	w32(&w, 3);
	r_at = w.n;
	w32(&w, 0);
	w32(&w, 400); w32(&w, 6);
	w32(&w, 0x0a000001); w32(&w, 0x0a000002);
	w32(&w, 40000); w32(&w, 443); w32(&w, 0x18); w32(&w, 0);
	w.b[r_at + 3] = (uint8_t)(w.n - r_at - 4);
	w.b[s_at + 3] = (uint8_t)(w.n - s_at - 4);
	/* counter sample with a generic interface record */
	w32(&w, 2);
	s_at = w.n;
	w32(&w, 0);
	w32(&w, 1); w32(&w, 0x00000007); w32(&w, 1);
	w32(&w, 1); w32(&w, 88);
	w32(&w, 7); w32(&w, 6); w64(&w, 1000000000); w32(&w, 1); w32(&w, 3);
	w64(&w, 123456789); w32(&w, 10); w32(&w, 11); w32(&w, 12); w32(&w, 13);
	w32(&w, 14); w32(&w, 15); w64(&w, 987654321); w32(&w, 20); w32(&w, 21);
	w32(&w, 22); w32(&w, 23); w32(&w, 24); w32(&w, 0);
	w.b[s_at + 2] = (uint8_t)((w.n - s_at - 4) >> 8);
	w.b[s_at + 3] = (uint8_t)(w.n - s_at - 4);
	assert_int_equal(flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink), 1);
	assert_int_equal(t->flows, 1);
	assert_int_equal(t->pkts, 512);
	assert_int_equal(t->bytes, 400 * 512);
	assert_int_equal(t->first.sampling, 512);
	assert_int_equal(t->first.dport, 443);
	assert_int_equal(t->first.in_ifindex, 11);
	assert_int_equal(t->first.out_ifindex, 12);
	e = only_exporter(&d);
	assert_int_equal(e->domain, 3);
	assert_int_equal(e->sampler_drops, 4);
	assert_int_equal(e->counter_samples, 1);
	assert_int_equal(e->n_ifc, 1);
	assert_int_equal(e->ifc[0].ifindex, 7);
	assert_int_equal(e->ifc[0].in_octets, 123456789);
	assert_int_equal(e->ifc[0].out_octets, 987654321);
	assert_int_equal(e->ifc[0].in_errors, 14);
	assert_int_equal(e->ifc[0].out_errors, 24);
	/* sequence 77 -> 80: two datagrams lost */
	w.b[31] = 80;
	flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink);
	assert_int_equal(e->drops, 2);
	/* a sample length past the datagram: counted, earlier ones kept */
	w.b[31] = 81;
	w.b[s_at + 2] = 0x7f;
	assert_int_equal(flowdec_datagram(&d, &ex, w.b, w.n, NOW, &sink), 1);
	assert_int_equal(e->err[FDE_BAD_LENGTH], 1);
	flowdec_fini(&d);
	free(t);
}

/* Every prefix of every real payload, and every single-byte flip of the
 * first 64 bytes: never a crash (ASan/UBSan build), never a flow more
 * than the whole datagram gives. */
static void
test_truncation_sweep(void **state)
{
	static const char *const files[] = {
		"export-netflow5.pcap", "export-netflow9.pcap",
		"export-ipfix.pcap", "export-ipfix-pmacct.pcap",
		"sflow.pcap", "netflow-fritz.pcap", "netflowv9.pcap",
	};
	struct ipaddr lo = addr4(127, 0, 0, 1);
	size_t f, i, cut;
	int loaded = 0;

	(void)state;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct payloads pl;
		struct flowdec d;
		struct flowdec_sink sink;
		struct tally *t = tally_new(&sink);

		if (payloads_load(files[f], &pl) != 0) {
			free(t);
			continue;
		}
		loaded++;
		assert_int_equal(flowdec_init(&d), 0);
		for (i = 0; i < pl.n && i < 6; i++) {
			for (cut = 0; cut <= pl.len[i]; cut++) {
				uint8_t *b = malloc(cut ? cut : 1);

				assert_non_null(b);
				memcpy(b, pl.data[i], cut);
				flowdec_datagram(&d, &lo, b, cut, NOW, &sink);
				free(b);
			}
			for (cut = 0; cut < 64 && cut < pl.len[i]; cut++) {
				pl.data[i][cut] ^= 0xff;
				flowdec_datagram(&d, &lo, pl.data[i], pl.len[i], NOW, &sink);
				pl.data[i][cut] ^= 0xff;
			}
		}
		{
			json_t *o = json_object();

			flowdec_describe(&d, o);
			assert_non_null(json_object_get(o, "exporters"));
			json_decref(o);
		}
		flowdec_fini(&d);
		payloads_free(&pl);
		free(t);
	}
	if (loaded == 0)
		skip();
}

/* ---- fuzz corpora, replayed under the normal compiler ---- */

static int
replay_corpus(const char *sub, int sflow)
{
	char dir[512], path[1024];
	struct dirent *de;
	struct flowdec d;
	struct flowdec_sink sink;
	struct tally *t = tally_new(&sink);
	int n = 0;
	DIR *dh;

	snprintf(dir, sizeof(dir), "%s/tests/corpus/%s", SRCDIR, sub);
	dh = opendir(dir);
	if (dh == NULL) {
		free(t);
		return -1;
	}
	assert_int_equal(flowdec_init(&d), 0);
	while ((de = readdir(dh)) != NULL) {
		uint8_t *buf;
		struct ipaddr from;
		uint8_t a4[4] = { 192, 0, 2, 1 };
		FILE *fp;
		long sz;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fp = fopen(path, "rb");
		assert_non_null(fp);
		assert_int_equal(fseek(fp, 0, SEEK_END), 0);
		sz = ftell(fp);
		rewind(fp);
		assert_true(sz >= 0 && sz <= 65537);
		buf = malloc(sz ? (size_t)sz : 1);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)sz, fp), (size_t)sz);
		fclose(fp);
		if (sz >= 1) {
			/* the fuzzers' format: exporter byte, then payload */
			a4[3] = (uint8_t)(1 + (buf[0] & 3));
			ipaddr_set4(&from, a4);
			if (sflow)
				flowdec_sflow(&d, &from, buf + 1, (size_t)sz - 1,
					      NOW + (uint64_t)n * 500, &sink);
			else
				flowdec_netflow(&d, &from, buf + 1, (size_t)sz - 1,
						NOW + (uint64_t)n * 500, &sink);
		}
		free(buf);
		n++;
	}
	closedir(dh);
	flowdec_fini(&d);
	free(t);
	return n;
}

static void
test_corpus_netflow(void **state)
{
	(void)state;
	/* seeded with every export capture's payloads and mutations */
	assert_true(replay_corpus("netflow", 0) >= 40);
}

static void
test_corpus_sflow(void **state)
{
	(void)state;
	assert_true(replay_corpus("sflow", 1) >= 20);
}

/* ---- endpoint parser ---- */

static void
test_endpoint_parse(void **state)
{
	struct ipaddr a;
	uint16_t port;
	char ip[IPADDR_STRLEN];

	(void)state;
	assert_int_equal(collector_udp_parse("", 2055, &a, &port), 0);
	assert_int_equal(a.v, 0);
	assert_int_equal(port, 2055);
	assert_int_equal(collector_udp_parse(":9995", 2055, &a, &port), 0);
	assert_int_equal(a.v, 0);
	assert_int_equal(port, 9995);
	assert_int_equal(collector_udp_parse("9996", 2055, &a, &port), 0);
	assert_int_equal(a.v, 0);
	assert_int_equal(port, 9996);
	assert_int_equal(collector_udp_parse("127.0.0.1:6343", 2055, &a, &port), 0);
	assert_string_equal(ipaddr_fmt(&a, ip, sizeof(ip)), "127.0.0.1");
	assert_int_equal(port, 6343);
	assert_int_equal(collector_udp_parse("10.1.2.3", 6343, &a, &port), 0);
	assert_int_equal(a.v, 4);
	assert_int_equal(port, 6343);
	assert_int_equal(collector_udp_parse("[::1]:2056", 2055, &a, &port), 0);
	assert_int_equal(a.v, 6);
	assert_string_equal(ipaddr_fmt(&a, ip, sizeof(ip)), "::1");
	assert_int_equal(port, 2056);
	assert_int_equal(collector_udp_parse("[2001:db8::5]", 2055, &a, &port), 0);
	assert_int_equal(port, 2055);
	assert_int_equal(collector_udp_parse("::1:2055", 2055, &a, &port), -1);
	assert_int_equal(collector_udp_parse("[::1]2055", 2055, &a, &port), -1);
	assert_int_equal(collector_udp_parse("[::1", 2055, &a, &port), -1);
	assert_int_equal(collector_udp_parse(":0", 2055, &a, &port), -1);
	assert_int_equal(collector_udp_parse(":65536", 2055, &a, &port), -1);
	assert_int_equal(collector_udp_parse(":12x", 2055, &a, &port), -1);
	assert_int_equal(collector_udp_parse("host:2055", 2055, &a, &port), -1);
	assert_int_equal(collector_udp_parse("1.2.3:2055", 2055, &a, &port), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netflow5_softflowd),
		cmocka_unit_test(test_netflow5_fprobe),
		cmocka_unit_test(test_netflow9_softflowd),
		cmocka_unit_test(test_ipfix_softflowd),
		cmocka_unit_test(test_ipfix_softflowd_absms),
		cmocka_unit_test(test_ipfix_pmacct),
		cmocka_unit_test(test_sflow_pmacct),
		cmocka_unit_test(test_sflow_switch),
		cmocka_unit_test(test_netflow9_no_templates),
		cmocka_unit_test(test_ipfix_fritz_templates_only),
		cmocka_unit_test(test_v5_sampling_times_sequence),
		cmocka_unit_test(test_v9_data_before_template),
		cmocka_unit_test(test_v9_options_sampling),
		cmocka_unit_test(test_ipfix_varlen_enterprise),
		cmocka_unit_test(test_ipfix_sequence_and_withdrawal),
		cmocka_unit_test(test_template_cache_bound),
		cmocka_unit_test(test_exporter_table_flood),
		cmocka_unit_test(test_implausible_counts),
		cmocka_unit_test(test_bad_templates_and_sets),
		cmocka_unit_test(test_sflow_hand_built),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_corpus_netflow),
		cmocka_unit_test(test_corpus_sflow),
		cmocka_unit_test(test_endpoint_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
