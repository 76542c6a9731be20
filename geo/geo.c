/*
 * geo.c - country, city, location and AS of an IP address, from MaxMind
 * DB files (libmaxminddb).
 *
 * Two databases at most: a location one (GeoLite2-City, GeoIP2-City or,
 * coarser, GeoLite2-Country) and an ASN one (GeoLite2-ASN).  They are
 * looked for in one directory: --geoip-dir when given, else the first of
 * <data dir>/geoip/ and /usr/share/GeoIP/ that holds any of them (so that
 * a City database and an ASN database of different vintages are never
 * mixed from two places).  A database that is not there is one INFO line:
 * the node runs without it and every host stays in AS 0, country "".
 *
 * Threads: geo_open()/geo_close() on main, before the interface threads
 * start and after they stopped.  In between the MMDB_s handles are only
 * read; libmaxminddb documents MMDB_lookup_sockaddr() and
 * MMDB_get_value() as safe on a shared, opened database, so every
 * interface owner looks up its new hosts without a lock.
 *
 * The files are input like any other: every string taken from a record is
 * copied with a bound, cut at a UTF-8 boundary, and its control bytes and
 * invalid UTF-8 replaced, so that what reaches JSON and the pages is
 * valid text of bounded length.
 */
#include "geo/geo.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"

static MMDB_s geo_city, geo_asn;
static int geo_have_city, geo_have_asn;

/* The location databases in order of preference (upstream names). */
static const char *const city_files[] = {
	"GeoLite2-City.mmdb",
	"GeoIP2-City.mmdb",
	"GeoLite2-Country.mmdb",
	"GeoIP2-Country.mmdb",
};
static const char *const asn_files[] = { "GeoLite2-ASN.mmdb",
					 "GeoIP2-ISP.mmdb" };

static int
file_exists(const char *path)
{
	return access(path, R_OK) == 0;
}

/* Opens the first of names found in dir into db; 1 when opened. */
static int
open_first(MMDB_s *db, const char *dir, const char *const *names, size_t n,
	   const char *what)
{
	char path[4096];

	for (size_t i = 0; i < n; i++) {
		int rc;

		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path))
			continue;
		if (!file_exists(path))
			continue;
		rc = MMDB_open(path, MMDB_MODE_MMAP, db);
		if (rc != MMDB_SUCCESS) {
			log_warn("geoip: cannot open %s: %s", path,
				 MMDB_strerror(rc));
			continue;
		}
		log_info("geoip: %s database %s (%s)", what, path,
			 db->metadata.database_type ? db->metadata.database_type
						    : "?");
		return 1;
	}
	return 0;
}

/* 1 when dir holds any database file we know. */
static int
dir_has_db(const char *dir)
{
	char path[4096];

	for (size_t i = 0; i < sizeof(city_files) / sizeof(city_files[0]); i++)
		if (snprintf(path, sizeof(path), "%s/%s", dir, city_files[i]) <
			    (int)sizeof(path) &&
		    file_exists(path))
			return 1;
	for (size_t i = 0; i < sizeof(asn_files) / sizeof(asn_files[0]); i++)
		if (snprintf(path, sizeof(path), "%s/%s", dir, asn_files[i]) <
			    (int)sizeof(path) &&
		    file_exists(path))
			return 1;
	return 0;
}

int
geo_open(const char *dir, const char *data_dir)
{
	char local[4096];
	const char *use = dir;

	geo_close();
	if (use == NULL) {
		use = "/usr/share/GeoIP";
		if (data_dir != NULL &&
		    snprintf(local, sizeof(local), "%s/geoip", data_dir) <
			    (int)sizeof(local) &&
		    dir_has_db(local))
			use = local;
	}
	geo_have_city = open_first(&geo_city, use, city_files,
				   sizeof(city_files) / sizeof(city_files[0]),
				   "location");
	geo_have_asn =
		open_first(&geo_asn, use, asn_files,
			   sizeof(asn_files) / sizeof(asn_files[0]), "ASN");
	if (!geo_have_city && !geo_have_asn)
		log_info("geoip: no GeoLite2-City/Country or GeoLite2-ASN "
			 "database in %s: hosts have no country or AS",
			 use);
	else if (!geo_have_city)
		log_info("geoip: no GeoLite2-City/Country database in %s: "
			 "hosts have no country",
			 use);
	else if (!geo_have_asn)
		log_info("geoip: no GeoLite2-ASN database in %s: hosts have "
			 "no AS",
			 use);
	return geo_have_city + geo_have_asn;
}

void
geo_close(void)
{
	if (geo_have_city)
		MMDB_close(&geo_city);
	if (geo_have_asn)
		MMDB_close(&geo_asn);
	geo_have_city = geo_have_asn = 0;
}

int
geo_loaded(void)
{
	return (geo_have_city ? 1 : 0) | (geo_have_asn ? 2 : 0);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* Copies a database string (not NUL-terminated) into out: bounded, whole
 * UTF-8 characters only, control bytes and bad sequences as '?'. */
static void
copy_text(char *out, size_t cap, const char *in, size_t n)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, i = 0;

	while (i < n) {
		size_t l = utf8_seq(s + i, n - i);

		if (l == 0 || (l == 1 && (s[i] < 0x20 || s[i] == 0x7f))) {
			if (o + 1 >= cap)
				break;
			out[o++] = '?';
			i++;
			continue;
		}
		if (o + l >= cap)
			break;
		memcpy(out + o, s + i, l);
		o += l;
		i += l;
	}
	out[o] = '\0';
}

/* The string at path (NULL-terminated varargs) of entry into out. */
static int
get_str(MMDB_entry_s *e, char *out, size_t cap, ...)
{
	MMDB_entry_data_s d;
	va_list ap;
	int rc;

	va_start(ap, cap);
	rc = MMDB_vget_value(e, &d, ap);
	va_end(ap);
	if (rc != MMDB_SUCCESS || !d.has_data ||
	    d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return -1;
	copy_text(out, cap, d.utf8_string, d.data_size);
	return out[0] ? 0 : -1;
}

static int
get_double(MMDB_entry_s *e, double *out, ...)
{
	MMDB_entry_data_s d;
	va_list ap;
	int rc;

	va_start(ap, out);
	rc = MMDB_vget_value(e, &d, ap);
	va_end(ap);
	if (rc != MMDB_SUCCESS || !d.has_data)
		return -1;
	if (d.type == MMDB_DATA_TYPE_DOUBLE)
		*out = d.double_value;
	else if (d.type == MMDB_DATA_TYPE_FLOAT)
		*out = d.float_value;
	else
		return -1;
	return 0;
}

/* Looks ip up in db; 1 with *entry set when found. */
static int
find(MMDB_s *db, const struct sockaddr *sa, MMDB_entry_s *entry)
{
	int mmdb_err = MMDB_SUCCESS;
	MMDB_lookup_result_s r = MMDB_lookup_sockaddr(db, sa, &mmdb_err);

	if (mmdb_err != MMDB_SUCCESS || !r.found_entry)
		return 0;
	*entry = r.entry;
	return 1;
}

int
geo_lookup(const struct ipaddr *ip, struct geo_info *out)
{
	struct sockaddr_storage ss;
	MMDB_entry_s e;
	int found = 0;

	memset(out, 0, sizeof(*out));
	if (!geo_have_city && !geo_have_asn)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (ip->v == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, ip->a, 4);
	} else if (ip->v == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, ip->a, 16);
	} else {
		return -1;
	}
	if (geo_have_city && find(&geo_city, (struct sockaddr *)&ss, &e)) {
		if (get_str(&e, out->country, sizeof(out->country), "country",
			    "iso_code", NULL) < 0)
			get_str(&e, out->country, sizeof(out->country),
				"registered_country", "iso_code", NULL);
		get_str(&e, out->continent, sizeof(out->continent), "continent",
			"code", NULL);
		get_str(&e, out->city, sizeof(out->city), "city", "names", "en",
			NULL);
		if (get_double(&e, &out->latitude, "location", "latitude",
			       NULL) == 0 &&
		    get_double(&e, &out->longitude, "location", "longitude",
			       NULL) == 0 &&
		    out->latitude >= -90 && out->latitude <= 90 &&
		    out->longitude >= -180 && out->longitude <= 180)
			out->has_location = 1;
		else
			out->latitude = out->longitude = 0;
		found = 1;
	}
	if (geo_have_asn && find(&geo_asn, (struct sockaddr *)&ss, &e)) {
		MMDB_entry_data_s d;

		if (MMDB_get_value(&e, &d, "autonomous_system_number", NULL) ==
			    MMDB_SUCCESS &&
		    d.has_data && d.type == MMDB_DATA_TYPE_UINT32) {
			out->asn = d.uint32;
			get_str(&e, out->asname, sizeof(out->asname),
				"autonomous_system_organization", NULL);
			found = 1;
		}
	}
	return found ? 0 : -1;
}
