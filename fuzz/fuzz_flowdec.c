/*
 * fuzz_flowdec.c - libFuzzer targets for the flow decoders, built twice:
 * with FUZZ_SFLOW for sFlow v5 (fuzz/fuzz_sflow), without for NetFlow
 * v5/v9 and IPFIX (fuzz/fuzz_netflow).  Each input is one UDP payload,
 * copied into a buffer of exactly its size so that any over-read is
 * caught.  The decoder state (exporters, templates, data waiting for a
 * template; sFlow agents and their counters) persists across inputs, as it
 * does per source, so that templates learned from one input drive the
 * decoding of the next; sampled packet headers go to a sink that reads
 * every byte of them.  The first input byte picks one of four exporter
 * addresses and the clock moves forward so that waiting data expires.
 * The ledger is rendered as JSON now and then to exercise it too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "collector/flowdec.h"
#include "merge/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count_flow(void *arg, const struct flow_update *u)
{
	uint64_t *n = arg;

	/* touch every field the tables would read */
	*n += u->in_bytes + u->out_pkts + u->sport + u->src.a[0];
	return 0;
}

static void
read_packet(void *arg, const struct flowdec_packet *p)
{
	uint64_t *n = arg;
	uint32_t i;

	/* the header must lie inside the input: ASan checks each byte */
	for (i = 0; i < p->caplen; i++)
		*n += p->data[i];
	*n += p->frame_len + p->scale;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct flowdec dec;
	static int ready;
	static uint64_t now = 1700000000000ULL, calls, sum;
	struct flowdec_sink sink = { count_flow, read_packet, &sum };
	struct ipaddr from;
	uint8_t a4[4] = { 192, 0, 2, 1 };
	uint8_t *buf;

	if (!ready) {
		flowdec_init(&dec);
		ready = 1;
	}
	if (size < 1 || size > 65536)
		return 0;
	a4[3] = (uint8_t)(1 + (data[0] & 3));
	ipaddr_set4(&from, a4);
	buf = malloc(size - 1 ? size - 1 : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	now += 500;
#ifdef FUZZ_SFLOW
	flowdec_sflow(&dec, &from, buf, size - 1, now, &sink);
#else
	flowdec_netflow(&dec, &from, buf, size - 1, now, &sink);
#endif
	free(buf);
	if (++calls % 1000 == 0) {
		json_t *o = json_object();

		flowdec_describe(&dec, o);
		json_decref(o);
	}
	return 0;
}
