/*
 * storage.h - what the interfaces hand to the persistent stores
 * (docs/storage.md): expired flows and host contacts to SQLite (-F, -D),
 * purged hosts to the host cache in Redis (unless -P) and back when they
 * return, counter snapshots to RRD time series.
 *
 * Threads: storage_open/close/sink_add run on main; the sinks' ops on an
 * interface's owner thread (merge/sink.h).  The ops only copy data into
 * writer jobs (exporter/writer.h): no I/O on the owner.
 */
#ifndef EXPORTER_STORAGE_H
#define EXPORTER_STORAGE_H

#include <stddef.h>
#include <stdint.h>

struct prefs;
struct iface;
struct host;
struct flow;
struct json_t;

/* Host cache: key and lifetime (seed Appendix D, with the interface's
 * identity instead of its ifid: storage_iface_id()). */
#define STORAGE_HOST_KEY "ntopng.serialized_hosts.%s__%s@%u"
#define STORAGE_HOST_TTL_S 3600

/*
 * An interface's identity in shared key-value keys: "<node id>.<dir>",
 * dir its directory name in the data directory (writer_iface_dirname():
 * from its name, sanitized, bounded, collision-safe), so that keys follow
 * the interface across -i orders and two nodes on one Redis do not share
 * them.  ifids stay the REST handle only.  0, or -1 (unknown ifid, len
 * too small).  Any thread, after storage_iface_names().
 */
int storage_iface_id(int ifid, char *buf, size_t len);
/* Registers every interface's name for the above and the file paths
 * (main, before the interfaces start). */
void storage_iface_names(void);

/* Creates the data directory if needed and checks it is writable (one
 * clear line and -1 if not); storage_open() starts the writer workers. */
int storage_check_data_dir(const struct prefs *p);
int storage_open(const struct prefs *p);
void storage_close(void);

/*
 * Registers the stores on ifc as its sinks (merge/sink.h): the host
 * cache (unless -P), the flow and contact history (-F, -D) and the time
 * series, with one context per interface; queues the first, all-zero
 * snapshot.  Main thread, after storage_open() and before iface_start();
 * a no-op when storage is off and for the Historical interface.  0 or -1.
 */
int storage_sink_add(struct iface *ifc);

/* Host snapshot <-> JSON (the host cache's value; tests).  from_json
 * fills *h but its key (ip, vlan) and points h->l7 to *l7 (heap, the
 * caller frees; NULL when none).  0, or -1 when js is not an object. */
struct host_snapshot;
struct host_snapshot_l7;
char *storage_host_to_json(const struct host_snapshot *h);
int storage_host_from_json(const char *js, struct host_snapshot *h,
			   struct host_snapshot_l7 **l7);

/* A file name from free text: [A-Za-z0-9.:_-] kept, the rest '_' (so
 * never a path); used for RRD file names of hosts and protocols. */
void storage_safe_name(char *dst, size_t len, const char *src);

/* {kv:{...}, writer:{...}} for get/ntopng/redis.lua.  Any thread. */
struct json_t *storage_stats_json(void);

#endif
