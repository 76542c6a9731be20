/*
 * test_flowdb.c - unit tests of exporter/flowdb.c (docs/storage.md,
 * "Reading the flow history"): the filters a request gives are checked
 * (hostile text refused, never reaching SQL), the ClickHouse SQL of a
 * query is exactly the expected text, and the SQLite backend answers
 * totals, pages, filters and top lists over real day files (ours and a
 * 1.x one) made in a temporary data directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "common/fsutil.h"
#include "exporter/flowdb.h"
#include "exporter/writer.h"

static const char *const hostile[] = {
	"1.2.3.4' OR '1'='1",
	"1.2.3.4; DROP TABLE flows",
	"x'--",
	"a\\'b",
	"",
	"1.2.3.4\n",
	"TLS') OR 1=1 --",
	"../../etc",
	"a b",
	"%27",
};

static void
test_setters_refuse(void **state)
{
	struct flowdb_query q, z;
	char err[128];
	char longname[300];
	size_t i;

	(void)state;
	flowdb_query_init(&q, 1000000);
	z = q;
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		err[0] = '\0';
		assert_int_equal(flowdb_set_host(&q, hostile[i], err, sizeof(err)),
				 -1);
		assert_non_null(strstr(err, "host"));
		if (i != 7) /* "../../etc" is a fine site path */
			assert_int_equal(
				flowdb_set_site(&q, hostile[i], err, sizeof(err)),
				hostile[i][0] == '\0' ? 0 : -1);
		assert_int_equal(flowdb_set_node(&q, hostile[i], err, sizeof(err)),
				 hostile[i][0] == '\0' ? 0 : -1);
		assert_int_equal(flowdb_set_l7(&q, hostile[i], err, sizeof(err)),
				 -1);
		assert_int_equal(flowdb_set_sort(&q, hostile[i], "desc", err,
						 sizeof(err)),
				 hostile[i][0] == '\0' ? 0 : -1);
	}
	/* nothing was changed by the refused values ("" names are "any") */
	assert_memory_equal(&q, &z, sizeof(q));
	assert_int_equal(flowdb_set_l7(&q, "NoSuchProtocol", err, sizeof(err)),
			 -1);
	assert_int_equal(flowdb_set_l7(&q, "65535", err, sizeof(err)), -1);
	assert_int_equal(flowdb_set_sort(&q, "bytes", "up", err, sizeof(err)),
			 -1);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(flowdb_set_site(&q, longname, err, sizeof(err)), -1);
	assert_int_equal(flowdb_set_node(&q, "a/b", err, sizeof(err)), -1);
	assert_int_equal(flowdb_set_instance(&q, "hub'1", err, sizeof(err)), -1);
}

static void
test_setters_accept(void **state)
{
	struct flowdb_query q;
	char err[128];
	int tls;

	(void)state;
	flowdb_query_init(&q, 1000000);
	assert_int_equal(q.begin, 1000000 - 3600);
	assert_int_equal(flowdb_set_host(&q, "10.0.0.1", err, sizeof(err)), 0);
	assert_int_equal(q.host.v, 4);
	assert_int_equal(flowdb_set_host(&q, "2001:DB8::0001", err, sizeof(err)),
			 0);
	assert_int_equal(q.host.v, 6);
	assert_int_equal(flowdb_set_l7(&q, "tls", err, sizeof(err)), 0);
	assert_string_equal(q.l7, "TLS");
	tls = q.l7_id;
	assert_true(tls > 0);
	/* "Master.App" names the App */
	assert_int_equal(flowdb_set_l7(&q, "TLS.Google", err, sizeof(err)), 0);
	assert_string_equal(q.l7, "Google");
	assert_int_not_equal(q.l7_id, tls);
	/* an id gives its name */
	assert_int_equal(flowdb_set_l7(&q, "7", err, sizeof(err)), 0);
	assert_string_equal(q.l7, "HTTP");
	assert_int_equal(flowdb_set_l7(&q, "Unknown", err, sizeof(err)), 0);
	assert_int_equal(q.l7_id, 0);
	assert_int_equal(flowdb_set_site(&q, "eu/it/milan-1", err, sizeof(err)),
			 0);
	assert_int_equal(flowdb_set_sort(&q, "first_seen", "asc", err,
					 sizeof(err)),
			 0);
	assert_int_equal(q.sort, FLOWDB_SORT_FIRST_SEEN);
	assert_int_equal(q.asc, 1);
}

static void
test_clickhouse_sql(void **state)
{
	struct flowdb_query q;
	char err[128], sql[4096], want[4096];

	(void)state;
	flowdb_query_init(&q, 1700003600);
	assert_int_equal(flowdb_ch_sql(&q, FLOWDB_PART_TOTALS, "flows", sql,
				       sizeof(sql)),
			 0);
	assert_string_equal(
		sql, "SELECT count(), sum(TOTAL_BYTES), sum(PACKETS) FROM flows "
		     "WHERE LAST_SEEN >= toDateTime(1700000000) AND FIRST_SEEN "
		     "<= toDateTime(1700003600) SETTINGS max_execution_time = 10");
	assert_int_equal(flowdb_set_host(&q, "10.0.0.1", err, sizeof(err)), 0);
	q.port = 443;
	q.l4proto = 6;
	q.vlan = 2;
	assert_int_equal(flowdb_set_l7(&q, "HTTP", err, sizeof(err)), 0);
	assert_int_equal(flowdb_set_site(&q, "eu/it", err, sizeof(err)), 0);
	assert_int_equal(flowdb_set_node(&q, "probe-1", err, sizeof(err)), 0);
	assert_int_equal(flowdb_set_instance(&q, "hub1", err, sizeof(err)), 0);
	q.per_page = 25;
	q.page = 3;
	assert_int_equal(flowdb_ch_sql(&q, FLOWDB_PART_TOTALS, "ntopng.flows",
				       sql, sizeof(sql)),
			 0);
	snprintf(want, sizeof(want),
		 "SELECT count(), sum(TOTAL_BYTES), sum(PACKETS) FROM "
		 "ntopng.flows WHERE LAST_SEEN >= toDateTime(1700000000) AND "
		 "FIRST_SEEN <= toDateTime(1700003600) AND IP_PROTOCOL_VERSION = "
		 "4 AND (IPV4_SRC_ADDR = 167772161 OR IPV4_DST_ADDR = "
		 "167772161) AND (IP_SRC_PORT = 443 OR IP_DST_PORT = 443) AND "
		 "PROTOCOL = 6 AND VLAN_ID = 2 AND (L7_PROTO = %d OR "
		 "L7_PROTO_MASTER = %d) AND startsWith(SITE_PATH, 'eu/it') AND "
		 "NODE_ID = 'probe-1' AND hex(NTOPNG_INSTANCE_NAME) = '68756231' "
		 "SETTINGS "
		 "max_execution_time = 10",
		 q.l7_id, q.l7_id);
	assert_string_equal(sql, want);
	/* the page: offset (page - 1) * perPage */
	assert_int_equal(flowdb_ch_sql(&q, FLOWDB_PART_ROWS, "flows", sql,
				       sizeof(sql)),
			 0);
	assert_non_null(
		strstr(sql, " ORDER BY TOTAL_BYTES DESC, FIRST_SEEN, LAST_SEEN, "
			    "VLAN_ID, IPV4_SRC_ADDR, IPV6_SRC_ADDR, "
			    "IP_SRC_PORT, IPV4_DST_ADDR, IPV6_DST_ADDR, "
			    "IP_DST_PORT, PROTOCOL, SRC2DST_BYTES, "
			    "DST2SRC_BYTES, SRC2DST_PACKETS, DST2SRC_PACKETS, "
			    "L7_PROTO_MASTER, L7_PROTO, L7_PROTO_NAME, INFO "
			    "LIMIT 50, 25 SETTINGS"));
	/* never a column number (18.16 orders by the constant) */
	assert_null(strstr(sql, "ORDER BY 1"));
	assert_int_equal(flowdb_ch_sql(&q, FLOWDB_PART_TOP_HOSTS, "flows", sql,
				       sizeof(sql)),
			 0);
	assert_non_null(strstr(sql, "GROUP BY ip ORDER BY sum(b) DESC, ip "
				    "LIMIT 10 SETTINGS"));
	/* IPv6: 32 hex digits */
	assert_int_equal(flowdb_set_host(&q, "2001:db8::1", err, sizeof(err)), 0);
	assert_int_equal(flowdb_ch_sql(&q, FLOWDB_PART_TOTALS, "flows", sql,
				       sizeof(sql)),
			 0);
	assert_non_null(strstr(sql, "IP_PROTOCOL_VERSION = 6 AND "
				    "(hex(IPV6_SRC_ADDR) = "
				    "'20010DB8000000000000000000000001' OR "
				    "hex(IPV6_DST_ADDR) = "
				    "'20010DB8000000000000000000000001')"));
	/* a table name or a struct filled by other means than the setters
	 * cannot bring a quote in */
	assert_int_equal(flowdb_ch_sql(&q, FLOWDB_PART_TOTALS, "flows; DROP",
				       sql, sizeof(sql)),
			 -1);
	snprintf(q.site, sizeof(q.site), "x' OR '1'='1");
	assert_int_equal(flowdb_ch_sql(&q, FLOWDB_PART_TOTALS, "flows", sql,
				       sizeof(sql)),
			 -1);
	q.site[0] = '\0';
	/* interface and instance names: any bytes, as hex */
	snprintf(q.ifname, sizeof(q.ifname), "/data/a b'c.pcap");
	snprintf(q.instance, sizeof(q.instance), "x' OR 1=1");
	assert_int_equal(flowdb_ch_sql(&q, FLOWDB_PART_TOTALS, "flows", sql,
				       sizeof(sql)),
			 0);
	assert_non_null(strstr(sql, "hex(INTERFACE_NAME) = "
				    "'2F646174612F61206227632E70636170'"));
	assert_non_null(strstr(sql, "hex(NTOPNG_INSTANCE_NAME) = "
				    "'7827204F5220313D31'"));
	assert_null(strstr(sql, "b'c"));
	q.ifname[0] = q.instance[0] = '\0';
	q.per_page = FLOWDB_MAX_PAGE + 1;
	assert_int_equal(flowdb_ch_sql(&q, FLOWDB_PART_ROWS, "flows", sql,
				       sizeof(sql)),
			 -1);
	q.per_page = 10;
	q.top = FLOWDB_MAX_TOP + 1;
	assert_int_equal(flowdb_ch_sql(&q, FLOWDB_PART_TOP_L7, "flows", sql,
				       sizeof(sql)),
			 -1);
	/* too small a buffer: -1, never a cut query */
	q.top = 10;
	assert_int_equal(flowdb_ch_sql(&q, FLOWDB_PART_TOTALS, "flows", sql, 40),
			 -1);
}

static void
test_sqlite_where(void **state)
{
	struct flowdb_query q;
	char err[128], w[512];

	(void)state;
	flowdb_query_init(&q, 1700003600);
	assert_int_equal(flowdb_set_host(&q, "10.0.0.1", err, sizeof(err)), 0);
	q.port = 53;
	assert_int_equal(flowdb_set_l7(&q, "DNS", err, sizeof(err)), 0);
	assert_int_equal(flowdb_sqlite_where(&q, w, sizeof(w)), 0);
	/* values are parameters only */
	assert_string_equal(w, " WHERE last_seen >= :b AND first_seen <= :e AND "
			       "(cli_ip = :h OR srv_ip = :h) AND (cli_port = "
			       ":p OR srv_port = :p) AND (l7_master = :l7 OR "
			       "l7_app = :l7)");
}

/* ---- SQLite day files ---- */

static char tmpdir[] = "/tmp/test_flowdb.XXXXXX";

/* v1: 1 ntopng 1.x columns, 0 ours before site_path, 2 ours with it */
static void
mkday(const char *ifdir, time_t t, int v1, const char *rows_sql)
{
	char path[4096];
	sqlite3 *db;

	assert_int_equal(writer_day_path(path, sizeof(path), ifdir, "flows", t),
			 0);
	assert_int_equal(fs_mkdir_parent(path), 0);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(
			db,
			v1 == 1 ? "CREATE TABLE flows (id INTEGER PRIMARY KEY, "
				  "vlan_id, cli_ip, cli_port, srv_ip, "
				  "srv_port, proto, bytes, first_seen, "
				  "last_seen, duration, json)"
			: v1 == 2
				? "CREATE TABLE flows (id INTEGER PRIMARY KEY, "
				  "vlan_id, cli_ip, cli_port, srv_ip, "
				  "srv_port, proto, bytes, first_seen, "
				  "last_seen, duration, json, cli2srv_bytes, "
				  "srv2cli_bytes, cli2srv_packets, "
				  "srv2cli_packets, l7_master, l7_app, l7_name, "
				  "info, ifname, site_path)"
				: "CREATE TABLE flows (id INTEGER PRIMARY KEY, "
				  "vlan_id, cli_ip, cli_port, srv_ip, "
				  "srv_port, proto, bytes, first_seen, "
				  "last_seen, duration, json, cli2srv_bytes, "
				  "srv2cli_bytes, cli2srv_packets, "
				  "srv2cli_packets, l7_master, l7_app, l7_name, "
				  "info, ifname)",
			NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, rows_sql, NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
}

static json_int_t
jint(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	if (b != NULL)
		v = json_object_get(v, b);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void
test_sqlite_run(void **state)
{
	/* noon of two consecutive local days */
	time_t d1 = 1700000000 - 1700000000 % 86400 + 43200, d2 = d1 + 86400;
	struct flowdb_query q;
	char err[128], sql[2048];
	json_t *r;

	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	assert_int_equal(writer_start(tmpdir), 0);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO flows VALUES (NULL,0,'10.0.0.1',1000,'10.0.0.2',"
		 "443,6,1000,%ld,%ld,1,'',400,600,4,6,91,126,'TLS.Google',"
		 "'www.google.com','x','edge1');"
		 "INSERT INTO flows VALUES (NULL,0,'10.0.0.3',1001,'10.0.0.2',"
		 "53,17,100,%ld,%ld,0,'',50,50,1,1,5,5,'DNS','a.b','x',"
		 "'edge1>regional');"
		 "INSERT INTO flows VALUES (NULL,0,'10.0.0.1',1002,'10.0.0.4',"
		 "80,6,5000,%ld,%ld,2,'',1000,4000,10,20,7,7,'HTTP','h','x','');",
		 (long)d1, (long)d1 + 1, (long)d1 + 5, (long)d1 + 5,
		 (long)d1 + 10, (long)d1 + 12);
	mkday("if0", d1, 2, sql);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO flows VALUES (NULL,0,'10.0.0.1',2000,'8.8.8.8',"
		 "53,17,300,%ld,%ld,0,NULL);",
		 (long)d2, (long)d2);
	mkday("if0", d2, 1, sql);
	/* a file of our columns from before site_path: read, site '' */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO flows VALUES (NULL,0,'10.9.9.9',3000,'10.0.0.2',"
		 "22,6,70,%ld,%ld,0,'',30,40,1,1,92,92,'SSH',"
		 "CAST(X'66FF6F' AS TEXT),'x');",
		 (long)d2 + 86400, (long)d2 + 86400);
	mkday("if0", d2 + 86400, 0, sql);

	flowdb_query_init(&q, (time_t)d2 + 86400 + 60);
	q.begin = d1 - 60;
	q.per_page = 2;
	r = flowdb_run_sqlite(&q, tmpdir, "if0", err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(jint(r, "totals", "flows"), 5);
	assert_int_equal(jint(r, "totals", "bytes"), 6470);
	assert_int_equal(jint(r, "totals", "packets"), 44);
	assert_int_equal(jint(r, "totalRows", NULL), 5);
	assert_int_equal(json_array_size(json_object_get(r, "data")), 2);
	assert_int_equal(jint(json_array_get(json_object_get(r, "data"), 0),
			      "bytes", NULL),
			 5000);
	assert_int_equal(json_array_size(json_object_get(r, "files_read")), 3);
	/* top host: 10.0.0.1 in 3 flows, 6300 bytes */
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(r, "top_hosts"), 0),
			"ip")),
		"10.0.0.1");
	assert_int_equal(jint(json_array_get(json_object_get(r, "top_hosts"), 0),
			      "bytes", NULL),
			 6300);
	json_decref(r);

	/* page 2, ascending (70 100 | 300 1000 | 5000) */
	q.page = 2;
	q.asc = 1;
	r = flowdb_run_sqlite(&q, tmpdir, "if0", err, sizeof(err));
	assert_int_equal(jint(json_array_get(json_object_get(r, "data"), 0),
			      "bytes", NULL),
			 300);
	assert_int_equal(jint(json_array_get(json_object_get(r, "data"), 1),
			      "bytes", NULL),
			 1000);
	json_decref(r);

	/* host 10.0.0.2, port 53: one flow; protocol Google: one flow */
	flowdb_query_init(&q, (time_t)d2 + 60);
	q.begin = d1 - 60;
	assert_int_equal(flowdb_set_host(&q, "10.0.0.2", err, sizeof(err)), 0);
	q.port = 53;
	r = flowdb_run_sqlite(&q, tmpdir, "if0", err, sizeof(err));
	assert_int_equal(jint(r, "totals", "flows"), 1);
	assert_int_equal(jint(r, "totals", "bytes"), 100);
	json_decref(r);
	q.host.v = 0;
	q.port = -1;
	assert_int_equal(flowdb_set_l7(&q, "Google", err, sizeof(err)), 0);
	r = flowdb_run_sqlite(&q, tmpdir, "if0", err, sizeof(err));
	assert_int_equal(jint(r, "totals", "bytes"), 1000);
	json_decref(r);

	/* site path prefix: the two flows that came by edge1 */
	q.l7_id = -1;
	q.l7[0] = '\0';
	assert_int_equal(flowdb_set_site(&q, "edge1", err, sizeof(err)), 0);
	r = flowdb_run_sqlite(&q, tmpdir, "if0", err, sizeof(err));
	assert_int_equal(jint(r, "totals", "flows"), 2);
	assert_int_equal(jint(r, "totals", "bytes"), 1100);
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(r, "data"), 0),
			"site_path")),
		"edge1");
	json_decref(r);
	assert_int_equal(flowdb_set_site(&q, "edge1>", err, sizeof(err)), -1);
	assert_int_equal(flowdb_set_site(&q, "regional", err, sizeof(err)), 0);
	r = flowdb_run_sqlite(&q, tmpdir, "if0", err, sizeof(err));
	assert_int_equal(jint(r, "totals", "flows"), 0);
	json_decref(r);
	q.site[0] = '\0';

	/* the first day only: the 1.x file is not read */
	flowdb_query_init(&q, (time_t)d1 + 60);
	q.begin = d1 - 60;
	r = flowdb_run_sqlite(&q, tmpdir, "if0", err, sizeof(err));
	assert_int_equal(jint(r, "totals", "flows"), 3);
	json_decref(r);

	/* the third day: a row whose info is not UTF-8 is kept, '?' for
	 * the bad byte; no site_path column: "" */
	flowdb_query_init(&q, (time_t)d2 + 86400 + 60);
	q.begin = d2 + 86400 - 60;
	r = flowdb_run_sqlite(&q, tmpdir, "if0", err, sizeof(err));
	assert_int_equal(json_array_size(json_object_get(r, "data")), 1);
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(r, "data"), 0), "info")),
		"f?o");
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(r, "data"), 0),
			"site_path")),
		"");
	json_decref(r);

	/* more than FLOWDB_MAX_DAYS days: refused */
	q.begin = d1 - 20 * 86400;
	assert_null(flowdb_run_sqlite(&q, tmpdir, "if0", err, sizeof(err)));
	assert_non_null(strstr(err, "days"));
	writer_stop();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setters_refuse),
		cmocka_unit_test(test_setters_accept),
		cmocka_unit_test(test_clickhouse_sql),
		cmocka_unit_test(test_sqlite_where),
		cmocka_unit_test(test_sqlite_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
