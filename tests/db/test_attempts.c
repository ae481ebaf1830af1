/*
 * test_attempts.c — the attempt record: begin, identify, steps, finish;
 * a pass burns the serial in the same transaction; misuse is refused; a
 * process killed mid-attempt leaves an open attempt that the next start
 * closes as aborted while the serial stays reserved to the board.
 */
#include <criterion/criterion.h>
#include <regex.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db/db_report.h"
#include "serial/serial_alloc.h"
#include "test_fixture.h"

#define UID_A "0123456789ABCDEF01234567"
#define UID_B "76543210FEDCBA9876543210"

static fix_dir tmp;
static gang_db *db;

static void setup(void)
{
	gang_diag d = { 0 };

	fix_dir_make(&tmp);
	db = fix_open(tmp.db, GANG_DB_CREATE);
	cr_assert_eq(gang_serial_pool_ensure(db, "demo", 1000, 1099, "u32le", &d), GANG_OK, "%s", d.msg);
}

static void teardown(void)
{
	gang_db_close(db);
	fix_dir_remove(&tmp);
}

TestSuite(db_attempt, .fini = teardown, .timeout = 30);

static gang_attempt_key begin_attempt(gang_db *h, const char *slot)
{
	gang_attempt_info info = { .slot = slot, .probe_serial = "066DFF485457725187092334",
				   .batch = "B-2026-11", .profile_name = "demo-f103",
				   .profile_sha256 = "ab12", .image_sha256 = "cd34",
				   .operator_name = "amelie", .station = "line-2" };
	gang_diag d = { 0 };
	gang_attempt_key id = { .seq = 0 };

	cr_assert_eq(gang_db_attempt_begin(&id, h, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_gt(id.seq, 0);
	return id;
}

static void identify(gang_db *h, gang_attempt_key id, const char *uid)
{
	gang_attempt_target t = { .uid = uid, .part = "STM32F103RC", .connect_mode = "under-reset",
				  .option_bytes = "A55AFF00", .rdp_before = 0 };
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_attempt_identify(h, &id, &t, &d), GANG_OK, "%s", d.msg);
}

static void expect_iso_ms(const char *s)
{
	regex_t re;

	cr_assert_eq(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
			     REG_EXTENDED | REG_NOSUB),
		     0);
	cr_expect_eq(regexec(&re, s, 0, NULL, 0), 0, "not UTC ISO 8601 with ms: '%s'", s);
	regfree(&re);
}

FIX_STORE_TEST(db_attempt, a_pass_records_result_steps_and_burns_the_serial_in_one_go, setup)
{
	gang_diag d = { 0 };
	gang_attempt_key id = begin_attempt(db, "S1");
	uint64_t serial;
	char text[128];

	identify(db, id, UID_A);
	cr_assert_eq(gang_serial_reserve(&serial, db, "demo", UID_A, &id, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_serial_text(db, &id, "GNG-001000", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_step(db, &id, "erase", GANG_STEP_PASS, 21, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_step(db, &id, "program", GANG_STEP_PASS, 1480, "65536 bytes", &d), GANG_OK);
	cr_assert_eq(gang_db_attempt_finish(db, &id, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);

	fix_q_text(text, sizeof(text), db, "SELECT state FROM serials WHERE value = 1000");
	cr_expect_str_eq(text, "burned");
	fix_q_text(text, sizeof(text), db, "SELECT result || ' ' || serial_pool || ' ' || serial_value || ' ' "
					   "|| uid || ' ' || part || ' ' || rdp_before || ' ' || connect_mode "
					   "FROM attempts");
	cr_expect_str_eq(text, "pass demo 1000 " UID_A " STM32F103RC 0 under-reset");
	fix_q_text(text, sizeof(text), db, "SELECT last_result || ' ' || serial FROM boards");
	cr_expect_str_eq(text, "pass GNG-001000");
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM steps WHERE attempt_id = 1"), 2);
	cr_expect_eq(fix_q_int(db, "SELECT sum(duration_ms) FROM steps"), 1501);
	fix_q_text(text, sizeof(text), db, "SELECT started_at FROM attempts");
	expect_iso_ms(text);
	fix_q_text(text, sizeof(text), db, "SELECT finished_at FROM attempts");
	expect_iso_ms(text);
	fix_q_text(text, sizeof(text), db, "SELECT burned_at FROM serials");
	expect_iso_ms(text);
}

FIX_STORE_TEST(db_attempt, a_failure_keeps_the_serial_reserved_for_the_same_board, setup)
{
	gang_diag d = { 0 };
	gang_attempt_key id = begin_attempt(db, "S1");
	uint64_t first, again;
	char text[64];

	identify(db, id, UID_A);
	cr_assert_eq(gang_serial_reserve(&first, db, "demo", UID_A, &id, &d), GANG_OK);
	cr_assert_eq(gang_db_step(db, &id, "verify", GANG_STEP_FAIL, 9, "mismatch at 0x08001234", &d), GANG_OK);
	cr_assert_eq(gang_db_attempt_finish(db, &id, GANG_ATTEMPT_FAIL, "verify", "verify failed at 0x08001234",
					    &d),
		     GANG_OK);
	fix_q_text(text, sizeof(text), db, "SELECT state FROM serials");
	cr_expect_str_eq(text, "reserved");
	fix_q_text(text, sizeof(text), db, "SELECT last_result || '/' || COALESCE(serial, '-') FROM boards");
	cr_expect_str_eq(text, "fail/-");
	id = begin_attempt(db, "S2");
	identify(db, id, UID_A);
	cr_assert_eq(gang_serial_reserve(&again, db, "demo", UID_A, &id, &d), GANG_OK);
	cr_expect_eq(again, first);
	cr_assert_eq(gang_db_attempt_finish(db, &id, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
	fix_q_text(text, sizeof(text), db, "SELECT serial FROM boards");
	cr_expect_str_eq(text, "demo:1000", "without serial text the pool-qualified value is kept");
}

FIX_STORE_TEST(db_attempt, a_pass_without_an_identified_board_is_refused, setup)
{
	gang_diag d = { 0 };
	gang_attempt_key id = begin_attempt(db, "S1");

	cr_expect_eq(gang_db_attempt_finish(db, &id, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_ERR);
	cr_expect_not_null(strstr(d.msg, "has no board UID"), "got: %s", d.msg);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE finished_at IS NULL"), 1);
	cr_expect_eq(gang_db_attempt_finish(db, &id, GANG_ATTEMPT_FAIL, "no-board", "no board", &d), GANG_OK);
}

FIX_STORE_TEST(db_attempt, finishing_twice_or_an_unknown_attempt_is_refused, setup)
{
	gang_diag d = { 0 };
	gang_attempt_key id = begin_attempt(db, "S1"), unknown = { .station = "line-2", .seq = 999 };
	gang_attempt_target t = { .uid = UID_B, .rdp_before = -1 };

	cr_assert_eq(gang_db_attempt_finish(db, &id, GANG_ATTEMPT_ABORTED, "aborted", "stopped", &d), GANG_OK);
	cr_expect_eq(gang_db_attempt_finish(db, &id, GANG_ATTEMPT_FAIL, NULL, NULL, &d), GANG_ERR);
	cr_expect_not_null(strstr(d.msg, "already finished (aborted)"), "got: %s", d.msg);
	cr_expect_eq(gang_db_attempt_finish(db, &unknown, GANG_ATTEMPT_FAIL, NULL, NULL, &d), GANG_ERR);
	cr_expect_not_null(strstr(d.msg, "attempt line-2/999 does not exist"), "got: %s", d.msg);
	cr_expect_eq(gang_db_attempt_finish(db, &id, (gang_attempt_result)7, NULL, NULL, &d), GANG_ERR);
	cr_expect_eq(gang_db_attempt_identify(db, &id, &t, &d), GANG_ERR, "closed attempts stay closed");
	cr_expect_eq(gang_db_attempt_serial_text(db, &unknown, "x", &d), GANG_ERR);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM boards"), 0, "identify rolled back");
}

FIX_STORE_TEST(db_attempt, a_serial_voided_while_programmed_refuses_the_pass_saying_so_and_the_attempt_closes_as_fail, setup)
{
	gang_diag d = { 0 };
	gang_attempt_key id = begin_attempt(db, "S1");
	uint64_t serial;
	char cls[32];

	identify(db, id, UID_A);
	cr_assert_eq(gang_serial_reserve(&serial, db, "demo", UID_A, &id, &d), GANG_OK);
	cr_assert_eq(gang_serial_void(db, "demo", serial, "label misprinted", &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_db_attempt_finish(db, &id, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_ESERIAL_VOIDED);
	cr_expect_not_null(strstr(d.msg, "the serial of pool 'demo' reserved for board " UID_A " was voided while "
				  "it was programmed"), "got: %s", d.msg);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE finished_at IS NULL"), 1, "nothing written");
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM serials WHERE state = 'burned'"), 0);
	/* the caller closes it as the failure it is */
	cr_assert_eq(gang_db_attempt_finish(db, &id, GANG_ATTEMPT_FAIL, gang_err_class(GANG_ESERIAL_VOIDED),
					    gang_strerror(GANG_ESERIAL_VOIDED), &d), GANG_OK, "%s", d.msg);
	fix_q_text(cls, sizeof(cls), db, "SELECT error_class FROM attempts");
	cr_expect_str_eq(cls, "serial");
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM boards WHERE last_result = 'fail' AND serial IS NULL"), 1);
}

/* Identify id's board uid at RDP level rdp (a code of gang_attempt_target). */
static void identify_rdp(gang_attempt_key id, const char *uid, int rdp)
{
	gang_attempt_target t = { .uid = uid, .part = "STM32U585AI", .connect_mode = "normal", .rdp_before = rdp };
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_attempt_identify(db, &id, &t, &d), GANG_OK, "%s", d.msg);
}

/* The RDP level trace shows for uid's only attempt. */
static void expect_trace_rdp(const char *uid, const char *want)
{
	gang_trace_board *b = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_trace_board(&b, db, uid, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(b->n_attempts, 1);
	if (want)
		cr_expect_str_eq(b->attempts[0].f[GANG_TF_RDP_BEFORE], want, "trace of %s", uid);
	else
		cr_expect_null(b->attempts[0].f[GANG_TF_RDP_BEFORE], "trace of %s", uid);
	gang_db_trace_board_free(b);
}

/* L5/U5 with TrustZone at RDP level 0.5 (RM0456 §7.6.2): the level itself, 0.5, not the 0 the debugger sees. */
FIX_STORE_TEST(db_attempt, a_board_at_rdp_level_0_5_is_recorded_as_0_5_beside_levels_1_and_unknown, setup)
{
	char text[64];

	identify_rdp(begin_attempt(db, "S1"), UID_A, GANG_DB_RDP_LEVEL05);
	identify_rdp(begin_attempt(db, "S2"), UID_B, 1);
	identify_rdp(begin_attempt(db, "S3"), "AAAAAAAAAAAAAAAAAAAAAAAA", -1);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE rdp_before = 0.5 AND uid = '" UID_A "'"), 1);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE rdp_before = 0"), 0, "0.5 is not 0");
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE rdp_before = 1 AND uid = '" UID_B "'"), 1);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE rdp_before < 1"), 1);
	fix_q_text(text, sizeof(text), db, "SELECT slot || ' ' || COALESCE(CAST(rdp_before AS TEXT), '-') FROM attempts "
					   "WHERE slot = 'S1'");
	cr_expect_str_eq(text, "S1 0.5");
	fix_q_text(text, sizeof(text), db, "SELECT slot || ' ' || COALESCE(CAST(rdp_before AS TEXT), '-') FROM attempts "
					   "WHERE slot = 'S2'");
	cr_expect_str_eq(text, "S2 1");
	expect_trace_rdp(UID_A, "0.5");
	expect_trace_rdp(UID_B, "1");
	expect_trace_rdp("AAAAAAAAAAAAAAAAAAAAAAAA", NULL);
}

FIX_STORE_TEST(db_attempt, an_rdp_level_code_that_is_no_level_is_refused_before_the_backend, setup)
{
	static const int bad[] = { 3, 4, 6, -2, 0x55 };
	gang_attempt_key id = begin_attempt(db, "S1");
	gang_diag d = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gang_attempt_target t = { .uid = UID_A, .rdp_before = bad[i] };
		char want[80];

		cr_expect_eq(gang_db_attempt_identify(db, &id, &t, &d), GANG_ERR, "code %d", bad[i]);
		snprintf(want, sizeof(want), "RDP level code %d read from the board is none of 0, 1, 2, 5 (level 0.5)",
			 bad[i]);
		cr_expect_not_null(strstr(d.msg, want), "got: %s", d.msg);
	}
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE uid IS NULL"), 1, "nothing written");
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM boards"), 0);
}

FIX_STORE_TEST(db_attempt, missing_fields_are_refused, setup)
{
	gang_diag d = { 0 };
	gang_attempt_info info = { .slot = "S1" };
	gang_attempt_target t = { .uid = NULL };
	gang_attempt_key id, unknown = { .station = "line-2", .seq = 4242 };

	cr_expect_eq(gang_db_attempt_begin(&id, db, &info, &d), GANG_ERR);
	cr_expect_eq(id.seq, 0);
	id = begin_attempt(db, "S1");
	cr_expect_eq(gang_db_attempt_identify(db, &id, &t, &d), GANG_ERR);
	cr_expect_not_null(strstr(d.msg, "board UID missing"), "got: %s", d.msg);
	cr_expect_eq(gang_db_step(db, &id, "", GANG_STEP_PASS, 0, NULL, &d), GANG_ERR);
	cr_expect_eq(gang_db_step(db, &id, "erase", (gang_step_result)9, 0, NULL, &d), GANG_ERR);
	cr_expect_eq(gang_db_step(db, &unknown, "erase", GANG_STEP_PASS, 0, NULL, &d), GANG_ERR);
	cr_expect_not_null(strstr(d.msg, "attempt line-2/4242 does not exist"), "got: %s", d.msg);
	cr_expect_eq(gang_db_board_seen(db, "", NULL, &d), GANG_ERR);
}

/* Child: start an attempt with a reserved serial, then die like kill -9. */
static void crash_mid_attempt(const char *path)
{
	gang_db *h = NULL;
	gang_diag d = { 0 };
	uint64_t serial;
	gang_attempt_key id;

	if (gang_db_open(&h, path, 0, &d) != GANG_OK)
		_exit(3);
	id = begin_attempt(h, "S4");
	identify(h, id, UID_B);
	if (gang_serial_reserve(&serial, h, "demo", UID_B, &id, &d) != GANG_OK)
		_exit(4);
	gang_db_step(h, &id, "erase", GANG_STEP_PASS, 20, NULL, &d);
	raise(SIGKILL);
	_exit(5);
}

FIX_STORE_TEST(db_attempt, a_killed_gang_leaves_an_open_attempt_that_recovery_closes_as_aborted, setup)
{
	gang_diag d = { 0 };
	gang_attempt_key done = begin_attempt(db, "S1");
	int status, closed = -1;
	char text[160];
	pid_t pid;

	cr_assert_eq(gang_db_attempt_finish(db, &done, GANG_ATTEMPT_FAIL, "no-board", "no board", &d), GANG_OK);
	/* Never carry an open SQLite connection across fork. */
	gang_db_close(db);
	db = NULL;
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		crash_mid_attempt(tmp.db);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %d", status);

	db = fix_open(tmp.db, 0);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE finished_at IS NULL"), 1,
		     "a plain open (worker connection) leaves attempts alone");
	cr_assert_eq(gang_db_recover(db, &closed, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(closed, 1);
	fix_q_text(text, sizeof(text), db, "SELECT result || '|' || error_class || '|' || error_message "
					   "FROM attempts WHERE slot = 'S4'");
	cr_expect_str_eq(text, "aborted|aborted|gang stopped during this attempt");
	fix_q_text(text, sizeof(text), db, "SELECT error_message FROM attempts WHERE seq = 1");
	cr_expect_str_eq(text, "no board", "finished attempts are untouched");
	fix_q_text(text, sizeof(text), db, "SELECT state || ' ' || uid FROM serials");
	cr_expect_str_eq(text, "reserved " UID_B);
	fix_q_text(text, sizeof(text), db, "SELECT last_result FROM boards WHERE uid = '" UID_B "'");
	cr_expect_str_eq(text, "aborted");
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM steps"), 1, "steps before the crash are kept");
	cr_assert_eq(gang_db_recover(db, &closed, &d), GANG_OK);
	cr_expect_eq(closed, 0, "recovery is idempotent");
}

/* Child: a live gang run with one attempt open; says "1" on ready, lives until told (or killed). */
static void live_run(const char *path, int ready_fd, int hold_fd)
{
	gang_diag d = { 0 };
	gang_db *h = NULL;
	char c;

	if (gang_db_open(&h, path, 0, &d) != GANG_OK || gang_db_recover(h, NULL, &d) != GANG_OK)
		_exit(3);
	begin_attempt(h, "S7");
	if (write(ready_fd, "1", 1) != 1)
		_exit(4);
	(void)read(hold_fd, &c, 1);
	_exit(0);
}

FIX_STORE_TEST(db_attempt, recovery_leaves_the_open_attempts_of_another_live_run_alone, setup)
{
	gang_diag d = { 0 };
	int ready[2], hold[2], status, closed = -1;
	char c = 0, text[64];
	pid_t pid;

	gang_db_close(db);   /* never carry an open SQLite connection across fork */
	db = NULL;
	cr_assert_eq(pipe(ready), 0);
	cr_assert_eq(pipe(hold), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		live_run(tmp.db, ready[1], hold[0]);
	cr_assert_eq(read(ready[0], &c, 1), 1, "the other run never started");
	db = fix_open(tmp.db, 0);
	cr_assert_eq(gang_db_recover(db, &closed, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(closed, 0, "a live run's attempt was closed");
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE finished_at IS NULL AND run_id > 0"), 1);
	/* The other run dies without closing its attempt: now it is recovered. */
	kill(pid, SIGKILL);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	/* A database server ends a dead client's session (and its run lock) a moment after the process is
	 * gone, not at once as the kernel drops a file lock: give it up to 2 s. */
	for (int i = 0; i < 100; i++) {
		cr_assert_eq(gang_db_recover(db, &closed, &d), GANG_OK, "%s", d.msg);
		if (closed)
			break;
		usleep(20000);
	}
	cr_expect_eq(closed, 1, "the dead run's attempt stayed open");
	fix_q_text(text, sizeof(text), db, "SELECT result || '|' || error_class FROM attempts WHERE slot = 'S7'");
	cr_expect_str_eq(text, "aborted|aborted");
	close(ready[0]);
	close(ready[1]);
	close(hold[0]);
	close(hold[1]);
}

FIX_STORE_TEST(db_attempt, attempts_begun_by_a_run_and_its_workers_carry_its_id, setup)
{
	gang_diag d = { 0 };
	gang_db *worker = NULL;
	gang_attempt_key a, b;

	cr_assert_eq(gang_db_recover(db, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_open_worker(&worker, db, &d), GANG_OK, "%s", d.msg);
	a = begin_attempt(db, "S1");
	b = begin_attempt(worker, "S2");
	cr_expect_gt(fix_q_int(db, "SELECT min(run_id) FROM attempts"), 0);
	cr_expect_eq(fix_q_int(db, "SELECT count(DISTINCT run_id) FROM attempts"), 1, "attempts %lld %lld",
		     (long long)a.seq, (long long)b.seq);
	gang_db_close(worker);
}

FIX_STORE_TEST(db_attempt, opening_with_recover_closes_attempts_left_open, setup)
{
	gang_diag d = { 0 };
	gang_db *main_conn;

	begin_attempt(db, "S1");
	begin_attempt(db, "S2");
	main_conn = NULL;
	cr_assert_eq(gang_db_open(&main_conn, tmp.db, GANG_DB_RECOVER, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE result = 'aborted'"), 2);
	gang_db_close(main_conn);
}

/* Board uid in pool: attempt, reserve, serial text; returns the attempt id. */
static gang_attempt_key reserve_text(const char *pool, const char *uid, const char *text, int want)
{
	gang_diag d = { 0 };
	uint64_t serial;
	gang_attempt_key id = begin_attempt(db, "S1");

	identify(db, id, uid);
	cr_assert_eq(gang_serial_reserve(&serial, db, pool, uid, &id, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_serial_text(db, &id, text, &d), want, "%s", d.msg);
	return id;
}

FIX_STORE_TEST(db_attempt, two_pools_rendering_the_same_text_both_pass, setup)
{
	gang_diag d = { 0 };
	gang_attempt_key a, b;

	cr_assert_eq(gang_serial_pool_ensure(db, "other", 1000, 1099, "u32le", &d), GANG_OK);
	a = reserve_text("demo", UID_A, "1000", GANG_OK);
	b = reserve_text("other", UID_B, "1000", GANG_OK);
	cr_assert_eq(gang_db_attempt_finish(db, &a, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_db_attempt_finish(db, &b, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM boards WHERE serial = '1000'"), 2);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM boards WHERE serial = '1000' AND serial_pool = 'other' "
				   "AND uid = '" UID_B "'"), 1);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM serials WHERE state = 'burned'"), 2);
}

FIX_STORE_TEST(db_attempt, a_serial_text_already_burned_in_the_pool_is_refused_before_programming, setup)
{
	gang_diag d = { 0 };
	gang_attempt_key a = reserve_text("demo", UID_A, "GNG-1", GANG_OK);
	gang_attempt_key b;

	cr_assert_eq(gang_db_attempt_finish(db, &a, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
	b = begin_attempt(db, "S2");
	identify(db, b, UID_B);
	cr_assert_eq(gang_serial_reserve(&(uint64_t){ 0 }, db, "demo", UID_B, &b, &d), GANG_OK);
	cr_expect_eq(gang_db_attempt_serial_text(db, &b, "GNG-1", &d), GANG_ESERIAL_TAKEN);
	cr_expect_not_null(strstr(d.msg, "serial 'GNG-1' of pool 'demo' is already board " UID_A "'s"), "got: %s",
			   d.msg);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE serial_text IS NOT NULL"), 1,
		     "nothing written");
}

FIX_STORE_TEST(db_attempt, a_serial_text_of_another_open_attempt_in_the_pool_is_refused, setup)
{
	gang_diag d = { 0 };

	reserve_text("demo", UID_A, "GNG-7", GANG_OK);
	reserve_text("demo", UID_B, "GNG-7", GANG_ESERIAL_TAKEN);
	cr_expect_eq(gang_db_attempt_serial_text(db, &(gang_attempt_key){ .station = "line-2", .seq = 999 }, "GNG-8", &d), GANG_ERR, "unknown attempt");
}

FIX_STORE_TEST(db_attempt, a_pass_whose_text_was_taken_meanwhile_is_refused_naming_the_other_board, setup)
{
	gang_diag d = { 0 };
	gang_attempt_key a = reserve_text("demo", UID_A, "GNG-2", GANG_OK);
	gang_attempt_key b = reserve_text("demo", UID_B, "GNG-3", GANG_OK);

	/* as if a second gang rendered the same text between b's reservation and its pass */
	cr_assert_eq(fix_exec(db, "UPDATE attempts SET serial_text = 'GNG-3' WHERE seq = 1"), GANG_OK);
	cr_assert_eq(gang_db_attempt_finish(db, &a, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_db_attempt_finish(db, &b, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_ESERIAL_TAKEN);
	cr_expect_not_null(strstr(d.msg, "serial 'GNG-3' of pool 'demo' is already recorded for board " UID_A),
			   "got: %s", d.msg);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM serials WHERE state = 'burned'"), 1, "rolled back");
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE finished_at IS NULL"), 1);
}

/* Keys: each station counts from 1; another station's number 1 is another attempt; numbering survives a reopen. */
FIX_STORE_TEST(db_attempt, attempt_keys_number_each_station_from_one_and_survive_a_reopen, setup)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "demo-f103", .station = "line-3" };
	gang_attempt_key a = begin_attempt(db, "S1"), b = begin_attempt(db, "S2"), c, e;
	char text[GANG_DB_KEY_TEXT_MAX];
	gang_diag d = { 0 };

	cr_expect_str_eq(a.station, "line-2");
	cr_expect_eq(a.seq, 1);
	cr_expect_eq(b.seq, 2);
	cr_assert_eq(gang_db_attempt_begin(&c, db, &info, &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(c.station, "line-3");
	cr_expect_eq(c.seq, 1);
	info.station = NULL;
	cr_assert_eq(gang_db_attempt_begin(&e, db, &info, &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(e.station, "");
	cr_expect_eq(e.seq, 1);
	cr_expect_str_eq(gang_attempt_key_text(text, sizeof(text), &c), "line-3/1");
	cr_expect_str_eq(gang_attempt_key_text(text, sizeof(text), &e), "1");
	cr_assert_eq(gang_db_attempt_finish(db, &c, GANG_ATTEMPT_FAIL, "target", "x", &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE finished_at IS NULL"), 3,
		     "only line-3/1 closed, not line-2/1");
	gang_db_close(db);
	db = fix_open(tmp.db, 0);
	cr_expect_eq(begin_attempt(db, "S1").seq, 3);
	memset(text, 'x', sizeof(text) - 1U);
	text[sizeof(text) - 1U] = '\0';
	info.station = text;
	cr_expect_eq(gang_db_attempt_begin(&e, db, &info, &d), GANG_ERR, "a station the key cannot hold");
}

/* A board seen again names its last pass by key, and the sighting refers to it. */
FIX_STORE_TEST(db_attempt, the_last_pass_is_named_by_its_key_and_a_sighting_refers_to_it, setup)
{
	gang_attempt_info info = { .slot = "S3", .profile_name = "demo-f103", .station = "line-2" };
	gang_attempt_key a = begin_attempt(db, "S1");
	gang_board_pass pass;
	gang_diag d = { 0 };

	identify(db, a, UID_A);
	cr_assert_eq(gang_db_attempt_finish(db, &a, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_board_last_pass(&pass, db, UID_A, "ab12", "cd34", &d), GANG_OK, "%s", d.msg);
	cr_assert(pass.found);
	cr_expect_str_eq(pass.attempt.station, "line-2");
	cr_expect_eq(pass.attempt.seq, a.seq);
	cr_assert_eq(gang_db_sighting(db, &info, UID_A, &pass.attempt, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM sightings"), 1);
	pass.attempt.seq = 77;
	cr_expect_eq(gang_db_sighting(db, &info, UID_A, &pass.attempt, &d), GANG_ERR);
	cr_expect_not_null(strstr(d.msg, "attempt line-2/77 does not exist"), "got: %s", d.msg);
}
