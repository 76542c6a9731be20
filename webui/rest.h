/*
 * rest.h - the REST v2 API (docs/rest.md): request parameters, routing of
 * /lua/rest/... paths and the {rc, rc_str, rc_str_hr, rsp} envelope.
 *
 * Threads: called by the HTTP server's threads.  Handlers never touch an
 * interface's tables; they ask its owner thread through query_run().
 */
#ifndef WEBUI_REST_H
#define WEBUI_REST_H

#include <stddef.h>

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
	REST_RC_OK = 0, REST_RC_NOT_FOUND, REST_RC_INVALID_INTERFACE,
	REST_RC_NOT_GRANTED, REST_RC_INVALID_HOST, REST_RC_INVALID_ARGUMENTS,
	REST_RC_INTERNAL_ERROR,
};

struct json_t;
/* The {rc, rc_str, rc_str_hr, rsp} envelope as JSON text (heap), rsp
 * stolen (replaced by [] on errors); hr, if not NULL, replaces the
 * standard English text.  Sets *status to the HTTP status. */
char *rest_envelope(enum rest_rc rc, const char *hr, struct json_t *rsp, int *status);

/* 1 when `url` is served by rest_handle(). */
int rest_is_path(const char *url);

/*
 * Answers one REST call for a caller who is (admin = 1) or is not an
 * administrator: a call that changes state shared by every user answers
 * NOT_GRANTED to others.  Sets *status to the HTTP status and *body to a
 * heap JSON text (caller frees).  Returns 0, or -1 when out of memory.
 */
int rest_handle(const char *url, const struct rest_params *p, int admin,
		int *status, char **body);

#endif
