/*
 * test_sinks.c - the exporter's sinks (merge/sink.h) against a fake
 * interface: a detached interface with the storage sinks registered, whose
 * ops are driven with hand-made flow_rec / host_snapshot values; the test
 * reads back the SQLite rows, host-cache keys and RRD file they produce,
 * and sees a host's old counters come back through iface_host_restore().
 * Also: a stalled host-cache worker does not hold up SQLite.
 *
 * The host cache runs on the embedded store (-r points at a closed port),
 * so no Redis is needed.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "common/log.h"
#include "common/timeutil.h"
#include "common/prefs.h"
#include "state/kv.h"
#include "exporter/storage.h"
#include "exporter/writer.h"
#include "merge/iface.h"
/* white-box: reads and sets the private layout of struct iface (the
 * tables, counters and clocks under test) */
#include "merge/iface_priv.h"
#include "merge/sink.h"
#include "merge/tables.h"

static char tmpdir[] = "/tmp/ntopng-unit-sinks-XXXXXX";
static struct prefs p;
static struct iface *ifc;

static int
setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	prefs_init(&p);
	free(p.data_dir);
	p.data_dir = strdup(tmpdir);
	free(p.redis);
	p.redis = strdup("127.0.0.1:1");    /* refused: embedded store */
	p.dump_flows = 1;
	p.dump_hosts = PREFS_MODE_LOCAL;
	netlist_fini(&p.local_nets);
	netlist_init(&p.local_nets);
	assert_int_equal(netlist_add(&p.local_nets, "192.168.1.0/24", NULL, 0), 0);
	snprintf(node_id, sizeof(node_id), "unit");
	assert_int_equal(kv_open(&p), 0);
	assert_int_equal(storage_open(&p), 0);
	ifc = iface_new_detached("eth-test", &p);
	assert_non_null(ifc);
	assert_int_equal(writer_iface_set(0, "eth-test"), 0);
	assert_int_equal(storage_sink_add(ifc), 0);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	storage_close();
	iface_free(ifc);
	kv_close();
	prefs_fini(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static const struct iface_sink *
sink_named(const char *name)
{
	int i;

	for (i = 0; i < ifc->n_sinks; i++)
		if (strcmp(ifc->sinks[i].ops->name, name) == 0)
			return &ifc->sinks[i];
	fail_msg("no sink %s", name);
	return NULL;
}

/* The three storage sinks registered, each for its kind of record. */
static void
test_registration(void **state)
{
	(void)state;
	assert_int_equal(ifc->n_sinks, 3);
	assert_non_null(sink_named("hostcache")->ops->host_purged);
	assert_non_null(sink_named("sqlite")->ops->flow_expired);
	assert_non_null(sink_named("rrd")->ops->tick);
	assert_true(ifc->want_expired && ifc->want_host_new &&
		    ifc->want_host_purged);
	assert_false(ifc->want_exported);      /* no -I */
}

static int64_t
one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* A hand-made expired flow becomes one flow row and, with -D local, the
 * contact of its local endpoint only. */
static void
test_sqlite_rows(void **state)
{
	const struct iface_sink *s = sink_named("sqlite");
	struct flow_rec r;
	char path[4096];
	sqlite3 *db;
	sqlite3_stmt *st;
	time_t now = time(NULL);

	(void)state;
	memset(&r, 0, sizeof(r));
	r.ip_version = 4;
	r.l4_proto = 17;
	assert_int_equal(ipaddr_parse(&r.cli, "192.168.1.10"), 0);
	assert_int_equal(ipaddr_parse(&r.srv, "8.8.8.8"), 0);
	r.cli_port = 5000;
	r.srv_port = 53;
	r.c2s_bytes = 100;
	r.s2c_bytes = 250;
	r.c2s_pkts = 1;
	r.s2c_pkts = 2;
	r.first_ms = (uint64_t)now * 1000 - 2000;
	r.last_ms = (uint64_t)now * 1000;
	r.l7_master = 5;
	r.cli_host = r.cli_local = 1;
	r.srv_host = 1;
	snprintf(r.l7_name, sizeof(r.l7_name), "DNS");
	snprintf(r.info, sizeof(r.info), "example.org");
	s->ops->flow_expired(s->ctx, &r);
	assert_int_equal(writer_drain(10000), 0);

	assert_int_equal(writer_day_path(path, sizeof(path), writer_iface_dir(0),
					 "flows", now), 0);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT cli_ip, cli_port, srv_ip, srv_port, proto, bytes, "
		"cli2srv_bytes, srv2cli_bytes, l7_name, info, ifname FROM flows",
		-1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "192.168.1.10");
	assert_int_equal(sqlite3_column_int(st, 1), 5000);
	assert_string_equal((const char *)sqlite3_column_text(st, 2), "8.8.8.8");
	assert_int_equal(sqlite3_column_int(st, 3), 53);
	assert_int_equal(sqlite3_column_int(st, 4), 17);
	assert_int_equal(sqlite3_column_int64(st, 5), 350);
	assert_int_equal(sqlite3_column_int64(st, 6), 100);
	assert_int_equal(sqlite3_column_int64(st, 7), 250);
	assert_string_equal((const char *)sqlite3_column_text(st, 8), "DNS");
	assert_string_equal((const char *)sqlite3_column_text(st, 9), "example.org");
	assert_string_equal((const char *)sqlite3_column_text(st, 10), "eth-test");
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);

	assert_int_equal(writer_day_path(path, sizeof(path), writer_iface_dir(0),
					 "contacts", now), 0);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(one_int(db, "SELECT count(*) FROM contacts"), 1);
	assert_int_equal(one_int(db, "SELECT bytes_rcvd FROM contacts WHERE "
				 "host_ip = '192.168.1.10' AND peer_ip = '8.8.8.8'"), 250);
	sqlite3_close(db);
}

/* A purged host's snapshot lands under its key in the host cache; when
 * the host comes back to the (fake) interface, its old counters come back
 * through iface_host_restore() and add to the new traffic. */
static void
test_hostcache_roundtrip(void **state)
{
	const struct iface_sink *s = sink_named("hostcache");
	struct host_snapshot h;
	struct host_snapshot_l7 l7 = { .proto = 5, .num_flows = 3,
				       .bytes_sent = 600, .bytes_rcvd = 900 };
	struct flow_update u;
	struct host *hh;
	char id[256], key[512], *v;
	json_t *o;
	uint64_t merged, late;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(ipaddr_parse(&h.ip, "192.168.1.10"), 0);
	h.is_local = 1;
	h.first_ms = 1000000;
	h.last_ms = 2000000;
	h.c.bytes_sent = 1000;
	h.c.bytes_rcvd = 2000;
	h.c.pkts_sent = 10;
	h.c.pkts_rcvd = 20;
	h.udp = h.c;
	h.flows_as_client = 3;
	h.l7 = &l7;
	h.n_l7 = 1;
	snprintf(h.name, sizeof(h.name), "laptop");
	s->ops->host_purged(s->ctx, &h);
	assert_int_equal(writer_drain(10000), 0);

	assert_int_equal(storage_iface_id(0, id, sizeof(id)), 0);
	snprintf(key, sizeof(key), STORAGE_HOST_KEY, id, "192.168.1.10", 0);
	v = kv_get(key);
	assert_non_null(v);
	o = json_loads(v, 0, NULL);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "bytes.sent")), 1000);
	assert_int_equal(json_integer_value(json_object_get(o, "bytes.rcvd")), 2000);
	assert_string_equal(json_string_value(json_object_get(o, "name")), "laptop");
	assert_int_equal(json_integer_value(json_array_get(
		json_array_get(json_object_get(o, "ndpi"), 0), 2)), 600);
	json_decref(o);
	free(v);

	/* the host returns: its flow update makes the interface ask */
	memset(&u, 0, sizeof(u));
	u.ip_version = 4;
	u.l4_proto = 17;
	assert_int_equal(ipaddr_parse(&u.src, "192.168.1.10"), 0);
	assert_int_equal(ipaddr_parse(&u.dst, "8.8.4.4"), 0);
	u.sport = 4000;
	u.dport = 53;
	u.in_bytes = 70;
	u.in_pkts = 1;
	assert_int_equal(iface_flow_update(ifc, &u), 0);
	assert_int_equal(writer_drain(10000), 0);
	iface_restore_apply(ifc);
	hh = iface_host_find(ifc, &u.src, 0);
	assert_non_null(hh);
	assert_int_equal(hh->c.bytes_sent, 1070);
	assert_int_equal(hh->c.bytes_rcvd, 2000);
	assert_int_equal(hh->total_flows_cli, 4);
	assert_int_equal(hh->first_ms, 1000000);
	assert_non_null(hh->name);
	assert_string_equal(hh->name, "laptop");
	/* old traffic is in the time series already: baseline moved */
	assert_int_equal(hh->x->ts_sent, 1000);
	iface_restore_stats(&merged, &late);
	assert_int_equal(merged, 1);
	assert_int_equal(late, 0);
}

/* The RRD sink's first snapshot (at registration) and a tick make the
 * interface's series. */
static void
test_rrd_tick(void **state)
{
	const struct iface_sink *s = sink_named("rrd");
	char path[4096];
	struct stat st;

	(void)state;
	s->ops->tick(s->ctx, ifc, time_wall_ms() + 2000);
	assert_int_equal(writer_drain(10000), 0);
	assert_int_equal(writer_rrd_path(path, sizeof(path), writer_iface_dir(0),
					 "", "iface"), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 0);
}

static int kv_release;

/* The host-cache worker's callback, held until the test lets it go. */
static void
slow_restore(const struct writer_rec *r, char *value)
{
	int i;

	(void)r;
	free(value);
	for (i = 0; i < 1000 && !__atomic_load_n(&kv_release, __ATOMIC_ACQUIRE); i++)
		usleep(10000);
}

/* A stalled host cache (a Redis that does not answer) does not hold up
 * the flow history: each backend has its own queue and worker. */
static void
test_slow_kv_does_not_stall_sqlite(void **state)
{
	struct writer_rec r;
	struct writer_stats w0, w;
	int i;

	(void)state;
	writer_get_stats(&w0);
	memset(&r, 0, sizeof(r));
	r.kind = WREC_HOST_RESTORE;
	snprintf(r.u.restore.key, sizeof(r.u.restore.key), "unit.none");
	r.u.restore.done = slow_restore;
	assert_int_equal(writer_post(&r), 0);
	memset(&r, 0, sizeof(r));
	r.kind = WREC_FLOW;
	r.u.flow.l4_proto = 6;
	r.u.flow.ifname = "eth-test";
	snprintf(r.u.flow.cli, sizeof(r.u.flow.cli), "10.0.0.1");
	snprintf(r.u.flow.srv, sizeof(r.u.flow.srv), "10.0.0.2");
	for (i = 0; i < 50; i++) {
		r.u.flow.cli_port = (uint16_t)(2000 + i);
		r.u.flow.first_ms = r.u.flow.last_ms = (uint64_t)time(NULL) * 1000;
		assert_int_equal(writer_post(&r), 0);
	}
	for (i = 0; i < 300; i++) {
		writer_get_stats(&w);
		if (w.flows_written - w0.flows_written == 50)
			break;
		usleep(10000);
	}
	/* within 3 s, while the host cache is still stuck (10 s) */
	assert_int_equal(w.flows_written - w0.flows_written, 50);
	assert_int_equal(w.hosts_restored - w0.hosts_restored, 0);
	__atomic_store_n(&kv_release, 1, __ATOMIC_RELEASE);
	assert_int_equal(writer_drain(10000), 0);
}


/* ---- merge's side: a recording sink on another fake interface ---- */

static struct flow_rec seen_flow;
static struct host_snapshot seen_host;
static int n_expired, n_purged, n_new;

static void
rec_expired(void *ctx, const struct flow_rec *r)
{
	(*(int *)ctx)++;
	seen_flow = *r;
	n_expired++;
}

static void
rec_new(void *ctx, const struct host_snapshot *h)
{
	(void)ctx;
	(void)h;
	n_new++;
}

static void
rec_purged(void *ctx, const struct host_snapshot *h)
{
	(void)ctx;
	seen_host = *h;
	seen_host.l7 = NULL;         /* valid during the call only */
	n_purged++;
}

static const struct iface_sink_ops rec_ops = {
	.name = "recorder",
	.flow_expired = rec_expired,
	.host_new = rec_new,
	.host_purged = rec_purged,
};

/* A sink is one ops table and one registration; the interface hands it
 * values (the flow's counters and L7 name, the purged host's counters),
 * and -S, decided by merge, keeps the local host in memory. */
static void
test_recording_sink_and_sticky(void **state)
{
	struct prefs q = p;          /* shares p's local networks (read) */
	struct iface *x;
	struct flow_update u;
	struct ipaddr a;
	int calls = 0;

	(void)state;
	q.sticky_hosts = PREFS_MODE_LOCAL;
	x = iface_new_detached("rec", &q);
	assert_non_null(x);
	assert_int_equal(iface_add_sink(x, &rec_ops, &calls), 0);
	n_expired = n_purged = n_new = 0;
	memset(&u, 0, sizeof(u));
	u.ip_version = 4;
	u.l4_proto = 6;
	assert_int_equal(ipaddr_parse(&u.src, "192.168.1.20"), 0);
	assert_int_equal(ipaddr_parse(&u.dst, "203.0.113.9"), 0);
	u.sport = 40000;
	u.dport = 443;
	u.in_bytes = 1000;
	u.in_pkts = 10;
	u.out_bytes = 5000;
	u.out_pkts = 8;
	u.first_ms = 1000;
	u.last_ms = 2000;
	u.l7_master = 91;            /* TLS */
	u.info = "www.example.org";
	assert_int_equal(iface_flow_update(x, &u), 0);
	assert_int_equal(n_new, 2);
	tables_purge(x, UINT64_MAX / 2, 0);

	assert_int_equal(n_expired, 1);
	assert_int_equal(calls, 1);          /* ctx handed back */
	assert_int_equal(seen_flow.c2s_bytes, 1000);
	assert_int_equal(seen_flow.s2c_bytes, 5000);
	assert_int_equal(seen_flow.s2c_pkts, 8);
	assert_int_equal(seen_flow.srv_port, 443);
	assert_true(seen_flow.cli_host && seen_flow.cli_local);
	assert_true(seen_flow.srv_host && !seen_flow.srv_local);
	assert_string_equal(seen_flow.l7_name, "TLS");
	assert_string_equal(seen_flow.info, "www.example.org");
	assert_false(seen_flow.final);

	/* the remote host went to the sink, the local one stays (-S local) */
	assert_int_equal(n_purged, 1);
	assert_int_equal(ipaddr_parse(&a, "203.0.113.9"), 0);
	assert_memory_equal(&seen_host.ip, &a, sizeof(a));
	assert_int_equal(seen_host.c.bytes_sent, 5000);
	assert_int_equal(seen_host.c.bytes_rcvd, 1000);
	assert_int_equal(seen_host.tcp.bytes_sent, 5000);
	assert_int_equal(x->num_hosts, 1);
	assert_int_equal(ipaddr_parse(&a, "192.168.1.20"), 0);
	assert_non_null(iface_host_find(x, &a, 0));
	/* a restore for a host that is gone counts as late */
	{
		struct host_snapshot h;
		uint64_t merged0, late0, merged, late;

		memset(&h, 0, sizeof(h));
		assert_int_equal(ipaddr_parse(&h.ip, "203.0.113.9"), 0);
		h.c.bytes_sent = 1;
		iface_restore_stats(&merged0, &late0);
		assert_int_equal(iface_host_restore(x, &h), 0);
		iface_restore_apply(x);
		iface_restore_stats(&merged, &late);
		assert_int_equal(late, late0 + 1);
		assert_int_equal(merged, merged0);
	}
	iface_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registration),
		cmocka_unit_test(test_sqlite_rows),
		cmocka_unit_test(test_hostcache_roundtrip),
		cmocka_unit_test(test_rrd_tick),
		cmocka_unit_test(test_slow_kv_does_not_stall_sqlite),
		cmocka_unit_test(test_recording_sink_and_sticky),
	};

	log_verbosity = NLOG_WARN;
	return cmocka_run_group_tests(tests, setup, teardown);
}
