/*
 * fuzz_host_json.c - libFuzzer target for the host cache's restore
 * (exporter/storage.c storage_host_from_json(), whose value snapshot
 * merge/ then adds to the returning host with iface_host_restore()): the JSON text a node
 * saved for a host in Redis (or the embedded store) and reads back when
 * the host reappears.  Redis is no trusted party: whatever sits under the
 * key must leave the host sane.
 *
 * The input is the stored value.  Besides the sanitizers, one property is
 * checked: a host restored from it, saved again with
 * storage_host_to_json() and parsed into a fresh snapshot, comes back the
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
#include "merge/sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same_counters(const struct host_snapshot_counters *a,
	      const struct host_snapshot_counters *b)
{
	const uint64_t big = (uint64_t)INT64_MAX;

	return (a->bytes_sent > big || a->bytes_sent == b->bytes_sent) &&
	       (a->bytes_rcvd > big || a->bytes_rcvd == b->bytes_rcvd) &&
	       (a->pkts_sent > big || a->pkts_sent == b->pkts_sent) &&
	       (a->pkts_rcvd > big || a->pkts_rcvd == b->pkts_rcvd);
}

static int
same_host(const struct host_snapshot *a, const struct host_snapshot *b)
{
	const uint64_t big = (uint64_t)INT64_MAX;
	uint32_t i;

	if (!same_counters(&a->c, &b->c) || !same_counters(&a->tcp, &b->tcp) ||
	    !same_counters(&a->udp, &b->udp) ||
	    !same_counters(&a->icmp, &b->icmp) ||
	    !same_counters(&a->other, &b->other) ||
	    a->first_ms != b->first_ms || a->last_ms != b->last_ms ||
	    a->n_l7 != b->n_l7 || strcmp(a->name, b->name) != 0)
		return 0;
	for (i = 0; i < a->n_l7; i++) {
		const struct host_snapshot_l7 *x = &a->l7[i], *y = &b->l7[i];

		if (x->proto != y->proto ||
		    (x->bytes_sent <= big && x->bytes_sent != y->bytes_sent) ||
		    (x->bytes_rcvd <= big && x->bytes_rcvd != y->bytes_rcvd) ||
		    (x->pkts_sent <= big && x->pkts_sent != y->pkts_sent) ||
		    (x->pkts_rcvd <= big && x->pkts_rcvd != y->pkts_rcvd))
			return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host_snapshot h, h2;
	struct host_snapshot_l7 *l7 = NULL, *l7b = NULL;
	char *js = NULL, *again = NULL;

	/* written once: fuzz_rest's owner thread reads it (and so do the
	 * other targets' inputs, replayed in one process by
	 * tests/unit/test_fuzz_corpus.c) */
	if (log_verbosity != -1)
		log_verbosity = -1;
	if (size > 65536)
		return 0;
	js = malloc(size + 1);
	if (js == NULL)
		return 0;
	memcpy(js, data, size);
	js[size] = '\0';
	if (storage_host_from_json(js, &h, &l7) != 0)
		goto out;
	again = storage_host_to_json(&h);
	if (again == NULL)
		goto out;
	if (storage_host_from_json(again, &h2, &l7b) != 0 || !same_host(&h, &h2))
		abort();   /* what we wrote we cannot read back the same */
out:
	free(l7);
	free(l7b);
	free(again);
	free(js);
	return 0;
}
