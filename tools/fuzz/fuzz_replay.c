/*
 * fuzz_replay.c — a main() for the fuzz targets without libFuzzer: runs
 * LLVMFuzzerTestOneInput once on every file named on the command line (a
 * directory means every regular file in it). Built with the ordinary
 * compiler (and its sanitizers) it replays the committed corpora and crash
 * reproducers as a regression check on machines without clang's libFuzzer.
 * References: docs/fuzzing.md ("Replay").
 */
#include "fuzz_common.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Largest input replayed; libFuzzer's default -max_len is far below. */
#define REPLAY_MAX (16U * 1024U * 1024U)

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(REPLAY_MAX);
	size_t n = 0;
	int rc = -1;

	if (!f || !buf) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		goto out;
	}
	n = fread(buf, 1, REPLAY_MAX, f);
	if (ferror(f) || !feof(f)) {
		fprintf(stderr, "replay: %s: read error or larger than %u bytes\n", path, REPLAY_MAX);
		goto out;
	}
	LLVMFuzzerTestOneInput(buf, n);
	rc = 0;
out:
	if (f)
		fclose(f);
	free(buf);
	return rc;
}

static int replay_dir(size_t *count, const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char path[4096];
	struct stat st;

	if (!dp) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(dp)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(path) < 0) {
			closedir(dp);
			return -1;
		}
		(*count)++;
	}
	closedir(dp);
	return 0;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	struct stat st;

	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		int rc;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		rc = S_ISDIR(st.st_mode) ? replay_dir(&count, argv[i]) : replay_file(argv[i]);
		if (rc < 0)
			return 1;
		count += !S_ISDIR(st.st_mode);
	}
	printf("%s: %zu inputs replayed, all invariants held\n", argv[0], count);
	return 0;
}
