/*
 * decode.h - L2..L4 packet decoder: one captured frame in, one normalised
 * packet record (struct pkt) out.
 *
 * The decoder is owned by the interface thread that feeds it (it keeps a
 * small IPv4/IPv6 fragment table so that non-first fragments are counted
 * to the flow of their first fragment).  It never allocates per packet and
 * never reads outside [data, data + caplen).  Problems are counted per
 * cause in struct decode_stats and the frame is still counted by the
 * caller as a packet of the interface.
 */
#ifndef CAPTURE_DECODE_H
#define CAPTURE_DECODE_H

#include <stdint.h>

#include "common/addr.h"
#include "merge/record.h" /* struct pkt, enum decode_result */

/* Link types we decode (values are pcap DLT_* numbers). */
#define DLT_EN10MB_ 1
/* others: DLT_RAW (12 / 101 LINKTYPE_RAW), DLT_IPV4 228, DLT_IPV6 229,
 * DLT_NULL 0, DLT_LOOP 108, DLT_PPP 9, DLT_PPP_SERIAL 50, DLT_C_HDLC 104,
 * DLT_LINUX_SLL 113, DLT_LINUX_SLL2 276 */

enum tunnel_type {
	TUN_NONE = 0,
	TUN_GTPU,   /* UDP 2152 */
	TUN_VXLAN,  /* UDP 4789 */
	TUN_GRE,    /* IP proto 47 (incl. ERSPAN-less PPP/IP/Ethernet) */
	TUN_IPIP,   /* IP proto 4 or 41 (4in4, 6in4, 4in6, 6in6) */
	TUN_TEREDO, /* UDP 3544 carrying IPv6 */
	TUN_CAPWAP, /* UDP 5247 data channel */
};

/* Per-cause counters of frames the decoder could not fully decode. */
struct decode_stats {
	uint64_t truncated; /* header cut short by caplen */
	uint64_t bad_ip;    /* bad IP version / header length / total length */
	uint64_t bad_l4;    /* L4 header shorter than its minimum */
	uint64_t unknown_dlt; /* link type we do not decode */
	uint64_t non_ip;      /* valid non-IP frames (ARP, STP, LLC...) - not an
				 error */
	uint64_t fragments;   /* IP fragments seen (all of them) */
	uint64_t frag_orphans; /* non-first fragments whose first fragment was
				  not seen */
	uint64_t tunnels;      /* frames whose inner packet was decoded */
	uint64_t too_deep;     /* encapsulation nested deeper than we follow */
};

#define DECODE_FRAG_SLOTS 1024

struct decode_frag {
	uint64_t ts_us; /* 0 = free slot */
	struct ipaddr src, dst;
	uint32_t id; /* IPv4 id (16 bit) or IPv6 fragment id */
	uint8_t proto;
	uint16_t sport, dport;
};

/* Decoder context: caller's storage, one per interface thread. */
struct decoder {
	struct decode_stats stats;
	int decode_tunnels; /* 1 (default): decode tunnels into inner packets */
	struct decode_frag frags[DECODE_FRAG_SLOTS];
};

void decoder_init(struct decoder *d);
/*
 * Decodes one frame of link type `dlt`.  `ts_us`, `wire_len`, `caplen`
 * come from the pcap header.  Never reads past data + caplen.
 */
enum decode_result capture_decode(struct decoder *d, int dlt, uint64_t ts_us,
				  uint32_t wire_len, const uint8_t *data,
				  uint32_t caplen, struct pkt *out);

#endif
