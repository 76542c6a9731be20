/*
 * httpd.h - the node's HTTP server (libmicrohttpd): authentication, the
 * REST v2 API (webui/rest.c), a login placeholder page and 404s.
 *
 * Threads: httpd_start/httpd_stop are called by the main thread; the
 * server answers on its own small pool of threads, which reach the
 * interfaces only through query_run().
 */
#ifndef WEBUI_HTTPD_H
#define WEBUI_HTTPD_H

struct prefs;
struct httpd;

/*
 * Listens on prefs->http_addr (NULL: every IPv4 address; an IPv6 literal,
 * bracketed or not, listens on IPv6) and prefs->http_port (0: no HTTP),
 * and on HTTPS (-W, or the HTTP port + 1 when a certificate is there).
 * Returns NULL on failure (cause logged): neither server started, or the
 * -1 directory given is not there.  p must outlive the server.
 */
struct httpd *httpd_start(const struct prefs *p);
/* Stops the server and frees it; NULL is a no-op. */
void httpd_stop(struct httpd *h);

#endif
