/*
 * sdnotify.h - systemd's service notification protocol (Type=notify,
 * packaging/ntopng.service; docs/packaging.md), written here: one datagram
 * of "KEY=VALUE\n" lines to the unix socket named by $NOTIFY_SOCKET (a
 * path, or "@name" for an abstract socket).  No libsystemd.  Without
 * $NOTIFY_SOCKET every call does nothing.
 *
 * main.c sends READY=1 once the node runs, RELOADING=1 and READY=1
 * around a SIGHUP reload, STOPPING=1 when it begins to stop, and calls
 * sdnotify_watchdog() from its loop, which sends
 * WATCHDOG=1 every half $WATCHDOG_USEC (WatchdogSec= in the unit) when
 * $WATCHDOG_PID is unset or ours: a main loop that hangs stops the pings
 * and systemd restarts the service.  Main thread only (no locking).
 */
#ifndef COMMON_SDNOTIFY_H
#define COMMON_SDNOTIFY_H

#include <stdint.h>

/*
 * Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID (again at every
 * call: the tests change them).  Returns 1 when notifications are on, 0
 * when $NOTIFY_SOCKET is unset, -1 when it is not a usable address
 * (logged once).
 */
int sdnotify_init(void);

/* Sends state ("READY=1", "STOPPING=1", "STATUS=..."; several lines
 * allowed).  0 sent (or nothing to send to), -1 on error (logged). */
int sdnotify(const char *state);

/* The watchdog interval in microseconds ($WATCHDOG_USEC for this
 * process), 0 when there is none. */
uint64_t sdnotify_watchdog_usec(void);

/* Sends WATCHDOG=1 when half the interval has passed since the last one;
 * now_ms: a monotonic clock in milliseconds. */
void sdnotify_watchdog(uint64_t now_ms);

#endif
