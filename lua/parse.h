/*
 * parse.h - the two parsers of untrusted bytes the page engine needs,
 * pure functions over a buffer (unit test: tests/unit/test_luaparse.c):
 * the header block a script may print before its body (lua-api.md 8.5)
 * and an application/x-www-form-urlencoded body (_POST).
 */
#ifndef LUA_PARSE_H
#define LUA_PARSE_H

#include <stddef.h>

#define LUAPARSE_HDR_MAX (64 * 1024) /* a header block longer is refused */

enum luaparse_rc { LUAPARSE_NONE = 1, LUAPARSE_OK = 0, LUAPARSE_BAD = -1 };

/*
 * buf starts with "HTTP/1.x NNN reason" and header lines up to an empty
 * line (CRLF or LF endings): *status gets NNN (100..599), hdrs (hcap
 * bytes, NUL-terminated) the kept headers as "Name: value\n" lines
 * (Content-Length, Connection, Transfer-Encoding, Keep-Alive, Date and
 * Server are dropped: the server sets them), *body_off where the body
 * starts.  LUAPARSE_NONE when buf does not start with "HTTP/1."; BAD when
 * the block is malformed, has no end within LUAPARSE_HDR_MAX, or its
 * kept headers do not fit hcap.
 */
enum luaparse_rc luaparse_headers(const char *buf, size_t len, int *status,
				  char *hdrs, size_t hcap, size_t *body_off);

/* A form body or query string's pairs, decoded, to cb: form_parse()
 * (common/form.h) without a limit on their number. */
int luaparse_form(const char *s, size_t len,
		  int (*cb)(void *arg, const char *k, const char *v),
		  void *arg);

#endif
