/*
 * query_activity.c - the queries over the hosts' activity maps
 * (merge/activity.h): a host's map by minute or by second, and how its
 * activity correlates with every other host that has a map (Pearson's r
 * or Jaccard's similarity, lua-api.md §2.1 correlateHostActivity /
 * similarHostActivity).
 *
 * The window: the 24 hours ending with the newest hour any host of the
 * interface was active in, so that a capture replayed from another day
 * (the maps hold capture time) reads the same as a live one, and every
 * host of one answer is compared over the same seconds.
 *
 * Cost: a map is read word by word (24 x 57 words); a correlation reads
 * the host's map against each of at most 4096 maps (TABLES_MAX_ACT_HOSTS).
 *
 * Threads: the interface's owner thread (inside query_run()).
 */
#include <stdio.h>
#include <stdlib.h>

#include "merge/activity.h"
#include "merge/iface.h"
#include "merge/iface_priv.h"
#include "merge/query.h"

/* The newest epoch hour of any map of the interface; 0 and *has = 0
 * when no host has been active. */
static uint32_t
window_end(const struct iface *ifc, int *has)
{
	const struct host *h;
	uint32_t end = 0;

	*has = 0;
	for (h = ifc->host_head; h != NULL; h = h->next) {
		int one;
		uint32_t e;

		if (host_ext_ro(h)->act == NULL)
			continue;
		e = activity_newest_hour(host_ext_ro(h)->act, &one);
		if (one && (!*has || e > end)) {
			end = e;
			*has = 1;
		}
	}
	return end;
}

json_t *
query_host_activitymap(struct iface *ifc, struct host *h)
{
	uint8_t counts[ACTIVITY_HOURS * 60];
	json_t *o = json_object();
	uint32_t end;
	int has;

	if (o == NULL || host_ext_ro(h)->act == NULL)
		return o;
	end = window_end(ifc, &has);
	if (!has || activity_minutes(host_ext_ro(h)->act, end, counts) == 0)
		return o;
	for (uint32_t m = 0; m < ACTIVITY_HOURS * 60; m++) {
		char key[24];
		uint64_t start;

		if (counts[m] == 0)
			continue;
		start = ((uint64_t)end + 1 - ACTIVITY_HOURS) * 3600 +
			(uint64_t)m * 60;
		snprintf(key, sizeof(key), "%llu", (unsigned long long)start);
		json_object_set_new(o, key, json_integer(counts[m]));
	}
	return o;
}

json_t *
query_host_activity_seconds(struct iface *ifc, struct host *h)
{
	uint64_t first;
	json_t *a = json_array();
	uint32_t end;
	int has;

	if (a == NULL || host_ext_ro(h)->act == NULL)
		return a;
	end = window_end(ifc, &has);
	if (!has)
		return a;
	first = ((uint64_t)end + 1 -
		 (end + 1 >= ACTIVITY_HOURS ? ACTIVITY_HOURS : end + 1)) *
		3600;
	for (uint64_t s = first; s < ((uint64_t)end + 1) * 3600; s++)
		if (activity_test(host_ext_ro(h)->act, s))
			json_array_append_new(a, json_integer((json_int_t)s));
	return a;
}

struct corr_row {
	const struct host *h;
	double v;
};

static int
corr_cmp(const void *a, const void *b)
{
	const struct corr_row *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? 1 : -1;
	return x->h->id < y->h->id ? -1 : x->h->id > y->h->id;
}

json_t *
query_host_correlation(struct iface *ifc, struct host *h, int method, int max,
		       int rows)
{
	struct corr_row *v = NULL;
	const struct host *o;
	json_t *out = rows ? json_array() : json_object();
	size_t n = 0;
	uint32_t end;
	int has;

	if (out == NULL || host_ext_ro(h)->act == NULL)
		return out;
	end = window_end(ifc, &has);
	if (!has)
		return out;
	v = calloc((size_t)ifc->num_act_hosts + 1, sizeof(*v));
	if (v == NULL)
		return out;
	for (o = ifc->host_head; o != NULL; o = o->next) {
		uint32_t na, nb, both;

		if (o == h || host_ext_ro(o)->act == NULL ||
		    n >= ifc->num_act_hosts)
			continue;
		activity_counts(host_ext_ro(h)->act, host_ext_ro(o)->act, end,
				&na, &nb, &both);
		if (na == 0 || nb == 0)
			continue; /* nothing to compare in the window */
		v[n].h = o;
		v[n].v = method == QUERY_CORR_JACCARD
				 ? activity_jaccard(na, nb, both)
				 : activity_pearson(na, nb, both);
		n++;
	}
	qsort(v, n, sizeof(*v), corr_cmp);
	if (max > 0 && (size_t)max < n)
		n = (size_t)max;
	for (size_t i = 0; i < n; i++) {
		char ip[IPADDR_STRLEN], key[128];
		const struct host *x = v[i].h;

		ipaddr_fmt(&x->ip, ip, sizeof(ip));
		query_host_key(&x->ip, x->vlan, key, sizeof(key));
		if (!rows) {
			/* upstream: Pearson by IP, Jaccard by host key */
			json_object_set_new(
				out, method == QUERY_CORR_JACCARD ? key : ip,
				json_real(v[i].v));
			continue;
		}
		json_array_append_new(
			out,
			json_pack("{s:s,s:s,s:i,s:s,s:f}", "ip", ip, "key", key,
				  "vlan", (int)x->vlan, "name",
				  x->name ? x->name : "", "value", v[i].v));
	}
	free(v);
	return out;
}
