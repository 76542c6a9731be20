/*
 * prefs.c - the node's preferences: defaults, command line, configuration
 * file, the -h text and the effective-configuration dump (prefs.h).
 *
 * How it works
 *
 * Every option is one row of opt_table[]: long name, short letter, what
 * argument it takes, whether its feature is built yet, the -h topic, the
 * help text, and where its value goes: a type (flag, count, int, string,
 * mode, list, host:port, networks) and the offset of its field in struct
 * prefs (nginx's ngx_command_t), plus a setter for the few options whose
 * value needs more checking than its type does.  The -h text, the parser
 * (opt_store) and the dump (opt_dump, --dump-config) all walk that one
 * table, so adding an option (or flipping "implemented" once a module
 * lands) is a one-row change.  Rows whose help is NULL are hidden aliases
 * (e.g. --disable-host-persistence, the spelling of the seed's §4.3 body).
 *
 * The command line and the configuration file share one code path: both
 * become a list of tokens fed to opts_run().  A token is
 *   --long            --long=value          (value attached)
 *   -x                -xvalue   -x=value    (value attached)
 *   -abc              (a cluster of flags, getopt style: -vvv)
 * and an option that needs a value and has none attached takes the next
 * token.  A configuration-file line is cut into at most two tokens: the
 * whole line when the option word is followed by '=' ("-B=tcp port 80"),
 * or the word and the rest of the line when a blank follows it
 * ("--interface eth0"), and it must hold exactly one option.  '#' starts
 * a comment anywhere on a line.  Matching quotes around a file value are
 * removed, since the shell is not there to do it.
 *
 * -l is special (upstream ntopng and seed §6.2 disagree on it): alone it
 * disables the login for everyone; followed by 0 or 1 (attached or as
 * the next token) it selects the login mode; followed by an endpoint
 * (anything with "://", e.g. a tcp:// bind address) it is the seed's
 * hierarchy form and means -I <endpoint>.  Any other next token is left
 * alone, so "-l -i eth0" still works.
 *
 * -F works the same way: alone (or "sqlite") it is the SQLite flow
 * history; followed by a value naming ClickHouse ("clickhouse",
 * "clickhouse;host@port;db;user;pw", "clickhouse-cluster;...;cluster"),
 * attached or as the next token, that is the flow store instead.  In a
 * cluster of flags ("-Fv") a letter that does not start a store name is
 * the next flag.
 *
 * Diagnostics for the user (bad option, bad value) go straight to stderr
 * as one "ntopng: ..." line, like any command-line tool: they happen
 * before logging is set up and are addressed to the person typing, so
 * they do not carry the log's thread-role prefix.
 *
 * Thread: prefs_parse() and friends run on the main thread before any
 * other thread starts; afterwards struct prefs is read-only.
 */
#include "common/prefs.h"
#include "common/log.h"
#include "exporter/chclient.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ndpi_api.h>
#include <pcap/pcap.h>

#define DEF_DATA_DIR "/var/tmp/ntopng"
#define DEF_HTTPDOCS "httpdocs"
#define DEF_SCRIPTS "scripts"
#define DEF_CALLBACKS "scripts/callbacks"
#define DEF_REDIS "127.0.0.1:6379"
#define DEF_INFLUX_URL "http://127.0.0.1:8086"
#define DEF_INFLUX_DB "ntopng"
#define DEF_USER "nobody"
#define DEF_LOCAL_NETS "192.168.1.0/24"
#define DEF_HTTP_PORT 3000
#define DEF_MAX_FLOWS 131072
#define DEF_MAX_HOSTS 65536
#define DEF_EXPORT_INTERVAL 1
#define DEF_EXPORT_SPOOL_MB 64 /* --export-reliable without a value */

#define MAX_EXPORT_ENDPOINTS                                                   \
	((int)(sizeof(((struct prefs *)0)->export_endpoints) / sizeof(char *)))
#define CONF_LINE_MAX 65536
#define NODE_ID_MAX 64
#define CORE_ID_MAX 1023

enum opt_id {
	O_DNS_MODE,
	O_INTERFACE,
	O_DATA_DIR,
	O_DAEMON,
	O_HTTPDOCS,
	O_SCRIPTS,
	O_CALLBACKS,
	O_LUA_WORKERS,
	O_LUA_MAX_MEMORY,
	O_DUMP_TIMELINE,
	O_CATEG_KEY,
	O_HTTPBL_KEY,
	O_DNS_SERVER,
	O_HTTPBL_ZONE,
	O_HTTP_PORT,
	O_HTTPS_PORT,
	O_LOCAL_NETS,
	O_NDPI_PROTOS,
	O_NO_PERSIST,
	O_REDIS,
	O_USER,
	O_DONT_CHANGE_USER,
	O_NO_AUTOLOGOUT,
	O_DISABLE_LOGIN,
	O_MAX_FLOWS,
	O_FLOW_IDLE,
	O_MAX_HOSTS,
	O_MAX_MEMORY,
	O_USERS_FILE,
	O_PID,
	O_NO_ALERTS,
	O_ALERTS_SYSLOG,
	O_PACKET_FILTER,
	O_AGGREGATIONS,
	O_DUMP_FLOWS,
	O_INSTANCE_NAME,
	O_CH_SPOOL,
	O_EXPORT_FLOWS,
	O_DUMP_HOSTS,
	O_DUMP_AGGR,
	O_STICKY_HOSTS,
	O_JSON_LABELS,
	O_HW_TS,
	O_VERBOSE,
	O_VERSION,
	O_HELP,
	O_CORE_AFFINITY,
	O_WORKERS,
	O_SHUTDOWN_DONE,
	O_NODE_ID,
	O_EXPORT_INTERVAL,
	O_EXPORT_RELIABLE,
	O_ZMQ_ENC,
	O_ZMQ_KEY_PRIV,
	O_ZMQ_KEY,
	O_ZMQ_ALLOWED_KEYS,
	O_HTTP_401,
	O_METRICS_OPEN,
	O_HTTP_ORIGINS,
	O_HTTP_HOSTS,
	O_DUMP_OPTIONS,
	O_DUMP_CONFIG,
	O_GEOIP_DIR,
	O_MAP_TILES,
	O_LOG_FILE,
	O_TS_DRIVER,
	O_INFLUX_URL,
	O_INFLUX_DB,
	O_INFLUX_USER,
	O_INFLUX_PASSWORD,
	O_INFLUX_RETENTION,
	O__COUNT
};

enum opt_arg {
	ARG_NONE,  /* a flag */
	ARG_REQ,   /* always a value */
	ARG_LOGIN, /* -l: optional 0|1, or an endpoint (see top comment) */
	ARG_OPT,   /* a value only when attached: --opt=VALUE */
	ARG_FLOWS, /* -F: optional; attached, or the next word when it names
		    * a flow store (sqlite, clickhouse...) */
};

enum opt_topic {
	T_INPUTS,
	T_WEB,
	T_LOCAL,
	T_STORAGE,
	T_EXPORT,
	T_PROCESS,
	T_MISC,
	T__COUNT
};

static const char *const topic_names[T__COUNT] = {
	"Inputs",
	"Web server and users",
	"Local networks and limits",
	"Storage (Redis, SQLite, RRD)",
	"Export and hierarchies",
	"Process",
	"Misc",
};

/*
 * What an option stores and where (nginx's ngx_command_t idea): the type
 * says how a value is parsed into struct prefs at `off` (and `off2`) and
 * how it is dumped, so the parser and the dump do not list the options
 * again.  An option whose value needs more than its type checks names a
 * setter, which then does the whole job.
 */
enum opt_type {
	OT_ACTION,   /* -h, -V, --dump-*: the setter acts, nothing stored */
	OT_FLAG,     /* int set to 1 */
	OT_COUNT,    /* int, one more per use (-vv) */
	OT_INT,	     /* int in [min, max] */
	OT_U32,	     /* uint32_t in [min, max] */
	OT_STR,	     /* char * (heap), non-empty; the last one wins */
	OT_MODE,     /* enum prefs_mode: all, local, remote or none */
	OT_LIST,     /* char *[] (heap) with its int count at off2 */
	OT_HOSTPORT, /* char *addr (heap or NULL) at off, int port at off2 */
	OT_NETS,     /* struct netlist */
	OT_FLOWS,    /* -F: dump_flows, flows_store and its spec */
};

struct parse_ctx;
struct opt_def;
typedef int (*opt_set_fn)(struct parse_ctx *c, const struct opt_def *o,
			  const char *val);

struct opt_def {
	enum opt_id id;
	const char *lng; /* without the leading "--" */
	char shrt;	 /* 0 = long form only */
	enum opt_arg arg;
	int implemented; /* 0: accepted, stored, warned about */
	enum opt_topic topic;
	const char *argname; /* shown in -h, NULL for flags */
	const char *help;    /* lines split by '\n'; NULL = hidden alias */
	enum opt_type type;
	size_t off, off2;   /* offsetof(struct prefs, ...) */
	long long min, max; /* OT_INT, OT_U32 */
	opt_set_fn set;	    /* NULL: the type's own parser */
};

#define PO(f) offsetof(struct prefs, f)
#define F_FLAG(f) OT_FLAG, PO(f), 0, 0, 0, NULL
#define F_COUNT(f) OT_COUNT, PO(f), 0, 0, 0, NULL
#define F_INT(f, lo, hi) OT_INT, PO(f), 0, (lo), (hi), NULL
#define F_U32(f, lo, hi) OT_U32, PO(f), 0, (lo), (hi), NULL
#define F_STR(f) OT_STR, PO(f), 0, 0, 0, NULL
#define F_MODE(f) OT_MODE, PO(f), 0, 0, 0, NULL
#define F_LIST(f, n, fn) OT_LIST, PO(f), PO(n), 0, 0, (fn)
#define F_HOSTPORT(a, port) OT_HOSTPORT, PO(a), PO(port), 0, 0, NULL
#define F_SET(f, t, fn) (t), PO(f), 0, 0, 0, (fn)
#define F_ACTION(fn) OT_ACTION, 0, 0, 0, 0, (fn)

/* The field of option o in preferences p, as a `type *`. */
#define OPT_FIELD(p, o, type) ((type *)(void *)((char *)(p) + (o)->off))
#define OPT_CFIELD(p, o, type)                                                 \
	((const type *)(const void *)((const char *)(p) + (o)->off))
#define OPT_CFIELD2(p, o, type)                                                \
	((const type *)(const void *)((const char *)(p) + (o)->off2))

/* The setters of the options that need more than their type's parser. */
static int set_interface(struct parse_ctx *c, const struct opt_def *o,
			 const char *val);
static int set_export(struct parse_ctx *c, const struct opt_def *o,
		      const char *val);
static int set_hw_ts(struct parse_ctx *c, const struct opt_def *o,
		     const char *val);
static int set_export_reliable(struct parse_ctx *c, const struct opt_def *o,
			       const char *val);
static int set_login(struct parse_ctx *c, const struct opt_def *o,
		     const char *val);
static int set_local_nets(struct parse_ctx *c, const struct opt_def *o,
			  const char *val);
static int set_node_id(struct parse_ctx *c, const struct opt_def *o,
		       const char *val);
static int set_cores(struct parse_ctx *c, const struct opt_def *o,
		     const char *val);
static int set_flows(struct parse_ctx *c, const struct opt_def *o,
		     const char *val);
static int set_ts_driver(struct parse_ctx *c, const struct opt_def *o,
			 const char *val);
static int set_influx_url(struct parse_ctx *c, const struct opt_def *o,
			  const char *val);
static int set_influx_db(struct parse_ctx *c, const struct opt_def *o,
			 const char *val);
static int act_version(struct parse_ctx *c, const struct opt_def *o,
		       const char *val);
static int act_help(struct parse_ctx *c, const struct opt_def *o,
		    const char *val);
static int act_dump_options(struct parse_ctx *c, const struct opt_def *o,
			    const char *val);
static int act_dump_config(struct parse_ctx *c, const struct opt_def *o,
			   const char *val);

/*
 * The one table of options.  To finish a feature, set its "implemented"
 * column to 1: the warning disappears and -h stops flagging it.
 */
static const struct opt_def opt_table[] = {
	/* Inputs */
	{ O_INTERFACE, "interface", 'i', ARG_REQ, 1, T_INPUTS,
	  "<iface|pcap|endpoint>",
	  "Input: interface name or index (listed\n"
	  "below), pcap file, file listing pcap\n"
	  "files, or ZMQ endpoint. Repeat for more\n"
	  "interfaces. A comma list merges sources\n"
	  "into one interface; name=spec names it:\n"
	  "-i branches=tcp://a:5556,tcp://b:5556\n"
	  "Without -i: every interface that is up,\n"
	  "except loopback",
	  F_LIST(ifaces, n_ifaces, set_interface) },
	{ O_PACKET_FILTER, "packet-filter", 'B', ARG_REQ, 1, T_INPUTS,
	  "<filter>", "Ingress packet filter (BPF syntax)",
	  F_STR(packet_filter) },
	{ O_DNS_MODE, "dns-mode", 'n', ARG_REQ, 1, T_INPUTS, "<mode>",
	  "DNS address resolution mode:\n"
	  "0 - Decode DNS responses and resolve\n"
	  "    local numeric IPs only (default)\n"
	  "1 - Decode DNS responses and resolve all\n"
	  "    numeric IPs\n"
	  "2 - Decode DNS responses and don't\n"
	  "    resolve numeric IPs\n"
	  "3 - Don't decode DNS responses and don't\n"
	  "    resolve numeric IPs",
	  F_INT(dns_mode, 0, 3) },
	{ O_NDPI_PROTOS, "ndpi-protocols", 'p', ARG_REQ, 1, T_INPUTS,
	  "<file>.protos", "nDPI protocol file (e.g. protos.txt)",
	  F_STR(ndpi_protos_file) },
	{ O_HW_TS, "hw-timestamp-mode", 0, ARG_REQ, 1, T_INPUTS, "<mode>",
	  "Hardware timestamping/stripping. Modes:\n"
	  "ixia - packets timestamped by ixiacom.com\n"
	  "       hardware devices: the time in the\n"
	  "       frame's trailer is the packet time,\n"
	  "       and the trailer is not counted",
	  F_SET(hw_timestamp_mode, OT_STR, set_hw_ts) },

	/* Web server and users */
	{ O_HTTP_PORT, "http-port", 'w', ARG_REQ, 1, T_WEB, "<[addr:]port>",
	  "HTTP address and port, e.g. 3000,\n"
	  "127.0.0.1:3000, [::1]:3000, :3000.\n"
	  "0 disables the HTTP server. Default: 3000",
	  F_HOSTPORT(http_addr, http_port) },
	{ O_HTTPS_PORT, "https-port", 'W', ARG_REQ, 1, T_WEB, "<[addr:]port>",
	  "HTTPS address and port.\nDefault: HTTP port + 1",
	  F_HOSTPORT(https_addr, https_port) },
	{ O_HTTPDOCS, "httpdocs-dir", '1', ARG_REQ, 1, T_WEB, "<path>",
	  "HTTP documents root directory.\nDefault: " DEF_HTTPDOCS
	  " of the source tree, or the "
	  "installed\n<datadir>/ntopng/" DEF_HTTPDOCS,
	  F_STR(httpdocs_dir) },
	{ O_SCRIPTS, "scripts-dir", '2', ARG_REQ, 1, T_WEB, "<path>",
	  "Scripts directory: <path>/lua/x.lua answers\n/lua/x.lua "
	  "(docs/lua.md).\nDefault: " DEF_SCRIPTS " of the source tree, or the "
	  "installed\n<datadir>/ntopng/" DEF_SCRIPTS,
	  F_STR(scripts_dir) },
	{ O_CALLBACKS, "callbacks-dir", '3', ARG_REQ, 1, T_WEB, "<path>",
	  "Callbacks directory (second.lua, minute.lua,\nhourly.lua, "
	  "daily.lua).\nDefault: " DEF_CALLBACKS " of the source tree, or "
	  "the\ninstalled <datadir>/ntopng/" DEF_CALLBACKS,
	  F_STR(callbacks_dir) },
	{ O_LUA_WORKERS, "lua-workers", 0, ARG_REQ, 1, T_WEB, "<n>",
	  "Threads that run Lua page scripts (1-16);\n"
	  "a runaway page holds one for its 1 s budget.\nDefault: 2",
	  F_INT(lua_workers, 1, 16) },
	{ O_LUA_MAX_MEMORY, "lua-max-memory", 0, ARG_REQ, 1, T_WEB, "<MB>",
	  "Memory cap of one Lua run (a page or a\ncallback), 16-4096 MB; "
	  "over it the script\ngets \"not enough memory\".\nDefault: 256",
	  F_INT(lua_max_memory, 16, 4096) },
	{ O_DISABLE_LOGIN, "disable-login", 'l', ARG_LOGIN, 1, T_WEB, "[0|1]",
	  "Disable user login authentication:\n"
	  "1 - for everyone (also plain -l)\n"
	  "0 - for localhost only\n"
	  "-l <endpoint> (e.g. tcp://*:3456) is the\n"
	  "same as -I <endpoint>",
	  F_SET(disable_login, OT_INT, set_login) },
	{ O_NO_AUTOLOGOUT, "disable-autologout", 'q', ARG_NONE, 1, T_WEB, NULL,
	  "Disable web interface logout for\ninactivity",
	  F_FLAG(disable_autologout) },
	{ O_HTTP_401, "http-401", 0, ARG_NONE, 1, T_WEB, NULL,
	  "REST calls (/lua/rest/) that fail\n"
	  "authentication and send Accept:\n"
	  "application/json without text/html get\n"
	  "401 + WWW-Authenticate instead of the\n"
	  "302 to the login page",
	  F_FLAG(http_401) },
	{ O_METRICS_OPEN, "metrics-open", 0, ARG_NONE, 1, T_WEB, NULL,
	  "Serve /metrics (Prometheus) without\n"
	  "credentials to clients on loopback\n"
	  "(others still authenticate)",
	  F_FLAG(metrics_open) },
	{ O_HTTP_ORIGINS, "http-allowed-origins", 0, ARG_REQ, 1, T_WEB,
	  "<list>",
	  "Other web origins (scheme://host[:port],\n"
	  "comma separated) whose pages may call the\n"
	  "REST API from a browser (CORS, state-\n"
	  "changing calls). Default: same origin only",
	  F_STR(http_allowed_origins) },
	{ O_HTTP_HOSTS, "http-allowed-hosts", 0, ARG_REQ, 1, T_WEB, "<list>",
	  "Host header names the web server answers\n"
	  "to besides IP addresses, localhost and\n"
	  "this machine's name (DNS rebinding guard),\n"
	  "comma separated; * accepts any",
	  F_STR(http_allowed_hosts) },
	{ O_USERS_FILE, "users-file", 'u', ARG_REQ, 1, T_WEB, "<path>",
	  "Users configuration file path.\nDefault: none", F_STR(users_file) },
	{ O_MAP_TILES, "map-tiles-url", 0, ARG_REQ, 1, T_WEB, "<url>",
	  "Tile URL template of the hosts map, e.g.\n"
	  "https://tile.example.org/{z}/{x}/{y}.png\n"
	  "Default: none (a world outline served\n"
	  "by the node; no outside request)",
	  F_STR(map_tiles_url) },

	/* Local networks and limits */
	{ O_LOCAL_NETS, "local-networks", 'm', ARG_REQ, 1, T_LOCAL,
	  "<local nets>",
	  "Local networks, comma separated, CIDR or\n"
	  "netmask, e.g.\n"
	  "-m \"192.168.0.0/24,10.0.0.0/255.0.0.0\"\n"
	  "Default: " DEF_LOCAL_NETS,
	  F_SET(local_nets, OT_NETS, set_local_nets) },
	{ O_MAX_FLOWS, "max-num-flows", 'X', ARG_REQ, 1, T_LOCAL, "<num>",
	  "Max number of active flows\n(default: 131072)",
	  F_U32(max_num_flows, 1, UINT32_MAX) },
	{ O_FLOW_IDLE, "flow-idle-timeout", 0, ARG_REQ, 1, T_LOCAL, "<s>",
	  "Seconds without traffic after which a flow\n"
	  "expires (is stored and leaves memory;\n"
	  "default: 60). A probe's longer timeout wins",
	  F_U32(flow_idle_s, 1, 86400) },
	{ O_MAX_HOSTS, "max-num-hosts", 'x', ARG_REQ, 1, T_LOCAL, "<num>",
	  "Max number of active hosts\n(default: 65536)",
	  F_U32(max_num_hosts, 1, UINT32_MAX) },
	{ O_MAX_MEMORY, "max-memory", 0, ARG_REQ, 1, T_LOCAL, "<MB>",
	  "Memory budget of the tables (flows, hosts,\n"
	  "MACs and what they hold), in MB, shared by\n"
	  "the interfaces; when reached, the least\n"
	  "recently active flows expire early (to the\n"
	  "sinks), and new flows are refused only when\n"
	  "that cannot make room. 0: none (default)",
	  F_INT(max_memory, 0, 1048576) },
	{ O_STICKY_HOSTS, "sticky-hosts", 'S', ARG_REQ, 1, T_LOCAL, "<mode>",
	  "Don't flush hosts (default: none). Values:\n"
	  "all    - Keep all hosts in memory\n"
	  "local  - Keep only local hosts\n"
	  "remote - Keep only remote hosts\n"
	  "none   - Flush hosts when idle",
	  F_MODE(sticky_hosts) },

	/* Storage */
	{ O_DATA_DIR, "data-dir", 'd', ARG_REQ, 1, T_STORAGE, "<path>",
	  "Data directory (must be writable).\nDefault: " DEF_DATA_DIR,
	  F_STR(data_dir) },
	{ O_GEOIP_DIR, "geoip-dir", 0, ARG_REQ, 1, T_STORAGE, "<path>",
	  "Directory of the GeoLite2-City (or\n"
	  "-Country) and GeoLite2-ASN .mmdb files.\n"
	  "Default: <data-dir>/geoip, then\n"
	  "/usr/share/GeoIP",
	  F_STR(geoip_dir) },
	{ O_REDIS, "redis", 'r', ARG_REQ, 1, T_STORAGE, "<host[:port][@db]>",
	  "Redis host[:port][@db] or unix socket\npath. "
	  "Default: " DEF_REDIS,
	  F_STR(redis) },
	{ O_NO_PERSIST, "disable-host-persistency", 'P', ARG_NONE, 1, T_STORAGE,
	  NULL, "Disable host persistency (in Redis)",
	  F_FLAG(disable_host_persistence) },
	{ O_NO_PERSIST, "disable-host-persistence", 0, ARG_NONE, 1, T_STORAGE,
	  NULL, NULL, F_FLAG(disable_host_persistence) },
	{ O_DUMP_FLOWS, "dump-flows", 'F', ARG_FLOWS, 1, T_STORAGE, "[<store>]",
	  "Dump expired flows. Stores:\n"
	  "sqlite (or none) - SQLite, one database\n"
	  "  per day (the default)\n"
	  "clickhouse[;<host[@port]>;<db>;<user>;<pw>]\n"
	  "  - ClickHouse over HTTP (default\n"
	  "  127.0.0.1@8123;ntopng;default;)\n"
	  "clickhouse-cluster;<host[@port]>;<db>;\n"
	  "  <user>;<pw>;<cluster> - a Distributed\n"
	  "  table over the cluster's shards\n"
	  "(docs/storage.md)",
	  F_SET(dump_flows, OT_FLOWS, set_flows) },
	{ O_INSTANCE_NAME, "instance-name", 0, ARG_REQ, 1, T_STORAGE, "<name>",
	  "This node's name in the ClickHouse flows\n"
	  "(NTOPNG_INSTANCE_NAME). Default: the host\n"
	  "name",
	  F_STR(instance_name) },
	{ O_CH_SPOOL, "clickhouse-spool-mb", 0, ARG_REQ, 1, T_STORAGE, "<MB>",
	  "Bound of the ClickHouse spool\n"
	  "(<data-dir>/clickhouse-spool/, the batches\n"
	  "ClickHouse did not take yet); full: the\n"
	  "oldest are dropped. Default: 256",
	  F_INT(clickhouse_spool_mb, 1, 1048576) },
	{ O_DUMP_HOSTS, "dump-hosts", 'D', ARG_REQ, 1, T_STORAGE, "<mode>",
	  "Dump hosts policy (default: none). Values:\n"
	  "all    - Dump all hosts\n"
	  "local  - Dump only local hosts\n"
	  "remote - Dump only remote hosts\n"
	  "none   - Dump no hosts",
	  F_MODE(dump_hosts) },
	{ O_DUMP_AGGR, "dump-aggregations", 'E', ARG_REQ, 1, T_STORAGE,
	  "<mode>",
	  "Dump aggregations policy (default: none).\n"
	  "Values: all, local, remote, none (as -D):\n"
	  "the contacts kept and written to the timeline",
	  F_MODE(dump_aggregations) },
	{ O_AGGREGATIONS, "enable-aggregations", 'A', ARG_REQ, 1, T_STORAGE,
	  "<mode>",
	  "Setup data aggregation:\n"
	  "0 - No aggregations (default)\n"
	  "1 - Enable aggregations, no timeline dump\n"
	  "2 - Enable aggregations, with timeline\n"
	  "    dump (see -C)",
	  F_INT(aggregations, 0, 2) },
	{ O_DUMP_TIMELINE, "dump-timeline", 'C', ARG_NONE, 1, T_STORAGE, NULL,
	  "Enable timeline dump (with -A 1: as -A 2)", F_FLAG(dump_timeline) },
	{ O_TS_DRIVER, "timeseries-driver", 0, ARG_REQ, 1, T_STORAGE,
	  "<rrd|influxdb>",
	  "Where time series go: rrd (files under\n"
	  "<data-dir>, the default) or influxdb\n"
	  "(an InfluxDB 1.x server, --influxdb-url)",
	  F_SET(ts_driver, OT_STR, set_ts_driver) },
	{ O_INFLUX_URL, "influxdb-url", 0, ARG_REQ, 1, T_STORAGE, "<url>",
	  "InfluxDB server, http://host:port.\n"
	  "Default: " DEF_INFLUX_URL,
	  F_SET(influxdb_url, OT_STR, set_influx_url) },
	{ O_INFLUX_DB, "influxdb-db", 0, ARG_REQ, 1, T_STORAGE, "<name>",
	  "InfluxDB database ([A-Za-z0-9_-], at\n"
	  "most 64), created at start. Default: " DEF_INFLUX_DB,
	  F_SET(influxdb_db, OT_STR, set_influx_db) },
	{ O_INFLUX_USER, "influxdb-user", 0, ARG_REQ, 1, T_STORAGE, "<user>",
	  "InfluxDB user (HTTP Basic). Default: none", F_STR(influxdb_user) },
	{ O_INFLUX_PASSWORD, "influxdb-password", 0, ARG_REQ, 1, T_STORAGE,
	  "<password>", "InfluxDB password (with --influxdb-user)",
	  F_STR(influxdb_password) },
	{ O_INFLUX_RETENTION, "influxdb-retention", 0, ARG_REQ, 1, T_STORAGE,
	  "<days>",
	  "Days InfluxDB keeps the series (the\n"
	  "database's default retention policy,\n"
	  "0..36500, 0 = forever). Default: 0",
	  F_INT(influxdb_retention, 0, 36500) },

	/* Export and hierarchies */
	{ O_EXPORT_FLOWS, "export-flows", 'I', ARG_REQ, 1, T_EXPORT,
	  "<endpoint>",
	  "Export flows to peers subscribing to this\n"
	  "ZMQ endpoint (e.g. tcp://*:5556).\n"
	  "Repeatable (at most 8)",
	  F_LIST(export_endpoints, n_export_endpoints, set_export) },
	{ O_JSON_LABELS, "json-labels", 0, ARG_NONE, 1, T_EXPORT, NULL,
	  "Use labels instead of numbers as JSON keys\n"
	  "(ZMQ export, SQLite)",
	  F_FLAG(json_labels) },
	{ O_NODE_ID, "node-id", 0, ARG_REQ, 1, T_EXPORT, "<text>",
	  "This node's id in the site path of\nexported flows. "
	  "Default: random at the first\nstart, kept in <data-dir>/node-id",
	  F_SET(node_id, OT_STR, set_node_id) },
	{ O_EXPORT_INTERVAL, "export-interval", 0, ARG_REQ, 1, T_EXPORT,
	  "<seconds>",
	  "Seconds between exported deltas of\n"
	  "active flows (1..3600). Default: 1",
	  F_INT(export_interval, 1, 3600) },
	{ O_EXPORT_RELIABLE, "export-reliable", 0, ARG_OPT, 1, T_EXPORT,
	  "[=<MB>]",
	  "Acknowledged -I links: unacknowledged\n"
	  "batches wait in a spool of MB megabytes\n"
	  "(1..65536, default 64) in <data-dir>/spool\n"
	  "and are resent after a reconnect",
	  F_SET(export_reliable_mb, OT_INT, set_export_reliable) },
	{ O_ZMQ_ENC, "zmq-encryption", 0, ARG_NONE, 1, T_EXPORT, NULL,
	  "Encrypt ZMQ collection (CURVE server);\n"
	  "the key pair is kept in the data dir",
	  F_FLAG(zmq_encryption) },
	{ O_ZMQ_KEY_PRIV, "zmq-encryption-key-priv", 0, ARG_REQ, 1, T_EXPORT,
	  "<key>",
	  "ZMQ CURVE private key of this node\n"
	  "(Z85, 40 characters; implies\n--zmq-encryption)",
	  F_STR(zmq_encryption_key_priv) },
	{ O_ZMQ_ALLOWED_KEYS, "zmq-allowed-keys", 0, ARG_REQ, 1, T_EXPORT,
	  "<file>",
	  "With --zmq-encryption: accept only\n"
	  "probes whose CURVE public key (Z85)\n"
	  "is listed in this file, one per line",
	  F_STR(zmq_allowed_keys) },
	{ O_ZMQ_KEY, "zmq-encryption-key", 0, ARG_REQ, 1, T_EXPORT, "<key>",
	  "ZMQ CURVE public key of the server to\nconnect to",
	  F_STR(zmq_encryption_key) },

	/* Process */
	{ O_DAEMON, "daemon", 'e', ARG_NONE, 1, T_PROCESS, NULL,
	  "Daemonize ntopng: run in the background\n"
	  "(new session), stdin/stdout/stderr on\n"
	  "/dev/null (or --log-file), the log to\n"
	  "syslog unless --log-file is given; the\n"
	  "command returns once the node runs\n"
	  "(exit 1 if its start failed)",
	  F_FLAG(daemonize) },
	{ O_USER, "user", 'U', ARG_REQ, 1, T_PROCESS, "<sys user>",
	  "Once inputs and sockets are open, run\n"
	  "as this user, without capabilities.\n"
	  "Default: " DEF_USER,
	  F_STR(user) },
	{ O_DONT_CHANGE_USER, "dont-change-user", 's', ARG_NONE, 1, T_PROCESS,
	  NULL, "Do not change user (debug only)", F_FLAG(dont_change_user) },
	{ O_PID, "pid", 'G', ARG_REQ, 1, T_PROCESS, "<path>",
	  "Pid file path (written by the running\n"
	  "node, after -e's fork; removed at exit)",
	  F_STR(pid_file) },
	{ O_CORE_AFFINITY, "core-affinity", 'g', ARG_REQ, 1, T_PROCESS,
	  "<core id>[,<core id>...]",
	  "Bind each interface's thread (capture\n"
	  "and processing) to a CPU core: interface\n"
	  "N gets the Nth core of the list, cycling\n"
	  "(-g 0,1: if0 on 0, if1 on 1, if2 on 0)",
	  F_SET(core_affinity, OT_STR, set_cores) },
	{ O_WORKERS, "workers", 0, ARG_REQ, 1, T_PROCESS, "<n>",
	  "Threads per capture interface (1-16):\n"
	  "its thread, which keeps the tables, and\n"
	  "n-1 that run nDPI on their share of its\n"
	  "flows; with n > 1 a pcap file is also read\n"
	  "and decoded ahead by a thread of its own,\n"
	  "and so is each ZMQ source; the interface's\n"
	  "thread keeps a core (-g's, or one of those\n"
	  "available) and the others run on the rest\n"
	  "(docs/threads.md). Default: the cores\n"
	  "available (at most 16)",
	  F_INT(workers, 1, 16) },
	{ O_LOG_FILE, "log-file", 0, ARG_REQ, 1, T_PROCESS, "<path>",
	  "Write the log to this file (appended)\n"
	  "instead of stderr; reopened on SIGHUP\n"
	  "(logrotate)",
	  F_STR(log_file) },
	{ O_SHUTDOWN_DONE, "shutdown-when-done", 0, ARG_NONE, 1, T_PROCESS,
	  NULL, "Exit once every pcap file input has\nbeen read",
	  F_FLAG(shutdown_when_done) },
	{ O_VERBOSE, "verbose", 'v', ARG_NONE, 1, T_PROCESS, NULL,
	  "More log lines: -v a summary per\n"
	  "interface and per source each minute;\n"
	  "-vv also what became of each received\n"
	  "message (rate-limited)",
	  F_COUNT(verbose) },

	/* Misc */
	{ O_CATEG_KEY, "categorization-key", 'c', ARG_REQ, 1, T_MISC, "<key>",
	  "Key used to access host categorization\n"
	  "services (default: disabled). block.si's\n"
	  "service is gone: logs so; nDPI's own\n"
	  "categories are shown per flow and host",
	  F_STR(categorization_key) },
	{ O_HTTPBL_KEY, "httpbl-key", 'k', ARG_REQ, 1, T_MISC, "<key>",
	  "Key used to access httpbl services\n"
	  "(default: disabled): remote hosts'\n"
	  "verdicts by DNS (--httpbl-zone)",
	  F_STR(httpbl_key) },
	{ O_DNS_SERVER, "dns-server", 0, ARG_REQ, 1, T_MISC, "<host:port>",
	  "DNS server the resolver (-n 0/1, -k)\n"
	  "asks over UDP (default: the system\n"
	  "resolver)",
	  F_STR(dns_server) },
	{ O_HTTPBL_ZONE, "httpbl-zone", 0, ARG_REQ, 1, T_MISC, "<zone>",
	  "DNS zone of the -k http:bl lookups\n"
	  "(default: dnsbl.httpbl.org)",
	  F_STR(httpbl_zone) },
	{ O_NO_ALERTS, "disable-alerts", 'H', ARG_NONE, 1, T_MISC, NULL,
	  "Disable alerts generation", F_FLAG(disable_alerts) },
	{ O_ALERTS_SYSLOG, "alerts-syslog", 0, ARG_REQ, 1, T_MISC,
	  "<udp://host:port>",
	  "Also send past alerts as RFC 5424 lines\n"
	  "with structured data to a remote syslog\n"
	  "collector over UDP (docs/alerts.md)",
	  F_STR(alerts_syslog) },
	{ O_VERSION, "version", 'V', ARG_NONE, 1, T_MISC, NULL,
	  "Print version and quit", F_ACTION(act_version) },
	{ O_HELP, "help", 'h', ARG_NONE, 1, T_MISC, NULL, "Help",
	  F_ACTION(act_help) },
	{ O_DUMP_OPTIONS, "dump-options", 0, ARG_REQ, 1, T_MISC, "<md|tsv>",
	  "Print this option table and quit:\n"
	  "md  - the Markdown table of docs/cli.md\n"
	  "tsv - one line per option (for tests)",
	  F_ACTION(act_dump_options) },
	{ O_DUMP_CONFIG, "dump-config", 0, ARG_NONE, 1, T_MISC, NULL,
	  "Print the effective configuration (the\n"
	  "options that differ from their defaults)\n"
	  "as a configuration file and quit (also\n"
	  "as ntopng FILE --dump-config)",
	  F_ACTION(act_dump_config) },
};

#define OPT_COUNT (sizeof(opt_table) / sizeof(opt_table[0]))

/* State of one prefs_parse() call. */
struct parse_ctx {
	struct prefs *p;
	const char *where;    /* "file:line" or NULL on the command line */
	int warned[O__COUNT]; /* "not implemented" already printed */
	int exit_now;	      /* -h or -V was handled */
	int dump_config;      /* --dump-config: dump once all is parsed */
};

static void prefs_errf(const struct parse_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Set while prefs_reload_file() runs (main thread): its errors are log
 * lines, since stderr may be /dev/null by then. */
static int prefs_errs_to_log;

/* One "ntopng: [file:line: ]message" line on stderr, one write. */
static void
prefs_errf(const struct parse_ctx *c, const char *fmt, ...)
{
	char line[1024];
	size_t n;
	va_list ap;
	int r;

	r = snprintf(line, sizeof(line), "ntopng: %s%s",
		     c && c->where ? c->where : "", c && c->where ? ": " : "");
	n = r < 0 ? 0 : (size_t)r;
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	va_start(ap, fmt);
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (r > 0)
		n += (size_t)r;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	if (prefs_errs_to_log) {
		log_err("%.*s", (int)(n - 8), line + 8); /* no "ntopng: " */
		return;
	}
	line[n++] = '\n';
	fwrite(line, 1, n, stderr);
	fflush(stderr);
}

/* "--max-num-flows (-X)" or "--json-labels", for messages. */
static const char *
opt_display(const struct opt_def *o, char *buf, size_t len)
{
	if (o->shrt)
		snprintf(buf, len, "--%s (-%c)", o->lng, o->shrt);
	else
		snprintf(buf, len, "--%s", o->lng);
	return buf;
}

static void
opt_bad_value(const struct parse_ctx *c, const struct opt_def *o,
	      const char *val, const char *expected)
{
	char name[64];

	prefs_errf(c, "invalid value '%s' for %s: expected %s", val,
		   opt_display(o, name, sizeof(name)), expected);
}

/*
 * Aborts on allocation failure: prefs_init() has no error path in the
 * contract, and a process that cannot allocate a few bytes at start-up
 * cannot run anyway.
 */
static char *
prefs_strdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fputs("ntopng: out of memory\n", stderr);
		abort();
	}
	return d;
}

/* Replaces a heap string (last value wins). */
static void
str_set(char **field, const char *val)
{
	char *d = prefs_strdup(val);

	free(*field);
	*field = d;
}

/* A whole decimal number in [min, max]; no sign, no blanks, no junk. */
static int
num_parse(const char *s, unsigned long long min, unsigned long long max,
	  unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
opt_num(const struct parse_ctx *c, const struct opt_def *o, const char *val,
	unsigned long long min, unsigned long long max, unsigned long long *out)
{
	char expect[96], maxs[32];

	if (num_parse(val, min, max, out) == 0)
		return 0;
	if (max == UINT32_MAX)
		snprintf(maxs, sizeof(maxs), "2^32-1");
	else
		snprintf(maxs, sizeof(maxs), "%llu", max);
	snprintf(expect, sizeof(expect), "a number from %llu to %s", min, maxs);
	opt_bad_value(c, o, val, expect);
	return -1;
}

static int
mode_parse(const char *s, enum prefs_mode *out)
{
	static const struct {
		const char *word;
		enum prefs_mode mode;
	} words[] = {
		{ "all", PREFS_MODE_ALL },
		{ "local", PREFS_MODE_LOCAL },
		{ "remote", PREFS_MODE_REMOTE },
		{ "none", PREFS_MODE_NONE },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(s, words[i].word) == 0) {
			*out = words[i].mode;
			return 0;
		}
	}
	return -1;
}

static const char *
mode_name(enum prefs_mode m)
{
	switch (m) {
	case PREFS_MODE_ALL:
		return "all";
	case PREFS_MODE_LOCAL:
		return "local";
	case PREFS_MODE_REMOTE:
		return "remote";
	case PREFS_MODE_NONE:
		break;
	}
	return "none";
}

/*
 * "[addr:]port": "3000", ":3000", "127.0.0.1:3000", "[::1]:3000".
 * *addr gets a heap copy of the address (no brackets) or NULL for any.
 */
static int
hostport_parse(const char *s, char **addr, int *port)
{
	char host[IPADDR_STRLEN + 1];
	const char *ps = s, *colon;
	unsigned long long v;
	struct ipaddr ip;
	size_t hl = 0;

	host[0] = '\0';
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return -1;
		hl = (size_t)(rb - s - 1);
		if (hl == 0 || hl >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (ipaddr_parse(&ip, host) != 0 || ip.v != 6)
			return -1;
		ps = rb + 2;
	} else if ((colon = strchr(s, ':')) != NULL) {
		/* IPv6 without brackets is ambiguous with the port */
		if (strchr(colon + 1, ':'))
			return -1;
		hl = (size_t)(colon - s);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (hl > 0 && (ipaddr_parse(&ip, host) != 0 || ip.v != 4))
			return -1;
		ps = colon + 1;
	}
	if (num_parse(ps, 0, 65535, &v) != 0)
		return -1;
	*port = (int)v;
	*addr = hl > 0 ? prefs_strdup(host) : NULL;
	return 0;
}

/* A ZMQ-style endpoint: "scheme://rest", both parts non-empty. */
static int
endpoint_ok(const char *s)
{
	const char *sep = strstr(s, "://");

	return sep && sep != s && sep[3] != '\0';
}

/* -I, and -l's endpoint form. */
static int
set_export(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	struct prefs *p = c->p;

	if (!endpoint_ok(val)) {
		opt_bad_value(c, o, val, "an endpoint such as tcp://*:5556");
		return -1;
	}
	if (p->n_export_endpoints >= MAX_EXPORT_ENDPOINTS) {
		prefs_errf(c, "too many export endpoints (at most %d)",
			   MAX_EXPORT_ENDPOINTS);
		return -1;
	}
	p->export_endpoints[p->n_export_endpoints++] = prefs_strdup(val);
	return 0;
}

/* --export-reliable[=MB]: the spool's size (the default without a value). */
static int
set_export_reliable(struct parse_ctx *c, const struct opt_def *o,
		    const char *val)
{
	unsigned long long v = DEF_EXPORT_SPOOL_MB;

	if (val != NULL && opt_num(c, o, val, 1, 65536, &v))
		return -1;
	c->p->export_reliable_mb = (int)v;
	return 0;
}

static const struct opt_def *
opt_by_id(enum opt_id id)
{
	size_t i;

	for (i = 0; i < OPT_COUNT; i++)
		if (opt_table[i].id == id)
			return &opt_table[i];
	return NULL;
}

static void
opt_warn_unimplemented(struct parse_ctx *c, const struct opt_def *o)
{
	char name[64];

	if (o->implemented || c->warned[o->id])
		return;
	c->warned[o->id] = 1;
	/* name the table's main row, not a hidden alias */
	o = opt_by_id(o->id);
	fprintf(stderr,
		"ntopng: option %s is accepted but not implemented yet\n",
		opt_display(o, name, sizeof(name)));
}

static void prefs_version(void);
static void opt_dump(const struct prefs *p, const struct prefs *def,
		     const struct opt_def *o, FILE *f);
static void prefs_options_md(FILE *f);
static void prefs_options_tsv(FILE *f);

static int
set_interface(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	struct prefs *p = c->p;

	if (val[0] == '\0' || val[0] == '=') {
		opt_bad_value(c, o, val, "an interface, pcap file or endpoint");
		return -1;
	}
	if (p->n_ifaces >= PREFS_MAX_IFACES) {
		prefs_errf(c, "too many interfaces (at most %d)",
			   PREFS_MAX_IFACES);
		return -1;
	}
	p->ifaces[p->n_ifaces++] = prefs_strdup(val);
	return 0;
}

static int
set_hw_ts(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	if (strcmp(val, "ixia") != 0) {
		opt_bad_value(c, o, val, "ixia");
		return -1;
	}
	str_set(OPT_FIELD(c->p, o, char *), val);
	return 0;
}

/* --timeseries-driver: rrd or influxdb. */
static int
set_ts_driver(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	if (strcmp(val, "rrd") != 0 && strcmp(val, "influxdb") != 0) {
		opt_bad_value(c, o, val, "rrd or influxdb");
		return -1;
	}
	str_set(OPT_FIELD(c->p, o, char *), val);
	return 0;
}

/* --influxdb-url: http(s)://host[:port][/], printable, no spaces. */
static int
set_influx_url(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	const char *h = NULL, *s;

	if (!strncmp(val, "http://", 7))
		h = val + 7;
	else if (!strncmp(val, "https://", 8))
		h = val + 8;
	for (s = val; h != NULL && *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 127 ||
		    *s == '?' || *s == '#' || *s == '@')
			h = NULL;
	if (h == NULL || *h == '\0' || *h == '/' || *h == ':' ||
	    strlen(val) > 512) {
		opt_bad_value(c, o, val, "http://host[:port]");
		return -1;
	}
	str_set(OPT_FIELD(c->p, o, char *), val);
	return 0;
}

/* --influxdb-db: [A-Za-z0-9_-], 1..64 (never quoted into InfluxQL). */
static int
set_influx_db(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	size_t i, n = strlen(val);

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)val[i]) && val[i] != '_' &&
		    val[i] != '-')
			break;
	if (n == 0 || n > 64 || i < n) {
		opt_bad_value(c, o, val,
			      "a name of letters, digits, _ and - "
			      "(at most 64)");
		return -1;
	}
	str_set(OPT_FIELD(c->p, o, char *), val);
	return 0;
}

/* -g: "n" or "n,m,...", each 0..CORE_ID_MAX, at most PREFS_MAX_CORES. */
static int
set_cores(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	char buf[16], expect[96];
	const char *s = val;
	int cores[PREFS_MAX_CORES], n = 0;

	snprintf(expect, sizeof(expect),
		 "core numbers from 0 to %d, comma separated (at most %d)",
		 CORE_ID_MAX, PREFS_MAX_CORES);
	for (;;) {
		size_t len = strcspn(s, ",");
		unsigned long long v;

		if (len == 0 || len >= sizeof(buf) || n == PREFS_MAX_CORES) {
			opt_bad_value(c, o, val, expect);
			return -1;
		}
		memcpy(buf, s, len);
		buf[len] = '\0';
		if (num_parse(buf, 0, CORE_ID_MAX, &v) != 0) {
			opt_bad_value(c, o, val, expect);
			return -1;
		}
		cores[n++] = (int)v;
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	str_set(OPT_FIELD(c->p, o, char *), val);
	memcpy(c->p->cores, cores, sizeof(cores[0]) * (size_t)n);
	c->p->n_cores = n;
	return 0;
}

static int
set_local_nets(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	struct netlist *cur = OPT_FIELD(c->p, o, struct netlist);
	struct netlist nl;
	char err[128];

	/* build aside so that a bad list leaves the old one intact */
	netlist_init(&nl);
	err[0] = '\0';
	if (val[0] == '\0' || netlist_add(&nl, val, err, sizeof(err)) != 0) {
		char name[64];

		netlist_fini(&nl);
		prefs_errf(c,
			   "invalid value '%s' for %s: %s%s"
			   "expected a.b.c.d/nn, a.b.c.d/a.b.c.d or "
			   "x::/nn, comma separated",
			   val, opt_display(o, name, sizeof(name)), err,
			   err[0] ? "; " : "");
		return -1;
	}
	netlist_fini(cur);
	*cur = nl;
	return 0;
}

static int
set_login(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	int *login = OPT_FIELD(c->p, o, int);

	if (!val || strcmp(val, "1") == 0) {
		*login = 1;
	} else if (strcmp(val, "0") == 0) {
		*login = 0;
	} else if (endpoint_ok(val)) {
		const struct opt_def *io = opt_by_id(O_EXPORT_FLOWS);

		if (set_export(c, io, val))
			return -1;
		opt_warn_unimplemented(c, io);
	} else {
		opt_bad_value(c, o, val,
			      "0, 1 or an export endpoint "
			      "such as tcp://*:3456");
		return -1;
	}
	return 0;
}

static int
set_flows(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	struct prefs *p = c->p;
	struct ch_target t;
	char err[256];

	if (val == NULL || strcmp(val, "sqlite") == 0) {
		p->dump_flows = 1;
		p->flows_store = PREFS_FLOWS_SQLITE;
		free(p->flows_store_spec);
		p->flows_store_spec = NULL;
		return 0;
	}
	if (ch_target_parse(val, &t, err, sizeof(err)) != 0) {
		char name[64];

		prefs_errf(c, "option %s: %s (see docs/storage.md)",
			   opt_display(o, name, sizeof(name)), err);
		return -1;
	}
	memset(&t, 0, sizeof(t));
	p->dump_flows = 1;
	p->flows_store = PREFS_FLOWS_CLICKHOUSE;
	str_set(&p->flows_store_spec, val);
	return 0;
}

static int
set_node_id(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	size_t i, n = strlen(val);
	int ok = n > 0 && n <= NODE_ID_MAX;

	for (i = 0; ok && i < n; i++)
		if (!isgraph((unsigned char)val[i]) || val[i] == ',' ||
		    val[i] == '>')
			ok = 0;
	if (!ok) {
		opt_bad_value(c, o, val,
			      "1 to 64 printable "
			      "characters without blanks, commas or '>'");
		return -1;
	}
	str_set(OPT_FIELD(c->p, o, char *), val);
	return 0;
}

static int
act_version(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	(void)o;
	(void)val;
	prefs_version();
	c->exit_now = 1;
	return 0;
}

static int
act_help(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	(void)o;
	(void)val;
	prefs_usage();
	c->exit_now = 1;
	return 0;
}

static int
act_dump_options(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	if (strcmp(val, "md") == 0) {
		prefs_options_md(stdout);
	} else if (strcmp(val, "tsv") == 0) {
		prefs_options_tsv(stdout);
	} else {
		opt_bad_value(c, o, val, "md or tsv");
		return -1;
	}
	fflush(stdout);
	c->exit_now = 1;
	return 0;
}

/* The dump waits for the end of the parse, so that it shows the options
 * that follow --dump-config too. */
static int
act_dump_config(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	(void)o;
	(void)val;
	c->dump_config = 1;
	return 0;
}

/* Stores a value by the option's type (the options without a setter). */
static int
opt_store(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	struct prefs *p = c->p;
	unsigned long long v;
	enum prefs_mode m;
	char *addr;
	int port;

	switch (o->type) {
	case OT_FLAG:
		*OPT_FIELD(p, o, int) = 1;
		return 0;
	case OT_COUNT:
		(*OPT_FIELD(p, o, int))++;
		return 0;
	case OT_INT:
		if (opt_num(c, o, val, (unsigned long long)o->min,
			    (unsigned long long)o->max, &v))
			return -1;
		*OPT_FIELD(p, o, int) = (int)v;
		return 0;
	case OT_U32:
		if (opt_num(c, o, val, (unsigned long long)o->min,
			    (unsigned long long)o->max, &v))
			return -1;
		*OPT_FIELD(p, o, uint32_t) = (uint32_t)v;
		return 0;
	case OT_STR:
		if (val[0] == '\0') {
			opt_bad_value(c, o, val, "a non-empty value");
			return -1;
		}
		str_set(OPT_FIELD(p, o, char *), val);
		return 0;
	case OT_MODE:
		if (mode_parse(val, &m) != 0) {
			opt_bad_value(c, o, val, "all, local, remote or none");
			return -1;
		}
		*OPT_FIELD(p, o, enum prefs_mode) = m;
		return 0;
	case OT_HOSTPORT:
		if (hostport_parse(val, &addr, &port) != 0) {
			opt_bad_value(c, o, val,
				      "[address:]port with a port from 0 to "
				      "65535 (3000, 127.0.0.1:3000, "
				      "[::1]:3000)");
			return -1;
		}
		free(*OPT_FIELD(p, o, char *));
		*OPT_FIELD(p, o, char *) = addr;
		*(int *)(void *)((char *)p + o->off2) = port;
		return 0;
	case OT_ACTION:
	case OT_LIST:
	case OT_NETS:
	case OT_FLOWS:
		break; /* always through a setter */
	}
	return -1;
}

/* Stores the value of one option; val is NULL for flags. */
static int
opt_apply(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	int rc = o->set ? o->set(c, o, val) : opt_store(c, o, val);

	if (rc != 0 || o->type == OT_ACTION)
		return rc;
	/* -l's endpoint form already warned as -I */
	if (o->id != O_DISABLE_LOGIN)
		opt_warn_unimplemented(c, o);
	return 0;
}

static const struct opt_def *
opt_find_long(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < OPT_COUNT; i++)
		if (strlen(opt_table[i].lng) == len &&
		    memcmp(opt_table[i].lng, name, len) == 0)
			return &opt_table[i];
	return NULL;
}

static const struct opt_def *
opt_find_short(char ch)
{
	size_t i;

	for (i = 0; ch && i < OPT_COUNT; i++)
		if (opt_table[i].shrt == ch)
			return &opt_table[i];
	return NULL;
}

/* The text after -F in a cluster of flags names a flow store. */
static int
flows_value_like(const char *s)
{
	return strcmp(s, "sqlite") == 0 || strncmp(s, "clickhouse", 10) == 0;
}

/* The next token can serve as -l's optional value. */
static int
login_value_like(const char *s)
{
	return strcmp(s, "0") == 0 || strcmp(s, "1") == 0 || endpoint_ok(s);
}

/*
 * Runs one option whose word has been recognised: attached is the value
 * glued to it (or NULL); the value may also come from tok[*i].
 */
static int
opt_take(struct parse_ctx *c, const struct opt_def *o, const char *attached,
	 int n, char **tok, int *i)
{
	char name[64];

	switch (o->arg) {
	case ARG_NONE:
		if (attached) {
			prefs_errf(c, "option %s takes no value (got '%s')",
				   opt_display(o, name, sizeof(name)),
				   attached);
			return -1;
		}
		return opt_apply(c, o, NULL);
	case ARG_OPT:
		return opt_apply(c, o, attached);
	case ARG_FLOWS:
		/* no positional arguments exist: a next word that is not
		 * an option is -F's value ("-F mysql": a clear error) */
		if (!attached && *i < n && tok[*i][0] != '-')
			attached = tok[(*i)++];
		return opt_apply(c, o, attached);
	case ARG_LOGIN:
		if (!attached && *i < n && login_value_like(tok[*i]))
			attached = tok[(*i)++];
		return opt_apply(c, o, attached);
	case ARG_REQ:
		break;
	}
	if (!attached) {
		/* "-i -w 3000" is a forgotten value, not an interface "-w" */
		if (*i >= n || (tok[*i][0] == '-' && tok[*i][1] != '\0')) {
			prefs_errf(c, "option %s needs a value%s",
				   opt_display(o, name, sizeof(name)),
				   c->where ? "" : " (see ntopng -h)");
			return -1;
		}
		attached = tok[(*i)++];
	}
	return opt_apply(c, o, attached);
}

static void
opt_unknown(const struct parse_ctx *c, const char *what)
{
	prefs_errf(c, "unknown option '%s'%s", what,
		   c->where ? "" : " (see ntopng -h)");
}

/*
 * Runs the tokens tok[*i..n-1] of one source (argv or one file line).
 * With one_option set, stops after the first option (a file line).
 * Returns 0, or -1 after an error line.
 */
static int
opts_run(struct parse_ctx *c, int n, char **tok, int *i, int one_option)
{
	const struct opt_def *o;

	while (*i < n && !c->exit_now) {
		const char *t = tok[(*i)++];

		if (t[0] != '-' || t[1] == '\0') {
			prefs_errf(c, "unexpected argument '%s'%s", t,
				   c->where ? ""
					    : " (options start with - "
					      "or --; see ntopng -h)");
			return -1;
		}
		if (t[1] == '-') {
			const char *name = t + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			o = len ? opt_find_long(name, len) : NULL;
			if (!o) {
				char what[80];

				snprintf(what, sizeof(what), "--%.*s",
					 (int)(len > 64 ? 64 : len), name);
				opt_unknown(c, what);
				return -1;
			}
			if (opt_take(c, o, eq ? eq + 1 : NULL, n, tok, i))
				return -1;
		} else {
			/* short: flags cluster, the last may take a value */
			const char *s = t + 1;

			for (;;) {
				const char *rest;

				o = opt_find_short(*s);
				if (!o) {
					char what[3] = { '-', *s, '\0' };

					opt_unknown(c, what);
					return -1;
				}
				rest = s + 1;
				if ((o->arg == ARG_NONE ||
				     (o->arg == ARG_FLOWS &&
				      !flows_value_like(rest))) &&
				    *rest != '\0' && *rest != '=') {
					if (opt_apply(c, o, NULL))
						return -1;
					s = rest;
					continue;
				}
				if (*rest == '=')
					rest++;
				else if (*rest == '\0')
					rest = NULL;
				if (opt_take(c, o, rest, n, tok, i))
					return -1;
				break;
			}
		}
		if (one_option)
			break;
	}
	return 0;
}

static char *
str_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Removes one pair of matching quotes around a value, in place. */
static char *
str_unquote(char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
		s[n - 1] = '\0';
		return s + 1;
	}
	return s;
}

/*
 * Reads the configuration file: each line is cut into one or two tokens
 * (see the top comment) and run through opts_run() like argv.
 */
static int
conf_file_read(struct parse_ctx *c, const char *path)
{
	char where[512], joined[CONF_LINE_MAX + 8];
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;
	ssize_t len;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		prefs_errf(c, "cannot read configuration file '%s': %s", path,
			   strerror(errno));
		return -1;
	}
	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		char *tok[2], *s, *hash, *word_end, *val;
		int ntok = 0, i = 0;

		lineno++;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		c->where = where;
		if (len > CONF_LINE_MAX) {
			prefs_errf(c, "line longer than %d bytes",
				   CONF_LINE_MAX);
			rc = -1;
			break;
		}
		if ((size_t)len != strlen(line)) {
			prefs_errf(c, "NUL byte in line");
			rc = -1;
			break;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		s = str_trim(line);
		if (*s == '\0')
			continue;
		word_end = s;
		while (*word_end && *word_end != '=' &&
		       !isspace((unsigned char)*word_end))
			word_end++;
		if (*word_end == '=') {
			/* "-B=tcp port 80": one token, value unquoted */
			val = str_unquote(str_trim(word_end + 1));
			snprintf(joined, sizeof(joined), "%.*s=%s",
				 (int)(word_end - s), s, val);
			tok[ntok++] = joined;
		} else if (*word_end) {
			/* "--interface eth0": word and the rest */
			*word_end = '\0';
			tok[ntok++] = s;
			tok[ntok++] = str_unquote(str_trim(word_end + 1));
		} else {
			tok[ntok++] = s;
		}
		if (opts_run(c, ntok, tok, &i, 1) != 0) {
			rc = -1;
		} else if (i < ntok && !c->exit_now) {
			prefs_errf(c, "unexpected text '%s' after %s", tok[i],
				   tok[0]);
			rc = -1;
		}
		if (c->exit_now)
			break;
	}
	if (rc == 0 && ferror(f)) {
		prefs_errf(c, "error reading configuration file: %s",
			   strerror(errno));
		rc = -1;
	}
	c->where = NULL;
	free(line);
	fclose(f);
	return rc;
}

/* One warning line naming the command-line options that are ignored. */
static void
conf_warn_ignored(int argc, char **argv)
{
	char buf[1024];
	size_t n;
	int i, r;

	r = snprintf(buf, sizeof(buf),
		     "ntopng: warning: options after the "
		     "configuration file are ignored:");
	n = r < 0 ? 0 : (size_t)r;
	for (i = 2; i < argc && n < sizeof(buf); i++) {
		r = snprintf(buf + n, sizeof(buf) - n, " %s", argv[i]);
		if (r < 0)
			break;
		n += (size_t)r;
	}
	if (n >= sizeof(buf) - 1) {
		n = sizeof(buf) - 5;
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n++] = '\n';
	fwrite(buf, 1, n, stderr);
}

/* --workers' default: the CPU cores this process may run on (its
 * affinity mask, as taskset or a container sets it), 1 to 16. */
static int
prefs_cores_available(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	n = CPU_COUNT(&set);
	return n < 1 ? 1 : n > 16 ? 16 : n;
}

void
prefs_init(struct prefs *p)
{
	char err[64];

	memset(p, 0, sizeof(*p));
	p->dns_mode = 0;
	p->data_dir = prefs_strdup(DEF_DATA_DIR);
	p->httpdocs_dir = prefs_strdup(DEF_HTTPDOCS);
	p->scripts_dir = prefs_strdup(DEF_SCRIPTS);
	p->callbacks_dir = prefs_strdup(DEF_CALLBACKS);
	p->lua_workers = 2;
	p->workers = prefs_cores_available();
	p->lua_max_memory = 256;
	p->http_port = DEF_HTTP_PORT;
	p->https_port = -1;
	netlist_init(&p->local_nets);
	if (netlist_add(&p->local_nets, DEF_LOCAL_NETS, err, sizeof(err)))
		fputs("ntopng: cannot set the default local network\n", stderr);
	p->redis = prefs_strdup(DEF_REDIS);
	p->ts_driver = prefs_strdup("rrd");
	p->influxdb_url = prefs_strdup(DEF_INFLUX_URL);
	p->influxdb_db = prefs_strdup(DEF_INFLUX_DB);
	p->user = prefs_strdup(DEF_USER);
	p->disable_login = -1;
	p->max_num_flows = DEF_MAX_FLOWS;
	p->flow_idle_s = 60;
	p->clickhouse_spool_mb = 256;
	p->max_num_hosts = DEF_MAX_HOSTS;
	p->dump_hosts = PREFS_MODE_NONE;
	p->dump_aggregations = PREFS_MODE_NONE;
	p->sticky_hosts = PREFS_MODE_NONE;
	p->export_interval = DEF_EXPORT_INTERVAL;
}

void
prefs_fini(struct prefs *p)
{
	int i;

	for (i = 0; i < p->n_ifaces; i++)
		free(p->ifaces[i]);
	for (i = 0; i < p->n_export_endpoints; i++)
		free(p->export_endpoints[i]);
	free(p->data_dir);
	free(p->httpdocs_dir);
	free(p->scripts_dir);
	free(p->callbacks_dir);
	free(p->categorization_key);
	free(p->httpbl_key);
	free(p->dns_server);
	free(p->httpbl_zone);
	free(p->alerts_syslog);
	free(p->flows_store_spec);
	free(p->instance_name);
	free(p->http_addr);
	free(p->https_addr);
	free(p->http_allowed_origins);
	free(p->http_allowed_hosts);
	netlist_fini(&p->local_nets);
	free(p->ndpi_protos_file);
	free(p->redis);
	free(p->ts_driver);
	free(p->influxdb_url);
	free(p->influxdb_db);
	free(p->influxdb_user);
	free(p->influxdb_password);
	free(p->user);
	free(p->users_file);
	free(p->pid_file);
	free(p->packet_filter);
	free(p->hw_timestamp_mode);
	free(p->node_id);
	free(p->zmq_encryption_key_priv);
	free(p->zmq_encryption_key);
	free(p->zmq_allowed_keys);
	free(p->config_file);
	free(p->geoip_dir);
	free(p->map_tiles_url);
	free(p->core_affinity);
	free(p->log_file);
	memset(p, 0, sizeof(*p));
}

int
prefs_parse(struct prefs *p, int argc, char **argv)
{
	struct parse_ctx c;
	struct stat st;
	int i = 1;

	memset(&c, 0, sizeof(c));
	c.p = p;
	if (argc > 1 && argv[1][0] != '-') {
		if (stat(argv[1], &st) != 0 || !S_ISREG(st.st_mode)) {
			prefs_errf(&c,
				   "'%s' is neither an option nor a "
				   "configuration file (see ntopng -h)",
				   argv[1]);
			return -1;
		}
		str_set(&p->config_file, argv[1]);
		/* "ntopng <file> --dump-config" checks a file (bgpd -n) */
		if (argc == 3 && strcmp(argv[2], "--dump-config") == 0)
			c.dump_config = 1;
		else if (argc > 2)
			conf_warn_ignored(argc, argv);
		if (conf_file_read(&c, argv[1]) != 0)
			return -1;
	} else if (opts_run(&c, argc, argv, &i, 0) != 0) {
		return -1;
	}
	if (c.exit_now)
		return 1;
	if (c.dump_config) {
		printf("# ntopng %s: effective configuration (options at "
		       "their default are not listed)\n",
		       NTOPNG_VERSION);
		prefs_dump(p, stdout);
		fflush(stdout);
		return 1;
	}
	return 0;
}

int
prefs_reload_file(struct prefs *np, const char *path)
{
	struct parse_ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.p = np;
	str_set(&np->config_file, path);
	prefs_errs_to_log = 1;
	rc = conf_file_read(&c, path);
	prefs_errs_to_log = 0;
	if (rc == 0 && (c.exit_now || c.dump_config)) {
		log_err("%s: -h, -V and --dump-* have no place in a "
			"configuration file read on SIGHUP",
			path);
		rc = -1;
	}
	return rc;
}

/* The option's dump line(s) as a heap string ("" when none), or NULL. */
static char *
opt_dump_str(const struct prefs *p, const struct prefs *def,
	     const struct opt_def *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	opt_dump(p, def, o, f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Two settings are the same when dumping a against b prints what dumping
 * b against a prints: a value option prints only when it differs (then
 * both sides print their own value), flags, counts and lists always.
 */
int
prefs_diff(const struct prefs *a, const struct prefs *b, const char **names,
	   int max)
{
	size_t i;
	int n = 0;

	for (i = 0; i < OPT_COUNT; i++) {
		const struct opt_def *o = &opt_table[i];
		char *da, *db;
		int differ;

		if (o->help == NULL || o->type == OT_ACTION)
			continue;
		da = opt_dump_str(a, b, o);
		db = opt_dump_str(b, a, o);
		differ = da == NULL || db == NULL || strcmp(da, db) != 0;
		free(da);
		free(db);
		if (!differ)
			continue;
		if (n < max)
			names[n] = o->lng;
		n++;
	}
	return n;
}

/* "libpcap version 1.10.3 (with TPACKET_V3)" -> "1.10.3" */
static void
pcap_version_short(char *buf, size_t len)
{
	const char *v = pcap_lib_version();
	const char *pfx = "libpcap version ";
	size_t n;

	if (strncmp(v, pfx, strlen(pfx)) == 0)
		v += strlen(pfx);
	n = strcspn(v, " ");
	snprintf(buf, len, "%.*s", (int)(n > 64 ? 64 : n), v);
}

static void
prefs_version(void)
{
	char pv[80];

	pcap_version_short(pv, sizeof(pv));
	printf("ntopng v.%s (C re-implementation) built with nDPI %s and "
	       "libpcap %s\n",
	       NTOPNG_VERSION, ndpi_revision(), pv);
}

#define USAGE_COL 36

static void
usage_option(const struct opt_def *o)
{
	char left[96];
	const char *h = o->help;
	int n;

	if (o->shrt)
		n = snprintf(left, sizeof(left), "[--%s|-%c]%s%s", o->lng,
			     o->shrt, o->argname ? " " : "",
			     o->argname ? o->argname : "");
	else
		n = snprintf(left, sizeof(left), "--%s%s%s", o->lng,
			     o->argname ? " " : "",
			     o->argname ? o->argname : "");
	for (;;) {
		size_t ll = strcspn(h, "\n");

		if (n > USAGE_COL - 1) {
			/* a long left column gets its own line */
			printf("%s\n", left);
			n = 0;
			left[0] = '\0';
		}
		printf("%-*s| %.*s\n", USAGE_COL, left, (int)ll, h);
		left[0] = '\0';
		n = 0;
		h += ll;
		if (*h == '\0')
			break;
		h++;
	}
	if (!o->implemented)
		printf("%-*s| (accepted, not implemented yet)\n", USAGE_COL,
		       "");
}

static void
usage_devices(void)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all = NULL, *d;
	int idx = 1;

	printf("\nAvailable interfaces (-i <index> or -i <name>):\n");
	errbuf[0] = '\0';
	if (pcap_findalldevs(&all, errbuf) != 0) {
		printf("   (cannot list devices: %s)\n", errbuf);
		return;
	}
	for (d = all; d; d = d->next, idx++)
		printf("  %2d. %s%s%s%s\n", idx, d->name,
		       d->description ? " (" : "",
		       d->description ? d->description : "",
		       d->description ? ")" : "");
	if (!all)
		printf("   (none visible; capturing may need root)\n");
	pcap_freealldevs(all);
}

void
prefs_usage(void)
{
	size_t i;
	int t;

	printf("ntopng v.%s (C re-implementation)\n\n"
	       "Usage:\n"
	       "  ntopng <configuration file>\n"
	       "  or\n"
	       "  ntopng [-i <iface|pcap|endpoint>]... [-m <local nets>] "
	       "[-w <[addr:]port>]\n"
	       "         [-d <data dir>] [-B <filter>] [-x <num>] "
	       "[-X <num>] [-l [0|1]] [-v]...\n"
	       "         [other options below]\n\n"
	       "Options (value options: the last one given wins; "
	       "-i accumulates):\n",
	       NTOPNG_VERSION);
	for (t = 0; t < T__COUNT; t++) {
		printf("\n%s:\n", topic_names[t]);
		for (i = 0; i < OPT_COUNT; i++)
			if (opt_table[i].topic == (enum opt_topic)t &&
			    opt_table[i].help)
				usage_option(&opt_table[i]);
	}
	usage_devices();
}

/* 1 when two local-network lists name the same networks in order. */
static int
nets_equal(const struct netlist *a, const struct netlist *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, b->v[i].name) != 0)
			return 0;
	return 1;
}

/* The line(s) of one option, when its value differs from def's. */
static void
opt_dump(const struct prefs *p, const struct prefs *def,
	 const struct opt_def *o, FILE *f)
{
	const char *l = o->lng;
	int k;

	switch (o->type) {
	case OT_ACTION:
		break;
	case OT_FLAG:
		if (*OPT_CFIELD(p, o, int))
			fprintf(f, "--%s\n", l);
		break;
	case OT_COUNT:
		for (k = 0; k < *OPT_CFIELD(p, o, int); k++)
			fprintf(f, "--%s\n", l);
		break;
	case OT_FLOWS:
		if (!p->dump_flows)
			break;
		if (p->flows_store_spec != NULL)
			fprintf(f, "--%s=%s\n", l, p->flows_store_spec);
		else
			fprintf(f, "--%s\n", l);
		break;
	case OT_INT:
		if (*OPT_CFIELD(p, o, int) != *OPT_CFIELD(def, o, int))
			fprintf(f, "--%s=%d\n", l, *OPT_CFIELD(p, o, int));
		break;
	case OT_U32:
		if (*OPT_CFIELD(p, o, uint32_t) !=
		    *OPT_CFIELD(def, o, uint32_t))
			fprintf(f, "--%s=%u\n", l,
				(unsigned)*OPT_CFIELD(p, o, uint32_t));
		break;
	case OT_STR: {
		const char *v = *OPT_CFIELD(p, o, char *);
		const char *d = *OPT_CFIELD(def, o, char *);

		if (v && (!d || strcmp(v, d) != 0))
			fprintf(f, "--%s=%s\n", l, v);
		break;
	}
	case OT_MODE: {
		enum prefs_mode m = *OPT_CFIELD(p, o, enum prefs_mode);

		if (m != *OPT_CFIELD(def, o, enum prefs_mode))
			fprintf(f, "--%s=%s\n", l, mode_name(m));
		break;
	}
	case OT_LIST: {
		const char *const *v = OPT_CFIELD(p, o, char *const);
		int n = *OPT_CFIELD2(p, o, int);

		for (k = 0; k < n; k++)
			fprintf(f, "--%s=%s\n", l, v[k]);
		break;
	}
	case OT_HOSTPORT: {
		const char *addr = *OPT_CFIELD(p, o, char *);
		int port = *OPT_CFIELD2(p, o, int);

		if (!addr && port == *OPT_CFIELD2(def, o, int))
			break;
		if (!addr)
			fprintf(f, "--%s=%d\n", l, port);
		else if (strchr(addr, ':'))
			fprintf(f, "--%s=[%s]:%d\n", l, addr, port);
		else
			fprintf(f, "--%s=%s:%d\n", l, addr, port);
		break;
	}
	case OT_NETS: {
		const struct netlist *nl = OPT_CFIELD(p, o, struct netlist);
		size_t i;

		if (nets_equal(nl, OPT_CFIELD(def, o, struct netlist)))
			break;
		fprintf(f, "--%s=", l);
		for (i = 0; i < nl->n; i++)
			fprintf(f, "%s%s", i ? "," : "", nl->v[i].name);
		fputc('\n', f);
		break;
	}
	}
}

/*
 * One line per option that differs from its default (a fresh
 * prefs_init()), in table order, so that the output is stable and is
 * itself a valid configuration file.  Hidden aliases are skipped: their
 * main row prints the value.
 */
void
prefs_dump(const struct prefs *p, FILE *f)
{
	struct prefs def;
	size_t i;

	prefs_init(&def);
	for (i = 0; i < OPT_COUNT; i++)
		if (opt_table[i].help)
			opt_dump(p, &def, &opt_table[i], f);
	prefs_fini(&def);
}

/*
 * The documentation of the options is generated from opt_table[] so that
 * it cannot drift from what the parser does: docs/cli.md holds the output
 * of `ntopng --dump-options md` between its BEGIN/END markers, and
 * tests/e2e/docs_options.py fails when the two differ, or when an entry
 * of man/ntopng.8 disagrees with the table (name, short letter, topic,
 * "(not implemented yet)").
 */

/* Writes s for a Markdown table cell: '|' escaped, lines joined and
 * runs of blanks (the -h text's alignment) made one. */
static void
md_cell(FILE *f, const char *s)
{
	int blank = 0;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\n') {
			blank = 1;
			continue;
		}
		if (blank)
			fputc(' ', f);
		blank = 0;
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s, f);
	}
}

static void
prefs_options_md(FILE *f)
{
	size_t i;
	int t;

	fprintf(f, "<!-- BEGIN options: generated by `ntopng --dump-options "
		   "md` from opt_table[] in common/prefs.c; do not edit "
		   "(tests/e2e/docs_options.py) -->\n");
	for (t = 0; t < T__COUNT; t++) {
		fprintf(f, "\n### %s\n\n", topic_names[t]);
		fprintf(f, "| short | long | argument | what | status |\n"
			   "|---|---|---|---|---|\n");
		for (i = 0; i < OPT_COUNT; i++) {
			const struct opt_def *o = &opt_table[i];

			if (o->topic != (enum opt_topic)t)
				continue;
			if (o->shrt)
				fprintf(f, "| `-%c` | `--%s` | ", o->shrt,
					o->lng);
			else
				fprintf(f, "| | `--%s` | ", o->lng);
			if (o->argname) {
				fputc('`', f);
				md_cell(f, o->argname);
				fputc('`', f);
			}
			fputs(" | ", f);
			if (o->help)
				md_cell(f, o->help);
			else
				fprintf(f, "same as `--%s`",
					opt_by_id(o->id)->lng);
			fprintf(f, " | %s |\n",
				o->implemented ? "yes" : "not implemented yet");
		}
	}
	fprintf(f, "\n<!-- END options -->\n");
}

/* short, long, argument, topic, implemented, the long name it is an
 * alias of (or "-") */
static void
prefs_options_tsv(FILE *f)
{
	size_t i;

	for (i = 0; i < OPT_COUNT; i++) {
		const struct opt_def *o = &opt_table[i];
		const struct opt_def *m = opt_by_id(o->id);

		fprintf(f, "%c\t%s\t%s\t%s\t%d\t%s\n", o->shrt ? o->shrt : '-',
			o->lng, o->argname ? o->argname : "-",
			topic_names[o->topic], o->implemented,
			m != o ? m->lng : "-");
	}
}
