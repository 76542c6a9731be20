/*
 * fuzz_host_json.c - libFuzzer target for the host cache's restore
 * (exporter/storage.c storage_host_merge_json()): the JSON text a node
 * saved for a host in Redis (or the embedded store) and reads back when
 * the host reappears.  Redis is no trusted party: whatever sits under the
 * key must leave the host sane.
 *
 * The input is the stored value.  Besides the sanitizers, one property is
 * checked: a host restored from it, saved again with
 * storage_host_to_json() and restored into a fresh host, comes back the
 * same (counters below 2^63, which JSON integers can carry; the rest is
 * the business of counter saturation).  Corpus: tests/corpus/host_json/.
 * Build: make fuzz.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "exporter/storage.h"
#include "merge/iface.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct host *
host_alloc(void)
{
	/* tables.c allocates hosts on cache lines: so does this */
	struct host *h = aligned_alloc(64, (sizeof(*h) + 63) & ~(size_t)63);

	if (h != NULL)
		memset(h, 0, sizeof(*h));
	return h;
}

static void
host_release(struct host *h)
{
	if (h == NULL)
		return;
	free(h->l7);
	free(h->name);
	free(h);
}

static int
same_counters(const struct counters *a, const struct counters *b)
{
	const uint64_t big = (uint64_t)INT64_MAX;

	return (a->bytes_sent > big || a->bytes_sent == b->bytes_sent) &&
	       (a->bytes_rcvd > big || a->bytes_rcvd == b->bytes_rcvd) &&
	       (a->pkts_sent > big || a->pkts_sent == b->pkts_sent) &&
	       (a->pkts_rcvd > big || a->pkts_rcvd == b->pkts_rcvd);
}

static int
same_host(const struct host *a, const struct host *b)
{
	uint16_t i;

	if (!same_counters(&a->c, &b->c) || !same_counters(&a->tcp, &b->tcp) ||
	    !same_counters(&a->udp, &b->udp) ||
	    !same_counters(&a->icmp, &b->icmp) ||
	    !same_counters(&a->other, &b->other) ||
	    a->first_ms != b->first_ms || a->last_ms != b->last_ms ||
	    a->n_l7 != b->n_l7)
		return 0;
	if ((a->name == NULL) != (b->name == NULL) ||
	    (a->name && strcmp(a->name, b->name) != 0))
		return 0;
	for (i = 0; i < a->n_l7; i++)
		if (a->l7[i].proto != b->l7[i].proto ||
		    !same_counters(&a->l7[i].c, &b->l7[i].c))
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct iface *ifc;
	struct host *h = NULL, *h2 = NULL;
	char *js = NULL, *again = NULL;

	/* written once: fuzz_rest's owner thread reads it (and so do the
	 * other targets' inputs, replayed in one process by
	 * tests/unit/test_fuzz_corpus.c) */
	if (log_verbosity != -1)
		log_verbosity = -1;
	if (ifc == NULL) {
		ifc = calloc(1, sizeof(*ifc));
		if (ifc == NULL)
			return 0;
		ifc->n_l7 = 512;   /* about what nDPI 4.x knows */
	}
	if (size > 65536)
		return 0;
	js = malloc(size + 1);
	h = host_alloc();
	h2 = host_alloc();
	if (js == NULL || h == NULL || h2 == NULL)
		goto out;
	memcpy(js, data, size);
	js[size] = '\0';
	if (storage_host_merge_json(ifc, h, js) != 0)
		goto out;
	again = storage_host_to_json(ifc, h);
	if (again == NULL)
		goto out;
	if (storage_host_merge_json(ifc, h2, again) != 0 || !same_host(h, h2))
		abort();   /* what we wrote we cannot read back the same */
out:
	free(again);
	free(js);
	host_release(h);
	host_release(h2);
	return 0;
}
