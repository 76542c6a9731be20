/*
 * chclient.h - a small client of ClickHouse's HTTP interface (port 8123)
 * on libcurl, for the flow store (-F clickhouse, docs/storage.md).
 *
 * Every statement is one POST: the SQL in the `query=` URL parameter, the
 * data (an INSERT's rows), when there is any, as the body, compressed
 * with gzip (Content-Encoding: gzip, which 18.16 and later accept).  The
 * user and password go in the X-ClickHouse-User / X-ClickHouse-Key
 * headers.  Connect and total timeouts bound every call, and the answer
 * kept is bounded (CH_REPLY_MAX): the server's reply is hostile input
 * like anything from the network.
 *
 * A client is used by one thread at a time (a curl easy handle keeps the
 * connection between calls).  ch_target_parse is pure.
 */
#ifndef EXPORTER_CHCLIENT_H
#define EXPORTER_CHCLIENT_H

#include <stddef.h>

#define CH_HOST_MAX 256
#define CH_NAME_MAX 64 /* database, cluster */
#define CH_USER_MAX 64
#define CH_PASSWORD_MAX 128
#define CH_DEFAULT_PORT 8123
#define CH_DEFAULT_DB "ntopng"
#define CH_DEFAULT_USER "default"
#define CH_REPLY_MAX (16u << 20) /* bytes of an answer kept */
#define CH_CONNECT_TIMEOUT_MS 3000
#define CH_TIMEOUT_MS 60000 /* a whole call */

struct ch_target {
	char host[CH_HOST_MAX];
	int port;
	char db[CH_NAME_MAX];
	char user[CH_USER_MAX];
	char password[CH_PASSWORD_MAX];
	char cluster[CH_NAME_MAX]; /* "" unless clickhouse-cluster */
};

/*
 * Parses a -F value naming ClickHouse:
 *   clickhouse                                (127.0.0.1@8123;ntopng;default;)
 *   clickhouse;<host[@port]>;<db>;<user>;<password>
 *   clickhouse-cluster;<host[@port]>;<db>;<user>;<password>;<cluster>
 * Empty or missing fields take the defaults above (the cluster name is
 * required in cluster mode); the host is a name, an IPv4 address or an
 * IPv6 address (in brackets when a port follows: [::1]@8123); the
 * database and cluster names are identifiers ([A-Za-z_][A-Za-z0-9_]*).
 * Returns 0, or -1 with one line in err.
 */
int ch_target_parse(const char *spec, struct ch_target *t, char *err,
		    size_t errlen);
/* "host@port/db" (and " cluster NAME") for log lines; never the password */
void ch_target_describe(const struct ch_target *t, char *buf, size_t len);

struct ch_client;

/* A client of t (copied); NULL when out of memory. */
struct ch_client *ch_client_new(const struct ch_target *t);
void ch_client_free(struct ch_client *c);
/* Whether calls name the target's database (the `database=` parameter,
 * the default: unqualified tables are the database's); off for the calls
 * before the database exists (CREATE DATABASE). */
void ch_client_use_db(struct ch_client *c, int on);
/* Total-time limit of the following calls (0: CH_TIMEOUT_MS). */
void ch_client_set_timeout(struct ch_client *c, int timeout_ms);

/*
 * Runs sql (one statement; for an INSERT the rows follow as body, len
 * bytes, sent gzip-compressed; body may be NULL).  On success returns 0
 * and, when out is not NULL, *out is the answer (TSV text, NUL-terminated,
 * malloc'ed; the caller frees) and *outlen its length.  On failure
 * returns -1 with err set (the server's exception text, bounded, or the
 * transport's error) and *out NULL.
 */
int ch_query(struct ch_client *c, const char *sql, const void *body, size_t len,
	     char **out, size_t *outlen, char *err, size_t errlen);
/* The same with a body gzip-compressed already (a spooled batch). */
int ch_query_gz(struct ch_client *c, const char *sql, const void *gz,
		size_t gzlen, char **out, size_t *outlen, char *err,
		size_t errlen);
/* The HTTP status of the last call (0: no answer at all). */
long ch_last_status(const struct ch_client *c);

/* SELECT version(): 0 with *major, *minor set, or -1. */
int ch_server_version(struct ch_client *c, int *major, int *minor);

/* gzip of in[0..len) into a malloc'ed buffer (*outlen bytes); NULL when
 * out of memory.  Exposed for the spool and tests. */
unsigned char *ch_gzip(const void *in, size_t len, size_t *outlen);

#endif
