/*
 * md5.h - MD5 (RFC 1321), only to read the md5 password hashes of the
 * 1.x users file and of `user.<name>.password` keys (seed Appendix E).
 * New passwords are stored with argon2id (state/auth.c).
 */
#ifndef STATE_MD5_H
#define STATE_MD5_H

#include <stddef.h>

/* Writes the 32 lower-case hex digits of md5(data) and a NUL into hex. */
void md5_hex(const void *data, size_t len, char hex[33]);

#endif
