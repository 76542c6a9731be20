/*
 * kv.c - see kv.h.  Two backends:
 *
 *  - Redis (-r host[:port][@db], or a unix socket path: any text with a
 *    '/').  Every thread that calls the store gets its own hiredis
 *    connection, made on its first call (pthread key; freed when the
 *    thread ends, or by kv_close), with 300 ms connect and command
 *    timeouts.  No lock is held around a Redis command, so a login on an
 *    HTTP thread never waits behind the writer's host-cache flush.
 *    When a command fails the thread's connection is dropped; its next
 *    call reconnects, at most once a second, so a caller waits at most one
 *    timeout while Redis is away.  Meanwhile reads answer "absent" and
 *    writes fail and are counted (kv_stats.write_failures).
 *  - Embedded: chosen once at start when Redis does not answer (one
 *    warning line).  Entries live in a list in memory under one mutex;
 *    keys without a TTL (preferences, users, tokens) are also saved to
 *    <data-dir>/kv.json, rewritten atomically (temporary file + rename)
 *    after every change, and loaded at start.  The file holds password
 *    hashes and token hashes: it is created mode 0600 and every rewrite
 *    keeps 0600 (a wider file found at start is narrowed).  Keys with a
 *    TTL (cached hosts, sessions) stay in memory: they are a cache, and
 *    rewriting the file for each would be too slow.
 *    kv.json: {"keys":{"k":"v",...},"hashes":{"k":{"f":"v",...},...}}.
 *
 * Expiry in the embedded store is honoured on read.  Statistics are
 * updated with atomic operations (any thread).
 */
#include "state/kv.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <jansson.h>

#include "common/log.h"
#include "common/prefs.h"

#define KV_TIMEOUT_MS 300
#define KV_RETRY_MS 1000

struct kv_entry {
	char *key;
	char *field; /* NULL for plain keys */
	char *value;
	time_t expires; /* 0 = never */
	struct kv_entry *next;
};

/* The embedded store's list; also guards kv_conns (the registry). */
static pthread_mutex_t kv_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kv_entry *kv_head;
static struct kv_stats kv_st; /* atomics */

/* One Redis connection per thread (see the head comment). */
struct kv_conn {
	redisContext *ctx; /* NULL while disconnected */
	uint64_t last_try_ms;
	struct kv_conn *next; /* kv_conns, under kv_lock */
};

static int kv_use_redis; /* backend chosen at kv_open */
static pthread_key_t kv_conn_key;
static int kv_conn_key_made;
static struct kv_conn *kv_conns; /* every thread's, for kv_close */
static char kv_host[256];	 /* host, or unix socket path */
static int kv_port, kv_db, kv_unix;
static char *kv_file; /* <data-dir>/kv.json (embedded) */

#define KV_INC(field) __atomic_add_fetch(&kv_st.field, 1, __ATOMIC_RELAXED)

static uint64_t
kv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- Redis ---- */

/* Parses host[:port][@db] or a socket path into kv_host/kv_port/kv_db. */
static int
kv_parse_spec(const char *spec)
{
	const char *at, *colon;
	char *end;
	size_t hlen;
	long v;

	kv_port = 6379;
	kv_db = 0;
	kv_unix = strchr(spec, '/') != NULL;
	at = strrchr(spec, '@');
	if (at != NULL) {
		errno = 0;
		v = strtol(at + 1, &end, 10);
		if (errno || end == at + 1 || *end || v < 0 || v > 1000000)
			return -1;
		kv_db = (int)v;
	} else {
		at = spec + strlen(spec);
	}
	colon = kv_unix ? NULL : memchr(spec, ':', (size_t)(at - spec));
	hlen = (size_t)((colon ? colon : at) - spec);
	if (hlen == 0 || hlen >= sizeof(kv_host))
		return -1;
	memcpy(kv_host, spec, hlen);
	kv_host[hlen] = '\0';
	if (colon != NULL) {
		char buf[16];
		size_t plen = (size_t)(at - colon - 1);

		if (plen == 0 || plen >= sizeof(buf))
			return -1;
		memcpy(buf, colon + 1, plen);
		buf[plen] = '\0';
		errno = 0;
		v = strtol(buf, &end, 10);
		if (errno || *end || v <= 0 || v > 65535)
			return -1;
		kv_port = (int)v;
	}
	return 0;
}

static void
kv_redis_drop(struct kv_conn *c)
{
	if (c->ctx != NULL) {
		redisFree(c->ctx);
		c->ctx = NULL;
		__atomic_store_n(&kv_st.redis_connected, 0, __ATOMIC_RELAXED);
		log_warn("redis %s: connection lost, retrying every second",
			 kv_host);
	}
}

/* Connects c.  Returns 0 when connected. */
static int
kv_redis_connect(struct kv_conn *c)
{
	struct timeval tv = { 0, KV_TIMEOUT_MS * 1000 };
	redisContext *ctx;
	redisReply *r;

	c->last_try_ms = kv_now_ms();
	ctx = kv_unix ? redisConnectUnixWithTimeout(kv_host, tv)
		      : redisConnectWithTimeout(kv_host, kv_port, tv);
	if (ctx == NULL)
		return -1;
	if (ctx->err || redisSetTimeout(ctx, tv) != REDIS_OK) {
		redisFree(ctx);
		return -1;
	}
	r = redisCommand(ctx, "SELECT %d", kv_db);
	if (r == NULL || r->type == REDIS_REPLY_ERROR) {
		if (r != NULL)
			log_warn("redis: SELECT %d: %s", kv_db, r->str);
		freeReplyObject(r);
		redisFree(ctx);
		return -1;
	}
	freeReplyObject(r);
	c->ctx = ctx;
	__atomic_store_n(&kv_st.redis_connected, 1, __ATOMIC_RELAXED);
	return 0;
}

/* pthread key destructor: the thread ends, its connection goes. */
static void
kv_conn_free(void *arg)
{
	struct kv_conn *c = arg, **pp;

	pthread_mutex_lock(&kv_lock);
	for (pp = &kv_conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	pthread_mutex_unlock(&kv_lock);
	if (c->ctx != NULL)
		redisFree(c->ctx);
	free(c);
}

/* The calling thread's connection record, made on first use; NULL only
 * when out of memory.  Its first connect is tried at once. */
static struct kv_conn *
kv_conn_self(void)
{
	struct kv_conn *c = pthread_getspecific(kv_conn_key);

	if (c != NULL)
		return c;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	if (pthread_setspecific(kv_conn_key, c) != 0) {
		free(c);
		return NULL;
	}
	pthread_mutex_lock(&kv_lock);
	c->next = kv_conns;
	kv_conns = c;
	pthread_mutex_unlock(&kv_lock);
	if (kv_redis_connect(c) != 0)
		log_warn("redis %s: not reachable from this thread, retrying "
			 "every second",
			 kv_host);
	return c;
}

/* Makes sure c is connected, retrying once a second. */
static int
kv_redis_ready(struct kv_conn *c)
{
	if (c->ctx != NULL)
		return 1;
	if (kv_now_ms() - c->last_try_ms < KV_RETRY_MS)
		return 0;
	if (kv_redis_connect(c) != 0)
		return 0;
	KV_INC(reconnects);
	log_info("redis %s: reconnected", kv_host);
	return 1;
}

/* Runs one command on the calling thread's connection; NULL when Redis
 * is away or answered an error. */
static redisReply *
kv_redis_cmdv(int argc, const char **argv)
{
	struct kv_conn *c = kv_conn_self();
	redisReply *r;

	if (c == NULL || !kv_redis_ready(c))
		return NULL;
	r = redisCommandArgv(c->ctx, argc, argv, NULL);
	if (r == NULL) {
		/* A connection that was fine may be stale (Redis restarted):
		 * reconnect at once and retry this one command.  While Redis
		 * stays away this happens once, then the 1 s pacing applies. */
		kv_redis_drop(c);
		if (kv_redis_connect(c) != 0)
			return NULL;
		KV_INC(reconnects);
		log_info("redis %s: reconnected", kv_host);
		r = redisCommandArgv(c->ctx, argc, argv, NULL);
		if (r == NULL) {
			kv_redis_drop(c);
			return NULL;
		}
	}
	if (r->type == REDIS_REPLY_ERROR) {
		log_warn("redis %s: %s", argv[0], r->str);
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

static char *
kv_reply_str(redisReply *r)
{
	char *v = NULL;

	if (r != NULL && r->type == REDIS_REPLY_STRING)
		v = strndup(r->str, r->len);
	freeReplyObject(r);
	return v;
}

/* ---- embedded store ---- */

static void
kv_entry_free(struct kv_entry *e)
{
	free(e->key);
	free(e->field);
	free(e->value);
	free(e);
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Finds (key, field) under the lock, dropping it if expired. */
static struct kv_entry **
kv_find(const char *key, const char *field)
{
	struct kv_entry **pp;
	time_t now = time(NULL);

	for (pp = &kv_head; *pp != NULL;) {
		struct kv_entry *e = *pp;

		if (e->expires && e->expires <= now) {
			*pp = e->next;
			kv_entry_free(e);
			continue;
		}
		if (strcmp(e->key, key) == 0 && same(e->field, field))
			return pp;
		pp = &e->next;
	}
	return NULL;
}

static int
kv_mem_set(const char *key, const char *field, const char *value, int ttl_s)
{
	struct kv_entry **pp, *e;
	char *nv = strdup(value);

	if (nv == NULL)
		return -1;
	pp = kv_find(key, field);
	if (pp != NULL) {
		e = *pp;
		free(e->value);
		e->value = nv;
		e->expires = ttl_s > 0 ? time(NULL) + ttl_s : 0;
		return 0;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		free(nv);
		return -1;
	}
	e->key = strdup(key);
	e->field = field ? strdup(field) : NULL;
	e->value = nv;
	e->expires = ttl_s > 0 ? time(NULL) + ttl_s : 0;
	if (e->key == NULL || (field && e->field == NULL)) {
		kv_entry_free(e);
		return -1;
	}
	e->next = kv_head;
	kv_head = e;
	return 0;
}

FILE *
kv_private_create(const char *path, char *tmp, size_t tmplen)
{
	FILE *f;
	int fd;

	if (snprintf(tmp, tmplen, "%s.tmp", path) >= (int)tmplen) {
		log_warn("%s: path too long", path);
		return NULL;
	}
	/* A temporary file left by a crash (or planted) is replaced, never
	 * followed; fchmod because an existing file keeps its mode. */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 || fchmod(fd, 0600) != 0) {
		log_warn("%s: cannot create: %s", tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return NULL;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		log_warn("%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
	}
	return f;
}

int
kv_private_commit(FILE *f, const char *tmp, const char *path)
{
	int bad = ferror(f);

	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		bad = 1;
	if (fclose(f) != 0)
		bad = 1;
	if (bad || rename(tmp, path) != 0) {
		log_warn("%s: cannot save: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Rewrites kv.json with every entry without a TTL (lock held). */
static int
kv_file_save(void)
{
	json_t *root, *keys, *hashes;
	struct kv_entry *e;
	char tmp[PATH_MAX];
	int rc = -1;
	FILE *f;

	if (kv_file == NULL)
		return 0;
	root = json_object();
	keys = json_object();
	hashes = json_object();
	if (!root || !keys || !hashes)
		goto out;
	for (e = kv_head; e != NULL; e = e->next) {
		json_t *h;

		if (e->expires)
			continue;
		if (e->field == NULL) {
			json_object_set_new(keys, e->key,
					    json_string(e->value));
			continue;
		}
		h = json_object_get(hashes, e->key);
		if (h == NULL) {
			h = json_object();
			json_object_set_new(hashes, e->key, h);
		}
		json_object_set_new(h, e->field, json_string(e->value));
	}
	json_object_set(root, "keys", keys);
	json_object_set(root, "hashes", hashes);
	f = kv_private_create(kv_file, tmp, sizeof(tmp));
	if (f == NULL)
		goto out;
	if (json_dumpf(root, f, JSON_COMPACT) != 0) {
		log_warn("%s: cannot save: %s", kv_file, strerror(errno));
		fclose(f);
		unlink(tmp);
		goto out;
	}
	rc = kv_private_commit(f, tmp, kv_file);
out:
	json_decref(keys);
	json_decref(hashes);
	json_decref(root);
	return rc;
}

void
kv_private_narrow(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 077) == 0)
		return;
	if (chmod(path, 0600) == 0)
		log_warn("%s: was readable by others (mode %03o): now 0600",
			 path, (unsigned)(st.st_mode & 0777));
	else
		log_warn(
			"%s: readable by others (mode %03o), cannot narrow: %s",
			path, (unsigned)(st.st_mode & 0777), strerror(errno));
}

static void
kv_file_load(void)
{
	json_error_t err;
	json_t *root, *keys, *hashes, *v, *h;
	const char *k, *f;

	if (access(kv_file, F_OK) != 0)
		return;
	kv_private_narrow(kv_file);
	root = json_load_file(kv_file, 0, &err);
	if (root == NULL || !json_is_object(root)) {
		log_err("%s: not a valid store (%s, line %d): starting empty",
			kv_file, err.text, err.line);
		json_decref(root);
		return;
	}
	keys = json_object_get(root, "keys");
	hashes = json_object_get(root, "hashes");
	json_object_foreach(keys, k, v) if (json_is_string(v))
		kv_mem_set(k, NULL, json_string_value(v), 0);
	json_object_foreach(hashes, k, h)
		json_object_foreach(h, f, v) if (json_is_string(v))
			kv_mem_set(k, f, json_string_value(v), 0);
	json_decref(root);
}

/* ---- API ---- */

int
kv_open(const struct prefs *p)
{
	const char *spec = p->redis ? p->redis : "127.0.0.1:6379";
	char path[PATH_MAX];
	struct kv_conn *c;

	if (kv_parse_spec(spec) != 0) {
		log_err("-r %s: expected host[:port][@db] or a socket path",
			spec);
		return -1;
	}
	if (!kv_conn_key_made) {
		if (pthread_key_create(&kv_conn_key, kv_conn_free) != 0) {
			log_err("kv: pthread_key_create failed");
			return -1;
		}
		kv_conn_key_made = 1;
	}
	/* The main thread's connection decides the backend. */
	c = calloc(1, sizeof(*c));
	if (c != NULL && kv_redis_connect(c) == 0 &&
	    pthread_setspecific(kv_conn_key, c) == 0) {
		pthread_mutex_lock(&kv_lock);
		c->next = kv_conns;
		kv_conns = c;
		pthread_mutex_unlock(&kv_lock);
		kv_use_redis = 1;
		log_info("redis %s%s%d db %d: connected", kv_host,
			 kv_unix ? "" : ":", kv_unix ? 0 : kv_port, kv_db);
		return 0;
	}
	if (c != NULL) {
		if (c->ctx != NULL)
			redisFree(c->ctx);
		free(c);
	}
	__atomic_store_n(&kv_st.redis_connected, 0, __ATOMIC_RELAXED);
	kv_use_redis = 0;
	pthread_mutex_lock(&kv_lock);
	if (p->data_dir != NULL && snprintf(path, sizeof(path), "%s/kv.json",
					    p->data_dir) < (int)sizeof(path)) {
		kv_file = strdup(path);
		if (kv_file != NULL)
			kv_file_load();
	}
	pthread_mutex_unlock(&kv_lock);
	log_warn("redis %s not reachable: using the embedded store %s "
		 "(preferences and users only; host cache in memory)",
		 spec, kv_file ? kv_file : "(memory)");
	return 0;
}

int
kv_is_embedded(void)
{
	return !kv_use_redis;
}

void
kv_close(void)
{
	struct kv_conn *c;

	/* Called when the other threads are gone: their connections
	 * (still registered if they did not end) are freed here. */
	pthread_mutex_lock(&kv_lock);
	while ((c = kv_conns) != NULL) {
		kv_conns = c->next;
		if (c->ctx != NULL)
			redisFree(c->ctx);
		free(c);
	}
	if (kv_conn_key_made) {
		/* the caller's value points into the list just freed */
		pthread_setspecific(kv_conn_key, NULL);
		pthread_key_delete(kv_conn_key);
		kv_conn_key_made = 0;
	}
	__atomic_store_n(&kv_st.redis_connected, 0, __ATOMIC_RELAXED);
	while (kv_head != NULL) {
		struct kv_entry *e = kv_head;

		kv_head = e->next;
		kv_entry_free(e);
	}
	free(kv_file);
	kv_file = NULL;
	kv_use_redis = 0;
	pthread_mutex_unlock(&kv_lock);
}

/* this thread's last read: 1 when the store did not answer (a Redis
 * error or timeout), 0 when it answered, absent or not */
static __thread int kv_read_failed;

int
kv_last_read_failed(void)
{
	return kv_read_failed;
}

static char *
kv_get2(const char *key, const char *field)
{
	struct kv_entry **pp;
	char *v = NULL;

	KV_INC(ops);
	if (kv_use_redis) {
		const char *argv[3] = { field ? "HGET" : "GET", key, field };
		redisReply *r = kv_redis_cmdv(field ? 3 : 2, argv);

		kv_read_failed = r == NULL || r->type == REDIS_REPLY_ERROR;
		return kv_reply_str(r);
	}
	kv_read_failed = 0;
	pthread_mutex_lock(&kv_lock);
	pp = kv_find(key, field);
	if (pp != NULL)
		v = strdup((*pp)->value);
	pthread_mutex_unlock(&kv_lock);
	return v;
}

static int
kv_set2(const char *key, const char *field, const char *value, int ttl_s)
{
	int rc = -1;

	KV_INC(ops);
	if (kv_use_redis) {
		redisReply *r;
		char ttl[16];

		if (field != NULL) {
			const char *argv[4] = { "HSET", key, field, value };

			r = kv_redis_cmdv(4, argv);
		} else if (ttl_s > 0) {
			const char *argv[5] = { "SET", key, value, "EX", ttl };

			snprintf(ttl, sizeof(ttl), "%d", ttl_s);
			r = kv_redis_cmdv(5, argv);
		} else {
			const char *argv[3] = { "SET", key, value };

			r = kv_redis_cmdv(3, argv);
		}
		rc = r != NULL ? 0 : -1;
		freeReplyObject(r);
	} else {
		pthread_mutex_lock(&kv_lock);
		rc = kv_mem_set(key, field, value, ttl_s);
		if (rc == 0 && ttl_s <= 0)
			kv_file_save();
		pthread_mutex_unlock(&kv_lock);
	}
	if (rc != 0)
		KV_INC(write_failures);
	return rc;
}

static int
kv_del2(const char *key, const char *field)
{
	struct kv_entry **pp, *e;
	int rc = 0;

	KV_INC(ops);
	if (kv_use_redis) {
		const char *argv[3] = { field ? "HDEL" : "DEL", key, field };
		redisReply *r = kv_redis_cmdv(field ? 3 : 2, argv);

		if (r == NULL) {
			rc = -1;
			KV_INC(write_failures);
		}
		freeReplyObject(r);
		return rc;
	}
	pthread_mutex_lock(&kv_lock);
	pp = kv_find(key, field);
	if (pp != NULL) {
		int persisted;

		e = *pp;
		*pp = e->next;
		persisted = !e->expires;
		kv_entry_free(e);
		if (persisted)
			kv_file_save();
	}
	pthread_mutex_unlock(&kv_lock);
	return rc;
}

char *
kv_get(const char *key)
{
	return kv_get2(key, NULL);
}

int
kv_set(const char *key, const char *value, int ttl_s)
{
	return kv_set2(key, NULL, value, ttl_s);
}

int
kv_del(const char *key)
{
	return kv_del2(key, NULL);
}

char *
kv_hget(const char *key, const char *field)
{
	return kv_get2(key, field);
}

int
kv_hset(const char *key, const char *field, const char *value)
{
	return kv_set2(key, field, value, 0);
}

int
kv_hdel(const char *key, const char *field)
{
	return kv_del2(key, field);
}

/* Appends a copy of key to *keys (n entries). */
static void
kv_keys_add(char ***keys, size_t *n, const char *key, size_t len)
{
	char **nk = realloc(*keys, (*n + 1) * sizeof(**keys));

	if (nk == NULL)
		return;
	*keys = nk;
	nk[*n] = strndup(key, len);
	if (nk[*n] != NULL)
		(*n)++;
}

int
kv_scan(const char *pattern, void (*fn)(const char *key, void *arg), void *arg)
{
	struct kv_entry *e;
	char **keys = NULL;
	size_t n = 0, i;
	int rc = 0;

	/* collect (under the lock when embedded), call back without it */
	KV_INC(ops);
	if (kv_use_redis) {
		char cursor[32] = "0";

		do {
			const char *argv[6] = { "SCAN",	 cursor,  "MATCH",
						pattern, "COUNT", "1000" };
			redisReply *r = kv_redis_cmdv(6, argv);

			if (r == NULL || r->type != REDIS_REPLY_ARRAY ||
			    r->elements != 2 ||
			    r->element[0]->type != REDIS_REPLY_STRING ||
			    r->element[0]->len >= sizeof(cursor) ||
			    r->element[1]->type != REDIS_REPLY_ARRAY) {
				freeReplyObject(r);
				rc = -1;
				break;
			}
			memcpy(cursor, r->element[0]->str, r->element[0]->len);
			cursor[r->element[0]->len] = '\0';
			for (i = 0; i < r->element[1]->elements; i++) {
				redisReply *k = r->element[1]->element[i];

				if (k->type == REDIS_REPLY_STRING)
					kv_keys_add(&keys, &n, k->str, k->len);
			}
			freeReplyObject(r);
		} while (strcmp(cursor, "0") != 0);
	} else {
		pthread_mutex_lock(&kv_lock);
		kv_find("", NULL); /* drops expired entries */
		for (e = kv_head; e != NULL; e = e->next)
			if (e->field == NULL &&
			    fnmatch(pattern, e->key, 0) == 0)
				kv_keys_add(&keys, &n, e->key, strlen(e->key));
		pthread_mutex_unlock(&kv_lock);
	}
	for (i = 0; i < n; i++) {
		fn(keys[i], arg);
		free(keys[i]);
	}
	free(keys);
	return rc;
}

void
kv_get_stats(struct kv_stats *out)
{
	out->redis_connected =
		__atomic_load_n(&kv_st.redis_connected, __ATOMIC_RELAXED);
	out->embedded = !kv_use_redis;
	out->reconnects = __atomic_load_n(&kv_st.reconnects, __ATOMIC_RELAXED);
	out->write_failures =
		__atomic_load_n(&kv_st.write_failures, __ATOMIC_RELAXED);
	out->ops = __atomic_load_n(&kv_st.ops, __ATOMIC_RELAXED);
}
