/*
 * rbuf.c - the out-of-line getters of rbuf.h (copies and sub-readers);
 * the fixed-width getters are inline in the header.
 */
#include "common/rbuf.h"

#include <string.h>

int
rbuf_get_n(struct rbuf *b, void *dst, size_t n)
{
	if (!rbuf_has(b, 0, n))
		return rbuf_short_(b);
	if (n > 0)
		memcpy(dst, b->data + b->off, n);
	b->off += n;
	return 0;
}

int
rbuf_get_sub(struct rbuf *b, size_t n, struct rbuf *sub)
{
	if (!rbuf_has(b, 0, n))
		return rbuf_short_(b);
	rbuf_init(sub, b->data + b->off, n);
	b->off += n;
	return 0;
}
