/*
 * test_risk.c - unit tests of dpi/risk.c: the nDPI 4.2 risk table
 * (names, severities, scores, client/server split) against nDPI's own ids
 * and names, and the bitmap helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <ndpi/ndpi_main.h>

#include "dpi/risk.h"

/* Every risk nDPI 4.2 defines has an entry, with a known severity and a
 * client share in 0..100; nothing beyond NDPI_MAX_RISK. */
static void
test_table_covers_ndpi(void **state)
{
	(void)state;
	assert_null(risk_def(0));
	for (unsigned i = 1; i < NDPI_MAX_RISK; i++) {
		const struct risk_def *d = risk_def(i);

		assert_non_null(d);
		assert_true(d->severity >= RISK_SEV_LOW &&
			    d->severity <= RISK_SEV_SEVERE);
		assert_true(d->cli_pct <= 100);
		assert_true(strlen(d->name) > 0 && strlen(d->name) < 32);
	}
	for (unsigned i = NDPI_MAX_RISK; i < RISK_MAX + 4; i++)
		assert_null(risk_def(i));
}

/* The ids are nDPI's: spot checks by enum name. */
static void
test_ids_match_ndpi(void **state)
{
	(void)state;
	assert_string_equal(risk_def(NDPI_CLEAR_TEXT_CREDENTIALS)->name,
			    "clear_text_credentials");
	assert_string_equal(risk_def(NDPI_TLS_SELFSIGNED_CERTIFICATE)->name,
			    "tls_selfsigned_certificate");
	assert_string_equal(
		risk_def(NDPI_KNOWN_PROTOCOL_ON_NON_STANDARD_PORT)->name,
		"known_proto_on_non_std_port");
	assert_string_equal(risk_def(NDPI_SUSPICIOUS_DGA_DOMAIN)->name,
			    "suspicious_dga_domain");
	assert_string_equal(risk_def(NDPI_BINARY_APPLICATION_TRANSFER)->name,
			    "binary_application_transfer");
	assert_string_equal(risk_def(NDPI_POSSIBLE_EXPLOIT)->name,
			    "possible_exploit");
}

/* The severities the issue names, and their scores. */
static void
test_severities(void **state)
{
	(void)state;
	assert_int_equal(risk_def(NDPI_CLEAR_TEXT_CREDENTIALS)->severity,
			 RISK_SEV_HIGH);
	assert_int_equal(risk_def(NDPI_SUSPICIOUS_DGA_DOMAIN)->severity,
			 RISK_SEV_HIGH);
	assert_int_equal(risk_def(NDPI_TLS_SELFSIGNED_CERTIFICATE)->severity,
			 RISK_SEV_MEDIUM);
	assert_int_equal(risk_def(NDPI_TLS_OBSOLETE_VERSION)->severity,
			 RISK_SEV_MEDIUM);
	assert_int_equal(
		risk_def(NDPI_KNOWN_PROTOCOL_ON_NON_STANDARD_PORT)->severity,
		RISK_SEV_LOW);
	assert_int_equal(risk_severity_score(RISK_SEV_NONE), 0);
	assert_int_equal(risk_severity_score(RISK_SEV_LOW), 10);
	assert_int_equal(risk_severity_score(RISK_SEV_MEDIUM), 50);
	assert_int_equal(risk_severity_score(RISK_SEV_HIGH), 100);
	assert_int_equal(risk_severity_score(RISK_SEV_SEVERE), 250);
	assert_int_equal(risk_severity_score(99), 0);
	assert_string_equal(risk_severity_name(RISK_SEV_HIGH), "high");
	assert_string_equal(risk_severity_name(99), "");
}

/* Scores add up per bitmap; the split is per risk, rounded down for the
 * client; unknown bits count nothing. */
static void
test_score(void **state)
{
	uint32_t c = 7, s = 7;

	(void)state;
	assert_int_equal(risk_score(0, &c, &s), 0);
	assert_int_equal(c + s, 0);
	/* windowsupdate_over_http.pcap: binary transfer + numeric IP host */
	assert_int_equal(risk_score((1ULL << 4) | (1ULL << 12), &c, &s), 110);
	assert_int_equal(c, 99);
	assert_int_equal(s, 11);
	/* self-signed certificate: the server's doing (10 % client) */
	assert_int_equal(
		risk_score(1ULL << NDPI_TLS_SELFSIGNED_CERTIFICATE, &c, &s),
		50);
	assert_int_equal(c, 5);
	assert_int_equal(s, 45);
	/* bits nDPI 4.2 does not define, and bit 0 (no risk) */
	assert_int_equal(risk_score((1ULL << 63) | (1ULL << 50) | 1, &c, &s),
			 0);
	assert_int_equal(risk_score(~0ULL, NULL, NULL) > 0, 1);
}

static void
test_names(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(risk_names(0, b, sizeof(b)), "");
	assert_string_equal(
		risk_names((1ULL << 4) | (1ULL << 12), b, sizeof(b)),
		"binary_application_transfer,http_numeric_ip_host");
	/* cut at whole names */
	assert_string_equal(risk_names((1ULL << 4) | (1ULL << 12), b, 30),
			    "binary_application_transfer");
	assert_string_equal(risk_names(1ULL << 4, b, 5), "");
	assert_string_equal(risk_names(1ULL << 4, b, 0) == b ? "" : "x", "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_covers_ndpi),
		cmocka_unit_test(test_ids_match_ndpi),
		cmocka_unit_test(test_severities),
		cmocka_unit_test(test_score),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
