/*
 * hex.h - the value of one hex digit, for the parsers that read them
 * (MAC addresses, URL escapes).
 */
#ifndef COMMON_HEX_H
#define COMMON_HEX_H

/* 0-15 for [0-9a-fA-F], else -1. */
static inline int
hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
