/*
 * paths.c - the node's own read-only files: where a relative -1/-2/-3
 * (or their defaults) lead (contract in paths.h, layout in
 * docs/packaging.md).
 */
#include "common/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* the configure-time directories, made by the Makefile (paths_config.h
 * in the build directory: NTOPNG_DATADIR, NTOPNG_BINDIR,
 * NTOPNG_SYSCONFDIR, NTOPNG_SRCDIR, NTOPNG_BUILDDIR) */
#include "paths_config.h"

const char *
paths_datadir(void)
{
	return NTOPNG_DATADIR;
}

const char *
paths_bindir(void)
{
	return NTOPNG_BINDIR;
}

const char *
paths_sysconfdir(void)
{
	return NTOPNG_SYSCONFDIR;
}

int
paths_relative(const char *from, const char *to, char *out, size_t n)
{
	size_t common = 0, i, len = 0;
	const char *rest;

	if (n == 0)
		return -1;
	/* the longest common prefix that ends at a component boundary */
	for (i = 0; from[i] && from[i] == to[i]; i++)
		if (from[i] == '/')
			common = i + 1;
	if (!from[i] && (!to[i] || to[i] == '/'))
		common = i; /* from is to, or a parent of it */
	else if (!to[i] && from[i] == '/')
		common = i; /* to is a parent of from */
	out[0] = '\0';
	/* one ".." per component of from past the common prefix */
	for (const char *p = from + common; *p;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		if (len + 3 + 1 > n)
			return -1;
		memcpy(out + len, len ? "/.." : "..", len ? 3 : 2);
		len += len ? 3 : 2;
		out[len] = '\0';
		while (*p && *p != '/')
			p++;
	}
	rest = to + common;
	while (*rest == '/')
		rest++;
	if (*rest) {
		int w = snprintf(out + len, n - len, "%s%s", len ? "/" : "",
				 rest);

		if (w < 0 || (size_t)w >= n - len)
			return -1;
		len += (size_t)w;
	}
	if (len == 0) {
		if (n < 2)
			return -1;
		out[0] = '.';
		out[1] = '\0';
	}
	/* a trailing '/' of to */
	len = strlen(out);
	if (len > 1 && out[len - 1] == '/')
		out[len - 1] = '\0';
	return 0;
}

/* The directory of this binary (realpath), or -1. */
static int
exe_dir(char out[PATH_MAX])
{
	char exe[PATH_MAX];
	char *slash;

	if (!realpath("/proc/self/exe", exe))
		return -1;
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	snprintf(out, PATH_MAX, "%s", exe[0] ? exe : "/");
	return 0;
}

/* 1 when a and b are the same directory. */
static int
same_dir(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int
paths_in_build_dir(void)
{
	char dir[PATH_MAX];

	return exe_dir(dir) == 0 && same_dir(dir, NTOPNG_BUILDDIR);
}

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Tries base/name: 1 (out filled) when it is a directory ok() accepts. */
static int
try_cand(const char *base, const char *name, paths_ok_fn ok, char out[PATH_MAX])
{
	char p[PATH_MAX];
	int w;

	if (base)
		w = snprintf(p, sizeof(p), "%s/%s", base, name);
	else
		w = snprintf(p, sizeof(p), "%s", name);
	if (w < 0 || (size_t)w >= sizeof(p) || !is_dir(p) || (ok && !ok(p)))
		return 0;
	return realpath(p, out) != NULL;
}

int
paths_find(const char *name, int user_given, paths_ok_fn ok, char out[PATH_MAX])
{
	char dir[PATH_MAX], base[PATH_MAX], rel[PATH_MAX];
	int have_dir;

	out[0] = '\0';
	if (!name || !*name)
		return -1;
	if (name[0] == '/')
		return try_cand(NULL, name, ok, out) ? 0 : -1;
	have_dir = exe_dir(dir) == 0;
	if (have_dir && same_dir(dir, NTOPNG_BUILDDIR)) {
		/* a developer's binary: the tree it was built from */
		if (try_cand(NULL, name, ok, out) ||
		    try_cand(NTOPNG_SRCDIR, name, ok, out) ||
		    try_cand(NTOPNG_BUILDDIR, name, ok, out))
			return 0;
		out[0] = '\0';
		return -1;
	}
	if (user_given && try_cand(NULL, name, ok, out))
		return 0;
	if (have_dir && same_dir(dir, NTOPNG_BINDIR) &&
	    try_cand(NTOPNG_DATADIR, name, ok, out))
		return 0;
	/* staged or moved: the data directory where it lies from bindir */
	if (have_dir &&
	    paths_relative(NTOPNG_BINDIR, NTOPNG_DATADIR, rel, sizeof(rel)) ==
		    0 &&
	    snprintf(base, sizeof(base), "%s/%s", dir, rel) <
		    (int)sizeof(base) &&
	    try_cand(base, name, ok, out))
		return 0;
	if (try_cand(NTOPNG_DATADIR, name, ok, out))
		return 0;
	out[0] = '\0';
	return -1;
}
