/*
 * rest.h - the REST API (docs/rest.md, docs/webui.md): request
 * parameters, the one route table of /lua/rest/... paths (webui/routes.c)
 * and the {rc, rc_str, rc_str_hr, rsp} envelope.
 *
 * A route is {path, handler, admin, builder}: the handler reads and
 * checks the parameters, hands the route's builder (a query_b_* of
 * merge/query.h) to the interface's owner through rest_run() /
 * query_run(), and may reshape the answer; rest_handle() wraps it in the
 * envelope.  Handlers never walk an interface's tables themselves.
 *
 * Threads: called by the HTTP server's threads.
 */
#ifndef WEBUI_REST_H
#define WEBUI_REST_H

#include <stddef.h>

#include <jansson.h>

#include "merge/query.h"

/* Request parameters: the query string, then the top-level keys of a
 * JSON body (which override).  Caller's storage; _fini frees. */
struct rest_param {
	char *name;
	char *value;
};

struct rest_params {
	struct rest_param *v;
	size_t n, cap;
};

void rest_params_init(struct rest_params *p);
void rest_params_fini(struct rest_params *p);
/* Sets name=value (copied), replacing an earlier value.  0 or -1. */
int rest_params_set(struct rest_params *p, const char *name, const char *value);
/* The value, or NULL when absent. */
const char *rest_params_get(const struct rest_params *p, const char *name);
/* Merges the top-level keys of a JSON object body; numbers and booleans
 * become their text ("0", "true").  Returns 0, or -1 if the body is not
 * a JSON object (nothing merged). */
int rest_params_merge_json(struct rest_params *p, const char *body, size_t len);
/* Merges the fields of an application/x-www-form-urlencoded body (a
 * POST form; common/form.h), which override like a JSON body's keys; a
 * field without '=', with an empty name or with a NUL byte once decoded
 * is skipped.  0, or -1 after REST_FORM_FIELDS_MAX fields (the rest
 * ignored) or out of memory. */
#define REST_FORM_FIELDS_MAX 256
int rest_params_merge_form(struct rest_params *p, const char *body, size_t len);

/* A whole decimal parameter in [min, max]: 1 and *out, 0 when absent or
 * empty, -1 when present but not such a number. */
int rest_param_long(const struct rest_params *p, const char *name, long min,
		    long max, long *out);
/* The same, absent and bad alike: 1 and *out, else 0. */
static inline int
rest_param_int(const struct rest_params *p, const char *name, long min,
	       long max, long *out)
{
	return rest_param_long(p, name, min, max, out) == 1;
}
struct iface;
/* The interface whose id the parameter holds, or NULL. */
struct iface *rest_param_iface(const struct rest_params *p, const char *name);

/* Return codes of rest-api.md §1.4, with their HTTP statuses. */
enum rest_rc {
	REST_RC_OK = 0,
	REST_RC_NOT_FOUND,
	REST_RC_INVALID_INTERFACE,
	REST_RC_NOT_GRANTED,
	REST_RC_INVALID_HOST,
	REST_RC_INVALID_ARGUMENTS,
	REST_RC_INTERNAL_ERROR,
};

/* The {rc, rc_str, rc_str_hr, rsp} envelope as JSON text (heap), rsp
 * stolen (replaced by [] on errors); hr, if not NULL, replaces the
 * standard English text.  Sets *status to the HTTP status. */
char *rest_envelope(enum rest_rc rc, const char *hr, json_t *rsp, int *status);

/* ---- the route table (webui/routes.c) ---- */

struct auth_user;
struct rest_route;

/* One call being answered: what a handler gets. */
struct rest_call {
	const struct rest_params *p;
	const struct auth_user *u; /* the caller (never NULL) */
	const struct rest_route *route;
	const char *msg; /* out: replaces the rc's standard text */
};

/* Sets *rsp (new object) and returns REST_RC_OK, or an error rc. */
typedef enum rest_rc (*rest_handler)(struct rest_call *c, json_t **rsp);

/* Who may call a route. */
enum rest_access {
	/* Any user, unless the path's first word is a verb that writes
	 * (set/ add/ edit/ delete/ enable/ disable/ reset/): those change
	 * what every user sees, so they are for administrators.  The rule
	 * goes by the word, so a route added later cannot forget it. */
	REST_BY_VERB = 0,
	REST_ADMIN, /* administrators only */
	/* The call acts on the caller's own account and the handler
	 * checks the rights itself (set/ntopng/user/password.lua): the
	 * verb rule does not apply. */
	REST_SELF,
};

struct rest_route {
	const char *path; /* after /lua/rest/v2/ (or v1/) */
	rest_handler fn;
	int admin;	      /* enum rest_access */
	query_build_fn build; /* the builder the handler runs, or NULL */
};

/* The route of a full URL ("/lua/rest/v2/..." or its v1 alias), or
 * NULL. */
const struct rest_route *rest_route_find(const char *url);
/* 1 when only administrators may call r. */
int rest_route_admin_only(const struct rest_route *r);
/* The table itself (tests): *n routes. */
const struct rest_route *rest_routes_all(size_t *n);

/* Runs build on ifc's owner with the argument block arg (copied; see
 * query_run()).  not_found, if not NULL, points at the block's out-flag:
 * set, it answers NOT_FOUND.  A query not taken in time and a NULL
 * answer are INTERNAL_ERROR. */
enum rest_rc rest_run(struct iface *ifc, query_build_fn build, void *arg,
		      size_t arg_size, const int *not_found, json_t **out);

/* 1 when `url` is served by rest_handle(). */
int rest_is_path(const char *url);

/*
 * Answers one REST call for user u: a route for administrators answers
 * NOT_GRANTED to others, an unknown path NOT_FOUND (404).  Sets *status
 * to the HTTP status and *body to a heap JSON text (caller frees).
 * Returns 0, or -1 when out of memory.
 */
int rest_handle(const char *url, const struct rest_params *p,
		const struct auth_user *u, int *status, char **body);

/* ---- handlers of the upstream v2 API (webui/rest.c) ---- */

enum rest_rc rest_h_connect_test(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_interfaces(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_iface_data(struct rest_call *c, json_t **rsp);
/* Any route whose builder needs only "ifid". */
enum rest_rc rest_h_build(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_iface_address(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_host_active(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_flow_active(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_host_data(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_host_find(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_host_custom_data(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_host_interfaces(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_l7_stats(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_l7_data(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_host_l7_stats(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_flow_traffic(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_flow_graph(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_host_contacts(struct rest_call *c, json_t **rsp);
/* get/host/activitymap.lua (?seconds=1: the active seconds) and
 * get/host/correlation.lua (?method=pearson|jaccard, ?max=): the host's
 * activity map (merge/query_activity.c). */
enum rest_rc rest_h_host_activitymap(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_host_correlation(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_asn_info(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_asn_name(struct rest_call *c, json_t **rsp);
enum rest_rc rest_h_country_name(struct rest_call *c, json_t **rsp);

#endif
