/*
 * log.c - see log.h.  Lines look like
 *   27/Nov/2026 10:31:02 [if0] WARN: text
 * and are written with one write(2) each.
 */
#include "common/log.h"
#include "common/timeutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int log_verbosity = NLOG_INFO;
static __thread char log_role[16] = "main";

void
log_set_role(const char *role)
{
	snprintf(log_role, sizeof(log_role), "%s", role);
}

static const char *const level_names[] = { "ERROR", "WARN", "INFO", "DEBUG",
					   "TRACE" };

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char line[1024];
	struct tm tm;
	time_t now;
	size_t n;
	va_list ap;
	int saved = errno;

	if ((int)lvl > log_verbosity)
		return;
	now = time(NULL);
	localtime_r(&now, &tm);
	n = strftime(line, sizeof(line), "%d/%b/%Y %H:%M:%S ", &tm);
	n += (size_t)snprintf(line + n, sizeof(line) - n, "[%s] %s: ", log_role,
			      level_names[lvl]);
	if (n < sizeof(line)) {
		va_start(ap, fmt);
		int r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		va_end(ap);
		if (r > 0)
			n += (size_t)r;
	}
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* nothing sensible to do when stderr is gone */
	}
	errno = saved;
}

/* The summary names no cause: the lines before it said what was
 * suppressed, and one line per window keeps the log readable. */
uint32_t
ratelimit_flush(struct ratelimit *rl)
{
	uint32_t n = rl->suppressed;

	if (n > 0)
		log_warn("%u similar lines suppressed", n);
	rl->suppressed = 0;
	return n;
}

int
ratelimit_ok(struct ratelimit *rl)
{
	uint64_t sec = time_mono_ms() / 1000;

	if (sec != rl->sec) {
		ratelimit_flush(rl);
		rl->sec = sec;
		rl->count = 0;
	}
	if (rl->count < rl->burst) {
		rl->count++;
		return 1;
	}
	if (rl->suppressed < UINT32_MAX)
		rl->suppressed++;
	return 0;
}
