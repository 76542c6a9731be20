/*
 * httpd.c - the HTTP and HTTPS servers: libmicrohttpd, each with an
 * internal pool of two threads, sharing one request handler.
 *
 * How it works: MHD calls httpd_access() several times per request.  The
 * first call allocates a struct httpd_req; the calls that carry body
 * bytes append them (capped at HTTPD_BODY_MAX); the last call answers:
 *   1. OPTIONS: the CORS preflight (echoes Origin, method and headers);
 *   2. static files of httpdocs/ and of the Debian JavaScript packages
 *      (/javascript/bootstrap5/, /javascript/chart.js/), open to everyone
 *      since the login page needs them.  The path is rejected if it has a
 *      ".." segment, names a hidden file or ssl/ (the key lives there),
 *      or if its realpath() leaves the root (symlinks out);
 *   3. the login page (its form carries a fresh CSRF token, also set as
 *      the login_csrf cookie), the login form (POST /authorize.html, both
 *      copies of the token must match) and logout;
 *   4. authentication (webui/auth.c, docs/webui.md), in upstream's order:
 *      --disable-login, HTTP Basic, `Authorization: Token`, the session
 *      cookie, the 1.x cookies user=...; password=....  A failure is a
 *      302 to the login page with the original URI as referer, or with
 *      --http-401 a 401 to REST clients that accept JSON but not HTML
 *      (rest-api.md 2.3 b);
 *   5. state-changing calls of a cookie session must carry the session's
 *      CSRF token (header X-CSRF-Token or parameter csrf);
 *   6. REST paths (webui/rest.c, webui/ui.c): the query string plus the
 *      top-level keys of a JSON body become the parameters;
 *   7. the upstream page paths (/lua/index.lua, ...) are mapped to static
 *      HTML pages that fetch their data from REST;
 *   8. anything else: a 404 HTML page.
 * Every answer carries upstream's security headers and a Server header.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <microhttpd.h>

#include "common/log.h"
#include "common/prefs.h"
#include "webui/auth.h"
#include "webui/httpd.h"
#include "webui/rest.h"
#include "webui/ui.h"

#define HTTPD_BODY_MAX (1024 * 1024)
#define HTTPD_LOGIN_PATH "/lua/login.lua"
#define HTTPD_HOME_PATH "/lua/index.lua"
#define HTTPD_CERT_REL "ssl/ntopng-cert.pem"
#define HTTPD_STATIC_CACHE "public, max-age=3600"
#define HTTPD_NO_CACHE "max-age=0, no-cache, no-store"
#define HTTPD_LOGIN_MARK "@LOGIN_CSRF@"   /* in pages/login.html */
#define HTTPD_LOGIN_PAGE_MAX (64 * 1024)

struct httpd;

/* One listening daemon; tls tells the handler to mark cookies Secure. */
struct httpd_srv {
	struct httpd *h;
	struct MHD_Daemon *d;
	int tls;
};

struct httpd {
	struct httpd_srv http, https;
	const struct prefs *prefs;
	char server[256];            /* Server: header value */
	char docroot[PATH_MAX];      /* realpath of httpdocs */
	char *cert;                  /* PEM (key + certificate) for HTTPS */
};

/* Per-request state: the body collected so far. */
struct httpd_req {
	char *body;
	size_t len, cap;
	int too_big;
};

/* The upstream page paths and the HTML files that implement them. */
static const struct {
	const char *url;
	const char *file;            /* under httpdocs/ */
	int admin;                   /* administrators only */
} httpd_pages[] = {
	{ "/lua/login.lua", "pages/login.html", 0 },
	{ "/lua/index.lua", "pages/index.html", 0 },
	{ "/lua/hosts_stats.lua", "pages/hosts_stats.html", 0 },
	{ "/lua/host_details.lua", "pages/host_details.html", 0 },
	{ "/lua/flows_stats.lua", "pages/flows_stats.html", 0 },
	{ "/lua/flow_details.lua", "pages/flow_details.html", 0 },
	{ "/lua/if_stats.lua", "pages/if_stats.html", 0 },
	{ "/lua/protocols_stats.lua", "pages/protocols_stats.html", 0 },
	{ "/lua/as_stats.lua", "pages/as_stats.html", 0 },
	{ "/lua/country_stats.lua", "pages/country_stats.html", 0 },
	{ "/lua/vlan_stats.lua", "pages/vlan_stats.html", 0 },
	{ "/lua/hosts_matrix.lua", "pages/hosts_matrix.html", 0 },
	{ "/lua/historical.lua", "pages/historical.html", 0 },  /* persistence */
	{ "/lua/admin/prefs.lua", "pages/prefs.html", 1 },
	{ "/lua/admin/users.lua", "pages/users.html", 1 },
};

/* URL prefixes served from Debian's packaged JavaScript libraries.  Their
 * files are symlinks into /usr/share, which is the allowed root. */
static const struct {
	const char *prefix;
	const char *dir;
} httpd_aliases[] = {
	{ "/javascript/bootstrap5/", "/usr/share/javascript/bootstrap5/" },
	{ "/javascript/chart.js/", "/usr/share/javascript/chart.js/" },
};
#define HTTPD_ALIAS_ROOT "/usr/share/"

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

/* Decodes a form value (+ is a space, %XX a byte) in place; bad escapes
 * are kept as they are.  NUL bytes end the value. */
static void
form_decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%' && isxdigit((unsigned char)s[1]) &&
			   isxdigit((unsigned char)s[2])) {
			char hx[3] = { s[1], s[2], 0 };
			long v = strtol(hx, NULL, 16);

			if (!v)
				break;
			*o++ = (char)v;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Finds name in an x-www-form-urlencoded body and copies its decoded
 * value into buf.  1 found, 0 not. */
static int
form_get(const char *body, size_t blen, const char *name, char *buf, size_t len)
{
	size_t nlen = strlen(name), i = 0;

	while (i < blen) {
		const char *amp = memchr(body + i, '&', blen - i);
		size_t end = amp ? (size_t)(amp - body) : blen;

		if (end - i > nlen && body[i + nlen] == '=' &&
		    !memcmp(body + i, name, nlen)) {
			size_t vlen = end - i - nlen - 1;

			if (vlen >= len)
				return 0;
			memcpy(buf, body + i + nlen + 1, vlen);
			buf[vlen] = '\0';
			form_decode(buf);
			return 1;
		}
		i = end + 1;
	}
	return 0;
}

/* A referer we may redirect to: a local absolute path, nothing else. */
static int
referer_safe(const char *r)
{
	return r[0] == '/' && r[1] != '/' && r[1] != '\\' &&
	       !strpbrk(r, "\r\n\\");
}

/* ------------------------------------------------------------------ */
/* responses                                                           */

static void
add_common_headers(struct httpd *h, struct MHD_Response *r, const char *url,
		   const char *ctype)
{
	MHD_add_response_header(r, "Server", h->server);
	MHD_add_response_header(r, "Cache-Control", HTTPD_NO_CACHE);
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

/* A small page; title and text are trusted (escape what comes from the
 * request before). */
static enum MHD_Result
reply_html(struct httpd *h, struct MHD_Connection *c, const char *url,
	   int status, const char *title, const char *text)
{
	char *body = NULL;

	if (asprintf(&body, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		     "<title>%s</title>"
		     "<link rel=\"icon\" href=\"/img/favicon.svg\">"
		     "<link rel=\"stylesheet\" href=\"/javascript/bootstrap5/css/bootstrap.min.css\">"
		     "</head><body class=\"p-4\"><h1>%s</h1><p>%s</p>"
		     "<p><a href=\"" HTTPD_HOME_PATH "\">Back to the dashboard</a></p>"
		     "</body></html>\n",
		     title, title, text) < 0)
		return MHD_NO;
	return reply(h, c, url, status, "text/html; charset=utf-8", body);
}

static enum MHD_Result
reply_not_found(struct httpd *h, struct MHD_Connection *c, const char *url)
{
	char esc[1024], text[1200];

	html_escape(url, esc, sizeof(esc));
	snprintf(text, sizeof(text), "The page %s was not found on this server.", esc);
	return reply_html(h, c, url, MHD_HTTP_NOT_FOUND, "404 Not Found", text);
}

/* 302 to loc; cookie (may be NULL) is sent as Set-Cookie. */
static enum MHD_Result
reply_redirect(struct httpd *h, struct MHD_Connection *c, const char *loc,
	       const char *cookie)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	add_common_headers(h, r, "", "text/html; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, loc);
	if (cookie)
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	ret = MHD_queue_response(c, MHD_HTTP_FOUND, r);
	MHD_destroy_response(r);
	return ret;
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
/* static files                                                        */

static const char *
content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".map", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
		{ ".gif", "image/gif" },
		{ ".ico", "image/x-icon" },
		{ ".woff", "font/woff" },
		{ ".woff2", "font/woff2" },
		{ ".ttf", "font/ttf" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(path, '.');

	if (dot && !strchr(dot, '/'))
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcasecmp(dot, types[i].ext))
				return types[i].type;
	return "application/octet-stream";
}

/*
 * 1 when the (already percent-decoded) URL path may name a file: no ".."
 * or "." segment, no hidden file, no backslash or control character.
 */
static int
path_clean(const char *p)
{
	for (const char *s = p; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '\\')
			return 0;
	for (const char *s = p; (s = strchr(s, '/')); s++)
		if (s[1] == '.')
			return 0;
	return 1;
}

/*
 * Serves root + rel if its real path stays under allowed (which ends in
 * '/').  Returns MHD_YES/NO when it answered, or -1 when the file is not
 * there (the caller goes on with a 404).
 */
static int
serve_file(struct httpd *h, struct MHD_Connection *c, const char *url,
	   const char *root, const char *rel, const char *allowed, int cache)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct MHD_Response *r;
	struct stat st;
	enum MHD_Result ret;
	int fd, n;

	n = snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof(path) || !realpath(path, real))
		return -1;
	if (strncmp(real, allowed, strlen(allowed))) {
		log_warn("http: %s leaves its root, refused", url);
		return -1;
	}
	fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	add_common_headers(h, r, url, content_type(real));
	if (cache) {
		/* Replace the no-cache defaults: assets may be cached. */
		MHD_del_response_header(r, "Cache-Control", HTTPD_NO_CACHE);
		MHD_del_response_header(r, "Pragma", "no-cache");
		MHD_add_response_header(r, "Cache-Control", HTTPD_STATIC_CACHE);
	}
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* Static assets: the Debian aliases, then httpdocs/.  -1 = not ours. */
static int
serve_static(struct httpd *h, struct MHD_Connection *c, const char *url)
{
	char root[PATH_MAX + 2];

	if (!path_clean(url))
		return reply_html(h, c, url, MHD_HTTP_FORBIDDEN, "403 Forbidden",
				  "This path is not allowed.");
	for (size_t i = 0; i < sizeof(httpd_aliases) / sizeof(httpd_aliases[0]); i++) {
		size_t n = strlen(httpd_aliases[i].prefix);

		if (!strncmp(url, httpd_aliases[i].prefix, n))
			return serve_file(h, c, url, httpd_aliases[i].dir, url + n,
					  HTTPD_ALIAS_ROOT, 1);
	}
	/* The certificate's private key lives in ssl/: never served. */
	if (!strncmp(url, "/ssl/", 5) || !strcmp(url, "/ssl"))
		return reply_html(h, c, url, MHD_HTTP_FORBIDDEN, "403 Forbidden",
				  "This path is not allowed.");
	if (!h->docroot[0] || !strcmp(url, "/"))
		return -1;
	snprintf(root, sizeof(root), "%s/", h->docroot);
	return serve_file(h, c, url, h->docroot, url + 1, root, 1);
}

/* Serves a mapped page: no caching, the pages are the application. */
static enum MHD_Result
serve_page(struct httpd *h, struct MHD_Connection *c, const char *url,
	   const char *file)
{
	char root[PATH_MAX + 2];
	int r;

	snprintf(root, sizeof(root), "%s/", h->docroot);
	r = h->docroot[0] ? serve_file(h, c, url, h->docroot, file, root, 0) : -1;
	if (r < 0)
		return reply_html(h, c, url, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "500 Internal Server Error",
				  "The web pages (httpdocs) were not found; "
				  "start ntopng with -1 &lt;httpdocs dir&gt;.");
	return (enum MHD_Result)r;
}

/*
 * The login page: pages/login.html with HTTPD_LOGIN_MARK replaced by a
 * fresh token, which also goes into the login_csrf cookie (only sent back
 * to /authorize.html).  The page is read at every request: it is small,
 * and an edited httpdocs shows at once.
 */
static enum MHD_Result
serve_login(struct httpd_srv *s, struct MHD_Connection *c, const char *url)
{
	struct httpd *h = s->h;
	char path[PATH_MAX + 32], tok[AUTH_ID_LEN + 1], cookie[160];
	char *page = NULL, *out = NULL, *mark;
	size_t n = 0, ml = strlen(HTTPD_LOGIN_MARK), ol;
	struct MHD_Response *r;
	enum MHD_Result ret;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pages/login.html", h->docroot);
	f = h->docroot[0] ? fopen(path, "rb") : NULL;
	page = f ? malloc(HTTPD_LOGIN_PAGE_MAX + 1) : NULL;
	if (page)
		n = fread(page, 1, HTTPD_LOGIN_PAGE_MAX, f);
	if (f)
		fclose(f);
	if (!page || n == 0) {
		free(page);
		return serve_page(h, c, url, "pages/login.html");  /* its 500 */
	}
	page[n] = '\0';
	auth_form_token_new(tok);
	mark = strstr(page, HTTPD_LOGIN_MARK);
	ol = n + (mark ? AUTH_ID_LEN - ml : 0);
	out = malloc(ol + 1);
	if (!out) {
		free(page);
		return MHD_NO;
	}
	if (mark) {
		size_t pre = (size_t)(mark - page);

		memcpy(out, page, pre);
		memcpy(out + pre, tok, AUTH_ID_LEN);
		memcpy(out + pre + AUTH_ID_LEN, mark + ml, n - pre - ml);
	} else {
		memcpy(out, page, n);
	}
	out[ol] = '\0';
	free(page);
	r = MHD_create_response_from_buffer(ol, out, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(out);
		return MHD_NO;
	}
	add_common_headers(h, r, url, "text/html; charset=utf-8");
	snprintf(cookie, sizeof(cookie),
		 "login_csrf=%s; Path=/authorize.html; Max-Age=3600; HttpOnly; "
		 "SameSite=Strict%s", tok, s->tls ? "; Secure" : "");
	MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * --http-401 (rest-api.md 2.3 b): a REST client that wants JSON and not
 * HTML gets 401 + WWW-Authenticate.  The body is text/plain on purpose:
 * upstream's Python client takes any application/json answer as a
 * successful login.
 */
static int
wants_401(struct httpd *h, struct MHD_Connection *c, const char *url)
{
	const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_ACCEPT);

	return h->prefs->http_401 && !strncmp(url, "/lua/rest/", 10) && a &&
	       strcasestr(a, "application/json") && !strcasestr(a, "text/html");
}

static enum MHD_Result
reply_401(struct httpd *h, struct MHD_Connection *c, const char *url)
{
	static const char text[] = "401 Unauthorized: authenticate with HTTP "
		"Basic, an API token (Authorization: Token) or a session.\n";
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(sizeof(text) - 1, (void *)text,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	add_common_headers(h, r, url, "text/plain; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				"Basic realm=\"ntopng\"");
	MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE,
				"session=; Path=/; Max-Age=0; HttpOnly");
	ret = MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, r);
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

static void
client_addr(struct MHD_Connection *c, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(buf, len, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf,
			  (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
			  (socklen_t)len);
}

/* A password check that counts against the client's address. */
static int
password_ok(struct MHD_Connection *c, const char *user, const char *pass)
{
	char addr[INET6_ADDRSTRLEN];

	client_addr(c, addr, sizeof(addr));
	if (auth_locked(addr))
		return 0;
	if (auth_password_check(user, pass)) {
		auth_success(addr);
		return 1;
	}
	auth_failure(addr);
	log_info("http: failed login for '%.32s' from %s", user, addr);
	return 0;
}

static void
user_set_plain(struct auth_user *u, const char *name)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%.32s", name);
	u->admin = auth_user_is_admin(name);
}

/* Fills u and returns 1 when the request is authenticated. */
static int
request_authorized(struct httpd *h, struct MHD_Connection *c,
		   struct auth_user *u)
{
	const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	const char *sess, *cu, *cp;

	if (h->prefs->disable_login == 1 ||
	    (h->prefs->disable_login == 0 && client_is_local(c))) {
		memset(u, 0, sizeof(*u));
		snprintf(u->name, sizeof(u->name), "nologin");
		u->admin = 1;
		return 1;
	}
	if (a && !strncasecmp(a, "Basic ", 6)) {
		char dec[512], *colon;

		for (a += 6; *a == ' '; a++)
			;
		if (b64_decode(a, dec, sizeof(dec)) < 0)
			return 0;
		/* The password is everything after the first colon. */
		colon = strchr(dec, ':');
		if (!colon)
			return 0;
		*colon = '\0';
		if (!auth_name_valid(dec) || !password_ok(c, dec, colon + 1))
			return 0;
		user_set_plain(u, dec);
		return 1;
	}
	if (a && !strncasecmp(a, "Token ", 6)) {
		char name[AUTH_NAME_MAX];

		for (a += 6; *a == ' '; a++)
			;
		if (!auth_token_lookup(a, name, sizeof(name)))
			return 0;
		user_set_plain(u, name);
		return 1;
	}
	sess = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "session");
	if (sess && auth_session_lookup(sess, u))
		return 1;
	/* 1.x cookies: Cookie: user=admin; password=admin */
	cu = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "user");
	cp = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "password");
	if (cu && cp && auth_name_valid(cu) && password_ok(c, cu, cp)) {
		user_set_plain(u, cu);
		return 1;
	}
	return 0;
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
	int n;

	n = snprintf(uri, sizeof(uri), "%s", url);
	u.o = n > 0 && (size_t)n < sizeof(uri) ? (size_t)n : 0;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, uri_add_arg, &u);
	url_encode(uri, enc, sizeof(enc));
	snprintf(loc, sizeof(loc), HTTPD_LOGIN_PATH "?referer=%s", enc);
	return reply_redirect(h, c, loc, "session=; Path=/; Max-Age=0; HttpOnly");
}

/* POST /authorize.html: user, password, referer, csrf (form fields); csrf
 * must equal the login_csrf cookie set with the login page. */
static enum MHD_Result
serve_authorize(struct httpd_srv *s, struct MHD_Connection *c,
		const struct httpd_req *req)
{
	struct httpd *h = s->h;
	char user[AUTH_NAME_MAX + 1] = "", pass[300] = "", ref[1024] = "";
	char tok[AUTH_ID_LEN + 2] = "";
	char loc[4096], cookie[256], addr[INET6_ADDRSTRLEN], enc[3072];
	struct auth_user u;
	const char *body = req->body ? req->body : "";

	form_get(body, req->len, "user", user, sizeof(user));
	form_get(body, req->len, "password", pass, sizeof(pass));
	form_get(body, req->len, "referer", ref, sizeof(ref));
	if (!referer_safe(ref) || !strncmp(ref, HTTPD_LOGIN_PATH, strlen(HTTPD_LOGIN_PATH)))
		snprintf(ref, sizeof(ref), "%s", HTTPD_HOME_PATH);
	form_get(body, req->len, "csrf", tok, sizeof(tok));
	client_addr(c, addr, sizeof(addr));
	if (!auth_form_token_check(MHD_lookup_connection_value(c,
			MHD_COOKIE_KIND, "login_csrf"), tok)) {
		/* not a password failure: no lock-out count, a fresh form */
		log_info("http: login form from %s without a valid CSRF token", addr);
		url_encode(ref, enc, sizeof(enc));
		snprintf(loc, sizeof(loc), HTTPD_LOGIN_PATH "?reason=csrf&referer=%s",
			 enc);
		return reply_redirect(h, c, loc, NULL);
	}
	if (auth_locked(addr) || !auth_name_valid(user) ||
	    !password_ok(c, user, pass)) {
		url_encode(ref, enc, sizeof(enc));
		snprintf(loc, sizeof(loc), HTTPD_LOGIN_PATH "?reason=%s&referer=%s",
			 auth_locked(addr) ? "locked" : "wrong-credentials", enc);
		return reply_redirect(h, c, loc, NULL);
	}
	if (auth_session_create(user, &u) != 0)
		return reply_html(h, c, "/authorize.html", 500,
				  "500 Internal Server Error", "Cannot store the session.");
	snprintf(cookie, sizeof(cookie),
		 "session=%s; Path=/; HttpOnly; SameSite=Strict%s",
		 u.session, s->tls ? "; Secure" : "");
	log_info("http: %s logged in from %s", user, addr);
	return reply_redirect(h, c, ref, cookie);
}

static enum MHD_Result
serve_logout(struct httpd_srv *s, struct MHD_Connection *c)
{
	auth_session_delete(MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "session"));
	return reply_redirect(s->h, c, HTTPD_LOGIN_PATH,
			      "session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

/* ------------------------------------------------------------------ */
/* REST                                                                */

static enum MHD_Result
param_add(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	rest_params_set(cls, k, v ? v : "");
	return MHD_YES;
}

/* 1 when a call changes state: anything but GET/HEAD, and the set/,
 * create/, add/, edit/ and delete/ endpoints whatever the method. */
static int
state_changing(const char *url, const char *method)
{
	static const char *const verbs[] = { "set/", "create/", "add/", "edit/",
					     "delete/" };

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return 1;
	if (strncmp(url, "/lua/rest/v", 11) || !url[11] || url[12] != '/')
		return 0;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strncmp(url + 13, verbs[i], strlen(verbs[i])))
			return 1;
	return 0;
}

static enum MHD_Result
serve_rest(struct httpd_srv *s, struct MHD_Connection *c, const char *url,
	   const char *method, const struct httpd_req *req,
	   const struct auth_user *u)
{
	struct httpd *h = s->h;
	struct rest_params p;
	char *body = NULL;
	int status = 500, r;

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
	if (u->via_session && state_changing(url, method)) {
		const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							    "X-CSRF-Token");

		if (!t)
			t = rest_params_get(&p, "csrf");
		if (!t || strlen(t) != AUTH_ID_LEN || strcmp(t, u->csrf)) {
			rest_params_fini(&p);
			log_info("http: %s by %s without a valid CSRF token", url, u->name);
			return reply(h, c, url, MHD_HTTP_FORBIDDEN, "application/json",
				     ui_error_body(REST_RC_NOT_GRANTED,
						   "Missing or wrong CSRF token", &status));
		}
	}
	if (ui_is_path(url))
		r = ui_handle(url, &p, u, &status, &body);
	else
		r = rest_handle(url, &p, u->admin, &status, &body);
	rest_params_fini(&p);
	if (r < 0)
		return MHD_NO;
	return reply(h, c, url, status, "application/json", body);
}

/* ------------------------------------------------------------------ */
/* MHD callbacks                                                       */

static enum MHD_Result
httpd_answer(struct httpd_srv *s, struct MHD_Connection *c, const char *url,
	     const char *method, struct httpd_req *req)
{
	struct httpd *h = s->h;
	struct auth_user u;
	int r;

	if (!strcmp(method, MHD_HTTP_METHOD_OPTIONS))
		return reply_preflight(h, c, url);
	if (req->too_big)
		return reply_html(h, c, url, 413,
				  "413 Payload Too Large", "The request body is too large.");
	if (!strcmp(url, "/authorize.html") && !strcmp(method, MHD_HTTP_METHOD_POST))
		return serve_authorize(s, c, req);
	if (!strcmp(url, "/lua/logout.lua"))
		return serve_logout(s, c);
	if (!strcmp(url, HTTPD_LOGIN_PATH))
		return serve_login(s, c, url);
	if (strncmp(url, "/lua/", 5) && strcmp(url, "/")) {
		r = serve_static(h, c, url);
		if (r >= 0)
			return (enum MHD_Result)r;
		return reply_not_found(h, c, url);
	}
	if (!request_authorized(h, c, &u))
		return wants_401(h, c, url) ? reply_401(h, c, url) :
		       reply_login_redirect(h, c, url);
	if (!strcmp(url, "/"))
		return reply_redirect(h, c, HTTPD_HOME_PATH, NULL);
	if (rest_is_path(url) || ui_is_path(url))
		return serve_rest(s, c, url, method, req, &u);
	for (size_t i = 0; i < sizeof(httpd_pages) / sizeof(httpd_pages[0]); i++) {
		if (strcmp(url, httpd_pages[i].url))
			continue;
		if (httpd_pages[i].admin && !u.admin)
			return reply_html(h, c, url, MHD_HTTP_FORBIDDEN, "403 Forbidden",
					  "This page needs administrator rights.");
		return serve_page(h, c, url, httpd_pages[i].file);
	}
	return reply_not_found(h, c, url);
}

static enum MHD_Result
httpd_access(void *cls, struct MHD_Connection *c, const char *url,
	     const char *method, const char *version, const char *upload,
	     size_t *upload_size, void **con_cls)
{
	struct httpd_req *req = *con_cls;

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
	return httpd_answer(cls, c, url, method, req);
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

static int
dir_has_pages(const char *dir)
{
	char p[PATH_MAX];
	int n = snprintf(p, sizeof(p), "%s/pages/login.html", dir);

	return n > 0 && (size_t)n < sizeof(p) && access(p, R_OK) == 0;
}

/*
 * Finds httpdocs: -1 when given (anything but the default), else
 * ./httpdocs, the source tree this binary was built from (__FILE__ is
 * <srcdir>/webui/httpd.c in an out-of-tree build), next to the binary,
 * and the installed share directory.
 */
static void
docroot_find(struct httpd *h, const char *opt)
{
	char cand[5][PATH_MAX], exe[PATH_MAX];
	int n = 0;
	ssize_t el;

	if (opt && strcmp(opt, "httpdocs")) {
		if (!realpath(opt, h->docroot) || !dir_has_pages(h->docroot)) {
			log_err("http: -1 %s: no web pages there", opt);
			h->docroot[0] = '\0';
		}
		return;
	}
	snprintf(cand[n++], PATH_MAX, "httpdocs");
	if (__FILE__[0] == '/') {
		const char *end = strstr(__FILE__, "/webui/httpd.c");

		if (end)
			snprintf(cand[n++], PATH_MAX, "%.*s/httpdocs",
				 (int)(end - __FILE__), __FILE__);
	}
	el = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (el > 0) {
		char *slash;

		exe[el] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		snprintf(cand[n++], PATH_MAX, "%.*s/httpdocs", PATH_MAX - 10, exe);
		snprintf(cand[n++], PATH_MAX, "%.*s/../share/ntopng/httpdocs",
			 PATH_MAX - 30, exe);
	}
	for (int i = 0; i < n; i++)
		if (dir_has_pages(cand[i]) && realpath(cand[i], h->docroot))
			return;
	h->docroot[0] = '\0';
	log_warn("http: no httpdocs directory found; pages are off (use -1)");
}

/* Reads the PEM file (key + certificate) into h->cert. */
static int
cert_load(struct httpd *h, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;
	long sz;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) <= 0 || sz > 1024 * 1024 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -1;
	}
	buf = malloc((size_t)sz + 1);
	if (!buf) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, (size_t)sz, f);
	fclose(f);
	buf[n] = '\0';
	if (!strstr(buf, "PRIVATE KEY-----") || !strstr(buf, "BEGIN CERTIFICATE")) {
		log_err("https: %s must hold the private key and the certificate", path);
		free(buf);
		return -1;
	}
	h->cert = buf;
	return 0;
}

/* Parses addr ("1.2.3.4", "::1", "[::1]" or NULL) into a socket address
 * for port.  Returns 0 (sa NULL: any IPv4) or -1. */
static int
listen_addr(const char *addr, int port, struct sockaddr_storage *ss,
	    struct sockaddr **sa, unsigned int *flags)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	char a[INET6_ADDRSTRLEN + 2];
	size_t n;

	*sa = NULL;
	if (!addr || !*addr)
		return 0;
	n = strlen(addr);
	memset(ss, 0, sizeof(*ss));
	/* "[::1]" and "::1" both name an IPv6 address. */
	if (addr[0] == '[' && n > 2 && addr[n - 1] == ']' && n - 2 < sizeof(a)) {
		memcpy(a, addr + 1, n - 2);
		a[n - 2] = '\0';
	} else if (n < sizeof(a)) {
		memcpy(a, addr, n + 1);
	} else {
		return -1;
	}
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*flags |= MHD_USE_IPv6;
	} else {
		return -1;
	}
	*sa = (struct sockaddr *)ss;
	return 0;
}

static int
srv_start(struct httpd *h, struct httpd_srv *s, const char *addr, int port,
	  int tls)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	struct sockaddr_storage ss;
	struct sockaddr *sa;
	struct MHD_OptionItem opts[4];
	int o = 0;

	if (port <= 0 || port > 65535) {
		log_err("%s: bad port %d", tls ? "https" : "http", port);
		return -1;
	}
	if (listen_addr(addr, port, &ss, &sa, &flags) < 0) {
		log_err("%s: bad listen address '%s'", tls ? "https" : "http", addr);
		return -1;
	}
	s->h = h;
	s->tls = tls;
	if (sa)
		opts[o++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, sa };
	if (tls) {
		flags |= MHD_USE_TLS;
		/* One PEM holds both: GnuTLS picks the key and the
		 * certificate blocks out of it. */
		opts[o++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, h->cert };
		opts[o++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert };
	}
	opts[o] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	s->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, httpd_access, s,
		MHD_OPTION_EXTERNAL_LOGGER, httpd_mhd_log, h,
		MHD_OPTION_THREAD_POOL_SIZE, 2,
		MHD_OPTION_CONNECTION_TIMEOUT, 30,
		MHD_OPTION_CONNECTION_LIMIT, 256,
		MHD_OPTION_NOTIFY_COMPLETED, httpd_completed, s,
		MHD_OPTION_ARRAY, opts,
		MHD_OPTION_END);
	if (!s->d) {
		log_err("%s: cannot listen on %s port %d", tls ? "https" : "http",
			addr ? addr : "*", port);
		return -1;
	}
	log_info("%s: listening on %s port %d", tls ? "https" : "http",
		 addr ? addr : "*", port);
	return 0;
}

/* HTTPS: -W port, or http port + 1 when a certificate is there. */
static void
https_start(struct httpd *h, const struct prefs *p)
{
	char path[PATH_MAX + 32];
	int port = p->https_port, given = p->https_port >= 0;

	if (given && port == 0)
		return;
	if (!given)
		port = p->http_port > 0 ? p->http_port + 1 : 3001;
	snprintf(path, sizeof(path), "%s/" HTTPD_CERT_REL,
		 h->docroot[0] ? h->docroot : "httpdocs");
	if (access(path, R_OK) != 0) {
		if (given)
			log_warn("https: no certificate %s (make cert): HTTPS is off", path);
		else
			log_info("https: no certificate %s (make cert): HTTP only", path);
		return;
	}
	if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
		log_warn("https: libmicrohttpd was built without TLS: HTTPS is off");
		return;
	}
	if (cert_load(h, path) < 0) {
		log_warn("https: cannot use %s: HTTPS is off", path);
		return;
	}
	if (srv_start(h, &h->https, p->https_addr ? p->https_addr : p->http_addr,
		      port, 1) < 0) {
		free(h->cert);
		h->cert = NULL;
	}
}

struct httpd *
httpd_start(const struct prefs *p)
{
	struct httpd *h;
	struct utsname un;

	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->prefs = p;
	if (uname(&un) == 0)
		snprintf(h->server, sizeof(h->server), "ntopng %s [%s/%s]",
			 NTOPNG_VERSION, un.machine, un.sysname);
	else
		snprintf(h->server, sizeof(h->server), "ntopng %s", NTOPNG_VERSION);
	if (auth_init(p) < 0) {
		free(h);
		return NULL;
	}
	docroot_find(h, p->httpdocs_dir);
	if (p->http_port > 0 && srv_start(h, &h->http, p->http_addr,
					  p->http_port, 0) < 0) {
		free(h);
		return NULL;
	}
	https_start(h, p);
	if (!h->http.d && !h->https.d) {
		free(h);
		return NULL;
	}
	if (h->docroot[0])
		log_info("http: pages from %s", h->docroot);
	return h;
}

void
httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	if (h->http.d)
		MHD_stop_daemon(h->http.d);
	if (h->https.d)
		MHD_stop_daemon(h->https.d);
	free(h->cert);
	free(h);
}
