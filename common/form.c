/*
 * form.c - the URL-encoded form decoder (common/form.h).
 */
#include "common/form.h"

#include "common/hex.h"

#include <stdlib.h>
#include <string.h>

/* Decodes s[0..n) into a new string; NULL when it would hold a NUL byte
 * (%00, or one in the input) or out of memory (*oom set). */
static char *
form_unescape(const char *s, size_t n, int *oom)
{
	char *o = malloc(n + 1);
	size_t d = 0;

	if (o == NULL) {
		*oom = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int hi, lo;

		if (c == '+') {
			c = ' ';
		} else if (c == '%' && i + 2 < n &&
			   (hi = hex_val(s[i + 1])) >= 0 &&
			   (lo = hex_val(s[i + 2])) >= 0) {
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (c == '\0') {
			free(o);
			return NULL;
		}
		o[d++] = c;
	}
	o[d] = '\0';
	return o;
}

int
form_parse(const char *s, size_t len, size_t max,
	   int (*cb)(void *arg, const char *k, const char *v), void *arg)
{
	size_t i = 0, fields = 0;
	int n = 0;

	while (i < len) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t end = amp != NULL ? (size_t)(amp - s) : len;
		const char *eq = memchr(s + i, '=', end - i);

		if (eq != NULL && eq > s + i) {
			size_t eqo = (size_t)(eq - s);
			int oom = 0, rc = 0;
			char *k, *v;

			if (max != 0 && ++fields > max)
				return -1;
			k = form_unescape(s + i, eqo - i, &oom);
			v = form_unescape(eq + 1, end - eqo - 1, &oom);
			if (k != NULL && v != NULL) {
				rc = cb(arg, k, v);
				n++;
			}
			free(k);
			free(v);
			if (oom || rc < 0)
				return -1;
		}
		i = end + 1;
	}
	return n;
}
