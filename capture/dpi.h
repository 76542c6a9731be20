/*
 * dpi.h - nDPI detection per flow, owned by the interface thread.
 *
 * Policy (seed §3.3): a UDP flow is decided within 2 packets, a TCP flow
 * within 15 (other IP protocols within 1); a flow nDPI has not decided by
 * then is given nDPI's guess (ports, IP lists).  The nDPI flow state is
 * freed as soon as the flow's protocol is final.
 */
#ifndef CAPTURE_DPI_H
#define CAPTURE_DPI_H

#include <stdint.h>

struct ndpi_detection_module_struct;
struct flow;
struct pkt;

#define DPI_MAX_UDP_PKTS 2
#define DPI_MAX_TCP_PKTS 15
#define DPI_MAX_OTHER_PKTS 1

/* Creates a module with every protocol enabled and the -p file, if any,
 * loaded.  Returns NULL with the cause logged. */
struct ndpi_detection_module_struct *dpi_module_new(const char *protos_file);
void dpi_module_free(struct ndpi_detection_module_struct *m);
/* Number of protocol ids (size for dense per-protocol arrays). */
uint32_t dpi_num_protocols(struct ndpi_detection_module_struct *m);

/* Gives one packet of flow f to nDPI; updates f->l7_master/l7_app,
 * category, info and detection_done.  Returns 1 when the L7 changed. */
int dpi_packet(struct ndpi_detection_module_struct *m, struct flow *f,
	       const struct pkt *p);
/* Ends detection now (flow purged, input ended): guess if undecided.
 * Returns 1 when the L7 changed. */
int dpi_giveup(struct ndpi_detection_module_struct *m, struct flow *f);

/* A collected flow without L7: nDPI's guess from protocol, ports and
 * (IPv4) addresses, as upstream does for probes that send no L7_PROTO. */
void dpi_guess(struct ndpi_detection_module_struct *m, struct flow *f);

#endif
