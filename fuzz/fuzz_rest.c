/*
 * fuzz_rest.c - libFuzzer target for the REST parameters (webui/rest.c):
 * the table of name/value pairs, the JSON body merged over it, the strict
 * readers of each handler and the answer's envelope.
 *
 * Input layout (tests/corpus/rest/ holds examples):
 *   byte 0          picks the endpoint (modulo the table below);
 *   bytes 1..       the query string "a=1&b=x%20y", up to the first '\n';
 *   after the '\n'  a request body, given to rest_params_merge_json() as
 *                   httpd.c does when it starts with '{', else to
 *                   rest_params_merge_form() (a POST form).
 * The query string is cut and %-decoded here the way libmicrohttpd hands
 * it to httpd.c (NUL-terminated strings: a decoded %00 ends the value).
 * One interface (ifid 0) is set up at the first input, with hosts and
 * flows from a few packets (IPv4 and IPv6, TCP, UDP and ICMP, VLANs 0 and
 * 7) and its owner thread running, so the handlers' queries, paging,
 * sorting and reshaping run on real tables as in the node.
 * Build: make fuzz (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "capture/decode.h"
#include "dpi/dpi.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/prefs.h"
#include "merge/iface.h"
#include "state/auth.h"
#include "webui/rest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const urls[] = {
	"/lua/rest/version.lua",
	"/lua/rest/v2/connect/test.lua",
	"/lua/rest/v2/get/ntopng/interfaces.lua",
	"/lua/rest/v2/get/interface/data.lua",
	"/lua/rest/v2/get/interface/address.lua",
	"/lua/rest/v2/get/interface/sources.lua",
	"/lua/rest/v2/get/interface/origins.lua",
	"/lua/rest/v2/get/interface/l7/stats.lua",
	"/lua/rest/v2/get/interface/l7/data.lua",
	"/lua/rest/v2/get/host/active.lua",
	"/lua/rest/v1/get/host/data.lua",
	"/lua/rest/v2/get/host/custom_data.lua",
	"/lua/rest/v2/get/host/interfaces.lua",
	"/lua/rest/v2/get/host/l7/stats.lua",
	"/lua/rest/v2/get/flow/active.lua",
	"/lua/rest/v2/get/timeseries/ts.lua",
	"/lua/rest/v2/set/interface/historical.lua",
	"/lua/rest/v2/no/such/endpoint.lua",
};

static struct prefs fuzz_prefs;
static struct iface *fuzz_ifc;
/* the handlers run as an administrator: every route's code is reached */
static const struct auth_user fuzz_admin = { .name = "admin", .admin = 1 };

static void
add_packet(const char *src, uint16_t sport, const char *dst, uint16_t dport,
	   uint8_t proto, uint16_t vlan, uint32_t len, uint64_t ts_ms)
{
	struct pkt p;

	memset(&p, 0, sizeof(p));
	if (ipaddr_parse(&p.src, src) != 0 || ipaddr_parse(&p.dst, dst) != 0)
		abort();
	p.ip_version = strchr(src, ':') ? 6 : 4;
	p.l4_proto = proto;
	p.sport = sport;
	p.dport = dport;
	p.ports_known = proto != 1;
	p.tcp_flags = proto == 6 ? 0x18 : 0;
	p.vlan = vlan;
	p.wire_len = len;
	p.cap_len = len;
	p.ts_us = ts_ms * 1000;
	iface_packet(fuzz_ifc, &p, DECODE_IP);
}

/* ifid 0 with a few hosts and flows, served by its owner thread. */
static void
setup_iface(void)
{
	static struct iface *list[1];
	uint64_t now = (uint64_t)time(NULL) * 1000;
	int i;

	memset(&fuzz_prefs, 0, sizeof(fuzz_prefs));
	netlist_init(&fuzz_prefs.local_nets);
	netlist_add(&fuzz_prefs.local_nets, "192.168.1.0/24", NULL, 0);
	fuzz_prefs.max_num_flows = 1000;
	fuzz_prefs.max_num_hosts = 1000;
	fuzz_ifc = iface_new_detached("fuzz", &fuzz_prefs);
	if (fuzz_ifc == NULL)
		abort();
	for (i = 0; i < 4; i++) {
		add_packet("192.168.1.10", (uint16_t)(5000 + i), "203.0.113.5",
			   53, 17, 0, 100 + (uint32_t)i, now + (uint64_t)i);
		add_packet("203.0.113.5", 53, "192.168.1.10",
			   (uint16_t)(5000 + i), 17, 0, 300, now + (uint64_t)i);
	}
	add_packet("192.168.1.11", 40000, "198.51.100.7", 443, 6, 7, 1500, now);
	add_packet("198.51.100.7", 443, "192.168.1.11", 40000, 6, 7, 60, now);
	add_packet("fe80::1", 546, "ff02::1:2", 547, 17, 0, 120, now);
	add_packet("2001:db8::1", 0, "2001:db8::2", 0, 1, 0, 84, now);
	/* iface_start() sets up nDPI and the L7 totals afresh (as
	 * tests/unit/test_tables.c does, drop the detached ones) */
	iface_detached_drop_dpi(fuzz_ifc);
	if (iface_start(fuzz_ifc) != 0)
		abort();
	list[0] = fuzz_ifc;
	node_ifaces = list;
	node_n_ifaces = 1;
}

/* %-decodes s[0..n) into a heap string ('+' is a space), cut at a NUL. */
static char *
unescape(const uint8_t *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < n &&
		    (hi = hex_val(s[i + 1])) >= 0 && (lo = hex_val(s[i + 2])) >= 0) {
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i] == '+' ? ' ' : (char)s[i];
		}
	}
	out[o] = '\0';
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rest_params p;
	const uint8_t *q, *nl, *end;
	char *body = NULL;
	int status = 0;

	/* written once: fuzz_rest's owner thread reads it (and so do the
	 * other targets' inputs, replayed in one process by
	 * tests/unit/test_fuzz_corpus.c) */
	if (log_verbosity != -1)
		log_verbosity = -1;
	if (fuzz_ifc == NULL)
		setup_iface();
	if (size < 1 || size > 65536)
		return 0;
	rest_params_init(&p);
	q = data + 1;
	end = data + size;
	nl = memchr(q, '\n', (size_t)(end - q));
	if (nl == NULL)
		nl = end;
	while (q < nl) {
		const uint8_t *amp = memchr(q, '&', (size_t)(nl - q));
		const uint8_t *stop = amp ? amp : nl;
		const uint8_t *eq = memchr(q, '=', (size_t)(stop - q));
		char *k = unescape(q, (size_t)((eq ? eq : stop) - q));
		char *v = eq ? unescape(eq + 1, (size_t)(stop - eq - 1)) : NULL;

		if (k != NULL && *k != '\0')
			rest_params_set(&p, k, v ? v : "");
		free(k);
		free(v);
		q = amp ? amp + 1 : nl;
	}
	if (nl < end) {
		size_t blen = (size_t)(end - nl - 1);
		/* the body as httpd.c keeps it: NUL-terminated, exact size */
		char *b = malloc(blen + 1);

		if (b != NULL) {
			memcpy(b, nl + 1, blen);
			b[blen] = '\0';
			if (blen && b[0] == '{')
				rest_params_merge_json(&p, b, blen);
			else /* a form body (httpd.c: by Content-Type) */
				rest_params_merge_form(&p, b, blen);
			free(b);
		}
	}
	if (rest_handle(urls[data[0] % (sizeof(urls) / sizeof(urls[0]))], &p,
			&fuzz_admin, &status, &body) == 0 && body != NULL) {
		/* every answer has a status a client can act on */
		if (status < 200 || status > 599)
			abort();
	}
	free(body);
	rest_params_fini(&p);
	return 0;
}
