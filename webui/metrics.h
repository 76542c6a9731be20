/*
 * metrics.h - the Prometheus / OpenMetrics text exposition served at
 * /metrics (docs/metrics.md): per interface, source, sink, L7 protocol
 * and the process, built from the same query builders as REST.
 */
#ifndef WEBUI_METRICS_H
#define WEBUI_METRICS_H

#include <stddef.h>

struct prefs;

/* The exposition text (heap, NUL-terminated; the caller frees), or NULL
 * when out of memory.  An HTTP thread: the interfaces' numbers come
 * through rest_run() from their owners. */
char *metrics_render(const struct prefs *p);

/* Appends v to a label value with Prometheus' escapes (backslash, double
 * quote, newline); at most len bytes with the NUL.  Exposed for tests. */
void metrics_label_escape(char *dst, size_t len, const char *v);

#endif
