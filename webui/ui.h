/*
 * ui.h - the REST calls of the web pages that upstream's v2 API does not
 * have (our extensions, docs/webui.md): session info, users
 * administration, preferences, API tokens, VLAN/AS/country lists, the
 * host traffic matrix and flow details.  Same envelope as rest.c.
 *
 * Their routes are in the one table of webui/routes.c.
 *
 * Threads: the HTTP server's threads; table reads go to the owner thread
 * through query_run().
 */
#ifndef WEBUI_UI_H
#define WEBUI_UI_H

#include "state/auth.h"
#include "webui/rest.h"

/* The handlers (webui/routes.c lists their paths). */
enum rest_rc ui_h_session(struct rest_call *c, json_t **rsp);
enum rest_rc ui_h_users(struct rest_call *c, json_t **rsp);
enum rest_rc ui_h_user_add(struct rest_call *c, json_t **rsp);
enum rest_rc ui_h_user_del(struct rest_call *c, json_t **rsp);
enum rest_rc ui_h_user_password(struct rest_call *c, json_t **rsp);
enum rest_rc ui_h_api_token(struct rest_call *c, json_t **rsp);
enum rest_rc ui_h_session_create(struct rest_call *c, json_t **rsp);
enum rest_rc ui_h_prefs_get(struct rest_call *c, json_t **rsp);
enum rest_rc ui_h_prefs_set(struct rest_call *c, json_t **rsp);
enum rest_rc ui_h_iface_name(struct rest_call *c, json_t **rsp);
/* set/interface/state.lua: {ifid, state: enabled|disabled}, kept in the
 * kv store; ui_iface_states_restore() disables, at start-up (main, before
 * iface_start()), the interfaces that were disabled; returns how many. */
enum rest_rc ui_h_iface_state(struct rest_call *c, json_t **rsp);
int ui_iface_states_restore(void);
/* A paged list of the route's builder's rows: VLANs; ASes, countries. */
enum rest_rc ui_h_vlans(struct rest_call *c, json_t **rsp);
enum rest_rc ui_h_geo_list(struct rest_call *c, json_t **rsp);
/* -A aggregations: the paged list of one family (?family=dns|http|os,
 * ?host=IP) and one name's contacts (?name=&family=). */
enum rest_rc ui_h_aggr_list(struct rest_call *c, json_t **rsp);
enum rest_rc ui_h_aggr_contacts(struct rest_call *c, json_t **rsp);
/* get/geo/hosts.lua (the map); ui_geo_init: the --map-tiles-url it
 * reports, set once on main before the server starts. */
enum rest_rc ui_h_geo_hosts(struct rest_call *c, json_t **rsp);
void ui_geo_init(const char *tiles_url);
enum rest_rc ui_h_matrix(struct rest_call *c, json_t **rsp);
enum rest_rc ui_h_flow_details(struct rest_call *c, json_t **rsp);
/* An error envelope with a human message; sets *status. */
char *ui_error_body(enum rest_rc rc, const char *msg, int *status);
/* The name set in the preferences for interface ifid (heap), or NULL. */
char *ui_iface_custom_name(int ifid);

#endif
