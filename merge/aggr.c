/*
 * aggr.c - the -A aggregations (docs/aggregations.md): one entry per
 * (family, name), where the families are the DNS names clients asked for
 * (nDPI's DNS query name, a collector's DNS_QUERY), the HTTP hosts they
 * asked for (nDPI's HTTP Host, a collector's HTTP_HOST) and the operating
 * systems hosts run (aggr_host_os(), the hook for OS detection).
 *
 * Each entry counts queries (one per flow that carried the name; for OS,
 * one per host), flows, bytes (added once when the flow ends) and keeps up
 * to AGGR_MAX_CONTACTS client hosts with their counts; the rest are
 * counted as contacts_dropped.  -E local|remote keeps only local or only
 * remote clients as contacts (all or none: every client).
 *
 * Cost: the work is per flow, when its name becomes known (after an nDPI
 * call, which is already per packet until detection ends, or a collected
 * update that brings the name) and once more when it ends; never per
 * packet otherwise.  The table is bounded by -x (as hosts): a new entry
 * past it is refused and counted; idle entries are purged like hosts.
 *
 * Threads: owner thread only.
 */
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/log.h"
#include "common/prefs.h"
#include "merge/aggr.h"
#include "merge/iface.h"
#include "merge/iface_priv.h"
#include "merge/query.h"
#include "merge/record.h"
#include "merge/sink.h"

#define NDPI_DNS_ID 5
#define NDPI_HTTP_ID 7
#define AGGR_OS_ID 254

struct aggr_contact {
	struct ipaddr ip;
	uint16_t vlan;
	uint8_t is_local;
	uint64_t count;
	uint64_t last_ms;
};

struct aggr {
	struct aggr *hnext;
	struct aggr *prev, *next; /* least recently seen first */
	uint32_t hash;
	uint8_t family;
	uint8_t dirty; /* changed since the last timeline walk */
	char name[AGGR_NAME_MAX];
	uint64_t first_ms, last_ms;
	uint64_t queries, flows, bytes;
	uint64_t contacts_dropped; /* clients past AGGR_MAX_CONTACTS */
	uint32_t n_contacts;
	struct aggr_contact contacts[AGGR_MAX_CONTACTS];
};

struct aggr_table {
	struct aggr **buckets;
	uint32_t mask;
	struct aggr *head, *tail;
	uint32_t num, max;
	uint64_t refused, purged, total; /* table full, idle, ever created */
};

static const char *const family_names[AGGR_N_FAMILIES] = { "dns", "http",
							   "os" };
static const int family_ids[AGGR_N_FAMILIES] = { NDPI_DNS_ID, NDPI_HTTP_ID,
						 AGGR_OS_ID };

const char *
aggr_family_name(int family)
{
	return family >= 0 && family < AGGR_N_FAMILIES ? family_names[family]
						       : "";
}

int
aggr_family_id(int family)
{
	return family >= 0 && family < AGGR_N_FAMILIES ? family_ids[family] : 0;
}

int
aggr_family_parse(const char *s)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < AGGR_N_FAMILIES; i++) {
		char id[8];

		snprintf(id, sizeof(id), "%d", family_ids[i]);
		if (!strcasecmp(s, family_names[i]) || !strcmp(s, id))
			return i;
	}
	return -1;
}

int
aggr_init(struct iface *ifc)
{
	struct aggr_table *t;
	uint32_t n = 1;

	if (ifc->prefs == NULL || ifc->prefs->aggregations <= 0)
		return 0;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -1;
	t->max = ifc->prefs->max_num_hosts ? ifc->prefs->max_num_hosts : 1;
	/* buckets for up to 64k names: more shares chains, which is fine
	 * for an entry made once per named flow */
	while (n < t->max && n < 65536)
		n <<= 1;
	t->mask = n - 1;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (t->buckets == NULL) {
		free(t);
		return -1;
	}
	ifc->aggr = t;
	return 0;
}

void
aggr_fini(struct iface *ifc)
{
	struct aggr_table *t = ifc->aggr;
	struct aggr *a, *an;

	if (t == NULL)
		return;
	for (a = t->head; a != NULL; a = an) {
		an = a->next;
		free(a);
	}
	free(t->buckets);
	free(t);
	ifc->aggr = NULL;
}

/* FNV-1a of the family and the (already normalised) name. */
static uint32_t
name_hash(int family, const char *name)
{
	uint32_t h = 2166136261u ^ (uint32_t)family;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h;
}

/* Copies a name from the network into out: at most AGGR_NAME_MAX - 1
 * bytes, lower case for DNS and HTTP (host names ignore case), bytes
 * outside printable ASCII as '?' (so JSON and the page get valid text).
 * Returns its length (0: nothing to aggregate). */
static size_t
name_norm(int family, const char *in, char out[AGGR_NAME_MAX])
{
	size_t n = 0;

	for (; in[n] != '\0' && n < AGGR_NAME_MAX - 1; n++) {
		unsigned char c = (unsigned char)in[n];

		if (c < 0x20 || c > 0x7e)
			c = '?';
		else if (family != AGGR_OS)
			c = (unsigned char)tolower(c);
		out[n] = (char)c;
	}
	out[n] = '\0';
	return n;
}

static struct aggr *
aggr_find(struct aggr_table *t, int family, const char *name, uint32_t h)
{
	struct aggr *a;

	for (a = t->buckets[h & t->mask]; a != NULL; a = a->hnext)
		if (a->hash == h && a->family == family &&
		    !strcmp(a->name, name))
			return a;
	return NULL;
}

static void
lru_unlink(struct aggr_table *t, struct aggr *a)
{
	if (a->prev)
		a->prev->next = a->next;
	else
		t->head = a->next;
	if (a->next)
		a->next->prev = a->prev;
	else
		t->tail = a->prev;
	a->prev = a->next = NULL;
}

static void
lru_append(struct aggr_table *t, struct aggr *a)
{
	a->prev = t->tail;
	a->next = NULL;
	if (t->tail)
		t->tail->next = a;
	else
		t->head = a;
	t->tail = a;
}

/* The entry of (family, name), made when missing; NULL when the table is
 * full (counted) or out of memory. */
static struct aggr *
aggr_get(struct iface *ifc, int family, const char *raw, uint64_t now)
{
	struct aggr_table *t = ifc->aggr;
	char name[AGGR_NAME_MAX];
	struct aggr *a;
	uint32_t h;

	if (name_norm(family, raw, name) == 0)
		return NULL;
	h = name_hash(family, name);
	a = aggr_find(t, family, name, h);
	if (a != NULL) {
		a->dirty = 1;
		if (now > a->last_ms)
			a->last_ms = now;
		lru_unlink(t, a);
		lru_append(t, a);
		return a;
	}
	if (t->num >= t->max || (a = calloc(1, sizeof(*a))) == NULL) {
		t->refused++;
		return NULL;
	}
	a->hash = h;
	a->dirty = 1;
	a->family = (uint8_t)family;
	memcpy(a->name, name, sizeof(name));
	a->first_ms = a->last_ms = now;
	a->hnext = t->buckets[h & t->mask];
	t->buckets[h & t->mask] = a;
	lru_append(t, a);
	t->num++;
	t->total++;
	return a;
}

/* -E: whether a client of this locality is kept as a contact. */
static int
contact_wanted(const struct iface *ifc, int is_local)
{
	switch (ifc->prefs->dump_aggregations) {
	case PREFS_MODE_LOCAL:
		return is_local;
	case PREFS_MODE_REMOTE:
		return !is_local;
	default:
		return 1;
	}
}

static void
contact_add(struct iface *ifc, struct aggr *a, const struct ipaddr *ip,
	    uint16_t vlan, int is_local, uint64_t now)
{
	struct aggr_contact *c;

	if (!contact_wanted(ifc, is_local))
		return;
	for (uint32_t i = 0; i < a->n_contacts; i++) {
		c = &a->contacts[i];
		if (c->vlan == vlan && !ipaddr_cmp(&c->ip, ip)) {
			c->count++;
			c->last_ms = now;
			return;
		}
	}
	if (a->n_contacts >= AGGR_MAX_CONTACTS) {
		a->contacts_dropped++;
		return;
	}
	c = &a->contacts[a->n_contacts++];
	c->ip = *ip;
	c->vlan = vlan;
	c->is_local = (uint8_t)(is_local != 0);
	c->count = 1;
	c->last_ms = now;
}

/* A UDP flow on port 53 whose packets this interface sees: its DNS
 * names come from the packets (aggr_dns_packet), not from nDPI's one
 * name per flow. */
static int
flow_dns_by_packets(const struct flow *f)
{
	return !f->collected && f->l4_proto == IPPROTO_UDP &&
	       (f->srv_port == 53 || f->cli_port == 53);
}

/* The family of a named flow, or -1 (not DNS nor HTTP). */
static int
flow_family(const struct flow *f)
{
	if (f->l7_master == NDPI_DNS_ID || f->l7_app == NDPI_DNS_ID)
		return AGGR_DNS;
	if (f->l7_master == NDPI_HTTP_ID || f->l7_app == NDPI_HTTP_ID)
		return AGGR_HTTP;
	return -1;
}

void
aggr_flow_named(struct iface *ifc, struct flow *f)
{
	struct aggr *a;
	int fam;
	uint64_t now;

	IFACE_ASSERT_OWNER(ifc);
	if (ifc->aggr == NULL || f->aggr != 0 || f->info == NULL)
		return;
	fam = flow_family(f);
	if (fam == AGGR_DNS && flow_dns_by_packets(f))
		return; /* aggr_dns_packet() counts its names */
	if (fam < 0) {
		/* a later packet may still make it DNS or HTTP */
		if (f->detection_done || f->collected)
			f->aggr = AGGR_FLOW_NONE;
		return;
	}
	f->aggr = (uint8_t)(AGGR_FLOW_COUNTED + fam);
	now = f->last_ms ? f->last_ms : ifc->clock_ms;
	a = aggr_get(ifc, fam, f->info, now);
	if (a == NULL)
		return;
	a->queries++;
	a->flows++;
	contact_add(ifc, a, &f->cli, f->vlan,
		    f->cli_host ? f->cli_host->is_local : 0, now);
}

void
aggr_flow_bytes(struct iface *ifc, struct flow *f)
{
	struct aggr_table *t = ifc->aggr;
	char name[AGGR_NAME_MAX];
	struct aggr *a;
	int fam;

	IFACE_ASSERT_OWNER(ifc);
	if (t == NULL)
		return;
	if (f->aggr == 0)
		aggr_flow_named(ifc, f); /* its final L7 may name it now */
	if (f->aggr == 0 || f->aggr == AGGR_FLOW_NONE ||
	    f->aggr == AGGR_FLOW_DNS_PKT || (f->aggr & AGGR_FLOW_BYTES) ||
	    f->info == NULL)
		return;
	fam = (f->aggr & ~AGGR_FLOW_BYTES) - AGGR_FLOW_COUNTED;
	f->aggr |= AGGR_FLOW_BYTES;
	if (name_norm(fam, f->info, name) == 0)
		return;
	a = aggr_find(t, fam, name, name_hash(fam, name));
	if (a != NULL) {
		a->bytes += f->c2s_bytes + f->s2c_bytes;
		a->dirty = 1;
	}
}

/* The question name of a DNS message (RFC 1035 4.1.2: labels, no
 * compression in a first question) as dotted text in out; 0 or -1
 * (truncated, malformed, no question). */
static int
dns_qname(const uint8_t *m, size_t len, char out[AGGR_NAME_MAX])
{
	size_t at = 12, o = 0;

	if (len < 12 || (m[4] == 0 && m[5] == 0))
		return -1;
	while (at < len) {
		size_t l = m[at++];

		if (l == 0)
			break;
		if (l > 63 || at + l > len || o + l + 2 > AGGR_NAME_MAX)
			return -1; /* a pointer, or past the message/limit */
		if (o > 0)
			out[o++] = '.';
		memcpy(out + o, m + at, l);
		o += l;
		at += l;
	}
	if (at > len || o == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

void
aggr_dns_packet(struct iface *ifc, struct flow *f, const struct pkt *p)
{
	char raw[AGGR_NAME_MAX], name[AGGR_NAME_MAX];
	const uint8_t *m = p->l4_payload;
	uint64_t now = p->ts_us / 1000;
	int query, cli_asks;
	struct aggr *a;

	IFACE_ASSERT_OWNER(ifc);
	if (m == NULL || p->is_fragment || p->l4_payload_len < 12 ||
	    dns_qname(m, p->l4_payload_len, raw) != 0)
		return;
	query = !(m[2] & 0x80); /* QR bit */
	if (!query) {
		/* a response: its bytes go to the name asked, if counted */
		if (name_norm(AGGR_DNS, raw, name) == 0)
			return;
		a = aggr_find(ifc->aggr, AGGR_DNS, name,
			      name_hash(AGGR_DNS, name));
		if (a != NULL) {
			a->bytes += p->wire_len;
			a->dirty = 1;
		}
		return;
	}
	a = aggr_get(ifc, AGGR_DNS, raw, now);
	if (a == NULL)
		return;
	a->queries++;
	a->bytes += p->wire_len;
	if (f->aggr != AGGR_FLOW_DNS_PKT) {
		f->aggr = AGGR_FLOW_DNS_PKT;
		a->flows++;
	}
	/* the asker is the sender of the query */
	cli_asks = !ipaddr_cmp(&p->src, &f->cli);
	{
		const struct host *h = cli_asks ? f->cli_host : f->srv_host;

		contact_add(ifc, a, &p->src, p->vlan, h ? h->is_local : 0, now);
	}
}

void
aggr_host_os(struct iface *ifc, const struct host *h, const char *os,
	     uint64_t now_ms)
{
	struct aggr *a;

	IFACE_ASSERT_OWNER(ifc);
	if (ifc->aggr == NULL || os == NULL || h == NULL)
		return;
	a = aggr_get(ifc, AGGR_OS, os, now_ms);
	if (a == NULL)
		return;
	a->queries++;
	contact_add(ifc, a, &h->ip, h->vlan, h->is_local, now_ms);
}

static void
aggr_free(struct aggr_table *t, struct aggr *a)
{
	struct aggr **pp = &t->buckets[a->hash & t->mask];

	while (*pp != NULL && *pp != a)
		pp = &(*pp)->hnext;
	if (*pp == a)
		*pp = a->hnext;
	lru_unlink(t, a);
	t->num--;
	free(a);
}

void
aggr_purge(struct iface *ifc, uint64_t now_ms, int pressure_only)
{
	struct aggr_table *t = ifc->aggr;
	struct aggr *a;

	IFACE_ASSERT_OWNER(ifc);
	if (t == NULL)
		return;
	while ((a = t->head) != NULL &&
	       (!pressure_only ||
		(uint64_t)t->num * 10 >= (uint64_t)t->max * 9) &&
	       a->last_ms + AGGR_IDLE_MS < now_ms) {
		/* the timeline walk took its counters after its last
		 * change: it has been idle for minutes */
		aggr_free(t, a);
		t->purged++;
	}
}

void
iface_aggr_walk(struct iface *ifc, iface_aggr_fn fn, void *arg)
{
	struct aggr_snapshot_contact c[AGGR_MAX_CONTACTS];
	struct aggr_snapshot s;

	IFACE_ASSERT_OWNER(ifc);
	if (ifc->aggr == NULL)
		return;
	for (struct aggr *a = ifc->aggr->head; a != NULL; a = a->next) {
		if (!a->dirty)
			continue;
		a->dirty = 0;
		for (uint32_t i = 0; i < a->n_contacts; i++) {
			c[i].ip = a->contacts[i].ip;
			c[i].vlan = a->contacts[i].vlan;
			c[i].is_local = a->contacts[i].is_local;
			c[i].count = a->contacts[i].count;
		}
		s.family = family_names[a->family];
		s.name = a->name;
		s.first_ms = a->first_ms;
		s.last_ms = a->last_ms;
		s.queries = a->queries;
		s.flows = a->flows;
		s.bytes = a->bytes;
		s.contacts = c;
		s.n_contacts = a->n_contacts;
		fn(arg, &s);
	}
}

/* ------------------------------------------------------------------ */
/* the query walks (merge/query.h)                                     */

static json_t *
aggr_row(const struct aggr *a, int with_contacts)
{
	json_t *o = json_pack(
		"{s:s,s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "name", a->name,
		"family", family_names[a->family], "family_id",
		family_ids[a->family], "seen_first",
		(json_int_t)(a->first_ms / 1000), "seen_last",
		(json_int_t)(a->last_ms / 1000), "queries",
		(json_int_t)a->queries, "flows", (json_int_t)a->flows, "bytes",
		(json_int_t)a->bytes, "num_contacts", (json_int_t)a->n_contacts,
		"contacts_dropped", (json_int_t)a->contacts_dropped);

	if (o == NULL || !with_contacts)
		return o;
	json_t *c = json_array();

	for (uint32_t i = 0; c != NULL && i < a->n_contacts; i++) {
		char ip[IPADDR_STRLEN];
		const struct aggr_contact *k = &a->contacts[i];

		ipaddr_fmt(&k->ip, ip, sizeof(ip));
		json_array_append_new(
			c, json_pack("{s:s,s:i,s:b,s:I,s:I}", "ip", ip, "vlan",
				     (int)k->vlan, "local", k->is_local,
				     "count", (json_int_t)k->count, "seen_last",
				     (json_int_t)(k->last_ms / 1000)));
	}
	json_object_set_new(o, "contacts", c ? c : json_array());
	return o;
}

json_t *
query_aggr_list(struct iface *ifc, int family, const char *host)
{
	json_t *rows = json_array();
	struct ipaddr ip;
	int by_host =
		host != NULL && host[0] != '\0' && ipaddr_parse(&ip, host) == 0;

	IFACE_ASSERT_OWNER(ifc);
	if (rows == NULL || ifc->aggr == NULL)
		return rows;
	for (struct aggr *a = ifc->aggr->head; a != NULL; a = a->next) {
		if (family >= 0 && a->family != family)
			continue;
		if (by_host) {
			uint32_t i;

			for (i = 0; i < a->n_contacts; i++)
				if (!ipaddr_cmp(&a->contacts[i].ip, &ip))
					break;
			if (i == a->n_contacts)
				continue;
		}
		json_array_append_new(rows, aggr_row(a, 0));
	}
	return rows;
}

json_t *
query_aggr_one(struct iface *ifc, int family, const char *name)
{
	char norm[AGGR_NAME_MAX];
	const struct aggr *a = NULL;

	IFACE_ASSERT_OWNER(ifc);
	if (ifc->aggr == NULL || name == NULL)
		return NULL;
	for (int f = 0; f < AGGR_N_FAMILIES && a == NULL; f++) {
		if (family >= 0 && f != family)
			continue;
		if (name_norm(f, name, norm) == 0)
			continue;
		a = aggr_find(ifc->aggr, f, norm, name_hash(f, norm));
	}
	return a ? aggr_row(a, 1) : NULL;
}

json_t *
query_aggr_families(struct iface *ifc)
{
	struct aggr_table *t = ifc->aggr;
	json_t *fam = json_object(), *agg = json_object();
	uint64_t n[AGGR_N_FAMILIES] = { 0 };

	IFACE_ASSERT_OWNER(ifc);
	for (struct aggr *a = t ? t->head : NULL; a != NULL; a = a->next)
		n[a->family]++;
	for (int i = 0; fam && agg && i < AGGR_N_FAMILIES; i++) {
		json_object_set_new(fam, family_names[i],
				    json_integer(family_ids[i]));
		json_object_set_new(agg, family_names[i],
				    json_integer((json_int_t)n[i]));
	}
	return json_pack("{s:b,s:o,s:o,s:I,s:I,s:I,s:I,s:I}", "enabled",
			 t != NULL, "families", fam, "counts", agg,
			 "num_aggregations", (json_int_t)(t ? t->num : 0),
			 "max_aggregations", (json_int_t)(t ? t->max : 0),
			 "refused", (json_int_t)(t ? t->refused : 0), "purged",
			 (json_int_t)(t ? t->purged : 0), "total",
			 (json_int_t)(t ? t->total : 0));
}
