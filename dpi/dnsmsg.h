/*
 * dnsmsg.h - a bounded reader and writer of DNS messages (RFC 1035), for
 * the names the node learns from DNS answers it sees (merge/names.c) and
 * for the small DNS client of the resolver (merge/resolver.c).
 *
 * Pure functions over caller buffers: no allocation, no global state, so
 * they link alone into the unit tests and the fuzz target.  Any thread.
 */
#ifndef DPI_DNSMSG_H
#define DPI_DNSMSG_H

#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

#define DNSMSG_NAME_MAX 255 /* presentation form, without the final dot */
#define DNSMSG_MAX_ANSWERS 16

enum dnsmsg_result {
	DNSMSG_OK = 0,
	DNSMSG_SHORT, /* the message ends inside a field */
	DNSMSG_BAD,   /* not a response, bad label, pointer loop, caps */
};

/* One address the answer names: `name` is the name that was asked (the
 * question, through any CNAME chain leading to the record) for A/AAAA,
 * the PTR target for a PTR answer whose question is a reverse name. */
struct dnsmsg_answer {
	struct ipaddr ip;
	char name[DNSMSG_NAME_MAX + 1];
};

struct dnsmsg_reply {
	uint16_t id;
	uint8_t rcode;
	int n; /* answers[0..n-1] */
	struct dnsmsg_answer answers[DNSMSG_MAX_ANSWERS];
};

/* Parses a DNS response of len bytes (UDP payload) into r.  Only the
 * first question is read; at most DNSMSG_MAX_ANSWERS answers are kept
 * (the rest are skipped).  Names are decompressed with every pointer
 * required to point before the label that holds it (no loop can form)
 * and with at most 64 jumps.  Returns enum dnsmsg_result. */
int dnsmsg_parse(const uint8_t *buf, size_t len, struct dnsmsg_reply *r);

/* Writes a one-question recursive query for qname/qtype (1 = A,
 * 12 = PTR) with the given id into buf; returns its length or -1. */
int dnsmsg_query(uint8_t *buf, size_t cap, uint16_t id, const char *qname,
		 uint16_t qtype);

/* The reverse name of ip ("4.3.2.1.in-addr.arpa", nibbles for IPv6);
 * 0 or -1 (too small). */
int dnsmsg_ptr_name(const struct ipaddr *ip, char *buf, size_t len);

#endif
