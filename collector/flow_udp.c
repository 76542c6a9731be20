/*
 * flow_udp.c - the UDP flow collector source: `-i netflow://[addr]:port`
 * or `-i sflow://[addr]:port`.  One socket takes NetFlow v5/v9, IPFIX and
 * sFlow v5 alike (the decoders tell them apart by the version field, see
 * flowdec.c); the scheme only chooses the default port (2055 / 6343).
 *
 * Endpoint forms:  netflow://[2001:db8::1]:2055   netflow://10.0.0.1:2055
 *   netflow://:2055 and netflow://2055 (any address, port 2055)
 *   netflow:// (any address, default port)        sflow://[::]:6343
 * "Any address" is an IPv6 socket with IPV6_V6ONLY off, so IPv4 exporters
 * arrive too (as ::ffff:a.b.c.d, turned back into IPv4 addresses); where
 * IPv6 is unavailable it falls back to 0.0.0.0.
 *
 * Reading: the owner thread polls fd() and calls read(), which drains the
 * socket with recvfrom(MSG_DONTWAIT) until EAGAIN or until the budget (in
 * records) is spent.  Flow records go to iface_flow_update(); sFlow raw
 * headers go through capture_decode() and iface_packet() with pkt.scale =
 * the sampling rate, so nDPI sees the sampled packets.  The receive buffer
 * is asked for 8 MB (best effort; the kernel caps it at rmem_max).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <jansson.h>

#include "capture/decode.h"
#include "collector/collector.h"
#include "collector/flowdec.h"
#include "common/log.h"
#include "merge/source.h"

#define FLOW_UDP_RCVBUF (8 * 1024 * 1024)
#define FLOW_UDP_MAXDGRAM 65536

struct flow_udp {
	int fd;
	struct ipaddr bind_addr; /* v = 0: any */
	uint16_t port;
	int rcvbuf; /* what the kernel granted */
	struct flowdec dec;
	struct decoder pktdec;	    /* for sFlow raw headers */
	const struct rec_sink *out; /* set while read() runs */
	uint64_t recv_errors;
	uint64_t sampled_bad;	   /* sFlow headers the decoder refused */
	struct ratelimit trace_rl; /* -vv: per-datagram lines */
	uint8_t buf[FLOW_UDP_MAXDGRAM];
};

int
collector_is_udp(const char *spec)
{
	return strncmp(spec, "netflow://", 10) == 0 ||
	       strncmp(spec, "sflow://", 8) == 0;
}

/* ---- sink: decoders -> interface tables ---- */

static int
flow_udp_sink_flow(void *arg, const struct flow_update *u)
{
	struct flow_udp *fu = arg;

	return fu->out->on_flow(fu->out->ctx, u);
}

static void
flow_udp_sink_packet(void *arg, const struct flowdec_packet *p)
{
	struct flow_udp *fu = arg;
	struct pkt pk;
	int r;

	r = (int)capture_decode(&fu->pktdec, p->dlt, p->ts_ms * 1000,
				p->frame_len, p->data, p->caplen, &pk);
	if (r == DECODE_BAD)
		fu->sampled_bad++;
	pk.scale = p->scale;
	if (p->exporter != NULL)
		pk.exporter = *p->exporter;
	pk.in_ifindex = p->in_ifindex;
	pk.out_ifindex = p->out_ifindex;
	fu->out->on_packet(fu->out->ctx, &pk, r);
}

/* ---- source callbacks ---- */

static int
flow_udp_fd(struct source *s)
{
	struct flow_udp *fu = s->priv;

	return fu->fd;
}

static uint64_t
wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

static void
sockaddr_to_ipaddr(const struct sockaddr_storage *ss, struct ipaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		ipaddr_set4(a, (const uint8_t *)&s4->sin_addr);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		const uint8_t *b = s6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			ipaddr_set4(a, b + 12);
		else
			ipaddr_set6(a, b);
	}
}

static int
flow_udp_read(struct source *s, const struct rec_sink *out, int budget)
{
	struct flow_udp *fu = s->priv;
	struct flowdec_sink sink = { flow_udp_sink_flow, flow_udp_sink_packet,
				     fu };
	int done = 0;

	fu->out = out;
	while (done < budget) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct ipaddr from;
		ssize_t n;
		int r;

		n = recvfrom(fu->fd, fu->buf, sizeof(fu->buf), MSG_DONTWAIT,
			     (struct sockaddr *)&ss, &sl);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR) {
				fu->recv_errors++;
				s->errors++;
			}
			break;
		}
		sockaddr_to_ipaddr(&ss, &from);
		s->bytes += (uint64_t)n;
		r = flowdec_datagram(&fu->dec, &from, fu->buf, (size_t)n,
				     wall_ms(), &sink);
		if (log_enabled(NLOG_TRACE) && ratelimit_ok(&fu->trace_rl)) {
			char a[IPADDR_STRLEN];

			ipaddr_fmt(&from, a, sizeof(a));
			log_trace("%s: datagram of %zd bytes from %s: %s%d "
				  "record(s)",
				  s->spec, n, a, r < 0 ? "refused, " : "",
				  r < 0 ? 0 : r);
		}
		if (r < 0) {
			s->errors++;
			r = 0;
		}
		s->records += (uint64_t)r;
		/* at least one per datagram so that a flood of empty ones
		 * still yields to the mailbox */
		done += r > 0 ? r : 1;
	}
	fu->out = NULL;
	return done;
}

static void
flow_udp_stats(struct source *s, struct source_tick *t)
{
	struct flow_udp *fu = s->priv;

	(void)t;
	flowdec_expire(&fu->dec, wall_ms());
}

static void
flow_udp_describe(struct source *s, struct json_t *obj)
{
	struct flow_udp *fu = s->priv;
	char ip[IPADDR_STRLEN];

	json_object_set_new(obj, "type", json_string("flow_udp"));
	if (fu->bind_addr.v)
		ipaddr_fmt(&fu->bind_addr, ip, sizeof(ip));
	else
		snprintf(ip, sizeof(ip), "*");
	json_object_set_new(obj, "listen_address", json_string(ip));
	json_object_set_new(obj, "listen_port", json_integer(fu->port));
	json_object_set_new(obj, "rcvbuf", json_integer(fu->rcvbuf));
	json_object_set_new(obj, "recv_errors",
			    json_integer((json_int_t)fu->recv_errors));
	json_object_set_new(obj, "sampled_headers_bad",
			    json_integer((json_int_t)fu->sampled_bad));
	flowdec_describe(&fu->dec, obj);
}

static void
flow_udp_free(struct source *s)
{
	struct flow_udp *fu = s->priv;

	if (fu != NULL) {
		if (fu->fd >= 0)
			close(fu->fd);
		flowdec_fini(&fu->dec);
		free(fu);
	}
	free(s->spec);
	free(s);
}

/* Opens and binds the socket; returns the fd or -1 (errno set). */
static int
flow_udp_socket(const struct ipaddr *a, uint16_t port, int *rcvbuf)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1, zero = 0, want = FLOW_UDP_RCVBUF, e;
	socklen_t ol = sizeof(*rcvbuf);

	memset(&ss, 0, sizeof(ss));
	if (a->v == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->a, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (a->v == 6)
			memcpy(&s6->sin6_addr, a->a, 16);
		else
			s6->sin6_addr = in6addr_any;
		sl = sizeof(*s6);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->v == 0)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
				 sizeof(zero));
	/* best effort: SO_RCVBUFFORCE works as root past rmem_max */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) !=
	    0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want,
				 sizeof(want));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf, &ol) != 0)
		*rcvbuf = 0;
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Binds the source's socket (any address: IPv6 with IPv4 mapped, else
 * 0.0.0.0); the fd or -1 with errno set. */
static int
flow_udp_bind(struct flow_udp *fu)
{
	struct ipaddr any;
	int fd = flow_udp_socket(&fu->bind_addr, fu->port, &fu->rcvbuf);

	if (fd < 0 && fu->bind_addr.v == 0 && errno == EAFNOSUPPORT) {
		memset(&any, 0, sizeof(any));
		any.v = 4;
		fd = flow_udp_socket(&any, fu->port, &fu->rcvbuf);
	}
	return fd;
}

/* Disabled interface: the port is given back; the decoder keeps its
 * templates and counters. */
static void
flow_udp_suspend(struct source *s)
{
	struct flow_udp *fu = s->priv;

	if (fu->fd >= 0)
		close(fu->fd);
	fu->fd = -1;
	log_info("-i %s: UDP port %u closed", s->spec, fu->port);
}

static int
flow_udp_resume(struct source *s, char *err, size_t errlen)
{
	struct flow_udp *fu = s->priv;

	if (fu->fd < 0)
		fu->fd = flow_udp_bind(fu);
	if (fu->fd < 0) {
		snprintf(err, errlen, "-i %s: cannot listen on UDP port %u: %s",
			 s->spec, fu->port, strerror(errno));
		return -1;
	}
	log_info("-i %s: collecting on UDP port %u again", s->spec, fu->port);
	return 0;
}

struct source *
collector_udp_open(const char *spec, const struct prefs *p)
{
	struct source *s;
	struct flow_udp *fu;
	int sflow = strncmp(spec, "sflow://", 8) == 0;
	const char *rest = spec + (sflow ? 8 : 10);

	(void)p;
	s = calloc(1, sizeof(*s));
	fu = calloc(1, sizeof(*fu));
	if (fu != NULL)
		fu->trace_rl.burst = 10;
	if (s == NULL || fu == NULL || flowdec_init(&fu->dec) != 0) {
		log_err("-i %s: out of memory", spec);
		goto fail;
	}
	fu->fd = -1;
	if (collector_udp_parse(rest, sflow ? 6343 : 2055, &fu->bind_addr,
				&fu->port) != 0) {
		log_err("-i %s: bad endpoint (netflow://[addr]:port, "
			"netflow://addr:port, netflow://:port or sflow://...)",
			spec);
		goto fail;
	}
	fu->fd = flow_udp_bind(fu);
	if (fu->fd < 0) {
		log_err("-i %s: cannot listen on UDP port %u: %s", spec,
			fu->port, strerror(errno));
		goto fail;
	}
	decoder_init(&fu->pktdec);
	s->kind = &collector_udp_kind;
	s->state = SOURCE_ACTIVE;
	s->spec = strdup(spec);
	s->fd = flow_udp_fd;
	s->read = flow_udp_read;
	s->stats = flow_udp_stats;
	s->free = flow_udp_free;
	s->describe = flow_udp_describe;
	s->suspend = flow_udp_suspend;
	s->resume = flow_udp_resume;
	s->priv = fu;
	log_info("-i %s: collecting NetFlow/IPFIX/sFlow on UDP port %u "
		 "(receive buffer %d bytes)",
		 spec, fu->port, fu->rcvbuf);
	return s;
fail:
	if (fu != NULL) {
		flowdec_fini(&fu->dec);
		free(fu);
	}
	free(s);
	return NULL;
}

const struct source_kind collector_udp_kind = {
	.name = "flow_udp",
	.match = collector_is_udp,
	.open = collector_udp_open,
};
