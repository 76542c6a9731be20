/*
 * main.c - the node: parse the configuration, open every interface with
 * its sources, start one owner thread per interface and the web server,
 * then wait for a signal (or, with --shutdown-when-done, for every input
 * to end) and stop in reverse order.
 *
 * Threads: main (this file), one "ifN" per interface (merge/iface.c), the
 * web server's threads (webui/httpd.c).  Main touches interface tables
 * only after their owner threads have been joined.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/prefs.h"
#include "exporter/export.h"
#include "exporter/historical.h"
#include "exporter/kv.h"
#include "exporter/storage.h"
#include "merge/iface.h"
#include "merge/tables.h"
#include "webui/httpd.h"

/* Set by the signal handler, which may run on any thread (the web
 * server's threads do not block SIGTERM): volatile sig_atomic_t covers a
 * handler on the reading thread only, so this is a lock-free atomic. */
static atomic_int stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	atomic_store_explicit(&stop_requested, 1, memory_order_relaxed);
}

static int
all_inputs_ended(void)
{
	int i;

	for (i = 0; i < node_n_ifaces; i++)
		if (!__atomic_load_n(&node_ifaces[i]->inputs_ended, __ATOMIC_ACQUIRE))
			return 0;
	return 1;
}

static int
write_pid_file(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		log_err("-G %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	return 0;
}

/*
 * The node id of hierarchies: --node-id, else the one kept in
 * <data-dir>/node-id, else a new random one saved there so that it stays
 * the same across restarts (a warning if it cannot be saved).
 */
static void
node_id_init(const struct prefs *p)
{
	char path[4096];
	FILE *f;
	uint32_t r = 0;

	if (p->node_id != NULL) {
		snprintf(node_id, sizeof(node_id), "%s", p->node_id);
		return;
	}
	snprintf(path, sizeof(path), "%s/node-id", p->data_dir);
	f = fopen(path, "r");
	if (f != NULL) {
		char line[80] = "";

		if (fgets(line, sizeof(line), f) != NULL) {
			line[strcspn(line, "\r\n \t")] = '\0';
			if (line[0] != '\0' && strchr(line, '>') == NULL)
				snprintf(node_id, sizeof(node_id), "%s", line);
		}
		fclose(f);
		if (node_id[0] != '\0')
			return;
	}
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)time_wall_ms() ^ (uint32_t)getpid();
	snprintf(node_id, sizeof(node_id), "node-%08x", r);
	fs_mkdir_p(p->data_dir);
	f = fopen(path, "w");
	if (f == NULL) {
		log_warn("cannot keep the node id in %s (%s): it will change at the "
			 "next start; set it with --node-id", path, strerror(errno));
		return;
	}
	fprintf(f, "%s\n", node_id);
	fclose(f);
}

/* One line per interface, read by bench/run.sh and the tests. */
static void
print_final_stats(void)
{
	int i;

	for (i = 0; i < node_n_ifaces; i++) {
		struct iface *ifc = node_ifaces[i];

		printf("STATS ifid=%d packets=%llu bytes=%llu flows=%u hosts=%u "
		       "macs=%u total_flows=%llu flow_mem=%llu host_mem=%llu\n",
		       ifc->id, (unsigned long long)ifc->stats.packets,
		       (unsigned long long)ifc->stats.bytes, ifc->num_flows,
		       ifc->num_hosts, ifc->num_macs,
		       (unsigned long long)ifc->stats.total_flows,
		       (unsigned long long)tables_flow_mem(ifc),
		       (unsigned long long)tables_host_mem(ifc));
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	static struct prefs prefs;
	struct httpd *web = NULL;
	struct sigaction sa;
	int i, rc, status = 1;

	prefs_init(&prefs);
	rc = prefs_parse(&prefs, argc, argv);
	if (rc != 0) {
		prefs_fini(&prefs);
		return rc > 0 ? 0 : 1;
	}
	if (prefs.verbose > 0)
		log_verbosity = LOG_INFO + prefs.verbose;
	node_start_ms = time_wall_ms();

	node_id_init(&prefs);
	if (prefs.n_ifaces == 0) {
		log_err("no input: give one with -i <device|pcap file|list> "
			"(see ntopng -h)");
		goto out;
	}
	/* + 1: the Historical interface */
	node_ifaces = calloc((size_t)prefs.n_ifaces + 1, sizeof(*node_ifaces));
	if (node_ifaces == NULL)
		goto out;
	for (i = 0; i < prefs.n_ifaces; i++) {
		node_ifaces[i] = iface_new(i, prefs.ifaces[i], &prefs);
		if (node_ifaces[i] == NULL)
			goto out;
		node_n_ifaces = i + 1;
	}
	/* -F: the Historical interface (seed §6.3), filled on request */
	if (prefs.dump_flows) {
		node_ifaces[i] = iface_new(i, HISTORICAL_NAME "=" HISTORICAL_SPEC,
					   &prefs);
		if (node_ifaces[i] == NULL)
			goto out;
		node_n_ifaces = i + 1;
	}
	if (prefs.pid_file != NULL && write_pid_file(prefs.pid_file) != 0)
		goto out;
	if (storage_check_data_dir(&prefs) != 0)
		goto out;
	if (kv_open(&prefs) != 0)
		goto out;
	if (storage_open(&prefs) != 0)
		goto out;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (export_start(&prefs) != 0)
		goto out;
	for (i = 0; i < node_n_ifaces; i++)
		storage_iface_begin(node_ifaces[i]);
	for (i = 0; i < node_n_ifaces; i++)
		if (iface_start(node_ifaces[i]) != 0)
			goto out;
	if (prefs.http_port != 0) {
		web = httpd_start(&prefs);
		if (web == NULL)
			goto out;
	}
	log_info("ntopng %s started: %d interface(s)%s", NTOPNG_VERSION,
		 node_n_ifaces, web ? "" : ", web server off");

	while (!atomic_load_explicit(&stop_requested, memory_order_relaxed)) {
		if (prefs.shutdown_when_done && all_inputs_ended())
			break;
		usleep(50 * 1000);
	}
	status = 0;
out:
	httpd_stop(web);
	for (i = 0; i < node_n_ifaces; i++)
		iface_stop(node_ifaces[i]);
	/* owners joined: what is still in memory goes to the stores */
	for (i = 0; i < node_n_ifaces; i++)
		storage_iface_flush(node_ifaces[i]);
	storage_close();
	export_stop();
	if (status == 0)
		print_final_stats();
	for (i = 0; i < node_n_ifaces; i++)
		iface_free(node_ifaces[i]);
	free(node_ifaces);
	kv_close();
	if (prefs.pid_file != NULL)
		unlink(prefs.pid_file);
	prefs_fini(&prefs);
	return status;
}
