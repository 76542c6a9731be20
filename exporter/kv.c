/*
 * kv.c - see kv.h.  This first version keeps everything in memory (a
 * list under one mutex); the Redis backend and the embedded on-disk
 * store replace it (issue: persistence).  Expiry is honoured on read.
 */
#include "exporter/kv.h"

#include <fnmatch.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct kv_entry {
	char *key;
	char *field;                 /* NULL for plain keys */
	char *value;
	time_t expires;              /* 0 = never */
	struct kv_entry *next;
};

static pthread_mutex_t kv_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kv_entry *kv_head;
static struct kv_stats kv_st;

int
kv_open(const struct prefs *p)
{
	(void)p;
	return 0;
}

static void
kv_entry_free(struct kv_entry *e)
{
	free(e->key);
	free(e->field);
	free(e->value);
	free(e);
}

void
kv_close(void)
{
	pthread_mutex_lock(&kv_lock);
	while (kv_head != NULL) {
		struct kv_entry *e = kv_head;

		kv_head = e->next;
		kv_entry_free(e);
	}
	pthread_mutex_unlock(&kv_lock);
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
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

static char *
kv_get2(const char *key, const char *field)
{
	struct kv_entry **pp;
	char *v = NULL;

	pthread_mutex_lock(&kv_lock);
	kv_st.ops++;
	pp = kv_find(key, field);
	if (pp != NULL)
		v = strdup((*pp)->value);
	pthread_mutex_unlock(&kv_lock);
	return v;
}

static int
kv_set2(const char *key, const char *field, const char *value, int ttl_s)
{
	struct kv_entry **pp, *e;
	char *nv = strdup(value);
	int rc = -1;

	if (nv == NULL)
		return -1;
	pthread_mutex_lock(&kv_lock);
	kv_st.ops++;
	pp = kv_find(key, field);
	if (pp != NULL) {
		e = *pp;
		free(e->value);
		e->value = nv;
		e->expires = ttl_s > 0 ? time(NULL) + ttl_s : 0;
		rc = 0;
	} else if ((e = calloc(1, sizeof(*e))) != NULL) {
		e->key = strdup(key);
		e->field = field ? strdup(field) : NULL;
		e->value = nv;
		e->expires = ttl_s > 0 ? time(NULL) + ttl_s : 0;
		if (e->key == NULL || (field && e->field == NULL)) {
			kv_entry_free(e);
		} else {
			e->next = kv_head;
			kv_head = e;
			rc = 0;
		}
	} else {
		free(nv);
	}
	if (rc != 0)
		kv_st.write_failures++;
	pthread_mutex_unlock(&kv_lock);
	return rc;
}

static int
kv_del2(const char *key, const char *field)
{
	struct kv_entry **pp, *e;

	pthread_mutex_lock(&kv_lock);
	kv_st.ops++;
	pp = kv_find(key, field);
	if (pp != NULL) {
		e = *pp;
		*pp = e->next;
		kv_entry_free(e);
	}
	pthread_mutex_unlock(&kv_lock);
	return 0;
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

int
kv_scan(const char *pattern, void (*fn)(const char *key, void *arg), void *arg)
{
	struct kv_entry *e;
	char **keys = NULL;
	size_t n = 0, i;

	/* collect under the lock, call back without it */
	pthread_mutex_lock(&kv_lock);
	for (e = kv_head; e != NULL; e = e->next) {
		char **nk;

		if (e->field != NULL || fnmatch(pattern, e->key, 0) != 0)
			continue;
		nk = realloc(keys, (n + 1) * sizeof(*keys));
		if (nk == NULL)
			break;
		keys = nk;
		keys[n] = strdup(e->key);
		if (keys[n] != NULL)
			n++;
	}
	pthread_mutex_unlock(&kv_lock);
	for (i = 0; i < n; i++) {
		fn(keys[i], arg);
		free(keys[i]);
	}
	free(keys);
	return 0;
}

void
kv_get_stats(struct kv_stats *out)
{
	pthread_mutex_lock(&kv_lock);
	*out = kv_st;
	pthread_mutex_unlock(&kv_lock);
}
