/*
 * paths.h - where the node finds its own read-only files: the web pages
 * (httpdocs), the Lua scripts (scripts) and the callbacks
 * (scripts/callbacks), when -1/-2/-3 name them relatively or not at all
 * (docs/packaging.md).  Any thread; no state.
 *
 * A binary that runs from its build directory (the configure-time
 * abs_top_builddir) is a developer's: it looks in the current directory,
 * then in its source tree, then in the build directory.  Any other binary
 * is an installed one: it looks in the configure-time
 * $(datadir)/ntopng when it runs from the configure-time $(bindir), else
 * (a copy staged with make install DESTDIR=..., or a moved tree) first
 * where that data directory lies relative to its own directory, then in
 * the configure-time one.  A name the user gave (not the default) is
 * looked up in the current directory first in every case.
 */
#ifndef COMMON_PATHS_H
#define COMMON_PATHS_H

#include <limits.h>
#include <stddef.h>

/* The configure-time directories (make install's layout). */
const char *paths_datadir(void);    /* $(datadir)/ntopng */
const char *paths_bindir(void);	    /* $(bindir) */
const char *paths_sysconfdir(void); /* $(sysconfdir)/ntopng */

/* Test callback of paths_find(): 1 when dir is acceptable. */
typedef int (*paths_ok_fn)(const char *dir);

/*
 * Resolves name (e.g. "httpdocs", "scripts/callbacks", or a path the user
 * gave) to the realpath of the first candidate directory that ok()
 * accepts (ok NULL: any directory).  An absolute name is its only
 * candidate.  user_given: the user named it (the current directory comes
 * first).  Returns 0 with out filled, or -1 with out = "".
 */
int paths_find(const char *name, int user_given, paths_ok_fn ok,
	       char out[PATH_MAX]);

/*
 * The path that leads from directory `from` to directory `to`, both
 * absolute and free of "." and "..": "../share/ntopng" for /usr/bin and
 * /usr/share/ntopng, "." for equal ones.  0, or -1 when it does not fit
 * in n bytes.  (How a staged binary finds its data: exported for the
 * unit test.)
 */
int paths_relative(const char *from, const char *to, char *out, size_t n);

/* 1 when this binary runs from its build directory. */
int paths_in_build_dir(void);

#endif
