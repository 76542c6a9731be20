/*
 * rest_flowdb.c - get/db/flows.lua (rest_flowdb.h): reads the request's
 * filters into a struct flowdb_query (each value checked by the
 * module's setters: a bad one is 400 naming it) and runs it on the flow
 * store, on the HTTP thread (the store is files or a remote server, no
 * interface table is read; the module bounds the time).
 *
 * Which store: with -F clickhouse... the ClickHouse flows table (the
 * Distributed one in a cluster: every writer's flows; ifname= narrows
 * to one input, instance= to one writer), with its own client per call;
 * otherwise the interface's SQLite day files (ifid, or ifname for an interface
 * of another run, as set/interface/historical.lua).
 */
#include "webui/rest_flowdb.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/prefs.h"
#include "exporter/chclient.h"
#include "exporter/flowdb.h"
#include "exporter/writer.h"
#include "merge/iface.h"

/* A query's filters from the request; REST_RC_OK or INVALID_ARGUMENTS
 * with the message in msg. */
enum rest_rc
rest_flowdb_params(const struct rest_params *p, struct flowdb_query *q,
		   char *msg, size_t len)
{
	static const struct {
		const char *name;
		long min, max;
		size_t off;
	} ints[] = {
		{ "port", 0, 65535, offsetof(struct flowdb_query, port) },
		{ "l4proto", 0, 255, offsetof(struct flowdb_query, l4proto) },
		{ "vlan", 0, 4095, offsetof(struct flowdb_query, vlan) },
		{ "perPage", 1, FLOWDB_MAX_PAGE,
		  offsetof(struct flowdb_query, per_page) },
		{ "currentPage", 1, 1000000,
		  offsetof(struct flowdb_query, page) },
		{ "top", 0, FLOWDB_MAX_TOP,
		  offsetof(struct flowdb_query, top) },
	};
	const char *v;
	long b, e, n;
	size_t i;
	int r;

	flowdb_query_init(q, time(NULL));
	r = rest_param_long(p, "epoch_end", 0, FLOWDB_EPOCH_MAX, &e);
	if (r < 0)
		goto bad_time;
	if (r == 1)
		q->end = e;
	r = rest_param_long(p, "epoch_begin", 0, FLOWDB_EPOCH_MAX, &b);
	if (r < 0)
		goto bad_time;
	q->begin = r == 1 ? b : q->end - 3600;
	if (q->end < q->begin)
		goto bad_time;
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		r = rest_param_long(p, ints[i].name, ints[i].min, ints[i].max,
				    &n);
		if (r < 0) {
			snprintf(msg, len, "%s: a whole number, %ld to %ld",
				 ints[i].name, ints[i].min, ints[i].max);
			return REST_RC_INVALID_ARGUMENTS;
		}
		if (r == 1)
			*(int *)((char *)q + ints[i].off) = (int)n;
	}
	if ((v = rest_params_get(p, "host")) != NULL && v[0] &&
	    flowdb_set_host(q, v, msg, len) != 0)
		return REST_RC_INVALID_ARGUMENTS;
	if ((v = rest_params_get(p, "protocol")) != NULL && v[0] &&
	    flowdb_set_l7(q, v, msg, len) != 0)
		return REST_RC_INVALID_ARGUMENTS;
	if ((v = rest_params_get(p, "site")) != NULL && v[0] &&
	    flowdb_set_site(q, v, msg, len) != 0)
		return REST_RC_INVALID_ARGUMENTS;
	if ((v = rest_params_get(p, "node")) != NULL && v[0] &&
	    flowdb_set_node(q, v, msg, len) != 0)
		return REST_RC_INVALID_ARGUMENTS;
	if ((v = rest_params_get(p, "instance")) != NULL && v[0] &&
	    flowdb_set_instance(q, v, msg, len) != 0)
		return REST_RC_INVALID_ARGUMENTS;
	if (flowdb_set_sort(q, rest_params_get(p, "sortColumn"),
			    rest_params_get(p, "sortOrder"), msg, len) != 0)
		return REST_RC_INVALID_ARGUMENTS;
	return REST_RC_OK;
bad_time:
	snprintf(msg, len,
		 "epoch_begin, epoch_end: epoch seconds, begin "
		 "not after end");
	return REST_RC_INVALID_ARGUMENTS;
}

enum rest_rc
rest_flowdb_flows(struct rest_call *c, json_t **rsp)
{
	/* c->msg must outlive the call: one per HTTP thread */
	static __thread char msg[160];
	const struct rest_params *p = c->p;
	const char *ifname = rest_params_get(p, "ifname");
	struct flowdb_query q;
	struct iface *ifc = NULL;
	const struct prefs *pr;
	char dir[WRITER_IFDIR_MAX];
	enum rest_rc rc;
	long ifid = 0;

	msg[0] = '\0';
	rc = rest_flowdb_params(p, &q, msg, sizeof(msg));
	if (rc != REST_RC_OK) {
		c->msg = msg;
		return rc;
	}
	if (rest_param_long(p, "ifid", 0, INT_MAX, &ifid) < 0)
		return REST_RC_INVALID_INTERFACE;
	ifc = query_iface_by_id(ifid);
	if (ifc == NULL && (ifname == NULL || ifname[0] == '\0'))
		return REST_RC_INVALID_INTERFACE;
	if (ifc == NULL)
		ifc = query_iface_by_id(0);
	pr = ifc ? iface_prefs(ifc) : NULL;
	if (pr == NULL || !pr->dump_flows) {
		snprintf(msg, sizeof(msg), "no flow store: start with -F");
		c->msg = msg;
		return REST_RC_NOT_FOUND;
	}
	if (pr->flows_store == PREFS_FLOWS_CLICKHOUSE) {
		/* the whole table (every writer, every interface) unless
		 * ifname names one writer's input (INTERFACE_NAME) */
		if (ifname != NULL && ifname[0] != '\0') {
			if (strlen(ifname) >= sizeof(q.ifname))
				return REST_RC_INVALID_ARGUMENTS;
			snprintf(q.ifname, sizeof(q.ifname), "%s", ifname);
		}
		*rsp = flowdb_ch_run_spec(&q, pr->flows_store_spec, msg,
					  sizeof(msg));
		if (*rsp == NULL) {
			c->msg = msg;
			return REST_RC_INTERNAL_ERROR;
		}
		return REST_RC_OK;
	}
	if (q.node[0] || q.instance[0]) {
		snprintf(msg, sizeof(msg),
			 "node, instance: only with the ClickHouse flow store "
			 "(a node's day files hold its own flows only)");
		c->msg = msg;
		return REST_RC_INVALID_ARGUMENTS;
	}
	if (ifname != NULL && ifname[0] != '\0') {
		if (strlen(ifname) > 4096 ||
		    writer_iface_dirname(dir, sizeof(dir), ifname) != 0)
			return REST_RC_INVALID_ARGUMENTS;
	} else if (writer_iface_dir((int)ifid) != NULL) {
		snprintf(dir, sizeof(dir), "%s", writer_iface_dir((int)ifid));
	} else {
		return REST_RC_INVALID_INTERFACE;
	}
	*rsp = flowdb_run_sqlite(&q, pr->data_dir, dir, msg, sizeof(msg));
	if (*rsp == NULL) {
		c->msg = msg;
		return strstr(msg, "days") ? REST_RC_INVALID_ARGUMENTS
					   : REST_RC_INTERNAL_ERROR;
	}
	return REST_RC_OK;
}
