/*
 * writer.c - the slow-I/O workers (see writer.h): one job queue and one
 * thread (common/jobq.h) per backend, SQLite, RRD and the host cache, so
 * that a slow Redis never holds up a SQLite commit nor the reverse.
 * writer_post() sends a record to the queue of its kind.
 *
 * Each turn a worker moves up to WRITER_BATCH records out of its ring
 * (so owners can post again at once), then handles them:
 *  - flows and contacts: INSERT into the day's SQLite file of their
 *    interface, opened on first use (WAL, synchronous=NORMAL) and kept in
 *    a small cache; a transaction spans the whole batch and is committed
 *    at its end.  A row counts as written only once its transaction is
 *    committed; rows of a failed commit (a full disk) count as lost.
 *    Files not used for a minute are closed (day rollover).
 *  - host cache: kv_set / kv_get (Redis or the embedded store); a restore
 *    answer goes to the record's callback.
 *  - time series: RRD files created on first use (rrd_create_r) and
 *    updated with rrd_updatex_r so that archives conserve the counters
 *    (see "RRD" below).
 * Files live in <data-dir>/interfaces/<dir>/, <dir> made from the
 * interface's name (writer_iface_dirname), not its ifid, so they follow
 * the interface whatever the -i order.
 * Errors are never fatal: a corrupt, read-only or full file costs its
 * records, not the node.  The first failure of a file is logged with its
 * cause, the rest counted and summed up in one line when the writer stops.
 *
 * Periodic callbacks (seed 5.2), run by the SQLite worker between batches
 * so they never touch an interface's hot path:
 *  - hourly (when the wall-clock hour changes): one log line with what was
 *    written, dropped, lost and failed during the hour;
 *  - daily (at start and when the local day changes): the day files
 *    interfaces/<dir>/{flows,contacts}/YYYY/MM/DD.sqlite (and those of the
 *    older <ifid>/ layout) older than the retention
 *    (ntopng.prefs.flows_retention_days, 0 or absent = keep all) are
 *    removed with their -wal/-shm, empty month and year directories too,
 *    and one line says how many day files and bytes remain.
 * The per-second and per-minute work is the owners' (storage.c posts
 * snapshots), since it needs their counters.
 */
#include "exporter/writer.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <jansson.h>
#include <rrd.h>
#include <sqlite3.h>

#include "common/fsutil.h"
#include "common/jobq.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "exporter/influx.h"
#include "state/kv.h"

#define WRITER_MAX_DBS 16
/* An RRD series is given explicit zeros across a gap up to this many
 * updates on each side (see rrd_fill) */
#define WRITER_RRD_ARGS 136
#define WRITER_DB_IDLE_S 60
#define WRITER_RETENTION_KEY "ntopng.prefs.flows_retention_days"
#define WRITER_RETENTION_MAX 36500

struct writer_db {
	sqlite3 *db;
	sqlite3_stmt *ins;
	int ifid;
	int contacts; /* 0: flows, 1: contacts, 2: aggregations */
	int yday, year;
	time_t last_use;
	int in_txn;
	uint64_t pending; /* rows inserted in the open transaction */
	char path[PATH_MAX];
};

/* the workers, one per backend (the kinds of writer_rec they take) */
enum { WQ_DB, WQ_RRD, WQ_KV, WQ_N };
static const char *const wq_role[WQ_N] = { "writer-db", "writer-rrd",
					   "writer-kv" };
/* set by writer_start, cleared under w_qlock by writer_stop before the
 * queue is freed; readers of the queue lengths hold w_qlock */
static struct jobq *w_q[WQ_N];
static pthread_mutex_t w_qlock = PTHREAD_MUTEX_INITIALIZER;
static int w_running; /* __atomic_* */
/* Every counter is bumped and read atomically (posters: posted, dropped;
 * workers: the rest), so writer_get_stats() never races with a bump and
 * takes no lock a worker holds. */
static struct writer_stats w_st;
#define WST_ADD(field, n) __atomic_fetch_add(&w_st.field, (n), __ATOMIC_RELAXED)
static char *w_dir;
static struct writer_db w_dbs[WRITER_MAX_DBS];

/* ---- interfaces and paths ---- */

static char w_ifdir[WRITER_MAX_IFACES][WRITER_IFDIR_MAX];

/* FNV-1a, 32 bits: tells apart names that sanitize alike. */
static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

int
writer_iface_dirname(char *buf, size_t len, const char *name)
{
	size_t n = strlen(name), from = 0, i, o = 0;
	int changed = n == 0 || name[0] == '.';

	if (len < WRITER_IFDIR_MAX)
		return -1;
	if (n > WRITER_IFDIR_KEEP) {
		from = n - WRITER_IFDIR_KEEP;
		changed = 1;
	}
	for (i = from; i < n; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			 c == '-';

		/* a kept tail must not start a hidden name either */
		if (o == 0 && c == '.')
			ok = 0;
		buf[o++] = ok ? c : '_';
		changed |= !ok;
	}
	buf[o] = '\0';
	/* '+' never survives the sanitizing: a hashed name cannot equal a
	 * kept one */
	if (changed)
		snprintf(buf + o, len - o, "+%08x", (unsigned)name_hash(name));
	return 0;
}

int
writer_iface_set(int ifid, const char *name)
{
	char d[WRITER_IFDIR_MAX];

	if (ifid < 0 || ifid >= WRITER_MAX_IFACES || name == NULL ||
	    writer_iface_dirname(d, sizeof(d), name) != 0)
		return -1;
	memcpy(w_ifdir[ifid], d, sizeof(d));
	return 0;
}

const char *
writer_iface_dir(int ifid)
{
	if (ifid < 0 || ifid >= WRITER_MAX_IFACES || w_ifdir[ifid][0] == '\0')
		return NULL;
	return w_ifdir[ifid];
}

int
writer_day_path(char *buf, size_t len, const char *dir, const char *what,
		time_t t)
{
	struct tm tm;
	int n;

	if (w_dir == NULL || dir == NULL || localtime_r(&t, &tm) == NULL)
		return -1;
	n = snprintf(buf, len, "%s/interfaces/%s/%s/%04d/%02d/%02d.sqlite",
		     w_dir, dir, what, tm.tm_year + 1900, tm.tm_mon + 1,
		     tm.tm_mday);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

int
writer_rrd_path(char *buf, size_t len, const char *dir, const char *sub,
		const char *name)
{
	int n;

	if (w_dir == NULL || dir == NULL)
		return -1;
	n = snprintf(buf, len, "%s/interfaces/%s/rrd/%s%s.rrd", w_dir, dir, sub,
		     name);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* ---- failures ---- */

/*
 * A failing file fails again for every record (a full disk, a corrupt
 * day file): its first failure is logged with the cause, the others are
 * only counted, and when the writer stops one line per file says how many
 * more there were and how many records they cost.
 */
#define WRITER_FAIL_SLOTS 16

static struct writer_fail {
	char path[PATH_MAX];
	uint64_t more, lost;
} w_fails[WRITER_FAIL_SLOTS];
static unsigned w_fail_next;
/* the SQLite and RRD workers both report failures */
static pthread_mutex_t w_fail_lock = PTHREAD_MUTEX_INITIALIZER;

static void
fail_summary(struct writer_fail *f)
{
	if (f->path[0] != '\0' && f->more > 0)
		log_err("%s: %llu more failures after the first, %llu records "
			"lost in all",
			f->path, (unsigned long long)f->more,
			(unsigned long long)f->lost);
	memset(f, 0, sizeof(*f));
}

/* Writer thread: `lost` records of path failed because of cause. */
static void
writer_fail(const char *path, const char *what, const char *cause,
	    uint64_t lost)
{
	struct writer_fail *f;
	unsigned i;

	pthread_mutex_lock(&w_fail_lock);
	for (i = 0; i < WRITER_FAIL_SLOTS; i++) {
		f = &w_fails[i];
		if (strcmp(f->path, path) == 0) {
			f->more++;
			f->lost += lost;
			pthread_mutex_unlock(&w_fail_lock);
			return;
		}
	}
	log_err("%s: %s: %s", path, what, cause);
	f = &w_fails[w_fail_next++ % WRITER_FAIL_SLOTS];
	fail_summary(f);
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->lost = lost;
	pthread_mutex_unlock(&w_fail_lock);
}

/* SQLite's message, and the system's when it has one ("disk I/O error"
 * says little without "No space left on device"). */
static const char *
db_cause(sqlite3 *db, char *buf, size_t len)
{
	int e = db ? sqlite3_system_errno(db) : 0;

	if (db == NULL)
		return "out of memory";
	if (e != 0 && sqlite3_errcode(db) != SQLITE_FULL)
		snprintf(buf, len, "%s (%s)", sqlite3_errmsg(db), strerror(e));
	else
		snprintf(buf, len, "%s", sqlite3_errmsg(db));
	return buf;
}

/* ---- SQLite ---- */

#define CONTACTS_SCHEMA                                                        \
	"CREATE TABLE IF NOT EXISTS contacts ("                                \
	"id INTEGER PRIMARY KEY AUTOINCREMENT, vlan_id INTEGER, "              \
	"host_ip TEXT, peer_ip TEXT, peer_port INTEGER, role TEXT, "           \
	"proto INTEGER, l7_name TEXT, bytes_sent INTEGER, bytes_rcvd "         \
	"INTEGER, "                                                            \
	"packets_sent INTEGER, packets_rcvd INTEGER, first_seen INTEGER, "     \
	"last_seen INTEGER);"                                                  \
	"CREATE INDEX IF NOT EXISTS contacts_host ON contacts(host_ip);"

/* -A 2 / -C: one row per aggregate and timeline snapshot */
#define AGGR_SCHEMA                                                            \
	"CREATE TABLE IF NOT EXISTS aggregations ("                            \
	"id INTEGER PRIMARY KEY AUTOINCREMENT, epoch INTEGER, family TEXT, "   \
	"name TEXT, first_seen INTEGER, last_seen INTEGER, queries INTEGER, "  \
	"flows INTEGER, bytes INTEGER, contacts TEXT, final INTEGER);"         \
	"CREATE INDEX IF NOT EXISTS aggregations_name ON aggregations(name);"
#define AGGR_INSERT                                                            \
	"INSERT INTO aggregations (epoch, family, name, first_seen, "          \
	"last_seen, queries, flows, bytes, contacts, final) "                  \
	"VALUES (?,?,?,?,?,?,?,?,?,?)"
static const char *const db_kind_dir[] = { "flows", "contacts",
					   "aggregations" };

/* The flows table and its INSERT, from the column list of the field
 * dictionary (common/flow_fields.def, FW_COL). */
static const char flows_schema[] =
	"CREATE TABLE IF NOT EXISTS flows ("
	"id INTEGER PRIMARY KEY AUTOINCREMENT"
#define FW_COL(col, type, bind, value, era) ", " #col " " type
#include "common/flow_fields.def"
#undef FW_COL
	/* after the dictionary's columns: added to older files by
	 * db_migrate() (ALTER TABLE ADD COLUMN appends) */
	", site_path TEXT"
	");"
	"CREATE INDEX IF NOT EXISTS flows_last_seen ON flows(last_seen);";
static const char flows_insert[] = "INSERT INTO flows (id"
#define FW_COL(col, type, bind, value, era) ", " #col
#include "common/flow_fields.def"
#undef FW_COL
				   ", site_path) VALUES (NULL"
#define FW_COL(col, type, bind, value, era) ",?"
#include "common/flow_fields.def"
#undef FW_COL
				   ",?)";
/* the bind index of site_path: after the dictionary's columns */
#define WFC_BIND_site_path WFC__COUNT

/* A flows table of an older day file gets the columns added since
 * (site_path).  0, or -1 with SQLite's error. */
static int
db_migrate(sqlite3 *db)
{
	sqlite3_stmt *s;
	int found = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA table_info(flows)", -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *n = sqlite3_column_text(s, 1);

		if (n != NULL && !strcmp((const char *)n, "site_path"))
			found = 1;
	}
	sqlite3_finalize(s);
	if (found)
		return 0;
	return sqlite3_exec(db, "ALTER TABLE flows ADD COLUMN site_path TEXT",
			    NULL, NULL, NULL) == SQLITE_OK
		       ? 0
		       : -1;
}

/* Counts the open transaction's rows as written or lost. */
static void
db_count(struct writer_db *d, int committed)
{
	uint64_t *ok = d->contacts == 2	  ? &w_st.aggregations_written
		       : d->contacts == 1 ? &w_st.contacts_written
					  : &w_st.flows_written;
	uint64_t *ko = d->contacts == 2	  ? &w_st.aggregations_lost
		       : d->contacts == 1 ? &w_st.contacts_lost
					  : &w_st.flows_lost;

	__atomic_fetch_add(committed ? ok : ko, d->pending, __ATOMIC_RELAXED);
	d->pending = 0;
}

/* Commits d's transaction: its rows count as written only then. */
static void
db_commit(struct writer_db *d)
{
	char cause[256];

	if (!d->in_txn)
		return;
	d->in_txn = 0;
	if (sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
		db_count(d, 1);
		return;
	}
	WST_ADD(db_errors, 1);
	writer_fail(d->path, "commit", db_cause(d->db, cause, sizeof(cause)),
		    d->pending);
	db_count(d, 0);
	sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
}

static void
db_close(struct writer_db *d)
{
	if (d->db == NULL)
		return;
	db_commit(d);
	sqlite3_finalize(d->ins);
	sqlite3_close(d->db);
	memset(d, 0, sizeof(*d));
}

/* The open database for (ifid, kind, day of t), opening it if needed;
 * NULL (the failure logged once per file, counted) when it cannot be. */
static struct writer_db *
db_get(int ifid, int contacts, time_t t)
{
	char path[PATH_MAX], cause[256];
	struct writer_db *d, *victim = NULL;
	struct tm tm;
	const char *ins;
	int i, e;

	if (localtime_r(&t, &tm) == NULL)
		return NULL;
	for (i = 0; i < WRITER_MAX_DBS; i++) {
		d = &w_dbs[i];
		if (d->db && d->ifid == ifid && d->contacts == contacts &&
		    d->yday == tm.tm_yday && d->year == tm.tm_year) {
			d->last_use = time(NULL);
			return d;
		}
		if (victim == NULL || d->db == NULL ||
		    (victim->db && d->last_use < victim->last_use))
			victim = d;
	}
	db_close(victim);
	d = victim;
	if (writer_day_path(path, sizeof(path), writer_iface_dir(ifid),
			    db_kind_dir[contacts], t) != 0)
		return NULL;
	if (fs_mkdir_parent(path) != 0) {
		e = errno;
		writer_fail(path, "cannot create its directory", strerror(e),
			    1);
		return NULL;
	}
	if (sqlite3_open_v2(path, &d->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(d->db, 200);
	if (sqlite3_exec(d->db,
			 "PRAGMA journal_mode=WAL;"
			 "PRAGMA synchronous=NORMAL;",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(d->db,
			 contacts == 2	 ? AGGR_SCHEMA
			 : contacts == 1 ? CONTACTS_SCHEMA
					 : flows_schema,
			 NULL, NULL, NULL) != SQLITE_OK ||
	    (contacts == 0 && db_migrate(d->db) != 0))
		goto fail;
	ins = contacts == 2 ? AGGR_INSERT
	      : contacts ? "INSERT INTO contacts (vlan_id, host_ip, peer_ip, "
			   "peer_port, "
			   "role, proto, l7_name, bytes_sent, bytes_rcvd, "
			   "packets_sent, "
			   "packets_rcvd, first_seen, last_seen) "
			   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
			 : flows_insert;
	if (sqlite3_prepare_v2(d->db, ins, -1, &d->ins, NULL) != SQLITE_OK)
		goto fail;
	d->ifid = ifid;
	d->contacts = contacts;
	d->yday = tm.tm_yday;
	d->year = tm.tm_year;
	d->last_use = time(NULL);
	snprintf(d->path, sizeof(d->path), "%s", path);
	return d;
fail:
	writer_fail(path, "cannot write", db_cause(d->db, cause, sizeof(cause)),
		    1);
	if (d->db) {
		sqlite3_finalize(d->ins);
		sqlite3_close(d->db);
	}
	memset(d, 0, sizeof(*d));
	return NULL;
}

/*
 * After a failed INSERT: on a full disk or an I/O error SQLite may have
 * rolled the whole transaction back, and then the rows inserted before
 * are lost too (and later inserts must open a new transaction).
 */
static void
db_step_failed(struct writer_db *d)
{
	if (d->in_txn && sqlite3_get_autocommit(d->db)) {
		d->in_txn = 0;
		db_count(d, 0);
	}
}

static int
db_begin(struct writer_db *d)
{
	if (d->in_txn)
		return 0;
	if (sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	d->in_txn = 1;
	return 0;
}

/* The json column: what ntopng 1.x kept there, for its readers. */
static char *
flow_json(const struct writer_flow *f)
{
	json_t *o = json_pack(
		"{s:s,s:i,s:s,s:i,s:i,s:s,s:I,s:I,s:I,s:I,s:s}", "cli.ip",
		f->cli, "cli.port", f->cli_port, "srv.ip", f->srv, "srv.port",
		f->srv_port, "proto.l4", f->l4_proto, "proto.ndpi", f->l7_name,
		"cli2srv.bytes", (json_int_t)f->c2s_bytes, "srv2cli.bytes",
		(json_int_t)f->s2c_bytes, "cli2srv.packets",
		(json_int_t)f->c2s_pkts, "srv2cli.packets",
		(json_int_t)f->s2c_pkts, "info", f->info);
	char *s;

	/* GeoIP (docs/geo.md): the endpoints' AS and country, when known */
	if (o != NULL && f->cli_asn)
		json_object_set_new(o, "cli.asn", json_integer(f->cli_asn));
	if (o != NULL && f->srv_asn)
		json_object_set_new(o, "srv.asn", json_integer(f->srv_asn));
	if (o != NULL && f->cli_country[0])
		json_object_set_new(o, "cli.country",
				    json_string(f->cli_country));
	if (o != NULL && f->srv_country[0])
		json_object_set_new(o, "srv.country",
				    json_string(f->srv_country));
	/* host names (docs/names.md), when known */
	if (o != NULL && f->cli_name[0])
		json_object_set_new(o, "cli.name", json_string(f->cli_name));
	if (o != NULL && f->srv_name[0])
		json_object_set_new(o, "srv.name", json_string(f->srv_name));
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return s;
}

/* The day file of kind for t, in a transaction, or NULL (the failure
 * logged and counted, one record lost in *lost). */
static struct writer_db *
row_begin(int ifid, int kind, time_t t, uint64_t *lost)
{
	struct writer_db *d = db_get(ifid, kind, t);
	char cause[256];

	if (d == NULL || db_begin(d) != 0) {
		if (d != NULL)
			writer_fail(d->path, "begin",
				    db_cause(d->db, cause, sizeof(cause)), 1);
		WST_ADD(db_errors, 1);
		__atomic_fetch_add(lost, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	return d;
}

/* After the insert's step (rc): counted pending, or logged and lost. */
static void
row_done(struct writer_db *d, int rc, uint64_t *lost)
{
	char cause[256];

	if (rc != SQLITE_DONE) {
		writer_fail(d->path, "insert",
			    db_cause(d->db, cause, sizeof(cause)), 1);
		WST_ADD(db_errors, 1);
		__atomic_fetch_add(lost, 1, __ATOMIC_RELAXED);
		db_step_failed(d);
		return;
	}
	d->pending++; /* written once committed */
}

static void
write_flow(int ifid, const struct writer_flow *f)
{
	struct writer_db *d = row_begin(ifid, 0, (time_t)(f->last_ms / 1000),
					&w_st.flows_lost);
	sqlite3_stmt *s;
	char *js;
	int rc;

	if (d == NULL)
		return;
	s = d->ins;
	js = flow_json(f);
#define FW_BIND_INT(i, e) sqlite3_bind_int(s, i, e);
#define FW_BIND_I64(i, e) sqlite3_bind_int64(s, i, (sqlite3_int64)(e));
#define FW_BIND_TEXT(i, e) sqlite3_bind_text(s, i, e, -1, SQLITE_STATIC);
#define FW_BIND_JSON(i, e)                                                     \
	if ((e) != NULL)                                                       \
		sqlite3_bind_text(s, i, e, -1, SQLITE_TRANSIENT);              \
	else                                                                   \
		sqlite3_bind_null(s, i);
#define FW_COL(col, type, bind, value, era) FW_BIND_##bind(WFC_##col, value)
#include "common/flow_fields.def"
#undef FW_COL
	sqlite3_bind_text(s, WFC_BIND_site_path, f->site_path, -1,
			  SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	free(js);
	row_done(d, rc, &w_st.flows_lost);
}

static void
write_contact(int ifid, const struct writer_contact *c)
{
	struct writer_db *d = row_begin(ifid, 1, (time_t)(c->last_ms / 1000),
					&w_st.contacts_lost);
	sqlite3_stmt *s;
	int rc;

	if (d == NULL)
		return;
	s = d->ins;
	sqlite3_bind_int(s, 1, c->vlan);
	sqlite3_bind_text(s, 2, c->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->peer, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, c->peer_port);
	sqlite3_bind_text(s, 5, c->as_client ? "client" : "server", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(s, 6, c->l4_proto);
	sqlite3_bind_text(s, 7, c->l7_name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)c->bytes_sent);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)c->bytes_rcvd);
	sqlite3_bind_int64(s, 10, (sqlite3_int64)c->pkts_sent);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)c->pkts_rcvd);
	sqlite3_bind_int64(s, 12, (sqlite3_int64)(c->first_ms / 1000));
	sqlite3_bind_int64(s, 13, (sqlite3_int64)(c->last_ms / 1000));
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	row_done(d, rc, &w_st.contacts_lost);
}

static void
write_aggr(int ifid, const struct writer_aggr *a)
{
	struct writer_db *d = row_begin(ifid, 2, (time_t)(a->last_ms / 1000),
					&w_st.aggregations_lost);
	sqlite3_stmt *s;
	int rc;

	if (d == NULL)
		return;
	s = d->ins;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)a->epoch);
	sqlite3_bind_text(s, 2, a->family, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, a->name ? a->name : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)(a->first_ms / 1000));
	sqlite3_bind_int64(s, 5, (sqlite3_int64)(a->last_ms / 1000));
	sqlite3_bind_int64(s, 6, (sqlite3_int64)a->queries);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)a->flows);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)a->bytes);
	if (a->contacts != NULL)
		sqlite3_bind_text(s, 9, a->contacts, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 9);
	sqlite3_bind_int(s, 10, a->final);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	row_done(d, rc, &w_st.aggregations_lost);
}

/* Commits every open transaction; closes files idle for a minute. */
static void
db_commit_all(void)
{
	time_t now = time(NULL);
	int i;

	for (i = 0; i < WRITER_MAX_DBS; i++) {
		struct writer_db *d = &w_dbs[i];

		if (d->db == NULL)
			continue;
		db_commit(d);
		if (now - d->last_use > WRITER_DB_IDLE_S)
			db_close(d);
	}
}

/* ---- RRD ---- */

/*
 * Series conservation: the sum of an archive's values times their
 * duration must equal what the counters grew over that time.  librrd
 * breaks that wherever part of a step or of a consolidated row is
 * unknown: it averages the known part, i.e. scales it up (a capture read
 * 20 s into a minute counted 60/40 times in the minute archive).  So:
 *  - byte, packet and drop data sources are ABSOLUTE: the owner sends what
 *    the counter grew since its previous record of the series (a record
 *    dropped on a full queue carries over to the next), so the first
 *    update of a file is known, and a restart (counters from zero) needs
 *    no special case, unlike DERIVE;
 *  - a new file starts at the boundary of its coarsest archive row, and
 *    the seconds up to the first value get explicit zeros;
 *  - after a gap longer than the heartbeat (the node was stopped), zeros
 *    close the row the gap started in and open the row it ends in; the
 *    rows in between stay unknown (no data, not zero: the node did not
 *    look).
 * Zeros are sent every `fill` seconds (<= heartbeat, and <= step so the
 * value after them is not spread over more than a step).  The last row of
 * an archive is consolidated once the next row starts, i.e. at the first
 * update after the boundary (the file holds it until then).
 */
struct rrd_kind {
	int pdp;  /* step, seconds */
	int row;  /* coarsest archive row, seconds */
	int fill; /* seconds between filling zeros */
	int heartbeat;
};

static const struct rrd_kind rrd_iface_kind = { 1, 60, 10, 10 };
static const struct rrd_kind rrd_pair_kind = { 60, 3600, 60, 120 };

/* Why librrd could not create path: a full disk, most likely. */
static const char *
rrd_missing_cause(const char *path, int kind)
{
	/* the sizes of the files rrd_ensure() makes */
	uint64_t need = kind == WREC_TS_IFACE ? 21300000 : 165000;
	char dir[PATH_MAX];
	struct statvfs v;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	if (statvfs(dir, &v) == 0 && (uint64_t)v.f_bavail * v.f_frsize < need)
		return strerror(ENOSPC);
	return rrd_test_error() ? rrd_get_error() : "librrd gave no reason";
}

/*
 * Creates the file for a series kind if missing: 0 it was there, 1 made,
 * -1 failed (errno or rrd_get_error()).  It starts at the row boundary
 * before t.
 */
static int
rrd_ensure(const char *path, int kind, time_t t)
{
	static const char *iface_def[] = {
		"DS:bytes:ABSOLUTE:10:0:U",
		"DS:packets:ABSOLUTE:10:0:U",
		"DS:flows:GAUGE:10:0:U",
		"DS:hosts:GAUGE:10:0:U",
		"DS:drops:ABSOLUTE:10:0:U",
		"RRA:AVERAGE:0.5:1:3600",    /* 1 s for an hour */
		"RRA:AVERAGE:0.5:60:525600", /* 1 min for a year */
	};
	static const char *pair_def[] = {
		"DS:bytes_sent:ABSOLUTE:120:0:U",
		"DS:bytes_rcvd:ABSOLUTE:120:0:U",
		"RRA:AVERAGE:0.5:1:1440",  /* 1 min for a day */
		"RRA:AVERAGE:0.5:60:8760", /* 1 hour for a year */
	};
	const struct rrd_kind *k =
		kind == WREC_TS_IFACE ? &rrd_iface_kind : &rrd_pair_kind;
	time_t start = (t - 1) / k->row * k->row;
	struct stat st;
	int rc;

	if (stat(path, &st) == 0)
		return 0;
	if (fs_mkdir_parent(path) != 0)
		return -1;
	rrd_clear_error();
	errno = 0;
	if (kind == WREC_TS_IFACE)
		rc = rrd_create_r(path, k->pdp, start, 7, iface_def);
	else
		rc = rrd_create_r(path, k->pdp, start, 4, pair_def);
	if (rc != 0 || stat(path, &st) != 0) {
		/* librrd 1.7 loses the cause when it cannot write the file
		 * (it removes its temporary file, and errno with it: the
		 * message says "No such file or directory", or it even
		 * answers success) */
		char why[256];

		snprintf(why, sizeof(why), "cannot create it: %s",
			 rrd_missing_cause(path, kind));
		rrd_set_error("%s", why);
		return -1;
	}
	return 1;
}

struct rrd_args {
	const char *argv[WRITER_RRD_ARGS];
	char val[WRITER_RRD_ARGS][128];
	int n;
};

static void
rrd_arg_zero(struct rrd_args *a, int kind, time_t t)
{
	if (a->n >= WRITER_RRD_ARGS - 1) /* room for the value */
		return;
	/* gauges unknown, counts zero */
	snprintf(a->val[a->n], sizeof(a->val[0]),
		 kind == WREC_TS_IFACE ? "%lld:0:0:U:U:0" : "%lld:0:0",
		 (long long)t);
	a->argv[a->n] = a->val[a->n];
	a->n++;
}

/* Zeros from last (the file's last update) towards t, see above. */
static void
rrd_fill(struct rrd_args *a, int kind, time_t last, time_t t)
{
	const struct rrd_kind *k =
		kind == WREC_TS_IFACE ? &rrd_iface_kind : &rrd_pair_kind;
	time_t b1 =
		(last + k->row - 1) / k->row * k->row; /* row end after last */
	time_t b0 = (t - 1) / k->row * k->row;	       /* row start before t */
	time_t x = last;

	if (t - last <= k->heartbeat)
		return;
	if (b1 <= b0) {
		while (x < b1) {
			x = x + k->fill < b1 ? x + k->fill : b1;
			rrd_arg_zero(a, kind, x);
		}
		if (b0 > x) {
			x = b0; /* past the heartbeat: unknown */
			rrd_arg_zero(a, kind, x);
		}
	}
	while (t - x > k->fill) {
		x += k->fill;
		rrd_arg_zero(a, kind, x);
	}
}

static struct rrd_args w_rrd_args; /* writer-rrd only */

static void
write_ts(int ifid, int kind, const struct writer_ts *ts)
{
	struct rrd_args *a = &w_rrd_args;
	char path[PATH_MAX];
	const char *sub = kind == WREC_TS_IFACE	 ? ""
			  : kind == WREC_TS_HOST ? "hosts/"
						 : "l7/";
	time_t last, t = ts->t;
	int rc, e;

	rrd_clear_error();
	if (writer_rrd_path(path, sizeof(path), writer_iface_dir(ifid), sub,
			    kind == WREC_TS_IFACE ? "iface" : ts->name) != 0)
		return;
	rc = rrd_ensure(path, kind, t);
	if (rc < 0)
		goto fail;
	rrd_clear_error();
	last = rrd_last_r(path);
	if (last < 0) {
		rc = -1;
		goto fail;
	}
	/* a snapshot not newer than the file's last update (a restart
	 * within the second, the clock set back a little) still carries
	 * counts: it goes one second after it */
	if (t <= last) {
		if (last - t > 120) {
			WST_ADD(rrd_errors, 1);
			writer_fail(path, "rrd",
				    "snapshot older than the file's "
				    "last update (wall clock set back?)",
				    1);
			return;
		}
		t = last + 1;
	}
	a->n = 0;
	rrd_fill(a, kind, last, t);
	if (kind == WREC_TS_IFACE)
		snprintf(a->val[a->n], sizeof(a->val[0]),
			 "%lld:%llu:%llu:%llu:%llu:%llu", (long long)t,
			 (unsigned long long)ts->v[0],
			 (unsigned long long)ts->v[1],
			 (unsigned long long)ts->v[2],
			 (unsigned long long)ts->v[3],
			 (unsigned long long)ts->v[4]);
	else
		snprintf(a->val[a->n], sizeof(a->val[0]), "%lld:%llu:%llu",
			 (long long)t, (unsigned long long)ts->v[0],
			 (unsigned long long)ts->v[1]);
	a->argv[a->n] = a->val[a->n];
	a->n++;
	rrd_clear_error();
	errno = 0;
	rc = rrd_updatex_r(path, NULL, 0, a->n, a->argv);
	if (rc == 0) {
		WST_ADD(rrd_updates, 1);
		return;
	}
fail:
	e = errno;
	WST_ADD(rrd_errors, 1);
	writer_fail(path, "rrd",
		    rrd_test_error() ? rrd_get_error() : strerror(e ? e : EIO),
		    1);
}

/* ---- periodic callbacks ---- */

/* strtol of all of s into [min, max]; -1 when not such a number. */
static long
num_in(const char *s, long min, long max)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

struct sweep {
	long cutoff; /* YYYYMMDD: older days go; 0 = none */
	unsigned long kept, removed;
	unsigned long long kept_bytes;
};

/* Removes dir if it is empty (rmdir refuses otherwise). */
static void
rmdir_if_empty(const char *dir)
{
	if (rmdir(dir) != 0 && errno != ENOTEMPTY && errno != EEXIST)
		log_debug("writer: cannot remove %s: %s", dir, strerror(errno));
}

/* One month directory: files DD.sqlite[-wal|-shm]. */
static void
sweep_month(const char *dir, long ym, struct sweep *sw)
{
	char path[PATH_MAX], dd[3];
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		const char *n = e->d_name;
		long day;

		if (strlen(n) < 9 || strncmp(n + 2, ".sqlite", 7) != 0 ||
		    (n[9] && strcmp(n + 9, "-wal") && strcmp(n + 9, "-shm")))
			continue;
		memcpy(dd, n, 2);
		dd[2] = '\0';
		day = num_in(dd, 1, 31);
		if (day < 0 || snprintf(path, sizeof(path), "%s/%s", dir, n) >=
				       (int)sizeof(path))
			continue;
		if (sw->cutoff && ym * 100 + day < sw->cutoff) {
			if (unlink(path) == 0) {
				if (!n[9])
					sw->removed++;
			} else {
				log_warn("writer: cannot remove %s: %s", path,
					 strerror(errno));
			}
		} else if (stat(path, &st) == 0) {
			sw->kept_bytes += (unsigned long long)st.st_size;
			if (!n[9])
				sw->kept++;
		}
	}
	closedir(d);
	rmdir_if_empty(dir);
}

/* <dir>/YYYY/MM/ of one interface's flows or contacts. */
static void
sweep_kind(const char *dir, struct sweep *sw)
{
	char ypath[PATH_MAX], mpath[PATH_MAX];
	struct dirent *y, *m;
	DIR *yd = opendir(dir), *md;

	if (yd == NULL)
		return;
	while ((y = readdir(yd)) != NULL) {
		long year = strlen(y->d_name) == 4
				    ? num_in(y->d_name, 1970, 9999)
				    : -1;

		if (year < 0 || snprintf(ypath, sizeof(ypath), "%s/%s", dir,
					 y->d_name) >= (int)sizeof(ypath))
			continue;
		md = opendir(ypath);
		while (md != NULL && (m = readdir(md)) != NULL) {
			long mon = strlen(m->d_name) == 2
					   ? num_in(m->d_name, 1, 12)
					   : -1;

			if (mon < 0 ||
			    snprintf(mpath, sizeof(mpath), "%s/%s", ypath,
				     m->d_name) >= (int)sizeof(mpath))
				continue;
			sweep_month(mpath, year * 100 + mon, sw);
		}
		if (md != NULL)
			closedir(md);
		rmdir_if_empty(ypath);
	}
	closedir(yd);
}

static void
writer_daily(time_t now)
{
	struct sweep sw = { 0, 0, 0, 0 };
	char *v = kv_get(WRITER_RETENTION_KEY);
	long days = v ? num_in(v, 0, WRITER_RETENTION_MAX) : 0;
	char path[PATH_MAX], top[PATH_MAX];
	struct dirent *e;
	struct tm tm;
	DIR *d;
	int i, k;

	if (v && days < 0)
		log_warn("writer: %s = '%.20s' is not 0 .. %d days: kept all",
			 WRITER_RETENTION_KEY, v, WRITER_RETENTION_MAX);
	free(v);
	if (days > 0) {
		time_t old = now - (time_t)days * 86400;

		if (localtime_r(&old, &tm) != NULL)
			sw.cutoff = (tm.tm_year + 1900L) * 10000 +
				    (tm.tm_mon + 1) * 100 + tm.tm_mday;
		/* files about to go may be open: close them all, cheap */
		db_commit_all();
		for (i = 0; i < WRITER_MAX_DBS; i++)
			db_close(&w_dbs[i]);
	}
	/* <dir>/interfaces/<name>/, and the <dir>/<ifid>/ of older
	 * versions (docs/storage.md) */
	for (i = 0; i < 2; i++) {
		if (snprintf(top, sizeof(top), "%s%s", w_dir,
			     i ? "/interfaces" : "") >= (int)sizeof(top))
			continue;
		d = opendir(top);
		while (d != NULL && (e = readdir(d)) != NULL) {
			if (i == 0 ? num_in(e->d_name, 0, INT_MAX) < 0
				   : e->d_name[0] == '.')
				continue;
			for (k = 0; k < 3; k++) {
				if (snprintf(path, sizeof(path), "%s/%s/%s",
					     top, e->d_name, db_kind_dir[k]) >=
				    (int)sizeof(path))
					continue;
				sweep_kind(path, &sw);
			}
		}
		if (d != NULL)
			closedir(d);
	}
	WST_ADD(days_removed, sw.removed);
	log_info("writer: daily: %lu day files (%llu KB) kept, %lu older than "
		 "%ld days removed",
		 sw.kept, sw.kept_bytes / 1024, sw.removed, days);
}

static void
writer_hourly(const struct writer_stats *a, const struct writer_stats *b)
{
	log_info(
		"writer: hourly: %llu flows, %llu contacts, %llu rrd updates, "
		"%llu hosts saved; %llu dropped, %llu flows and %llu contacts "
		"lost, %llu db errors, %llu rrd errors, %llu kv errors",
		(unsigned long long)(b->flows_written - a->flows_written),
		(unsigned long long)(b->contacts_written - a->contacts_written),
		(unsigned long long)(b->rrd_updates - a->rrd_updates),
		(unsigned long long)(b->hosts_saved - a->hosts_saved),
		(unsigned long long)(b->dropped - a->dropped),
		(unsigned long long)(b->flows_lost - a->flows_lost),
		(unsigned long long)(b->contacts_lost - a->contacts_lost),
		(unsigned long long)(b->db_errors - a->db_errors),
		(unsigned long long)(b->rrd_errors - a->rrd_errors),
		(unsigned long long)(b->kv_errors - a->kv_errors));
}

static void stats_counts(struct writer_stats *out);

/* Runs the callbacks whose period has turned since the last call
 * (SQLite worker). */
static void
writer_periodic(void)
{
	static time_t last_hour = -1;
	static int last_yday = -1, last_year;
	static struct writer_stats prev;
	struct writer_stats cur;
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL)
		return;
	if (now / 3600 != last_hour) {
		stats_counts(&cur);
		if (last_hour >= 0)
			writer_hourly(&prev, &cur);
		prev = cur;
		last_hour = now / 3600;
	}
	if (tm.tm_yday != last_yday || tm.tm_year != last_year) {
		last_yday = tm.tm_yday;
		last_year = tm.tm_year;
		writer_daily(now);
	}
}

/* ---- the workers ---- */

static void
handle(struct writer_rec *r)
{
	char *v;

	switch (r->kind) {
	case WREC_FLOW:
		write_flow(r->ifid, &r->u.flow);
		break;
	case WREC_CONTACT:
		write_contact(r->ifid, &r->u.contact);
		break;
	case WREC_HOST_SAVE:
		if (kv_set(r->u.save.key, r->u.save.json, r->u.save.ttl_s) == 0)
			WST_ADD(hosts_saved, 1);
		else
			WST_ADD(kv_errors, 1);
		free(r->u.save.json);
		break;
	case WREC_HOST_RESTORE:
		v = kv_get(r->u.restore.key);
		if (v != NULL)
			WST_ADD(hosts_restored, 1);
		if (r->u.restore.done != NULL)
			r->u.restore.done(r, v);
		else
			free(v);
		break;
	case WREC_TS_IFACE:
	case WREC_TS_HOST:
	case WREC_TS_L7:
	case WREC_TS_HOST_L7:
		/* --timeseries-driver influxdb: points instead of files */
		if (influx_running())
			influx_ts(r->ifid, r->kind, &r->u.ts);
		else if (r->kind != WREC_TS_HOST_L7)
			write_ts(r->ifid, r->kind, &r->u.ts);
		break;
	case WREC_AGGR:
		write_aggr(r->ifid, &r->u.aggr);
		free(r->u.aggr.name);
		free(r->u.aggr.contacts);
		break;
	}
}

/* A worker: its batch, then (SQLite) one commit per file touched. */
static void
wq_batch(void *arg, void *jobs, uint32_t n)
{
	struct writer_rec *r = jobs;
	uint32_t i;

	for (i = 0; i < n; i++)
		handle(&r[i]);
	if ((intptr_t)arg == WQ_DB)
		db_commit_all();
	WST_ADD(written, n);
}

static void
wq_idle(void *arg)
{
	if ((intptr_t)arg == WQ_DB)
		writer_periodic();
}

static void
wq_fini(void *arg)
{
	unsigned i;

	if ((intptr_t)arg != WQ_DB)
		return;
	for (i = 0; i < WRITER_MAX_DBS; i++)
		db_close(&w_dbs[i]);
}

static void
wq_drop(const void *job)
{
	const struct writer_rec *r = job;

	if (r->kind == WREC_HOST_SAVE)
		free(r->u.save.json);
	if (r->kind == WREC_AGGR) {
		free(r->u.aggr.name);
		free(r->u.aggr.contacts);
	}
}

static int
wq_of(uint8_t kind)
{
	switch (kind) {
	case WREC_FLOW:
	case WREC_CONTACT:
	case WREC_AGGR:
		return WQ_DB;
	case WREC_HOST_SAVE:
	case WREC_HOST_RESTORE:
		return WQ_KV;
	default:
		return WQ_RRD;
	}
}

int
writer_start(const char *data_dir)
{
	struct jobq_ops ops;
	intptr_t i;

	w_dir = strdup(data_dir);
	if (w_dir == NULL)
		return -1;
	memset(&ops, 0, sizeof(ops));
	ops.job_size = sizeof(struct writer_rec);
	ops.capacity = WRITER_QUEUE;
	ops.batch = WRITER_BATCH;
	ops.batch_fn = wq_batch;
	ops.idle_fn = wq_idle;
	ops.fini_fn = wq_fini;
	ops.drop_fn = wq_drop;
	for (i = 0; i < WQ_N; i++) {
		ops.role = wq_role[i];
		ops.arg = (void *)i;
		w_q[i] = jobq_start(&ops);
		if (w_q[i] == NULL) {
			while (--i >= 0) {
				jobq_stop(w_q[i]);
				w_q[i] = NULL;
			}
			return -1;
		}
	}
	__atomic_store_n(&w_running, 1, __ATOMIC_RELEASE);
	return 0;
}

int
writer_running(void)
{
	return __atomic_load_n(&w_running, __ATOMIC_ACQUIRE);
}

void
writer_stop(void)
{
	unsigned i;

	if (!writer_running())
		return;
	__atomic_store_n(&w_running, 0, __ATOMIC_RELEASE);
	for (i = 0; i < WQ_N; i++) {
		struct jobq *q;

		pthread_mutex_lock(&w_qlock);
		q = w_q[i];
		w_q[i] = NULL;
		pthread_mutex_unlock(&w_qlock);
		jobq_stop(q); /* handles what is queued, joins */
	}
	for (i = 0; i < WRITER_FAIL_SLOTS; i++)
		fail_summary(&w_fails[i]);
	/* w_dir stays: REST may still build paths until exit */
}

static int
post(const struct writer_rec *r, int wait)
{
	if (!writer_running()) {
		wq_drop(r);
		return -1;
	}
	if (jobq_post(w_q[wq_of(r->kind)], r, wait) != 0) {
		WST_ADD(dropped, 1); /* the queue freed what r owned */
		return -1;
	}
	WST_ADD(posted, 1);
	return 0;
}

int
writer_post(const struct writer_rec *r)
{
	return post(r, 0);
}

int
writer_post_wait(const struct writer_rec *r)
{
	return post(r, 1);
}

int
writer_drain(int timeout_ms)
{
	uint64_t end =
		time_wall_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	unsigned i;

	if (!writer_running())
		return 0;
	for (i = 0; i < WQ_N; i++) {
		uint64_t now = time_wall_ms();
		int left = now < end ? (int)(end - now) : 0;

		if (jobq_drain(w_q[i], left) != 0)
			return -1;
	}
	return 0;
}

/* The counters without the queue lengths (also the SQLite worker's
 * hourly line: it takes no lock). */
static void
stats_counts(struct writer_stats *out)
{
	memset(out, 0, sizeof(*out));
#define WST_LOAD(field)                                                        \
	out->field = __atomic_load_n(&w_st.field, __ATOMIC_RELAXED)
	WST_LOAD(posted);
	WST_LOAD(written);
	WST_LOAD(dropped);
	WST_LOAD(flows_written);
	WST_LOAD(contacts_written);
	WST_LOAD(flows_lost);
	WST_LOAD(contacts_lost);
	WST_LOAD(aggregations_written);
	WST_LOAD(aggregations_lost);
	WST_LOAD(db_errors);
	WST_LOAD(rrd_updates);
	WST_LOAD(rrd_errors);
	WST_LOAD(hosts_saved);
	WST_LOAD(hosts_restored);
	WST_LOAD(kv_errors);
	WST_LOAD(days_removed);
#undef WST_LOAD
}

void
writer_get_stats(struct writer_stats *out)
{
	struct jobq_stats q;
	unsigned i;

	stats_counts(out);
	pthread_mutex_lock(&w_qlock);
	for (i = 0; i < WQ_N; i++) {
		jobq_get_stats(w_q[i], &q);
		out->queued += q.queued;
	}
	pthread_mutex_unlock(&w_qlock);
}
