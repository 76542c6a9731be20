/*
 * test_prefs.c - unit tests of common/prefs.c: defaults, every spelling
 * of an option (-w 3000, -w3000, -w=3000, --http-port 3000,
 * --http-port=3000), last value wins, -i accumulates, the forms of -l,
 * [addr:]port, local networks, bad values (with the exact stderr line),
 * configuration files written with mkstemp, and the dump round trip.
 *
 * stderr and stdout are redirected to temporary files around each parse
 * so that the tests can assert the one-line diagnostics.
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

#include "common/prefs.h"

static char captured_err[8192];
static char captured_out[65536];

static void
file_slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
}

/*
 * Runs prefs_parse on a NULL-terminated argument list (argv[0] is added)
 * with stdout/stderr captured into captured_out/captured_err.
 */
static int
parse_args(struct prefs *p, const char *const *args)
{
	char *argv[128];
	int argc = 0, rc, saved_err, saved_out;
	FILE *ferr = tmpfile(), *fout = tmpfile();

	assert_non_null(ferr);
	assert_non_null(fout);
	argv[argc++] = (char *)"ntopng";
	while (*args && argc < 127)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;

	fflush(stdout);
	fflush(stderr);
	saved_err = dup(STDERR_FILENO);
	saved_out = dup(STDOUT_FILENO);
	dup2(fileno(ferr), STDERR_FILENO);
	dup2(fileno(fout), STDOUT_FILENO);
	rc = prefs_parse(p, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_err, STDERR_FILENO);
	dup2(saved_out, STDOUT_FILENO);
	close(saved_err);
	close(saved_out);
	file_slurp(ferr, captured_err, sizeof(captured_err));
	file_slurp(fout, captured_out, sizeof(captured_out));
	fclose(ferr);
	fclose(fout);
	return rc;
}

/* prefs_init + parse, for one-shot checks. */
#define PARSE(p, ...) \
	(prefs_init(p), \
	 parse_args((p), (const char *const[]){ __VA_ARGS__, NULL }))

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Writes text into a new /tmp file; path receives its name. */
static void
conf_write(char *path, size_t len, const char *text)
{
	int fd;

	snprintf(path, len, "/tmp/test_prefs_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void
dump_to(const struct prefs *p, char *buf, size_t len)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	prefs_dump(p, f);
	file_slurp(f, buf, len);
	fclose(f);
}

static void
test_defaults(void **state)
{
	struct prefs p;
	char dump[256];

	prefs_init(&p);
	assert_int_equal(parse_args(&p, (const char *const[]){ NULL }), 0);
	assert_int_equal(p.n_ifaces, 0);
	assert_int_equal(p.dns_mode, 0);
	assert_string_equal(p.data_dir, "/var/tmp/ntopng");
	assert_string_equal(p.httpdocs_dir, "httpdocs");
	assert_string_equal(p.scripts_dir, "scripts");
	assert_string_equal(p.callbacks_dir, "scripts/callbacks");
	assert_null(p.http_addr);
	assert_int_equal(p.http_port, 3000);
	assert_int_equal(p.https_port, -1);
	assert_int_equal(p.local_nets.n, 1);
	assert_string_equal(p.local_nets.v[0].name, "192.168.1.0/24");
	assert_string_equal(p.redis, "127.0.0.1:6379");
	assert_string_equal(p.user, "nobody");
	assert_int_equal(p.disable_login, -1);
	assert_int_equal(p.max_num_flows, 131072);
	assert_int_equal(p.max_num_hosts, 65536);
	assert_int_equal(p.dump_hosts, PREFS_MODE_NONE);
	assert_int_equal(p.sticky_hosts, PREFS_MODE_NONE);
	assert_null(p.core_affinity);
	assert_int_equal(p.n_cores, 0);
	assert_null(p.log_file);
	assert_int_equal(p.daemonize, 0);
	assert_int_equal(p.export_interval, 1);
	assert_int_equal(p.verbose, 0);
	assert_int_equal(p.n_export_endpoints, 0);
	assert_null(p.packet_filter);
	assert_null(p.pid_file);
	assert_null(p.config_file);
	assert_string_equal(captured_err, "");
	/* nothing differs from the defaults: the dump is empty */
	dump_to(&p, dump, sizeof(dump));
	assert_string_equal(dump, "");
	prefs_fini(&p);
}

static void
test_forms(void **state)
{
	static const char *const forms[][3] = {
		{ "-w", "8080", NULL },
		{ "-w8080", NULL, NULL },
		{ "-w=8080", NULL, NULL },
		{ "--http-port", "8080", NULL },
		{ "--http-port=8080", NULL, NULL },
	};
	struct prefs p;
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		prefs_init(&p);
		assert_int_equal(parse_args(&p, forms[i]), 0);
		assert_int_equal(p.http_port, 8080);
		prefs_fini(&p);
	}

	assert_int_equal(PARSE(&p, "-X", "1000", "--max-num-hosts=77",
			       "-d/tmp/x", "--data-dir", "/tmp/y", "-B",
			       "tcp port 80", "-G=/run/n.pid", "-1", "docs",
			       "--scripts-dir=sc", "-3", "cb", "-p",
			       "a.protos"),
			 0);
	assert_int_equal(p.max_num_flows, 1000);
	assert_int_equal(p.max_num_hosts, 77);
	assert_string_equal(p.data_dir, "/tmp/y");
	assert_string_equal(p.packet_filter, "tcp port 80");
	assert_string_equal(p.pid_file, "/run/n.pid");
	assert_string_equal(p.httpdocs_dir, "docs");
	assert_string_equal(p.scripts_dir, "sc");
	assert_string_equal(p.callbacks_dir, "cb");
	assert_string_equal(p.ndpi_protos_file, "a.protos");
	/* all of these are implemented (-2 and -3 since the Lua engine):
	 * no "not implemented yet" line */
	assert_string_equal(captured_err, "");
	prefs_fini(&p);

	/* flags, clusters, -v counting, the -P alias spelling */
	assert_int_equal(PARSE(&p, "-sq", "-v", "-vv", "--verbose",
			       "--shutdown-when-done",
			       "--disable-host-persistence", "-n", "3"), 0);
	assert_int_equal(p.dont_change_user, 1);
	assert_int_equal(p.disable_autologout, 1);
	assert_int_equal(p.verbose, 4);
	assert_int_equal(p.shutdown_when_done, 1);
	assert_int_equal(p.disable_host_persistence, 1);
	assert_int_equal(p.dns_mode, 3);
	/* -P is implemented (exporter/storage.c) and so is -n (merge/names.c):
	 * no warning */
	assert_string_equal(captured_err, "");
	prefs_fini(&p);

	/* modes and the operations options */
	assert_int_equal(PARSE(&p, "-D", "all", "-E", "local", "-S", "remote",
			       "-A", "2", "-F", "-F", "-g", "1,0,1", "-e",
			       "--log-file", "/var/log/n.log",
			       "--export-interval", "30", "--node-id", "hq",
			       "--hw-timestamp-mode", "ixia", "--json-labels",
			       "-I", "tcp://*:5556", "-W", "3443",
			       "--zmq-encryption-key", "K1"), 0);
	assert_int_equal(p.dump_hosts, PREFS_MODE_ALL);
	assert_int_equal(p.dump_aggregations, PREFS_MODE_LOCAL);
	assert_int_equal(p.sticky_hosts, PREFS_MODE_REMOTE);
	assert_int_equal(p.aggregations, 2);
	assert_int_equal(p.dump_flows, 1);
	assert_string_equal(p.core_affinity, "1,0,1");
	assert_int_equal(p.n_cores, 3);
	assert_int_equal(p.cores[0], 1);
	assert_int_equal(p.cores[1], 0);
	assert_int_equal(p.cores[2], 1);
	assert_int_equal(p.daemonize, 1);
	assert_string_equal(p.log_file, "/var/log/n.log");
	assert_int_equal(p.export_interval, 30);
	assert_int_equal(p.export_reliable_mb, 0); /* off by default */
	assert_string_equal(p.node_id, "hq");
	assert_string_equal(p.hw_timestamp_mode, "ixia");
	assert_int_equal(p.json_labels, 1);
	assert_int_equal(p.n_export_endpoints, 1);
	assert_string_equal(p.export_endpoints[0], "tcp://*:5556");
	assert_int_equal(p.https_port, 3443);
	assert_string_equal(p.zmq_encryption_key, "K1");
	/* -D, -S, -F are implemented (exporter/storage.c): no line for them;
	 * one line per other option */
	assert_null(strstr(captured_err, "--dump-flows"));
	assert_null(strstr(captured_err, "--dump-hosts"));
	assert_null(strstr(captured_err, "--sticky-hosts"));
	/* -e, -g and --hw-timestamp-mode are built (docs/cli.md) */
	assert_null(strstr(captured_err, "not implemented"));
	assert_true(count_lines(captured_err) <= 10);
	prefs_fini(&p);
}

static void
test_last_value_wins(void **state)
{
	struct prefs p;

	assert_int_equal(PARSE(&p, "-w", "8000", "-w", "8080", "-d", "a",
			       "-d", "b", "-m", "10.0.0.0/8", "-m",
			       "172.16.0.0/12", "-D", "all", "-D", "none"), 0);
	assert_int_equal(p.http_port, 8080);
	assert_string_equal(p.data_dir, "b");
	assert_int_equal(p.local_nets.n, 1);
	assert_string_equal(p.local_nets.v[0].name, "172.16.0.0/12");
	assert_int_equal(p.dump_hosts, PREFS_MODE_NONE);
	prefs_fini(&p);
}

static void
test_interfaces(void **state)
{
	const char *args[2 * PREFS_MAX_IFACES + 4];
	char names[PREFS_MAX_IFACES + 1][16];
	struct prefs p;
	int i;

	assert_int_equal(PARSE(&p, "-i", "eth0", "--interface=lo", "-i=x.pcap",
			       "-ibranches=tcp://a:5556,tcp://b:5556"), 0);
	assert_int_equal(p.n_ifaces, 4);
	assert_string_equal(p.ifaces[0], "eth0");
	assert_string_equal(p.ifaces[1], "lo");
	assert_string_equal(p.ifaces[2], "x.pcap");
	assert_string_equal(p.ifaces[3],
			    "branches=tcp://a:5556,tcp://b:5556");
	prefs_fini(&p);

	/* PREFS_MAX_IFACES is fine, one more is an error */
	for (i = 0; i <= PREFS_MAX_IFACES; i++) {
		snprintf(names[i], sizeof(names[i]), "if%d", i);
		args[2 * i] = "-i";
		args[2 * i + 1] = names[i];
	}
	args[2 * PREFS_MAX_IFACES] = NULL;
	prefs_init(&p);
	assert_int_equal(parse_args(&p, args), 0);
	assert_int_equal(p.n_ifaces, PREFS_MAX_IFACES);
	assert_string_equal(p.ifaces[PREFS_MAX_IFACES - 1], "if31");
	prefs_fini(&p);
	args[2 * PREFS_MAX_IFACES] = "-i";
	args[2 * PREFS_MAX_IFACES + 2] = NULL;
	prefs_init(&p);
	assert_int_equal(parse_args(&p, args), -1);
	assert_string_equal(captured_err,
			    "ntopng: too many interfaces (at most 32)\n");
	prefs_fini(&p);
}

static void
test_login(void **state)
{
	static const struct {
		const char *a[4];
		int login;
		int n_ifaces;
	} cases[] = {
		{ { "-l", NULL }, 1, 0 },
		{ { "-l", "1", NULL }, 1, 0 },
		{ { "-l", "0", NULL }, 0, 0 },
		{ { "-l0", NULL }, 0, 0 },
		{ { "-l=0", NULL }, 0, 0 },
		{ { "-l=1", NULL }, 1, 0 },
		{ { "--disable-login", "0", NULL }, 0, 0 },
		{ { "--disable-login=0", NULL }, 0, 0 },
		{ { "--disable-login", NULL }, 1, 0 },
		/* the next token is not a login value: left alone */
		{ { "-l", "-i", "eth0", NULL }, 1, 1 },
		{ { "-l", "0", "-l", NULL }, 1, 0 },
	};
	struct prefs p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		prefs_init(&p);
		assert_int_equal(parse_args(&p, cases[i].a), 0);
		assert_int_equal(p.disable_login, cases[i].login);
		assert_int_equal(p.n_ifaces, cases[i].n_ifaces);
		assert_int_equal(p.n_export_endpoints, 0);
		prefs_fini(&p);
	}

	/* seed §6.2: -l <endpoint> is an export endpoint, login untouched */
	assert_int_equal(PARSE(&p, "-i", "eth0", "-l", "tcp://*:3456", "-l",
			       "ipc:///tmp/flows.ipc", "-I", "tcp://*:9"), 0);
	assert_int_equal(p.disable_login, -1);
	assert_int_equal(p.n_ifaces, 1);
	assert_int_equal(p.n_export_endpoints, 3);
	assert_string_equal(p.export_endpoints[0], "tcp://*:3456");
	assert_string_equal(p.export_endpoints[1], "ipc:///tmp/flows.ipc");
	assert_string_equal(p.export_endpoints[2], "tcp://*:9");
	/* -I is implemented (exporter/export.c): no warning */
	assert_string_equal(captured_err, "");
	prefs_fini(&p);

	assert_int_equal(PARSE(&p, "-l=tcp://*:3456"), 0);
	assert_int_equal(p.n_export_endpoints, 1);
	prefs_fini(&p);

	assert_int_equal(PARSE(&p, "-l=2"), -1);
	assert_string_equal(captured_err, "ntopng: invalid value '2' for "
			    "--disable-login (-l): expected 0, 1 or an export "
			    "endpoint such as tcp://*:3456\n");
	prefs_fini(&p);
}

static void
test_http_port(void **state)
{
	static const struct {
		const char *arg;
		const char *addr;
		int port;
	} ok[] = {
		{ "3000", NULL, 3000 },
		{ "0", NULL, 0 },
		{ ":3001", NULL, 3001 },
		{ "127.0.0.1:3002", "127.0.0.1", 3002 },
		{ "[::1]:3003", "::1", 3003 },
		{ "0.0.0.0:65535", "0.0.0.0", 65535 },
	};
	static const char *const bad[] = {
		"65536", "::1:3000", "[::1]3000", "[::1]", "1.2.3:80",
		"1.2.3.4:", "abc", "-1", "", "[1.2.3.4]:80", "3000x",
		"127.0.0.1:3000:1",
	};
	char dump[256], want[128];
	struct prefs p;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(PARSE(&p, "-w", ok[i].arg), 0);
		assert_int_equal(p.http_port, ok[i].port);
		if (ok[i].addr)
			assert_string_equal(p.http_addr, ok[i].addr);
		else
			assert_null(p.http_addr);
		prefs_fini(&p);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(PARSE(&p, "--http-port", bad[i]), -1);
		snprintf(want, sizeof(want),
			 "ntopng: invalid value '%s' for --http-port (-w)",
			 bad[i]);
		/* "-1" reads as a missing value, the rest as a bad one */
		if (strcmp(bad[i], "-1") != 0)
			assert_memory_equal(captured_err, want, strlen(want));
		else
			assert_string_equal(captured_err, "ntopng: option "
					    "--http-port (-w) needs a value "
					    "(see ntopng -h)\n");
		assert_int_equal(count_lines(captured_err), 1);
		/* the default survives a bad value */
		assert_int_equal(p.http_port, 3000);
		prefs_fini(&p);
	}

	assert_int_equal(PARSE(&p, "-w", "[::1]:8080", "-W", "127.0.0.1:8443"),
			 0);
	dump_to(&p, dump, sizeof(dump));
	assert_string_equal(dump, "--http-port=[::1]:8080\n"
			    "--https-port=127.0.0.1:8443\n");
	prefs_fini(&p);
}

static void
test_local_networks(void **state)
{
	static const char bad_nets[] = "ntopng: invalid value "
		"'10.0.0.0/8,300.1.0.0/16' for --local-networks (-m): ";
	struct prefs p;

	assert_int_equal(PARSE(&p, "-m",
			       "131.114.21.0/24,10.0.0.0/255.0.0.0,"
			       "2001:db8::/32"), 0);
	assert_int_equal(p.local_nets.n, 3);
	assert_string_equal(p.local_nets.v[0].name, "131.114.21.0/24");
	assert_string_equal(p.local_nets.v[1].name, "10.0.0.0/8");
	assert_int_equal(p.local_nets.v[1].prefix, 8);
	assert_int_equal(p.local_nets.v[2].prefix, 32);
	prefs_fini(&p);

	/* a bad list is an error and leaves the previous list in place */
	assert_int_equal(PARSE(&p, "--local-networks=10.0.0.0/8,300.1.0.0/16"),
			 -1);
	assert_memory_equal(captured_err, bad_nets, strlen(bad_nets));
	assert_int_equal(count_lines(captured_err), 1);
	assert_int_equal(p.local_nets.n, 1);
	assert_string_equal(p.local_nets.v[0].name, "192.168.1.0/24");
	prefs_fini(&p);
}

static void
test_bad_values(void **state)
{
	static const struct {
		const char *a[4];
		const char *err;   /* exact line, or NULL: just one line */
	} cases[] = {
		{ { "-X", "abc" }, "ntopng: invalid value 'abc' for "
		  "--max-num-flows (-X): expected a number from 1 to "
		  "2^32-1\n" },
		{ { "-X", "0" }, NULL },
		{ { "-X", "4294967296" }, NULL },
		{ { "-X", "12x" }, NULL },
		{ { "-X", " 5" }, NULL },
		{ { "-X", "+5" }, NULL },
		{ { "-x", "" }, NULL },
		{ { "-n", "4" }, "ntopng: invalid value '4' for --dns-mode "
		  "(-n): expected a number from 0 to 3\n" },
		{ { "-A", "3" }, NULL },
		{ { "-g", "1024" }, NULL },
		{ { "--export-reliable=0" }, NULL },
		{ { "--export-reliable=65537" }, NULL },
		{ { "--export-reliable=x" }, NULL },
		{ { "-g", "0,,1" }, "ntopng: invalid value '0,,1' for "
		  "--core-affinity (-g): expected core numbers from 0 to 1023, "
		  "comma separated (at most 64)\n" },
		{ { "-g", "1," }, NULL },
		{ { "-g", ",1" }, NULL },
		{ { "-g", "x" }, NULL },
		{ { "-g", "0,-1" }, NULL },
		{ { "-g", "00000000000000000001" }, NULL },
		{ { "--export-interval", "3601" }, "ntopng: invalid value "
		  "'3601' for --export-interval: expected a number from 1 to "
		  "3600\n" },
		{ { "-D", "some" }, "ntopng: invalid value 'some' for "
		  "--dump-hosts (-D): expected all, local, remote or none\n" },
		{ { "-S", "ALL" }, NULL },
		{ { "--hw-timestamp-mode", "foo" }, NULL },
		{ { "--node-id", "a b" }, NULL },
		{ { "--node-id", "edge>hub" }, "ntopng: invalid value 'edge>hub' "
		  "for --node-id: expected 1 to 64 printable characters "
		  "without blanks, commas or '>'\n" },
		{ { "-I", "eth0" }, NULL },
		{ { "--timeseries-driver", "influx" }, "ntopng: invalid value "
		  "'influx' for --timeseries-driver: expected rrd or "
		  "influxdb\n" },
		{ { "--influxdb-url", "ftp://h:8086" }, "ntopng: invalid value "
		  "'ftp://h:8086' for --influxdb-url: expected "
		  "http://host[:port]\n" },
		{ { "--influxdb-url", "http://" }, NULL },
		{ { "--influxdb-url", "http://:8086" }, NULL },
		{ { "--influxdb-url", "http://h 1:8086" }, NULL },
		{ { "--influxdb-url", "http://u:p@h:8086" }, NULL },
		{ { "--influxdb-url", "http://h:8086/?db=x" }, NULL },
		{ { "--influxdb-db", "a;b" }, NULL },
		{ { "--influxdb-db", "" }, NULL },
		{ { "--influxdb-db", "d\"x" }, NULL },
		{ { "--influxdb-retention", "36501" }, NULL },
		{ { "--foo" }, "ntopng: unknown option '--foo' "
		  "(see ntopng -h)\n" },
		{ { "--foo=1" }, "ntopng: unknown option '--foo' "
		  "(see ntopng -h)\n" },
		{ { "-Z" }, "ntopng: unknown option '-Z' (see ntopng -h)\n" },
		{ { "-sZ" }, "ntopng: unknown option '-Z' (see ntopng -h)\n" },
		{ { "-i" }, "ntopng: option --interface (-i) needs a value "
		  "(see ntopng -h)\n" },
		{ { "-d", "-s" }, "ntopng: option --data-dir (-d) needs a "
		  "value (see ntopng -h)\n" },
		{ { "--node-id" }, NULL },
		{ { "-s=1" }, "ntopng: option --dont-change-user (-s) takes "
		  "no value (got '1')\n" },
		{ { "-" }, NULL },
		{ { "-i", "eth0", "stray" }, NULL },
	};
	struct prefs p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		prefs_init(&p);
		assert_int_equal(parse_args(&p, cases[i].a), -1);
		if (cases[i].err)
			assert_string_equal(captured_err, cases[i].err);
		else
			assert_int_equal(count_lines(captured_err), 1);
		assert_memory_equal(captured_err, "ntopng: ", 8);
		prefs_fini(&p);
	}

	/* the largest accepted values */
	assert_int_equal(PARSE(&p, "-X", "4294967295", "-x", "1", "-g", "0"),
			 0);
	assert_int_equal(p.max_num_flows, 4294967295u);
	assert_int_equal(p.max_num_hosts, 1);
	assert_string_equal(p.core_affinity, "0");
	assert_int_equal(p.n_cores, 1);
	assert_int_equal(p.cores[0], 0);
	prefs_fini(&p);
}

static void
test_help_version(void **state)
{
	struct prefs p;
	char want[64];

	assert_int_equal(PARSE(&p, "-h"), 1);
	assert_non_null(strstr(captured_out, "\nInputs:\n"));
	assert_non_null(strstr(captured_out, "\nExport and hierarchies:\n"));
	assert_non_null(strstr(captured_out, "[--interface|-i] "));
	assert_non_null(strstr(captured_out,
			       "--zmq-encryption-key-priv <key>"));
	assert_non_null(strstr(captured_out, "Available interfaces"));
	/* the hidden alias is not listed */
	assert_null(strstr(captured_out, "disable-host-persistence"));
	prefs_fini(&p);

	assert_int_equal(PARSE(&p, "--version"), 1);
	snprintf(want, sizeof(want), "ntopng v.%s (C re-implementation) "
		 "built with nDPI ", NTOPNG_VERSION);
	assert_memory_equal(captured_out, want, strlen(want));
	assert_non_null(strstr(captured_out, " and libpcap "));
	prefs_fini(&p);
}

/*
 * --dump-options: the table the docs are generated from and checked
 * against (tests/e2e/docs_options.py).  The statuses here are the ones
 * docs/cli.md and man/ntopng.8 must show: -n is stored only, -U works.
 */
static void
test_dump_options(void **state)
{
	struct prefs p;

	(void)state;
	assert_int_equal(PARSE(&p, "--dump-options", "tsv"), 1);
	assert_non_null(strstr(captured_out,
			       "n\tdns-mode\t<mode>\tInputs\t1\t-\n"));
	assert_non_null(strstr(captured_out,
			       "U\tuser\t<sys user>\tProcess\t1\t-\n"));
	assert_non_null(strstr(captured_out, "-\tdisable-host-persistence\t-\t"
			       "Storage (Redis, SQLite, RRD)\t1\t"
			       "disable-host-persistency\n"));
	assert_string_equal(captured_err, "");
	prefs_fini(&p);

	assert_int_equal(PARSE(&p, "--dump-options=md"), 1);
	assert_memory_equal(captured_out, "<!-- BEGIN options", 18);
	assert_non_null(strstr(captured_out, "\n### Process\n"));
	assert_non_null(strstr(captured_out, "| `-n` | `--dns-mode` | `<mode>` "
			       "| DNS address resolution mode: 0 - Decode"));
	/* every option is built today: no row says otherwise */
	assert_null(strstr(captured_out, "| not implemented yet |\n"));
	assert_non_null(strstr(captured_out, "\n<!-- END options -->\n"));
	prefs_fini(&p);

	assert_int_equal(PARSE(&p, "--dump-options", "html"), -1);
	assert_string_equal(captured_err, "ntopng: invalid value 'html' for "
			    "--dump-options: expected md or tsv\n");
	prefs_fini(&p);
}

static void
test_config_file(void **state)
{
	char path[64], arg_after[] = "-w", arg_val[] = "9999";
	struct prefs p;
	char want[256];

	conf_write(path, sizeof(path),
		   "# ntopng configuration\n"
		   "-i=eth0\n"
		   "\n"
		   "--interface=branches=tcp://a:5556,tcp://b:5556  # merged\n"
		   "   --interface lo   \n"
		   "-B=tcp port 80\n"
		   "-w=\"127.0.0.1:3001\"\n"
		   "-s\n"
		   "-vv\n"
		   "-l 0\n"
		   "-X=500\n"
		   "-X=600\n");
	assert_int_equal(PARSE(&p, path, arg_after, arg_val), 0);
	assert_int_equal(p.n_ifaces, 3);
	assert_string_equal(p.ifaces[0], "eth0");
	assert_string_equal(p.ifaces[1], "branches=tcp://a:5556,tcp://b:5556");
	assert_string_equal(p.ifaces[2], "lo");
	assert_string_equal(p.packet_filter, "tcp port 80");
	assert_string_equal(p.http_addr, "127.0.0.1");
	assert_int_equal(p.http_port, 3001);   /* -w 9999 after it ignored */
	assert_int_equal(p.dont_change_user, 1);
	assert_int_equal(p.verbose, 2);
	assert_int_equal(p.disable_login, 0);
	assert_int_equal(p.max_num_flows, 600);
	assert_string_equal(p.config_file, path);
	assert_string_equal(captured_err, "ntopng: warning: options after the "
			    "configuration file are ignored: -w 9999\n");
	prefs_fini(&p);
	unlink(path);

	/* a bad line: -1 and a line-numbered message */
	conf_write(path, sizeof(path), "-s\n# fine\n--foo=1\n-v\n");
	assert_int_equal(PARSE(&p, path), -1);
	snprintf(want, sizeof(want), "ntopng: %s:3: unknown option '--foo'\n",
		 path);
	assert_string_equal(captured_err, want);
	prefs_fini(&p);
	unlink(path);

	conf_write(path, sizeof(path), "-x=abc\n");
	assert_int_equal(PARSE(&p, path), -1);
	snprintf(want, sizeof(want), "ntopng: %s:1: invalid value 'abc' for "
		 "--max-num-hosts (-x): expected a number from 1 to 2^32-1\n",
		 path);
	assert_string_equal(captured_err, want);
	prefs_fini(&p);
	unlink(path);

	/* one option per line: a flag followed by text is an error */
	conf_write(path, sizeof(path), "-i eth0\n-s extra\n");
	assert_int_equal(PARSE(&p, path), -1);
	snprintf(want, sizeof(want), "ntopng: %s:2: unexpected text 'extra' "
		 "after -s\n", path);
	assert_string_equal(captured_err, want);
	prefs_fini(&p);
	unlink(path);

	conf_write(path, sizeof(path), "interface=eth0\n");
	assert_int_equal(PARSE(&p, path), -1);
	assert_int_equal(count_lines(captured_err), 1);
	prefs_fini(&p);
	unlink(path);

	/* not a file, not an option */
	assert_int_equal(PARSE(&p, "/nonexistent/ntopng.conf"), -1);
	assert_string_equal(captured_err, "ntopng: '/nonexistent/ntopng.conf' "
			    "is neither an option nor a configuration file "
			    "(see ntopng -h)\n");
	prefs_fini(&p);
	assert_int_equal(PARSE(&p, "/tmp"), -1);
	prefs_fini(&p);
}

/* The dump is a configuration file that gives the same preferences. */
static void
test_dump_round_trip(void **state)
{
	char path[64], d1[4096], d2[4096];
	struct prefs p;
	int fd;

	assert_int_equal(PARSE(&p, "-i", "eth0", "-i", "a=tcp://h:5556",
			       "-w", "[::1]:8080", "-m",
			       "10.0.0.0/255.0.0.0,192.168.0.0/16", "-X", "5",
			       "-l", "-vv", "-s", "-B", "tcp port 80", "-D",
			       "local", "-I", "tcp://*:5556", "--node-id", "n1",
			       "-d", "/tmp/d"), 0);
	dump_to(&p, d1, sizeof(d1));
	prefs_fini(&p);
	assert_string_equal(d1,
			    "--interface=eth0\n"
			    "--interface=a=tcp://h:5556\n"
			    "--packet-filter=tcp port 80\n"
			    "--http-port=[::1]:8080\n"
			    "--disable-login=1\n"
			    "--local-networks=10.0.0.0/8,192.168.0.0/16\n"
			    "--max-num-flows=5\n"
			    "--data-dir=/tmp/d\n"
			    "--dump-hosts=local\n"
			    "--export-flows=tcp://*:5556\n"
			    "--node-id=n1\n"
			    "--dont-change-user\n"
			    "--verbose\n"
			    "--verbose\n");

	snprintf(path, sizeof(path), "/tmp/test_prefs_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, d1, strlen(d1)), (ssize_t)strlen(d1));
	close(fd);
	assert_int_equal(PARSE(&p, path), 0);
	dump_to(&p, d2, sizeof(d2));
	assert_string_equal(d1, d2);
	prefs_fini(&p);
	unlink(path);
}

/* The time-series driver: rrd by default, influxdb with its options */
static void
test_timeseries_driver(void **state)
{
	struct prefs p;

	(void)state;
	prefs_init(&p);
	assert_string_equal(p.ts_driver, "rrd");
	assert_string_equal(p.influxdb_url, "http://127.0.0.1:8086");
	assert_string_equal(p.influxdb_db, "ntopng");
	assert_null(p.influxdb_user);
	assert_int_equal(p.influxdb_retention, 0);
	prefs_fini(&p);
	assert_int_equal(PARSE(&p, "--timeseries-driver", "influxdb",
			       "--influxdb-url", "https://tsdb.example:8443/",
			       "--influxdb-db", "branch_1-a", "--influxdb-user",
			       "u", "--influxdb-password", "p w",
			       "--influxdb-retention", "365"),
			 0);
	assert_string_equal(p.ts_driver, "influxdb");
	assert_string_equal(p.influxdb_url, "https://tsdb.example:8443/");
	assert_string_equal(p.influxdb_db, "branch_1-a");
	assert_string_equal(p.influxdb_user, "u");
	assert_string_equal(p.influxdb_password, "p w");
	assert_int_equal(p.influxdb_retention, 365);
	prefs_fini(&p);
}

/* --export-reliable[=MB]: the value only attached; without it, 64 MB */
static void
test_export_reliable(void **state)
{
	struct prefs p;

	(void)state;
	assert_int_equal(PARSE(&p, "--export-reliable"), 0);
	assert_int_equal(p.export_reliable_mb, 64);
	prefs_fini(&p);
	assert_int_equal(PARSE(&p, "--export-reliable=8", "-I",
			       "tcp://hub:5556c"),
			 0);
	assert_int_equal(p.export_reliable_mb, 8);
	assert_int_equal(p.n_export_endpoints, 1);
	prefs_fini(&p);
}

/* prefs_reload_file() with stderr (where the log goes here) captured. */
static int
reload_captured(struct prefs *p, const char *path)
{
	FILE *ferr = tmpfile();
	int saved, rc;

	assert_non_null(ferr);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(ferr), STDERR_FILENO);
	prefs_init(p);
	rc = prefs_reload_file(p, path);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	file_slurp(ferr, captured_err, sizeof(captured_err));
	fclose(ferr);
	return rc;
}

/* SIGHUP: the file read again, compared option by option. */
static void
test_reload_diff(void **state)
{
	const char *names[8];
	char path[64], want[256];
	struct prefs a, b;

	(void)state;
	conf_write(path, sizeof(path),
		   "-i=eth0\n-m=10.0.0.0/8\n-X=5\n-s\n-w=127.0.0.1:3000\n");
	assert_int_equal(PARSE(&a, path), 0);
	/* the same file: nothing differs (flags, host:port, nets, lists) */
	assert_int_equal(reload_captured(&b, path), 0);
	assert_string_equal(captured_err, "");
	assert_string_equal(b.config_file, path);
	assert_int_equal(prefs_diff(&a, &b, names, 8), 0);
	prefs_fini(&b);
	unlink(path);

	/* another -i, -m, -X back to its default, -v, -s gone, -w the same
	 * port on any address */
	conf_write(path, sizeof(path),
		   "-i=eth1\n-m=192.168.0.0/16\n-v\n-w=127.0.0.1:3000\n");
	assert_int_equal(reload_captured(&b, path), 0);
	assert_int_equal(prefs_diff(&a, &b, names, 8), 5);
	assert_string_equal(names[0], "interface");
	assert_string_equal(names[1], "local-networks");
	assert_string_equal(names[2], "max-num-flows");
	assert_string_equal(names[3], "dont-change-user");
	assert_string_equal(names[4], "verbose");
	/* at most max names written, all counted */
	names[2] = NULL;
	assert_int_equal(prefs_diff(&a, &b, names, 2), 5);
	assert_null(names[2]);
	/* symmetric */
	assert_int_equal(prefs_diff(&b, &a, names, 8), 5);
	prefs_fini(&b);
	unlink(path);

	/* an error is a log line naming file and line, and -1 */
	conf_write(path, sizeof(path), "-i=eth0\n--foo\n");
	assert_int_equal(reload_captured(&b, path), -1);
	snprintf(want, sizeof(want), "ERROR: %s:2: unknown option '--foo'\n",
		 path);
	assert_non_null(strstr(captured_err, want));
	assert_null(strstr(captured_err, "ntopng: "));
	assert_int_equal(count_lines(captured_err), 1);
	prefs_fini(&b);
	unlink(path);
	/* -h, -V have no place in a reloaded file */
	conf_write(path, sizeof(path), "-V\n");
	assert_int_equal(reload_captured(&b, path), -1);
	assert_non_null(strstr(captured_err, "no place in a configuration"));
	prefs_fini(&b);
	unlink(path);
	prefs_fini(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_last_value_wins),
		cmocka_unit_test(test_interfaces),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_http_port),
		cmocka_unit_test(test_local_networks),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_export_reliable),
		cmocka_unit_test(test_timeseries_driver),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_dump_options),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_dump_round_trip),
		cmocka_unit_test(test_reload_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
