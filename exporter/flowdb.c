/*
 * flowdb.c - the flow history query module (flowdb.h).
 *
 * A query is four parts over the flows that overlap the time range and
 * pass the filters: the totals, one page of rows in the chosen order, the
 * top-N hosts (client and server alike) by bytes and the top-N L7
 * protocols by bytes.
 *
 * SQLite: an in-memory connection attaches each day file of the range
 * read-only (file name bound as a parameter, "file:...?mode=ro"), a file
 * without a usable flows table is detached and reported, and a TEMP view
 * joins the files with UNION ALL (ntopng 1.x files, which lack our
 * columns, give zeros for them).  Filters are bound (:b :e :h ...); a
 * progress handler interrupts a query past FLOWDB_TIMEOUT_S.
 *
 * ClickHouse: the same four parts as SQL text, TabSeparated answers.
 * Only validated values are printed into it: integers, an address as
 * its number (IPv4) or 32 hex digits (IPv6), an nDPI id, site and node
 * names of [A-Za-z0-9._/:-] (no quote, no backslash can occur), instance
 * and interface names as the hex of their bytes.  Each query carries
 * max_execution_time; LIMIT bounds its rows and the client its answer's
 * size; the four parts share one time limit.  The Historical loader
 * reads every matching row by FIRST_SEEN windows (flowdb_ch_each).
 */
#include "exporter/flowdb.h"

#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <ndpi/ndpi_api.h>
#include <sqlite3.h>

#include "common/log.h"
#include "dpi/dpi.h"
#include "exporter/chclient.h"
#include "exporter/writer.h"

static const char *const sort_names[FLOWDB_SORT_N] = {
	"bytes", "packets", "first_seen", "last_seen", "duration"
};

void
flowdb_query_init(struct flowdb_query *q, time_t now)
{
	memset(q, 0, sizeof(*q));
	q->end = (int64_t)now;
	q->begin = q->end - 3600;
	q->port = q->l4proto = q->vlan = q->l7_id = -1;
	q->sort = FLOWDB_SORT_BYTES;
	q->per_page = 10;
	q->page = 1;
	q->top = 10;
}

static void
seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

int
flowdb_set_host(struct flowdb_query *q, const char *s, char *err, size_t errlen)
{
	struct ipaddr a;

	if (s == NULL || strlen(s) >= IPADDR_STRLEN ||
	    ipaddr_parse(&a, s) != 0) {
		seterr(err, errlen, "host: not an IP address");
		return -1;
	}
	q->host = a;
	return 0;
}

/* ---- nDPI names ---- */

static pthread_mutex_t fl_ndpi_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ndpi_detection_module_struct *fl_ndpi;

/* The id of an nDPI protocol name (any case) or -1; canonical name into
 * out. */
static int
l7_lookup(const char *name, char *out, size_t outlen)
{
	int id = -1;

	pthread_mutex_lock(&fl_ndpi_lock);
	if (fl_ndpi == NULL)
		fl_ndpi = dpi_module_new(NULL);
	if (fl_ndpi != NULL) {
		id = ndpi_get_protocol_id(fl_ndpi, (char *)name);
		if (id >= 0) {
			const char *n =
				ndpi_get_proto_name(fl_ndpi, (uint16_t)id);

			snprintf(out, outlen, "%s", n ? n : name);
		}
	}
	pthread_mutex_unlock(&fl_ndpi_lock);
	return id;
}

int
flowdb_set_l7(struct flowdb_query *q, const char *s, char *err, size_t errlen)
{
	char buf[FLOWDB_L7_MAX], name[FLOWDB_L7_MAX];
	const char *dot, *p;
	int id;

	if (s == NULL || s[0] == '\0' || strlen(s) >= sizeof(buf))
		goto bad;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' &&
		    *p != '.' && *p != ' ')
			goto bad;
	dot = strrchr(s, '.');
	snprintf(buf, sizeof(buf), "%s", dot ? dot + 1 : s);
	if (buf[strspn(buf, "0123456789")] == '\0') {
		long v = strtol(buf, NULL, 10);

		if (strlen(buf) > 5 || v > 65535 ||
		    l7_lookup("Unknown", name, sizeof(name)) < 0)
			goto bad;
		/* a number: its name from nDPI, when it has one */
		pthread_mutex_lock(&fl_ndpi_lock);
		p = ndpi_get_proto_name(fl_ndpi, (uint16_t)v);
		snprintf(name, sizeof(name), "%s", p ? p : "");
		pthread_mutex_unlock(&fl_ndpi_lock);
		if (name[0] == '\0' || (v != 0 && !strcmp(name, "Unknown")))
			goto bad;
		id = (int)v;
	} else if ((id = l7_lookup(buf, name, sizeof(name))) < 0) {
		goto bad;
	}
	q->l7_id = id;
	snprintf(q->l7, sizeof(q->l7), "%s", name);
	return 0;
bad:
	seterr(err, errlen, "protocol: not an nDPI protocol name");
	return -1;
}

static int
set_name(char *dst, const char *s, int slash, const char *what, char *err,
	 size_t errlen)
{
	const char *p;

	if (s == NULL || strlen(s) >= FLOWDB_NAME_MAX)
		goto bad;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' &&
		    *p != '.' && *p != ':' && !(slash && *p == '/'))
			goto bad;
	snprintf(dst, FLOWDB_NAME_MAX, "%s", s);
	return 0;
bad:
	seterr(err, errlen, "%s: at most %d of [A-Za-z0-9._:-%s]", what,
	       FLOWDB_NAME_MAX - 1, slash ? "/" : "");
	return -1;
}

int
flowdb_set_site(struct flowdb_query *q, const char *s, char *err, size_t errlen)
{
	return set_name(q->site, s, 1, "site", err, errlen);
}

int
flowdb_set_node(struct flowdb_query *q, const char *s, char *err, size_t errlen)
{
	return set_name(q->node, s, 0, "node", err, errlen);
}

int
flowdb_set_instance(struct flowdb_query *q, const char *s, char *err,
		    size_t errlen)
{
	char buf[FLOWDB_NAME_MAX];

	if (set_name(buf, s, 0, "instance", err, errlen) != 0)
		return -1;
	snprintf(q->instance, sizeof(q->instance), "%s", buf);
	return 0;
}

int
flowdb_set_sort(struct flowdb_query *q, const char *column, const char *order,
		char *err, size_t errlen)
{
	int i;

	if (column != NULL && column[0] != '\0') {
		for (i = 0; i < FLOWDB_SORT_N; i++)
			if (!strcmp(column, sort_names[i]))
				break;
		if (i == FLOWDB_SORT_N) {
			seterr(err, errlen,
			       "sortColumn: bytes, packets, first_seen, "
			       "last_seen or duration");
			return -1;
		}
		q->sort = (enum flowdb_sort)i;
	}
	if (order != NULL && order[0] != '\0') {
		if (strcmp(order, "asc") && strcmp(order, "desc")) {
			seterr(err, errlen, "sortOrder: asc or desc");
			return -1;
		}
		q->asc = !strcmp(order, "asc");
	}
	return 0;
}

const char *
flowdb_sort_name(enum flowdb_sort s)
{
	return (unsigned)s < FLOWDB_SORT_N ? sort_names[s] : "bytes";
}

/* ---- text buffer ---- */

struct sbuf {
	char *p;
	size_t len, used;
	int over;
};

static void
sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->len - b->used)
		b->over = 1;
	else
		b->used += (size_t)n;
}

static int64_t
page_offset(const struct flowdb_query *q)
{
	return (int64_t)(q->page - 1) * q->per_page;
}

/* ---- SQLite ---- */

/* the view's columns: those of our files; 1.x files fill the rest */
#define SQ_COLS                                                                \
	"first_seen, last_seen, vlan_id, cli_ip, cli_port, srv_ip, "           \
	"srv_port, proto, l7_master, l7_app, l7_name, bytes, cli2srv_bytes, "  \
	"srv2cli_bytes, cli2srv_packets + srv2cli_packets AS packets, info"
#define SQ_COLS_OUT                                                            \
	"first_seen, last_seen, vlan_id, cli_ip, cli_port, srv_ip, "           \
	"srv_port, proto, l7_master, l7_app, l7_name, bytes, cli2srv_bytes, "  \
	"srv2cli_bytes, packets, info, site_path"
#define SQ_COLS_V1                                                             \
	"first_seen, last_seen, vlan_id, cli_ip, cli_port, srv_ip, "           \
	"srv_port, proto, 0 AS l7_master, 0 AS l7_app, '' AS l7_name, bytes, " \
	"bytes AS cli2srv_bytes, 0 AS srv2cli_bytes, 0 AS packets, '' AS info"
/* what sq_kind() says of a file */
#define SQ_OURS 1 /* our columns (else ntopng 1.x's) */
#define SQ_SITE 2 /* a site_path column (files since the column came) */

int
flowdb_sqlite_where(const struct flowdb_query *q, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, 0 };

	if (len == 0)
		return -1;
	buf[0] = '\0';
	sb_add(&b, " WHERE last_seen >= :b AND first_seen <= :e");
	if (q->host.v)
		sb_add(&b, " AND (cli_ip = :h OR srv_ip = :h)");
	if (q->port >= 0)
		sb_add(&b, " AND (cli_port = :p OR srv_port = :p)");
	if (q->l4proto >= 0)
		sb_add(&b, " AND proto = :l4");
	if (q->vlan >= 0)
		sb_add(&b, " AND vlan_id = :vl");
	if (q->l7_id == 0)
		sb_add(&b, " AND l7_master = 0 AND l7_app = 0");
	else if (q->l7_id > 0)
		sb_add(&b, " AND (l7_master = :l7 OR l7_app = :l7)");
	if (q->site[0])
		sb_add(&b, " AND substr(site_path, 1, length(:s)) = :s");
	return b.over ? -1 : 0;
}

static int
sq_bind(sqlite3_stmt *s, const struct flowdb_query *q)
{
	char ip[IPADDR_STRLEN];
	int i;

	if ((i = sqlite3_bind_parameter_index(s, ":b")) > 0)
		sqlite3_bind_int64(s, i, q->begin);
	if ((i = sqlite3_bind_parameter_index(s, ":e")) > 0)
		sqlite3_bind_int64(s, i, q->end);
	if ((i = sqlite3_bind_parameter_index(s, ":h")) > 0)
		sqlite3_bind_text(s, i, ipaddr_fmt(&q->host, ip, sizeof(ip)),
				  -1, SQLITE_TRANSIENT);
	if ((i = sqlite3_bind_parameter_index(s, ":p")) > 0)
		sqlite3_bind_int(s, i, q->port);
	if ((i = sqlite3_bind_parameter_index(s, ":l4")) > 0)
		sqlite3_bind_int(s, i, q->l4proto);
	if ((i = sqlite3_bind_parameter_index(s, ":vl")) > 0)
		sqlite3_bind_int(s, i, q->vlan);
	if ((i = sqlite3_bind_parameter_index(s, ":l7")) > 0)
		sqlite3_bind_int(s, i, q->l7_id);
	if ((i = sqlite3_bind_parameter_index(s, ":s")) > 0)
		sqlite3_bind_text(s, i, q->site, -1, SQLITE_TRANSIENT);
	if ((i = sqlite3_bind_parameter_index(s, ":off")) > 0)
		sqlite3_bind_int64(s, i, page_offset(q));
	if ((i = sqlite3_bind_parameter_index(s, ":n")) > 0)
		sqlite3_bind_int(s, i, q->per_page);
	if ((i = sqlite3_bind_parameter_index(s, ":top")) > 0)
		sqlite3_bind_int(s, i, q->top);
	return 0;
}

static int
sq_deadline(void *arg)
{
	return time(NULL) > *(time_t *)arg;
}

static const char *const sq_order[FLOWDB_SORT_N] = { "bytes", "packets",
						     "first_seen", "last_seen",
						     "last_seen - first_seen" };

/* The path relative to data_dir. */
static json_t *
rel_path(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (!strncmp(path, dir, n) && path[n] == '/')
		return json_string(path + n + 1);
	return json_string(path);
}

/* A JSON string of text from a store (an SNI, a name: bytes from the
 * network): text that is not UTF-8 gets '?' for every byte above 127,
 * so a row is never lost to its text. */
static json_t *
jstr(const char *t)
{
	json_t *v;
	char *c;

	if (t == NULL)
		t = "";
	if ((v = json_string(t)) != NULL)
		return v;
	if ((c = strdup(t)) == NULL)
		return json_string("");
	for (char *p = c; *p; p++)
		if ((unsigned char)*p > 127)
			*p = '?';
	v = json_string(c);
	free(c);
	return v ? v : json_string("");
}

static json_t *
sq_text(sqlite3_stmt *s, int col)
{
	return jstr((const char *)sqlite3_column_text(s, col));
}

static json_t *
sq_row(sqlite3_stmt *s)
{
	int64_t first = sqlite3_column_int64(s, 0),
		last = sqlite3_column_int64(s, 1);

	return json_pack(
		"{s:I,s:I,s:I,s:i,s:o,s:i,s:o,s:i,s:i,s:o,s:I,s:I,s:I,s:I,s:o,"
		"s:o}",
		"first_seen", (json_int_t)first, "last_seen", (json_int_t)last,
		"duration", (json_int_t)(last - first), "vlan",
		sqlite3_column_int(s, 2), "cli_ip", sq_text(s, 3), "cli_port",
		sqlite3_column_int(s, 4), "srv_ip", sq_text(s, 5), "srv_port",
		sqlite3_column_int(s, 6), "proto", sqlite3_column_int(s, 7),
		"l7_name", sq_text(s, 10), "bytes",
		(json_int_t)sqlite3_column_int64(s, 11), "cli2srv_bytes",
		(json_int_t)sqlite3_column_int64(s, 12), "srv2cli_bytes",
		(json_int_t)sqlite3_column_int64(s, 13), "packets",
		(json_int_t)sqlite3_column_int64(s, 14), "info", sq_text(s, 15),
		"site_path", sq_text(s, 16));
}

/* Runs sql (with the WHERE inserted at "%s") and hands each row to fn. */
static int
sq_each(sqlite3 *db, const char *sql, const struct flowdb_query *q,
	void (*fn)(sqlite3_stmt *, void *), void *arg)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sq_bind(s, q);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(s, arg);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
sq_totals(sqlite3_stmt *s, void *arg)
{
	json_t *t = arg;

	json_object_set_new(t, "flows",
			    json_integer(sqlite3_column_int64(s, 0)));
	json_object_set_new(t, "bytes",
			    json_integer(sqlite3_column_int64(s, 1)));
	json_object_set_new(t, "packets",
			    json_integer(sqlite3_column_int64(s, 2)));
}

static void
sq_rows(sqlite3_stmt *s, void *arg)
{
	json_array_append_new(arg, sq_row(s));
}

static void
sq_top(sqlite3_stmt *s, void *arg)
{
	json_array_append_new(
		arg, json_pack("{s:o,s:I,s:I}", "key", sq_text(s, 0), "bytes",
			       (json_int_t)sqlite3_column_int64(s, 1), "flows",
			       (json_int_t)sqlite3_column_int64(s, 2)));
}

/* Renames the "key" of the top entries. */
static void
top_rename(json_t *a, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
	{
		json_object_set(v, name, json_object_get(v, "key"));
		json_object_del(v, "key");
	}
}

static json_t *
answer_new(const struct flowdb_query *q, const char *backend)
{
	return json_pack("{s:s,s:I,s:I,s:{s:i,s:i,s:i},s:[],s:i,s:i,s:i,"
			 "s:[[s,s]],s:[],s:[]}",
			 "backend", backend, "epoch_begin",
			 (json_int_t)q->begin, "epoch_end", (json_int_t)q->end,
			 "totals", "flows", 0, "bytes", 0, "packets", 0, "data",
			 "currentPage", q->page, "perPage", q->per_page,
			 "totalRows", 0, "sort", flowdb_sort_name(q->sort),
			 q->asc ? "asc" : "desc", "top_hosts", "top_protocols");
}

/* The four parts over the view "fl". */
static int
sq_parts(sqlite3 *db, const struct flowdb_query *q, json_t *out)
{
	char where[512], sql[2048];
	json_t *tot = json_object_get(out, "totals");

	if (flowdb_sqlite_where(q, where, sizeof(where)) != 0)
		return -1;
	snprintf(sql, sizeof(sql),
		 "SELECT count(*), coalesce(sum(bytes), 0), "
		 "coalesce(sum(packets), 0) FROM fl%s",
		 where);
	if (sq_each(db, sql, q, sq_totals, tot) != 0)
		return -1;
	json_object_set(out, "totalRows", json_object_get(tot, "flows"));
	snprintf(sql, sizeof(sql),
		 "SELECT " SQ_COLS_OUT " FROM fl%s ORDER BY %s %s, f, id "
		 "LIMIT :n OFFSET :off",
		 where, sq_order[q->sort], q->asc ? "ASC" : "DESC");
	if (sq_each(db, sql, q, sq_rows, json_object_get(out, "data")) != 0)
		return -1;
	if (q->top <= 0)
		return 0;
	snprintf(sql, sizeof(sql),
		 "SELECT ip, coalesce(sum(b), 0), count(*) FROM ("
		 "SELECT cli_ip AS ip, bytes AS b FROM fl%s UNION ALL "
		 "SELECT srv_ip, bytes FROM fl%s) GROUP BY ip "
		 "ORDER BY 2 DESC, 1 LIMIT :top",
		 where, where);
	if (sq_each(db, sql, q, sq_top, json_object_get(out, "top_hosts")) != 0)
		return -1;
	snprintf(sql, sizeof(sql),
		 "SELECT l7_name, coalesce(sum(bytes), 0), count(*) FROM fl%s "
		 "GROUP BY l7_name ORDER BY 2 DESC, 1 LIMIT :top",
		 where);
	if (sq_each(db, sql, q, sq_top,
		    json_object_get(out, "top_protocols")) != 0)
		return -1;
	return 0;
}

/* SQ_OURS | SQ_SITE of the flows table of schema name, 0 for the 1.x
 * columns only, -1 without a usable table. */
static int
sq_kind(sqlite3 *db, const char *schema)
{
	char sql[64];
	sqlite3_stmt *s;
	int cols = 0, kind = 0;

	snprintf(sql, sizeof(sql), "PRAGMA %s.table_info(flows)", schema);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *n = sqlite3_column_text(s, 1);

		cols++;
		if (n != NULL && !strcmp((const char *)n, "cli2srv_bytes"))
			kind |= SQ_OURS;
		if (n != NULL && !strcmp((const char *)n, "site_path"))
			kind |= SQ_SITE;
	}
	sqlite3_finalize(s);
	return cols == 0 ? -1 : kind;
}

/* "file:<path, percent-encoded>?mode=ro": a '?', '#' or '%' in the data
 * directory's path cannot change what SQLite opens. */
static int
uri_path(char *buf, size_t len, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o;

	o = (size_t)snprintf(buf, len, "file:");
	for (; *path; path++) {
		unsigned char ch = (unsigned char)*path;

		if (o + 4 >= len)
			return -1;
		if (isalnum(ch) || ch == '/' || ch == '.' || ch == '_' ||
		    ch == '-') {
			buf[o++] = (char)ch;
		} else {
			buf[o++] = '%';
			buf[o++] = hex[ch >> 4];
			buf[o++] = hex[ch & 15];
		}
	}
	if (o + sizeof("?mode=ro") > len)
		return -1;
	memcpy(buf + o, "?mode=ro", sizeof("?mode=ro"));
	return 0;
}

json_t *
flowdb_run_sqlite(const struct flowdb_query *q, const char *data_dir,
		  const char *ifdir, char *err, size_t errlen)
{
	char path[PATH_MAX], prev[PATH_MAX] = "", uri[3 * PATH_MAX + 32];
	char schema[16], view[8192];
	struct sbuf v = { view, sizeof(view), 0, 0 };
	json_t *out = NULL, *read, *missing, *corrupt;
	sqlite3 *db = NULL;
	sqlite3_stmt *s;
	time_t day, deadline = time(NULL) + FLOWDB_TIMEOUT_S;
	int n = 0, nfiles = 0;

	if (q->end < q->begin) {
		seterr(err, errlen, "epoch_end before epoch_begin");
		return NULL;
	}
	if (sqlite3_open_v2(":memory:", &db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI,
			    NULL) != SQLITE_OK) {
		seterr(err, errlen, "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 1000);
	sqlite3_progress_handler(db, 10000, sq_deadline, &deadline);
	out = answer_new(q, "sqlite");
	read = json_array();
	missing = json_array();
	corrupt = json_array();
	json_object_set_new(out, "files_read", read);
	json_object_set_new(out, "missing_files", missing);
	json_object_set_new(out, "corrupt_files", corrupt);
	sb_add(&v, "CREATE TEMP VIEW fl AS ");
	/* one file per local day, as historical_load() walks them */
	for (day = (time_t)q->begin;; day += 6 * 3600) {
		time_t t = day < (time_t)q->end ? day : (time_t)q->end;
		int kind, rc;

		if (writer_day_path(path, sizeof(path), ifdir, "flows", t) != 0)
			break;
		if (strcmp(path, prev) != 0) {
			snprintf(prev, sizeof(prev), "%s", path);
			if (++n > FLOWDB_MAX_DAYS) {
				seterr(err, errlen,
				       "the range covers more than %d days "
				       "(SQLite flow store)",
				       FLOWDB_MAX_DAYS);
				goto fail;
			}
			if (access(path, F_OK) != 0) {
				json_array_append_new(missing,
						      rel_path(data_dir, path));
				goto next;
			}
			snprintf(schema, sizeof(schema), "d%d", nfiles);
			if (uri_path(uri, sizeof(uri), path) != 0) {
				seterr(err, errlen,
				       "data directory path too long");
				goto fail;
			}
			rc = sqlite3_prepare_v2(db, "ATTACH ?1 AS ?2", -1, &s,
						NULL);
			if (rc == SQLITE_OK) {
				sqlite3_bind_text(s, 1, uri, -1,
						  SQLITE_TRANSIENT);
				sqlite3_bind_text(s, 2, schema, -1,
						  SQLITE_TRANSIENT);
				rc = sqlite3_step(s) == SQLITE_DONE
					     ? SQLITE_OK
					     : SQLITE_ERROR;
				sqlite3_finalize(s);
			}
			kind = rc == SQLITE_OK ? sq_kind(db, schema) : -1;
			if (kind < 0) {
				json_array_append_new(
					corrupt,
					json_pack("{s:o,s:s}", "file",
						  rel_path(data_dir, path),
						  "error", sqlite3_errmsg(db)));
				if (rc == SQLITE_OK) {
					char det[32];

					snprintf(det, sizeof(det), "DETACH %s",
						 schema);
					sqlite3_exec(db, det, NULL, NULL, NULL);
				}
				goto next;
			}
			json_array_append_new(read, rel_path(data_dir, path));
			sb_add(&v, "%sSELECT %d AS f, id, %s, %s FROM %s.flows",
			       nfiles ? " UNION ALL " : "", nfiles,
			       (kind & SQ_OURS) ? SQ_COLS : SQ_COLS_V1,
			       (kind & SQ_SITE) ? "coalesce(site_path, '') "
						  "AS site_path"
						: "'' AS site_path",
			       schema);
			nfiles++;
		}
	next:
		if (t == (time_t)q->end)
			break;
	}
	if (nfiles == 0) /* no file: the answer is empty */
		goto done;
	if (v.over || sqlite3_exec(db, view, NULL, NULL, NULL) != SQLITE_OK ||
	    sq_parts(db, q, out) != 0) {
		seterr(err, errlen, "%s",
		       time(NULL) > deadline ? "the query took too long"
					     : sqlite3_errmsg(db));
		goto fail;
	}
done:
	sqlite3_close(db);
	top_rename(json_object_get(out, "top_hosts"), "ip");
	top_rename(json_object_get(out, "top_protocols"), "name");
	return out;
fail:
	json_decref(out);
	sqlite3_close(db);
	return NULL;
}

/* ---- ClickHouse ---- */

/* Columns of the flows table (exporter/chsink.c's DDL, docs/storage.md) */
#define CHC_FIRST "FIRST_SEEN"
#define CHC_LAST "LAST_SEEN"
#define CHC_VLAN "VLAN_ID"
#define CHC_IPVER "IP_PROTOCOL_VERSION"
#define CHC_SRC4 "IPV4_SRC_ADDR"
#define CHC_DST4 "IPV4_DST_ADDR"
#define CHC_SRC6 "IPV6_SRC_ADDR"
#define CHC_DST6 "IPV6_DST_ADDR"
#define CHC_SPORT "IP_SRC_PORT"
#define CHC_DPORT "IP_DST_PORT"
#define CHC_PROTO "PROTOCOL"
#define CHC_L7 "L7_PROTO"
#define CHC_L7M "L7_PROTO_MASTER"
#define CHC_L7NAME "L7_PROTO_NAME"
#define CHC_BYTES "TOTAL_BYTES"
#define CHC_S2D "SRC2DST_BYTES"
#define CHC_D2S "DST2SRC_BYTES"
#define CHC_PKTS "PACKETS"
#define CHC_INFO "INFO"
#define CHC_INSTANCE "NTOPNG_INSTANCE_NAME"
#define CHC_SITE "SITE_PATH"
#define CHC_NODE "NODE_ID"
#define CHC_IFNAME "INTERFACE_NAME"
#define CHC_S2D_PKTS "SRC2DST_PACKETS"
#define CHC_D2S_PKTS "DST2SRC_PACKETS"

#define CH_SRC_IP                                                              \
	"if(" CHC_IPVER " = 6, IPv6NumToString(" CHC_SRC6 "), "                \
	"IPv4NumToString(" CHC_SRC4 "))"
#define CH_DST_IP                                                              \
	"if(" CHC_IPVER " = 6, IPv6NumToString(" CHC_DST6 "), "                \
	"IPv4NumToString(" CHC_DST4 "))"
/* every column of a row: a total order of rows (rows equal in all of
 * them are alike) */
#define CH_TOTAL_ORDER                                                         \
	CHC_FIRST ", " CHC_LAST ", " CHC_VLAN ", " CHC_SRC4 ", " CHC_SRC6      \
		  ", " CHC_SPORT ", " CHC_DST4 ", " CHC_DST6 ", " CHC_DPORT    \
		  ", " CHC_PROTO ", " CHC_S2D ", " CHC_D2S ", " CHC_S2D_PKTS   \
		  ", " CHC_D2S_PKTS ", " CHC_L7M ", " CHC_L7 ", " CHC_L7NAME   \
		  ", " CHC_INFO
/* the time limit every query carries (seconds); LIMIT bounds the rows */
#define CH_SETTINGS " SETTINGS max_execution_time = %d"

static const char *const ch_order[FLOWDB_SORT_N] = {
	CHC_BYTES, CHC_PKTS, CHC_FIRST, CHC_LAST,
	"(toUInt32(" CHC_LAST ") - toUInt32(" CHC_FIRST "))"
};

/* A name checked by set_name(): [A-Za-z0-9._/:-] only.  Checked again
 * here, so that a query never holds a quote or a backslash whatever
 * filled the struct. */
static int
ch_safe(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._/:-", *s))
			return 0;
	return 1;
}

/* " AND hex(col) = '<hex of s>'": any bytes, only hex digits in SQL */
static void
ch_hex_eq(struct sbuf *b, const char *col, const char *s)
{
	char hex[2 * FLOWDB_IFNAME_MAX + 1];
	size_t i, n = strnlen(s, FLOWDB_IFNAME_MAX - 1);

	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02X", (unsigned char)s[i]);
	hex[2 * n] = '\0';
	sb_add(b, " AND hex(%s) = '%s'", col, hex);
}

static void
ch_where(struct sbuf *b, const struct flowdb_query *q)
{
	sb_add(b,
	       " WHERE " CHC_LAST " >= toDateTime(%lld) AND " CHC_FIRST
	       " <= toDateTime(%lld)",
	       (long long)q->begin, (long long)q->end);
	if (q->host.v == 4) {
		uint32_t n = ((uint32_t)q->host.a[0] << 24) |
			     ((uint32_t)q->host.a[1] << 16) |
			     ((uint32_t)q->host.a[2] << 8) | q->host.a[3];

		sb_add(b,
		       " AND " CHC_IPVER " = 4 AND (" CHC_SRC4
		       " = %u OR " CHC_DST4 " = %u)",
		       n, n);
	} else if (q->host.v == 6) {
		char hex[33];
		int i;

		for (i = 0; i < 16; i++)
			snprintf(hex + 2 * i, 3, "%02X", q->host.a[i]);
		sb_add(b,
		       " AND " CHC_IPVER " = 6 AND (hex(" CHC_SRC6
		       ") = '%s' OR hex(" CHC_DST6 ") = '%s')",
		       hex, hex);
	}
	if (q->port >= 0 && q->port <= 65535)
		sb_add(b, " AND (" CHC_SPORT " = %d OR " CHC_DPORT " = %d)",
		       q->port, q->port);
	if (q->l4proto >= 0 && q->l4proto <= 255)
		sb_add(b, " AND " CHC_PROTO " = %d", q->l4proto);
	if (q->vlan >= 0 && q->vlan <= 4095)
		sb_add(b, " AND " CHC_VLAN " = %d", q->vlan);
	if (q->l7_id == 0)
		sb_add(b, " AND " CHC_L7 " = 0 AND " CHC_L7M " = 0");
	else if (q->l7_id > 0 && q->l7_id <= 65535)
		sb_add(b, " AND (" CHC_L7 " = %d OR " CHC_L7M " = %d)",
		       q->l7_id, q->l7_id);
	if (q->site[0])
		sb_add(b, " AND startsWith(" CHC_SITE ", '%s')", q->site);
	if (q->node[0])
		sb_add(b, " AND " CHC_NODE " = '%s'", q->node);
	if (q->instance[0])
		ch_hex_eq(b, CHC_INSTANCE, q->instance);
	if (q->ifname[0])
		ch_hex_eq(b, CHC_IFNAME, q->ifname);
	/* <= hi - 1: hi may be 2^32, past DateTime */
	if (q->fs_hi > 0)
		sb_add(b,
		       " AND " CHC_FIRST " >= toDateTime(%lld) AND " CHC_FIRST
		       " <= toDateTime(%lld)",
		       (long long)q->fs_lo, (long long)q->fs_hi - 1);
}

int
flowdb_ch_sql(const struct flowdb_query *q, enum flowdb_part part,
	      const char *table, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, 0 };
	const char *t;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (t = table; *t; t++)
		if (!isalnum((unsigned char)*t) && *t != '_' && *t != '.')
			return -1;
	if (table[0] == '\0' || !ch_safe(q->site) || !ch_safe(q->node) ||
	    (unsigned)q->sort >= FLOWDB_SORT_N || q->per_page < 1 ||
	    q->per_page > (part == FLOWDB_PART_ALL ? FLOWDB_CHUNK + 1
						   : FLOWDB_MAX_PAGE) ||
	    q->page < 1 || q->top < 0 || q->top > FLOWDB_MAX_TOP)
		return -1;
	switch (part) {
	case FLOWDB_PART_TOTALS:
		sb_add(&b,
		       "SELECT count(), sum(" CHC_BYTES "), sum(" CHC_PKTS
		       ") FROM %s",
		       table);
		ch_where(&b, q);
		sb_add(&b, CH_SETTINGS, FLOWDB_TIMEOUT_S);
		break;
	case FLOWDB_PART_ROWS:
		sb_add(&b,
		       "SELECT toUInt32(" CHC_FIRST "), toUInt32(" CHC_LAST
		       "), " CHC_VLAN ", " CH_SRC_IP ", " CHC_SPORT
		       ", " CH_DST_IP ", " CHC_DPORT ", " CHC_PROTO
		       ", " CHC_L7NAME ", " CHC_BYTES ", " CHC_S2D ", " CHC_D2S
		       ", " CHC_PKTS ", " CHC_INFO ", " CHC_INSTANCE
		       ", " CHC_SITE ", " CHC_NODE " FROM %s",
		       table);
		ch_where(&b, q);
		/* then every column: a page is the same at each call */
		sb_add(&b, " ORDER BY %s %s, " CH_TOTAL_ORDER " LIMIT %lld, %d",
		       ch_order[q->sort], q->asc ? "ASC" : "DESC",
		       (long long)page_offset(q), q->per_page);
		sb_add(&b, CH_SETTINGS, FLOWDB_TIMEOUT_S);
		break;
	case FLOWDB_PART_TOP_HOSTS:
		sb_add(&b,
		       "SELECT ip, sum(b), count() FROM (SELECT "
		       "arrayJoin([" CH_SRC_IP ", " CH_DST_IP
		       "]) AS ip, " CHC_BYTES " AS b FROM %s",
		       table);
		ch_where(&b, q);
		sb_add(&b, ") GROUP BY ip ORDER BY sum(b) DESC, ip LIMIT %d",
		       q->top);
		sb_add(&b, CH_SETTINGS, FLOWDB_TIMEOUT_S);
		break;
	case FLOWDB_PART_TOP_L7:
		sb_add(&b,
		       "SELECT " CHC_L7NAME ", sum(" CHC_BYTES
		       "), count() FROM %s",
		       table);
		ch_where(&b, q);
		sb_add(&b,
		       " GROUP BY " CHC_L7NAME " ORDER BY sum(" CHC_BYTES
		       ") DESC, " CHC_L7NAME " LIMIT %d",
		       q->top);
		sb_add(&b, CH_SETTINGS, FLOWDB_TIMEOUT_S);
		break;
	case FLOWDB_PART_ALL:
		sb_add(&b,
		       "SELECT toUInt32(" CHC_FIRST "), toUInt32(" CHC_LAST
		       "), " CHC_VLAN ", " CH_SRC_IP ", " CHC_SPORT
		       ", " CH_DST_IP ", " CHC_DPORT ", " CHC_PROTO ", " CHC_S2D
		       ", " CHC_D2S ", " CHC_S2D_PKTS ", " CHC_D2S_PKTS
		       ", " CHC_L7M ", " CHC_L7 ", " CHC_L7NAME ", " CHC_INFO
		       " FROM %s",
		       table);
		ch_where(&b, q);
		/* every column: rows equal in all of them are alike, so
		 * the pages neither skip nor repeat a row (by name: 18.16
		 * reads ORDER BY 1, 2 as constants) */
		sb_add(&b, " ORDER BY " CH_TOTAL_ORDER " LIMIT %lld, %d",
		       (long long)page_offset(q), q->per_page);
		sb_add(&b, CH_SETTINGS, FLOWDB_TIMEOUT_S);
		break;
	case FLOWDB_PART_SPAN:
		sb_add(&b,
		       "SELECT toUInt32(min(" CHC_FIRST
		       ")), toUInt32(max(" CHC_FIRST ")), count() FROM %s",
		       table);
		ch_where(&b, q);
		sb_add(&b, CH_SETTINGS, FLOWDB_TIMEOUT_S);
		break;
	default:
		return -1;
	}
	return b.over ? -1 : 0;
}

/* One TSV field unescaped in place (ClickHouse's TabSeparated escapes
 * \b \f \r \n \t \0 \' \\). */
static void
tsv_unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s != '\\' || s[1] == '\0') {
			*o++ = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 'n':
			*o++ = '\n';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case '0':
			*o++ = '?'; /* no NUL inside a C string */
			break;
		default:
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Splits the next line of *text into at most n fields; the number of
 * fields, 0 at the end. */
static int
tsv_line(char **text, char **f, int n)
{
	char *line = *text, *nl, *p;
	int k = 0;

	if (line == NULL || *line == '\0')
		return 0;
	nl = strchr(line, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*text = nl + 1;
	} else {
		*text = line + strlen(line);
	}
	for (p = line; k < n;) {
		char *tab = strchr(p, '\t');

		f[k++] = p;
		if (tab == NULL)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	for (int i = 0; i < k; i++)
		tsv_unescape(f[i]);
	return k;
}

static json_int_t
tsv_int(const char *s)
{
	return (json_int_t)strtoll(s, NULL, 10);
}

/* Runs one part; its answer (heap) in *out, or -1 with err.  deadline
 * (monotonic ms, 0: none) bounds the call with the parts before it. */
static int
ch_part_by(struct ch_client *c, const struct flowdb_query *q,
	   enum flowdb_part part, const char *table, int64_t deadline,
	   char **out, char *err, size_t errlen)
{
	char sql[4096];
	size_t len;

	*out = NULL;
	if (deadline > 0) {
		struct timespec ts;
		int64_t now;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		if (now >= deadline) {
			seterr(err, errlen, "the query took too long");
			return -1;
		}
		ch_client_set_timeout(c, (int)(deadline - now));
	}
	if (flowdb_ch_sql(q, part, table, sql, sizeof(sql)) != 0) {
		seterr(err, errlen, "the query does not fit");
		return -1;
	}
	return ch_query(c, sql, NULL, 0, out, &len, err, errlen);
}

static int
ch_part(struct ch_client *c, const struct flowdb_query *q,
	enum flowdb_part part, const char *table, char **out, char *err,
	size_t errlen)
{
	return ch_part_by(c, q, part, table, 0, out, err, errlen);
}

json_t *
flowdb_run_clickhouse(const struct flowdb_query *q, struct ch_client *c,
		      const char *table, char *err, size_t errlen)
{
	json_t *out = answer_new(q, "clickhouse"), *tot, *a;
	char *txt = NULL, *p, *f[17];
	struct timespec ts;
	int64_t deadline;
	int n;

	if (out == NULL) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	if (q->end < q->begin) {
		seterr(err, errlen, "epoch_end before epoch_begin");
		goto fail;
	}
	/* the four parts share one time limit */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 +
		   (FLOWDB_TIMEOUT_S + 2) * 1000;
	/* totals */
	if (ch_part_by(c, q, FLOWDB_PART_TOTALS, table, deadline, &txt, err,
		       errlen) != 0)
		goto fail;
	p = txt;
	if (tsv_line(&p, f, 3) != 3) {
		seterr(err, errlen, "ClickHouse: unexpected answer");
		goto fail;
	}
	tot = json_object_get(out, "totals");
	json_object_set_new(tot, "flows", json_integer(tsv_int(f[0])));
	json_object_set_new(tot, "bytes", json_integer(tsv_int(f[1])));
	json_object_set_new(tot, "packets", json_integer(tsv_int(f[2])));
	json_object_set(out, "totalRows", json_object_get(tot, "flows"));
	free(txt);
	txt = NULL;
	/* one page */
	if (ch_part_by(c, q, FLOWDB_PART_ROWS, table, deadline, &txt, err,
		       errlen) != 0)
		goto fail;
	a = json_object_get(out, "data");
	p = txt;
	while ((n = tsv_line(&p, f, 17)) > 0) {
		if (n != 17)
			continue;
		json_array_append_new(
			a, json_pack("{s:I,s:I,s:I,s:I,s:o,s:I,s:o,s:I,s:I,s:o,"
				     "s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}",
				     "first_seen", tsv_int(f[0]), "last_seen",
				     tsv_int(f[1]), "duration",
				     tsv_int(f[1]) - tsv_int(f[0]), "vlan",
				     tsv_int(f[2]), "cli_ip", jstr(f[3]),
				     "cli_port", tsv_int(f[4]), "srv_ip",
				     jstr(f[5]), "srv_port", tsv_int(f[6]),
				     "proto", tsv_int(f[7]), "l7_name",
				     jstr(f[8]), "bytes", tsv_int(f[9]),
				     "cli2srv_bytes", tsv_int(f[10]),
				     "srv2cli_bytes", tsv_int(f[11]), "packets",
				     tsv_int(f[12]), "info", jstr(f[13]),
				     "instance", jstr(f[14]), "site_path",
				     jstr(f[15]), "node_id", jstr(f[16])));
	}
	free(txt);
	txt = NULL;
	/* top lists */
	if (q->top > 0) {
		static const struct {
			enum flowdb_part part;
			const char *list, *key;
		} tops[] = {
			{ FLOWDB_PART_TOP_HOSTS, "top_hosts", "ip" },
			{ FLOWDB_PART_TOP_L7, "top_protocols", "name" },
		};

		for (size_t i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
			if (ch_part_by(c, q, tops[i].part, table, deadline,
				       &txt, err, errlen) != 0)
				goto fail;
			a = json_object_get(out, tops[i].list);
			p = txt;
			while ((n = tsv_line(&p, f, 3)) > 0)
				if (n == 3)
					json_array_append_new(
						a,
						json_pack("{s:o,s:I,s:I}",
							  tops[i].key,
							  jstr(f[0]), "bytes",
							  tsv_int(f[1]),
							  "flows",
							  tsv_int(f[2])));
			free(txt);
			txt = NULL;
		}
	}
	return out;
fail:
	free(txt);
	json_decref(out);
	return NULL;
}

json_t *
flowdb_ch_run_spec(const struct flowdb_query *q, const char *spec, char *err,
		   size_t errlen)
{
	struct ch_target t;
	struct ch_client *c;
	json_t *out;

	if (spec == NULL || ch_target_parse(spec, &t, err, errlen) != 0) {
		if (spec == NULL)
			seterr(err, errlen, "no ClickHouse flow store");
		return NULL;
	}
	c = ch_client_new(&t);
	if (c == NULL) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	/* in a cluster "flows" is the Distributed table: every shard */
	out = flowdb_run_clickhouse(q, c, "flows", err, errlen);
	ch_client_free(c);
	return out;
}

void
flowdb_own_instance(const char *instance_name, char *buf, size_t len)
{
	if (len == 0)
		return;
	if (instance_name != NULL)
		snprintf(buf, len, "%s", instance_name);
	else if (gethostname(buf, len - 1) != 0)
		snprintf(buf, len, "ntopng");
	buf[len - 1] = '\0';
}

struct each_ctx {
	struct ch_client *c;
	int (*fn)(const struct flowdb_row *r, void *arg);
	void *arg;
	long max, seen, rejected;
	int truncated, stop;
	char *err;
	size_t errlen;
};

/* Hands the rows of one answer to the callback; the number of lines. */
static long
each_rows(struct each_ctx *e, char *txt)
{
	struct flowdb_row r;
	char *p = txt, *f[16];
	long got = 0;
	int n;

	while (!e->stop && (n = tsv_line(&p, f, 16)) > 0) {
		got++;
		if (n != 16 || ipaddr_parse(&r.cli, f[3]) != 0 ||
		    ipaddr_parse(&r.srv, f[5]) != 0) {
			e->rejected++;
			continue;
		}
		if (e->seen >= e->max) {
			e->truncated = 1;
			e->stop = 1;
			break;
		}
		r.first_seen = tsv_int(f[0]);
		r.last_seen = tsv_int(f[1]);
		r.vlan = (int)tsv_int(f[2]);
		r.cli_port = (int)tsv_int(f[4]);
		r.srv_port = (int)tsv_int(f[6]);
		r.proto = (int)tsv_int(f[7]);
		r.c2s_bytes = strtoull(f[8], NULL, 10);
		r.s2c_bytes = strtoull(f[9], NULL, 10);
		r.c2s_pkts = strtoull(f[10], NULL, 10);
		r.s2c_pkts = strtoull(f[11], NULL, 10);
		r.l7_master = (int)tsv_int(f[12]);
		r.l7_app = (int)tsv_int(f[13]);
		r.l7_name = f[14];
		r.info = f[15];
		e->seen++;
		if (e->fn(&r, e->arg) != 0)
			e->stop = 1;
	}
	return got;
}

/* One page of q (PART_ALL) into *txt (heap, caller frees); the lines it
 * has, or -1. */
static long
each_page(struct each_ctx *e, const struct flowdb_query *q, char **txt)
{
	long got = 0;

	if (ch_part(e->c, q, FLOWDB_PART_ALL, "flows", txt, e->err,
		    e->errlen) != 0)
		return -1;
	for (char *p = *txt; *p; p++)
		got += *p == '\n';
	return got;
}

long
flowdb_ch_each(const struct flowdb_query *q0, const char *spec,
	       int (*fn)(const struct flowdb_row *r, void *arg), void *arg,
	       long max, long *rejected, int *truncated, char *err,
	       size_t errlen)
{
	struct each_ctx e = { NULL, fn, arg, max, 0, 0, 0, 0, err, errlen };
	struct flowdb_query q = *q0;
	struct ch_target t;
	const char *env = getenv("NTOPNG_FLOWDB_CHUNK");
	long chunk = FLOWDB_CHUNK, got, count;
	int64_t lo, last, w;
	char *txt = NULL, *p, *f[3];

	*rejected = 0;
	*truncated = 0;
	if (env != NULL) {
		long v = strtol(env, NULL, 10);

		if (v >= 1 && v < FLOWDB_CHUNK)
			chunk = v;
	}
	if (spec == NULL || ch_target_parse(spec, &t, err, errlen) != 0)
		return -1;
	if ((e.c = ch_client_new(&t)) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	ch_client_set_timeout(e.c, (FLOWDB_TIMEOUT_S + 2) * 1000);
	q.fs_lo = q.fs_hi = 0;
	q.page = 1;
	/* the span of FIRST_SEEN and the rows in it */
	if (ch_part(e.c, &q, FLOWDB_PART_SPAN, "flows", &txt, err, errlen) != 0)
		goto fail;
	p = txt;
	if (tsv_line(&p, f, 3) != 3) {
		seterr(err, errlen, "ClickHouse: unexpected answer");
		goto fail;
	}
	lo = tsv_int(f[0]);
	last = tsv_int(f[1]);
	count = (long)tsv_int(f[2]);
	free(txt);
	txt = NULL;
	/* a window expected to hold half a chunk if rows were even */
	w = count > 0 ? (last - lo + 1) * (chunk / 2 + 1) / count : 1;
	if (w < 1)
		w = 1;
	while (count > 0 && lo <= last && !e.stop) {
		q.fs_lo = lo;
		q.fs_hi = lo + w <= last + 1 ? lo + w : last + 1;
		q.page = 1;
		q.per_page = (int)chunk + 1;
		got = each_page(&e, &q, &txt);
		if (got < 0)
			goto fail;
		if (got > chunk && q.fs_hi - q.fs_lo > 1) {
			free(txt); /* too many: a narrower window */
			txt = NULL;
			w = (q.fs_hi - q.fs_lo) / 2;
			continue;
		}
		if (got <= chunk) {
			each_rows(&e, txt);
		} else {
			/* one second holding more than a chunk: page by
			 * page in a total order */
			free(txt);
			txt = NULL;
			q.per_page = (int)chunk;
			for (q.page = 1; !e.stop; q.page++) {
				got = each_page(&e, &q, &txt);
				if (got < 0)
					goto fail;
				each_rows(&e, txt);
				free(txt);
				txt = NULL;
				if (got < chunk)
					break;
			}
		}
		free(txt);
		txt = NULL;
		lo = q.fs_hi;
		if (got < chunk / 4 + 1 && w < ((int64_t)1 << 32))
			w *= 2; /* few: a wider one */
	}
	ch_client_free(e.c);
	*rejected = e.rejected;
	*truncated = e.truncated;
	return e.seen;
fail:
	free(txt);
	ch_client_free(e.c);
	*rejected = e.rejected;
	return -1;
}
