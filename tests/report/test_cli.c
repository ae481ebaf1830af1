/*
 * test_cli.c — `gang report` and `gang trace` end to end through their
 * command functions on the known history of report_fixture.h: every
 * output format, options, usage errors (bad time, bad format, stray
 * argument), database errors (missing or unreadable file), trace by UID
 * (any case), serial text and serial value, and the not-found exit.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/report.h"
#include "serial/data_pool.h"
#include "report_fixture.h"

static rf_dir tmp;
static char out_path[192], err_path[192];

static void setup(void)
{
	rf_seed(&tmp);
	snprintf(out_path, sizeof(out_path), "%s/stdout", tmp.dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", tmp.dir);
}

static void teardown(void)
{
	rf_remove(&tmp);
}

TestSuite(report_cli, .init = setup, .fini = teardown, .timeout = 60);

/* argv from a NULL-terminated list; runs cmd with stdout/stderr captured. */
#define RUN(cmd, ...)                                                                     \
	({                                                                                \
		char *argv_[] = { __VA_ARGS__, NULL };                                    \
		rf_run_captured(cmd, (int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_, \
				out_path, err_path);                                      \
	})

static void expect_has(const char *text, const char *needle)
{
	cr_expect_not_null(strstr(text, needle), "missing '%s' in:\n%s", needle, text);
}

Test(report_cli, text_report_shows_every_section_with_its_numbers)
{
	char *s;

	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	expect_has(s, "attempts    8 (pass 4, fail 3, aborted 1, open 0; 1 never identified)");
	expect_has(s, "boards      6: 3 passed their first attempt, 4 passed at least once; 1 failed (last attempt "
		      "failed), 1 failed, later passed");
	expect_has(s, "first-pass yield   50.0 % (boards that passed their first attempt / boards)");
	expect_has(s, "attempt pass rate  57.1 % (passing attempts / passing and failed attempts)");
	expect_has(s, "median 11000 p95 20000 max 20000");
	expect_has(s, "failures by error class");
	expect_has(s, "failures by failing step");
	expect_has(s, "\n  connect                             2    66.7%    66.7%\n");
	expect_has(s, "  S2                              3        4        2        1        1            66.7%     66.7%");
	expect_has(s, "  P1                              2        3        1        2        0             0.0%     33.3%");
	expect_has(s, "2026-11-24T09:00:00.000Z        1        2");
	expect_has(s, "  demo             1000..1099                    1000       1005        1        4        1");
	free(s);
}

Test(report_cli, text_report_says_where_its_numbers_come_from_and_their_real_span)
{
	char *s, *real = realpath(tmp.db, NULL), line[512];

	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	cr_expect_eq(strncmp(s, "gang production report\ngenerated   20", 37), 0, "%s", s);
	expect_has(s, " by gang " GANG_VERSION "\n");
	snprintf(line, sizeof(line), "\ndatabase    %s\n", real);
	expect_has(s, line);
	expect_has(s, "\nselection   all batches\n");
	expect_has(s, "\nspan        1 d 02 h 00 min 20 s (first attempt started 2026-11-24T08:00:00.000Z, last "
		      "attempt finished 2026-11-25T10:00:20.000Z)\n");
	cr_expect_null(strstr(s, "(first) .. (last)"), "%s", s);
	cr_expect_null(strstr(s, " h)"), "a span in hundredths of hours: %s", s);
	cr_expect_null(strstr(s, "YIELD\n"), "the per-attempt column is not called yield: %s", s);
	free(s);
	/* a short span: 20 s, not "(0.01 h)" */
	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--batch", "B2", "--since", "2026-11-25"),
		     GANG_EXIT_OK);
	s = rf_slurp(out_path);
	expect_has(s, "\nselection   batch B2, started at or after 2026-11-25T00:00:00.000Z\n");
	expect_has(s, "\nspan        20.0 s (first attempt started 2026-11-25T10:00:00.000Z");
	free(s);
	free(real);
}

Test(report_cli, a_selection_with_only_open_attempts_says_none_finished)
{
	gang_attempt_info info = { .slot = "S3", .profile_name = "demo-f103", .batch = "B9" };
	gang_diag d = { 0 };
	gang_db *db = NULL;
	gang_attempt_key id;
	char *s;

	cr_assert_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_begin(&id, db, &info, &d), GANG_OK, "%s", d.msg);
	rf_sql(db, "UPDATE attempts SET started_at = '2026-11-26T07:00:00.000Z' WHERE seq = %lld", (long long)id.seq);
	gang_db_close(db);
	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--batch", "B9"), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	expect_has(s, "\nspan        first attempt started 2026-11-26T07:00:00.000Z, none finished yet\n");
	free(s);
	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--batch", "B9", "--format", "html", "--out",
			 tmp.out), GANG_EXIT_OK);
	s = rf_slurp(tmp.out);
	expect_has(s, "<tr><th>span</th><td>first attempt started 2026-11-26T07:00:00.000Z, none finished yet</td>");
	free(s);
}

Test(report_cli, a_relative_database_path_is_reported_absolute)
{
	char *s, want[256];

	cr_assert_eq(chdir(tmp.dir), 0);
	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", "gang.sqlite"), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	snprintf(want, sizeof(want), "\ndatabase    %s\n", tmp.db);
	expect_has(s, want);
	free(s);
}

Test(report_cli, text_report_lists_what_was_programmed_and_the_failed_boards)
{
	char *s;

	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	expect_has(s, "\n  batch B1: profile demo-f103, 7 attempts started 2026-11-24T08:00:00.000Z .. "
		      "2026-11-24T09:30:00.000Z\n    profile sha256  ab12cd\n    image sha256    ef34\n"
		      "    station line-2, operator amelie\n");
	expect_has(s, "\nfailed boards (their last finished attempt failed): 1 board\n");
	expect_has(s, "\n  " RF_UID_D " demo 1003        S1     P1                       verify     verify     "
		      "2026-11-24T09:10:05.000Z     1  verify failed at 0x08000400\n");
	expect_has(s, "\nboards that failed, later passed (latest failure shown): 1 board\n");
	expect_has(s, "\n  " RF_UID_A " demo 1000        S1     P1                       connect    target     "
		      "2026-11-24T08:00:03.000Z     1  the chip does not answer on SWD\n");
	cr_expect(strstr(s, RF_UID_D) < strstr(s, "later passed (latest"), "still failed boards come first");
	free(s);
}

Test(report_cli, json_and_csv_carry_origin_programmed_and_failed_boards)
{
	char cmd[1024], *s, *real = realpath(tmp.db, NULL), want[512];

	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--format", "json", "--out", tmp.out),
		     GANG_EXIT_OK);
	s = rf_slurp(tmp.out);
	snprintf(want, sizeof(want), "\"gang_version\":\"" GANG_VERSION "\",\"database\":\"%s\"}", real);
	expect_has(s, want);
	expect_has(s, "\"programmed\":[{\"batch\":\"B1\",\"profile\":\"demo-f103\",\"profile_sha256\":\"ab12cd\","
		      "\"image_sha256\":\"ef34\",\"station\":\"line-2\",\"operator\":\"amelie\",\"attempts\":7,");
	expect_has(s, "\"failed_boards\":[{\"uid\":\"" RF_UID_D "\",\"status\":\"failed\",\"serial\":\"demo 1003\","
		      "\"slot\":\"S1\",\"probe\":\"P1\",\"step\":\"verify\",\"error_class\":\"verify\",\"error_message\":"
		      "\"verify failed at 0x08000400\",\"failed_at\":\"2026-11-24T09:10:05.000Z\",\"attempt\":\"line-2/5\","
		      "\"failed_attempts\":1,\"data\":null,\"label\":null}");
	expect_has(s, "{\"uid\":\"" RF_UID_A "\",\"status\":\"failed, later passed\",");
	expect_has(s, "\"boards_failed\":1,\"boards_failed_later_passed\":1,");
	free(s);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); "
		 "assert [b[\"status\"] for b in r[\"failed_boards\"]]==[\"failed\",\"failed, later passed\"]; "
		 "assert r[\"report\"][\"generated_at\"].endswith(\"Z\"); assert len(r[\"programmed\"])==2' %s",
		 tmp.out);
	cr_expect_eq(system(cmd), 0, "python3 rejected the JSON report");
	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--format", "csv", "--out", tmp.out),
		     GANG_EXIT_OK);
	s = rf_slurp(tmp.out);
	snprintf(want, sizeof(want), "\r\nreport,,database,%s\r\n", real);
	expect_has(s, want);
	expect_has(s, "\r\nreport,,gang_version," GANG_VERSION "\r\n");
	expect_has(s, "\r\nprogrammed,2,batch,B2\r\n");
	expect_has(s, "\r\nprogrammed,1,image_sha256,ef34\r\n");
	expect_has(s, "\r\nfailed_board," RF_UID_D ",status,failed\r\n");
	expect_has(s, "\r\nfailed_board," RF_UID_A ",status,\"failed, later passed\"\r\n");
	expect_has(s, "\r\nfailed_board," RF_UID_D ",failed_at,2026-11-24T09:10:05.000Z\r\n");
	expect_has(s, "\r\nsummary,,attempt_pass_rate,0.571429\r\n");
	free(s);
	free(real);
}

Test(report_cli, failed_board_text_is_quoted_in_csv_and_escaped_in_json)
{
	static const rf_attempt odd = { RF_UID_C, "S2", "P2", "B1", GANG_ATTEMPT_FAIL, "flash",
					"erase, then \"verify\"\nfailed", "2026-11-24T09:50:00.000Z",
					"2026-11-24T09:50:04.000Z", NULL, { { "erase", GANG_STEP_FAIL, 3000, NULL } } };
	gang_diag d = { 0 };
	gang_db *db = NULL;
	char *s;

	cr_assert_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_OK, "%s", d.msg);
	rf_write_attempt(db, &odd);
	gang_db_close(db);
	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--format", "csv", "--out", tmp.out),
		     GANG_EXIT_OK);
	s = rf_slurp(tmp.out);
	expect_has(s, "\r\nfailed_board," RF_UID_C ",error_message,\"erase, then \"\"verify\"\"\nfailed\"\r\n");
	free(s);
	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--format", "json", "--out", tmp.out),
		     GANG_EXIT_OK);
	s = rf_slurp(tmp.out);
	expect_has(s, "\"error_message\":\"erase, then \\\"verify\\\"\\nfailed\"");
	free(s);
}

Test(report_cli, json_report_is_valid_json_with_every_section)
{
	char cmd[512], *s;

	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--format", "json", "--out", tmp.out),
		     GANG_EXIT_OK);
	s = rf_slurp(tmp.out);
	expect_has(s, "\"summary\":{\"attempts\":8,");
	expect_has(s, "\"first_pass_yield\":0.500000");
	expect_has(s, "\"cycle_time\":{\"basis\":\"passing attempts\",\"n\":4,\"min_ms\":10000,\"median_ms\":11000");
	expect_has(s, "\"failures_by_step\":[{\"step\":\"connect\",\"fail\":2,");
	expect_has(s, "{\"slot\":\"S1\",\"boards\":3,\"attempts\":4,\"pass\":2,\"fail\":2,\"aborted\":0,"
		      "\"first_pass_boards\":3,\"first_pass_yield\":0.333333,\"attempt_pass_rate\":0.500000}");
	expect_has(s, "{\"hour\":\"2026-11-24T08:00:00.000Z\",\"pass\":2,\"fail\":1}");
	expect_has(s, "\"serial_pools\":[{\"pool\":\"demo\"");
	free(s);
	if (system("python3 -c 'import json' 2>/dev/null") != 0)
		return;
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); "
		 "assert r[\"summary\"][\"boards\"]==6 and len(r[\"hourly\"])==27 and r[\"selection\"][\"batch\"] is None' %s",
		 tmp.out);
	cr_expect_eq(system(cmd), 0, "python3 json.load rejected the report");
}

Test(report_cli, csv_report_is_one_rfc4180_table_with_crlf_line_ends)
{
	char *s, *p;
	size_t lines = 0;

	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--format", "csv", "--out", tmp.out),
		     GANG_EXIT_OK);
	s = rf_slurp(tmp.out);
	cr_expect_eq(strncmp(s, "section,key,metric,value\r\n", 26), 0);
	expect_has(s, "\r\nsummary,,boards,6\r\n");
	expect_has(s, "\r\nslot,S2,first_pass_yield,0.666667\r\n");
	expect_has(s, "\r\nslot,S1,attempt_pass_rate,0.5\r\n");
	expect_has(s, "\r\nfailures_by_class,target,fail,1\r\n");
	expect_has(s, "\r\ncycle_time,passing attempts,p95_ms,20000\r\n");
	expect_has(s, "\r\nserial_pool,demo,void,1\r\n");
	for (p = s; (p = strchr(p, '\n')); p++, lines++)
		cr_assert(p > s && p[-1] == '\r', "bare LF at offset %td", p - s);
	cr_expect_gt(lines, 50);
	free(s);
}

Test(report_cli, csv_quotes_fields_with_comma_quote_and_newline)
{
	gang_attempt_info info = { .slot = "S9", .probe_serial = "clone \"7\", rev\nB", .batch = "B,3",
				   .profile_name = "demo-f103" };
	gang_diag d = { 0 };
	gang_db *db = NULL;
	gang_attempt_key id;
	char *s;

	cr_assert_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_begin(&id, db, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(db, &id, GANG_ATTEMPT_FAIL, "probe", "USB, \"timeout\"", &d), GANG_OK);
	gang_db_close(db);
	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--batch", "B,3", "--format", "csv", "--out",
			 tmp.out),
		     GANG_EXIT_OK);
	s = rf_slurp(tmp.out);
	expect_has(s, "\r\nselection,,batch,\"B,3\"\r\n");
	expect_has(s, "\r\nprobe,\"clone \"\"7\"\", rev\nB\",attempts,1\r\n");
	free(s);
}

Test(report_cli, csv_field_escaping_follows_rfc4180)
{
	static const char *const in[] = { "plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", "", NULL };
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);

	for (int i = 0; in[i]; i++) {
		gang_report_csv_field(fp, in[i]);
		fputc('|', fp);
	}
	fclose(fp);
	cr_expect_str_eq(buf, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|\"cr\rhere\"||");
	free(buf);
}

Test(report_cli, unknown_batch_reports_no_attempts_and_exits_0)
{
	char *s;

	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--batch", "NOPE"), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	expect_has(s, "no attempts match this selection");
	free(s);
	s = rf_slurp(err_path);
	expect_has(s, "no attempts match this selection (batch 'NOPE')");
	free(s);
}

Test(report_cli, bad_since_value_is_a_usage_error_naming_the_value)
{
	char *s;

	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--since", "2026-13-01"), GANG_EXIT_USAGE);
	s = rf_slurp(err_path);
	expect_has(s, "gang report: --since: time '2026-13-01': year or month out of range");
	free(s);
	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--until", "2026-11-24T08:00:00"),
		     GANG_EXIT_USAGE);
	s = rf_slurp(err_path);
	expect_has(s, "--until: time '2026-11-24T08:00:00': the time has no zone");
	free(s);
	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--since", "yesterday"), GANG_EXIT_USAGE);
	s = rf_slurp(err_path);
	expect_has(s, "time 'yesterday': the date must be YYYY-MM-DD");
	free(s);
}

Test(report_cli, other_usage_errors_are_named)
{
	char *s;

	cr_expect_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--format", "pdf"), GANG_EXIT_USAGE);
	s = rf_slurp(err_path);
	expect_has(s, "--format 'pdf': use text, csv, json or html");
	free(s);
	cr_expect_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--since", "2026-11-25", "--until", "2026-11-24"),
		     GANG_EXIT_USAGE);
	s = rf_slurp(err_path);
	expect_has(s, "is not before --until");
	free(s);
	cr_expect_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "stray"), GANG_EXIT_USAGE);
	cr_expect_eq(RUN(gang_cmd_report, "report", "--bogus"), GANG_EXIT_USAGE);
	cr_expect_eq(RUN(gang_cmd_trace, "trace", "--db", tmp.db), GANG_EXIT_USAGE);
	cr_expect_eq(RUN(gang_cmd_trace, "trace", "--db", tmp.db, "--format", "csv", RF_UID_A), GANG_EXIT_USAGE);
	cr_expect_eq(RUN(gang_cmd_trace, "trace", "--db", tmp.db, RF_UID_A, RF_UID_B), GANG_EXIT_USAGE);
}

Test(report_cli, missing_or_unreadable_database_is_a_database_error)
{
	char missing[192], *s;

	snprintf(missing, sizeof(missing), "%s/none.sqlite", tmp.dir);
	cr_expect_eq(RUN(gang_cmd_report, "report", "--db", missing), GANG_EXIT_DB);
	s = rf_slurp(err_path);
	expect_has(s, "gang report: the traceability database cannot be used");
	expect_has(s, "none.sqlite");
	free(s);
	cr_expect_eq(RUN(gang_cmd_trace, "trace", "--db", missing, RF_UID_A), GANG_EXIT_DB);
	/* a file that is not a database */
	FILE *fp = fopen(missing, "w");
	cr_assert_not_null(fp);
	fputs("not sqlite at all, just text that is long enough to be a header page\n", fp);
	fclose(fp);
	cr_expect_eq(RUN(gang_cmd_report, "report", "--db", missing), GANG_EXIT_DB);
	s = rf_slurp(err_path);
	expect_has(s, "none.sqlite");
	free(s);
}

/* Turn the seeded database back into what gang before migrations 4 and 5 left (SQLite's schema). */
static void make_schema_3(const char *path)
{
	gang_diag d = { 0 };
	gang_db *db = NULL;

	cr_assert_eq(gang_db_open(&db, path, 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_test_exec(db,
				       "DROP INDEX attempts_by_key; ALTER TABLE attempts DROP COLUMN seq; "
				       "DROP INDEX serials_by_pool_state; ALTER TABLE attempts DROP COLUMN run_id; "
				       "DROP TABLE sightings; ALTER TABLE attempts DROP COLUMN rework; "
				       "DROP TABLE scans; DROP TABLE data_allocs; DROP TABLE data_values; "
				       "DROP TABLE data_pools; PRAGMA user_version = 3",
				       &d),
		     GANG_OK, "%s", d.msg);
	gang_db_close(db);
}

/* The schema version of path, read without writing (a read-only open names an older one). */
static long report_user_version(gang_db *db)
{
	char text[32];
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_test_query(text, sizeof(text), db, "PRAGMA user_version", &d), GANG_OK, "%s", d.msg);
	return strtol(text, NULL, 10);
}

static int schema_version(const char *path)
{
	gang_diag d = { 0 };
	gang_db *db = NULL;
	const char *at;
	int v = -1;

	if (gang_db_open(&db, path, GANG_DB_READONLY, &d) == GANG_OK) {
		v = (int)report_user_version(db);
		gang_db_close(db);
	} else if ((at = strstr(d.msg, "schema version ")) != NULL) {
		v = atoi(at + strlen("schema version "));
	}
	return v;
}

Test(report_cli, older_schema_is_refused_with_the_fix_and_upgrade_migrates_it)
{
	char *s;

	make_schema_3(tmp.db);
	cr_expect_eq(RUN(gang_cmd_report, "report", "--db", tmp.db), GANG_EXIT_DB);
	s = rf_slurp(err_path);
	expect_has(s, "schema version 3 is older than this gang");
	expect_has(s, "gang db upgrade");
	free(s);
	cr_expect_eq(schema_version(tmp.db), 3, "a refused report must not write");
	cr_expect_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--upgrade"), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	expect_has(s, "attempts    8 (pass 4, fail 3, aborted 1, open 0; 1 never identified)");
	free(s);
	cr_expect_eq(schema_version(tmp.db), gang_db_schema_version());
	cr_expect_eq(RUN(gang_cmd_report, "report", "--db", tmp.db), GANG_EXIT_OK);
}

Test(report_cli, db_upgrade_migrates_an_older_schema_once_and_then_changes_nothing)
{
	char *s;

	make_schema_3(tmp.db);
	cr_expect_eq(RUN(gang_cmd_db, "db", "upgrade", "--db", tmp.db), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	expect_has(s, "schema up to date");
	free(s);
	cr_expect_eq(schema_version(tmp.db), gang_db_schema_version());
	cr_expect_eq(RUN(gang_cmd_db, "db", "upgrade", "--db", tmp.db), GANG_EXIT_OK);
	cr_expect_eq(RUN(gang_cmd_report, "report", "--db", tmp.db), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	expect_has(s, "attempts    8 (pass 4, fail 3, aborted 1, open 0; 1 never identified)");
	free(s);
}

Test(report_cli, db_upgrade_of_a_missing_file_creates_nothing_and_bad_verbs_are_usage_errors)
{
	char missing[192];

	snprintf(missing, sizeof(missing), "%s.none", tmp.db);
	cr_expect_eq(RUN(gang_cmd_db, "db", "upgrade", "--db", missing), GANG_EXIT_DB);
	cr_expect_neq(access(missing, F_OK), 0, "upgrade must not create %s", missing);
	cr_expect_eq(RUN(gang_cmd_db, "db"), GANG_EXIT_USAGE);
	cr_expect_eq(RUN(gang_cmd_db, "db", "downgrade"), GANG_EXIT_USAGE);
	cr_expect_eq(RUN(gang_cmd_db, "db", "upgrade", "extra"), GANG_EXIT_USAGE);
	cr_expect_eq(RUN(gang_cmd_db, "db", "upgrade", "--no-such"), GANG_EXIT_USAGE);
	cr_expect_eq(RUN(gang_cmd_db, "db", "upgrade", "--reason", "x", "--db", tmp.db), GANG_EXIT_USAGE);
	cr_expect_eq(RUN(gang_cmd_db, "db", "void-lease", "--reason", "x", "--db", tmp.db), GANG_EXIT_USAGE);
	cr_expect_eq(RUN(gang_cmd_db, "db", "void-lease", "line-2", "--db", tmp.db), GANG_EXIT_USAGE);
	cr_expect_eq(RUN(gang_cmd_db, "db", "void-lease", "line-2", "line-3", "--reason", "x"), GANG_EXIT_USAGE);
}

Test(report_cli, db_void_lease_on_sqlite_says_leases_need_the_central_database)
{
	char *s;

	cr_expect_eq(RUN(gang_cmd_db, "db", "void-lease", "line-2", "--reason", "gone", "--db", tmp.db), GANG_EXIT_DB);
	s = rf_slurp(err_path);
	expect_has(s, "serial leases need the central PostgreSQL database");
	free(s);
}

Test(report_cli, unwritable_out_file_is_named)
{
	char bad[192], *s;

	snprintf(bad, sizeof(bad), "%s/no-such-dir/r.html", tmp.dir);
	/* the selection was fine: an output that cannot be written is exit 6, not a usage error */
	cr_expect_eq(RUN(gang_cmd_report, "report", "--db", tmp.db, "--format", "html", "--out", bad),
		     GANG_EXIT_OUTPUT);
	s = rf_slurp(err_path);
	expect_has(s, "cannot write ");
	expect_has(s, "no-such-dir/r.html");
	free(s);
}

Test(report_cli, trace_by_uid_in_any_case_lists_every_attempt_with_steps)
{
	char lower[32], *s;

	for (size_t i = 0; i <= strlen(RF_UID_A); i++)
		lower[i] = (char)tolower((unsigned char)RF_UID_A[i]);
	cr_assert_eq(RUN(gang_cmd_trace, "trace", "--db", tmp.db, lower), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	expect_has(s, "board " RF_UID_A "  serial GNG-1000  part STM32F103RC  last result pass");
	expect_has(s, "2 attempts\n");
	expect_has(s, "serial demo 1000 burned (reserved 2026-11-24T08:00:00.000Z, burned ");
	expect_has(s, "attempt line-2/1  2026-11-24T08:00:00.000Z  fail");
	expect_has(s, "error_message   the chip does not answer on SWD");
	expect_has(s, "connect      fail     2900 ms");
	expect_has(s, "DP IDCODE read: FAULT");
	expect_has(s, "attempt line-2/2  2026-11-24T08:10:00.000Z  pass");
	expect_has(s, "duration_ms     10000");
	expect_has(s, "profile_sha256  ab12cd");
	expect_has(s, "image_sha256    ef34");
	expect_has(s, "connect_mode    under-reset");
	expect_has(s, "option_bytes    A55AFF00");
	expect_has(s, "rdp_before      0");
	expect_has(s, "operator        amelie");
	expect_has(s, "station         line-2");
	expect_has(s, "batch           B1");
	expect_has(s, "verify       pass      400 ms");
	free(s);
}

Test(report_cli, trace_by_serial_text_and_by_serial_value_find_the_board)
{
	char *s;

	cr_assert_eq(RUN(gang_cmd_trace, "trace", "--db", tmp.db, "GNG-1001"), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	expect_has(s, "board " RF_UID_B);
	free(s);
	/* B passed: found by boards.serial; D failed and its serial was voided: found by value */
	cr_assert_eq(RUN(gang_cmd_trace, "trace", "--db", tmp.db, "1003"), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	expect_has(s, "board " RF_UID_D);
	expect_has(s, "serial demo 1003 void");
	expect_has(s, "board D scrapped");
	free(s);
}

Test(report_cli, trace_json_is_an_array_of_boards_that_parses)
{
	char cmd[512], *s;

	cr_assert_eq(RUN(gang_cmd_trace, "trace", "--db", tmp.db, "--format", "json", RF_UID_A), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	expect_has(s, "[{\"uid\":\"" RF_UID_A "\",\"serial\":\"GNG-1000\"");
	expect_has(s, "\"attempt\":1,\"started_at\":\"2026-11-24T08:00:00.000Z\"");
	expect_has(s, "\"rdp_before\":0");
	expect_has(s, "{\"step\":\"connect\",\"result\":\"fail\",\"duration_ms\":2900,\"detail\":\"DP IDCODE read: FAULT\"");
	free(s);
	if (system("python3 -c 'import json' 2>/dev/null") != 0)
		return;
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); "
		 "assert len(b)==1 and len(b[0][\"attempts\"])==2 and len(b[0][\"attempts\"][1][\"steps\"])==4' %s",
		 out_path);
	cr_expect_eq(system(cmd), 0, "python3 json.load rejected the trace");
}

#define RF_UID_L5 "0671FF4854577251875A0005"

/* A TrustZone L5 board found at RDP level 0.5 (RM0438 §6.6.2), added to the fixture's history. */
static void add_board_at_rdp_level_0_5(void)
{
	gang_attempt_info info = { .slot = "S3", .profile_name = "demo-l552", .station = "line-2" };
	gang_attempt_target t = { .uid = RF_UID_L5, .part = "STM32L552ZE", .connect_mode = "normal",
				  .rdp_before = GANG_DB_RDP_LEVEL05 };
	gang_attempt_key id;
	gang_diag d = { 0 };
	gang_db *db = NULL;

	cr_assert_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_begin(&id, db, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_identify(db, &id, &t, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(db, &id, GANG_ATTEMPT_FAIL, "target", "secure flash not reachable", &d),
		     GANG_OK, "%s", d.msg);
	gang_db_close(db);
}

Test(report_cli, trace_shows_rdp_level_0_5_as_0_5_in_text_and_as_a_json_number)
{
	char cmd[512], *s;

	add_board_at_rdp_level_0_5();
	cr_assert_eq(RUN(gang_cmd_trace, "trace", "--db", tmp.db, RF_UID_L5), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	expect_has(s, "\n  rdp_before      0.5\n");
	free(s);
	cr_assert_eq(RUN(gang_cmd_trace, "trace", "--db", tmp.db, "--format", "json", RF_UID_L5), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	expect_has(s, "\"rdp_before\":0.5,");
	free(s);
	if (system("python3 -c 'import json' 2>/dev/null") != 0)
		return;
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); "
		 "v=b[0][\"attempts\"][0][\"rdp_before\"]; assert type(v) is float and v == 0.5, v' %s",
		 out_path);
	cr_expect_eq(system(cmd), 0, "rdp_before is not the JSON number 0.5");
}

Test(report_cli, trace_of_unknown_board_exits_1_with_a_sentence)
{
	char *s;

	cr_assert_eq(RUN(gang_cmd_trace, "trace", "--db", tmp.db, "GNG-9999"), GANG_EXIT_FAILED);
	s = rf_slurp(err_path);
	expect_has(s, "no board with serial or UID 'GNG-9999' in DB");
	free(s);
	cr_expect_eq(RUN(gang_cmd_trace, "trace", "--db", tmp.db, "FFFFFFFFFFFFFFFFFFFFFFFF"), GANG_EXIT_FAILED);
	cr_expect_eq(RUN(gang_cmd_trace, "trace", "--db", tmp.db, "4242"), GANG_EXIT_FAILED);
}

#define RC_SECRET "TopSecret-7"
#define RC_SECRET_SHA "c14f7b3174cb5be3c4ea684dfe3564931d8ca667d7124d08eb97d64dd54da8dc"

/*
 * Board D (failed) gets a MAC, a secret key and a plain list value, and a
 * scanned label; board B (passed) a MAC and a key whose pass burned them;
 * key 2 is voided. The pools: macs 16 addresses, keys 3 secret values,
 * plain 2 values.
 */
static void add_data(void)
{
	char file[256];
	gang_data_taken v;
	gang_diag d = { 0 };
	gang_db *db = NULL;
	size_t n;
	FILE *fp;

	snprintf(file, sizeof(file), "%s/values.txt", tmp.dir);
	cr_assert_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_data_mac_ensure(db, "macs", 0x0080E1000010ULL, 0x0080E100001FULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_not_null(fp = fopen(file, "w"));
	fputs(RC_SECRET "\nother-1\nother-2\n", fp);
	fclose(fp);
	cr_assert_eq(gang_data_import(&n, db, "keys", file, true, &d), GANG_OK, "%s", d.msg);
	cr_assert_not_null(fp = fopen(file, "w"));
	fputs("0x0A0B\n0x0C0D\n", fp);
	fclose(fp);
	cr_assert_eq(gang_data_import(&n, db, "plain", file, false, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_data_reserve(&v, db, "keys", RF_UID_D, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_data_reserve(&v, db, "macs", RF_UID_D, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_data_reserve(&v, db, "plain", RF_UID_D, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_data_reserve(&v, db, "keys", RF_UID_B, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_data_reserve(&v, db, "macs", RF_UID_B, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_data_burn(db, "keys", RF_UID_B, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_data_burn(db, "macs", RF_UID_B, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_data_reserve(&v, db, "keys", RF_UID_C, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_data_void(db, "keys", v.index, "leaked", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_scan_bind(db, "PCB-0004", RF_UID_D, NULL, &d), GANG_OK, "%s", d.msg);
	gang_db_close(db);
}

static char *report_as(const char *format)
{
	char *s;

	cr_assert_eq(RUN(gang_cmd_report, "report", "--format", (char *)format, "--db", tmp.db), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	cr_expect_null(strstr(s, RC_SECRET), "the secret in the %s report:\n%s", format, s);
	cr_expect_null(strstr(s, "546f705365637265742d37"), "the secret's hex in the %s report", format);
	return s;
}

Test(report_cli, a_failed_board_shows_its_data_values_and_label_and_each_data_pool_its_counts_in_every_format)
{
	char *s;

	add_data();
	s = report_as("text");
	expect_has(s, "\n    data   keys #0 sha256 " RC_SECRET_SHA "; macs 00:80:E1:00:00:10; plain #0 0x0a0b\n"
		      "    label  PCB-0004\n");
	expect_has(s, "data values handed out in this selection");
	expect_has(s, "\n  keys             list secret           3        1        1        1          0\n");
	expect_has(s, "\n  macs             mac                  16        1        1        0         14\n");
	expect_has(s, "\n  plain            list                  2        1        0        0          1\n");
	free(s);
	s = report_as("csv");
	expect_has(s, "\r\nfailed_board," RF_UID_D ",data,keys #0 sha256 " RC_SECRET_SHA "; macs 00:80:E1:00:00:10; "
		      "plain #0 0x0a0b\r\n");
	expect_has(s, "\r\nfailed_board," RF_UID_D ",label,PCB-0004\r\n");
	expect_has(s, "\r\ndata_pool,keys,secret,1\r\n");
	expect_has(s, "\r\ndata_pool,macs,remaining,14\r\n");
	free(s);
	s = report_as("json");
	expect_has(s, ",\"failed_attempts\":1,\"data\":\"keys #0 sha256 " RC_SECRET_SHA "; macs 00:80:E1:00:00:10; "
		      "plain #0 0x0a0b\",\"label\":\"PCB-0004\"}");
	expect_has(s, "\"data_pools\":[{\"pool\":\"keys\",\"kind\":\"list\",\"secret\":true,\"size\":3,\"reserved\":1,"
		      "\"burned\":1,\"void\":1,\"remaining\":0},");
	free(s);
	s = report_as("html");
	expect_has(s, "<td>keys #0 sha256 " RC_SECRET_SHA "; macs 00:80:E1:00:00:10; plain #0 0x0a0b</td><td>PCB-0004</td>");
	expect_has(s, "<h2>Data values handed out</h2>");
	free(s);
}

Test(report_cli, a_report_without_data_pools_has_no_data_section)
{
	char *s;

	cr_assert_eq(RUN(gang_cmd_report, "report", "--db", tmp.db), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	cr_expect_null(strstr(s, "data values handed out"), "%s", s);
	cr_expect_null(strstr(s, "    data   "), "%s", s);
	free(s);
}

Test(report_cli, a_batch_selects_the_data_values_its_attempts_took)
{
	char *s;

	add_data();
	/* the values above were taken without an attempt: no batch took them */
	cr_assert_eq(RUN(gang_cmd_report, "report", "--batch", "B1", "--format", "csv", "--db", tmp.db), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	cr_expect_null(strstr(s, "\r\ndata_pool,"), "%s", s);
	expect_has(s, "\r\nfailed_board," RF_UID_D ",label,PCB-0004\r\n");
	free(s);
}
