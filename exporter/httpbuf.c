/*
 * httpbuf.c - the bounded answer buffer of httpbuf.h.
 */
#include "exporter/httpbuf.h"

#include <stdlib.h>
#include <string.h>

size_t
httpbuf_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct httpbuf *r = arg;
	size_t n = size * nmemb, room;

	if (r->len >= r->max) {
		r->over = 1;
		return 0; /* stops the transfer */
	}
	room = r->max - r->len;
	if (n > room) {
		r->over = 1;
		n = room;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		char *nb;

		while (cap < r->len + n + 1)
			cap *= 2;
		nb = realloc(r->buf, cap);
		if (nb == NULL)
			return 0;
		r->buf = nb;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, ptr, n);
	r->len += n;
	r->buf[r->len] = '\0';
	return r->over ? 0 : size * nmemb;
}
