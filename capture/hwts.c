/*
 * hwts.c - see hwts.h.  The trailer layout is the one Wireshark's "Ixia
 * trailer" dissector and PF_RING's IXIA timestamp mode recognise: a
 * trailer is taken only when its signature, both length bytes, the
 * nanoseconds range and its checksum agree, so a payload that merely
 * ends in AF 12 is not mistaken for one.
 */
#include "capture/hwts.h"

#include <stddef.h>

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* RFC 1071 checksum of n bytes (an odd last byte is the high half). */
static uint16_t
inet_cksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* 1 when t[0..HWTS_IXIA_LEN) is a well-formed trailer. */
static int
ixia_trailer_ok(const uint8_t *t)
{
	uint16_t ck = (uint16_t)(t[13] << 8 | t[14]);

	return t[11] == 0xAF && t[12] == 0x12 && t[10] == 10 && t[1] == 8 &&
	       be32(t + 6) < 1000000000u && inet_cksum(t, 13) == ck;
}

enum hwts_result
hwts_ixia(const uint8_t *data, uint32_t caplen, uint32_t len, uint64_t *ts_us,
	  uint32_t *strip)
{
	static const uint32_t sizes[] = { HWTS_IXIA_LEN, HWTS_IXIA_FCS_LEN };
	size_t i;

	/* caplen > len: a record that contradicts itself (len 0) */
	if (caplen != len || caplen <= HWTS_IXIA_LEN)
		return HWTS_SHORT;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const uint8_t *t;

		if (caplen <= sizes[i])
			continue;
		t = data + caplen - sizes[i];
		if (!ixia_trailer_ok(t))
			continue;
		*ts_us = (uint64_t)be32(t + 2) * 1000000u + be32(t + 6) / 1000u;
		*strip = sizes[i];
		return HWTS_OK;
	}
	return HWTS_INVALID;
}
