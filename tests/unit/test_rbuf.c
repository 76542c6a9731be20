/*
 * test_rbuf.c - common/rbuf: values read big-endian (and the one
 * little-endian getter), short reads refused without moving the cursor
 * or touching the output, the sticky flag, peeks and sub-readers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/rbuf.h"

static const uint8_t bytes[] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
};

static void
test_values(void **state)
{
	struct rbuf b;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	(void)state;
	rbuf_init(&b, bytes, sizeof(bytes));
	assert_int_equal(rbuf_get_u8(&b, &u8), 0);
	assert_int_equal(u8, 0x01);
	assert_int_equal(rbuf_get_u16(&b, &u16), 0);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(rbuf_get_u32(&b, &u32), 0);
	assert_int_equal(u32, 0x04050607);
	assert_int_equal(rbuf_get_u64(&b, &u64), 0);
	assert_true(u64 == 0x08090a0b0c0d0e0fULL);
	assert_int_equal(rbuf_left(&b), 1);
	assert_int_equal(*rbuf_ptr(&b), 0x10);
	assert_true(rbuf_ok(&b));

	rbuf_init(&b, bytes, sizeof(bytes));
	assert_int_equal(rbuf_get_u32le(&b, &u32), 0);
	assert_int_equal(u32, 0x04030201);
	assert_int_equal(rbuf_get_uint(&b, 3, &u64), 0);
	assert_true(u64 == 0x050607);
	assert_int_equal(rbuf_get_uint(&b, 0, &u64), 0);
	assert_true(u64 == 0);
	assert_int_equal(rbuf_peek_u16(&b, 2, &u16), 0);
	assert_int_equal(u16, 0x0a0b);
	assert_int_equal(rbuf_peek_u32(&b, 0, &u32), 0);
	assert_int_equal(u32, 0x08090a0b);
	assert_int_equal(rbuf_peek_u64(&b, 1, &u64), 0);
	assert_true(u64 == 0x090a0b0c0d0e0f10ULL);
	assert_int_equal(rbuf_peek_u8(&b, 8, &u8), 0);
	assert_int_equal(u8, 0x10);
	assert_int_equal(rbuf_left(&b), 9);   /* peeks do not move */
	assert_true(rbuf_ok(&b));
}

static void
test_short_refused(void **state)
{
	struct rbuf b;
	uint8_t u8 = 0xee, out[4] = { 0xee, 0xee, 0xee, 0xee };
	uint16_t u16 = 0xeeee;
	uint32_t u32 = 0xeeeeeeee;
	uint64_t u64 = 0xee;

	(void)state;
	/* 3 bytes: a u32 is refused, the cursor stays, the output too */
	rbuf_init(&b, bytes, 3);
	assert_int_equal(rbuf_get_u32(&b, &u32), -1);
	assert_int_equal(u32, 0xeeeeeeee);
	assert_int_equal(rbuf_left(&b), 3);
	assert_false(rbuf_ok(&b));
	assert_int_equal(rbuf_get_u64(&b, &u64), -1);
	assert_int_equal(rbuf_get_u32le(&b, &u32), -1);
	assert_int_equal(rbuf_get_n(&b, out, 4), -1);
	assert_int_equal(out[0], 0xee);
	assert_int_equal(rbuf_get_uint(&b, 9, &u64), -1);  /* too wide */
	assert_true(u64 == 0xee);
	/* what fits is still read */
	assert_int_equal(rbuf_get_u16(&b, &u16), 0);
	assert_int_equal(u16, 0x0102);
	assert_int_equal(rbuf_get_u16(&b, &u16), -1);
	assert_int_equal(rbuf_get_u8(&b, &u8), 0);
	assert_int_equal(u8, 0x03);
	assert_int_equal(rbuf_get_u8(&b, &u8), -1);
	assert_int_equal(rbuf_skip(&b, 1), -1);
	assert_int_equal(rbuf_skip(&b, 0), 0);
	assert_int_equal(rbuf_left(&b), 0);

	/* peeks past the end, including offsets that would wrap */
	rbuf_init(&b, bytes, 4);
	assert_int_equal(rbuf_peek_u16(&b, 3, &u16), -1);
	assert_int_equal(rbuf_peek_u32(&b, 1, &u32), -1);
	assert_int_equal(rbuf_peek_u8(&b, 4, &u8), -1);
	assert_int_equal(rbuf_peek_u8(&b, SIZE_MAX, &u8), -1);
	assert_int_equal(rbuf_peek_u16(&b, SIZE_MAX - 1, &u16), -1);
	assert_int_equal(rbuf_skip(&b, SIZE_MAX), -1);
	assert_int_equal(rbuf_left(&b), 4);

	/* an empty (NULL) buffer refuses everything */
	rbuf_init(&b, NULL, 100);
	assert_int_equal(rbuf_left(&b), 0);
	assert_int_equal(rbuf_get_u8(&b, &u8), -1);
}

static void
test_sub_and_copy(void **state)
{
	struct rbuf b, sub;
	uint8_t out[3];
	uint32_t u32;

	(void)state;
	rbuf_init(&b, bytes, sizeof(bytes));
	assert_int_equal(rbuf_get_sub(&b, 6, &sub), 0);
	assert_int_equal(rbuf_left(&b), 10);
	assert_int_equal(rbuf_get_u32(&sub, &u32), 0);
	assert_int_equal(u32, 0x01020304);
	/* the sub-reader ends where its record ends, not at the buffer's */
	assert_int_equal(rbuf_get_u32(&sub, &u32), -1);
	assert_false(rbuf_ok(&sub));
	assert_true(rbuf_ok(&b));
	assert_int_equal(rbuf_get_n(&b, out, 3), 0);
	assert_memory_equal(out, bytes + 6, 3);
	assert_int_equal(rbuf_get_sub(&b, 8, &sub), -1);
	assert_int_equal(rbuf_left(&b), 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_short_refused),
		cmocka_unit_test(test_sub_and_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
