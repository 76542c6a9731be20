/*
 * zmq_counter.c - what probes tell of their exporters' interfaces.
 *
 * `counter` messages (zmq-wire.md §6.2): one sFlow interface counter
 * sample, as JSON or TLV, keyed by names or by the ids 0..15.  Samples
 * are kept per peer and per (deviceIP, ifIndex), the latest values of
 * each field (sFlow counters are running totals), and shown in
 * get/interface/sources.lua under each peer's "interfaces".
 *
 * `snmp-ifaces` messages (§2.5): {"<exporter>": {"<ifIndex>": "<name>"}}
 * tables, kept per peer ("snmp_ifaces" in sources.lua) and used to name
 * the interfaces of counter samples that carry no ifName.  A rare
 * message of unbounded size: parsed with jansson, not the jsmn hot path.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "collector/zmqc.h"

static const char *const counter_names[ZMQC_CTR__COUNT] = {
	"deviceIP",	"samplesGenerated", "ifIndex",	   "ifName",
	"ifType",	"ifSpeed",	    "ifDirection", "ifAdminStatus",
	"ifOperStatus", "ifInOctets",	    "ifInPackets", "ifInErrors",
	"ifOutOctets",	"ifOutPackets",	    "ifOutErrors", "ifPromiscuousMode",
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

/* Copies an interface name, printable ASCII only (others become '?'), so
 * that it is always valid JSON text. */
static void
name_copy(char *dst, size_t size, const char *src, size_t len)
{
	size_t i;

	if (len > size - 1)
		len = size - 1;
	for (i = 0; i < len; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[len] = '\0';
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
		name_copy(c->name, sizeof(c->name), v->s, v->len);
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
	case ZMQC_CTR_SAMPLES:
		u64 = &c->samples;
		break;
	case ZMQC_CTR_IF_SPEED:
		u64 = &c->speed;
		break;
	case ZMQC_CTR_IN_OCTETS:
		u64 = &c->in_bytes;
		break;
	case ZMQC_CTR_IN_PACKETS:
		u64 = &c->in_pkts;
		break;
	case ZMQC_CTR_IN_ERRORS:
		u64 = &c->in_errors;
		break;
	case ZMQC_CTR_OUT_OCTETS:
		u64 = &c->out_bytes;
		break;
	case ZMQC_CTR_OUT_PACKETS:
		u64 = &c->out_pkts;
		break;
	case ZMQC_CTR_OUT_ERRORS:
		u64 = &c->out_errors;
		break;
	default:
		return ZMQC_OK; /* not one of ours: ignored */
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

#define TAKE(bit, field)                                                       \
	do {                                                                   \
		if (h & (1u << (bit)))                                         \
			c->field = s->field;                                   \
	} while (0)
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
	const uint32_t need =
		(1u << ZMQC_CTR_DEVICE_IP) | (1u << ZMQC_CTR_IF_INDEX);
	struct zmqc_ifcounters *c = NULL;
	uint32_t i;

	if ((s->have & need) != need) {
		zmqc_error(d, p, ZMQC_ERR_BAD_COUNTER,
			   "counter sample without deviceIP or ifIndex");
		return -1;
	}
	for (i = 0; i < p->n_ifc; i++)
		if (p->ifc[i].ifindex == s->ifindex &&
		    memcmp(&p->ifc[i].device, &s->device, sizeof(s->device)) ==
			    0) {
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
				   "(%d kept per source)",
				   ZMQC_MAX_IFCOUNTERS);
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

const char *
zmqc_ifname(const struct zmqc_peer *p, const char *exporter, uint32_t ifindex)
{
	uint32_t i;

	for (i = 0; i < p->n_ifnames; i++)
		if (p->ifnames[i].ifindex == ifindex &&
		    strcmp(p->ifnames[i].exporter, exporter) == 0)
			return p->ifnames[i].name;
	return NULL;
}

/* Sets (exporter, ifindex) -> name; 0, or -1 when the table is full. */
static int
ifname_set(struct zmqc_peer *p, const char *exporter, uint32_t ifindex,
	   const char *name)
{
	struct zmqc_ifname *e = NULL;
	uint32_t i;

	for (i = 0; i < p->n_ifnames && e == NULL; i++)
		if (p->ifnames[i].ifindex == ifindex &&
		    strcmp(p->ifnames[i].exporter, exporter) == 0)
			e = &p->ifnames[i];
	if (e == NULL) {
		if (p->ifnames == NULL)
			p->ifnames =
				calloc(ZMQC_MAX_IFNAMES, sizeof(*p->ifnames));
		if (p->ifnames == NULL || p->n_ifnames == ZMQC_MAX_IFNAMES)
			return -1;
		e = &p->ifnames[p->n_ifnames++];
		name_copy(e->exporter, sizeof(e->exporter), exporter,
			  strlen(exporter));
		e->ifindex = ifindex;
	}
	name_copy(e->name, sizeof(e->name), name, strlen(name));
	return 0;
}

int
zmqc_snmp_ifaces(struct zmqc_decoder *d, struct zmqc_peer *p, const char *buf,
		 size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, 0, &jerr), *names;
	const char *exporter, *idx;
	int bad = 0, full = 0;

	if (root == NULL || !json_is_object(root)) {
		zmqc_error(d, p, ZMQC_ERR_JSON, "snmp-ifaces: %s",
			   root == NULL ? jerr.text : "not a JSON object");
		json_decref(root);
		return -1;
	}
	json_object_foreach(root, exporter, names)
	{
		json_t *name;

		if (!json_is_object(names) || strlen(exporter) >= 48) {
			bad++;
			continue;
		}
		json_object_foreach(names, idx, name)
		{
			char *end;
			unsigned long v = strtoul(idx, &end, 10);

			if (!json_is_string(name) || *idx == '\0' ||
			    *end != '\0' || v > UINT32_MAX) {
				bad++;
				continue;
			}
			if (ifname_set(p, exporter, (uint32_t)v,
				       json_string_value(name)) != 0)
				full++;
		}
	}
	json_decref(root);
	if (bad)
		zmqc_error_n(d, p, ZMQC_ERR_VALUE_TYPE, (uint64_t)bad,
			     "snmp-ifaces: %d entr(ies) not exporter -> "
			     "{ifIndex: name}",
			     bad);
	if (full) {
		p->ifnames_dropped += (uint64_t)full;
		zmqc_error_n(d, p, ZMQC_ERR_REFUSED, (uint64_t)full,
			     "snmp-ifaces: %d name(s) refused (%d kept per "
			     "source)",
			     full, ZMQC_MAX_IFNAMES);
	}
	return 0;
}
