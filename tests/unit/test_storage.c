/*
 * test_storage.c - unit tests of exporter/writer.c's file-system side:
 * interface directory names (sanitized, bounded, collision-safe) and the
 * conservation of RRD series (docs/storage.md, "Time series").
 *
 * The RRD tests run the real writer thread on a temporary data directory
 * and post snapshot records with made-up wall-clock times, so that one
 * run can span hours, restarts and gaps; then every archive is read back
 * with rrd_fetch_r and its total (Σ value × step over the known rows)
 * must equal the sum of the deltas posted in the rows that are finished.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rrd.h>

#include "exporter/writer.h"

/* ---- directory names ---- */

static void
test_dirname(void **state)
{
	char a[WRITER_IFDIR_MAX], b[WRITER_IFDIR_MAX], small[8];
	char longname[300];

	(void)state;
	assert_int_equal(writer_iface_dirname(a, sizeof(a), "eth0"), 0);
	assert_string_equal(a, "eth0");
	assert_int_equal(writer_iface_dirname(a, sizeof(a), "branch-1.lan_2"), 0);
	assert_string_equal(a, "branch-1.lan_2");

	/* a long path whose kept tail starts at a '.': never a hidden name
	 * (the tail of "/tmp/tmp.HdC04Gf9vu/shared/pcaps/6in4tunnel.pcap") */
	assert_int_equal(writer_iface_dirname(a, sizeof(a),
		"/tmp/tmp.HdC04Gf9vu/shared/pcaps/6in4tunnel.pcap"), 0);
	assert_int_equal(a[0], '_');
	assert_non_null(strchr(a, '+'));

	/* a path: sanitized and hashed, never a path */
	assert_int_equal(writer_iface_dirname(a, sizeof(a), "/tmp/x.pcap"), 0);
	assert_null(strchr(a, '/'));
	assert_int_equal(strncmp(a, "_tmp_x.pcap+", 12), 0);
	assert_int_equal(strlen(a), 12 + 8);

	/* names that sanitize alike stay apart, and a kept name never
	 * looks like a hashed one */
	writer_iface_dirname(a, sizeof(a), "a/b");
	writer_iface_dirname(b, sizeof(b), "a_b");
	assert_string_not_equal(a, b);
	assert_string_equal(b, "a_b");
	writer_iface_dirname(a, sizeof(a), "tcp://127.0.0.1:5556");
	writer_iface_dirname(b, sizeof(b), "tcp://127.0.0.1:5557");
	assert_string_not_equal(a, b);

	/* dot names, empty */
	writer_iface_dirname(a, sizeof(a), "..");
	assert_int_equal(a[2], '+');
	writer_iface_dirname(a, sizeof(a), "");
	assert_int_equal(a[0], '+');

	/* bounded: the tail is kept */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memcpy(longname + sizeof(longname) - 6, "tail1", 5);
	writer_iface_dirname(a, sizeof(a), longname);
	assert_true(strlen(a) < WRITER_IFDIR_MAX);
	assert_non_null(strstr(a, "tail1+"));
	longname[0] = 'y';       /* differs before the kept tail */
	writer_iface_dirname(b, sizeof(b), longname);
	assert_string_not_equal(a, b);

	assert_int_equal(writer_iface_dirname(small, sizeof(small), "eth0"), -1);

	/* the registered table */
	assert_int_equal(writer_iface_set(3, "/x/y.pcap"), 0);
	writer_iface_dirname(a, sizeof(a), "/x/y.pcap");
	assert_string_equal(writer_iface_dir(3), a);
	assert_null(writer_iface_dir(4));
	assert_null(writer_iface_dir(-1));
	assert_int_equal(writer_iface_set(WRITER_MAX_IFACES, "z"), -1);
}

/* ---- RRD conservation ---- */

static char tmpdir[] = "/tmp/ntopng-unit-storage-XXXXXX";

static void
post_iface(time_t t, uint64_t bytes, uint64_t pkts)
{
	struct writer_rec r;

	memset(&r, 0, sizeof(r));
	r.kind = WREC_TS_IFACE;
	r.ifid = 0;
	r.u.ts.t = t;
	r.u.ts.v[0] = bytes;
	r.u.ts.v[1] = pkts;
	r.u.ts.v[2] = 3;
	r.u.ts.v[3] = 2;
	assert_int_equal(writer_post_wait(&r), 0);
}

static void
post_host(time_t t, uint64_t sent, uint64_t rcvd)
{
	struct writer_rec r;

	memset(&r, 0, sizeof(r));
	r.kind = WREC_TS_HOST;
	r.ifid = 0;
	r.u.ts.t = t;
	snprintf(r.u.ts.name, sizeof(r.u.ts.name), "10.0.0.1");
	r.u.ts.v[0] = sent;
	r.u.ts.v[1] = rcvd;
	assert_int_equal(writer_post_wait(&r), 0);
}

/* Σ value × step of data source ds at resolution res over [s, e]. */
static double
archive_total(const char *path, unsigned long res, time_t s, time_t e,
	      unsigned long ds, unsigned long *step_out)
{
	char **names = NULL;
	rrd_value_t *data = NULL;
	unsigned long step = res, cnt = 0, rows, i;
	time_t start = s, end = e;
	double tot = 0;

	rrd_clear_error();
	assert_int_equal(rrd_fetch_r(path, "AVERAGE", &start, &end, &step, &cnt,
				     &names, &data), 0);
	rows = (unsigned long)(end - start) / step;
	for (i = 0; i < rows; i++) {
		rrd_value_t v = data[i * cnt + ds];

		if (!isnan(v))
			tot += v * (double)step;
	}
	for (i = 0; i < cnt; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
	*step_out = step;
	return tot;
}

static void
test_rrd_totals(void **state)
{
	/* 1700000000 is 20 s into a minute and 800 s into an hour */
	const time_t t0 = 1700000000;
	char path[4096];
	unsigned long step;
	double tot;
	time_t t;

	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	assert_int_equal(writer_iface_set(0, "eth0"), 0);
	assert_int_equal(writer_start(tmpdir), 0);

	/* interface: a first run that starts 20 s into a minute, traffic
	 * in its first seconds, idles 100 s; then stopped for 5 minutes
	 * and started again 7 s into another minute (counters from zero) */
	post_iface(t0, 0, 0);
	post_iface(t0 + 1, 1000, 10);
	post_iface(t0 + 2, 2000, 20);
	post_iface(t0 + 4, 500, 5);          /* a second skipped */
	for (t = t0 + 5; t <= t0 + 100; t++)
		post_iface(t, 0, 0);
	post_iface(t0 + 347, 0, 0);
	post_iface(t0 + 348, 3000, 30);
	for (t = t0 + 349; t <= t0 + 500; t++)
		post_iface(t, t == t0 + 420 ? 77 : 0, t == t0 + 420 ? 1 : 0);

	/* a host: first snapshot 40 s after it appeared, minute
	 * snapshots for 40 minutes, gone for half an hour, back for
	 * another hour and a half (its hour rows all finish) */
	post_host(t0 + 40, 700, 300);
	for (t = t0 + 100; t <= t0 + 2440; t += 60)
		post_host(t, t < t0 + 400 ? 100 : 0, t == t0 + 1000 ? 55 : 0);
	post_host(t0 + 4300, 900, 9);
	for (t = t0 + 4360; t <= t0 + 9700; t += 60)
		post_host(t, 0, t == t0 + 4960 ? 1 : 0);

	assert_int_equal(writer_drain(20000), 0);
	writer_stop();

	assert_int_equal(writer_rrd_path(path, sizeof(path), "eth0", "",
					 "iface"), 0);
	tot = archive_total(path, 1, t0 - 30, t0 + 500, 0, &step);
	assert_int_equal(step, 1);
	assert_true(fabs(tot - 6577) < 0.01);
	tot = archive_total(path, 1, t0 - 30, t0 + 500, 1, &step);
	assert_true(fabs(tot - 66) < 0.001);
	tot = archive_total(path, 60, t0 - 120, t0 + 500, 0, &step);
	assert_int_equal(step, 60);
	assert_true(fabs(tot - 6577) < 0.01);
	tot = archive_total(path, 60, t0 - 120, t0 + 500, 1, &step);
	assert_true(fabs(tot - 66) < 0.001);

	assert_int_equal(writer_rrd_path(path, sizeof(path), "eth0", "hosts/",
					 "10.0.0.1"), 0);
	/* sent: 700 + 100 x 5 (t0+100 .. t0+340) + 900 */
	tot = archive_total(path, 60, t0 - 3600, t0 + 9700, 0, &step);
	assert_int_equal(step, 60);
	assert_true(fabs(tot - 2100) < 0.01);
	tot = archive_total(path, 60, t0 - 3600, t0 + 9700, 1, &step);
	assert_true(fabs(tot - 365) < 0.01);
	tot = archive_total(path, 3600, t0 - 3600, t0 + 9700, 0, &step);
	assert_int_equal(step, 3600);
	assert_true(fabs(tot - 2100) < 0.01);
	tot = archive_total(path, 3600, t0 - 3600, t0 + 9700, 1, &step);
	assert_true(fabs(tot - 365) < 0.01);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirname),
		cmocka_unit_test(test_rrd_totals),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (strncmp(tmpdir, "/tmp/ntopng-unit-storage-", 25) == 0 &&
	    strstr(tmpdir, "XXXXXX") == NULL && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	return rc;
}
