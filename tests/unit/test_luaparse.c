/*
 * test_luaparse.c - lua/parse.c: the header block a page script prints
 * (status, kept and dropped headers, CRLF and LF, malformed blocks) and
 * the form body parser of _POST (decoding, pairs without '=', NUL bytes,
 * no read past the given length).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "lua/parse.h"

#define LLVMFuzzerTestOneInput fuzz_luaparse_one
#include "fuzz/fuzz_luaparse.c"
#undef LLVMFuzzerTestOneInput

#ifndef LUAPARSE_CORPUS_DIR
#define LUAPARSE_CORPUS_DIR "tests/corpus/luaparse"
#endif

static void
test_headers(void **st)
{
	const char *b = "HTTP/1.1 201 Created\r\nX-A: 1\r\nContent-Length: 9"
			"\r\nSet-Cookie: a=b; Path=/\r\nServer: x\r\n\r\nbody";
	char h[256];
	size_t off = 0;
	int status = 0;

	(void)st;
	assert_int_equal(
		luaparse_headers(b, strlen(b), &status, h, sizeof(h), &off),
		LUAPARSE_OK);
	assert_int_equal(status, 201);
	assert_string_equal(h, "X-A: 1\nSet-Cookie: a=b; Path=/\n");
	assert_string_equal(b + off, "body");
	/* LF endings, no reason, empty body */
	b = "HTTP/1.0 404\nContent-Type:text/plain\n\n";
	assert_int_equal(
		luaparse_headers(b, strlen(b), &status, h, sizeof(h), &off),
		LUAPARSE_OK);
	assert_int_equal(status, 404);
	assert_string_equal(h, "Content-Type: text/plain\n");
	assert_int_equal(off, strlen(b));
	/* no header block: the whole buffer is the body */
	b = "<html>HTTP/1.1 200 OK";
	assert_int_equal(
		luaparse_headers(b, strlen(b), &status, h, sizeof(h), &off),
		LUAPARSE_NONE);
	assert_int_equal(
		luaparse_headers("HTTP/1", 6, &status, h, sizeof(h), &off),
		LUAPARSE_NONE);
}

static void
test_headers_bad(void **st)
{
	static const char *const bad[] = {
		"HTTP/1.1 200 OK\r\nX-A: 1\r\n",	  /* no empty line */
		"HTTP/1.1 20 OK\r\n\r\n",		  /* short status */
		"HTTP/1.1 999 OK\r\n\r\n",		  /* out of range */
		"HTTP/1.1 200OK\r\n\r\n",		  /* no space */
		"HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",	  /* not a header */
		"HTTP/1.1 200 OK\r\n: v\r\n\r\n",	  /* empty name */
		"HTTP/1.1 200 OK\r\nX A: v\r\n\r\n",	  /* space in name */
		"HTTP/1.1 200 OK\r\nX-A: a\001b\r\n\r\n", /* control char */
		"HTTP/1.x 200 OK\r\n\r\n",
	};
	char h[256];
	size_t off;
	int status;

	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(luaparse_headers(bad[i], strlen(bad[i]),
						  &status, h, sizeof(h), &off),
				 LUAPARSE_BAD);
	/* the kept headers must fit */
	assert_int_equal(luaparse_headers("HTTP/1.1 200 OK\r\nX-Long: "
					  "0123456789\r\n\r\n",
					  37, &status, h, 10, &off),
			 LUAPARSE_BAD);
	/* the length is respected: the end lies beyond len */
	assert_int_equal(luaparse_headers("HTTP/1.1 200 OK\r\n\r\n", 17,
					  &status, h, sizeof(h), &off),
			 LUAPARSE_BAD);
}

struct pairs {
	char s[512];
};

static int
collect(void *arg, const char *k, const char *v)
{
	struct pairs *p = arg;
	size_t n = strlen(p->s);

	snprintf(p->s + n, sizeof(p->s) - n, "[%s=%s]", k, v);
	return 0;
}

static void
test_form(void **st)
{
	struct pairs p = { "" };
	const char *b = "a=1+2&b=%41%2x&novalue&=x&c=&d=%00&e=%2";

	(void)st;
	assert_int_equal(luaparse_form(b, strlen(b), collect, &p), 4);
	assert_string_equal(p.s, "[a=1 2][b=A%2x][c=][e=%2]");
	/* only len bytes are read */
	p.s[0] = '\0';
	assert_int_equal(luaparse_form("k=vv&z=1", 3, collect, &p), 1);
	assert_string_equal(p.s, "[k=v]");
	p.s[0] = '\0';
	assert_int_equal(luaparse_form("", 0, collect, &p), 0);
	assert_int_equal(luaparse_form("k=%4", 4, collect, &p), 1);
	assert_string_equal(p.s, "[k=%4]");
}

/* Every file of the fuzz corpus through the target (its checks abort). */
static void
test_corpus(void **st)
{
	DIR *d = opendir(LUAPARSE_CORPUS_DIR);
	struct dirent *e;
	int files = 0;

	(void)st;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[1024], buf[65536];
		FILE *f;
		size_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", LUAPARSE_CORPUS_DIR,
			 e->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		fuzz_luaparse_one((const uint8_t *)buf, n);
		files++;
	}
	closedir(d);
	assert_true(files >= 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_headers_bad),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
