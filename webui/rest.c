/*
 * rest.c - the handlers of upstream's REST v2 calls (contract:
 * docs/rest.md), the request parameters and the envelope.
 *
 * How it works: the one route table (webui/routes.c) finds a handler
 * and hands it the row.  A handler reads its parameters (strictly
 * validated: a bad value counts as absent, as upstream's http_lint
 * does), fills the argument block of the row's builder (merge/query.h)
 * and runs it on the interface's owner thread with rest_run(), a thin
 * wrapper of query_run() that maps "not found" and timeouts to return
 * codes.  Back on the HTTP thread the handler may reshape the answer
 * (paging echoes, L7 pie algorithms, field aliases); rest_handle() wraps
 * it in the one envelope {rc, rc_str, rc_str_hr, rsp} with the HTTP
 * status of the rc.  No handler walks an interface's tables.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/form.h"
#include "common/log.h"
#include "geo/geo.h"
#include "merge/iface.h"
#include "merge/query.h"
#include "webui/countries.h"
#include "webui/rest.h"
#include "webui/rest_storage.h"
#include "webui/ui.h"

/* ------------------------------------------------------------------ */
/* parameters                                                          */

void
rest_params_init(struct rest_params *p)
{
	memset(p, 0, sizeof(*p));
}

void
rest_params_fini(struct rest_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

int
rest_params_set(struct rest_params *p, const char *name, const char *value)
{
	char *v = strdup(value ? value : "");

	if (!v)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].name, name) == 0) {
			free(p->v[i].value);
			p->v[i].value = v;
			return 0;
		}
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct rest_param *nv;

		/* A cap on names keeps a hostile request from growing this. */
		if (cap > 1024 || !(nv = realloc(p->v, cap * sizeof(*nv)))) {
			free(v);
			return -1;
		}
		p->v = nv;
		p->cap = cap;
	}
	p->v[p->n].name = strdup(name);
	if (!p->v[p->n].name) {
		free(v);
		return -1;
	}
	p->v[p->n++].value = v;
	return 0;
}

const char *
rest_params_get(const struct rest_params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return p->v[i].value;
	return NULL;
}

int
rest_params_merge_json(struct rest_params *p, const char *body, size_t len)
{
	json_t *root = json_loadb(body, len, 0, NULL), *v;
	const char *k;
	char buf[64];

	if (!json_is_object(root)) {
		json_decref(root);
		return -1;
	}
	json_object_foreach(root, k, v)
	{
		const char *s = buf;

		switch (json_typeof(v)) {
		case JSON_STRING:
			s = json_string_value(v);
			break;
		case JSON_INTEGER:
			snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(v));
			break;
		case JSON_REAL:
			snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
			break;
		case JSON_TRUE:
			s = "true";
			break;
		case JSON_FALSE:
			s = "false";
			break;
		default:
			continue; /* null, arrays, objects: no text form */
		}
		rest_params_set(p, k, s);
	}
	json_decref(root);
	return 0;
}

/* form_parse's callback: one field into the parameters (a field the
 * table has no room for is dropped, as a query string's is). */
static int
rest_form_field(void *arg, const char *k, const char *v)
{
	(void)rest_params_set(arg, k, v);
	return 0;
}

int
rest_params_merge_form(struct rest_params *p, const char *body, size_t len)
{
	return form_parse(body, len, REST_FORM_FIELDS_MAX, rest_form_field, p) <
			       0
		       ? -1
		       : 0;
}

int
rest_param_long(const struct rest_params *p, const char *name, long min,
		long max, long *out)
{
	const char *s = rest_params_get(p, name);
	char *end;
	long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 1;
}

/* true/1 (any case) is true, false/0/empty false, anything else dflt. */
static int
param_bool(const struct rest_params *p, const char *name, int dflt)
{
	const char *s = rest_params_get(p, name);

	if (!s)
		return dflt;
	if (!strcasecmp(s, "true") || !strcmp(s, "1"))
		return 1;
	if (!*s || !strcasecmp(s, "false") || !strcmp(s, "0"))
		return 0;
	return dflt;
}

/* Copies a string parameter into a fixed buffer; 0 if absent/too long. */
static int
param_str(const struct rest_params *p, const char *name, char *buf, size_t len)
{
	const char *s = rest_params_get(p, name);
	size_t n;

	if (!s || !*s || (n = strlen(s)) >= len)
		return 0;
	memcpy(buf, s, n + 1);
	return 1;
}

/* ------------------------------------------------------------------ */
/* return codes and envelope                                           */

static const struct {
	int rc, http;
	const char *str, *hr;
} rest_rcs[] = {
	[REST_RC_OK] = { 0, 200, "OK", "Success" },
	[REST_RC_NOT_FOUND] = { -1, 404, "NOT_FOUND", "Not found" },
	[REST_RC_INVALID_INTERFACE] = { -2, 400, "INVALID_INTERFACE",
					"Invalid interface" },
	[REST_RC_NOT_GRANTED] = { -3, 401, "NOT_GRANTED", "Not authorized" },
	[REST_RC_INVALID_HOST] = { -4, 400, "INVALID_HOST", "Invalid host" },
	[REST_RC_INVALID_ARGUMENTS] = { -5, 400, "INVALID_ARGUMENTS",
					"Invalid arguments" },
	[REST_RC_INTERNAL_ERROR] = { -6, 500, "INTERNAL_ERROR",
				     "Internal error" },
};

/* Errors carry "rsp":[] as upstream's encoder writes an empty table. */
char *
rest_envelope(enum rest_rc rc, const char *hr, json_t *rsp, int *status)
{
	json_t *env;
	char *s;

	if (rc != REST_RC_OK || !rsp) {
		json_decref(rsp);
		rsp = json_array();
	}
	env = json_pack("{s:i,s:s,s:s,s:o}", "rc", rest_rcs[rc].rc, "rc_str",
			rest_rcs[rc].str, "rc_str_hr",
			hr ? hr : rest_rcs[rc].hr, "rsp", rsp);
	if (!env)
		return NULL;
	s = json_dumps(env, JSON_COMPACT);
	json_decref(env);
	*status = rest_rcs[rc].http;
	return s;
}

/* ------------------------------------------------------------------ */
/* owner-thread side                                                   */

enum rest_rc
rest_run(struct iface *ifc, query_build_fn build, void *arg, size_t arg_size,
	 const int *not_found, json_t **out)
{
	if (query_run(ifc, build, arg, arg_size, out) < 0)
		return REST_RC_INTERNAL_ERROR;
	if (not_found && *not_found) {
		json_decref(*out);
		*out = NULL;
		return REST_RC_NOT_FOUND;
	}
	return *out ? REST_RC_OK : REST_RC_INTERNAL_ERROR;
}

/* ------------------------------------------------------------------ */
/* handlers                                                            */

struct iface *
rest_param_iface(const struct rest_params *p, const char *name)
{
	long id;

	if (!rest_param_int(p, name, 0, INT_MAX, &id))
		return NULL;
	return query_iface_by_id(id);
}

/* Reads "host" (+ "vlan") into r; 0 when host is missing. */
static int
param_host(const struct rest_params *p, struct query_host_arg *r)
{
	long v;

	if (!param_str(p, "host", r->host, sizeof(r->host)))
		return 0;
	r->vlan = rest_param_int(p, "vlan", 0, 4095, &v) ? (int)v : 0;
	return 1;
}

enum rest_rc
rest_h_connect_test(struct rest_call *c, json_t **rsp)
{
	(void)c;
	*rsp = json_array();
	return REST_RC_OK;
}

enum rest_rc
rest_h_interfaces(struct rest_call *c, json_t **rsp)
{
	json_t *a = json_array();

	(void)c;
	for (int i = 0; i < query_iface_count(); i++) {
		struct iface *ifc = query_iface_at(i);
		const char *ifname = query_iface_ifname(ifc);
		const char *name = query_iface_name(ifc);
		/* A name set in the preferences page wins. */
		char *custom = ui_iface_custom_name(query_iface_id(ifc));

		json_array_append_new(
			a,
			json_pack("{s:i,s:s,s:s,s:s,s:s}", "ifid",
				  query_iface_id(ifc), "ifname",
				  ifname ? ifname : "", "name",
				  custom ? custom
				  : name ? name
					 : "",
				  "description", query_iface_spec(ifc),
				  /* ours: set/interface/state.lua */
				  "state",
				  iface_enabled(ifc) ? "enabled" : "disabled"));
		free(custom);
	}
	*rsp = a;
	return REST_RC_OK;
}

enum rest_rc
rest_h_iface_data(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	const char *filter = rest_params_get(p, "iffilter");
	const char *type = rest_params_get(p, "type");
	struct query_iface_arg r = { 0 };
	struct iface *ifc;
	enum rest_rc rc;

	r.summary = type && !strcmp(type, "summary");
	if (filter && !strcmp(filter, "all")) {
		json_t *all = json_object(), *one;

		for (int i = 0; i < query_iface_count(); i++) {
			char k[16];

			ifc = query_iface_at(i);
			rc = rest_run(ifc, c->route->build, &r, sizeof(r), NULL,
				      &one);
			if (rc != REST_RC_OK) {
				json_decref(all);
				return rc;
			}
			snprintf(k, sizeof(k), "%d", query_iface_id(ifc));
			json_object_set_new(all, k, one);
		}
		*rsp = all;
		return REST_RC_OK;
	}
	ifc = rest_param_iface(p, "ifid");
	if (!ifc)
		ifc = rest_param_iface(p, "iffilter");
	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	return rest_run(ifc, c->route->build, &r, sizeof(r), NULL, rsp);
}

/* A route whose builder takes no argument, on the interface "ifid"
 * (get/interface/sources.lua, origins.lua, the flow counters). */
enum rest_rc
rest_h_build(struct rest_call *c, json_t **rsp)
{
	struct iface *ifc = rest_param_iface(c->p, "ifid");

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	return rest_run(ifc, c->route->build, NULL, 0, NULL, rsp);
}

enum rest_rc
rest_h_iface_address(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	struct ifaddrs *ifa, *i;
	const char *ifname;
	json_t *a;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	a = json_array();
	/* The device's own addresses; a pcap file or collector has none. */
	if ((ifname = query_iface_ifname(ifc)) && getifaddrs(&ifa) == 0) {
		for (i = ifa; i; i = i->ifa_next) {
			char buf[INET6_ADDRSTRLEN + 8], ip[INET6_ADDRSTRLEN];
			int fam = i->ifa_addr ? i->ifa_addr->sa_family : -1;
			const void *src;

			if (strcmp(i->ifa_name, ifname) != 0 ||
			    (fam != AF_INET && fam != AF_INET6))
				continue;
			src = fam == AF_INET
				      ? (const void *)&((struct sockaddr_in *)
								i->ifa_addr)
						->sin_addr
				      : (const void *)&((struct sockaddr_in6 *)
								i->ifa_addr)
						->sin6_addr;
			if (!inet_ntop(fam, src, ip, sizeof(ip)))
				continue;
			snprintf(buf, sizeof(buf), "%s/%d", ip,
				 fam == AF_INET ? 32 : 128);
			json_array_append_new(a, json_string(buf));
		}
		freeifaddrs(ifa);
	}
	*rsp = json_pack("{s:o}", "addresses", a);
	return REST_RC_OK;
}

/* Sort-column names of the list endpoints and their query keys. */
struct col_map {
	const char *name;
	int key;
};

static const struct col_map host_cols[] = {
	{ "ip", QHS_IP },
	{ "name", QHS_NAME },
	{ "since", QHS_SINCE },
	{ "last", QHS_LAST },
	{ "vlan", QHS_VLAN },
	{ "num_flows", QHS_NUM_FLOWS },
	{ "traffic", QHS_TRAFFIC },
	{ "thpt", QHS_THPT },
	{ "mac", QHS_MAC },
	{ "local_network", QHS_LOCAL_NETWORK },
	{ "local_network_id", QHS_LOCAL_NETWORK },
	{ "traffic_sent", QHS_TRAFFIC_SENT },
	{ "traffic_rcvd", QHS_TRAFFIC_RCVD },
	{ "traffic_unknown", QHS_TRAFFIC_UNKNOWN },
	{ "num_flows_as_client", QHS_FLOWS_CLI },
	{ "num_flows_as_server", QHS_FLOWS_SRV },
	{ NULL, 0 },
};

static const struct col_map flow_cols[] = {
	{ "client", QFS_CLIENT },
	{ "server", QFS_SERVER },
	{ "vlan", QFS_VLAN },
	{ "proto_l4", QFS_PROTO_L4 },
	{ "ndpi", QFS_L7 },
	{ "protocol", QFS_L7 },
	{ "duration", QFS_DURATION },
	{ "thpt", QFS_THPT },
	{ "bytes", QFS_BYTES },
	{ "first_seen", QFS_FIRST_SEEN },
	{ "last_seen", QFS_LAST_SEEN },
	{ "info", QFS_INFO },
	{ "key", QFS_KEY },
	{ NULL, 0 },
};

static int
col_find(const struct col_map *m, const char *name, int dflt)
{
	for (; name && m->name; m++)
		if (!strcmp(m->name, name))
			return m->key;
	return dflt;
}

/* Reads the paging parameters shared by host/active and flow/active and
 * adds their echo (currentPage, perPage, sort) to the answer `o`.
 * allow_all: the `all` flag of host/active. */
static void
paging_read(const struct rest_params *p, const struct col_map *cols,
	    int dflt_col, int dflt_desc, int allow_all, int *sort, int *desc,
	    int *per_page, int *page, json_t *echo)
{
	const char *col = rest_params_get(p, "sortColumn");
	const char *ord = rest_params_get(p, "sortOrder");
	char ecol[80];
	long v;

	if (ord && strcmp(ord, "asc") && strcmp(ord, "desc"))
		ord = NULL;
	*sort = col_find(cols, col, dflt_col);
	*desc = ord ? !strcmp(ord, "desc") : dflt_desc;
	*per_page = rest_param_int(p, "perPage", 1, INT_MAX, &v) ? (int)v : 10;
	*page = rest_param_int(p, "currentPage", 1, INT_MAX, &v) ? (int)v : 1;
	if (allow_all && rest_params_get(p, "all")) {
		*per_page = -1;
		*page = 0;
	}
	json_object_set_new(echo, "currentPage", json_integer(*page));
	json_object_set_new(echo, "perPage", json_integer(*per_page));
	snprintf(ecol, sizeof(ecol), "column_%s", col ? col : "");
	if (!col && !ord && allow_all)
		json_object_set_new(echo, "sort", json_pack("[[]]"));
	else
		json_object_set_new(
			echo, "sort",
			json_pack("[[s,s]]", ecol, *desc ? "desc" : "asc"));
}

/* Runs a list request (builder b on the argument block q of q_size
 * bytes, whose not_found flag nf points into it) and merges {data,
 * totalRows} into the echo. */
static enum rest_rc
list_run(struct iface *ifc, query_build_fn b, void *q, size_t q_size,
	 const int *nf, json_t *echo, json_t **rsp)
{
	json_t *res;
	enum rest_rc rc = rest_run(ifc, b, q, q_size, nf, &res);

	if (rc != REST_RC_OK) {
		json_decref(echo); /* echo may be *rsp itself */
		*rsp = NULL;
		return rc;
	}
	json_object_update(echo, res);
	json_decref(res);
	*rsp = echo;
	return REST_RC_OK;
}

enum rest_rc
rest_h_host_active(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	const char *mode = rest_params_get(p, "mode");
	struct host_query q;
	long v;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	memset(&q, 0, sizeof(q));
	*rsp = json_object();
	paging_read(p, host_cols, QHS_IP, 0, 1, &q.sort, &q.desc, &q.per_page,
		    &q.page, *rsp);
	if (mode &&
	    (!strcmp(mode, "local") || !strcmp(mode, "broadcast_domain")))
		q.mode = QUERY_HOSTS_LOCAL;
	else if (mode && !strcmp(mode, "remote"))
		q.mode = QUERY_HOSTS_REMOTE;
	q.version =
		rest_param_int(p, "version", 4, 6, &v) && v != 5 ? (int)v : 0;
	q.vlan = rest_param_int(p, "vlan", 0, 4095, &v) ? (int)v : -1;
	param_str(p, "origin", q.origin, sizeof(q.origin));
	if (rest_param_int(p, "asn", 0, UINT32_MAX, &v)) {
		q.has_asn = 1;
		q.asn = (uint32_t)v;
	}
	if (rest_params_get(p, "country") != NULL) {
		/* a code is two letters; anything else matches no host */
		const char *cc = rest_params_get(p, "country");

		q.has_country = 1;
		if (cc[0] != '\0' &&
		    !param_str(p, "country", q.country, sizeof(q.country)))
			q.country[0] = '\x01'; /* no country has it */
	}
	return list_run(ifc, c->route->build, &q, sizeof(q), NULL, *rsp, rsp);
}

/* The flow filters of rest-api.md 4.6 (host, vlan, l4proto,
 * application, origin) into q. */
static void
flow_filters_read(const struct rest_params *p, struct flow_query *q)
{
	long v;

	q->vlan = rest_param_int(p, "vlan", 0, 4095, &v) ? (int)v : -1;
	q->host_vlan = q->vlan < 0 ? 0 : q->vlan;
	q->l4proto = rest_param_int(p, "l4proto", 0, 255, &v) ? (int)v : -1;
	param_str(p, "host", q->host, sizeof(q->host));
	param_str(p, "application", q->application, sizeof(q->application));
	param_str(p, "origin", q->origin, sizeof(q->origin));
}

/* A flow query with the list filters of p read in (heap: 2 KB with its
 * strings, and HTTP threads' stacks are small), or NULL. */
static struct flow_query *
flow_query_new(const struct rest_params *p)
{
	struct flow_query *q = calloc(1, sizeof(*q));

	if (q)
		flow_filters_read(p, q);
	return q;
}

enum rest_rc
rest_h_flow_active(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	struct flow_query *q;
	enum rest_rc rc;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	if (!(q = flow_query_new(p)))
		return REST_RC_INTERNAL_ERROR;
	*rsp = json_object();
	paging_read(p, flow_cols, QFS_BYTES, 1, 0, &q->sort, &q->desc,
		    &q->per_page, &q->page, *rsp);
	q->verbose = param_bool(p, "verbose", 0);
	rc = list_run(ifc, c->route->build, q, sizeof(*q), &q->host_not_found,
		      *rsp, rsp);
	free(q);
	return rc;
}

enum rest_rc
rest_h_host_data(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	struct query_host_arg r;
	enum rest_rc rc;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	memset(&r, 0, sizeof(r));
	if (!param_host(p, &r))
		return REST_RC_INVALID_ARGUMENTS;
	rc = rest_run(ifc, c->route->build, &r, sizeof(r), &r.not_found, rsp);
	/* host_stats other than empty/true/1 asks for an empty host. */
	if (rc == REST_RC_OK && !param_bool(p, "host_stats", 1)) {
		json_decref(*rsp);
		*rsp = json_array();
	}
	return rc;
}

/* Keeps the keys of field_alias ("a,b=alias,...") from one host object. */
static json_t *
custom_pick(json_t *host, const char *spec)
{
	json_t *o = json_object();
	const char *s = spec;

	while (*s) {
		size_t n = strcspn(s, ","), kn;
		const char *eq = memchr(s, '=', n);
		char key[128], alias[128];
		json_t *v;

		kn = eq ? (size_t)(eq - s) : n;
		if (kn > 0 && kn < sizeof(key)) {
			memcpy(key, s, kn);
			key[kn] = '\0';
			if (eq && n - kn - 1 > 0 &&
			    n - kn - 1 < sizeof(alias)) {
				memcpy(alias, eq + 1, n - kn - 1);
				alias[n - kn - 1] = '\0';
			} else {
				memcpy(alias, key, kn + 1);
			}
			v = json_object_get(host, key);
			if (v)
				json_object_set(o, alias, v);
		}
		s += n;
		if (*s == ',')
			s++;
	}
	return o;
}

enum rest_rc
rest_h_host_custom_data(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	const char *spec = rest_params_get(p, "field_alias");
	struct query_host_arg r;
	enum rest_rc rc;
	json_t *res, *v;
	size_t i;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	if (spec && !*spec)
		return REST_RC_INVALID_ARGUMENTS;
	memset(&r, 0, sizeof(r));
	/* One host when "host" is given, else every host (the route's
	 * builder). */
	if (param_host(p, &r))
		rc = rest_run(ifc, query_b_host_data, &r, sizeof(r),
			      &r.not_found, &res);
	else
		rc = rest_run(ifc, c->route->build, NULL, 0, NULL, &res);
	if (rc != REST_RC_OK)
		return rc;
	if (!spec || !strcmp(spec, "all")) {
		*rsp = res;
		return REST_RC_OK;
	}
	if (json_is_object(res)) {
		*rsp = custom_pick(res, spec);
	} else {
		*rsp = json_array();
		json_array_foreach(res, i, v)
			json_array_append_new(*rsp, custom_pick(v, spec));
	}
	json_decref(res);
	return REST_RC_OK;
}

enum rest_rc
rest_h_host_interfaces(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct query_host_arg r;
	json_t *list, *res;
	char key[QUERY_STR_MAX + 8];

	memset(&r, 0, sizeof(r));
	if (!param_host(p, &r))
		return REST_RC_INVALID_ARGUMENTS;
	if (r.vlan && !strchr(r.host, '@'))
		snprintf(key, sizeof(key), "%s@%d", r.host, r.vlan);
	else
		snprintf(key, sizeof(key), "%s", r.host);
	list = json_array();
	for (int i = 0; i < query_iface_count(); i++) {
		struct iface *ifc = query_iface_at(i);

		r.not_found = 0;
		if (rest_run(ifc, c->route->build, &r, sizeof(r), &r.not_found,
			     &res) == REST_RC_OK)
			json_array_append_new(list,
					      json_pack("{s:i}", "ifid",
							query_iface_id(ifc)));
		json_decref(res);
	}
	*rsp = json_pack("{s:o}", key, list);
	return REST_RC_OK;
}

/* ---- L7 pies ---- */

struct slice {
	const char *label; /* points into the answer object's keys */
	json_int_t value, duration;
};

static int
slice_cmp(const void *a, const void *b)
{
	const struct slice *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? 1 : -1;
	return strcmp(x->label, y->label);
}

/* Appends {label, value[, url][, duration]} to arr. */
static void
slice_add(json_t *arr, const char *label, json_int_t value, int url,
	  json_int_t duration)
{
	json_t *o = json_pack("{s:s,s:I}", "label", label, "value", value);
	char buf[192];

	if (url) {
		snprintf(buf, sizeof(buf),
			 "/lua/flows_stats.lua?application=%s", label);
		json_object_set_new(o, "url", json_string(buf));
	}
	if (duration >= 0)
		json_object_set_new(o, "duration", json_integer(duration));
	json_array_append_new(arr, o);
}

/*
 * The pie of §4.7 "sinceStartup": the first slice is always kept, later
 * slices under 3 % of the total go to "Other", which is always appended
 * when collapsing.  with_dur: also emit each slice's duration.
 */
static json_t *
pie_collapse(struct slice *v, size_t n, int collapse, int url, int with_dur)
{
	json_t *a = json_array();
	json_int_t total = 0, other = 0;

	qsort(v, n, sizeof(*v), slice_cmp);
	for (size_t i = 0; i < n; i++)
		total += v[i].value;
	for (size_t i = 0; i < n; i++) {
		if (collapse && i > 0 && v[i].value * 100 < total * 3) {
			other += v[i].value;
			continue;
		}
		slice_add(a, v[i].label, v[i].value, url,
			  with_dur ? v[i].duration : -1);
	}
	if (collapse && n > 0)
		slice_add(a, "Other", other, 0, -1);
	return a;
}

/* Collects the slices of an L7 object: value = bytes (sent + rcvd) or,
 * with `flows`, active flows. */
static struct slice *
slices_from(json_t *ndpi, int flows, size_t extra, size_t *n)
{
	struct slice *v =
		calloc(json_object_size(ndpi) + extra + 1, sizeof(*v));
	const char *k;
	json_t *e;

	*n = 0;
	if (!v)
		return NULL;
	json_object_foreach(ndpi, k, e)
	{
		v[*n].label = k;
		if (flows)
			v[*n].value = json_integer_value(
				json_object_get(e, "num_flows"));
		else
			v[*n].value = json_integer_value(json_object_get(
					      e, "bytes.sent")) +
				      json_integer_value(
					      json_object_get(e, "bytes.rcvd"));
		v[*n].duration =
			json_integer_value(json_object_get(e, "duration"));
		(*n)++;
	}
	return v;
}

static int
param_l7_group(const struct rest_params *p)
{
	if (param_bool(p, "breed", 0))
		return QUERY_L7_BREED;
	if (param_bool(p, "ndpi_category", 0))
		return QUERY_L7_CATEGORY;
	return QUERY_L7_PROTO;
}

/* The "count" pie: top max_values apps above 3 % of active flows. */
static json_t *
pie_count(struct slice *v, size_t n, long max_values)
{
	json_t *a = json_array();
	json_int_t total = 0, taken = 0;
	long k = 0;

	qsort(v, n, sizeof(*v), slice_cmp);
	for (size_t i = 0; i < n; i++)
		total += v[i].value;
	if (total == 0) {
		slice_add(a, "No Flows", 0, 0, -1);
		return a;
	}
	for (size_t i = 0; i < n && (max_values < 0 || k < max_values); i++) {
		if (v[i].value * 100 <= total * 3)
			break;
		slice_add(a, v[i].label, v[i].value, 1, -1);
		taken += v[i].value;
		k++;
	}
	if (total > taken)
		slice_add(a, "Other", total - taken, 0, -1);
	return a;
}

enum rest_rc
rest_h_l7_stats(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	const char *mode = rest_params_get(p, "ndpistats_mode");
	struct l7_query r = { QUERY_L7_PROTO };
	struct slice *v;
	json_t *res, *ndpi;
	enum rest_rc rc;
	size_t n;
	long maxv = 5;
	int count;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	if (!mode || (strcmp(mode, "count") && strcmp(mode, "sinceStartup")))
		return REST_RC_INVALID_ARGUMENTS;
	count = !strcmp(mode, "count");
	/* breed / category grouping applies to sinceStartup only. */
	r.group = count ? QUERY_L7_PROTO : param_l7_group(p);
	rc = rest_run(ifc, c->route->build, &r, sizeof(r), NULL, &res);
	if (rc != REST_RC_OK)
		return rc;
	ndpi = json_object_get(res, "ndpi");
	v = slices_from(ndpi, count, 1, &n);
	if (!v) {
		json_decref(res);
		return REST_RC_INTERNAL_ERROR;
	}
	if (count) {
		rest_param_int(p, "max_values", 0, INT_MAX, &maxv);
		if (param_bool(p, "all_values", 0))
			maxv = -1;
		*rsp = pie_count(v, n, maxv);
	} else {
		json_int_t arp =
			json_integer_value(json_object_get(res, "arp_bytes"));

		/* ARP is no IP flow, so our L7 table never counted it under
		 * Unknown: it is only added as its own slice. */
		if (arp > 0 && r.group == QUERY_L7_PROTO) {
			v[n].label = "ARP";
			v[n++].value = arp;
		}
		*rsp = pie_collapse(v, n, param_bool(p, "collapse_stats", 1),
				    r.group == QUERY_L7_PROTO, 0);
	}
	free(v);
	json_decref(res);
	return REST_RC_OK;
}

enum rest_rc
rest_h_l7_data(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	struct l7_query r = { QUERY_L7_PROTO };
	json_int_t sum = 0;
	json_t *res, *ndpi, *e;
	const char *k;
	enum rest_rc rc;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	rc = rest_run(ifc, c->route->build, &r, sizeof(r), NULL, &res);
	if (rc != REST_RC_OK)
		return rc;
	ndpi = json_object_get(res, "ndpi");
	json_object_foreach(ndpi, k, e) sum +=
		json_integer_value(json_object_get(e, "bytes.sent")) +
		json_integer_value(json_object_get(e, "bytes.rcvd"));
	*rsp = json_array();
	json_object_foreach(ndpi, k, e)
	{
		json_int_t s =
			json_integer_value(json_object_get(e, "bytes.sent"));
		json_int_t rv =
			json_integer_value(json_object_get(e, "bytes.rcvd"));
		json_int_t ps =
			json_integer_value(json_object_get(e, "packets.sent"));
		json_int_t pr =
			json_integer_value(json_object_get(e, "packets.rcvd"));
		json_int_t pt =
			json_integer_value(json_object_get(e, "packets"));

		json_array_append_new(
			*rsp,
			json_pack("{s:{s:s,s:O},s:{s:I,s:I,s:I,s:I},s:{s:I,s:I,"
				  "s:I},s:O,s:O}",
				  "application", "name", k, "id",
				  json_object_get(e, "id"), "bytes", "rcvd", rv,
				  "sent", s, "total", s + rv, "percentage",
				  sum ? 1 + (s + rv) * 100 / sum : 0, "packets",
				  "rcvd", pr, "sent", ps, "total", pt, "breed",
				  json_object_get(e, "breed"), "tot_num_flows",
				  json_object_get(e, "total_flows")));
	}
	json_decref(res);
	return REST_RC_OK;
}

enum rest_rc
rest_h_host_l7_stats(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	struct query_host_arg r;
	struct slice *v;
	json_t *res;
	enum rest_rc rc;
	size_t n;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	memset(&r, 0, sizeof(r));
	if (!param_host(p, &r))
		return REST_RC_NOT_FOUND;
	r.lq.group = param_l7_group(p);
	rc = rest_run(ifc, c->route->build, &r, sizeof(r), &r.not_found, &res);
	if (rc == REST_RC_OK) {
		v = slices_from(res, 0, 0, &n);
		if (v) {
			/* Durations only make sense per protocol. */
			if (r.lq.group != QUERY_L7_PROTO)
				for (size_t i = 0; i < n; i++)
					v[i].duration = 0;
			*rsp = pie_collapse(
				v, n, param_bool(p, "collapse_stats", 1), 0, 1);
		} else {
			rc = REST_RC_INTERNAL_ERROR;
		}
		free(v);
		json_decref(res);
	}
	return rc;
}

enum rest_rc
rest_h_flow_traffic(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	struct flow_query *q;
	enum rest_rc rc;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	if (!(q = flow_query_new(p)))
		return REST_RC_INTERNAL_ERROR;
	rc = rest_run(ifc, c->route->build, q, sizeof(*q), &q->host_not_found,
		      rsp);
	free(q);
	return rc;
}

/* "host" is optional here. */
enum rest_rc
rest_h_flow_graph(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	struct query_host_arg r;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	memset(&r, 0, sizeof(r));
	param_host(p, &r);
	return rest_run(ifc, c->route->build, &r, sizeof(r), &r.not_found, rsp);
}

enum rest_rc
rest_h_host_contacts(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	struct query_host_arg r;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	memset(&r, 0, sizeof(r));
	if (!param_host(p, &r))
		return REST_RC_INVALID_ARGUMENTS;
	return rest_run(ifc, c->route->build, &r, sizeof(r), &r.not_found, rsp);
}

enum rest_rc
rest_h_host_activitymap(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	struct query_host_arg r;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	memset(&r, 0, sizeof(r));
	if (!param_host(p, &r))
		return REST_RC_INVALID_ARGUMENTS;
	return rest_run(ifc,
			param_bool(p, "seconds", 0)
				? query_b_host_activity_seconds
				: c->route->build,
			&r, sizeof(r), &r.not_found, rsp);
}

enum rest_rc
rest_h_host_correlation(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	const char *m = rest_params_get(p, "method");
	struct query_corr_arg r;
	long max;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	memset(&r, 0, sizeof(r));
	if (!param_host(p, &r.h))
		return REST_RC_INVALID_ARGUMENTS;
	if (m == NULL || strcmp(m, "pearson") == 0)
		r.method = QUERY_CORR_PEARSON;
	else if (strcmp(m, "jaccard") == 0)
		r.method = QUERY_CORR_JACCARD;
	else
		return REST_RC_INVALID_ARGUMENTS;
	r.max = rest_param_int(p, "max", 1, 100, &max) ? (int)max : 10;
	return rest_run(ifc, c->route->build, &r, sizeof(r), &r.h.not_found,
			rsp);
}

/* The AS table's entry of "asn" (absent: 0, the hosts in no AS) as a
 * one-row array; an AS the interface never had gives an empty array. */
enum rest_rc
rest_h_asn_info(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	struct query_asn_arg a = { 0 };
	json_t *one = NULL;
	long asn;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	if (rest_param_int(p, "asn", 0, UINT32_MAX, &asn))
		a.asn = (uint32_t)asn;
	if (query_run(ifc, c->route->build, &a, sizeof(a), &one) < 0)
		return REST_RC_INTERNAL_ERROR;
	*rsp = json_array();
	if (one != NULL)
		json_array_append_new(*rsp, one);
	return REST_RC_OK;
}

/* A bare string: the AS name of "ip" from the ASN database ("" when it
 * is not loaded or does not know ip). */
enum rest_rc
rest_h_asn_name(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	char buf[IPADDR_STRLEN + 8];
	struct ipaddr ip;
	struct geo_info g;

	if (!param_str(p, "ip", buf, sizeof(buf)) ||
	    ipaddr_parse(&ip, buf) != 0)
		return REST_RC_INVALID_ARGUMENTS;
	if (geo_lookup(&ip, &g) < 0)
		g.asname[0] = '\0';
	*rsp = json_string(g.asname);
	return *rsp ? REST_RC_OK : REST_RC_INTERNAL_ERROR;
}

static int
country_cmp(const void *key, const void *e)
{
	return strcmp(key, ((const struct country_name *)e)->code);
}

/* A bare string: the name of the country whose engine code is
 * "country_id" (upstream's 16-bit code: the two ISO 3166-1 letters,
 * first in the high byte); an unknown code answers its letters. */
enum rest_rc
rest_h_country_name(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	const struct country_name *cn;
	char code[3];
	long id;

	if (!rest_param_int(p, "country_id", 0, 0xffff, &id))
		return REST_RC_INVALID_ARGUMENTS;
	code[0] = (char)((id >> 8) & 0xff);
	code[1] = (char)(id & 0xff);
	code[2] = '\0';
	if (code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z')
		return REST_RC_INVALID_ARGUMENTS;
	cn = bsearch(code, country_names,
		     sizeof(country_names) / sizeof(country_names[0]),
		     sizeof(country_names[0]), country_cmp);
	*rsp = json_string(cn ? cn->name : code);
	return *rsp ? REST_RC_OK : REST_RC_INTERNAL_ERROR;
}

/* get/host/find.lua?ifid=&query=[&limit=]: host search (the navigation
 * bar's search box; merge/query_find.c). */
enum rest_rc
rest_h_host_find(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *ifc = rest_param_iface(p, "ifid");
	struct query_host_arg r;
	enum rest_rc rc;
	json_t *res;
	long v;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	memset(&r, 0, sizeof(r));
	if (!param_str(p, "query", r.host, sizeof(r.host)) || r.host[0] == '\0')
		return REST_RC_INVALID_ARGUMENTS;
	r.vlan = rest_param_int(p, "limit", 1, 100, &v) ? (int)v : 10;
	rc = rest_run(ifc, c->route->build, &r, sizeof(r), NULL, &res);
	if (rc != REST_RC_OK)
		return rc;
	*rsp = json_pack("{s:s,s:o}", "query", r.host, "results", res);
	return *rsp ? REST_RC_OK : REST_RC_INTERNAL_ERROR;
}
