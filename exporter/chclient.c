/*
 * chclient.c - ClickHouse over HTTP (see chclient.h).
 */
#include "exporter/chclient.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <zlib.h>

#include "exporter/httpbuf.h"

/* ---- the -F value ---- */

static int
ident_ok(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

static int
host_char_ok(char ch)
{
	return isalnum((unsigned char)ch) || ch == '.' || ch == '-' ||
	       ch == ':' || ch == '_';
}

/* host[@port] or [v6]@port into t; 0 or -1 with err */
static int
parse_hostport(const char *s, struct ch_target *t, char *err, size_t errlen)
{
	const char *h = s, *he, *at;
	size_t hl;
	int v6 = 0;

	if (*s == '[') {
		he = strchr(s, ']');
		if (he == NULL) {
			snprintf(err, errlen, "missing ']' in host '%s'", s);
			return -1;
		}
		h = s + 1;
		at = he + 1;
		if (*at != '\0' && *at != '@') {
			snprintf(err, errlen,
				 "unexpected text after ']' in '%s'", s);
			return -1;
		}
		if (*at == '\0')
			at = NULL;
		v6 = 1;
	} else {
		at = strrchr(s, '@');
		he = at ? at : s + strlen(s);
	}
	hl = (size_t)(he - h);
	if (hl == 0)
		h = "127.0.0.1", hl = strlen(h);
	if (hl >= sizeof(t->host)) {
		snprintf(err, errlen, "host name too long");
		return -1;
	}
	for (size_t i = 0; i < hl; i++)
		if (!host_char_ok(h[i]) || (h[i] == ':' && !v6 && at)) {
			snprintf(err, errlen, "bad host '%.*s'",
				 (int)(hl > 64 ? 64 : hl), h);
			return -1;
		}
	memcpy(t->host, h, hl);
	t->host[hl] = '\0';
	t->port = CH_DEFAULT_PORT;
	if (at) {
		char *end;
		long p;

		if (at[1] == '\0') {
			snprintf(err, errlen, "empty port after '@'");
			return -1;
		}
		p = strtol(at + 1, &end, 10);
		if (*end != '\0' || p < 1 || p > 65535 ||
		    !isdigit((unsigned char)at[1])) {
			snprintf(err, errlen, "bad port '%s' (1-65535)",
				 at + 1);
			return -1;
		}
		t->port = (int)p;
	}
	return 0;
}

int
ch_target_parse(const char *spec, struct ch_target *t, char *err, size_t errlen)
{
	char buf[1024], *f[8], *p;
	int n = 0, cluster;

	memset(t, 0, sizeof(*t));
	snprintf(t->host, sizeof(t->host), "127.0.0.1");
	t->port = CH_DEFAULT_PORT;
	snprintf(t->db, sizeof(t->db), CH_DEFAULT_DB);
	snprintf(t->user, sizeof(t->user), CH_DEFAULT_USER);
	if (spec == NULL || strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "flow store value missing or too long");
		return -1;
	}
	for (p = (char *)spec; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen,
				 "control character in flow store value");
			return -1;
		}
	memcpy(buf, spec, strlen(spec) + 1);
	p = buf;
	for (;;) {
		char *semi = strchr(p, ';');

		if (n == 8) {
			n++;
			break;
		}
		f[n++] = p;
		if (semi == NULL)
			break;
		*semi = '\0';
		p = semi + 1;
	}
	if (strcmp(f[0], "clickhouse") == 0)
		cluster = 0;
	else if (strcmp(f[0], "clickhouse-cluster") == 0)
		cluster = 1;
	else {
		snprintf(err, errlen,
			 "unknown flow store '%.40s' (sqlite, clickhouse, "
			 "clickhouse-cluster)",
			 f[0]);
		return -1;
	}
	if (n > (cluster ? 6 : 5)) {
		snprintf(err, errlen,
			 "too many fields: %s;<host[@port]>;<db>;<user>;"
			 "<password>%s",
			 f[0], cluster ? ";<cluster>" : "");
		return -1;
	}
	if (n > 1 && *f[1] && parse_hostport(f[1], t, err, errlen) != 0)
		return -1;
	if (n > 2 && *f[2]) {
		if (strlen(f[2]) >= sizeof(t->db) || !ident_ok(f[2])) {
			snprintf(err, errlen,
				 "bad database name '%.64s' "
				 "([A-Za-z_][A-Za-z0-9_]*, at most %d)",
				 f[2], CH_NAME_MAX - 1);
			return -1;
		}
		snprintf(t->db, sizeof(t->db), "%s", f[2]);
	}
	if (n > 3 && *f[3]) {
		if (strlen(f[3]) >= sizeof(t->user) || strpbrk(f[3], " \t")) {
			snprintf(err, errlen, "bad user name");
			return -1;
		}
		snprintf(t->user, sizeof(t->user), "%s", f[3]);
	}
	if (n > 4) {
		if (strlen(f[4]) >= sizeof(t->password)) {
			snprintf(err, errlen, "password too long");
			return -1;
		}
		snprintf(t->password, sizeof(t->password), "%s", f[4]);
	}
	if (cluster) {
		if (n < 6 || *f[5] == '\0') {
			snprintf(err, errlen,
				 "clickhouse-cluster needs a cluster name: "
				 "clickhouse-cluster;<host[@port]>;<db>;<user>;"
				 "<password>;<cluster>");
			return -1;
		}
		if (strlen(f[5]) >= sizeof(t->cluster) || !ident_ok(f[5])) {
			snprintf(err, errlen, "bad cluster name '%.64s'", f[5]);
			return -1;
		}
		snprintf(t->cluster, sizeof(t->cluster), "%s", f[5]);
	}
	return 0;
}

void
ch_target_describe(const struct ch_target *t, char *buf, size_t len)
{
	int v6 = strchr(t->host, ':') != NULL;

	snprintf(buf, len, "%s%s%s@%d/%s%s%s", v6 ? "[" : "", t->host,
		 v6 ? "]" : "", t->port, t->db,
		 t->cluster[0] ? " cluster " : "", t->cluster);
}

/* ---- gzip ---- */

unsigned char *
ch_gzip(const void *in, size_t len, size_t *outlen)
{
	z_stream z;
	unsigned char *out;
	size_t cap = len + len / 1000 + 64;
	int rc;

	memset(&z, 0, sizeof(z));
	/* 15 + 16: a gzip header and trailer; level 1: the batch is sent
	 * every few seconds, speed matters more than the last bytes */
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return NULL;
	cap = deflateBound(&z, (uLong)len) + 32;
	out = malloc(cap);
	if (out == NULL) {
		deflateEnd(&z);
		return NULL;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	rc = deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END || len > 0xffffffffu) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- HTTP ---- */

struct ch_client {
	struct ch_target t;
	CURL *curl;
	struct curl_slist *headers, *headers_gz;
	long status;
	int timeout_ms;
	int no_db;
};

static int curl_ready;

struct ch_client *
ch_client_new(const struct ch_target *t)
{
	struct ch_client *c;
	char h[256];

	if (!__atomic_exchange_n(&curl_ready, 1, __ATOMIC_ACQ_REL))
		curl_global_init(CURL_GLOBAL_DEFAULT);
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->t = *t;
	c->curl = curl_easy_init();
	if (c->curl == NULL) {
		free(c);
		return NULL;
	}
	snprintf(h, sizeof(h), "X-ClickHouse-User: %s", t->user);
	c->headers = curl_slist_append(NULL, h);
	if (t->password[0]) {
		snprintf(h, sizeof(h), "X-ClickHouse-Key: %s", t->password);
		c->headers = curl_slist_append(c->headers, h);
	}
	c->headers = curl_slist_append(c->headers, "Expect:");
	c->headers_gz = curl_slist_append(NULL, "Content-Encoding: gzip");
	snprintf(h, sizeof(h), "X-ClickHouse-User: %s", t->user);
	c->headers_gz = curl_slist_append(c->headers_gz, h);
	if (t->password[0]) {
		snprintf(h, sizeof(h), "X-ClickHouse-Key: %s", t->password);
		c->headers_gz = curl_slist_append(c->headers_gz, h);
	}
	c->headers_gz = curl_slist_append(c->headers_gz, "Expect:");
	if (c->headers == NULL || c->headers_gz == NULL) {
		ch_client_free(c);
		return NULL;
	}
	return c;
}

void
ch_client_free(struct ch_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	curl_slist_free_all(c->headers_gz);
	memset(c->t.password, 0, sizeof(c->t.password));
	free(c);
}

void
ch_client_use_db(struct ch_client *c, int on)
{
	c->no_db = !on;
}

void
ch_client_set_timeout(struct ch_client *c, int timeout_ms)
{
	c->timeout_ms = timeout_ms;
}

long
ch_last_status(const struct ch_client *c)
{
	return c->status;
}

/* The first line of a server's exception, printable characters only. */
static void
err_from_reply(const struct httpbuf *r, long status, char *err, size_t errlen)
{
	size_t i, o = 0;
	int w;

	w = snprintf(err, errlen, "HTTP %ld: ", status);
	o = w < 0 ? 0 : (size_t)w;
	for (i = 0; r->buf && i < r->len && o + 1 < errlen && o < 400; i++) {
		unsigned char ch = (unsigned char)r->buf[i];

		if (ch == '\n')
			break;
		err[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	if (o < errlen)
		err[o] = '\0';
}

static int
do_post(struct ch_client *c, const char *sql, const void *body, size_t len,
	int gz, char **out, size_t *outlen, char *err, size_t errlen)
{
	struct httpbuf r = { .max = CH_REPLY_MAX };
	char *q, *url;
	size_t ulen;
	int v6 = strchr(c->t.host, ':') != NULL, rc = -1;
	CURLcode cc;

	if (out)
		*out = NULL;
	if (outlen)
		*outlen = 0;
	c->status = 0;
	q = curl_easy_escape(c->curl, sql, 0);
	if (q == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ulen = strlen(q) + strlen(c->t.host) + strlen(c->t.db) + 96;
	url = malloc(ulen);
	if (url == NULL) {
		curl_free(q);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(url, ulen, "http://%s%s%s:%d/?%s%s%squery=%s", v6 ? "[" : "",
		 c->t.host, v6 ? "]" : "", c->t.port,
		 c->no_db ? "" : "database=", c->no_db ? "" : c->t.db,
		 c->no_db ? "" : "&", q);
	curl_free(q);
	curl_easy_reset(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)CH_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(
		c->curl, CURLOPT_TIMEOUT_MS,
		(long)(c->timeout_ms > 0 ? c->timeout_ms : CH_TIMEOUT_MS));
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER,
			 gz ? c->headers_gz : c->headers);
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body ? body : "");
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)(body ? len : 0));
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, httpbuf_write);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &r);
	cc = curl_easy_perform(c->curl);
	free(url);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->status);
	if (cc != CURLE_OK && !(r.over && cc == CURLE_WRITE_ERROR)) {
		snprintf(err, errlen, "%s", curl_easy_strerror(cc));
	} else if (c->status != 200) {
		err_from_reply(&r, c->status, err, errlen);
	} else if (r.over) {
		snprintf(err, errlen, "answer longer than %u bytes",
			 CH_REPLY_MAX);
	} else {
		rc = 0;
		if (out) {
			*out = r.buf ? r.buf : strdup("");
			r.buf = NULL;
			if (*out == NULL)
				rc = -1;
		}
		if (outlen)
			*outlen = r.len;
	}
	free(r.buf);
	return rc;
}

int
ch_query(struct ch_client *c, const char *sql, const void *body, size_t len,
	 char **out, size_t *outlen, char *err, size_t errlen)
{
	unsigned char *gz;
	size_t gzlen;
	int rc;

	if (body == NULL || len == 0)
		return do_post(c, sql, NULL, 0, 0, out, outlen, err, errlen);
	gz = ch_gzip(body, len, &gzlen);
	if (gz == NULL) {
		if (out)
			*out = NULL;
		snprintf(err, errlen, "out of memory (compressing)");
		return -1;
	}
	rc = do_post(c, sql, gz, gzlen, 1, out, outlen, err, errlen);
	free(gz);
	return rc;
}

int
ch_query_gz(struct ch_client *c, const char *sql, const void *gz, size_t gzlen,
	    char **out, size_t *outlen, char *err, size_t errlen)
{
	return do_post(c, sql, gz, gzlen, 1, out, outlen, err, errlen);
}

int
ch_server_version(struct ch_client *c, int *major, int *minor)
{
	char *out = NULL, err[256];
	int rc = -1;

	if (ch_query(c, "SELECT version()", NULL, 0, &out, NULL, err,
		     sizeof(err)) == 0 &&
	    sscanf(out, "%d.%d", major, minor) == 2 && *major >= 0 &&
	    *minor >= 0)
		rc = 0;
	free(out);
	return rc;
}
