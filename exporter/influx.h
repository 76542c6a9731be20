/*
 * influx.h - the InfluxDB 1.x time-series driver (--timeseries-driver
 * influxdb, docs/storage.md "Time series in InfluxDB").
 *
 * The writer-rrd worker hands it the time-series records it would have
 * written to RRD files (influx_ts()); they become points in InfluxDB line
 * protocol with ntopng's measurement names and tags (iface:traffic,
 * host:traffic, iface:ndpi, ...), their counters cumulative as ntopng
 * writes them.  Points collect in a bounded memory buffer; the
 * "writer-influx" thread posts it every INFLUX_FLUSH_MS to /write
 * (precision=s).  When InfluxDB cannot be reached (or answers 5xx), the
 * batch goes to a bounded spool of files under the data directory and is
 * sent, oldest first, when it answers again; a full spool drops its
 * oldest batch (counted).  A write InfluxDB rejects (4xx) is counted and
 * logged with its answer, never retried.
 *
 * Read back: influx_query() answers the node's time-series REST route
 * from /query.
 */
#ifndef EXPORTER_INFLUX_H
#define EXPORTER_INFLUX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "exporter/writer.h"

#define INFLUX_FLUSH_MS 5000
#define INFLUX_MEM_MAX (8u << 20)	  /* bytes of points in memory */
#define INFLUX_SPOOL_MAX (64ull << 20)	  /* bytes of spooled batches */
#define INFLUX_REPLY_MAX (8u << 20)	  /* bytes of a /query answer */
#define INFLUX_SPOOL_DIR "influxdb-spool" /* under the data directory */

struct influx_conf {
	const char *url;	     /* http://host:port */
	const char *db;		     /* [A-Za-z0-9_-]+ */
	const char *user, *password; /* NULL: no authentication */
	int retention_days;	     /* 0: forever */
	const char *data_dir;	     /* the spool goes below it */
	uint64_t spool_max;	     /* 0: INFLUX_SPOOL_MAX */
	int flush_ms;		     /* 0: INFLUX_FLUSH_MS */
};

struct influx_stats {
	uint64_t points;	  /* made from records */
	uint64_t points_written;  /* accepted by InfluxDB (204) */
	uint64_t batches;	  /* batches accepted */
	uint64_t failures;	  /* posts or set-ups that failed (down, 5xx) */
	uint64_t rejected;	  /* batches InfluxDB refused (4xx) */
	uint64_t rejected_points; /* their points */
	uint64_t spooled;	  /* batches that went to the spool */
	uint64_t spooled_points;
	uint64_t dropped;	 /* batches the full spool dropped */
	uint64_t dropped_points; /* their points + points the full memory
				  * buffer refused */
	uint64_t spool_files, spool_bytes; /* now */
	int connected;			   /* the last exchange worked */
};

/* Starts the writer-influx thread (creates the spool directory); the
 * database and its retention policy are created by the thread, again
 * after a failure.  0 or -1.  Main thread. */
int influx_start(const struct influx_conf *c);
/* Posts what is buffered (or spools it), stops the thread.  Main, after
 * writer_stop(). */
void influx_stop(void);
int influx_running(void);
/* influx_start() was called: the REST route reads from InfluxDB. */
int influx_configured(void);
/* A time-series record as points (writer-rrd worker). */
void influx_ts(int ifid, int kind, const struct writer_ts *ts);
void influx_get_stats(struct influx_stats *out);
/* The stats as a JSON object (storage ledger). */
json_t *influx_stats_json(void);

/*
 * Read back, for get/timeseries/ts.lua: the same answer as from RRD,
 * {schema, start, end, step, series:[{label, data:[v|null..], total}]},
 * values per second (counters) or as sampled (gauges).  host is a host
 * key ("ip" or "ip@vlan"), protocol an nDPI name: both are checked
 * against a strict character set and never reach InfluxQL otherwise.
 * Returns 0 and *out, 1 no such series, -1 bad arguments, -2 InfluxDB
 * failed (err says why).  Any thread.
 */
int influx_query(const char *schema, int ifid, const char *host,
		 const char *protocol, time_t begin, time_t end, json_t **out,
		 char *err, size_t errlen);

/* ---- building blocks (unit-tested) ---- */

/* Line-protocol escaping: a measurement escapes ',' and ' '; a tag key or
 * value (and a field key) also '='.  Control characters and '\' become
 * '_' (a line cannot hold a newline; a trailing '\' would escape the
 * separator).  An empty value becomes "_".  Returns the length written,
 * or (size_t)-1 when len is too small. */
size_t influx_escape_measurement(char *dst, size_t len, const char *src);
size_t influx_escape_tag(char *dst, size_t len, const char *src);

/* A record's lines (newline-terminated) into buf: cum holds the series'
 * cumulative counters, advanced by the record's growth.  Returns the
 * length and the number of points in *npts, or -1. */
int influx_lines(char *buf, size_t len, int ifid, int kind,
		 const struct writer_ts *ts, uint64_t cum[5], uint32_t *npts);

/* The bounded on-disk spool: one file per batch, named by sequence
 * number and point count, oldest sent first. */
struct influx_spool;
struct influx_spool *influx_spool_open(const char *dir, uint64_t max_bytes);
void influx_spool_close(struct influx_spool *s);
/* Appends a batch; drops the oldest while it does not fit (counting their
 * batches and points in *dropped, *dropped_points).  0 or -1 (I/O). */
int influx_spool_push(struct influx_spool *s, const char *data, size_t len,
		      uint32_t points, uint64_t *dropped,
		      uint64_t *dropped_points);
/* The oldest readable batch (heap, caller frees) or NULL when empty;
 * unreadable files are skipped (influx_spool_take_lost). */
char *influx_spool_peek(struct influx_spool *s, size_t *len, uint32_t *points);
/* Batches (and their points) peek found unreadable and skipped since the
 * last call. */
void influx_spool_take_lost(struct influx_spool *s, uint64_t *batches,
			    uint64_t *points);
/* Removes the oldest batch. */
void influx_spool_pop(struct influx_spool *s);
void influx_spool_usage(const struct influx_spool *s, uint64_t *files,
			uint64_t *bytes);

#endif
