/*
 * addr.c - IP and MAC address helpers and local-network lists (addr.h).
 *
 * An address is always 20 bytes: version, three zero pad bytes and 16
 * address bytes in network order (IPv4 in the first four, the rest zero).
 * Because every unused byte is zero, equality is memcmp() of the struct
 * and the hash covers the whole struct without looking at the version.
 *
 * Text conversion goes through inet_pton()/inet_ntop() so that every
 * IPv6 spelling the C library accepts is accepted here too.
 *
 * A netlist is a growable array of (masked network, prefix length).  It
 * is built once at start-up from the -m option and then only read, so a
 * linear scan in insertion order is both simple and gives the documented
 * "first match wins" rule.  Prefix tests compare whole bytes with memcmp
 * and then the one partial byte under a mask.
 */
#include "common/addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"

void
ipaddr_set4(struct ipaddr *out, const uint8_t *b4)
{
	memset(out, 0, sizeof(*out));
	out->v = 4;
	memcpy(out->a, b4, 4);
}

void
ipaddr_set6(struct ipaddr *out, const uint8_t *b16)
{
	memset(out, 0, sizeof(*out));
	out->v = 6;
	memcpy(out->a, b16, 16);
}

int
ipaddr_parse(struct ipaddr *out, const char *s)
{
	uint8_t buf[16];

	if (s == NULL)
		return -1;
	if (inet_pton(AF_INET, s, buf) == 1) {
		ipaddr_set4(out, buf);
		return 0;
	}
	if (inet_pton(AF_INET6, s, buf) == 1) {
		ipaddr_set6(out, buf);
		return 0;
	}
	return -1;
}

/* An address of version 0 (none) is written as the empty string. */
char *
ipaddr_fmt(const struct ipaddr *a, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (a->v == 4) {
		if (inet_ntop(AF_INET, a->a, buf, (socklen_t)len) == NULL)
			buf[0] = '\0';
	} else if (a->v == 6) {
		if (inet_ntop(AF_INET6, a->a, buf, (socklen_t)len) == NULL)
			buf[0] = '\0';
	}
	return buf;
}

/* Orders by version first (all IPv4 before IPv6), then bytewise. */
int
ipaddr_cmp(const struct ipaddr *x, const struct ipaddr *y)
{
	int r;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	r = memcmp(x->a, y->a, sizeof(x->a));
	return r < 0 ? -1 : (r > 0 ? 1 : 0);
}

int
ipaddr_is_multicast(const struct ipaddr *a)
{
	if (a->v == 4)
		return (a->a[0] & 0xf0) == 0xe0; /* 224.0.0.0/4 */
	if (a->v == 6)
		return a->a[0] == 0xff; /* ff00::/8 */
	return 0;
}

/* Only the limited broadcast: a directed broadcast needs the netmask. */
int
ipaddr_is_broadcast(const struct ipaddr *a)
{
	return a->v == 4 && a->a[0] == 0xff && a->a[1] == 0xff &&
	       a->a[2] == 0xff && a->a[3] == 0xff;
}

/* RFC 1918 for IPv4, unique local fc00::/7 (RFC 4193) for IPv6. */
int
ipaddr_is_private(const struct ipaddr *a)
{
	if (a->v == 4) {
		if (a->a[0] == 10)
			return 1;
		if (a->a[0] == 172 && (a->a[1] & 0xf0) == 16)
			return 1;
		if (a->a[0] == 192 && a->a[1] == 168)
			return 1;
		return 0;
	}
	if (a->v == 6)
		return (a->a[0] & 0xfe) == 0xfc;
	return 0;
}

uint32_t
ipaddr_hash(const struct ipaddr *a)
{
	uint32_t w[4];
	uint32_t h;

	memcpy(w, a->a, sizeof(w));
	h = a->v * 0x9e3779b9U;
	h = hash_mix32(h ^ w[0]);
	if (a->v == 6) {
		/* IPv4 leaves w[1..3] zero: skip them to save cycles */
		h = hash_mix32(h ^ w[1]);
		h = hash_mix32(h ^ w[2]);
		h = hash_mix32(h ^ w[3]);
	}
	return h;
}

char *
mac_fmt(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02X:%02X:%02X:%02X:%02X:%02X", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

/* Accepts exactly six two-digit hex groups separated by ':' or '-'. */
int
mac_parse(uint8_t mac[6], const char *s)
{
	uint8_t out[6];
	int i, hi, lo;
	char sep = 0;

	if (s == NULL)
		return -1;
	for (i = 0; i < 6; i++) {
		hi = hex_val((unsigned char)s[0]);
		if (hi < 0)
			return -1;
		lo = hex_val((unsigned char)s[1]);
		if (lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i == 5)
			break;
		if (*s != ':' && *s != '-')
			return -1;
		if (sep != 0 && *s != sep)
			return -1;
		sep = *s++;
	}
	if (*s != '\0')
		return -1;
	memcpy(mac, out, 6);
	return 0;
}

void
netlist_init(struct netlist *l)
{
	l->v = NULL;
	l->n = 0;
}

void
netlist_fini(struct netlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Clears the host bits of `a` beyond `prefix`. */
static void
addr_mask(struct ipaddr *a, unsigned prefix)
{
	unsigned bits = a->v == 4 ? 32 : 128;
	unsigned i;

	for (i = 0; i < bits / 8; i++) {
		if (prefix >= (i + 1) * 8)
			continue;
		if (prefix <= i * 8)
			a->a[i] = 0;
		else
			a->a[i] &= (uint8_t)(0xff << (8 - (prefix - i * 8)));
	}
}

/* Turns a dotted netmask into a prefix length; -1 if not contiguous. */
static int
addr_mask_to_prefix(const char *s)
{
	uint8_t m[4];
	uint32_t v;
	int n = 0;

	if (inet_pton(AF_INET, s, m) != 1)
		return -1;
	v = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 |
	    m[3];
	while (v & 0x80000000U) {
		n++;
		v <<= 1;
	}
	return v == 0 ? n : -1;
}

/* Parses one item (no commas, already trimmed) into `e`. */
static int
netlist_item_parse(struct netlist_entry *e, const char *item)
{
	char host[IPADDR_STRLEN + 1];
	char txt[IPADDR_STRLEN];
	const char *slash = strchr(item, '/');
	size_t hlen = slash ? (size_t)(slash - item) : strlen(item);
	unsigned maxp;
	long p;
	char *end;

	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, item, hlen);
	host[hlen] = '\0';
	memset(e, 0, sizeof(*e));
	if (ipaddr_parse(&e->net, host) != 0)
		return -1;
	maxp = e->net.v == 4 ? 32 : 128;
	if (slash == NULL) {
		p = maxp;
	} else if (e->net.v == 4 && strchr(slash + 1, '.') != NULL) {
		p = addr_mask_to_prefix(slash + 1);
		if (p < 0)
			return -1;
	} else {
		if (!isdigit((unsigned char)slash[1]))
			return -1;
		errno = 0;
		p = strtol(slash + 1, &end, 10);
		if (errno != 0 || *end != '\0' || p < 0 || p > (long)maxp)
			return -1;
	}
	e->prefix = (uint8_t)p;
	addr_mask(&e->net, e->prefix);
	ipaddr_fmt(&e->net, txt, sizeof(txt));
	snprintf(e->name, sizeof(e->name), "%s/%u", txt, e->prefix);
	return 0;
}

int
netlist_add(struct netlist *l, const char *spec, char *err, size_t errlen)
{
	const char *p = spec, *end, *b, *e;
	struct netlist_entry ent, *nv;
	char item[128];
	size_t n;

	if (spec == NULL)
		return -1;
	for (;;) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		b = p;
		e = end;
		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		n = (size_t)(e - b);
		if (n > 0) {
			if (n >= sizeof(item))
				goto bad;
			memcpy(item, b, n);
			item[n] = '\0';
			if (netlist_item_parse(&ent, item) != 0)
				goto bad;
			nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
			if (nv == NULL) {
				if (err != NULL && errlen > 0)
					snprintf(err, errlen, "out of memory");
				return -1;
			}
			l->v = nv;
			l->v[l->n++] = ent;
		}
		if (*end == '\0')
			return 0;
		p = end + 1;
	}
bad:
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "bad network '%.*s'",
			 (int)(n > 100 ? 100 : n), b);
	return -1;
}

static inline int
netlist_entry_has(const struct netlist_entry *e, const struct ipaddr *a)
{
	unsigned full = e->prefix / 8, rest = e->prefix % 8;
	uint8_t m;

	if (e->net.v != a->v)
		return 0;
	if (full > 0 && memcmp(e->net.a, a->a, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	m = (uint8_t)(0xff << (8 - rest));
	return (a->a[full] & m) == e->net.a[full];
}

int
netlist_find(const struct netlist *l, const struct ipaddr *a)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (netlist_entry_has(&l->v[i], a))
			return (int)i;
	return -1;
}
