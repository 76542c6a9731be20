/*
 * parse.c - see parse.h.  Both parsers only read inside [buf, buf+len),
 * never rely on a NUL terminator, and bound every output.
 *
 * Header block (what a 1.x script prints with sendHTTPHeader or by hand):
 *   "HTTP/1." DIGIT SP 3DIGIT [SP reason] EOL
 *   *( name ":" [spaces] value EOL )
 *   EOL
 * with EOL = CRLF or LF; name is an RFC 9110 token.
 */
#include "lua/parse.h"

#include "common/form.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int
is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* End of the line starting at i: index of '\n' or len. */
static size_t
line_end(const char *b, size_t len, size_t i)
{
	const char *nl = memchr(b + i, '\n', len - i);

	return nl ? (size_t)(nl - b) : len;
}

static int
dropped(const char *name, size_t n)
{
	static const char *const d[] = {
		"Content-Length", "Connection", "Transfer-Encoding",
		"Keep-Alive",	  "Date",	"Server"
	};

	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (strlen(d[i]) == n && !strncasecmp(d[i], name, n))
			return 1;
	return 0;
}

enum luaparse_rc
luaparse_headers(const char *buf, size_t len, int *status, char *hdrs,
		 size_t hcap, size_t *body_off)
{
	size_t i, e, lim = len < LUAPARSE_HDR_MAX ? len : LUAPARSE_HDR_MAX;
	size_t ho = 0;
	int code = 0;

	if (hcap)
		hdrs[0] = '\0';
	if (len < 7 || memcmp(buf, "HTTP/1.", 7))
		return LUAPARSE_NONE;
	e = line_end(buf, lim, 0);
	if (e == lim)
		return LUAPARSE_BAD;
	/* "HTTP/1.x NNN" */
	if (e < 12 || buf[7] < '0' || buf[7] > '9' || buf[8] != ' ')
		return LUAPARSE_BAD;
	for (i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return LUAPARSE_BAD;
		code = code * 10 + (buf[i] - '0');
	}
	if (code < 100 || code > 599 ||
	    (e > 12 && buf[12] != ' ' && buf[12] != '\r'))
		return LUAPARSE_BAD;
	for (i = e + 1;;) {
		size_t s = i, le, ve, c;

		if (i >= lim)
			return LUAPARSE_BAD; /* no empty line */
		le = line_end(buf, lim, i);
		if (le == lim)
			return LUAPARSE_BAD;
		ve = le;
		if (ve > s && buf[ve - 1] == '\r')
			ve--;
		i = le + 1;
		if (ve == s)
			break; /* the empty line */
		for (c = s; c < ve && is_tchar((unsigned char)buf[c]); c++)
			;
		if (c == s || c == ve || buf[c] != ':')
			return LUAPARSE_BAD;
		if (!dropped(buf + s, c - s)) {
			size_t vs = c + 1, need;

			while (vs < ve && (buf[vs] == ' ' || buf[vs] == '\t'))
				vs++;
			for (size_t k = vs; k < ve; k++)
				if ((unsigned char)buf[k] < 0x20 &&
				    buf[k] != '\t')
					return LUAPARSE_BAD;
			need = (c - s) + 2 + (ve - vs) + 1;
			if (ho + need + 1 > hcap)
				return LUAPARSE_BAD;
			memcpy(hdrs + ho, buf + s, c - s);
			ho += c - s;
			memcpy(hdrs + ho, ": ", 2);
			ho += 2;
			memcpy(hdrs + ho, buf + vs, ve - vs);
			ho += ve - vs;
			hdrs[ho++] = '\n';
			hdrs[ho] = '\0';
		}
	}
	*status = code;
	*body_off = i;
	return LUAPARSE_OK;
}

int
luaparse_form(const char *s, size_t len,
	      int (*cb)(void *arg, const char *k, const char *v), void *arg)
{
	return form_parse(s, len, 0, cb, arg);
}
