/*
 * dnsmsg.c - a bounded DNS message reader and query writer (RFC 1035).
 *
 * Wire layout (RFC 1035 §4.1), all big-endian:
 *   header   12 bytes: id(2) flags(2: QR bit 15, opcode 14..11, rcode 3..0)
 *            qdcount(2) ancount(2) nscount(2) arcount(2)
 *   question qname, qtype(2), qclass(2)
 *   answer   name, type(2), class(2), ttl(4), rdlength(2), rdata
 * A name is a list of labels (length byte 1..63 then the bytes) ended by
 * a zero byte, or by a pointer (two bytes 11xxxxxx xxxxxxxx, RFC 1035
 * §4.1.4) to an earlier name in the message.
 *
 * Everything here comes from the network: each read goes through rd_*()
 * which refuse to pass the end, names are capped at 255 characters, and
 * a compression pointer must point strictly before the place it was read
 * from, so following pointers always moves backwards and cannot loop; 64
 * jumps at most on top of that.  Record types kept: A (1), AAAA (28),
 * CNAME (5), PTR (12); others are skipped by their rdlength.
 */
#include "dpi/dnsmsg.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_JUMPS 64
#define MAX_CNAMES 16
#define MAX_RRS 64 /* answers looked at; more is BAD */

struct rd {
	const uint8_t *b;
	size_t len, off;
};

static int
rd_u16(struct rd *r, uint16_t *v)
{
	if (r->len - r->off < 2 || r->off > r->len)
		return -1;
	*v = (uint16_t)(r->b[r->off] << 8 | r->b[r->off + 1]);
	r->off += 2;
	return 0;
}

static int
rd_skip(struct rd *r, size_t n)
{
	if (r->off > r->len || r->len - r->off < n)
		return -1;
	r->off += n;
	return 0;
}

/* Reads the name at r->off into out (lower case, dotted, no final dot)
 * and moves r->off past it (past its first pointer, if any). */
static int
rd_name(struct rd *r, char *out, size_t cap)
{
	size_t pos = r->off, o = 0, end = 0;
	int jumps = 0, jumped = 0;

	out[0] = '\0';
	for (;;) {
		uint8_t c;

		if (pos >= r->len)
			return DNSMSG_SHORT;
		c = r->b[pos];
		if (c == 0) {
			if (!jumped)
				end = pos + 1;
			break;
		}
		if ((c & 0xc0) == 0xc0) {
			size_t to;

			if (pos + 1 >= r->len)
				return DNSMSG_SHORT;
			to = (size_t)(c & 0x3f) << 8 | r->b[pos + 1];
			/* backwards only: no loop can form */
			if (to >= pos || ++jumps > MAX_JUMPS)
				return DNSMSG_BAD;
			if (!jumped)
				end = pos + 2;
			jumped = 1;
			pos = to;
			continue;
		}
		if (c & 0xc0) /* 01/10: extended / reserved label types */
			return DNSMSG_BAD;
		if (pos + 1 + c > r->len)
			return DNSMSG_SHORT;
		if (o + (o ? 1 : 0) + c >= cap || o + c + 1 > DNSMSG_NAME_MAX)
			return DNSMSG_BAD;
		if (o)
			out[o++] = '.';
		for (uint8_t i = 0; i < c; i++) {
			uint8_t ch = r->b[pos + 1 + i];

			/* keep names printable: they reach JSON and HTML */
			if (ch >= 'A' && ch <= 'Z')
				ch = (uint8_t)(ch - 'A' + 'a');
			else if (ch <= 0x20 || ch >= 0x7f || ch == '"' ||
				 ch == '<' || ch == '>' || ch == '\\' ||
				 ch == '&' || ch == '\'')
				return DNSMSG_BAD;
			out[o++] = (char)ch;
		}
		out[o] = '\0';
		pos += 1 + (size_t)c;
	}
	r->off = end;
	return DNSMSG_OK;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "4.3.2.1.in-addr.arpa" or the 32 nibbles of ip6.arpa: 0 and ip set. */
static int
reverse_to_ip(const char *n, struct ipaddr *ip)
{
	size_t len = strlen(n);
	static const char v4[] = ".in-addr.arpa", v6[] = ".ip6.arpa";

	if (len > sizeof(v4) - 1 &&
	    strcmp(n + len - (sizeof(v4) - 1), v4) == 0) {
		uint8_t b[4];
		const char *p = n;

		for (int i = 3; i >= 0; i--) {
			unsigned v = 0;
			int digits = 0;

			while (*p >= '0' && *p <= '9' && digits < 3) {
				v = v * 10 + (unsigned)(*p++ - '0');
				digits++;
			}
			if (digits == 0 || v > 255 || *p != '.')
				return -1;
			p++;
			b[i] = (uint8_t)v;
		}
		if (p != n + len - (sizeof(v4) - 2))
			return -1;
		ipaddr_set4(ip, b);
		return 0;
	}
	if (len == 63 + sizeof(v6) - 1 &&
	    strcmp(n + len - (sizeof(v6) - 1), v6) == 0) {
		uint8_t b[16];

		memset(b, 0, sizeof(b));
		for (int i = 0; i < 32; i++) {
			int v = hexval(n[2 * i]);

			if (v < 0 || n[2 * i + 1] != '.')
				return -1;
			/* first nibble is the lowest of the last byte */
			b[15 - i / 2] |= (uint8_t)(i % 2 ? v << 4 : v);
		}
		ipaddr_set6(ip, b);
		return 0;
	}
	return -1;
}

int
dnsmsg_parse(const uint8_t *buf, size_t len, struct dnsmsg_reply *r)
{
	struct rd d = { buf, len, 0 };
	uint16_t flags, qd, an, ns, ar, qtype, qclass;
	char qname[DNSMSG_NAME_MAX + 1];
	char owner[DNSMSG_NAME_MAX + 1];
	char cn_from[MAX_CNAMES][DNSMSG_NAME_MAX + 1];
	char cn_to[MAX_CNAMES][DNSMSG_NAME_MAX + 1];
	char chain[MAX_CNAMES + 1][DNSMSG_NAME_MAX + 1];
	int n_cn = 0, n_chain = 0, rc;
	struct ipaddr rev;
	int has_rev;

	r->n = 0;
	if (rd_u16(&d, &r->id) || rd_u16(&d, &flags) || rd_u16(&d, &qd) ||
	    rd_u16(&d, &an) || rd_u16(&d, &ns) || rd_u16(&d, &ar))
		return DNSMSG_SHORT;
	r->rcode = flags & 0x0f;
	if (!(flags & 0x8000) || ((flags >> 11) & 0x0f) != 0 || qd != 1)
		return DNSMSG_BAD; /* not a standard response to one query */
	if (an > MAX_RRS)
		return DNSMSG_BAD;
	if ((rc = rd_name(&d, qname, sizeof(qname))) != DNSMSG_OK)
		return rc;
	if (rd_u16(&d, &qtype) || rd_u16(&d, &qclass))
		return DNSMSG_SHORT;
	has_rev = reverse_to_ip(qname, &rev) == 0;

	/* first pass: the CNAMEs; second: the addresses (a CNAME may come
	 * after the record it leads to) */
	size_t answers_at = d.off;
	for (int pass = 0; pass < 2; pass++) {
		d.off = answers_at;
		if (pass == 1) {
			/* the names that lead from the question: qname and
			 * the targets of the chain (bounded hops) */
			snprintf(chain[0], sizeof(chain[0]), "%s", qname);
			n_chain = 1;
			for (int hop = 0; hop < MAX_CNAMES; hop++) {
				int found = -1;

				for (int i = 0; i < n_cn && found < 0; i++)
					if (strcmp(cn_from[i],
						   chain[n_chain - 1]) == 0)
						found = i;
				if (found < 0)
					break;
				snprintf(chain[n_chain], sizeof(chain[0]), "%s",
					 cn_to[found]);
				n_chain++;
			}
		}
		for (uint16_t i = 0; i < an; i++) {
			uint16_t type, class, rdlen;
			size_t rd_at;

			if ((rc = rd_name(&d, owner, sizeof(owner))) !=
			    DNSMSG_OK)
				return rc;
			if (rd_u16(&d, &type) || rd_u16(&d, &class) ||
			    rd_skip(&d, 4) || rd_u16(&d, &rdlen))
				return DNSMSG_SHORT;
			rd_at = d.off;
			if (rd_skip(&d, rdlen))
				return DNSMSG_SHORT;
			if (class != 1)
				continue;
			if (pass == 0 && type == 5 && n_cn < MAX_CNAMES) {
				struct rd t = { buf, rd_at + rdlen, rd_at };

				if (rd_name(&t, cn_to[n_cn],
					    sizeof(cn_to[0])) != DNSMSG_OK)
					return DNSMSG_BAD;
				snprintf(cn_from[n_cn], sizeof(cn_from[0]),
					 "%s", owner);
				n_cn++;
			} else if (pass == 1 && r->n < DNSMSG_MAX_ANSWERS &&
				   ((type == 1 && rdlen == 4) ||
				    (type == 28 && rdlen == 16))) {
				struct dnsmsg_answer *a = &r->answers[r->n];
				const char *nm = owner;

				for (int k = 0; k < n_chain; k++)
					if (strcmp(chain[k], owner) == 0)
						nm = qname;
				if (type == 1)
					ipaddr_set4(&a->ip, buf + rd_at);
				else
					ipaddr_set6(&a->ip, buf + rd_at);
				snprintf(a->name, sizeof(a->name), "%s", nm);
				r->n++;
			} else if (pass == 1 && type == 12 && has_rev &&
				   r->n < DNSMSG_MAX_ANSWERS &&
				   strcmp(owner, qname) == 0) {
				struct dnsmsg_answer *a = &r->answers[r->n];
				struct rd t = { buf, rd_at + rdlen, rd_at };

				if (rd_name(&t, a->name, sizeof(a->name)) !=
					    DNSMSG_OK ||
				    a->name[0] == '\0')
					return DNSMSG_BAD;
				a->ip = rev;
				r->n++;
			}
		}
	}
	(void)ns;
	(void)ar;
	(void)qtype;
	(void)qclass;
	return DNSMSG_OK;
}

int
dnsmsg_query(uint8_t *buf, size_t cap, uint16_t id, const char *qname,
	     uint16_t qtype)
{
	size_t o = 12, nlen = strlen(qname);
	const char *p = qname;

	if (nlen > DNSMSG_NAME_MAX || cap < 12 + nlen + 2 + 4)
		return -1;
	memset(buf, 0, 12);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[2] = 0x01; /* RD */
	buf[5] = 1;    /* qdcount */
	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		if (l == 0 || l > 63)
			return -1;
		buf[o++] = (uint8_t)l;
		memcpy(buf + o, p, l);
		o += l;
		p += l;
		if (*p == '.')
			p++;
	}
	buf[o++] = 0;
	buf[o++] = (uint8_t)(qtype >> 8);
	buf[o++] = (uint8_t)qtype;
	buf[o++] = 0;
	buf[o++] = 1; /* IN */
	return (int)o;
}

int
dnsmsg_ptr_name(const struct ipaddr *ip, char *buf, size_t len)
{
	static const char hx[] = "0123456789abcdef";
	size_t o = 0;
	int n;

	if (ip->v == 4) {
		n = snprintf(buf, len, "%u.%u.%u.%u.in-addr.arpa", ip->a[3],
			     ip->a[2], ip->a[1], ip->a[0]);
		return n > 0 && (size_t)n < len ? 0 : -1;
	}
	if (ip->v != 6 || len < 64 + 9)
		return -1;
	for (int i = 15; i >= 0; i--) {
		buf[o++] = hx[ip->a[i] & 0x0f];
		buf[o++] = '.';
		buf[o++] = hx[ip->a[i] >> 4];
		buf[o++] = '.';
	}
	memcpy(buf + o, "ip6.arpa", 9);
	return 0;
}
