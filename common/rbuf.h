/*
 * rbuf.h - a bounded reader over a byte buffer (OpenBSD bgpd's
 * ibuf_get_* idea): every wire field is read through a getter that
 * refuses to read past the end, so a decoder's correctness does not rest
 * on a length check its caller wrote lines before.
 *
 * struct rbuf is a view {data, len, off}: it owns nothing (the caller
 * keeps the bytes alive) and belongs to the thread that decodes with it.
 * Getters are big-endian (network order) unless their name says le.
 * Each returns 0 and advances the cursor, or returns -1 on short input
 * and then leaves the cursor where it was and sets the sticky `bad` flag,
 * so a fixed-layout record can be read field by field and checked once
 * with rbuf_ok().  The rbuf_peek_* getters read at an offset from the
 * cursor without moving it (headers whose fields are chosen by flags).
 *
 * Header-only, every getter static inline: they sit on the packet and
 * ingest paths, where the private readers they replace were inline too,
 * and inlined the compiler folds the checks whose bounds it can see.
 */
#ifndef COMMON_RBUF_H
#define COMMON_RBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rbuf {
	const uint8_t *data;
	size_t len;
	size_t off; /* cursor, <= len */
	int bad;    /* a getter was refused since rbuf_init */
};

static inline void
rbuf_init(struct rbuf *b, const void *data, size_t len)
{
	b->data = (const uint8_t *)data;
	b->len = data ? len : 0;
	b->off = 0;
	b->bad = 0;
}

/* Bytes left after the cursor. */
static inline size_t
rbuf_left(const struct rbuf *b)
{
	return b->len - b->off;
}

/* The bytes at the cursor (rbuf_left() of them). */
static inline const uint8_t *
rbuf_ptr(const struct rbuf *b)
{
	return b->data + b->off;
}

/* 1 when no getter has been refused since rbuf_init. */
static inline int
rbuf_ok(const struct rbuf *b)
{
	return !b->bad;
}

static inline int
rbuf_short_(struct rbuf *b)
{
	b->bad = 1;
	return -1;
}

/* 1 when n bytes are left at offset `at` past the cursor. */
static inline int
rbuf_has(const struct rbuf *b, size_t at, size_t n)
{
	size_t left = b->len - b->off;

	return at <= left && n <= left - at;
}

/* Big-endian value of width n (0..8) at p, for the getters below, and for
 * reading a slice that a getter handed out (rbuf_ptr + rbuf_skip) by its
 * own length: never for bytes no getter has bounded. */
static inline uint64_t
rbuf_be_(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static inline int
rbuf_skip(struct rbuf *b, size_t n)
{
	if (!rbuf_has(b, 0, n))
		return rbuf_short_(b);
	b->off += n;
	return 0;
}

static inline int
rbuf_get_u8(struct rbuf *b, uint8_t *v)
{
	if (!rbuf_has(b, 0, 1))
		return rbuf_short_(b);
	*v = b->data[b->off++];
	return 0;
}

static inline int
rbuf_get_u16(struct rbuf *b, uint16_t *v)
{
	const uint8_t *p;

	if (!rbuf_has(b, 0, 2))
		return rbuf_short_(b);
	p = b->data + b->off;
	*v = (uint16_t)((uint16_t)p[0] << 8 | p[1]);
	b->off += 2;
	return 0;
}

static inline int
rbuf_get_u32(struct rbuf *b, uint32_t *v)
{
	const uint8_t *p;

	if (!rbuf_has(b, 0, 4))
		return rbuf_short_(b);
	p = b->data + b->off;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
	     p[3];
	b->off += 4;
	return 0;
}

static inline int
rbuf_get_u64(struct rbuf *b, uint64_t *v)
{
	if (!rbuf_has(b, 0, 8))
		return rbuf_short_(b);
	*v = rbuf_be_(b->data + b->off, 8);
	b->off += 8;
	return 0;
}

/* An unsigned of n bytes (0..8), as IPFIX reduced-size encoding and the
 * nProbe TLV widths need; n > 8 is refused like a short read. */
static inline int
rbuf_get_uint(struct rbuf *b, size_t n, uint64_t *v)
{
	if (n > 8 || !rbuf_has(b, 0, n))
		return rbuf_short_(b);
	*v = rbuf_be_(b->data + b->off, n);
	b->off += n;
	return 0;
}

/* Little-endian 32 bits (the ZMQ header's size fields). */
static inline int
rbuf_get_u32le(struct rbuf *b, uint32_t *v)
{
	const uint8_t *p;

	if (!rbuf_has(b, 0, 4))
		return rbuf_short_(b);
	p = b->data + b->off;
	*v = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
	     p[0];
	b->off += 4;
	return 0;
}

/* Reads at `at` bytes past the cursor without moving it. */
static inline int
rbuf_peek_u8(struct rbuf *b, size_t at, uint8_t *v)
{
	if (!rbuf_has(b, at, 1))
		return rbuf_short_(b);
	*v = b->data[b->off + at];
	return 0;
}

static inline int
rbuf_peek_u16(struct rbuf *b, size_t at, uint16_t *v)
{
	if (!rbuf_has(b, at, 2))
		return rbuf_short_(b);
	*v = (uint16_t)rbuf_be_(b->data + b->off + at, 2);
	return 0;
}

static inline int
rbuf_peek_u32(struct rbuf *b, size_t at, uint32_t *v)
{
	if (!rbuf_has(b, at, 4))
		return rbuf_short_(b);
	*v = (uint32_t)rbuf_be_(b->data + b->off + at, 4);
	return 0;
}

static inline int
rbuf_peek_u64(struct rbuf *b, size_t at, uint64_t *v)
{
	if (!rbuf_has(b, at, 8))
		return rbuf_short_(b);
	*v = rbuf_be_(b->data + b->off + at, 8);
	return 0;
}

/* Copies n bytes out (addresses, MACs, names). */
static inline int
rbuf_get_n(struct rbuf *b, void *dst, size_t n)
{
	if (!rbuf_has(b, 0, n))
		return rbuf_short_(b);
	if (n > 0)
		memcpy(dst, b->data + b->off, n);
	b->off += n;
	return 0;
}

/* Takes the next n bytes as a reader of their own (a record, a set).
 * Inline so that the compiler sees a fixed-size record's length and can
 * drop the checks of the getters that read it. */
static inline int
rbuf_get_sub(struct rbuf *b, size_t n, struct rbuf *sub)
{
	if (!rbuf_has(b, 0, n))
		return rbuf_short_(b);
	rbuf_init(sub, b->data + b->off, n);
	b->off += n;
	return 0;
}

#endif
