/*
 * sdnotify.c - systemd's notification protocol over $NOTIFY_SOCKET
 * (contract in sdnotify.h).
 */
#include "common/sdnotify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"

static struct sockaddr_un addr;
static socklen_t addr_len; /* 0: notifications off */
static uint64_t wd_usec;   /* 0: no watchdog */
static uint64_t wd_last_ms;
static int fd = -1;
static uint64_t send_errors; /* logged at the 1st, 10th, 100th... */

/* a decimal number without sign or blanks, > 0; 0 otherwise */
static uint64_t
env_number(const char *name)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return 0;
	return (uint64_t)v;
}

int
sdnotify_init(void)
{
	const char *s = getenv("NOTIFY_SOCKET");
	size_t n;
	uint64_t pid;

	addr_len = 0;
	wd_usec = 0;
	wd_last_ms = 0;
	if (fd >= 0) {
		close(fd);
		fd = -1;
	}
	if (!s || !*s)
		return 0;
	n = strlen(s);
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	/* a path, or '@' for the abstract namespace (a leading NUL, the
	 * length counts and no terminator); "vsock:" is not for us */
	if ((s[0] != '/' && s[0] != '@') || n < 2 ||
	    n >= sizeof(addr.sun_path)) {
		log_warn("NOTIFY_SOCKET=%.100s: not a unix socket path or "
			 "@name: no notifications to systemd",
			 s);
		return -1;
	}
	memcpy(addr.sun_path, s, n);
	if (s[0] == '@') {
		addr.sun_path[0] = '\0';
		addr_len =
			(socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				       n + 1);
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("NOTIFY_SOCKET: socket: %s", strerror(errno));
		addr_len = 0;
		return -1;
	}
	/* the watchdog is ours when WATCHDOG_PID is unset or our pid */
	pid = env_number("WATCHDOG_PID");
	if (!getenv("WATCHDOG_PID") || pid == (uint64_t)getpid())
		wd_usec = env_number("WATCHDOG_USEC");
	return 1;
}

int
sdnotify(const char *state)
{
	ssize_t w;

	if (addr_len == 0 || fd < 0)
		return 0;
	w = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
		   (const struct sockaddr *)&addr, addr_len);
	if (w < 0) {
		uint64_t n = ++send_errors, p = 1;

		while (p < n && p <= UINT64_MAX / 10)
			p *= 10;
		if (p == n)
			log_warn("NOTIFY_SOCKET: cannot send %.40s: %s (%llu "
				 "time(s))",
				 state, strerror(errno), (unsigned long long)n);
		return -1;
	}
	return 0;
}

uint64_t
sdnotify_watchdog_usec(void)
{
	return addr_len ? wd_usec : 0;
}

void
sdnotify_watchdog(uint64_t now_ms)
{
	uint64_t half_ms;

	if (addr_len == 0 || wd_usec == 0)
		return;
	half_ms = wd_usec / 2000;
	if (wd_last_ms != 0 && now_ms - wd_last_ms < half_ms)
		return;
	wd_last_ms = now_ms;
	sdnotify("WATCHDOG=1");
}
