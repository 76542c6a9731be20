/*
 * addr.h - IP addresses, MAC addresses and local-network lists.
 *
 * One representation for IPv4 and IPv6 everywhere in the node: 16 bytes
 * plus a version byte.  An IPv4 address sits in the first four bytes and
 * the other twelve are zero, so two addresses compare with memcmp of the
 * whole struct.  Pure functions: any thread may call them.
 */
#ifndef COMMON_ADDR_H
#define COMMON_ADDR_H

#include <stddef.h>
#include <stdint.h>

struct ipaddr {
	uint8_t v;	/* 4 or 6; 0 = none */
	uint8_t pad[3]; /* always zero so that memcmp/hash are stable */
	uint8_t a[16];	/* network byte order; IPv4 in a[0..3] */
};

#define IPADDR_STRLEN 46
#define MAC_STRLEN 18

/* Fills `out` from 4 or 16 network-order bytes. */
void ipaddr_set4(struct ipaddr *out, const uint8_t *b4);
void ipaddr_set6(struct ipaddr *out, const uint8_t *b16);
/* Parses "1.2.3.4" or "::1"; returns 0 or -1. */
int ipaddr_parse(struct ipaddr *out, const char *s);
/* Writes the text form into buf (at least IPADDR_STRLEN); returns buf. */
char *ipaddr_fmt(const struct ipaddr *a, char *buf, size_t len);
int ipaddr_cmp(const struct ipaddr *x, const struct ipaddr *y);
int ipaddr_is_multicast(const struct ipaddr *a);
int ipaddr_is_broadcast(const struct ipaddr *a);
int ipaddr_is_private(const struct ipaddr *a);
/* murmur3's finaliser: every input bit reaches every output bit.  The
 * one mixing step of every hash table of the node. */
static inline uint32_t
hash_mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

/* A 32-bit mix of the address, for hash tables. */
uint32_t ipaddr_hash(const struct ipaddr *a);

char *mac_fmt(const uint8_t mac[6], char *buf, size_t len);
int mac_parse(uint8_t mac[6], const char *s);

/* A list of networks (the -m option).  Caller's storage; _fini frees. */
struct netlist_entry {
	struct ipaddr net; /* masked network address */
	uint8_t prefix;	   /* 0..32 or 0..128 */
	char name[64];	   /* canonical text "a.b.c.d/nn" */
};
struct netlist {
	struct netlist_entry *v;
	size_t n;
};
void netlist_init(struct netlist *l);
void netlist_fini(struct netlist *l);
/* Adds "a.b.c.d/nn", "a.b.c.d/255.255.0.0", "2001:db8::/32", or a
 * comma-separated list of them.  Returns 0, or -1 on the first bad item
 * (err, if not NULL, then names it). */
int netlist_add(struct netlist *l, const char *spec, char *err, size_t errlen);
/* Returns the index of the first network holding `a`, or -1. */
int netlist_find(const struct netlist *l, const struct ipaddr *a);

#endif
