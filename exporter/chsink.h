/*
 * chsink.h - the ClickHouse flow store (-F clickhouse, docs/storage.md):
 * a sink on every interface that copies each expired flow by value into
 * one bounded queue, and the worker "writer-ch" that turns them into
 * batched, gzip-compressed RowBinary INSERTs (every CH_BATCH_MS or
 * CH_BATCH_ROWS rows, whichever comes first).
 *
 * Nothing lost: a batch ClickHouse does not take (down, slow, an error)
 * goes to the spool, <data-dir>/clickhouse-spool/, one file per batch in
 * order, bounded by --clickhouse-spool-mb (full: the oldest batch is dropped
 * and counted); the spool is sent, oldest first, before anything new once
 * the server answers again, also after a restart of the node.
 *
 * Schema: the table `flows` with upstream ntopng's column names (see
 * ch_schema_sql), created at start when missing and completed with the
 * columns it lacks (migrations).  Cluster mode: `flows_local` (MergeTree)
 * on the shard the node talks to, where it writes, and `flows` as a
 * Distributed table over the cluster's `flows_local` for reading.
 *
 * Threads: chsink_open/chsink_close/chsink_add on main, the sink op on
 * the interfaces' owner threads (never blocks: a full queue drops and
 * counts), chsink_get_stats on any thread.
 */
#ifndef EXPORTER_CHSINK_H
#define EXPORTER_CHSINK_H

#include <stddef.h>
#include <stdint.h>

struct prefs;
struct iface;
struct ch_target;

#define CH_QUEUE 8192		      /* chunks waiting for the worker */
#define CH_QUEUE_BYTES (256ull << 20) /* ... and their bytes at most */
#define CH_CHUNK (256u << 10) /* an interface's rows handed over at once */
#define CH_BATCH_ROWS 50000   /* rows of one INSERT at most */
#define CH_BATCH_MS 5000      /* a batch waits at most this long */
#define CH_SPOOL_MAX_BYTES (256ull << 20) /* one spool file at most */
#define CH_SPOOL_DIR "clickhouse-spool"
#define CH_SPOOL_MAGIC "NCHS"
#define CH_SPOOL_HDR 20	     /* magic, version, rows, length, crc32 */
#define CH_COLUMNS_VERSION 2 /* a spooled batch: RowBinary of these columns */
#define CH_SPOOL_TRIES 5     /* an answered, refused batch: set aside after */

/* Starts the worker for p's -F clickhouse store (main, after the data
 * directory was checked).  0, or -1 with the cause logged. */
int chsink_open(const struct prefs *p);
/* Registers the sink on ifc (main, before iface_start()); 0 or -1. */
int chsink_add(struct iface *ifc);
/* Sends what is queued (or spools it), joins the worker (main, after the
 * interfaces' shutdown flush). */
void chsink_close(void);
int chsink_running(void);

struct chsink_stats {
	uint64_t posted, queue_dropped; /* flows in; queue full */
	uint32_t queued;		/* flows waiting */
	uint64_t rows_inserted, batches_inserted;
	uint64_t insert_failures; /* INSERTs that failed */
	uint64_t spooled_batches; /* batches that went to the spool */
	uint64_t spool_batches, spool_bytes, spool_rows;      /* on disk now */
	uint64_t spool_dropped_batches, spool_dropped_rows;   /* spool full */
	uint64_t spool_rejected_batches, spool_rejected_rows; /* set aside */
	uint64_t spool_errors; /* files that could not be written / read */
	uint64_t partitions_dropped; /* retention */
	int connected;		     /* the last call was answered */
	int server_major, server_minor;
};
void chsink_get_stats(struct chsink_stats *out);

/*
 * The schema, for the worker and the tests.  Writes into buf the
 * statement number i (0, 1, ...) that creates the store on a server of
 * version major.minor: the database, the table (`flows`, or `flows_local`
 * and the Distributed `flows` when cluster is not empty).  Returns its
 * length, 0 when there is no statement i, -1 when buf is too small.
 */
int ch_schema_sql(int i, int major, int minor, const char *db,
		  const char *cluster, char *buf, size_t len);
/* The table the node INSERTs into ("flows" or "flows_local"). */
const char *ch_schema_table(const char *cluster);
/* Column i's name and type for a server of that version (NULL, NULL
 * past the last one): for the migration (ADD COLUMN of missing ones). */
int ch_schema_column(int i, int major, int minor, const char **name,
		     const char **type);
/* The server has the IPv6 type (19.3 and later): IPv6 columns use it
 * instead of FixedString(16). */
int ch_has_ipv6_type(int major, int minor);

/* A spool file: header (CH_SPOOL_HDR bytes, little-endian) and the
 * gzip-compressed RowBinary rows.  write: 0 or -1 (errno); the file appears
 * whole or not at all (written to a temporary name, then renamed).  read:
 * 0 with *gz malloc'ed, or -1 (unreadable, -2: not a valid batch: wrong
 * magic, version, length or checksum). */
int ch_spool_write(const char *path, uint32_t rows, const void *gz, size_t len);
int ch_spool_read(const char *path, uint32_t *rows, unsigned char **gz,
		  size_t *len);

#endif
