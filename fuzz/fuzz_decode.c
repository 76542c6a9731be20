/*
 * fuzz_decode.c - libFuzzer target for the L2-L4 decoder.  The first
 * input byte picks the link type, the rest is one captured frame, copied
 * into a buffer of exactly its size so that any over-read is caught.
 * The decoder context persists across inputs, as it does per interface,
 * so the fragment table is exercised too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = { 1, 0, 9, 12, 50, 101, 104, 108, 113, 228, 229, 276 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct decoder dec;
	static int ready;
	struct pkt p;
	uint8_t *frame;

	if (!ready) {
		decoder_init(&dec);
		ready = 1;
	}
	if (size < 1 || size > 65536)
		return 0;
	frame = malloc(size - 1 ? size - 1 : 1);
	if (frame == NULL)
		return 0;
	memcpy(frame, data + 1, size - 1);
	capture_decode(&dec, dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))],
		       1700000000000000ULL, (uint32_t)(size - 1), frame,
		       (uint32_t)(size - 1), &p);
	free(frame);
	return 0;
}
