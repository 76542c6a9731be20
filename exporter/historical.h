/*
 * historical.h - the Historical interface (seed §6.3): an interface with
 * no live input whose tables are filled, on request, from the flow
 * history files written by -F (<data-dir>/<ifid>/flows/YYYY/MM/DD.sqlite),
 * ours or ntopng 1.x's.  Its hosts, flows and protocols are then served
 * by the same queries as a live interface.
 */
#ifndef EXPORTER_HISTORICAL_H
#define EXPORTER_HISTORICAL_H

#include <time.h>

struct iface;
struct json_t;
struct source;

#define HISTORICAL_NAME "Historical"
#define HISTORICAL_SPEC "historical:"

/* 1 when an -i spec names the historical source. */
int historical_is_spec(const char *spec);
/* The (inputless) source of the Historical interface. */
struct source *historical_source_open(const char *spec);

/*
 * Empties ifc and loads the flows of interface src_ifid whose activity
 * overlaps [begin, end] from the day files of that range.  Owner thread of
 * ifc (run through iface_query).  Returns a report:
 *   {"ifid":H,"src_ifid":I,"epoch_begin":b,"epoch_end":e,
 *    "loaded_flows":n,"rejected_rows":n,"files_read":[..],
 *    "missing_files":[..],"corrupt_files":[{"file":..,"error":..}],
 *    "flows":n,"hosts":n,"bytes":n}
 */
struct json_t *historical_load(struct iface *ifc, int src_ifid, time_t begin,
			       time_t end);

#endif
