/*
 * test_numbers.c — every figure of the report on the known history of
 * report_fixture.h: counts, first-pass yield, failures by class and by
 * failing step, per slot and per probe, cycle-time statistics and
 * histogram, hourly series, throughput, serial pools, the failed boards,
 * what was programmed, the report's origin, readable durations; for the
 * whole history, one batch, and time windows.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "report/report.h"
#include "report_fixture.h"

static rf_dir tmp;

static void setup(void)
{
	rf_seed(&tmp);
}

static void teardown(void)
{
	rf_remove(&tmp);
}

TestSuite(report_numbers, .init = setup, .fini = teardown, .timeout = 30);

static gang_report *build(const char *batch, const char *since, const char *until)
{
	gang_report_filter f = { .batch = batch, .since = since, .until = until };
	gang_report *r = NULL;
	gang_diag d = { 0 };
	gang_db *db = NULL;

	cr_assert_eq(gang_db_open(&db, tmp.db, GANG_DB_READONLY, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_report_build(&r, db, &f, &d), GANG_OK, "%s", d.msg);
	gang_db_close(db);
	return r;
}

static const gang_report_group *group(const gang_report_group *g, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(g[i].key, key) == 0)
			return &g[i];
	cr_assert_fail("no group '%s'", key);
	return NULL;
}

Test(report_numbers, whole_history_counts_attempts_boards_and_first_pass_yield)
{
	gang_report *r = build(NULL, NULL, NULL);

	cr_expect_eq(r->attempts, 8);
	cr_expect_eq(r->pass, 4);
	cr_expect_eq(r->fail, 3);
	cr_expect_eq(r->aborted, 1);
	cr_expect_eq(r->open, 0);
	cr_expect_eq(r->unidentified, 1);
	cr_expect_eq(r->boards, 6);
	cr_expect_eq(r->boards_passed, 4);
	cr_expect_eq(r->boards_first_pass, 3);
	cr_expect_float_eq(gang_report_first_pass_yield(r), 0.5, 1e-12);
	cr_expect_str_eq(r->first_start, "2026-11-24T08:00:00.000Z");
	cr_expect_str_eq(r->last_finish, "2026-11-25T10:00:20.000Z");
	cr_expect_eq(r->span_ms, 26LL * 3600000 + 20000);
	cr_expect_float_eq(gang_report_passes_per_hour(r), 4.0 * 3600000.0 / 93620000.0, 1e-9);
	gang_report_free(r);
}

Test(report_numbers, failures_are_grouped_by_class_and_by_first_failing_step_in_pareto_order)
{
	gang_report *r = build(NULL, NULL, NULL);

	cr_assert_eq(r->n_classes, 3);
	/* equal counts: alphabetical; aborted attempts are not failures */
	cr_expect_str_eq(r->classes[0].key, "no-board");
	cr_expect_str_eq(r->classes[1].key, "target");
	cr_expect_str_eq(r->classes[2].key, "verify");
	for (size_t i = 0; i < 3; i++)
		cr_expect_eq(r->classes[i].fail, 1);
	cr_assert_eq(r->n_steps, 2);
	cr_expect_str_eq(r->steps[0].key, "connect");
	cr_expect_eq(r->steps[0].fail, 2);
	cr_expect_str_eq(r->steps[1].key, "verify");
	cr_expect_eq(r->steps[1].fail, 1);
	gang_report_free(r);
}

Test(report_numbers, per_slot_and_per_probe_count_boards_attempts_and_attempt_yield)
{
	gang_report *r = build(NULL, NULL, NULL);
	const gang_report_group *s1, *s2, *p1, *p3;

	cr_assert_eq(r->n_slots, 2);
	s1 = group(r->slots, r->n_slots, "S1");
	s2 = group(r->slots, r->n_slots, "S2");
	cr_expect_eq(s1->attempts, 4);
	cr_expect_eq(s1->boards, 3);
	cr_expect_eq(s1->pass, 2);
	cr_expect_eq(s1->fail, 2);
	cr_expect_float_eq(gang_report_group_pass_rate(s1), 0.5, 1e-12);
	cr_expect_eq(s2->attempts, 4);
	cr_expect_eq(s2->boards, 3, "the unidentified attempt is not a board");
	cr_expect_eq(s2->aborted, 1);
	cr_expect_float_eq(gang_report_group_pass_rate(s2), 2.0 / 3.0, 1e-12);
	cr_assert_eq(r->n_probes, 3);
	p1 = group(r->probes, r->n_probes, "P1");
	p3 = group(r->probes, r->n_probes, "P3");
	cr_expect_eq(p1->attempts, 3);
	cr_expect_eq(p1->boards, 2);
	cr_expect_eq(p1->pass, 1);
	cr_expect_eq(p3->attempts, 1);
	cr_expect_eq(p3->pass, 1);
	gang_report_free(r);
}

Test(report_numbers, per_station_counts_like_per_slot_when_each_slot_is_a_station)
{
	gang_report *r;
	const gang_report_group *a, *b;
	gang_db *db = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_OK, "%s", d.msg);
	rf_sql(db, "UPDATE attempts SET station = 'line-3' WHERE slot = 'S2'");
	gang_db_close(db);
	r = build(NULL, NULL, NULL);
	cr_assert_eq(r->n_stations, 2);
	a = group(r->stations, r->n_stations, "line-2");
	b = group(r->stations, r->n_stations, "line-3");
	cr_expect_eq(a->attempts, 4);
	cr_expect_eq(a->boards, 3);
	cr_expect_eq(a->pass, 2);
	cr_expect_eq(a->fail, 2);
	cr_expect_eq(a->first_boards, 3);
	cr_expect_eq(a->first_pass, 1);
	cr_expect_eq(b->attempts, 4);
	cr_expect_eq(b->boards, 3, "the unidentified attempt is not a board");
	cr_expect_eq(b->aborted, 1);
	cr_expect_eq(b->first_boards, 3);
	cr_expect_float_eq(gang_report_group_first_pass_yield(b), 2.0 / 3.0, 1e-12);
	gang_report_free(r);
}

Test(report_numbers, every_writer_has_the_per_station_section)
{
	static int (*const writers[])(FILE *, const gang_report *) = {
		gang_report_write_text, gang_report_write_csv, gang_report_write_json, gang_report_write_html,
	};
	static const char *const want[] = { "per station", "station,line-2,", "\"stations\":", "Per station" };
	gang_report *r = build(NULL, NULL, NULL);

	for (size_t i = 0; i < 4; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&buf, &len);

		cr_assert_not_null(fp);
		cr_expect_eq(writers[i](fp, r), GANG_OK);
		fclose(fp);
		cr_expect_not_null(strstr(buf, want[i]), "writer %zu lacks '%s'", i, want[i]);
		cr_expect_not_null(strstr(buf, "line-2"), "writer %zu lacks the station", i);
		free(buf);
	}
	gang_report_free(r);
}

Test(report_numbers, cycle_time_uses_passing_attempts_with_nearest_rank_percentiles)
{
	gang_report *r = build(NULL, NULL, NULL);

	cr_expect_eq(r->cycle.n, 4);
	cr_expect_eq(r->cycle.min_ms, 10000);
	cr_expect_eq(r->cycle.median_ms, 11000);
	cr_expect_eq(r->cycle.p95_ms, 20000);
	cr_expect_eq(r->cycle.max_ms, 20000);
	cr_expect_float_eq(r->cycle.mean_ms, 13250.0, 1e-9);
	cr_assert_eq(r->n_hist, 20);
	cr_expect_eq(r->hist[0].lo_ms, 10000);
	cr_expect_eq(r->hist[0].hi_ms, 10501);
	cr_expect_eq(r->hist[0].count, 1);
	cr_expect_eq(r->hist[1].count, 1);
	cr_expect_eq(r->hist[3].count, 1);
	cr_expect_eq(r->hist[19].count, 1);
	cr_expect_eq(r->hist[2].count + r->hist[10].count, 0);
	gang_report_free(r);
}

Test(report_numbers, hourly_series_counts_passes_and_failures_by_finish_hour)
{
	gang_report *r = build(NULL, NULL, NULL);
	char t[GANG_REPORT_TIME_LEN];

	cr_assert_eq(r->n_hours, 27);
	gang_report_time_text(t, sizeof(t), r->hour0_ms);
	cr_expect_str_eq(t, "2026-11-24T08:00:00.000Z");
	cr_expect_eq(r->hour_pass[0], 2);
	cr_expect_eq(r->hour_fail[0], 1);
	cr_expect_eq(r->hour_pass[1], 1);
	cr_expect_eq(r->hour_fail[1], 2, "the aborted attempt is not counted as a failure");
	cr_expect_eq(r->hour_pass[26], 1);
	cr_expect_eq(r->hour_pass[5] + r->hour_fail[5], 0);
	gang_report_free(r);
}

Test(report_numbers, serial_pools_count_states_and_range_of_values_handed_out)
{
	gang_report *r = build(NULL, NULL, NULL);

	cr_assert_eq(r->n_pools, 1);
	cr_expect_str_eq(r->pools[0].name, "demo");
	cr_expect_eq(r->pools[0].range_start, 1000);
	cr_expect_eq(r->pools[0].range_end, 1099);
	cr_expect_eq(r->pools[0].min_value, 1000);
	cr_expect_eq(r->pools[0].max_value, 1005);
	cr_expect_eq(r->pools[0].burned, 4);
	cr_expect_eq(r->pools[0].reserved, 1);
	cr_expect_eq(r->pools[0].voided, 1);
	gang_report_free(r);
}

Test(report_numbers, one_batch_only_counts_its_own_attempts_and_serials)
{
	gang_report *r = build("B1", NULL, NULL);

	cr_expect_eq(r->attempts, 7);
	cr_expect_eq(r->boards, 5);
	cr_expect_eq(r->boards_first_pass, 2);
	cr_expect_float_eq(gang_report_first_pass_yield(r), 0.4, 1e-12);
	cr_expect_eq(r->cycle.median_ms, 11000);
	cr_expect_eq(r->cycle.p95_ms, 12000);
	gang_report_free(r);
	r = build("B2", NULL, NULL);
	cr_expect_eq(r->attempts, 1);
	cr_assert_eq(r->n_pools, 1);
	cr_expect_eq(r->pools[0].min_value, 1005);
	cr_expect_eq(r->pools[0].max_value, 1005);
	cr_expect_eq(r->pools[0].burned, 1);
	gang_report_free(r);
}

Test(report_numbers, unknown_batch_gives_an_empty_report)
{
	gang_report *r = build("NO-SUCH-BATCH", NULL, NULL);

	cr_expect_eq(r->attempts, 0);
	cr_expect_eq(r->boards, 0);
	cr_expect_eq(r->cycle.n, 0);
	cr_expect_eq(r->n_hours, 0);
	cr_expect_eq(r->n_pools, 0);
	cr_expect_str_eq(r->first_start, "");
	gang_report_free(r);
}

Test(report_numbers, window_is_since_inclusive_until_exclusive_on_started_at)
{
	char since[GANG_REPORT_TIME_LEN], until[GANG_REPORT_TIME_LEN];
	gang_report *r;

	cr_assert_eq(gang_report_parse_time(since, sizeof(since), "2026-11-24T09:05:00Z", 0, NULL), GANG_OK);
	cr_assert_eq(gang_report_parse_time(until, sizeof(until), "2026-11-24T09:20:00Z", 1, NULL), GANG_OK);
	r = build(NULL, since, until);
	cr_expect_eq(r->attempts, 2, "09:05 included, 09:20 excluded");
	gang_report_free(r);
	cr_assert_eq(gang_report_parse_time(until, sizeof(until), "2026-11-24", 1, NULL), GANG_OK);
	r = build(NULL, NULL, until);
	cr_expect_eq(r->attempts, 7, "--until DATE includes that whole day");
	gang_report_free(r);
	cr_assert_eq(gang_report_parse_time(since, sizeof(since), "2026-11-25", 0, NULL), GANG_OK);
	r = build(NULL, since, NULL);
	cr_expect_eq(r->attempts, 1);
	cr_expect_eq(r->boards_first_pass, 1);
	gang_report_free(r);
}

Test(report_numbers, open_attempts_are_counted_but_have_no_cycle_time)
{
	gang_attempt_info info = { .slot = "S3", .profile_name = "demo-f103", .batch = "B1" };
	gang_diag d = { 0 };
	gang_db *db = NULL;
	gang_report *r;
	gang_attempt_key id;

	cr_assert_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_begin(&id, db, &info, &d), GANG_OK, "%s", d.msg);
	rf_sql(db, "UPDATE attempts SET started_at = '2026-11-24T09:40:00.000Z' WHERE seq = %lld", (long long)id.seq);
	gang_db_close(db);
	r = build("B1", NULL, NULL);
	cr_expect_eq(r->attempts, 8);
	cr_expect_eq(r->open, 1);
	cr_expect_eq(r->cycle.n, 3);
	cr_expect_eq(group(r->slots, r->n_slots, "S3")->attempts, 1);
	gang_report_free(r);
}

Test(report_numbers, malformed_stored_time_is_a_database_error_naming_the_attempt)
{
	gang_report_filter f = { 0 };
	gang_report *r = NULL;
	gang_diag d = { 0 };
	gang_db *db = NULL;

	cr_assert_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_OK, "%s", d.msg);
	rf_sql(db, "UPDATE attempts SET started_at = 'yesterday' WHERE id = 3");
	cr_expect_eq(gang_report_build(&r, db, &f, &d), GANG_EDB);
	cr_expect_null(r);
	cr_expect(strstr(d.msg, "attempt 3") && strstr(d.msg, "yesterday"), "%s", d.msg);
	gang_db_close(db);
}

/* Write one more attempt (report_fixture.h's rf_attempt) into the fixture's database. */
static void add_attempt(const rf_attempt *a)
{
	gang_diag d = { 0 };
	gang_db *db = NULL;

	cr_assert_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_OK, "%s", d.msg);
	rf_write_attempt(db, a);
	gang_db_close(db);
}

Test(report_numbers, failed_boards_are_listed_by_their_last_attempt_with_later_passes_flagged)
{
	gang_report *r = build(NULL, NULL, NULL);
	const gang_report_failed *f;

	/* D failed and never passed; A failed, then passed; F was only aborted; attempt 6 has no UID */
	cr_expect_eq(r->boards_failed, 1);
	cr_expect_eq(r->boards_failed_later_passed, 1);
	cr_assert_eq(r->n_failed, 2);
	f = &r->failed[0];
	cr_expect_str_eq(f->uid, RF_UID_D);
	cr_expect_eq(f->later_passed, 0);
	cr_expect_str_eq(f->serial, "demo 1003", "no serial text on the failed attempt: pool and value");
	cr_expect_str_eq(f->slot, "S1");
	cr_expect_str_eq(f->probe, "P1");
	cr_expect_str_eq(f->step, "verify");
	cr_expect_str_eq(f->error_class, "verify");
	cr_expect_str_eq(f->message, "verify failed at 0x08000400");
	cr_expect_str_eq(f->at, "2026-11-24T09:10:05.000Z");
	cr_expect_eq(f->attempt_id, 5);
	cr_expect_str_eq(f->attempt, "line-2/5", "the failed attempt by its portable key");
	cr_expect_eq(f->failures, 1);
	f = &r->failed[1];
	cr_expect_str_eq(f->uid, RF_UID_A);
	cr_expect_eq(f->later_passed, 1);
	cr_expect_str_eq(f->step, "connect");
	cr_expect_str_eq(f->error_class, "target");
	cr_expect_str_eq(f->message, "the chip does not answer on SWD");
	cr_expect_str_eq(f->at, "2026-11-24T08:00:03.000Z");
	gang_report_free(r);
}

Test(report_numbers, a_board_failing_after_its_pass_is_failed_and_the_latest_failure_is_shown)
{
	static const rf_attempt again[] = {
		{ RF_UID_B, "S2", "P2", "B1", GANG_ATTEMPT_FAIL, "flash", "erase timed out", "2026-11-24T09:40:00.000Z",
		  "2026-11-24T09:40:04.000Z", "GNG-1001", { { "erase", GANG_STEP_FAIL, 3000, NULL } } },
		{ RF_UID_D, "S2", "P2", "B1", GANG_ATTEMPT_FAIL, "target", "no answer", "2026-11-24T09:50:00.000Z",
		  "2026-11-24T09:50:02.000Z", NULL, { { "connect", GANG_STEP_FAIL, 2000, NULL } } },
		/* aborted after the failure: the board stays failed */
		{ RF_UID_D, "S2", "P2", "B1", GANG_ATTEMPT_ABORTED, "aborted", "stopped", "2026-11-24T09:55:00.000Z",
		  "2026-11-24T09:55:01.000Z", NULL, { { "connect", GANG_STEP_PASS, 200, NULL } } },
	};
	gang_report *r;

	for (size_t i = 0; i < 3; i++)
		add_attempt(&again[i]);
	r = build(NULL, NULL, NULL);
	cr_expect_eq(r->boards_failed, 2);
	cr_expect_eq(r->boards_failed_later_passed, 1);
	cr_assert_eq(r->n_failed, 3);
	cr_expect_str_eq(r->failed[0].uid, RF_UID_B, "ordered by time of the failure");
	cr_expect_str_eq(r->failed[0].serial, "GNG-1001", "the serial text rendered on the attempt wins");
	cr_expect_str_eq(r->failed[0].step, "erase");
	cr_expect_str_eq(r->failed[1].uid, RF_UID_D);
	cr_expect_eq(r->failed[1].failures, 2);
	cr_expect_str_eq(r->failed[1].slot, "S2", "the latest failure is shown");
	cr_expect_str_eq(r->failed[1].error_class, "target");
	cr_expect_str_eq(r->failed[1].at, "2026-11-24T09:50:02.000Z");
	cr_expect_str_eq(r->failed[2].uid, RF_UID_A);
	gang_report_free(r);
	r = build("B2", NULL, NULL);
	cr_expect_eq(r->n_failed, 0, "only failures inside the selection count");
	gang_report_free(r);
}

Test(report_numbers, what_was_programmed_lists_batch_profile_hashes_station_and_operator)
{
	static const rf_attempt night = { RF_UID_C, "S2", "P2", "B1", GANG_ATTEMPT_PASS, NULL, NULL,
					  "2026-11-24T09:45:00.000Z", "2026-11-24T09:45:10.000Z", "GNG-1002",
					  { { "connect", GANG_STEP_PASS, 250, NULL } } };
	gang_report *r = build(NULL, NULL, NULL);
	const gang_report_programmed *p;

	cr_assert_eq(r->n_programmed, 2);
	p = &r->programmed[0];
	cr_expect_str_eq(p->batch, "B1");
	cr_expect_str_eq(p->profile, "demo-f103");
	cr_expect_str_eq(p->profile_sha256, "ab12cd");
	cr_expect_str_eq(p->image_sha256, "ef34");
	cr_expect_str_eq(p->station, "line-2");
	cr_expect_str_eq(p->operator_name, "amelie");
	cr_expect_eq(p->attempts, 7);
	cr_expect_str_eq(p->first_start, "2026-11-24T08:00:00.000Z");
	cr_expect_str_eq(p->last_start, "2026-11-24T09:30:00.000Z");
	cr_expect_str_eq(r->programmed[1].batch, "B2");
	cr_expect_eq(r->programmed[1].attempts, 1);
	gang_report_free(r);
	add_attempt(&night);
	{
		gang_diag d = { 0 };
		gang_db *db = NULL;

		cr_assert_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_OK, "%s", d.msg);
		rf_sql(db, "UPDATE attempts SET operator = 'bruno', image_sha256 = NULL WHERE id = 9");
		gang_db_close(db);
	}
	r = build("B1", NULL, NULL);
	cr_assert_eq(r->n_programmed, 2, "a second operator on the batch is a second row");
	cr_expect_str_eq(r->programmed[1].operator_name, "bruno");
	cr_expect_null(r->programmed[1].image_sha256, "not recorded is NULL, not \"\"");
	cr_expect_eq(r->programmed[0].attempts, 7);
	gang_report_free(r);
}

Test(report_numbers, report_names_its_database_and_when_it_was_generated)
{
	gang_report *r = build(NULL, NULL, NULL);
	char *real = realpath(tmp.db, NULL);
	int64_t gen;
	time_t now = time(NULL);

	cr_assert_not_null(real);
	cr_expect_str_eq(r->db_path, real);
	cr_assert_eq(gang_report_time_ms(&gen, r->generated_at), GANG_OK, "'%s'", r->generated_at);
	cr_expect(gen / 1000 >= (int64_t)now - 60 && gen / 1000 <= (int64_t)now + 60, "%s", r->generated_at);
	free(real);
	gang_report_free(r);
}

Test(report_numbers, yield_is_per_board_and_the_per_attempt_figure_is_the_attempt_pass_rate)
{
	gang_report *r = build(NULL, NULL, NULL);
	const gang_report_group *s1, *s2, *p1;

	cr_expect_float_eq(gang_report_attempt_pass_rate(r), 4.0 / 7.0, 1e-12);
	s1 = group(r->slots, r->n_slots, "S1");
	s2 = group(r->slots, r->n_slots, "S2");
	p1 = group(r->probes, r->n_probes, "P1");
	/* first attempts: A (fail), D (fail), E (pass) on S1; B, C (pass), F (aborted) on S2 */
	cr_expect_eq(s1->first_boards, 3);
	cr_expect_eq(s1->first_pass, 1);
	cr_expect_float_eq(gang_report_group_first_pass_yield(s1), 1.0 / 3.0, 1e-12);
	cr_expect_eq(s2->first_boards, 3);
	cr_expect_float_eq(gang_report_group_first_pass_yield(s2), 2.0 / 3.0, 1e-12);
	cr_expect_eq(p1->first_boards, 2);
	cr_expect_eq(p1->first_pass, 0);
	cr_expect_float_eq(gang_report_group_pass_rate(p1), 1.0 / 3.0, 1e-12);
	gang_report_free(r);
}

Test(report_numbers, durations_read_as_days_hours_minutes_and_seconds)
{
	static const struct {
		int64_t ms;
		const char *text;
	} cases[] = {
		{ 0, "0.0 s" },
		{ 800, "0.8 s" },
		{ 20000, "20.0 s" },
		{ 100790, "1 min 40.8 s" },
		{ 3600000, "1 h 00 min 00 s" },
		{ 26LL * 3600000 + 20000, "1 d 02 h 00 min 20 s" },
	};
	char t[48];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gang_report_duration_text(t, sizeof(t), cases[i].ms);
		cr_expect_str_eq(t, cases[i].text);
	}
}

Test(report_numbers, a_database_path_that_no_longer_resolves_is_named_as_opened)
{
	gang_report_filter f = { 0 };
	gang_report *r = NULL;
	gang_diag d = { 0 };
	gang_db *db = NULL;
	char moved[192];

	cr_assert_eq(gang_db_open(&db, tmp.db, GANG_DB_READONLY, &d), GANG_OK, "%s", d.msg);
	snprintf(moved, sizeof(moved), "%s.moved", tmp.db);
	/* the open handle keeps reading the file; its path no longer exists */
	cr_assert_eq(rename(tmp.db, moved), 0);
	cr_assert_eq(gang_report_build(&r, db, &f, &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(r->db_path, tmp.db);
	cr_expect_eq(r->attempts, 8);
	gang_report_free(r);
	gang_db_close(db);
	rename(moved, tmp.db);
}
