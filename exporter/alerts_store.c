/*
 * alerts_store.c - the alert sink (exporter/alerts_store.h): past alerts
 * to SQLite, syslog(3) and a remote RFC 5424 collector, all written by
 * one worker thread ("writer-alerts", common/jobq.h) so an interface's
 * owner only copies a struct alert into a ring.
 *
 * SQLite: <data-dir>/interfaces/<dir>/alerts.sqlite (dir: the interface's
 * directory, exporter/writer.h), table `alerts` (docs/alerts.md), WAL so
 * REST reads (their own connection, alerts_store_query) never wait for
 * the worker.  Each batch is one transaction per file.
 *
 * syslog: openlog("ntopng", LOG_PID, LOG_DAEMON) at start; one line per
 * alert, "alert <type> <severity> <entity> <entity_val>: <msg>", at the
 * level of its severity (info LOG_INFO, notice LOG_NOTICE, warning
 * LOG_WARNING, error LOG_ERR, critical LOG_CRIT).
 *
 * Remote (RFC 5424 over UDP, RFC 5426): one datagram per alert,
 *   <PRI>1 TIMESTAMP HOSTNAME ntopng PROCID MSGID [alert@32473 k="v" ...] MSG
 * PRI = 3 (daemon) * 8 + the level above; TIMESTAMP the alert's end
 * (the event) in UTC; MSGID the type's key; the structured data carries
 * the alert's fields, values escaped as 5424 6.3.3 asks (", \ and ]
 * preceded by a backslash).  32473 is the enterprise number RFC 5612
 * reserves for examples: we own none.  A send that fails is counted,
 * never retried (UDP syslog is lossy by design).
 *
 * Retention: once a day (and at start) rows whose tstamp_end is older
 * than ntopng.prefs.flows_retention_days (the -F retention, 0: keep all)
 * are deleted from every interface's file.
 */
#include "exporter/alerts_store.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <netdb.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/jobq.h"
#include "common/log.h"
#include "common/prefs.h"
#include "exporter/writer.h"
#include "merge/alerts.h"
#include "merge/alerts_thr.h"
#include "merge/iface.h"
#include "merge/sink.h"
#include "state/kv.h"

#define AS_RETENTION_KEY "ntopng.prefs.flows_retention_days"
#define AS_LINE_MAX 2048

#define AS_SCHEMA                                                              \
	"CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY, "          \
	"alert_id INTEGER, ifid INTEGER, type INTEGER, severity INTEGER, "     \
	"entity INTEGER, entity_val TEXT, metric TEXT, value REAL, "           \
	"threshold REAL, peak REAL, tstamp INTEGER, tstamp_end INTEGER, "      \
	"msg TEXT, site_path TEXT, node_id TEXT);"                             \
	"CREATE INDEX IF NOT EXISTS alerts_tstamp ON alerts(tstamp);"
#define AS_INSERT                                                              \
	"INSERT INTO alerts (alert_id, ifid, type, severity, entity, "         \
	"entity_val, metric, value, threshold, peak, tstamp, tstamp_end, "     \
	"msg, site_path, node_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

struct as_db {
	sqlite3 *db;
	sqlite3_stmt *ins;
	int failed; /* open failed: not retried until the next day */
};

static struct jobq *as_q;
static char *as_dir;
static struct as_db as_dbs[WRITER_MAX_IFACES];
static int as_fd = -1;
static struct sockaddr_storage as_addr;
static socklen_t as_addrlen;
static char as_host[256];
static int as_day = -1;
static struct alerts_store_stats as_st; /* __atomic_* */

#define AS_ADD(f, n) __atomic_add_fetch(&as_st.f, (n), __ATOMIC_RELAXED)

static int
sev_level(unsigned sev)
{
	switch (sev) {
	case ALERT_SEV_INFO:
		return LOG_INFO;
	case ALERT_SEV_NOTICE:
		return LOG_NOTICE;
	case ALERT_SEV_ERROR:
		return LOG_ERR;
	case ALERT_SEV_CRITICAL:
		return LOG_CRIT;
	default:
		return LOG_WARNING;
	}
}

int
alerts_syslog_parse(const char *spec, char *host, size_t hlen, char *port,
		    size_t plen, char *why, size_t wlen)
{
	const char *h, *colon, *hend;
	size_t n;

	if (spec == NULL || strncmp(spec, "udp://", 6) != 0) {
		snprintf(why, wlen, "expected udp://host:port");
		return -1;
	}
	h = spec + 6;
	if (*h == '[') {
		hend = strchr(h, ']');
		if (hend == NULL || hend[1] != ':') {
			snprintf(why, wlen, "expected udp://[v6]:port");
			return -1;
		}
		colon = hend + 1;
		h++;
	} else {
		colon = strrchr(h, ':');
		hend = colon;
	}
	if (colon == NULL || hend == h) {
		snprintf(why, wlen, "expected udp://host:port");
		return -1;
	}
	n = (size_t)(hend - h);
	if (n >= hlen || strlen(colon + 1) >= plen || colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    strtol(colon + 1, NULL, 10) < 1 ||
	    strtol(colon + 1, NULL, 10) > 65535) {
		snprintf(why, wlen, "bad host or port");
		return -1;
	}
	memcpy(host, h, n);
	host[n] = '\0';
	memcpy(port, colon + 1, strlen(colon + 1) + 1);
	return 0;
}

/* Appends s to buf at *off with the SD-PARAM escapes; -1 when full. */
static int
sd_escape(char *buf, size_t len, size_t *off, const char *s)
{
	for (; *s; s++) {
		int esc = *s == '"' || *s == '\\' || *s == ']';

		if (*off + 2 + (size_t)esc >= len)
			return -1;
		if (esc)
			buf[(*off)++] = '\\';
		buf[(*off)++] = *s;
	}
	buf[*off] = '\0';
	return 0;
}

static int put(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
put(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *off)
		return -1;
	*off += (size_t)n;
	return 0;
}

int
alerts_rfc5424(char *buf, size_t len, const struct alert *a,
	       const char *hostname, uint64_t pid)
{
	const struct alert_type_info *ti = alert_type_info(a->type);
	const char *tkey = ti ? ti->key : "unknown";
	const char *sev = alert_severity_name(a->severity);
	const char *ent = alert_entity_name(a->entity);
	time_t t = (time_t)(a->tstamp_end ? a->tstamp_end : a->tstamp);
	struct tm tm;
	size_t off = 0;
	char ts[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	if (put(buf, len, &off, "<%d>1 %s %s ntopng %llu %s [alert@32473",
		3 * 8 + sev_level(a->severity), ts,
		hostname[0] ? hostname : "-", (unsigned long long)pid,
		tkey) != 0 ||
	    put(buf, len, &off,
		" id=\"%llu\" ifid=\"%d\" type=\"%u\" type_key=\"%s\""
		" severity=\"%s\" entity=\"%s\" entity_val=\"",
		(unsigned long long)a->id, a->ifid, (unsigned)a->type, tkey,
		sev ? sev : "unknown", ent ? ent : "unknown") != 0 ||
	    sd_escape(buf, len, &off, a->entity_val) != 0 ||
	    put(buf, len, &off, "\" metric=\"") != 0 ||
	    sd_escape(buf, len, &off, a->metric) != 0 ||
	    put(buf, len, &off,
		"\" value=\"%.17g\" threshold=\"%.17g\" peak=\"%.17g\""
		" tstamp=\"%llu\" tstamp_end=\"%llu\" site_path=\"",
		a->value, a->threshold, a->peak, (unsigned long long)a->tstamp,
		(unsigned long long)a->tstamp_end) != 0 ||
	    sd_escape(buf, len, &off, a->site_path) != 0 ||
	    put(buf, len, &off, "\" node_id=\"") != 0 ||
	    sd_escape(buf, len, &off, a->node_id) != 0 ||
	    put(buf, len, &off, "\"] %s", a->msg) != 0)
		return -1;
	return 0;
}

/* ---- the worker ---- */

static void
as_db_close(struct as_db *d)
{
	sqlite3_finalize(d->ins);
	sqlite3_close(d->db);
	d->ins = NULL;
	d->db = NULL;
}

static int
as_path(char *buf, size_t len, int ifid)
{
	const char *dir = writer_iface_dir(ifid);

	if (dir == NULL || as_dir == NULL)
		return -1;
	if (snprintf(buf, len, "%s/interfaces/%s/alerts.sqlite", as_dir, dir) >=
	    (int)len)
		return -1;
	return 0;
}

static struct as_db *
as_db_get(int ifid)
{
	struct as_db *d;
	char path[PATH_MAX];

	if (ifid < 0 || ifid >= WRITER_MAX_IFACES)
		return NULL;
	d = &as_dbs[ifid];
	if (d->db != NULL)
		return d;
	if (d->failed || as_path(path, sizeof(path), ifid) != 0)
		return NULL;
	if (fs_mkdir_parent(path) != 0) {
		log_err("alerts: %s: cannot create its directory: %s", path,
			strerror(errno));
		d->failed = 1;
		return NULL;
	}
	if (sqlite3_open_v2(path, &d->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(d->db, 200);
	if (sqlite3_exec(d->db,
			 "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(d->db, AS_SCHEMA, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->db, AS_INSERT, -1, &d->ins, NULL) !=
		    SQLITE_OK)
		goto fail;
	return d;
fail:
	log_err("alerts: %s: %s", path,
		d->db ? sqlite3_errmsg(d->db) : "cannot open");
	as_db_close(d);
	d->failed = 1;
	AS_ADD(db_errors, 1);
	return NULL;
}

static int
as_insert(struct as_db *d, const struct alert *a)
{
	sqlite3_stmt *s = d->ins;
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)a->id);
	sqlite3_bind_int(s, 2, a->ifid);
	sqlite3_bind_int(s, 3, a->type);
	sqlite3_bind_int(s, 4, a->severity);
	sqlite3_bind_int(s, 5, a->entity);
	sqlite3_bind_text(s, 6, a->entity_val, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, a->metric, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 8, a->value);
	sqlite3_bind_double(s, 9, a->threshold);
	sqlite3_bind_double(s, 10, a->peak);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)a->tstamp);
	sqlite3_bind_int64(s, 12, (sqlite3_int64)a->tstamp_end);
	sqlite3_bind_text(s, 13, a->msg, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 14, a->site_path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 15, a->node_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
as_remote(const struct alert *a)
{
	char line[AS_LINE_MAX];

	if (as_fd < 0)
		return;
	if (alerts_rfc5424(line, sizeof(line), a, as_host,
			   (uint64_t)getpid()) != 0 ||
	    sendto(as_fd, line, strlen(line), MSG_DONTWAIT,
		   (const struct sockaddr *)&as_addr, as_addrlen) < 0) {
		AS_ADD(remote_errors, 1);
		return;
	}
	AS_ADD(remote_sent, 1);
}

static void
as_batch(void *arg, void *jobs, uint32_t n)
{
	struct alert *v = jobs;
	uint8_t touched[WRITER_MAX_IFACES] = { 0 };
	uint32_t i;
	int k;

	(void)arg;
	for (i = 0; i < n; i++) {
		const struct alert *a = &v[i];
		const struct alert_type_info *ti = alert_type_info(a->type);
		struct as_db *d = as_db_get(a->ifid);

		if (d != NULL) {
			if (!touched[a->ifid]) {
				sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL);
				touched[a->ifid] = 1;
			}
			if (as_insert(d, a) == 0)
				AS_ADD(written, 1);
			else
				AS_ADD(db_errors, 1);
		}
		syslog(sev_level(a->severity), "alert %s %s %s %s: %s",
		       ti ? ti->key : "unknown",
		       alert_severity_name(a->severity)
			       ? alert_severity_name(a->severity)
			       : "unknown",
		       alert_entity_name(a->entity)
			       ? alert_entity_name(a->entity)
			       : "unknown",
		       a->entity_val, a->msg);
		AS_ADD(syslog_sent, 1);
		as_remote(a);
	}
	for (k = 0; k < WRITER_MAX_IFACES; k++)
		if (touched[k] && as_dbs[k].db != NULL &&
		    sqlite3_exec(as_dbs[k].db, "COMMIT", NULL, NULL, NULL) !=
			    SQLITE_OK) {
			log_err("alerts: commit: %s",
				sqlite3_errmsg(as_dbs[k].db));
			AS_ADD(db_errors, 1);
		}
}

/* Daily: deletes the rows past the retention from every file. */
static void
as_retention(void)
{
	char *v = kv_get(AS_RETENTION_KEY);
	long days = v ? strtol(v, NULL, 10) : 0;
	time_t cutoff;
	uint64_t before =
		__atomic_load_n(&as_st.rows_expired, __ATOMIC_RELAXED);
	int i;

	free(v);
	if (days <= 0 || days > 100000)
		return;
	cutoff = time(NULL) - (time_t)days * 86400;
	for (i = 0; i < WRITER_MAX_IFACES; i++) {
		struct as_db *d;
		sqlite3_stmt *s;

		as_dbs[i].failed = 0; /* a new day: try again */
		if (writer_iface_dir(i) == NULL)
			continue;
		d = as_db_get(i);
		if (d == NULL)
			continue;
		if (sqlite3_prepare_v2(
			    d->db, "DELETE FROM alerts WHERE tstamp_end < ?",
			    -1, &s, NULL) != SQLITE_OK)
			continue;
		sqlite3_bind_int64(s, 1, (sqlite3_int64)cutoff);
		if (sqlite3_step(s) == SQLITE_DONE)
			AS_ADD(rows_expired, (uint64_t)sqlite3_changes(d->db));
		sqlite3_finalize(s);
	}
	log_info("alerts: daily: %llu past alerts older than %ld days removed",
		 (unsigned long long)(__atomic_load_n(&as_st.rows_expired,
						      __ATOMIC_RELAXED) -
				      before),
		 days);
}

static void
as_idle(void *arg)
{
	time_t now = time(NULL);
	struct tm tm;

	(void)arg;
	if (localtime_r(&now, &tm) == NULL || tm.tm_yday == as_day)
		return;
	as_day = tm.tm_yday;
	as_retention();
}

static void
as_fini(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < WRITER_MAX_IFACES; i++)
		as_db_close(&as_dbs[i]);
}

/* ---- main thread ---- */

static int
as_remote_open(const char *spec)
{
	char host[256], port[8], why[64];
	struct addrinfo hints, *res = NULL;
	int rc;

	if (alerts_syslog_parse(spec, host, sizeof(host), port, sizeof(port),
				why, sizeof(why)) != 0) {
		log_err("--alerts-syslog %s: %s", spec, why);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0 || res == NULL) {
		log_err("--alerts-syslog %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	as_fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (as_fd < 0 || res->ai_addrlen > sizeof(as_addr)) {
		log_err("--alerts-syslog %s: socket: %s", spec,
			strerror(errno));
		freeaddrinfo(res);
		return -1;
	}
	memcpy(&as_addr, res->ai_addr, res->ai_addrlen);
	as_addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int
alerts_store_start(const struct prefs *p)
{
	struct jobq_ops ops = {
		.role = "writer-alerts",
		.job_size = sizeof(struct alert),
		.capacity = ALERTS_STORE_QUEUE,
		.batch = 256,
		.batch_fn = as_batch,
		.idle_fn = as_idle,
		.fini_fn = as_fini,
	};

	if (p->disable_alerts)
		return 0;
	if (gethostname(as_host, sizeof(as_host) - 1) != 0)
		as_host[0] = '\0';
	for (char *c = as_host; *c; c++)
		if (*c <= ' ' || *c > '~')
			*c = '-';
	if (p->alerts_syslog != NULL && as_remote_open(p->alerts_syslog) != 0)
		return -1;
	as_dir = strdup(p->data_dir);
	if (as_dir == NULL)
		return -1;
	openlog("ntopng", LOG_PID, LOG_DAEMON);
	as_q = jobq_start(&ops);
	return as_q != NULL ? 0 : -1;
}

void
alerts_store_stop(void)
{
	jobq_stop(as_q);
	as_q = NULL;
	if (as_fd >= 0)
		close(as_fd);
	as_fd = -1;
	free(as_dir);
	as_dir = NULL;
}

int
alerts_store_drain(int timeout_ms)
{
	return as_q != NULL ? jobq_drain(as_q, timeout_ms) : 0;
}

static void
as_sink_alert(void *ctx, const struct alert *a)
{
	(void)ctx;
	AS_ADD(posted, 1);
	if (jobq_post(as_q, a, 0) != 0)
		AS_ADD(dropped, 1);
}

static const struct iface_sink_ops as_ops = {
	.name = "alerts",
	.alert = as_sink_alert,
};

int
alerts_store_sink_add(struct iface *ifc)
{
	if (as_q == NULL)
		return 0;
	return iface_add_sink(ifc, &as_ops, NULL);
}

void
alerts_store_get_stats(struct alerts_store_stats *st)
{
	st->posted = __atomic_load_n(&as_st.posted, __ATOMIC_RELAXED);
	st->written = __atomic_load_n(&as_st.written, __ATOMIC_RELAXED);
	st->dropped = __atomic_load_n(&as_st.dropped, __ATOMIC_RELAXED);
	st->db_errors = __atomic_load_n(&as_st.db_errors, __ATOMIC_RELAXED);
	st->syslog_sent = __atomic_load_n(&as_st.syslog_sent, __ATOMIC_RELAXED);
	st->remote_sent = __atomic_load_n(&as_st.remote_sent, __ATOMIC_RELAXED);
	st->remote_errors =
		__atomic_load_n(&as_st.remote_errors, __ATOMIC_RELAXED);
	st->rows_expired =
		__atomic_load_n(&as_st.rows_expired, __ATOMIC_RELAXED);
}

/* ---- the read path (any thread) ---- */

/* The WHERE clause of q and its parameters, bound by as_bind. */
static void
as_where(char *w, size_t len, const struct alert_list_query *q)
{
	size_t off = 0;

	put(w, len, &off, " WHERE 1");
	if (q->entity >= 0)
		put(w, len, &off, " AND entity = %d", q->entity);
	if (q->severity >= 0)
		put(w, len, &off, " AND severity = %d", q->severity);
	if (q->epoch_begin)
		put(w, len, &off, " AND tstamp >= %llu",
		    (unsigned long long)q->epoch_begin);
	if (q->epoch_end)
		put(w, len, &off, " AND tstamp <= %llu",
		    (unsigned long long)q->epoch_end);
	if (q->entity_val[0])
		put(w, len, &off, " AND entity_val = ?1");
	if (q->site[0])
		put(w, len, &off, " AND substr(site_path, 1, length(?2)) = ?2");
}

static void
as_bind(sqlite3_stmt *s, const struct alert_list_query *q)
{
	if (q->entity_val[0])
		sqlite3_bind_text(s, 1, q->entity_val, -1, SQLITE_STATIC);
	if (q->site[0])
		sqlite3_bind_text(s, 2, q->site, -1, SQLITE_STATIC);
}

json_t *
alerts_store_query(int ifid, const struct alert_list_query *q)
{
	char path[PATH_MAX], where[512], sql[1024];
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	json_t *data = json_array(), *out = NULL;
	json_int_t total = 0;

	if (data == NULL)
		return NULL;
	if (as_path(path, sizeof(path), ifid) != 0 ||
	    access(path, F_OK) != 0) /* nothing written yet */
		goto done;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(db, 500);
	as_where(where, sizeof(where), q);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM alerts%s", where);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		goto fail;
	as_bind(s, q);
	if (sqlite3_step(s) == SQLITE_ROW)
		total = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	snprintf(sql, sizeof(sql),
		 "SELECT id, ifid, type, severity, entity, entity_val, metric, "
		 "value, threshold, peak, tstamp, tstamp_end, msg, site_path, "
		 "node_id FROM alerts%s ORDER BY tstamp_end DESC, id DESC "
		 "LIMIT %u OFFSET %u",
		 where, q->length, q->start);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		goto fail;
	as_bind(s, q);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct alert a;
		const char *t;
		json_t *o;

		memset(&a, 0, sizeof(a));
		a.id = (uint64_t)sqlite3_column_int64(s, 0);
		a.ifid = sqlite3_column_int(s, 1);
		a.type = (uint16_t)sqlite3_column_int(s, 2);
		a.severity = (uint8_t)sqlite3_column_int(s, 3);
		a.entity = (uint8_t)sqlite3_column_int(s, 4);
#define COL_STR(dst, i)                                                        \
	t = (const char *)sqlite3_column_text(s, i);                           \
	snprintf(dst, sizeof(dst), "%s", t ? t : "")
		COL_STR(a.entity_val, 5);
		COL_STR(a.metric, 6);
		a.value = sqlite3_column_double(s, 7);
		a.threshold = sqlite3_column_double(s, 8);
		a.peak = sqlite3_column_double(s, 9);
		a.tstamp = (uint64_t)sqlite3_column_int64(s, 10);
		a.tstamp_end = (uint64_t)sqlite3_column_int64(s, 11);
		COL_STR(a.msg, 12);
		COL_STR(a.site_path, 13);
		COL_STR(a.node_id, 14);
#undef COL_STR
		o = alert_to_json(&a);
		if (o != NULL)
			json_array_append_new(data, o);
	}
	sqlite3_finalize(s);
	s = NULL;
done:
	sqlite3_close(db);
	out = json_pack("{s:o,s:I}", "data", data, "totalRows", total);
	return out;
fail:
	log_warn("alerts: read %s: %s", path,
		 db ? sqlite3_errmsg(db) : "cannot open");
	sqlite3_finalize(s);
	sqlite3_close(db);
	json_decref(data);
	return NULL;
}
