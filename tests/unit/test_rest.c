/*
 * test_rest.c - the REST routing and parameters (webui/routes.c,
 * webui/rest.c) and the query layer's builders (merge/query.c).
 *
 * Routing: lookup by exact path, the v1 alias, unknown paths, the
 * administrator rule of the one table.  Parameters: the bounds of the
 * whole-number reader, the cap on names, JSON bodies.  Builders: run
 * directly on a detached interface (this thread is its owner while no
 * owner thread runs) fed with flow updates, then once through
 * query_run() with a real owner thread to see the argument block's
 * out-flag come back.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <ndpi/ndpi_main.h>

#include "dpi/dpi.h"
#include "common/prefs.h"
#include "merge/iface.h"
#include "merge/query.h"
#include "state/auth.h"
#include "webui/rest.h"

/* ------------------------------------------------------------------ */
/* routing                                                             */

static void
test_route_lookup(void **state)
{
	const struct rest_route *r = rest_route_find("/lua/rest/v2/get/host/active.lua");

	(void)state;
	assert_non_null(r);
	assert_string_equal(r->path, "get/host/active.lua");
	assert_ptr_equal(r->fn, rest_h_host_active);
	assert_ptr_equal(r->build, query_b_hosts);
	/* v1 is an alias of v2 (rest-api.md §7 #17) */
	assert_ptr_equal(rest_route_find("/lua/rest/v1/get/host/active.lua"), r);
	/* the web pages' own calls are in the same table */
	r = rest_route_find("/lua/rest/v2/get/vlan/list.lua");
	assert_non_null(r);
	assert_ptr_equal(r->build, query_b_vlans);
	assert_ptr_equal(rest_route_find("/lua/rest/v2/get/asn/list.lua")->build,
			 query_b_asns);
	assert_ptr_equal(rest_route_find("/lua/rest/v2/get/country/list.lua")->build,
			 query_b_countries);
	/* exact paths only */
	assert_null(rest_route_find("/lua/rest/v3/get/host/active.lua"));
	assert_null(rest_route_find("/lua/rest/v2/get/host/active.lua/"));
	assert_null(rest_route_find("/lua/rest/v2/get/host/active"));
	assert_null(rest_route_find("/lua/rest/v2/"));
	assert_null(rest_route_find("/lua/rest/v2"));
	assert_null(rest_route_find("/lua/rest/v2//get/host/active.lua"));
	assert_null(rest_route_find(""));
	assert_true(rest_is_path("/lua/rest/version.lua"));
	assert_true(rest_is_path("/lua/rest/v2/set/ntopng/user/add.lua"));
	assert_false(rest_is_path("/lua/rest/v2/get/nothing.lua"));
}

/* Every row has a handler and its own path. */
static void
test_route_table_sane(void **state)
{
	size_t n;
	const struct rest_route *t = rest_routes_all(&n);

	(void)state;
	assert_true(n >= 40);
	for (size_t i = 0; i < n; i++) {
		char url[256];

		assert_non_null(t[i].fn);
		snprintf(url, sizeof(url), "/lua/rest/v2/%s", t[i].path);
		assert_ptr_equal(rest_route_find(url), &t[i]);
		assert_true(rest_is_path(url));
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(t[i].path, t[j].path);
	}
}

/*
 * The administrator rule: a route whose first word writes (set/ add/
 * edit/ delete/ enable/ disable/ reset/) is for administrators, with the
 * one exception of a user's own password; create/ and get/ are not,
 * unless marked (the users list).
 */
static void
test_route_admin_rule(void **state)
{
	static const char *const verbs[] = { "set/", "add/", "edit/", "delete/",
					     "enable/", "disable/", "reset/" };
	size_t n, selfs = 0;
	const struct rest_route *t = rest_routes_all(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		int writes = 0;

		for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
			writes |= !strncmp(t[i].path, verbs[k], strlen(verbs[k]));
		if (t[i].admin == REST_SELF) {
			selfs++;
			assert_string_equal(t[i].path, "set/ntopng/user/password.lua");
			assert_false(rest_route_admin_only(&t[i]));
		} else if (writes) {
			assert_true(rest_route_admin_only(&t[i]));
		}
	}
	assert_int_equal(selfs, 1);
	assert_true(rest_route_admin_only(rest_route_find(
		"/lua/rest/v2/set/interface/historical.lua")));
	assert_true(rest_route_admin_only(rest_route_find(
		"/lua/rest/v2/get/ntopng/users.lua")));
	assert_false(rest_route_admin_only(rest_route_find(
		"/lua/rest/v2/create/ntopng/api_token.lua")));
	assert_false(rest_route_admin_only(rest_route_find(
		"/lua/rest/v2/get/flow/active.lua")));
	/* a route added later with a writing verb is covered without a flag */
	{
		struct rest_route later = { "delete/host/alerts.lua", NULL,
					    REST_BY_VERB, NULL };
		struct rest_route reset = { "reset/stats.lua", NULL, REST_BY_VERB,
					    NULL };

		assert_true(rest_route_admin_only(&later));
		assert_true(rest_route_admin_only(&reset));
	}
}

/* Parses a whole answer and checks its rc_str. */
static json_t *
answer(const char *url, const struct rest_params *p, int admin, int want_status,
       const char *want_rc)
{
	struct auth_user u;
	char *body = NULL;
	int status = 0;
	json_t *o;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", admin ? "admin" : "viewer");
	u.admin = admin;
	assert_int_equal(rest_handle(url, p, &u, &status, &body), 0);
	assert_non_null(body);
	assert_int_equal(status, want_status);
	o = json_loads(body, 0, NULL);
	free(body);
	assert_non_null(o);
	if (want_rc)
		assert_string_equal(json_string_value(json_object_get(o, "rc_str")),
				    want_rc);
	return o;
}

static void
test_handle_envelopes(void **state)
{
	struct rest_params p;
	json_t *o;

	(void)state;
	rest_params_init(&p);
	/* unknown route: 404 with the envelope, rsp [] */
	o = answer("/lua/rest/v2/get/nothing.lua", &p, 1, 404, "NOT_FOUND");
	assert_int_equal(json_integer_value(json_object_get(o, "rc")), -1);
	assert_true(json_is_array(json_object_get(o, "rsp")));
	assert_int_equal(json_array_size(json_object_get(o, "rsp")), 0);
	json_decref(o);
	/* a writing route refused to a non-administrator before its handler
	 * runs (the handler would need storage) */
	o = answer("/lua/rest/v2/set/interface/historical.lua", &p, 0, 401,
		   "NOT_GRANTED");
	assert_string_equal(json_string_value(json_object_get(o, "rc_str_hr")),
			    "This needs administrator rights");
	json_decref(o);
	o = answer("/lua/rest/v1/set/ntopng/prefs.lua", &p, 0, 401, "NOT_GRANTED");
	json_decref(o);
	/* an administrator gets through to the handler: no -F, no
	 * Historical interface (an enum rest_rc straight from
	 * webui/rest_storage.c) */
	o = answer("/lua/rest/v2/set/interface/historical.lua", &p, 1, 404,
		   "NOT_FOUND");
	json_decref(o);
	/* no such interface (this process has none) */
	assert_int_equal(rest_params_set(&p, "ifid", "0"), 0);
	o = answer("/lua/rest/v2/get/host/active.lua", &p, 1, 400,
		   "INVALID_INTERFACE");
	json_decref(o);
	o = answer("/lua/rest/v2/get/vlan/list.lua", &p, 0, 400,
		   "INVALID_INTERFACE");
	json_decref(o);
	/* a handler without tables */
	o = answer("/lua/rest/v2/connect/test.lua", &p, 0, 200, "OK");
	json_decref(o);
	o = answer("/lua/rest/v2/get/session.lua", &p, 0, 404, "NOT_FOUND");
	json_decref(o);
	/* the version call has no envelope */
	o = answer("/lua/rest/version.lua", &p, 0, 200, NULL);
	assert_string_equal(json_string_value(json_object_get(o, "current_version")),
			    "2");
	json_decref(o);
	rest_params_fini(&p);
}

/* ------------------------------------------------------------------ */
/* parameters                                                          */

static void
test_params_bounds(void **state)
{
	struct rest_params p;
	char name[16];
	long v = -7;

	(void)state;
	rest_params_init(&p);
	assert_int_equal(rest_param_long(&p, "n", 0, 10, &v), 0);       /* absent */
	assert_int_equal(rest_params_set(&p, "n", ""), 0);
	assert_int_equal(rest_param_long(&p, "n", 0, 10, &v), 0);       /* empty */
	assert_int_equal(rest_params_set(&p, "n", "10"), 0);
	assert_int_equal(rest_param_long(&p, "n", 0, 10, &v), 1);
	assert_int_equal(v, 10);
	assert_int_equal(rest_params_set(&p, "n", "11"), 0);            /* replaces */
	assert_int_equal(p.n, 1);
	assert_int_equal(rest_param_long(&p, "n", 0, 10, &v), -1);
	assert_int_equal(v, 10);                                        /* untouched */
	assert_int_equal(rest_params_set(&p, "n", "-1"), 0);
	assert_int_equal(rest_param_long(&p, "n", 0, 10, &v), -1);
	assert_int_equal(rest_params_set(&p, "n", "5x"), 0);
	assert_int_equal(rest_param_long(&p, "n", 0, 10, &v), -1);
	assert_int_equal(rest_params_set(&p, "n", "99999999999999999999999"), 0);
	assert_int_equal(rest_param_long(&p, "n", 0, LONG_MAX, &v), -1);
	assert_false(rest_param_int(&p, "n", 0, 10, &v));
	assert_int_equal(rest_params_set(&p, "n", " 3"), 0);            /* strtol */
	assert_int_equal(rest_param_long(&p, "n", 0, 10, &v), 1);
	assert_int_equal(v, 3);
	/* an interface id that names no interface */
	assert_int_equal(rest_params_set(&p, "ifid", "0"), 0);
	assert_null(rest_param_iface(&p, "ifid"));
	assert_int_equal(rest_params_set(&p, "ifid", "-1"), 0);
	assert_null(rest_param_iface(&p, "ifid"));
	rest_params_fini(&p);

	/* a hostile request cannot grow the list past 1024 names */
	rest_params_init(&p);
	for (int i = 0; i < 1024; i++) {
		snprintf(name, sizeof(name), "k%d", i);
		assert_int_equal(rest_params_set(&p, name, "v"), 0);
	}
	assert_int_equal(rest_params_set(&p, "one-more", "v"), -1);
	assert_null(rest_params_get(&p, "one-more"));
	assert_string_equal(rest_params_get(&p, "k1023"), "v");
	rest_params_fini(&p);
}

static void
test_params_json_body(void **state)
{
	static const char body[] = "{\"ifid\": 2, \"all\": true, \"off\": false,"
		" \"host\": \"10.0.0.1\", \"nested\": {\"a\": 1}}";
	struct rest_params p;

	(void)state;
	rest_params_init(&p);
	assert_int_equal(rest_params_set(&p, "ifid", "1"), 0);
	assert_int_equal(rest_params_merge_json(&p, body, strlen(body)), 0);
	assert_string_equal(rest_params_get(&p, "ifid"), "2");   /* body wins */
	assert_string_equal(rest_params_get(&p, "all"), "true");
	assert_string_equal(rest_params_get(&p, "off"), "false");
	assert_string_equal(rest_params_get(&p, "host"), "10.0.0.1");
	assert_int_equal(rest_params_merge_json(&p, "[1,2]", 5), -1);
	assert_int_equal(rest_params_merge_json(&p, "{\"a\":", 5), -1);
	assert_string_equal(rest_params_get(&p, "ifid"), "2");
	rest_params_fini(&p);
}

/* A POST form body: fields decoded (+ and %XX), overriding the query
 * string; empty names, fields without '=', %00 and bad escapes handled;
 * at most REST_FORM_FIELDS_MAX fields. */
static void
test_params_form_body(void **state)
{
	static const char body[] = "ifid=3&state=dis%61bled&name=a+b%2Fc&&=x&noeq"
				   "&z=%00&pct=100%&bad=%zz&empty=";
	struct rest_params p;
	char big[REST_FORM_FIELDS_MAX * 6 + 16];
	size_t o = 0;

	(void)state;
	rest_params_init(&p);
	assert_int_equal(rest_params_set(&p, "ifid", "1"), 0);
	assert_int_equal(rest_params_merge_form(&p, body, strlen(body)), 0);
	assert_string_equal(rest_params_get(&p, "ifid"), "3");
	assert_string_equal(rest_params_get(&p, "state"), "disabled");
	assert_string_equal(rest_params_get(&p, "name"), "a b/c");
	assert_null(rest_params_get(&p, "noeq"));
	assert_null(rest_params_get(&p, "z")); /* a NUL byte: skipped */
	assert_string_equal(rest_params_get(&p, "pct"), "100%");
	assert_string_equal(rest_params_get(&p, "bad"), "%zz");
	assert_string_equal(rest_params_get(&p, "empty"), "");
	/* a body cut in the middle of an escape */
	assert_int_equal(rest_params_merge_form(&p, "t=%4", 4), 0);
	assert_string_equal(rest_params_get(&p, "t"), "%4");
	rest_params_fini(&p);

	rest_params_init(&p);
	for (int i = 0; i <= REST_FORM_FIELDS_MAX; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "%s%d=1",
				      i ? "&" : "", i);
	assert_int_equal(rest_params_merge_form(&p, big, o), -1);
	assert_non_null(rest_params_get(&p, "0"));
	assert_null(rest_params_get(&p, "256"));
	rest_params_fini(&p);
}

/* ------------------------------------------------------------------ */
/* query builders on a detached interface                              */

static struct prefs test_prefs;

static struct iface *
make_iface(void)
{
	struct iface *ifc;

	memset(&test_prefs, 0, sizeof(test_prefs));
	netlist_init(&test_prefs.local_nets);
	assert_int_equal(netlist_add(&test_prefs.local_nets, "192.168.1.0/24",
				     NULL, 0), 0);
	test_prefs.max_num_flows = 100;
	test_prefs.max_num_hosts = 100;
	ifc = iface_new_detached("test", &test_prefs);
	assert_non_null(ifc);
	return ifc;
}

static void
free_iface(struct iface *ifc)
{
	iface_free(ifc);
	netlist_fini(&test_prefs.local_nets);
}

/* src:sport -> dst:dport, `in` bytes forward and `out` back. */
static void
feed(struct iface *ifc, const char *src, const char *dst, uint16_t sport,
     uint16_t dport, uint64_t in, uint64_t out)
{
	struct flow_update u;

	memset(&u, 0, sizeof(u));
	u.ip_version = 4;
	u.l4_proto = 6;
	assert_int_equal(ipaddr_parse(&u.src, src), 0);
	assert_int_equal(ipaddr_parse(&u.dst, dst), 0);
	u.sport = sport;
	u.dport = dport;
	u.in_bytes = in;
	u.in_pkts = 1;
	u.out_bytes = out;
	u.out_pkts = 1;
	u.first_ms = 1000;
	u.last_ms = 2000;
	assert_int_equal(iface_flow_update(ifc, &u), 0);
}

static json_int_t
ival(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	assert_non_null(v);
	return json_integer_value(v);
}

static void
test_builders_answer_the_tables(void **state)
{
	struct iface *ifc = make_iface();
	struct host_query hq;
	struct query_host_arg ha;
	struct query_flow_arg fa = { 123456, 0 };
	struct query_matrix_arg ma = { 5 };
	json_t *o, *row, *m;

	(void)state;
	feed(ifc, "192.168.1.20", "203.0.113.9", 40000, 443, 1000, 5000);
	feed(ifc, "192.168.1.20", "192.168.1.30", 40001, 22, 300, 700);

	/* hosts, sorted by traffic descending */
	memset(&hq, 0, sizeof(hq));
	hq.vlan = -1;
	hq.sort = QHS_TRAFFIC;
	hq.desc = 1;
	hq.per_page = 2;
	hq.page = 1;
	o = query_b_hosts(ifc, &hq);
	assert_non_null(o);
	assert_int_equal(ival(o, "totalRows"), 3);
	assert_int_equal(json_array_size(json_object_get(o, "data")), 2);
	json_decref(o);
	hq.mode = QUERY_HOSTS_LOCAL;
	o = query_b_hosts(ifc, &hq);
	assert_int_equal(ival(o, "totalRows"), 2);
	json_decref(o);

	/* one host, and one that is not there (the out-flag is set) */
	memset(&ha, 0, sizeof(ha));
	snprintf(ha.host, sizeof(ha.host), "192.168.1.20");
	o = query_b_host_data(ifc, &ha);
	assert_non_null(o);
	assert_int_equal(ha.not_found, 0);
	json_decref(o);
	snprintf(ha.host, sizeof(ha.host), "10.9.9.9");
	assert_null(query_b_host_data(ifc, &ha));
	assert_int_equal(ha.not_found, 1);

	/* flows: the byte counts of the updates */
	{
		struct flow_query *fq = calloc(1, sizeof(*fq));

		assert_non_null(fq);
		fq->vlan = -1;
		fq->l4proto = -1;
		fq->per_page = 10;
		fq->page = 1;
		fq->sort = QFS_BYTES;
		fq->desc = 1;
		o = query_b_flows(ifc, fq);
		assert_int_equal(ival(o, "totalRows"), 2);
		row = json_array_get(json_object_get(o, "data"), 0);
		assert_int_equal(ival(row, "bytes"), 6000);
		json_decref(o);
		o = query_b_flow_traffic(ifc, fq);
		assert_int_equal(ival(o, "totBytesSent"), 1300);
		assert_int_equal(ival(o, "totBytesRcvd"), 5700);
		json_decref(o);
		free(fq);
	}
	assert_null(query_b_flow_details(ifc, &fa));
	assert_int_equal(fa.not_found, 1);

	/* the AS and country tables: one Unknown row over the 3 hosts,
	 * each flow's bytes counted once sent and once received */
	o = query_b_asns(ifc, NULL);
	assert_int_equal(json_array_size(o), 1);
	row = json_array_get(o, 0);
	assert_int_equal(ival(row, "asn"), 0);
	assert_string_equal(json_string_value(json_object_get(row, "asname")),
			    "Unknown");
	assert_int_equal(ival(row, "num_hosts"), 3);
	assert_int_equal(ival(row, "bytes_sent"), 7000);
	assert_int_equal(ival(row, "bytes_rcvd"), 7000);
	assert_int_equal(ival(row, "traffic"), 14000);
	json_decref(o);
	o = query_b_countries(ifc, NULL);
	assert_int_equal(json_array_size(o), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(o, 0),
			    "name")), "Unknown");
	json_decref(o);

	/* the matrix: top host first, and what it sent to the others */
	o = query_b_host_matrix(ifc, &ma);
	assert_int_equal(json_array_size(json_object_get(o, "hosts")), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(o, "hosts"), 0), "ip")), "192.168.1.20");
	m = json_object_get(o, "matrix");
	{
		json_int_t sum = 0;

		for (size_t i = 0; i < 3; i++)
			for (size_t j = 0; j < 3; j++)
				sum += json_integer_value(json_array_get(
					json_array_get(m, i), j));
		assert_int_equal(sum, 7000);
	}
	json_decref(o);

	/* the L7 object carries the interface's flow count */
	o = query_b_l7_iface(ifc, NULL);
	assert_int_equal(ival(o, "num_flows"), 2);
	json_decref(o);
	free_iface(ifc);
}

/* Without hosts the AS table is empty (no "Unknown" row). */
static void
test_builders_empty_iface(void **state)
{
	struct iface *ifc = make_iface();
	json_t *o;

	(void)state;
	o = query_b_asns(ifc, NULL);
	assert_int_equal(json_array_size(o), 0);
	json_decref(o);
	o = query_b_vlans(ifc, NULL);
	assert_int_equal(json_array_size(o), 0);
	json_decref(o);
	free_iface(ifc);
}

/* Through query_run with an owner thread: the block comes back. */
static void
test_builder_via_owner(void **state)
{
	struct iface *ifc = make_iface();
	struct query_host_arg ha;
	json_t *o = NULL;

	(void)state;
	feed(ifc, "192.168.1.20", "203.0.113.9", 40000, 443, 1000, 5000);
	/* no sources: the owner thread only serves its mailbox */
	iface_detached_drop_dpi(ifc);
	assert_int_equal(iface_start(ifc), 0);
	memset(&ha, 0, sizeof(ha));
	snprintf(ha.host, sizeof(ha.host), "nobody");
	assert_int_equal(rest_run(ifc, query_b_host_data, &ha, sizeof(ha),
				  &ha.not_found, &o), REST_RC_NOT_FOUND);
	assert_null(o);
	assert_int_equal(ha.not_found, 1);
	memset(&ha, 0, sizeof(ha));
	snprintf(ha.host, sizeof(ha.host), "203.0.113.9");
	assert_int_equal(rest_run(ifc, query_b_host_contacts, &ha, sizeof(ha),
				  &ha.not_found, &o), REST_RC_OK);
	assert_non_null(o);
	json_decref(o);
	iface_stop(ifc);
	free_iface(ifc);
}

/* ------------------------------------------------------------------ */
/* the pager                                                           */

static void
test_rows_page(void **state)
{
	json_t *rows = json_pack("[{s:i,s:s},{s:i,s:s},{s:i,s:s},{s:i,s:s},{s:i,s:s}]",
				 "n", 3, "s", "c", "n", 1, "s", "e", "n", 5, "s", "a",
				 "n", 2, "s", "d", "n", 4, "s", "b");
	json_t *page;
	size_t total = 0;

	(void)state;
	json_incref(rows);
	page = query_rows_page(rows, "n", 1, 2, 2, &total);   /* 5 4 | 3 2 | 1 */
	assert_int_equal(total, 5);
	assert_int_equal(json_array_size(page), 2);
	assert_int_equal(ival(json_array_get(page, 0), "n"), 3);
	assert_int_equal(ival(json_array_get(page, 1), "n"), 2);
	json_decref(page);
	json_incref(rows);
	page = query_rows_page(rows, "s", 0, 2, 3, &total);   /* a b | c d | e */
	assert_int_equal(json_array_size(page), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(page, 0),
			    "s")), "e");
	json_decref(page);
	json_incref(rows);
	page = query_rows_page(rows, "n", 0, 2, 9, &total);   /* past the end */
	assert_int_equal(json_array_size(page), 0);
	json_decref(page);
	page = query_rows_page(rows, "n", 0, -1, 1, &total);  /* every row */
	assert_int_equal(json_array_size(page), 5);
	assert_int_equal(ival(json_array_get(page, 0), "n"), 1);
	json_decref(page);

	/* reals, negatives, large integers; ties keep their order both ways */
	rows = json_pack("[{s:f,s:i},{s:f,s:i},{s:f,s:i},{s:f,s:i},{s:I,s:i}]",
			 "t", 0.5, "id", 1, "t", -2.25, "id", 2, "t", 0.5, "id", 3,
			 "t", 0.0004, "id", 4, "t", (json_int_t)1 << 60, "id", 5);
	json_incref(rows);
	page = query_rows_page(rows, "t", 0, -1, 1, &total);
	{
		static const int asc[] = { 2, 4, 1, 3, 5 };

		for (size_t i = 0; i < 5; i++)
			assert_int_equal(ival(json_array_get(page, i), "id"), asc[i]);
	}
	json_decref(page);
	page = query_rows_page(rows, "t", 1, -1, 1, &total);
	{
		static const int dsc[] = { 5, 1, 3, 4, 2 };

		for (size_t i = 0; i < 5; i++)
			assert_int_equal(ival(json_array_get(page, i), "id"), dsc[i]);
	}
	json_decref(page);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_lookup),
		cmocka_unit_test(test_route_table_sane),
		cmocka_unit_test(test_route_admin_rule),
		cmocka_unit_test(test_handle_envelopes),
		cmocka_unit_test(test_params_bounds),
		cmocka_unit_test(test_params_json_body),
		cmocka_unit_test(test_params_form_body),
		cmocka_unit_test(test_builders_answer_the_tables),
		cmocka_unit_test(test_builders_empty_iface),
		cmocka_unit_test(test_builder_via_owner),
		cmocka_unit_test(test_rows_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
