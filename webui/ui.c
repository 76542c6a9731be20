/*
 * ui.c - REST calls for the web pages beyond upstream's v2 API
 * (docs/webui.md lists them): who am I, users, preferences, API tokens,
 * VLAN/AS/country lists, the top-hosts traffic matrix, flow details.
 *
 * How it works: ui_handle() finds the handler by path (after
 * /lua/rest/v2/) in one table that also says whether the caller must be
 * an administrator.  Account calls go to webui/auth.c; table reads build
 * plain JSON on the interface's owner thread through query_run() (the
 * struct ui_req they get is copied, so it holds no pointers), and the
 * HTTP thread sorts and pages the small aggregated lists.  The answer is
 * the usual {rc, rc_str, rc_str_hr, rsp} envelope.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/addr.h"
#include "common/log.h"
#include "exporter/kv.h"
#include "exporter/storage.h"
#include "merge/iface.h"
#include "merge/query.h"
#include "webui/auth.h"
#include "webui/ui.h"

#define UI_MATRIX_MAX 20
#define UI_IFNAME_MAX 64

char *
ui_error_body(enum rest_rc rc, const char *msg, int *status)
{
	return rest_envelope(rc, msg, NULL, status);
}

/* ------------------------------------------------------------------ */
/* parameters                                                          */

static const char *
p_str(const struct rest_params *p, const char *name)
{
	const char *s = rest_params_get(p, name);

	return s && *s ? s : NULL;
}

/* The key of an interface's custom name: by its identity and this
 * node's id, not its ifid (docs/storage.md), so the name follows the
 * interface across -i orders and stays this node's on a shared Redis. */
static int
ui_iface_name_key(int ifid, char *key, size_t len)
{
	char id[256];

	return storage_iface_id(ifid, id, sizeof(id)) == 0 &&
	       snprintf(key, len, "ntopng.prefs.iface.%s.name", id) <
	       (int)len ? 0 : -1;
}

char *
ui_iface_custom_name(int ifid)
{
	char key[320];

	return ui_iface_name_key(ifid, key, sizeof(key)) == 0 ?
	       kv_get(key) : NULL;
}

/* ------------------------------------------------------------------ */
/* owner-thread builders                                               */

enum ui_op { UI_OP_VLANS, UI_OP_ALL, UI_OP_MATRIX, UI_OP_FLOW };

struct ui_req {
	int op;
	int max_hosts;
	uint32_t flow_id;
};

struct agg {
	uint64_t sent, rcvd, hosts;
	double thpt;
	uint64_t first_ms;
};

static void
agg_add(struct agg *a, const struct host *h)
{
	a->sent += h->c.bytes_sent;
	a->rcvd += h->c.bytes_rcvd;
	a->hosts++;
	a->thpt += h->thpt_bps;
	if (!a->first_ms || h->first_ms < a->first_ms)
		a->first_ms = h->first_ms;
}

static json_t *
agg_row(const struct agg *a)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:f,s:I}",
		"num_hosts", (json_int_t)a->hosts,
		"bytes_sent", (json_int_t)a->sent,
		"bytes_rcvd", (json_int_t)a->rcvd,
		"traffic", (json_int_t)(a->sent + a->rcvd),
		"throughput", a->thpt,
		"seen_since", (json_int_t)(a->first_ms / 1000));
}

static json_t *
build_all(struct iface *ifc)
{
	struct agg a = { 0 };

	for (const struct host *h = ifc->host_head; h; h = h->next)
		agg_add(&a, h);
	return agg_row(&a);
}

/* Top hosts by traffic, and the bytes each sent to each other. */
static json_t *
build_matrix(struct iface *ifc, int n_max)
{
	const struct host *top[UI_MATRIX_MAX];
	uint64_t m[UI_MATRIX_MAX][UI_MATRIX_MAX];
	int n = 0;
	json_t *hosts, *rows;

	memset(m, 0, sizeof(m));
	/* Insertion into a small sorted array: O(hosts * n). */
	for (const struct host *h = ifc->host_head; h; h = h->next) {
		uint64_t t = h->c.bytes_sent + h->c.bytes_rcvd;
		int i;

		if (n == n_max && t <= top[n - 1]->c.bytes_sent + top[n - 1]->c.bytes_rcvd)
			continue;
		i = n < n_max ? n++ : n - 1;
		while (i > 0 && top[i - 1]->c.bytes_sent + top[i - 1]->c.bytes_rcvd < t) {
			top[i] = top[i - 1];
			i--;
		}
		top[i] = h;
	}
	for (const struct flow *f = ifc->flow_head; f; f = f->next) {
		int ci = -1, si = -1;

		for (int i = 0; i < n; i++) {
			if (top[i] == f->cli_host)
				ci = i;
			if (top[i] == f->srv_host)
				si = i;
		}
		if (ci < 0 || si < 0)
			continue;
		m[ci][si] += f->c2s_bytes;
		m[si][ci] += f->s2c_bytes;
	}
	hosts = json_array();
	rows = json_array();
	for (int i = 0; i < n; i++) {
		char ip[IPADDR_STRLEN], key[128];
		json_t *r = json_array();

		ipaddr_fmt(&top[i]->ip, ip, sizeof(ip));
		query_host_key(&top[i]->ip, top[i]->vlan, key, sizeof(key));
		json_array_append_new(hosts, json_pack("{s:s,s:s,s:i,s:s,s:I}",
			"ip", ip, "key", key, "vlan", top[i]->vlan,
			"name", top[i]->name ? top[i]->name : "",
			"bytes", (json_int_t)(top[i]->c.bytes_sent + top[i]->c.bytes_rcvd)));
		for (int j = 0; j < n; j++)
			json_array_append_new(r, json_integer((json_int_t)m[i][j]));
		json_array_append_new(rows, r);
	}
	return json_pack("{s:o,s:o}", "hosts", hosts, "matrix", rows);
}

static json_t *
ui_build(struct iface *ifc, void *arg)
{
	struct ui_req *r = arg;

	switch (r->op) {
	case UI_OP_VLANS: return query_vlans(ifc);   /* the VLAN table */
	case UI_OP_ALL: return build_all(ifc);
	case UI_OP_MATRIX: return build_matrix(ifc, r->max_hosts);
	case UI_OP_FLOW: return query_flow_details(ifc, r->flow_id);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* sorting and paging of small lists                                   */

static const char *ui_sort_key;
static int ui_sort_desc;

static int
row_cmp(const void *a, const void *b)
{
	json_t *x = json_object_get(*(json_t *const *)a, ui_sort_key);
	json_t *y = json_object_get(*(json_t *const *)b, ui_sort_key);
	double dx = json_number_value(x), dy = json_number_value(y);
	int c;

	if (json_is_string(x) && json_is_string(y))
		c = strcmp(json_string_value(x), json_string_value(y));
	else
		c = dx < dy ? -1 : dx > dy;
	return ui_sort_desc ? -c : c;
}

static pthread_mutex_t ui_sort_lock = PTHREAD_MUTEX_INITIALIZER;

/* {data, currentPage, perPage, totalRows, sort} from rows (stolen). */
static json_t *
page_rows(json_t *rows, const struct rest_params *p, const char *const *cols,
	  const char *dflt)
{
	const char *col = p_str(p, "sortColumn"), *ord = p_str(p, "sortOrder");
	long per = 10, page = 1;
	size_t n = json_array_size(rows), start, end;
	json_t **v, *data = json_array();
	int ok = 0;

	for (int i = 0; col && cols[i]; i++)
		ok |= !strcmp(col, cols[i]);
	if (!ok)
		col = dflt;
	rest_param_int(p, "perPage", 1, 10000, &per);
	rest_param_int(p, "currentPage", 1, INT_MAX, &page);
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		json_decref(rows);
		json_decref(data);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(rows, i);
	/* qsort has no context argument: the key is shared under a lock. */
	pthread_mutex_lock(&ui_sort_lock);
	ui_sort_key = col;
	ui_sort_desc = ord && !strcmp(ord, "desc");
	qsort(v, n, sizeof(*v), row_cmp);
	pthread_mutex_unlock(&ui_sort_lock);
	start = (size_t)(page - 1) * (size_t)per;
	end = start + (size_t)per;
	for (size_t i = start; i < n && i < end; i++)
		json_array_append(data, v[i]);
	free(v);
	json_decref(rows);
	return json_pack("{s:o,s:i,s:i,s:I,s:[[s,s]]}", "data", data,
			 "currentPage", (int)page, "perPage", (int)per,
			 "totalRows", (json_int_t)n, "sort", col,
			 ord && !strcmp(ord, "desc") ? "desc" : "asc");
}

/* ------------------------------------------------------------------ */
/* handlers                                                            */

typedef enum rest_rc (*ui_fn)(const struct rest_params *p,
			    const struct auth_user *u, json_t **rsp,
			    const char **msg);

static enum rest_rc
run(struct iface *ifc, struct ui_req *r, json_t **out)
{
	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	if (query_run(ifc, ui_build, r, sizeof(*r), out) < 0 || !*out)
		return REST_RC_INTERNAL_ERROR;
	return REST_RC_OK;
}

static enum rest_rc
h_session(const struct rest_params *p, const struct auth_user *u,
	  json_t **rsp, const char **msg)
{
	/* features: optional calls the pages may use (so that they never
	 * fetch a path this build does not serve). */
	*rsp = json_pack("{s:s,s:s,s:s,s:b,s:b,s:i,s:{s:b}}", "user", u->name,
		"group", u->admin ? "administrator" : "unprivileged",
		"csrf", u->csrf,
		"default_password", !strcmp(u->name, "admin") &&
				    auth_admin_default_password(),
		"session", u->via_session,
		"session_ttl", auth_session_ttl(),
		"features", "sources",
		rest_is_path("/lua/rest/v2/get/interface/sources.lua"));
	return REST_RC_OK;
}

static enum rest_rc
h_users(const struct rest_params *p, const struct auth_user *u,
	json_t **rsp, const char **msg)
{
	*rsp = auth_users_list();
	return REST_RC_OK;
}

static enum rest_rc
h_user_add(const struct rest_params *p, const struct auth_user *u,
	   json_t **rsp, const char **msg)
{
	const char *name = p_str(p, "username"), *pw = p_str(p, "password");
	const char *g = p_str(p, "group");

	if (!auth_name_valid(name) || !pw) {
		*msg = "A user name (letters, digits, _ - @) and a password are needed";
		return REST_RC_INVALID_ARGUMENTS;
	}
	if (g && strcmp(g, "administrator") && strcmp(g, "unprivileged")) {
		*msg = "The group is administrator or unprivileged";
		return REST_RC_INVALID_ARGUMENTS;
	}
	if (auth_user_exists(name)) {
		*msg = "This user exists already";
		return REST_RC_INVALID_ARGUMENTS;
	}
	if (auth_user_add(name, p_str(p, "full_name"), pw,
			  g && !strcmp(g, "administrator")) < 0)
		return REST_RC_INTERNAL_ERROR;
	log_info("ui: %s added user %s", u->name, name);
	*rsp = json_object();
	return REST_RC_OK;
}

static enum rest_rc
h_user_del(const struct rest_params *p, const struct auth_user *u,
	   json_t **rsp, const char **msg)
{
	const char *name = p_str(p, "username");

	if (!name || !auth_user_exists(name))
		return REST_RC_NOT_FOUND;
	if (!strcmp(name, u->name) || !strcmp(name, "admin")) {
		*msg = "You cannot delete yourself or admin";
		return REST_RC_INVALID_ARGUMENTS;
	}
	if (auth_user_delete(name) < 0)
		return REST_RC_INTERNAL_ERROR;
	log_info("ui: %s deleted user %s", u->name, name);
	*rsp = json_object();
	return REST_RC_OK;
}

static enum rest_rc
h_user_password(const struct rest_params *p, const struct auth_user *u,
		json_t **rsp, const char **msg)
{
	const char *name = p_str(p, "username"), *pw = p_str(p, "new_password");
	const char *old = p_str(p, "old_password");

	if (!name)
		name = u->name;
	if (!pw) {
		*msg = "The new password is empty";
		return REST_RC_INVALID_ARGUMENTS;
	}
	if (!auth_user_exists(name))
		return REST_RC_NOT_FOUND;
	if (strcmp(name, u->name) && !u->admin)
		return REST_RC_NOT_GRANTED;
	/* Your own password: prove you know the old one (a stolen session
	 * must not lock the owner out). */
	if (!strcmp(name, u->name) && (!old || !auth_password_check(name, old))) {
		*msg = "The old password is wrong";
		return REST_RC_NOT_GRANTED;
	}
	if (auth_user_set_password(name, pw) < 0)
		return REST_RC_INTERNAL_ERROR;
	log_info("ui: %s changed the password of %s", u->name, name);
	*rsp = json_object();
	return REST_RC_OK;
}

static enum rest_rc
h_api_token(const struct rest_params *p, const struct auth_user *u,
	    json_t **rsp, const char **msg)
{
	const char *name = p_str(p, "username");
	char tok[AUTH_ID_LEN + 1];

	if (!name)
		name = u->name;
	if ((strcmp(name, u->name) && !u->admin) || !auth_user_exists(name))
		return REST_RC_INVALID_ARGUMENTS;
	if (auth_token_create(name, tok) < 0)
		return REST_RC_INTERNAL_ERROR;
	*rsp = json_pack("{s:s}", "api_token", tok);
	return REST_RC_OK;
}

/* create/ntopng/session.lua (rest-api.md 2.2): a session for "username"
 * (yourself, or anyone for an administrator), to be used as the session
 * cookie.  auth_session_duration is accepted but the node's idle timeout
 * (get/set/ntopng/prefs.lua) governs every session. */
static enum rest_rc
h_session_create(const struct rest_params *p, const struct auth_user *u,
		 json_t **rsp, const char **msg)
{
	const char *name = p_str(p, "username");
	struct auth_user nu;

	if (!name || !auth_name_valid(name) ||
	    (strcmp(name, u->name) && !u->admin) || !auth_user_exists(name))
		return REST_RC_INVALID_ARGUMENTS;
	if (auth_session_create(name, &nu) < 0)
		return REST_RC_INTERNAL_ERROR;
	log_info("ui: %s opened a session for %s over REST", u->name, name);
	*rsp = json_pack("{s:s}", "session", nu.session);
	return REST_RC_OK;
}

static json_t *
ifaces_json(void)
{
	json_t *a = json_array();

	for (int i = 0; i < node_n_ifaces; i++) {
		char *custom = ui_iface_custom_name(node_ifaces[i]->id);

		json_array_append_new(a, json_pack("{s:i,s:s,s:s,s:s}",
			"ifid", node_ifaces[i]->id,
			"ifname", node_ifaces[i]->ifname ? node_ifaces[i]->ifname : "",
			"name", node_ifaces[i]->name ? node_ifaces[i]->name : "",
			"custom_name", custom ? custom : ""));
		free(custom);
	}
	return a;
}

static enum rest_rc
h_prefs_get(const struct rest_params *p, const struct auth_user *u,
	    json_t **rsp, const char **msg)
{
	char *r = kv_get("ntopng.prefs.flows_retention_days");
	char *end = NULL;
	long days;

	errno = 0;
	days = r ? strtol(r, &end, 10) : 0;
	/* read by the writer's daily callback (exporter/writer.c) */
	if (!r || errno || end == r || *end != '\0' || days < 0)
		days = 0;
	free(r);
	*rsp = json_pack("{s:i,s:I,s:o}", "auth_session_duration", auth_session_ttl(),
			 "flows_retention_days", (json_int_t)days,
			 "interfaces", ifaces_json());
	return REST_RC_OK;
}

static enum rest_rc
h_prefs_set(const struct rest_params *p, const struct auth_user *u,
	    json_t **rsp, const char **msg)
{
	const char *d = rest_params_get(p, "auth_session_duration");
	long v;
	char buf[32];

	if (d) {
		if (!rest_param_int(p, "auth_session_duration", 1, 365L * 86400, &v)) {
			*msg = "auth_session_duration is 1 .. 31536000 seconds";
			return REST_RC_INVALID_ARGUMENTS;
		}
		snprintf(buf, sizeof(buf), "%ld", v);
		if (kv_set("ntopng.prefs.auth_session_duration", buf, 0) < 0)
			return REST_RC_INTERNAL_ERROR;
	}
	if (rest_params_get(p, "flows_retention_days")) {
		if (!rest_param_int(p, "flows_retention_days", 0, 36500, &v)) {
			*msg = "flows_retention_days is 0 (keep all) .. 36500";
			return REST_RC_INVALID_ARGUMENTS;
		}
		snprintf(buf, sizeof(buf), "%ld", v);
		if (kv_set("ntopng.prefs.flows_retention_days", buf, 0) < 0)
			return REST_RC_INTERNAL_ERROR;
	}
	*rsp = json_object();
	return REST_RC_OK;
}

static enum rest_rc
h_iface_name(const struct rest_params *p, const struct auth_user *u,
	     json_t **rsp, const char **msg)
{
	struct iface *ifc = rest_param_iface(p, "ifid");
	const char *name = rest_params_get(p, "name");
	char key[320];
	size_t n;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	if (!name || (n = strlen(name)) >= UI_IFNAME_MAX) {
		*msg = "The name is up to 63 characters";
		return REST_RC_INVALID_ARGUMENTS;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || strchr("<>&\"'", name[i])) {
			*msg = "The name has a forbidden character";
			return REST_RC_INVALID_ARGUMENTS;
		}
	if (ui_iface_name_key(ifc->id, key, sizeof(key)) != 0)
		return REST_RC_INTERNAL_ERROR;
	if ((n ? kv_set(key, name, 0) : kv_del(key)) < 0 && n)
		return REST_RC_INTERNAL_ERROR;
	log_info("ui: %s named interface %d '%s'", u->name, ifc->id, name);
	*rsp = json_object();
	return REST_RC_OK;
}

static enum rest_rc
h_vlans(const struct rest_params *p, const struct auth_user *u,
	json_t **rsp, const char **msg)
{
	static const char *const cols[] = { "vlan", "num_hosts", "bytes_sent",
		"bytes_rcvd", "traffic", "throughput", "seen_since", "packets",
		"last_seen", NULL };
	struct ui_req r = { UI_OP_VLANS, 0, 0 };
	json_t *rows = NULL;
	enum rest_rc rc = run(rest_param_iface(p, "ifid"), &r, &rows);

	if (rc != REST_RC_OK)
		return rc;
	*rsp = page_rows(rows, p, cols, "vlan");
	return *rsp ? REST_RC_OK : REST_RC_INTERNAL_ERROR;
}

/* ASes and countries: one "unknown" row until GeoIP lands. */
static enum rest_rc
unknown_list(const struct rest_params *p, json_t **rsp, const char *idk,
	     json_t *idv, const char *namek)
{
	static const char *const cols[] = { "num_hosts", "bytes_sent",
		"bytes_rcvd", "traffic", "throughput", "seen_since", NULL };
	struct ui_req r = { UI_OP_ALL, 0, 0 };
	json_t *row = NULL, *rows;
	enum rest_rc rc = run(rest_param_iface(p, "ifid"), &r, &row);

	if (rc != REST_RC_OK) {
		json_decref(idv);
		return rc;
	}
	json_object_set_new(row, idk, idv);
	json_object_set_new(row, namek, json_string("Unknown"));
	rows = json_array();
	if (json_integer_value(json_object_get(row, "num_hosts")))
		json_array_append(rows, row);
	json_decref(row);
	*rsp = page_rows(rows, p, cols, "traffic");
	return *rsp ? REST_RC_OK : REST_RC_INTERNAL_ERROR;
}

static enum rest_rc
h_asns(const struct rest_params *p, const struct auth_user *u,
       json_t **rsp, const char **msg)
{
	return unknown_list(p, rsp, "asn", json_integer(0), "asname");
}

static enum rest_rc
h_countries(const struct rest_params *p, const struct auth_user *u,
	    json_t **rsp, const char **msg)
{
	return unknown_list(p, rsp, "country", json_string(""), "name");
}

static enum rest_rc
h_matrix(const struct rest_params *p, const struct auth_user *u,
	 json_t **rsp, const char **msg)
{
	struct ui_req r = { UI_OP_MATRIX, 10, 0 };
	long n;

	if (rest_param_int(p, "max_hosts", 1, UI_MATRIX_MAX, &n))
		r.max_hosts = (int)n;
	return run(rest_param_iface(p, "ifid"), &r, rsp);
}

static enum rest_rc
h_flow_details(const struct rest_params *p, const struct auth_user *u,
	       json_t **rsp, const char **msg)
{
	struct ui_req r = { UI_OP_FLOW, 0, 0 };
	struct iface *ifc = rest_param_iface(p, "ifid");
	long id;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	if (!rest_param_int(p, "flow_key", 0, UINT32_MAX, &id))
		return REST_RC_INVALID_ARGUMENTS;
	r.flow_id = (uint32_t)id;
	if (query_run(ifc, ui_build, &r, sizeof(r), rsp) < 0)
		return REST_RC_INTERNAL_ERROR;
	if (!*rsp) {
		*msg = "No active flow has this id (it may have expired)";
		return REST_RC_NOT_FOUND;
	}
	return REST_RC_OK;
}

/* ------------------------------------------------------------------ */
/* routing                                                             */

static const struct {
	const char *path;            /* after /lua/rest/v2/ */
	ui_fn fn;
	int admin;
} ui_routes[] = {
	{ "get/ntopng/session.lua", h_session, 0 },
	{ "get/ntopng/users.lua", h_users, 1 },
	{ "set/ntopng/user/add.lua", h_user_add, 1 },
	{ "set/ntopng/user/delete.lua", h_user_del, 1 },
	{ "set/ntopng/user/password.lua", h_user_password, 0 },
	{ "create/ntopng/api_token.lua", h_api_token, 0 },
	{ "create/ntopng/session.lua", h_session_create, 0 },
	{ "get/ntopng/prefs.lua", h_prefs_get, 0 },
	{ "set/ntopng/prefs.lua", h_prefs_set, 1 },
	{ "set/interface/name.lua", h_iface_name, 1 },
	{ "get/vlan/list.lua", h_vlans, 0 },
	{ "get/asn/list.lua", h_asns, 0 },
	{ "get/country/list.lua", h_countries, 0 },
	{ "get/interface/matrix.lua", h_matrix, 0 },
	{ "get/flow/details.lua", h_flow_details, 0 },
};

static int
ui_route(const char *url)
{
	if (strncmp(url, "/lua/rest/v2/", 13))
		return -1;
	for (size_t i = 0; i < sizeof(ui_routes) / sizeof(ui_routes[0]); i++)
		if (!strcmp(url + 13, ui_routes[i].path))
			return (int)i;
	return -1;
}

int
ui_is_path(const char *url)
{
	return ui_route(url) >= 0;
}

int
ui_handle(const char *url, const struct rest_params *p,
	  const struct auth_user *u, int *status, char **body)
{
	int r = ui_route(url);
	const char *msg = NULL;
	json_t *rsp = NULL;
	enum rest_rc rc;

	if (r < 0) {
		rc = REST_RC_NOT_FOUND;
	} else if (ui_routes[r].admin && !u->admin) {
		rc = REST_RC_NOT_GRANTED;
		msg = "This needs administrator rights";
	} else {
		rc = ui_routes[r].fn(p, u, &rsp, &msg);
		if (rc == REST_RC_OK && !rsp)
			rc = REST_RC_INTERNAL_ERROR;
	}
	*body = rest_envelope(rc, msg, rsp, status);
	return *body ? 0 : -1;
}
