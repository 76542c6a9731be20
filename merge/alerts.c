/*
 * alerts.c - the alert core of an interface (merge/alerts.h): the
 * constant tables of types, severities and entities, the engaged set and
 * the hand-off of past alerts to the sinks that take them.
 *
 * The engaged set is an array in engagement order (the REST list shows
 * it so), grown by doubling up to ALERT_MAX_ENGAGED and found by a linear
 * scan of a 32-bit hash of the key first: engagements change at most a
 * few times a minute per rule, never per packet, so a scan of a few
 * thousand hashes is cheaper than keeping an index in step.  Released
 * alerts are removed by moving the tail down (order kept).
 *
 * Alerts of peer nodes (the `alert` topic of -I, docs/hierarchy.md)
 * share the set: their key also has the node id, so two edges' alerts on
 * the same private address stay apart.  An edge re-announces its engaged
 * alerts every ALERT_REFRESH_S (alert_tick); a peer's engaged alert not
 * heard of for ALERT_REMOTE_TTL_S is ended here (the edge went away).
 *
 * Everything but the constant tables runs on the interface's owner
 * thread; the set belongs to the interface (ifc->alerts) and is freed
 * with it.
 */
#include "merge/alerts.h"
#include "merge/iface_priv.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/prefs.h"
#include "merge/sink.h"

struct alert_table {
	struct alert *a; /* [n], engagement order */
	uint32_t *hash;	 /* [n], the key's hash of a[i] */
	uint64_t *seen;	 /* [n], epoch s a peer's alert was last heard of */
	uint32_t n, cap;
	uint64_t next_id; /* ids of engaged and one-shot alerts alike */
	struct alert_stats st;
	uint32_t refresh_at;	  /* next engaged alert to re-announce */
	uint64_t refresh_next_ms; /* wall clock of the next pass */
};

static const struct alert_type_info alert_types[ALERT_TYPE_MAX] = {
	{ ALERT_SYN_FLOOD, "tcp_syn_flood", "TCP SYN Flood", ALERT_SEV_ERROR },
	{ ALERT_FLOWS_FLOOD, "flows_flood", "Flows Flood", ALERT_SEV_ERROR },
	{ ALERT_THRESHOLD, "threshold_cross", "Threshold Cross",
	  ALERT_SEV_WARNING },
	{ ALERT_BLACKLISTED, "blacklisted_host", "Blacklisted Host",
	  ALERT_SEV_WARNING },
	{ ALERT_PERIODIC, "periodic_activity", "Periodic Activity",
	  ALERT_SEV_INFO },
	{ ALERT_QUOTA, "quota_exceeded", "Quota Exceeded", ALERT_SEV_WARNING },
	{ ALERT_FLOW_RISK, "flow_risk", "Flow Risk", ALERT_SEV_WARNING },
	{ ALERT_SOURCE_SILENT, "source_silent", "Silent Source",
	  ALERT_SEV_ERROR },
	{ ALERT_MSG_DROPS, "msg_drops", "Message Drops", ALERT_SEV_WARNING },
	{ ALERT_TABLE_FULL, "table_full", "Table Limit Reached",
	  ALERT_SEV_ERROR },
	{ ALERT_STORAGE_FAILURE, "storage_failure", "Storage Write Failure",
	  ALERT_SEV_ERROR },
	{ ALERT_USER, "user_script", "User Script Alert", ALERT_SEV_NOTICE },
	{ ALERT_SCORE, "host_score", "Host Score", ALERT_SEV_WARNING },
};

static const char *const alert_sev_names[ALERT_SEV_MAX + 1] = {
	[ALERT_SEV_INFO] = "info",	   [ALERT_SEV_NOTICE] = "notice",
	[ALERT_SEV_WARNING] = "warning",   [ALERT_SEV_ERROR] = "error",
	[ALERT_SEV_CRITICAL] = "critical",
};

static const char *const alert_ent_names[ALERT_ENT_MAX] = {
	"interface", "host", "network", "source", "site", "flow",
};

const struct alert_type_info *
alert_type_info(unsigned t)
{
	return t < ALERT_TYPE_MAX ? &alert_types[t] : NULL;
}

const char *
alert_severity_name(unsigned s)
{
	return s <= ALERT_SEV_MAX ? alert_sev_names[s] : NULL;
}

int
alert_severity_parse(const char *name)
{
	int s;

	for (s = ALERT_SEV_MIN; name != NULL && s <= ALERT_SEV_MAX; s++)
		if (!strcmp(name, alert_sev_names[s]))
			return s;
	return -1;
}

const char *
alert_entity_name(unsigned e)
{
	return e < ALERT_ENT_MAX ? alert_ent_names[e] : NULL;
}

int
alert_entity_parse(const char *name)
{
	int e;

	for (e = 0; name != NULL && e < ALERT_ENT_MAX; e++)
		if (!strcmp(name, alert_ent_names[e]))
			return e;
	return -1;
}

/* ---- the engaged set ---- */

static uint32_t
key_hash(uint16_t type, uint8_t entity, const char *val, const char *metric)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	const char *p;

	h = (h ^ type) * 16777619u;
	h = (h ^ entity) * 16777619u;
	for (p = val; p != NULL && *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (p = metric; p != NULL && *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

/* The index of the engaged alert of that key raised by node (NULL: this
 * node), or -1. */
static int
key_find(const struct alert_table *t, uint16_t type, uint8_t entity,
	 const char *val, const char *metric, const char *node)
{
	uint32_t h = key_hash(type, entity, val, metric), i;

	if (metric == NULL)
		metric = "";
	if (val == NULL)
		val = "";
	if (node == NULL || node[0] == '\0')
		node = node_id;
	for (i = 0; t != NULL && i < t->n; i++) {
		const struct alert *a = &t->a[i];

		if (t->hash[i] == h && a->type == type && a->entity == entity &&
		    !strncmp(a->entity_val, val, sizeof(a->entity_val)) &&
		    !strncmp(a->metric, metric, sizeof(a->metric)) &&
		    !strncmp(a->node_id, node, sizeof(a->node_id)))
			return (int)i;
	}
	return -1;
}

static struct alert_table *
table_get(struct iface *ifc)
{
	if (ifc->alerts == NULL)
		ifc->alerts = calloc(1, sizeof(*ifc->alerts));
	return ifc->alerts;
}

static int
table_grow(struct alert_table *t)
{
	uint32_t cap = t->cap ? t->cap * 2 : 16;
	struct alert *a;
	uint32_t *h;
	uint64_t *seen;

	if (t->n < t->cap)
		return 0;
	if (t->cap >= ALERT_MAX_ENGAGED)
		return -1;
	if (cap > ALERT_MAX_ENGAGED)
		cap = ALERT_MAX_ENGAGED;
	a = realloc(t->a, cap * sizeof(*a));
	if (a == NULL)
		return -1;
	t->a = a;
	h = realloc(t->hash, cap * sizeof(*h));
	if (h == NULL)
		return -1;
	t->hash = h;
	seen = realloc(t->seen, cap * sizeof(*seen));
	if (seen == NULL)
		return -1;
	t->seen = seen;
	t->cap = cap;
	return 0;
}

static uint64_t
now_epoch(void)
{
	return (uint64_t)time(NULL);
}

static int
alerts_disabled(const struct iface *ifc)
{
	return ifc->prefs != NULL && ifc->prefs->disable_alerts;
}

/* Hands a to every sink that takes it: a past alert to the alert op, an
 * engaged one (new, or re-announced; tstamp_end 0) to alert_engaged (the
 * exporter). */
static void
to_sinks(struct iface *ifc, const struct alert *a)
{
	int i;

	for (i = 0; i < ifc->n_sinks; i++) {
		const struct iface_sink_ops *o = ifc->sinks[i].ops;
		void (*fn)(void *, const struct alert *) =
			a->tstamp_end ? o->alert : o->alert_engaged;

		if (fn != NULL)
			fn(ifc->sinks[i].ctx, a);
	}
}

/* Control characters become spaces: the text goes to syslog lines. */
static void
no_ctrl(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

static void
fix_strings(struct alert *a)
{
	a->entity_val[sizeof(a->entity_val) - 1] = '\0';
	a->metric[sizeof(a->metric) - 1] = '\0';
	a->msg[sizeof(a->msg) - 1] = '\0';
	a->site_path[sizeof(a->site_path) - 1] = '\0';
	a->node_id[sizeof(a->node_id) - 1] = '\0';
	no_ctrl(a->entity_val);
	no_ctrl(a->metric);
	no_ctrl(a->msg);
	no_ctrl(a->site_path);
	no_ctrl(a->node_id);
}

static uint8_t
sev_or_default(uint8_t sev, uint16_t type)
{
	if (sev >= ALERT_SEV_MIN && sev <= ALERT_SEV_MAX)
		return sev;
	return type < ALERT_TYPE_MAX ? alert_types[type].severity
				     : ALERT_SEV_WARNING;
}

/* Adds a to the set (its key is not in it).  1, or -1 when full. */
static int
engage_new(struct iface *ifc, struct alert_table *t, const struct alert *a)
{
	struct alert *e;

	if (table_grow(t) != 0) {
		t->st.dropped++;
		return -1;
	}
	e = &t->a[t->n];
	*e = *a;
	fix_strings(e);
	e->id = ++t->next_id;
	e->ifid = ifc->id;
	e->severity = sev_or_default(a->severity, a->type);
	if (e->tstamp == 0)
		e->tstamp = now_epoch();
	e->tstamp_end = 0;
	e->peak = a->value > a->peak ? a->value : a->peak;
	if (e->node_id[0] == '\0')
		memcpy(e->node_id, node_id, sizeof(e->node_id));
	t->hash[t->n] = key_hash(e->type, e->entity, e->entity_val, e->metric);
	t->seen[t->n] = now_epoch();
	t->n++;
	t->st.engaged = t->n;
	t->st.engaged_by_sev[e->severity]++;
	t->st.raised++;
	to_sinks(ifc, e);
	return 1;
}

int
alert_engage_fresh(struct iface *ifc, const struct alert *a)
{
	struct alert_table *t;

	IFACE_ASSERT_OWNER(ifc);
	if (alerts_disabled(ifc))
		return 0;
	t = table_get(ifc);
	return t == NULL ? -1 : engage_new(ifc, t, a);
}

int
alert_engage(struct iface *ifc, const struct alert *a)
{
	struct alert_table *t;
	struct alert *e;
	int i;

	IFACE_ASSERT_OWNER(ifc);
	if (alerts_disabled(ifc))
		return 0;
	t = table_get(ifc);
	if (t == NULL)
		return -1;
	i = key_find(t, a->type, a->entity, a->entity_val, a->metric,
		     a->node_id);
	if (i >= 0) {
		uint8_t old = t->a[i].severity;

		t->seen[i] = now_epoch();
		e = &t->a[i];
		e->value = a->value;
		if (a->value > e->peak)
			e->peak = a->value;
		if (a->msg[0])
			memcpy(e->msg, a->msg, sizeof(e->msg));
		e->severity = sev_or_default(a->severity, a->type);
		t->st.engaged_by_sev[old]--;
		t->st.engaged_by_sev[e->severity]++;
		fix_strings(e);
		return 0;
	}
	return engage_new(ifc, t, a);
}

/* Takes the engaged alert i out of the set; its copy in *past. */
static void
take_out(struct alert_table *t, int i, struct alert *past)
{
	*past = t->a[i];
	memmove(&t->a[i], &t->a[i + 1], (t->n - i - 1) * sizeof(*t->a));
	memmove(&t->hash[i], &t->hash[i + 1],
		(t->n - i - 1) * sizeof(*t->hash));
	memmove(&t->seen[i], &t->seen[i + 1],
		(t->n - i - 1) * sizeof(*t->seen));
	t->n--;
	if (t->refresh_at > (uint32_t)i)
		t->refresh_at--;
	t->st.engaged = t->n;
	t->st.engaged_by_sev[past->severity]--;
}

int
alert_release(struct iface *ifc, uint16_t type, uint8_t entity,
	      const char *entity_val, const char *metric, uint64_t now_s)
{
	struct alert_table *t = ifc->alerts;
	struct alert past;
	int i;

	IFACE_ASSERT_OWNER(ifc);
	i = key_find(t, type, entity, entity_val, metric, NULL);
	if (i < 0)
		return 0;
	take_out(t, i, &past);
	past.tstamp_end = now_s ? now_s : now_epoch();
	if (past.tstamp_end < past.tstamp)
		past.tstamp_end = past.tstamp;
	t->st.released++;
	to_sinks(ifc, &past);
	return 1;
}

int
alert_from_peer(struct iface *ifc, const struct alert *a)
{
	struct alert_table *t = ifc->alerts;
	struct alert gone;
	int i;

	IFACE_ASSERT_OWNER(ifc);
	if (a->tstamp_end == 0)
		return alert_engage(ifc, a) < 0 ? -1 : 0;
	/* its end: the engaged copy goes (the edge's past row, with its
	 * times and peak, is the one kept) */
	i = key_find(t, a->type, a->entity, a->entity_val, a->metric,
		     a->node_id);
	if (i >= 0) {
		take_out(t, i, &gone);
		t->st.released++;
	}
	return alert_record(ifc, a);
}

void
alert_tick(struct iface *ifc, uint64_t wall_ms)
{
	struct alert_table *t = ifc->alerts;
	uint64_t now_s = wall_ms / 1000;
	uint32_t i, sent = 0;
	int want = 0;

	IFACE_ASSERT_OWNER(ifc);
	if (t == NULL || t->n == 0)
		return;
	/* peers' alerts no longer announced: ended at their last word */
	for (i = 0; i < t->n;) {
		struct alert past;
		uint64_t seen;
		size_t l;

		if (!strncmp(t->a[i].node_id, node_id, sizeof(node_id)) ||
		    t->seen[i] + ALERT_REMOTE_TTL_S > now_s) {
			i++;
			continue;
		}
		seen = t->seen[i];
		take_out(t, (int)i, &past);
		past.tstamp_end = past.tstamp > seen ? past.tstamp : seen;
		l = strlen(past.msg);
		snprintf(past.msg + l, sizeof(past.msg) - l,
			 "%s(no longer reported by %s)", l ? " " : "",
			 past.node_id);
		t->st.released++;
		to_sinks(ifc, &past);
	}
	/* the re-announcement pass (a late or restarted parent learns what
	 * is engaged here), ALERT_REFRESH_BURST a second at most */
	for (i = 0; i < (uint32_t)ifc->n_sinks; i++)
		want |= ifc->sinks[i].ops->alert_engaged != NULL;
	if (!want)
		return;
	if (t->refresh_at == 0 && wall_ms < t->refresh_next_ms)
		return;
	while (t->refresh_at < t->n && sent < ALERT_REFRESH_BURST) {
		to_sinks(ifc, &t->a[t->refresh_at++]);
		sent++;
	}
	if (t->refresh_at >= t->n) {
		t->refresh_at = 0;
		t->refresh_next_ms = wall_ms + ALERT_REFRESH_S * 1000;
	}
}

int
alert_record(struct iface *ifc, const struct alert *a)
{
	struct alert_table *t;
	struct alert past;

	IFACE_ASSERT_OWNER(ifc);
	if (alerts_disabled(ifc))
		return 0;
	t = table_get(ifc);
	if (t == NULL)
		return -1;
	past = *a;
	fix_strings(&past);
	past.id = ++t->next_id;
	past.ifid = ifc->id;
	past.severity = sev_or_default(a->severity, a->type);
	if (past.tstamp == 0)
		past.tstamp = now_epoch();
	/* an alert relayed by a peer node keeps its own end */
	if (a->tstamp_end < past.tstamp)
		past.tstamp_end = past.tstamp;
	if (past.peak < past.value)
		past.peak = past.value;
	if (past.node_id[0] == '\0')
		memcpy(past.node_id, node_id, sizeof(past.node_id));
	t->st.raised++;
	if (past.entity == ALERT_ENT_FLOW)
		t->st.flow_alerts++;
	to_sinks(ifc, &past);
	return 0;
}

int
alert_is_engaged(struct iface *ifc, uint16_t type, uint8_t entity,
		 const char *entity_val, const char *metric)
{
	IFACE_ASSERT_OWNER(ifc);
	return key_find(ifc->alerts, type, entity, entity_val, metric, NULL) >=
	       0;
}

uint32_t
alert_count_entity(struct iface *ifc, uint8_t entity, const char *entity_val)
{
	const struct alert_table *t = ifc->alerts;
	uint32_t i, n = 0;

	IFACE_ASSERT_OWNER(ifc);
	for (i = 0; t != NULL && i < t->n; i++)
		n += t->a[i].entity == entity &&
		     !strncmp(t->a[i].entity_val, entity_val,
			      sizeof(t->a[i].entity_val));
	return n;
}

void
alert_walk_engaged(struct iface *ifc, alert_walk_fn fn, void *arg)
{
	const struct alert_table *t = ifc->alerts;
	uint32_t i;

	IFACE_ASSERT_OWNER(ifc);
	for (i = 0; t != NULL && i < t->n; i++)
		fn(arg, &t->a[i]);
}

void
alert_get_stats(struct iface *ifc, struct alert_stats *st)
{
	IFACE_ASSERT_OWNER(ifc);
	if (ifc->alerts != NULL)
		*st = ifc->alerts->st;
	else
		memset(st, 0, sizeof(*st));
}

int
alerts_init(struct iface *ifc)
{
	ifc->alerts = NULL; /* allocated at the first alert */
	return 0;
}

void
alerts_fini(struct iface *ifc)
{
	if (ifc->alerts == NULL)
		return;
	free(ifc->alerts->a);
	free(ifc->alerts->hash);
	free(ifc->alerts->seen);
	free(ifc->alerts);
	ifc->alerts = NULL;
}
