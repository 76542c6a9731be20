/*
 * fuzz_luaparse.c - libFuzzer target for lua/parse.c: the header block a
 * page script prints and the form body of _POST.  Byte 0 picks the
 * parser (even: header block, odd: form), the rest is the input, copied
 * into a buffer of exactly its size so that ASan sees any read past it.
 * Invariants checked: a parsed block's body offset lies inside the input,
 * its status is 100..599, the kept headers are NUL-terminated lines of
 * "Name: value".  Corpus: tests/corpus/luaparse/ (replayed under gcc by
 * tests/unit/test_luaparse.c).  Build: make fuzz.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lua/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count(void *arg, const char *k, const char *v)
{
	size_t *n = arg;

	*n += strlen(k) + strlen(v);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *b, h[4096];
	size_t off = 0, n = 0;
	int status = 0;

	if (size < 1)
		return 0;
	b = malloc(size - 1 ? size - 1 : 1);
	if (!b)
		return 0;
	memcpy(b, data + 1, size - 1);
	if (data[0] % 2 == 0) {
		if (luaparse_headers(b, size - 1, &status, h, sizeof(h),
				     &off) == LUAPARSE_OK) {
			if (off > size - 1 || status < 100 || status > 599 ||
			    memchr(h, '\0', sizeof(h)) == NULL)
				abort();
			for (const char *l = h; *l;) {
				const char *e = strchr(l, '\n');

				if (!e || !strstr(l, ": ") ||
				    strstr(l, ": ") > e)
					abort();
				l = e + 1;
			}
		}
	} else if (luaparse_form(b, size - 1, count, &n) < 0) {
		abort();
	} else if (n > 2 * size) {
		abort();
	}
	free(b);
	return 0;
}
