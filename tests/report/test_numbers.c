/*
 * test_numbers.c — every figure of the report on the known history of
 * report_fixture.h: counts, first-pass yield, failures by class and by
 * failing step, per slot and per probe, cycle-time statistics and
 * histogram, hourly series, throughput, serial pools; for the whole
 * history, one batch, and time windows.
 */
#include <criterion/criterion.h>
#include <math.h>

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
	cr_expect_float_eq(gang_report_group_yield(s1), 0.5, 1e-12);
	cr_expect_eq(s2->attempts, 4);
	cr_expect_eq(s2->boards, 3, "the unidentified attempt is not a board");
	cr_expect_eq(s2->aborted, 1);
	cr_expect_float_eq(gang_report_group_yield(s2), 2.0 / 3.0, 1e-12);
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
	int64_t id;

	cr_assert_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_begin(&id, db, &info, &d), GANG_OK, "%s", d.msg);
	rf_sql(db, "UPDATE attempts SET started_at = '2026-11-24T09:40:00.000Z' WHERE id = %lld", (long long)id);
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
