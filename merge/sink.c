/*
 * sink.c - the interface's side of its sinks (merge/sink.h): the list of
 * registered ops, the value records built for them, the host restores
 * that come back, and the shutdown flush.
 *
 * Each record is built once on the owner's stack and handed to every sink
 * that takes that kind, in registration order; the interface's want_*
 * flags skip the building when no sink does (an interface without sinks
 * pays one predictable branch per expired flow or new host).
 *
 * Restores: iface_host_restore() (any thread: the host cache's worker)
 * copies the snapshot with its L7 entries into one heap block, links it
 * under mbox_lock and sets restores_pending; the owner applies the list on
 * its next loop turn (iface_restore_apply: one atomic load when nothing
 * came), adding the old counters to the host of that key if it is still
 * in the table ("merged") or dropping them ("late").
 */
#include "merge/sink.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "geo/geo.h"
#include "merge/iface.h"
#include "merge/iface_priv.h"
#include "merge/tables.h"

struct iface_restore {
	struct iface_restore *next;
	struct host_snapshot s;
	struct host_snapshot_l7 l7[]; /* s.n_l7 entries */
};

/* a restore carrying more L7 entries than this is cut (a host has at
 * most a few hundred protocols) */
#define SINK_RESTORE_MAX_L7 4096

static uint64_t restores_merged, restores_late;

int
iface_add_sink(struct iface *ifc, const struct iface_sink_ops *ops, void *ctx)
{
	if (ifc->n_sinks >= IFACE_MAX_SINKS) {
		log_err("%s: sink %s: more than %d sinks", ifc->name,
			ops->name ? ops->name : "?", IFACE_MAX_SINKS);
		return -1;
	}
	ifc->sinks[ifc->n_sinks].ops = ops;
	ifc->sinks[ifc->n_sinks].ctx = ctx;
	ifc->n_sinks++;
	ifc->want_expired |= ops->flow_expired != NULL;
	ifc->want_exported |= ops->flow_exported != NULL;
	ifc->want_host_new |= ops->host_new != NULL;
	ifc->want_host_purged |= ops->host_purged != NULL;
	return 0;
}

/* ---- records ---- */

static void
copy_str(char *dst, size_t len, const char *src)
{
	size_t n = src ? strnlen(src, len - 1) : 0;

	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The AS and country of a flow's endpoint host h (may be NULL). */
static void
sink_flow_geo(const struct host *h, uint32_t *asn, char cc[4])
{
	if (h == NULL || h->geo == NULL)
		return;
	*asn = h->geo->asn;
	memcpy(cc, h->geo->country, 4);
	cc[3] = '\0';
}

void
sink_flow_expired(struct iface *ifc, const struct flow *f, int final)
{
	struct flow_rec r;
	int i;

	memset(&r, 0, sizeof(r));
	r.vlan = f->vlan;
	r.ip_version = f->ip_version;
	r.l4_proto = f->l4_proto;
	r.cli = f->cli;
	r.srv = f->srv;
	r.cli_port = f->cli_port;
	r.srv_port = f->srv_port;
	r.c2s_bytes = f->c2s_bytes;
	r.s2c_bytes = f->s2c_bytes;
	r.c2s_pkts = f->c2s_pkts;
	r.s2c_pkts = f->s2c_pkts;
	r.first_ms = f->first_ms;
	r.last_ms = f->last_ms;
	r.l7_master = f->l7_master;
	r.l7_app = f->l7_app;
	r.c2s_tcp_flags = f->c2s_tcp_flags;
	r.s2c_tcp_flags = f->s2c_tcp_flags;
	r.tos = f->tos;
	r.collected = f->collected;
	r.cli_host = f->cli_host != NULL;
	r.cli_local = f->cli_host != NULL && f->cli_host->is_local;
	r.srv_host = f->srv_host != NULL;
	r.srv_local = f->srv_host != NULL && f->srv_host->is_local;
	r.final = (uint8_t) final;
	sink_flow_geo(f->cli_host, &r.cli_asn, r.cli_country);
	sink_flow_geo(f->srv_host, &r.srv_asn, r.srv_country);
	iface_flow_l7_name(ifc, f, r.l7_name, sizeof(r.l7_name));
	copy_str(r.info, sizeof(r.info), f->info);
	if (f->cli_host != NULL)
		copy_str(r.cli_name, sizeof(r.cli_name), f->cli_host->name);
	if (f->srv_host != NULL)
		copy_str(r.srv_name, sizeof(r.srv_name), f->srv_host->name);
	if (f->origin != 0 && f->origin < ifc->n_origins)
		copy_str(r.site_path, sizeof(r.site_path),
			 ifc->origins[f->origin].path);
	for (i = 0; i < ifc->n_sinks; i++)
		if (ifc->sinks[i].ops->flow_expired != NULL)
			ifc->sinks[i].ops->flow_expired(ifc->sinks[i].ctx, &r);
}

int
sink_flow_exported(struct iface *ifc, const struct flow_update *u)
{
	int i, rc = 0;

	for (i = 0; i < ifc->n_sinks; i++)
		if (ifc->sinks[i].ops->flow_exported != NULL &&
		    ifc->sinks[i].ops->flow_exported(ifc->sinks[i].ctx, u) != 0)
			rc = -1;
	return rc;
}

static void
snap_counters(struct host_snapshot_counters *d, const struct counters *c)
{
	d->bytes_sent = c->bytes_sent;
	d->bytes_rcvd = c->bytes_rcvd;
	d->pkts_sent = c->pkts_sent;
	d->pkts_rcvd = c->pkts_rcvd;
}

void
sink_host_new(struct iface *ifc, const struct host *h)
{
	struct host_snapshot s;
	int i;

	memset(&s, 0, sizeof(s));
	s.ip = h->ip;
	s.vlan = h->vlan;
	s.is_local = h->is_local;
	s.first_ms = h->first_ms;
	s.last_ms = h->last_ms;
	for (i = 0; i < ifc->n_sinks; i++)
		if (ifc->sinks[i].ops->host_new != NULL)
			ifc->sinks[i].ops->host_new(ifc->sinks[i].ctx, &s);
}

void
sink_host_purged(struct iface *ifc, const struct host *h, int final)
{
	struct host_snapshot s;
	struct host_snapshot_l7 small[16], *l7 = small;
	uint16_t j;
	int i;

	memset(&s, 0, sizeof(s));
	s.ip = h->ip;
	s.vlan = h->vlan;
	s.is_local = h->is_local;
	s.final = (uint8_t) final;
	s.first_ms = h->first_ms;
	s.last_ms = h->last_ms;
	snap_counters(&s.c, &h->c);
	snap_counters(&s.tcp, &h->tcp);
	snap_counters(&s.udp, &h->udp);
	snap_counters(&s.icmp, &h->icmp);
	{
		struct counters other = host_other(h);

		snap_counters(&s.other, &other);
	}
	s.unknown_bytes = host_unknown_bytes(h);
	s.flows_as_client = h->total_flows_cli;
	s.flows_as_server = h->total_flows_srv;
	copy_str(s.name, sizeof(s.name), h->name);
	/* the L7 entries by value too: on the stack for the common host,
	 * else one block for the call (purges are not per packet) */
	if (h->n_l7 > sizeof(small) / sizeof(small[0])) {
		l7 = calloc(h->n_l7, sizeof(*l7));
		if (l7 == NULL) {
			l7 = small;
			log_warn(
				"%s: out of memory: host L7 counters not saved",
				ifc->name);
		}
	}
	s.l7 = l7;
	s.n_l7 = l7 == small && h->n_l7 > sizeof(small) / sizeof(small[0])
			 ? 0
			 : h->n_l7;
	for (j = 0; j < s.n_l7; j++) {
		const struct host_l7 *e = &h->l7[j];

		l7[j].proto = e->proto;
		l7[j].num_flows = e->num_flows;
		l7[j].bytes_sent = e->bytes_sent;
		l7[j].bytes_rcvd = e->bytes_rcvd;
		l7[j].pkts_sent = u48_get(&e->pkts_sent);
		l7[j].pkts_rcvd = u48_get(&e->pkts_rcvd);
		l7[j].first_ms = u48_get(&e->first_ms);
		l7[j].last_ms = u48_get(&e->last_ms);
	}
	for (i = 0; i < ifc->n_sinks; i++)
		if (ifc->sinks[i].ops->host_purged != NULL)
			ifc->sinks[i].ops->host_purged(ifc->sinks[i].ctx, &s);
	if (l7 != small)
		free(l7);
}

void
sink_tick(struct iface *ifc, uint64_t wall_ms)
{
	int i;

	for (i = 0; i < ifc->n_sinks; i++)
		if (ifc->sinks[i].ops->tick != NULL)
			ifc->sinks[i].ops->tick(ifc->sinks[i].ctx, ifc,
						wall_ms);
}

static uint64_t
grown(uint64_t cur, uint64_t prev)
{
	return cur >= prev ? cur - prev : cur;
}

void
iface_get_totals(const struct iface *ifc, struct iface_totals *t)
{
	t->bytes = ifc->stats.bytes;
	t->packets = ifc->stats.packets;
	t->drops = ifc->stats.drops;
	t->num_flows = ifc->num_flows;
	t->num_hosts = ifc->num_hosts;
}

void
iface_l7_walk(struct iface *ifc, iface_l7_fn fn, void *arg)
{
	uint32_t i;

	for (i = 0; ifc->l7 != NULL && i < ifc->n_l7 && i <= 0xffff; i++) {
		const struct iface_l7 *l = &ifc->l7[i];

		if (l->bytes != 0)
			fn(arg, (uint16_t)i, iface_l7_name(ifc, (uint16_t)i),
			   l->bytes_sent, l->bytes_rcvd);
	}
}

void
iface_local_host_deltas(struct iface *ifc, iface_host_delta_fn fn, void *arg)
{
	struct host *h;

	for (h = ifc->host_head; h != NULL; h = h->next) {
		if (!h->is_local)
			continue;
		const struct host_ext *x = host_ext_ro(h);

		if (fn(arg, &h->ip, h->vlan, grown(h->c.bytes_sent, x->ts_sent),
		       grown(h->c.bytes_rcvd, x->ts_rcvd)) == 0 &&
		    tables_host_ext(ifc, h) != NULL) {
			h->x->ts_sent = h->c.bytes_sent;
			h->x->ts_rcvd = h->c.bytes_rcvd;
		}
	}
}

void
iface_local_host_l7_walk(struct iface *ifc, iface_host_l7_fn fn, void *arg)
{
	struct host *h;
	uint16_t i;

	for (h = ifc->host_head; h != NULL; h = h->next) {
		if (!h->is_local)
			continue;
		for (i = 0; i < h->n_l7; i++) {
			const struct host_l7 *l = &h->l7[i];

			if (l->bytes_sent + l->bytes_rcvd == 0)
				continue;
			fn(arg, &h->ip, h->vlan, l->proto,
			   iface_l7_name(ifc, l->proto), l->bytes_sent,
			   l->bytes_rcvd);
		}
	}
}

/* ---- restores ---- */

int
iface_host_restore(struct iface *ifc, const struct host_snapshot *s)
{
	uint32_t n =
		s->n_l7 < SINK_RESTORE_MAX_L7 ? s->n_l7 : SINK_RESTORE_MAX_L7;
	struct iface_restore *r;

	if (s->l7 == NULL)
		n = 0;
	r = malloc(sizeof(*r) + (size_t)n * sizeof(r->l7[0]));
	if (r == NULL)
		return -1;
	r->s = *s;
	r->s.name[sizeof(r->s.name) - 1] = '\0';
	if (n)
		memcpy(r->l7, s->l7, (size_t)n * sizeof(r->l7[0]));
	r->s.l7 = r->l7;
	r->s.n_l7 = n;
	pthread_mutex_lock(&ifc->mbox_lock);
	r->next = ifc->restores;
	ifc->restores = r;
	__atomic_store_n(&ifc->restores_pending, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ifc->mbox_lock);
	return 0;
}

static void
add_counters(struct counters *c, const struct host_snapshot_counters *s)
{
	c->bytes_sent += s->bytes_sent;
	c->bytes_rcvd += s->bytes_rcvd;
	c->pkts_sent += s->pkts_sent;
	c->pkts_rcvd += s->pkts_rcvd;
}

/* Adds s's counters to h (the old traffic of a returning host). */
static void
restore_one(struct iface *ifc, struct host *h, const struct host_snapshot *s)
{
	uint64_t s0 = h->c.bytes_sent, r0 = h->c.bytes_rcvd;
	uint32_t i;

	add_counters(&h->c, &s->c);
	add_counters(&h->tcp, &s->tcp);
	add_counters(&h->udp, &s->udp);
	add_counters(&h->icmp, &s->icmp);
	/* s->other: in s->c, so in h->c (host_other()); s->unknown_bytes:
	 * in its Unknown L7 entry, so in h's (host_unknown_bytes()) */
	h->total_flows_cli += s->flows_as_client;
	h->total_flows_srv += s->flows_as_server;
	if (s->first_ms && s->first_ms < h->first_ms)
		h->first_ms = s->first_ms;
	if (s->last_ms > h->last_ms)
		h->last_ms = s->last_ms;
	for (i = 0; i < s->n_l7; i++) {
		const struct host_snapshot_l7 *e = &s->l7[i];
		struct host_l7 *l;

		if (e->proto >= ifc->n_l7)
			continue;
		l = tables_host_l7_get(h, e->proto, 0);
		if (l == NULL)
			break;
		l->num_flows += e->num_flows;
		l->bytes_sent += e->bytes_sent;
		l->bytes_rcvd += e->bytes_rcvd;
		u48_add(&l->pkts_sent, e->pkts_sent);
		u48_add(&l->pkts_rcvd, e->pkts_rcvd);
		if (e->first_ms && (u48_get(&l->first_ms) == 0 ||
				    e->first_ms < u48_get(&l->first_ms)))
			u48_set(&l->first_ms, e->first_ms);
		if (e->last_ms > u48_get(&l->last_ms))
			u48_set(&l->last_ms, e->last_ms);
	}
	if (h->name == NULL && s->name[0] != '\0')
		h->name = strdup(s->name);
	/* old traffic, already in the host's time series */
	if ((h->c.bytes_sent != s0 || h->c.bytes_rcvd != r0) &&
	    tables_host_ext(ifc, h) != NULL) {
		h->x->ts_sent += h->c.bytes_sent - s0;
		h->x->ts_rcvd += h->c.bytes_rcvd - r0;
	}
}

void
iface_restore_apply(struct iface *ifc)
{
	struct iface_restore *r;

	if (!__atomic_load_n(&ifc->restores_pending, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&ifc->mbox_lock);
	r = ifc->restores;
	ifc->restores = NULL;
	__atomic_store_n(&ifc->restores_pending, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ifc->mbox_lock);
	while (r != NULL) {
		struct iface_restore *next = r->next;
		struct host *h = iface_host_find(ifc, &r->s.ip, r->s.vlan);

		if (h != NULL) {
			restore_one(ifc, h, &r->s);
			__atomic_add_fetch(&restores_merged, 1,
					   __ATOMIC_RELAXED);
		} else
			__atomic_add_fetch(&restores_late, 1, __ATOMIC_RELAXED);
		free(r);
		r = next;
	}
}

void
iface_restore_stats(uint64_t *merged, uint64_t *late)
{
	*merged = __atomic_load_n(&restores_merged, __ATOMIC_RELAXED);
	*late = __atomic_load_n(&restores_late, __ATOMIC_RELAXED);
}

void
sink_restores_free(struct iface *ifc)
{
	while (ifc->restores != NULL) {
		struct iface_restore *r = ifc->restores;

		ifc->restores = r->next;
		free(r);
	}
}

/* ---- shutdown ---- */

void
iface_flush(struct iface *ifc)
{
	struct flow *f;
	struct host *h;
	int i, flush = 0;

	for (i = 0; i < ifc->n_sinks; i++)
		flush |= ifc->sinks[i].ops->flush != NULL;
	/* nothing to hand over (e.g. only -I, which sends its last deltas
	 * when the owner stops): the tables stay as they are */
	if (!flush && !ifc->want_expired && !ifc->want_host_purged)
		return;
	for (i = 0; i < ifc->n_sinks; i++)
		if (ifc->sinks[i].ops->flush != NULL)
			ifc->sinks[i].ops->flush(ifc->sinks[i].ctx, ifc,
						 SINK_FLUSH_BEGIN);
	/* restores still in flight are merged before hosts are handed over */
	iface_restore_apply(ifc);
	tables_giveup_all(ifc);
	if (ifc->want_expired)
		for (f = ifc->flow_head; f != NULL; f = f->next)
			sink_flow_expired(ifc, f, 1);
	if (ifc->want_host_purged)
		for (h = ifc->host_head; h != NULL; h = h->next)
			sink_host_purged(ifc, h, 1);
	for (i = 0; i < ifc->n_sinks; i++)
		if (ifc->sinks[i].ops->flush != NULL)
			ifc->sinks[i].ops->flush(ifc->sinks[i].ctx, ifc,
						 SINK_FLUSH_END);
}
