/*
 * fuzz_os.c - libFuzzer target for the passive OS detection parsers of
 * dpi/os.c: the first input byte picks the parser (User-Agent text,
 * DHCP vendor class and parameter list, a DHCP request's BOOTP payload),
 * the rest is its input, copied into a buffer of exactly its size so
 * that any over-read is caught.  Every verdict is also put into words.
 * Corpus: tests/corpus/os/.  Build: make fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dpi/os.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct os_verdict v = { 0, 0, 0 }, cur = { 0, 0, 0 };
	char words[64];
	uint8_t *in;
	size_t n;
	int got = 0;

	if (size < 1 || size > 4096)
		return 0;
	n = size - 1;
	in = malloc(n ? n : 1);
	if (in == NULL)
		return 0;
	memcpy(in, data + 1, n);
	switch (data[0] % 3) {
	case 0:
		got = os_from_user_agent((const char *)in, n, &v);
		break;
	case 1:
		/* vendor class, then the list after the first NUL */
		{
			const uint8_t *z = memchr(in, 0, n);
			size_t a = z ? (size_t)(z - in) : n;

			got = os_from_dhcp((const char *)in, a,
					   z ? (const char *)z + 1 : NULL,
					   z ? n - a - 1 : 0, &v);
		}
		break;
	default:
		got = os_from_dhcp_packet(in, n, &v);
		break;
	}
	if (got) {
		os_merge(&cur, &v);
		os_detail_fmt(&cur, words, sizeof(words));
	}
	free(in);
	return 0;
}
