/*
 * test_escape.c — text already in a database (written by an older gang,
 * or by hand with SQL) comes out of `gang report` and `gang trace` safe:
 * the text formats show no control byte, JSON parses with a real parser
 * (python3) and keeps the fields, CSV cells never start a formula.
 * One attempt of the fixture's history gets hostile bytes in every text
 * column it has.
 */
#include <criterion/criterion.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "report/report.h"
#include "report_fixture.h"

/* CR LF forge a line, ESC/BEL/DEL/C1/bidi drive the terminal, \xff is not UTF-8. */
#define ES_HOSTILE "=HYPERLINK(\"http://x\",\"y\")\r\nS9 PASS\x1b[2J\x07\x7f\xc2\x9b\xff\xe2\x80\xae"
#define ES_UID "0671FF4854577251870BAD01"

static rf_dir tmp;
static char out_path[192], err_path[192];

static void es_setup(void)
{
	gang_attempt_info info = { .slot = ES_HOSTILE, .probe_serial = ES_HOSTILE, .batch = ES_HOSTILE,
				   .profile_name = ES_HOSTILE, .operator_name = ES_HOSTILE, .station = ES_HOSTILE };
	gang_attempt_target t = { .uid = ES_UID, .part = ES_HOSTILE, .connect_mode = ES_HOSTILE, .rdp_before = -1 };
	gang_diag d = { 0 };
	gang_db *db = NULL;
	gang_attempt_key id;

	rf_seed(&tmp);
	snprintf(out_path, sizeof(out_path), "%s/stdout", tmp.dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", tmp.dir);
	cr_assert_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_begin(&id, db, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_identify(db, &id, &t, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_serial_text(db, &id, ES_HOSTILE, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_step(db, &id, ES_HOSTILE, GANG_STEP_FAIL, 10, ES_HOSTILE, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(db, &id, GANG_ATTEMPT_FAIL, ES_HOSTILE, ES_HOSTILE, &d), GANG_OK, "%s",
		     d.msg);
	/* by hand with SQL: text in a number column */
	rf_sql(db, "UPDATE attempts SET rdp_before = '1}],\"x\":[{' WHERE seq = %lld", (long long)id.seq);
	gang_db_close(db);
}

static void es_teardown(void)
{
	rf_remove(&tmp);
}

TestSuite(report_escape, .init = es_setup, .fini = es_teardown, .timeout = 60);

#define ES_RUN(cmd, ...)                                                                  \
	({                                                                                \
		char *argv_[] = { __VA_ARGS__, NULL };                                    \
		rf_run_captured(cmd, (int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_, \
				out_path, err_path);                                      \
	})

/* Text for a terminal: printable bytes, LF, and well-formed UTF-8 only; no C0/C1/DEL. */
static void es_expect_terminal_safe(const char *s, const char *what)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		cr_assert(*p == '\n' || (*p >= 0x20 && *p < 0x7f), "%s: byte 0x%02x at offset %zu:\n%s", what, *p,
			  (size_t)((const char *)p - s), s);
	cr_expect_not_null(strstr(s, "\\x0D\\x0AS9 PASS\\x1B[2J\\x07\\x7F\\u009B\\xFF\\u202E"),
			   "%s: the hostile text should show escaped:\n%s", what, s);
}

/* python3 parses file and finds the hostile text (its \xff as U+FFFD) somewhere in it. */
static void es_expect_json(const char *file)
{
	char cmd[768];

	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys\n"
		 "v = json.loads(open(sys.argv[1], \"rb\").read().decode(\"utf-8\"))\n"
		 "def walk(x):\n"
		 "    if isinstance(x, dict): return any(walk(y) for y in x.values())\n"
		 "    if isinstance(x, list): return any(walk(y) for y in x)\n"
		 "    return isinstance(x, str) and x.endswith(\"S9 PASS\\x1b[2J\\x07\\x7f\\x9b\\ufffd\\u202e\")\n"
		 "assert walk(v)' %s",
		 file);
	cr_expect_eq(system(cmd), 0, "python3 rejected %s or lost the field:\n%s", file, rf_slurp(file));
}

Test(report_escape, text_report_shows_hostile_database_text_escaped)
{
	char *s;

	cr_assert_eq(ES_RUN(gang_cmd_report, "report", "--db", tmp.db), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	es_expect_terminal_safe(s, "gang report");
	free(s);
}

Test(report_escape, json_report_parses_with_a_real_parser)
{
	cr_assert_eq(ES_RUN(gang_cmd_report, "report", "--db", tmp.db, "--format", "json", "--out", tmp.out),
		     GANG_EXIT_OK);
	es_expect_json(tmp.out);
}

Test(report_escape, csv_report_never_starts_a_cell_with_a_formula)
{
	char *s;

	cr_assert_eq(ES_RUN(gang_cmd_report, "report", "--db", tmp.db, "--format", "csv", "--out", tmp.out),
		     GANG_EXIT_OK);
	s = rf_slurp(tmp.out);
	cr_expect_not_null(strstr(s, ",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\r\nS9 PASS"), "%s", s);
	cr_expect_null(strstr(s, ",=HYPERLINK"), "%s", s);
	cr_expect_null(strstr(s, ",\"=HYPERLINK"), "%s", s);
	cr_expect_null(strchr(s, '\x1b'), "ESC reached the CSV");
	free(s);
}

Test(report_escape, trace_text_shows_hostile_database_text_escaped)
{
	char *s;

	cr_assert_eq(ES_RUN(gang_cmd_trace, "trace", "--db", tmp.db, ES_UID), GANG_EXIT_OK);
	s = rf_slurp(out_path);
	es_expect_terminal_safe(s, "gang trace");
	free(s);
}

Test(report_escape, trace_json_parses_with_a_real_parser)
{
	cr_assert_eq(ES_RUN(gang_cmd_trace, "trace", "--db", tmp.db, "--format", "json", ES_UID), GANG_EXIT_OK);
	es_expect_json(out_path);
}

Test(report_escape, report_and_trace_refuse_hostile_filters_naming_the_flag)
{
	char *e;

	cr_expect_eq(ES_RUN(gang_cmd_report, "report", "--db", tmp.db, "--batch", "B1\x1b[2J"), GANG_EXIT_USAGE);
	e = rf_slurp(err_path);
	cr_expect_str_eq(e, "gang report: --batch 'B1\\x1B[2J': byte 3 is a control character (U+001B) (a name is "
			    "printable UTF-8 text of at most 64 bytes); see 'gang report --help'\n");
	free(e);
	cr_expect_eq(ES_RUN(gang_cmd_trace, "trace", "--db", tmp.db, "GNG\r\n1000"), GANG_EXIT_USAGE);
	e = rf_slurp(err_path);
	cr_expect_not_null(strstr(e, "gang trace: SERIAL|UID 'GNG\\x0D\\x0A1000': byte 4 is a control character"),
			   "%s", e);
	free(e);
}

Test(report_escape, html_report_shows_hostile_database_text_as_inert_text)
{
	char *s;

	cr_assert_eq(ES_RUN(gang_cmd_report, "report", "--db", tmp.db, "--format", "html", "--out", tmp.out),
		     GANG_EXIT_OK);
	s = rf_slurp(tmp.out);
	cr_expect_null(strchr(s, '\x1b'), "ESC reached the HTML page");
	cr_expect_null(strchr(s, '\x07'), "BEL reached the HTML page");
	cr_expect_null(strstr(s, "\xff"), "a byte that is not UTF-8 reached the HTML page");
	cr_expect_not_null(strstr(s, "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)"), "%s", s);
	free(s);
}
