/*
 * test_paths.c - common/paths.c (where a binary finds its files: the
 * relative path from bindir to the data directory, the build-directory
 * search) and common/sdnotify.c (systemd's notification datagrams to a
 * socket path and to an abstract "@name", the watchdog's pace, bad
 * addresses).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/paths.h"
#include "common/sdnotify.h"

static void
rel_is(const char *from, const char *to, const char *want)
{
	char out[256];

	assert_int_equal(paths_relative(from, to, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void
test_relative(void **state)
{
	char small[6];

	(void)state;
	rel_is("/usr/bin", "/usr/share/ntopng", "../share/ntopng");
	rel_is("/usr/local/bin", "/usr/local/share/ntopng", "../share/ntopng");
	rel_is("/opt/ntopng/bin", "/opt/ntopng/share/ntopng",
	       "../share/ntopng");
	rel_is("/usr/bin", "/usr/bin", ".");
	rel_is("/usr/bin", "/usr", "..");
	rel_is("/usr", "/usr/share/ntopng", "share/ntopng");
	rel_is("/", "/srv/ntopng", "srv/ntopng");
	/* a shared prefix that is not a whole component */
	rel_is("/usr/bin", "/usr/binx/data", "../binx/data");
	rel_is("/a/b/c", "/x/y", "../../../x/y");
	rel_is("/usr/sbin/", "/usr/share/", "../share");
	/* does not fit */
	assert_int_equal(paths_relative("/a/b/c", "/x/yyyy", small,
					sizeof(small)),
			 -1);
}

/* the unit test binary lives in <build>/tests/unit, not in the build
 * directory: it is an "installed" binary for paths_find */
static void
test_find(void **state)
{
	char out[PATH_MAX], tmpl[] = "/tmp/test_paths-XXXXXX", sub[300];
	char cwd[PATH_MAX], real[PATH_MAX];

	(void)state;
	assert_int_equal(paths_in_build_dir(), 0);
	assert_non_null(mkdtemp(tmpl));
	snprintf(sub, sizeof(sub), "%s/mydocs", tmpl);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_non_null(realpath(sub, real));
	/* absolute: that directory (its realpath), or nothing */
	assert_int_equal(paths_find(sub, 1, NULL, out), 0);
	assert_string_equal(out, real);
	snprintf(sub, sizeof(sub), "%s/none", tmpl);
	assert_int_equal(paths_find(sub, 1, NULL, out), -1);
	assert_string_equal(out, "");
	/* a relative name the user gave: the current directory; a default
	 * name is not looked up there by an installed binary */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmpl), 0);
	assert_int_equal(paths_find("mydocs", 1, NULL, out), 0);
	assert_string_equal(out, real);
	assert_int_equal(paths_find("mydocs", 0, NULL, out), -1);
	assert_int_equal(chdir(cwd), 0);
	snprintf(sub, sizeof(sub), "%s/mydocs", tmpl);
	rmdir(sub);
	rmdir(tmpl);
	/* the configure-time directories are absolute */
	assert_true(paths_datadir()[0] == '/');
	assert_true(paths_bindir()[0] == '/');
	assert_non_null(strstr(paths_datadir(), "/ntopng"));
}

/* a datagram socket bound at addr; returns the fd */
static int
bind_dgram(const char *name, int abstract)
{
	struct sockaddr_un a;
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (abstract) {
		memcpy(a.sun_path + 1, name, strlen(name));
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				  strlen(name));
	} else {
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", name);
		len = sizeof(a);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&a, len), 0);
	return fd;
}

/* the next datagram (waits at most 1 s); "" when none */
static void
recv_msg(int fd, char *buf, size_t n)
{
	struct timeval tv = { 1, 0 };
	ssize_t r;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	r = recv(fd, buf, n - 1, 0);
	buf[r > 0 ? r : 0] = '\0';
}

static void
test_notify_path(void **state)
{
	char dir[] = "/tmp/test_sdnotify-XXXXXX", sock[200], buf[256];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/notify", dir);
	fd = bind_dgram(sock, 0);
	setenv("NOTIFY_SOCKET", sock, 1);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_int_equal(sdnotify_init(), 1);
	assert_int_equal(sdnotify("READY=1"), 0);
	recv_msg(fd, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1");
	assert_int_equal(sdnotify("STOPPING=1\nSTATUS=bye"), 0);
	recv_msg(fd, buf, sizeof(buf));
	assert_string_equal(buf, "STOPPING=1\nSTATUS=bye");
	/* no watchdog asked for: nothing sent */
	assert_int_equal((int)sdnotify_watchdog_usec(), 0);
	sdnotify_watchdog(1000);
	assert_int_equal(sdnotify("X=1"), 0);
	recv_msg(fd, buf, sizeof(buf));
	assert_string_equal(buf, "X=1");
	close(fd);
	unlink(sock);
	rmdir(dir);
	/* the receiver is gone: an error, not a crash */
	assert_int_equal(sdnotify("READY=1"), -1);
}

static void
test_notify_abstract_watchdog(void **state)
{
	char name[64], env[80], pid[32], buf[256];
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "test_sdnotify-%d", (int)getpid());
	fd = bind_dgram(name, 1);
	snprintf(env, sizeof(env), "@%s", name);
	setenv("NOTIFY_SOCKET", env, 1);
	setenv("WATCHDOG_USEC", "2000000", 1); /* 2 s: a ping every 1 s */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(sdnotify_init(), 1);
	assert_int_equal((int)sdnotify_watchdog_usec(), 2000000);
	sdnotify_watchdog(10000); /* the first one goes at once */
	sdnotify_watchdog(10500); /* too soon */
	sdnotify_watchdog(11000); /* half the interval later */
	sdnotify("READY=1");
	recv_msg(fd, buf, sizeof(buf));
	assert_string_equal(buf, "WATCHDOG=1");
	recv_msg(fd, buf, sizeof(buf));
	assert_string_equal(buf, "WATCHDOG=1");
	recv_msg(fd, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1");
	/* another process's watchdog: not ours */
	setenv("WATCHDOG_PID", "1", 1);
	assert_int_equal(sdnotify_init(), 1);
	assert_int_equal((int)sdnotify_watchdog_usec(), 0);
	/* a number with junk: no watchdog */
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "100x", 1);
	assert_int_equal(sdnotify_init(), 1);
	assert_int_equal((int)sdnotify_watchdog_usec(), 0);
	close(fd);
}

static void
test_notify_bad(void **state)
{
	char longname[200];

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify_init(), 0);
	assert_int_equal(sdnotify("READY=1"), 0); /* nothing to do */
	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	assert_int_equal(sdnotify_init(), -1);
	assert_int_equal(sdnotify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "@", 1);
	assert_int_equal(sdnotify_init(), -1);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	setenv("NOTIFY_SOCKET", longname, 1);
	assert_int_equal(sdnotify_init(), -1);
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify_init(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_notify_path),
		cmocka_unit_test(test_notify_abstract_watchdog),
		cmocka_unit_test(test_notify_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
