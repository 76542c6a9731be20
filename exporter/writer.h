/*
 * writer.h - the workers that do slow I/O for every interface: one queue
 * and one thread per backend (common/jobq.h), SQLite flow and contact
 * history ("writer-db", also the retention sweep and the hourly line),
 * RRD time series ("writer-rrd") and the Redis host cache ("writer-kv"),
 * so one slow backend stalls only its own records.
 *
 * Interfaces' owner threads post fixed-size records, copied by value into
 * the bounded queue of the record's kind; a post never blocks: when that
 * queue is full the record is dropped and counted (writer_stats.dropped).
 * Only the shutdown flush, run by main after the owners are joined, uses
 * writer_post_wait(), which waits for room so that nothing is lost on a
 * clean exit.
 *
 * Durability: the SQLite worker takes up to WRITER_BATCH records at a
 * time and commits each SQLite file touched once per batch, so a kill -9
 * loses at most the records still queued plus the batch being written.
 * The statistics add up the three queues (posted, written, dropped,
 * queued) as the one writer of before did.
 */
#ifndef EXPORTER_WRITER_H
#define EXPORTER_WRITER_H

#include <stdint.h>
#include <time.h>

#include "common/addr.h"

#define WRITER_QUEUE 32768 /* records per backend's queue */
#define WRITER_BATCH 1024
#define WRITER_IP_MAX 48
#define WRITER_NAME_MAX 48
#define WRITER_INFO_MAX 128
#define WRITER_HOST_NAME_MAX 128 /* = SINK_HOST_NAME_MAX */
/* a flow's site path (hierarchies): longer ones are cut */
#define WRITER_SITE_MAX 128
#define WRITER_KEY_MAX 256
/* An interface's directory name under <data-dir>/interfaces/: at most
 * WRITER_IFDIR_KEEP characters of its name plus "+" and 8 hex digits */
#define WRITER_IFDIR_MAX 64
#define WRITER_IFDIR_KEEP 40
#define WRITER_MAX_IFACES 64

enum writer_kind {
	WREC_FLOW = 1,	   /* an expired flow -> flows/YYYY/MM/DD.sqlite */
	WREC_CONTACT,	   /* a host's contact -> contacts/YYYY/MM/DD.sqlite */
	WREC_HOST_SAVE,	   /* SET key json EX ttl (json is heap, moved) */
	WREC_HOST_RESTORE, /* GET key, answer to the callback */
	/* time series: byte, packet and drop values are what the counter
	 * grew since the previous record of the series (ABSOLUTE), the
	 * flow and host counts are gauges */
	WREC_TS_IFACE,	 /* rrd/iface.rrd: bytes packets flows hosts drops */
	WREC_TS_HOST,	 /* rrd/hosts/<name>.rrd: bytes sent, rcvd */
	WREC_TS_L7,	 /* rrd/l7/<name>.rrd: bytes sent, rcvd */
	WREC_TS_HOST_L7, /* InfluxDB only (host:ndpi): a local host's bytes
			  * sent, rcvd in protocol proto so far (counters,
			  * not deltas) */
	WREC_AGGR,	 /* an aggregate's counters (-A 2, -C) ->
			  * aggregations/YYYY/MM/DD.sqlite (docs/aggregations.md) */
};

struct writer_flow {
	uint16_t vlan;
	uint8_t l4_proto;
	char cli[WRITER_IP_MAX], srv[WRITER_IP_MAX];
	uint16_t cli_port, srv_port;
	uint64_t c2s_bytes, s2c_bytes, c2s_pkts, s2c_pkts;
	uint64_t first_ms, last_ms;
	uint16_t l7_master, l7_app;
	char l7_name[WRITER_NAME_MAX];
	char info[WRITER_INFO_MAX];
	uint32_t cli_asn, srv_asn; /* GeoIP, 0 / "": not located */
	char cli_country[4], srv_country[4];
	char cli_name[WRITER_HOST_NAME_MAX], srv_name[WRITER_HOST_NAME_MAX];
	/* the site path it came by (docs/hierarchy.md), "" for this node's
	 * own flows: the flows table's site_path column */
	char site_path[WRITER_SITE_MAX];
	/* origin: the interface's name, not copied (any length, a path or a
	 * list of inputs): interfaces are freed after the writer stops */
	const char *ifname;
};

struct writer_contact {
	uint16_t vlan;
	uint8_t l4_proto;
	uint8_t as_client; /* host was the flow's client */
	char host[WRITER_IP_MAX], peer[WRITER_IP_MAX];
	uint16_t peer_port;
	uint64_t bytes_sent, bytes_rcvd, pkts_sent, pkts_rcvd;
	uint64_t first_ms, last_ms;
	char l7_name[WRITER_NAME_MAX];
};

/* One aggregate's counters at a timeline snapshot; name and contacts
 * (JSON array text, or NULL) are heap, moved to the writer, which frees
 * them (also when the record is dropped). */
struct writer_aggr {
	int64_t epoch; /* wall clock of the snapshot, seconds */
	char family[8];
	uint8_t final; /* the shutdown snapshot */
	uint64_t first_ms, last_ms, queries, flows, bytes;
	char *name, *contacts;
};
struct writer_rec;
/* Called on writer-kv with the value found (heap, callee frees)
 * or NULL. */
typedef void (*writer_restore_fn)(const struct writer_rec *r, char *value);

struct writer_restore {
	char key[WRITER_KEY_MAX];
	struct ipaddr ip;
	uint16_t vlan;
	writer_restore_fn done;
	void *arg; /* the poster's, for done */
};

struct writer_save {
	char key[WRITER_KEY_MAX];
	char *json; /* heap; the writer frees it */
	int ttl_s;
};

struct writer_ts {
	time_t t;		     /* seconds (wall clock) */
	char name[WRITER_NAME_MAX];  /* host file name or L7 name */
	char proto[WRITER_NAME_MAX]; /* WREC_TS_HOST_L7: the L7 name */
	uint64_t v[5];
};

struct writer_rec {
	uint8_t kind;
	int ifid;
	union {
		struct writer_flow flow;
		struct writer_contact contact;
		struct writer_restore restore;
		struct writer_save save;
		struct writer_ts ts;
		struct writer_aggr aggr;
	} u;
};

struct writer_stats {
	uint64_t posted, written, dropped; /* dropped: queue full */
	/* rows in committed transactions only */
	uint64_t flows_written, contacts_written, aggregations_written;
	/* rows that never reached a committed transaction (directory,
	 * open, insert or commit failed: full disk, corrupt file...) */
	uint64_t flows_lost, contacts_lost, aggregations_lost;
	uint64_t db_errors;		  /* SQLite open/write failures */
	uint64_t rrd_updates, rrd_errors; /* rrd_errors: updates lost */
	uint64_t hosts_saved, hosts_restored, kv_errors;
	uint64_t days_removed; /* day files past the retention */
	uint32_t queued;
};

/* Starts the workers; data_dir must exist.  0 or -1.  Main thread. */
int writer_start(const char *data_dir);
/* Writes everything queued, closes the files, joins the workers (main,
 * after every poster stopped posting). */
void writer_stop(void);
int writer_running(void);
/* Queues a copy of r; -1 (counted) when full or not running. */
int writer_post(const struct writer_rec *r);
/* Same, waiting for room (shutdown flush only). */
int writer_post_wait(const struct writer_rec *r);
/* Waits until everything posted so far has been handled by every worker
 * (at most timeout_ms in all).  0, or -1 on timeout. */
int writer_drain(int timeout_ms);
void writer_get_stats(struct writer_stats *out);

/*
 * Interface identity on disk (docs/storage.md): an interface's files live
 * in <data-dir>/interfaces/<dir>/, <dir> made from its name (the -i text,
 * or the name of "-i name=spec"), so they follow the interface whatever
 * its position in -i.  <dir> keeps [A-Za-z0-9._-] of the name; when
 * anything else was in it, or it was longer than WRITER_IFDIR_KEEP (the
 * tail is kept), or it starts with '.', "+" and a hash of the whole name
 * follow, so two names never share a directory.  -1 when len is too
 * small (WRITER_IFDIR_MAX is enough).
 */
int writer_iface_dirname(char *buf, size_t len, const char *name);
/* Sets interface ifid's name (main, before the interface posts). */
int writer_iface_set(int ifid, const char *name);
/* Its directory name, or NULL when ifid is unknown.  Any thread. */
const char *writer_iface_dir(int ifid);

/* File paths (for the Historical loader and REST): builds
 * <data-dir>/interfaces/<dir>/<what>/YYYY/MM/DD.sqlite for day t (local
 * time), dir from writer_iface_dir() or writer_iface_dirname(). */
int writer_day_path(char *buf, size_t len, const char *dir, const char *what,
		    time_t t);
/* <data-dir>/interfaces/<dir>/rrd/<sub><name>.rrd (sub "" / "hosts/" /
 * "l7/"). */
int writer_rrd_path(char *buf, size_t len, const char *dir, const char *sub,
		    const char *name);

/*
 * The columns of the flows table, numbered as in the generated column
 * lists (FW_COL of common/flow_fields.def): each list starts with the
 * row id, so WFC_<col> is both the column's index in a SELECT of the
 * list and its parameter number in the INSERT (whose id is NULL).
 */
enum writer_flow_col {
	WFC_id = 0,
#define FW_COL(col, type, bind, value, era) WFC_##col,
#include "common/flow_fields.def"
#undef FW_COL
	WFC__COUNT
};

#endif
