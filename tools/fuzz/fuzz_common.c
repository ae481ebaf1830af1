/*
 * fuzz_common.c — scratch files and invariant failure reporting for the
 * fuzz targets (fuzz_common.h). A fuzz process is single-threaded and the
 * harness entry point takes no context argument, so the scratch directory
 * is the one piece of process state here (tools/, not src/: the no-globals
 * rule of docs/architecture.md "Threads and ownership" is about the product).
 * References: docs/fuzzing.md.
 */
#include "fuzz_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_TMP_FILES 8
#define FUZZ_PATH_MAX 512

typedef struct fuzz_scratch {
	char dir[FUZZ_PATH_MAX];
	char path[FUZZ_TMP_FILES][FUZZ_PATH_MAX];
	size_t n;
} fuzz_scratch;

static fuzz_scratch fuzz_tmp;

static void fuzz_tmp_cleanup(void)
{
	for (size_t i = 0; i < fuzz_tmp.n; i++)
		unlink(fuzz_tmp.path[i]);
	if (fuzz_tmp.dir[0])
		rmdir(fuzz_tmp.dir);
}

void fuzz_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\n==fuzz invariant== %s:%d: %s\n==fuzz invariant== ", file, line, expr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	/* abort() skips atexit: remove the scratch files here (libFuzzer keeps its own copy of the input). */
	fuzz_tmp_cleanup();
	abort();
}

int fuzz_known(const char *id)
{
	const char *list = getenv("GANG_FUZZ_KNOWN");
	size_t n = strlen(id);

	for (const char *p = list; p && *p; p += strcspn(p, ","), p += *p == ',') {
		if (strncmp(p, id, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

static void fuzz_tmp_init(void)
{
	const char *base = getenv("TMPDIR");

	if (fuzz_tmp.dir[0])
		return;
	snprintf(fuzz_tmp.dir, sizeof(fuzz_tmp.dir), "%s/gang-fuzz-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(fuzz_tmp.dir)) {
		fprintf(stderr, "fuzz: cannot create %s: %s\n", fuzz_tmp.dir, strerror(errno));
		abort();
	}
	atexit(fuzz_tmp_cleanup);
}

const char *fuzz_tmp_path(const char *name)
{
	size_t dl, nl;
	char *p;

	fuzz_tmp_init();
	for (size_t i = 0; i < fuzz_tmp.n; i++)
		if (strcmp(strrchr(fuzz_tmp.path[i], '/') + 1, name) == 0)
			return fuzz_tmp.path[i];
	if (fuzz_tmp.n == FUZZ_TMP_FILES) {
		fprintf(stderr, "fuzz: more than %d scratch files\n", FUZZ_TMP_FILES);
		abort();
	}
	dl = strlen(fuzz_tmp.dir);
	nl = strlen(name);
	if (dl + 1U + nl >= FUZZ_PATH_MAX) {
		fprintf(stderr, "fuzz: scratch path for %s too long\n", name);
		abort();
	}
	p = fuzz_tmp.path[fuzz_tmp.n++];
	memcpy(p, fuzz_tmp.dir, dl);
	p[dl] = '/';
	memcpy(p + dl + 1U, name, nl + 1U);
	return p;
}

void fuzz_tmp_write(const char *path, const uint8_t *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t done = 0;

	if (fd < 0) {
		fprintf(stderr, "fuzz: cannot write %s: %s\n", path, strerror(errno));
		abort();
	}
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n <= 0) {
			fprintf(stderr, "fuzz: write %s: %s\n", path, strerror(errno));
			abort();
		}
		done += (size_t)n;
	}
	close(fd);
}

size_t fuzz_prefix(const char *s, const char *prefix)
{
	size_t i = 0;

	while (prefix[i] != '\0' && s[i] == prefix[i])
		i++;
	return prefix[i] == '\0' ? i : 0;
}

void fuzz_check_diag_names(int rc, const gang_diag *d, const char *path)
{
	size_t n = fuzz_prefix(d->msg, path);

	FUZZ_CHECK(d->code == rc, "returned %d but diag code is %d (\"%s\")", rc, d->code, d->msg);
	FUZZ_CHECK(d->msg[0] != '\0', "error %d with an empty message", rc);
	FUZZ_CHECK(memchr(d->msg, '\0', sizeof(d->msg)) != NULL, "diag message not NUL-terminated");
	FUZZ_CHECK(n > 0 && (d->msg[n] == ':' || d->msg[n] == '\0'),
		   "message does not start with the file name: \"%s\"", d->msg);
}
