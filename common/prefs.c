/*
 * prefs.c - the node's preferences: defaults, command line, configuration
 * file, the -h text and the effective-configuration dump (prefs.h).
 *
 * How it works
 *
 * Every option is one row of opt_table[]: long name, short letter, what
 * argument it takes, whether its feature is built yet, the -h topic and
 * the help text.  The -h text, the dump and the parser all walk that one
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
 * Diagnostics for the user (bad option, bad value) go straight to stderr
 * as one "ntopng: ..." line, like any command-line tool: they happen
 * before logging is set up and are addressed to the person typing, so
 * they do not carry the log's thread-role prefix.
 *
 * Thread: prefs_parse() and friends run on the main thread before any
 * other thread starts; afterwards struct prefs is read-only.
 */
#include "common/prefs.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
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
#define DEF_USER "nobody"
#define DEF_LOCAL_NETS "192.168.1.0/24"
#define DEF_HTTP_PORT 3000
#define DEF_MAX_FLOWS 131072
#define DEF_MAX_HOSTS 65536
#define DEF_EXPORT_INTERVAL 1

#define MAX_EXPORT_ENDPOINTS \
	((int)(sizeof(((struct prefs *)0)->export_endpoints) / sizeof(char *)))
#define CONF_LINE_MAX 65536
#define NODE_ID_MAX 64
#define CORE_ID_MAX 1023

enum opt_id {
	O_DNS_MODE, O_INTERFACE, O_DATA_DIR, O_DAEMON, O_HTTPDOCS, O_SCRIPTS,
	O_CALLBACKS, O_DUMP_TIMELINE, O_CATEG_KEY, O_HTTPBL_KEY, O_HTTP_PORT,
	O_HTTPS_PORT, O_LOCAL_NETS, O_NDPI_PROTOS, O_NO_PERSIST, O_REDIS,
	O_USER, O_DONT_CHANGE_USER, O_NO_AUTOLOGOUT, O_DISABLE_LOGIN,
	O_MAX_FLOWS, O_MAX_HOSTS, O_USERS_FILE, O_PID, O_NO_ALERTS,
	O_PACKET_FILTER, O_AGGREGATIONS, O_DUMP_FLOWS, O_EXPORT_FLOWS,
	O_DUMP_HOSTS, O_DUMP_AGGR, O_STICKY_HOSTS, O_JSON_LABELS, O_HW_TS,
	O_VERBOSE, O_VERSION, O_HELP, O_CORE_AFFINITY, O_SHUTDOWN_DONE,
	O_NODE_ID, O_EXPORT_INTERVAL, O_ZMQ_ENC, O_ZMQ_KEY_PRIV, O_ZMQ_KEY,
	O_ZMQ_ALLOWED_KEYS, O_HTTP_401, O_HTTP_ORIGINS, O_HTTP_HOSTS,
	O_DUMP_OPTIONS,
	O__COUNT
};

enum opt_arg {
	ARG_NONE,    /* a flag */
	ARG_REQ,     /* always a value */
	ARG_LOGIN,   /* -l: optional 0|1, or an endpoint (see top comment) */
};

enum opt_topic {
	T_INPUTS, T_WEB, T_LOCAL, T_STORAGE, T_EXPORT, T_PROCESS, T_MISC,
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

struct opt_def {
	enum opt_id id;
	const char *lng;        /* without the leading "--" */
	char shrt;              /* 0 = long form only */
	enum opt_arg arg;
	int implemented;        /* 0: accepted, stored, warned about */
	enum opt_topic topic;
	const char *argname;    /* shown in -h, NULL for flags */
	const char *help;       /* lines split by '\n'; NULL = hidden alias */
};

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
	  "except loopback" },
	{ O_PACKET_FILTER, "packet-filter", 'B', ARG_REQ, 1, T_INPUTS,
	  "<filter>", "Ingress packet filter (BPF syntax)" },
	{ O_DNS_MODE, "dns-mode", 'n', ARG_REQ, 0, T_INPUTS, "<mode>",
	  "DNS address resolution mode:\n"
	  "0 - Decode DNS responses and resolve\n"
	  "    local numeric IPs only (default)\n"
	  "1 - Decode DNS responses and resolve all\n"
	  "    numeric IPs\n"
	  "2 - Decode DNS responses and don't\n"
	  "    resolve numeric IPs\n"
	  "3 - Don't decode DNS responses and don't\n"
	  "    resolve numeric IPs" },
	{ O_NDPI_PROTOS, "ndpi-protocols", 'p', ARG_REQ, 1, T_INPUTS,
	  "<file>.protos", "nDPI protocol file (e.g. protos.txt)" },
	{ O_HW_TS, "hw-timestamp-mode", 0, ARG_REQ, 0, T_INPUTS, "<mode>",
	  "Hardware timestamping/stripping. Modes:\n"
	  "ixia - packets timestamped by ixiacom.com\n"
	  "       hardware devices" },

	/* Web server and users */
	{ O_HTTP_PORT, "http-port", 'w', ARG_REQ, 1, T_WEB,
	  "<[addr:]port>",
	  "HTTP address and port, e.g. 3000,\n"
	  "127.0.0.1:3000, [::1]:3000, :3000.\n"
	  "0 disables the HTTP server. Default: 3000" },
	{ O_HTTPS_PORT, "https-port", 'W', ARG_REQ, 1, T_WEB,
	  "<[addr:]port>",
	  "HTTPS address and port.\nDefault: HTTP port + 1" },
	{ O_HTTPDOCS, "httpdocs-dir", '1', ARG_REQ, 1, T_WEB, "<path>",
	  "HTTP documents root directory.\nDefault: " DEF_HTTPDOCS },
	{ O_SCRIPTS, "scripts-dir", '2', ARG_REQ, 0, T_WEB, "<path>",
	  "Scripts directory.\nDefault: " DEF_SCRIPTS },
	{ O_CALLBACKS, "callbacks-dir", '3', ARG_REQ, 0, T_WEB, "<path>",
	  "Callbacks directory.\nDefault: " DEF_CALLBACKS },
	{ O_DISABLE_LOGIN, "disable-login", 'l', ARG_LOGIN, 1, T_WEB,
	  "[0|1]",
	  "Disable user login authentication:\n"
	  "1 - for everyone (also plain -l)\n"
	  "0 - for localhost only\n"
	  "-l <endpoint> (e.g. tcp://*:3456) is the\n"
	  "same as -I <endpoint>" },
	{ O_NO_AUTOLOGOUT, "disable-autologout", 'q', ARG_NONE, 1, T_WEB,
	  NULL, "Disable web interface logout for\ninactivity" },
	{ O_HTTP_401, "http-401", 0, ARG_NONE, 1, T_WEB, NULL,
	  "REST calls (/lua/rest/) that fail\n"
	  "authentication and send Accept:\n"
	  "application/json without text/html get\n"
	  "401 + WWW-Authenticate instead of the\n"
	  "302 to the login page" },
	{ O_HTTP_ORIGINS, "http-allowed-origins", 0, ARG_REQ, 1, T_WEB,
	  "<list>",
	  "Other web origins (scheme://host[:port],\n"
	  "comma separated) whose pages may call the\n"
	  "REST API from a browser (CORS, state-\n"
	  "changing calls). Default: same origin only" },
	{ O_HTTP_HOSTS, "http-allowed-hosts", 0, ARG_REQ, 1, T_WEB,
	  "<list>",
	  "Host header names the web server answers\n"
	  "to besides IP addresses, localhost and\n"
	  "this machine's name (DNS rebinding guard),\n"
	  "comma separated; * accepts any" },
	{ O_USERS_FILE, "users-file", 'u', ARG_REQ, 1, T_WEB, "<path>",
	  "Users configuration file path.\nDefault: none" },

	/* Local networks and limits */
	{ O_LOCAL_NETS, "local-networks", 'm', ARG_REQ, 1, T_LOCAL,
	  "<local nets>",
	  "Local networks, comma separated, CIDR or\n"
	  "netmask, e.g.\n"
	  "-m \"192.168.0.0/24,10.0.0.0/255.0.0.0\"\n"
	  "Default: " DEF_LOCAL_NETS },
	{ O_MAX_FLOWS, "max-num-flows", 'X', ARG_REQ, 1, T_LOCAL, "<num>",
	  "Max number of active flows\n(default: 131072)" },
	{ O_MAX_HOSTS, "max-num-hosts", 'x', ARG_REQ, 1, T_LOCAL, "<num>",
	  "Max number of active hosts\n(default: 65536)" },
	{ O_STICKY_HOSTS, "sticky-hosts", 'S', ARG_REQ, 1, T_LOCAL, "<mode>",
	  "Don't flush hosts (default: none). Values:\n"
	  "all    - Keep all hosts in memory\n"
	  "local  - Keep only local hosts\n"
	  "remote - Keep only remote hosts\n"
	  "none   - Flush hosts when idle" },

	/* Storage */
	{ O_DATA_DIR, "data-dir", 'd', ARG_REQ, 1, T_STORAGE, "<path>",
	  "Data directory (must be writable).\nDefault: " DEF_DATA_DIR },
	{ O_REDIS, "redis", 'r', ARG_REQ, 1, T_STORAGE,
	  "<host[:port][@db]>",
	  "Redis host[:port][@db] or unix socket\npath. "
	  "Default: " DEF_REDIS },
	{ O_NO_PERSIST, "disable-host-persistency", 'P', ARG_NONE, 1,
	  T_STORAGE, NULL, "Disable host persistency (in Redis)" },
	{ O_NO_PERSIST, "disable-host-persistence", 0, ARG_NONE, 1,
	  T_STORAGE, NULL, NULL },
	{ O_DUMP_FLOWS, "dump-flows", 'F', ARG_NONE, 1, T_STORAGE, NULL,
	  "Dump expired flows (SQLite, one database\nper day)" },
	{ O_DUMP_HOSTS, "dump-hosts", 'D', ARG_REQ, 1, T_STORAGE, "<mode>",
	  "Dump hosts policy (default: none). Values:\n"
	  "all    - Dump all hosts\n"
	  "local  - Dump only local hosts\n"
	  "remote - Dump only remote hosts\n"
	  "none   - Dump no hosts" },
	{ O_DUMP_AGGR, "dump-aggregations", 'E', ARG_REQ, 0, T_STORAGE,
	  "<mode>",
	  "Dump aggregations policy (default: none).\n"
	  "Values: all, local, remote, none (as -D)" },
	{ O_AGGREGATIONS, "enable-aggregations", 'A', ARG_REQ, 0, T_STORAGE,
	  "<mode>",
	  "Setup data aggregation:\n"
	  "0 - No aggregations (default)\n"
	  "1 - Enable aggregations, no timeline dump\n"
	  "2 - Enable aggregations, with timeline\n"
	  "    dump (see -C)" },
	{ O_DUMP_TIMELINE, "dump-timeline", 'C', ARG_NONE, 0, T_STORAGE, NULL,
	  "Enable timeline dump" },

	/* Export and hierarchies */
	{ O_EXPORT_FLOWS, "export-flows", 'I', ARG_REQ, 1, T_EXPORT,
	  "<endpoint>",
	  "Export flows to peers subscribing to this\n"
	  "ZMQ endpoint (e.g. tcp://*:5556).\n"
	  "Repeatable (at most 8)" },
	{ O_JSON_LABELS, "json-labels", 0, ARG_NONE, 1, T_EXPORT, NULL,
	  "Use labels instead of numbers as JSON keys\n"
	  "(ZMQ export, SQLite)" },
	{ O_NODE_ID, "node-id", 0, ARG_REQ, 1, T_EXPORT, "<text>",
	  "This node's id in the site path of\nexported flows. "
	  "Default: random at the first\nstart, kept in <data-dir>/node-id" },
	{ O_EXPORT_INTERVAL, "export-interval", 0, ARG_REQ, 1, T_EXPORT,
	  "<seconds>",
	  "Seconds between exported deltas of\n"
	  "active flows (1..3600). Default: 1" },
	{ O_ZMQ_ENC, "zmq-encryption", 0, ARG_NONE, 1, T_EXPORT, NULL,
	  "Encrypt ZMQ collection (CURVE server);\n"
	  "the key pair is kept in the data dir" },
	{ O_ZMQ_KEY_PRIV, "zmq-encryption-key-priv", 0, ARG_REQ, 1, T_EXPORT,
	  "<key>", "ZMQ CURVE private key of this node\n"
	  "(Z85, 40 characters; implies\n--zmq-encryption)" },
	{ O_ZMQ_ALLOWED_KEYS, "zmq-allowed-keys", 0, ARG_REQ, 1, T_EXPORT,
	  "<file>", "With --zmq-encryption: accept only\n"
	  "probes whose CURVE public key (Z85)\n"
	  "is listed in this file, one per line" },
	{ O_ZMQ_KEY, "zmq-encryption-key", 0, ARG_REQ, 1, T_EXPORT, "<key>",
	  "ZMQ CURVE public key of the server to\nconnect to" },

	/* Process */
	{ O_DAEMON, "daemon", 'e', ARG_NONE, 0, T_PROCESS, NULL,
	  "Daemonize ntopng" },
	{ O_USER, "user", 'U', ARG_REQ, 1, T_PROCESS, "<sys user>",
	  "Once inputs and sockets are open, run\n"
	  "as this user, without capabilities.\n"
	  "Default: " DEF_USER },
	{ O_DONT_CHANGE_USER, "dont-change-user", 's', ARG_NONE, 1, T_PROCESS,
	  NULL, "Do not change user (debug only)" },
	{ O_PID, "pid", 'G', ARG_REQ, 1, T_PROCESS, "<path>",
	  "Pid file path" },
	{ O_CORE_AFFINITY, "core-affinity", 'g', ARG_REQ, 0, T_PROCESS,
	  "<core id>", "Bind the capture threads to this CPU core" },
	{ O_SHUTDOWN_DONE, "shutdown-when-done", 0, ARG_NONE, 1, T_PROCESS,
	  NULL, "Exit once every pcap file input has\nbeen read" },
	{ O_VERBOSE, "verbose", 'v', ARG_NONE, 1, T_PROCESS, NULL,
	  "More log lines: -v a summary per\n"
	  "interface and per source each minute;\n"
	  "-vv also what became of each received\n"
	  "message (rate-limited)" },

	/* Misc */
	{ O_CATEG_KEY, "categorization-key", 'c', ARG_REQ, 0, T_MISC, "<key>",
	  "Key used to access host categorization\n"
	  "services (default: disabled)" },
	{ O_HTTPBL_KEY, "httpbl-key", 'k', ARG_REQ, 0, T_MISC, "<key>",
	  "Key used to access httpbl services\n(default: disabled)" },
	{ O_NO_ALERTS, "disable-alerts", 'H', ARG_NONE, 0, T_MISC, NULL,
	  "Disable alerts generation" },
	{ O_VERSION, "version", 'V', ARG_NONE, 1, T_MISC, NULL,
	  "Print version and quit" },
	{ O_HELP, "help", 'h', ARG_NONE, 1, T_MISC, NULL, "Help" },
	{ O_DUMP_OPTIONS, "dump-options", 0, ARG_REQ, 1, T_MISC, "<md|tsv>",
	  "Print this option table and quit:\n"
	  "md  - the Markdown table of docs/cli.md\n"
	  "tsv - one line per option (for tests)" },
};

#define OPT_COUNT (sizeof(opt_table) / sizeof(opt_table[0]))

/* State of one prefs_parse() call. */
struct parse_ctx {
	struct prefs *p;
	const char *where;        /* "file:line" or NULL on the command line */
	int warned[O__COUNT];     /* "not implemented" already printed */
	int exit_now;             /* -h or -V was handled */
};

static void
prefs_errf(const struct parse_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One "ntopng: [file:line: ]message" line on stderr, one write. */
static void
prefs_errf(const struct parse_ctx *c, const char *fmt, ...)
{
	char line[1024];
	size_t n;
	va_list ap;
	int r;

	r = snprintf(line, sizeof(line), "ntopng: %s%s", c && c->where ?
		     c->where : "", c && c->where ? ": " : "");
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
	unsigned long long min, unsigned long long max,
	unsigned long long *out)
{
	char expect[96], maxs[32];

	if (num_parse(val, min, max, out) == 0)
		return 0;
	if (max == UINT32_MAX)
		snprintf(maxs, sizeof(maxs), "2^32-1");
	else
		snprintf(maxs, sizeof(maxs), "%llu", max);
	snprintf(expect, sizeof(expect), "a number from %llu to %s", min,
		 maxs);
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
	case PREFS_MODE_ALL: return "all";
	case PREFS_MODE_LOCAL: return "local";
	case PREFS_MODE_REMOTE: return "remote";
	case PREFS_MODE_NONE: break;
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

static int
export_endpoint_add(struct parse_ctx *c, const struct opt_def *o,
		    const char *val)
{
	struct prefs *p = c->p;

	if (!endpoint_ok(val)) {
		opt_bad_value(c, o, val,
			      "an endpoint such as tcp://*:5556");
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
static void prefs_options_md(FILE *f);
static void prefs_options_tsv(FILE *f);

/* Stores the value of one option; val is NULL for flags. */
static int
opt_apply(struct parse_ctx *c, const struct opt_def *o, const char *val)
{
	struct prefs *p = c->p;
	unsigned long long v;
	enum prefs_mode m;
	char *addr;
	int port;

	switch (o->id) {
	case O_INTERFACE:
		if (val[0] == '\0' || val[0] == '=') {
			opt_bad_value(c, o, val,
				      "an interface, pcap file or endpoint");
			return -1;
		}
		if (p->n_ifaces >= PREFS_MAX_IFACES) {
			prefs_errf(c, "too many interfaces (at most %d)",
				   PREFS_MAX_IFACES);
			return -1;
		}
		p->ifaces[p->n_ifaces++] = prefs_strdup(val);
		break;
	case O_DNS_MODE:
		if (opt_num(c, o, val, 0, 3, &v))
			return -1;
		p->dns_mode = (int)v;
		break;
	case O_DATA_DIR:
	case O_HTTPDOCS:
	case O_SCRIPTS:
	case O_CALLBACKS:
	case O_NDPI_PROTOS:
	case O_USERS_FILE:
	case O_PID:
	case O_REDIS:
	case O_USER:
	case O_PACKET_FILTER:
	case O_CATEG_KEY:
	case O_HTTPBL_KEY:
	case O_ZMQ_KEY_PRIV:
	case O_ZMQ_ALLOWED_KEYS:
	case O_HTTP_ORIGINS:
	case O_HTTP_HOSTS:
	case O_ZMQ_KEY: {
		char **field;

		if (val[0] == '\0') {
			opt_bad_value(c, o, val, "a non-empty value");
			return -1;
		}
		switch (o->id) {
		case O_DATA_DIR: field = &p->data_dir; break;
		case O_HTTPDOCS: field = &p->httpdocs_dir; break;
		case O_SCRIPTS: field = &p->scripts_dir; break;
		case O_CALLBACKS: field = &p->callbacks_dir; break;
		case O_NDPI_PROTOS: field = &p->ndpi_protos_file; break;
		case O_USERS_FILE: field = &p->users_file; break;
		case O_PID: field = &p->pid_file; break;
		case O_REDIS: field = &p->redis; break;
		case O_USER: field = &p->user; break;
		case O_PACKET_FILTER: field = &p->packet_filter; break;
		case O_CATEG_KEY: field = &p->categorization_key; break;
		case O_HTTPBL_KEY: field = &p->httpbl_key; break;
		case O_ZMQ_KEY_PRIV: field = &p->zmq_encryption_key_priv; break;
		case O_ZMQ_ALLOWED_KEYS: field = &p->zmq_allowed_keys; break;
		case O_HTTP_ORIGINS: field = &p->http_allowed_origins; break;
		case O_HTTP_HOSTS: field = &p->http_allowed_hosts; break;
		default: field = &p->zmq_encryption_key; break;
		}
		str_set(field, val);
		break;
	}
	case O_HTTP_PORT:
	case O_HTTPS_PORT:
		if (hostport_parse(val, &addr, &port) != 0) {
			opt_bad_value(c, o, val,
				      "[address:]port with a port from 0 to "
				      "65535 (3000, 127.0.0.1:3000, "
				      "[::1]:3000)");
			return -1;
		}
		if (o->id == O_HTTP_PORT) {
			free(p->http_addr);
			p->http_addr = addr;
			p->http_port = port;
		} else {
			free(p->https_addr);
			p->https_addr = addr;
			p->https_port = port;
		}
		break;
	case O_LOCAL_NETS: {
		/* build aside so that a bad list leaves the old one intact */
		struct netlist nl;
		char err[128];

		netlist_init(&nl);
		err[0] = '\0';
		if (val[0] == '\0' ||
		    netlist_add(&nl, val, err, sizeof(err)) != 0) {
			char name[64];

			netlist_fini(&nl);
			prefs_errf(c, "invalid value '%s' for %s: %s%s"
				   "expected a.b.c.d/nn, a.b.c.d/a.b.c.d or "
				   "x::/nn, comma separated", val,
				   opt_display(o, name, sizeof(name)), err,
				   err[0] ? "; " : "");
			return -1;
		}
		netlist_fini(&p->local_nets);
		p->local_nets = nl;
		break;
	}
	case O_NO_PERSIST: p->disable_host_persistence = 1; break;
	case O_DONT_CHANGE_USER: p->dont_change_user = 1; break;
	case O_NO_AUTOLOGOUT: p->disable_autologout = 1; break;
	case O_HTTP_401: p->http_401 = 1; break;
	case O_DAEMON: p->daemonize = 1; break;
	case O_DUMP_TIMELINE: p->dump_timeline = 1; break;
	case O_NO_ALERTS: p->disable_alerts = 1; break;
	case O_DUMP_FLOWS: p->dump_flows = 1; break;
	case O_JSON_LABELS: p->json_labels = 1; break;
	case O_SHUTDOWN_DONE: p->shutdown_when_done = 1; break;
	case O_ZMQ_ENC: p->zmq_encryption = 1; break;
	case O_VERBOSE: p->verbose++; break;
	case O_DISABLE_LOGIN:
		if (!val || strcmp(val, "1") == 0) {
			p->disable_login = 1;
		} else if (strcmp(val, "0") == 0) {
			p->disable_login = 0;
		} else if (endpoint_ok(val)) {
			const struct opt_def *io = opt_by_id(O_EXPORT_FLOWS);

			if (export_endpoint_add(c, io, val))
				return -1;
			opt_warn_unimplemented(c, io);
		} else {
			opt_bad_value(c, o, val, "0, 1 or an export endpoint "
				      "such as tcp://*:3456");
			return -1;
		}
		break;
	case O_MAX_FLOWS:
		if (opt_num(c, o, val, 1, UINT32_MAX, &v))
			return -1;
		p->max_num_flows = (uint32_t)v;
		break;
	case O_MAX_HOSTS:
		if (opt_num(c, o, val, 1, UINT32_MAX, &v))
			return -1;
		p->max_num_hosts = (uint32_t)v;
		break;
	case O_AGGREGATIONS:
		if (opt_num(c, o, val, 0, 2, &v))
			return -1;
		p->aggregations = (int)v;
		break;
	case O_EXPORT_FLOWS:
		if (export_endpoint_add(c, o, val))
			return -1;
		break;
	case O_DUMP_HOSTS:
	case O_DUMP_AGGR:
	case O_STICKY_HOSTS:
		if (mode_parse(val, &m) != 0) {
			opt_bad_value(c, o, val, "all, local, remote or none");
			return -1;
		}
		if (o->id == O_DUMP_HOSTS)
			p->dump_hosts = m;
		else if (o->id == O_DUMP_AGGR)
			p->dump_aggregations = m;
		else
			p->sticky_hosts = m;
		break;
	case O_HW_TS:
		if (strcmp(val, "ixia") != 0) {
			opt_bad_value(c, o, val, "ixia");
			return -1;
		}
		str_set(&p->hw_timestamp_mode, val);
		break;
	case O_CORE_AFFINITY:
		if (opt_num(c, o, val, 0, CORE_ID_MAX, &v))
			return -1;
		p->core_affinity = (int)v;
		break;
	case O_NODE_ID: {
		size_t i, n = strlen(val);
		int ok = n > 0 && n <= NODE_ID_MAX;

		for (i = 0; ok && i < n; i++)
			if (!isgraph((unsigned char)val[i]) || val[i] == ',' ||
			    val[i] == '>')
				ok = 0;
		if (!ok) {
			opt_bad_value(c, o, val, "1 to 64 printable "
				      "characters without blanks, commas or '>'");
			return -1;
		}
		str_set(&p->node_id, val);
		break;
	}
	case O_EXPORT_INTERVAL:
		if (opt_num(c, o, val, 1, 3600, &v))
			return -1;
		p->export_interval = (int)v;
		break;
	case O_VERSION:
		prefs_version();
		c->exit_now = 1;
		return 0;
	case O_HELP:
		prefs_usage();
		c->exit_now = 1;
		return 0;
	case O_DUMP_OPTIONS:
		if (strcmp(val, "md") == 0)
			prefs_options_md(stdout);
		else if (strcmp(val, "tsv") == 0)
			prefs_options_tsv(stdout);
		else {
			opt_bad_value(c, o, val, "md or tsv");
			return -1;
		}
		fflush(stdout);
		c->exit_now = 1;
		return 0;
	case O__COUNT:
		return -1;
	}
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
				   c->where ? "" : " (options start with - "
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
				if (o->arg == ARG_NONE && *rest != '\0' &&
				    *rest != '=') {
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

	r = snprintf(buf, sizeof(buf), "ntopng: warning: options after the "
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
	p->http_port = DEF_HTTP_PORT;
	p->https_port = -1;
	netlist_init(&p->local_nets);
	if (netlist_add(&p->local_nets, DEF_LOCAL_NETS, err, sizeof(err)))
		fputs("ntopng: cannot set the default local network\n",
		      stderr);
	p->redis = prefs_strdup(DEF_REDIS);
	p->user = prefs_strdup(DEF_USER);
	p->disable_login = -1;
	p->max_num_flows = DEF_MAX_FLOWS;
	p->max_num_hosts = DEF_MAX_HOSTS;
	p->dump_hosts = PREFS_MODE_NONE;
	p->dump_aggregations = PREFS_MODE_NONE;
	p->sticky_hosts = PREFS_MODE_NONE;
	p->core_affinity = -1;
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
	free(p->http_addr);
	free(p->https_addr);
	free(p->http_allowed_origins);
	free(p->http_allowed_hosts);
	netlist_fini(&p->local_nets);
	free(p->ndpi_protos_file);
	free(p->redis);
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
			prefs_errf(&c, "'%s' is neither an option nor a "
				   "configuration file (see ntopng -h)",
				   argv[1]);
			return -1;
		}
		str_set(&p->config_file, argv[1]);
		if (argc > 2)
			conf_warn_ignored(argc, argv);
		if (conf_file_read(&c, argv[1]) != 0)
			return -1;
		return c.exit_now ? 1 : 0;
	}
	if (opts_run(&c, argc, argv, &i, 0) != 0)
		return -1;
	return c.exit_now ? 1 : 0;
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
	       "libpcap %s\n", NTOPNG_VERSION, ndpi_revision(), pv);
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
	       "-i accumulates):\n", NTOPNG_VERSION);
	for (t = 0; t < T__COUNT; t++) {
		printf("\n%s:\n", topic_names[t]);
		for (i = 0; i < OPT_COUNT; i++)
			if (opt_table[i].topic == (enum opt_topic)t &&
			    opt_table[i].help)
				usage_option(&opt_table[i]);
	}
	usage_devices();
}

static void
dump_hostport(FILE *f, const char *lng, const char *addr, int port)
{
	if (!addr)
		fprintf(f, "--%s=%d\n", lng, port);
	else if (strchr(addr, ':'))
		fprintf(f, "--%s=[%s]:%d\n", lng, addr, port);
	else
		fprintf(f, "--%s=%s:%d\n", lng, addr, port);
}

static void
dump_str(FILE *f, const char *lng, const char *val, const char *def)
{
	if (val && (!def || strcmp(val, def) != 0))
		fprintf(f, "--%s=%s\n", lng, val);
}

static void
dump_flag(FILE *f, const char *lng, int on)
{
	if (on)
		fprintf(f, "--%s\n", lng);
}

static void
dump_num(FILE *f, const char *lng, long long v, long long def)
{
	if (v != def)
		fprintf(f, "--%s=%lld\n", lng, v);
}

static void
dump_mode(FILE *f, const char *lng, enum prefs_mode m)
{
	if (m != PREFS_MODE_NONE)
		fprintf(f, "--%s=%s\n", lng, mode_name(m));
}

static void
dump_nets(FILE *f, const char *lng, const struct netlist *l)
{
	size_t i;

	if (l->n == 1 && strcmp(l->v[0].name, DEF_LOCAL_NETS) == 0)
		return;
	fprintf(f, "--%s=", lng);
	for (i = 0; i < l->n; i++)
		fprintf(f, "%s%s", i ? "," : "", l->v[i].name);
	fputc('\n', f);
}

/*
 * One line per option that differs from its default, in table order, so
 * that the output is stable and is itself a valid configuration file.
 */
void
prefs_dump(const struct prefs *p, FILE *f)
{
	size_t i;
	int k;

	for (i = 0; i < OPT_COUNT; i++) {
		const struct opt_def *o = &opt_table[i];
		const char *l = o->lng;

		if (!o->help)
			continue;
		switch (o->id) {
		case O_INTERFACE:
			for (k = 0; k < p->n_ifaces; k++)
				fprintf(f, "--%s=%s\n", l, p->ifaces[k]);
			break;
		case O_PACKET_FILTER:
			dump_str(f, l, p->packet_filter, NULL);
			break;
		case O_DNS_MODE:
			dump_num(f, l, p->dns_mode, 0);
			break;
		case O_NDPI_PROTOS:
			dump_str(f, l, p->ndpi_protos_file, NULL);
			break;
		case O_HW_TS:
			dump_str(f, l, p->hw_timestamp_mode, NULL);
			break;
		case O_HTTP_PORT:
			if (p->http_addr || p->http_port != DEF_HTTP_PORT)
				dump_hostport(f, l, p->http_addr, p->http_port);
			break;
		case O_HTTPS_PORT:
			if (p->https_addr || p->https_port != -1)
				dump_hostport(f, l, p->https_addr,
					      p->https_port);
			break;
		case O_HTTPDOCS:
			dump_str(f, l, p->httpdocs_dir, DEF_HTTPDOCS);
			break;
		case O_SCRIPTS:
			dump_str(f, l, p->scripts_dir, DEF_SCRIPTS);
			break;
		case O_CALLBACKS:
			dump_str(f, l, p->callbacks_dir, DEF_CALLBACKS);
			break;
		case O_DISABLE_LOGIN:
			if (p->disable_login >= 0)
				fprintf(f, "--%s=%d\n", l, p->disable_login);
			break;
		case O_NO_AUTOLOGOUT:
			dump_flag(f, l, p->disable_autologout);
			break;
		case O_HTTP_401:
			dump_flag(f, l, p->http_401);
			break;
		case O_HTTP_ORIGINS:
			dump_str(f, l, p->http_allowed_origins, NULL);
			break;
		case O_HTTP_HOSTS:
			dump_str(f, l, p->http_allowed_hosts, NULL);
			break;
		case O_USERS_FILE:
			dump_str(f, l, p->users_file, NULL);
			break;
		case O_LOCAL_NETS:
			dump_nets(f, l, &p->local_nets);
			break;
		case O_MAX_FLOWS:
			dump_num(f, l, p->max_num_flows, DEF_MAX_FLOWS);
			break;
		case O_MAX_HOSTS:
			dump_num(f, l, p->max_num_hosts, DEF_MAX_HOSTS);
			break;
		case O_STICKY_HOSTS:
			dump_mode(f, l, p->sticky_hosts);
			break;
		case O_DATA_DIR:
			dump_str(f, l, p->data_dir, DEF_DATA_DIR);
			break;
		case O_REDIS:
			dump_str(f, l, p->redis, DEF_REDIS);
			break;
		case O_NO_PERSIST:
			dump_flag(f, l, p->disable_host_persistence);
			break;
		case O_DUMP_FLOWS:
			dump_flag(f, l, p->dump_flows);
			break;
		case O_DUMP_HOSTS:
			dump_mode(f, l, p->dump_hosts);
			break;
		case O_DUMP_AGGR:
			dump_mode(f, l, p->dump_aggregations);
			break;
		case O_AGGREGATIONS:
			dump_num(f, l, p->aggregations, 0);
			break;
		case O_DUMP_TIMELINE:
			dump_flag(f, l, p->dump_timeline);
			break;
		case O_EXPORT_FLOWS:
			for (k = 0; k < p->n_export_endpoints; k++)
				fprintf(f, "--%s=%s\n", l,
					p->export_endpoints[k]);
			break;
		case O_JSON_LABELS:
			dump_flag(f, l, p->json_labels);
			break;
		case O_NODE_ID:
			dump_str(f, l, p->node_id, NULL);
			break;
		case O_EXPORT_INTERVAL:
			dump_num(f, l, p->export_interval, DEF_EXPORT_INTERVAL);
			break;
		case O_ZMQ_ENC:
			dump_flag(f, l, p->zmq_encryption);
			break;
		case O_ZMQ_KEY_PRIV:
			dump_str(f, l, p->zmq_encryption_key_priv, NULL);
			break;
		case O_ZMQ_KEY:
			dump_str(f, l, p->zmq_encryption_key, NULL);
			break;
		case O_ZMQ_ALLOWED_KEYS:
			dump_str(f, l, p->zmq_allowed_keys, NULL);
			break;
		case O_DAEMON:
			dump_flag(f, l, p->daemonize);
			break;
		case O_USER:
			dump_str(f, l, p->user, DEF_USER);
			break;
		case O_DONT_CHANGE_USER:
			dump_flag(f, l, p->dont_change_user);
			break;
		case O_PID:
			dump_str(f, l, p->pid_file, NULL);
			break;
		case O_CORE_AFFINITY:
			dump_num(f, l, p->core_affinity, -1);
			break;
		case O_SHUTDOWN_DONE:
			dump_flag(f, l, p->shutdown_when_done);
			break;
		case O_VERBOSE:
			for (k = 0; k < p->verbose; k++)
				fprintf(f, "--%s\n", l);
			break;
		case O_CATEG_KEY:
			dump_str(f, l, p->categorization_key, NULL);
			break;
		case O_HTTPBL_KEY:
			dump_str(f, l, p->httpbl_key, NULL);
			break;
		case O_NO_ALERTS:
			dump_flag(f, l, p->disable_alerts);
			break;
		case O_VERSION:
		case O_HELP:
		case O_DUMP_OPTIONS:
		case O__COUNT:
			break;
		}
	}
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
			fprintf(f, " | %s |\n", o->implemented ? "yes" :
				"not implemented yet");
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
