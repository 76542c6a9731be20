/*
 * log.h - one-line log messages and rate limiting.
 *
 * Each message is formatted into one buffer and written with a single
 * write(2) to stderr, so lines of different threads never interleave.
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
 * Set by main before any other thread starts, read-only afterwards. */
extern int log_verbosity;

/* 1 when messages of this level are written: lets a caller skip the work
 * of gathering what a summary or trace line would say. */
#define log_enabled(lvl) ((int)(lvl) <= log_verbosity)

void log_set_role(const char *role); /* thread-local, copied */
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

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
