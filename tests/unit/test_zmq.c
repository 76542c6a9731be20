/*
 * test_zmq.c - unit tests of the ZMQ collector's decoder (collector/zmqc.h)
 * with the test vectors of shared/docs/zmq-wire.md §12, kept as files in
 * tests/corpus/zmq/ (tools/make-zmq-corpus.py builds them; format in
 * zmqc_decode_blob): headers of every layout, JSON numeric/label keys,
 * legacy and v3 zlib, TLV, events, templates, msg_id drop rules, and the
 * negative vectors.  Every corpus file is also replayed as a smoke test
 * (the fuzzer's corpus, run under gcc).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include <jansson.h>

#include "collector/collector.h"
#include "collector/zmqc.h"
#include "common/flow_fields.h"
#include "exporter/export.h"
#include "exporter/writer.h"

#ifndef ZMQ_CORPUS_DIR
#define ZMQ_CORPUS_DIR "tests/corpus/zmq"
#endif

#define MAXU 16
#define NOW 1800000000000ULL

struct sink {
	struct flow_update u[MAXU];
	char info[MAXU][ZMQC_INFO_MAX];
	char extra[MAXU][ZMQC_EXTRA_MAX];
	char path[MAXU][256];
	int n;
};

static int
sink_emit(void *ctx, const struct flow_update *u)
{
	struct sink *s = ctx;

	if (s->n < MAXU) {
		s->u[s->n] = *u;
		s->info[s->n][0] = '\0';
		if (u->info)
			snprintf(s->info[s->n], ZMQC_INFO_MAX, "%s", u->info);
		s->u[s->n].info = s->info[s->n];
		s->extra[s->n][0] = '\0';
		if (u->extra)
			snprintf(s->extra[s->n], ZMQC_EXTRA_MAX, "%s", u->extra);
		s->u[s->n].extra = s->extra[s->n];
		snprintf(s->path[s->n], sizeof(s->path[0]), "%s",
			 u->site_path ? u->site_path : "");
		s->u[s->n].site_path = s->path[s->n];
	}
	s->n++;
	return 0;
}

static uint8_t *
load(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	uint8_t *b;
	long n;

	snprintf(path, sizeof(path), "%s/%s", ZMQ_CORPUS_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void
feed(struct zmqc_decoder *d, const char *name)
{
	size_t len;
	uint8_t *b = load(name, &len);

	zmqc_decode_blob(d, b, len, NOW);
	free(b);
}

static void
setup_dec(struct zmqc_decoder *d, struct sink *s)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(zmqc_decoder_init(d, "test", sink_emit, s), 0);
}

static void
assert_ip(const struct ipaddr *a, const char *txt)
{
	char buf[IPADDR_STRLEN];

	assert_string_equal(ipaddr_fmt(a, buf, sizeof(buf)), txt);
}

/* The ledger entry of source_id, or NULL. */
static struct zmqc_peer *
peer_of(struct zmqc_decoder *d, uint32_t source_id)
{
	for (int i = 0; i < ZMQC_MAX_PEERS; i++)
		if (d->peers[i].used && d->peers[i].source_id == source_id)
			return &d->peers[i];
	return NULL;
}

static uint64_t
errs(const struct zmqc_decoder *d)
{
	uint64_t n = 0;

	for (int i = 1; i < ZMQC_ERR__COUNT; i++)
		n += d->st.errors[i];
	return n;
}

static void
test_headers(void **state)
{
	struct zmqc_header h;
	size_t len;
	uint8_t *b;

	b = load("tv1.bin", &len);
	assert_int_equal(zmqc_header_parse(b + 1, b[0], &h), ZMQC_OK);
	assert_int_equal(h.layout, 28);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.msg_id, 1);
	assert_int_equal(h.source_id, 1);
	assert_string_equal(h.topic, "flow");
	free(b);
	b = load("tv3.bin", &len);
	assert_int_equal(zmqc_header_parse(b + 1, b[0], &h), ZMQC_OK);
	assert_int_equal(h.layout, 24);
	assert_int_equal(h.source_id, 7);
	assert_int_equal(h.msg_id, 100);
	free(b);
	b = load("tv6.bin", &len);
	assert_int_equal(zmqc_header_parse(b + 1, b[0], &h), ZMQC_OK);
	assert_int_equal(h.layout, 36);
	assert_int_equal(h.version, 4);
	assert_int_equal(h.flags, ZMQC_FLAG_ZLIB);
	assert_int_equal(h.uncompressed_size, 196);
	assert_int_equal(h.compressed_size, 118);
	assert_int_equal(h.msg_id, 3);
	assert_int_equal(h.source_id, 0x0a0b0c0d);
	free(b);
	b = load("tv10.bin", &len);
	assert_int_equal(zmqc_header_parse(b + 1, b[0], &h), ZMQC_OK);
	assert_int_equal(h.layout, 40);
	assert_int_equal(h.has_msg_id, 0);
	free(b);
	b = load("n2_version5.bin", &len);
	assert_int_equal(zmqc_header_parse(b + 1, b[0], &h), ZMQC_ERR_BAD_VERSION);
	free(b);
	assert_int_equal(zmqc_header_parse((const uint8_t *)"flow", 4, &h),
			 ZMQC_ERR_BAD_HEADER);
	/* version 1: msg_id in host (little-endian) order, source_id 0 */
	{
		uint8_t v1[24] = { 'f', 'l', 'o', 'w' };

		v1[16] = 1;
		v1[17] = 9;
		v1[20] = 5;
		assert_int_equal(zmqc_header_parse(v1, 24, &h), ZMQC_OK);
		assert_int_equal(h.msg_id, 5);
		assert_int_equal(h.source_id, 0);
	}
	assert_int_equal(zmqc_topic_of("flow"), ZT_FLOW);
	assert_int_equal(zmqc_topic_of("snmp-ifaces"), ZT_SNMP_IFACES);
	assert_int_equal(zmqc_topic_of("message"), ZT_OTHER);
}

static void
test_tv1_json_numeric(void **state)
{
	struct zmqc_decoder d;
	struct sink s;

	setup_dec(&d, &s);
	feed(&d, "tv1.bin");
	assert_int_equal(s.n, 1);
	assert_int_equal(s.u[0].ip_version, 4);
	assert_ip(&s.u[0].src, "192.168.1.10");
	assert_ip(&s.u[0].dst, "93.184.216.34");
	assert_int_equal(s.u[0].sport, 51514);
	assert_int_equal(s.u[0].dport, 443);
	assert_int_equal(s.u[0].l4_proto, 6);
	assert_int_equal(s.u[0].in_bytes, 1500);
	assert_int_equal(s.u[0].in_pkts, 10);
	assert_int_equal(s.u[0].out_bytes, 3000);
	assert_int_equal(s.u[0].out_pkts, 8);
	assert_int_equal(s.u[0].first_ms, 1700000000000ULL);
	assert_int_equal(s.u[0].last_ms, 1700000030000ULL);
	assert_int_equal(s.u[0].l7_master, 91);
	assert_int_equal(s.u[0].l7_app, 126);
	assert_int_equal(s.u[0].vlan, 10);
	assert_ip(&s.u[0].exporter, "10.0.0.254");
	assert_int_equal(s.u[0].in_ifindex, 3);
	assert_int_equal(s.u[0].out_ifindex, 5);
	assert_int_equal(s.u[0].absolute, 0);
	assert_string_equal(s.u[0].extra, "");   /* every field kept */
	assert_int_equal(d.st.flows, 1);
	assert_int_equal(errs(&d), 0);
	zmqc_decoder_fini(&d);
}

static void
test_tv2_labels_array(void **state)
{
	struct zmqc_decoder d;
	struct sink s;

	setup_dec(&d, &s);
	feed(&d, "tv1.bin");
	feed(&d, "tv2.bin");
	assert_int_equal(s.n, 3);
	/* DNS over UDP: never swapped */
	assert_ip(&s.u[1].src, "10.1.1.1");
	assert_int_equal(s.u[1].dport, 53);
	assert_int_equal(s.u[1].l7_app, 5);
	assert_int_equal(s.u[1].l7_master, 0);
	assert_string_equal(s.u[1].info, "example.org");
	/* fields the flow does not keep, under the labels sent */
	assert_string_equal(s.u[1].extra, "{\"DNS_QUERY_TYPE\":1,\"DNS_RET_CODE\":0}");
	assert_int_equal(s.u[1].in_bytes, 74);
	assert_int_equal(s.u[1].out_bytes, 90);
	assert_int_equal(s.u[2].ip_version, 6);
	assert_ip(&s.u[2].src, "2001:db8::1");
	assert_int_equal(s.u[2].src_tcp_flags, 27);
	assert_int_equal(s.u[2].vlan, 100);
	assert_string_equal(s.u[2].info, "www.google.com");
	assert_int_equal(s.u[2].out_bytes, 40960);
	assert_int_equal(d.st.msg_drops, 0);
	zmqc_decoder_fini(&d);
}

static void
test_tv3_legacy_zlib_swap(void **state)
{
	struct zmqc_decoder d;
	struct sink s;

	setup_dec(&d, &s);
	feed(&d, "tv3.bin");
	assert_int_equal(s.n, 1);
	/* 22 < 55001, TCP without client flags: the sides are swapped */
	assert_ip(&s.u[0].src, "172.16.0.9");
	assert_int_equal(s.u[0].sport, 55001);
	assert_int_equal(s.u[0].dport, 22);
	assert_int_equal(s.u[0].in_bytes, 6100);
	assert_int_equal(s.u[0].in_pkts, 28);
	assert_int_equal(s.u[0].out_bytes, 4200);
	assert_int_equal(s.u[0].l7_app, 92);
	zmqc_decoder_fini(&d);
}

static void
test_tv4_tv5_tlv(void **state)
{
	struct zmqc_decoder d;
	struct sink s;

	setup_dec(&d, &s);
	feed(&d, "tv4.bin");
	assert_int_equal(s.n, 2);
	assert_ip(&s.u[0].src, "192.168.1.10");
	assert_int_equal(s.u[0].in_bytes, 1500);
	assert_int_equal(s.u[0].out_pkts, 8);
	assert_int_equal(s.u[0].l7_master, 91);
	assert_int_equal(s.u[0].l7_app, 126);
	assert_int_equal(s.u[0].in_ifindex, 3);
	/* a numeric key: the built-in label; a TLV float */
	assert_string_equal(s.u[0].extra, "{\"CLIENT_NW_LATENCY_MS\":12.5}");
	assert_ip(&s.u[1].src, "10.9.9.9");
	assert_ip(&s.u[1].dst, "10.8.8.8");
	assert_int_equal(s.u[1].l4_proto, 17);
	assert_int_equal(s.u[1].in_bytes, 76);
	assert_int_equal(s.u[1].out_bytes, 0);
	feed(&d, "tv5.bin");
	assert_int_equal(s.n, 3);
	assert_int_equal(s.u[2].last_ms, 1700000030000ULL);
	assert_int_equal(errs(&d), 0);
	assert_int_equal(d.st.msg_drops, 0);
	zmqc_decoder_fini(&d);
}

/* The reference: every item read whole by zmqc_tlv_next (what the
 * lean first pass of zmqc_tlv_validate must agree with). */
static int
tlv_validate_ref(const uint8_t *b, size_t len)
{
	struct zmqc_tlv_item it;
	size_t off = 2;

	if (len < 2 || b[0] != 1 || b[1] != 1)
		return -1;
	for (;;) {
		enum zmqc_tlv_next r = zmqc_tlv_next(b, len, &off, &it);

		if (r == TLV_END)
			return 0;
		if (r == TLV_ERROR)
			return -1;
	}
}

/* tv4's TLV payload, cut at every length and with every byte set to
 * values that change an item's type or a length: both passes agree. */
static void
test_tlv_validate_agrees(void **state)
{
	static const uint8_t vals[] = { 0x00, 0x01, 0x02, 0x0b, 0x0c, 0x22,
					0x3b, 0xb3, 0xbb, 0x5f, 0xff };
	size_t len, plen, i, k;
	uint8_t *b = load("tv4.bin", &len), *pay, *m;
	int ok = 0, bad = 0;

	(void)state;
	assert_true(len > 1u + b[0]);
	pay = b + 1 + b[0];
	plen = len - 1 - b[0];
	assert_int_equal(zmqc_tlv_validate(pay, plen), 0);
	m = malloc(plen);
	assert_non_null(m);
	for (i = 0; i <= plen; i++) {
		int r = zmqc_tlv_validate(pay, i);

		assert_int_equal(r, tlv_validate_ref(pay, i));
		r == 0 ? ok++ : bad++;
	}
	for (i = 0; i < plen; i++)
		for (k = 0; k < sizeof(vals); k++) {
			int r;

			memcpy(m, pay, plen);
			m[i] = vals[k];
			r = zmqc_tlv_validate(m, plen);
			assert_int_equal(r, tlv_validate_ref(m, plen));
			r == 0 ? ok++ : bad++;
		}
	/* both outcomes were exercised */
	assert_true(ok > 10 && bad > 10);
	free(m);
	free(b);
}

static void
test_tv6_v3_zlib(void **state)
{
	struct zmqc_decoder d;
	struct sink s;

	setup_dec(&d, &s);
	feed(&d, "tv6.bin");
	assert_int_equal(s.n, 1);
	assert_int_equal(s.u[0].in_bytes, 1500);
	assert_int_equal(s.u[0].out_bytes, 3000);
	assert_int_equal(errs(&d), 0);
	zmqc_decoder_fini(&d);
}

static void
test_tv7_event_tv8_tv9(void **state)
{
	struct zmqc_decoder d;
	struct sink s;
	struct zmqc_peer *p = NULL;
	uint32_t pen, id;

	setup_dec(&d, &s);
	feed(&d, "tv7.bin");
	feed(&d, "tv8.bin");
	feed(&d, "tv9.bin");
	p = peer_of(&d, 1);
	assert_non_null(p);
	assert_int_equal(p->events, 1);
	assert_int_equal(p->counters, 1);
	assert_int_equal(p->probe.num_flow_exports, 5000);
	assert_int_equal(p->probe.num_exporters, 1);
	assert_int_equal(p->probe.packet_drops, 12);
	assert_int_equal(p->probe.timeout_lifetime, 120);
	/* §12 TV7: max(clamp(2 x 30, 60, 600), min(120, 120) + 10) = 130 s */
	assert_int_equal(p->probe.timeout_collected_lifetime, 120);
	assert_int_equal(zmqc_peer_max_idle(p), 130);
	/* no collected_lifetime: F = 10, so R = 60 rules (§5) */
	p->probe.timeout_collected_lifetime = 0;
	assert_int_equal(zmqc_peer_max_idle(p), 60);
	/* long timeouts: R capped at 600, lifetime capped at 600 */
	p->probe.timeout_idle = 400;
	p->probe.timeout_lifetime = p->probe.timeout_collected_lifetime = 900;
	assert_int_equal(zmqc_peer_max_idle(p), 610);
	assert_string_equal(p->probe.ip, "192.0.2.10");
	assert_string_equal(p->probe.version, "10.6.0");
	/* TV8: device 192.168.1.1, ifIndex 7, full duplex, admin/oper up */
	assert_int_equal(p->n_ifc, 1);
	assert_ip(&p->ifc[0].device, "192.168.1.1");
	assert_int_equal(p->ifc[0].ifindex, 7);
	assert_string_equal(p->ifc[0].name, "ge-0/0/7");
	assert_int_equal(p->ifc[0].iftype, 6);
	assert_int_equal(p->ifc[0].speed, 1000000000);
	assert_int_equal(p->ifc[0].full_duplex, 1);
	assert_int_equal(p->ifc[0].admin_up, 1);
	assert_int_equal(p->ifc[0].oper_up, 1);
	assert_int_equal(p->ifc[0].promisc, 0);
	assert_int_equal(p->ifc[0].samples, 991);
	assert_int_equal(p->ifc[0].in_bytes, 123456789);
	assert_int_equal(p->ifc[0].in_pkts, 120000);
	assert_int_equal(p->ifc[0].out_bytes, 98765432);
	assert_int_equal(p->ifc[0].out_pkts, 110000);
	assert_int_equal(p->ifc[0].last_ms, NOW);
	assert_int_equal(d.st.topics[ZT_EVENT], 1);
	assert_int_equal(d.st.topics[ZT_COUNTER], 1);
	assert_int_equal(d.st.topics[ZT_TEMPLATE], 1);
	assert_int_equal(zmqc_key_resolve(&d, "MY_CUSTOM_FIELD", 15, &pen, &id), 0);
	assert_int_equal(pen, 35632);
	assert_int_equal(id, 57999);
	assert_int_equal(zmqc_key_resolve(&d, "35632.118", 9, &pen, &id), 0);
	assert_int_equal(pen, 35632);
	assert_int_equal(id, 118);
	assert_int_equal(zmqc_key_resolve(&d, "NO_SUCH", 7, &pen, &id), -1);
	assert_int_equal(errs(&d), 0);
	{
		/* TV9's learned label, an unknown label, an unknown PEN, JSON
		 * values of every kind: additional fields, as valid JSON */
		uint8_t h[28] = { 'f', 'l', 'o', 'w' };
		const char *js =
			"{\"8\":\"10.0.0.1\",\"12\":\"10.0.0.2\",\"4\":17,"
			"\"MY_CUSTOM_FIELD\":42,\"NO_SUCH\":[1,{\"a\":null}],"
			"\"9999.7\":\"q\\\"x\",\"HTTP_URL\":\"/a\",\"f\":true,"
			"\"d\":-1.5}";

		h[16] = 2;
		zmqc_decode_msg(&d, h, 28, (const uint8_t *)js, strlen(js), 2, NOW);
		assert_int_equal(s.n, 1);
		assert_string_equal(s.u[0].extra,
			"{\"MY_CUSTOM_FIELD\":42,\"NO_SUCH\":[1,{\"a\":null}],"
			"\"9999.7\":\"q\\\"x\",\"HTTP_URL\":\"/a\",\"f\":true,"
			"\"d\":-1.5}");
	}
	{
		/* more than fits: whole members only, still one JSON object */
		uint8_t h[28] = { 'f', 'l', 'o', 'w' };
		char js[4096];
		size_t n = (size_t)snprintf(js, sizeof(js),
			"{\"8\":\"10.0.0.1\",\"12\":\"10.0.0.2\",\"4\":17");
		json_t *x;

		for (int i = 0; i < 40; i++)
			n += (size_t)snprintf(js + n, sizeof(js) - n,
					      ",\"EXTRA_%02d\":\"0123456789abcdef\"", i);
		snprintf(js + n, sizeof(js) - n, "}");
		h[16] = 2;
		zmqc_decode_msg(&d, h, 28, (const uint8_t *)js, strlen(js), 2, NOW);
		assert_int_equal(s.n, 2);
		x = json_loads(s.u[1].extra, 0, NULL);
		assert_non_null(x);
		assert_true(json_object_size(x) > 10 && json_object_size(x) < 40);
		assert_string_equal(json_string_value(json_object_get(x, "EXTRA_00")),
				    "0123456789abcdef");
		json_decref(x);
	}
	zmqc_decoder_fini(&d);
}

/* A counter message: 28-byte v2 header (topic "counter", source_id 9),
 * then the payload, packed for zmqc_decode_blob(). */
static size_t
counter_blob(uint8_t *b, uint32_t msg_id, const void *pay, size_t plen)
{
	b[0] = 28;
	memset(b + 1, 0, 28);
	memcpy(b + 1, "counter", 7);
	b[1 + 16] = 2;
	b[1 + 23] = (uint8_t)msg_id;
	b[1 + 27] = 9;
	memcpy(b + 29, pay, plen);
	return 29 + plen;
}

static size_t
tlv_item(uint8_t *p, uint8_t type, uint16_t key, uint64_t v, const char *str)
{
	size_t n = 0, w = (type & 0x0f) == 2 ? 1 : (type & 0x0f) == 4 ? 4 : 8;

	p[n++] = type;
	p[n++] = (uint8_t)(key >> 8);
	p[n++] = (uint8_t)key;
	if (str != NULL) {
		size_t sl = strlen(str);

		p[n++] = (uint8_t)(sl >> 8);
		p[n++] = (uint8_t)sl;
		memcpy(p + n, str, sl);
		return n + sl;
	}
	while (w-- > 0)
		p[n++] = (uint8_t)(v >> (8 * w));
	return n;
}

/* Counters in TLV (numeric ids, a dotted deviceIP), a second sample of
 * the same interface (latest values win, fields not sent are kept), JSON
 * numeric-string keys, and the refusals: no ifIndex, a wrong type. */
static void
test_counters_tlv_and_refusals(void **state)
{
	struct zmqc_decoder d;
	struct sink s;
	struct zmqc_peer *p = NULL;
	uint8_t pay[512], blob[600];
	size_t n = 0;
	const char *js;

	setup_dec(&d, &s);
	pay[n++] = 1;
	pay[n++] = 1;
	n += tlv_item(pay + n, 0x3b, ZMQC_CTR_DEVICE_IP, 0, "10.9.8.7");
	n += tlv_item(pay + n, 0x34, ZMQC_CTR_IF_INDEX, 3, NULL);
	n += tlv_item(pay + n, 0x3b, ZMQC_CTR_IF_NAME, 0, "eth3");
	n += tlv_item(pay + n, 0x35, ZMQC_CTR_IN_OCTETS, 5000000000ULL, NULL);
	n += tlv_item(pay + n, 0x34, ZMQC_CTR_OUT_OCTETS, 7000, NULL);
	n += tlv_item(pay + n, 0x34, ZMQC_CTR_IF_OPER_STATUS, 1, NULL);
	n += tlv_item(pay + n, 0x34, 99, 1, NULL);   /* not a counter id */
	pay[n++] = 0x01;
	zmqc_decode_blob(&d, blob, counter_blob(blob, 1, pay, n), NOW);
	/* JSON, numeric keys, same interface, 10 s later */
	js = "{\"0\":168364039,\"2\":3,\"12\":9000,\"6\":\"Half\"}";
	zmqc_decode_blob(&d, blob, counter_blob(blob, 2, js, strlen(js)),
			 NOW + 10000);
	assert_int_equal(errs(&d), 0);
	/* refused: no ifIndex; ifSpeed as a string (the rest is kept) */
	js = "{\"deviceIP\":168364039,\"ifName\":\"x\"}";
	zmqc_decode_blob(&d, blob, counter_blob(blob, 3, js, strlen(js)), NOW);
	js = "{\"deviceIP\":168364039,\"ifIndex\":4,\"ifSpeed\":\"fast\"}";
	zmqc_decode_blob(&d, blob, counter_blob(blob, 4, js, strlen(js)), NOW);
	p = peer_of(&d, 9);
	assert_non_null(p);
	assert_int_equal(p->counters, 4);
	assert_int_equal(p->msg_drops, 0);
	assert_int_equal(p->n_ifc, 2);
	assert_ip(&p->ifc[0].device, "10.9.8.7");
	assert_int_equal(p->ifc[0].ifindex, 3);
	assert_string_equal(p->ifc[0].name, "eth3");
	assert_int_equal(p->ifc[0].in_bytes, 5000000000ULL);
	assert_int_equal(p->ifc[0].out_bytes, 9000);
	assert_int_equal(p->ifc[0].oper_up, 1);
	assert_int_equal(p->ifc[0].full_duplex, 0);
	assert_int_equal(p->ifc[0].updates, 2);
	assert_int_equal(p->ifc[0].first_ms, NOW);
	assert_int_equal(p->ifc[0].last_ms, NOW + 10000);
	assert_int_equal(p->ifc[1].ifindex, 4);
	assert_int_equal(p->ifc[1].speed, 0);
	assert_int_equal(p->errors[ZMQC_ERR_BAD_COUNTER], 1);
	assert_int_equal(p->errors[ZMQC_ERR_VALUE_TYPE], 1);
	assert_int_equal(errs(&d), 2);
	zmqc_decoder_fini(&d);
}

/* snmp-ifaces: names per (exporter, ifIndex), later ones replace earlier
 * ones; entries of the wrong shape and invalid JSON are counted. */
static void
test_snmp_ifaces(void **state)
{
	struct zmqc_decoder d;
	struct sink s;
	struct zmqc_peer *p = NULL;
	uint8_t blob[600];
	const char *js[] = {
		"{\"10.9.8.7\":{\"3\":\"eth3\",\"5\":\"old\"},\"bad\":7,"
		"\"10.1.1.1\":{\"x\":\"y\",\"1\":\"wan\\u00e9\"}}",
		"{\"10.9.8.7\":{\"5\":\"eth5\"}}",
		"{\"10.9.8.7\":",
	};

	setup_dec(&d, &s);
	for (int i = 0; i < 3; i++) {
		size_t n = counter_blob(blob, (uint32_t)(i + 1), js[i], strlen(js[i]));

		memcpy(blob + 1, "snmp-ifaces", 11);
		zmqc_decode_blob(&d, blob, n, NOW);
	}
	p = peer_of(&d, 9);
	assert_non_null(p);
	assert_int_equal(d.st.topics[ZT_SNMP_IFACES], 3);
	assert_int_equal(p->n_ifnames, 3);
	assert_string_equal(zmqc_ifname(p, "10.9.8.7", 3), "eth3");
	assert_string_equal(zmqc_ifname(p, "10.9.8.7", 5), "eth5");
	assert_string_equal(zmqc_ifname(p, "10.1.1.1", 1), "wan??");  /* é */
	assert_null(zmqc_ifname(p, "10.9.8.7", 4));
	assert_int_equal(p->errors[ZMQC_ERR_VALUE_TYPE], 2);
	assert_int_equal(p->errors[ZMQC_ERR_JSON], 1);
	assert_int_equal(errs(&d), 3);
	zmqc_decoder_fini(&d);
}

static void
test_tv10_v0(void **state)
{
	struct zmqc_decoder d;
	struct sink s;

	setup_dec(&d, &s);
	feed(&d, "tv10.bin");
	feed(&d, "tv10.bin");
	assert_int_equal(s.n, 2);
	assert_int_equal(s.u[0].dport, 80);
	assert_int_equal(s.u[0].in_bytes, 100);
	assert_int_equal(d.st.msg_drops, 0);
	zmqc_decoder_fini(&d);
}

/* All vectors in order: no drop (§12 TV7 note); TV2 skipped: one drop. */
static void
test_msg_id_drops(void **state)
{
	static const char *const all[] = {
		"tv1.bin", "tv2.bin", "tv3.bin", "tv4.bin", "tv5.bin", "tv6.bin",
		"tv7.bin", "tv8.bin", "tv9.bin", "tv10.bin",
	};
	struct zmqc_decoder d;
	struct sink s;
	uint8_t h[28] = { 'f', 'l', 'o', 'w' };

	setup_dec(&d, &s);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		feed(&d, all[i]);
	assert_int_equal(d.st.msg_drops, 0);
	assert_int_equal(errs(&d), 0);
	assert_int_equal(d.st.flows, 1 + 2 + 1 + 2 + 1 + 1 + 1);
	zmqc_decoder_fini(&d);

	setup_dec(&d, &s);
	feed(&d, "tv1.bin");
	feed(&d, "tv7.bin");             /* msg 3 after 1 */
	assert_int_equal(d.st.msg_drops, 1);
	feed(&d, "tv2.bin");             /* 2 after 3: rollback, no drop */
	assert_int_equal(d.st.msg_drops, 1);
	/* wrap: 0xfffffffe then 2 = 3 lost (ffffffff, 0, 1) */
	h[16] = 2;
	h[27] = 9;                       /* source 9 */
	h[20] = h[21] = h[22] = 0xff;
	h[23] = 0xfe;
	zmqc_decode_msg(&d, h, 28, (const uint8_t *)"{}", 2, 2, NOW);
	h[20] = h[21] = h[22] = 0;
	h[23] = 2;
	zmqc_decode_msg(&d, h, 28, (const uint8_t *)"{}", 2, 2, NOW);
	assert_int_equal(d.st.msg_drops, 4);
	/* after 10 s of silence the sequence restarts: no drop */
	h[23] = 50;
	zmqc_decode_msg(&d, h, 28, (const uint8_t *)"{}", 2, 2,
			NOW + ZMQC_PEER_EXPIRE_MS + 1);
	assert_int_equal(d.st.msg_drops, 4);
	zmqc_decoder_fini(&d);
}

/* One "event" message of source `src` with msg_id `id` (28-byte v2). */
static void
msg_with_id(struct zmqc_decoder *d, uint32_t src, uint32_t id, uint64_t now)
{
	uint8_t h[28] = { 'e', 'v', 'e', 'n', 't' };
	static const char ev[] = "{\"time\":1800000000}";

	h[16] = 2;
	h[20] = (uint8_t)(id >> 24);
	h[21] = (uint8_t)(id >> 16);
	h[22] = (uint8_t)(id >> 8);
	h[23] = (uint8_t)id;
	h[24] = (uint8_t)(src >> 24);
	h[25] = (uint8_t)(src >> 16);
	h[26] = (uint8_t)(src >> 8);
	h[27] = (uint8_t)src;
	zmqc_decode_msg(d, h, sizeof(h), (const uint8_t *)ev, sizeof(ev) - 1, 2,
			now);
}

/* issue 11 #10: a bogus msg_id far ahead is a jump, not 4 294 967 285
 * drops, and the probe's later restart at 1 is no wrap. */
static void
test_msg_id_bogus_jump(void **state)
{
	struct zmqc_decoder d;
	struct zmqc_peer *p;
	struct sink s;
	uint32_t i;

	setup_dec(&d, &s);
	for (i = 1; i <= 10; i++)
		msg_with_id(&d, 9, i, NOW);
	msg_with_id(&d, 9, 0xffffffffu, NOW);   /* garbage */
	assert_int_equal(d.st.msg_drops, 0);
	assert_int_equal(d.st.msg_id_jumps, 1);
	msg_with_id(&d, 9, 11, NOW);            /* the real sequence goes on */
	assert_int_equal(d.st.msg_drops, 0);
	msg_with_id(&d, 9, 1, NOW);             /* the probe restarts */
	msg_with_id(&d, 9, 2, NOW);
	msg_with_id(&d, 9, 4, NOW);             /* one real loss */
	assert_int_equal(d.st.msg_drops, 1);
	p = peer_of(&d, 9);
	assert_non_null(p);
	assert_int_equal(p->rollbacks, 1);
	assert_int_equal(p->msg_id_jumps, 1);
	/* a restart far ahead whose next id follows it is adopted */
	msg_with_id(&d, 9, 0x90000000u, NOW);
	msg_with_id(&d, 9, 0x90000001u, NOW);
	msg_with_id(&d, 9, 0x90000002u, NOW);
	assert_int_equal(d.st.msg_drops, 1);
	assert_int_equal(p->msg_id_jumps, 2);
	assert_int_equal(p->last_msg_id, 0x90000002u);
	zmqc_decoder_fini(&d);
}

/* issue 11 #17: a publisher seen first at msg_id 5 lost 1..4 before we
 * joined: counted apart from the drops. */
static void
test_msg_id_missed_at_join(void **state)
{
	struct zmqc_decoder d;
	struct zmqc_peer *p;
	struct sink s;

	setup_dec(&d, &s);
	msg_with_id(&d, 3, 5, NOW);
	msg_with_id(&d, 3, 6, NOW);
	msg_with_id(&d, 4, 1, NOW);            /* another one, from the start */
	msg_with_id(&d, 4, 2, NOW);
	assert_int_equal(d.st.missed_at_join, 4);
	assert_int_equal(d.st.msg_drops, 0);
	p = peer_of(&d, 3);
	assert_non_null(p);
	assert_int_equal(p->missed_at_join, 4);
	assert_int_equal(peer_of(&d, 4)->missed_at_join, 0);
	/* silence then a new run: a restart, not a join */
	msg_with_id(&d, 3, 40, NOW + ZMQC_PEER_EXPIRE_MS + 1);
	assert_int_equal(d.st.missed_at_join, 4);
	assert_int_equal(d.st.msg_drops, 0);
	zmqc_decoder_fini(&d);
}

/* The socket closed and opened again (a disabled interface enabled): the
 * ids a publisher sent meanwhile are missed at (re)join, not drops; the
 * next gap is a drop again. */
static void
test_msg_id_rejoin(void **state)
{
	struct zmqc_decoder d;
	struct sink s;

	(void)state;
	setup_dec(&d, &s);
	msg_with_id(&d, 3, 1, NOW);
	msg_with_id(&d, 3, 2, NOW);
	zmqc_decoder_rejoin(&d);
	msg_with_id(&d, 3, 10, NOW + 1000);
	assert_int_equal(d.st.msg_drops, 0);
	assert_int_equal(d.st.missed_at_join, 7);
	assert_int_equal(peer_of(&d, 3)->missed_at_join, 7);
	msg_with_id(&d, 3, 13, NOW + 2000);
	assert_int_equal(d.st.msg_drops, 2);
	/* a publisher that sent nothing meanwhile: no gap, nothing missed */
	zmqc_decoder_rejoin(&d);
	msg_with_id(&d, 3, 14, NOW + 3000);
	assert_int_equal(d.st.missed_at_join, 7);
	assert_int_equal(d.st.msg_drops, 2);
	zmqc_decoder_fini(&d);
}

/* issue 11 #17: the lines the limiter drops are summed up, also when the
 * burst ends (no later line to carry the summary). */
static void
test_log_limiter_summary(void **state)
{
	struct zmqc_decoder d;
	struct sink s;
	char buf[65536], *l;
	FILE *tmp = tmpfile();
	int saved, i, written = 0;
	unsigned long suppressed = 0;
	size_t n;

	assert_non_null(tmp);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	setup_dec(&d, &s);
	for (i = 0; i < 50; i++)
		zmqc_decode_blob(&d, (const uint8_t *)"\x03" "abc", 4, NOW);
	zmqc_decoder_fini(&d);                  /* the owner lets it go */
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	for (l = buf; (l = strstr(l, "[bad_header]")) != NULL; l++)
		written++;
	for (l = buf; (l = strstr(l, "WARN: ")) != NULL; l++) {
		char *end;
		unsigned long v = strtoul(l + 6, &end, 10);

		if (end != l + 6 && strncmp(end, " similar lines suppressed", 25) == 0)
			suppressed += v;
	}
	assert_true(written >= 5 && written < 50);
	assert_int_equal(written + suppressed, 50);
}

/* issue 11 #22: the mode flag is a 'c' after a port number; an ipc path
 * ending in "c" is taken whole, so ipc://flows.ipc names the same socket
 * for -i and -I. */
static void
test_endpoint_split(void **state)
{
	static const struct {
		const char *spec, *ep;
		int flag;
	} v[] = {
		{ "tcp://127.0.0.1:5556", "tcp://127.0.0.1:5556", 0 },
		{ "tcp://*:5556c", "tcp://*:5556", 1 },
		{ "tcp://[::1]:5556c", "tcp://[::1]:5556", 1 },
		{ "tcp://mac", "tcp://mac", 0 },     /* a host named ...c */
		{ "tcp://host:c", "tcp://host:c", 0 },
		{ "ipc://flows.ipc", "ipc://flows.ipc", 0 },
		{ "ipc:///path/flows.ipc", "ipc:///path/flows.ipc", 0 },
		{ "ipc:///run/ntopng/sockc", "ipc:///run/ntopng/sockc", 0 },
		{ "ipc:///path/flows.ipcc", "ipc:///path/flows.ipc", 1 },
		{ "inproc://abc", "inproc://abc", 0 },
	};
	char out[64];
	int flag;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(collector_zmq_endpoint_split(v[i].spec, out,
							      sizeof(out), &flag), 0);
		assert_string_equal(out, v[i].ep);
		assert_int_equal(flag, v[i].flag);
	}
	assert_int_equal(collector_zmq_endpoint_split("tcp://127.0.0.1:5556",
						      out, 8, &flag), -1);
}

/* Decodes one exporter payload (TLV: header version 3; JSON: 2). */
static void
decode_export(struct zmqc_decoder *d, const uint8_t *pay, int len, int json,
	      uint32_t id)
{
	uint8_t h[28] = { 'f', 'l', 'o', 'w' };

	assert_true(len > 0);
	h[16] = json ? 2 : 3;
	h[23] = (uint8_t)id;
	h[27] = 5;
	zmqc_decode_msg(d, h, sizeof(h), pay, (size_t)len, 2, NOW);
}

static void
assert_same_update(const struct flow_update *a, const struct flow_update *b)
{
	char x[IPADDR_STRLEN], y[IPADDR_STRLEN];

	assert_int_equal(a->ip_version, b->ip_version);
	assert_string_equal(ipaddr_fmt(&a->src, x, sizeof(x)),
			    ipaddr_fmt(&b->src, y, sizeof(y)));
	assert_string_equal(ipaddr_fmt(&a->dst, x, sizeof(x)),
			    ipaddr_fmt(&b->dst, y, sizeof(y)));
	assert_int_equal(a->sport, b->sport);
	assert_int_equal(a->dport, b->dport);
	assert_int_equal(a->l4_proto, b->l4_proto);
	assert_int_equal(a->in_bytes, b->in_bytes);
	assert_int_equal(a->in_pkts, b->in_pkts);
	assert_int_equal(a->out_bytes, b->out_bytes);
	assert_int_equal(a->out_pkts, b->out_pkts);
	assert_int_equal(a->first_ms, b->first_ms);
	assert_int_equal(a->last_ms, b->last_ms);
	assert_int_equal(a->vlan, b->vlan);
	assert_int_equal(a->src_tcp_flags, b->src_tcp_flags);
	assert_int_equal(a->dst_tcp_flags, b->dst_tcp_flags);
	assert_int_equal(a->l7_master, b->l7_master);
	assert_int_equal(a->l7_app, b->l7_app);
	assert_int_equal(a->tos, b->tos);
	assert_int_equal(a->exporter.v, b->exporter.v);
	assert_string_equal(ipaddr_fmt(&a->exporter, x, sizeof(x)),
			    ipaddr_fmt(&b->exporter, y, sizeof(y)));
	assert_int_equal(a->in_ifindex, b->in_ifindex);
	assert_int_equal(a->out_ifindex, b->out_ifindex);
	assert_int_equal(a->sampling, b->sampling);
	assert_string_equal(a->info ? a->info : "", b->info ? b->info : "");
	assert_int_equal(a->origin_seq, b->origin_seq);
}

/* issue 11 #23: the -I encoders, TLV and --json-labels, write the same
 * fields: a full record of each family, encoded both ways and read back
 * by the collector's own decoder, comes back field for field. */
static void
test_export_both_dialects(void **state)
{
	struct flow_update u[2];
	struct zmqc_decoder d;
	struct sink s;
	static uint8_t buf[8192];
	int i, json, n;

	(void)state;
	memset(u, 0, sizeof(u));
	u[0].ip_version = 4;
	ipaddr_parse(&u[0].src, "10.1.2.3");
	ipaddr_parse(&u[0].dst, "192.0.2.7");
	u[0].sport = 40000;
	u[0].dport = 443;
	u[0].l4_proto = 6;
	u[0].in_bytes = 1000;
	u[0].in_pkts = 10;
	u[0].out_bytes = 70000;
	u[0].out_pkts = 20;
	u[0].first_ms = NOW - 5250;
	u[0].last_ms = NOW - 1125;
	u[0].vlan = 77;
	u[0].src_tcp_flags = 0x1a;
	u[0].dst_tcp_flags = 0x12;
	u[0].l7_master = 91;
	u[0].l7_app = 126;
	u[0].tos = 0x28;
	ipaddr_parse(&u[0].exporter, "2001:db8::9");
	u[0].in_ifindex = 3;
	u[0].out_ifindex = 4;
	u[0].sampling = 100;
	u[0].info = "www.example.org";
	u[0].origin_seq = 42;
	u[1] = u[0];
	u[1].ip_version = 6;
	ipaddr_parse(&u[1].src, "2001:db8::1");
	ipaddr_parse(&u[1].dst, "2001:db8::2");
	u[1].l4_proto = 17;
	u[1].src_tcp_flags = u[1].dst_tcp_flags = 0;
	u[1].sport = 50000;
	u[1].dport = 53;
	u[1].l7_master = 0;
	u[1].l7_app = 5;
	u[1].tos = 0xb8;
	ipaddr_parse(&u[1].exporter, "198.51.100.4");
	u[1].sampling = 0;
	u[1].info = NULL;
	u[1].origin_seq = 43;
	for (json = 0; json <= 1; json++) {
		setup_dec(&d, &s);
		for (i = 0; i < 2; i++) {
			n = export_encode_one(&u[i], "edge1>hub", json, buf,
					      sizeof(buf));
			decode_export(&d, buf, n, json, (uint32_t)i + 1);
		}
		assert_int_equal(errs(&d), 0);
		assert_int_equal(s.n, 2);
		for (i = 0; i < 2; i++) {
			assert_same_update(&u[i], &s.u[i]);
			assert_string_equal(s.path[i], "edge1>hub");
			/* nothing left over as an additional field */
			assert_true(s.u[i].extra == NULL || s.extra[i][0] == '\0' ||
				    strcmp(s.extra[i], "{}") == 0);
		}
		zmqc_decoder_fini(&d);
	}
}

/*
 * The field dictionary (common/flow_fields.def): labels in strcmp order
 * (the label lookup is a binary search over the rows as written); every
 * label and every numeric key resolves to its row; a row the decoder
 * keeps refuses a value of the wrong type (so its case exists in the
 * generated or hand-written switch), an EXTRA row becomes an additional
 * field under its label; the SQLite columns of ntopng 1.x come first.
 */
static const struct {
	const char *label;
	uint32_t pen, id, canon;
	int extra;
} dict[] = {
#define FF_IS_EXTRA_EXTRA 1
#define FF_IS_EXTRA_U64 0
#define FF_IS_EXTRA_U8 0
#define FF_IS_EXTRA_U16 0
#define FF_IS_EXTRA_U8S 0
#define FF_IS_EXTRA_U32S 0
#define FF_IS_EXTRA_IP4 0
#define FF_IS_EXTRA_IP4S 0
#define FF_IS_EXTRA_IP6 0
#define FF_IS_EXTRA_MAC 0
#define FF_IS_EXTRA_CHECK 0
#define FF_IS_EXTRA_SPECIAL 0
#define FF(name, pen, id, label, dec, member, exp) \
	{ label, pen, id, FF_##name, FF_IS_EXTRA_##dec },
#include "common/flow_fields.def"
#undef FF
};

static const struct {
	const char *col;
	int v1, index;
} dict_cols[] = {
#define FW_IS_V1_V1 1
#define FW_IS_V1_OURS 0
#define FW_COL(col, type, bind, value, era) { #col, FW_IS_V1_##era, WFC_##col },
#include "common/flow_fields.def"
#undef FW_COL
};

static void
test_field_dictionary(void **state)
{
	size_t i, n = sizeof(dict) / sizeof(dict[0]);
	struct zmqc_rec *r = malloc(sizeof(*r));
	struct zmqc_val other = { .type = ZV_OTHER, .s = "[1]", .len = 3 };
	uint32_t pen, id;
	int numeric;

	(void)state;
	assert_non_null(r);
	assert_true(n >= 79);       /* the rows of issue 12 at least */
	for (i = 0; i + 1 < n; i++) {
		if (strcmp(dict[i].label, dict[i + 1].label) >= 0)
			fail_msg("flow_fields.def: %s is out of order (before %s)",
				 dict[i].label, dict[i + 1].label);
	}
	for (i = 0; i < n; i++) {
		assert_int_equal(zmqc_key_resolve(NULL, dict[i].label,
						  strlen(dict[i].label), &pen, &id), 0);
		assert_int_equal(pen, 0);
		assert_int_equal(id, dict[i].canon);
		for (numeric = 0; numeric <= 1; numeric++) {
			char key[32], want[80];

			if (numeric && dict[i].pen == FF_PEN_OURS)
				continue;    /* reachable by label only */
			if (numeric) {
				if (dict[i].pen == 0)
					snprintf(key, sizeof(key), "%u", dict[i].id);
				else
					snprintf(key, sizeof(key), "%u.%u", dict[i].pen,
						 dict[i].id - FF_NTOP_BASE);
				assert_int_equal(zmqc_key_resolve(NULL, key, strlen(key),
								  &pen, &id), 0);
			}
			zmqc_rec_init(r);
			if (dict[i].extra) {
				assert_int_equal(zmqc_rec_field(r, pen, id, NULL, 0, &other),
						 ZMQC_OK);
				snprintf(want, sizeof(want), "{\"%s\":[1]", dict[i].label);
				if (r->extra_len != strlen(want) ||
				    memcmp(r->extra, want, r->extra_len) != 0)
					fail_msg("%s (%s): not an additional field",
						 dict[i].label, numeric ? key : "label");
			} else {
				if (zmqc_rec_field(r, pen, id, NULL, 0, &other) !=
				    ZMQC_ERR_VALUE_TYPE || r->extra_len != 0)
					fail_msg("%s (%s): not decoded as a kept field",
						 dict[i].label, numeric ? key : "label");
			}
		}
	}
	/* a PEN-0 id that no row has aliases into the ntop range (118 is
	 * L7_PROTO), and an IANA row does not */
	assert_int_equal(zmqc_key_resolve(NULL, "118", 3, &pen, &id), 0);
	zmqc_rec_init(r);
	assert_int_equal(zmqc_rec_field(r, pen, id, NULL, 0, &other),
			 ZMQC_ERR_VALUE_TYPE);
	for (i = 0; i < sizeof(dict_cols) / sizeof(dict_cols[0]); i++) {
		assert_int_equal(dict_cols[i].index, (int)i + 1);
		if (i > 0 && dict_cols[i].v1 && !dict_cols[i - 1].v1)
			fail_msg("FW_COL %s: ntopng 1.x columns come first",
				 dict_cols[i].col);
	}
	assert_int_equal(WFC__COUNT, (int)i + 1);
	free(r);
}

/* issue 11 #9, ZMQ path: records with 2^63-1 bytes are refused and
 * counted (implausible_counts), the ordinary one next to them is kept. */
static void
test_implausible_counts(void **state)
{
	static const char js[] =
		"[{\"IPV4_SRC_ADDR\":\"10.0.0.1\",\"IPV4_DST_ADDR\":\"10.0.0.2\","
		"\"IN_BYTES\":9223372036854775807,\"IN_PKTS\":9223372036854775807},"
		"{\"IPV4_SRC_ADDR\":\"10.0.0.1\",\"IPV4_DST_ADDR\":\"10.0.0.2\","
		"\"IN_BYTES\":9223372036854775807,\"IN_PKTS\":1,"
		"\"FIRST_SWITCHED\":1799999990,\"LAST_SWITCHED\":1800000000},"
		"{\"IPV4_SRC_ADDR\":\"10.0.0.1\",\"IPV4_DST_ADDR\":\"10.0.0.3\","
		"\"IN_BYTES\":1000,\"IN_PKTS\":2}]";
	uint8_t h[28] = { 'f', 'l', 'o', 'w' };
	struct zmqc_decoder d;
	struct sink s;

	(void)state;
	setup_dec(&d, &s);
	h[16] = 2;
	h[23] = 1;
	zmqc_decode_msg(&d, h, sizeof(h), (const uint8_t *)js, sizeof(js) - 1, 2,
			NOW);
	assert_int_equal(d.st.errors[ZMQC_ERR_IMPLAUSIBLE], 2);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.u[0].in_bytes, 1000);
	assert_int_equal(d.st.flows, 1);
	zmqc_decoder_fini(&d);
}

static void
test_negative(void **state)
{
	struct zmqc_decoder d;
	struct sink s;

	setup_dec(&d, &s);
	feed(&d, "n1_short_header.bin");
	assert_int_equal(d.st.errors[ZMQC_ERR_BAD_HEADER], 1);
	feed(&d, "tv1.bin");             /* no desync */
	assert_int_equal(s.n, 1);
	feed(&d, "n2_version5.bin");
	assert_int_equal(d.st.errors[ZMQC_ERR_BAD_VERSION], 1);
	feed(&d, "n3_tlv_list.bin");
	assert_int_equal(d.st.errors[ZMQC_ERR_TLV], 1);
	assert_int_equal(s.n, 1);        /* whole message dropped */
	feed(&d, "n4_lone_header.bin");
	assert_int_equal(d.st.errors[ZMQC_ERR_NO_PAYLOAD], 1);
	feed(&d, "n5_bad_json.bin");     /* the two valid records count */
	assert_int_equal(d.st.errors[ZMQC_ERR_JSON], 1);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.u[2].in_bytes, 7);
	feed(&d, "n6_zlib_bomb.bin");
	assert_int_equal(d.st.errors[ZMQC_ERR_ZLIB_BOMB], 1);
	feed(&d, "n7_wrong_types.bin");  /* kept, 3 bad fields counted */
	assert_int_equal(s.n, 4);
	assert_int_equal(s.u[3].in_bytes, 100);
	assert_int_equal(s.u[3].in_ifindex, 0);
	assert_int_equal(d.st.errors[ZMQC_ERR_VALUE_TYPE], 3);
	feed(&d, "n8_truncated_zlib.bin");
	assert_int_equal(d.st.errors[ZMQC_ERR_ZLIB], 1);
	feed(&d, "n9_payload_alone.bin");
	assert_int_equal(d.st.errors[ZMQC_ERR_BAD_HEADER], 2);
	feed(&d, "tv2.bin");
	assert_int_equal(s.n, 6);
	zmqc_decoder_fini(&d);
}

static void
test_oversize_extra_frames(void **state)
{
	struct zmqc_decoder d;
	struct sink s;
	size_t len;
	uint8_t *b = load("tv1.bin", &len), *big;

	setup_dec(&d, &s);
	big = calloc(1, ZMQC_MAX_PAYLOAD + 1);
	assert_non_null(big);
	big[0] = '{';
	zmqc_decode_msg(&d, b + 1, 28, big, ZMQC_MAX_PAYLOAD + 1, 2, NOW);
	assert_int_equal(d.st.errors[ZMQC_ERR_OVERSIZE], 1);
	free(big);
	zmqc_decode_msg(&d, b + 1, 28, b + 29, len - 29, 3, NOW);
	assert_int_equal(d.st.errors[ZMQC_ERR_EXTRA_FRAMES], 1);
	assert_int_equal(s.n, 1);
	free(b);
	zmqc_decoder_fini(&d);
}

/* Milliseconds, absolute counters, TCP SYN keeps the direction, ICMP. */
static void
test_fields(void **state)
{
	struct zmqc_decoder d;
	struct sink s;
	uint8_t h[28] = { 'f', 'l', 'o', 'w' };
	const char *js =
		"[{\"IPV4_SRC_ADDR\":3232235777,\"IPV4_DST_ADDR\":\"10.0.0.1\","
		"\"L4_SRC_PORT\":\"80\",\"L4_DST_PORT\":\"8080\",\"PROTOCOL\":6,"
		"\"CLIENT_TCP_FLAGS\":2,\"INITIATOR_OCTETS\":900,"
		"\"RESPONDER_OCTETS\":100,\"INITIATOR_PKTS\":9,"
		"\"RESPONDER_PKTS\":1,\"FIRST_SWITCHED\":1700000000123,"
		"\"LAST_SWITCHED\":1700000001456,\"L7_PROTO\":7,"
		"\"L7_INFO\":\"low\",\"HTTP_SITE\":\"a\\\"b.example\"},"
		"{\"8\":\"10.0.0.1\",\"12\":\"10.0.0.2\",\"4\":1,\"7\":8,"
		"\"11\":9,\"1\":64,\"2\":1}]";

	setup_dec(&d, &s);
	h[16] = 2;
	zmqc_decode_msg(&d, h, 28, (const uint8_t *)js, strlen(js), 2, NOW);
	assert_int_equal(s.n, 2);
	assert_ip(&s.u[0].src, "192.168.1.1");
	assert_int_equal(s.u[0].sport, 80);     /* SYN from the client: no swap */
	assert_int_equal(s.u[0].absolute, 1);
	assert_int_equal(s.u[0].in_bytes, 900);
	assert_int_equal(s.u[0].out_pkts, 1);
	assert_int_equal(s.u[0].first_ms, 1700000000123ULL);
	assert_int_equal(s.u[0].last_ms, 1700000001456ULL);
	assert_int_equal(s.u[0].l7_app, 7);
	assert_string_equal(s.u[0].info, "a\"b.example");
	assert_int_equal(s.u[1].sport, 0);      /* ICMP: no ports */
	assert_int_equal(s.u[1].dport, 0);
	assert_int_equal(s.u[1].last_ms, NOW);  /* no timestamp: now */
	assert_int_equal(errs(&d), 0);
	zmqc_decoder_fini(&d);
}

/* Every corpus file, twice, through one decoder: no crash, counted. */
static void
test_corpus_replay(void **state)
{
	struct zmqc_decoder d;
	struct sink s;
	DIR *dir = opendir(ZMQ_CORPUS_DIR);
	struct dirent *e;
	int files = 0;

	assert_non_null(dir);
	setup_dec(&d, &s);
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		feed(&d, e->d_name);
		feed(&d, e->d_name);
		files++;
	}
	closedir(dir);
	assert_true(files >= 19);
	assert_int_equal(d.st.msgs, (uint64_t)files * 2);
	assert_true(d.st.flows > 0);
	zmqc_decoder_fini(&d);
}

/* Hierarchy topics (docs/hierarchy.md "Convergence"): a `snap.<nonce>`
 * and a `resync` message are snapshot records (u64 totals kept); a node's
 * event hands its declaration to on_node_event. */
static struct node_event got_ev;
static int got_evs;

static void
node_ev(void *ctx, const struct node_event *ev)
{
	(void)ctx;
	got_ev = *ev;
	got_evs++;
}

static void
test_snapshot_topics(void **state)
{
	struct zmqc_decoder d;
	struct sink s;
	size_t len;
	uint8_t *b;

	(void)state;
	setup_dec(&d, &s);
	b = load("h1_snapshot.bin", &len);
	zmqc_decode_blob(&d, b, len, NOW);
	free(b);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.u[0].snapshot, 1);
	assert_true(s.u[0].in_bytes == (5ULL << 32));
	assert_int_equal(s.u[0].origin_seq, 12);
	assert_string_equal(s.u[0].site_path, "edge");
	b = load("h2_resync.bin", &len);
	zmqc_decode_blob(&d, b, len, NOW);
	free(b);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.u[1].snapshot, 1);
	assert_string_equal(s.u[1].site_path, "e>rr");
	assert_int_equal(d.st.topics[ZT_SNAP], 2);
	d.emit_node_event = node_ev;
	got_evs = 0;
	b = load("h3_node_event.bin", &len);
	zmqc_decode_blob(&d, b, len, NOW);
	free(b);
	assert_int_equal(got_evs, 1);
	assert_string_equal(got_ev.node_id, "edge");
	assert_true(got_ev.start_ms == 1796569000000ULL);
	assert_int_equal(got_ev.flows, 2);
	assert_int_equal(got_ev.bytes, 900);
	assert_int_equal(got_ev.pkts, 9);
	assert_int_equal(got_ev.interval_s, 1);
	zmqc_decoder_fini(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_snapshot_topics),
		cmocka_unit_test(test_tv1_json_numeric),
		cmocka_unit_test(test_tv2_labels_array),
		cmocka_unit_test(test_tv3_legacy_zlib_swap),
		cmocka_unit_test(test_tv4_tv5_tlv),
		cmocka_unit_test(test_tlv_validate_agrees),
		cmocka_unit_test(test_tv6_v3_zlib),
		cmocka_unit_test(test_tv7_event_tv8_tv9),
		cmocka_unit_test(test_counters_tlv_and_refusals),
		cmocka_unit_test(test_snmp_ifaces),
		cmocka_unit_test(test_tv10_v0),
		cmocka_unit_test(test_msg_id_drops),
		cmocka_unit_test(test_msg_id_bogus_jump),
		cmocka_unit_test(test_msg_id_missed_at_join),
		cmocka_unit_test(test_msg_id_rejoin),
		cmocka_unit_test(test_log_limiter_summary),
		cmocka_unit_test(test_endpoint_split),
		cmocka_unit_test(test_export_both_dialects),
		cmocka_unit_test(test_field_dictionary),
		cmocka_unit_test(test_implausible_counts),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_oversize_extra_frames),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_corpus_replay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
