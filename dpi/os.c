/*
 * os.c - passive OS detection from what a host sends (seed §1.1 "passive
 * OS detection by dissecting HTTP request headers").
 *
 * User-Agent (RFC 9110 §10.1.5): product tokens and comments, e.g.
 *   Mozilla/5.0 (Windows NT 10.0; Win64; x64) ...      -> Windows 10
 *   Mozilla/5.0 (Linux; Android 5.1.1; LGLS751 ...)     -> Android 5.1
 *   Mozilla/5.0 (iPhone; CPU iPhone OS 15_2 like Mac OS X) -> iOS 15.2
 *   Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)     -> MacOS 10.15
 *   Microsoft-Delivery-Optimization/10.0                -> Windows 10
 * The order of the tests matters: Android UAs also say "Linux", iOS UAs
 * also say "Mac OS X".  Windows system components (Windows Update,
 * Delivery Optimization, CryptoAPI) send "Microsoft-<name>/<NT version>"
 * or "Windows-Update-Agent/<agent version>" with no comment at all.
 *
 * DHCP (RFC 2132): option 60 (vendor class) "MSFT 5.0" is Windows,
 * "android-dhcp-<ver>" Android, "dhcpcd-<v>:Linux-..." Linux, "udhcp"
 * Linux; without option 60, a parameter request list (option 55) that
 * asks for option 249 (Microsoft's classless static routes) is Windows.
 *
 * TCP SYN: the initial TTL (the seen TTL rounded up to 64, 128 or 255)
 * and the window: 128 is Windows; 64 with a 65535 window is an Apple
 * stack (MacOS); other 64s are Linux.  The weakest source: a later UA or
 * DHCP verdict replaces it.
 *
 * Every input is bounded by its length; nothing here allocates.
 */
#include "dpi/os.h"

#include <stdio.h>
#include <string.h>

/* First occurrence of needle (NUL-terminated) in s[0..len), or NULL. */
static const char *
os_find(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0 || n > len)
		return NULL;
	for (size_t i = 0; i + n <= len; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, n) == 0)
			return s + i;
	return NULL;
}

/* Reads "major[.|_]minor" at p (bounded by end) into major*100+minor;
 * returns 0 when p holds no digit. */
static uint16_t
os_version(const char *p, const char *end)
{
	unsigned major = 0, minor = 0;
	int digits = 0;

	while (p < end && *p >= '0' && *p <= '9' && digits < 3) {
		major = major * 10 + (unsigned)(*p++ - '0');
		digits++;
	}
	if (digits == 0 || (p < end && *p >= '0' && *p <= '9'))
		return 0;
	if (p + 1 < end && (*p == '.' || *p == '_') && p[1] >= '0' &&
	    p[1] <= '9') {
		p++;
		digits = 0;
		while (p < end && *p >= '0' && *p <= '9' && digits < 2) {
			minor = minor * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (p < end && *p >= '0' && *p <= '9')
			minor = 0; /* 3+ digit minor: not a version we know */
	}
	if (major > 600 || minor > 99)
		return 0;
	return (uint16_t)(major * 100 + minor);
}

static int
os_set(struct os_verdict *v, uint8_t os, uint8_t src, uint16_t ver)
{
	v->os = os;
	v->src = src;
	v->ver = ver;
	return 1;
}

int
os_from_user_agent(const char *ua, size_t len, struct os_verdict *v)
{
	const char *end = ua + len, *p;

	if (ua == NULL || len == 0)
		return 0;
	if ((p = os_find(ua, len, "Windows NT ")) != NULL)
		return os_set(v, OS_WINDOWS, OS_SRC_UA,
			      os_version(p + 11, end));
	if ((p = os_find(ua, len, "Android")) != NULL) {
		p += 7;
		if (p < end && *p == ' ')
			p++;
		return os_set(v, OS_ANDROID, OS_SRC_UA, os_version(p, end));
	}
	if (os_find(ua, len, "iPhone") || os_find(ua, len, "iPad") ||
	    os_find(ua, len, "iPod")) {
		p = os_find(ua, len, " OS ");
		return os_set(v, OS_IOS, OS_SRC_UA,
			      p ? os_version(p + 4, end) : 0);
	}
	if ((p = os_find(ua, len, "Mac OS X")) != NULL) {
		p += 8;
		if (p < end && *p == ' ')
			p++;
		return os_set(v, OS_MACOS, OS_SRC_UA, os_version(p, end));
	}
	if (os_find(ua, len, "Windows-Update-Agent/") == ua)
		return os_set(v, OS_WINDOWS, OS_SRC_UA, 0); /* agent version */
	if (len > 10 && memcmp(ua, "Microsoft-", 10) == 0) {
		/* "Microsoft-<component>/<NT version>", no comment */
		for (p = ua + 10; p < end && *p != '/' && *p != ' '; p++)
			;
		if (p < end && *p == '/')
			return os_set(v, OS_WINDOWS, OS_SRC_UA,
				      os_version(p + 1, end));
	}
	if (os_find(ua, len, "Linux") || os_find(ua, len, "X11; Ubuntu"))
		return os_set(v, OS_LINUX, OS_SRC_UA, 0);
	if (os_find(ua, len, "Windows"))
		return os_set(v, OS_WINDOWS, OS_SRC_UA, 0);
	return 0;
}

/* 1 when the comma-separated list s[0..len) holds the number n. */
static int
os_list_has(const char *s, size_t len, unsigned n)
{
	unsigned cur = 0;
	int digits = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] >= '0' && s[i] <= '9') {
			if (digits < 4)
				cur = cur * 10 + (unsigned)(s[i] - '0');
			digits++;
			continue;
		}
		if (digits > 0 && digits < 4 && cur == n)
			return 1;
		cur = 0;
		digits = 0;
	}
	return 0;
}

/* The verdict of a vendor class (option 60) and whether the parameter
 * request list (option 55) asks for option 249. */
static int
os_dhcp_verdict(const char *vc, size_t vc_len, int wants_249,
		struct os_verdict *v)
{
	const char *p;

	if (vc != NULL && vc_len > 0) {
		if (vc_len >= 4 && memcmp(vc, "MSFT", 4) == 0)
			return os_set(v, OS_WINDOWS, OS_SRC_DHCP, 0);
		if (vc_len > 13 && memcmp(vc, "android-dhcp-", 13) == 0)
			return os_set(v, OS_ANDROID, OS_SRC_DHCP,
				      os_version(vc + 13, vc + vc_len));
		if ((p = os_find(vc, vc_len, ":Linux-")) != NULL ||
		    os_find(vc, vc_len, "udhcp") == vc)
			return os_set(v, OS_LINUX, OS_SRC_DHCP, 0);
	}
	if (wants_249)
		return os_set(v, OS_WINDOWS, OS_SRC_DHCP, 0);
	return 0;
}

int
os_from_dhcp(const char *vc, size_t vc_len, const char *prl, size_t prl_len,
	     struct os_verdict *v)
{
	return os_dhcp_verdict(
		vc, vc_len, prl != NULL && os_list_has(prl, prl_len, 249), v);
}

/*
 * BOOTP (RFC 951, RFC 2131 §2): op, htype, hlen, hops (4 bytes), xid (4),
 * secs, flags (4), ciaddr, yiaddr, siaddr, giaddr (16), chaddr (16),
 * sname (64), file (128): 236 bytes; then the magic cookie 99.130.83.99
 * and the options (RFC 2132): code, length, value; 0 is a one-byte pad,
 * 255 the end.  Only requests (op 1) name the client's OS.
 */
int
os_from_dhcp_packet(const uint8_t *b, size_t len, struct os_verdict *v)
{
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };
	const char *vc = NULL;
	size_t vc_len = 0, i = 240;
	int wants_249 = 0;

	if (b == NULL || len < 240 || b[0] != 1 ||
	    memcmp(b + 236, cookie, 4) != 0)
		return 0;
	while (i < len && b[i] != 255) {
		size_t n;

		if (b[i] == 0) {
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + b[i + 1] > len)
			break; /* truncated option: use what came before */
		n = b[i + 1];
		if (b[i] == 60) {
			vc = (const char *)b + i + 2;
			vc_len = n;
		} else if (b[i] == 55) {
			for (size_t k = 0; k < n; k++)
				wants_249 |= b[i + 2 + k] == 249;
		}
		i += 2 + n;
	}
	return os_dhcp_verdict(vc, vc_len, wants_249, v);
}

int
os_from_syn(uint8_t ttl, uint16_t window, struct os_verdict *v)
{
	if (ttl == 0)
		return 0;
	if (ttl > 64 && ttl <= 128)
		return os_set(v, OS_WINDOWS, OS_SRC_TCP, 0);
	if (ttl <= 64)
		return os_set(v, window == 65535 ? OS_MACOS : OS_LINUX,
			      OS_SRC_TCP, 0);
	return 0; /* 255: routers, Solaris: no class of ours */
}

int
os_merge(struct os_verdict *cur, const struct os_verdict *n)
{
	if (n->os == OS_UNKNOWN || n->src < cur->src)
		return 0;
	if (n->src == cur->src && (n->os == cur->os && n->ver == cur->ver))
		return 0;
	if (n->src == cur->src && n->os == cur->os && n->ver == 0)
		return 0; /* keep the version we know */
	*cur = *n;
	return 1;
}

const char *
os_name(uint8_t os)
{
	static const char *const names[OS_NUM] = {
		"", "Linux", "Windows", "MacOS", "iOS", "Android",
	};

	return os < OS_NUM ? names[os] : "";
}

/* The product name of a Windows NT version. */
static const char *
os_windows_name(uint16_t ver)
{
	switch (ver) {
	case 500:
		return "Windows 2000";
	case 501:
		return "Windows XP";
	case 502:
		return "Windows Server 2003";
	case 600:
		return "Windows Vista";
	case 601:
		return "Windows 7";
	case 602:
		return "Windows 8";
	case 603:
		return "Windows 8.1";
	case 1000:
		return "Windows 10";
	default:
		return NULL;
	}
}

char *
os_detail_fmt(const struct os_verdict *v, char *buf, size_t len)
{
	const char *name = os_name(v->os), *w;

	if (len == 0)
		return buf;
	if (v->os == OS_WINDOWS && v->ver != 0 &&
	    (w = os_windows_name(v->ver)) != NULL)
		snprintf(buf, len, "%s", w);
	else if (v->os == OS_WINDOWS && v->ver != 0)
		snprintf(buf, len, "Windows NT %u.%u", v->ver / 100u,
			 v->ver % 100u);
	else if (v->ver != 0 && v->ver % 100u == 0)
		snprintf(buf, len, "%s %u", name, v->ver / 100u);
	else if (v->ver != 0)
		snprintf(buf, len, "%s %u.%u", name, v->ver / 100u,
			 v->ver % 100u);
	else
		snprintf(buf, len, "%s", name);
	return buf;
}
