/*
 * gen_flows.c - ntopng-gen-flows, a deterministic ZMQ flow publisher for
 * the demo, the ingest benchmark (bench/zmq_ingest.sh) and the tests.
 *
 * It plays an nProbe: it publishes -n flow records in batches of -b per
 * message, in JSON (numeric keys) or TLV (nDPI serializer), as fast as
 * the peer takes them (-r 0) or paced at -r flows/s, and prints what it
 * sent so that a receiver can be checked exactly:
 *   SENT flows=N bytes=N packets=N msgs=N seconds=S
 * (msgs counts flow messages; events are extra.)  It links libzmq only.
 *
 * Records.  Record f (0-based) uses key k = f % K (-k): a fixed 5-tuple,
 * so the receiver's tables stay bounded at K flows however long it runs.
 * Clients 10.0.x.y (4096 of them, port 1024 + k/4096), servers
 * 172.16.x.y (1024); every tenth key is IPv6 (2001:db8::/48 clients,
 * 2001:db8:1::/48 servers).  Server ports 443/TCP (L7 "91.126"),
 * 80/TCP ("7"), 53/UDP ("5"), 22/TCP ("92").  IN_BYTES 64 + f % 1000,
 * IN_PKTS 1 + f % 3, OUT_BYTES 128 + f % 2000, OUT_PKTS 1 + f % 4: each
 * record is a delta, so the totals are plain sums.  FIRST_SWITCHED is
 * send time - 1 s, LAST_SWITCHED send time (s), FLOW_END_MILLISECONDS
 * (153) the send time in ms, so a receiver can measure latency.
 *
 * Wire, one message = two frames (zmq-wire.md §2.2, §3.3, §4.2):
 *   frame 1: 28-byte v2 header
 *     0..15  topic "flow" / "event", NUL padded
 *     16     version: 3 = TLV payload, 2 = JSON payload
 *     17     0
 *     18..19 payload length & 0xffff, little-endian (informational)
 *     20..23 msg_id, big-endian, 1, 2, 3 ... over every topic
 *     24..27 source_id (-s), big-endian
 *   frame 2, JSON: [{"8":"10.0.0.1","12":"172.16.0.1","7":1024,...},...]
 *   frame 2, TLV: 01 01, then per item a type byte (key type << 4 |
 *     value type: key 2 = u8, 3 = u16; value 2 = u8, 3 = u16, 4 = u32,
 *     5 = u64, 11 = string with a u16 length), the key big-endian, the
 *     value big-endian; 01 ends each record.
 *   event (--event, JSON, every second and once at the end):
 *     {"time":T,"zmq":{"num_flow_exports":flows sent so far}}
 *
 * Sockets.  -e binds an XPUB; a trailing 'c' connects instead (as the
 * node's -i).  --wait-subscriber reads the XPUB until the first
 * subscription arrives (bounded by --wait-timeout) so that nothing is
 * lost to the slow joiner.  With -r 0 the XPUB is ZMQ_XPUB_NODROP: a full
 * queue blocks the sender, so "as fast as possible" means as fast as the
 * receiver drains.  Paced (-r > 0), a full queue drops whole messages as
 * a PUB does, and the receiver sees them as msg_id gaps: a slow receiver
 * cannot hide behind a slowed sender.  Pacing sleeps (clock_nanosleep,
 * absolute) until flow f is due at f / rate s, sending ~2 ms worth of
 * whole messages at a time; a sender that falls behind does not sleep
 * and its SENT seconds shows the rate it reached.
 *
 * --dump FILE writes the messages to FILE instead of sending them
 * (no socket), each as: u32 length (host order) of what follows, u8
 * header length, header, payload: bench/zmq_bench --replay decodes them.
 * --replay FILE sends the messages of such a file, as they are (headers
 * and msg_ids included), as fast as the peer takes them: the benchmark
 * then feeds a node the very bytes it decoded bare, and the sender's
 * only work is zmq_send (encoding is done before START).  Its SENT line
 * has msgs and seconds only; the totals are those of the dump's run.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#define HDR_LEN 28
#define MAX_BATCH 1000
#define MAX_RECORD 400          /* bound of one encoded record, either form */
#define N_CLIENTS 4096
#define N_SERVERS 1024

enum fmt { FMT_JSON, FMT_TLV };

struct gen {
	enum fmt fmt;
	uint64_t total;            /* -n */
	uint64_t rate;             /* -r, 0 = as fast as possible */
	unsigned batch;            /* -b */
	uint64_t keys;             /* -k */
	uint32_t source_id;        /* -s */
	const char *endpoint;      /* -e */
	const char *dump;          /* --dump */
	const char *replay;        /* --replay */
	int wait_sub;
	int wait_timeout;          /* s */
	int events;
	int hwm;
	int linger;                /* s */

	void *ctx, *sock;
	FILE *df;
	uint32_t msg_id;
	uint64_t flows, bytes, pkts, msgs, events_sent;
	uint8_t *buf;              /* one payload */
	size_t cap;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	stop = 1;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the records ---- */

struct rec {
	int v6;
	uint8_t cli[4], srv[4];    /* v4, or the low 32 bits of the v6 ones */
	uint16_t sport, dport;
	uint8_t proto;
	const char *l7;
	uint64_t ib, ip, ob, op;
};

static void
rec_make(struct rec *r, uint64_t f, uint64_t keys)
{
	static const uint16_t dports[4] = { 443, 80, 53, 22 };
	static const char *l7s[4] = { "91.126", "7", "5", "92" };
	uint64_t k = f % keys;
	unsigned c = (unsigned)(k % N_CLIENTS);
	unsigned s = (unsigned)((k * 31) % N_SERVERS);
	unsigned d = (unsigned)(k / 7 % 4);

	r->v6 = k % 10 == 9;
	r->cli[0] = 10;
	r->cli[1] = 0;
	r->cli[2] = (uint8_t)(c >> 8);
	r->cli[3] = (uint8_t)(c & 0xff);
	r->srv[0] = 172;
	r->srv[1] = 16;
	r->srv[2] = (uint8_t)(s >> 8);
	r->srv[3] = (uint8_t)(s & 0xff);
	r->sport = (uint16_t)(1024 + k / N_CLIENTS % 64000);
	r->dport = dports[d];
	r->proto = d == 2 ? 17 : 6;
	r->l7 = l7s[d];
	r->ib = 64 + f % 1000;
	r->ip = 1 + f % 3;
	r->ob = 128 + f % 2000;
	r->op = 1 + f % 4;
}

/* Address text: 10.0.x.y, or 2001:db8::<c> / 2001:db8:1::<s> for v6. */
static size_t
addr_text(char *out, size_t size, const struct rec *r, int server)
{
	const uint8_t *a = server ? r->srv : r->cli;
	int n;

	if (r->v6)
		n = snprintf(out, size, server ? "2001:db8:1::%x" :
			     "2001:db8::%x", (unsigned)(a[2] << 8 | a[3]));
	else
		n = snprintf(out, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* ---- JSON: hand-rolled number formatting, snprintf is the bottleneck */

static size_t
put_u64(char *p, uint64_t v)
{
	char t[20];
	size_t n = 0, i;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		p[i] = t[n - 1 - i];
	return n;
}

static size_t
put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return n;
}

#define PUT_LIT(p, lit) put_str((p), (lit), sizeof(lit) - 1)

static size_t
json_num(char *p, const char *key, uint64_t v)
{
	size_t n = 0, kl = strlen(key);

	p[n++] = '"';
	n += put_str(p + n, key, kl);
	n += PUT_LIT(p + n, "\":");
	n += put_u64(p + n, v);
	p[n++] = ',';
	return n;
}

static size_t
json_text(char *p, const char *key, const char *s, size_t sl)
{
	size_t n = 0, kl = strlen(key);

	p[n++] = '"';
	n += put_str(p + n, key, kl);
	n += PUT_LIT(p + n, "\":\"");
	n += put_str(p + n, s, sl);
	n += PUT_LIT(p + n, "\",");
	return n;
}

static size_t
json_record(char *p, const struct rec *r, uint64_t now)
{
	char a[48];
	size_t n = 0, al;

	p[n++] = '{';
	al = addr_text(a, sizeof(a), r, 0);
	n += json_text(p + n, r->v6 ? "27" : "8", a, al);
	al = addr_text(a, sizeof(a), r, 1);
	n += json_text(p + n, r->v6 ? "28" : "12", a, al);
	n += json_num(p + n, "60", r->v6 ? 6 : 4);
	n += json_num(p + n, "7", r->sport);
	n += json_num(p + n, "11", r->dport);
	n += json_num(p + n, "4", r->proto);
	n += json_num(p + n, "1", r->ib);
	n += json_num(p + n, "2", r->ip);
	n += json_num(p + n, "23", r->ob);
	n += json_num(p + n, "24", r->op);
	n += json_num(p + n, "22", now / 1000 - 1);
	n += json_num(p + n, "21", now / 1000);
	n += json_num(p + n, "153", now);
	n += json_text(p + n, "57590", r->l7, strlen(r->l7));
	p[n - 1] = '}';          /* replaces the last ',' */
	return n;
}

/* ---- TLV ---- */

static size_t
tlv_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return (size_t)n;
}

static size_t
tlv_key(uint8_t *p, uint8_t vtype, uint16_t key)
{
	if (key <= 0xff) {
		p[0] = (uint8_t)(2 << 4 | vtype);
		p[1] = (uint8_t)key;
		return 2;
	}
	p[0] = (uint8_t)(3 << 4 | vtype);
	return 1 + tlv_be(p + 1, key, 2);
}

/* The smallest unsigned that holds v, as nDPI's serializer does. */
static size_t
tlv_uint(uint8_t *p, uint16_t key, uint64_t v)
{
	if (v <= 0xff) {
		size_t n = tlv_key(p, 2, key);
		return n + tlv_be(p + n, v, 1);
	} else if (v <= 0xffff) {
		size_t n = tlv_key(p, 3, key);
		return n + tlv_be(p + n, v, 2);
	} else if (v <= 0xffffffffULL) {
		size_t n = tlv_key(p, 4, key);
		return n + tlv_be(p + n, v, 4);
	} else {
		size_t n = tlv_key(p, 5, key);
		return n + tlv_be(p + n, v, 8);
	}
}

static size_t
tlv_text(uint8_t *p, uint16_t key, const char *s, size_t sl)
{
	size_t n = tlv_key(p, 11, key);

	n += tlv_be(p + n, sl, 2);
	memcpy(p + n, s, sl);
	return n + sl;
}

static size_t
tlv_record(uint8_t *p, const struct rec *r, uint64_t now)
{
	char a[48];
	size_t n = 0, al;

	al = addr_text(a, sizeof(a), r, 0);
	n += tlv_text(p + n, r->v6 ? 27 : 8, a, al);
	al = addr_text(a, sizeof(a), r, 1);
	n += tlv_text(p + n, r->v6 ? 28 : 12, a, al);
	n += tlv_uint(p + n, 60, r->v6 ? 6 : 4);
	n += tlv_uint(p + n, 7, r->sport);
	n += tlv_uint(p + n, 11, r->dport);
	n += tlv_uint(p + n, 4, r->proto);
	n += tlv_uint(p + n, 1, r->ib);
	n += tlv_uint(p + n, 2, r->ip);
	n += tlv_uint(p + n, 23, r->ob);
	n += tlv_uint(p + n, 24, r->op);
	n += tlv_uint(p + n, 22, now / 1000 - 1);
	n += tlv_uint(p + n, 21, now / 1000);
	n += tlv_uint(p + n, 153, now);
	n += tlv_text(p + n, 57590, r->l7, strlen(r->l7));
	p[n++] = 0x01;           /* end of record */
	return n;
}

/* ---- sending ---- */

/* Sends a header frame and a payload frame (-r 0: XPUB_NODROP blocks
 * here; paced: a full queue drops whole messages).  0, or -1. */
static int
send_frames(void *sock, const void *h, size_t hl, const void *pay, size_t len)
{
	while (zmq_send(sock, h, hl, ZMQ_SNDMORE) < 0) {
		if (errno != EINTR || stop)
			goto fail;
	}
	while (zmq_send(sock, pay, len, 0) < 0) {
		if (errno != EINTR || stop)
			goto fail;
	}
	return 0;
fail:
	if (!stop)
		fprintf(stderr, "gen-flows: send: %s\n", zmq_strerror(errno));
	return -1;
}

static void
hdr_make(uint8_t h[HDR_LEN], const char *topic, int version, size_t len,
	 uint32_t id, uint32_t src)
{
	memset(h, 0, HDR_LEN);
	memcpy(h, topic, strlen(topic));
	h[16] = (uint8_t)version;
	h[18] = (uint8_t)(len & 0xff);
	h[19] = (uint8_t)((len >> 8) & 0xff);
	tlv_be(h + 20, id, 4);
	tlv_be(h + 24, src, 4);
}

/* Sends (or dumps) one message; returns -1 when the run must stop. */
static int
gen_send(struct gen *g, const char *topic, int version, const void *pay,
	 size_t len)
{
	uint8_t h[HDR_LEN];

	hdr_make(h, topic, version, len, ++g->msg_id, g->source_id);
	if (g->df != NULL) {
		uint32_t bl = (uint32_t)(1 + HDR_LEN + len);
		uint8_t hl = HDR_LEN;

		if (fwrite(&bl, 4, 1, g->df) != 1 ||
		    fwrite(&hl, 1, 1, g->df) != 1 ||
		    fwrite(h, HDR_LEN, 1, g->df) != 1 ||
		    fwrite(pay, 1, len, g->df) != len) {
			fprintf(stderr, "gen-flows: %s: %s\n", g->dump,
				strerror(errno));
			return -1;
		}
		return 0;
	}
	return send_frames(g->sock, h, HDR_LEN, pay, len);
}

static int
gen_event(struct gen *g)
{
	char txt[160];
	int n = snprintf(txt, sizeof(txt),
			 "{\"time\":%" PRIu64 ",\"zmq\":{\"num_flow_exports\":"
			 "%" PRIu64 ",\"num_exporters\":1}}",
			 wall_ms() / 1000, g->flows);

	if (n < 0 || (size_t)n >= sizeof(txt))
		return -1;
	g->events_sent++;
	return gen_send(g, "event", 2, txt, (size_t)n);
}

/* One flow message of n records, starting at record g->flows. */
static int
gen_message(struct gen *g, unsigned n)
{
	uint64_t now = wall_ms();
	size_t len = 0;
	struct rec r;

	if (g->fmt == FMT_JSON)
		g->buf[len++] = '[';
	else {
		g->buf[len++] = 0x01;
		g->buf[len++] = 0x01;
	}
	for (unsigned i = 0; i < n; i++) {
		rec_make(&r, g->flows + i, g->keys);
		if (g->fmt == FMT_JSON) {
			if (i)
				g->buf[len++] = ',';
			len += json_record((char *)g->buf + len, &r, now);
		} else {
			len += tlv_record(g->buf + len, &r, now);
		}
		g->bytes += r.ib + r.ob;
		g->pkts += r.ip + r.op;
	}
	if (g->fmt == FMT_JSON)
		g->buf[len++] = ']';
	if (gen_send(g, "flow", g->fmt == FMT_JSON ? 2 : 3, g->buf, len) < 0)
		return -1;
	g->flows += n;
	g->msgs++;
	return 0;
}

/* Waits for the first subscription on the XPUB, at most wait_timeout s. */
static int
gen_wait_subscriber(struct gen *g)
{
	uint64_t deadline = mono_ns() + (uint64_t)g->wait_timeout * 1000000000ULL;

	while (!stop) {
		zmq_pollitem_t it = { .socket = g->sock, .events = ZMQ_POLLIN };
		uint64_t t = mono_ns();
		uint8_t b[256];
		int rc;

		if (t >= deadline)
			break;
		rc = zmq_poll(&it, 1, (long)((deadline - t) / 1000000 + 1));
		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0)
			continue;
		rc = zmq_recv(g->sock, b, sizeof(b), ZMQ_DONTWAIT);
		if (rc >= 1 && b[0] == 1)
			return 0;
	}
	fprintf(stderr, "gen-flows: no subscriber within %d s\n",
		g->wait_timeout);
	return -1;
}

static int
gen_open(struct gen *g)
{
	char ep[512];
	size_t n = strlen(g->endpoint);
	int connect = 0, one = 1, linger = g->linger * 1000;

	if (n == 0 || n >= sizeof(ep)) {
		fprintf(stderr, "gen-flows: bad endpoint\n");
		return -1;
	}
	memcpy(ep, g->endpoint, n + 1);
	if (ep[n - 1] == 'c' && strstr(ep, "://") != NULL) {
		ep[n - 1] = '\0';
		connect = 1;
	}
	g->ctx = zmq_ctx_new();
	g->sock = g->ctx ? zmq_socket(g->ctx, ZMQ_XPUB) : NULL;
	if (g->sock == NULL) {
		fprintf(stderr, "gen-flows: zmq: %s\n", zmq_strerror(errno));
		return -1;
	}
	zmq_setsockopt(g->sock, ZMQ_SNDHWM, &g->hwm, sizeof(g->hwm));
	zmq_setsockopt(g->sock, ZMQ_LINGER, &linger, sizeof(linger));
	if (g->rate == 0)
		zmq_setsockopt(g->sock, ZMQ_XPUB_NODROP, &one, sizeof(one));
	if ((connect ? zmq_connect(g->sock, ep) : zmq_bind(g->sock, ep)) != 0) {
		fprintf(stderr, "gen-flows: %s %s: %s\n",
			connect ? "connect" : "bind", ep, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

/* --replay: loads a --dump file whole (every length checked), then sends
 * its messages back to back.  Returns 0, or 1 on a bad file or send. */
static int
gen_replay(struct gen *g)
{
	FILE *f = fopen(g->replay, "rb");
	uint8_t *b = NULL;
	long size = -1;
	size_t off = 0, n = 0;
	uint64_t t0;
	int rc = 0;

	if (f != NULL && fseek(f, 0, SEEK_END) == 0)
		size = ftell(f);
	if (size > 0 && fseek(f, 0, SEEK_SET) == 0)
		b = malloc((size_t)size);
	if (b == NULL || fread(b, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "gen-flows: %s: cannot read\n", g->replay);
		if (f != NULL)
			fclose(f);
		free(b);
		return 1;
	}
	fclose(f);
	while (off < (size_t)size) {      /* u32 len, u8 hlen, hdr, payload */
		uint32_t bl;

		if ((size_t)size - off < 5)
			break;
		memcpy(&bl, b + off, 4);
		if (bl < 1 || bl > (size_t)size - off - 4 || b[off + 4] >= bl)
			break;
		off += 4 + (size_t)bl;
		n++;
	}
	if (off != (size_t)size || n == 0) {
		fprintf(stderr, "gen-flows: %s: not a --dump file (byte %zu)\n",
			g->replay, off);
		free(b);
		return 1;
	}
	printf("START wall_ms=%" PRIu64 "\n", wall_ms());
	fflush(stdout);
	t0 = mono_ns();
	for (off = 0; off < (size_t)size && !stop;) {
		uint32_t bl;
		size_t hl;

		memcpy(&bl, b + off, 4);
		hl = b[off + 4];
		if (send_frames(g->sock, b + off + 5, hl, b + off + 5 + hl,
				bl - 1 - hl) < 0) {
			rc = !stop;
			break;
		}
		off += 4 + (size_t)bl;
		g->msgs++;
	}
	printf("SENT msgs=%" PRIu64 " seconds=%.3f\n", g->msgs,
	       (double)(mono_ns() - t0) / 1e9);
	fflush(stdout);
	free(b);
	return rc;
}

static void
usage(void)
{
	fprintf(stderr,
"usage: ntopng-gen-flows -e ENDPOINT[c] | --dump FILE  [options]\n"
"  -e ENDPOINT      bind an XPUB (trailing 'c': connect), e.g. tcp://*:5556\n"
"  -f json|tlv      payload encoding (default tlv)\n"
"  -n FLOWS         records to send (default 1000000)\n"
"  -r RATE          flows/s, 0 = as fast as the receiver takes (default 0)\n"
"  -b N             records per message, 1..%d (default 20)\n"
"  -k N             distinct flow keys (default 100000)\n"
"  -s ID            header source_id (default 1)\n"
"  --wait-subscriber  wait for the first subscription before sending\n"
"  --wait-timeout S   at most S seconds (default 30)\n"
"  --event          an event message every second and at the end\n"
"  --hwm N          send high-water mark, messages (default 10000)\n"
"  --linger S       at exit, wait at most S s for delivery (default 30)\n"
"  --dump FILE      write the messages to FILE instead of sending\n"
"  --replay FILE    send the messages of a --dump FILE as they are\n",
		MAX_BATCH);
}

static int
parse_num(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
gen_args(struct gen *g, int argc, char **argv)
{
	enum { O_WAIT = 256, O_WAIT_TO, O_EVENT, O_HWM, O_LINGER, O_DUMP,
	       O_REPLAY };
	static const struct option lo[] = {
		{ "wait-subscriber", no_argument, NULL, O_WAIT },
		{ "wait-timeout", required_argument, NULL, O_WAIT_TO },
		{ "event", no_argument, NULL, O_EVENT },
		{ "hwm", required_argument, NULL, O_HWM },
		{ "linger", required_argument, NULL, O_LINGER },
		{ "dump", required_argument, NULL, O_DUMP },
		{ "replay", required_argument, NULL, O_REPLAY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "e:f:n:r:b:k:s:h", lo, NULL)) != -1) {
		int bad = 0;

		switch (c) {
		case 'e': g->endpoint = optarg; break;
		case 'f':
			if (!strcmp(optarg, "json"))
				g->fmt = FMT_JSON;
			else if (!strcmp(optarg, "tlv"))
				g->fmt = FMT_TLV;
			else
				bad = 1;
			break;
		case 'n': bad = parse_num(optarg, 1, UINT64_MAX / 4, &g->total); break;
		case 'r': bad = parse_num(optarg, 0, 100000000, &g->rate); break;
		case 'b':
			bad = parse_num(optarg, 1, MAX_BATCH, &v);
			g->batch = (unsigned)v;
			break;
		case 'k': bad = parse_num(optarg, 1, (uint64_t)N_CLIENTS * 64000, &g->keys); break;
		case 's':
			bad = parse_num(optarg, 0, UINT32_MAX, &v);
			g->source_id = (uint32_t)v;
			break;
		case O_WAIT: g->wait_sub = 1; break;
		case O_WAIT_TO:
			bad = parse_num(optarg, 1, 3600, &v);
			g->wait_timeout = (int)v;
			break;
		case O_EVENT: g->events = 1; break;
		case O_HWM:
			bad = parse_num(optarg, 1, 10000000, &v);
			g->hwm = (int)v;
			break;
		case O_LINGER:
			bad = parse_num(optarg, 0, 3600, &v);
			g->linger = (int)v;
			break;
		case O_DUMP: g->dump = optarg; break;
		case O_REPLAY: g->replay = optarg; break;
		default:
			usage();
			return -1;
		}
		if (bad) {
			fprintf(stderr, "gen-flows: bad value for -%c: %s\n",
				c < 256 ? c : '-', optarg);
			return -1;
		}
	}
	if (optind != argc || (g->endpoint == NULL) == (g->dump == NULL) ||
	    (g->replay != NULL && (g->endpoint == NULL || g->rate || g->events))) {
		usage();
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct gen g = {
		.fmt = FMT_TLV, .total = 1000000, .batch = 20, .keys = 100000,
		.source_id = 1, .wait_timeout = 30, .hwm = 10000, .linger = 30,
	};
	uint64_t t0, next_event, step;
	int rc = 0;
	double secs;

	if (gen_args(&g, argc, argv) < 0)
		return 2;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	g.cap = (size_t)g.batch * MAX_RECORD + 16;
	g.buf = malloc(g.cap);
	if (g.buf == NULL)
		return 1;
	if (g.dump != NULL) {
		g.df = fopen(g.dump, "wb");
		if (g.df == NULL) {
			fprintf(stderr, "gen-flows: %s: %s\n", g.dump, strerror(errno));
			return 1;
		}
	} else if (gen_open(&g) < 0 ||
		   (g.wait_sub && gen_wait_subscriber(&g) < 0)) {
		rc = 1;
		goto out;
	}
	if (g.replay != NULL) {
		rc = gen_replay(&g);
		goto out;
	}
	/* whole messages, about 2 ms worth of them, per wake-up */
	step = g.rate ? (g.rate / 500 + g.batch - 1) / g.batch * g.batch : 0;
	if (step < g.batch)
		step = g.batch;
	printf("START wall_ms=%" PRIu64 "\n", wall_ms());
	fflush(stdout);
	t0 = mono_ns();
	next_event = t0 + 1000000000ULL;
	while (g.flows < g.total && !stop) {
		uint64_t chunk = g.total - g.flows < step ? g.total - g.flows : step;

		if (g.rate && g.dump == NULL) {
			/* record g.flows is due at t0 + g.flows / rate */
			uint64_t due = t0 + (uint64_t)((double)g.flows * 1e9 /
						       (double)g.rate);
			struct timespec ts = {
				.tv_sec = (time_t)(due / 1000000000ULL),
				.tv_nsec = (long)(due % 1000000000ULL),
			};

			if (due > mono_ns())
				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
						&ts, NULL);
		}
		while (chunk > 0 && !stop) {
			unsigned n = chunk < g.batch ? (unsigned)chunk : g.batch;

			if (gen_message(&g, n) < 0) {
				rc = 1;
				goto done;
			}
			chunk -= n;
		}
		if (g.events && mono_ns() >= next_event) {
			if (gen_event(&g) < 0) {
				rc = 1;
				goto done;
			}
			next_event += 1000000000ULL;
		}
	}
	if (g.events && !stop && gen_event(&g) < 0)
		rc = 1;
done:
	secs = (double)(mono_ns() - t0) / 1e9;
	printf("SENT flows=%" PRIu64 " bytes=%" PRIu64 " packets=%" PRIu64
	       " msgs=%" PRIu64 " seconds=%.3f\n", g.flows, g.bytes, g.pkts,
	       g.msgs, secs);
	fflush(stdout);
out:
	if (g.df != NULL && fclose(g.df) != 0) {
		fprintf(stderr, "gen-flows: %s: %s\n", g.dump, strerror(errno));
		rc = 1;
	}
	if (g.sock != NULL)
		zmq_close(g.sock);     /* delivers what is queued, up to --linger */
	if (g.ctx != NULL)
		zmq_ctx_term(g.ctx);
	free(g.buf);
	return rc;
}
