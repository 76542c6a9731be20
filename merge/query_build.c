/*
 * query_build.c - the builders of the query layer (query.h): one
 * function of the query_build_fn signature per question, so that a REST
 * handler (webui/routes.c names each route's builder) or the Lua
 * `interface` class passes it to query_run() with a plain argument
 * block; and the read-only accessors of the node's interface list.
 *
 * How it works: each builder unpacks its block and calls the query_*()
 * function of query.c that walks the tables; lookups that can miss set
 * the block's not_found, which query_run() copies back to the caller.
 *
 * Threads: the builders run on the interface's owner thread (inside
 * query_run()); the accessors at the end on any thread.
 */
#include <stddef.h>
#include <stdio.h>

#include "merge/iface.h"
#include "merge/iface_priv.h"
#include "merge/query.h"

/* ------------------------------------------------------------------ */
/* builders for query_run() (the Lua `interface` class's calls)        */

json_t *
query_b_iface_data(struct iface *ifc, void *arg)
{
	const struct query_iface_arg *a = arg;

	return query_iface_data(ifc, a ? a->summary : 0);
}

json_t *
query_b_iface_sources(struct iface *ifc, void *arg)
{
	(void)arg;
	return query_iface_sources(ifc);
}

json_t *
query_b_iface_origins(struct iface *ifc, void *arg)
{
	(void)arg;
	return query_iface_origins(ifc);
}

json_t *
query_b_l7_iface(struct iface *ifc, void *arg)
{
	const struct l7_query *q = arg;
	struct l7_query dflt = { QUERY_L7_PROTO };

	return json_pack("{s:o,s:I,s:I}", "ndpi",
			 query_l7_iface(ifc, q ? q : &dflt), "arp_bytes",
			 (json_int_t)ifc->stats.arp_bytes, "num_flows",
			 (json_int_t)ifc->num_flows);
}

json_t *
query_b_hosts(struct iface *ifc, void *arg)
{
	return query_hosts_list(ifc, arg);
}

json_t *
query_b_hosts_data(struct iface *ifc, void *arg)
{
	(void)arg;
	return query_hosts_data_all(ifc);
}

/* The host of a query_host_arg, or NULL with not_found set. */
static struct host *
arg_host(struct iface *ifc, struct query_host_arg *a)
{
	struct host *h = query_host_lookup(ifc, a->host, a->vlan);

	if (!h)
		a->not_found = 1;
	return h;
}

json_t *
query_b_host_data(struct iface *ifc, void *arg)
{
	struct host *h = arg_host(ifc, arg);

	return h ? query_host_data(ifc, h) : NULL;
}

json_t *
query_b_host_exists(struct iface *ifc, void *arg)
{
	return arg_host(ifc, arg) ? json_true() : NULL;
}

json_t *
query_b_host_l7(struct iface *ifc, void *arg)
{
	struct query_host_arg *a = arg;
	struct host *h = arg_host(ifc, a);

	return h ? query_l7_host(ifc, h, &a->lq) : NULL;
}

json_t *
query_b_host_contacts(struct iface *ifc, void *arg)
{
	struct host *h = arg_host(ifc, arg);

	return h ? query_host_contacts(ifc, h) : NULL;
}

json_t *
query_b_aggr_hosts(struct iface *ifc, void *arg)
{
	const struct query_aggr_arg *a = arg;

	return query_aggr_list(ifc, a ? a->family : -1, a ? a->host : NULL);
}

json_t *
query_b_aggr_host(struct iface *ifc, void *arg)
{
	struct query_aggr_arg *a = arg;
	json_t *o;

	if (a == NULL)
		return NULL;
	o = query_aggr_one(ifc, a->family, a->name);
	if (o == NULL)
		a->not_found = 1;
	return o;
}

json_t *
query_b_aggr_families(struct iface *ifc, void *arg)
{
	(void)arg;
	return query_aggr_families(ifc);
}

json_t *
query_b_host_activitymap(struct iface *ifc, void *arg)
{
	struct host *h = arg_host(ifc, arg);

	return h ? query_host_activitymap(ifc, h) : NULL;
}

json_t *
query_b_host_activity_seconds(struct iface *ifc, void *arg)
{
	struct host *h = arg_host(ifc, arg);

	return h ? query_host_activity_seconds(ifc, h) : NULL;
}

json_t *
query_b_host_correlate(struct iface *ifc, void *arg)
{
	struct host *h = arg_host(ifc, arg);

	return h ? query_host_correlation(ifc, h, QUERY_CORR_PEARSON, 0, 0)
		 : NULL;
}

json_t *
query_b_host_similar(struct iface *ifc, void *arg)
{
	struct host *h = arg_host(ifc, arg);

	return h ? query_host_correlation(ifc, h, QUERY_CORR_JACCARD, 0, 0)
		 : NULL;
}

json_t *
query_b_host_correlation(struct iface *ifc, void *arg)
{
	struct query_corr_arg *a = arg;
	struct host *h = arg_host(ifc, &a->h);

	return h ? query_host_correlation(ifc, h, a->method, a->max, 1) : NULL;
}

json_t *
query_b_flows(struct iface *ifc, void *arg)
{
	return query_flows_list(ifc, arg);
}

json_t *
query_b_flow_traffic(struct iface *ifc, void *arg)
{
	return query_flow_traffic(ifc, arg);
}

json_t *
query_b_l7_name(struct iface *ifc, void *arg)
{
	struct query_l7_name_arg *a = arg;

	snprintf(a->name, sizeof(a->name), "%s", iface_l7_name(ifc, a->id));
	snprintf(a->breed, sizeof(a->breed), "%s", iface_l7_breed(ifc, a->id));
	return json_true();
}

json_t *
query_b_hosts_flat(struct iface *ifc, void *arg)
{
	return query_hosts_flat(ifc, arg) == 0 ? json_true() : NULL;
}

json_t *
query_b_flows_flat(struct iface *ifc, void *arg)
{
	struct query_flat_arg *a = arg;

	return query_flows_flat(ifc, &a->q, &a->out) == 0 ? json_true() : NULL;
}

json_t *
query_b_flow_graph(struct iface *ifc, void *arg)
{
	struct query_host_arg *a = arg;

	return query_flow_graph(ifc, a->host, a->vlan, &a->not_found);
}

json_t *
query_b_flow_details(struct iface *ifc, void *arg)
{
	struct query_flow_arg *a = arg;
	json_t *o = query_flow_details(ifc, a->id);

	if (!o)
		a->not_found = 1;
	return o;
}

json_t *
query_b_flow_l4_counters(struct iface *ifc, void *arg)
{
	(void)arg;
	return query_flow_l4_counters(ifc);
}

json_t *
query_b_flow_l7_counters(struct iface *ifc, void *arg)
{
	(void)arg;
	return query_flow_l7_counters(ifc);
}

json_t *
query_b_asn_info(struct iface *ifc, void *arg)
{
	const struct query_asn_arg *a = arg;

	return query_asn_info(ifc, a ? a->asn : 0);
}

json_t *
query_b_vlans(struct iface *ifc, void *arg)
{
	(void)arg;
	return query_vlans(ifc);
}

json_t *
query_b_asns(struct iface *ifc, void *arg)
{
	(void)arg;
	return query_asns(ifc);
}

json_t *
query_b_geo_hosts(struct iface *ifc, void *arg)
{
	(void)arg;
	return query_geo_hosts(ifc);
}

json_t *
query_b_countries(struct iface *ifc, void *arg)
{
	(void)arg;
	return query_countries(ifc);
}

json_t *
query_b_host_matrix(struct iface *ifc, void *arg)
{
	const struct query_matrix_arg *a = arg;

	return query_host_matrix(ifc, a ? a->max_hosts : 10);
}

/* ------------------------------------------------------------------ */
/* the node's interfaces (any thread)                                  */

int
query_iface_count(void)
{
	return node_n_ifaces;
}

struct iface *
query_iface_at(int i)
{
	return i >= 0 && i < node_n_ifaces ? node_ifaces[i] : NULL;
}

struct iface *
query_iface_by_id(long id)
{
	for (int i = 0; i < node_n_ifaces; i++)
		if (node_ifaces[i]->id == id)
			return node_ifaces[i];
	return NULL;
}

int
query_iface_id(const struct iface *ifc)
{
	return ifc->id;
}

const char *
query_iface_ifname(const struct iface *ifc)
{
	return ifc->ifname;
}

const char *
query_iface_name(const struct iface *ifc)
{
	return ifc->name;
}

const char *
query_iface_spec(const struct iface *ifc)
{
	return iface_spec(ifc);
}
