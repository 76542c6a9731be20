/*
 * fuzz_kv_json.c - libFuzzer target for the embedded store's file
 * (state/kv.c): <data dir>/kv.json, read by kv_open() when Redis does
 * not answer.  The file may have been edited by hand or cut by a crash,
 * so any bytes must give a store that works: each input is written as
 * kv.json in a data directory of this process, the store is opened
 * (Redis: a socket path that does not exist, so the embedded store is
 * chosen at once), every key is listed and read, users' keys are looked
 * up as the login does, a key is written (which rewrites the file) and
 * read back, and the store is closed.  Corpus: tests/corpus/kv_json/.
 * Build: make fuzz.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/prefs.h"
#include "state/kv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the data directory, made at the first input (the corpus replay in
 * tests/unit/test_fuzz_corpus.c removes it) */
static char kv_dir[64];

static void
read_key(const char *key, void *arg)
{
	size_t *total = arg;
	char *v = kv_get(key);

	if (v != NULL)
		*total += strlen(v);
	free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct prefs p;
	static char file[96];
	size_t total = 0;
	char *v;
	FILE *f;

	/* written once: fuzz_rest's owner thread reads it (and so do the
	 * other targets' inputs, replayed in one process by
	 * tests/unit/test_fuzz_corpus.c) */
	if (log_verbosity != -1)
		log_verbosity = -1;
	if (kv_dir[0] == '\0') {
		const char *tmp = getenv("TMPDIR");

		snprintf(kv_dir, sizeof(kv_dir), "%s/ntopng-fuzz-kv-XXXXXX",
			 tmp && strlen(tmp) < 32 ? tmp : "/tmp");
		if (mkdtemp(kv_dir) == NULL)
			abort();
		snprintf(file, sizeof(file), "%s/kv.json", kv_dir);
		prefs_init(&p);
		free(p.data_dir);
		p.data_dir = strdup(kv_dir);
		free(p.redis);
		p.redis = strdup("/nonexistent-ntopng-fuzz/redis.sock");
	}
	if (size > 65536)
		return 0;
	f = fopen(file, "wb");
	if (f == NULL)
		return 0;
	if (size && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return 0;
	}
	fclose(f);
	if (kv_open(&p) != 0)
		abort();   /* a bad file must not stop the node */
	kv_scan("*", read_key, &total);
	kv_scan("ntopng.user.*.password", read_key, &total);
	free(kv_hget("ntopng.api_tokens", "admin"));
	free(kv_get("ntopng.user.admin.password"));
	if (kv_set("ntopng.prefs.fuzz", "value", 0) != 0)
		abort();
	v = kv_get("ntopng.prefs.fuzz");
	if (v == NULL || strcmp(v, "value") != 0)
		abort();   /* the store works whatever the file held */
	free(v);
	kv_close();
	unlink(file);
	return 0;
}
