/*
 * risk.h - nDPI 4.2 flow risks: our severity of each risk, its score and
 * how the score splits between the flow's client and server.
 *
 * nDPI marks a flow with risks (a 64-bit bitmap, bit i = ndpi_risk_enum
 * i) while it dissects it; merge/ keeps the bitmap once detection ends,
 * adds the scores to the flow's hosts and raises one flow alert per risk
 * (docs/alerts.md, "Flow risks and scores").  The table is ours (the
 * severities are our judgement, the scores are nDPI's scale: low 10,
 * medium 50, high 100, severe 250), so it is testable without nDPI.
 */
#ifndef DPI_RISK_H
#define DPI_RISK_H

#include <stdint.h>

enum risk_severity {
	RISK_SEV_NONE = 0, /* not a risk we know (id out of the table) */
	RISK_SEV_LOW,
	RISK_SEV_MEDIUM,
	RISK_SEV_HIGH,
	RISK_SEV_SEVERE,
};

struct risk_def {
	const char *name; /* short key, as upstream's alert names */
	uint8_t severity; /* enum risk_severity */
	uint8_t cli_pct;  /* share of the score charged to the client */
};

#define RISK_MAX 64 /* bits in the bitmap */

/* The definition of risk id (ndpi_risk_enum), or NULL when unknown. */
const struct risk_def *risk_def(unsigned id);
/* "low", "medium", "high", "severe" ("" for none). */
const char *risk_severity_name(unsigned sev);
/* The score of one severity (0 for none). */
uint32_t risk_severity_score(unsigned sev);
/* The score of every known risk of the bitmap, split client/server
 * (the two add up to the total, which is returned). */
uint32_t risk_score(uint64_t bitmap, uint32_t *cli, uint32_t *srv);
/* Writes the names of the bitmap's known risks, comma-separated, into
 * buf (always terminated; cut at len).  Returns buf. */
char *risk_names(uint64_t bitmap, char *buf, unsigned len);

#endif
