/*
 * test_fuzz_corpus.c - the corpora of the fuzz targets that sit on the
 * whole node (fuzz/fuzz_rest.c, fuzz_prefs.c, fuzz_host_json.c,
 * fuzz_kv_json.c), replayed under gcc as plain tests: every file of
 * tests/corpus/<name>/ goes once through its target, so the seeds and
 * every finding kept there run in the normal, ASan/UBSan and TSan builds
 * too, without clang.  A target's own checks abort(), which fails this
 * binary.  The targets are included here, each with its entry point
 * renamed, so that one binary holds the four.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define LLVMFuzzerTestOneInput fuzz_rest_one
#include "fuzz/fuzz_rest.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_prefs_one
#include "fuzz/fuzz_prefs.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_host_json_one
#include "fuzz/fuzz_host_json.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_kv_json_one
#include "fuzz/fuzz_kv_json.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_alert_wire_one
#include "fuzz/fuzz_alert_wire.c"
#undef LLVMFuzzerTestOneInput

#ifndef SRCDIR
#define SRCDIR "."
#endif

typedef int (*fuzz_fn)(const uint8_t *data, size_t size);

/* Runs every file of tests/corpus/<name>/ through fn; returns how many. */
static int
replay(const char *name, fuzz_fn fn)
{
	char dir[512], path[1024];
	struct dirent *e;
	int files = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/corpus/%s", SRCDIR, name);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		uint8_t *buf;
		long len;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		len = ftell(f);
		assert_true(len >= 0 && len <= 1 << 20);
		rewind(f);
		/* exactly the file's size, so ASan sees any over-read */
		buf = malloc(len ? (size_t)len : 1);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		fn(buf, (size_t)len);
		free(buf);
		files++;
	}
	closedir(d);
	return files;
}

static void
test_corpus_rest(void **state)
{
	(void)state;
	assert_true(replay("rest", fuzz_rest_one) >= 10);
}

static void
test_corpus_prefs(void **state)
{
	(void)state;
	assert_true(replay("prefs", fuzz_prefs_one) >= 10);
}

static void
test_corpus_host_json(void **state)
{
	(void)state;
	assert_true(replay("host_json", fuzz_host_json_one) >= 5);
}

static void
test_corpus_kv_json(void **state)
{
	(void)state;
	assert_true(replay("kv_json", fuzz_kv_json_one) >= 5);
	if (kv_dir[0] != '\0')
		assert_int_equal(rmdir(kv_dir), 0);
}

static void
test_corpus_alert_wire(void **state)
{
	(void)state;
	assert_true(replay("alert_wire", fuzz_alert_wire_one) >= 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_rest),
		cmocka_unit_test(test_corpus_prefs),
		cmocka_unit_test(test_corpus_host_json),
		cmocka_unit_test(test_corpus_kv_json),
		cmocka_unit_test(test_corpus_alert_wire),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
