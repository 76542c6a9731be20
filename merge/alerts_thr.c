/*
 * alerts_thr.c - threshold rules of an interface and their checks
 * (merge/alerts_thr.h), plus the query builders REST and Lua use to
 * manage rules and read the engaged alerts.
 *
 * Each rule keeps, next to its configuration, the metric's counter at
 * the previous check and the wall-clock bucket (wall_s / granularity) it
 * was taken in.  The housekeeping tick (about once a second) compares
 * the current bucket with the rule's; when it moved, the counter's growth
 * since is the value over the granularity.  Counters are the ones the
 * tables keep anyway: interface totals, a host's counters (looked up by
 * key, a hash probe per rule and check), a local network's hosts (a walk
 * of the host list, once per granularity), a source's records and bytes,
 * an origin node's (site's) bytes and packets.  A counter that went back
 * (a host purged and seen again) counts from zero.
 *
 * Nothing here runs per packet: at most one check per rule per
 * granularity, on the owner thread.
 */
#include "merge/alerts_thr.h"
#include "merge/iface_priv.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/prefs.h"
#include "common/timeutil.h"
#include "merge/query.h"
#include "merge/source.h"

/* A host-scope rule (entity host, entity_val "local" or "remote": every
 * local / remote host, upstream's "Local Hosts" / "Remote Hosts" checks)
 * keeps each host's counter at the last sample in an open-addressing map
 * keyed by the host's serial number, rebuilt at every boundary (hosts
 * gone since are dropped, their engaged alerts released). */
struct thr_hbase {
	uint32_t id1;	 /* host id + 1; 0: empty slot */
	uint8_t engaged; /* this rule engaged the host's alert */
	uint64_t prev;	 /* the host's counter at the last sample */
	char *val;	 /* heap: the host's entity_val while engaged */
};

struct thr_hmap {
	struct thr_hbase *v;
	uint32_t cap, n; /* cap: a power of 2 (or 0) */
};

struct thr_rule {
	struct alert_thr r;
	uint64_t bucket;  /* wall_s / granularity at the last sample */
	uint64_t prev;	  /* counter at the last sample */
	uint64_t prev_ms; /* wall clock of the last sample */
	int8_t scope;	  /* host-scope rule: 1 local, 0 remote; -1: none */
	struct thr_hmap hm;
};

struct alert_thr_set {
	struct thr_rule *v;
	uint32_t n, cap;
};

static const char *const metric_names[THR_METRIC_MAX] = {
	"bytes", "packets", "flows", "throughput", "drops", "icmp", "score",
};
static const char *const gran_names[THR_GRAN_MAX] = {
	"min",
	"5mins",
	"hour",
	"day",
};
static const unsigned gran_secs[THR_GRAN_MAX] = { 60, 300, 3600, 86400 };
static const char *const op_names[THR_OP_MAX] = { "gt", "lt" };

const char *
alert_thr_metric_name(unsigned m)
{
	return m < THR_METRIC_MAX ? metric_names[m] : NULL;
}

const char *
alert_thr_gran_name(unsigned g)
{
	return g < THR_GRAN_MAX ? gran_names[g] : NULL;
}

const char *
alert_thr_op_name(unsigned o)
{
	return o < THR_OP_MAX ? op_names[o] : NULL;
}

unsigned
alert_thr_gran_secs(unsigned g)
{
	return g < THR_GRAN_MAX ? gran_secs[g] : 0;
}

static int
name_index(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; s != NULL && i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

int
alert_thr_holds(const struct alert_thr *r, double value)
{
	return r->op == THR_GT ? value > r->threshold : value < r->threshold;
}

int
alert_thr_from_json(const json_t *o, struct alert_thr *r, char *why,
		    size_t why_len)
{
	const json_t *v;
	const char *s;
	int i;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(o)) {
		snprintf(why, why_len, "not a JSON object");
		return -1;
	}
	v = json_object_get(o, "ifid");
	if (json_is_integer(v))
		r->ifid = (int)json_integer_value(v);
	else if (json_is_string(v) && json_string_value(v)[0] >= '0' &&
		 json_string_value(v)[0] <= '9')
		r->ifid = (int)strtol(json_string_value(v), NULL, 10);
	else {
		snprintf(why, why_len, "ifid: missing or not a number");
		return -1;
	}
	if (r->ifid < 0 || r->ifid > 1000000) {
		snprintf(why, why_len, "ifid: out of range");
		return -1;
	}
	i = alert_entity_parse(json_string_value(json_object_get(o, "entity")));
	if (i < 0 || i == ALERT_ENT_FLOW) {
		snprintf(why, why_len,
			 "entity: one of interface, host, network, source, "
			 "site");
		return -1;
	}
	r->entity = (uint8_t)i;
	s = json_string_value(json_object_get(o, "entity_val"));
	if (s == NULL && r->entity == ALERT_ENT_INTERFACE)
		s = "";
	if (s == NULL || strlen(s) >= sizeof(r->entity_val) ||
	    (s[0] == '\0' && r->entity != ALERT_ENT_INTERFACE)) {
		snprintf(why, why_len, "entity_val: missing or too long");
		return -1;
	}
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(why, why_len, "entity_val: control character");
			return -1;
		}
	memcpy(r->entity_val, s, strlen(s) + 1);
	i = name_index(metric_names, THR_METRIC_MAX,
		       json_string_value(json_object_get(o, "metric")));
	if (i < 0) {
		snprintf(why, why_len,
			 "metric: one of bytes, packets, flows, throughput, "
			 "drops, icmp, score");
		return -1;
	}
	if (i == THR_DROPS && r->entity != ALERT_ENT_INTERFACE &&
	    r->entity != ALERT_ENT_SOURCE) {
		snprintf(why, why_len,
			 "metric: drops exist for an interface or a source");
		return -1;
	}
	if ((i == THR_ICMP || i == THR_SCORE) && r->entity != ALERT_ENT_HOST &&
	    r->entity != ALERT_ENT_NETWORK) {
		snprintf(why, why_len,
			 "metric: %s exists for a host or a network",
			 metric_names[i]);
		return -1;
	}
	r->metric = (uint8_t)i;
	i = name_index(gran_names, THR_GRAN_MAX,
		       json_string_value(json_object_get(o, "granularity")));
	if (i < 0) {
		snprintf(why, why_len,
			 "granularity: one of min, 5mins, hour, day");
		return -1;
	}
	r->gran = (uint8_t)i;
	i = name_index(op_names, THR_OP_MAX,
		       json_string_value(json_object_get(o, "operator")));
	if (i < 0) {
		snprintf(why, why_len, "operator: gt or lt");
		return -1;
	}
	r->op = (uint8_t)i;
	v = json_object_get(o, "threshold");
	if (json_is_number(v))
		r->threshold = json_number_value(v);
	else if (json_is_string(v)) {
		char *end;

		r->threshold = strtod(json_string_value(v), &end);
		if (end == json_string_value(v) || *end != '\0') {
			snprintf(why, why_len, "threshold: not a number");
			return -1;
		}
	} else {
		snprintf(why, why_len, "threshold: missing or not a number");
		return -1;
	}
	if (!isfinite(r->threshold) || r->threshold < 0) {
		snprintf(why, why_len, "threshold: a finite number >= 0");
		return -1;
	}
	v = json_object_get(o, "id");
	if (json_is_integer(v) && json_integer_value(v) > 0 &&
	    json_integer_value(v) <= UINT32_MAX)
		r->id = (uint32_t)json_integer_value(v);
	return 0;
}

json_t *
alert_thr_to_json(const struct alert_thr *r)
{
	return json_pack("{s:I,s:i,s:s,s:s,s:s,s:s,s:s,s:f}", "id",
			 (json_int_t)r->id, "ifid", r->ifid, "entity",
			 alert_entity_name(r->entity), "entity_val",
			 r->entity_val, "metric", metric_names[r->metric],
			 "granularity", gran_names[r->gran], "operator",
			 op_names[r->op], "threshold", r->threshold);
}

/* ---- counters ---- */

/* A host's counter of metric m (not throughput: its bytes). */
static uint64_t
host_metric(const struct host *h, unsigned m)
{
	return m == THR_BYTES	  ? h->c.bytes_sent + h->c.bytes_rcvd
	       : m == THR_PACKETS ? h->c.pkts_sent + h->c.pkts_rcvd
	       : m == THR_ICMP	  ? h->icmp.pkts_sent + h->icmp.pkts_rcvd
	       : m == THR_SCORE
		       ? host_ext_ro(h)->score_cli + host_ext_ro(h)->score_srv
		       : h->total_flows_cli + h->total_flows_srv;
}

/* The counter of metric m for the rule's entity; 0 when the entity is
 * not there (now). */
static uint64_t
thr_counter(struct iface *ifc, const struct alert_thr *r)
{
	unsigned m = r->metric == THR_THROUGHPUT ? THR_BYTES : r->metric;
	uint64_t v = 0;
	int i;

	switch (r->entity) {
	case ALERT_ENT_INTERFACE:
		return m == THR_BYTES	  ? ifc->stats.bytes
		       : m == THR_PACKETS ? ifc->stats.packets
		       : m == THR_FLOWS	  ? ifc->stats.total_flows
					  : ifc->stats.drops;
	case ALERT_ENT_HOST: {
		struct host *h = query_host_lookup(ifc, r->entity_val, 0);

		return h == NULL ? 0 : host_metric(h, m);
	}
	case ALERT_ENT_NETWORK: {
		const struct netlist *nl = ifc->local_nets;
		int idx = -1;

		for (i = 0; i < (int)nl->n; i++)
			if (!strcmp(nl->v[i].name, r->entity_val))
				idx = i;
		if (idx < 0)
			return 0;
		for (struct host *h = ifc->host_head; h; h = h->next) {
			if (!h->is_local || h->local_net != idx)
				continue;
			/* flows as client only: a flow once */
			v += m == THR_FLOWS ? h->total_flows_cli
					    : host_metric(h, m);
		}
		return v;
	}
	case ALERT_ENT_SOURCE:
		for (i = 0; i < ifc->n_sources; i++) {
			const struct source *s = ifc->sources[i];
			char idx[16];

			snprintf(idx, sizeof(idx), "%d", i);
			if (strcmp(r->entity_val, idx) != 0 &&
			    (s->spec == NULL || strcmp(r->entity_val, s->spec)))
				continue;
			/* a source counts records: packets of a capture,
			 * flows of a collector */
			return m == THR_BYTES	? s->bytes
			       : m == THR_DROPS ? s->errors
						: s->records;
		}
		return 0;
	case ALERT_ENT_SITE:
		for (i = 0; i < ifc->n_origins; i++) {
			const struct iface_origin *o = &ifc->origins[i];

			if (strcmp(r->entity_val, o->id) != 0 &&
			    strcmp(r->entity_val, o->path) != 0)
				continue;
			return m == THR_BYTES	  ? o->bytes
			       : m == THR_PACKETS ? o->pkts
						  : o->updates;
		}
		return 0;
	}
	return 0;
}

/* ---- host-scope rules ("local" / "remote") ---- */

static int
thr_scope(const struct alert_thr *r)
{
	if (r->entity != ALERT_ENT_HOST)
		return -1;
	return !strcmp(r->entity_val, "local")	  ? 1
	       : !strcmp(r->entity_val, "remote") ? 0
						  : -1;
}

static struct thr_hbase *
hmap_slot(const struct thr_hmap *m, uint32_t id)
{
	uint32_t mask = m->cap - 1, i = (id * 2654435761u) & mask;

	while (m->v[i].id1 != 0 && m->v[i].id1 != id + 1)
		i = (i + 1) & mask;
	return &m->v[i];
}

/* An empty map for n hosts (load <= 1/2).  0, -1 on OOM. */
static int
hmap_init(struct thr_hmap *m, uint32_t n)
{
	uint32_t cap = 16;

	while (cap < 2 * (uint64_t)n && cap < (1u << 30))
		cap <<= 1;
	m->v = calloc(cap, sizeof(*m->v));
	m->cap = m->v ? cap : 0;
	m->n = 0;
	return m->v ? 0 : -1;
}

/* Frees m, releasing the alerts still engaged through it when ifc. */
static void
hmap_free(struct iface *ifc, const struct thr_rule *t, struct thr_hmap *m,
	  uint64_t now_s)
{
	for (uint32_t i = 0; i < m->cap; i++) {
		if (m->v[i].val == NULL)
			continue;
		if (ifc != NULL && m->v[i].engaged)
			alert_release(ifc, ALERT_THRESHOLD, ALERT_ENT_HOST,
				      m->v[i].val, metric_names[t->r.metric],
				      now_s);
		free(m->v[i].val);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static void
host_entity_val(const struct host *h, char *buf, size_t len)
{
	char a[IPADDR_STRLEN];

	ipaddr_fmt(&h->ip, a, sizeof(a));
	if (h->vlan)
		snprintf(buf, len, "%s@%u", a, (unsigned)h->vlan);
	else
		snprintf(buf, len, "%s", a);
}

/* Is there a rule naming this host (val) for metric m?  It wins over the
 * host-scope rules: both would drive the same alert. */
static int
host_rule_named(const struct alert_thr_set *s, const char *val, unsigned m)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (s->v[i].scope < 0 && s->v[i].r.entity == ALERT_ENT_HOST &&
		    s->v[i].r.metric == m && !strcmp(s->v[i].r.entity_val, val))
			return 1;
	return 0;
}

static int thr_verdict(struct iface *ifc, const struct alert_thr *r,
		       const char *val, double value, uint64_t wall_ms,
		       int known);

/* Samples every host of t's scope: with check, compares each host's
 * growth since the last sample (0 for a host new since) with the
 * threshold; without, only takes the baseline (rule added). */
static void
scope_sample(struct iface *ifc, struct thr_rule *t, uint64_t wall_ms, int check)
{
	const struct alert_thr *r = &t->r;
	unsigned m = r->metric == THR_THROUGHPUT ? THR_BYTES : r->metric;
	uint64_t el_ms = wall_ms > t->prev_ms ? wall_ms - t->prev_ms : 1;
	struct thr_hmap nm;
	uint32_t n = 0;
	struct host *h;

	for (h = ifc->host_head; h; h = h->next)
		n += (h->is_local != 0) == (t->scope == 1);
	if (hmap_init(&nm, n) != 0) {
		log_warn("alerts: no memory for the hosts of rule %u",
			 (unsigned)r->id);
		return;
	}
	for (h = ifc->host_head; h; h = h->next) {
		struct thr_hbase *o = NULL, *e;
		uint64_t cur, prev, d;
		double value;
		char val[ALERT_ENTITY_VAL_MAX];

		if ((h->is_local != 0) != (t->scope == 1))
			continue;
		cur = host_metric(h, m);
		if (t->hm.cap) {
			o = hmap_slot(&t->hm, h->id);
			if (o->id1 == 0)
				o = NULL;
		}
		prev = o ? o->prev : 0;
		e = hmap_slot(&nm, h->id);
		e->id1 = h->id + 1;
		e->prev = cur;
		nm.n++;
		if (o != NULL) { /* moves its engaged state */
			e->engaged = o->engaged;
			e->val = o->val;
			o->val = NULL;
			o->engaged = 0;
		}
		if (!check)
			continue;
		d = cur >= prev ? cur - prev : cur;
		value = r->metric == THR_THROUGHPUT
				? (double)d * 8000.0 / (double)el_ms
				: (double)d;
		/* the common case, a host neither holding nor engaged, costs
		 * no formatting and no lookup */
		if (!e->engaged && !alert_thr_holds(r, value))
			continue;
		host_entity_val(h, val, sizeof(val));
		if (host_rule_named(ifc->thr, val, r->metric))
			continue;
		if (thr_verdict(ifc, r, val, value, wall_ms, e->engaged) > 0) {
			if (e->val == NULL)
				e->val = strdup(val);
			e->engaged = e->val != NULL;
		} else if (e->val != NULL) {
			free(e->val);
			e->val = NULL;
			e->engaged = 0;
		}
	}
	/* what is left engaged belongs to hosts gone since: released */
	hmap_free(ifc, t, &t->hm, wall_ms / 1000);
	t->hm = nm;
	t->prev_ms = wall_ms;
}

static struct alert_thr_set *
set_get(struct iface *ifc)
{
	if (ifc->thr == NULL)
		ifc->thr = calloc(1, sizeof(*ifc->thr));
	return ifc->thr;
}

int
alert_thr_add(struct iface *ifc, const struct alert_thr *r)
{
	struct alert_thr_set *s = set_get(ifc);
	struct thr_rule *n;
	uint64_t wall_ms = ifc->wall_ms ? ifc->wall_ms : time_wall_ms();
	uint32_t i;

	IFACE_ASSERT_OWNER(ifc);
	if (s == NULL || s->n >= ALERT_THR_MAX)
		return -1;
	for (i = 0; i < s->n; i++)
		if (s->v[i].r.entity == r->entity &&
		    s->v[i].r.metric == r->metric &&
		    !strcmp(s->v[i].r.entity_val, r->entity_val))
			return -2;
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 8;

		n = realloc(s->v, cap * sizeof(*n));
		if (n == NULL)
			return -1;
		s->v = n;
		s->cap = cap;
	}
	n = &s->v[s->n++];
	memset(n, 0, sizeof(*n));
	n->r = *r;
	n->r.ifid = ifc->id;
	n->scope = (int8_t)thr_scope(&n->r);
	n->prev_ms = wall_ms;
	if (n->scope >= 0)
		scope_sample(ifc, n, wall_ms, 0);
	else
		n->prev = thr_counter(ifc, &n->r);
	n->bucket = wall_ms / 1000 / gran_secs[r->gran];
	return 0;
}

int
alert_thr_del(struct iface *ifc, uint32_t id)
{
	struct alert_thr_set *s = ifc->thr;
	uint32_t i;

	IFACE_ASSERT_OWNER(ifc);
	for (i = 0; s != NULL && i < s->n; i++) {
		struct thr_rule *t = &s->v[i];

		if (t->r.id != id)
			continue;
		if (t->scope >= 0)
			hmap_free(ifc, t, &t->hm, 0);
		else
			alert_release(ifc, ALERT_THRESHOLD, t->r.entity,
				      t->r.entity_val,
				      metric_names[t->r.metric], 0);
		memmove(t, t + 1, (s->n - i - 1) * sizeof(*t));
		s->n--;
		return 1;
	}
	return 0;
}

void
alert_thr_walk(struct iface *ifc,
	       void (*fn)(void *arg, const struct alert_thr *r), void *arg)
{
	uint32_t i;

	IFACE_ASSERT_OWNER(ifc);
	for (i = 0; ifc->thr != NULL && i < ifc->thr->n; i++)
		fn(arg, &ifc->thr->v[i].r);
}

/* Engages (value holds: 1, or -1 when the engaged set is full) or
 * releases (0) the alert of rule r on the entity val.  known: whether the
 * caller knows the alert engaged (1) or not (0), or -1: look it up. */
static int
thr_verdict(struct iface *ifc, const struct alert_thr *r, const char *val,
	    double value, uint64_t wall_ms, int known)
{
	const char *mn = metric_names[r->metric];
	struct alert a;

	if (!alert_thr_holds(r, value)) {
		if (known != 0)
			alert_release(ifc, ALERT_THRESHOLD, r->entity, val, mn,
				      wall_ms / 1000);
		return 0;
	}
	memset(&a, 0, sizeof(a));
	a.type = ALERT_THRESHOLD;
	a.entity = r->entity;
	snprintf(a.entity_val, sizeof(a.entity_val), "%s", val);
	snprintf(a.metric, sizeof(a.metric), "%s", mn);
	a.value = value;
	a.peak = value;
	a.threshold = r->threshold;
	a.tstamp = wall_ms / 1000;
	snprintf(a.msg, sizeof(a.msg),
		 "Threshold %s/%s crossed by %s %s [%.0f %s %.0f]", mn,
		 gran_names[r->gran], alert_entity_name(r->entity),
		 val[0] ? val : ifc->name, value, r->op == THR_GT ? ">" : "<",
		 r->threshold);
	return (known == 0 ? alert_engage_fresh(ifc, &a)
			   : alert_engage(ifc, &a)) < 0
		       ? -1
		       : 1;
}

/* One check of rule t at a boundary. */
static void
thr_check(struct iface *ifc, struct thr_rule *t, uint64_t wall_ms)
{
	const struct alert_thr *r = &t->r;
	uint64_t cur, d, el_ms;

	if (t->scope >= 0) {
		scope_sample(ifc, t, wall_ms, 1);
		return;
	}
	cur = thr_counter(ifc, r);
	d = cur >= t->prev ? cur - t->prev : cur;
	el_ms = wall_ms > t->prev_ms ? wall_ms - t->prev_ms : 1;
	t->prev = cur;
	t->prev_ms = wall_ms;
	thr_verdict(ifc, r, r->entity_val,
		    r->metric == THR_THROUGHPUT
			    ? (double)d * 8000.0 / (double)el_ms /* bit/s */
			    : (double)d,
		    wall_ms, -1);
}

void
alert_thr_tick(struct iface *ifc, uint64_t wall_ms)
{
	struct alert_thr_set *s = ifc->thr;
	uint32_t i;

	IFACE_ASSERT_OWNER(ifc);
	if (s == NULL || ifc->prefs->disable_alerts)
		return;
	for (i = 0; i < s->n; i++) {
		struct thr_rule *t = &s->v[i];
		uint64_t b = wall_ms / 1000 / gran_secs[t->r.gran];

		if (b != t->bucket) {
			t->bucket = b;
			thr_check(ifc, t, wall_ms);
		}
	}
}

void
alert_thr_fini(struct iface *ifc)
{
	if (ifc->thr == NULL)
		return;
	for (uint32_t i = 0; i < ifc->thr->n; i++)
		hmap_free(NULL, &ifc->thr->v[i], &ifc->thr->v[i].hm, 0);
	free(ifc->thr->v);
	free(ifc->thr);
	ifc->thr = NULL;
}

/* ---- query builders ---- */

json_t *
query_b_alert_thr_add(struct iface *ifc, void *arg)
{
	int rc = alert_thr_add(ifc, arg);

	if (rc == 0)
		return json_pack("{s:I}", "id",
				 (json_int_t)((struct alert_thr *)arg)->id);
	return json_pack("{s:s}", "error",
			 rc == -2 ? "a rule of this entity and metric exists"
				  : "too many rules");
}

json_t *
query_b_alert_thr_del(struct iface *ifc, void *arg)
{
	return json_boolean(alert_thr_del(ifc, *(uint32_t *)arg));
}

static void
thr_list_one(void *arg, const struct alert_thr *r)
{
	json_t *o = alert_thr_to_json(r);

	if (o != NULL)
		json_array_append_new(arg, o);
}

json_t *
query_b_alert_thr_list(struct iface *ifc, void *arg)
{
	json_t *a = json_array();

	(void)arg;
	if (a != NULL)
		alert_thr_walk(ifc, thr_list_one, a);
	return a;
}

int
alert_list_match(const struct alert_list_query *q, const struct alert *a)
{
	if (q->entity >= 0 && a->entity != q->entity)
		return 0;
	if (q->entity_val[0] && strcmp(q->entity_val, a->entity_val) != 0)
		return 0;
	if (q->site[0] && strncmp(a->site_path, q->site, strlen(q->site)) != 0)
		return 0;
	if (q->severity >= 0 && a->severity != q->severity)
		return 0;
	if (q->epoch_begin && a->tstamp < q->epoch_begin)
		return 0;
	if (q->epoch_end && a->tstamp > q->epoch_end)
		return 0;
	return 1;
}

json_t *
alert_to_json(const struct alert *a)
{
	const struct alert_type_info *ti = alert_type_info(a->type);
	const char *sev = alert_severity_name(a->severity);

	return json_pack("{s:I,s:i,s:i,s:s,s:i,s:s,s:s,s:s,s:s,s:f,s:f,s:f,"
			 "s:I,s:I,s:s,s:s,s:s}",
			 "id", (json_int_t)a->id, "ifid", a->ifid, "type",
			 (int)a->type, "type_key", ti ? ti->key : "unknown",
			 "severity", (int)a->severity, "severity_name",
			 sev ? sev : "unknown", "entity",
			 alert_entity_name(a->entity)
				 ? alert_entity_name(a->entity)
				 : "unknown",
			 "entity_val", a->entity_val, "metric", a->metric,
			 "value", a->value, "threshold", a->threshold, "peak",
			 a->peak, "tstamp", (json_int_t)a->tstamp, "tstamp_end",
			 (json_int_t)a->tstamp_end, "site_path", a->site_path,
			 "node_id", a->node_id, "msg", a->msg);
}

struct engaged_walk {
	const struct alert_list_query *q;
	json_t *data;
	uint32_t total;
};

static void
engaged_one(void *arg, const struct alert *a)
{
	struct engaged_walk *w = arg;

	if (!alert_list_match(w->q, a))
		return;
	if (w->total >= w->q->start &&
	    json_array_size(w->data) < w->q->length) {
		json_t *o = alert_to_json(a);

		if (o != NULL)
			json_array_append_new(w->data, o);
	}
	w->total++;
}

json_t *
query_b_alerts_engaged(struct iface *ifc, void *arg)
{
	struct engaged_walk w = { arg, json_array(), 0 };

	if (w.data == NULL)
		return NULL;
	alert_walk_engaged(ifc, engaged_one, &w);
	return json_pack("{s:o,s:I}", "data", w.data, "totalRows",
			 (json_int_t)w.total);
}

json_t *
query_b_alert_raise(struct iface *ifc, void *arg)
{
	const struct alert *a = arg;

	if (a->tstamp_end == 1)
		return json_boolean(alert_release(ifc, a->type, a->entity,
						  a->entity_val, a->metric,
						  0) == 1);
	return json_boolean(alert_engage(ifc, a) >= 0);
}

json_t *
query_b_alert_stats(struct iface *ifc, void *arg)
{
	struct alert_stats st;

	(void)arg;
	alert_get_stats(ifc, &st);
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "engaged",
			 (json_int_t)st.engaged, "engaged_notice",
			 (json_int_t)st.engaged_by_sev[ALERT_SEV_NOTICE],
			 "engaged_warning",
			 (json_int_t)st.engaged_by_sev[ALERT_SEV_WARNING],
			 "engaged_error",
			 (json_int_t)(st.engaged_by_sev[ALERT_SEV_ERROR] +
				      st.engaged_by_sev[ALERT_SEV_CRITICAL]),
			 "raised", (json_int_t)st.raised, "released",
			 (json_int_t)st.released, "dropped",
			 (json_int_t)st.dropped, "flow_alerts",
			 (json_int_t)st.flow_alerts);
}

/* ---- the `alert` topic (docs/hierarchy.md) ---- */

char *
alert_wire_json(const struct alert *a, const char *site_path)
{
	json_t *o = json_pack(
		"{s:i,s:i,s:i,s:s,s:s,s:f,s:f,s:f,s:I,s:I,s:s,s:s,s:s}", "type",
		(int)a->type, "severity", (int)a->severity, "entity",
		(int)a->entity, "entity_val", a->entity_val, "metric",
		a->metric, "value", a->value, "threshold", a->threshold, "peak",
		a->peak, "tstamp", (json_int_t)a->tstamp, "tstamp_end",
		(json_int_t)a->tstamp_end, "msg", a->msg, "site_path",
		site_path, "node_id", a->node_id);
	char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return txt;
}

static int
wire_str(const json_t *o, const char *k, char *dst, size_t len)
{
	const char *v = json_string_value(json_object_get(o, k));

	if (v == NULL || strlen(v) >= len)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int
wire_int(const json_t *o, const char *k, json_int_t min, json_int_t max,
	 json_int_t *out)
{
	const json_t *v = json_object_get(o, k);

	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static int
wire_num(const json_t *o, const char *k, double *out)
{
	const json_t *v = json_object_get(o, k);

	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return -1;
	*out = json_number_value(v);
	return 0;
}

int
alert_from_wire(const char *js, size_t len, struct alert *a)
{
	json_t *o = json_loadb(js, len, JSON_REJECT_DUPLICATES, NULL);
	json_int_t t, sev, ent, ts, te;
	int rc = -1;

	memset(a, 0, sizeof(*a));
	if (!json_is_object(o) ||
	    wire_int(o, "type", 0, ALERT_TYPE_MAX - 1, &t) != 0 ||
	    wire_int(o, "severity", ALERT_SEV_MIN, ALERT_SEV_MAX, &sev) != 0 ||
	    wire_int(o, "entity", 0, ALERT_ENT_MAX - 1, &ent) != 0 ||
	    wire_int(o, "tstamp", 0, (json_int_t)1 << 40, &ts) != 0 ||
	    wire_int(o, "tstamp_end", 0, (json_int_t)1 << 40, &te) != 0 ||
	    wire_str(o, "entity_val", a->entity_val, sizeof(a->entity_val)) ||
	    wire_str(o, "metric", a->metric, sizeof(a->metric)) ||
	    wire_str(o, "msg", a->msg, sizeof(a->msg)) ||
	    wire_str(o, "site_path", a->site_path, sizeof(a->site_path)) ||
	    wire_str(o, "node_id", a->node_id, sizeof(a->node_id)) ||
	    a->node_id[0] == '\0' || a->site_path[0] == '\0' ||
	    wire_num(o, "value", &a->value) != 0 ||
	    wire_num(o, "threshold", &a->threshold) != 0 ||
	    wire_num(o, "peak", &a->peak) != 0)
		goto out;
	a->type = (uint16_t)t;
	a->severity = (uint8_t)sev;
	a->entity = (uint8_t)ent;
	a->tstamp = (uint64_t)ts;
	a->tstamp_end = (uint64_t)te;
	rc = 0;
out:
	json_decref(o);
	return rc;
}
