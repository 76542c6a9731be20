/*
 * form.h - application/x-www-form-urlencoded bodies and query strings:
 * one decoder for the REST API's POST forms (webui/rest.c) and the Lua
 * pages' _GET/_POST (lua/parse.c).
 */
#ifndef COMMON_FORM_H
#define COMMON_FORM_H

#include <stddef.h>

/* Splits s[0..len) on '&', each pair on its first '=', decodes both
 * sides ('+' is a space, %XX a byte; a bad or cut escape is kept as it
 * is) and calls cb(arg, key, value) for each, in order.  A pair without
 * '=', with an empty key, or with a NUL byte once decoded is skipped.
 * Returns the number of pairs passed to cb, or -1: out of memory, cb
 * returned < 0, or more than max pairs with a key (max 0: no limit;
 * those before it were passed). */
int form_parse(const char *s, size_t len, size_t max,
	       int (*cb)(void *arg, const char *k, const char *v), void *arg);

#endif
