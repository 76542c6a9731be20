/*
 * flows_udp.c - NetFlow v5 / v9 / IPFIX / sFlow ingest benchmark:
 * records per second decoded and fully accounted (interface flow, host
 * and L7 tables, nDPI on sFlow's sampled headers), next to the bare
 * decode rate of the same datagrams; accounted twice: with the captures'
 * own keys (a warm table: the records update a few hundred flows) and
 * with every record made a new flow (churn: its ports rewritten from the
 * record's number, so each one creates a flow and its table entry).
 *
 * How: the UDP payloads of the shared export captures (softflowd v5 and
 * v9, pmacct IPFIX and sFlow) are loaded once, then replayed in a loop
 * through flowdec_datagram() into an interface built as the unit tests
 * build one (no owner thread, no sockets): the same work the collector
 * does per datagram after recvfrom().  One core, single thread.
 *
 * usage: flows_udp [records per protocol, default 2000000] [SHARED_DIR]
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/decode.h"
#include "dpi/dpi.h"
#include "collector/flowdec.h"
#include "common/prefs.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "merge/iface.h"
#include "merge/tables.h"

#define ANCHOR_RPS 5000.0      /* ElastiFlow: 5 k records/s per core */
#define GOAL_RPS 500000.0

struct payloads {
	uint8_t **data;
	size_t *len;
	size_t n;
};

struct bench_sink {
	struct iface *ifc;
	struct decoder dec;
	uint64_t records;
	int churn; /* every record a new flow key */
};

/* churn: ports from the record's number (2^32 distinct keys per
 * address pair and protocol) */
static void
churn_ports(uint64_t rec, uint16_t *sport, uint16_t *dport)
{
	*sport = (uint16_t)(rec & 0xffff);
	*dport = (uint16_t)(*dport + (rec >> 16));
}

static int
sink_flow(void *arg, const struct flow_update *u)
{
	struct bench_sink *b = arg;
	struct flow_update c;

	b->records++;
	if (b->ifc == NULL)
		return 0;
	if (!b->churn)
		return iface_flow_update(b->ifc, u);
	c = *u;
	churn_ports(b->records, &c.sport, &c.dport);
	return iface_flow_update(b->ifc, &c);
}

static void
sink_packet(void *arg, const struct flowdec_packet *p)
{
	struct bench_sink *b = arg;
	struct pkt pk;
	int r;

	b->records++;
	if (b->ifc == NULL)
		return;
	r = (int)capture_decode(&b->dec, p->dlt, p->ts_ms * 1000, p->frame_len,
				p->data, p->caplen, &pk);
	pk.scale = p->scale;
	if (b->churn && pk.ports_known)
		churn_ports(b->records, &pk.sport, &pk.dport);
	iface_packet(b->ifc, &pk, r);
}

static int
load(const char *shared, const char *file, struct payloads *pl)
{
	char path[1024], err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *pc;

	snprintf(path, sizeof(path), "%s/pcaps/%s", shared, file);
	pc = pcap_open_offline(path, err);
	if (pc == NULL) {
		fprintf(stderr, "%s: %s\n", path, err);
		return -1;
	}
	memset(pl, 0, sizeof(*pl));
	while (pcap_next_ex(pc, &h, &d) == 1) {
		uint32_t off = 14, ulen;

		if (h->caplen < 42 || d[12] != 0x08 || d[13] != 0x00 || d[23] != 17)
			continue;
		off += (d[14] & 15) * 4u;
		if (off + 8 > h->caplen)
			continue;
		ulen = (uint32_t)(d[off + 4] << 8 | d[off + 5]);
		if (ulen < 8 || off + ulen > h->caplen)
			continue;
		pl->data = realloc(pl->data, (pl->n + 1) * sizeof(*pl->data));
		pl->len = realloc(pl->len, (pl->n + 1) * sizeof(*pl->len));
		if (pl->data == NULL || pl->len == NULL)
			return -1;
		pl->len[pl->n] = ulen - 8;
		pl->data[pl->n] = malloc(ulen - 8);
		if (pl->data[pl->n] == NULL)
			return -1;
		memcpy(pl->data[pl->n], d + off + 8, ulen - 8);
		pl->n++;
	}
	pcap_close(pc);
	return pl->n > 0 ? 0 : -1;
}

static struct iface *
bench_iface(struct prefs *p, uint64_t want)
{
	memset(p, 0, sizeof(*p));
	netlist_init(&p->local_nets);
	netlist_add(&p->local_nets, "10.0.0.0/8", NULL, 0);
	/* room for every record's flow (churn) */
	p->max_num_flows = (uint32_t)(want + 1024);
	p->max_num_hosts = 1 << 20;
	return iface_new_detached("bench", p);
}

/* Replays until `want` records; returns records/s. */
static double
run(const struct payloads *pl, struct iface *ifc, uint64_t want, int churn,
    uint64_t *got)
{
	struct flowdec d;
	struct bench_sink *b = calloc(1, sizeof(*b));
	struct flowdec_sink sink = { sink_flow, sink_packet, b };
	struct ipaddr ex;
	uint8_t a4[4] = { 127, 0, 0, 1 };
	uint64_t ms = (uint64_t)time(NULL) * 1000;
	double t0, t1;
	size_t i = 0;

	if (b == NULL || flowdec_init(&d) != 0)
		return 0;
	b->ifc = ifc;
	b->churn = churn;
	decoder_init(&b->dec);
	ipaddr_set4(&ex, a4);
	t0 = time_mono_s();
	while (b->records < want) {
		flowdec_datagram(&d, &ex, pl->data[i], pl->len[i], ms, &sink);
		if (++i == pl->n) {
			i = 0;
			ms++;
		}
	}
	t1 = time_mono_s();
	*got = b->records;
	flowdec_fini(&d);
	free(b);
	return (double)*got / (t1 - t0);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name, *file;
	} protos[] = {
		{ "NetFlow v5 (softflowd)", "export-netflow5.pcap" },
		{ "NetFlow v9 (softflowd)", "export-netflow9.pcap" },
		{ "IPFIX (pmacct)", "export-ipfix-pmacct.pcap" },
		{ "sFlow v5 (pmacct, raw headers + nDPI)", "export-sflow.pcap" },
	};
	uint64_t want = 2000000;
	const char *shared = "/work/shared";
	size_t k;
	char *end;

	if (argc > 1) {
		want = strtoull(argv[1], &end, 10);
		if (*end != '\0' || want == 0) {
			fprintf(stderr, "usage: %s [records] [shared dir]\n", argv[0]);
			return 2;
		}
	}
	if (argc > 2)
		shared = argv[2];
	else if (getenv("NTOPNG_SHARED") != NULL)
		shared = getenv("NTOPNG_SHARED");
	printf("%-40s %13s %13s %13s %9s\n", "protocol", "decode rec/s",
	       "warm rec/s", "churn rec/s", "x anchor");
	for (k = 0; k < sizeof(protos) / sizeof(protos[0]); k++) {
		struct payloads pl;
		struct prefs p;
		struct iface *ifc;
		uint64_t got1, got2, got3;
		uint32_t warm_flows, churn_flows;
		double r1, r2, r3;

		if (load(shared, protos[k].file, &pl) != 0)
			return 1;
		r1 = run(&pl, NULL, want, 0, &got1);
		ifc = bench_iface(&p, want);
		if (ifc == NULL)
			return 1;
		r2 = run(&pl, ifc, want, 0, &got2);
		warm_flows = iface_num_flows(ifc);
		iface_free(ifc);
		netlist_fini(&p.local_nets);
		ifc = bench_iface(&p, want);
		if (ifc == NULL)
			return 1;
		r3 = run(&pl, ifc, want, 1, &got3);
		churn_flows = iface_num_flows(ifc);
		printf("%-40s %13.0f %13.0f %13.0f %8.0fx  (%llu records; %u "
		       "flows warm, %u churn)\n",
		       protos[k].name, r1, r2, r3, r2 / ANCHOR_RPS,
		       (unsigned long long)got2, warm_flows, churn_flows);
		iface_free(ifc);
		netlist_fini(&p.local_nets);
	}
	printf("anchor: ElastiFlow %.0f records/s per core; goal %.0f records/s "
	       "per core (warm column); churn: every record a new flow\n",
	       ANCHOR_RPS, GOAL_RPS);
	return 0;
}
