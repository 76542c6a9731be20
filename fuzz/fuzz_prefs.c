/*
 * fuzz_prefs.c - libFuzzer target for the options (common/prefs.c): the
 * configuration file reader and, through it, every option's value parser;
 * then prefs_dump() (-n's printout) of what was accepted.
 *
 * Input: byte 0 picks the mode; the rest is
 *   mode even: a configuration file, read through a path like the one of
 *              `ntopng /etc/ntopng/ntopng.conf` (a memfd, so no disk);
 *   mode odd:  a command line, its arguments separated by NUL bytes.
 * Corpus: tests/corpus/prefs/.  Build: make fuzz.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"
#include "common/prefs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

static int
parse_file(struct prefs *p, const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	char *argv[3] = { "ntopng", path, NULL };

	if (fd < 0) {
		fd = memfd_create("ntopng.conf", 0);
		if (fd < 0)
			return -1;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 ||
	    (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		return -1;
	return prefs_parse(p, 2, argv);
}

static int
parse_args(struct prefs *p, const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 2];
	int argc = 0, rc;
	size_t i = 0;

	if (buf == NULL)
		return -1;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "ntopng";
	while (i <= size && argc <= MAX_ARGS) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	/* a first word that is no option names a file to read: that is the
	 * other mode, and a path the fuzzer made up could be any file */
	if (argc > 1 && argv[1][0] != '-') {
		free(buf);
		return -1;
	}
	rc = prefs_parse(p, argc, argv);
	free(buf);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct prefs p;
	int rc;

	/* written once: fuzz_rest's owner thread reads it (and so do the
	 * other targets' inputs, replayed in one process by
	 * tests/unit/test_fuzz_corpus.c) */
	if (log_verbosity != -1)
		log_verbosity = -1;
	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	if (size < 1 || size > 65536 || devnull == NULL)
		return 0;
	prefs_init(&p);
	if (data[0] & 1)
		rc = parse_args(&p, data + 1, size - 1);
	else
		rc = parse_file(&p, data + 1, size - 1);
	if (rc == 0)
		prefs_dump(&p, devnull);
	prefs_fini(&p);
	return 0;
}
