/*
 * zmq_counter.c - `counter` messages (zmq-wire.md §6.2): one sFlow
 * interface counter sample, as JSON or TLV, keyed by names or by the
 * ids 0..15.  Samples are kept per peer and per (deviceIP, ifIndex), the
 * latest values of each field (sFlow counters are running totals), and
 * shown in get/interface/sources.lua under each peer's "interfaces".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collector/zmqc.h"

static const char *const counter_names[ZMQC_CTR__COUNT] = {
	"deviceIP", "samplesGenerated", "ifIndex", "ifName", "ifType",
	"ifSpeed", "ifDirection", "ifAdminStatus", "ifOperStatus",
	"ifInOctets", "ifInPackets", "ifInErrors", "ifOutOctets",
	"ifOutPackets", "ifOutErrors", "ifPromiscuousMode",
};

int
zmqc_counter_key(const char *k, size_t len)
{
	int i;

	if (len > 0 && len <= 2 && k[0] >= '0' && k[0] <= '9') {
		int v = k[0] - '0';

		if (len == 2) {
			if (k[1] < '0' || k[1] > '9' || k[0] == '0')
				return -1;
			v = v * 10 + (k[1] - '0');
		}
		return v < ZMQC_CTR__COUNT ? v : -1;
	}
	for (i = 0; i < ZMQC_CTR__COUNT; i++)
		if (strlen(counter_names[i]) == len &&
		    memcmp(counter_names[i], k, len) == 0)
			return i;
	return -1;
}

/* "Up"/"Full" words, or the numbers sFlow uses (ifStatus bits, ifDirection
 * 1 = full duplex); -1 for anything else. */
static int
word_or_num(const struct zmqc_val *v, const char *word, uint64_t num_true)
{
	size_t n = strlen(word);

	if (v->type == ZV_STR)
		return v->len == n && strncasecmp(v->s, word, n) == 0;
	if (v->type == ZV_UINT)
		return v->u == num_true;
	return -1;
}

int
zmqc_counter_field(struct zmqc_ifcounters *c, int id, const struct zmqc_val *v)
{
	uint64_t *u64 = NULL;
	int b = -2;

	switch (id) {
	case ZMQC_CTR_DEVICE_IP:
		/* an integer, first octet most significant (nProbe's JSON);
		 * a dotted string too (TLV, and kind senders) */
		if (v->type == ZV_UINT && v->u <= UINT32_MAX) {
			uint32_t be = htonl((uint32_t)v->u);

			memset(&c->device, 0, sizeof(c->device));
			c->device.v = 4;
			memcpy(c->device.a, &be, 4);
		} else if (v->type == ZV_STR && v->len < IPADDR_STRLEN) {
			char tmp[IPADDR_STRLEN];

			memcpy(tmp, v->s, v->len);
			tmp[v->len] = '\0';
			if (ipaddr_parse(&c->device, tmp) != 0)
				return ZMQC_ERR_VALUE_TYPE;
		} else {
			return ZMQC_ERR_VALUE_TYPE;
		}
		break;
	case ZMQC_CTR_IF_NAME:
		if (v->type != ZV_STR)
			return ZMQC_ERR_VALUE_TYPE;
		snprintf(c->name, sizeof(c->name), "%.*s",
			 (int)(v->len < sizeof(c->name) ? v->len : sizeof(c->name) - 1),
			 v->s);
		break;
	case ZMQC_CTR_IF_DIRECTION:
		b = word_or_num(v, "Full", 1);
		if (b >= 0)
			c->full_duplex = (uint8_t)b;
		break;
	case ZMQC_CTR_IF_ADMIN_STATUS:
		b = word_or_num(v, "Up", 1);
		if (b >= 0)
			c->admin_up = (uint8_t)b;
		break;
	case ZMQC_CTR_IF_OPER_STATUS:
		b = word_or_num(v, "Up", 1);
		if (b >= 0)
			c->oper_up = (uint8_t)b;
		break;
	case ZMQC_CTR_IF_INDEX:
	case ZMQC_CTR_IF_TYPE:
	case ZMQC_CTR_PROMISC:
		if (v->type != ZV_UINT || v->u > UINT32_MAX)
			return ZMQC_ERR_VALUE_TYPE;
		if (id == ZMQC_CTR_IF_INDEX)
			c->ifindex = (uint32_t)v->u;
		else if (id == ZMQC_CTR_IF_TYPE)
			c->iftype = (uint32_t)v->u;
		else
			c->promisc = v->u != 0;
		break;
	case ZMQC_CTR_SAMPLES: u64 = &c->samples; break;
	case ZMQC_CTR_IF_SPEED: u64 = &c->speed; break;
	case ZMQC_CTR_IN_OCTETS: u64 = &c->in_bytes; break;
	case ZMQC_CTR_IN_PACKETS: u64 = &c->in_pkts; break;
	case ZMQC_CTR_IN_ERRORS: u64 = &c->in_errors; break;
	case ZMQC_CTR_OUT_OCTETS: u64 = &c->out_bytes; break;
	case ZMQC_CTR_OUT_PACKETS: u64 = &c->out_pkts; break;
	case ZMQC_CTR_OUT_ERRORS: u64 = &c->out_errors; break;
	default:
		return ZMQC_OK;          /* not one of ours: ignored */
	}
	if (b == -1)
		return ZMQC_ERR_VALUE_TYPE;
	if (u64 != NULL) {
		if (v->type != ZV_UINT)
			return ZMQC_ERR_VALUE_TYPE;
		*u64 = v->u;
	}
	c->have |= 1u << id;
	return ZMQC_OK;
}

/* Copies the fields s has into c. */
static void
counters_merge(struct zmqc_ifcounters *c, const struct zmqc_ifcounters *s)
{
	uint32_t h = s->have;

#define TAKE(bit, field) do { if (h & (1u << (bit))) c->field = s->field; } while (0)
	TAKE(ZMQC_CTR_SAMPLES, samples);
	TAKE(ZMQC_CTR_IF_TYPE, iftype);
	TAKE(ZMQC_CTR_IF_SPEED, speed);
	TAKE(ZMQC_CTR_IF_DIRECTION, full_duplex);
	TAKE(ZMQC_CTR_IF_ADMIN_STATUS, admin_up);
	TAKE(ZMQC_CTR_IF_OPER_STATUS, oper_up);
	TAKE(ZMQC_CTR_IN_OCTETS, in_bytes);
	TAKE(ZMQC_CTR_IN_PACKETS, in_pkts);
	TAKE(ZMQC_CTR_IN_ERRORS, in_errors);
	TAKE(ZMQC_CTR_OUT_OCTETS, out_bytes);
	TAKE(ZMQC_CTR_OUT_PACKETS, out_pkts);
	TAKE(ZMQC_CTR_OUT_ERRORS, out_errors);
	TAKE(ZMQC_CTR_PROMISC, promisc);
#undef TAKE
	if (h & (1u << ZMQC_CTR_IF_NAME))
		memcpy(c->name, s->name, sizeof(c->name));
	c->have |= h;
}

int
zmqc_counter_store(struct zmqc_decoder *d, struct zmqc_peer *p,
		   const struct zmqc_ifcounters *s, uint64_t now_ms)
{
	const uint32_t need = (1u << ZMQC_CTR_DEVICE_IP) | (1u << ZMQC_CTR_IF_INDEX);
	struct zmqc_ifcounters *c = NULL;
	uint32_t i;

	if ((s->have & need) != need) {
		zmqc_error(d, p, ZMQC_ERR_BAD_COUNTER,
			   "counter sample without deviceIP or ifIndex");
		return -1;
	}
	for (i = 0; i < p->n_ifc; i++)
		if (p->ifc[i].ifindex == s->ifindex &&
		    memcmp(&p->ifc[i].device, &s->device, sizeof(s->device)) == 0) {
			c = &p->ifc[i];
			break;
		}
	if (c == NULL) {
		if (p->ifc == NULL)
			p->ifc = calloc(ZMQC_MAX_IFCOUNTERS, sizeof(*p->ifc));
		if (p->ifc == NULL || p->n_ifc == ZMQC_MAX_IFCOUNTERS) {
			p->counters_dropped++;
			zmqc_error(d, p, ZMQC_ERR_REFUSED,
				   "counter sample of a new interface refused "
				   "(%d kept per source)", ZMQC_MAX_IFCOUNTERS);
			return -1;
		}
		c = &p->ifc[p->n_ifc++];
		memset(c, 0, sizeof(*c));
		c->device = s->device;
		c->ifindex = s->ifindex;
		c->first_ms = now_ms;
	}
	counters_merge(c, s);
	c->updates++;
	c->last_ms = now_ms;
	return 0;
}
