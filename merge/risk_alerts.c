/*
 * risk_alerts.c - one flow alert per nDPI flow risk (dpi/risk.h).
 *
 * Called by merge/tables.c on the owner thread when a flow's detection
 * ends with risks it did not have (once per flow, never per packet).
 * Each new risk is a one-shot alert (merge/alerts.h, alert_record) of
 * type flow_risk on the flow: entity_val is its 5-tuple, metric the
 * risk's name, value its score, and the severity our table's
 * (docs/alerts.md, "Flow risks and scores").
 */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "dpi/risk.h"
#include "merge/alerts.h"
#include "merge/iface.h"
#include "merge/tables.h"

/* Our risk severities in the alert core's terms. */
static uint8_t
risk_alert_severity(unsigned sev)
{
	switch (sev) {
	case RISK_SEV_LOW:
		return ALERT_SEV_NOTICE;
	case RISK_SEV_MEDIUM:
		return ALERT_SEV_WARNING;
	case RISK_SEV_HIGH:
		return ALERT_SEV_ERROR;
	default:
		return ALERT_SEV_CRITICAL;
	}
}

void
tables_flow_risk_alerts(struct iface *ifc, const struct flow *f, uint64_t added)
{
	char cli[IPADDR_STRLEN], srv[IPADDR_STRLEN];
	struct alert a;

	if (added == 0)
		return;
	ipaddr_fmt(&f->cli, cli, sizeof(cli));
	ipaddr_fmt(&f->srv, srv, sizeof(srv));
	for (unsigned i = 0; i < RISK_MAX; i++) {
		const struct risk_def *d = risk_def(i);

		if (!(added & ((uint64_t)1 << i)) || d == NULL)
			continue;
		memset(&a, 0, sizeof(a));
		a.type = ALERT_FLOW_RISK;
		a.entity = ALERT_ENT_FLOW;
		a.severity = risk_alert_severity(d->severity);
		/* an IPv6 5-tuple may not fit: cut, it stays a label */
		if (snprintf(a.entity_val, sizeof(a.entity_val),
			     "%s:%u-%s:%u/%u@%u", cli, f->cli_port, srv,
			     f->srv_port, f->l4_proto,
			     f->vlan) >= (int)sizeof(a.entity_val))
			a.entity_val[sizeof(a.entity_val) - 1] = '\0';
		snprintf(a.metric, sizeof(a.metric), "%s", d->name);
		a.value = risk_severity_score(d->severity);
		if (snprintf(a.msg, sizeof(a.msg),
			     "flow risk %s (%s) on %s:%u -> %s:%u, client %s",
			     d->name, risk_severity_name(d->severity), cli,
			     f->cli_port, srv, f->srv_port,
			     cli) >= (int)sizeof(a.msg))
			a.msg[sizeof(a.msg) - 1] = '\0';
		alert_record(ifc, &a);
	}
}
