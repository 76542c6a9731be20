/*
 * routes.c - the one route table of the REST API: upstream's v2 calls
 * (handlers in webui/rest.c, contract docs/rest.md) and the web pages'
 * own calls (webui/ui.c, docs/webui.md) in one list, with one lookup,
 * one administrator rule and one envelope.
 *
 * How it works: rest_handle() strips "/lua/rest/v2/" (v1/ is an alias,
 * rest-api.md §7 #17), finds the row by exact path, refuses a route for
 * administrators to anyone else, and calls the handler with a struct
 * rest_call that carries the row, so the handler runs the row's builder
 * (merge/query.h) on the interface's owner thread.  Adding an endpoint
 * is one row here plus its handler (docs/extending.md).
 *
 * Threads: the HTTP server's threads; the table is constant.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "merge/query.h"
#include "state/auth.h"
#include "webui/rest.h"
#include "webui/rest_alerts.h"
#include "webui/rest_flowdb.h"
#include "webui/rest_storage.h"
#include "webui/ui.h"

static const struct rest_route rest_routes[] = {
	/* upstream's v2 API (webui/rest.c) */
	{ "connect/test.lua", rest_h_connect_test, REST_BY_VERB, NULL },
	{ "get/ntopng/interfaces.lua", rest_h_interfaces, REST_BY_VERB, NULL },
	{ "get/interface/data.lua", rest_h_iface_data, REST_BY_VERB,
	  query_b_iface_data },
	{ "get/interface/address.lua", rest_h_iface_address, REST_BY_VERB,
	  NULL },
	{ "get/interface/sources.lua", rest_h_build, REST_BY_VERB,
	  query_b_iface_sources },
	{ "get/interface/origins.lua", rest_h_build, REST_BY_VERB,
	  query_b_iface_origins },
	{ "get/interface/l7/stats.lua", rest_h_l7_stats, REST_BY_VERB,
	  query_b_l7_iface },
	{ "get/interface/l7/data.lua", rest_h_l7_data, REST_BY_VERB,
	  query_b_l7_iface },
	{ "get/host/active.lua", rest_h_host_active, REST_BY_VERB,
	  query_b_hosts },
	{ "get/host/data.lua", rest_h_host_data, REST_BY_VERB,
	  query_b_host_data },
	{ "get/host/find.lua", rest_h_host_find, REST_BY_VERB,
	  query_b_host_find },
	/* with "host", one host: query_b_host_data */
	{ "get/host/custom_data.lua", rest_h_host_custom_data, REST_BY_VERB,
	  query_b_hosts_data },
	{ "get/host/interfaces.lua", rest_h_host_interfaces, REST_BY_VERB,
	  query_b_host_exists },
	{ "get/host/l7/stats.lua", rest_h_host_l7_stats, REST_BY_VERB,
	  query_b_host_l7 },
	{ "get/flow/active.lua", rest_h_flow_active, REST_BY_VERB,
	  query_b_flows },
	{ "get/flow/l4/counters.lua", rest_h_build, REST_BY_VERB,
	  query_b_flow_l4_counters },
	{ "get/flow/l7/counters.lua", rest_h_build, REST_BY_VERB,
	  query_b_flow_l7_counters },
	{ "get/flow/traffic_stats.lua", rest_h_flow_traffic, REST_BY_VERB,
	  query_b_flow_traffic },
	{ "get/flow/graph.lua", rest_h_flow_graph, REST_BY_VERB,
	  query_b_flow_graph },
	{ "get/host/l4/contacted_hosts_data.lua", rest_h_host_contacts,
	  REST_BY_VERB, query_b_host_contacts },
	/* activity maps (docs/hosts.md) */
	{ "get/host/activitymap.lua", rest_h_host_activitymap, REST_BY_VERB,
	  query_b_host_activitymap },
	{ "get/host/correlation.lua", rest_h_host_correlation, REST_BY_VERB,
	  query_b_host_correlation },
	{ "get/asn/asn_info.lua", rest_h_asn_info, REST_BY_VERB,
	  query_b_asn_info },
	{ "get/asn/asn_name.lua", rest_h_asn_name, REST_BY_VERB, NULL },
	{ "get/country/country_name.lua", rest_h_country_name, REST_BY_VERB,
	  NULL },
	/* persistence (webui/rest_storage.c, docs/storage.md) */
	{ "get/ntopng/redis.lua", rest_storage_stats, REST_BY_VERB, NULL },
	{ "set/interface/historical.lua", rest_storage_historical, REST_BY_VERB,
	  NULL },
	{ "get/timeseries/ts.lua", rest_storage_timeseries, REST_BY_VERB,
	  NULL },
	/* flow history (exporter/flowdb.c, webui/rest_flowdb.c) */
	{ "get/db/flows.lua", rest_flowdb_flows, REST_BY_VERB, NULL },
	/* the web pages' own calls (webui/ui.c) */
	{ "get/ntopng/session.lua", ui_h_session, REST_BY_VERB, NULL },
	{ "get/ntopng/users.lua", ui_h_users, REST_ADMIN, NULL },
	{ "set/ntopng/user/add.lua", ui_h_user_add, REST_ADMIN, NULL },
	{ "set/ntopng/user/delete.lua", ui_h_user_del, REST_ADMIN, NULL },
	/* your own password (an administrator: anyone's) */
	{ "set/ntopng/user/password.lua", ui_h_user_password, REST_SELF, NULL },
	/* create/ acts on the caller's own account (an administrator: on
	 * anyone's), so it is not in the verb rule */
	{ "create/ntopng/api_token.lua", ui_h_api_token, REST_BY_VERB, NULL },
	{ "create/ntopng/session.lua", ui_h_session_create, REST_BY_VERB,
	  NULL },
	{ "get/ntopng/prefs.lua", ui_h_prefs_get, REST_BY_VERB, NULL },
	{ "set/ntopng/prefs.lua", ui_h_prefs_set, REST_ADMIN, NULL },
	{ "set/interface/name.lua", ui_h_iface_name, REST_ADMIN, NULL },
	/* enabled/disabled at run time (seed §1.2) */
	{ "set/interface/state.lua", ui_h_iface_state, REST_ADMIN, NULL },
	{ "get/vlan/list.lua", ui_h_vlans, REST_BY_VERB, query_b_vlans },
	{ "get/asn/list.lua", ui_h_geo_list, REST_BY_VERB, query_b_asns },
	{ "get/country/list.lua", ui_h_geo_list, REST_BY_VERB,
	  query_b_countries },
	{ "get/aggregation/list.lua", ui_h_aggr_list, REST_BY_VERB,
	  query_b_aggr_hosts },
	{ "get/aggregation/contacts.lua", ui_h_aggr_contacts, REST_BY_VERB,
	  query_b_aggr_host },
	{ "get/aggregation/families.lua", rest_h_build, REST_BY_VERB,
	  query_b_aggr_families },
	{ "get/geo/hosts.lua", ui_h_geo_hosts, REST_BY_VERB,
	  query_b_geo_hosts },
	{ "get/interface/matrix.lua", ui_h_matrix, REST_BY_VERB,
	  query_b_host_matrix },
	{ "get/flow/details.lua", ui_h_flow_details, REST_BY_VERB,
	  query_b_flow_details },
	/* alerts (webui/rest_alerts.c, docs/alerts.md) */
	{ "add/alert/threshold.lua", rest_alerts_thr_add, REST_ADMIN, NULL },
	{ "delete/alert/threshold.lua", rest_alerts_thr_del, REST_ADMIN, NULL },
	{ "get/alert/thresholds.lua", rest_alerts_thr_list, REST_BY_VERB,
	  NULL },
	{ "get/alert/list.lua", rest_alerts_list, REST_BY_VERB, NULL },
	{ "get/alert/type/consts.lua", rest_alerts_consts, REST_BY_VERB, NULL },
};

#define REST_N_ROUTES (sizeof(rest_routes) / sizeof(rest_routes[0]))
#define REST_VERSION_PATH "/lua/rest/version.lua"

const struct rest_route *
rest_routes_all(size_t *n)
{
	*n = REST_N_ROUTES;
	return rest_routes;
}

/*
 * Upstream's verbs that write change what every user sees
 * (set/interface/historical replaces the Historical interface's
 * contents; upstream's enable/ and disable/ checks, delete/ of alerts).
 * create/ is not one of them: upstream's create/ntopng/session and
 * api_token act on the caller's own account.
 */
int
rest_route_admin_only(const struct rest_route *r)
{
	static const char *const verbs[] = { "set/",	"add/",	   "edit/",
					     "delete/", "enable/", "disable/",
					     "reset/" };

	if (r->admin == REST_ADMIN)
		return 1;
	if (r->admin == REST_SELF)
		return 0;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strncmp(r->path, verbs[i], strlen(verbs[i])))
			return 1;
	return 0;
}

const struct rest_route *
rest_route_find(const char *url)
{
	const char *rest;

	if (!strncmp(url, "/lua/rest/v2/", 13) ||
	    !strncmp(url, "/lua/rest/v1/", 13))
		rest = url + 13;
	else
		return NULL;
	for (size_t i = 0; i < REST_N_ROUTES; i++)
		if (!strcmp(rest, rest_routes[i].path))
			return &rest_routes[i];
	return NULL;
}

int
rest_is_path(const char *url)
{
	return !strcmp(url, REST_VERSION_PATH) || rest_route_find(url) != NULL;
}

int
rest_handle(const char *url, const struct rest_params *p,
	    const struct auth_user *u, int *status, char **body)
{
	struct rest_call c = { p, u, NULL, NULL };
	json_t *rsp = NULL;
	enum rest_rc rc;

	*body = NULL;
	if (!strcmp(url, REST_VERSION_PATH)) {
		/* The one answer without the envelope. */
		*status = 200;
		*body = strdup("{\"supported_versions\":["
			       "{\"version\":\"1\",\"root\":\"/lua/rest/v1\"},"
			       "{\"version\":\"2\",\"root\":\"/lua/rest/v2\"}],"
			       "\"current_version\":\"2\"}");
		return *body ? 0 : -1;
	}
	c.route = rest_route_find(url);
	if (!c.route) {
		rc = REST_RC_NOT_FOUND;
	} else if (!u->admin && rest_route_admin_only(c.route)) {
		rc = REST_RC_NOT_GRANTED;
		c.msg = "This needs administrator rights";
	} else {
		rc = c.route->fn(&c, &rsp);
		if (rc == REST_RC_OK && !rsp)
			rc = REST_RC_INTERNAL_ERROR;
	}
	*body = rest_envelope(rc, c.msg, rsp, status);
	return *body ? 0 : -1;
}
