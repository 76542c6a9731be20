/*
 * risk.c - the table of nDPI 4.2 flow risks (dpi/risk.h).
 *
 * Index = ndpi_risk_enum value of nDPI 4.2 (ndpi_typedefs.h); names are
 * upstream ntopng's alert keys where one exists.  Severity is ours:
 * credentials or exploits in clear, malware indicators -> high or severe;
 * weak or odd TLS -> medium; policy and "unusual but often benign"
 * (non-standard port, missing SNI) -> low.  The client share follows who
 * most likely caused the risk: the requester for URLs and user agents,
 * the server for its certificate.
 */
#include "dpi/risk.h"

#include <string.h>

static const struct risk_def risks[] = {
	[1] = { "url_possible_xss", RISK_SEV_SEVERE, 90 },
	[2] = { "url_possible_sql_injection", RISK_SEV_SEVERE, 90 },
	[3] = { "url_possible_rce_injection", RISK_SEV_SEVERE, 90 },
	[4] = { "binary_application_transfer", RISK_SEV_HIGH, 90 },
	[5] = { "known_proto_on_non_std_port", RISK_SEV_LOW, 50 },
	[6] = { "tls_selfsigned_certificate", RISK_SEV_MEDIUM, 10 },
	[7] = { "tls_obsolete_version", RISK_SEV_MEDIUM, 50 },
	[8] = { "tls_weak_cipher", RISK_SEV_MEDIUM, 50 },
	[9] = { "tls_certificate_expired", RISK_SEV_MEDIUM, 10 },
	[10] = { "tls_certificate_mismatch", RISK_SEV_MEDIUM, 10 },
	[11] = { "http_suspicious_user_agent", RISK_SEV_HIGH, 90 },
	[12] = { "http_numeric_ip_host", RISK_SEV_LOW, 90 },
	[13] = { "http_suspicious_url", RISK_SEV_HIGH, 90 },
	[14] = { "http_suspicious_header", RISK_SEV_HIGH, 90 },
	[15] = { "tls_not_carrying_https", RISK_SEV_LOW, 50 },
	[16] = { "suspicious_dga_domain", RISK_SEV_HIGH, 90 },
	[17] = { "malformed_packet", RISK_SEV_LOW, 50 },
	[18] = { "ssh_obsolete_client", RISK_SEV_MEDIUM, 90 },
	[19] = { "ssh_obsolete_server", RISK_SEV_MEDIUM, 10 },
	[20] = { "smb_insecure_version", RISK_SEV_MEDIUM, 50 },
	[21] = { "tls_suspicious_esni_usage", RISK_SEV_MEDIUM, 90 },
	[22] = { "unsafe_protocol", RISK_SEV_LOW, 50 },
	[23] = { "dns_suspicious_traffic", RISK_SEV_MEDIUM, 90 },
	[24] = { "tls_missing_sni", RISK_SEV_LOW, 90 },
	[25] = { "http_suspicious_content", RISK_SEV_HIGH, 10 },
	[26] = { "risky_asn", RISK_SEV_MEDIUM, 10 },
	[27] = { "risky_domain", RISK_SEV_MEDIUM, 10 },
	[28] = { "malicious_ja3", RISK_SEV_SEVERE, 90 },
	[29] = { "malicious_sha1_certificate", RISK_SEV_SEVERE, 10 },
	[30] = { "desktop_or_file_sharing_session", RISK_SEV_LOW, 50 },
	[31] = { "tls_uncommon_alpn", RISK_SEV_MEDIUM, 90 },
	[32] = { "tls_cert_validity_too_long", RISK_SEV_MEDIUM, 10 },
	[33] = { "tls_suspicious_extension", RISK_SEV_HIGH, 90 },
	[34] = { "tls_fatal_alert", RISK_SEV_LOW, 50 },
	[35] = { "suspicious_entropy", RISK_SEV_MEDIUM, 50 },
	[36] = { "clear_text_credentials", RISK_SEV_HIGH, 90 },
	[37] = { "dns_large_packet", RISK_SEV_MEDIUM, 10 },
	[38] = { "dns_fragmented", RISK_SEV_MEDIUM, 10 },
	[39] = { "invalid_characters", RISK_SEV_HIGH, 90 },
	[40] = { "possible_exploit", RISK_SEV_SEVERE, 90 },
	[41] = { "tls_certificate_about_to_expire", RISK_SEV_MEDIUM, 10 },
};

const struct risk_def *
risk_def(unsigned id)
{
	if (id >= sizeof(risks) / sizeof(risks[0]) || risks[id].name == NULL)
		return NULL;
	return &risks[id];
}

const char *
risk_severity_name(unsigned sev)
{
	static const char *const n[] = { "", "low", "medium", "high",
					 "severe" };

	return sev < sizeof(n) / sizeof(n[0]) ? n[sev] : "";
}

uint32_t
risk_severity_score(unsigned sev)
{
	static const uint32_t s[] = { 0, 10, 50, 100, 250 };

	return sev < sizeof(s) / sizeof(s[0]) ? s[sev] : 0;
}

uint32_t
risk_score(uint64_t bitmap, uint32_t *cli, uint32_t *srv)
{
	uint32_t c = 0, s = 0;

	for (unsigned i = 0; i < RISK_MAX && bitmap != 0; i++) {
		const struct risk_def *d;
		uint32_t sc, cs;

		if (!(bitmap & ((uint64_t)1 << i)))
			continue;
		bitmap &= ~((uint64_t)1 << i);
		d = risk_def(i);
		if (d == NULL)
			continue;
		sc = risk_severity_score(d->severity);
		cs = sc * d->cli_pct / 100;
		c += cs;
		s += sc - cs;
	}
	if (cli != NULL)
		*cli = c;
	if (srv != NULL)
		*srv = s;
	return c + s;
}

char *
risk_names(uint64_t bitmap, char *buf, unsigned len)
{
	size_t used = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < RISK_MAX; i++) {
		const struct risk_def *d;
		size_t n;

		if (!(bitmap & ((uint64_t)1 << i)) || (d = risk_def(i)) == NULL)
			continue;
		n = strlen(d->name);
		if (used + (used ? 1 : 0) + n + 1 > len)
			break; /* cut whole names only */
		if (used)
			buf[used++] = ',';
		memcpy(buf + used, d->name, n + 1);
		used += n;
	}
	return buf;
}
