/*
 * log.c - see log.h.  Lines look like
 *   27/Nov/2026 10:31:02 [if0] WARN: text
 * and are written with one write(2) each; syslog gets them without the
 * date ("[if0] WARN: text"), its own header carries the time.
 *
 * The descriptor lines are written to (log_fd) only changes from stderr
 * to the log file at start, or to -1 when a daemon logging to syslog
 * detaches; a reopen never changes the number, it dup2()s the new file
 * over it, so a thread that has just read log_fd never writes to a
 * closed or reused descriptor.
 */
#include "common/log.h"
#include "common/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

_Atomic int log_verbosity = NLOG_INFO;
static __thread char log_role[16] = "main";

static atomic_int log_fd = STDERR_FILENO; /* -1: none */
static atomic_int log_to_syslog;
static char *log_path;	      /* --log-file (main only) */
static int log_stdio_on_file; /* stdout, stderr follow a reopen */

static int
log_open_path(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
		    0640);
}

int
log_file_open(const char *path)
{
	int fd = log_open_path(path);
	char *copy;

	if (fd < 0)
		return -1;
	copy = strdup(path);
	if (copy == NULL) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	free(log_path);
	log_path = copy;
	atomic_store(&log_fd, fd);
	return 0;
}

int
log_file_reopen(void)
{
	int fd, cur = atomic_load(&log_fd), rc = 0;

	if (log_path == NULL || cur < 0)
		return 1;
	fd = log_open_path(log_path);
	if (fd < 0)
		return -1;
	if (dup3(fd, cur, O_CLOEXEC) < 0)
		rc = -1;
	if (rc == 0 && log_stdio_on_file &&
	    (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0))
		rc = -1;
	close(fd);
	return rc;
}

const char *
log_file_path(void)
{
	return log_path;
}

void
log_syslog_start(void)
{
	openlog("ntopng", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	atomic_store(&log_to_syslog, 1);
}

int
log_detach_stdio(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int out = log_path != NULL ? atomic_load(&log_fd) : null;
	int rc = 0;

	if (null < 0)
		return -1;
	if (dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0)
		rc = -1;
	if (null > STDERR_FILENO)
		close(null);
	if (rc == 0 && log_path != NULL)
		log_stdio_on_file = 1;
	else if (rc == 0 && atomic_load(&log_to_syslog))
		atomic_store(&log_fd, -1); /* stderr is /dev/null now */
	return rc;
}

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
	size_t n, date_len;
	va_list ap;
	int saved = errno, fd;

	if ((int)lvl > log_verbosity)
		return;
	now = time(NULL);
	localtime_r(&now, &tm);
	n = strftime(line, sizeof(line), "%d/%b/%Y %H:%M:%S ", &tm);
	date_len = n;
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
	if (atomic_load_explicit(&log_to_syslog, memory_order_relaxed)) {
		static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
					    LOG_DEBUG, LOG_DEBUG };

		syslog(prio[lvl], "%.*s", (int)(n - date_len), line + date_len);
	}
	line[n++] = '\n';
	fd = atomic_load_explicit(&log_fd, memory_order_relaxed);
	if (fd >= 0 && write(fd, line, n) < 0) {
		/* nothing sensible to do when the log is gone */
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
