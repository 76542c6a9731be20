/*
 * chsink.c - expired flows to ClickHouse (see chsink.h, docs/storage.md).
 *
 * The interfaces' owners write each expired flow as a RowBinary row into
 * a chunk of their own and hand whole chunks to the worker ("writer-ch",
 * a common/jobq.h queue), which deflates them into the current batch; a
 * batch ends at CH_BATCH_ROWS rows or when its first row waited
 * CH_BATCH_MS.  Then it is
 *  - sent (INSERT ... FORMAT RowBinary, Content-Encoding: gzip) when
 *    the spool is empty and the server is not known to be down;
 *  - otherwise, or when that INSERT fails, written to the spool.
 * The spool is drained, oldest first, as soon as the server answers
 * again (a retry every 1, 2, 4 ... 16 s while it does not), so rows reach
 * ClickHouse in the order they expired.  A batch the server answers but
 * refuses CH_SPOOL_TRIES times (a schema it cannot take...) is renamed
 * *.rejected, kept for the operator and counted, so that one bad batch
 * never blocks the others.
 *
 * Schema and migrations run when the worker first reaches the server
 * (and again after a failure of theirs); retention (DROP PARTITION of the
 * days older than ntopng.prefs.flows_retention_days, as the SQLite day
 * files) at that time and then hourly.
 */
#include "exporter/chsink.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "common/jobq.h"
#include "common/log.h"
#include "common/prefs.h"
#include "common/timeutil.h"
#include "exporter/chclient.h"
#include "merge/iface.h"
#include "merge/sink.h"
#include "state/kv.h"

#define CH_RETENTION_KEY "ntopng.prefs.flows_retention_days"
#define CH_RETENTION_MAX 36500
#define CH_MAX_IFACES 64
#define CH_IFNAME_MAX 256
#define CH_RETRY_MAX_MS 16000
#define CH_SQL_MAX 8192

/* ---- schema ---- */

enum ch_col {
	C_FLOW_ID,
	C_IP_PROTOCOL_VERSION,
	C_FIRST_SEEN,
	C_LAST_SEEN,
	C_VLAN_ID,
	C_PACKETS,
	C_TOTAL_BYTES,
	C_SRC2DST_BYTES,
	C_DST2SRC_BYTES,
	C_SRC2DST_PACKETS,
	C_DST2SRC_PACKETS,
	C_SRC2DST_DSCP,
	C_PROTOCOL,
	C_IPV4_SRC_ADDR,
	C_IPV6_SRC_ADDR,
	C_IP_SRC_PORT,
	C_IPV4_DST_ADDR,
	C_IPV6_DST_ADDR,
	C_IP_DST_PORT,
	C_L7_PROTO,
	C_L7_PROTO_MASTER,
	C_L7_PROTO_NAME,
	C_INFO,
	C_NTOPNG_INSTANCE_NAME,
	C_INTERFACE_ID,
	C_INTERFACE_NAME,
	C_SRC_COUNTRY_CODE,
	C_DST_COUNTRY_CODE,
	C_SRC_LABEL,
	C_DST_LABEL,
	C_SRC_ASN,
	C_DST_ASN,
	C_SRC2DST_TCP_FLAGS,
	C_DST2SRC_TCP_FLAGS,
	C_CLIENT_LOCATION,
	C_SERVER_LOCATION,
	C_SITE_PATH,
	C_NODE_ID,
	C__COUNT
};

/* name and type; "IPV6" stands for FixedString(16) or IPv6 */
static const struct {
	const char *name, *type;
} ch_cols[C__COUNT] = {
	[C_FLOW_ID] = { "FLOW_ID", "UInt64" },
	[C_IP_PROTOCOL_VERSION] = { "IP_PROTOCOL_VERSION", "UInt8" },
	[C_FIRST_SEEN] = { "FIRST_SEEN", "DateTime" },
	[C_LAST_SEEN] = { "LAST_SEEN", "DateTime" },
	[C_VLAN_ID] = { "VLAN_ID", "UInt16" },
	[C_PACKETS] = { "PACKETS", "UInt64" },
	[C_TOTAL_BYTES] = { "TOTAL_BYTES", "UInt64" },
	[C_SRC2DST_BYTES] = { "SRC2DST_BYTES", "UInt64" },
	[C_DST2SRC_BYTES] = { "DST2SRC_BYTES", "UInt64" },
	[C_SRC2DST_PACKETS] = { "SRC2DST_PACKETS", "UInt64" },
	[C_DST2SRC_PACKETS] = { "DST2SRC_PACKETS", "UInt64" },
	[C_SRC2DST_DSCP] = { "SRC2DST_DSCP", "UInt8" },
	[C_PROTOCOL] = { "PROTOCOL", "UInt8" },
	[C_IPV4_SRC_ADDR] = { "IPV4_SRC_ADDR", "UInt32" },
	[C_IPV6_SRC_ADDR] = { "IPV6_SRC_ADDR", "IPV6" },
	[C_IP_SRC_PORT] = { "IP_SRC_PORT", "UInt16" },
	[C_IPV4_DST_ADDR] = { "IPV4_DST_ADDR", "UInt32" },
	[C_IPV6_DST_ADDR] = { "IPV6_DST_ADDR", "IPV6" },
	[C_IP_DST_PORT] = { "IP_DST_PORT", "UInt16" },
	[C_L7_PROTO] = { "L7_PROTO", "UInt16" },
	[C_L7_PROTO_MASTER] = { "L7_PROTO_MASTER", "UInt16" },
	[C_L7_PROTO_NAME] = { "L7_PROTO_NAME", "String" },
	[C_INFO] = { "INFO", "String" },
	[C_NTOPNG_INSTANCE_NAME] = { "NTOPNG_INSTANCE_NAME", "String" },
	[C_INTERFACE_ID] = { "INTERFACE_ID", "UInt16" },
	[C_INTERFACE_NAME] = { "INTERFACE_NAME", "String" },
	[C_SRC_COUNTRY_CODE] = { "SRC_COUNTRY_CODE", "UInt16" },
	[C_DST_COUNTRY_CODE] = { "DST_COUNTRY_CODE", "UInt16" },
	[C_SRC_LABEL] = { "SRC_LABEL", "String" },
	[C_DST_LABEL] = { "DST_LABEL", "String" },
	[C_SRC_ASN] = { "SRC_ASN", "UInt32" },
	[C_DST_ASN] = { "DST_ASN", "UInt32" },
	[C_SRC2DST_TCP_FLAGS] = { "SRC2DST_TCP_FLAGS", "UInt8" },
	[C_DST2SRC_TCP_FLAGS] = { "DST2SRC_TCP_FLAGS", "UInt8" },
	[C_CLIENT_LOCATION] = { "CLIENT_LOCATION", "UInt8" },
	[C_SERVER_LOCATION] = { "SERVER_LOCATION", "UInt8" },
	[C_SITE_PATH] = { "SITE_PATH", "String" },
	[C_NODE_ID] = { "NODE_ID", "String" },
};

int
ch_has_ipv6_type(int major, int minor)
{
	return major > 19 || (major == 19 && minor >= 3);
}

int
ch_schema_column(int i, int major, int minor, const char **name,
		 const char **type)
{
	if (i < 0 || i >= C__COUNT) {
		*name = *type = NULL;
		return -1;
	}
	*name = ch_cols[i].name;
	*type = ch_cols[i].type;
	if (strcmp(*type, "IPV6") == 0)
		*type = ch_has_ipv6_type(major, minor) ? "IPv6"
						       : "FixedString(16)";
	return 0;
}

const char *
ch_schema_table(const char *cluster)
{
	return cluster && cluster[0] ? "flows_local" : "flows";
}

int
ch_schema_sql(int i, int major, int minor, const char *db, const char *cluster,
	      char *buf, size_t len)
{
	int cl = cluster && cluster[0];
	size_t o = 0;
	int n, k;

#define PUT(...)                                                               \
	do {                                                                   \
		n = snprintf(buf + o, o < len ? len - o : 0, __VA_ARGS__);     \
		if (n < 0 || (size_t)n >= (o < len ? len - o : 0))             \
			return -1;                                             \
		o += (size_t)n;                                                \
	} while (0)

	switch (i) {
	case 0:
		PUT("CREATE DATABASE IF NOT EXISTS `%s`", db);
		return (int)o;
	case 1:
		PUT("CREATE TABLE IF NOT EXISTS `%s`.`%s` (", db,
		    ch_schema_table(cluster));
		for (k = 0; k < C__COUNT; k++) {
			const char *name, *type;

			ch_schema_column(k, major, minor, &name, &type);
			PUT("%s`%s` %s", k ? ", " : "", name, type);
		}
		PUT(") ENGINE = MergeTree() PARTITION BY "
		    "toYYYYMMDD(FIRST_SEEN) "
		    "ORDER BY (IPV4_SRC_ADDR, IPV4_DST_ADDR, FIRST_SEEN)");
		return (int)o;
	case 2:
		if (!cl)
			return 0;
		PUT("CREATE TABLE IF NOT EXISTS `%s`.`flows` AS "
		    "`%s`.`flows_local` "
		    "ENGINE = Distributed(`%s`, `%s`, `flows_local`, rand())",
		    db, db, cluster, db);
		return (int)o;
	default:
		return 0;
	}
#undef PUT
}

/* ---- spool files ---- */

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int
ch_spool_write(const char *path, uint32_t rows, const void *gz, size_t len)
{
	unsigned char h[CH_SPOOL_HDR];
	char tmp[PATH_MAX];
	FILE *f;
	int ok;

	if (len > 0xffffffffu ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(h, CH_SPOOL_MAGIC, 4);
	put32(h + 4, CH_COLUMNS_VERSION);
	put32(h + 8, rows);
	put32(h + 12, (uint32_t)len);
	put32(h + 16, (uint32_t)crc32(0, gz, (uInt)len));
	f = fopen(tmp, "wb");
	if (f == NULL)
		return -1;
	ok = fwrite(h, 1, sizeof(h), f) == sizeof(h) &&
	     fwrite(gz, 1, len, f) == len;
	ok = (fflush(f) == 0) && ok && fdatasync(fileno(f)) == 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

int
ch_spool_read(const char *path, uint32_t *rows, unsigned char **gz, size_t *len)
{
	unsigned char h[CH_SPOOL_HDR];
	unsigned char *b;
	uint32_t n;
	struct stat st;
	FILE *f;

	*gz = NULL;
	f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	if (fstat(fileno(f), &st) != 0 ||
	    fread(h, 1, sizeof(h), f) != sizeof(h) ||
	    memcmp(h, CH_SPOOL_MAGIC, 4) != 0 ||
	    get32(h + 4) != CH_COLUMNS_VERSION) {
		fclose(f);
		return -2;
	}
	n = get32(h + 12);
	if ((uint64_t)st.st_size != (uint64_t)n + CH_SPOOL_HDR ||
	    n > CH_SPOOL_MAX_BYTES) {
		fclose(f);
		return -2;
	}
	b = malloc(n ? n : 1);
	if (b == NULL) {
		fclose(f);
		return -1;
	}
	if (fread(b, 1, n, f) != n) {
		free(b);
		fclose(f);
		return -1;
	}
	fclose(f);
	if ((uint32_t)crc32(0, b, n) != get32(h + 16)) {
		free(b);
		return -2;
	}
	*rows = get32(h + 8);
	*gz = b;
	*len = n;
	return 0;
}

/* ---- state ---- */

/*
 * The interfaces' owners format the rows themselves, into a chunk of
 * their own (CH_CHUNK bytes), and hand over whole chunks: a job is a
 * pointer, so a burst of expiring flows costs the queue a few slots and
 * the worker a memcpy-free deflate, not a copy per flow.  What waits in
 * the queue is bounded in bytes (CH_QUEUE_BYTES); past it a chunk is
 * dropped and its flows counted (queue_dropped).
 */
struct ch_job {
	char *buf; /* heap, the worker (or drop_fn) frees it */
	size_t len;
	uint32_t rows;
};

struct ch_ifc {
	int ifid;
	char ifname[CH_IFNAME_MAX]; /* the input whole (SQLite's ifname) */
	char *chunk;
	size_t len;
	uint32_t rows;
};

struct spool_ent {
	uint64_t seq;
	uint64_t bytes;
	uint32_t rows;
	uint32_t tries;
};

/* the worker's own (and main's before start / after join) */
static struct {
	struct ch_target t;
	struct ch_client *cli;
	char spool_dir[PATH_MAX - 64];
	char insert_sql[CH_SQL_MAX];
	int ready; /* schema done */
	/* the batch: its rows deflated as their chunks come */
	z_stream z;
	int z_on;
	unsigned char *gz;
	size_t gz_cap;
	uint32_t rows;
	uint64_t first_ms;
	uint64_t retry_at_ms, retry_ms;
	uint64_t next_retention_ms;
	struct spool_ent *sp;
	size_t sp_n, sp_cap;
	uint64_t next_seq;
	uint64_t spool_max; /* bytes */
	int down_logged;
	uint64_t last_hour;
	struct ratelimit rl;
} W;

/* read by the owners (set on main before they start) */
static char ch_instance[256];
static uint64_t ch_run_id;
static uint64_t ch_flow_seq;	   /* atomic */
static uint64_t ch_inflight_bytes; /* atomic: chunks queued */
static uint64_t ch_inflight_rows;  /* atomic */

static struct jobq *ch_q;
static struct ch_ifc ch_ifcs[CH_MAX_IFACES];
static int ch_on;

/* the figures, written by the worker, read by anyone */
static struct chsink_stats S;
#define ST_ADD(f, v) __atomic_add_fetch(&S.f, (v), __ATOMIC_RELAXED)
#define ST_SET(f, v) __atomic_store_n(&S.f, (v), __ATOMIC_RELAXED)
#define ST_GET(f) __atomic_load_n(&S.f, __ATOMIC_RELAXED)

/* ---- rows (RowBinary) ---- */

/*
 * Each row is the columns in table order, in ClickHouse's RowBinary
 * form: integers little-endian in their width, DateTime a UInt32 of unix
 * seconds, FixedString(16) and IPv6 the 16 address bytes in network
 * order (both types take the same bytes, whatever the server's version),
 * String a LEB128 length and the bytes.  No text to escape or parse on
 * either side.
 */
static void
put_le(unsigned char **p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		*(*p)++ = (unsigned char)v;
		v >>= 8;
	}
}

static void
put_str(unsigned char **p, const char *s)
{
	size_t n = strlen(s);
	uint64_t v = n;

	do {
		unsigned char b = v & 0x7f;

		v >>= 7;
		*(*p)++ = v ? (unsigned char)(b | 0x80) : b;
	} while (v);
	memcpy(*p, s, n);
	*p += n;
}

static uint32_t
v4_num(const struct ipaddr *a)
{
	if (a->v != 4)
		return 0;
	return (uint32_t)a->a[0] << 24 | (uint32_t)a->a[1] << 16 |
	       (uint32_t)a->a[2] << 8 | a->a[3];
}

static void
put_v6(unsigned char **p, const struct ipaddr *a)
{
	if (a->v == 6)
		memcpy(*p, a->a, 16);
	else
		memset(*p, 0, 16);
	*p += 16;
}

static uint32_t
put_secs(uint64_t ms)
{
	uint64_t s = ms / 1000;

	return s > 4294967295ull ? 4294967295u : (uint32_t)s;
}

static unsigned
country_code(const char *cc)
{
	if (cc[0] == '\0' || cc[1] == '\0')
		return 0;
	return (unsigned)(unsigned char)cc[0] << 8 | (unsigned char)cc[1];
}

static unsigned
location(uint8_t host, uint8_t local)
{
	return !host ? 0 : local ? 1 : 2;
}

/* The most one row of r can take: the strings with their lengths (at
 * most 10 bytes each) and the fixed columns, well under 512 bytes. */
static size_t
row_worst(const struct ch_ifc *ci, const struct flow_rec *r)
{
	return 512 + strlen(r->l7_name) + strlen(r->info) +
	       strlen(ch_instance) + strlen(ci->ifname) + strlen(r->cli_name) +
	       strlen(r->srv_name) + strlen(r->site_path) + strlen(node_id);
}

/* Writes one row at p (room: row_worst); returns its end. */
static char *
row_put(const struct ch_ifc *ci, const struct flow_rec *r, char *out)
{
	unsigned char *p = (unsigned char *)out;
	int c;

	for (c = 0; c < C__COUNT; c++) {
		switch ((enum ch_col)c) {
		case C_FLOW_ID:
			put_le(&p,
			       ch_run_id |
				       (__atomic_add_fetch(&ch_flow_seq, 1,
							   __ATOMIC_RELAXED) &
					0xffffffffu),
			       8);
			break;
		case C_IP_PROTOCOL_VERSION:
			put_le(&p, r->ip_version, 1);
			break;
		case C_FIRST_SEEN:
			put_le(&p, put_secs(r->first_ms), 4);
			break;
		case C_LAST_SEEN:
			put_le(&p, put_secs(r->last_ms), 4);
			break;
		case C_VLAN_ID:
			put_le(&p, r->vlan, 2);
			break;
		case C_PACKETS:
			put_le(&p, r->c2s_pkts + r->s2c_pkts, 8);
			break;
		case C_TOTAL_BYTES:
			put_le(&p, r->c2s_bytes + r->s2c_bytes, 8);
			break;
		case C_SRC2DST_BYTES:
			put_le(&p, r->c2s_bytes, 8);
			break;
		case C_DST2SRC_BYTES:
			put_le(&p, r->s2c_bytes, 8);
			break;
		case C_SRC2DST_PACKETS:
			put_le(&p, r->c2s_pkts, 8);
			break;
		case C_DST2SRC_PACKETS:
			put_le(&p, r->s2c_pkts, 8);
			break;
		case C_SRC2DST_DSCP:
			put_le(&p, r->tos >> 2, 1);
			break;
		case C_PROTOCOL:
			put_le(&p, r->l4_proto, 1);
			break;
		case C_IPV4_SRC_ADDR:
			put_le(&p, v4_num(&r->cli), 4);
			break;
		case C_IPV6_SRC_ADDR:
			put_v6(&p, &r->cli);
			break;
		case C_IP_SRC_PORT:
			put_le(&p, r->cli_port, 2);
			break;
		case C_IPV4_DST_ADDR:
			put_le(&p, v4_num(&r->srv), 4);
			break;
		case C_IPV6_DST_ADDR:
			put_v6(&p, &r->srv);
			break;
		case C_IP_DST_PORT:
			put_le(&p, r->srv_port, 2);
			break;
		case C_L7_PROTO:
			put_le(&p, r->l7_app, 2);
			break;
		case C_L7_PROTO_MASTER:
			put_le(&p, r->l7_master, 2);
			break;
		case C_L7_PROTO_NAME:
			put_str(&p, r->l7_name);
			break;
		case C_INFO:
			put_str(&p, r->info);
			break;
		case C_NTOPNG_INSTANCE_NAME:
			put_str(&p, ch_instance);
			break;
		case C_INTERFACE_ID:
			put_le(&p, (uint64_t)(ci->ifid < 0 ? 0 : ci->ifid), 2);
			break;
		case C_INTERFACE_NAME:
			put_str(&p, ci->ifname);
			break;
		case C_SRC_COUNTRY_CODE:
			put_le(&p, country_code(r->cli_country), 2);
			break;
		case C_DST_COUNTRY_CODE:
			put_le(&p, country_code(r->srv_country), 2);
			break;
		case C_SRC_LABEL:
			put_str(&p, r->cli_name);
			break;
		case C_DST_LABEL:
			put_str(&p, r->srv_name);
			break;
		case C_SRC_ASN:
			put_le(&p, r->cli_asn, 4);
			break;
		case C_DST_ASN:
			put_le(&p, r->srv_asn, 4);
			break;
		case C_SRC2DST_TCP_FLAGS:
			put_le(&p, r->c2s_tcp_flags, 1);
			break;
		case C_DST2SRC_TCP_FLAGS:
			put_le(&p, r->s2c_tcp_flags, 1);
			break;
		case C_CLIENT_LOCATION:
			put_le(&p, location(r->cli_host, r->cli_local), 1);
			break;
		case C_SERVER_LOCATION:
			put_le(&p, location(r->srv_host, r->srv_local), 1);
			break;
		case C_SITE_PATH:
			put_str(&p, r->site_path[0] ? r->site_path : node_id);
			break;
		case C_NODE_ID:
			put_str(&p, node_id);
			break;
		case C__COUNT:
			break;
		}
	}
	return (char *)p;
}

/* ---- the server ---- */

static void
note_down(const char *what, const char *err)
{
	ST_SET(connected, 0);
	if (!W.down_logged || ratelimit_ok(&W.rl)) {
		char d[512];

		ch_target_describe(&W.t, d, sizeof(d));
		log_warn("clickhouse %s: %s failed: %s (batches go to the "
			 "spool, %s/)",
			 d, what, err, W.spool_dir);
		W.down_logged = 1;
	}
	W.retry_ms = W.retry_ms ? W.retry_ms * 2 : 1000;
	if (W.retry_ms > CH_RETRY_MAX_MS)
		W.retry_ms = CH_RETRY_MAX_MS;
	W.retry_at_ms = time_mono_ms() + W.retry_ms;
}

static void
note_up(void)
{
	if (W.down_logged) {
		char d[512];

		ch_target_describe(&W.t, d, sizeof(d));
		log_info("clickhouse %s: answering again", d);
	}
	W.down_logged = 0;
	W.retry_ms = 0;
	W.retry_at_ms = 0;
	ST_SET(connected, 1);
}

static int
query(const char *sql, char **out, char *err, size_t errlen)
{
	return ch_query(W.cli, sql, NULL, 0, out, NULL, err, errlen);
}

/* Adds the columns the table lacks (18.16 has no ADD COLUMN IF NOT
 * EXISTS: system.columns says what is there) and checks the types of
 * those it has: RowBinary rows fit only the types they were made for, so
 * a table of another layout (e.g. one with PACKETS as UInt32) is refused
 * with a clear cause rather than fed rows it would misread. */
static int
migrate(const char *table, int major, int minor, char *err, size_t errlen)
{
	char sql[CH_SQL_MAX], *have = NULL;
	int i, added = 0;

	snprintf(sql, sizeof(sql),
		 "SELECT name, type FROM system.columns WHERE database = '%s' "
		 "AND table = '%s'",
		 W.t.db, table);
	if (query(sql, &have, err, errlen) != 0)
		return -1;
	for (i = 0; i < C__COUNT; i++) {
		const char *name, *type, *p, *found = NULL;
		size_t nl;

		ch_schema_column(i, major, minor, &name, &type);
		nl = strlen(name);
		for (p = have; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
			if (strncmp(p, name, nl) == 0 && p[nl] == '\t') {
				found = p + nl + 1;
				break;
			}
		if (found) {
			size_t tl = strcspn(found, "\n");
			int same = tl == strlen(type) &&
				   strncmp(found, type, tl) == 0;

			/* FixedString(16) and IPv6 take the same bytes */
			if (!same && strncmp(name, "IPV6_", 5) == 0)
				same = (tl == 4 &&
					strncmp(found, "IPv6", 4) == 0) ||
				       (tl == 15 &&
					strncmp(found, "FixedString(16)", 15) ==
						0);
			if (!same) {
				snprintf(
					err, errlen,
					"column %s of %s.%s is %.*s, the node "
					"writes %s (a table of another layout: "
					"use another database)",
					name, W.t.db, table,
					(int)(tl > 40 ? 40 : tl), found, type);
				free(have);
				return -1;
			}
			continue;
		}
		snprintf(sql, sizeof(sql),
			 "ALTER TABLE `%s`.`%s` ADD COLUMN `%s` %s", W.t.db,
			 table, name, type);
		if (query(sql, NULL, err, errlen) != 0) {
			free(have);
			return -1;
		}
		added++;
	}
	free(have);
	if (added)
		log_info("clickhouse: table %s.%s: %d column(s) added", W.t.db,
			 table, added);
	return 0;
}

static int
schema_ensure(void)
{
	char sql[CH_SQL_MAX], err[512], d[512];
	int major, minor, i, n;

	if (W.ready)
		return 0;
	ch_client_use_db(W.cli, 0);
	if (ch_server_version(W.cli, &major, &minor) != 0) {
		/* tell a refused connection from a bad answer */
		char *out = NULL;

		if (query("SELECT version()", &out, err, sizeof(err)) == 0)
			snprintf(err, sizeof(err),
				 "unexpected answer to SELECT version()");
		free(out);
		ch_client_use_db(W.cli, 1);
		note_down("connecting", err);
		return -1;
	}
	ST_SET(server_major, major);
	ST_SET(server_minor, minor);
	for (i = 0;; i++) {
		n = ch_schema_sql(i, major, minor, W.t.db, W.t.cluster, sql,
				  sizeof(sql));
		if (n <= 0)
			break;
		if (query(sql, NULL, err, sizeof(err)) != 0) {
			ch_client_use_db(W.cli, 1);
			note_down("creating the schema", err);
			return -1;
		}
		if (i == 0)
			ch_client_use_db(W.cli, 1);
	}
	if (migrate(ch_schema_table(W.t.cluster), major, minor, err,
		    sizeof(err)) != 0 ||
	    (W.t.cluster[0] &&
	     migrate("flows", major, minor, err, sizeof(err)) != 0)) {
		note_down("checking the table", err);
		return -1;
	}
	{
		size_t o;
		int k;

		o = (size_t)snprintf(W.insert_sql, sizeof(W.insert_sql),
				     "INSERT INTO `%s`.`%s` (", W.t.db,
				     ch_schema_table(W.t.cluster));
		for (k = 0; k < C__COUNT && o < sizeof(W.insert_sql); k++)
			o += (size_t)snprintf(
				W.insert_sql + o, sizeof(W.insert_sql) - o,
				"%s`%s`", k ? ", " : "", ch_cols[k].name);
		if (o < sizeof(W.insert_sql))
			snprintf(W.insert_sql + o, sizeof(W.insert_sql) - o,
				 ") FORMAT RowBinary");
	}
	ch_target_describe(&W.t, d, sizeof(d));
	log_info("clickhouse %s: server %d.%d, table %s ready (IPv6 as %s)", d,
		 major, minor, ch_schema_table(W.t.cluster),
		 ch_has_ipv6_type(major, minor) ? "IPv6" : "FixedString(16)");
	W.ready = 1;
	note_up();
	return 0;
}

/* ---- retention ---- */

static void
retention(void)
{
	char *v = kv_get(CH_RETENTION_KEY), *out = NULL, *p, *e;
	char sql[CH_SQL_MAX], err[512];
	long days = 0;
	long cutoff;
	time_t old;
	struct tm tm;

	if (v != NULL) {
		char *end;

		days = strtol(v, &end, 10);
		if (end == v || *end != '\0' || days < 0 ||
		    days > CH_RETENTION_MAX)
			days = 0;
		free(v);
	}
	if (days <= 0)
		return;
	old = time(NULL) - (time_t)days * 86400;
	if (localtime_r(&old, &tm) == NULL)
		return;
	cutoff = (tm.tm_year + 1900L) * 10000 + (tm.tm_mon + 1) * 100 +
		 tm.tm_mday;
	snprintf(sql, sizeof(sql),
		 "SELECT DISTINCT partition FROM system.parts WHERE "
		 "database = '%s' AND table = '%s' AND active",
		 W.t.db, ch_schema_table(W.t.cluster));
	if (query(sql, &out, err, sizeof(err)) != 0) {
		log_warn("clickhouse: retention: %s", err);
		return;
	}
	for (p = out; p && *p; p = e) {
		long part;
		char *end;

		e = strchr(p, '\n');
		if (e)
			*e++ = '\0';
		/* the server's answer is input: 8 digits or skipped */
		if (strlen(p) != 8 || strspn(p, "0123456789") != 8)
			continue;
		part = strtol(p, &end, 10);
		if (part >= cutoff)
			continue;
		snprintf(sql, sizeof(sql),
			 "ALTER TABLE `%s`.`%s` DROP PARTITION %ld", W.t.db,
			 ch_schema_table(W.t.cluster), part);
		if (query(sql, NULL, err, sizeof(err)) != 0) {
			log_warn("clickhouse: retention: dropping %ld: %s",
				 part, err);
			continue;
		}
		ST_ADD(partitions_dropped, 1);
		log_info("clickhouse: retention (%ld days): partition %ld "
			 "dropped",
			 days, part);
	}
	free(out);
}

/* ---- spool ---- */

static void
spool_path(char *buf, size_t len, uint64_t seq, const char *suffix)
{
	/* spool_dir is shorter than PATH_MAX by far (chsink_open) */
	if (snprintf(buf, len, "%s/%016llx.batch%s", W.spool_dir,
		     (unsigned long long)seq, suffix) >= (int)len)
		buf[0] = '\0';
}

static void
spool_stats(void)
{
	uint64_t b = 0, r = 0;
	size_t i;

	for (i = 0; i < W.sp_n; i++) {
		b += W.sp[i].bytes;
		r += W.sp[i].rows;
	}
	ST_SET(spool_batches, (uint64_t)W.sp_n);
	ST_SET(spool_bytes, b);
	ST_SET(spool_rows, r);
}

static uint64_t
spool_total(void)
{
	return ST_GET(spool_bytes);
}

static void
spool_pop(void)
{
	if (W.sp_n == 0)
		return;
	memmove(W.sp, W.sp + 1, (W.sp_n - 1) * sizeof(*W.sp));
	W.sp_n--;
}

static int
spool_add(uint32_t rows, const unsigned char *gz, size_t len)
{
	char path[PATH_MAX];
	uint64_t bytes = len + CH_SPOOL_HDR;

	/* full: the oldest batches make room */
	while (W.sp_n > 0 && spool_total() + bytes > W.spool_max) {
		spool_path(path, sizeof(path), W.sp[0].seq, "");
		unlink(path);
		ST_ADD(spool_dropped_batches, 1);
		ST_ADD(spool_dropped_rows, W.sp[0].rows);
		log_warn("clickhouse: spool full (%llu bytes): oldest batch "
			 "of %u flows dropped",
			 (unsigned long long)W.spool_max, W.sp[0].rows);
		spool_pop();
		spool_stats();
	}
	if (W.sp_n == W.sp_cap) {
		size_t cap = W.sp_cap ? W.sp_cap * 2 : 64;
		struct spool_ent *n = realloc(W.sp, cap * sizeof(*n));

		if (n == NULL)
			return -1;
		W.sp = n;
		W.sp_cap = cap;
	}
	spool_path(path, sizeof(path), W.next_seq, "");
	if (ch_spool_write(path, rows, gz, len) != 0) {
		ST_ADD(spool_errors, 1);
		log_warn("clickhouse: spool: cannot write %s: %s: %u flows "
			 "lost",
			 path, strerror(errno), rows);
		return -1;
	}
	W.sp[W.sp_n].seq = W.next_seq++;
	W.sp[W.sp_n].bytes = bytes;
	W.sp[W.sp_n].rows = rows;
	W.sp[W.sp_n].tries = 0;
	W.sp_n++;
	ST_ADD(spooled_batches, 1);
	spool_stats();
	return 0;
}

static int
seq_cmp(const void *a, const void *b)
{
	const struct spool_ent *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The batches a previous run left (main, before the worker starts). */
static int
spool_load(void)
{
	DIR *d;
	struct dirent *e;

	if (mkdir(W.spool_dir, 0750) != 0 && errno != EEXIST) {
		log_err("clickhouse: cannot create the spool %s: %s",
			W.spool_dir, strerror(errno));
		return -1;
	}
	d = opendir(W.spool_dir);
	if (d == NULL) {
		log_err("clickhouse: cannot read the spool %s: %s", W.spool_dir,
			strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char path[PATH_MAX], *end;
		unsigned long long seq;
		struct stat st;
		size_t nl = strlen(e->d_name);

		if (nl != 22 || strcmp(e->d_name + 16, ".batch") != 0)
			continue;
		seq = strtoull(e->d_name, &end, 16);
		if (end != e->d_name + 16)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", W.spool_dir,
			     e->d_name) >= (int)sizeof(path))
			continue;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (W.sp_n == W.sp_cap) {
			size_t cap = W.sp_cap ? W.sp_cap * 2 : 64;
			struct spool_ent *n = realloc(W.sp, cap * sizeof(*n));

			if (n == NULL)
				break;
			W.sp = n;
			W.sp_cap = cap;
		}
		W.sp[W.sp_n].seq = seq;
		W.sp[W.sp_n].bytes = (uint64_t)st.st_size;
		W.sp[W.sp_n].rows = 0; /* known when read */
		W.sp[W.sp_n].tries = 0;
		W.sp_n++;
		if (seq >= W.next_seq)
			W.next_seq = seq + 1;
	}
	closedir(d);
	if (W.sp_n)
		qsort(W.sp, W.sp_n, sizeof(*W.sp), seq_cmp);
	spool_stats();
	if (W.sp_n)
		log_info("clickhouse: %zu spooled batch(es) of a previous run "
			 "in %s, sent first",
			 W.sp_n, W.spool_dir);
	return 0;
}

/* Sends the spool, oldest first, while the server takes it. */
static void
spool_drain(void)
{
	while (W.sp_n > 0) {
		char path[PATH_MAX], err[512];
		unsigned char *gz = NULL;
		size_t len = 0;
		uint32_t rows = 0;
		int rc;

		if (W.retry_at_ms && time_mono_ms() < W.retry_at_ms)
			return;
		if (schema_ensure() != 0)
			return;
		spool_path(path, sizeof(path), W.sp[0].seq, "");
		rc = ch_spool_read(path, &rows, &gz, &len);
		if (rc != 0) {
			char bad[PATH_MAX];

			ST_ADD(spool_errors, 1);
			spool_path(bad, sizeof(bad), W.sp[0].seq, ".rejected");
			if (rc == -2)
				rename(path, bad);
			log_warn("clickhouse: spool: %s is %s: set aside", path,
				 rc == -2 ? "not a valid batch" : "unreadable");
			spool_pop();
			spool_stats();
			continue;
		}
		if (ch_query_gz(W.cli, W.insert_sql, gz, len, NULL, NULL, err,
				sizeof(err)) == 0) {
			free(gz);
			unlink(path);
			ST_ADD(rows_inserted, rows);
			ST_ADD(batches_inserted, 1);
			spool_pop();
			spool_stats();
			note_up();
			continue;
		}
		free(gz);
		ST_ADD(insert_failures, 1);
		if (ch_last_status(W.cli) != 0 &&
		    ++W.sp[0].tries >= CH_SPOOL_TRIES) {
			char bad[PATH_MAX];

			spool_path(bad, sizeof(bad), W.sp[0].seq, ".rejected");
			rename(path, bad);
			ST_ADD(spool_rejected_batches, 1);
			ST_ADD(spool_rejected_rows, rows);
			log_err("clickhouse: a batch of %u flows refused %d "
				"times (%s): kept as %s",
				rows, CH_SPOOL_TRIES, err, bad);
			spool_pop();
			spool_stats();
			continue;
		}
		if (ch_last_status(W.cli) == 0)
			W.ready = 0; /* check the schema again when back */
		note_down("inserting", err);
		return;
	}
}

/* The batch in the buffer: sent, or spooled. */
/* Deflates len bytes of rows into the batch (Z_FINISH when fin). */
static int
batch_deflate(const char *buf, size_t len, int fin)
{
	int rc;

	if (!W.z_on) {
		memset(&W.z, 0, sizeof(W.z));
		if (deflateInit2(&W.z, 1, Z_DEFLATED, 15 + 16, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK)
			return -1;
		W.z_on = 1;
	}
	W.z.next_in = (Bytef *)(uintptr_t)buf;
	W.z.avail_in = (uInt)len;
	do {
		if (W.z.total_out + 65536 > W.gz_cap) {
			size_t cap = W.gz_cap ? W.gz_cap * 2 : (1u << 20);
			unsigned char *n = realloc(W.gz, cap);

			if (n == NULL)
				return -1;
			W.gz = n;
			W.gz_cap = cap;
		}
		W.z.next_out = W.gz + W.z.total_out;
		W.z.avail_out = (uInt)(W.gz_cap - W.z.total_out);
		rc = deflate(&W.z, fin ? Z_FINISH : Z_NO_FLUSH);
		if (rc == Z_STREAM_ERROR)
			return -1;
	} while (W.z.avail_in > 0 || (fin && rc != Z_STREAM_END));
	return 0;
}

/* The batch: sent, or spooled. */
static void
batch_flush(void)
{
	uint32_t rows = W.rows;
	size_t gzlen;
	char err[512];

	if (W.rows == 0)
		return;
	W.rows = 0;
	W.first_ms = 0;
	if (batch_deflate("", 0, 1) != 0) {
		ST_ADD(spool_errors, 1);
		log_warn("clickhouse: out of memory: %u flows lost", rows);
		deflateReset(&W.z);
		return;
	}
	gzlen = W.z.total_out;
	deflateReset(&W.z);
	if (W.sp_n == 0 &&
	    (W.retry_at_ms == 0 || time_mono_ms() >= W.retry_at_ms) &&
	    schema_ensure() == 0) {
		if (ch_query_gz(W.cli, W.insert_sql, W.gz, gzlen, NULL, NULL,
				err, sizeof(err)) == 0) {
			ST_ADD(rows_inserted, rows);
			ST_ADD(batches_inserted, 1);
			note_up();
			return;
		}
		ST_ADD(insert_failures, 1);
		if (ch_last_status(W.cli) == 0)
			W.ready = 0;
		note_down("inserting", err);
	}
	spool_add(rows, W.gz, gzlen);
	spool_drain();
}

/* ---- the worker ---- */

static void
ch_batch(void *arg, void *jobs, uint32_t n)
{
	struct ch_job *j = jobs;
	uint32_t i;

	for (i = 0; i < n; i++) {
		__atomic_sub_fetch(&ch_inflight_bytes, j[i].len,
				   __ATOMIC_RELAXED);
		__atomic_sub_fetch(&ch_inflight_rows, j[i].rows,
				   __ATOMIC_RELAXED);
		if (W.rows == 0)
			W.first_ms = time_mono_ms();
		if (batch_deflate(j[i].buf, j[i].len, 0) != 0) {
			ST_ADD(spool_errors, 1);
			log_warn("clickhouse: out of memory: %u flows lost",
				 j[i].rows);
		} else {
			W.rows += j[i].rows;
		}
		free(j[i].buf);
		if (W.rows >= CH_BATCH_ROWS)
			batch_flush();
	}
}

static void
hourly_line(void)
{
	struct chsink_stats s;

	chsink_get_stats(&s);
	log_info("clickhouse: %llu flows inserted in %llu batches, %llu "
		 "insert failures, spool %llu batches / %llu bytes now "
		 "(%llu spooled so far, %llu dropped, %llu set aside), %llu "
		 "flows dropped by a full queue",
		 (unsigned long long)s.rows_inserted,
		 (unsigned long long)s.batches_inserted,
		 (unsigned long long)s.insert_failures,
		 (unsigned long long)s.spool_batches,
		 (unsigned long long)s.spool_bytes,
		 (unsigned long long)s.spooled_batches,
		 (unsigned long long)s.spool_dropped_batches,
		 (unsigned long long)s.spool_rejected_batches,
		 (unsigned long long)s.queue_dropped);
}

static void
ch_idle(void *arg)
{
	uint64_t now = time_mono_ms();
	uint64_t hour = time_wall_ms() / 3600000;

	if (W.rows > 0 && now - W.first_ms >= CH_BATCH_MS)
		batch_flush();
	if (W.sp_n > 0)
		spool_drain();
	else if (!W.ready && (W.retry_at_ms == 0 || now >= W.retry_at_ms))
		schema_ensure();
	if (W.ready && now >= W.next_retention_ms) {
		W.next_retention_ms = now + 3600 * 1000;
		retention();
	}
	if (W.last_hour == 0)
		W.last_hour = hour;
	else if (hour != W.last_hour) {
		W.last_hour = hour;
		hourly_line();
	}
	ratelimit_flush(&W.rl);
}

static void
ch_fini(void *arg)
{
	/* the node is stopping: a server that hangs holds it 5 s a call at
	 * most (what it does not take stays in the spool for the next run) */
	ch_client_set_timeout(W.cli, 5000);
	batch_flush();
	/* one last try for what waits on disk; what stays is sent by the
	 * next run */
	W.retry_at_ms = 0;
	spool_drain();
	hourly_line();
}

/* ---- public ---- */

static void
job_drop(const void *job)
{
	const struct ch_job *j = job;

	free(j->buf);
}

int
chsink_open(const struct prefs *p)
{
	struct jobq_ops ops;
	char err[256], d[512];
	struct timespec ts;

	if (p->flows_store != PREFS_FLOWS_CLICKHOUSE || !p->dump_flows)
		return 0;
	if (ch_target_parse(p->flows_store_spec, &W.t, err, sizeof(err)) != 0) {
		log_err("clickhouse: %s", err);
		return -1;
	}
	if (p->instance_name != NULL)
		snprintf(ch_instance, sizeof(ch_instance), "%s",
			 p->instance_name);
	else if (gethostname(ch_instance, sizeof(ch_instance) - 1) != 0)
		snprintf(ch_instance, sizeof(ch_instance), "ntopng");
	ch_instance[sizeof(ch_instance) - 1] = '\0';
	if (snprintf(W.spool_dir, sizeof(W.spool_dir), "%s/%s", p->data_dir,
		     CH_SPOOL_DIR) >= (int)sizeof(W.spool_dir)) {
		log_err("clickhouse: data directory path too long");
		return -1;
	}
	W.cli = ch_client_new(&W.t);
	if (W.cli == NULL) {
		log_err("clickhouse: out of memory");
		return -1;
	}
	W.rl = (struct ratelimit)RATELIMIT_INIT(1);
	W.spool_max =
		(uint64_t)(p->clickhouse_spool_mb > 0 ? p->clickhouse_spool_mb
						      : 256)
		<< 20;
	clock_gettime(CLOCK_REALTIME, &ts);
	ch_run_id = (uint64_t)ts.tv_sec << 32;
	if (spool_load() != 0)
		return -1;
	memset(&ops, 0, sizeof(ops));
	ops.role = "writer-ch";
	ops.job_size = sizeof(struct ch_job);
	ops.capacity = CH_QUEUE;
	ops.batch = 64;
	ops.batch_fn = ch_batch;
	ops.idle_fn = ch_idle;
	ops.fini_fn = ch_fini;
	ops.drop_fn = job_drop;
	ch_q = jobq_start(&ops);
	if (ch_q == NULL)
		return -1;
	ch_target_describe(&W.t, d, sizeof(d));
	log_info("clickhouse: flows go to %s as instance '%s' (batches of "
		 "%d flows or %d s, spool %s/ up to %llu MB)",
		 d, ch_instance, CH_BATCH_ROWS, CH_BATCH_MS / 1000, W.spool_dir,
		 (unsigned long long)(W.spool_max >> 20));
	__atomic_store_n(&ch_on, 1, __ATOMIC_RELEASE);
	return 0;
}

int
chsink_running(void)
{
	return __atomic_load_n(&ch_on, __ATOMIC_ACQUIRE);
}

/* Hands the interface's chunk to the worker (wait: the shutdown flush). */
static void
chunk_post(struct ch_ifc *ci, int wait)
{
	struct ch_job j;

	if (ci->chunk == NULL || ci->rows == 0)
		return;
	j.buf = ci->chunk;
	j.len = ci->len;
	j.rows = ci->rows;
	ci->chunk = NULL;
	ci->len = 0;
	ci->rows = 0;
	if (!wait &&
	    __atomic_load_n(&ch_inflight_bytes, __ATOMIC_RELAXED) + j.len >
		    CH_QUEUE_BYTES) {
		ST_ADD(queue_dropped, j.rows);
		free(j.buf);
		return;
	}
	__atomic_add_fetch(&ch_inflight_bytes, j.len, __ATOMIC_RELAXED);
	__atomic_add_fetch(&ch_inflight_rows, j.rows, __ATOMIC_RELAXED);
	if (jobq_post(ch_q, &j, wait) != 0) {
		/* dropped: job_drop freed the chunk */
		__atomic_sub_fetch(&ch_inflight_bytes, j.len, __ATOMIC_RELAXED);
		__atomic_sub_fetch(&ch_inflight_rows, j.rows, __ATOMIC_RELAXED);
		ST_ADD(queue_dropped, j.rows);
	}
}

static void
ch_flow_expired(void *ctx, const struct flow_rec *r)
{
	struct ch_ifc *ci = ctx;
	size_t worst = row_worst(ci, r);

	ST_ADD(posted, 1);
	if (ci->chunk != NULL && ci->len + worst > CH_CHUNK)
		chunk_post(ci, r->final);
	if (ci->chunk == NULL) {
		ci->chunk = malloc(CH_CHUNK > worst ? CH_CHUNK : worst);
		if (ci->chunk == NULL) {
			ST_ADD(queue_dropped, 1);
			return;
		}
	}
	ci->len = (size_t)(row_put(ci, r, ci->chunk + ci->len) - ci->chunk);
	ci->rows++;
}

/* about once a second: what the interface has goes to the worker */
static void
ch_tick(void *ctx, struct iface *ifc, uint64_t wall_ms)
{
	chunk_post(ctx, 0);
}

static void
ch_flush(void *ctx, struct iface *ifc, enum sink_flush_phase ph)
{
	if (ph == SINK_FLUSH_END)
		chunk_post(ctx, 1);
}

static const struct iface_sink_ops ch_ops = {
	.name = "clickhouse",
	.flow_expired = ch_flow_expired,
	.tick = ch_tick,
	.flush = ch_flush,
};

int
chsink_add(struct iface *ifc)
{
	int ifid = iface_id(ifc);
	const char *name = iface_name(ifc), *spec = iface_spec(ifc);
	struct ch_ifc *ci;

	if (!chsink_running() || ifid < 0 || ifid >= CH_MAX_IFACES)
		return 0;
	/* the Historical interface shows what is stored already */
	if (name != NULL && strcmp(name, "Historical") == 0 &&
	    iface_inputs(ifc) == (IFACE_IN_OFFLINE | IFACE_IN_HISTORICAL))
		return 0;
	ci = &ch_ifcs[ifid];
	ci->ifid = ifid;
	/* the input whole, as the SQLite rows' ifname */
	snprintf(ci->ifname, sizeof(ci->ifname), "%s",
		 spec	? spec
		 : name ? name
			: "");
	return iface_add_sink(ifc, &ch_ops, ci);
}

void
chsink_close(void)
{
	int i;

	if (!chsink_running())
		return;
	/* what the owners did not hand over (their flush did, normally) */
	for (i = 0; i < CH_MAX_IFACES; i++)
		chunk_post(&ch_ifcs[i], 1);
	jobq_stop(ch_q);
	ch_q = NULL;
	__atomic_store_n(&ch_on, 0, __ATOMIC_RELEASE);
	ch_client_free(W.cli);
	W.cli = NULL;
	if (W.z_on)
		deflateEnd(&W.z);
	W.z_on = 0;
	free(W.gz);
	W.gz = NULL;
	W.gz_cap = 0;
	free(W.sp);
	W.sp = NULL;
	W.sp_n = W.sp_cap = 0;
}

void
chsink_get_stats(struct chsink_stats *out)
{
	out->posted = ST_GET(posted);
	out->queue_dropped = ST_GET(queue_dropped);
	out->queued =
		(uint32_t)__atomic_load_n(&ch_inflight_rows, __ATOMIC_RELAXED);
	out->rows_inserted = ST_GET(rows_inserted);
	out->batches_inserted = ST_GET(batches_inserted);
	out->insert_failures = ST_GET(insert_failures);
	out->spooled_batches = ST_GET(spooled_batches);
	out->spool_batches = ST_GET(spool_batches);
	out->spool_bytes = ST_GET(spool_bytes);
	out->spool_rows = ST_GET(spool_rows);
	out->spool_dropped_batches = ST_GET(spool_dropped_batches);
	out->spool_dropped_rows = ST_GET(spool_dropped_rows);
	out->spool_rejected_batches = ST_GET(spool_rejected_batches);
	out->spool_rejected_rows = ST_GET(spool_rejected_rows);
	out->spool_errors = ST_GET(spool_errors);
	out->partitions_dropped = ST_GET(partitions_dropped);
	out->connected = ST_GET(connected);
	out->server_major = ST_GET(server_major);
	out->server_minor = ST_GET(server_minor);
}
