/*
 * reliable.c - acknowledged -I links with an on-disk spool (reliable.h,
 * docs/hierarchy.md "Reliable links").
 *
 * Spool: segment files <dir>/<first seq, 16 hex digits>.seg, appended
 * to, never rewritten.  One entry:
 *   "NSP1" | u32 body length | u32 CRC-32 of the body | body
 *   body: u64 epoch, seq, made_ms, records, bytes, packets (big-endian),
 *         u8 version, u8 topic length, topic, payload
 * The index of the entries still held is in memory; a resend reads the
 * entry back (bounded read, length and CRC checked).  A segment goes
 * when all its entries are acknowledged or dropped.  On load, an entry
 * with a bad magic, length, CRC or sequence ends its segment: the rest
 * of it is reported and skipped (counted as corrupt), never trusted.
 * Writes are not fsync'ed: the spool survives the process (kill -9),
 * not necessarily a power cut.
 *
 * Sequence: batches are numbered +1 within an epoch (the wall clock in
 * ms when the spool was found empty); a restart with a non-empty spool
 * keeps its epoch and continues after its last sequence.
 */
#include "exporter/reliable.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <zlib.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/timeutil.h"

#define SP_MAGIC "NSP1"
#define SP_HEAD 12
#define SP_BODY_FIXED 50 /* 6 u64 + version + topic length */
#define SP_MAX_BODY (SP_BODY_FIXED + 255 + (1u << 20))
#define SP_MAX_SEGS 4096
#define REL_RESEND_BURST 64	   /* batches resent per exporter loop */
#define REL_STALL_MS 5000	   /* no acknowledgement progress: resend */
#define REL_DEAD_MS 4000	   /* no acknowledgement at all: reconnect */
#define REL_DROP_LEDGER (1u << 16) /* dropped batches awaiting their fate */

struct sp_ent {
	uint64_t seq, made_ms, records, bytes, pkts;
	uint32_t seg; /* index in segs[] */
	uint32_t len; /* whole entry, head included */
	uint64_t off;
};

struct sp_seg {
	uint64_t first_seq;
	uint64_t size;
	uint32_t live; /* entries still held */
	int gone;
};

struct sp_drop {
	uint64_t seq, records, bytes, pkts;
};

struct rel_link {
	char dir[4096];
	char node[REL_ID_MAX + 1];
	uint64_t cap, seg_max;
	rel_send_fn send;
	void *ctx;

	struct sp_seg *segs; /* [SP_MAX_SEGS], by index; a ring */
	uint32_t seg_first, seg_n;
	int wfd; /* current segment, -1: none */

	struct sp_ent *ents; /* ring of held entries, oldest first */
	size_t ent_cap, ent_head, ent_n;
	size_t cursor; /* entries [0, cursor) sent on this connection */

	struct sp_drop *drops; /* ring: dropped, fate unknown */
	size_t drop_head, drop_n;

	uint64_t epoch, next_seq, acked_seq, max_sent_seq;
	uint64_t spool_bytes; /* the segment files' sizes */
	uint64_t held_bytes;  /* the entries still held */
	int up;
	uint64_t last_progress_ms;
	uint64_t last_ack_rx_ms, last_goback_ms;
	uint64_t await_ms; /* since when a sent batch waits, 0: none */
	struct rel_stats st;
};

static void
put_be(uint8_t *b, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get_be(const uint8_t *b, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

static struct sp_ent *
ent_at(struct rel_link *l, size_t i)
{
	return &l->ents[(l->ent_head + i) % l->ent_cap];
}

static struct sp_seg *
seg_at(struct rel_link *l, uint32_t idx)
{
	return &l->segs[idx % SP_MAX_SEGS];
}

static void
seg_path(const struct rel_link *l, uint64_t first, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%016" PRIx64 ".seg", l->dir, first);
}

static int
ent_push(struct rel_link *l, const struct sp_ent *e)
{
	if (l->ent_n == l->ent_cap) {
		size_t ncap = l->ent_cap ? l->ent_cap * 2 : 1024;
		struct sp_ent *n = malloc(ncap * sizeof(*n));

		if (n == NULL)
			return -1;
		for (size_t i = 0; i < l->ent_n; i++)
			n[i] = *ent_at(l, i);
		free(l->ents);
		l->ents = n;
		l->ent_cap = ncap;
		l->ent_head = 0;
	}
	*ent_at(l, l->ent_n) = *e;
	l->ent_n++;
	return 0;
}

/* Removes the oldest segments that hold nothing any more. */
static void
segs_reap(struct rel_link *l)
{
	char path[4200];

	while (l->seg_n > 1 || (l->seg_n == 1 && l->wfd < 0)) {
		struct sp_seg *s = seg_at(l, l->seg_first);

		if (s->live > 0)
			break;
		seg_path(l, s->first_seq, path, sizeof(path));
		if (unlink(path) != 0 && errno != ENOENT)
			log_warn("spool %s: %s", path, strerror(errno));
		l->spool_bytes -= s->size;
		s->gone = 1;
		l->seg_first++;
		l->seg_n--;
	}
}

/* Drops the oldest held entry: released (acknowledged) or lost. */
static void
ent_pop(struct rel_link *l, int lost)
{
	struct sp_ent *e = ent_at(l, 0);

	seg_at(l, e->seg)->live--;
	l->held_bytes -= e->len;
	if (lost) {
		struct sp_drop *d;

		if (l->drop_n == REL_DROP_LEDGER) {
			/* ledger full: the oldest counts as lost now */
			d = &l->drops[l->drop_head];
			l->st.loss_batches++;
			l->st.loss_records += d->records;
			l->st.loss_bytes += d->bytes;
			l->st.loss_pkts += d->pkts;
			l->drop_head = (l->drop_head + 1) % REL_DROP_LEDGER;
			l->drop_n--;
		}
		d = &l->drops[(l->drop_head + l->drop_n) % REL_DROP_LEDGER];
		d->seq = e->seq;
		d->records = e->records;
		d->bytes = e->bytes;
		d->pkts = e->pkts;
		l->drop_n++;
	}
	l->ent_head = (l->ent_head + 1) % l->ent_cap;
	l->ent_n--;
	if (l->cursor > 0)
		l->cursor--;
}

static int
seg_new(struct rel_link *l, uint64_t first)
{
	char path[4200];
	struct sp_seg *s;

	if (l->wfd >= 0) {
		close(l->wfd);
		l->wfd = -1;
	}
	segs_reap(l);
	if (l->seg_n == SP_MAX_SEGS)
		return -1;
	seg_path(l, first, path, sizeof(path));
	l->wfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (l->wfd < 0) {
		log_warn("spool %s: %s", path, strerror(errno));
		return -1;
	}
	s = seg_at(l, l->seg_first + l->seg_n);
	memset(s, 0, sizeof(*s));
	s->first_seq = first;
	l->seg_n++;
	return 0;
}

/* Makes room for need bytes: drops the oldest segments' entries. */
static void
spool_make_room(struct rel_link *l, uint64_t need)
{
	while (l->spool_bytes + need > l->cap && l->seg_n > 0) {
		uint32_t idx = l->seg_first;

		if (l->seg_n == 1 && l->wfd >= 0) {
			/* the segment being written: close it first */
			close(l->wfd);
			l->wfd = -1;
		}
		while (l->ent_n > 0 && ent_at(l, 0)->seg == idx)
			ent_pop(l, 1);
		segs_reap(l);
		if (l->seg_first == idx)
			break; /* cannot happen: live is 0 now */
	}
}

static void
rel_send_entry(struct rel_link *l, const struct sp_ent *e, const char *topic,
	       int version, const void *payload, size_t len)
{
	uint8_t tr[REL_TRAILER_FIXED + REL_ID_MAX];
	uint64_t now = time_wall_ms();
	uint64_t v[12];
	size_t n;

	if (l->await_ms == 0)
		l->await_ms = time_mono_ms();
	if (e->seq <= l->max_sent_seq)
		l->st.resends++;
	else
		l->max_sent_seq = e->seq;
	v[0] = l->epoch;
	v[1] = e->seq;
	v[2] = l->ent_n ? ent_at(l, 0)->seq : e->seq;
	v[3] = l->st.resends;
	v[4] = l->ent_n;
	v[5] = l->held_bytes;
	v[6] = l->ent_n && now > ent_at(l, 0)->made_ms
		       ? now - ent_at(l, 0)->made_ms
		       : 0;
	v[7] = l->st.loss_batches;
	v[8] = l->st.loss_records;
	v[9] = l->st.loss_bytes;
	v[10] = l->st.loss_pkts;
	v[11] = e->made_ms;
	n = rel_trailer_encode(tr, sizeof(tr), l->node, v);
	l->send(l->ctx, topic, version, payload, len, tr, n);
}

size_t
rel_trailer_encode(uint8_t *b, size_t size, const char *node,
		   const uint64_t v[12])
{
	size_t id = strnlen(node, REL_ID_MAX);

	if (size < REL_TRAILER_FIXED + id)
		return 0;
	memcpy(b, REL_TRAILER_MAGIC, 4);
	for (int i = 0; i < 12; i++)
		put_be(b + 4 + 8 * i, v[i], 8);
	b[100] = (uint8_t)id;
	memcpy(b + REL_TRAILER_FIXED, node, id);
	return REL_TRAILER_FIXED + id;
}

/* Reads entry e back from its segment, checking it (bounded). */
static uint8_t *
entry_read(struct rel_link *l, const struct sp_ent *e, uint32_t *blen)
{
	char path[4200];
	uint8_t head[SP_HEAD], *body = NULL;
	uint32_t n;
	int fd;

	seg_path(l, seg_at(l, e->seg)->first_seq, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (pread(fd, head, SP_HEAD, (off_t)e->off) != SP_HEAD ||
	    memcmp(head, SP_MAGIC, 4) != 0)
		goto bad;
	n = (uint32_t)get_be(head + 4, 4);
	if (n < SP_BODY_FIXED || n > SP_MAX_BODY || n + SP_HEAD != e->len)
		goto bad;
	body = malloc(n);
	if (body == NULL ||
	    pread(fd, body, n, (off_t)e->off + SP_HEAD) != (ssize_t)n ||
	    crc32(0, body, n) != get_be(head + 8, 4) ||
	    get_be(body + 8, 8) != e->seq ||
	    SP_BODY_FIXED + (size_t)body[49] > n)
		goto bad;
	close(fd);
	*blen = n;
	return body;
bad:
	free(body);
	close(fd);
	return NULL;
}

/* Sends the held entries from the cursor on, at most max of them. */
static void
rel_pump(struct rel_link *l, size_t max)
{
	while (l->up && l->cursor < l->ent_n && max-- > 0) {
		struct sp_ent *e = ent_at(l, l->cursor);
		uint32_t n = 0;
		uint8_t *b = entry_read(l, e, &n);
		char topic[256];

		if (b == NULL) {
			/* a damaged entry cannot be resent: lost */
			l->st.corrupt++;
			log_warn("spool %s: batch %" PRIu64
				 " unreadable, dropped (declared loss)",
				 l->dir, e->seq);
			if (l->cursor == 0) {
				ent_pop(l, 1);
				segs_reap(l);
				continue;
			}
			l->cursor++;
			continue;
		}
		memcpy(topic, b + SP_BODY_FIXED, b[49]);
		topic[b[49]] = '\0';
		rel_send_entry(l, e, topic, b[48], b + SP_BODY_FIXED + b[49],
			       n - SP_BODY_FIXED - b[49]);
		free(b);
		l->cursor++;
	}
}

void
rel_submit(struct rel_link *l, const char *topic, int version,
	   const void *payload, size_t len, uint64_t records, uint64_t bytes,
	   uint64_t pkts)
{
	size_t tl = strnlen(topic, 255);
	uint32_t body = (uint32_t)(SP_BODY_FIXED + tl + len);
	uint8_t head[SP_HEAD], fixed[SP_BODY_FIXED];
	struct sp_ent e;
	struct sp_seg *s;
	uLong crc;

	if (body > SP_MAX_BODY)
		return;
	memset(&e, 0, sizeof(e));
	e.seq = l->next_seq++;
	e.made_ms = time_wall_ms();
	e.records = records;
	e.bytes = bytes;
	e.pkts = pkts;
	e.len = SP_HEAD + body;
	l->st.batches++;
	spool_make_room(l, e.len);
	if (l->spool_bytes + e.len > l->cap) {
		/* larger than the whole spool: sent once, never kept */
		l->st.loss_batches++;
		l->st.loss_records += records;
		l->st.loss_bytes += bytes;
		l->st.loss_pkts += pkts;
		return;
	}
	if ((l->wfd < 0 ||
	     seg_at(l, l->seg_first + l->seg_n - 1)->size + e.len >
		     l->seg_max) &&
	    seg_new(l, e.seq) != 0)
		goto lost;
	put_be(fixed, l->epoch, 8);
	put_be(fixed + 8, e.seq, 8);
	put_be(fixed + 16, e.made_ms, 8);
	put_be(fixed + 24, records, 8);
	put_be(fixed + 32, bytes, 8);
	put_be(fixed + 40, pkts, 8);
	fixed[48] = (uint8_t)version;
	fixed[49] = (uint8_t)tl;
	crc = crc32(0, fixed, SP_BODY_FIXED);
	crc = crc32(crc, (const Bytef *)topic, (uInt)tl);
	crc = crc32(crc, payload, (uInt)len);
	memcpy(head, SP_MAGIC, 4);
	put_be(head + 4, body, 4);
	put_be(head + 8, crc, 4);
	s = seg_at(l, l->seg_first + l->seg_n - 1);
	e.seg = l->seg_first + l->seg_n - 1;
	e.off = s->size;
	{
		struct iovec iov[4] = { { head, SP_HEAD },
					{ fixed, SP_BODY_FIXED },
					{ (void *)(uintptr_t)topic, tl },
					{ (void *)(uintptr_t)payload, len } };

		/* one call; a short write leaves a tail the load refuses */
		if (writev(l->wfd, iov, 4) != (ssize_t)e.len) {
			log_warn("spool %s: write: %s", l->dir,
				 strerror(errno));
			close(l->wfd);
			l->wfd = -1;
			goto lost;
		}
	}
	s->size += e.len;
	s->live++;
	l->spool_bytes += e.len;
	l->held_bytes += e.len;
	if (ent_push(l, &e) != 0) {
		s->live--;
		goto lost;
	}
	if (l->up && l->cursor == l->ent_n - 1) {
		rel_send_entry(l, &e, topic, version, payload, len);
		l->cursor++;
	}
	return;
lost:
	l->st.loss_batches++;
	l->st.loss_records += records;
	l->st.loss_bytes += bytes;
	l->st.loss_pkts += pkts;
}

void
rel_connected(struct rel_link *l, int up)
{
	if (up)
		log_info("spool %s: peer subscribed, %zu batch(es) to send",
			 l->dir, l->ent_n);
	else
		log_info("spool %s: peer gone, %zu batch(es) held", l->dir,
			 l->ent_n);
	l->up = up;
	l->cursor = 0; /* a new connection: everything held goes again */
	l->await_ms = 0;
	l->last_progress_ms = time_mono_ms();
	if (up)
		rel_pump(l, REL_RESEND_BURST);
}

/* The fate of the dropped batches the peer's acknowledgement covers:
 * those in its skipped range never arrived (declared loss), the others
 * had arrived before their acknowledgement was lost. */
static void
drops_settle(struct rel_link *l, uint64_t acked, uint64_t skip_from,
	     uint64_t skip_to)
{
	while (l->drop_n > 0) {
		struct sp_drop *d = &l->drops[l->drop_head];

		if (d->seq > acked)
			break;
		if (d->seq >= skip_from && d->seq <= skip_to) {
			l->st.loss_batches++;
			l->st.loss_records += d->records;
			l->st.loss_bytes += d->bytes;
			l->st.loss_pkts += d->pkts;
		}
		l->drop_head = (l->drop_head + 1) % REL_DROP_LEDGER;
		l->drop_n--;
	}
}

void
rel_on_message(struct rel_link *l, const uint8_t *msg, size_t len)
{
	uint64_t epoch, acked, from, to;
	size_t id;

	if (len < REL_ACK_FIXED || memcmp(msg, REL_ACK_MAGIC, 4) != 0)
		return;
	id = msg[36];
	if (len != REL_ACK_FIXED + id || id != strlen(l->node) ||
	    memcmp(msg + REL_ACK_FIXED, l->node, id) != 0)
		return; /* another sender's */
	l->last_ack_rx_ms = time_mono_ms();
	epoch = get_be(msg + 4, 8);
	acked = get_be(msg + 12, 8);
	from = get_be(msg + 20, 8);
	to = get_be(msg + 28, 8);
	if (epoch != l->epoch || acked >= l->next_seq)
		return;
	drops_settle(l, acked, from, to);
	if (acked <= l->acked_seq && l->acked_seq != 0)
		return;
	l->acked_seq = acked;
	l->last_progress_ms = time_mono_ms();
	/* what is still sent and unacknowledged waits from now on */
	l->await_ms = l->cursor > 0 && acked < l->max_sent_seq
			      ? l->last_progress_ms
			      : 0;
	while (l->ent_n > 0 && ent_at(l, 0)->seq <= acked) {
		ent_pop(l, 0);
		l->st.acked++;
	}
	/* all acknowledged: a long written segment can go now */
	if (l->ent_n == 0 && l->wfd >= 0 && l->seg_n == 1 &&
	    seg_at(l, l->seg_first)->size >= l->seg_max / 4) {
		close(l->wfd);
		l->wfd = -1;
	}
	segs_reap(l);
}

int
rel_tick(struct rel_link *l, uint64_t now_ms)
{
	if (!l->up)
		return 0;
	/* sent batches wait and the peer says nothing at all: the
	 * connection is dead (a cut link keeps TCP waiting for minutes) */
	if (l->await_ms != 0 && now_ms > l->await_ms + REL_DEAD_MS &&
	    now_ms > l->last_ack_rx_ms + REL_DEAD_MS) {
		log_info("spool %s: no acknowledgement for %d s: reconnecting "
			 "(%zu batch(es) held)",
			 l->dir, REL_DEAD_MS / 1000, l->ent_n);
		l->st.reconnects++;
		return 1;
	}
	if (l->cursor < l->ent_n) {
		rel_pump(l, REL_RESEND_BURST);
		return 0;
	}
	/* all sent, the peer answers but does not move on (it waits for a
	 * batch lost in a connection that died): go back and resend.  A
	 * silent peer is a dead connection, which the heartbeat closes. */
	if (l->ent_n > 0 && now_ms > l->last_progress_ms + REL_STALL_MS &&
	    l->last_ack_rx_ms > l->last_goback_ms) {
		log_info("spool %s: acknowledgements stalled at %" PRIu64
			 ": resending %zu batch(es)",
			 l->dir, l->acked_seq, l->ent_n);
		l->cursor = 0;
		l->last_progress_ms = now_ms;
		l->last_goback_ms = now_ms;
		rel_pump(l, REL_RESEND_BURST);
	} else if (l->ent_n == 0) {
		l->last_progress_ms = now_ms;
	}
	return 0;
}

void
rel_get_stats(struct rel_link *l, struct rel_stats *out)
{
	uint64_t now = time_wall_ms();

	*out = l->st;
	out->spool_batches = l->ent_n;
	out->spool_bytes = l->held_bytes;
	out->spool_oldest_age_ms = l->ent_n && now > ent_at(l, 0)->made_ms
					   ? now - ent_at(l, 0)->made_ms
					   : 0;
	out->spool_dropped = l->drop_n;
	out->epoch = l->epoch;
	out->next_seq = l->next_seq;
	out->acked_seq = l->acked_seq;
	out->connected = l->up;
}

/* ---- loading ---- */

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Loads one segment's entries; a bad entry ends it (reported). */
static void
seg_load(struct rel_link *l, uint64_t first)
{
	char path[4200];
	uint8_t head[SP_HEAD], fixed[SP_BODY_FIXED], *buf = NULL;
	struct sp_seg *s;
	uint64_t off = 0;
	uint32_t idx;
	int fd;

	seg_path(l, first, path, sizeof(path));
	if (l->seg_n == SP_MAX_SEGS)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	idx = l->seg_first + l->seg_n;
	s = seg_at(l, idx);
	memset(s, 0, sizeof(*s));
	s->first_seq = first;
	l->seg_n++;
	buf = malloc(SP_MAX_BODY);
	for (; buf != NULL;) {
		ssize_t r = pread(fd, head, SP_HEAD, (off_t)off);
		uint32_t n;
		struct sp_ent e;
		uint64_t epoch;

		if (r == 0)
			break;
		if (r != SP_HEAD || memcmp(head, SP_MAGIC, 4) != 0)
			goto bad;
		n = (uint32_t)get_be(head + 4, 4);
		if (n < SP_BODY_FIXED || n > SP_MAX_BODY ||
		    pread(fd, buf, n, (off_t)off + SP_HEAD) != (ssize_t)n ||
		    crc32(0, buf, n) != get_be(head + 8, 4) ||
		    SP_BODY_FIXED + (size_t)buf[49] > n)
			goto bad;
		memcpy(fixed, buf, SP_BODY_FIXED);
		epoch = get_be(fixed, 8);
		memset(&e, 0, sizeof(e));
		e.seq = get_be(fixed + 8, 8);
		e.made_ms = get_be(fixed + 16, 8);
		e.records = get_be(fixed + 24, 8);
		e.bytes = get_be(fixed + 32, 8);
		e.pkts = get_be(fixed + 40, 8);
		if (l->epoch == 0)
			l->epoch = epoch;
		if (epoch != l->epoch || e.seq < l->next_seq)
			goto bad; /* out of order or of another epoch */
		e.seg = idx;
		e.off = off;
		e.len = SP_HEAD + n;
		if (ent_push(l, &e) != 0)
			break;
		s->live++;
		l->held_bytes += e.len;
		l->next_seq = e.seq + 1;
		l->st.loaded++;
		off += e.len;
	}
	goto out;
bad:
	l->st.corrupt++;
	log_warn("spool %s: damaged entry at offset %" PRIu64
		 ": the rest of this segment is skipped",
		 path, off);
out:
	s->size = off;
	l->spool_bytes += off;
	free(buf);
	close(fd);
}

static void
spool_load(struct rel_link *l)
{
	DIR *d = opendir(l->dir);
	struct dirent *de;
	uint64_t *firsts = NULL;
	size_t n = 0, cap = 0;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *end;
		uint64_t v;

		if (strlen(de->d_name) != 20 ||
		    strcmp(de->d_name + 16, ".seg") != 0)
			continue;
		v = strtoull(de->d_name, &end, 16);
		if (end != de->d_name + 16)
			continue;
		if (n == cap) {
			uint64_t *nf;

			cap = cap ? cap * 2 : 64;
			nf = realloc(firsts, cap * sizeof(*firsts));
			if (nf == NULL)
				break;
			firsts = nf;
		}
		firsts[n++] = v;
	}
	closedir(d);
	if (n > 0)
		qsort(firsts, n, sizeof(*firsts), u64_cmp);
	for (size_t i = 0; i < n; i++)
		seg_load(l, firsts[i]);
	free(firsts);
	segs_reap(l); /* empty or fully damaged segments */
}

struct rel_link *
rel_open(const char *dir, uint64_t cap, const char *node, rel_send_fn send,
	 void *ctx)
{
	struct rel_link *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->drops = calloc(REL_DROP_LEDGER, sizeof(*l->drops));
	l->segs = calloc(SP_MAX_SEGS, sizeof(*l->segs));
	if (l->drops == NULL || l->segs == NULL ||
	    (size_t)snprintf(l->dir, sizeof(l->dir), "%s", dir) >=
		    sizeof(l->dir) ||
	    fs_mkdir_p(dir) != 0) {
		log_err("--export-reliable: spool %s: %s", dir,
			strerror(errno));
		rel_close(l);
		return NULL;
	}
	snprintf(l->node, sizeof(l->node), "%s", node);
	l->cap = cap;
	l->seg_max = cap / 8;
	if (l->seg_max < 64 * 1024)
		l->seg_max = 64 * 1024;
	if (l->seg_max > 8 * 1024 * 1024)
		l->seg_max = 8 * 1024 * 1024;
	l->send = send;
	l->ctx = ctx;
	l->wfd = -1;
	l->next_seq = 1;
	spool_load(l);
	if (l->ent_n == 0) {
		/* nothing held: a new epoch, the peer starts afresh */
		l->epoch = time_wall_ms();
		l->next_seq = 1;
	}
	l->last_progress_ms = time_mono_ms();
	log_info("spool %s: %zu batch(es) of %" PRIu64
		 " bytes to resend, epoch %" PRIu64 ", next batch %" PRIu64
		 " (at most %" PRIu64 " MB)",
		 dir, l->ent_n, l->spool_bytes, l->epoch, l->next_seq,
		 cap >> 20);
	return l;
}

void
rel_close(struct rel_link *l)
{
	if (l == NULL)
		return;
	if (l->wfd >= 0)
		close(l->wfd);
	l->wfd = -1;
	if (l->segs != NULL)
		segs_reap(l);
	free(l->segs);
	free(l->ents);
	free(l->drops);
	free(l);
}
