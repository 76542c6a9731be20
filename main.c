/*
 * main.c - the node: parse the configuration, open every interface with
 * its sources (every interface that is up when no -i is given), start the
 * writer, exporter and web server, become -U's user when started as root
 * (privs_drop), start one owner thread per interface, then wait for a
 * signal (or, with --shutdown-when-done, for every input to end) and stop
 * in reverse order.  -e daemonises before any thread exists (daemon_*);
 * SIGHUP reopens the log file and rereads the configuration file
 * (node_reload).
 *
 * Threads: main (this file), one "ifN" per interface (merge/iface.c), the
 * web server's threads (webui/httpd.c).  Main touches interface tables
 * only after their owner threads have been joined.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <linux/capability.h>
#include <net/if.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/sdnotify.h"
#include "common/timeutil.h"
#include "common/prefs.h"
#include "exporter/alerts_store.h"
#include "exporter/export.h"
#include "geo/geo.h"
#include "state/kv.h"
#include "exporter/storage.h"
#include "lua/callbacks.h"
#include "merge/alerts.h"
#include "merge/iface.h"
#include "merge/names.h"
#include "merge/sink.h"
#include "merge/tables.h"
#include "sources/historical.h"
#include "sources/sources.h"
#include "state/auth.h"
#include "webui/httpd.h"
#include "webui/rest_alerts.h"
#include "webui/ui.h"

/* Set by the signal handler, which may run on any thread (the web
 * server's threads do not block SIGTERM): volatile sig_atomic_t covers a
 * handler on the reading thread only, so this is a lock-free atomic. */
static atomic_int stop_requested;
/* SIGHUP: the main loop reloads (node_reload); the handler only flags. */
static atomic_int reload_requested;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		atomic_store_explicit(&reload_requested, 1,
				      memory_order_relaxed);
	else
		atomic_store_explicit(&stop_requested, 1, memory_order_relaxed);
}

/*
 * -g: every core of the list must be one this process may run on (its
 * affinity mask: taskset, cgroups cpusets, systemd's CPUAffinity=), or the
 * start stops with one line naming it and the cores allowed.
 */
static int
cores_check(const struct prefs *p)
{
	cpu_set_t set;
	char allowed[256] = "";
	size_t n = 0;
	int i, bad = -1;

	if (p->n_cores == 0)
		return 0;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		log_err("-g %s: cannot read this process's CPU affinity: %s",
			p->core_affinity, strerror(errno));
		return -1;
	}
	for (i = 0; i < p->n_cores && bad < 0; i++)
		if (p->cores[i] >= CPU_SETSIZE || !CPU_ISSET(p->cores[i], &set))
			bad = p->cores[i];
	if (bad < 0)
		return 0;
	for (i = 0; i < CPU_SETSIZE && n < sizeof(allowed) - 8; i++)
		if (CPU_ISSET(i, &set)) {
			int r = snprintf(allowed + n, sizeof(allowed) - n,
					 "%s%d", n ? "," : "", i);

			if (r > 0)
				n += (size_t)r;
		}
	log_err("-g %s: CPU core %d is not one this process may run on "
		"(allowed: %s)",
		p->core_affinity, bad, allowed);
	return -1;
}

/*
 * -e (seed §4.3): the classic double fork.  The command's process waits
 * on a pipe until the daemon says it runs (or dies, closing the pipe), so
 * its exit status tells the caller (an init script, systemd's
 * Type=forking) whether the node started; the first child calls setsid()
 * and forks again, so the daemon is no session leader and can never get
 * a controlling terminal.  The daemon keeps the working directory: the
 * relative paths of the configuration (-1 -2 -3 -d, -i files) stay valid.
 * Until it is ready its stderr is still the terminal's (start-up errors
 * show there); daemon_ready() then moves stdin/stdout/stderr to /dev/null
 * or the log file.  Runs before any thread exists (fork keeps only the
 * calling thread).  Returns, in the daemon, the pipe's write end.
 */
static int
daemon_start(void)
{
	int pfd[2];
	pid_t pid;
	char c;
	ssize_t r;

	if (pipe2(pfd, O_CLOEXEC) != 0) {
		log_err("-e: pipe: %s", strerror(errno));
		exit(1);
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		log_err("-e: fork: %s", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		/* the command: wait for the daemon's word */
		close(pfd[1]);
		waitpid(pid, NULL, 0); /* the first child exits at once */
		do
			r = read(pfd[0], &c, 1);
		while (r < 0 && errno == EINTR);
		if (r == 1 && c == 'R')
			_exit(0);
		fprintf(stderr, "ntopng: the daemon did not start%s%s%s\n",
			log_file_path() ? " (see " : " (see the lines above",
			log_file_path() ? log_file_path() : " or syslog", ")");
		_exit(1);
	}
	close(pfd[0]);
	if (setsid() < 0) {
		log_err("-e: setsid: %s", strerror(errno));
		_exit(1);
	}
	pid = fork();
	if (pid < 0) {
		log_err("-e: fork: %s", strerror(errno));
		_exit(1);
	}
	if (pid > 0)
		_exit(0);
	return pfd[1];
}

/* The daemon has started: detach from the terminal, then release the
 * waiting command.  The pipe is closed either way. */
static void
daemon_ready(int fd)
{
	if (log_detach_stdio() != 0)
		log_warn("-e: cannot detach stdin/stdout/stderr: %s",
			 strerror(errno));
	if (write(fd, "R", 1) != 1)
		log_warn("-e: cannot tell the starting command: %s",
			 strerror(errno));
	close(fd);
}

/* The local networks a reload installed (heap; NULL: prefs' own). */
static struct netlist *live_nets;

/*
 * New -m: the interfaces switch to a heap copy of np's list, one owner
 * at a time.  Once all have, the list they used before is no longer read
 * and is freed, and cur takes np's list (so the next reload compares
 * with what runs).  An interface that did not take it in time may still
 * read the old list: nothing is freed then.  Returns 0 or -1.
 */
static int
reload_local_nets(struct prefs *cur, struct prefs *np)
{
	struct netlist *nets = malloc(sizeof(*nets));
	int j, failed = 0;

	if (nets == NULL)
		return -1;
	nets->n = np->local_nets.n;
	nets->v = malloc(nets->n * sizeof(*nets->v) + 1);
	if (nets->v == NULL) {
		free(nets);
		return -1;
	}
	memcpy(nets->v, np->local_nets.v, nets->n * sizeof(*nets->v));
	for (j = 0; j < node_n_ifaces; j++)
		if (iface_set_local_nets(node_ifaces[j], nets) != 0)
			failed++;
	if (failed > 0) {
		log_warn("SIGHUP: %d interface(s) did not take the new local "
			 "networks",
			 failed);
		live_nets = nets;
		return -1;
	}
	if (live_nets != NULL) {
		netlist_fini(live_nets);
		free(live_nets);
	}
	live_nets = nets;
	netlist_fini(&cur->local_nets);
	cur->local_nets = np->local_nets;
	netlist_init(&np->local_nets);
	return 0;
}

/*
 * SIGHUP (docs/cli.md "Reloading"): reopens the log file (logrotate),
 * rereads the configuration file, applies what can change live and names
 * the rest, which keeps its old value until a restart:
 *  - local-networks: every interface classifies its hosts again;
 *  - verbose: the log level;
 *  - users-file: the file's records are loaded again (also without a
 *    configuration file); a new path needs a restart.
 * A file with an error changes nothing.  Main thread, between two turns
 * of its loop.
 */
static void
node_reload(struct prefs *cur)
{
	struct prefs np;
	const char *diff[64];
	char restart[1024] = "", live[256] = "";
	size_t nr = 0, nl = 0;
	int i, n, rc;

	rc = log_file_reopen();
	if (rc < 0)
		log_warn("SIGHUP: cannot reopen the log file %s: %s; still "
			 "writing to the old one",
			 log_file_path(), strerror(errno));
	log_info("SIGHUP: %s%s", rc == 0 ? "log file reopened, " : "",
		 cur->config_file ? "rereading the configuration file"
				  : "no configuration file to reread");
	if (cur->config_file != NULL) {
		prefs_init(&np);
		if (prefs_reload_file(&np, cur->config_file) != 0) {
			log_warn("SIGHUP: %s has errors: nothing changed",
				 cur->config_file);
			prefs_fini(&np);
			goto users;
		}
		n = prefs_diff(cur, &np, diff, 64);
		for (i = 0; i < n && i < 64; i++) {
			const char *o = diff[i];
			int r;

			if (!strcmp(o, "local-networks")) {
				if (reload_local_nets(cur, &np) != 0)
					continue;
			} else if (!strcmp(o, "verbose")) {
				cur->verbose = np.verbose;
				log_verbosity = np.verbose == 0	 ? NLOG_INFO
						: np.verbose > 1 ? NLOG_TRACE
								 : NLOG_DEBUG;
			} else {
				r = snprintf(restart + nr, sizeof(restart) - nr,
					     "%s--%s", nr ? ", " : "", o);
				if (r > 0 && (size_t)r < sizeof(restart) - nr)
					nr += (size_t)r;
				continue;
			}
			r = snprintf(live + nl, sizeof(live) - nl, "%s--%s",
				     nl ? ", " : "", o);
			if (r > 0 && (size_t)r < sizeof(live) - nl)
				nl += (size_t)r;
		}
		log_info("SIGHUP: %s%s", nl ? "applied: " : "no live change",
			 live);
		if (nr > 0)
			log_warn("SIGHUP: changed, but applied only at the "
				 "next restart: %s",
				 restart);
		prefs_fini(&np);
	}
users:
	if (auth_users_file_reload() > 0)
		log_info("SIGHUP: users file %s reread", cur->users_file);
}

static int
all_inputs_ended(void)
{
	int i;

	for (i = 0; i < node_n_ifaces; i++)
		if (!iface_inputs_ended(node_ifaces[i]))
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
		log_warn("cannot keep the node id in %s (%s): it will change "
			 "at the "
			 "next start; set it with --node-id",
			 path, strerror(errno));
		return;
	}
	fprintf(f, "%s\n", node_id);
	fclose(f);
}

/*
 * Seed §1 (release 1.2): without -i, every network interface present is
 * opened, each as its own interface.  Loopback and interfaces that are
 * down are skipped (a down interface delivers nothing, and opening lo
 * would count every local connection of the host, the web UI's own).
 * One line says what was opened and what was skipped.
 * Returns the number of interfaces added to p, or -1.  Main thread.
 */
static int
ifaces_add_all_up(struct prefs *p)
{
	struct if_nameindex *all, *it;
	char opened[1024] = "", skipped[1024] = "";
	size_t no = 0, ns = 0;
	int fd, n = 0;

	all = if_nameindex();
	if (all == NULL) {
		log_err("no -i given, and the network interfaces cannot be "
			"listed: %s",
			strerror(errno));
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_err("no -i given, and the network interfaces cannot be "
			"queried: %s",
			strerror(errno));
		if_freenameindex(all);
		return -1;
	}
	for (it = all; it->if_index != 0 && it->if_name != NULL; it++) {
		struct ifreq ifr;
		const char *why = NULL;
		int r;

		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", it->if_name);
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
			why = "gone";
		else if (ifr.ifr_flags & IFF_LOOPBACK)
			why = "loopback";
		else if (!(ifr.ifr_flags & IFF_UP))
			why = "down";
		else if (p->n_ifaces >= PREFS_MAX_IFACES)
			why = "too many interfaces";
		if (why != NULL) {
			r = snprintf(skipped + ns, sizeof(skipped) - ns,
				     "%s%s (%s)", ns ? ", " : "", it->if_name,
				     why);
			if (r > 0 && (size_t)r < sizeof(skipped) - ns)
				ns += (size_t)r;
			continue;
		}
		p->ifaces[p->n_ifaces] = strdup(it->if_name);
		if (p->ifaces[p->n_ifaces] == NULL)
			break;
		p->n_ifaces++;
		n++;
		r = snprintf(opened + no, sizeof(opened) - no, "%s%s",
			     no ? ", " : "", it->if_name);
		if (r > 0 && (size_t)r < sizeof(opened) - no)
			no += (size_t)r;
	}
	close(fd);
	if_freenameindex(all);
	if (n == 0) {
		log_err("no -i given, and no network interface is up besides "
			"loopback%s%s: give an input with -i (see ntopng -h)",
			ns ? "; skipped: " : "", skipped);
		return -1;
	}
	log_info("no -i given: opening every network interface that is up: "
		 "%s%s%s",
		 opened, ns ? "; skipped: " : "", skipped);
	return n;
}

/*
 * Privileges (seed §4.3).  Started as root, the node opens what needs
 * root first (captures, listening sockets, the HTTPS key, the data
 * directory), then becomes -U <user> (default nobody) before any thread
 * that parses network data runs: the interface threads start after
 * privs_drop().  -s keeps the current user (debugging); a node not
 * started as root has nothing to drop.
 *
 * Order: the data directory tree and the users file are given to the
 * user first (the node writes RRDs, day files, kv.json and the users file
 * there later); then setgroups (the user's groups), setgid, setuid.
 * glibc applies these to every thread of the process, and the kernel
 * clears the permitted and effective capabilities of each thread when
 * its uids leave 0, so the web server's and collectors' threads started
 * earlier lose them too.  PR_SET_NO_NEW_PRIVS then forbids regaining any
 * through exec.  The result is checked (setuid(0) must fail, the
 * capability sets must be empty) rather than assumed.
 *
 * What still works afterwards: captures, sockets and files opened before
 * stay open; the files of a pcap list after the first are opened later,
 * so they (and a Redis unix socket, and -u's directory, where the users
 * file is rewritten through a temporary file) must be reachable by the
 * user.  A data directory the user cannot reach (e.g. under a 0700
 * directory of root) stops the start with one line.
 */
static uid_t chown_uid;
static gid_t chown_gid;
static unsigned chown_errors, chown_skipped;

static int
chown_entry(const char *path, const struct stat *st, int type, struct FTW *fw)
{
	if (type == FTW_NS || type == FTW_DNR) {
		chown_errors++;
		return FTW_CONTINUE;
	}
	/* <data dir>/ssl holds the HTTPS private key, read before the
	 * switch: it stays root's, so no other process of -U's user (nobody
	 * is shared by many daemons) can read it */
	if (type == FTW_D && fw->level == 1 && !strcmp(path + fw->base, "ssl"))
		return FTW_SKIP_SUBTREE;
	if (st->st_uid == chown_uid && st->st_gid == chown_gid)
		return FTW_CONTINUE;
	/* a hard link may point anywhere (e.g. /etc/shadow linked in by an
	 * earlier, compromised run): never hand such a file over */
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
		chown_skipped++;
		log_warn("-U: not giving %s to the user: it has %lu hard links",
			 path, (unsigned long)st->st_nlink);
		return FTW_CONTINUE;
	}
	if (lchown(path, chown_uid, chown_gid) != 0) {
		if (chown_errors++ == 0)
			log_warn("-U: cannot give %s to the user: %s", path,
				 strerror(errno));
	}
	return FTW_CONTINUE;
}

/* Gives the tree under dir (not following symbolic links, not leaving
 * its file system) to uid:gid. */
static int
chown_tree(const char *dir, uid_t uid, gid_t gid)
{
	chown_uid = uid;
	chown_gid = gid;
	chown_errors = chown_skipped = 0;
	if (nftw(dir, chown_entry, 16,
		 FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL) != 0) {
		log_err("-d %s: cannot walk the data directory: %s", dir,
			strerror(errno));
		return -1;
	}
	if (chown_errors > 0)
		log_warn("-U: %u entries under %s could not be given to the "
			 "user",
			 chown_errors, dir);
	return 0;
}

/* Returns 1 when the calling thread holds no capability at all. */
static int
caps_empty(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &hdr, d) != 0)
		return 0;
	return !(d[0].effective | d[0].permitted | d[0].inheritable |
		 d[1].effective | d[1].permitted | d[1].inheritable);
}

static int
caps_clear(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	return (int)syscall(SYS_capset, &hdr, d);
}

/* 1 when privs_drop() will switch users. */
static int
privs_will_drop(const struct prefs *p)
{
	return !p->dont_change_user && geteuid() == 0;
}

/*
 * The data directory tree is given to -U's user: refuse, before anything
 * is written there, a directory that is not the node's own (a system
 * directory given to -d by mistake, or a shared sticky one like /tmp),
 * since handing its tree over would open it to that user.
 */
static int
privs_check_data_dir(const struct prefs *p)
{
	static const char *const system_dirs[] = {
		"/",	 "/bin",     "/boot",	 "/dev",     "/etc",
		"/home", "/lib",     "/lib64",	 "/media",   "/mnt",
		"/opt",	 "/proc",    "/root",	 "/run",     "/sbin",
		"/srv",	 "/sys",     "/tmp",	 "/usr",     "/usr/local",
		"/var",	 "/var/lib", "/var/log", "/var/tmp", NULL
	};
	char real[PATH_MAX];
	struct stat st;
	int i;

	if (!privs_will_drop(p))
		return 0;
	if (realpath(p->data_dir, real) == NULL || stat(real, &st) != 0) {
		log_err("-d %s: %s", p->data_dir, strerror(errno));
		return -1;
	}
	for (i = 0; system_dirs[i] != NULL; i++)
		if (strcmp(real, system_dirs[i]) == 0)
			break;
	if (system_dirs[i] != NULL || (st.st_mode & S_ISVTX)) {
		log_err("-d %s: a %s directory; the node gives its data "
			"directory to user %s (-U), so it needs one of its "
			"own, "
			"e.g. /var/lib/ntopng (or -s to stay root)",
			p->data_dir,
			system_dirs[i] != NULL ? "system" : "shared (sticky)",
			p->user);
		return -1;
	}
	return 0;
}

static int
privs_drop(const struct prefs *p)
{
	struct passwd pw, *res = NULL;
	char buf[4096], dirbuf[PATH_MAX];
	struct stat st;
	int rc;

	if (p->dont_change_user) {
		log_info("-s: keeping user id %d", (int)geteuid());
		return 0;
	}
	if (geteuid() != 0) {
		log_info("not started as root: running as user id %d "
			 "(-U %s does not apply)",
			 (int)geteuid(), p->user);
		return 0;
	}
	rc = getpwnam_r(p->user, &pw, buf, sizeof(buf), &res);
	if (rc != 0 || res == NULL) {
		log_err("-U %s: no such user%s%s (use -U <user>, or -s to "
			"stay root)",
			p->user, rc ? ": " : "", rc ? strerror(rc) : "");
		return -1;
	}
	if (pw.pw_uid == 0) {
		log_warn("-U %s: that user is root: privileges are kept",
			 p->user);
		return 0;
	}
	if (chown_tree(p->data_dir, pw.pw_uid, pw.pw_gid) != 0)
		return -1;
	if (p->users_file != NULL && lstat(p->users_file, &st) == 0 &&
	    S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	    lchown(p->users_file, pw.pw_uid, pw.pw_gid) != 0)
		log_warn("-u %s: cannot give it to user %s: %s", p->users_file,
			 p->user, strerror(errno));
	/* --log-file: the user goes on writing it; a SIGHUP reopen creates
	 * a new one only where the user may (the package's logrotate
	 * configuration creates it for the user) */
	if (p->log_file != NULL && lstat(p->log_file, &st) == 0 &&
	    S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	    lchown(p->log_file, pw.pw_uid, pw.pw_gid) != 0)
		log_warn("--log-file %s: cannot give it to user %s: %s",
			 p->log_file, p->user, strerror(errno));
	if (initgroups(p->user, pw.pw_gid) != 0 || setgid(pw.pw_gid) != 0 ||
	    setuid(pw.pw_uid) != 0) {
		log_err("-U %s: cannot switch to that user: %s", p->user,
			strerror(errno));
		return -1;
	}
	if (setuid(0) == 0 || geteuid() == 0 || getegid() == 0) {
		log_err("-U %s: root privileges could be regained", p->user);
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		log_warn("-U: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	if (!caps_empty() && (caps_clear() != 0 || !caps_empty())) {
		log_err("-U %s: capabilities remain after the switch", p->user);
		return -1;
	}
	if (access(p->data_dir, R_OK | W_OK | X_OK) != 0) {
		log_err("-d %s: not writable by user %s (%s); is a parent "
			"directory closed to it? Give another -d, or -s to "
			"stay root",
			p->data_dir, p->user, strerror(errno));
		return -1;
	}
	if (p->users_file != NULL) {
		snprintf(dirbuf, sizeof(dirbuf), "%s", p->users_file);
		if (access(dirname(dirbuf), W_OK | X_OK) != 0)
			log_warn("-u %s: its directory is not writable by user "
				 "%s: user changes will not be saved",
				 p->users_file, p->user);
	}
	log_info("running as user %s (uid %d, gid %d), no capabilities",
		 p->user, (int)pw.pw_uid, (int)pw.pw_gid);
	return 0;
}

/* One line per interface, read by bench/run.sh and the tests. */
static void
print_final_stats(void)
{
	int i;

	for (i = 0; i < node_n_ifaces; i++) {
		struct iface *ifc = node_ifaces[i];
		const struct iface_stats *st = iface_stats(ifc);
		struct alert_stats as;

		alert_get_stats(ifc, &as); /* stopped: main owns it */
		printf("STATS ifid=%d packets=%llu bytes=%llu flows=%u "
		       "hosts=%u "
		       "macs=%u total_flows=%llu flow_mem=%llu host_mem=%llu "
		       "tables_mem=%llu flows_evicted=%llu hosts_evicted=%llu "
		       "flows_refused_mem=%llu "
		       "alerts_raised=%llu alerts_engaged=%u\n",
		       iface_id(ifc), (unsigned long long)st->packets,
		       (unsigned long long)st->bytes, iface_num_flows(ifc),
		       iface_num_hosts(ifc), iface_num_macs(ifc),
		       (unsigned long long)st->total_flows,
		       (unsigned long long)tables_flow_mem(ifc),
		       (unsigned long long)tables_host_mem(ifc),
		       (unsigned long long)tables_mem(ifc),
		       (unsigned long long)st->flows_evicted,
		       (unsigned long long)st->hosts_evicted,
		       (unsigned long long)st->flows_refused_mem,
		       (unsigned long long)as.raised, as.engaged);
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	static struct prefs prefs;
	struct httpd *web = NULL;
	struct luacb *callbacks = NULL;
	struct sigaction sa;
	int i, rc, status = 1, n_started = 0, ready_fd = -1;

	/* SIGHUP's default would end the node: flag it from the start */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGHUP, &sa, NULL);

	prefs_init(&prefs);
	rc = prefs_parse(&prefs, argc, argv);
	if (rc != 0) {
		prefs_fini(&prefs);
		return rc > 0 ? 0 : 1;
	}
	/* -v: DEBUG (summaries), -vv and more: TRACE (per message) */
	if (prefs.verbose > 0)
		log_verbosity = prefs.verbose > 1 ? NLOG_TRACE : NLOG_DEBUG;
	node_start_ms = time_wall_ms();
	if (cores_check(&prefs) != 0) {
		prefs_fini(&prefs);
		return 1;
	}
	if (prefs.log_file != NULL && log_file_open(prefs.log_file) != 0) {
		fprintf(stderr, "ntopng: --log-file %s: %s\n", prefs.log_file,
			strerror(errno));
		prefs_fini(&prefs);
		return 1;
	}
	/* -e: before anything that starts a thread (fork keeps one) */
	if (prefs.daemonize) {
		ready_fd = daemon_start();
		if (prefs.log_file == NULL)
			log_syslog_start();
	}

	/* the data directory first: its error is the only line (the node id
	 * is kept there) */
	if (storage_check_data_dir(&prefs) != 0 ||
	    privs_check_data_dir(&prefs) != 0)
		goto out;
	node_id_init(&prefs);
	/* before any thread that looks hosts up starts (docs/geo.md) */
	geo_open(prefs.geoip_dir, prefs.data_dir);
	if (prefs.n_ifaces == 0 && ifaces_add_all_up(&prefs) < 0)
		goto out;
	sources_register(); /* the kinds iface_new() opens -i with */
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
		node_ifaces[i] = iface_new(
			i, HISTORICAL_NAME "=" HISTORICAL_SPEC, &prefs);
		if (node_ifaces[i] == NULL)
			goto out;
		node_n_ifaces = i + 1;
	}
	if (prefs.pid_file != NULL && write_pid_file(prefs.pid_file) != 0)
		goto out;
	if (kv_open(&prefs) != 0)
		goto out;
	if (storage_open(&prefs) != 0)
		goto out;
	/* past alerts: SQLite, syslog, --alerts-syslog (docs/alerts.md) */
	if (alerts_store_start(&prefs) != 0)
		goto out;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (export_start(&prefs) != 0)
		goto out;
	/* -w 0 -W <port>: HTTPS alone */
	if (prefs.http_port != 0 || prefs.https_port > 0) {
		web = httpd_start(&prefs);
		if (web == NULL)
			goto out;
	}
	/* everything that needs root is open: the threads that parse network
	 * data and write files run as -U's user */
	if (privs_drop(&prefs) != 0)
		goto out;
	/* the sinks of every interface (merge/sink.h), before it starts */
	for (i = 0; i < node_n_ifaces; i++)
		if (storage_sink_add(node_ifaces[i]) != 0 ||
		    export_sink_add(node_ifaces[i]) != 0 ||
		    alerts_store_sink_add(node_ifaces[i]) != 0)
			goto out;
	/* threshold rules kept in the kv store (webui/rest_alerts.c) */
	rest_alerts_load();
	/* interfaces disabled at run time stay so (webui/ui.c) */
	ui_iface_states_restore();
	/* -n 0/1, -k: the resolver thread the owners post to */
	if (resolver_start(&prefs) != 0)
		goto out;
	for (i = 0; i < node_n_ifaces; i++) {
		/* -g: interface i on the i-th core of the list, cycling */
		if (prefs.n_cores > 0)
			iface_set_core(node_ifaces[i],
				       prefs.cores[i % prefs.n_cores]);
		if (iface_start(node_ifaces[i]) != 0)
			goto out;
		n_started = i + 1;
	}
	/* user callbacks (lua/callbacks.h), once the interfaces run */
	callbacks = luacb_start(&prefs);
	log_info("ntopng %s started: %d interface(s)%s%s", NTOPNG_VERSION,
		 node_n_ifaces, web ? "" : ", web server off",
		 prefs.daemonize ? ", running as a daemon" : "");
	if (ready_fd >= 0) {
		daemon_ready(ready_fd);
		ready_fd = -1;
	}
	/* systemd's Type=notify (common/sdnotify.h): running now */
	if (sdnotify_init() > 0) {
		sdnotify("READY=1");
		log_info("systemd notified: ready (watchdog %llu ms)",
			 (unsigned long long)(sdnotify_watchdog_usec() / 1000));
	}

	while (!atomic_load_explicit(&stop_requested, memory_order_relaxed)) {
		if (atomic_exchange_explicit(&reload_requested, 0,
					     memory_order_relaxed)) {
			sdnotify("RELOADING=1");
			node_reload(&prefs);
			sdnotify("READY=1");
		}
		if (prefs.shutdown_when_done && all_inputs_ended())
			break;
		sdnotify_watchdog(time_mono_ms());
		usleep(50 * 1000);
	}
	sdnotify("STOPPING=1");
	status = 0;
out:
	luacb_stop(callbacks);
	httpd_stop(web);
	resolver_halt();
	for (i = 0; i < node_n_ifaces; i++)
		iface_stop(node_ifaces[i]);
	resolver_stop();
	/* owners joined: what is still in memory goes to the stores (an
	 * interface that never started has nothing, and a failed start-up
	 * must not write files after its one error line) */
	for (i = 0; i < n_started; i++)
		iface_flush(node_ifaces[i]);
	alerts_store_stop();
	storage_close();
	export_stop();
	if (status == 0)
		print_final_stats();
	for (i = 0; i < node_n_ifaces; i++)
		iface_free(node_ifaces[i]);
	free(node_ifaces);
	if (live_nets != NULL) {
		netlist_fini(live_nets);
		free(live_nets);
	}
	geo_close();
	kv_close();
	if (prefs.pid_file != NULL)
		unlink(prefs.pid_file);
	prefs_fini(&prefs);
	return status;
}
