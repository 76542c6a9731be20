/*
 * rest_storage.c - REST endpoints of persistence (rest_storage.h).
 *
 * historical.lua runs the load on the Historical interface's owner thread
 * through iface_query() (the load replaces its tables, which only the
 * owner may touch); the HTTP thread waits for it.  ts.lua reads an RRD
 * file with rrd_fetch_r() on the HTTP thread: RRD files are only appended
 * to by the writer, and librrd's _r calls are thread-safe.  Names taken
 * from parameters go through storage_safe_name(), so a request can never
 * name a path outside the data directory; the file lists it answers are
 * relative to the data directory.  set/interface/historical.lua is for
 * administrators only (webui/rest.c).
 */
#include "webui/rest_storage.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <rrd.h>

#include "common/log.h"
#include "common/prefs.h"
#include "exporter/flowdb.h"
#include "exporter/influx.h"
#include "exporter/storage.h"
#include "exporter/writer.h"
#include "merge/iface.h"
#include "sources/historical.h"
#include "webui/rest.h"
#include "webui/rest_flowdb.h"

#define HISTORICAL_TIMEOUT_MS (10 * 60 * 1000)

enum rest_rc
rest_storage_stats(struct rest_call *c, json_t **rsp)
{
	(void)c;
	*rsp = storage_stats_json();
	return *rsp ? REST_RC_OK : REST_RC_INTERNAL_ERROR;
}

static struct iface *
historical_iface(void)
{
	for (int i = 0; i < node_n_ifaces; i++) {
		struct iface *ifc = node_ifaces[i];

		if (iface_inputs(ifc) ==
		    (IFACE_IN_OFFLINE | IFACE_IN_HISTORICAL))
			return ifc;
	}
	return NULL;
}

struct hist_job {
	int src_ifid;
	char src_dir[WRITER_IFDIR_MAX];
	time_t begin, end;
	json_t *out;
	/* ClickHouse: the query and the -F value */
	int ch;
	struct flowdb_query q;
	const char *spec;
};

static void
hist_run(struct iface *ifc, void *arg)
{
	struct hist_job *j = arg;

	if (j->ch)
		j->out = historical_load_ch(ifc, j->src_ifid, &j->q, j->spec);
	else
		j->out = historical_load(ifc, j->src_ifid, j->src_dir, j->begin,
					 j->end);
}

/* With ClickHouse as the flow store: the query of a load (range and
 * filters as get/db/flows.lua; which interface: ifname= any writer's
 * INTERFACE_NAME, ifid= this run's interface as this node wrote it,
 * all=true every row). */
static enum rest_rc
hist_ch_query(struct rest_call *c, struct hist_job *j, const struct prefs *pr)
{
	static __thread char msg[160];
	const struct rest_params *p = c->p;
	const char *ifname = rest_params_get(p, "ifname");
	const char *inst = rest_params_get(p, "instance");
	const char *all;
	struct iface *src;
	enum rest_rc rc;
	long ifid = 0;

	rc = rest_flowdb_params(p, &j->q, msg, sizeof(msg));
	if (rc != REST_RC_OK) {
		c->msg = msg;
		return rc;
	}
	if (rest_params_get(p, "epoch_begin") == NULL ||
	    rest_params_get(p, "epoch_end") == NULL)
		return REST_RC_INVALID_ARGUMENTS;
	if (rest_param_long(p, "ifid", 0, INT_MAX, &ifid) < 0)
		return REST_RC_INVALID_ARGUMENTS;
	j->src_ifid = (int)ifid;
	all = rest_params_get(p, "all");
	if (all != NULL && (!strcasecmp(all, "true") || !strcmp(all, "1"))) {
		j->src_ifid = -1;
	} else if (ifname != NULL && ifname[0] != '\0') {
		/* any bytes: the SQL has its hex form only */
		if (strlen(ifname) >= sizeof(j->q.ifname))
			return REST_RC_INVALID_ARGUMENTS;
		snprintf(j->q.ifname, sizeof(j->q.ifname), "%s", ifname);
		j->src_ifid = -1;
	} else {
		/* as the sink writes INTERFACE_NAME: the input whole */
		src = query_iface_by_id(ifid);
		if (src == NULL ||
		    (iface_spec(src) == NULL && iface_name(src) == NULL))
			return REST_RC_INVALID_ARGUMENTS;
		snprintf(j->q.ifname, sizeof(j->q.ifname), "%s",
			 iface_spec(src) ? iface_spec(src) : iface_name(src));
		if (inst == NULL || inst[0] == '\0')
			flowdb_own_instance(pr->instance_name, j->q.instance,
					    sizeof(j->q.instance));
	}
	j->ch = 1;
	j->spec = pr->flows_store_spec;
	return REST_RC_OK;
}

/* The path relative to the data directory dir ("7/flows/2026/01/02.sqlite"):
 * answers never show where the node keeps its files.  A path elsewhere
 * (none is) shows its file name only. */
static json_t *
rel_path(const char *dir, const char *path)
{
	size_t n = dir ? strlen(dir) : 0;
	const char *slash;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n && !strncmp(path, dir, n) && path[n] == '/')
		return json_string(path + n + 1);
	slash = strrchr(path, '/');
	return json_string(slash ? slash + 1 : path);
}

/* Rewrites the file lists of a historical_load() answer in place. */
static void
hist_relative(json_t *out, const char *dir)
{
	static const char *const lists[] = { "files_read", "missing_files",
					     "corrupt_files" };
	size_t i, k;
	json_t *a, *v, *f;

	for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
		a = json_object_get(out, lists[k]);
		json_array_foreach(a, i, v)
		{
			if (json_is_string(v))
				json_array_set_new(
					a, i,
					rel_path(dir, json_string_value(v)));
			else if (json_is_string(f = json_object_get(v, "file")))
				json_object_set_new(
					v, "file",
					rel_path(dir, json_string_value(f)));
		}
	}
}

enum rest_rc
rest_storage_historical(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	struct iface *h = historical_iface();
	const char *ifname = rest_params_get(p, "ifname");
	char dir[WRITER_IFDIR_MAX];
	struct hist_job *j;
	long src = 0, b, e;

	if (h == NULL)
		return REST_RC_NOT_FOUND; /* no -F: no Historical interface */
	if (iface_prefs(h) != NULL &&
	    iface_prefs(h)->flows_store == PREFS_FLOWS_CLICKHOUSE) {
		enum rest_rc rc;

		j = calloc(1, sizeof(*j));
		if (j == NULL)
			return REST_RC_INTERNAL_ERROR;
		rc = hist_ch_query(c, j, iface_prefs(h));
		if (rc != REST_RC_OK) {
			free(j);
			return rc;
		}
		goto run;
	}
	if (rest_param_long(p, "ifid", 0, INT_MAX, &src) < 0 ||
	    rest_param_long(p, "epoch_begin", 0, LONG_MAX, &b) != 1 ||
	    rest_param_long(p, "epoch_end", 0, LONG_MAX, &e) != 1 || e < b)
		return REST_RC_INVALID_ARGUMENTS;
	/*
	 * Files follow the interface, not its ifid: ifid names one of this
	 * run's interfaces, ifname (its -i name) any interface that ever
	 * wrote files here, e.g. one of a previous run.  The directory
	 * name is sanitized and hashed: it never leaves the data directory.
	 */
	if (ifname != NULL && ifname[0] != '\0') {
		if (strlen(ifname) > 4096 ||
		    writer_iface_dirname(dir, sizeof(dir), ifname) != 0)
			return REST_RC_INVALID_ARGUMENTS;
		src = -1;
	} else if (writer_iface_dir((int)src) != NULL) {
		snprintf(dir, sizeof(dir), "%s", writer_iface_dir((int)src));
	} else {
		return REST_RC_INVALID_ARGUMENTS;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return REST_RC_INTERNAL_ERROR;
	snprintf(j->src_dir, sizeof(j->src_dir), "%s", dir);
	j->src_ifid = (int)src;
	j->begin = (time_t)b;
	j->end = (time_t)e;
run:
	if (iface_query(h, hist_run, j, HISTORICAL_TIMEOUT_MS) != 0) {
		/* not taken within ten minutes: withdrawn, j is ours again */
		free(j);
		return REST_RC_INTERNAL_ERROR;
	}
	*rsp = j->out;
	free(j);
	if (*rsp)
		hist_relative(*rsp,
			      iface_prefs(h) ? iface_prefs(h)->data_dir : NULL);
	return *rsp ? REST_RC_OK : REST_RC_INTERNAL_ERROR;
}

/*
 * --timeseries-driver influxdb: the same answer from InfluxDB's /query
 * (exporter/influx.c).  The host goes to InfluxQL only as this node
 * formats a parsed address (plus "@vlan"), the protocol only when made of
 * [A-Za-z0-9._-] (influx_query() checks again).
 */
static enum rest_rc
ts_influx(struct rest_call *c, const char *schema, int ifid, time_t b, time_t e,
	  json_t **rsp)
{
	const struct rest_params *p = c->p;
	char key[WRITER_NAME_MAX], ip[IPADDR_STRLEN], err[256] = "";
	const char *host = NULL, *proto = NULL;
	long vlan = 0;
	int rc;

	if (!strcmp(schema, "host:traffic")) {
		const char *h = rest_params_get(p, "host");
		struct ipaddr a;

		if (h == NULL || strlen(h) >= IPADDR_STRLEN ||
		    ipaddr_parse(&a, h) != 0 ||
		    rest_param_long(p, "vlan", 0, 4095, &vlan) < 0)
			return REST_RC_INVALID_ARGUMENTS;
		ipaddr_fmt(&a, ip, sizeof(ip));
		if (vlan)
			snprintf(key, sizeof(key), "%s@%ld", ip, vlan);
		else
			snprintf(key, sizeof(key), "%s", ip);
		host = key;
	} else if (!strcmp(schema, "iface:ndpi")) {
		proto = rest_params_get(p, "protocol");
		if (proto == NULL || proto[0] == '\0')
			return REST_RC_INVALID_ARGUMENTS;
		for (const char *s = proto; *s; s++)
			if (!((*s >= 'a' && *s <= 'z') ||
			      (*s >= 'A' && *s <= 'Z') ||
			      (*s >= '0' && *s <= '9') || *s == '.' ||
			      *s == '_' || *s == '-'))
				return REST_RC_INVALID_ARGUMENTS;
	} else if (strcmp(schema, "iface:traffic") != 0) {
		return REST_RC_INVALID_ARGUMENTS;
	}
	if (writer_iface_dir(ifid) == NULL)
		return REST_RC_NOT_FOUND;
	rc = influx_query(schema, ifid, host, proto, b, e, rsp, err,
			  sizeof(err));
	if (rc == 0)
		return REST_RC_OK;
	if (rc == 1)
		return REST_RC_NOT_FOUND;
	if (rc == -1)
		return REST_RC_INVALID_ARGUMENTS;
	log_warn("ts.lua: InfluxDB query failed: %s", err);
	return REST_RC_INTERNAL_ERROR;
}

enum rest_rc
rest_storage_timeseries(struct rest_call *c, json_t **rsp)
{
	const struct rest_params *p = c->p;
	const char *schema = rest_params_get(p, "schema");
	char path[PATH_MAX], name[WRITER_NAME_MAX], raw[WRITER_NAME_MAX];
	char **ds_names = NULL;
	rrd_value_t *data = NULL;
	unsigned long step = 0, ds_cnt = 0, rows, r, d;
	long ifid = 0, b, e, vlan = 0;
	time_t start, end, now = time(NULL);
	json_t *series;
	const char *sub;

	if (rest_param_long(p, "ifid", 0, INT_MAX, &ifid) != 1 ||
	    schema == NULL)
		return REST_RC_INVALID_ARGUMENTS;
	if (rest_param_long(p, "epoch_begin", 0, LONG_MAX, &b) != 1)
		b = now - 3600;
	if (rest_param_long(p, "epoch_end", 0, LONG_MAX, &e) != 1)
		e = now;
	if (e <= b)
		return REST_RC_INVALID_ARGUMENTS;
	if (influx_configured())
		return ts_influx(c, schema, (int)ifid, (time_t)b, (time_t)e,
				 rsp);
	if (!strcmp(schema, "iface:traffic")) {
		sub = "";
		snprintf(name, sizeof(name), "iface");
	} else if (!strcmp(schema, "host:traffic")) {
		const char *host = rest_params_get(p, "host");

		if (host == NULL || host[0] == '\0' ||
		    rest_param_long(p, "vlan", 0, 4095, &vlan) < 0)
			return REST_RC_INVALID_ARGUMENTS;
		if (vlan)
			snprintf(raw, sizeof(raw), "%s@%ld", host, vlan);
		else
			snprintf(raw, sizeof(raw), "%s", host);
		storage_safe_name(name, sizeof(name), raw);
		sub = "hosts/";
	} else if (!strcmp(schema, "iface:ndpi")) {
		const char *proto = rest_params_get(p, "protocol");

		if (proto == NULL || proto[0] == '\0')
			return REST_RC_INVALID_ARGUMENTS;
		storage_safe_name(name, sizeof(name), proto);
		sub = "l7/";
	} else {
		return REST_RC_INVALID_ARGUMENTS;
	}
	if (writer_iface_dir((int)ifid) == NULL)
		return REST_RC_NOT_FOUND;
	if (writer_rrd_path(path, sizeof(path), writer_iface_dir((int)ifid),
			    sub, name) != 0)
		return REST_RC_INTERNAL_ERROR;
	start = (time_t)b;
	end = (time_t)e;
	rrd_clear_error();
	if (rrd_fetch_r(path, "AVERAGE", &start, &end, &step, &ds_cnt,
			&ds_names, &data) != 0)
		return REST_RC_NOT_FOUND;
	series = json_array();
	rows = step ? (unsigned long)(end - start) / step : 0;
	for (d = 0; d < ds_cnt && series; d++) {
		json_t *v = json_array();
		double total = 0;

		for (r = 0; r < rows && v; r++) {
			rrd_value_t x = data[r * ds_cnt + d];

			if (isnan(x)) {
				json_array_append_new(v, json_null());
			} else {
				json_array_append_new(v, json_real(x));
				total += x * (double)step;
			}
		}
		json_array_append_new(
			series,
			json_pack("{s:s,s:o,s:f}", "label", ds_names[d], "data",
				  v ? v : json_array(), "total", total));
	}
	for (d = 0; d < ds_cnt; d++)
		rrd_freemem(ds_names[d]);
	rrd_freemem(ds_names);
	rrd_freemem(data);
	*rsp = json_pack("{s:s,s:I,s:I,s:I,s:o}", "schema", schema, "start",
			 (json_int_t)start, "end", (json_int_t)end, "step",
			 (json_int_t)step, "series",
			 series ? series : json_array());
	return *rsp ? REST_RC_OK : REST_RC_INTERNAL_ERROR;
}
