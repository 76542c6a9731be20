/*
 * names.c - host names on the interface's owner thread (names.h has the
 * ranking and docs/names.md the whole story).
 *
 * DNS answers: iface_packet() calls names_dns_packet() for UDP packets
 * from port 53 only (one compare per packet for the others).  Their
 * answers are parsed by dpi/dnsmsg.c into (address, name) pairs; a host
 * that exists takes the name at once, and every pair is also kept in a
 * small direct-mapped table (NAMES_SLOTS entries, a newer pair replaces
 * the one in its slot), because the answer usually comes just before
 * the client's first packet to that address, when its host does not
 * exist yet: names_host_new() looks the new host up there.  Each new or
 * changed pair is handed to the resolver thread to be kept in the
 * key-value store (ntopng.dns.cache.<ip>), so a restart or a peer node
 * reuses it.
 *
 * Numeric addresses: names_host_new() posts the new host to the resolver
 * (-n 0: local hosts, -n 1: all; -n 2/3: never); the resolver answers
 * through iface_query() with names_apply(), on this thread.
 */
#include "merge/names.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <ndpi/ndpi_protocol_ids.h>

#include "common/prefs.h"
#include "dpi/dnsmsg.h"
#include "merge/iface.h"
#include "merge/iface_priv.h"

#define NAMES_SLOTS 1024

struct names_slot {
	struct ipaddr ip;
	char *name; /* heap, or NULL: empty slot */
};

struct names_cache {
	struct names_slot slot[NAMES_SLOTS];
	struct names_stats st;
};

static struct names_cache *
cache_get(struct iface *ifc)
{
	if (ifc->names == NULL)
		ifc->names = calloc(1, sizeof(*ifc->names));
	return ifc->names;
}

void
names_fini(struct iface *ifc)
{
	if (ifc->names == NULL)
		return;
	for (int i = 0; i < NAMES_SLOTS; i++)
		free(ifc->names->slot[i].name);
	free(ifc->names);
	ifc->names = NULL;
}

void
names_get_stats(struct iface *ifc, struct names_stats *out)
{
	if (ifc->names != NULL)
		*out = ifc->names->st;
	else
		memset(out, 0, sizeof(*out));
}

void
names_set(struct host *h, const char *name, int rank)
{
	size_t n;
	char *c;

	if (name == NULL || name[0] == '\0' || rank < h->name_rank)
		return;
	if (h->name != NULL && strcmp(h->name, name) == 0) {
		h->name_rank = (uint8_t)rank;
		return;
	}
	n = strlen(name);
	c = malloc(n + 1);
	if (c == NULL)
		return;
	memcpy(c, name, n + 1);
	free(h->name);
	h->name = c;
	h->name_rank = (uint8_t)rank;
}

static struct names_slot *
slot_of(struct names_cache *nc, const struct ipaddr *ip)
{
	return &nc->slot[ipaddr_hash(ip) & (NAMES_SLOTS - 1)];
}

/* One (address, name) pair of an answer. */
static void
learn(struct iface *ifc, struct names_cache *nc, const struct ipaddr *ip,
      const char *name, uint16_t vlan)
{
	struct names_slot *s = slot_of(nc, ip);
	struct host *h;

	h = iface_host_find(ifc, ip, vlan);
	if (h != NULL)
		names_set(h, name, NAME_DNS);
	if (s->name != NULL && memcmp(&s->ip, ip, sizeof(*ip)) == 0 &&
	    strcmp(s->name, name) == 0)
		return; /* known: nothing to store again */
	free(s->name);
	s->name = strdup(name);
	if (s->name == NULL)
		return;
	s->ip = *ip;
	nc->st.dns_names++;
	resolver_post(ifc, RESOLVE_STORE, ip, vlan, name);
}

void
names_dns_packet(struct iface *ifc, const struct pkt *p)
{
	struct dnsmsg_reply r;
	struct names_cache *nc;

	if (ifc->prefs->dns_mode == 3 || p->l4_payload == NULL ||
	    p->l4_payload_len < 12 || (p->is_fragment && !p->first_fragment))
		return;
	nc = cache_get(ifc);
	if (nc == NULL)
		return;
	nc->st.dns_packets++;
	if (dnsmsg_parse(p->l4_payload, p->l4_payload_len, &r) != DNSMSG_OK) {
		nc->st.dns_bad++;
		return;
	}
	for (int i = 0; i < r.n; i++)
		learn(ifc, nc, &r.answers[i].ip, r.answers[i].name, p->vlan);
}

/* nDPI's HTTP, TLS and QUIC: their info is the server's name */
static int
hint_proto(uint16_t id)
{
	return id == NDPI_PROTOCOL_HTTP || id == NDPI_PROTOCOL_TLS ||
	       id == NDPI_PROTOCOL_QUIC;
}

void
names_flow_info(struct iface *ifc, struct flow *f)
{
	const char *s = f->info;
	char buf[DNSMSG_NAME_MAX + 1];
	size_t n = 0;

	(void)ifc;
	/* only a server name the client asked the server itself for
	 * (TLS SNI, HTTP Host): a DNS flow's query names another host than
	 * its server, and other protocols' info (DHCP, NetBIOS) names the
	 * client */
	if (s == NULL || f->srv_host == NULL ||
	    f->srv_host->name_rank > NAME_HINT ||
	    (!hint_proto(f->l7_master) && !hint_proto(f->l7_app)) ||
	    ipaddr_is_multicast(&f->srv) || ipaddr_is_broadcast(&f->srv))
		return;
	/* HTTP Host may carry ":port"; keep the host name part only */
	while (s[n] != '\0' && s[n] != ':' && s[n] != '/' &&
	       n < sizeof(buf) - 1) {
		char c = s[n];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' ||
		    c == '>' || c == '\\' || c == '&' || c == '\'')
			return;
		buf[n++] = c;
	}
	buf[n] = '\0';
	names_set(f->srv_host, buf, NAME_HINT);
}

void
names_host_new(struct iface *ifc, struct host *h)
{
	const struct prefs *p = ifc->prefs;
	struct names_cache *nc = ifc->names;

	if (nc != NULL) {
		struct names_slot *s = slot_of(nc, &h->ip);

		if (s->name != NULL &&
		    memcmp(&s->ip, &h->ip, sizeof(h->ip)) == 0)
			names_set(h, s->name, NAME_DNS);
	}
	if (h->name_rank < NAME_PTR &&
	    (p->dns_mode == 1 || (p->dns_mode == 0 && h->is_local)) &&
	    !ipaddr_is_multicast(&h->ip) && !ipaddr_is_broadcast(&h->ip)) {
		int rc = resolver_post(ifc, RESOLVE_PTR, &h->ip, h->vlan, NULL);

		h->name_asked = 1;
		if ((nc = cache_get(ifc)) != NULL) {
			if (rc == 0)
				nc->st.asked++;
			else
				nc->st.ask_dropped++;
		}
	}
	/* http:bl lists public IPv4 addresses that visit web servers: the
	 * remote hosts */
	if (p->httpbl_key != NULL && h->ip.v == 4 && !h->is_local &&
	    !ipaddr_is_private(&h->ip) && !ipaddr_is_multicast(&h->ip) &&
	    !ipaddr_is_broadcast(&h->ip) &&
	    resolver_post(ifc, RESOLVE_HTTPBL, &h->ip, h->vlan, NULL) == 0) {
		/* a new host: host_get() counts its blocks after this */
		if (h->x == NULL)
			h->x = calloc(1, sizeof(*h->x));
		if (h->x != NULL)
			h->x->httpbl = NAMES_HTTPBL_ASKED;
	}
}

const char *
names_httpbl_status(uint32_t v)
{
	if (v & NAMES_HTTPBL_LISTED)
		return "listed";
	if (v & NAMES_HTTPBL_CLEAN)
		return "clean";
	if (v & NAMES_HTTPBL_ASKED)
		return "pending";
	return "";
}

static const char *const rank_names[] = { "", "hint", "ptr", "dns" };

void
names_host_json(const struct host *h, json_t *o)
{
	uint32_t v = host_ext_ro(h)->httpbl;

	json_object_set_new(o, "name_source",
			    json_string(h->name == NULL ? ""
					: h->name_rank < 4
						? rank_names[h->name_rank]
						: ""));
	if (v == 0)
		return;
	/* the answer 127.days.threat.type (type: bit 0 suspicious, 1
	 * harvester, 2 comment spammer; 0 a search engine) */
	json_object_set_new(
		o, "httpbl",
		json_pack("{s:s,s:i,s:i,s:i}", "status", names_httpbl_status(v),
			  "days", (int)((v >> 16) & 0xff), "threat",
			  (int)((v >> 8) & 0xff), "type", (int)(v & 0xff)));
}

void
names_iface_json(struct iface *ifc, json_t *o)
{
	struct names_stats n;
	struct resolver_stats r;

	names_get_stats(ifc, &n);
	resolver_get_stats(&r);
	json_object_set_new(
		o, "names",
		json_pack("{s:I,s:I,s:I,s:I,s:I,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
			  "s:I}}",
			  "dns_packets", (json_int_t)n.dns_packets, "dns_bad",
			  (json_int_t)n.dns_bad, "dns_names",
			  (json_int_t)n.dns_names, "asked", (json_int_t)n.asked,
			  "ask_dropped", (json_int_t)n.ask_dropped, "resolver",
			  "jobs", (json_int_t)r.posted, "dropped",
			  (json_int_t)r.dropped, "cache_hits",
			  (json_int_t)r.cache_hits, "negative_hits",
			  (json_int_t)r.neg_hits, "lookups",
			  (json_int_t)r.lookups, "named",
			  (json_int_t)r.resolved, "unnamed",
			  (json_int_t)r.failed, "httpbl",
			  (json_int_t)r.httpbl));
}
