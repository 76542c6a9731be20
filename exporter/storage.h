/*
 * storage.h - what the interfaces hand to the persistent stores
 * (docs/storage.md): expired flows and host contacts to SQLite (-F, -D),
 * purged hosts to the host cache in Redis (unless -P) and back when they
 * return, counter snapshots to RRD time series.
 *
 * Threads: storage_open/close/iface_flush run on main; the hooks on an
 * interface's owner thread.  The hooks only copy data into writer records
 * (exporter/writer.h): no I/O on the owner.  Every hook is a no-op until
 * storage_open() succeeded, and for the Historical interface.
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
 * clear line and -1 if not); starts the writer thread. */
int storage_check_data_dir(const struct prefs *p);
int storage_open(const struct prefs *p);
void storage_close(void);

/* ---- owner-thread hooks (merge/tables.c, merge/iface.c) ---- */
void storage_flow_expired(struct iface *ifc, const struct flow *f);
void storage_host_new(struct iface *ifc, const struct host *h);
void storage_host_purged(struct iface *ifc, const struct host *h);
/* 1 when -S keeps this host in memory forever. */
int storage_host_sticky(const struct iface *ifc, const struct host *h);
/* Merges host-cache answers that came back (every loop turn; cheap). */
void storage_owner_poll(struct iface *ifc);
/* Time series snapshots: the interface every second, local hosts and L7
 * protocols every minute (housekeeping). */
void storage_iface_tick(struct iface *ifc, uint64_t wall_ms);
/* First, all-zero snapshot (main, before the owner starts). */
void storage_iface_begin(struct iface *ifc);

/* Main, after the owner thread was joined: every active flow to the
 * flow history, every host to the host cache, a last snapshot. */
void storage_iface_flush(struct iface *ifc);

/* Host <-> JSON (also used by tests and REST). */
char *storage_host_to_json(struct iface *ifc, const struct host *h);
int storage_host_merge_json(struct iface *ifc, struct host *h, const char *js);

/* A file name from free text: [A-Za-z0-9.:_-] kept, the rest '_' (so
 * never a path); used for RRD file names of hosts and protocols. */
void storage_safe_name(char *dst, size_t len, const char *src);

/* {kv:{...}, writer:{...}} for get/ntopng/redis.lua.  Any thread. */
struct json_t *storage_stats_json(void);

#endif
