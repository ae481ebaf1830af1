/*
 * cmd_report.c — `gang report`: yield, failures, cycle times, throughput
 * and serial usage of a selection of attempts (a batch and/or a window of
 * started_at), as text, CSV, JSON or one self-contained HTML page.
 * The database is opened read-only, so a report never disturbs a running
 * line; --upgrade (an alias of `gang db upgrade`, cmd_db.c, kept for
 * scripts) opens it read-write once so a database left by an older gang
 * gets its schema migrations first. An empty selection is not an error (exit 0; a note on stderr).
 * Definitions: docs/reports.md; SQL: the backend's (SQLite: db/sqlite/sqlite_report.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "db/db.h"
#include "report/report.h"

typedef enum cr_format { CR_TEXT, CR_CSV, CR_JSON, CR_HTML } cr_format;

typedef struct cr_opts {
	gang_report_filter f;
	char since[GANG_REPORT_TIME_LEN], until[GANG_REPORT_TIME_LEN];
	cr_format format;
	const char *out, *db;
	int upgrade;
} cr_opts;

static int cr_format_parse(cr_format *out, const char *s)
{
	static const char *const names[] = { "text", "csv", "json", "html" };

	for (int i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (cr_format)i;
			return GANG_OK;
		}
	}
	return GANG_EUSAGE;
}

static int cr_time(char *out, const char **slot, const char *opt, const char *s, int end_of_day)
{
	gang_diag d = { 0 };

	if (gang_report_parse_time(out, GANG_REPORT_TIME_LEN, s, end_of_day, &d) < 0)
		return gang_cli_usage("report", "%s: %s", opt, d.msg);
	*slot = out;
	return GANG_EXIT_OK;
}

const struct option gang_cmd_report_opts[] = {
	{ "batch", required_argument, NULL, 'b' }, { "since", required_argument, NULL, 's' },
	{ "until", required_argument, NULL, 'u' }, { "format", required_argument, NULL, 'f' },
	{ "out", required_argument, NULL, 'o' },   { "db", required_argument, NULL, 'd' },
	{ "upgrade", no_argument, NULL, 'U' },     { 0, 0, 0, 0 },
};

static int cr_parse(cr_opts *o, int argc, char **argv)
{
	int c, rc = GANG_EXIT_OK;

	optind = 1;
	opterr = 0;
	while (rc == GANG_EXIT_OK && (c = getopt_long(argc, argv, "", gang_cmd_report_opts, NULL)) != -1) {
		if (c == 'b') {
			rc = gang_cli_check_name("report", "--batch", optarg);
			o->f.batch = optarg;
		} else if (c == 's')
			rc = cr_time(o->since, &o->f.since, "--since", optarg, 0);
		else if (c == 'u')
			rc = cr_time(o->until, &o->f.until, "--until", optarg, 1);
		else if (c == 'f' && cr_format_parse(&o->format, optarg) < 0)
			rc = gang_cli_usage("report", "--format '%s': use text, csv, json or html", optarg);
		else if (c == 'o')
			o->out = optarg;
		else if (c == 'd')
			o->db = optarg;
		else if (c == 'U')
			o->upgrade = 1;
		else if (c == '?')
			rc = gang_cli_usage("report", "unknown option or missing value: '%s'", argv[optind - 1]);
	}
	if (rc == GANG_EXIT_OK && optind < argc)
		rc = gang_cli_usage("report", "unexpected argument '%s'", argv[optind]);
	if (rc == GANG_EXIT_OK && o->f.since && o->f.until && strcmp(o->f.since, o->f.until) >= 0)
		rc = gang_cli_usage("report", "--since %s is not before --until %s", o->f.since, o->f.until);
	return rc;
}

static int cr_write(const cr_opts *o, const gang_report *r, gang_diag *d)
{
	static int (*const writers[])(FILE *, const gang_report *) = {
		gang_report_write_text, gang_report_write_csv, gang_report_write_json, gang_report_write_html,
	};
	FILE *fp = o->out ? fopen(o->out, "w") : stdout;
	int err;

	if (!fp)
		return gang_diag_set(d, GANG_EOUTPUT, "cannot write %s: %s", o->out, strerror(errno));
	err = writers[o->format](fp, r);
	if (o->out && fclose(fp) != 0)
		err = GANG_EOUTPUT;
	if (err < 0 && o->out)
		unlink(o->out); /* no half report */
	if (err < 0)
		return gang_diag_set(d, err == GANG_EFILE ? GANG_EOUTPUT : err, "writing the report to %s failed",
				     o->out ? o->out : "stdout");
	return GANG_OK;
}

int gang_cmd_report(int argc, char **argv)
{
	cr_opts o = { 0 };
	gang_config cfg;
	const char *path;
	gang_db *db = NULL;
	gang_report *r = NULL;
	gang_diag d = { 0 };
	int rc, err;

	if ((rc = cr_parse(&o, argc, argv)) != GANG_EXIT_OK)
		return rc;
	if ((err = gang_cli_db(&path, &cfg, o.db, false, &d)) < 0 ||
	    (err = gang_db_open(&db, path, o.upgrade ? 0 : GANG_DB_READONLY, &d)) < 0 ||
	    (err = gang_report_build(&r, db, &o.f, &d)) < 0)
		goto out;
	r->gang_version = GANG_VERSION;
	if ((err = cr_write(&o, r, &d)) < 0)
		goto out;
	if (!r->attempts) /* o.f.batch passed gang_cli_check_name: printable */
		fprintf(stderr, "gang report: no attempts match this selection%s%s%s\n",
			o.f.batch ? " (batch '" : "", o.f.batch ? o.f.batch : "", o.f.batch ? "')" : "");
out:
	gang_report_free(r);
	gang_db_close(db);
	return err < 0 ? gang_cli_fail("report", err, &d) : GANG_EXIT_OK;
}
