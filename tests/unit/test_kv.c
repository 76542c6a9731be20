/*
 * test_kv.c - unit tests of state/kv.c against a small fake Redis
 * server run in this process (a thread per client connection, speaking
 * enough RESP for SELECT / GET / SET):
 *
 *  - every thread talks to Redis on a connection of its own: while one
 *    thread waits for a slow answer (the key "slow" is answered after
 *    250 ms, as a busy writer's call would be), another thread's calls are
 *    answered at once (issue 11 #32: one shared connection under a lock
 *    made a login wait behind the writer);
 *  - each calling thread opens one connection, reused for its calls;
 *  - kv_private_create/commit write a 0600 file whatever the umask and
 *    whatever mode an old temporary file had.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/prefs.h"
#include "state/auth.h"
#include "state/kv.h"

#define SLOW_MS 250

static int fake_fd = -1;
static int fake_port;
static int fake_conns;               /* connections accepted (atomic) */
static int fake_dels;                /* DEL commands received (atomic) */
#define SID "0123456789abcdef0123456789abcdef"
#define CSRF "fedcba9876543210fedcba9876543210"

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Parses one complete RESP array of bulk strings at the start of buf
 * (len bytes).  Returns the bytes it takes, 0 if incomplete, -1 if bad.
 * argv receives up to 8 arguments (pointers into buf, NUL-terminated in
 * place of their \r).
 */
static long
resp_parse(char *buf, size_t len, char **argv, int *argc)
{
	size_t pos = 0;
	long n, i;
	char *end;

	if (len < 4 || buf[0] != '*')
		return len ? (buf[0] == '*' ? 0 : -1) : 0;
	end = memchr(buf, '\n', len);
	if (!end)
		return 0;
	n = strtol(buf + 1, NULL, 10);
	if (n < 1 || n > 8)
		return -1;
	pos = (size_t)(end - buf) + 1;
	for (i = 0; i < n; i++) {
		long blen;

		if (pos >= len)
			return 0;
		if (buf[pos] != '$')
			return -1;
		end = memchr(buf + pos, '\n', len - pos);
		if (!end)
			return 0;
		blen = strtol(buf + pos + 1, NULL, 10);
		if (blen < 0 || blen > 4096)
			return -1;
		pos = (size_t)(end - buf) + 1;
		if (pos + (size_t)blen + 2 > len)
			return 0;
		argv[i] = buf + pos;
		buf[pos + (size_t)blen] = '\0';
		pos += (size_t)blen + 2;
	}
	*argc = (int)n;
	return (long)pos;
}

static void
send_all(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void *
fake_client(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[8192];
	size_t len = 0;

	for (;;) {
		ssize_t r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		char *argv[8];
		int argc = 0;
		long used;

		if (r <= 0)
			break;
		len += (size_t)r;
		while ((used = resp_parse(buf, len, argv, &argc)) > 0) {
			if (!strcasecmp(argv[0], "SELECT") ||
			    !strcasecmp(argv[0], "SET")) {
				send_all(fd, "+OK\r\n");
			} else if (!strcasecmp(argv[0], "GET") && argc == 2 &&
				   !strcmp(argv[1], "slow")) {
				usleep(SLOW_MS * 1000);
				send_all(fd, "$4\r\nslow\r\n");
			} else if (!strcasecmp(argv[0], "GET") && argc == 2 &&
				   (!strcmp(argv[1], "timeout") ||
				    !strncmp(argv[1], "user.", 5))) {
				/* longer than the client's 300 ms timeout */
				usleep(600 * 1000);
				send_all(fd, "$-1\r\n");
			} else if (!strcasecmp(argv[0], "GET") && argc == 2 &&
				   !strcmp(argv[1], "absent")) {
				send_all(fd, "$-1\r\n");
			} else if (!strcasecmp(argv[0], "GET") && argc == 2 &&
				   !strcmp(argv[1], "sessions." SID)) {
				send_all(fd, "$52\r\nadmin|administrator|" CSRF
					     "\r\n");
			} else if (!strcasecmp(argv[0], "DEL")) {
				__atomic_add_fetch(&fake_dels, 1,
						   __ATOMIC_RELAXED);
				send_all(fd, ":1\r\n");
			} else if (!strcasecmp(argv[0], "GET")) {
				send_all(fd, "$3\r\nbar\r\n");
			} else {
				send_all(fd, "-ERR unknown\r\n");
			}
			memmove(buf, buf + used, len - (size_t)used);
			len -= (size_t)used;
		}
		if (used < 0 || len >= sizeof(buf) - 1)
			break;
	}
	close(fd);
	return NULL;
}

static void *
fake_accept(void *arg)
{
	for (;;) {
		int c = accept(fake_fd, NULL, NULL);
		pthread_t t;

		if (c < 0)
			return NULL;
		__atomic_add_fetch(&fake_conns, 1, __ATOMIC_RELAXED);
		if (pthread_create(&t, NULL, fake_client, (void *)(intptr_t)c) != 0) {
			close(c);
			continue;
		}
		pthread_detach(t);
	}
}

static int
setup(void **state)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	static struct prefs p;
	static char spec[64];
	pthread_t t;

	fake_fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fake_fd < 0 || bind(fake_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fake_fd, 64) != 0 ||
	    getsockname(fake_fd, (struct sockaddr *)&sa, &sl) != 0)
		return -1;
	fake_port = ntohs(sa.sin_port);
	if (pthread_create(&t, NULL, fake_accept, NULL) != 0)
		return -1;
	pthread_detach(t);
	memset(&p, 0, sizeof(p));
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", fake_port);
	p.redis = spec;
	if (kv_open(&p) != 0 || kv_is_embedded())
		return -1;
	*state = NULL;
	return 0;
}

static int
teardown(void **state)
{
	kv_close();
	return 0;
}

struct slow_arg {
	int calls;
	int done;                    /* atomic */
	int answers_ok;
};

static void *
slow_caller(void *arg)
{
	struct slow_arg *a = arg;

	for (int i = 0; i < a->calls; i++) {
		char *v = kv_get("slow");

		a->answers_ok += v && !strcmp(v, "slow");
		free(v);
	}
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* A thread stuck in slow calls does not delay another thread's calls. */
static void
test_slow_thread_does_not_block_others(void **state)
{
	struct slow_arg a = { 8, 0, 0 };
	uint64_t t0, worst = 0, total;
	pthread_t t;
	int fast = 0;
	char *v;

	/* the main thread's own connection is up before the race starts */
	v = kv_get("warm");
	assert_non_null(v);
	free(v);
	assert_int_equal(pthread_create(&t, NULL, slow_caller, &a), 0);
	usleep(50 * 1000);           /* the slow thread is inside a call */
	t0 = now_ms();
	for (int i = 0; i < 10; i++) {
		uint64_t s = now_ms(), d;

		v = kv_get("fast");
		d = now_ms() - s;
		if (d > worst)
			worst = d;
		fast += v && !strcmp(v, "bar");
		free(v);
	}
	total = now_ms() - t0;
	print_message("10 fast calls beside a slow thread: %llu ms, worst %llu ms\n",
		      (unsigned long long)total, (unsigned long long)worst);
	assert_int_equal(fast, 10);
	assert_false(__atomic_load_n(&a.done, __ATOMIC_ACQUIRE));
	/* With one shared connection each fast call waited for a slow one
	 * (250 ms); on its own connection it takes well under that. */
	assert_true(worst < SLOW_MS / 2);
	pthread_join(t, NULL);
	assert_int_equal(a.answers_ok, a.calls);
}

static void *
three_calls(void *arg)
{
	for (int i = 0; i < 3; i++)
		free(kv_get("fast"));
	return NULL;
}

/* One connection per calling thread, reused for its calls. */
static void
test_one_connection_per_thread(void **state)
{
	pthread_t t[3];
	int before = __atomic_load_n(&fake_conns, __ATOMIC_RELAXED);

	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, three_calls, NULL), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(__atomic_load_n(&fake_conns, __ATOMIC_RELAXED) - before, 3);
	free(kv_get("fast"));        /* the main thread reuses its own */
	assert_int_equal(__atomic_load_n(&fake_conns, __ATOMIC_RELAXED) - before, 3);
}

/* A read the store did not answer is told from an absent key, and a
 * session whose user cannot be read (Redis slow) stands with the group
 * it was made with instead of being deleted (a busy Redis must not log
 * everyone out). */
static void
test_read_failure_keeps_sessions(void **state)
{
	struct auth_user u;
	char *v;

	(void)state;
	v = kv_get("absent");
	assert_null(v);
	assert_int_equal(kv_last_read_failed(), 0);
	v = kv_get("fast");
	assert_non_null(v);
	assert_int_equal(kv_last_read_failed(), 0);
	free(v);
	/* the session record answers, the user's record times out */
	assert_int_equal(auth_session_lookup(SID, &u), 1);
	assert_int_equal(kv_last_read_failed(), 1);
	assert_string_equal(u.name, "admin");
	assert_int_equal(u.admin, 1);
	assert_string_equal(u.csrf, CSRF);
	assert_int_equal(__atomic_load_n(&fake_dels, __ATOMIC_RELAXED), 0);
	v = kv_get("timeout");
	assert_null(v);
	assert_int_equal(kv_last_read_failed(), 1);
}

/* Credential files: 0600 whatever the umask or an old temporary file. */
static void
test_private_file_mode(void **state)
{
	char dir[] = "/tmp/test_kv_XXXXXX", path[256], tmp[4096];
	struct stat st;
	mode_t old = umask(0);
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/users.conf", dir);
	/* a world-readable leftover temporary file */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fclose(f);
	chmod(tmp, 0666);
	for (int round = 0; round < 2; round++) {
		f = kv_private_create(path, tmp, sizeof(tmp));
		assert_non_null(f);
		fputs("user.a.group=unprivileged\n", f);
		assert_int_equal(kv_private_commit(f, tmp, path), 0);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		assert_int_not_equal(access(tmp, F_OK), 0);
	}
	chmod(path, 0644);
	kv_private_narrow(path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	umask(old);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slow_thread_does_not_block_others),
		cmocka_unit_test(test_one_connection_per_thread),
		cmocka_unit_test(test_private_file_mode),
		cmocka_unit_test(test_read_failure_keeps_sessions),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
