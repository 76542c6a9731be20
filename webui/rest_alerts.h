/*
 * rest_alerts.h - the alert routes of the REST API (docs/rest.md,
 * docs/alerts.md) and the threshold rules' home in the kv store.
 *
 * Rules are kept as JSON under ntopng.alerts.threshold.<id> (the text of
 * alert_thr_to_json, merge/alerts_thr.h), ids from the counter
 * ntopng.alerts.threshold_next_id; rest_alerts_load() reads them back at
 * start.  Threads: handlers on the HTTP server's threads; load on main
 * before the interfaces start.
 */
#ifndef WEBUI_REST_ALERTS_H
#define WEBUI_REST_ALERTS_H

#include "webui/rest.h"

#define REST_ALERTS_KEY_PREFIX "ntopng.alerts.threshold."
#define REST_ALERTS_NEXT_ID_KEY "ntopng.alerts.threshold_next_id"

/* Adds the stored rules to their interfaces (main, before iface_start;
 * after kv_open).  Rules of an ifid that does not exist are kept and
 * skipped, with a line. */
void rest_alerts_load(void);

enum rest_rc rest_alerts_thr_add(struct rest_call *c, json_t **rsp);
enum rest_rc rest_alerts_thr_del(struct rest_call *c, json_t **rsp);
enum rest_rc rest_alerts_thr_list(struct rest_call *c, json_t **rsp);
enum rest_rc rest_alerts_list(struct rest_call *c, json_t **rsp);
enum rest_rc rest_alerts_consts(struct rest_call *c, json_t **rsp);

#endif
