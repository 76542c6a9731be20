/*
 * historical.h - the Historical interface (seed §6.3): an interface with
 * no live input whose tables are filled, on request, from the flow
 * history files written by -F
 * (<data-dir>/interfaces/<dir>/flows/YYYY/MM/DD.sqlite),
 * ours or ntopng 1.x's.  Its hosts, flows and protocols are then served
 * by the same queries as a live interface.
 */
#ifndef SOURCES_HISTORICAL_H
#define SOURCES_HISTORICAL_H

#include <time.h>

struct flowdb_query;
struct iface;
struct json_t;
struct prefs;
struct source;
struct source_kind;

#define HISTORICAL_NAME "Historical"
#define HISTORICAL_SPEC "historical:"

/* 1 when an -i spec names the historical source. */
int historical_is_spec(const char *spec);
/* The (inputless) source of the Historical interface. */
struct source *historical_source_open(const char *spec, const struct prefs *p);
/* Its kind (merge/source.h): offline, historical. */
extern const struct source_kind historical_kind;

/*
 * Empties ifc and loads the flows whose activity overlaps [begin, end]
 * from the day files of that range in the interface directory src_dir
 * (writer_iface_dir(), writer_iface_dirname()); src_ifid is only reported
 * (-1: an interface not in this run).  Owner thread of ifc (run through
 * iface_query).  Returns a report:
 *   {"ifid":H,"src_ifid":I,"src_dir":d,"epoch_begin":b,"epoch_end":e,
 *    "loaded_flows":n,"rejected_rows":n,"files_read":[..],
 *    "missing_files":[..],"corrupt_files":[{"file":..,"error":..}],
 *    "flows":n,"hosts":n,"bytes":n}
 */
struct json_t *historical_load(struct iface *ifc, int src_ifid,
			       const char *src_dir, time_t begin, time_t end);

/*
 * The same from ClickHouse (-F clickhouse...: spec is its -F value): the
 * rows of q's range and filters (exporter/flowdb.h; its paging ignored),
 * at most HISTORICAL_CH_MAX_ROWS.  The report has the keys above (file
 * lists empty, src_dir "") plus backend "clickhouse", truncated (the row
 * limit cut the load), instance, interface (the filters used) and error
 * ("" or why ClickHouse failed: what loaded until then stays).
 */
#define HISTORICAL_CH_MAX_ROWS 2000000
struct json_t *historical_load_ch(struct iface *ifc, int src_ifid,
				  const struct flowdb_query *q,
				  const char *spec);

#endif
