/*
 * zmq_tlv.c - TLV payloads: the nDPI serializer's binary format, version 1
 * (shared/docs/zmq-wire.md §3.3), read by our own deserializer.
 *
 * Buffer:  byte 0 = 0x01 (serializer version), byte 1 = 0x01 (format TLV),
 *          then items; a record ends with the single byte 0x01 (EOR) and
 *          records follow each other; a last record without EOR counts.
 * Item:    type byte (key_type << 4 | value_type), key, value.
 *          Type codes: 1 EOR, 2 u8, 3 u16, 4 u32, 5 u64, 6 i8, 7 i16,
 *          8 i32, 9 i64, 10 float, 11 string, 12-15 block/list markers.
 *          Key: u8/u16/u32 big-endian, or string (u16 BE length + bytes).
 *          Value: integers big-endian at their width; float 4 bytes in
 *          the sender's byte order (little-endian in practice); string
 *          u16 BE length + bytes, no NUL.
 * Only scalar values are accepted; a block or list marker, an unknown
 * type or an item running past the buffer makes the whole message
 * invalid.  The message is validated in a first pass and decoded in a
 * second, so a malformed message is dropped whole (one counted error)
 * rather than half-accounted.
 */
#include <string.h>

#include "collector/zmqc.h"
#include "common/rbuf.h"

enum {
	T_EOR = 1,
	T_U8 = 2,
	T_U16 = 3,
	T_U32 = 4,
	T_U64 = 5,
	T_I8 = 6,
	T_I16 = 7,
	T_I32 = 8,
	T_I64 = 9,
	T_FLOAT = 10,
	T_STRING = 11,
};

/* Width in bytes of a fixed-size scalar type, 0 for others. */
static size_t
type_width(uint8_t t)
{
	switch (t) {
	case T_U8:
	case T_I8:
		return 1;
	case T_U16:
	case T_I16:
		return 2;
	case T_U32:
	case T_I32:
	case T_FLOAT:
		return 4;
	case T_U64:
	case T_I64:
		return 8;
	default:
		return 0;
	}
}

/* Every byte is read through the bounded reader r: an item that runs
 * past the buffer is refused by the getter that would cross the end. */
enum zmqc_tlv_next
zmqc_tlv_next(const uint8_t *b, size_t len, size_t *off,
	      struct zmqc_tlv_item *it)
{
	struct rbuf r;
	uint64_t u;
	uint16_t l16;
	size_t w;
	uint8_t t;

	rbuf_init(&r, b, len);
	if (rbuf_skip(&r, *off) != 0 || rbuf_get_u8(&r, &t) != 0)
		return TLV_END;
	if (t == T_EOR) {
		*off = r.off;
		return TLV_EOR;
	}
	it->key_type = t >> 4;
	it->value_type = t & 0x0f;
	it->key_str = NULL;
	it->key_len = 0;
	it->key_id = 0;
	/* key */
	if (it->key_type == T_STRING) {
		if (rbuf_get_u16(&r, &l16) != 0)
			return TLV_ERROR;
		it->key_len = l16;
		it->key_str = (const char *)rbuf_ptr(&r);
		if (rbuf_skip(&r, it->key_len) != 0)
			return TLV_ERROR;
	} else if (it->key_type == T_U8 || it->key_type == T_U16 ||
		   it->key_type == T_U32) {
		w = type_width(it->key_type);
		if (rbuf_get_uint(&r, w, &u) != 0)
			return TLV_ERROR;
		it->key_id = (uint32_t)u;
	} else {
		return TLV_ERROR;
	}
	/* value */
	memset(&it->v, 0, sizeof(it->v));
	if (it->value_type == T_STRING) {
		if (rbuf_get_u16(&r, &l16) != 0)
			return TLV_ERROR;
		it->v.type = ZV_STR;
		it->v.s = (const char *)rbuf_ptr(&r);
		it->v.len = l16;
		if (rbuf_skip(&r, l16) != 0)
			return TLV_ERROR;
	} else {
		w = type_width(it->value_type);
		if (w == 0)
			return TLV_ERROR;
		switch (it->value_type) {
		case T_U8:
		case T_U16:
		case T_U32:
		case T_U64:
			if (rbuf_get_uint(&r, w, &u) != 0)
				return TLV_ERROR;
			it->v.type = ZV_UINT;
			it->v.u = u;
			break;
		case T_FLOAT: {
			float f;

			/* sender's order (§3.3) */
			if (rbuf_get_n(&r, &f, sizeof(f)) != 0)
				return TLV_ERROR;
			it->v.type = ZV_DOUBLE;
			it->v.d = f;
			break;
		}
		default: {
			int64_t sv;

			if (rbuf_get_uint(&r, w, &u) != 0)
				return TLV_ERROR;
			/* sign-extend from w bytes */
			if (w < 8 && (u >> (w * 8 - 1)) & 1)
				u |= ~0ULL << (w * 8);
			memcpy(&sv, &u, sizeof(sv));
			it->v.type = sv >= 0 ? ZV_UINT : ZV_INT;
			it->v.i = sv;
			it->v.u = sv >= 0 ? (uint64_t)sv : 0;
			break;
		}
		}
	}
	*off = r.off;
	return TLV_ITEM;
}

/* Length of a string's u16 big-endian length field plus the string at
 * b[off], or 0 when the field does not fit in len. */
static size_t
str_width(const uint8_t *b, size_t len, size_t off)
{
	if (len - off < 2)
		return 0;
	return 2 + ((size_t)b[off] << 8 | b[off + 1]);
}

/* The first pass: the items' widths only (the checks of zmqc_tlv_next,
 * without reading the values; it runs on every message, so it is
 * lean). */
int
zmqc_tlv_validate(const uint8_t *b, size_t len)
{
	size_t off = 2, w;

	if (len < 2 || b[0] != 1 || b[1] != 1)
		return -1;
	while (off < len) {
		uint8_t t = b[off++], kt = t >> 4, vt = t & 0x0f;

		if (t == T_EOR)
			continue;
		if (kt == T_STRING)
			w = str_width(b, len, off);
		else if (kt == T_U8 || kt == T_U16 || kt == T_U32)
			w = type_width(kt);
		else
			return -1;
		if (w == 0 || len - off < w)
			return -1;
		off += w;
		w = vt == T_STRING ? str_width(b, len, off) : type_width(vt);
		if (w == 0 || len - off < w)
			return -1;
		off += w;
	}
	return 0;
}

int
zmqc_tlv_flows(struct zmqc_decoder *d, struct zmqc_peer *p, const uint8_t *buf,
	       size_t len, uint64_t now_ms)
{
	struct zmqc_tlv_item it;
	struct zmqc_rec *rec;
	size_t off = 2;
	int n = 0, items = 0, type_errs = 0;

	if (zmqc_tlv_validate(buf, len) != 0) {
		zmqc_error(d, p, ZMQC_ERR_TLV,
			   "malformed TLV message (%zu bytes)", len);
		return -1;
	}
	rec = zmqc_rec_begin(d);
	for (;;) {
		enum zmqc_tlv_next r = zmqc_tlv_next(buf, len, &off, &it);
		uint32_t pen = 0, id = 0;

		if (r == TLV_ITEM) {
			items++;
			if (it.key_str != NULL) {
				if (zmqc_key_resolve(d, it.key_str, it.key_len,
						     &pen, &id) != 0) {
					zmqc_rec_extra(rec, it.key_str,
						       it.key_len, &it.v);
					continue;
				}
			} else {
				id = it.key_id;
			}
			if (zmqc_rec_field(rec, pen, id, it.key_str, it.key_len,
					   &it.v) != ZMQC_OK)
				type_errs++;
			continue;
		}
		/* end of a record (or of the buffer: a last record without EOR)
		 */
		if (items > 0) {
			n += zmqc_rec_end(d, p, now_ms);
			rec = zmqc_rec_begin(d);
			items = 0;
		}
		if (r != TLV_EOR)
			break;
	}
	n += zmqc_rec_flush(d, p);
	if (type_errs)
		zmqc_error_n(d, p, ZMQC_ERR_VALUE_TYPE, (uint64_t)type_errs,
			     "%d TLV field(s) with a value of the wrong type",
			     type_errs);
	return n;
}

int
zmqc_tlv_counter(struct zmqc_decoder *d, struct zmqc_peer *p,
		 const uint8_t *buf, size_t len, uint64_t now_ms)
{
	struct zmqc_tlv_item it;
	struct zmqc_ifcounters c;
	size_t off = 2;
	int type_errs = 0;

	if (zmqc_tlv_validate(buf, len) != 0) {
		zmqc_error(d, p, ZMQC_ERR_TLV,
			   "malformed TLV counter (%zu bytes)", len);
		return -1;
	}
	memset(&c, 0, sizeof(c));
	/* one sample: the items up to the first end of record */
	while (zmqc_tlv_next(buf, len, &off, &it) == TLV_ITEM) {
		int id = it.key_str != NULL
				 ? zmqc_counter_key(it.key_str, it.key_len)
			 : it.key_id < ZMQC_CTR__COUNT ? (int)it.key_id
						       : -1;

		if (id >= 0 && zmqc_counter_field(&c, id, &it.v) != ZMQC_OK)
			type_errs++;
	}
	if (type_errs)
		zmqc_error_n(
			d, p, ZMQC_ERR_VALUE_TYPE, (uint64_t)type_errs,
			"%d TLV counter field(s) with a value of the wrong "
			"type",
			type_errs);
	return zmqc_counter_store(d, p, &c, now_ms);
}
