/*
 * test_reliable.c - reliable links (exporter/reliable.c, the spool and
 * the sender's side; collector/zmq_reliable.c, the receiver's rules):
 * batches survive a restart, a damaged spool is reported and skipped, a
 * full spool drops its oldest batches and the declared loss is exactly
 * what the receiver skipped; the receiver takes batches only in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "collector/zmq_reliable.h"
#include "exporter/reliable.h"

/* What the link sent: the trailers' (seq, base) and payload sizes. */
static struct {
	int n;
	uint64_t seq[4096], base[4096];
	uint8_t last_tr[256];
	size_t last_tlen;
} sent;

static uint64_t
be64(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void
fake_send(void *ctx, const char *topic, int version, const void *payload,
	  size_t len, const void *tr, size_t tlen)
{
	(void)ctx;
	(void)version;
	(void)payload;
	(void)len;
	assert_string_equal(topic, "flow");
	assert_true(zrel_is_trailer(tr, tlen));
	if (sent.n < 4096) {
		sent.seq[sent.n] = be64((const uint8_t *)tr + 12);
		sent.base[sent.n] = be64((const uint8_t *)tr + 20);
		sent.n++;
	}
	memcpy(sent.last_tr, tr, tlen);
	sent.last_tlen = tlen;
}

static char *
tmpdir(void)
{
	char tmpl[] = "/tmp/test-reliable-XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void
rm_rf(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* The only segment file of dir. */
static void
segment(const char *dir, char *out, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".seg") != NULL) {
			snprintf(out, n, "%s/%s", dir, de->d_name);
			found++;
		}
	closedir(d);
	assert_int_equal(found, 1);
}

static void
ack(struct rel_link *l, uint64_t epoch, uint64_t last, uint64_t from,
    uint64_t to, const char *id)
{
	uint8_t b[128];
	size_t n = strlen(id);

	memcpy(b, "NRA1", 4);
	for (int i = 0; i < 8; i++) {
		b[4 + i] = (uint8_t)(epoch >> (56 - 8 * i));
		b[12 + i] = (uint8_t)(last >> (56 - 8 * i));
		b[20 + i] = (uint8_t)(from >> (56 - 8 * i));
		b[28 + i] = (uint8_t)(to >> (56 - 8 * i));
	}
	b[36] = (uint8_t)n;
	memcpy(b + 37, id, n);
	rel_on_message(l, b, 37 + n);
}

static void
test_spool_survives_restart(void **state)
{
	char *dir = tmpdir();
	uint8_t payload[1000];
	struct rel_stats st;
	struct rel_link *l;
	uint64_t epoch;

	(void)state;
	memset(payload, 7, sizeof(payload));
	memset(&sent, 0, sizeof(sent));
	l = rel_open(dir, 1 << 20, "edge", fake_send, NULL);
	assert_non_null(l);
	for (int i = 0; i < 5; i++)
		rel_submit(l, "flow", 3, payload, sizeof(payload), 10, 1000,
			   20);
	assert_int_equal(sent.n, 0); /* no peer yet: held */
	rel_get_stats(l, &st);
	epoch = st.epoch;
	assert_int_equal(st.spool_batches, 5);
	rel_close(l);

	l = rel_open(dir, 1 << 20, "edge", fake_send, NULL);
	rel_get_stats(l, &st);
	assert_int_equal(st.loaded, 5);
	assert_int_equal(st.epoch, epoch);
	assert_int_equal(st.next_seq, 6);
	rel_connected(l, 1); /* sent in order, from the oldest */
	assert_int_equal(sent.n, 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(sent.seq[i], (uint64_t)i + 1);
		assert_int_equal(sent.base[i], 1);
	}
	ack(l, epoch, 3, 0, 0, "other"); /* another sender's: ignored */
	rel_get_stats(l, &st);
	assert_int_equal(st.spool_batches, 5);
	ack(l, epoch, 3, 0, 0, "edge");
	rel_get_stats(l, &st);
	assert_int_equal(st.spool_batches, 2);
	assert_int_equal(st.acked_seq, 3);
	/* a reconnect resends what is held: counted as resends */
	rel_connected(l, 0);
	rel_connected(l, 1);
	assert_int_equal(sent.n, 7);
	assert_int_equal(sent.seq[5], 4);
	rel_get_stats(l, &st);
	assert_int_equal(st.resends, 2);
	ack(l, epoch, 5, 0, 0, "edge");
	rel_close(l);
	/* all acknowledged: a new start is a new epoch from 1 */
	l = rel_open(dir, 1 << 20, "edge", fake_send, NULL);
	rel_get_stats(l, &st);
	assert_int_equal(st.loaded, 0);
	assert_int_equal(st.next_seq, 1);
	rel_close(l);
	rm_rf(dir);
	free(dir);
}

static void
test_spool_damaged(void **state)
{
	char *dir = tmpdir(), seg[4300];
	uint8_t payload[500];
	struct rel_stats st;
	struct rel_link *l;
	struct stat sb;
	int fd;

	(void)state;
	memset(payload, 1, sizeof(payload));
	l = rel_open(dir, 1 << 20, "edge", fake_send, NULL);
	for (int i = 0; i < 4; i++)
		rel_submit(l, "flow", 3, payload, sizeof(payload), 1, 1, 1);
	rel_close(l);
	segment(dir, seg, sizeof(seg));
	/* one flipped byte in the third entry's payload: CRC */
	assert_int_equal(stat(seg, &sb), 0);
	fd = open(seg, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "X", 1, sb.st_size / 4 * 2 + 100), 1);
	close(fd);
	l = rel_open(dir, 1 << 20, "edge", fake_send, NULL);
	rel_get_stats(l, &st);
	assert_int_equal(st.loaded, 2);
	assert_int_equal(st.corrupt, 1);
	rel_close(l);
	/* a huge length field: refused, not read */
	fd = open(seg, O_RDWR);
	assert_int_equal(pwrite(fd, "\xff\xff\xff\xff", 4, 4), 4);
	close(fd);
	l = rel_open(dir, 1 << 20, "edge", fake_send, NULL);
	rel_get_stats(l, &st);
	assert_int_equal(st.loaded, 0);
	assert_int_equal(st.corrupt, 1);
	rel_close(l);
	/* nothing usable left in it: the segment is gone */
	assert_int_equal(stat(seg, &sb), -1);
	/* a truncated entry */
	fd = open(seg, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(fd, "NSP1\0\0", 6), 6);
	close(fd);
	l = rel_open(dir, 1 << 20, "edge", fake_send, NULL);
	assert_non_null(l);
	rel_get_stats(l, &st);
	assert_int_equal(st.loaded, 0);
	rel_close(l);
	rm_rf(dir);
	free(dir);
}

/* A full spool drops its oldest batches; the receiver's skip range says
 * which of them never arrived: exactly those are the declared loss. */
static void
test_spool_full_loss(void **state)
{
	char *dir = tmpdir();
	static uint8_t payload[30000];
	uint64_t epoch, dropped_recs = 0;
	struct rel_stats st;
	struct rel_link *l;
	struct zrel *z = calloc(1, sizeof(*z));
	struct zrel_origin *o;

	(void)state;
	memset(&sent, 0, sizeof(sent));
	l = rel_open(dir, 256 * 1024, "edge", fake_send, NULL);
	rel_get_stats(l, &st);
	epoch = st.epoch;
	rel_connected(l, 1);
	/* batches 1..3 sent; the receiver takes 1..3, its acks are lost */
	for (int i = 1; i <= 3; i++)
		rel_submit(l, "flow", 3, payload, sizeof(payload), (uint64_t)i,
			   100 * (uint64_t)i, (uint64_t)i);
	assert_int_equal(sent.n, 3);
	rel_connected(l, 0);
	/* 4..20 while the link is down: the spool (256 KiB) overflows */
	for (int i = 4; i <= 20; i++)
		rel_submit(l, "flow", 3, payload, sizeof(payload), (uint64_t)i,
			   100 * (uint64_t)i, (uint64_t)i);
	rel_get_stats(l, &st);
	assert_true(st.spool_dropped > 3);
	assert_true(st.spool_bytes <= 256 * 1024);
	assert_int_equal(st.loss_batches, 0); /* not settled yet */
	/* the receiver had taken 1..3 */
	{
		uint8_t tr[200];
		uint64_t v[12] = { epoch, 1, 1 };

		for (uint64_t s = 1; s <= 3; s++) {
			size_t n;

			v[1] = s;
			n = rel_trailer_encode(tr, sizeof(tr), "edge", v);
			assert_int_equal(zrel_check(z, tr, n, 1, &o),
					 ZREL_TAKE);
		}
	}
	/* reconnect: resent from the oldest held; the receiver skips */
	sent.n = 0;
	rel_connected(l, 1);
	assert_true(sent.n > 0);
	assert_int_equal(zrel_check(z, sent.last_tr, sent.last_tlen, 2, &o),
			 ZREL_DROP); /* the last one first: a gap */
	{
		/* the first resent one carries base: 1..3 were taken, so the
		 * skip is 4 .. base-1 */
		uint64_t base = sent.base[0];
		uint8_t tr[200];
		uint64_t v[12] = { epoch, sent.seq[0], base };
		size_t n = rel_trailer_encode(tr, sizeof(tr), "edge", v);

		assert_int_equal(sent.seq[0], base);
		assert_int_equal(zrel_check(z, tr, n, 3, &o), ZREL_TAKE);
		assert_int_equal(o->skip_from, 4);
		assert_int_equal(o->skip_to, base - 1);
		assert_int_equal(o->skipped, base - 4);
		for (uint64_t s = 4; s < base; s++)
			dropped_recs += s;
		ack(l, epoch, o->last, o->skip_from, o->skip_to, "edge");
	}
	rel_get_stats(l, &st);
	assert_int_equal(st.spool_dropped, 0);
	assert_int_equal(st.loss_batches, o->skipped);
	assert_int_equal(st.loss_records, dropped_recs);
	assert_int_equal(st.loss_bytes, 100 * dropped_recs);
	rel_close(l);
	free(z);
	rm_rf(dir);
	free(dir);
}

static size_t
trailer(uint8_t *b, uint64_t epoch, uint64_t seq, uint64_t base)
{
	uint64_t v[12] = { epoch, seq, base };

	return rel_trailer_encode(b, 200, "e1", v);
}

static void
test_receiver_rules(void **state)
{
	struct zrel *z = calloc(1, sizeof(*z));
	struct zrel_origin *o;
	uint8_t b[200];
	size_t n;

	(void)state;
	n = trailer(b, 7, 5, 5); /* first contact: starts at base */
	assert_int_equal(zrel_check(z, b, n, 0, &o), ZREL_TAKE);
	assert_int_equal(o->last, 5);
	n = trailer(b, 7, 5, 5); /* again: a duplicate */
	assert_int_equal(zrel_check(z, b, n, 0, &o), ZREL_DROP);
	assert_int_equal(o->duplicates, 1);
	n = trailer(b, 7, 7, 5); /* 6 missing: a gap, refused */
	assert_int_equal(zrel_check(z, b, n, 0, &o), ZREL_DROP);
	assert_int_equal(o->gaps, 1);
	n = trailer(b, 7, 6, 5);
	assert_int_equal(zrel_check(z, b, n, 0, &o), ZREL_TAKE);
	n = trailer(b, 7, 10, 10); /* 7..9 dropped by the sender */
	assert_int_equal(zrel_check(z, b, n, 0, &o), ZREL_TAKE);
	assert_int_equal(o->skipped, 3);
	assert_int_equal(o->skip_from, 7);
	assert_int_equal(o->skip_to, 9);
	n = trailer(b, 8, 1, 1); /* a new epoch: afresh */
	assert_int_equal(zrel_check(z, b, n, 0, &o), ZREL_TAKE);
	assert_int_equal(o->epochs, 1);
	assert_int_equal(o->last, 1);
	n = trailer(b, 8, 0, 0); /* nonsense: dropped, counted */
	assert_int_equal(zrel_check(z, b, n, 0, &o), ZREL_DROP);
	assert_int_equal(o->bad, 1);
	/* malformed trailers are not trailers */
	assert_false(zrel_is_trailer(b, n - 1));
	b[100] = 200;
	assert_false(zrel_is_trailer(b, n));
	assert_false(zrel_is_trailer((const uint8_t *)"NRL1", 4));
	free(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spool_survives_restart),
		cmocka_unit_test(test_spool_damaged),
		cmocka_unit_test(test_spool_full_loss),
		cmocka_unit_test(test_receiver_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
