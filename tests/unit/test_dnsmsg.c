/*
 * test_dnsmsg.c - unit tests of dpi/dnsmsg.c, the DNS message reader
 * the node runs on every DNS response it sees: a CNAME chain names its
 * address by the question, PTR answers name the reversed address, and
 * hostile messages (every truncation of a good one, pointer loops and
 * forward pointers, over-long names, odd label bytes, a query instead of
 * a response, random garbage) come back SHORT or BAD without a read past
 * the buffer (run under ASan in CI).  Also replays tests/corpus/dnsmsg/,
 * the fuzz target's seeds (DNS responses of teams.pcap and dns.pcap).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dpi/dnsmsg.h"

struct w {
	uint8_t b[1024];
	size_t n;
};

static void
put(struct w *w, const void *p, size_t n)
{
	assert_true(w->n + n <= sizeof(w->b));
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void
u16(struct w *w, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 2);
}

/* a dotted name as labels, ended by a zero byte */
static void
name(struct w *w, const char *s)
{
	while (*s) {
		size_t l = strcspn(s, ".");
		uint8_t c = (uint8_t)l;

		put(w, &c, 1);
		put(w, s, l);
		s += l;
		if (*s == '.')
			s++;
	}
	put(w, "", 1);
}

static void
header(struct w *w, unsigned flags, unsigned an)
{
	w->n = 0;
	u16(w, 0x1234);
	u16(w, flags);
	u16(w, 1);
	u16(w, an);
	u16(w, 0);
	u16(w, 0);
}

/* RR head: owner given as a pointer to off */
static void
rr(struct w *w, unsigned ptr_to, unsigned type, unsigned rdlen)
{
	u16(w, 0xc000 | ptr_to);
	u16(w, type);
	u16(w, 1);
	u16(w, 0);
	u16(w, 60);
	u16(w, rdlen);
}

/* config.teams.microsoft.com CNAME a.tm.net CNAME b.msedge.net A 52.113.194.132
 * (the CNAMEs after the A, to test that order does not matter), plus
 * an AAAA of b.msedge.net and an A of an unrelated owner */
static void
build_chain(struct w *w)
{
	size_t cn1, cn2;
	static const uint8_t v4[4] = { 52, 113, 194, 132 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };

	header(w, 0x8180, 5);
	name(w, "config.teams.microsoft.com"); /* at 12 */
	u16(w, 1);
	u16(w, 1);
	/* CNAME 1 at its target: a.tm.net */
	rr(w, 12, 5, 10);
	cn1 = w->n;
	name(w, "a.tm.net");
	/* CNAME 2: a.tm.net -> b.msedge.net */
	rr(w, (unsigned)cn1, 5, 14);
	cn2 = w->n;
	name(w, "b.msedge.net");
	rr(w, (unsigned)cn2, 1, 4);
	put(w, v4, 4);
	rr(w, (unsigned)cn2, 28, 16);
	put(w, v6, 16);
	/* an A whose owner is not on the chain keeps its own name */
	rr(w, (unsigned)cn1 + 2, 1, 4); /* "tm.net" */
	put(w, "\x0a\x00\x00\x01", 4);
}

static void
test_cname_chain(void **state)
{
	struct w w;
	struct dnsmsg_reply r;
	char ip[IPADDR_STRLEN];

	(void)state;
	build_chain(&w);
	assert_int_equal(dnsmsg_parse(w.b, w.n, &r), DNSMSG_OK);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.id, 0x1234);
	assert_string_equal(ipaddr_fmt(&r.answers[0].ip, ip, sizeof(ip)),
			    "52.113.194.132");
	assert_string_equal(r.answers[0].name, "config.teams.microsoft.com");
	assert_string_equal(ipaddr_fmt(&r.answers[1].ip, ip, sizeof(ip)),
			    "2001:db8::7");
	assert_string_equal(r.answers[1].name, "config.teams.microsoft.com");
	assert_string_equal(r.answers[2].name, "tm.net");
}

static void
test_ptr(void **state)
{
	struct w w;
	struct dnsmsg_reply r;
	struct ipaddr a;
	char qn[128], ip[IPADDR_STRLEN];

	(void)state;
	header(&w, 0x8180, 1);
	name(&w, "6.1.168.192.in-addr.arpa");
	u16(&w, 12);
	u16(&w, 1);
	rr(&w, 12, 12, 13);
	name(&w, "Laptop.Test");
	assert_int_equal(dnsmsg_parse(w.b, w.n, &r), DNSMSG_OK);
	assert_int_equal(r.n, 1);
	assert_string_equal(ipaddr_fmt(&r.answers[0].ip, ip, sizeof(ip)),
			    "192.168.1.6");
	assert_string_equal(r.answers[0].name, "laptop.test"); /* lower */

	/* the reverse names the resolver asks, both families */
	ipaddr_parse(&a, "192.168.1.6");
	assert_int_equal(dnsmsg_ptr_name(&a, qn, sizeof(qn)), 0);
	assert_string_equal(qn, "6.1.168.192.in-addr.arpa");
	ipaddr_parse(&a, "2001:db8::7");
	assert_int_equal(dnsmsg_ptr_name(&a, qn, sizeof(qn)), 0);
	assert_string_equal(qn, "7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
				"0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	/* and an IPv6 PTR answer maps back */
	header(&w, 0x8180, 1);
	name(&w, qn);
	u16(&w, 12);
	u16(&w, 1);
	rr(&w, 12, 12, 4);
	name(&w, "v6");
	assert_int_equal(dnsmsg_parse(w.b, w.n, &r), DNSMSG_OK);
	assert_int_equal(r.n, 1);
	assert_string_equal(ipaddr_fmt(&r.answers[0].ip, ip, sizeof(ip)),
			    "2001:db8::7");
	/* a bad reverse name (5 parts) names nothing */
	header(&w, 0x8180, 1);
	name(&w, "1.6.1.168.192.in-addr.arpa");
	u16(&w, 12);
	u16(&w, 1);
	rr(&w, 12, 12, 4);
	name(&w, "v6");
	assert_int_equal(dnsmsg_parse(w.b, w.n, &r), DNSMSG_OK);
	assert_int_equal(r.n, 0);
}

static void
test_query_roundtrip(void **state)
{
	uint8_t b[512];
	struct dnsmsg_reply r;
	int n;

	(void)state;
	n = dnsmsg_query(b, sizeof(b), 77, "key.4.3.2.1.dnsbl.test", 1);
	assert_true(n > 12);
	/* a query is not a response */
	assert_int_equal(dnsmsg_parse(b, (size_t)n, &r), DNSMSG_BAD);
	b[2] |= 0x80;
	assert_int_equal(dnsmsg_parse(b, (size_t)n, &r), DNSMSG_OK);
	assert_int_equal(r.id, 77);
	assert_int_equal(r.n, 0);
	/* labels of 0 or 64 bytes, names too long: refused */
	assert_int_equal(dnsmsg_query(b, sizeof(b), 1, "a..b", 1), -1);
	char long_label[80];
	memset(long_label, 'x', 64);
	long_label[64] = '\0';
	assert_int_equal(dnsmsg_query(b, sizeof(b), 1, long_label, 1), -1);
	assert_int_equal(dnsmsg_query(b, 20, 1, "abc.def.ghi", 1), -1);
}

static void
test_truncated(void **state)
{
	struct w w;
	struct dnsmsg_reply r;

	(void)state;
	build_chain(&w);
	for (size_t len = 0; len < w.n; len++) {
		/* an exact-size heap copy: ASan sees any over-read */
		uint8_t *c = malloc(len ? len : 1);

		memcpy(c, w.b, len);
		assert_int_not_equal(dnsmsg_parse(c, len, &r), DNSMSG_OK);
		assert_true(r.n <= DNSMSG_MAX_ANSWERS);
		free(c);
	}
}

static void
test_loops(void **state)
{
	struct w w;
	struct dnsmsg_reply r;

	(void)state;
	/* the question name points at itself */
	header(&w, 0x8180, 0);
	u16(&w, 0xc00c);
	u16(&w, 1);
	u16(&w, 1);
	assert_int_equal(dnsmsg_parse(w.b, w.n, &r), DNSMSG_BAD);
	/* a forward pointer (14 -> 16 -> 14 would loop) */
	header(&w, 0x8180, 0);
	put(&w,
	    "\x01"
	    "a",
	    2);
	u16(&w, 0xc010); /* at 14, to 16 */
	u16(&w, 0xc00e); /* at 16, to 14 */
	u16(&w, 1);
	u16(&w, 1);
	assert_int_equal(dnsmsg_parse(w.b, w.n, &r), DNSMSG_BAD);
	/* an answer's owner pointing at the answer itself */
	header(&w, 0x8180, 1);
	name(&w, "x.test");
	u16(&w, 1);
	u16(&w, 1);
	u16(&w, 0xc000 | (unsigned)w.n);
	assert_int_equal(dnsmsg_parse(w.b, w.n, &r), DNSMSG_BAD);
}

static void
test_bad_names(void **state)
{
	struct w w;
	struct dnsmsg_reply r;
	char big[320];

	(void)state;
	/* 5 labels of 60: over 255 characters */
	for (int i = 0; i < 5; i++) {
		memset(big + i * 61, 'a', 60);
		big[i * 61 + 60] = '.';
	}
	big[5 * 61 - 1] = '\0';
	header(&w, 0x8180, 0);
	name(&w, big);
	u16(&w, 1);
	u16(&w, 1);
	assert_int_equal(dnsmsg_parse(w.b, w.n, &r), DNSMSG_BAD);
	/* markup in a label never reaches the host name */
	header(&w, 0x8180, 0);
	name(&w, "<script>.test");
	u16(&w, 1);
	u16(&w, 1);
	assert_int_equal(dnsmsg_parse(w.b, w.n, &r), DNSMSG_BAD);
	/* extended label type 01xxxxxx */
	header(&w, 0x8180, 0);
	put(&w, "\x41", 1);
	u16(&w, 1);
	u16(&w, 1);
	assert_int_equal(dnsmsg_parse(w.b, w.n, &r), DNSMSG_BAD);
	/* more answers than the cap: refused before any is read */
	header(&w, 0x8180, 1000);
	name(&w, "x.test");
	u16(&w, 1);
	u16(&w, 1);
	assert_int_equal(dnsmsg_parse(w.b, w.n, &r), DNSMSG_BAD);
}

static void
test_garbage(void **state)
{
	uint8_t b[600];
	struct dnsmsg_reply r;
	uint32_t x = 12345;
	int ok = 0;

	(void)state;
	for (int it = 0; it < 20000; it++) {
		size_t len = 12 + (x % 500);

		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			b[i] = (uint8_t)(x >> 16);
		}
		/* half of them look like one-question responses */
		if (it % 2) {
			b[2] = 0x81;
			b[3] = 0x80;
			b[4] = 0;
			b[5] = 1;
			b[6] = 0;
			b[7] = (uint8_t)(it % 8);
		}
		if (dnsmsg_parse(b, len, &r) == DNSMSG_OK)
			ok++;
		assert_true(r.n >= 0 && r.n <= DNSMSG_MAX_ANSWERS);
	}
	(void)ok;
}

static void
test_corpus(void **state)
{
	char dir[4096], path[8192];
	struct dirent *e;
	DIR *d;
	int n = 0, named = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/corpus/dnsmsg", SRCDIR);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		uint8_t buf[65536];
		struct dnsmsg_reply r;
		FILE *f;
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (dnsmsg_parse(buf, len, &r) == DNSMSG_OK && r.n > 0)
			named++;
		n++;
	}
	closedir(d);
	assert_true(n > 0);
	assert_true(named > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_ptr),
		cmocka_unit_test(test_query_roundtrip),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_loops),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
