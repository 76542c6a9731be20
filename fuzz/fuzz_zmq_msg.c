/*
 * fuzz_zmq_msg.c - libFuzzer target for the ZMQ collector's message
 * decoder (collector/zmq_decode.c and the header, JSON, TLV and field
 * code under it).  The input is one message in zmqc_decode_blob()'s
 * format: byte 0 = header frame length (0xff: one lone frame), the header
 * frame, then the payload frame.  One decoder lives across inputs so that
 * the ledger and learned templates are exercised too.  Corpus:
 * tests/corpus/zmq/ (replayed under gcc by tests/unit/test_zmq.c).
 * Build: make fuzz (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stddef.h>
#include <stdint.h>

#include "collector/zmqc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fuzz_emit(void *ctx, const struct flow_update *u)
{
	/* touch what the tables would read */
	return (u->ip_version == 4 || u->ip_version == 6) ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct zmqc_decoder d;
	static int ready;

	if (!ready) {
		log_verbosity = -1;
		if (zmqc_decoder_init(&d, "fuzz", fuzz_emit, NULL) != 0)
			return 0;
		d.inflate_max = 1 << 20;   /* keep bombs cheap */
		ready = 1;
	}
	zmqc_decode_blob(&d, data, size, 1800000000000ULL);
	return 0;
}
