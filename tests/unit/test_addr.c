/*
 * test_addr.c - unit tests of common/addr.c: address parse/format round
 * trips, the class tests, hashing stability, MAC text and local-network
 * lists (CIDR, dotted masks, IPv6, bare hosts, comma lists, errors).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/addr.h"

static void
test_parse_fmt(void **state)
{
	struct ipaddr a;
	char buf[IPADDR_STRLEN];
	static const uint8_t zero12[12];

	assert_int_equal(ipaddr_parse(&a, "192.168.1.20"), 0);
	assert_int_equal(a.v, 4);
	assert_int_equal(a.a[0], 192);
	assert_int_equal(a.a[3], 20);
	assert_memory_equal(a.a + 4, zero12, 12);
	assert_int_equal(a.pad[0] | a.pad[1] | a.pad[2], 0);
	assert_string_equal(ipaddr_fmt(&a, buf, sizeof(buf)), "192.168.1.20");

	assert_int_equal(ipaddr_parse(&a, "2001:DB8:0:0::1"), 0);
	assert_int_equal(a.v, 6);
	assert_int_equal(a.a[0], 0x20);
	assert_int_equal(a.a[1], 0x01);
	assert_int_equal(a.a[15], 1);
	assert_string_equal(ipaddr_fmt(&a, buf, sizeof(buf)), "2001:db8::1");

	assert_int_equal(ipaddr_parse(&a, "::ffff:1.2.3.4"), 0);
	assert_int_equal(a.v, 6);

	assert_int_equal(ipaddr_parse(&a, "1.2.3"), -1);
	assert_int_equal(ipaddr_parse(&a, "1.2.3.256"), -1);
	assert_int_equal(ipaddr_parse(&a, "hello"), -1);
	assert_int_equal(ipaddr_parse(&a, ""), -1);
	assert_int_equal(ipaddr_parse(&a, NULL), -1);

	memset(&a, 0, sizeof(a));
	assert_string_equal(ipaddr_fmt(&a, buf, sizeof(buf)), "");
}

static void
test_set_cmp_hash(void **state)
{
	static const uint8_t b4[4] = { 10, 0, 0, 1 };
	static const uint8_t b4b[4] = { 10, 0, 0, 2 };
	struct ipaddr x, y, z;

	memset(&x, 0xaa, sizeof(x));
	ipaddr_set4(&x, b4);
	assert_int_equal(ipaddr_parse(&y, "10.0.0.1"), 0);
	/* set4 must clear the pad and the 12 unused bytes */
	assert_memory_equal(&x, &y, sizeof(x));
	assert_int_equal(ipaddr_cmp(&x, &y), 0);
	assert_int_equal(ipaddr_hash(&x), ipaddr_hash(&y));

	ipaddr_set4(&z, b4b);
	assert_int_equal(ipaddr_cmp(&x, &z), -1);
	assert_int_equal(ipaddr_cmp(&z, &x), 1);
	assert_int_not_equal(ipaddr_hash(&x), ipaddr_hash(&z));

	/* IPv4 sorts before IPv6 whatever the bytes */
	assert_int_equal(ipaddr_parse(&y, "::1"), 0);
	assert_int_equal(ipaddr_cmp(&z, &y), -1);
	/* "10.0.0.1" and "a00:1::" have the same first bytes but differ */
	assert_int_equal(ipaddr_parse(&y, "a00:1::"), 0);
	assert_int_not_equal(ipaddr_hash(&x), ipaddr_hash(&y));

	ipaddr_set6(&z, y.a);
	assert_memory_equal(&z, &y, sizeof(z));
}

static void
test_classes(void **state)
{
	struct ipaddr a;

	assert_int_equal(ipaddr_parse(&a, "224.0.0.251"), 0);
	assert_true(ipaddr_is_multicast(&a));
	assert_false(ipaddr_is_private(&a));
	assert_int_equal(ipaddr_parse(&a, "239.255.255.250"), 0);
	assert_true(ipaddr_is_multicast(&a));
	assert_int_equal(ipaddr_parse(&a, "223.255.255.255"), 0);
	assert_false(ipaddr_is_multicast(&a));
	assert_int_equal(ipaddr_parse(&a, "ff02::fb"), 0);
	assert_true(ipaddr_is_multicast(&a));
	assert_int_equal(ipaddr_parse(&a, "fe80::1"), 0);
	assert_false(ipaddr_is_multicast(&a));

	assert_int_equal(ipaddr_parse(&a, "255.255.255.255"), 0);
	assert_true(ipaddr_is_broadcast(&a));
	assert_int_equal(ipaddr_parse(&a, "192.168.1.255"), 0);
	assert_false(ipaddr_is_broadcast(&a));
	assert_true(ipaddr_is_private(&a));

	assert_int_equal(ipaddr_parse(&a, "10.200.1.1"), 0);
	assert_true(ipaddr_is_private(&a));
	assert_int_equal(ipaddr_parse(&a, "172.16.0.1"), 0);
	assert_true(ipaddr_is_private(&a));
	assert_int_equal(ipaddr_parse(&a, "172.31.255.254"), 0);
	assert_true(ipaddr_is_private(&a));
	assert_int_equal(ipaddr_parse(&a, "172.32.0.1"), 0);
	assert_false(ipaddr_is_private(&a));
	assert_int_equal(ipaddr_parse(&a, "8.8.8.8"), 0);
	assert_false(ipaddr_is_private(&a));
	assert_int_equal(ipaddr_parse(&a, "fd12:3456::1"), 0);
	assert_true(ipaddr_is_private(&a));
	assert_int_equal(ipaddr_parse(&a, "2a00:1450::1"), 0);
	assert_false(ipaddr_is_private(&a));
}

static void
test_mac(void **state)
{
	static const uint8_t m[6] = { 0x00, 0x1b, 0x21, 0xaa, 0xbc, 0xff };
	uint8_t out[6];
	char buf[MAC_STRLEN];

	assert_string_equal(mac_fmt(m, buf, sizeof(buf)), "00:1B:21:AA:BC:FF");
	assert_int_equal(mac_parse(out, "00:1b:21:AA:bc:FF"), 0);
	assert_memory_equal(out, m, 6);
	assert_int_equal(mac_parse(out, "00-1b-21-aa-bc-ff"), 0);
	assert_memory_equal(out, m, 6);
	assert_int_equal(mac_parse(out, "00:1b:21:aa:bc"), -1);
	assert_int_equal(mac_parse(out, "00:1b:21:aa:bc:ff:00"), -1);
	assert_int_equal(mac_parse(out, "00:1b-21:aa:bc:ff"), -1);
	assert_int_equal(mac_parse(out, "0g:1b:21:aa:bc:ff"), -1);
	assert_int_equal(mac_parse(out, ""), -1);
}

static void
test_netlist(void **state)
{
	struct netlist l;
	struct ipaddr a;
	char err[128];

	netlist_init(&l);
	assert_int_equal(netlist_add(&l, "192.168.1.77/24", err, sizeof(err)),
			 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].name, "192.168.1.0/24");
	assert_int_equal(l.v[0].prefix, 24);

	assert_int_equal(netlist_add(&l, " 10.0.0.0/255.0.0.0 , 2001:db8::/32,"
				     "172.20.1.5", err, sizeof(err)), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[1].name, "10.0.0.0/8");
	assert_string_equal(l.v[2].name, "2001:db8::/32");
	assert_string_equal(l.v[3].name, "172.20.1.5/32");

	assert_int_equal(netlist_add(&l, "192.168.0.0/16,fe80::1", err,
				     sizeof(err)), 0);
	assert_int_equal(l.n, 6);
	assert_string_equal(l.v[5].name, "fe80::1/128");

	ipaddr_parse(&a, "192.168.1.200");
	assert_int_equal(netlist_find(&l, &a), 0);       /* first match */
	ipaddr_parse(&a, "192.168.2.1");
	assert_int_equal(netlist_find(&l, &a), 4);
	ipaddr_parse(&a, "10.255.255.255");
	assert_int_equal(netlist_find(&l, &a), 1);
	ipaddr_parse(&a, "11.0.0.0");
	assert_int_equal(netlist_find(&l, &a), -1);
	ipaddr_parse(&a, "2001:db8:ffff::9");
	assert_int_equal(netlist_find(&l, &a), 2);
	ipaddr_parse(&a, "2001:db9::9");
	assert_int_equal(netlist_find(&l, &a), -1);
	ipaddr_parse(&a, "172.20.1.5");
	assert_int_equal(netlist_find(&l, &a), 3);
	ipaddr_parse(&a, "172.20.1.6");
	assert_int_equal(netlist_find(&l, &a), -1);
	ipaddr_parse(&a, "fe80::1");
	assert_int_equal(netlist_find(&l, &a), 5);
	/* an IPv6 address whose first bytes spell 192.168. is not matched */
	ipaddr_parse(&a, "c0a8:0101::");
	assert_int_equal(netlist_find(&l, &a), -1);

	err[0] = '\0';
	assert_int_equal(netlist_add(&l, "1.2.3.0/24,1.2.3.0/33", err,
				     sizeof(err)), -1);
	assert_non_null(strstr(err, "1.2.3.0/33"));
	assert_int_equal(netlist_add(&l, "1.2.3.0/255.0.255.0", NULL, 0), -1);
	assert_int_equal(netlist_add(&l, "1.2.3.0/", NULL, 0), -1);
	assert_int_equal(netlist_add(&l, "1.2.3.0/2x", NULL, 0), -1);
	assert_int_equal(netlist_add(&l, "1.2.3.0/-1", NULL, 0), -1);
	assert_int_equal(netlist_add(&l, "::/129", NULL, 0), -1);
	assert_int_equal(netlist_add(&l, "host.example/24", NULL, 0), -1);

	/* /0 holds everything of its version */
	netlist_fini(&l);
	assert_int_equal(l.n, 0);
	assert_int_equal(netlist_add(&l, "0.0.0.0/0", NULL, 0), 0);
	ipaddr_parse(&a, "203.0.113.9");
	assert_int_equal(netlist_find(&l, &a), 0);
	ipaddr_parse(&a, "::1");
	assert_int_equal(netlist_find(&l, &a), -1);
	/* odd prefix lengths mask partial bytes */
	assert_int_equal(netlist_add(&l, "100.64.255.255/10", NULL, 0), 0);
	assert_string_equal(l.v[1].name, "100.64.0.0/10");
	ipaddr_parse(&a, "100.127.0.1");
	assert_int_equal(netlist_find(&l, &a), 0);
	netlist_fini(&l);
	assert_int_equal(netlist_add(&l, "100.64.255.255/10", NULL, 0), 0);
	assert_int_equal(netlist_find(&l, &a), 0);
	ipaddr_parse(&a, "100.128.0.1");
	assert_int_equal(netlist_find(&l, &a), -1);
	netlist_fini(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_fmt),
		cmocka_unit_test(test_set_cmp_hash),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_netlist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
