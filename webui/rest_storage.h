/*
 * rest_storage.h - REST endpoints of persistence (docs/storage.md),
 * rows of the route table of webui/routes.c:
 *   get/ntopng/redis.lua            key-value store and writer counters
 *   set/interface/historical.lua    load flow history into "Historical"
 *   get/timeseries/ts.lua           one RRD series as JSON
 * Each returns REST_RC_OK with *rsp set, or INVALID_ARGUMENTS,
 * INVALID_INTERFACE, NOT_FOUND (no such series; no Historical
 * interface) or INTERNAL_ERROR.
 */
#ifndef WEBUI_REST_STORAGE_H
#define WEBUI_REST_STORAGE_H

#include "webui/rest.h"

enum rest_rc rest_storage_stats(struct rest_call *c, json_t **rsp);
enum rest_rc rest_storage_historical(struct rest_call *c, json_t **rsp);
enum rest_rc rest_storage_timeseries(struct rest_call *c, json_t **rsp);

#endif
