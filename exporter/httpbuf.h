/*
 * httpbuf.h - a bounded buffer for the answer of an HTTP request made
 * with libcurl (the ClickHouse client, the InfluxDB driver).
 *
 * A server's answer is hostile input: at most `max` bytes are kept; the
 * first byte past the bound stops the transfer (curl then returns
 * CURLE_WRITE_ERROR) and sets `over`.  The bytes kept are always
 * followed by a '\0', so a text answer can be read as a string.
 */
#ifndef EXPORTER_HTTPBUF_H
#define EXPORTER_HTTPBUF_H

#include <stddef.h>

struct httpbuf {
	char *buf; /* heap, NUL-terminated; NULL until the first byte */
	size_t len, cap;
	size_t max; /* bytes kept at most */
	int over;   /* the answer was longer than max */
};

/* libcurl's CURLOPT_WRITEFUNCTION for a struct httpbuf (its WRITEDATA). */
size_t httpbuf_write(char *ptr, size_t size, size_t nmemb, void *arg);

#endif
