/*
 * risk_alerts.c - flow alerts from nDPI's flow risks (dpi/risk.h).
 *
 * Placeholder until the alert core (merge/alerts.h) is merged.
 */
#include "merge/iface.h"
#include "merge/tables.h"

void
tables_flow_risk_alerts(struct iface *ifc, const struct flow *f, uint64_t added)
{
	(void)ifc;
	(void)f;
	(void)added;
}
