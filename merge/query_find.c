/*
 * query_find.c - host search (upstream's interface.findHost, the search
 * box of the navigation bar): the hosts whose IP, MAC, name, AS name or
 * country holds the text, case-insensitively.
 *
 * How it works: one walk of the interface's host list on the owner
 * thread (inside query_run), stopping at `max` hits, so a search costs at
 * most one pass over the hosts and a few string compares per host.  The
 * IP text matches anywhere, so "192.168.1." finds a prefix's hosts.
 * AS name and country (its ISO code) come from the host's GeoIP record
 * (merge/geo_tables.c), empty without databases.
 *
 * Threads: the owner thread (builder of query_run()).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "merge/iface.h"
#include "merge/iface_priv.h"
#include "merge/query.h"
#include "geo/geo.h"

/* The AS name (which = 0) or country code (1) of h, "" when not known
 * (no GeoIP database, or a private address). */
static const char *
host_geo(const struct host *h, int which)
{
	if (h->geo == NULL)
		return "";
	return which == 0 ? h->geo->asname : h->geo->country;
}

static int
has(const char *hay, const char *needle)
{
	return hay != NULL && hay[0] != '\0' && strcasestr(hay, needle) != NULL;
}

json_t *
query_host_find(struct iface *ifc, const char *text, int max)
{
	json_t *res = json_array();
	static const uint8_t nomac[6];
	int n = 0;

	if (res == NULL)
		return NULL;
	for (struct host *h = ifc->host_head; h != NULL && n < max;
	     h = h->next) {
		char ip[IPADDR_STRLEN], mac[MAC_STRLEN], key[128];
		const char *match = NULL, *label = NULL;
		json_t *o;

		ipaddr_fmt(&h->ip, ip, sizeof(ip));
		if (memcmp(h->mac, nomac, 6) != 0)
			mac_fmt(h->mac, mac, sizeof(mac));
		else
			mac[0] = '\0';
		if (has(ip, text))
			match = "ip", label = ip;
		else if (has(mac, text))
			match = "mac", label = mac;
		else if (has(h->name, text))
			match = "name", label = h->name;
		else if (has(host_geo(h, 0), text))
			match = "asname", label = host_geo(h, 0);
		else if (has(host_geo(h, 1), text))
			match = "country", label = host_geo(h, 1);
		if (match == NULL)
			continue;
		/* the host string of upstream's findHost: ip or ip@vlan */
		if (h->vlan)
			snprintf(key, sizeof(key), "%s@%u", ip, h->vlan);
		else
			snprintf(key, sizeof(key), "%s", ip);
		o = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:s}", "key", key,
			      "label", label, "ip", ip, "vlan", (int)h->vlan,
			      "name", h->name ? h->name : "", "mac", mac,
			      "match", match);
		if (o != NULL)
			json_array_append_new(res, o);
		n++;
	}
	return res;
}

json_t *
query_b_host_find(struct iface *ifc, void *arg)
{
	const struct query_host_arg *a = arg;

	return query_host_find(ifc, a->host, a->vlan > 0 ? a->vlan : 10);
}
