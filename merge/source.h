/*
 * source.h - what an interface reads from, and the table of source kinds.
 *
 * A source turns its input (pcap device or file, ZMQ socket, NetFlow/
 * IPFIX/sFlow socket, flow history files) into records (merge/record.h)
 * that it hands to the sink its read() is given.  A source is created by
 * the main thread (so that errors such as a missing file stop the
 * start-up with one clear line) and afterwards used only by its
 * interface's owner thread.
 *
 * Kinds: merge/ knows no source module.  Each module describes its kind
 * once (struct source_kind: name, scheme test, open, offline, describe)
 * and the program registers the table in the order specs are tried
 * (sources/sources.c, from main); iface_new() opens each input through
 * source_open(), and every question "what kind of input is this" is
 * answered from the kind (source_offline(), iface_inputs()).
 */
#ifndef MERGE_SOURCE_H
#define MERGE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "merge/record.h"

struct json_t;
struct prefs;
struct source;

/* Filled by the sources' stats() once a second (owner thread). */
#define SOURCE_TICK_LINKS 8
struct source_tick {
	uint64_t drops;		/* capture drops since the last tick (added) */
	uint64_t probe_idle_ms; /* raised to the probes' longest idle timeout */
	uint64_t msg_drops;	/* ZMQ msg-id drops since the start (each
				 * source adds its total; merge/health.c) */
	/* hierarchy links that changed state this tick (a peer node's
	 * events stopped or came back, docs/hierarchy.md "Liveness"):
	 * merge/health.c raises or releases a source_silent alert each */
	struct source_link_event {
		char name[160]; /* "<endpoint> <node id>" */
		uint8_t down;
		uint64_t quiet_ms, expect_ms;
	} links[SOURCE_TICK_LINKS];
	int n_links;
};

struct source_kind {
	const char *name; /* "pcap_file": REST sources.lua "kind" */
	/* 1 when this kind takes spec (by its scheme); NULL: takes any spec
	 * (the last entry of the table, pcap). */
	int (*match)(const char *spec);
	/* Opens spec; NULL with the cause logged.  Main thread.  The source
	 * it returns may be of another kind of the same module (pcap: a
	 * device is pcap_live, a file pcap_file). */
	struct source *(*open)(const char *spec, const struct prefs *p);
	/* Offline inputs carry their own clock and end (files, history):
	 * their entries are not purged by wall-clock idleness. */
	int offline;
	/* Historical: filled on request, never by its own input. */
	int historical;
	/* Hands packets whose flows nDPI inspects (captures): an interface
	 * with such a source gets the --workers detection helpers. */
	int packets;
	/* Optional: the keys of get/interface/data.lua that describe the
	 * sources of this kind together (ZMQ: zmqRecvStats, zmq.*); srcs are
	 * all the interface's sources, of every kind: skip the others.
	 * flow_idle_ms is the interface's idle timeout.  Owner thread. */
	void (*describe)(struct source *const *srcs, int n,
			 uint64_t flow_idle_ms, struct json_t *obj);
	/* Optional: the short label of one input in ifname (rest-api.md
	 * 4.1); NULL: the input as given. */
	const char *(*label)(const struct source *s, const char *item);
};

enum source_state {
	SOURCE_ACTIVE = 0,
	SOURCE_ENDED,  /* offline input fully read */
	SOURCE_FAILED, /* error; reason logged */
};

struct source {
	const struct source_kind *kind;
	enum source_state state;
	char *spec; /* text given on the command line (heap) */
	/* Descriptor the owner may poll for readability, or -1 when the
	 * source is always ready (files). */
	int (*fd)(struct source *s);
	/* Reads up to `budget` records and hands them to sink.  Returns the
	 * number handled (0: nothing ready now). */
	int (*read)(struct source *s, const struct rec_sink *sink, int budget);
	/* Optional: refreshes counters that need a library call
	 * (pcap_stats) and adds to t. */
	void (*stats)(struct source *s, struct source_tick *t);
	void (*free)(struct source *s);
	/* Optional: adds this source's ledger (counters, peers, errors by
	 * cause) as keys of the JSON object `obj`, for
	 * get/interface/sources.lua.  Owner thread. */
	void (*describe)(struct source *s, struct json_t *obj);
	/* Optional, for an interface disabled at run time (seed §1.2,
	 * iface_set_enabled()): suspend() closes what the source holds open
	 * (capture handle, sockets) and keeps its ledger; resume() opens it
	 * again with the same spec: 0, or -1 with the cause in err (the
	 * source stays suspended).  A source without them (files, FIFO
	 * feeds, history) is only left unread while its interface is
	 * disabled.  Owner thread (main before iface_start()). */
	void (*suspend)(struct source *s);
	int (*resume)(struct source *s, char *err, size_t errlen);
	/* Optional, for a source whose reader thread decodes ahead of the
	 * owner (ZMQ with --workers > 1): hold() hands to the sink of the
	 * last read() every record decoded so far and pauses the reader
	 * until release(), so that the tables and the source's counters
	 * agree while the owner answers queries and does its housekeeping
	 * (docs/threads.md, "zmq-reader").  Owner thread. */
	void (*hold)(struct source *s);
	void (*release)(struct source *s);
	int suspended;	  /* suspend() ran and resume() has not succeeded */
	uint64_t records; /* packets (or flows) read */
	uint64_t bytes;
	uint64_t errors;
	void *priv; /* kind-specific state */
};

/* Sets the table of kinds, tried in order by source_open() (kinds stays
 * the caller's, alive for the process).  Main thread, before any
 * iface_new(). */
void source_kinds_set(const struct source_kind *const *kinds, int n);
/* Opens spec with the first kind that takes it.  NULL with the cause
 * logged (also when no kind was registered).  Main thread. */
struct source *source_open(const char *spec, const struct prefs *p);
/* 1 for an offline source (file, history): its own clock, an end. */
int source_offline(const struct source *s);

#endif
