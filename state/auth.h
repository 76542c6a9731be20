/*
 * auth.h - users, passwords, sessions, API tokens and the brute-force
 * guard of the web server (docs/webui.md).  Everything lives in the
 * key-value store (state/kv.h) under upstream's key names:
 *   user.<name>.password   md5 hex (1.x, Redis, users file) or argon2id
 *   user.<name>.group      "administrator" | "unprivileged"
 *   user.<name>.full_name
 *   user.<name>.api_token  SHA-256 hex of the user's API token
 *   sessions.<id>          "user|group|csrf", TTL = idle timeout
 *   ntopng.api_tokens      hash SHA-256 hex of a token -> user
 *   ntopng.user_store.saved  set with the users (see auth.c: restore)
 *   ntopng.prefs.auth_session_duration  idle timeout (s), default 3600
 *   ntopng.cache.login_failures.<addr>  failed logins, TTL 300 s
 *
 * Threads: any thread (the HTTP server's pool) after auth_init().
 */
#ifndef STATE_AUTH_H
#define STATE_AUTH_H

#include <stddef.h>

#include <jansson.h>

struct prefs;

#define AUTH_NAME_MAX 33
#define AUTH_ID_LEN 32 /* hex digits of session ids, tokens, csrf */
#define AUTH_LOCK_FAILURES 5
#define AUTH_LOCK_SECONDS 300
#define AUTH_DEFAULT_IDLE 3600

/* Who a request runs as. */
struct auth_user {
	char name[AUTH_NAME_MAX];
	int admin;
	int via_session; /* came with a session cookie: needs CSRF */
	char session[AUTH_ID_LEN + 1];
	char csrf[AUTH_ID_LEN + 1];
};

/* sodium_init, users file (-u) into the store, default admin/admin.
 * Returns 0 or -1 (cause logged). Main thread. */
int auth_init(const struct prefs *p);

/* SIGHUP: loads the -u file again (records it holds replace the store's;
 * users it no longer lists are kept: delete them in the UI or REST) and
 * rewrites the data directory's copy.  Returns the number of records
 * read, 0 without -u or before auth_init(), -1 when the file cannot be
 * read (cause logged).  Main thread. */
int auth_users_file_reload(void);

/* 1 when the name is acceptable for a user ([A-Za-z0-9_@-], 1..32). */
int auth_name_valid(const char *name);
/* 1 when user exists and pass is its password.  An md5 record is
 * upgraded to argon2id on success. */
int auth_password_check(const char *user, const char *pass);
int auth_user_exists(const char *user);
int auth_user_is_admin(const char *user);
/* 1 while admin still has the password "admin". */
int auth_admin_default_password(void);
/* Adds or replaces a user (argon2id hash).  0 or -1. */
int auth_user_add(const char *user, const char *full_name, const char *pass,
		  int admin);
/* Removes every key of the user, its API token and its sessions. */
int auth_user_delete(const char *user);
/* New password; ends the user's sessions and revokes its API token. */
int auth_user_set_password(const char *user, const char *pass);
/* Upstream's shape: {name: {username, full_name, group, allowed_nets,
 * allowed_ifname}}, never a password hash.  Caller owns the result. */
json_t *auth_users_list(void);

/* Idle timeout of sessions in seconds; 0 = none (-q). */
int auth_session_ttl(void);
/* New session for user: fills u (name, admin, session, csrf).  0 or -1. */
int auth_session_create(const char *user, struct auth_user *u);
/* Looks the session up and slides its expiry.  1 found, 0 not. */
int auth_session_lookup(const char *id, struct auth_user *u);
void auth_session_delete(const char *id);

/* Token -> user (ntopng.api_tokens).  1 found, 0 not. */
int auth_token_lookup(const char *token, char *user, size_t len);
/* New token for user, revoking its previous one; only its hash is
 * stored, tok is the one copy in clear.  0 or -1. */
int auth_token_create(const char *user, char tok[AUTH_ID_LEN + 1]);

/*
 * Login-form CSRF token (double submit): a fresh random token goes both
 * into the login page's form and into a cookie; the POST must carry the
 * same value in both.  Another site can make a browser post the form but
 * can neither read nor set our cookie, so it cannot log a victim into an
 * account of its choosing.
 */
void auth_form_token_new(char tok[AUTH_ID_LEN + 1]);
/* 1 when both are well-formed tokens and equal (constant time). */
int auth_form_token_check(const char *cookie, const char *form);

/* Brute-force guard per client address (text). */
int auth_locked(const char *addr);
void auth_failure(const char *addr);
void auth_success(const char *addr);

#endif
