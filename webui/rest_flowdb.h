/*
 * rest_flowdb.h - the flow history route (docs/rest.md, docs/storage.md
 * "Reading the flow history"), a row of webui/routes.c:
 *   get/db/flows.lua   flows of a time range from the flow store, with
 *                      filters, sorting, paging, totals and top-N
 * Answers REST_RC_OK with *rsp, INVALID_ARGUMENTS (a bad filter: the
 * message names it), INVALID_INTERFACE, NOT_FOUND (no flow store) or
 * INTERNAL_ERROR (the store failed or took too long).
 */
#ifndef WEBUI_REST_FLOWDB_H
#define WEBUI_REST_FLOWDB_H

#include "webui/rest.h"

enum rest_rc rest_flowdb_flows(struct rest_call *c, json_t **rsp);

struct flowdb_query;
/* The query's filters from a request (epoch_begin, epoch_end, host,
 * port, l4proto, vlan, protocol, site, node, instance, sortColumn,
 * sortOrder, perPage, currentPage, top): REST_RC_OK, or
 * INVALID_ARGUMENTS with the message in msg. */
enum rest_rc rest_flowdb_params(const struct rest_params *p,
				struct flowdb_query *q, char *msg, size_t len);

#endif
