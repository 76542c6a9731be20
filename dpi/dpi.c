/*
 * dpi.c - nDPI 4.2 detection for the flows of one interface.
 *
 * The module handle and every nDPI flow state belong to the interface's
 * owner thread.  A flow is given its packets (the IP header onwards) until
 * nDPI names an application, then for as long as nDPI says extra
 * dissection may refine it (e.g. TLS becomes TLS.Google once the
 * certificate is seen), but never past the packet budget of seed §3.3:
 * 2 packets for UDP, 15 for TCP, 1 for other IP protocols.  Past the
 * budget, or when the flow ends first, nDPI's guess (ports, IP lists)
 * decides.  The nDPI state (~700 bytes) is freed as soon as the result is
 * final, so an active flow costs only its own record afterwards.
 */
#include "dpi/dpi.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi/ndpi_main.h>

#include "common/log.h"
#include "merge/record.h" /* struct pkt */

/* dpi/risk.c's table is indexed by nDPI 4.2's ndpi_risk_enum */
_Static_assert(NDPI_CLEAR_TEXT_CREDENTIALS == 36, "nDPI 4.2 risk ids");
_Static_assert(NDPI_MAX_RISK <= 64, "risk bitmap is 64 bits");

struct ndpi_detection_module_struct *
dpi_module_new(const char *protos_file)
{
	struct ndpi_detection_module_struct *m;
	NDPI_PROTOCOL_BITMASK all;

	m = ndpi_init_detection_module(ndpi_no_prefs);
	if (m == NULL) {
		log_err("nDPI: cannot initialise the detection module");
		return NULL;
	}
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(m, &all);
	if (protos_file != NULL &&
	    ndpi_load_protocols_file(m, protos_file) != 0) {
		log_err("nDPI: cannot load protocols file %s", protos_file);
		ndpi_exit_detection_module(m);
		return NULL;
	}
	ndpi_finalize_initialization(m);
	return m;
}

void
dpi_module_free(struct ndpi_detection_module_struct *m)
{
	if (m != NULL)
		ndpi_exit_detection_module(m);
}

uint32_t
dpi_num_protocols(struct ndpi_detection_module_struct *m)
{
	/* custom protocols from -p get ids above the built-in ones */
	(void)m;
	return NDPI_MAX_SUPPORTED_PROTOCOLS + NDPI_MAX_NUM_CUSTOM_PROTOCOLS;
}

static unsigned
dpi_budget(const struct dpi_flow *f)
{
	switch (f->l4_proto) {
	case IPPROTO_TCP:
		return DPI_MAX_TCP_PKTS;
	case IPPROTO_UDP:
		return DPI_MAX_UDP_PKTS;
	default:
		return DPI_MAX_OTHER_PKTS;
	}
}

/* Copies nDPI's result into the flow; returns 1 when the L7 changed. */
static int
dpi_set_result(struct dpi_flow *f, ndpi_protocol proto)
{
	uint16_t app = proto.app_protocol, master = proto.master_protocol;
	int changed;

	if (app == NDPI_PROTOCOL_UNKNOWN && master != NDPI_PROTOCOL_UNKNOWN) {
		app = master;
		master = NDPI_PROTOCOL_UNKNOWN;
	}
	if (app == master)
		master = NDPI_PROTOCOL_UNKNOWN;
	changed = (app != f->l7_app || master != f->l7_master);
	f->l7_app = app;
	f->l7_master = master;
	f->category = (uint16_t)proto.category;
	return changed;
}

/* Keeps the server name nDPI found (SNI, HTTP Host, DNS query). */
static void
dpi_take_info(struct dpi_flow *f)
{
	const char *name = f->ndpi->host_server_name;

	if (f->info == NULL && name[0] != '\0') {
		size_t n = strnlen(name, sizeof(f->ndpi->host_server_name));
		f->info = malloc(n + 1);
		if (f->info != NULL) {
			memcpy(f->info, name, n);
			f->info[n] = '\0';
		}
	}
}

/* What the client said of its OS in its User-Agent, read once as
 * detection ends (nDPI keeps the header on its flow state, which is
 * freed next): a 4-byte verdict, never the string.  DHCP is read per
 * request packet by merge/ instead: the requests of every client of a
 * segment share one 0.0.0.0:68 -> 255.255.255.255:67 flow. */
static void
dpi_take_os(struct dpi_flow *f)
{
	const struct ndpi_flow_struct *n = f->ndpi;

	if (n->http.user_agent != NULL)
		os_from_user_agent(n->http.user_agent,
				   strnlen(n->http.user_agent, 512), &f->os);
}

static void
dpi_finish(struct dpi_flow *f)
{
	/* the risks found while dissecting: read once, as the state goes */
	f->risk |= f->ndpi->risk;
	dpi_take_info(f);
	dpi_take_os(f);
	ndpi_free_flow(f->ndpi);
	f->ndpi = NULL;
	f->detection_done = 1;
}

int
dpi_giveup(struct ndpi_detection_module_struct *m, struct dpi_flow *f)
{
	uint8_t guessed = 0;
	int changed = 0;

	if (f->detection_done)
		return 0;
	if (f->ndpi == NULL) {
		/* never saw a packet nDPI could use (e.g. orphan fragments) */
		f->detection_done = 1;
		return 0;
	}
	if (f->l7_app == NDPI_PROTOCOL_UNKNOWN) {
		ndpi_protocol p =
			ndpi_detection_giveup(m, f->ndpi, 1, &guessed);

		changed = dpi_set_result(f, p);
		f->guessed = guessed;
	}
	dpi_finish(f);
	return changed;
}

int
dpi_packet(struct ndpi_detection_module_struct *m, struct dpi_flow *f,
	   const struct pkt *p)
{
	ndpi_protocol proto;
	int changed;

	if (f->detection_done || p->l3 == NULL || p->l3_len == 0)
		return 0;
	if (f->ndpi == NULL) {
		f->ndpi = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
		if (f->ndpi == NULL)
			return 0;
		memset(f->ndpi, 0, SIZEOF_FLOW_STRUCT);
	}
	proto = ndpi_detection_process_packet(m, f->ndpi, p->l3, p->l3_len,
					      p->ts_us / 1000);
	f->ndpi_pkts++;
	changed = dpi_set_result(f, proto);
	dpi_take_info(f);
	if (f->l7_app != NDPI_PROTOCOL_UNKNOWN &&
	    !ndpi_extra_dissection_possible(m, f->ndpi)) {
		dpi_finish(f);
		return changed;
	}
	if (f->ndpi_pkts >= dpi_budget(f))
		changed |= dpi_giveup(m, f);
	return changed;
}

void
dpi_guess(struct ndpi_detection_module_struct *m, struct dpi_flow *f,
	  uint8_t ip_version, const struct ipaddr *cli, uint16_t cli_port,
	  const struct ipaddr *srv, uint16_t srv_port)
{
	uint32_t a = 0, b = 0;
	ndpi_protocol p;

	if (ip_version == 4) {
		a = (uint32_t)cli->a[0] << 24 | (uint32_t)cli->a[1] << 16 |
		    (uint32_t)cli->a[2] << 8 | cli->a[3];
		b = (uint32_t)srv->a[0] << 24 | (uint32_t)srv->a[1] << 16 |
		    (uint32_t)srv->a[2] << 8 | srv->a[3];
	}
	/* nDPI takes addresses and ports in host byte order here */
	p = ndpi_guess_undetected_protocol(m, NULL, f->l4_proto, a, cli_port, b,
					   srv_port);
	dpi_set_result(f, p);
	f->guessed = 1;
}
