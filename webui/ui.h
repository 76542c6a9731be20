/*
 * ui.h - the REST calls of the web pages that upstream's v2 API does not
 * have (our extensions, docs/webui.md): session info, users
 * administration, preferences, API tokens, VLAN/AS/country lists, the
 * host traffic matrix and flow details.  Same envelope as rest.c.
 *
 * Threads: the HTTP server's threads; table reads go to the owner thread
 * through query_run().
 */
#ifndef WEBUI_UI_H
#define WEBUI_UI_H

#include "webui/auth.h"
#include "webui/rest.h"

/* 1 when url is one of ours. */
int ui_is_path(const char *url);
/* Answers one call as user u: *status, *body (heap JSON).  0 or -1. */
int ui_handle(const char *url, const struct rest_params *p,
	      const struct auth_user *u, int *status, char **body);
/* An error envelope with a human message; sets *status. */
char *ui_error_body(enum rest_rc rc, const char *msg, int *status);
/* The name set in the preferences for interface ifid (heap), or NULL. */
char *ui_iface_custom_name(int ifid);

#endif
