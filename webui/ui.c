/*
 * ui.c - REST calls for the web pages beyond upstream's v2 API
 * (docs/webui.md lists them): who am I, users, preferences, API tokens,
 * VLAN/AS/country lists, the top-hosts traffic matrix, flow details.
 *
 * How it works: their rows are in the one route table (webui/routes.c),
 * which also says who may call them.  Account calls go to state/auth.c;
 * table reads run the row's builder (merge/query.c: the VLAN, AS and
 * country tables, the matrix, a flow's details) on the interface's
 * owner thread through rest_run(), and the HTTP thread pages the small
 * lists with query_rows_page().  The answer is the usual {rc, rc_str,
 * rc_str_hr, rsp} envelope.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/log.h"
#include "common/prefs.h"
#include "state/kv.h"
#include "exporter/storage.h"
#include "merge/aggr.h"
#include "merge/iface.h"
#include "merge/query.h"
#include "state/auth.h"
#include "webui/ui.h"

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
			       snprintf(key, len, "ntopng.prefs.iface.%s.name",
					id) < (int)len
		       ? 0
		       : -1;
}

char *
ui_iface_custom_name(int ifid)
{
	char key[320];

	return ui_iface_name_key(ifid, key, sizeof(key)) == 0 ? kv_get(key)
							      : NULL;
}

/* ------------------------------------------------------------------ */
/* paging of small lists                                               */

/* {data, currentPage, perPage, totalRows, sort} from rows (stolen),
 * sorted by the column "sortColumn" when it is one of cols, else dflt
 * (query_rows_page(), the one pager). */
static json_t *
page_rows(json_t *rows, const struct rest_params *p, const char *const *cols,
	  const char *dflt)
{
	const char *col = p_str(p, "sortColumn"), *ord = p_str(p, "sortOrder");
	int desc = ord && !strcmp(ord, "desc");
	long per = 10, page = 1;
	json_t *data;
	size_t n;
	int ok = 0;

	for (int i = 0; col && cols[i]; i++)
		ok |= !strcmp(col, cols[i]);
	if (!ok)
		col = dflt;
	rest_param_int(p, "perPage", 1, 10000, &per);
	rest_param_int(p, "currentPage", 1, INT_MAX, &page);
	data = query_rows_page(rows, col, desc, (int)per, (int)page, &n);
	if (!data)
		return NULL;
	return json_pack("{s:o,s:i,s:i,s:I,s:[[s,s]]}", "data", data,
			 "currentPage", (int)page, "perPage", (int)per,
			 "totalRows", (json_int_t)n, "sort", col,
			 desc ? "desc" : "asc");
}

/* ------------------------------------------------------------------ */
/* handlers                                                            */

/* Runs the route's builder (argument block arg) on the interface
 * "ifid"; a NULL answer is an internal error. */
static enum rest_rc
run(struct rest_call *c, void *arg, size_t arg_size, json_t **out)
{
	struct iface *ifc = rest_param_iface(c->p, "ifid");

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	return rest_run(ifc, c->route->build, arg, arg_size, NULL, out);
}

enum rest_rc
ui_h_session(struct rest_call *c, json_t **rsp)
{
	const struct auth_user *u = c->u;
	struct iface *ifc = query_iface_by_id(0);
	const struct prefs *p = ifc ? iface_prefs(ifc) : NULL;
	/* the flow history's store (-F), for the explorer and Historical */
	const char *store = p == NULL || !p->dump_flows ? "none"
			    : p->flows_store == PREFS_FLOWS_CLICKHOUSE
				    ? "clickhouse"
				    : "sqlite";

	/* features: optional calls the pages may use (so that they never
	 * fetch a path this build does not serve). */
	*rsp = json_pack(
		"{s:s,s:s,s:s,s:b,s:b,s:i,s:{s:b,s:s}}", "user", u->name,
		"group", u->admin ? "administrator" : "unprivileged", "csrf",
		u->csrf, "default_password",
		!strcmp(u->name, "admin") && auth_admin_default_password(),
		"session", u->via_session, "session_ttl", auth_session_ttl(),
		"features", "sources",
		rest_is_path("/lua/rest/v2/get/interface/sources.lua"),
		"flows_store", store);
	return REST_RC_OK;
}

enum rest_rc
ui_h_users(struct rest_call *c, json_t **rsp)
{
	(void)c;
	*rsp = auth_users_list();
	return REST_RC_OK;
}

enum rest_rc
ui_h_user_add(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	const struct auth_user *u = c->u;
	const char *name = p_str(p, "username"), *pw = p_str(p, "password");
	const char *g = p_str(p, "group");

	if (!auth_name_valid(name) || !pw) {
		c->msg = "A user name (letters, digits, _ - @) and a password "
			 "are needed";
		return REST_RC_INVALID_ARGUMENTS;
	}
	if (g && strcmp(g, "administrator") && strcmp(g, "unprivileged")) {
		c->msg = "The group is administrator or unprivileged";
		return REST_RC_INVALID_ARGUMENTS;
	}
	if (auth_user_exists(name)) {
		c->msg = "This user exists already";
		return REST_RC_INVALID_ARGUMENTS;
	}
	if (auth_user_add(name, p_str(p, "full_name"), pw,
			  g && !strcmp(g, "administrator")) < 0)
		return REST_RC_INTERNAL_ERROR;
	log_info("ui: %s added user %s", u->name, name);
	*rsp = json_object();
	return REST_RC_OK;
}

enum rest_rc
ui_h_user_del(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	const struct auth_user *u = c->u;
	const char *name = p_str(p, "username");

	if (!name || !auth_user_exists(name))
		return REST_RC_NOT_FOUND;
	if (!strcmp(name, u->name) || !strcmp(name, "admin")) {
		c->msg = "You cannot delete yourself or admin";
		return REST_RC_INVALID_ARGUMENTS;
	}
	if (auth_user_delete(name) < 0)
		return REST_RC_INTERNAL_ERROR;
	log_info("ui: %s deleted user %s", u->name, name);
	*rsp = json_object();
	return REST_RC_OK;
}

enum rest_rc
ui_h_user_password(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	const struct auth_user *u = c->u;
	const char *name = p_str(p, "username"), *pw = p_str(p, "new_password");
	const char *old = p_str(p, "old_password");

	if (!name)
		name = u->name;
	if (!pw) {
		c->msg = "The new password is empty";
		return REST_RC_INVALID_ARGUMENTS;
	}
	if (!auth_user_exists(name))
		return REST_RC_NOT_FOUND;
	if (strcmp(name, u->name) && !u->admin)
		return REST_RC_NOT_GRANTED;
	/* Your own password: prove you know the old one (a stolen session
	 * must not lock the owner out). */
	if (!strcmp(name, u->name) &&
	    (!old || !auth_password_check(name, old))) {
		c->msg = "The old password is wrong";
		return REST_RC_NOT_GRANTED;
	}
	if (auth_user_set_password(name, pw) < 0)
		return REST_RC_INTERNAL_ERROR;
	log_info("ui: %s changed the password of %s", u->name, name);
	*rsp = json_object();
	return REST_RC_OK;
}

enum rest_rc
ui_h_api_token(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	const struct auth_user *u = c->u;
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
enum rest_rc
ui_h_session_create(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	const struct auth_user *u = c->u;
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

	for (int i = 0; i < query_iface_count(); i++) {
		struct iface *ifc = query_iface_at(i);
		const char *ifname = query_iface_ifname(ifc);
		const char *name = query_iface_name(ifc);
		char *custom = ui_iface_custom_name(query_iface_id(ifc));

		json_array_append_new(a,
				      json_pack("{s:i,s:s,s:s,s:s}", "ifid",
						query_iface_id(ifc), "ifname",
						ifname ? ifname : "", "name",
						name ? name : "", "custom_name",
						custom ? custom : ""));
		free(custom);
	}
	return a;
}

enum rest_rc
ui_h_prefs_get(struct rest_call *c, json_t **rsp)
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
	*rsp = json_pack("{s:i,s:I,s:o}", "auth_session_duration",
			 auth_session_ttl(), "flows_retention_days",
			 (json_int_t)days, "interfaces", ifaces_json());
	return REST_RC_OK;
}

enum rest_rc
ui_h_prefs_set(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	const char *d = rest_params_get(p, "auth_session_duration");
	long v;
	char buf[32];

	if (d) {
		if (!rest_param_int(p, "auth_session_duration", 1, 365L * 86400,
				    &v)) {
			c->msg = "auth_session_duration is 1 .. 31536000 "
				 "seconds";
			return REST_RC_INVALID_ARGUMENTS;
		}
		snprintf(buf, sizeof(buf), "%ld", v);
		if (kv_set("ntopng.prefs.auth_session_duration", buf, 0) < 0)
			return REST_RC_INTERNAL_ERROR;
	}
	if (rest_params_get(p, "flows_retention_days")) {
		if (!rest_param_int(p, "flows_retention_days", 0, 36500, &v)) {
			c->msg =
				"flows_retention_days is 0 (keep all) .. 36500";
			return REST_RC_INVALID_ARGUMENTS;
		}
		snprintf(buf, sizeof(buf), "%ld", v);
		if (kv_set("ntopng.prefs.flows_retention_days", buf, 0) < 0)
			return REST_RC_INTERNAL_ERROR;
	}
	*rsp = json_object();
	return REST_RC_OK;
}

enum rest_rc
ui_h_iface_name(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	const struct auth_user *u = c->u;
	struct iface *ifc = rest_param_iface(p, "ifid");
	const char *name = rest_params_get(p, "name");
	char key[320];
	size_t n;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	if (!name || (n = strlen(name)) >= UI_IFNAME_MAX) {
		c->msg = "The name is up to 63 characters";
		return REST_RC_INVALID_ARGUMENTS;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 ||
		    strchr("<>&\"'", name[i])) {
			c->msg = "The name has a forbidden character";
			return REST_RC_INVALID_ARGUMENTS;
		}
	if (ui_iface_name_key(query_iface_id(ifc), key, sizeof(key)) != 0)
		return REST_RC_INTERNAL_ERROR;
	if ((n ? kv_set(key, name, 0) : kv_del(key)) < 0 && n)
		return REST_RC_INTERNAL_ERROR;
	log_info("ui: %s named interface %d '%s'", u->name, query_iface_id(ifc),
		 name);
	*rsp = json_object();
	return REST_RC_OK;
}

/* The key that keeps an interface disabled across restarts (present,
 * "1": disabled), by identity like its name's (docs/storage.md). */
static int
ui_iface_state_key(int ifid, char *key, size_t len)
{
	char id[256];

	return storage_iface_id(ifid, id, sizeof(id)) == 0 &&
			       snprintf(key, len,
					"ntopng.prefs.iface.%s.disabled",
					id) < (int)len
		       ? 0
		       : -1;
}

/* One state change at a time (all interfaces): the kv store then keeps
 * the state of the change applied last. */
static pthread_mutex_t ui_state_lock = PTHREAD_MUTEX_INITIALIZER;

enum rest_rc
ui_h_iface_state(struct rest_call *c, json_t **rsp)
{
	struct iface *ifc = rest_param_iface(c->p, "ifid");
	const char *state = rest_params_get(c->p, "state");
	char key[320], err[512];
	int on, ifid, rc, saved;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	if (!state || (strcmp(state, "enabled") && strcmp(state, "disabled"))) {
		c->msg = "state is enabled or disabled";
		return REST_RC_INVALID_ARGUMENTS;
	}
	on = !strcmp(state, "enabled");
	ifid = query_iface_id(ifc);
	pthread_mutex_lock(&ui_state_lock);
	rc = iface_set_enabled(ifc, on, err, sizeof(err));
	/* kv_del of an absent key is no failure */
	saved = rc == 0 && ui_iface_state_key(ifid, key, sizeof(key)) == 0 &&
		(on ? (kv_del(key), 0) : kv_set(key, "1", 0)) == 0;
	pthread_mutex_unlock(&ui_state_lock);
	if (rc != 0) {
		/* shown to the administrator who asked (the page's switch) */
		static __thread char msg[600];

		snprintf(msg, sizeof(msg), "Cannot %s the interface: %s",
			 on ? "enable" : "disable", err);
		c->msg = msg;
		return REST_RC_INTERNAL_ERROR;
	}
	if (!saved) {
		c->msg = "Changed, but the state could not be saved";
		return REST_RC_INTERNAL_ERROR;
	}
	log_info("ui: %s %s interface %d", c->u->name,
		 on ? "enabled" : "disabled", ifid);
	*rsp = json_pack("{s:i,s:s}", "ifid", ifid, "state",
			 iface_enabled(ifc) ? "enabled" : "disabled");
	return REST_RC_OK;
}

int
ui_iface_states_restore(void)
{
	char key[320], err[512];
	int n = 0;

	for (int i = 0; i < query_iface_count(); i++) {
		struct iface *ifc = query_iface_at(i);
		char *v;

		if (ui_iface_state_key(query_iface_id(ifc), key, sizeof(key)) !=
		    0)
			continue;
		v = kv_get(key);
		if (v != NULL && !strcmp(v, "1") &&
		    iface_set_enabled_unstarted(ifc, 0, err, sizeof(err)) == 0)
			n++;
		free(v);
	}
	return n;
}

/* ?family= into a family index (-1 absent: all); 0, or -1 when bad. */
static int
aggr_family_arg(struct rest_call *c, int *family)
{
	const char *f = p_str(c->p, "family");

	*family = -1;
	if (f == NULL || f[0] == '\0')
		return 0;
	*family = aggr_family_parse(f);
	if (*family >= 0)
		return 0;
	c->msg = "family is dns, http or os";
	return -1;
}

enum rest_rc
ui_h_aggr_list(struct rest_call *c, json_t **rsp)
{
	static const char *const cols[] = { "name",	    "queries",
					    "flows",	    "bytes",
					    "num_contacts", "seen_first",
					    "seen_last",    NULL };
	struct query_aggr_arg a;
	const char *host = p_str(c->p, "host");
	json_t *rows = NULL;
	enum rest_rc rc;

	memset(&a, 0, sizeof(a));
	if (aggr_family_arg(c, &a.family) != 0)
		return REST_RC_INVALID_ARGUMENTS;
	if (host != NULL && strlen(host) >= sizeof(a.host)) {
		c->msg = "host is an IP address";
		return REST_RC_INVALID_ARGUMENTS;
	}
	if (host != NULL)
		snprintf(a.host, sizeof(a.host), "%s", host);
	rc = run(c, &a, sizeof(a), &rows);
	if (rc != REST_RC_OK)
		return rc;
	*rsp = page_rows(rows, c->p, cols, "queries");
	return *rsp ? REST_RC_OK : REST_RC_INTERNAL_ERROR;
}

enum rest_rc
ui_h_aggr_contacts(struct rest_call *c, json_t **rsp)
{
	struct iface *ifc = rest_param_iface(c->p, "ifid");
	const char *name = p_str(c->p, "name");
	struct query_aggr_arg a;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	memset(&a, 0, sizeof(a));
	if (aggr_family_arg(c, &a.family) != 0)
		return REST_RC_INVALID_ARGUMENTS;
	if (name == NULL || name[0] == '\0' || strlen(name) >= sizeof(a.name)) {
		c->msg = "name is required (up to 255 characters)";
		return REST_RC_INVALID_ARGUMENTS;
	}
	snprintf(a.name, sizeof(a.name), "%s", name);
	return rest_run(ifc, c->route->build, &a, sizeof(a), &a.not_found, rsp);
}

enum rest_rc
ui_h_vlans(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	static const char *const cols[] = { "vlan",	  "num_hosts",
					    "bytes_sent", "bytes_rcvd",
					    "traffic",	  "throughput",
					    "seen_since", "packets",
					    "last_seen",  NULL };
	json_t *rows = NULL;
	enum rest_rc rc = run(c, NULL, 0, &rows);

	if (rc != REST_RC_OK)
		return rc;
	*rsp = page_rows(rows, p, cols, "vlan");
	return *rsp ? REST_RC_OK : REST_RC_INTERNAL_ERROR;
}

/* ASes and countries: the tables of merge/query.c, paged. */
enum rest_rc
ui_h_geo_list(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	static const char *const cols[] = { "num_hosts",  "bytes_sent",
					    "bytes_rcvd", "traffic",
					    "throughput", "seen_since",
					    NULL };
	json_t *rows = NULL;
	enum rest_rc rc = run(c, NULL, 0, &rows);

	if (rc != REST_RC_OK)
		return rc;
	*rsp = page_rows(rows, p, cols, "traffic");
	return *rsp ? REST_RC_OK : REST_RC_INTERNAL_ERROR;
}

/* --map-tiles-url, set by httpd_start() before the server answers */
static const char *ui_tiles_url;

void
ui_geo_init(const char *tiles_url)
{
	ui_tiles_url = tiles_url;
}

/* The map's markers (merge/query.c) and the tile URL the page may use
 * ("" = none: the page draws the world outline the node serves). */
enum rest_rc
ui_h_geo_hosts(struct rest_call *c, json_t **rsp)
{
	enum rest_rc rc = run(c, NULL, 0, rsp);

	if (rc != REST_RC_OK)
		return rc;
	json_object_set_new(*rsp, "tiles_url",
			    json_string(ui_tiles_url ? ui_tiles_url : ""));
	return REST_RC_OK;
}

enum rest_rc
ui_h_matrix(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct query_matrix_arg r = { 10 };
	long n;

	if (rest_param_int(p, "max_hosts", 1, QUERY_MATRIX_MAX, &n))
		r.max_hosts = (int)n;
	return run(c, &r, sizeof(r), rsp);
}

enum rest_rc
ui_h_flow_details(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct query_flow_arg r = { 0, 0 };
	struct iface *ifc = rest_param_iface(p, "ifid");
	long id;

	if (!ifc)
		return REST_RC_INVALID_INTERFACE;
	if (!rest_param_int(p, "flow_key", 0, UINT32_MAX, &id))
		return REST_RC_INVALID_ARGUMENTS;
	r.id = (uint32_t)id;
	if (query_run(ifc, c->route->build, &r, sizeof(r), rsp) < 0)
		return REST_RC_INTERNAL_ERROR;
	if (!*rsp) {
		c->msg = "No active flow has this id (it may have expired)";
		return REST_RC_NOT_FOUND;
	}
	return REST_RC_OK;
}
