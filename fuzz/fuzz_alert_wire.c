/*
 * fuzz_alert_wire.c - libFuzzer target for the `alert` topic
 * (merge/alerts_thr.c alert_from_wire(), docs/hierarchy.md): the JSON a
 * peer node sends with a past alert, which a hub's interface parses on its
 * owner thread.  A peer is no trusted party.
 *
 * The input is the message's payload.  Besides the sanitizers, one
 * property is checked: an alert accepted from it, written again with
 * alert_wire_json() (with its own site path) and parsed, comes back the
 * same.  Corpus: tests/corpus/alert_wire/.  Build: make fuzz.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "merge/alerts.h"
#include "merge/alerts_thr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alert a, b;
	char *txt;

	if (alert_from_wire((const char *)data, size, &a) != 0)
		return 0;
	if (a.entity_val[sizeof(a.entity_val) - 1] != '\0' ||
	    a.site_path[0] == '\0' || a.node_id[0] == '\0' ||
	    a.severity < ALERT_SEV_MIN || a.severity > ALERT_SEV_MAX ||
	    a.type >= ALERT_TYPE_MAX || a.entity >= ALERT_ENT_MAX)
		abort();
	txt = alert_wire_json(&a, a.site_path);
	if (txt == NULL)
		return 0;
	if (alert_from_wire(txt, strlen(txt), &b) != 0 || b.type != a.type ||
	    b.severity != a.severity || b.entity != a.entity ||
	    b.tstamp != a.tstamp || b.tstamp_end != a.tstamp_end ||
	    strcmp(b.entity_val, a.entity_val) || strcmp(b.msg, a.msg) ||
	    strcmp(b.site_path, a.site_path) || strcmp(b.node_id, a.node_id))
		abort();
	free(txt);
	return 0;
}
