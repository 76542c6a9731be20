/*
 * prefs.h - the node's configuration: command line, configuration file,
 * defaults.  Filled once by the main thread before any other thread
 * starts, then read-only for the life of the process: a SIGHUP reload
 * (prefs_reload_file) fills a second struct prefs, and main hands what
 * may change live to the modules that own it (docs/cli.md).
 *
 * Rules (seed user's guide §4.3):
 *  - `ntopng <file>`: when the first argument is an existing regular file
 *    it is a configuration file; every non-comment line holds one option,
 *    written `-i=eth0` or `--interface=eth0` (a plain flag: `-s`), `#`
 *    starts a comment.  Options given on the command line after the file
 *    are ignored, with one warning line naming them.
 *  - Options that set a value keep the LAST value given (-w 8000 -w 8080
 *    gives 8080); -i accumulates.
 *  - An unknown option or a bad value: one clear line on stderr and exit
 *    code 1 (prefs_parse returns -1).
 *  - Options whose feature is not built yet are accepted and logged once
 *    as "not implemented yet".
 */
#ifndef COMMON_PREFS_H
#define COMMON_PREFS_H

#include <stdint.h>
#include <stdio.h>

#include "common/addr.h"

#define PREFS_MAX_IFACES 32
#define PREFS_MAX_CORES 64

/* -F's flow store (docs/storage.md) */
enum prefs_flows_store {
	PREFS_FLOWS_SQLITE = 0,
	PREFS_FLOWS_CLICKHOUSE,
};

enum prefs_mode {
	PREFS_MODE_NONE = 0,
	PREFS_MODE_ALL,
	PREFS_MODE_LOCAL,
	PREFS_MODE_REMOTE
};

struct prefs {
	/* -i, in order; each string is "spec" or "name=spec" (heap) */
	char *ifaces[PREFS_MAX_IFACES];
	int n_ifaces;

	int dns_mode;	     /* -n 0..3, default 0 */
	char *data_dir;	     /* -d, default /var/tmp/ntopng */
	int daemonize;	     /* -e */
	char *httpdocs_dir;  /* -1, default "httpdocs" (resolved by main) */
	char *scripts_dir;   /* -2, default "scripts" */
	char *callbacks_dir; /* -3, default "scripts/callbacks" */
	int lua_workers;     /* --lua-workers, default 2 */
	int workers;	     /* --workers, default: the cores */
	int lua_max_memory;  /* --lua-max-memory MB, default 256 */
	int dump_timeline;   /* -C */
	char *categorization_key; /* -c */
	char *httpbl_key;	  /* -k */
	char *http_addr;  /* -w [addr:]port: address part or NULL (any) */
	int http_port;	  /* default 3000; 0 = HTTP off */
	char *https_addr; /* -W [addr:]port */
	int https_port;	  /* default: http_port + 1 when set; -1 = not given */
	struct netlist local_nets;    /* -m, default 192.168.1.0/24 */
	char *ndpi_protos_file;	      /* -p */
	int disable_host_persistence; /* -P */
	char *redis; /* -r host[:port][@db] or unix path, default 127.0.0.1:6379
		      */
	char *user;  /* -U, default "nobody" */
	int dont_change_user;	/* -s */
	int disable_autologout; /* -q */
	int http_401;		/* --http-401: 401 to JSON REST clients */
	int metrics_open;	/* --metrics-open: /metrics without credentials
				 * from loopback clients */
	char *http_allowed_origins; /* --http-allowed-origins: CORS list or NULL
				     */
	char *http_allowed_hosts; /* --http-allowed-hosts: Host names or NULL */
	int disable_login; /* -l [0|1]: 1 = everyone, 0 = localhost only; -1 =
			      off (default) */
	uint32_t max_num_flows; /* -X, default 131072 */
	int max_memory; /* --max-memory MB of the tables, 0: none (default) */
	uint32_t flow_idle_s;	/* --flow-idle-timeout, default 60 */
	uint32_t max_num_hosts; /* -x, default 65536 */
	char *users_file;	/* -u */
	char *pid_file;		/* -G */
	int disable_alerts;	/* -H */
	char *packet_filter;	/* -B (BPF) */
	int aggregations;	/* -A 0..2 */
	int dump_flows;		/* -F: flows are stored (any store) */
	enum prefs_flows_store flows_store; /* -F's store */
	char *flows_store_spec;	   /* -F clickhouse...: the value as given */
	char *instance_name;	   /* --instance-name, NULL: the host name */
	int clickhouse_spool_mb;   /* --clickhouse-spool-mb, default 256 */
	char *export_endpoints[8]; /* -I (and -l tcp://...) */
	int n_export_endpoints;
	enum prefs_mode dump_hosts;	   /* -D */
	enum prefs_mode dump_aggregations; /* -E */
	enum prefs_mode sticky_hosts;	   /* -S (none = PREFS_MODE_NONE) */
	int json_labels;		   /* --json-labels */
	char *hw_timestamp_mode;	   /* --hw-timestamp-mode */
	int verbose;			   /* -v, count */
	char *core_affinity;		   /* -g as given, or NULL */
	int cores[PREFS_MAX_CORES];	   /* -g parsed: interface i gets
					    * cores[i % n_cores] */
	int n_cores;
	char *log_file;		/* --log-file */
	int shutdown_when_done; /* --shutdown-when-done */
	char *node_id;		/* --node-id */
	int export_interval;	/* --export-interval seconds, default 1 */
	int export_reliable_mb; /* --export-reliable[=MB]: spool MB, 0 = off */
	int zmq_encryption;	/* --zmq-encryption */
	char *zmq_encryption_key_priv; /* --zmq-encryption-key-priv */
	char *zmq_encryption_key; /* --zmq-encryption-key (server public key, -I
				     client) */
	char *zmq_allowed_keys;	  /* --zmq-allowed-keys: file of client public
				     keys */
	char *config_file;	  /* the configuration file used, if any */
	char *geoip_dir;	  /* --geoip-dir, NULL: the default places */
	char *map_tiles_url;	  /* --map-tiles-url, NULL: no tiles */

	/* names (docs/names.md): --dns-server host:port (NULL: the system
	 * resolver), --httpbl-zone (NULL: dnsbl.httpbl.org) */
	char *dns_server;
	char *httpbl_zone;
	char *alerts_syslog; /* --alerts-syslog udp://host:port */

	/* time series (docs/storage.md): --timeseries-driver rrd|influxdb,
	 * --influxdb-url/-db/-user/-password/-retention (days, 0 = all) */
	char *ts_driver;
	char *influxdb_url;
	char *influxdb_db;
	char *influxdb_user;
	char *influxdb_password;
	int influxdb_retention;
};

/* Sets every default. */
void prefs_init(struct prefs *p);
void prefs_fini(struct prefs *p);
/*
 * Parses argv (and the configuration file when argv[1] is one).
 * Returns 0 to go on, 1 when the program should exit 0 now (-h, -V were
 * printed), -1 on a bad option (one line already printed to stderr).
 */
int prefs_parse(struct prefs *p, int argc, char **argv);
/*
 * SIGHUP (docs/cli.md, "Reloading"): reads the configuration file path
 * into np (prefs_init()ed by the caller) as prefs_parse() does at start,
 * except that error lines go to the log (stderr may be /dev/null by
 * then).  Returns 0, or -1 after an error line.  Main thread.
 */
int prefs_reload_file(struct prefs *np, const char *path);
/*
 * The long names (e.g. "local-networks") of the options whose values
 * differ between a and b, in table order: at most max are written to
 * names; returns how many differ.
 */
int prefs_diff(const struct prefs *a, const struct prefs *b, const char **names,
	       int max);
/* Prints the -h text grouped by topic to stdout. */
void prefs_usage(void);
/* Prints the effective configuration as `--long=value` lines (for -n
 * style config checks and tests). */
void prefs_dump(const struct prefs *p, FILE *f);

#define NTOPNG_VERSION "6.3.0-c"

#endif
