/*
 * health.h - alerts on the health of an interface's inputs and tables
 * (docs/alerts.md, "Source and table alerts"), checked once a second on
 * the owner thread by iface_housekeeping():
 *
 *  - source_silent: a ZMQ or NetFlow/IPFIX/sFlow source that sent
 *    nothing for 3x its expected interval (learned from the gaps between
 *    its records; before two gaps are seen, the probes' idle timeout);
 *    released when it speaks again.
 *  - msg_drops: ZMQ msg-id drops above HEALTH_DROPS_PER_MIN in a minute;
 *    released after a minute below it.
 *  - table_full: the host (-x) or flow (-X) table refused new entries;
 *    released once a minute passes without a refusal.
 *
 * Each is engaged/released (merge/alerts.h): one row per episode.
 */
#ifndef MERGE_HEALTH_H
#define MERGE_HEALTH_H

#include <stdint.h>

struct iface;
struct source_tick;

#define HEALTH_SILENT_FACTOR 3
#define HEALTH_MIN_INTERVAL_MS 1000 /* the check's own resolution */
#define HEALTH_DROPS_PER_MIN 10
#define HEALTH_QUIET_MS 60000 /* a minute without refusals/drops */

/* What is kept per source (indexed as ifc->sources). */
struct health_src {
	uint64_t last_records; /* s->records + s->bytes at the last change */
	uint64_t last_ms;      /* wall clock when it last grew (0: never) */
	uint64_t interval_ms;  /* learned expected gap (0: unknown) */
	uint8_t gaps;	       /* gaps learned (saturates) */
	uint8_t silent;	       /* source_silent engaged */
};

struct health {
	uint64_t hosts_dropped, flows_dropped;	     /* at the last tick */
	uint64_t hosts_refused_ms, flows_refused_ms; /* last refusal */
	uint8_t hosts_full, flows_full;		     /* engaged */
	uint64_t msg_drops;			     /* at the last tick */
	uint64_t drops_win_ms, drops_win;	     /* this minute's drops */
	uint64_t drops_quiet_ms; /* last minute over the threshold */
	uint8_t drops_engaged;
};

/* Once a second, after the sources' stats (t: what they reported). */
void health_tick(struct iface *ifc, uint64_t wall_ms,
		 const struct source_tick *t);

#endif
