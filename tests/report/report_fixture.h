/*
 * report_fixture.h — a small production history written through the
 * real write path (gang_db_open, gang_db_attempt_*, gang_serial_*), with
 * times then pinned by SQL (db_testing.h) so every figure of the report is known:
 *
 *  id board slot probe batch  started (2026-11-24)  dur    result  class    failing step
 *  1  A     S1   P1    B1     08:00:00.000          3 s    fail    target   connect
 *  2  A     S1   P1    B1     08:10:00.000         10 s    pass
 *  3  B     S2   P2    B1     08:20:00.000         12 s    pass
 *  4  C     S2   P2    B1     09:05:00.000         11 s    pass
 *  5  D     S1   P1    B1     09:10:00.000          5 s    fail    verify   verify
 *  6  -     S2   P2    B1     09:20:00.000          1 s    fail    no-board connect  (never identified)
 *  7  F     S2   P2    B1     09:30:00.000          2 s    aborted aborted
 *  8  E     S1   P3    B2     2026-11-25 10:00:00  20 s    pass
 *
 * Serials of pool "demo" (1000..1099): A 1000, B 1001, C 1002, D 1003
 * (then voided), F 1004, E 1005; reserved_at = the reserving attempt's start.
 * Header-only (static) so each test binary has its own copy.
 */
#ifndef GANG_TESTS_REPORT_REPORT_FIXTURE_H
#define GANG_TESTS_REPORT_REPORT_FIXTURE_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_testing.h"
#include "serial/serial_alloc.h"

#define RF_UID_A "0671FF485457725187A00001"
#define RF_UID_B "0671FF485457725187B00002"
#define RF_UID_C "0671FF485457725187C00003"
#define RF_UID_D "0671FF485457725187D00004"
#define RF_UID_E "0671FF485457725187E00005"
#define RF_UID_F "0671FF485457725187F00006"

typedef struct rf_dir {
	char dir[64];
	char db[128];
	char out[128];
} rf_dir;

typedef struct rf_step {
	const char *name;
	gang_step_result result;
	uint32_t ms;
	const char *detail;
} rf_step;

typedef struct rf_attempt {
	const char *uid, *slot, *probe, *batch;
	gang_attempt_result result;
	const char *cls, *msg;
	const char *started, *finished;
	const char *serial_text;
	rf_step steps[4];
} rf_attempt;

static const rf_attempt rf_history[] = {
	{ RF_UID_A, "S1", "P1", "B1", GANG_ATTEMPT_FAIL, "target", "the chip does not answer on SWD",
	  "2026-11-24T08:00:00.000Z", "2026-11-24T08:00:03.000Z", NULL,
	  { { "connect", GANG_STEP_FAIL, 2900, "DP IDCODE read: FAULT" } } },
	{ RF_UID_A, "S1", "P1", "B1", GANG_ATTEMPT_PASS, NULL, NULL, "2026-11-24T08:10:00.000Z",
	  "2026-11-24T08:10:10.000Z", "GNG-1000",
	  { { "connect", GANG_STEP_PASS, 300, "under-reset" }, { "erase", GANG_STEP_PASS, 40, NULL },
	    { "program", GANG_STEP_PASS, 9000, NULL }, { "verify", GANG_STEP_PASS, 400, "crc 0x1234ABCD" } } },
	{ RF_UID_B, "S2", "P2", "B1", GANG_ATTEMPT_PASS, NULL, NULL, "2026-11-24T08:20:00.000Z",
	  "2026-11-24T08:20:12.000Z", "GNG-1001", { { "connect", GANG_STEP_PASS, 250, NULL } } },
	{ RF_UID_C, "S2", "P2", "B1", GANG_ATTEMPT_PASS, NULL, NULL, "2026-11-24T09:05:00.000Z",
	  "2026-11-24T09:05:11.000Z", "GNG-1002", { { "connect", GANG_STEP_PASS, 250, NULL } } },
	{ RF_UID_D, "S1", "P1", "B1", GANG_ATTEMPT_FAIL, "verify", "verify failed at 0x08000400",
	  "2026-11-24T09:10:00.000Z", "2026-11-24T09:10:05.000Z", NULL,
	  { { "connect", GANG_STEP_PASS, 250, NULL }, { "erase", GANG_STEP_PASS, 40, NULL },
	    { "program", GANG_STEP_PASS, 4000, NULL }, { "verify", GANG_STEP_FAIL, 300, "0x08000400: 0xFF != 0x12" } } },
	{ NULL, "S2", "P2", "B1", GANG_ATTEMPT_FAIL, "no-board", "no board in the fixture",
	  "2026-11-24T09:20:00.000Z", "2026-11-24T09:20:01.000Z", NULL,
	  { { "connect", GANG_STEP_FAIL, 900, "target voltage 0.02 V" } } },
	{ RF_UID_F, "S2", "P2", "B1", GANG_ATTEMPT_ABORTED, "aborted", "gang stopped during this attempt",
	  "2026-11-24T09:30:00.000Z", "2026-11-24T09:30:02.000Z", NULL,
	  { { "connect", GANG_STEP_PASS, 250, NULL } } },
	{ RF_UID_E, "S1", "P3", "B2", GANG_ATTEMPT_PASS, NULL, NULL, "2026-11-25T10:00:00.000Z",
	  "2026-11-25T10:00:20.000Z", "GNG-1005", { { "connect", GANG_STEP_PASS, 250, NULL } } },
};
#define RF_N_ATTEMPTS (sizeof(rf_history) / sizeof(rf_history[0]))

static inline void rf_sql(gang_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void rf_sql(gang_db *db, const char *fmt, ...)
{
	char sql[1024];
	gang_diag d = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	cr_assert_eq(gang_db_test_exec(db, sql, &d), GANG_OK, "%s: %s", sql, d.msg);
}

static inline void rf_write_attempt(gang_db *db, const rf_attempt *a)
{
	gang_attempt_info info = { .slot = a->slot, .probe_serial = a->probe, .batch = a->batch,
				   .profile_name = "demo-f103", .profile_sha256 = "ab12cd", .image_sha256 = "ef34",
				   .operator_name = "amelie", .station = "line-2" };
	gang_attempt_target t = { .uid = a->uid, .part = "STM32F103RC", .connect_mode = "under-reset",
				  .option_bytes = "A55AFF00", .rdp_before = 0 };
	gang_diag d = { 0 };
	uint64_t value;
	gang_attempt_key id;

	cr_assert_eq(gang_db_attempt_begin(&id, db, &info, &d), GANG_OK, "%s", d.msg);
	if (a->uid) {
		cr_assert_eq(gang_db_attempt_identify(db, &id, &t, &d), GANG_OK, "%s", d.msg);
		cr_assert_eq(gang_serial_reserve(&value, db, "demo", a->uid, &id, &d), GANG_OK, "%s", d.msg);
		rf_sql(db, "UPDATE serials SET reserved_at = '%s' WHERE uid = '%s' AND attempt_id = (SELECT id FROM "
			   "attempts WHERE station = '%s' AND seq = %lld)", a->started, a->uid, id.station, (long long)id.seq);
	}
	if (a->serial_text)
		cr_assert_eq(gang_db_attempt_serial_text(db, &id, a->serial_text, &d), GANG_OK, "%s", d.msg);
	for (int i = 0; i < 4 && a->steps[i].name; i++)
		cr_assert_eq(gang_db_step(db, &id, a->steps[i].name, a->steps[i].result, a->steps[i].ms,
					  a->steps[i].detail, &d),
			     GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(db, &id, a->result, a->cls, a->msg, &d), GANG_OK, "%s", d.msg);
	rf_sql(db, "UPDATE attempts SET started_at = '%s', finished_at = '%s' WHERE station = '%s' AND seq = %lld",
	       a->started, a->finished, id.station, (long long)id.seq);
}

/* Create dir, the database and the history above; the database is closed afterwards. */
static inline void rf_seed(rf_dir *f)
{
	gang_diag d = { 0 };
	gang_db *db = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/gang-reporttest-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/gang.sqlite", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/out", f->dir);
	cr_assert_eq(gang_db_open(&db, f->db, GANG_DB_CREATE, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_pool_ensure(db, "demo", 1000, 1099, "text", &d), GANG_OK, "%s", d.msg);
	for (size_t i = 0; i < RF_N_ATTEMPTS; i++)
		rf_write_attempt(db, &rf_history[i]);
	cr_assert_eq(gang_serial_void(db, "demo", 1003, "board D scrapped", &d), GANG_OK, "%s", d.msg);
	gang_db_close(db);
}

static inline int rf_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void rf_remove(rf_dir *f)
{
	if (f->dir[0])
		nftw(f->dir, rf_rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* Whole file into a malloc'ed NUL-terminated buffer. */
static inline char *rf_slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(fp, "cannot read %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Run fn(argc, argv) with stdout and stderr going to files; returns its exit status. */
static inline int rf_run_captured(int (*fn)(int, char **), int argc, char **argv, const char *out_path,
				  const char *err_path)
{
	int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int saved_out = dup(1), saved_err = dup(2), rc;

	cr_assert(out >= 0 && err >= 0 && saved_out >= 0 && saved_err >= 0);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	rc = fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(out);
	close(err);
	close(saved_out);
	close(saved_err);
	return rc;
}

#endif
