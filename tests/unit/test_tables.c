/*
 * test_tables.c - the interface tables: flow keying in both directions,
 * host and L7 accounting, limits, idle purge, and the owner-thread
 * mailbox (iface_query) with a real owner thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <ndpi/ndpi_main.h>

#include "capture/decode.h"
#include "dpi/dpi.h"
#include "common/prefs.h"
#include "common/log.h"
#include "merge/iface.h"
/* white-box: reads and sets the private layout of struct iface (the
 * tables, counters and clocks under test) */
#include "merge/iface_priv.h"
#include "merge/query.h"
#include "exporter/writer.h"
#include "merge/tables.h"

static struct prefs test_prefs;

/* An interface on test_prefs as they are. */
static struct iface *
new_iface(void)
{
	struct iface *ifc = iface_new_detached("test", &test_prefs);

	assert_non_null(ifc);
	return ifc;
}

/* test_prefs made anew (192.168.1.0/24 local), and an interface on them. */
static struct iface *
make_iface(uint32_t max_flows, uint32_t max_hosts)
{
	memset(&test_prefs, 0, sizeof(test_prefs));
	netlist_init(&test_prefs.local_nets);
	assert_int_equal(netlist_add(&test_prefs.local_nets, "192.168.1.0/24", NULL, 0), 0);
	test_prefs.max_num_flows = max_flows;
	test_prefs.max_num_hosts = max_hosts;
	return new_iface();
}

static void
free_iface(struct iface *ifc)
{
	iface_free(ifc);
	netlist_fini(&test_prefs.local_nets);
}

/* A UDP packet without payload between two IPv4 addresses. */
static struct pkt
udp_pkt(const char *src, uint16_t sport, const char *dst, uint16_t dport,
	uint32_t len, uint64_t ts_ms)
{
	struct pkt p;

	memset(&p, 0, sizeof(p));
	assert_int_equal(ipaddr_parse(&p.src, src), 0);
	assert_int_equal(ipaddr_parse(&p.dst, dst), 0);
	p.ip_version = 4;
	p.l4_proto = 17;
	p.sport = sport;
	p.dport = dport;
	p.ports_known = 1;
	p.wire_len = len;
	p.cap_len = len;
	p.ts_us = ts_ms * 1000;
	return p;
}

static void
test_bidirectional_flow(void **state)
{
	struct iface *ifc = make_iface(100, 100);
	struct pkt a = udp_pkt("192.168.1.10", 5000, "203.0.113.5", 53, 100, 1000);
	struct pkt b = udp_pkt("203.0.113.5", 53, "192.168.1.10", 5000, 300, 1001);
	struct ipaddr ip;
	struct host *h;

	iface_packet(ifc, &a, DECODE_IP);
	iface_packet(ifc, &b, DECODE_IP);
	iface_packet(ifc, &a, DECODE_IP);
	assert_int_equal(ifc->num_flows, 1);
	assert_int_equal(ifc->num_hosts, 2);
	assert_int_equal(ifc->num_local_hosts, 1);
	assert_int_equal(ifc->flow_head->c2s_pkts, 2);
	assert_int_equal(ifc->flow_head->c2s_bytes, 200);
	assert_int_equal(ifc->flow_head->s2c_bytes, 300);
	assert_int_equal(ifc->stats.packets, 3);
	assert_int_equal(ifc->stats.bytes, 500);
	assert_int_equal(ifc->stats.local2remote, 200);
	assert_int_equal(ifc->stats.remote2local, 300);
	ipaddr_parse(&ip, "192.168.1.10");
	h = iface_host_find(ifc, &ip, 0);
	assert_non_null(h);
	assert_int_equal(h->c.bytes_sent, 200);
	assert_int_equal(h->c.bytes_rcvd, 300);
	assert_int_equal(h->udp.pkts_sent, 2);
	assert_int_equal(h->active_flows_cli, 1);
	/* same addresses on another VLAN: another flow and other hosts */
	a.vlan = 10;
	iface_packet(ifc, &a, DECODE_IP);
	assert_int_equal(ifc->num_flows, 2);
	assert_int_equal(ifc->num_hosts, 4);
	free_iface(ifc);
}

/* A host's traffic other than TCP, UDP and ICMP is not kept apart:
 * host_other() is its totals less those three. */
static void
test_host_other_l4(void **state)
{
	struct iface *ifc = make_iface(100, 100);
	struct pkt u = udp_pkt("10.0.0.1", 5000, "10.0.0.2", 53, 100, 1000);
	struct pkt g = udp_pkt("10.0.0.1", 0, "10.0.0.2", 0, 700, 1001);
	struct pkt r = udp_pkt("10.0.0.2", 0, "10.0.0.1", 0, 40, 1002);
	struct pkt i = udp_pkt("10.0.0.2", 0, "10.0.0.1", 0, 64, 1003);
	struct counters o;
	struct ipaddr ip;
	struct host *h;

	(void)state;
	g.l4_proto = r.l4_proto = 47; /* GRE, both ways */
	g.ports_known = r.ports_known = 0;
	i.l4_proto = 1;
	i.ports_known = 0;
	iface_packet(ifc, &u, DECODE_IP);
	iface_packet(ifc, &g, DECODE_IP);
	iface_packet(ifc, &g, DECODE_IP);
	iface_packet(ifc, &r, DECODE_IP);
	iface_packet(ifc, &i, DECODE_IP);
	assert_int_equal(ipaddr_parse(&ip, "10.0.0.1"), 0);
	h = iface_host_find(ifc, &ip, 0);
	assert_non_null(h);
	assert_int_equal(h->c.bytes_sent, 1500);
	assert_int_equal(h->udp.bytes_sent, 100);
	assert_int_equal(h->icmp.bytes_rcvd, 64);
	o = host_other(h);
	assert_int_equal(o.bytes_sent, 1400);
	assert_int_equal(o.pkts_sent, 2);
	assert_int_equal(o.bytes_rcvd, 40);
	assert_int_equal(o.pkts_rcvd, 1);
	free_iface(ifc);
}

static void
test_limits_count_drops(void **state)
{
	struct iface *ifc = make_iface(2, 100);
	int i;

	for (i = 0; i < 5; i++) {
		struct pkt p = udp_pkt("10.0.0.1", (uint16_t)(1000 + i), "10.0.0.2",
				       80, 60, 1000);

		iface_packet(ifc, &p, DECODE_IP);
	}
	assert_int_equal(ifc->num_flows, 2);
	assert_int_equal(ifc->stats.flows_dropped, 3);
	/* dropped flows still count as interface traffic */
	assert_int_equal(ifc->stats.packets, 5);
	free_iface(ifc);
}

/* A real DNS query for www.example.com, IPv4+UDP+DNS, as nDPI sees it. */
static const uint8_t dns_query[] = {
	0x45, 0x00, 0x00, 0x3d, 0x12, 0x34, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
	0xc0, 0xa8, 0x01, 0x0a, 0xc6, 0x33, 0x64, 0x35,
	0xd4, 0x31, 0x00, 0x35, 0x00, 0x29, 0x00, 0x00,
	0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x03, 'w', 'w', 'w', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	0x03, 'c', 'o', 'm', 0x00, 0x00, 0x01, 0x00, 0x01,
};

static void
test_l7_moves_with_detection(void **state)
{
	struct iface *ifc = make_iface(100, 100);
	struct pkt p = udp_pkt("192.168.1.10", 54321, "198.51.100.53", 53, 75, 5000);
	struct pkt q;
	struct flow *f;
	struct host *h;
	uint64_t sum = 0;
	uint32_t i;

	p.l3 = dns_query;
	p.l3_len = sizeof(dns_query);
	iface_packet(ifc, &p, DECODE_IP);
	f = ifc->flow_head;
	assert_non_null(f);
	assert_int_equal(f->l7_app, NDPI_PROTOCOL_DNS);
	assert_int_equal(f->l7_counted, NDPI_PROTOCOL_DNS);
	assert_string_equal(f->info, "www.example.com");
	assert_int_equal(ifc->l7[NDPI_PROTOCOL_DNS].bytes, 75);
	assert_int_equal(ifc->l7[NDPI_PROTOCOL_UNKNOWN].bytes, 0);
	assert_int_equal(ifc->l7[NDPI_PROTOCOL_DNS].active_flows, 1);
	assert_int_equal(ifc->l7[NDPI_PROTOCOL_UNKNOWN].active_flows, 0);
	for (i = 0; i < ifc->n_l7; i++)
		sum += ifc->l7[i].bytes;
	assert_int_equal(sum, ifc->stats.ip_bytes);
	assert_string_equal(iface_l7_name(ifc, f->l7_app), "DNS");
	/* a second flow of the host: its Unknown entry comes and goes, and
	 * the host's array shrinks back to its one DNS entry */
	q = udp_pkt("192.168.1.10", 54321, "198.51.100.54", 53, 80, 5001);
	q.l3 = dns_query;
	q.l3_len = sizeof(dns_query);
	iface_packet(ifc, &q, DECODE_IP);
	h = iface_host_find(ifc, &q.src, 0);
	assert_non_null(h);
	assert_int_equal(ifc->num_flows, 2);
	assert_int_equal(h->n_l7, 1);
	assert_int_equal(h->cap_l7, 1);
	assert_int_equal(h->l7[0].proto, NDPI_PROTOCOL_DNS);
	assert_int_equal(h->l7[0].bytes_sent, 155);
	assert_int_equal(u48_get(&h->l7[0].pkts_sent), 2);
	assert_int_equal(h->l7[0].num_flows, 2);
	assert_int_equal(host_unknown_bytes(h), 0);
	/* a third one, still in detection: its bytes are the host's
	 * Unknown ones, in an Unknown entry the array grew for */
	q = udp_pkt("192.168.1.10", 40000, "198.51.100.55", 40001, 60, 5002);
	iface_packet(ifc, &q, DECODE_IP);
	assert_int_equal(h->n_l7, 2);
	assert_int_equal(h->cap_l7, 2);
	assert_int_equal(h->l7[1].proto, NDPI_PROTOCOL_UNKNOWN);
	assert_int_equal(host_unknown_bytes(h), 60);
	free_iface(ifc);
}

static void
test_purge_keeps_hosts_with_flows(void **state)
{
	struct iface *ifc = make_iface(100, 100);
	struct pkt old = udp_pkt("10.0.0.1", 1, "10.0.0.2", 2, 60, 1000);
	struct pkt fresh = udp_pkt("10.0.0.1", 3, "10.0.0.3", 4, 60,
				   1000 + TABLES_HOST_IDLE_MS + 10);

	iface_packet(ifc, &old, DECODE_IP);
	iface_packet(ifc, &fresh, DECODE_IP);
	tables_purge(ifc, 1000 + TABLES_HOST_IDLE_MS + 20, 0);
	/* the old flow and 10.0.0.2 go; 10.0.0.1 stays (active flow) */
	assert_int_equal(ifc->num_flows, 1);
	assert_int_equal(ifc->num_hosts, 2);
	assert_int_equal(ifc->stats.flows_purged, 1);
	assert_int_equal(ifc->stats.hosts_purged, 1);
	/* pressure-only purge leaves a table far from full alone */
	tables_purge(ifc, 1000 + 10 * TABLES_HOST_IDLE_MS, 1);
	assert_int_equal(ifc->num_flows, 1);
	/* probes' timeouts (130 s): a flow idle 100 s stays, 131 s goes */
	assert_int_equal(ifc->flow_idle_ms, TABLES_FLOW_IDLE_MS);
	ifc->flow_idle_ms = 130000;
	tables_purge(ifc, fresh.ts_us / 1000 + 100000, 0);
	assert_int_equal(ifc->num_flows, 1);
	tables_purge(ifc, fresh.ts_us / 1000 + 131000, 0);
	assert_int_equal(ifc->num_flows, 0);
	free_iface(ifc);
}


static void
test_flow_updates_add_up(void **state)
{
	struct iface *ifc = make_iface(100, 100);
	struct flow_update u;
	struct flow *f;

	memset(&u, 0, sizeof(u));
	u.ip_version = 4;
	u.l4_proto = 6;
	ipaddr_parse(&u.src, "192.168.1.20");
	ipaddr_parse(&u.dst, "203.0.113.9");
	u.sport = 40000;
	u.dport = 443;
	u.in_bytes = 1000;
	u.in_pkts = 10;
	u.out_bytes = 5000;
	u.out_pkts = 8;
	u.first_ms = 1000;
	u.last_ms = 2000;
	u.l7_master = NDPI_PROTOCOL_TLS;
	u.l7_app = NDPI_PROTOCOL_GOOGLE;
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	/* the same flow reported from the other side: deltas add up */
	memset(&u.src, 0, sizeof(u.src));
	ipaddr_parse(&u.src, "203.0.113.9");
	ipaddr_parse(&u.dst, "192.168.1.20");
	u.sport = 443;
	u.dport = 40000;
	u.in_bytes = 700;  /* server -> client */
	u.in_pkts = 1;
	u.out_bytes = 300;
	u.out_pkts = 2;
	u.last_ms = 3000;
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	assert_int_equal(ifc->num_flows, 1);
	f = ifc->flow_head;
	assert_int_equal(f->c2s_bytes, 1300);
	assert_int_equal(f->s2c_bytes, 5700);
	assert_int_equal(f->c2s_pkts, 12);
	assert_int_equal(f->s2c_pkts, 9);
	assert_int_equal(f->last_ms, 3000);
	assert_int_equal(ifc->stats.bytes, 7000);
	assert_int_equal(ifc->stats.packets, 21);
	assert_int_equal(ifc->l7[NDPI_PROTOCOL_GOOGLE].bytes, 7000);
	assert_int_equal(ifc->l7[NDPI_PROTOCOL_UNKNOWN].bytes, 0);
	/* absolute counters: only what is new is added */
	u.absolute = 1;
	u.in_bytes = 5800;  /* server -> client total */
	u.in_pkts = 10;
	u.out_bytes = 1300;
	u.out_pkts = 12;
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	assert_int_equal(f->s2c_bytes, 5800);
	assert_int_equal(f->c2s_bytes, 1300);
	assert_int_equal(ifc->stats.bytes, 7100);
	/* mixed address families are refused */
	u.absolute = 0;
	ipaddr_parse(&u.dst, "2001:db8::1");
	assert_int_equal(iface_flow_update(ifc, &u), -1);
	free_iface(ifc);
}

/* Hierarchies: a long in-order stream from one origin is all accepted
 * (more updates than the de-duplication window holds), a second copy of
 * recent updates is refused, and so is our own traffic coming back. */
static void
test_origin_dedup_and_loops(void **state)
{
	struct iface *ifc = make_iface(20000, 20000);
	struct flow_update u;
	uint64_t seq;

	snprintf(node_id, sizeof(node_id), "self");
	snprintf(ifc->origins[0].id, sizeof(ifc->origins[0].id), "self");
	memset(&u, 0, sizeof(u));
	u.ip_version = 4;
	u.l4_proto = 17;
	ipaddr_parse(&u.src, "10.1.0.1");
	ipaddr_parse(&u.dst, "10.2.0.1");
	u.dport = 53;
	u.in_bytes = 100;
	u.in_pkts = 1;
	u.site_path = "edge1>regional";
	for (seq = 1; seq <= 10000; seq++) {
		u.sport = (uint16_t)(1024 + seq);
		u.origin_seq = 5000000 + seq;
		assert_int_equal(iface_flow_update(ifc, &u), 0);
	}
	assert_int_equal(ifc->stats.duplicates_refused, 0);
	assert_int_equal(ifc->num_flows, 10000);
	assert_int_equal(ifc->stats.bytes, 1000000);
	assert_int_equal(ifc->n_origins, 2);
	assert_string_equal(ifc->origins[1].id, "edge1");
	assert_string_equal(ifc->origins[1].path, "edge1>regional");
	{
		struct ipaddr ip;
		struct host *h;

		assert_int_equal(ipaddr_parse(&ip, "10.2.0.1"), 0);
		h = iface_host_find(ifc, &ip, 0);
		assert_non_null(h);
		assert_int_equal(host_origins(h), 1ULL << 1);
		assert_null(h->x); /* one origin: no host_ext */
	}
	/* the last 10 again, as over a second path of a mesh */
	u.site_path = "edge1>other";
	for (seq = 9991; seq <= 10000; seq++) {
		u.sport = (uint16_t)(1024 + seq);
		u.origin_seq = 5000000 + seq;
		assert_int_equal(iface_flow_update(ifc, &u), 0);
	}
	/* one far older than the window */
	u.origin_seq = 5000000 + 5;
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	assert_int_equal(ifc->stats.duplicates_refused, 11);
	assert_int_equal(ifc->stats.bytes, 1000000);
	/* our own id in the path: a loop */
	u.site_path = "edge1>self>regional";
	u.origin_seq = 6000000;
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	assert_int_equal(ifc->stats.loops_refused, 1);
	assert_int_equal(ifc->stats.bytes, 1000000);
	/* the same 5-tuple from another origin is another flow */
	u.site_path = "edge2";
	u.origin_seq = 1;
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	assert_int_equal(ifc->num_flows, 10001);
	/* both hosts have flows of edge1 (1) and edge2 (the 3rd origin):
	 * kept in their host_ext once there are two */
	{
		struct ipaddr ip;
		struct host *h;

		assert_int_equal(ifc->n_origins, 3);
		assert_int_equal(ipaddr_parse(&ip, "10.1.0.1"), 0);
		h = iface_host_find(ifc, &ip, 0);
		assert_non_null(h);
		assert_int_equal(host_origins(h), (1ULL << 1) | (1ULL << 2));
		assert_int_equal(h->origin1, 0);
		assert_non_null(h->x);
	}
	free_iface(ifc);
}

/* Snapshots (docs/hierarchy.md "Convergence"): a snapshot record sets a
 * flow to its sender's totals (never adds), a delta it covers is refused,
 * a later delta adds, an older snapshot changes nothing; the origin's
 * declarations give missed_expired and its restarts. */
static void
test_snapshot_sets_not_adds(void **state)
{
	struct iface *ifc = make_iface(1000, 1000);
	struct flow_update u;
	struct node_event ev;

	(void)state;
	snprintf(node_id, sizeof(node_id), "hub");
	snprintf(ifc->origins[0].id, sizeof(ifc->origins[0].id), "hub");
	memset(&u, 0, sizeof(u));
	u.ip_version = 4;
	u.l4_proto = 17;
	ipaddr_parse(&u.src, "10.1.0.1");
	ipaddr_parse(&u.dst, "10.2.0.1");
	u.sport = 1000;
	u.dport = 53;
	u.site_path = "edge";
	/* two deltas: 100 + 50 bytes */
	u.in_bytes = 100;
	u.in_pkts = 1;
	u.origin_seq = 10;
	u.flow_first = 1;
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	u.flow_first = 0;
	u.in_bytes = 50;
	u.origin_seq = 11;
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	assert_int_equal(ifc->stats.bytes, 150);
	/* a snapshot covering 12: the edge had 400 bytes, 4 packets */
	u.snapshot = 1;
	u.in_bytes = 400;
	u.in_pkts = 4;
	u.origin_seq = 12;
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	assert_int_equal(ifc->stats.bytes, 400);
	assert_int_equal(ifc->stats.packets, 4);
	assert_int_equal(ifc->origins[1].snap_records, 1);
	/* the same snapshot again (another subscriber's): nothing */
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	assert_int_equal(ifc->stats.bytes, 400);
	assert_int_equal(ifc->origins[1].snap_stale, 1);
	/* a delta it covers, arriving late over another path: refused */
	u.snapshot = 0;
	u.in_bytes = 70;
	u.in_pkts = 1;
	u.origin_seq = 12;
	u.site_path = "edge>relay";
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	assert_int_equal(ifc->stats.bytes, 400);
	assert_int_equal(ifc->origins[1].covered, 1);
	/* a later delta adds */
	u.site_path = "edge";
	u.origin_seq = 13;
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	assert_int_equal(ifc->stats.bytes, 470);
	/* an older snapshot (a relay that lags): nothing */
	u.snapshot = 1;
	u.in_bytes = 300;
	u.origin_seq = 11;
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	assert_int_equal(ifc->stats.bytes, 470);
	assert_int_equal(ifc->num_flows, 1);
	assert_int_equal(ifc->origins[1].flows, 1);

	/* the edge declares 2 flows, 900 bytes, 9 packets: one flow (430
	 * bytes, 4 packets) ended before we heard of it */
	memset(&ev, 0, sizeof(ev));
	snprintf(ev.node_id, sizeof(ev.node_id), "edge");
	ev.start_ms = 1000;
	ev.flows = 2;
	ev.bytes = 900;
	ev.pkts = 9;
	tables_node_event(ifc, &ev);
	assert_int_equal(ifc->origins[1].missed[0], 1);
	assert_int_equal(ifc->origins[1].missed[1], 430);
	assert_int_equal(ifc->origins[1].missed[2], 4);
	assert_int_equal(ifc->origins[1].restarts, 0);
	/* it restarts: a new run, nothing of it missed yet; the old run's
	 * gap stays, its flow here is orphaned */
	ev.start_ms = 2000;
	ev.flows = 0;
	ev.bytes = 0;
	ev.pkts = 0;
	tables_node_event(ifc, &ev);
	assert_int_equal(ifc->origins[1].restarts, 1);
	assert_int_equal(ifc->origins[1].orphaned_flows, 1);
	assert_int_equal(ifc->origins[1].missed[1], 430);
	/* the new run's first delta of the same 5-tuple: one more of its
	 * flows, although the old one here takes it */
	u.snapshot = 0;
	u.flow_first = 1;
	u.in_bytes = 10;
	u.in_pkts = 1;
	u.origin_seq = 20;
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	ev.flows = 1;
	ev.bytes = 10;
	ev.pkts = 1;
	tables_node_event(ifc, &ev);
	assert_int_equal(ifc->origins[1].missed[0], 1);
	assert_int_equal(ifc->origins[1].missed[1], 430);
	assert_int_equal(ifc->stats.bytes, 480);
	free_iface(ifc);
}

/* iface_flow_prefetch() is only a hint: batches fed with it end exactly
 * as without it, whatever they hold (the same new flow twice, both
 * directions of one flow, an origin not seen yet), when updates do not
 * follow the prefetched order, and when the flows it found are freed
 * before the updates come (ASan would see the stale pointer). */
#define PF_N 6

static void
pf_batch(struct flow_update *u, int round)
{
	int i;

	memset(u, 0, PF_N * sizeof(*u));
	for (i = 0; i < PF_N; i++) {
		u[i].ip_version = 4;
		u[i].l4_proto = 6;
		ipaddr_parse(&u[i].src, "192.168.1.10");
		ipaddr_parse(&u[i].dst, "198.51.100.7");
		u[i].sport = (uint16_t)(30000 + i % 3);
		u[i].dport = 443;
		u[i].in_bytes = (uint64_t)(100 * (i + 1) + round);
		u[i].in_pkts = 1;
		u[i].out_bytes = 10;
		u[i].out_pkts = 1;
		u[i].l7_master = NDPI_PROTOCOL_TLS;
	}
	/* [3] is [0] seen from the server's side */
	u[3].src = u[0].dst;
	u[3].dst = u[0].src;
	u[3].sport = 443;
	u[3].dport = 30000;
	/* [5] comes from an origin the interface does not know yet */
	u[5].site_path = round ? "edgeB" : "edgeA";
	u[5].origin_seq = (uint64_t)round + 1;
}

static void
pf_feed(struct iface *ifc, int prefetch, int round, int purge, int shuffle)
{
	struct flow_update u[PF_N];
	const struct flow_update *pu[PF_N];
	int i;

	pf_batch(u, round);
	for (i = 0; i < PF_N; i++)
		pu[i] = &u[i];
	if (prefetch)
		iface_flow_prefetch(ifc, pu, PF_N);
	if (purge)       /* every flow idle: freed */
		tables_purge(ifc, UINT64_MAX / 2, 0);
	for (i = 0; i < PF_N; i++)
		assert_int_equal(iface_flow_update(ifc, pu[shuffle ? PF_N - 1 - i : i]), 0);
}

static void
test_prefetch_changes_nothing(void **state)
{
	struct iface *a = make_iface(100, 100), *b = new_iface();
	const struct flow *fa, *fb;
	int round;

	snprintf(node_id, sizeof(node_id), "self");
	for (round = 0; round < 4; round++) {
		a->wall_ms = b->wall_ms = 1000000 + (uint64_t)round * 10;
		pf_feed(a, 0, round, round == 2, round == 3);
		pf_feed(b, 1, round, round == 2, round == 3);
	}
	assert_int_equal(a->num_flows, b->num_flows);
	assert_int_equal(a->num_hosts, b->num_hosts);
	assert_int_equal(a->stats.bytes, b->stats.bytes);
	assert_int_equal(a->stats.packets, b->stats.packets);
	assert_int_equal(a->n_origins, b->n_origins);
	/* what round 3 left: flows 30000 (from [0] and [3]), 30001, 30002
	 * and the origin edgeB's 30002 */
	assert_int_equal(b->num_flows, 4);
	/* 4 rounds of 6 updates: 100..600 bytes (+ round) and 10 back */
	assert_int_equal(b->stats.bytes, 4 * (2100 + 60) + 6 * (0 + 1 + 2 + 3));
	assert_int_equal(b->n_origins, 3);
	for (fa = a->flow_head, fb = b->flow_head; fa && fb;
	     fa = fa->next, fb = fb->next) {
		assert_int_equal(fa->cli_port, fb->cli_port);
		assert_int_equal(fa->origin, fb->origin);
		assert_int_equal(fa->c2s_bytes, fb->c2s_bytes);
		assert_int_equal(fa->s2c_bytes, fb->s2c_bytes);
		assert_int_equal(fa->c2s_pkts, fb->c2s_pkts);
	}
	assert_null(fa);
	assert_null(fb);
	assert_int_equal(a->l7[NDPI_PROTOCOL_TLS].bytes, b->stats.bytes);
	assert_int_equal(b->l7[NDPI_PROTOCOL_TLS].bytes, b->stats.bytes);
	iface_free(b);
	free_iface(a);
}

/* The first packet of a flow seen from the wrong side (a capture that
 * starts mid-connection): upstream's rule, as the ZMQ collector applies
 * it, makes the sender of a SYN-ACK or of a packet from a lower port to a
 * higher one the server; a SYN, UDP and equal ports keep the sender as
 * the client. */
static void
test_first_packet_direction(void **state)
{
	static const struct {
		uint8_t proto, flags;
		uint16_t sport, dport;
		int swapped;
	} cases[] = {
		{ 6, 0x10, 22, 50022, 1 },      /* ACK from ssh to the client */
		{ 6, 0x18, 443, 40000, 1 },     /* PSH-ACK from a web server */
		{ 6, 0x12, 8080, 3000, 1 },     /* SYN-ACK: server whatever the ports */
		{ 6, 0x02, 22, 40000, 0 },      /* SYN: client whatever the ports */
		{ 6, 0x10, 40000, 22, 0 },      /* client to server already */
		{ 17, 0, 53, 5000, 0 },         /* UDP: never swapped */
		{ 6, 0x10, 5000, 5000, 0 },     /* equal ports */
	};
	struct iface *ifc = make_iface(100, 100);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char src[32], dst[32];
		struct pkt a, b;
		struct flow *f;

		snprintf(src, sizeof(src), "10.0.%u.1", (unsigned)i);
		snprintf(dst, sizeof(dst), "10.1.%u.2", (unsigned)i);
		a = udp_pkt(src, cases[i].sport, dst, cases[i].dport, 100, 1000 + i);
		a.l4_proto = cases[i].proto;
		a.tcp_flags = cases[i].flags;
		b = udp_pkt(dst, cases[i].dport, src, cases[i].sport, 60, 1001 + i);
		b.l4_proto = cases[i].proto;
		b.tcp_flags = 0x10;
		iface_packet(ifc, &a, DECODE_IP);
		iface_packet(ifc, &b, DECODE_IP);
		f = ifc->flow_tail;
		assert_non_null(f);
		if (cases[i].swapped) {
			/* the sender of the first packet is the server */
			assert_int_equal(f->cli_port, cases[i].dport);
			assert_int_equal(f->srv_port, cases[i].sport);
			assert_int_equal(f->s2c_bytes, 100);
			assert_int_equal(f->c2s_bytes, 60);
			assert_int_equal(f->srv_host->c.bytes_sent, 100);
			assert_int_equal(f->srv_host->active_flows_srv, 1);
		} else {
			assert_int_equal(f->cli_port, cases[i].sport);
			assert_int_equal(f->srv_port, cases[i].dport);
			assert_int_equal(f->c2s_bytes, 100);
			assert_int_equal(f->s2c_bytes, 60);
			assert_int_equal(f->cli_host->c.bytes_sent, 100);
		}
	}
	assert_int_equal(ifc->num_flows, sizeof(cases) / sizeof(cases[0]));
	free_iface(ifc);
}

static void
count_flows(struct iface *ifc, void *arg)
{
	*(uint32_t *)arg = ifc->num_flows + 1000;
}

/* issue 11 #9: counters saturate instead of wrapping, and the REST JSON
 * of them is never negative. */
static void
test_counters_saturate(void **state)
{
	struct iface *ifc = make_iface(100, 100);
	struct flow_update u;
	json_t *d, *hl;
	struct host_query hq;
	struct host *h;
	struct u48 v;
	size_t i;
	int k;

	(void)state;
	memset(&u, 0, sizeof(u));
	u.ip_version = 4;
	u.l4_proto = 17;
	ipaddr_parse(&u.src, "192.168.1.30");
	ipaddr_parse(&u.dst, "203.0.113.30");
	u.sport = 40000;
	u.dport = 53;
	u.in_bytes = 1ull << 62;
	u.in_pkts = 1ull << 62;
	u.first_ms = 1000;
	u.last_ms = 2000;
	for (k = 0; k < 3; k++)
		assert_int_equal(iface_flow_update(ifc, &u), 0);
	assert_int_equal(ifc->flow_head->c2s_bytes, INT64_MAX);
	assert_int_equal(ifc->flow_head->c2s_pkts, INT64_MAX);
	assert_int_equal(ifc->stats.bytes, INT64_MAX);
	assert_int_equal(ifc->stats.packets, INT64_MAX);
	d = query_iface_data(ifc, 0);
	assert_non_null(d);
	assert_int_equal(json_integer_value(json_object_get(d, "bytes")), INT64_MAX);
	assert_int_equal(json_integer_value(json_object_get(d, "packets")), INT64_MAX);
	json_decref(d);
	memset(&hq, 0, sizeof(hq));
	hq.vlan = -1;
	hq.per_page = -1;
	hq.page = 1;
	hl = query_hosts_list(ifc, &hq);
	assert_non_null(hl);
	assert_int_equal(json_array_size(json_object_get(hl, "data")), 2);
	for (i = 0; i < 2; i++) {
		json_t *b = json_object_get(json_array_get(json_object_get(hl, "data"), i),
					    "bytes");

		assert_true(json_integer_value(json_object_get(b, "total")) > 0);
		assert_true(json_integer_value(json_object_get(b, "sent")) >= 0);
		assert_true(json_integer_value(json_object_get(b, "recvd")) >= 0);
	}
	json_decref(hl);
	/* the host's L7 entry: bytes 64-bit, packets 48-bit, both stop at
	 * their top instead of wrapping */
	h = iface_host_find(ifc, &u.src, 0);
	assert_non_null(h);
	assert_int_equal(h->n_l7, 1);
	assert_int_equal(h->l7[0].proto, NDPI_PROTOCOL_DNS); /* by port */
	assert_int_equal(h->l7[0].bytes_sent, INT64_MAX);
	assert_int_equal(u48_get(&h->l7[0].pkts_sent), U48_MAX);
	assert_int_equal(u48_get(&h->l7[0].pkts_rcvd), 0);
	assert_int_equal(u48_get(&h->l7[0].first_ms), 1000);
	assert_int_equal(u48_get(&h->l7[0].last_ms), 2000);
	free_iface(ifc);
	/* the 48-bit numbers themselves */
	u48_set(&v, 0x123456789abcULL);
	assert_int_equal(u48_get(&v), 0x123456789abcULL);
	u48_add(&v, U48_MAX);
	assert_int_equal(u48_get(&v), U48_MAX);
	u48_set(&v, 1ULL << 50);
	assert_int_equal(u48_get(&v), U48_MAX);
	u48_sub(&v, 1);
	assert_int_equal(u48_get(&v), U48_MAX - 1);
	u48_sub(&v, U48_MAX);
	assert_int_equal(u48_get(&v), 0);
}

static void
test_mailbox_query_runs_on_owner(void **state)
{
	struct iface *ifc = make_iface(100, 100);
	uint32_t answer = 0;

	/* no sources: the owner thread only serves its mailbox */
	free(ifc->l7);
	ifc->l7 = NULL;
	dpi_module_free(ifc->ndpi);
	ifc->ndpi = NULL;
	assert_int_equal(iface_start(ifc), 0);
	assert_int_equal(iface_query(ifc, count_flows, &answer, 5000), 0);
	assert_int_equal(answer, 1000);
	iface_stop(ifc);
	free_iface(ifc);
}

static int built;

static json_t *
build_count(struct iface *ifc, void *arg)
{
	(void)ifc;
	built++;
	*(int *)arg = 42;
	return json_pack("{s:i}", "n", 1);
}

static void
bump(struct iface *ifc, void *arg)
{
	(void)ifc;
	(*(int *)arg)++;
}

/* A query nobody takes times out, is withdrawn and never runs later;
 * query_run frees what it allocated (ASan's leak check fails this test
 * when the context or its copy of the argument is left behind). */
static void
test_query_timeout_withdraws(void **state)
{
	struct iface *ifc = make_iface(100, 100);
	int arg = 0, late = 0, i;
	json_t *out = (json_t *)1;

	free(ifc->l7);
	ifc->l7 = NULL;
	dpi_module_free(ifc->ndpi);
	ifc->ndpi = NULL;
	built = 0;
	/* no owner thread yet: nobody answers */
	for (i = 0; i < 3; i++) {
		assert_int_equal(query_run_timeout(ifc, build_count, &arg,
						   sizeof(arg), &out, 20), -1);
		assert_null(out);
	}
	assert_int_equal(iface_query(ifc, bump, &late, 20), -1);
	assert_null(ifc->mbox_head);
	/* once an owner runs, the withdrawn queries stay withdrawn */
	assert_int_equal(iface_start(ifc), 0);
	assert_int_equal(query_run_timeout(ifc, build_count, &arg, sizeof(arg),
					   &out, 5000), 0);
	assert_non_null(out);
	assert_int_equal(json_integer_value(json_object_get(out, "n")), 1);
	json_decref(out);
	assert_int_equal(arg, 42);
	assert_int_equal(built, 1);
	assert_int_equal(late, 0);
	iface_stop(ifc);
	free_iface(ifc);
}

static atomic_int stats_stop;

static void *
stats_reader(void *arg)
{
	struct writer_stats st;
	uint64_t *max = arg;

	while (!atomic_load(&stats_stop)) {
		writer_get_stats(&st);
		if (st.flows_written > *max)
			*max = st.flows_written;
	}
	return NULL;
}

/* The writer's statistics read by another thread while the writer thread
 * counts: the counts are exact at the end, and the copy never races with
 * the writer's bumps (a ThreadSanitizer build reports the race the plain
 * increments had). */
static void
test_writer_stats_while_writing(void **state)
{
	char dir[] = "/tmp/ntopng-test-writer-XXXXXX";
	char cmd[64];
	struct writer_stats st;
	struct writer_rec r;
	uint64_t seen = 0;
	pthread_t t;
	int i;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(writer_start(dir), 0);
	assert_int_equal(writer_iface_set(0, "test"), 0);
	atomic_store(&stats_stop, 0);
	assert_int_equal(pthread_create(&t, NULL, stats_reader, &seen), 0);
	memset(&r, 0, sizeof(r));
	r.kind = WREC_FLOW;
	r.u.flow.l4_proto = 17;
	r.u.flow.ifname = "test";
	snprintf(r.u.flow.cli, sizeof(r.u.flow.cli), "10.0.0.1");
	snprintf(r.u.flow.srv, sizeof(r.u.flow.srv), "10.0.0.2");
	for (i = 0; i < 500; i++) {
		r.u.flow.cli_port = (uint16_t)(1000 + i);
		r.u.flow.c2s_bytes = 100;
		r.u.flow.first_ms = r.u.flow.last_ms = (uint64_t)time(NULL) * 1000;
		assert_int_equal(writer_post_wait(&r), 0);
	}
	assert_int_equal(writer_drain(10000), 0);
	atomic_store(&stats_stop, 1);
	pthread_join(t, NULL);
	writer_get_stats(&st);
	assert_int_equal(st.posted, 500);
	assert_int_equal(st.flows_written, 500);
	assert_int_equal(st.db_errors, 0);
	assert_true(seen <= 500);
	writer_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bidirectional_flow),
		cmocka_unit_test(test_host_other_l4),
		cmocka_unit_test(test_limits_count_drops),
		cmocka_unit_test(test_l7_moves_with_detection),
		cmocka_unit_test(test_purge_keeps_hosts_with_flows),
		cmocka_unit_test(test_flow_updates_add_up),
		cmocka_unit_test(test_origin_dedup_and_loops),
		cmocka_unit_test(test_snapshot_sets_not_adds),
		cmocka_unit_test(test_prefetch_changes_nothing),
		cmocka_unit_test(test_counters_saturate),
		cmocka_unit_test(test_mailbox_query_runs_on_owner),
		cmocka_unit_test(test_query_timeout_withdraws),
		cmocka_unit_test(test_first_packet_direction),
		cmocka_unit_test(test_writer_stats_while_writing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
