/*
 * historical.c - the Historical interface's source and loader
 * (historical.h).
 *
 * The source reads nothing: it is created ended, so the interface is
 * "offline" (never purged) and idle.  A load, run on the interface's
 * owner thread, empties the tables and counters, then walks the days
 * from begin to end (local time, as the writer names its files) and for
 * each day file:
 *   - absent: listed in missing_files;
 *   - cannot be opened read-only, or has no usable `flows` table (not a
 *     database, truncated, wrong schema): listed in corrupt_files with
 *     SQLite's message; the load goes on with the next file;
 *   - otherwise every row whose [first_seen, last_seen] overlaps the range
 *     becomes one flow update (deltas, L7 given) fed to
 *     iface_flow_update(), exactly as a collector's record would.
 * Columns: ours (docs/storage.md) carry per-direction bytes and packets
 * and nDPI ids; an ntopng 1.x file has only the common columns, so the
 * direction split, packets and protocol come from its json column
 * ("cli2srv.bytes", "srv2cli.packets", "proto.ndpi", ...) when present,
 * else all bytes count client to server and the protocol is guessed.
 *
 * With ClickHouse as the flow store (-F clickhouse...), historical_load_ch
 * reads the rows of the flows table (the Distributed one in a cluster)
 * through the query module exporter/flowdb.c, page by page, and feeds
 * them the same way.
 */
#include "sources/historical.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <ndpi/ndpi_api.h>
#include <sqlite3.h>

#include "common/log.h"
#include "exporter/flowdb.h"
#include "exporter/writer.h"
#include "merge/iface.h"
/* the loader resets and fills its interface's tables itself (ifc->stats,
 * ifc->l7, ifc->clock_ms, ifc->ndpi's protocol names): the one source
 * allowed the private layout (layering.sh R4); the rest goes through the
 * accessors */
#include "merge/iface_priv.h"
#include "merge/source.h"
#include "merge/tables.h"

int
historical_is_spec(const char *spec)
{
	return strncmp(spec, HISTORICAL_SPEC, strlen(HISTORICAL_SPEC)) == 0;
}

static int
hsrc_read(struct source *s, const struct rec_sink *sink, int budget)
{
	(void)s;
	(void)sink;
	(void)budget;
	return 0;
}

static void
hsrc_free(struct source *s)
{
	free(s->spec);
	free(s);
}

struct source *
historical_source_open(const char *spec, const struct prefs *p)
{
	struct source *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	(void)p;
	s->kind = &historical_kind;
	s->state = SOURCE_ENDED;
	s->spec = strdup(spec);
	s->read = hsrc_read;
	s->free = hsrc_free;
	if (s->spec == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

/* Offline (never purged by the wall clock) and historical: the Historical
 * interface, filled by historical_load() on request. */
const struct source_kind historical_kind = {
	.name = "historical",
	.match = historical_is_spec,
	.open = historical_source_open,
	.offline = 1,
	.historical = 1,
};

/* Empties the tables and every counter of ifc. */
static int
historical_reset(struct iface *ifc)
{
	tables_fini(ifc);
	if (tables_init(ifc) != 0)
		return -1;
	memset(&ifc->stats, 0, sizeof(ifc->stats));
	if (ifc->l7 != NULL)
		memset(ifc->l7, 0, ifc->n_l7 * sizeof(*ifc->l7));
	ifc->clock_ms = 0;
	return 0;
}

/* nDPI ids from "Master.App" or "App" (1.x files); 0 when unknown. */
static void
l7_from_name(struct iface *ifc, const char *name, uint16_t *master,
	     uint16_t *app)
{
	char buf[64];
	char *dot;
	int id;

	*master = *app = 0;
	if (name == NULL || ifc->ndpi == NULL ||
	    snprintf(buf, sizeof(buf), "%s", name) >= (int)sizeof(buf))
		return;
	dot = strchr(buf, '.');
	if (dot != NULL) {
		*dot = '\0';
		id = ndpi_get_protocol_id(ifc->ndpi, dot + 1);
		if (id > 0)
			*app = (uint16_t)id;
		id = ndpi_get_protocol_id(ifc->ndpi, buf);
		if (id > 0)
			*master = (uint16_t)id;
		return;
	}
	id = ndpi_get_protocol_id(ifc->ndpi, buf);
	if (id > 0)
		*app = (uint16_t)id;
}

static uint64_t
jget(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) && json_integer_value(v) > 0
		       ? (uint64_t)json_integer_value(v)
		       : 0;
}

static int
has_column(sqlite3 *db, const char *col)
{
	sqlite3_stmt *s;
	int found = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA table_info(flows)", -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *n = sqlite3_column_text(s, 1);

		if (n != NULL && strcmp((const char *)n, col) == 0)
			found = 1;
	}
	sqlite3_finalize(s);
	return found;
}

struct load_ctx {
	struct iface *ifc;
	time_t begin, end;
	uint64_t loaded, rejected;
};

/* One row -> one flow update.  0, or -1 when the row is unusable. */
static int
load_row(struct load_ctx *c, sqlite3_stmt *s, int ours)
{
	struct flow_update u;
	const char *cli = (const char *)sqlite3_column_text(s, WFC_cli_ip);
	const char *srv = (const char *)sqlite3_column_text(s, WFC_srv_ip);
	const char *js = (const char *)sqlite3_column_text(s, WFC_json);
	const char *l7name = NULL, *info = NULL;
	sqlite3_int64 bytes = sqlite3_column_int64(s, WFC_bytes);
	sqlite3_int64 first = sqlite3_column_int64(s, WFC_first_seen);
	sqlite3_int64 last = sqlite3_column_int64(s, WFC_last_seen);
	long vlan = sqlite3_column_int(s, WFC_vlan_id);
	long cport = sqlite3_column_int(s, WFC_cli_port);
	long sport = sqlite3_column_int(s, WFC_srv_port);
	long proto = sqlite3_column_int(s, WFC_proto);
	json_t *o = NULL;
	int rc = -1;

	memset(&u, 0, sizeof(u));
	if (cli == NULL || srv == NULL || ipaddr_parse(&u.src, cli) != 0 ||
	    ipaddr_parse(&u.dst, srv) != 0 || u.src.v != u.dst.v || vlan < 0 ||
	    vlan > 4095 || cport < 0 || cport > 65535 || sport < 0 ||
	    sport > 65535 || proto < 0 || proto > 255 || bytes < 0 ||
	    first < 0 || last < first)
		return -1;
	u.ip_version = u.src.v;
	u.vlan = (uint16_t)vlan;
	u.l4_proto = (uint8_t)proto;
	u.sport = (uint16_t)cport;
	u.dport = (uint16_t)sport;
	u.first_ms = (uint64_t)first * 1000;
	u.last_ms = (uint64_t)last * 1000;
	if (js != NULL)
		o = json_loads(js, 0, NULL);
	if (ours) {
		static const int col[4] = {
			WFC_cli2srv_bytes,
			WFC_srv2cli_bytes,
			WFC_cli2srv_packets,
			WFC_srv2cli_packets,
		};
		sqlite3_int64 v[4];
		int i;

		for (i = 0; i < 4; i++) {
			v[i] = sqlite3_column_int64(s, col[i]);
			if (v[i] < 0)
				goto out;
		}
		u.in_bytes = (uint64_t)v[0];
		u.out_bytes = (uint64_t)v[1];
		u.in_pkts = (uint64_t)v[2];
		u.out_pkts = (uint64_t)v[3];
		u.l7_master = (uint16_t)sqlite3_column_int(s, WFC_l7_master);
		u.l7_app = (uint16_t)sqlite3_column_int(s, WFC_l7_app);
		info = (const char *)sqlite3_column_text(s, WFC_info);
		if (u.l7_master >= c->ifc->n_l7)
			u.l7_master = 0;
		if (u.l7_app >= c->ifc->n_l7)
			u.l7_app = 0;
		if (!u.l7_master && !u.l7_app)
			l7name = (const char *)sqlite3_column_text(s,
								   WFC_l7_name);
	} else {
		uint64_t c2s = jget(o, "cli2srv.bytes"),
			 s2c = jget(o, "srv2cli.bytes");

		if (c2s + s2c == (uint64_t)bytes) {
			u.in_bytes = c2s;
			u.out_bytes = s2c;
		} else {
			u.in_bytes = (uint64_t)bytes;
		}
		u.in_pkts = jget(o, "cli2srv.packets");
		u.out_pkts = jget(o, "srv2cli.packets");
		if (json_is_string(json_object_get(o, "proto.ndpi")))
			l7name = json_string_value(
				json_object_get(o, "proto.ndpi"));
		if (json_is_string(json_object_get(o, "info")))
			info = json_string_value(json_object_get(o, "info"));
	}
	if (l7name != NULL)
		l7_from_name(c->ifc, l7name, &u.l7_master, &u.l7_app);
	if (info != NULL && info[0] != '\0')
		u.info = info;
	rc = iface_flow_update(c->ifc, &u);
out:
	json_decref(o);
	return rc;
}

/* Loads one file; on failure returns SQLite's message (static text). */
static const char *
load_file(struct load_ctx *c, const char *path)
{
	/* the columns of the field dictionary (FW_COL), rowid first so
	 * that WFC_<col> is a column's index; ntopng 1.x files have the
	 * V1 columns only (the first ones) */
	static const char ours_q[] =
		"SELECT rowid"
#define FW_COL(col, type, bind, value, era) ", " #col
#include "common/flow_fields.def"
#undef FW_COL
		" FROM flows WHERE last_seen >= ? AND first_seen <= ?";
#define FW_V1_V1(col) ", " #col
#define FW_V1_OURS(col)
	static const char old_q[] =
		"SELECT rowid"
#define FW_COL(col, type, bind, value, era) FW_V1_##era(col)
#include "common/flow_fields.def"
#undef FW_COL
		" FROM flows WHERE last_seen >= ? AND first_seen <= ?";
	static char err[256];
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int ours, rc;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(db, 1000);
	ours = has_column(db, "cli2srv_bytes");
	if (ours < 0)
		goto fail;
	if (sqlite3_prepare_v2(db, ours ? ours_q : old_q, -1, &s, NULL) !=
	    SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)c->begin);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)c->end);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (load_row(c, s, ours) == 0)
			c->loaded++;
		else
			c->rejected++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	sqlite3_close(db);
	return NULL;
fail:
	snprintf(err, sizeof(err), "%s",
		 db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_finalize(s);
	sqlite3_close(db);
	return err;
}

json_t *
historical_load(struct iface *ifc, int src_ifid, const char *src_dir,
		time_t begin, time_t end)
{
	struct load_ctx c = { ifc, begin, end, 0, 0 };
	json_t *read = json_array(), *missing = json_array(),
	       *corrupt = json_array();
	char path[PATH_MAX], prev[PATH_MAX] = "";
	time_t day;
	int ndays = 0;

	if (historical_reset(ifc) != 0) {
		json_decref(read);
		json_decref(missing);
		json_decref(corrupt);
		return NULL;
	}
	/* one file per local day: step by 6 hours (DST days are 23 or 25
	 * hours long) and skip a path equal to the previous one; the last
	 * step is the end itself */
	for (day = begin; ndays < 4000; day += 6 * 3600) {
		const char *e;
		time_t t = day < end ? day : end;

		if (writer_day_path(path, sizeof(path), src_dir, "flows", t) !=
		    0)
			break;
		if (strcmp(path, prev) != 0) {
			snprintf(prev, sizeof(prev), "%s", path);
			ndays++;
			if (access(path, F_OK) != 0) {
				json_array_append_new(missing,
						      json_string(path));
			} else if ((e = load_file(&c, path)) != NULL) {
				log_warn("historical: %s: %s", path, e);
				json_array_append_new(
					corrupt, json_pack("{s:s,s:s}", "file",
							   path, "error", e));
			} else {
				json_array_append_new(read, json_string(path));
			}
		}
		if (t == end)
			break;
	}
	tables_giveup_all(ifc);
	log_info("historical: loaded %llu flows of interface %s (%lld..%lld): "
		 "%zu files, %zu missing, %zu corrupt",
		 (unsigned long long)c.loaded, src_dir, (long long)begin,
		 (long long)end, json_array_size(read),
		 json_array_size(missing), json_array_size(corrupt));
	return json_pack(
		"{s:i,s:i,s:s,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:i,s:i,s:I,s:I}",
		"ifid", iface_id(ifc), "src_ifid", src_ifid, "src_dir", src_dir,
		"epoch_begin", (json_int_t)begin, "epoch_end", (json_int_t)end,
		"loaded_flows", (json_int_t)c.loaded, "rejected_rows",
		(json_int_t)c.rejected, "files_read", read, "missing_files",
		missing, "corrupt_files", corrupt, "flows",
		(int)iface_num_flows(ifc), "hosts", (int)iface_num_hosts(ifc),
		"bytes", (json_int_t)iface_stats(ifc)->bytes, "packets",
		(json_int_t)iface_stats(ifc)->packets);
}

struct ch_load_ctx {
	struct iface *ifc;
	uint64_t loaded, rejected;
};

/* One ClickHouse row -> one flow update (as load_row). */
static int
ch_row(const struct flowdb_row *r, void *arg)
{
	struct ch_load_ctx *c = arg;
	struct flow_update u;

	memset(&u, 0, sizeof(u));
	if (r->cli.v != r->srv.v || r->vlan < 0 || r->vlan > 4095 ||
	    r->cli_port < 0 || r->cli_port > 65535 || r->srv_port < 0 ||
	    r->srv_port > 65535 || r->proto < 0 || r->proto > 255 ||
	    r->first_seen < 0 || r->last_seen < r->first_seen) {
		c->rejected++;
		return 0;
	}
	u.src = r->cli;
	u.dst = r->srv;
	u.ip_version = r->cli.v;
	u.vlan = (uint16_t)r->vlan;
	u.l4_proto = (uint8_t)r->proto;
	u.sport = (uint16_t)r->cli_port;
	u.dport = (uint16_t)r->srv_port;
	u.first_ms = (uint64_t)r->first_seen * 1000;
	u.last_ms = (uint64_t)r->last_seen * 1000;
	u.in_bytes = r->c2s_bytes;
	u.out_bytes = r->s2c_bytes;
	u.in_pkts = r->c2s_pkts;
	u.out_pkts = r->s2c_pkts;
	if (r->l7_master > 0 && (uint32_t)r->l7_master < c->ifc->n_l7)
		u.l7_master = (uint16_t)r->l7_master;
	if (r->l7_app > 0 && (uint32_t)r->l7_app < c->ifc->n_l7)
		u.l7_app = (uint16_t)r->l7_app;
	if (!u.l7_master && !u.l7_app && r->l7_name[0])
		l7_from_name(c->ifc, r->l7_name, &u.l7_master, &u.l7_app);
	if (r->info[0] != '\0')
		u.info = r->info;
	if (iface_flow_update(c->ifc, &u) == 0)
		c->loaded++;
	else
		c->rejected++;
	return 0;
}

json_t *
historical_load_ch(struct iface *ifc, int src_ifid,
		   const struct flowdb_query *q, const char *spec)
{
	struct ch_load_ctx c = { ifc, 0, 0 };
	char err[256] = "";
	long n, rej = 0;
	int truncated = 0;
	json_t *out;

	if (historical_reset(ifc) != 0)
		return NULL;
	n = flowdb_ch_each(q, spec, ch_row, &c, HISTORICAL_CH_MAX_ROWS, &rej,
			   &truncated, err, sizeof(err));
	tables_giveup_all(ifc);
	if (n < 0)
		log_warn("historical: ClickHouse: %s", err);
	log_info("historical: loaded %llu flows from ClickHouse (%lld..%lld)%s",
		 (unsigned long long)c.loaded, (long long)q->begin,
		 (long long)q->end, truncated ? ", cut at the row limit" : "");
	out = json_pack(
		"{s:i,s:i,s:s,s:s,s:I,s:I,s:I,s:I,s:[],s:[],s:[],s:i,s:i,s:I,"
		"s:I,s:b,s:s,s:s,s:s}",
		"ifid", iface_id(ifc), "src_ifid", src_ifid, "src_dir", "",
		"backend", "clickhouse", "epoch_begin", (json_int_t)q->begin,
		"epoch_end", (json_int_t)q->end, "loaded_flows",
		(json_int_t)c.loaded, "rejected_rows",
		(json_int_t)(c.rejected + (uint64_t)rej), "files_read",
		"missing_files", "corrupt_files", "flows",
		(int)iface_num_flows(ifc), "hosts", (int)iface_num_hosts(ifc),
		"bytes", (json_int_t)iface_stats(ifc)->bytes, "packets",
		(json_int_t)iface_stats(ifc)->packets, "truncated", truncated,
		"instance", q->instance, "interface", q->ifname, "error",
		n < 0 ? err : "");
	return out;
}
