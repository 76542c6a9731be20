/*
 * alerts_store.h - where past alerts go (docs/alerts.md): one SQLite
 * file per interface, <data-dir>/interfaces/<dir>/alerts.sqlite, syslog(3)
 * facility daemon, and with --alerts-syslog udp://HOST:PORT RFC 5424
 * lines with structured data to a remote collector.
 *
 * Threads: start/stop/sink_add on main; the sink's op runs on an
 * interface's owner thread and only copies the alert into a bounded job
 * queue (common/jobq.h, worker "writer-alerts"; full: dropped and
 * counted); the worker does every write, the syslog call and the UDP
 * send, and once a day deletes the rows older than the -F retention
 * (ntopng.prefs.flows_retention_days).  alerts_store_query() reads a
 * file with its own connection, from any thread (REST).
 */
#ifndef EXPORTER_ALERTS_STORE_H
#define EXPORTER_ALERTS_STORE_H

#include <stddef.h>
#include <stdint.h>

struct prefs;
struct iface;
struct json_t;
struct alert;
struct alert_list_query;

#define ALERTS_STORE_QUEUE 4096

/* Parses --alerts-syslog ("udp://host:port", host an IPv4/IPv6 literal
 * or a name; [v6]:port too).  0, or -1 with the cause in why. */
int alerts_syslog_parse(const char *spec, char *host, size_t hlen, char *port,
			size_t plen, char *why, size_t wlen);

/* The RFC 5424 line of a (no trailing newline): 0 or -1 (too long). */
int alerts_rfc5424(char *buf, size_t len, const struct alert *a,
		   const char *hostname, uint64_t pid);

/* Opens syslog, the remote socket, starts the worker.  Main, after
 * storage_open().  0 or -1. */
int alerts_store_start(const struct prefs *p);
void alerts_store_stop(void);
/* Registers the alert sink on ifc (main, before iface_start()). */
int alerts_store_sink_add(struct iface *ifc);

/* Waits for the queue to be written (tests, REST reads): 0 or -1. */
int alerts_store_drain(int timeout_ms);

/* Past alerts of interface ifid matching q, newest first: {data,
 * totalRows}; NULL on error.  Any thread. */
struct json_t *alerts_store_query(int ifid, const struct alert_list_query *q);

struct alerts_store_stats {
	uint64_t posted, written, dropped, db_errors, syslog_sent, remote_sent,
		remote_errors, rows_expired;
};
void alerts_store_get_stats(struct alerts_store_stats *st);

#endif
