/*
 * tables.c - flows, hosts and MACs of one interface, and the accounting of
 * every decoded packet into them.
 *
 * Each table is a power-of-two array of hash chains plus one doubly linked
 * list in least-recently-seen order, so a lookup is O(1), touching an
 * entry moves it to the tail in O(1), and the idle purge stops at the
 * first entry that is still fresh.  Tables are sized once from -X/-x;
 * past the limit new entries are refused and counted, never grown.
 *
 * Flows are bidirectional: the key is (VLAN, L4 protocol, the two
 * address/port pairs in either order); the sender of the first packet is
 * the client unless upstream's rule says it is the server
 * (pkt_sender_is_server()).  The hash is symmetric so both directions
 * land in one chain.
 *
 * L7 bookkeeping: a flow's bytes are always counted under the protocol in
 * f->l7_counted (Unknown at first).  When nDPI changes the protocol,
 * l7_move() takes the flow's totals off the old protocol, at the interface
 * and at both hosts, and adds them to the new one.  The per-protocol
 * totals therefore always add up to the bytes of the IP flows, and a
 * flow's traffic ends under its final protocol.
 *
 * Owner thread only.
 */
#include "merge/tables.h"
#include "merge/dpiw.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi/ndpi_main.h>

#include "dpi/dpi.h"
#include "dpi/risk.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/objpool.h"
#include "common/prefs.h"
#include "merge/activity.h"
#include "merge/aggr.h"
#include "geo/geo.h"
#include "merge/iface.h"
#include "merge/iface_priv.h"
#include "merge/names.h"
#include "merge/sink.h"
#include "merge/source.h"

/* ---- saturating counters ---- */

/*
 * Traffic counters stop at COUNTER_MAX instead of wrapping (issue 11 #9):
 * a collector hands us 64-bit counts from the network, and a wrapped sum
 * reads as a small or, in JSON's signed integers, negative total.
 * COUNTER_MAX is 2^63-1, the largest number a JSON integer carries, so
 * that a total written by merge/query.c is never negative and the sum of
 * two saturated counters still fits in 64 bits.
 */
#define COUNTER_MAX ((uint64_t)INT64_MAX)

static inline uint64_t
counter_add_sat(uint64_t a, uint64_t b)
{
	return b >= COUNTER_MAX || a >= COUNTER_MAX - b ? COUNTER_MAX : a + b;
}

#define SAT_ADD(lhs, v) ((lhs) = counter_add_sat((lhs), (v)))

/* ---- generic LRU list helpers (prev/next in every entry type) ---- */

#define LRU_UNLINK(ifc, head, tail, e)                                         \
	do {                                                                   \
		if ((e)->prev)                                                 \
			(e)->prev->next = (e)->next;                           \
		else                                                           \
			(ifc)->head = (e)->next;                               \
		if ((e)->next)                                                 \
			(e)->next->prev = (e)->prev;                           \
		else                                                           \
			(ifc)->tail = (e)->prev;                               \
		(e)->prev = (e)->next = NULL;                                  \
	} while (0)

#define LRU_APPEND(ifc, head, tail, e)                                         \
	do {                                                                   \
		(e)->prev = (ifc)->tail;                                       \
		(e)->next = NULL;                                              \
		if ((ifc)->tail)                                               \
			(ifc)->tail->next = (e);                               \
		else                                                           \
			(ifc)->head = (e);                                     \
		(ifc)->tail = (e);                                             \
	} while (0)

/* Entries move to the tail at most once per LRU_SLACK_MS: the lists stay
 * in last-seen order to within that much (the idle purge may free an
 * entry that much late), and a busy entry costs no pointer chasing per
 * packet. */
#define LRU_SLACK_MS 1000

#define LRU_TOUCH(ifc, head, tail, e)                                          \
	do {                                                                   \
		if ((ifc)->tail != (e)) {                                      \
			LRU_UNLINK(ifc, head, tail, e);                        \
			LRU_APPEND(ifc, head, tail, e);                        \
		}                                                              \
	} while (0)

#define TABLES_START_BUCKETS 4096

/* Local hosts with an activity map, at most (11 KB each at worst). */
#define TABLES_MAX_ACT_HOSTS 4096

/* The hot lines of iface.h's layout. */
_Static_assert(offsetof(struct flow, cli_host) == 64, "flow line 1");
_Static_assert(offsetof(struct flow, c2s_pkts) == 128, "flow line 2");
_Static_assert(offsetof(struct flow, ext) == 192, "flow cold part");
_Static_assert(offsetof(struct host, tcp) == 64, "host line 1");
_Static_assert(offsetof(struct host, icmp) == 128, "host line 2");
_Static_assert(offsetof(struct host, hnext) == 160, "host cold part");
_Static_assert(sizeof(struct host_l7) == 48, "host L7 entry");

static uint32_t
pow2_at_least(uint32_t n)
{
	uint32_t v = 1024;

	while (v < n && v < (1u << 30))
		v <<= 1;
	return v;
}

int
tables_init(struct iface *ifc)
{
	const struct prefs *p = ifc->prefs;

	ifc->max_flows = p->max_num_flows;
	ifc->max_hosts = p->max_num_hosts;
	ifc->max_macs = p->max_num_hosts;
	/* bucket arrays start small and double with their table (up to the
	 * size -X/-x call for), so a large limit costs neither memory nor
	 * cache misses until the entries are there */
	ifc->flow_mask = pow2_at_least(ifc->max_flows < TABLES_START_BUCKETS
					       ? ifc->max_flows
					       : TABLES_START_BUCKETS) -
			 1;
	ifc->host_mask = pow2_at_least(ifc->max_hosts < TABLES_START_BUCKETS
					       ? ifc->max_hosts
					       : TABLES_START_BUCKETS) -
			 1;
	/* far fewer MACs than hosts are usual (hosts behind routers share
	 * them): a small, cache-friendly bucket array */
	ifc->mac_mask =
		pow2_at_least(
			(ifc->max_macs < 262144 ? ifc->max_macs : 262144) / 4) -
		1;
	ifc->flow_idle_ms = p->flow_idle_s ? (uint64_t)p->flow_idle_s * 1000
					   : TABLES_FLOW_IDLE_MS;
	/* --max-memory: shared evenly by the interfaces */
	ifc->max_mem = (uint64_t)(p->max_memory > 0 ? p->max_memory : 0) *
		       1048576u / (uint64_t)(p->n_ifaces > 1 ? p->n_ifaces : 1);
	/* 8-byte aligned, not on cache lines: a flow takes 232 bytes, not
	 * 256, a host 440, not 448 (docs/memory.md) */
	objpool_init_align(&ifc->flow_pool, sizeof(struct flow), 8);
	objpool_init_align(&ifc->host_pool, sizeof(struct host), 8);
	ifc->flow_buckets =
		calloc((size_t)ifc->flow_mask + 1, sizeof(struct flow *));
	ifc->host_buckets =
		calloc((size_t)ifc->host_mask + 1, sizeof(struct host *));
	ifc->mac_buckets =
		calloc((size_t)ifc->mac_mask + 1, sizeof(struct mac *));
	if (!ifc->flow_buckets || !ifc->host_buckets || !ifc->mac_buckets) {
		log_err("%s: out of memory for the tables", ifc->name);
		return -1;
	}
	snprintf(ifc->origins[0].id, sizeof(ifc->origins[0].id), "%s", node_id);
	ifc->n_origins = 1;
	if (aggr_init(ifc) != 0) {
		log_err("%s: out of memory for the aggregations", ifc->name);
		return -1;
	}
	return 0;
}

/* ---- VLANs ---- */

/* The entry of VLAN id, added when first seen; NULL out of memory. */
static struct iface_vlan *
vlan_get(struct iface *ifc, uint16_t id, uint64_t now)
{
	struct iface_vlan *v;

	id &= 4095;
	if (ifc->vlan_idx == NULL) {
		ifc->vlan_idx = calloc(4096, sizeof(*ifc->vlan_idx));
		if (ifc->vlan_idx == NULL)
			return NULL;
	}
	if (ifc->vlan_idx[id] != 0)
		return &ifc->vlans[ifc->vlan_idx[id] - 1];
	if (ifc->n_vlans == ifc->cap_vlans) {
		uint32_t cap = ifc->cap_vlans ? ifc->cap_vlans * 2 : 4;

		v = realloc(ifc->vlans, cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		ifc->vlans = v;
		ifc->cap_vlans = cap;
	}
	v = &ifc->vlans[ifc->n_vlans++];
	memset(v, 0, sizeof(*v));
	v->vlan = id;
	v->first_ms = now;
	ifc->vlan_idx[id] = (uint16_t)ifc->n_vlans;
	return v;
}

/* Frames (or collected packets) of VLAN id, whatever they hold. */
static void
vlan_frames(struct iface *ifc, uint16_t id, uint64_t bytes, uint64_t pkts,
	    uint64_t now)
{
	struct iface_vlan *v = vlan_get(ifc, id, now);

	if (v == NULL)
		return;
	v->bytes += bytes;
	v->packets += pkts;
	if (now > v->last_ms)
		v->last_ms = now;
	if (now < v->first_ms)
		v->first_ms = now;
}

/* ---- L7 ---- */

static inline struct iface_l7 *
l7_slot(struct iface *ifc, uint16_t proto)
{
	if (ifc->l7 == NULL)
		return NULL;
	return &ifc->l7[proto < ifc->n_l7 ? proto : 0];
}

/* The blocks host h owns (tables_mem(), tables_host_mem()): its L7
 * array, name, GeoIP data, host_ext and activity map (each hour's block
 * with its malloc header). */
static uint64_t
host_heap_bytes(const struct host *h)
{
	const struct activity *act = host_ext_ro(h)->act;

	return heap_bytes(h->l7) + heap_bytes(h->name) + heap_bytes(h->geo) +
	       heap_bytes(h->x) +
	       (act != NULL ? activity_mem(act) + (ACTIVITY_HOURS + 1) * 16
			    : 0);
}

struct host_ext *
tables_host_ext(struct iface *ifc, struct host *h)
{
	if (h->x == NULL) {
		h->x = calloc(1, sizeof(*h->x));
		if (h->x == NULL)
			return NULL;
		ifc->host_heap += heap_bytes(h->x);
	}
	return h->x;
}

struct host_l7 *
tables_host_l7_get(struct host *h, uint16_t proto, uint64_t now)
{
	uint16_t i;

	for (i = 0; i < h->n_l7; i++)
		if (h->l7[i].proto == proto)
			return &h->l7[i];
	if (h->n_l7 == h->cap_l7) {
		/* most hosts speak a few protocols: one more entry at a
		 * time up to 16, then doubling (an entry is added once per
		 * host and protocol) */
		uint16_t cap = h->cap_l7 < 16 ? (uint16_t)(h->cap_l7 + 1)
					      : (uint16_t)(h->cap_l7 * 2);
		struct host_l7 *v;

		if (cap <= h->cap_l7) /* 16 bits: full */
			return NULL;
		v = realloc(h->l7, cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		h->l7 = v;
		h->cap_l7 = cap;
	}
	memset(&h->l7[h->n_l7], 0, sizeof(h->l7[0]));
	h->l7[h->n_l7].proto = proto;
	u48_set(&h->l7[h->n_l7].first_ms, now);
	return &h->l7[h->n_l7++];
}

/* The protocol a flow's bytes count under: the application when nDPI
 * named one, else the master (ndpiReader reports flows the same way). */
static inline uint16_t
flow_l7_key(const struct flow *f)
{
	return f->l7_app ? f->l7_app : f->l7_master;
}

/* Entry e of host h lost its last flow to another protocol (detection
 * moved it): when nothing is left in it (REST and the sinks skip such an
 * entry), the last entry takes its place, so that a host keeps no trail
 * of the Unknowns and guesses its flows went through.  The flows' cached
 * indexes (cli_l7_idx, srv_l7_idx) are checked against the protocol
 * before use, so a moved entry is only looked up again.  The array then
 * shrinks to what is used (one entry at least: the flow's new protocol
 * comes next), so that a host with no flow in detection keeps no spare
 * entry (docs/memory.md); the next new flow's Unknown grows it again. */
static void
host_l7_drop_empty(struct host *h, struct host_l7 *e)
{
	struct host_l7 *v;
	uint16_t want;

	if (e->bytes_sent || e->bytes_rcvd || u48_get(&e->pkts_sent) ||
	    u48_get(&e->pkts_rcvd))
		return;
	*e = h->l7[--h->n_l7];
	want = h->n_l7 > 0 ? h->n_l7 : 1;
	if (h->cap_l7 > 16 || want >= h->cap_l7)
		return; /* past 16 the array doubles: kept */
	v = realloc(h->l7, want * sizeof(*v));
	if (v != NULL) {
		h->l7 = v;
		h->cap_l7 = want;
	}
}

/* Adds (sign = +1) or removes (-1) a flow's whole totals to protocol
 * `proto` at the interface and at its hosts. */
static void
l7_apply(struct iface *ifc, struct flow *f, uint16_t proto, int sign)
{
	struct iface_l7 *s = l7_slot(ifc, proto);
	uint64_t bytes = counter_add_sat(f->c2s_bytes, f->s2c_bytes);
	uint64_t pkts = counter_add_sat(f->c2s_pkts, f->s2c_pkts);
	struct host *hosts[2] = { f->cli_host, f->srv_host };
	uint64_t had_bytes;
	uint16_t had;
	int i;

	if (s != NULL) {
		if (sign > 0) {
			SAT_ADD(s->bytes, bytes);
			SAT_ADD(s->pkts, pkts);
			SAT_ADD(s->bytes_sent, f->c2s_bytes);
			SAT_ADD(s->bytes_rcvd, f->s2c_bytes);
			SAT_ADD(s->pkts_sent, f->c2s_pkts);
			SAT_ADD(s->pkts_rcvd, f->s2c_pkts);
			s->active_flows++;
			s->total_flows++;
			if (s->first_ms == 0 || f->first_ms < s->first_ms)
				s->first_ms = f->first_ms;
			if (f->last_ms > s->last_ms)
				s->last_ms = f->last_ms;
		} else {
			s->bytes -= bytes;
			s->pkts -= pkts;
			s->bytes_sent -= f->c2s_bytes;
			s->bytes_rcvd -= f->s2c_bytes;
			s->pkts_sent -= f->c2s_pkts;
			s->pkts_rcvd -= f->s2c_pkts;
			s->active_flows--;
			s->total_flows--;
		}
	}
	for (i = 0; i < 2; i++) {
		struct host *h = hosts[i];
		struct host_l7 *e;
		uint64_t sent = i == 0 ? f->c2s_bytes : f->s2c_bytes;
		uint64_t rcvd = i == 0 ? f->s2c_bytes : f->c2s_bytes;
		uint64_t psent = i == 0 ? f->c2s_pkts : f->s2c_pkts;
		uint64_t prcvd = i == 0 ? f->s2c_pkts : f->c2s_pkts;

		if (h == NULL || (i == 1 && h == hosts[0]))
			continue;
		had = h->cap_l7;
		had_bytes = heap_bytes(h->l7);
		e = tables_host_l7_get(h, proto, f->first_ms);
		if (e != NULL && sign > 0) {
			SAT_ADD(e->bytes_sent, sent);
			SAT_ADD(e->bytes_rcvd, rcvd);
			u48_add(&e->pkts_sent, psent);
			u48_add(&e->pkts_rcvd, prcvd);
			e->num_flows++;
			if (f->first_ms < u48_get(&e->first_ms))
				u48_set(&e->first_ms, f->first_ms);
			if (f->last_ms > u48_get(&e->last_ms))
				u48_set(&e->last_ms, f->last_ms);
		} else if (e != NULL) {
			e->bytes_sent -= sent;
			e->bytes_rcvd -= rcvd;
			u48_sub(&e->pkts_sent, psent);
			u48_sub(&e->pkts_rcvd, prcvd);
			e->num_flows--;
			if (e->num_flows == 0)
				host_l7_drop_empty(h, e);
		}
		if (h->cap_l7 != had) /* it grew or shrank (--max-memory) */
			ifc->host_heap =
				ifc->host_heap - had_bytes + heap_bytes(h->l7);
	}
}

/* The flow's protocol changed: move its totals to the new protocol. */
static void
l7_move(struct iface *ifc, struct flow *f)
{
	uint16_t to = flow_l7_key(f);

	if (to == f->l7_counted)
		return;
	l7_apply(ifc, f, f->l7_counted, -1);
	f->l7_counted = to;
	l7_apply(ifc, f, to, +1);
}

/* ---- MACs ---- */

static inline uint32_t
mac_hash(const uint8_t addr[6], uint16_t vlan)
{
	return hash_mix32(((uint32_t)addr[2] << 24 | (uint32_t)addr[3] << 16 |
			   (uint32_t)addr[4] << 8 | addr[5]) ^
			  ((uint32_t)addr[0] << 8 | addr[1]) ^ vlan);
}

static struct mac *
mac_get(struct iface *ifc, const uint8_t addr[6], uint16_t vlan, uint64_t now)
{
	struct mac **b =
		&ifc->mac_buckets[mac_hash(addr, vlan) & ifc->mac_mask];
	struct mac *m;

	for (m = *b; m != NULL; m = m->hnext)
		if (m->vlan == vlan && memcmp(m->addr, addr, 6) == 0) {
			if (m->last_ms + LRU_SLACK_MS <= now) {
				LRU_TOUCH(ifc, mac_head, mac_tail, m);
				m->last_ms = now;
			}
			m->source = ifc->cur_source;
			return m;
		}
	if (ifc->num_macs >= ifc->max_macs) {
		ifc->stats.macs_dropped++;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	memcpy(m->addr, addr, 6);
	m->vlan = vlan;
	m->first_ms = m->last_ms = now;
	m->source = ifc->cur_source;
	m->hnext = *b;
	*b = m;
	LRU_APPEND(ifc, mac_head, mac_tail, m);
	ifc->num_macs++;
	return m;
}

static struct mac *
mac_find(struct iface *ifc, const uint8_t addr[6], uint16_t vlan)
{
	struct mac *m = ifc->mac_buckets[mac_hash(addr, vlan) & ifc->mac_mask];

	while (m != NULL && (m->vlan != vlan || memcmp(m->addr, addr, 6) != 0))
		m = m->hnext;
	return m;
}

static void
mac_unhash(struct iface *ifc, struct mac *m)
{
	struct mac **pp =
		&ifc->mac_buckets[mac_hash(m->addr, m->vlan) & ifc->mac_mask];

	while (*pp != NULL && *pp != m)
		pp = &(*pp)->hnext;
	if (*pp == m)
		*pp = m->hnext;
}

/* ---- hosts ---- */

static inline uint32_t
host_hash(const struct ipaddr *ip, uint16_t vlan)
{
	return hash_mix32(ipaddr_hash(ip) ^ ((uint32_t)vlan << 16));
}

/* Doubles the host buckets once there are as many hosts as buckets,
 * rehashing every host (O(n), once per doubling).  Out of memory: the
 * table keeps its size, with longer chains. */
static void
hosts_grow(struct iface *ifc)
{
	uint32_t n = (ifc->host_mask + 1) * 2;
	struct host **b;
	struct host *h;

	if (ifc->num_hosts <= ifc->host_mask + 1 ||
	    n > pow2_at_least(ifc->max_hosts))
		return;
	b = calloc(n, sizeof(*b));
	if (b == NULL)
		return;
	for (h = ifc->host_head; h != NULL; h = h->next) {
		uint32_t i = host_hash(&h->ip, h->vlan) & (n - 1);

		h->hnext = b[i];
		b[i] = h;
	}
	free(ifc->host_buckets);
	ifc->host_buckets = b;
	ifc->host_mask = n - 1;
}

struct host *
iface_host_find(struct iface *ifc, const struct ipaddr *ip, uint16_t vlan)
{
	struct host *h;

	IFACE_ASSERT_OWNER(ifc);
	for (h = ifc->host_buckets[host_hash(ip, vlan) & ifc->host_mask];
	     h != NULL; h = h->hnext)
		if (h->vlan == vlan && memcmp(&h->ip, ip, sizeof(*ip)) == 0)
			return h;
	return NULL;
}

static struct host *
host_get(struct iface *ifc, const struct ipaddr *ip, uint16_t vlan,
	 const uint8_t *mac, uint64_t now)
{
	uint32_t hv = host_hash(ip, vlan);
	struct host **b = &ifc->host_buckets[hv & ifc->host_mask];
	struct host *h;
	int net;

	for (h = *b; h != NULL; h = h->hnext)
		if (h->vlan == vlan && memcmp(&h->ip, ip, sizeof(*ip)) == 0)
			return h;
	if (ifc->num_hosts >= ifc->max_hosts) {
		ifc->stats.hosts_dropped++;
		return NULL;
	}
	h = objpool_zalloc(&ifc->host_pool);
	if (h == NULL)
		return NULL;
	h->ip = *ip;
	h->vlan = vlan;
	if (mac != NULL)
		memcpy(h->mac, mac, 6);
	net = netlist_find(ifc->local_nets, ip);
	h->local_net = (int16_t)net;
	h->is_local = net >= 0;
	if (h->is_local && mac != NULL) {
		/* a DHCP client named its OS before it had this address */
		struct mac *m = mac_find(ifc, mac, vlan);

		if (m != NULL && m->dhcp_os != OS_UNKNOWN) {
			h->os = (struct os_verdict){ m->dhcp_os, OS_SRC_DHCP,
						     0 };
			if (ifc->aggr != NULL)
				aggr_host_os(ifc, h, os_name(h->os.os), now);
		}
	}
	h->id = ifc->next_host_id++;
	h->first_ms = h->last_ms = h->seen_ms = now;
	h->source = ifc->cur_source;
	h->hnext = *b;
	*b = h;
	LRU_APPEND(ifc, host_head, host_tail, h);
	ifc->num_hosts++;
	ifc->stats.total_hosts++;
	if (h->is_local)
		ifc->num_local_hosts++;
	tables_geo_host_new(ifc, h, now);
	if (h->is_local && ifc->num_act_hosts < TABLES_MAX_ACT_HOSTS) {
		/* per new host, not per packet: the map of merge/activity.h
		 * (counted below with the host's other blocks) */
		h->x = calloc(1, sizeof(*h->x));
		if (h->x != NULL)
			h->x->act = activity_new();
		if (h->x != NULL && h->x->act != NULL) {
			ifc->num_act_hosts++;
			activity_mark(h->x->act, now / 1000);
		}
	}
	if (ifc->want_host_new)
		sink_host_new(ifc,
			      h); /* e.g. asks the host cache (no I/O here) */
	names_host_new(ifc, h);	  /* a learnt name, else the resolver */
	ifc->host_heap += host_heap_bytes(h);
	hosts_grow(ifc);
	return h;
}

static void
host_free(struct iface *ifc, struct host *h)
{
	struct host **pp =
		&ifc->host_buckets[host_hash(&h->ip, h->vlan) & ifc->host_mask];

	while (*pp != NULL && *pp != h)
		pp = &(*pp)->hnext;
	if (*pp == h)
		*pp = h->hnext;
	LRU_UNLINK(ifc, host_head, host_tail, h);
	ifc->num_hosts--;
	if (h->is_local)
		ifc->num_local_hosts--;
	{
		uint64_t b = host_heap_bytes(h);

		ifc->host_heap -= b < ifc->host_heap ? b : ifc->host_heap;
	}
	tables_geo_host_free(ifc, h);
	free(h->l7);
	free(h->name);
	if (h->x != NULL && h->x->act != NULL) {
		activity_free(h->x->act);
		ifc->num_act_hosts--;
	}
	free(h->x);
	objpool_free(&ifc->host_pool, h);
}

void
tables_hosts_reclassify(struct iface *ifc)
{
	struct host *h;
	uint32_t local = 0;

	IFACE_ASSERT_OWNER(ifc);
	for (h = ifc->host_head; h != NULL; h = h->next) {
		int net = netlist_find(ifc->local_nets, &h->ip);

		h->local_net = (int16_t)net;
		h->is_local = net >= 0;
		local += h->is_local;
	}
	ifc->num_local_hosts = local;
}

/* ---- flows ---- */

/* The flow key: VLAN, L4 protocol, origin and the two address/port
 * pairs, in either order. */
struct flow_key {
	const struct ipaddr *src, *dst;
	uint16_t sport, dport, vlan;
	uint8_t l4_proto, origin;
};

static inline uint32_t
key_hash(const struct flow_key *k)
{
	uint32_t a = ipaddr_hash(k->src) + k->sport;
	uint32_t b = ipaddr_hash(k->dst) + k->dport;

	/* symmetric in (src, dst): both directions share a chain */
	return hash_mix32((a + b) ^ (a * b) ^ ((uint32_t)k->vlan << 8) ^
			  k->l4_proto ^ ((uint32_t)k->origin << 24));
}

/* Finds the flow of key k; *c2s = 1 when k goes client to server.  The
 * origin is part of the key: the same 5-tuple seen at two sites (private
 * addresses reused by branches) is two flows. */
static struct flow *
key_find(struct iface *ifc, const struct flow_key *k, uint32_t hv, int *c2s)
{
	struct flow *f;

	for (f = ifc->flow_buckets[hv & ifc->flow_mask]; f != NULL;
	     f = f->hnext) {
		if (f->hash != hv || f->vlan != k->vlan ||
		    f->l4_proto != k->l4_proto || f->origin != k->origin)
			continue;
		if (f->cli_port == k->sport && f->srv_port == k->dport &&
		    memcmp(&f->cli, k->src, sizeof(f->cli)) == 0 &&
		    memcmp(&f->srv, k->dst, sizeof(f->srv)) == 0) {
			*c2s = 1;
			return f;
		}
		if (f->cli_port == k->dport && f->srv_port == k->sport &&
		    memcmp(&f->cli, k->dst, sizeof(f->cli)) == 0 &&
		    memcmp(&f->srv, k->src, sizeof(f->srv)) == 0) {
			*c2s = 0;
			return f;
		}
	}
	return NULL;
}

static inline struct flow_key
pkt_key(const struct pkt *p, uint8_t origin)
{
	struct flow_key k = {
		.src = &p->src,
		.dst = &p->dst,
		.sport = p->sport,
		.dport = p->dport,
		.vlan = p->vlan,
		.l4_proto = p->l4_proto,
		.origin = origin,
	};

	return k;
}

static inline struct flow_key
update_key(const struct flow_update *u, uint8_t origin)
{
	struct flow_key k = {
		.src = &u->src,
		.dst = &u->dst,
		.sport = u->sport,
		.dport = u->dport,
		.vlan = u->vlan,
		.l4_proto = u->l4_proto,
		.origin = origin,
	};

	return k;
}

/* Doubles the flow buckets once there are as many flows as buckets
 * (each flow keeps its hash: no rehashing of keys). */
static void
flows_grow(struct iface *ifc)
{
	uint32_t n = (ifc->flow_mask + 1) * 2;
	struct flow **b;
	struct flow *f;

	if (ifc->num_flows <= ifc->flow_mask + 1 ||
	    n > pow2_at_least(ifc->max_flows))
		return;
	b = calloc(n, sizeof(*b));
	if (b == NULL)
		return;
	for (f = ifc->flow_head; f != NULL; f = f->next) {
		f->hnext = b[f->hash & (n - 1)];
		b[f->hash & (n - 1)] = f;
	}
	free(ifc->flow_buckets);
	ifc->flow_buckets = b;
	ifc->flow_mask = n - 1;
}

static void flow_free(struct iface *ifc, struct flow *f);
static int host_sticky(const struct iface *ifc, const struct host *h);

/* --max-memory: what the tables would hold in use after a new flow and
 * its two hosts took their objects (a pool without a free one grows by a
 * chunk). */
static uint64_t
mem_need(const struct iface *ifc)
{
	/* the pools' free objects are held but taken first: counting them
	 * would make every flow go once the hosts' blocks grew the account
	 * past the budget (the pools never shrink) */
	uint64_t idle = (objpool_bytes(&ifc->flow_pool) -
			 ifc->flow_pool.in_use * ifc->flow_pool.size) +
			(objpool_bytes(&ifc->host_pool) -
			 ifc->host_pool.in_use * ifc->host_pool.size);

	return tables_mem(ifc) - idle +
	       (ifc->flow_pool.free == NULL
			? (uint64_t)ifc->flow_pool.size * OBJPOOL_PER_CHUNK
			: 0) +
	       (ifc->host_pool.free == NULL
			? (uint64_t)ifc->host_pool.size * OBJPOOL_PER_CHUNK
			: 0);
}

/* Flows and idle hosts freed at most per new flow to make room. */
#define TABLES_EVICT_MAX 16

/* The host least recently seen without active flows (not sticky) among
 * the first few of the list, freed as the idle purge would; 1 when one
 * was. */
static int
host_evict_idle(struct iface *ifc)
{
	struct host *h;
	int i;

	for (h = ifc->host_head, i = 0; h != NULL && i < TABLES_EVICT_MAX;
	     h = h->next, i++) {
		if (h->active_flows_cli + h->active_flows_srv > 0 ||
		    host_sticky(ifc, h))
			continue;
		if (ifc->want_host_purged)
			sink_host_purged(ifc, h, 0);
		host_free(ifc, h);
		ifc->stats.hosts_evicted++;
		return 1;
	}
	return 0;
}

/*
 * Makes room under --max-memory for a new flow (docs/memory.md): while
 * the tables would go over the budget, the least recently active flow
 * expires early, to the sinks as the idle purge would send it (its object
 * is then the new flow's), and an idle host goes when the host pool
 * needs an object or no flow is left; at most TABLES_EVICT_MAX of them
 * per new flow.  -1
 * when that was not enough: the new flow is refused.  Called before the
 * new flow looks its hosts up, so no host it is about to use goes.
 */
static int
mem_make_room(struct iface *ifc)
{
	int i;

	for (i = 0; i < TABLES_EVICT_MAX && mem_need(ifc) > ifc->max_mem; i++) {
		if (ifc->host_pool.free == NULL && host_evict_idle(ifc))
			continue;
		if (ifc->flow_head != NULL) {
			flow_free(ifc, ifc->flow_head);
			ifc->stats.flows_evicted++;
			continue;
		}
		/* no flow left: what is over is the hosts' */
		if (!host_evict_idle(ifc))
			break;
	}
	return mem_need(ifc) > ifc->max_mem ? -1 : 0;
}

/* Host h has a flow of origin o: in origin1 while it is its only one,
 * else in its host_ext (a host of two origins or more). */
static void
host_add_origin(struct iface *ifc, struct host *h, uint8_t o)
{
	uint64_t m = host_origins(h) | 1ULL << o;

	if (m == 1ULL << o) {
		h->origin1 = (uint8_t)(o + 1);
		return;
	}
	if (tables_host_ext(ifc, h) == NULL)
		return; /* out of memory: stays of the first origin */
	h->x->origins = m;
	h->origin1 = 0;
}

static struct flow *
flow_new(struct iface *ifc, const struct pkt *p, uint8_t origin, uint32_t hv,
	 uint64_t now)
{
	struct flow *f;

	if (ifc->num_flows >= ifc->max_flows) {
		ifc->stats.flows_dropped++;
		return NULL;
	}
	if (ifc->max_mem != 0 && mem_make_room(ifc) != 0) {
		ifc->stats.flows_refused_mem++;
		return NULL;
	}
	f = objpool_zalloc(&ifc->flow_pool);
	if (f == NULL)
		return NULL;
	f->hash = hv;
	f->id = ifc->next_flow_id++;
	f->vlan = p->vlan;
	f->ip_version = p->ip_version;
	f->l4_proto = p->l4_proto;
	f->cli = p->src;
	f->srv = p->dst;
	f->cli_port = p->sport;
	f->srv_port = p->dport;
	f->tunnel = p->tunnel;
	f->origin = origin;
	f->first_ms = f->last_ms = f->seen_ms = now;
	f->source = ifc->cur_source;
	f->cli_host = host_get(ifc, &p->src, p->vlan,
			       p->has_mac ? p->src_mac : NULL, now);
	f->srv_host = host_get(ifc, &p->dst, p->vlan,
			       p->has_mac ? p->dst_mac : NULL, now);
	if (f->cli_host) {
		f->cli_host->active_flows_cli++;
		f->cli_host->total_flows_cli++;
		host_add_origin(ifc, f->cli_host, origin);
	}
	if (f->srv_host) {
		f->srv_host->active_flows_srv++;
		f->srv_host->total_flows_srv++;
		host_add_origin(ifc, f->srv_host, origin);
	}
	f->hnext = ifc->flow_buckets[hv & ifc->flow_mask];
	ifc->flow_buckets[hv & ifc->flow_mask] = f;
	LRU_APPEND(ifc, flow_head, flow_tail, f);
	ifc->num_flows++;
	flows_grow(ifc);
	ifc->stats.total_flows++;
	/* the new, empty flow counts as one flow of Unknown */
	f->l7_counted = NDPI_PROTOCOL_UNKNOWN;
	l7_apply(ifc, f, NDPI_PROTOCOL_UNKNOWN, +1);
	return f;
}

/* What nDPI's state of a flow in detection takes: the block
 * ndpi_flow_malloc() asks malloc for, with its header and rounding (what
 * it allocates inside it as detection goes is not counted). */
#define FLOW_NDPI_BYTES (((size_t)SIZEOF_FLOW_STRUCT + 8 + 15) & ~(size_t)15)

/* Flow f's out-of-line part (iface.h), allocated when missing; NULL when
 * out of memory. */
static struct flow_ext *
flow_ext_get(struct iface *ifc, struct flow *f)
{
	if (f->ext == NULL) {
		f->ext = calloc(1, sizeof(*f->ext));
		if (f->ext == NULL)
			return NULL;
		ifc->heap_mem += heap_bytes(f->ext);
	}
	return f->ext;
}

static void
flow_ext_free(struct iface *ifc, struct flow *f)
{
	if (f->ext == NULL)
		return;
	ifc->heap_mem -= heap_bytes(f->ext->extra) + heap_bytes(f->ext);
	free(f->ext->extra);
	free(f->ext);
	f->ext = NULL;
}

/* A sampled packet (sFlow) of f: its scale, and where it was seen. */
static void
flow_sampled(struct iface *ifc, struct flow *f, const struct pkt *p, uint64_t n)
{
	struct flow_ext *x = flow_ext_get(ifc, f);

	if (x == NULL)
		return;
	if (n > 1 && x->sampling < n)
		x->sampling = (uint32_t)n;
	if (p->exporter.v != 0) {
		x->exporter = p->exporter;
		x->in_ifindex = p->in_ifindex;
		x->out_ifindex = p->out_ifindex;
	}
}

/* A collected update's exporter data and additional fields, kept. */
static void
flow_update_ext(struct iface *ifc, struct flow *f, const struct flow_update *u)
{
	struct flow_ext *x = flow_ext_get(ifc, f);

	if (x == NULL)
		return;
	if (u->exporter.v)
		x->exporter = u->exporter;
	if (u->in_ifindex || u->out_ifindex) {
		x->in_ifindex = u->in_ifindex;
		x->out_ifindex = u->out_ifindex;
	}
	if (u->sampling > 1)
		x->sampling = u->sampling;
	if (u->extra != NULL &&
	    (x->extra == NULL || strcmp(x->extra, u->extra) != 0)) {
		/* values such as latencies change on every update: rewrite in
		 * place (realloc keeps the block when it fits) */
		size_t n = strlen(u->extra) + 1;
		size_t had = heap_bytes(x->extra);
		char *e = realloc(x->extra, n);

		if (e != NULL) {
			memcpy(e, u->extra, n);
			x->extra = e;
			ifc->heap_mem = ifc->heap_mem - had + heap_bytes(e);
		}
	}
}

/*
 * The flow's detection state travels to dpi/dpi.c by value (struct
 * dpi_flow) and back, so that dpi knows nothing of struct flow and the
 * flow keeps its cache-line layout.  Only flows still in detection pay
 * the two copies (a few dozen bytes, next to nDPI's own work).
 */
static inline void
flow_dpi_get(const struct flow *f, struct dpi_flow *d)
{
	d->ndpi = f->ndpi;
	d->info = (char *)f->info; /* dpi only sets a NULL one */
	d->l7_master = f->l7_master;
	d->l7_app = f->l7_app;
	d->category = f->category;
	d->ndpi_pkts = f->ndpi_pkts;
	d->detection_done = f->detection_done;
	d->guessed = f->guessed;
	d->l4_proto = f->l4_proto;
	d->risk = f->risk;
	d->os.os = OS_UNKNOWN;
}

static int
ip_is_zero(const struct ipaddr *ip)
{
	static const uint8_t zero[16];

	return memcmp(ip->a, zero, sizeof(zero)) == 0;
}

/* os_merge() on host h, and -A: a host whose OS class changes counts
 * in that OS's aggregate (merge/aggr.c). */
static void
host_os_merge(struct iface *ifc, struct host *h, const struct os_verdict *v)
{
	uint8_t was = h->os.os;

	if (os_merge(&h->os, v) && h->os.os != was && ifc->aggr != NULL)
		aggr_host_os(ifc, h, os_name(h->os.os), ifc->clock_ms);
}

/* A client that named its OS to nDPI (HTTP User-Agent) keeps the
 * verdict: once per flow, when its detection ends. */
static void
flow_os_apply(struct iface *ifc, struct flow *f, const struct os_verdict *v)
{
	if (f->cli_host != NULL)
		host_os_merge(ifc, f->cli_host, v);
}

/* Risks nDPI found on f (once per flow, as its detection ends): the
 * flow keeps the bitmap, its hosts and the interface the scores
 * (dpi/risk.h), and each new risk is a flow alert. */
static void
flow_risk_apply(struct iface *ifc, struct flow *f, uint64_t risk)
{
	uint64_t added = risk & ~f->risk;
	uint32_t cli, srv;

	if (f->risk == 0)
		ifc->stats.risky_flows++;
	f->risk = risk;
	risk_score(added, &cli, &srv);
	if (f->cli_host != NULL && cli != 0 &&
	    tables_host_ext(ifc, f->cli_host) != NULL)
		f->cli_host->x->score_cli += cli;
	if (f->srv_host != NULL && srv != 0 &&
	    tables_host_ext(ifc, f->srv_host) != NULL)
		f->srv_host->x->score_srv += srv;
	ifc->stats.score += (uint64_t)cli + srv;
	tables_flow_risk_alerts(ifc, f, added);
}

static inline void
flow_dpi_put(struct iface *ifc, struct flow *f, const struct dpi_flow *d)
{
	if (!f->has_dw) {		/* else the helper's state holds it */
		if (d->ndpi != f->ndpi) /* nDPI's state taken or given back */
			ifc->heap_mem =
				ifc->heap_mem -
				(f->ndpi != NULL ? FLOW_NDPI_BYTES : 0) +
				(d->ndpi != NULL ? FLOW_NDPI_BYTES : 0);
		f->ndpi = d->ndpi;
	}
	if (d->info != f->info) { /* a new name, malloc()ed by dpi */
		f->info = strtab_intern(&ifc->info_strs, d->info);
		free(d->info);
	}
	f->l7_master = d->l7_master;
	f->l7_app = d->l7_app;
	f->category = d->category;
	f->ndpi_pkts = d->ndpi_pkts;
	f->detection_done = d->detection_done;
	f->guessed = d->guessed;
	if (d->risk != f->risk)
		flow_risk_apply(ifc, f, d->risk);
	if (d->os.os != OS_UNKNOWN)
		flow_os_apply(ifc, f, &d->os);
}

/* dpi_giveup() on f; returns 1 when its L7 changed.  A flow of a
 * helper's shard (--workers) is given up here too, with the owner's
 * module, once its packets in flight are applied: its state is the
 * owner's again. */
static int
flow_dpi_giveup(struct iface *ifc, struct flow *f)
{
	struct dpi_flow d;
	int changed;

	if (f->has_dw && f->dw->inflight > 0) {
		dpiw_wait_flow(ifc, f);
		if (!f->has_dw) /* its last answer ended detection */
			return 0;
	}
	if (f->has_dw) {
		struct dpiw_state *st = f->dw;

		st->d.os.os = OS_UNKNOWN;
		changed = dpi_giveup(ifc->ndpi, &st->d);
		d = st->d;
		d.ndpi = NULL;
		d.info = (char *)f->info;
		if (d.info == NULL && st->d.info != NULL)
			d.info = strdup(st->d.info);
		flow_dpi_put(ifc, f, &d);
		return changed;
	}
	flow_dpi_get(f, &d);
	changed = dpi_giveup(ifc->ndpi, &d);
	flow_dpi_put(ifc, f, &d);
	return changed;
}

static void
flow_free(struct iface *ifc, struct flow *f)
{
	struct flow **pp = &ifc->flow_buckets[f->hash & ifc->flow_mask];
	struct iface_l7 *s;

	ifc->pf_n = 0; /* the prefetch hints may name f */
	if (!f->detection_done && ifc->ndpi != NULL && flow_dpi_giveup(ifc, f))
		l7_move(ifc, f);
	if (ifc->aggr != NULL)
		aggr_flow_bytes(ifc, f);
	if (ifc->want_exported && !f->collected)
		tables_export_flow(ifc, f);
	if (ifc->want_expired)
		sink_flow_expired(ifc, f, 0); /* -F, -D: queued, no I/O here */
	s = l7_slot(ifc, f->l7_counted);
	if (s != NULL)
		s->active_flows--;
	while (*pp != NULL && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp == f)
		*pp = f->hnext;
	LRU_UNLINK(ifc, flow_head, flow_tail, f);
	if (f->cli_host)
		f->cli_host->active_flows_cli--;
	if (f->srv_host)
		f->srv_host->active_flows_srv--;
	ifc->num_flows--;
	if (f->has_dw) {
		dpiw_state_release(ifc, f->dw); /* nothing in flight */
	} else if (f->ndpi != NULL) {
		ifc->heap_mem -= FLOW_NDPI_BYTES;
		ndpi_free_flow(f->ndpi);
	}
	strtab_release(&ifc->info_strs, f->info);
	flow_ext_free(ifc, f);
	objpool_free(&ifc->flow_pool, f);
}

struct flow *
iface_flow_find_id(struct iface *ifc, uint32_t id)
{
	struct flow *f;

	IFACE_ASSERT_OWNER(ifc);
	for (f = ifc->flow_tail; f != NULL; f = f->prev)
		if (f->id == id)
			return f;
	return NULL;
}

/* ---- per-packet accounting ---- */

/* Adds traffic sent and received to counters c. */
static inline void
counters_add(struct counters *c, uint64_t sb, uint64_t sp, uint64_t rb,
	     uint64_t rp)
{
	SAT_ADD(c->bytes_sent, sb);
	SAT_ADD(c->pkts_sent, sp);
	SAT_ADD(c->bytes_rcvd, rb);
	SAT_ADD(c->pkts_rcvd, rp);
}

/* NULL: other protocols, counted in the host's totals only
 * (host_other()). */
static inline struct counters *
host_l4_counters(struct host *h, uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return &h->tcp;
	case IPPROTO_UDP:
		return &h->udp;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return &h->icmp;
	default:
		return NULL;
	}
}

/* The host's L7 entry of the flow's protocol.  The flow remembers its
 * index at each end (entries are only ever appended), so the scan of the
 * host's protocols happens once per flow and protocol, not per packet. */
static struct host_l7 *
host_l7_of_flow(struct host *h, struct flow *f, uint64_t now)
{
	uint8_t *slot = h == f->cli_host ? &f->cli_l7_idx : &f->srv_l7_idx;
	struct host_l7 *e;

	if (*slot != 0 && *slot <= h->n_l7 &&
	    h->l7[*slot - 1].proto == f->l7_counted)
		return &h->l7[*slot - 1];
	e = tables_host_l7_get(h, f->l7_counted, now);
	if (e != NULL && e - h->l7 < 255)
		*slot = (uint8_t)(e - h->l7 + 1);
	return e;
}

/* Adds what host h sent (sb bytes, sp packets) and received (rb, rp)
 * in flow f. */
static void
account_host(struct host *h, struct flow *f, uint64_t sb, uint64_t sp,
	     uint64_t rb, uint64_t rp, uint64_t now)
{
	struct host_l7 *e;
	struct counters *l4;

	counters_add(&h->c, sb, sp, rb, rp);
	if ((l4 = host_l4_counters(h, f->l4_proto)) != NULL)
		counters_add(l4, sb, sp, rb, rp);
	/* the activity map: one bit per second, looked at only when the
	 * host's second changes (last_ms is on this cache line) */
	if (h->is_local && now / 1000 != h->last_ms / 1000 && h->x != NULL &&
	    h->x->act != NULL)
		activity_mark(h->x->act, now / 1000);
	e = host_l7_of_flow(h, f, now);
	if (e != NULL) {
		SAT_ADD(e->bytes_sent, sb);
		SAT_ADD(e->bytes_rcvd, rb);
		u48_add(&e->pkts_sent, sp);
		u48_add(&e->pkts_rcvd, rp);
		if (now > u48_get(&e->last_ms))
			u48_set(&e->last_ms, now);
	}
	if (now > h->last_ms)
		h->last_ms = now;
}

static void
account_macs(struct iface *ifc, const uint8_t *src, const uint8_t *dst,
	     uint16_t vlan, uint64_t bytes, uint64_t pkts, int arp,
	     uint64_t now)
{
	struct mac *m;

	m = mac_get(ifc, src, vlan, now);
	if (m != NULL) {
		SAT_ADD(m->c.bytes_sent, bytes);
		SAT_ADD(m->c.pkts_sent, pkts);
		if (arp)
			m->arp_sent += pkts;
	}
	m = mac_get(ifc, dst, vlan, now);
	if (m != NULL) {
		SAT_ADD(m->c.bytes_rcvd, bytes);
		SAT_ADD(m->c.pkts_rcvd, pkts);
		if (arp)
			m->arp_rcvd += pkts;
	}
}

/* The IP part of a VLAN's traffic, by direction. */
static void
vlan_flow(struct iface *ifc, uint16_t id, const uint64_t d[4], uint64_t now)
{
	struct iface_vlan *v = vlan_get(ifc, id, now);

	if (v == NULL)
		return;
	v->bytes_sent += d[0];
	v->pkts_sent += d[1];
	v->bytes_rcvd += d[2];
	v->pkts_rcvd += d[3];
}

/* Adds d = {c2s bytes, c2s packets, s2c bytes, s2c packets} to flow f,
 * its L7 slot, its hosts and the local/remote totals; the TCP flags of
 * each direction are OR-ed in (0 for a direction without traffic). */
static void
flow_account(struct iface *ifc, struct flow *f, const uint64_t d[4],
	     uint8_t c2s_flags, uint8_t s2c_flags, uint64_t now, uint64_t seen)
{
	struct iface_l7 *s;
	struct host *cli = f->cli_host, *srv = f->srv_host;
	int touch_cli = cli != NULL && cli->seen_ms + LRU_SLACK_MS <= seen;
	int touch_srv = srv != NULL && srv != cli &&
			srv->seen_ms + LRU_SLACK_MS <= seen;

	f->seen_ms = seen;
	f->source = ifc->cur_source;
	if (seen > ifc->source_clock_ms[ifc->cur_source])
		ifc->source_clock_ms[ifc->cur_source] = seen;
	if (cli != NULL) {
		cli->seen_ms = seen;
		cli->source = ifc->cur_source;
	}
	if (srv != NULL) {
		srv->seen_ms = seen;
		srv->source = ifc->cur_source;
	}

	if (now > f->last_ms)
		f->last_ms = now;
	if (now < f->first_ms)
		f->first_ms = now;
	SAT_ADD(f->c2s_bytes, d[0]);
	SAT_ADD(f->c2s_pkts, d[1]);
	SAT_ADD(f->s2c_bytes, d[2]);
	SAT_ADD(f->s2c_pkts, d[3]);
	f->c2s_tcp_flags |= c2s_flags;
	f->s2c_tcp_flags |= s2c_flags;
	vlan_flow(ifc, f->vlan, d, now);
	s = l7_slot(ifc, f->l7_counted);
	if (s != NULL) {
		SAT_ADD(s->bytes, counter_add_sat(d[0], d[2]));
		SAT_ADD(s->pkts, counter_add_sat(d[1], d[3]));
		SAT_ADD(s->bytes_sent, d[0]);
		SAT_ADD(s->pkts_sent, d[1]);
		SAT_ADD(s->bytes_rcvd, d[2]);
		SAT_ADD(s->pkts_rcvd, d[3]);
		if (now > s->last_ms)
			s->last_ms = now;
	}
	if (cli != NULL) {
		account_host(cli, f, d[0], d[1], d[2], d[3], now);
		if (touch_cli)
			LRU_TOUCH(ifc, host_head, host_tail, cli);
	}
	if (srv != NULL && srv != cli) {
		account_host(srv, f, d[2], d[3], d[0], d[1], now);
		if (touch_srv)
			LRU_TOUCH(ifc, host_head, host_tail, srv);
	}
	if (cli != NULL && srv != NULL && cli->is_local != srv->is_local) {
		/* the client's bytes go from its side to the other */
		if (cli->is_local) {
			ifc->stats.local2remote += d[0];
			ifc->stats.remote2local += d[2];
		} else {
			ifc->stats.remote2local += d[0];
			ifc->stats.local2remote += d[2];
		}
	}
}

/*
 * Who is the client of a flow whose first packet is p (docs/accounting.md,
 * "Client and server"): upstream's rule, the one the ZMQ collector applies
 * to its records (collector/zmq_fields.c), so that a capture that starts
 * mid-connection does not make the server the client.  The sender is the
 * server (1 returned) when the packet is a TCP SYN-ACK, or when it comes
 * from a lower port to a higher one, except for UDP, a TCP SYN, ICMP
 * (no ports), orphan fragments, and broadcast/multicast endpoints.
 */
static int
pkt_sender_is_server(const struct pkt *p)
{
	if (!p->ports_known || p->l4_proto == 17 || p->sport == p->dport ||
	    p->l4_proto == 1 || p->l4_proto == 58)
		return 0;
	if (ipaddr_is_multicast(&p->src) || ipaddr_is_broadcast(&p->src) ||
	    ipaddr_is_multicast(&p->dst) || ipaddr_is_broadcast(&p->dst))
		return 0;
	if (p->l4_proto == 6 && (p->tcp_flags & 0x02)) /* SYN */
		return (p->tcp_flags & 0x10) != 0;     /* SYN-ACK */
	return p->sport < p->dport;
}

/* p with its two sides exchanged (only what flow_new reads). */
static void
pkt_swapped(const struct pkt *p, struct pkt *q)
{
	*q = *p;
	q->src = p->dst;
	q->dst = p->src;
	q->sport = p->dport;
	q->dport = p->sport;
	memcpy(q->src_mac, p->dst_mac, 6);
	memcpy(q->dst_mac, p->src_mac, 6);
}

/* A DHCP request (client port 68 to 67) naming its client's OS: the
 * sending host takes the verdict if it has its address (renewals); its
 * MAC keeps it for the IP host it becomes (host_get), since DISCOVER and
 * REQUEST come from 0.0.0.0.  Per DHCP packet only. */
static void
dhcp_os(struct iface *ifc, struct host *h, const struct pkt *p)
{
	struct os_verdict v;
	struct mac *m;

	if (p->is_fragment || p->l4_payload == NULL ||
	    !os_from_dhcp_packet(p->l4_payload, p->l4_payload_len, &v))
		return;
	if (h != NULL && !ip_is_zero(&h->ip))
		host_os_merge(ifc, h, &v);
	if (p->has_mac && (m = mac_find(ifc, p->src_mac, p->vlan)) != NULL)
		m->dhcp_os = v.os;
}

/*
 * The coarse OS class of a SYN's sender (dpi/os.h, os_from_syn): the TTL
 * is byte 8 of an IPv4 header, byte 7 (hop limit) of IPv6; the window is
 * bytes 14-15 of the TCP header, found here for IPv4 and for IPv6
 * without extension headers only.  Hosts with a verdict skip it.
 */
static void
syn_os(struct iface *ifc, struct host *h, const struct pkt *p)
{
	const uint8_t *l3 = p->l3, *th = NULL;
	struct os_verdict v;
	uint16_t win = 0;
	uint8_t ttl;

	if (h == NULL || h->os.src != OS_SRC_NONE || l3 == NULL ||
	    p->l3_len < 40 || p->is_fragment)
		return;
	if (p->ip_version == 4 && (l3[0] >> 4) == 4) {
		ttl = l3[8];
		th = l3 + (l3[0] & 0x0f) * 4;
	} else if (p->ip_version == 6 && (l3[0] >> 4) == 6) {
		ttl = l3[7];
		if (l3[6] == IPPROTO_TCP)
			th = l3 + 40;
	} else {
		return;
	}
	if (th != NULL && th + 16 <= l3 + p->l3_len)
		win = (uint16_t)(th[14] << 8 | th[15]);
	if (os_from_syn(ttl, win, &v))
		host_os_merge(ifc, h, &v);
}

void
tables_dpi_apply(struct iface *ifc, struct flow *f, const struct dpi_flow *res,
		 int changed, char *info, uint64_t clock_ms)
{
	/* as the single thread did right after dpi_packet(), at the
	 * interface time of that packet (alerts, -A) */
	uint64_t clock = ifc->clock_ms;
	const char *had = f->info;
	struct dpi_flow d = *res;

	IFACE_ASSERT_OWNER(ifc);
	ifc->clock_ms = clock_ms;
	d.ndpi = NULL;
	d.info = (char *)f->info; /* flow_dpi_put() interns a new one */
	if (d.info == NULL)
		d.info = info;
	else
		free(info);
	flow_dpi_put(ifc, f, &d);
	if (changed)
		l7_move(ifc, f);
	if (had == NULL && f->info != NULL)
		names_flow_info(ifc, f);
	if (f->info != NULL && f->aggr == 0 && ifc->aggr != NULL)
		aggr_flow_named(ifc, f);
	ifc->clock_ms = clock;
}

/* The prefetch's hint for u, the next update or packet it looked at;
 * NULL (and no hint left) when u is not that one. */
static const struct iface_flow_hint *
hint_next(struct iface *ifc, const void *u)
{
	const struct iface_flow_hint *h;

	if (ifc->pf_next >= ifc->pf_n)
		return NULL;
	h = &ifc->pf[ifc->pf_next++];
	if (h->u != u) {
		ifc->pf_n = 0;
		return NULL;
	}
	return h;
}

void
iface_packet(struct iface *ifc, const struct pkt *p, int decode_result)
{
	uint64_t now = p->ts_us / 1000;
	uint64_t n = p->scale > 1 ? p->scale : 1;
	uint64_t len = (uint64_t)p->wire_len * n;
	uint64_t d[4] = { 0, 0, 0, 0 }; /* c2s bytes, pkts, s2c bytes, pkts */
	struct flow_key k;
	struct flow *f;
	uint32_t hv;
	int c2s = 1;
	const struct iface_flow_hint *hint;

	IFACE_ASSERT_OWNER(ifc);
	if (ifc->dpiw != NULL)
		dpiw_poll(ifc); /* the helpers' answers so far */
	/* after the answers: applying them may free a flow (no hint left) */
	hint = hint_next(ifc, p);
	if (now > ifc->clock_ms)
		ifc->clock_ms = now;
	ifc->stats.packets += n;
	ifc->stats.bytes += len;
	vlan_frames(ifc, p->vlan, len, n, now);
	if (decode_result == DECODE_BAD) {
		ifc->stats.bad_packets += n;
		return;
	}
	if (p->has_mac)
		account_macs(ifc, p->src_mac, p->dst_mac, p->vlan, len, n,
			     p->ethertype == 0x0806, now);
	if (decode_result == DECODE_NON_IP) {
		ifc->stats.non_ip_packets += n;
		ifc->stats.non_ip_bytes += len;
		if (p->ethertype == 0x0806) {
			ifc->stats.arp_packets += n;
			ifc->stats.arp_bytes += len;
		}
		return;
	}
	ifc->stats.ip_packets += n;
	ifc->stats.ip_bytes += len;

	k = pkt_key(p, 0);
	if (ifc->pf_n == 0)
		hint = NULL; /* a flow was freed since (flow_free) */
	if (hint == NULL || !hint->keyed) {
		hv = key_hash(&k);
		f = key_find(ifc, &k, hv, &c2s);
	} else if ((f = hint->f) != NULL) {
		hv = hint->hv;
		c2s = hint->c2s;
	} else {
		/* not there at the prefetch: an earlier packet of the batch
		 * may have made it since */
		hv = hint->hv;
		f = key_find(ifc, &k, hv, &c2s);
	}
	if (f == NULL) {
		struct pkt q;

		c2s = !pkt_sender_is_server(p);
		if (!c2s)
			pkt_swapped(p, &q);
		f = flow_new(ifc, c2s ? p : &q, 0, hv, now);
		if (f == NULL)
			return;
	} else if (f->seen_ms + LRU_SLACK_MS <= now) {
		LRU_TOUCH(ifc, flow_head, flow_tail, f);
	}
	if ((n > 1 && flow_ext_ro(f)->sampling < n) || p->exporter.v != 0)
		flow_sampled(ifc, f, p, n);
	d[c2s ? 0 : 2] = len;
	d[c2s ? 1 : 3] = n;
	flow_account(ifc, f, d, c2s ? p->tcp_flags : 0, c2s ? 0 : p->tcp_flags,
		     now, now);
	if (p->l4_proto == IPPROTO_TCP && (p->tcp_flags & 0x12) == 0x02)
		syn_os(ifc, c2s ? f->cli_host : f->srv_host, p); /* SYNs only */
	else if (p->l4_proto == IPPROTO_UDP && p->sport == 68 && p->dport == 67)
		dhcp_os(ifc, c2s ? f->cli_host : f->srv_host, p);
	else if (p->l4_proto == IPPROTO_UDP &&
		 (p->sport == 53 || p->dport == 53)) {
		/* DNS: answers name addresses (merge/names.c), -A counts the
		 * queries (aggr); only these packets pay more than a compare */
		if (p->sport == 53)
			names_dns_packet(ifc, p);
		if (ifc->aggr != NULL)
			aggr_dns_packet(ifc, f, p); /* per message */
	}
	if (!f->detection_done && ifc->ndpi != NULL &&
	    (!p->is_fragment || p->first_fragment)) {
		struct dpi_flow dd;
		const char *had = f->info;
		int changed, shard;

		if (ifc->dpiw != NULL && (shard = dpiw_shard(ifc, f)) > 0) {
			/* a helper's flow: its answer is applied before the
			 * flow's next packet is counted (tables_dpi_apply) */
			dpiw_submit(ifc, f, shard, p);
			return;
		}
		flow_dpi_get(f, &dd);
		changed = dpi_packet(ifc->ndpi, &dd, p);
		flow_dpi_put(ifc, f, &dd);
		if (changed)
			l7_move(ifc, f);
		if (had == NULL && f->info != NULL)
			names_flow_info(ifc, f); /* SNI / HTTP Host: a hint */
		if (f->info != NULL && f->aggr == 0 && ifc->aggr != NULL)
			aggr_flow_named(ifc, f);
	}
}

int
iface_path_has(const char *path, const char *id)
{
	size_t n = strlen(id);
	const char *p = path;

	if (n == 0)
		return 0;
	while (p != NULL && *p != '\0') {
		const char *e = strchr(p, '>');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && memcmp(p, id, n) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

/* The index of the origin (first node) of a site path; new origins are
 * added while there is room, else they share index 0 (counted there). */
#define ORIGIN_ID_MAX (sizeof(((struct iface_origin *)0)->id) - 1)

/* The length of the origin's id: the site path's first element. */
static size_t
origin_id_len(const char *path)
{
	const char *e = strchr(path, '>');
	size_t len = e ? (size_t)(e - path) : strlen(path);

	return len < ORIGIN_ID_MAX ? len : ORIGIN_ID_MAX;
}

/* The index of the origin (first node) of a site path, or -1 if new. */
static int
origin_find(const struct iface *ifc, const char *path, size_t len)
{
	int i;

	for (i = 1; i < ifc->n_origins; i++) {
		const struct iface_origin *o = &ifc->origins[i];

		if (memcmp(o->id, path, len) == 0 && o->id[len] == '\0')
			return i;
	}
	return -1;
}

static uint8_t
origin_get(struct iface *ifc, const char *path)
{
	size_t len = origin_id_len(path);
	int i = origin_find(ifc, path, len);
	struct iface_origin *o;

	if (i < 0) {
		if (ifc->n_origins == IFACE_MAX_ORIGINS)
			return 0;
		i = ifc->n_origins++;
		o = &ifc->origins[i];
		memset(o, 0, sizeof(*o));
		memcpy(o->id, path, len);
		o->id[len] = '\0';
	}
	o = &ifc->origins[i];
	if (strcmp(o->path, path) != 0)
		snprintf(o->path, sizeof(o->path), "%s", path);
	return (uint8_t)i;
}

/* Marks seq as seen for origin o; returns 1 when it had been seen (or is
 * too old to tell: older than the window, which only a path delayed by
 * thousands of updates produces). */
static int
origin_seen(struct iface_origin *o, uint64_t seq)
{
	uint64_t bit;

	if (seq + IFACE_DEDUP_WINDOW <= o->max_seq)
		return 1;
	if (seq > o->max_seq) {
		uint64_t s;

		/* slide the window: the slots of max_seq+1 .. seq held seqs
		 * one window older, which now fall out of it */
		if (seq - o->max_seq >= IFACE_DEDUP_WINDOW)
			memset(o->seen, 0, sizeof(o->seen));
		else
			for (s = o->max_seq + 1; s <= seq; s++)
				o->seen[(s % IFACE_DEDUP_WINDOW) / 64] &=
					~(1ULL << (s % 64));
		o->max_seq = seq;
	}
	bit = 1ULL << (seq % 64);
	if (o->seen[(seq % IFACE_DEDUP_WINDOW) / 64] & bit)
		return 1;
	o->seen[(seq % IFACE_DEDUP_WINDOW) / 64] |= bit;
	return 0;
}

/* Counters of an update in the flow's own direction, made deltas. */
static void
update_deltas(const struct flow *f, const struct flow_update *u, int c2s,
	      uint64_t d[4])
{
	uint64_t v[4], cur[4];
	int i;

	/* v/cur: c2s bytes, c2s pkts, s2c bytes, s2c pkts */
	v[0] = c2s ? u->in_bytes : u->out_bytes;
	v[1] = c2s ? u->in_pkts : u->out_pkts;
	v[2] = c2s ? u->out_bytes : u->in_bytes;
	v[3] = c2s ? u->out_pkts : u->in_pkts;
	cur[0] = f->c2s_bytes;
	cur[1] = f->c2s_pkts;
	cur[2] = f->s2c_bytes;
	cur[3] = f->s2c_pkts;
	for (i = 0; i < 4; i++)
		d[i] = !u->absolute && !u->snapshot
			       ? v[i]
			       : (v[i] > cur[i] ? v[i] - cur[i] : 0);
}

/* An update as the packet flow_new() makes a flow from. */
static void
update_pkt(const struct flow_update *u, struct pkt *k)
{
	memset(k, 0, sizeof(*k));
	k->vlan = u->vlan;
	k->ip_version = u->ip_version;
	k->l4_proto = u->l4_proto;
	k->src = u->src;
	k->dst = u->dst;
	k->sport = u->sport;
	k->dport = u->dport;
	k->has_mac = u->has_mac;
	memcpy(k->src_mac, u->src_mac, 6);
	memcpy(k->dst_mac, u->dst_mac, 6);
}

/* Prefetches the cache lines of `size` bytes at p. */
static inline void
prefetch_lines(const void *p, size_t size)
{
	const char *c = p;
	size_t off;

	for (off = 0; off < size; off += 64)
		__builtin_prefetch(c + off, 1);
	__builtin_prefetch(c + size - 1, 1);
}

/* The lines of a host that accounting a flow of proto touches. */
static inline void
prefetch_host(const struct host *h, uint8_t proto)
{
	if (h == NULL)
		return;
	__builtin_prefetch(h, 1);
	__builtin_prefetch(proto == IPPROTO_TCP || proto == IPPROTO_UDP
				   ? &h->tcp
				   : &h->icmp,
			   1);
}

void
iface_flow_prefetch(struct iface *ifc, const struct flow_update *const *u,
		    int n)
{
	struct flow *found[IFACE_PREFETCH_MAX];
	uint32_t hv[IFACE_PREFETCH_MAX];
	uint8_t ok[IFACE_PREFETCH_MAX];
	struct flow_key k;
	int i;

	IFACE_ASSERT_OWNER(ifc);
	if (n > IFACE_PREFETCH_MAX)
		n = IFACE_PREFETCH_MAX;
	ifc->pf_n = ifc->pf_next = 0;
	/* 1: the buckets */
	for (i = 0; i < n; i++) {
		int origin = 0;

		ok[i] = 0;
		found[i] = NULL;
		if (u[i]->site_path != NULL && u[i]->site_path[0] != '\0' &&
		    (origin = origin_find(ifc, u[i]->site_path,
					  origin_id_len(u[i]->site_path))) < 0)
			continue;
		k = update_key(u[i], (uint8_t)origin);
		hv[i] = key_hash(&k);
		ok[i] = (uint8_t)(origin + 1);
		__builtin_prefetch(&ifc->flow_buckets[hv[i] & ifc->flow_mask]);
	}
	/* 2: the first entry of each chain: its key and host pointers */
	for (i = 0; i < n; i++) {
		const struct flow *f;

		if (!ok[i])
			continue;
		f = ifc->flow_buckets[hv[i] & ifc->flow_mask];
		if (f != NULL) {
			__builtin_prefetch(f);
			__builtin_prefetch((const char *)f + 64);
		}
	}
	/* 2b: a chain whose first entry has another hash: its second */
	for (i = 0; i < n; i++) {
		const struct flow *f;

		if (!ok[i])
			continue;
		f = ifc->flow_buckets[hv[i] & ifc->flow_mask];
		if (f != NULL && f->hash != hv[i] && f->hnext != NULL)
			__builtin_prefetch(f->hnext);
	}
	/* 3: the flows (all of them) and their hosts */
	for (i = 0; i < n; i++) {
		struct flow *f;
		int c2s;

		if (!ok[i])
			continue;
		k = update_key(u[i], (uint8_t)(ok[i] - 1));
		f = key_find(ifc, &k, hv[i], &c2s);
		ifc->pf[i].f = f;
		ifc->pf[i].c2s = (uint8_t)c2s;
		if (f == NULL)
			continue;
		found[i] = f;
		__builtin_prefetch((const char *)f + 128, 1);
		prefetch_host(f->cli_host, f->l4_proto);
		prefetch_host(f->srv_host, f->l4_proto);
	}
	for (i = 0; i < n; i++) {
		ifc->pf[i].u = u[i];
		ifc->pf[i].keyed = 0;
		if (!ok[i])
			ifc->pf[i].f = NULL;
	}
	ifc->pf_n = n;
	/* 4: the hosts' L7 entries of the flows' protocols */
	for (i = 0; i < n; i++) {
		const struct flow *f = found[i];

		if (f == NULL)
			continue;
		if (f->cli_host != NULL && f->cli_l7_idx != 0 &&
		    f->cli_l7_idx <= f->cli_host->n_l7)
			prefetch_lines(&f->cli_host->l7[f->cli_l7_idx - 1],
				       sizeof(struct host_l7));
		if (f->srv_host != NULL && f->srv_l7_idx != 0 &&
		    f->srv_l7_idx <= f->srv_host->n_l7)
			prefetch_lines(&f->srv_host->l7[f->srv_l7_idx - 1],
				       sizeof(struct host_l7));
	}
}

void
iface_packet_prefetch(struct iface *ifc, const struct pkt *const *p, int n)
{
	uint32_t hv[IFACE_PREFETCH_MAX];
	struct flow_key k;
	int i;

	IFACE_ASSERT_OWNER(ifc);
	if (n > IFACE_PREFETCH_MAX)
		n = IFACE_PREFETCH_MAX;
	ifc->pf_n = ifc->pf_next = 0;
	/* 1: the flow buckets, and the MACs' */
	for (i = 0; i < n; i++) {
		ifc->pf[i].u = p[i];
		ifc->pf[i].f = NULL;
		ifc->pf[i].keyed = 0;
		if (p[i]->has_mac && ifc->mac_buckets != NULL) {
			__builtin_prefetch(
				&ifc->mac_buckets[mac_hash(p[i]->src_mac,
							   p[i]->vlan) &
						  ifc->mac_mask]);
			__builtin_prefetch(
				&ifc->mac_buckets[mac_hash(p[i]->dst_mac,
							   p[i]->vlan) &
						  ifc->mac_mask]);
		}
		if (p[i]->ip_version == 0)
			continue;
		k = pkt_key(p[i], 0);
		hv[i] = key_hash(&k);
		__builtin_prefetch(&ifc->flow_buckets[hv[i] & ifc->flow_mask]);
	}
	/* 2: the first entry of each chain, and of the MACs' */
	for (i = 0; i < n; i++) {
		const struct flow *f;

		if (p[i]->has_mac && ifc->mac_buckets != NULL) {
			const struct mac *m =
				ifc->mac_buckets[mac_hash(p[i]->src_mac,
							  p[i]->vlan) &
						 ifc->mac_mask];

			if (m != NULL)
				__builtin_prefetch(m, 1);
			m = ifc->mac_buckets[mac_hash(p[i]->dst_mac,
						      p[i]->vlan) &
					     ifc->mac_mask];
			if (m != NULL)
				__builtin_prefetch(m, 1);
		}
		if (p[i]->ip_version == 0)
			continue;
		f = ifc->flow_buckets[hv[i] & ifc->flow_mask];
		if (f != NULL) {
			__builtin_prefetch(f);
			__builtin_prefetch((const char *)f + 64);
		}
	}
	/* 3: the flows and their hosts */
	for (i = 0; i < n; i++) {
		struct flow *f;
		int c2s;

		if (p[i]->ip_version == 0)
			continue;
		k = pkt_key(p[i], 0);
		f = key_find(ifc, &k, hv[i], &c2s);
		ifc->pf[i].hv = hv[i];
		ifc->pf[i].keyed = 1;
		ifc->pf[i].f = f;
		ifc->pf[i].c2s = (uint8_t)c2s;
		if (f == NULL)
			continue;
		__builtin_prefetch((const char *)f + 128, 1);
		prefetch_host(f->cli_host, f->l4_proto);
		prefetch_host(f->srv_host, f->l4_proto);
	}
	ifc->pf_n = n;
}

/* The flow iface_flow_prefetch() found for u (NULL: look it up). */
static struct flow *
flow_hinted(struct iface *ifc, const struct flow_update *u, int *c2s)
{
	const struct iface_flow_hint *h = hint_next(ifc, u);

	if (h == NULL)
		return NULL;
	*c2s = h->c2s;
	return h->f;
}

/*
 * A probe's HTTP_USER_AGENT (nProbe field 57655, kept in the update's
 * extra JSON text as "HTTP_USER_AGENT":"<JSON-escaped text>") names the
 * client's OS as a captured User-Agent does.  Read on a flow's first
 * update only, so the ingest path pays one strstr per new flow.
 */
static void
update_os(struct iface *ifc, struct flow *f, const char *extra)
{
	static const char key[] = "\"HTTP_USER_AGENT\":\"";
	const char *v, *e;
	struct os_verdict os;

	if (f->cli_host == NULL || f->cli_host->os.src >= OS_SRC_UA ||
	    (v = strstr(extra, key)) == NULL)
		return;
	v += sizeof(key) - 1;
	for (e = v; *e != '\0' && *e != '"' && e - v < 512; e++)
		if (*e == '\\' && e[1] != '\0')
			e++; /* an escaped character, e.g. \" or \/ */
	if (os_from_user_agent(v, (size_t)(e - v), &os))
		host_os_merge(ifc, f->cli_host, &os);
}

int
iface_flow_update(struct iface *ifc, const struct flow_update *u)
{
	struct flow_key k;
	struct flow *f;
	uint64_t now, seen, d[4], prev_last;
	uint32_t hv = 0;
	uint8_t origin;
	int c2s = 1;
	struct flow *hint = flow_hinted(ifc, u, &c2s);
	int new_info = 0, existed = 0;

	IFACE_ASSERT_OWNER(ifc);
	if ((u->ip_version != 4 && u->ip_version != 6) ||
	    u->src.v != u->ip_version || u->dst.v != u->ip_version) {
		ifc->stats.updates_refused++;
		return -1;
	}
	origin = 0;
	if (u->site_path != NULL && u->site_path[0] != '\0') {
		if (iface_path_has(u->site_path, node_id)) {
			/* our own traffic coming back around a loop */
			ifc->stats.loops_refused++;
			return 0;
		}
		origin = origin_get(ifc, u->site_path);
		/* a snapshot's number is a cover, not an update's: it stays
		 * out of the de-duplication window */
		if (u->origin_seq != 0 && !u->snapshot &&
		    origin_seen(&ifc->origins[origin], u->origin_seq)) {
			ifc->origins[origin].duplicates++;
			ifc->stats.duplicates_refused++;
			return 0;
		}
	}
	/* collected flows carry the exporter's clock (a probe replaying a
	 * 2019 capture says 2019): they age by our own wall clock instead */
	seen = ifc->wall_ms ? ifc->wall_ms : time_wall_ms();
	if (seen > ifc->clock_ms)
		ifc->clock_ms = seen;
	now = u->last_ms ? u->last_ms : seen;
	f = hint;
	if (f == NULL) {
		k = update_key(u, origin);
		hv = key_hash(&k);
		f = key_find(ifc, &k, hv, &c2s);
	}
	if (f == NULL) {
		struct pkt p;

		update_pkt(u, &p);
		f = flow_new(ifc, &p, origin, hv,
			     u->first_ms ? u->first_ms : now);
		if (f == NULL) {
			ifc->stats.updates_refused++;
			return -1;
		}
		c2s = 1;
		f->collected = 1;
		f->detection_done = 1;
		f->seen_ms = seen;
		if (u->extra != NULL)
			update_os(ifc, f, u->extra); /* once per new flow */
		ifc->origins[origin].flows++;
	} else {
		existed = 1;
		if (f->seen_ms + LRU_SLACK_MS <= seen)
			LRU_TOUCH(ifc, flow_head, flow_tail, f);
	}
	if (origin != 0 && u->origin_seq != 0) {
		/* convergence (docs/hierarchy.md): a snapshot sets the flow
		 * to its sender's totals unless we know a later state; a
		 * delta it covers is in those totals already */
		struct flow_ext *x = flow_ext_get(ifc, f);

		if (x == NULL) {
			ifc->stats.updates_refused++;
			return -1;
		}
		if (u->snapshot && u->origin_seq <= x->seq) {
			ifc->origins[origin].snap_stale++;
			return 0;
		}
		if (!u->snapshot && u->origin_seq <= x->cover) {
			ifc->origins[origin].covered++;
			ifc->stats.duplicates_refused++;
			return 0;
		}
		if (u->snapshot) {
			x->cover = u->origin_seq;
			ifc->origins[origin].snap_records++;
		}
		if (u->origin_seq > x->seq)
			x->seq = u->origin_seq;
	}
	/* a new flow of the origin's that an older one here stands for
	 * (same key: e.g. the origin restarted) is still one of its flows
	 * (its declared count, docs/hierarchy.md) */
	if (existed && u->flow_first && !u->snapshot)
		ifc->origins[origin].flows++;
	prev_last =
		f->collected && f->c2s_pkts + f->s2c_pkts > 0 ? f->last_ms : 0;
	update_deltas(f, u, c2s, d);
	if (u->exporter.v || u->in_ifindex || u->out_ifindex ||
	    u->sampling > 1 ||
	    (u->extra != NULL &&
	     (flow_ext_ro(f)->extra == NULL ||
	      strcmp(flow_ext_ro(f)->extra, u->extra) != 0)))
		flow_update_ext(ifc, f, u);
	if (u->tos)
		f->tos = u->tos;
	if (u->info != NULL && u->info[0] != '\0' && f->info == NULL) {
		f->info = strtab_intern(&ifc->info_strs, u->info);
		new_info = f->info != NULL;
	}
	SAT_ADD(ifc->stats.packets, counter_add_sat(d[1], d[3]));
	SAT_ADD(ifc->stats.bytes, counter_add_sat(d[0], d[2]));
	SAT_ADD(ifc->stats.ip_packets, counter_add_sat(d[1], d[3]));
	SAT_ADD(ifc->stats.ip_bytes, counter_add_sat(d[0], d[2]));
	vlan_frames(ifc, f->vlan, d[0] + d[2], d[1] + d[3], now);
	if (u->has_mac) {
		const uint8_t *cm = c2s ? u->src_mac : u->dst_mac;
		const uint8_t *sm = c2s ? u->dst_mac : u->src_mac;

		account_macs(ifc, cm, sm, u->vlan, d[0], d[1], 0, now);
		account_macs(ifc, sm, cm, u->vlan, d[2], d[3], 0, now);
	}
	if (d[0] || d[1] || d[2] || d[3])
		flow_account(ifc, f, d,
			     d[0] || d[1] ? (c2s ? u->src_tcp_flags
						 : u->dst_tcp_flags)
					  : 0,
			     d[2] || d[3] ? (c2s ? u->dst_tcp_flags
						 : u->src_tcp_flags)
					  : 0,
			     now, seen);
	if (u->first_ms && u->first_ms < f->first_ms)
		f->first_ms = u->first_ms;
	if (u->last_ms != 0) {
		/* a collected flow was active from its first to its last
		 * switched second; an update marks only what it adds to the
		 * flow's span (the map bounds a range to a day) */
		uint64_t a = u->first_ms ? u->first_ms : u->last_ms;

		if (a < prev_last)
			a = prev_last;
		if (f->cli_host && f->cli_host->is_local &&
		    host_ext_ro(f->cli_host)->act)
			activity_mark_range(f->cli_host->x->act, a / 1000,
					    u->last_ms / 1000);
		if (f->srv_host && f->srv_host->is_local &&
		    host_ext_ro(f->srv_host)->act)
			activity_mark_range(f->srv_host->x->act, a / 1000,
					    u->last_ms / 1000);
	}
	/* L7: the exporter's verdict, else nDPI's guess from ports and IPs */
	if (u->l7_master || u->l7_app) {
		f->l7_master = u->l7_master;
		f->l7_app = u->l7_app;
		if (f->l7_app == f->l7_master)
			f->l7_master = 0;
	} else if (f->l7_app == 0 && f->l7_master == 0 && ifc->ndpi != NULL) {
		struct dpi_flow dd;

		flow_dpi_get(f, &dd);
		dpi_guess(ifc->ndpi, &dd, f->ip_version, &f->cli, f->cli_port,
			  &f->srv, f->srv_port);
		flow_dpi_put(ifc, f, &dd);
	}
	l7_move(ifc, f);
	if (new_info)
		names_flow_info(ifc, f); /* SNI / HTTP Host (L7 now set) */
	if (f->info != NULL && f->aggr == 0 && ifc->aggr != NULL)
		aggr_flow_named(ifc, f);
	if (!u->snapshot && u->last_ms != 0 && u->last_ms <= seen + 1000 &&
	    seen < u->last_ms + 60 * 1000) {
		uint64_t lat = seen > u->last_ms ? seen - u->last_ms : 0;
		uint64_t slot = lat / 10;

		ifc->latency_hist[slot < IFACE_LATENCY_SLOTS
					  ? slot
					  : IFACE_LATENCY_SLOTS]++;
		ifc->latency_samples++;
		if (lat > ifc->latency_max_ms)
			ifc->latency_max_ms = lat;
	}
	ifc->origins[origin].updates++;
	SAT_ADD(ifc->origins[origin].bytes, counter_add_sat(d[0], d[2]));
	SAT_ADD(ifc->origins[origin].pkts, counter_add_sat(d[1], d[3]));
	ifc->origins[origin].last_ms = now;
	/* hierarchies: pass the update on upward, as it came */
	if (ifc->want_exported)
		sink_flow_exported(ifc, u);
	return 0;
}

/* ---- -I export of this node's own flows ---- */

/* The fields of flow f as an update (counters left 0). */
static void
flow_to_update(const struct flow *f, struct flow_update *u)
{
	memset(u, 0, sizeof(*u));
	u->vlan = f->vlan;
	u->ip_version = f->ip_version;
	u->l4_proto = f->l4_proto;
	u->src = f->cli;
	u->dst = f->srv;
	u->sport = f->cli_port;
	u->dport = f->srv_port;
	u->first_ms = f->first_ms;
	u->last_ms = f->last_ms;
	if (f->cli_host != NULL && f->cli_host->geo != NULL)
		u->src_as = f->cli_host->geo->asn;
	if (f->srv_host != NULL && f->srv_host->geo != NULL)
		u->dst_as = f->srv_host->geo->asn;
	u->src_tcp_flags = f->c2s_tcp_flags;
	u->dst_tcp_flags = f->s2c_tcp_flags;
	u->l7_master = f->l7_master;
	u->l7_app = f->l7_app;
	u->tos = f->tos;
	u->exporter = flow_ext_ro(f)->exporter;
	u->in_ifindex = flow_ext_ro(f)->in_ifindex;
	u->out_ifindex = flow_ext_ro(f)->out_ifindex;
	u->sampling = flow_ext_ro(f)->sampling;
	u->info = f->info;
}

/* Posts what flow f gained since its last export (owner thread). */
void
tables_export_flow(struct iface *ifc, struct flow *f)
{
	const struct flow_ext *e = flow_ext_ro(f);
	struct flow_ext *x;
	struct flow_update u;

	IFACE_ASSERT_OWNER(ifc);
	if (f->c2s_bytes == e->exp_c2s_bytes &&
	    f->s2c_bytes == e->exp_s2c_bytes &&
	    f->c2s_pkts == e->exp_c2s_pkts && f->s2c_pkts == e->exp_s2c_pkts)
		return;
	/* out of memory for the progress: the delta goes next time */
	if ((x = flow_ext_get(ifc, f)) == NULL)
		return;
	flow_to_update(f, &u);
	u.in_bytes = f->c2s_bytes - x->exp_c2s_bytes;
	u.in_pkts = f->c2s_pkts - x->exp_c2s_pkts;
	u.out_bytes = f->s2c_bytes - x->exp_s2c_bytes;
	u.out_pkts = f->s2c_pkts - x->exp_s2c_pkts;
	u.flow_first = x->exp_c2s_pkts == 0 && x->exp_s2c_pkts == 0;
	if (sink_flow_exported(ifc, &u) != 0)
		return; /* queue full: counted there; the delta goes next time
			 */
	x->exp_c2s_bytes = f->c2s_bytes;
	x->exp_s2c_bytes = f->s2c_bytes;
	x->exp_c2s_pkts = f->c2s_pkts;
	x->exp_s2c_pkts = f->s2c_pkts;
}

int
tables_snapshot(struct iface *ifc, uint64_t seq,
		int (*cb)(void *ctx, const struct flow_update *u), void *ctx)
{
	struct flow_update u;
	struct flow *f;
	int n = 0;

	IFACE_ASSERT_OWNER(ifc);
	for (f = ifc->flow_head; f != NULL; f = f->next) {
		flow_to_update(f, &u);
		u.snapshot = 1;
		if (!f->collected) {
			/* what the deltas sent so far add up to */
			u.in_bytes = flow_ext_ro(f)->exp_c2s_bytes;
			u.in_pkts = flow_ext_ro(f)->exp_c2s_pkts;
			u.out_bytes = flow_ext_ro(f)->exp_s2c_bytes;
			u.out_pkts = flow_ext_ro(f)->exp_s2c_pkts;
			u.origin_seq = seq;
		} else {
			/* relayed as they came: the flow's totals */
			u.in_bytes = f->c2s_bytes;
			u.in_pkts = f->c2s_pkts;
			u.out_bytes = f->s2c_bytes;
			u.out_pkts = f->s2c_pkts;
			if (f->origin != 0) {
				u.site_path = ifc->origins[f->origin].path;
				u.origin_seq = flow_ext_ro(f)->seq;
			} else {
				u.origin_seq = seq; /* a probe's: as ours */
			}
		}
		if (u.in_pkts + u.out_pkts == 0 || u.origin_seq == 0)
			continue;
		if (cb(ctx, &u) != 0)
			return -1;
		n++;
	}
	return n;
}

void
tables_export(struct iface *ifc)
{
	struct flow *f;

	IFACE_ASSERT_OWNER(ifc);
	/* most recently seen last: walk back until flows unchanged for
	 * longer than any export interval would matter is an optimisation
	 * left out: a full walk costs well under a millisecond per 10k flows */
	for (f = ifc->flow_head; f != NULL; f = f->next)
		if (!f->collected)
			tables_export_flow(ifc, f);
}

/* ---- purge, finish, throughput ---- */

/* -S: hosts of this kind stay in memory for ever (the interface's
 * policy, whatever sinks there are). */
static int
host_sticky(const struct iface *ifc, const struct host *h)
{
	if (ifc->prefs == NULL)
		return 0;
	switch (ifc->prefs->sticky_hosts) {
	case PREFS_MODE_ALL:
		return 1;
	case PREFS_MODE_LOCAL:
		return h->is_local;
	case PREFS_MODE_REMOTE:
		return !h->is_local;
	default:
		return 0;
	}
}

static int
table_pressed(uint32_t n, uint32_t max)
{
	return (uint64_t)n * 10 >= (uint64_t)max * 9;
}

void
tables_purge(struct iface *ifc, uint64_t now_ms, int pressure_only)
{
	struct flow *f;
	struct host *h, *hn;
	struct mac *m;

	IFACE_ASSERT_OWNER(ifc);
	while ((f = ifc->flow_head) != NULL &&
	       (!pressure_only ||
		table_pressed(ifc->num_flows, ifc->max_flows)) &&
	       f->seen_ms + ifc->flow_idle_ms < now_ms) {
		flow_free(ifc, f);
		ifc->stats.flows_purged++;
	}
	/* hosts with active flows stay, so walk past them */
	for (h = ifc->host_head; h != NULL; h = hn) {
		hn = h->next;
		if (h->seen_ms + TABLES_HOST_IDLE_MS >= now_ms)
			break;
		if (pressure_only &&
		    !table_pressed(ifc->num_hosts, ifc->max_hosts))
			break;
		if (h->active_flows_cli + h->active_flows_srv > 0 ||
		    host_sticky(ifc, h))
			continue;
		if (ifc->want_host_purged)
			sink_host_purged(ifc, h,
					 0); /* e.g. to the host cache */
		host_free(ifc, h);
		ifc->stats.hosts_purged++;
	}
	while ((m = ifc->mac_head) != NULL &&
	       (!pressure_only ||
		table_pressed(ifc->num_macs, ifc->max_macs)) &&
	       m->last_ms + TABLES_MAC_IDLE_MS < now_ms) {
		mac_unhash(ifc, m);
		LRU_UNLINK(ifc, mac_head, mac_tail, m);
		ifc->num_macs--;
		ifc->stats.macs_purged++;
		free(m);
	}
	aggr_purge(ifc, now_ms, pressure_only);
}

/* How entries fed by source src are purged: 0 never; else at the clock
 * *now, and only while their table is nearly full when *pressure_only.
 * An index past the sources (detached interfaces) is a live one. */
static int
purge_rule(const struct iface *ifc, uint8_t src, uint64_t wall_ms,
	   uint64_t *now, int *pressure_only)
{
	const struct source *s;

	*now = wall_ms;
	*pressure_only = 0;
	if (src >= ifc->n_sources)
		return 1;
	s = ifc->sources[src];
	if (!source_offline(s))
		return 1;
	if (s->state != SOURCE_ACTIVE)
		return 0; /* the file's final counts stay visible */
	*now = ifc->source_clock_ms[src];
	*pressure_only = 1;
	return 1;
}

void
tables_purge_sources(struct iface *ifc, uint64_t wall_ms)
{
	struct flow *f, *fn;
	struct host *h, *hn;
	struct mac *m, *mn;
	uint64_t now;
	int pressure_only;

	IFACE_ASSERT_OWNER(ifc);
	for (f = ifc->flow_head; f != NULL; f = fn) {
		fn = f->next;
		if (!purge_rule(ifc, f->source, wall_ms, &now,
				&pressure_only) ||
		    (pressure_only &&
		     !table_pressed(ifc->num_flows, ifc->max_flows)) ||
		    f->seen_ms + ifc->flow_idle_ms >= now)
			continue;
		flow_free(ifc, f);
		ifc->stats.flows_purged++;
	}
	for (h = ifc->host_head; h != NULL; h = hn) {
		hn = h->next;
		if (!purge_rule(ifc, h->source, wall_ms, &now,
				&pressure_only) ||
		    (pressure_only &&
		     !table_pressed(ifc->num_hosts, ifc->max_hosts)) ||
		    h->seen_ms + TABLES_HOST_IDLE_MS >= now ||
		    h->active_flows_cli + h->active_flows_srv > 0 ||
		    host_sticky(ifc, h))
			continue;
		if (ifc->want_host_purged)
			sink_host_purged(ifc, h, 0);
		host_free(ifc, h);
		ifc->stats.hosts_purged++;
	}
	for (m = ifc->mac_head; m != NULL; m = mn) {
		mn = m->next;
		if (!purge_rule(ifc, m->source, wall_ms, &now,
				&pressure_only) ||
		    (pressure_only &&
		     !table_pressed(ifc->num_macs, ifc->max_macs)) ||
		    m->last_ms + TABLES_MAC_IDLE_MS >= now)
			continue;
		mac_unhash(ifc, m);
		LRU_UNLINK(ifc, mac_head, mac_tail, m);
		ifc->num_macs--;
		ifc->stats.macs_purged++;
		free(m);
	}
	/* aggregates mix every source's flows: purged by the wall clock,
	 * and only under pressure (a pcap file's names stay visible) */
	aggr_purge(ifc, wall_ms, 1);
}

void
tables_giveup_all(struct iface *ifc)
{
	struct flow *f;

	IFACE_ASSERT_OWNER(ifc);
	if (ifc->ndpi == NULL && ifc->aggr == NULL)
		return;
	dpiw_drain(ifc);
	for (f = ifc->flow_head; f != NULL; f = f->next) {
		if (ifc->ndpi != NULL && !f->detection_done &&
		    flow_dpi_giveup(ifc, f))
			l7_move(ifc, f);
		/* input ended: the flow's bytes are final, count them now
		 * (offline inputs do not expire their flows) */
		if (ifc->aggr != NULL)
			aggr_flow_bytes(ifc, f);
	}
}

static double
rate(uint64_t now, uint64_t *last, uint64_t elapsed_ms)
{
	double r = elapsed_ms
			   ? (double)(now - *last) * 1000.0 / (double)elapsed_ms
			   : 0;

	*last = now;
	return r;
}

void
tables_update_thpt(struct iface *ifc, uint64_t elapsed_ms)
{
	struct flow *f;
	struct host *h;
	int i;

	IFACE_ASSERT_OWNER(ifc);
	if (ifc->max_mem != 0) /* names, activity hours: counted now */
		tables_mem_sync(ifc);
	ifc->stats.thpt_bps =
		rate(ifc->stats.bytes, &ifc->stats.thpt_last_bytes, elapsed_ms);
	ifc->stats.thpt_pps = rate(ifc->stats.packets,
				   &ifc->stats.thpt_last_pkts, elapsed_ms);
	for (i = 0; i < ifc->n_origins; i++) {
		struct iface_origin *o = &ifc->origins[i];

		o->thpt_bps = rate(o->bytes, &o->thpt_last_bytes, elapsed_ms);
	}
	for (i = 0; i < (int)ifc->n_vlans; i++) {
		struct iface_vlan *v = &ifc->vlans[i];

		v->thpt_bps = rate(v->bytes, &v->thpt_last_bytes, elapsed_ms);
	}
	for (f = ifc->flow_head; f != NULL; f = f->next) {
		f->thpt_bps = rate(f->c2s_bytes + f->s2c_bytes,
				   &f->thpt_last_bytes, elapsed_ms);
		f->thpt_pps = rate(f->c2s_pkts + f->s2c_pkts,
				   &f->thpt_last_pkts, elapsed_ms);
	}
	tables_geo_recount_begin(ifc);
	for (h = ifc->host_head; h != NULL; h = h->next) {
		h->thpt_bps = rate(h->c.bytes_sent + h->c.bytes_rcvd,
				   &h->thpt_last_bytes, elapsed_ms);
		h->thpt_pps = rate(h->c.pkts_sent + h->c.pkts_rcvd,
				   &h->thpt_last_pkts, elapsed_ms);
		tables_geo_sync(ifc, h);
	}
	tables_geo_thpt(ifc, elapsed_ms);
}

void
tables_fini(struct iface *ifc)
{
	struct host *h;
	struct mac *m;

	while (ifc->flow_head != NULL) {
		struct flow *f = ifc->flow_head;

		LRU_UNLINK(ifc, flow_head, flow_tail, f);
		if (f->has_dw)
			dpiw_state_free(f->dw);
		else if (f->ndpi != NULL)
			ndpi_free_flow(f->ndpi);
		if (f->ext != NULL)
			free(f->ext->extra);
		free(f->ext);
	}
	while ((h = ifc->host_head) != NULL) {
		LRU_UNLINK(ifc, host_head, host_tail, h);
		free(h->l7);
		free(h->name);
		free(h->geo);
		activity_free(host_ext_ro(h)->act);
		free(h->x);
	}
	tables_geo_fini(ifc);
	objpool_fini(&ifc->flow_pool);
	objpool_fini(&ifc->host_pool);
	while ((m = ifc->mac_head) != NULL) {
		LRU_UNLINK(ifc, mac_head, mac_tail, m);
		free(m);
	}
	names_fini(ifc);
	strtab_fini(&ifc->info_strs);
	ifc->heap_mem = 0;
	free(ifc->flow_buckets);
	free(ifc->host_buckets);
	free(ifc->mac_buckets);
	ifc->flow_buckets = NULL;
	ifc->host_buckets = NULL;
	ifc->mac_buckets = NULL;
	ifc->num_flows = ifc->num_hosts = ifc->num_macs = 0;
	aggr_fini(ifc);
	free(ifc->vlan_idx);
	free(ifc->vlans);
	ifc->vlan_idx = NULL;
	ifc->vlans = NULL;
	ifc->n_vlans = ifc->cap_vlans = 0;
}

/* What a MAC entry takes (malloc()ed one by one). */
#define MAC_BYTES (((sizeof(struct mac) + 8 + 15) & ~(size_t)15))

uint64_t
tables_mem(const struct iface *ifc)
{
	return objpool_bytes(&ifc->flow_pool) + objpool_bytes(&ifc->host_pool) +
	       (uint64_t)(ifc->flow_mask + 1) * sizeof(struct flow *) +
	       (uint64_t)(ifc->host_mask + 1) * sizeof(struct host *) +
	       (uint64_t)(ifc->mac_mask + 1) * sizeof(struct mac *) +
	       (uint64_t)ifc->num_macs * MAC_BYTES + ifc->heap_mem +
	       ifc->host_heap + ifc->info_strs.bytes + dpiw_mem(ifc);
}

void
tables_mem_sync(struct iface *ifc)
{
	const struct host *h;
	uint64_t n = 0;

	for (h = ifc->host_head; h != NULL; h = h->next)
		n += host_heap_bytes(h);
	ifc->host_heap = n;
}

/* The pools count whole: objects in use and free ones alike (the memory
 * is held either way). */
uint64_t
tables_flow_mem(const struct iface *ifc)
{
	const struct flow *f;
	uint64_t total = 0;

	if (ifc->num_flows == 0)
		return 0;
	for (f = ifc->flow_head; f != NULL; f = f->next) {
		if (f->has_dw)
			total += dpiw_state_mem(f->dw);
		else if (f->ndpi != NULL)
			total += FLOW_NDPI_BYTES;
		if (f->ext != NULL)
			total += heap_bytes(f->ext) + heap_bytes(f->ext->extra);
	}
	total += objpool_bytes(&ifc->flow_pool) + ifc->info_strs.bytes;
	total += (uint64_t)(ifc->flow_mask + 1) * sizeof(struct flow *);
	return total / ifc->num_flows;
}

uint64_t
tables_host_mem(const struct iface *ifc)
{
	const struct host *h;
	uint64_t total = 0;

	if (ifc->num_hosts == 0)
		return 0;
	for (h = ifc->host_head; h != NULL; h = h->next)
		total += host_heap_bytes(h);
	total += objpool_bytes(&ifc->host_pool);
	total += (uint64_t)(ifc->host_mask + 1) * sizeof(struct host *);
	return total / ifc->num_hosts;
}

/* ---- protocol names ---- */

const char *
iface_l7_name(struct iface *ifc, uint16_t proto)
{
	const char *n =
		ifc->ndpi ? ndpi_get_proto_name(ifc->ndpi, proto) : NULL;

	IFACE_ASSERT_OWNER(ifc);
	return n ? n : "Unknown";
}

char *
iface_flow_l7_name(struct iface *ifc, const struct flow *f, char *buf,
		   size_t len)
{
	IFACE_ASSERT_OWNER(ifc);
	if (f->l7_master != NDPI_PROTOCOL_UNKNOWN &&
	    f->l7_app != NDPI_PROTOCOL_UNKNOWN)
		snprintf(buf, len, "%s.%s", iface_l7_name(ifc, f->l7_master),
			 iface_l7_name(ifc, f->l7_app));
	else
		snprintf(buf, len, "%s", iface_l7_name(ifc, flow_l7_key(f)));
	return buf;
}

const char *
iface_l7_breed(struct iface *ifc, uint16_t proto)
{
	const char *n;

	IFACE_ASSERT_OWNER(ifc);
	if (ifc->ndpi == NULL)
		return "Unrated";
	n = ndpi_get_proto_breed_name(ifc->ndpi,
				      ndpi_get_proto_breed(ifc->ndpi, proto));
	return n ? n : "Unrated";
}

int
iface_l7_category(struct iface *ifc, uint16_t proto)
{
	ndpi_proto_defaults_t *d;

	IFACE_ASSERT_OWNER(ifc);
	if (ifc->ndpi == NULL)
		return 0;
	d = ndpi_get_proto_defaults(ifc->ndpi);
	if (d == NULL || proto >= NDPI_MAX_SUPPORTED_PROTOCOLS +
					  NDPI_MAX_NUM_CUSTOM_PROTOCOLS)
		return 0;
	return (int)d[proto].protoCategory;
}

const char *
iface_l7_category_name(struct iface *ifc, uint16_t proto)
{
	const char *n;

	IFACE_ASSERT_OWNER(ifc);
	if (ifc->ndpi == NULL)
		return "Unspecified";
	n = ndpi_category_get_name(
		ifc->ndpi,
		(ndpi_protocol_category_t)iface_l7_category(ifc, proto));
	return n ? n : "Unspecified";
}

/* ---- hierarchies: what a peer node declares (its events) ---- */

void
tables_node_event(struct iface *ifc, const struct node_event *ev)
{
	struct iface_origin *o;
	uint64_t ours[3];
	int i, idx;

	IFACE_ASSERT_OWNER(ifc);
	if (ev->node_id[0] == '\0' || strcmp(ev->node_id, node_id) == 0)
		return;
	/* an origin is a node with flows: a relay of others' flows alone
	 * has nothing to declare (its own id is not an origin here) */
	if (strlen(ev->node_id) > ORIGIN_ID_MAX)
		return;
	idx = origin_find(ifc, ev->node_id, strlen(ev->node_id));
	if (idx < 0)
		return;
	o = &ifc->origins[idx];
	ours[0] = o->flows;
	ours[1] = o->bytes;
	ours[2] = o->pkts;
	if (o->start_ms != 0 && ev->start_ms != o->start_ms) {
		struct flow *f;

		/* a new run: what the old one missed stays missed, its
		 * flows here will never hear their last deltas */
		o->restarts++;
		for (i = 0; i < 3; i++) {
			o->missed_prev[i] = o->missed[i];
			o->base[i] = ours[i];
		}
		for (f = ifc->flow_head; f != NULL; f = f->next)
			if (f->origin == idx)
				o->orphaned_flows++;
		log_warn("%s: node %s restarted (started %llu, was %llu)",
			 ifc->name, ev->node_id,
			 (unsigned long long)ev->start_ms,
			 (unsigned long long)o->start_ms);
	}
	o->start_ms = ev->start_ms;
	o->last_event_ms = ifc->wall_ms ? ifc->wall_ms : time_wall_ms();
	o->uptime_s = ev->uptime_s;
	o->interval_s = ev->interval_s;
	snprintf(o->version, sizeof(o->version), "%s", ev->version);
	o->decl[0] = ev->flows;
	o->decl[1] = ev->bytes;
	o->decl[2] = ev->pkts;
	/* every record the node sent before this event is counted in it,
	 * and came before it: the rest never reached us */
	for (i = 0; i < 3; i++) {
		uint64_t got = ours[i] - o->base[i];

		o->missed[i] = o->missed_prev[i] +
			       (o->decl[i] > got ? o->decl[i] - got : 0);
	}
}
