/*
 * zmq_source.c - ZMQ subscriber sources: one XSUB socket per endpoint,
 * read by the interface's owner thread, decoded by zmq_decode.c into
 * the interface's record sink (merge/record.h).
 *
 * Endpoints (-i, comma lists are split by merge/iface.c):
 *   tcp://host:port      SUB connects (the probe binds; "probe mode")
 *   tcp://addr:portc     trailing 'c' after the port: collector mode,
 *                        SUB binds (e.g. tcp://ANY:5556c with ANY =
 *                        "*"); probes connect to us
 *   ipc://path           the same over a Unix socket, taken whole (a
 *                        path has no port to put the flag after), except
 *                        "NAME.ipcc": collector mode on NAME.ipc
 *   zmq://...            rewritten to tcp://
 * Unlike ntopng the 'c' is not sticky across a comma list: each endpoint
 * says for itself.  Reconnection is libzmq's (every 100 ms).  We subscribe
 * to everything ("" prefix) and count the topics we do not read.
 *
 * Sockets: one libzmq context per process, created lazily under a
 * pthread_once.  A socket is created, configured and bound/connected by
 * the main thread in collector_zmq_open(); from iface_start() on it is
 * used only by the interface's owner thread (ownership moves once, and
 * pthread_create is the memory barrier libzmq asks for).
 *
 * Reading: the owner polls ZMQ_FD, which is edge-triggered: it signals
 * "something changed", not "a message is ready".  So read() drains with
 * ZMQ_DONTWAIT until EAGAIN or the budget, consuming every frame of each
 * message (ZMQ_RCVMORE), and before returning asks ZMQ_EVENTS: if a
 * message is still pending (budget used up, or one arrived meanwhile) it
 * returns > 0 so that the owner does not go to sleep on the fd.
 *
 * CurveZMQ (--zmq-encryption, zmq-wire.md §8): every collector socket is
 * a CURVE server.  The key pair is --zmq-encryption-key-priv (Z85, 40
 * chars; the public key is derived), else <data dir>/zmq-key.priv and
 * zmq-key.pub, generated once with zmq_curve_keypair (secret file mode
 * 0600) and read back on later starts.  The public key is logged at start
 * and shown by get/interface/data.lua ("zmq.curve_public_key", Z85, and
 * "zmq.curve_public_key_hex", ntopng's 80-hex-digit form).
 * Beyond upstream, --zmq-allowed-keys <file> (one Z85 client public key
 * per line, '#' comments) starts a ZAP handler thread on
 * inproc://zeromq.zap.01 that accepts only those keys: other probes fail
 * the handshake and are counted ("zap_refused").
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <zmq.h>

#include "collector/collector.h"
#include "collector/flowq.h"
#include "collector/zmq_reliable.h"
#include "collector/zmqc.h"
#include "common/cpus.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/prefs.h"
#include "merge/source.h"

#define ZMQ_RCVHWM_MSGS 100000
/* with --max-memory: the queue a node that falls behind keeps is part of
 * its memory too (100,000 messages of up to a few kB each would be
 * hundreds of MB): ZMQ's default, and the sender waits or drops (counted
 * from the msg_id gaps) instead (docs/memory.md) */
#define ZMQ_RCVHWM_MSGS_BUDGET 1000
#define ZMQ_RCVBUF_BYTES (8 << 20)
#define ZAP_MAX_KEYS 1024

struct zmq_src {
	void *sock;
	int bind; /* collector mode */
	int curve;
	int rcvhwm;	    /* ZMQ_RCVHWM_MSGS, or _BUDGET under --max-memory */
	char endpoint[256]; /* as given to zmq_bind/connect */
	char snap_topic[16]; /* "snap.<10 hex digits>": our snapshots */
	struct zmqc_decoder dec;
	struct ratelimit trace_rl; /* -vv: per-message lines */
	struct zrel *rel;	   /* reliable senders (zmq_reliable.c) */
	/* --workers > 1: the reader thread (docs/threads.md, zmq-reader),
	 * started by the first read().  While it runs it owns the socket,
	 * and `dlock` guards the decoder, `rel` and the batch being filled:
	 * the reader holds it while it takes one message, the owner from
	 * hold() to release() and to count what the interface refused. */
	int use_reader;
	int rd_running; /* the owner's: the thread exists */
	int rd_stop;	/* atomic: set by the owner to stop it */
	int held;	/* the owner holds dlock (hold() .. release()) */
	int wake_efd;	/* wakes the reader's poll: to stop, to sync */
	uint64_t sync_req, sync_done; /* atomics: hold()'s requests, answered */
	pthread_t rd_thread;
	pthread_mutex_t dlock;
	struct flowq q;
	const struct rec_sink *sink; /* the owner's, from the first read() */
};

/* ---- process-wide state: context, CURVE keys, ZAP ---- */

static void *zctx;
static pthread_once_t zctx_once = PTHREAD_ONCE_INIT;

static struct {
	int ready; /* 1 keys loaded, -1 failed */
	char pub[41], sec[41];
} curve;

static struct {
	int on;
	uint8_t (*keys)[32];
	int n;
	uint64_t accepted, refused; /* atomics: written by the ZAP thread */
	char last_refused[41];	    /* Z85 of the last refused key */
	pthread_mutex_t lock;	    /* last_refused */
} zap = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
zctx_create(void)
{
	zctx = zmq_ctx_new();
}

static void *
zctx_get(void)
{
	pthread_once(&zctx_once, zctx_create);
	return zctx;
}

static int
z85_key_ok(const char *k)
{
	uint8_t bin[32];

	return strlen(k) == 40 && zmq_z85_decode(bin, k) != NULL;
}

/* Reads a 40-char Z85 key (first line of a file) into out[41]. */
static int
key_file_read(const char *path, char out[41])
{
	char line[128];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return -1;
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (!z85_key_ok(line))
		return -1;
	memcpy(out, line, 41);
	return 0;
}

static int
key_file_write(const char *path, const char *key, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	char line[64];
	int n;

	if (fd < 0)
		return -1;
	n = snprintf(line, sizeof(line), "%s\n", key);
	if (write(fd, line, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Loads or creates the server key pair (main thread, once). */
static int
curve_keys_load(const struct prefs *p)
{
	char pub_path[4200], sec_path[4200];
	const char *dir = p->data_dir ? p->data_dir : "/var/tmp/ntopng";

	if (curve.ready)
		return curve.ready > 0 ? 0 : -1;
	curve.ready = -1;
	if (p->zmq_encryption_key_priv != NULL) {
		if (!z85_key_ok(p->zmq_encryption_key_priv)) {
			log_err("--zmq-encryption-key-priv: not a 40-character "
				"Z85 key");
			return -1;
		}
		memcpy(curve.sec, p->zmq_encryption_key_priv, 41);
		if (zmq_curve_public(curve.pub, curve.sec) != 0) {
			log_err("--zmq-encryption-key-priv: %s",
				zmq_strerror(errno));
			return -1;
		}
	} else {
		snprintf(pub_path, sizeof(pub_path), "%s/zmq-key.pub", dir);
		snprintf(sec_path, sizeof(sec_path), "%s/zmq-key.priv", dir);
		if (key_file_read(sec_path, curve.sec) == 0) {
			if (zmq_curve_public(curve.pub, curve.sec) != 0) {
				log_err("%s: unusable key", sec_path);
				return -1;
			}
		} else {
			if (fs_mkdir_p(dir) != 0) {
				log_err("-d %s: cannot create: %s", dir,
					strerror(errno));
				return -1;
			}
			if (zmq_curve_keypair(curve.pub, curve.sec) != 0) {
				log_err("zmq_curve_keypair: %s (libzmq without "
					"CURVE?)",
					zmq_strerror(errno));
				return -1;
			}
			if (key_file_write(sec_path, curve.sec, 0600) != 0 ||
			    key_file_write(pub_path, curve.pub, 0644) != 0) {
				log_err("%s: cannot write the key pair: %s",
					dir, strerror(errno));
				return -1;
			}
			log_info("ZMQ CURVE: new key pair in %s", sec_path);
		}
	}
	curve.ready = 1;
	log_info(
		"ZMQ CURVE server public key: %s (probes: --zmq-encryption-key "
		"'%s')",
		curve.pub, curve.pub);
	return 0;
}

static int
zap_key_allowed(const uint8_t *k)
{
	for (int i = 0; i < zap.n; i++)
		if (memcmp(zap.keys[i], k, 32) == 0)
			return 1;
	return 0;
}

static int
zap_send(void *s, const char *str, int more)
{
	return zmq_send(s, str, strlen(str), more ? ZMQ_SNDMORE : 0);
}

/*
 * The ZAP handler (RFC 27): requests are
 *   version "1.0" | request id | domain | address | identity |
 *   mechanism | credentials...
 * and for CURVE the one credential is the client's 32-byte public key.
 * Replies: version | request id | status "200"/"400" | text | user | meta.
 */
static void *
zap_thread(void *arg)
{
	void *s = arg;

	log_set_role("zap");
	for (;;) {
		zmq_msg_t f[8];
		int n = 0, more = 1, ok = 0;

		while (more) {
			zmq_msg_t *m = &f[n < 7 ? n : 7];

			if (n >= 7)
				zmq_msg_close(m);
			zmq_msg_init(m);
			if (zmq_msg_recv(m, s, 0) < 0) {
				zmq_msg_close(m);
				if (errno == ETERM) {
					for (int i = 0; i < (n < 7 ? n : 7);
					     i++)
						zmq_msg_close(&f[i]);
					zmq_close(s);
					return NULL;
				}
				more = 0;
				break;
			}
			more = zmq_msg_more(m);
			if (n < 7)
				n++;
		}
		if (n < 6) {
			for (int i = 0; i < n; i++)
				zmq_msg_close(&f[i]);
			continue;
		}
		if (zmq_msg_size(&f[5]) == 5 &&
		    !memcmp(zmq_msg_data(&f[5]), "CURVE", 5) && n >= 7 &&
		    zmq_msg_size(&f[6]) == 32)
			ok = zap_key_allowed(zmq_msg_data(&f[6]));
		if (ok) {
			__atomic_add_fetch(&zap.accepted, 1, __ATOMIC_RELAXED);
		} else {
			char z85[41] = "";

			__atomic_add_fetch(&zap.refused, 1, __ATOMIC_RELAXED);
			if (n >= 7 && zmq_msg_size(&f[6]) == 32)
				zmq_z85_encode(z85, zmq_msg_data(&f[6]), 32);
			pthread_mutex_lock(&zap.lock);
			memcpy(zap.last_refused, z85, sizeof(z85));
			pthread_mutex_unlock(&zap.lock);
			log_warn("ZMQ: refused a probe whose key is not "
				 "allowed: "
				 "%s",
				 z85[0] ? z85 : "(no CURVE key)");
		}
		zap_send(s, "1.0", 1);
		zmq_send(s, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]),
			 ZMQ_SNDMORE);
		zap_send(s, ok ? "200" : "400", 1);
		zap_send(s, ok ? "OK" : "key not allowed", 1);
		zap_send(s, "", 1);
		zap_send(s, "", 0);
		for (int i = 0; i < n; i++)
			zmq_msg_close(&f[i]);
	}
}

/* Loads the allow-list and starts the ZAP thread (main thread, once). */
static int
zap_start(const char *path)
{
	static int started;
	char line[256];
	FILE *f;
	void *s;
	pthread_t t;
	int lineno = 0;

	if (started)
		return started > 0 ? 0 : -1;
	started = -1;
	f = fopen(path, "r");
	if (f == NULL) {
		log_err("--zmq-allowed-keys %s: %s", path, strerror(errno));
		return -1;
	}
	zap.keys = calloc(ZAP_MAX_KEYS, sizeof(*zap.keys));
	if (zap.keys == NULL) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *k = line, *e;

		lineno++;
		while (*k == ' ' || *k == '\t')
			k++;
		/* '#' is a Z85 digit: only a line that starts with it is a
		 * comment; after the key, a comment follows a blank */
		if (*k == '#')
			continue;
		e = k + strcspn(k, " \t\r\n");
		*e = '\0';
		if (*k == '\0')
			continue;
		if (!z85_key_ok(k) || zap.n == ZAP_MAX_KEYS) {
			log_err("--zmq-allowed-keys %s:%d: not a 40-character "
				"Z85 "
				"public key (or more than %d keys)",
				path, lineno, ZAP_MAX_KEYS);
			fclose(f);
			return -1;
		}
		zmq_z85_decode(zap.keys[zap.n++], k);
	}
	fclose(f);
	s = zmq_socket(zctx_get(), ZMQ_REP);
	if (s == NULL || zmq_bind(s, "inproc://zeromq.zap.01") != 0) {
		log_err("ZAP handler: %s", zmq_strerror(errno));
		if (s)
			zmq_close(s);
		return -1;
	}
	if (pthread_create(&t, NULL, zap_thread, s) != 0) {
		zmq_close(s);
		return -1;
	}
	pthread_detach(t);
	zap.on = 1;
	started = 1;
	log_info("ZMQ: %d allowed probe key(s) from %s", zap.n, path);
	return 0;
}

/* ---- the source ---- */

void
collector_zmq_liveness_opts(void *sock, const char *endpoint)
{
	int v;

	if (strncmp(endpoint, "tcp://", 6) == 0) {
		v = 1;
		zmq_setsockopt(sock, ZMQ_TCP_KEEPALIVE, &v, sizeof(v));
		v = 30;
		zmq_setsockopt(sock, ZMQ_TCP_KEEPALIVE_IDLE, &v, sizeof(v));
		v = 3;
		zmq_setsockopt(sock, ZMQ_TCP_KEEPALIVE_CNT, &v, sizeof(v));
		zmq_setsockopt(sock, ZMQ_TCP_KEEPALIVE_INTVL, &v, sizeof(v));
	}
	v = 5000;
	zmq_setsockopt(sock, ZMQ_HEARTBEAT_IVL, &v, sizeof(v));
	v = 30000;
	zmq_setsockopt(sock, ZMQ_HEARTBEAT_TIMEOUT, &v, sizeof(v));
	zmq_setsockopt(sock, ZMQ_HEARTBEAT_TTL, &v, sizeof(v));
}

/* "snap." and 10 random hex digits: this subscriber's private topic. */
static void
snap_nonce(char *out, size_t size)
{
	uint8_t r[5] = { 0 };
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, r, sizeof(r)) != (ssize_t)sizeof(r)) {
		uint64_t t = time_wall_ms() ^ ((uint64_t)getpid() << 20) ^
			     (uint64_t)(uintptr_t)out;

		memcpy(r, &t, sizeof(r));
	}
	if (fd >= 0)
		close(fd);
	snprintf(out, size, "snap.%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3],
		 r[4]);
}

int
collector_is_zmq(const char *spec)
{
	return strncmp(spec, "tcp://", 6) == 0 ||
	       strncmp(spec, "ipc://", 6) == 0 ||
	       strncmp(spec, "zmq://", 6) == 0 ||
	       strncmp(spec, "inproc://", 9) == 0;
}

/* The decoder emits only inside read(), which points it at the
 * interface's sink (no wrapper call per record); outside, a record would
 * have nowhere to go. */
static int
emit_nowhere(void *ctx, const struct flow_update *u)
{
	(void)ctx;
	(void)u;
	return -1;
}

/* The decoder pointed nowhere again (outside read(), or once its reader
 * is gone). */
static void
dec_unhook(struct zmq_src *zs)
{
	zs->dec.emit = emit_nowhere;
	zs->dec.emit_alert = NULL;
	zs->dec.emit_node_event = NULL;
	zs->dec.prefetch = NULL;
	zs->dec.emit_ctx = zs;
}

static void
src_sync_counters(struct source *s)
{
	struct zmq_src *zs = s->priv;
	uint64_t e = 0;

	for (int i = 1; i < ZMQC_ERR__COUNT; i++)
		e += zs->dec.st.errors[i];
	s->records = zs->dec.st.flows;
	s->bytes = zs->dec.st.bytes;
	s->errors = e;
}

static int
zmq_src_fd(struct source *s)
{
	struct zmq_src *zs = s->priv;
	int fd = -1;
	size_t len = sizeof(fd);

	if (zs->rd_running)
		return zs->q.efd; /* readable when a batch was published */
	if (zs->sock == NULL ||
	    zmq_getsockopt(zs->sock, ZMQ_FD, &fd, &len) != 0)
		return -1;
	return fd;
}

/*
 * -vv: what became of one message (flows taken, or the first cause it
 * was refused for), from the decoder's counters before and after it.
 * Rate-limited per source.
 */
static void
zmq_trace_msg(struct source *s, struct zmq_src *zs, size_t bytes, int frames,
	      uint64_t flows0, const uint64_t *err0)
{
	const char *cause = NULL;
	int i;

	for (i = 1; i < ZMQC_ERR__COUNT && cause == NULL; i++)
		if (zs->dec.st.errors[i] != err0[i])
			cause = zmqc_err_names[i];
	if (!ratelimit_ok(&zs->trace_rl))
		return;
	log_trace("zmq %s: message of %zu bytes in %d frame(s): %llu flow(s) "
		  "taken%s%s",
		  s->spec, bytes, frames,
		  (unsigned long long)(zs->dec.st.flows - flows0),
		  cause ? ", refused: " : "", cause ? cause : "");
}

/* Receives one message, if one waits, and decodes it (its records go
 * where zs->dec.emit points).  1 when a message was taken, else 0. */
static int
zmq_take_msg(struct source *s, struct zmq_src *zs, uint64_t now)
{
	uint64_t err0[ZMQC_ERR__COUNT], flows0 = 0;
	zmq_msg_t hdr, pay, extra;
	int frames = 1, have_pay = 0, verdict = ZREL_TAKE;
	uint8_t tr[ZREL_TRAILER_FIXED + ZREL_ID_MAX];
	size_t tlen = 0;

	zmq_msg_init(&hdr);
	if (zmq_msg_recv(&hdr, zs->sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&hdr);
		if (errno != EAGAIN && errno != EINTR)
			log_warn("zmq %s: receive: %s", s->spec,
				 zmq_strerror(errno));
		return 0;
	}
	zmq_msg_init(&pay);
	/* a multipart arrives whole: the rest is already there */
	if (zmq_msg_more(&hdr) && zmq_msg_recv(&pay, zs->sock, 0) >= 0) {
		int more = zmq_msg_more(&pay);

		frames++;
		have_pay = 1;
		while (more) {
			zmq_msg_init(&extra);
			if (zmq_msg_recv(&extra, zs->sock, 0) < 0) {
				zmq_msg_close(&extra);
				break;
			}
			frames++;
			more = zmq_msg_more(&extra);
			/* a reliable link's trailer (a third frame) */
			if (frames == 3 && !more &&
			    zrel_is_trailer(zmq_msg_data(&extra),
					    zmq_msg_size(&extra))) {
				tlen = zmq_msg_size(&extra);
				memcpy(tr, zmq_msg_data(&extra), tlen);
			}
			zmq_msg_close(&extra);
		}
	}
	if (log_enabled(NLOG_TRACE)) {
		memcpy(err0, zs->dec.st.errors, sizeof(err0));
		flows0 = zs->dec.st.flows;
	}
	if (tlen > 0) {
		struct zrel_origin *o;

		if (zs->rel == NULL)
			zs->rel = calloc(1, sizeof(*zs->rel));
		if (zs->rel != NULL)
			verdict = zrel_check(zs->rel, tr, tlen, now, &o);
		frames = 2;
	}
	if (verdict == ZREL_TAKE)
		zmqc_decode_msg(&zs->dec, zmq_msg_data(&hdr),
				zmq_msg_size(&hdr),
				have_pay ? zmq_msg_data(&pay) : NULL,
				have_pay ? zmq_msg_size(&pay) : 0, frames, now);
	if (log_enabled(NLOG_TRACE))
		zmq_trace_msg(s, zs,
			      zmq_msg_size(&hdr) +
				      (have_pay ? zmq_msg_size(&pay) : 0),
			      frames, flows0, err0);
	zmq_msg_close(&pay);
	zmq_msg_close(&hdr);
	return 1;
}

/* ---- --workers > 1: the reader thread ---- */

/* Which peer a queued record came from: its ledger slot and source_id
 * (the slot may be recycled before the owner looks). */
static uint64_t
rd_peer_tag(const struct zmq_src *zs)
{
	const struct zmqc_peer *p = zs->dec.emit_peer;

	if (p == NULL || p < zs->dec.peers ||
	    p >= zs->dec.peers + ZMQC_MAX_PEERS)
		return UINT64_MAX;
	return (uint64_t)p->source_id << 8 | (uint64_t)(p - zs->dec.peers);
}

/* The decoder's emit functions on the reader: into the queue. */
static int
rd_emit(void *ctx, const struct flow_update *u)
{
	struct zmq_src *zs = ctx;

	return flowq_add_flow(&zs->q, u, rd_peer_tag(zs));
}

static int
rd_emit_alert(void *ctx, const char *json, size_t len)
{
	struct zmq_src *zs = ctx;

	return flowq_add_alert(&zs->q, json, len, rd_peer_tag(zs));
}

static void
rd_emit_event(void *ctx, const struct node_event *ev)
{
	struct zmq_src *zs = ctx;

	(void)flowq_add_event(&zs->q, ev);
}

/* What the interface refused of a queued batch, counted as the decoder
 * counts it when it calls the interface itself (zmqc_rec_flush): the
 * record is not among the flows taken.  Owner, dlock held. */
static void
rd_refused(struct zmq_src *zs, uint64_t tag, int alert)
{
	struct zmqc_peer *p = NULL;
	uint64_t slot = tag & 0xff;

	if (tag != UINT64_MAX && slot < ZMQC_MAX_PEERS &&
	    zs->dec.peers[slot].used &&
	    zs->dec.peers[slot].source_id == (uint32_t)(tag >> 8))
		p = &zs->dec.peers[slot];
	if (alert) {
		zmqc_error(&zs->dec, p, ZMQC_ERR_JSON, "alert refused");
		return;
	}
	zs->dec.st.flows--;
	if (p != NULL)
		p->flows--;
	zmqc_error(&zs->dec, p, ZMQC_ERR_REFUSED,
		   "flow refused by the interface (table full?)");
}

static void
rd_refused_locked(struct zmq_src *zs, uint64_t tag, int alert)
{
	if (zs->held) {
		rd_refused(zs, tag, alert);
		return;
	}
	pthread_mutex_lock(&zs->dlock);
	rd_refused(zs, tag, alert);
	pthread_mutex_unlock(&zs->dlock);
}

/* Hands one queued batch to the interface (owner).  Returns its
 * records. */
static int
rd_apply(struct zmq_src *zs, const struct flowq_batch *b)
{
	const struct rec_sink *out = zs->sink;
	const struct flow_update *pf[ZMQC_BATCH];
	int i, j, m;

	switch (b->kind) {
	case FLOWQ_FLOWS:
		for (i = 0; i < b->n; i += m) {
			m = b->n - i < ZMQC_BATCH ? b->n - i : ZMQC_BATCH;
			if (out->on_prefetch != NULL) {
				for (j = 0; j < m; j++)
					pf[j] = &b->u[i + j];
				out->on_prefetch(out->ctx, pf, m);
			}
			for (j = 0; j < m; j++)
				if (out->on_flow(out->ctx, &b->u[i + j]) != 0)
					rd_refused_locked(zs, b->tag[i + j], 0);
		}
		return b->n;
	case FLOWQ_ALERT:
		if (out->on_alert != NULL &&
		    out->on_alert(out->ctx, b->alert, b->alert_len) != 0)
			rd_refused_locked(zs, b->tag[0], 1);
		return 1;
	case FLOWQ_EVENT:
		if (out->on_node_event != NULL)
			out->on_node_event(out->ctx, &b->ev);
		return 1;
	}
	return 0;
}

/* Applies every published batch (owner). */
static int
rd_apply_all(struct zmq_src *zs, int max)
{
	struct flowq_batch *b;
	int n = 0;

	while ((max <= 0 || n < max) && (b = flowq_pop(&zs->q)) != NULL) {
		n += rd_apply(zs, b);
		flowq_recycle(&zs->q, b);
	}
	return n;
}

/* Clears an eventfd (nonblocking). */
static void
efd_clear(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("eventfd: %s", strerror(errno));
}

static void
efd_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("eventfd: %s", strerror(errno));
}

/*
 * The reader.  When the socket has nothing, it tries again ZRD_SPINS
 * times (yielding the core) before it publishes a partial batch and
 * sleeps: a feed a little slower than decoding would otherwise cost a
 * wake-up of both threads per message; and while the owner still has
 * batches to apply, a partial one waits 1 ms more for company.
 *
 * A sync request of the owner's (hold(): sync_req moved on) is answered
 * (sync_done) once the socket had nothing more to take, or after 512
 * more messages under a flood (what the interface's own read() takes of
 * a source before it answers queries), with everything taken published:
 * so a query sees every message that reached the socket before it, as
 * without a reader.
 */
#define ZRD_SPINS 50

static void *
zmq_rd_thread(void *arg)
{
	struct source *s = arg;
	struct zmq_src *zs = s->priv;
	unsigned taken = 0, sync_left = 0, idle = 0;
	uint64_t seen = 0, done = 0;

	log_set_role("zmq-reader");
	pthread_setname_np(pthread_self(), "zmq-reader");
	while (!__atomic_load_n(&zs->rd_stop, __ATOMIC_ACQUIRE)) {
		uint64_t want =
			__atomic_load_n(&zs->sync_req, __ATOMIC_ACQUIRE);
		int got, pub, answer;

		if (want != seen) {
			seen = want;
			sync_left = 512;
		}
		if (flowq_wait_room(&zs->q) != 0)
			break;
		pthread_mutex_lock(&zs->dlock);
		got = zmq_take_msg(s, zs, time_wall_ms());
		/* acknowledgements as often as the interface's read() sends
		 * them without a reader */
		if ((!got || ++taken >= 512) && zs->rel != NULL)
			zrel_flush_acks(zs->rel, zs->sock);
		if (!got || taken >= 512)
			taken = 0;
		if (got) {
			idle = 0;
			if (sync_left > 0)
				sync_left--;
		} else {
			idle++;
		}
		answer = done != seen && (!got || sync_left == 0);
		pub = answer ||
		      (!got && idle > ZRD_SPINS &&
		       (idle > ZRD_SPINS + 1 || flowq_published(&zs->q) == 0));
		if (pub)
			flowq_publish(&zs->q);
		pthread_mutex_unlock(&zs->dlock);
		if (answer) {
			done = seen;
			__atomic_store_n(&zs->sync_done, done,
					 __ATOMIC_RELEASE);
			flowq_notify(&zs->q);
		}
		if (got)
			continue;
		if (idle <= ZRD_SPINS) {
			sched_yield();
			continue;
		}
		{
			zmq_pollitem_t it[2] = {
				{ zs->sock, 0, ZMQ_POLLIN, 0 },
				{ NULL, zs->wake_efd, ZMQ_POLLIN, 0 },
			};

			if (zmq_poll(it, 2, pub ? 1000 : 1) < 0 &&
			    errno != EINTR && errno != ETERM)
				log_warn("zmq %s: poll: %s", s->spec,
					 zmq_strerror(errno));
			efd_clear(zs->wake_efd);
		}
	}
	return NULL;
}

/* Starts the reader at the first read(); -1: none (read here). */
static int
zmq_rd_start(struct source *s, const struct rec_sink *out)
{
	struct zmq_src *zs = s->priv;

	if (flowq_init(&zs->q, 8) != 0)
		return -1;
	zs->sink = out;
	zs->dec.emit = rd_emit;
	zs->dec.emit_alert = out->on_alert != NULL ? rd_emit_alert : NULL;
	zs->dec.emit_node_event =
		out->on_node_event != NULL ? rd_emit_event : NULL;
	zs->dec.prefetch = NULL;
	zs->dec.emit_ctx = zs;
	__atomic_store_n(&zs->rd_stop, 0, __ATOMIC_RELAXED);
	/* off the core of the owner starting it */
	if (cpus_worker_create(&zs->rd_thread, cpus_bound_core(), zmq_rd_thread,
			       s) != 0) {
		flowq_fini(&zs->q);
		dec_unhook(zs);
		log_warn("zmq %s: no reader thread: read by the interface's",
			 s->spec);
		return -1;
	}
	zs->rd_running = 1;
	return 0;
}

/* Stops and joins the reader (owner); with `apply`, what it had decoded
 * goes to the interface first. */
static void
zmq_rd_stop(struct source *s, int apply)
{
	struct zmq_src *zs = s->priv;
	int held = zs->held;

	if (!zs->rd_running)
		return;
	if (held) { /* the reader may be waiting for dlock */
		zs->held = 0;
		pthread_mutex_unlock(&zs->dlock);
	}
	__atomic_store_n(&zs->rd_stop, 1, __ATOMIC_RELEASE);
	flowq_stop(&zs->q);
	efd_signal(zs->wake_efd);
	pthread_join(zs->rd_thread, NULL);
	zs->rd_running = 0;
	efd_clear(zs->wake_efd);
	if (held) {
		pthread_mutex_lock(&zs->dlock);
		zs->held = 1;
	}
	if (apply) {
		flowq_publish(&zs->q);
		rd_apply_all(zs, 0);
	}
	flowq_fini(&zs->q);
	dec_unhook(zs);
}

static void
zmq_src_hold(struct source *s)
{
	struct zmq_src *zs = s->priv;

	uint64_t req;

	if (!zs->rd_running || zs->held)
		return;
	/* what reached the socket first is taken first (the reader's
	 * sync, above); the owner applies batches meanwhile, so the reader
	 * never waits for room */
	req = __atomic_add_fetch(&zs->sync_req, 1, __ATOMIC_RELEASE);
	efd_signal(zs->wake_efd);
	while (__atomic_load_n(&zs->sync_done, __ATOMIC_ACQUIRE) < req) {
		struct pollfd pfd = { .fd = zs->q.efd, .events = POLLIN };

		flowq_clear_event(&zs->q);
		if (rd_apply_all(zs, 0) == 0 &&
		    __atomic_load_n(&zs->sync_done, __ATOMIC_ACQUIRE) < req &&
		    poll(&pfd, 1, 100) < 0 && errno != EINTR)
			log_warn("zmq %s: poll: %s", s->spec, strerror(errno));
	}
	pthread_mutex_lock(&zs->dlock);
	zs->held = 1;
	flowq_publish(&zs->q);
	rd_apply_all(zs, 0);
	src_sync_counters(s);
}

static void
zmq_src_release(struct source *s)
{
	struct zmq_src *zs = s->priv;

	if (!zs->held)
		return;
	zs->held = 0;
	pthread_mutex_unlock(&zs->dlock);
}

static int
zmq_src_read(struct source *s, const struct rec_sink *out, int budget)
{
	struct zmq_src *zs = s->priv;
	uint64_t now = time_wall_ms();
	int n = 0, events = 0;
	size_t len = sizeof(events);

	if (zs->use_reader && !zs->rd_running && zmq_rd_start(s, out) != 0)
		zs->use_reader = 0;
	if (zs->rd_running) {
		/* a batch published after this is seen at the next poll */
		flowq_clear_event(&zs->q);
		return rd_apply_all(zs, budget * 4);
	}
	zs->dec.emit = out->on_flow;
	zs->dec.prefetch = out->on_prefetch;
	zs->dec.emit_ctx = out->ctx;
	zs->dec.emit_alert = out->on_alert;
	zs->dec.emit_node_event = out->on_node_event;
	while (n < budget && zmq_take_msg(s, zs, now))
		n++;
	src_sync_counters(s);
	if (zs->rel != NULL)
		zrel_flush_acks(zs->rel, zs->sock);
	dec_unhook(zs);
	/* ZMQ_FD is edge-triggered: never sleep while a message waits */
	if (zmq_getsockopt(zs->sock, ZMQ_EVENTS, &events, &len) == 0 &&
	    (events & ZMQ_POLLIN) && n == 0)
		n = 1;
	return n;
}

static void
zmq_src_free(struct source *s)
{
	struct zmq_src *zs;

	if (s == NULL)
		return;
	zs = s->priv;
	if (zs != NULL) {
		zmq_rd_stop(s, 0); /* the interface has ended */
		if (zs->wake_efd >= 0)
			close(zs->wake_efd);
		pthread_mutex_destroy(&zs->dlock);
		if (zs->sock != NULL) {
			int linger = 0;

			zmq_setsockopt(zs->sock, ZMQ_LINGER, &linger,
				       sizeof(linger));
			zmq_close(zs->sock);
		}
		zmqc_decoder_fini(&zs->dec);
		free(zs->rel);
		free(zs);
	}
	free(s->spec);
	free(s);
}

static json_t *
errors_json(const uint64_t *e, int all)
{
	json_t *o = json_object();

	for (int i = 1; i < ZMQC_ERR__COUNT; i++)
		if (all || e[i])
			json_object_set_new(o, zmqc_err_names[i],
					    json_integer((json_int_t)e[i]));
	return o;
}

/* The interfaces a peer's `counter` samples described. */
static json_t *
ifcounters_json(const struct zmqc_peer *p)
{
	json_t *arr = json_array();
	uint32_t i;

	for (i = 0; i < p->n_ifc; i++) {
		const struct zmqc_ifcounters *c = &p->ifc[i];
		char dev[IPADDR_STRLEN];
		const char *name;

		ipaddr_fmt(&c->device, dev, sizeof(dev));
		/* no ifName in the samples: the probe's snmp-ifaces name */
		name = c->name[0] ? c->name : zmqc_ifname(p, dev, c->ifindex);
		json_array_append_new(
			arr,
			json_pack(
				"{s:s,s:I,s:s,s:I,s:I,s:b,s:b,s:b,s:b,s:I,s:I,"
				"s:I,s:I,"
				"s:I,s:I,s:I,s:I,s:I,s:I}",
				"device", dev, "ifindex",
				(json_int_t)c->ifindex, "name",
				name ? name : "", "type", (json_int_t)c->iftype,
				"speed", (json_int_t)c->speed, "full_duplex",
				c->full_duplex, "admin_up", c->admin_up,
				"oper_up", c->oper_up, "promiscuous",
				c->promisc, "in_octets",
				(json_int_t)c->in_bytes, "in_packets",
				(json_int_t)c->in_pkts, "in_errors",
				(json_int_t)c->in_errors, "out_octets",
				(json_int_t)c->out_bytes, "out_packets",
				(json_int_t)c->out_pkts, "out_errors",
				(json_int_t)c->out_errors, "samples_generated",
				(json_int_t)c->samples, "updates",
				(json_int_t)c->updates, "first_seen",
				(json_int_t)(c->first_ms / 1000), "last_seen",
				(json_int_t)(c->last_ms / 1000)));
	}
	return arr;
}

/* {"<exporter>": {"<ifIndex>": "<name>"}} as the probe sent them. */
static json_t *
ifnames_json(const struct zmqc_peer *p)
{
	json_t *o = json_object();
	uint32_t i;

	for (i = 0; i < p->n_ifnames; i++) {
		const struct zmqc_ifname *e = &p->ifnames[i];
		json_t *t = json_object_get(o, e->exporter);
		char idx[16];

		if (t == NULL) {
			t = json_object();
			json_object_set_new(o, e->exporter, t);
		}
		snprintf(idx, sizeof(idx), "%u", e->ifindex);
		json_object_set_new(t, idx, json_string(e->name));
	}
	return o;
}

/* How long a peer node may be silent before its link is down: its event
 * comes every second; 3 x max(1 s, its export interval). */
static uint64_t
link_expect_ms(const struct zmqc_peer *p)
{
	uint64_t iv = p->probe.export_interval;

	return 3 * (iv > 1 ? iv : 1) * 1000;
}

/* A peer node's link (docs/hierarchy.md "Liveness"): down after its
 * silence, up at its next message; each change goes to the health
 * check (an alert) and the log.  Probes that are not nodes send events
 * at their own pace: not watched. */
static void
link_check(struct source *s, struct zmqc_peer *p, uint64_t now,
	   struct source_tick *t)
{
	uint64_t expect = link_expect_ms(p), quiet;
	int down;

	if (p->probe.node_id[0] == '\0')
		return;
	quiet = now > p->last_seen_ms ? now - p->last_seen_ms : 0;
	down = quiet > expect;
	if (down == p->link_down)
		return;
	p->link_down = (uint8_t)down;
	p->link_change_ms = now;
	if (down)
		p->link_downs++;
	if (down)
		log_warn("zmq %s: link from %s down: silent for %llu ms",
			 s->spec, p->probe.node_id, (unsigned long long)quiet);
	else
		log_info("zmq %s: link from %s up again", s->spec,
			 p->probe.node_id);
	if (t->n_links < SOURCE_TICK_LINKS) {
		struct source_link_event *e = &t->links[t->n_links++];

		snprintf(e->name, sizeof(e->name), "%.80s %.64s", s->spec,
			 p->probe.node_id);
		e->down = (uint8_t)down;
		e->quiet_ms = quiet;
		e->expect_ms = expect;
	}
}

/* The link's lag percentile q (0..100), ms (its histogram's step). */
static uint64_t
link_lag_pct(const struct zmqc_peer *p, int q)
{
	uint64_t want, acc = 0;
	int i;

	if (p->lat_samples == 0)
		return 0;
	want = (p->lat_samples * (uint64_t)q + 99) / 100;
	for (i = 0; i <= ZMQC_LAT_SLOTS; i++) {
		acc += p->lat_hist[i];
		if (acc >= want)
			return (uint64_t)(i + 1) * ZMQC_LAT_STEP_MS;
	}
	return (uint64_t)(ZMQC_LAT_SLOTS + 1) * ZMQC_LAT_STEP_MS;
}

static json_t *
peer_json(const struct zmqc_peer *p)
{
	const struct zmqc_probe *pr = &p->probe;
	json_t *o = json_object();

	json_object_set_new(o, "source_id", json_integer(p->source_id));
	json_object_set_new(o, "messages", json_integer((json_int_t)p->msgs));
	json_object_set_new(o, "flows", json_integer((json_int_t)p->flows));
	json_object_set_new(o, "bytes", json_integer((json_int_t)p->bytes));
	json_object_set_new(o, "msg_drops",
			    json_integer((json_int_t)p->msg_drops));
	json_object_set_new(o, "msgs_missed_at_join",
			    json_integer((json_int_t)p->missed_at_join));
	json_object_set_new(o, "msg_id_jumps",
			    json_integer((json_int_t)p->msg_id_jumps));
	json_object_set_new(o, "msg_rollbacks",
			    json_integer((json_int_t)p->rollbacks));
	json_object_set_new(o, "msg_duplicates",
			    json_integer((json_int_t)p->duplicates));
	json_object_set_new(o, "msg_restarts",
			    json_integer((json_int_t)p->restarts));
	json_object_set_new(o, "last_msg_id", json_integer(p->last_msg_id));
	json_object_set_new(o, "events", json_integer((json_int_t)p->events));
	json_object_set_new(o, "counters",
			    json_integer((json_int_t)p->counters));
	json_object_set_new(o, "counters_dropped",
			    json_integer((json_int_t)p->counters_dropped));
	json_object_set_new(o, "interfaces", ifcounters_json(p));
	json_object_set_new(o, "snmp_ifaces", ifnames_json(p));
	json_object_set_new(o, "snmp_ifaces_dropped",
			    json_integer((json_int_t)p->ifnames_dropped));
	json_object_set_new(
		o, "first_seen",
		json_integer((json_int_t)(p->first_seen_ms / 1000)));
	json_object_set_new(o, "last_seen",
			    json_integer((json_int_t)(p->last_seen_ms / 1000)));
	json_object_set_new(o, "header_size", json_integer(p->last_layout));
	json_object_set_new(o, "header_version", json_integer(p->last_version));
	json_object_set_new(o, "errors", errors_json(p->errors, 0));
	json_object_set_new(o, "throughput_bps", json_real(p->bytes_per_sec));
	if (p->probe.node_id[0] != '\0') {
		uint64_t now = time_wall_ms();

		/* a hierarchy link (docs/hierarchy.md "Liveness"); resends
		 * and spool: the reliable mode's (0 without it; filled in by
		 * zrel_fill_link) */
		json_object_set_new(
			o, "link",
			json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
				  "s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
				  "node", p->probe.node_id, "state",
				  now > p->last_seen_ms + link_expect_ms(p)
					  ? "down"
					  : "up",
				  "downs", (json_int_t)p->link_downs, "since",
				  (json_int_t)((p->link_change_ms
							? p->link_change_ms
							: p->first_seen_ms) /
					       1000),
				  "silent_ms",
				  (json_int_t)(now > p->last_seen_ms
						       ? now - p->last_seen_ms
						       : 0),
				  "expect_ms", (json_int_t)link_expect_ms(p),
				  "messages", (json_int_t)p->msgs,
				  "lag_samples", (json_int_t)p->lat_samples,
				  "lag_p50_ms", (json_int_t)link_lag_pct(p, 50),
				  "lag_p99_ms", (json_int_t)link_lag_pct(p, 99),
				  "resends", (json_int_t)0, "spool_batches",
				  (json_int_t)0, "spool_bytes", (json_int_t)0,
				  "spool_oldest_age", (json_int_t)0,
				  "declared_loss", (json_int_t)0, "start",
				  (json_int_t)(p->probe.start_ms / 1000),
				  "uptime", (json_int_t)p->probe.uptime));
		json_object_set_new(o, "node_version",
				    json_string(p->probe.version));
	}
	if (p->site_path[0] != '\0') {
		const char *last = strrchr(p->site_path, '>');

		/* a peer node: the last id of the path is the sender */
		json_object_set_new(
			o, "node_id",
			json_string(last ? last + 1 : p->site_path));
		json_object_set_new(o, "site_path", json_string(p->site_path));
	}
	json_object_set_new(
		o, "probe",
		json_pack(
			"{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:{s:I,s:I,s:"
			"I,s:I},"
			"s:{s:i,s:i,s:i,s:i}}",
			"ip", pr->ip, "version", pr->version, "iface",
			pr->iface, "time", (json_int_t)pr->time, "uptime",
			(json_int_t)pr->uptime, "bytes", (json_int_t)pr->bytes,
			"packets", (json_int_t)pr->packets, "packet_drops",
			(json_int_t)pr->packet_drops, "num_flow_exports",
			(json_int_t)pr->num_flow_exports, "num_exporters",
			(json_int_t)pr->num_exporters, "drops",
			"export_queue_full", (json_int_t)pr->export_queue_full,
			"too_many_flows", (json_int_t)pr->too_many_flows,
			"flow_collection_drops",
			(json_int_t)pr->flow_collection_drops,
			"flow_collection_udp_socket_drops",
			(json_int_t)pr->flow_collection_udp_socket_drops,
			"timeout", "lifetime", (int)pr->timeout_lifetime,
			"idle", (int)pr->timeout_idle, "collected_lifetime",
			(int)pr->timeout_collected_lifetime, "max_idle",
			(int)zmqc_peer_max_idle(p)));
	return o;
}

/* Once a second (owner thread): each peer's byte rate and link state;
 * the summary of the error lines the limiter held back. */
static void
zmq_src_stats(struct source *s, struct source_tick *t)
{
	struct zmq_src *zs = s->priv;
	uint64_t now = time_wall_ms();
	int i;

	ratelimit_flush(&zs->dec.rl);
	t->msg_drops += zs->dec.st.msg_drops;
	for (i = 0; i < ZMQC_MAX_PEERS; i++) {
		struct zmqc_peer *p = &zs->dec.peers[i];
		uint64_t idle_ms;

		if (!p->used)
			continue;
		p->bytes_per_sec = (double)(p->bytes - p->rate_last_bytes);
		p->rate_last_bytes = p->bytes;
		link_check(s, p, now, t);
		/* the probes' timeouts set the interface's flow idle time */
		idle_ms = (uint64_t)zmqc_peer_max_idle(p) * 1000;
		if (p->last_seen_ms + ZMQC_PROBE_STALE_MS >= now &&
		    idle_ms > t->probe_idle_ms)
			t->probe_idle_ms = idle_ms;
	}
}

/* get/interface/sources.lua: this endpoint's ledger (owner thread). */
static void
zmq_src_describe(struct source *s, json_t *obj)
{
	struct zmq_src *zs = s->priv;
	const struct zmqc_stats *st = &zs->dec.st;
	json_t *topics = json_object(), *peers = json_array();

	json_object_set_new(obj, "endpoint", json_string(zs->endpoint));
	json_object_set_new(obj, "mode",
			    json_string(zs->bind ? "bind" : "connect"));
	json_object_set_new(obj, "curve", json_boolean(zs->curve));
	json_object_set_new(obj, "messages",
			    json_integer((json_int_t)st->msgs));
	json_object_set_new(obj, "frames",
			    json_integer((json_int_t)st->frames));
	json_object_set_new(obj, "flows", json_integer((json_int_t)st->flows));
	json_object_set_new(obj, "flow_messages",
			    json_integer((json_int_t)st->flow_msgs));
	json_object_set_new(obj, "msg_drops",
			    json_integer((json_int_t)st->msg_drops));
	json_object_set_new(obj, "msgs_missed_at_join",
			    json_integer((json_int_t)st->missed_at_join));
	json_object_set_new(obj, "msg_id_jumps",
			    json_integer((json_int_t)st->msg_id_jumps));
	json_object_set_new(obj, "last_seen",
			    json_integer((json_int_t)(st->last_msg_ms / 1000)));
	for (int i = 0; i < ZT__COUNT; i++)
		json_object_set_new(topics, zmqc_topic_names[i],
				    json_integer((json_int_t)st->topics[i]));
	json_object_set_new(obj, "topics", topics);
	json_object_set_new(obj, "decode_errors", errors_json(st->errors, 1));
	json_object_set_new(obj, "sources_recycled",
			    json_integer((json_int_t)st->peers_evicted));
	json_object_set_new(obj, "templates", json_integer(zs->dec.n_tmpl));
	for (int i = 0; i < ZMQC_MAX_PEERS; i++) {
		json_t *pj;

		if (!zs->dec.peers[i].used)
			continue;
		pj = peer_json(&zs->dec.peers[i]);
		/* a reliable sender's spool and loss, on its link */
		if (zs->rel != NULL && pj != NULL)
			zrel_fill_link(zs->rel, json_object_get(pj, "link"));
		json_array_append_new(peers, pj);
	}
	json_object_set_new(obj, "probes", peers);
	if (zs->rel != NULL)
		json_object_set_new(obj, "reliable", zrel_json(zs->rel));
	if (zap.on)
		json_object_set_new(
			obj, "zap",
			json_pack("{s:I,s:I}", "accepted",
				  (json_int_t)__atomic_load_n(&zap.accepted,
							      __ATOMIC_RELAXED),
				  "refused",
				  (json_int_t)__atomic_load_n(
					  &zap.refused, __ATOMIC_RELAXED)));
}

void
collector_zmq_iface_json(struct source *const *srcs, int n,
			 uint64_t flow_idle_ms, json_t *o)
{
	uint64_t flows = 0, dropped = 0, events = 0, counters = 0, msgs = 0,
		 drops = 0, flow_msgs = 0, exports = 0, exporters = 0, eqf = 0,
		 fcd = 0, fcud = 0, missed = 0, jumps = 0;
	int any = 0;

	for (int i = 0; i < n; i++) {
		struct source *s = srcs[i];
		struct zmq_src *zs;

		if (s == NULL || s->kind != &collector_zmq_kind)
			continue;
		any = 1;
		zs = s->priv;
		flows += zs->dec.st.flows;
		dropped += zs->dec.st.errors[ZMQC_ERR_BAD_FLOW] +
			   zs->dec.st.errors[ZMQC_ERR_REFUSED] +
			   zs->dec.st.errors[ZMQC_ERR_IMPLAUSIBLE];
		events += zs->dec.st.topics[ZT_EVENT];
		counters += zs->dec.st.topics[ZT_COUNTER];
		msgs += zs->dec.st.msgs;
		drops += zs->dec.st.msg_drops;
		missed += zs->dec.st.missed_at_join;
		jumps += zs->dec.st.msg_id_jumps;
		flow_msgs += zs->dec.st.flow_msgs;
		for (int k = 0; k < ZMQC_MAX_PEERS; k++) {
			const struct zmqc_peer *p = &zs->dec.peers[k];

			if (!p->used)
				continue;
			exports += p->probe.num_flow_exports;
			exporters += p->probe.num_exporters;
			eqf += p->probe.export_queue_full;
			fcd += p->probe.flow_collection_drops;
			fcud += p->probe.flow_collection_udp_socket_drops;
		}
	}
	if (!any)
		return;
	json_object_set_new(
		o, "zmqRecvStats",
		json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "flows",
			  (json_int_t)flows, "dropped_flows",
			  (json_int_t)dropped, "events", (json_int_t)events,
			  "counters", (json_int_t)counters, "zmq_msg_rcvd",
			  (json_int_t)msgs, "zmq_msg_drops", (json_int_t)drops,
			  "zmq_msgs_missed_at_join", (json_int_t)missed,
			  "zmq_msg_id_jumps", (json_int_t)jumps,
			  "zmq_avg_msg_flows",
			  (json_int_t)(flow_msgs ? (flows + flow_msgs / 2) /
							   flow_msgs
						 : 0)));
	json_object_set_new(o, "zmq.num_flow_exports",
			    json_integer((json_int_t)exports));
	/* the idle time of this interface's flows, from the probes' events */
	json_object_set_new(o, "zmq.flow_max_idle",
			    json_integer((json_int_t)(flow_idle_ms / 1000)));
	json_object_set_new(o, "zmq.num_exporters",
			    json_integer((json_int_t)exporters));
	json_object_set_new(o, "zmq.drops.export_queue_full",
			    json_integer((json_int_t)eqf));
	json_object_set_new(o, "zmq.drops.flow_collection_drops",
			    json_integer((json_int_t)fcd));
	json_object_set_new(o, "zmq.drops.flow_collection_udp_socket_drops",
			    json_integer((json_int_t)fcud));
	if (curve.ready > 0) {
		char hex[81];

		for (int i = 0; i < 40; i++)
			snprintf(hex + 2 * i, 3, "%02x",
				 (unsigned char)curve.pub[i]);
		json_object_set_new(o, "zmq.curve_public_key",
				    json_string(curve.pub));
		json_object_set_new(o, "zmq.curve_public_key_hex",
				    json_string(hex));
	}
	if (zap.on)
		json_object_set_new(o, "zmq.zap_refused",
				    json_integer((json_int_t)__atomic_load_n(
					    &zap.refused, __ATOMIC_RELAXED)));
}

int
collector_zmq_endpoint_split(const char *spec, char *out, size_t size,
			     int *flag)
{
	size_t n = strlen(spec), i;
	int ipc = strncmp(spec, "ipc://", 6) == 0 ||
		  strncmp(spec, "inproc://", 9) == 0;

	*flag = 0;
	if (n > 1 && spec[n - 1] == 'c') {
		if (ipc) {
			/* a path has no port: only "NAME.ipc" + 'c' */
			*flag = n > 5 && strncmp(spec + n - 5, ".ipcc", 5) == 0;
		} else {
			/* "...:<digits>c": the c follows a port number */
			for (i = n - 1;
			     i > 0 && spec[i - 1] >= '0' && spec[i - 1] <= '9';
			     i--)
				;
			*flag = i < n - 1 && i > 0 && spec[i - 1] == ':';
		}
	}
	if (*flag)
		n--;
	if (n >= size)
		return -1;
	memcpy(out, spec, n);
	out[n] = '\0';
	return 0;
}

/* Splits the -i text into the libzmq endpoint and the bind flag. */
static int
endpoint_parse(const char *spec, char *out, size_t size, int *bind)
{
	char tmp[512];

	if (strncmp(spec, "zmq://", 6) == 0) {
		if (snprintf(tmp, sizeof(tmp), "tcp://%s", spec + 6) >=
		    (int)sizeof(tmp))
			return -1;
		spec = tmp;
	}
	return collector_zmq_endpoint_split(spec, out, size, bind);
}

/* Creates, configures and binds (collector mode) or connects the
 * source's SUB socket from zs->endpoint, zs->bind and zs->curve (the
 * CURVE keys and the ZAP handler are set up before).  0, or -1 with the
 * cause in err and no socket left. */
static int
zmq_src_socket(struct source *s, char *err, size_t errlen)
{
	struct zmq_src *zs = s->priv;
	void *ctx = zctx_get();
	int v;

	/* an XSUB: it subscribes like a SUB and can also send upstream,
	 * which carries reliable links' acknowledgements (a plain PUB, as
	 * upstream's, ignores them) */
	zs->sock = ctx != NULL ? zmq_socket(ctx, ZMQ_XSUB) : NULL;
	if (zs->sock == NULL) {
		snprintf(err, errlen, "-i %s: %s", s->spec,
			 zmq_strerror(errno));
		return -1;
	}
	v = zs->rcvhwm;
	zmq_setsockopt(zs->sock, ZMQ_RCVHWM, &v, sizeof(v));
	v = ZMQ_RCVBUF_BYTES;
	zmq_setsockopt(zs->sock, ZMQ_RCVBUF, &v, sizeof(v));
	collector_zmq_liveness_opts(zs->sock, zs->endpoint);
	if (zs->curve) {
		v = 1;
		if (zmq_setsockopt(zs->sock, ZMQ_CURVE_SERVER, &v, sizeof(v)) !=
			    0 ||
		    zmq_setsockopt(zs->sock, ZMQ_CURVE_SECRETKEY, curve.sec,
				   40) != 0) {
			snprintf(err, errlen, "-i %s: CURVE: %s", s->spec,
				 zmq_strerror(errno));
			goto fail;
		}
		if (zap.on)
			zmq_setsockopt(zs->sock, ZMQ_ZAP_DOMAIN, "ntopng", 6);
	}
	/* everything, then a topic of our own: the publisher (one of our
	 * nodes) sees it arrive and answers with a snapshot of its flows'
	 * totals on that topic (docs/hierarchy.md, "Convergence"); any
	 * other publisher never sends it.  An XSUB's subscription is a
	 * message (0x01 + prefix), kept for publishers that connect later. */
	snap_nonce(zs->snap_topic, sizeof(zs->snap_topic));
	{
		char sub[sizeof(zs->snap_topic) + 1];
		size_t sl = strlen(zs->snap_topic);

		sub[0] = 1;
		memcpy(sub + 1, zs->snap_topic, sl);
		if (zmq_send(zs->sock, "\x01", 1, ZMQ_DONTWAIT) != 1 ||
		    zmq_send(zs->sock, sub, sl + 1, ZMQ_DONTWAIT) !=
			    (int)sl + 1) {
			snprintf(err, errlen, "-i %s: subscribe: %s", s->spec,
				 zmq_strerror(errno));
			goto fail;
		}
	}
	if ((zs->bind ? zmq_bind(zs->sock, zs->endpoint)
		      : zmq_connect(zs->sock, zs->endpoint)) != 0) {
		snprintf(err, errlen, "-i %s: cannot %s %s: %s", s->spec,
			 zs->bind ? "bind" : "connect to", zs->endpoint,
			 zmq_strerror(errno));
		goto fail;
	}
	return 0;
fail:
	v = 0;
	zmq_setsockopt(zs->sock, ZMQ_LINGER, &v, sizeof(v));
	zmq_close(zs->sock);
	zs->sock = NULL;
	return -1;
}

/* Disabled interface: the socket is closed (a bound port is given back,
 * libzmq's reaper closes it at once with no linger); the decoder keeps
 * its probes, templates and counters. */
static void
zmq_src_suspend(struct source *s)
{
	struct zmq_src *zs = s->priv;
	int linger = 0;

	if (zs->sock == NULL)
		return;
	zmq_rd_stop(s, 1); /* its socket; what it decoded is applied */
	zmq_setsockopt(zs->sock, ZMQ_LINGER, &linger, sizeof(linger));
	if (zs->bind)
		(void)zmq_unbind(zs->sock, zs->endpoint);
	zmq_close(zs->sock);
	zs->sock = NULL;
	log_info("ZMQ: %s closed", zs->endpoint);
}

static int
zmq_src_resume(struct source *s, char *err, size_t errlen)
{
	struct zmq_src *zs = s->priv;

	if (zs->sock == NULL && zmq_src_socket(s, err, errlen) != 0)
		return -1;
	/* what the probes sent meanwhile never reached us: not drops */
	zmqc_decoder_rejoin(&zs->dec);
	log_info("ZMQ: %s %s again",
		 zs->bind ? "collecting on" : "subscribed to", zs->endpoint);
	return 0;
}

struct source *
collector_zmq_open(const char *spec, const struct prefs *p)
{
	struct source *s = calloc(1, sizeof(*s));
	struct zmq_src *zs = calloc(1, sizeof(*zs));
	void *ctx = zctx_get();
	char err[512];

	if (s == NULL || zs == NULL || ctx == NULL) {
		free(s);
		free(zs);
		log_err("-i %s: cannot create a ZMQ context", spec);
		return NULL;
	}
	s->kind = &collector_zmq_kind;
	s->state = SOURCE_ACTIVE;
	s->spec = strdup(spec);
	s->priv = zs;
	s->fd = zmq_src_fd;
	s->read = zmq_src_read;
	s->free = zmq_src_free;
	s->describe = zmq_src_describe;
	s->stats = zmq_src_stats;
	s->suspend = zmq_src_suspend;
	s->resume = zmq_src_resume;
	s->hold = zmq_src_hold;
	s->release = zmq_src_release;
	zs->wake_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&zs->dlock, NULL);
	zs->use_reader = p->workers > 1 && zs->wake_efd >= 0;
	if (s->spec == NULL ||
	    endpoint_parse(spec, zs->endpoint, sizeof(zs->endpoint),
			   &zs->bind)) {
		log_err("-i %s: endpoint too long", spec);
		goto fail;
	}
	if (zmqc_decoder_init(&zs->dec, s->spec, emit_nowhere, zs) != 0)
		goto fail;
	zs->trace_rl.burst = 10;
	zs->curve = p->zmq_encryption || p->zmq_encryption_key_priv != NULL;
	zs->rcvhwm =
		p->max_memory > 0 ? ZMQ_RCVHWM_MSGS_BUDGET : ZMQ_RCVHWM_MSGS;
	if (zs->curve && curve_keys_load(p) != 0)
		goto fail;
	if (zs->curve && p->zmq_allowed_keys != NULL &&
	    zap_start(p->zmq_allowed_keys) != 0)
		goto fail;
	if (zmq_src_socket(s, err, sizeof(err)) != 0) {
		log_err("%s", err);
		goto fail;
	}
	log_info("ZMQ: %s %s%s", zs->bind ? "collecting on" : "subscribed to",
		 zs->endpoint, zs->curve ? " (CURVE)" : "");
	return s;
fail:
	zmq_src_free(s);
	return NULL;
}

/* A ZMQ source is live: wall-clock idleness purges its flows. */
const struct source_kind collector_zmq_kind = {
	.name = "zmq",
	.match = collector_is_zmq,
	.open = collector_zmq_open,
	.describe = collector_zmq_iface_json,
};
