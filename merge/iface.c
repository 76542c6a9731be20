/*
 * iface.c - an interface's life: creation from one -i argument, the owner
 * thread's loop, and the mailbox through which other threads query it.
 *
 * The owner loop, in order, forever:
 *   1. read a bounded batch (IFACE_BATCH records) from each active source;
 *   2. answer every query waiting in the mailbox;
 *   3. once a second: throughput, idle purge, capture statistics;
 *   4. if no source had anything, sleep in poll() on the live sources'
 *      descriptors and the mailbox eventfd (at most 100 ms).
 * So a query waits at most one batch (well under a few milliseconds), and
 * tables are touched by this thread alone.
 *
 * Clocks: live sources purge by wall-clock idleness.  Offline inputs (pcap
 * files) carry their own time, which may jump by years; while they are
 * read, entries are purged (by packet time) only when a table is nearly
 * full, and once every offline input has ended nothing is purged, so the
 * final counts of a file stay visible (the --shutdown-when-done option
 * exits instead).
 *
 * Sources: iface_new() opens each comma-separated input through the table
 * of kinds (source_open(), merge/source.h) that main registers, so this
 * file knows no capture or collector module; the owner hands each
 * source's read() the interface's record sink (ifc->sink).
 *
 * The mailbox: iface_query() links a struct iface_query (on the caller's
 * stack) into a list under mbox_lock and pokes the eventfd; the owner
 * unlinks each entry under the lock, runs it without the lock, then marks
 * it done and broadcasts mbox_cond.  A caller that times out removes its
 * entry if the owner has not taken it yet, otherwise waits for it to
 * finish, so the owner never touches a dead stack frame.
 */
#include "merge/iface.h"
#include "merge/iface_priv.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "dpi/dpi.h"
#include "common/cpus.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/prefs.h"
#include "merge/alerts.h"
#include "merge/alerts_thr.h"
#include "merge/dpiw.h"
#include "merge/sink.h"
#include "merge/source.h"
#include "merge/tables.h"

#define IFACE_BATCH 512
#define IFACE_HOUSEKEEPING_MS 1000

struct iface **node_ifaces;
int node_n_ifaces;
uint64_t node_start_ms;
char node_id[65];

/* The table of source kinds, in the order specs are tried (set by the
 * main thread before any interface is created, read-only after). */
static const struct source_kind *const *src_kinds;
static int src_n_kinds;

void
source_kinds_set(const struct source_kind *const *kinds, int n)
{
	src_kinds = kinds;
	src_n_kinds = n;
}

struct source *
source_open(const char *spec, const struct prefs *p)
{
	for (int i = 0; i < src_n_kinds; i++) {
		const struct source_kind *k = src_kinds[i];

		if (k->match == NULL || k->match(spec))
			return k->open(spec, p);
	}
	log_err("-i %s: no source kind takes this input", spec);
	return NULL;
}

int
source_offline(const struct source *s)
{
	return s->kind != NULL && s->kind->offline;
}

unsigned
iface_inputs(const struct iface *ifc)
{
	unsigned in = 0;

	for (int i = 0; i < ifc->n_sources; i++) {
		const struct source *s = ifc->sources[i];

		if (s == NULL)
			continue;
		in |= source_offline(s) ? IFACE_IN_OFFLINE : IFACE_IN_LIVE;
		if (s->kind != NULL && s->kind->historical)
			in |= IFACE_IN_HISTORICAL;
	}
	return in;
}

/* The record sink the sources are given: each callback is a tail call
 * of the owner-thread accounting function, so a record costs the one
 * indirect call the sources' own callbacks (pcap_dispatch, the ZMQ
 * decoder's emit) already made, and nothing is allocated. */
static void
iface_sink_packet(void *ctx, const struct pkt *p, int decode_result)
{
	iface_packet(ctx, p, decode_result);
}

static int
iface_sink_flow(void *ctx, const struct flow_update *u)
{
	return iface_flow_update(ctx, u);
}

static void
iface_sink_prefetch(void *ctx, const struct flow_update *const *u, int n)
{
	iface_flow_prefetch(ctx, u, n);
}

static void
iface_sink_packet_prefetch(void *ctx, const struct pkt *const *p, int n)
{
	iface_packet_prefetch(ctx, p, n);
}

/* Splits "name=spec" (name without ':' or '/') from a plain spec. */
static void
iface_split_name(const char *arg, char **name, char **spec)
{
	const char *eq = strchr(arg, '=');
	const char *sep = strpbrk(arg, ":/");

	if (eq != NULL && eq != arg && (sep == NULL || sep > eq)) {
		*name = strndup(arg, (size_t)(eq - arg));
		*spec = strdup(eq + 1);
	} else {
		*name = strdup(arg);
		*spec = strdup(arg);
	}
}

/* The parts every interface has: mailbox, wake-up eventfd, tables. */
/* An alert a peer node exported (the `alert` topic): engaged (tstamp_end
 * 0) or past, kept with its site path and node id (docs/hierarchy.md); one
 * whose path already holds this node came round a loop: ignored.  Owner. */
static int
iface_sink_alert(void *ctx, const char *json, size_t len)
{
	size_t n = strlen(node_id);
	struct alert a;
	const char *p;

	if (alert_from_wire(json, len, &a) != 0)
		return -1;
	for (p = a.site_path; n > 0 && (p = strstr(p, node_id)) != NULL; p += n)
		if ((p == a.site_path || p[-1] == '>') &&
		    (p[n] == '\0' || p[n] == '>'))
			return 0;
	return alert_from_peer(ctx, &a);
}

/* A peer node's event: its start and declared totals.  Owner. */
static void
iface_sink_node_event(void *ctx, const struct node_event *ev)
{
	tables_node_event(ctx, ev);
}

static int
iface_init(struct iface *ifc, int id, const struct prefs *p)
{
	ifc->id = id;
	ifc->prefs = p;
	ifc->local_nets = p != NULL ? &p->local_nets : NULL;
	ifc->core = -1;
	ifc->bound_core = -1;
	ifc->wake_fd = -1;
	ifc->sink.on_packet = iface_sink_packet;
	ifc->sink.on_flow = iface_sink_flow;
	ifc->sink.on_prefetch = iface_sink_prefetch;
	ifc->sink.on_packet_prefetch = iface_sink_packet_prefetch;
	ifc->sink.on_alert = iface_sink_alert;
	ifc->sink.on_node_event = iface_sink_node_event;
	ifc->sink.ctx = ifc;
	pthread_mutex_init(&ifc->mbox_lock, NULL);
	cond_init_mono(&ifc->mbox_cond);
	ifc->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ifc->wake_fd < 0) {
		log_err("eventfd: %s", strerror(errno));
		return -1;
	}
	if (alerts_init(ifc) != 0)
		return -1;
	return tables_init(ifc);
}

/* nDPI and the per-protocol totals (done by the thread that owns them). */
static int
iface_dpi_init(struct iface *ifc)
{
	ifc->ndpi = dpi_module_new(ifc->prefs->ndpi_protos_file);
	if (ifc->ndpi == NULL)
		return -1;
	ifc->n_l7 = dpi_num_protocols(ifc->ndpi);
	ifc->l7 = calloc(ifc->n_l7, sizeof(*ifc->l7));
	return ifc->l7 != NULL ? 0 : -1;
}

struct iface *
iface_new_detached(const char *name, const struct prefs *p)
{
	struct iface *ifc = calloc(1, sizeof(*ifc));

	if (ifc == NULL)
		return NULL;
	if (iface_init(ifc, 0, p) != 0 || iface_dpi_init(ifc) != 0 ||
	    (ifc->name = strdup(name)) == NULL ||
	    (ifc->ifname = strdup(name)) == NULL ||
	    (ifc->spec = strdup(name)) == NULL) {
		iface_free(ifc);
		return NULL;
	}
	/* the creating thread is the owner until iface_start() */
	ifc->owner = pthread_self();
	__atomic_store_n(&ifc->owner_set, 1, __ATOMIC_RELEASE);
	return ifc;
}

/* The part of one input shown in ifname, as its kind labels it (a pcap
 * file without its directories, a device by name), else the input as
 * given. */
static const char *
iface_item_label(const struct source *s, const char *item)
{
	if (s->kind != NULL && s->kind->label != NULL)
		return s->kind->label(s, item);
	return item;
}

/* ifname from the inputs' labels, comma separated as they were given;
 * the display name follows it unless "name=" chose one. */
static int
iface_set_names(struct iface *ifc, const char *const *labels, int n)
{
	size_t len = 1;
	char *ifname;
	int i;

	for (i = 0; i < n; i++)
		len += strlen(labels[i]) + 1;
	ifname = calloc(1, len);
	if (ifname == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (i > 0)
			strncat(ifname, ",", len - strlen(ifname) - 1);
		strncat(ifname, labels[i], len - strlen(ifname) - 1);
	}
	if (!strcmp(ifc->name, ifc->spec)) {
		char *nm = strdup(ifname);

		if (nm == NULL) {
			free(ifname);
			return -1;
		}
		free(ifc->name);
		ifc->name = nm;
	}
	free(ifc->ifname);
	ifc->ifname = ifname;
	return 0;
}

struct iface *
iface_new(int id, const char *arg, const struct prefs *p)
{
	struct iface *ifc = calloc(1, sizeof(*ifc));
	char *specs = NULL, *item, *save = NULL;
	const char *labels[IFACE_MAX_SOURCES];

	if (ifc == NULL)
		return NULL;
	iface_split_name(arg, &ifc->name, &ifc->spec);
	if (iface_init(ifc, id, p) != 0 || ifc->name == NULL ||
	    ifc->spec == NULL)
		goto fail;
	ifc->named = strcmp(ifc->name, ifc->spec) != 0;
	if (ifc->spec[0] == '\0') {
		log_err("-i %s: empty input", arg);
		goto fail;
	}

	/* comma-separated inputs merge into this one interface */
	specs = strdup(ifc->spec);
	if (specs == NULL)
		goto fail;
	for (item = strtok_r(specs, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		struct source *s;

		if (ifc->n_sources == IFACE_MAX_SOURCES) {
			log_err("-i %s: more than %d inputs in one interface",
				arg, IFACE_MAX_SOURCES);
			goto fail;
		}
		s = source_open(item, p);
		if (s == NULL)
			goto fail;
		/* item points into specs, alive until the names are set */
		labels[ifc->n_sources] = iface_item_label(s, item);
		ifc->sources[ifc->n_sources++] = s;
	}
	if (ifc->n_sources == 0) {
		log_err("-i %s: no input", arg);
		goto fail;
	}
	if (iface_set_names(ifc, labels, ifc->n_sources) != 0)
		goto fail;
	free(specs);
	return ifc;
fail:
	free(specs);
	iface_free(ifc);
	return NULL;
}

const char *
iface_spec(const struct iface *ifc)
{
	return ifc->spec != NULL ? ifc->spec : ifc->ifname;
}

const char *
iface_identity(const struct iface *ifc)
{
	return ifc->named || ifc->spec == NULL ? ifc->name : ifc->spec;
}

/* ---- accessors: what sinks' ticks, main, REST and benchmarks read of
 * an interface (its layout is merge/iface_priv.h's); never on the
 * packet path ---- */

int
iface_id(const struct iface *ifc)
{
	return ifc->id;
}

const char *
iface_name(const struct iface *ifc)
{
	return ifc->name;
}

const struct prefs *
iface_prefs(const struct iface *ifc)
{
	return ifc->prefs;
}

int
iface_inputs_ended(const struct iface *ifc)
{
	return __atomic_load_n(&ifc->inputs_ended, __ATOMIC_ACQUIRE);
}

uint64_t
iface_flow_idle_ms(const struct iface *ifc)
{
	return __atomic_load_n(&ifc->flow_idle_ms, __ATOMIC_RELAXED);
}

const struct iface_stats *
iface_stats(const struct iface *ifc)
{
	return &ifc->stats;
}

uint32_t
iface_num_flows(const struct iface *ifc)
{
	return ifc->num_flows;
}

uint32_t
iface_num_hosts(const struct iface *ifc)
{
	return ifc->num_hosts;
}

uint32_t
iface_num_macs(const struct iface *ifc)
{
	return ifc->num_macs;
}

void
iface_set_wall_ms(struct iface *ifc, uint64_t wall_ms)
{
	ifc->wall_ms = wall_ms;
}

void
iface_detached_drop_dpi(struct iface *ifc)
{
	IFACE_ASSERT_OWNER(ifc);
	free(ifc->l7);
	ifc->l7 = NULL;
	dpi_module_free(ifc->ndpi);
	ifc->ndpi = NULL;
}

void
iface_free(struct iface *ifc)
{
	int i;

	if (ifc == NULL)
		return;
	dpiw_stop(ifc); /* started, but the thread never was (iface_start) */
	for (i = 0; i < ifc->n_sources; i++)
		ifc->sources[i]->free(ifc->sources[i]);
	tables_fini(ifc);
	alert_thr_fini(ifc);
	alerts_fini(ifc);
	sink_restores_free(ifc);
	dpi_module_free(ifc->ndpi);
	free(ifc->l7);
	if (ifc->wake_fd >= 0)
		close(ifc->wake_fd);
	pthread_mutex_destroy(&ifc->mbox_lock);
	pthread_cond_destroy(&ifc->mbox_cond);
	free(ifc->name);
	free(ifc->ifname);
	free(ifc->spec);
	free(ifc);
}

/*
 * --workers: the tables as one thread would have them before anyone
 * reads them: every nDPI answer applied, and every record a source's
 * reader has decoded (its counters count no record the tables lack),
 * the readers paused until iface_release() (owner thread).
 */
static void
iface_hold(struct iface *ifc)
{
	int i;

	dpiw_drain(ifc);
	if (ifc->held)
		return;
	ifc->held = 1;
	for (i = 0; i < ifc->n_sources; i++) {
		struct source *s = ifc->sources[i];

		if (s->hold != NULL) {
			ifc->cur_source = (uint8_t)i;
			s->hold(s);
		}
	}
}

static void
iface_release(struct iface *ifc)
{
	int i;

	if (!ifc->held)
		return;
	ifc->held = 0;
	for (i = 0; i < ifc->n_sources; i++)
		if (ifc->sources[i]->release != NULL)
			ifc->sources[i]->release(ifc->sources[i]);
}

/* Runs every waiting query (owner thread). */
static void
iface_mbox_run(struct iface *ifc)
{
	uint64_t v;
	struct iface_query *q;

	if (read(ifc->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("mailbox: %s", strerror(errno));
	for (;;) {
		pthread_mutex_lock(&ifc->mbox_lock);
		q = ifc->mbox_head;
		if (q != NULL)
			ifc->mbox_head = q->next;
		pthread_mutex_unlock(&ifc->mbox_lock);
		if (q == NULL)
			break;
		iface_hold(ifc);
		q->fn(ifc, q->arg);
		pthread_mutex_lock(&ifc->mbox_lock);
		q->done = 1;
		pthread_cond_broadcast(&ifc->mbox_cond);
		pthread_mutex_unlock(&ifc->mbox_lock);
	}
	iface_release(ifc);
}

int
iface_query(struct iface *ifc, iface_query_fn fn, void *arg, int timeout_ms)
{
	struct iface_query q = { fn, arg, 0, NULL };
	struct iface_query **pp;
	struct timespec deadline;
	uint64_t one = 1;
	int rc = 0;

	IFACE_ASSERT_NOT_OWNER(ifc); /* it would wait for itself */
	cond_deadline_ms(&deadline, timeout_ms);
	pthread_mutex_lock(&ifc->mbox_lock);
	for (pp = &ifc->mbox_head; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = &q;
	if (write(ifc->wake_fd, &one, sizeof(one)) < 0) {
		/* the counter is saturated only if nobody reads: harmless */
	}
	while (!q.done) {
		if (pthread_cond_timedwait(&ifc->mbox_cond, &ifc->mbox_lock,
					   &deadline) == ETIMEDOUT) {
			for (pp = &ifc->mbox_head; *pp != NULL && *pp != &q;
			     pp = &(*pp)->next)
				;
			if (*pp == &q) {
				/* not taken yet: withdraw it */
				*pp = q.next;
				rc = -1;
				break;
			}
			/* running now: it finishes soon, wait without limit */
			while (!q.done)
				pthread_cond_wait(&ifc->mbox_cond,
						  &ifc->mbox_lock);
		}
	}
	pthread_mutex_unlock(&ifc->mbox_lock);
	return rc;
}

/*
 * -v: once a wall-clock minute, one line for the interface and one per
 * source with what the minute added.  The marks are per interface slot,
 * each touched by its owner thread only.
 */
struct iface_vlog {
	uint64_t minute;
	int logged;
	uint64_t packets, bytes, flows, drops, refused;
	uint64_t records[IFACE_MAX_SOURCES], sbytes[IFACE_MAX_SOURCES],
		errors[IFACE_MAX_SOURCES];
};
static struct iface_vlog iface_vlogs[PREFS_MAX_IFACES + 1];

static void
iface_log_minute(struct iface *ifc, uint64_t wall_ms)
{
	struct iface_vlog *v;
	const struct iface_stats *st = &ifc->stats;
	uint64_t minute = wall_ms / 60000;
	int i;

	if (ifc->id < 0 || ifc->id > PREFS_MAX_IFACES)
		return;
	v = &iface_vlogs[ifc->id];
	if (v->minute == 0)
		v->minute = minute;
	if (minute == v->minute)
		return;
	v->minute = minute;
	log_debug("%s: %s: +%llu packets, +%llu bytes, +%llu flows, "
		  "+%llu drops, +%llu updates refused; now %u flows, %u hosts",
		  ifc->name, v->logged ? "last minute" : "since start",
		  (unsigned long long)(st->packets - v->packets),
		  (unsigned long long)(st->bytes - v->bytes),
		  (unsigned long long)(st->total_flows - v->flows),
		  (unsigned long long)(st->drops - v->drops),
		  (unsigned long long)(st->updates_refused - v->refused),
		  ifc->num_flows, ifc->num_hosts);
	v->packets = st->packets;
	v->bytes = st->bytes;
	v->flows = st->total_flows;
	v->drops = st->drops;
	v->refused = st->updates_refused;
	for (i = 0; i < ifc->n_sources && i < IFACE_MAX_SOURCES; i++) {
		const struct source *s = ifc->sources[i];

		log_debug("%s: source %s: %s: +%llu records, +%llu "
			  "bytes, +%llu errors%s",
			  ifc->name, s->spec,
			  v->logged ? "last minute" : "since start",
			  (unsigned long long)(s->records - v->records[i]),
			  (unsigned long long)(s->bytes - v->sbytes[i]),
			  (unsigned long long)(s->errors - v->errors[i]),
			  s->state == SOURCE_ACTIVE ? "" : " (ended)");
		v->records[i] = s->records;
		v->sbytes[i] = s->bytes;
		v->errors[i] = s->errors;
	}
	v->logged = 1;
}

void
iface_housekeeping(struct iface *ifc, uint64_t wall_ms)
{
	int i;
	unsigned in = iface_inputs(ifc);
	int online = (in & IFACE_IN_LIVE) != 0,
	    offline = (in & IFACE_IN_OFFLINE) != 0;
	uint64_t elapsed = wall_ms - ifc->stats.thpt_last_ms;
	struct source_tick t;

	IFACE_ASSERT_OWNER(ifc);
	memset(&t, 0, sizeof(t));

	for (i = 0; i < ifc->n_sources && !ifc->disabled; i++) {
		struct source *s = ifc->sources[i];

		if (s->stats != NULL)
			s->stats(s, &t);
	}
	ifc->stats.drops += t.drops;
	ifc->probe_idle_ms = t.probe_idle_ms; /* the probes' longest timeout */
	/* read by the exporter's event (atomic) */
	{
		uint64_t own =
			ifc->prefs->flow_idle_s
				? (uint64_t)ifc->prefs->flow_idle_s * 1000
				: TABLES_FLOW_IDLE_MS;

		__atomic_store_n(&ifc->flow_idle_ms,
				 ifc->probe_idle_ms > own ? ifc->probe_idle_ms
							  : own,
				 __ATOMIC_RELAXED);
	}
	if (ifc->stats.thpt_last_ms != 0)
		tables_update_thpt(ifc, elapsed);
	ifc->stats.thpt_last_ms = wall_ms;
	if (ifc->want_exported && wall_ms >= ifc->next_export_ms) {
		tables_export(ifc);
		ifc->next_export_ms =
			wall_ms +
			(uint64_t)(ifc->prefs->export_interval > 0
					   ? ifc->prefs->export_interval
					   : 1) *
				1000 -
			50;
	}
	sink_tick(ifc, wall_ms);      /* e.g. RRD snapshots (queued) */
	alert_thr_tick(ifc, wall_ms); /* threshold rules at boundaries */
	alert_tick(ifc, wall_ms);     /* peers' alerts, re-announcements */
	if (ifc->disabled)
		return; /* tables kept as they are, sources not watched */
	health_tick(ifc, wall_ms, &t); /* silent sources, table limits */
	if (log_enabled(NLOG_DEBUG))
		iface_log_minute(ifc, wall_ms);
	/* one clock for all entries, or each source's own (docs/accounting.md)
	 */
	if (online && offline)
		tables_purge_sources(ifc, wall_ms);
	else if (online)
		tables_purge(ifc, wall_ms, 0);
	else if (!ifc->inputs_ended)
		tables_purge(ifc, ifc->clock_ms, 1);
}

static void
iface_check_ended(struct iface *ifc)
{
	int i;

	for (i = 0; i < ifc->n_sources; i++)
		if (ifc->sources[i]->state == SOURCE_ACTIVE)
			return;
	/* every input ended: final nDPI verdicts, final throughput, and
	 * what is left to export goes now rather than at the next tick */
	tables_giveup_all(ifc);
	if (ifc->want_exported)
		tables_export(ifc);
	__atomic_store_n(&ifc->inputs_ended, 1, __ATOMIC_RELEASE);
	ifc->stats.thpt_bps = ifc->stats.thpt_pps = 0;
	log_info("%s: all inputs read: %llu packets, %llu bytes, %u flows, %u "
		 "hosts",
		 ifc->name, (unsigned long long)ifc->stats.packets,
		 (unsigned long long)ifc->stats.bytes, ifc->num_flows,
		 ifc->num_hosts);
}

static void *
iface_thread(void *arg)
{
	struct iface *ifc = arg;
	char role[16];
	uint64_t next_hk = 0;

	snprintf(role, sizeof(role), "if%d", ifc->id);
	log_set_role(role);
	/* its name in /proc/<pid>/task/<tid>/comm, top -H, gdb */
	pthread_setname_np(pthread_self(), role);
	ifc->owner = pthread_self();
	__atomic_store_n(&ifc->owner_set, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&ifc->running, __ATOMIC_ACQUIRE)) {
		struct pollfd pfd[IFACE_MAX_SOURCES + 1];
		int i, n = 0, did = 0;
		uint64_t now;

		for (i = 0; i < ifc->n_sources && !ifc->disabled; i++) {
			struct source *s = ifc->sources[i];

			if (s->state != SOURCE_ACTIVE)
				continue;
			ifc->cur_source = (uint8_t)i;
			did += s->read(s, &ifc->sink, IFACE_BATCH);
			if (s->state == SOURCE_ACTIVE && s->fd != NULL &&
			    s->fd(s) >= 0) {
				pfd[n].fd = s->fd(s);
				pfd[n].events = POLLIN;
				n++;
			}
		}
		if (!ifc->inputs_ended && !ifc->disabled)
			iface_check_ended(ifc);
		iface_mbox_run(ifc);
		iface_restore_apply(ifc); /* host-cache answers */
		now = time_wall_ms();
		ifc->wall_ms = now;
		if (now >= next_hk) {
			iface_hold(ifc); /* --workers: before sinks look */
			iface_housekeeping(ifc, now);
			iface_release(ifc);
			next_hk = now + IFACE_HOUSEKEEPING_MS;
		}
		if (did == 0) {
			/* nothing to read: the helpers' answers are applied
			 * now, and those still coming within a millisecond
			 * (no answer waits for the next packet).  The owner
			 * sleeps meanwhile: spinning on them would take the
			 * core the source's reader needs on a small box. */
			int busy = dpiw_settle(ifc);

			pfd[n].fd = ifc->wake_fd;
			pfd[n].events = POLLIN;
			n++;
			if (poll(pfd, (nfds_t)n, busy ? 1 : 100) < 0 &&
			    errno != EINTR)
				log_warn("poll: %s", strerror(errno));
		}
	}
	/* answer any query still waiting so its caller is released, and
	 * hand the exporter what it has not sent yet */
	iface_hold(ifc);
	iface_mbox_run(ifc);
	iface_hold(ifc);
	if (ifc->want_exported)
		tables_export(ifc);
	iface_release(ifc);
	return NULL;
}

void
iface_set_core(struct iface *ifc, int core)
{
	ifc->core = core;
}

/* ---- enabled / disabled at run time (owner thread) ---- */

struct iface_state_req {
	int on;
	int rc;
	char *err;
	size_t errlen;
};

static void
iface_suspend_sources(struct iface *ifc)
{
	for (int i = 0; i < ifc->n_sources; i++) {
		struct source *s = ifc->sources[i];

		if (s->suspend != NULL && !s->suspended &&
		    s->state == SOURCE_ACTIVE) {
			s->suspend(s);
			s->suspended = 1;
		}
	}
}

static void
iface_apply_state(struct iface *ifc, void *arg)
{
	struct iface_state_req *r = arg;
	int i;

	r->rc = 0;
	if (r->on == !ifc->disabled)
		return; /* already so */
	if (!r->on) {
		iface_suspend_sources(ifc);
		ifc->stats.thpt_bps = ifc->stats.thpt_pps = 0;
		__atomic_store_n(&ifc->disabled, 1, __ATOMIC_RELEASE);
		log_info("%s: disabled: its sources are closed, its tables "
			 "kept",
			 ifc->name);
		return;
	}
	for (i = 0; i < ifc->n_sources; i++) {
		struct source *s = ifc->sources[i];

		if (!s->suspended)
			continue;
		if (s->resume(s, r->err, r->errlen) != 0) {
			log_warn("%s: cannot enable it again: %s", ifc->name,
				 r->err);
			/* all or nothing: what reopened closes again */
			iface_suspend_sources(ifc);
			r->rc = -1;
			return;
		}
		s->suspended = 0;
	}
	/* a silence while disabled is not the source's: start learning its
	 * interval again at its next record (merge/health.c) */
	for (i = 0; i < ifc->n_sources && i < IFACE_MAX_SOURCES; i++)
		ifc->health_src[i].last_ms = 0;
	__atomic_store_n(&ifc->disabled, 0, __ATOMIC_RELEASE);
	log_info("%s: enabled: its sources are open again", ifc->name);
}

int
iface_set_enabled(struct iface *ifc, int on, char *err, size_t errlen)
{
	struct iface_state_req r = { on != 0, -1, err, errlen };

	if (errlen > 0)
		err[0] = '\0';
	/* through the mailbox even before iface_start(): the web server
	 * answers before the interfaces start, and the owner takes the
	 * request at its first loop turn */
	if (iface_query(ifc, iface_apply_state, &r, 5000) != 0) {
		snprintf(err, errlen, "the interface's thread did not answer");
		return -1;
	}
	return r.rc;
}

int
iface_set_enabled_unstarted(struct iface *ifc, int on, char *err, size_t errlen)
{
	struct iface_state_req r = { on != 0, -1, err, errlen };

	if (errlen > 0)
		err[0] = '\0';
	iface_apply_state(ifc, &r);
	return r.rc;
}

int
iface_enabled(const struct iface *ifc)
{
	return !__atomic_load_n(&ifc->disabled, __ATOMIC_ACQUIRE);
}

/* 1 when one of the interface's sources hands packets. */
static int
iface_captures(const struct iface *ifc)
{
	for (int i = 0; i < ifc->n_sources; i++)
		if (ifc->sources[i]->kind != NULL &&
		    ifc->sources[i]->kind->packets)
			return 1;
	return 0;
}

/* -g: the thread is created bound to its core (pthread attributes), so
 * not one packet is read elsewhere; a core the process may not use
 * makes pthread_create() fail (main checked the list before). */
int
iface_start(struct iface *ifc)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int rc, core = ifc->core, split = 0;

	if (iface_dpi_init(ifc) != 0)
		return -1;
	/* --workers: helpers for the interfaces that capture packets (a
	 * collector's records carry their L7 already); the owner keeps a
	 * core of its own, the helpers and readers take the others
	 * (common/cpus.h), so it is picked before they start */
	if (ifc->prefs->workers > 1 && iface_captures(ifc)) {
		int c = cpus_owner_core(ifc->core);

		if (c >= 0) {
			core = c;
			split = 1;
		}
		if (dpiw_start(ifc, ifc->prefs->workers - 1, core) != 0)
			return -1;
	}
	ifc->started_ms = time_wall_ms();
	/* the new thread takes ownership when it starts */
	__atomic_store_n(&ifc->owner_set, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&ifc->running, 1, __ATOMIC_RELEASE);
	pthread_attr_init(&attr);
	if (core >= 0) {
		CPU_ZERO(&set);
		CPU_SET((size_t)core, &set);
		rc = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		if (rc != 0) {
			log_err("%s: CPU core %d: %s", ifc->name, core,
				strerror(rc));
			pthread_attr_destroy(&attr);
			__atomic_store_n(&ifc->running, 0, __ATOMIC_RELEASE);
			return -1;
		}
	}
	ifc->bound_core = core; /* before the thread that reports it */
	rc = pthread_create(&ifc->thread, &attr, iface_thread, ifc);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		__atomic_store_n(&ifc->running, 0, __ATOMIC_RELEASE);
		log_err("%s: cannot start its thread%s%.0d: %s", ifc->name,
			core >= 0 ? " on core " : "", core >= 0 ? core : 0,
			strerror(rc));
		return -1;
	}
	if (core >= 0)
		log_info("%s: thread if%d bound to CPU core %d%s%s", ifc->name,
			 ifc->id, core, ifc->core >= 0 ? " (-g)" : "",
			 split ? "; its helpers and readers on the other cores "
				 "(--workers)"
			       : "");
	return 0;
}

/* The owner's half of iface_set_local_nets(). */
static void
iface_local_nets_fn(struct iface *ifc, void *arg)
{
	ifc->local_nets = arg;
	tables_hosts_reclassify(ifc);
}

int
iface_set_local_nets(struct iface *ifc, const struct netlist *nl)
{
	return iface_query(ifc, iface_local_nets_fn, (void *)nl, 5000);
}

void
iface_stop(struct iface *ifc)
{
	uint64_t one = 1;

	if (!__atomic_exchange_n(&ifc->running, 0, __ATOMIC_ACQ_REL))
		return;
	if (write(ifc->wake_fd, &one, sizeof(one)) < 0) {
		/* the thread also wakes up by its poll timeout */
	}
	pthread_join(ifc->thread, NULL);
	/* the caller (main) owns what is left */
	__atomic_store_n(&ifc->owner_set, 0, __ATOMIC_RELEASE);
	dpiw_stop(ifc); /* nothing in flight: drained by the thread */
}
