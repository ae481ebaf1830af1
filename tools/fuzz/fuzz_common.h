/*
 * fuzz_common.h — what the libFuzzer targets in tools/fuzz/ share: a
 * per-process scratch directory for the file-based loaders, the check that
 * a failure's diag names the file, and FUZZ_CHECK, which turns a broken
 * invariant into an abort() so libFuzzer saves the input as a crash.
 * src/core/err.h: the first failure fills the diag with its code.
 * References: docs/fuzzing.md, tools/fuzz/README.md.
 */
#ifndef GANG_TOOLS_FUZZ_FUZZ_COMMON_H
#define GANG_TOOLS_FUZZ_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* libFuzzer's entry points (also called by fuzz_replay.c). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Print where and why an invariant broke, then abort(): libFuzzer keeps the input. */
void fuzz_fail(const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));

#define FUZZ_CHECK(cond, ...)                                                 \
	do {                                                                  \
		if (!(cond))                                                  \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);    \
	} while (0)

/*
 * Like FUZZ_CHECK, but a failure is tolerated when id is listed in the
 * comma-separated environment variable GANG_FUZZ_KNOWN: a campaign can go on
 * past a bug already reported (docs/fuzzing.md "Known findings") while the
 * default, strict run still fails on it.
 */
#define FUZZ_CHECK_KNOWN(id, cond, ...)                                       \
	do {                                                                  \
		if (!(cond) && !fuzz_known(id))                               \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);    \
	} while (0)

/* True when id is listed in GANG_FUZZ_KNOWN. */
int fuzz_known(const char *id);

/*
 * Path of name inside this process's scratch directory (created on first
 * use under $TMPDIR, removed at exit). Valid until the process ends.
 */
const char *fuzz_tmp_path(const char *name);
/* Replace the file at path by len bytes of data (aborts if the scratch disk fails). */
void fuzz_tmp_write(const char *path, const uint8_t *data, size_t len);

/*
 * Length of prefix if s starts with it, else 0 (an empty prefix gives 0).
 * A plain loop on purpose: libFuzzer learns the operands of strcmp-family
 * calls, and the scratch path is random per process, so comparing paths
 * with them would make a fixed-seed run explore differently each time.
 */
size_t fuzz_prefix(const char *s, const char *prefix);
/* Check that a failure's diag carries code rc and a message starting with path. */
void fuzz_check_diag_names(int rc, const gang_diag *d, const char *path);
#endif
