/*
 * zmq_header.c - the first frame of a ZMQ flow message: which of the four
 * header layouts it is, and its topic, version, msg_id and source_id
 * (shared/docs/zmq-wire.md §2.2-2.3).  The frame size tells the layout:
 *
 *   40 bytes, v0:  0 topic[32] NUL-padded | 32 version u32 LE | 36 size u32
 *                  (no msg_id, no source_id)
 *   24 bytes, v1:  0 topic[16] | 16 version u8 | 17 source_id u8 |
 *                  18 size u16 (ignored) | 20 msg_id u32
 *   28 bytes, v2:  0 topic[16] | 16 version u8 | 17 pad | 18 size u16 |
 *                  20 msg_id u32 BE | 24 source_id u32
 *   36 bytes, v3:  0 topic[16] | 16 version u8 (= 4) | 17 flags u8
 *                  (0x02 TLV, 0x04 zlib) | 18 pad[2] |
 *                  20 uncompressed_size u32 LE | 24 compressed_size u32 LE |
 *                  28 msg_id u32 BE | 32 source_id u32
 *
 * The version byte of the 24/28/36-byte layouts must be 1..4.  Version 1
 * ("compatibility") carries msg_id in the sender's byte order (read as
 * little-endian, which is what every sender of that era ran on) and no
 * source_id; versions >= 2 carry msg_id big-endian.  source_id is opaque
 * on the wire (ntopng never swaps it); we read it big-endian, the order
 * our publisher and netflow2ng write, so 0a 0b 0c 0d shows as 0x0a0b0c0d.
 * A 36-byte frame with a version other than 4 is refused (its flags could
 * not be trusted), where ntopng would accept it with ids 0.
 * The size fields are never trusted.
 */
#include <string.h>

#include "collector/zmqc.h"
#include "common/rbuf.h"

/* Takes a NUL-padded topic of `max` bytes (the reader holds them). */
static void
topic_take(struct rbuf *r, char *dst, size_t max)
{
	const uint8_t *src = rbuf_ptr(r);
	size_t i;

	if (rbuf_skip(r, max) != 0)
		max = 0;
	for (i = 0; i < max && src[i] != '\0'; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[i] = '\0';
}

/*
 * Every field is read through the bounded reader r; the switch on the
 * frame size only chooses the layout, it is not what keeps the reads in
 * bounds.
 */
int
zmqc_header_parse(const uint8_t *b, size_t len, struct zmqc_header *h)
{
	struct rbuf r;
	uint32_t v32 = 0;
	uint8_t pad = 0;

	memset(h, 0, sizeof(*h));
	rbuf_init(&r, b, len);
	if (len == 40) {
		h->layout = 40;
		topic_take(&r, h->topic, 32);
		/* the u32 version was 0 in practice: keep its low byte */
		if (rbuf_get_u32le(&r, &v32) != 0)
			return ZMQC_ERR_BAD_HEADER;
		h->version = v32 > 255 ? 255 : (uint8_t)v32;
		return ZMQC_OK;
	}
	if (len != 24 && len != 28 && len != 36)
		return ZMQC_ERR_BAD_HEADER;
	h->layout = (uint8_t)len;
	topic_take(&r, h->topic, 16);
	if (rbuf_get_u8(&r, &h->version) != 0)
		return ZMQC_ERR_BAD_HEADER;
	if (h->version < 1 || h->version > 4 || (len == 36 && h->version != 4))
		return ZMQC_ERR_BAD_VERSION;
	h->has_msg_id = 1;
	/* 17: source_id u8 (v1 layout), pad or flags; 18: size or pad */
	rbuf_get_u8(&r, &pad);
	rbuf_skip(&r, 2);
	if (h->version == 1) {
		rbuf_get_u32le(&r, &h->msg_id);
		return rbuf_ok(&r) ? ZMQC_OK : ZMQC_ERR_BAD_HEADER;
	}
	switch (len) {
	case 24:
		h->source_id = pad;
		rbuf_get_u32(&r, &h->msg_id);
		break;
	case 28:
		rbuf_get_u32(&r, &h->msg_id);
		rbuf_get_u32(&r, &h->source_id);
		break;
	default:
		h->flags = pad;
		rbuf_get_u32le(&r, &h->uncompressed_size);
		rbuf_get_u32le(&r, &h->compressed_size);
		rbuf_get_u32(&r, &h->msg_id);
		rbuf_get_u32(&r, &h->source_id);
		break;
	}
	return rbuf_ok(&r) ? ZMQC_OK : ZMQC_ERR_BAD_HEADER;
}

enum zmqc_topic
zmqc_topic_of(const char *t)
{
	/* ntopng dispatches on the first character only; we also check the
	 * word so that e.g. "message" is not taken for anything */
	switch (t[0]) {
	case 'f':
		return strncmp(t, "flow", 4) ? ZT_OTHER : ZT_FLOW;
	case 'e':
		return strncmp(t, "event", 5) ? ZT_OTHER : ZT_EVENT;
	case 'c':
		return strncmp(t, "counter", 7) ? ZT_OTHER : ZT_COUNTER;
	case 't':
		return strncmp(t, "template", 8) ? ZT_OTHER : ZT_TEMPLATE;
	case 'o':
		return strncmp(t, "option", 6) ? ZT_OTHER : ZT_OPTION;
	case 'h':
		return strncmp(t, "hello", 5) ? ZT_OTHER : ZT_HELLO;
	case 'a':
		return strncmp(t, "alert", 5) ? ZT_OTHER : ZT_ALERT;
	case 'l':
		return strncmp(t, "listening-ports", 15) ? ZT_OTHER
							 : ZT_LISTENING_PORTS;
	case 's':
		if (strncmp(t, "snap.", 5) == 0)
			return ZT_SNAP;
		return strncmp(t, "snmp-ifaces", 11) ? ZT_OTHER
						     : ZT_SNMP_IFACES;
	case 'r':
		return strncmp(t, "resync", 6) ? ZT_OTHER : ZT_SNAP;
	default:
		return ZT_OTHER;
	}
}
