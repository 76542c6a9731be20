/*
 * pcap_source.c - libpcap sources: a live device, a pcap/pcapng file, or a
 * text file listing pcap files (one path per line, '#' comments).
 *
 * Opening happens on the main thread so that a missing file, a bad BPF
 * filter or a device we may not open stops the start-up with one clear
 * line.  A list is checked whole at open (every file must open), then read
 * file after file by the interface's owner thread, one bounded batch per
 * call (pcap_dispatch with a count), so queries are answered between
 * batches.  A file that turns out corrupt in the middle is logged once,
 * counted in `errors`, and reading goes on with the next file.
 *
 * Each frame goes through the decoder (capture/decode.c) and then into the
 * interface tables (iface_packet); the decoder's fragment table lives here,
 * one per source, since fragments never cross sources.
 *
 * --hw-timestamp-mode ixia: before decoding, the IXIA trailer at the end
 * of each frame (capture/hwts.h) gives the packet its time and is cut
 * off, so neither the decoder nor any byte counter sees it.  A frame
 * without a well-formed trailer, or whose end was not captured, keeps
 * its pcap time and length and is counted (hw_timestamps in
 * get/interface/sources.lua).
 */
#include "capture/source.h"

#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <pthread.h>
#include <unistd.h>

#include "capture/decode.h"
#include "capture/hwts.h"
#include "common/cpus.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/prefs.h"

#define PCAP_SNAPLEN 65535
#define PCAP_BATCH 16
#define PCAP_BATCH_BYTES (PCAP_BATCH * 2048)
#define PCAP_MAX_LIST 4096

struct pcap_src {
	pcap_t *p;
	int dlt;
	char **files; /* offline: the files, in order */
	int n_files, cur;
	char *bpf;
	const struct rec_sink *sink; /* set for the duration of a read */
	struct decoder dec;
	uint64_t last_drops;
	int fifo;      /* a pcap stream in a FIFO (a live feed) */
	int hwts_ixia; /* --hw-timestamp-mode ixia */
	struct hwts_stats hwts;
	struct ratelimit hwts_rl;
	/* frames decoded but not yet handed over (sinks with
	 * on_packet_prefetch): copies in batch_buf, since libpcap reuses
	 * its buffer; handed over, in order, when PCAP_BATCH are there, when
	 * the copy would not fit, and at the end of every read() */
	struct pkt batch[PCAP_BATCH];
	int batch_res[PCAP_BATCH];
	int batch_n;
	size_t batch_off;
	uint8_t *batch_buf; /* PCAP_BATCH_BYTES */
	uint8_t *fbuf;	    /* files' stdio buffer (pcap_open_regular) */
	/* --workers > 1, files without --hw-timestamp-mode: a reader thread
	 * reads and decodes ahead (struct pcap_reader below), started at
	 * the first read(); snap_*: the decoder's counters and link type as
	 * of the last batch handed over (describe, owner) */
	int use_reader;
	struct pcap_reader *rd;
	struct decode_stats snap_stats;
	int snap_dlt;
	uint64_t errors_base; /* s->errors before the reader started */
};

/*
 * The reader of a file source (--workers > 1): it owns the pcap handle,
 * the file list position and the decoder from its start, and fills
 * batches of decoded frames (copies of the frames, and of a datagram
 * the decoder reassembled, with the packet's pointers into them) in a
 * ring of PCAP_RD_BATCHES: `head` (batches filled) is written by the
 * reader with release, `tail` (batches handed over) by the owner under
 * `lock`, where the reader waits for room on `cond`.  The owner's
 * read() hands the filled batches to the sink, in order; `efd` is
 * readable when a batch is there (the owner's poll() watches it).
 */
#define PCAP_RD_BATCHES 32
#define PCAP_RD_PKTS 64
#define PCAP_RD_BYTES (PCAP_RD_PKTS * 2048 + 2 * 65536)
struct pcap_rd_batch {
	int n;
	size_t off;
	struct pkt pk[PCAP_RD_PKTS];
	int res[PCAP_RD_PKTS];
	struct decode_stats stats; /* the decoder's, after this batch */
	int dlt;
	uint64_t errors;
	uint8_t buf[PCAP_RD_BYTES];
};

struct pcap_reader {
	pthread_t thread;
	int started;
	int efd;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t head;	 /* __atomic_* */
	uint64_t tail;	 /* under lock (the owner's own reads: plain) */
	int ended;	 /* __atomic_*: every file read */
	int stop;	 /* __atomic_* */
	int aborted;	 /* the reader's: stop seen while waiting for room */
	int waiting;	 /* under lock: the reader waits for room */
	int first;	 /* the owner's: its first read() is done */
	uint64_t errors; /* the reader's count */
	struct pcap_rd_batch b[PCAP_RD_BATCHES];
};

static void pcap_rd_stop(struct pcap_src *ps);

static void
pcap_src_free(struct source *s)
{
	struct pcap_src *ps;
	int i;

	if (s == NULL)
		return;
	ps = s->priv;
	if (ps != NULL) {
		pcap_rd_stop(ps); /* before the handle it reads goes */
		if (ps->p != NULL)
			pcap_close(ps->p);
		free(ps->fbuf); /* after the FILE that used it */
		for (i = 0; i < ps->n_files; i++)
			free(ps->files[i]);
		free(ps->files);
		free(ps->bpf);
		free(ps->batch_buf);
		free(ps);
	}
	free(s->spec);
	free(s);
}

static int
pcap_apply_filter(pcap_t *p, const char *bpf, const char *what)
{
	struct bpf_program prog;

	if (bpf == NULL || bpf[0] == '\0')
		return 0;
	if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		log_err("-B '%s': %s", bpf, pcap_geterr(p));
		return -1;
	}
	if (pcap_setfilter(p, &prog) != 0) {
		log_err("%s: cannot set filter: %s", what, pcap_geterr(p));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

/* libpcap reads a file through stdio, whose buffer is a disk block:
 * one read() per 4 KB.  A regular file read by a source gets the
 * source's 1 MB buffer instead (fbuf, which outlives the FILE: glibc
 * ignores setvbuf's size without one); a FIFO keeps stdio's, as its
 * reader must not wait for more. */
#define PCAP_FILE_BUF (1u << 20)

static pcap_t *
pcap_open_regular(const char *path, char *err, uint8_t *fbuf)
{
	struct stat st;
	FILE *f;
	pcap_t *p;

	if (fbuf == NULL || strcmp(path, "-") == 0 || stat(path, &st) != 0 ||
	    !S_ISREG(st.st_mode))
		return NULL;
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	if (setvbuf(f, (char *)fbuf, _IOFBF, PCAP_FILE_BUF) != 0) {
		fclose(f);
		return NULL;
	}
	p = pcap_fopen_offline_with_tstamp_precision(
		f, PCAP_TSTAMP_PRECISION_MICRO, err);
	if (p == NULL)
		fclose(f);
	return p;
}

/* fbuf: the stdio buffer (PCAP_FILE_BUF), NULL for stdio's own. */
static pcap_t *
pcap_open_file(const char *path, const char *bpf, uint8_t *fbuf)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_open_regular(path, err, fbuf);

	if (p == NULL)
		p = pcap_open_offline_with_tstamp_precision(
			path, PCAP_TSTAMP_PRECISION_MICRO, err);

	if (p == NULL) {
		log_err("%s: not a readable pcap/pcapng file (%s)", path, err);
		return NULL;
	}
	if (pcap_apply_filter(p, bpf, path) != 0) {
		pcap_close(p);
		return NULL;
	}
	return p;
}

/* --hw-timestamp-mode ixia: the trailer's time and the frame without it,
 * or the frame as captured (counted, and logged a few times a second). */
static void
pcap_src_hwts(struct source *s, const u_char *data, uint32_t *caplen,
	      uint32_t *len, uint64_t *ts)
{
	struct pcap_src *ps = s->priv;
	uint32_t strip = 0;
	enum hwts_result r = hwts_ixia(data, *caplen, *len, ts, &strip);

	if (r == HWTS_OK) {
		*caplen -= strip;
		*len -= strip;
		ps->hwts.stamped++;
		return;
	}
	if (r == HWTS_SHORT)
		ps->hwts.short_frames++;
	else
		ps->hwts.invalid++;
	if (ratelimit_ok(&ps->hwts_rl))
		log_warn("%s: frame of %u bytes (%u captured) without %s IXIA "
			 "timestamp trailer: kept with its capture time",
			 s->spec, *len, *caplen,
			 r == HWTS_SHORT ? "a whole" : "a valid");
}

/* Hands the batch over: the prefetch hint, then each frame in order. */
static void
pcap_src_flush(struct pcap_src *ps)
{
	const struct pkt *v[PCAP_BATCH];
	int i;

	if (ps->batch_n == 0)
		return;
	for (i = 0; i < ps->batch_n; i++)
		v[i] = &ps->batch[i];
	ps->sink->on_packet_prefetch(ps->sink->ctx, v, ps->batch_n);
	for (i = 0; i < ps->batch_n; i++)
		ps->sink->on_packet(ps->sink->ctx, &ps->batch[i],
				    ps->batch_res[i]);
	ps->batch_n = 0;
	ps->batch_off = 0;
}

/* 1 when every pointer of pk is into [d, d + n): a reassembled datagram
 * lives in the decoder's buffer, which the next frame may reuse. */
static int
pcap_pkt_within(const struct pkt *pk, const uint8_t *d, uint32_t n)
{
	return (pk->l3 == NULL || (pk->l3 >= d && pk->l3 <= d + n)) &&
	       (pk->l4_payload == NULL ||
		(pk->l4_payload >= d && pk->l4_payload <= d + n));
}

static void
pcap_src_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct source *s = (struct source *)user;
	struct pcap_src *ps = s->priv;
	struct pkt pk;
	uint64_t ts =
		(uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
	uint32_t caplen =
		h->caplen < h->len || h->len == 0 ? h->caplen : h->len;
	uint32_t len = h->len;
	enum decode_result r;

	if (ps->hwts_ixia)
		pcap_src_hwts(s, data, &caplen, &len, &ts);
	s->records++;
	s->bytes += len;
	if (ps->batch_buf != NULL && ps->sink->on_packet_prefetch != NULL &&
	    caplen <= PCAP_BATCH_BYTES) {
		uint8_t *d;
		struct pkt *bp;

		if (ps->batch_off + caplen > PCAP_BATCH_BYTES)
			pcap_src_flush(ps);
		d = ps->batch_buf + ps->batch_off;
		memcpy(d, data, caplen);
		/* the next copy on its own cache line */
		ps->batch_off += (caplen + 63) & ~(size_t)63;
		bp = &ps->batch[ps->batch_n];
		r = capture_decode(&ps->dec, ps->dlt, ts, len, d, caplen, bp);
		ps->batch_res[ps->batch_n++] = (int)r;
		if (ps->batch_n == PCAP_BATCH ||
		    !pcap_pkt_within(bp, d, caplen))
			pcap_src_flush(ps);
		return;
	}
	pcap_src_flush(ps); /* order kept */
	r = capture_decode(&ps->dec, ps->dlt, ts, len, data, caplen, &pk);
	ps->sink->on_packet(ps->sink->ctx, &pk, (int)r);
}

/* Opens the next file of the list; returns 0, or -1 when none is left.
 * A file that does not open counts in *errors. */
static int
pcap_src_next_file(struct source *s, uint64_t *errors)
{
	struct pcap_src *ps = s->priv;

	if (ps->p != NULL) {
		pcap_close(ps->p);
		ps->p = NULL;
	}
	if (ps->fbuf == NULL)
		ps->fbuf = malloc(PCAP_FILE_BUF); /* NULL: stdio's own */
	while (ps->cur < ps->n_files) {
		const char *path = ps->files[ps->cur++];

		ps->p = pcap_open_file(path, ps->bpf, ps->fbuf);
		if (ps->p != NULL) {
			ps->dlt = pcap_datalink(ps->p);
			return 0;
		}
		(*errors)++;
	}
	return -1;
}

/*
 * A FIFO carrying a pcap stream (ntopng-gen-pcap -R, or tcpdump -w into
 * it) is read like a file, but libpcap's file reader blocks until a whole
 * record is there.  So it reads one record at a time, and only while the
 * descriptor says more bytes have arrived: the owner never waits on the
 * writer.  (Records that libpcap's stdio buffer already holds are read at
 * the next arrival, a few milliseconds later with a paced writer.)
 */
static int
pcap_src_read_fifo(struct source *s, int budget)
{
	struct pcap_src *ps = s->priv;
	int fd = fileno(pcap_file(ps->p)), n = 0;

	while (n < budget) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int r;

		if (poll(&pfd, 1, 0) <= 0)
			break;
		r = pcap_dispatch(ps->p, 1, pcap_src_frame, (u_char *)s);
		if (r <= 0) {
			if (r < 0) {
				log_err("%s: the feed is damaged: %s", s->spec,
					pcap_geterr(ps->p));
				s->errors++;
			}
			/* the writer closed the FIFO: the feed has ended */
			s->state = SOURCE_ENDED;
			break;
		}
		n += r;
	}
	return n;
}

/* The reader's batch to fill, waiting for room; NULL when stopped. */
static struct pcap_rd_batch *
pcap_rd_room(struct pcap_reader *rd)
{
	uint64_t head = rd->head; /* its own */

	pthread_mutex_lock(&rd->lock);
	if (head - rd->tail >= PCAP_RD_BATCHES) {
		/* full: woken once half of it is free, not for every batch
		 * (each wake-up would preempt the nDPI helper it shares a
		 * core with) */
		rd->waiting = 1;
		while (head - rd->tail > PCAP_RD_BATCHES / 2 &&
		       !__atomic_load_n(&rd->stop, __ATOMIC_ACQUIRE))
			pthread_cond_wait(&rd->cond, &rd->lock);
		rd->waiting = 0;
	}
	pthread_mutex_unlock(&rd->lock);
	if (__atomic_load_n(&rd->stop, __ATOMIC_ACQUIRE))
		return NULL;
	return &rd->b[head % PCAP_RD_BATCHES];
}

/* Hands the batch being filled to the owner. */
static void
pcap_rd_publish(struct pcap_src *ps, struct pcap_rd_batch *b)
{
	struct pcap_reader *rd = ps->rd;
	uint64_t one = 1;

	b->stats = ps->dec.stats;
	b->dlt = ps->dlt;
	b->errors = rd->errors;
	__atomic_store_n(&rd->head, rd->head + 1, __ATOMIC_RELEASE);
	if (write(rd->efd, &one, sizeof(one)) < 0) {
		/* saturated: the owner is woken anyway */
	}
}

/* Moves pointer q of a packet from [from, from + n) to to, if it is
 * there; a pointer into the frame copy [d, d + dn) stays; else NULL. */
static const uint8_t *
pcap_rd_rebase(const uint8_t *q, const uint8_t *from, size_t n,
	       const uint8_t *to, const uint8_t *d, size_t dn)
{
	if (q == NULL || (q >= d && q <= d + dn))
		return q;
	if (q >= from && q <= from + n)
		return to + (q - from);
	return NULL;
}

static void
pcap_rd_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct source *s = (struct source *)user;
	struct pcap_src *ps = s->priv;
	struct pcap_reader *rd = ps->rd;
	uint64_t ts =
		(uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
	uint32_t caplen =
		h->caplen < h->len || h->len == 0 ? h->caplen : h->len;
	struct pcap_rd_batch *b = &rd->b[rd->head % PCAP_RD_BATCHES];
	struct pkt *pk;
	uint8_t *d;

	if (caplen > 65536)
		caplen = 65536; /* libpcap's own bound is lower */
	/* room for the frame and for a reassembled datagram */
	if (b->n == PCAP_RD_PKTS || b->off + caplen + 65536 > PCAP_RD_BYTES) {
		pcap_rd_publish(ps, b);
		b = pcap_rd_room(rd);
		if (b == NULL) {
			rd->aborted = 1;
			pcap_breakloop(ps->p);
			return;
		}
		b->n = 0;
		b->off = 0;
	}
	d = b->buf + b->off;
	memcpy(d, data, caplen);
	b->off += (caplen + 63) & ~(size_t)63;
	pk = &b->pk[b->n];
	b->res[b->n] = (int)capture_decode(&ps->dec, ps->dlt, ts, h->len, d,
					   caplen, pk);
	if (pk->l3 != NULL && !(pk->l3 >= d && pk->l3 <= d + caplen)) {
		/* a datagram the decoder reassembled in its own buffer,
		 * which the next frame may reuse: copied too */
		uint8_t *c = b->buf + b->off;
		const uint8_t *l3 = pk->l3;

		memcpy(c, l3, pk->l3_len);
		b->off += ((size_t)pk->l3_len + 63) & ~(size_t)63;
		pk->l4_payload = pcap_rd_rebase(pk->l4_payload, l3, pk->l3_len,
						c, d, caplen);
		if (pk->l4_payload == NULL)
			pk->l4_payload_len = 0;
		pk->l3 = c;
	}
	b->n++;
}

static void *
pcap_rd_thread(void *arg)
{
	struct source *s = arg;
	struct pcap_src *ps = s->priv;
	struct pcap_reader *rd = ps->rd;
	struct pcap_rd_batch *b;

	log_set_role("pcap-reader");
	pthread_setname_np(pthread_self(), "pcap-reader");
	b = pcap_rd_room(rd);
	if (b != NULL) {
		b->n = 0;
		b->off = 0;
	}
	while (b != NULL && !rd->aborted && ps->p != NULL) {
		int n = pcap_dispatch(ps->p, PCAP_RD_PKTS * 4, pcap_rd_frame,
				      (u_char *)s);

		if (rd->aborted)
			break;
		b = &rd->b[rd->head % PCAP_RD_BATCHES];
		if (n > 0)
			continue;
		if (n < 0 && n != PCAP_ERROR_BREAK) {
			log_err("%s: file %s is damaged, skipping the rest of "
				"it: %s",
				s->spec, ps->files[ps->cur - 1],
				pcap_geterr(ps->p));
			rd->errors++;
		}
		if (pcap_src_next_file(s, &rd->errors) != 0)
			break;
	}
	if (!rd->aborted && b != NULL) {
		if (b->n > 0)
			pcap_rd_publish(ps, b);
		else
			b->errors = rd->errors;
	}
	__atomic_store_n(&rd->ended, 1, __ATOMIC_RELEASE);
	if (write(rd->efd, &(uint64_t){ 1 }, sizeof(uint64_t)) < 0) {
		/* saturated */
	}
	return NULL;
}

static int
pcap_rd_start(struct source *s)
{
	struct pcap_src *ps = s->priv;
	struct pcap_reader *rd = calloc(1, sizeof(*rd));
	int rc;

	if (rd == NULL)
		return -1;
	rd->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (rd->efd < 0) {
		free(rd);
		return -1;
	}
	pthread_mutex_init(&rd->lock, NULL);
	pthread_cond_init(&rd->cond, NULL);
	ps->rd = rd;
	ps->errors_base = s->errors;
	ps->snap_stats = ps->dec.stats;
	ps->snap_dlt = ps->dlt;
	/* off the core of the owner starting it */
	rc = cpus_worker_create(&rd->thread, cpus_bound_core(), pcap_rd_thread,
				s);
	if (rc != 0) {
		log_warn("%s: no reader thread (%s): read by the interface's",
			 s->spec, strerror(rc));
		close(rd->efd);
		pthread_mutex_destroy(&rd->lock);
		pthread_cond_destroy(&rd->cond);
		free(rd);
		ps->rd = NULL;
		return -1;
	}
	rd->started = 1;
	return 0;
}

static void
pcap_rd_stop(struct pcap_src *ps)
{
	struct pcap_reader *rd = ps->rd;

	if (rd == NULL)
		return;
	__atomic_store_n(&rd->stop, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&rd->lock);
	pthread_cond_broadcast(&rd->cond);
	pthread_mutex_unlock(&rd->lock);
	pthread_join(rd->thread, NULL);
	close(rd->efd);
	pthread_mutex_destroy(&rd->lock);
	pthread_cond_destroy(&rd->cond);
	free(rd);
	ps->rd = NULL;
}

/* The owner's read() of a source with a reader: the batches it has
 * filled, in order, at least one when there is one. */
static int
pcap_rd_read(struct source *s, int budget)
{
	struct pcap_src *ps = s->priv;
	struct pcap_reader *rd = ps->rd;
	uint64_t v;
	int n = 0;

	if (!rd->first) {
		/* the first turn takes `budget` frames or the whole file, as
		 * the first read() without a reader does, before the
		 * interface's first housekeeping (which, for a small file,
		 * sees every host: RRD files, tests); bounded */
		uint64_t until = time_mono_ms() + 2000, now;
		uint64_t want =
			((uint64_t)budget + PCAP_RD_PKTS - 1) / PCAP_RD_PKTS;

		if (want > PCAP_RD_BATCHES)
			want = PCAP_RD_BATCHES;
		rd->first = 1;
		while (__atomic_load_n(&rd->head, __ATOMIC_ACQUIRE) - rd->tail <
			       want &&
		       !__atomic_load_n(&rd->ended, __ATOMIC_ACQUIRE) &&
		       (now = time_mono_ms()) < until) {
			struct pollfd pfd = { rd->efd, POLLIN, 0 };

			if (poll(&pfd, 1, (int)(until - now)) > 0 &&
			    read(rd->efd, &v, sizeof(v)) < 0) {
				/* EAGAIN: taken meanwhile */
			}
		}
	}
	if (read(rd->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing new */
	}
	while (n < budget) {
		uint64_t head = __atomic_load_n(&rd->head, __ATOMIC_ACQUIRE);
		struct pcap_rd_batch *b;
		const struct pkt *vp[PCAP_BATCH];
		int i, j;

		if (rd->tail == head)
			break;
		b = &rd->b[rd->tail % PCAP_RD_BATCHES];
		for (i = 0; i < b->n; i += PCAP_BATCH) {
			int m = b->n - i < PCAP_BATCH ? b->n - i : PCAP_BATCH;

			for (j = 0; j < m; j++) {
				vp[j] = &b->pk[i + j];
				s->records++;
				s->bytes += b->pk[i + j].wire_len;
			}
			if (ps->sink->on_packet_prefetch != NULL)
				ps->sink->on_packet_prefetch(ps->sink->ctx, vp,
							     m);
			for (j = 0; j < m; j++)
				ps->sink->on_packet(ps->sink->ctx, vp[j],
						    b->res[i + j]);
		}
		n += b->n;
		ps->snap_stats = b->stats;
		ps->snap_dlt = b->dlt;
		s->errors = ps->errors_base + b->errors;
		pthread_mutex_lock(&rd->lock);
		rd->tail++;
		if (rd->waiting && head - rd->tail <= PCAP_RD_BATCHES / 2)
			pthread_cond_signal(&rd->cond);
		pthread_mutex_unlock(&rd->lock);
	}
	if (n == 0 && __atomic_load_n(&rd->ended, __ATOMIC_ACQUIRE) &&
	    rd->tail == __atomic_load_n(&rd->head, __ATOMIC_ACQUIRE)) {
		s->errors = ps->errors_base + rd->errors;
		s->state = SOURCE_ENDED;
	}
	return n;
}

static int
pcap_src_read(struct source *s, const struct rec_sink *sink, int budget)
{
	struct pcap_src *ps = s->priv;
	int n;

	ps->sink = sink;
	/* a reader's: the handle is its thread's */
	if (ps->use_reader && (ps->rd != NULL || pcap_rd_start(s) == 0))
		return pcap_rd_read(s, budget);
	ps->use_reader = 0; /* no thread: read here */
	if (ps->p == NULL) {
		s->state = SOURCE_ENDED;
		return 0;
	}
	if (ps->fifo) {
		n = pcap_src_read_fifo(s, budget);
		pcap_src_flush(ps);
		return n;
	}
	n = pcap_dispatch(ps->p, budget, pcap_src_frame, (u_char *)s);
	pcap_src_flush(ps); /* nothing waits past a read() */
	if (s->kind == &capture_pcap_live_kind) {
		if (n < 0) {
			log_err("%s: capture failed: %s", s->spec,
				pcap_geterr(ps->p));
			s->errors++;
			s->state = SOURCE_FAILED;
			return 0;
		}
		return n;
	}
	if (n > 0)
		return n;
	if (n < 0) {
		log_err("%s: file %s is damaged, skipping the rest of it: %s",
			s->spec, ps->files[ps->cur - 1], pcap_geterr(ps->p));
		s->errors++;
	}
	/* end of this file: go on with the next one; opening it is progress,
	 * so the owner does not sleep before reading it */
	if (pcap_src_next_file(s, &s->errors) != 0) {
		s->state = SOURCE_ENDED;
		return 0;
	}
	return 1;
}

static int
pcap_src_fd(struct source *s)
{
	struct pcap_src *ps = s->priv;

	if (ps->rd != NULL)
		return ps->rd->efd;
	if (s->kind != &capture_pcap_live_kind || ps->p == NULL)
		return -1;
	if (ps->fifo)
		return fileno(pcap_file(ps->p));
	return pcap_get_selectable_fd(ps->p);
}

static void
pcap_src_stats(struct source *s, struct source_tick *t)
{
	struct pcap_src *ps = s->priv;
	struct pcap_stat st;

	/* once a second (housekeeping): the trailer warnings held back */
	ratelimit_flush(&ps->hwts_rl);
	if (s->kind != &capture_pcap_live_kind || ps->p == NULL)
		return;
	if (pcap_stats(ps->p, &st) == 0) {
		uint64_t d = (uint64_t)st.ps_drop + st.ps_ifdrop;

		if (d > ps->last_drops) {
			t->drops += d - ps->last_drops;
			ps->last_drops = d;
		}
	}
}

/* Reads a list file: returns the number of paths, or -1. */
static int
pcap_read_list(const char *path, char ***out)
{
	FILE *f = fopen(path, "r");
	char line[PATH_MAX + 2];
	char **v = NULL;
	int n = 0, lineno = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *b = line, *e;
		char **nv;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			log_err("%s:%d: line too long", path, lineno);
			goto fail;
		}
		e = strchr(b, '#');
		if (e != NULL)
			*e = '\0';
		while (*b == ' ' || *b == '\t')
			b++;
		e = b + strlen(b);
		while (e > b && (e[-1] == '\n' || e[-1] == '\r' ||
				 e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*b == '\0')
			continue;
		if (n == PCAP_MAX_LIST) {
			log_err("%s: more than %d files listed", path,
				PCAP_MAX_LIST);
			goto fail;
		}
		nv = realloc(v, sizeof(*v) * (size_t)(n + 1));
		if (nv == NULL)
			goto fail;
		v = nv;
		v[n] = strdup(b);
		if (v[n] == NULL)
			goto fail;
		n++;
	}
	fclose(f);
	*out = v;
	return n;
fail:
	while (n > 0)
		free(v[--n]);
	free(v);
	fclose(f);
	return -1;
}

/* A list file is text: no control characters but tabs and line ends in
 * its first 4 KiB (pcap and pcapng headers always hold some). */
static int
pcap_is_list(const char *path)
{
	unsigned char buf[4096];
	FILE *f = fopen(path, "rb");
	size_t n, i;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n < 4)
		return n > 0;
	for (i = 0; i < n; i++)
		if ((buf[i] < 0x20 && buf[i] != '\t' && buf[i] != '\n' &&
		     buf[i] != '\r') ||
		    buf[i] == 0x7f)
			return 0;
	return 1;
}

/* get/interface/sources.lua: the capture's counters and the decoder's
 * error counters (owner thread). */
static void
pcap_src_describe(struct source *s, json_t *obj)
{
	struct pcap_src *ps = s->priv;
	/* with a reader, what it had decoded as of the last batch taken */
	const struct decode_stats *d =
		ps->rd != NULL ? &ps->snap_stats : &ps->dec.stats;

	json_object_set_new(
		obj, "link_type",
		json_integer(ps->rd != NULL ? ps->snap_dlt : ps->dlt));
	json_object_set_new(obj, "files", json_integer(ps->n_files));
	json_object_set_new(obj, "capture_drops",
			    json_integer((json_int_t)ps->last_drops));
	json_object_set_new(obj, "decode_errors",
			    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "truncated",
				      (json_int_t)d->truncated, "bad_ip",
				      (json_int_t)d->bad_ip, "bad_l4",
				      (json_int_t)d->bad_l4, "unknown_dlt",
				      (json_int_t)d->unknown_dlt,
				      "frag_orphans",
				      (json_int_t)d->frag_orphans, "too_deep",
				      (json_int_t)d->too_deep));
	json_object_set_new(obj, "decoded",
			    json_pack("{s:I,s:I,s:I}", "non_ip",
				      (json_int_t)d->non_ip, "fragments",
				      (json_int_t)d->fragments, "tunnels",
				      (json_int_t)d->tunnels));
	if (ps->hwts_ixia)
		json_object_set_new(
			obj, "hw_timestamps",
			json_pack("{s:s,s:I,s:I,s:I}", "mode", "ixia",
				  "stamped", (json_int_t)ps->hwts.stamped,
				  "short", (json_int_t)ps->hwts.short_frames,
				  "invalid", (json_int_t)ps->hwts.invalid));
}

static struct source *
pcap_src_alloc(const char *spec, const struct source_kind *kind,
	       const struct capture_opts *o)
{
	struct source *s = calloc(1, sizeof(*s));
	struct pcap_src *ps = calloc(1, sizeof(*ps));

	if (s == NULL || ps == NULL) {
		free(s);
		free(ps);
		return NULL;
	}
	s->kind = kind;
	s->priv = ps;
	s->spec = strdup(spec);
	s->read = pcap_src_read;
	s->fd = pcap_src_fd;
	s->stats = pcap_src_stats;
	s->free = pcap_src_free;
	s->describe = pcap_src_describe;
	ps->bpf = o->bpf ? strdup(o->bpf) : NULL;
	ps->hwts_ixia = o->hwts_ixia;
	ps->hwts_rl = (struct ratelimit)RATELIMIT_INIT(2);
	/* NULL: frames are handed over one by one */
	ps->batch_buf = aligned_alloc(64, PCAP_BATCH_BYTES);
	decoder_init(&ps->dec);
	return s;
}

/* Resolves a device index ("2") to its name, as listed by -h. */
static char *
pcap_device_by_index(const char *spec)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_if_t *all, *d;
	char *end;
	long idx = strtol(spec, &end, 10);
	char *name = NULL;
	long i = 1;

	if (*spec == '\0' || *end != '\0' || idx < 1)
		return NULL;
	if (pcap_findalldevs(&all, err) != 0)
		return NULL;
	for (d = all; d != NULL; d = d->next, i++)
		if (i == idx) {
			name = strdup(d->name);
			break;
		}
	pcap_freealldevs(all);
	return name;
}

/* Creates and activates a capture on dev (non-blocking, bpf applied);
 * NULL with the cause in err.  at_open: the spec may also have been
 * meant as a file (the start-up's words). */
static pcap_t *
pcap_live_handle(const char *dev, const char *bpf, char *err, size_t errlen,
		 int at_open)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(dev, perr);

	if (p == NULL) {
		snprintf(err, errlen, "%s", perr);
		return NULL;
	}
	pcap_set_snaplen(p, PCAP_SNAPLEN);
	pcap_set_promisc(p, 1);
	pcap_set_timeout(p, 100);
	pcap_set_immediate_mode(p, 0);
	if (pcap_activate(p) < 0) {
		snprintf(err, errlen, "%s: %s",
			 at_open ? "no such file, and cannot capture on a "
				   "device of that name"
				 : "cannot capture",
			 pcap_geterr(p));
		goto fail;
	}
	if (pcap_setnonblock(p, 1, perr) != 0) {
		snprintf(err, errlen, "%s", perr);
		goto fail;
	}
	if (pcap_apply_filter(p, bpf, dev) != 0) {
		snprintf(err, errlen, "cannot set the filter");
		goto fail;
	}
	return p;
fail:
	pcap_close(p);
	return NULL;
}

/* Disabled interface: the capture is closed (the kernel stops copying
 * packets for it); counters and the decoder's state stay. */
static void
pcap_live_suspend(struct source *s)
{
	struct pcap_src *ps = s->priv;

	if (ps->p != NULL)
		pcap_close(ps->p);
	ps->p = NULL;
	ps->last_drops = 0; /* a new handle counts from 0 */
	log_info("-i %s: capture closed", s->spec);
}

static int
pcap_live_resume(struct source *s, char *err, size_t errlen)
{
	struct pcap_src *ps = s->priv;
	char why[PCAP_ERRBUF_SIZE + 128];

	if (ps->p == NULL) {
		ps->p = pcap_live_handle(s->spec, ps->bpf, why, sizeof(why), 0);
		if (ps->p == NULL) {
			snprintf(err, errlen, "-i %s: %s", s->spec, why);
			return -1;
		}
		ps->dlt = pcap_datalink(ps->p);
	}
	log_info("-i %s: capturing again", s->spec);
	return 0;
}

static struct source *
pcap_open_live_src(const char *spec, const struct capture_opts *o)
{
	char err[PCAP_ERRBUF_SIZE + 128] = "";
	char *byidx = pcap_device_by_index(spec);
	const char *dev = byidx ? byidx : spec;
	/* the source is named by the device, not by its index */
	struct source *s = pcap_src_alloc(dev, &capture_pcap_live_kind, o);
	struct pcap_src *ps;

	if (s == NULL)
		goto fail;
	ps = s->priv;
	ps->p = pcap_live_handle(dev, o->bpf, err, sizeof(err), 1);
	if (ps->p == NULL) {
		log_err("-i %s: %s", spec, err);
		goto fail;
	}
	ps->dlt = pcap_datalink(ps->p);
	s->suspend = pcap_live_suspend;
	s->resume = pcap_live_resume;
	free(byidx);
	return s;
fail:
	free(byidx);
	pcap_src_free(s);
	return NULL;
}

/* A FIFO: a live feed (its clock is the wall clock, like a device's).
 * Opening waits for the writer, as opening any FIFO for reading does. */
static struct source *
pcap_open_fifo_src(const char *spec, const struct capture_opts *o)
{
	struct source *s = pcap_src_alloc(spec, &capture_pcap_live_kind, o);
	struct pcap_src *ps;

	if (s == NULL)
		return NULL;
	ps = s->priv;
	ps->fifo = 1;
	ps->p = pcap_open_file(spec, o->bpf, NULL);
	if (ps->p == NULL) {
		pcap_src_free(s);
		return NULL;
	}
	ps->dlt = pcap_datalink(ps->p);
	return s;
}

struct source *
capture_pcap_open(const char *spec, const struct capture_opts *o)
{
	struct source *s;
	struct pcap_src *ps;
	struct stat st;
	int i;

	if (stat(spec, &st) == 0 && S_ISFIFO(st.st_mode))
		return pcap_open_fifo_src(spec, o);
	if (stat(spec, &st) != 0 || !S_ISREG(st.st_mode))
		return pcap_open_live_src(spec, o);

	s = pcap_src_alloc(spec, &capture_pcap_file_kind, o);
	if (s == NULL)
		return NULL;
	ps = s->priv;
	if (pcap_is_list(spec)) {
		ps->n_files = pcap_read_list(spec, &ps->files);
		if (ps->n_files <= 0) {
			log_err("%s: neither a pcap file nor a list of pcap "
				"files",
				spec);
			goto fail;
		}
	} else {
		ps->files = calloc(1, sizeof(char *));
		if (ps->files == NULL)
			goto fail;
		ps->files[0] = strdup(spec);
		ps->n_files = 1;
	}
	/* every listed file must open now: one clear error at start-up */
	for (i = 0; i < ps->n_files; i++) {
		pcap_t *p = pcap_open_file(ps->files[i], o->bpf, NULL);

		if (p == NULL)
			goto fail;
		pcap_close(p);
	}
	if (pcap_src_next_file(s, &s->errors) != 0)
		goto fail;
	ps->use_reader = o->reader && !o->hwts_ixia;
	return s;
fail:
	pcap_src_free(s);
	return NULL;
}

static struct source *
pcap_kind_open(const char *spec, const struct prefs *p)
{
	struct capture_opts o = { p->packet_filter,
				  p->hw_timestamp_mode != NULL &&
					  !strcmp(p->hw_timestamp_mode, "ixia"),
				  p->workers > 1 };

	return capture_pcap_open(spec, &o);
}

/* ifname shows a file by its name without directories (rest-api.md
 * 4.1: "test_01.pcap" for -i /some/dir/test_01.pcap) and a device by
 * its name ("-i 2" is "lo"). */
static const char *
pcap_file_label(const struct source *s, const char *item)
{
	const char *slash = strrchr(item, '/');

	(void)s;
	return slash != NULL && slash[1] != '\0' ? slash + 1 : item;
}

static const char *
pcap_live_label(const struct source *s, const char *item)
{
	return s->spec != NULL ? s->spec : item;
}

const struct source_kind capture_pcap_live_kind = {
	.name = "pcap_live",
	.match = NULL, /* anything else is a device or a file */
	.open = pcap_kind_open,
	.packets = 1,
	.label = pcap_live_label,
};

const struct source_kind capture_pcap_file_kind = {
	.name = "pcap_file",
	.match = NULL,
	.open = pcap_kind_open,
	.offline = 1,
	.packets = 1,
	.label = pcap_file_label,
};
