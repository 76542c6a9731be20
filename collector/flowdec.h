/*
 * flowdec.h - decoders of NetFlow v5/v9, IPFIX and sFlow v5 datagrams,
 * written as pure functions over one byte buffer plus a per-source state
 * (exporters, templates, data waiting for its template), so that unit
 * tests and fuzzers drive them without sockets.
 *
 * A decoder never calls the interface tables itself: what it finds goes to
 * a sink (struct flowdec_sink) - flow records as struct flow_update,
 * sampled packet headers (sFlow) as struct flowdec_packet.  The UDP source
 * (flow_udp.c) points the sink at its interface's record sink (on_flow,
 * capture_decode() + on_packet); tests point it at counters.
 *
 * Everything is owned by one thread (the interface owner): no locks.
 * Design note: docs/collector-netflow.md.
 */
#ifndef COLLECTOR_FLOWDEC_H
#define COLLECTOR_FLOWDEC_H

#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

struct flow_update;
struct json_t;

/* Limits (bounded memory whatever the exporters send). */
#define FLOWDEC_MAX_EXPORTERS 1024	  /* (address, protocol, domain) */
#define FLOWDEC_MAX_EXPORTERS_PER_ADDR 64 /* of one sending address */
#define FLOWDEC_EXPORTER_IDLE_MS (15 * 60 * 1000) /* silent: forgotten */
#define FLOWDEC_EXPORTER_EVICT_MS (60 * 1000)	  /* may yield its slot */
#define FLOWDEC_MAX_TEMPLATES 1024 /* all exporters together; LRU */
#define FLOWDEC_MAX_FIELDS 128	   /* per template */
#define FLOWDEC_MAX_PENDING 64	   /* data sets waiting for a template */
#define FLOWDEC_PENDING_MS (30 * 1000)
#define FLOWDEC_MAX_IFCOUNTERS 64 /* sFlow ifIndex counters per agent */

/* Decode errors by cause (per exporter; global ones without exporter). */
enum flowdec_err {
	FDE_TRUNCATED = 0,  /* datagram/record shorter than its header says */
	FDE_BAD_LENGTH,	    /* a length field inconsistent with the data */
	FDE_BAD_TEMPLATE,   /* zero fields, absurd field length, too many fields
			     */
	FDE_BAD_SET,	    /* set/flowset id reserved or set length < 4 */
	FDE_NO_TEMPLATE,    /* data sets dropped: template never came (30 s) */
	FDE_PENDING_FULL,   /* data sets dropped: waiting buffer full */
	FDE_BAD_RECORD,	    /* flow record without usable addresses */
	FDE_REFUSED,	    /* the interface refused the update (table full) */
	FDE_BAD_SAMPLE,	    /* sFlow sample/record length inconsistent */
	FDE_UNKNOWN_FORMAT, /* sFlow sample/record format we skip (not fatal) */
	FDE_IMPLAUSIBLE,    /* record refused: counts absurd for its duration */
	FDE__COUNT
};

enum flowdec_proto {
	FDP_NETFLOW5 = 5,
	FDP_NETFLOW9 = 9,
	FDP_IPFIX = 10,
	FDP_SFLOW5 = 105,
};

/* Interface counters of one sFlow agent's ifIndex (generic if counters). */
struct flowdec_ifcounters {
	uint32_t ifindex, iftype, direction, status;
	uint64_t speed;
	uint64_t in_octets, out_octets;
	uint64_t in_ucast, in_mcast, in_bcast, in_discards, in_errors,
		in_unknown;
	uint64_t out_ucast, out_mcast, out_bcast, out_discards, out_errors;
	uint64_t last_ms;
};

/* One exporter: a device address, a protocol and a domain (NetFlow v9
 * source id, IPFIX observation domain, sFlow sub-agent, v5 engine). */
struct flowdec_exporter {
	struct flowdec_exporter *hnext;
	struct flowdec_exporter *lru_prev, *lru_next; /* head: least recent */
	struct ipaddr addr;
	uint32_t domain;
	uint8_t proto; /* enum flowdec_proto */
	uint64_t datagrams, records, templates, option_templates;
	uint64_t drops;		  /* records/datagrams lost by sequence gaps */
	uint64_t sampler_drops;	  /* sFlow: drops the agent itself reported */
	uint64_t packets;	  /* sFlow: sampled packet headers */
	uint64_t counter_samples; /* sFlow */
	uint64_t err[FDE__COUNT];
	uint32_t sampling;	    /* declared rate (0/1: not sampled) */
	uint64_t first_ms, last_ms; /* our clock */
	/* sequence check */
	uint32_t seq_last, seq_last_n;
	uint8_t seq_valid, seq_inclusive;
	uint64_t sys_init_ms; /* IPFIX systemInitTimeMilliseconds (option) */
	struct flowdec_ifcounters *ifc; /* sFlow counter samples */
	uint32_t n_ifc;
};

struct flowdec_template;
struct flowdec_pending;

/* What a decoder reports a sampled packet header as. */
struct flowdec_packet {
	int dlt; /* 1 Ethernet, 228 IPv4, 229 IPv6 */
	const uint8_t *data;
	uint32_t caplen;    /* bytes of header present */
	uint32_t frame_len; /* the original frame's length */
	uint32_t scale;	    /* sampling rate (1: every packet) */
	uint32_t in_ifindex, out_ifindex;
	const struct ipaddr *exporter;
	uint64_t ts_ms;
};

struct flowdec_sink {
	/* Returns 0, or -1 when the record was refused (counted). */
	int (*flow)(void *arg, const struct flow_update *u);
	void (*packet)(void *arg, const struct flowdec_packet *p);
	void *arg;
};

/* The per-source state. */
struct flowdec {
	struct flowdec_exporter **exp_buckets;	      /* FLOWDEC_EXP_BUCKETS */
	struct flowdec_exporter *exp_head, *exp_tail; /* LRU: head oldest */
	uint32_t n_exporters;
	struct flowdec_template **tpl_buckets;
	struct flowdec_template *tpl_head, *tpl_tail; /* LRU: head oldest */
	uint32_t n_templates;
	struct flowdec_pending *pending; /* oldest first */
	uint32_t n_pending;
	/* global counters (no exporter to charge them to) */
	uint64_t datagrams;
	uint64_t unknown_version;
	uint64_t too_short;
	uint64_t exporters_refused; /* new exporters not taken (all causes) */
	uint64_t exporters_addr_capped; /* ... of which: address at its cap */
	uint64_t exporters_expired; /* forgotten after FLOWDEC_EXPORTER_IDLE_MS
				     */
	uint64_t exporters_evicted; /* gave their slot up to a new one */
	uint64_t templates_evicted;
	uint64_t pending_decoded;
	uint64_t records; /* flow records handed to the sink */
	uint64_t packets; /* sampled headers handed to the sink */
	uint64_t last_expire_ms;
};

int flowdec_init(struct flowdec *d);
void flowdec_fini(struct flowdec *d);

/*
 * Decodes one UDP payload from `exporter`, received at now_ms (wall
 * clock): NetFlow v5/v9, IPFIX or sFlow v5, told apart by the leading
 * version.  Returns the number of records (flows + sampled packets)
 * handed to the sink, or -1 when the datagram was refused entirely.
 */
int flowdec_datagram(struct flowdec *d, const struct ipaddr *exporter,
		     const uint8_t *buf, size_t len, uint64_t now_ms,
		     const struct flowdec_sink *sink);

/* The individual decoders (same contract; the version is not checked
 * again).  netflow.c / sflow.c. */
int flowdec_netflow(struct flowdec *d, const struct ipaddr *exporter,
		    const uint8_t *buf, size_t len, uint64_t now_ms,
		    const struct flowdec_sink *sink);
int flowdec_sflow(struct flowdec *d, const struct ipaddr *exporter,
		  const uint8_t *buf, size_t len, uint64_t now_ms,
		  const struct flowdec_sink *sink);

/* Drops data sets that waited for their template for too long, and
 * forgets exporters silent for FLOWDEC_EXPORTER_IDLE_MS. */
void flowdec_expire(struct flowdec *d, uint64_t now_ms);

/*
 * Finds or creates an exporter; NULL when it cannot be taken (counted).
 * One sending address holds at most FLOWDEC_MAX_EXPORTERS_PER_ADDR
 * exporters, so that one host cycling domains cannot fill the table; when
 * the table is full, the least recently seen exporter that never gave a
 * template, record or sample, or else one silent for
 * FLOWDEC_EXPORTER_EVICT_MS, yields its slot (with its templates and
 * waiting data).  Pointers to other exporters may dangle afterwards: call
 * it once per datagram, before holding any.
 */
struct flowdec_exporter *flowdec_exporter_get(struct flowdec *d,
					      const struct ipaddr *addr,
					      uint8_t proto, uint32_t domain,
					      uint64_t now_ms);
/* Checks a sequence number; `n` = what this datagram carries (records
 * or 1 per datagram).  Counts gaps as drops. */
void flowdec_seq_check(struct flowdec_exporter *e, uint32_t seq, uint32_t n,
		       int allow_inclusive);

/* Adds the ledger (global counters and one object per exporter) to the
 * JSON object `obj`. */
void flowdec_describe(const struct flowdec *d, struct json_t *obj);

/*
 * Plausibility of one record's counters (issue 11 #9): a record of more
 * than FLOWDEC_MAX_COUNT bytes or packets in either direction, or, when
 * its duration is known (first_ms < last_ms), of more than
 * FLOWDEC_MAX_BYTES_PER_S bytes or FLOWDEC_MAX_PKTS_PER_S packets a
 * second, is no traffic but garbage or an attack on the counters: the
 * collectors refuse it and count it (flowdec: `implausible_counts` per
 * exporter; ZMQ: the error of the same name).  Returns 1 when plausible.
 * Inline, on plain numbers, so that the ZMQ decoder (and its fuzz target)
 * shares it without linking the NetFlow decoders.  Pure; any thread.
 */
#define FLOWDEC_MAX_COUNT (1ull << 48)
#define FLOWDEC_MAX_BYTES_PER_S (1ull << 38) /* ~2.2 Tbit/s in one flow */
#define FLOWDEC_MAX_PKTS_PER_S (1ull << 32)
static inline int
flowdec_counts_plausible(uint64_t in_bytes, uint64_t in_pkts,
			 uint64_t out_bytes, uint64_t out_pkts,
			 uint64_t first_ms, uint64_t last_ms)
{
	uint64_t dur_s;

	if (in_bytes > FLOWDEC_MAX_COUNT || out_bytes > FLOWDEC_MAX_COUNT ||
	    in_pkts > FLOWDEC_MAX_COUNT || out_pkts > FLOWDEC_MAX_COUNT)
		return 0;
	if (first_ms == 0 || last_ms <= first_ms)
		return 1; /* no duration to judge the rate by */
	dur_s = (last_ms - first_ms + 999) / 1000;
	/* past 1024 s the rates allow more than FLOWDEC_MAX_COUNT anyway
	 * (and the products below stay far from 2^64) */
	if (dur_s >= 1024)
		return 1;
	return in_bytes + out_bytes <= FLOWDEC_MAX_BYTES_PER_S * dur_s &&
	       in_pkts + out_pkts <= FLOWDEC_MAX_PKTS_PER_S * dur_s;
}

const char *flowdec_err_name(enum flowdec_err e);
const char *flowdec_proto_name(uint8_t proto);

/* flow_udp.c: parses the part after "scheme://" ("[addr]:port",
 * "addr:port", ":port", "port", "addr" or "") into an address (v = 0:
 * any) and a port (defport when absent).  Returns 0 or -1. */
int collector_udp_parse(const char *rest, uint16_t defport, struct ipaddr *addr,
			uint16_t *port);

/* netflow.c: template cache and waiting data, used by flowdec.c. */
void flowdec_templates_free(struct flowdec *d);
void flowdec_pending_free(struct flowdec *d);
/* Drops the templates and waiting data of an exporter being freed. */
void flowdec_exporter_forget(struct flowdec *d,
			     const struct flowdec_exporter *e);

#endif
