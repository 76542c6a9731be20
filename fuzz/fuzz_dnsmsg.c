/*
 * fuzz_dnsmsg.c - libFuzzer target for dpi/dnsmsg.c, the DNS response
 * reader that runs on every captured packet from UDP port 53 and on the
 * resolver's answers.  The input is one UDP payload, copied into a
 * buffer of exactly its size so that any over-read is caught.  Corpus:
 * tests/corpus/dnsmsg/ (replayed by tests/unit/test_dnsmsg).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dpi/dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsmsg_reply r;
	uint8_t *b;

	if (size > 65536)
		return 0;
	b = malloc(size ? size : 1);
	if (b == NULL)
		return 0;
	memcpy(b, data, size);
	(void)dnsmsg_parse(b, size, &r);
	free(b);
	return 0;
}
