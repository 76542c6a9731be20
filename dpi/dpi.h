/*
 * dpi.h - nDPI detection per flow, owned by the interface thread.
 *
 * Policy (seed §3.3): a UDP flow is decided within 2 packets, a TCP flow
 * within 15 (other IP protocols within 1); a flow nDPI has not decided by
 * then is given nDPI's guess (ports, IP lists).  The nDPI flow state is
 * freed as soon as the flow's protocol is final.
 */
#ifndef DPI_DPI_H
#define DPI_DPI_H

#include <stdint.h>

#include "common/addr.h"
#include "dpi/os.h"

struct ndpi_detection_module_struct;
struct ndpi_flow_struct;
struct pkt;

/*
 * The detection state of one flow, as the caller keeps it: dpi reads and
 * writes this, never the caller's flow record (merge/ copies its fields
 * in and out around each call, only while detection runs).
 */
struct dpi_flow {
	struct ndpi_flow_struct *ndpi; /* owned; NULL before the first packet
					* and once detection is done */
	char *info; /* SNI / HTTP host / DNS query (heap) or NULL */
	uint16_t l7_master, l7_app; /* nDPI ids (0 = Unknown) */
	uint16_t category;	    /* ndpi_protocol_category_t */
	uint16_t ndpi_pkts;	    /* packets given to nDPI so far */
	uint8_t detection_done;	    /* 1 once L7 is final */
	uint8_t guessed;	    /* L7 came from nDPI's guess */
	uint8_t l4_proto;	    /* in: the flow's IPPROTO_* (budget) */
	uint64_t risk;		    /* in/out: nDPI's risk bitmap (bit i =
				     * ndpi_risk_enum i), set when detection
				     * ends (dpi/risk.h) */
	struct os_verdict os;	    /* out: what the client said of its OS
				     * (User-Agent) when detection ended;
				     * the caller zeroes os.os before each call */
};

#define DPI_MAX_UDP_PKTS 2
#define DPI_MAX_TCP_PKTS 15
#define DPI_MAX_OTHER_PKTS 1

/* Creates a module with every protocol enabled and the -p file, if any,
 * loaded.  Returns NULL with the cause logged. */
struct ndpi_detection_module_struct *dpi_module_new(const char *protos_file);
void dpi_module_free(struct ndpi_detection_module_struct *m);
/* Number of protocol ids (size for dense per-protocol arrays). */
uint32_t dpi_num_protocols(struct ndpi_detection_module_struct *m);

/* Gives one packet of the flow d to nDPI; updates d->l7_master/l7_app,
 * category, info and detection_done.  Returns 1 when the L7 changed. */
int dpi_packet(struct ndpi_detection_module_struct *m, struct dpi_flow *d,
	       const struct pkt *p);
/* Ends detection now (flow purged, input ended): guess if undecided.
 * Returns 1 when the L7 changed. */
int dpi_giveup(struct ndpi_detection_module_struct *m, struct dpi_flow *d);

/* A collected flow without L7: nDPI's guess from protocol, ports and
 * (IPv4) addresses, as upstream does for probes that send no L7_PROTO.
 * Sets d->l7_master/l7_app/category and guessed. */
void dpi_guess(struct ndpi_detection_module_struct *m, struct dpi_flow *d,
	       uint8_t ip_version, const struct ipaddr *cli, uint16_t cli_port,
	       const struct ipaddr *srv, uint16_t srv_port);

#endif
