/*
 * test_hwts.c - capture/hwts.c: the IXIA timestamp trailer is found with
 * and without the Ethernet FCS after it, gives its time to the
 * microsecond, and is refused when any checked field is wrong or when
 * the frame's end was not captured; nothing outside the frame is read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/hwts.h"

/* An Internet checksum written independently of hwts.c: 32-bit sum of
 * big-endian words, folded once per carry. */
static uint16_t
ref_cksum(const uint8_t *p, size_t n)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += (i % 2 == 0) ? (uint64_t)p[i] << 8 : p[i];
	while (sum > 0xffff)
		sum = (sum >> 16) + (sum & 0xffff);
	return (uint16_t)(0xffff - sum);
}

/* A 60-byte frame of 0x5a bytes followed by a trailer (and an FCS). */
static size_t
make_frame(uint8_t *buf, uint32_t sec, uint32_t nsec, int with_fcs)
{
	uint8_t *t = buf + 60;
	uint16_t ck;

	memset(buf, 0x5a, 60);
	t[0] = 4; /* NTP */
	t[1] = 8;
	t[2] = (uint8_t)(sec >> 24);
	t[3] = (uint8_t)(sec >> 16);
	t[4] = (uint8_t)(sec >> 8);
	t[5] = (uint8_t)sec;
	t[6] = (uint8_t)(nsec >> 24);
	t[7] = (uint8_t)(nsec >> 16);
	t[8] = (uint8_t)(nsec >> 8);
	t[9] = (uint8_t)nsec;
	t[10] = 10;
	t[11] = 0xAF;
	t[12] = 0x12;
	ck = ref_cksum(t, 13);
	t[13] = (uint8_t)(ck >> 8);
	t[14] = (uint8_t)ck;
	if (!with_fcs)
		return 75;
	memcpy(t + 15, "\xde\xad\xbe\xef", 4);
	return 79;
}

static void
test_found(void **state)
{
	uint8_t buf[128];
	uint64_t ts = 0;
	uint32_t strip = 0;
	size_t n;

	(void)state;
	n = make_frame(buf, 1700000000u, 123456789u, 0);
	assert_int_equal(hwts_ixia(buf, (uint32_t)n, (uint32_t)n, &ts, &strip),
			 HWTS_OK);
	assert_int_equal(strip, 15);
	assert_true(ts == 1700000000ull * 1000000u + 123456u);

	n = make_frame(buf, 0x80000001u, 999999999u, 1);
	assert_int_equal(hwts_ixia(buf, (uint32_t)n, (uint32_t)n, &ts, &strip),
			 HWTS_OK);
	assert_int_equal(strip, 19);
	assert_true(ts == 0x80000001ull * 1000000u + 999999u);
}

static void
test_refused(void **state)
{
	static const struct {
		size_t at;
		uint8_t val;
	} bad[] = {
		{ 60 + 11, 0x12 }, /* signature */
		{ 60 + 12, 0xAF },
		{ 60 + 10, 11 },   /* trailer length */
		{ 60 + 1, 4 },	   /* time length */
		{ 60 + 14, 0 },	   /* checksum */
		{ 60 + 4, 0x77 },  /* a time byte: the checksum no longer fits */
	};
	uint8_t buf[128];
	uint64_t ts = 42;
	uint32_t strip = 7;
	size_t n, i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = make_frame(buf, 1700000000u, 5, 0);
		if (buf[bad[i].at] == bad[i].val)
			buf[bad[i].at] ^= 1;
		else
			buf[bad[i].at] = bad[i].val;
		assert_int_equal(hwts_ixia(buf, (uint32_t)n, (uint32_t)n, &ts,
					   &strip),
				 HWTS_INVALID);
	}
	/* nanoseconds out of range, with a checksum that matches */
	n = make_frame(buf, 1700000000u, 1000000000u, 0);
	assert_int_equal(hwts_ixia(buf, (uint32_t)n, (uint32_t)n, &ts, &strip),
			 HWTS_INVALID);
	/* a plain frame */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(hwts_ixia(buf, 64, 64, &ts, &strip), HWTS_INVALID);
	/* nothing written on refusal */
	assert_true(ts == 42);
	assert_int_equal(strip, 7);
}

static void
test_short(void **state)
{
	uint8_t buf[128];
	uint64_t ts = 0;
	uint32_t strip = 0;
	size_t n = make_frame(buf, 1700000000u, 5, 0);
	uint8_t *exact;

	(void)state;
	/* snaplen cut the end (and the trailer) off */
	assert_int_equal(hwts_ixia(buf, 64, (uint32_t)n, &ts, &strip),
			 HWTS_SHORT);
	/* a record whose wire length is less than what it holds */
	assert_int_equal(hwts_ixia(buf, (uint32_t)n, 0, &ts, &strip),
			 HWTS_SHORT);
	assert_int_equal(hwts_ixia(buf, (uint32_t)n, (uint32_t)n - 1, &ts,
				   &strip),
			 HWTS_SHORT);
	/* a frame that is only a trailer, or less */
	assert_int_equal(hwts_ixia(buf + 60, 15, 15, &ts, &strip),
			 HWTS_SHORT);
	assert_int_equal(hwts_ixia(buf, 3, 3, &ts, &strip), HWTS_SHORT);
	assert_int_equal(hwts_ixia(buf, 0, 0, &ts, &strip), HWTS_SHORT);
	/* one byte before a trailer: found, and no read outside the heap
	 * block of exactly the frame's size (ASan) */
	exact = malloc(16);
	assert_non_null(exact);
	exact[0] = 0x5a;
	memcpy(exact + 1, buf + 60, 15);
	assert_int_equal(hwts_ixia(exact, 16, 16, &ts, &strip), HWTS_OK);
	assert_int_equal(strip, 15);
	free(exact);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
