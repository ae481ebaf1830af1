/*
 * test_journal.c — a station's journal (db/journal.h) on its own and with
 * the central database (src/db/pg/pg_journal.c, the test binary's private
 * server): records read back in order with their texts, settled and
 * counted; a journal held by another process, of another station, or
 * holding records for another database is refused; a journal whose
 * records were all delivered moves to another database; the default path
 * and `gang db pending`'s reading of a missing or foreign file; on the
 * server, a record whose delivery committed but was never marked is not
 * applied twice, a refused record keeps its refusal (locally and
 * centrally) and delivery goes on, a station's login delivers but cannot
 * rewrite or delete a delivery, and SQLite refuses a journal.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_lease.h"
#include "db/db_testing.h"
#include "db/journal.h"
#include "serial/serial_alloc.h"

static char jt_dir[128];
static char jt_path[192];

static void jt_setup(void)
{
	snprintf(jt_dir, sizeof(jt_dir), "/tmp/gang-journal-XXXXXX");
	cr_assert_not_null(mkdtemp(jt_dir));
	snprintf(jt_path, sizeof(jt_path), "%s/sub/journal.db", jt_dir);
}

static void jt_teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", jt_dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(db_journal, .init = jt_setup, .fini = jt_teardown, .timeout = 60);

static gang_journal *jt_open(const char *station, const char *database)
{
	gang_journal *j = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(gang_journal_open(&j, jt_path, station, database, &d), GANG_OK, "%s", d.msg);
	return j;
}

Test(db_journal, records_come_back_in_order_with_their_texts_and_are_settled_and_counted)
{
	gang_journal *j = jt_open("line-1", "postgresql:///a");
	gang_journal_rec b = { .kind = GANG_JREC_BEGIN, .attempt_seq = 1, .s = { "S1", NULL, "lot" }, .n = { 1 } };
	gang_journal_rec st = { .kind = GANG_JREC_STEP, .attempt_seq = 1, .s = { "program" }, .n = { 0, 42 } };
	gang_journal_rec r = { 0 };
	gang_journal_state state;
	int64_t pending, refused, *open = NULL;
	size_t n_open = 0;
	char msg[64];
	int found, code;
	gang_diag d = { 0 };

	cr_assert_eq(gang_journal_append(j, &b, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_journal_append(j, &st, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(b.seq, 1);
	cr_expect_eq(st.seq, 2);
	cr_expect_eq(strlen(b.at), 24, "UTC ISO 8601 with milliseconds: %s", b.at);
	cr_assert_eq(gang_journal_next(&r, &found, j, &d), GANG_OK, "%s", d.msg);
	cr_assert(found);
	cr_expect_eq(r.seq, 1);
	cr_expect_eq(r.kind, GANG_JREC_BEGIN);
	cr_expect_str_eq(r.s[0], "S1");
	cr_expect_null(r.s[1]);
	cr_expect_str_eq(r.s[2], "lot");
	cr_expect_eq(r.n[0], 1);
	gang_journal_rec_clear(&r);
	cr_assert_eq(gang_journal_settle(j, 1, GANG_OK, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_journal_next(&r, &found, j, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(r.seq, 2);
	cr_expect_eq(r.n[1], 42);
	gang_journal_rec_clear(&r);
	cr_assert_eq(gang_journal_settle(j, 2, GANG_ESERIAL_TAKEN, "taken", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_journal_outcome(&state, &code, msg, sizeof(msg), j, 2, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(state, GANG_JOURNAL_REFUSED);
	cr_expect_eq(code, GANG_ESERIAL_TAKEN);
	cr_expect_str_eq(msg, "taken");
	cr_assert_eq(gang_journal_counts(&pending, &refused, j, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(pending, 0);
	cr_expect_eq(refused, 1);
	cr_assert_eq(gang_journal_open_attempts(&open, &n_open, j, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(n_open, 1, "attempt 1 was begun and never finished");
	free(open);
	gang_journal_close(j);
}

#define JT_THREADS 16
#define JT_EACH 40

typedef struct jt_writer {
	gang_journal *j;
	int no;
	int64_t seq[JT_EACH];
	int err;
} jt_writer;

static void *jt_write(void *arg)
{
	jt_writer *w = arg;
	gang_diag d = { 0 };
	char step[16];

	for (int i = 0; i < JT_EACH && w->err == GANG_OK; i++) {
		gang_journal_rec r = { .kind = GANG_JREC_STEP, .attempt_seq = w->no, .s = { step }, .n = { 0, i } };

		snprintf(step, sizeof(step), "w%d-%d", w->no, i);
		w->err = gang_journal_append(w->j, &r, &d);
		w->seq[i] = r.seq;
	}
	return NULL;
}

/*
 * Slots appending at once commit in groups (one WAL sync for many records):
 * every record is there once, with the number its caller was given, and
 * each slot's records in the order it wrote them.
 */
Test(db_journal, appends_from_many_threads_commit_in_groups_and_each_keeps_its_number_and_order)
{
	gang_journal *j = jt_open("line-1", "postgresql:///a");
	pthread_t th[JT_THREADS];
	jt_writer w[JT_THREADS];
	sqlite3 *db;
	sqlite3_stmt *st;
	char want[16];

	for (int t = 0; t < JT_THREADS; t++) {
		w[t] = (jt_writer){ .j = j, .no = t + 1 };
		cr_assert_eq(pthread_create(&th[t], NULL, jt_write, &w[t]), 0);
	}
	for (int t = 0; t < JT_THREADS; t++)
		pthread_join(th[t], NULL);
	gang_journal_close(j);
	cr_assert_eq(sqlite3_open(jt_path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM records", -1,
					&st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_expect_eq(sqlite3_column_int(st, 0), JT_THREADS * JT_EACH);
	cr_expect_eq(sqlite3_column_int(st, 1), JT_THREADS * JT_EACH);
	cr_expect_eq(sqlite3_column_int(st, 2), 1);
	cr_expect_eq(sqlite3_column_int(st, 3), JT_THREADS * JT_EACH, "numbers without a gap");
	sqlite3_finalize(st);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT s0, attempt_seq, n1 FROM records WHERE seq = ?", -1, &st, NULL),
		     SQLITE_OK);
	for (int t = 0; t < JT_THREADS; t++) {
		cr_expect_eq(w[t].err, GANG_OK);
		for (int i = 0; i < JT_EACH; i++) {
			cr_expect(i == 0 || w[t].seq[i] > w[t].seq[i - 1], "slot %d wrote out of order", t + 1);
			sqlite3_bind_int64(st, 1, w[t].seq[i]);
			cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "record %lld missing", (long long)w[t].seq[i]);
			snprintf(want, sizeof(want), "w%d-%d", t + 1, i);
			cr_expect_str_eq((const char *)sqlite3_column_text(st, 0), want);
			cr_expect_eq(sqlite3_column_int(st, 1), t + 1);
			cr_expect_eq(sqlite3_column_int(st, 2), i);
			sqlite3_reset(st);
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* A journal another connection keeps locked: every waiting append fails with the journal's sentence, none half written. */
Test(db_journal, appends_to_a_journal_locked_by_another_connection_fail_each_with_its_sentence)
{
	gang_journal *j = jt_open("line-1", "postgresql:///a");
	pthread_t th[4];
	jt_writer w[4];
	sqlite3 *db;
	gang_diag d = { 0 };
	gang_journal_rec r = { .kind = GANG_JREC_STEP, .attempt_seq = 9, .s = { "alone" } };

	cr_assert_eq(sqlite3_open(jt_path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	for (int t = 0; t < 4; t++) {
		w[t] = (jt_writer){ .j = j, .no = t + 1 };
		cr_assert_eq(pthread_create(&th[t], NULL, jt_write, &w[t]), 0);
	}
	for (int t = 0; t < 4; t++) {
		pthread_join(th[t], NULL);
		cr_expect_lt(w[t].err, 0, "slot %d wrote into a locked journal", t + 1);
	}
	cr_expect_lt(gang_journal_append(j, &r, &d), 0);
	cr_expect_not_null(strstr(d.msg, "writing a record"), "%s", d.msg);
	cr_assert_eq(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_assert_eq(gang_journal_append(j, &r, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(r.seq, 1, "nothing of the failed appends was kept");
	gang_journal_close(j);
}

Test(db_journal, a_journal_another_process_holds_is_refused)
{
	gang_journal *j = jt_open("line-1", "postgresql:///a");
	pid_t pid = fork();
	int status = 0;

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		gang_journal *k = NULL;
		gang_diag d = { 0 };
		int err = gang_journal_open(&k, jt_path, "line-1", "postgresql:///a", &d);

		_exit(err == GANG_EDB && strstr(d.msg, "in use by another gang run") ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the second process was not refused");
	gang_journal_close(j);
}

Test(db_journal, a_journal_of_another_station_is_refused)
{
	gang_journal *j = jt_open("line-1", "postgresql:///a");
	gang_diag d = { 0 };

	gang_journal_close(j);
	j = NULL;
	cr_expect_eq(gang_journal_open(&j, jt_path, "line-2", "postgresql:///a", &d), GANG_EDB);
	cr_expect_null(j);
	cr_expect_not_null(strstr(d.msg, "belongs to station 'line-1'"), "%s", d.msg);
}

Test(db_journal, records_for_another_database_keep_the_journal_until_they_are_delivered)
{
	gang_journal *j = jt_open("line-1", "postgresql:///a");
	gang_journal_rec b = { .kind = GANG_JREC_BEGIN, .attempt_seq = 1, .s = { "S1" } };
	gang_diag d = { 0 };

	cr_assert_eq(gang_journal_append(j, &b, &d), GANG_OK, "%s", d.msg);
	gang_journal_close(j);
	j = NULL;
	cr_expect_eq(gang_journal_open(&j, jt_path, "line-1", "postgresql:///b", &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "holds 1 records for database postgresql:///a"), "%s", d.msg);
	j = jt_open("line-1", "postgresql:///a");
	cr_assert_eq(gang_journal_settle(j, 1, GANG_OK, NULL, &d), GANG_OK, "%s", d.msg);
	gang_journal_close(j);
	gang_journal_close(jt_open("line-1", "postgresql:///b"));
}

Test(db_journal, the_default_path_is_under_the_state_directory_and_pending_reads_only_journals)
{
	gang_journal_summary s;
	char path[512], text[256];
	gang_diag d = { 0 };
	FILE *fp;

	setenv("XDG_STATE_HOME", "/var/lib/x", 1);
	cr_assert_eq(gang_journal_default_path(path, sizeof(path), "line-1", "postgresql:///a", &d), GANG_OK);
	cr_expect_eq(strncmp(path, "/var/lib/x/gang/journal-line-1-", 31), 0, "%s", path);
	cr_assert_eq(gang_journal_default_path(path, sizeof(path), "../a/b", "postgresql:///a", &d), GANG_OK);
	cr_expect_eq(strncmp(path, "/var/lib/x/gang/journal-_._a_b-", 31), 0, "a station name names no directory: %s",
		     path);
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	cr_expect_eq(gang_journal_default_path(path, sizeof(path), "line-1", "postgresql:///a", &d), GANG_EUSAGE);
	cr_expect_eq(gang_journal_peek(&s, jt_path, &d), GANG_EFILE, "no journal yet");
	snprintf(text, sizeof(text), "%s/not-a-journal", jt_dir);
	cr_assert_not_null(fp = fopen(text, "w"));
	fputs("hello\n", fp);
	fclose(fp);
	cr_expect_eq(gang_journal_peek(&s, text, &d), GANG_EDB);
	gang_journal_close(jt_open("line-1", "postgresql:///a"));
	cr_assert_eq(gang_journal_peek(&s, jt_path, &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(s.station, "line-1");
	cr_expect_eq(s.pending, 0);
}

Test(db_journal, an_sqlite_database_refuses_a_journal_naming_postgresql)
{
	char db_path[192];
	gang_db *db = NULL;
	gang_diag d = { 0 };

	snprintf(db_path, sizeof(db_path), "%s/gang.sqlite", jt_dir);
	cr_assert_eq(gang_db_open(&db, db_path, GANG_DB_CREATE, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_db_journal_open(db, jt_path, "line-1", &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "PostgreSQL"), "%s", d.msg);
	cr_expect_not(gang_db_unreachable(db));
	gang_db_close(db);
}

#ifdef GANG_WITH_PG
#include "pgserver.h"

static pgserver jp_srv;
static char jp_uri[256];
static char jp_name[32];

static void jp_setup(void)
{
	jt_setup();
	if (pgserver_shared(&jp_srv) != 0) {
		if (!pgserver_available(NULL))
			cr_skip_test("%s", jp_srv.err);
		cr_assert_fail("%s", jp_srv.err);
	}
	snprintf(jp_name, sizeof(jp_name), "jp%ld", (long)getpid());
	cr_assert_eq(pgserver_createdb(&jp_srv, jp_name), 0, "%s", jp_srv.err);
	pgserver_uri(jp_uri, sizeof(jp_uri), &jp_srv, jp_name);
}

TestSuite(db_pg_journal, .init = jp_setup, .fini = jt_teardown, .timeout = 60);

static long jp_count(const char *sql)
{
	char out[64];

	cr_assert_eq(pgserver_sql(out, sizeof(out), &jp_srv, jp_name, sql), 0, "%s", jp_srv.err);
	return strtol(out, NULL, 10);
}

/* A run's handles on uri: main (journal opened, run recovered: the worker delivers) and one worker. */
static void jp_open(gang_db **main_out, gang_db **worker_out, const char *uri, const char *station)
{
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_open(main_out, uri, GANG_DB_CREATE, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_journal_open(*main_out, jt_path, station, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_recover(*main_out, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_open_worker(worker_out, *main_out, &d), GANG_OK, "%s", d.msg);
}

/* Mark every record of the journal file pending again, as if the station died before marking them. */
static void jp_forget_deliveries(void)
{
	sqlite3 *db = NULL;

	cr_assert_eq(sqlite3_open(jt_path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "UPDATE records SET state = 0", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

Test(db_pg_journal, a_delivery_that_committed_before_the_station_died_is_not_applied_twice)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "p", .station = "line-9" };
	gang_attempt_target t = { .uid = "0123456789ABCDEF01234567", .rdp_before = -1 };
	gang_db *m = NULL, *w = NULL;
	gang_attempt_key k;
	gang_diag d = { 0 };

	jp_open(&m, &w, jp_uri, "line-9");
	cr_assert_eq(gang_db_attempt_begin(&k, w, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_identify(w, &k, &t, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_step(w, &k, "verify", GANG_STEP_PASS, 3, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(w, &k, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
	gang_db_close(w);
	gang_db_close(m);
	cr_expect_eq(jp_count("SELECT count(*) FROM journal_deliveries WHERE station = 'line-9'"), 4);
	jp_forget_deliveries();
	jp_open(&m, &w, jp_uri, "line-9");   /* delivers the four again: each is already there */
	gang_db_close(w);
	gang_db_close(m);
	cr_expect_eq(jp_count("SELECT count(*) FROM journal_deliveries WHERE station = 'line-9'"), 4);
	cr_expect_eq(jp_count("SELECT count(*) FROM attempts WHERE station = 'line-9'"), 1);
	cr_expect_eq(jp_count("SELECT count(*) FROM steps"), 1);
	cr_expect_eq(jp_count("SELECT count(*) FROM attempts WHERE result = 'pass' AND seq = 1"), 1);
}

Test(db_pg_journal, a_refused_record_keeps_its_refusal_and_delivery_goes_on)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "p", .station = "line-8" };
	gang_db *m = NULL, *w = NULL;
	gang_attempt_key k, k2;
	gang_diag d = { 0 };
	gang_journal_summary s;

	jp_open(&m, &w, jp_uri, "line-8");
	cr_assert_eq(gang_db_attempt_begin(&k, w, &info, &d), GANG_OK, "%s", d.msg);
	/* a pass of a board never identified: the central database refuses it, the job hears why */
	cr_expect_eq(gang_db_attempt_finish(w, &k, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_ERR);
	cr_expect_not_null(strstr(d.msg, "has no board UID"), "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(w, &k, GANG_ATTEMPT_FAIL, "target", "no answer", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_begin(&k2, w, &info, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(k2.seq, k.seq + 1);
	gang_db_close(w);
	gang_db_close(m);
	cr_expect_eq(jp_count("SELECT count(*) FROM journal_deliveries WHERE refusal LIKE '%no board UID%'"), 1);
	cr_expect_eq(jp_count("SELECT count(*) FROM attempts WHERE station = 'line-8' AND result = 'fail'"), 1);
	cr_expect_eq(jp_count("SELECT count(*) FROM attempts WHERE station = 'line-8' AND finished_at IS NULL"), 1,
		     "the second attempt stays open: its run is alive no more, the next recovery closes it");
	cr_assert_eq(gang_journal_peek(&s, jt_path, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(s.refused, 1);
	cr_expect_eq(s.pending, 0);
}

/* The journal's record of a board at RDP level 0.5 (n0, the code), read back from the file. */
static long jp_journal_rdp(const char *uid)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long v = -100;

	cr_assert_eq(sqlite3_open(jt_path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT n0 FROM records WHERE kind = ?1 AND s0 = ?2", -1, &st, NULL),
		     SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_bind_int(st, 1, GANG_JREC_IDENTIFY);
	sqlite3_bind_text(st, 2, uid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* L5/U5 at RDP level 0.5 (RM0456 §7.6.2): the journal carries the level's code, the central row says 0.5. */
Test(db_pg_journal, a_board_at_rdp_level_0_5_reaches_the_central_database_as_0_5)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "p", .station = "line-5" };
	gang_attempt_target half = { .uid = "0123456789ABCDEF01234567", .part = "STM32L552ZE",
				     .rdp_before = GANG_DB_RDP_LEVEL05 };
	gang_attempt_target one = { .uid = "76543210FEDCBA9876543210", .part = "STM32L552ZE", .rdp_before = 1 };
	gang_db *m = NULL, *w = NULL;
	gang_attempt_key k1, k2;
	gang_diag d = { 0 };
	char out[64];

	jp_open(&m, &w, jp_uri, "line-5");
	cr_assert_eq(gang_db_attempt_begin(&k1, w, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_identify(w, &k1, &half, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(w, &k1, GANG_ATTEMPT_FAIL, "target", "x", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_begin(&k2, w, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_identify(w, &k2, &one, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(w, &k2, GANG_ATTEMPT_FAIL, "target", "x", &d), GANG_OK, "%s", d.msg);
	gang_db_close(w);
	gang_db_close(m);
	cr_expect_eq(jp_journal_rdp(half.uid), GANG_DB_RDP_LEVEL05);
	cr_expect_eq(jp_journal_rdp(one.uid), 1);
	cr_expect_eq(jp_count("SELECT count(*) FROM journal_deliveries WHERE station = 'line-5' AND refusal IS NOT NULL"),
		     0);
	cr_assert_eq(pgserver_sql(out, sizeof(out), &jp_srv, jp_name,
				  "SELECT string_agg(rdp_before::text, ',' ORDER BY seq) FROM attempts WHERE station = "
				  "'line-5'"), 0, "%s", jp_srv.err);
	cr_expect_str_eq(out, "0.5,1");
	cr_expect_eq(jp_count("SELECT count(*) FROM attempts WHERE rdp_before = 0.5 AND uid = '0123456789ABCDEF01234567'"),
		     1);
}

/*
 * Begin and identify return at the local write; a refusal of either comes
 * back with the attempt's serial text (before the board is programmed)
 * and its pass, as the first refused record of the attempt.
 */
Test(db_pg_journal, an_identify_refused_centrally_comes_back_with_the_serial_text_and_the_pass)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "p", .station = "line-4" };
	gang_attempt_target t = { .uid = "0123456789ABCDEF01234567", .rdp_before = -1 };
	gang_db *m = NULL, *w = NULL;
	gang_attempt_key k, ghost;
	gang_diag d = { 0 };

	jp_open(&m, &w, jp_uri, "line-4");
	cr_assert_eq(gang_db_attempt_begin(&k, w, &info, &d), GANG_OK, "%s", d.msg);
	ghost = k;
	ghost.seq = k.seq + 100;   /* never begun: the central database has no such attempt */
	cr_expect_eq(gang_db_attempt_identify(w, &ghost, &t, &d), GANG_OK, "returns once on disk: %s", d.msg);
	cr_expect_neq(gang_db_attempt_serial_text(w, &ghost, "SN-1", &d), GANG_OK);
	cr_expect_not_null(strstr(d.msg, "identifying the board"), "%s", d.msg);
	cr_expect_neq(gang_db_attempt_finish(w, &ghost, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK);
	cr_expect_not_null(strstr(d.msg, "identifying the board"), "the first refusal of the attempt: %s", d.msg);
	/* the real attempt beside it is not touched by the other's refusal */
	cr_assert_eq(gang_db_attempt_identify(w, &k, &t, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_serial_text(w, &k, "SN-2", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(w, &k, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
	gang_db_close(w);
	gang_db_close(m);
	cr_expect_eq(jp_count("SELECT count(*) FROM attempts WHERE station = 'line-4' AND result = 'pass'"), 1);
	cr_expect_eq(jp_count("SELECT count(*) FROM journal_deliveries WHERE station = 'line-4' AND refusal IS NOT NULL"),
		     3, "identify, serial text and pass of the attempt never begun");
}

/* A journal lost with its station (a new PC, a wiped disk): the new one numbers after the central deliveries. */
Test(db_pg_journal, a_new_journal_of_a_station_numbers_its_records_after_those_delivered)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "p", .station = "line-5" };
	gang_db *m = NULL, *w = NULL;
	char cmd[768];
	gang_attempt_key k;
	gang_diag d = { 0 };

	for (int run = 0; run < 2; run++) {
		jp_open(&m, &w, jp_uri, "line-5");
		cr_assert_eq(gang_db_attempt_begin(&k, w, &info, &d), GANG_OK, "%s", d.msg);
		cr_assert_eq(gang_db_attempt_finish(w, &k, GANG_ATTEMPT_FAIL, "target", "x", &d), GANG_OK, "%s", d.msg);
		gang_db_close(w);
		gang_db_close(m);
		snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s-wal' '%s-shm'", jt_path, jt_path, jt_path);
		cr_assert_eq(system(cmd), 0);
	}
	cr_expect_eq(k.seq, 2, "the second journal's attempt follows the first's");
	cr_expect_eq(jp_count("SELECT count(*) FROM attempts WHERE station = 'line-5' AND finished_at IS NOT NULL"), 2);
	cr_expect_eq(jp_count("SELECT count(*) FROM journal_deliveries WHERE station = 'line-5'"), 4);
	cr_expect_eq(jp_count("SELECT max(seq) FROM journal_deliveries WHERE station = 'line-5'"), 4);
}

Test(db_pg_journal, an_attempt_left_open_in_the_journal_is_closed_as_aborted_by_the_next_run)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "p", .station = "line-7" };
	gang_db *m = NULL, *w = NULL;
	gang_attempt_key k;
	gang_diag d = { 0 };

	jp_open(&m, &w, jp_uri, "line-7");
	cr_assert_eq(gang_db_attempt_begin(&k, w, &info, &d), GANG_OK, "%s", d.msg);
	gang_db_close(w);
	gang_db_close(m);
	jp_open(&m, &w, jp_uri, "line-7");
	gang_db_close(w);
	gang_db_close(m);
	cr_expect_eq(jp_count("SELECT count(*) FROM attempts WHERE station = 'line-7' AND result = 'aborted' AND "
			      "error_message = 'gang stopped during this attempt'"), 1);
}

Test(db_pg_journal, a_station_login_delivers_but_cannot_rewrite_or_delete_a_delivery)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "p", .station = "line-6" };
	gang_db *m = NULL, *w = NULL;
	char role[48], sql[160], none[8], uri[320];
	gang_attempt_key k;
	gang_diag d = { 0 };

	/* the engineer makes the schema first, then the station logs in as its own member of gang_station */
	cr_assert_eq(gang_db_open(&m, jp_uri, GANG_DB_CREATE, &d), GANG_OK, "%s", d.msg);
	gang_db_close(m);
	snprintf(role, sizeof(role), "st%ld", (long)getpid());
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN IN ROLE gang_station", role);
	cr_assert_eq(pgserver_sql(none, sizeof(none), &jp_srv, jp_name, sql), 0, "%s", jp_srv.err);
	snprintf(uri, sizeof(uri), "host=%s dbname=%s user=%s", jp_srv.dir, jp_name, role);
	jp_open(&m, &w, uri, "line-6");
	cr_assert_eq(gang_db_attempt_begin(&k, w, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(w, &k, GANG_ATTEMPT_FAIL, "target", "x", &d), GANG_OK, "%s", d.msg);
	cr_expect_neq(gang_db_test_exec(w, "DELETE FROM journal_deliveries", &d), GANG_OK, "a station deleted history");
	cr_expect_neq(gang_db_test_exec(w, "UPDATE journal_deliveries SET refusal = 'x'", &d), GANG_OK,
		      "a station rewrote history");
	gang_db_close(w);
	gang_db_close(m);
	cr_expect_eq(jp_count("SELECT count(*) FROM journal_deliveries WHERE station = 'line-6' AND refusal IS NULL"), 2);
}
/* As admin, in one session with triggers off: sql, e.g. removing central rows as if they never came. */
static void jp_admin(const char *sql)
{
	char full[1024], out[64];

	snprintf(full, sizeof(full), "SET session_replication_role = replica; %s; RESET session_replication_role; "
		 "SELECT 1", sql);
	cr_assert_eq(pgserver_sql(out, sizeof(out), &jp_srv, jp_name, full), 0, "%s", jp_srv.err);
}

/* One attempt of board uid on worker w: begin, identify, one step, pass (four journal records). */
static void jp_board(gang_db *w, const gang_attempt_info *info, const char *uid)
{
	gang_attempt_target t = { .uid = uid, .rdp_before = -1 };
	gang_attempt_key k;
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_attempt_begin(&k, w, info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_identify(w, &k, &t, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_step(w, &k, "verify", GANG_STEP_PASS, 3, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(w, &k, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
}

/*
 * Seven records pending at once (the central rows removed, the journal's
 * marks forgotten) go out as one batch; the second is refused, so the batch
 * is rolled back and the records go one by one: the refusal stays with
 * that record and the six others are delivered, in order.
 */
Test(db_pg_journal, a_refused_record_inside_a_batch_is_refused_alone_and_the_others_are_delivered)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "p", .station = "line-4" };
	gang_db *m = NULL, *w = NULL;
	gang_attempt_key k;
	gang_diag d = { 0 };
	gang_journal_summary s;

	jp_open(&m, &w, jp_uri, "line-4");
	cr_assert_eq(gang_db_attempt_begin(&k, w, &info, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_db_attempt_finish(w, &k, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_ERR);
	cr_assert_eq(gang_db_attempt_finish(w, &k, GANG_ATTEMPT_FAIL, "target", "no answer", &d), GANG_OK, "%s", d.msg);
	jp_board(w, &info, "0123456789ABCDEF01234544");
	gang_db_close(w);
	gang_db_close(m);
	cr_assert_eq(jp_count("SELECT count(*) FROM journal_deliveries WHERE station = 'line-4'"), 7);
	jp_admin("DELETE FROM journal_deliveries; DELETE FROM steps; DELETE FROM attempts");
	jp_forget_deliveries();
	jp_open(&m, &w, jp_uri, "line-4");   /* the seven in one batch: refused, then one at a time */
	gang_db_close(w);
	gang_db_close(m);
	cr_expect_eq(jp_count("SELECT count(*) FROM journal_deliveries WHERE station = 'line-4'"), 7);
	cr_expect_eq(jp_count("SELECT count(*) FROM journal_deliveries WHERE refusal IS NOT NULL"), 1);
	cr_expect_eq(jp_count("SELECT seq FROM journal_deliveries WHERE refusal LIKE '%no board UID%'"), 2);
	cr_expect_eq(jp_count("SELECT count(*) FROM attempts WHERE station = 'line-4' AND result = 'fail'"), 1);
	cr_expect_eq(jp_count("SELECT count(*) FROM attempts WHERE station = 'line-4' AND result = 'pass'"), 1);
	cr_expect_eq(jp_count("SELECT count(*) FROM steps"), 1);
	cr_expect_eq(jp_count("SELECT count(DISTINCT xmin::text) FROM journal_deliveries"), 7,
		     "after the refusal each record is its own transaction");
	cr_assert_eq(gang_journal_peek(&s, jt_path, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(s.refused, 1);
	cr_expect_eq(s.pending, 0);
}

/*
 * A station killed in the middle of its deliveries: the batch of records
 * 1-8 committed centrally and the journal heard of 1-5 only; the batch of
 * 9-12 was rolled back by the server when the session died. The next run
 * delivers 6-12 as one batch: 6-8 are claimed already and not applied
 * again, 9-12 are applied once.
 */
Test(db_pg_journal, a_batch_cut_short_by_a_kill_is_delivered_again_exactly_once)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "p", .station = "line-3" };
	static const char *const uids[] = { "0123456789ABCDEF01234531", "0123456789ABCDEF01234532",
					    "0123456789ABCDEF01234533" };
	gang_db *m = NULL, *w = NULL;
	gang_diag d = { 0 };
	gang_journal_summary s;
	sqlite3 *jdb = NULL;

	jp_open(&m, &w, jp_uri, "line-3");
	for (int i = 0; i < 3; i++)
		jp_board(w, &info, uids[i]);
	gang_db_close(w);
	gang_db_close(m);
	cr_assert_eq(jp_count("SELECT count(*) FROM journal_deliveries WHERE station = 'line-3'"), 12);
	jp_admin("DELETE FROM journal_deliveries WHERE seq > 8; DELETE FROM steps WHERE attempt_id IN (SELECT id "
		 "FROM attempts WHERE seq = 3); DELETE FROM attempts WHERE seq = 3");
	cr_assert_eq(sqlite3_open(jt_path, &jdb), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(jdb, "UPDATE records SET state = 0 WHERE seq > 5", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(jdb);
	jp_open(&m, &w, jp_uri, "line-3");
	gang_db_close(w);
	gang_db_close(m);
	cr_expect_eq(jp_count("SELECT count(*) FROM journal_deliveries WHERE station = 'line-3'"), 12);
	cr_expect_eq(jp_count("SELECT count(*) FROM journal_deliveries WHERE refusal IS NOT NULL"), 0);
	cr_expect_eq(jp_count("SELECT count(*) FROM attempts WHERE station = 'line-3' AND result = 'pass'"), 3);
	cr_expect_eq(jp_count("SELECT count(DISTINCT seq) FROM attempts WHERE station = 'line-3'"), 3);
	cr_expect_eq(jp_count("SELECT count(*) FROM steps"), 3);
	cr_expect_eq(jp_count("SELECT count(DISTINCT xmin::text) FROM journal_deliveries WHERE seq > 8"), 1,
		     "9-12 were delivered in one transaction");
	cr_assert_eq(gang_journal_peek(&s, jt_path, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(s.pending, 0);
	cr_expect_eq(s.refused, 0);
}
#endif
