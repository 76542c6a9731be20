/*
 * rest_alerts.c - the alert routes (webui/rest_alerts.h, docs/rest.md):
 * threshold rules (add, list, delete: kept in the kv store and in the
 * interface's owner, which checks them), alert lists (engaged: from the
 * owner through query_b_alerts_engaged; past: from the interface's
 * alerts.sqlite, exporter/alerts_store.c) and the constants.
 *
 * A rule goes to the owner first and to the kv store after the owner
 * took it, so a refused rule is never stored; an id comes from a counter
 * in the kv store under a mutex (two administrators adding at once get
 * two ids).  Threads: the HTTP server's; rest_alerts_load on main.
 */
#include "webui/rest_alerts.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "exporter/alerts_store.h"
#include "merge/alerts.h"
#include "merge/alerts_thr.h"
#include "merge/iface.h"
#include "state/kv.h"

static pthread_mutex_t ra_lock = PTHREAD_MUTEX_INITIALIZER;

/* The next rule id (kv counter); 0 when the store fails. */
static uint32_t
ra_next_id(void)
{
	char *v, buf[16];
	unsigned long id = 0;

	pthread_mutex_lock(&ra_lock);
	v = kv_get(REST_ALERTS_NEXT_ID_KEY);
	if (v != NULL)
		id = strtoul(v, NULL, 10);
	free(v);
	if (id < 1 || id >= UINT32_MAX)
		id = 1;
	snprintf(buf, sizeof(buf), "%lu", id + 1);
	if (kv_set(REST_ALERTS_NEXT_ID_KEY, buf, 0) != 0)
		id = 0;
	pthread_mutex_unlock(&ra_lock);
	return (uint32_t)id;
}

static void
ra_key(char *buf, size_t len, uint32_t id)
{
	snprintf(buf, len, REST_ALERTS_KEY_PREFIX "%u", id);
}

static void
ra_load_one(const char *key, void *arg)
{
	char *v = kv_get(key);
	json_t *o = v ? json_loads(v, 0, NULL) : NULL;
	struct alert_thr r;
	struct iface *ifc;
	char why[128];

	(void)arg;
	if (o == NULL || alert_thr_from_json(o, &r, why, sizeof(why)) != 0 ||
	    r.id == 0) {
		log_warn("alerts: %s: not a threshold rule: skipped", key);
		goto out;
	}
	ifc = query_iface_by_id(r.ifid);
	if (ifc == NULL) {
		log_warn("alerts: rule %u: no interface %d: skipped", r.id,
			 r.ifid);
		goto out;
	}
	if (alert_thr_add(ifc, &r) != 0)
		log_warn("alerts: rule %u: not added (duplicate or too many)",
			 r.id);
	else
		(*(int *)arg)++;
out:
	json_decref(o);
	free(v);
}

void
rest_alerts_load(void)
{
	int n = 0;

	kv_scan(REST_ALERTS_KEY_PREFIX "*", ra_load_one, &n);
	if (n > 0)
		log_info("alerts: %d threshold rule(s) loaded", n);
}

enum rest_rc
rest_alerts_thr_add(struct rest_call *c, json_t **rsp)
{
	static const char *const keys[] = { "ifid",	   "entity",
					    "entity_val",  "metric",
					    "granularity", "operator",
					    "threshold" };
	/* c->msg must outlive the call: one per HTTP thread */
	static __thread char why[128];
	json_t *o = json_object(), *res = NULL, *st;
	struct alert_thr r;
	struct iface *ifc;
	enum rest_rc rc;
	char key[64], *txt;
	size_t i;

	if (o == NULL)
		return REST_RC_INTERNAL_ERROR;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = rest_params_get(c->p, keys[i]);

		if (v != NULL)
			json_object_set_new(o, keys[i], json_string(v));
	}
	pthread_mutex_lock(&ra_lock);
	if (alert_thr_from_json(o, &r, why, sizeof(why)) != 0) {
		pthread_mutex_unlock(&ra_lock);
		json_decref(o);
		c->msg = why; /* hr text: what is wrong */
		return REST_RC_INVALID_ARGUMENTS;
	}
	pthread_mutex_unlock(&ra_lock);
	json_decref(o);
	ifc = query_iface_by_id(r.ifid);
	if (ifc == NULL)
		return REST_RC_INVALID_INTERFACE;
	r.id = ra_next_id();
	if (r.id == 0)
		return REST_RC_INTERNAL_ERROR;
	rc = rest_run(ifc, query_b_alert_thr_add, &r, sizeof(r), NULL, &res);
	if (rc != REST_RC_OK)
		return rc;
	if (json_object_get(res, "error") != NULL) {
		c->msg = "A rule of this entity and metric exists, or too "
			 "many rules";
		json_decref(res);
		return REST_RC_INVALID_ARGUMENTS;
	}
	st = alert_thr_to_json(&r);
	txt = st ? json_dumps(st, JSON_COMPACT) : NULL;
	ra_key(key, sizeof(key), r.id);
	if (txt == NULL || kv_set(key, txt, 0) != 0)
		log_warn("alerts: rule %u: not stored (kv): lost at restart",
			 r.id);
	free(txt);
	json_decref(st);
	*rsp = res; /* {id} */
	return REST_RC_OK;
}

enum rest_rc
rest_alerts_thr_del(struct rest_call *c, json_t **rsp)
{
	struct alert_thr r;
	struct iface *ifc;
	json_t *o, *res = NULL;
	enum rest_rc rc;
	char key[64], why[128], *v;
	long id;
	uint32_t id32;

	if (!rest_param_int(c->p, "id", 1, UINT32_MAX, &id))
		return REST_RC_INVALID_ARGUMENTS;
	ra_key(key, sizeof(key), (uint32_t)id);
	v = kv_get(key);
	o = v ? json_loads(v, 0, NULL) : NULL;
	free(v);
	if (o == NULL || alert_thr_from_json(o, &r, why, sizeof(why)) != 0) {
		json_decref(o);
		return REST_RC_NOT_FOUND;
	}
	json_decref(o);
	ifc = query_iface_by_id(r.ifid);
	id32 = (uint32_t)id;
	if (ifc != NULL) {
		rc = rest_run(ifc, query_b_alert_thr_del, &id32, sizeof(id32),
			      NULL, &res);
		json_decref(res);
		if (rc != REST_RC_OK)
			return rc;
	}
	kv_del(key);
	*rsp = json_pack("{s:I}", "id", (json_int_t)id);
	return REST_RC_OK;
}

enum rest_rc
rest_alerts_thr_list(struct rest_call *c, json_t **rsp)
{
	struct iface *ifc = rest_param_iface(c->p, "ifid");

	if (ifc == NULL)
		return REST_RC_INVALID_INTERFACE;
	return rest_run(ifc, query_b_alert_thr_list, NULL, 0, NULL, rsp);
}

/* Copies parameter name into dst (len bytes): 0, -1 when too long. */
static int
ra_param_str(const struct rest_params *p, const char *name, char *dst,
	     size_t len)
{
	const char *v = rest_params_get(p, name);

	dst[0] = '\0';
	if (v == NULL)
		return 0;
	if (strlen(v) >= len)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

enum rest_rc
rest_alerts_list(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	const char *status = rest_params_get(p, "status");
	const char *s;
	struct alert_list_query q;
	long v, per_page = 10, page = 1;

	if (ifc == NULL)
		return REST_RC_INVALID_INTERFACE;
	memset(&q, 0, sizeof(q));
	q.entity = -1;
	q.severity = -1;
	s = rest_params_get(p, "entity");
	if (s != NULL && s[0] && (q.entity = alert_entity_parse(s)) < 0)
		return REST_RC_INVALID_ARGUMENTS;
	s = rest_params_get(p, "severity");
	if (s != NULL && s[0]) {
		q.severity = alert_severity_parse(s);
		if (q.severity < 0 &&
		    rest_param_int(p, "severity", ALERT_SEV_MIN, ALERT_SEV_MAX,
				   &v))
			q.severity = (int)v;
		if (q.severity < 0)
			return REST_RC_INVALID_ARGUMENTS;
	}
	if (ra_param_str(p, "entity_val", q.entity_val, sizeof(q.entity_val)) !=
		    0 ||
	    ra_param_str(p, "site", q.site, sizeof(q.site)) != 0 ||
	    rest_param_long(p, "epoch_begin", 0, LONG_MAX, &v) < 0 ||
	    rest_param_long(p, "epoch_end", 0, LONG_MAX, &v) < 0 ||
	    rest_param_long(p, "perPage", 1, 1000, &per_page) < 0 ||
	    rest_param_long(p, "currentPage", 1, 1000000, &page) < 0)
		return REST_RC_INVALID_ARGUMENTS;
	if (rest_param_int(p, "epoch_begin", 0, LONG_MAX, &v))
		q.epoch_begin = (uint64_t)v;
	if (rest_param_int(p, "epoch_end", 0, LONG_MAX, &v))
		q.epoch_end = (uint64_t)v;
	q.length = (uint32_t)per_page;
	q.start = (uint32_t)((page - 1) * per_page);
	if (status == NULL || !strcmp(status, "engaged"))
		return rest_run(ifc, query_b_alerts_engaged, &q, sizeof(q),
				NULL, rsp);
	if (strcmp(status, "past") != 0)
		return REST_RC_INVALID_ARGUMENTS;
	/* what was released a moment ago is on its way to the file */
	alerts_store_drain(1000);
	*rsp = alerts_store_query(iface_id(ifc), &q);
	return *rsp ? REST_RC_OK : REST_RC_INTERNAL_ERROR;
}

enum rest_rc
rest_alerts_consts(struct rest_call *c, json_t **rsp)
{
	json_t *types = json_array(), *sevs = json_array(),
	       *ents = json_array(), *metrics = json_array(),
	       *grans = json_array(), *ops = json_array();
	unsigned i;

	(void)c;
	for (i = 0; i < ALERT_TYPE_MAX; i++) {
		const struct alert_type_info *t = alert_type_info(i);

		json_array_append_new(
			types,
			json_pack("{s:i,s:s,s:s,s:i,s:s}", "id", t->id, "key",
				  t->key, "label", t->label, "severity",
				  t->severity, "severity_name",
				  alert_severity_name(t->severity)));
	}
	for (i = ALERT_SEV_MIN; i <= ALERT_SEV_MAX; i++)
		json_array_append_new(sevs,
				      json_pack("{s:i,s:s}", "id", i, "name",
						alert_severity_name(i)));
	for (i = 0; i < ALERT_ENT_MAX; i++)
		json_array_append_new(ents,
				      json_pack("{s:i,s:s}", "id", i, "name",
						alert_entity_name(i)));
	for (i = 0; i < THR_METRIC_MAX; i++)
		json_array_append_new(metrics,
				      json_string(alert_thr_metric_name(i)));
	for (i = 0; i < THR_GRAN_MAX; i++)
		json_array_append_new(grans, json_pack("{s:s,s:i}", "name",
						       alert_thr_gran_name(i),
						       "seconds",
						       alert_thr_gran_secs(i)));
	for (i = 0; i < THR_OP_MAX; i++)
		json_array_append_new(ops, json_string(alert_thr_op_name(i)));
	*rsp = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "types", types,
			 "severities", sevs, "entities", ents, "metrics",
			 metrics, "granularities", grans, "operators", ops);
	return *rsp ? REST_RC_OK : REST_RC_INTERNAL_ERROR;
}
