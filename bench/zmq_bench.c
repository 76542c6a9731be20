/*
 * zmq_bench.c - ZMQ ingest benchmark: flows/s decoded and fully accounted
 * (iface_flow_update into real interface tables: flows, hosts, L7) next
 * to the bare decode rate of the same messages, in the same run.
 *
 * The generator builds batches of 20 flows per message, in JSON (numeric
 * keys, as nProbe) and in TLV (nDPI serializer, as nProbe's default),
 * with 28-byte v2 headers: 50 000 distinct 5-tuples over 2 000 hosts,
 * each message carrying fresh counters.  Each pass decodes every message
 * once; the accounted pass feeds an interface created exactly as
 * iface_start() does, without its thread.
 *
 * Usage: zmq_bench [total flows per format, default 2000000]
 *        zmq_bench --replay FILE   (messages written by ntopng-gen-flows
 *        --dump: u32 length in host order, then u8 header length, header,
 *        payload; every length is checked against the file)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dpi/dpi.h"
#include "collector/zmqc.h"
#include "common/prefs.h"
#include "common/timeutil.h"
#include "merge/iface.h"
#include "merge/tables.h"

#define BATCH 20
#define NKEYS 50000

struct msgs {
	uint8_t *buf;                /* blobs back to back: u32 len + blob */
	size_t len, cap;
	size_t n;
};

static void
msgs_add(struct msgs *m, const uint8_t *hdr, size_t hl, const uint8_t *pay,
	 size_t pl)
{
	size_t need = 4 + 1 + hl + pl;
	uint32_t bl = (uint32_t)(1 + hl + pl);

	if (m->len + need > m->cap) {
		m->cap = (m->cap + need) * 2;
		m->buf = realloc(m->buf, m->cap);
		if (m->buf == NULL)
			exit(1);
	}
	memcpy(m->buf + m->len, &bl, 4);
	m->buf[m->len + 4] = (uint8_t)hl;
	memcpy(m->buf + m->len + 5, hdr, hl);
	memcpy(m->buf + m->len + 5 + hl, pay, pl);
	m->len += need;
	m->n++;
}

static void
hdr_make(uint8_t h[28], int version, uint32_t msg_id)
{
	memset(h, 0, 28);
	memcpy(h, "flow", 4);
	h[16] = (uint8_t)version;
	h[20] = (uint8_t)(msg_id >> 24);
	h[21] = (uint8_t)(msg_id >> 16);
	h[22] = (uint8_t)(msg_id >> 8);
	h[23] = (uint8_t)msg_id;
	h[27] = 1;
}

static size_t
tlv_u32(uint8_t *p, uint16_t key, uint32_t v)
{
	p[0] = 0x34;                 /* key u16, value u32 */
	p[1] = (uint8_t)(key >> 8);
	p[2] = (uint8_t)key;
	p[3] = (uint8_t)(v >> 24);
	p[4] = (uint8_t)(v >> 16);
	p[5] = (uint8_t)(v >> 8);
	p[6] = (uint8_t)v;
	return 7;
}

static size_t
tlv_str(uint8_t *p, uint16_t key, const char *s)
{
	size_t n = strlen(s);

	p[0] = 0x3b;
	p[1] = (uint8_t)(key >> 8);
	p[2] = (uint8_t)key;
	p[3] = (uint8_t)(n >> 8);
	p[4] = (uint8_t)n;
	memcpy(p + 5, s, n);
	return 5 + n;
}

static void
gen(struct msgs *json, struct msgs *tlv, long total, uint32_t now)
{
	char js[BATCH * 400];
	uint8_t tb[BATCH * 200], h[28];
	long f = 0;
	uint32_t id = 1;

	while (f < total) {
		size_t jl = 0, tl = 2;

		tb[0] = tb[1] = 1;
		js[jl++] = '[';
		for (int i = 0; i < BATCH; i++, f++) {
			unsigned k = (unsigned)(f % NKEYS);
			char src[16], dst[16];

			snprintf(src, sizeof(src), "10.1.%u.%u", (k % 2000) / 250,
				 (k % 2000) % 250 + 1);
			snprintf(dst, sizeof(dst), "172.16.%u.%u", k / 2000 % 200,
				 k % 100 + 1);
			jl += (size_t)snprintf(js + jl, sizeof(js) - jl,
				"%s{\"8\":\"%s\",\"12\":\"%s\",\"7\":%u,\"11\":443,"
				"\"4\":6,\"1\":%u,\"2\":3,\"23\":%u,\"24\":2,"
				"\"22\":%u,\"21\":%u,\"57590\":\"91.126\","
				"\"57550\":2}", i ? "," : "", src, dst,
				20000 + k % 30000, 1000 + k % 500, 2000, now, now);
			tl += tlv_str(tb + tl, 8, src);
			tl += tlv_str(tb + tl, 12, dst);
			tl += tlv_u32(tb + tl, 7, 20000 + k % 30000);
			tl += tlv_u32(tb + tl, 11, 443);
			tl += tlv_u32(tb + tl, 4, 6);
			tl += tlv_u32(tb + tl, 1, 1000 + k % 500);
			tl += tlv_u32(tb + tl, 2, 3);
			tl += tlv_u32(tb + tl, 23, 2000);
			tl += tlv_u32(tb + tl, 24, 2);
			tl += tlv_u32(tb + tl, 22, now);
			tl += tlv_u32(tb + tl, 21, now);
			tl += tlv_str(tb + tl, 57590, "91.126");
			tl += tlv_u32(tb + tl, 57550, 2);
			tb[tl++] = 0x01;
		}
		js[jl++] = ']';
		hdr_make(h, 2, id);
		msgs_add(json, h, 28, (const uint8_t *)js, jl);
		hdr_make(h, 3, id);
		msgs_add(tlv, h, 28, tb, tl);
		id++;
	}
}

static int
emit_none(void *ctx, const struct flow_update *u)
{
	return u->ip_version ? 0 : -1;
}

static int
emit_iface(void *ctx, const struct flow_update *u)
{
	return iface_flow_update(ctx, u);
}

static void
prefetch_iface(void *ctx, const struct flow_update *const *u, int n)
{
	iface_flow_prefetch(ctx, u, n);
}

static struct iface *
bench_iface(const struct prefs *p)
{
	struct iface *ifc = iface_new_detached("bench", p);

	if (ifc == NULL)
		exit(1);
	return ifc;
}

static double
run(const struct msgs *m, zmqc_emit_fn emit, void *ctx, uint64_t *flows)
{
	struct zmqc_decoder d;
	size_t off = 0;
	double t0;

	zmqc_decoder_init(&d, "bench", emit, ctx);
	if (emit == emit_iface && getenv("ZMQ_BENCH_NO_PREFETCH") == NULL)
		d.prefetch = prefetch_iface;
	t0 = time_mono_s();
	while (off < m->len) {
		uint32_t bl;

		uint64_t now = time_wall_ms();

		memcpy(&bl, m->buf + off, 4);
		if (emit == emit_iface)      /* as the owner thread does */
			iface_set_wall_ms(ctx, now);
		zmqc_decode_blob(&d, m->buf + off + 4, bl, now);
		off += 4 + bl;
	}
	t0 = time_mono_s() - t0;
	*flows = d.st.flows;
	zmqc_decoder_fini(&d);
	return t0;
}

/* Loads a --dump file of ntopng-gen-flows; -1 if it is not one. */
static int
msgs_load(struct msgs *m, const char *path)
{
	FILE *f = fopen(path, "rb");
	long size;
	size_t off = 0;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "zmq_bench: %s: cannot read\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	m->cap = m->len = (size_t)size;
	m->buf = malloc(m->cap);
	if (m->buf == NULL || fread(m->buf, 1, m->len, f) != m->len) {
		fclose(f);
		return -1;
	}
	fclose(f);
	while (off < m->len) {
		uint32_t bl;

		if (m->len - off < 4)
			break;
		memcpy(&bl, m->buf + off, 4);
		if (bl == 0 || bl > m->len - off - 4)
			break;
		off += 4 + (size_t)bl;
		m->n++;
	}
	if (off != m->len) {
		fprintf(stderr, "zmq_bench: %s: truncated at byte %zu\n", path,
			off);
		return -1;
	}
	return 0;
}

/* Bare decode and decode + accounting of the messages of one file. */
static int
replay(const char *path)
{
	static struct prefs p;
	struct msgs m = { 0 };
	struct iface *ifc;
	uint64_t fb, fa;
	double tb, ta;

	if (msgs_load(&m, path) < 0)
		return 1;
	prefs_init(&p);
	tb = run(&m, emit_none, NULL, &fb);
	/* room for every flow of the file (a churn file: one per record),
	 * as zmq_ingest.sh gives the node -X/-x 2000000 */
	if (fb + 1024 > p.max_num_flows)
		p.max_num_flows = (uint32_t)(fb + 1024);
	if (2 * fb + 1024 > p.max_num_hosts)
		p.max_num_hosts = (uint32_t)(2 * fb + 1024);
	ifc = bench_iface(&p);
	ta = run(&m, emit_iface, ifc, &fa);
	printf("REPLAY msgs=%zu flows=%llu bare=%.0f accounted=%.0f "
	       "flows_in_table=%u hosts=%u\n", m.n, (unsigned long long)fb,
	       (double)fb / tb, (double)fa / ta, iface_num_flows(ifc),
	       iface_num_hosts(ifc));
	free(m.buf);
	return fb == fa && fb > 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static struct prefs p;
	struct msgs json = { 0 }, tlv = { 0 };
	long total = 2000000;
	const char *names[2] = { "JSON", "TLV" };
	struct msgs *sets[2] = { &json, &tlv };

	if (argc == 3 && strcmp(argv[1], "--replay") == 0)
		return replay(argv[2]);
	if (argc > 1) {
		char *end;

		total = strtol(argv[1], &end, 10);
		if (*end != '\0' || total <= 0 || total > 100000000) {
			fprintf(stderr, "usage: %s [flows]\n", argv[0]);
			return 1;
		}
	}
	prefs_init(&p);
	gen(&json, &tlv, total, (uint32_t)(time_wall_ms() / 1000));
	printf("%ld flows per format, %d flows per message, %d distinct flows\n",
	       total, BATCH, NKEYS);
	for (int i = 0; i < 2; i++) {
		struct iface *ifc = bench_iface(&p);
		uint64_t fb, fa;
		double tb = run(sets[i], emit_none, NULL, &fb);
		double ta = run(sets[i], emit_iface, ifc, &fa);

		printf("%-4s bare decode   %10.0f flows/s (%llu flows, %zu msgs, "
		       "%.1f MB)\n", names[i], (double)fb / tb,
		       (unsigned long long)fb, sets[i]->n,
		       (double)sets[i]->len / 1e6);
		printf("%-4s + accounting %10.0f flows/s (%u flows, %u hosts in "
		       "the tables)  ratio %.0f %%\n", names[i], (double)fa / ta,
		       iface_num_flows(ifc), iface_num_hosts(ifc),
		       100.0 * tb / ta);
	}
	return 0;
}
