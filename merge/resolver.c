/*
 * resolver.c - the resolver thread: names of numeric addresses (-n 0/1)
 * and http:bl verdicts (-k), off every owner thread.
 *
 * One worker (common/jobq.h) takes jobs that the owners post by value
 * and never wait for (a full queue drops and counts).  For each address
 * it looks first in the key-value store (state/kv.h, Redis key
 * ntopng.dns.cache.<ip>, 24 h TTL, shared by a restart and by peer nodes
 * of the same Redis; without Redis, in a table of POS_SLOTS names of its
 * own, as the embedded store is a list meant for preferences), then in
 * a negative cache (addresses that had no
 * name in the last NEG_TTL_MS), and only then asks DNS: with
 * --dns-server, a PTR query of its own over UDP to that server (one
 * connected socket per query, RESOLVER_TRIES tries of RESOLVER_WAIT_MS);
 * without it, getnameinfo() of the system resolver.  A name found is
 * stored with its TTL and handed back to the interface through
 * iface_query() (names_apply on the owner, which looks the host up again
 * by address: the host may be gone).
 *
 * http:bl (https://www.projecthoneypot.org/httpbl_api.php): the A record
 * of <key>.<d.c.b.a>.<zone> is 127.days.threat.type when the address is
 * listed, NXDOMAIN when not.
 *
 * Shutdown: main calls resolver_halt() before the owners stop (the
 * worker then drops its jobs instead of waiting for owners that no
 * longer answer) and resolver_stop() once they have.
 */
#include "merge/names.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/jobq.h"
#include "common/log.h"
#include "common/prefs.h"
#include "common/timeutil.h"
#include "dpi/dnsmsg.h"
#include "merge/alerts.h"
#include "merge/iface.h"
#include "merge/tables.h"
#include "state/kv.h"

#define RESOLVER_QUEUE 1024
#define RESOLVER_BATCH 16
#define RESOLVER_WAIT_MS 800
#define RESOLVER_TRIES 2
#define CACHE_TTL_S (24 * 3600)
#define NEG_SLOTS 1024
#define NEG_TTL_MS (10 * 60 * 1000)
#define KEY_PREFIX "ntopng.dns.cache."

struct rjob {
	struct iface *ifc; /* valid until resolver_stop (main's order) */
	int kind;
	struct ipaddr ip;
	uint16_t vlan;
	char name[DNSMSG_NAME_MAX + 1];
};

/* What names_apply() hands to the owner. */
struct rres {
	int kind;
	struct ipaddr ip;
	uint16_t vlan;
	const char *name;
	uint32_t httpbl;
};

struct neg_slot {
	struct ipaddr ip;
	uint64_t until_ms;
};

/* set by main before any owner starts and after they all stopped */
static struct jobq *rq;
static atomic_int halted;
/* the worker's own */
static struct sockaddr_storage srv;
static socklen_t srv_len;
static int have_srv;
static char *httpbl_key, *httpbl_zone;
static struct neg_slot neg[NEG_SLOTS];
/* without Redis: names kept here instead (the embedded store is a list
 * under the lock the web server's sessions use: no place for thousands
 * of names) */
#define POS_SLOTS 4096
static struct pos_slot {
	struct ipaddr ip;
	uint64_t until_ms;
	char name[DNSMSG_NAME_MAX + 1];
} * pos;
static int use_kv;
static uint16_t next_id;
/* written by the worker (and posters for posted/dropped), read by REST */
static struct {
	_Atomic uint64_t posted, dropped, cache_hits, neg_hits, lookups,
		resolved, failed, httpbl;
} st;

/* A host http:bl lists: one blacklisted_host alert (one-shot: the host is
 * looked up once), its value the threat score (owner thread). */
static void
httpbl_alert(struct iface *ifc, const struct host *h, uint32_t v)
{
	unsigned days = (v >> 16) & 0xff, threat = (v >> 8) & 0xff,
		 type = v & 0xff;
	char ip[IPADDR_STRLEN];
	struct alert a;

	memset(&a, 0, sizeof(a));
	a.type = ALERT_BLACKLISTED;
	a.entity = ALERT_ENT_HOST;
	ipaddr_fmt(&h->ip, ip, sizeof(ip));
	if (h->vlan)
		snprintf(a.entity_val, sizeof(a.entity_val), "%s@%u", ip,
			 (unsigned)h->vlan);
	else
		snprintf(a.entity_val, sizeof(a.entity_val), "%s", ip);
	snprintf(a.metric, sizeof(a.metric), "httpbl");
	a.value = threat;
	a.peak = threat;
	snprintf(a.msg, sizeof(a.msg),
		 "%s is listed by http:bl: threat %u, last activity %u days "
		 "ago, type %u (%s%s%s%s)",
		 ip, threat, days, type, type == 0 ? "search engine" : "",
		 type & 1 ? "suspicious " : "", type & 2 ? "harvester " : "",
		 type & 4 ? "comment spammer" : "");
	alert_record(ifc, &a);
}

static void
names_apply(struct iface *ifc, void *arg)
{
	const struct rres *r = arg;
	struct host *h = iface_host_find(ifc, &r->ip, r->vlan);

	if (h == NULL)
		return;
	if (r->kind == RESOLVE_PTR)
		names_set(h, r->name, NAME_PTR);
	else if (r->kind == RESOLVE_HTTPBL) {
		if ((r->httpbl & NAMES_HTTPBL_LISTED) &&
		    !(host_ext_ro(h)->httpbl & NAMES_HTTPBL_LISTED))
			httpbl_alert(ifc, h, r->httpbl);
		if ((r->httpbl != 0 || h->x != NULL) &&
		    tables_host_ext(ifc, h) != NULL)
			h->x->httpbl = r->httpbl;
	}
}

static void
hand_back(const struct rjob *j, const char *name, uint32_t httpbl)
{
	struct rres r = { j->kind, j->ip, j->vlan, name, httpbl };

	if (!atomic_load(&halted))
		(void)iface_query(j->ifc, names_apply, &r, 2000);
}

/* A query of qname/qtype to --dns-server: 0 and *rep filled, or -1
 * (no answer in time). */
static int
ask_server(const char *qname, uint16_t qtype, struct dnsmsg_reply *rep)
{
	uint8_t q[512], a[1500];
	int len, fd, rc = -1;
	uint16_t id = (uint16_t)(next_id++ ^ (uint16_t)time_wall_ms());

	len = dnsmsg_query(q, sizeof(q), id, qname, qtype);
	if (len < 0)
		return -1;
	fd = socket(srv.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&srv, srv_len) != 0)
		goto out;
	for (int t = 0; t < RESOLVER_TRIES && rc != 0; t++) {
		uint64_t end = time_wall_ms() + RESOLVER_WAIT_MS;

		if (send(fd, q, (size_t)len, 0) != len)
			break;
		for (;;) {
			uint64_t now = time_wall_ms();
			struct pollfd pf = { fd, POLLIN, 0 };
			ssize_t n;

			if (now >= end || poll(&pf, 1, (int)(end - now)) <= 0)
				break;
			n = recv(fd, a, sizeof(a), 0);
			if (n < 0 && errno == ECONNREFUSED)
				goto out; /* nobody listens there: no answer */
			if (n <= 0)
				continue;
			/* anything else than the answer to this id is
			 * ignored: a late answer to an earlier try */
			if (dnsmsg_parse(a, (size_t)n, rep) == DNSMSG_OK &&
			    rep->id == id) {
				rc = 0;
				break;
			}
		}
	}
out:
	close(fd);
	return rc;
}

static int
neg_hit(const struct ipaddr *ip, uint64_t now)
{
	struct neg_slot *s = &neg[ipaddr_hash(ip) & (NEG_SLOTS - 1)];

	return memcmp(&s->ip, ip, sizeof(*ip)) == 0 && now < s->until_ms;
}

static void
neg_add(const struct ipaddr *ip, uint64_t now)
{
	struct neg_slot *s = &neg[ipaddr_hash(ip) & (NEG_SLOTS - 1)];

	s->ip = *ip;
	s->until_ms = now + NEG_TTL_MS;
}

/* The name of ip from DNS into out: 0, or -1. */
static int
lookup_ptr(const struct ipaddr *ip, char *out, size_t len)
{
	if (have_srv) {
		char qn[128];
		struct dnsmsg_reply rep;

		if (dnsmsg_ptr_name(ip, qn, sizeof(qn)) != 0 ||
		    ask_server(qn, 12, &rep) != 0)
			return -1;
		for (int i = 0; i < rep.n; i++)
			if (memcmp(&rep.answers[i].ip, ip, sizeof(*ip)) == 0) {
				snprintf(out, len, "%s", rep.answers[i].name);
				return 0;
			}
		return -1;
	}
	struct sockaddr_storage ss;
	socklen_t sl;

	memset(&ss, 0, sizeof(ss));
	if (ip->v == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, ip->a, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, ip->a, 16);
		sl = sizeof(*s6);
	}
	if (getnameinfo((struct sockaddr *)&ss, sl, out, (socklen_t)len, NULL,
			0, NI_NAMEREQD) != 0)
		return -1;
	return 0;
}

/* The cache: Redis (use_kv), else pos[]; heap copy or NULL. */
static char *
cache_get(const char *key, const struct ipaddr *ip, uint64_t now)
{
	struct pos_slot *s;

	if (use_kv)
		return kv_get(key);
	s = &pos[ipaddr_hash(ip) & (POS_SLOTS - 1)];
	if (memcmp(&s->ip, ip, sizeof(*ip)) == 0 && now < s->until_ms)
		return strdup(s->name);
	return NULL;
}

static void
cache_put(const char *key, const struct ipaddr *ip, const char *name,
	  uint64_t now)
{
	struct pos_slot *s;

	if (use_kv) {
		(void)kv_set(key, name, CACHE_TTL_S);
		return;
	}
	s = &pos[ipaddr_hash(ip) & (POS_SLOTS - 1)];
	s->ip = *ip;
	s->until_ms = now + CACHE_TTL_S * 1000ull;
	snprintf(s->name, sizeof(s->name), "%s", name);
}

static void
do_ptr(const struct rjob *j, uint64_t now)
{
	char key[sizeof(KEY_PREFIX) + IPADDR_STRLEN], ips[IPADDR_STRLEN];
	char name[DNSMSG_NAME_MAX + 1];
	char *v;

	ipaddr_fmt(&j->ip, ips, sizeof(ips));
	snprintf(key, sizeof(key), KEY_PREFIX "%s", ips);
	v = cache_get(key, &j->ip, now);
	if (v != NULL) {
		atomic_fetch_add(&st.cache_hits, 1);
		if (v[0] != '\0')
			hand_back(j, v, 0);
		free(v);
		return;
	}
	if (neg_hit(&j->ip, now)) {
		atomic_fetch_add(&st.neg_hits, 1);
		return;
	}
	atomic_fetch_add(&st.lookups, 1);
	if (lookup_ptr(&j->ip, name, sizeof(name)) != 0 || name[0] == '\0' ||
	    strcmp(name, ips) == 0) {
		atomic_fetch_add(&st.failed, 1);
		neg_add(&j->ip, now);
		return;
	}
	atomic_fetch_add(&st.resolved, 1);
	cache_put(key, &j->ip, name, now);
	hand_back(j, name, 0);
}

static void
do_store(const struct rjob *j, uint64_t now)
{
	char key[sizeof(KEY_PREFIX) + IPADDR_STRLEN], ips[IPADDR_STRLEN];

	ipaddr_fmt(&j->ip, ips, sizeof(ips));
	snprintf(key, sizeof(key), KEY_PREFIX "%s", ips);
	cache_put(key, &j->ip, j->name, now);
}

static void
do_httpbl(const struct rjob *j)
{
	char qn[DNSMSG_NAME_MAX + 1];
	uint32_t verdict = 0;
	int n;

	n = snprintf(qn, sizeof(qn), "%s.%u.%u.%u.%u.%s", httpbl_key,
		     j->ip.a[3], j->ip.a[2], j->ip.a[1], j->ip.a[0],
		     httpbl_zone);
	if (n < 0 || (size_t)n >= sizeof(qn))
		return;
	atomic_fetch_add(&st.httpbl, 1);
	if (have_srv) {
		struct dnsmsg_reply rep;

		if (ask_server(qn, 1, &rep) != 0)
			return;
		if (rep.rcode == 3)
			verdict = NAMES_HTTPBL_CLEAN;
		for (int i = 0; i < rep.n; i++) {
			const uint8_t *a = rep.answers[i].ip.a;

			if (rep.answers[i].ip.v == 4 && a[0] == 127) {
				verdict = NAMES_HTTPBL_LISTED |
					  (uint32_t)a[1] << 16 |
					  (uint32_t)a[2] << 8 | a[3];
				break;
			}
		}
	} else {
		struct addrinfo hints, *res = NULL;
		int rc;

		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_INET;
		hints.ai_socktype = SOCK_DGRAM;
		rc = getaddrinfo(qn, NULL, &hints, &res);
		if (rc == EAI_NONAME)
			verdict = NAMES_HTTPBL_CLEAN;
		else if (rc == 0 && res != NULL) {
			const uint8_t *a =
				(const uint8_t *)&(
					(struct sockaddr_in *)res->ai_addr)
					->sin_addr;

			if (a[0] == 127)
				verdict = NAMES_HTTPBL_LISTED |
					  (uint32_t)a[1] << 16 |
					  (uint32_t)a[2] << 8 | a[3];
		}
		if (res != NULL)
			freeaddrinfo(res);
	}
	if (verdict != 0)
		hand_back(j, NULL, verdict);
	/* a listed verdict raises blacklisted_host on the owner
	 * (names_apply) */
}

static void
batch(void *arg, void *jobs, uint32_t n)
{
	struct rjob *j = jobs;
	uint64_t now = time_wall_ms();

	(void)arg;
	for (uint32_t i = 0; i < n && !atomic_load(&halted); i++) {
		if (j[i].kind == RESOLVE_PTR)
			do_ptr(&j[i], now);
		else if (j[i].kind == RESOLVE_STORE)
			do_store(&j[i], now);
		else if (j[i].kind == RESOLVE_HTTPBL)
			do_httpbl(&j[i]);
	}
}

/* --dns-server host:port ("[v6]:port"; the port defaults to 53). */
static int
server_parse(const char *spec)
{
	char host[256];
	const char *port = "53", *colon;
	struct addrinfo hints, *res = NULL;
	size_t hl;

	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (end == NULL)
			return -1;
		hl = (size_t)(end - spec - 1);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, spec + 1, hl);
		host[hl] = '\0';
		if (end[1] == ':')
			port = end + 2;
	} else {
		colon = strrchr(spec, ':');
		hl = colon ? (size_t)(colon - spec) : strlen(spec);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, spec, hl);
		host[hl] = '\0';
		if (colon)
			port = colon + 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, port, &hints, &res) != 0 || res == NULL)
		return -1;
	memcpy(&srv, res->ai_addr, res->ai_addrlen);
	srv_len = res->ai_addrlen;
	freeaddrinfo(res);
	have_srv = 1;
	return 0;
}

int
resolver_start(const struct prefs *p)
{
	struct jobq_ops ops;

	if (p->categorization_key != NULL)
		log_info("-c: block.si's categorization service is gone; the "
			 "node shows nDPI's own categories per flow and host "
			 "(REST category fields, get/interface/l7/"
			 "stats.lua?ndpi_category=true)");
	if (p->dns_mode >= 2 && p->httpbl_key == NULL)
		return 0; /* nothing to resolve (names from answers: -n 2) */
	if (p->dns_server != NULL && server_parse(p->dns_server) != 0) {
		log_err("--dns-server %s: not a host:port", p->dns_server);
		return -1;
	}
	httpbl_key = p->httpbl_key;
	httpbl_zone = p->httpbl_zone ? p->httpbl_zone : "dnsbl.httpbl.org";
	use_kv = !kv_is_embedded();
	if (!use_kv && pos == NULL &&
	    (pos = calloc(POS_SLOTS, sizeof(*pos))) == NULL)
		return -1;
	memset(&ops, 0, sizeof(ops));
	ops.role = "resolver";
	ops.job_size = sizeof(struct rjob);
	ops.capacity = RESOLVER_QUEUE;
	ops.batch = RESOLVER_BATCH;
	ops.batch_fn = batch;
	rq = jobq_start(&ops);
	if (rq == NULL)
		return -1;
	log_info("resolver: -n %d, %s%s%s", p->dns_mode,
		 have_srv ? "DNS server " : "system resolver",
		 have_srv ? p->dns_server : "",
		 p->httpbl_key ? ", http:bl on" : "");
	return 0;
}

void
resolver_halt(void)
{
	atomic_store(&halted, 1);
}

void
resolver_stop(void)
{
	struct resolver_stats s;

	if (rq == NULL)
		return;
	atomic_store(&halted, 1);
	jobq_stop(rq);
	rq = NULL;
	free(pos);
	pos = NULL;
	resolver_get_stats(&s);
	log_info("resolver: %llu jobs, %llu dropped (queue full), %llu cache "
		 "hits, %llu negative hits, %llu lookups (%llu named, %llu "
		 "without name), %llu http:bl",
		 (unsigned long long)s.posted, (unsigned long long)s.dropped,
		 (unsigned long long)s.cache_hits,
		 (unsigned long long)s.neg_hits, (unsigned long long)s.lookups,
		 (unsigned long long)s.resolved, (unsigned long long)s.failed,
		 (unsigned long long)s.httpbl);
}

int
resolver_post(struct iface *ifc, int kind, const struct ipaddr *ip,
	      uint16_t vlan, const char *name)
{
	struct rjob j;

	if (rq == NULL)
		return -1;
	j.ifc = ifc;
	j.kind = kind;
	j.ip = *ip;
	j.vlan = vlan;
	snprintf(j.name, sizeof(j.name), "%s", name ? name : "");
	if (jobq_post(rq, &j, 0) != 0) {
		atomic_fetch_add(&st.dropped, 1);
		return -1;
	}
	atomic_fetch_add(&st.posted, 1);
	return 0;
}

void
resolver_get_stats(struct resolver_stats *out)
{
	out->posted = atomic_load(&st.posted);
	out->dropped = atomic_load(&st.dropped);
	out->cache_hits = atomic_load(&st.cache_hits);
	out->neg_hits = atomic_load(&st.neg_hits);
	out->lookups = atomic_load(&st.lookups);
	out->resolved = atomic_load(&st.resolved);
	out->failed = atomic_load(&st.failed);
	out->httpbl = atomic_load(&st.httpbl);
}
