/*
 * geo.h - GeoIP and ASN lookups of IP addresses in MaxMind databases
 * (geo/geo.c, docs/geo.md).
 *
 * geo_open() runs once on main before any interface thread starts and
 * geo_close() once after they all stopped; between the two the databases
 * are only read, and libmaxminddb's lookups on an opened database are
 * thread-safe, so geo_lookup() may be called by any thread (the interface
 * owners call it once per new host).
 */
#ifndef GEO_GEO_H
#define GEO_GEO_H

#include <stdint.h>

#include "common/addr.h"

/* What the databases say of one address; zeroed fields: not known. */
struct geo_info {
	uint32_t asn;	   /* 0: no AS */
	char asname[96];   /* "" without an AS */
	char country[4];   /* ISO 3166-1 alpha-2, "" unknown */
	char continent[4]; /* two-letter continent code, "" unknown */
	char city[64];	   /* English name, "" unknown */
	double latitude;   /* degrees, valid when has_location */
	double longitude;
	uint8_t has_location;
	/* not the databases': a host's AS and country table entries
	 * (merge/geo_tables.c; 1 + index, 0 none), in what would be the
	 * struct's tail padding */
	uint16_t cc_idx;
	uint32_t as_idx;
};

/*
 * Opens the databases: in `dir` when given (--geoip-dir), else in
 * <data_dir>/geoip/, else in /usr/share/GeoIP/.  Looks for
 * GeoLite2-City.mmdb, GeoIP2-City.mmdb, GeoLite2-Country.mmdb (first
 * found) and GeoLite2-ASN.mmdb; a missing one is one INFO line.  Returns
 * the number of databases opened (0..2).  Main thread, once.
 */
int geo_open(const char *dir, const char *data_dir);
/* Closes them (main, after every interface thread stopped). */
void geo_close(void);
/* 1 when a City/Country database is open, 2 with an ASN one, 3 both. */
int geo_loaded(void);
/* Fills *out for ip (zeroed first); 0 when anything was found, -1 when
 * nothing (no database, not in them, or a bad record).  Any thread. */
int geo_lookup(const struct ipaddr *ip, struct geo_info *out);

#endif
