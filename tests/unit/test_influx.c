/*
 * test_influx.c - exporter/influx.c: line-protocol escaping, the lines a
 * time-series record becomes (names, tags, integer fields, cumulative
 * counters), the bounded spool (order, oldest dropped and counted when
 * full, taken over after a restart), and the driver with an InfluxDB that
 * refuses connections (the batch lands in the spool, counted).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "exporter/influx.h"
#include "exporter/writer.h"

static void
test_escape(void **state)
{
	char b[128];

	(void)state;
	assert_int_equal(influx_escape_tag(b, sizeof(b), "a b,c=d"), 10);
	assert_string_equal(b, "a\\ b\\,c\\=d");
	assert_int_equal(influx_escape_measurement(b, sizeof(b), "m x,y=z"),
			 9);
	assert_string_equal(b, "m\\ x\\,y=z");
	/* a line cannot hold a newline; a trailing '\' would escape the
	 * separator after it */
	influx_escape_tag(b, sizeof(b), "x\ny\\");
	assert_string_equal(b, "x_y_");
	influx_escape_tag(b, sizeof(b), "");
	assert_string_equal(b, "_");
	influx_escape_tag(b, sizeof(b), "fe80::1@3");
	assert_string_equal(b, "fe80::1@3");
	/* too small: refused, not cut */
	assert_int_equal(influx_escape_tag(b, 4, "a,b"), (size_t)-1);
	assert_int_equal(influx_escape_tag(b, 5, "a,b"), 4);
}

static void
test_lines(void **state)
{
	char b[1024];
	uint64_t cum[5] = { 0 };
	struct writer_ts ts;
	uint32_t n;

	(void)state;
	memset(&ts, 0, sizeof(ts));
	ts.t = 1700000000;
	ts.v[0] = 100; /* grew by */
	ts.v[1] = 2;
	ts.v[2] = 7; /* gauges */
	ts.v[3] = 3;
	ts.v[4] = 1;
	assert_true(influx_lines(b, sizeof(b), 0, WREC_TS_IFACE, &ts, cum,
				 &n) > 0);
	ts.t++;
	ts.v[0] = 50;
	ts.v[1] = 1;
	ts.v[2] = 5;
	ts.v[4] = 0;
	assert_true(influx_lines(b, sizeof(b), 0, WREC_TS_IFACE, &ts, cum,
				 &n) > 0);
	assert_int_equal(n, 5);
	assert_string_equal(b, "iface:traffic,ifid=0 bytes=150i 1700000001\n"
			       "iface:packets,ifid=0 packets=3i 1700000001\n"
			       "iface:drops,ifid=0 packets=1i 1700000001\n"
			       "iface:flows,ifid=0 num_flows=5i 1700000001\n"
			       "iface:hosts,ifid=0 num_hosts=3i 1700000001\n");

	memset(cum, 0, sizeof(cum));
	memset(&ts, 0, sizeof(ts));
	ts.t = 60;
	snprintf(ts.name, sizeof(ts.name), "10.0.0.1@2");
	ts.v[0] = 10;
	ts.v[1] = 20;
	assert_true(influx_lines(b, sizeof(b), 1, WREC_TS_HOST, &ts, cum, &n) >
		    0);
	assert_int_equal(n, 1);
	assert_string_equal(b, "host:traffic,ifid=1,host=10.0.0.1@2 "
			       "bytes_sent=10i,bytes_rcvd=20i 60\n");

	memset(cum, 0, sizeof(cum));
	snprintf(ts.name, sizeof(ts.name), "My Proto,x=1");
	assert_true(influx_lines(b, sizeof(b), 0, WREC_TS_L7, &ts, cum, &n) >
		    0);
	assert_string_equal(b, "iface:ndpi,ifid=0,protocol=My\\ Proto\\,x\\=1 "
			       "bytes=30i,bytes_sent=10i,bytes_rcvd=20i 60\n");
	memset(cum, 0, sizeof(cum));
	snprintf(ts.name, sizeof(ts.name), "10.0.0.1");
	snprintf(ts.proto, sizeof(ts.proto), "TLS");
	ts.v[0] = 7;
	ts.v[1] = 9;
	assert_true(influx_lines(b, sizeof(b), 0, WREC_TS_HOST_L7, &ts, cum,
				 &n) > 0);
	assert_string_equal(b, "host:ndpi,ifid=0,host=10.0.0.1,protocol=TLS "
			       "bytes_sent=7i,bytes_rcvd=9i 60\n");
	/* counters, not growth: the same again gives the same point */
	assert_true(influx_lines(b, sizeof(b), 0, WREC_TS_HOST_L7, &ts, cum,
				 &n) > 0);
	assert_string_equal(b, "host:ndpi,ifid=0,host=10.0.0.1,protocol=TLS "
			       "bytes_sent=7i,bytes_rcvd=9i 60\n");
	snprintf(ts.name, sizeof(ts.name), "My Proto,x=1");
	ts.v[0] = 10;
	ts.v[1] = 20;
	/* no room: -1 */
	assert_int_equal(influx_lines(b, 20, 0, WREC_TS_L7, &ts, cum, &n), -1);
}

static char tmpdir[64];

static int
rm_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static void
test_spool(void **state)
{
	char dir[128], batch[100], *p;
	struct influx_spool *s;
	uint64_t d = 0, dp = 0, files, bytes;
	size_t len;
	uint32_t pts;
	int i;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_influx.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(dir, sizeof(dir), "%s/spool", tmpdir);
	/* room for three batches of 100 bytes */
	s = influx_spool_open(dir, 350);
	assert_non_null(s);
	assert_null(influx_spool_peek(s, &len, &pts));
	for (i = 0; i < 5; i++) {
		memset(batch, 'a' + i, sizeof(batch));
		assert_int_equal(influx_spool_push(s, batch, sizeof(batch),
						   (uint32_t)(10 + i), &d, &dp),
				 0);
	}
	/* the two oldest dropped, counted with their points */
	assert_int_equal(d, 2);
	assert_int_equal(dp, 10 + 11);
	influx_spool_usage(s, &files, &bytes);
	assert_int_equal(files, 3);
	assert_int_equal(bytes, 300);
	/* a batch larger than the spool: dropped at once, counted */
	{
		char big[400];

		memset(big, 'z', sizeof(big));
		assert_int_equal(influx_spool_push(s, big, sizeof(big), 99, &d,
						   &dp),
				 0);
		assert_int_equal(d, 3);
		assert_int_equal(dp, 10 + 11 + 99);
	}
	/* oldest first */
	p = influx_spool_peek(s, &len, &pts);
	assert_non_null(p);
	assert_int_equal(len, 100);
	assert_int_equal(pts, 12);
	assert_int_equal(p[0], 'c');
	free(p);
	influx_spool_pop(s);
	influx_spool_close(s);

	/* a restart takes the files over, in order */
	s = influx_spool_open(dir, 350);
	assert_non_null(s);
	influx_spool_usage(s, &files, &bytes);
	assert_int_equal(files, 2);
	p = influx_spool_peek(s, &len, &pts);
	assert_non_null(p);
	assert_int_equal(p[0], 'd');
	assert_int_equal(pts, 13);
	free(p);
	influx_spool_pop(s);
	memset(batch, 'q', sizeof(batch));
	assert_int_equal(influx_spool_push(s, batch, sizeof(batch), 1, &d, &dp),
			 0);
	p = influx_spool_peek(s, &len, &pts);
	assert_int_equal(p[0], 'e');
	free(p);
	influx_spool_pop(s);
	p = influx_spool_peek(s, &len, &pts);
	assert_int_equal(p[0], 'q');
	free(p);
	influx_spool_pop(s);
	assert_null(influx_spool_peek(s, &len, &pts));

	/* a file removed by hand is skipped and counted; a .tmp left by a
	 * crash is removed at the next open */
	memset(batch, 'r', sizeof(batch));
	assert_int_equal(influx_spool_push(s, batch, sizeof(batch), 4, &d, &dp),
			 0);
	memset(batch, 's', sizeof(batch));
	assert_int_equal(influx_spool_push(s, batch, sizeof(batch), 5, &d, &dp),
			 0);
	{
		char cmd[256], f[256];
		FILE *fp;
		uint64_t lb, lpts;

		snprintf(cmd, sizeof(cmd), "rm -f %s/*-4.lp", dir);
		assert_int_equal(system(cmd), 0);
		p = influx_spool_peek(s, &len, &pts);
		assert_non_null(p);
		assert_int_equal(p[0], 's');
		free(p);
		influx_spool_take_lost(s, &lb, &lpts);
		assert_int_equal(lb, 1);
		assert_int_equal(lpts, 4);
		influx_spool_close(s);
		snprintf(f, sizeof(f), "%s/00000000000000000099-7.lp.tmp", dir);
		fp = fopen(f, "w");
		assert_non_null(fp);
		fputs("half", fp);
		fclose(fp);
		s = influx_spool_open(dir, 350);
		assert_non_null(s);
		assert_int_equal(access(f, F_OK), -1);
		influx_spool_usage(s, &files, &bytes);
		assert_int_equal(files, 1);
		assert_int_equal(bytes, 100);
	}
	influx_spool_close(s);
	rm_tree();
}

/* The driver against a port that refuses connections: what was posted
 * is spooled at stop, nothing lost, counted. */
static void
test_driver_down(void **state)
{
	struct influx_conf c;
	struct influx_stats st;
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	char url[64], dir[128];
	struct writer_ts ts;
	int fd, i;
	DIR *dh;
	struct dirent *de;
	int lp = 0;

	(void)state;
	/* a bound socket that never listens: connections are refused */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/",
		 (unsigned)ntohs(a.sin_port));
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_influx.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	memset(&c, 0, sizeof(c));
	c.url = url;
	c.db = "ntopng";
	c.data_dir = tmpdir;
	c.flush_ms = 100;
	assert_int_equal(influx_start(&c), 0);
	memset(&ts, 0, sizeof(ts));
	for (i = 0; i < 10; i++) {
		ts.t = 1000 + i;
		ts.v[0] = 1;
		influx_ts(0, WREC_TS_IFACE, &ts);
	}
	influx_stop();
	influx_get_stats(&st);
	assert_int_equal(st.points, 50);
	assert_int_equal(st.points_written, 0);
	assert_int_equal(st.spooled_points, 50);
	assert_int_equal(st.dropped_points, 0);
	assert_true(st.spool_files >= 1);
	snprintf(dir, sizeof(dir), "%s/%s", tmpdir, INFLUX_SPOOL_DIR);
	dh = opendir(dir);
	assert_non_null(dh);
	while ((de = readdir(dh)) != NULL)
		if (strstr(de->d_name, ".lp") != NULL)
			lp++;
	closedir(dh);
	assert_int_equal((uint64_t)lp, st.spool_files);
	close(fd);
	rm_tree();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_spool),
		cmocka_unit_test(test_driver_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
