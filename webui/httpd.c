/*
 * httpd.c - the HTTP server: libmicrohttpd with an internal pool of two
 * threads.
 *
 * How it works: MHD calls httpd_access() several times per request.  The
 * first call allocates a struct httpd_req; the calls that carry body
 * bytes append them (capped at HTTPD_BODY_MAX); the last call answers:
 *   1. OPTIONS: the CORS preflight (echoes Origin, method and headers);
 *   2. /lua/login.lua: a small HTML placeholder, open to everyone;
 *   3. authentication (docs/rest.md): --disable-login 1 lets everyone in,
 *      -l 0 lets localhost in; otherwise HTTP Basic admin:admin or the
 *      legacy cookies user=admin; password=admin.  A failure is a 302 to
 *      the login page with the original URI as referer, like upstream;
 *   4. REST paths: the query string plus the top-level keys of a JSON
 *      body become the parameters, rest_handle() makes the JSON answer;
 *   5. anything else: a 404 HTML page.
 * Every answer carries the security headers of upstream (no caching, no
 * framing, no sniffing) and a Server header.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include <microhttpd.h>

#include "common/log.h"
#include "common/prefs.h"
#include "webui/httpd.h"
#include "webui/rest.h"

#define HTTPD_BODY_MAX (1024 * 1024)
#define HTTPD_LOGIN_PATH "/lua/login.lua"

struct httpd {
	struct MHD_Daemon *d;
	const struct prefs *prefs;
	char server[256];            /* Server: header value */
};

/* Per-request state: the body collected so far. */
struct httpd_req {
	char *body;
	size_t len, cap;
	int too_big;
};

/* ------------------------------------------------------------------ */
/* small text helpers                                                  */

/* Percent-encodes s (everything but unreserved characters) into buf. */
static void
url_encode(const char *s, char *buf, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s && o + 4 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '%';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	buf[o] = '\0';
}

/* HTML-escapes s into buf (the 404 page echoes the path). */
static void
html_escape(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s; s++) {
		const char *rep = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" :
				  *s == '&' ? "&amp;" : *s == '"' ? "&quot;" :
				  *s == '\'' ? "&#39;" : NULL;
		size_t n = rep ? strlen(rep) : 1;

		if (o + n + 1 > len)
			break;
		if (rep)
			memcpy(buf + o, rep, n);
		else
			buf[o] = *s;
		o += n;
	}
	buf[o] = '\0';
}

static int
b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decodes base64 text into out (NUL-terminated); -1 on bad input. */
static int
b64_decode(const char *in, char *out, size_t len)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	for (; *in && *in != '='; in++) {
		int v = b64_val(*in);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= len)
				return -1;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ */
/* responses                                                           */

static void
add_common_headers(struct httpd *h, struct MHD_Response *r, const char *url,
		   const char *ctype)
{
	MHD_add_response_header(r, "Server", h->server);
	MHD_add_response_header(r, "Cache-Control", "max-age=0, no-cache, no-store");
	MHD_add_response_header(r, "Pragma", "no-cache");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (ctype)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (!strncmp(url, "/lua/rest/", 10)) {
		MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
		MHD_add_response_header(r, "Access-Control-Allow-Methods",
					"GET, POST, HEAD");
	}
}

/* Queues body (heap, freed by MHD) with status and content type. */
static enum MHD_Result
reply(struct httpd *h, struct MHD_Connection *c, const char *url, int status,
      const char *ctype, char *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (!body)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(body), body,
					    MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	add_common_headers(h, r, url, ctype);
	ret = MHD_queue_response(c, (unsigned int)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
reply_html(struct httpd *h, struct MHD_Connection *c, const char *url,
	   int status, const char *title, const char *text)
{
	char *body = NULL;

	if (asprintf(&body, "<!DOCTYPE html>\n<html><head><title>%s</title>"
		     "</head><body><h1>%s</h1><p>%s</p></body></html>\n",
		     title, title, text) < 0)
		return MHD_NO;
	return reply(h, c, url, status, "text/html; charset=utf-8", body);
}

static enum MHD_Result
reply_preflight(struct httpd *h, struct MHD_Connection *c, const char *url)
{
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *meth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		"Access-Control-Request-Method");
	const char *hdrs = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		"Access-Control-Request-Headers");
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Server", h->server);
	MHD_add_response_header(r, "Access-Control-Allow-Origin",
				origin ? origin : "*");
	MHD_add_response_header(r, "Access-Control-Allow-Methods",
				meth ? meth : "GET, POST, HEAD");
	if (hdrs)
		MHD_add_response_header(r, "Access-Control-Allow-Headers", hdrs);
	MHD_add_response_header(r, "Access-Control-Max-Age", "3600");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* ------------------------------------------------------------------ */
/* authentication                                                      */

static int
client_is_local(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return 0;
}

/* The only account until users are stored (Redis): admin / admin. */
static int
credentials_ok(const char *user, const char *pass)
{
	return user && pass && !strcmp(user, "admin") && !strcmp(pass, "admin");
}

static int
basic_auth_ok(struct MHD_Connection *c)
{
	const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	char dec[512], *colon;

	if (!a || strncasecmp(a, "Basic ", 6))
		return 0;
	for (a += 6; *a == ' '; a++)
		;
	if (b64_decode(a, dec, sizeof(dec)) < 0)
		return 0;
	/* The password is everything after the first colon. */
	colon = strchr(dec, ':');
	if (!colon)
		return 0;
	*colon = '\0';
	return credentials_ok(dec, colon + 1);
}

static int
request_authorized(struct httpd *h, struct MHD_Connection *c)
{
	if (h->prefs->disable_login == 1)
		return 1;
	if (h->prefs->disable_login == 0 && client_is_local(c))
		return 1;
	if (basic_auth_ok(c))
		return 1;
	/* 1.x cookies: Cookie: user=admin; password=admin */
	return credentials_ok(
		MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "user"),
		MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "password"));
}

/* Rebuilds "url?k=v&..." for the login referer. */
struct uri_buf {
	char *s;
	size_t len, o;
};

static enum MHD_Result
uri_add_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	struct uri_buf *u = cls;
	char ek[256], ev[512];
	int n;

	url_encode(k, ek, sizeof(ek));
	url_encode(v ? v : "", ev, sizeof(ev));
	n = snprintf(u->s + u->o, u->len - u->o, "%c%s=%s",
		     u->o && strchr(u->s, '?') ? '&' : '?', ek, ev);
	if (n > 0 && (size_t)n < u->len - u->o)
		u->o += (size_t)n;
	return MHD_YES;
}

static enum MHD_Result
reply_login_redirect(struct httpd *h, struct MHD_Connection *c, const char *url)
{
	char uri[2048], enc[6144], loc[6400];
	struct uri_buf u = { uri, sizeof(uri), 0 };
	struct MHD_Response *r;
	enum MHD_Result ret;
	int n;

	n = snprintf(uri, sizeof(uri), "%s", url);
	u.o = n > 0 && (size_t)n < sizeof(uri) ? (size_t)n : 0;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, uri_add_arg, &u);
	url_encode(uri, enc, sizeof(enc));
	snprintf(loc, sizeof(loc), HTTPD_LOGIN_PATH "?referer=%s", enc);
	r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	add_common_headers(h, r, "", "text/html; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, loc);
	MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE,
				"session=; path=/; max-age=0; HttpOnly");
	ret = MHD_queue_response(c, MHD_HTTP_FOUND, r);
	MHD_destroy_response(r);
	return ret;
}

/* ------------------------------------------------------------------ */
/* REST                                                                */

static enum MHD_Result
param_add(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	rest_params_set(cls, k, v ? v : "");
	return MHD_YES;
}

static enum MHD_Result
serve_rest(struct httpd *h, struct MHD_Connection *c, const char *url,
	   const struct httpd_req *req)
{
	struct rest_params p;
	char *body = NULL;
	int status = 500;

	rest_params_init(&p);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, param_add, &p);
	/* A JSON object body overrides the query string, key by key. */
	if (req->len) {
		size_t i = 0;

		while (i < req->len && strchr(" \t\r\n", req->body[i]))
			i++;
		if (i < req->len && req->body[i] == '{' &&
		    rest_params_merge_json(&p, req->body, req->len) < 0)
			log_debug("http: %s: body is not a JSON object", url);
	}
	if (rest_handle(url, &p, &status, &body) < 0) {
		rest_params_fini(&p);
		return MHD_NO;
	}
	rest_params_fini(&p);
	return reply(h, c, url, status, "application/json", body);
}

/* ------------------------------------------------------------------ */
/* MHD callbacks                                                       */

static enum MHD_Result
httpd_access(void *cls, struct MHD_Connection *c, const char *url,
	     const char *method, const char *version, const char *upload,
	     size_t *upload_size, void **con_cls)
{
	struct httpd *h = cls;
	struct httpd_req *req = *con_cls;
	char esc[1024], text[1200];

	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;

		if (req->len + n > HTTPD_BODY_MAX) {
			req->too_big = 1;
		} else if (!req->too_big) {
			if (req->len + n + 1 > req->cap) {
				size_t cap = (req->len + n + 1) * 2;
				char *nb = realloc(req->body, cap);

				if (!nb)
					return MHD_NO;
				req->body = nb;
				req->cap = cap;
			}
			memcpy(req->body + req->len, upload, n);
			req->len += n;
			req->body[req->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}

	log_set_role("http");
	if (!strcmp(method, MHD_HTTP_METHOD_OPTIONS))
		return reply_preflight(h, c, url);
	if (req->too_big)
		return reply_html(h, c, url, 413,
				  "413 Payload Too Large", "The request body is too large.");
	if (!strcmp(url, HTTPD_LOGIN_PATH))
		return reply_html(h, c, url, MHD_HTTP_OK, "ntopng login",
				  "The web interface is not available yet; "
				  "use the REST API with HTTP Basic authentication.");
	if (!request_authorized(h, c))
		return reply_login_redirect(h, c, url);
	if (rest_is_path(url))
		return serve_rest(h, c, url, req);
	html_escape(url, esc, sizeof(esc));
	snprintf(text, sizeof(text), "The page %s was not found on this server.", esc);
	return reply_html(h, c, url, MHD_HTTP_NOT_FOUND, "404 Not Found", text);
}

static void
httpd_completed(void *cls, struct MHD_Connection *c, void **con_cls,
		enum MHD_RequestTerminationCode toe)
{
	struct httpd_req *req = *con_cls;

	if (req) {
		free(req->body);
		free(req);
		*con_cls = NULL;
	}
}

__attribute__((format(printf, 2, 0)))
static void
httpd_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	log_warn("http: %s", buf);
}

/* ------------------------------------------------------------------ */
/* start / stop                                                        */

struct httpd *
httpd_start(const struct prefs *p)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	struct sockaddr *sa = NULL;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	struct httpd *h;
	struct utsname un;

	if (p->http_port <= 0)
		return NULL;
	if (p->http_port > 65535) {
		log_err("http: bad port %d", p->http_port);
		return NULL;
	}
	if (p->http_addr && *p->http_addr) {
		char a[INET6_ADDRSTRLEN + 2];
		size_t n = strlen(p->http_addr);

		memset(&s4, 0, sizeof(s4));
		memset(&s6, 0, sizeof(s6));
		/* "[::1]" and "::1" both name an IPv6 address. */
		if (p->http_addr[0] == '[' && n > 2 && p->http_addr[n - 1] == ']' &&
		    n - 2 < sizeof(a)) {
			memcpy(a, p->http_addr + 1, n - 2);
			a[n - 2] = '\0';
		} else if (n < sizeof(a)) {
			memcpy(a, p->http_addr, n + 1);
		} else {
			a[0] = '\0';
		}
		if (inet_pton(AF_INET, a, &s4.sin_addr) == 1) {
			s4.sin_family = AF_INET;
			s4.sin_port = htons((uint16_t)p->http_port);
			sa = (struct sockaddr *)&s4;
		} else if (inet_pton(AF_INET6, a, &s6.sin6_addr) == 1) {
			s6.sin6_family = AF_INET6;
			s6.sin6_port = htons((uint16_t)p->http_port);
			sa = (struct sockaddr *)&s6;
			flags |= MHD_USE_IPv6;
		} else {
			log_err("http: bad listen address '%s'", p->http_addr);
			return NULL;
		}
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->prefs = p;
	if (uname(&un) == 0)
		snprintf(h->server, sizeof(h->server), "ntopng %s [%s/%s]",
			 NTOPNG_VERSION, un.machine, un.sysname);
	else
		snprintf(h->server, sizeof(h->server), "ntopng %s", NTOPNG_VERSION);
	if (sa)
		h->d = MHD_start_daemon(flags, (uint16_t)p->http_port, NULL, NULL,
			httpd_access, h,
			MHD_OPTION_EXTERNAL_LOGGER, httpd_mhd_log, h,
			MHD_OPTION_SOCK_ADDR, sa,
			MHD_OPTION_THREAD_POOL_SIZE, 2,
			MHD_OPTION_CONNECTION_TIMEOUT, 30,
			MHD_OPTION_CONNECTION_LIMIT, 256,
			MHD_OPTION_NOTIFY_COMPLETED, httpd_completed, h,
			MHD_OPTION_END);
	else
		h->d = MHD_start_daemon(flags, (uint16_t)p->http_port, NULL, NULL,
			httpd_access, h,
			MHD_OPTION_EXTERNAL_LOGGER, httpd_mhd_log, h,
			MHD_OPTION_THREAD_POOL_SIZE, 2,
			MHD_OPTION_CONNECTION_TIMEOUT, 30,
			MHD_OPTION_CONNECTION_LIMIT, 256,
			MHD_OPTION_NOTIFY_COMPLETED, httpd_completed, h,
			MHD_OPTION_END);
	if (!h->d) {
		log_err("http: cannot listen on %s port %d",
			p->http_addr ? p->http_addr : "*", p->http_port);
		free(h);
		return NULL;
	}
	log_info("http: listening on %s port %d",
		 p->http_addr ? p->http_addr : "*", p->http_port);
	return h;
}

void
httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
