/*
 * test_shared.h - for unit tests that read ../shared (the project's
 * read-only test data): the path of one of its captures.
 */
#ifndef TESTS_UNIT_TEST_SHARED_H
#define TESTS_UNIT_TEST_SHARED_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Writes <shared>/pcaps/<file> into buf, <shared> being $NTOPNG_SHARED,
 * ../shared or /work/shared, the first that holds the file.  0, or -1
 * when none does (the caller skips its test). */
static inline int
shared_path(char *buf, size_t len, const char *file)
{
	const char *env = getenv("NTOPNG_SHARED");
	const char *dirs[3] = { env, "../shared", "/work/shared" };
	struct stat st;
	int i;

	for (i = 0; i < 3; i++) {
		if (dirs[i] == NULL || dirs[i][0] == '\0')
			continue;
		snprintf(buf, len, "%s/pcaps/%s", dirs[i], file);
		if (stat(buf, &st) == 0)
			return 0;
	}
	return -1;
}

#endif
