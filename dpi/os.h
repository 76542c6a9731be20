/*
 * os.h - passive OS detection: small verdicts from what a host says
 * about itself (HTTP User-Agent, DHCP vendor class and parameter request
 * list, the TTL and window of its TCP SYNs).
 *
 * A verdict is 4 bytes (OS, source, version), so a host keeps one inline
 * and never a string.  Sources rank UA > DHCP > TCP SYN: a stronger
 * source replaces a weaker one, never the reverse (docs/hosts.md).
 *
 * Pure functions over bounded buffers: any thread; the unit tests link
 * them alone.
 */
#ifndef DPI_OS_H
#define DPI_OS_H

#include <stddef.h>
#include <stdint.h>

/* Values of REST `os` (upstream 4.x's OSType numbering). */
enum os_type {
	OS_UNKNOWN = 0,
	OS_LINUX = 1,
	OS_WINDOWS = 2,
	OS_MACOS = 3,
	OS_IOS = 4,
	OS_ANDROID = 5,
	OS_NUM
};

/* Where a verdict came from; a higher value ranks higher. */
enum os_source {
	OS_SRC_NONE = 0,
	OS_SRC_TCP = 1,	 /* TTL and window of a SYN (coarse) */
	OS_SRC_DHCP = 2, /* option 60 / option 55 */
	OS_SRC_UA = 3,	 /* HTTP User-Agent */
};

struct os_verdict {
	uint8_t os;   /* enum os_type */
	uint8_t src;  /* enum os_source */
	uint16_t ver; /* major * 100 + minor (Windows: NT version), 0 unknown */
};

/* Each returns 1 and fills v when the input names an OS, else 0 (v is
 * then untouched).  Inputs need not be NUL-terminated. */
int os_from_user_agent(const char *ua, size_t len, struct os_verdict *v);
int os_from_dhcp(const char *vendor_class, size_t vc_len, const char *prl,
		 size_t prl_len, struct os_verdict *v);
/* A DHCP request's UDP payload (BOOTP with options), bounded by len. */
int os_from_dhcp_packet(const uint8_t *bootp, size_t len, struct os_verdict *v);
int os_from_syn(uint8_t ttl, uint16_t window, struct os_verdict *v);

/* Adopts n into *cur when n ranks at least as high as *cur (a same-rank
 * verdict with a version replaces one without).  Returns 1 if *cur
 * changed. */
int os_merge(struct os_verdict *cur, const struct os_verdict *n);

/* "Windows", "Linux", "MacOS", "iOS", "Android" or "" (static). */
const char *os_name(uint8_t os);
/* The verdict in words ("Windows 10", "Android 5.1", "Linux"), "" for
 * none; always NUL-terminated in buf.  Returns buf. */
char *os_detail_fmt(const struct os_verdict *v, char *buf, size_t len);

#endif
