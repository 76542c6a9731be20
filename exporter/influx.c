/*
 * influx.c - time series to InfluxDB 1.x (influx.h, docs/storage.md).
 *
 * Points (writer-rrd worker, influx_ts): each record of a series carries
 * what its counters grew since the previous record (for RRD's ABSOLUTE
 * data sources); here they are added up per series (interface, host or
 * protocol of an interface) into cumulative counters, as ntopng writes
 * them to InfluxDB, so a lost point loses no traffic: the next one
 * carries the total.  A record becomes lines in the memory buffer
 * (bounded by INFLUX_MEM_MAX; over it the points are dropped and
 * counted):
 *   iface:traffic,ifid=0 bytes=<n>i <t>      (every second)
 *   iface:packets,ifid=0 packets=<n>i <t>
 *   iface:drops,ifid=0 packets=<n>i <t>
 *   iface:flows,ifid=0 num_flows=<n>i <t>    (gauges)
 *   iface:hosts,ifid=0 num_hosts=<n>i <t>
 *   host:traffic,ifid=0,host=<ip[@vlan]> bytes_sent=<n>i,bytes_rcvd=<n>i
 *   iface:ndpi,ifid=0,protocol=<name> bytes=<n>i,bytes_sent=..,bytes_rcvd=..
 *   host:ndpi,ifid=0,host=<ip[@vlan]>,protocol=<name>
 *     bytes_sent=<n>i,bytes_rcvd=<n>i    (the host's own counters)
 *
 * Sending (writer-influx thread): every flush_ms the buffer is swapped
 * out as one batch.  While the spool holds batches, or the database is
 * not set up yet, a new batch joins the spool's end (order kept);
 * otherwise it is posted, and spooled when InfluxDB cannot be reached or
 * answers 5xx.  Then the spool is sent oldest first until it is empty or
 * a post fails.  A 4xx answer (a point InfluxDB refuses) is counted and
 * logged with InfluxDB's message, and the batch is not retried.
 *
 * The spool: <data-dir>/influxdb-spool/<seq>-<points>.lp, one file per
 * batch, written to a temporary name and renamed; at start the files of
 * a previous run are taken over.  Over spool_max bytes the oldest files
 * are removed, counted as dropped batches and points.
 */
#include "exporter/influx.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "exporter/httpbuf.h"

/* ---- escaping ---- */

static size_t
escape(char *dst, size_t len, const char *src, int tag)
{
	size_t o = 0;
	const char *s = src;

	if (len == 0)
		return (size_t)-1;
	if (*s == '\0') {
		if (len < 2)
			return (size_t)-1;
		dst[0] = '_';
		dst[1] = '\0';
		return 1;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int esc = c == ',' || c == ' ' || (tag && c == '=');

		if (c < 0x20 || c == 0x7f || c == '\\')
			c = '_';
		if (o + (esc ? 2 : 1) >= len)
			return (size_t)-1;
		if (esc)
			dst[o++] = '\\';
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return o;
}

size_t
influx_escape_measurement(char *dst, size_t len, const char *src)
{
	return escape(dst, len, src, 0);
}

size_t
influx_escape_tag(char *dst, size_t len, const char *src)
{
	return escape(dst, len, src, 1);
}

/* ---- the spool ---- */

struct spool_ent {
	uint64_t seq, bytes;
	uint32_t points;
};

struct influx_spool {
	char *dir;
	uint64_t max, bytes, next_seq;
	uint64_t lost, lost_points; /* files that could not be read */
	struct spool_ent *e;	    /* [head, n) are the files, oldest first */
	size_t head, n, cap;
};

static int
ent_cmp(const void *a, const void *b)
{
	const struct spool_ent *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
spool_add(struct influx_spool *s, uint64_t seq, uint32_t pts, uint64_t bytes)
{
	if (s->head > 0 && s->n == s->cap) {
		memmove(s->e, s->e + s->head, (s->n - s->head) * sizeof(*s->e));
		s->n -= s->head;
		s->head = 0;
	}
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		struct spool_ent *ne = realloc(s->e, nc * sizeof(*ne));

		if (ne == NULL)
			return -1;
		s->e = ne;
		s->cap = nc;
	}
	s->e[s->n].seq = seq;
	s->e[s->n].points = pts;
	s->e[s->n].bytes = bytes;
	s->n++;
	s->bytes += bytes;
	if (seq >= s->next_seq)
		s->next_seq = seq + 1;
	return 0;
}

static void
spool_path(const struct influx_spool *s, const struct spool_ent *e, char *buf,
	   size_t len)
{
	snprintf(buf, len, "%s/%020" PRIu64 "-%u.lp", s->dir, e->seq,
		 e->points);
}

struct influx_spool *
influx_spool_open(const char *dir, uint64_t max_bytes)
{
	struct influx_spool *s = calloc(1, sizeof(*s));
	DIR *d;
	struct dirent *de;

	if (s == NULL)
		return NULL;
	s->dir = strdup(dir);
	s->max = max_bytes ? max_bytes : INFLUX_SPOOL_MAX;
	if (s->dir == NULL || fs_mkdir_p(dir) != 0) {
		influx_spool_close(s);
		return NULL;
	}
	d = opendir(dir);
	if (d == NULL) {
		influx_spool_close(s);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		uint64_t seq;
		unsigned pts;
		int end = 0;
		char p[PATH_MAX];
		struct stat st;

		if (sscanf(de->d_name, "%20" SCNu64 "-%u.lp%n", &seq, &pts,
			   &end) != 2 ||
		    end == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (!strcmp(de->d_name + end, ".tmp")) {
			unlink(p); /* a write a crash interrupted */
			continue;
		}
		if (de->d_name[end] != '\0')
			continue;
		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		spool_add(s, seq, pts, (uint64_t)st.st_size);
	}
	closedir(d);
	if (s->n > 1)
		qsort(s->e, s->n, sizeof(*s->e), ent_cmp);
	return s;
}

void
influx_spool_close(struct influx_spool *s)
{
	if (s == NULL)
		return;
	free(s->dir);
	free(s->e);
	free(s);
}

void
influx_spool_pop(struct influx_spool *s)
{
	char p[PATH_MAX];
	struct spool_ent *e;

	if (s->head >= s->n)
		return;
	e = &s->e[s->head];
	spool_path(s, e, p, sizeof(p));
	unlink(p);
	s->bytes -= e->bytes;
	s->head++;
	if (s->head == s->n)
		s->head = s->n = 0;
}

int
influx_spool_push(struct influx_spool *s, const char *data, size_t len,
		  uint32_t points, uint64_t *dropped, uint64_t *dropped_points)
{
	struct spool_ent e = { s->next_seq, len, points };
	char p[PATH_MAX], tmp[PATH_MAX + 8];
	size_t off = 0;
	int fd;

	if (len > s->max)
		goto drop_new; /* could never fit */
	while (s->head < s->n && s->bytes + len > s->max) {
		*dropped += 1;
		*dropped_points += s->e[s->head].points;
		influx_spool_pop(s);
	}
	spool_path(s, &e, p, sizeof(p));
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0 || rename(tmp, p) != 0) {
		unlink(tmp);
		return -1;
	}
	return spool_add(s, e.seq, points, len);
drop_new:
	*dropped += 1;
	*dropped_points += points;
	return 0;
}

char *
influx_spool_peek(struct influx_spool *s, size_t *len, uint32_t *points)
{
	char p[PATH_MAX], *buf;
	struct spool_ent *e;
	FILE *f;
	size_t n;

	/* a file that cannot be read (removed by hand...) is skipped, and
	 * counted (influx_spool_take_lost) */
	while (s->head < s->n) {
		e = &s->e[s->head];
		spool_path(s, e, p, sizeof(p));
		buf = malloc(e->bytes + 1);
		f = fopen(p, "rb");
		if (buf == NULL || f == NULL) {
			free(buf);
			if (f)
				fclose(f);
			s->lost++;
			s->lost_points += e->points;
			influx_spool_pop(s);
			continue;
		}
		n = fread(buf, 1, e->bytes, f);
		fclose(f);
		buf[n] = '\0';
		*len = n;
		*points = e->points;
		return buf;
	}
	return NULL;
}

void
influx_spool_take_lost(struct influx_spool *s, uint64_t *batches,
		       uint64_t *points)
{
	*batches = s->lost;
	*points = s->lost_points;
	s->lost = s->lost_points = 0;
}

void
influx_spool_usage(const struct influx_spool *s, uint64_t *files,
		   uint64_t *bytes)
{
	*files = s->n - s->head;
	*bytes = s->bytes;
}

/* ---- state ---- */

struct series {
	struct series *next;
	int ifid, kind;
	uint64_t v[5];
	char name[WRITER_NAME_MAX];
};

#define SERIES_BUCKETS 4096

static struct influx_conf i_conf;
static char *i_url, *i_db, *i_user, *i_pass, *i_spooldir;
static int i_running; /* __atomic */
static pthread_t i_thr;
static pthread_mutex_t i_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t i_cond = PTHREAD_COND_INITIALIZER;
static int i_stop; /* under i_lock */
/* the memory buffer, under i_lock */
static char *i_buf;
static size_t i_len, i_cap;
static uint32_t i_pts;
/* series (writer-rrd only) */
static struct series *i_series[SERIES_BUCKETS];
/* statistics: atomics */
static struct influx_stats i_st;
#define IST_ADD(f, n) __atomic_fetch_add(&i_st.f, (n), __ATOMIC_RELAXED)
#define IST_SET(f, n) __atomic_store_n(&i_st.f, (n), __ATOMIC_RELAXED)
#define IST_GET(f) __atomic_load_n(&i_st.f, __ATOMIC_RELAXED)

static uint32_t
series_hash(int ifid, int kind, const char *name)
{
	uint32_t h = 2166136261u ^ (uint32_t)ifid ^ ((uint32_t)kind << 8);

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return h;
}

static struct series *
series_get(int ifid, int kind, const char *name)
{
	uint32_t b = series_hash(ifid, kind, name) % SERIES_BUCKETS;
	struct series *s;

	for (s = i_series[b]; s; s = s->next)
		if (s->ifid == ifid && s->kind == kind &&
		    !strcmp(s->name, name))
			return s;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->ifid = ifid;
	s->kind = kind;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->next = i_series[b];
	i_series[b] = s;
	return s;
}

/* Appends lines (npts points) to the memory buffer, or drops them. */
static void
buf_append(const char *lines, size_t n, uint32_t npts)
{
	IST_ADD(points, npts);
	pthread_mutex_lock(&i_lock);
	if (i_len + n > INFLUX_MEM_MAX) {
		pthread_mutex_unlock(&i_lock);
		IST_ADD(dropped_points, npts);
		return;
	}
	if (i_len + n + 1 > i_cap) {
		size_t nc = i_cap ? i_cap : 65536;
		char *nb;

		while (nc < i_len + n + 1)
			nc *= 2;
		nb = realloc(i_buf, nc);
		if (nb == NULL) {
			pthread_mutex_unlock(&i_lock);
			IST_ADD(dropped_points, npts);
			return;
		}
		i_buf = nb;
		i_cap = nc;
	}
	memcpy(i_buf + i_len, lines, n);
	i_len += n;
	i_buf[i_len] = '\0';
	i_pts += npts;
	pthread_mutex_unlock(&i_lock);
}

int
influx_lines(char *lines, size_t len, int ifid, int kind,
	     const struct writer_ts *ts, uint64_t cum[5], uint32_t *npts)
{
	char tag[2 * WRITER_NAME_MAX + 2];
	long long t = (long long)ts->t;
	int n;

	*npts = 0;
	switch (kind) {
	case WREC_TS_IFACE:
		cum[0] += ts->v[0]; /* bytes */
		cum[1] += ts->v[1]; /* packets */
		cum[4] += ts->v[4]; /* drops */
		cum[2] = ts->v[2];  /* flows, hosts: gauges */
		cum[3] = ts->v[3];
		n = snprintf(lines, len,
			     "iface:traffic,ifid=%d bytes=%" PRIu64 "i %lld\n"
			     "iface:packets,ifid=%d packets=%" PRIu64 "i %lld\n"
			     "iface:drops,ifid=%d packets=%" PRIu64 "i %lld\n"
			     "iface:flows,ifid=%d num_flows=%" PRIu64 "i %lld\n"
			     "iface:hosts,ifid=%d num_hosts=%" PRIu64
			     "i %lld\n",
			     ifid, cum[0], t, ifid, cum[1], t, ifid, cum[4], t,
			     ifid, cum[2], t, ifid, cum[3], t);
		*npts = 5;
		break;
	case WREC_TS_HOST:
	case WREC_TS_L7:
		cum[0] += ts->v[0];
		cum[1] += ts->v[1];
		if (influx_escape_tag(tag, sizeof(tag), ts->name) == (size_t)-1)
			return -1;
		if (kind == WREC_TS_HOST)
			n = snprintf(lines, len,
				     "host:traffic,ifid=%d,host=%s "
				     "bytes_sent=%" PRIu64
				     "i,bytes_rcvd=%" PRIu64 "i %lld\n",
				     ifid, tag, cum[0], cum[1], t);
		else
			n = snprintf(lines, len,
				     "iface:ndpi,ifid=%d,protocol=%s "
				     "bytes=%" PRIu64 "i,bytes_sent=%" PRIu64
				     "i,bytes_rcvd=%" PRIu64 "i %lld\n",
				     ifid, tag, cum[0] + cum[1], cum[0], cum[1],
				     t);
		*npts = 1;
		break;
	case WREC_TS_HOST_L7: {
		char ptag[2 * WRITER_NAME_MAX + 2];

		/* the host's own counters: written as they come */
		cum[0] = ts->v[0];
		cum[1] = ts->v[1];
		if (influx_escape_tag(tag, sizeof(tag), ts->name) ==
			    (size_t)-1 ||
		    influx_escape_tag(ptag, sizeof(ptag), ts->proto) ==
			    (size_t)-1)
			return -1;
		n = snprintf(lines, len,
			     "host:ndpi,ifid=%d,host=%s,protocol=%s "
			     "bytes_sent=%" PRIu64 "i,bytes_rcvd=%" PRIu64
			     "i %lld\n",
			     ifid, tag, ptag, cum[0], cum[1], t);
		*npts = 1;
		break;
	}
	default:
		return -1;
	}
	return n > 0 && (size_t)n < len ? n : -1;
}

void
influx_ts(int ifid, int kind, const struct writer_ts *ts)
{
	char lines[1024];
	struct series *s;
	uint32_t npts;
	int n;

	if (!influx_running())
		return;
	if (kind == WREC_TS_HOST_L7) {
		/* counters as they come: no series state */
		uint64_t cum[5] = { 0 };

		n = influx_lines(lines, sizeof(lines), ifid, kind, ts, cum,
				 &npts);
		if (n < 0)
			IST_ADD(dropped_points, 1);
		else
			buf_append(lines, (size_t)n, npts);
		return;
	}
	s = series_get(ifid, kind, kind == WREC_TS_IFACE ? "" : ts->name);
	if (s == NULL) {
		IST_ADD(dropped_points, 1);
		return;
	}
	n = influx_lines(lines, sizeof(lines), ifid, kind, ts, s->v, &npts);
	if (n < 0) {
		IST_ADD(dropped_points, 1);
		return;
	}
	buf_append(lines, (size_t)n, npts);
}

/* ---- HTTP ---- */

/*
 * One request: POST body (len bytes) when body is not NULL, else GET.
 * Returns the HTTP status, or -1 when no answer came (err says why).  The
 * answer (at most maxreply bytes) in *out (heap) when out is not NULL.
 */
static long
http_do(const char *url, const char *body, size_t len, const char *ctype,
	long timeout_ms, char **out, size_t maxreply, char *err, size_t errlen)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct httpbuf r = { .max = maxreply };
	char cerr[CURL_ERROR_SIZE] = "";
	long status = -1;
	CURLcode rc;

	if (out)
		*out = NULL;
	if (c == NULL) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, httpbuf_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (i_user != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, i_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, i_pass ? i_pass : "");
	}
	if (body != NULL) {
		char ct[96];

		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		h = curl_slist_append(h, ct);
		h = curl_slist_append(h, "Expect:");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)len);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	} else if (r.over) {
		snprintf(err, errlen, "answer larger than %zu bytes", maxreply);
	} else {
		snprintf(err, errlen, "%s",
			 cerr[0] ? cerr : curl_easy_strerror(rc));
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (status >= 0 && out != NULL) {
		*out = r.buf;
		r.buf = NULL;
	}
	free(r.buf);
	return status;
}

/* InfluxDB's "error" member of an answer, shortened, in err. */
static void
answer_error(const char *ans, char *err, size_t errlen)
{
	json_t *o = ans ? json_loads(ans, 0, NULL) : NULL;
	json_t *e = json_object_get(o, "error");
	size_t i;
	json_t *r;

	if (!json_is_string(e))
		json_array_foreach(json_object_get(o, "results"), i, r)
		{
			if (json_is_string(json_object_get(r, "error"))) {
				e = json_object_get(r, "error");
				break;
			}
		}
	if (json_is_string(e))
		snprintf(err, errlen, "%s", json_string_value(e));
	else
		snprintf(err, errlen, "%.200s", ans ? ans : "");
	for (i = 0; err[i]; i++)
		if ((unsigned char)err[i] < 0x20)
			err[i] = ' ';
	json_decref(o);
}

/* A statement to /query by POST (CREATE, ALTER).  0, or -1 (err). */
static int
influx_exec(const char *q, char *err, size_t errlen)
{
	char url[1024], *enc, *body, *ans = NULL;
	size_t blen;
	CURL *c = curl_easy_init();
	long st;
	int rc = -1;

	if (c == NULL)
		return -1;
	enc = curl_easy_escape(c, q, 0);
	curl_easy_cleanup(c);
	if (enc == NULL)
		return -1;
	blen = strlen(enc) + 3;
	body = malloc(blen);
	if (body == NULL) {
		curl_free(enc);
		return -1;
	}
	snprintf(body, blen, "q=%s", enc);
	curl_free(enc);
	snprintf(url, sizeof(url), "%s/query", i_url);
	st = http_do(url, body, strlen(body),
		     "application/x-www-form-urlencoded", 10000, &ans, 65536,
		     err, errlen);
	free(body);
	if (st == 200) {
		answer_error(ans, err, errlen);
		/* an "error" in the results: not done */
		rc = strstr(ans ? ans : "", "\"error\"") ? -1 : 0;
		if (rc == 0)
			err[0] = '\0';
	} else if (st > 0) {
		answer_error(ans, err, errlen);
	}
	free(ans);
	return rc;
}

/* CREATE DATABASE and the retention policy.  0 or -1 (logged once per
 * cause). */
static int
influx_setup(void)
{
	static char last_err[256];
	char q[512], err[256] = "", dur[32];
	int rc;

	snprintf(q, sizeof(q), "CREATE DATABASE \"%s\"", i_db);
	rc = influx_exec(q, err, sizeof(err));
	if (rc == 0) {
		if (i_conf.retention_days > 0)
			snprintf(dur, sizeof(dur), "%dd",
				 i_conf.retention_days);
		else
			snprintf(dur, sizeof(dur), "INF");
		snprintf(q, sizeof(q),
			 "CREATE RETENTION POLICY \"ntopng_retention\" ON "
			 "\"%s\" DURATION %s REPLICATION 1 DEFAULT",
			 i_db, dur);
		rc = influx_exec(q, err, sizeof(err));
		if (rc != 0) {
			/* it exists with another duration */
			snprintf(q, sizeof(q),
				 "ALTER RETENTION POLICY \"ntopng_retention\" "
				 "ON \"%s\" DURATION %s DEFAULT",
				 i_db, dur);
			rc = influx_exec(q, err, sizeof(err));
		}
	}
	if (rc == 0) {
		log_info("influxdb: database %s at %s ready (retention %s)",
			 i_db, i_url, dur);
		last_err[0] = '\0';
		return 0;
	}
	IST_ADD(failures, 1);
	IST_SET(connected, 0);
	if (strcmp(err, last_err) != 0) {
		log_warn("influxdb: cannot create database %s at %s: %s "
			 "(points are spooled; retrying)",
			 i_db, i_url, err[0] ? err : "no answer");
		snprintf(last_err, sizeof(last_err), "%s", err);
	}
	return -1;
}

/* ---- the writer-influx thread ---- */

enum { POST_OK, POST_DOWN, POST_REJECTED };

static struct influx_spool *i_spool; /* writer-influx (and start/stop) */
static long i_post_ms = 30000;	     /* a /write's timeout (writer-influx) */
static int i_ready;		     /* database set up (writer-influx) */

/* Posts one batch to /write.  Logs the first failure of a run of them. */
static int
post_batch(const char *data, size_t len, uint32_t pts)
{
	static char last_err[600];
	char url[1024], err[512] = "", *ans = NULL;
	long st;

	snprintf(url, sizeof(url), "%s/write?db=%s&precision=s", i_url, i_db);
	st = http_do(url, data, len, "text/plain; charset=utf-8", i_post_ms,
		     &ans, 65536, err, sizeof(err));
	if (st == 204 || st == 200) {
		free(ans);
		IST_ADD(points_written, pts);
		IST_ADD(batches, 1);
		IST_SET(connected, 1);
		if (last_err[0]) {
			log_info("influxdb: %s answers again", i_url);
			last_err[0] = '\0';
		}
		return POST_OK;
	}
	if (st == 404 && ans != NULL && strstr(ans, "database not found")) {
		/* dropped behind our back: made again, the batch kept */
		free(ans);
		i_ready = 0;
		IST_ADD(failures, 1);
		log_warn("influxdb: database %s not found: creating it again",
			 i_db);
		return POST_DOWN;
	}
	if (st == 401 || st == 403) {
		/* credentials, not the points: kept until they work */
		answer_error(ans, err, sizeof(err));
		free(ans);
		IST_ADD(failures, 1);
		IST_SET(connected, 0);
		if (strcmp(err, last_err) != 0) {
			log_warn("influxdb: write to %s refused (HTTP %ld): %s "
				 "(check --influxdb-user/--influxdb-password; "
				 "spooling)",
				 i_url, st, err);
			snprintf(last_err, sizeof(last_err), "%s", err);
		}
		return POST_DOWN;
	}
	if (st >= 400 && st < 500) {
		static char last_refusal[512];
		static uint64_t refusals;
		const char *d;
		uint32_t bad = pts;

		answer_error(ans, err, sizeof(err));
		free(ans);
		/* a partial write names how many points InfluxDB dropped
		 * (a field type conflict); the others were written */
		d = strstr(err, "dropped=");
		if (d != NULL) {
			unsigned long nb = strtoul(d + 8, NULL, 10);

			if (nb <= pts)
				bad = (uint32_t)nb;
		}
		IST_ADD(rejected, 1);
		IST_ADD(rejected_points, bad);
		IST_ADD(points_written, pts - bad);
		IST_SET(connected, 1);
		/* each new cause, then every 100th refusal */
		if (strcmp(err, last_refusal) != 0 || ++refusals % 100 == 0) {
			log_warn(
				"influxdb: %u of %u points refused (HTTP %ld): "
				"%s",
				bad, pts, st, err);
			snprintf(last_refusal, sizeof(last_refusal), "%s", err);
		}
		return POST_REJECTED;
	}
	if (st > 0)
		answer_error(ans, err, sizeof(err));
	free(ans);
	IST_ADD(failures, 1);
	IST_SET(connected, 0);
	if (last_err[0] == '\0') {
		if (st > 0)
			snprintf(last_err, sizeof(last_err), "HTTP %ld: %s", st,
				 err);
		else
			snprintf(last_err, sizeof(last_err), "%s", err);
		log_warn("influxdb: write to %s failed: %s (spooling under "
			 "%s)",
			 i_url, last_err, i_spooldir);
	}
	return POST_DOWN;
}

static void
spool_usage_stats(void)
{
	uint64_t f, b;

	influx_spool_usage(i_spool, &f, &b);
	IST_SET(spool_files, f);
	IST_SET(spool_bytes, b);
}

static void
to_spool(const char *data, size_t len, uint32_t pts)
{
	uint64_t d = 0, dp = 0;

	if (influx_spool_push(i_spool, data, len, pts, &d, &dp) != 0) {
		log_warn("influxdb: cannot spool %u points in %s: %s", pts,
			 i_spooldir, strerror(errno));
		IST_ADD(dropped, 1);
		IST_ADD(dropped_points, pts);
	} else {
		IST_ADD(spooled, 1);
		IST_ADD(spooled_points, pts);
	}
	if (d) {
		IST_ADD(dropped, d);
		IST_ADD(dropped_points, dp);
		log_warn("influxdb: spool full (%llu bytes): %llu oldest "
			 "batches (%llu points) dropped",
			 (unsigned long long)i_spool->max,
			 (unsigned long long)d, (unsigned long long)dp);
	}
	spool_usage_stats();
}

/* Spool files that could not be read: dropped, counted, logged. */
static void
spool_lost_stats(void)
{
	uint64_t b, p;

	influx_spool_take_lost(i_spool, &b, &p);
	if (b == 0)
		return;
	IST_ADD(dropped, b);
	IST_ADD(dropped_points, p);
	log_warn("influxdb: %llu spooled batches (%llu points) in %s could "
		 "not be read: dropped",
		 (unsigned long long)b, (unsigned long long)p, i_spooldir);
}

/* Sends the spool oldest first until a post fails. */
static void
drain_spool(void)
{
	char *data;
	size_t len;
	uint32_t pts;

	while ((data = influx_spool_peek(i_spool, &len, &pts)) != NULL) {
		int rc = post_batch(data, len, pts);

		free(data);
		if (rc == POST_DOWN)
			break;
		influx_spool_pop(i_spool);
	}
	spool_lost_stats();
	spool_usage_stats();
}

/* Posts the buffer (or spools it), then sends the spool.  final: the
 * stop's flush, bounded: no set-up, a 5 s post, the spool left for the
 * next start. */
static void
flush_once(int final)
{
	char *data;
	size_t len;
	uint32_t pts;
	uint64_t files, bytes;

	pthread_mutex_lock(&i_lock);
	data = i_buf;
	len = i_len;
	pts = i_pts;
	i_buf = NULL;
	i_len = i_cap = 0;
	i_pts = 0;
	pthread_mutex_unlock(&i_lock);
	if (!i_ready && !final && influx_setup() == 0)
		i_ready = 1;
	i_post_ms = final ? 5000 : 30000;
	influx_spool_usage(i_spool, &files, &bytes);
	if (len > 0) {
		if (!i_ready || files > 0 ||
		    post_batch(data, len, pts) == POST_DOWN)
			to_spool(data, len, pts);
	}
	free(data);
	if (i_ready && !final)
		drain_spool();
}

static void *
influx_main(void *arg)
{
	(void)arg;
	log_set_role("writer-influx");
	pthread_setname_np(pthread_self(), "writer-influx");
	/* the database at start (again at each flush until it worked) */
	if (influx_setup() == 0)
		i_ready = 1;
	for (;;) {
		struct timespec ts;
		int stop;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += i_conf.flush_ms / 1000;
		ts.tv_nsec += (long)(i_conf.flush_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&i_lock);
		if (!i_stop)
			pthread_cond_timedwait(&i_cond, &i_lock, &ts);
		stop = i_stop;
		pthread_mutex_unlock(&i_lock);
		flush_once(stop);
		if (stop)
			break;
	}
	return NULL;
}

int
influx_configured(void)
{
	return i_url != NULL;
}

int
influx_running(void)
{
	return __atomic_load_n(&i_running, __ATOMIC_ACQUIRE);
}

static char *
dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

int
influx_start(const struct influx_conf *c)
{
	char d[PATH_MAX];
	size_t n;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_err("influxdb: curl_global_init failed");
		return -1;
	}
	i_conf = *c;
	if (i_conf.flush_ms <= 0)
		i_conf.flush_ms = INFLUX_FLUSH_MS;
	i_url = strdup(c->url);
	i_db = strdup(c->db);
	i_user = dup_or_null(c->user);
	i_pass = dup_or_null(c->password);
	if (i_url == NULL || i_db == NULL)
		return -1;
	n = strlen(i_url);
	while (n > 0 && i_url[n - 1] == '/')
		i_url[--n] = '\0';
	snprintf(d, sizeof(d), "%s/%s", c->data_dir, INFLUX_SPOOL_DIR);
	i_spooldir = strdup(d);
	i_spool = influx_spool_open(d, c->spool_max);
	if (i_spool == NULL || i_spooldir == NULL) {
		log_err("influxdb: cannot open the spool %s: %s", d,
			strerror(errno));
		return -1;
	}
	spool_usage_stats();
	if (IST_GET(spool_files) > 0)
		log_info("influxdb: %llu batches (%llu bytes) of a previous "
			 "run wait in %s",
			 (unsigned long long)IST_GET(spool_files),
			 (unsigned long long)IST_GET(spool_bytes), d);
	i_stop = 0;
	__atomic_store_n(&i_running, 1, __ATOMIC_RELEASE);
	if (pthread_create(&i_thr, NULL, influx_main, NULL) != 0) {
		__atomic_store_n(&i_running, 0, __ATOMIC_RELEASE);
		log_err("influxdb: cannot start its thread");
		return -1;
	}
	log_info("influxdb: time series to %s, database %s", i_url, i_db);
	return 0;
}

void
influx_stop(void)
{
	unsigned i;

	if (!influx_running())
		return;
	pthread_mutex_lock(&i_lock);
	i_stop = 1;
	pthread_cond_signal(&i_cond);
	pthread_mutex_unlock(&i_lock);
	pthread_join(i_thr, NULL);
	__atomic_store_n(&i_running, 0, __ATOMIC_RELEASE);
	log_info("influxdb: %llu points, %llu written in %llu batches, "
		 "%llu failed posts, %llu batches refused (%llu points), "
		 "%llu spooled, %llu dropped (%llu points), %llu batches "
		 "left in the spool",
		 (unsigned long long)IST_GET(points),
		 (unsigned long long)IST_GET(points_written),
		 (unsigned long long)IST_GET(batches),
		 (unsigned long long)IST_GET(failures),
		 (unsigned long long)IST_GET(rejected),
		 (unsigned long long)IST_GET(rejected_points),
		 (unsigned long long)IST_GET(spooled),
		 (unsigned long long)IST_GET(dropped),
		 (unsigned long long)IST_GET(dropped_points),
		 (unsigned long long)IST_GET(spool_files));
	influx_spool_close(i_spool);
	i_spool = NULL;
	for (i = 0; i < SERIES_BUCKETS; i++)
		while (i_series[i]) {
			struct series *s = i_series[i];

			i_series[i] = s->next;
			free(s);
		}
	free(i_buf);
	i_buf = NULL;
	i_len = i_cap = 0;
	/* url and db stay: REST may still read until exit */
	curl_global_cleanup();
}

void
influx_get_stats(struct influx_stats *o)
{
	memset(o, 0, sizeof(*o));
#define ILOAD(f) o->f = IST_GET(f)
	ILOAD(points);
	ILOAD(points_written);
	ILOAD(batches);
	ILOAD(failures);
	ILOAD(rejected);
	ILOAD(rejected_points);
	ILOAD(spooled);
	ILOAD(spooled_points);
	ILOAD(dropped);
	ILOAD(dropped_points);
	ILOAD(spool_files);
	ILOAD(spool_bytes);
	ILOAD(connected);
#undef ILOAD
}

json_t *
influx_stats_json(void)
{
	struct influx_stats s;

	influx_get_stats(&s);
	return json_pack(
		"{s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
		"s:I}",
		"connected", s.connected, "points", (json_int_t)s.points,
		"points_written", (json_int_t)s.points_written, "batches",
		(json_int_t)s.batches, "failures", (json_int_t)s.failures,
		"rejected", (json_int_t)s.rejected, "rejected_points",
		(json_int_t)s.rejected_points, "spooled", (json_int_t)s.spooled,
		"spooled_points", (json_int_t)s.spooled_points, "dropped",
		(json_int_t)s.dropped, "dropped_points",
		(json_int_t)s.dropped_points, "spool_files",
		(json_int_t)s.spool_files, "spool_bytes",
		(json_int_t)s.spool_bytes);
}

/* ---- read back ---- */

struct metric {
	const char *meas, *field, *label;
	int counter;
};

static const struct metric m_iface[] = {
	{ "iface:traffic", "bytes", "bytes", 1 },
	{ "iface:packets", "packets", "packets", 1 },
	{ "iface:flows", "num_flows", "flows", 0 },
	{ "iface:hosts", "num_hosts", "hosts", 0 },
	{ "iface:drops", "packets", "drops", 1 },
};
static const struct metric m_host[] = {
	{ "host:traffic", "bytes_sent", "bytes_sent", 1 },
	{ "host:traffic", "bytes_rcvd", "bytes_rcvd", 1 },
};
static const struct metric m_ndpi[] = {
	{ "iface:ndpi", "bytes_sent", "bytes_sent", 1 },
	{ "iface:ndpi", "bytes_rcvd", "bytes_rcvd", 1 },
};

/* A tag value safe to put between single quotes in InfluxQL: letters,
 * digits and . : _ - @ only (host keys and nDPI names). */
static int
safe_tag_value(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && !strchr(".:_-@", s[n]))
			return 0;
	return n > 0 && n < WRITER_NAME_MAX;
}

/* A number of a row (integer or real), or NAN. */
static int
jval(json_t *v, double *out)
{
	if (json_is_integer(v))
		*out = (double)json_integer_value(v);
	else if (json_is_real(v))
		*out = json_real_value(v);
	else
		return 0;
	return 1;
}

int
influx_query(const char *schema, int ifid, const char *host,
	     const char *protocol, time_t begin, time_t end, json_t **out,
	     char *err, size_t errlen)
{
	const struct metric *m;
	size_t nm, i, k, rows, found = 0;
	char where[256], *q = NULL, *enc, *ans = NULL;
	long base, step, st;
	time_t start, stop;
	json_t *o = NULL, *res, *series;
	size_t qlen = 0, qcap = 8192;
	CURL *c;

	*out = NULL;
	if (i_url == NULL) {
		snprintf(err, errlen, "no InfluxDB");
		return -2;
	}
	if (!strcmp(schema, "iface:traffic")) {
		m = m_iface;
		nm = 5;
		snprintf(where, sizeof(where), "\"ifid\"='%d'", ifid);
		base = end - begin <= 3600 ? 1 : 60;
	} else if (!strcmp(schema, "host:traffic")) {
		if (host == NULL || !safe_tag_value(host))
			return -1;
		m = m_host;
		nm = 2;
		snprintf(where, sizeof(where),
			 "\"ifid\"='%d' AND \"host\"='%s'", ifid, host);
		base = 60;
	} else if (!strcmp(schema, "iface:ndpi")) {
		if (protocol == NULL || !safe_tag_value(protocol))
			return -1;
		m = m_ndpi;
		nm = 2;
		snprintf(where, sizeof(where),
			 "\"ifid\"='%d' AND \"protocol\"='%s'", ifid, protocol);
		base = 60;
	} else {
		return -1;
	}
	if (end <= begin)
		return -1;
	/* at most 3600 rows, whole multiples of the series' step */
	step = base;
	if ((end - begin) / step > 3600)
		step = ((end - begin + 3599) / 3600 + base - 1) / base * base;
	start = begin / step * step;
	stop = (end + step - 1) / step * step;
	rows = (size_t)((stop - start) / step);
	q = malloc(qcap);
	if (q == NULL)
		return -2;
	/* per metric: the last value in each row, and the last one before
	 * the range (the counter's baseline) */
	for (i = 0; i < nm; i++) {
		int n = snprintf(
			q + qlen, qcap - qlen,
			"%sSELECT last(\"%s\") FROM \"%s\" WHERE %s AND time "
			">= "
			"%llds AND time < %llds GROUP BY time(%lds) fill(none);"
			"SELECT last(\"%s\") FROM \"%s\" WHERE %s AND time < "
			"%llds",
			i ? ";" : "", m[i].field, m[i].meas, where,
			(long long)start, (long long)stop, step, m[i].field,
			m[i].meas, where, (long long)start);

		if (n < 0 || (size_t)n >= qcap - qlen) {
			free(q);
			return -2;
		}
		qlen += (size_t)n;
	}
	c = curl_easy_init();
	enc = c ? curl_easy_escape(c, q, (int)qlen) : NULL;
	if (c)
		curl_easy_cleanup(c);
	free(q);
	if (enc == NULL)
		return -2;
	qlen = strlen(enc) + strlen(i_url) + strlen(i_db) + 64;
	q = malloc(qlen);
	if (q == NULL) {
		curl_free(enc);
		return -2;
	}
	snprintf(q, qlen, "%s/query?db=%s&epoch=s&q=%s", i_url, i_db, enc);
	curl_free(enc);
	st = http_do(q, NULL, 0, NULL, 15000, &ans, INFLUX_REPLY_MAX, err,
		     errlen);
	free(q);
	if (st != 200) {
		if (st > 0)
			answer_error(ans, err, errlen);
		free(ans);
		return -2;
	}
	o = json_loads(ans, 0, NULL);
	free(ans);
	res = json_object_get(o, "results");
	if (!json_is_array(res) || json_array_size(res) != 2 * nm) {
		snprintf(err, errlen, "unexpected answer from InfluxDB");
		json_decref(o);
		return -2;
	}
	series = json_array();
	for (i = 0; i < nm && series; i++) {
		json_t *rv = json_object_get(
			json_array_get(
				json_object_get(json_array_get(res, 2 * i),
						"series"),
				0),
			"values");
		json_t *bv = json_object_get(
			json_array_get(
				json_object_get(json_array_get(res, 2 * i + 1),
						"series"),
				0),
			"values");
		double prev = 0, total = 0, x;
		json_t *data = json_array(), *row;
		size_t r = 0;

		if (json_array_size(rv) > 0)
			found++;
		if (json_is_array(bv) &&
		    jval(json_array_get(json_array_get(bv, 0), 1), &x))
			prev = x;
		for (k = 0; k < rows && data; k++) {
			time_t t = start + (time_t)k * step;
			double y;

			/* the row of this bucket, if InfluxDB had one */
			while (r < json_array_size(rv)) {
				row = json_array_get(rv, r);
				if (!json_is_integer(json_array_get(row, 0)) ||
				    json_integer_value(json_array_get(row, 0)) <
					    t) {
					r++;
					continue;
				}
				break;
			}
			row = json_array_get(rv, r);
			if (r >= json_array_size(rv) ||
			    json_integer_value(json_array_get(row, 0)) != t ||
			    !jval(json_array_get(row, 1), &y)) {
				json_array_append_new(data, json_null());
				continue;
			}
			r++;
			if (m[i].counter) {
				/* a counter that went back restarted */
				double d = y >= prev ? y - prev : y;

				prev = y;
				json_array_append_new(data,
						      json_real(d / step));
				total += d;
			} else {
				json_array_append_new(data, json_real(y));
				total += y * step;
			}
		}
		json_array_append_new(
			series,
			json_pack("{s:s,s:o,s:f}", "label", m[i].label, "data",
				  data ? data : json_array(), "total", total));
	}
	json_decref(o);
	if (found == 0) {
		json_decref(series);
		return 1;
	}
	*out = json_pack("{s:s,s:I,s:I,s:I,s:o,s:s}", "schema", schema, "start",
			 (json_int_t)start, "end", (json_int_t)stop, "step",
			 (json_int_t)step, "series",
			 series ? series : json_array(), "source", "influxdb");
	return *out ? 0 : -2;
}
