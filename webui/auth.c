/*
 * auth.c - users, passwords, sessions, API tokens, brute-force guard.
 *
 * How it works: every record is a key of the key-value store (auth.h lists
 * them), so users added with `redis-cli SET user.x.password <md5>` (seed
 * Appendix E) are honoured as they are.  A password record is either 32
 * hex digits (md5 of the password, 1.x format) or a libsodium
 * crypto_pwhash_str string ("$argon2id$..."); a correct md5 password is
 * rewritten as argon2id at once.  Argon2id costs ~0.1 s on purpose, which
 * would make every Basic-authenticated REST call slow, so successful
 * checks are remembered for a few minutes as a keyed hash of
 * (user, password, record): a changed record no longer matches.
 * Sessions are random 128-bit ids (hex) stored as sessions.<id> =
 * "user|group|csrf" with the idle timeout as TTL, renewed on every use.
 * The users file (-u, lines "user.<name>.<field>=<value>") is loaded into
 * the store at start and rewritten whenever a user changes.
 * The login form's CSRF token is a double-submit pair (auth.h): nothing
 * is stored, the browser holds the token in a cookie and in the form.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/log.h"
#include "common/prefs.h"
#include "exporter/kv.h"
#include "webui/auth.h"
#include "webui/md5.h"

#define AUTH_CACHE_SLOTS 32
#define AUTH_CACHE_SECONDS 300
#define AUTH_PASS_MAX 256

static const char *auth_users_file;
static int auth_no_idle_logout;
static int auth_admin_default = 1;

/* Remembered successful argon2 checks. */
static struct {
	unsigned char key[crypto_generichash_BYTES];
	time_t when;
} auth_cache[AUTH_CACHE_SLOTS];
static unsigned int auth_cache_next;
static unsigned char auth_cache_secret[crypto_generichash_KEYBYTES];
static pthread_mutex_t auth_lock = PTHREAD_MUTEX_INITIALIZER;

int
auth_name_valid(const char *name)
{
	size_t n = 0;

	if (!name)
		return 0;
	for (; name[n]; n++) {
		unsigned char c = (unsigned char)name[n];

		if (!isalnum(c) && c != '_' && c != '-' && c != '@')
			return 0;
	}
	return n > 0 && n < AUTH_NAME_MAX;
}

static char *
user_get(const char *user, const char *field)
{
	char key[128];

	if (!auth_name_valid(user))
		return NULL;
	snprintf(key, sizeof(key), "user.%.32s.%.32s", user, field);
	return kv_get(key);
}

static int
user_set(const char *user, const char *field, const char *value)
{
	char key[128];

	snprintf(key, sizeof(key), "user.%.32s.%.32s", user, field);
	return kv_set(key, value, 0);
}

static void
random_hex(char *out, size_t hexlen)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char b[64];

	if (hexlen / 2 > sizeof(b))
		hexlen = sizeof(b) * 2;
	randombytes_buf(b, hexlen / 2);
	for (size_t i = 0; i < hexlen / 2; i++) {
		out[i * 2] = digits[b[i] >> 4];
		out[i * 2 + 1] = digits[b[i] & 15];
	}
	out[hexlen] = '\0';
}

void
auth_form_token_new(char tok[AUTH_ID_LEN + 1])
{
	random_hex(tok, AUTH_ID_LEN);
}

int
auth_form_token_check(const char *cookie, const char *form)
{
	size_t i;

	if (!cookie || !form || strlen(cookie) != AUTH_ID_LEN ||
	    strlen(form) != AUTH_ID_LEN)
		return 0;
	for (i = 0; i < AUTH_ID_LEN; i++)
		if (!isxdigit((unsigned char)cookie[i]))
			return 0;
	return sodium_memcmp(cookie, form, AUTH_ID_LEN) == 0;
}

static int
is_md5_hex(const char *s)
{
	size_t n;

	for (n = 0; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]))
			return 0;
	return n == 32;
}

/* ------------------------------------------------------------------ */
/* users file                                                          */

struct save_ctx {
	FILE *f;
};

static void
save_one(const char *key, void *arg)
{
	struct save_ctx *s = arg;
	char *v = kv_get(key);

	/* Values never hold a newline (we write them), skip any that do. */
	if (v && !strchr(v, '\n'))
		fprintf(s->f, "%s=%s\n", key, v);
	free(v);
}

/* Rewrites the users file (if any) from the store, atomically. */
static void
users_file_save(void)
{
	char tmp[4096];
	struct save_ctx s;

	if (!auth_users_file)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", auth_users_file);
	s.f = fopen(tmp, "w");
	if (!s.f) {
		log_warn("auth: cannot write %s: %s", tmp, strerror(errno));
		return;
	}
	kv_scan("user.*", save_one, &s);
	if (fclose(s.f) != 0 || rename(tmp, auth_users_file) != 0)
		log_warn("auth: cannot update %s: %s", auth_users_file,
			 strerror(errno));
}

/* Loads "user.<name>.<field>=<value>" lines; others are skipped with a
 * warning.  Returns 0, or -1 when the file cannot be read. */
static int
users_file_load(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int lineno = 0, n = 0;

	if (!f) {
		log_err("auth: cannot read users file %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *eq, *name, *field, *end;
		size_t len = strlen(line);

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
			       line[len - 1] == ' '))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq || strncmp(line, "user.", 5)) {
			log_warn("auth: %s:%d: not a user.<name>.<field>=<value> line",
				 path, lineno);
			continue;
		}
		*eq = '\0';
		name = line + 5;
		field = strchr(name, '.');
		if (!field) {
			log_warn("auth: %s:%d: no field name", path, lineno);
			continue;
		}
		*field++ = '\0';
		end = eq + 1;
		if (!auth_name_valid(name) ||
		    (strcmp(field, "password") && strcmp(field, "group") &&
		     strcmp(field, "full_name"))) {
			log_warn("auth: %s:%d: bad user name or field", path, lineno);
			continue;
		}
		if (!strcmp(field, "password") && !is_md5_hex(end) &&
		    strncmp(end, "$argon2", 7)) {
			log_warn("auth: %s:%d: password is not an md5 hex digest",
				 path, lineno);
			continue;
		}
		user_set(name, field, end);
		n++;
	}
	fclose(f);
	log_info("auth: %d user records from %s", n, path);
	return 0;
}

/* ------------------------------------------------------------------ */
/* passwords                                                           */

static void
cache_key(const char *user, const char *pass, const char *rec,
	  unsigned char out[crypto_generichash_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, auth_cache_secret, sizeof(auth_cache_secret),
				crypto_generichash_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)user, strlen(user) + 1);
	crypto_generichash_update(&st, (const unsigned char *)pass, strlen(pass) + 1);
	crypto_generichash_update(&st, (const unsigned char *)rec, strlen(rec));
	crypto_generichash_final(&st, out, crypto_generichash_BYTES);
}

static int
cache_hit(const unsigned char *k)
{
	time_t now = time(NULL);
	int hit = 0;

	pthread_mutex_lock(&auth_lock);
	for (int i = 0; i < AUTH_CACHE_SLOTS && !hit; i++)
		hit = auth_cache[i].when && now - auth_cache[i].when < AUTH_CACHE_SECONDS &&
		      !sodium_memcmp(auth_cache[i].key, k, crypto_generichash_BYTES);
	pthread_mutex_unlock(&auth_lock);
	return hit;
}

static void
cache_put(const unsigned char *k)
{
	pthread_mutex_lock(&auth_lock);
	memcpy(auth_cache[auth_cache_next].key, k, crypto_generichash_BYTES);
	auth_cache[auth_cache_next].when = time(NULL);
	auth_cache_next = (auth_cache_next + 1) % AUTH_CACHE_SLOTS;
	pthread_mutex_unlock(&auth_lock);
}

static int
hash_password(const char *pass, char out[crypto_pwhash_STRBYTES])
{
	return crypto_pwhash_str(out, pass, strlen(pass),
				 crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

/* 1 when pass matches the record rec (md5 hex or argon2 string). */
static int
record_matches(const char *user, const char *rec, const char *pass)
{
	unsigned char k[crypto_generichash_BYTES];
	char hex[33];

	if (is_md5_hex(rec)) {
		char lower[33];

		for (int i = 0; i < 33; i++)
			lower[i] = (char)tolower((unsigned char)rec[i]);
		md5_hex(pass, strlen(pass), hex);
		return !sodium_memcmp(hex, lower, 32);
	}
	if (strncmp(rec, "$argon2", 7))
		return 0;
	cache_key(user, pass, rec, k);
	if (cache_hit(k))
		return 1;
	if (crypto_pwhash_str_verify(rec, pass, strlen(pass)) != 0)
		return 0;
	cache_put(k);
	return 1;
}

int
auth_password_check(const char *user, const char *pass)
{
	char *rec;
	int ok;

	if (!pass || strlen(pass) > AUTH_PASS_MAX)
		return 0;
	rec = user_get(user, "password");
	if (!rec)
		return 0;
	ok = record_matches(user, rec, pass);
	if (ok && is_md5_hex(rec)) {
		char h[crypto_pwhash_STRBYTES];

		/* Upgrade the 1.x md5 record now that we know the password. */
		if (hash_password(pass, h) == 0 && user_set(user, "password", h) == 0) {
			log_info("auth: password of %s upgraded to argon2id", user);
			users_file_save();
		}
	}
	free(rec);
	return ok;
}

int
auth_user_exists(const char *user)
{
	char *rec = user_get(user, "password");
	int r = rec != NULL;

	free(rec);
	return r;
}

int
auth_user_is_admin(const char *user)
{
	char *g = user_get(user, "group");
	int r;

	if (!g)
		return user && !strcmp(user, "admin");
	r = !strcmp(g, "administrator");
	free(g);
	return r;
}

int
auth_admin_default_password(void)
{
	return __atomic_load_n(&auth_admin_default, __ATOMIC_RELAXED);
}

static void
admin_default_update(void)
{
	char *rec = user_get("admin", "password");
	int def = rec && record_matches("admin", rec, "admin");

	free(rec);
	__atomic_store_n(&auth_admin_default, def, __ATOMIC_RELAXED);
}

int
auth_user_add(const char *user, const char *full_name, const char *pass,
	      int admin)
{
	char h[crypto_pwhash_STRBYTES];

	if (!auth_name_valid(user) || !pass || !*pass ||
	    strlen(pass) > AUTH_PASS_MAX || hash_password(pass, h) != 0)
		return -1;
	if (user_set(user, "password", h) ||
	    user_set(user, "group", admin ? "administrator" : "unprivileged") ||
	    user_set(user, "full_name", full_name && !strchr(full_name, '\n') ?
		     full_name : ""))
		return -1;
	if (!strcmp(user, "admin"))
		admin_default_update();
	users_file_save();
	return 0;
}

struct del_ctx {
	const char *user;
};

static void
drop_sessions_of(const char *key, void *arg)
{
	struct del_ctx *d = arg;
	char *v = kv_get(key);
	size_t n = strlen(d->user);

	if (v && !strncmp(v, d->user, n) && v[n] == '|')
		kv_del(key);
	free(v);
}

int
auth_user_delete(const char *user)
{
	char key[128];
	struct del_ctx d = { user };

	if (!auth_user_exists(user))
		return -1;
	snprintf(key, sizeof(key), "user.%s.password", user);
	kv_del(key);
	snprintf(key, sizeof(key), "user.%s.group", user);
	kv_del(key);
	snprintf(key, sizeof(key), "user.%s.full_name", user);
	kv_del(key);
	kv_scan("sessions.*", drop_sessions_of, &d);
	users_file_save();
	return 0;
}

int
auth_user_set_password(const char *user, const char *pass)
{
	char h[crypto_pwhash_STRBYTES];

	if (!auth_user_exists(user) || !pass || !*pass ||
	    strlen(pass) > AUTH_PASS_MAX || hash_password(pass, h) != 0)
		return -1;
	if (user_set(user, "password", h))
		return -1;
	if (!strcmp(user, "admin"))
		admin_default_update();
	users_file_save();
	return 0;
}

static void
list_one(const char *key, void *arg)
{
	json_t *a = arg;
	char name[AUTH_NAME_MAX];
	const char *p = key + 5, *dot = strchr(p, '.');
	char *full, *g;

	if (!dot || (size_t)(dot - p) >= sizeof(name) || strcmp(dot, ".password"))
		return;
	memcpy(name, p, (size_t)(dot - p));
	name[dot - p] = '\0';
	full = user_get(name, "full_name");
	g = user_get(name, "group");
	json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "username", name,
		"full_name", full ? full : "",
		"group", auth_user_is_admin(name) ? "administrator" : "unprivileged"));
	free(full);
	free(g);
}

static int
user_cmp(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "username")),
		      json_string_value(json_object_get(*(json_t *const *)b, "username")));
}

json_t *
auth_users_list(void)
{
	json_t *a = json_array(), *sorted = json_array();
	json_t **v;
	size_t n;

	kv_scan("user.*.password", list_one, a);
	n = json_array_size(a);
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		json_decref(sorted);
		return a;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(a, i);
	qsort(v, n, sizeof(*v), user_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append(sorted, v[i]);
	free(v);
	json_decref(a);
	return sorted;
}

/* ------------------------------------------------------------------ */
/* sessions                                                            */

int
auth_session_ttl(void)
{
	char *v;
	long t = AUTH_DEFAULT_IDLE;

	if (auth_no_idle_logout)
		return 0;
	v = kv_get("ntopng.prefs.auth_session_duration");
	if (v) {
		char *end;

		errno = 0;
		t = strtol(v, &end, 10);
		if (errno || end == v || *end || t < 1 || t > 365L * 86400)
			t = AUTH_DEFAULT_IDLE;
		free(v);
	}
	return (int)t;
}

static int
id_valid(const char *id)
{
	size_t n;

	for (n = 0; id[n]; n++)
		if (!isxdigit((unsigned char)id[n]))
			return 0;
	return n == AUTH_ID_LEN;
}

int
auth_session_create(const char *user, struct auth_user *u)
{
	char key[64], val[128];

	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", user);
	u->admin = auth_user_is_admin(user);
	random_hex(u->session, AUTH_ID_LEN);
	random_hex(u->csrf, AUTH_ID_LEN);
	u->via_session = 1;
	snprintf(key, sizeof(key), "sessions.%s", u->session);
	snprintf(val, sizeof(val), "%s|%s|%s", user,
		 u->admin ? "administrator" : "unprivileged", u->csrf);
	return kv_set(key, val, auth_session_ttl());
}

int
auth_session_lookup(const char *id, struct auth_user *u)
{
	char key[64], *v, *p1, *p2;

	if (!id || !id_valid(id))
		return 0;
	snprintf(key, sizeof(key), "sessions.%s", id);
	v = kv_get(key);
	if (!v)
		return 0;
	p1 = strchr(v, '|');
	p2 = p1 ? strchr(p1 + 1, '|') : NULL;
	if (!p2 || (size_t)(p1 - v) >= sizeof(u->name) ||
	    strlen(p2 + 1) != AUTH_ID_LEN) {
		free(v);
		return 0;
	}
	memset(u, 0, sizeof(*u));
	memcpy(u->name, v, (size_t)(p1 - v));
	/* The group is read again: a demoted user loses rights at once. */
	if (!auth_user_exists(u->name)) {
		free(v);
		kv_del(key);
		return 0;
	}
	u->admin = auth_user_is_admin(u->name);
	memcpy(u->csrf, p2 + 1, AUTH_ID_LEN + 1);
	memcpy(u->session, id, AUTH_ID_LEN + 1);
	u->via_session = 1;
	kv_set(key, v, auth_session_ttl());       /* slide the idle timeout */
	free(v);
	return 1;
}

void
auth_session_delete(const char *id)
{
	char key[64];

	if (!id || !id_valid(id))
		return;
	snprintf(key, sizeof(key), "sessions.%s", id);
	kv_del(key);
}

/* ------------------------------------------------------------------ */
/* API tokens                                                          */

int
auth_token_lookup(const char *token, char *user, size_t len)
{
	char *u;

	if (!token || !id_valid(token))
		return 0;
	u = kv_hget("ntopng.api_tokens", token);
	if (!u)
		return 0;
	if (!auth_user_exists(u) || strlen(u) >= len) {
		free(u);
		return 0;
	}
	memcpy(user, u, strlen(u) + 1);
	free(u);
	return 1;
}

int
auth_token_create(const char *user, char tok[AUTH_ID_LEN + 1])
{
	char key[64], *old;

	snprintf(key, sizeof(key), "user.%s.api_token", user);
	old = kv_get(key);
	if (old) {
		kv_hdel("ntopng.api_tokens", old);
		free(old);
	}
	random_hex(tok, AUTH_ID_LEN);
	if (kv_hset("ntopng.api_tokens", tok, user) != 0)
		return -1;
	return kv_set(key, tok, 0);
}

/* ------------------------------------------------------------------ */
/* brute-force guard                                                   */

static void
fail_key(const char *addr, char *key, size_t len)
{
	snprintf(key, len, "ntopng.cache.login_failures.%s", addr ? addr : "?");
}

int
auth_locked(const char *addr)
{
	char key[128], *v;
	long n = 0;

	fail_key(addr, key, sizeof(key));
	v = kv_get(key);
	if (v) {
		n = strtol(v, NULL, 10);
		free(v);
	}
	return n >= AUTH_LOCK_FAILURES;
}

void
auth_failure(const char *addr)
{
	char key[128], val[32], *v;
	long n = 0;

	fail_key(addr, key, sizeof(key));
	pthread_mutex_lock(&auth_lock);
	v = kv_get(key);
	if (v) {
		n = strtol(v, NULL, 10);
		free(v);
	}
	snprintf(val, sizeof(val), "%ld", n + 1);
	/* The window restarts with every failure: a slow guesser stays out. */
	kv_set(key, val, AUTH_LOCK_SECONDS);
	pthread_mutex_unlock(&auth_lock);
	if (n + 1 == AUTH_LOCK_FAILURES)
		log_warn("auth: %d failed logins from %s: locked out for %d s",
			 AUTH_LOCK_FAILURES, addr, AUTH_LOCK_SECONDS);
}

void
auth_success(const char *addr)
{
	char key[128];

	fail_key(addr, key, sizeof(key));
	kv_del(key);
}

/* ------------------------------------------------------------------ */

int
auth_init(const struct prefs *p)
{
	char *rec;

	if (sodium_init() < 0) {
		log_err("auth: libsodium cannot start");
		return -1;
	}
	randombytes_buf(auth_cache_secret, sizeof(auth_cache_secret));
	auth_no_idle_logout = p->disable_autologout;
	auth_users_file = p->users_file;
	if (p->users_file && users_file_load(p->users_file) < 0)
		return -1;
	rec = user_get("admin", "password");
	if (!rec) {
		char h[33];

		/* Default account of the seed: admin / admin. */
		md5_hex("admin", 5, h);
		user_set("admin", "password", h);
		user_set("admin", "group", "administrator");
		user_set("admin", "full_name", "ntopng Administrator");
	}
	free(rec);
	admin_default_update();
	if (auth_admin_default_password() && p->disable_login != 1)
		log_warn("auth: user admin still has the default password; change it");
	return 0;
}
