/*
 * sources.c - the one place that knows every kind of input.
 *
 * merge/ opens an interface's inputs through the table registered here
 * and asks each source's kind whether it is offline, how to label it
 * and how to describe it; it includes no header of capture/ or
 * collector/.  A new kind of source is one module that fills a struct
 * source_kind plus one line in kinds[] below (docs/extending.md).
 */
#include "sources/sources.h"

#include "capture/source.h"
#include "collector/collector.h"
#include "merge/source.h"
#include "sources/historical.h"

/* Tried in order: the first kind whose match() takes the spec opens it;
 * pcap matches anything and comes last.  pcap_file needs no entry of its
 * own: the pcap kind opens files as pcap_file sources. */
static const struct source_kind *const kinds[] = {
	&historical_kind,
	&collector_zmq_kind,
	&collector_udp_kind,
	&capture_pcap_live_kind,
};

void
sources_register(void)
{
	source_kinds_set(kinds, (int)(sizeof(kinds) / sizeof(kinds[0])));
}
