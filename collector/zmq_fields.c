/*
 * zmq_fields.c - from (key, value) pairs to a struct flow_update: key
 * resolution and the field table of shared/docs/zmq-wire.md §4.
 *
 * Keys (§4.1): all digits → (PEN 0, id); "PEN.ID" → (PEN, id); anything
 * else is a label, looked up in the built-in table (binary search, no
 * allocation), then in the labels learned from `template` messages.
 * The built-in labels, the IANA id list and most cases of the decode
 * switch are generated from the field dictionary, common/flow_fields.def
 * (one row per field); the fields with rules of their own are written
 * out in zmqc_rec_field().
 * Ids are then made canonical as ntopng does: a PEN-0 id that is not one
 * of the IANA elements we know, and any PEN-35632 id, below 57472 gets
 * 57472 added (so "118" is L7_PROTO); other PENs are ignored.
 *
 * Values (§3.1): counters, ports, protocol, timestamps and L7_PROTO take a
 * number or a numeric string; the other numeric fields (TCP flags, ifIndex,
 * VLAN, ToS) only a number; a wrong type is reported (counted by the
 * caller) and the field ignored.  IPv4 addresses are dotted strings or
 * integers (first octet most significant); IPv6, exporter and names are
 * strings.
 *
 * Finishing a record (§5): counters are deltas unless INITIATOR_/
 * RESPONDER_ fields came (then absolute); FIRST/LAST_SWITCHED are epoch
 * seconds, or milliseconds when the value has 13 digits or more; ICMP
 * ports are zeroed; and ntopng's direction heuristic is applied: when the
 * source port is below the destination port the two sides are swapped,
 * except for UDP, for TCP whose client flags carry SYN, and when either
 * side is broadcast or multicast.  So collected flows get the same client/
 * server as on an upstream ntopng fed the same records.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/zmqc.h"
#include "common/flow_fields.h"

/* IANA element ids ntopng handles itself (so they do not alias into the
 * ntop range): the PEN-0 rows of the dictionary, as a switch the compiler
 * turns into a table or a search. */
static int
iana_known(uint32_t id)
{
	switch (id) {
#define FF_IANA_0(id) case id:
#define FF_IANA_FF_PEN_NTOP(id)
#define FF_IANA_FF_PEN_OURS(id)
#define FF(name, pen, id, label, dec, member, exp) FF_IANA_##pen(id)
#include "common/flow_fields.def"
#undef FF
		return 1;
	default:
		return 0;
	}
}

/* Canonical id of (pen, id), or 0 when we ignore it. */
static uint32_t
field_canon(uint32_t pen, uint32_t id)
{
	if (pen == 0 && iana_known(id))
		return id;
	if (pen == 0 || pen == FF_PEN_NTOP)
		return id < FF_NTOP_BASE ? id + FF_NTOP_BASE : id;
	return 0;
}

/* Built-in labels, in the dictionary's order (strcmp order of the
 * names, checked by test_field_dictionary) for a binary search. */
static const struct label {
	const char *name;
	uint32_t id;
} labels[] = {
#define FF(name, pen, id, label, dec, member, exp) { label, FF_##name },
#include "common/flow_fields.def"
#undef FF
};

/* strcmp of a counted string against a C string. */
static int
cmp_counted(const char *k, size_t len, const char *name)
{
	size_t nl = strlen(name);
	int c = memcmp(k, name, len < nl ? len : nl);

	if (c != 0)
		return c;
	return len < nl ? -1 : (len > nl ? 1 : 0);
}

int
zmqc_key_resolve(const struct zmqc_decoder *d, const char *k, size_t len,
		 uint32_t *pen, uint32_t *id)
{
	size_t i, lo, hi;
	uint64_t a = 0, b = 0;
	int dot = 0;

	if (len == 0)
		return -1;
	if (k[0] >= '0' && k[0] <= '9') {
		for (i = 0; i < len; i++) {
			if (k[i] == '.' && !dot && i > 0 && i + 1 < len) {
				dot = 1;
				continue;
			}
			if (k[i] < '0' || k[i] > '9')
				return -1;
			if (dot)
				b = b * 10 + (uint64_t)(k[i] - '0');
			else
				a = a * 10 + (uint64_t)(k[i] - '0');
			if (a > UINT32_MAX || b > UINT32_MAX)
				return -1;
		}
		*pen = dot ? (uint32_t)a : 0;
		*id = dot ? (uint32_t)b : (uint32_t)a;
		return 0;
	}
	lo = 0;
	hi = sizeof(labels) / sizeof(labels[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_counted(k, len, labels[mid].name);

		if (c == 0) {
			*pen = 0;
			*id = labels[mid].id;
			return 0;
		}
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = 0; d != NULL && i < (size_t)d->n_tmpl; i++) {
		if (cmp_counted(k, len, d->tmpl[i].name) == 0) {
			*pen = d->tmpl[i].pen;
			*id = d->tmpl[i].id;
			return 0;
		}
	}
	return -1;
}

void
zmqc_rec_init(struct zmqc_rec *r)
{
	/* the fixed part only: info[] is written before it is read */
	memset(r, 0, offsetof(struct zmqc_rec, info));
	r->info[0] = '\0';
	r->path[0] = '\0';
}

/* Appends n bytes to the record's additional fields; 0, or -1 (full). */
static int
extra_put(struct zmqc_rec *r, const char *s, size_t n)
{
	/* room for the closing "}" and the NUL */
	if (r->extra_len + n + 2 > sizeof(r->extra))
		return -1;
	memcpy(r->extra + r->extra_len, s, n);
	r->extra_len = (uint16_t)(r->extra_len + n);
	return 0;
}

/* Appends s[0..n) as the inside of a JSON string: escaped, and control
 * or non-ASCII bytes (TLV strings are raw bytes) as '?'. */
static int
extra_put_text(struct zmqc_rec *r, const char *s, size_t n, int json_escaped)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[2] = { '\\', (char)c };

		if (json_escaped && c == '\\' && i + 1 < n) {
			/* already a valid JSON escape: keep it */
			if (extra_put(r, s + i, 2) != 0)
				return -1;
			i++;
			continue;
		}
		if (c == '"' || c == '\\') {
			if (extra_put(r, esc, 2) != 0)
				return -1;
		} else if (extra_put(r,
				     c >= 0x20 && c < 0x7f ? (const char *)&s[i]
							   : "?",
				     1) != 0) {
			return -1;
		}
	}
	return 0;
}

/* Appends "name":value to the record's additional fields. */
static void
extra_add(struct zmqc_rec *r, const char *name, size_t nlen,
	  const struct zmqc_val *v)
{
	uint16_t mark = r->extra_len;
	char num[32];
	int rc, n = 0;

	if (r->extra_full)
		return;
	rc = extra_put(r, r->extra_len ? "," : "{", 1);
	rc |= extra_put(r, "\"", 1);
	rc |= extra_put_text(r, name, nlen, 0);
	rc |= extra_put(r, "\":", 2);
	switch (v->type) {
	case ZV_UINT:
		n = snprintf(num, sizeof(num), "%llu",
			     (unsigned long long)v->u);
		break;
	case ZV_INT:
		n = snprintf(num, sizeof(num), "%lld", (long long)v->i);
		break;
	case ZV_DOUBLE:
		n = snprintf(num, sizeof(num), "%.17g", v->d);
		if (v->d != v->d || v->d - v->d != 0) /* NaN, inf: no JSON */
			n = snprintf(num, sizeof(num), "null");
		break;
	case ZV_STR:
		rc |= extra_put(r, "\"", 1);
		rc |= extra_put_text(r, v->s, v->len, v->escaped);
		rc |= extra_put(r, "\"", 1);
		break;
	default:
		if (v->s != NULL && v->len > 0)
			rc |= extra_put(r, v->s, v->len); /* JSON text */
		else
			n = snprintf(num, sizeof(num), "null");
		break;
	}
	if (n > 0)
		rc |= extra_put(r, num, (size_t)n);
	if (rc != 0) {
		r->extra_len = mark; /* drop the partial member */
		r->extra_full = 1;
	}
}

void
zmqc_rec_extra(struct zmqc_rec *r, const char *key, size_t key_len,
	       const struct zmqc_val *v)
{
	extra_add(r, key, key_len, v);
}

/* The built-in label of a canonical id. */
static const char *
label_of(uint32_t canon)
{
	switch (canon) {
#define FF(name, pen, id, label, dec, member, exp)                             \
	case FF_##name:                                                        \
		return label;
#include "common/flow_fields.def"
#undef FF
	default:
		return NULL;
	}
}

/* A field the flow does not keep, as an additional field: its label as
 * sent, else the built-in one, else "PEN.ID" or "ID". */
static void
extra_field(struct zmqc_rec *r, uint32_t pen, uint32_t id, const char *key,
	    size_t key_len, const struct zmqc_val *v)
{
	const char *name = key;
	char num[24];
	uint32_t canon;

	if (name == NULL && (canon = field_canon(pen, id)) != 0)
		name = label_of(canon);
	if (name != NULL && key == NULL)
		key_len = strlen(name);
	if (name == NULL) {
		int n = pen ? snprintf(num, sizeof(num), "%u.%u", pen, id)
			    : snprintf(num, sizeof(num), "%u", id);

		name = num;
		key_len = (size_t)n;
	}
	extra_add(r, name, key_len, v);
}

/* A number in a counted string: digits only, no sign, no overflow. */
static int
parse_digits(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* A number, or a numeric string (the fields of §3.1 that accept one). */
static int
val_num(const struct zmqc_val *v, uint64_t *out)
{
	switch (v->type) {
	case ZV_UINT:
		*out = v->u;
		return 0;
	case ZV_INT:
		if (v->i < 0)
			return -1;
		*out = (uint64_t)v->i;
		return 0;
	case ZV_DOUBLE:
		if (!(v->d >= 0 && v->d < 1.8e19))
			return -1;
		*out = (uint64_t)v->d;
		return 0;
	case ZV_STR:
		return parse_digits(v->s, v->len, out);
	case ZV_OTHER:
		return -1;
	}
	return -1;
}

/* A number only (a string is the wrong type). */
static int
val_num_strict(const struct zmqc_val *v, uint64_t *out)
{
	return v->type == ZV_STR ? -1 : val_num(v, out);
}

/* Copies a string value, undoing JSON escapes; -1 if not a string. */
static int
val_str(const struct zmqc_val *v, char *buf, size_t size)
{
	size_t i, o = 0;

	if (v->type != ZV_STR || size == 0)
		return -1;
	for (i = 0; i < v->len && o + 1 < size; i++) {
		char c = v->s[i];

		if (c == '\\' && v->escaped && i + 1 < v->len) {
			c = v->s[++i];
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'u':
				/* non-ASCII names are rare: keep a marker */
				i += (i + 4 < v->len) ? 4 : v->len - 1 - i;
				c = '?';
				break;
			default:
				break; /* \" \\ \/ */
			}
		}
		buf[o++] = c;
	}
	buf[o] = '\0';
	return 0;
}

static int
val_ip(const struct zmqc_val *v, int want, struct ipaddr *out)
{
	char buf[IPADDR_STRLEN + 1];

	if (v->type == ZV_UINT && want == 4) {
		uint8_t b[4];

		if (v->u > UINT32_MAX)
			return -1;
		b[0] = (uint8_t)(v->u >> 24);
		b[1] = (uint8_t)(v->u >> 16);
		b[2] = (uint8_t)(v->u >> 8);
		b[3] = (uint8_t)v->u;
		ipaddr_set4(out, b);
		return 0;
	}
	if (v->type != ZV_STR || v->len == 0 || v->len > IPADDR_STRLEN)
		return -1;
	memcpy(buf, v->s, v->len);
	buf[v->len] = '\0';
	if (ipaddr_parse(out, buf) != 0 || out->v != want)
		return -1;
	return 0;
}

static int
ip_is_zero(const struct ipaddr *a)
{
	static const uint8_t z[16];

	return memcmp(a->a, z, 16) == 0;
}

/* Sets an endpoint address: a zero address never replaces a set one. */
static int
set_addr(struct ipaddr *dst, const struct zmqc_val *v, int want)
{
	struct ipaddr a;

	if (v->type == ZV_STR && v->len == 0)
		return 0;
	if (val_ip(v, want, &a) != 0)
		return -1;
	if (ip_is_zero(&a) && dst->v != 0)
		return 0;
	*dst = a;
	return 0;
}

static int
set_mac(uint8_t mac[6], const struct zmqc_val *v)
{
	char buf[MAC_STRLEN + 1];

	if (v->type != ZV_STR || v->len >= sizeof(buf))
		return -1;
	memcpy(buf, v->s, v->len);
	buf[v->len] = '\0';
	if (mac_parse(mac, buf) != 0)
		return -1;
	return 0;
}

/* L7_PROTO: "master.app", "app", or an integer app id. */
static int
set_l7(struct zmqc_rec *r, const struct zmqc_val *v)
{
	uint64_t a = 0, b = 0;
	size_t i;

	if (v->type != ZV_STR) {
		if (val_num(v, &a) != 0 || a > 0xffff)
			return -1;
		r->u.l7_master = 0;
		r->u.l7_app = (uint16_t)a;
		return 0;
	}
	for (i = 0; i < v->len && v->s[i] != '.'; i++)
		;
	if (parse_digits(v->s, i, &a) != 0 || a > 0xffff)
		return -1;
	if (i < v->len) {
		if (parse_digits(v->s + i + 1, v->len - i - 1, &b) != 0 ||
		    b > 0xffff)
			return -1;
		r->u.l7_master = (uint16_t)a;
		r->u.l7_app = (uint16_t)b;
	} else {
		r->u.l7_master = 0;
		r->u.l7_app = (uint16_t)a;
	}
	return 0;
}

static int
set_info(struct zmqc_rec *r, const struct zmqc_val *v, uint8_t prio)
{
	if (v->type != ZV_STR)
		return -1;
	if (v->len == 0 || prio < r->info_prio)
		return 0;
	if (prio == r->info_prio && r->info_prio != 0)
		return 0; /* first of equal rank wins */
	r->info_prio = prio;
	return val_str(v, r->info, sizeof(r->info));
}

/*
 * The value of one field: the rows of the dictionary with a generic DEC
 * are cases generated here (one per row, DEC giving the conversion and
 * MEMBER the struct flow_update member); the SPECIAL rows are written out
 * below them; EXTRA rows and unknown ids fall to the default.
 */
#define FF_DEC_U64(name, m)                                                    \
	case FF_##name:                                                        \
		if ((rc = val_num(v, &n)) == 0)                                \
			u->m = n;                                              \
		break;
#define FF_DEC_U8(name, m)                                                     \
	case FF_##name:                                                        \
		if ((rc = val_num(v, &n)) == 0 && n <= 255)                    \
			u->m = (uint8_t)n;                                     \
		else                                                           \
			rc = -1;                                               \
		break;
#define FF_DEC_U16(name, m)                                                    \
	case FF_##name:                                                        \
		if ((rc = val_num(v, &n)) == 0 && n <= 65535)                  \
			u->m = (uint16_t)n;                                    \
		else                                                           \
			rc = -1;                                               \
		break;
#define FF_DEC_U8S(name, m)                                                    \
	case FF_##name:                                                        \
		if ((rc = val_num_strict(v, &n)) == 0)                         \
			u->m = (uint8_t)n;                                     \
		break;
#define FF_DEC_U32S(name, m)                                                   \
	case FF_##name:                                                        \
		if ((rc = val_num_strict(v, &n)) == 0)                         \
			u->m = (uint32_t)n;                                    \
		break;
#define FF_DEC_IP4(name, m)                                                    \
	case FF_##name:                                                        \
		rc = set_addr(&u->m, v, 4);                                    \
		break;
/* dotted string only (zmq-wire.md §4.2) */
#define FF_DEC_IP4S(name, m)                                                   \
	case FF_##name:                                                        \
		rc = v->type == ZV_STR ? set_addr(&u->m, v, 4) : -1;           \
		break;
/* "::" never replaces a set (IPv4) address */
#define FF_DEC_IP6(name, m)                                                    \
	case FF_##name:                                                        \
		rc = set_addr(&u->m, v, 6);                                    \
		break;
#define FF_DEC_MAC(name, m)                                                    \
	case FF_##name:                                                        \
		rc = set_mac(u->m, v);                                         \
		break;
/* numbers only; TCP_FLAGS alone does not update TCP state (as ntopng):
 * send CLIENT_/SERVER_TCP_FLAGS */
#define FF_DEC_CHECK(name, m)                                                  \
	case FF_##name:                                                        \
		rc = val_num_strict(v, &n);                                    \
		break;
#define FF_DEC_SPECIAL(name, m)
#define FF_DEC_EXTRA(name, m)

int
zmqc_rec_field(struct zmqc_rec *r, uint32_t pen, uint32_t id, const char *key,
	       size_t key_len, const struct zmqc_val *v)
{
	struct flow_update *u = &r->u;
	uint32_t canon = field_canon(pen, id);
	uint64_t n;
	int rc = 0;

	switch (canon) {
#define FF(name, pen, id, label, dec, member, exp) FF_DEC_##dec(name, member)
#include "common/flow_fields.def"
#undef FF
	case FF_INIT_OCTETS:
	case FF_RESP_OCTETS:
	case FF_INIT_PKTS:
	case FF_RESP_PKTS:
		if ((rc = val_num(v, &n)) != 0)
			break;
		r->abs_seen = 1;
		switch (canon) {
		case FF_INIT_OCTETS:
			r->abs_bytes[0] = n;
			break;
		case FF_RESP_OCTETS:
			r->abs_bytes[1] = n;
			break;
		case FF_INIT_PKTS:
			r->abs_pkts[0] = n;
			break;
		default:
			r->abs_pkts[1] = n;
			break;
		}
		break;
	case FF_FIRST_SWITCHED:
		if (r->first_s < 1000000000000ULL)
			rc = val_num(v, &r->first_s);
		break;
	case FF_LAST_SWITCHED:
		if (r->last_s < 1000000000000ULL)
			rc = val_num(v, &r->last_s);
		break;
	case FF_START_MS:
		/* milliseconds beat FIRST_SWITCHED's seconds, in any order */
		if ((rc = val_num(v, &n)) == 0 && n >= 1000000000000ULL)
			r->first_s = n;
		break;
	case FF_END_MS:
		if ((rc = val_num(v, &n)) == 0 && n >= 1000000000000ULL)
			r->last_s = n;
		break;
	case FF_SITE_PATH:
		rc = val_str(v, r->path, sizeof(r->path));
		break;
	case FF_CLIENT_TCP_FLAGS:
		if ((rc = val_num_strict(v, &n)) == 0) {
			u->src_tcp_flags = (uint8_t)n;
			r->have_client_flags = 1;
		}
		break;
	case FF_DST_TOS:
		if ((rc = val_num_strict(v, &n)) == 0 && u->tos == 0)
			u->tos = (uint8_t)n;
		break;
	case FF_SRC_VLAN:
	case FF_DST_VLAN:
		if ((rc = val_num_strict(v, &n)) != 0)
			break;
		if (canon == FF_DST_VLAN && r->vlan_set)
			break;
		u->vlan = n > 4095 ? 0 : (uint16_t)n;
		r->vlan_set = 1;
		break;
	case FF_DOT1Q_SRC_VLAN:
	case FF_DOT1Q_DST_VLAN:
		if ((rc = val_num_strict(v, &n)) == 0 && n <= 4095 &&
		    r->dot1q_vlan == 0)
			r->dot1q_vlan = (uint16_t)n;
		break;
	case FF_NPROBE_IPV4:
		rc = v->type == ZV_STR ? set_addr(&r->nprobe_ip, v, 4) : -1;
		break;
	case FF_L7_PROTO:
		rc = set_l7(r, v);
		break;
	case FF_TLS_SNI:
	case FF_DNS_QUERY:
	case FF_HTTP_SITE:
	case FF_HTTP_HOST:
		rc = set_info(r, v, 2);
		break;
	case FF_L7_INFO:
		rc = set_info(r, v, 1);
		break;
	case FF_SAMPLING:
		/* counters come upscaled by the probe (§4.2): informational */
		if ((rc = val_num(v, &n)) == 0 && n > 1 && n <= UINT32_MAX)
			u->sampling = (uint32_t)n;
		break;
	default:
		extra_field(r, pen, id, key, key_len, v);
		break;
	}
	return rc == 0 ? ZMQC_OK : ZMQC_ERR_VALUE_TYPE;
}

static uint64_t
ts_ms(uint64_t t)
{
	/* 13 digits or more: milliseconds */
	return t >= 1000000000000ULL ? t : t * 1000;
}

static int
never_swap(const struct ipaddr *a)
{
	return ipaddr_is_multicast(a) || ipaddr_is_broadcast(a);
}

static void
swap_sides(struct flow_update *u)
{
	struct ipaddr ta = u->src;
	uint64_t t;
	uint16_t tp = u->sport;
	uint8_t tf = u->src_tcp_flags, tm[6];

	u->src = u->dst;
	u->dst = ta;
	u->sport = u->dport;
	u->dport = tp;
	t = u->in_bytes;
	u->in_bytes = u->out_bytes;
	u->out_bytes = t;
	t = u->in_pkts;
	u->in_pkts = u->out_pkts;
	u->out_pkts = t;
	u->src_tcp_flags = u->dst_tcp_flags;
	u->dst_tcp_flags = tf;
	memcpy(tm, u->src_mac, 6);
	memcpy(u->src_mac, u->dst_mac, 6);
	memcpy(u->dst_mac, tm, 6);
}

int
zmqc_rec_finish(struct zmqc_rec *r, uint64_t now_ms)
{
	struct flow_update *u = &r->u;
	static const uint8_t zmac[6];

	if (u->src.v == 0 || u->dst.v == 0 || u->src.v != u->dst.v)
		return ZMQC_ERR_BAD_FLOW;
	u->ip_version = u->src.v;
	if (!r->vlan_set && r->dot1q_vlan)
		u->vlan = r->dot1q_vlan;
	if (u->exporter.v == 0 && r->nprobe_ip.v != 0)
		u->exporter = r->nprobe_ip;
	if (r->abs_seen) {
		u->absolute = 1;
		u->in_bytes = r->abs_bytes[0];
		u->out_bytes = r->abs_bytes[1];
		u->in_pkts = r->abs_pkts[0];
		u->out_pkts = r->abs_pkts[1];
	}
	u->last_ms = r->last_s ? ts_ms(r->last_s) : now_ms;
	u->first_ms = r->first_s ? ts_ms(r->first_s) : u->last_ms;
	if (u->first_ms > u->last_ms)
		u->first_ms = u->last_ms;
	u->has_mac = memcmp(u->src_mac, zmac, 6) != 0 ||
		     memcmp(u->dst_mac, zmac, 6) != 0;
	if (u->l4_proto == 1 || u->l4_proto == 58)
		u->sport = u->dport = 0;
	if (u->l4_proto != 17 && u->sport < u->dport &&
	    !(u->l4_proto == 6 && r->have_client_flags &&
	      (u->src_tcp_flags & 0x02)) &&
	    !never_swap(&u->src) && !never_swap(&u->dst))
		swap_sides(u);
	u->info = r->info_prio ? r->info : NULL;
	u->extra = NULL;
	if (r->extra_len > 0) {
		r->extra[r->extra_len] = '}';
		r->extra[r->extra_len + 1] = '\0';
		u->extra = r->extra;
	}
	u->site_path = r->path[0] ? r->path : NULL;
	return ZMQC_OK;
}
