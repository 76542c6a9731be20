/*
 * test_hostinfo.c - unit tests of dpi/os.c (User-Agent, DHCP and SYN
 * verdicts, their ranking and wording) and merge/activity.c (the 1-second
 * map: marks, ranges, the day turning, minutes, Pearson and Jaccard),
 * and the replay of fuzz_os's corpus (tests/corpus/os) under gcc.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dpi/os.h"
#include "merge/activity.h"

/* the fuzz target itself, so the corpus goes through what libFuzzer runs */
#include "fuzz/fuzz_os.c"

/* The verdict of a User-Agent in words, "" when none. */
static const char *
ua(const char *s, char *buf, size_t len)
{
	struct os_verdict v = { 0, 0, 0 };

	if (!os_from_user_agent(s, strlen(s), &v))
		return "";
	return os_detail_fmt(&v, buf, len);
}

static void
test_user_agent(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(
		ua("Microsoft-Delivery-Optimization/10.0", b, sizeof(b)),
		"Windows 10");
	assert_string_equal(
		ua("Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)", b,
		   sizeof(b)),
		"Windows XP");
	assert_string_equal(
		ua("Mozilla/5.0 (Windows NT 6.1; WOW64)", b, sizeof(b)),
		"Windows 7");
	assert_string_equal(
		ua("Mozilla/5.0 (Windows NT 6.3; Win64)", b, sizeof(b)),
		"Windows 8.1");
	assert_string_equal(
		ua("Windows-Update-Agent/7.9.9600.18340", b, sizeof(b)),
		"Windows");
	assert_string_equal(
		ua("Mozilla/5.0 (Linux; Android 5.1.1; LGLS751 Build/LMY47V)",
		   b, sizeof(b)),
		"Android 5.1");
	assert_string_equal(
		ua("Dalvik/2.1.0 (Linux; U; Android 11; Pixel)", b, sizeof(b)),
		"Android 11");
	assert_string_equal(ua("Mozilla/5.0 (iPhone; CPU iPhone OS 15_2 like "
			       "Mac OS X) AppleWebKit/605.1.15",
			       b, sizeof(b)),
			    "iOS 15.2");
	assert_string_equal(ua("Mozilla/5.0 (Macintosh; Intel Mac OS X "
			       "10_15_7) AppleWebKit/537.36",
			       b, sizeof(b)),
			    "MacOS 10.15");
	assert_string_equal(
		ua("Mozilla/5.0 (X11; Linux x86_64; rv:91.0)", b, sizeof(b)),
		"Linux");
	assert_string_equal(
		ua("Microsoft Edge/99.0.1150.30 Windows", b, sizeof(b)),
		"Windows");
	assert_string_equal(ua("curl/7.81.0", b, sizeof(b)), "");
	assert_string_equal(
		ua("Mozilla/5.0 (compatible; bingbot/2.0)", b, sizeof(b)), "");
	/* hostile: versions too long, cut inputs */
	assert_string_equal(ua("Windows NT 99999999.1", b, sizeof(b)),
			    "Windows");
	assert_string_equal(ua("Android", b, sizeof(b)), "Android");
	assert_string_equal(ua("Microsoft-X/", b, sizeof(b)), "Windows");
	{
		/* the bound, not a NUL, ends the input */
		struct os_verdict v = { 0, 0, 0 };

		assert_int_equal(os_from_user_agent("Windows NT 6.1", 10, &v),
				 1);
		assert_int_equal(v.os, OS_WINDOWS);
		assert_int_equal(v.ver, 0);
	}
	assert_string_equal(os_name(OS_MACOS), "MacOS");
	assert_string_equal(os_name(200), "");
}

static void
test_dhcp_syn_rank(void **state)
{
	struct os_verdict v = { 0, 0, 0 }, cur = { 0, 0, 0 };
	const char *prl = "1,3,6,15,31,33,43,44,46,47,119,121,249,252";

	(void)state;
	assert_int_equal(os_from_dhcp("MSFT 5.0", 8, NULL, 0, &v), 1);
	assert_int_equal(v.os, OS_WINDOWS);
	assert_int_equal(v.src, OS_SRC_DHCP);
	assert_int_equal(os_from_dhcp("dhcpcd-6.10.1:Linux-4.9.57-v7+:armv7l",
				      37, NULL, 0, &v),
			 1);
	assert_int_equal(v.os, OS_LINUX);
	assert_int_equal(os_from_dhcp("android-dhcp-9", 14, NULL, 0, &v), 1);
	assert_int_equal(v.os, OS_ANDROID);
	assert_int_equal(v.ver, 900);
	memset(&v, 0, sizeof(v));
	assert_int_equal(os_from_dhcp("dhcpcd-5.5.6", 12, "1,3,6,15", 8, &v),
			 0);
	assert_int_equal(os_from_dhcp(NULL, 0, prl, strlen(prl), &v), 1);
	assert_int_equal(v.os, OS_WINDOWS);
	assert_int_equal(os_from_dhcp(NULL, 0, "1,249", 5, &v), 1);
	memset(&v, 0, sizeof(v));
	assert_int_equal(os_from_dhcp(NULL, 0, "1,2490,24", 9, &v), 0);
	assert_int_equal(os_from_dhcp(NULL, 0, "1,249", 4, &v), 0);

	assert_int_equal(os_from_syn(128, 64240, &v), 1);
	assert_int_equal(v.os, OS_WINDOWS);
	assert_int_equal(os_from_syn(57, 29200, &v), 1);
	assert_int_equal(v.os, OS_LINUX);
	assert_int_equal(os_from_syn(64, 65535, &v), 1);
	assert_int_equal(v.os, OS_MACOS);
	assert_int_equal(os_from_syn(250, 4128, &v), 0);

	/* ranking: SYN < DHCP < UA, never downwards */
	os_from_syn(128, 8192, &v);
	assert_int_equal(os_merge(&cur, &v), 1);
	os_from_user_agent("Mozilla/5.0 (X11; Linux x86_64)", 31, &v);
	assert_int_equal(os_merge(&cur, &v), 1);
	assert_int_equal(cur.os, OS_LINUX);
	assert_int_equal(cur.src, OS_SRC_UA);
	os_from_dhcp("MSFT 5.0", 8, NULL, 0, &v);
	assert_int_equal(os_merge(&cur, &v), 0);
	assert_int_equal(cur.os, OS_LINUX);
	/* same rank: a version is kept against a later verdict without */
	os_from_user_agent("Windows NT 10.0", 15, &v);
	assert_int_equal(os_merge(&cur, &v), 1);
	os_from_user_agent("Windows", 7, &v);
	assert_int_equal(os_merge(&cur, &v), 0);
	assert_int_equal(cur.ver, 1000);
}

/* A BOOTP request with the given options after the magic cookie; returns
 * its length. */
static size_t
bootp(uint8_t *b, size_t cap, const uint8_t *opts, size_t n)
{
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };

	memset(b, 0, cap);
	b[0] = 1; /* BOOTREQUEST */
	b[1] = 1;
	b[2] = 6;
	memcpy(b + 236, cookie, 4);
	memcpy(b + 240, opts, n);
	return 240 + n;
}

static void
test_dhcp_packet(void **state)
{
	uint8_t b[400];
	struct os_verdict v = { 0, 0, 0 };
	static const uint8_t msft[] = { 53,  1,	  1,   0,   60,	 8,   'M', 'S',
					'F', 'T', ' ', '5', '.', '0', 255 };
	static const uint8_t prl[] = { 53, 1, 3, 55, 4, 1, 3, 249, 252, 255 };
	static const uint8_t none[] = { 53, 1, 1, 55, 3, 1, 3, 6, 255 };
	static const uint8_t cut[] = { 53, 1, 1, 60, 40, 'M', 'S', 'F', 'T' };
	size_t n;

	(void)state;
	n = bootp(b, sizeof(b), msft, sizeof(msft));
	assert_int_equal(os_from_dhcp_packet(b, n, &v), 1);
	assert_int_equal(v.os, OS_WINDOWS);
	assert_int_equal(v.src, OS_SRC_DHCP);
	/* cut inside option 60: not read past the buffer */
	assert_int_equal(os_from_dhcp_packet(b, 250, &v), 0);
	n = bootp(b, sizeof(b), prl, sizeof(prl));
	memset(&v, 0, sizeof(v));
	assert_int_equal(os_from_dhcp_packet(b, n, &v), 1);
	assert_int_equal(v.os, OS_WINDOWS);
	n = bootp(b, sizeof(b), none, sizeof(none));
	assert_int_equal(os_from_dhcp_packet(b, n, &v), 0);
	n = bootp(b, sizeof(b), cut, sizeof(cut));
	assert_int_equal(os_from_dhcp_packet(b, n, &v), 0);
	/* a reply (op 2), a bad cookie, a short payload */
	n = bootp(b, sizeof(b), msft, sizeof(msft));
	b[0] = 2;
	assert_int_equal(os_from_dhcp_packet(b, n, &v), 0);
	b[0] = 1;
	b[239] = 0;
	assert_int_equal(os_from_dhcp_packet(b, n, &v), 0);
	assert_int_equal(os_from_dhcp_packet(b, 239, &v), 0);
	assert_int_equal(os_from_dhcp_packet(NULL, 0, &v), 0);
}

static void
test_activity_marks(void **state)
{
	struct activity *a = activity_new();
	uint8_t counts[ACTIVITY_HOURS * 60];
	const uint64_t t0 = 1700002800; /* an hour boundary */
	int has;

	(void)state;
	assert_non_null(a);
	assert_int_equal(activity_mem(a), sizeof(struct activity));
	assert_int_equal(activity_mark(a, t0 - 1), 0);
	assert_int_equal(activity_mark(a, t0), 0);
	assert_int_equal(activity_mark(a, t0 + 3599), 0);
	assert_int_equal(activity_test(a, t0 - 1), 1);
	assert_int_equal(activity_test(a, t0), 1);
	assert_int_equal(activity_test(a, t0 + 1), 0);
	assert_int_equal(activity_test(a, t0 + 3599), 1);
	assert_int_equal(activity_mem(a), sizeof(struct activity) + 2 * 57 * 8);
	assert_int_equal(activity_newest_hour(a, &has), t0 / 3600);
	assert_int_equal(has, 1);
	assert_int_equal(activity_minutes(a, (uint32_t)(t0 / 3600), counts), 3);
	assert_int_equal(counts[22 * 60 + 59], 1); /* t0 - 1: hour 22 of 24 */
	assert_int_equal(counts[23 * 60], 1);
	assert_int_equal(counts[23 * 60 + 59], 1);

	/* a day later the slot of hour t0 is reused and cleared */
	assert_int_equal(activity_mark(a, t0 + 86400 + 5), 0);
	assert_int_equal(activity_test(a, t0), 0);
	assert_int_equal(activity_test(a, t0 + 86400 + 5), 1);
	/* older than its slot's hour: dropped, not an error */
	assert_int_equal(activity_mark(a, t0 + 7), 0);
	assert_int_equal(activity_test(a, t0 + 7), 0);
	assert_int_equal(activity_mem(a), sizeof(struct activity) + 2 * 57 * 8);

	/* ranges: across words and hours, bounded to a day */
	activity_mark_range(a, t0 + 86400 + 60, t0 + 86400 + 3600 + 200);
	assert_int_equal(activity_test(a, t0 + 86400 + 59), 0);
	assert_int_equal(activity_test(a, t0 + 86400 + 60), 1);
	assert_int_equal(activity_test(a, t0 + 86400 + 127), 1);
	assert_int_equal(activity_test(a, t0 + 86400 + 3599), 1);
	assert_int_equal(activity_test(a, t0 + 86400 + 3600 + 200), 1);
	assert_int_equal(activity_test(a, t0 + 86400 + 3600 + 201), 0);
	activity_mark_range(a, 0, t0 + 10 * 86400 - 1);
	assert_int_equal(
		activity_minutes(a, (uint32_t)(t0 / 3600) + 239, counts),
		86400);
	activity_mark_range(a, 5, 4); /* empty */
	/* a hostile far-future clock: bounded work, no wrap */
	activity_mark_range(a, UINT64_MAX / 1000 - 100000, UINT64_MAX / 1000);
	assert_int_equal(activity_test(a, UINT64_MAX / 1000), 1);
	activity_free(a);
	activity_free(NULL);
}

static void
test_activity_correlation(void **state)
{
	struct activity *a = activity_new(), *b = activity_new(),
			*c = activity_new();
	const uint64_t t0 = 1700002790;
	uint32_t end = (uint32_t)((t0 + 60) / 3600), na, nb, both;

	(void)state;
	for (int s = 0; s < 10; s++) {
		activity_mark(a, t0 + s);
		activity_mark(a, t0 + 20 + s);
		activity_mark(b, t0 + s);
		activity_mark(c, t0 + 40 + s);
	}
	activity_counts(a, a, end, &na, &nb, &both);
	assert_int_equal(na, 20);
	assert_int_equal(both, 20);
	assert_true(activity_pearson(na, nb, both) > 0.999999999);
	assert_true(activity_jaccard(na, nb, both) == 1.0);
	activity_counts(a, b, end, &na, &nb, &both);
	assert_int_equal(nb, 10);
	assert_int_equal(both, 10);
	assert_true(activity_jaccard(na, nb, both) == 0.5);
	activity_counts(a, c, end, &na, &nb, &both);
	assert_int_equal(both, 0);
	assert_true(activity_pearson(na, nb, both) < 0);
	assert_true(activity_jaccard(na, nb, both) == 0);
	/* a window that ends before the activity sees none of it */
	activity_counts(a, b, end - 30, &na, &nb, &both);
	assert_int_equal(na + nb + both, 0);
	assert_true(activity_pearson(0, 0, 0) == 0);
	assert_true(activity_jaccard(0, 0, 0) == 0);
	activity_free(a);
	activity_free(b);
	activity_free(c);
}

static void
test_corpus_replay(void **state)
{
	char path[1024];
	struct dirent *e;
	int files = 0;
	DIR *d = opendir(SRCDIR "/tests/corpus/os");

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		uint8_t buf[4096];
		size_t n;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", SRCDIR "/tests/corpus/os",
			 e->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
		files++;
	}
	closedir(d);
	assert_true(files >= 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_agent),
		cmocka_unit_test(test_dhcp_syn_rank),
		cmocka_unit_test(test_dhcp_packet),
		cmocka_unit_test(test_activity_marks),
		cmocka_unit_test(test_activity_correlation),
		cmocka_unit_test(test_corpus_replay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
