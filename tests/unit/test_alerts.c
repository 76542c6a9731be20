/*
 * test_alerts.c - the alert core (merge/alerts.c), threshold rules
 * (merge/alerts_thr.c) and the RFC 5424 line (exporter/alerts_store.c)
 * against a detached interface whose only sink records the past alerts
 * handed to it: engage / update / release keep one row per engagement
 * with its peak; a rule engages at the first boundary whose growth holds
 * and releases at the first that does not; -H raises nothing; the engaged
 * set is bounded and counts its drops; rules' JSON is validated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/prefs.h"
#include "exporter/alerts_store.h"
#include "merge/alerts.h"
#include "merge/alerts_thr.h"
#include "merge/iface.h"
/* white-box: sets the interface's counters and clock */
#include "merge/iface_priv.h"
#include "capture/decode.h"
#include "merge/sink.h"

static struct prefs p;
static struct iface *ifc;
static struct alert got[8];
static int n_got;

static void
rec_alert(void *ctx, const struct alert *a)
{
	(void)ctx;
	if (n_got < 8)
		got[n_got] = *a;
	n_got++;
}

static int n_eng; /* alert_engaged calls */

static void
rec_engaged(void *ctx, const struct alert *a)
{
	(void)ctx;
	assert_int_equal(a->tstamp_end, 0);
	n_eng++;
}

static const struct iface_sink_ops rec_ops = { .name = "rec",
					       .alert = rec_alert,
					       .alert_engaged = rec_engaged };

static int
setup(void **state)
{
	(void)state;
	prefs_init(&p);
	snprintf(node_id, sizeof(node_id), "unit");
	ifc = iface_new_detached("alerts", &p);
	assert_non_null(ifc);
	assert_int_equal(iface_add_sink(ifc, &rec_ops, NULL), 0);
	n_got = 0;
	n_eng = 0;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	iface_free(ifc);
	prefs_fini(&p);
	return 0;
}

static struct alert
mk(const char *val, double v)
{
	struct alert a;

	memset(&a, 0, sizeof(a));
	a.type = ALERT_THRESHOLD;
	a.entity = ALERT_ENT_HOST;
	snprintf(a.entity_val, sizeof(a.entity_val), "%s", val);
	snprintf(a.metric, sizeof(a.metric), "bytes");
	a.value = v;
	a.threshold = 10;
	return a;
}

static void
test_engage_release(void **state)
{
	struct alert a = mk("10.0.0.1", 50);
	struct alert_stats st;

	(void)state;
	assert_int_equal(alert_engage(ifc, &a), 1);
	a.value = 80;
	assert_int_equal(alert_engage(ifc, &a), 0); /* same key: update */
	a.value = 20;
	assert_int_equal(alert_engage(ifc, &a), 0);
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 1);
	assert_int_equal(st.engaged_by_sev[ALERT_SEV_WARNING], 1);
	assert_int_equal(n_got, 0); /* engaged alerts stay in the tables */
	assert_true(alert_is_engaged(ifc, ALERT_THRESHOLD, ALERT_ENT_HOST,
				     "10.0.0.1", "bytes"));
	assert_false(alert_is_engaged(ifc, ALERT_THRESHOLD, ALERT_ENT_HOST,
				      "10.0.0.1", "packets"));
	assert_int_equal(alert_release(ifc, ALERT_THRESHOLD, ALERT_ENT_HOST,
				       "10.0.0.1", "bytes", 0),
			 1);
	assert_int_equal(alert_release(ifc, ALERT_THRESHOLD, ALERT_ENT_HOST,
				       "10.0.0.1", "bytes", 0),
			 0);
	assert_int_equal(n_got, 1);
	assert_true(got[0].peak == 80 && got[0].value == 20);
	assert_true(got[0].tstamp_end >= got[0].tstamp && got[0].tstamp > 0);
	assert_string_equal(got[0].node_id, "unit");
	assert_int_equal(got[0].severity, ALERT_SEV_WARNING);
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 0);
	assert_int_equal(st.released, 1);
	/* one-shot */
	a = mk("10.0.0.2", 5);
	a.entity = ALERT_ENT_FLOW;
	a.type = ALERT_FLOW_RISK;
	a.tstamp = 1000;
	assert_int_equal(alert_record(ifc, &a), 0);
	assert_int_equal(n_got, 2);
	assert_true(got[1].tstamp == 1000 && got[1].tstamp_end == 1000);
	alert_get_stats(ifc, &st);
	assert_int_equal(st.flow_alerts, 1);
	assert_int_equal(st.engaged, 0);
}

static void
test_bounded(void **state)
{
	struct alert_stats st;
	char v[32];
	int i;

	(void)state;
	for (i = 0; i < ALERT_MAX_ENGAGED + 5; i++) {
		struct alert a;

		snprintf(v, sizeof(v), "10.1.%d.%d", i / 256, i % 256);
		a = mk(v, 1);
		assert_int_equal(alert_engage(ifc, &a),
				 i < ALERT_MAX_ENGAGED ? 1 : -1);
	}
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, ALERT_MAX_ENGAGED);
	assert_int_equal(st.dropped, 5);
	/* a release from the middle keeps the others findable */
	assert_int_equal(alert_release(ifc, ALERT_THRESHOLD, ALERT_ENT_HOST,
				       "10.1.0.7", "bytes", 0),
			 1);
	assert_true(alert_is_engaged(ifc, ALERT_THRESHOLD, ALERT_ENT_HOST,
				     "10.1.0.8", "bytes"));
	assert_true(alert_is_engaged(ifc, ALERT_THRESHOLD, ALERT_ENT_HOST,
				     "10.1.15.255", "bytes"));
}

static void
test_disabled(void **state)
{
	struct alert a = mk("10.0.0.1", 50);
	struct alert_stats st;

	(void)state;
	p.disable_alerts = 1;
	assert_int_equal(alert_engage(ifc, &a), 0);
	assert_int_equal(alert_record(ifc, &a), 0);
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 0);
	assert_int_equal(n_got, 0);
	p.disable_alerts = 0;
}

static void
add_rule(const char *js, struct alert_thr *r)
{
	json_t *o = json_loads(js, 0, NULL);
	char why[128];

	assert_non_null(o);
	assert_int_equal(alert_thr_from_json(o, r, why, sizeof(why)), 0);
	json_decref(o);
}

static void
test_threshold_tick(void **state)
{
	const uint64_t t0 = 1700000000000ull + 5000; /* 5 s into a minute */
	struct alert_thr r;
	struct alert_stats st;

	(void)state;
	add_rule("{\"ifid\":0,\"entity\":\"interface\",\"metric\":\"bytes\","
		 "\"granularity\":\"min\",\"operator\":\"gt\",\"threshold\":100}",
		 &r);
	r.id = 7;
	ifc->wall_ms = t0;
	ifc->stats.bytes = 1000;
	assert_int_equal(alert_thr_add(ifc, &r), 0);
	assert_int_equal(alert_thr_add(ifc, &r), -2); /* same key */
	ifc->stats.bytes += 500;
	alert_thr_tick(ifc, t0 + 30000); /* same minute: no check */
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 0);
	alert_thr_tick(ifc, t0 + 56000); /* boundary: +500 > 100 */
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 1);
	ifc->stats.bytes += 300;
	alert_thr_tick(ifc, t0 + 116000); /* +300: still, one row */
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 1);
	assert_int_equal(st.raised, 1);
	alert_thr_tick(ifc, t0 + 176000); /* +0: released */
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 0);
	assert_int_equal(n_got, 1);
	assert_true(got[0].peak == 500 && got[0].value == 300);
	assert_true(got[0].threshold == 100);
	assert_string_equal(got[0].metric, "bytes");
	assert_int_equal(got[0].entity, ALERT_ENT_INTERFACE);
	assert_int_equal(got[0].tstamp_end, (t0 + 176000) / 1000);
	/* lt: no traffic holds "packets lt 10" */
	add_rule("{\"ifid\":0,\"entity\":\"interface\",\"metric\":\"packets\","
		 "\"granularity\":\"5mins\",\"operator\":\"lt\",\"threshold\":"
		 "\"10\"}",
		 &r);
	r.id = 8;
	assert_int_equal(alert_thr_add(ifc, &r), 0);
	alert_thr_tick(ifc, t0 + 300000);
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 1);
	/* deleting the rule releases its alert */
	assert_int_equal(alert_thr_del(ifc, 8), 1);
	assert_int_equal(alert_thr_del(ifc, 8), 0);
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 0);
	assert_int_equal(n_got, 2);
}

/* A UDP packet of len bytes from src to dst at ts_ms. */
static void
udp(const char *src, const char *dst, uint32_t len, uint64_t ts_ms)
{
	struct pkt k;

	memset(&k, 0, sizeof(k));
	assert_int_equal(ipaddr_parse(&k.src, src), 0);
	assert_int_equal(ipaddr_parse(&k.dst, dst), 0);
	k.ip_version = 4;
	k.l4_proto = 17;
	k.sport = 5000;
	k.dport = 53;
	k.ports_known = 1;
	k.wire_len = k.cap_len = len;
	k.ts_us = ts_ms * 1000;
	iface_packet(ifc, &k, DECODE_IP);
}

/* "local" rules: each local host's own growth, one alert per host keyed by
 * its address; remote hosts are not in it; a rule naming a host wins over
 * the scope for that host; deleting the rule releases what it engaged. */
static void
test_threshold_scope(void **state)
{
	const uint64_t t0 = 1700000000000ull + 5000;
	struct alert_thr r;
	struct alert_stats st;

	(void)state;
	/* prefs_init: 192.168.1.0/24 is the local network */
	udp("192.168.1.10", "203.0.113.5", 4000, 1000); /* before: baseline */
	add_rule("{\"ifid\":0,\"entity\":\"host\",\"entity_val\":\"local\","
		 "\"metric\":\"bytes\",\"granularity\":\"min\","
		 "\"operator\":\"gt\",\"threshold\":500}",
		 &r);
	r.id = 9;
	ifc->wall_ms = t0;
	assert_int_equal(alert_thr_add(ifc, &r), 0);
	udp("192.168.1.10", "203.0.113.5", 1000, 2000);
	udp("192.168.1.20", "203.0.113.5", 50, 2001);
	udp("192.168.1.30", "203.0.113.5", 900, 2002); /* new since: all */
	alert_thr_tick(ifc, t0 + 56000);
	alert_get_stats(ifc, &st);
	/* .10 (+1000) and .30 (+900); not .20 (+50) nor 203.0.113.5 */
	assert_int_equal(st.engaged, 2);
	/* a rule naming .20 takes it over */
	add_rule("{\"ifid\":0,\"entity\":\"host\",\"entity_val\":"
		 "\"192.168.1.20\",\"metric\":\"bytes\",\"granularity\":"
		 "\"min\",\"operator\":\"lt\",\"threshold\":10000}",
		 &r);
	r.id = 10;
	assert_int_equal(alert_thr_add(ifc, &r), 0);
	udp("192.168.1.10", "203.0.113.5", 800, 3000);
	udp("192.168.1.20", "203.0.113.5", 700, 3001); /* > 500, < 10000 */
	alert_thr_tick(ifc, t0 + 116000);
	alert_get_stats(ifc, &st);
	/* .10 still, .30 released (+0), .20 engaged by rule 10 (lt) */
	assert_int_equal(st.engaged, 2);
	assert_int_equal(n_got, 1);
	assert_string_equal(got[0].entity_val, "192.168.1.30");
	assert_true(got[0].value == 900 && got[0].threshold == 500);
	assert_int_equal(got[0].entity, ALERT_ENT_HOST);
	/* deleting the scope rule releases .10, not the other rule's .20 */
	assert_int_equal(alert_thr_del(ifc, 9), 1);
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 1);
	assert_int_equal(n_got, 2);
	assert_string_equal(got[1].entity_val, "192.168.1.10");
	assert_true(got[1].peak == 1000 && got[1].value == 800);
	/* "remote": 203.0.113.5 only */
	add_rule("{\"ifid\":0,\"entity\":\"host\",\"entity_val\":"
		 "\"remote\",\"metric\":\"packets\",\"granularity\":\"min\","
		 "\"operator\":\"gt\",\"threshold\":1}",
		 &r);
	r.id = 11;
	assert_int_equal(alert_thr_add(ifc, &r), 0);
	udp("192.168.1.10", "203.0.113.5", 100, 4000);
	udp("192.168.1.10", "203.0.113.5", 100, 4001);
	alert_thr_tick(ifc, t0 + 176000);
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 2); /* .20 (rule 10) and 203.0.113.5 */
}

/* Peers' alerts (the alert topic): engaged ones keyed with their node id
 * (two edges' alerts on one address stay apart, and apart from ours), a
 * refresh updates, the end replaces the engaged copy by the edge's past
 * row, silence past ALERT_REMOTE_TTL_S ends them here; the engaged set is
 * re-announced to alert_engaged sinks every ALERT_REFRESH_S. */
static void
test_peer_alerts(void **state)
{
	uint64_t now = (uint64_t)time(NULL);
	struct alert a = mk("10.0.0.1", 50), b;
	struct alert_stats st;

	(void)state;
	assert_int_equal(alert_engage(ifc, &a), 1); /* ours */
	assert_int_equal(n_eng, 1);
	snprintf(a.node_id, sizeof(a.node_id), "e1");
	snprintf(a.site_path, sizeof(a.site_path), "e1");
	a.tstamp = now - 5;
	assert_int_equal(alert_from_peer(ifc, &a), 0);
	b = a;
	snprintf(b.node_id, sizeof(b.node_id), "e2");
	snprintf(b.site_path, sizeof(b.site_path), "r1>e2");
	assert_int_equal(alert_from_peer(ifc, &b), 0);
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 3);
	assert_int_equal(n_eng, 3);
	a.value = 80; /* a refresh: updated, not a new one */
	assert_int_equal(alert_from_peer(ifc, &a), 0);
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 3);
	assert_int_equal(n_eng, 3);
	/* e1's end: its past row as it sent it, the engaged copy gone */
	a.tstamp_end = now - 1;
	a.peak = 90;
	assert_int_equal(alert_from_peer(ifc, &a), 0);
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 2);
	assert_int_equal(n_got, 1);
	assert_string_equal(got[0].node_id, "e1");
	assert_true(got[0].peak == 90 && got[0].tstamp_end == now - 1);
	/* ours is still engaged, released as ours only */
	assert_int_equal(alert_is_engaged(ifc, ALERT_THRESHOLD, ALERT_ENT_HOST,
					  "10.0.0.1", "bytes"),
			 1);
	/* re-announcement: at once (first pass), then every 10 s */
	alert_tick(ifc, now * 1000);
	assert_int_equal(n_eng, 5);
	alert_tick(ifc, now * 1000 + 1000);
	assert_int_equal(n_eng, 5);
	alert_tick(ifc, (now + ALERT_REFRESH_S) * 1000 + 1000);
	assert_int_equal(n_eng, 7);
	/* e2 silent past the TTL: ended here, ours stays */
	alert_tick(ifc, (now + ALERT_REMOTE_TTL_S + 2) * 1000);
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 1);
	assert_int_equal(n_got, 2);
	assert_string_equal(got[1].node_id, "e2");
	assert_string_equal(got[1].site_path, "r1>e2");
	assert_true(got[1].tstamp_end >= now && got[1].tstamp_end <= now + 2);
	assert_non_null(strstr(got[1].msg, "(no longer reported by e2)"));
	assert_int_equal(alert_release(ifc, ALERT_THRESHOLD, ALERT_ENT_HOST,
				       "10.0.0.1", "bytes", 0),
			 1);
	alert_get_stats(ifc, &st);
	assert_int_equal(st.engaged, 0);
}

static void
test_rule_json(void **state)
{
	static const char *const bad[] = {
		"[]",
		"{\"entity\":\"host\",\"entity_val\":\"a\",\"metric\":\"bytes\","
		"\"granularity\":\"min\",\"operator\":\"gt\",\"threshold\":1}",
		"{\"ifid\":0,\"entity\":\"flow\",\"entity_val\":\"a\","
		"\"metric\":\"bytes\",\"granularity\":\"min\",\"operator\":\"gt\","
		"\"threshold\":1}",
		"{\"ifid\":0,\"entity\":\"host\",\"metric\":\"bytes\","
		"\"granularity\":\"min\",\"operator\":\"gt\",\"threshold\":1}",
		"{\"ifid\":0,\"entity\":\"host\",\"entity_val\":\"a\","
		"\"metric\":\"dns\",\"granularity\":\"min\",\"operator\":\"gt\","
		"\"threshold\":1}",
		"{\"ifid\":0,\"entity\":\"host\",\"entity_val\":\"a\","
		"\"metric\":\"bytes\",\"granularity\":\"week\",\"operator\":"
		"\"gt\",\"threshold\":1}",
		"{\"ifid\":0,\"entity\":\"host\",\"entity_val\":\"a\","
		"\"metric\":\"bytes\",\"granularity\":\"min\",\"operator\":"
		"\"eq\",\"threshold\":1}",
		"{\"ifid\":0,\"entity\":\"host\",\"entity_val\":\"a\","
		"\"metric\":\"bytes\",\"granularity\":\"min\",\"operator\":"
		"\"gt\",\"threshold\":-1}",
		"{\"ifid\":0,\"entity\":\"host\",\"entity_val\":\"a\\nb\","
		"\"metric\":\"bytes\",\"granularity\":\"min\",\"operator\":"
		"\"gt\",\"threshold\":1}",
	};
	struct alert_thr r;
	char why[128];
	json_t *o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = json_loads(bad[i], 0, NULL);
		assert_non_null(o);
		why[0] = '\0';
		assert_int_equal(alert_thr_from_json(o, &r, why, sizeof(why)),
				 -1);
		assert_true(why[0] != '\0');
		json_decref(o);
	}
	add_rule("{\"ifid\":0,\"entity\":\"host\",\"entity_val\":\"10.0.0.1\","
		 "\"metric\":\"icmp\",\"granularity\":\"min\",\"operator\":\"gt\","
		 "\"threshold\":5}",
		 &r);
	assert_int_equal(r.metric, THR_ICMP);
	add_rule("{\"ifid\":0,\"entity\":\"network\",\"entity_val\":\"lan\","
		 "\"metric\":\"score\",\"granularity\":\"hour\",\"operator\":\"gt\","
		 "\"threshold\":100}",
		 &r);
	assert_int_equal(r.metric, THR_SCORE);
	o = json_loads("{\"ifid\":0,\"entity\":\"site\",\"entity_val\":\"e1\","
		       "\"metric\":\"score\",\"granularity\":\"min\",\"operator\":"
		       "\"gt\",\"threshold\":5}",
		       0, NULL);
	assert_int_equal(alert_thr_from_json(o, &r, why, sizeof(why)), -1);
	assert_string_equal(why, "metric: score exists for a host or a network");
	json_decref(o);
	o = json_loads("{\"ifid\":0,\"entity\":\"interface\",\"metric\":"
		       "\"icmp\",\"granularity\":\"min\",\"operator\":\"gt\","
		       "\"threshold\":5}",
		       0, NULL);
	assert_int_equal(alert_thr_from_json(o, &r, why, sizeof(why)), -1);
	json_decref(o);
	add_rule("{\"ifid\":\"2\",\"entity\":\"site\",\"entity_val\":\"edge1\","
		 "\"metric\":\"throughput\",\"granularity\":\"hour\","
		 "\"operator\":\"lt\",\"threshold\":1.5,\"id\":4}",
		 &r);
	assert_int_equal(r.ifid, 2);
	assert_int_equal(r.id, 4);
	assert_true(alert_thr_holds(&r, 1.0));
	assert_false(alert_thr_holds(&r, 1.5));
	o = alert_thr_to_json(&r);
	assert_string_equal(json_string_value(json_object_get(o, "granularity")),
			    "hour");
	json_decref(o);
}

static void
test_rfc5424(void **state)
{
	struct alert a = mk("h\"o]s\\t", 2048);
	char line[2048], host[64], port[8], why[64];

	(void)state;
	a.id = 3;
	a.peak = 4096;
	a.tstamp = 1700000000;
	a.tstamp_end = 1700000060;
	a.severity = ALERT_SEV_WARNING;
	snprintf(a.msg, sizeof(a.msg), "crossed");
	snprintf(a.node_id, sizeof(a.node_id), "n1");
	assert_int_equal(alerts_rfc5424(line, sizeof(line), &a, "box", 42), 0);
	assert_string_equal(
		line, "<28>1 2023-11-14T22:14:20Z box ntopng 42 threshold_cross "
		      "[alert@32473 id=\"3\" ifid=\"0\" type=\"2\" "
		      "type_key=\"threshold_cross\" severity=\"warning\" "
		      "entity=\"host\" entity_val=\"h\\\"o\\]s\\\\t\" "
		      "metric=\"bytes\" value=\"2048\" threshold=\"10\" "
		      "peak=\"4096\" tstamp=\"1700000000\" "
		      "tstamp_end=\"1700000060\" site_path=\"\" "
		      "node_id=\"n1\"] crossed");
	assert_int_equal(alerts_rfc5424(line, 64, &a, "box", 42), -1);
	assert_int_equal(alerts_syslog_parse("udp://127.0.0.1:514", host,
					     sizeof(host), port, sizeof(port),
					     why, sizeof(why)),
			 0);
	assert_string_equal(host, "127.0.0.1");
	assert_string_equal(port, "514");
	assert_int_equal(alerts_syslog_parse("udp://[::1]:5514", host,
					     sizeof(host), port, sizeof(port),
					     why, sizeof(why)),
			 0);
	assert_string_equal(host, "::1");
	assert_int_equal(alerts_syslog_parse("tcp://h:1", host, sizeof(host),
					     port, sizeof(port), why,
					     sizeof(why)),
			 -1);
	assert_int_equal(alerts_syslog_parse("udp://h:99999", host,
					     sizeof(host), port, sizeof(port),
					     why, sizeof(why)),
			 -1);
	assert_int_equal(alerts_syslog_parse("udp://h", host, sizeof(host),
					     port, sizeof(port), why,
					     sizeof(why)),
			 -1);
}

/* The `alert` topic: a round trip, and what a hostile peer may send. */
static void
test_wire(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"type\":2}",
		"not json",
		/* severity out of range */
		"{\"type\":2,\"severity\":9,\"entity\":1,\"entity_val\":\"a\","
		"\"metric\":\"m\",\"value\":1,\"threshold\":1,\"peak\":1,"
		"\"tstamp\":1,\"tstamp_end\":2,\"msg\":\"\",\"site_path\":\"e\","
		"\"node_id\":\"e\"}",
		/* type as a string */
		"{\"type\":\"2\",\"severity\":4,\"entity\":1,\"entity_val\":\"a\","
		"\"metric\":\"m\",\"value\":1,\"threshold\":1,\"peak\":1,"
		"\"tstamp\":1,\"tstamp_end\":2,\"msg\":\"\",\"site_path\":\"e\","
		"\"node_id\":\"e\"}",
		/* no node id */
		"{\"type\":2,\"severity\":4,\"entity\":1,\"entity_val\":\"a\","
		"\"metric\":\"m\",\"value\":1,\"threshold\":1,\"peak\":1,"
		"\"tstamp\":1,\"tstamp_end\":2,\"msg\":\"\",\"site_path\":\"e\","
		"\"node_id\":\"\"}",
		/* entity out of range, duplicate key */
		"{\"type\":2,\"severity\":4,\"entity\":6,\"entity_val\":\"a\","
		"\"metric\":\"m\",\"value\":1,\"threshold\":1,\"peak\":1,"
		"\"tstamp\":1,\"tstamp_end\":2,\"msg\":\"\",\"site_path\":\"e\","
		"\"node_id\":\"e\"}",
		"{\"type\":2,\"type\":2,\"severity\":4,\"entity\":1,"
		"\"entity_val\":\"a\",\"metric\":\"m\",\"value\":1,"
		"\"threshold\":1,\"peak\":1,\"tstamp\":1,\"tstamp_end\":2,"
		"\"msg\":\"\",\"site_path\":\"e\",\"node_id\":\"e\"}",
	};
	struct alert a = mk("10.0.0.1", 50), b;
	char *txt, longval[300];
	size_t i;

	(void)state;
	a.severity = ALERT_SEV_ERROR;
	a.peak = 60;
	a.tstamp = 100;
	a.tstamp_end = 160;
	snprintf(a.msg, sizeof(a.msg), "m \"q\"");
	snprintf(a.node_id, sizeof(a.node_id), "edge1");
	txt = alert_wire_json(&a, "edge1>mid");
	assert_non_null(txt);
	assert_int_equal(alert_from_wire(txt, strlen(txt), &b), 0);
	free(txt);
	assert_int_equal(b.type, a.type);
	assert_int_equal(b.severity, ALERT_SEV_ERROR);
	assert_int_equal(b.entity, ALERT_ENT_HOST);
	assert_string_equal(b.entity_val, "10.0.0.1");
	assert_string_equal(b.msg, "m \"q\"");
	assert_string_equal(b.site_path, "edge1>mid");
	assert_string_equal(b.node_id, "edge1");
	assert_true(b.value == 50 && b.peak == 60 && b.threshold == 10);
	assert_true(b.tstamp == 100 && b.tstamp_end == 160);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(alert_from_wire(bad[i], strlen(bad[i]), &b), -1);
	memset(longval, 'x', sizeof(longval) - 1);
	longval[sizeof(longval) - 1] = '\0';
	snprintf(a.entity_val, sizeof(a.entity_val), "%s", "ok");
	txt = alert_wire_json(&a, longval); /* site path too long */
	assert_non_null(txt);
	assert_int_equal(alert_from_wire(txt, strlen(txt), &b), -1);
	free(txt);
	/* a relayed alert keeps its end through alert_record */
	a.tstamp = 100;
	a.tstamp_end = 160;
	assert_int_equal(alert_record(ifc, &a), 0);
	assert_int_equal(n_got, 1);
	assert_true(got[0].tstamp == 100 && got[0].tstamp_end == 160);
	assert_string_equal(got[0].node_id, "edge1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_engage_release, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threshold_tick, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_threshold_scope, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_peer_alerts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rule_json, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rfc5424, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wire, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
