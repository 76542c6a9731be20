/*
 * kv.h - the node's small key-value store for preferences, users,
 * sessions and cached hosts: Redis (-r) when it answers, otherwise an
 * embedded store kept in the data directory, so the node always starts.
 *
 * Any thread may call these functions: with Redis each thread uses a
 * connection of its own (made on its first call), so one thread's slow
 * call never delays another's; the embedded store serialises access.
 * Keys and values are NUL-terminated strings; values are copied.  Calls
 * never block the caller for long: when Redis is gone they fall back and
 * count what could not be written (kv_stats).
 */
#ifndef STATE_KV_H
#define STATE_KV_H

#include <stdint.h>
#include <stdio.h>

struct prefs;

/* Opens the store (main thread, before other threads start). */
int kv_open(const struct prefs *p);
/* Main thread, once every other thread that used the store has ended:
 * closes every thread's Redis connection. */
void kv_close(void);

/* Returns a heap copy of the value (caller frees), or NULL if absent. */
char *kv_get(const char *key);
/* 1 when this thread's last kv_get/kv_hget got no answer from the store
 * (a Redis error or timeout): its NULL then means "unknown", not
 * "absent". */
int kv_last_read_failed(void);
/* ttl_s > 0: the key expires after ttl_s seconds.  Returns 0 or -1. */
int kv_set(const char *key, const char *value, int ttl_s);
int kv_del(const char *key);
/* Hash fields (e.g. ntopng.api_tokens). */
char *kv_hget(const char *key, const char *field);
int kv_hset(const char *key, const char *field, const char *value);
int kv_hdel(const char *key, const char *field);
/* Calls fn for every key matching a glob pattern ("user.*.password"). */
int kv_scan(const char *pattern, void (*fn)(const char *key, void *arg),
	    void *arg);

struct kv_stats {
	int redis_connected; /* 1 while Redis answers */
	int embedded;	     /* 1: no Redis at start, embedded store */
	uint64_t reconnects;
	uint64_t write_failures; /* writes lost while Redis was away */
	uint64_t ops;
};
void kv_get_stats(struct kv_stats *out);
/* 1 when the embedded store is in use (no Redis at start). */
int kv_is_embedded(void);

/*
 * Files holding credentials (kv.json, users files): kv_private_create()
 * opens <path>.tmp (tmp receives its name, tmplen >= PATH_MAX) mode 0600
 * whatever the umask; kv_private_commit() flushes, closes and renames it
 * over path (0 or -1, the temporary file removed on failure; the caller's
 * FILE is closed either way).  kv_private_narrow() makes an existing file
 * that others may read 0600, with a warning.
 */
FILE *kv_private_create(const char *path, char *tmp, size_t tmplen);
int kv_private_commit(FILE *f, const char *tmp, const char *path);
void kv_private_narrow(const char *path);

#endif
