/*
 * test_chclient.c - the ClickHouse flow store's pure parts and its client
 * against a fake server: -F's value (ch_target_parse, and through the
 * option parser), the schema per server version (ch_schema_sql), the
 * spool file format (ch_spool_write/read, damaged files), and the HTTP
 * client (exporter/chclient.c) on a loopback socket answering canned,
 * hostile replies: the request it sends (query parameter, headers, a
 * gzip body that inflates to the rows), an exception's text cleaned of
 * control characters, an answer longer than CH_REPLY_MAX refused, a
 * version that is not one, a server that does not answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "common/prefs.h"
#include "exporter/chclient.h"
#include "exporter/chsink.h"

static void
parse_ok(const char *spec, const char *host, int port, const char *db,
	 const char *user, const char *pw, const char *cluster)
{
	struct ch_target t;
	char err[256] = "";

	assert_int_equal(ch_target_parse(spec, &t, err, sizeof(err)), 0);
	assert_string_equal(t.host, host);
	assert_int_equal(t.port, port);
	assert_string_equal(t.db, db);
	assert_string_equal(t.user, user);
	assert_string_equal(t.password, pw);
	assert_string_equal(t.cluster, cluster);
}

static void
parse_bad(const char *spec, const char *needle)
{
	struct ch_target t;
	char err[256] = "";

	assert_int_equal(ch_target_parse(spec, &t, err, sizeof(err)), -1);
	if (strstr(err, needle) == NULL)
		fail_msg("'%s': error '%s' lacks '%s'", spec, err, needle);
}

static void
test_target_parse(void **state)
{
	(void)state;
	parse_ok("clickhouse", "127.0.0.1", 8123, "ntopng", "default", "",
		 "");
	parse_ok("clickhouse;", "127.0.0.1", 8123, "ntopng", "default", "",
		 "");
	parse_ok("clickhouse;10.0.0.5@18123;flowsdb;writer;s3cret", "10.0.0.5",
		 18123, "flowsdb", "writer", "s3cret", "");
	parse_ok("clickhouse;ch.example.org;;;", "ch.example.org", 8123,
		 "ntopng", "default", "", "");
	parse_ok("clickhouse;[::1]@9999;db", "::1", 9999, "db", "default", "",
		 "");
	parse_ok("clickhouse;::1", "::1", 8123, "ntopng", "default", "", "");
	parse_ok("clickhouse-cluster;h@1;d;u;p;ntop2", "h", 1, "d", "u", "p",
		 "ntop2");
	parse_bad("clickhouse;10.0.0.5@18123;flowsdb;writer;s3;cret",
		  "too many fields");
	parse_bad("clickhouse-cluster;h;d;u;p", "needs a cluster name");
	parse_bad("clickhouse-cluster;h;d;u;p;bad-name", "bad cluster");
	parse_bad("clickhouse;h@0", "bad port");
	parse_bad("clickhouse;h@", "empty port");
	parse_bad("clickhouse;h@80x", "bad port");
	parse_bad("clickhouse;h@65536", "bad port");
	parse_bad("clickhouse;h/x", "bad host");
	parse_bad("clickhouse;[::1", "missing ']'");
	parse_bad("clickhouse;h;1db", "bad database");
	parse_bad("clickhouse;h;db`x", "bad database");
	parse_bad("clickhouse;h;db;us er", "bad user");
	parse_bad("clickhouse;h;db;u;p\tw", "control character");
	parse_bad("mysql;h", "unknown flow store");
	parse_bad("", "unknown flow store");
	parse_bad(NULL, "missing");
}

static int
run_prefs(struct prefs *p, int n, const char **argv)
{
	prefs_init(p);
	return prefs_parse(p, n, (char **)argv);
}

static void
test_option(void **state)
{
	struct prefs p;
	const char *a1[] = { "ntopng", "-F" };
	const char *a2[] = { "ntopng", "-F", "clickhouse", "-i", "eth0" };
	const char *a3[] = { "ntopng", "-F", "-i", "eth0" };
	const char *a4[] = { "ntopng", "--dump-flows=clickhouse;h@1;d;u;p" };
	const char *a5[] = { "ntopng", "-F", "sqlite" };
	const char *a6[] = { "ntopng", "-Fv" };
	const char *a7[] = { "ntopng", "-F", "clickhouse;h@99999" };

	(void)state;
	assert_int_equal(run_prefs(&p, 2, a1), 0);
	assert_int_equal(p.dump_flows, 1);
	assert_int_equal(p.flows_store, PREFS_FLOWS_SQLITE);
	prefs_fini(&p);
	assert_int_equal(run_prefs(&p, 5, a2), 0);
	assert_int_equal(p.flows_store, PREFS_FLOWS_CLICKHOUSE);
	assert_string_equal(p.flows_store_spec, "clickhouse");
	assert_int_equal(p.n_ifaces, 1);
	prefs_fini(&p);
	assert_int_equal(run_prefs(&p, 4, a3), 0);
	assert_int_equal(p.flows_store, PREFS_FLOWS_SQLITE);
	assert_int_equal(p.n_ifaces, 1);
	prefs_fini(&p);
	assert_int_equal(run_prefs(&p, 2, a4), 0);
	assert_string_equal(p.flows_store_spec, "clickhouse;h@1;d;u;p");
	prefs_fini(&p);
	assert_int_equal(run_prefs(&p, 3, a5), 0);
	assert_int_equal(p.flows_store, PREFS_FLOWS_SQLITE);
	assert_null(p.flows_store_spec);
	prefs_fini(&p);
	assert_int_equal(run_prefs(&p, 2, a6), 0);
	assert_int_equal(p.dump_flows, 1);
	assert_int_equal(p.verbose, 1);
	prefs_fini(&p);
	assert_int_equal(run_prefs(&p, 3, a7), -1);
	prefs_fini(&p);
	/* the configuration file: -F=value and "-F value" */
	{
		char path[] = "/tmp/test_chclient_conf.XXXXXX";
		int fd = mkstemp(path);
		const char *ac[] = { "ntopng", path };
		const char conf[] = "-F=clickhouse;10.1.1.1@9;db1;u;p w\n"
				    "--instance-name=hub 7\n";
		FILE *f;

		assert_true(fd >= 0);
		assert_int_equal(write(fd, conf, strlen(conf)),
				 (ssize_t)strlen(conf));
		close(fd);
		assert_int_equal(run_prefs(&p, 2, ac), 0);
		assert_int_equal(p.flows_store, PREFS_FLOWS_CLICKHOUSE);
		assert_string_equal(p.flows_store_spec,
				    "clickhouse;10.1.1.1@9;db1;u;p w");
		assert_string_equal(p.instance_name, "hub 7");
		prefs_fini(&p);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs("-F clickhouse-cluster;h;d;u;p;c1\n", f);
		fclose(f);
		assert_int_equal(run_prefs(&p, 2, ac), 0);
		assert_string_equal(p.flows_store_spec,
				    "clickhouse-cluster;h;d;u;p;c1");
		prefs_fini(&p);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs("-F=clickhouse;h;bad-db\n", f);
		fclose(f);
		assert_int_equal(run_prefs(&p, 2, ac), -1);
		prefs_fini(&p);
		unlink(path);
	}
}

static void
test_schema(void **state)
{
	char buf[8192];
	const char *name, *type;
	int i, n;

	(void)state;
	/* 18.16: FixedString(16), no cluster: 2 statements */
	n = ch_schema_sql(0, 18, 16, "ntopng", "", buf, sizeof(buf));
	assert_true(n > 0);
	assert_string_equal(buf, "CREATE DATABASE IF NOT EXISTS `ntopng`");
	n = ch_schema_sql(1, 18, 16, "ntopng", "", buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "CREATE TABLE IF NOT EXISTS `ntopng`.`flows` ("));
	assert_non_null(strstr(buf, "`IPV6_SRC_ADDR` FixedString(16)"));
	assert_non_null(strstr(buf, "`IPV4_SRC_ADDR` UInt32"));
	assert_non_null(strstr(buf, "`FIRST_SEEN` DateTime"));
	assert_non_null(strstr(buf, "`NTOPNG_INSTANCE_NAME` String"));
	assert_non_null(strstr(buf, "`SITE_PATH` String"));
	assert_non_null(strstr(buf, "`NODE_ID` String"));
	assert_non_null(strstr(buf, "PARTITION BY toYYYYMMDD(FIRST_SEEN)"));
	assert_null(strstr(buf, "LowCardinality"));
	assert_null(strstr(buf, " IPv6"));
	assert_int_equal(ch_schema_sql(2, 18, 16, "ntopng", "", buf,
				       sizeof(buf)),
			 0);
	/* a current server: the IPv6 type */
	n = ch_schema_sql(1, 23, 8, "ntopng", "", buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "`IPV6_DST_ADDR` IPv6"));
	assert_null(strstr(buf, "FixedString"));
	assert_false(ch_has_ipv6_type(19, 1));
	assert_true(ch_has_ipv6_type(19, 3));
	/* cluster: flows_local, then the Distributed flows */
	n = ch_schema_sql(1, 18, 16, "db", "ntop2", buf, sizeof(buf));
	assert_non_null(strstr(buf, "`db`.`flows_local` ("));
	assert_non_null(strstr(buf, "ENGINE = MergeTree()"));
	n = ch_schema_sql(2, 18, 16, "db", "ntop2", buf, sizeof(buf));
	assert_true(n > 0);
	assert_string_equal(buf,
			    "CREATE TABLE IF NOT EXISTS `db`.`flows` AS "
			    "`db`.`flows_local` ENGINE = Distributed(`ntop2`, "
			    "`db`, `flows_local`, rand())");
	assert_int_equal(ch_schema_sql(3, 18, 16, "db", "ntop2", buf,
				       sizeof(buf)),
			 0);
	assert_string_equal(ch_schema_table("ntop2"), "flows_local");
	assert_string_equal(ch_schema_table(""), "flows");
	/* too small a buffer: -1, not a cut statement */
	assert_int_equal(ch_schema_sql(1, 18, 16, "db", "", buf, 100), -1);
	/* the migration's list: every column once, the IPv6 ones per
	 * version */
	for (i = 0; ch_schema_column(i, 18, 16, &name, &type) == 0; i++) {
		char col[80];

		snprintf(col, sizeof(col), "`%s` %s", name, type);
		ch_schema_sql(1, 18, 16, "db", "", buf, sizeof(buf));
		assert_non_null(strstr(buf, col));
	}
	assert_true(i >= 36);
	assert_null(name);
}

static char tmpdir[] = "/tmp/test_chclient.XXXXXX";

static void
test_spool(void **state)
{
	char path[256], bad[300];
	const char rows[] = "1\ta\n2\tb\n";
	unsigned char *gz, *back;
	size_t gzlen, len;
	uint32_t n;
	FILE *f;
	long sz;

	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/0000000000000001.batch", tmpdir);
	gz = ch_gzip(rows, strlen(rows), &gzlen);
	assert_non_null(gz);
	assert_int_equal(ch_spool_write(path, 2, gz, gzlen), 0);
	assert_int_equal(ch_spool_read(path, &n, &back, &len), 0);
	assert_int_equal(n, 2);
	assert_int_equal(len, gzlen);
	assert_memory_equal(back, gz, gzlen);
	free(back);
	/* header: magic, version, rows, length, crc32 (little-endian) */
	f = fopen(path, "rb");
	assert_non_null(f);
	{
		unsigned char h[CH_SPOOL_HDR];

		assert_int_equal(fread(h, 1, sizeof(h), f), sizeof(h));
		assert_memory_equal(h, "NCHS", 4);
		assert_int_equal(h[4], CH_COLUMNS_VERSION);
		assert_int_equal(h[8], 2);
		assert_int_equal(h[12] | h[13] << 8, (int)gzlen);
	}
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fclose(f);
	assert_int_equal(sz, (long)(gzlen + CH_SPOOL_HDR));
	/* one flipped byte of the payload: checksum */
	f = fopen(path, "r+b");
	fseek(f, CH_SPOOL_HDR + 3, SEEK_SET);
	fputc(gz[3] ^ 0x40, f);
	fclose(f);
	assert_int_equal(ch_spool_read(path, &n, &back, &len), -2);
	assert_null(back);
	/* cut short */
	assert_int_equal(ch_spool_write(path, 2, gz, gzlen), 0);
	assert_int_equal(truncate(path, (off_t)(CH_SPOOL_HDR + gzlen - 1)), 0);
	assert_int_equal(ch_spool_read(path, &n, &back, &len), -2);
	/* not a batch at all, and a missing file */
	f = fopen(path, "wb");
	fputs("hello, not a batch\n", f);
	fclose(f);
	assert_int_equal(ch_spool_read(path, &n, &back, &len), -2);
	snprintf(bad, sizeof(bad), "%s/nope.batch", tmpdir);
	assert_int_equal(ch_spool_read(bad, &n, &back, &len), -1);
	/* no temporary file left behind */
	snprintf(bad, sizeof(bad), "%s.tmp", path);
	assert_int_equal(access(bad, F_OK), -1);
	unlink(path);
	rmdir(tmpdir);
	free(gz);
}

/* ---- a fake server: one connection per canned reply ---- */

struct fake {
	int lfd, port;
	const char *reply; /* headers; body follows */
	size_t body_len;   /* body: 'x' * body_len when body is NULL */
	const char *body;
	char req[65536];
	size_t req_len;
	int silent; /* accept, read, never answer */
};

static void *
fake_run(void *arg)
{
	struct fake *fk = arg;
	int fd = accept(fk->lfd, NULL, NULL);
	char hdr[256];
	size_t want = 0;

	if (fd < 0)
		return NULL;
	fk->req_len = 0;
	for (;;) {
		ssize_t r = read(fd, fk->req + fk->req_len,
				 sizeof(fk->req) - 1 - fk->req_len);
		char *e, *cl;

		if (r <= 0)
			break;
		fk->req_len += (size_t)r;
		fk->req[fk->req_len] = '\0';
		e = strstr(fk->req, "\r\n\r\n");
		if (e == NULL)
			continue;
		cl = strcasestr(fk->req, "Content-Length:");
		want = (size_t)(e + 4 - fk->req) +
		       (cl ? (size_t)strtoul(cl + 15, NULL, 10) : 0);
		if (fk->req_len >= want)
			break;
	}
	if (fk->silent) {
		sleep(2);
		close(fd);
		return NULL;
	}
	snprintf(hdr, sizeof(hdr), "%sContent-Length: %zu\r\n\r\n", fk->reply,
		 fk->body ? strlen(fk->body) : fk->body_len);
	if (write(fd, hdr, strlen(hdr)) < 0)
		goto out;
	if (fk->body) {
		if (write(fd, fk->body, strlen(fk->body)) < 0)
			goto out;
	} else {
		static char chunk[65536];
		size_t left = fk->body_len;

		memset(chunk, 'x', sizeof(chunk));
		while (left) {
			size_t k = left < sizeof(chunk) ? left : sizeof(chunk);
			ssize_t w = write(fd, chunk, k);

			if (w <= 0)
				break;
			left -= (size_t)w;
		}
	}
out:
	close(fd);
	return NULL;
}

static void
fake_open(struct fake *fk)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	fk->lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fk->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fk->lfd, 4), 0);
	getsockname(fk->lfd, (struct sockaddr *)&a, &al);
	fk->port = ntohs(a.sin_port);
}

static struct ch_client *
client_for(const struct fake *fk, const char *pw)
{
	struct ch_target t;
	char spec[128], err[128];

	snprintf(spec, sizeof(spec), "clickhouse;127.0.0.1@%d;ntopng;writer;%s",
		 fk->port, pw);
	assert_int_equal(ch_target_parse(spec, &t, err, sizeof(err)), 0);
	return ch_client_new(&t);
}

static void
test_client(void **state)
{
	struct fake fk;
	struct ch_client *c;
	pthread_t th;
	char *out, err[512];
	size_t outlen;
	int major, minor;
	const char rows[] = "1\tone\n2\ttwo\n";

	(void)state;
	memset(&fk, 0, sizeof(fk));
	fake_open(&fk);
	c = client_for(&fk, "pw");

	/* an INSERT: query parameter, headers, gzip body */
	fk.reply = "HTTP/1.1 200 OK\r\n";
	fk.body = "";
	pthread_create(&th, NULL, fake_run, &fk);
	assert_int_equal(ch_query(c, "INSERT INTO t FORMAT TabSeparated", rows,
				  strlen(rows), &out, &outlen, err,
				  sizeof(err)),
			 0);
	pthread_join(th, NULL);
	assert_string_equal(out, "");
	free(out);
	assert_non_null(strstr(fk.req, "POST /?database=ntopng&query=INSERT%20INTO%20t%20FORMAT%20TabSeparated HTTP/1.1"));
	assert_non_null(strstr(fk.req, "X-ClickHouse-User: writer\r\n"));
	assert_non_null(strstr(fk.req, "X-ClickHouse-Key: pw\r\n"));
	assert_non_null(strstr(fk.req, "Content-Encoding: gzip\r\n"));
	{
		char *body = strstr(fk.req, "\r\n\r\n") + 4;
		size_t blen = fk.req_len - (size_t)(body - fk.req);
		char plain[256];
		z_stream z;

		memset(&z, 0, sizeof(z));
		assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
		z.next_in = (Bytef *)body;
		z.avail_in = (uInt)blen;
		z.next_out = (Bytef *)plain;
		z.avail_out = sizeof(plain);
		assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
		assert_int_equal(z.total_out, strlen(rows));
		assert_memory_equal(plain, rows, strlen(rows));
		inflateEnd(&z);
	}

	/* version */
	fk.body = "18.16.1\n";
	pthread_create(&th, NULL, fake_run, &fk);
	assert_int_equal(ch_server_version(c, &major, &minor), 0);
	pthread_join(th, NULL);
	assert_int_equal(major, 18);
	assert_int_equal(minor, 16);
	assert_null(strstr(fk.req, "Content-Encoding"));

	/* not a version */
	fk.body = "<html>hello</html>\n";
	pthread_create(&th, NULL, fake_run, &fk);
	assert_int_equal(ch_server_version(c, &major, &minor), -1);
	pthread_join(th, NULL);

	/* an exception with control characters: one clean line */
	fk.reply = "HTTP/1.1 500 Internal Server Error\r\n";
	fk.body = "Code: 60, e.displayText() = DB::Exception: Table x\x1b[31m "
		  "doesn't exist\nsecond line";
	pthread_create(&th, NULL, fake_run, &fk);
	assert_int_equal(ch_query(c, "SELECT 1 FROM x", NULL, 0, &out, NULL,
				  err, sizeof(err)),
			 -1);
	pthread_join(th, NULL);
	assert_null(out);
	assert_int_equal(ch_last_status(c), 500);
	assert_string_equal(err, "HTTP 500: Code: 60, e.displayText() = "
				 "DB::Exception: Table x?[31m doesn't exist");

	/* an answer longer than CH_REPLY_MAX: refused, bounded */
	fk.reply = "HTTP/1.1 200 OK\r\n";
	fk.body = NULL;
	fk.body_len = CH_REPLY_MAX + 4096;
	pthread_create(&th, NULL, fake_run, &fk);
	assert_int_equal(ch_query(c, "SELECT big", NULL, 0, &out, &outlen, err,
				  sizeof(err)),
			 -1);
	pthread_join(th, NULL);
	assert_null(out);
	assert_non_null(strstr(err, "longer than"));

	/* a server that never answers: the total timeout */
	fk.silent = 1;
	ch_client_set_timeout(c, 500);
	pthread_create(&th, NULL, fake_run, &fk);
	assert_int_equal(ch_query(c, "SELECT 1", NULL, 0, &out, NULL, err,
				  sizeof(err)),
			 -1);
	pthread_join(th, NULL);
	assert_int_equal(ch_last_status(c), 0);
	assert_non_null(strstr(err, "imeout"));

	/* nobody listening: a transport error, status 0 */
	close(fk.lfd);
	assert_int_equal(ch_query(c, "SELECT 1", NULL, 0, &out, NULL, err,
				  sizeof(err)),
			 -1);
	assert_int_equal(ch_last_status(c), 0);
	ch_client_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_parse),
		cmocka_unit_test(test_option),
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_spool),
		cmocka_unit_test(test_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
