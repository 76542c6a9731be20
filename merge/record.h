/*
 * record.h - the records a source hands to an interface, and the sink it
 * hands them to.  This is all a source (capture/, collector/) needs to
 * know of merge/: no struct iface here.
 *
 * A record moves by value: struct pkt points into the source's frame
 * buffer and struct flow_update may point at the source's strings, both
 * valid only during the call; the interface copies what it keeps.
 *
 * The sink is built once by the interface (iface_new) and given to each
 * source's read(); its callbacks run on the interface's owner thread,
 * synchronously, so a source calls them from inside read() only.  They
 * replace the direct iface_packet()/iface_flow_update() calls that
 * sources made before: one indirect call per record, no allocation.
 */
#ifndef MERGE_RECORD_H
#define MERGE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

/*
 * The decoded packet.  Pointers point into the caller's frame buffer and
 * are valid only while it is.  Fields not present are zero.
 */
struct pkt {
	uint64_t ts_us;	   /* capture time, microseconds since the epoch */
	uint32_t wire_len; /* frame length on the wire (pcap hdr->len) */
	uint32_t cap_len;  /* bytes captured */

	/* Layer 2 (outermost Ethernet-like header, if any) */
	uint8_t has_mac;
	uint8_t src_mac[6], dst_mac[6];
	uint16_t vlan; /* 12-bit VLAN id of the first 802.1Q tag, 0 if none */
	uint16_t ethertype; /* ethertype of the L3 payload (0x0800, 0x86dd,
			       0x0806...) */

	/* Layer 3/4 of the innermost decoded IP packet */
	uint8_t ip_version; /* 4, 6, or 0 when the frame carries no IP */
	uint8_t l4_proto; /* IPPROTO_* of the transport (after IPv6 ext headers)
			   */
	struct ipaddr src, dst;
	uint16_t sport, dport; /* host order; for ICMP: 0 (type/code below) */
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	uint8_t tunnel; /* enum tunnel_type of the outermost tunnel decoded */
	uint8_t is_fragment;	/* part of a fragmented IP datagram */
	uint8_t first_fragment; /* 1 when this fragment holds the L4 header */
	uint8_t ports_known; /* sport/dport are valid (not an orphan fragment)
			      */

	const uint8_t *l3; /* innermost IP header, for nDPI */
	uint16_t l3_len; /* bytes from l3 to the end of the IP datagram, bounded
			    by caplen */
	const uint8_t *l4_payload;
	uint16_t l4_payload_len; /* bytes of transport payload captured */

	/* Set by the source after decoding, not by the decoder: a sampled
	 * packet (sFlow) stands for `scale` packets (0 or 1: itself), and
	 * the exporter that sampled it and its ifIndexes go to its flow. */
	uint32_t scale;
	struct ipaddr exporter; /* v = 0: none */
	uint32_t in_ifindex, out_ifindex;
};

enum decode_result {
	DECODE_IP = 0, /* pkt holds an IP packet (ip_version != 0) */
	DECODE_NON_IP, /* pkt holds L2 info only (ARP, STP, ...) */
	DECODE_BAD, /* malformed/truncated: counted in stats; L2 info may be set
		     */
};

/*
 * A flow update from a collector (ZMQ probe, peer node, NetFlow/IPFIX):
 * counters of one flow since its previous update.  `src` is the initiator
 * when the exporter knows it.  Strings are copied; the record may live on
 * the caller's stack.
 */
struct flow_update {
	uint16_t vlan;
	uint8_t ip_version; /* 4 or 6 */
	uint8_t l4_proto;
	struct ipaddr src, dst;
	uint16_t sport, dport;
	uint64_t in_bytes, in_pkts;   /* src -> dst */
	uint64_t out_bytes, out_pkts; /* dst -> src */
	int absolute; /* counters are totals so far, not deltas */
	uint64_t first_ms,
		last_ms; /* 0: unknown, the interface clock is used */
	uint8_t src_tcp_flags, dst_tcp_flags;
	uint16_t l7_master,
		l7_app; /* nDPI ids; both 0: the interface guesses */
	uint8_t tos;
	uint8_t has_mac;
	uint8_t src_mac[6], dst_mac[6];
	struct ipaddr exporter;
	uint32_t in_ifindex, out_ifindex;
	uint32_t sampling; /* counters already multiplied by it (info) */
	const char *info;  /* SNI / HTTP host / DNS query, or NULL */
	/* fields the exporter sent that the flow does not keep, as a JSON
	 * object text ("{\"HTTP_URL\":\"/x\",...}"), or NULL */
	const char *extra;
	/* Hierarchies (docs/hierarchy.md): the node ids this update has
	 * crossed, origin first, separated by '>' ("edge1>regional"); NULL
	 * or "" for probes that are not nodes.  origin_seq numbers the
	 * origin's updates (1, 2, ...; 0: none) so that an update reaching
	 * us over two paths of a mesh counts once. */
	const char *site_path;
	uint64_t origin_seq;
	/* Snapshots (docs/hierarchy.md, "Convergence"): 1 when the counters
	 * are the flow's totals as its sender knew them after every update
	 * of the origin numbered up to origin_seq (the receiver sets its
	 * view to them, never adds); 0 for a delta.  flow_first: a delta
	 * that is the first export of its flow (counted in the sender's
	 * declared totals). */
	uint8_t snapshot;
	uint8_t flow_first;
	/* -I export of this node's own flows: the AS of each end as GeoIP
	 * found it (SRC_AS / DST_AS, 0: none; docs/geo.md).  Collectors
	 * leave them 0: a hub looks its hosts up itself. */
	uint32_t src_as, dst_as;
};

/* What a peer node's `event` message declares (stream position: every
 * flow record it sent before this event is counted in it). */
struct node_event {
	char node_id[65];
	uint64_t start_ms;	     /* when the node started (epoch ms) */
	uint64_t flows, bytes, pkts; /* own flows exported since its start */
	uint32_t interval_s;	     /* its export interval */
	uint64_t uptime_s;
	char version[32];
};

/* Where a source's records go.  ctx is the interface's (opaque to the
 * source).  on_packet: one decoded frame and its enum decode_result.
 * on_flow: one flow update; returns 0, or -1 when it was refused (bad
 * record, table full: counted by the interface).  on_prefetch: a hint
 * before on_flow() of u[0..n-1] in that order (changes nothing; see
 * iface_flow_prefetch). */
struct rec_sink {
	void (*on_packet)(void *ctx, const struct pkt *p, int decode_result);
	int (*on_flow)(void *ctx, const struct flow_update *u);
	void (*on_prefetch)(void *ctx, const struct flow_update *const *u,
			    int n);
	/* on_packet_prefetch: a hint before on_packet() of p[0..n-1] in
	 * that order (changes nothing; see iface_packet_prefetch); NULL:
	 * the source hands its packets one by one. */
	void (*on_packet_prefetch)(void *ctx, const struct pkt *const *p,
				   int n);
	/* on_alert: the JSON text (len bytes, not NUL-terminated) of one
	 * alert a peer node exported (the `alert` topic, docs/hierarchy.md);
	 * parsed and checked by the interface.  0, or -1 refused. */
	int (*on_alert)(void *ctx, const char *json, size_t len);
	/* on_node_event: a peer node's `event` told its id, start time and
	 * the totals it has exported of its own flows (docs/hierarchy.md,
	 * "What each node reports"); NULL: not wanted. */
	void (*on_node_event)(void *ctx, const struct node_event *ev);
	void *ctx;
};

#endif
