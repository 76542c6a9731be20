/*
 * httpd.c - the HTTP and HTTPS servers: libmicrohttpd, each with an
 * internal pool of two threads, sharing one request handler.
 *
 * How it works: MHD calls httpd_access() several times per request.  The
 * first call allocates a struct httpd_req (or finds the one made when the
 * request line arrived, see below); the calls that carry body bytes
 * append them (capped at HTTPD_BODY_MAX); the last call answers:
 *   0. a request whose Host header names none of the names this server
 *      answers to is refused (403): a web page whose own name was made to
 *      resolve to us (DNS rebinding) must not reach the API;
 *   1. OPTIONS: the CORS preflight, granted only to the origins listed
 *      with --http-allowed-origins (REST answers carry no wildcard CORS);
 *   2. a state-changing request (any method but GET/HEAD, and the set/,
 *      create/, add/, edit/, delete/ calls) sent by a browser from another
 *      origin (Origin or Sec-Fetch-Site say so) is refused whatever the
 *      authentication, also with -l; clients that are not browsers send
 *      neither header and are not concerned;
 *   3. static files of httpdocs/ and of the Debian JavaScript packages
 *      (/javascript/bootstrap5/, /javascript/chart.js/), open to everyone
 *      since the login page needs them.  The decision is taken on the
 *      resolved path: repeated slashes are folded, ".." and hidden
 *      segments refused, then realpath() must stay under the root and
 *      must not be under ssl/, a .pem/.key file or the certificate in
 *      use (the key normally lives in <data dir>/ssl/, outside the tree);
 *   4. the login page (its form carries a fresh CSRF token, also set as
 *      the login_csrf cookie), the login form (POST /authorize.html, both
 *      copies of the token must match) and logout;
 *   5. authentication (state/auth.c, docs/webui.md), in upstream's order:
 *      --disable-login, HTTP Basic, `Authorization: Token`, the session
 *      cookie, the 1.x cookies user=...; password=....  A failure is a
 *      302 to the login page with the original URI as referer, or with
 *      --http-401 a 401 to REST clients that accept JSON but not HTML
 *      (rest-api.md 2.3 b);
 *   6. state-changing calls of a cookie session must also carry the
 *      session's CSRF token (header X-CSRF-Token or parameter csrf);
 *   7. REST paths (webui/rest.c, webui/ui.c): the query string plus the
 *      top-level keys of a JSON body become the parameters;
 *   8. the upstream page paths (/lua/index.lua, ...) are mapped to static
 *      HTML pages that fetch their data from REST;
 *   9. a page script of -2/--scripts-dir (<dir>/lua/<path>.lua,
 *      lua/engine.h): built-in routes and pages always win, a script
 *      under lua/admin/ needs an administrator, a POST of a cookie
 *      session needs the CSRF token like REST calls.  The request is
 *      copied into a job for the Lua workers and the connection is
 *      suspended until the job is done (no Lua on MHD's threads);
 *  10. anything else: a 404 HTML page.
 * Every answer carries upstream's security headers and a Server header.
 *
 * Resource limits (an outsider must not stall the server for others):
 *   - at most HTTPD_CONN_MAX connections per daemon and HTTPD_PER_IP_MAX
 *     from one address (MHD closes the others at once);
 *   - a deadline for the request headers: MHD's timeout is an idle one,
 *     reset by every byte, so a client sending one byte every few seconds
 *     would hold its slot forever.  Each connection is registered when
 *     MHD opens it (httpd_conn_notify); a watchdog thread shuts down the
 *     socket of a connection whose headers did not arrive within
 *     HTTPD_HEADER_DEADLINE seconds (HTTPD_IDLE_TIMEOUT for the next
 *     request of a kept-alive connection).  MHD then sees the end of the
 *     stream and closes the connection on its own thread; the registry
 *     entry goes away in the CLOSED notification, which MHD sends before
 *     it closes the descriptor, so the watchdog never touches a reused fd;
 *   - at most HTTPD_ARGS_MAX query parameters: libmicrohttpd 0.9.75 runs
 *     out of its per-connection pool on ~450 of them, queues a 431 and
 *     then loses it, leaving the client hanging until the idle timeout.
 *     httpd_uri_seen(), called with the raw request line before MHD
 *     splits the parameters, counts them and hides an over-long query
 *     from MHD; the request is then answered 431 at once;
 *   - HTTPS speaks TLS 1.2 and 1.3 only (HTTPD_TLS_PRIORITIES).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "common/log.h"
#include "common/paths.h"
#include "common/timeutil.h"
#include "common/prefs.h"
#include "lua/engine.h"
#include "lua/parse.h"
#include "merge/query.h"
#include "state/auth.h"
#include "webui/httpd.h"
#include "webui/metrics.h"
#include "webui/rest.h"
#include "webui/ui.h"

#define HTTPD_BODY_MAX (1024 * 1024)
#define HTTPD_LOGIN_PATH "/lua/login.lua"
#define HTTPD_HOME_PATH "/lua/index.lua"
#define HTTPD_CERT_REL "ssl/ntopng-cert.pem" /* under the data dir */
#define HTTPD_CONN_MAX 256		     /* connections per daemon */
#define HTTPD_PER_IP_MAX 32		     /* connections from one address */
#define HTTPD_IDLE_TIMEOUT 30		     /* s without a byte: MHD closes */
#define HTTPD_HEADER_DEADLINE 10    /* s for a new connection's headers */
#define HTTPD_ARGS_MAX 256	    /* query parameters of one request */
#define HTTPD_POOL_SIZE (64 * 1024) /* MHD's memory per connection */
#define HTTPD_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
#define HTTPD_STATIC_CACHE "public, max-age=3600"
#define HTTPD_NO_CACHE "max-age=0, no-cache, no-store"
#define HTTPD_LOGIN_MARK "@LOGIN_CSRF@" /* in pages/login.html */
#define HTTPD_LOGIN_PAGE_MAX (64 * 1024)

struct httpd;

/* One listening daemon; tls tells the handler to mark cookies Secure. */
struct httpd_srv {
	struct httpd *h;
	struct MHD_Daemon *d;
	int tls;
};

/*
 * One open connection, for the header deadline.  Owned by the registry
 * (struct httpd.conns, under conn_lock): added and removed by MHD's
 * threads in httpd_conn_notify(), read by the watchdog.
 */
struct httpd_conn {
	struct httpd_conn *prev, *next;
	int fd;
	int in_request;		  /* headers in, being answered */
	int cut;		  /* the watchdog shut it down */
	struct timespec deadline; /* for the next request's headers */
};

struct httpd {
	struct httpd_srv http, https;
	const struct prefs *prefs;
	char server[256];	/* Server: header value */
	char docroot[PATH_MAX]; /* realpath of httpdocs */
	char hostname[256];	/* gethostname(), for the Host check */
	char *cert;		/* PEM (key + certificate) for HTTPS */
	struct stat cert_st;	/* its file, never served */
	int have_cert_st;

	pthread_mutex_t conn_lock;
	pthread_cond_t conn_cond; /* wakes the watchdog to stop */
	pthread_t watchdog;
	pthread_t starter; /* the thread that called httpd_start */
	int watchdog_on, stopping;
	struct httpd_conn *conns;
	pthread_mutex_t log_lock; /* MHD's messages come from its threads */
	struct ratelimit log_rl;
	struct ratelimit refusal_rl; /* log_refusal(), under log_lock too */
	struct luaeng *lua;	     /* page scripts (NULL: none) */
	unsigned long cut_total;     /* connections cut at their deadline */
	unsigned long cut_logged;
	time_t cut_log_at;
};

/* Per-request state: the body collected so far. */
struct httpd_req {
	char *body;
	size_t len, cap;
	int started; /* the handler has seen the headers */
	int too_big;
	int too_many_args;	     /* more than HTTPD_ARGS_MAX parameters */
	struct luaeng_job *job;	     /* a page script run (owned) */
	struct MHD_Connection *conn; /* suspended while job runs */
	int job_done;		     /* __atomic: set by the Lua worker */
};

static void conn_mark(struct httpd *h, struct MHD_Connection *c, int busy);

/*
 * Logs a refusal that an outsider can provoke at will (a private path, a
 * foreign Host, a cross-site write): at most a few lines a second, then
 * how many were left out (ratelimit_ok).  Control characters (a decoded
 * %0A in a URL) are shown as '?' so that a line stays one line.
 */
__attribute__((format(printf, 3, 4))) static void
log_refusal(struct httpd *h, enum log_level lvl, const char *fmt, ...)
{
	char buf[600];
	va_list ap;
	int ok;

	pthread_mutex_lock(&h->log_lock);
	ok = ratelimit_ok(&h->refusal_rl);
	pthread_mutex_unlock(&h->log_lock);
	if (!ok)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	log_msg(lvl, "http: %s", buf);
}

/* The upstream page paths and the HTML files that implement them. */
static const struct {
	const char *url;
	const char *file; /* under httpdocs/ */
	int admin;	  /* administrators only */
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
	{ "/lua/hosts_geomap.lua", "pages/hosts_geomap.html", 0 },
	{ "/lua/vlan_stats.lua", "pages/vlan_stats.html", 0 },
	{ "/lua/aggregated_hosts_stats.lua",
	  "pages/aggregated_hosts_stats.html", 0 }, /* -A */
	{ "/lua/hosts_matrix.lua", "pages/hosts_matrix.html", 0 },
	{ "/lua/historical.lua", "pages/historical.html", 0 }, /* persistence */
	{ "/lua/db_search.lua", "pages/db_search.html", 0 }, /* flow history */
	{ "/lua/show_alerts.lua", "pages/show_alerts.html", 0 }, /* alerts */
	{ "/lua/topology.lua", "pages/topology.html", 0 },	 /* hierarchy */
	/* the REST API: its OpenAPI document (tools/openapi.py) and a page
	 * that lists its routes from it */
	{ "/lua/rest/v2/openapi.json", "rest/openapi.json", 0 },
	{ "/lua/rest_api.lua", "pages/rest_api.html", 0 },
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
	{ "/javascript/leaflet/", "/usr/share/javascript/leaflet/" },
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
		const char *rep = *s == '<'    ? "&lt;"
				  : *s == '>'  ? "&gt;"
				  : *s == '&'  ? "&amp;"
				  : *s == '"'  ? "&quot;"
				  : *s == '\'' ? "&#39;"
					       : NULL;
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

/*
 * A referer we may redirect to: a local absolute path, nothing else.  The
 * value is already percent-decoded (form_get).  It must start with one
 * '/' followed by a printable ASCII character other than '/' and '\\':
 * browsers drop tabs and newlines from a Location and read '\\' as '/',
 * so "/\t/evil.example" or "/\\evil" would land on another host.  No
 * control character or backslash may appear anywhere either.
 */
static int
referer_safe(const char *r)
{
	unsigned char c1 = (unsigned char)r[1];

	if (r[0] != '/' || c1 <= 0x20 || c1 >= 0x7f || c1 == '/' || c1 == '\\')
		return 0;
	for (; *r; r++)
		if ((unsigned char)*r < 0x20 || *r == 0x7f || *r == '\\')
			return 0;
	return 1;
}

/* ------------------------------------------------------------------ */
/* origins and host names                                              */

/*
 * Splits "host", "host:port", "[v6]" or "[v6]:port" (s, n bytes) into
 * host (without brackets, NUL-terminated) and port (-1 when absent).
 * Returns 0, or -1 when it is malformed or does not fit.
 */
static int
hostport_split(const char *s, size_t n, char *host, size_t hlen, int *port)
{
	size_t hs = 0, he, i;
	long v = 0;

	*port = -1;
	if (n && s[0] == '[') {
		const char *rb = memchr(s, ']', n);

		if (!rb)
			return -1;
		hs = 1;
		he = (size_t)(rb - s);
		i = he + 1;
		if (i < n && s[i] != ':')
			return -1;
	} else {
		const char *colon = memchr(s, ':', n);

		he = colon ? (size_t)(colon - s) : n;
		i = he;
	}
	if (he <= hs || he - hs >= hlen)
		return -1;
	memcpy(host, s + hs, he - hs);
	host[he - hs] = '\0';
	if (i >= n)
		return 0;
	/* s[i] is the ':' before the port */
	if (++i >= n)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > 65535)
			return -1;
	}
	*port = (int)v;
	return 0;
}

/*
 * 1 when name (n bytes) is one item of the comma-separated list (blanks
 * around items and a trailing '/' ignored, case-insensitive); with
 * star_ok an item "*" matches anything.
 */
static int
list_has(const char *list, const char *name, size_t n, int star_ok)
{
	while (list && *list) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);
		const char *it = list;

		while (len && (*it == ' ' || *it == '\t')) {
			it++;
			len--;
		}
		while (len && (it[len - 1] == ' ' || it[len - 1] == '\t' ||
			       it[len - 1] == '/'))
			len--;
		if (star_ok && len == 1 && *it == '*')
			return 1;
		if (len && len == n && !strncasecmp(it, name, n))
			return 1;
		list = end ? end + 1 : NULL;
	}
	return 0;
}

/* 1 when origin is listed with --http-allowed-origins. */
static int
origin_listed(struct httpd *h, const char *origin)
{
	return list_has(h->prefs->http_allowed_origins, origin, strlen(origin),
			0);
}

/* 1 when origin (scheme://host[:port]) is this server as the browser
 * reached it: same scheme, and the host and port of the Host header. */
static int
origin_is_self(struct httpd_srv *s, struct MHD_Connection *c,
	       const char *origin)
{
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_HOST);
	char oh[256], hh[256];
	int otls, oport, hport, def = s->tls ? 443 : 80;

	if (!strncasecmp(origin, "http://", 7)) {
		otls = 0;
		origin += 7;
	} else if (!strncasecmp(origin, "https://", 8)) {
		otls = 1;
		origin += 8;
	} else {
		return 0; /* "null", another scheme */
	}
	if (otls != s->tls || !host ||
	    hostport_split(origin, strlen(origin), oh, sizeof(oh), &oport) <
		    0 ||
	    hostport_split(host, strlen(host), hh, sizeof(hh), &hport) < 0)
		return 0;
	return (oport < 0 ? def : oport) == (hport < 0 ? def : hport) &&
	       !strcasecmp(oh, hh);
}

/*
 * 1 when the Host header names this server: an IP address (a browser on
 * an address-literal origin is talking to that address, no rebinding
 * possible), localhost (and *.localhost, RFC 6761), this machine's host
 * name, or a name given with --http-allowed-hosts.  Any other name means
 * a page whose name resolved to us: DNS rebinding.  No Host header at
 * all (HTTP/1.0 scripts) is not a browser and passes.
 */
static int
host_allowed(struct httpd *h, const char *host)
{
	char name[256];
	struct in6_addr a6;
	size_t n, hn;
	int port;

	if (!host)
		return 1;
	if (hostport_split(host, strlen(host), name, sizeof(name), &port) < 0)
		return 0;
	n = strlen(name);
	if (n > 1 && name[n - 1] == '.')
		name[--n] = '\0';
	if (inet_pton(AF_INET, name, &a6) == 1 ||
	    inet_pton(AF_INET6, name, &a6) == 1)
		return 1;
	if (!strcasecmp(name, "localhost") ||
	    (n > 10 && !strcasecmp(name + n - 10, ".localhost")))
		return 1;
	hn = strcspn(h->hostname, ".");
	if (h->hostname[0] &&
	    (!strcasecmp(name, h->hostname) ||
	     (n == hn && !strncasecmp(name, h->hostname, hn))))
		return 1;
	return list_has(h->prefs->http_allowed_hosts, name, n, 1);
}

/*
 * 1 when a browser tells us the request comes from a page of another
 * origin that --http-allowed-origins does not list.  Browsers send
 * Sec-Fetch-Site (same-origin, same-site, cross-site, none = typed or
 * bookmarked) and, on every POST and on cross-origin requests, Origin.
 * "same-site" is refused too: another port of the same host is another
 * origin.  Scripts (curl, the Python client) send neither header.
 */
static int
request_cross_site(struct httpd_srv *s, struct MHD_Connection *c)
{
	const char *o =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *sfs = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      "Sec-Fetch-Site");

	if (o && origin_listed(s->h, o))
		return 0;
	if (sfs && strcasecmp(sfs, "same-origin") && strcasecmp(sfs, "none"))
		return 1;
	return o && !origin_is_self(s, c, o);
}

/* ------------------------------------------------------------------ */
/* responses                                                           */

/* c may be NULL (no request headers to look at). */
static void
add_common_headers(struct httpd *h, struct MHD_Connection *c,
		   struct MHD_Response *r, const char *url, const char *ctype)
{
	/* a Lua page may have set its own (lua_reply) */
	static const char *const def[][2] = {
		{ "Cache-Control", HTTPD_NO_CACHE },
		{ "Pragma", "no-cache" },
		{ "X-Frame-Options", "DENY" },
		{ "X-Content-Type-Options", "nosniff" },
	};

	MHD_add_response_header(r, "Server", h->server);
	for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++)
		if (!MHD_get_response_header(r, def[i][0]))
			MHD_add_response_header(r, def[i][0], def[i][1]);
	if (ctype)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (!strncmp(url, "/lua/rest/", 10)) {
		/* No wildcard: only a listed origin may read REST answers
		 * from a browser (no credentials: tokens or Basic). */
		const char *o = c ? MHD_lookup_connection_value(
					    c, MHD_HEADER_KIND, "Origin")
				  : NULL;

		if (o && origin_listed(h, o)) {
			MHD_add_response_header(
				r, "Access-Control-Allow-Origin", o);
			MHD_add_response_header(r,
						"Access-Control-Allow-Methods",
						"GET, POST, HEAD");
		}
		MHD_add_response_header(r, "Vary", "Origin");
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
	add_common_headers(h, c, r, url, ctype);
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

	if (asprintf(&body,
		     "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		     "<title>%s</title>"
		     "<link rel=\"icon\" href=\"/img/favicon.svg\">"
		     "<link rel=\"stylesheet\" "
		     "href=\"/javascript/bootstrap5/css/bootstrap.min.css\">"
		     "</head><body class=\"p-4\"><h1>%s</h1><p>%s</p>"
		     "<p><a href=\"" HTTPD_HOME_PATH
		     "\">Back to the dashboard</a></p>"
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
	snprintf(text, sizeof(text),
		 "The page %s was not found on this server.", esc);
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
	add_common_headers(h, c, r, "", "text/html; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, loc);
	if (cookie)
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	ret = MHD_queue_response(c, MHD_HTTP_FOUND, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * CORS preflight: granted only to an origin listed with
 * --http-allowed-origins, answered as upstream does (200, the requested
 * method and headers echoed); any other origin gets a 403 without CORS
 * headers (never a reflected Origin), so the browser does not send the
 * request.
 */
static enum MHD_Result
reply_preflight(struct httpd *h, struct MHD_Connection *c)
{
	const char *origin =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *meth = MHD_lookup_connection_value(
		c, MHD_HEADER_KIND, "Access-Control-Request-Method");
	const char *hdrs = MHD_lookup_connection_value(
		c, MHD_HEADER_KIND, "Access-Control-Request-Headers");
	struct MHD_Response *r;
	enum MHD_Result ret;
	int ok = origin && origin_listed(h, origin);

	r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Server", h->server);
	MHD_add_response_header(r, "Vary", "Origin");
	if (ok) {
		MHD_add_response_header(r, "Access-Control-Allow-Origin",
					origin);
		MHD_add_response_header(r, "Access-Control-Allow-Methods",
					meth ? meth : "GET, POST, HEAD");
		if (hdrs)
			MHD_add_response_header(
				r, "Access-Control-Allow-Headers", hdrs);
		MHD_add_response_header(r, "Access-Control-Max-Age", "3600");
	}
	ret = MHD_queue_response(c, ok ? MHD_HTTP_OK : MHD_HTTP_FORBIDDEN, r);
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
 * 1 when rel, a resolved path relative to its root (no "..", no symlink,
 * no repeated '/': realpath() made it), may be served: nothing under
 * ssl/, no hidden segment, no key or certificate file (*.pem, *.key).
 */
static int
resolved_servable(const char *rel)
{
	size_t n = strlen(rel);

	if (!strncmp(rel, "ssl/", 4) || !strcmp(rel, "ssl") || rel[0] == '.' ||
	    strstr(rel, "/."))
		return 0;
	if ((n >= 4 && !strcasecmp(rel + n - 4, ".pem")) ||
	    (n >= 4 && !strcasecmp(rel + n - 4, ".key")))
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
		log_refusal(h, NLOG_WARN, "%s leaves its root, refused", url);
		return -1;
	}
	if (!resolved_servable(real + strlen(allowed))) {
		log_refusal(h, NLOG_WARN, "%s names a private file, refused",
			    url);
		return reply_html(h, c, url, MHD_HTTP_FORBIDDEN,
				  "403 Forbidden", "This path is not allowed.");
	}
	fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (h->have_cert_st && st.st_dev == h->cert_st.st_dev &&
	     st.st_ino == h->cert_st.st_ino)) {
		close(fd);
		return -1;
	}
	r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	add_common_headers(h, c, r, url, content_type(real));
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
	char root[PATH_MAX + 2], p[2048];
	size_t o = 0;

	/* MHD has percent-decoded the path ("/%2Fssl" is "//ssl"): fold
	 * repeated slashes so that every check below sees one spelling. */
	for (const char *u = url; *u; u++) {
		if (*u == '/' && o && p[o - 1] == '/')
			continue;
		if (o + 1 >= sizeof(p))
			return reply_html(h, c, url, 414, "414 URI Too Long",
					  "The path is too long.");
		p[o++] = *u;
	}
	p[o] = '\0';
	if (p[0] != '/' || !path_clean(p))
		return reply_html(h, c, url, MHD_HTTP_FORBIDDEN,
				  "403 Forbidden", "This path is not allowed.");
	for (size_t i = 0; i < sizeof(httpd_aliases) / sizeof(httpd_aliases[0]);
	     i++) {
		size_t n = strlen(httpd_aliases[i].prefix);

		if (!strncmp(p, httpd_aliases[i].prefix, n))
			return serve_file(h, c, url, httpd_aliases[i].dir,
					  p + n, HTTPD_ALIAS_ROOT, 1);
	}
	if (!h->docroot[0] || !strcmp(p, "/"))
		return -1;
	snprintf(root, sizeof(root), "%s/", h->docroot);
	return serve_file(h, c, url, h->docroot, p + 1, root, 1);
}

/* Serves a mapped page: no caching, the pages are the application. */
static enum MHD_Result
serve_page(struct httpd *h, struct MHD_Connection *c, const char *url,
	   const char *file)
{
	char root[PATH_MAX + 2];
	int r;

	snprintf(root, sizeof(root), "%s/", h->docroot);
	r = h->docroot[0] ? serve_file(h, c, url, h->docroot, file, root, 0)
			  : -1;
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
		return serve_page(h, c, url, "pages/login.html"); /* its 500 */
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
	add_common_headers(h, c, r, url, "text/html; charset=utf-8");
	snprintf(cookie, sizeof(cookie),
		 "login_csrf=%s; Path=/authorize.html; Max-Age=3600; HttpOnly; "
		 "SameSite=Strict%s",
		 tok, s->tls ? "; Secure" : "");
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
	static const char text[] =
		"401 Unauthorized: authenticate with HTTP "
		"Basic, an API token (Authorization: Token) or a session.\n";
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(sizeof(text) - 1, (void *)text,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	add_common_headers(h, c, r, url, "text/plain; charset=utf-8");
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
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)sa)->sin6_addr;

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
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  buf, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
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
	const char *a = MHD_lookup_connection_value(
		c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
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
	return reply_redirect(h, c, loc,
			      "session=; Path=/; Max-Age=0; HttpOnly");
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
	if (!referer_safe(ref) ||
	    !strncmp(ref, HTTPD_LOGIN_PATH, strlen(HTTPD_LOGIN_PATH)))
		snprintf(ref, sizeof(ref), "%s", HTTPD_HOME_PATH);
	form_get(body, req->len, "csrf", tok, sizeof(tok));
	client_addr(c, addr, sizeof(addr));
	if (!auth_form_token_check(MHD_lookup_connection_value(
					   c, MHD_COOKIE_KIND, "login_csrf"),
				   tok)) {
		/* not a password failure: no lock-out count, a fresh form */
		log_info("http: login form from %s without a valid CSRF token",
			 addr);
		url_encode(ref, enc, sizeof(enc));
		snprintf(loc, sizeof(loc),
			 HTTPD_LOGIN_PATH "?reason=csrf&referer=%s", enc);
		return reply_redirect(h, c, loc, NULL);
	}
	if (auth_locked(addr) || !auth_name_valid(user) ||
	    !password_ok(c, user, pass)) {
		url_encode(ref, enc, sizeof(enc));
		snprintf(loc, sizeof(loc),
			 HTTPD_LOGIN_PATH "?reason=%s&referer=%s",
			 auth_locked(addr) ? "locked" : "wrong-credentials",
			 enc);
		return reply_redirect(h, c, loc, NULL);
	}
	if (auth_session_create(user, &u) != 0)
		return reply_html(h, c, "/authorize.html", 500,
				  "500 Internal Server Error",
				  "Cannot store the session.");
	snprintf(cookie, sizeof(cookie),
		 "session=%s; Path=/; HttpOnly; SameSite=Strict%s", u.session,
		 s->tls ? "; Secure" : "");
	log_info("http: %s logged in from %s", user, addr);
	return reply_redirect(h, c, ref, cookie);
}

static enum MHD_Result
serve_logout(struct httpd_srv *s, struct MHD_Connection *c)
{
	auth_session_delete(
		MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "session"));
	return reply_redirect(
		s->h, c, HTTPD_LOGIN_PATH,
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
	static const char *const verbs[] = { "set/",	 "create/", "add/",
					     "edit/",	 "delete/", "enable/",
					     "disable/", "reset/" };

	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return 1;
	if (strncmp(url, "/lua/rest/v", 11) || !url[11] || url[12] != '/')
		return 0;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strncmp(url + 13, verbs[i], strlen(verbs[i])))
			return 1;
	return 0;
}

/* The session's CSRF token came with the request: header X-CSRF-Token,
 * else the parameter (param, may be NULL). */
static int
csrf_ok(struct MHD_Connection *c, const struct auth_user *u, const char *param)
{
	const char *t =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");

	if (!t)
		t = param;
	return t && strlen(t) == AUTH_ID_LEN && !strcmp(t, u->csrf);
}

/* The body is a POST form (Content-Type
 * application/x-www-form-urlencoded, parameters allowed after it). */
static int
form_body(struct MHD_Connection *c)
{
	static const char ct[] = "application/x-www-form-urlencoded";
	const char *t = MHD_lookup_connection_value(
		c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

	return t != NULL && !strncasecmp(t, ct, sizeof(ct) - 1) &&
	       (t[sizeof(ct) - 1] == '\0' || t[sizeof(ct) - 1] == ';');
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
		if (i < req->len && req->body[i] == '{') {
			if (rest_params_merge_json(&p, req->body, req->len) < 0)
				log_debug("http: %s: body is not a JSON object",
					  url);
		} else if (form_body(c) &&
			   rest_params_merge_form(&p, req->body, req->len) <
				   0) {
			log_debug("http: %s: more than %d form fields", url,
				  REST_FORM_FIELDS_MAX);
		}
	}
	if (u->via_session && state_changing(url, method) &&
	    !csrf_ok(c, u, rest_params_get(&p, "csrf"))) {
		rest_params_fini(&p);
		log_info("http: %s by %s without a valid CSRF token", url,
			 u->name);
		return reply(h, c, url, MHD_HTTP_FORBIDDEN, "application/json",
			     ui_error_body(REST_RC_NOT_GRANTED,
					   "Missing or wrong CSRF token",
					   &status));
	}
	r = rest_handle(url, &p, u, &status, &body);
	rest_params_fini(&p);
	if (r < 0)
		return MHD_NO;
	return reply(h, c, url, status, "application/json", body);
}

/* /metrics (webui/metrics.c): any authenticated user (Basic or a token:
 * what Prometheus' scrape config sends), or anyone on loopback with
 * --metrics-open; a failure is a 401 whatever the client accepts. */
static enum MHD_Result
serve_metrics(struct httpd *h, struct MHD_Connection *c, const char *url)
{
	struct auth_user u;
	char *body;

	if (!(h->prefs->metrics_open && client_is_local(c)) &&
	    !request_authorized(h, c, &u))
		return reply_401(h, c, url);
	body = metrics_render(h->prefs);
	if (body == NULL)
		return reply_html(h, c, url, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "500 Internal Server Error",
				  "Out of memory.");
	return reply(h, c, url, MHD_HTTP_OK, "text/plain; version=0.0.4", body);
}

/* ------------------------------------------------------------------ */
/* Lua pages (lua/engine.h)                                            */

static enum MHD_Result
kv_collect(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	(void)kind;
	/* the 1.x password cookie is a credential, not page data */
	if (kind == MHD_COOKIE_KIND && !strcmp(k, "password"))
		return MHD_YES;
	luaeng_kv_add(cls, k, v ? v : "");
	return MHD_YES;
}

static int
form_collect(void *arg, const char *k, const char *v)
{
	return luaeng_kv_add(arg, k, v);
}

/* Called on a Lua worker when the job is done: from here on the job is
 * the connection's thread's again. */
static void
lua_done(struct luaeng_job *j, void *arg)
{
	struct httpd_req *req = arg;

	(void)j;
	__atomic_store_n(&req->job_done, 1, __ATOMIC_RELEASE);
	MHD_resume_connection(req->conn);
}

/* The interface a page shows (lua-api.md 1.7): ?ifname= (a name or an
 * id), else the ifname cookie, else the first interface. */
static void
lua_ifname(struct MHD_Connection *c, struct luaeng_job *j)
{
	const char *want =
		MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "ifname");
	struct iface *ifc = NULL;

	if (!want || !*want)
		want = MHD_lookup_connection_value(c, MHD_COOKIE_KIND,
						   "ifname");
	for (int i = 0; want && *want && i < query_iface_count() && !ifc; i++) {
		struct iface *x = query_iface_at(i);
		const char *n1 = query_iface_name(x);
		const char *n2 = query_iface_ifname(x);
		char id[16];

		snprintf(id, sizeof(id), "%d", query_iface_id(x));
		if ((n1 && !strcmp(n1, want)) || (n2 && !strcmp(n2, want)) ||
		    !strcmp(id, want))
			ifc = x;
	}
	if (!ifc)
		ifc = query_iface_at(0);
	if (ifc) {
		const char *n = query_iface_name(ifc);

		snprintf(j->ifname, sizeof(j->ifname), "%s", n ? n : "");
		j->ifid = query_iface_id(ifc);
	}
}

/*
 * Copies the request into a job, suspends the connection and queues the
 * job; lua_reply() answers when the worker resumed the connection.
 * Returns -1 when url names no script (the caller answers 404).
 */
static int
serve_lua(struct httpd_srv *s, struct MHD_Connection *c, const char *url,
	  const char *method, struct httpd_req *req, const struct auth_user *u,
	  enum MHD_Result *res)
{
	struct httpd *h = s->h;
	struct luaeng_job *j;
	const char *ct, *v;
	char addr[INET6_ADDRSTRLEN];

	if (!h->lua)
		return -1;
	j = calloc(1, sizeof(*j));
	if (!j) {
		*res = MHD_NO;
		return 0;
	}
	if (luaeng_resolve(h->lua, url, j) < 0) {
		free(j);
		return -1;
	}
	if (!strncmp(url, "/lua/admin/", 11) && !u->admin) {
		free(j);
		*res = reply_html(h, c, url, MHD_HTTP_FORBIDDEN,
				  "403 Forbidden",
				  "This page needs administrator rights.");
		return 0;
	}
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, kv_collect,
				  &j->get);
	MHD_get_connection_values(c, MHD_COOKIE_KIND, kv_collect, &j->cookie);
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_CONTENT_TYPE);
	if (req->len && ct &&
	    !strncasecmp(ct, "application/x-www-form-urlencoded", 33)) {
		luaparse_form(req->body, req->len, form_collect, &j->post);
	} else if (req->len) {
		struct rest_params p;

		rest_params_init(&p);
		if (rest_params_merge_json(&p, req->body, req->len) == 0)
			for (size_t i = 0; i < p.n; i++)
				luaeng_kv_add(&j->post, p.v[i].name,
					      p.v[i].value);
		rest_params_fini(&p);
	}
	if (u->via_session && state_changing(url, method)) {
		const char *t = MHD_lookup_connection_value(
			c, MHD_GET_ARGUMENT_KIND, "csrf");

		for (size_t i = 0; !t && i < j->post.n; i++)
			if (!strcmp(j->post.k[i], "csrf"))
				t = j->post.v[i];
		if (!csrf_ok(c, u, t)) {
			log_info("http: %s by %s without a valid CSRF token",
				 url, u->name);
			luaeng_job_fini(j);
			free(j);
			*res = reply_html(h, c, url, MHD_HTTP_FORBIDDEN,
					  "403 Forbidden",
					  "Missing or wrong CSRF token.");
			return 0;
		}
	}
	/* reached only past the cross-site check (and, for a session,
	 * the CSRF token): the user-changing ntop methods want that */
	j->is_post = !strcmp(method, MHD_HTTP_METHOD_POST);
	luaeng_kv_add(&j->server, "REQUEST_METHOD", method);
	luaeng_kv_add(&j->server, "URI", url);
	luaeng_kv_add(&j->server, "DOCUMENT_URI", url);
	client_addr(c, addr, sizeof(addr));
	luaeng_kv_add(&j->server, "REMOTE_ADDR", addr);
	luaeng_kv_add(&j->server, "HTTPS", s->tls ? "on" : "off");
	static const char *const hv[][2] = {
		{ "Host", "HTTP_HOST" },
		{ "Host", "SERVER_NAME" },
		{ "Referer", "HTTP_REFERER" },
		{ "User-Agent", "HTTP_USER_AGENT" },
		{ "Accept", "HTTP_ACCEPT" },
		{ "Content-Type", "CONTENT_TYPE" },
	};
	for (size_t i = 0; i < sizeof(hv) / sizeof(hv[0]); i++) {
		v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, hv[i][0]);
		if (v)
			luaeng_kv_add(&j->server, hv[i][1], v);
	}
	snprintf(j->user, sizeof(j->user), "%s", u->name);
	snprintf(j->session, sizeof(j->session), "%s", u->session);
	j->admin = u->admin;
	lua_ifname(c, j);
	j->done = lua_done;
	j->arg = req;
	req->job = j;
	req->conn = c;
	MHD_suspend_connection(c);
	if (luaeng_submit(h->lua, j) < 0) {
		j->status = MHD_HTTP_SERVICE_UNAVAILABLE;
		j->failed = 1;
		lua_done(j, req);
	}
	*res = MHD_YES;
	return 0;
}

/* The finished job's answer (the connection was resumed). */
static enum MHD_Result
lua_reply(struct httpd *h, struct MHD_Connection *c, const char *url,
	  struct httpd_req *req)
{
	struct luaeng_job *j = req->job;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *line, *next;

	if (j->status == MHD_HTTP_SERVICE_UNAVAILABLE || !j->body) {
		enum MHD_Result rr;
		struct MHD_Response *busy;

		if (j->status != MHD_HTTP_SERVICE_UNAVAILABLE && !j->body &&
		    !j->failed) {
			j->body =
				strdup(""); /* a script that printed nothing */
			if (!j->body)
				return MHD_NO;
		} else {
			busy = MHD_create_response_from_buffer(
				0, (void *)"", MHD_RESPMEM_PERSISTENT);
			if (!busy)
				return MHD_NO;
			MHD_add_response_header(busy, "Retry-After", "1");
			add_common_headers(h, c, busy, url, "text/plain");
			rr = MHD_queue_response(c, MHD_HTTP_SERVICE_UNAVAILABLE,
						busy);
			MHD_destroy_response(busy);
			return rr;
		}
	}
	r = MHD_create_response_from_buffer(j->len, j->body,
					    MHD_RESPMEM_MUST_FREE);
	if (!r)
		return MHD_NO;
	j->body = NULL; /* MHD's now */
	/* "Name: value\n" lines from luaparse_headers() */
	for (line = j->headers; line && *line; line = next) {
		char *colon;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		colon = strchr(line, ':');
		if (!colon || !colon[1])
			continue;
		*colon = '\0';
		MHD_add_response_header(r, line, colon + 2);
	}
	add_common_headers(h, c, r, url, NULL);
	ret = MHD_queue_response(c, (unsigned int)j->status, r);
	MHD_destroy_response(r);
	return ret;
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

	if (req->too_many_args)
		return reply_html(h, c, url,
				  MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE,
				  "431 Request Header Fields Too Large",
				  "The request has too many parameters.");
	if (!host_allowed(h,
			  MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_HOST))) {
		log_refusal(h, NLOG_INFO, "%s for an unknown Host, refused",
			    url);
		return reply_html(
			h, c, url, MHD_HTTP_FORBIDDEN, "403 Forbidden",
			"This server does not answer to that host name "
			"(see --http-allowed-hosts).");
	}
	if (!strcmp(method, MHD_HTTP_METHOD_OPTIONS))
		return reply_preflight(h, c);
	if (req->too_big)
		return reply_html(h, c, url, 413, "413 Payload Too Large",
				  "The request body is too large.");
	if (state_changing(url, method) && request_cross_site(s, c)) {
		int status = 403;

		log_refusal(h, NLOG_INFO, "cross-site %s %s refused", method,
			    url);
		if (rest_is_path(url))
			return reply(h, c, url, MHD_HTTP_FORBIDDEN,
				     "application/json",
				     ui_error_body(REST_RC_NOT_GRANTED,
						   "Cross-site request refused",
						   &status));
		return reply_html(h, c, url, MHD_HTTP_FORBIDDEN,
				  "403 Forbidden",
				  "Cross-site request refused.");
	}
	if (!strcmp(url, "/authorize.html") &&
	    !strcmp(method, MHD_HTTP_METHOD_POST))
		return serve_authorize(s, c, req);
	if (!strcmp(url, "/lua/logout.lua"))
		return serve_logout(s, c);
	if (!strcmp(url, HTTPD_LOGIN_PATH))
		return serve_login(s, c, url);
	if (!strcmp(url, "/metrics"))
		return serve_metrics(h, c, url);
	if (strncmp(url, "/lua/", 5) && strcmp(url, "/")) {
		r = serve_static(h, c, url);
		if (r >= 0)
			return (enum MHD_Result)r;
		return reply_not_found(h, c, url);
	}
	if (!request_authorized(h, c, &u))
		return wants_401(h, c, url) ? reply_401(h, c, url)
					    : reply_login_redirect(h, c, url);
	if (!strcmp(url, "/"))
		return reply_redirect(h, c, HTTPD_HOME_PATH, NULL);
	if (rest_is_path(url))
		return serve_rest(s, c, url, method, req, &u);
	for (size_t i = 0; i < sizeof(httpd_pages) / sizeof(httpd_pages[0]);
	     i++) {
		if (strcmp(url, httpd_pages[i].url))
			continue;
		if (httpd_pages[i].admin && !u.admin)
			return reply_html(
				h, c, url, MHD_HTTP_FORBIDDEN, "403 Forbidden",
				"This page needs administrator rights.");
		return serve_page(h, c, url, httpd_pages[i].file);
	}
	{
		enum MHD_Result res;

		if (serve_lua(s, c, url, method, req, &u, &res) == 0)
			return res;
	}
	return reply_not_found(h, c, url);
}

static enum MHD_Result
httpd_access(void *cls, struct MHD_Connection *c, const char *url,
	     const char *method, const char *version, const char *upload,
	     size_t *upload_size, void **con_cls)
{
	struct httpd_srv *s = cls;
	struct httpd_req *req = *con_cls;

	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		*con_cls = req;
	}
	if (!req->started) {
		/* the headers are in: the header deadline no longer applies */
		req->started = 1;
		conn_mark(s->h, c, 1);
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
	if (req->job) {
		/* resumed by lua_done(); anything else is early */
		if (!__atomic_load_n(&req->job_done, __ATOMIC_ACQUIRE))
			return MHD_YES;
		return lua_reply(s->h, c, url, req);
	}
	return httpd_answer(s, c, url, method, req);
}

static void
httpd_completed(void *cls, struct MHD_Connection *c, void **con_cls,
		enum MHD_RequestTerminationCode toe)
{
	struct httpd_srv *s = cls;
	struct httpd_req *req = *con_cls;

	if (req) {
		if (req->started)
			conn_mark(s->h, c, 0);
		if (req->job) {
			luaeng_job_fini(req->job);
			free(req->job);
		}
		free(req->body);
		free(req);
		*con_cls = NULL;
	}
}

/*
 * MHD_OPTION_URI_LOG_CALLBACK: called with the raw request line's URI
 * (before MHD splits the query string into parameters and decodes the
 * path); what it returns becomes the request's context.  A query of more
 * than HTTPD_ARGS_MAX parameters would exhaust MHD's connection pool and
 * leave the client without an answer (see the head comment): the query
 * is cut right after its '?' so that MHD has nothing to split, and the
 * handler answers 431.  The URI lives in MHD's read buffer, writable
 * memory that MHD hands us as const only by convention.
 */
static void *
httpd_uri_seen(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct httpd_req *req = calloc(1, sizeof(*req));
	const char *q = uri ? strchr(uri, '?') : NULL;
	size_t n = 1;

	(void)cls;
	(void)c;
	if (!req || !q)
		return req;
	for (const char *p = q + 1; *p; p++)
		if (*p == '&' && ++n > HTTPD_ARGS_MAX)
			break;
	if (n > HTTPD_ARGS_MAX) {
		req->too_many_args = 1;
		((char *)q)[1] = '\0';
	}
	return req;
}

/* ------------------------------------------------------------------ */
/* connection registry and the header deadline                         */

static void
deadline_in(struct timespec *ts, int sec)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += sec;
}

/* MHD_OPTION_NOTIFY_CONNECTION: registers connections as MHD opens them
 * and forgets them when it closes them (before it closes the fd). */
static void
httpd_conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
		  enum MHD_ConnectionNotificationCode toe)
{
	struct httpd *h = cls;
	struct httpd_conn *hc = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
			c, MHD_CONNECTION_INFO_CONNECTION_FD);

		/* untracked (no memory): the idle timeout still applies */
		if (!ci || !(hc = calloc(1, sizeof(*hc))))
			return;
		hc->fd = ci->connect_fd;
		deadline_in(&hc->deadline, HTTPD_HEADER_DEADLINE);
		pthread_mutex_lock(&h->conn_lock);
		hc->next = h->conns;
		if (h->conns)
			h->conns->prev = hc;
		h->conns = hc;
		pthread_mutex_unlock(&h->conn_lock);
		*socket_context = hc;
		return;
	}
	if (!hc)
		return;
	pthread_mutex_lock(&h->conn_lock);
	if (hc->prev)
		hc->prev->next = hc->next;
	else
		h->conns = hc->next;
	if (hc->next)
		hc->next->prev = hc->prev;
	pthread_mutex_unlock(&h->conn_lock);
	free(hc);
	*socket_context = NULL;
}

/* A request of c has its headers (busy 1) or is over (busy 0: the next
 * request on this kept-alive connection has the idle timeout to come). */
static void
conn_mark(struct httpd *h, struct MHD_Connection *c, int busy)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct httpd_conn *hc = ci ? ci->socket_context : NULL;

	if (!hc)
		return;
	pthread_mutex_lock(&h->conn_lock);
	hc->in_request = busy;
	if (!busy)
		deadline_in(&hc->deadline, HTTPD_IDLE_TIMEOUT);
	pthread_mutex_unlock(&h->conn_lock);
}

/*
 * The watchdog thread: once a second, shuts down the socket of every
 * connection past its header deadline.  shutdown() leaves the descriptor
 * to MHD, whose thread sees the end of the stream and closes it; the
 * entry stays registered (cut) until then, under the lock, so the fd
 * cannot have been reused.
 */
static void *
httpd_watchdog(void *arg)
{
	struct httpd *h = arg;

	log_set_role("http");
	pthread_mutex_lock(&h->conn_lock);
	while (!h->stopping) {
		struct timespec now, wake;
		unsigned long cut = 0;

		cond_deadline_ms(&wake, 1000);
		pthread_cond_timedwait(&h->conn_cond, &h->conn_lock, &wake);
		if (h->stopping)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		for (struct httpd_conn *hc = h->conns; hc; hc = hc->next) {
			if (hc->in_request || hc->cut ||
			    now.tv_sec < hc->deadline.tv_sec ||
			    (now.tv_sec == hc->deadline.tv_sec &&
			     now.tv_nsec < hc->deadline.tv_nsec))
				continue;
			shutdown(hc->fd, SHUT_RDWR);
			hc->cut = 1;
			cut++;
		}
		h->cut_total += cut;
		if (h->cut_total != h->cut_logged &&
		    now.tv_sec >= h->cut_log_at + 10) {
			log_info("http: closed %lu connection(s) that did not "
				 "send "
				 "their request headers in time (%lu since "
				 "start)",
				 h->cut_total - h->cut_logged, h->cut_total);
			h->cut_logged = h->cut_total;
			h->cut_log_at = now.tv_sec;
		}
	}
	pthread_mutex_unlock(&h->conn_lock);
	return NULL;
}

__attribute__((format(printf, 2, 0))) static void
httpd_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct httpd *h = cls;
	char buf[512];
	size_t n;
	int ok;

	/* a flood (connections over the per-address limit) must not flood
	 * the log: a few lines a second (ratelimit_ok() says how many it
	 * left out); MHD's threads have no role of their own (the main
	 * thread, which starts the daemons, keeps its) */
	if (!pthread_equal(pthread_self(), h->starter))
		log_set_role("http");
	pthread_mutex_lock(&h->log_lock);
	ok = ratelimit_ok(&h->log_rl);
	pthread_mutex_unlock(&h->log_lock);
	if (!ok)
		return;
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
 * Finds httpdocs: -1 when given (anything but the default "httpdocs"),
 * else common/paths.h's search (the source tree for a binary in its build
 * directory, the installed $(datadir)/ntopng/httpdocs for an installed
 * one).  Returns -1 (logged) when the directory given with -1 is not
 * there or holds no pages: the user asked for it, so running without
 * pages would only hide the mistake.
 */
static int
docroot_find(struct httpd *h, const char *opt)
{
	if (opt && strcmp(opt, "httpdocs")) {
		if (!realpath(opt, h->docroot)) {
			log_err("http: --httpdocs-dir %s: %s", opt,
				strerror(errno));
			return -1;
		}
		if (!dir_has_pages(h->docroot)) {
			log_err("http: --httpdocs-dir %s: no web pages there "
				"(pages/login.html missing)",
				opt);
			return -1;
		}
	} else if (paths_find("httpdocs", 0, dir_has_pages, h->docroot) < 0) {
		h->docroot[0] = '\0';
		log_warn("http: no httpdocs directory found (looked in %s "
			 "too); pages are off (use -1)",
			 paths_datadir());
		return 0;
	}
	return 0;
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
	/* remembered so that no URL can serve this file (serve_file) */
	h->have_cert_st = fstat(fileno(f), &h->cert_st) == 0;
	fclose(f);
	buf[n] = '\0';
	if (!strstr(buf, "PRIVATE KEY-----") ||
	    !strstr(buf, "BEGIN CERTIFICATE")) {
		log_err("https: %s must hold the private key and the "
			"certificate",
			path);
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
	if (addr[0] == '[' && n > 2 && addr[n - 1] == ']' &&
	    n - 2 < sizeof(a)) {
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
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD |
			     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	struct sockaddr_storage ss;
	struct sockaddr *sa;
	struct MHD_OptionItem opts[5];
	int o = 0;

	if (port <= 0 || port > 65535) {
		log_err("%s: bad port %d", tls ? "https" : "http", port);
		return -1;
	}
	if (listen_addr(addr, port, &ss, &sa, &flags) < 0) {
		log_err("%s: bad listen address '%s'", tls ? "https" : "http",
			addr);
		return -1;
	}
	s->h = h;
	s->tls = tls;
	if (sa)
		opts[o++] =
			(struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, sa };
	if (tls) {
		flags |= MHD_USE_TLS;
		/* One PEM holds both: GnuTLS picks the key and the
		 * certificate blocks out of it. */
		opts[o++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY,
						     0, h->cert };
		opts[o++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT,
						     0, h->cert };
		/* TLS 1.0 and 1.1 are deprecated (RFC 8996) */
		opts[o++] =
			(struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						 (void *)HTTPD_TLS_PRIORITIES };
	}
	opts[o] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	s->d = MHD_start_daemon(
		flags, (uint16_t)port, NULL, NULL, httpd_access, s,
		MHD_OPTION_EXTERNAL_LOGGER, httpd_mhd_log, h,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)2,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTPD_IDLE_TIMEOUT,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTPD_CONN_MAX,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned int)HTTPD_PER_IP_MAX,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTPD_POOL_SIZE,
		MHD_OPTION_URI_LOG_CALLBACK, httpd_uri_seen, s,
		MHD_OPTION_NOTIFY_CONNECTION, httpd_conn_notify, h,
		MHD_OPTION_NOTIFY_COMPLETED, httpd_completed, s,
		MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!s->d) {
		log_err("%s: cannot listen on %s port %d",
			tls ? "https" : "http", addr ? addr : "*", port);
		return -1;
	}
	log_info("%s: listening on %s port %d", tls ? "https" : "http",
		 addr ? addr : "*", port);
	return 0;
}

/*
 * The certificate: <data dir>/ssl/ntopng-cert.pem, outside the document
 * root.  <httpdocs>/ssl/ntopng-cert.pem, where older versions kept it, is
 * still read (with a warning) so that an existing set-up keeps HTTPS; no
 * URL serves it either way (serve_file refuses ssl/ and this very file).
 * Returns 0 with path filled, or -1 when there is none.
 */
static int
cert_find(struct httpd *h, const struct prefs *p, char *path, size_t len)
{
	int n = snprintf(path, len, "%s/" HTTPD_CERT_REL,
			 p->data_dir ? p->data_dir : ".");

	if (n > 0 && (size_t)n < len && access(path, R_OK) == 0)
		return 0;
	if (h->docroot[0]) {
		char old[PATH_MAX + 32];

		n = snprintf(old, sizeof(old), "%s/" HTTPD_CERT_REL,
			     h->docroot);
		if (n > 0 && (size_t)n < sizeof(old) &&
		    access(old, R_OK) == 0) {
			log_warn(
				"https: using %s; move it to %s (a private key "
				"does not belong under the web documents)",
				old, path);
			snprintf(path, len, "%s", old);
			return 0;
		}
	}
	return -1;
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
	if (cert_find(h, p, path, sizeof(path)) < 0) {
		if (given)
			log_warn("https: no certificate %s (make cert): HTTPS "
				 "is off",
				 path);
		else
			log_info("https: no certificate %s (make cert): HTTP "
				 "only",
				 path);
		return;
	}
	if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
		log_warn("https: libmicrohttpd was built without TLS: HTTPS is "
			 "off");
		return;
	}
	if (cert_load(h, path) < 0) {
		log_warn("https: cannot use %s: HTTPS is off", path);
		return;
	}
	if (srv_start(h, &h->https,
		      p->https_addr ? p->https_addr : p->http_addr, port,
		      1) < 0) {
		free(h->cert);
		h->cert = NULL;
	}
}

/* Frees h and what httpd_start() set up in it (daemons stopped). */
static void
httpd_free(struct httpd *h)
{
	if (h->watchdog_on) {
		pthread_mutex_lock(&h->conn_lock);
		h->stopping = 1;
		pthread_cond_signal(&h->conn_cond);
		pthread_mutex_unlock(&h->conn_lock);
		pthread_join(h->watchdog, NULL);
	}
	/* MHD has sent every CLOSED notification: the registry is empty */
	pthread_cond_destroy(&h->conn_cond);
	pthread_mutex_destroy(&h->conn_lock);
	pthread_mutex_destroy(&h->log_lock);
	luaeng_free(h->lua);
	free(h->cert);
	free(h);
}

struct httpd *
httpd_start(const struct prefs *p)
{
	struct httpd *h;
	struct utsname un;
	struct ratelimit rl = RATELIMIT_INIT(5);

	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->prefs = p;
	ui_geo_init(p->map_tiles_url);
	h->starter = pthread_self();
	h->log_rl = rl;
	h->refusal_rl = rl;
	pthread_mutex_init(&h->conn_lock, NULL);
	pthread_mutex_init(&h->log_lock, NULL);
	if (cond_init_mono(&h->conn_cond) != 0) {
		pthread_mutex_destroy(&h->conn_lock);
		pthread_mutex_destroy(&h->log_lock);
		free(h);
		return NULL;
	}
	if (uname(&un) == 0)
		snprintf(h->server, sizeof(h->server), "ntopng %s [%s/%s]",
			 NTOPNG_VERSION, un.machine, un.sysname);
	else
		snprintf(h->server, sizeof(h->server), "ntopng %s",
			 NTOPNG_VERSION);
	if (gethostname(h->hostname, sizeof(h->hostname) - 1) != 0)
		h->hostname[0] = '\0';
	if (docroot_find(h, p->httpdocs_dir) < 0 || auth_init(p) < 0)
		goto fail;
	h->lua = luaeng_start(p, p->lua_workers);
	if (pthread_create(&h->watchdog, NULL, httpd_watchdog, h) != 0) {
		log_err("http: cannot start the watchdog thread");
		goto fail;
	}
	h->watchdog_on = 1;
	if (p->http_port > 0 &&
	    srv_start(h, &h->http, p->http_addr, p->http_port, 0) < 0)
		goto fail;
	https_start(h, p);
	if (!h->http.d && !h->https.d) {
		if (p->http_port <= 0)
			log_err("https: HTTP is off (-w 0) and HTTPS did not "
				"start");
		goto fail;
	}
	if (h->docroot[0])
		log_info("http: pages from %s", h->docroot);
	return h;
fail:
	if (h->http.d)
		MHD_stop_daemon(h->http.d);
	if (h->https.d)
		MHD_stop_daemon(h->https.d);
	httpd_free(h);
	return NULL;
}

void
httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	/* the suspended connections are resumed before MHD stops (it
	 * refuses to stop with one still suspended) */
	luaeng_stop(h->lua);
	if (h->http.d)
		MHD_stop_daemon(h->http.d);
	if (h->https.d)
		MHD_stop_daemon(h->https.d);
	httpd_free(h);
}
