/*
 * test_geo.c - geo/geo.c against MaxMind's test databases (shared/geoip,
 * known answers in its SOURCES.md): where the databases are looked for,
 * the fields of a lookup, addresses in no database, no database at all,
 * and the cost of one lookup (printed, for docs/geo.md).
 */
#include <setjmp.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/addr.h"
#include "geo/geo.h"

static char shared_geo[PATH_MAX];

/* <shared>/geoip, as test_shared.h finds <shared>, made absolute (the
 * symlinks made to it live elsewhere); 0 or -1. */
static int
find_shared(void)
{
	const char *env = getenv("NTOPNG_SHARED");
	const char *dirs[3] = { env, "../shared", "/work/shared" };
	struct stat st;
	char f[PATH_MAX + 64], real[PATH_MAX];

	for (int i = 0; i < 3; i++) {
		if (dirs[i] == NULL || dirs[i][0] == '\0' ||
		    strlen(dirs[i]) > PATH_MAX - 64)
			continue;
		snprintf(f, sizeof(f), "%s/geoip/GeoLite2-ASN-Test.mmdb",
			 dirs[i]);
		snprintf(real, sizeof(real), "%s/geoip", dirs[i]);
		if (stat(f, &st) == 0 && realpath(real, shared_geo) != NULL)
			return 0;
	}
	return -1;
}

/* Symlinks <shared>/geoip/<from> as dir/<to>. */
static void
link_db(const char *dir, const char *from, const char *to)
{
	char a[PATH_MAX + 64], b[PATH_MAX + 64];

	snprintf(a, sizeof(a), "%s/%s", shared_geo, from);
	snprintf(b, sizeof(b), "%s/%s", dir, to);
	assert_int_equal(symlink(a, b), 0);
}

static void
rm_dir(const char *dir)
{
	char cmd[PATH_MAX + 64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int
look(const char *ip, struct geo_info *g)
{
	struct ipaddr a;

	assert_int_equal(ipaddr_parse(&a, ip), 0);
	return geo_lookup(&a, g);
}

static void
test_lookups(void **state)
{
	char dir[] = "/tmp/ntopng-test-geo-XXXXXX";
	struct geo_info g;

	(void)state;
	if (find_shared() < 0)
		skip();
	assert_non_null(mkdtemp(dir));
	link_db(dir, "GeoLite2-City-Test.mmdb", "GeoLite2-City.mmdb");
	link_db(dir, "GeoLite2-ASN-Test.mmdb", "GeoLite2-ASN.mmdb");
	assert_int_equal(geo_open(dir, NULL), 2);
	assert_int_equal(geo_loaded(), 3);

	assert_int_equal(look("81.2.69.142", &g), 0);
	assert_string_equal(g.country, "GB");
	assert_string_equal(g.city, "London");
	assert_string_equal(g.continent, "EU");
	assert_true(g.has_location);
	assert_true(g.latitude > 51.51 && g.latitude < 51.52);
	assert_true(g.longitude > -0.10 && g.longitude < -0.09);

	assert_int_equal(look("89.160.20.112", &g), 0);
	assert_string_equal(g.country, "SE");
	assert_string_equal(g.city, "Link\xc3\xb6ping");

	assert_int_equal(look("2001:218::1", &g), 0);
	assert_string_equal(g.country, "JP");
	assert_string_equal(g.city, "");

	assert_int_equal(look("1.0.0.1", &g), 0);
	assert_int_equal(g.asn, 15169);
	assert_string_equal(g.asname, "Google Inc.");
	assert_string_equal(g.country, "");
	assert_int_equal(look("1.128.0.1", &g), 0);
	assert_int_equal(g.asn, 1221);
	assert_int_equal(look("12.81.92.1", &g), 0);
	assert_int_equal(g.asn, 7018);
	assert_string_equal(g.asname, "AT&T Services");
	assert_int_equal(look("2600:6000::1", &g), 0);
	assert_int_equal(g.asn, 237);

	assert_int_equal(look("8.8.8.8", &g), -1);
	assert_int_equal(g.asn, 0);
	assert_string_equal(g.country, "");
	assert_false(g.has_location);
	geo_close();
	assert_int_equal(geo_loaded(), 0);
	rm_dir(dir);
}

/* GeoIP2-City.mmdb is taken when there is no GeoLite2-City.mmdb; the
 * data directory's geoip/ is looked in without --geoip-dir. */
static void
test_places(void **state)
{
	char dir[] = "/tmp/ntopng-test-geo-XXXXXX";
	char sub[64];
	struct geo_info g;

	(void)state;
	if (find_shared() < 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/geoip", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	link_db(sub, "GeoIP2-City-Test.mmdb", "GeoIP2-City.mmdb");
	assert_int_equal(geo_open(NULL, dir), 1);
	assert_int_equal(geo_loaded(), 1);
	assert_int_equal(look("2.125.160.216", &g), 0);
	assert_string_equal(g.country, "GB");
	assert_string_equal(g.city, "Boxford");
	assert_int_equal(g.asn, 0);
	geo_close();

	/* an empty --geoip-dir: nothing opened, nothing found */
	assert_int_equal(geo_open(dir, NULL), 0);
	assert_int_equal(look("81.2.69.142", &g), -1);
	geo_close();
	rm_dir(dir);
}

/* The cost of one lookup (City + ASN, found and not found), printed. */
static void
test_cost(void **state)
{
	char dir[] = "/tmp/ntopng-test-geo-XXXXXX";
	const char *ips[4] = { "81.2.69.142", "1.0.0.1", "8.8.8.8",
			       "2600:6000::1" };
	struct ipaddr a[4];
	struct geo_info g;
	struct timespec t0, t1;
	const int n = 200000;
	double ns;

	(void)state;
	if (find_shared() < 0)
		skip();
	assert_non_null(mkdtemp(dir));
	link_db(dir, "GeoLite2-City-Test.mmdb", "GeoLite2-City.mmdb");
	link_db(dir, "GeoLite2-ASN-Test.mmdb", "GeoLite2-ASN.mmdb");
	assert_int_equal(geo_open(dir, NULL), 2);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ipaddr_parse(&a[i], ips[i]), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++)
		geo_lookup(&a[i & 3], &g);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	      (double)(t1.tv_nsec - t0.tv_nsec)) /
	     n;
	printf("geo_lookup: %.0f ns per lookup (City + ASN, %d lookups)\n", ns,
	       n);
	geo_close();
	rm_dir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_places),
		cmocka_unit_test(test_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
