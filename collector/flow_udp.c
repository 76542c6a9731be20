/*
 * flow_udp.c - NetFlow v5/v9, IPFIX and sFlow over UDP (issue: native
 * NetFlow/IPFIX/sFlow collection).  Not built yet: the endpoint is
 * recognised and refused with one line.
 */
#include <string.h>

#include "collector/collector.h"
#include "common/log.h"

int
collector_is_udp(const char *spec)
{
	return strncmp(spec, "netflow://", 10) == 0 || strncmp(spec, "sflow://", 8) == 0;
}

struct source *
collector_udp_open(const char *spec, const struct prefs *p)
{
	(void)p;
	log_err("-i %s: NetFlow/IPFIX/sFlow collection is not implemented yet", spec);
	return NULL;
}
