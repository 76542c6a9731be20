/*
 * geo_tables.c - the AS and country tables of an interface, and the
 * GeoIP data of its hosts.
 *
 * A host is looked up in the GeoIP databases (geo/geo.h) once, when
 * host_get() creates it: that is one lookup per new host, never per
 * packet (docs/geo.md has the measured cost).  The answer is kept on the
 * host (h->geo, heap, only when something was found) and the host joins
 * one entry of the AS table (AS 0 "Unknown" when not in an AS) and one of
 * the country table (code "" when not located).
 *
 * The tables' traffic is the traffic of their hosts, recounted by the
 * owner thread: what the hosts already freed had (gone_*, added when a
 * host is freed) plus the counters of every host in memory, summed again
 * by the once-a-second throughput walk that visits every host anyway and
 * before a query reads the tables.  So a host keeps no per-table state
 * but its two indexes, the packet path is untouched, and the tables keep
 * the bytes of purged hosts, like the VLAN table.
 *
 * Owner thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "geo/geo.h"
#include "merge/iface.h"
#include "merge/iface_priv.h"
#include "merge/tables.h"

/* The country index: 26 * 26 letter pairs, and one slot for "". */
#define CC_UNKNOWN (26 * 26)

static uint32_t
cc_slot(const char *code)
{
	if (code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' &&
	    code[1] <= 'Z' && code[2] == '\0')
		return (uint32_t)(code[0] - 'A') * 26 +
		       (uint32_t)(code[1] - 'A');
	return CC_UNKNOWN;
}

/* A new zeroed entry at the end of *arr; NULL out of memory. */
static struct iface_geo *
entry_add(struct iface_geo **arr, uint32_t *n, uint32_t *cap, uint64_t now)
{
	struct iface_geo *e;

	if (*n == *cap) {
		uint32_t c = *cap ? *cap * 2 : 16;

		e = realloc(*arr, c * sizeof(*e));
		if (e == NULL)
			return NULL;
		*arr = e;
		*cap = c;
	}
	e = &(*arr)[(*n)++];
	memset(e, 0, sizeof(*e));
	e->first_ms = e->last_ms = now;
	return e;
}

/* Rebuilds the AS index at twice its size (load stays under 1/2). */
static int
asn_index_grow(struct iface *ifc)
{
	uint32_t n = ifc->asn_index ? (ifc->asn_index_mask + 1) * 2 : 64;
	uint32_t *x = calloc(n, sizeof(*x));

	if (x == NULL)
		return -1;
	for (uint32_t i = 0; i < ifc->n_asns; i++) {
		uint32_t s = hash_mix32(ifc->asns[i].asn) & (n - 1);

		while (x[s] != 0)
			s = (s + 1) & (n - 1);
		x[s] = i + 1;
	}
	free(ifc->asn_index);
	ifc->asn_index = x;
	ifc->asn_index_mask = n - 1;
	return 0;
}

/* 1 + index of the AS entry of asn, added when new; 0 out of memory. */
static uint32_t
asn_get(struct iface *ifc, uint32_t asn, const char *name, uint64_t now)
{
	struct iface_geo *e;
	uint32_t s;

	if ((ifc->asn_index == NULL ||
	     (ifc->n_asns + 1) * 2 > ifc->asn_index_mask + 1) &&
	    asn_index_grow(ifc) < 0)
		return 0;
	s = hash_mix32(asn) & ifc->asn_index_mask;
	while (ifc->asn_index[s] != 0) {
		if (ifc->asns[ifc->asn_index[s] - 1].asn == asn)
			return ifc->asn_index[s];
		s = (s + 1) & ifc->asn_index_mask;
	}
	e = entry_add(&ifc->asns, &ifc->n_asns, &ifc->cap_asns, now);
	if (e == NULL)
		return 0;
	e->asn = asn;
	snprintf(e->name, sizeof(e->name), "%s", asn == 0 ? "Unknown" : name);
	ifc->asn_index[s] = ifc->n_asns;
	return ifc->n_asns;
}

static uint32_t
cc_get(struct iface *ifc, const char *code, uint64_t now)
{
	uint32_t slot = cc_slot(code);
	struct iface_geo *e;

	if (ifc->cc_index == NULL) {
		ifc->cc_index = calloc(CC_UNKNOWN + 1, sizeof(*ifc->cc_index));
		if (ifc->cc_index == NULL)
			return 0;
	}
	if (ifc->cc_index[slot] != 0)
		return ifc->cc_index[slot];
	e = entry_add(&ifc->countries, &ifc->n_countries, &ifc->cap_countries,
		      now);
	if (e == NULL)
		return 0;
	if (slot != CC_UNKNOWN)
		snprintf(e->code, sizeof(e->code), "%s", code);
	ifc->cc_index[slot] = (uint16_t)ifc->n_countries;
	return ifc->n_countries;
}

void
tables_geo_host_new(struct iface *ifc, struct host *h, uint64_t now)
{
	struct geo_info g;
	struct iface_geo *e;
	uint32_t as_idx, cc_idx;

	if (geo_lookup(&h->ip, &g) == 0) {
		h->geo = malloc(sizeof(*h->geo));
		if (h->geo != NULL)
			*h->geo = g;
	}
	as_idx = asn_get(ifc, h->geo ? h->geo->asn : 0,
			 h->geo ? h->geo->asname : "", now);
	cc_idx = cc_get(ifc, h->geo ? h->geo->country : "", now);
	if (h->geo == NULL && (as_idx == 0 || cc_idx == 0))
		/* out of memory for an "unknown" entry: a zeroed record
		 * (read as not located) keeps the host's own indexes */
		h->geo = calloc(1, sizeof(*h->geo));
	if (h->geo != NULL) {
		h->geo->as_idx = as_idx;
		h->geo->cc_idx = (uint16_t)cc_idx; /* <= 26 * 26 + 1 */
	} else {
		/* the same entries for every host not located */
		ifc->as0_idx = as_idx;
		ifc->cc0_idx = cc_idx;
	}
	if (as_idx != 0) {
		e = &ifc->asns[as_idx - 1];
		e->num_hosts++;
		if (now < e->first_ms)
			e->first_ms = now;
	}
	if (cc_idx != 0) {
		e = &ifc->countries[cc_idx - 1];
		e->num_hosts++;
		if (now < e->first_ms)
			e->first_ms = now;
	}
}

/* The (at most two) entries of h, NULL where it has none. */
static void
host_entries(struct iface *ifc, const struct host *h, struct iface_geo *e[2])
{
	uint32_t as_idx = h->geo ? h->geo->as_idx : ifc->as0_idx;
	uint32_t cc_idx = h->geo ? h->geo->cc_idx : ifc->cc0_idx;

	e[0] = as_idx != 0 ? &ifc->asns[as_idx - 1] : NULL;
	e[1] = cc_idx != 0 ? &ifc->countries[cc_idx - 1] : NULL;
}

void
tables_geo_recount_begin(struct iface *ifc)
{
	struct iface_geo *arr[2] = { ifc->asns, ifc->countries };
	uint32_t n[2] = { ifc->n_asns, ifc->n_countries };

	for (int t = 0; t < 2; t++)
		for (uint32_t i = 0; i < n[t]; i++) {
			struct iface_geo *e = &arr[t][i];

			e->bytes_sent = e->gone_sent;
			e->bytes_rcvd = e->gone_rcvd;
			e->pkts_sent = e->gone_psent;
			e->pkts_rcvd = e->gone_prcvd;
		}
}

void
tables_geo_sync(struct iface *ifc, struct host *h)
{
	const struct counters *c = &h->c;
	struct iface_geo *e[2];

	if ((c->bytes_sent | c->bytes_rcvd | c->pkts_sent | c->pkts_rcvd) == 0)
		return;
	host_entries(ifc, h, e);
	for (int i = 0; i < 2; i++) {
		if (e[i] == NULL)
			continue;
		e[i]->bytes_sent += c->bytes_sent;
		e[i]->bytes_rcvd += c->bytes_rcvd;
		e[i]->pkts_sent += c->pkts_sent;
		e[i]->pkts_rcvd += c->pkts_rcvd;
		if (h->last_ms > e[i]->last_ms)
			e[i]->last_ms = h->last_ms;
	}
}

void
tables_geo_sync_all(struct iface *ifc)
{
	IFACE_ASSERT_OWNER(ifc);
	tables_geo_recount_begin(ifc);
	for (struct host *h = ifc->host_head; h != NULL; h = h->next)
		tables_geo_sync(ifc, h);
}

void
tables_geo_host_free(struct iface *ifc, struct host *h)
{
	const struct counters *c = &h->c;
	struct iface_geo *e[2];

	host_entries(ifc, h, e);
	for (int i = 0; i < 2; i++) {
		if (e[i] == NULL)
			continue;
		/* its traffic stays in the entry's totals */
		e[i]->gone_sent += c->bytes_sent;
		e[i]->gone_rcvd += c->bytes_rcvd;
		e[i]->gone_psent += c->pkts_sent;
		e[i]->gone_prcvd += c->pkts_rcvd;
		if ((c->bytes_sent | c->bytes_rcvd | c->pkts_sent |
		     c->pkts_rcvd) != 0 &&
		    h->last_ms > e[i]->last_ms)
			e[i]->last_ms = h->last_ms;
		if (e[i]->num_hosts > 0)
			e[i]->num_hosts--;
	}
	free(h->geo);
	h->geo = NULL;
}

/* Byte rate of one entry since the last call, as tables.c's rate(). */
static void
entry_thpt(struct iface_geo *e, uint64_t elapsed_ms)
{
	uint64_t b = e->bytes_sent + e->bytes_rcvd;

	if (elapsed_ms > 0)
		e->thpt_bps = (double)(b - e->thpt_last_bytes) * 1000.0 /
			      (double)elapsed_ms;
	e->thpt_last_bytes = b;
}

void
tables_geo_thpt(struct iface *ifc, uint64_t elapsed_ms)
{
	for (uint32_t i = 0; i < ifc->n_asns; i++)
		entry_thpt(&ifc->asns[i], elapsed_ms);
	for (uint32_t i = 0; i < ifc->n_countries; i++)
		entry_thpt(&ifc->countries[i], elapsed_ms);
}

void
tables_geo_fini(struct iface *ifc)
{
	free(ifc->asns);
	free(ifc->countries);
	free(ifc->asn_index);
	free(ifc->cc_index);
	ifc->asns = ifc->countries = NULL;
	ifc->asn_index = NULL;
	ifc->cc_index = NULL;
	ifc->n_asns = ifc->cap_asns = ifc->n_countries = ifc->cap_countries = 0;
	ifc->asn_index_mask = 0;
	ifc->as0_idx = ifc->cc0_idx = 0;
}
