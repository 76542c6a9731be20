/*
 * flowdb.h - the flow history query module (docs/storage.md "Reading the
 * flow history"): one query (time range, host, port, L4 and L7 protocol,
 * VLAN, site and node filters, sorting, paging, totals, top-N hosts and
 * protocols by bytes) answered from either flow store:
 *
 *   - SQLite: the day files -F writes per interface
 *     (<data-dir>/interfaces/<dir>/flows/YYYY/MM/DD.sqlite), at most
 *     FLOWDB_MAX_DAYS of them attached read-only to one in-memory
 *     connection; every filter value is a bound parameter;
 *   - ClickHouse: SQL sent through exporter/chclient.h's ch_query; every
 *     filter value is validated when it is set (addresses parsed and
 *     re-printed, numbers parsed, L7 names looked up in nDPI, site and
 *     node names of a fixed alphabet), so no request text reaches the SQL.
 *
 * Results are bounded (FLOWDB_MAX_PAGE rows a page, FLOWDB_MAX_TOP top
 * entries) and so is the time a query may take (FLOWDB_TIMEOUT_S).
 * Threads: any; no state but a lazily made nDPI module for name checks
 * (under a mutex).
 */
#ifndef EXPORTER_FLOWDB_H
#define EXPORTER_FLOWDB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/addr.h"

struct json_t;
struct ch_client;

#define FLOWDB_MAX_PAGE 1000
#define FLOWDB_MAX_TOP 100
/* SQLite: day files attached to one query (SQLite's limit is 10) */
#define FLOWDB_MAX_DAYS 10
#define FLOWDB_TIMEOUT_S 10
/* epoch seconds a query may name (ClickHouse's DateTime is 32 bits) */
#define FLOWDB_EPOCH_MAX 4294967295L
#define FLOWDB_NAME_MAX 128 /* site path, node id, instance name */
#define FLOWDB_L7_MAX 64
#define FLOWDB_IFNAME_MAX 256 /* an interface's name, a writer's instance */

enum flowdb_sort {
	FLOWDB_SORT_BYTES,
	FLOWDB_SORT_PACKETS,
	FLOWDB_SORT_FIRST_SEEN,
	FLOWDB_SORT_LAST_SEEN,
	FLOWDB_SORT_DURATION,
	FLOWDB_SORT_N
};

/* Which store and, for SQLite, which interface's files. */
enum flowdb_backend { FLOWDB_SQLITE, FLOWDB_CLICKHOUSE };

struct flowdb_query {
	int64_t begin, end; /* epoch seconds; flows overlapping [begin, end] */
	struct ipaddr host; /* v == 0: any; client or server */
	int port;	    /* -1: any; client or server port */
	int l4proto;	    /* -1: any */
	int vlan;	    /* -1: any */
	int l7_id;	    /* -1: any; nDPI id, client's master or app */
	char l7[FLOWDB_L7_MAX];	    /* its canonical name ("" any) */
	char site[FLOWDB_NAME_MAX]; /* site path prefix ("" any) */
	char node[FLOWDB_NAME_MAX]; /* node id ("" any) */
	/* ClickHouse: the writer's --instance-name and its interface's
	 * name (INTERFACE_NAME: the input whole); any bytes, they reach the
	 * SQL hex-encoded only */
	char instance[FLOWDB_IFNAME_MAX];
	char ifname[FLOWDB_IFNAME_MAX];
	/* ClickHouse, the Historical loader's windows: FIRST_SEEN in
	 * [fs_lo, fs_hi) when fs_hi > 0 */
	int64_t fs_lo, fs_hi;
	enum flowdb_sort sort;
	int asc;
	int per_page, page; /* page from 1 */
	int top;	    /* N of the top-N lists, 0: none */
};

/* Defaults: the last hour, no filter, bytes descending, 10 a page,
 * top 10. */
void flowdb_query_init(struct flowdb_query *q, time_t now);

/* The setters check a value from a request; 0, or -1 with a message in
 * err (the query unchanged). */
int flowdb_set_host(struct flowdb_query *q, const char *s, char *err,
		    size_t errlen);
/* an nDPI protocol name (any case; "Master.App" takes the App) or id */
int flowdb_set_l7(struct flowdb_query *q, const char *s, char *err,
		  size_t errlen);
/* site path prefix, node id, instance: [A-Za-z0-9._/:-], at most
 * FLOWDB_NAME_MAX - 1 characters (no '/' in node and instance) */
int flowdb_set_site(struct flowdb_query *q, const char *s, char *err,
		    size_t errlen);
int flowdb_set_node(struct flowdb_query *q, const char *s, char *err,
		    size_t errlen);
int flowdb_set_instance(struct flowdb_query *q, const char *s, char *err,
			size_t errlen);
/* column: bytes packets first_seen last_seen duration; order asc|desc */
int flowdb_set_sort(struct flowdb_query *q, const char *column,
		    const char *order, char *err, size_t errlen);
const char *flowdb_sort_name(enum flowdb_sort s);

/* A name for the instance filter: --instance-name, else the host name,
 * as the ClickHouse sink writes it. */
void flowdb_own_instance(const char *instance_name, char *buf, size_t len);

/* The ClickHouse SQL of one part of a query, into buf: 0, or -1 when it
 * does not fit.  table: the flows table to read (the Distributed one in
 * a cluster); its name must be [A-Za-z0-9_.] (checked).  Exposed for the
 * unit tests. */
enum flowdb_part {
	FLOWDB_PART_TOTALS,
	FLOWDB_PART_ROWS,
	FLOWDB_PART_TOP_HOSTS,
	FLOWDB_PART_TOP_L7,
	/* every column the Historical loader needs, in a total order,
	 * page by page (per_page rows of page, at most FLOWDB_CHUNK + 1) */
	FLOWDB_PART_ALL,
	/* min(FIRST_SEEN), max(FIRST_SEEN), count() of the matching rows */
	FLOWDB_PART_SPAN
};
int flowdb_ch_sql(const struct flowdb_query *q, enum flowdb_part part,
		  const char *table, char *buf, size_t len);
/* The WHERE clause of the SQLite parts (named parameters :b :e :h :p :l4
 * :vl :l7), for the unit tests. */
int flowdb_sqlite_where(const struct flowdb_query *q, char *buf, size_t len);

/*
 * Runs q over one interface's SQLite day files (data_dir/interfaces/
 * ifdir/flows/...).  Returns the answer
 *   {backend, epoch_begin, epoch_end, totals:{flows, bytes, packets},
 *    data:[row...], currentPage, perPage, totalRows, sort:[[col, order]],
 *    top_hosts:[{ip, bytes, flows}], top_protocols:[{name, bytes, flows}],
 *    files_read:[..], missing_files:[..], corrupt_files:[{file,error}]}
 * (file names relative to data_dir), or NULL with err (a range of more
 * than FLOWDB_MAX_DAYS days, a timeout, out of memory).
 */
struct json_t *flowdb_run_sqlite(const struct flowdb_query *q,
				 const char *data_dir, const char *ifdir,
				 char *err, size_t errlen);
/* The same over ClickHouse, table as in flowdb_ch_sql. */
struct json_t *flowdb_run_clickhouse(const struct flowdb_query *q,
				     struct ch_client *c, const char *table,
				     char *err, size_t errlen);
/* One row for flowdb_ch_each (strings valid during the call only). */
struct flowdb_row {
	int64_t first_seen, last_seen;
	int vlan, proto, cli_port, srv_port, l7_master, l7_app;
	struct ipaddr cli, srv;
	uint64_t c2s_bytes, s2c_bytes, c2s_pkts, s2c_pkts;
	const char *l7_name, *info;
};
/* Hands every row matching q (filters and range; not its paging) to fn,
 * at most max rows; fn returns 0 to go on.  Rows are read by windows of
 * FIRST_SEEN holding at most FLOWDB_CHUNK rows each (halved when one
 * holds more, widened when they hold few; a single second with more is
 * paged in a total order), so the cost stays linear in the rows.  The
 * environment variable NTOPNG_FLOWDB_CHUNK (tests) makes the chunk
 * smaller.  Returns the rows handed (*truncated 1 when max cut it), or -1
 * with err.  A row whose addresses do not parse is skipped and counted
 * in *rejected. */
#define FLOWDB_CHUNK 20000
long flowdb_ch_each(const struct flowdb_query *q, const char *spec,
		    int (*fn)(const struct flowdb_row *r, void *arg), void *arg,
		    long max, long *rejected, int *truncated, char *err,
		    size_t errlen);

/* The same with a client of the -F clickhouse... value spec (made and
 * freed here), over the table "flows" (the Distributed one in a
 * cluster). */
struct json_t *flowdb_ch_run_spec(const struct flowdb_query *q,
				  const char *spec, char *err, size_t errlen);

#endif
