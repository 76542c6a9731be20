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
 * API tokens are random 128-bit ids shown once, when made; the store
 * keeps only their SHA-256 (user.<name>.api_token and the field of
 * ntopng.api_tokens), and a presented token is hashed and must match
 * both, so a stale hash entry never authenticates anyone.
 * Deleting a user removes every user.<name>.* key, its token and its
 * sessions; a new password ends the user's sessions and revokes its token.
 *
 * Users files, one "user.<name>.<field>=<value>" a line (fields password,
 * group, full_name, api_token): the -u file is loaded into the store at
 * start and rewritten whenever a user changes, and so is a copy in the
 * data directory (<data-dir>/users.conf), both mode 0600.  The copy is
 * what brings the users back when Redis loses them (FLUSHALL, a restart
 * without persistence): the key ntopng.user_store.saved is set with the
 * users; a lookup that misses while that key is gone restores the copy
 * (records Redis lacks only), at most once a second.  At start the same
 * check runs before the default admin/admin is made, so a changed admin
 * password survives an emptied Redis.
 * The login form's CSRF token is a double-submit pair (auth.h): nothing
 * is stored, the browser holds the token in a cookie and in the form.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/log.h"
#include "common/prefs.h"
#include "state/kv.h"
#include "state/auth.h"
#include "state/md5.h"

#define AUTH_CACHE_SLOTS 32
#define AUTH_CACHE_SECONDS 300
#define AUTH_PASS_MAX 256

#define AUTH_TOKENS_KEY "ntopng.api_tokens"
#define AUTH_SAVED_KEY "ntopng.user_store.saved"
#define AUTH_HASH_HEX (crypto_hash_sha256_BYTES * 2)

static const char *auth_users_file;
static char auth_copy_file[PATH_MAX]; /* <data-dir>/users.conf, or "" */
static int auth_no_idle_logout;
static int auth_admin_default = 1;
/* Serialises rewrites of the users files and restores of the copy. */
static pthread_mutex_t auth_file_lock = PTHREAD_MUTEX_INITIALIZER;
static time_t auth_last_restore;

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

static int users_restore_if_lost(void);

/* The record, or NULL.  A missing password record (the one every user
 * has) first checks whether the store lost its users, see the head. */
static char *
user_get(const char *user, const char *field)
{
	char key[128], *v;

	if (!auth_name_valid(user))
		return NULL;
	snprintf(key, sizeof(key), "user.%.32s.%.32s", user, field);
	v = kv_get(key);
	if (v == NULL && !kv_last_read_failed() && !strcmp(field, "password") &&
	    users_restore_if_lost())
		v = kv_get(key);
	return v;
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
is_hex_len(const char *s, size_t len)
{
	size_t n;

	for (n = 0; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]))
			return 0;
	return n == len;
}

static int
is_md5_hex(const char *s)
{
	return is_hex_len(s, 32);
}

/* SHA-256 of an API token, lower-case hex: what the store keeps. */
static void
token_hash(const char *tok, char out[AUTH_HASH_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)tok, strlen(tok));
	sodium_bin2hex(out, AUTH_HASH_HEX + 1, h, sizeof(h));
}

/* ------------------------------------------------------------------ */
/* users file                                                          */

/* The fields a users file holds: what users_file_load() accepts is
 * exactly what users_file_write() writes. */
static const char *const user_fields[] = { "password", "group", "full_name",
					   "api_token" };

static int
user_field_known(const char *field)
{
	for (size_t i = 0; i < sizeof(user_fields) / sizeof(user_fields[0]);
	     i++)
		if (!strcmp(field, user_fields[i]))
			return 1;
	return 0;
}

/* 1 when value is acceptable for field in a users file. */
static int
user_value_valid(const char *field, const char *value)
{
	if (strchr(value, '\n') || strchr(value, '\r'))
		return 0;
	if (!strcmp(field, "password"))
		return is_md5_hex(value) || !strncmp(value, "$argon2", 7);
	if (!strcmp(field, "api_token"))
		return is_hex_len(value, AUTH_HASH_HEX);
	return 1;
}

struct names {
	char (*v)[AUTH_NAME_MAX];
	size_t n;
};

/* kv_scan callback: collects <name> of user.<name>.password keys. */
static void
collect_name(const char *key, void *arg)
{
	struct names *nm = arg;
	const char *p = key + 5, *dot = strchr(p, '.');
	char(*nv)[AUTH_NAME_MAX];

	if (strncmp(key, "user.", 5) || !dot || strcmp(dot, ".password") ||
	    (size_t)(dot - p) >= AUTH_NAME_MAX)
		return;
	nv = realloc(nm->v, (nm->n + 1) * sizeof(*nm->v));
	if (!nv)
		return;
	nm->v = nv;
	memcpy(nv[nm->n], p, (size_t)(dot - p));
	nv[nm->n][dot - p] = '\0';
	if (auth_name_valid(nv[nm->n]))
		nm->n++;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Every user name in the store (those with a password record), sorted.
 * The caller frees nm->v.  Returns -1 when the store did not answer. */
static int
users_names(struct names *nm)
{
	nm->v = NULL;
	nm->n = 0;
	if (kv_scan("user.*.password", collect_name, nm) != 0)
		return -1;
	if (nm->n > 1)
		qsort(nm->v, nm->n, sizeof(*nm->v), name_cmp);
	return 0;
}

/* Writes the known records of every user to path (mode 0600, atomic).
 * A password that cannot be read (Redis went away meanwhile) leaves the
 * old file as it was: a partial file would lose users.  File lock held. */
static void
users_file_write(const char *path, const struct names *nm)
{
	char tmp[PATH_MAX];
	FILE *f = kv_private_create(path, tmp, sizeof(tmp));

	if (!f)
		return;
	fputs("# ntopng users: user.<name>.<field>=<value>; api_token is the\n"
	      "# SHA-256 of the token.  Rewritten by ntopng.\n",
	      f);
	for (size_t i = 0; i < nm->n; i++)
		for (size_t j = 0;
		     j < sizeof(user_fields) / sizeof(user_fields[0]); j++) {
			char key[128], *v;

			snprintf(key, sizeof(key), "user.%s.%s", nm->v[i],
				 user_fields[j]);
			v = kv_get(key);
			if (!v && j == 0) {
				log_warn("auth: %s not rewritten: the store "
					 "did not "
					 "answer",
					 path);
				fclose(f);
				unlink(tmp);
				return;
			}
			if (v && user_value_valid(user_fields[j], v))
				fprintf(f, "%s=%s\n", key, v);
			free(v);
		}
	kv_private_commit(f, tmp, path);
}

/* Rewrites the data directory's copy and (with_u) the -u users file
 * from the store, and marks the store as holding its users.  Nothing is
 * written when the store does not answer or holds no user (admin always
 * exists): the files are then the better record. */
static void
users_files_write(int with_u)
{
	struct names nm;

	pthread_mutex_lock(&auth_file_lock);
	if (users_names(&nm) == 0 && nm.n > 0) {
		if (with_u && auth_users_file)
			users_file_write(auth_users_file, &nm);
		if (auth_copy_file[0])
			users_file_write(auth_copy_file, &nm);
		kv_set(AUTH_SAVED_KEY, "1", 0);
	}
	pthread_mutex_unlock(&auth_file_lock);
	free(nm.v);
}

/* After a change of a user: both files. */
static void
users_file_save(void)
{
	users_files_write(1);
}

/* Loads "user.<name>.<field>=<value>" lines; others are skipped with a
 * warning.  only_missing: a record the store has already is kept (a
 * restore).  An api_token of 32 hex digits is a token in clear (files
 * written before tokens were hashed): it is stored hashed and *clear is
 * set, so that the caller rewrites the file.  Returns the number of
 * records written, or -1 when the file cannot be read. */
static int
users_file_load(const char *path, int only_missing, int *clear)
{
	FILE *f = fopen(path, "r");
	char line[1024], h[AUTH_HASH_HEX + 1];
	int lineno = 0, n = 0;

	if (!f) {
		log_err("auth: cannot read users file %s: %s", path,
			strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *eq, *name, *field, *end, key[128], *old;
		size_t len = strlen(line);

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
			       line[len - 1] == ' '))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq || strncmp(line, "user.", 5)) {
			log_warn("auth: %s:%d: not a "
				 "user.<name>.<field>=<value> line",
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
		if (!strcmp(field, "api_token") &&
		    is_hex_len(end, AUTH_ID_LEN)) {
			token_hash(end, h);
			end = h;
			if (clear)
				*clear = 1;
		}
		if (!auth_name_valid(name) || !user_field_known(field)) {
			log_warn("auth: %s:%d: bad user name or field", path,
				 lineno);
			continue;
		}
		if (!user_value_valid(field, end)) {
			log_warn("auth: %s:%d: bad %s value (password: md5 hex "
				 "or "
				 "argon2; api_token: SHA-256 hex)",
				 path, lineno, field);
			continue;
		}
		snprintf(key, sizeof(key), "user.%.32s.%.16s", name, field);
		if (only_missing && (old = kv_get(key)) != NULL) {
			free(old);
			continue;
		}
		if (kv_set(key, end, 0) != 0)
			continue;
		if (!strcmp(field, "api_token"))
			kv_hset(AUTH_TOKENS_KEY, end, name);
		n++;
	}
	fclose(f);
	log_info("auth: %d user records from %s", n, path);
	return n;
}

/* 1 when the store had lost its users and the copy in the data directory
 * put records back (see the head comment).  Any thread. */
static int
users_restore_if_lost(void)
{
	char *v;
	int n = 0;
	time_t now = time(NULL);

	if (!auth_copy_file[0] || kv_is_embedded())
		return 0;
	v = kv_get(AUTH_SAVED_KEY);
	if (v) {
		free(v);
		return 0;
	}
	pthread_mutex_lock(&auth_file_lock);
	v = kv_get(AUTH_SAVED_KEY);
	if (!v && now != auth_last_restore &&
	    access(auth_copy_file, F_OK) == 0) {
		auth_last_restore = now;
		n = users_file_load(auth_copy_file, 1, NULL);
		/* Set only if Redis answers: then the users are back. */
		if (n >= 0 && kv_set(AUTH_SAVED_KEY, "1", 0) == 0 && n > 0)
			log_warn("auth: the store had lost its users (Redis "
				 "emptied?): %d records restored from %s",
				 n, auth_copy_file);
	}
	free(v);
	pthread_mutex_unlock(&auth_file_lock);
	return n > 0;
}

/* ------------------------------------------------------------------ */
/* passwords                                                           */

static void
cache_key(const char *user, const char *pass, const char *rec,
	  unsigned char out[crypto_generichash_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, auth_cache_secret,
				sizeof(auth_cache_secret),
				crypto_generichash_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)user,
				  strlen(user) + 1);
	crypto_generichash_update(&st, (const unsigned char *)pass,
				  strlen(pass) + 1);
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
		hit = auth_cache[i].when &&
		      now - auth_cache[i].when < AUTH_CACHE_SECONDS &&
		      !sodium_memcmp(auth_cache[i].key, k,
				     crypto_generichash_BYTES);
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
		if (hash_password(pass, h) == 0 &&
		    user_set(user, "password", h) == 0) {
			log_info("auth: password of %s upgraded to argon2id",
				 user);
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
	    user_set(user, "full_name",
		     full_name && !strchr(full_name, '\n') ? full_name : ""))
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

/* Ends every session of user and revokes its API token.  Returns -1
 * when the store refused a deletion. */
static int
revoke_all(const char *user)
{
	char key[128], *h;
	struct del_ctx d = { user };
	int rc = 0;

	snprintf(key, sizeof(key), "user.%s.api_token", user);
	h = kv_get(key);
	if (h) {
		if (kv_hdel(AUTH_TOKENS_KEY, h) != 0)
			rc = -1;
		free(h);
	}
	if (kv_del(key) != 0)
		rc = -1;
	if (kv_scan("sessions.*", drop_sessions_of, &d) != 0)
		rc = -1;
	return rc;
}

static void
del_key(const char *key, void *arg)
{
	kv_del(key);
}

int
auth_user_delete(const char *user)
{
	char pat[128];

	if (!auth_user_exists(user))
		return -1;
	revoke_all(user);
	/* Every user.<name>.* key (names hold no glob characters), also
	 * fields another tool wrote. */
	snprintf(pat, sizeof(pat), "user.%s.*", user);
	kv_scan(pat, del_key, NULL);
	users_file_save();
	return auth_user_exists(user) ? -1 : 0;
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
	/* Whoever held a session or the token may have had the old
	 * password: they log in again with the new one. */
	revoke_all(user);
	if (!strcmp(user, "admin"))
		admin_default_update();
	users_file_save();
	return 0;
}

json_t *
auth_users_list(void)
{
	json_t *o = json_object();
	struct names nm;

	users_restore_if_lost();
	if (users_names(&nm) != 0) {
		free(nm.v);
		json_decref(o);
		return NULL;
	}
	for (size_t i = 0; i < nm.n && o; i++) {
		const char *name = nm.v[i];
		char *full = user_get(name, "full_name");

		/* upstream's ntop.getUsers() entry, without the password */
		json_object_set_new(
			o, name,
			json_pack("{s:s,s:s,s:s,s:s,s:s}", "username", name,
				  "full_name", full ? full : "", "group",
				  auth_user_is_admin(name) ? "administrator"
							   : "unprivileged",
				  "allowed_nets", "0.0.0.0/0,::/0",
				  "allowed_ifname", ""));
		free(full);
	}
	free(nm.v);
	return o;
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
	/* The group is read again: a demoted user loses rights at once.  A
	 * store that did not answer (Redis slow or away) proves nothing: the
	 * session stands with the group it was made with, and is not
	 * deleted, so a busy Redis does not log everyone out. */
	if (!auth_user_exists(u->name)) {
		if (kv_last_read_failed()) {
			u->admin = !strncmp(p1 + 1, "administrator|", 14);
			goto found;
		}
		free(v);
		kv_del(key);
		return 0;
	}
	u->admin = auth_user_is_admin(u->name);
	if (kv_last_read_failed()) /* the group: as the session says */
		u->admin = !strncmp(p1 + 1, "administrator|", 14);
found:
	memcpy(u->csrf, p2 + 1, AUTH_ID_LEN + 1);
	memcpy(u->session, id, AUTH_ID_LEN + 1);
	u->via_session = 1;
	kv_set(key, v, auth_session_ttl()); /* slide the idle timeout */
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
	char h[AUTH_HASH_HEX + 1], key[128], *u, *mine;
	int ok;

	if (!token || !id_valid(token))
		return 0;
	token_hash(token, h);
	u = kv_hget(AUTH_TOKENS_KEY, h);
	if (!u && users_restore_if_lost())
		u = kv_hget(AUTH_TOKENS_KEY, h);
	if (!u)
		return 0;
	/* The user's own record must name the same hash: an entry left
	 * behind (revoked, deleted user) authenticates nobody. */
	ok = auth_name_valid(u) && strlen(u) < len;
	if (ok) {
		snprintf(key, sizeof(key), "user.%s.api_token", u);
		mine = kv_get(key);
		ok = mine && strlen(mine) == AUTH_HASH_HEX &&
		     !sodium_memcmp(mine, h, AUTH_HASH_HEX) &&
		     auth_user_exists(u);
		free(mine);
	}
	if (ok)
		memcpy(user, u, strlen(u) + 1);
	free(u);
	return ok;
}

int
auth_token_create(const char *user, char tok[AUTH_ID_LEN + 1])
{
	char key[64], h[AUTH_HASH_HEX + 1], *old;

	if (!auth_name_valid(user))
		return -1;
	snprintf(key, sizeof(key), "user.%s.api_token", user);
	old = kv_get(key);
	if (old) {
		kv_hdel(AUTH_TOKENS_KEY, old);
		free(old);
	}
	random_hex(tok, AUTH_ID_LEN);
	token_hash(tok, h);
	if (kv_hset(AUTH_TOKENS_KEY, h, user) != 0 || kv_set(key, h, 0) != 0)
		return -1;
	users_file_save();
	return 0;
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

/* Tokens stored in clear by an earlier version (user.<n>.api_token of
 * 32 hex digits, the token itself the field of ntopng.api_tokens): each
 * is replaced by its hash, so it keeps working and is no longer in clear. */
static void
tokens_hash_clear(void)
{
	struct names nm;
	int n = 0;

	if (users_names(&nm) != 0)
		return;
	for (size_t i = 0; i < nm.n; i++) {
		char key[128], h[AUTH_HASH_HEX + 1], *v;

		snprintf(key, sizeof(key), "user.%s.api_token", nm.v[i]);
		v = kv_get(key);
		if (v && is_hex_len(v, AUTH_ID_LEN)) {
			token_hash(v, h);
			if (kv_hset(AUTH_TOKENS_KEY, h, nm.v[i]) == 0 &&
			    kv_set(key, h, 0) == 0) {
				kv_hdel(AUTH_TOKENS_KEY, v);
				n++;
			}
		}
		free(v);
	}
	free(nm.v);
	if (n)
		log_info("auth: %d API tokens stored in clear are now hashed",
			 n);
}

int
auth_users_file_reload(void)
{
	int clear_tokens = 0, n;

	if (auth_users_file == NULL)
		return 0;
	pthread_mutex_lock(&auth_file_lock);
	n = users_file_load(auth_users_file, 0, &clear_tokens);
	pthread_mutex_unlock(&auth_file_lock);
	if (n < 0)
		return -1;
	if (clear_tokens)
		tokens_hash_clear();
	admin_default_update();
	users_files_write(clear_tokens);
	return n;
}

int
auth_init(const struct prefs *p)
{
	char *rec;
	int clear_tokens = 0;

	if (sodium_init() < 0) {
		log_err("auth: libsodium cannot start");
		return -1;
	}
	randombytes_buf(auth_cache_secret, sizeof(auth_cache_secret));
	auth_no_idle_logout = p->disable_autologout;
	auth_users_file = p->users_file;
	auth_copy_file[0] = '\0';
	auth_last_restore = 0;
	if (p->data_dir &&
	    snprintf(auth_copy_file, sizeof(auth_copy_file), "%s/users.conf",
		     p->data_dir) >= (int)sizeof(auth_copy_file))
		auth_copy_file[0] = '\0';
	if (auth_copy_file[0])
		kv_private_narrow(auth_copy_file);
	/* Redis emptied while we were away: the copy first, so that the
	 * default admin/admin below is made only on a really new node. */
	users_restore_if_lost();
	if (p->users_file) {
		kv_private_narrow(p->users_file);
		if (users_file_load(p->users_file, 0, &clear_tokens) < 0)
			return -1;
	}
	tokens_hash_clear();
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
	/* the copy only: the -u file, maybe hand-written with comments,
	 * is rewritten when a user changes, not at every start; or now, if
	 * it held tokens in clear */
	users_files_write(clear_tokens);
	if (auth_admin_default_password() && p->disable_login != 1)
		log_warn("auth: user admin still has the default password; "
			 "change it");
	return 0;
}
