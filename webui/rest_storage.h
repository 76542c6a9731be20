/*
 * rest_storage.h - REST endpoints of persistence (docs/storage.md),
 * routed by webui/rest.c:
 *   get/ntopng/redis.lua            key-value store and writer counters
 *   set/interface/historical.lua    load flow history into "Historical"
 *   get/timeseries/ts.lua           one RRD series as JSON
 * Each returns 0 with *rsp set, or -1 bad arguments, -2 unknown
 * interface, -3 not found, -4 internal error.
 */
#ifndef WEBUI_REST_STORAGE_H
#define WEBUI_REST_STORAGE_H

struct rest_params;
struct json_t;

int rest_storage_stats(const struct rest_params *p, struct json_t **rsp);
int rest_storage_historical(const struct rest_params *p, struct json_t **rsp);
int rest_storage_timeseries(const struct rest_params *p, struct json_t **rsp);

#endif
