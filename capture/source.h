/*
 * source.h - what an interface reads from.  A source turns its input
 * (pcap device or file, later ZMQ and UDP collectors) into records that it
 * hands to its interface (iface_packet, later flow updates).  A source is
 * created by the main thread (so that errors such as a missing file stop
 * the start-up with one clear line) and afterwards used only by its
 * interface's owner thread.
 */
#ifndef CAPTURE_SOURCE_H
#define CAPTURE_SOURCE_H

#include <stdint.h>

struct iface;

enum source_kind {
	SOURCE_PCAP_LIVE = 0,
	SOURCE_PCAP_FILE,        /* one file, or a list of files read in turn */
	SOURCE_ZMQ,              /* collector/: ZMQ SUB (probes, peer nodes) */
	SOURCE_FLOW_UDP,         /* collector/: NetFlow v5/v9, IPFIX, sFlow */
	SOURCE_HISTORICAL,       /* exporter/historical.c: flow history files */
};

struct json_t;

enum source_state {
	SOURCE_ACTIVE = 0,
	SOURCE_ENDED,            /* offline input fully read */
	SOURCE_FAILED,           /* error; reason logged */
};

struct source {
	enum source_kind kind;
	enum source_state state;
	char *spec;                  /* text given on the command line (heap) */
	/* Descriptor the owner may poll for readability, or -1 when the
	 * source is always ready (files). */
	int (*fd)(struct source *s);
	/* Reads and accounts up to `budget` records into ifc.  Returns the
	 * number handled (0: nothing ready now). */
	int (*read)(struct source *s, struct iface *ifc, int budget);
	/* Refreshes counters that need a library call (pcap_stats). */
	void (*stats)(struct source *s, struct iface *ifc);
	void (*free)(struct source *s);
	/* Optional: adds this source's ledger (counters, peers, errors by
	 * cause) as keys of the JSON object `obj`, for
	 * get/interface/sources.lua.  Owner thread. */
	void (*describe)(struct source *s, struct json_t *obj);
	uint64_t records;            /* packets (or flows) read */
	uint64_t bytes;
	uint64_t errors;
	void *priv;                  /* kind-specific state */
};

/*
 * Opens a pcap source: a device name, a device index ("1", as listed by
 * -h), a pcap/pcapng file, or a text file listing pcap files one per line
 * ('#' comments).  `bpf` (may be NULL) is applied to every handle.
 * Returns NULL with the reason logged.  Main thread.
 */
struct source *capture_pcap_open(const char *spec, const char *bpf);

#endif
