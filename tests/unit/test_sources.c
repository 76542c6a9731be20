/*
 * test_sources.c - the table of source kinds (merge/source.h): an -i
 * spec opens with the first kind that takes it, each kind's answer to
 * offline/live/historical is the interface's (iface_inputs), its label
 * makes ifname, its describe op adds the data.lua keys once per kind, and
 * a source's records reach the tables through the sink its read() gets.
 * Then the program's own table (sources/sources.c) on real inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/prefs.h"
#include "merge/iface.h"
/* white-box: reads and sets the private layout of struct iface (the
 * tables, counters and clocks under test) */
#include "merge/iface_priv.h"
#include "merge/query.h"
#include "merge/source.h"
#include "sources/sources.h"

static struct prefs test_prefs;

/* ---- two fake kinds: "live://" and "file://" ---- */

static int describe_calls;

static int
fake_live_match(const char *spec)
{
	return strncmp(spec, "live://", 7) == 0;
}

static int
fake_file_match(const char *spec)
{
	return strncmp(spec, "file://", 7) == 0;
}

/* Each read hands the sink one flow update of 1000+500 bytes between
 * 10.0.0.1:1234 and 10.0.0.2:80 (the same flow every time) and one
 * non-IP packet of 60 bytes. */
static int
fake_read(struct source *s, const struct rec_sink *sink, int budget)
{
	struct flow_update u;
	struct pkt p;
	uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };

	(void)budget;
	memset(&u, 0, sizeof(u));
	u.ip_version = 4;
	u.l4_proto = 6;
	ipaddr_set4(&u.src, a);
	ipaddr_set4(&u.dst, b);
	u.sport = 1234;
	u.dport = 80;
	u.in_bytes = 1000;
	u.in_pkts = 2;
	u.out_bytes = 500;
	u.out_pkts = 1;
	if (sink->on_flow(sink->ctx, &u) != 0)
		return 0;
	memset(&p, 0, sizeof(p));
	p.wire_len = p.cap_len = 60;
	p.ethertype = 0x0806;
	sink->on_packet(sink->ctx, &p, DECODE_NON_IP);
	s->records += 2;
	return 2;
}

static void
fake_free(struct source *s)
{
	free(s->spec);
	free(s);
}

static const struct source_kind fake_live_kind, fake_file_kind;

/* live sources can be suspended (a disabled interface): calls counted,
 * priv says whether the "socket" is open; resume fails while
 * fake_resume_fails names the source */
static int suspend_calls, resume_calls;
static const char *fake_resume_fails;

static void
fake_suspend(struct source *s)
{
	suspend_calls++;
	s->priv = NULL;
}

static int
fake_resume(struct source *s, char *err, size_t errlen)
{
	resume_calls++;
	if (fake_resume_fails != NULL && !strcmp(s->spec, fake_resume_fails)) {
		snprintf(err, errlen, "%s: port taken", s->spec);
		return -1;
	}
	s->priv = s;
	return 0;
}

static struct source *
fake_open(const char *spec, const struct prefs *p)
{
	struct source *s = calloc(1, sizeof(*s));

	(void)p;
	assert_non_null(s);
	s->kind = fake_live_match(spec) ? &fake_live_kind : &fake_file_kind;
	s->spec = strdup(spec);
	s->read = fake_read;
	s->free = fake_free;
	if (s->kind == &fake_live_kind) {
		s->suspend = fake_suspend;
		s->resume = fake_resume;
		s->priv = s; /* open */
	}
	return s;
}

static void
fake_describe(struct source *const *srcs, int n, uint64_t idle_ms,
	      json_t *o)
{
	int mine = 0;

	for (int i = 0; i < n; i++)
		mine += srcs[i]->kind == &fake_live_kind;
	describe_calls++;
	json_object_set_new(o, "fake.live_sources", json_integer(mine));
	json_object_set_new(o, "fake.idle_s",
			    json_integer((json_int_t)(idle_ms / 1000)));
}

/* "file://dir/x" shows as "x" */
static const char *
fake_file_label(const struct source *s, const char *item)
{
	const char *slash = strrchr(item, '/');

	(void)s;
	return slash != NULL ? slash + 1 : item;
}

static const struct source_kind fake_live_kind = {
	.name = "fake_live", .match = fake_live_match, .open = fake_open,
	.describe = fake_describe,
};
static const struct source_kind fake_file_kind = {
	.name = "fake_file", .match = fake_file_match, .open = fake_open,
	.offline = 1, .label = fake_file_label,
};
static const struct source_kind *const fake_kinds[] = {
	&fake_live_kind, &fake_file_kind,
};

static void
set_fake_kinds(void)
{
	memset(&test_prefs, 0, sizeof(test_prefs));
	netlist_init(&test_prefs.local_nets);
	test_prefs.max_num_flows = 1000;
	test_prefs.max_num_hosts = 1000;
	source_kinds_set(fake_kinds, 2);
}

/* Specs open by their kind's scheme; one with no taker stops iface_new. */
static void
test_kinds_open_by_scheme(void **state)
{
	struct iface *ifc;

	(void)state;
	set_fake_kinds();
	ifc = iface_new(0, "live://a,file://some/dir/b.pcap,live://c",
			&test_prefs);
	assert_non_null(ifc);
	assert_int_equal(ifc->n_sources, 3);
	assert_ptr_equal(ifc->sources[0]->kind, &fake_live_kind);
	assert_ptr_equal(ifc->sources[1]->kind, &fake_file_kind);
	assert_ptr_equal(ifc->sources[2]->kind, &fake_live_kind);
	/* the file kind labels its input, the live one has no label op */
	assert_string_equal(ifc->ifname, "live://a,b.pcap,live://c");
	assert_int_equal(iface_inputs(ifc), IFACE_IN_LIVE | IFACE_IN_OFFLINE);
	assert_int_equal(source_offline(ifc->sources[1]), 1);
	assert_int_equal(source_offline(ifc->sources[0]), 0);
	iface_free(ifc);

	ifc = iface_new(1, "file://x", &test_prefs);
	assert_non_null(ifc);
	assert_int_equal(iface_inputs(ifc), IFACE_IN_OFFLINE);
	iface_free(ifc);

	assert_null(iface_new(2, "live://a,nosuch://b", &test_prefs));
	netlist_fini(&test_prefs.local_nets);
}

/* read() hands its records to the interface's sink: they are accounted
 * as iface_flow_update()/iface_packet() would (on this thread: the
 * interface has no owner thread here). */
static void
test_read_feeds_the_sink(void **state)
{
	struct iface *ifc;
	struct source *s;

	(void)state;
	set_fake_kinds();
	ifc = iface_new(0, "live://a", &test_prefs);
	assert_non_null(ifc);
	s = ifc->sources[0];
	assert_int_equal(s->read(s, &ifc->sink, 64), 2);
	assert_int_equal(s->read(s, &ifc->sink, 64), 2);
	assert_int_equal(ifc->num_flows, 1);
	assert_int_equal(ifc->num_hosts, 2);
	/* 2 x (1500 flow bytes + 60 non-IP bytes) */
	assert_int_equal(ifc->stats.bytes, 3120);
	assert_int_equal(ifc->stats.non_ip_bytes, 120);
	assert_int_equal(ifc->flow_head->c2s_bytes, 2000);
	assert_int_equal(ifc->flow_head->s2c_bytes, 1000);
	iface_free(ifc);
	netlist_fini(&test_prefs.local_nets);
}

/* data.lua: a kind's describe op runs once for all its sources;
 * sources.lua names each source's kind. */
static void
test_describe_once_per_kind(void **state)
{
	struct iface *ifc;
	json_t *o, *a;

	(void)state;
	set_fake_kinds();
	ifc = iface_new(0, "live://a,file://b,live://c", &test_prefs);
	assert_non_null(ifc);
	ifc->flow_idle_ms = 180000;
	describe_calls = 0;
	o = query_iface_data(ifc, 0);
	assert_non_null(o);
	assert_int_equal(describe_calls, 1);
	assert_int_equal(json_integer_value(json_object_get(o, "fake.live_sources")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "fake.idle_s")), 180);
	/* a mixed interface reading a file is loading until it ends */
	assert_true(json_is_true(json_object_get(o, "is_loading")));
	json_decref(o);
	a = query_iface_sources(ifc);
	assert_int_equal(json_array_size(a), 3);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(a, 0), "kind")), "fake_live");
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(a, 1), "kind")), "fake_file");
	json_decref(a);
	iface_free(ifc);
	netlist_fini(&test_prefs.local_nets);
}

static int
src_suspended(json_t *a, size_t i)
{
	return json_is_true(json_object_get(json_array_get(a, i), "suspended"));
}

/* Disabled, an interface suspends the sources that can be (the live
 * ones: their "socket" closed) and leaves the others unread; REST says
 * so.  Enabling resumes them; when one cannot reopen, those that did are
 * suspended again and the interface stays disabled. */
static void
test_enable_disable(void **state)
{
	struct iface *ifc;
	char err[128];
	json_t *o, *a;

	(void)state;
	set_fake_kinds();
	ifc = iface_new(0, "live://a,file://b,live://c", &test_prefs);
	assert_non_null(ifc);
	suspend_calls = resume_calls = 0;
	fake_resume_fails = NULL;
	assert_int_equal(iface_enabled(ifc), 1);
	assert_int_equal(iface_set_enabled_unstarted(ifc, 0, err, sizeof(err)), 0);
	assert_int_equal(iface_enabled(ifc), 0);
	assert_int_equal(suspend_calls, 2);
	assert_null(ifc->sources[0]->priv);
	assert_null(ifc->sources[2]->priv);
	/* again: nothing to do */
	assert_int_equal(iface_set_enabled_unstarted(ifc, 0, err, sizeof(err)), 0);
	assert_int_equal(suspend_calls, 2);
	o = query_iface_data(ifc, 0);
	assert_true(json_is_true(json_object_get(o, "disabled")));
	json_decref(o);
	a = query_iface_sources(ifc);
	assert_true(src_suspended(a, 0));
	assert_false(src_suspended(a, 1)); /* a file is only not read */
	assert_true(src_suspended(a, 2));
	json_decref(a);

	/* live://c cannot reopen: a is suspended again, still disabled */
	fake_resume_fails = "live://c";
	assert_int_equal(iface_set_enabled_unstarted(ifc, 1, err, sizeof(err)), -1);
	assert_string_equal(err, "live://c: port taken");
	assert_int_equal(iface_enabled(ifc), 0);
	assert_int_equal(resume_calls, 2);
	assert_int_equal(suspend_calls, 3);
	assert_null(ifc->sources[0]->priv);
	assert_true(ifc->sources[0]->suspended && ifc->sources[2]->suspended);

	fake_resume_fails = NULL;
	assert_int_equal(iface_set_enabled_unstarted(ifc, 1, err, sizeof(err)), 0);
	assert_int_equal(iface_enabled(ifc), 1);
	assert_non_null(ifc->sources[0]->priv);
	assert_non_null(ifc->sources[2]->priv);
	assert_false(ifc->sources[0]->suspended || ifc->sources[2]->suspended);
	a = query_iface_sources(ifc);
	assert_false(src_suspended(a, 0) || src_suspended(a, 2));
	json_decref(a);
	iface_free(ifc);
	netlist_fini(&test_prefs.local_nets);
}

struct rec_count {
	uint64_t records;
	int disabled;
};

static void
read_records(struct iface *ifc, void *arg)
{
	struct rec_count *r = arg;

	r->records = ifc->sources[0]->records;
	r->disabled = ifc->disabled;
}

/* On a running interface the change goes through the owner's mailbox:
 * while disabled its thread reads nothing (the records stay as they
 * were across queries), enabled it reads again. */
static void
test_enable_disable_running(void **state)
{
	struct iface *ifc;
	struct rec_count r1, r2;
	char err[128];
	int i;

	(void)state;
	set_fake_kinds();
	ifc = iface_new(0, "live://a", &test_prefs);
	assert_non_null(ifc);
	fake_resume_fails = NULL;
	assert_int_equal(iface_start(ifc), 0);
	assert_int_equal(iface_set_enabled(ifc, 0, err, sizeof(err)), 0);
	assert_int_equal(iface_query(ifc, read_records, &r1, 5000), 0);
	assert_int_equal(r1.disabled, 1);
	for (i = 0; i < 20; i++) {
		usleep(5000);
		assert_int_equal(iface_query(ifc, read_records, &r2, 5000), 0);
		assert_int_equal(r2.records, r1.records);
	}
	assert_int_equal(iface_set_enabled(ifc, 1, err, sizeof(err)), 0);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(iface_query(ifc, read_records, &r2, 5000), 0);
		if (r2.records > r1.records)
			break;
		usleep(5000);
	}
	assert_true(r2.records > r1.records);
	assert_int_equal(r2.disabled, 0);
	iface_stop(ifc);
	iface_free(ifc);
	netlist_fini(&test_prefs.local_nets);
}

/* The program's table: Historical, ZMQ, NetFlow and pcap inputs. */
static void
test_program_kinds(void **state)
{
	char dir[] = "/tmp/test_sources_XXXXXX", path[64], spec[128];
	/* a pcap file of no packets: the global header, Ethernet */
	static const uint8_t hdr[24] = {
		0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0, 1, 0, 0, 0,
	};
	struct iface *ifc;
	json_t *a;
	FILE *f;

	(void)state;
	memset(&test_prefs, 0, sizeof(test_prefs));
	netlist_init(&test_prefs.local_nets);
	sources_register();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/empty.pcap", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(hdr, 1, sizeof(hdr), f), sizeof(hdr));
	fclose(f);

	ifc = iface_new(0, "Historical=historical:", &test_prefs);
	assert_non_null(ifc);
	assert_int_equal(iface_inputs(ifc),
			 IFACE_IN_OFFLINE | IFACE_IN_HISTORICAL);
	iface_free(ifc);

	ifc = iface_new(1, path, &test_prefs);
	assert_non_null(ifc);
	assert_int_equal(iface_inputs(ifc), IFACE_IN_OFFLINE);
	assert_string_equal(ifc->ifname, "empty.pcap");
	assert_string_equal(ifc->sources[0]->kind->name, "pcap_file");
	iface_free(ifc);

	/* a SUB socket connects without a peer; a UDP port of our own */
	snprintf(spec, sizeof(spec), "tcp://127.0.0.1:1,netflow://127.0.0.1:%d,%s",
		 20000 + (int)(getpid() % 20000), path);
	ifc = iface_new(2, spec, &test_prefs);
	assert_non_null(ifc);
	assert_int_equal(iface_inputs(ifc), IFACE_IN_LIVE | IFACE_IN_OFFLINE);
	a = query_iface_sources(ifc);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(a, 0), "kind")), "zmq");
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(a, 1), "kind")), "flow_udp");
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(a, 2), "kind")), "pcap_file");
	json_decref(a);
	iface_free(ifc);

	unlink(path);
	rmdir(dir);
	netlist_fini(&test_prefs.local_nets);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_open_by_scheme),
		cmocka_unit_test(test_read_feeds_the_sink),
		cmocka_unit_test(test_describe_once_per_kind),
		cmocka_unit_test(test_enable_disable),
		cmocka_unit_test(test_enable_disable_running),
		cmocka_unit_test(test_program_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
