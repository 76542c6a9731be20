/*
 * health.c - source, msg-id drop and table-limit alerts (merge/health.h).
 *
 * Runs once a second on the owner thread: it compares counters the
 * packet and record paths keep anyway (records per source, refusals,
 * msg-id drops), so the hot paths pay nothing for it.
 */
#include "merge/health.h"

#include <stdio.h>
#include <string.h>

#include "merge/alerts.h"
#include "merge/iface.h"
#include "merge/iface_priv.h"
#include "merge/source.h"

/* Only flow collectors are expected to speak regularly: a pcap device
 * on a quiet link is not a failure, a file ends. */
static int
health_watched(const struct source *s)
{
	return s->kind != NULL && !s->kind->offline &&
	       (strcmp(s->kind->name, "zmq") == 0 ||
		strcmp(s->kind->name, "flow_udp") == 0);
}

static void
health_alert(struct alert *a, uint16_t type, uint8_t entity, const char *val,
	     const char *metric)
{
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->entity = entity;
	snprintf(a->entity_val, sizeof(a->entity_val), "%s", val);
	snprintf(a->metric, sizeof(a->metric), "%s", metric);
}

/* Learns a source's interval from the gaps between its records (a gap
 * that ended a silence is not learned: it is the silence). */
static void
health_source(struct iface *ifc, struct source *s, struct health_src *h,
	      uint64_t now, uint64_t probe_idle_ms)
{
	/* any frame counts as speaking (ZMQ: events too, in bytes) */
	uint64_t heard = s->records + s->bytes, expect, quiet;
	struct alert a;

	if (heard != h->last_records) {
		h->last_records = heard;
		if (h->silent) {
			alert_release(ifc, ALERT_SOURCE_SILENT,
				      ALERT_ENT_SOURCE, s->spec, "records",
				      now / 1000);
			h->silent = 0;
		} else if (h->last_ms != 0) {
			uint64_t gap = now - h->last_ms;

			/* moving average, weight 1/4 to the newest gap */
			h->interval_ms =
				h->gaps == 0 ? gap
					     : (h->interval_ms * 3 + gap) / 4;
			if (h->gaps < 255)
				h->gaps++;
		}
		h->last_ms = now;
		return;
	}
	if (h->last_ms == 0 || h->silent)
		return; /* never spoke: nothing to expect yet */
	expect = h->gaps >= 2 ? h->interval_ms : probe_idle_ms;
	if (expect == 0)
		return;
	if (expect < HEALTH_MIN_INTERVAL_MS)
		expect = HEALTH_MIN_INTERVAL_MS;
	quiet = now - h->last_ms;
	if (quiet <= HEALTH_SILENT_FACTOR * expect)
		return;
	health_alert(&a, ALERT_SOURCE_SILENT, ALERT_ENT_SOURCE, s->spec,
		     "records");
	a.value = (double)quiet / 1000;
	a.threshold = (double)(HEALTH_SILENT_FACTOR * expect) / 1000;
	snprintf(a.msg, sizeof(a.msg),
		 "source %.120s silent for %llu s (expected a record every "
		 "%llu ms)",
		 s->spec, (unsigned long long)(quiet / 1000),
		 (unsigned long long)expect);
	if (alert_engage(ifc, &a) >= 0)
		h->silent = 1;
}

/* One table's limit: engaged at a refusal, released after a quiet
 * minute. */
static void
health_table(struct iface *ifc, const char *which, uint64_t dropped,
	     uint64_t *seen, uint64_t *last_ms, uint8_t *engaged, uint32_t max,
	     uint64_t now)
{
	char ifid[16];
	struct alert a;

	snprintf(ifid, sizeof(ifid), "%d", ifc->id);
	if (dropped != *seen) {
		uint64_t n = dropped - *seen;

		*seen = dropped;
		*last_ms = now;
		health_alert(&a, ALERT_TABLE_FULL, ALERT_ENT_INTERFACE, ifid,
			     which);
		a.value = (double)dropped;
		a.threshold = max;
		snprintf(a.msg, sizeof(a.msg),
			 "%s table full (limit %u): %llu new entries refused "
			 "(%llu in the last second)",
			 which, max, (unsigned long long)dropped,
			 (unsigned long long)n);
		if (alert_engage(ifc, &a) >= 0)
			*engaged = 1;
	} else if (*engaged && now - *last_ms >= HEALTH_QUIET_MS) {
		alert_release(ifc, ALERT_TABLE_FULL, ALERT_ENT_INTERFACE, ifid,
			      which, now / 1000);
		*engaged = 0;
	}
}

/* ZMQ msg-id drops: counted per minute window. */
static void
health_drops(struct iface *ifc, struct health *h, uint64_t total, uint64_t now)
{
	char ifid[16];
	struct alert a;

	if (total < h->msg_drops) /* a source was reset: start again */
		h->msg_drops = total;
	h->drops_win += total - h->msg_drops;
	h->msg_drops = total;
	if (h->drops_win_ms == 0)
		h->drops_win_ms = now;
	snprintf(ifid, sizeof(ifid), "%d", ifc->id);
	if (h->drops_win > HEALTH_DROPS_PER_MIN) {
		health_alert(&a, ALERT_MSG_DROPS, ALERT_ENT_INTERFACE, ifid,
			     "msg_drops");
		a.value = (double)h->drops_win;
		a.threshold = HEALTH_DROPS_PER_MIN;
		snprintf(a.msg, sizeof(a.msg),
			 "%llu ZMQ messages lost (msg-id gaps) within a "
			 "minute, threshold %d",
			 (unsigned long long)h->drops_win,
			 HEALTH_DROPS_PER_MIN);
		if (alert_engage(ifc, &a) >= 0)
			h->drops_engaged = 1;
		h->drops_quiet_ms = now;
	} else if (h->drops_engaged &&
		   now - h->drops_quiet_ms >= HEALTH_QUIET_MS) {
		alert_release(ifc, ALERT_MSG_DROPS, ALERT_ENT_INTERFACE, ifid,
			      "msg_drops", now / 1000);
		h->drops_engaged = 0;
	}
	if (now - h->drops_win_ms >= 60000) {
		h->drops_win_ms = now;
		h->drops_win = 0;
	}
}

/* Hierarchy links that went down or came back this tick (a peer node's
 * events, docs/hierarchy.md "Liveness"): the source_silent alert, with
 * "<endpoint> <node id>" as its entity, metric "link". */
static void
health_links(struct iface *ifc, const struct source_tick *t, uint64_t now)
{
	for (int i = 0; i < t->n_links; i++) {
		const struct source_link_event *e = &t->links[i];
		struct alert a;

		if (!e->down) {
			alert_release(ifc, ALERT_SOURCE_SILENT,
				      ALERT_ENT_SOURCE, e->name, "link",
				      now / 1000);
			continue;
		}
		health_alert(&a, ALERT_SOURCE_SILENT, ALERT_ENT_SOURCE, e->name,
			     "link");
		a.value = (double)e->quiet_ms / 1000;
		a.threshold = (double)e->expect_ms / 1000;
		snprintf(a.msg, sizeof(a.msg),
			 "link %.120s down: no message for %llu s (a heartbeat "
			 "every second, down after %llu s)",
			 e->name, (unsigned long long)(e->quiet_ms / 1000),
			 (unsigned long long)(e->expect_ms / 1000));
		alert_engage(ifc, &a);
	}
}

void
health_tick(struct iface *ifc, uint64_t wall_ms, const struct source_tick *t)
{
	struct health *h = &ifc->health;

	for (int i = 0; i < ifc->n_sources && i < IFACE_MAX_SOURCES; i++)
		if (health_watched(ifc->sources[i]))
			health_source(ifc, ifc->sources[i], &ifc->health_src[i],
				      wall_ms, t->probe_idle_ms);
	health_table(ifc, "hosts", ifc->stats.hosts_dropped, &h->hosts_dropped,
		     &h->hosts_refused_ms, &h->hosts_full, ifc->max_hosts,
		     wall_ms);
	health_table(ifc, "flows", ifc->stats.flows_dropped, &h->flows_dropped,
		     &h->flows_refused_ms, &h->flows_full, ifc->max_flows,
		     wall_ms);
	health_drops(ifc, h, t->msg_drops, wall_ms);
	health_links(ifc, t, wall_ms);
}
