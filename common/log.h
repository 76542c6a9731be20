/*
 * log.h - one-line log messages and rate limiting.
 *
 * Each message is formatted into one buffer and written with a single
 * write(2), so lines of different threads never interleave.  Where the
 * lines go (docs/operations.md): stderr by default; the --log-file file
 * (log_file_open), reopened on SIGHUP (log_file_reopen) for logrotate;
 * syslog(3) (facility daemon, ident "ntopng") once a daemon (-e) without
 * a log file has detached (log_syslog_start).
 * Every line carries the calling thread's role ("main", "if0", "http"...),
 * set once per thread with log_set_role().  Data-path problems go through
 * a struct ratelimit so that a flood of bad packets logs a few lines a
 * second, never one per packet.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdint.h>

/*
 * Levels: the default shows INFO; -v adds DEBUG (per-source and
 * per-interface summaries, once a minute), -vv adds TRACE (what became of
 * each received message or datagram, always through a struct ratelimit).
 * NLOG_ because <syslog.h> owns LOG_ERR, LOG_INFO... (macros, with other
 * values), and a file may need both.
 */
enum log_level {
	NLOG_ERR = 0,
	NLOG_WARN = 1,
	NLOG_INFO = 2,
	NLOG_DEBUG = 3,
	NLOG_TRACE = 4
};

/* Global verbosity (-v raises it); messages above it are not written.
 * Set by main at start and again when SIGHUP rereads -v (an atomic: the
 * other threads read it while main may change it). */
extern _Atomic int log_verbosity;

/* 1 when messages of this level are written: lets a caller skip the work
 * of gathering what a summary or trace line would say. */
#define log_enabled(lvl) ((int)(lvl) <= log_verbosity)

void log_set_role(const char *role); /* thread-local, copied */
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Outputs.  All of these are called by main only (the start-up and the
 * SIGHUP reload); log_msg() on any thread sees a consistent output.
 *
 * log_file_open(): opens path (append, created 0640) and sends every
 * later line there instead of stderr.  Returns 0, or -1 with errno.
 * log_file_reopen(): opens the same path again and moves the log to it
 * (dup2 over the descriptor in use, so a line being written by another
 * thread goes whole to the old or the new file); stdout and stderr
 * follow when log_detach_stdio() put them on the log file.  Returns 0,
 * 1 without a log file, or -1 with errno (the old file stays in use).
 * log_file_path(): the --log-file path, or NULL.
 * log_syslog_start(): openlog(); lines also go to syslog from now on.
 * log_detach_stdio(): a daemon's last start-up step: stdin, stdout and
 * stderr become /dev/null, or the log file when there is one, and with
 * syslog the lines stop going to stderr.  Returns 0 or -1 with errno.
 */
int log_file_open(const char *path);
int log_file_reopen(void);
const char *log_file_path(void);
void log_syslog_start(void);
int log_detach_stdio(void);

#define log_err(...) log_msg(NLOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(NLOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(NLOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(NLOG_DEBUG, __VA_ARGS__)
#define log_trace(...) log_msg(NLOG_TRACE, __VA_ARGS__)

/* Allows at most `burst` messages per second; owned by one thread. */
struct ratelimit {
	uint64_t sec;
	uint32_t count;
	uint32_t suppressed;
	uint32_t burst;
};
#define RATELIMIT_INIT(b)                                                      \
	{                                                                      \
		0, 0, 0, (b)                                                   \
	}
/* Returns 1 when a message may be written now.  The lines it refuses
 * are counted and summed up in one "N similar lines suppressed" line,
 * written by the next call in a later second or by ratelimit_flush(). */
int ratelimit_ok(struct ratelimit *rl);
/* Writes the summary of the lines suppressed so far, if any, and
 * returns their number.  The owner calls it from its housekeeping (once
 * a second) and before dropping the limiter, so that a burst that ends
 * is still summed up. */
uint32_t ratelimit_flush(struct ratelimit *rl);

#endif
